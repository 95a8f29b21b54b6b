/* fat_simular.h: learning from glosas (Part F).
**
** Two questions, both answered by running conferir's checks (built-in checks
** of fat_check.h plus the operator's script through fat_gen_check) over guias
** already sent, on the date they were sent:
**  - for a glosa received: would a current rule have caught it before
**    sending? (a finding predicting that TUSS code on that guia/item);
**  - for a draft script (`faturo regras simular`): over past guias, how many
**    glosas and how much money it would have prevented, and how many paid
**    (unglosed) guias it would have blocked (false alarms).
** A glosa counts as prevented when a bloqueio finding on its guia (guia-level
** or on its item) predicts the same code, or a code of the same motive group.
*/
#ifndef FAT_SIMULAR_H
#define FAT_SIMULAR_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_err.h"
#include "fat_finding.h"
#include "fat_rules.h"
#include "fat_store.h"

/* Findings gen raises for stored guia guia_id as conferir would on date hoje
** (AAAA-MM-DD; NULL = the day its lote was sent, else its attendance date).
** Appended to out. */
FAT_NODISCARD fat_rc fat_simular_achados(fat_store *st, fat_gen *gen, int64_t guia_id,
                                         const char *hoje, fat_findings *out, fat_err *err);

/* Set glosa.prevista / prevista_por for the glosas of guia_id (retorno_id 0 =
** all of its glosas) by the findings of gen. *n_prev (may be NULL) gets how
** many were predicted. */
FAT_NODISCARD fat_rc fat_simular_prever_guia(fat_store *st, fat_gen *gen, int64_t guia_id,
                                             int64_t retorno_id, size_t *n_prev, fat_err *err);

typedef struct fat_simular_opts {
  const char *operadora;    /* registro ANS or script key (required) */
  const char *regras_dir;   /* rules folder (operators/, scripts/) */
  const char *script_path;  /* the draft operator script */
  const char *desde;        /* AAAA-MM-DD: guias attended from this date; NULL = all */
} fat_simular_opts;

typedef struct fat_simular_lado {
  size_t glosas_evitadas;   /* glosas a bloqueio finding predicted */
  int64_t valor_evitado;    /* their value, centavos */
  size_t guias_bloqueadas;  /* guias with any bloqueio */
  size_t falsos_alarmes;    /* paid guias without glosa that would be blocked */
  int64_t valor_falsos;     /* billed value of those guias */
} fat_simular_lado;

typedef struct fat_simular_res {
  size_t guias;             /* past guias examined (sent and answered) */
  size_t guias_glosadas;
  size_t guias_pagas;       /* answered without any glosa */
  size_t glosas;
  int64_t valor_glosado;
  fat_simular_lado rascunho;  /* the draft script */
  fat_simular_lado atual;     /* the rules as they are, for comparison */
  int tem_atual;            /* 0 when the current rules could not be built */
  cJSON *detalhes;          /* per glosa / false alarm (array), owned */
} fat_simular_res;

void fat_simular_res_fini(fat_simular_res *r);

FAT_NODISCARD fat_rc fat_simular_regras(fat_store *st, const fat_simular_opts *o,
                                        fat_simular_res *res, fat_err *err);

cJSON *fat_simular_res_json(const fat_simular_res *r);

/* fat_simular_regras with the panel's stored draft of operator key
** (fat_rascunho.h) as the draft script (Part K, fat_simular_rascunho.c).
** desde AAAA-MM-DD or NULL. FAT_ENOTFOUND when key has no draft. */
FAT_NODISCARD fat_rc fat_simular_rascunho(fat_store *st, const char *regras_dir,
                                          const char *key, const char *desde,
                                          fat_simular_res *res, fat_err *err);

#endif
