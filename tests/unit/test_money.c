/* test_money.c: the one reader of decimal text (money, quantities, the TISS
** form) and its formatters. Table-driven, with the edges: thousands groups,
** ambiguity, signs, ranges from the TISS XSD, int64 overflow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fat_model.h"
#include "fat_money.h"

typedef struct money_case {
  const char *in;
  fat_rc rc;
  int64_t out;
  const char *why; /* part of the message when rc != FAT_OK */
} money_case;

static void run_money(const money_case *cases, size_t n, int64_t max)
{
  size_t i;

  for (i = 0; i < n; i++) {
    int64_t v = -1;
    fat_err err;
    fat_rc rc = fat_money_parse_max(cases[i].in, max, &v, &err);

    if (rc != cases[i].rc)
      fail_msg("'%s': rc %d, esperado %d (%s)", cases[i].in, rc, cases[i].rc, err.msg);
    if (rc == FAT_OK && v != cases[i].out)
      fail_msg("'%s': %lld, esperado %lld", cases[i].in, (long long)v, (long long)cases[i].out);
    if (rc != FAT_OK && (strstr(err.msg, "valor monetário inválido") == NULL ||
                         strstr(err.msg, cases[i].why) == NULL))
      fail_msg("'%s': mensagem '%s' sem '%s'", cases[i].in, err.msg, cases[i].why);
  }
}

/* The three ways users write money, and the ones refused. */
static void test_money_parse_accepts_brazilian_and_point_forms(void **state)
{
  static const money_case cases[] = {
    {"1234.56", FAT_OK, 123456, NULL},
    {"1234,56", FAT_OK, 123456, NULL},
    {"1.234,56", FAT_OK, 123456, NULL},
    {"1,234.56", FAT_OK, 123456, NULL},
    {"1.234.567,89", FAT_OK, 123456789, NULL},
    {"1.234.567", FAT_OK, 123456700, NULL},
    {"12", FAT_OK, 1200, NULL},
    {"0,5", FAT_OK, 50, NULL},
    {",05", FAT_OK, 5, NULL},
    {"  42.10 ", FAT_OK, 4210, NULL},
    {"R$ 1.234,56", FAT_OK, 123456, NULL},
    {"R$12", FAT_OK, 1200, NULL},
    {"+3", FAT_OK, 300, NULL},
    {"0", FAT_OK, 0, NULL},
    {"-0", FAT_OK, 0, NULL},
    {"99.999.999,99", FAT_OK, FAT_MONEY_MAX, NULL},
    {"1.500", FAT_EINVAL, 0, "ambíguo"},
    {"R$ 2.000", FAT_EINVAL, 0, "ambíguo"},
    {"0.001", FAT_EINVAL, 0, "ambíguo"},
    {"12,345", FAT_EINVAL, 0, "mais de 2 casas decimais"},
    {"1,999", FAT_EINVAL, 0, "mais de 2 casas decimais"},
    {"1.2345", FAT_EINVAL, 0, "mais de 2 casas decimais"},
    {"1,2,3", FAT_EINVAL, 0, "separador de milhar"},
    {"12.34.56", FAT_EINVAL, 0, "separador de milhar"},
    {"1.23,45", FAT_EINVAL, 0, "separador de milhar"},
    {"1.234,5,6", FAT_EINVAL, 0, "separador decimal repetido"},
    {"-0,05", FAT_EINVAL, 0, "valor negativo"},
    {"-1.234,56", FAT_EINVAL, 0, "valor negativo"},
    {"-R$ 7,00", FAT_EINVAL, 0, "valor negativo"},
    {"R$ -7,00", FAT_EINVAL, 0, "valor negativo"},
    {"12-", FAT_EINVAL, 0, "sinal fora do lugar"},
    {"abc", FAT_EINVAL, 0, "caractere inválido"},
    {"12a", FAT_EINVAL, 0, "caractere inválido"},
    {"1e3", FAT_EINVAL, 0, "caractere inválido"},
    {"1 234", FAT_EINVAL, 0, "caractere inválido"},
    {"", FAT_EINVAL, 0, "valor vazio"},
    {"-", FAT_EINVAL, 0, "valor vazio"},
    {"R$", FAT_EINVAL, 0, "valor vazio"},
    {",", FAT_EINVAL, 0, "valor vazio"},
    {"100.000.000,00", FAT_EINVAL, 0, "acima do máximo de R$ 99.999.999,99"},
    {"92233720368547758.07", FAT_EINVAL, 0, "acima do máximo"},
    {"92233720368547758.08", FAT_EINVAL, 0, "valor grande demais"},
    {"99999999999999999999999", FAT_EINVAL, 0, "valor grande demais"},
  };

  (void)state;
  run_money(cases, sizeof cases / sizeof cases[0], FAT_MONEY_MAX);
}

/* An item value is TISS st_decimal8-2: its own, smaller maximum. */
static void test_money_parse_max_item(void **state)
{
  static const money_case cases[] = {
    {"999.999,99", FAT_OK, FAT_MONEY_MAX_ITEM, NULL},
    {"1.000.000,00", FAT_EINVAL, 0, "acima do máximo de R$ 999.999,99"},
  };

  (void)state;
  run_money(cases, sizeof cases / sizeof cases[0], FAT_MONEY_MAX_ITEM);
}

/* The scanner itself, with the flags the TISS reader and the tables use. */
static void test_money_scan_flags(void **state)
{
  static const struct {
    const char *in;
    int dec;
    unsigned flags;
    const char *why; /* NULL = accepted */
    int64_t out;
  } cases[] = {
    {"77.70", 2, FAT_MONEY_TISS | FAT_MONEY_SIGNED, NULL, 7770},
    {"12", 2, FAT_MONEY_TISS | FAT_MONEY_SIGNED, NULL, 1200},
    {"0.5", 2, FAT_MONEY_TISS | FAT_MONEY_SIGNED, NULL, 50},
    {"-3.10", 2, FAT_MONEY_TISS | FAT_MONEY_SIGNED, NULL, -310},
    {"1.2300", 2, FAT_MONEY_TISS | FAT_MONEY_SIGNED, NULL, 123},
    {"1.500", 2, FAT_MONEY_TISS, NULL, 150},
    {"1.234", 2, FAT_MONEY_TISS, "fração menor que a unidade", 0},
    {"1,23", 2, FAT_MONEY_TISS, "use ponto", 0},
    {"1.2.3", 2, FAT_MONEY_TISS, "repetido", 0},
    {"-3.10", 2, FAT_MONEY_TISS, "valor negativo", 0},
    {"2.5", 4, FAT_MONEY_TISS, NULL, 25000},
    {"1.00001", 4, FAT_MONEY_TISS, "fração menor que a unidade", 0},
    {"-92233720368547758.07", 2, FAT_MONEY_SIGNED | FAT_MONEY_THOUSANDS, NULL, -INT64_MAX},
    {"-92233720368547758.08", 2, FAT_MONEY_SIGNED | FAT_MONEY_THOUSANDS, "grande demais", 0},
    {"17", 0, FAT_MONEY_THOUSANDS, NULL, 17},
    {"17,5", 0, FAT_MONEY_THOUSANDS, "casas decimais num valor inteiro", 0},
    {"0,0400", 4, FAT_MONEY_THOUSANDS, NULL, 400},
    {"1.234,5678", 4, FAT_MONEY_THOUSANDS, NULL, 12345678},
    {"2,5", 2, 0, NULL, 250},
    {"1.234,5", 2, 0, "separadores misturados", 0},
  };
  size_t i;

  (void)state;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int64_t v = 0;
    const char *why = fat_money_scan(cases[i].in, cases[i].dec, cases[i].flags, &v);

    if ((why == NULL) != (cases[i].why == NULL))
      fail_msg("'%s' (%d, %u): %s", cases[i].in, cases[i].dec, cases[i].flags,
               why != NULL ? why : "aceito");
    if (why == NULL && v != cases[i].out)
      fail_msg("'%s': %lld", cases[i].in, (long long)v);
    if (why != NULL && strstr(why, cases[i].why) == NULL)
      fail_msg("'%s': '%s' sem '%s'", cases[i].in, why, cases[i].why);
  }
}

typedef struct fmt_case {
  int64_t v;
  const char *plain;
  const char *br;
  const char *cell;
} fmt_case;

static void test_money_format_round_trips(void **state)
{
  static const fmt_case cases[] = {
    {0, "0.00", "R$ 0,00", "0,00"},
    {5, "0.05", "R$ 0,05", "0,05"},
    {100, "1.00", "R$ 1,00", "1,00"},
    {123456, "1234.56", "R$ 1.234,56", "1234,56"},
    {100000000, "1000000.00", "R$ 1.000.000,00", "1000000,00"},
    {FAT_MONEY_MAX, "99999999.99", "R$ 99.999.999,99", "99999999,99"},
  };
  char buf[64];
  size_t i;

  (void)state;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int64_t back = 0;
    fat_err err;

    fat_money_format(cases[i].v, buf, sizeof buf);
    assert_string_equal(buf, cases[i].plain);
    assert_int_equal(fat_money_parse(buf, &back, &err), FAT_OK);
    assert_true(back == cases[i].v);
    fat_money_format_br(cases[i].v, buf, sizeof buf);
    assert_string_equal(buf, cases[i].br);
    assert_int_equal(fat_money_parse(buf, &back, &err), FAT_OK);
    assert_true(back == cases[i].v);
    fat_money_format_cell(cases[i].v, buf, sizeof buf);
    assert_string_equal(buf, cases[i].cell);
    assert_int_equal(fat_money_parse(buf, &back, &err), FAT_OK);
    assert_true(back == cases[i].v);
  }
  fat_money_format_br(-123456789, buf, sizeof buf);
  assert_string_equal(buf, "-R$ 1.234.567,89");
  fat_money_format_br(INT64_MAX, buf, sizeof buf);
  assert_string_equal(buf, "R$ 92.233.720.368.547.758,07");
  fat_money_format(123456, buf, 5); /* truncates, never overflows */
  assert_int_equal(strlen(buf), 4);
}

static void test_qty_parse_and_format(void **state)
{
  static const money_case cases[] = {
    {"1", FAT_OK, 10000, NULL},
    {"2.5", FAT_OK, 25000, NULL},
    {"2,5", FAT_OK, 25000, NULL},
    {"0,0001", FAT_OK, 1, NULL},
    {"10.1234", FAT_OK, 101234, NULL},
    {"0", FAT_OK, 0, NULL},
    {"1.500", FAT_OK, 15000, NULL}, /* quantities have no thousands groups */
    {"99999,9999", FAT_OK, FAT_MONEY_QTY_MAX, NULL},
    {"100000", FAT_EINVAL, 0, "acima do máximo"},
    {"1.00001", FAT_EINVAL, 0, "mais de 4 casas decimais"},
    {"1.234,5", FAT_EINVAL, 0, "separadores misturados"},
    {"-1", FAT_EINVAL, 0, "valor negativo"},
    {"x", FAT_EINVAL, 0, "caractere inválido"},
    {"", FAT_EINVAL, 0, "valor vazio"},
  };
  char buf[32];
  size_t i;

  (void)state;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int64_t v = -1;
    fat_err err;
    fat_rc rc = fat_money_qty_parse(cases[i].in, &v, &err);

    if (rc != cases[i].rc)
      fail_msg("'%s': rc %d", cases[i].in, rc);
    if (rc == FAT_OK && v != cases[i].out)
      fail_msg("'%s': %lld", cases[i].in, (long long)v);
    if (rc != FAT_OK && (strstr(err.msg, "quantidade inválida") == NULL ||
                         strstr(err.msg, cases[i].why) == NULL))
      fail_msg("'%s': mensagem '%s'", cases[i].in, err.msg);
  }
  fat_money_qty_format(25000, buf, sizeof buf);
  assert_string_equal(buf, "2.5000");
  fat_money_qty_format(1, buf, sizeof buf);
  assert_string_equal(buf, "0.0001");
  fat_money_qty_format_br(123456, buf, sizeof buf);
  assert_string_equal(buf, "12,3456");
  fat_money_format_fixed(70, 2, ',', buf, sizeof buf);
  assert_string_equal(buf, "0,70");
}

static void test_div_round_half_up(void **state)
{
  static const int64_t t[][3] = {
    {5, 2, 3},    {-5, 2, -3},   {4, 3, 1},     {-4, 3, -1},  {1, 2, 1},
    {-1, 2, -1},  {1, 3, 0},     {-1, 3, 0},    {0, 7, 0},    {149, 100, 1},
    {150, 100, 2}, {-150, 100, -2}, {-149, 100, -1}, {862500, 100000, 9},
    {INT64_MAX, 1, INT64_MAX}, {INT64_MAX, 2, INT64_MAX / 2 + 1},
  };
  size_t i;

  (void)state;
  for (i = 0; i < sizeof t / sizeof t[0]; i++)
    if (fat_money_div_round(t[i][0], t[i][1]) != t[i][2])
      fail_msg("fat_money_div_round(%lld, %lld) = %lld, esperado %lld", (long long)t[i][0],
               (long long)t[i][1], (long long)fat_money_div_round(t[i][0], t[i][1]),
               (long long)t[i][2]);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_money_parse_accepts_brazilian_and_point_forms),
    cmocka_unit_test(test_money_parse_max_item),
    cmocka_unit_test(test_money_scan_flags),
    cmocka_unit_test(test_money_format_round_trips),
    cmocka_unit_test(test_qty_parse_and_format),
    cmocka_unit_test(test_div_round_half_up),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
