/* test_model.c: guia model: JSON form, load/save, OOM (money: test_money.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fat_cadastro.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_money.h"
#include "fat_store_int.h"
#include "fat_store_sqlite.h"

static const char *db_path = "test_model.db";

static void remove_db(void)
{
  unlink(db_path);
  unlink("test_model.db-wal");
  unlink("test_model.db-shm");
}

static void test_tipo(void **state)
{
  (void)state;
  assert_string_equal(fat_guia_tipo_str(FAT_GUIA_CONSULTA), "consulta");
  assert_string_equal(fat_guia_tipo_str(FAT_GUIA_SADT), "sp-sadt");
  assert_string_equal(fat_guia_tipo_str(FAT_GUIA_HONORARIOS), "honorarios");
  assert_string_equal(fat_guia_tipo_str(FAT_GUIA_INTERNACAO), "resumo-internacao");
  assert_int_equal(fat_guia_tipo_parse("resumo-internacao"), FAT_GUIA_INTERNACAO);
  assert_int_equal(fat_guia_tipo_parse("sadt"), FAT_GUIA_SADT);
  assert_int_equal(fat_guia_tipo_parse("odonto"), -1);
  assert_int_equal(fat_guia_tipo_parse(NULL), -1);
}

/* ---- JSON ---- */

static cJSON *load_good_json(void)
{
  const char *src = getenv("FAT_SOURCE_DIR");
  char path[1024], *data = NULL;
  size_t len = 0;
  fat_err err;
  cJSON *j;

  snprintf(path, sizeof path, "%s/tests/data/import/good.json", src != NULL ? src : "../..");
  assert_int_equal(fat_file_read(path, 1 << 20, &data, &len, &err), FAT_OK);
  j = cJSON_ParseWithLength(data, len);
  fat_free(data);
  assert_non_null(j);
  return j;
}

static const cJSON *guia_n(const cJSON *root, int i)
{
  return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "guias"), i);
}

/* Drop what the store adds (ids, status, revisão, origem) for comparisons. */
static void strip_meta(cJSON *j)
{
  cJSON *it;

  cJSON_DeleteItemFromObjectCaseSensitive(j, "id");
  cJSON_DeleteItemFromObjectCaseSensitive(j, "status");
  cJSON_DeleteItemFromObjectCaseSensitive(j, "revisao");
  cJSON_DeleteItemFromObjectCaseSensitive(j, "origem");
  cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(j, "itens"))
  cJSON_DeleteItemFromObjectCaseSensitive(it, "id");
}

static void test_json_round_trip_each_type(void **state)
{
  cJSON *root = load_good_json();
  int i;

  (void)state;
  for (i = 0; i < 4; i++) {
    const cJSON *in = guia_n(root, i);
    fat_guia *g = NULL, *g2 = NULL;
    cJSON *j1, *j2;
    fat_err err;

    assert_int_equal(fat_guia_from_json(in, &g, &err), FAT_OK);
    assert_int_equal((int)g->tipo, i);
    j1 = fat_guia_to_json(g);
    assert_non_null(j1);
    /* the input is already in canonical form: the output equals it */
    if (!cJSON_Compare(in, j1, 1)) {
      char *a = cJSON_Print(in), *b = cJSON_Print(j1);

      fail_msg("guia %d difere:\n%s\n---\n%s", i, a, b);
    }
    assert_int_equal(fat_guia_from_json(j1, &g2, &err), FAT_OK);
    j2 = fat_guia_to_json(g2);
    assert_true(cJSON_Compare(j1, j2, 1));
    cJSON_Delete(j1);
    cJSON_Delete(j2);
    fat_guia_free(g2);
    fat_guia_free(g);
  }
  cJSON_Delete(root);
}

static void test_json_values(void **state)
{
  cJSON *root = load_good_json();
  fat_guia *g = NULL;
  fat_err err;

  (void)state;
  assert_int_equal(fat_guia_from_json(guia_n(root, 1), &g, &err), FAT_OK);
  assert_int_equal(g->tipo, FAT_GUIA_SADT);
  assert_string_equal(g->operadora.registro_ans, "312347");
  assert_string_equal(g->beneficiario.cpf, "52998224725");
  assert_int_equal(g->n_itens, 3);
  assert_true(g->itens[1].quantidade_e4 == 25000);
  assert_true(g->itens[1].valor_unitario == 345);
  assert_true(g->itens[1].valor_total == 863);
  assert_true(g->valor_total == 128963);
  assert_int_equal(g->pedido_medico, 1);
  assert_string_equal(g->solicitante->numero_conselho, "123456");
  assert_string_equal(g->itens[0].hora_fim, "08:00:00");
  fat_guia_free(g);

  assert_int_equal(fat_guia_from_json(guia_n(root, 2), &g, &err), FAT_OK);
  assert_true(g->itens[1].fator_e2 == 70);
  assert_null(g->itens[1].profissional->numero_conselho);
  assert_string_equal(g->itens[0].profissional->nome, "Dr. Paulo Lima");
  fat_guia_free(g);
  cJSON_Delete(root);
}

typedef struct bad_case {
  const char *json;
  const char *msg; /* expected prefix */
} bad_case;

static void test_json_errors(void **state)
{
  static const bad_case cases[] = {
    {"{\"operadora\":{\"registro_ans\":\"312347\"}}", "tipo: campo obrigatório ausente"},
    {"{\"tipo\":\"odonto\"}", "tipo: tipo de guia inválido"},
    {"{\"tipo\":\"consulta\",\"prestador\":{\"cnpj\":\"1\"},\"numero_prestador\":\"1\","
     "\"itens\":[{\"codigo_tabela\":\"22\",\"codigo\":\"1\",\"quantidade\":\"1\"}]}",
     "operadora.registro_ans: campo obrigatório ausente"},
    {"{\"tipo\":\"consulta\",\"operadora\":{\"registro_ans\":\"312347\"},\"prestador\":{\"cnpj\":"
     "\"1\"},\"numero_prestador\":\"1\",\"data_inicio\":\"2024-02-30\",\"itens\":[]}",
     "data_inicio: data inválida '2024-02-30'"},
    {"{\"tipo\":\"consulta\",\"operadora\":{\"registro_ans\":\"312347\"},\"prestador\":{\"cnpj\":"
     "\"1\"},\"numero_prestador\":\"1\",\"itens\":[]}",
     "itens: a guia precisa de pelo menos um item"},
    {"{\"tipo\":\"consulta\",\"operadora\":{\"registro_ans\":\"312347\"},\"prestador\":{\"cnpj\":"
     "\"1\"},\"numero_prestador\":\"1\",\"itens\":[{\"codigo_tabela\":\"22\",\"codigo\":\"1\","
     "\"quantidade\":\"1\"},{\"codigo_tabela\":\"22\",\"codigo\":\"1\",\"quantidade\":\"1\"},"
     "{\"codigo_tabela\":\"22\",\"codigo\":\"1\",\"quantidade\":\"dois\"}]}",
     "itens[2].quantidade: número inválido 'dois'"},
    {"{\"tipo\":\"consulta\",\"operadora\":{\"registro_ans\":\"312347\"},\"prestador\":{\"cnpj\":"
     "\"1\"},\"numero_prestador\":\"1\",\"itens\":[{\"codigo_tabela\":\"22\",\"codigo\":\"1\","
     "\"quantidade\":\"1\",\"valor_unitario\":\"1,999\"}]}",
     "itens[0].valor_unitario: número inválido '1,999': mais de 2 casas decimais"},
    {"{\"tipo\":\"consulta\",\"operadora\":{\"registro_ans\":\"312347\"},\"prestador\":{\"cnpj\":"
     "\"1\"},\"numero_prestador\":\"1\",\"beneficiario\":{\"sexo\":\"X\"},\"itens\":[]}",
     "beneficiario.sexo: valor inválido 'X' (use M, F, I)"},
    {"{\"tipo\":\"consulta\",\"operadora\":{\"registro_ans\":\"312347\"},\"prestador\":{\"cnpj\":"
     "\"1\"},\"numero_prestador\":\"1\",\"itens\":[{\"codigo_tabela\":\"22\",\"codigo\":\"1\","
     "\"quantidade\":\"1\",\"profissional\":{\"nome\":[7]}}]}",
     "itens[0].profissional.nome: tipo inválido"},
    {"{\"tipo\":\"consulta\",\"operadora\":{\"registro_ans\":\"312347\"},\"prestador\":{\"cnpj\":"
     "\"1\"},\"numero_prestador\":\"1\",\"itens\":[{\"codigo_tabela\":\"22\",\"codigo\":\"1\","
     "\"quantidade\":\"1\",\"sequencial\":4},{\"codigo_tabela\":\"22\",\"codigo\":\"2\","
     "\"quantidade\":\"1\",\"sequencial\":4}]}",
     "itens[1].sequencial: sequencial repetido"},
    {"[1,2]", "a guia deve ser um objeto JSON"},
  };
  size_t i;

  (void)state;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    cJSON *j = cJSON_Parse(cases[i].json);
    fat_guia *g = (fat_guia *)1;
    fat_err err;
    fat_rc rc;

    assert_non_null(j);
    rc = fat_guia_from_json(j, &g, &err);
    cJSON_Delete(j);
    if (rc != FAT_EINVAL || strncmp(err.msg, cases[i].msg, strlen(cases[i].msg)) != 0)
      fail_msg("caso %zu: rc %d msg '%s', esperado '%s'", i, rc, err.msg, cases[i].msg);
    assert_null(g);
  }
}

/* Valor total absent = sum of the items' totals. */
static void test_json_defaults(void **state)
{
  cJSON *j = cJSON_Parse(
      "{\"tipo\":\"sadt\",\"operadora\":{\"registro_ans\":\"312347\"},\"prestador\":{\"cnpj\":"
      "\"11.222.333/0001-81\"},\"numero_prestador\":\"9\",\"beneficiario\":{\"nome\":\"Ana\"},"
      "\"hora_inicio\":\"07:05\",\"itens\":[{\"codigo_tabela\":\"22\",\"codigo\":\"1\","
      "\"quantidade\":1,\"valor_total\":\"10,10\"},{\"codigo_tabela\":\"19\",\"codigo\":\"2\","
      "\"quantidade\":\"0,5\",\"valor_total\":2.25},{\"codigo_tabela\":\"19\",\"codigo\":\"3\","
      "\"quantidade\":\"1\"}]}");
  fat_guia *g = NULL;
  fat_err err;

  (void)state;
  assert_int_equal(fat_guia_from_json(j, &g, &err), FAT_OK);
  assert_true(g->valor_total == 1235);
  assert_string_equal(g->prestador.cnpj, "11222333000181");
  assert_string_equal(g->beneficiario_nome, "Ana");
  assert_string_equal(g->hora_inicio, "07:05:00");
  assert_int_equal(g->itens[2].sequencial, 3);
  assert_string_equal(g->itens[2].tipo, "procedimento");
  assert_true(g->itens[2].valor_unitario == FAT_ABSENT);
  assert_true(g->itens[2].fator_e2 == 100);
  assert_true(g->itens[1].quantidade_e4 == 5000);
  fat_guia_free(g);
  cJSON_Delete(j);
}

/* ---- store ---- */

static fat_store *open_with_cadastro(void)
{
  fat_store *st = NULL;
  fat_err err;

  remove_db();
  assert_int_equal(fat_store_create(db_path, &st, &err), FAT_OK);
  assert_int_equal(fat_cadastro_prestador(st, "Clínica Exemplo", "11.222.333/0001-81", "1234567",
                                          NULL, &err),
                   FAT_OK);
  assert_int_equal(fat_cadastro_operadora(st, "312347", "Aurora Saúde", "aurora", "A-10234", NULL,
                                          NULL, &err),
                   FAT_OK);
  return st;
}

static int64_t count(fat_store *st, const char *sql)
{
  sqlite3_stmt *s;
  int64_t n = -1;

  assert_int_equal(sqlite3_prepare_v2(fat_store_db(st), sql, -1, &s, NULL), SQLITE_OK);
  if (sqlite3_step(s) == SQLITE_ROW)
    n = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return n;
}

static void test_save_load_each_type(void **state)
{
  fat_store *st = open_with_cadastro();
  cJSON *root = load_good_json();
  int i;

  (void)state;
  for (i = 0; i < 4; i++) {
    const cJSON *in = guia_n(root, i);
    fat_guia *g = NULL, *l = NULL;
    cJSON *j;
    fat_err err;

    assert_int_equal(fat_guia_from_json(in, &g, &err), FAT_OK);
    assert_int_equal(fat_guia_save(st, g, &err), FAT_OK);
    assert_true(g->id == i + 1);
    assert_true(g->revisao == 1);
    assert_true(g->itens[0].id > 0);
    assert_int_equal(fat_guia_load(st, g->id, &l, &err), FAT_OK);
    assert_string_equal(l->status, "digitada");
    j = fat_guia_to_json(l);
    strip_meta(j);
    if (!cJSON_Compare(in, j, 1)) {
      char *a = cJSON_Print(in), *b = cJSON_Print(j);

      fail_msg("guia %d difere depois de gravar/ler:\n%s\n---\n%s", i, a, b);
    }
    cJSON_Delete(j);
    fat_guia_free(l);
    fat_guia_free(g);
  }
  /* two beneficiários (matched by CPF), three named profissionais + one without número */
  assert_int_equal(count(st, "SELECT count(*) FROM beneficiario"), 2);
  assert_int_equal(count(st, "SELECT count(*) FROM carteira"), 2);
  assert_int_equal(count(st, "SELECT count(*) FROM profissional"), 3);
  assert_int_equal(count(st, "SELECT count(*) FROM plano"), 2);
  assert_int_equal(count(st, "SELECT count(*) FROM item"), 10);
  assert_int_equal(count(st, "SELECT valor_total FROM item WHERE codigo = '70012345'"), 863);
  assert_int_equal(count(st, "SELECT quantidade_e4 FROM item WHERE codigo = '60031000'"), 42500);
  cJSON_Delete(root);
  fat_store_close(st);
}

static void test_save_replace_and_find(void **state)
{
  fat_store *st = open_with_cadastro();
  cJSON *root = load_good_json();
  fat_guia *g = NULL, *l = NULL;
  int64_t id = 0, item1;
  fat_err err;

  (void)state;
  assert_int_equal(fat_guia_from_json(guia_n(root, 1), &g, &err), FAT_OK);
  assert_int_equal(fat_guia_save(st, g, &err), FAT_OK);
  item1 = g->itens[0].id;
  assert_int_equal(fat_guia_find(st, "312347", "S-0002", &id, &err), FAT_OK);
  assert_true(id == g->id);
  assert_int_equal(fat_guia_find(st, "312347", "nada", &id, &err), FAT_ENOTFOUND);

  /* replace: drop item 3, change item 1's value; revisão 2, item ids kept */
  g->n_itens = 2;
  fat_free(g->itens[2].tipo); /* free the dropped item's strings by hand */
  fat_free(g->itens[2].codigo_tabela);
  fat_free(g->itens[2].codigo);
  fat_free(g->itens[2].descricao);
  fat_free(g->itens[2].data);
  fat_free(g->itens[2].unidade_medida);
  g->itens[0].valor_total = 19900;
  assert_int_equal(fat_guia_save(st, g, &err), FAT_OK);
  assert_true(g->revisao == 2);
  assert_int_equal(fat_guia_load(st, g->id, &l, &err), FAT_OK);
  assert_true(l->revisao == 2);
  assert_int_equal(l->n_itens, 2);
  assert_true(l->itens[0].id == item1);
  assert_true(l->itens[0].valor_total == 19900);
  assert_int_equal(count(st, "SELECT count(*) FROM guia"), 1);
  fat_guia_free(l);
  fat_guia_free(g);

  assert_int_equal(fat_guia_load(st, 999, &l, &err), FAT_ENOTFOUND);
  assert_null(l);
  cJSON_Delete(root);
  fat_store_close(st);
}

static void test_save_requires_cadastro(void **state)
{
  fat_store *st = open_with_cadastro();
  cJSON *root = load_good_json();
  cJSON *in = cJSON_Duplicate(guia_n(root, 0), 1);
  fat_guia *g = NULL;
  fat_err err;

  (void)state;
  cJSON_ReplaceItemInObject(cJSON_GetObjectItem(in, "operadora"), "registro_ans",
                            cJSON_CreateString("999999"));
  assert_int_equal(fat_guia_from_json(in, &g, &err), FAT_OK);
  assert_int_equal(fat_guia_save(st, g, &err), FAT_ENOTFOUND);
  assert_non_null(strstr(err.msg, "operadora com registro ANS '999999' não cadastrada"));
  assert_true(g->id == 0);
  fat_guia_free(g);
  cJSON_ReplaceItemInObject(cJSON_GetObjectItem(in, "operadora"), "registro_ans",
                            cJSON_CreateString("312347"));
  cJSON_ReplaceItemInObject(cJSON_GetObjectItem(in, "prestador"), "cnpj",
                            cJSON_CreateString("11444777000161"));
  assert_int_equal(fat_guia_from_json(in, &g, &err), FAT_OK);
  assert_int_equal(fat_guia_save(st, g, &err), FAT_ENOTFOUND);
  assert_non_null(strstr(err.msg, "prestador com CNPJ 11444777000161 não cadastrado"));
  fat_guia_free(g);
  assert_int_equal(count(st, "SELECT count(*) FROM guia"), 0);
  assert_int_equal(count(st, "SELECT count(*) FROM beneficiario"), 0);
  cJSON_Delete(in);
  cJSON_Delete(root);
  fat_store_close(st);
  remove_db();
}

static void test_beneficiario_by_carteira(void **state)
{
  fat_store *st = open_with_cadastro();
#define BENEF_FMT                                                                        \
  "{\"tipo\":\"consulta\",\"operadora\":{\"registro_ans\":\"312347\"},"                   \
  "\"prestador\":{\"cnpj\":\"11222333000181\"},\"numero_prestador\":\"%s\","            \
  "\"beneficiario_nome\":\"%s\",\"carteira_numero\":\"C1\",\"itens\":[{"               \
  "\"codigo_tabela\":\"22\",\"codigo\":\"10101012\",\"quantidade\":\"1\"}]}"
  char buf[600];
  int k;

  (void)state;
  for (k = 0; k < 2; k++) {
    cJSON *j;
    fat_guia *g = NULL;
    fat_err err;

    snprintf(buf, sizeof buf, BENEF_FMT, k == 0 ? "N1" : "N2", k == 0 ? "Ana" : "Ana Maria");
    j = cJSON_Parse(buf);
    assert_int_equal(fat_guia_from_json(j, &g, &err), FAT_OK);
    assert_int_equal(fat_guia_save(st, g, &err), FAT_OK);
    fat_guia_free(g);
    cJSON_Delete(j);
  }
  assert_int_equal(count(st, "SELECT count(*) FROM beneficiario"), 1);
  assert_int_equal(count(st, "SELECT count(DISTINCT beneficiario_id) FROM guia"), 1);
  fat_store_close(st);
  remove_db();
}

/* ---- OOM ---- */

static void test_oom_json(void **state)
{
  cJSON *root = load_good_json();
  cJSON_Hooks hooks = {fat_malloc, fat_free};
  long n;
  int ok = 0, i;

  (void)state;
  cJSON_InitHooks(&hooks); /* cJSON allocations fail too */
  for (i = 0; i < 4; i++) {
    ok = 0;
    for (n = 0; n < 100000 && !ok; n++) {
      fat_guia *g = NULL;
      cJSON *j = NULL;
      fat_err err;
      fat_rc rc;

      fat_test_fail_alloc_after(n);
      rc = fat_guia_from_json(guia_n(root, i), &g, &err);
      if (rc == FAT_OK) {
        j = fat_guia_to_json(g);
        if (j == NULL)
          rc = FAT_ENOMEM;
      }
      fat_test_fail_alloc_after(-1);
      if (rc == FAT_OK) {
        ok = 1;
      } else {
        assert_int_equal(rc, FAT_ENOMEM);
        if (g == NULL)
          assert_non_null(strstr(err.msg, "memória insuficiente"));
      }
      cJSON_Delete(j);
      fat_guia_free(g);
    }
    assert_true(ok);
    assert_true(n > 10);
  }
  cJSON_InitHooks(NULL);
  cJSON_Delete(root);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_tipo),
    cmocka_unit_test(test_json_round_trip_each_type),
    cmocka_unit_test(test_json_values),
    cmocka_unit_test(test_json_errors),
    cmocka_unit_test(test_json_defaults),
    cmocka_unit_test(test_save_load_each_type),
    cmocka_unit_test(test_save_replace_and_find),
    cmocka_unit_test(test_save_requires_cadastro),
    cmocka_unit_test(test_beneficiario_by_carteira),
    cmocka_unit_test(test_oom_json),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
