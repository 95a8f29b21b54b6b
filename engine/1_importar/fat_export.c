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

/* Bytes gathered before they are handed to the writer: big enough that the
** writer is called rarely, small enough that memory does not grow with the
** export. */
#define EXPORT_CHUNK ((size_t)256 * 1024)

/* The operadora id of filter f (0 = all), after checking its competência. */
static fat_rc filtro_resolver(fat_store *st, const fat_export_filter *f, int64_t *op,
                              fat_err *err)
{
  *op = 0;
  if (f != NULL && f->operadora != NULL) {
    fat_rc rc = fat_operadora_resolver(st, f->operadora, op, err);

    if (rc != FAT_OK)
      return rc;
  }
  if (f != NULL && f->competencia != NULL && !fat_dia_competencia_valida(f->competencia))
    return fat_err_set(err, FAT_EINVAL, "competência inválida '%s' (use AAAA-MM)",
                       f->competencia);
  return FAT_OK;
}

fat_rc fat_export_guias_checar(fat_store *st, const fat_export_filter *f, fat_err *err)
{
  int64_t op;

  return filtro_resolver(st, f, &op, err);
}

/* Hand what b holds to the writer once it holds a chunk (or always, with
** all), and empty it. */
static fat_rc export_flush(fat_buf *b, int all, fat_escrita escreve, void *u, fat_err *err)
{
  fat_rc rc;

  if (b->len == 0 || (!all && b->len < EXPORT_CHUNK))
    return FAT_OK;
  rc = escreve(u, b->data, b->len, err);
  fat_buf_reset(b);
  return rc;
}

/* One guia of the JSON export as cJSON_Print writes it inside
** {"guias": [...]}: printed alone, every line break gains the two tabs of
** that nesting (string values never hold a raw line break: cJSON escapes
** them), so the file is byte for byte the one the whole tree would print. */
static fat_rc export_json_guia(fat_buf *b, const cJSON *j, int primeira, fat_err *err)
{
  char *txt = cJSON_Print(j), *p, *nl;
  fat_rc rc = FAT_OK;

  if (txt == NULL)
    return fat_err_oom(err);
  if (!primeira)
    rc = fat_buf_append(b, ", ", 2, err);
  for (p = txt; rc == FAT_OK && p != NULL; p = nl) {
    nl = strchr(p, '\n');
    if (nl == NULL) {
      rc = fat_buf_puts(b, p, err);
    } else {
      nl++;
      rc = fat_buf_append(b, p, (size_t)(nl - p), err);
      if (rc == FAT_OK)
        rc = fat_buf_append(b, "\t\t", 2, err);
    }
  }
  cJSON_free(txt);
  return rc;
}

fat_rc fat_export_guias_escrever(fat_store *st, const fat_export_filter *f, fat_formato fmt,
                                 fat_escrita escreve, void *u, size_t *n_guias, fat_err *err)
{
  static const char sql[] =
      "SELECT id FROM guia WHERE (?1 = 0 OR operadora_id = ?1) AND (?2 IS NULL OR "
      "competencia = ?2) ORDER BY id";
  static const char json_abre[] = "{\n\t\"guias\":\t[", json_fecha[] = "]\n}\n";
  fat_guia_loader *ld = NULL;
  fat_stmt *s = NULL;
  int64_t op = 0;
  size_t n = 0;
  fat_buf b;
  fat_csv w;
  int r, tx = 0;
  fat_rc rc;

  if (n_guias != NULL)
    *n_guias = 0;
  fat_buf_init(&b, EXPORT_CHUNK * 64);
  rc = filtro_resolver(st, f, &op, err);
  if (rc != FAT_OK)
    goto out;
  /* one snapshot: the guias listed are the guias loaded */
  rc = fat_store_begin_read(st, err);
  if (rc != FAT_OK)
    goto out;
  tx = 1;
  rc = fat_guia_loader_new(st, &ld, err);
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    goto out;
  if (fmt == FAT_FMT_CSV) {
    const fat_import_col *c;

    rc = fat_csv_begin(&w, &b, err);
    for (c = fat_import_cols; rc == FAT_OK && c->path != NULL; c++)
      rc = fat_csv_text(&w, c->path, err);
    if (rc == FAT_OK)
      rc = fat_csv_end_row(&w, err);
  } else {
    rc = fat_buf_append(&b, json_abre, sizeof json_abre - 1, err);
  }
  if (rc != FAT_OK)
    goto out;
  fat_bind_int(s, 1, op);
  fat_bind_text(s, 2, f != NULL ? f->competencia : NULL);
  /* one statement steps through the ids while each guia is loaded and
  ** written: nothing kept grows with the number of guias */
  for (r = fat_stmt_step(s); r == FAT_ROW; r = fat_stmt_step(s)) {
    fat_guia *g = NULL;
    cJSON *j;

    rc = fat_guia_loader_load(ld, fat_col_int64(s, 0), &g, err);
    if (rc != FAT_OK)
      goto out;
    j = fat_guia_to_json(g);
    fat_guia_free(g);
    if (j == NULL) {
      rc = fat_err_oom(err);
      goto out;
    }
    if (fmt == FAT_FMT_CSV)
      rc = export_csv_guia(&w, j, err);
    else
      rc = export_json_guia(&b, j, n == 0, err);
    cJSON_Delete(j);
    if (rc == FAT_OK)
      rc = export_flush(&b, 0, escreve, u, err);
    if (rc != FAT_OK)
      goto out;
    n++;
  }
  if (r != FAT_DONE) {
    rc = fat_store_dberr(st, err, "erro ao listar guias");
    goto out;
  }
  if (fmt != FAT_FMT_CSV)
    rc = fat_buf_append(&b, json_fecha, sizeof json_fecha - 1, err);
  if (rc == FAT_OK)
    rc = export_flush(&b, 1, escreve, u, err);
  if (rc == FAT_OK && n_guias != NULL)
    *n_guias = n;
out:
  if (s != NULL)
    fat_stmt_reset(s);
  fat_guia_loader_free(ld);
  if (tx)
    fat_store_rollback(st);
  fat_buf_fini(&b);
  return rc;
}

/* }==================================================================== */
