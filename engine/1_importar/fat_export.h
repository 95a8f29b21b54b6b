/* fat_export.h: export of files of guias (JSON and CSV), in the formats
** fat_import.h reads back (docs/formatos.md). */
#ifndef FAT_EXPORT_H
#define FAT_EXPORT_H

#include <stddef.h>

#include "fat_err.h"
#include "fat_import.h"
#include "fat_mem.h"
#include "fat_store.h"

typedef struct fat_export_filter {
  const char *operadora;    /* registro ANS, script key or id (fat_operadora.h); NULL = all */
  const char *competencia;  /* AAAA-MM or NULL */
} fat_export_filter;

/* Check filter f as the export would (NULL = every guia): an unknown
** operadora is FAT_ENOTFOUND listing the registered ones, a bad competência
** FAT_EINVAL. Lets a caller record the access (fat_acesso_log.h) before the
** first byte leaves, and only for an export that will run. */
FAT_NODISCARD fat_rc fat_export_guias_checar(fat_store *st, const fat_export_filter *f,
                                             fat_err *err);

/* Export the guias matching f (ordered by id) as JSON ({"guias":[...]}, as
** cJSON prints it formatted, plus a final line break) or CSV (fat_csv.h: ';',
** decimal comma, UTF-8 with BOM, CRLF; one row per item), handing the text to
** escreve(u, ...) in pieces of about 256 KB as it goes: the guias are read
** by one statement in one read transaction (a consistent snapshot) and
** memory does not grow with their number. The filter is refused as
** fat_export_guias_checar does before anything is written; an error from
** escreve stops the export and is returned as it set it (what was written
** before stays written: a file's caller writes through fat_file_out).
** *n_guias (may be NULL) is the count. The output is read back identically
** by the importer. */
FAT_NODISCARD fat_rc fat_export_guias_escrever(fat_store *st, const fat_export_filter *f,
                                               fat_formato fmt, fat_escrita escreve, void *u,
                                               size_t *n_guias, fat_err *err);

#endif
