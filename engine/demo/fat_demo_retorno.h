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

#endif
