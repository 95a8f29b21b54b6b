/* fat_rotulo.h: the one list of labels users read instead of internal keys.
**
** Statuses, situations, guia types, roles, glosa groups, price steps and TISS
** transaction types are stored and exchanged as keys ('em_lote',
** 'pago_parcial', 'DEMONSTRATIVO_ANALISE_CONTA'); what the CLI prints and the
** panel shows is their pt-BR label ("em lote", "pago em parte",
** "demonstrativo de análise de conta"). Every label lives in one table here:
** the CLI reaches it through the modules' *_rotulo functions, the panel
** through GET /api/rotulos (fat_rotulo_json). A key without a label reads as
** itself.
*/
#ifndef FAT_ROTULO_H
#define FAT_ROTULO_H

#include <cjson/cJSON.h>

#include "fat_err.h"

/* The label of key chave in the kind tipo ("guia", "lote", "fatura", "glosa",
** "classificacao", "recurso", "papel", "grupo", "severidade", "passo",
** "grupo_preco", "tabela_preco", "tipo", "transacao"), or NULL when the kind
** or the key has none. Static storage. */
const char *fat_rotulo(const char *tipo, const char *chave);

/* fat_rotulo, falling back to chave itself ("" for NULL). */
const char *fat_rotulo_ou(const char *tipo, const char *chave);

/* Every kind and label as one JSON object {tipo: {chave: rótulo}} in *out
** (free with cJSON_Delete). */
FAT_NODISCARD fat_rc fat_rotulo_json(cJSON **out, fat_err *err);

#endif
