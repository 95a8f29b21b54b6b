/* test_store.c: store open, migrations by number, schema guard, the statement
** cache (content keys, busy statements, eviction, capacity), sticky bind
** errors, transactions, audit; only create makes a file (0600); busy is
** FAT_EBUSY. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fat_mem.h"
#include "fat_store_int.h"
#include "fat_store_sqlite.h"

static const char *db_path = "test_store.db";

static void remove_db(void)
{
  unlink(db_path);
  unlink("test_store.db-wal");
  unlink("test_store.db-shm");
}

static int count_rows(fat_store *st, const char *sql)
{
  sqlite3_stmt *s;
  int n = -1;

  assert_int_equal(sqlite3_prepare_v2(fat_store_db(st), sql, -1, &s, NULL), SQLITE_OK);
  if (sqlite3_step(s) == SQLITE_ROW)
    n = sqlite3_column_int(s, 0);
  sqlite3_finalize(s);
  return n;
}

/* dia_local(x) of one text value through the store's statement API;
** NULL result as "(null)". */
static void dia_local_of(fat_store *st, const char *x, char *out, size_t len)
{
  static const char sql[] = "SELECT dia_local(?1)";
  fat_stmt *s;
  fat_err err;

  assert_int_equal(fat_store_prepare(st, sql, &s, &err), FAT_OK);
  fat_bind_text(s, 1, x);
  assert_int_equal(fat_stmt_step(s), FAT_ROW);
  snprintf(out, len, "%s", fat_col_is_null(s, 0) ? "(null)" : fat_col_text(s, 0));
  fat_stmt_reset(s);
}

static void test_dia_local_sql_is_the_clinic_day_of_a_utc_instant(void **state)
{
  fat_store *st = NULL;
  fat_err err;
  char d[32];

  (void)state;
  setenv("TZ", "<-03>3", 1);
  tzset();
  remove_db();
  assert_int_equal(fat_store_create(db_path, &st, &err), FAT_OK);
  /* the day changes at 03:00 UTC in UTC-3 */
  dia_local_of(st, "2026-04-01T02:59:59Z", d, sizeof d);
  assert_string_equal(d, "2026-03-31");
  dia_local_of(st, "2026-04-01T03:00:00Z", d, sizeof d);
  assert_string_equal(d, "2026-04-01");
  dia_local_of(st, "2026-04-01 01:30:00", d, sizeof d);
  assert_string_equal(d, "2026-03-31");
  /* a plain date is already a local day */
  dia_local_of(st, "2026-04-01", d, sizeof d);
  assert_string_equal(d, "2026-04-01");
  /* NULL, garbage, an impossible instant and a number give NULL */
  dia_local_of(st, NULL, d, sizeof d);
  assert_string_equal(d, "(null)");
  dia_local_of(st, "ontem", d, sizeof d);
  assert_string_equal(d, "(null)");
  dia_local_of(st, "2026-02-30T10:00:00Z", d, sizeof d);
  assert_string_equal(d, "(null)");
  assert_int_equal(count_rows(st, "SELECT dia_local(20260401) IS NULL"), 1);
  /* the month of an instant */
  assert_int_equal(count_rows(st, "SELECT substr(dia_local('2026-04-01T01:30:00Z'), 1, 7)"
                                  " = '2026-03'"),
                   1);
  fat_store_close(st);
  remove_db();
}

/* ---- migrations ---- */

static void test_open_migrates(void **state)
{
  fat_store *st = NULL;
  fat_err err;
  int n;

  (void)state;
  remove_db();
  assert_int_equal(fat_store_create(db_path, &st, &err), FAT_OK);
  assert_int_equal(fat_store_schema_version(st), fat_store_schema_latest());
  assert_true(fat_store_schema_latest() >= 1);
  for (n = 0; fat_migrations[n].sql != NULL; n++)
    ;
  /* every embedded migration is recorded by number */
  assert_int_equal(count_rows(st, "SELECT count(*) FROM esquema_migracao"), n);
  assert_int_equal(count_rows(st, "SELECT count(*) FROM esquema_migracao WHERE numero = 1"
                                  " AND nome = '001_init.sql'"),
                   1);
  fat_store_close(st);
  /* reopening an up-to-date database is a no-op */
  assert_int_equal(fat_store_open(db_path, &st, &err), FAT_OK);
  assert_int_equal(count_rows(st, "SELECT count(*) FROM esquema_migracao"), n);
  fat_store_close(st);
}

/* Three small migrations standing for three parts' files. */
static const fat_migration mig_1_3[] = {
  {1, "001_a.sql", "CREATE TABLE a (x INTEGER);"},
  {3, "003_c.sql", "CREATE TABLE c (x INTEGER);"},
  {0, NULL, NULL},
};
static const fat_migration mig_1_2_3[] = {
  {1, "001_a.sql", "CREATE TABLE a (x INTEGER);"},
  {2, "002_b.sql", "CREATE TABLE b (x INTEGER); INSERT INTO a VALUES (2);"},
  {3, "003_c.sql", "CREATE TABLE c (x INTEGER);"},
  {0, NULL, NULL},
};
static const fat_migration mig_1_2[] = {
  {1, "001_a.sql", "CREATE TABLE a (x INTEGER);"},
  {2, "002_b.sql", "CREATE TABLE b (x INTEGER); INSERT INTO a VALUES (2);"},
  {0, NULL, NULL},
};

/* A database made by a binary that had 001 and 003 gets 002 from a binary
** that has all three, although 002 is below its newest migration. */
static void test_lower_missing_migration_applied(void **state)
{
  fat_store *st = NULL;
  fat_err err;

  (void)state;
  remove_db();
  assert_int_equal(fat_store_open_with(db_path, mig_1_3, &st, &err), FAT_OK);
  assert_int_equal(fat_store_schema_version(st), 3);
  assert_int_equal(count_rows(st, "SELECT count(*) FROM sqlite_master WHERE name = 'b'"), 0);
  fat_store_close(st);

  assert_int_equal(fat_store_open_with(db_path, mig_1_2_3, &st, &err), FAT_OK);
  assert_int_equal(count_rows(st, "SELECT count(*) FROM sqlite_master WHERE name = 'b'"), 1);
  assert_int_equal(count_rows(st, "SELECT count(*) FROM a WHERE x = 2"), 1);
  assert_int_equal(count_rows(st, "SELECT count(*) FROM esquema_migracao"
                                  " WHERE numero = 2 AND nome = '002_b.sql'"),
                   1);
  assert_int_equal(count_rows(st, "SELECT count(*) FROM esquema_migracao"), 3);
  fat_store_close(st);
  /* and it is applied once */
  assert_int_equal(fat_store_open_with(db_path, mig_1_2_3, &st, &err), FAT_OK);
  assert_int_equal(count_rows(st, "SELECT count(*) FROM a WHERE x = 2"), 1);
  fat_store_close(st);
}

/* A binary that lacks a migration the database has refuses it, even when the
** unknown one is below the binary's newest. */
static void test_unknown_migration_refused(void **state)
{
  fat_store *st = NULL;
  fat_err err;

  (void)state;
  remove_db();
  assert_int_equal(fat_store_open_with(db_path, mig_1_3, &st, &err), FAT_OK);
  fat_store_close(st);
  st = NULL;
  assert_int_equal(fat_store_open_with(db_path, mig_1_2, &st, &err), FAT_ESTATE);
  assert_null(st);
  assert_non_null(strstr(err.msg, "migração 003"));
  assert_non_null(strstr(err.msg, "mais novo"));

  /* the real schema: a migration number from the future */
  remove_db();
  assert_int_equal(fat_store_create(db_path, &st, &err), FAT_OK);
  assert_int_equal(fat_store_exec(st, "INSERT INTO esquema_migracao (numero, nome) "
                                      "VALUES (999, '999_futuro.sql')",
                                  &err),
                   FAT_OK);
  fat_store_close(st);
  st = NULL;
  assert_int_equal(fat_store_open(db_path, &st, &err), FAT_ESTATE);
  assert_null(st);
  assert_non_null(strstr(err.msg, "999"));
}

/* All missing migrations go in one transaction: when the second fails, the
** first is not applied either, and the error names the failing file. */
static void test_migrations_one_transaction(void **state)
{
  static const fat_migration broken[] = {
    {1, "001_a.sql", "CREATE TABLE a (x INTEGER);"},
    {2, "002_b.sql", "CREATE TABLE b (x INTEGER);"},
    {3, "003_c.sql", "CREATE TABLE c (x INTEGER); INSERT INTO nao_existe VALUES (1);"},
    {0, NULL, NULL},
  };
  static const fat_migration only_1[] = {
    {1, "001_a.sql", "CREATE TABLE a (x INTEGER);"},
    {0, NULL, NULL},
  };
  fat_store *st = NULL;
  fat_err err;

  (void)state;
  remove_db();
  assert_int_equal(fat_store_open_with(db_path, only_1, &st, &err), FAT_OK);
  fat_store_close(st);
  st = NULL;
  assert_int_equal(fat_store_open_with(db_path, broken, &st, &err), FAT_EDB);
  assert_null(st);
  assert_non_null(strstr(err.msg, "003_c.sql"));
  assert_int_equal(fat_store_open_with(db_path, only_1, &st, &err), FAT_OK);
  assert_int_equal(count_rows(st, "SELECT count(*) FROM sqlite_master WHERE name IN ('b', 'c')"),
                   0);
  assert_int_equal(count_rows(st, "SELECT count(*) FROM esquema_migracao"), 1);
  assert_int_equal(fat_store_schema_version(st), 1);
  fat_store_close(st);
}

/* A database from before esquema_migracao (only PRAGMA user_version) counts
** as having everything up to its user_version and gets the rest. */
static void test_legacy_user_version(void **state)
{
  fat_store *st = NULL;
  fat_err err;

  (void)state;
  remove_db();
  assert_int_equal(fat_store_open_with(db_path, mig_1_2, &st, &err), FAT_OK);
  assert_int_equal(fat_store_exec(st, "DROP TABLE esquema_migracao", &err), FAT_OK);
  fat_store_close(st);
  assert_int_equal(fat_store_open_with(db_path, mig_1_2_3, &st, &err), FAT_OK);
  assert_int_equal(count_rows(st, "SELECT count(*) FROM esquema_migracao"), 3);
  assert_int_equal(count_rows(st, "SELECT count(*) FROM a WHERE x = 2"), 1); /* 002 not rerun */
  assert_int_equal(count_rows(st, "SELECT count(*) FROM sqlite_master WHERE name = 'c'"), 1);
  fat_store_close(st);

  /* and a legacy database newer than the binary is refused */
  remove_db();
  assert_int_equal(fat_store_open_with(db_path, mig_1_2, &st, &err), FAT_OK);
  assert_int_equal(fat_store_exec(st, "DROP TABLE esquema_migracao; PRAGMA user_version = 7",
                                  &err),
                   FAT_OK);
  fat_store_close(st);
  st = NULL;
  assert_int_equal(fat_store_open_with(db_path, mig_1_2_3, &st, &err), FAT_ESTATE);
  assert_null(st);
  assert_non_null(strstr(err.msg, "migração 007"));
}

/* ---- the statement cache ---- */

static fat_store *open_numbers(int n)
{
  fat_store *st = NULL;
  fat_err err;
  int i;
  char sql[64];

  remove_db();
  assert_int_equal(fat_store_create(db_path, &st, &err), FAT_OK);
  assert_int_equal(fat_store_exec(st, "CREATE TABLE t (n INTEGER, s TEXT)", &err), FAT_OK);
  for (i = 1; i <= n; i++) {
    snprintf(sql, sizeof sql, "INSERT INTO t (n) VALUES (%d)", i);
    assert_int_equal(fat_store_exec(st, sql, &err), FAT_OK);
  }
  return st;
}

/* The cache compares the SQL text, not its address: a buffer reused for
** another statement gets that statement, and equal texts share one. */
static void test_cache_keys_by_text(void **state)
{
  fat_store *st = open_numbers(3);
  fat_stmt *s, *s2;
  fat_err err;
  char buf[64];
  char *copy;

  (void)state;
  snprintf(buf, sizeof buf, "SELECT count(*) FROM t");
  assert_int_equal(fat_store_prepare(st, buf, &s, &err), FAT_OK);
  assert_int_equal(fat_stmt_step(s), FAT_ROW);
  assert_int_equal(fat_col_int(s, 0), 3);
  fat_stmt_reset(s);
  snprintf(buf, sizeof buf, "SELECT max(n) * 10 FROM t");
  assert_int_equal(fat_store_prepare(st, buf, &s2, &err), FAT_OK);
  assert_ptr_not_equal(s, s2);
  assert_int_equal(fat_stmt_step(s2), FAT_ROW);
  assert_int_equal(fat_col_int(s2, 0), 30); /* not the count of the old text */
  fat_stmt_reset(s2);
  copy = fat_strdup("SELECT count(*) FROM t");
  assert_non_null(copy);
  assert_int_equal(fat_store_prepare(st, copy, &s2, &err), FAT_OK);
  assert_ptr_equal(s, s2); /* same text, another address: one statement */
  fat_free(copy);
  assert_int_equal(fat_store_cache_count(st), 2);
  fat_store_close(st);
}

/* Asking for a statement that an outer loop is still stepping: an assertion
** in debug builds, FAT_ESTATE in release builds, and never a silent reset of
** the outer loop. Runs in a child so the debug assertion can be seen. */
static void test_busy_statement_refused(void **state)
{
  static const char sql[] = "SELECT n FROM t ORDER BY n";
  pid_t pid;
  int status;

  (void)state;
  fflush(NULL);
  pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    fat_store *st = open_numbers(3);
    fat_stmt *outer, *inner = NULL;
    fat_err err;
    int code = 0;

    if (fat_store_prepare(st, sql, &outer, &err) != FAT_OK || fat_stmt_step(outer) != FAT_ROW ||
        fat_col_int(outer, 0) != 1)
      _exit(10);
    if (fat_store_prepare(st, sql, &inner, &err) != FAT_ESTATE || inner != NULL)
      code = 11;
    else if (strstr(err.msg, "em uso") == NULL)
      code = 12;
    /* the outer loop goes on where it was */
    else if (fat_stmt_step(outer) != FAT_ROW || fat_col_int(outer, 0) != 2)
      code = 13;
    fat_stmt_reset(outer);
    /* once reset, it is handed out again */
    if (code == 0 && fat_store_prepare(st, sql, &inner, &err) != FAT_OK)
      code = 14;
    fat_store_close(st);
    _exit(code);
  }
  assert_int_equal(waitpid(pid, &status, 0), pid);
#ifdef NDEBUG
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
#else
  assert_true(WIFSIGNALED(status));
  assert_int_equal(WTERMSIG(status), SIGABRT);
#endif
}

/* A full cache drops the least recently used idle statement, never one that
** is being stepped; with every statement busy it grows instead. */
static void test_cache_never_evicts_busy(void **state)
{
  static const char q_loop[] = "SELECT n FROM t ORDER BY n";
  static const char q_a[] = "SELECT 1";
  static const char q_b[] = "SELECT 2";
  static const char q_c[] = "SELECT 3";
  fat_store *st = open_numbers(3);
  fat_stmt *loop, *s;
  fat_err err;
  int seen = 0, r;

  (void)state;
  fat_store_set_cache_size(st, 2);
  assert_int_equal(fat_store_prepare(st, q_loop, &loop, &err), FAT_OK);
  for (;;) {
    r = fat_stmt_step(loop);
    if (r != FAT_ROW)
      break;
    seen = seen * 10 + fat_col_int(loop, 0);
    /* three more statements through a two-slot cache while the loop runs */
    assert_int_equal(fat_store_prepare(st, q_a, &s, &err), FAT_OK);
    assert_int_equal(fat_stmt_step(s), FAT_ROW);
    fat_stmt_reset(s);
    assert_int_equal(fat_store_prepare(st, q_b, &s, &err), FAT_OK);
    assert_int_equal(fat_stmt_step(s), FAT_ROW);
    fat_stmt_reset(s);
    assert_int_equal(fat_store_prepare(st, q_c, &s, &err), FAT_OK);
    assert_int_equal(fat_stmt_step(s), FAT_ROW);
    assert_true(fat_store_cached(st, q_loop));
    assert_true(fat_store_cache_count(st) <= 2);
    fat_stmt_reset(s);
  }
  assert_int_equal(r, FAT_DONE);
  assert_int_equal(seen, 123); /* every row once, in order */

  /* LRU: after loop, a, loop again, the next one drops a */
  fat_store_set_cache_size(st, 2);
  assert_int_equal(fat_store_prepare(st, q_a, &s, &err), FAT_OK);
  assert_int_equal(fat_store_prepare(st, q_loop, &s, &err), FAT_OK);
  assert_int_equal(fat_store_prepare(st, q_b, &s, &err), FAT_OK);
  assert_true(fat_store_cached(st, q_loop));
  assert_true(fat_store_cached(st, q_b));
  assert_false(fat_store_cached(st, q_a));

  /* every statement busy: the cache grows past its capacity */
  fat_store_set_cache_size(st, 1);
  assert_int_equal(fat_store_prepare(st, q_loop, &loop, &err), FAT_OK);
  assert_int_equal(fat_stmt_step(loop), FAT_ROW);
  assert_int_equal(fat_store_prepare(st, q_a, &s, &err), FAT_OK);
  assert_int_equal(fat_stmt_step(s), FAT_ROW);
  assert_int_equal(fat_store_cache_count(st), 2);
  assert_int_equal(fat_stmt_step(loop), FAT_ROW);
  assert_int_equal(fat_col_int(loop, 0), 2);
  fat_stmt_reset(loop);
  fat_stmt_reset(s);
  fat_store_close(st);
}

/* The capacity is a count of statements. */
static void test_cache_sized_by_count(void **state)
{
  fat_store *st = open_numbers(1);
  fat_stmt *s;
  fat_err err;
  char sql[64];
  int i;

  (void)state;
  fat_store_set_cache_size(st, 3);
  for (i = 0; i < 10; i++) {
    snprintf(sql, sizeof sql, "SELECT n + %d FROM t", i);
    assert_int_equal(fat_store_prepare(st, sql, &s, &err), FAT_OK);
    assert_int_equal(fat_stmt_step(s), FAT_ROW);
    assert_int_equal(fat_col_int(s, 0), 1 + i);
    fat_stmt_reset(s);
    assert_true(fat_store_cache_count(st) <= 3);
  }
  assert_int_equal(fat_store_cache_count(st), 3);
  fat_store_set_cache_size(st, 1);
  assert_int_equal(fat_store_cache_count(st), 1);
  fat_store_set_cache_size(st, FAT_STORE_CACHE_DEFAULT);
  for (i = 0; i < 40; i++) {
    snprintf(sql, sizeof sql, "SELECT n - %d FROM t", i);
    assert_int_equal(fat_store_prepare(st, sql, &s, &err), FAT_OK);
  }
  assert_int_equal(fat_store_cache_count(st), 41);
  fat_store_close(st);
}

/* ---- binds ---- */

/* A bind that fails (here: a text longer than the connection allows, as an
** out-of-memory bind would) makes the step fail: nothing is written, where
** SQLite alone would have written NULL. The error sticks until the
** statement is prepared again. */
static void test_failed_bind_writes_nothing(void **state)
{
  static const char ins[] = "INSERT INTO t (n, s) VALUES (?1, ?2)";
  fat_store *st = open_numbers(0);
  fat_stmt *s;
  fat_err err;
  char big[200];

  (void)state;
  memset(big, 'x', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  sqlite3_limit(fat_store_db(st), SQLITE_LIMIT_LENGTH, 100);
  assert_int_equal(fat_store_prepare(st, ins, &s, &err), FAT_OK);
  fat_bind_int(s, 1, 7);
  fat_bind_text(s, 2, big);
  assert_int_equal(fat_stmt_step(s), FAT_STEP_ERROR);
  assert_int_equal(fat_store_dberr(st, &err, "gravar"), FAT_EDB);
  assert_non_null(strstr(err.msg, "valor 2"));
  assert_int_equal(err.sys, SQLITE_TOOBIG);
  fat_stmt_reset(s);
  /* a later good bind does not clear it: the caller must prepare again */
  fat_bind_text(s, 2, "ok");
  assert_int_equal(fat_store_step_done(st, s, "gravar", &err), FAT_EDB);
  assert_int_equal(count_rows(st, "SELECT count(*) FROM t"), 0);

  assert_int_equal(fat_store_prepare(st, ins, &s, &err), FAT_OK);
  fat_bind_int(s, 1, 7);
  fat_bind_text(s, 2, "ok");
  assert_int_equal(fat_store_step_done(st, s, "gravar", &err), FAT_OK);
  assert_int_equal(count_rows(st, "SELECT count(*) FROM t WHERE n = 7 AND s = 'ok'"), 1);

  /* a parameter that does not exist, and a blob */
  assert_int_equal(fat_store_prepare(st, ins, &s, &err), FAT_OK);
  fat_bind_int(s, 3, 1);
  assert_int_equal(fat_store_step_done(st, s, "gravar", &err), FAT_EDB);
  assert_non_null(strstr(err.msg, "valor 3"));
  assert_int_equal(fat_store_prepare(st, ins, &s, &err), FAT_OK);
  fat_bind_int(s, 1, 8);
  fat_bind_blob(s, 2, big, sizeof big);
  assert_int_equal(fat_store_step_done(st, s, "gravar", &err), FAT_EDB);
  assert_int_equal(count_rows(st, "SELECT count(*) FROM t"), 1);
  fat_store_close(st);
}

/* The case: SQLite runs out of memory copying a bound text. The
** bind fails with SQLITE_NOMEM; the step then fails with FAT_ENOMEM and
** the row is not written with a NULL in place of the text. */
static void test_oom_bind_writes_nothing(void **state)
{
  static const char ins[] = "INSERT INTO t (n, s) VALUES (?1, ?2)";
  fat_store *st = open_numbers(0);
  fat_stmt *s;
  fat_err err;
  size_t big_len = (size_t)8 << 20;
  char *big = fat_malloc(big_len + 1);

  (void)state;
  assert_non_null(big);
  memset(big, 'x', big_len);
  big[big_len] = '\0';
  assert_int_equal(fat_store_prepare(st, ins, &s, &err), FAT_OK);
  sqlite3_hard_heap_limit64(sqlite3_memory_used() + ((sqlite3_int64)1 << 20));
  fat_bind_int(s, 1, 1);
  fat_bind_text(s, 2, big);
  sqlite3_hard_heap_limit64(0);
  assert_int_equal(fat_store_step_done(st, s, "gravar", &err), FAT_ENOMEM);
  assert_non_null(strstr(err.msg, "memória insuficiente"));
  assert_int_equal(count_rows(st, "SELECT count(*) FROM t"), 0);
  fat_free(big);
  fat_store_close(st);
}

/* ---- transactions and the rest ---- */

static void test_transaction_rollback(void **state)
{
  fat_store *st = NULL;
  fat_err err;

  (void)state;
  remove_db();
  assert_int_equal(fat_store_create(db_path, &st, &err), FAT_OK);
  assert_int_equal(fat_store_begin(st, &err), FAT_OK);
  assert_int_equal(fat_store_audit(st, "teste.a", "x:1", NULL, &err), FAT_OK);
  assert_int_equal(fat_store_begin(st, &err), FAT_OK); /* nested */
  assert_int_equal(fat_store_audit(st, "teste.b", NULL, "d", &err), FAT_OK);
  fat_store_rollback(st);                               /* inner failure */
  assert_int_equal(fat_store_commit(st, &err), FAT_ESTATE); /* outer cannot commit */
  assert_int_equal(count_rows(st, "SELECT count(*) FROM auditoria"), 0);

  assert_int_equal(fat_store_begin(st, &err), FAT_OK);
  assert_int_equal(fat_store_audit(st, "teste.c", NULL, NULL, &err), FAT_OK);
  assert_int_equal(fat_store_commit(st, &err), FAT_OK);
  assert_int_equal(count_rows(st, "SELECT count(*) FROM auditoria WHERE usuario = 'cli'"), 1);
  fat_store_close(st);
}

static void test_foreign_keys_on(void **state)
{
  fat_store *st = NULL;
  fat_err err;

  (void)state;
  remove_db();
  assert_int_equal(fat_store_create(db_path, &st, &err), FAT_OK);
  assert_int_equal(count_rows(st, "PRAGMA foreign_keys"), 1);
  /* an item pointing at no guia is refused */
  assert_int_equal(fat_store_exec(st,
                                  "INSERT INTO item (guia_id, sequencial, codigo_tabela, codigo, "
                                  "quantidade_e4) VALUES (999, 1, '22', '10101012', 10000)",
                                  &err),
                   FAT_EDB);
  fat_store_close(st);
}

static void test_open_oom(void **state)
{
  fat_store *st = NULL;
  fat_err err;
  long n;
  fat_rc rc = FAT_ENOMEM;

  (void)state;
  /* every allocation of open (the store, the migration list, the cache) may
  ** fail: a clean FAT_ENOMEM each time, then success */
  for (n = 0; rc == FAT_ENOMEM && n < 1000; n++) {
    remove_db();
    fat_test_fail_alloc_after(n);
    rc = fat_store_create(db_path, &st, &err);
    fat_test_fail_alloc_after(-1);
    if (rc == FAT_ENOMEM)
      assert_null(st);
  }
  assert_int_equal(rc, FAT_OK);
  assert_true(n > 1);
  fat_store_close(st);
  remove_db();
}

/* A mistyped path is not a new, empty database: only create makes one. */
static void test_open_missing_file_refused_not_created(void **state)
{
  fat_store *st = NULL;
  fat_err err;

  (void)state;
  remove_db();
  assert_int_equal(fat_store_open(db_path, &st, &err), FAT_ENOTFOUND);
  assert_null(st);
  assert_non_null(strstr(err.msg, "faturo init"));
  assert_non_null(strstr(err.msg, db_path));
  assert_int_equal(access(db_path, F_OK), -1);
}

/* The database holds CPF, CID and names: a new file is 0600 whatever the
** umask. */
static void test_create_makes_file_0600(void **state)
{
  fat_store *st = NULL;
  fat_err err;
  struct stat sb;
  mode_t old = umask(022);

  (void)state;
  remove_db();
  assert_int_equal(fat_store_create(db_path, &st, &err), FAT_OK);
  umask(old);
  assert_int_equal(stat(db_path, &sb), 0);
  assert_int_equal(sb.st_mode & 0777, 0600);
  assert_int_equal(stat("test_store.db-wal", &sb), 0);
  assert_int_equal(sb.st_mode & 0777, 0600);
  fat_store_close(st);
  remove_db();
}

/* Another connection holding the write lock gives FAT_EBUSY with a message
** that says to try again, not a generic database error. */
static void test_locked_database_is_busy_not_db_error(void **state)
{
  fat_store *a = NULL, *b = NULL;
  fat_err err;

  (void)state;
  remove_db();
  assert_int_equal(fat_store_create(db_path, &a, &err), FAT_OK);
  assert_int_equal(fat_store_open(db_path, &b, &err), FAT_OK);
  fat_store_set_busy_timeout(b, 50);
  assert_int_equal(fat_store_begin(a, &err), FAT_OK);
  assert_int_equal(fat_store_begin(b, &err), FAT_EBUSY);
  assert_int_equal(err.rc, FAT_EBUSY);
  assert_non_null(strstr(err.msg, "ocupado"));
  assert_non_null(strstr(err.msg, "tente de novo"));
  assert_int_equal(fat_store_audit(b, "teste.b", NULL, NULL, &err), FAT_EBUSY);
  assert_true(fat_rc_is_system(FAT_EBUSY));
  fat_store_rollback(a);
  assert_int_equal(fat_store_begin(b, &err), FAT_OK);
  fat_store_rollback(b);
  fat_store_close(b);
  fat_store_close(a);
  remove_db();
}

/* fat_store_checkpoint: while another connection reads, the WAL keeps the
** frames that reader may still need; once it is gone, a checkpoint copies
** them all (the next write starts the WAL over). In a transaction it does
** nothing and says so with FAT_OK. */
static void test_checkpoint_after_readers_copies_the_whole_wal(void **state)
{
  fat_store *st = NULL, *rd = NULL;
  sqlite3_stmt *q;
  fat_err err;
  int i, log = -1, ck = -2;

  (void)state;
  remove_db();
  assert_int_equal(fat_store_create(db_path, &st, &err), FAT_OK);
  assert_int_equal(fat_store_exec(st, "CREATE TABLE ck_t (id INTEGER PRIMARY KEY, b BLOB)", &err),
                   FAT_OK);
  assert_int_equal(fat_store_exec(st, "INSERT INTO ck_t (b) VALUES (NULL)", &err), FAT_OK);
  assert_int_equal(fat_store_open(db_path, &rd, &err), FAT_OK);
  /* the reader's snapshot, held open on a row */
  assert_int_equal(sqlite3_prepare_v2(fat_store_db(rd), "SELECT id FROM ck_t", -1, &q, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_step(q), SQLITE_ROW);
  for (i = 0; i < 20; i++)
    assert_int_equal(fat_store_exec(st, "INSERT INTO ck_t (b) VALUES (zeroblob(20000))", &err),
                     FAT_OK);
  assert_int_equal(fat_store_checkpoint(st, &err), FAT_OK);
  assert_int_equal(sqlite3_wal_checkpoint_v2(fat_store_db(st), NULL, SQLITE_CHECKPOINT_PASSIVE,
                                             &log, &ck),
                   SQLITE_OK);
  assert_true(ck < log); /* the reader keeps the WAL's newer frames from the database */
  sqlite3_finalize(q);
  fat_store_close(rd);
  assert_int_equal(fat_store_begin(st, &err), FAT_OK);
  assert_int_equal(fat_store_checkpoint(st, &err), FAT_OK); /* a no-op in a transaction */
  assert_int_equal(fat_store_commit(st, &err), FAT_OK);
  assert_int_equal(fat_store_checkpoint(st, &err), FAT_OK);
  assert_int_equal(sqlite3_wal_checkpoint_v2(fat_store_db(st), NULL, SQLITE_CHECKPOINT_PASSIVE,
                                             &log, &ck),
                   SQLITE_OK);
  assert_true(log > 0);
  assert_int_equal(ck, log); /* no reader: everything copied */
  fat_store_close(st);
  remove_db();
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_open_migrates),
    cmocka_unit_test(test_checkpoint_after_readers_copies_the_whole_wal),
    cmocka_unit_test(test_lower_missing_migration_applied),
    cmocka_unit_test(test_unknown_migration_refused),
    cmocka_unit_test(test_migrations_one_transaction),
    cmocka_unit_test(test_legacy_user_version),
    cmocka_unit_test(test_cache_keys_by_text),
    cmocka_unit_test(test_busy_statement_refused),
    cmocka_unit_test(test_cache_never_evicts_busy),
    cmocka_unit_test(test_cache_sized_by_count),
    cmocka_unit_test(test_failed_bind_writes_nothing),
    cmocka_unit_test(test_oom_bind_writes_nothing),
    cmocka_unit_test(test_transaction_rollback),
    cmocka_unit_test(test_foreign_keys_on),
    cmocka_unit_test(test_dia_local_sql_is_the_clinic_day_of_a_utc_instant),
    cmocka_unit_test(test_open_oom),
    cmocka_unit_test(test_open_missing_file_refused_not_created),
    cmocka_unit_test(test_create_makes_file_0600),
    cmocka_unit_test(test_locked_database_is_busy_not_db_error),
  };
  /* sqlite3_hard_heap_limit64 (test_oom_bind_writes_nothing) needs SQLite's
  ** memory statistics, which the store turns off for speed (fat_store.c,
  ** store_tune_sqlite): keep them on in this program, set before SQLite
  ** starts, so the store's later setting is refused */
  if (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 1) != SQLITE_OK || sqlite3_initialize() != SQLITE_OK)
    return 1;
  return cmocka_run_group_tests(tests, NULL, NULL);
}
