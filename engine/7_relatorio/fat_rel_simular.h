/* fat_rel_simular.h: what a contract proposal changes in revenue (Part H,
** `faturo regras simular OPERADORA --script PROPOSTA.lua --precos`).
**
** The operadora's real production of the chosen competências (its guias
** not cancelled, item by item) is priced twice by the one pricer
** (fat_price_guia, engine/3_preco): under the current contract (a generation
** of the rules as they are) and under the proposal (a generation with the
** operadora's script replaced by the proposal, fat_gen_build's override).
** Each item is priced from scratch on both sides, with its guia's plan,
** caráter and via de acesso, on its date of service, so a new table, a
** deflator, a reajuste or a new UCO value shows up as it would have been
** billed. Nothing is written.
**
** The result is a report document of fat_rel.h ("relatorio":
** "simulacao_precos") with the tables "por_grupo" (per procedure group, the
** same groups as the produção report: {grupo, itens, faturado (as billed),
** atual, proposta, diferenca = proposta - atual, variacao (basis points of
** atual), sem_preco_atual, sem_preco_proposta}) and "por_mes" (per
** competência), each with its total. atual and proposta sum the items priced
** on both sides (the comparable ones); the items one side cannot price are
** counted apart, never mixed into the difference.
*/
#ifndef FAT_REL_SIMULAR_H
#define FAT_REL_SIMULAR_H

#include <cjson/cJSON.h>

#include "fat_err.h"
#include "fat_rules.h"
#include "fat_store.h"

/* Re-price the production of operadora (registro ANS, script key or id)
** with competência in [desde, ate] (AAAA-MM; ate NULL = the latest
** competência with guias of that operadora, desde NULL = two months before
** ate) under generation atual and under generation proposta (both borrowed;
** proposta must carry the operadora's script). FAT_EINVAL for a bad
** parameter or an unknown operadora; a contract either side cannot read is
** its error, prefixed with the side. */
FAT_NODISCARD fat_rc fat_rel_simular_precos(fat_store *st, fat_gen *atual, fat_gen *proposta,
                                            const char *operadora, const char *desde,
                                            const char *ate, cJSON **out, fat_err *err);

/* The same with the generations built from the rules folder regras_dir:
** atual = the folder as it is, proposta = the folder with the operadora's
** script replaced by the file script_path. A proposal that does not compile
** is refused with its error, prefixed "a proposta não compila: ". */
FAT_NODISCARD fat_rc fat_rel_simular_precos_script(fat_store *st, const char *regras_dir,
                                                   const char *operadora,
                                                   const char *script_path, const char *desde,
                                                   const char *ate, cJSON **out, fat_err *err);

/* The same with the panel's stored draft of operator script key as the
** proposal (fat_rascunho.h). FAT_ENOTFOUND when key has no draft. */
FAT_NODISCARD fat_rc fat_rel_simular_precos_rascunho(fat_store *st, const char *regras_dir,
                                                     const char *key, const char *desde,
                                                     const char *ate, cJSON **out,
                                                     fat_err *err);

#endif
