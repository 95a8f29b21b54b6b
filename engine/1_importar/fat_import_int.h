/* fat_import_int.h: what the import's two readers share (not installed).
**
** fat_import.c reads a file whole (CSV, and JSON that is not plain UTF-8);
** fat_import_json.c streams a UTF-8 JSON file guia by guia into the
** transaction. Both store through fat_import_store_one. */
#ifndef FAT_IMPORT_INT_H
#define FAT_IMPORT_INT_H

#include "fat_import.h"
#include "fat_model.h"

/* Store one parsed guia inside the caller's transaction: a guia already
** stored with the same operadora + prestador + numero_prestador is replaced
** unless it is in a lote (FAT_ESTATE). label ("guias[3]", "linha 7") prefixes
** errors; origem (may be NULL) is recorded on the guia. Counts go to res. g
** stays owned by the caller. */
FAT_NODISCARD fat_rc fat_import_store_one(fat_store *st, fat_guia *g, const char *label,
                                          const char *origem, fat_import_result *res,
                                          fat_err *err);

/* Import the JSON file at path streaming: each guia is parsed, checked for a
** repeated key (only the keys are kept) and stored as it is read, all in one
** transaction, so memory does not grow with the file. Only a file of plain
** UTF-8 (no NUL byte; a BOM is allowed) within FAT_IMPORT_MAX_BYTES is
** streamed: for any other file *handled is 0, nothing was done and the
** caller reads it whole (fat_import_guias_buffer decides its encoding and
** its errors). Errors and results are those of fat_import_guias_buffer. */
FAT_NODISCARD fat_rc fat_import_json_stream(fat_store *st, const char *path,
                                            fat_import_result *res, int *handled,
                                            fat_err *err);

/* Import the JSON text[0..len) (already UTF-8) with the same reader, guia
** by guia, in one transaction; origem (may be NULL) as in
** fat_import_guias_buffer. Counts are added to res. */
FAT_NODISCARD fat_rc fat_import_json_text(fat_store *st, const char *text, size_t len,
                                          const char *origem, fat_import_result *res,
                                          fat_err *err);

#endif
