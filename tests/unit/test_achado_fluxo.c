/* test_achado_fluxo.c: `achado listar` without filters lists every open
** finding (411,779 in the 1M-guia demo, 790 MB when the list was built as one
** cJSON array): fat_achado_listar_cada hands them out one at a time, in the
** order and shape of fat_achado_listar, with memory flat in their number. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include <cmocka.h>

#include <cjson/cJSON.h>

#include "fat_conferir.h"
#include "fat_mem.h"
#include "fat_store_int.h"
#include "fixture_guia.h"

/* Under AddressSanitizer freed memory stays in quarantine: no RSS check. */
#if defined(__SANITIZE_ADDRESS__)
#define FAT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FAT_ASAN 1
#endif
#endif

#define DB "test_achado_fluxo.db"
#define N_ACHADOS 60000

static fat_store *st;

static long peak_rss_kb(void)
{
  struct rusage ru;

  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

/* Two guias; N_ACHADOS open findings spread over them (every tenth one
** acknowledged on top, which the list leaves out). */
static int setup(void **state)
{
  fat_guia *g1 = fix_guia_sadt("AF-1", "0001234567"), *g2 = fix_guia_sadt("AF-2", "0001234567");
  char sql[1024];
  fat_err err;

  (void)state;
  fix_remove_db(DB);
  assert_int_equal(fat_store_create(DB, &st, &err), FAT_OK);
  assert_int_equal(fat_store_exec(st,
                                  "INSERT INTO prestador(nome, cnpj) VALUES "
                                  "('Clínica Teste', '11222333000181');"
                                  "INSERT INTO operadora(registro_ans, nome, script) VALUES "
                                  "('312347', 'Aurora', 'aurora');",
                                  &err),
                   FAT_OK);
  fix_save(st, g1);
  fix_save(st, g2);
  fat_guia_free(g1);
  fat_guia_free(g2);
  snprintf(sql, sizeof sql,
           "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d) "
           "INSERT INTO achado (guia_id, codigo, severidade, campo, mensagem, glosa_prevista, "
           "valor_risco, regra, guia_revisao, reconhecido_em, reconhecido_por, "
           "reconhecido_motivo) "
           "SELECT 1 + i %% 2, 'SENHA_AUSENTE', CASE WHEN i %% 3 = 0 THEN 'alerta' ELSE "
           "'bloqueio' END, 'senha', 'informe a senha de autorização da guia número ' || i, "
           "'1801', i * 7, 'builtin:senha', 1, CASE WHEN i %% 10 = 0 THEN "
           "'2026-11-01T10:00:00Z' END, CASE WHEN i %% 10 = 0 THEN 'ana' END, CASE WHEN "
           "i %% 10 = 0 THEN 'combinado' END FROM n",
           N_ACHADOS + N_ACHADOS / 9);
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

typedef struct coleta {
  long n;
  double ultimo_guia;
  int em_ordem;
  fat_buf json; /* the rows as the CLI prints them: '[' a ',' b ... ']' */
  int com_json;
} coleta;

static fat_rc cada(void *u, const cJSON *a, fat_err *err)
{
  coleta *c = u;
  double g = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(a, "guia_id"));

  if (g < c->ultimo_guia)
    c->em_ordem = 0;
  c->ultimo_guia = g;
  if (cJSON_GetObjectItemCaseSensitive(a, "reconhecido_em") != NULL)
    c->em_ordem = 0; /* an acknowledged one in the worklist */
  if (c->com_json) {
    char *s = cJSON_PrintUnformatted(a);
    fat_rc rc;

    if (s == NULL)
      return fat_err_oom(err);
    rc = fat_buf_puts(&c->json, c->n == 0 ? "[" : ",", err);
    if (rc == FAT_OK)
      rc = fat_buf_puts(&c->json, s, err);
    cJSON_free(s);
    if (rc != FAT_OK)
      return rc;
  }
  c->n++;
  return FAT_OK;
}

/* First in this process, so the RSS peak is the list's. */
static void test_achado_listar_cada_memory_flat_in_findings(void **state)
{
  coleta c;
  fat_err err;
  long before, growth;

  (void)state;
  memset(&c, 0, sizeof c);
  c.em_ordem = 1;
  before = peak_rss_kb();
  assert_int_equal(fat_achado_listar_cada(st, 0, cada, &c, &err), FAT_OK);
  growth = peak_rss_kb() - before;
  print_message("achados: %ld, pico de RSS +%ld KB\n", c.n, growth);
  assert_int_equal(c.n, N_ACHADOS);
  assert_true(c.em_ordem);
#ifndef FAT_ASAN
  /* built whole: ~1.9 KB of JSON tree per finding, ~110 MB here */
  if (growth >= 16 * 1024)
    fail_msg("achado listar cresceu %ld KB de RSS com %d achados", growth, N_ACHADOS);
#else
  (void)growth;
#endif
}

/* The same findings, in the same order and shape, as the whole array; the
** JSON the CLI prints from them is the array's text byte for byte. */
static void test_achado_listar_cada_same_as_whole_array(void **state)
{
  cJSON *arr = NULL;
  char *whole;
  coleta c;
  fat_err err;
  int64_t guia;

  (void)state;
  for (guia = 0; guia <= 1; guia++) {
    memset(&c, 0, sizeof c);
    c.com_json = 1;
    fat_buf_init(&c.json, (size_t)1 << 30);
    assert_int_equal(fat_achado_listar(st, guia, &arr, &err), FAT_OK);
    assert_int_equal(fat_achado_listar_cada(st, guia, cada, &c, &err), FAT_OK);
    assert_int_equal(fat_buf_puts(&c.json, c.n == 0 ? "[]" : "]", &err), FAT_OK);
    assert_int_equal(c.n, cJSON_GetArraySize(arr));
    whole = cJSON_PrintUnformatted(arr);
    assert_non_null(whole);
    assert_string_equal(c.json.data, whole);
    cJSON_free(whole);
    cJSON_Delete(arr);
    fat_buf_fini(&c.json);
  }
}

static fat_rc para_no_terceiro(void *u, const cJSON *a, fat_err *err)
{
  long *n = u;

  (void)a;
  if (++*n == 3)
    return fat_err_set(err, FAT_EIO, "saída fechada (simulado)");
  return FAT_OK;
}

/* The callback's error stops the list and comes back as it was set. */
static void test_achado_listar_cada_stops_at_callback_error(void **state)
{
  long n = 0;
  fat_err err;

  (void)state;
  assert_int_equal(fat_achado_listar_cada(st, 0, para_no_terceiro, &n, &err), FAT_EIO);
  assert_int_equal(n, 3);
  assert_string_equal(err.msg, "saída fechada (simulado)");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_achado_listar_cada_memory_flat_in_findings),
    cmocka_unit_test(test_achado_listar_cada_same_as_whole_array),
    cmocka_unit_test(test_achado_listar_cada_stops_at_callback_error),
  };

  return cmocka_run_group_tests(tests, setup, teardown);
}
