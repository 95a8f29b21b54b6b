/* fat_fin_util.c: small helpers of the 6_financeiro modules (fat_fin_int.h). */
#include <stdio.h>
#include <string.h>

#include "fat_dia.h"
#include "fat_fin_int.h"

#include "fat_docnum.h"
#include "fat_operadora.h"
#include "fat_model.h"

cJSON *fin_add_col(cJSON *o, const char *k, fat_stmt *s, int i)
{
  const char *t = fat_col_text(s, i);

  return t != NULL ? cJSON_AddStringToObject(o, k, (const char *)t) : cJSON_AddNullToObject(o, k);
}

int fin_hoje(const char *hoje, char out[11])
{
  if (hoje == NULL) {
    fat_dia_hoje(out, 11);
    return 0;
  }
  if (!fat_dia_valida(hoje))
    return -1;
  memcpy(out, hoje, 10);
  out[10] = '\0';
  return 0;
}

fat_rc fin_operadora(fat_store *st, const char *ref, int64_t *id, char *key, size_t key_len,
                     fat_err *err)
{
  static const char sql[] = "SELECT script FROM operadora WHERE id = ?1";
  fat_stmt *s;
  fat_rc rc = fat_operadora_resolver(st, ref, id, err);

  if (rc != FAT_OK || key == NULL)
    return rc;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, *id);
  if (fat_stmt_step(s) == FAT_ROW)
    fat_col_copy(s, 0, key, key_len);
  else if (key_len > 0)
    key[0] = '\0';
  fat_stmt_reset(s);
  return FAT_OK;
}

fat_rc fin_listar(fat_store *st, const char *sql, const char *operadora, const char *const *txt,
                  int n, const char *what, cJSON **out, fat_err *err)
{
  fat_stmt *s;
  int64_t op = 0;
  int i;
  char msg[96];
  fat_rc rc;

  *out = NULL;
  if (operadora != NULL) {
    rc = fin_operadora(st, operadora, &op, NULL, 0, err);
    if (rc != FAT_OK)
      return rc;
  }
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int_or_null(s, 1, op, operadora == NULL);
  for (i = 0; i < n; i++)
    fat_bind_text(s, i + 2, txt[i]);
  snprintf(msg, sizeof msg, "erro ao listar %s", what);
  return fat_store_rows_json(st, s, 0, msg, out, err);
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

void fin_doc_br(const char *doc, char *out, size_t len)
{
  fat_doc_br(doc, out, len);
}
