/* fat_rel_achados.c: the finding worklist (fat_rel_achados.h). */
#include "fat_rel_achados.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fat_conferir.h"
#include "fat_dia.h"
#include "fat_guias_int.h"
#include "fat_rel_int.h"

/* ?1 operadora id (-1 all), ?2 code, ?3 severity, ?4 competência AAAA-MM,
** ?5 professional text, ?6 its digits (CPF / council number), ?7 guia id (0
** all), ?8 reconhecidos (0 open, 1 acknowledged, 2 both). */
#define FONTE_FILTRO                                                                        \
  " WHERE ((?7 > 0 AND a.guia_id = ?7) OR (?7 <= 0 AND g.status <> 'cancelada'))"         \
  " AND (?1 = -1 OR g.operadora_id = ?1)"                                                   \
  " AND (?2 IS NULL OR a.codigo = upper(?2))"                                               \
  " AND (?3 IS NULL OR a.severidade = ?3)"                                                  \
  " AND (?4 IS NULL OR g.competencia = ?4)"                                                 \
  " AND (?8 = 2 OR (?8 = 1) = (a.reconhecido_em IS NOT NULL))"                              \
  " AND (?5 IS NULL OR EXISTS (SELECT 1 FROM profissional p"                                \
  "  WHERE (p.id = g.executante_id"                                                         \
  "   OR p.id IN (SELECT i.profissional_id FROM item i WHERE i.guia_id = g.id))"            \
  "  AND (CAST(p.id AS TEXT) = ?5 OR p.cpf = ?6 OR p.numero_conselho = ?5"                  \
  "   OR p.numero_conselho = ?6 OR p.nome LIKE '%' || ?5 || '%')))"

#define FONTE " FROM achado a JOIN guia g ON g.id = a.guia_id" FONTE_FILTRO
/* the same with the finding's item (its número) */
#define FONTE_ITEM                                                                          \
  " FROM achado a JOIN guia g ON g.id = a.guia_id LEFT JOIN item it ON it.id = a.item_id"   \
  FONTE_FILTRO

static const char sql_linhas[] =
    "SELECT a.id AS id, a.guia_id AS guia_id, g.numero_prestador AS guia,"
    " (SELECT nome FROM operadora o WHERE o.id = g.operadora_id) AS operadora,"
    " g.competencia AS competencia,"
    " (SELECT nome FROM profissional p WHERE p.id = g.executante_id) AS profissional,"
    " a.codigo AS codigo,"
    " CASE a.severidade WHEN 'bloqueio' THEN 'Bloqueio' ELSE 'Alerta' END AS severidade,"
    /* items by their número (1-based), as the guia shows them */
    " " FAT_ACHADO_CAMPO_SQL("a", "it") " AS campo, a.mensagem AS mensagem, a.valor_risco AS valor_risco,"
    " dia_local(a.criado_em) AS criado_em, dia_local(a.reconhecido_em)"
    " AS reconhecido_em, a.reconhecido_por AS reconhecido_por,"
    " a.reconhecido_motivo AS reconhecido_motivo" FONTE_ITEM " ORDER BY a.guia_id, a.id";
/* one page: ?9 guia and ?10 id of the cursor (0 0 for the first), ?11 limit;
** "a.guia_id >= ?9" bounds the walk of the index from the cursor */
static const char sql_pagina[] =
    "SELECT a.id AS id, a.guia_id AS guia_id, g.numero_prestador AS guia,"
    " (SELECT nome FROM operadora o WHERE o.id = g.operadora_id) AS operadora,"
    " g.competencia AS competencia,"
    " (SELECT nome FROM profissional p WHERE p.id = g.executante_id) AS profissional,"
    " a.codigo AS codigo,"
    " CASE a.severidade WHEN 'bloqueio' THEN 'Bloqueio' ELSE 'Alerta' END AS severidade,"
    " " FAT_ACHADO_CAMPO_SQL("a", "it") " AS campo, a.mensagem AS mensagem, a.valor_risco AS valor_risco,"
    " dia_local(a.criado_em) AS criado_em, dia_local(a.reconhecido_em)"
    " AS reconhecido_em, a.reconhecido_por AS reconhecido_por,"
    " a.reconhecido_motivo AS reconhecido_motivo" FONTE_ITEM
    " AND a.guia_id >= ?9 AND (a.guia_id > ?9 OR a.id > ?10)"
    " ORDER BY a.guia_id, a.id LIMIT ?11";
static const char sql_total[] =
    "SELECT count(*) AS achados, count(DISTINCT a.guia_id) AS guias,"
    " coalesce(sum(a.valor_risco), 0) AS valor_risco" FONTE;
static const char sql_codigo[] =
    "SELECT a.codigo AS codigo,"
    " CASE a.severidade WHEN 'bloqueio' THEN 'Bloqueio' ELSE 'Alerta' END AS severidade,"
    " count(*) AS achados, count(DISTINCT a.guia_id) AS guias,"
    " coalesce(sum(a.valor_risco), 0) AS valor_risco" FONTE
    " GROUP BY a.codigo, a.severidade ORDER BY 5 DESC, 3 DESC, 1";

/* The totals and the per-code table read from the counters of migration
** 089 (achado_resumo, kept by triggers), never the findings: ?1 operadora id
** (-1 all), ?2 code (NULL all), ?3 severity (NULL both), ?4 competência
** (NULL all), ?5 acknowledged (0 open, 1 acknowledged). A row per
** operadora and month adds up (a guia has one of each); the rows of '' code
** or severity are the distinct guias of the wider sets. */
#define RESUMO_FILTRO                                                                       \
  " FROM achado_resumo r WHERE r.reconhecido = ?5"                                          \
  " AND (?1 = -1 OR r.operadora_id = ?1) AND (?4 IS NULL OR r.competencia = ?4)"
static const char sql_total_resumo[] =
    "SELECT coalesce(sum(r.achados), 0) AS achados, coalesce(sum(r.guias), 0) AS guias,"
    " coalesce(sum(r.valor_risco), 0) AS valor_risco" RESUMO_FILTRO
    " AND r.codigo = coalesce(upper(?2), '') AND r.severidade = coalesce(?3, '')";
static const char sql_codigo_resumo[] =
    "SELECT r.codigo AS codigo,"
    " CASE r.severidade WHEN 'bloqueio' THEN 'Bloqueio' ELSE 'Alerta' END AS severidade,"
    " sum(r.achados) AS achados, sum(r.guias) AS guias, sum(r.valor_risco) AS valor_risco"
    RESUMO_FILTRO " AND r.codigo <> '' AND r.severidade <> ''"
    " AND (?2 IS NULL OR r.codigo = upper(?2)) AND (?3 IS NULL OR r.severidade = ?3)"
    " GROUP BY r.codigo, r.severidade HAVING sum(r.achados) > 0 ORDER BY 5 DESC, 3 DESC, 1";

static const rel_col cols_linhas[] = {
    {"id", "Achado", REL_INTEIRO},
    {"guia_id", "Id da guia", REL_INTEIRO},
    {"guia", "Guia", REL_TEXTO},
    {"operadora", "Operadora", REL_TEXTO},
    {"competencia", "Competência", REL_MES},
    {"profissional", "Profissional", REL_TEXTO},
    {"codigo", "Código", REL_TEXTO},
    {"severidade", "Severidade", REL_TEXTO},
    {"campo", "Campo", REL_TEXTO},
    {"mensagem", "Mensagem", REL_TEXTO},
    {"valor_risco", "Valor em risco", REL_DINHEIRO},
    {"criado_em", "Encontrado em", REL_DATA},
    {"reconhecido_em", "Reconhecido em", REL_DATA},
    {"reconhecido_por", "Reconhecido por", REL_TEXTO},
    {"reconhecido_motivo", "Motivo", REL_TEXTO},
};

static const rel_col cols_codigo[] = {
    {"codigo", "Código", REL_TEXTO},
    {"severidade", "Severidade", REL_TEXTO},
    {"achados", "Achados", REL_INTEIRO},
    {"guias", "Guias", REL_INTEIRO},
    {"valor_risco", "Valor em risco", REL_DINHEIRO},
};

static int so_digitos(const char *s, char *out, size_t len)
{
  size_t n = 0;

  for (; *s != '\0'; s++) {
    if (*s >= '0' && *s <= '9') {
      if (n + 1 >= len)
        return 0;
      out[n++] = *s;
    } else if (*s != '.' && *s != '-' && *s != '/' && *s != ' ') {
      return 0;
    }
  }
  out[n] = '\0';
  return n > 0;
}

/* The filters read and checked: operadora id, competência AAAA-MM. */
typedef struct filtro_lido {
  int64_t op;
  char comp[8];
  char digitos[32];
  int64_t apos_guia, apos_id; /* the page's cursor (0 0: first page) */
  int limite;                 /* lines per page (with f->pagina) */
  int seguinte;               /* 1: a page after the first */
  int resumo;                 /* 1: totals from achado_resumo (the filter is on
                                 its keys: no professional, guia or "todos") */
} filtro_lido;

static fat_rc ler_filtro(fat_store *st, const fat_achados_filtro *f, filtro_lido *l,
                         fat_err *err)
{
  fat_rel_params p;
  fat_rc rc;

  memset(l, 0, sizeof *l);
  memset(&p, 0, sizeof p);
  p.operadora = f->operadora;
  rc = rel_operadora(st, &p, &l->op, err);
  if (rc != FAT_OK)
    return rc;
  if (l->op == 0)
    return fat_err_set(err, FAT_EINVAL, "--operadora: particulares não têm achados de conferência");
  if (f->severidade != NULL && strcmp(f->severidade, "bloqueio") != 0 &&
      strcmp(f->severidade, "alerta") != 0)
    return fat_err_set(err, FAT_EINVAL, "--severidade '%s' inválida (bloqueio ou alerta)",
                       f->severidade);
  if (f->reconhecidos < 0 || f->reconhecidos > 2)
    return fat_err_set(err, FAT_EINVAL, "filtro de reconhecidos inválido");
  if (f->competencia != NULL) {
    const char *c = f->competencia;
    char dia[11];
    int32_t d;

    if (strlen(c) == 7 && c[2] == '/')
      snprintf(l->comp, sizeof l->comp, "%.4s-%.2s", c + 3, c);
    else
      snprintf(l->comp, sizeof l->comp, "%s", c);
    snprintf(dia, sizeof dia, "%s-01", l->comp);
    if (strlen(c) != 7 || fat_dia_parse(dia, &d) != 0)
      return fat_err_set(err, FAT_EINVAL, "--competencia '%s' inválida (use MM/AAAA)", c);
  }
  if (f->profissional != NULL && f->profissional[0] == '\0')
    return fat_err_set(err, FAT_EINVAL, "--profissional vazio");
  if (f->profissional != NULL && !so_digitos(f->profissional, l->digitos, sizeof l->digitos))
    l->digitos[0] = '\0';
  l->resumo = f->profissional == NULL && f->guia_id <= 0 && f->reconhecidos != 2;
  return FAT_OK;
}

static void bind_filtro(fat_stmt *s, const fat_achados_filtro *f, const filtro_lido *l)
{
  fat_bind_int(s, 1, l->op);
  fat_bind_text(s, 2, f->codigo != NULL && f->codigo[0] != '\0' ? f->codigo : NULL);
  fat_bind_text(s, 3, f->severidade);
  fat_bind_text(s, 4, l->comp[0] != '\0' ? l->comp : NULL);
  fat_bind_text(s, 5, f->profissional);
  fat_bind_text(s, 6, l->digitos[0] != '\0' ? l->digitos : NULL);
  fat_bind_int(s, 7, f->guia_id);
  fat_bind_int(s, 8, f->reconhecidos);
}

/* The counters' filter (sql_total_resumo, sql_codigo_resumo). */
static void bind_resumo(fat_stmt *s, const fat_achados_filtro *f, const filtro_lido *l)
{
  fat_bind_int(s, 1, l->op);
  fat_bind_text(s, 2, f->codigo != NULL && f->codigo[0] != '\0' ? f->codigo : NULL);
  fat_bind_text(s, 3, f->severidade);
  fat_bind_text(s, 4, l->comp[0] != '\0' ? l->comp : NULL);
  fat_bind_int(s, 5, f->reconhecidos);
}

/* Add a table of sql (lines) and, when com_total, its total. */
static fat_rc tabela(fat_store *st, cJSON *rel, const char *nome, const char *titulo,
                     const rel_col *cols, size_t n, const char *sql,
                     const fat_achados_filtro *f, const filtro_lido *l, int com_total,
                     fat_err *err)
{
  cJSON *tab;
  fat_stmt *s;
  fat_rc rc = rel_tabela(rel, nome, titulo, cols, n, &tab, err);

  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql, &s, err);
  if (rc == FAT_OK) {
    if (sql == sql_codigo_resumo)
      bind_resumo(s, f, l);
    else
      bind_filtro(s, f, l);
    if (sql == sql_pagina) {
      fat_bind_int(s, 9, l->apos_guia);
      fat_bind_int(s, 10, l->apos_id);
      fat_bind_int(s, 11, l->limite);
    }
    rc = rel_linhas(st, tab, s, err);
  }
  if (rc == FAT_OK && sql == sql_pagina) {
    const cJSON *linhas = cJSON_GetObjectItemCaseSensitive(tab, "linhas");
    const cJSON *ult = cJSON_GetArrayItem(linhas, cJSON_GetArraySize(linhas) - 1);

    f->pagina->proximo[0] = '\0';
    if (ult != NULL && cJSON_GetArraySize(linhas) >= l->limite)
      snprintf(f->pagina->proximo, sizeof f->pagina->proximo, "%lld.%lld",
               (long long)rel_int(ult, "guia_id"), (long long)rel_int(ult, "id"));
  }
  if (rc == FAT_OK && com_total)
    rc = fat_store_prepare(st, l->resumo ? sql_total_resumo : sql_total, &s, err);
  if (rc == FAT_OK && com_total) {
    if (l->resumo)
      bind_resumo(s, f, l);
    else
      bind_filtro(s, f, l);
    rc = rel_total(st, tab, s, err);
  }
  return rc;
}

/* The page asked for: limit and cursor "guia.id" (fat_rel_achados made it). */
static fat_rc ler_pagina(const fat_pagina *p, filtro_lido *l, fat_err *err)
{
  const char *c = p->apos;
  char *fim = NULL;

  l->limite = p->limite == 0 ? 50 : p->limite;
  if (l->limite < 1 || l->limite > FAT_PAGINA_MAX)
    return fat_err_set(err, FAT_EINVAL, "limite deve estar entre 1 e %d", FAT_PAGINA_MAX);
  if (c == NULL || c[0] == '\0')
    return FAT_OK;
  l->apos_guia = strtoll(c, &fim, 10);
  if (fim == c || *fim != '.' || l->apos_guia < 0)
    return fat_err_set(err, FAT_EINVAL, "cursor de página inválido");
  c = fim + 1;
  l->apos_id = strtoll(c, &fim, 10);
  if (fim == c || *fim != '\0' || l->apos_id < 0)
    return fat_err_set(err, FAT_EINVAL, "cursor de página inválido");
  l->seguinte = 1;
  return FAT_OK;
}

fat_rc fat_rel_achados(fat_store *st, const fat_achados_filtro *f, cJSON **out, fat_err *err)
{
  fat_achados_filtro vazio;
  filtro_lido l;
  cJSON *rel = NULL;
  char gid[24];
  fat_rc rc;

  *out = NULL;
  if (f == NULL) {
    memset(&vazio, 0, sizeof vazio);
    f = &vazio;
  }
  rc = ler_filtro(st, f, &l, err);
  if (rc == FAT_OK && f->pagina != NULL)
    rc = ler_pagina(f->pagina, &l, err);
  if (rc != FAT_OK)
    return rc;
  rel = rel_novo("achados", "Achados da conferência");
  if (rel == NULL)
    return fat_err_oom(err);
  snprintf(gid, sizeof gid, "%lld", (long long)f->guia_id);
  rc = rel_param(rel, "operadora", f->operadora, err);
  if (rc == FAT_OK)
    rc = rel_param(rel, "codigo", f->codigo, err);
  if (rc == FAT_OK)
    rc = rel_param(rel, "severidade", f->severidade, err);
  if (rc == FAT_OK)
    rc = rel_param(rel, "competencia", l.comp[0] != '\0' ? l.comp : NULL, err);
  if (rc == FAT_OK)
    rc = rel_param(rel, "profissional", f->profissional, err);
  if (rc == FAT_OK)
    rc = rel_param(rel, "guia", f->guia_id > 0 ? gid : NULL, err);
  if (rc == FAT_OK)
    rc = rel_param(rel, "reconhecidos",
                   f->reconhecidos == 0 ? "nao" : f->reconhecidos == 1 ? "sim" : "todos", err);
  if (rc == FAT_OK)
    rc = tabela(st, rel, "achados", "Achados", cols_linhas, REL_NCOLS(cols_linhas),
                f->pagina != NULL ? sql_pagina : sql_linhas, f, &l, !l.seguinte, err);
  if (rc == FAT_OK && !l.seguinte)
    rc = tabela(st, rel, "por_codigo", "Por código", cols_codigo, REL_NCOLS(cols_codigo),
                l.resumo ? sql_codigo_resumo : sql_codigo, f, &l, 1, err);
  if (rc != FAT_OK) {
    cJSON_Delete(rel);
    return rc;
  }
  *out = rel;
  return FAT_OK;
}

/* The first table of a worklist document ("achados"; fat_rel_achados always
** adds it), or an empty one. */
static const cJSON *primeira_tabela(const cJSON *rel)
{
  static const cJSON vazia; /* no columns: rel_csv_tabela writes nothing */
  const cJSON *t = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(rel, "tabelas"), 0);

  return t != NULL ? t : &vazia;
}

fat_rc fat_rel_achados_cada(fat_store *st, const fat_achados_filtro *f, int passadas,
                            fat_achados_pagina_fn cb, void *u, fat_err *err)
{
  fat_achados_filtro g;
  fat_pagina p;
  cJSON *prim = NULL, *pag = NULL;
  char segunda[FAT_CURSOR_MAX], cursor[FAT_CURSOR_MAX];
  int k;
  fat_rc rc;

  if (passadas < 1 || passadas > 2)
    return fat_err_set(err, FAT_EINVAL, "passadas deve ser 1 ou 2");
  if (f != NULL)
    g = *f;
  else
    memset(&g, 0, sizeof g);
  memset(&p, 0, sizeof p);
  p.limite = FAT_PAGINA_MAX;
  g.pagina = &p;
  /* the pages, the totals and "por_codigo" all of one snapshot */
  rc = fat_store_begin_read(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_rel_achados(st, &g, &prim, err);
  if (rc == FAT_OK)
    snprintf(segunda, sizeof segunda, "%s", p.proximo);
  for (k = 0; k < passadas && rc == FAT_OK; k++) {
    rc = cb(u, k, prim, prim, err);
    snprintf(cursor, sizeof cursor, "%s", segunda);
    while (rc == FAT_OK && cursor[0] != '\0') {
      p.apos = cursor;
      rc = fat_rel_achados(st, &g, &pag, err);
      if (rc == FAT_OK)
        rc = cb(u, k, prim, pag, err);
      cJSON_Delete(pag);
      pag = NULL;
      if (rc == FAT_OK)
        snprintf(cursor, sizeof cursor, "%s", p.proximo);
    }
    if (rc == FAT_OK)
      rc = cb(u, k, prim, NULL, err);
  }
  cJSON_Delete(prim);
  fat_store_rollback(st);
  return rc;
}

/* The CSV of fat_rel_achados_csv_escrever, page by page. */
typedef struct achados_csv {
  rel_csv c;
  int aberto; /* rel_csv_abrir succeeded: rel_csv_fechar is owed */
} achados_csv;

static fat_rc csv_pagina(void *u, int passada, const cJSON *prim, const cJSON *pag,
                         fat_err *err)
{
  achados_csv *a = u;
  const cJSON *tab = primeira_tabela(prim), *t;
  fat_rc rc = FAT_OK;

  (void)passada;
  if (pag == prim) {
    return rel_csv_tabela(&a->c, tab, REL_CSV_CABECALHO | REL_CSV_LINHAS, err);
  }
  if (pag != NULL)
    return rel_csv_tabela(&a->c, primeira_tabela(pag), REL_CSV_LINHAS, err);
  /* after the last page: the total, then "por_codigo" whole */
  rc = rel_csv_tabela(&a->c, tab, REL_CSV_TOTAL, err);
  for (t = tab->next; t != NULL && rc == FAT_OK; t = t->next)
    rc = rel_csv_tabela(&a->c, t, REL_CSV_CABECALHO | REL_CSV_LINHAS | REL_CSV_TOTAL, err);
  return rc;
}

/* The first call opens the writer (it needs the document's title). */
static fat_rc csv_pagina_abre(void *u, int passada, const cJSON *prim, const cJSON *pag,
                              fat_err *err)
{
  achados_csv *a = u;

  if (!a->aberto) {
    fat_escrita w = a->c.esc;
    void *wu = a->c.u;
    fat_rc rc = rel_csv_abrir(&a->c, prim, w, wu, err);

    if (rc != FAT_OK)
      return rc;
    a->aberto = 1;
  }
  return csv_pagina(u, passada, prim, pag, err);
}

fat_rc fat_rel_achados_csv_escrever(fat_store *st, const fat_achados_filtro *f, fat_escrita w,
                                    void *u, fat_err *err)
{
  achados_csv a;
  fat_rc rc, fim = FAT_OK;

  memset(&a, 0, sizeof a);
  a.c.esc = w;
  a.c.u = u;
  rc = fat_rel_achados_cada(st, f, 1, csv_pagina_abre, &a, err);
  if (a.aberto)
    fim = rel_csv_fechar(&a.c, rc == FAT_OK, err);
  return rc != FAT_OK ? rc : fim;
}

/* The workbook of fat_rel_achados_xlsx, page by page. */
typedef struct achados_xlsx {
  fat_xlsx *x;
  int lin; /* the next row of the "achados" sheet */
} achados_xlsx;

static fat_rc xlsx_pagina(void *u, int passada, const cJSON *prim, const cJSON *pag,
                          fat_err *err)
{
  achados_xlsx *a = u;
  const cJSON *tab = primeira_tabela(prim), *t;
  fat_rc rc;

  (void)passada;
  if (pag == prim)
    return rel_xlsx_tabela(a->x, tab, 1, REL_CSV_CABECALHO | REL_CSV_LINHAS, &a->lin, err);
  if (pag != NULL)
    return rel_xlsx_tabela(a->x, primeira_tabela(pag), 1, REL_CSV_LINHAS, &a->lin, err);
  rc = rel_xlsx_tabela(a->x, tab, 1, REL_CSV_TOTAL, &a->lin, err);
  for (t = tab->next; t != NULL && rc == FAT_OK; t = t->next) {
    int lin = 0;

    /* the titles differ ("Achados", "Por código"): no sheet number */
    rc = rel_xlsx_tabela(a->x, t, 1, REL_CSV_CABECALHO | REL_CSV_LINHAS | REL_CSV_TOTAL, &lin,
                         err);
  }
  return rc;
}

fat_rc fat_rel_achados_xlsx(fat_store *st, const fat_achados_filtro *f, const char *path,
                            fat_err *err)
{
  achados_xlsx a;
  fat_rc rc;

  memset(&a, 0, sizeof a);
  rc = fat_xlsx_abrir(path, &a.x, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_rel_achados_cada(st, f, 1, xlsx_pagina, &a, err);
  if (rc != FAT_OK) {
    fat_err e;

    fat_err_clear(&e);
    if (fat_xlsx_fechar(a.x, &e) != FAT_OK)
      fat_err_clear(&e); /* the first error is the one reported */
    unlink(path);
    return rc;
  }
  rc = fat_xlsx_fechar(a.x, err);
  if (rc != FAT_OK)
    unlink(path);
  return rc;
}

fat_rc fat_rel_achados_reconhecer(fat_store *st, const fat_achados_filtro *f,
                                  const char *motivo, size_t *n, size_t *guias, fat_err *err)
{
  fat_achados_filtro g;
  fat_pagina p;
  cJSON *pag = NULL;
  const cJSON *linha, *linhas;
  char cursor[FAT_CURSOR_MAX] = "";
  int64_t ultima_guia = 0;
  size_t feitos = 0, ng = 0;
  fat_rc rc;

  *n = 0;
  *guias = 0;
  if (f != NULL)
    g = *f;
  else
    memset(&g, 0, sizeof g);
  if (g.reconhecidos != 0)
    return fat_err_set(err, FAT_EINVAL, "só achados em aberto podem ser reconhecidos");
  memset(&p, 0, sizeof p);
  p.limite = FAT_PAGINA_MAX;
  g.pagina = &p;
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  do {
    /* the cursor walks forward by (guia, id): what this page acknowledges
    ** is behind it, so the next page starts where this one ended */
    p.apos = cursor;
    rc = fat_rel_achados(st, &g, &pag, err);
    if (rc != FAT_OK)
      break;
    snprintf(cursor, sizeof cursor, "%s", p.proximo);
    linhas = rel_linhas_de(primeira_tabela(pag));
    for (linha = linhas != NULL ? linhas->child : NULL; linha != NULL; linha = linha->next) {
      int64_t id = rel_int(linha, "id"), gid = rel_int(linha, "guia_id");

      rc = fat_achado_reconhecer(st, id, motivo, NULL, NULL, err);
      if (rc != FAT_OK) {
        fat_err_prefix(err, "achado %lld: ", (long long)id);
        break;
      }
      feitos++;
      if (gid != ultima_guia) /* lines come in guia order */
        ng++;
      ultima_guia = gid;
    }
    cJSON_Delete(pag);
    pag = NULL;
  } while (rc == FAT_OK && cursor[0] != '\0');
  if (rc != FAT_OK) {
    fat_store_rollback(st);
    return rc;
  }
  rc = fat_store_commit(st, err);
  if (rc == FAT_OK) {
    *n = feitos;
    *guias = ng;
  }
  return rc;
}
