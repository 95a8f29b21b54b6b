/* fat_fatura.h: faturas, their notas fiscais, receipts (baixa) and the mapa
** de acompanhamento de faturas.
**
** A fatura groups one or more sent lotes of one operator and competência. Its
** valor is the lotes' liberado (informado while the operator has not
** answered). The nota fiscal issued for it is recorded (faturo does not issue
** the NFS-e): number, series, date, value and the retentions the operator
** keeps, each fat_rateio_bp(nf_valor, operator's rate) rounded half-up on its
** own (rates from the operator's script: retencoes{}).
**
** A receipt (recebimento) is money that reached the clinic for a fatura, a
** lote, a demonstrativo de pagamento or a recurso. valor is what reached the
** account; valor_bruto adds the retentions it settles (for a fatura with an
** NF: valor * nf_valor / (nf_valor - retenções), half-up). valor_bruto is
** split over the guias (fat_rateio_proporcional, largest remainder) by what
** each still has to receive, and the parts sum to it. A receipt never takes a
** guia past liberado + recovered-by-recurso unless a person accepts it
** (excedente, shown by `faturo verificar`). A recurso receipt is `recuperado`.
*/
#ifndef FAT_FATURA_H
#define FAT_FATURA_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_err.h"
#include "fat_rules.h"
#include "fat_store.h"

/* Create a fatura of operadora (registro ANS, script key or id) and
** competencia (AAAA-MM) with lotes[0..n) (lote ids), or with every sent lote
** of that operator and competência not yet in a fatura when n == 0. Each
** lote must be of that operator, sent (not aberto/fechado) and in no other
** fatura. The expected payment date is the latest of its lotes' by the
** operator's terms (fat_termos_previsao). *id gets fatura.id. Audited. */
FAT_NODISCARD fat_rc fat_fatura_criar(fat_store *st, fat_gen *gen, const char *operadora,
                                      const char *competencia, const int64_t *lotes, size_t n,
                                      int64_t *id, fat_err *err);

/* Record the NF issued for fatura id. valor <= 0 means the fatura's valor.
** Retentions come from the operator's terms in gen. Refused once the fatura
** has receipts. Audited. */
FAT_NODISCARD fat_rc fat_fatura_nf(fat_store *st, fat_gen *gen, int64_t id, const char *numero,
                                   const char *serie, const char *data, int64_t valor,
                                   fat_err *err);

/* Listing: array of {id, numero, operadora, registro_ans, competencia, status,
** valor, nf_numero, nf_data, nf_valor, retencoes, valor_liquido, recebido,
** saldo, previsao_pagamento}. Filters may be NULL. */
FAT_NODISCARD fat_rc fat_fatura_listar(fat_store *st, const char *operadora,
                                       const char *competencia, cJSON **out, fat_err *err);

/* One fatura with its lotes, its guias (esperado = liberado + recovered,
** recebido, saldo, situação: baixada / baixa parcial / em aberto), receipts,
** the retentions one by one and the
** differences named: "retencoes", "pagamento_a_menor", "pago_sem_demonstrativo",
** "demonstrativo_sem_pagamento" (past the expected date, as of hoje; NULL =
** today), "excedente". */
FAT_NODISCARD fat_rc fat_fatura_mostrar(fat_store *st, int64_t id, const char *hoje,
                                        cJSON **out, fat_err *err);

/* NF data of faturas whose NF date is in [de, ate] for the city's system and
** the accountant: JSON array of {fatura, operadora, cnpj_tomador, nf_numero,
** nf_serie, nf_data, nf_valor, iss, ir, pis, cofins, csll, valor_liquido}. */
FAT_NODISCARD fat_rc fat_fatura_nf_dados(fat_store *st, const char *de, const char *ate,
                                         cJSON **out, fat_err *err);

/* The mapa de acompanhamento de faturas: one row per fatura (and one per sent
** lote not in any fatura) with NF number, lotes, valor enviado, liberado,
** glosado, recursado, recuperado, recebido, data recebido, retenções, saldo a
** receber, expected date and dias de atraso (as of hoje; NULL = today), the
** days the last receipt (recovered money aside) came after the expected date
** (atraso_recebimento),
** and a situação in words. Filters may be NULL. A fatura's row has
** qtd_lotes (its lotes: fat_fatura_lotes, page by page) and is read from its
** counters (migration 096): it costs the same however many lotes it has. A
** row of a lote in no fatura has qtd_lotes 1 and lotes: [{id, numero, status,
** demonstrativo_pagamento}]. */
FAT_NODISCARD fat_rc fat_fatura_mapa(fat_store *st, const char *operadora,
                                     const char *competencia, const char *hoje, cJSON **out,
                                     fat_err *err);

/* The lotes of one fatura in the mapa's order (número, then id), page by
** page: `limite` lotes (1..500; 0 = 50) after the lote `apos` (its id, 0 =
** from the first); *proximo gets the id to pass for the next page, 0 on the
** last. Array of {id, numero, status, demonstrativo_pagamento (0/1: the lote
** has a demonstrativo de pagamento)}. Walks the fatura's lotes in an index
** (mapa_lote, migration 096): a page costs the same however many lotes the
** fatura has. */
#define FAT_FATURA_LOTES_PAGINA_MAX 500
FAT_NODISCARD fat_rc fat_fatura_lotes(fat_store *st, int64_t fatura_id, int64_t apos,
                                      int limite, int64_t *proximo, cJSON **out, fat_err *err);

/* The counters behind the mapa (migration 096) as a recount from the lotes,
** their fatura_lote, lote_saldo and lote_recebimento rows and the receipts:
** FAT_MAPA_LOTE_RECONTAGEM selects (lote_id, fatura_id, operadora_id,
** competencia, numero, enviado, liberado, glosado, recursado, deferido,
** esperado) per lote past 'fechado'; FAT_FATURA_SALDO_RECONTAGEM (fatura_id,
** lotes, enviado, liberado, glosado, recursado, deferido, esperado, recebido,
** recuperado, primeiro_lote) per fatura with such lotes;
** FAT_FATURA_RECEBIMENTO_RECONTAGEM (fatura_id, recebimento_id, valor, guias,
** data, recuperado) per fatura and receipt. fat_relatorio_recontar rebuilds
** the tables from them and `faturo verificar` (fatura_saldo_recontado,
** fatura_recebimento_recontado) compares them. */
#define FAT_MAPA_LOTE_RECONTAGEM                                                            \
  "SELECT l.id AS lote_id, fl.fatura_id AS fatura_id, l.operadora_id AS operadora_id,"      \
  " l.competencia AS competencia, l.numero AS numero,"                                      \
  " coalesce(l.valor_informado, 0) AS enviado, coalesce(l.valor_liberado, 0) AS liberado,"  \
  " coalesce(l.valor_glosado, 0) AS glosado, coalesce(s.recursado, 0) AS recursado,"        \
  " coalesce(s.deferido, 0) AS deferido,"                                                   \
  " coalesce(l.valor_liberado, l.valor_informado, 0) + coalesce(s.deferido, 0) AS esperado" \
  " FROM lote l LEFT JOIN fatura_lote fl ON fl.lote_id = l.id"                              \
  " LEFT JOIN lote_saldo s ON s.lote_id = l.id"                                             \
  " WHERE l.status <> 'aberto' AND l.status <> 'fechado'"
#define FAT_FATURA_SALDO_RECONTAGEM                                                         \
  "SELECT m.fatura_id AS fatura_id, count(*) AS lotes, sum(m.enviado) AS enviado,"          \
  " sum(m.liberado) AS liberado, sum(m.glosado) AS glosado, sum(m.recursado) AS recursado," \
  " sum(m.deferido) AS deferido, sum(m.esperado) AS esperado,"                              \
  " sum((SELECT coalesce(sum(lr.valor), 0) FROM lote_recebimento lr"                        \
  "  WHERE lr.lote_id = m.lote_id)) AS recebido,"                                           \
  " sum((SELECT coalesce(sum(lr.valor), 0) FROM lote_recebimento lr JOIN recebimento r"     \
  "  ON r.id = lr.recebimento_id WHERE lr.lote_id = m.lote_id AND r.recuperado = 1))"       \
  "  AS recuperado,"                                                                        \
  " (SELECT l2.id FROM fatura_lote f2 JOIN lote l2 ON l2.id = f2.lote_id"                   \
  "  WHERE f2.fatura_id = m.fatura_id AND l2.status <> 'aberto' AND l2.status <> 'fechado'" \
  "  ORDER BY l2.numero, l2.id LIMIT 1) AS primeiro_lote"                                   \
  " FROM (" FAT_MAPA_LOTE_RECONTAGEM ") m WHERE m.fatura_id IS NOT NULL"                    \
  " GROUP BY m.fatura_id"
#define FAT_FATURA_RECEBIMENTO_RECONTAGEM                                                   \
  "SELECT fl.fatura_id AS fatura_id, lr.recebimento_id AS recebimento_id,"                  \
  " sum(lr.valor) AS valor, sum(lr.guias) AS guias, r.data AS data,"                        \
  " coalesce(r.recuperado, 0) AS recuperado"                                                \
  " FROM fatura_lote fl JOIN lote l ON l.id = fl.lote_id"                                   \
  " JOIN lote_recebimento lr ON lr.lote_id = l.id"                                          \
  " LEFT JOIN recebimento r ON r.id = lr.recebimento_id"                                    \
  " WHERE l.status <> 'aberto' AND l.status <> 'fechado'"                                   \
  " GROUP BY fl.fatura_id, lr.recebimento_id"

/* ---- receipts (baixa) ---- */

typedef struct fat_recebimento_in {
  int64_t fatura_id;        /* exactly one of fatura_id, lote_id, pagamento_id, recurso_id */
  int64_t lote_id;
  int64_t pagamento_id;     /* a demonstrativo de pagamento (table pagamento) */
  int64_t recurso_id;       /* money recovered by this recurso */
  int64_t extrato_linha_id; /* the bank credit it came from (conciliation), or 0 */
  const char *data;         /* AAAA-MM-DD; NULL = the demonstrativo's date */
  int64_t valor;            /* centavos; 0 = the demonstrativo's value */
  int aceitar_excedente;    /* 1 = a person accepts receiving past liberado + recuperado */
  const char *descricao;
} fat_recebimento_in;

/* Record one receipt, split it over guias, update the fatura's and lotes'
** status (paga / paga_parcial; lote pago / pago_parcial). All or nothing;
** audited. A demonstrativo is received at most once; a bank credit at most
** once. *id (may be NULL) gets recebimento.id. */
FAT_NODISCARD fat_rc fat_recebimento_registrar(fat_store *st, const fat_recebimento_in *in,
                                               int64_t *id, fat_err *err);

/* Receipts, newest first: array of {id, data, valor, valor_bruto, origem,
** operadora, fatura, lote, recurso, recuperado, excedente, descricao}. */
FAT_NODISCARD fat_rc fat_recebimento_listar(fat_store *st, const char *operadora, const char *de,
                                            const char *ate, cJSON **out, fat_err *err);

/* Demonstrativos de pagamento (table pagamento) and whether money came:
** array of {id, operadora, lote, data, valor, recebido, recebimento_id}. */
FAT_NODISCARD fat_rc fat_recebimento_demonstrativos(fat_store *st, const char *operadora,
                                                    cJSON **out, fat_err *err);

/* A fatura's status (fatura.status) as users read it: 'paga_parcial' is "paga em
** parte"; the other statuses are words already; unknown text as it is,
** NULL as "". */
const char *fat_fatura_status_rotulo(const char *status);

#endif
