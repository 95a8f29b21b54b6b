/* fat_rel_aging.c: inadimplência (open receivables by age, lotes late for a
** protocolo or a demonstrativo) and previsto × realizado (fat_rel.h). */
#include <stdio.h>
#include <string.h>

#include "fat_rel_int.h"

/*
** {======================================================
** Inadimplência
** =======================================================
*/

/* The open receivable of a lote (the financeiro's definitions,
** docs/financeiro.md): over its guias not cancelled, what the operadora
** released (the latest valor liberado of a demonstrativo, else the billed
** value while it has not answered) plus what recursos recovered, minus what
** was received (lote_saldo, migration 092). Lotes still open: sent and not
** fully paid, or with money recovered by a recurso; a lote whose guias are
** all cancelled has no receivable. Expected date: the fatura's, else the
** lote's. The buckets depend on hoje, so what is kept (aging_dia, migration
** 102, by triggers) is the open balance and the lotes per operadora and
** expected date; they are summed into buckets here, a cost bounded by the
** distinct expected dates, not by the open lotes. The particulares still
** open are read one by one (an open particular is a bill not yet paid).
** ?1 operadora filter (-1 all, 0 particulares only, else the id), ?2 hoje. */
#define LOTES_ABERTOS                                                                       \
  "WITH ab AS (SELECT d.operadora_id AS operadora_id,"                                      \
  " CASE WHEN d.sem_previsao THEN NULL ELSE d.previsao END AS previsao,"                    \
  " d.lotes AS itens, d.saldo AS saldo FROM aging_dia d"                                    \
  " WHERE d.lotes > 0 AND (?1 = -1 OR d.operadora_id = ?1)"                                 \
  " UNION ALL SELECT 0, p.data, 1,"                                                         \
  " max(0, p.valor - (SELECT coalesce(sum(pp.valor), 0) FROM particular_pagamento pp"       \
  "  WHERE pp.particular_id = p.id))"                                                       \
  " FROM particular p INDEXED BY particular_aberto WHERE p.status = 'aberto'"                \
  " AND ?1 IN (-1, 0)),"                                                                    \
  " fx AS (SELECT operadora_id, saldo, itens,"                                              \
  " CAST(julianday(?2) - julianday(previsao) AS INTEGER) AS dias, previsao FROM ab"         \
  " WHERE saldo > 0)"
#define AGING_COLS                                                                          \
  " coalesce(sum(CASE WHEN previsao IS NOT NULL AND dias <= 0 THEN saldo END), 0) AS a_vencer," \
  " coalesce(sum(CASE WHEN dias BETWEEN 1 AND 30 THEN saldo END), 0) AS ate_30,"            \
  " coalesce(sum(CASE WHEN dias BETWEEN 31 AND 60 THEN saldo END), 0) AS de_31_a_60,"       \
  " coalesce(sum(CASE WHEN dias BETWEEN 61 AND 90 THEN saldo END), 0) AS de_61_a_90,"       \
  " coalesce(sum(CASE WHEN dias > 90 THEN saldo END), 0) AS acima_de_90,"                   \
  " coalesce(sum(CASE WHEN previsao IS NULL THEN saldo END), 0) AS sem_previsao,"           \
  " coalesce(sum(saldo), 0) AS aberto, coalesce(sum(itens), 0) AS itens"

static const char sql_aging[] =
    LOTES_ABERTOS " SELECT operadora_id,"
    " CASE WHEN operadora_id = 0 THEN 'Particulares'"
    " ELSE (SELECT nome FROM operadora o WHERE o.id = operadora_id) END AS operadora,"
    AGING_COLS " FROM fx GROUP BY operadora_id ORDER BY operadora_id = 0, 2";
static const char sql_aging_total[] = LOTES_ABERTOS " SELECT" AGING_COLS " FROM fx";

static const rel_col cols_aging[] = {
    {"operadora", "Operadora", REL_TEXTO},
    {"itens", "Lotes / atendimentos", REL_INTEIRO},
    {"a_vencer", "A vencer", REL_DINHEIRO},
    {"ate_30", "1 a 30 dias", REL_DINHEIRO},
    {"de_31_a_60", "31 a 60 dias", REL_DINHEIRO},
    {"de_61_a_90", "61 a 90 dias", REL_DINHEIRO},
    {"acima_de_90", "Mais de 90 dias", REL_DINHEIRO},
    {"sem_previsao", "Sem previsão", REL_DINHEIRO},
    {"aberto", "Em aberto", REL_DINHEIRO},
};

fat_rc rel_aging_tabela(fat_store *st, cJSON *rel, int64_t op, const char *hoje, fat_err *err)
{
  cJSON *tab;
  fat_rc rc = rel_tabela(rel, "aging", "Contas a receber por atraso", cols_aging,
                         REL_NCOLS(cols_aging), &tab, err);

  if (rc == FAT_OK) {
    const rel_arg a[] = {REL_NUM(op), REL_TXT(hoje)};

    rc = rel_consulta(st, tab, sql_aging, sql_aging_total, a, 2, err);
  }
  return rc;
}

/* Lotes sent and not protocolados for longer than the operadora's usual time
** (the mean days from sending to protocolo of its earlier lotes, rounded up,
** at least 1; 5 without history). ?1 operadora filter, ?2 hoje. The usual
** time comes from the counters of migration 090 (lote_prazo_protocolo, kept
** by triggers on lote), not from reading every lote of the history. */
#define US_PRAZO_PROTOCOLO                                                                  \
  "WITH us AS (SELECT operadora_id, max(1, (dias + lotes - 1) / lotes) AS usual"            \
  " FROM lote_prazo_protocolo WHERE lotes > 0)"
static const char sql_sem_protocolo[] =
    US_PRAZO_PROTOCOLO
    " SELECT l.id AS lote_id, l.numero AS numero, o.nome AS operadora, l.competencia AS competencia,"
    " substr(l.enviado_em, 1, 10) AS enviado_em,"
    " CAST(julianday(?2) - julianday(l.enviado_em) AS INTEGER) AS dias,"
    " coalesce(us.usual, 5) AS prazo_usual, l.qtd_guias AS guias,"
    " l.valor_informado AS valor"
    " FROM lote l INDEXED BY lote_status_envio JOIN operadora o ON o.id = l.operadora_id"
    " LEFT JOIN us ON us.operadora_id = l.operadora_id"
    " WHERE l.status = 'enviado' AND l.protocolo IS NULL AND l.enviado_em IS NOT NULL"
    " AND (?1 = -1 OR l.operadora_id = ?1)"
    " AND julianday(?2) - julianday(l.enviado_em) > coalesce(us.usual, 5)"
    " ORDER BY l.enviado_em, l.id";
static const char sql_sem_protocolo_total[] =
    US_PRAZO_PROTOCOLO
    " SELECT count(*) AS numero, coalesce(sum(l.qtd_guias), 0) AS guias,"
    " coalesce(sum(l.valor_informado), 0) AS valor"
    " FROM lote l INDEXED BY lote_status_envio LEFT JOIN us ON us.operadora_id = l.operadora_id"
    " WHERE l.status = 'enviado' AND l.protocolo IS NULL AND l.enviado_em IS NOT NULL"
    " AND (?1 = -1 OR l.operadora_id = ?1)"
    " AND julianday(?2) - julianday(l.enviado_em) > coalesce(us.usual, 5)";

static const rel_col cols_sem_protocolo[] = {
    {"numero", "Lote", REL_INTEIRO},          {"operadora", "Operadora", REL_TEXTO},
    {"competencia", "Competência", REL_MES},  {"enviado_em", "Enviado em", REL_DATA},
    {"dias", "Dias sem protocolo", REL_DIAS}, {"prazo_usual", "Prazo usual (dias)", REL_DIAS},
    {"guias", "Guias", REL_INTEIRO},          {"valor", "Valor informado", REL_DINHEIRO},
};

/* Lotes sent (protocolados or not) without any demonstrativo after the
** expected payment date (the fatura's, else the lote's, else sending plus the
** contract's payment term, 30 days when unknown). */
#define SEM_DEMONSTRATIVO                                                                   \
  "WITH lt AS (SELECT l.*, coalesce(f.previsao_pagamento, l.previsao_pagamento,"            \
  " date(substr(l.enviado_em, 1, 10), '+' || coalesce(l.pagamento_prazo_dias, 30) || ' days'))" \
  " AS previsto FROM lote l LEFT JOIN fatura_lote fl ON fl.lote_id = l.id"                  \
  " LEFT JOIN fatura f ON f.id = fl.fatura_id"                                              \
  " WHERE l.status IN ('enviado', 'protocolado') AND l.enviado_em IS NOT NULL"              \
  " AND (?1 = -1 OR l.operadora_id = ?1))"
static const char sql_sem_demonstrativo[] =
    SEM_DEMONSTRATIVO
    " SELECT lt.id AS lote_id, lt.numero AS numero, o.nome AS operadora,"
    " lt.competencia AS competencia, substr(lt.enviado_em, 1, 10) AS enviado_em,"
    " lt.protocolo AS protocolo, lt.previsto AS previsao,"
    " CAST(julianday(?2) - julianday(lt.previsto) AS INTEGER) AS dias,"
    " lt.qtd_guias AS guias, lt.valor_informado AS valor"
    " FROM lt JOIN operadora o ON o.id = lt.operadora_id WHERE lt.previsto < ?2"
    " ORDER BY lt.previsto, lt.id";
static const char sql_sem_demonstrativo_total[] =
    SEM_DEMONSTRATIVO " SELECT count(*) AS numero, coalesce(sum(lt.qtd_guias), 0) AS guias,"
    " coalesce(sum(lt.valor_informado), 0) AS valor FROM lt WHERE lt.previsto < ?2";

static const rel_col cols_sem_demonstrativo[] = {
    {"numero", "Lote", REL_INTEIRO},         {"operadora", "Operadora", REL_TEXTO},
    {"competencia", "Competência", REL_MES}, {"enviado_em", "Enviado em", REL_DATA},
    {"protocolo", "Protocolo", REL_TEXTO},   {"previsao", "Previsão de pagamento", REL_DATA},
    {"dias", "Dias de atraso", REL_DIAS},    {"guias", "Guias", REL_INTEIRO},
    {"valor", "Valor informado", REL_DINHEIRO},
};

static fat_rc lista_lotes(fat_store *st, cJSON *rel, const char *nome, const char *titulo,
                          const rel_col *cols, size_t n, const char *sql, const char *sql_total,
                          int64_t op, const char *hoje, fat_err *err)
{
  cJSON *tab;
  fat_rc rc = rel_tabela(rel, nome, titulo, cols, n, &tab, err);

  if (rc == FAT_OK) {
    const rel_arg a[] = {REL_NUM(op), REL_TXT(hoje)};

    rc = rel_consulta(st, tab, sql, sql_total, a, 2, err);
  }
  return rc;
}

fat_rc fat_rel_inadimplencia(fat_store *st, const fat_rel_params *p, cJSON **out, fat_err *err)
{
  char hoje[11];
  cJSON *rel;
  int64_t op;
  fat_rc rc;

  *out = NULL;
  rc = rel_hoje(p, hoje, err);
  if (rc == FAT_OK)
    rc = rel_operadora(st, p, &op, err);
  if (rc != FAT_OK)
    return rc;
  rel = rel_novo("inadimplencia", "Inadimplência");
  if (rel == NULL)
    return fat_err_oom(err);
  rc = rel_param(rel, "hoje", hoje, err);
  if (rc == FAT_OK)
    rc = rel_param(rel, "operadora", p != NULL ? p->operadora : NULL, err);
  if (rc == FAT_OK)
    rc = rel_aging_tabela(st, rel, op, hoje, err);
  if (rc == FAT_OK && op != 0)
    rc = lista_lotes(st, rel, "sem_protocolo", "Lotes sem protocolo além do prazo usual",
                     cols_sem_protocolo, REL_NCOLS(cols_sem_protocolo), sql_sem_protocolo,
                     sql_sem_protocolo_total, op, hoje, err);
  if (rc == FAT_OK && op != 0)
    rc = lista_lotes(st, rel, "sem_demonstrativo",
                     "Lotes sem demonstrativo depois da previsão de pagamento",
                     cols_sem_demonstrativo, REL_NCOLS(cols_sem_demonstrativo),
                     sql_sem_demonstrativo, sql_sem_demonstrativo_total, op, hoje, err);
  if (rc != FAT_OK) {
    cJSON_Delete(rel);
    return rc;
  }
  *out = rel;
  return FAT_OK;
}

/* }====================================================== */

/*
** {======================================================
** Previsto × realizado
** =======================================================
*/

/* Per month and operadora: previsto = what the lotes expected to be paid in
** that month (by the fatura's or the lote's expected date) should bring (the
** lote's liberado, else its informado), with what of it already came
** (recebido_dos_previstos, recovered money aside); realizado = the money
** received in that month (recovered money aside), with its delay against the
** expected date of its lote weighted by value. Read from counters (migration
** 093, kept by triggers): rel_previsto_mes per month of the expected date and
** operadora (lotes, previsto), rel_previsto_recebimento per receipt and
** (month, operadora) of the lotes it paid (their value, and value × the day
** of their expected date, so that the weighted delay of a receipt paid on
** day D is valor × D − dias_valor). Nothing here reads a lote: the cost is
** the months × operadoras of the period and the receipts in it. ?1 first
** day, ?2 first day after the period, ?3 operadora filter (particulares
** have no expected date: they are not in this report). */
#define PREV_FONTE                                                                          \
  "WITH fonte AS ("                                                                         \
  " SELECT m.mes AS mes, m.operadora_id AS operadora_id, m.lotes AS lotes,"                 \
  "  m.previsto AS previsto,"                                                               \
  "  (SELECT coalesce(sum(c.valor), 0) FROM rel_previsto_recebimento c"                     \
  "   JOIN recebimento r ON r.id = c.recebimento_id WHERE c.mes = m.mes"                    \
  "   AND c.operadora_id = m.operadora_id AND r.recuperado = 0)"                            \
  "  AS recebido_dos_previstos,"                                                            \
  "  0 AS realizado, 0 AS atraso_soma, 0 AS atraso_base"                                    \
  " FROM rel_previsto_mes m WHERE m.lotes > 0"                                              \
  " AND m.mes >= substr(?1, 1, 7) AND m.mes < substr(?2, 1, 7)"                             \
  " AND (?3 = -1 OR m.operadora_id = ?3)"                                                   \
  " UNION ALL"                                                                              \
  " SELECT substr(r.data, 1, 7), r.operadora_id, 0, 0, 0, c.valor,"                         \
  "  CASE WHEN c.mes <> '' THEN c.valor * CAST(julianday(r.data) - 2451544.5 AS INTEGER)"   \
  "   - c.dias_valor ELSE 0 END,"                                                           \
  "  CASE WHEN c.mes <> '' THEN c.valor ELSE 0 END"                                         \
  " FROM recebimento r JOIN rel_previsto_recebimento c ON c.recebimento_id = r.id"          \
  " WHERE c.linhas > 0 AND r.recuperado = 0 AND r.data >= ?1 AND r.data < ?2"               \
  " AND (?3 = -1 OR r.operadora_id = ?3))"
#define PREV_COLS                                                                           \
  " sum(lotes) AS lotes, sum(previsto) AS previsto,"                                        \
  " sum(recebido_dos_previstos) AS recebido_dos_previstos, sum(realizado) AS realizado,"    \
  " sum(realizado) - sum(previsto) AS diferenca,"                                           \
  " sum(atraso_soma) AS atraso_soma, sum(atraso_base) AS atraso_base"

static const char sql_previsto[] =
    PREV_FONTE " SELECT mes, operadora_id,"
    " (SELECT nome FROM operadora o WHERE o.id = operadora_id) AS operadora," PREV_COLS
    " FROM fonte GROUP BY mes, operadora_id ORDER BY 1, 3";
static const char sql_previsto_total[] = PREV_FONTE " SELECT" PREV_COLS " FROM fonte";

static const rel_col cols_previsto[] = {
    {"mes", "Mês", REL_MES},
    {"operadora", "Operadora", REL_TEXTO},
    {"lotes", "Lotes previstos", REL_INTEIRO},
    {"previsto", "Previsto", REL_DINHEIRO},
    {"realizado", "Realizado", REL_DINHEIRO},
    {"diferenca", "Realizado − previsto", REL_DINHEIRO},
    {"recebido_dos_previstos", "Já recebido dos previstos", REL_DINHEIRO},
    {"atraso_medio", "Atraso médio (dias)", REL_DIAS},
};

fat_rc fat_rel_previsto(fat_store *st, const fat_rel_params *p, cJSON **out, fat_err *err)
{
  char de[8], ate[8], ini[11], fim[11];
  cJSON *rel, *tab;
  int64_t op;
  fat_rc rc;

  *out = NULL;
  rc = rel_periodo(st, p, de, ate, err);
  if (rc == FAT_OK)
    rc = rel_operadora(st, p, &op, err);
  if (rc != FAT_OK)
    return rc;
  rel_dias(de, ate, ini, fim);
  rel = rel_novo("previsto", "Previsto × realizado");
  if (rel == NULL)
    return fat_err_oom(err);
  rc = rel_param(rel, "de", de, err);
  if (rc == FAT_OK)
    rc = rel_param(rel, "ate", ate, err);
  if (rc == FAT_OK)
    rc = rel_param(rel, "operadora", p != NULL ? p->operadora : NULL, err);
  if (rc == FAT_OK)
    rc = rel_tabela(rel, "mensal", "Pagamentos previstos e realizados por mês", cols_previsto,
                    REL_NCOLS(cols_previsto), &tab, err);
  if (rc == FAT_OK && op != 0) {
    const rel_arg a[] = {REL_TXT(ini), REL_TXT(fim), REL_NUM(op)};

    rc = rel_consulta(st, tab, sql_previsto, sql_previsto_total, a, 3, err);
  }
  if (rc == FAT_OK)
    rc = rel_media(tab, "atraso_medio", "atraso_soma", "atraso_base", err);
  if (rc != FAT_OK) {
    cJSON_Delete(rel);
    return rc;
  }
  *out = rel;
  return FAT_OK;
}

/* }====================================================== */
