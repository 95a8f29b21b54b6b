/* fat_retorno.h: import of what the operator sends back (Part F). (The
** operator simulator of the demo and the tests is fat_demo_retorno.h.)
**
** Import matches protocolo -> lote -> guia (número no prestador, then na
** operadora) -> item (sequencial + código, then código + data, then código),
** records valor informado / processado / liberado per guia and item and every
** glosa (value, TUSS table 38 code), classifies each glosa (fat_glosa.h) and
** says whether a current rule would have caught it (fat_simular.h). It is:
**  - idempotent by the message, not by the bytes: a return is identified by
**    its type, operadora and number (numeroDemonstrativo, or the
**    numeroProtocolo of a protocolo de recebimento) and its content digest
**    (fat_tiss_msg.conteudo_sha256). The same return again (same bytes, or
**    re-indented, with a BOM, in another encoding) changes nothing;
**  - safe with corrections: the same number with another content is kept as a
**    conflict (retorno_conflito) and applies nothing until a person accepts it
**    (the old return's effects are replaced, never added to) or discards it;
**  - atomic: a malformed or hostile file stores nothing; one transaction;
**  - faithful: lines that match nothing are stored in retorno_pendencia and
**    listed, never dropped;
**  - strict about impossible values: an item whose values contradict each
**    other (a negative value, glosas larger than the item, liberado different
**    from informado minus glosado) gets no glosa; it is stored as a pendência
**    naming the guia and the item, and warned about;
**  - tolerant of the operator's other mistakes: totals that do not add up and
**    a hash that does not check are reported as avisos, and the file is still
**    imported.
*/
#ifndef FAT_RETORNO_H
#define FAT_RETORNO_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_err.h"
#include "fat_rules.h"
#include "fat_store.h"

typedef struct fat_retorno_res {
  int64_t retorno_id;       /* new (or, when ja_importado, the earlier) retorno id */
  int ja_importado;         /* 1: the same return was imported before, nothing changed */
  int64_t conflito_id;      /* > 0: a correction of retorno_id kept for a decision;
                            ** nothing was applied (see fat_retorno_conflito_aceitar) */
  char tipo[40];            /* PROTOCOLO_RECEBIMENTO, DEMONSTRATIVO_..., */
  char sha256[65];
  int hash_ok;              /* 1 checks, 0 does not, -1 the file has none */
  size_t n_protocolos, n_lotes;
  size_t n_guias, n_guias_casadas;
  size_t n_itens, n_itens_casados;
  size_t n_glosas;          /* glosas stored */
  size_t n_pendencias;      /* unmatched lines stored */
  size_t n_inconsistencias; /* items/guias with impossible values (no glosa stored) */
  size_t n_previstas;       /* glosas a current rule would have caught */
  int64_t valor_informado, valor_liberado, valor_glosado; /* as the file states them:
                            ** per protocolo its totals, else the sum of its guias */
  cJSON *avisos;            /* array of pt-BR strings (hash, totals, ...) */
  cJSON *pendencias;        /* array of objects: the unmatched lines */
} fat_retorno_res;

void fat_retorno_res_fini(fat_retorno_res *r);

/* Import the file at path. gen (may be NULL) gives the contracts (recurso
** deadline, prices) and the checks for "would a rule have caught it".
** On success fills *res (fini it). Errors store nothing. */
FAT_NODISCARD fat_rc fat_retorno_importar(fat_store *st, fat_gen *gen, const char *path,
                                          fat_retorno_res *res, fat_err *err);
/* Same for bytes in memory (name used in messages). */
FAT_NODISCARD fat_rc fat_retorno_importar_buf(fat_store *st, fat_gen *gen, const char *buf,
                                              size_t len, const char *name,
                                              fat_retorno_res *res, fat_err *err);

/* The result as JSON (owned by the caller). */
cJSON *fat_retorno_res_json(const fat_retorno_res *r);

/* Imported returns: [{id, tipo, arquivo, operadora, importado_em, hash_ok,
** valores..., numero_demonstrativo, pendencias, glosas, substituido_por (when
** an accepted correction replaced it), correcoes_pendentes}] newest first. */
FAT_NODISCARD fat_rc fat_retorno_listar(fat_store *st, cJSON **out, fat_err *err);

/* Unmatched lines (retorno_id 0 = all still open). */
FAT_NODISCARD fat_rc fat_retorno_pendencias(fat_store *st, int64_t retorno_id, cJSON **out,
                                            fat_err *err);

/* Corrections waiting for (or past) a decision: [{id, retorno_id, identidade,
** tipo, arquivo, recebido_em, usuario, diferencas, situacao, decidido_em,
** decidido_por, motivo, novo_retorno_id}], newest first; pendentes != 0: only
** those still 'pendente'. */
FAT_NODISCARD fat_rc fat_retorno_conflitos(fat_store *st, int pendentes, cJSON **out,
                                           fat_err *err);

/* Accept correction `id`: in one transaction the return it corrects loses its
** glosas (refused when any of them is no longer 'aberta': in a recurso, or
** recovered) and its payments, is marked substituido_por the new one, and the
** correction is imported as any return (res as fat_retorno_importar). motivo
** (required) is audited. FAT_ENOTFOUND, FAT_ESTATE (already decided, or the
** old return was replaced meanwhile), FAT_EINVAL (no motivo). */
FAT_NODISCARD fat_rc fat_retorno_conflito_aceitar(fat_store *st, fat_gen *gen, int64_t id,
                                                  const char *motivo, fat_retorno_res *res,
                                                  fat_err *err);

/* Discard correction `id` (nothing else changes); motivo required, audited. */
FAT_NODISCARD fat_rc fat_retorno_conflito_descartar(fat_store *st, int64_t id,
                                                    const char *motivo, fat_err *err);

#endif
