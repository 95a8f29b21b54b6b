/* fat_lote_xml.c: a lote's TISS XML in table lote_xml (see the header). */
#include "fat_lote_xml.h"

#include <inttypes.h>
#include <string.h>
#include <zstd.h>

#include "fat_mem.h"
#include "fat_store_int.h"

/* Level 1: the TISS XML (indented, the same tags over and over) shrinks ~45
** times at ~900 MB/s; higher levels gain a few percent for much more CPU. */
#define XML_NIVEL 1
/* A stored XML is at most what the TISS writer makes (FAT_TISS_MAX_BYTES,
** 64 MiB); a frame announcing more is corrupt, not a reason to allocate. */
#define XML_MAX ((unsigned long long)64 * 1024 * 1024)

/* A zstd frame starts with these bytes (magic 0xFD2FB528, little endian);
** an XML document never does (it starts with '<', a BOM or blanks). */
static const unsigned char zstd_magic[4] = {0x28, 0xB5, 0x2F, 0xFD};

struct fat_lote_xml_z {
  ZSTD_CCtx *cx;  /* level and checksum set once */
  void *buf;      /* the last frame; reused while it is big enough */
  size_t cap;
};

fat_rc fat_lote_xml_z_new(fat_lote_xml_z **out, fat_err *err)
{
  fat_lote_xml_z *z = fat_calloc(1, sizeof *z);
  size_t n;

  *out = NULL;
  if (z == NULL)
    return fat_err_oom(err);
  z->cx = ZSTD_createCCtx();
  if (z->cx == NULL) {
    fat_free(z);
    return fat_err_oom(err);
  }
  /* with the frame's checksum a damaged blob fails to read instead of
  ** yielding other bytes */
  n = ZSTD_CCtx_setParameter(z->cx, ZSTD_c_compressionLevel, XML_NIVEL);
  if (!ZSTD_isError(n))
    n = ZSTD_CCtx_setParameter(z->cx, ZSTD_c_checksumFlag, 1);
  if (ZSTD_isError(n)) {
    fat_lote_xml_z_free(z);
    return fat_err_set(err, FAT_EDB, "erro ao comprimir o XML do lote (%s)",
                       ZSTD_getErrorName(n));
  }
  *out = z;
  return FAT_OK;
}

void fat_lote_xml_z_free(fat_lote_xml_z *z)
{
  if (z == NULL)
    return;
  ZSTD_freeCCtx(z->cx);
  fat_free(z->buf);
  fat_free(z);
}

/* Compress xml[0..len) with z into z->buf; *out_len bytes. */
static fat_rc comprimir(fat_lote_xml_z *z, const void *xml, size_t len, size_t *out_len,
                        fat_err *err)
{
  size_t cap = ZSTD_compressBound(len), n;

  *out_len = 0;
  if (cap > z->cap) {
    fat_free(z->buf);
    z->buf = fat_malloc(cap);
    z->cap = z->buf != NULL ? cap : 0;
    if (z->buf == NULL)
      return fat_err_oom(err);
  }
  /* compress2 starts a new frame with the parameters set in _z_new */
  n = ZSTD_compress2(z->cx, z->buf, cap, xml, len);
  if (ZSTD_isError(n))
    return fat_err_set(err, FAT_EDB, "erro ao comprimir o XML do lote (%s)",
                       ZSTD_getErrorName(n));
  *out_len = n;
  return FAT_OK;
}

/* The XML of a stored blob b[0..n): a zstd frame is decompressed, anything
** else (lotes stored before the XML was compressed) is copied; *xml is
** NUL-terminated (fat_free). */
static fat_rc descomprimir(int64_t lote_id, const void *b, size_t n, char **xml, size_t *len,
                           fat_err *err)
{
  unsigned long long size = n;
  size_t got = n;
  int z = n >= sizeof zstd_magic && memcmp(b, zstd_magic, sizeof zstd_magic) == 0;
  char *out = NULL;
  fat_rc rc = FAT_OK;

  *xml = NULL;
  *len = 0;
  if (z)
    size = ZSTD_getFrameContentSize(b, n);
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > XML_MAX)
    goto corrupt;
  out = fat_malloc((size_t)size + 1);
  if (out == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  if (z)
    got = ZSTD_decompress(out, (size_t)size, b, n);
  else
    memcpy(out, b, n);
  if (ZSTD_isError(got) || got != (size_t)size)
    goto corrupt;
  out[got] = '\0';
  *xml = out;
  *len = got;
  out = NULL;
  goto out;
corrupt:
  rc = fat_err_set(err, FAT_EXML, "o XML do lote %" PRId64 " está corrompido no banco", lote_id);
out:
  fat_free(out);
  return rc;
}

fat_rc fat_lote_xml_gravar_z(fat_store *st, fat_lote_xml_z *z, int64_t lote_id, const void *xml,
                             size_t len, fat_err *err)
{
  static const char del[] = "DELETE FROM lote_xml WHERE lote_id = ?1";
  /* Update, then insert: an upsert would fire the INSERT trigger of a sent
  ** lote even when it replaces a recorded rewrite. */
  static const char upd[] = "UPDATE lote_xml SET xml = ?2 WHERE lote_id = ?1";
  static const char ins[] = "INSERT INTO lote_xml (lote_id, xml) VALUES (?1, ?2)";
  fat_lote_xml_z *own = NULL;
  fat_stmt *s;
  size_t zlen = 0;
  fat_rc rc;

  if (xml == NULL || len == 0) {
    rc = fat_store_prepare(st, del, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, lote_id);
    return fat_store_step_done(st, s, "erro ao apagar o XML do lote", err);
  }
  if (z == NULL) {
    rc = fat_lote_xml_z_new(&own, err);
    if (rc != FAT_OK)
      return rc;
    z = own;
  }
  rc = comprimir(z, xml, len, &zlen, err);
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, upd, &s, err);
  if (rc != FAT_OK)
    goto out;
  /* the compressed XML is bound without a copy: z->buf lives through the
  ** step, and the binding is cleared before it is reused or freed */
  fat_bind_int(s, 1, lote_id);
  fat_bind_blob_static(s, 2, z->buf, zlen); /* a failed bind fails the step */
  rc = fat_store_step_done(st, s, "erro ao gravar o XML do lote", err);
  fat_bind_blob(s, 2, NULL, 0);
  if (rc != FAT_OK || fat_store_changes(st) > 0)
    goto out;
  rc = fat_store_prepare(st, ins, &s, err);
  if (rc != FAT_OK)
    goto out;
  fat_bind_int(s, 1, lote_id);
  fat_bind_blob_static(s, 2, z->buf, zlen);
  rc = fat_store_step_done(st, s, "erro ao gravar o XML do lote", err);
  fat_bind_blob(s, 2, NULL, 0);
out:
  fat_lote_xml_z_free(own);
  return rc;
}

fat_rc fat_lote_xml_gravar(fat_store *st, int64_t lote_id, const void *xml, size_t len,
                           fat_err *err)
{
  return fat_lote_xml_gravar_z(st, NULL, lote_id, xml, len, err);
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
  if (b != NULL && n > 0)
    rc = descomprimir(lote_id, b, (size_t)n, xml, len, err);
  fat_stmt_reset(s);
  return rc;
}
