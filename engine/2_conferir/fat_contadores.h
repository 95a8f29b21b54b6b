/* fat_contadores.h: the finding counters conferir keeps for its own writes
** (migration 106; not for the CLI or the web).
**
** While conferir's transaction holds the row of conferir_contando, the
** triggers on achado leave achado_resumo and guia_aberto alone; conferir
** tells this module each guia's achado rows before and after its check, and
** the module writes what changed in those counters just before the commit
** (fat_contadores_end). Every other writer keeps using the triggers. */
#ifndef FAT_CONTADORES_H
#define FAT_CONTADORES_H

#include <stdint.h>

#include "fat_err.h"
#include "fat_store.h"

typedef struct fat_contadores fat_contadores;

FAT_NODISCARD fat_rc fat_contadores_new(fat_contadores **out, fat_err *err);
void fat_contadores_free(fat_contadores *c);

/* Inside a transaction just opened: write the gate row (the triggers on
** achado stop counting) and start with no change counted. */
FAT_NODISCARD fat_rc fat_contadores_begin(fat_contadores *c, fat_store *st, fat_err *err);

/* The guia whose rows come next: its id, operadora (0 = none), competência
** (NULL = none), status (achado_resumo leaves cancelled guias out;
** painel_operadora counts the guias a faturar; conferir changes a guia's
** status only among digitada, conferida and pendente) and revision
** (guia_aberto counts the rows of that revision only). */
void fat_contadores_guia(fat_contadores *c, int64_t guia_id, int64_t operadora_id,
                         const char *competencia, const char *status, int64_t revisao);

/* One achado row of the current guia: antes = 1 for a row it had before
** this check (it leaves), 0 for a row it has after it (it enters). */
FAT_NODISCARD fat_rc fat_contadores_achado(fat_contadores *c, int antes, const char *codigo,
                                           int bloqueio, int reconhecido, int64_t valor_risco,
                                           int64_t revisao, fat_err *err);

/* The current guia's rows are all told: settle its share of the counters. */
FAT_NODISCARD fat_rc fat_contadores_guia_fim(fat_contadores *c, fat_err *err);

/* Before the commit: write the counters' changes and delete the gate row.
** The caller commits next (or rolls back on failure). */
FAT_NODISCARD fat_rc fat_contadores_end(fat_contadores *c, fat_store *st, fat_err *err);

/* After a rollback: forget what was counted (the gate row went with it). */
void fat_contadores_clear(fat_contadores *c);

#endif
