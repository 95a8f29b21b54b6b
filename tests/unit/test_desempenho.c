/* test_desempenho.c: what Part M fixed for speed stays fixed.
**
** - The rows conferir writes for every guia (its findings, its status, its
**   total, the open-findings counters) fire triggers that must not build an
**   ephemeral b-tree per row: SQLite builds one for every constant IN list
**   of three or more values each time a trigger statement runs, and freeing
**   them trimmed the heap once per guia (migration 080). EXPLAIN lists the
**   trigger programs too, so counting OpenEphemeral in it counts them.
** - `importar` of a JSON file streams it guia by guia into the transaction:
**   memory does not grow with the file (it held every parsed guia, ~14 KB
**   each, before storing the first).
** - `importar` keeps SQLite's statement journals in memory: once one
**   statement's journal passed 64 KiB, every statement of the rest of the
**   file's transaction wrote its journal to a temporary file (~60 writes
**   per guia, most of the import's time). A statement journal past the
**   in-memory size still works (1 MiB failed with "disk is full"). */
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

#include "fat_cadastro.h"
#include "fat_import.h"
#include "fat_repasse.h"
#include "fat_store_int.h"
#include "fat_verificar.h"
#include "fixture_guia.h"

/* Under AddressSanitizer freed memory stays in quarantine (RSS says
** nothing) and every allocation is slower: a smaller file, no RSS check. */
#if defined(__SANITIZE_ADDRESS__)
#define FAT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FAT_ASAN 1
#endif
#endif
#ifdef FAT_ASAN
#define N_GUIAS 300
#else
#define N_GUIAS 3000
#endif

static const char *db_path = "test_desempenho.db";

static void remove_db(void)
{
  unlink(db_path);
  unlink("test_desempenho.db-wal");
  unlink("test_desempenho.db-shm");
}

/* Ephemeral b-trees opened by statement sql, trigger programs included. */
static int ephemeral_tables(fat_store *st, const char *sql)
{
  fat_stmt *s;
  fat_err err;
  int n = 0, r;

  assert_int_equal(fat_store_prepare(st, sql, &s, &err), FAT_OK);
  r = fat_stmt_step(s);
  while (r == FAT_ROW) {
    n += strcmp(fat_col_text(s, 1), "OpenEphemeral") == 0;
    r = fat_stmt_step(s);
  }
  assert_int_equal(r, FAT_DONE);
  fat_stmt_reset(s);
  return n;
}

static void test_conferir_writes_open_no_ephemeral_btree_per_row(void **state)
{
  fat_store *st = NULL;
  fat_err err;

  (void)state;
  remove_db();
  assert_int_equal(fat_store_create(db_path, &st, &err), FAT_OK);
  /* one finding stored (its counters in guia_aberto and painel_operadora) */
  assert_int_equal(ephemeral_tables(st, "EXPLAIN INSERT INTO achado(guia_id, codigo, "
                                        "severidade, mensagem, valor_risco, regra, "
                                        "guia_revisao) VALUES (1, 'X', 'bloqueio', 'm', 1, "
                                        "'r', 1)"),
                   0);
  /* the findings of a re-checked guia deleted */
  assert_int_equal(ephemeral_tables(st, "EXPLAIN DELETE FROM achado WHERE guia_id = 1"), 0);
  /* the counters of a guia moving between 'with a bloqueio' and not */
  assert_int_equal(ephemeral_tables(st, "EXPLAIN UPDATE guia_aberto SET bloqueios = 0, "
                                        "risco_bloqueio = 0 WHERE guia_id = 1"),
                   0);
  /* the guia's total filled by pricing: before migration 080, 12 */
  assert_true(ephemeral_tables(st, "EXPLAIN UPDATE guia SET valor_total = 5 WHERE id = 1") <= 1);
  /* its new status: before migration 080, 13 (one is the CHECK of 001) */
  assert_true(ephemeral_tables(st, "EXPLAIN UPDATE guia SET status = 'pendente' "
                                   "WHERE id = 1") <= 2);
  fat_store_close(st);
  remove_db();
}

/* Storing a guia (importar, digitar, the demo) runs the CHECK constraints
** of guia, item and beneficiario for each row: before migration 084 their
** constant IN lists built 8 ephemeral b-trees per guia of 5 items. The
** rewritten constraints refuse what they refused. */
static void test_storing_a_guia_opens_no_ephemeral_btree(void **state)
{
  fat_store *st = NULL;
  fat_err err;
  fat_stmt *s;

  (void)state;
  remove_db();
  assert_int_equal(fat_store_create(db_path, &st, &err), FAT_OK);
  assert_int_equal(ephemeral_tables(st, "EXPLAIN INSERT INTO guia (tipo, numero_prestador, "
                                        "operadora_id, prestador_id, status) VALUES "
                                        "('sp-sadt', 'x', 1, 1, 'digitada')"),
                   0);
  assert_int_equal(ephemeral_tables(st, "EXPLAIN INSERT INTO item (guia_id, sequencial, tipo, "
                                        "codigo_tabela, codigo, quantidade_e4) VALUES (1, 1, "
                                        "'taxa', '22', '1', 1)"),
                   0);
  assert_int_equal(ephemeral_tables(st, "EXPLAIN INSERT INTO beneficiario (nome, sexo) VALUES "
                                        "('a', 'M')"),
                   0);
  assert_int_equal(ephemeral_tables(st, "EXPLAIN UPDATE beneficiario SET sexo = 'F' WHERE id = 1"),
                   0);
  assert_int_equal(ephemeral_tables(st, "EXPLAIN INSERT INTO plano (operadora_id, codigo, nome, "
                                        "acomodacao) VALUES (1, 'p', 'p', 'apartamento')"),
                   0);
  /* the constraints still hold */
  assert_int_equal(fat_store_exec(st, "INSERT INTO operadora (registro_ans, nome, script) "
                                      "VALUES ('312347', 'Aurora', 'aurora')", &err),
                   FAT_OK);
  assert_int_equal(fat_store_exec(st, "INSERT INTO prestador (nome, cnpj) VALUES ('C', "
                                      "'11222333000181')", &err),
                   FAT_OK);
  assert_int_not_equal(fat_store_exec(st, "INSERT INTO guia (tipo, numero_prestador, "
                                          "operadora_id, prestador_id) VALUES ('sadt', 'x', 1, 1)",
                                      &err),
                       FAT_OK);
  assert_int_not_equal(fat_store_exec(st, "INSERT INTO guia (tipo, numero_prestador, "
                                          "operadora_id, prestador_id, status) VALUES "
                                          "('consulta', 'x', 1, 1, 'aberta')", &err),
                       FAT_OK);
  assert_int_equal(fat_store_exec(st, "INSERT INTO guia (tipo, numero_prestador, operadora_id, "
                                      "prestador_id, status) VALUES ('resumo-internacao', 'x', 1, "
                                      "1, 'cancelada')", &err),
                   FAT_OK);
  assert_int_not_equal(fat_store_exec(st, "INSERT INTO item (guia_id, sequencial, tipo, "
                                          "codigo_tabela, codigo, quantidade_e4) VALUES (1, 1, "
                                          "'servico', '22', '1', 1)", &err),
                       FAT_OK);
  assert_int_equal(fat_store_exec(st, "INSERT INTO item (guia_id, sequencial, tipo, "
                                      "codigo_tabela, codigo, quantidade_e4) VALUES (1, 1, 'gas', "
                                      "'22', '1', 1)", &err),
                   FAT_OK);
  assert_int_not_equal(fat_store_exec(st, "INSERT INTO beneficiario (nome, sexo) VALUES ('a', "
                                          "'X')", &err),
                       FAT_OK);
  assert_int_equal(fat_store_exec(st, "INSERT INTO beneficiario (nome, sexo) VALUES ('a', NULL)",
                                  &err),
                   FAT_OK);
  assert_int_not_equal(fat_store_exec(st, "INSERT INTO plano (operadora_id, codigo, nome, "
                                          "acomodacao) VALUES (1, 'p', 'p', 'suite')", &err),
                       FAT_OK);
  assert_int_equal(fat_store_prepare(st, "PRAGMA integrity_check", &s, &err), FAT_OK);
  assert_int_equal(fat_stmt_step(s), FAT_ROW);
  assert_string_equal(fat_col_text(s, 0), "ok");
  fat_stmt_reset(s);
  fat_store_close(st);
  remove_db();
}

/* Each line of a repasse (~3 per guia paid) is one INSERT into repasse_item:
** before migration 098 its CHECK on origem built an ephemeral b-tree per
** line; each guia paid (an INSERT into recebimento_guia) built one in the
** trigger that adds it to lote_recebimento. The rewritten constraint refuses
** what it refused (the counters the trigger keeps are checked against their
** recount by unit.verificar and the e2e tests). */
static void test_repasse_line_and_receipt_open_no_ephemeral_btree(void **state)
{
  fat_store *st = NULL;
  fat_err err;
  static const char ins[] = "INSERT INTO repasse_item (repasse_id, profissional_id, origem, base, "
                            "valor) VALUES (1, 1, '%s', 100, 60)";
  static const char *const ok[] = {"convenio", "particular", "liberacao", "ajuste"};
  static const char *const bad[] = {"Convenio", "outro", ""};
  char sql[256];
  size_t i;

  (void)state;
  remove_db();
  assert_int_equal(fat_store_create(db_path, &st, &err), FAT_OK);
  assert_int_equal(ephemeral_tables(st, "EXPLAIN INSERT INTO repasse_item (repasse_id, "
                                        "profissional_id, origem, base, valor) VALUES "
                                        "(1, 1, 'convenio', 100, 60)"),
                   0);
  assert_int_equal(ephemeral_tables(st, "EXPLAIN INSERT INTO recebimento_guia (recebimento_id, "
                                        "guia_id, valor) VALUES (1, 1, 100)"),
                   0);
  assert_int_equal(fat_store_exec(st, "INSERT INTO repasse (periodo) VALUES ('2026-11')", &err),
                   FAT_OK);
  assert_int_equal(fat_store_exec(st, "INSERT INTO profissional (nome, conselho, uf) VALUES "
                                      "('P', 'CRM', 'SP')", &err),
                   FAT_OK);
  for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    snprintf(sql, sizeof sql, ins, ok[i]);
    assert_int_equal(fat_store_exec(st, sql, &err), FAT_OK);
  }
  for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    snprintf(sql, sizeof sql, ins, bad[i]);
    assert_int_not_equal(fat_store_exec(st, sql, &err), FAT_OK);
  }
  assert_int_not_equal(fat_store_exec(st, "INSERT INTO repasse_item (repasse_id, "
                                          "profissional_id, origem, base, valor) VALUES "
                                          "(1, 1, NULL, 100, 60)", &err),
                       FAT_OK);
  fat_store_close(st);
  remove_db();
}

/* The financial invariant "repasse lines sum the base received" sums, per
** guia of each recebimento, the lines of the period's repasse that stand on
** it; without an index on (repasse, recebimento, guia) each guia scanned all
** of the period's lines (quadratic; migration 087); releasing held lines
** scanned every line per held one (migration 088). */
static void test_repasse_lines_of_a_receipt_found_by_index(void **state)
{
  fat_store *st = NULL;
  fat_err err;
  char plan[1024];

  (void)state;
  remove_db();
  assert_int_equal(fat_store_create(db_path, &st, &err), FAT_OK);
  fix_query_plan(st, "EXPLAIN QUERY PLAN SELECT SUM(base) FROM repasse_item WHERE repasse_id = 1"
                 " AND origem = 'convenio' AND recebimento_id = 2 AND guia_id = 3",
             plan, sizeof plan);
  assert_non_null(strstr(plan, "USING INDEX repasse_item_recebimento"));
  fix_query_plan(st, "EXPLAIN QUERY PLAN SELECT SUM(base) FROM repasse_item WHERE repasse_id = 1"
                 " AND pagamento_particular_id = 2",
             plan, sizeof plan);
  assert_non_null(strstr(plan, "USING INDEX repasse_item_particular"));
  /* the held lines no later line has released (migration 088) */
  fix_query_plan(st, "EXPLAIN QUERY PLAN SELECT ri.id FROM repasse_item ri WHERE"
                 " ri.situacao = 'retido' AND NOT EXISTS (SELECT 1 FROM repasse_item z"
                 " WHERE z.origem_item_id = ri.id)",
             plan, sizeof plan);
  assert_non_null(strstr(plan, "USING INDEX repasse_item_retido"));
  assert_non_null(strstr(plan, "INDEX repasse_item_origem_item"));
  fat_store_close(st);
  remove_db();
}

/* guia_lote and guia_operadora_numero_op hold only the guias with a lote or
** an operadora number (migration 099): the look-ups by those columns still
** use them. */
static void test_guia_partial_indexes_serve_their_lookups(void **state)
{
  fat_store *st = NULL;
  fat_err err;
  char plan[1024];

  (void)state;
  remove_db();
  assert_int_equal(fat_store_create(db_path, &st, &err), FAT_OK);
  fix_query_plan(st, "EXPLAIN QUERY PLAN SELECT id FROM guia WHERE lote_id = ?1 ORDER BY id", plan,
                 sizeof plan);
  assert_non_null(strstr(plan, "INDEX guia_lote (lote_id=?)"));
  assert_null(strstr(plan, "TEMP B-TREE"));
  fix_query_plan(st, "EXPLAIN QUERY PLAN SELECT (SELECT count(*) FROM guia g WHERE g.lote_id ="
                 " l.id) FROM lote l WHERE l.id = ?1", plan, sizeof plan);
  assert_non_null(strstr(plan, "INDEX guia_lote (lote_id=?)"));
  fix_query_plan(st, "EXPLAIN QUERY PLAN SELECT g.numero_prestador FROM lote l JOIN guia g ON"
                 " g.lote_id = l.id WHERE l.id = ?1", plan, sizeof plan);
  assert_non_null(strstr(plan, "INDEX guia_lote (lote_id=?)"));
  fix_query_plan(st, "EXPLAIN QUERY PLAN SELECT id, lote_id IS ?3 FROM guia WHERE operadora_id = ?1"
                 " AND numero_operadora = ?2", plan, sizeof plan);
  assert_non_null(strstr(plan, "INDEX guia_operadora_numero_op (operadora_id=? AND numero_operadora=?)"));
  fat_store_close(st);
  remove_db();
}

/* verificar's lote_saldo_recontado looks for each stored (lote, receipt)
** row among the lote's guias (guia_lote), then the receipt's line by its
** key: walking the receipt's lines for every lote it paid instead read 195 GB
** at a million guias (rodada 10, m10-web). With guia_lote partial (migration
** 099) the planner chose that walk again (117 s of the invariant's 121 at
** 1M); the order is now fixed by a CROSS JOIN. */
static void test_verificar_lote_saldo_walks_the_lotes_guias(void **state)
{
  fat_store *st = NULL;
  fat_err err;
  const fat_verif_check *c;
  char sql[8192], plan[8192];
  size_t n, i;
  int achou = 0;

  (void)state;
  remove_db();
  assert_int_equal(fat_store_create(db_path, &st, &err), FAT_OK);
  c = fat_verif_checks(&n);
  for (i = 0; i < n; i++)
    if (strcmp(c[i].nome, "lote_saldo_recontado") == 0 && c[i].sql != NULL) {
      snprintf(sql, sizeof sql, "EXPLAIN QUERY PLAN %s", c[i].sql);
      fix_query_plan(st, sql, plan, sizeof plan);
      achou = 1;
    }
  assert_true(achou);
  assert_non_null(strstr(plan, "SEARCH g USING COVERING INDEX guia_lote (lote_id=?)|SEARCH x USING"
                               " COVERING INDEX sqlite_autoindex_recebimento_guia_1"
                               " (recebimento_id=? AND guia_id=?)"));
  assert_null(strstr(plan, "guia_lote (lote_id=? AND rowid=?)"));
  fat_store_close(st);
  remove_db();
}

/* repasse calcular held every guia received in the period as a row in
** memory (~150 bytes each: 150 MB at a million guias); it now walks them in
** keyset pages, each a seek on recebimento_guia's key with no sort (a sort
** would read every remaining row per page: quadratic). */
static void test_repasse_receipts_walked_by_key_without_sort(void **state)
{
  fat_store *st = NULL;
  fat_err err;
  char plan[1024];

  (void)state;
  remove_db();
  assert_int_equal(fat_store_create(db_path, &st, &err), FAT_OK);
  fix_query_plan(st, "EXPLAIN QUERY PLAN " FAT_REPASSE_CONVENIO_SQL, plan, sizeof plan);
  assert_non_null(strstr(plan, "SEARCH x USING INDEX sqlite_autoindex_recebimento_guia_1 "
                               "((recebimento_id,guia_id)>(?,?))"));
  assert_null(strstr(plan, "TEMP B-TREE"));
  fat_store_close(st);
  remove_db();
}

/* ---- importar streams a JSON file ---- */

static const char *json_path = "test_desempenho.json";

static long peak_rss_kb(void)
{
  struct rusage ru;

  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

/* A file of n SP/SADT guias with 5 items each (about 1.6 KB per guia);
** guia dup (1-based, 0 = none) repeats the numero of guia 1; guia bad
** (0 = none) has a bad quantity. latin1: a name in Latin-1 bytes. */
static void write_guias(long n, long dup, long bad, int latin1)
{
  FILE *f = fopen(json_path, "w");
  long g;
  int i;

  assert_non_null(f);
  fputs("{\"origem\": \"teste\", \"guias\": [\n", f);
  for (g = 1; g <= n; g++) {
    fprintf(f,
            "%s{\"tipo\":\"sp-sadt\",\"operadora\":{\"registro_ans\":\"312347\"},"
            "\"prestador\":{\"cnpj\":\"11222333000181\"},"
            "\"numero_prestador\":\"B-%08ld\",\"beneficiario_nome\":\"%s\","
            "\"carteira_numero\":\"0001234567\",\"senha\":\"S%09ld\",\"cid\":\"J069\","
            "\"data_inicio\":\"2026-10-05\",\"valor_total\":\"600.00\",\"itens\":[",
            g > 1 ? ",\n" : "", g == dup ? 1 : g, latin1 ? "Jos\xe9" : "Jos\xc3\xa9", g);
    for (i = 1; i <= 5; i++)
      fprintf(f,
              "%s{\"sequencial\":%d,\"tipo\":\"procedimento\",\"codigo_tabela\":\"22\","
              "\"codigo\":\"4030%04d\",\"descricao\":\"Exame laboratorial %d\","
              "\"quantidade\":\"%s\",\"valor_unitario\":\"120.00\","
              "\"valor_total\":\"120.00\",\"data\":\"2026-10-05\"}",
              i > 1 ? "," : "", i, 1000 + i, i, g == bad && i == 3 ? "x" : "1.0000");
    fputs("]}", f);
  }
  fputs("\n]}\n", f);
  fclose(f);
}

static fat_store *import_db(void)
{
  fat_store *st = NULL;
  fat_err err;

  remove_db();
  assert_int_equal(fat_store_create(db_path, &st, &err), FAT_OK);
  assert_int_equal(fat_cadastro_prestador(st, "Clínica Exemplo", "11.222.333/0001-81", NULL,
                                          NULL, &err),
                   FAT_OK);
  assert_int_equal(fat_cadastro_operadora(st, "312347", "Aurora Saúde", "aurora", NULL, NULL,
                                          NULL, &err),
                   FAT_OK);
  return st;
}

static long count_guias(fat_store *st)
{
  fat_stmt *s;
  fat_err err;
  long n;

  assert_int_equal(fat_store_prepare(st, "SELECT count(*) FROM guia", &s, &err), FAT_OK);
  assert_int_equal(fat_stmt_step(s), FAT_ROW);
  n = (long)fat_col_int64(s, 0);
  fat_stmt_reset(s);
  return n;
}

static void test_import_json_file_memory_flat_in_file_size(void **state)
{
  fat_store *st = import_db();
  fat_import_result res;
  fat_err err;
  long before, growth;

  (void)state;
  write_guias(N_GUIAS, 0, 0, 0); /* 3000: ~5 MB */
  before = peak_rss_kb();
  assert_int_equal(fat_import_guias_file(st, json_path, FAT_FMT_AUTO, &res, &err), FAT_OK);
  growth = peak_rss_kb() - before;
  assert_int_equal(res.novas, N_GUIAS);
  assert_int_equal(res.itens, 5 * N_GUIAS);
  assert_int_equal(count_guias(st), N_GUIAS);
#ifndef FAT_ASAN
  /* read whole, this file took ~45 MB (text, tree, 3000 guias); streamed,
  ** one guia and the keys */
  if (growth >= 16 * 1024)
    fail_msg("importar cresceu %ld KB de RSS com um arquivo de ~5 MB", growth);
#else
  (void)growth; /* ASan keeps freed memory in quarantine */
#endif
  fat_store_close(st);
  unlink(json_path);
  remove_db();
}

static void test_import_json_file_stream_errors_name_the_guia(void **state)
{
  fat_store *st = import_db();
  fat_import_result res;
  fat_err err;

  (void)state;
  /* a bad field in guia 100: nothing of the file is stored */
  write_guias(120, 0, 100, 0);
  assert_int_equal(fat_import_guias_file(st, json_path, FAT_FMT_JSON, &res, &err), FAT_EINVAL);
  assert_non_null(strstr(err.msg, "guias[99], campo itens[2].quantidade"));
  assert_non_null(strstr(err.msg, json_path));
  assert_int_equal(res.novas, 0);
  assert_int_equal(count_guias(st), 0);
  /* guia 80 repeats guia 1: named with the first one */
  write_guias(120, 80, 0, 0);
  assert_int_equal(fat_import_guias_file(st, json_path, FAT_FMT_JSON, &res, &err), FAT_EINVAL);
  assert_non_null(strstr(err.msg, "guias[79], campo numero_prestador: a guia B-00000001"));
  assert_non_null(strstr(err.msg, "(guias[0])"));
  assert_int_equal(count_guias(st), 0);
  /* a Latin-1 file is read whole and converted, as before */
  write_guias(10, 0, 0, 1);
  assert_int_equal(fat_import_guias_file(st, json_path, FAT_FMT_JSON, &res, &err), FAT_OK);
  assert_int_equal(res.latin1, 1);
  assert_int_equal(count_guias(st), 10);
  fat_store_close(st);
  unlink(json_path);
  remove_db();
}

/* ---- statement journals ---- */

/* A VFS over the default one that counts the statement journals
** (sub-journals) SQLite writes to a file. */
static sqlite3_vfs shim_vfs;
static sqlite3_vfs *base_vfs;
static int subjournal_files;

static int shim_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
                     int *out_flags)
{
  (void)vfs;
  if (flags & SQLITE_OPEN_SUBJOURNAL)
    subjournal_files++;
  return base_vfs->xOpen(base_vfs, name, f, flags, out_flags);
}

static void shim_install(void)
{
  /* a test that failed before its shim_remove left the shim registered as
  ** the default: taking it as its own base would make shim_open call
  ** itself for ever (a tail call: a loop, not a crash) */
  sqlite3_vfs_unregister(&shim_vfs);
  base_vfs = sqlite3_vfs_find(NULL);
  assert_non_null(base_vfs);
  shim_vfs = *base_vfs;
  shim_vfs.zName = "fat_test_conta_subjournal";
  shim_vfs.xOpen = shim_open;
  assert_int_equal(sqlite3_vfs_register(&shim_vfs, 1), SQLITE_OK);
  subjournal_files = 0;
}

static void shim_remove(void) { assert_int_equal(sqlite3_vfs_unregister(&shim_vfs), SQLITE_OK); }

static void test_import_statement_journals_stay_in_memory(void **state)
{
  fat_store *st;
  fat_import_result res;
  fat_err err;

  (void)state;
  shim_install();
  st = import_db();
  write_guias(N_GUIAS, 0, 0, 0);
  assert_int_equal(fat_import_guias_file(st, json_path, FAT_FMT_JSON, &res, &err), FAT_OK);
  assert_int_equal(res.novas, N_GUIAS);
  /* with fat_store_begin: a file from about guia 1000 on */
  assert_int_equal(subjournal_files, 0);
  fat_store_close(st);
  shim_remove();
  unlink(json_path);
  remove_db();
}

static void test_statement_journal_past_memory_size_commits(void **state)
{
  fat_store *st = NULL;
  fat_err err;

  (void)state;
  remove_db();
  assert_int_equal(fat_store_create(db_path, &st, &err), FAT_OK);
  fat_store_close(st); /* SQLite is set up; now open it over the shim */
  shim_install();
  assert_int_equal(fat_store_open(db_path, &st, &err), FAT_OK);
  assert_int_equal(fat_store_exec(st, "CREATE TABLE rascunho (id INTEGER PRIMARY KEY, "
                                      "x TEXT NOT NULL)", &err),
                   FAT_OK);
  /* a counter kept by a trigger, as the panel's: the UPDATE below writes
  ** more than one table, so it needs a statement journal */
  assert_int_equal(fat_store_exec(st, "CREATE TABLE rascunho_conta (n INTEGER NOT NULL); "
                                      "INSERT INTO rascunho_conta VALUES (0); "
                                      "CREATE TRIGGER rascunho_mudou AFTER UPDATE ON rascunho "
                                      "BEGIN UPDATE rascunho_conta SET n = n + 1; END",
                                  &err),
                   FAT_OK);
  /* ~600 pages of 4 KB */
  assert_int_equal(fat_store_exec(st, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
                                      "FROM n WHERE i < 600) INSERT INTO rascunho (x) SELECT "
                                      "hex(zeroblob(1800)) FROM n", &err),
                   FAT_OK);
  /* one statement changing every page inside a transaction: its journal
  ** (~2.4 MB) goes past the in-memory size to a temporary file */
  assert_int_equal(fat_store_begin(st, &err), FAT_OK);
  if (fat_store_exec(st, "UPDATE rascunho SET x = x || 'a'", &err) != FAT_OK)
    fail_msg("%s", err.msg);
  assert_int_equal(fat_store_commit(st, &err), FAT_OK);
  assert_int_equal(subjournal_files, 1);
  fat_store_close(st);
  shim_remove();
  remove_db();
}

/* The resumo of glosas' counters (migration 103) move with every glosa
** written, every item and guia whose keys change, and the mapa de lotes'
** (migration 104) with every lote and pagamento: none of their triggers
** builds an ephemeral b-tree. A new glosa and a new classificação still build
** the ones of glosa's own CHECKs (classificacao: 3 values, situacao: 6). */
static void test_panel_counters_open_no_ephemeral_btree(void **state)
{
  fat_store *st = NULL;
  fat_err err;

  (void)state;
  remove_db();
  assert_int_equal(fat_store_create(db_path, &st, &err), FAT_OK);
  assert_int_equal(ephemeral_tables(st, "EXPLAIN INSERT INTO glosa (guia_id, item_id, codigo,"
                                        " valor, origem, competencia) VALUES (1, NULL, '1705',"
                                        " 10, 'retorno', '2026-11')"),
                   2);
  assert_int_equal(ephemeral_tables(st, "EXPLAIN UPDATE glosa SET classificacao = 'devida'"
                                        " WHERE id = 1"),
                   1);
  assert_int_equal(ephemeral_tables(st, "EXPLAIN UPDATE glosa SET prevista = 1, grupo = 'x',"
                                        " valor = 3 WHERE id = 1"),
                   0);
  assert_int_equal(ephemeral_tables(st, "EXPLAIN DELETE FROM glosa WHERE retorno_id = 1"), 0);
  assert_int_equal(ephemeral_tables(st, "EXPLAIN UPDATE item SET descricao = 'x', codigo = 'y',"
                                        " profissional_id = 2 WHERE id = 1"),
                   0);
  assert_true(ephemeral_tables(st, "EXPLAIN UPDATE guia SET executante_id = 1, operadora_id = 2"
                                   " WHERE id = 1") <= 1);
  /* the panel's mapa de lotes (migration 104): a lote and a pagamento; the
  ** lote's own CHECK on status (7 values) builds one, its delete two as before */
  assert_int_equal(ephemeral_tables(st, "EXPLAIN UPDATE lote SET status = 'pago',"
                                        " valor_recebido = 3, previsao_pagamento = '2026-12-01'"
                                        " WHERE id = 1"),
                   1);
  assert_int_equal(ephemeral_tables(st, "EXPLAIN INSERT INTO pagamento (operadora_id, lote_id,"
                                        " data, valor) VALUES (1, 1, '2026-11-01', 5)"),
                   0);
  assert_int_equal(ephemeral_tables(st, "EXPLAIN UPDATE pagamento SET valor = 3, lote_id = 2"
                                        " WHERE id = 1"),
                   0);
  assert_int_equal(ephemeral_tables(st, "EXPLAIN DELETE FROM pagamento WHERE id = 1"), 0);
  fat_store_close(st);
  remove_db();
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_conferir_writes_open_no_ephemeral_btree_per_row),
    cmocka_unit_test(test_panel_counters_open_no_ephemeral_btree),
    cmocka_unit_test(test_verificar_lote_saldo_walks_the_lotes_guias),
    cmocka_unit_test(test_repasse_lines_of_a_receipt_found_by_index),
    cmocka_unit_test(test_storing_a_guia_opens_no_ephemeral_btree),
    cmocka_unit_test(test_repasse_line_and_receipt_open_no_ephemeral_btree),
    cmocka_unit_test(test_repasse_receipts_walked_by_key_without_sort),
    cmocka_unit_test(test_import_json_file_memory_flat_in_file_size),
    cmocka_unit_test(test_import_json_file_stream_errors_name_the_guia),
    cmocka_unit_test(test_import_statement_journals_stay_in_memory),
    cmocka_unit_test(test_statement_journal_past_memory_size_commits),
    cmocka_unit_test(test_guia_partial_indexes_serve_their_lookups),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
