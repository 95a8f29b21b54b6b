/* fat_revisao.h: the revisions of a guia (Part L).
**
** Every change to a stored guia is a revision: guia.revisao goes up by one
** (fat_guia_save does it) and one row of guia_revisao (migration 040) says
** who, when, what kind of change (acao), why (motivo) and which fields went
** from what to what (alteracoes). Revision 1, the guia as it was imported
** or typed, has no row: fat_revisao_listar describes it from the guia.
**
** An alteração is one field: {"campo": path, "de": text|null, "para":
** text|null}, with the values in the guia's JSON form (docs/formatos.md:
** money "1234.56", quantities "1.0000", dates AAAA-MM-DD, booleans
** "true"/"false"). Paths name an item by its número (the item's
** `sequencial`, counted from 1 as the guia shows it), never by its position
** in the list: "itens[3].quantidade" is item 3 whatever its position, and an
** item added or removed is one alteração on "itens[3]" whose value is a
** summary of the item ("22 40301630 qtd 1.0000").
*/
#ifndef FAT_REVISAO_H
#define FAT_REVISAO_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_err.h"
#include "fat_store.h"

/* The alterações from one JSON form of a guia (fat_guia_to_json) to another:
** a new JSON array, in the order of the fields (guia, then items by número).
** The bookkeeping members (id, revisao, status, lote_id, origem, item ids)
** are not compared. An empty array when nothing changed. */
FAT_NODISCARD fat_rc fat_revisao_diff(const cJSON *antes, const cJSON *depois, cJSON **out,
                                      fat_err *err);

/* Record revision `revisao` of guia guia_id (who = the store's user, when =
** now) with acao ("editar", "cancelar", "reimportar", "anexar", ...), motivo
** (may be NULL) and the alterações (fat_revisao_diff's array; may be empty).
** Runs inside the caller's transaction. FAT_EDB when the revision exists. */
FAT_NODISCARD fat_rc fat_revisao_gravar(fat_store *st, int64_t guia_id, int64_t revisao,
                                        const char *acao, const char *motivo,
                                        const cJSON *alteracoes, fat_err *err);

/* The history of guia guia_id, oldest first: a JSON array of {revisao, em
** (UTC 'AAAA-MM-DDTHH:MM:SSZ'), usuario, acao, motivo, alteracoes: [{campo,
** rotulo, de, para, de_texto, para_texto}]}, where rotulo names the field
** for users ("item 3: quantidade") and *_texto are the values in Brazilian
** formats (R$ 1.234,56, DD/MM/AAAA, 1,5000, sim/não; "" when absent).
** Revision 1 is {revisao: 1, acao: "importar" (with origem) or "digitar",
** em: when the guia was created, usuario: who created it (audit), alteracoes:
** []}. FAT_ENOTFOUND when there is no such guia. */
FAT_NODISCARD fat_rc fat_revisao_listar(fat_store *st, int64_t guia_id, cJSON **out,
                                        fat_err *err);

/* Add rotulo, de_texto and para_texto (as in fat_revisao_listar) to each
** alteração of arr, in place. FAT_ENOMEM only. */
FAT_NODISCARD fat_rc fat_revisao_rotular(cJSON *alteracoes, fat_err *err);

/* The pt-BR label of a field path ("senha" -> "senha", "itens[3].quantidade"
** -> "item 3: quantidade", "executante.numero_conselho" -> "executante:
** número no conselho") into buf. Unknown names are kept as they are. */
void fat_revisao_rotulo(const char *campo, char *buf, size_t len);

/* A value of field `campo` in the JSON form, for users: money as R$ 1.234,56,
** quantities and factors with a decimal comma, dates DD/MM/AAAA, booleans
** sim/não; anything else as it is; "" for NULL. */
void fat_revisao_texto(const char *campo, const char *valor, char *buf, size_t len);

#endif
