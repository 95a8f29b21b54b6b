/* test_lote_xml.c: a lote's XML in table lote_xml (migration 081,
** fat_lote_xml.h): the migration moves the XML out of the lote row, the two
** functions store (compressed) and read it, and a sent lote's XML stays
** immutable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fat_lote_xml.h"
#include "fat_mem.h"
#include "fat_store_int.h"

static const char *db_path = "test_lote_xml.db";

static void remove_db(void)
{
  unlink(db_path);
  unlink("test_lote_xml.db-wal");
  unlink("test_lote_xml.db-shm");
}

static int64_t q_int(fat_store *st, const char *sql)
{
  fat_stmt *s;
  fat_err err;
  int64_t v = -1;

  assert_int_equal(fat_store_prepare(st, sql, &s, &err), FAT_OK);
  if (fat_stmt_step(s) == FAT_ROW)
    v = fat_col_int64(s, 0);
  fat_stmt_reset(s);
  return v;
}

static void exec_ok(fat_store *st, const char *sql)
{
  fat_err err;

  if (fat_store_exec(st, sql, &err) != FAT_OK)
    fail_msg("%s: %s", sql, err.msg);
}

static const char seed[] =
  "INSERT INTO prestador (id, nome, cnpj) VALUES (1, 'Clínica', '11222333000181');"
  "INSERT INTO operadora (id, registro_ans, nome, script) VALUES (1, '123456', 'Op', 'op');";

/* A database at migration 080 with lotes keeping their XML in the row gets it
** moved to lote_xml, byte for byte, and the lote row loses the column. */
static void test_migracao_081_move_o_xml_para_lote_xml(void **state)
{
  static fat_migration antes[256];
  fat_store *st = NULL;
  fat_err err;
  char *xml = NULL;
  size_t len = 0, i, n = 0;

  (void)state;
  remove_db();
  for (i = 0; fat_migrations[i].version != 0; i++)
    if (fat_migrations[i].version < 81) {
      assert_true(n + 1 < sizeof antes / sizeof antes[0]);
      antes[n++] = fat_migrations[i];
    }
  antes[n].version = 0;
  assert_int_equal(fat_store_open_with(db_path, antes, &st, &err), FAT_OK);
  exec_ok(st, seed);
  exec_ok(st, "INSERT INTO lote (id, operadora_id, prestador_id, numero, tipo_guia, status,"
              " hash, xml) VALUES (1, 1, 1, 1, 'SP-SADT', 'fechado', 'h1', CAST('<a>1</a>' AS"
              " BLOB)), (2, 1, 1, 2, 'SP-SADT', 'aberto', NULL, NULL),"
              " (3, 1, 1, 3, 'SP-SADT', 'fechado', 'h3', CAST('<b>3</b>' AS BLOB));"
              "UPDATE lote SET status = 'enviado' WHERE id = 3");
  fat_store_close(st);

  assert_int_equal(fat_store_open(db_path, &st, &err), FAT_OK);
  assert_int_equal(q_int(st, "SELECT count(*) FROM pragma_table_info('lote') WHERE name = 'xml'"),
                   0);
  assert_int_equal(q_int(st, "SELECT count(*) FROM lote_xml"), 2);
  assert_int_equal(fat_lote_xml_ler(st, 1, &xml, &len, &err), FAT_OK);
  assert_int_equal(len, 8);
  assert_string_equal(xml, "<a>1</a>");
  fat_free(xml);
  assert_int_equal(fat_lote_xml_ler(st, 3, &xml, &len, &err), FAT_OK);
  assert_string_equal(xml, "<b>3</b>");
  fat_free(xml);
  assert_int_equal(fat_lote_xml_ler(st, 2, &xml, &len, &err), FAT_OK);
  assert_null(xml);
  assert_int_equal(len, 0);
  /* the sent lote's XML is still immutable */
  assert_int_not_equal(fat_lote_xml_gravar(st, 3, "<c/>", 4, &err), FAT_OK);
  assert_non_null(strstr(err.msg, "enviado"));
  fat_store_close(st);
  remove_db();
}

/* Store, replace, read and remove; an open or closed lote's XML may change,
** a sent one's only through a recorded rewrite from its current hash. */
static void test_gravar_ler_e_imutavel_depois_de_enviado(void **state)
{
  fat_store *st = NULL;
  fat_err err;
  char *xml = NULL;
  size_t len = 0;

  (void)state;
  remove_db();
  assert_int_equal(fat_store_create(db_path, &st, &err), FAT_OK);
  exec_ok(st, seed);
  exec_ok(st, "INSERT INTO lote (id, operadora_id, prestador_id, numero, tipo_guia, status, hash)"
              " VALUES (1, 1, 1, 1, 'SP-SADT', 'fechado', 'h1')");
  assert_int_equal(fat_lote_xml_gravar(st, 1, "<x>um</x>", 9, &err), FAT_OK);
  assert_int_equal(fat_lote_xml_gravar(st, 1, "<x>dois</x>", 11, &err), FAT_OK);
  assert_int_equal(fat_lote_xml_ler(st, 1, &xml, &len, &err), FAT_OK);
  assert_int_equal(len, 11);
  assert_string_equal(xml, "<x>dois</x>");
  fat_free(xml);
  assert_int_equal(fat_lote_xml_gravar(st, 1, NULL, 0, &err), FAT_OK);
  assert_int_equal(q_int(st, "SELECT count(*) FROM lote_xml"), 0);
  assert_int_equal(fat_lote_xml_gravar(st, 1, "<x>tres</x>", 11, &err), FAT_OK);

  exec_ok(st, "UPDATE lote SET status = 'enviado' WHERE id = 1");
  assert_int_not_equal(fat_lote_xml_gravar(st, 1, "<x>quatro</x>", 13, &err), FAT_OK);
  assert_int_not_equal(fat_lote_xml_gravar(st, 1, NULL, 0, &err), FAT_OK);
  assert_int_not_equal(fat_store_exec(st, "UPDATE lote_xml SET lote_id = 9", &err), FAT_OK);
  assert_int_equal(fat_lote_xml_ler(st, 1, &xml, &len, &err), FAT_OK);
  assert_string_equal(xml, "<x>tres</x>");
  fat_free(xml);

  /* a rewrite recorded from the current hash: the XML, then the hash */
  exec_ok(st, "INSERT INTO lgpd_anonimizacao (id, token, usuario, referencia, beneficiarios,"
              " guias, particulares, lotes, valor_guias)"
              " VALUES (1, 'x', 'u', '2025-01-01', 1, 0, 0, 1, 0);"
              "INSERT INTO lgpd_lote_reescrito (lote_id, anonimizacao_id, hash_anterior,"
              " hash_novo) VALUES (1, 1, 'h1', 'h2')");
  assert_int_equal(fat_lote_xml_gravar(st, 1, "<x>anon</x>", 11, &err), FAT_OK);
  exec_ok(st, "UPDATE lote SET hash = 'h2' WHERE id = 1");
  /* the record is spent: from h2 there is none */
  assert_int_not_equal(fat_lote_xml_gravar(st, 1, "<x>de novo</x>", 14, &err), FAT_OK);
  assert_int_equal(fat_lote_xml_ler(st, 1, &xml, &len, &err), FAT_OK);
  assert_string_equal(xml, "<x>anon</x>");
  fat_free(xml);
  fat_store_close(st);
  remove_db();
}

/* The XML is kept compressed (zstd) and read back byte for byte; a row
** stored before (the XML as is) still reads; a damaged frame is an error
** naming the lote, not garbage. */
static void test_xml_guardado_comprimido_e_lido_igual(void **state)
{
  static const char guia[] = "  <ans:guiaSP-SADT>\n    <ans:numeroGuiaPrestador>%06d"
                             "</ans:numeroGuiaPrestador>\n  </ans:guiaSP-SADT>\n";
  fat_store *st = NULL;
  fat_err err;
  char *big, *xml = NULL;
  size_t cap = 100 * (sizeof guia + 8) + 64, len = 0, n = 0;
  int i;

  (void)state;
  remove_db();
  big = fat_malloc(cap);
  assert_non_null(big);
  n = (size_t)snprintf(big, cap, "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n");
  for (i = 0; i < 100; i++)
    n += (size_t)snprintf(big + n, cap - n, guia, i);
  assert_true(n < cap); /* nothing cut */
  assert_int_equal(fat_store_create(db_path, &st, &err), FAT_OK);
  exec_ok(st, seed);
  exec_ok(st, "INSERT INTO lote (id, operadora_id, prestador_id, numero, tipo_guia, status, hash)"
              " VALUES (1, 1, 1, 1, 'SP-SADT', 'fechado', 'h1'),"
              " (2, 1, 1, 2, 'SP-SADT', 'fechado', 'h2'), (3, 1, 1, 3, 'SP-SADT', 'fechado', 'h3')");
  assert_int_equal(fat_lote_xml_gravar(st, 1, big, n, &err), FAT_OK);
  /* stored as a zstd frame, several times smaller than the XML */
  assert_int_equal(q_int(st, "SELECT hex(substr(xml, 1, 4)) = '28B52FFD' FROM lote_xml"
                             " WHERE lote_id = 1"), 1);
  assert_true(q_int(st, "SELECT length(xml) FROM lote_xml WHERE lote_id = 1") * 5 <
              (int64_t)n);
  assert_int_equal(fat_lote_xml_ler(st, 1, &xml, &len, &err), FAT_OK);
  assert_int_equal(len, n);
  assert_memory_equal(xml, big, n);
  assert_int_equal(xml[len], '\0');
  fat_free(xml);

  /* a lote stored before the compression: its bytes as they are */
  exec_ok(st, "INSERT INTO lote_xml (lote_id, xml) VALUES (2, CAST('<a>antigo</a>' AS BLOB))");
  assert_int_equal(fat_lote_xml_ler(st, 2, &xml, &len, &err), FAT_OK);
  assert_int_equal(len, 13);
  assert_string_equal(xml, "<a>antigo</a>");
  fat_free(xml);

  /* a frame cut short: unreadable data (FAT_EXML), not a SQLite failure */
  exec_ok(st, "INSERT INTO lote_xml (lote_id, xml)"
              " SELECT 3, substr(xml, 1, length(xml) - 8) FROM lote_xml WHERE lote_id = 1");
  assert_int_equal(fat_lote_xml_ler(st, 3, &xml, &len, &err), FAT_EXML);
  assert_null(xml);
  assert_non_null(strstr(err.msg, "lote 3"));
  assert_non_null(strstr(err.msg, "corrompido"));
  fat_free(big);
  fat_store_close(st);
  remove_db();
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_migracao_081_move_o_xml_para_lote_xml),
    cmocka_unit_test(test_gravar_ler_e_imutavel_depois_de_enviado),
    cmocka_unit_test(test_xml_guardado_comprimido_e_lido_igual),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
