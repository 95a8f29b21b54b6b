/* fat_recurso.h: recursos de glosa (Part F).
**
** A recurso groups open glosas of one lote of one operadora: a RECURSO_GLOSA
** answers one protocolo, so glosas of several lotes become several recursos,
** each naming its own numeroLote and numeroProtocolo. Each glosa gets a
** justification drafted from the operator script's templates
** (contract.recurso.justificativas[codigo], markers {numero_guia}, {senha},
** {data_autorizacao}, {validade_senha}, {data_solicitacao}, {cid}, {data},
** {hora}, {item}, {codigo}, {procedimento}, {beneficiario}, {carteira},
** {valor}, {glosa}, {descricao_glosa}, {evidencia}; dates as DD/MM/AAAA; a
** part in [brackets] is left out when one of its markers has no value) or,
** without one, a generic pt-BR text built from the classification evidence.
** A marker the data cannot fill stays visible in the draft: the XML, the
** report and sending are refused naming that glosa until a person writes
** the justification (fat_recurso_editar). States: rascunho -> enviado ->
** protocolado -> respondido; a recurso is respondido when all its items are
** (deferido, deferido_parcial or indeferido by what its items got). Deadline:
** the operator's recurso.prazo_dias counted from the demonstrativo date.
*/
#ifndef FAT_RECURSO_H
#define FAT_RECURSO_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_err.h"
#include "fat_rules.h"
#include "fat_store.h"

/* The recursos one creation made (fat_recurso_criados_fini). */
typedef struct fat_recurso_criados {
  int64_t *ids;             /* recurso.id, one per lote (protocolo), by lote */
  size_t n;
} fat_recurso_criados;

void fat_recurso_criados_fini(fat_recurso_criados *r);

/* Create rascunhos from glosa ids (n > 0) or, when n == 0, from every open
** glosa of guia_id not classified as devida: one recurso per lote, all in
** one transaction. All glosas must be open, of one operadora and of a sent
** lote (FAT_ESTATE naming the glosa and guia otherwise). */
FAT_NODISCARD fat_rc fat_recurso_criar(fat_store *st, fat_gen *gen, const int64_t *glosas,
                                       size_t n, int64_t guia_id, fat_recurso_criados *out,
                                       fat_err *err);

/* Replace the justification of one item (recurso_item.id or glosa id) of a
** rascunho; 1..500 characters, with no {marker} left. */
FAT_NODISCARD fat_rc fat_recurso_editar(fat_store *st, int64_t id, int64_t item,
                                        const char *justificativa, fat_err *err);

/* RECURSO_GLOSA TISS 4.01.00 (Part E's writer) with its hash, naming the
** lote and protocolo of its glosas; validated against the XSD when xsd_dir is
** given (FAT_EXML with the errors when invalid). Stored in recurso.xml/hash.
** *xml (fat_free) and name (the file name, >= 80 bytes) for the caller;
** *validado set to 1 when validated. FAT_EINVAL naming the glosa when a
** justification still has a {marker}; FAT_ESTATE when the lote has no
** protocolo registered (or, for a recurso made before one recurso per lote,
** its glosas span lotes). */
FAT_NODISCARD fat_rc fat_recurso_xml(fat_store *st, fat_gen *gen, int64_t id,
                                     const char *xsd_dir, char **xml, size_t *len,
                                     char *name, size_t name_len, int *validado, fat_err *err);

/* Printable report: formato "html" or "csv" (UTF-8 with BOM, ';', decimal
** comma). *out fat_free. FAT_EINVAL naming the glosa when a justification
** still has a {marker}. */
FAT_NODISCARD fat_rc fat_recurso_relatorio(fat_store *st, int64_t id, const char *formato,
                                           char **out, size_t *len, fat_err *err);

/* rascunho -> enviado (data NULL = today); refused (FAT_EINVAL) while a
** justification has a {marker}. */
FAT_NODISCARD fat_rc fat_recurso_enviar(fat_store *st, int64_t id, const char *data,
                                        fat_err *err);
/* enviado -> protocolado. */
FAT_NODISCARD fat_rc fat_recurso_protocolo(fat_store *st, int64_t id, const char *numero,
                                           const char *data, fat_err *err);

/* The operator's answer. resultado: deferido | deferido_parcial | indeferido.
** valor: total recovered (FAT_ABSENT = by resultado: everything for deferido,
** nothing for indeferido; required for deferido_parcial unless per item).
** item/valor_item: one item's recovered value (item 0 = none); with an item,
** resultado may be NULL (the item's value is its answer). Answered
** glosas become recuperada / recuperada_parcial / perdida; the others stay
** em_recurso. The recurso is respondido only when every item has its answer,
** with the resultado its items give; until then it keeps its status and the
** value recovered so far. */
typedef struct fat_recurso_resposta {
  const char *resultado;
  int64_t valor;            /* FAT_ABSENT when not given */
  int64_t item;             /* recurso_item.id or glosa id; 0 = whole recurso */
  int64_t valor_item;
  const char *data;         /* NULL = today */
} fat_recurso_resposta;

FAT_NODISCARD fat_rc fat_recurso_responder(fat_store *st, int64_t id,
                                           const fat_recurso_resposta *r, fat_err *err);

/* The panel's short forms (Part K, fat_recurso_simples.c). */

/* fat_recurso_criar, then (when justificativa is not NULL or empty) the same
** justification on every item of every recurso made, in one transaction. */
FAT_NODISCARD fat_rc fat_recurso_criar_justificado(fat_store *st, fat_gen *gen,
                                                   const int64_t *glosas, size_t n,
                                                   int64_t guia_id, const char *justificativa,
                                                   fat_recurso_criados *out, fat_err *err);

/* The answer as the value granted: valor (centavos, 0..valor_recursado, or
** FAT_ABSENT) and resultado (NULL = deduced from valor: 0 indeferido, all
** deferido, else deferido_parcial), through fat_recurso_responder in one
** transaction. *resultado_out (may be NULL) gets the static result used. */
FAT_NODISCARD fat_rc fat_recurso_responder_valor(fat_store *st, int64_t id,
                                                 const char *resultado, int64_t valor,
                                                 const char **resultado_out, fat_err *err);

/* Recursos with their items: [{id, numero, operadora, lote, protocolo, status,
** prazo, atrasado, dias_para_prazo, valor_recursado, valor_recuperado,
** itens_respondidos, itens:[{id, glosa_id, guia, item, codigo,
** valor_recursado, valor_deferido, justificativa, justificativa_pendente}]}]
** (itens only for one recurso).
** hoje NULL = today. id 0 = all. */
FAT_NODISCARD fat_rc fat_recurso_listar(fat_store *st, int64_t id, const char *hoje, cJSON **out,
                                        fat_err *err);

/* A recurso's status or result (recurso.status, resultado) as users read it:
** 'deferido_parcial' is "deferido em parte"; the others are words already;
** unknown text as it is, NULL as "". */
const char *fat_recurso_situacao_rotulo(const char *k);

#endif
