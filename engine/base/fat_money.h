/* fat_money.h: money and the fixed-point numbers that multiply it, as text.
**
** Money is int64_t centavos; quantities are int64_t ten-thousandths
** (quantidade_e4, 10000 = 1 unit). No floating point anywhere. This module is
** the one reader of decimal text in faturo: the guia import, the table
** import, the CLI and the TISS reader all parse through fat_money_scan, so
** "1.234,56", "1234,56" and "1234.56" mean the same everywhere.
**
** Ranges come from the TISS XSD: an item's value is st_decimal8-2 (up to
** R$ 999.999,99), a guia's total st_decimal10-2 (R$ 99.999.999,99), a
** quantity st_decimal9-4 (99.999,9999).
*/
#ifndef FAT_MONEY_H
#define FAT_MONEY_H

#include <stddef.h>
#include <stdint.h>

#include "fat_err.h"

#define FAT_MONEY_MAX INT64_C(9999999999)      /* R$ 99.999.999,99 (st_decimal10-2) */
#define FAT_MONEY_MAX_ITEM INT64_C(99999999)   /* R$ 999.999,99 (st_decimal8-2) */
#define FAT_MONEY_QTY_MAX INT64_C(999999999)   /* 99.999,9999 (st_decimal9-4) */

/* Flags of fat_money_scan. */
#define FAT_MONEY_SIGNED 1u    /* a leading '-' is accepted (else: "valor negativo") */
#define FAT_MONEY_THOUSANDS 2u /* "R$" and thousands groups ("1.234,56", "1,234.56") */
#define FAT_MONEY_TISS 4u      /* the XML form: digits and one '.', nothing else; digits
                                  past `decimals` must be zeros ("1.2300" = 1,23) */

/* Read the decimal text s (blanks around it ignored) into an integer scaled
** by 10^decimals (0..4). Without FAT_MONEY_TISS the decimal separator is ','
** or '.', and more than `decimals` places is an error. With
** FAT_MONEY_THOUSANDS, when both '.' and ',' appear the last one is the
** decimal separator; a lone '.' followed by exactly three digits ("1.500")
** is refused as ambiguous (1.500,00 or 1,50?). INT64_MIN (FAT_ABSENT) is
** never produced. Returns NULL and sets *out, or a static pt-BR reason
** ("valor negativo", "mais de 2 casas decimais", "valor grande demais"...). */
const char *fat_money_scan(const char *s, int decimals, unsigned flags, int64_t *out);

/* Money as users and files write it ("1.234,56", "1234,56", "1234.56",
** "R$ 12", "12") into centavos, 0..max. FAT_EINVAL with "valor monetário
** inválido '<s>': <reason>" (negative, above max, malformed). */
FAT_NODISCARD fat_rc fat_money_parse_max(const char *s, int64_t max, int64_t *out, fat_err *err);
/* The same with max = FAT_MONEY_MAX. */
FAT_NODISCARD fat_rc fat_money_parse(const char *s, int64_t *out, fat_err *err);

/* A quantity with up to 4 decimals ("1", "2.5", "0,0001"; no thousands
** groups) into ten-thousandths, 0..FAT_MONEY_QTY_MAX. FAT_EINVAL with
** "quantidade inválida '<s>': <reason>". */
FAT_NODISCARD fat_rc fat_money_qty_parse(const char *s, int64_t *out_e4, fat_err *err);

/* 123456 -> "1234.56" (TISS st_decimal, JSON). */
void fat_money_format(int64_t centavos, char *buf, size_t len);
/* 123456 -> "R$ 1.234,56" (what users read). */
void fat_money_format_br(int64_t centavos, char *buf, size_t len);
/* 123456 -> "1234,56" (a spreadsheet cell: decimal comma, no grouping). */
void fat_money_format_cell(int64_t centavos, char *buf, size_t len);
/* Any fixed-point value: v / 10^decimals with `sep` as decimal separator and
** no grouping (25000, 4, ',' -> "2,5000"). */
void fat_money_format_fixed(int64_t v, int decimals, char sep, char *buf, size_t len);
/* Quantities: 25000 -> "2.5000"; _br: "2,5000". */
void fat_money_qty_format(int64_t e4, char *buf, size_t len);
void fat_money_qty_format_br(int64_t e4, char *buf, size_t len);

/* Round a/b half-up (away from zero for negatives) in integer arithmetic.
** b must be > 0. Used for every price/quantity product. */
int64_t fat_money_div_round(int64_t a, int64_t b);

#endif
