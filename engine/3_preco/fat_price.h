/* fat_price.h: price an item (or a whole guia) by an operator's contract.
**
** The contract is the `precos` section of the operator's typed contract
** (fat_contrato.h, parsed once per rules generation; docs/precos.md describes
** the shape: integers only, money in centavos, percentages in basis points). Tables come from the store
** (fat_tabelas.h), chosen by the item's date of service, so a new edition or
** a reajuste applies by date.
**
** Arithmetic is integer only. Every step that yields money rounds to
** centavos once, half-up (or truncating when the contract says
** arredondamento = "truncar"); the item total is rounded once from
** unitário × quantidade × fator. Each result carries an explanation: the list
** of steps (table, porte, values, multipliers, rounding), printable in pt-BR
** and as JSON.
**
** Order of a CBHPM price (docs/precos.md):
**   negotiated override (final) | honorário = porte × fração → ajuste_bp →
**   plano (honorarios) → urgência → horário especial → auxiliar/anestesista;
**   + custo operacional (UCO × uco_centavos) + filme (m² × filme_centavos);
**   → plano/urgência/horário with aplica = "total" → reajustes;
**   fator from via de acesso; total = unitário × quantidade × fator.
*/
#ifndef FAT_PRICE_H
#define FAT_PRICE_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_err.h"
#include "fat_model.h"
#include "fat_rules.h"
#include "fat_store.h"

/* What is being priced. Strings may be NULL where noted. */
typedef struct fat_price_in {
  const char *registro_ans;   /* operadora (negotiated table key); NULL = no negotiated table */
  const char *codigo;         /* item code (required) */
  const char *codigo_tabela;  /* TUSS table "22", "18", "19", "20", "00", "98"; NULL = by tipo */
  const char *tipo;           /* item tipo (procedimento, material, medicamento, opme, taxa,
                                 diaria, gas); NULL = from codigo_tabela; when both are NULL
                                 the table comes from the TUSS terminology (tuss_termo),
                                 else procedimento */
  const char *data;           /* date of service AAAA-MM-DD (required) */
  const char *hora;           /* HH:MM[:SS] start of the act, NULL = unknown (no horário especial) */
  const char *acomodacao;     /* plan: enfermaria, apartamento, ambulatorial; NULL = none */
  int carater;                /* 1 eletivo, 2 urgência/emergência, 0 = not informed */
  int via;                    /* via de acesso: 0 not informed, 1 única, 2 mesma via, 3 diferentes */
  int principal;              /* 1 = the principal procedure of its guia (no via reduction) */
  const char *grau;           /* grau de participação ("00".."13"), NULL = cirurgião/único */
  int64_t quantidade_e4;      /* 10000 = 1 unit; must be > 0 */
} fat_price_in;

/* One explanation step. */
typedef struct fat_price_step {
  char passo[24];             /* stable id: "negociada", "porte", "ajuste", "plano", "urgencia",
                                 "horario_especial", "auxiliar", "anestesista", "uco", "filme",
                                 "unitario", "base", "reajuste", "fator", "total" */
  char texto[240];            /* pt-BR sentence */
  int64_t valor;              /* centavos after the step */
} fat_price_step;

#define FAT_PRICE_MAX_STEPS 24

typedef struct fat_price_out {
  int64_t valor_unitario;     /* centavos */
  int64_t fator_e2;           /* reducaoAcrescimo, 100 = 1,00 */
  int64_t valor_total;        /* centavos: unitário × quantidade × fator, rounded once */
  char grupo[16];             /* procedimentos, exames, materiais, medicamentos, taxas */
  char tabela[16];            /* cbhpm, negociada, simpro, brasindice */
  char descricao[160];        /* from the table used */
  int n_steps;
  int sem_passos;             /* set by fat_price.c when it prices a whole guia: the steps
                                 are not written (nobody reads them there) */
  fat_price_step steps[FAT_PRICE_MAX_STEPS];
} fat_price_out;

/* Price one item by the operator's typed contract (fat_gen_contrato).
** FAT_ENOTFOUND: the code is not in the table the contract points to (err
** says which); FAT_EINVAL: bad input. */
FAT_NODISCARD fat_rc fat_price_item_contrato(fat_store *st, const fat_contrato *c,
                                             const fat_price_in *in, fat_price_out *out,
                                             fat_err *err);

/* The same with a contract held as JSON (tests and tools: the whole contract
** or just its `precos` object), parsed by fat_contrato_precos_parse. FAT_EINVAL
** also for a contract field of the wrong shape (err names the field, e.g.
** "precos.procedimentos.ajuste_bp"). */
FAT_NODISCARD fat_rc fat_price_item_with_contract(fat_store *st, const cJSON *contract,
                                                  const fat_price_in *in, fat_price_out *out,
                                                  fat_err *err);

/* Print the explanation in pt-BR, one step per line, each line prefixed. */
void fat_price_explain(const fat_price_out *out, void (*emit)(void *ud, const char *line),
                       void *ud);

/* JSON of a result: {"valor_unitario":..,"fator":"1.00","valor_total":..,
** "grupo":..,"tabela":..,"descricao":..,"passos":[{"passo","texto","valor"}]}.
** NULL on OOM. */
cJSON *fat_price_to_json(const fat_price_out *out);

/* ---- A pricer: contracts cached per operator key, for many items ---- */

typedef struct fat_pricer fat_pricer;

/* Supplies the typed contract of an operator script key (borrowed: it must
** outlive the pricer). fat_pricer_new_gen adapts a rules generation. */
typedef fat_rc (*fat_contract_fn)(void *ud, const char *key, const fat_contrato **out,
                                  fat_err *err);

/* A pricer reading tables from st and contracts from fn(ud, key). */
FAT_NODISCARD fat_rc fat_pricer_new(fat_store *st, fat_contract_fn fn, void *ud, fat_pricer **out,
                                    fat_err *err);
/* A pricer whose contracts come from a rules generation (fat_gen_contrato);
** the generation must outlive the pricer. */
FAT_NODISCARD fat_rc fat_pricer_new_gen(fat_store *st, fat_gen *gen, fat_pricer **out,
                                        fat_err *err);
void fat_pricer_free(fat_pricer *p);
/* Keep the answers of the price tables from now on (fat_tabelas_cache.h):
** for a pricer that lives for one action, when the tables do not change
** during it (conferir). Freed with the pricer. */
FAT_NODISCARD fat_rc fat_pricer_cache(fat_pricer *p, fat_err *err);
/* Let the cache of `from` (fat_pricer_cache, made here when it has none) be
** used by other threads' pricers: then fat_pricer_cache_from(p, from), on
** any thread, makes p use it instead of a cache of its own. `from` must
** outlive p. The threads of one conferir share the answers this way (each
** one read the same rows of the tables again: ~8.5 thousand look-ups at 10
** thousand guias, rodada 9). */
FAT_NODISCARD fat_rc fat_pricer_cache_share(fat_pricer *from, fat_err *err);
void fat_pricer_cache_from(fat_pricer *p, fat_pricer *from);

/* Price one item for operator script key (contract fetched once per key). */
FAT_NODISCARD fat_rc fat_price_item(fat_pricer *p, const char *key, const fat_price_in *in,
                                    fat_price_out *out, fat_err *err);

/* ---- Whole guia (for `conferir`, the demo and `preco --todos`) ---- */

typedef struct fat_price_diff {
  int item_seq;               /* fat_item.sequencial */
  char codigo[24];
  int64_t cobrado_unitario;   /* as billed */
  int64_t esperado_unitario;  /* by the contract */
  int64_t cobrado_total;
  int64_t esperado_total;
  int64_t diferenca;          /* cobrado_total - esperado_total (> 0: above the contract) */
} fat_price_diff;

typedef struct fat_price_unpriced {
  int item_seq;
  char codigo[24];
  char motivo[512];           /* pt-BR, why it could not be priced */
} fat_price_unpriced;

typedef struct fat_price_report {
  size_t n_itens;             /* items looked at */
  size_t n_precificados;      /* items with a contract price */
  size_t n_preenchidos;       /* FAT_ABSENT values filled (preencher = 1) */
  int64_t total_esperado;     /* sum of the expected totals of priced items */
  fat_price_diff *diffs;      /* items billed with a different value */
  size_t n_diffs;
  fat_price_unpriced *unpriced;
  size_t n_unpriced;
} fat_price_report;

void fat_price_report_init(fat_price_report *r);
void fat_price_report_fini(fat_price_report *r);

/* Price every item of g by the contract of g->operadora.script on each item's
** date (item data, else guia data_inicio), the guia's plano acomodação and
** caráter. The principal procedure for via reductions is, among items with
** via 2 or 3 and the same grau de participação, the one with the highest
** unit price (first on ties); the others get the contract's reduction.
** When preencher is 1, items whose valor_unitario/valor_total are FAT_ABSENT
** receive the contract values (and fator_e2), and are counted in
** n_preenchidos; billed items whose total or unit differs from the contract
** are listed in diffs. Items that cannot be priced go to unpriced (not an
** error). Returns an error only for OOM/DB failures or a broken contract. */
FAT_NODISCARD fat_rc fat_price_guia(fat_pricer *p, fat_guia *g, int preencher,
                                    fat_price_report *rep, fat_err *err);

/* Same, with a contract held as JSON (tests and tools). */
FAT_NODISCARD fat_rc fat_price_guia_with_contract(fat_store *st, const cJSON *contract,
                                                  fat_guia *g, int preencher,
                                                  fat_price_report *rep, fat_err *err);

/* ---- The whole store (`preco --todos`) ---- */

/* One line of the whole-database check. */
typedef struct fat_price_todos_item {
  int64_t guia_id;
  int item_seq;
  char codigo[24];
  int64_t cobrado_total;
  int64_t esperado_total;     /* FAT_ABSENT when unpriced */
  char motivo[512];           /* unpriced: why */
} fat_price_todos_item;

typedef struct fat_price_todos {
  size_t n_guias, n_itens, n_precificados;
  int64_t total_cobrado;      /* sum of billed item totals that were priced */
  int64_t total_esperado;     /* sum of contract totals */
  fat_price_todos_item *sem_preco;
  size_t n_sem_preco;
  fat_price_todos_item *divergentes;
  size_t n_divergentes;
} fat_price_todos;

void fat_price_todos_fini(fat_price_todos *t);

/* Price every item of every guia in the store (read-only: nothing is
** written) and collect the unpriced and the divergent items. */
FAT_NODISCARD fat_rc fat_price_conferir_todos(fat_pricer *p, fat_price_todos *out, fat_err *err);

#endif
