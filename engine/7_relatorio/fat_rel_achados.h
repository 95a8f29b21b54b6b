/* fat_rel_achados.h: the finding worklist (Part L): the findings of
** conferir filtered by operadora, code, severity, competência and
** professional, with counts and R$ at risk per code, as a report document of
** fat_rel.h (so fat_rel_csv / fat_rel_xlsx export it like any report).
**
** Which findings: by default the open ones (not acknowledged) of guias not
** cancelled. The R$ at risk of a code is the sum of its findings'
** valor_risco (what conferir says the operator would glosar over that
** finding; docs/conferir.md).
*/
#ifndef FAT_REL_ACHADOS_H
#define FAT_REL_ACHADOS_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_err.h"
#include "fat_mem.h"
#include "fat_relatorio.h"
#include "fat_store.h"

/* Which findings: every member may be NULL / 0 (no filter). */
typedef struct fat_achados_filtro {
  const char *operadora;    /* registro ANS, script key or id */
  const char *codigo;       /* finding code, exact (case ignored) */
  const char *severidade;   /* "bloqueio" | "alerta" */
  const char *competencia;  /* AAAA-MM (or MM/AAAA) of the guia */
  const char *profissional; /* id, CPF, council number or part of the name: the
                               guia's executante or an item's professional */
  int64_t guia_id;          /* one guia (every finding of it, acknowledged too) */
  int reconhecidos;         /* 0 open only (default), 1 acknowledged only, 2 both */
  fat_pagina *pagina;       /* NULL: every line (CLI, exports); else one page of the
                               lines by keyset (guia, id), fat_relatorio.h */
} fat_achados_filtro;

/* The worklist for filter f (NULL = no filter) as a report document
** {relatorio: "achados", titulo, parametros, tabelas: [
**   "achados": one line per finding {id, guia_id, guia (número no
**     prestador), operadora, competencia, profissional, codigo, severidade
**     (Bloqueio | Alerta), campo, mensagem, valor_risco, criado_em,
**     reconhecido_em, reconhecido_por, reconhecido_motivo}, ordered by guia
**     and id; total {achados, guias, valor_risco};
**   "por_codigo": per code and severity {codigo, severidade, achados, guias,
**     valor_risco}, most money first; the same total]}.
** With f->pagina, "achados" holds at most pagina->limite lines after the
** cursor pagina->apos, and pagina->proximo is the cursor of the next page
** ("" after the last); the totals and "por_codigo" come with the first page
** only (apos NULL or ""): later pages carry the lines alone. A page walks
** the findings in (guia, id) order from the cursor and stops at the limit
** (unit.planos_web checks its plan). The totals and "por_codigo" are read
** from the counters of achado_resumo (migration 089, kept by triggers in the
** same transaction as every write of a finding or a guia) when the filter
** names only operadora, code, severity, competência and open or
** acknowledged; with a professional, one guia or reconhecidos 2 they are
** aggregated from the findings the filter matches. FAT_EINVAL for a cursor
** this function did not make.
** FAT_EINVAL naming the filter for a bad severity or competência or an
** unknown operadora. Reads only. */
FAT_NODISCARD fat_rc fat_rel_achados(fat_store *st, const fat_achados_filtro *f, cJSON **out,
                                     fat_err *err);

/* The worklist for filter f (NULL = no filter) as the CSV that fat_rel_csv
** writes of fat_rel_achados' document, byte for byte, handed to w (a
** fat_escrita of fat_mem.h) in pieces of ~64 KB as it is written: the lines
** are read in pages of FAT_PAGINA_MAX (f->pagina is ignored) inside one
** read transaction, so memory does not grow with the number of findings
** (the document of every open finding of a million guias held ~1 GB). The
** errors of fat_rel_achados, and any error of w, which stops the writer. */
FAT_NODISCARD fat_rc fat_rel_achados_csv_escrever(fat_store *st, const fat_achados_filtro *f,
                                                  fat_escrita w, void *u, fat_err *err);

/* What fat_rel_achados_cada hands over for each page: pass (0-based, below
** passadas), prim the document of the first page (fat_rel_achados' document
** with at most FAT_PAGINA_MAX lines in "achados", its total and
** "por_codigo"), pag the document of the current page (prim itself for the
** first page; a later page carries its "achados" lines alone), or NULL once
** after the last page of the pass. Both are borrowed for the call. A
** non-FAT_OK return stops the walk and is returned. */
typedef fat_rc (*fat_achados_pagina_fn)(void *u, int passada, const cJSON *prim,
                                        const cJSON *pag, fat_err *err);

/* The worklist for filter f (NULL = no filter; f->pagina is ignored) walked
** in pages of FAT_PAGINA_MAX lines inside one read transaction, passadas
** times (1 or 2; a printer that must know every cell's width before the
** first line walks twice over the same snapshot), calling cb for each page
** as fat_achados_pagina_fn says. Memory holds the first page and one other,
** whatever the number of findings. The errors of fat_rel_achados, FAT_EINVAL
** for passadas out of range, and cb's. Reads only; call it outside a write
** transaction (it ends its read transaction with a rollback). */
FAT_NODISCARD fat_rc fat_rel_achados_cada(fat_store *st, const fat_achados_filtro *f,
                                          int passadas, fat_achados_pagina_fn cb, void *u,
                                          fat_err *err);

/* The worklist for filter f as the workbook fat_rel_xlsx writes of
** fat_rel_achados' document (the same sheets and cells), written at path
** as the lines are read (fat_rel_achados_cada: memory does not grow with the
** number of findings). On error the file is removed. The errors of
** fat_rel_achados and of the writer (FAT_EIO; a sheet holds at most
** 1.048.576 rows, the format's limit). */
FAT_NODISCARD fat_rc fat_rel_achados_xlsx(fat_store *st, const fat_achados_filtro *f,
                                          const char *path, fat_err *err);

/* Acknowledge every finding the filter f selects (its open ones: f->reconhecidos
** must be 0; f->pagina is ignored) with one motivo, all or none, in one write
** transaction: the findings are read in pages of FAT_PAGINA_MAX inside it and
** each acknowledged as fat_achado_reconhecer does (audited on its own). The
** first that cannot be acknowledged fails the whole with its error prefixed
** "achado N: ". *n gets how many were acknowledged, *guias on how many distinct
** guias (both 0 when none matched: FAT_OK). The errors of fat_rel_achados, and
** FAT_EINVAL for a filter of acknowledged findings. */
FAT_NODISCARD fat_rc fat_rel_achados_reconhecer(fat_store *st, const fat_achados_filtro *f,
                                                const char *motivo, size_t *n, size_t *guias,
                                                fat_err *err);

/* The counters of achado_resumo recounted from the findings: a SELECT of
** (operadora_id, competencia, codigo, severidade, reconhecido, achados,
** guias, valor_risco), one row per non-empty group, with the definitions of
** schemas/089_achado_resumo.sql. fat_relatorio_recontar rebuilds the table
** from it; `faturo verificar` (achado_resumo_recontado) compares them. */
#define FAT_ACHADO_RESUMO_RECONTAGEM                                                        \
  "SELECT k.op AS operadora_id, k.comp AS competencia, k.codigo AS codigo,"                \
  " k.severidade AS severidade, k.rec AS reconhecido, count(*) AS achados,"                \
  " count(DISTINCT k.guia_id) AS guias, sum(k.valor_risco) AS valor_risco"                 \
  " FROM (SELECT coalesce(g.operadora_id, 0) AS op, coalesce(g.competencia, '') AS comp,"  \
  "  CASE WHEN w.cod THEN a.codigo ELSE '' END AS codigo,"                                 \
  "  CASE WHEN w.sev THEN a.severidade ELSE '' END AS severidade,"                         \
  "  a.reconhecido_em IS NOT NULL AS rec, a.guia_id AS guia_id, a.valor_risco AS valor_risco" \
  "  FROM achado a JOIN guia g ON g.id = a.guia_id,"                                       \
  "  (SELECT 1 AS cod, 1 AS sev UNION ALL SELECT 1, 0 UNION ALL SELECT 0, 1"              \
  "   UNION ALL SELECT 0, 0) w"                                                            \
  "  WHERE g.status <> 'cancelada') k"                                                     \
  " GROUP BY k.op, k.comp, k.codigo, k.severidade, k.rec"

/* guia_aberto recounted from the findings: a SELECT of (guia_id, bloqueios,
** alertas, risco_bloqueio, valor_risco), one row per guia with an open
** finding of its current revision (migrations 027/086).
** fat_relatorio_recontar rebuilds the table from it; `faturo verificar`
** (guia_aberto_recontado) compares them. */
#define FAT_GUIA_ABERTO_RECONTAGEM                                                            \
  "SELECT a.guia_id AS guia_id, sum(a.severidade = 'bloqueio') AS bloqueios,"                \
  " sum(a.severidade = 'alerta') AS alertas,"                                                \
  " sum(CASE WHEN a.severidade = 'bloqueio' THEN a.valor_risco ELSE 0 END) AS risco_bloqueio," \
  " sum(a.valor_risco) AS valor_risco"                                                       \
  " FROM achado a JOIN guia g ON g.id = a.guia_id"                                           \
  " WHERE a.guia_revisao = g.revisao AND a.reconhecido_em IS NULL GROUP BY a.guia_id"

#endif
