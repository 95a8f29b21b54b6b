/* fat_lote.h: lotes de guias (Part E).
**
** Closing groups the ready guias of one operadora (status 'conferida', not in
** a lote, no unacknowledged bloqueio achado) by prestador, competência, the
** operator's closing period (mensal / quinzenal / semanal / calendário, from
** the contract's lote{}) and guia type, at most max_guias (<= 100) per lote;
** numbers them from operadora.proximo_lote, writes the TISS XML, validates it
** against the XSD (when a folder is given) and stores it, all in one
** transaction: any failure leaves the store untouched.
**
** States: aberto -> fechado -> enviado -> protocolado -> processado -> pago |
** pago_parcial. reabrir (fechado -> aberto, guias released) is only allowed
** before sending; from 'enviado' on, a lote and its guias are immutable
** (enforced also by triggers in schemas/005_lotes.sql). Every change is
** recorded in lote_evento and in the audit log.
*/
#ifndef FAT_LOTE_H
#define FAT_LOTE_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_err.h"
#include "fat_rules.h"
#include "fat_store.h"
#include "fat_tiss_hash.h"

typedef enum fat_periodicidade {
  FAT_PER_MENSAL = 0,
  FAT_PER_QUINZENAL,
  FAT_PER_SEMANAL,
  FAT_PER_CALENDARIO
} fat_periodicidade;

#define FAT_LOTE_MAX_CAL 512

/* What closing needs from the operator's contract. */
typedef struct fat_lote_cfg {
  fat_periodicidade periodicidade;
  int dias[31];          /* monthly closing days, ascending; 0 = last day of the month */
  int n_dias;
  int dia_semana;        /* semanal: 0 = domingo .. 6 = sábado */
  int32_t calendario[FAT_LOTE_MAX_CAL]; /* explicit closing dates (day numbers), ascending */
  int n_cal;
  int prazo_envio_dias;  /* days after the period's end to send the lote */
  int max_guias;         /* 1..100 */
  int pagamento_prazo_dias; /* -1 when the contract does not say */
  fat_contrato_pagamento pagamento; /* the contract's payment terms (previsão) */
  fat_tiss_enc hash_enc;
} fat_lote_cfg;

/* What closing needs from the operator's typed contract (fat_gen_contrato:
** lote{}, pagamento{}, the hash encoding), already checked by the rules. */
void fat_lote_cfg_from_contrato(const fat_contrato *c, fat_lote_cfg *out);

/* The same from a contract held as JSON (tests and tools), parsed by the
** rules' parsers (fat_contrato_lote_parse; keys in docs/lotes.md). FAT_EINVAL
** naming the field when something is missing or malformed. */
FAT_NODISCARD fat_rc fat_lote_cfg_from_contract(const cJSON *contract, fat_lote_cfg *out,
                                                fat_err *err);

/* The closing period containing date `data` (AAAA-MM-DD): inicio..fim
** inclusive, as AAAA-MM-DD (11 bytes each). */
FAT_NODISCARD fat_rc fat_lote_periodo(const fat_lote_cfg *cfg, const char *data, char inicio[11],
                                      char fim[11], fat_err *err);

struct fat_leitor; /* fat_acesso_log.h */

typedef struct fat_lote_fechar_opts {
  const char *operadora;   /* registro ANS, script key or id */
  const char *competencia; /* AAAA-MM, NULL = every competência */
  const char *ate;         /* only guias dated up to this day; NULL = hoje */
  const char *hoje;        /* reference date (fechado_em, prazos); NULL = today */
  const char *xsd_dir;     /* NULL = XSD validation skipped (res->validado = 0) */
  int64_t geracao_id;      /* rule generation that gave the contract (0 = none) */
  const char *hora;        /* horaRegistroTransacao of the files, HH:MM[:SS]; NULL = now
                           ** (with hoje, the same guias give the same bytes) */
  const char *saida;       /* folder for each lote's file (<arquivo>), or NULL: each
                           ** file is written from the XML just made and fsynced
                           ** before the transaction commits (as <arquivo>.tmp),
                           ** and renamed to <arquivo> once it has committed; a
                           ** failure before the commit closes nothing and leaves
                           ** no file */
  const struct fat_leitor *leitor; /* with saida: who gets the files, logged as a read
                           ** of each lote's guias (fat_acesso_registrar_guias), in
                           ** the closing's transaction; NULL logs nothing */
} fat_lote_fechar_opts;

typedef struct fat_lote_info {
  int64_t id, numero, operadora_id;
  char tipo[24];
  char competencia[8];
  char periodo_inicio[11], periodo_fim[11];
  char prazo_envio[11];
  int qtd_guias;
  int64_t valor;           /* centavos */
  char hash[33];
  char arquivo[80];
  int reaberto;            /* 1 when an 'aberto' lote (reopened) got the guias */
} fat_lote_info;

/* A ready guia left out of its lote because the TISS XSD cannot carry it. */
typedef struct fat_lote_retida {
  int64_t guia_id;
  char numero[32];         /* número da guia no prestador */
  char campo[64];          /* the missing field (JSON path), "" when the XSD said why */
  char motivo[512];        /* pt-BR: why it cannot go */
} fat_lote_retida;

typedef struct fat_lote_fechar_res {
  fat_lote_info *lotes;
  size_t n;
  int validado;            /* 1 when every XML passed the XSD */
  size_t guias;            /* guias put into lotes */
  fat_lote_retida *retidas; /* guias held back (still 'conferida', outside any lote) */
  size_t n_retidas;
  fat_err arquivos;        /* with o->saida: rc FAT_OK, or why a file could not be
                           ** renamed into place after the commit (the lotes stay
                           ** closed; `faturo lote xml N` writes the file again) */
} fat_lote_fechar_res;

void fat_lote_fechar_res_fini(fat_lote_fechar_res *r);

/* Close lotes with a contract given directly (tests, callers that already
** hold it). See the file comment. A guia the TISS XSD cannot carry (a
** required field missing, fat_enviavel.h; or, with an XSD folder, refused by
** the schema on its own) is held back: res->retidas says which and why, the
** guia stays 'conferida' and its lote closes with the others. FAT_ENOTFOUND
** for an unknown operadora; FAT_EXML (with the XSD errors) only when a lote
** is refused and no guia of it is refused alone. Zero ready guias is FAT_OK
** with res->n == 0. */
FAT_NODISCARD fat_rc fat_lote_fechar_contrato(fat_store *st, const fat_lote_fechar_opts *o,
                                              const cJSON *contract, fat_lote_fechar_res *res,
                                              fat_err *err);

/* Close lotes with the operadora's contract from the rule generation gen
** (o->geracao_id is set from gen). FAT_ENOTFOUND when the operadora is not
** registered or its script is not in gen; otherwise as fat_lote_fechar_contrato. */
FAT_NODISCARD fat_rc fat_lote_fechar(fat_store *st, fat_gen *gen, const fat_lote_fechar_opts *o,
                                     fat_lote_fechar_res *res, fat_err *err);

/* Why one operadora's lotes did not close (fat_lote_fechar_todas). */
typedef struct fat_lote_fechar_erro {
  char operadora[64];      /* script key */
  fat_rc rc;
  char mensagem[512];
} fat_lote_fechar_erro;

typedef struct fat_lote_fechar_todas_res {
  fat_lote_info *lotes;    /* every lote closed, operadora by operadora */
  size_t n;
  size_t guias;            /* guias put into lotes */
  int validado;            /* 1 when every XML passed the XSD */
  fat_lote_fechar_erro *erros; /* operadoras that refused (nothing of theirs written) */
  size_t n_erros;
  fat_lote_retida *retidas; /* guias held back, every operadora */
  size_t n_retidas;
  fat_err arquivos;        /* as in fat_lote_fechar_res: the first operadora whose
                           ** files could not be put in place (the ones after it
                           ** are not closed) */
} fat_lote_fechar_todas_res;

void fat_lote_fechar_todas_res_fini(fat_lote_fechar_todas_res *r);

/* Close the lotes of every active operadora with conferred guias outside a
** lote (Part K, fat_lote_todas.c), each with fat_lote_fechar and its contract
** in gen, o->operadora ignored (o may be NULL). Each operadora is its own
** transaction: one refusal (a guia the TISS writer rejects, a script missing
** from gen) is recorded in res->erros and the others still close. Out of
** memory and database or file errors stop at once (FAT_ENOMEM/EDB/EIO; the
** operadoras closed before stay closed). */
FAT_NODISCARD fat_rc fat_lote_fechar_todas(fat_store *st, fat_gen *gen,
                                           const fat_lote_fechar_opts *o,
                                           fat_lote_fechar_todas_res *res, fat_err *err);

/* Resolve an operadora by registro ANS, script key or id. key_out (may be
** NULL, >= 64 bytes) gets its script key. */
FAT_NODISCARD fat_rc fat_lote_operadora(fat_store *st, const char *ref, int64_t *id,
                                        char *key_out, size_t key_len, fat_err *err);

/* Find a lote id by "ID", "#ID" or "OPERADORA/NUMERO" (registro ANS or
** script key and the lote number). FAT_ENOTFOUND when there is none,
** FAT_EINVAL when ref has neither form. */
FAT_NODISCARD fat_rc fat_lote_ref(fat_store *st, const char *ref, int64_t *lote_id, fat_err *err);

/* State changes; `id` is lote.id. Dates AAAA-MM-DD. */
FAT_NODISCARD fat_rc fat_lote_reabrir(fat_store *st, int64_t id, const char *motivo,
                                      fat_err *err);
FAT_NODISCARD fat_rc fat_lote_enviado(fat_store *st, int64_t id, const char *data, fat_err *err);
FAT_NODISCARD fat_rc fat_lote_protocolo(fat_store *st, int64_t id, const char *numero,
                                        const char *data, fat_err *err);
/* processado / pago / pago_parcial (set by the return side, Part F); a
** no-op when the lote already has that status. A corrected payment may move
** pago <-> pago_parcial. */
FAT_NODISCARD fat_rc fat_lote_situacao(fat_store *st, int64_t id, const char *status,
                                       const char *detalhe, fat_err *err);

/* ---- other messages about a sent lote (fat_lote_mensagem.c) ---- */

/* A message written, validated and kept in mensagem_enviada. */
typedef struct fat_lote_mensagem {
  int64_t id;              /* mensagem_enviada.id */
  char arquivo[96];        /* file name: status_|cancela_<lote 20 digits>_<hash>.xml */
  char hash[33];
  char *xml;               /* the bytes (ISO-8859-1); fat_lote_mensagem_fini */
  size_t len;
  int validado;            /* 1 when it passed the TISS XSD */
} fat_lote_mensagem;

void fat_lote_mensagem_fini(fat_lote_mensagem *m);

/* SOLIC_STATUS_PROTOCOLO for the protocolo of lote id: written with the TISS
** writer (the lote's prestador, operadora and hash encoding), validated
** against the XSD when xsd_dir is given (FAT_EXML with its errors, nothing
** kept), kept in mensagem_enviada and audited. FAT_ESTATE when the lote has
** no protocolo registered. */
FAT_NODISCARD fat_rc fat_lote_status_protocolo(fat_store *st, int64_t id, const char *xsd_dir,
                                               fat_lote_mensagem *out, fat_err *err);

/* CANCELA_GUIA for lote id: of the whole lote (n == 0) or of the guias whose
** números no prestador are guias[0..n) (each must be in the lote). Only for a
** lote already sent (FAT_ESTATE otherwise: before sending, reopen it).
** motivo is required and kept. Validated, kept and audited as above; no
** status changes: the operadora's answer decides. */
FAT_NODISCARD fat_rc fat_lote_cancelar(fat_store *st, int64_t id, const char *const *guias,
                                       size_t n, const char *motivo, const char *xsd_dir,
                                       fat_lote_mensagem *out, fat_err *err);

/* Messages kept for lote id: [{id, tipo, protocolo, guias, motivo, arquivo,
** hash, validado, criado_em, usuario}]. */
FAT_NODISCARD fat_rc fat_lote_mensagens(fat_store *st, int64_t id, cJSON **out, fat_err *err);

/* The stored XML of a lote (fat_free) and its file name. */
FAT_NODISCARD fat_rc fat_lote_xml(fat_store *st, int64_t id, char **xml, size_t *len,
                                  char arquivo[80], fat_err *err);

/* Listing with deadlines: array of lote objects (id, numero, operadora,
** tipo, competencia, periodo, status, qtd_guias, valor, prazo_envio,
** situacao_prazo: "atrasado" | "vence_em_breve" | "no_prazo" | "enviado",
** dias_para_prazo). operadora may be NULL; hoje NULL = today. */
FAT_NODISCARD fat_rc fat_lote_listar(fat_store *st, const char *operadora, const char *hoje,
                                     cJSON **out, fat_err *err);

/* Mapa de acompanhamento: per operadora and competência, the lotes with sent
** date, protocol, values (informado, liberado, glosado, recebido), expected
** payment date and situação. */
FAT_NODISCARD fat_rc fat_lote_mapa(fat_store *st, const char *operadora, const char *competencia,
                                   const char *hoje, cJSON **out, fat_err *err);

/* The mapa of one competência summed per operadora, for the panel: per
** operadora (registro_ans, operadora, competencia) its qtd_lotes, qtd_guias,
** valor_enviado, liberado, glosado and recebido (the sums of fat_lote_mapa's
** lotes) and situacoes: [{situacao, lotes}], the lotes per situação (the
** same words as fat_lote_mapa's). Reads the counters of migration 104: one
** row per operadora, status and expected payment date, not one per lote. */
FAT_NODISCARD fat_rc fat_lote_mapa_resumo(fat_store *st, const char *operadora,
                                          const char *competencia, const char *hoje,
                                          cJSON **out, fat_err *err);

/* The counters behind fat_lote_mapa_resumo (lote_mapa_mes, migration 104)
** as a recount from the lotes and their pagamentos: (competencia,
** operadora_id, status, previsao, n, guias, enviado, liberado, glosado,
** recebido) per key with lotes. fat_relatorio_recontar rebuilds the table
** from it and `faturo verificar` (lote_mapa_mes_recontado) compares them. */
#define FAT_LOTE_MAPA_MES_RECONTAGEM                                                        \
  "SELECT coalesce(l.competencia, '') AS competencia, l.operadora_id AS operadora_id,"      \
  " l.status AS status, coalesce(l.previsao_pagamento, '') AS previsao, count(*) AS n,"     \
  " sum(l.qtd_guias) AS guias, sum(coalesce(l.valor_informado, 0)) AS enviado,"             \
  " sum(coalesce(l.valor_liberado, 0)) AS liberado,"                                        \
  " sum(coalesce(l.valor_glosado, 0)) AS glosado,"                                          \
  " sum(coalesce(l.valor_recebido, (SELECT sum(p.valor) FROM pagamento p"                   \
  "  WHERE p.lote_id = l.id), 0)) AS recebido"                                              \
  " FROM lote l GROUP BY 1, 2, 3, 4"

/* Printable HTML relação de guias of a lote (pt-BR, escaped). *html fat_free. */
FAT_NODISCARD fat_rc fat_lote_relacao_html(fat_store *st, int64_t id, char **html, size_t *len,
                                           fat_err *err);

/* A lote's status (lote.status) as users read it: 'pago_parcial' is "pago em
** parte"; the other statuses are words already; unknown text as it is,
** NULL as "". */
const char *fat_lote_status_rotulo(const char *status);

#endif
