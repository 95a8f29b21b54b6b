/* test_text.c: files decoded to UTF-8 (Latin-1 only when nothing in them is
** UTF-8; a UTF-8 file with a bad byte refused naming the line; NUL refused)
** and the check every text field passes. Table-driven. Also the growable
** array helper of fat_mem (fat_grow). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fat_mem.h"
#include "fat_text.h"

typedef struct dec_case {
  const char *in;
  size_t len;        /* 0 = strlen */
  fat_rc rc;
  const char *out;   /* when FAT_OK */
  int converted;
  const char *why;   /* part of the message otherwise */
} dec_case;

static void test_text_to_utf8_latin1_only_when_nothing_is_utf8(void **state)
{
  static const dec_case cases[] = {
    {"\xEF\xBB\xBF" "a\xC3\xA7" "b", 0, FAT_OK, "a\xC3\xA7" "b", 0, NULL},
    {"plain ascii\r\n", 0, FAT_OK, "plain ascii\r\n", 0, NULL},
    {"", 0, FAT_OK, "", 0, NULL},
    {"S\xE3o Jos\xE9 \x80", 0, FAT_OK, "São José €", 1, NULL},
    {"\xC0\xAF", 0, FAT_OK, "\xC3\x80\xC2\xAF", 1, NULL}, /* an overlong is not UTF-8 */
    {"Jos\xC3\xA9\nJo\xE3o\n", 0, FAT_EINVAL, NULL, 0, "linha 2: byte 0xE3 inválido em UTF-8"},
    {"\xE3o\n\n\nJos\xC3\xA9", 0, FAT_EINVAL, NULL, 0, "linha 1: byte 0xE3"},
    {"a\xED\xA0\x80 \xC3\xA9", 0, FAT_EINVAL, NULL, 0, "byte 0xED inválido"}, /* surrogate */
    {"ab\ncd\0ef", 8, FAT_EINVAL, NULL, 0, "linha 2: byte nulo (0x00)"},
    {"\0", 1, FAT_EINVAL, NULL, 0, "linha 1: byte nulo"},
  };
  size_t i;

  (void)state;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *out = NULL;
    size_t len = 0;
    int conv = -1;
    fat_err err;
    size_t n = cases[i].len != 0 ? cases[i].len : strlen(cases[i].in);
    fat_rc rc = fat_text_to_utf8(cases[i].in, n, &out, &len, &conv, &err);

    if (rc != cases[i].rc)
      fail_msg("caso %zu: rc %d (%s)", i, rc, rc != FAT_OK ? err.msg : out);
    if (rc == FAT_OK) {
      assert_string_equal(out, cases[i].out);
      assert_int_equal(len, strlen(cases[i].out));
      assert_int_equal(conv, cases[i].converted);
    } else {
      assert_null(out);
      if (strstr(err.msg, cases[i].why) == NULL)
        fail_msg("caso %zu: '%s' sem '%s'", i, err.msg, cases[i].why);
    }
    fat_free(out);
  }
}

static void test_text_check_controls_utf8_and_length(void **state)
{
  static const struct {
    const char *in;
    size_t max;
    int multi;
    const char *why; /* NULL = accepted */
  } cases[] = {
    {"José da Silva", 13, 0, NULL},
    {"José da Silva", 12, 0, "texto longo demais (13 caracteres; o máximo é 12)"},
    {"", 1, 0, NULL},
    {"linha 1\nlinha 2\ttab\r", 0, 1, NULL},
    {"linha 1\nlinha 2", 0, 0, "caractere de controle (0x0A)"},
    {"a\tb", 0, 0, "caractere de controle (0x09)"},
    {"a\x01" "b", 0, 1, "caractere de controle (0x01)"},
    {"a\x7F", 0, 0, "caractere de controle (0x7F)"},
    {"a\xC2\x85", 0, 1, "caractere de controle (0x85)"},  /* C1 NEL */
    {"a\xE9", 0, 0, "byte 0xE9 inválido em UTF-8"},
    {"\xE2\x82\xAC\xE2\x82\xAC", 2, 0, NULL},            /* € counts as one */
  };
  size_t i;
  char why[160];

  (void)state;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int r = fat_text_check(cases[i].in, cases[i].max, cases[i].multi, why, sizeof why);

    if ((r == 0) != (cases[i].why == NULL))
      fail_msg("caso %zu: %d (%s)", i, r, r != 0 ? why : "aceito");
    if (r != 0 && strstr(why, cases[i].why) == NULL)
      fail_msg("caso %zu: '%s' sem '%s'", i, why, cases[i].why);
  }
  assert_int_equal(fat_text_chars("ação"), 4);
}

/* A table column is counted in characters: accented words line up with plain
** ones, long text is cut at a character boundary, NULL shows a dash. */
static void test_coluna_counts_characters_not_bytes(void **state)
{
  (void)state;
  assert_string_equal(fat_text_coluna("Honorários", 12).s, "Honorários  ");
  assert_string_equal(fat_text_coluna("Consulta", 12).s, "Consulta    ");
  assert_string_equal(fat_text_coluna("Resumo de internação", 12).s, "Resumo de in");
  assert_string_equal(fat_text_coluna("ação", 2).s, "aç");
  assert_string_equal(fat_text_coluna(NULL, 3).s, "-  ");
  assert_string_equal(fat_text_coluna("x", 0).s, "");
  assert_int_equal(fat_text_chars(fat_text_coluna("€", 500).s), 120);
  assert_string_equal(fat_text_coluna_dir("R$ 1,00", 9).s, "  R$ 1,00");
  /* a decomposed accent (e + U+0301) takes one column, and stays with its e */
  assert_string_equal(fat_text_coluna("Jose\xCC\x81 Silva", 4).s, "Jose\xCC\x81");
  assert_int_equal(fat_text_largura("Jose\xCC\x81"), 4);
}

/* fat_grow: an array grows by doubling, keeps what it had, and on OOM or
** overflow answers 0 with the array and its capacity untouched. */
static void test_grow_keeps_contents_and_survives_oom(void **state)
{
  int64_t *v = NULL;
  size_t cap = 0, n;

  (void)state;
  for (n = 0; n < 100; n++) {
    assert_true(FAT_GROW(v, cap, n));
    assert_true(cap > n);
    v[n] = (int64_t)n * 3;
  }
  for (n = 0; n < 100; n++)
    assert_int_equal(v[n], (int64_t)n * 3);
  assert_int_equal(cap, 128);
  assert_true(FAT_GROW(v, cap, 127)); /* room left: no reallocation */
  assert_int_equal(cap, 128);
  fat_test_fail_alloc_after(0);
  assert_false(FAT_GROW(v, cap, 128));
  fat_test_fail_alloc_after(-1);
  assert_int_equal(cap, 128);
  assert_int_equal(v[99], 297);
  {
    size_t huge = SIZE_MAX / 2 + 1;
    int64_t *w = v;

    assert_false(FAT_GROW(v, huge, huge)); /* the doubling would overflow */
    assert_ptr_equal(v, w);
  }
  fat_free(v);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_text_to_utf8_latin1_only_when_nothing_is_utf8),
    cmocka_unit_test(test_text_check_controls_utf8_and_length),
    cmocka_unit_test(test_coluna_counts_characters_not_bytes),
    cmocka_unit_test(test_grow_keeps_contents_and_survives_oom),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
