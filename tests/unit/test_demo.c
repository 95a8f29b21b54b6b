/* test_demo.c: the demonstration clinic (fat_demo): deterministic by seed and
** competência, every defect class injected, clean guias priced exactly and
** with valid documents, refuses a non-empty store; demo_defeito exists only
** in a demo store; the set-based evaluation (fat_demo_avaliar) gives the
** figures a guia-by-guia count gives. Uses the real operator
** scripts (FATURO_REGRAS) and demo tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "fixture_guia.h"
#include "fat_conferir.h"
#include "fat_demo.h"
#include "fat_demo_retorno.h"
#include "fat_docnum.h"
#include "fat_mem.h"
#include "fat_price.h"
#include "fat_rules.h"
#include "fat_store_int.h"
#include "fat_store_sqlite.h"

#define N_GUIAS 300

/* Build a demo database at path; returns the open store. */
static fat_store *make_demo(const char *path, uint64_t semente, fat_demo_resumo *res)
{
  fat_demo_opcoes op = {N_GUIAS, semente, "2026-10", 2000};
  fat_store *st = NULL;
  fat_gen *gen = NULL;
  fat_pricer *p = NULL;
  fat_err err;

  fat_store_remove_files(path);
  fat_err_clear(&err);
  if (fat_store_create(path, &st, &err) != FAT_OK ||
      fat_demo_tabelas(st, fix_regras_dir(), NULL, &err) != FAT_OK ||
      fat_gen_build(fix_regras_dir(), NULL, NULL, NULL, &gen, &err) != FAT_OK ||
      fat_pricer_new_gen(st, gen, &p, &err) != FAT_OK ||
      fat_demo_gerar(st, p, &op, res, &err) != FAT_OK)
    fail_msg("demo: %s", err.msg);
  fat_pricer_free(p);
  fat_gen_release(gen);
  return st;
}

/* SHA-256 over every row the demo writes (in id order, without timestamps). */
static void db_hash(fat_store *st, char out[65])
{
  static const char *const queries[] = {
    "SELECT * FROM beneficiario ORDER BY id",
    "SELECT * FROM carteira ORDER BY id",
    "SELECT * FROM profissional ORDER BY id",
    "SELECT id, tipo, numero_prestador, beneficiario_id, carteira_numero, carteira_validade, cns, "
    "senha, data_autorizacao, validade_senha, carater_atendimento, cid, data_inicio, data_fim, "
    "executante_id, assinatura_beneficiario, pedido_medico, laudo, valor_total, plano_id "
    "FROM guia ORDER BY id",
    "SELECT * FROM item ORDER BY id",
    "SELECT * FROM demo_defeito ORDER BY guia_id, classe",
    NULL};
  crypto_hash_sha256_state h;
  unsigned char d[crypto_hash_sha256_BYTES];
  size_t q, i;

  crypto_hash_sha256_init(&h);
  for (q = 0; queries[q] != NULL; q++) {
    sqlite3_stmt *s;

    assert_int_equal(sqlite3_prepare_v2(fat_store_db(st), queries[q], -1, &s, NULL), SQLITE_OK);
    while (sqlite3_step(s) == SQLITE_ROW) {
      int c, n = sqlite3_column_count(s);

      for (c = 0; c < n; c++) {
        const unsigned char *t = sqlite3_column_text(s, c);

        if (t != NULL)
          crypto_hash_sha256_update(&h, t, strlen((const char *)t));
        crypto_hash_sha256_update(&h, (const unsigned char *)"|", 1);
      }
      crypto_hash_sha256_update(&h, (const unsigned char *)"\n", 1);
    }
    sqlite3_finalize(s);
  }
  crypto_hash_sha256_final(&h, d);
  for (i = 0; i < sizeof d; i++)
    snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static int64_t scalar(fat_store *st, const char *sql)
{
  sqlite3_stmt *s;
  int64_t v = -1;

  assert_int_equal(sqlite3_prepare_v2(fat_store_db(st), sql, -1, &s, NULL), SQLITE_OK);
  if (sqlite3_step(s) == SQLITE_ROW)
    v = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return v;
}

static void test_deterministic(void **state)
{
  fat_demo_resumo r1, r2, r3;
  fat_store *a, *b, *c;
  char ha[65], hb[65], hc[65];

  (void)state;
  a = make_demo("test_demo_a.db", 7, &r1);
  b = make_demo("test_demo_b.db", 7, &r2);
  c = make_demo("test_demo_c.db", 8, &r3);
  db_hash(a, ha);
  db_hash(b, hb);
  db_hash(c, hc);
  assert_string_equal(ha, hb);
  assert_string_not_equal(ha, hc);
  assert_int_equal(r1.n_guias, N_GUIAS);
  assert_int_equal(r1.n_itens, r2.n_itens);
  assert_true(r1.valor_total == r2.valor_total);
  fat_store_close(a);
  fat_store_close(b);
  fat_store_close(c);
  fat_store_remove_files("test_demo_a.db");
  fat_store_remove_files("test_demo_b.db");
  fat_store_remove_files("test_demo_c.db");
}

/* fat_demo_dados (the demo's data step with a larger page cache while its
** one transaction is open) writes exactly the rows fat_demo_tabelas +
** fat_demo_gerar write, and leaves the connection with the usual cache. */
static void test_dados_same_rows_cache_back(void **state)
{
  fat_demo_opcoes op = {N_GUIAS, 7, "2026-10", 2000};
  fat_demo_resumo r1, r2;
  fat_store *a, *b = NULL;
  fat_gen *gen = NULL;
  fat_pricer *p = NULL;
  fat_err err;
  char ha[65], hb[65];
  long linhas = 0;
  int64_t ns_tab = -1;

  (void)state;
  a = make_demo("test_demo_a.db", 7, &r1);
  fat_store_remove_files("test_demo_b.db");
  fat_err_clear(&err);
  if (fat_store_create("test_demo_b.db", &b, &err) != FAT_OK ||
      fat_gen_build(fix_regras_dir(), NULL, NULL, NULL, &gen, &err) != FAT_OK ||
      fat_pricer_new_gen(b, gen, &p, &err) != FAT_OK ||
      fat_demo_dados(b, p, fix_regras_dir(), &op, &linhas, &r2, &ns_tab, &err) != FAT_OK)
    fail_msg("demo: %s", err.msg);
  db_hash(a, ha);
  db_hash(b, hb);
  assert_string_equal(ha, hb);
  assert_int_equal(r1.n_guias, r2.n_guias);
  assert_true(r1.valor_total == r2.valor_total);
  assert_true(linhas > 0);
  assert_true(ns_tab >= 0);
  assert_int_equal(scalar(b, "PRAGMA cache_size"), -FAT_STORE_PAGINAS_MB * 1024);
  fat_pricer_free(p);
  fat_gen_release(gen);
  fat_store_close(a);
  fat_store_close(b);
  fat_store_remove_files("test_demo_a.db");
  fat_store_remove_files("test_demo_b.db");
}

/* fat_store_set_checkpoint_mb sets SQLite's checkpoint threshold in pages of
** this database (default: SQLite's 1000). */
static void test_checkpoint_mb(void **state)
{
  fat_store *st = NULL;
  fat_err err;

  (void)state;
  fat_store_remove_files("test_demo_ck.db");
  fat_err_clear(&err);
  assert_int_equal(fat_store_create("test_demo_ck.db", &st, &err), FAT_OK);
  assert_int_equal(scalar(st, "PRAGMA wal_autocheckpoint"), 1000);
  assert_int_equal(fat_store_set_checkpoint_mb(st, 64, &err), FAT_OK);
  assert_int_equal(scalar(st, "PRAGMA wal_autocheckpoint"),
                   64 * 1048576 / scalar(st, "PRAGMA page_size"));
  assert_int_equal(fat_store_set_checkpoint_mb(st, 0, &err), FAT_OK);
  assert_int_equal(scalar(st, "PRAGMA wal_autocheckpoint"), 1000);
  fat_store_close(st);
  fat_store_remove_files("test_demo_ck.db");
}

static void test_contents(void **state)
{
  fat_demo_resumo res;
  fat_store *st;
  fat_gen *gen = NULL;
  fat_pricer *p = NULL;
  fat_price_todos t;
  size_t inesperados = 99;
  fat_demo_opcoes op = {N_GUIAS, 7, "2026-10", 2000};
  sqlite3_stmt *s;
  int i, bad_cpf = 0, bad_cns = 0;
  fat_err err;

  (void)state;
  st = make_demo("test_demo_d.db", 3, &res);
  /* every class at least once, ~30% of guias with a defect, all 4 types */
  assert_int_equal(scalar(st, "SELECT count(DISTINCT classe) FROM demo_defeito"),
                   FAT_DEMO_N_CLASSES);
  for (i = 0; i < FAT_DEMO_N_CLASSES; i++)
    assert_true(res.defeitos[i] >= 1);
  assert_int_equal(scalar(st, "SELECT count(*) FROM guia"), N_GUIAS);
  assert_true(res.n_com_defeito * 100 >= N_GUIAS * 20 && res.n_com_defeito * 100 <= N_GUIAS * 45);
  for (i = 0; i < 4; i++)
    assert_true(res.por_tipo[i] > 0);
  assert_true(scalar(st, "SELECT count(*) FROM beneficiario") >= 2000);
  assert_int_equal(scalar(st, "SELECT count(*) FROM profissional WHERE numero_conselho NOT LIKE "
                              "'~%'"),
                   20);
  assert_int_equal(scalar(st, "SELECT count(*) FROM operadora"), 4);
  assert_true(scalar(st, "SELECT max(n) FROM (SELECT count(*) n FROM item GROUP BY guia_id)") <=
              30);
  /* clean guias: total = sum of items; honorários linked to an internação
  ** through the número da solicitação de internação */
  assert_int_equal(scalar(st, "SELECT count(*) FROM guia g WHERE NOT EXISTS (SELECT 1 FROM "
                              "demo_defeito d WHERE d.guia_id = g.id) AND valor_total <> "
                              "(SELECT sum(valor_total) FROM item i WHERE i.guia_id = g.id)"),
                   0);
  assert_int_equal(scalar(st, "SELECT count(*) FROM guia h WHERE tipo = 'honorarios' AND NOT "
                              "EXISTS (SELECT 1 FROM guia g WHERE g.tipo = 'resumo-internacao' "
                              "AND g.numero_principal = h.numero_principal)"),
                   0);
  assert_int_equal(scalar(st, "SELECT count(*) FROM guia WHERE tipo IN ('honorarios', "
                              "'resumo-internacao') AND numero_principal IS NULL"),
                   0);
  /* documents: invalid CPF/CNS exactly where injected */
  assert_int_equal(sqlite3_prepare_v2(fat_store_db(st), "SELECT cpf, cns FROM beneficiario", -1,
                                      &s, NULL),
                   SQLITE_OK);
  while (sqlite3_step(s) == SQLITE_ROW) {
    bad_cpf += !fat_doc_cpf_valid((const char *)sqlite3_column_text(s, 0));
    bad_cns += !fat_doc_cns_valid((const char *)sqlite3_column_text(s, 1));
  }
  sqlite3_finalize(s);
  assert_int_equal(bad_cpf, res.defeitos[11]); /* CPF_INVALIDO */
  assert_int_equal(bad_cns, 0);
  assert_int_equal(scalar(st, "SELECT count(*) FROM guia g WHERE cns IS NOT NULL AND NOT EXISTS "
                              "(SELECT 1 FROM demo_defeito d WHERE d.guia_id = g.id AND "
                              "d.classe = 'CNS_INVALIDO') AND cns <> (SELECT cns FROM "
                              "beneficiario b WHERE b.id = g.beneficiario_id)"),
                   0);
  /* pricing: only CODIGO_INVALIDO items unpriced, only value defects off-contract */
  fat_err_clear(&err);
  assert_int_equal(fat_gen_build(fix_regras_dir(), NULL, NULL, NULL, &gen, &err), FAT_OK);
  assert_int_equal(fat_pricer_new_gen(st, gen, &p, &err), FAT_OK);
  assert_int_equal(fat_demo_conferir_precos(st, p, &t, &inesperados, &err), FAT_OK);
  assert_int_equal(inesperados, 0);
  assert_int_equal(t.n_sem_preco, (size_t)res.defeitos[14]);   /* CODIGO_INVALIDO */
  assert_int_equal(t.n_divergentes, (size_t)res.defeitos[9]);  /* PRECO_ACIMA_CONTRATO */
  assert_int_equal(t.n_precificados + t.n_sem_preco, t.n_itens);
  fat_price_todos_fini(&t);
  /* a store with guias is refused */
  assert_int_equal(fat_demo_gerar(st, p, &op, &res, &err), FAT_ESTATE);
  assert_non_null(strstr(err.msg, "pasta vazia"));
  fat_pricer_free(p);
  fat_gen_release(gen);
  fat_store_close(st);
  fat_store_remove_files("test_demo_d.db");
}

/* More guias than one chunk of the streaming generator (2,000): every class
** still gets exactly its 1.5% (the chunks share the quota), the summary says
** what demo_defeito holds, no two people share a CPF (beneficiaries derived
** by index, dedicated ones after them), and the clash filters let no
** procedure of a clean guia repeat for the same person and day. */
static void test_chunks_keep_exact_counts(void **state)
{
  fat_demo_opcoes op = {2500, 11, "2026-10", 3000};
  fat_demo_resumo res;
  fat_store *st = NULL;
  fat_gen *gen = NULL;
  fat_pricer *p = NULL;
  fat_err err;
  char sql[160];
  int i;

  (void)state;
  fat_store_remove_files("test_demo_f.db");
  fat_err_clear(&err);
  if (fat_store_create("test_demo_f.db", &st, &err) != FAT_OK ||
      fat_demo_tabelas(st, fix_regras_dir(), NULL, &err) != FAT_OK ||
      fat_gen_build(fix_regras_dir(), NULL, NULL, NULL, &gen, &err) != FAT_OK ||
      fat_pricer_new_gen(st, gen, &p, &err) != FAT_OK ||
      fat_demo_gerar(st, p, &op, &res, &err) != FAT_OK)
    fail_msg("demo: %s", err.msg);
  assert_int_equal(res.n_guias, 2500);
  assert_int_equal(scalar(st, "SELECT count(*) FROM guia"), 2500);
  for (i = 0; i < FAT_DEMO_N_CLASSES; i++) {
    snprintf(sql, sizeof sql, "SELECT count(*) FROM demo_defeito WHERE classe = '%s'",
             fat_demo_classe(i));
    assert_int_equal(res.defeitos[i], 38); /* round(2500 * 1.5%) */
    assert_int_equal(scalar(st, sql), 38);
  }
  assert_int_equal(scalar(st, "SELECT count(*) FROM (SELECT cpf FROM beneficiario GROUP BY cpf "
                              "HAVING count(*) > 1)"),
                   0);
  assert_true(scalar(st, "SELECT count(*) FROM beneficiario") >= 3000);
  assert_int_equal(scalar(st, "SELECT count(*) FROM item i1 JOIN guia g1 ON g1.id = i1.guia_id "
                              "JOIN guia g2 ON g2.beneficiario_id = g1.beneficiario_id AND "
                              "g2.id > g1.id JOIN item i2 ON i2.guia_id = g2.id AND i2.codigo = "
                              "i1.codigo AND i2.data = i1.data WHERE i1.codigo_tabela = '22' "
                              "AND NOT EXISTS (SELECT 1 FROM demo_defeito d WHERE d.guia_id IN "
                              "(g1.id, g2.id))"),
                   0);
  fat_pricer_free(p);
  fat_gen_release(gen);
  fat_store_close(st);
  fat_store_remove_files("test_demo_f.db");
}

/* The production schema has no demo table; the demo creates it. */
static void test_defect_table_only_in_demo(void **state)
{
  fat_demo_resumo res;
  fat_store *st = NULL;
  fat_err err;

  (void)state;
  fat_store_remove_files("test_demo_e.db");
  assert_int_equal(fat_store_create("test_demo_e.db", &st, &err), FAT_OK);
  assert_int_equal(scalar(st, "SELECT count(*) FROM sqlite_master WHERE name = 'demo_defeito'"),
                   0);
  fat_store_close(st);
  st = make_demo("test_demo_e.db", 5, &res);
  assert_int_equal(scalar(st, "SELECT count(*) FROM sqlite_master WHERE name = 'demo_defeito'"),
                   1);
  assert_true(scalar(st, "SELECT count(*) FROM demo_defeito") > 0);
  fat_store_close(st);
  fat_store_remove_files("test_demo_e.db");
}

/* The evaluation's figures equal a count made guia by guia, class by class
** (the formulation the set-based statements replaced). */
static void test_avaliar_matches_row_by_row(void **state)
{
  static const char rec[] =
      "SELECT count(*), sum(EXISTS (SELECT 1 FROM achado a WHERE a.guia_id = d.guia_id"
      " AND a.codigo = ?2)) FROM demo_defeito d JOIN conferencia c ON c.guia_id = d.guia_id"
      " WHERE d.classe = ?1";
  static const char flag[] =
      "SELECT count(DISTINCT guia_id) FROM achado WHERE codigo = ?1";
  fat_demo_resumo res;
  fat_conferir_opts o;
  fat_conferir_resumo r;
  fat_rules *rules = NULL;
  fat_store *st;
  cJSON *rep = NULL, *k;
  sqlite3_stmt *s;
  fat_err err;
  int n = 0;

  (void)state;
  st = make_demo("test_demo_f.db", 11, &res);
  fat_err_clear(&err);
  assert_int_equal(fat_demo_avaliar(st, 0.99, 0.99, &rep, &err), FAT_ESTATE);
  assert_non_null(strstr(err.msg, "nenhuma guia conferida"));
  if (fat_rules_open(fix_regras_dir(), NULL, st, &rules, &err) != FAT_OK)
    fail_msg("regras: %s", err.msg);
  memset(&o, 0, sizeof o);
  o.hoje = "2026-11-05";
  if (fat_conferir(st, rules, &o, NULL, NULL, &r, &err) != FAT_OK)
    fail_msg("conferir: %s", err.msg);
  if (fat_demo_avaliar(st, 0.99, 0.99, &rep, &err) != FAT_OK)
    fail_msg("avaliar: %s", err.msg);
  cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(rep, "classes"))
  {
    const char *classe = cJSON_GetObjectItemCaseSensitive(k, "classe")->valuestring;
    const char *codigo = cJSON_GetObjectItemCaseSensitive(k, "codigo")->valuestring;

    assert_int_equal(sqlite3_prepare_v2(fat_store_db(st), rec, -1, &s, NULL), SQLITE_OK);
    sqlite3_bind_text(s, 1, classe, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, codigo, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_int_equal((int64_t)cJSON_GetObjectItemCaseSensitive(k, "injetadas")->valuedouble,
                     sqlite3_column_int64(s, 0));
    assert_int_equal((int64_t)cJSON_GetObjectItemCaseSensitive(k, "detectadas")->valuedouble,
                     sqlite3_column_int64(s, 1));
    sqlite3_finalize(s);
    assert_int_equal(sqlite3_prepare_v2(fat_store_db(st), flag, -1, &s, NULL), SQLITE_OK);
    sqlite3_bind_text(s, 1, codigo, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_int_equal((int64_t)cJSON_GetObjectItemCaseSensitive(k, "sinalizadas")->valuedouble,
                     sqlite3_column_int64(s, 0));
    sqlite3_finalize(s);
    n++;
  }
  assert_int_equal(n, FAT_DEMO_N_CLASSES);
  assert_int_equal((int64_t)cJSON_GetObjectItemCaseSensitive(rep, "limpas")->valuedouble,
                   scalar(st, "SELECT count(*) FROM guia g JOIN conferencia c ON c.guia_id = g.id"
                              " WHERE NOT EXISTS (SELECT 1 FROM demo_defeito d"
                              " WHERE d.guia_id = g.id)"));
  /* the demo's own bar: every class found, no bloqueio on a clean guia */
  assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rep, "ok")));
  cJSON_Delete(rep);
  fat_rules_close(rules);
  fat_store_close(st);
  fat_store_remove_files("test_demo_f.db");
}

/* fat_demo_retorno_ordem: a permutation of the lotes that keeps each
** operadora's lotes in their given order (even when their first guias are
** not), takes the lote with the smallest first guia among the operadoras'
** next ones, and counts each lote's guias; an unknown id is refused. */
static void test_retorno_ordem_merges_operadoras(void **state)
{
  fat_demo_resumo res;
  fat_store *st;
  fat_err err;
  int64_t ids[64], op[64], chave[64], guias[64], cnt[64], n_guias = 0;
  size_t ordem[64], n = 0, i, k;
  sqlite3_stmt *s;

  (void)state;
  st = make_demo("test_demo_o.db", 3, &res);
  /* per operadora, lotes of 10 guias cut from its last guias back: each
  ** operadora's lotes come in descending order of their first guia */
  assert_int_equal(sqlite3_exec(fat_store_db(st),
                                "CREATE TEMP TABLE t AS SELECT g.id, g.operadora_id AS op,"
                                " (SELECT count(*) FROM guia h WHERE h.operadora_id ="
                                " g.operadora_id AND h.id > g.id) / 10 AS k FROM guia g;"
                                "INSERT INTO lote (operadora_id, prestador_id, numero, tipo_guia)"
                                " SELECT DISTINCT op, (SELECT min(id) FROM prestador), k + 1,"
                                " 'sp-sadt' FROM t ORDER BY op, k;"
                                "UPDATE guia SET lote_id = (SELECT l.id FROM lote l JOIN t ON"
                                " t.op = l.operadora_id AND l.numero = t.k + 1 WHERE t.id ="
                                " guia.id);",
                                NULL, NULL, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(fat_store_db(st),
                                      "SELECT l.id, l.operadora_id, min(g.id), count(*) FROM"
                                      " lote l JOIN guia g ON g.lote_id = l.id GROUP BY l.id"
                                      " ORDER BY l.id",
                                      -1, &s, NULL),
                   SQLITE_OK);
  while (sqlite3_step(s) == SQLITE_ROW && n < 64) {
    ids[n] = sqlite3_column_int64(s, 0);
    op[n] = sqlite3_column_int64(s, 1);
    chave[n] = sqlite3_column_int64(s, 2);
    cnt[n] = sqlite3_column_int64(s, 3);
    n_guias += cnt[n];
    n++;
  }
  sqlite3_finalize(s);
  assert_true(n > 8);
  assert_int_equal(n_guias, N_GUIAS);
  fat_err_clear(&err);
  assert_int_equal(fat_demo_retorno_ordem(st, ids, n, ordem, guias, &err), FAT_OK);
  for (i = 0; i < n; i++) {
    int visto = 0;

    for (k = 0; k < n; k++)
      visto += ordem[k] == i;
    assert_int_equal(visto, 1); /* a permutation */
    assert_int_equal(guias[i], cnt[i]);
  }
  n_guias = 0;
  for (i = 0; i < n; i++)
    n_guias += guias[i];
  assert_int_equal(n_guias, N_GUIAS);
  for (i = 0; i < n; i++) {
    /* each operadora's lotes in their given order */
    for (k = i + 1; k < n; k++)
      if (op[ordem[k]] == op[ordem[i]])
        assert_true(ordem[k] > ordem[i]);
    /* the one taken has the smallest first guia among the operadoras' next
    ** ones: those after it that are the first of their operadora left */
    for (k = i + 1; k < n; k++) {
      size_t j;
      int primeiro = 1;

      for (j = i; j < k; j++)
        if (op[ordem[j]] == op[ordem[k]])
          primeiro = 0;
      if (primeiro)
        assert_true(chave[ordem[i]] <= chave[ordem[k]]);
    }
  }
  /* the order is not the given one: operadoras interleave */
  for (i = 0; i < n && ordem[i] == i; i++)
    ;
  assert_true(i < n);
  ids[0] = 999999;
  assert_int_equal(fat_demo_retorno_ordem(st, ids, n, ordem, NULL, &err), FAT_ENOTFOUND);
  fat_store_close(st);
  fat_store_remove_files("test_demo_o.db");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_deterministic),
    cmocka_unit_test(test_contents),
    cmocka_unit_test(test_dados_same_rows_cache_back),
    cmocka_unit_test(test_checkpoint_mb),
    cmocka_unit_test(test_defect_table_only_in_demo),
    cmocka_unit_test(test_chunks_keep_exact_counts),
    cmocka_unit_test(test_avaliar_matches_row_by_row),
    cmocka_unit_test(test_retorno_ordem_merges_operadoras),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
