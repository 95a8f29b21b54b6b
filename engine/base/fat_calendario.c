/* fat_calendario.c: national holidays and business days, see fat_calendario.h. */
#include "fat_calendario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fat_dia.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_store_int.h"

int32_t fat_cal_pascoa(int y)
{
  /* anonymous Gregorian algorithm (Meeus/Jones/Butcher) */
  int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
  int f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
  int i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
  int m = (a + 11 * h + 22 * l) / 451;
  int mes = (h + l - 7 * m + 114) / 31, dia = (h + l - 7 * m + 114) % 31 + 1;

  return fat_dia_from_ymd(y, mes, dia);
}

int fat_cal_feriado_nacional(int32_t dia, const char **nome)
{
  static const struct {
    int m, d, desde;
    const char *nome;
  } fixos[] = {
    {1, 1, 0, "Confraternização Universal"}, {4, 21, 0, "Tiradentes"},
    {5, 1, 0, "Dia do Trabalho"},             {9, 7, 0, "Independência do Brasil"},
    {10, 12, 0, "Nossa Senhora Aparecida"},   {11, 2, 0, "Finados"},
    {11, 15, 0, "Proclamação da República"},
    {11, 20, 2024, "Dia Nacional de Zumbi e da Consciência Negra"},
    {12, 25, 0, "Natal"}};
  static const struct {
    int delta;
    const char *nome;
  } moveis[] = {{-48, "Carnaval (segunda-feira)"}, {-47, "Carnaval (terça-feira)"},
                {-2, "Sexta-feira Santa"},         {60, "Corpus Christi"}};
  int y, m, d;
  size_t i;
  int32_t p;

  fat_dia_to_ymd(dia, &y, &m, &d);
  for (i = 0; i < sizeof fixos / sizeof fixos[0]; i++)
    if (fixos[i].m == m && fixos[i].d == d && y >= fixos[i].desde) {
      if (nome != NULL)
        *nome = fixos[i].nome;
      return 1;
    }
  p = fat_cal_pascoa(y);
  for (i = 0; i < sizeof moveis / sizeof moveis[0]; i++)
    if (dia == p + moveis[i].delta) {
      if (nome != NULL)
        *nome = moveis[i].nome;
      return 1;
    }
  return 0;
}

static int cmp_i32(const void *a, const void *b)
{
  int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

  return (x > y) - (x < y);
}

fat_rc fat_cal_carregar(fat_store *st, const char *municipio_ibge, fat_calendario *cal,
                        fat_err *err)
{
  static const char sql[] =
    "SELECT data FROM feriado WHERE municipio_ibge IS NULL OR municipio_ibge = ?1";
  fat_stmt *s;
  size_t cap = 0;
  int r;
  fat_rc rc;

  cal->extra = NULL;
  cal->n = 0;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, municipio_ibge);
  while ((r = fat_stmt_step(s)) == FAT_ROW) {
    int32_t d;

    if (fat_dia_parse(fat_col_text(s, 0), &d) != 0)
      continue;
    if (!FAT_GROW(cal->extra, cap, cal->n)) {
      fat_stmt_reset(s);
      fat_cal_fini(cal);
      return fat_err_oom(err);
    }
    cal->extra[cal->n++] = d;
  }
  fat_stmt_reset(s);
  if (r != FAT_DONE) {
    fat_cal_fini(cal);
    return fat_store_dberr(st, err, "erro ao ler os feriados");
  }
  if (cal->n > 1)
    qsort(cal->extra, cal->n, sizeof cal->extra[0], cmp_i32);
  return FAT_OK;
}

fat_rc fat_cal_carregar_clinica(fat_store *st, fat_calendario *cal, fat_err *err)
{
  static const char sql[] = "SELECT municipio_ibge FROM prestador ORDER BY id LIMIT 1";
  fat_stmt *s;
  char mun[16] = "";
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  cal->extra = NULL;
  cal->n = 0;
  if (rc != FAT_OK)
    return rc;
  if (fat_stmt_step(s) == FAT_ROW && fat_col_text(s, 0) != NULL)
    snprintf(mun, sizeof mun, "%s", fat_col_text(s, 0));
  fat_stmt_reset(s);
  return fat_cal_carregar(st, mun[0] ? mun : NULL, cal, err);
}

void fat_cal_fini(fat_calendario *cal)
{
  if (cal == NULL)
    return;
  fat_free(cal->extra);
  cal->extra = NULL;
  cal->n = 0;
}

int fat_cal_util(const fat_calendario *cal, int32_t dia)
{
  int w = fat_dia_semana(dia);

  if (w == 0 || w == 6 || fat_cal_feriado_nacional(dia, NULL))
    return 0;
  if (cal != NULL && cal->n > 0 &&
      bsearch(&dia, cal->extra, cal->n, sizeof cal->extra[0], cmp_i32) != NULL)
    return 0;
  return 1;
}

int32_t fat_cal_proximo_util(const fat_calendario *cal, int32_t dia)
{
  while (!fat_cal_util(cal, dia))
    dia++;
  return dia;
}

int32_t fat_cal_somar_uteis(const fat_calendario *cal, int32_t dia, int n)
{
  while (n > 0) {
    dia++;
    if (fat_cal_util(cal, dia))
      n--;
  }
  return dia;
}

fat_rc fat_cal_feriado_adicionar(fat_store *st, const char *data, const char *descricao,
                                 const char *municipio_ibge, fat_err *err)
{
  static const char sql[] =
    "INSERT INTO feriado (data, descricao, municipio_ibge) VALUES (?1, ?2, ?3)";
  fat_stmt *s;
  fat_rc rc;

  if (!fat_dia_valida(data))
    return fat_err_set(err, FAT_EINVAL, "data do feriado '%s' inválida (use AAAA-MM-DD)",
                       data != NULL ? data : "");
  if (descricao == NULL || descricao[0] == '\0')
    return fat_err_set(err, FAT_EINVAL, "o feriado precisa de uma descrição");
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc == FAT_OK) {
    fat_bind_text(s, 1, data);
    fat_bind_text(s, 2, descricao);
    fat_bind_text(s, 3, municipio_ibge);
    rc = fat_store_step_done(st, s, "não foi possível gravar o feriado", err);
  }
  if (rc == FAT_OK)
    rc = fat_store_audit(st, "feriado.adicionar", NULL, data, err);
  if (rc == FAT_OK)
    rc = fat_store_commit(st, err);
  if (rc != FAT_OK)
    fat_store_rollback(st);
  return rc;
}
