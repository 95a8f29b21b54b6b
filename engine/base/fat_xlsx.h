/* fat_xlsx.h: writing spreadsheets (.xlsx) with real cells (libxlsxwriter).
**
** One helper for every report that exports XLSX (repasse statements now,
** the reports of Part H later). Cells are typed: text, integer, money (a
** number cell with the format "R$ #.##0,00" shown by Excel/LibreOffice in the
** user's locale) and dates (a date cell formatted DD/MM/AAAA). Money enters
** as int64 centavos; it becomes a double only here, at the file boundary
** (exact for any value below 2^53 centavos). Row and column are 0-based.
** Writing errors are sticky: the first one is reported by fat_xlsx_fechar.
*/
#ifndef FAT_XLSX_H
#define FAT_XLSX_H

#include <stdint.h>

#include "fat_err.h"

typedef struct fat_xlsx fat_xlsx;

/* Start a workbook to be written at path (replaced when it exists). */
FAT_NODISCARD fat_rc fat_xlsx_abrir(const char *path, fat_xlsx **out, fat_err *err);
/* Add a sheet (name: up to 31 characters, no []:*?/\) and make it current. */
FAT_NODISCARD fat_rc fat_xlsx_planilha(fat_xlsx *x, const char *nome, fat_err *err);
void fat_xlsx_titulo(fat_xlsx *x, int lin, int col, const char *s);   /* bold text */
void fat_xlsx_texto(fat_xlsx *x, int lin, int col, const char *s);    /* NULL = empty */
void fat_xlsx_inteiro(fat_xlsx *x, int lin, int col, int64_t v);
void fat_xlsx_dinheiro(fat_xlsx *x, int lin, int col, int64_t centavos);
/* 'AAAA-MM-DD' as a date cell; anything else is written as text. */
void fat_xlsx_data(fat_xlsx *x, int lin, int col, const char *iso);
/* 'AAAA-MM' as a date cell (the first day) shown MM/AAAA; else text. */
void fat_xlsx_mes(fat_xlsx *x, int lin, int col, const char *mes);
/* Basis points (10000 = 100%) as a number cell with a percent format. */
void fat_xlsx_percentual(fat_xlsx *x, int lin, int col, int64_t bp);
/* Column width in characters for columns [de, ate]. */
void fat_xlsx_largura(fat_xlsx *x, int de, int ate, double largura);
/* Write the file and free x (also on error). */
FAT_NODISCARD fat_rc fat_xlsx_fechar(fat_xlsx *x, fat_err *err);

#endif
