/* fat_lote_periodo.c: what closing reads from the contract (lote{},
** pagamento{}, hash) and the closing period of a date. */
#include "fat_lote.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fat_dia.h"
#include "fat_model.h"


static const cJSON *obj_get(const cJSON *o, const char *k)
{
  return o != NULL ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

static int json_int(const cJSON *v, int *out)
{
  if (!cJSON_IsNumber(v) || v->valuedouble != (double)(int)v->valuedouble)
    return -1;
  *out = (int)v->valuedouble;
  return 0;
}

/* A closing day: 1..31, or 0 / "ultimo" / "último" / 31+ = last day. */
static int parse_dia(const cJSON *v, int *out)
{
  int d;

  if (cJSON_IsString(v) && (strcmp(v->valuestring, "ultimo") == 0 ||
                            strcmp(v->valuestring, "\xc3\xbaltimo") == 0 ||
                            strcmp(v->valuestring, "fim") == 0)) {
    *out = 0;
    return 0;
  }
  if (json_int(v, &d) != 0 || d < -1 || d > 31)
    return -1;
  *out = (d <= 0 || d == 31) ? 0 : d;
  return 0;
}

static int parse_dia_semana(const cJSON *v, int *out)
{
  static const char *const nomes[] = {"domingo", "segunda", "terca", "quarta",
                                      "quinta",  "sexta",   "sabado"};
  int i;

  if (cJSON_IsString(v)) {
    const char *s = v->valuestring;

    if (strcmp(s, "ter\xc3\xa7" "a") == 0)
      s = "terca";
    else if (strcmp(s, "s\xc3\xa1" "bado") == 0)
      s = "sabado";
    for (i = 0; i < 7; i++)
      if (strncmp(s, nomes[i], strlen(nomes[i])) == 0)
        return *out = i, 0;
    return -1;
  }
  if (json_int(v, &i) != 0 || i < 0 || i > 7)
    return -1;
  *out = i % 7; /* 7 = domingo too */
  return 0;
}

static int cmp_int(const void *a, const void *b)
{
  int x = *(const int *)a, y = *(const int *)b;

  /* 0 (last day) sorts last */
  if (x == 0)
    x = 99;
  if (y == 0)
    y = 99;
  return (x > y) - (x < y);
}

static int cmp_i32(const void *a, const void *b)
{
  int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

  return (x > y) - (x < y);
}

static fat_rc cfg_days(const cJSON *arr, fat_lote_cfg *out, const char *key, fat_err *err)
{
  const cJSON *it;

  cJSON_ArrayForEach(it, arr)
  {
    if (out->n_dias >= 31 || parse_dia(it, &out->dias[out->n_dias]) != 0)
      return fat_err_set(err, FAT_EINVAL, "contrato: lote.%s tem dia inválido", key);
    out->n_dias++;
  }
  return FAT_OK;
}

fat_rc fat_lote_cfg_from_contract(const cJSON *contract, fat_lote_cfg *out, fat_err *err)
{
  const cJSON *lote = obj_get(contract, "lote");
  const cJSON *per, *v, *tiss, *pag;
  const char *enc = NULL;
  int x;

  memset(out, 0, sizeof *out);
  out->max_guias = 100;
  out->pagamento_prazo_dias = -1;
  if (!cJSON_IsObject(lote))
    return fat_err_set(err, FAT_EINVAL, "contrato sem a tabela lote{}");
  per = obj_get(lote, "periodicidade");
  if (!cJSON_IsString(per))
    return fat_err_set(err, FAT_EINVAL, "contrato: lote.periodicidade ausente");
  if (strcmp(per->valuestring, "mensal") == 0) {
    out->periodicidade = FAT_PER_MENSAL;
  } else if (strcmp(per->valuestring, "quinzenal") == 0) {
    out->periodicidade = FAT_PER_QUINZENAL;
  } else if (strcmp(per->valuestring, "semanal") == 0) {
    out->periodicidade = FAT_PER_SEMANAL;
  } else if (strcmp(per->valuestring, "calendario") == 0 ||
             strcmp(per->valuestring, "calend\xc3\xa1rio") == 0) {
    out->periodicidade = FAT_PER_CALENDARIO;
  } else {
    return fat_err_set(err, FAT_EINVAL, "contrato: lote.periodicidade '%s' desconhecida "
                                        "(mensal, quinzenal, semanal ou calendario)",
                       per->valuestring);
  }
  switch (out->periodicidade) {
  case FAT_PER_MENSAL:
    v = obj_get(lote, "fechamento_dia");
    if (v == NULL)
      v = obj_get(lote, "fechamento_dias");
    if (v == NULL) {
      out->dias[out->n_dias++] = 0;
    } else if (cJSON_IsArray(v)) {
      if (cfg_days(v, out, "fechamento_dia", err) != FAT_OK)
        return err->rc;
    } else if (parse_dia(v, &out->dias[0]) != 0) {
      return fat_err_set(err, FAT_EINVAL, "contrato: lote.fechamento_dia inválido");
    } else {
      out->n_dias = 1;
    }
    break;
  case FAT_PER_QUINZENAL:
    v = obj_get(lote, "fechamento_dias");
    if (v == NULL)
      v = obj_get(lote, "fechamento_dia");
    if (cJSON_IsArray(v)) {
      if (cfg_days(v, out, "fechamento_dias", err) != FAT_OK)
        return err->rc;
    } else {
      out->dias[0] = 15; /* the usual quinzena: 15 and the last day */
      out->dias[1] = 0;
      out->n_dias = 2;
    }
    break;
  case FAT_PER_SEMANAL:
    v = obj_get(lote, "fechamento_dia_semana");
    if (v == NULL)
      v = obj_get(lote, "fechamento_dia");
    if (v == NULL)
      out->dia_semana = 0;
    else if (parse_dia_semana(v, &out->dia_semana) != 0)
      return fat_err_set(err, FAT_EINVAL, "contrato: lote.fechamento_dia_semana inválido "
                                          "(0 = domingo .. 6 = sábado, ou o nome do dia)");
    break;
  case FAT_PER_CALENDARIO:
    v = obj_get(lote, "calendario");
    if (v == NULL)
      v = obj_get(lote, "datas");
    if (v == NULL)
      v = obj_get(lote, "fechamentos");
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) == 0)
      return fat_err_set(err, FAT_EINVAL, "contrato: lote.calendario (lista de datas de "
                                          "fechamento) ausente");
    {
      const cJSON *it;

      cJSON_ArrayForEach(it, v)
      {
        int32_t d;

        if (cJSON_IsString(it) && fat_dia_parse(it->valuestring, &d) == 0) {
          if (out->n_cal >= FAT_LOTE_MAX_CAL)
            return fat_err_set(err, FAT_ELIMIT, "contrato: lote.calendario longo demais");
          out->calendario[out->n_cal++] = d;
        } else if (parse_dia(it, &x) == 0 && out->n_dias < 31) {
          out->dias[out->n_dias++] = x; /* a day of every month */
        } else {
          return fat_err_set(err, FAT_EINVAL, "contrato: lote.calendario tem item inválido "
                                              "(use datas AAAA-MM-DD ou dias do mês)");
        }
      }
    }
    break;
  }
  qsort(out->dias, (size_t)out->n_dias, sizeof out->dias[0], cmp_int);
  qsort(out->calendario, (size_t)out->n_cal, sizeof out->calendario[0], cmp_i32);
  v = obj_get(lote, "prazo_envio_dias");
  if (v != NULL && (json_int(v, &out->prazo_envio_dias) != 0 || out->prazo_envio_dias < 0))
    return fat_err_set(err, FAT_EINVAL, "contrato: lote.prazo_envio_dias inválido");
  v = obj_get(lote, "max_guias");
  if (v != NULL) {
    if (json_int(v, &x) != 0 || x < 1)
      return fat_err_set(err, FAT_EINVAL, "contrato: lote.max_guias inválido");
    out->max_guias = x > 100 ? 100 : x; /* the XSD allows 100 guias per lote */
  }
  pag = obj_get(contract, "pagamento");
  v = obj_get(pag, "prazo_dias");
  if (v != NULL && (json_int(v, &out->pagamento_prazo_dias) != 0 ||
                    out->pagamento_prazo_dias < 0))
    return fat_err_set(err, FAT_EINVAL, "contrato: pagamento.prazo_dias inválido");
  /* hash encoding: tiss.hash_encoding, tiss.hash, hash_encoding or hash */
  tiss = obj_get(contract, "tiss");
  v = obj_get(tiss, "hash_encoding");
  if (v == NULL)
    v = obj_get(tiss, "hash");
  if (v == NULL)
    v = obj_get(contract, "hash_encoding");
  if (v == NULL)
    v = obj_get(contract, "hash");
  if (cJSON_IsString(v))
    enc = v->valuestring;
  if (enc != NULL) {
    int e = fat_tiss_enc_parse(enc);

    if (e < 0)
      return fat_err_set(err, FAT_EINVAL, "contrato: codificação do hash '%s' desconhecida "
                                          "(ISO-8859-1 ou UTF-8)", enc);
    out->hash_enc = (fat_tiss_enc)e;
  }
  return FAT_OK;
}

/* Closing day of month y-m for a configured day (0 = last). */
static int32_t close_day(int y, int m, int dia)
{
  int last = fat_dia_mes_dias(y, m);

  return fat_dia_from_ymd(y, m, (dia == 0 || dia > last) ? last : dia);
}

/* First monthly closing date >= d and the one before it. */
static void monthly_period(const fat_lote_cfg *c, int32_t d, int32_t *ini, int32_t *fim)
{
  int y, m, dd, i, k;
  int32_t prev = 0, cand;

  fat_dia_to_ymd(d, &y, &m, &dd);
  for (k = 0; k < 2; k++) { /* this month, then the next */
    for (i = 0; i < c->n_dias; i++) {
      cand = close_day(y, m, c->dias[i]);
      if (cand >= d) {
        *fim = cand;
        if (i > 0) {
          prev = close_day(y, m, c->dias[i - 1]);
        } else {
          int py = m == 1 ? y - 1 : y, pm = m == 1 ? 12 : m - 1;

          prev = close_day(py, pm, c->dias[c->n_dias - 1]);
        }
        *ini = prev + 1;
        return;
      }
    }
    if (++m > 12) {
      m = 1;
      y++;
    }
  }
  *ini = *fim = d; /* unreachable with n_dias >= 1 */
}

fat_rc fat_lote_periodo(const fat_lote_cfg *cfg, const char *data, char inicio[11], char fim[11],
                        fat_err *err)
{
  int32_t d, a = 0, b = 0;
  int i;

  if (fat_dia_parse(data != NULL ? data : "", &d) != 0)
    return fat_err_set(err, FAT_EINVAL, "data '%s' inválida", data != NULL ? data : "");
  if (cfg->periodicidade == FAT_PER_SEMANAL) {
    b = d + (cfg->dia_semana - fat_dia_semana(d) + 7) % 7;
    a = b - 6;
  } else if (cfg->periodicidade == FAT_PER_CALENDARIO && cfg->n_cal > 0) {
    for (i = 0; i < cfg->n_cal && cfg->calendario[i] < d; i++)
      ;
    if (i == cfg->n_cal)
      return fat_err_set(err, FAT_EINVAL, "o calendário de fechamento do contrato não cobre "
                                          "a data %s", data);
    b = cfg->calendario[i];
    if (i > 0) {
      a = cfg->calendario[i - 1] + 1;
    } else { /* no earlier closing: the period starts a month before */
      int y, m, dd;

      fat_dia_to_ymd(b, &y, &m, &dd);
      a = close_day(m == 1 ? y - 1 : y, m == 1 ? 12 : m - 1, dd) + 1;
    }
  } else { /* mensal, quinzenal, or a calendar of days of the month */
    if (cfg->n_dias == 0)
      return fat_err_set(err, FAT_EINVAL, "contrato sem dia de fechamento");
    monthly_period(cfg, d, &a, &b);
  }
  fat_dia_format(a, inicio, 11);
  fat_dia_format(b, fim, 11);
  return FAT_OK;
}
