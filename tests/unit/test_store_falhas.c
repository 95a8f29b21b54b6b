/* test_store_falhas.c: what the store says when the disk is full or the
** database cannot be written, using SQLite's own limits (PRAGMA
** max_page_count makes a write fail with SQLITE_FULL, PRAGMA query_only with
** SQLITE_READONLY): a pt-BR message naming the database file and saying that
** nothing was saved, and the data committed before is all there. The same on
** a real full disk and a read-only file: tests/fault/disco_cheio.sh and
** somente_leitura.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fat_store_int.h"
#include "fat_store_sqlite.h"

static const char *db_path = "test_store_falhas.db";

static void remove_db(void)
{
  unlink(db_path);
  unlink("test_store_falhas.db-wal");
  unlink("test_store_falhas.db-shm");
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

static const char integrity_ok[] = "SELECT count(*) FROM pragma_integrity_check WHERE "
                                   "integrity_check = 'ok'";

/* a store with one committed row in a scratch table */
static fat_store *open_with_row(void)
{
  fat_store *st = NULL;
  fat_err err;

  remove_db();
  assert_int_equal(fat_store_create(db_path, &st, &err), FAT_OK);
  assert_int_equal(fat_store_exec(st, "CREATE TABLE t (x BLOB)", &err), FAT_OK);
  assert_int_equal(fat_store_begin(st, &err), FAT_OK);
  assert_int_equal(fat_store_exec(st, "INSERT INTO t VALUES (zeroblob(100))", &err), FAT_OK);
  assert_int_equal(fat_store_commit(st, &err), FAT_OK);
  return st;
}

static const char big_insert[] =
    "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 200) "
    "INSERT INTO t SELECT randomblob(4000) FROM c";

static void test_disco_cheio_diz_o_que_houve_e_nao_perde_nada(void **state)
{
  fat_store *st = open_with_row();
  fat_err err;
  char sql[96];

  (void)state;
  snprintf(sql, sizeof sql, "PRAGMA max_page_count = %d",
           count_rows(st, "SELECT page_count FROM pragma_page_count") + 2);
  assert_int_equal(fat_store_exec(st, sql, &err), FAT_OK);
  assert_int_equal(fat_store_begin(st, &err), FAT_OK);
  assert_int_equal(fat_store_exec(st, big_insert, &err), FAT_EDB);
  fat_store_rollback(st);
  assert_non_null(strstr(err.msg, "disco cheio"));
  assert_non_null(strstr(err.msg, "nada foi gravado"));
  assert_non_null(strstr(err.msg, db_path));
  assert_null(strstr(err.msg, "full")); /* not SQLite's English */
  assert_int_equal(err.sys & 0xff, SQLITE_FULL);
  assert_int_equal(fat_store_falha_de(&err), FAT_FALHA_DISCO_CHEIO);
  fat_err_prefix(&err, "ao gravar: "); /* a caller's context keeps the class */
  assert_int_equal(fat_store_falha_de(&err), FAT_FALHA_DISCO_CHEIO);
  assert_int_equal(count_rows(st, "SELECT count(*) FROM t"), 1);
  assert_int_equal(count_rows(st, integrity_ok), 1);
  fat_store_close(st);
  remove_db();
}

static void test_disco_cheio_no_commit_desfaz_a_transacao(void **state)
{
  fat_store *st = open_with_row();
  fat_err err;
  char sql[96];

  (void)state;
  /* room for the statement, none for the commit: the write goes to the WAL
  ** only at commit when the cache holds it, so limit the pages first */
  snprintf(sql, sizeof sql, "PRAGMA max_page_count = %d",
           count_rows(st, "SELECT page_count FROM pragma_page_count"));
  assert_int_equal(fat_store_exec(st, sql, &err), FAT_OK);
  assert_int_equal(fat_store_begin(st, &err), FAT_OK);
  if (fat_store_exec(st, "INSERT INTO t VALUES (randomblob(20000))", &err) == FAT_OK)
    assert_int_equal(fat_store_commit(st, &err), FAT_EDB);
  else
    fat_store_rollback(st);
  assert_non_null(strstr(err.msg, "disco cheio"));
  assert_int_equal(fat_store_falha_de(&err), FAT_FALHA_DISCO_CHEIO);
  assert_int_equal(count_rows(st, "SELECT count(*) FROM t"), 1);
  /* the store is usable again once there is room */
  assert_int_equal(fat_store_exec(st, "PRAGMA max_page_count = 1073741823", &err), FAT_OK);
  assert_int_equal(fat_store_begin(st, &err), FAT_OK);
  assert_int_equal(fat_store_exec(st, "INSERT INTO t VALUES (randomblob(20000))", &err), FAT_OK);
  assert_int_equal(fat_store_commit(st, &err), FAT_OK);
  assert_int_equal(count_rows(st, "SELECT count(*) FROM t"), 2);
  fat_store_close(st);
  remove_db();
}

static void test_somente_leitura_diz_o_que_houve_e_nao_muda_nada(void **state)
{
  fat_store *st = open_with_row();
  fat_err err;

  (void)state;
  assert_int_equal(fat_store_exec(st, "PRAGMA query_only = 1", &err), FAT_OK);
  /* a write transaction is refused as it begins */
  assert_int_equal(fat_store_begin(st, &err), FAT_EDB);
  assert_non_null(strstr(err.msg, "começar a gravação"));
  assert_int_equal(fat_store_falha_de(&err), FAT_FALHA_SOMENTE_LEITURA);
  assert_non_null(strstr(err.msg, "somente leitura"));
  assert_non_null(strstr(err.msg, "nada foi gravado"));
  /* and so is a write outside one */
  assert_int_equal(fat_store_exec(st, "INSERT INTO t VALUES (zeroblob(10))", &err), FAT_EDB);
  assert_non_null(strstr(err.msg, "somente leitura"));
  assert_non_null(strstr(err.msg, "nada foi gravado"));
  assert_non_null(strstr(err.msg, db_path));
  assert_null(strstr(err.msg, "readonly"));
  assert_int_equal(fat_store_falha_de(&err), FAT_FALHA_SOMENTE_LEITURA);
  /* an audit record (every write verb makes one) is refused the same way */
  assert_int_equal(fat_store_audit(st, "teste", NULL, NULL, &err), FAT_EDB);
  assert_non_null(strstr(err.msg, "somente leitura"));
  assert_int_equal(fat_store_exec(st, "PRAGMA query_only = 0", &err), FAT_OK);
  assert_int_equal(count_rows(st, "SELECT count(*) FROM t"), 1);
  /* an error that is not the disk's is not classed as one */
  assert_int_equal(fat_store_exec(st, "SELECT * FROM nao_existe", &err), FAT_EDB);
  assert_int_equal(fat_store_falha_de(&err), FAT_FALHA_OUTRA);
  fat_err_set(&err, FAT_EINVAL, "x");
  assert_int_equal(fat_store_falha_de(&err), FAT_FALHA_OUTRA);
  fat_store_close(st);
  remove_db();
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_disco_cheio_diz_o_que_houve_e_nao_perde_nada),
      cmocka_unit_test(test_disco_cheio_no_commit_desfaz_a_transacao),
      cmocka_unit_test(test_somente_leitura_diz_o_que_houve_e_nao_muda_nada),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
