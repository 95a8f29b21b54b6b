/* fat_demo.h: the demonstration clinic (`faturo demo`).
**
** Builds, deterministically for a seed and a competência, a month of a
** clinic's billing: the price tables of rules/tabelas/demo, the prestador,
** the four operators of docs/dev/CONTRATOS-DEMO.md with their plans, about
** 2,000 beneficiaries (valid CPF/CNS), 20 professionals and N guias of the
** four TISS types priced exactly by each operator's contract (fat_price);
** then it injects the defect classes of CONTRATOS-DEMO.md at ~1.5% of the
** guias each and records every one in demo_defeito (guia_id, classe, detalhe).
**
** The random numbers come from our own splitmix64 generator seeded from
** (semente, competência), never rand(): the same inputs give the same rows
** on every machine.
*/
#ifndef FAT_DEMO_H
#define FAT_DEMO_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_err.h"
#include "fat_price.h"
#include "fat_store.h"

/* The defect classes, in the order of CONTRATOS-DEMO.md. */
#define FAT_DEMO_N_CLASSES 20
const char *fat_demo_classe(int i);

/* The largest demo (fat_demo_opcoes.n_guias). */
#define FAT_DEMO_MAX_GUIAS 1000000

typedef struct fat_demo_opcoes {
  int n_guias;            /* total guias, default 3000 (minimum 100, at most FAT_DEMO_MAX_GUIAS) */
  uint64_t semente;       /* default 1 */
  const char *competencia;/* AAAA-MM (required) */
  int n_beneficiarios;    /* 0 = fat_demo_beneficiarios(n_guias) */
} fat_demo_opcoes;

/* The default size of the beneficiary pool for n guias: 2,000, or n / 4 when
** larger (a beneficiary sees each professional once a month in the demo, so
** the pool grows with the guias). */
int fat_demo_beneficiarios(int n_guias);

typedef struct fat_demo_resumo {
  int n_guias;
  int por_tipo[4];                 /* by fat_guia_tipo */
  int n_itens;
  int n_beneficiarios;
  int n_profissionais;
  int n_com_defeito;               /* guias with at least one defect */
  int defeitos[FAT_DEMO_N_CLASSES];/* guias per class */
  int64_t valor_total;             /* sum of guia valor_total, centavos */
  int64_t ns_cadastro;             /* timings, nanoseconds */
  int64_t ns_guias;
} fat_demo_resumo;

/* Import every table of DIR/tabelas/demo (tuss, portes and cbhpm edition
** "demo", simpro, brasindice, negociada_<chave> for each demo operator) in
** the caller's transaction. *linhas (may be NULL) gets the rows imported. */
FAT_NODISCARD fat_rc fat_demo_tabelas(fat_store *st, const char *regras_dir, long *linhas,
                                      fat_err *err);

/* Generate the clinic into an empty store (FAT_ESTATE when it already has
** guias): cadastro, guias priced through p (whose contracts must be the demo
** operators' scripts), defects; all in one transaction (nested in the
** caller's, if open). The tables must be imported first. Memory does not
** grow with the number of guias: they are generated, written and freed in
** chunks of 2,000, each chunk receiving its share of every defect class (the
** beneficiaries are derived from their index, never held). */
FAT_NODISCARD fat_rc fat_demo_gerar(fat_store *st, fat_pricer *p, const fat_demo_opcoes *op,
                                    fat_demo_resumo *res, fat_err *err);

/* The demo's data step: fat_demo_tabelas then fat_demo_gerar, in one
** transaction (nested in the caller's, if open). While that transaction is
** open the connection keeps up to FAT_DEMO_PAGINAS_MB MiB of pages
** (FAT_STORE_PAGINAS_MB otherwise): at 1M guias its dirty pages no longer fit
** the usual cache, and each one spilled to the WAL was read back and written
** again (docs/desempenho.md, "demo de 1 milhão, rodada 6"). After it, the
** connection is back to the usual cache and the pages are given back to the
** system. The transaction keeps its statement journals in memory
** (fat_store_begin_bulk). *ns_tabelas (may be NULL) gets the time of the
** tables. */
#define FAT_DEMO_PAGINAS_MB 64
FAT_NODISCARD fat_rc fat_demo_dados(fat_store *st, fat_pricer *p, const char *regras_dir,
                                    const fat_demo_opcoes *op, long *linhas,
                                    fat_demo_resumo *res, int64_t *ns_tabelas, fat_err *err);

/* Pricing check after generation: prices every stored item and verifies that
** items left unpriced belong only to guias with a recorded CODIGO_INVALIDO
** defect and that items billed off-contract belong only to guias with a
** PRECO_ACIMA_CONTRATO, QUANTIDADE_INVALIDA or TOTAL_DIVERGENTE defect.
** *t receives the whole-database result (fat_price_todos_fini it);
** *inesperados the count of items that break that expectation (0 = ok). */
FAT_NODISCARD fat_rc fat_demo_conferir_precos(fat_store *st, fat_pricer *p, fat_price_todos *t,
                                              size_t *inesperados, fat_err *err);

/* Compare conferir's stored findings with demo_defeito: per defect class the
** number of guias injected, detected (a finding with the class's code) and
** recall; precision per class (guias flagged with the code that carry the
** class, the originals of DUPLICIDADE pairs excused); and over clean guias
** (no recorded defect) how many have a bloqueio. Set-based (a handful of
** statements whatever the number of guias).
** *out = {"classes":[{classe, codigo, injetadas, detectadas, recall,
** sinalizadas, corretas, precisao, exemplos_perdidos:[ids]}], "avaliadas": n,
** "limpas": n, "limpas_com_bloqueio": n, "precisao_limpas": x, "min_recall",
** "min_precisao", "falsos_alarmes": [{guia_id, codigo, mensagem}] (first 20),
** "ok": bool}; ok = every class with injetadas > 0 has recall >= min_recall
** and the clean precision is >= min_precisao. FAT_ESTATE when the store has
** no demo defects or no conferred guia. */
FAT_NODISCARD fat_rc fat_demo_avaliar(fat_store *st, double min_recall, double min_precisao,
                                      cJSON **out, fat_err *err);

#endif
