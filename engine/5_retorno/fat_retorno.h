/* fat_retorno.h: import of what the operator sends back (Part F). (The
** operator simulator of the demo and the tests is fat_demo_retorno.h.)
**
** Import matches protocolo -> lote -> guia (número no prestador, then na
** operadora) -> item (sequencial + código, then código + data, then código),
** records valor informado / processado / liberado per guia and item and every
** glosa (value, TUSS table 38 code), classifies each glosa (fat_glosa.h) and
** says whether a current rule would have caught it (fat_simular.h). It is:
**  - idempotent: a file already imported (same SHA-256) changes nothing;
**  - atomic: a malformed or hostile file stores nothing; one transaction;
**  - faithful: lines that match nothing are stored in retorno_pendencia and
**    listed, never dropped;
**  - tolerant of the operator's own mistakes: totals that do not add up and a
**    hash that does not check are reported as avisos, and the file is still
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
  int ja_importado;         /* 1: same file imported before, nothing changed */
  char tipo[40];            /* PROTOCOLO_RECEBIMENTO, DEMONSTRATIVO_..., */
  char sha256[65];
  int hash_ok;              /* 1 checks, 0 does not, -1 the file has none */
  size_t n_protocolos, n_lotes;
  size_t n_guias, n_guias_casadas;
  size_t n_itens, n_itens_casados;
  size_t n_glosas;          /* glosas stored */
  size_t n_pendencias;      /* unmatched lines stored */
  size_t n_previstas;       /* glosas a current rule would have caught */
  int64_t valor_informado, valor_liberado, valor_glosado;
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
** valores..., pendencias}] newest first. */
FAT_NODISCARD fat_rc fat_retorno_listar(fat_store *st, cJSON **out, fat_err *err);

/* Unmatched lines (retorno_id 0 = all still open). */
FAT_NODISCARD fat_rc fat_retorno_pendencias(fat_store *st, int64_t retorno_id, cJSON **out,
                                            fat_err *err);

#endif
