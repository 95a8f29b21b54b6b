/* fat_fin_util.c: small helpers of the 6_financeiro modules (fat_fin_int.h). */
#include <stdio.h>
#include <string.h>

#include "fat_dia.h"
#include "fat_fin_int.h"
#include "fat_lote.h"
#include "fat_model.h"

void fin_col(sqlite3_stmt *s, int i, char *buf, size_t len)
{
  const unsigned char *t = sqlite3_column_text(s, i);
  size_t n = t != NULL ? strlen((const char *)t) : 0;

  if (len == 0)
    return;
  if (n >= len)
    n = len - 1;
  if (n > 0)
    memcpy(buf, t, n);
  buf[n] = '\0';
}

cJSON *fin_add_col(cJSON *o, const char *k, sqlite3_stmt *s, int i)
{
  const unsigned char *t = sqlite3_column_text(s, i);

  return t != NULL ? cJSON_AddStringToObject(o, k, (const char *)t) : cJSON_AddNullToObject(o, k);
}

int fin_hoje(const char *hoje, char out[11])
{
  if (hoje == NULL) {
    fat_dia_hoje(out, 11);
    return 0;
  }
  if (!fat_date_valid(hoje))
    return -1;
  memcpy(out, hoje, 10);
  out[10] = '\0';
  return 0;
}

fat_rc fin_operadora(fat_store *st, const char *ref, int64_t *id, char *key, size_t key_len,
                     fat_err *err)
{
  return fat_lote_operadora(st, ref, id, key, key_len, err);
}

fat_rc fin_fim(fat_store *st, fat_rc rc, fat_err *err)
{
  if (rc == FAT_OK)
    return fat_store_commit(st, err);
  fat_store_rollback(st);
  return rc;
}

int fin_dias(const char *a, const char *b)
{
  int32_t x, y;

  if (a == NULL || b == NULL || fat_dia_parse(a, &x) != 0 || fat_dia_parse(b, &y) != 0)
    return 0;
  return (int)(y - x);
}
