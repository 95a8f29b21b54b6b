/* fat_busca.h: look-ups for typing a guia (Part L): procedure codes from the
** loaded tables, beneficiários and profissionais from the cadastro.
**
** A search text of digits (dots, dashes and spaces ignored) matches codes,
** card numbers and documents from their start; other text matches names and
** descriptions containing every word (up to FAT_BUSCA_MAX_PALAVRAS, case
** ignored for A-Z). Texts shorter than 2 characters are FAT_EINVAL. limite
** 0 = FAT_BUSCA_LIMITE; at most FAT_BUSCA_LIMITE_MAX rows come back.
*/
#ifndef FAT_BUSCA_H
#define FAT_BUSCA_H

#include <cjson/cJSON.h>

#include "fat_err.h"
#include "fat_store.h"

#define FAT_BUSCA_LIMITE 20
#define FAT_BUSCA_LIMITE_MAX 100
#define FAT_BUSCA_MAX_PALAVRAS 4

/* Codes from TUSS (tuss_termo, any table), CBHPM (table 22), Brasíndice
** (table 20) and Simpro (table 19), vigentes on data (AAAA-MM-DD; NULL =
** any vigência), optionally of one TUSS table ("22", "18", "19", "20"):
** [{tabela, codigo, descricao, fonte ("tuss" | "cbhpm" | "brasindice" |
** "simpro")}], one row per table and code (TUSS first), by code. */
FAT_NODISCARD fat_rc fat_busca_procedimentos(fat_store *st, const char *termo,
                                             const char *tabela, const char *data, int limite,
                                             cJSON **out, fat_err *err);

/* Beneficiários by name, CPF, CNS or card number, each with its cards
** (optionally only cards of operadora: registro ANS, script key or id):
** [{id, nome, nome_social, cpf, cns, nascimento, sexo, carteiras:
** [{registro_ans, operadora, numero, validade, plano}]}]. Patient data: the
** caller records the read in the access log (fat_acesso_registrar with
** FAT_ACESSO_BENEFICIARIO), as every other read of patient data does. */
FAT_NODISCARD fat_rc fat_busca_beneficiarios(fat_store *st, const char *termo,
                                             const char *operadora, int limite, cJSON **out,
                                             fat_err *err);

/* Profissionais by name, CPF or council number: [{id, nome, cpf, conselho,
** numero_conselho, uf, cbo, especialidade}]. */
FAT_NODISCARD fat_rc fat_busca_profissionais(fat_store *st, const char *termo, int limite,
                                             cJSON **out, fat_err *err);

/* The registered prestadores (the clinics that bill), by name: [{id, nome,
** cnpj, cpf, cnes}] (cnpj or cpf null). Not patient data. At most
** FAT_BUSCA_LIMITE_MAX rows. */
FAT_NODISCARD fat_rc fat_busca_prestadores(fat_store *st, cJSON **out, fat_err *err);

#endif
