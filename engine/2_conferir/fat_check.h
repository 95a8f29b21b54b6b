/* fat_check.h: the built-in pre-billing checks of conferir (Part C).
**
** Every check appends findings (fat_finding.h) with a stable code, a
** severity, the field path in the guia's JSON form (e.g.
** "itens[3].quantidade", 0-based like the JSON array), a pt-BR message that
** tells the faturista what to fix, the TUSS table 38 glosa it predicts, the
** value at risk in centavos and regra "builtin:<name>". docs/conferir.md
** lists every code.
**
** Every check here is pure: it reads only the guia, the options and, for
** duplicates, the candidates the caller loaded (fat_avaliar_ctx_load).
** Pricing findings come from fat_avaliar (fat_avaliar.h), the one pipeline
** that runs all of them.
*/
#ifndef FAT_CHECK_H
#define FAT_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_err.h"
#include "fat_finding.h"
#include "fat_model.h"

#define FAT_PRAZO_APRESENTACAO_PADRAO 90 /* days, when the contract says nothing */

typedef struct fat_check_opts {
  int32_t hoje;                /* reference date, days since 1970-01-01 */
  int prazo_apresentacao_dias; /* operator's deadline to present a guia; <= 0 = 90 */
} fat_check_opts;

/* Completeness, formats and check digits, coherence of dates and values,
** sex-specific procedures and the presentation deadline, over one guia. */
FAT_NODISCARD fat_rc fat_check_guia(const fat_guia *g, const fat_check_opts *o,
                                    fat_findings *out, fat_err *err);

/* A procedure item of another stored guia (not cancelled) of the same
** beneficiário (or, when the guia has no beneficiário row, of the same
** carteira at the same operadora): a candidate duplicate. */
typedef struct fat_check_par {
  int64_t guia_id;
  char numero_prestador[32];
  char status[16];
  char codigo[24];
  char data[11];            /* item date, else that guia's data_inicio */
} fat_check_par;

/* DUPLICIDADE: a procedure item of g whose code and date (the item's date,
** else g's data_inicio) are those of a candidate in pares[0..n) (another
** guia: candidates with g's own id are ignored). The same code twice in g on
** the same date is reported once; the matching candidate with the lowest
** guia id is named. */
FAT_NODISCARD fat_rc fat_check_duplicidade(const fat_guia *g, const fat_check_par *pares,
                                           size_t n, fat_findings *out, fat_err *err);

/* Required sex of a procedure code: 'F', 'M', or 0 when any sex may have it.
** The built-in list is small and documented in docs/conferir.md. */
char fat_check_sexo_exigido(const char *codigo);

/* The date from which the deadline check of g changes its answer (the first
** day PRAZO_EXCEDIDO applies), in days since epoch; INT32_MAX when the guia
** has no usable date. conferir stores it to know when to check again. */
int32_t fat_check_prazo_limite(const fat_guia *g, const fat_check_opts *o);

/* Value of a guia for "value at risk": the billed total, or the sum of the
** items' totals when the guia total is zero. */
int64_t fat_check_valor_guia(const fat_guia *g);

#endif
