/* fat_recurso.h: recursos de glosa (Part F).
**
** A recurso groups open glosas of one operadora, with a justification per
** glosa drafted from the operator script's templates
** (contract.recurso.justificativas[codigo], markers {numero_guia}, {senha},
** {data_autorizacao}, {validade_senha}, {cid}, {data}, {item}, {codigo},
** {procedimento}, {valor}, {carteira}, {glosa}, {descricao_glosa},
** {evidencia}) or, without one, a generic pt-BR text built from the
** classification evidence. States: rascunho -> enviado -> protocolado ->
** respondido (deferido, deferido_parcial, indeferido). Deadline: the
** operator's recurso.prazo_dias counted from the demonstrativo date.
*/
#ifndef FAT_RECURSO_H
#define FAT_RECURSO_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_err.h"
#include "fat_rules.h"
#include "fat_store.h"

/* Create a rascunho from glosa ids (n > 0) or, when n == 0, from every open
** glosa of guia_id not classified as devida. All glosas must be open and of
** one operadora. *id gets recurso.id. */
FAT_NODISCARD fat_rc fat_recurso_criar(fat_store *st, fat_gen *gen, const int64_t *glosas,
                                       size_t n, int64_t guia_id, int64_t *id, fat_err *err);

/* Replace the justification of one item (recurso_item.id or glosa id) of a
** rascunho; 1..500 characters. */
FAT_NODISCARD fat_rc fat_recurso_editar(fat_store *st, int64_t id, int64_t item,
                                        const char *justificativa, fat_err *err);

/* RECURSO_GLOSA TISS 4.01.00 (Part E's writer) with its hash; validated
** against the XSD when xsd_dir is given (FAT_EXML with the errors when
** invalid). Stored in recurso.xml/hash. *xml (fat_free) and name (the file
** name, >= 80 bytes) for the caller; *validado set to 1 when validated. */
FAT_NODISCARD fat_rc fat_recurso_xml(fat_store *st, fat_gen *gen, int64_t id,
                                     const char *xsd_dir, char **xml, size_t *len,
                                     char *name, size_t name_len, int *validado, fat_err *err);

/* Printable report: formato "html" or "csv". *out fat_free. */
FAT_NODISCARD fat_rc fat_recurso_relatorio(fat_store *st, int64_t id, const char *formato,
                                           char **out, size_t *len, fat_err *err);

/* rascunho -> enviado (data NULL = today). */
FAT_NODISCARD fat_rc fat_recurso_enviar(fat_store *st, int64_t id, const char *data,
                                        fat_err *err);
/* enviado -> protocolado. */
FAT_NODISCARD fat_rc fat_recurso_protocolo(fat_store *st, int64_t id, const char *numero,
                                           const char *data, fat_err *err);

/* The operator's answer. resultado: deferido | deferido_parcial | indeferido.
** valor: total recovered (FAT_ABSENT = by resultado: everything for deferido,
** nothing for indeferido; required for deferido_parcial unless per item).
** item/valor_item: one item's recovered value (item 0 = none). Glosas become
** recuperada / recuperada_parcial / perdida. */
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
** justification on every item with fat_recurso_editar, in one transaction. */
FAT_NODISCARD fat_rc fat_recurso_criar_justificado(fat_store *st, fat_gen *gen,
                                                   const int64_t *glosas, size_t n,
                                                   int64_t guia_id, const char *justificativa,
                                                   int64_t *id, fat_err *err);

/* The answer as the value granted: valor (centavos, 0..valor_recursado, or
** FAT_ABSENT) and resultado (NULL = deduced from valor: 0 indeferido, all
** deferido, else deferido_parcial), through fat_recurso_responder in one
** transaction. *resultado_out (may be NULL) gets the static result used. */
FAT_NODISCARD fat_rc fat_recurso_responder_valor(fat_store *st, int64_t id,
                                                 const char *resultado, int64_t valor,
                                                 const char **resultado_out, fat_err *err);

/* Recursos with their items: [{id, numero, operadora, status, prazo,
** atrasado, dias_para_prazo, valor_recursado, valor_recuperado, itens:[..]}].
** hoje NULL = today. id 0 = all. */
FAT_NODISCARD fat_rc fat_recurso_listar(fat_store *st, int64_t id, const char *hoje, cJSON **out,
                                        fat_err *err);

#endif
