/* test_glosa.c: glosas (fat_glosa): classification devida / indevida /
** a_classificar with its evidence, case by case (table-driven); a finding
** that predicted the glosa wins; manual entry (full value by default, never
** more than what is still unglosed, unknown guia or item refused, audited);
** lists by filter and the summary's totals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fat_glosa.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_store_int.h"
#include "fat_store_sqlite.h"

static const char *db_path = "test_glosa.db";

static void remove_db(void)
{
  unlink(db_path);
  unlink("test_glosa.db-wal");
  unlink("test_glosa.db-shm");
}

/* Guias of one lote, each shaped for one classification case:
**  G1 senha valid             G2 no senha             G3 senha expired before the visit
**  G4 carteira valid           G5 no carteira          G6 carteira expired
**  G7 signed                   G8 not signed           G9 + G10 same beneficiário, code, date
**  G11 alone (no duplicate)    G12 with a finding predicting 1705 on item 1
**  G13 with CID               */
static fat_store *clinic(void)
{
  static const char *const sql[] = {
    "INSERT INTO prestador (id, nome, cnpj) VALUES (1, 'Clínica Teste', '11222333000181')",
    "INSERT INTO operadora (id, registro_ans, nome, script) VALUES (1, '312347', 'Aurora Saúde',"
    " 'aurora'), (2, '368253', 'Horizonte', 'horizonte')",
    "INSERT INTO beneficiario (id, nome, cpf) VALUES (1, 'Ana', '52998224725'),"
    " (2, 'Bruno', '11144477735')",
    "INSERT INTO lote (id, operadora_id, prestador_id, numero, tipo_guia, competencia, status)"
    " VALUES (1, 1, 1, 7, 'sp-sadt', '2025-03', 'processado')",
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 13)"
    " INSERT INTO guia (id, prestador_id, operadora_id, tipo, numero_prestador, beneficiario_id,"
    " carteira_numero, carteira_validade, senha, data_autorizacao, validade_senha, data_inicio,"
    " valor_total, competencia, status, lote_id, assinatura_beneficiario, cid)"
    " SELECT i, 1, 1, 'sp-sadt', 'G' || i, CASE WHEN i IN (9, 10) THEN 1 ELSE 2 END,"
    " CASE WHEN i = 5 THEN NULL ELSE 'C' || i END,"
    " CASE WHEN i = 6 THEN '2025-02-28' ELSE '2026-01-01' END,"
    " CASE WHEN i = 2 THEN NULL ELSE 'S' || i END, '2025-03-01',"
    " CASE WHEN i = 3 THEN '2025-03-02' ELSE '2025-04-30' END,"
    " CASE WHEN i IN (9, 10) THEN '2025-03-09' ELSE printf('2025-03-%02d', i) END,"
    " 25000, '2025-03', 'glosada', 1, CASE WHEN i = 8 THEN 0 ELSE 1 END,"
    " CASE WHEN i = 13 THEN 'J069' ELSE NULL END FROM n",
    "INSERT INTO item (guia_id, sequencial, codigo_tabela, codigo, descricao, quantidade_e4,"
    " valor_unitario, valor_total, data) SELECT id, 1, '22', '40301010', 'Exame', 10000, 15000,"
    " 15000, data_inicio FROM guia",
    "INSERT INTO item (guia_id, sequencial, codigo_tabela, codigo, descricao, quantidade_e4,"
    " valor_unitario, valor_total, data) SELECT id, 2, '22', '40302016', 'Outro exame', 10000,"
    " 10000, 10000, data_inicio FROM guia",
    "INSERT INTO achado (guia_id, item_id, codigo, severidade, mensagem, glosa_prevista, regra,"
    " guia_revisao) VALUES (12, (SELECT id FROM item WHERE guia_id = 12 AND sequencial = 1),"
    " 'PRECO_ACIMA_CONTRATO', 'bloqueio', 'acima', '1705', 'builtin:t', 1)",
    NULL};
  fat_store *st = NULL;
  fat_err err;
  size_t i;

  remove_db();
  assert_int_equal(fat_store_create(db_path, &st, &err), FAT_OK);
  for (i = 0; sql[i] != NULL; i++)
    if (fat_store_exec(st, sql[i], &err) != FAT_OK)
      fail_msg("%s: %s", sql[i], err.msg);
  return st;
}

static int64_t count(fat_store *st, const char *sql)
{
  sqlite3_stmt *s;
  int64_t n = -1;

  assert_int_equal(sqlite3_prepare_v2(fat_store_db(st), sql, -1, &s, NULL), SQLITE_OK);
  if (sqlite3_step(s) == SQLITE_ROW)
    n = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return n;
}

/* A glosa from a return on guia id (item seq, 0 = whole guia). */
static int64_t add_glosa(fat_store *st, int64_t guia, int seq, const char *codigo, int64_t valor)
{
  static const char sql[] =
      "INSERT INTO glosa (guia_id, item_id, codigo, valor, origem, lote_id)"
      " VALUES (?1, (SELECT id FROM item WHERE guia_id = ?1 AND sequencial = ?2), ?3, ?4,"
      " 'retorno', 1)";
  sqlite3_stmt *s;

  assert_int_equal(sqlite3_prepare_v2(fat_store_db(st), sql, -1, &s, NULL), SQLITE_OK);
  sqlite3_bind_int64(s, 1, guia);
  sqlite3_bind_int(s, 2, seq);
  sqlite3_bind_text(s, 3, codigo, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 4, valor);
  assert_int_equal(sqlite3_step(s), SQLITE_DONE);
  sqlite3_finalize(s);
  return sqlite3_last_insert_rowid(fat_store_db(st));
}

typedef struct cls_case {
  int64_t guia;
  int item;
  const char *codigo;
  const char *classificacao;
  const char *evidencia;   /* substring of the stored evidence */
  const char *grupo;
} cls_case;

static void test_classification_cases(void **state)
{
  static const cls_case cases[] = {
    {1, 0, "1403", "indevida", "senha S1 presente e válida: autorizada em 01/03/2025",
     "autorizacao"},
    {2, 0, "1403", "devida", "sem senha de autorização", "autorizacao"},
    {3, 0, "1405", "devida", "depois da validade da senha (02/03/2025)", "autorizacao"},
    {4, 0, "1001", "indevida", "carteira C4 informada e válida até 01/01/2026", "cadastro"},
    {5, 0, "1001", "devida", "sem número de carteira", "cadastro"},
    {6, 0, "1001", "devida", "carteira vencida em 28/02/2025", "cadastro"},
    {7, 0, "1319", "indevida", "assinatura do beneficiário está registrada", "documentacao"},
    {8, 0, "1319", "devida", "não tem a assinatura", "documentacao"},
    {9, 1, "1308", "devida", "existe outra guia do mesmo beneficiário", "cobranca"},
    {11, 1, "1308", "indevida", "não há outra cobrança", "cobranca"},
    {12, 1, "1705", "devida", "o conferir apontou PRECO_ACIMA_CONTRATO", "cobranca"},
    {13, 0, "1509", "indevida", "CID J069 informado", "documentacao"},
    {11, 2, "2001", "a_classificar", "analisar", "cobranca"},
  };
  fat_store *st = clinic();
  fat_err err;
  size_t i;
  char sql[256];
  sqlite3_stmt *s;

  (void)state;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int64_t id = add_glosa(st, cases[i].guia, cases[i].item, cases[i].codigo, 1000);

    if (fat_glosa_classificar(st, NULL, id, &err) != FAT_OK)
      fail_msg("caso %zu: %s", i, err.msg);
    snprintf(sql, sizeof sql, "SELECT classificacao, evidencia, grupo FROM glosa WHERE id = %lld",
             (long long)id);
    assert_int_equal(sqlite3_prepare_v2(fat_store_db(st), sql, -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    if (strcmp((const char *)sqlite3_column_text(s, 0), cases[i].classificacao) != 0 ||
        strstr((const char *)sqlite3_column_text(s, 1), cases[i].evidencia) == NULL ||
        strcmp((const char *)sqlite3_column_text(s, 2), cases[i].grupo) != 0)
      fail_msg("caso %zu (guia G%lld, %s): %s / %s / %s", i, (long long)cases[i].guia,
               cases[i].codigo, sqlite3_column_text(s, 0), sqlite3_column_text(s, 1),
               sqlite3_column_text(s, 2));
    sqlite3_finalize(s);
  }
  assert_int_equal(fat_glosa_classificar(st, NULL, 9999, &err), FAT_ENOTFOUND);
  fat_store_close(st);
}

static void test_registrar(void **state)
{
  fat_store *st = clinic();
  fat_glosa_nova g;
  fat_err err;
  int64_t id = 0, a;

  (void)state;
  a = count(st, "SELECT count(*) FROM auditoria");
  memset(&g, 0, sizeof g);
  g.guia = "G4";
  g.item_seq = 1;
  g.codigo = "1705";
  g.valor = 2000;
  assert_int_equal(fat_glosa_registrar(st, NULL, &g, &id, &err), FAT_OK);
  assert_true(id > 0);
  assert_int_equal(count(st, "SELECT count(*) FROM glosa WHERE origem = 'manual' AND valor = 2000"
                             " AND lote_id = 1 AND classificacao IS NOT NULL"),
                   1);
  assert_int_equal(count(st, "SELECT count(*) FROM auditoria"), a + 1);
  /* more than what is left of the item (R$ 150,00 - R$ 20,00) is refused */
  g.valor = 13001;
  assert_int_equal(fat_glosa_registrar(st, NULL, &g, &id, &err), FAT_EINVAL);
  assert_non_null(strstr(err.msg, "R$ 130,00"));
  /* the default is what is left */
  g.valor = FAT_ABSENT;
  assert_int_equal(fat_glosa_registrar(st, NULL, &g, &id, &err), FAT_OK);
  assert_int_equal(count(st, "SELECT sum(valor) FROM glosa WHERE guia_id = 4 AND item_id ="
                             " (SELECT id FROM item WHERE guia_id = 4 AND sequencial = 1)"),
                   15000);
  /* nothing left now */
  assert_int_equal(fat_glosa_registrar(st, NULL, &g, &id, &err), FAT_EINVAL);
  /* unknown guia, item or code */
  g.guia = "G99";
  assert_int_equal(fat_glosa_registrar(st, NULL, &g, &id, &err), FAT_ENOTFOUND);
  g.guia = "G4";
  g.item_seq = 7;
  assert_int_equal(fat_glosa_registrar(st, NULL, &g, &id, &err), FAT_ENOTFOUND);
  assert_non_null(strstr(err.msg, "item 7"));
  g.item_seq = 2;
  g.codigo = "12";
  assert_true(fat_glosa_registrar(st, NULL, &g, &id, &err) != FAT_OK);
  fat_store_close(st);
}

static void test_listar_and_resumo(void **state)
{
  fat_store *st = clinic();
  fat_glosa_filtro f;
  cJSON *out = NULL, *tot;
  fat_err err;
  int64_t a, b;

  (void)state;
  a = add_glosa(st, 1, 1, "1403", 1000);
  b = add_glosa(st, 5, 2, "1001", 2500);
  assert_int_equal(fat_glosa_classificar(st, NULL, a, &err), FAT_OK);
  assert_int_equal(fat_glosa_classificar(st, NULL, b, &err), FAT_OK);
  memset(&f, 0, sizeof f);
  f.classificacao = "indevida";
  assert_int_equal(fat_glosa_listar(st, &f, &out, &err), FAT_OK);
  assert_int_equal(cJSON_GetArraySize(out), 1);
  cJSON_Delete(out);
  f.classificacao = NULL;
  f.grupo = "cadastro";
  assert_int_equal(fat_glosa_listar(st, &f, &out, &err), FAT_OK);
  assert_int_equal(cJSON_GetArraySize(out), 1);
  cJSON_Delete(out);
  f.grupo = NULL;
  f.operadora = "horizonte";
  assert_int_equal(fat_glosa_listar(st, &f, &out, &err), FAT_OK);
  assert_int_equal(cJSON_GetArraySize(out), 0);
  cJSON_Delete(out);
  memset(&f, 0, sizeof f);
  assert_int_equal(fat_glosa_resumo(st, &f, &out, &err), FAT_OK);
  tot = cJSON_GetObjectItemCaseSensitive(out, "total");
  assert_non_null(tot);
  assert_non_null(cJSON_GetObjectItemCaseSensitive(out, "por_grupo"));
  assert_non_null(cJSON_GetObjectItemCaseSensitive(out, "por_classificacao"));
  {
    char *txt = cJSON_PrintUnformatted(tot);

    assert_non_null(strstr(txt, "3500"));
    cJSON_free(txt);
  }
  cJSON_Delete(out);
  fat_store_close(st);
}

/* The resumo read from the counters (migration 103) is the resumo read from
** the glosas, for the panel's filters, after every kind of write that moves
** a glosa's keys; and the counters equal their recount. */
static void same_resumo(fat_store *st, const char *passo)
{
  static const char *const ops[] = {NULL, "aurora", "horizonte"};
  static const char *const comps[] = {NULL, "2025-03", "2025-04"};
  size_t i, j;

  for (i = 0; i < 3; i++)
    for (j = 0; j < 3; j++) {
      fat_glosa_filtro f;
      cJSON *a = NULL, *b = NULL;
      char *ta, *tb;
      fat_err err;

      memset(&f, 0, sizeof f);
      f.operadora = ops[i];
      f.competencia = comps[j];
      assert_int_equal(fat_glosa_resumo(st, &f, &a, &err), FAT_OK);
      f.sem_contadores = 1;
      assert_int_equal(fat_glosa_resumo(st, &f, &b, &err), FAT_OK);
      ta = cJSON_PrintUnformatted(a);
      tb = cJSON_PrintUnformatted(b);
      if (strcmp(ta, tb) != 0)
        fail_msg("%s (%s, %s):\n contadores %s\n glosas     %s", passo,
                 ops[i] ? ops[i] : "todas", comps[j] ? comps[j] : "todas", ta, tb);
      cJSON_free(ta);
      cJSON_free(tb);
      cJSON_Delete(a);
      cJSON_Delete(b);
    }
  assert_int_equal(count(st, "SELECT count(*) FROM (" FAT_GLOSA_RESUMO_RECONTAGEM ") r"
                             " LEFT JOIN glosa_resumo s ON s.competencia = r.competencia"
                             " AND s.dim = r.dim AND s.operadora_id = r.operadora_id"
                             " AND s.chave = r.chave AND s.sub = r.sub"
                             " WHERE s.n IS NOT r.n OR s.valor IS NOT r.valor"),
                   0);
  assert_int_equal(count(st, "SELECT (SELECT coalesce(sum(n), 0) FROM glosa_resumo)"
                             " - 5 * (SELECT count(*) FROM glosa)"),
                   0);
}

static void exec_ok(fat_store *st, const char *sql)
{
  fat_err err;

  if (fat_store_exec(st, sql, &err) != FAT_OK)
    fail_msg("%s: %s", sql, err.msg);
}

static void test_resumo_counters_follow_every_write(void **state)
{
  fat_store *st = clinic();
  fat_err err;
  int64_t a, b, c, d, e;

  (void)state;
  exec_ok(st, "INSERT INTO profissional (id, nome, conselho, numero_conselho, uf) VALUES"
              " (1, 'Dra. Alice', 'CRM', '1234', 'SP'), (2, 'Dr. Bento', 'CRM', NULL, 'SP')");
  same_resumo(st, "sem glosas");
  a = add_glosa(st, 1, 1, "1403", 1000);
  b = add_glosa(st, 5, 2, "1001", 2500);
  c = add_glosa(st, 3, 0, "1705", 700);
  d = add_glosa(st, 12, 1, "1705", 300);
  e = add_glosa(st, 9, 1, "2001", 450);
  same_resumo(st, "glosas novas");
  assert_int_equal(fat_glosa_classificar(st, NULL, a, &err), FAT_OK);
  assert_int_equal(fat_glosa_classificar(st, NULL, b, &err), FAT_OK);
  assert_int_equal(fat_glosa_classificar(st, NULL, d, &err), FAT_OK);
  same_resumo(st, "classificadas");
  exec_ok(st, "UPDATE glosa SET prevista = 1 WHERE id = 1");
  exec_ok(st, "UPDATE glosa SET prevista = 0 WHERE id = 2");
  same_resumo(st, "previstas");
  /* two descriptions of one code: the greatest is the label, until its glosa goes */
  exec_ok(st, "UPDATE item SET descricao = 'Exame Z' WHERE guia_id = 1 AND sequencial = 1");
  same_resumo(st, "descrição do item");
  exec_ok(st, "UPDATE item SET profissional_id = 1 WHERE guia_id = 5 AND sequencial = 2");
  exec_ok(st, "UPDATE guia SET executante_id = 2 WHERE id = 3");
  exec_ok(st, "UPDATE guia SET executante_id = 1 WHERE id = 9");
  same_resumo(st, "profissionais");
  exec_ok(st, "UPDATE item SET codigo = '40301029' WHERE guia_id = 9 AND sequencial = 1");
  same_resumo(st, "código do item");
  exec_ok(st, "UPDATE guia SET competencia = '2025-04' WHERE id = 5");
  same_resumo(st, "competência da guia");
  exec_ok(st, "UPDATE guia SET operadora_id = 2 WHERE id = 12");
  same_resumo(st, "operadora da guia");
  exec_ok(st, "UPDATE glosa SET valor = valor + 7, grupo = NULL WHERE id = 4");
  exec_ok(st, "UPDATE glosa SET guia_id = 2, item_id = NULL WHERE id = 5");
  same_resumo(st, "glosa alterada");
  exec_ok(st, "DELETE FROM glosa WHERE id = 1");
  same_resumo(st, "glosa apagada (o rótulo volta)");
  exec_ok(st, "DELETE FROM glosa");
  same_resumo(st, "todas apagadas");
  (void)c;
  (void)e;
  fat_store_close(st);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_classification_cases),
    cmocka_unit_test(test_registrar),
    cmocka_unit_test(test_listar_and_resumo),
    cmocka_unit_test(test_resumo_counters_follow_every_write),
  };
  int r;

  r = cmocka_run_group_tests(tests, NULL, NULL);
  remove_db();
  return r;
}
