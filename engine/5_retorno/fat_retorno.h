/* fat_retorno.h: import of what the operator sends back, and a simulator of
** operator returns for tests and the demo (Part F).
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

/* ---- Operator simulator ---- */

typedef struct fat_retorno_sim {
  int64_t lote_id;          /* the lote (closed or later) */
  int taxa_bp;              /* share of clean guias glosed, basis points (1000 = 10%) */
  uint64_t semente;         /* same seed, same file */
  const char *data;         /* dataEmissao AAAA-MM-DD; NULL = today */
} fat_retorno_sim;

typedef struct fat_retorno_sim_res {
  char *xml;                /* ISO-8859-1 bytes; fat_free */
  size_t len;
  char hash[33];
  size_t n_guias, n_glosas, n_glosas_previstas;
  int64_t valor_informado, valor_glosado;
} fat_retorno_sim_res;

void fat_retorno_sim_res_fini(fat_retorno_sim_res *r);

/* Write a DEMONSTRATIVO_ANALISE_CONTA 4.01.00 for the lote as its operator
** would: glosas of realistic codes, preferring guias whose conferir findings
** predicted one (mostly the predicted code), plus some undue ones on clean
** guias (senha válida, preço de contrato, carteira válida). Hash in the
** operator's encoding (ISO-8859-1). Reads the store only. */
FAT_NODISCARD fat_rc fat_retorno_simular_operadora(fat_store *st, const fat_retorno_sim *opt,
                                                   fat_retorno_sim_res *out, fat_err *err);

/* Find a lote id by "ID", "#ID" or "OPERADORA/NUMERO" (registro ANS or
** script key and lote number). */
FAT_NODISCARD fat_rc fat_retorno_lote_ref(fat_store *st, const char *ref, int64_t *lote_id,
                                          fat_err *err);

#endif
