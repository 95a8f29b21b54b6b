/* fat_cadastro.h: registration of prestadores, operadoras and planos.
**
** Import needs the operadora and the prestador to exist; these functions let a
** user create them without SQL (`faturo cadastro ...`). Each call is one
** transaction with one audit row. Calling again with the same key updates the
** row (idempotent), so a setup script can be re-run.
*/
#ifndef FAT_CADASTRO_H
#define FAT_CADASTRO_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_err.h"
#include "fat_store.h"

/* Copy the digits of s into out (size len); returns the number of digits,
** or -1 when s holds anything other than digits and ". - / space" or does
** not fit. */
int fat_digits_only(const char *s, char *out, size_t len);

/* Create or update (by CNPJ) a prestador. cnes may be NULL (7 digits when
** given). *id (may be NULL) receives its id. FAT_EINVAL on a bad CNPJ/CNES. */
FAT_NODISCARD fat_rc fat_cadastro_prestador(fat_store *st, const char *nome, const char *cnpj,
                                            const char *cnes, int64_t *id, fat_err *err);

/* Create or update (by registro ANS, 6 digits) an operadora whose rules are in
** rules/operators/<script>.lua. When codigo_prestador is given it records the
** clinic's code at this operadora for the prestador with CNPJ prestador_cnpj,
** or for the only registered prestador when prestador_cnpj is NULL. */
FAT_NODISCARD fat_rc fat_cadastro_operadora(fat_store *st, const char *registro_ans,
                                            const char *nome, const char *script,
                                            const char *codigo_prestador,
                                            const char *prestador_cnpj, int64_t *id,
                                            fat_err *err);

/* Create or update (by operadora + código) a plano. The operadora is named
** as fat_operadora_resolver accepts (registro ANS, script key or id).
** acomodacao is enfermaria, apartamento or ambulatorial. */
FAT_NODISCARD fat_rc fat_cadastro_plano(fat_store *st, const char *operadora,
                                        const char *codigo, const char *nome,
                                        const char *acomodacao, int64_t *id, fat_err *err);

/* Acomodação of a plan named by its code at that operadora, or directly by
** name (enfermaria, apartamento, ambulatorial), into acomodacao.
** FAT_ENOTFOUND (pt-BR) when the code is not a plan of that operadora. */
FAT_NODISCARD fat_rc fat_cadastro_plano_acomodacao(fat_store *st, int64_t operadora_id,
                                                   const char *plano, char acomodacao[16],
                                                   fat_err *err);

/* Everything registered, as
** {"prestadores":[{id,nome,cnpj,cpf,cnes}],
**  "operadoras":[{id,registro_ans,nome,script,ativa,codigos_prestador:[{cnpj,codigo}],
**                 planos:[{id,codigo,nome,acomodacao}]}]}.
** The caller frees *out with cJSON_Delete. */
FAT_NODISCARD fat_rc fat_cadastro_listar(fat_store *st, cJSON **out, fat_err *err);

#endif
