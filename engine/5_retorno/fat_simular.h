/* fat_simular.h: learning from glosas (Part F).
**
** Two questions, both answered by the one evaluation of a guia (fat_avaliar,
** fat_avaliar.h: pricing, built-in checks, duplicates, the operator's script,
** de-duplication, exactly as conferir runs them) over guias already sent, on
** the day their lote was sent:
**  - for a glosa received: would a current rule have caught it before
**    sending? (the retorno import, fat_simular_prever_guias: glosa.prevista);
**  - for a draft script (`faturo regras simular`): over past guias, how many
**    glosas and how much money it would have caught, and how many paid
**    (unglosed) guias it would have blocked (false alarms).
**
** One definition of "caught" (fat_simular_preve) serves both, so `glosa
** resumo` (glosa.prevista) and `regras simular` with the current script
** agree by construction: a glosa is *prevista* when a finding of the
** evaluation of its guia, of either severity, on the guia or on the glosa's
** item, predicts the same TUSS code or a code of the same motive group
** (fat_glosa_grupo_builtin). Of those, the ones predicted by a bloqueio are
** *evitadas*: conferir would have held the guia back.
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

/* Does a finding of f predict glosa `codigo` on item item_seq (0 = the whole
** guia)? 2 = a finding predicts the same code, 1 = a code of the same motive
** group, 0 = none. A finding on an item predicts only glosas of that item or
** of the whole guia. bloqueio_only: only bloqueio findings count. *por (may
** be NULL) gets the index in f of the best predicting finding (the first on
** ties). */
int fat_simular_preve(const fat_findings *f, const char *codigo, int item_seq, int bloqueio_only,
                      size_t *por);

/* Set glosa.prevista / prevista_por for the glosas of each guia of
** guia_ids[0..n) (retorno_id 0 = all of its glosas, else only those of that
** retorno) by evaluating the guia under gen on the day its lote was sent.
** *n_prev (may be NULL) gets how many glosas were predicted. Writes only
** those two columns; runs in the caller's transaction. */
FAT_NODISCARD fat_rc fat_simular_prever_guias(fat_store *st, fat_gen *gen, const int64_t *guia_ids,
                                              size_t n, int64_t retorno_id, size_t *n_prev,
                                              fat_err *err);

/* The same for one guia. */
FAT_NODISCARD fat_rc fat_simular_prever_guia(fat_store *st, fat_gen *gen, int64_t guia_id,
                                             int64_t retorno_id, size_t *n_prev, fat_err *err);

typedef struct fat_simular_opts {
  const char *operadora;    /* registro ANS, script key or id (required;
                               fat_operadora_resolver) */
  const char *regras_dir;   /* rules folder (operators/, scripts/) */
  const char *script_path;  /* the draft operator script */
  const char *desde;        /* AAAA-MM-DD: guias attended from this date; NULL = all */
} fat_simular_opts;

typedef struct fat_simular_lado {
  size_t glosas_previstas;  /* glosas a finding predicted (fat_simular_preve) */
  int64_t valor_previsto;   /* their value, centavos */
  size_t glosas_evitadas;   /* of those, predicted by a bloqueio */
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
  cJSON *detalhes;          /* array, owned: per glosa predicted by the draft
                               {lado, tipo "glosa_prevista", guia, guia_id,
                               glosa_id, codigo, valor, achado, bloqueio} and per
                               false alarm {lado, tipo "falso_alarme", guia,
                               guia_id, achado} */
} fat_simular_res;

void fat_simular_res_fini(fat_simular_res *r);

/* Replay the operadora's answered guias (sent and answered, or with a
** glosa) under the draft and under the current scripts of o->regras_dir.
** Writes nothing. FAT_ENOTFOUND: unknown operadora; the draft not compiling
** is returned as its error, prefixed "o rascunho não compila: ". */
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
