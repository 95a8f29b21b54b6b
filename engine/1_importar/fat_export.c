/* fat_export.c: files of guias out (JSON, CSV), the format fat_import.c reads. */
#include "fat_export.h"
#include "fat_import_int.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fat_csv.h"
#include "fat_dia.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_operadora.h"
#include "fat_store_int.h"

static const cJSON *json_get_path(const cJSON *obj, const char *path)
{
  const char *dot;
  char seg[64];
  size_t n;

  for (dot = strchr(path, '.'); obj != NULL && dot != NULL; dot = strchr(path, '.')) {
    n = (size_t)(dot - path);
    if (n >= sizeof seg)
      return NULL;
    memcpy(seg, path, n);
    seg[n] = '\0';
    obj = cJSON_GetObjectItemCaseSensitive(obj, seg);
    path = dot + 1;
  }
  return obj != NULL ? cJSON_GetObjectItemCaseSensitive(obj, path) : NULL;
}

/* {====================================================================
** Export
** ===================================================================== */

/* Text of a JSON value for one CSV cell into buf. */
static void cell_text(const cJSON *v, int decimal, char *buf, size_t len, const char **out)
{
  *out = "";
  if (v == NULL || cJSON_IsNull(v))
    return;
  if (cJSON_IsBool(v)) {
    *out = cJSON_IsTrue(v) ? "1" : "0";
  } else if (cJSON_IsNumber(v)) {
    snprintf(buf, len, "%d", v->valueint);
    *out = buf;
  } else if (cJSON_IsString(v)) {
    if (decimal && strlen(v->valuestring) < len) {
      char *c;

      snprintf(buf, len, "%s", v->valuestring);
      c = strchr(buf, '.');
      if (c != NULL)
        *c = ',';
      *out = buf;
    } else {
      *out = v->valuestring;
    }
  }
}

static fat_rc export_csv_guia(fat_csv *w, const cJSON *j, fat_err *err)
{
  const cJSON *itens = cJSON_GetObjectItemCaseSensitive(j, "itens"), *it;
  char buf[64];
  fat_rc rc = FAT_OK;

  cJSON_ArrayForEach(it, itens)
  {
    const fat_import_col *c;

    for (c = fat_import_cols; rc == FAT_OK && c->path != NULL; c++) {
      const cJSON *v = strncmp(c->path, "item.", 5) == 0 ? json_get_path(it, c->path + 5)
                                            : json_get_path(j, c->path);
      const char *t;

      cell_text(v, c->decimal, buf, sizeof buf, &t);
      rc = fat_csv_text(w, t, err);
    }
    if (rc == FAT_OK)
      rc = fat_csv_end_row(w, err);
    if (rc != FAT_OK)
      break;
  }
  return rc;
}

fat_rc fat_export_guias(fat_store *st, const fat_export_filter *f, fat_formato fmt, char **out,
                        size_t *len, size_t *n_guias, fat_err *err)
{
  static const char sql[] =
      "SELECT id FROM guia WHERE (?1 = 0 OR operadora_id = ?1) AND (?2 IS NULL OR "
      "competencia = ?2) ORDER BY id";
  fat_stmt *s;
  int64_t *ids = NULL, op = 0;
  size_t n = 0, cap = 0, i;
  cJSON *root = NULL, *arr = NULL;
  fat_buf b;
  fat_csv w;
  int r;
  fat_rc rc;

  *out = NULL;
  if (len != NULL)
    *len = 0;
  if (n_guias != NULL)
    *n_guias = 0;
  fat_buf_init(&b, (size_t)1 << 31);
  if (f != NULL && f->operadora != NULL) {
    rc = fat_operadora_resolver(st, f->operadora, &op, err);
    if (rc != FAT_OK)
      return rc;
  }
  if (f != NULL && f->competencia != NULL && !fat_dia_competencia_valida(f->competencia))
    return fat_err_set(err, FAT_EINVAL, "competência inválida '%s' (use AAAA-MM)",
                       f->competencia);
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, op);
  fat_bind_text(s, 2, f != NULL ? f->competencia : NULL);
  for (r = fat_stmt_step(s); r == FAT_ROW; r = fat_stmt_step(s)) {
    if (n == cap) {
      size_t ncap = cap == 0 ? 256 : cap * 2;
      int64_t *ni = fat_realloc(ids, ncap * sizeof *ni);

      if (ni == NULL) {
        fat_stmt_reset(s);
        rc = fat_err_oom(err);
        goto out;
      }
      ids = ni;
      cap = ncap;
    }
    ids[n++] = fat_col_int64(s, 0);
  }
  fat_stmt_reset(s);
  if (r != FAT_DONE) {
    rc = fat_store_dberr(st, err, "erro ao listar guias");
    goto out;
  }
  if (fmt == FAT_FMT_CSV) {
    const fat_import_col *c;

    rc = fat_csv_begin(&w, &b, err);
    for (c = fat_import_cols; rc == FAT_OK && c->path != NULL; c++)
      rc = fat_csv_text(&w, c->path, err);
    if (rc == FAT_OK)
      rc = fat_csv_end_row(&w, err);
  } else {
    root = cJSON_CreateObject();
    arr = root != NULL ? cJSON_AddArrayToObject(root, "guias") : NULL;
    if (arr == NULL)
      rc = fat_err_oom(err);
  }
  for (i = 0; rc == FAT_OK && i < n; i++) {
    fat_guia *g = NULL;
    cJSON *j;

    rc = fat_guia_load(st, ids[i], &g, err);
    if (rc != FAT_OK)
      break;
    j = fat_guia_to_json(g);
    fat_guia_free(g);
    if (j == NULL) {
      rc = fat_err_oom(err);
      break;
    }
    if (fmt == FAT_FMT_CSV) {
      rc = export_csv_guia(&w, j, err);
      cJSON_Delete(j);
    } else {
      cJSON_AddItemToArray(arr, j);
    }
  }
  if (rc != FAT_OK)
    goto out;
  if (fmt == FAT_FMT_CSV) {
    if (b.data == NULL)
      rc = fat_buf_append(&b, "", 0, err);
    if (rc != FAT_OK)
      goto out;
    if (len != NULL)
      *len = b.len;
    *out = fat_buf_take(&b);
  } else {
    char *txt = cJSON_Print(root);

    if (txt == NULL) {
      rc = fat_err_oom(err);
      goto out;
    }
    rc = fat_buf_puts(&b, txt, err);
    if (rc == FAT_OK)
      rc = fat_buf_append(&b, "\n", 1, err);
    cJSON_free(txt);
    if (rc != FAT_OK)
      goto out;
    if (len != NULL)
      *len = b.len;
    *out = fat_buf_take(&b);
  }
  if (*out == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  if (n_guias != NULL)
    *n_guias = n;
out:
  fat_buf_fini(&b);
  cJSON_Delete(root);
  fat_free(ids);
  return rc;
}

/* }==================================================================== */
