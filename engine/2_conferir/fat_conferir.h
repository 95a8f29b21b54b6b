/* fat_conferir.h: run conferir over stored guias, keep its findings, and
** the acknowledgement of findings (Part C).
**
** A run selects guias (by operadora, competência or id; only guias not yet
** in a lote: digitada, conferida, pendente), skips those unchanged since
** their last check, and for each of the others:
**   1. prices it by the contract (fat_price_guia): items without a value get
**      the contract value (stored, finding VALOR_PREENCHIDO), billed values
**      above/below the contract give PRECO_ACIMA/ABAIXO_CONTRATO;
**   2. runs the built-in checks (fat_check.h) and the duplicate search;
**   3. runs the operator's script checks (fat_gen_check) with
**      ctx = {hoje, historico}; a script error or budget hit is reported for
**      that guia (erro) and the run goes on;
**   4. replaces the guia's findings in `achado` (acknowledgements survive
**      when the same code + field reappears), sets its status to
**      'conferida' (no open bloqueio) or 'pendente', and records the check
**      in `conferencia`.
** Guias are written in chunks of FAT_CONFERIR_CHUNK per transaction; each
** guia's findings, status and conferencia row go in the same transaction,
** so an interrupted run leaves every guia either fully re-checked or as it
** was.
**
** A guia is "unchanged" when its revisao, its operator script's SHA-256 and
** the rule generation are those of its last check, the reference date did
** not go back, and the deadline check cannot have changed its answer
** (conferencia.reconferir_em), and the last check had no script error.
*/
#ifndef FAT_CONFERIR_H
#define FAT_CONFERIR_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_err.h"
#include "fat_finding.h"
#include "fat_rules.h"
#include "fat_store.h"

#define FAT_CONFERIR_CHUNK 500
#define FAT_HISTORICO_DIAS 90

typedef struct fat_conferir_opts {
  const char *operadora;   /* registro ANS or script key; NULL = every operadora */
  const char *competencia; /* AAAA-MM; NULL = any */
  int64_t guia_id;         /* > 0: only this guia (any status) */
  const char *hoje;        /* reference date AAAA-MM-DD; NULL = today */
  int todas;               /* 1: re-check unchanged guias too */
} fat_conferir_opts;

/* What the caller sees of one checked guia (valid during the callback). */
typedef struct fat_conferir_guia {
  int64_t guia_id;
  const char *numero_prestador;
  const char *operadora;        /* script key */
  const char *status;           /* new status */
  const fat_findings *achados;  /* stored findings, in order */
  const int64_t *achado_ids;    /* achado.id of each finding */
  const int *reconhecido;       /* 1 when the finding kept an acknowledgement */
  const char *erro;             /* script/pricing error of this guia, or NULL */
  int64_t valor_risco;          /* centavos at risk in this guia */
} fat_conferir_guia;

typedef void (*fat_conferir_cb)(void *ud, const fat_conferir_guia *r);

typedef struct fat_conferir_resumo {
  char hoje[11];
  size_t selecionadas;     /* guias matching the filters */
  size_t conferidas;       /* checked in this run */
  size_t sem_mudanca;      /* skipped: unchanged since the last check */
  size_t com_bloqueio;     /* checked guias with at least one bloqueio */
  size_t com_alerta;       /* checked guias with at least one alerta */
  size_t com_erro;         /* checked guias whose script/pricing failed */
  size_t achados;          /* findings stored in this run */
  size_t preenchidos;      /* item values filled from the contract */
  int64_t valor_risco;     /* centavos, over checked guias */
  size_t bloqueios_abertos;/* unacknowledged bloqueios over ALL selected guias */
  size_t guias_bloqueadas; /* selected guias with an unacknowledged bloqueio */
} fat_conferir_resumo;

/* Run conferir with the live generation of rules (may be NULL: built-in
** checks and no pricing/script checks, said in each guia's erro). cb may be
** NULL. */
FAT_NODISCARD fat_rc fat_conferir(fat_store *st, fat_rules *rules, const fat_conferir_opts *o,
                                  fat_conferir_cb cb, void *ud, fat_conferir_resumo *res,
                                  fat_err *err);

/* The compact history the scripts get as ctx.historico: the beneficiário's
** other guias at the same operadora with data_inicio in
** [data - FAT_HISTORICO_DIAS, data] (see docs/conferir.md for the shape).
** *out is a JSON array owned by the caller. */
FAT_NODISCARD fat_rc fat_conferir_historico(fat_store *st, int64_t guia_id, cJSON **out,
                                            fat_err *err);

/* ---- findings ---- */

/* Acknowledge finding `id` with a reason (required, audited as
** achado.reconhecer). When the guia has no unacknowledged bloqueio left and
** is 'pendente', it becomes 'conferida' (ready for a lote). *guia_id and
** *abertos (open bloqueios left on the guia) may be NULL.
** FAT_ENOTFOUND: no such finding; FAT_ESTATE: already acknowledged. */
FAT_NODISCARD fat_rc fat_achado_reconhecer(fat_store *st, int64_t id, const char *motivo,
                                           int64_t *guia_id, int64_t *abertos, fat_err *err);

/* The stored findings (guia_id > 0: of one guia; else all open ones, i.e.
** not acknowledged), as a JSON array of objects {id, guia_id,
** numero_prestador, codigo, severidade, campo, mensagem, glosa_prevista,
** valor_risco, regra, script_sha256, criado_em, reconhecido_em,
** reconhecido_por, reconhecido_motivo, linha (script line of the check)}. */
FAT_NODISCARD fat_rc fat_achado_listar(fat_store *st, int64_t guia_id, cJSON **out,
                                       fat_err *err);

#endif
