/* fat_lote_xml.c: a lote's TISS XML in table lote_xml (see the header). */
#include "fat_lote_xml.h"

#include <string.h>

#include "fat_mem.h"
#include "fat_store_int.h"

fat_rc fat_lote_xml_gravar(fat_store *st, int64_t lote_id, const void *xml, size_t len,
                           fat_err *err)
{
  static const char del[] = "DELETE FROM lote_xml WHERE lote_id = ?1";
  /* Update, then insert: an upsert would fire the INSERT trigger of a sent
  ** lote even when it replaces a recorded rewrite. */
  static const char upd[] = "UPDATE lote_xml SET xml = ?2 WHERE lote_id = ?1";
  static const char ins[] = "INSERT INTO lote_xml (lote_id, xml) VALUES (?1, ?2)";
  fat_stmt *s;
  fat_rc rc;

  if (xml == NULL || len == 0) {
    rc = fat_store_prepare(st, del, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, lote_id);
    return fat_store_step_done(st, s, "erro ao apagar o XML do lote", err);
  }
  rc = fat_store_prepare(st, upd, &s, err);
  if (rc != FAT_OK)
    return rc;
  /* the XML (megabytes) is bound without a copy: the caller's buffer lives
  ** through the step, and the binding is cleared before returning */
  fat_bind_int(s, 1, lote_id);
  fat_bind_blob_static(s, 2, xml, len); /* a failed bind fails the step */
  rc = fat_store_step_done(st, s, "erro ao gravar o XML do lote", err);
  fat_bind_blob(s, 2, NULL, 0);
  if (rc != FAT_OK || fat_store_changes(st) > 0)
    return rc;
  rc = fat_store_prepare(st, ins, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, lote_id);
  fat_bind_blob_static(s, 2, xml, len);
  rc = fat_store_step_done(st, s, "erro ao gravar o XML do lote", err);
  fat_bind_blob(s, 2, NULL, 0);
  return rc;
}

fat_rc fat_lote_xml_ler(fat_store *st, int64_t lote_id, char **xml, size_t *len, fat_err *err)
{
  static const char sql[] = "SELECT xml FROM lote_xml WHERE lote_id = ?1";
  fat_stmt *s;
  const void *b;
  int n, step;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  *xml = NULL;
  *len = 0;
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, lote_id);
  step = fat_stmt_step(s);
  if (step == FAT_DONE) {
    fat_stmt_reset(s);
    return FAT_OK;
  }
  if (step != FAT_ROW) {
    rc = fat_store_dberr(st, err, "erro ao ler o XML do lote");
    fat_stmt_reset(s);
    return rc;
  }
  b = fat_col_blob(s, 0);
  n = fat_col_bytes(s, 0);
  if (b != NULL && n > 0) {
    *xml = fat_malloc((size_t)n + 1);
    if (*xml == NULL) {
      fat_stmt_reset(s);
      return fat_err_oom(err);
    }
    memcpy(*xml, b, (size_t)n);
    (*xml)[n] = '\0';
    *len = (size_t)n;
  }
  fat_stmt_reset(s);
  return FAT_OK;
}
