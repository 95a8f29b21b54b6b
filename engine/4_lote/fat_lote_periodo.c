/* fat_lote_periodo.c: what closing reads from the contract (lote{},
** pagamento{}, hash; parsed by the rules, fat_contrato.h) and the closing
** period of a date. */
#include "fat_lote.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fat_dia.h"
#include "fat_mem.h"
#include "fat_model.h"


/* lote{} as the contract parsed it: the same closing days (0 = the last
** day), dates and limits. */
static void cfg_from_lote(const fat_contrato_lote *l, fat_lote_cfg *out)
{
  switch (l->periodicidade) {
  case FAT_CONTRATO_MENSAL: out->periodicidade = FAT_PER_MENSAL; break;
  case FAT_CONTRATO_QUINZENAL: out->periodicidade = FAT_PER_QUINZENAL; break;
  case FAT_CONTRATO_SEMANAL: out->periodicidade = FAT_PER_SEMANAL; break;
  case FAT_CONTRATO_CALENDARIO: out->periodicidade = FAT_PER_CALENDARIO; break;
  }
  memcpy(out->dias, l->dias, sizeof out->dias);
  out->n_dias = l->n_dias;
  out->dia_semana = l->dia_semana;
  out->n_cal = l->n_datas < FAT_LOTE_MAX_CAL ? l->n_datas : FAT_LOTE_MAX_CAL;
  memcpy(out->calendario, l->datas, (size_t)out->n_cal * sizeof out->calendario[0]);
  out->prazo_envio_dias = l->prazo_envio_dias;
  out->max_guias = l->max_guias;
}

void fat_lote_cfg_from_contrato(const fat_contrato *c, fat_lote_cfg *out)
{
  int e;

  memset(out, 0, sizeof *out);
  cfg_from_lote(&c->lote, out);
  out->pagamento_prazo_dias = c->pagamento.prazo_dias > 0 ? c->pagamento.prazo_dias : -1;
  out->pagamento = c->pagamento;
  e = fat_tiss_enc_parse(c->hash); /* the contract checked it */
  out->hash_enc = e >= 0 ? (fat_tiss_enc)e : FAT_TISS_ISO88591;
}

fat_rc fat_lote_cfg_from_contract(const cJSON *contract, fat_lote_cfg *out, fat_err *err)
{
  fat_contrato_lote *lote = fat_malloc(sizeof *lote);
  fat_contrato_pagamento pag;
  const cJSON *v, *tiss;
  const char *enc = NULL;
  fat_rc rc;

  memset(out, 0, sizeof *out);
  if (lote == NULL)
    return fat_err_oom(err);
  rc = fat_contrato_lote_parse(cJSON_GetObjectItemCaseSensitive(contract, "lote"), lote, err);
  if (rc == FAT_OK)
    rc = fat_contrato_pagamento_parse(cJSON_GetObjectItemCaseSensitive(contract, "pagamento"),
                                      &pag, err);
  if (rc == FAT_OK) {
    cfg_from_lote(lote, out);
    out->pagamento_prazo_dias = pag.prazo_dias > 0 ? pag.prazo_dias : -1;
    out->pagamento = pag;
    /* hash encoding: tiss.hash_encoding, tiss.hash, hash_encoding or hash */
    tiss = cJSON_GetObjectItemCaseSensitive(contract, "tiss");
    v = cJSON_GetObjectItemCaseSensitive(tiss, "hash_encoding");
    if (v == NULL)
      v = cJSON_GetObjectItemCaseSensitive(tiss, "hash");
    if (v == NULL)
      v = cJSON_GetObjectItemCaseSensitive(contract, "hash_encoding");
    if (v == NULL)
      v = cJSON_GetObjectItemCaseSensitive(contract, "hash");
    if (cJSON_IsString(v))
      enc = v->valuestring;
  }
  if (rc == FAT_OK && enc != NULL) {
    int e = fat_tiss_enc_parse(enc);

    if (e < 0)
      rc = fat_err_set(err, FAT_EINVAL, "contrato: codificação do hash '%s' desconhecida "
                                        "(ISO-8859-1 ou UTF-8)", enc);
    else
      out->hash_enc = (fat_tiss_enc)e;
  }
  fat_free(lote);
  return rc;
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
