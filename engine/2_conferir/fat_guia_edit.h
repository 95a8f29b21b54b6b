/* fat_guia_edit.h: correct and cancel stored guias in faturo (Part L).
**
** Conferir says what is wrong ("corrija o valor", "cancele a cópia"); these
** functions do it. Each is one user action and one transaction:
**   editar   = the change (fat_guia_save: guia.revisao + 1, audited
**              guia.corrigir) + one revision row (fat_revisao.h: who, when,
**              which fields, old -> new) + the re-check of the guia by
**              conferir (fat_conferir, so the answer is stored and shown at
**              once) + the re-check of the guias whose open DUPLICIDADE
**              could have been this guia (they may be clean now);
**   cancelar = status 'cancelada' (+ 1 revision, audited guia.cancelar) and
**              the same re-check of its duplicates.
** Any failure leaves the store as it was.
**
** What may change (the state of the guia decides):
**   digitada, conferida, pendente (not in a lote): anything but the guia's
**     type, operadora and prestador (cancel and type a new guia instead);
**   in a lote not yet sent (aberto, fechado): nothing; reopen the lote
**     first (faturo lote reabrir), since its XML already carries the guia;
**   in a lote sent to the operadora (enviado and after): nothing, ever (TISS:
**     the operadora has it); cancel it at the operadora (CANCELA_GUIA,
**     faturo lote cancelar) and type a new guia;
**   cancelada: nothing.
** Refusals are FAT_ESTATE with a pt-BR message that says what to do.
**
** The patch (editar) is the guia's JSON form (docs/formatos.md) holding only
** what changes: a member set to a value replaces it, a member set to null
** removes it, nested objects (executante, beneficiario...) merge the same
** way. `itens` is a list of item changes, each naming the item by its
** número (`sequencial`, counted from 1):
**   {"sequencial": 2, "quantidade": "2"}    changes item 2
**   {"sequencial": 3, "remover": true}      removes item 3
**   {"codigo_tabela": "22", ...}            adds an item (número: the
**                                           given sequencial, else the next)
** Items not named stay as they are. When items change and the patch does not
** set valor_total, a guia whose total was the sum of its items gets the new
** sum. Unknown members are refused naming them ("campo desconhecido").
*/
#ifndef FAT_GUIA_EDIT_H
#define FAT_GUIA_EDIT_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_err.h"
#include "fat_rules.h"
#include "fat_store.h"

/* How a change is made. */
typedef struct fat_guia_edit_opts {
  fat_rules *rules;      /* live rules for the re-check (NULL: built-in checks only,
                            said in the answer's erro) */
  const char *hoje;      /* reference date of the re-check, AAAA-MM-DD; NULL = today */
  const char *motivo;    /* why: optional for editar, required for cancelar
                            (FAT_MOTIVO_MIN..FAT_MOTIVO_MAX characters when given) */
} fat_guia_edit_opts;

/* What a change did and what conferir answered right after it. */
typedef struct fat_guia_mudanca {
  int64_t guia_id;
  int64_t revisao;         /* the guia's revision after the change */
  cJSON *alteracoes;       /* owned: [{campo, rotulo, de, para, de_texto, para_texto}] */
  char status[16];         /* the guia's status after the re-check */
  int64_t bloqueios;       /* open (not acknowledged) bloqueios after the re-check */
  int64_t alertas;
  int64_t valor_risco;     /* centavos at risk in the guia */
  cJSON *achados;          /* owned: the guia's findings now (fat_achado_listar's shape) */
  char erro[700];          /* the re-check's script/pricing error; "" = none */
  size_t reconferidas;     /* other guias re-checked (their duplicate was this guia) */
} fat_guia_mudanca;

void fat_guia_mudanca_init(fat_guia_mudanca *m);
void fat_guia_mudanca_fini(fat_guia_mudanca *m);

/* The answer as JSON: {guia_id, revisao, alteracoes, status, bloqueios,
** alertas, valor_risco, achados, erro (absent when none), reconferidas,
** pronta_para_lote}. NULL on OOM. */
cJSON *fat_guia_mudanca_json(const fat_guia_mudanca *m);

/* Apply patch (see the file comment) to guia id, store it as a new
** revision and re-check it (see the file comment). FAT_ENOTFOUND: no such
** guia; FAT_ESTATE: the guia may not change (message says what to do);
** FAT_EINVAL: a bad patch or a value the guia's JSON form refuses (message
** names the field, items by número), or nothing changed. out is
** initialised here; fini it even on failure. */
FAT_NODISCARD fat_rc fat_guia_editar(fat_store *st, int64_t id, const cJSON *patch,
                                     const fat_guia_edit_opts *o, fat_guia_mudanca *out,
                                     fat_err *err);

/* Add "caminho = valor" to a patch (the CLI's --campo and the API's field
** list): caminho is a field of the JSON form, "obj.campo" for a nested
** object (executante.numero_conselho) or "itens[N].campo" for item número N;
** valor NULL or "" removes the field. Booleans take sim/não, true/false,
** 1/0. FAT_EINVAL for a malformed path. patch must be a JSON object. */
FAT_NODISCARD fat_rc fat_guia_patch_campo(cJSON *patch, const char *caminho, const char *valor,
                                          fat_err *err);

/* Add the removal of item número seq to a patch. */
FAT_NODISCARD fat_rc fat_guia_patch_remover_item(cJSON *patch, int seq, fat_err *err);

/* Cancel guia id with o->motivo (required): see the file comment. */
FAT_NODISCARD fat_rc fat_guia_cancelar(fat_store *st, int64_t id, const fat_guia_edit_opts *o,
                                       fat_guia_mudanca *out, fat_err *err);

/* The revisions of guia id (fat_revisao_listar's array), as the faturista
** reads them (a read of patient data: logged). */
FAT_NODISCARD fat_rc fat_guia_historico(fat_store *st, int64_t id, cJSON **out, fat_err *err);

/* Can guia id change now? FAT_OK, or FAT_ESTATE with the message of the
** file comment (FAT_ENOTFOUND when there is no such guia). */
FAT_NODISCARD fat_rc fat_guia_editavel(fat_store *st, int64_t id, fat_err *err);

#endif
