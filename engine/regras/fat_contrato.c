/* fat_contrato.c: the typed contract of an operator (fat_contrato.h).
**
** One parser per section; fat_contrato_parse runs them in the order of the
** table `sections`. Every error names the field as "campo <caminho>" so the
** rules host can point at the script line that sets it. Integers only: a
** number with a fraction in a money or percentage field is refused, so no
** money ever passes through a float.
*/
#include "fat_contrato.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fat_dia.h"
#include "fat_mem.h"

#define PRAZO_MAX 3650 /* days: the longest deadline a contract may set */
#define BP_MIN (-10000)
#define BP_MAX 1000000

static fat_rc cfail(fat_err *err, const char *path, const char *fmt, ...) FAT_PRINTF(3, 4);

/* Number of leading decimal digits of s. */
static size_t digits(const char *s)
{
  size_t n = 0;

  while (s != NULL && s[n] >= '0' && s[n] <= '9')
    n++;
  return n;
}

static fat_rc cfail(fat_err *err, const char *path, const char *fmt, ...)
{
  char msg[300];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return fat_err_set(err, FAT_EINVAL, "contrato, campo %s: %s", path, msg);
}

static const cJSON *get(const cJSON *o, const char *k)
{
  const cJSON *v = o != NULL ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;

  return cJSON_IsNull(v) ? NULL : v;
}

/* A field that holds a table { ... }: an empty Lua table reads as an empty
** JSON list, so that is "absent" too. */
static const cJSON *get_tab(const cJSON *o, const char *k)
{
  const cJSON *v = get(o, k);

  return (cJSON_IsArray(v) && cJSON_GetArraySize(v) == 0) ? NULL : v;
}

/* Integer field in lo..hi (fractions refused). *found (may be NULL) says
** whether it was there; absent leaves *out untouched. */
static fat_rc get_int(const cJSON *o, const char *name, const char *path, int64_t lo, int64_t hi,
                      int64_t *out, int *found, fat_err *err)
{
  const cJSON *v = get(o, name);
  char full[96];
  double d;
  int64_t i;

  snprintf(full, sizeof full, "%s.%s", path, name);
  if (found != NULL)
    *found = 0;
  if (v == NULL)
    return FAT_OK;
  if (!cJSON_IsNumber(v))
    return cfail(err, full, "precisa ser um número inteiro");
  d = v->valuedouble;
  if (d < -1e15 || d > 1e15)
    return cfail(err, full, "número fora do intervalo");
  i = (int64_t)d;
  if (d - (double)i > 0.0 || d - (double)i < 0.0)
    return cfail(err, full,
                 "precisa ser inteiro (centavos ou pontos-base: use %lld para %s, não frações)",
                 (long long)(d * 10000.0), "-20% = -2000");
  if (i < lo || i > hi)
    return cfail(err, full, "valor %lld fora do intervalo %lld a %lld", (long long)i,
                 (long long)lo, (long long)hi);
  *out = i;
  if (found != NULL)
    *found = 1;
  return FAT_OK;
}

static fat_rc get_int32(const cJSON *o, const char *name, const char *path, int lo, int hi,
                        int *out, int *found, fat_err *err)
{
  int64_t v = *out;
  fat_rc rc = get_int(o, name, path, lo, hi, &v, found, err);

  *out = (int)v;
  return rc;
}

static fat_rc get_str(const cJSON *o, const char *name, const char *path, const char **out,
                      fat_err *err)
{
  const cJSON *v = get(o, name);
  char full[96];

  *out = NULL;
  if (v == NULL)
    return FAT_OK;
  snprintf(full, sizeof full, "%s.%s", path, name);
  if (!cJSON_IsString(v))
    return cfail(err, full, "precisa ser texto");
  *out = v->valuestring;
  return FAT_OK;
}

static fat_rc get_obj(const cJSON *o, const char *name, const char *path, const cJSON **out,
                      fat_err *err)
{
  const cJSON *v = get_tab(o, name);
  char full[96];

  *out = NULL;
  if (v == NULL)
    return FAT_OK;
  snprintf(full, sizeof full, "%s.%s", path, name);
  if (!cJSON_IsObject(v))
    return cfail(err, full, "precisa ser uma tabela { ... }");
  *out = v;
  return FAT_OK;
}

/* {======================================================================
** lote{}
** ======================================================================= */

/* A closing day: 1..31, or 0, -1, "ultimo", "último", "fim" = the last day
** (stored as 0). */
static int parse_dia(const cJSON *v, int *out)
{
  double d;

  if (cJSON_IsString(v) && (strcmp(v->valuestring, "ultimo") == 0 ||
                            strcmp(v->valuestring, "\xc3\xbaltimo") == 0 ||
                            strcmp(v->valuestring, "fim") == 0)) {
    *out = 0;
    return 0;
  }
  if (!cJSON_IsNumber(v))
    return -1;
  d = v->valuedouble;
  if (d != (double)(int)d || d < -1 || d > 31)
    return -1;
  *out = (d <= 0 || (int)d == 31) ? 0 : (int)d;
  return 0;
}

static int parse_dia_semana(const cJSON *v, int *out)
{
  static const char *const nomes[] = {"domingo", "segunda", "terca", "quarta",
                                      "quinta",  "sexta",   "sabado"};
  int i;
  double d;

  if (cJSON_IsString(v)) {
    const char *s = v->valuestring;

    if (strcmp(s, "ter\xc3\xa7" "a") == 0)
      s = "terca";
    else if (strcmp(s, "s\xc3\xa1" "bado") == 0)
      s = "sabado";
    for (i = 0; i < 7; i++) {
      if (strncmp(s, nomes[i], strlen(nomes[i])) == 0) {
        *out = i;
        return 0;
      }
    }
    return -1;
  }
  if (!cJSON_IsNumber(v))
    return -1;
  d = v->valuedouble;
  if (d != (double)(int)d || d < 0 || d > 7)
    return -1;
  *out = (int)d % 7; /* 7 = domingo too */
  return 0;
}

static int cmp_dia(const void *a, const void *b)
{
  int x = *(const int *)a, y = *(const int *)b;

  if (x == 0) /* the last day sorts last */
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

static fat_rc lote_dias(const cJSON *arr, fat_contrato_lote *out, const char *key, fat_err *err)
{
  const cJSON *it;
  char path[64];

  snprintf(path, sizeof path, "lote.%s", key);
  cJSON_ArrayForEach(it, arr)
  {
    if (out->n_dias >= 31 || parse_dia(it, &out->dias[out->n_dias]) != 0)
      return cfail(err, path, "dia inválido (1 a 31 ou \"ultimo\")");
    out->n_dias++;
  }
  return FAT_OK;
}

static fat_rc lote_fechamento(const cJSON *lote, fat_contrato_lote *out, fat_err *err)
{
  const cJSON *v, *it;
  int x;

  switch (out->periodicidade) {
  case FAT_CONTRATO_MENSAL:
    v = get(lote, "fechamento_dias");
    if (v == NULL)
      v = get(lote, "fechamento_dia");
    if (v == NULL) {
      out->dias[out->n_dias++] = 0;
    } else if (cJSON_IsArray(v)) {
      if (lote_dias(v, out, "fechamento_dia", err) != FAT_OK)
        return FAT_EINVAL;
      if (out->n_dias == 0)
        return cfail(err, "lote.fechamento_dia", "informe o dia de fechamento");
    } else if (parse_dia(v, &out->dias[0]) != 0) {
      return cfail(err, "lote.fechamento_dia", "dia inválido (1 a 31 ou \"ultimo\")");
    } else {
      out->n_dias = 1;
    }
    return FAT_OK;
  case FAT_CONTRATO_QUINZENAL:
    v = get(lote, "fechamento_dias");
    if (v == NULL)
      v = get(lote, "fechamento_dia");
    if (v == NULL) { /* the usual quinzena: the 15th and the last day */
      out->dias[0] = 15;
      out->dias[1] = 0;
      out->n_dias = 2;
      return FAT_OK;
    }
    if (!cJSON_IsArray(v))
      return cfail(err, "lote.fechamento_dias", "precisa ser uma lista de dois dias "
                                                "(ex.: {15, \"ultimo\"})");
    return lote_dias(v, out, "fechamento_dias", err);
  case FAT_CONTRATO_SEMANAL:
    v = get(lote, "fechamento_dia_semana");
    if (v == NULL)
      v = get(lote, "fechamento_dia");
    if (v != NULL && parse_dia_semana(v, &out->dia_semana) != 0)
      return cfail(err, "lote.fechamento_dia_semana",
                   "dia da semana inválido (0 = domingo .. 6 = sábado, ou o nome do dia)");
    return FAT_OK;
  case FAT_CONTRATO_CALENDARIO:
    v = get(lote, "datas");
    if (v == NULL)
      v = get(lote, "calendario");
    if (v == NULL)
      v = get(lote, "fechamentos");
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) == 0)
      return cfail(err, "lote.datas", "liste as datas de fechamento (AAAA-MM-DD)");
    cJSON_ArrayForEach(it, v)
    {
      int32_t d;

      if (cJSON_IsString(it) && fat_dia_parse(it->valuestring, &d) == 0) {
        if (out->n_datas >= FAT_CONTRATO_MAX_DATAS)
          return cfail(err, "lote.datas", "mais de %d datas", FAT_CONTRATO_MAX_DATAS);
        out->datas[out->n_datas++] = d;
      } else if (parse_dia(it, &x) == 0 && out->n_dias < 31) {
        out->dias[out->n_dias++] = x; /* a day of every month */
      } else {
        return cfail(err, "lote.datas", "item inválido (use datas AAAA-MM-DD ou dias do mês)");
      }
    }
    return FAT_OK;
  }
  return FAT_OK;
}

fat_rc fat_contrato_lote_parse(const cJSON *lote, fat_contrato_lote *out, fat_err *err)
{
  static const char *const agrup[] = {"tipo_guia", "competencia", "plano", "executante",
                                      "carater_atendimento"};
  const char *per = NULL;
  const cJSON *v, *it;
  int i, k;
  fat_rc rc;

  memset(out, 0, sizeof *out);
  out->max_guias = 100;
  if (lote == NULL)
    return cfail(err, "lote", "ausente: declare lote = { periodicidade = ..., ... }");
  if (!cJSON_IsObject(lote))
    return cfail(err, "lote", "precisa ser uma tabela { ... }");
  rc = get_str(lote, "periodicidade", "lote", &per, err);
  if (rc != FAT_OK)
    return rc;
  if (per == NULL)
    return cfail(err, "lote.periodicidade", "ausente (mensal, quinzenal, semanal ou calendario)");
  if (strcmp(per, "mensal") == 0)
    out->periodicidade = FAT_CONTRATO_MENSAL;
  else if (strcmp(per, "quinzenal") == 0)
    out->periodicidade = FAT_CONTRATO_QUINZENAL;
  else if (strcmp(per, "semanal") == 0)
    out->periodicidade = FAT_CONTRATO_SEMANAL;
  else if (strcmp(per, "calendario") == 0 || strcmp(per, "calend\xc3\xa1rio") == 0)
    out->periodicidade = FAT_CONTRATO_CALENDARIO;
  else
    return cfail(err, "lote.periodicidade", "'%s' desconhecida (mensal, quinzenal, semanal ou "
                                            "calendario)", per);
  rc = lote_fechamento(lote, out, err);
  if (rc != FAT_OK)
    return rc;
  qsort(out->dias, (size_t)out->n_dias, sizeof out->dias[0], cmp_dia);
  qsort(out->datas, (size_t)out->n_datas, sizeof out->datas[0], cmp_i32);
  for (i = 1, k = out->n_datas > 0 ? 1 : 0; i < out->n_datas; i++) /* drop repeats */
    if (out->datas[i] != out->datas[k - 1])
      out->datas[k++] = out->datas[i];
  out->n_datas = k;
  rc = get_int32(lote, "prazo_envio_dias", "lote", 0, 365, &out->prazo_envio_dias, NULL, err);
  if (rc == FAT_OK)
    rc = get_int32(lote, "max_guias", "lote", 1, 100, &out->max_guias, NULL, err);
  if (rc != FAT_OK)
    return rc;
  v = get(lote, "agrupamento");
  if (v != NULL && !cJSON_IsArray(v))
    return cfail(err, "lote.agrupamento", "precisa ser uma lista");
  cJSON_ArrayForEach(it, v)
  {
    for (k = 0; k < (int)(sizeof agrup / sizeof agrup[0]); k++)
      if (cJSON_IsString(it) && strcmp(it->valuestring, agrup[k]) == 0)
        break;
    if (k == (int)(sizeof agrup / sizeof agrup[0]) ||
        out->n_agrupamento >= FAT_CONTRATO_MAX_AGRUPAMENTO)
      return cfail(err, "lote.agrupamento", "desconhecido (tipo_guia, competencia, plano, "
                                            "executante, carater_atendimento)");
    out->agrupamento[out->n_agrupamento++] = (fat_contrato_agrupamento)k;
  }
  if (out->n_agrupamento == 0)
    out->agrupamento[out->n_agrupamento++] = FAT_AGRUPA_TIPO_GUIA;
  return FAT_OK;
}

/* }====================================================================== */

/* {======================================================================
** pagamento{}, recurso{}, retencoes{}, repasse[], conciliacao{}
** ======================================================================= */

static int cmp_int(const void *a, const void *b)
{
  int x = *(const int *)a, y = *(const int *)b;

  return (x > y) - (x < y);
}

fat_rc fat_contrato_pagamento_parse(const cJSON *p, fat_contrato_pagamento *out, fat_err *err)
{
  const char *s = NULL;
  const cJSON *v, *it;
  fat_rc rc;

  memset(out, 0, sizeof *out);
  if (p == NULL)
    return FAT_OK;
  if (!cJSON_IsObject(p))
    return cfail(err, "pagamento", "precisa ser uma tabela { prazo_dias = ... }");
  rc = get_int32(p, "prazo_dias", "pagamento", 1, PRAZO_MAX, &out->prazo_dias, NULL, err);
  if (rc == FAT_OK)
    rc = get_str(p, "contar_de", "pagamento", &s, err);
  if (rc != FAT_OK)
    return rc;
  if (s != NULL && strcmp(s, "protocolo") == 0)
    out->contar_de_protocolo = 1;
  else if (s != NULL && strcmp(s, "envio") != 0)
    return cfail(err, "pagamento.contar_de", "use \"envio\" ou \"protocolo\", não \"%s\"", s);
  v = get(p, "dias_uteis");
  if (v != NULL && !cJSON_IsBool(v))
    return cfail(err, "pagamento.dias_uteis", "precisa ser true ou false");
  out->dias_uteis = cJSON_IsTrue(v);
  v = get(p, "dias_do_mes");
  if (v != NULL && !cJSON_IsArray(v))
    return cfail(err, "pagamento.dias_do_mes", "precisa ser uma lista de dias (1 a 31)");
  cJSON_ArrayForEach(it, v)
  {
    double d = cJSON_IsNumber(it) ? it->valuedouble : 0;

    if (d != (double)(int)d || d < 1 || d > 31 ||
        out->n_dias_do_mes >= FAT_CONTRATO_MAX_DIAS_PAGAMENTO)
      return cfail(err, "pagamento.dias_do_mes", "dia inválido (1 a 31, até %d dias)",
                   FAT_CONTRATO_MAX_DIAS_PAGAMENTO);
    out->dias_do_mes[out->n_dias_do_mes++] = (int)d;
  }
  qsort(out->dias_do_mes, (size_t)out->n_dias_do_mes, sizeof out->dias_do_mes[0], cmp_int);
  return FAT_OK;
}

void fat_contrato_recurso_fini(fat_contrato_recurso *r)
{
  size_t i;

  if (r == NULL)
    return;
  for (i = 0; i < r->n_justificativas; i++)
    fat_free(r->justificativas[i].modelo);
  fat_free(r->justificativas);
  memset(r, 0, sizeof *r);
}

static int cmp_just(const void *a, const void *b)
{
  return strcmp(((const fat_contrato_justificativa *)a)->glosa,
                ((const fat_contrato_justificativa *)b)->glosa);
}

fat_rc fat_contrato_recurso_parse(const cJSON *r, fat_contrato_recurso *out, fat_err *err)
{
  const cJSON *j = NULL, *it;
  size_t n;
  fat_rc rc;

  memset(out, 0, sizeof *out);
  if (r == NULL)
    return FAT_OK;
  if (!cJSON_IsObject(r))
    return cfail(err, "recurso", "precisa ser uma tabela { prazo_dias = ... }");
  rc = get_int32(r, "prazo_dias", "recurso", 1, PRAZO_MAX, &out->prazo_dias, NULL, err);
  if (rc == FAT_OK)
    rc = get_obj(r, "justificativas", "recurso", &j, err);
  if (rc != FAT_OK || j == NULL)
    return rc;
  n = (size_t)cJSON_GetArraySize(j);
  if (n == 0)
    return FAT_OK;
  out->justificativas = fat_calloc(n, sizeof *out->justificativas);
  if (out->justificativas == NULL)
    return fat_err_oom(err);
  cJSON_ArrayForEach(it, j)
  {
    fat_contrato_justificativa *x = &out->justificativas[out->n_justificativas];
    const char *g = it->string != NULL ? it->string : "";
    char path[64];

    snprintf(path, sizeof path, "recurso.justificativas.%.8s", g);
    if (strlen(g) != 4 || digits(g) != 4)
      rc = cfail(err, path, "a chave deve ser um código de glosa (4 dígitos)");
    else if (!cJSON_IsString(it) || it->valuestring[0] == '\0')
      rc = cfail(err, path, "o modelo deve ser um texto");
    if (rc != FAT_OK)
      break;
    memcpy(x->glosa, g, 5);
    x->modelo = fat_strdup(it->valuestring);
    if (x->modelo == NULL) {
      rc = fat_err_oom(err);
      break;
    }
    out->n_justificativas++;
  }
  if (rc != FAT_OK) {
    fat_contrato_recurso_fini(out);
    return rc;
  }
  qsort(out->justificativas, out->n_justificativas, sizeof *out->justificativas, cmp_just);
  return FAT_OK;
}

fat_rc fat_contrato_retencoes_parse(const cJSON *t, fat_contrato_retencoes *out, fat_err *err)
{
  static const char *const keys[FAT_RET_N] = {"iss_bp", "ir_bp", "pis_bp", "cofins_bp",
                                              "csll_bp"};
  int i;
  fat_rc rc = FAT_OK;

  memset(out, 0, sizeof *out);
  if (t == NULL)
    return FAT_OK;
  if (!cJSON_IsObject(t))
    return cfail(err, "retencoes", "precisa ser uma tabela { iss = \"2%%\", ... }");
  for (i = 0; i < FAT_RET_N && rc == FAT_OK; i++)
    rc = get_int(t, keys[i], "retencoes", 0, 10000, &out->bp[i], NULL, err);
  return rc;
}

static fat_rc parse_repasse(const cJSON *t, fat_contrato *c, fat_err *err)
{
  const cJSON *it;
  fat_rc rc = FAT_OK;

  c->n_repasse = 0;
  if (t == NULL)
    return FAT_OK;
  if (!cJSON_IsArray(t))
    return cfail(err, "repasse", "precisa ser uma lista de casos { grupo = ..., ... }");
  cJSON_ArrayForEach(it, t)
  {
    fat_contrato_repasse *r;
    const char *g = NULL, *m = NULL;
    char path[32];
    int has_p = 0, has_v = 0;

    snprintf(path, sizeof path, "repasse[%d]", c->n_repasse + 1);
    if (c->n_repasse >= FAT_CONTRATO_MAX_REPASSE)
      return cfail(err, "repasse", "mais de %d casos", FAT_CONTRATO_MAX_REPASSE);
    if (!cJSON_IsObject(it))
      return cfail(err, path, "precisa ser uma tabela");
    r = &c->repasse[c->n_repasse];
    memset(r, 0, sizeof *r);
    r->percentual_bp = -1;
    r->valor = -1;
    rc = get_str(it, "grupo", path, &g, err);
    if (rc == FAT_OK)
      rc = get_int(it, "percentual_bp", path, 0, 10000, &r->percentual_bp, &has_p, err);
    if (rc == FAT_OK)
      rc = get_int(it, "valor_centavos", path, 0, (int64_t)1e12, &r->valor, &has_v, err);
    if (rc == FAT_OK)
      rc = get_str(it, "motivo", path, &m, err);
    if (rc != FAT_OK)
      return rc;
    if (g == NULL || g[0] == '\0' || g[digits(g)] != '\0' || strlen(g) >= sizeof r->grupo)
      return cfail(err, path, "grupo deve ser o início do código (dígitos)");
    if (has_p == has_v)
      return cfail(err, path, "informe percentual ou valor (um dos dois)");
    snprintf(r->grupo, sizeof r->grupo, "%s", g);
    snprintf(r->motivo, sizeof r->motivo, "%s", m != NULL ? m : "");
    c->n_repasse++;
  }
  return FAT_OK;
}

static fat_rc parse_conciliacao(const cJSON *t, fat_contrato_conciliacao *out, fat_err *err)
{
  const char *cnpj = NULL;
  const cJSON *h, *it;
  fat_rc rc;

  memset(out, 0, sizeof *out);
  if (t == NULL)
    return FAT_OK;
  if (!cJSON_IsObject(t))
    return cfail(err, "conciliacao", "precisa ser uma tabela { cnpj = ..., historico = ... }");
  rc = get_str(t, "cnpj", "conciliacao", &cnpj, err);
  if (rc != FAT_OK)
    return rc;
  if (cnpj != NULL) {
    if (digits(cnpj) != 14 || cnpj[14] != '\0')
      return cfail(err, "conciliacao.cnpj", "deve ter 14 dígitos");
    memcpy(out->cnpj, cnpj, 15);
  }
  h = get(t, "historico");
  if (h != NULL && !cJSON_IsArray(h))
    return cfail(err, "conciliacao.historico", "precisa ser uma lista de textos");
  cJSON_ArrayForEach(it, h)
  {
    if (!cJSON_IsString(it) || out->n_historico >= FAT_CONTRATO_MAX_HISTORICO)
      return cfail(err, "conciliacao.historico", "até %d textos", FAT_CONTRATO_MAX_HISTORICO);
    snprintf(out->historico[out->n_historico++], sizeof out->historico[0], "%s", it->valuestring);
  }
  return FAT_OK;
}

/* }====================================================================== */

/* {======================================================================
** precos{}
** ======================================================================= */

static const char *const grupo_names[FAT_PRECO_GRUPOS] = {"procedimentos", "exames", "materiais",
                                                          "medicamentos", "taxas"};
static const char *const tabela_names[] = {"cbhpm", "negociada", "simpro", "brasindice"};
static const char *const acom_names[FAT_PRECO_ACOMODACOES] = {"enfermaria", "apartamento",
                                                              "ambulatorial"};

static fat_rc parse_adj(const cJSON *o, const char *path, fat_preco_ajuste *a, fat_err *err)
{
  const char *ap;
  int found;
  fat_rc rc;

  memset(a, 0, sizeof *a);
  if (o == NULL)
    return FAT_OK;
  rc = get_int(o, "ajuste_bp", path, BP_MIN, BP_MAX, &a->bp, &found, err);
  if (rc == FAT_OK)
    rc = get_str(o, "aplica", path, &ap, err);
  if (rc != FAT_OK)
    return rc;
  if (ap != NULL && strcmp(ap, "total") == 0)
    a->total = 1;
  else if (ap != NULL && strcmp(ap, "honorarios") != 0)
    return cfail(err, path, "aplica deve ser \"honorarios\" ou \"total\", não \"%s\"", ap);
  a->on = found && a->bp != 0;
  return FAT_OK;
}

static fat_rc parse_planos(const cJSON *planos, const char *path, fat_preco_grupo *g,
                           fat_err *err)
{
  const cJSON *e;
  size_t k;
  fat_rc rc = FAT_OK;

  cJSON_ArrayForEach(e, planos)
  {
    char pp[96];

    for (k = 0; k < FAT_PRECO_ACOMODACOES; k++)
      if (e->string != NULL && strcmp(e->string, acom_names[k]) == 0)
        break;
    snprintf(pp, sizeof pp, "%s.planos.%s", path, e->string != NULL ? e->string : "?");
    if (k == FAT_PRECO_ACOMODACOES)
      return cfail(err, pp, "acomodação desconhecida (enfermaria, apartamento, ambulatorial)");
    if (!cJSON_IsObject(e))
      return cfail(err, pp, "precisa ser uma tabela { ajuste_bp = ..., aplica = ... }");
    rc = parse_adj(e, pp, &g->plano[k], err);
    if (rc != FAT_OK)
      return rc;
  }
  return rc;
}

static fat_rc parse_grupo(const cJSON *o, int gi, fat_preco_grupo *g, fat_err *err)
{
  char path[64];
  const char *s;
  const cJSON *planos;
  size_t k;
  fat_rc rc;

  memset(g, 0, sizeof *g);
  if (o == NULL)
    return FAT_OK;
  snprintf(path, sizeof path, "precos.%s", grupo_names[gi]);
  g->on = 1;
  rc = get_str(o, "tabela", path, &s, err);
  if (rc != FAT_OK)
    return rc;
  if (s == NULL)
    return cfail(err, path, "falta tabela (cbhpm, negociada, simpro ou brasindice)");
  for (k = 0; k < sizeof tabela_names / sizeof tabela_names[0]; k++)
    if (strcmp(s, tabela_names[k]) == 0)
      break;
  if (k == sizeof tabela_names / sizeof tabela_names[0])
    return cfail(err, path, "tabela \"%s\" desconhecida (cbhpm, negociada, simpro, brasindice)",
                 s);
  g->tabela = (int)k;
  if ((gi == FAT_PRECO_PROCEDIMENTOS || gi == FAT_PRECO_EXAMES) &&
      (g->tabela == FAT_PRECO_SIMPRO || g->tabela == FAT_PRECO_BRASINDICE))
    return cfail(err, path, "procedimentos usam cbhpm ou negociada");
  if ((gi == FAT_PRECO_MATERIAIS || gi == FAT_PRECO_MEDICAMENTOS || gi == FAT_PRECO_TAXAS) &&
      g->tabela == FAT_PRECO_CBHPM)
    return cfail(err, path, "a CBHPM só precifica procedimentos");
  rc = get_str(o, "edicao", path, &s, err);
  if (rc != FAT_OK)
    return rc;
  if (g->tabela == FAT_PRECO_CBHPM) {
    if (s == NULL || s[0] == '\0')
      return cfail(err, path, "a tabela cbhpm precisa de edicao");
    snprintf(g->edicao, sizeof g->edicao, "%s", s);
  }
  rc = get_int(o, "ajuste_bp", path, BP_MIN, BP_MAX, &g->ajuste_bp, NULL, err);
  if (rc == FAT_OK)
    rc = get_int(o, "uco_centavos", path, 0, 100000000, &g->uco_c, &g->has_uco, err);
  if (rc == FAT_OK)
    rc = get_int(o, "filme_centavos", path, 0, 100000000, &g->filme_c, &g->has_filme, err);
  if (rc == FAT_OK)
    rc = get_str(o, "base", path, &s, err);
  if (rc != FAT_OK)
    return rc;
  if (s != NULL && strcmp(s, "pmc") == 0)
    g->base_pmc = 1;
  else if (s != NULL && strcmp(s, "pf") != 0)
    return cfail(err, path, "base deve ser \"pf\" ou \"pmc\", não \"%s\"", s);
  rc = get_obj(o, "planos", path, &planos, err);
  if (rc == FAT_OK && planos != NULL)
    rc = parse_planos(planos, path, g, err);
  return rc;
}

static int group_index(const char *s)
{
  int i;

  for (i = 0; i < FAT_PRECO_GRUPOS; i++)
    if (strcmp(s, grupo_names[i]) == 0)
      return i;
  return -1;
}

static fat_rc parse_horario(const cJSON *o, fat_contrato_precos *c, fat_err *err)
{
  const char *s;
  const cJSON *f;
  fat_rc rc = get_str(o, "inicio", "precos.horario_especial", &s, err);

  if (rc != FAT_OK)
    return rc;
  if (s != NULL) {
    c->hesp_ini = fat_dia_hora_minutos(s);
    if (c->hesp_ini < 0)
      return cfail(err, "precos.horario_especial.inicio", "hora inválida \"%s\" (HH:MM)", s);
  }
  rc = get_str(o, "fim", "precos.horario_especial", &s, err);
  if (rc != FAT_OK)
    return rc;
  if (s != NULL) {
    c->hesp_fim = fat_dia_hora_minutos(s);
    if (c->hesp_fim < 0)
      return cfail(err, "precos.horario_especial.fim", "hora inválida \"%s\" (HH:MM)", s);
  }
  f = get(o, "fim_de_semana");
  if (f != NULL && cJSON_IsFalse(f))
    c->hesp_fds = 0;
  return FAT_OK;
}

static fat_rc parse_reajuste(const cJSON *e, fat_contrato_precos *c, fat_err *err)
{
  char pp[64];
  const cJSON *gl, *gn;
  const char *s;
  int32_t d;
  int found;
  fat_preco_reajuste *r;
  fat_rc rc;

  snprintf(pp, sizeof pp, "precos.reajustes[%d]", c->nr + 1);
  if (c->nr >= FAT_PRECO_MAX_REAJUSTES)
    return cfail(err, "precos.reajustes", "mais de %d reajustes", FAT_PRECO_MAX_REAJUSTES);
  if (!cJSON_IsObject(e))
    return cfail(err, pp, "precisa ser uma tabela");
  r = &c->r[c->nr];
  memset(r, 0, sizeof *r);
  rc = get_str(e, "a_partir_de", pp, &s, err);
  if (rc != FAT_OK)
    return rc;
  if (s == NULL || fat_dia_parse(s, &d) != 0)
    return cfail(err, pp, "a_partir_de precisa ser uma data AAAA-MM-DD");
  snprintf(r->data, sizeof r->data, "%s", s);
  rc = get_int(e, "ajuste_bp", pp, BP_MIN, BP_MAX, &r->bp, &found, err);
  if (rc != FAT_OK)
    return rc;
  if (!found)
    return cfail(err, pp, "falta ajuste_bp");
  gl = get(e, "grupos");
  if (gl != NULL && !cJSON_IsArray(gl))
    return cfail(err, pp, "grupos precisa ser uma lista de nomes de grupo");
  cJSON_ArrayForEach(gn, gl)
  {
    int gi = cJSON_IsString(gn) ? group_index(gn->valuestring) : -1;

    if (gi < 0)
      return cfail(err, pp, "grupo desconhecido em grupos");
    r->mask |= 1u << gi;
  }
  c->nr++;
  return FAT_OK;
}

fat_rc fat_contrato_precos_parse(const cJSON *p, fat_contrato_precos *c, fat_err *err)
{
  const cJSON *o, *e;
  const char *s;
  int64_t v;
  int i, found;
  fat_rc rc;

  memset(c, 0, sizeof *c);
  c->negociada = 1;
  c->via2_bp = 5000;
  c->via3_bp = 7000;
  c->aux_bp[1] = 3000;
  c->aux_bp[2] = 2000;
  c->aux_bp[3] = 1000;
  c->aux_bp[4] = 1000;
  c->hesp_ini = 19 * 60;
  c->hesp_fim = 7 * 60;
  c->hesp_fds = 1;
  if (p == NULL)
    return FAT_OK;
  if (!cJSON_IsObject(p))
    return cfail(err, "precos", "precisa ser uma tabela { ... }");
  rc = get_str(p, "arredondamento", "precos", &s, err);
  if (rc != FAT_OK)
    return rc;
  if (s != NULL && strcmp(s, "truncar") == 0)
    c->truncar = 1;
  else if (s != NULL && strcmp(s, "meio_acima") != 0)
    return cfail(err, "precos.arredondamento", "use \"meio_acima\" ou \"truncar\", não \"%s\"", s);
  o = get(p, "negociada");
  if (o != NULL && cJSON_IsFalse(o))
    c->negociada = 0;
  else if (o != NULL && !cJSON_IsTrue(o))
    return cfail(err, "precos.negociada", "precisa ser true ou false");
  for (i = 0; i < FAT_PRECO_GRUPOS; i++) {
    rc = get_obj(p, grupo_names[i], "precos", &o, err);
    if (rc == FAT_OK)
      rc = parse_grupo(o, i, &c->g[i], err);
    if (rc != FAT_OK)
      return rc;
  }
  rc = get_obj(p, "urgencia", "precos", &o, err);
  if (rc == FAT_OK)
    rc = parse_adj(o, "precos.urgencia", &c->urg, err);
  if (rc == FAT_OK)
    rc = get_obj(p, "horario_especial", "precos", &o, err);
  if (rc == FAT_OK)
    rc = parse_adj(o, "precos.horario_especial", &c->hesp, err);
  if (rc == FAT_OK && o != NULL)
    rc = parse_horario(o, c, err);
  if (rc == FAT_OK)
    rc = get_obj(p, "reducao_via", "precos", &o, err);
  if (rc == FAT_OK && o != NULL) {
    rc = get_int(o, "mesma_via_bp", "precos.reducao_via", 0, 10000, &c->via2_bp, NULL, err);
    if (rc == FAT_OK)
      rc = get_int(o, "vias_diferentes_bp", "precos.reducao_via", 0, 10000, &c->via3_bp, NULL,
                   err);
    if (rc == FAT_OK && (c->via2_bp % 100 != 0 || c->via3_bp % 100 != 0))
      rc = cfail(err, "precos.reducao_via",
                 "o fator TISS tem 2 casas: use múltiplos de 100 pontos-base");
  }
  if (rc == FAT_OK)
    rc = get_obj(p, "auxiliares", "precos", &o, err);
  for (i = 1; rc == FAT_OK && o != NULL && i <= 4; i++) {
    char k[16];

    snprintf(k, sizeof k, "%02d", i);
    rc = get_int(o, k, "precos.auxiliares", 0, 10000, &v, &found, err);
    if (rc == FAT_OK && found)
      c->aux_bp[i] = v;
  }
  if (rc != FAT_OK)
    return rc;
  o = get(p, "reajustes");
  if (o != NULL && !cJSON_IsArray(o))
    return cfail(err, "precos.reajustes", "precisa ser uma lista { {a_partir_de=..., ...} }");
  cJSON_ArrayForEach(e, o)
  {
    rc = parse_reajuste(e, c, err);
    if (rc != FAT_OK)
      return rc;
  }
  return FAT_OK;
}

/* }====================================================================== */

/* {======================================================================
** The whole contract
** ======================================================================= */

void fat_contrato_free(fat_contrato *c)
{
  if (c == NULL)
    return;
  fat_contrato_recurso_fini(&c->recurso);
  fat_free(c->nome);
  fat_free(c->codigo_prestador);
  fat_free(c);
}

const char *fat_contrato_modelo_recurso(const fat_contrato *c, const char *glosa)
{
  fat_contrato_justificativa key, *hit;

  if (c == NULL || glosa == NULL || strlen(glosa) != 4 || c->recurso.n_justificativas == 0)
    return NULL;
  memcpy(key.glosa, glosa, 5);
  hit = bsearch(&key, c->recurso.justificativas, c->recurso.n_justificativas,
                sizeof key, cmp_just);
  return hit != NULL ? hit->modelo : NULL;
}

/* registro_ans, nome, codigo_prestador, versao_tiss, hash, the deadline. */
static fat_rc parse_identidade(const cJSON *d, fat_contrato *c, fat_err *err)
{
  const char *ans = NULL, *nome = NULL, *cod = NULL, *ver = NULL, *hash = NULL;
  const cJSON *a;
  int found = 0;
  fat_rc rc;

  rc = get_str(d, "registro_ans", "contrato", &ans, err);
  if (rc == FAT_OK)
    rc = get_str(d, "nome", "contrato", &nome, err);
  if (rc == FAT_OK)
    rc = get_str(d, "codigo_prestador", "contrato", &cod, err);
  if (rc == FAT_OK)
    rc = get_str(d, "versao_tiss", "contrato", &ver, err);
  if (rc == FAT_OK)
    rc = get_str(d, "hash", "contrato", &hash, err);
  if (rc != FAT_OK)
    return rc;
  if (ans == NULL || digits(ans) != 6 || ans[6] != '\0')
    return cfail(err, "registro_ans", "deve ter 6 dígitos");
  if (nome == NULL || nome[0] == '\0')
    return cfail(err, "nome", "ausente");
  memcpy(c->registro_ans, ans, 7);
  c->nome = fat_strdup(nome);
  c->codigo_prestador = fat_strdup(cod != NULL ? cod : "");
  if (c->nome == NULL || c->codigo_prestador == NULL)
    return fat_err_oom(err);
  if (ver != NULL && strlen(ver) >= sizeof c->versao_tiss)
    return cfail(err, "versao_tiss", "deve ser como \"4.01.00\"");
  snprintf(c->versao_tiss, sizeof c->versao_tiss, "%s", ver != NULL ? ver : "4.01.00");
  if (hash != NULL && strcmp(hash, "iso-8859-1") != 0 && strcmp(hash, "utf-8") != 0)
    return cfail(err, "hash", "deve ser \"iso-8859-1\" ou \"utf-8\", não \"%s\"", hash);
  snprintf(c->hash, sizeof c->hash, "%s", hash != NULL ? hash : "iso-8859-1");
  rc = get_int32(d, "prazo_apresentacao_dias", "contrato", 1, PRAZO_MAX,
                 &c->prazo_apresentacao_dias, &found, err);
  if (rc == FAT_OK && !found) { /* also accepted: apresentacao = { prazo_dias = N } */
    a = get_tab(d, "apresentacao");
    if (a != NULL && !cJSON_IsObject(a))
      return cfail(err, "apresentacao", "precisa ser uma tabela { prazo_dias = ... }");
    rc = get_int32(a, "prazo_dias", "apresentacao", 1, PRAZO_MAX, &c->prazo_apresentacao_dias,
                   NULL, err);
  }
  return rc;
}

fat_rc fat_contrato_parse(const cJSON *d, fat_contrato **out, fat_err *err)
{
  fat_contrato *c;
  fat_rc rc;

  *out = NULL;
  if (d == NULL || !cJSON_IsObject(d))
    return fat_err_set(err, FAT_EINVAL, "contrato ausente ou não é uma tabela");
  c = fat_calloc(1, sizeof *c);
  if (c == NULL)
    return fat_err_oom(err);
  /* the sections, in the order of docs/regras.md */
  rc = parse_identidade(d, c, err);
  if (rc == FAT_OK)
    rc = fat_contrato_lote_parse(get_tab(d, "lote"), &c->lote, err);
  if (rc == FAT_OK)
    rc = fat_contrato_pagamento_parse(get_tab(d, "pagamento"), &c->pagamento, err);
  if (rc == FAT_OK)
    rc = fat_contrato_recurso_parse(get_tab(d, "recurso"), &c->recurso, err);
  if (rc == FAT_OK)
    rc = fat_contrato_precos_parse(get_tab(d, "precos"), &c->precos, err);
  if (rc == FAT_OK)
    rc = fat_contrato_retencoes_parse(get_tab(d, "retencoes"), &c->retencoes, err);
  if (rc == FAT_OK)
    rc = parse_repasse(get(d, "repasse"), c, err);
  if (rc == FAT_OK)
    rc = parse_conciliacao(get_tab(d, "conciliacao"), &c->conciliacao, err);
  if (rc == FAT_OK)
    rc = fat_contrato_guias_parse(d, &c->guias, err);
  if (rc != FAT_OK) {
    fat_contrato_free(c);
    return rc;
  }
  *out = c;
  return FAT_OK;
}

/* }====================================================================== */

int32_t fat_contrato_previsao(const fat_contrato_pagamento *p, const fat_calendario *cal,
                              int32_t envio, int32_t protocolo)
{
  int32_t base, d;
  int y, m, dd, i;

  if (p->prazo_dias <= 0)
    return -1;
  base = p->contar_de_protocolo ? (protocolo >= 0 ? protocolo : envio)
                                : (envio >= 0 ? envio : protocolo);
  if (base < 0)
    return -1;
  d = p->dias_uteis ? fat_cal_somar_uteis(cal, base, p->prazo_dias) : base + p->prazo_dias;
  if (p->n_dias_do_mes > 0) {
    int achou = 0;

    fat_dia_to_ymd(d, &y, &m, &dd);
    while (!achou) {
      for (i = 0; i < p->n_dias_do_mes; i++) {
        int dia = p->dias_do_mes[i], ult = fat_dia_mes_dias(y, m);

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
