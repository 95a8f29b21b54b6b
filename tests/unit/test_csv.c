/* test_csv.c: the one CSV writer: BOM, ';', decimal comma, CRLF, quoting;
** and what it writes reads back through the guia importer's rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fat_csv.h"
#include "fat_mem.h"

/* Each text cell as it must appear between the separators. */
static void test_csv_quotes_only_what_needs_it(void **state)
{
  static const struct {
    const char *in, *out;
  } cases[] = {
    {"simples", "simples"},
    {"", ""},
    {NULL, ""},
    {"José da Silva", "José da Silva"},
    {"a;b", "\"a;b\""},
    {"diz \"oi\"", "\"diz \"\"oi\"\"\""},
    {"\"", "\"\"\"\""},
    {"linha 1\nlinha 2", "\"linha 1\nlinha 2\""},
    {"cr\r", "\"cr\r\""},
    {" espaço", "\" espaço\""},
    {"espaço ", "\"espaço \""},
    {"\tx", "\"\tx\""},
    {"1,5", "1,5"},
  };
  size_t i;

  (void)state;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    fat_buf b;
    fat_csv w;
    fat_err err;
    char want[128];

    fat_buf_init(&b, 1024);
    assert_int_equal(fat_csv_begin(&w, &b, &err), FAT_OK);
    assert_int_equal(fat_csv_text(&w, "x", &err), FAT_OK);
    assert_int_equal(fat_csv_text(&w, cases[i].in, &err), FAT_OK);
    assert_int_equal(fat_csv_end_row(&w, &err), FAT_OK);
    snprintf(want, sizeof want, "\xEF\xBB\xBFx;%s\r\n", cases[i].out);
    if (strcmp(b.data, want) != 0)
      fail_msg("'%s': '%s'", cases[i].in != NULL ? cases[i].in : "NULL", b.data);
    fat_buf_fini(&b);
  }
}

/* Numbers with a decimal comma and no grouping: a spreadsheet in pt-BR reads
** them as numbers. */
static void test_csv_numbers_decimal_comma(void **state)
{
  fat_buf b;
  fat_csv w;
  fat_err err;

  (void)state;
  fat_buf_init(&b, 1024);
  assert_int_equal(fat_csv_begin(&w, &b, &err), FAT_OK);
  assert_int_equal(fat_csv_row(&w, &err, "valor", "quantidade", "n", (const char *)NULL),
                   FAT_OK);
  assert_int_equal(fat_csv_money(&w, 123456789, &err), FAT_OK);
  assert_int_equal(fat_csv_fixed(&w, 25000, 4, &err), FAT_OK);
  assert_int_equal(fat_csv_int(&w, -7, &err), FAT_OK);
  assert_int_equal(fat_csv_end_row(&w, &err), FAT_OK);
  assert_int_equal(fat_csv_money(&w, 5, &err), FAT_OK);
  assert_int_equal(fat_csv_end_row(&w, &err), FAT_OK);
  assert_string_equal(b.data, "\xEF\xBB\xBFvalor;quantidade;n\r\n1234567,89;2,5000;-7\r\n0,05\r\n");
  fat_buf_fini(&b);
}

/* A full buffer is an error the caller sees, never a silent cut. */
static void test_csv_limit_is_reported(void **state)
{
  fat_buf b;
  fat_csv w;
  fat_err err;
  fat_rc rc = FAT_OK;
  int i;

  (void)state;
  fat_buf_init(&b, 64);
  assert_int_equal(fat_csv_begin(&w, &b, &err), FAT_OK);
  for (i = 0; i < 100 && rc == FAT_OK; i++)
    rc = fat_csv_text(&w, "um texto \"com aspas\"", &err);
  assert_int_equal(rc, FAT_ELIMIT);
  fat_buf_fini(&b);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_csv_quotes_only_what_needs_it),
    cmocka_unit_test(test_csv_numbers_decimal_comma),
    cmocka_unit_test(test_csv_limit_is_reported),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
