/* fat_check.h: the built-in pre-billing checks of conferir (Part C).
**
** Every check appends findings (fat_finding.h) with a stable code, a
** severity, the field path in the guia's JSON form (e.g.
** "itens[3].quantidade", 0-based like the JSON array), a pt-BR message that
** tells the faturista what to fix, the TUSS table 38 glosa it predicts, the
** value at risk in centavos and regra "builtin:<name>". docs/conferir.md
** lists every code.
**
** The checks over one guia (fat_check_guia) are pure: they read only the
** guia and the options. Duplicates need the store (fat_check_duplicidade);
** pricing needs the contract and the price tables (fat_check_precos).
*/
#ifndef FAT_CHECK_H
#define FAT_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_err.h"
#include "fat_finding.h"
#include "fat_model.h"
#include "fat_store.h"

#define FAT_PRAZO_APRESENTACAO_PADRAO 90 /* days, when the contract says nothing */

typedef struct fat_check_opts {
  int32_t hoje;                /* reference date, days since 1970-01-01 */
  int prazo_apresentacao_dias; /* operator's deadline to present a guia; <= 0 = 90 */
} fat_check_opts;

/* Completeness, formats and check digits, coherence of dates and values,
** sex-specific procedures and the presentation deadline, over one guia. */
FAT_NODISCARD fat_rc fat_check_guia(const fat_guia *g, const fat_check_opts *o,
                                    fat_findings *out, fat_err *err);

/* DUPLICIDADE: another stored guia (not cancelled) of the same beneficiário
** with the same procedure code on the same date. The beneficiário is the
** registered one (beneficiario.id) or, when the guia has none, the carteira
** at the same operadora. The item's date defaults to the guia's data_inicio. */
FAT_NODISCARD fat_rc fat_check_duplicidade(fat_store *st, const fat_guia *g, fat_findings *out,
                                           fat_err *err);

/* Required sex of a procedure code: 'F', 'M', or 0 when any sex may have it.
** The built-in list is small and documented in docs/conferir.md. */
char fat_check_sexo_exigido(const char *codigo);

/* The operator's presentation deadline in days from its contract JSON
** (fat_gen_contract): "prazo_apresentacao_dias" at the top level, or
** "apresentacao": {"prazo_dias": N}. Returns 0 when the contract has none. */
int fat_check_prazo_contrato(const cJSON *contrato);

/* The date from which the deadline check of g changes its answer (the first
** day PRAZO_EXCEDIDO applies), in days since epoch; INT32_MAX when the guia
** has no usable date. conferir stores it to know when to check again. */
int32_t fat_check_prazo_limite(const fat_guia *g, const fat_check_opts *o);

/* Value of a guia for "value at risk": the billed total, or the sum of the
** items' totals when the guia total is zero. */
int64_t fat_check_valor_guia(const fat_guia *g);

#endif
