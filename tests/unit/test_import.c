/* test_import.c: import/export of files of guias (JSON, CSV, Latin-1, errors). */
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
#include "fat_docnum.h"
#include "fat_export.h"
#include "fat_import.h"
#include "fat_import_int.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_operadora.h"
#include "fat_store_int.h"
#include "fat_store_sqlite.h"

static fat_store *open_db(const char *path)
{
  fat_store *st = NULL;
  fat_err err;

  fat_store_remove_files(path);
  assert_int_equal(fat_store_create(path, &st, &err), FAT_OK);
  assert_int_equal(fat_cadastro_prestador(st, "Clínica Exemplo", "11.222.333/0001-81", NULL, NULL,
                                          &err),
                   FAT_OK);
  assert_int_equal(fat_cadastro_operadora(st, "312347", "Aurora Saúde", "aurora", "A-10234", NULL,
                                          NULL, &err),
                   FAT_OK);
  return st;
}

static const char *data_path(const char *name)
{
  static char path[1024];
  const char *src = getenv("FAT_SOURCE_DIR");

  snprintf(path, sizeof path, "%s/tests/data/import/%s", src != NULL ? src : "../..", name);
  return path;
}

static int64_t q1(fat_store *st, const char *sql)
{
  sqlite3_stmt *s;
  int64_t n = -1;

  assert_int_equal(sqlite3_prepare_v2(fat_store_db(st), sql, -1, &s, NULL), SQLITE_OK);
  if (sqlite3_step(s) == SQLITE_ROW)
    n = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return n;
}

/* Text of the first column of the first row (static buffer). */
static const char *qs(fat_store *st, const char *sql)
{
  static char buf[512];
  sqlite3_stmt *s;

  buf[0] = '\0';
  assert_int_equal(sqlite3_prepare_v2(fat_store_db(st), sql, -1, &s, NULL), SQLITE_OK);
  if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) != NULL)
    snprintf(buf, sizeof buf, "%s", (const char *)sqlite3_column_text(s, 0));
  sqlite3_finalize(s);
  return buf;
}

static void test_import_json(void **state)
{
  fat_store *st = open_db("test_import_a.db");
  fat_import_result res;
  fat_err err;

  (void)state;
  assert_int_equal(fat_import_guias_file(st, data_path("good.json"), FAT_FMT_AUTO, &res, &err),
                   FAT_OK);
  assert_int_equal(res.novas, 4);
  assert_int_equal(res.atualizadas, 0);
  assert_int_equal(res.itens, 10);
  assert_int_equal(q1(st, "SELECT count(*) FROM guia"), 4);
  assert_int_equal(q1(st, "SELECT count(*) FROM item"), 10);
  assert_int_equal(q1(st, "SELECT valor_total FROM guia WHERE numero_prestador = 'I-0004'"),
                   335036);
  assert_string_equal(qs(st, "SELECT tipo FROM guia WHERE numero_prestador = 'H-0003'"),
                      "honorarios");
  assert_int_equal(q1(st, "SELECT fator_e2 FROM item i JOIN guia g ON g.id = i.guia_id WHERE "
                          "g.numero_prestador = 'H-0003' AND i.sequencial = 2"),
                   70);
  assert_string_equal(qs(st, "SELECT nome FROM beneficiario WHERE cpf = '11144477735'"),
                      "Maria Conceição");
  assert_int_equal(q1(st, "SELECT count(*) FROM auditoria WHERE acao = 'guia.importar'"), 1);
  assert_non_null(strstr(qs(st, "SELECT origem FROM guia WHERE id = 1"), "good.json"));

  /* re-import: updates, revisão 2 */
  assert_int_equal(fat_import_guias_file(st, data_path("good.json"), FAT_FMT_JSON, &res, &err),
                   FAT_OK);
  assert_int_equal(res.novas, 0);
  assert_int_equal(res.atualizadas, 4);
  assert_int_equal(q1(st, "SELECT count(*) FROM guia WHERE revisao = 2"), 4);
  assert_int_equal(q1(st, "SELECT count(*) FROM item"), 10);

  /* a guia in a lote refuses the whole file */
  assert_int_equal(fat_store_exec(st, "UPDATE guia SET status = 'em_lote' WHERE "
                                      "numero_prestador = 'H-0003'",
                                  &err),
                   FAT_OK);
  assert_int_equal(fat_import_guias_file(st, data_path("good.json"), FAT_FMT_JSON, &res, &err),
                   FAT_ESTATE);
  assert_non_null(strstr(err.msg, "guias[2]"));
  assert_non_null(strstr(err.msg, "H-0003"));
  assert_non_null(strstr(err.msg, "em lote"));
  assert_int_equal(q1(st, "SELECT count(*) FROM guia WHERE revisao = 3"), 0);
  fat_store_close(st);
  fat_store_remove_files("test_import_a.db");
}

static void test_import_csv(void **state)
{
  fat_store *st = open_db("test_import_b.db");
  fat_import_result res;
  fat_err err;

  (void)state;
  assert_int_equal(fat_import_guias_file(st, data_path("good.csv"), FAT_FMT_AUTO, &res, &err),
                   FAT_OK);
  assert_int_equal(res.novas, 4);
  assert_int_equal(res.itens, 5);
  assert_int_equal(res.latin1, 0);
  assert_int_equal(q1(st, "SELECT count(*) FROM item i JOIN guia g ON g.id = i.guia_id WHERE "
                          "g.numero_prestador = 'CSV-2'"),
                   2);
  /* quoted fields: separator, doubled quotes and a newline inside */
  assert_string_equal(qs(st, "SELECT observacao FROM guia WHERE numero_prestador = 'CSV-1'"),
                      "obs; com ponto e vírgula");
  assert_string_equal(qs(st, "SELECT observacao FROM guia WHERE numero_prestador = 'CSV-2'"),
                      "linha 1\nlinha 2 com \"aspas\" e ; separador");
  assert_string_equal(qs(st, "SELECT descricao FROM item WHERE codigo = '40304361'"),
                      "Hemograma; completo");
  /* decimal comma, thousands, quantity */
  assert_int_equal(q1(st, "SELECT valor_unitario FROM item WHERE codigo = '40901106'"), 118000);
  assert_int_equal(q1(st, "SELECT quantidade_e4 FROM item WHERE codigo = '70012345'"), 25000);
  assert_int_equal(q1(st, "SELECT valor_total FROM guia WHERE numero_prestador = 'CSV-2'"), 2113);
  /* the guia of line 8 (after a blank line) */
  assert_string_equal(qs(st, "SELECT data_inicio FROM guia WHERE numero_prestador = 'CSV-4'"),
                      "2024-05-13");
  assert_int_equal(q1(st, "SELECT count(*) FROM beneficiario"), 2);
  fat_store_close(st);
  fat_store_remove_files("test_import_b.db");
}

static void test_import_csv_bad_row(void **state)
{
  fat_store *st = open_db("test_import_c.db");
  fat_import_result res;
  fat_err err;
  int64_t before;

  (void)state;
  assert_int_equal(fat_import_guias_file(st, data_path("good.csv"), FAT_FMT_AUTO, &res, &err),
                   FAT_OK);
  before = q1(st, "SELECT count(*) FROM guia");
  assert_int_equal(before, 4);
  assert_int_equal(fat_import_guias_file(st, data_path("bad_row7.csv"), FAT_FMT_AUTO, &res, &err),
                   FAT_EINVAL);
  assert_non_null(strstr(err.msg, "linha 7"));
  assert_non_null(strstr(err.msg, "campo data_inicio"));
  assert_non_null(strstr(err.msg, "2024-02-30"));
  assert_int_equal(q1(st, "SELECT count(*) FROM guia"), before);
  assert_int_equal(q1(st, "SELECT count(*) FROM guia WHERE numero_prestador LIKE 'B-%'"), 0);
  assert_int_equal(res.novas, 0);
  fat_store_close(st);
  fat_store_remove_files("test_import_c.db");
}

static void test_import_latin1(void **state)
{
  fat_store *st = open_db("test_import_d.db");
  fat_import_result res;
  fat_err err;

  (void)state;
  assert_int_equal(fat_import_guias_file(st, data_path("latin1.csv"), FAT_FMT_AUTO, &res, &err),
                   FAT_OK);
  assert_int_equal(res.latin1, 1);
  assert_int_equal(res.novas, 1);
  assert_string_equal(qs(st, "SELECT beneficiario_nome FROM guia"), "João Conceição Araújo");
  assert_string_equal(qs(st, "SELECT nome FROM profissional"), "Dr. Estêvão Müller");
  assert_string_equal(qs(st, "SELECT descricao FROM item"), "Consulta, retorno não");
  assert_int_equal(q1(st, "SELECT valor_unitario FROM item"), 15000);
  fat_store_close(st);
  fat_store_remove_files("test_import_d.db");
}

typedef struct buf_case {
  const char *text;
  fat_formato fmt;
  fat_rc rc;
  const char *msg;
} buf_case;

#define CSV_H "tipo;operadora.registro_ans;prestador.cnpj;numero_prestador;data_inicio;" \
              "item.codigo_tabela;item.codigo;item.quantidade\n"

static void test_import_errors(void **state)
{
  static const buf_case cases[] = {
    {CSV_H "consulta;312347;11222333000181;X1;2024-05-01;22;10101012;1\n"
           "consulta;312347;11222333000181;X1;2024-05-02;22;10101012;1\n",
     FAT_FMT_CSV, FAT_EINVAL, "linha 3, campo data_inicio: valor '2024-05-02' difere do da linha 2"},
    {CSV_H "consulta;312347;11222333000181;X1;2024-05-01;22;10101012;um\n", FAT_FMT_CSV,
     FAT_EINVAL, "linha 2, campo item.quantidade: número inválido"},
    {"tipo;coluna_x\nconsulta;1\n", FAT_FMT_CSV, FAT_EINVAL, "linha 1: coluna desconhecida"},
    {CSV_H "consulta;312347;11222333000181;\"X1;2024-05-01;22;10101012;1\n", FAT_FMT_CSV,
     FAT_EINVAL, "linha 2: aspas não fechadas"},
    {CSV_H "consulta;999999;11222333000181;X1;2024-05-01;22;10101012;1\n", FAT_FMT_CSV,
     FAT_ENOTFOUND, "linha 2, campo operadora.registro_ans: operadora com registro ANS '999999' não cadastrada; as cadastradas são: 312347 (aurora"},
    {CSV_H, FAT_FMT_CSV, FAT_EINVAL, "o arquivo não contém nenhuma guia"},
    {"{\"guias\":[{\"tipo\":\"consulta\",\"operadora\":{\"registro_ans\":\"312347\"},"
     "\"prestador\":{\"cnpj\":\"11222333000181\"},\"numero_prestador\":\"J1\",\"itens\":[{"
     "\"codigo_tabela\":\"22\",\"codigo\":\"1\",\"quantidade\":\"1\"}]},{\"tipo\":\"consulta\","
     "\"operadora\":{\"registro_ans\":\"312347\"},\"prestador\":{\"cnpj\":\"11222333000181\"},"
     "\"numero_prestador\":\"J2\",\"itens\":[{\"codigo_tabela\":\"22\",\"codigo\":\"1\","
     "\"quantidade\":\"x\"}]}]}",
     FAT_FMT_AUTO, FAT_EINVAL, "guias[1], campo itens[0].quantidade: número inválido 'x'"},
    {"[{\"tipo\":\"consulta\",\"operadora\":{\"registro_ans\":\"312347\"},\"prestador\":{"
     "\"cnpj\":\"11222333000181\"},\"numero_prestador\":\"J1\",\"itens\":[{\"codigo_tabela\":"
     "\"22\",\"codigo\":\"1\",\"quantidade\":\"1\"}]},{\"tipo\":\"consulta\",\"operadora\":{"
     "\"registro_ans\":\"312347\"},\"prestador\":{\"cnpj\":\"11222333000181\"},"
     "\"numero_prestador\":\"J1\",\"itens\":[{\"codigo_tabela\":\"22\",\"codigo\":\"1\","
     "\"quantidade\":\"1\"}]}]",
     FAT_FMT_AUTO, FAT_EINVAL, "guias[1], campo numero_prestador: a guia J1"},
    /* operadoras and prestadores are resolved once per file: a second
    ** guia with another operadora is still looked up and named */
    {"[{\"tipo\":\"consulta\",\"operadora\":{\"registro_ans\":\"312347\"},\"prestador\":{"
     "\"cnpj\":\"11222333000181\"},\"numero_prestador\":\"J1\",\"itens\":[{\"codigo_tabela\":"
     "\"22\",\"codigo\":\"1\",\"quantidade\":\"1\"}]},{\"tipo\":\"consulta\",\"operadora\":{"
     "\"registro_ans\":\"999999\"},\"prestador\":{\"cnpj\":\"11222333000181\"},"
     "\"numero_prestador\":\"J2\",\"itens\":[{\"codigo_tabela\":\"22\",\"codigo\":\"1\","
     "\"quantidade\":\"1\"}]}]",
     FAT_FMT_AUTO, FAT_ENOTFOUND, "guias[1], campo operadora.registro_ans: operadora com registro ANS '999999' não cadastrada"},
    {CSV_H "consulta;312347;11222333000181;X1;2024-05-01;22;10101012;1\n"
           "consulta;312347;11222333000181;X2;2024-05-01;22;10101012;1\n"
           "consulta;312347;11222333000191;X3;2024-05-01;22;10101012;1\n",
     FAT_FMT_CSV, FAT_ENOTFOUND, "linha 4, campo prestador.cnpj: prestador com CNPJ 11222333000191 não cadastrado"},
    /* the lines of one guia need not be together; they must agree */
    {CSV_H "consulta;312347;11222333000181;X1;2024-05-01;22;10101012;1\n"
           "consulta;312347;11222333000181;X2;2024-05-01;22;10101012;1\n"
           "consulta;312347;11222333000181;X1;2024-05-03;22;10101012;1\n",
     FAT_FMT_CSV, FAT_EINVAL, "linha 4, campo data_inicio: valor '2024-05-03' difere do da linha 2"},
    {"{\"guias\": [\n{\"tipo\": }]}", FAT_FMT_JSON, FAT_EINVAL, "JSON inválido perto da linha 2"},
    {"{\"outra\":1}", FAT_FMT_JSON, FAT_EINVAL, "JSON sem lista de guias"},
  };
  fat_store *st = open_db("test_import_e.db");
  size_t i;

  (void)state;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    fat_import_result res;
    fat_err err;
    fat_rc rc = fat_import_guias_buffer(st, cases[i].text, strlen(cases[i].text), cases[i].fmt,
                                        "t", &res, &err);

    if (rc != cases[i].rc || strstr(err.msg, cases[i].msg) == NULL)
      fail_msg("caso %zu: rc %d '%s', esperado '%s'", i, rc, err.msg, cases[i].msg);
  }
  assert_int_equal(q1(st, "SELECT count(*) FROM guia"), 0);
  {
    fat_import_result res;
    fat_err err;

    /* the size limit is checked before anything is read */
    assert_int_equal(fat_import_guias_buffer(st, "x", FAT_IMPORT_MAX_BYTES + 1, FAT_FMT_CSV, NULL,
                                             &res, &err),
                     FAT_ELIMIT);
    assert_non_null(strstr(err.msg, "grande demais"));
  }
  fat_store_close(st);
  fat_store_remove_files("test_import_e.db");
}

/* Data that must not be accepted: each case names the row and the field,
** and nothing of the file is stored. Buffers with NUL bytes carry their
** length. */
typedef struct bad_case {
  const char *text;
  size_t len; /* 0 = strlen */
  fat_formato fmt;
  const char *msg;
} bad_case;

#define CSV_V "tipo;operadora.registro_ans;prestador.cnpj;numero_prestador;beneficiario.nome;" \
              "observacao;item.codigo_tabela;item.codigo;item.quantidade;item.valor_unitario;"  \
              "valor_total\n"
#define NUL_ROW CSV_V "consulta;312347;11222333000181;N1;Ana;x\0y;22;10101012;1;;\n"
#define JSON_G(extra) "{\"guias\":[{\"tipo\":\"consulta\",\"operadora\":{\"registro_ans\":" \
  "\"312347\"},\"prestador\":{\"cnpj\":\"11222333000181\"},\"numero_prestador\":\"J1\"," \
  extra "\"itens\":[{\"codigo_tabela\":\"22\",\"codigo\":\"10101012\"," \
  "\"quantidade\":\"1\"}]}]}"

static void test_import_refuses_bad_values_naming_row_and_field(void **state)
{
  static const bad_case cases[] = {
    {CSV_V "consulta;312347;11222333000181;N1;Ana;;22;10101012;1;-10,00;\n", 0, FAT_FMT_CSV,
     "linha 2, campo item.valor_unitario: número inválido '-10,00': valor negativo"},
    {CSV_V "consulta;312347;11222333000181;N1;Ana;;22;10101012;1;;-5\n", 0, FAT_FMT_CSV,
     "linha 2, campo valor_total: número inválido '-5': valor negativo"},
    {CSV_V "consulta;312347;11222333000181;N1;Ana;;22;10101012;1;92233720368547758,07;\n", 0,
     FAT_FMT_CSV, "linha 2, campo item.valor_unitario: valor acima do máximo de R$ 999.999,99"},
    {CSV_V "consulta;312347;11222333000181;N1;Ana;;22;10101012;1;;100000000,00\n", 0,
     FAT_FMT_CSV, "linha 2, campo valor_total: valor acima do máximo de R$ 99.999.999,99"},
    {CSV_V "consulta;312347;11222333000181;N1;Ana;;22;10101012;100000;;\n", 0, FAT_FMT_CSV,
     "linha 2, campo item.quantidade: valor acima do máximo de 99999,9999"},
    {CSV_V "consulta;312347;11222333000181;N1;Ana;a\001b;22;10101012;1;;\n", 0, FAT_FMT_CSV,
     "linha 2, campo observacao: caractere de controle (0x01)"},
    {CSV_V "consulta;312347;11222333000181;N1;A\tna;;22;10101012;1;;\n", 0, FAT_FMT_CSV,
     "linha 2, campo beneficiario.nome: caractere de controle (0x09)"},
    {NUL_ROW, sizeof NUL_ROW - 1, FAT_FMT_CSV, "linha 2: byte nulo (0x00)"},
    {CSV_V "consulta;312347;11222333000181;N123456789012345678901;Ana;;22;10101012;1;;\n", 0,
     FAT_FMT_CSV, "linha 2, campo numero_prestador: texto longo demais (22 caracteres; o máximo "
                  "é 20)"},
    {JSON_G("\"observacao\":\"a\\u0000b\",") , 0, FAT_FMT_JSON,
     "linha 1: caractere nulo (\\u0000)"},
    {JSON_G("\"senha\":\"12\\u00073\",") , 0, FAT_FMT_JSON,
     "guias[0], campo senha: caractere de controle (0x07)"},
    {JSON_G("\"valor_total\":\"-1.00\",") , 0, FAT_FMT_JSON,
     "guias[0], campo valor_total: número inválido '-1.00': valor negativo"},
    {JSON_G("\"valor_total\":-1,") , 0, FAT_FMT_JSON,
     "guias[0], campo valor_total: número inválido '-1': valor negativo"},
    {JSON_G("\"valor_total\":9.2233720368547758e18,") , 0, FAT_FMT_JSON,
     "guias[0], campo valor_total"},
    /* one bad byte in an UTF-8 file: refused naming its line, not re-read as Latin-1 */
    {CSV_V "consulta;312347;11222333000181;N1;Jos\xC3\xA9;;22;10101012;1;;\n"
           "consulta;312347;11222333000181;N2;Jo\xE3o;;22;10101012;1;;\n", 0, FAT_FMT_CSV,
     "linha 3: byte 0xE3 inválido em UTF-8"},
  };
  fat_store *st = open_db("test_import_k.db");
  size_t i;

  (void)state;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    fat_import_result res;
    fat_err err;
    size_t len = cases[i].len != 0 ? cases[i].len : strlen(cases[i].text);
    fat_rc rc = fat_import_guias_buffer(st, cases[i].text, len, cases[i].fmt, "t", &res, &err);

    if (rc == FAT_OK || strstr(err.msg, cases[i].msg) == NULL)
      fail_msg("caso %zu: rc %d '%s', esperado '%s'", i, rc, rc == FAT_OK ? "" : err.msg,
               cases[i].msg);
  }
  assert_int_equal(q1(st, "SELECT count(*) FROM guia"), 0);
  fat_store_close(st);
  fat_store_remove_files("test_import_k.db");
}

/* A 10 MB free-text field is refused by the TISS maximum of its field, with
** the row and the field named. */
static void test_import_refuses_huge_text_field(void **state)
{
  static const char head[] = CSV_V "consulta;312347;11222333000181;N1;Ana;";
  static const char tail[] = ";22;10101012;1;;\n";
  size_t big = (size_t)10 * 1024 * 1024, n = sizeof head - 1;
  char *buf = fat_malloc(n + big + sizeof tail);
  fat_store *st = open_db("test_import_l.db");
  fat_import_result res;
  fat_err err;

  (void)state;
  assert_non_null(buf);
  memcpy(buf, head, n);
  memset(buf + n, 'x', big);
  memcpy(buf + n + big, tail, sizeof tail);
  assert_int_equal(fat_import_guias_buffer(st, buf, n + big + sizeof tail - 1, FAT_FMT_CSV, "t",
                                           &res, &err),
                   FAT_EINVAL);
  assert_non_null(strstr(err.msg, "linha 2, campo observacao: texto longo demais (10485760 "
                                  "caracteres; o máximo é 500)"));
  assert_int_equal(q1(st, "SELECT count(*) FROM guia"), 0);
  fat_free(buf);
  fat_store_close(st);
  fat_store_remove_files("test_import_l.db");
}

static void test_comma_separator(void **state)
{
  static const char csv[] =
      "tipo,operadora.registro_ans,prestador.cnpj,numero_prestador,item.codigo_tabela,"
      "item.codigo,item.quantidade,item.valor_unitario\r\n"
      "consulta,312347,11222333000181,K1,22,10101012,1,\"1.234,50\"\r\n"
      "consulta,312347,11222333000181,K1,22,10101013,\"0,5\",99.90\r\n";
  fat_store *st = open_db("test_import_f.db");
  fat_import_result res;
  fat_err err;

  (void)state;
  assert_int_equal(
      fat_import_guias_buffer(st, csv, sizeof csv - 1, FAT_FMT_AUTO, NULL, &res, &err), FAT_OK);
  assert_int_equal(res.novas, 1);
  assert_int_equal(res.itens, 2);
  assert_int_equal(q1(st, "SELECT valor_unitario FROM item WHERE sequencial = 1"), 123450);
  assert_int_equal(q1(st, "SELECT quantidade_e4 FROM item WHERE sequencial = 2"), 5000);
  assert_int_equal(q1(st, "SELECT valor_unitario FROM item WHERE sequencial = 2"), 9990);
  fat_store_close(st);
  fat_store_remove_files("test_import_f.db");
}

/* The whole export in one buffer (*out NUL-terminated, fat_free), the way
** the tests read it, through fat_export_guias_escrever. */
static fat_rc buf_escreve(void *u, const char *p, size_t n, fat_err *err)
{
  return fat_buf_append(u, p, n, err);
}

static fat_rc export_buf(fat_store *st, const fat_export_filter *f, fat_formato fmt, char **out,
                         size_t *len, size_t *n, fat_err *err)
{
  fat_buf b;
  fat_rc rc;

  *out = NULL;
  fat_buf_init(&b, (size_t)1 << 30);
  rc = fat_export_guias_escrever(st, f, fmt, buf_escreve, &b, n, err);
  if (rc == FAT_OK)
    rc = fat_buf_append(&b, "", 0, err);
  if (rc == FAT_OK) {
    *len = b.len;
    *out = fat_buf_take(&b);
  }
  fat_buf_fini(&b);
  return rc;
}

/* export -> import into a fresh store -> export gives the same text. */
static void round_trip(fat_formato fmt, const char *input)
{
  fat_store *a = open_db("test_import_g.db");
  fat_store *b;
  fat_import_result res;
  fat_err err;
  char *out1 = NULL, *out2 = NULL;
  size_t len1 = 0, len2 = 0, n1 = 0, n2 = 0;

  assert_int_equal(fat_import_guias_file(a, data_path(input), FAT_FMT_AUTO, &res, &err), FAT_OK);
  assert_int_equal(export_buf(a, NULL, fmt, &out1, &len1, &n1, &err), FAT_OK);
  fat_store_close(a);
  b = open_db("test_import_h.db");
  assert_int_equal(fat_import_guias_buffer(b, out1, len1, fmt, input, &res, &err), FAT_OK);
  assert_true((size_t)res.novas == n1);
  assert_int_equal(export_buf(b, NULL, fmt, &out2, &len2, &n2, &err), FAT_OK);
  assert_true(n1 == n2);
  if (fmt == FAT_FMT_JSON) {
    /* "origem" is the file name; everything else must match */
    assert_non_null(strstr(out1, "\"origem\""));
    assert_true(len1 > 100);
  }
  {
    cJSON *j1 = fmt == FAT_FMT_JSON ? cJSON_Parse(out1) : NULL;
    cJSON *j2 = fmt == FAT_FMT_JSON ? cJSON_Parse(out2) : NULL;
    cJSON *g;

    if (fmt == FAT_FMT_JSON) {
      cJSON_ArrayForEach(g, cJSON_GetObjectItem(j1, "guias"))
      cJSON_DeleteItemFromObject(g, "origem");
      cJSON_ArrayForEach(g, cJSON_GetObjectItem(j2, "guias"))
      cJSON_DeleteItemFromObject(g, "origem");
      assert_true(cJSON_Compare(j1, j2, 1));
    } else {
      assert_string_equal(out1, out2);
    }
    cJSON_Delete(j1);
    cJSON_Delete(j2);
  }
  fat_free(out1);
  fat_free(out2);
  fat_store_close(b);
  fat_store_remove_files("test_import_g.db");
  fat_store_remove_files("test_import_h.db");
}

static void write_text(const char *path, const char *text, size_t len)
{
  FILE *f = fopen(path, "wb");

  assert_non_null(f);
  assert_int_equal(fwrite(text, 1, len, f), len);
  assert_int_equal(fclose(f), 0);
}

#define CSV_Q "tipo;operadora.registro_ans;prestador.cnpj;numero_prestador;data_inicio;" \
              "observacao;item.codigo_tabela;item.codigo;item.quantidade\n"

/* A CSV file is read FAT_IMPORT_CHUNK bytes at a time: a quoted field with a
** line break and a doubled quote, cut by the end of a read at each of its
** bytes, is read whole, and the lines after it keep their numbers. */
static void test_csv_stream_quoted_newline_across_read_boundary(void **state)
{
  static const char l0[] = "consulta;312347;11222333000181;Q0;2024-05-01;;22;10101012;1\n";
  static const char pre[] = "consulta;312347;11222333000181;Q1;2024-05-01;";
  static const char field[] = "\"ab\nc\"\"d\"";
  static const char post[] = ";22;10101012;1\nconsulta;312347;11222333000181;Q1;2024-05-01;"
                             "\"ab\nc\"\"d\";22;10101013;1\n";
  size_t shift;

  (void)state;
  for (shift = 0; shift < sizeof field; shift++) {
    fat_import_result res;
    fat_err err;
    fat_buf b;
    fat_store *st = open_db("test_import_q.db");
    size_t head = strlen(CSV_Q) + strlen(l0) + strlen(pre);
    size_t pad = FAT_IMPORT_CHUNK - 1 - shift - head, i;
    long bad_line = 2 + 1 + 1 + 2 + 2; /* header, Q0, the padding line, 2 x Q1 of 2 lines */
    char want[64];
    int bad;

    for (bad = 0; bad < 2; bad++) {
      fat_buf_init(&b, (size_t)1 << 24);
      assert_int_equal(fat_buf_puts(&b, CSV_Q, &err), FAT_OK);
      assert_int_equal(fat_buf_puts(&b, l0, &err), FAT_OK);
      /* one line of spaces (a blank line) up to the field */
      for (i = 0; i + 1 < pad; i++)
        assert_int_equal(fat_buf_append(&b, " ", 1, &err), FAT_OK);
      assert_int_equal(fat_buf_append(&b, "\n", 1, &err), FAT_OK);
      assert_int_equal(fat_buf_puts(&b, pre, &err), FAT_OK);
      assert_int_equal(b.len, FAT_IMPORT_CHUNK - 1 - shift); /* the field starts here */
      assert_int_equal(fat_buf_puts(&b, field, &err), FAT_OK);
      assert_int_equal(fat_buf_puts(&b, post, &err), FAT_OK);
      assert_int_equal(fat_buf_puts(&b, bad ? "consulta;312347;11222333000181;Q2;2024-02-30;;22;1;1\n"
                                            : "consulta;312347;11222333000181;Q2;2024-05-02;;22;1;1\n",
                                    &err),
                       FAT_OK);
      write_text("test_import_q.csv", b.data, b.len);
      fat_buf_fini(&b);
      if (bad) {
        assert_int_equal(fat_import_guias_file(st, "test_import_q.csv", FAT_FMT_AUTO, &res, &err),
                         FAT_EINVAL);
        snprintf(want, sizeof want, "linha %ld, campo data_inicio", bad_line);
        if (strstr(err.msg, want) == NULL)
          fail_msg("deslocamento %zu: '%s', esperado '%s'", shift, err.msg, want);
        assert_int_equal(q1(st, "SELECT count(*) FROM guia"), 0);
        continue;
      }
      assert_int_equal(fat_import_guias_file(st, "test_import_q.csv", FAT_FMT_AUTO, &res, &err),
                       FAT_OK);
      assert_int_equal(res.novas, 3);
      assert_int_equal(res.itens, 4);
      assert_string_equal(qs(st, "SELECT observacao FROM guia WHERE numero_prestador = 'Q1'"),
                          "ab\nc\"d");
      assert_int_equal(q1(st, "SELECT count(*) FROM item i JOIN guia g ON g.id = i.guia_id "
                              "WHERE g.numero_prestador = 'Q1'"),
                       2);
      if (shift == 0) { /* the file again: every guia replaced, none twice */
        assert_int_equal(fat_import_guias_file(st, "test_import_q.csv", FAT_FMT_AUTO, &res, &err),
                         FAT_OK);
        assert_int_equal(res.atualizadas, 3);
        assert_int_equal(q1(st, "SELECT count(*) FROM guia"), 3);
      }
      fat_store_close(st);
      st = open_db("test_import_q.db");
    }
    fat_store_close(st);
  }
  fat_store_remove_files("test_import_q.db");
  unlink("test_import_q.csv");
}

/* The lines of one guia spread over a file read as it streams: the guia gets
** all of them, in file order, and is stored once. */
static void test_csv_stream_scattered_lines_one_guia(void **state)
{
  static const char text[] =
      CSV_Q "consulta;312347;11222333000181;S1;2024-05-01;;22;10101012;1\n"
            "consulta;312347;11.222.333/0001-81;S2;2024-05-01;;22;10101012;1\n"
            "\n"
            "consulta;312347;11222333000181;S1;2024-05-01;;22;40304361;2\n"
            "consulta;312347;11222333000181;S3;2024-05-01;;22;10101012;1\n"
            "consulta;312347;11.222.333/0001-81;S2;2024-05-01;;22;40304361;1\n";
  fat_store *st = open_db("test_import_s.db");
  fat_import_result res;
  fat_err err;

  (void)state;
  write_text("test_import_s.csv", text, strlen(text));
  assert_int_equal(fat_import_guias_file(st, "test_import_s.csv", FAT_FMT_CSV, &res, &err),
                   FAT_OK);
  assert_int_equal(res.novas, 3);
  assert_int_equal(res.itens, 5);
  assert_int_equal(q1(st, "SELECT count(*) FROM item i JOIN guia g ON g.id = i.guia_id WHERE "
                          "g.numero_prestador = 'S1'"),
                   2);
  assert_int_equal(q1(st, "SELECT quantidade_e4 FROM item i JOIN guia g ON g.id = i.guia_id "
                          "WHERE g.numero_prestador = 'S1' AND i.sequencial = 2"),
                   20000);
  assert_int_equal(q1(st, "SELECT count(*) FROM item i JOIN guia g ON g.id = i.guia_id WHERE "
                          "g.numero_prestador = 'S2'"),
                   2);
  fat_store_close(st);
  fat_store_remove_files("test_import_s.db");
  unlink("test_import_s.csv");
}

/* A beneficiário or profissional met again with other values is updated;
** met with the same values, nothing is rewritten (no-op updates skipped). */
static void test_import_updates_people_only_when_changed(void **state)
{
  static const char text[] =
      "tipo;operadora.registro_ans;prestador.cnpj;numero_prestador;beneficiario.nome;"
      "beneficiario.cpf;beneficiario.sexo;carteira_numero;carteira_validade;executante.nome;"
      "executante.conselho;executante.numero_conselho;executante.uf;executante.cbo;"
      "item.codigo_tabela;item.codigo;item.quantidade\n"
      "consulta;312347;11222333000181;P1;Ana;52998224725;F;C1;2026-12-31;Dr. A;CRM;1;SP;;22;1;1\n"
      "consulta;312347;11222333000181;P2;Ana;52998224725;F;C1;2026-12-31;Dr. A;CRM;1;SP;;22;1;1\n"
      "consulta;312347;11222333000181;P3;Ana Maria;52998224725;;C1;2027-06-30;Dr. A;CRM;1;SP;"
      "225125;22;1;1\n";
  fat_store *st = open_db("test_import_p.db");
  fat_import_result res;
  fat_err err;

  (void)state;
  assert_int_equal(fat_import_guias_buffer(st, text, strlen(text), FAT_FMT_CSV, "t", &res, &err),
                   FAT_OK);
  assert_int_equal(res.novas, 3);
  assert_int_equal(q1(st, "SELECT count(*) FROM beneficiario"), 1);
  assert_string_equal(qs(st, "SELECT nome FROM beneficiario"), "Ana Maria");
  assert_string_equal(qs(st, "SELECT sexo FROM beneficiario"), "F"); /* absent: kept */
  assert_string_equal(qs(st, "SELECT validade FROM carteira WHERE numero = 'C1'"), "2027-06-30");
  assert_int_equal(q1(st, "SELECT count(*) FROM profissional"), 1);
  assert_string_equal(qs(st, "SELECT cbo FROM profissional"), "225125");
  assert_int_equal(q1(st, "SELECT count(DISTINCT beneficiario_id) FROM guia"), 1);
  fat_store_close(st);
  fat_store_remove_files("test_import_p.db");
}

/* Append printf-style text to b (the test fails on error). */
static void bp(fat_buf *b, const char *fmt, ...) FAT_PRINTF(2, 3);
static void bp(fat_buf *b, const char *fmt, ...)
{
  char tmp[1024];
  va_list ap;
  int n;
  fat_err err;

  va_start(ap, fmt);
  n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  assert_true(n >= 0 && (size_t)n < sizeof tmp);
  assert_int_equal(fat_buf_append(b, tmp, (size_t)n, &err), FAT_OK);
}

/* Every row of sql as one text: columns joined by '|', rows by '\n'. */
static char *dump(fat_store *st, const char *sql)
{
  sqlite3_stmt *s;
  fat_buf b;
  int i, n;

  fat_buf_init(&b, (size_t)1 << 26);
  assert_int_equal(sqlite3_prepare_v2(fat_store_db(st), sql, -1, &s, NULL), SQLITE_OK);
  n = sqlite3_column_count(s);
  while (sqlite3_step(s) == SQLITE_ROW) {
    for (i = 0; i < n; i++) {
      const unsigned char *t = sqlite3_column_text(s, i);

      const char *v = t != NULL ? (const char *)t : "NULL";
      fat_err err;

      bp(&b, "%s", i > 0 ? "|" : "");
      assert_int_equal(fat_buf_append(&b, v, strlen(v), &err), FAT_OK); /* any length */
    }
    bp(&b, "\n");
  }
  sqlite3_finalize(s);
  bp(&b, "%s", "");
  return fat_buf_take(&b);
}

/* One guia of the mix below (i = its number): beneficiários by CPF, by
** carteira only, a carteira passing to another CPF, a person found by
** carteira taking a CPF; profissionais with and without número, values that
** change and come back, an item's profissional. */
static void mix_guia(fat_buf *b, int i)
{
  static const char *const cpf[] = {"52998224725", "11144477735", NULL, "39053344705"};
  static const char *const nome[] = {"Ana", "Ana Maria", "Bia"};
  static const char *const cart[] = {"C1", "C2", NULL, "C3", "C1"};
  static const char *const cbo[] = {NULL, "225125", "225130"};
  const char *c = cpf[(i / 3) % 4], *k = cart[(i / 2) % 5];

  bp(b,
     "{\"tipo\":\"sp-sadt\",\"operadora\":{\"registro_ans\":\"312347\"},\"prestador\":"
     "{\"cnpj\":\"11222333000181\"},\"numero_prestador\":\"M%03d\",\"beneficiario\":"
     "{\"nome\":\"%s\"",
     i, nome[(i / 5) % 3]);
  if (c != NULL)
    bp(b, ",\"cpf\":\"%s\"", c);
  if (i % 4 == 1)
    bp(b, ",\"sexo\":\"%s\"", i % 8 == 1 ? "F" : "M");
  bp(b, "}");
  if (k != NULL)
    bp(b, ",\"carteira_numero\":\"%s\",\"carteira_validade\":\"2026-12-%02d\"", k,
       20 + (i / 7) % 3);
  if (i % 6 < 4) {
    bp(b,
       ",\"executante\":{\"nome\":\"Dr. %c\",\"conselho\":\"CRM\",\"numero_conselho\":"
       "\"%d\",\"uf\":\"SP\"",
       'A' + (i / 4) % 2, 1 + (i / 3) % 2);
    if (cbo[(i / 2) % 3] != NULL)
      bp(b, ",\"cbo\":\"%s\"", cbo[(i / 2) % 3]);
    bp(b, "}");
  } else {
    bp(b, ",\"executante\":{\"nome\":\"Dr. %s\",\"conselho\":\"CRM\",\"uf\":\"SP\"%s}",
       i % 2 ? "Sem" : "Outro", i % 12 == 5 ? ",\"cpf\":\"11144477735\"" : "");
  }
  bp(b, ",\"itens\":[{\"codigo_tabela\":\"22\",\"codigo\":\"1\",\"quantidade\":\"1\"%s}]}",
     i % 5 == 2 ? ",\"profissional\":{\"nome\":\"Dr. B\",\"conselho\":\"CRM\","
                  "\"numero_conselho\":\"2\",\"uf\":\"SP\",\"cbo\":\"225199\"}"
                : "");
}

/* An import remembers the people it has written (fat_guia_saver) and skips
** the look-ups and updates that would change nothing: the database ends
** exactly as when each guia is imported alone (a fresh saver each). */
static void test_import_people_remembered_same_as_guia_by_guia(void **state)
{
  static const char *const q[] = {
      "SELECT id, nome, nome_social, cpf, cns, nascimento, sexo FROM beneficiario ORDER BY id",
      "SELECT beneficiario_id, operadora_id, plano_id, numero, validade FROM carteira "
      "ORDER BY numero",
      "SELECT id, nome, cpf, conselho, numero_conselho, uf, cbo, especialidade FROM "
      "profissional ORDER BY id",
      "SELECT numero_prestador, beneficiario_id, beneficiario_nome, executante_id FROM guia "
      "ORDER BY id",
      "SELECT guia_id, profissional_id FROM item ORDER BY id"};
  fat_store *all = open_db("test_import_ma.db"), *one = open_db("test_import_mo.db");
  fat_import_result res;
  fat_err err;
  fat_buf b, g;
  size_t k;
  int i;

  (void)state;
  fat_buf_init(&b, (size_t)1 << 26);
  bp(&b, "{\"guias\":[\n");
  for (i = 0; i < 120; i++) {
    fat_buf_init(&g, (size_t)1 << 26);
    bp(&g, "[");
    mix_guia(&g, i);
    bp(&g, "]");
    if (fat_import_guias_buffer(one, g.data, g.len, FAT_FMT_JSON, "t", &res, &err) != FAT_OK)
      fail_msg("guia %d: %s", i, err.msg);
    fat_buf_fini(&g);
    if (i > 0)
      bp(&b, ",\n");
    mix_guia(&b, i);
  }
  bp(&b, "\n]}");
  if (fat_import_guias_buffer(all, b.data, b.len, FAT_FMT_JSON, "t", &res, &err) != FAT_OK)
    fail_msg("%s", err.msg);
  assert_int_equal(res.novas, 120);
  for (k = 0; k < sizeof q / sizeof q[0]; k++) {
    char *da = dump(all, q[k]), *d1 = dump(one, q[k]);

    assert_string_equal(da, d1);
    fat_free(da);
    fat_free(d1);
  }
  /* the mix reaches every path: people by CPF and by carteira, both kinds
  ** of profissional */
  assert_true(q1(all, "SELECT count(*) FROM beneficiario") >= 3);
  assert_true(q1(all, "SELECT count(*) FROM profissional WHERE numero_conselho IS NULL") >= 2);
  assert_true(q1(all, "SELECT count(*) FROM profissional WHERE numero_conselho IS NOT NULL") >=
              2);
  fat_buf_fini(&b);
  fat_store_close(all);
  fat_store_close(one);
  fat_store_remove_files("test_import_ma.db");
  fat_store_remove_files("test_import_mo.db");
}

/* One guia of the counters test: two operadoras, competência given, taken
** from data_inicio or absent, values that change on re-import. */
static void counter_guia(fat_buf *b, int i, int round)
{
  bp(b,
     "{\"tipo\":\"sp-sadt\",\"operadora\":{\"registro_ans\":\"%s\"},\"prestador\":"
     "{\"cnpj\":\"11222333000181\"},\"numero_prestador\":\"K%03d\",\"beneficiario\":"
     "{\"nome\":\"Ana\"},\"valor_total\":\"%d.%02d\"",
     i % 2 ? "312347" : "419010", i, 100 + i * round, i % 100);
  if (round == 4) /* a group per guia: more than the saver sums at once */
    bp(b, ",\"competencia\":\"%d-01\"", 1900 + i);
  else if (i % 3 == 0)
    bp(b, ",\"competencia\":\"2026-0%d\"", 1 + (i + round) % 3);
  else if (i % 3 == 1)
    bp(b, ",\"data_inicio\":\"2026-0%d-1%d\"", 4 + round % 2, i % 10);
  bp(b, ",\"itens\":[{\"codigo_tabela\":\"22\",\"codigo\":\"1\",\"quantidade\":\"1\"}]}");
}

/* Guias a, a+1, ..., b-1 of round r as a JSON file into st. */
static void counter_import(fat_store *st, int a, int b, int r, int first_new, int then_old)
{
  fat_import_result res;
  fat_err err;
  fat_buf f;
  int i, n = 0;

  fat_buf_init(&f, (size_t)1 << 26);
  bp(&f, "{\"guias\":[\n");
  for (i = a; i < b; i++) {
    bp(&f, "%s", n++ > 0 ? ",\n" : "");
    counter_guia(&f, i, r);
  }
  for (i = first_new; i < then_old; i++) { /* guias stored before: updates */
    bp(&f, "%s", n++ > 0 ? ",\n" : "");
    counter_guia(&f, i, r);
  }
  bp(&f, "\n]}");
  if (fat_import_guias_buffer(st, f.data, f.len, FAT_FMT_JSON, "t", &res, &err) != FAT_OK)
    fail_msg("%s", err.msg);
  fat_buf_fini(&f);
}

/* An import adds the counters of its new guias (rel_mes, painel_operadora)
** once for all of them, with the INSERT triggers of guia dropped meanwhile
** (fat_guia_saver_bulk): the counters end exactly as the triggers make them
** guia by guia, also when updates follow new guias in one file, and the
** triggers are back, the same. A database with one more INSERT trigger on
** guia is saved guia by guia with the triggers (the fold knows only those). */
static void test_import_counters_folded_same_as_triggers(void **state)
{
  static const char *const q[] = {
      "SELECT * FROM rel_mes ORDER BY competencia, operadora_id",
      "SELECT * FROM painel_operadora ORDER BY operadora_id",
      "SELECT id, numero_prestador, competencia, valor_total, revisao FROM guia ORDER BY id"};
  static const char sql_trig[] =
      "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND name <> 'teste_por_guia' "
      "ORDER BY name";
  fat_store *fold = open_db("test_import_fd.db"), *row = open_db("test_import_fr.db");
  fat_store *dbs[2];
  sqlite3_int64 mudou[2];
  char *before;
  fat_err err;
  size_t k;
  int d;

  (void)state;
  dbs[0] = fold;
  dbs[1] = row;
  before = dump(fold, sql_trig);
  assert_int_equal(fat_store_exec(row,
                                  "CREATE TRIGGER teste_por_guia AFTER INSERT ON guia WHEN 0 "
                                  "BEGIN SELECT 1; END",
                                  &err),
                   FAT_OK);
  for (d = 0; d < 2; d++) {
    assert_int_equal(fat_cadastro_operadora(dbs[d], "419010", "Boreal Saúde", "aurora", NULL,
                                            NULL, NULL, &err),
                     FAT_OK);
    mudou[d] = sqlite3_total_changes64(fat_store_db(dbs[d]));
    counter_import(dbs[d], 0, 40, 1, 0, 0);   /* new guias */
    counter_import(dbs[d], 40, 70, 2, 10, 25); /* new, then updates */
    counter_import(dbs[d], 70, 80, 3, 0, 0);  /* new again */
    counter_import(dbs[d], 80, 230, 4, 0, 0); /* 150 competências */
    mudou[d] = sqlite3_total_changes64(fat_store_db(dbs[d])) - mudou[d];
  }
  /* the fold did run: guia by guia, the two counter triggers change two rows
  ** per new guia (rel_mes, painel_operadora); folded, one per group (about
  ** 260 fewer rows changed here: 200 new guias, 150 of them each in its own
  ** month). If this fails, the INSERT triggers of guia are not the ones
  ** fold_add was written for (fold_sha256 in fat_model_store.c) */
  assert_true(mudou[0] + 200 <= mudou[1]);
  for (k = 0; k < sizeof q / sizeof q[0]; k++) {
    char *a = dump(fold, q[k]), *b = dump(row, q[k]);

    assert_string_equal(a, b);
    fat_free(a);
    fat_free(b);
  }
  assert_int_equal(q1(fold, "SELECT sum(guias) FROM painel_operadora"), 230);
  assert_true(q1(fold, "SELECT count(*) FROM rel_mes") >= 150);
  {
    char *after = dump(fold, sql_trig), *row_after = dump(row, sql_trig);

    assert_string_equal(before, after);
    assert_string_equal(before, row_after);
    fat_free(after);
    fat_free(row_after);
  }
  fat_free(before);
  fat_store_close(fold);
  fat_store_close(row);
  fat_store_remove_files("test_import_fd.db");
  fat_store_remove_files("test_import_fr.db");
}

/* A name given twice in one object: the first wins, whatever the order of
** the members (the guia's own members, its fields in any order, an item's
** profissional), as cJSON_GetObjectItemCaseSensitive has it. */
static void test_import_repeated_member_first_wins_any_order(void **state)
{
  static const char text[] =
      "[{\"senha\":\"S1\",\"itens\":[{\"quantidade\":\"2\",\"codigo\":\"1\",\"codigo_tabela\":"
      "\"22\",\"codigo\":\"9\",\"profissional\":{\"nome\":\"Dr. A\",\"conselho\":\"CRM\","
      "\"numero_conselho\":\"7\",\"uf\":\"SP\"},\"profissional\":{\"nome\":\"Dr. Z\","
      "\"conselho\":\"CRM\",\"numero_conselho\":\"8\",\"uf\":\"RJ\"},\"quantidade\":\"3\"}],"
      "\"numero_prestador\":\"R1\",\"cid\":\"J06\",\"tipo\":\"sp-sadt\",\"tipo\":\"consulta\","
      "\"executante\":{\"uf\":\"SP\",\"nome\":\"Dra. B\",\"conselho\":\"CRM\","
      "\"numero_conselho\":\"5\",\"nome\":\"Dra. C\"},\"executante\":null,"
      "\"operadora\":{\"registro_ans\":\"312347\"},\"prestador\":{\"cnpj\":\"11222333000181\"},"
      "\"senha\":\"S2\",\"cid\":\"J07\",\"itens\":[]}]";
  fat_store *st = open_db("test_import_r.db");
  fat_import_result res;
  fat_err err;

  (void)state;
  if (fat_import_guias_buffer(st, text, strlen(text), FAT_FMT_JSON, "t", &res, &err) != FAT_OK)
    fail_msg("%s", err.msg);
  assert_string_equal(qs(st, "SELECT tipo FROM guia"), "sp-sadt");
  assert_string_equal(qs(st, "SELECT senha FROM guia"), "S1");
  assert_string_equal(qs(st, "SELECT cid FROM guia"), "J06");
  assert_string_equal(qs(st, "SELECT p.nome FROM guia g JOIN profissional p ON p.id = "
                             "g.executante_id"),
                      "Dra. B");
  assert_string_equal(qs(st, "SELECT codigo FROM item"), "1");
  assert_int_equal(q1(st, "SELECT quantidade_e4 FROM item"), 20000);
  assert_string_equal(qs(st, "SELECT p.numero_conselho FROM item i JOIN profissional p ON p.id "
                             "= i.profissional_id"),
                      "7");
  fat_store_close(st);
  fat_store_remove_files("test_import_r.db");
}

/* A JSON file is read FAT_IMPORT_CHUNK bytes at a time and each guia is
** parsed where it lies in the read buffer; a guia the end of a read cuts is
** copied and parsed whole. Cut at each of its bytes (escapes, a string, a
** nested object, the line break inside it), the guia is stored the same,
** and a syntax error after the cut names the same line. */
static void test_json_stream_guia_cut_by_read_boundary(void **state)
{
  static const char el2[] =
      "{\"tipo\":\"consulta\",\"operadora\":{\"registro_ans\":\"312347\"},"
      "\"prestador\":{\"cnpj\":\"11222333000181\"},\"numero_prestador\":\"B%04zu\","
      "\"observacao\":\"a\\\"b\\\\c [x], {y} \\u00e9\",\n"
      "\"itens\":[{\"codigo_tabela\":\"22\",\"codigo\":\"1\",\"quantidade\":%s}]}";
  fat_store *st = open_db("test_import_k.db");
  size_t shift, len2 = strlen(el2) + 2; /* B%04zu and %s ("1") as printed */
  char *text = malloc(FAT_IMPORT_CHUNK + 2048);
  int bad;

  (void)state;
  assert_non_null(text);
  for (shift = 1; shift < len2; shift++) {
    for (bad = 0; bad < 2; bad++) {
      fat_import_result res;
      fat_err err;
      size_t n = 0;
      int k;

      k = snprintf(text, 2048,
                   "{\"guias\":[\n{\"tipo\":\"consulta\",\"operadora\":{\"registro_ans\":"
                   "\"312347\"},\"prestador\":{\"cnpj\":\"11222333000181\"},"
                   "\"numero_prestador\":\"A%04zu\",\"itens\":[{\"codigo_tabela\":\"22\","
                   "\"codigo\":\"1\",\"quantidade\":\"1\"}]},",
                   shift);
      assert_true(k > 0);
      n = (size_t)k;
      /* spaces up to where the second guia starts: shift bytes before the cut */
      assert_true(n < FAT_IMPORT_CHUNK - shift);
      memset(text + n, ' ', FAT_IMPORT_CHUNK - shift - n);
      n = FAT_IMPORT_CHUNK - shift;
      k = snprintf(text + n, 2048, el2, shift, bad ? "1x" : "\"1\"");
      assert_true(k > 0);
      n += (size_t)k;
      memcpy(text + n, "\n]}\n", 4);
      n += 4;
      write_text("test_import_k.json", text, n);
      if (bad) {
        assert_int_equal(fat_import_guias_file(st, "test_import_k.json", FAT_FMT_AUTO, &res, &err),
                         FAT_EINVAL);
        if (strstr(err.msg, "JSON inválido perto da linha 3") == NULL)
          fail_msg("corte no byte %zu: '%s'", shift, err.msg);
        continue;
      }
      if (fat_import_guias_file(st, "test_import_k.json", FAT_FMT_AUTO, &res, &err) != FAT_OK)
        fail_msg("corte no byte %zu: '%s'", shift, err.msg);
      assert_int_equal(res.novas, 2);
    }
  }
  assert_int_equal(q1(st, "SELECT count(*) FROM guia"), 2 * (int64_t)(len2 - 1));
  assert_int_equal(q1(st, "SELECT count(DISTINCT observacao) FROM guia WHERE numero_prestador "
                          "LIKE 'B%'"),
                   1);
  assert_string_equal(qs(st, "SELECT observacao FROM guia WHERE numero_prestador = 'B0007'"),
                      "a\"b\\c [x], {y} \xc3\xa9");
  free(text);
  unlink("test_import_k.json");
  fat_store_close(st);
  fat_store_remove_files("test_import_k.db");
}

/* Files that are not plain UTF-8 are not streamed: the whole-file reader
** names the line of a bad byte in otherwise UTF-8 text, or of a NUL,
** wherever it falls in a run of ASCII. */
static void test_stream_bad_byte_named_by_line(void **state)
{
  static const char *const names[] = {"test_import_u.json", "test_import_u.csv"};
  fat_store *st = open_db("test_import_u.db");
  size_t pos, k;

  (void)state;
  for (k = 0; k < 2; k++) {
    for (pos = 0; pos < 9; pos++) {
      char text[512];
      fat_import_result res;
      fat_err err;
      int n;

      if (k == 0)
        n = snprintf(text, sizeof text,
                     "{\"guias\":[\n{\"tipo\":\"consulta\",\"operadora\":{\"registro_ans\":"
                     "\"312347\"},\"prestador\":{\"cnpj\":\"11222333000181\"},\n"
                     "\"numero_prestador\":\"U1\",\"observacao\":\"\xc3\xa9%.*s@abcdefghij\",\n"
                     "\"itens\":[{\"codigo_tabela\":\"22\",\"codigo\":\"1\","
                     "\"quantidade\":\"1\"}]}]}",
                     (int)pos, "xxxxxxxxx");
      else
        n = snprintf(text, sizeof text,
                     CSV_Q "consulta;312347;11222333000181;U1;2024-05-01;\xc3\xa9%.*s@abcdefghij;22;1;1\n",
                     (int)pos, "xxxxxxxxx");
      assert_true(n > 0 && (size_t)n < sizeof text);
      *strchr(text, '@') = '\xE3';
      write_text(names[k], text, (size_t)n);
      assert_int_equal(fat_import_guias_file(st, names[k], FAT_FMT_AUTO, &res, &err), FAT_EINVAL);
      if (strstr(err.msg, k == 0 ? "linha 3: byte 0xE3" : "linha 2: byte 0xE3") == NULL)
        fail_msg("%s, posição %zu: '%s'", names[k], pos, err.msg);
      *strchr(text, '\xE3') = '\0';
      write_text(names[k], text, (size_t)n);
      assert_int_equal(fat_import_guias_file(st, names[k], FAT_FMT_AUTO, &res, &err), FAT_EINVAL);
      if (strstr(err.msg, "byte nulo") == NULL)
        fail_msg("%s, posição %zu: '%s'", names[k], pos, err.msg);
    }
    unlink(names[k]);
  }
  assert_int_equal(q1(st, "SELECT count(*) FROM guia"), 0);
  fat_store_close(st);
  fat_store_remove_files("test_import_u.db");
}

/* Storing guias in the import's transaction reuses SQLite's freed
** statement-journal chunks (fat_store.c, jpool_install). */
static void test_import_reuses_statement_journal_chunks(void **state)
{
  fat_store *st = open_db("test_import_j.db");
  fat_import_result res;
  fat_err err;
  unsigned long h0 = fat_store_jpool_hits();

  (void)state;
  assert_int_equal(fat_import_guias_file(st, data_path("good.json"), FAT_FMT_AUTO, &res, &err),
                   FAT_OK);
  assert_int_equal(res.novas, 4);
  assert_true(fat_store_jpool_hits() > h0);
  fat_store_close(st);
  fat_store_remove_files("test_import_j.db");
}

static void test_round_trip_json(void **state)
{
  (void)state;
  round_trip(FAT_FMT_JSON, "good.json");
}

static void test_round_trip_csv(void **state)
{
  (void)state;
  round_trip(FAT_FMT_CSV, "good.json"); /* the rich guias, through CSV */
}

static void test_export_filter(void **state)
{
  fat_store *st = open_db("test_import_i.db");
  fat_export_filter f = {"312347", "2024-04"};
  fat_import_result res;
  fat_err err;
  char *out = NULL;
  size_t len, n;

  (void)state;
  assert_int_equal(fat_import_guias_file(st, data_path("good.json"), FAT_FMT_AUTO, &res, &err),
                   FAT_OK);
  assert_int_equal(export_buf(st, &f, FAT_FMT_JSON, &out, &len, &n, &err), FAT_OK);
  assert_int_equal(n, 0);
  assert_non_null(strstr(out, "\"guias\""));
  fat_free(out);
  f.competencia = "2024-05";
  assert_int_equal(export_buf(st, &f, FAT_FMT_CSV, &out, &len, &n, &err), FAT_OK);
  assert_int_equal(n, 4);
  /* the CSV convention: BOM, ';', CRLF */
  assert_int_equal(strncmp(out, "\xEF\xBB\xBFtipo;numero_prestador;", 25), 0);
  assert_non_null(strstr(out, "\r\n"));
  fat_free(out);
  /* the operadora by script key or id gives the same guias; an unknown one
  ** is refused, not an empty export */
  f.operadora = "aurora";
  assert_int_equal(export_buf(st, &f, FAT_FMT_JSON, &out, &len, &n, &err), FAT_OK);
  assert_int_equal(n, 4);
  fat_free(out);
  f.operadora = "unimed";
  out = NULL;
  assert_int_equal(export_buf(st, &f, FAT_FMT_JSON, &out, &len, &n, &err), FAT_ENOTFOUND);
  assert_null(out);
  assert_non_null(strstr(err.msg, "operadora 'unimed' não cadastrada"));
  fat_store_close(st);
  fat_store_remove_files("test_import_i.db");
}

/* One resolver: registro ANS, script key or id; six digits are never an id;
** an unknown one is refused listing what exists. */
static void test_operadora_resolver(void **state)
{
  static const struct {
    const char *in;
    fat_rc rc;
    int64_t id;      /* 1 = aurora, 2 = vitalis */
    const char *msg; /* part of the message when refused */
  } cases[] = {
    {"312347", FAT_OK, 1, NULL},
    {"aurora", FAT_OK, 1, NULL},
    {"1", FAT_OK, 1, NULL},
    {"345671", FAT_OK, 2, NULL},
    {"vitalis", FAT_OK, 2, NULL},
    {"2", FAT_OK, 2, NULL},
    {"3", FAT_ENOTFOUND, 0, "operadora '3' não cadastrada"},
    {"000001", FAT_ENOTFOUND, 0, "312347 (aurora, Aurora Saúde); 345671 (vitalis, Vitalis)"},
    {"Aurora", FAT_ENOTFOUND, 0, "use o registro ANS, a chave do script ou o id"},
    {"unimed", FAT_ENOTFOUND, 0, "(faturo cadastro listar)"},
    {"", FAT_EINVAL, 0, "informe a operadora"},
    {NULL, FAT_EINVAL, 0, "informe a operadora"},
  };
  fat_store *st = open_db("test_import_m.db");
  fat_operadora_ref ref;
  fat_err err;
  size_t i;

  (void)state;
  assert_int_equal(fat_cadastro_operadora(st, "345671", "Vitalis", "vitalis", NULL, NULL, NULL,
                                          &err),
                   FAT_OK);
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    fat_rc rc = fat_operadora_resolver_ref(st, cases[i].in, &ref, &err);

    if (rc != cases[i].rc || ref.id != cases[i].id)
      fail_msg("caso %zu: rc %d id %lld", i, rc, (long long)ref.id);
    if (rc == FAT_OK)
      assert_string_equal(ref.registro_ans, cases[i].id == 1 ? "312347" : "345671");
    else if (strstr(err.msg, cases[i].msg) == NULL)
      fail_msg("caso %zu: '%s' sem '%s'", i, err.msg, cases[i].msg);
  }
  fat_store_close(st);
  fat_store_remove_files("test_import_m.db");
}

static void test_cnpj(void **state)
{
  fat_store *st;
  fat_err err;

  (void)state;
  assert_true(fat_doc_cnpj_valid("11.222.333/0001-81"));
  assert_true(fat_doc_cnpj_valid("11444777000161"));
  assert_false(fat_doc_cnpj_valid("11.222.333/0001-82"));
  assert_false(fat_doc_cnpj_valid("11111111111111"));
  assert_false(fat_doc_cnpj_valid("1122233300018"));
  assert_false(fat_doc_cnpj_valid(NULL));
  st = open_db("test_import_j.db");
  assert_int_equal(fat_cadastro_prestador(st, "X", "11.222.333/0001-82", NULL, NULL, &err),
                   FAT_EINVAL);
  assert_non_null(strstr(err.msg, "CNPJ inválido"));
  assert_int_equal(fat_cadastro_plano(st, "312347", "P1", "Plano 1", "suite", NULL, &err),
                   FAT_EINVAL);
  assert_int_equal(fat_cadastro_plano(st, "312347", "P1", "Plano 1", "apartamento", NULL, &err),
                   FAT_OK);
  assert_int_equal(fat_cadastro_plano(st, "000000", "P1", "Plano 1", "apartamento", NULL, &err),
                   FAT_ENOTFOUND);
  assert_int_equal(fat_cadastro_operadora(st, "12345", "X", "x", NULL, NULL, NULL, &err),
                   FAT_EINVAL);
  /* a script key that could be read as a registro ANS or an id, a name over
  ** the TISS size, a control character: refused, naming the field */
  assert_int_equal(fat_cadastro_operadora(st, "345671", "X", "123456", NULL, NULL, NULL, &err),
                   FAT_EINVAL);
  assert_non_null(strstr(err.msg, "chave de script inválida '123456'"));
  assert_int_equal(fat_cadastro_operadora(st, "345671",
                                          "Operadora com um nome muito, muito comprido que passa "
                                          "de setenta caracteres",
                                          "vitalis", NULL, NULL, NULL, &err),
                   FAT_EINVAL);
  assert_non_null(strstr(err.msg, "nome da operadora: texto longo demais"));
  assert_int_equal(fat_cadastro_prestador(st, "Cl\x01nica", "11.222.333/0001-81", NULL, NULL,
                                          &err),
                   FAT_EINVAL);
  assert_non_null(strstr(err.msg, "nome do prestador: caractere de controle (0x01)"));
  assert_int_equal(q1(st, "SELECT count(*) FROM prestador"), 1);
  assert_string_equal(qs(st, "SELECT codigo FROM prestador_operadora"), "A-10234");
  fat_store_close(st);
  fat_store_remove_files("test_import_j.db");
}

/* The items of a new guia go in up to six per INSERT (fat_model_store.c,
** save_items_fresh): the same rows and ids as one INSERT per item, and an
** error still names the item at fault, or the profissional, as in order. */
static void test_import_items_in_one_statement(void **state)
{
  fat_store *st = open_db("test_import_m.db");
  char text[8192];
  size_t n;
  int k, try;
  fat_import_result res;
  fat_err err;
  sqlite3 *db = fat_store_db(st);

  (void)state;
  /* 0: 13 items stored; 1: the INSERT of item 8 fails; 2: the profissional
  ** of item 4 fails with item 2 failing before it; 3: the profissional of
  ** item 4 fails, item 6 would fail after it */
  for (try = 0; try < 4; try++) {
    n = (size_t)snprintf(text, sizeof text,
                         "{\"guias\":[{\"tipo\":\"sp-sadt\",\"operadora\":{\"registro_ans\":"
                         "\"312347\"},\"prestador\":{\"cnpj\":\"11222333000181\"},"
                         "\"numero_prestador\":\"M%d\",\"itens\":[",
                         try);
    for (k = 0; k < 13; k++) {
      const char *cod = (try == 1 && k == 8) || (try == 2 && k == 2) || (try == 3 && k == 6)
                            ? "FALHA"
                            : "10101012";
      n += (size_t)snprintf(text + n, sizeof text - n,
                            "%s{\"sequencial\":%d,\"codigo_tabela\":\"22\",\"codigo\":\"%s\","
                            "\"quantidade\":\"1\",\"profissional\":{\"nome\":\"%s\","
                            "\"conselho\":\"CRM\",\"numero_conselho\":\"%d\",\"uf\":\"SP\"}}",
                            k > 0 ? "," : "", k + 1, cod,
                            try >= 2 && k == 4 ? "Falha" : "Ana",
                            try >= 2 && k == 4 ? 900 + try : 100 + k % 3);
    }
    n += (size_t)snprintf(text + n, sizeof text - n, "]}]}");
    assert_true(n < sizeof text - 1);
    if (try == 1) {
      assert_int_equal(sqlite3_exec(db,
                                    "CREATE TRIGGER t_item BEFORE INSERT ON item WHEN "
                                    "NEW.codigo = 'FALHA' BEGIN SELECT RAISE(ABORT, 'item "
                                    "recusado'); END; CREATE TRIGGER t_prof BEFORE INSERT ON "
                                    "profissional WHEN NEW.nome = 'Falha' BEGIN SELECT "
                                    "RAISE(ABORT, 'profissional recusado'); END;",
                                    NULL, NULL, NULL),
                       SQLITE_OK);
    }
    memset(&res, 0, sizeof res);
    if (try == 0) {
      assert_int_equal(fat_import_json_text(st, text, n, NULL, &res, &err), FAT_OK);
      assert_int_equal(res.itens, 13);
      continue;
    }
    assert_int_not_equal(fat_import_json_text(st, text, n, NULL, &res, &err), FAT_OK);
    if (try == 1 && (strstr(err.msg, "guias[0]: itens[8]: erro ao gravar item") == NULL ||
                     strstr(err.msg, "item recusado") == NULL))
      fail_msg("item 8: '%s'", err.msg);
    if (try == 2 && strstr(err.msg, "guias[0]: itens[2]: erro ao gravar item") == NULL)
      fail_msg("item 2 antes do profissional 4: '%s'", err.msg);
    if (try == 3 && (strstr(err.msg, "guias[0]: itens[4].profissional: ") == NULL ||
                     strstr(err.msg, "profissional recusado") == NULL))
      fail_msg("profissional 4: '%s'", err.msg);
  }
  /* ids in the order of the items, consecutive: as one INSERT each */
  assert_int_equal(q1(st, "SELECT count(*) FROM item"), 13);
  assert_int_equal(q1(st, "SELECT count(*) FROM item a JOIN item b ON b.guia_id = a.guia_id AND "
                          "b.sequencial = a.sequencial + 1 WHERE b.id <> a.id + 1"),
                   0);
  assert_int_equal(q1(st, "SELECT count(*) FROM item WHERE profissional_id IS NULL"), 0);
  assert_int_equal(q1(st, "SELECT count(*) FROM profissional"), 3);
  assert_int_equal(q1(st, "SELECT count(*) FROM guia"), 1);
  fat_store_close(st);
  fat_store_remove_files("test_import_m.db");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_import_json),       cmocka_unit_test(test_import_csv),
    cmocka_unit_test(test_import_csv_bad_row), cmocka_unit_test(test_import_latin1),
    cmocka_unit_test(test_import_errors),     cmocka_unit_test(test_comma_separator),
    cmocka_unit_test(test_round_trip_json),
    cmocka_unit_test(test_round_trip_csv),    cmocka_unit_test(test_export_filter),
    cmocka_unit_test(test_cnpj),
    cmocka_unit_test(test_import_refuses_bad_values_naming_row_and_field),
    cmocka_unit_test(test_import_refuses_huge_text_field),
    cmocka_unit_test(test_operadora_resolver),
    cmocka_unit_test(test_csv_stream_quoted_newline_across_read_boundary),
    cmocka_unit_test(test_csv_stream_scattered_lines_one_guia),
    cmocka_unit_test(test_import_updates_people_only_when_changed),
    cmocka_unit_test(test_import_people_remembered_same_as_guia_by_guia),
    cmocka_unit_test(test_import_repeated_member_first_wins_any_order),
    cmocka_unit_test(test_import_counters_folded_same_as_triggers),
    cmocka_unit_test(test_import_reuses_statement_journal_chunks),
    cmocka_unit_test(test_stream_bad_byte_named_by_line),
    cmocka_unit_test(test_json_stream_guia_cut_by_read_boundary),
    cmocka_unit_test(test_import_items_in_one_statement),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
