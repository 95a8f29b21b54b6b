/* test_lgpd.c (Part N): masking shapes by role, the access log's compact id
** lists, a read recorded with ids only and found again by the patient's CPF,
** retention refusing an anonymization with the reason, and the retention
** setting's bounds. The demo-scale cases (a faturista's listing, export,
** anonymization past retention, backups) are in e2e.n_lgpd. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fat_acesso_log.h"
#include "fat_lgpd.h"
#include "fat_mem.h"
#include "fat_store.h"
#include "fat_store_int.h"
#include "fat_store_sqlite.h"

#define DB "test_lgpd.db"

static void remove_db(void)
{
  unlink(DB);
  unlink(DB "-wal");
  unlink(DB "-shm");
}

static int setup(void **state)
{
  fat_store *st = NULL;

  remove_db();
  if (fat_store_create(DB, &st, NULL) != FAT_OK)
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

static void exec_ok(fat_store *st, const char *sql)
{
  char *msg = NULL;

  if (sqlite3_exec(fat_store_db(st), sql, NULL, NULL, &msg) != SQLITE_OK)
    fail_msg("%s: %s", sql, msg != NULL ? msg : "?");
  sqlite3_free(msg);
}

static void test_mascaras(void **state)
{
  char out[FAT_LGPD_MASCARA_MAX];

  (void)state;
  fat_lgpd_mostrar(FAT_DADO_CPF, "12345678909", 0, out, sizeof out);
  assert_string_equal(out, "***.456.789-**");
  fat_lgpd_mostrar(FAT_DADO_CPF, "123.456.789-09", 1, out, sizeof out);
  assert_string_equal(out, "123.456.789-09");
  fat_lgpd_mostrar(FAT_DADO_CPF, "12345678909", 1, out, sizeof out);
  assert_string_equal(out, "123.456.789-09");
  fat_lgpd_mostrar(FAT_DADO_CPF, "1234", 0, out, sizeof out); /* wrong shape: all hidden */
  assert_string_equal(out, "***.***.***-**");
  fat_lgpd_mostrar(FAT_DADO_CNS, "898001160000003", 0, out, sizeof out);
  assert_string_equal(out, "*** 0011 6000 ****");
  fat_lgpd_mostrar(FAT_DADO_CARTEIRA, "0012345678", 0, out, sizeof out);
  assert_string_equal(out, "******5678");
  fat_lgpd_mostrar(FAT_DADO_CPF, NULL, 0, out, sizeof out);
  assert_string_equal(out, "");
}

static void test_papeis(void **state)
{
  fat_leitor l;

  (void)state;
  memset(&l, 0, sizeof l);
  assert_int_equal(fat_lgpd_lista_completa(NULL), 0);
  l.papel = FAT_PAPEL_FATURISTA;
  assert_int_equal(fat_lgpd_lista_completa(&l), 0);
  l.papel = FAT_PAPEL_SUPERVISOR;
  assert_int_equal(fat_lgpd_lista_completa(&l), 1);
  l.papel = FAT_PAPEL_ADMIN;
  assert_int_equal(fat_lgpd_lista_completa(&l), 1);
  l.papel = FAT_PAPEL_NENHUM;
  l.operador = 1;
  assert_int_equal(fat_lgpd_lista_completa(&l), 1);
  assert_string_equal(fat_lgpd_papel_rotulo(&l), "operador");
}

static void test_ids_texto(void **state)
{
  static const int64_t ids[] = {40, 12, 15, 16, 17, 12, 3, 41, 39};
  char *t = NULL;
  char cpf[12];

  (void)state;
  assert_int_equal(fat_acesso_ids_texto(ids, sizeof ids / sizeof ids[0], &t, NULL), FAT_OK);
  assert_string_equal(t, "3,12,15-17,39-41");
  assert_true(fat_acesso_ids_contem(t, 16));
  assert_true(fat_acesso_ids_contem(t, 3));
  assert_true(fat_acesso_ids_contem(t, 41));
  assert_false(fat_acesso_ids_contem(t, 14));
  assert_false(fat_acesso_ids_contem(t, 1));
  assert_false(fat_acesso_ids_contem(t, 42));
  assert_false(fat_acesso_ids_contem(NULL, 3));
  fat_free(t);
  assert_int_equal(fat_acesso_ids_texto(NULL, 0, &t, NULL), FAT_OK);
  assert_string_equal(t, "");
  fat_free(t);
  assert_int_equal(fat_lgpd_cpf_digitos("123.456.789-09", cpf), 0);
  assert_string_equal(cpf, "12345678909");
  assert_int_equal(fat_lgpd_cpf_digitos("123.456.789", cpf), -1);
}

/* A read is one row with ids only; the patient's CPF finds it again. */
static void test_registro_so_ids(void **state)
{
  fat_store *st = *state;
  fat_leitor l;
  fat_acesso_filtro f;
  int64_t ids[2] = {1, 2};
  cJSON *rows = NULL, *r;
  fat_err err;
  char *dump;

  exec_ok(st, "INSERT INTO beneficiario (id, nome, cpf) VALUES"
              " (1, 'Maria Sigilosa', '12345678909'), (2, 'Outro Paciente', '98765432100')");
  memset(&l, 0, sizeof l);
  l.usuario = "bia";
  l.papel = FAT_PAPEL_FATURISTA;
  l.canal = "api";
  l.acao = "GET /api/beneficiarios/{}";
  fat_err_clear(&err);
  assert_int_equal(fat_acesso_registrar(st, &l, FAT_ACESSO_BENEFICIARIO, ids, 1, 1, &err),
                   FAT_OK);
  assert_int_equal(fat_acesso_registrar(st, &l, FAT_ACESSO_BENEFICIARIO, ids + 1, 1, 0, &err),
                   FAT_OK);
  assert_int_equal(fat_acesso_registrar(st, NULL, FAT_ACESSO_BENEFICIARIO, ids, 2, 1, &err),
                   FAT_OK); /* internal read: nothing recorded */
  memset(&f, 0, sizeof f);
  f.cpf = "123.456.789-09";
  assert_int_equal(fat_acesso_listar(st, &f, &rows, &err), FAT_OK);
  assert_int_equal(cJSON_GetArraySize(rows), 1);
  r = cJSON_GetArrayItem(rows, 0);
  assert_string_equal(cJSON_GetObjectItem(r, "usuario")->valuestring, "bia");
  assert_string_equal(cJSON_GetObjectItem(r, "papel")->valuestring, "faturista");
  assert_string_equal(cJSON_GetObjectItem(r, "registros")->valuestring, "1");
  assert_true(cJSON_IsTrue(cJSON_GetObjectItem(r, "completo")));
  dump = cJSON_PrintUnformatted(rows);
  assert_null(strstr(dump, "12345678909"));
  assert_null(strstr(dump, "Maria"));
  cJSON_free(dump);
  cJSON_Delete(rows);
  memset(&f, 0, sizeof f);
  f.usuario = "bia";
  assert_int_equal(fat_acesso_listar(st, &f, &rows, &err), FAT_OK);
  assert_int_equal(cJSON_GetArraySize(rows), 2);
  cJSON_Delete(rows);
  f.usuario = NULL;
  f.cpf = "111.111.111-11";
  assert_int_equal(fat_acesso_listar(st, &f, &rows, &err), FAT_ENOTFOUND);
  assert_null(rows);
  f.cpf = NULL;
  f.desde = "2026-02-30x";
  assert_int_equal(fat_acesso_listar(st, &f, &rows, &err), FAT_EINVAL);
}

/* --desde is a day of the clinic: from 31/03 in UTC-3 keeps a read at 22:30
** of March 31st (01:30 UTC of April 1st) and leaves out one at 23:00 of March
** 30th (02:00 UTC of March 31st). */
static void test_acessos_desde_um_dia_local(void **state)
{
  fat_store *st = *state;
  fat_acesso_filtro f;
  cJSON *rows = NULL;
  fat_err err;

  setenv("TZ", "<-03>3", 1);
  tzset();
  exec_ok(st, "INSERT INTO acesso (em, usuario, papel, canal, acao, objeto, registros, n)"
              " VALUES ('2026-03-31T02:00:00Z', 'bia', 'faturista', 'api', 'GET /api/guias/{}',"
              " 'guia', '1', 1), ('2026-04-01T01:30:00Z', 'bia', 'faturista', 'api',"
              " 'GET /api/guias/{}', 'guia', '2', 1)");
  memset(&f, 0, sizeof f);
  f.desde = "2026-03-31";
  fat_err_clear(&err);
  assert_int_equal(fat_acesso_listar(st, &f, &rows, &err), FAT_OK);
  assert_int_equal(cJSON_GetArraySize(rows), 1);
  assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(rows, 0), "em")->valuestring,
                      "2026-04-01T01:30:00Z");
  cJSON_Delete(rows);
  f.desde = "2026-04-01";
  assert_int_equal(fat_acesso_listar(st, &f, &rows, &err), FAT_OK);
  assert_int_equal(cJSON_GetArraySize(rows), 0);
  cJSON_Delete(rows);
}

/* The titular's export is read by the patient: who read the data, when
** (local time, as every instant users read) and what, in words. */
static void test_titular_export_accesses_local_time_labels(void **state)
{
  fat_store *st = *state;
  char *html = NULL;
  size_t html_len = 0;
  fat_err err;

  setenv("TZ", "<-03>3", 1);
  tzset();
  exec_ok(st, "INSERT INTO beneficiario (id, nome, cpf) VALUES (1, 'Maria Sigilosa', '12345678909')");
  exec_ok(st, "INSERT INTO acesso (em, usuario, papel, canal, acao, objeto, registros,"
              " beneficiarios, n, completo) VALUES ('2026-03-10T15:30:00Z', 'bia', 'faturista',"
              " 'api', 'GET /api/beneficiarios/{}', 'beneficiario', '1', ',1,', 1, 1)");
  fat_err_clear(&err);
  assert_int_equal(fat_titular_exportar(st, NULL, "12345678909", NULL, &html, &html_len, &err),
                   FAT_OK);
  assert_non_null(strstr(html, "<td>10/03/2026 12:30</td>"));
  assert_null(strstr(html, "2026-03-10T15:30"));
  assert_null(strstr(html, "(UTC)"));
  assert_non_null(strstr(html, "<td>Beneficiário</td>"));
  fat_free(html);
}

/* A guia never paid is kept for the retention years after its last event, a
** day of the clinic: a glosa recorded at 22:30 of December 31st in UTC-3
** (01:30 UTC of January 1st) makes that day 2026-12-31, kept until
** 2031-12-31, not a year's turn later. */
static void test_retencao_conta_do_dia_local_do_ultimo_evento(void **state)
{
  fat_store *st = *state;
  cJSON *doc = NULL, *r;
  fat_err err;

  setenv("TZ", "<-03>3", 1);
  tzset();
  exec_ok(st, "INSERT INTO prestador (id, nome, cnpj) VALUES (1, 'Clínica', '11222333000181');"
              "INSERT INTO operadora (id, registro_ans, nome, script) VALUES (1, '312347',"
              " 'Aurora', 'aurora');"
              "INSERT INTO beneficiario (id, nome, cpf) VALUES (1, 'Maria Sigilosa',"
              " '12345678909');"
              "INSERT INTO guia (id, prestador_id, operadora_id, beneficiario_id, tipo,"
              " numero_prestador, carteira_numero, data_inicio, valor_total, competencia, status)"
              " VALUES (1, 1, 1, 1, 'sp-sadt', 'G1', 'C1', '2026-12-01', 10000, '2026-12',"
              " 'glosada');"
              "INSERT INTO glosa (guia_id, codigo, valor, origem, classificacao, situacao,"
              " criado_em) VALUES (1, '1705', 1000, 'manual', 'indevida', 'aberta',"
              " '2027-01-01T01:30:00Z')");
  fat_err_clear(&err);
  assert_int_equal(fat_titular_exportar(st, NULL, "12345678909", &doc, NULL, NULL, &err), FAT_OK);
  r = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "retencao"), 0);
  assert_non_null(r);
  assert_string_equal(cJSON_GetObjectItem(r, "ultimo_evento")->valuestring, "2026-12-31");
  assert_string_equal(cJSON_GetObjectItem(r, "guardar_ate")->valuestring, "2031-12-31");
  cJSON_Delete(doc);
}

/* A particular paid yesterday is within retention: refused, saying until
** when; judged 10 years on, it is anonymized and its amount stays. */
static void test_retencao(void **state)
{
  fat_store *st = *state;
  fat_titular_anonimizacao res;
  cJSON *doc = NULL;
  fat_err err;
  int anos = 0;
  char *html = NULL;
  size_t html_len = 0;

  exec_ok(st, "INSERT INTO particular (id, paciente_nome, paciente_cpf, data, codigo, valor,"
              " status) VALUES (7, 'Joana Reservada', '12345678909', '2026-01-10', '10101012',"
              " 25000, 'pago')");
  exec_ok(st, "INSERT INTO particular_pagamento (particular_id, recibo, data, valor, forma)"
              " VALUES (7, 1, '2026-01-10', 25000, 'pix')");
  fat_err_clear(&err);
  assert_int_equal(fat_lgpd_retencao(st, &anos, &err), FAT_OK);
  assert_int_equal(anos, FAT_LGPD_RETENCAO_PADRAO);
  assert_int_equal(fat_lgpd_retencao_definir(st, 0, &err), FAT_EINVAL);
  assert_int_equal(fat_lgpd_retencao_definir(st, 31, &err), FAT_EINVAL);
  assert_int_equal(fat_titular_exportar(st, NULL, "12345678909", &doc, &html, &html_len, &err),
                   FAT_OK);
  assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "particulares")), 1);
  assert_non_null(strstr(html, "Joana Reservada"));
  assert_non_null(strstr(html, "123.456.789-09"));
  cJSON_Delete(doc);
  fat_free(html);
  assert_int_equal(fat_titular_anonimizar(st, "12345678909", "2026-06-01", &res, &err),
                   FAT_ESTATE);
  assert_non_null(strstr(err.msg, "guardar até 10/01/2031"));
  if (fat_titular_anonimizar(st, "12345678909", "2031-01-11", &res, &err) != FAT_OK)
    fail_msg("anonimizar fora do prazo: %s", err.msg);
  assert_int_equal(res.particulares, 1);
  assert_int_equal(fat_titular_exportar(st, NULL, "12345678909", &doc, NULL, NULL, &err),
                   FAT_ENOTFOUND);
  {
    fat_stmt *s;

    assert_int_equal(fat_store_prepare(st,
                                       "SELECT paciente_nome, paciente_cpf, valor FROM particular"
                                       " WHERE id = 7",
                                       &s, &err),
                     FAT_OK);
    assert_int_equal(fat_stmt_step(s), FAT_ROW);
    assert_null(strstr(fat_col_text(s, 0), "Joana"));
    assert_true(fat_col_is_null(s, 1) || strcmp(fat_col_text(s, 1), "12345678909") != 0);
    assert_int_equal(fat_col_int64(s, 2), 25000);
    fat_stmt_reset(s);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_mascaras),
    cmocka_unit_test(test_papeis),
    cmocka_unit_test(test_ids_texto),
    cmocka_unit_test_setup_teardown(test_registro_so_ids, setup, teardown),
    cmocka_unit_test_setup_teardown(test_retencao, setup, teardown),
    cmocka_unit_test_setup_teardown(test_acessos_desde_um_dia_local, setup, teardown),
    cmocka_unit_test_setup_teardown(test_retencao_conta_do_dia_local_do_ultimo_evento, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_titular_export_accesses_local_time_labels, setup,
                                    teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
