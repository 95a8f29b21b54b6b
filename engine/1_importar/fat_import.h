/* fat_import.h: import of files of guias (JSON and CSV); export in fat_export.h.
**
** Formats are documented for users in docs/formatos.md. In short:
**  - JSON: {"guias": [<guia>, ...]} or a top-level array of guias, each in the
**    fat_guia_to_json form (fat_model.h).
**  - CSV: one line per item; the guia columns are repeated on every line of
**    the same guia (lines are grouped by operadora + prestador +
**    numero_prestador); column names are the JSON paths ("data_inicio",
**    "operadora.registro_ans", "item.quantidade", ...). Separator ';' or ','
**    detected from the header; decimal comma accepted; UTF-8, or Latin-1 /
**    Windows-1252 detected and converted (fat_text.h: a UTF-8 file with a bad
**    byte is refused, naming its line); RFC 4180 quoting.
**
** Import is all or nothing: one transaction per file; the first bad row (CSV
** line number, JSON index) and field are named in err->msg and nothing of that
** file is stored. A guia already stored (same operadora + prestador +
** numero_prestador) is replaced (revisao + 1, status back to 'digitada') unless
** it is already in a lote (status em_lote or later), which refuses the file.
*/
#ifndef FAT_IMPORT_H
#define FAT_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "fat_err.h"
#include "fat_store.h"

/* Hard limit on the size of an input file (FAT_ELIMIT beyond it). */
#define FAT_IMPORT_MAX_BYTES ((size_t)200 * 1024 * 1024)

typedef enum fat_formato { FAT_FMT_AUTO = 0, FAT_FMT_JSON, FAT_FMT_CSV } fat_formato;

/* "json" / "csv" -> format; -1 when unknown. */
int fat_formato_parse(const char *s);
/* Format implied by the file name's extension (.json / .csv, any case);
** FAT_FMT_AUTO when there is none. */
fat_formato fat_formato_from_path(const char *path);

typedef struct fat_import_result {
  long novas;       /* guias inserted */
  long atualizadas; /* guias replaced (revisao bumped) */
  long itens;       /* items written */
  int latin1;       /* 1 when the input was converted from Latin-1 */
} fat_import_result;

/* Import the file at path (format by fmt, or by extension, or by content when
** FAT_FMT_AUTO). origem recorded on each guia is the path. */
FAT_NODISCARD fat_rc fat_import_guias_file(fat_store *st, const char *path, fat_formato fmt,
                                           fat_import_result *res, fat_err *err);

/* Same from memory (len bytes, need not be NUL-terminated). origem may be
** NULL. With FAT_FMT_AUTO the content decides ('{' or '[' = JSON). */
FAT_NODISCARD fat_rc fat_import_guias_buffer(fat_store *st, const char *data, size_t len,
                                             fat_formato fmt, const char *origem,
                                             fat_import_result *res, fat_err *err);

#endif
