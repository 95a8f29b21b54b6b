/* fat_rel_glosas.c: the glosa report (fat_rel.h): rates per operadora and
** month, motive group, TUSS code, procedure and professional; devida ×
** indevida; recovery by recursos; glosas a rule would have prevented. */
#include <stdio.h>
#include <string.h>

#include "fat_glosa.h"
#include "fat_rel_int.h"

/* ?1 first competência, ?2 last, ?3 operadora filter (-1 or 0 = all
** convênios: particulares have no glosas). The guias of the period: */
#define GS                                                                                  \
  "WITH gs AS (SELECT g.id AS id, g.competencia AS competencia, g.operadora_id AS operadora_id," \
  " g.executante_id AS executante, g.valor_total AS valor_total FROM guia g"                \
  " WHERE g.competencia BETWEEN ?1 AND ?2 AND g.status <> 'cancelada'"                      \
  " AND (?3 <= 0 OR g.operadora_id = ?3))"

/* ---- per competência and operadora ---- */

#define MENSAL_FONTE                                                                        \
  GS ", fonte AS ("                                                                         \
  " SELECT competencia, operadora_id, valor_total AS faturado, 0 AS glosas, 0 AS glosado,"  \
  "  0 AS devida, 0 AS indevida, 0 AS a_classificar, 0 AS recursado, 0 AS recuperado,"      \
  "  0 AS preveniveis, 0 AS valor_prevenivel FROM gs"                                       \
  " UNION ALL"                                                                              \
  " SELECT gs.competencia, gs.operadora_id, 0, 1, gl.valor,"                                \
  "  CASE WHEN gl.classificacao = 'devida' THEN gl.valor ELSE 0 END,"                       \
  "  CASE WHEN gl.classificacao = 'indevida' THEN gl.valor ELSE 0 END,"                     \
  "  CASE WHEN gl.classificacao = 'a_classificar' THEN gl.valor ELSE 0 END,"                \
  "  (SELECT coalesce(sum(ri.valor_recursado), 0) FROM recurso_item ri"                     \
  "   WHERE ri.glosa_id = gl.id),"                                                          \
  "  gl.valor_recuperado, gl.prevista = 1, CASE WHEN gl.prevista = 1 THEN gl.valor ELSE 0 END" \
  " FROM gs JOIN glosa gl ON gl.guia_id = gs.id)"
#define MENSAL_COLS                                                                         \
  " sum(faturado) AS faturado, sum(glosas) AS glosas, sum(glosado) AS glosado,"             \
  " sum(devida) AS devida, sum(indevida) AS indevida, sum(a_classificar) AS a_classificar," \
  " sum(recursado) AS recursado, sum(recuperado) AS recuperado,"                            \
  " sum(preveniveis) AS preveniveis, sum(valor_prevenivel) AS valor_prevenivel"

static const char sql_mensal[] =
    MENSAL_FONTE " SELECT competencia, operadora_id,"
    " (SELECT nome FROM operadora o WHERE o.id = operadora_id) AS operadora," MENSAL_COLS
    " FROM fonte GROUP BY competencia, operadora_id ORDER BY 1, 3";
static const char sql_mensal_total[] = MENSAL_FONTE " SELECT" MENSAL_COLS " FROM fonte";

static const rel_col cols_mensal[] = {
    {"competencia", "Competência", REL_MES},
    {"operadora", "Operadora", REL_TEXTO},
    {"faturado", "Faturado", REL_DINHEIRO},
    {"glosas", "Glosas", REL_INTEIRO},
    {"glosado", "Glosado", REL_DINHEIRO},
    {"taxa", "Taxa de glosa", REL_PERCENTUAL},
    {"variacao_taxa", "Variação da taxa (pontos)", REL_PERCENTUAL},
    {"devida", "Devidas", REL_DINHEIRO},
    {"indevida", "Indevidas", REL_DINHEIRO},
    {"a_classificar", "A classificar", REL_DINHEIRO},
    {"recursado", "Recursado", REL_DINHEIRO},
    {"recuperado", "Recuperado", REL_DINHEIRO},
    {"taxa_recuperacao", "Taxa de recuperação", REL_PERCENTUAL},
    {"preveniveis", "Evitáveis por regra", REL_INTEIRO},
    {"valor_prevenivel", "Valor evitável", REL_DINHEIRO},
};

/* ---- per motive group and per TUSS code ---- */

#define GL_COLS                                                                             \
  " count(*) AS glosas, coalesce(sum(gl.valor), 0) AS glosado,"                             \
  " coalesce(sum(CASE WHEN gl.classificacao = 'devida' THEN gl.valor END), 0) AS devida,"   \
  " coalesce(sum(CASE WHEN gl.classificacao = 'indevida' THEN gl.valor END), 0) AS indevida"
static const char sql_grupo[] =
    GS " SELECT coalesce(gl.grupo, '') AS grupo," GL_COLS
    " FROM gs JOIN glosa gl ON gl.guia_id = gs.id GROUP BY gl.grupo ORDER BY 3 DESC, 1";
static const char sql_codigo[] =
    GS " SELECT gl.codigo AS codigo,"
    " coalesce((SELECT m.descricao FROM glosa_motivo m WHERE m.codigo = gl.codigo),"
    "  max(gl.descricao)) AS descricao," GL_COLS
    " FROM gs JOIN glosa gl ON gl.guia_id = gs.id GROUP BY gl.codigo ORDER BY 4 DESC, 1";
static const char sql_gl_total[] = GS " SELECT" GL_COLS " FROM gs JOIN glosa gl ON gl.guia_id = gs.id";

static const rel_col cols_grupo[] = {
    {"grupo", "Grupo de motivo", REL_TEXTO},   {"glosas", "Glosas", REL_INTEIRO},
    {"glosado", "Glosado", REL_DINHEIRO},      {"participacao", "Parte do glosado", REL_PERCENTUAL},
    {"taxa", "Taxa sobre o faturado", REL_PERCENTUAL},
    {"devida", "Devidas", REL_DINHEIRO},       {"indevida", "Indevidas", REL_DINHEIRO},
};
static const rel_col cols_codigo[] = {
    {"codigo", "Código TUSS", REL_TEXTO},      {"descricao", "Descrição", REL_TEXTO},
    {"glosas", "Glosas", REL_INTEIRO},         {"glosado", "Glosado", REL_DINHEIRO},
    {"participacao", "Parte do glosado", REL_PERCENTUAL},
    {"taxa", "Taxa sobre o faturado", REL_PERCENTUAL},
    {"devida", "Devidas", REL_DINHEIRO},       {"indevida", "Indevidas", REL_DINHEIRO},
};

/* ---- per procedure and per professional (item by item) ---- */

/* items of the period per key, and glosas per key (a glosa of a whole guia
** goes to "(guia inteira)" / the guia's executante) */
static const char sql_procedimento[] =
    GS ", it AS (SELECT i.codigo AS chave, max(i.descricao) AS descricao, count(*) AS itens,"
    " coalesce(sum(i.valor_total), 0) AS faturado FROM gs CROSS JOIN item i ON i.guia_id = gs.id"
    " GROUP BY i.codigo),"
    " gp AS (SELECT coalesce(i.codigo, '(guia inteira)') AS chave," GL_COLS
    " FROM gs JOIN glosa gl ON gl.guia_id = gs.id LEFT JOIN item i ON i.id = gl.item_id"
    " GROUP BY 1)"
    " SELECT gp.chave AS procedimento, it.descricao AS descricao, it.itens AS itens,"
    " it.faturado AS faturado, gp.glosas AS glosas, gp.glosado AS glosado,"
    " gp.devida AS devida, gp.indevida AS indevida"
    " FROM gp LEFT JOIN it ON it.chave = gp.chave ORDER BY gp.glosado DESC, gp.chave";
static const char sql_profissional[] =
    GS ", it AS (SELECT coalesce(i.profissional_id, gs.executante) AS chave, count(*) AS itens,"
    " coalesce(sum(i.valor_total), 0) AS faturado FROM gs CROSS JOIN item i ON i.guia_id = gs.id"
    " GROUP BY 1),"
    " gp AS (SELECT coalesce(i.profissional_id, gs.executante) AS chave," GL_COLS
    " FROM gs JOIN glosa gl ON gl.guia_id = gs.id LEFT JOIN item i ON i.id = gl.item_id"
    " GROUP BY 1)"
    " SELECT coalesce((SELECT nome FROM profissional pr WHERE pr.id = gp.chave),"
    " '(sem profissional)') AS profissional, it.itens AS itens, it.faturado AS faturado,"
    " gp.glosas AS glosas, gp.glosado AS glosado, gp.devida AS devida, gp.indevida AS indevida"
    " FROM gp LEFT JOIN it ON it.chave IS gp.chave ORDER BY gp.glosado DESC, 1";

static const rel_col cols_procedimento[] = {
    {"procedimento", "Procedimento", REL_TEXTO}, {"descricao", "Descrição", REL_TEXTO},
    {"itens", "Itens faturados", REL_INTEIRO},  {"faturado", "Faturado (itens)", REL_DINHEIRO},
    {"glosas", "Glosas", REL_INTEIRO},          {"glosado", "Glosado", REL_DINHEIRO},
    {"taxa", "Taxa de glosa", REL_PERCENTUAL},  {"devida", "Devidas", REL_DINHEIRO},
    {"indevida", "Indevidas", REL_DINHEIRO},
};
static const rel_col cols_profissional[] = {
    {"profissional", "Profissional", REL_TEXTO}, {"itens", "Itens faturados", REL_INTEIRO},
    {"faturado", "Faturado (itens)", REL_DINHEIRO}, {"glosas", "Glosas", REL_INTEIRO},
    {"glosado", "Glosado", REL_DINHEIRO},       {"taxa", "Taxa de glosa", REL_PERCENTUAL},
    {"devida", "Devidas", REL_DINHEIRO},        {"indevida", "Indevidas", REL_DINHEIRO},
};

/* ---- recursos: the recursos holding glosas of the period ---- */

#define REC_FONTE                                                                           \
  GS ", rid AS (SELECT DISTINCT ri.recurso_id AS id FROM gs"                                \
  " CROSS JOIN glosa gl ON gl.guia_id = gs.id CROSS JOIN recurso_item ri ON ri.glosa_id = gl.id)," \
  " rs AS (SELECT r.id AS id, r.operadora_id AS operadora_id, r.status AS status,"          \
  " (SELECT count(*) FROM recurso_item ri WHERE ri.recurso_id = r.id) AS glosas,"           \
  " (SELECT coalesce(sum(ri.valor_recursado), 0) FROM recurso_item ri"                      \
  "  WHERE ri.recurso_id = r.id) AS recursado,"                                             \
  " (SELECT coalesce(sum(ri.valor_deferido), 0) FROM recurso_item ri"                       \
  "  WHERE ri.recurso_id = r.id) AS recuperado,"                                            \
  " CASE WHEN r.status = 'respondido' AND r.enviado_em IS NOT NULL"                         \
  "  AND r.respondido_em IS NOT NULL THEN max(0, CAST(julianday(substr(r.respondido_em, 1, 10))" \
  "  - julianday(substr(r.enviado_em, 1, 10)) AS INTEGER)) END AS dias"                     \
  " FROM recurso r JOIN rid ON rid.id = r.id)"
#define REC_COLS                                                                            \
  " count(*) AS recursos, sum(glosas) AS glosas, sum(recursado) AS recursado,"              \
  " sum(recuperado) AS recuperado, sum(status = 'respondido') AS respondidos,"              \
  " sum(status IN ('enviado', 'protocolado')) AS aguardando,"                               \
  " coalesce(sum(dias), 0) AS dias_soma, count(dias) AS dias_base"
static const char sql_recursos[] =
    REC_FONTE " SELECT operadora_id,"
    " (SELECT nome FROM operadora o WHERE o.id = operadora_id) AS operadora," REC_COLS
    " FROM rs GROUP BY operadora_id ORDER BY 2";
static const char sql_recursos_total[] = REC_FONTE " SELECT" REC_COLS " FROM rs";

static const rel_col cols_recursos[] = {
    {"operadora", "Operadora", REL_TEXTO},
    {"recursos", "Recursos", REL_INTEIRO},
    {"glosas", "Glosas recursadas", REL_INTEIRO},
    {"recursado", "Recursado", REL_DINHEIRO},
    {"recuperado", "Recuperado", REL_DINHEIRO},
    {"taxa_recuperacao", "Taxa de recuperação", REL_PERCENTUAL},
    {"respondidos", "Respondidos", REL_INTEIRO},
    {"aguardando", "Aguardando resposta", REL_INTEIRO},
    {"tempo_medio", "Tempo médio de resposta (dias)", REL_DIAS},
};

/* ---- glosas a current rule would have caught (glosa.prevista) ---- */

#define PREV_WHERE " FROM gs JOIN glosa gl ON gl.guia_id = gs.id WHERE gl.prevista = 1"
static const char sql_preveniveis[] =
    GS " SELECT (SELECT nome FROM operadora o WHERE o.id = gs.operadora_id) AS operadora,"
    " coalesce(gl.prevista_por, '') AS regra, count(*) AS glosas,"
    " coalesce(sum(gl.valor), 0) AS valor" PREV_WHERE
    " GROUP BY gs.operadora_id, gl.prevista_por ORDER BY 4 DESC, 1, 2";
static const char sql_preveniveis_total[] =
    GS " SELECT count(*) AS glosas, coalesce(sum(gl.valor), 0) AS valor" PREV_WHERE;

static const rel_col cols_preveniveis[] = {
    {"operadora", "Operadora", REL_TEXTO},
    {"regra", "Achados que a previam", REL_TEXTO},
    {"glosas", "Glosas", REL_INTEIRO},
    {"valor", "Valor", REL_DINHEIRO},
};

/* A table whose lines start at competência desde (the month before the
** period when a line needs its predecessor) and whose total covers [de, ate]. */
static fat_rc tabela_desde(fat_store *st, cJSON *rel, const char *nome, const char *titulo,
                           const rel_col *cols, size_t n, const char *sql, const char *sql_total,
                           const char *desde, const char *de, const char *ate, int64_t op,
                           cJSON **tab, fat_err *err)
{
  fat_stmt *s;
  fat_rc rc = rel_tabela(rel, nome, titulo, cols, n, tab, err);

  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql, &s, err);
  if (rc == FAT_OK) {
    fat_bind_text(s, 1, desde);
    fat_bind_text(s, 2, ate);
    fat_bind_int(s, 3, op);
    rc = rel_linhas(st, *tab, s, err);
  }
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql_total, &s, err);
  if (rc == FAT_OK) {
    fat_bind_text(s, 1, de);
    fat_bind_text(s, 2, ate);
    fat_bind_int(s, 3, op);
    rc = rel_total(st, *tab, s, err);
  }
  return rc;
}

static fat_rc tabela(fat_store *st, cJSON *rel, const char *nome, const char *titulo,
                     const rel_col *cols, size_t n, const char *sql, const char *sql_total,
                     const char *de, const char *ate, int64_t op, cJSON **tab, fat_err *err)
{
  return tabela_desde(st, rel, nome, titulo, cols, n, sql, sql_total, de, de, ate, op, tab, err);
}

/* The motive group keys become their pt-BR labels. */
static fat_rc rotulos_grupo(cJSON *tab, fat_err *err)
{
  cJSON *r;
  fat_rc rc = FAT_OK;

  cJSON_ArrayForEach(r, rel_linhas_de(tab))
  {
    const char *g = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "grupo"));

    rc = rel_set_str(r, "grupo",
                     g == NULL || g[0] == '\0' ? "(sem grupo)" : fat_glosa_grupo_rotulo(g), err);
    if (rc != FAT_OK)
      break;
  }
  return rc;
}

fat_rc fat_rel_glosas(fat_store *st, const fat_rel_params *p, cJSON **out, fat_err *err)
{
  char de[8], ate[8], antes[8];
  cJSON *rel, *tab = NULL, *tot;
  int64_t op, faturado = 0, glosado = 0;
  fat_rc rc;

  *out = NULL;
  rc = rel_periodo(st, p, de, ate, err);
  if (rc == FAT_OK)
    rc = rel_operadora(st, p, &op, err);
  if (rc != FAT_OK)
    return rc;
  rel = rel_novo("glosas", "Glosas");
  if (rel == NULL)
    return fat_err_oom(err);
  rc = rel_param(rel, "de", de, err);
  if (rc == FAT_OK)
    rc = rel_param(rel, "ate", ate, err);
  if (rc == FAT_OK)
    rc = rel_param(rel, "operadora", p != NULL ? p->operadora : NULL, err);
  /* particulares only: they have no glosas, so every table is empty */
  if (op == 0)
    op = INT64_MAX;
  /* lines from the month before, for the first month's change of rate */
  rel_mes_soma(de, -1, antes);
  if (rc == FAT_OK)
    rc = tabela_desde(st, rel, "mensal", "Taxa de glosa por operadora e mês", cols_mensal,
                      REL_NCOLS(cols_mensal), sql_mensal, sql_mensal_total, antes, de, ate, op,
                      &tab, err);
  if (rc == FAT_OK)
    rc = rel_taxa(tab, "taxa", "glosado", "faturado", err);
  if (rc == FAT_OK)
    rc = rel_taxa(tab, "taxa_recuperacao", "recuperado", "recursado", err);
  if (rc == FAT_OK)
    rc = rel_mes_a_mes(tab, "variacao_taxa", "taxa", "operadora_id", 0, de, err);
  tot = cJSON_GetObjectItemCaseSensitive(tab, "total");
  faturado = rel_int(tot, "faturado");
  glosado = rel_int(tot, "glosado");
  if (rc == FAT_OK)
    rc = tabela(st, rel, "por_grupo", "Glosas por grupo de motivo", cols_grupo,
                REL_NCOLS(cols_grupo), sql_grupo, sql_gl_total, de, ate, op, &tab, err);
  if (rc == FAT_OK)
    rc = rotulos_grupo(tab, err);
  if (rc == FAT_OK)
    rc = rel_taxa_fixa(tab, "participacao", "glosado", glosado, err);
  if (rc == FAT_OK)
    rc = rel_taxa_fixa(tab, "taxa", "glosado", faturado, err);
  if (rc == FAT_OK)
    rc = tabela(st, rel, "por_codigo", "Glosas por código TUSS (tabela 38)", cols_codigo,
                REL_NCOLS(cols_codigo), sql_codigo, sql_gl_total, de, ate, op, &tab, err);
  if (rc == FAT_OK)
    rc = rel_taxa_fixa(tab, "participacao", "glosado", glosado, err);
  if (rc == FAT_OK)
    rc = rel_taxa_fixa(tab, "taxa", "glosado", faturado, err);
  if (rc == FAT_OK)
    rc = tabela(st, rel, "por_procedimento", "Glosas por procedimento", cols_procedimento,
                REL_NCOLS(cols_procedimento), sql_procedimento, sql_gl_total, de, ate, op, &tab,
                err);
  if (rc == FAT_OK)
    rc = rel_taxa(tab, "taxa", "glosado", "faturado", err);
  if (rc == FAT_OK)
    rc = tabela(st, rel, "por_profissional", "Glosas por profissional", cols_profissional,
                REL_NCOLS(cols_profissional), sql_profissional, sql_gl_total, de, ate, op, &tab,
                err);
  if (rc == FAT_OK)
    rc = rel_taxa(tab, "taxa", "glosado", "faturado", err);
  if (rc == FAT_OK)
    rc = tabela(st, rel, "recursos", "Recursos de glosa: recuperação e tempo de resposta",
                cols_recursos, REL_NCOLS(cols_recursos), sql_recursos, sql_recursos_total, de,
                ate, op, &tab, err);
  if (rc == FAT_OK)
    rc = rel_taxa(tab, "taxa_recuperacao", "recuperado", "recursado", err);
  if (rc == FAT_OK)
    rc = rel_media(tab, "tempo_medio", "dias_soma", "dias_base", err);
  if (rc == FAT_OK)
    rc = tabela(st, rel, "preveniveis", "Glosas que uma regra atual teria evitado",
                cols_preveniveis, REL_NCOLS(cols_preveniveis), sql_preveniveis,
                sql_preveniveis_total, de, ate, op, &tab, err);
  if (rc != FAT_OK) {
    cJSON_Delete(rel);
    return rc;
  }
  *out = rel;
  return FAT_OK;
}
