/* fat_docnum.h: Brazilian document numbers and TISS field formats.
**
** Pure functions, no allocation: check digits of CPF, CNPJ (numeric and the
** alphanumeric form valid from July 2026) and CNS; CBO-S, council and UF
** codes; TUSS code formats per terminology table; CID-10 (dates and times
** are fat_dia.h's). Every validator returns 1 when the value is valid and 0 otherwise
** (NULL is never valid).
*/
#ifndef FAT_DOCNUM_H
#define FAT_DOCNUM_H

#include <stddef.h>
#include <stdint.h>

/* CPF: 11 digits (punctuation "123.456.789-09" accepted), two mod-11 check
** digits, not all digits equal. */
int fat_doc_cpf_valid(const char *s);

/* A CPF or CNPJ as users read it: the digits of s as 000.000.000-00 (11) or
** 00.000.000/0000-00 (14) (dots, dashes, slashes and spaces in s are
** ignored); anything else copied as given (NULL as ""). */
void fat_doc_br(const char *s, char *out, size_t len);

/* CNPJ: 14 characters (punctuation accepted); the first 12 may be digits or
** uppercase letters (alphanumeric CNPJ, value = ASCII - 48), the last two are
** digits computed mod 11 with weights 2..9. Not all characters equal. */
int fat_doc_cnpj_valid(const char *s);

/* CNS (cartão nacional de saúde): 15 digits (spaces accepted).
** Starting with 1 or 2 (definitive, built from the PIS): the first 11 digits
** determine the rest ("000" + DV, or "001" + DV when the DV came out 10).
** Starting with 7, 8 or 9 (provisional): the weighted sum (weights 15..1) is
** a multiple of 11. Any other first digit is invalid. */
int fat_doc_cns_valid(const char *s);

/* CBO-S code: exactly 6 digits (TISS dm_CBOS), e.g. "225125". */
int fat_doc_cbo_valid(const char *s);

/* Council sigla known to TISS (dm_conselhoProfissional):
** CRAS, COREN, CRF, CRFA, CREFITO, CRM, CRN, CRO, CRP, OUT. */
int fat_doc_conselho_valid(const char *s);

/* Brazilian UF sigla ("SP", "RJ", ...). */
int fat_doc_uf_valid(const char *s);

/* Council registration number: 1 to 15 digits (TISS st_texto15, digits only
** as the operators require). */
int fat_doc_numero_conselho_valid(const char *s);

/* TUSS/TISS code of an item for its terminology table (dm_tabela):
**   "22" procedimentos, "18" diárias/taxas/gases, "19" materiais/OPME,
**   "20" medicamentos: exactly 8 digits;
**   "00" tabela própria, "90" pacote odontológico, "98" pacotes: 1 to 10
**   letters/digits/'.'/'-'.
** Unknown tables are invalid. */
int fat_doc_tuss_code_valid(const char *tabela, const char *codigo);

/* Is the table code a known TISS dm_tabela value? */
int fat_doc_tuss_table_known(const char *tabela);

/* CID-10: a letter, two digits, optionally a fourth character (digit, or
** "X"), with an optional dot: "J06", "J069", "J06.9". */
int fat_doc_cid_valid(const char *s);

#endif
