/* test_tabelas.c: CSV import of price tables (fat_tabelas): layouts, decimal
** comma, Latin-1 detection, whole-file rejection naming line and column,
** vigência lookups, listing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fat_mem.h"
#include "fat_store_int.h"
#include "fat_store_sqlite.h"
#include "fat_tabelas.h"
#include "fat_tabelas_cache.h"

static const char *db_path = "test_tabelas.db";

static void remove_db(void)
{
  unlink(db_path);
  unlink("test_tabelas.db-wal");
  unlink("test_tabelas.db-shm");
}

static int setup(void **state)
{
  fat_store *st = NULL;
  fat_err err;

  remove_db();
  if (fat_store_create(db_path, &st, &err) != FAT_OK)
    return -1;
  *state = st;
  return 0;
}

static int teardown(void **state)
{
  fat_store_close(*state);
  remove_db();
  return 0;
}

static int count(fat_store *st, const char *sql)
{
  sqlite3_stmt *s;
  int n = -1;

  assert_int_equal(sqlite3_prepare_v2(fat_store_db(st), sql, -1, &s, NULL), SQLITE_OK);
  if (sqlite3_step(s) == SQLITE_ROW)
    n = sqlite3_column_int(s, 0);
  sqlite3_finalize(s);
  return n;
}

/* A file with one bad row is rejected whole: nothing of it stays, and the
** message names the line (header = line 1) and the column. */
static void test_bad_row_rejected_whole(void **state)
{
  static const char csv[] = "codigo;descricao;apresentacao;pf;pmc\n"
                            "79012011;Seringa 10 ml;unidade;0,85;1,19\n"
                            "79000110;Luva (par);par;0,60;0,84\n"
                            "79019023;Equipo macrogotas;unidade;-4,10;5,74\n"
                            "79033041;Cateter 20G;unidade;3,20;4,48\n";
  fat_store *st = *state;
  fat_err err;

  fat_err_clear(&err);
  assert_int_equal(
    fat_tabelas_importar_buf(st, FAT_TAB_SIMPRO, "simpro.csv", csv, strlen(csv), NULL, NULL, &err),
    FAT_EINVAL);
  assert_non_null(strstr(err.msg, "simpro.csv"));
  assert_non_null(strstr(err.msg, "linha 4"));
  assert_non_null(strstr(err.msg, "coluna pf"));
  assert_int_equal(count(st, "SELECT count(*) FROM preco_insumo"), 0);
  assert_int_equal(count(st, "SELECT count(*) FROM tabela_importacao"), 0);
}

static void test_missing_and_unknown_columns(void **state)
{
  static const char miss[] = "codigo;descricao\n10101012;Consulta\n";
  static const char unk[] = "codigo;descricao;valor;preco_extra\n1;a;1,00;2\n";
  static const char obrig[] = "codigo;descricao;valor\n10101012;Consulta;\n";
  fat_tabela_opcoes op = {NULL, NULL, "345671"};
  fat_store *st = *state;
  fat_err err;

  assert_int_equal(fat_tabelas_importar_buf(st, FAT_TAB_NEGOCIADA, "n.csv", miss, strlen(miss),
                                            &op, NULL, &err),
                   FAT_EINVAL);
  assert_non_null(strstr(err.msg, "valor"));
  assert_int_equal(fat_tabelas_importar_buf(st, FAT_TAB_NEGOCIADA, "n.csv", unk, strlen(unk), &op,
                                            NULL, &err),
                   FAT_EINVAL);
  assert_non_null(strstr(err.msg, "preco_extra"));
  assert_int_equal(fat_tabelas_importar_buf(st, FAT_TAB_NEGOCIADA, "n.csv", obrig, strlen(obrig),
                                            &op, NULL, &err),
                   FAT_EINVAL);
  assert_non_null(strstr(err.msg, "linha 2, coluna valor"));
  /* negociada needs the operadora */
  assert_int_equal(fat_tabelas_importar_buf(st, FAT_TAB_NEGOCIADA, "n.csv", obrig, strlen(obrig),
                                            NULL, NULL, &err),
                   FAT_EINVAL);
  assert_non_null(strstr(err.msg, "--operadora"));
}

/* Latin-1 file (as exported by old spreadsheet software), with accented
** headers and CRLF line ends: detected and stored as UTF-8. */
static void test_latin1(void **state)
{
  static const char csv[] = "c\xf3" "digo;descri\xe7\xe3o;apresenta\xe7\xe3o;PF;PMC\r\n"
                            "90012178;Dipirona s\xf3" "dica 500 mg/ml;ampola;1,12;1,55\r\n";
  fat_store *st = *state;
  fat_tabela_resultado res;
  fat_insumo_preco ip;
  fat_err err;

  fat_err_clear(&err);
  assert_int_equal(fat_tabelas_importar_buf(st, FAT_TAB_BRASINDICE, "bras.csv", csv, strlen(csv),
                                            NULL, &res, &err),
                   FAT_OK);
  assert_string_equal(res.codificacao, "ISO-8859-1");
  assert_int_equal(res.linhas, 1);
  assert_int_equal(strlen(res.sha256), 64);
  assert_int_equal(fat_tabelas_insumo(st, "brasindice", "90012178", "2026-10-01", &ip, &err),
                   FAT_OK);
  assert_string_equal(ip.descricao, "Dipirona s\xc3\xb3" "dica 500 mg/ml");
  assert_int_equal(ip.pf, 112);
  assert_int_equal(ip.pmc, 155);
}

/* Quoted fields with ';' and escaped quotes; UTF-8 BOM. */
static void test_quotes_utf8(void **state)
{
  static const char csv[] = "\xEF\xBB\xBFtabela;codigo;descricao\n"
                            "22;10101012;\"Consulta; em \"\"consultório\"\"\"\n";
  fat_store *st = *state;
  fat_tabela_resultado res;
  char tab[4], desc[160];
  fat_err err;

  assert_int_equal(
    fat_tabelas_importar_buf(st, FAT_TAB_TUSS, "tuss.csv", csv, strlen(csv), NULL, &res, &err),
    FAT_OK);
  assert_string_equal(res.codificacao, "UTF-8");
  assert_int_equal(fat_tabelas_tuss(st, "10101012", "2026-01-01", tab, desc, &err), FAT_OK);
  assert_string_equal(tab, "22");
  assert_string_equal(desc, "Consulta; em \"consultório\"");
}

/* Versions by vigência; the same key twice in one file is refused; a
** re-import of the same vigência replaces the values. */
static void test_vigencia_and_duplicates(void **state)
{
  static const char v1[] = "porte;valor\n2B;76,40\n";
  static const char v2[] = "porte;valor\n2B;80,00\n";
  static const char dup[] = "porte;valor\n3A;1,00\n3A;2,00\n";
  static const char fix[] = "porte;valor\n2B;76,50\n";
  fat_tabela_opcoes op = {NULL, "x", NULL};
  fat_store *st = *state;
  char vig[11];
  int64_t v;
  fat_err err;

  assert_int_equal(
    fat_tabelas_importar_buf(st, FAT_TAB_PORTES, "p1", v1, strlen(v1), &op, NULL, &err), FAT_OK);
  op.vigencia = "2026-11-01";
  assert_int_equal(
    fat_tabelas_importar_buf(st, FAT_TAB_PORTES, "p2", v2, strlen(v2), &op, NULL, &err), FAT_OK);
  assert_int_equal(fat_tabelas_porte(st, "x", "2B", "2026-10-31", &v, vig, &err), FAT_OK);
  assert_int_equal(v, 7640);
  assert_int_equal(fat_tabelas_porte(st, "x", "2B", "2026-11-01", &v, vig, &err), FAT_OK);
  assert_int_equal(v, 8000);
  assert_string_equal(vig, "2026-11-01");
  assert_int_equal(
    fat_tabelas_importar_buf(st, FAT_TAB_PORTES, "dup", dup, strlen(dup), &op, NULL, &err),
    FAT_EINVAL);
  assert_non_null(strstr(err.msg, "linha 3"));
  assert_non_null(strstr(err.msg, "repetido"));
  op.vigencia = NULL;
  assert_int_equal(
    fat_tabelas_importar_buf(st, FAT_TAB_PORTES, "fix", fix, strlen(fix), &op, NULL, &err),
    FAT_OK);
  assert_int_equal(fat_tabelas_porte(st, "x", "2B", "2026-10-31", &v, vig, &err), FAT_OK);
  assert_int_equal(v, 7650);
  assert_int_equal(fat_tabelas_porte(st, "x", "9C", "2026-10-31", &v, vig, &err), FAT_ENOTFOUND);
  /* portes need an edition; invalid porte names the column */
  assert_int_equal(
    fat_tabelas_importar_buf(st, FAT_TAB_PORTES, "p", v1, strlen(v1), NULL, NULL, &err),
    FAT_EINVAL);
  assert_non_null(strstr(err.msg, "--edicao"));
}

/* The glosas layout is TUSS table 38 (codigo;descricao;grupo), from a file. */
static void test_glosas_file_and_list(void **state)
{
  static const char csv[] = "codigo;descricao;grupo\n1001;Número da carteira inválido;"
                            "Elegibilidade\n1705;Consulta de retorno;Cobrança\n";
  const char *path = "test_tabelas_glosas.csv";
  fat_store *st = *state;
  fat_tabela_resultado res;
  cJSON *j, *tot;
  FILE *f;
  fat_err err;

  f = fopen(path, "wb");
  assert_non_null(f);
  fwrite(csv, 1, strlen(csv), f);
  fclose(f);
  assert_int_equal(fat_tabelas_importar(st, FAT_TAB_GLOSAS, path, NULL, &res, &err), FAT_OK);
  unlink(path);
  assert_int_equal(res.linhas, 2);
  assert_int_equal(count(st, "SELECT count(*) FROM glosa_motivo WHERE grupo = 'Elegibilidade'"),
                   1);
  assert_int_equal(fat_tabelas_listar(st, &j, &err), FAT_OK);
  tot = cJSON_GetObjectItem(j, "totais");
  assert_int_equal((int)cJSON_GetObjectItem(tot, "glosas")->valuedouble, 2);
  assert_true(cJSON_GetArraySize(cJSON_GetObjectItem(j, "importacoes")) >= 1);
  cJSON_Delete(j);
  assert_int_equal(fat_tabela_tipo_parse("simpro"), FAT_TAB_SIMPRO);
  assert_int_equal(fat_tabela_tipo_parse("xyz"), -1);
}

/* Every demo table in rules/tabelas/demo imports cleanly. */
static void test_demo_tables_import(void **state)
{
  static const struct {
    const char *file;
    fat_tabela_tipo t;
    const char *edicao, *op;
  } files[] = {
    {"tuss.csv", FAT_TAB_TUSS, NULL, NULL},          {"portes.csv", FAT_TAB_PORTES, "demo", NULL},
    {"cbhpm.csv", FAT_TAB_CBHPM, "demo", NULL},      {"simpro.csv", FAT_TAB_SIMPRO, NULL, NULL},
    {"brasindice.csv", FAT_TAB_BRASINDICE, NULL, NULL},
    {"negociada_aurora.csv", FAT_TAB_NEGOCIADA, NULL, "312347"},
  };
  const char *src = getenv("FAT_SOURCE_DIR");
  fat_store *st = *state;
  char path[1024];
  size_t i;
  fat_err err;

  if (src == NULL)
    src = FAT_SOURCE_DIR;
  for (i = 0; i < sizeof files / sizeof files[0]; i++) {
    fat_tabela_opcoes op = {NULL, files[i].edicao, files[i].op};

    snprintf(path, sizeof path, "%s/rules/tabelas/demo/%s", src, files[i].file);
    fat_err_clear(&err);
    if (fat_tabelas_importar(st, files[i].t, path, &op, NULL, &err) != FAT_OK)
      fail_msg("%s: %s", files[i].file, err.msg);
  }
}

static void exec_ok(fat_store *st, const char *sql)
{
  assert_int_equal(sqlite3_exec(fat_store_db(st), sql, NULL, NULL, NULL), SQLITE_OK);
}

/* A negotiated price through the cache (chosen in C from the code's rows,
** fat_tabelas_negociado_em) is the statement's answer on every date: the
** same value, description, vigência and not-found message (none in the
** pricing form, fat_tcache_negociado_preco), with periods
** that overlap, an open end, an empty end, a code with more rows than are
** kept and one whose vigência is not a plain date (both asked to SQLite). */
static void test_negociado_rows_same_as_sql(void **state)
{
  static const char *const codes[] = {"10101012", "2", "3", "4", "5"};
  static const char *const dates[] = {"2024-12-31", "2025-01-01", "2025-02-28", "2025-03-01",
                                      "2025-03-15", "2025-03-31", "2025-04-01", "2025-06-30",
                                      "2025-07-01", "2025-07-01T", "2030-01-01"};
  fat_store *st = *state;
  fat_tcache *c = fat_tcache_new();
  fat_neg_vigs *vigs;
  size_t i, j;
  int round;
  fat_err err;

  assert_non_null(c);
  exec_ok(st, "INSERT INTO tabela_importacao (id, tipo, arquivo, sha256, codificacao, linhas, "
              "vigencia, operadora, usuario) VALUES (1, 'negociada', 'n.csv', 'x', 'UTF-8', 1, "
              "'2025-01-01', '123456', 't')");
  exec_ok(st, "INSERT INTO preco_negociado (operadora, codigo, descricao, valor, vigencia_inicio, "
              "vigencia_fim, importacao_id) VALUES "
              "('123456', '10101012', 'consulta', 100, '2025-01-01', '2025-06-30', 1), "
              "('123456', '10101012', 'consulta nova', 200, '2025-07-01', NULL, 1), "
              "('123456', '10101012', NULL, 150, '2025-03-01', '2025-03-31', 1), "
              "('999999', '10101012', 'outra operadora', 7, '2020-01-01', NULL, 1), "
              "('123456', '2', 'fim vazio', 5, '2025-01-01', '', 1), "
              "('123456', '2', 'depois', 6, '2025-03-01', '2025-04-01', 1), "
              "('123456', '4', 'data longa', 9, '2025-01-01T00', NULL, 1)");
  for (i = 0; i < 9; i++) {
    char sql[300];

    snprintf(sql, sizeof sql,
             "INSERT INTO preco_negociado (operadora, codigo, descricao, valor, vigencia_inicio, "
             "vigencia_fim, importacao_id) VALUES ('123456', '3', 'n%zu', %zu, '2025-0%zu-01', "
             "NULL, 1)", i, 10 + i, i + 1);
    exec_ok(st, sql);
  }
  assert_int_equal(fat_tabelas_negociado_vigs(st, "123456", "10101012", &vigs, &err), FAT_OK);
  assert_non_null(vigs);
  assert_int_equal(vigs->n, 3);
  fat_free(vigs);
  assert_int_equal(fat_tabelas_negociado_vigs(st, "123456", "3", &vigs, &err), FAT_OK);
  assert_null(vigs); /* more rows than kept */
  assert_int_equal(fat_tabelas_negociado_vigs(st, "123456", "4", &vigs, &err), FAT_OK);
  assert_null(vigs); /* not a plain date */
  for (round = 0; round < 2; round++) { /* the second round: every answer kept */
    for (i = 0; i < sizeof codes / sizeof codes[0]; i++) {
      for (j = 0; j < sizeof dates / sizeof dates[0]; j++) {
        char d1[160], d2[160], v1[11], v2[11], m1[sizeof err.msg];
        int64_t x1 = -1, x2 = -1;
        fat_rc r1, r2;

        memset(d1, 0, sizeof d1);
        memset(d2, 0, sizeof d2);
        memset(v1, 0, sizeof v1);
        memset(v2, 0, sizeof v2);
        fat_err_clear(&err);
        r1 = fat_tabelas_negociado(st, "123456", codes[i], dates[j], &x1, d1, v1, &err);
        snprintf(m1, sizeof m1, "%s", err.msg);
        fat_err_clear(&err);
        r2 = fat_tcache_negociado(c, st, "123456", codes[i], dates[j], &x2, d2, v2, &err);
        assert_int_equal(r1, r2);
        if (r1 == FAT_OK) {
          assert_int_equal(x1, x2);
          assert_string_equal(d1, d2);
          assert_string_equal(v1, v2);
        } else {
          assert_int_equal(r1, FAT_ENOTFOUND);
          assert_string_equal(m1, err.msg);
        }
        /* the pricing form: the same answer; not found leaves err alone */
        memset(d2, 0, sizeof d2);
        memset(v2, 0, sizeof v2);
        x2 = -1;
        snprintf(err.msg, sizeof err.msg, "antes");
        r2 = fat_tcache_negociado_preco(c, st, "123456", codes[i], dates[j], &x2, d2, v2, &err);
        assert_int_equal(r1, r2);
        if (r1 == FAT_OK) {
          assert_int_equal(x1, x2);
          assert_string_equal(d1, d2);
          assert_string_equal(v1, v2);
        }
        assert_string_equal(err.msg, "antes");
      }
    }
  }
  /* spot checks of the rule itself */
  {
    char d[160], v[11];
    int64_t x;

    assert_int_equal(fat_tcache_negociado(c, st, "123456", "10101012", "2025-03-15", &x, d, v,
                                          &err), FAT_OK);
    assert_int_equal(x, 150); /* the later start wins where periods overlap */
    assert_int_equal(fat_tcache_negociado(c, st, "123456", "10101012", "2025-04-01", &x, d, v,
                                          &err), FAT_OK);
    assert_int_equal(x, 100);
    assert_string_equal(v, "2025-01-01");
    assert_int_equal(fat_tcache_negociado(c, st, "123456", "2", "2025-02-01", &x, d, v, &err),
                     FAT_ENOTFOUND); /* an empty end is before every date */
  }
  fat_tcache_free(c);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_bad_row_rejected_whole, setup, teardown),
    cmocka_unit_test_setup_teardown(test_missing_and_unknown_columns, setup, teardown),
    cmocka_unit_test_setup_teardown(test_latin1, setup, teardown),
    cmocka_unit_test_setup_teardown(test_quotes_utf8, setup, teardown),
    cmocka_unit_test_setup_teardown(test_vigencia_and_duplicates, setup, teardown),
    cmocka_unit_test_setup_teardown(test_glosas_file_and_list, setup, teardown),
    cmocka_unit_test_setup_teardown(test_demo_tables_import, setup, teardown),
    cmocka_unit_test_setup_teardown(test_negociado_rows_same_as_sql, setup, teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
