/* fat_particular.h: attendances billed to the patient, their payments and
** recibos, card acquirers, and the daily caixa of each user.
**
** Prices come from the clinic's own "particular" price list: a negotiated
** table (Part D's machinery) imported under the reserved operator code
** FAT_PARTICULAR_TABELA ("000000"): `faturo particular tabela ARQUIVO.csv`.
**
** A particular stays open until its payments add up to its value; each payment
** (partial allowed) gets a recibo with the next sequential number. Card
** payments split by fat_rateio_cartao: installments of the gross (remainder to
** the first), the fee (acquirer's rate: débito, crédito à vista or parcelado)
** split over them by largest remainder, each installment landing
** prazo_credito_dias * n days after the payment (débito: prazo_debito_dias),
** moved to the next business day. Cash payments need the user's caixa of the
** day open; the caixa closes with the counted amount, and the difference
** against opening + cash received + suprimentos - sangrias is recorded.
*/
#ifndef FAT_PARTICULAR_H
#define FAT_PARTICULAR_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_err.h"
#include "fat_store.h"

#define FAT_PARTICULAR_TABELA "000000"

typedef struct fat_particular_in {
  const char *paciente_nome;
  const char *paciente_cpf;   /* 11 digits (punctuation allowed), or NULL */
  const char *data;           /* AAAA-MM-DD */
  int64_t profissional_id;    /* 0 = none (no repasse) */
  const char *codigo;         /* procedure code */
  const char *descricao;      /* NULL = the table's */
  int64_t valor;              /* centavos; 0 = the particular table's price on data */
} fat_particular_in;

FAT_NODISCARD fat_rc fat_particular_registrar(fat_store *st, const fat_particular_in *in,
                                              int64_t *id, fat_err *err);

/* Import the clinic's particular price list (negociada CSV: codigo;descricao;valor
** [;vigencia_inicio]); *linhas gets the rows imported. */
FAT_NODISCARD fat_rc fat_particular_tabela(fat_store *st, const char *path, const char *vigencia,
                                           long *linhas, fat_err *err);

typedef struct fat_particular_pag_in {
  int64_t particular_id;
  const char *data;           /* AAAA-MM-DD */
  const char *forma;          /* dinheiro, pix, debito, credito, boleto */
  int64_t valor;              /* centavos; 0 = the whole balance */
  int parcelas;               /* credito only, 1..24 (0 = 1) */
  const char *adquirente;     /* debito/credito: the acquirer's name */
} fat_particular_pag_in;

/* Record a payment; *pagamento_id and *recibo (may be NULL) get its id and
** its recibo number. Refused past the balance. Audited. */
FAT_NODISCARD fat_rc fat_particular_pagar(fat_store *st, const fat_particular_pag_in *in,
                                          int64_t *pagamento_id, int64_t *recibo, fat_err *err);

/* Particulares: array of {id, data, paciente, cpf, profissional, codigo, descricao,
** valor, pago, saldo, status}; status NULL = all. */
FAT_NODISCARD fat_rc fat_particular_listar(fat_store *st, const char *status, cJSON **out,
                                           fat_err *err);
/* One particular with its payments and their installments. */
FAT_NODISCARD fat_rc fat_particular_mostrar(fat_store *st, int64_t id, cJSON **out,
                                            fat_err *err);

/* Printable recibo (HTML, UTF-8) of a payment, by recibo number. *html fat_free. */
FAT_NODISCARD fat_rc fat_particular_recibo_html(fat_store *st, int64_t recibo, char **html,
                                                size_t *len, fat_err *err);

/* NFS-e data of the payments in [de, ate] for the city's system and the
** accountant: array of {recibo, data, tomador, cpf, servico, codigo, valor,
** forma, prestador, cnpj_prestador}. */
FAT_NODISCARD fat_rc fat_particular_nfse(fat_store *st, const char *de, const char *ate,
                                         cJSON **out, fat_err *err);

typedef struct fat_adquirente {
  const char *nome;
  int64_t taxa_debito_bp, taxa_credito_bp, taxa_parcelado_bp;
  int prazo_debito_dias, prazo_credito_dias;
} fat_adquirente;

/* Create or replace an acquirer's terms. Audited. */
FAT_NODISCARD fat_rc fat_adquirente_definir(fat_store *st, const fat_adquirente *a, fat_err *err);
FAT_NODISCARD fat_rc fat_adquirente_listar(fat_store *st, cJSON **out, fat_err *err);

/* ---- caixa (the current user's, fat_store_user) ---- */

FAT_NODISCARD fat_rc fat_caixa_abrir(fat_store *st, const char *data, int64_t abertura,
                                     int64_t *id, fat_err *err);
/* tipo: "suprimento" (money put in) or "sangria" (money taken out). */
FAT_NODISCARD fat_rc fat_caixa_movimentar(fat_store *st, const char *data, const char *tipo,
                                          int64_t valor, const char *motivo, fat_err *err);
/* Close with the counted amount; *out (may be NULL) gets fat_caixa_mostrar. */
FAT_NODISCARD fat_rc fat_caixa_fechar(fat_store *st, const char *data, int64_t contado,
                                      cJSON **out, fat_err *err);
/* {id, usuario, data, status, abertura, dinheiro, suprimentos, sangrias, esperado,
** contado, diferenca, entradas: [...], movimentos: [...]}; usuario NULL = current. */
FAT_NODISCARD fat_rc fat_caixa_mostrar(fat_store *st, const char *usuario, const char *data,
                                       cJSON **out, fat_err *err);

#endif
