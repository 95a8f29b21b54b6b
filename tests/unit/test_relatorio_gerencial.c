/* test_relatorio_gerencial.c: the management reports (fat_rel.h) on a small
** clinic whose every figure is worked out by hand below, and the identities
** that tie the reports together:
**   - produção: per-line figures, month-over-month, lines summing to the
**     total, and the same figures by plain SQL;
**   - the monthly counters (rel_mes, kept by triggers) equal to the figures
**     recomputed from the rows after inserts, updates, cancellations and
**     deletions, and after fat_relatorio_recontar;
**   - faturado − glosado + recuperado − recebido of the guias sent equals
**     the open receivables of the aging, whose buckets sum to them;
**   - previsto × realizado with the delay weighted by value;
**   - glosas: rates, motive groups, TUSS codes with their description,
**     procedure and professional, recovery by recurso and its time, the
**     glosas a rule would have caught;
**   - produtividade from the audit rows the write sites leave
**     (fat_guia_save: guia.digitar / guia.corrigir);
**   - fechamento: gross = retained + card fees + net, and its package;
**   - CSV with BOM, ';', decimal comma, accents; bad parameters refused.
**
** The clinic (money in centavos):
**   Aurora (op 1): guia 1 (2025-02, lote 1 paid) 300,00 with a glosa of
**     50,00 (devida, a rule predicted it); guia 2 (2025-03, lote 2 in fatura
**     1 with NF 450,00 and 15,75 retained) 500,00 with glosas of 30,00 on
**     the whole guia (recovered by recurso 1 in 20 days) and 20,00 (in
**     recurso 2); guia 5 (2025-03, not sent) 70,00.
**   Horizonte (op 2): guia 3 (2025-03, lote 3 sent, no protocolo) 200,00;
**     guia 4 (2025-03) cancelled.
**   Particulares: 300,00 paid by card (fee 8,97) and 100,00 open in 2025-03,
**     50,00 cancelled.
**   Receipts: 250,00 for lote 1 on 10/04 (5 days after its expected date),
**     400,00 net = 414,51 gross for fatura 1 on 15/05 (10 days late), 30,00
**     recovered on 05/06. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fat_dia.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_rel.h"
#include "fat_relatorio.h"
#include "fat_store_int.h"

static const char *db_path = "test_relatorio_gerencial.db";

static void remove_db(void)
{
  unlink(db_path);
  unlink("test_relatorio_gerencial.db-wal");
  unlink("test_relatorio_gerencial.db-shm");
}

static void exec(fat_store *st, const char *sql)
{
  fat_err err;

  if (fat_store_exec(st, sql, &err) != FAT_OK)
    fail_msg("SQL: %s", err.msg);
}

/* The first column (aliased v) of the first row of sql. */
static int64_t q_int(fat_store *st, const char *sql)
{
  fat_stmt *s;
  cJSON *rows = NULL;
  fat_err err;
  int64_t v;

  if (fat_store_prepare(st, sql, &s, &err) != FAT_OK ||
      fat_store_rows_json(st, s, 0, "teste", &rows, &err) != FAT_OK)
    fail_msg("SQL %s: %s", sql, err.msg);
  v = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(rows, 0), "v"));
  cJSON_Delete(rows);
  return v;
}

static const char *const fixture[] = {
  "INSERT INTO prestador (id, nome, cnpj) VALUES (1, 'Clínica Central', '11222333000181'),"
  " (2, 'Unidade Norte', '11444777000161');",
  "INSERT INTO operadora (id, registro_ans, nome, script) VALUES"
  " (1, '312347', 'Aurora Saúde', 'aurora'), (2, '368253', 'Horizonte Cooperativa Médica', 'horizonte');",
  "INSERT INTO profissional (id, nome, conselho, numero_conselho, uf) VALUES"
  " (1, 'Dra. Ana Lima', 'CRM', '1111', 'SP'), (2, 'Dr. Beto Reis', 'CRM', '2222', 'SP');",
  "INSERT INTO lote (id, operadora_id, prestador_id, numero, tipo_guia, competencia, status,"
  " valor_informado, valor_liberado, valor_glosado, enviado_em, protocolo, protocolo_data,"
  " previsao_pagamento) VALUES"
  " (1, 1, 1, 1, 'sp-sadt', '2025-02', 'pago', 30000, 25000, 5000, '2025-03-05', 'P1', '2025-03-06',"
  "  '2025-04-05'),"
  " (2, 1, 1, 2, 'sp-sadt', '2025-03', 'processado', 50000, 45000, 5000, '2025-04-05', 'P2',"
  "  '2025-04-06', '2025-05-01'),"
  " (3, 2, 2, 1, 'sp-sadt', '2025-03', 'enviado', 20000, NULL, NULL, '2025-04-05', NULL, NULL,"
  "  '2025-05-20');",
  "INSERT INTO guia (id, prestador_id, operadora_id, tipo, numero_prestador, valor_total,"
  " competencia, data_inicio, status, lote_id, executante_id) VALUES"
  " (1, 1, 1, 'sp-sadt', 'G1', 30000, '2025-02', '2025-02-10', 'processada', 1, 1),"
  " (2, 1, 1, 'sp-sadt', 'G2', 50000, '2025-03', '2025-03-10', 'processada', 2, 2),"
  " (3, 2, 2, 'sp-sadt', 'G3', 20000, '2025-03', '2025-03-11', 'enviada', 3, 1),"
  " (4, 1, 2, 'sp-sadt', 'G4', 12345, '2025-03', '2025-03-12', 'cancelada', NULL, 1),"
  " (5, 2, 1, 'sp-sadt', 'G5', 7000, '2025-03', '2025-03-13', 'digitada', NULL, 2);",
  "INSERT INTO item (id, guia_id, sequencial, tipo, codigo_tabela, codigo, descricao, quantidade_e4,"
  " valor_unitario, valor_total, profissional_id) VALUES"
  " (1, 1, 1, 'procedimento', '22', '10101012', 'Consulta', 10000, 20000, 20000, 1),"
  " (2, 1, 2, 'procedimento', '22', '40304361', 'Hemograma', 10000, 10000, 10000, 2),"
  " (3, 2, 1, 'procedimento', '22', '31005497', 'Colecistectomia', 10000, 40000, 40000, 2),"
  " (4, 2, 2, 'material', '19', '79012011', 'Seringa', 10000, 10000, 10000, NULL),"
  " (5, 3, 1, 'procedimento', '22', '40302318', 'Potássio', 10000, 15000, 15000, NULL),"
  " (6, 3, 2, 'medicamento', '20', '90185750', 'Cetoprofeno', 10000, 5000, 5000, NULL),"
  " (7, 4, 1, 'procedimento', '22', '10101012', 'Consulta', 10000, 12345, 12345, NULL),"
  " (8, 5, 1, 'taxa', '18', '60001038', 'Taxa de sala', 10000, 7000, 7000, NULL);",
  "INSERT INTO retorno (id, operadora_id, tipo, sha256) VALUES"
  " (1, 1, 'DEMONSTRATIVO_ANALISE_CONTA', 'r1');",
  "INSERT INTO retorno_guia (id, retorno_id, lote_id, guia_id, valor_informado, valor_liberado,"
  " valor_glosado) VALUES (1, 1, 1, 1, 30000, 25000, 5000), (2, 1, 2, 2, 50000, 45000, 5000);",
  "INSERT INTO tabela_importacao (id, tipo, arquivo, sha256, codificacao, linhas, vigencia,"
  " usuario) VALUES (1, 'glosas', 't38.csv', 'x', 'UTF-8', 1, '2020-01-01', 'teste');",
  "INSERT INTO glosa_motivo (codigo, descricao, grupo, importacao_id) VALUES"
  " ('1705', 'Valor apresentado a maior', 'Cobrança', 1);",
  "INSERT INTO glosa (id, guia_id, item_id, retorno_id, codigo, valor, grupo, classificacao,"
  " situacao, valor_recuperado, prevista, prevista_por, lote_id) VALUES"
  " (1, 1, 1, 1, '1705', 5000, 'cobranca', 'devida', 'aceita', 0, 1, 'PRECO_ACIMA_CONTRATO', 1),"
  " (2, 2, NULL, 1, '1001', 3000, 'cadastro', 'indevida', 'recuperada', 3000, 0, NULL, 2),"
  " (3, 2, 3, 1, '1403', 2000, 'autorizacao', 'indevida', 'em_recurso', 0, 0, NULL, 2);",
  "INSERT INTO recurso (id, operadora_id, lote_id, numero, status, resultado, enviado_em,"
  " respondido_em, valor_recursado, valor_recuperado) VALUES"
  " (1, 1, 2, 1, 'respondido', 'deferido', '2025-05-10', '2025-05-30', 3000, 3000),"
  " (2, 1, 2, 2, 'enviado', NULL, '2025-05-12', NULL, 2000, 0);",
  "INSERT INTO recurso_item (id, recurso_id, glosa_id, valor_recursado, justificativa,"
  " valor_deferido) VALUES (1, 1, 2, 3000, 'cadastro ativo', 3000),"
  " (2, 2, 3, 2000, 'autorizada', NULL);",
  "INSERT INTO fatura (id, operadora_id, competencia, numero, status, valor, nf_numero,"
  " nf_serie, nf_data, nf_valor, ret_iss, ret_ir, previsao_pagamento) VALUES"
  " (1, 1, '2025-03', 1, 'paga_parcial', 45000, '77', 'A', '2025-04-10', 45000, 900, 675,"
  "  '2025-05-05');",
  "INSERT INTO fatura_lote (fatura_id, lote_id) VALUES (1, 2);",
  "INSERT INTO recebimento (id, operadora_id, fatura_id, lote_id, recurso_id, origem, data,"
  " valor, valor_bruto, recuperado) VALUES"
  " (1, 1, NULL, 1, NULL, 'manual', '2025-04-10', 25000, 25000, 0),"
  " (2, 1, 1, NULL, NULL, 'manual', '2025-05-15', 40000, 41451, 0),"
  " (3, 1, NULL, NULL, 1, 'manual', '2025-06-05', 3000, 3000, 1);",
  "INSERT INTO recebimento_guia (recebimento_id, guia_id, valor) VALUES"
  " (1, 1, 25000), (2, 2, 41451), (3, 2, 3000);",
  "INSERT INTO particular (id, paciente_nome, data, profissional_id, codigo, valor, status) VALUES"
  " (1, 'Helena Duarte', '2025-03-10', 1, '10101012', 30000, 'pago'),"
  " (2, 'Lúcia Prado', '2025-03-20', 2, '40304361', 10000, 'aberto'),"
  " (3, 'Otávio Nunes', '2025-03-21', 1, '10101012', 5000, 'cancelado');",
  "INSERT INTO particular_pagamento (id, particular_id, recibo, data, forma, valor, parcelas, taxa)"
  " VALUES (1, 1, 1, '2025-05-10', 'credito', 30000, 1, 897);",
  "INSERT INTO repasse (id, periodo, status) VALUES (1, '2025-05', 'aberto');",
  "INSERT INTO repasse_item (repasse_id, profissional_id, origem, recebimento_id, guia_id, base,"
  " valor, situacao) VALUES"
  " (1, 2, 'convenio', 2, 2, 41451, 12000, 'retido'),"
  " (1, 1, 'convenio', 1, 1, 25000, 15000, 'pagar');",
  "INSERT INTO repasse_item (repasse_id, profissional_id, origem, pagamento_particular_id, base,"
  " valor, situacao) VALUES (1, 1, 'particular', 1, 29103, 8000, 'pagar');",
  "INSERT INTO repasse_item (repasse_id, profissional_id, origem, base, valor, situacao) VALUES"
  " (1, 1, 'ajuste', 0, -500, 'pagar');",
  "UPDATE repasse SET status = 'fechado' WHERE id = 1;",
  NULL};

static int setup(void **state)
{
  fat_store *st;
  fat_err err;

  remove_db();
  if (fat_store_create(db_path, &st, &err) != FAT_OK)
    fail_msg("abrir: %s", err.msg);
  for (size_t i = 0; fixture[i] != NULL; i++)
    exec(st, fixture[i]);
  *state = st;
  return 0;
}

static int teardown(void **state)
{
  fat_store_close(*state);
  remove_db();
  return 0;
}

/* ---- reading a report document ---- */

static cJSON *gera(fat_store *st, const char *nome, const fat_rel_params *p)
{
  fat_err err;
  cJSON *rel = NULL;

  fat_err_clear(&err);
  if (fat_rel_gerar(st, nome, p, &rel, &err) != FAT_OK)
    fail_msg("relatório %s: %s", nome, err.msg);
  return rel;
}

static cJSON *tab(const cJSON *rel, const char *nome)
{
  cJSON *t;

  cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(rel, "tabelas"))
    if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "nome")), nome) == 0)
      return t;
  fail_msg("tabela %s ausente", nome);
  return NULL;
}

/* The line of t whose k1 (and k2, when given) have these text values. */
static cJSON *linha(const cJSON *t, const char *k1, const char *v1, const char *k2, const char *v2)
{
  cJSON *r;

  cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(t, "linhas"))
  {
    const char *a = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, k1));
    const char *b = k2 != NULL ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, k2)) : NULL;

    if (a != NULL && strcmp(a, v1) == 0 && (k2 == NULL || (b != NULL && strcmp(b, v2) == 0)))
      return r;
  }
  fail_msg("linha %s=%s %s=%s ausente", k1, v1, k2 != NULL ? k2 : "", v2 != NULL ? v2 : "");
  return NULL;
}

static int64_t n(const cJSON *o, const char *k)
{
  const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);

  if (!cJSON_IsNumber(x))
    fail_msg("campo %s ausente ou nulo", k);
  return (int64_t)x->valuedouble;
}

static int nulo(const cJSON *o, const char *k)
{
  return cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, k));
}

static int64_t total(const cJSON *t, const char *k)
{
  return n(cJSON_GetObjectItemCaseSensitive(t, "total"), k);
}

/* Every numeric column of kind tipo sums, over the lines, to the total. */
static void linhas_somam(const cJSON *t, const char *tipo)
{
  const cJSON *c, *r, *tot = cJSON_GetObjectItemCaseSensitive(t, "total");

  assert_true(cJSON_IsObject(tot));
  cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(t, "colunas"))
  {
    const char *k = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "chave"));
    int64_t soma = 0;

    if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "tipo")), tipo) != 0 ||
        !cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(tot, k)))
      continue;
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(t, "linhas"))
      soma += cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(r, k)) ? n(r, k) : 0;
    if (soma != n(tot, k))
      fail_msg("tabela %s, coluna %s: linhas somam %lld, total %lld",
               cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "nome")), k,
               (long long)soma, (long long)n(tot, k));
  }
}

static void periodo(fat_rel_params *p, const char *de, const char *ate)
{
  memset(p, 0, sizeof *p);
  p->de = de;
  p->ate = ate;
}

/* ---- produção ---- */

static void test_producao_por_operadora(void **state)
{
  fat_store *st = *state;
  fat_rel_params p;
  cJSON *rel, *t, *r;

  periodo(&p, "2025-02", "2025-03");
  rel = gera(st, "producao", &p);
  t = tab(rel, "mensal");
  assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(t, "linhas")), 4);
  r = linha(t, "competencia", "2025-02", "operadora", "Aurora Saúde");
  assert_int_equal(n(r, "guias"), 1);
  assert_int_equal(n(r, "procedimentos"), 1);
  assert_int_equal(n(r, "exames"), 1);
  assert_int_equal(n(r, "faturado"), 30000);
  assert_int_equal(n(r, "glosado"), 5000);
  assert_int_equal(n(r, "recebido"), 25000);
  assert_int_equal(n(r, "taxa_glosa"), 1667); /* 50/300 = 16,67% */
  assert_true(nulo(r, "variacao"));            /* no January */
  r = linha(t, "competencia", "2025-03", "operadora", "Aurora Saúde");
  assert_int_equal(n(r, "guias"), 2);          /* guias 2 and 5 */
  assert_int_equal(n(r, "procedimentos"), 1);  /* the taxa and the material are neither */
  assert_int_equal(n(r, "exames"), 0);
  assert_int_equal(n(r, "faturado"), 57000);
  assert_int_equal(n(r, "glosado"), 5000);
  assert_int_equal(n(r, "recuperado"), 3000);
  assert_int_equal(n(r, "recebido"), 44451);
  assert_int_equal(n(r, "taxa_glosa"), 877);
  assert_int_equal(n(r, "variacao"), 9000);   /* 570 against 300: +90% */
  r = linha(t, "competencia", "2025-03", "operadora", "Horizonte Cooperativa Médica");
  assert_int_equal(n(r, "guias"), 1);          /* the cancelled guia 4 is out */
  assert_int_equal(n(r, "faturado"), 20000);
  assert_int_equal(n(r, "exames"), 1);
  r = linha(t, "competencia", "2025-03", "operadora", "Particulares");
  assert_int_equal(n(r, "guias"), 2);
  assert_int_equal(n(r, "faturado"), 40000);
  assert_int_equal(n(r, "recebido"), 30000);
  linhas_somam(t, "dinheiro");
  linhas_somam(t, "inteiro");
  assert_int_equal(total(t, "faturado"), 147000);
  assert_int_equal(total(t, "recebido"), 99451);
  /* the same totals by plain SQL over the rows */
  assert_int_equal(total(t, "faturado"),
                   q_int(st, "SELECT (SELECT sum(valor_total) FROM guia WHERE status <> 'cancelada'"
                             " AND competencia BETWEEN '2025-02' AND '2025-03') + (SELECT sum(valor)"
                             " FROM particular WHERE status <> 'cancelado') AS v"));
  assert_int_equal(total(t, "glosado"), q_int(st, "SELECT sum(valor) AS v FROM glosa"));
  assert_int_equal(total(t, "recebido"),
                   q_int(st, "SELECT (SELECT sum(valor_bruto) FROM recebimento) +"
                             " (SELECT sum(valor) FROM particular_pagamento) AS v"));
  cJSON_Delete(rel);
}

static void test_producao_detalhes(void **state)
{
  fat_store *st = *state;
  fat_rel_params p;
  cJSON *rel, *t;

  periodo(&p, "2025-02", "2025-03");
  p.detalhe = "profissional";
  rel = gera(st, "producao", &p);
  t = tab(rel, "detalhe");
  /* Beto in March: item 3, the material of guia 2 and the taxa of guia 5
  ** (he is their executante) and his particular; glosa 2 (the whole guia
  ** 2, his) and glosa 3 (item 3) */
  assert_int_equal(n(linha(t, "competencia", "2025-03", "detalhe", "Dr. Beto Reis"), "glosado"), 5000);
  assert_int_equal(n(linha(t, "competencia", "2025-03", "detalhe", "Dr. Beto Reis"), "itens"), 4);
  assert_int_equal(n(linha(t, "competencia", "2025-03", "detalhe", "Dra. Ana Lima"), "faturado"),
                   15000 + 5000 + 30000); /* guia 3's items and her particular */
  /* month over month, line by line: Beto 100,00 (the hemograma) in
  ** February, 670,00 in March; Ana 200,00 then 500,00 */
  assert_true(nulo(linha(t, "competencia", "2025-02", "detalhe", "Dr. Beto Reis"), "variacao"));
  assert_int_equal(n(linha(t, "competencia", "2025-03", "detalhe", "Dr. Beto Reis"), "variacao"),
                   57000);
  assert_int_equal(n(linha(t, "competencia", "2025-03", "detalhe", "Dra. Ana Lima"), "variacao"),
                   15000);
  linhas_somam(t, "dinheiro");
  assert_int_equal(total(t, "glosado"), 10000);
  cJSON_Delete(rel);
  /* a period starting in March still compares March with February */
  periodo(&p, "2025-03", "2025-03");
  p.detalhe = "profissional";
  rel = gera(st, "producao", &p);
  t = tab(rel, "detalhe");
  assert_int_equal(n(linha(t, "competencia", "2025-03", "detalhe", "Dr. Beto Reis"), "variacao"),
                   57000);
  assert_int_equal(n(linha(tab(rel, "mensal"), "competencia", "2025-03", "operadora",
                           "Aurora Saúde"), "variacao"), 9000);
  {
    const cJSON *r;

    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(t, "linhas"))
      assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "competencia")),
                          "2025-03");
  }
  linhas_somam(t, "dinheiro");
  assert_int_equal(total(t, "faturado"), 117000); /* March alone */
  cJSON_Delete(rel);
  periodo(&p, "2025-02", "2025-03");
  p.detalhe = "grupo";
  rel = gera(st, "producao", &p);
  t = tab(rel, "detalhe");
  assert_int_equal(n(linha(t, "competencia", "2025-03", "detalhe", "(guia inteira)"), "glosado"), 3000);
  assert_int_equal(n(linha(t, "competencia", "2025-03", "detalhe", "Taxas e diárias"), "faturado"), 7000);
  assert_int_equal(n(linha(t, "competencia", "2025-03", "detalhe", "Exames"), "itens"), 2);
  assert_int_equal(n(linha(t, "competencia", "2025-03", "detalhe", "Exames"), "variacao"),
                   15000); /* 250,00 against 100,00 */
  assert_true(nulo(linha(t, "competencia", "2025-03", "detalhe", "Taxas e diárias"), "variacao"));
  linhas_somam(t, "dinheiro");
  linhas_somam(t, "inteiro");
  cJSON_Delete(rel);
  p.detalhe = "unidade";
  rel = gera(st, "producao", &p);
  t = tab(rel, "detalhe");
  assert_int_equal(n(linha(t, "competencia", "2025-03", "detalhe", "Unidade Norte"), "faturado"), 27000);
  assert_int_equal(n(linha(t, "competencia", "2025-03", "detalhe", "Clínica Central"), "variacao"),
                   6667); /* 500,00 against 300,00 */
  assert_true(nulo(linha(t, "competencia", "2025-03", "detalhe", "Unidade Norte"), "variacao"));
  linhas_somam(t, "dinheiro");
  assert_int_equal(total(t, "faturado"), 147000);
  cJSON_Delete(rel);
}

/* ---- counters ---- */

/* rel_mes against the definitions of schemas/060_relatorios.sql, by plain
** SQL (joins, not the subqueries of the triggers). */
static void contadores_conferem(fat_store *st)
{
  static const char sql[] =
    "WITH g AS (SELECT competencia, operadora_id, count(*) AS guias, sum(valor_total) AS faturado"
    " FROM guia WHERE status <> 'cancelada' AND competencia IS NOT NULL GROUP BY 1, 2),"
    " gl AS (SELECT g.competencia, g.operadora_id, count(*) AS glosas, sum(x.valor) AS glosado,"
    " sum(x.valor_recuperado) AS recuperado FROM glosa x JOIN guia g ON g.id = x.guia_id"
    " WHERE g.status <> 'cancelada' AND g.competencia IS NOT NULL GROUP BY 1, 2),"
    " rc AS (SELECT g.competencia, g.operadora_id, sum(x.valor) AS recebido FROM recebimento_guia x"
    " JOIN guia g ON g.id = x.guia_id WHERE g.status <> 'cancelada' AND g.competencia IS NOT NULL"
    " GROUP BY 1, 2),"
    " pa AS (SELECT substr(data, 1, 7) AS competencia, 0 AS operadora_id, count(*) AS guias,"
    " sum(valor) AS faturado FROM particular WHERE status <> 'cancelado' GROUP BY 1),"
    " pp AS (SELECT substr(p.data, 1, 7) AS competencia, sum(x.valor) AS recebido"
    " FROM particular_pagamento x JOIN particular p ON p.id = x.particular_id"
    " WHERE p.status <> 'cancelado' GROUP BY 1),"
    " esperado AS (SELECT g.competencia, g.operadora_id, g.guias, g.faturado,"
    " coalesce(gl.glosas, 0) AS glosas, coalesce(gl.glosado, 0) AS glosado,"
    " coalesce(gl.recuperado, 0) AS recuperado, coalesce(rc.recebido, 0) AS recebido FROM g"
    " LEFT JOIN gl USING (competencia, operadora_id) LEFT JOIN rc USING (competencia, operadora_id)"
    " UNION ALL SELECT pa.competencia, 0, pa.guias, pa.faturado, 0, 0, 0, coalesce(pp.recebido, 0)"
    " FROM pa LEFT JOIN pp USING (competencia)),"
    " atual AS (SELECT competencia, operadora_id, guias, faturado, glosas, glosado, recuperado,"
    " recebido FROM rel_mes WHERE guias <> 0 OR faturado <> 0 OR glosas <> 0 OR recebido <> 0)"
    " SELECT (SELECT count(*) FROM (SELECT * FROM esperado EXCEPT SELECT * FROM atual))"
    " + (SELECT count(*) FROM (SELECT * FROM atual EXCEPT SELECT * FROM esperado)) AS v";

  assert_int_equal(q_int(st, sql), 0);
}

static void test_contadores_seguem_as_escritas(void **state)
{
  fat_store *st = *state;
  fat_err err;

  contadores_conferem(st); /* the fixture went in through the triggers */
  exec(st, "UPDATE guia SET valor_total = 31000 WHERE id = 1");
  contadores_conferem(st);
  exec(st, "UPDATE guia SET competencia = '2025-04' WHERE id = 2"); /* moves glosas and receipts */
  contadores_conferem(st);
  exec(st, "UPDATE guia SET status = 'cancelada' WHERE id = 3");
  contadores_conferem(st);
  exec(st, "UPDATE guia SET status = 'digitada' WHERE id = 4"); /* back from cancelled */
  contadores_conferem(st);
  exec(st, "UPDATE glosa SET valor = 4000, valor_recuperado = 1000 WHERE id = 1");
  contadores_conferem(st);
  exec(st, "UPDATE glosa SET guia_id = 5 WHERE id = 3");
  contadores_conferem(st);
  exec(st, "DELETE FROM recurso_item WHERE glosa_id = 3; DELETE FROM glosa WHERE id = 3");
  contadores_conferem(st);
  exec(st, "INSERT INTO recebimento_guia (recebimento_id, guia_id, valor) VALUES (1, 5, 100)");
  exec(st, "UPDATE recebimento_guia SET valor = 200 WHERE recebimento_id = 1 AND guia_id = 5");
  contadores_conferem(st);
  exec(st, "DELETE FROM recebimento_guia WHERE recebimento_id = 1 AND guia_id = 5");
  contadores_conferem(st);
  exec(st, "UPDATE particular SET data = '2025-04-02' WHERE id = 1");
  exec(st, "UPDATE particular SET status = 'cancelado' WHERE id = 2");
  exec(st, "UPDATE particular SET status = 'aberto' WHERE id = 3");
  exec(st, "INSERT INTO particular_pagamento (particular_id, recibo, data, forma, valor)"
           " VALUES (3, 2, '2025-05-11', 'pix', 1000)");
  contadores_conferem(st);
  exec(st, "DELETE FROM item WHERE guia_id = 4; DELETE FROM guia WHERE id = 4");
  contadores_conferem(st);
  /* a manual edit behind the triggers' back is repaired by recontar */
  exec(st, "UPDATE rel_mes SET faturado = 1");
  assert_int_equal(fat_relatorio_recontar(st, &err), FAT_OK);
  contadores_conferem(st);
}

static void test_painel_le_os_contadores(void **state)
{
  fat_store *st = *state;
  fat_rel_params p, q;
  cJSON *painel, *prod, *a, *b, *r;

  memset(&p, 0, sizeof p);
  p.hoje = "2025-06-10";
  painel = gera(st, "painel", &p);
  periodo(&q, "2024-04", "2025-03");
  prod = gera(st, "producao", &q);
  /* the counters give the figures the SQL report computes */
  a = tab(painel, "producao");
  b = tab(prod, "mensal");
  assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(a, "linhas")),
                   cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(b, "linhas")));
  cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(a, "linhas"))
  {
    const char *c = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "competencia"));
    const char *o = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "operadora"));
    cJSON *x = linha(b, "competencia", c, "operadora", o);

    assert_int_equal(n(r, "guias"), n(x, "guias"));
    assert_int_equal(n(r, "faturado"), n(x, "faturado"));
    assert_int_equal(n(r, "glosado"), n(x, "glosado"));
    assert_int_equal(n(r, "recuperado"), n(x, "recuperado"));
    assert_int_equal(n(r, "recebido"), n(x, "recebido"));
  }
  assert_int_equal(total(a, "faturado"), total(b, "faturado"));
  /* glosa rate of the convênios per month */
  assert_int_equal(n(linha(tab(painel, "taxa_glosa"), "competencia", "2025-03", NULL, NULL),
                     "taxa_glosa"), 649); /* 50 / 770 */
  /* the mapa of the latest convênio competência comes from the financeiro */
  assert_int_equal(n(linha(tab(painel, "mapa"), "operadora", "Aurora Saúde", NULL, NULL),
                     "saldo_a_receber"), 3549);
  cJSON_Delete(painel);
  cJSON_Delete(prod);
}

/* ---- inadimplência and previsto × realizado ---- */

static void test_aging_e_a_identidade_do_recebivel(void **state)
{
  fat_store *st = *state;
  fat_rel_params p, q;
  cJSON *rel, *t, *r, *prod;
  int64_t enviado;

  memset(&p, 0, sizeof p);
  p.hoje = "2025-06-10";
  rel = gera(st, "inadimplencia", &p);
  t = tab(rel, "aging");
  r = linha(t, "operadora", "Aurora Saúde", NULL, NULL);
  /* lote 2: liberado 450 + recovered 30 - received 444,51, 36 days late */
  assert_int_equal(n(r, "de_31_a_60"), 3549);
  assert_int_equal(n(r, "aberto"), 3549);
  r = linha(t, "operadora", "Horizonte Cooperativa Médica", NULL, NULL);
  assert_int_equal(n(r, "ate_30"), 20000); /* not answered: the billed value, 21 days */
  r = linha(t, "operadora", "Particulares", NULL, NULL);
  assert_int_equal(n(r, "de_61_a_90"), 10000);
  /* buckets sum to the open receivables, per line and in total */
  cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(t, "linhas"))
    assert_int_equal(n(r, "a_vencer") + n(r, "ate_30") + n(r, "de_31_a_60") + n(r, "de_61_a_90") +
                         n(r, "acima_de_90") + n(r, "sem_previsao"),
                     n(r, "aberto"));
  linhas_somam(t, "dinheiro");
  assert_int_equal(total(t, "aberto"), 33549);
  /* faturado - glosado + recuperado - recebido of the guias sent (plain
  ** SQL) = the convênios' open receivables; and faturado - glosado of the
  ** answered guias = the liberado of the demonstrativos */
  enviado = q_int(st, "SELECT sum(g.valor_total) - (SELECT sum(x.valor) FROM glosa x JOIN guia y"
                      " ON y.id = x.guia_id WHERE y.lote_id IS NOT NULL)"
                      " + (SELECT sum(x.valor_recuperado) FROM glosa x JOIN guia y"
                      " ON y.id = x.guia_id WHERE y.lote_id IS NOT NULL)"
                      " - (SELECT sum(x.valor) FROM recebimento_guia x JOIN guia y"
                      " ON y.id = x.guia_id WHERE y.lote_id IS NOT NULL) AS v"
                      " FROM guia g WHERE g.lote_id IS NOT NULL");
  assert_int_equal(enviado, total(t, "aberto") - n(linha(t, "operadora", "Particulares", NULL, NULL),
                                                   "aberto"));
  assert_int_equal(q_int(st, "SELECT sum(valor_total) - (SELECT sum(valor) FROM glosa) AS v"
                             " FROM guia WHERE id IN (SELECT guia_id FROM retorno_guia)"),
                   q_int(st, "SELECT sum(valor_liberado) AS v FROM lote WHERE valor_liberado IS NOT NULL"));
  /* and the same from the produção report's figures */
  periodo(&q, "2025-02", "2025-03");
  q.operadora = "aurora";
  prod = gera(st, "producao", &q);
  {
    cJSON *m = tab(prod, "mensal");
    int64_t a = total(m, "faturado") - 7000 /* guia 5 was not sent */ - total(m, "glosado") +
                total(m, "recuperado") - total(m, "recebido");

    assert_int_equal(a, n(linha(t, "operadora", "Aurora Saúde", NULL, NULL), "aberto"));
  }
  cJSON_Delete(prod);
  /* lotes late: lote 3 without protocolo (no history: 5 days) and without
  ** demonstrativo past its expected date */
  r = linha(tab(rel, "sem_protocolo"), "operadora", "Horizonte Cooperativa Médica", NULL, NULL);
  assert_int_equal(n(r, "dias"), 66);
  assert_int_equal(n(r, "prazo_usual"), 5);
  r = linha(tab(rel, "sem_demonstrativo"), "operadora", "Horizonte Cooperativa Médica", NULL, NULL);
  assert_int_equal(n(r, "dias"), 21);
  assert_int_equal(total(tab(rel, "sem_demonstrativo"), "numero"), 1);
  cJSON_Delete(rel);
  /* before anything is due */
  p.hoje = "2025-04-01";
  rel = gera(st, "inadimplencia", &p);
  t = tab(rel, "aging");
  assert_int_equal(total(t, "a_vencer"), 20000 + 3549);
  assert_int_equal(total(t, "aberto"), 33549);
  cJSON_Delete(rel);
}

static void test_previsto_realizado(void **state)
{
  fat_store *st = *state;
  fat_rel_params p;
  cJSON *rel, *t, *r;

  periodo(&p, "2025-04", "2025-06");
  rel = gera(st, "previsto", &p);
  t = tab(rel, "mensal");
  r = linha(t, "mes", "2025-04", "operadora", "Aurora Saúde");
  assert_int_equal(n(r, "previsto"), 25000);
  assert_int_equal(n(r, "realizado"), 25000);
  assert_int_equal(n(r, "atraso_medio"), 5);
  r = linha(t, "mes", "2025-05", "operadora", "Aurora Saúde");
  assert_int_equal(n(r, "previsto"), 45000); /* the fatura's date wins over the lote's */
  assert_int_equal(n(r, "realizado"), 41451);
  assert_int_equal(n(r, "diferenca"), -3549);
  assert_int_equal(n(r, "atraso_medio"), 10);
  r = linha(t, "mes", "2025-05", "operadora", "Horizonte Cooperativa Médica");
  assert_int_equal(n(r, "previsto"), 20000);
  assert_int_equal(n(r, "realizado"), 0);
  assert_true(nulo(r, "atraso_medio"));
  linhas_somam(t, "dinheiro");
  /* (250 x 5 + 414,51 x 10) / 664,51 = 8,1 days; recovered money is out */
  assert_int_equal(total(t, "atraso_medio"), 8);
  assert_int_equal(total(t, "realizado"),
                   q_int(st, "SELECT sum(valor_bruto) AS v FROM recebimento WHERE recuperado = 0"));
  cJSON_Delete(rel);
}

/* ---- glosas ---- */

static void test_glosas(void **state)
{
  fat_store *st = *state;
  fat_rel_params p;
  cJSON *rel, *t, *r;

  periodo(&p, "2025-02", "2025-03");
  rel = gera(st, "glosas", &p);
  t = tab(rel, "mensal");
  r = linha(t, "competencia", "2025-02", "operadora", "Aurora Saúde");
  assert_int_equal(n(r, "taxa"), 1667);
  assert_int_equal(n(r, "devida"), 5000);
  assert_int_equal(n(r, "preveniveis"), 1);
  assert_int_equal(n(r, "valor_prevenivel"), 5000);
  r = linha(t, "competencia", "2025-03", "operadora", "Aurora Saúde");
  assert_int_equal(n(r, "indevida"), 5000);
  assert_int_equal(n(r, "recursado"), 5000);
  assert_int_equal(n(r, "recuperado"), 3000);
  assert_int_equal(n(r, "taxa_recuperacao"), 6000);
  assert_int_equal(n(r, "taxa"), 877);            /* 50 / 570 */
  assert_int_equal(n(r, "variacao_taxa"), -790);  /* 8,77% against 16,67% */
  assert_true(nulo(linha(t, "competencia", "2025-02", "operadora", "Aurora Saúde"), "variacao_taxa"));
  assert_true(nulo(linha(t, "competencia", "2025-03", "operadora", "Horizonte Cooperativa Médica"),
                   "variacao_taxa"));
  linhas_somam(t, "dinheiro");
  linhas_somam(t, "inteiro");
  assert_int_equal(total(t, "taxa"), 935); /* 100 / 1.070 */
  /* every table of glosas adds up to the same glosado */
  assert_int_equal(total(tab(rel, "por_grupo"), "glosado"), 10000);
  assert_int_equal(total(tab(rel, "por_codigo"), "glosado"), 10000);
  assert_int_equal(total(tab(rel, "por_procedimento"), "glosado"), 10000);
  assert_int_equal(total(tab(rel, "por_profissional"), "glosado"), 10000);
  linhas_somam(tab(rel, "por_grupo"), "dinheiro");
  linhas_somam(tab(rel, "por_codigo"), "dinheiro");
  linhas_somam(tab(rel, "por_procedimento"), "dinheiro");
  linhas_somam(tab(rel, "por_profissional"), "dinheiro");
  r = linha(tab(rel, "por_grupo"), "grupo", "cobrança/valor", NULL, NULL);
  assert_int_equal(n(r, "participacao"), 5000);
  assert_int_equal(n(r, "taxa"), 467);
  r = linha(tab(rel, "por_codigo"), "codigo", "1705", NULL, NULL);
  assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "descricao")),
                      "Valor apresentado a maior");
  r = linha(tab(rel, "por_procedimento"), "procedimento", "10101012", NULL, NULL);
  assert_int_equal(n(r, "faturado"), 20000); /* guia 4 is cancelled */
  assert_int_equal(n(r, "taxa"), 2500);
  assert_int_equal(n(linha(tab(rel, "por_procedimento"), "procedimento", "(guia inteira)", NULL, NULL),
                     "glosado"), 3000);
  r = linha(tab(rel, "por_profissional"), "profissional", "Dr. Beto Reis", NULL, NULL);
  assert_int_equal(n(r, "glosado"), 5000);
  assert_int_equal(n(r, "faturado"), 67000);
  assert_int_equal(n(r, "taxa"), 746);
  r = linha(tab(rel, "recursos"), "operadora", "Aurora Saúde", NULL, NULL);
  assert_int_equal(n(r, "recursos"), 2);
  assert_int_equal(n(r, "taxa_recuperacao"), 6000);
  assert_int_equal(n(r, "tempo_medio"), 20);
  assert_int_equal(n(r, "aguardando"), 1);
  r = linha(tab(rel, "preveniveis"), "regra", "PRECO_ACIMA_CONTRATO", NULL, NULL);
  assert_int_equal(n(r, "valor"), 5000);
  assert_int_equal(total(tab(rel, "preveniveis"), "valor"),
                   q_int(st, "SELECT sum(valor) AS v FROM glosa WHERE prevista = 1"));
  cJSON_Delete(rel);
  /* March alone: its change of rate still looks at February, its lines and
  ** total are March's */
  periodo(&p, "2025-03", "2025-03");
  rel = gera(st, "glosas", &p);
  t = tab(rel, "mensal");
  assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(t, "linhas")), 2);
  assert_int_equal(n(linha(t, "competencia", "2025-03", "operadora", "Aurora Saúde"),
                     "variacao_taxa"), -790);
  assert_int_equal(total(t, "faturado"), 77000);
  linhas_somam(t, "dinheiro");
  cJSON_Delete(rel);
}

/* The glosa listing (panel, `faturo glosa listar`) turns the stored 0/1 of
** glosa.prevista into true/false under the same key: a row whose flag lost
** its name printed as "": false and the panel never saw the prediction. */
static void test_listagem_de_glosas_mantem_a_chave_prevista(void **state)
{
  fat_store *st = *state;
  fat_pagina pg;
  fat_err err;
  cJSON *rows = NULL, *r, *c;
  int verdadeiras = 0;

  memset(&pg, 0, sizeof pg);
  fat_err_clear(&err);
  if (fat_relatorio_glosas(st, NULL, &pg, &rows, &err) != FAT_OK)
    fail_msg("listagem de glosas: %s", err.msg);
  assert_true(cJSON_GetArraySize(rows) > 0);
  cJSON_ArrayForEach(r, rows)
  {
    c = cJSON_GetObjectItemCaseSensitive(r, "prevista");
    assert_true(cJSON_IsBool(c) || cJSON_IsNull(c));
    verdadeiras += cJSON_IsTrue(c);
    cJSON_ArrayForEach(c, r)
      assert_true(c->string != NULL && c->string[0] != '\0');
  }
  assert_int_equal(verdadeiras,
                   q_int(st, "SELECT count(*) AS v FROM glosa WHERE prevista = 1"));
  cJSON_Delete(rows);
}

/* ---- produtividade ---- */

static void test_produtividade_dos_registros_de_auditoria(void **state)
{
  fat_store *st = *state;
  fat_rel_params p;
  fat_guia *g = NULL;
  fat_err err;
  char hoje[11], obj[32];
  cJSON *rel, *t, *r;
  int64_t corrigida;

  fat_dia_hoje(hoje, sizeof hoje);
  /* ana enters a guia (a copy of guia 5), bia corrects guia 5 */
  assert_int_equal(fat_store_set_user(st, "ana", &err), FAT_OK);
  assert_int_equal(fat_guia_load(st, 5, &g, &err), FAT_OK);
  g->id = 0;
  fat_free(g->numero_prestador);
  g->numero_prestador = fat_strdup("G5-copia");
  assert_int_equal(fat_guia_save(st, g, &err), FAT_OK);
  fat_guia_free(g);
  assert_int_equal(fat_store_audit(st, "achado.reconhecer", "achado:1", "motivo", &err), FAT_OK);
  exec(st, "INSERT INTO lote_evento (lote_id, usuario, de, para) VALUES (1, 'ana', NULL, 'fechado')");
  assert_int_equal(fat_store_set_user(st, "bia", &err), FAT_OK);
  assert_int_equal(fat_guia_load(st, 5, &g, &err), FAT_OK);
  corrigida = g->id;
  assert_int_equal(fat_guia_save(st, g, &err), FAT_OK);
  fat_guia_free(g);
  assert_int_equal(fat_store_audit(st, "recurso.enviar", "recurso:2", NULL, &err), FAT_OK);
  /* the re-check (run by anyone) finds two findings gone from the corrected
  ** guia, and one gone from a guia nobody corrected (a rule changed) */
  assert_int_equal(fat_store_set_user(st, "cli", &err), FAT_OK);
  snprintf(obj, sizeof obj, "guia:%lld", (long long)corrigida);
  assert_int_equal(fat_store_audit(st, "achado.resolver", obj, "CID_AUSENTE", &err), FAT_OK);
  assert_int_equal(fat_store_audit(st, "achado.resolver", obj, "SENHA_AUSENTE", &err), FAT_OK);
  assert_int_equal(fat_store_audit(st, "achado.resolver", "guia:1", "X", &err), FAT_OK);

  memset(&p, 0, sizeof p);
  p.de = hoje;
  p.ate = hoje;
  rel = gera(st, "produtividade", &p);
  t = tab(rel, "usuarios");
  r = linha(t, "usuario", "ana", NULL, NULL);
  assert_int_equal(n(r, "guias_digitadas"), 1);
  assert_int_equal(n(r, "guias_corrigidas"), 0);
  assert_int_equal(n(r, "achados_reconhecidos"), 1);
  assert_int_equal(n(r, "lotes_fechados"), 1);
  r = linha(t, "usuario", "bia", NULL, NULL);
  assert_int_equal(n(r, "guias_corrigidas"), 1);
  assert_int_equal(n(r, "achados_resolvidos"), 2);
  assert_int_equal(n(r, "recursos_enviados"), 1);
  assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(t, "linhas")), 2);
  linhas_somam(t, "inteiro");
  linhas_somam(tab(rel, "semanas"), "inteiro");
  assert_int_equal(total(t, "achados_resolvidos"), 2); /* the uncorrected guia's is nobody's */
  cJSON_Delete(rel);
  /* the period of the fixture (2025) has none of it */
  p.de = "2025-01-01";
  p.ate = "2025-12-31";
  rel = gera(st, "produtividade", &p);
  assert_int_equal(total(tab(rel, "usuarios"), "guias_digitadas"), 0);
  cJSON_Delete(rel);
}

/* ---- fechamento ---- */

static void test_fechamento(void **state)
{
  fat_store *st = *state;
  fat_rel_params p;
  fat_err err;
  cJSON *rel, *t, *r;
  char dir[] = "test_relatorio_pacote_XXXXXX", path[256], *txt = NULL;
  size_t len = 0;

  memset(&p, 0, sizeof p);
  p.mes = "2025-05";
  rel = gera(st, "fechamento", &p);
  t = tab(rel, "resumo");
  r = linha(t, "operadora", "Aurora Saúde", NULL, NULL);
  assert_int_equal(n(r, "recebido_bruto"), 41451);
  assert_int_equal(n(r, "retido"), 1451);
  assert_int_equal(n(r, "recebido_liquido"), 40000);
  assert_int_equal(n(r, "repasse"), 27000);
  r = linha(t, "operadora", "Particulares", NULL, NULL);
  assert_int_equal(n(r, "recebido_bruto"), 30000);
  assert_int_equal(n(r, "tarifas"), 897);
  assert_int_equal(n(r, "recebido_liquido"), 29103);
  assert_int_equal(n(r, "repasse"), 8000);
  assert_int_equal(n(linha(t, "operadora", "Ajustes de repasse", NULL, NULL), "repasse"), -500);
  linhas_somam(t, "dinheiro");
  assert_int_equal(total(t, "recebido_bruto"),
                   total(t, "retido") + total(t, "tarifas") + total(t, "recebido_liquido"));
  assert_int_equal(total(t, "repasse"), total(tab(rel, "repasse"), "total"));
  assert_int_equal(total(t, "repasse"),
                   q_int(st, "SELECT sum(valor) AS v FROM repasse_item WHERE repasse_id = 1"));
  assert_int_equal(total(tab(rel, "recebimentos"), "bruto"), 41451);
  cJSON_Delete(rel);
  p.mes = "2025-04";
  rel = gera(st, "fechamento", &p);
  r = linha(tab(rel, "notas"), "nf_numero", "77", NULL, NULL);
  assert_int_equal(n(r, "nf_valor"), 45000);
  assert_int_equal(total(tab(rel, "resumo"), "notas_emitidas"), 45000);
  cJSON_Delete(rel);
  /* the package for the accountant */
  assert_non_null(mkdtemp(dir));
  assert_int_equal(fat_rel_fechamento_pacote(st, "2025-05", dir, NULL, &err), FAT_OK);
  snprintf(path, sizeof path, "%s/fechamento-2025-05-resumo.txt", dir);
  assert_int_equal(fat_file_read(path, 1u << 20, &txt, &len, &err), FAT_OK);
  assert_non_null(strstr(txt, "Aurora Saúde"));
  assert_non_null(strstr(txt, "R$ 414,51"));
  assert_null(strstr(txt, "NÃO CONFERE"));
  fat_free(txt);
  remove(path);
  snprintf(path, sizeof path, "%s/fechamento-2025-05.csv", dir);
  assert_int_equal(fat_file_read(path, 1u << 20, &txt, &len, &err), FAT_OK);
  assert_memory_equal(txt, "\xEF\xBB\xBF", 3);
  fat_free(txt);
  remove(path);
  snprintf(path, sizeof path, "%s/fechamento-2025-05.xlsx", dir);
  assert_int_equal(fat_file_read(path, 1u << 24, &txt, &len, &err), FAT_OK);
  assert_memory_equal(txt, "PK", 2); /* a zip: read back cell by cell by the e2e test */
  fat_free(txt);
  remove(path);
  rmdir(dir);
  assert_int_equal(fat_rel_fechamento_pacote(st, "2025-13", dir, NULL, &err), FAT_EINVAL);
}

/* ---- exports and parameters ---- */

static void test_csv_brasileiro(void **state)
{
  fat_store *st = *state;
  fat_rel_params p;
  fat_err err;
  cJSON *rel;
  char *csv = NULL;
  size_t len = 0;

  periodo(&p, "2025-02", "2025-03");
  rel = gera(st, "producao", &p);
  assert_int_equal(fat_rel_csv(rel, &csv, &len, &err), FAT_OK);
  assert_memory_equal(csv, "\xEF\xBB\xBF", 3);
  assert_int_equal(len, strlen(csv));
  assert_non_null(strstr(csv, "Produção mensal\r\n"));
  assert_non_null(strstr(csv, "Competência;Operadora;Guias;Procedimentos;Exames;Faturado;"));
  /* month as MM/AAAA, money with a decimal comma, rates with %, accents intact */
  assert_non_null(strstr(csv, "03/2025;Aurora Saúde;2;1;0;570,00;50,00;30,00;444,51;8,77%;90,00%\r\n"));
  assert_non_null(strstr(csv, "02/2025;Aurora Saúde;1;1;1;300,00;50,00;0,00;250,00;16,67%;\r\n"));
  assert_non_null(strstr(csv, "Total;;6;3;3;1470,00;100,00;30,00;994,51;6,80%;\r\n"));
  fat_free(csv);
  cJSON_Delete(rel);
}

static void test_parametros_invalidos(void **state)
{
  fat_store *st = *state;
  fat_rel_params p;
  fat_err err;
  cJSON *rel = NULL;

  memset(&p, 0, sizeof p);
  assert_int_equal(fat_rel_gerar(st, "inexistente", &p, &rel, &err), FAT_EINVAL);
  p.de = "2025-13";
  assert_int_equal(fat_rel_gerar(st, "producao", &p, &rel, &err), FAT_EINVAL);
  assert_non_null(strstr(err.msg, "2025-13"));
  periodo(&p, "2025-03", "2025-02");
  assert_int_equal(fat_rel_gerar(st, "glosas", &p, &rel, &err), FAT_EINVAL);
  periodo(&p, NULL, NULL);
  p.operadora = "unimed";
  assert_int_equal(fat_rel_gerar(st, "producao", &p, &rel, &err), FAT_EINVAL);
  p.operadora = NULL;
  p.detalhe = "cor";
  assert_int_equal(fat_rel_gerar(st, "producao", &p, &rel, &err), FAT_EINVAL);
  p.detalhe = NULL;
  p.hoje = "31/02/2025";
  assert_int_equal(fat_rel_gerar(st, "inadimplencia", &p, &rel, &err), FAT_EINVAL);
  memset(&p, 0, sizeof p);
  assert_int_equal(fat_rel_gerar(st, "fechamento", &p, &rel, &err), FAT_EINVAL);
  assert_null(rel);
  /* particulares only */
  p.operadora = "particular";
  rel = gera(st, "producao", &p);
  assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(tab(rel, "mensal"), "linhas")), 1);
  cJSON_Delete(rel);
}

/* Out of memory at every allocation of one report: a clean FAT_ENOMEM (and
** no leak under ASan), then the same document. */
static void *falha_malloc(size_t n) { return fat_malloc(n); }
static void falha_free(void *p) { fat_free(p); }

static void test_sem_memoria(void **state)
{
  fat_store *st = *state;
  cJSON_Hooks hooks = {falha_malloc, falha_free};
  fat_rel_params p;
  cJSON *rel = NULL;
  long k;
  int ok = 0;

  periodo(&p, "2025-02", "2025-03");
  p.detalhe = "grupo";
  cJSON_InitHooks(&hooks);
  for (k = 0; k < 100000 && !ok; k++) {
    fat_err err;
    fat_rc rc;

    fat_err_clear(&err);
    fat_test_fail_alloc_after(k);
    rc = fat_rel_gerar(st, "producao", &p, &rel, &err);
    fat_test_fail_alloc_after(-1);
    if (rc == FAT_OK)
      ok = 1;
    else if (rc != FAT_ENOMEM)
      fail_msg("falha na alocação %ld virou %d: %s", k, rc, err.msg);
    else
      assert_null(rel);
  }
  cJSON_InitHooks(NULL);
  assert_true(ok);
  assert_true(k > 50);
  assert_int_equal(total(tab(rel, "mensal"), "faturado"), 147000);
  cJSON_Delete(rel);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_producao_por_operadora, setup, teardown),
    cmocka_unit_test_setup_teardown(test_producao_detalhes, setup, teardown),
    cmocka_unit_test_setup_teardown(test_contadores_seguem_as_escritas, setup, teardown),
    cmocka_unit_test_setup_teardown(test_painel_le_os_contadores, setup, teardown),
    cmocka_unit_test_setup_teardown(test_aging_e_a_identidade_do_recebivel, setup, teardown),
    cmocka_unit_test_setup_teardown(test_previsto_realizado, setup, teardown),
    cmocka_unit_test_setup_teardown(test_glosas, setup, teardown),
    cmocka_unit_test_setup_teardown(test_listagem_de_glosas_mantem_a_chave_prevista, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_produtividade_dos_registros_de_auditoria, setup, teardown),
    cmocka_unit_test_setup_teardown(test_fechamento, setup, teardown),
    cmocka_unit_test_setup_teardown(test_csv_brasileiro, setup, teardown),
    cmocka_unit_test_setup_teardown(test_parametros_invalidos, setup, teardown),
    cmocka_unit_test_setup_teardown(test_sem_memoria, setup, teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
