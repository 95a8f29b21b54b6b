/* fat_extrato.h: bank statement files read into memory (no store).
**
** Two families are read, each refused whole with a pt-BR error naming the
** line when it is malformed, truncated or of a layout we do not know:
**
** - OFX 1.0x (SGML, closed or unclosed leaves) and OFX 2.x (XML), bank
**   statements (STMTRS) and credit-card statements (CCSTMTRS). Text is taken
**   as UTF-8 when it is valid UTF-8 and as ISO-8859-1 otherwise, whatever the
**   header says; amounts may be padded with blanks and use a decimal comma;
**   empty elements are allowed; one account per file.
** - CNAB retorno de cobrança: CNAB 240 (segments T/U, banks 001, 033, 104;
**   lines right-trimmed by transport are padded back, blanks past column 240
**   ignored) and CNAB 400 (detail type 1 of banks 004, 033, 237, 341, 748 and
**   type 7 of Banco do Brasil's CBR643). Only liquidations become lines.
**
** Why not libofx: see docs/financeiro.md ("Leitura do OFX").
*/
#ifndef FAT_EXTRATO_H
#define FAT_EXTRATO_H

#include <stddef.h>
#include <stdint.h>

#include "fat_err.h"

typedef enum fat_extrato_formato {
  FAT_EXTRATO_OFX = 0,
  FAT_EXTRATO_CNAB240,
  FAT_EXTRATO_CNAB400
} fat_extrato_formato;

/* "ofx", "cnab240", "cnab400" */
const char *fat_extrato_formato_str(fat_extrato_formato f);

typedef struct fat_extrato_linha {
  int linha;               /* line of the file where the entry starts */
  char data[11];           /* date the money is (or was) in the account, AAAA-MM-DD */
  int64_t valor;           /* centavos; credits > 0, debits < 0 */
  char id[64];             /* FITID, or CNAB nosso número ("" when the file has none) */
  char tipo[16];           /* TRNTYPE, or CNAB código de ocorrência */
  char descricao[160];     /* NAME + MEMO (UTF-8), or CNAB payer name when present */
  char documento[32];      /* CHECKNUM/REFNUM, or CNAB seu número */
} fat_extrato_linha;

typedef struct fat_extrato {
  fat_extrato_formato formato;
  int cartao;              /* 1 = credit-card statement (OFX CCSTMTRS) */
  char banco[4];           /* '001'; "" when the file does not say (cards) */
  char agencia[16];        /* digits, leading zeros removed ("" when absent) */
  char conta[48];          /* digits, leading zeros removed */
  char moeda[4];           /* 'BRL' (CNAB is always BRL) */
  char inicio[11];         /* period covered, AAAA-MM-DD */
  char fim[11];
  fat_extrato_linha *linhas;
  size_t n;
  size_t ignoradas;        /* CNAB details that are not liquidations */
} fat_extrato;

/* Read a statement (format detected from the content) from data[0..len).
** nome is the file name used in messages. On error *out is left empty. */
FAT_NODISCARD fat_rc fat_extrato_ler(const char *data, size_t len, const char *nome,
                                     fat_extrato *out, fat_err *err);
FAT_NODISCARD fat_rc fat_ofx_ler(const char *data, size_t len, const char *nome, fat_extrato *out,
                                 fat_err *err);
FAT_NODISCARD fat_rc fat_cnab_ler(const char *data, size_t len, const char *nome,
                                  fat_extrato *out, fat_err *err);
void fat_extrato_fini(fat_extrato *e);

/* Internal to the readers: append a zeroed line (NULL on OOM). */
fat_extrato_linha *fat_extrato_nova_linha(fat_extrato *e);

#endif
