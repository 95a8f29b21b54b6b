/* fat_tabelas_cache.h: the table look-ups of one pricing action, kept.
**
** Pricing a run of guias asks the same rows again and again (the same code
** on the same date, the same porte of the same edition): one SQL look-up per
** item was ~10% of conferir. A cache remembers each answer (found or not
** found, with its message) under everything the look-up depends on: the
** kind of table, its edition or name (or the operator's registro ANS for the
** negotiated table), the code and the date. It belongs to one pricer, and a
** pricer lives for one action under one rules generation (fat_avaliador,
** conferir): tables imported meanwhile are seen by the next action. Engine
** internal (engine/3_preco).
*/
#ifndef FAT_TABELAS_CACHE_H
#define FAT_TABELAS_CACHE_H

#include "fat_tabelas.h"

typedef struct fat_tcache fat_tcache;

/* A new empty cache, or NULL when out of memory. */
fat_tcache *fat_tcache_new(void);
void fat_tcache_free(fat_tcache *c);
/* From now on c may be used by several threads at once (each look-up takes
** a read lock, shared with the other threads' look-ups; keeping an answer
** takes it alone; a miss reads the table through the caller's own
** connection).
** Call before c is handed to another thread. */
void fat_tcache_share(fat_tcache *c);

/* The look-ups of fat_tabelas.h through the cache c; with c NULL they go
** straight to the table. Answers other than FAT_OK and FAT_ENOTFOUND (a
** database error, out of memory) are not kept. */
FAT_NODISCARD fat_rc fat_tcache_cbhpm(fat_tcache *c, fat_store *st, const char *edicao,
                                      const char *codigo, const char *data,
                                      fat_cbhpm_proc *out, fat_err *err);
FAT_NODISCARD fat_rc fat_tcache_porte(fat_tcache *c, fat_store *st, const char *edicao,
                                      const char *porte, const char *data, int64_t *valor,
                                      char vigencia[11], fat_err *err);
FAT_NODISCARD fat_rc fat_tcache_insumo(fat_tcache *c, fat_store *st, const char *tabela,
                                       const char *codigo, const char *data,
                                       fat_insumo_preco *out, fat_err *err);
FAT_NODISCARD fat_rc fat_tcache_negociado(fat_tcache *c, fat_store *st,
                                          const char *registro_ans, const char *codigo,
                                          const char *data, int64_t *valor, char descricao[160],
                                          char vigencia[11], fat_err *err);
/* fat_tcache_negociado for pricing an item: a code the operator's table
** does not have on that date is FAT_ENOTFOUND without a message (err is left
** as it was: the item is then priced by the contract's tables, and the
** message, one formatted date and text per code and date, was dropped). */
FAT_NODISCARD fat_rc fat_tcache_negociado_preco(fat_tcache *c, fat_store *st,
                                                const char *registro_ans, const char *codigo,
                                                const char *data, int64_t *valor,
                                                char descricao[160], char vigencia[11],
                                                fat_err *err);
FAT_NODISCARD fat_rc fat_tcache_tuss(fat_tcache *c, fat_store *st, const char *codigo,
                                     const char *data, char tabela[4], char descricao[160],
                                     fat_err *err);

#endif
