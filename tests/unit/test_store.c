/* test_store.c: store open, migrations, schema guard, transactions, audit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fat_mem.h"
#include "fat_store_int.h"

static const char *db_path = "test_store.db";

static void remove_db(void)
{
  unlink(db_path);
  unlink("test_store.db-wal");
  unlink("test_store.db-shm");
}

static void test_open_migrates(void **state)
{
  fat_store *st = NULL;
  fat_err err;

  (void)state;
  remove_db();
  assert_int_equal(fat_store_create(db_path, &st, &err), FAT_OK);
  assert_int_equal(fat_store_schema_version(st), fat_store_schema_latest());
  assert_true(fat_store_schema_latest() >= 1);
  fat_store_close(st);
  /* reopening an up-to-date database is a no-op */
  assert_int_equal(fat_store_open(db_path, &st, &err), FAT_OK);
  fat_store_close(st);
}

static void test_newer_schema_refused(void **state)
{
  fat_store *st = NULL;
  fat_err err;
  char sql[64];

  (void)state;
  remove_db();
  assert_int_equal(fat_store_create(db_path, &st, &err), FAT_OK);
  snprintf(sql, sizeof sql, "PRAGMA user_version = %d", fat_store_schema_latest() + 1);
  assert_int_equal(fat_store_exec(st, sql, &err), FAT_OK);
  fat_store_close(st);
  assert_int_equal(fat_store_open(db_path, &st, &err), FAT_ESTATE);
  assert_null(st);
  assert_non_null(strstr(err.msg, "mais novo"));
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
  remove_db();
}

static void test_open_oom(void **state)
{
  fat_store *st = NULL;
  fat_err err;

  (void)state;
  remove_db();
  fat_test_fail_alloc_after(0);
  assert_int_equal(fat_store_create(db_path, &st, &err), FAT_ENOMEM);
  fat_test_fail_alloc_after(-1);
  assert_null(st);
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

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_open_migrates),
    cmocka_unit_test(test_newer_schema_refused),
    cmocka_unit_test(test_transaction_rollback),
    cmocka_unit_test(test_foreign_keys_on),
    cmocka_unit_test(test_open_oom),
    cmocka_unit_test(test_open_missing_file_refused_not_created),
    cmocka_unit_test(test_create_makes_file_0600),
    cmocka_unit_test(test_locked_database_is_busy_not_db_error),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
