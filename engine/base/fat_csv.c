/* fat_csv.c: the CSV writer (see fat_csv.h). */
#include "fat_csv.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fat_money.h"

fat_rc fat_csv_begin(fat_csv *w, fat_buf *b, fat_err *err)
{
  w->b = b;
  w->col = 0;
  return fat_buf_append(b, "\xEF\xBB\xBF", 3, err);
}

static int needs_quotes(const char *s, size_t n)
{
  return strpbrk(s, ";\"\r\n") != NULL ||
         (n > 0 && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t'));
}

fat_rc fat_csv_text(fat_csv *w, const char *s, fat_err *err)
{
  const char *p, *q;
  size_t n = s != NULL ? strlen(s) : 0;
  fat_rc rc = FAT_OK;

  if (w->col > 0)
    rc = fat_buf_append(w->b, ";", 1, err);
  w->col++;
  if (rc != FAT_OK || n == 0)
    return rc;
  if (!needs_quotes(s, n))
    return fat_buf_append(w->b, s, n, err);
  rc = fat_buf_append(w->b, "\"", 1, err);
  for (p = s; rc == FAT_OK && *p != '\0'; p = q + 1) {
    q = strchr(p, '"');
    if (q == NULL) {
      rc = fat_buf_puts(w->b, p, err);
      break;
    }
    rc = fat_buf_append(w->b, p, (size_t)(q - p) + 1, err); /* up to and with the quote */
    if (rc == FAT_OK)
      rc = fat_buf_append(w->b, "\"", 1, err);
  }
  if (rc == FAT_OK)
    rc = fat_buf_append(w->b, "\"", 1, err);
  return rc;
}

fat_rc fat_csv_money(fat_csv *w, int64_t centavos, fat_err *err)
{
  char buf[40];

  fat_money_format_cell(centavos, buf, sizeof buf);
  return fat_csv_text(w, buf, err);
}

fat_rc fat_csv_fixed(fat_csv *w, int64_t v, int decimals, fat_err *err)
{
  char buf[40];

  fat_money_format_fixed(v, decimals, ',', buf, sizeof buf);
  return fat_csv_text(w, buf, err);
}

fat_rc fat_csv_int(fat_csv *w, int64_t v, fat_err *err)
{
  char buf[24];

  snprintf(buf, sizeof buf, "%lld", (long long)v);
  return fat_csv_text(w, buf, err);
}

fat_rc fat_csv_row(fat_csv *w, fat_err *err, const char *first, ...)
{
  va_list ap;
  const char *s;
  fat_rc rc = FAT_OK;

  va_start(ap, first);
  for (s = first; rc == FAT_OK && s != NULL; s = va_arg(ap, const char *))
    rc = fat_csv_text(w, s, err);
  va_end(ap);
  if (rc == FAT_OK)
    rc = fat_csv_end_row(w, err);
  return rc;
}

fat_rc fat_csv_end_row(fat_csv *w, fat_err *err)
{
  w->col = 0;
  return fat_buf_append(w->b, "\r\n", 2, err);
}
