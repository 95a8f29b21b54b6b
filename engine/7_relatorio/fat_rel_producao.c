/* fat_rel_producao.c: produção mensal per operadora and particulares, with
** the drill-down by professional, procedure group and unit (fat_rel.h). */
#include <stdio.h>
#include <string.h>

#include "fat_rel_int.h"

/* ?1 first competência, ?2 last, ?3 operadora filter (-1 all, 0 particulares,
** else the id), ?4 first day, ?5 first day after the period. */

/* the figures of the guias of a period (convênio), one row per guia */
#define CONV_FONTE                                                                          \
  " FROM guia g WHERE g.competencia BETWEEN ?1 AND ?2 AND g.status <> 'cancelada'"          \
  " AND (?3 = -1 OR g.operadora_id = ?3)"
#define CONV_COLS                                                                           \
  " count(*) AS guias,"                                                                     \
  " coalesce(sum((SELECT count(*) FROM item i WHERE i.guia_id = g.id"                       \
  "  AND i.tipo = 'procedimento' AND i.codigo NOT LIKE '4%')), 0) AS procedimentos,"        \
  " coalesce(sum((SELECT count(*) FROM item i WHERE i.guia_id = g.id"                       \
  "  AND i.tipo = 'procedimento' AND i.codigo LIKE '4%')), 0) AS exames,"                   \
  " coalesce(sum(g.valor_total), 0) AS faturado,"                                           \
  " coalesce(sum((SELECT sum(gl.valor) FROM glosa gl WHERE gl.guia_id = g.id)), 0) AS glosado," \
  " coalesce(sum((SELECT sum(gl.valor_recuperado) FROM glosa gl WHERE gl.guia_id = g.id)), 0)" \
  "  AS recuperado,"                                                                        \
  " coalesce(sum((SELECT sum(x.valor) FROM recebimento_guia x WHERE x.guia_id = g.id)), 0)" \
  "  AS recebido"
/* particular attendances of the period */
#define PART_FONTE                                                                          \
  " FROM particular p WHERE p.data >= ?4 AND p.data < ?5 AND p.status <> 'cancelado'"       \
  " AND ?3 IN (-1, 0)"
#define PART_COLS                                                                           \
  " count(*) AS guias,"                                                                     \
  " coalesce(sum(p.codigo NOT LIKE '4%'), 0) AS procedimentos,"                             \
  " coalesce(sum(p.codigo LIKE '4%'), 0) AS exames,"                                        \
  " coalesce(sum(p.valor), 0) AS faturado, 0 AS glosado, 0 AS recuperado,"                  \
  " coalesce(sum((SELECT sum(pp.valor) FROM particular_pagamento pp"                        \
  "  WHERE pp.particular_id = p.id)), 0) AS recebido"
#define SOMA_COLS                                                                           \
  " sum(guias) AS guias, sum(procedimentos) AS procedimentos, sum(exames) AS exames,"       \
  " sum(faturado) AS faturado, sum(glosado) AS glosado, sum(recuperado) AS recuperado,"     \
  " sum(recebido) AS recebido"

static const char sql_mensal[] =
    "SELECT g.competencia AS competencia, g.operadora_id AS operadora_id,"
    " (SELECT nome FROM operadora o WHERE o.id = g.operadora_id) AS operadora," CONV_COLS
    CONV_FONTE " GROUP BY g.competencia, g.operadora_id"
    " UNION ALL"
    " SELECT substr(p.data, 1, 7) AS competencia, 0 AS operadora_id,"
    " 'Particulares' AS operadora," PART_COLS PART_FONTE " GROUP BY substr(p.data, 1, 7)"
    " ORDER BY 1, 3";
static const char sql_mensal_total[] =
    "SELECT" SOMA_COLS " FROM (SELECT" CONV_COLS CONV_FONTE " UNION ALL SELECT" PART_COLS
    PART_FONTE ")";

static const rel_col cols_mensal[] = {
    {"competencia", "Competência", REL_MES},     {"operadora", "Operadora", REL_TEXTO},
    {"guias", "Guias", REL_INTEIRO},             {"procedimentos", "Procedimentos", REL_INTEIRO},
    {"exames", "Exames", REL_INTEIRO},           {"faturado", "Faturado", REL_DINHEIRO},
    {"glosado", "Glosado", REL_DINHEIRO},        {"recuperado", "Recuperado", REL_DINHEIRO},
    {"recebido", "Recebido", REL_DINHEIRO},      {"taxa_glosa", "Taxa de glosa", REL_PERCENTUAL},
    {"variacao", "Variação do faturado", REL_PERCENTUAL},
};

/* ---- drill-down: item by item (professional, group) ---- */

/* one row per item (faturado, its glosas), per guia-level glosa and per
** particular attendance, each with the key K of its line */
#define ITENS_CTE(KI, KG, KP)                                                               \
  "WITH gs AS (SELECT g.id AS id, g.competencia AS competencia, g.executante_id AS executante" \
  CONV_FONTE "),"                                                                           \
  " fonte AS ("                                                                             \
  " SELECT gs.competencia AS competencia, " KI " AS chave, 1 AS itens,"                     \
  "  coalesce(i.valor_total, 0) AS faturado,"                                               \
  "  coalesce((SELECT sum(gl.valor) FROM glosa gl WHERE gl.item_id = i.id), 0) AS glosado," \
  "  coalesce((SELECT sum(gl.valor_recuperado) FROM glosa gl WHERE gl.item_id = i.id), 0)"  \
  "   AS recuperado"                                                                        \
  " FROM gs JOIN item i ON i.guia_id = gs.id"                                               \
  " UNION ALL"                                                                              \
  " SELECT gs.competencia, " KG ", 0, 0, gl.valor, gl.valor_recuperado"                     \
  " FROM gs JOIN glosa gl ON gl.guia_id = gs.id WHERE gl.item_id IS NULL"                   \
  " UNION ALL"                                                                              \
  " SELECT substr(p.data, 1, 7), " KP ", 1, p.valor, 0, 0" PART_FONTE ")"
#define ITENS_SOMA                                                                          \
  " sum(itens) AS itens, sum(faturado) AS faturado, sum(glosado) AS glosado,"               \
  " sum(recuperado) AS recuperado"

static const char sql_prof[] =
    ITENS_CTE("coalesce(i.profissional_id, gs.executante)", "gs.executante", "p.profissional_id")
    " SELECT competencia, chave AS profissional_id,"
    " coalesce((SELECT nome FROM profissional pr WHERE pr.id = chave), '(sem profissional)')"
    " AS detalhe," ITENS_SOMA " FROM fonte GROUP BY competencia, chave ORDER BY 1, 3";
static const char sql_prof_total[] =
    ITENS_CTE("coalesce(i.profissional_id, gs.executante)", "gs.executante", "p.profissional_id")
    " SELECT" ITENS_SOMA " FROM fonte";
static const char sql_grupo[] =
    ITENS_CTE(REL_GRUPO_SQL("i"), "'(guia inteira)'",
              "CASE WHEN p.codigo LIKE '4%' THEN 'Exames' ELSE 'Procedimentos' END")
    " SELECT competencia, chave AS detalhe," ITENS_SOMA
    " FROM fonte GROUP BY competencia, chave ORDER BY 1, 2";
static const char sql_grupo_total[] =
    ITENS_CTE(REL_GRUPO_SQL("i"), "'(guia inteira)'",
              "CASE WHEN p.codigo LIKE '4%' THEN 'Exames' ELSE 'Procedimentos' END")
    " SELECT" ITENS_SOMA " FROM fonte";

static const rel_col cols_itens[] = {
    {"competencia", "Competência", REL_MES}, {"detalhe", "", REL_TEXTO},
    {"itens", "Itens", REL_INTEIRO},         {"faturado", "Faturado (itens)", REL_DINHEIRO},
    {"glosado", "Glosado", REL_DINHEIRO},    {"recuperado", "Recuperado", REL_DINHEIRO},
    {"taxa_glosa", "Taxa de glosa", REL_PERCENTUAL},
    {"variacao", "Variação do faturado", REL_PERCENTUAL},
};

/* ---- drill-down: unit (prestador), guia by guia ---- */

static const char sql_unidade[] =
    "SELECT g.competencia AS competencia, g.prestador_id AS prestador_id,"
    " (SELECT nome FROM prestador pr WHERE pr.id = g.prestador_id) AS detalhe," CONV_COLS
    CONV_FONTE " GROUP BY g.competencia, g.prestador_id"
    " UNION ALL"
    " SELECT substr(p.data, 1, 7), NULL, 'Particulares'," PART_COLS PART_FONTE
    " GROUP BY substr(p.data, 1, 7) ORDER BY 1, 3";

static const rel_col cols_unidade[] = {
    {"competencia", "Competência", REL_MES}, {"detalhe", "Unidade", REL_TEXTO},
    {"guias", "Guias", REL_INTEIRO},         {"faturado", "Faturado", REL_DINHEIRO},
    {"glosado", "Glosado", REL_DINHEIRO},    {"recuperado", "Recuperado", REL_DINHEIRO},
    {"recebido", "Recebido", REL_DINHEIRO},  {"taxa_glosa", "Taxa de glosa", REL_PERCENTUAL},
    {"variacao", "Variação do faturado", REL_PERCENTUAL},
};

static void bind_periodo(fat_stmt *s, const char *de, const char *ate, int64_t op)
{
  char ini[11], fim[11];

  rel_dias(de, ate, ini, fim);
  fat_bind_text(s, 1, de);
  fat_bind_text(s, 2, ate);
  fat_bind_int(s, 3, op);
  fat_bind_text(s, 4, ini);
  fat_bind_text(s, 5, fim);
}

/* Lines and total of one table from two statements over [de, ate]. */
static fat_rc encher(fat_store *st, cJSON *tab, const char *sql, const char *sql_total,
                     const char *de, const char *ate, int64_t op, fat_err *err)
{
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  bind_periodo(s, de, ate, op);
  rc = rel_linhas(st, tab, s, err);
  if (rc == FAT_OK && sql_total != NULL)
    rc = fat_store_prepare(st, sql_total, &s, err);
  if (rc == FAT_OK && sql_total != NULL) {
    bind_periodo(s, de, ate, op);
    rc = rel_total(st, tab, s, err);
  }
  return rc;
}

/* Lines from competência antes (the month before the period) and the total
** over [de, ate]; then each line's variacao (faturado against the line of
** the same `grupo` in the previous month) and the lines of antes dropped. */
static fat_rc encher_mes_a_mes(fat_store *st, cJSON *tab, const char *sql, const char *sql_total,
                               const char *de, const char *ate, int64_t op, const char *grupo,
                               fat_err *err)
{
  char antes[8];
  fat_stmt *s;
  fat_rc rc;

  rel_mes_soma(de, -1, antes);
  rc = encher(st, tab, sql, NULL, antes, ate, op, err);
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql_total, &s, err);
  if (rc == FAT_OK) {
    bind_periodo(s, de, ate, op);
    rc = rel_total(st, tab, s, err);
  }
  if (rc == FAT_OK)
    rc = rel_mes_a_mes(tab, "variacao", "faturado", grupo, 1, de, err);
  return rc;
}

fat_rc fat_rel_producao(fat_store *st, const fat_rel_params *p, cJSON **out, fat_err *err)
{
  const char *det = p != NULL && p->detalhe != NULL && p->detalhe[0] != '\0' ? p->detalhe
                                                                            : "operadora";
  char de[8], ate[8];
  cJSON *rel = NULL, *tab, *col;
  int64_t op;
  fat_rc rc;

  *out = NULL;
  if (strcmp(det, "operadora") != 0 && strcmp(det, "profissional") != 0 &&
      strcmp(det, "grupo") != 0 && strcmp(det, "unidade") != 0)
    return fat_err_set(err, FAT_EINVAL,
                       "detalhe '%s' inválido (operadora, profissional, grupo ou unidade)", det);
  rc = rel_periodo(st, p, de, ate, err);
  if (rc == FAT_OK)
    rc = rel_operadora(st, p, &op, err);
  if (rc != FAT_OK)
    return rc;
  rel = rel_novo("producao", "Produção mensal");
  if (rel == NULL)
    return fat_err_oom(err);
  rc = rel_param(rel, "de", de, err);
  if (rc == FAT_OK)
    rc = rel_param(rel, "ate", ate, err);
  if (rc == FAT_OK)
    rc = rel_param(rel, "operadora", p != NULL ? p->operadora : NULL, err);
  if (rc == FAT_OK)
    rc = rel_param(rel, "detalhe", det, err);
  if (rc == FAT_OK)
    rc = rel_tabela(rel, "mensal", "Produção por operadora e mês", cols_mensal,
                    REL_NCOLS(cols_mensal), &tab, err);
  if (rc == FAT_OK)
    rc = encher_mes_a_mes(st, tab, sql_mensal, sql_mensal_total, de, ate, op, "operadora_id",
                          err);
  if (rc == FAT_OK)
    rc = rel_taxa(tab, "taxa_glosa", "glosado", "faturado", err);
  if (rc == FAT_OK && strcmp(det, "operadora") != 0) {
    if (strcmp(det, "unidade") == 0) {
      rc = rel_tabela(rel, "detalhe", "Produção por unidade e mês", cols_unidade,
                      REL_NCOLS(cols_unidade), &tab, err);
      if (rc == FAT_OK)
        rc = encher_mes_a_mes(st, tab, sql_unidade, sql_mensal_total, de, ate, op,
                              "prestador_id", err);
    } else {
      int prof = strcmp(det, "profissional") == 0;

      rc = rel_tabela(rel, "detalhe",
                      prof ? "Produção por profissional e mês (itens)"
                           : "Produção por grupo de procedimento e mês (itens)",
                      cols_itens, REL_NCOLS(cols_itens), &tab, err);
      if (rc == FAT_OK)
        rc = encher_mes_a_mes(st, tab, prof ? sql_prof : sql_grupo,
                              prof ? sql_prof_total : sql_grupo_total, de, ate, op,
                              prof ? "profissional_id" : "detalhe", err);
    }
    /* the header of the detail column says what it is */
    col = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(tab, "colunas"), 1);
    if (rc == FAT_OK)
      rc = rel_set_str(col, "rotulo",
                       strcmp(det, "profissional") == 0 ? "Profissional"
                       : strcmp(det, "grupo") == 0      ? "Grupo de procedimento"
                                                        : "Unidade",
                       err);
    if (rc == FAT_OK)
      rc = rel_taxa(tab, "taxa_glosa", "glosado", "faturado", err);
  }
  if (rc != FAT_OK) {
    cJSON_Delete(rel);
    return rc;
  }
  *out = rel;
  return FAT_OK;
}
