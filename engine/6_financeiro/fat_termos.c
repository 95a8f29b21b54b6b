/* fat_termos.c: the adapter from the contract JSON to fat_termos. */
#include "fat_termos.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fat_dia.h"

const char *const fat_termos_ret_nome[5] = {"ISS", "IR", "PIS", "COFINS", "CSLL"};

static int json_i64(const cJSON *o, const char *k, int64_t *v)
{
  const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);

  if (!cJSON_IsNumber(x))
    return -1;
  *v = (int64_t)x->valuedouble;
  return 0;
}

static void json_str(const cJSON *o, const char *k, char *buf, size_t len)
{
  const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);

  if (cJSON_IsString(x))
    snprintf(buf, len, "%s", x->valuestring);
}

fat_rc fat_termos_ler(fat_gen *gen, const char *key, fat_termos *t, fat_err *err)
{
  static const char *const ret_keys[5] = {"iss_bp", "ir_bp", "pis_bp", "cofins_bp", "csll_bp"};
  cJSON *c = NULL;
  const cJSON *p, *x, *it;
  int64_t v;
  int i;
  fat_rc rc;

  memset(t, 0, sizeof *t);
  if (gen == NULL || key == NULL || key[0] == '\0')
    return FAT_OK;
  rc = fat_gen_contract(gen, key, &c, err);
  if (rc != FAT_OK)
    return fat_err_prefix(err, "termos financeiros da operadora (operators/%s.lua): ", key);
  p = cJSON_GetObjectItemCaseSensitive(c, "pagamento");
  if (json_i64(p, "prazo_dias", &v) == 0 && v > 0 && v <= 3650)
    t->prazo_dias = (int)v;
  x = cJSON_GetObjectItemCaseSensitive(p, "contar_de");
  t->contar_de_protocolo = cJSON_IsString(x) && strcmp(x->valuestring, "protocolo") == 0;
  t->dias_uteis = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "dias_uteis"));
  x = cJSON_GetObjectItemCaseSensitive(p, "dias_do_mes");
  cJSON_ArrayForEach(it, x) {
    if (cJSON_IsNumber(it) && t->n_dias < FAT_TERMOS_MAX_DIAS && it->valuedouble >= 1 &&
        it->valuedouble <= 31)
      t->dias_do_mes[t->n_dias++] = (int)it->valuedouble;
  }
  for (i = 1; i < t->n_dias; i++) { /* insertion sort, tiny */
    int d = t->dias_do_mes[i], j = i;

    while (j > 0 && t->dias_do_mes[j - 1] > d) {
      t->dias_do_mes[j] = t->dias_do_mes[j - 1];
      j--;
    }
    t->dias_do_mes[j] = d;
  }
  x = cJSON_GetObjectItemCaseSensitive(c, "retencoes");
  for (i = 0; i < 5; i++)
    if (json_i64(x, ret_keys[i], &v) == 0 && v >= 0 && v <= 10000)
      t->ret_bp[i] = v;
  x = cJSON_GetObjectItemCaseSensitive(c, "repasse");
  cJSON_ArrayForEach(it, x) {
    fat_termos_repasse *r;

    if (!cJSON_IsObject(it) || t->n_repasse >= FAT_TERMOS_MAX_REPASSE)
      continue;
    r = &t->repasse[t->n_repasse++];
    json_str(it, "grupo", r->grupo, sizeof r->grupo);
    r->percentual_bp = -1;
    r->valor = -1;
    if (json_i64(it, "percentual_bp", &v) == 0)
      r->percentual_bp = v;
    else if (json_i64(it, "valor_centavos", &v) == 0)
      r->valor = v;
    json_str(it, "motivo", r->motivo, sizeof r->motivo);
  }
  x = cJSON_GetObjectItemCaseSensitive(c, "conciliacao");
  json_str(x, "cnpj", t->cnpj, sizeof t->cnpj);
  cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(x, "historico")) {
    if (cJSON_IsString(it) && t->n_hist < FAT_TERMOS_MAX_HIST)
      snprintf(t->historico[t->n_hist++], sizeof t->historico[0], "%s", it->valuestring);
  }
  cJSON_Delete(c);
  return FAT_OK;
}

int32_t fat_termos_previsao(const fat_termos *t, const fat_calendario *cal, int32_t envio,
                            int32_t protocolo)
{
  int32_t base, d;
  int y, m, dd, i;

  if (t->prazo_dias <= 0)
    return -1;
  base = t->contar_de_protocolo ? (protocolo >= 0 ? protocolo : envio)
                                : (envio >= 0 ? envio : protocolo);
  if (base < 0)
    return -1;
  d = t->dias_uteis ? fat_cal_somar_uteis(cal, base, t->prazo_dias) : base + t->prazo_dias;
  if (t->n_dias > 0) {
    int achou = 0;

    fat_dia_to_ymd(d, &y, &m, &dd);
    while (!achou) {
      for (i = 0; i < t->n_dias; i++) {
        int dia = t->dias_do_mes[i], ult = fat_dia_mes_dias(y, m);

        if (dia > ult)
          dia = ult;
        if (dia >= dd) {
          d = fat_dia_from_ymd(y, m, dia);
          achou = 1;
          break;
        }
      }
      if (!achou) {
        dd = 1;
        if (++m > 12) {
          m = 1;
          y++;
        }
      }
    }
  }
  return fat_cal_proximo_util(cal, d);
}
