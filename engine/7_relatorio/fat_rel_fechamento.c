/* fat_rel_fechamento.c: the month's package for the accountant (fat_rel.h):
** faturado, notas emitidas, recebido (gross, retained, net), card fees and
** repasse per operadora and particulares, with the lists behind them. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fat_dia.h"
#include "fat_fatura.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_money.h"
#include "fat_rel_int.h"

#define RESUMO_MAX (1u << 20)

/* ?1 competência (AAAA-MM), ?2 first day of it, ?3 first day after it.
** One row per source line, keyed by operadora_id (0 = particulares, NULL =
** repasse adjustments, which belong to no operadora). The convênios' faturado
** and glosado are the month's counters (rel_mes, 060_relatorios.sql: guias
** not cancelled of the competência and their glosas), not the guias one by
** one; an operadora counts when it has guias in the month. */
#define RESUMO_FONTE                                                                        \
  "WITH fonte AS ("                                                                         \
  " SELECT m.operadora_id AS k, m.faturado AS faturado, m.glosado AS glosado,"             \
  "  0 AS notas, 0 AS bruto, 0 AS liquido, 0 AS tarifas, 0 AS repasse"                      \
  " FROM rel_mes m WHERE m.competencia = ?1 AND m.operadora_id <> 0 AND m.guias > 0"        \
  " UNION ALL"                                                                              \
  " SELECT 0, p.valor, 0, 0, 0, 0, 0, 0 FROM particular p"                                  \
  "  WHERE p.data >= ?2 AND p.data < ?3 AND p.status <> 'cancelado'"                        \
  " UNION ALL"                                                                              \
  " SELECT f.operadora_id, 0, 0, f.nf_valor, 0, 0, 0, 0 FROM fatura f"                      \
  "  WHERE f.nf_data >= ?2 AND f.nf_data < ?3 AND f.nf_valor IS NOT NULL"                   \
  " UNION ALL"                                                                              \
  " SELECT r.operadora_id, 0, 0, 0, r.valor_bruto, r.valor, 0, 0 FROM recebimento r"        \
  "  WHERE r.data >= ?2 AND r.data < ?3"                                                    \
  " UNION ALL"                                                                              \
  " SELECT 0, 0, 0, 0, pp.valor, pp.valor - pp.taxa, pp.taxa, 0 FROM particular_pagamento pp" \
  "  WHERE pp.data >= ?2 AND pp.data < ?3"                                                  \
  " UNION ALL"                                                                              \
  " SELECT CASE WHEN ri.origem = 'particular' THEN 0"                                       \
  "  ELSE (SELECT g.operadora_id FROM guia g WHERE g.id = ri.guia_id) END,"                 \
  "  0, 0, 0, 0, 0, 0, ri.valor"                                                            \
  " FROM repasse rp JOIN repasse_item ri ON ri.repasse_id = rp.id WHERE rp.periodo = ?1)"
#define RESUMO_COLS                                                                         \
  " sum(faturado) AS faturado, sum(glosado) AS glosado, sum(notas) AS notas_emitidas,"      \
  " sum(bruto) AS recebido_bruto, sum(bruto) - sum(liquido) - sum(tarifas) AS retido,"      \
  " sum(tarifas) AS tarifas, sum(liquido) AS recebido_liquido, sum(repasse) AS repasse"

static const char sql_resumo[] =
    RESUMO_FONTE " SELECT k AS operadora_id,"
    " CASE WHEN k IS NULL THEN 'Ajustes de repasse' WHEN k = 0 THEN 'Particulares'"
    " ELSE (SELECT nome FROM operadora o WHERE o.id = k) END AS operadora," RESUMO_COLS
    " FROM fonte GROUP BY k ORDER BY k IS NULL, k = 0, 2";
static const char sql_resumo_total[] = RESUMO_FONTE " SELECT" RESUMO_COLS " FROM fonte";

static const rel_col cols_resumo[] = {
    {"operadora", "Operadora", REL_TEXTO},
    {"faturado", "Faturado na competência", REL_DINHEIRO},
    {"glosado", "Glosado", REL_DINHEIRO},
    {"notas_emitidas", "Notas fiscais emitidas", REL_DINHEIRO},
    {"recebido_bruto", "Recebido (bruto)", REL_DINHEIRO},
    {"retido", "Retenções", REL_DINHEIRO},
    {"tarifas", "Tarifas de cartão", REL_DINHEIRO},
    {"recebido_liquido", "Recebido (líquido)", REL_DINHEIRO},
    {"repasse", "Repasse médico", REL_DINHEIRO},
};

#define REC_WHERE " FROM recebimento r WHERE r.data >= ?2 AND r.data < ?3"
static const char sql_recebimentos[] =
    "SELECT r.id AS id, r.data AS data,"
    " (SELECT nome FROM operadora o WHERE o.id = r.operadora_id) AS operadora,"
    " CASE r.origem WHEN 'demonstrativo' THEN 'demonstrativo de pagamento'"
    "  WHEN 'extrato' THEN 'extrato bancário' ELSE 'manual' END AS origem,"
    " (SELECT f.numero FROM fatura f WHERE f.id = r.fatura_id) AS fatura,"
    " (SELECT f.nf_numero FROM fatura f WHERE f.id = r.fatura_id) AS nf,"
    " CASE WHEN r.recuperado = 1 THEN 'recurso de glosa' ELSE '' END AS natureza,"
    " r.valor_bruto AS bruto, r.valor_bruto - r.valor AS retido, r.valor AS liquido"
    REC_WHERE " ORDER BY r.data, r.id";
static const char sql_recebimentos_total[] =
    "SELECT count(*) AS id, coalesce(sum(r.valor_bruto), 0) AS bruto,"
    " coalesce(sum(r.valor_bruto - r.valor), 0) AS retido, coalesce(sum(r.valor), 0) AS liquido"
    REC_WHERE;

static const rel_col cols_recebimentos[] = {
    {"data", "Data", REL_DATA},           {"operadora", "Operadora", REL_TEXTO},
    {"origem", "Origem", REL_TEXTO},      {"fatura", "Fatura", REL_INTEIRO},
    {"nf", "Nota fiscal", REL_TEXTO},     {"natureza", "Natureza", REL_TEXTO},
    {"bruto", "Bruto", REL_DINHEIRO},     {"retido", "Retenções", REL_DINHEIRO},
    {"liquido", "Líquido", REL_DINHEIRO},
};

#define PP_WHERE " FROM particular_pagamento pp WHERE pp.data >= ?2 AND pp.data < ?3"
static const char sql_particulares[] =
    "SELECT pp.recibo AS recibo, pp.data AS data,"
    " (SELECT p.paciente_nome FROM particular p WHERE p.id = pp.particular_id) AS paciente,"
    " pp.forma AS forma, pp.parcelas AS parcelas, pp.valor AS valor, pp.taxa AS taxa,"
    " pp.valor - pp.taxa AS liquido" PP_WHERE " ORDER BY pp.data, pp.recibo";
static const char sql_particulares_total[] =
    "SELECT coalesce(sum(pp.valor), 0) AS valor, coalesce(sum(pp.taxa), 0) AS taxa,"
    " coalesce(sum(pp.valor - pp.taxa), 0) AS liquido" PP_WHERE;

static const rel_col cols_particulares[] = {
    {"recibo", "Recibo", REL_INTEIRO},      {"data", "Data", REL_DATA},
    {"paciente", "Paciente", REL_TEXTO},    {"forma", "Forma", REL_TEXTO},
    {"parcelas", "Parcelas", REL_INTEIRO},  {"valor", "Valor", REL_DINHEIRO},
    {"taxa", "Tarifa", REL_DINHEIRO},       {"liquido", "Líquido", REL_DINHEIRO},
};

static const char sql_notas_total[] =
    "SELECT coalesce(sum(nf_valor), 0) AS nf_valor, coalesce(sum(ret_iss), 0) AS iss,"
    " coalesce(sum(ret_ir), 0) AS ir, coalesce(sum(ret_pis), 0) AS pis,"
    " coalesce(sum(ret_cofins), 0) AS cofins, coalesce(sum(ret_csll), 0) AS csll,"
    " coalesce(sum(nf_valor - (ret_iss + ret_ir + ret_pis + ret_cofins + ret_csll)), 0)"
    "  AS valor_liquido"
    " FROM fatura WHERE nf_numero IS NOT NULL AND nf_data >= ?2 AND nf_data < ?3";

static const rel_col cols_notas[] = {
    {"nf_numero", "Número", REL_TEXTO},      {"nf_serie", "Série", REL_TEXTO},
    {"nf_data", "Emissão", REL_DATA},        {"operadora", "Tomador", REL_TEXTO},
    {"competencia", "Competência", REL_MES}, {"nf_valor", "Valor da nota", REL_DINHEIRO},
    {"iss", "ISS", REL_DINHEIRO},            {"ir", "IR", REL_DINHEIRO},
    {"pis", "PIS", REL_DINHEIRO},            {"cofins", "COFINS", REL_DINHEIRO},
    {"csll", "CSLL", REL_DINHEIRO},          {"valor_liquido", "Líquido esperado", REL_DINHEIRO},
};

#define REP_WHERE                                                                           \
  " FROM repasse rp JOIN repasse_item ri ON ri.repasse_id = rp.id WHERE rp.periodo = ?1"
static const char sql_repasse[] =
    "SELECT ri.profissional_id AS profissional_id,"
    " (SELECT nome FROM profissional pr WHERE pr.id = ri.profissional_id) AS profissional,"
    " max(rp.status) AS situacao,"
    " coalesce(sum(CASE WHEN ri.situacao = 'pagar' THEN ri.valor END), 0) AS a_pagar,"
    " coalesce(sum(CASE WHEN ri.situacao = 'retido' THEN ri.valor END), 0) AS retido,"
    " coalesce(sum(ri.valor), 0) AS total" REP_WHERE
    " GROUP BY ri.profissional_id ORDER BY 2";
static const char sql_repasse_total[] =
    "SELECT coalesce(sum(CASE WHEN ri.situacao = 'pagar' THEN ri.valor END), 0) AS a_pagar,"
    " coalesce(sum(CASE WHEN ri.situacao = 'retido' THEN ri.valor END), 0) AS retido,"
    " coalesce(sum(ri.valor), 0) AS total" REP_WHERE;

static const rel_col cols_repasse[] = {
    {"profissional", "Profissional", REL_TEXTO}, {"situacao", "Repasse", REL_TEXTO},
    {"a_pagar", "A pagar", REL_DINHEIRO},        {"retido", "Retido por glosa", REL_DINHEIRO},
    {"total", "Total", REL_DINHEIRO},
};

/* The statements use ?1 (the month) and, when they look at dates, ?2 and ?3:
** bind only the parameters a statement has. */
static void bind_mes(fat_stmt *s, const char *mes, const char *ini, const char *fim)
{
  int n = fat_stmt_param_count(s);

  fat_bind_text(s, 1, mes);
  if (n >= 2)
    fat_bind_text(s, 2, ini);
  if (n >= 3)
    fat_bind_text(s, 3, fim);
}

static fat_rc tabela(fat_store *st, cJSON *rel, const char *nome, const char *titulo,
                     const rel_col *cols, size_t n, const char *sql, const char *sql_total,
                     const char *mes, const char *ini, const char *fim, fat_err *err)
{
  fat_stmt *s;
  cJSON *tab;
  fat_rc rc = rel_tabela(rel, nome, titulo, cols, n, &tab, err);

  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql, &s, err);
  if (rc == FAT_OK) {
    bind_mes(s, mes, ini, fim);
    rc = rel_linhas(st, tab, s, err);
  }
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql_total, &s, err);
  if (rc == FAT_OK) {
    bind_mes(s, mes, ini, fim);
    rc = rel_total(st, tab, s, err);
  }
  return rc;
}

/* The NFs of the month, as the financeiro module lists them for the
** accountant (fat_fatura_nf_dados), with a total of their own. */
static fat_rc notas(fat_store *st, cJSON *rel, const char *mes, const char *ini, const char *fim,
                    fat_err *err)
{
  char ultimo[11];
  int32_t d;
  fat_stmt *s;
  cJSON *tab, *rows = NULL;
  fat_rc rc = rel_tabela(rel, "notas", "Notas fiscais emitidas", cols_notas,
                         REL_NCOLS(cols_notas), &tab, err);

  if (fat_dia_parse(fim, &d) != 0)
    return fat_err_set(err, FAT_EINVAL, "mês '%s' inválido", mes);
  fat_dia_format(d - 1, ultimo, sizeof ultimo);
  if (rc == FAT_OK)
    rc = fat_fatura_nf_dados(st, ini, ultimo, &rows, err);
  if (rc == FAT_OK) {
    if (cJSON_ReplaceItemInObjectCaseSensitive(tab, "linhas", rows))
      rows = NULL;
    else
      rc = fat_err_oom(err);
  }
  cJSON_Delete(rows);
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql_notas_total, &s, err);
  if (rc == FAT_OK) {
    bind_mes(s, mes, ini, fim);
    rc = rel_total(st, tab, s, err);
  }
  return rc;
}

fat_rc fat_rel_fechamento(fat_store *st, const fat_rel_params *p, cJSON **out, fat_err *err)
{
  const char *mes = p != NULL ? p->mes : NULL;
  char ini[11], fim[11];
  cJSON *rel;
  fat_rc rc;

  *out = NULL;
  if (mes == NULL || mes[0] == '\0')
    return fat_err_set(err, FAT_EINVAL, "informe o mês do fechamento (AAAA-MM)");
  if (!fat_dia_competencia_valida(mes))
    return fat_err_set(err, FAT_EINVAL, "mês '%s' inválido (use AAAA-MM)", mes);
  rel_dias(mes, mes, ini, fim);
  rel = rel_novo("fechamento", "Fechamento do mês para a contabilidade");
  if (rel == NULL)
    return fat_err_oom(err);
  rc = rel_param(rel, "mes", mes, err);
  if (rc == FAT_OK)
    rc = tabela(st, rel, "resumo", "Resumo por operadora", cols_resumo, REL_NCOLS(cols_resumo),
                sql_resumo, sql_resumo_total, mes, ini, fim, err);
  if (rc == FAT_OK)
    rc = tabela(st, rel, "recebimentos", "Recebimentos de operadoras", cols_recebimentos,
                REL_NCOLS(cols_recebimentos), sql_recebimentos, sql_recebimentos_total, mes, ini,
                fim, err);
  if (rc == FAT_OK)
    rc = tabela(st, rel, "particulares", "Pagamentos de particulares", cols_particulares,
                REL_NCOLS(cols_particulares), sql_particulares, sql_particulares_total, mes, ini,
                fim, err);
  if (rc == FAT_OK)
    rc = notas(st, rel, mes, ini, fim, err);
  if (rc == FAT_OK)
    rc = tabela(st, rel, "repasse", "Repasse médico do período", cols_repasse,
                REL_NCOLS(cols_repasse), sql_repasse, sql_repasse_total, mes, ini, fim, err);
  if (rc != FAT_OK) {
    cJSON_Delete(rel);
    return rc;
  }
  *out = rel;
  return FAT_OK;
}

/* ---- the package ---- */

static const cJSON *tabela_de(const cJSON *rel, const char *nome)
{
  const cJSON *t;

  cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(rel, "tabelas"))
  {
    const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "nome"));

    if (n != NULL && strcmp(n, nome) == 0)
      return t;
  }
  return NULL;
}

static fat_rc linha_valor(fat_buf *b, const char *rotulo, int64_t v, fat_err *err)
{
  char m[40];

  fat_money_format_br(v, m, sizeof m);
  return fat_buf_printf(b, err, "  %-34s %20s\n", rotulo, m);
}

fat_rc fat_rel_fechamento_resumo(const cJSON *rel, char **txt, fat_err *err)
{
  const cJSON *res = tabela_de(rel, "resumo"), *rec = tabela_de(rel, "recebimentos");
  const cJSON *par = tabela_de(rel, "particulares"), *rep = tabela_de(rel, "repasse");
  const cJSON *tot = cJSON_GetObjectItemCaseSensitive(res, "total"), *r;
  const char *mes = cJSON_GetStringValue(
      cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rel, "parametros"), "mes"));
  int64_t bruto = rel_int(tot, "recebido_bruto"), liquido = rel_int(tot, "recebido_liquido");
  int64_t retido = rel_int(tot, "retido"), tarifas = rel_int(tot, "tarifas");
  int64_t bruto_listas = rel_int(cJSON_GetObjectItemCaseSensitive(rec, "total"), "bruto") +
                         rel_int(cJSON_GetObjectItemCaseSensitive(par, "total"), "valor");
  int64_t repasse_lista = rel_int(cJSON_GetObjectItemCaseSensitive(rep, "total"), "total");
  fat_buf b;
  fat_rc rc;

  *txt = NULL;
  if (res == NULL || mes == NULL)
    return fat_err_set(err, FAT_EINVAL, "o documento não é um fechamento");
  fat_buf_init(&b, RESUMO_MAX);
  rc = fat_buf_printf(&b, err, "Fechamento de %s para a contabilidade\n\n",
                      fat_dia_competencia_br_ou(mes, "").s);
  cJSON_ArrayForEach(r, rel_linhas_de(res))
  {
    const char *op = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "operadora"));

    if (rc != FAT_OK)
      break;
    rc = fat_buf_printf(&b, err, "%s\n", op != NULL ? op : "(sem nome)");
    if (rc == FAT_OK)
      rc = linha_valor(&b, "faturado na competência", rel_int(r, "faturado"), err);
    if (rc == FAT_OK)
      rc = linha_valor(&b, "notas fiscais emitidas", rel_int(r, "notas_emitidas"), err);
    if (rc == FAT_OK)
      rc = linha_valor(&b, "recebido (bruto)", rel_int(r, "recebido_bruto"), err);
    if (rc == FAT_OK)
      rc = linha_valor(&b, "retenções", rel_int(r, "retido"), err);
    if (rc == FAT_OK && rel_int(r, "tarifas") != 0)
      rc = linha_valor(&b, "tarifas de cartão", rel_int(r, "tarifas"), err);
    if (rc == FAT_OK)
      rc = linha_valor(&b, "recebido (líquido)", rel_int(r, "recebido_liquido"), err);
    if (rc == FAT_OK)
      rc = linha_valor(&b, "repasse médico", rel_int(r, "repasse"), err);
    if (rc == FAT_OK)
      rc = fat_buf_puts(&b, "\n", err);
  }
  if (rc == FAT_OK)
    rc = fat_buf_puts(&b, "Total\n", err);
  if (rc == FAT_OK)
    rc = linha_valor(&b, "faturado na competência", rel_int(tot, "faturado"), err);
  if (rc == FAT_OK)
    rc = linha_valor(&b, "notas fiscais emitidas", rel_int(tot, "notas_emitidas"), err);
  if (rc == FAT_OK)
    rc = linha_valor(&b, "recebido (bruto)", bruto, err);
  if (rc == FAT_OK)
    rc = linha_valor(&b, "retenções", retido, err);
  if (rc == FAT_OK)
    rc = linha_valor(&b, "tarifas de cartão", tarifas, err);
  if (rc == FAT_OK)
    rc = linha_valor(&b, "recebido (líquido)", liquido, err);
  if (rc == FAT_OK)
    rc = linha_valor(&b, "repasse médico", rel_int(tot, "repasse"), err);
  if (rc == FAT_OK)
    rc = fat_buf_printf(&b, err,
                        "\nConferências\n"
                        "  bruto = retenções + tarifas + líquido: %s\n"
                        "  bruto do resumo = soma das listas de recebimentos: %s\n"
                        "  repasse do resumo = soma do repasse por profissional: %s\n",
                        bruto == retido + tarifas + liquido ? "confere" : "NÃO CONFERE",
                        bruto == bruto_listas ? "confere" : "NÃO CONFERE",
                        rel_int(tot, "repasse") == repasse_lista ? "confere" : "NÃO CONFERE");
  if (rc != FAT_OK) {
    fat_buf_fini(&b);
    return rc;
  }
  *txt = fat_buf_take(&b);
  return *txt != NULL ? FAT_OK : fat_err_oom(err);
}

fat_rc fat_rel_fechamento_pacote(fat_store *st, const char *mes, const char *dir, cJSON **out,
                                 fat_err *err)
{
  fat_rel_params p;
  cJSON *rel = NULL;
  char *csv = NULL, *txt = NULL, path[4096];
  size_t len = 0;
  fat_rc rc;

  if (out != NULL)
    *out = NULL;
  memset(&p, 0, sizeof p);
  p.mes = mes;
  if (dir == NULL || dir[0] == '\0')
    return fat_err_set(err, FAT_EINVAL, "informe a pasta do pacote (--saida PASTA)");
  if (strlen(dir) > sizeof path - 64)
    return fat_err_set(err, FAT_EINVAL, "caminho da pasta longo demais");
  rc = fat_rel_fechamento(st, &p, &rel, err);
  if (rc != FAT_OK)
    return rc;
  if (mkdir(dir, 0700) != 0 && errno != EEXIST)
    rc = fat_err_set(err, FAT_EIO, "não foi possível criar a pasta '%s'", dir);
  if (rc == FAT_OK) {
    snprintf(path, sizeof path, "%s/fechamento-%s.xlsx", dir, mes);
    rc = fat_rel_xlsx(rel, path, err);
  }
  if (rc == FAT_OK)
    rc = fat_rel_csv(rel, &csv, &len, err);
  if (rc == FAT_OK) {
    snprintf(path, sizeof path, "%s/fechamento-%s.csv", dir, mes);
    rc = fat_file_write(path, csv, len, err);
  }
  if (rc == FAT_OK)
    rc = fat_rel_fechamento_resumo(rel, &txt, err);
  if (rc == FAT_OK) {
    snprintf(path, sizeof path, "%s/fechamento-%s-resumo.txt", dir, mes);
    rc = fat_file_write(path, txt, strlen(txt), err);
  }
  fat_free(csv);
  fat_free(txt);
  if (rc == FAT_OK && out != NULL) {
    *out = rel;
    rel = NULL;
  }
  cJSON_Delete(rel);
  return rc;
}
