/* fat_csv.h: the one CSV writer: every CSV faturo writes (guia export,
** recurso report, relação de lote, listings) goes through it, so all of them
** open the same way in a Brazilian spreadsheet.
**
** The convention: UTF-8 with a BOM (Excel in Portuguese detects the encoding
** by it), ';' between cells, decimal comma and no thousands grouping in
** numbers ("1234,56"), CRLF at the end of every row (RFC 4180; Excel and
** LibreOffice read it, and so does faturo's own importer), and a cell quoted
** with '"' (inner quotes doubled) when it holds ';', '"', CR, LF, or starts
** or ends with a blank.
*/
#ifndef FAT_CSV_H
#define FAT_CSV_H

#include <stdint.h>

#include "fat_err.h"
#include "fat_mem.h"

typedef struct fat_csv {
  fat_buf *b;  /* where the rows go (borrowed) */
  int col;     /* cells written in the current row */
} fat_csv;

/* Start a CSV in b (appending to it): writes the BOM. */
FAT_NODISCARD fat_rc fat_csv_begin(fat_csv *w, fat_buf *b, fat_err *err);

/* One text cell; NULL is an empty cell. */
FAT_NODISCARD fat_rc fat_csv_text(fat_csv *w, const char *s, fat_err *err);
/* One money cell from centavos: "1234,56". */
FAT_NODISCARD fat_rc fat_csv_money(fat_csv *w, int64_t centavos, fat_err *err);
/* One fixed-point cell: v / 10^decimals with a decimal comma (quantities:
** decimals 4). */
FAT_NODISCARD fat_rc fat_csv_fixed(fat_csv *w, int64_t v, int decimals, fat_err *err);
/* One integer cell. */
FAT_NODISCARD fat_rc fat_csv_int(fat_csv *w, int64_t v, fat_err *err);
/* A row of text cells ending with NULL (a header, usually), then CRLF. */
FAT_NODISCARD fat_rc fat_csv_row(fat_csv *w, fat_err *err, const char *first, ...);
/* End the current row (CRLF). */
FAT_NODISCARD fat_rc fat_csv_end_row(fat_csv *w, fat_err *err);

#endif
