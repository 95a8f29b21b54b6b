/* fat_import_int.h: what the import's two readers share (not installed).
**
** fat_import.c reads CSV (a file of plain UTF-8 as it is read, anything
** else whole) and files that are not plain UTF-8; fat_import_json.c streams
** a UTF-8 JSON file guia by guia into the transaction. Both store through
** fat_import_store_one. fat_export.c writes the CSV columns listed here. */
#ifndef FAT_IMPORT_INT_H
#define FAT_IMPORT_INT_H

#include <stdio.h>

#include "fat_import.h"
#include "fat_model.h"

/* One CSV column: its JSON path ("item." columns belong to the line's item)
** and whether it is money/quantity (written with a decimal comma). */
typedef struct fat_import_col {
  const char *path;
  int decimal;
} fat_import_col;

/* Every CSV column, in the order the export writes them; ends with a NULL
** path. The importer accepts them in any order and case. */
extern const fat_import_col fat_import_cols[];

/* The operadoras and prestadores one import run has resolved (registro ANS,
** CNPJ/CPF -> id): each is looked up once per file, not twice per guia; and
** the run's fat_guia_saver (the beneficiários, carteiras and profissionais
** it has written). Zero-initialize; valid inside one transaction; free with
** fat_import_ids_fini. */
#define FAT_IMPORT_IDS_MAX 16
typedef struct fat_import_ids {
  struct {
    char *key; /* registro ANS, or "cnpj\x1fcpf" */
    int64_t id;
  } op[FAT_IMPORT_IDS_MAX], pr[FAT_IMPORT_IDS_MAX];
  int n_op, n_pr;
  fat_guia_saver *saver; /* made by the first guia stored */
  int bulk;              /* the saver in bulk mode (fat_guia_saver_bulk): the
                         ** caller calls fat_import_ids_finish before commit */
} fat_import_ids;

void fat_import_ids_fini(fat_import_ids *ids);
/* fat_guia_saver_finish of the run's saver: before the commit of a run
** with bulk set. */
FAT_NODISCARD fat_rc fat_import_ids_finish(fat_import_ids *ids, fat_store *st, fat_err *err);

/* Store one parsed guia inside the caller's transaction: a guia already
** stored with the same operadora + prestador + numero_prestador is replaced
** unless it is in a lote (FAT_ESTATE). label ("guias[3]", "linha 7") prefixes
** errors; origem (may be NULL) is recorded on the guia. Counts go to res. g
** stays owned by the caller. ids (the run's cache) may be NULL. */
FAT_NODISCARD fat_rc fat_import_store_one(fat_store *st, fat_guia *g, const char *label,
                                          const char *origem, fat_import_ids *ids,
                                          fat_import_result *res, fat_err *err);

/* Bytes read from a file at a time by the streaming readers. */
#define FAT_IMPORT_CHUNK (256 * 1024)

/* 1 when the rest of f is UTF-8 without NUL bytes, 0 otherwise, -1 on a
** read error; f is rewound. buf: FAT_IMPORT_CHUNK bytes of scratch. */
int fat_import_plain_utf8(FILE *f, unsigned char *buf);

/* Open path for a streaming reader: a regular file of at most max bytes (0:
** any size) whose content is plain UTF-8 without NUL (fat_import_plain_utf8).
** Then *f is the file, rewound, and *buf FAT_IMPORT_CHUNK bytes of scratch,
** both the caller's to close and free. Any other file (missing, not regular,
** too big, another encoding, unreadable) leaves both NULL and returns FAT_OK:
** the whole-file reader decides its encoding and names its errors.
** FAT_ENOMEM (f closed) when the buffer cannot be had. */
FAT_NODISCARD fat_rc fat_import_stream_open(const char *path, unsigned long long max, FILE **f,
                                            unsigned char **buf, fat_err *err);

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
