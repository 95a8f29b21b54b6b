/* fat_demo_retorno.h: an operadora's answer to a lote, for the demo and the
** tests (not billing: library faturo_demo).
**
** Writes, from a closed (or sent) lote, the DEMONSTRATIVO_ANALISE_CONTA
** 4.01.00 its operadora would send back: glosas of realistic TUSS table-38
** codes, preferring guias whose conferir findings predicted one (mostly with
** the predicted code), plus some undue ones on clean guias (senha válida,
** preço de contrato, carteira válida). The message is written with the TISS
** writer's building blocks (fat_tiss_write.h, cabeçalho da operadora) and
** hashed in ISO-8859-1. Deterministic: the same lote and seed give the same
** bytes. Reads the store only.
*/
#ifndef FAT_DEMO_RETORNO_H
#define FAT_DEMO_RETORNO_H

#include <stddef.h>
#include <stdint.h>

#include "fat_err.h"
#include "fat_store.h"

typedef struct fat_demo_retorno_opts {
  int64_t lote_id;          /* the lote (closed or later) */
  int taxa_bp;              /* share of clean guias glosed, basis points (1000 = 10%) */
  uint64_t semente;         /* same seed, same file */
  const char *data;         /* dataEmissao AAAA-MM-DD; NULL = today */
} fat_demo_retorno_opts;

typedef struct fat_demo_retorno_res {
  char *xml;                /* ISO-8859-1 bytes; fat_free (or fat_demo_retorno_res_fini) */
  size_t len;
  char hash[33];
  size_t n_guias, n_glosas, n_glosas_previstas;
  int64_t valor_informado, valor_glosado;
} fat_demo_retorno_res;

void fat_demo_retorno_res_fini(fat_demo_retorno_res *r);

/* Write the operadora's demonstrativo for opt->lote_id into *out (fini it).
** FAT_ENOTFOUND: no such lote; FAT_ESTATE: the lote is still open or has no
** guias. */
FAT_NODISCARD fat_rc fat_demo_retorno(fat_store *st, const fat_demo_retorno_opts *opt,
                                      fat_demo_retorno_res *out, fat_err *err);

/* The order in which the demo sends and answers n lotes (ids lotes[0..n)),
** into ordem[0..n) (indices into lotes, caller-allocated), and the number
** of guias of each lote into guias[0..n) (by the index in lotes; may be
** NULL). The guias of one lote lie thousands of ids apart (one operadora,
** prestador and type among all), on pages of guia and of its indexes shared
** with the lotes of the other operadoras that cover the same days: taking
** the lotes by the id of their first guia, as a merge of each operadora's
** lotes in their given order (which stays, so each operadora's glosas keep
** their relative order), lets one transaction of many lotes write each of
** those pages about once instead of once per operadora. Reads the store only.
** FAT_ENOTFOUND: an id that is not a lote. */
FAT_NODISCARD fat_rc fat_demo_retorno_ordem(fat_store *st, const int64_t *lotes, size_t n,
                                            size_t *ordem, int64_t *guias, fat_err *err);

/* The page cache of the store for the demo's retorno step: grande != 0 sets
** FAT_DEMO_PAGINAS_MB (the pages of one of its transactions stay in memory
** until the commit), 0 the store's default again (call it after the last
** commit: the pages are clean then and the cache shrinks). grande != 0 also
** lets the WAL grow to FAT_DEMO_RETORNO_CHECKPOINT_MB between checkpoints
** (fat_store_set_checkpoint_mb; the caller sets it back after the step):
** the guias of every lote lie all over the guia table, so each transaction
** of the step rewrites pages of guia and of its indexes that the ones before
** it rewrote too, and a checkpoint copies each page once however many
** transactions changed it (docs/desempenho.md, rodada 10). */
#define FAT_DEMO_RETORNO_CHECKPOINT_MB 512
FAT_NODISCARD fat_rc fat_demo_retorno_paginas(fat_store *st, int grande, fat_err *err);

#endif
