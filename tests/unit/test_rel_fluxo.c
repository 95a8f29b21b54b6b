/* test_rel_fluxo.c: report CSVs written as they are produced (round 7).
** fat_rel_csv_escrever hands a report's CSV out in pieces, and
** fat_rel_achados_csv_escrever writes the finding worklist reading its lines
** page by page (the whole document of every open finding of a million guias
** held ~1 GB and its CSV passed the 64 MB cap): both give, byte for byte,
** what fat_rel_csv wrote of the whole document. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <cjson/cJSON.h>

#include "fat_mem.h"
#include "fat_rel.h"
#include "fat_rel_achados.h"
#include "fat_store_int.h"
#include "fixture_guia.h"

#define DB "test_rel_fluxo.db"
#define N_ACHADOS 1234 /* three pages of FAT_PAGINA_MAX lines */

static fat_store *st;

/* Three guias (one of another professional); N_ACHADOS findings over them
** with text a CSV must quote (';', quotes, line breaks, accents), both
** severities, several codes, every seventh one acknowledged. */
static int setup(void **state)
{
  fat_guia *g[3] = {fix_guia_sadt("RF-1", "0001234567"), fix_guia_sadt("RF-2", "0001234567"),
                    fix_guia_sadt("RF-3", "0001234567")};
  char sql[2048];
  fat_err err;
  int i;

  (void)state;
  fix_remove_db(DB);
  assert_int_equal(fat_store_create(DB, &st, &err), FAT_OK);
  assert_int_equal(fat_store_exec(st,
                                  "INSERT INTO prestador(nome, cnpj) VALUES "
                                  "('Clínica Teste', '11222333000181');"
                                  "INSERT INTO operadora(registro_ans, nome, script) VALUES "
                                  "('312347', 'Aurora; \"Saúde\"', 'aurora');",
                                  &err),
                   FAT_OK);
  for (i = 0; i < 3; i++) {
    fix_save(st, g[i]);
    fat_guia_free(g[i]);
  }
  snprintf(sql, sizeof sql,
           "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d) "
           "INSERT INTO achado (guia_id, codigo, severidade, campo, mensagem, glosa_prevista, "
           "valor_risco, regra, guia_revisao, reconhecido_em, reconhecido_por, "
           "reconhecido_motivo) "
           "SELECT 1 + i %% 3, CASE i %% 4 WHEN 0 THEN 'SENHA_AUSENTE' WHEN 1 THEN 'CID_AUSENTE' "
           "ELSE 'PRAZO_VENCIDO' END, CASE WHEN i %% 3 = 0 THEN 'alerta' ELSE 'bloqueio' END, "
           "'senha', CASE i %% 3 WHEN 0 THEN 'mensagem; com \"aspas\" ' || i "
           "WHEN 1 THEN 'linha 1' || char(10) || 'linha 2 ção ' || i ELSE 'simples ' || i END, "
           "'1801', i * 7919 %% 100000, 'builtin:senha', 1, CASE WHEN i %% 7 = 0 THEN "
           "'2026-11-01T10:00:00Z' END, CASE WHEN i %% 7 = 0 THEN 'ana' END, CASE WHEN "
           "i %% 7 = 0 THEN 'combinado; ok' END FROM n",
           N_ACHADOS);
  assert_int_equal(fat_store_exec(st, sql, &err), FAT_OK);
  return 0;
}

static int teardown(void **state)
{
  (void)state;
  fat_store_close(st);
  fix_remove_db(DB);
  return 0;
}

typedef struct junta {
  fat_buf b;
  int pedacos;
  size_t maior;
  int falha_em; /* > 0: the call that fails (a full disk) */
} junta;

static fat_rc junta_fn(void *u, const char *p, size_t n, fat_err *err)
{
  junta *j = u;

  j->pedacos++;
  if (n > j->maior)
    j->maior = n;
  if (j->falha_em > 0 && j->pedacos == j->falha_em)
    return fat_err_set(err, FAT_EIO, "disco cheio (simulado)");
  return fat_buf_append(&j->b, p, n, err);
}

/* fat_rel_csv of the whole worklist document of f, and the same streamed. */
static void compara_lista(fat_achados_filtro *f, int min_pedacos)
{
  cJSON *rel = NULL;
  char *csv = NULL;
  size_t len = 0;
  junta j;
  fat_err err;

  assert_int_equal(fat_rel_achados(st, f, &rel, &err), FAT_OK);
  assert_int_equal(fat_rel_csv(rel, &csv, &len, &err), FAT_OK);
  memset(&j, 0, sizeof j);
  fat_buf_init(&j.b, (size_t)64 << 20);
  assert_int_equal(fat_rel_achados_csv_escrever(st, f, junta_fn, &j, &err), FAT_OK);
  assert_int_equal(j.b.len, len);
  assert_memory_equal(j.b.data, csv, len);
  assert_true(j.pedacos >= min_pedacos);
  /* pieces of ~64 KB: one more row at most */
  assert_true(j.maior < ((size_t)64 << 10) + 4096);
  fat_buf_fini(&j.b);
  fat_free(csv);
  cJSON_Delete(rel);
}

static void test_worklist_csv_streamed_is_the_whole_documents_csv(void **state)
{
  fat_achados_filtro f;

  (void)state;
  memset(&f, 0, sizeof f);
  compara_lista(&f, 2); /* the open ones: 1,058 lines over three pages */
  f.reconhecidos = 2;   /* all of them, totals aggregated from the lines */
  compara_lista(&f, 2);
  f.reconhecidos = 1;
  compara_lista(&f, 1);
  memset(&f, 0, sizeof f);
  f.severidade = "bloqueio";
  f.codigo = "prazo_vencido";
  compara_lista(&f, 1);
  memset(&f, 0, sizeof f);
  f.guia_id = 2;
  compara_lista(&f, 1);
  memset(&f, 0, sizeof f);
  f.codigo = "NENHUM"; /* no line: title, headers and totals only */
  compara_lista(&f, 1);
}

static void test_report_csv_streamed_is_fat_rel_csv(void **state)
{
  fat_achados_filtro f;
  cJSON *rel = NULL;
  char *csv = NULL;
  size_t len = 0;
  junta j;
  fat_err err;

  (void)state;
  memset(&f, 0, sizeof f);
  f.reconhecidos = 2;
  assert_int_equal(fat_rel_achados(st, &f, &rel, &err), FAT_OK);
  assert_int_equal(fat_rel_csv(rel, &csv, &len, &err), FAT_OK);
  assert_true(len > ((size_t)128 << 10));
  memset(&j, 0, sizeof j);
  fat_buf_init(&j.b, (size_t)64 << 20);
  assert_int_equal(fat_rel_csv_escrever(rel, junta_fn, &j, &err), FAT_OK);
  assert_true(j.pedacos >= 3);
  assert_int_equal(j.b.len, len);
  assert_memory_equal(j.b.data, csv, len);
  fat_buf_fini(&j.b);
  fat_free(csv);
  cJSON_Delete(rel);
}

/* A writer that fails (a full disk on the second piece) stops both, with
** its error, and no transaction is left open. */
static void test_writer_error_stops_the_csv(void **state)
{
  fat_achados_filtro f;
  cJSON *rel = NULL;
  junta j;
  fat_err err;

  (void)state;
  memset(&f, 0, sizeof f);
  memset(&j, 0, sizeof j);
  fat_buf_init(&j.b, (size_t)64 << 20);
  j.falha_em = 2;
  assert_int_equal(fat_rel_achados_csv_escrever(st, &f, junta_fn, &j, &err), FAT_EIO);
  assert_string_equal(err.msg, "disco cheio (simulado)");
  assert_int_equal(j.pedacos, 2);
  /* the store is usable: the read transaction ended */
  assert_int_equal(fat_store_begin(st, &err), FAT_OK);
  assert_int_equal(fat_store_commit(st, &err), FAT_OK);
  assert_int_equal(fat_rel_achados(st, &f, &rel, &err), FAT_OK);
  fat_buf_reset(&j.b);
  j.pedacos = 0;
  assert_int_equal(fat_rel_csv_escrever(rel, junta_fn, &j, &err), FAT_EIO);
  assert_int_equal(j.pedacos, 2);
  cJSON_Delete(rel);
  fat_buf_fini(&j.b);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_worklist_csv_streamed_is_the_whole_documents_csv),
    cmocka_unit_test(test_report_csv_streamed_is_fat_rel_csv),
    cmocka_unit_test(test_writer_error_stops_the_csv),
  };

  return cmocka_run_group_tests(tests, setup, teardown);
}
