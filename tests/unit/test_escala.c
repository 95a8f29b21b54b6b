/* test_escala.c: verbs whose cost must grow with N, not faster (Part M,
** `faturo demo --guias 1000000`).
**
** The work SQLite does is counted in virtual-machine instructions (a progress
** handler called every 100 of them, all statements and triggers included):
** the count is the same on every run and on every machine, so a cost that
** grows faster than the data shows as a ratio, without timing anything. Each
** test runs the verb on a clinic of size n and of size 4n and wants the
** ratio well under 16 (what a quadratic step gives). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "fat_conferir.h"
#include "fat_demo.h"
#include "fat_fatura.h"
#include "fat_guias_int.h"
#include "fat_mem.h"
#include "fat_price.h"
#include "fat_rules.h"
#include "fat_repasse.h"
#include "fat_store_int.h"
#include "fixture_guia.h"
#include "fat_store_sqlite.h"

/* Under AddressSanitizer freed memory stays in quarantine: no RSS check. */
#if defined(__SANITIZE_ADDRESS__)
#define FAT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FAT_ASAN 1
#endif
#endif

static const char *db_path = "test_escala.db";

static void remove_db(void)
{
  unlink(db_path);
  unlink("test_escala.db-wal");
  unlink("test_escala.db-shm");
}

static int contar(void *p)
{
  (*(int64_t *)p)++;
  return 0;
}

/* Start counting VM instructions (in hundreds) of st into *n. */
static void conta_de(fat_store *st, int64_t *n)
{
  *n = 0;
  sqlite3_progress_handler(fat_store_db(st), 100, contar, n);
}

static void conta_fim(fat_store *st) { sqlite3_progress_handler(fat_store_db(st), 0, NULL, NULL); }

static void exec(fat_store *st, const char *sql)
{
  fat_err err;

  if (fat_store_exec(st, sql, &err) != FAT_OK)
    fail_msg("%s: %s", sql, err.msg);
}

/* A clinic with one fatura of `lotes` processed lotes of `por_lote` guias
** (R$ 100,00 each); returns the store open. */
static fat_store *clinica_fatura(int lotes, int por_lote)
{
  fat_store *st = NULL;
  fat_err err;
  char sql[1024];

  remove_db();
  assert_int_equal(fat_store_create(db_path, &st, &err), FAT_OK);
  exec(st, "INSERT INTO prestador (id, nome, cnpj) VALUES (1, 'Clínica', '11444777000161');"
           "INSERT INTO operadora (id, registro_ans, nome, script) VALUES"
           " (1, '312347', 'Aurora Saúde', 'aurora');");
  snprintf(sql, sizeof sql,
           "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)"
           " INSERT INTO lote (id, operadora_id, prestador_id, numero, tipo_guia, competencia,"
           " status, valor_informado, valor_liberado, enviado_em, protocolo, protocolo_data)"
           " SELECT i, 1, 1, i, 'consulta', '2025-03', 'processado', %d, %d, '2025-04-05',"
           " 'P' || i, '2025-04-07' FROM n",
           lotes, por_lote * 10000, por_lote * 10000);
  exec(st, sql);
  snprintf(sql, sizeof sql,
           "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < %d)"
           " INSERT INTO guia (id, prestador_id, operadora_id, tipo, numero_prestador,"
           " valor_total, competencia, status, lote_id)"
           " SELECT i + 1, 1, 1, 'consulta', 'G' || i, 10000, '2025-03', 'processada',"
           " i / %d + 1 FROM n",
           lotes * por_lote - 1, por_lote);
  exec(st, sql);
  snprintf(sql, sizeof sql,
           "INSERT INTO fatura (id, operadora_id, competencia, numero, valor)"
           " VALUES (1, 1, '2025-03', 1, %d);"
           "INSERT INTO fatura_lote (fatura_id, lote_id) SELECT 1, id FROM lote;",
           lotes * por_lote * 10000);
  exec(st, sql);
  return st;
}

/* VM instructions (hundreds) of receiving the whole fatura. */
static int64_t custo_receber_fatura(int lotes, int por_lote)
{
  fat_store *st = clinica_fatura(lotes, por_lote);
  fat_recebimento_in in;
  fat_stmt *s;
  fat_err err;
  int64_t n;

  memset(&in, 0, sizeof in);
  in.fatura_id = 1;
  in.data = "2025-05-10";
  in.valor = (int64_t)lotes * por_lote * 10000;
  conta_de(st, &n);
  assert_int_equal(fat_recebimento_registrar(st, &in, NULL, &err), FAT_OK);
  conta_fim(st);
  /* it did its work: the fatura and every lote are paid */
  assert_int_equal(fat_store_prepare(st, "SELECT (SELECT status FROM fatura WHERE id = 1),"
                                         " (SELECT count(*) FROM lote WHERE status = 'pago')",
                                     &s, &err),
                   FAT_OK);
  assert_int_equal(fat_stmt_step(s), FAT_ROW);
  assert_string_equal(fat_col_text(s, 0), "paga");
  assert_int_equal(fat_col_int(s, 1), lotes);
  fat_stmt_reset(s);
  fat_store_close(st);
  remove_db();
  return n;
}

/* Receiving a fatura recomputed the fatura's received sum over all its guias
** once per lote (and the demo's financial month of 1 million guias, 4 faturas
** of ~2,300 lotes, never ended). 4x the lotes must cost ~4x, not 16x. */
static void test_receiving_a_fatura_costs_linear_in_its_lotes(void **state)
{
  int64_t pequeno, grande;

  (void)state;
  pequeno = custo_receber_fatura(50, 10);
  grande = custo_receber_fatura(200, 10);
  print_message("receber fatura: 50 lotes %lld, 200 lotes %lld (x100 instruções)\n",
                (long long)pequeno, (long long)grande);
  assert_true(grande < pequeno * 6);
}

static long peak_rss_kb(void)
{
  struct rusage ru;

  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

/* A repasse of `linhas` lines over three professionals (two with the same
** name), some held, some without receipt, guia or description. */
static fat_store *clinica_repasse(int linhas)
{
  fat_store *st = NULL;
  fat_err err;
  char sql[2048];

  remove_db();
  assert_int_equal(fat_store_create(db_path, &st, &err), FAT_OK);
  exec(st, "INSERT INTO prestador (id, nome, cnpj) VALUES (1, 'Clínica', '11444777000161');"
           "INSERT INTO operadora (id, registro_ans, nome, script) VALUES"
           " (1, '312347', 'Aurora Saúde', 'aurora');"
           "INSERT INTO profissional (id, nome, conselho, numero_conselho, uf) VALUES"
           " (1, 'Dra. Ana \"Lima\" <&>', 'CRM', '1111', 'SP'),"
           " (2, 'Bruno Reis', 'CRM', NULL, 'RJ'), (3, 'Bruno Reis', 'CRO', '33', 'MG');"
           "INSERT INTO guia (id, prestador_id, operadora_id, tipo, numero_prestador,"
           " valor_total, competencia, status) VALUES (1, 1, 1, 'consulta', 'G1', 25000,"
           " '2025-03', 'processada');"
           "INSERT INTO item (id, guia_id, sequencial, codigo_tabela, codigo, quantidade_e4,"
           " valor_unitario, valor_total) VALUES (1, 1, 1, '22', '10101012', 10000, 25000,"
           " 25000);"
           "INSERT INTO recebimento (id, operadora_id, origem, data, valor, valor_bruto)"
           " VALUES (1, 1, 'manual', '2025-05-12', 25000, 25000);"
           "INSERT INTO repasse (id, periodo) VALUES (1, '2025-05');");
  snprintf(sql, sizeof sql,
           "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)"
           " INSERT INTO repasse_item (repasse_id, profissional_id, origem, recebimento_id,"
           " guia_id, item_id, base, valor, regra, glosa, situacao, descricao)"
           " SELECT 1, 1 + i %% 3, 'convenio', CASE WHEN i %% 4 = 0 THEN NULL ELSE 1 END,"
           " CASE WHEN i %% 6 = 0 THEN NULL ELSE 1 END, CASE WHEN i %% 6 = 0 THEN NULL ELSE 1 END,"
           " i * 1234567, i * 740741, CASE WHEN i %% 9 = 0 THEN NULL ELSE '60%% convênio' END,"
           " CASE WHEN i %% 7 = 0 THEN i ELSE 0 END,"
           " CASE WHEN i %% 7 = 0 THEN 'retido' ELSE 'pagar' END,"
           " CASE WHEN i %% 11 = 0 THEN NULL ELSE 'G1 item 1: consulta \"' || i || '\" <b>' END"
           " FROM n",
           linhas);
  exec(st, sql);
  return st;
}

static fat_rc no_buf(void *u, const char *p, size_t n, fat_err *err)
{
  return fat_buf_append(u, p, n, err);
}

typedef struct contagem {
  size_t bytes;
  uint64_t soma;
} contagem;

static fat_rc conta_bytes(void *u, const char *p, size_t n, fat_err *err)
{
  contagem *c = u;
  size_t i;

  (void)err;
  c->bytes += n;
  for (i = 0; i < n; i++)
    c->soma = c->soma * 31 + (unsigned char)p[i];
  return FAT_OK;
}

/* The statement written as it is read is the text of the whole statement
** built as JSON (every professional, and one), across pages of 512. */
static void test_repasse_extrato_streamed_is_the_same_json(void **state)
{
  fat_store *st = clinica_repasse(2000);
  static const int64_t profs[] = {0, 1, 2};
  fat_err err;
  size_t k;

  (void)state;
  for (k = 0; k < sizeof profs / sizeof profs[0]; k++) {
    cJSON *tree = NULL;
    char *whole;
    fat_buf b;

    assert_int_equal(fat_repasse_extrato(st, "2025-05", profs[k], &tree, &err), FAT_OK);
    whole = cJSON_PrintUnformatted(tree);
    assert_non_null(whole);
    fat_buf_init(&b, (size_t)64 << 20);
    assert_int_equal(fat_repasse_extrato_json_escrever(st, "2025-05", profs[k], NULL, no_buf, &b, &err),
                     FAT_OK);
    assert_int_equal(b.len, strlen(whole));
    assert_memory_equal(b.data, whole, b.len);
    cJSON_free(whole);
    cJSON_Delete(tree);
    fat_buf_fini(&b);
  }
  /* with the members repasse calcular adds after the totals */
  {
    cJSON *tree = NULL, *mais = cJSON_CreateObject(), *av = cJSON_CreateArray();
    char *whole;
    fat_buf b;

    cJSON_AddItemToArray(av, cJSON_CreateString("profissional #9 sem regra: \"x\" <y>"));
    cJSON_AddItemToArray(av, cJSON_CreateString("guia G1 sem itens"));
    cJSON_AddItemToObject(mais, "avisos", av);
    assert_int_equal(fat_repasse_extrato(st, "2025-05", 0, &tree, &err), FAT_OK);
    cJSON_AddItemReferenceToObject(tree, "avisos", av);
    whole = cJSON_PrintUnformatted(tree);
    fat_buf_init(&b, (size_t)64 << 20);
    assert_int_equal(fat_repasse_extrato_json_escrever(st, "2025-05", 0, mais, no_buf, &b, &err),
                     FAT_OK);
    assert_int_equal(b.len, strlen(whole));
    assert_memory_equal(b.data, whole, b.len);
    cJSON_free(whole);
    cJSON_Delete(tree);
    cJSON_Delete(mais);
    fat_buf_fini(&b);
  }
  /* no repasse: the same refusal */
  {
    contagem c = {0, 0};

    assert_int_equal(fat_repasse_extrato_json_escrever(st, "2025-06", 0, NULL, conta_bytes, &c, &err),
                     FAT_ENOTFOUND);
    assert_int_equal(c.bytes, 0);
  }
  fat_store_close(st);
  remove_db();
}

/* `repasse extrato` held every line of the period as JSON (615 MB for the
** 305,687 lines of the 100k-guia demo): written as it is read, 60,000 lines
** (~12 MB of JSON text) take the same memory as a few pages. */
static void test_repasse_extrato_memory_flat_in_lines(void **state)
{
  fat_store *st = clinica_repasse(60000);
  contagem c = {0, 0};
  fat_err err;
  long before, growth;

  (void)state;
  before = peak_rss_kb();
  assert_int_equal(fat_repasse_extrato_json_escrever(st, "2025-05", 0, NULL, conta_bytes, &c, &err),
                   FAT_OK);
  growth = peak_rss_kb() - before;
  print_message("extrato: %zu bytes, pico de RSS +%ld KB\n", c.bytes, growth);
  assert_true(c.bytes > (size_t)10 << 20);
#ifndef FAT_ASAN
  /* built whole: ~2 KB of JSON tree per line, ~120 MB here */
  if (growth >= 16 * 1024)
    fail_msg("repasse extrato cresceu %ld KB de RSS com 60.000 linhas", growth);
#else
  (void)growth;
#endif
  fat_store_close(st);
  remove_db();
}

/* Each page of the statement seeks the professional's lines after the last
** one read: no scan, no sort (a page would cost the whole repasse). */
static void test_repasse_extrato_page_seeks_by_key(void **state)
{
  fat_store *st = clinica_repasse(10);
  char plan[1024];

  (void)state;
  fix_query_plan(st, "EXPLAIN QUERY PLAN " FAT_REPASSE_EXTRATO_LINHAS_SQL, plan, sizeof plan);
  assert_non_null(strstr(plan, "SEARCH ri USING INDEX repasse_item_rep (repasse_id=? AND "
                               "profissional_id=? AND rowid>?)"));
  assert_null(strstr(plan, "SCAN"));
  assert_null(strstr(plan, "TEMP B-TREE"));
  fat_store_close(st);
  remove_db();
}

/* The integer the one-row query sql gives. */
static int64_t query_int(fat_store *st, const char *sql)
{
  fat_stmt *s;
  fat_err err;
  int64_t v;

  assert_int_equal(fat_store_prepare(st, sql, &s, &err), FAT_OK);
  assert_int_equal(fat_stmt_step(s), FAT_ROW);
  v = fat_col_int64(s, 0);
  fat_stmt_reset(s);
  return v;
}

static int64_t cache_size(fat_store *st) { return query_int(st, "PRAGMA cache_size"); }

/* The page cache a connection opens with, and the one bulk work asks for
** (in KiB, negative: SQLite's way of saying a size instead of pages). */
static void test_page_cache_set_in_mib(void **state)
{
  fat_store *st = NULL;
  fat_err err;

  (void)state;
  remove_db();
  assert_int_equal(fat_store_create(db_path, &st, &err), FAT_OK);
  assert_int_equal(cache_size(st), -(int64_t)FAT_STORE_PAGINAS_MB * 1024);
  assert_int_equal(fat_store_set_paginas_mb(st, 64, &err), FAT_OK);
  assert_int_equal(cache_size(st), -64 * 1024);
  assert_int_equal(fat_store_set_paginas_mb(st, 0, &err), FAT_OK);
  assert_int_equal(cache_size(st), -1024);
  fat_store_close(st);
  remove_db();
}

/* The demo clinic with n guias of n / 2 beneficiários (as bench_conferir
** makes it: ~2 guias each, so the duplicates look-up finds as much per guia
** at any n), checked once; the store open. */
static fat_store *clinica_demo(int n)
{
  fat_store *st = NULL;
  fat_gen *gen = NULL;
  fat_pricer *pricer = NULL;
  fat_demo_opcoes op;
  fat_demo_resumo res;
  fat_err err;
  long linhas = 0;

  remove_db();
  assert_int_equal(fat_store_create(db_path, &st, &err), FAT_OK);
  memset(&op, 0, sizeof op);
  op.n_guias = n;
  op.semente = 1;
  op.competencia = "2026-10";
  op.n_beneficiarios = n / 2;
  if (fat_gen_build(fix_regras_dir(), NULL, NULL, NULL, &gen, &err) != FAT_OK ||
      fat_pricer_new_gen(st, gen, &pricer, &err) != FAT_OK ||
      fat_store_begin(st, &err) != FAT_OK ||
      fat_demo_tabelas(st, fix_regras_dir(), &linhas, &err) != FAT_OK ||
      fat_demo_gerar(st, pricer, &op, &res, &err) != FAT_OK ||
      fat_store_commit(st, &err) != FAT_OK)
    fail_msg("demo: %s", err.msg);
  fat_pricer_free(pricer);
  fat_gen_release(gen);
  return st;
}

typedef struct custo_conferir {
  int64_t vm;      /* VM instructions, hundreds */
  int64_t faltas;  /* pages not in the page cache (read from the file) */
  size_t guias;
} custo_conferir;

/* What re-checking every guia of a demo clinic of n guias costs on one
** thread, with a page cache of `paginas` pages (the clinic of 4n outgrows
** it as 50 thousand guias outgrow the 16 MB of a real run). */
static custo_conferir custo_reconferir(int n, int paginas)
{
  fat_store *st = clinica_demo(n);
  fat_rules *rules = NULL;
  fat_conferir_opts o;
  fat_conferir_resumo res;
  custo_conferir c;
  fat_err err;
  char sql[64];
  int cur = 0, hi = 0;

  assert_int_equal(fat_rules_open(fix_regras_dir(), NULL, st, &rules, &err), FAT_OK);
  memset(&o, 0, sizeof o);
  o.hoje = "2026-11-05";
  o.todas = 1;
  o.threads = 1;
  /* the first check fills the item values; the re-check is what is measured */
  assert_int_equal(fat_conferir(st, rules, &o, NULL, NULL, &res, &err), FAT_OK);
  snprintf(sql, sizeof sql, "PRAGMA cache_size = %d", paginas);
  exec(st, sql);
  exec(st, "PRAGMA shrink_memory");
  sqlite3_db_status(fat_store_db(st), SQLITE_DBSTATUS_CACHE_MISS, &cur, &hi, 1);
  conta_de(st, &c.vm);
  assert_int_equal(fat_conferir(st, rules, &o, NULL, NULL, &res, &err), FAT_OK);
  conta_fim(st);
  sqlite3_db_status(fat_store_db(st), SQLITE_DBSTATUS_CACHE_MISS, &cur, &hi, 1);
  c.faltas = cur;
  c.guias = res.conferidas;
  assert_int_equal(res.conferidas, (size_t)n);
  fat_rules_close(rules);
  fat_store_close(st);
  remove_db();
  return c;
}

/* The duplicates look-up of conferir (each guia reads the items of the
** beneficiário's other guias, anywhere in the file) read a page of `guia`
** and a page of `item` per other guia: once the database outgrew the page
** cache the pages read per guia grew with the database (Part M: 3.3 pread
** per guia at 50 thousand guias, 0.3 at 10 thousand). It reads the
** covering indexes of migration 094 for every other guia, and an other
** guia's row (its status) only for an item in the span of dates: the status
** left guia_benef_par (migration 105), where conferir's status UPDATE
** rewrote entries at random pages. */
static void test_conferir_duplicates_read_indexes_only(void **state)
{
  fat_store *st = NULL;
  fat_err err;
  char plan[512];

  (void)state;
  remove_db();
  assert_int_equal(fat_store_create(db_path, &st, &err), FAT_OK);
  fix_query_plan(st, "EXPLAIN QUERY PLAN " FAT_PARES_BENEF_SQL, plan, sizeof plan);
  assert_non_null(strstr(plan, "SEARCH g USING COVERING INDEX guia_benef_par (beneficiario_id=?)"));
  assert_non_null(strstr(plan, "SEARCH i USING COVERING INDEX item_guia_par (guia_id=?)"));
  assert_non_null(strstr(plan, "SEARCH s USING INTEGER PRIMARY KEY (rowid=?)"));
  /* no column that conferir writes to a guia (status, valor_total): its
  ** UPDATEs leave guia_benef_par alone (migration 105) */
  assert_int_equal(query_int(st, "SELECT count(*) FROM pragma_index_info('guia_benef_par') "
                                 "WHERE name IN ('status', 'valor_total')"),
                   0);
  /* the scripts' history, by the same index, in its order (no sorter) */
  fix_query_plan(st, "EXPLAIN QUERY PLAN " FAT_HISTORICO_BENEF_SQL, plan, sizeof plan);
  assert_non_null(strstr(plan, "SEARCH g USING INDEX guia_benef_par"));
  assert_null(strstr(plan, "TEMP B-TREE"));
  fat_store_close(st);
  remove_db();
}

/* Re-checking 4x the guias costs ~4x the SQLite work and reads ~as many
** pages per guia from the file when the database outgrows the page cache
** (measured with 250 pages of cache, 300 and 1,200 guias: 0.44 and 0.49
** pages per guia; with the indexes of before migration 094, 0.40 and 1.01). */
static void test_conferir_cost_per_guia_flat_in_n(void **state)
{
  custo_conferir a, b;
  double fa, fb;

  (void)state;
  a = custo_reconferir(300, 250);
  b = custo_reconferir(1200, 250);
  fa = (double)a.faltas / (double)a.guias;
  fb = (double)b.faltas / (double)b.guias;
  print_message("conferir: %zu guias %lld00 instruções da VM, %.2f páginas lidas por guia; "
                "%zu guias %lld00, %.2f\n", a.guias, (long long)a.vm, fa, b.guias,
                (long long)b.vm, fb);
  assert_true(b.vm < 5 * a.vm);
  assert_true(fb < 1.5 * fa + 0.1);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    /* first: the RSS peak is the process's, measured before anything grows it */
    cmocka_unit_test(test_repasse_extrato_memory_flat_in_lines),
    cmocka_unit_test(test_repasse_extrato_streamed_is_the_same_json),
    cmocka_unit_test(test_repasse_extrato_page_seeks_by_key),
    cmocka_unit_test(test_receiving_a_fatura_costs_linear_in_its_lotes),
    cmocka_unit_test(test_page_cache_set_in_mib),
    cmocka_unit_test(test_conferir_duplicates_read_indexes_only),
    cmocka_unit_test(test_conferir_cost_per_guia_flat_in_n),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
