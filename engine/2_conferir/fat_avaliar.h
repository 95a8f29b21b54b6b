/* fat_avaliar.h: the one evaluation of a guia under a rules generation.
**
** Three callers ask the same question, "what would conferir find on this
** guia?", and must get the same answer:
**   - conferir (fat_conferir.h) evaluates and stores the findings;
**   - `regras simular` (fat_simular.h) evaluates past guias under a draft
**     and under the current rules and compares the findings with glosas;
**   - the retorno import asks, for each glosa received, whether a current
**     rule would have caught it (fat_simular_prever_guia).
** So there is one pipeline, fat_avaliar(), and it writes nothing:
**   1. pricing by the contract (fat_price_guia, through ctx->pricer): items
**      without a value receive the contract value (in memory: the caller
**      decides whether to store it; finding VALOR_PREENCHIDO), billed values
**      above/below the contract give PRECO_ACIMA/ABAIXO_CONTRATO, items the
**      contract cannot price give PRECO_NAO_ENCONTRADO;
**   2. the built-in checks (fat_check_guia) with the contract's deadline;
**   3. duplicates (DUPLICIDADE) against ctx->pares, the procedure items of
**      the beneficiário's other guias loaded by the caller; then the
**      contract's guia rules (fat_contrato_conferir: ANEXO_AUSENTE against
**      ctx->anexos, SESSOES_EXCEDIDAS);
**   4. the operator's script checks (fat_gen_check) with ctx = {hoje,
**      historico};
**   5. de-duplication: a script finding with the identity (fat_finding_chave)
**      of an earlier finding is dropped.
** A pricing or script failure of this guia (a broken contract, a script
** error, a budget hit) is not an error of the call: it is reported in
** out->erro and the other steps still run. Only out-of-memory and store
** failures make fat_avaliar fail.
**
** The context (reference date, contract deadline, history, duplicate
** candidates, price tables) is loaded by fat_avaliar_ctx_load() from a
** fat_avaliador, the per-run part (store, generation, pricer, contracts
** read once per operator).
*/
#ifndef FAT_AVALIAR_H
#define FAT_AVALIAR_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_check.h"
#include "fat_err.h"
#include "fat_finding.h"
#include "fat_model.h"
#include "fat_price.h"
#include "fat_rules.h"
#include "fat_store.h"

/* Everything one evaluation reads besides the guia and the generation.
** Filled by fat_avaliar_ctx_load (or by hand in tests); released with
** fat_avaliar_ctx_fini. */
typedef struct fat_avaliar_ctx {
  char hoje[11];                 /* reference date AAAA-MM-DD */
  int32_t hoje_dias;             /* the same, days since 1970-01-01 */
  int prazo_apresentacao_dias;   /* contract deadline; 0 = default (90) */
  fat_pricer *pricer;            /* borrowed; NULL = no pricing */
  fat_rules_hist *hist;          /* owned; the scripts' ctx.historico, one row per guia
                                    (valid when hist_loaded; texts in hist_mem) */
  size_t n_hist, cap_hist;
  struct fat_avaliar_mem *hist_mem; /* owned; the texts of hist */
  int hist_loaded;               /* hist holds the history (else none, or not loaded yet:
                                    see hist_av) */
  struct fat_avaliador *hist_av; /* set by fat_avaliar_ctx_load: the history is loaded
                                    from here (for hist_g) when a check first reads
                                    ctx.historico (fat_avaliar_ctx_historico); NULL =
                                    nothing to load */
  const fat_guia *hist_g;
  /* called once on the history just loaded (may be NULL): conferir replaces
  ** the statuses of guias its run already checked (fat_avaliar_hist_status) */
  fat_rc (*hist_fix)(void *ud, fat_rules_hist *rows, size_t n, fat_err *err);
  void *hist_fix_ud;
  fat_check_par *pares;          /* owned; duplicate candidates (fat_check.h) */
  size_t n_pares;
  char anexos[8][16];            /* types of the files attached to the guia (laudo, ...),
                                    read only when its contract requires some */
  size_t n_anexos;
} fat_avaliar_ctx;

void fat_avaliar_ctx_init(fat_avaliar_ctx *ctx);
void fat_avaliar_ctx_fini(fat_avaliar_ctx *ctx);

/* The result of one evaluation. Init before use; fini frees it. */
typedef struct fat_avaliacao {
  fat_findings achados;          /* in order: pricing, built-in, duplicates, script */
  int *preenchido;               /* per item index: value filled from the contract */
  size_t n_itens;                /* length of preenchido */
  size_t n_preenchidos;
  int64_t valor_total_novo;      /* new guia total after filling; FAT_ABSENT = unchanged */
  const char *script_sha256;     /* version of the operator script used (NULL: none);
                                    owned by the generation */
  int32_t reconferir_em;         /* first day the deadline check answers otherwise
                                    (days); INT32_MAX = time changes nothing */
  char erro[700];                /* pricing/script failure of this guia; "" = none */
} fat_avaliacao;

void fat_avaliacao_init(fat_avaliacao *a);
void fat_avaliacao_fini(fat_avaliacao *a);

/* Evaluate guia g under generation gen (may be NULL: built-in checks and
** duplicates only, said in out->erro) with the operator script `key` (the
** operadora's script key; NULL or unknown to gen: no pricing, no script,
** said in out->erro). g is modified only where pricing fills absent item
** values (and its total, see valor_total_novo). Writes nothing to the store;
** reads price tables through ctx->pricer. out is reset first.
** FAT_ENOMEM / FAT_EDB / FAT_EIO only; everything else is in out->erro. */
FAT_NODISCARD fat_rc fat_avaliar(fat_gen *gen, const char *key, fat_guia *g,
                                 fat_avaliar_ctx *ctx, fat_avaliacao *out, fat_err *err);

/* ---- the per-run part and the context loader ---- */

typedef struct fat_avaliador fat_avaliador;

/* An evaluator over store st with generation gen (borrowed; may be NULL).
** It owns a pricer (when gen is not NULL), which keeps the price-table
** answers it read (fat_pricer_cache), and caches each operator's contract
** deadline: make one per action (tables imported later are not seen by it).
** Release with fat_avaliador_free (NULL is a no-op). */
FAT_NODISCARD fat_rc fat_avaliador_new(fat_store *st, fat_gen *gen, fat_avaliador **out,
                                       fat_err *err);
void fat_avaliador_free(fat_avaliador *a);
fat_gen *fat_avaliador_gen(const fat_avaliador *a);
/* The price-table answers of `from` (fat_pricer_cache_share) made usable
** by evaluators of other threads of the same action; then
** fat_avaliador_prices_from(a, from) makes a use them (from outlives a). */
FAT_NODISCARD fat_rc fat_avaliador_share_prices(fat_avaliador *from, fat_err *err);
void fat_avaliador_prices_from(fat_avaliador *a, fat_avaliador *from);

/* Load the context to evaluate g on date hoje (AAAA-MM-DD, required):
** the contract deadline of g's operator, the pricer, the duplicate
** candidates (fat_check_par) and what the scripts' history needs (only when
** the operator has a script; the history itself is loaded when a check
** first reads ctx.historico: fat_avaliar_ctx_historico). g must outlive
** ctx. ctx is initialised here; fini it even on failure. */
#define FAT_HISTORICO_DIAS 90
FAT_NODISCARD fat_rc fat_avaliar_ctx_load(fat_avaliador *a, const fat_guia *g, const char *hoje,
                                          fat_avaliar_ctx *ctx, fat_err *err);

/* The scripts' history of ctx's guia, loaded now if it was not: the
** beneficiário's other guias at the same operadora with data_inicio in
** [data - FAT_HISTORICO_DIAS, data], at most 100, oldest first (then
** hist_fix). Sets ctx->hist_loaded and ctx->hist (none when ctx has no
** history to load); later calls return at once. FAT_EDB / FAT_ENOMEM. */
FAT_NODISCARD fat_rc fat_avaliar_ctx_historico(fat_avaliar_ctx *ctx, fat_err *err);

/* For a hist_fix: the status the scripts see for history row h becomes st
** (copied into the row; a row without a status keeps none). */
void fat_avaliar_hist_status(fat_rules_hist *h, const char *st);

/* Load stored guia guia_id, its context on date hoje and evaluate it (the
** guia in memory is discarded: filled values are not stored). hoje NULL =
** the day the guia's lote was sent (else closed, else its attendance date).
** FAT_ENOTFOUND when there is no such guia. */
FAT_NODISCARD fat_rc fat_avaliar_guia(fat_avaliador *a, int64_t guia_id, const char *hoje,
                                      fat_avaliacao *out, fat_err *err);

#endif
