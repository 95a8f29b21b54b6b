/* test_dia.c: the one calendar: dates, competências and times as users type
** them and as they are stored, with one year range. Table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "fat_dia.h"

typedef struct date_case {
  const char *in;
  fat_rc rc;
  const char *iso;   /* stored form when rc == FAT_OK */
  int32_t dia;       /* day number when rc == FAT_OK */
  const char *why;   /* part of the message when rc != FAT_OK */
} date_case;

/* What users type: DD/MM/AAAA and AAAA-MM-DD, blanks around, the edges of
** the calendar and of the one year range. */
static void test_dia_ler_accepts_both_forms_and_one_year_range(void **state)
{
  static const date_case cases[] = {
    {"1970-01-01", FAT_OK, "1970-01-01", 0, NULL},
    {"01/01/1970", FAT_OK, "1970-01-01", 0, NULL},
    {"2000-03-01", FAT_OK, "2000-03-01", 11017, NULL},
    {"29/02/2024", FAT_OK, "2024-02-29", 19782, NULL},
    {"2024-02-29", FAT_OK, "2024-02-29", 19782, NULL},
    {" 05/06/2024 ", FAT_OK, "2024-06-05", 19879, NULL},
    {"2024-06-05\r\n", FAT_OK, "2024-06-05", 19879, NULL},
    {"01/01/1900", FAT_OK, "1900-01-01", -25567, NULL},
    {"31/12/2199", FAT_OK, "2199-12-31", 84005, NULL},
    {"31/12/1899", FAT_EINVAL, NULL, 0, "ano fora do intervalo aceito (1900 a 2199)"},
    {"2200-01-01", FAT_EINVAL, NULL, 0, "ano fora do intervalo"},
    {"0001-01-01", FAT_EINVAL, NULL, 0, "ano fora do intervalo"},
    {"29/02/2023", FAT_EINVAL, NULL, 0, "dia inexistente"},
    {"2100-02-29", FAT_EINVAL, NULL, 0, "dia inexistente"},
    {"31/04/2025", FAT_EINVAL, NULL, 0, "dia inexistente"},
    {"00/04/2025", FAT_EINVAL, NULL, 0, "dia inexistente"},
    {"2025-13-01", FAT_EINVAL, NULL, 0, "mês inexistente"},
    {"01/00/2025", FAT_EINVAL, NULL, 0, "mês inexistente"},
    {"2025/04/01", FAT_EINVAL, NULL, 0, "use DD/MM/AAAA ou AAAA-MM-DD"},
    {"1/4/2025", FAT_EINVAL, NULL, 0, "use DD/MM/AAAA"},
    {"01-04-2025", FAT_EINVAL, NULL, 0, "use DD/MM/AAAA"},
    {"25-04-01", FAT_EINVAL, NULL, 0, "use DD/MM/AAAA"},
    {"2025-04-01T10:00", FAT_EINVAL, NULL, 0, "use DD/MM/AAAA"},
    {"2025-4-01", FAT_EINVAL, NULL, 0, "use DD/MM/AAAA"},
    {"+025-04-01", FAT_EINVAL, NULL, 0, "use DD/MM/AAAA"},
    {"", FAT_EINVAL, NULL, 0, "use DD/MM/AAAA"},
    {"ontem", FAT_EINVAL, NULL, 0, "'ontem'"},
  };
  size_t i;

  (void)state;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const date_case *c = &cases[i];
    char iso[FAT_DIA_ISO_LEN] = "";
    int32_t d = -1;
    fat_err err;
    fat_rc rc = fat_dia_ler(c->in, &d, iso, &err);

    if (rc != c->rc)
      fail_msg("'%s': rc %d, esperado %d", c->in, rc, c->rc);
    if (rc == FAT_OK) {
      if (strcmp(iso, c->iso) != 0 || d != c->dia)
        fail_msg("'%s': %s (%d), esperado %s (%d)", c->in, iso, d, c->iso, c->dia);
    } else if (strstr(err.msg, c->why) == NULL) {
      fail_msg("'%s': mensagem '%s' sem '%s'", c->in, err.msg, c->why);
    }
  }
  assert_int_equal(fat_dia_ler(NULL, NULL, NULL, NULL), FAT_EINVAL);
}

/* The stored form is strict: only AAAA-MM-DD, same calendar, same range. */
static void test_dia_parse_is_strict_iso_with_the_same_range(void **state)
{
  static const struct {
    const char *in;
    int ok;
  } cases[] = {
    {"2024-02-29", 1}, {"1900-01-01", 1}, {"2199-12-31", 1}, {"29/02/2024", 0},
    {"2023-02-29", 0}, {"1899-12-31", 0}, {"2200-01-01", 0}, {" 2024-02-29", 0},
    {"2024-02-29 ", 0}, {"", 0}, {NULL, 0},
  };
  size_t i;
  int32_t d;

  (void)state;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    if (fat_dia_valida(cases[i].in) != cases[i].ok)
      fail_msg("fat_dia_valida('%s') != %d", cases[i].in ? cases[i].in : "NULL", cases[i].ok);
    if ((fat_dia_parse(cases[i].in, &d) == 0) != cases[i].ok)
      fail_msg("fat_dia_parse('%s')", cases[i].in ? cases[i].in : "NULL");
  }
}

static void test_competencia_accepts_mm_aaaa_and_aaaa_mm(void **state)
{
  static const struct {
    const char *in;
    fat_rc rc;
    const char *iso;
  } cases[] = {
    {"2024-05", FAT_OK, "2024-05"},   {"05/2024", FAT_OK, "2024-05"},
    {" 12/2199 ", FAT_OK, "2199-12"}, {"01/1900", FAT_OK, "1900-01"},
    {"2024-00", FAT_EINVAL, NULL},    {"13/2024", FAT_EINVAL, NULL},
    {"12/1899", FAT_EINVAL, NULL},    {"2200-01", FAT_EINVAL, NULL},
    {"5/2024", FAT_EINVAL, NULL},     {"2024-5", FAT_EINVAL, NULL},
    {"2024/05", FAT_EINVAL, NULL},    {"2024-05-01", FAT_EINVAL, NULL},
    {"", FAT_EINVAL, NULL},
  };
  size_t i;

  (void)state;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char iso[FAT_DIA_COMP_LEN] = "";
    fat_err err;
    fat_rc rc = fat_dia_competencia_ler(cases[i].in, iso, &err);

    if (rc != cases[i].rc)
      fail_msg("'%s': rc %d", cases[i].in, rc);
    if (rc == FAT_OK && strcmp(iso, cases[i].iso) != 0)
      fail_msg("'%s': %s", cases[i].in, iso);
    if (rc != FAT_OK && strstr(err.msg, "competência inválida") == NULL)
      fail_msg("'%s': mensagem '%s'", cases[i].in, err.msg);
  }
  assert_true(fat_dia_competencia_valida("2024-05"));
  assert_false(fat_dia_competencia_valida("05/2024"));
  assert_false(fat_dia_competencia_valida("1899-12"));
  assert_false(fat_dia_competencia_valida(NULL));
}

static void test_hora_minutes_and_stored_form(void **state)
{
  static const struct {
    const char *in;
    int min;
    const char *norm;
  } cases[] = {
    {"08:30", 510, "08:30:00"}, {"23:59:59", 1439, "23:59:59"}, {"00:00", 0, "00:00:00"},
    {"24:00", -1, NULL},        {"08:60", -1, NULL},            {"8:30", -1, NULL},
    {"08:30:60", -1, NULL},     {"08-30", -1, NULL},            {"08:30:5", -1, NULL},
    {"", -1, NULL},             {NULL, -1, NULL},
  };
  size_t i;
  char out[9];

  (void)state;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    if (fat_dia_hora_minutos(cases[i].in) != cases[i].min)
      fail_msg("hora '%s'", cases[i].in ? cases[i].in : "NULL");
    if ((fat_dia_hora_norm(cases[i].in, out) == 0) != (cases[i].norm != NULL))
      fail_msg("hora_norm '%s'", cases[i].in ? cases[i].in : "NULL");
    if (cases[i].norm != NULL)
      assert_string_equal(out, cases[i].norm);
  }
}

static void test_format_round_trip_and_br(void **state)
{
  char buf[FAT_DIA_ISO_LEN];
  int32_t d;

  (void)state;
  assert_int_equal(fat_dia_parse("2024-02-29", &d), 0);
  fat_dia_format(d, buf, sizeof buf);
  assert_string_equal(buf, "2024-02-29");
  fat_dia_format_br(d, buf, sizeof buf);
  assert_string_equal(buf, "29/02/2024");
  assert_int_equal(fat_dia_semana(d), 4); /* a Thursday */
  /* for messages: a date the Brazilian way, anything else as it is */
  assert_string_equal(fat_dia_br_de("2024-02-29").s, "29/02/2024");
  assert_string_equal(fat_dia_br_de("amanhã").s, "amanhã");
  assert_string_equal(fat_dia_br_de(NULL).s, "?");
}

/* One formatter for every date and instant users read: the caller's text for
** nothing, a stored timestamp's day, an instant in local time (here UTC-3,
** a POSIX TZ that needs no tzdata), anything else as it is. */
static void test_br_forms_for_dates_timestamps_and_instants(void **state)
{
  (void)state;
  setenv("TZ", "<-03>3", 1);
  tzset();
  assert_string_equal(fat_dia_br_ou(NULL, "-").s, "-");
  assert_string_equal(fat_dia_br_ou("", "").s, "");
  assert_string_equal(fat_dia_br_ou("2026-12-01T02:10:00Z", "-").s, "01/12/2026");
  assert_string_equal(fat_dia_br_ou("2026-12-01 02:10:00", "-").s, "01/12/2026");
  assert_string_equal(fat_dia_br_ou("2026-12-01x", "-").s, "2026-12-01x");
  assert_string_equal(fat_dia_br_ou("0001-01-01", "-").s, "0001-01-01");
  assert_string_equal(fat_dia_competencia_br_ou("2026-11", "-").s, "11/2026");
  assert_string_equal(fat_dia_competencia_br_ou(NULL, "-").s, "-");
  assert_string_equal(fat_dia_competencia_br_ou("2026-13", "-").s, "2026-13");
  /* an instant: UTC 02:10 is 23:10 of the day before in UTC-3 */
  assert_string_equal(fat_quando_br_de("2026-12-01T02:10:00Z", "-").s, "30/11/2026 23:10");
  assert_string_equal(fat_quando_br_de("2026-12-01 15:00:59", "-").s, "01/12/2026 12:00");
  assert_string_equal(fat_quando_br_de("2026-12-01T15:00:00.250Z", "-").s, "01/12/2026 12:00");
  assert_string_equal(fat_quando_br_de("2026-12-01", "-").s, "01/12/2026");
  assert_string_equal(fat_quando_br_de(NULL, "-").s, "-");
  assert_string_equal(fat_quando_br_de("2026-02-30T10:00:00Z", "-").s, "2026-02-30T10:00:00Z");
  assert_string_equal(fat_quando_br_de("2026-12-01T25:00:00Z", "-").s, "2026-12-01T25:00:00Z");
  assert_string_equal(fat_quando_br_de("ontem à noite", "-").s, "ontem à noite");
  assert_string_equal(fat_quando_br_epoch(0).s, "31/12/1969 21:00");
  {
    int32_t d, esperado;

    /* the local day of a UTC instant: 02:10 UTC of the 1st is the 30th in UTC-3 */
    assert_int_equal(fat_dia_parse("2026-11-30", &esperado), 0);
    assert_int_equal(fat_dia_local_de("2026-12-01T02:10:00Z", &d), 0);
    assert_int_equal(d, esperado);
    assert_int_equal(fat_dia_local_de("2026-12-01 02:10:00", &d), 0);
    assert_int_equal(d, esperado);
    assert_int_equal(fat_dia_parse("2026-12-01", &esperado), 0);
    assert_int_equal(fat_dia_local_de("2026-12-01T03:00:00Z", &d), 0);
    assert_int_equal(d, esperado);
    assert_int_equal(fat_dia_local_de("2026-12-01", &d), 0);
    assert_int_equal(d, esperado);
    assert_int_equal(fat_dia_local_de("2026-12-01T25:00:00Z", &d), -1);
    assert_int_equal(fat_dia_local_de("ontem", &d), -1);
    assert_int_equal(fat_dia_local_de(NULL, &d), -1);
  }
}

static void test_inicio_utc_is_local_midnight_as_stored_utc(void **state)
{
  char u[FAT_DIA_UTC_LEN];
  int32_t d;

  (void)state;
  setenv("TZ", "<-03>3", 1);
  tzset();
  assert_int_equal(fat_dia_parse("2026-03-31", &d), 0);
  assert_int_equal(fat_dia_inicio_utc(d, u), 0);
  assert_string_equal(u, "2026-03-31T03:00:00Z");
  /* the next day starts at 03:00 UTC: 01:30 UTC of April 1st is still March 31st */
  assert_int_equal(fat_dia_inicio_utc(d + 1, u), 0);
  assert_string_equal(u, "2026-04-01T03:00:00Z");
  assert_true(strcmp("2026-04-01T01:30:00Z", u) < 0);
  setenv("TZ", "UTC0", 1);
  tzset();
  assert_int_equal(fat_dia_inicio_utc(d, u), 0);
  assert_string_equal(u, "2026-03-31T00:00:00Z");
  setenv("TZ", "<-03>3", 1);
  tzset();
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_dia_ler_accepts_both_forms_and_one_year_range),
    cmocka_unit_test(test_dia_parse_is_strict_iso_with_the_same_range),
    cmocka_unit_test(test_competencia_accepts_mm_aaaa_and_aaaa_mm),
    cmocka_unit_test(test_hora_minutes_and_stored_form),
    cmocka_unit_test(test_format_round_trip_and_br),
    cmocka_unit_test(test_br_forms_for_dates_timestamps_and_instants),
    cmocka_unit_test(test_inicio_utc_is_local_midnight_as_stored_utc),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
