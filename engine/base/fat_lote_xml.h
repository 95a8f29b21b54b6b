/* fat_lote_xml.h: where a lote's TISS XML is kept (migration 081).
**
** The XML of a closed lote (hundreds of KB) lives in its own table,
** lote_xml (lote_id, xml), not in the lote row: lists, the month map and
** every query that reads lote columns no longer walk its overflow pages.
** Every writer and reader of a lote's XML goes through these two functions
** (lote fechar and reabrir, the titular's anonymization, lote xml/download,
** verificar). The table keeps a sent lote's XML immutable (triggers of
** migration 081): only a rewrite recorded in lgpd_lote_reescrito from the
** lote's current hash may replace it, and it cannot be removed or added.
**
** The XML is stored compressed (one zstd frame, level 1, with its checksum:
** ~45 times smaller for TISS lotes), so closing lotes writes ~1/45 of the
** bytes to the WAL and the database. The bytes read back are exactly the
** bytes given (the hash, the files and the download are unchanged). A blob
** that is not a zstd frame (a lote stored before) is read as it is. SQL
** sees a binary blob: read the XML through fat_lote_xml_ler (or `faturo lote
** xml`), never with a query.
**
** In base because acesso/ (anonymization) and 4_lote/ both need it.
*/
#ifndef FAT_LOTE_XML_H
#define FAT_LOTE_XML_H

#include <stddef.h>
#include <stdint.h>

#include "fat_err.h"
#include "fat_store.h"

/* Store xml[0..len) as the XML of lote lote_id, replacing the one it has;
** xml == NULL (or len == 0) removes it (a reopened lote). Runs inside the
** caller's transaction (the lote's write and its XML are one action). The
** bytes are kept compressed (above). FAT_EDB with the trigger's message when
** the lote was sent and the change is not a recorded rewrite. */
FAT_NODISCARD fat_rc fat_lote_xml_gravar(fat_store *st, int64_t lote_id, const void *xml,
                                         size_t len, fat_err *err);

/* A compressor kept from one lote to the next (zstd's context and the
** frame buffer: ~1 MB that fat_lote_xml_gravar sets up and zeroes for each
** call), for a caller that stores many lotes (lote fechar). Not shared
** between threads. */
typedef struct fat_lote_xml_z fat_lote_xml_z;
FAT_NODISCARD fat_rc fat_lote_xml_z_new(fat_lote_xml_z **out, fat_err *err);
void fat_lote_xml_z_free(fat_lote_xml_z *z); /* NULL ok */

/* fat_lote_xml_gravar compressing with z (NULL: a context of its own); the
** stored bytes are the same. */
FAT_NODISCARD fat_rc fat_lote_xml_gravar_z(fat_store *st, fat_lote_xml_z *z, int64_t lote_id,
                                           const void *xml, size_t len, fat_err *err);

/* The XML of lote lote_id: a new NUL-terminated copy in *xml (fat_free; the
** NUL is not counted in *len). *xml = NULL and *len = 0, FAT_OK, when the
** lote has no XML (open, or no such lote: the caller knows which it asked).
** FAT_EXML ("o XML do lote N está corrompido no banco") when the stored
** frame does not decompress to the size it announces or fails its checksum
** (verificar reports it as a violation of that lote); FAT_EDB when SQLite fails. */
FAT_NODISCARD fat_rc fat_lote_xml_ler(fat_store *st, int64_t lote_id, char **xml, size_t *len,
                                      fat_err *err);

#endif
