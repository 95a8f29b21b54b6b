/* fat_docnum.c: check digits and field formats (see fat_docnum.h). */
#include "fat_docnum.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fat_dia.h"

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_upper(char c) { return c >= 'A' && c <= 'Z'; }

/* Copy the significant characters of s (skipping '.', '-', '/', ' ') into
** out; returns how many were copied, or -1 when more than max or an
** unexpected character is found. */
static int compact(const char *s, char *out, int max, int allow_letters)
{
  int n = 0;

  for (; *s != '\0'; s++) {
    if (*s == '.' || *s == '-' || *s == '/' || *s == ' ')
      continue;
    if (!is_digit(*s) && !(allow_letters && is_upper(*s)))
      return -1;
    if (n >= max)
      return -1;
    out[n++] = *s;
  }
  out[n] = '\0';
  return n;
}

static int all_same(const char *s, int n)
{
  int i;

  for (i = 1; i < n; i++)
    if (s[i] != s[0])
      return 0;
  return 1;
}

/* Mod-11 check digit used by CPF and CNPJ: remainder < 2 gives 0. */
static int mod11_dv(int sum)
{
  int r = sum % 11;

  return r < 2 ? 0 : 11 - r;
}

int fat_doc_cpf_valid(const char *s)
{
  char d[12];
  int i, sum;

  if (s == NULL || compact(s, d, 11, 0) != 11 || all_same(d, 11))
    return 0;
  for (sum = 0, i = 0; i < 9; i++)
    sum += (d[i] - '0') * (10 - i);
  if (mod11_dv(sum) != d[9] - '0')
    return 0;
  for (sum = 0, i = 0; i < 10; i++)
    sum += (d[i] - '0') * (11 - i);
  return mod11_dv(sum) == d[10] - '0';
}

int fat_doc_cnpj_valid(const char *s)
{
  static const int w1[12] = {5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2};
  static const int w2[13] = {6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2};
  char d[15];
  int i, sum;

  if (s == NULL || compact(s, d, 14, 1) != 14 || all_same(d, 14))
    return 0;
  if (!is_digit(d[12]) || !is_digit(d[13]))
    return 0;
  for (sum = 0, i = 0; i < 12; i++)
    sum += (d[i] - '0') * w1[i];
  if (mod11_dv(sum) != d[12] - '0')
    return 0;
  for (sum = 0, i = 0; i < 13; i++)
    sum += (d[i] - '0') * w2[i];
  return mod11_dv(sum) == d[13] - '0';
}

int fat_doc_cns_valid(const char *s)
{
  char d[16], expect[16];
  int i, sum, dv;

  if (s == NULL || compact(s, d, 15, 0) != 15)
    return 0;
  if (d[0] == '1' || d[0] == '2') {
    /* definitive: rebuilt from the PIS in the first 11 digits */
    for (sum = 0, i = 0; i < 11; i++)
      sum += (d[i] - '0') * (15 - i);
    dv = 11 - sum % 11;
    if (dv == 11)
      dv = 0;
    memcpy(expect, d, 11);
    if (dv == 10) {
      sum += 2;
      dv = 11 - sum % 11;
      memcpy(expect + 11, "001", 3);
    } else {
      memcpy(expect + 11, "000", 3);
    }
    expect[14] = (char)('0' + dv);
    expect[15] = '\0';
    return memcmp(expect, d, 15) == 0;
  }
  if (d[0] == '7' || d[0] == '8' || d[0] == '9') {
    for (sum = 0, i = 0; i < 15; i++)
      sum += (d[i] - '0') * (15 - i);
    return sum % 11 == 0;
  }
  return 0;
}

int fat_doc_cbo_valid(const char *s)
{
  int i;

  if (s == NULL || strlen(s) != 6)
    return 0;
  for (i = 0; i < 6; i++)
    if (!is_digit(s[i]))
      return 0;
  return 1;
}

static int in_list(const char *s, const char *const *list)
{
  int i;

  if (s == NULL)
    return 0;
  for (i = 0; list[i] != NULL; i++)
    if (strcmp(s, list[i]) == 0)
      return 1;
  return 0;
}

int fat_doc_conselho_valid(const char *s)
{
  static const char *const list[] = {"CRAS", "COREN", "CRF",  "CRFA", "CREFITO",
                                     "CRM",  "CRN",   "CRO",  "CRP",  "OUT", NULL};

  return in_list(s, list);
}

int fat_doc_uf_valid(const char *s)
{
  static const char *const list[] = {"AC", "AL", "AP", "AM", "BA", "CE", "DF", "ES", "GO",
                                     "MA", "MT", "MS", "MG", "PA", "PB", "PR", "PE", "PI",
                                     "RJ", "RN", "RS", "RO", "RR", "SC", "SP", "SE", "TO",
                                     NULL};

  return in_list(s, list);
}

int fat_doc_numero_conselho_valid(const char *s)
{
  size_t i, n;

  if (s == NULL)
    return 0;
  n = strlen(s);
  if (n < 1 || n > 15)
    return 0;
  for (i = 0; i < n; i++)
    if (!is_digit(s[i]))
      return 0;
  return 1;
}

int fat_doc_tuss_table_known(const char *tabela)
{
  static const char *const list[] = {"00", "18", "19", "20", "22", "90", "98", NULL};

  return in_list(tabela, list);
}

int fat_doc_tuss_code_valid(const char *tabela, const char *codigo)
{
  size_t i, n;

  if (tabela == NULL || codigo == NULL || !fat_doc_tuss_table_known(tabela))
    return 0;
  n = strlen(codigo);
  if (strcmp(tabela, "00") == 0 || strcmp(tabela, "90") == 0 || strcmp(tabela, "98") == 0) {
    if (n < 1 || n > 10)
      return 0;
    for (i = 0; i < n; i++) {
      char c = codigo[i];

      if (!is_digit(c) && !is_upper(c) && !(c >= 'a' && c <= 'z') && c != '.' && c != '-')
        return 0;
    }
    return 1;
  }
  if (n != 8)
    return 0;
  for (i = 0; i < 8; i++)
    if (!is_digit(codigo[i]))
      return 0;
  return 1;
}

int fat_doc_cid_valid(const char *s)
{
  size_t n;

  if (s == NULL)
    return 0;
  n = strlen(s);
  if (n < 3 || !is_upper(s[0]) || !is_digit(s[1]) || !is_digit(s[2]))
    return 0;
  if (n == 3)
    return 1;
  if (s[3] == '.') {
    s++;
    n--;
    if (n == 3)
      return 0;
  }
  return n == 4 && (is_digit(s[3]) || s[3] == 'X');
}

void fat_doc_br(const char *s, char *out, size_t len)
{
  char d[16];
  size_t n = 0;
  const char *p;

  for (p = s; p != NULL && *p != '\0'; p++) {
    if (*p >= '0' && *p <= '9') {
      if (n + 1 >= sizeof d) {
        n = 0;
        break;
      }
      d[n++] = *p;
    } else if (strchr(".-/ ", *p) == NULL) {
      n = 0; /* not a document number: shown as given */
      break;
    }
  }
  d[n] = '\0';
  if (n == 11)
    snprintf(out, len, "%.3s.%.3s.%.3s-%.2s", d, d + 3, d + 6, d + 9);
  else if (n == 14)
    snprintf(out, len, "%.2s.%.3s.%.3s/%.4s-%.2s", d, d + 2, d + 5, d + 8, d + 12);
  else
    snprintf(out, len, "%s", s != NULL ? s : "");
}
