/* fat_digitacao.h: guias typed by hand (digitação, Part L).
**
** The panel's forms (one per guia type) and `faturo guia digitar` hold a guia
** in its JSON form (docs/formatos.md) and use four engine functions:
**   - fat_digitacao_avaliar: what conferir would say about the form as it is
**     now, without storing anything: the operator's required fields, check
**     digits, dates and deadlines, price by contract, duplicates against the
**     stored guias, the operator's script checks. It is fat_avaliar (the one
**     evaluator), on a guia resolved against the cadastro but not stored;
**   - a draft (rascunho): the form as the user left it, possibly incomplete,
**     kept apart from the guias (guia_rascunho, migration 040): no conferir
**     run, lote or report sees it;
**   - fat_digitacao_gravar: the form becomes a stored guia ready for conferir
**     (status digitada, audited guia.digitar), conferir checks it at once,
**     and its draft (if any) is deleted, in one transaction.
**
** Sessions (SP/SADT billed per session, as physiotherapy and psychology do):
** an item of the form may carry "sessoes": ["2025-03-03", "05/03/2025", ...]
** instead of one "data"; it stands for one item per date (same procedure,
** same quantity and values), numbered in order. The limit is the operator's
** contract (sessoes_max_por_guia / sessoes_por_procedimento, fat_contrato.h):
** the evaluation (fat_avaliar, so both fat_digitacao_avaliar and conferir)
** gives SESSOES_EXCEDIDAS when one procedure has more items in an SP/SADT
** guia than fat_contrato_sessoes_max allows. FAT_DIGITACAO_MAX_SESSOES only
** bounds the input (a list longer than any contract may allow).
*/
#ifndef FAT_DIGITACAO_H
#define FAT_DIGITACAO_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_err.h"
#include "fat_guia_edit.h"
#include "fat_rules.h"
#include "fat_store.h"

#define FAT_DIGITACAO_MAX_FORM (1024 * 1024) /* bytes of a draft's JSON form */
/* dates in one item's "sessoes": an input bound (the limit per guia is the
** contract's, at most this) */
#define FAT_DIGITACAO_MAX_SESSOES FAT_CONTRATO_MAX_SESSOES

/* The form with every item's "sessoes" expanded into one item per date (see
** the file comment); a new object (the form itself is not changed). A form
** without sessions comes back as an equal copy. FAT_EINVAL naming the item
** for a malformed list or date. */
FAT_NODISCARD fat_rc fat_digitacao_expandir(const cJSON *form, cJSON **out, fat_err *err);

/* Evaluate the form without storing it (reference date hoje, NULL = today;
** rules may be NULL: built-in checks only, said in erro). *out:
**   {valido: false, erros: [{campo, rotulo, mensagem}]}  when the form cannot
**     be read as a guia yet (the first problem, with its field: items by
**     número), or names an operadora/prestador not registered;
**   {valido: true, pronta: bool, bloqueios, alertas, valor_risco,
**    achados: [{codigo, severidade, campo, item, rotulo, mensagem,
**               glosa_prevista, valor_risco, regra}],
**    precos: [{item, valor_unitario, valor_total}] (values the contract
**             gives to items without one, centavos),
**    valor_total (centavos, after pricing), erro?,
**    sessoes: [{codigo, sessoes, max}] (SP/SADT whose contract limits the
**             sessions of a procedure: each such code, its items, the limit)}
**  otherwise.
** Only out-of-memory and store failures are errors of the call. */
FAT_NODISCARD fat_rc fat_digitacao_avaliar(fat_store *st, fat_rules *rules, const cJSON *form,
                                           const char *hoje, cJSON **out, fat_err *err);

/* Store the form as a new guia ready for conferir and re-check it (and the
** beneficiário's other open guias) at once; rascunho_id > 0: that draft is
** deleted in the same transaction (FAT_ENOTFOUND when there is no such
** draft). FAT_EINVAL naming the field when the form is not a valid guia;
** FAT_ESTATE when the operadora already has a guia with that número for
** that prestador (the message names it: correct it instead). out as in
** fat_guia_editar (revisao 1, alteracoes empty); fini it even on failure. */
FAT_NODISCARD fat_rc fat_digitacao_gravar(fat_store *st, const cJSON *form, int64_t rascunho_id,
                                          const fat_guia_edit_opts *o, fat_guia_mudanca *out,
                                          fat_err *err);

/* Save a draft: a new one (id 0; *novo_id gets its id) or over draft id.
** form must be a JSON object of at most FAT_DIGITACAO_MAX_FORM bytes
** (FAT_ELIMIT). Audited rascunho.salvar. */
FAT_NODISCARD fat_rc fat_digitacao_rascunho_salvar(fat_store *st, int64_t id, const cJSON *form,
                                                   int64_t *novo_id, fat_err *err);

/* The drafts, most recently changed first: [{id, tipo, registro_ans,
** operadora, numero_prestador, beneficiario_nome, criado_em, criado_por,
** atualizado_em, atualizado_por}]. */
FAT_NODISCARD fat_rc fat_digitacao_rascunhos(fat_store *st, cJSON **out, fat_err *err);

/* Draft id as {id, ..., guia: <the form>}; FAT_ENOTFOUND when there is none. */
FAT_NODISCARD fat_rc fat_digitacao_rascunho(fat_store *st, int64_t id, cJSON **out,
                                            fat_err *err);

/* Delete draft id (audited rascunho.apagar); FAT_ENOTFOUND when there is none. */
FAT_NODISCARD fat_rc fat_digitacao_rascunho_apagar(fat_store *st, int64_t id, fat_err *err);

#endif
