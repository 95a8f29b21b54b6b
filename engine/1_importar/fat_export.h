/* fat_export.h: export of files of guias (JSON and CSV), in the formats
** fat_import.h reads back (docs/formatos.md). */
#ifndef FAT_EXPORT_H
#define FAT_EXPORT_H

#include <stddef.h>

#include "fat_err.h"
#include "fat_import.h"
#include "fat_store.h"

typedef struct fat_export_filter {
  const char *operadora;    /* registro ANS, script key or id (fat_operadora.h); NULL = all */
  const char *competencia;  /* AAAA-MM or NULL */
} fat_export_filter;

/* Export the matching guias (ordered by id) as JSON ({"guias":[...]}) or CSV
** (fat_csv.h: ';', decimal comma, UTF-8 with BOM, CRLF). An unknown operadora
** is refused (FAT_ENOTFOUND listing the registered ones), never an empty
** export. *out is NUL-terminated (free with
** fat_free), *len its length, *n_guias the count (both may be NULL). The output
** is read back identically by the importer. */
FAT_NODISCARD fat_rc fat_export_guias(fat_store *st, const fat_export_filter *f,
                                      fat_formato fmt, char **out, size_t *len,
                                      size_t *n_guias, fat_err *err);

#endif
