/* fat_rel_painel.c: the management dashboard (fat_rel.h): the monthly
** counters of rel_mes (schemas/060_relatorios.sql) for the last 12
** competências, the aging of the open lotes and the mapa de faturas of the
** latest competência. Nothing here grows with the history: the counters are
** read by their primary key, the aging walks the lotes still open and the
** mapa one competência. */
#include <stdio.h>
#include <string.h>

#include "fat_fatura.h"
#include "fat_rel_int.h"

/* ?1 first competência, ?2 last, ?3 operadora filter */
#define MES_WHERE                                                                           \
  " FROM rel_mes m WHERE m.competencia BETWEEN ?1 AND ?2"                                   \
  " AND (?3 = -1 OR m.operadora_id = ?3) AND (m.guias <> 0 OR m.recebido <> 0"              \
  " OR m.glosado <> 0)"
#define MES_COLS                                                                            \
  " coalesce(sum(m.guias), 0) AS guias, coalesce(sum(m.faturado), 0) AS faturado,"          \
  " coalesce(sum(m.glosas), 0) AS glosas, coalesce(sum(m.glosado), 0) AS glosado,"          \
  " coalesce(sum(m.recuperado), 0) AS recuperado, coalesce(sum(m.recebido), 0) AS recebido"

static const char sql_producao[] =
    "SELECT m.competencia AS competencia, m.operadora_id AS operadora_id,"
    " CASE WHEN m.operadora_id = 0 THEN 'Particulares'"
    " ELSE (SELECT nome FROM operadora o WHERE o.id = m.operadora_id) END AS operadora,"
    MES_COLS MES_WHERE " GROUP BY m.competencia, m.operadora_id ORDER BY 1, 3";
static const char sql_producao_total[] = "SELECT" MES_COLS MES_WHERE;
/* the glosa rate of the convênios (particulares have no glosas) */
static const char sql_taxa[] =
    "SELECT m.competencia AS competencia," MES_COLS MES_WHERE
    " AND m.operadora_id <> 0 GROUP BY m.competencia ORDER BY 1";
static const char sql_taxa_total[] = "SELECT" MES_COLS MES_WHERE " AND m.operadora_id <> 0";

static const rel_col cols_producao[] = {
    {"competencia", "Competência", REL_MES},  {"operadora", "Operadora", REL_TEXTO},
    {"guias", "Guias", REL_INTEIRO},          {"faturado", "Faturado", REL_DINHEIRO},
    {"glosado", "Glosado", REL_DINHEIRO},     {"recuperado", "Recuperado", REL_DINHEIRO},
    {"recebido", "Recebido", REL_DINHEIRO},   {"taxa_glosa", "Taxa de glosa", REL_PERCENTUAL},
};
static const rel_col cols_taxa[] = {
    {"competencia", "Competência", REL_MES}, {"faturado", "Faturado", REL_DINHEIRO},
    {"glosas", "Glosas", REL_INTEIRO},       {"glosado", "Glosado", REL_DINHEIRO},
    {"taxa_glosa", "Taxa de glosa", REL_PERCENTUAL},
};
static const rel_col cols_mapa[] = {
    {"operadora", "Operadora", REL_TEXTO},
    {"fatura", "Fatura", REL_INTEIRO},
    {"nf_numero", "Nota fiscal", REL_TEXTO},
    {"valor_enviado", "Enviado", REL_DINHEIRO},
    {"valor_liberado", "Liberado", REL_DINHEIRO},
    {"valor_glosado", "Glosado", REL_DINHEIRO},
    {"valor_recuperado", "Recuperado", REL_DINHEIRO},
    {"valor_recebido", "Recebido", REL_DINHEIRO},
    {"saldo_a_receber", "Saldo a receber", REL_DINHEIRO},
    {"previsao_pagamento", "Previsão", REL_DATA},
    {"dias_atraso", "Dias de atraso", REL_DIAS},
    {"situacao", "Situação", REL_TEXTO},
};

static fat_rc mensal(fat_store *st, cJSON *rel, const char *nome, const char *titulo,
                     const rel_col *cols, size_t n, const char *sql, const char *sql_total,
                     const char *de, const char *ate, int64_t op, fat_err *err)
{
  cJSON *tab;
  fat_rc rc = rel_tabela(rel, nome, titulo, cols, n, &tab, err);

  if (rc == FAT_OK) {
    const rel_arg a[] = {REL_TXT(de), REL_TXT(ate), REL_NUM(op)};

    rc = rel_consulta(st, tab, sql, sql_total, a, 3, err);
  }
  if (rc == FAT_OK)
    rc = rel_taxa(tab, "taxa_glosa", "glosado", "faturado", err);
  return rc;
}

/* The mapa de faturas of competência comp (fat_fatura_mapa), its lotes
** left out; no total (the financeiro module owns these figures). */
static fat_rc mapa(fat_store *st, cJSON *rel, const char *comp, int64_t op, const char *hoje,
                   fat_err *err)
{
  char ref[24];
  cJSON *tab, *rows = NULL, *r;
  fat_rc rc = rel_tabela(rel, "mapa", "Mapa de faturas da competência", cols_mapa,
                         REL_NCOLS(cols_mapa), &tab, err);

  if (rc != FAT_OK || op == 0)
    return rc;
  snprintf(ref, sizeof ref, "%lld", (long long)op);
  rc = fat_fatura_mapa(st, op > 0 ? ref : NULL, comp, hoje, &rows, err);
  if (rc != FAT_OK)
    return rc;
  cJSON_ArrayForEach(r, rows) {
    rel_del(r, "lotes");
    rel_del(r, "qtd_lotes");
  }
  if (!cJSON_ReplaceItemInObjectCaseSensitive(tab, "linhas", rows)) {
    cJSON_Delete(rows);
    return fat_err_oom(err);
  }
  return FAT_OK;
}

/* The latest competência of the convênios up to ate (the mapa's). */
static fat_rc ultima_convenio(fat_store *st, const char *ate, char comp[8], fat_err *err)
{
  static const char sql[] = "SELECT max(competencia) AS c FROM rel_mes"
                            " WHERE competencia <= ?1 AND operadora_id <> 0 AND guias > 0";
  fat_stmt *s;
  cJSON *rows = NULL;
  const char *c;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  snprintf(comp, 8, "%s", ate);
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, ate);
  rc = fat_store_rows_json(st, s, 0, "erro ao ler a competência mais recente", &rows, err);
  if (rc != FAT_OK)
    return rc;
  c = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(rows, 0), "c"));
  if (c != NULL)
    snprintf(comp, 8, "%.7s", c);
  cJSON_Delete(rows);
  return FAT_OK;
}

fat_rc fat_rel_painel(fat_store *st, const fat_rel_params *p, cJSON **out, fat_err *err)
{
  fat_rel_params q;
  char de[8], ate[8], hoje[11], comp[8];
  cJSON *rel;
  int64_t op;
  fat_rc rc;

  *out = NULL;
  /* the 12 competências ending at the latest one (or at p->ate) */
  memset(&q, 0, sizeof q);
  if (p != NULL)
    q.ate = p->ate;
  rc = rel_periodo(st, &q, de, ate, err);
  if (rc == FAT_OK)
    rc = rel_hoje(p, hoje, err);
  if (rc == FAT_OK)
    rc = rel_operadora(st, p, &op, err);
  if (rc == FAT_OK)
    rc = ultima_convenio(st, ate, comp, err);
  if (rc != FAT_OK)
    return rc;
  rel = rel_novo("painel", "Painel gerencial");
  if (rel == NULL)
    return fat_err_oom(err);
  rc = rel_param(rel, "de", de, err);
  if (rc == FAT_OK)
    rc = rel_param(rel, "ate", ate, err);
  if (rc == FAT_OK)
    rc = rel_param(rel, "hoje", hoje, err);
  if (rc == FAT_OK)
    rc = rel_param(rel, "competencia_mapa", comp, err);
  if (rc == FAT_OK)
    rc = rel_param(rel, "operadora", p != NULL ? p->operadora : NULL, err);
  if (rc == FAT_OK)
    rc = mensal(st, rel, "producao", "Produção por operadora e mês", cols_producao,
                REL_NCOLS(cols_producao), sql_producao, sql_producao_total, de, ate, op, err);
  if (rc == FAT_OK)
    rc = mensal(st, rel, "taxa_glosa", "Taxa de glosa por mês (convênios)", cols_taxa,
                REL_NCOLS(cols_taxa), sql_taxa, sql_taxa_total, de, ate, op, err);
  if (rc == FAT_OK)
    rc = rel_aging_tabela(st, rel, op, hoje, err);
  if (rc == FAT_OK)
    rc = mapa(st, rel, comp, op, hoje, err);
  if (rc != FAT_OK) {
    cJSON_Delete(rel);
    return rc;
  }
  *out = rel;
  return FAT_OK;
}
