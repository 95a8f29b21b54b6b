/* fat_conciliacao.h: bank statements in, credits matched to faturas and
** demonstrativos, a person confirms.
**
** Importing a statement (OFX or CNAB retorno, fat_extrato.h) is all or
** nothing. It is refused whole, with the reason, when the file is malformed or
** truncated (the reader names the line), when it is a credit-card statement,
** not in reais, of an account not registered (fat_conta_adicionar), or when
** its period overlaps a statement of the same account already imported. The
** same file twice adds nothing (same SHA-256: ja_importado = 1). Each line
** gets a key (account + FITID, or account + nosso número + date + value) that
** is unique across files, so no credit enters twice.
**
** Matching proposes, for each pending credit, the one fatura whose net balance
** (NF value - retentions - received) equals the credit, inside the window
** [first envio of its lotes, expected date + 60 days], or the one unreceived
** demonstrativo de pagamento with the same value within 10 days; the
** operator's CNPJ or memo texts (its script's conciliacao{}) break ties and,
** alone, propose a short payment. Nothing is received until a person confirms
** (fat_conciliacao_confirmar creates the receipt). A credit is matched at most
** once (unique index on confirmed matches and on recebimento.extrato_linha_id).
** Credits nobody matched stay listed by fat_conciliacao_pendentes.
*/
#ifndef FAT_CONCILIACAO_H
#define FAT_CONCILIACAO_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_err.h"
#include "fat_rules.h"
#include "fat_store.h"

/* Register an account of the clinic: banco (1-3 digits), agencia and conta as
** printed (non-digits dropped; agencia may be empty). *id may be NULL. */
FAT_NODISCARD fat_rc fat_conta_adicionar(fat_store *st, const char *banco, const char *agencia,
                                         const char *conta, const char *descricao, int64_t *id,
                                         fat_err *err);
FAT_NODISCARD fat_rc fat_conta_listar(fat_store *st, cJSON **out, fat_err *err);

typedef struct fat_extrato_res {
  int64_t extrato_id;
  int ja_importado;        /* the same file was imported before: nothing added */
  char formato[8];         /* "ofx", "cnab240", "cnab400" */
  char inicio[11], fim[11];
  size_t linhas;           /* lines stored */
  size_t creditos;         /* of which credits */
  size_t ignoradas;        /* CNAB details that are not liquidations */
} fat_extrato_res;

/* Import the statement in data[0..len) (nome: the file name for messages). */
FAT_NODISCARD fat_rc fat_extrato_importar(fat_store *st, const char *nome, const char *data,
                                          size_t len, fat_extrato_res *res, fat_err *err);
/* The same, reading the file at path (at most 16 MiB). */
FAT_NODISCARD fat_rc fat_extrato_importar_arquivo(fat_store *st, const char *path,
                                                  fat_extrato_res *res, fat_err *err);
/* Statements imported: array of {id, formato, arquivo, banco, agencia, conta,
** inicio, fim, linhas, importado_em, usuario}. */
FAT_NODISCARD fat_rc fat_extrato_listar(fat_store *st, cJSON **out, fat_err *err);

/* Propose matches for every pending credit without an open proposal; *out
** (may be NULL) gets the new proposals: array of {id, linha_id, data, valor,
** descricao, fatura_id, fatura, pagamento_id, operadora, motivo}. gen gives
** each operator's CNPJ and memo texts (NULL: value and date only). */
FAT_NODISCARD fat_rc fat_conciliacao_propor(fat_store *st, fat_gen *gen, cJSON **out,
                                            fat_err *err);
/* Confirm a proposal: the credit becomes a receipt of its fatura or
** demonstrativo (fat_recebimento_registrar). aceitar_excedente as there. */
FAT_NODISCARD fat_rc fat_conciliacao_confirmar(fat_store *st, int64_t id, int aceitar_excedente,
                                               fat_err *err);
FAT_NODISCARD fat_rc fat_conciliacao_rejeitar(fat_store *st, int64_t id, fat_err *err);
/* A person matches a credit by hand to a fatura or a demonstrativo
** (one of the two ids > 0): recorded as a confirmed match and received. */
FAT_NODISCARD fat_rc fat_conciliacao_vincular(fat_store *st, int64_t linha_id, int64_t fatura_id,
                                              int64_t pagamento_id, int aceitar_excedente,
                                              fat_err *err);
/* Mark a credit as not operator money (e.g. a transfer between accounts). */
FAT_NODISCARD fat_rc fat_conciliacao_ignorar(fat_store *st, int64_t linha_id, const char *motivo,
                                             fat_err *err);
/* {"pendentes": credits not matched nor ignored, "propostas": open proposals}. */
FAT_NODISCARD fat_rc fat_conciliacao_pendentes(fat_store *st, cJSON **out, fat_err *err);

#endif
