/* fat_lote.c: closing lotes, their state machine, listings and the relação. */
#include "fat_lote.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fat_dia.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_money.h"
#include "fat_store_int.h"
#include "fat_tiss_validate.h"
#include "fat_tiss_write.h"

/* ---- contract ---- */

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

/* ---- helpers ---- */

static void add_days(const char *date, int n, char out[11])
{
  int32_t d;

  if (fat_dia_parse(date, &d) != 0) {
    out[0] = '\0';
    return;
  }
  fat_dia_format(d + n, out, 11);
}

static void col_copy(sqlite3_stmt *s, int i, char *buf, size_t len)
{
  const unsigned char *t = sqlite3_column_text(s, i);

  snprintf(buf, len, "%s", t != NULL ? (const char *)t : "");
}

static fat_rc evento(fat_store *st, int64_t lote_id, const char *de, const char *para,
                     const char *data, const char *detalhe, fat_err *err)
{
  static const char sql[] = "INSERT INTO lote_evento (lote_id, usuario, de, para, data, detalhe) "
                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
  sqlite3_stmt *s;
  char obj[32], det[600];
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, lote_id);
  fat_bind_text(s, 2, fat_store_user(st));
  fat_bind_text(s, 3, de);
  fat_bind_text(s, 4, para);
  fat_bind_text(s, 5, data);
  fat_bind_text(s, 6, detalhe);
  rc = fat_store_step_done(st, s, "erro ao registrar evento do lote", err);
  if (rc != FAT_OK)
    return rc;
  snprintf(obj, sizeof obj, "lote:%" PRId64, lote_id);
  snprintf(det, sizeof det, "%s -> %s%s%s", de != NULL ? de : "-", para,
           detalhe != NULL ? ": " : "", detalhe != NULL ? detalhe : "");
  return fat_store_audit(st, para[0] == 'a' ? "lote.reabrir" : "lote.situacao", obj, det, err);
}

fat_rc fat_lote_operadora(fat_store *st, const char *ref, int64_t *id, char *key_out,
                          size_t key_len, fat_err *err)
{
  static const char sql[] = "SELECT id, script FROM operadora WHERE registro_ans = ?1 OR "
                            "script = ?1 OR CAST(id AS TEXT) = ?1 ORDER BY id LIMIT 1";
  sqlite3_stmt *s;
  fat_rc rc;

  if (ref == NULL || ref[0] == '\0')
    return fat_err_set(err, FAT_EINVAL, "operadora não informada");
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, ref);
  if (sqlite3_step(s) != SQLITE_ROW)
    return fat_err_set(err, FAT_ENOTFOUND, "operadora '%s' não cadastrada (use o registro ANS "
                                           "ou a chave do script)", ref);
  *id = sqlite3_column_int64(s, 0);
  if (key_out != NULL)
    col_copy(s, 1, key_out, key_len);
  sqlite3_reset(s);
  return FAT_OK;
}

/* ---- closing ---- */

typedef struct ready {
  int64_t id, prestador_id, valor;
  char tipo[24];
  char comp[8];
  char ref[11];
  char ini[11], fim[11];
} ready;

static int cmp_ready(const void *a, const void *b)
{
  const ready *x = a, *y = b;
  int c;

  if (x->prestador_id != y->prestador_id)
    return x->prestador_id < y->prestador_id ? -1 : 1;
  if ((c = strcmp(x->comp, y->comp)) != 0)
    return c;
  if ((c = strcmp(x->fim, y->fim)) != 0)
    return c;
  if ((c = strcmp(x->tipo, y->tipo)) != 0)
    return c;
  if ((c = strcmp(x->ref, y->ref)) != 0)
    return c;
  return (x->id > y->id) - (x->id < y->id);
}

static int same_group(const ready *x, const ready *y)
{
  return x->prestador_id == y->prestador_id && strcmp(x->comp, y->comp) == 0 &&
         strcmp(x->fim, y->fim) == 0 && strcmp(x->tipo, y->tipo) == 0;
}

void fat_lote_fechar_res_fini(fat_lote_fechar_res *r)
{
  if (r == NULL)
    return;
  fat_free(r->lotes);
  memset(r, 0, sizeof *r);
}

static fat_rc load_ready(fat_store *st, int64_t op, const fat_lote_fechar_opts *o,
                         const char *ate, const fat_lote_cfg *cfg, ready **out, size_t *n,
                         fat_err *err)
{
  static const char sql[] =
    "SELECT g.id, g.prestador_id, g.tipo, g.valor_total,"
    " CASE WHEN g.tipo IN ('resumo-internacao', 'honorarios')"
    "  THEN COALESCE(g.data_fim, g.data_inicio) ELSE g.data_inicio END AS ref,"
    " g.competencia"
    " FROM guia g"
    " WHERE g.operadora_id = ?1 AND g.status = 'conferida' AND g.lote_id IS NULL"
    "  AND NOT EXISTS (SELECT 1 FROM achado a WHERE a.guia_id = g.id"
    "   AND a.severidade = 'bloqueio' AND a.reconhecido_em IS NULL)"
    " ORDER BY g.id";
  sqlite3_stmt *s;
  ready *v = NULL, *nv;
  size_t cap = 0, k = 0;
  fat_rc rc;
  int r;

  *out = NULL;
  *n = 0;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, op);
  while ((r = sqlite3_step(s)) == SQLITE_ROW) {
    ready x;

    memset(&x, 0, sizeof x);
    x.id = sqlite3_column_int64(s, 0);
    x.prestador_id = sqlite3_column_int64(s, 1);
    col_copy(s, 2, x.tipo, sizeof x.tipo);
    x.valor = sqlite3_column_int64(s, 3);
    col_copy(s, 4, x.ref, sizeof x.ref);
    col_copy(s, 5, x.comp, sizeof x.comp);
    if (!fat_dia_valida(x.ref) || strcmp(x.ref, ate) > 0)
      continue; /* undated guias cannot be placed in a period; later ones wait */
    if (x.comp[0] == '\0')
      snprintf(x.comp, sizeof x.comp, "%.7s", x.ref);
    if (o->competencia != NULL && strcmp(o->competencia, x.comp) != 0)
      continue;
    rc = fat_lote_periodo(cfg, x.ref, x.ini, x.fim, err);
    if (rc != FAT_OK) {
      fat_err_prefix(err, "guia %" PRId64 ": ", x.id);
      goto fail;
    }
    if (k == cap) {
      cap = cap == 0 ? 64 : cap * 2;
      nv = fat_realloc(v, cap * sizeof *v);
      if (nv == NULL) {
        rc = fat_err_oom(err);
        goto fail;
      }
      v = nv;
    }
    v[k++] = x;
  }
  if (r != SQLITE_DONE) {
    rc = fat_store_dberr(st, err, "erro ao ler guias prontas");
    goto fail;
  }
  sqlite3_reset(s);
  if (k > 0)
    qsort(v, k, sizeof *v, cmp_ready);
  *out = v;
  *n = k;
  return FAT_OK;
fail:
  sqlite3_reset(s);
  fat_free(v);
  return rc;
}

/* Next free lote number of the operadora (proximo_lote, but never a number
** already used). */
static fat_rc next_numero(fat_store *st, int64_t op, int64_t *num, fat_err *err)
{
  static const char sql[] =
    "SELECT MAX(o.proximo_lote, COALESCE((SELECT MAX(numero) + 1 FROM lote WHERE "
    "operadora_id = o.id), 1)) FROM operadora o WHERE o.id = ?1";
  static const char upd[] = "UPDATE operadora SET proximo_lote = ?2 WHERE id = ?1";
  sqlite3_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, op);
  if (sqlite3_step(s) != SQLITE_ROW)
    return fat_store_dberr(st, err, "erro ao numerar lote");
  *num = sqlite3_column_int64(s, 0);
  sqlite3_reset(s);
  rc = fat_store_prepare(st, upd, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, op);
  fat_bind_int(s, 2, *num + 1);
  return fat_store_step_done(st, s, "erro ao numerar lote", err);
}

/* A reopened ('aberto') lote of the same group, to reuse its number. */
static fat_rc find_open(fat_store *st, int64_t op, const ready *g, int64_t *id, int64_t *num,
                        fat_err *err)
{
  static const char sql[] =
    "SELECT id, numero FROM lote WHERE operadora_id = ?1 AND prestador_id = ?2 AND "
    "tipo_guia = ?3 AND competencia = ?4 AND periodo_fim = ?5 AND status = 'aberto' "
    "ORDER BY numero LIMIT 1";
  sqlite3_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  *id = 0;
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, op);
  fat_bind_int(s, 2, g->prestador_id);
  fat_bind_text(s, 3, g->tipo);
  fat_bind_text(s, 4, g->comp);
  fat_bind_text(s, 5, g->fim);
  if (sqlite3_step(s) == SQLITE_ROW) {
    *id = sqlite3_column_int64(s, 0);
    *num = sqlite3_column_int64(s, 1);
  }
  sqlite3_reset(s);
  return FAT_OK;
}

/* Write, validate and store one lote of guias v[0..n). */
static fat_rc close_one(fat_store *st, int64_t op, const fat_lote_fechar_opts *o,
                        const fat_lote_cfg *cfg, const ready *v, size_t n, const char *hoje,
                        fat_lote_info *info, int *validado, fat_err *err)
{
  static const char ins[] =
    "INSERT INTO lote (operadora_id, prestador_id, numero, tipo_guia, competencia,"
    " periodo_inicio, periodo_fim, status, qtd_guias, valor_informado, hash, arquivo, xml,"
    " geracao_id, fechado_em, prazo_envio, hash_encoding, pagamento_prazo_dias, validado)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'fechado', ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
    " ?16, ?17, ?18)";
  static const char reuse[] =
    "UPDATE lote SET status = 'fechado', periodo_inicio = ?2, qtd_guias = ?3,"
    " valor_informado = ?4, hash = ?5, arquivo = ?6, xml = ?7, geracao_id = ?8,"
    " fechado_em = ?9, prazo_envio = ?10, hash_encoding = ?11, pagamento_prazo_dias = ?12,"
    " validado = ?13, motivo_reabertura = NULL WHERE id = ?1";
  static const char upd_guia[] =
    "UPDATE guia SET status = 'em_lote', lote_id = ?2 WHERE id = ?1 AND lote_id IS NULL";
  fat_guia **gs;
  fat_tiss_doc doc;
  fat_tiss_envio env;
  fat_tiss_xsd_result xr;
  sqlite3_stmt *s;
  char numtxt[24], fechado[32];
  int64_t lote_id = 0, numero = 0, total = 0;
  size_t i;
  fat_rc rc;

  memset(&doc, 0, sizeof doc);
  gs = fat_calloc(n, sizeof *gs);
  if (gs == NULL)
    return fat_err_oom(err);
  for (i = 0; i < n; i++) {
    rc = fat_guia_load(st, v[i].id, &gs[i], err);
    if (rc != FAT_OK)
      goto out;
    total += gs[i]->valor_total;
  }
  rc = find_open(st, op, &v[0], &lote_id, &numero, err);
  if (rc == FAT_OK && lote_id == 0)
    rc = next_numero(st, op, &numero, err);
  if (rc != FAT_OK)
    goto out;
  snprintf(numtxt, sizeof numtxt, "%" PRId64, numero);
  memset(&env, 0, sizeof env);
  env.numero_lote = numtxt;
  env.data = hoje;
  env.hash_enc = cfg->hash_enc;
  rc = fat_tiss_write_lote(&env, (const fat_guia *const *)gs, n, &doc, err);
  if (rc != FAT_OK) {
    fat_err_prefix(err, "lote %s: ", numtxt);
    goto out;
  }
  if (o->xsd_dir != NULL) {
    rc = fat_tiss_validate_memory(o->xsd_dir, doc.xml, doc.len, &xr, err);
    if (rc != FAT_OK)
      goto out;
    if (!xr.valido) {
      rc = fat_tiss_xsd_result_err(&xr, 5, err);
      fat_tiss_xsd_result_fini(&xr);
      fat_err_prefix(err, "lote %s (%s, %zu guias) não foi fechado: ", numtxt, v[0].tipo, n);
      goto out;
    }
    fat_tiss_xsd_result_fini(&xr);
  } else {
    *validado = 0;
  }
  memset(info, 0, sizeof *info);
  info->numero = numero;
  info->operadora_id = op;
  snprintf(info->tipo, sizeof info->tipo, "%s", v[0].tipo);
  snprintf(info->competencia, sizeof info->competencia, "%s", v[0].comp);
  snprintf(info->periodo_inicio, sizeof info->periodo_inicio, "%s", v[0].ini);
  snprintf(info->periodo_fim, sizeof info->periodo_fim, "%s", v[0].fim);
  add_days(v[0].fim, cfg->prazo_envio_dias, info->prazo_envio);
  info->qtd_guias = (int)n;
  info->valor = total;
  memcpy(info->hash, doc.hash, sizeof info->hash);
  fat_tiss_filename(numero, doc.hash, info->arquivo, sizeof info->arquivo);
  info->reaberto = lote_id != 0;
  fat_store_now(fechado, sizeof fechado);
  if (lote_id == 0) {
    rc = fat_store_prepare(st, ins, &s, err);
    if (rc != FAT_OK)
      goto out;
    fat_bind_int(s, 1, op);
    fat_bind_int(s, 2, v[0].prestador_id);
    fat_bind_int(s, 3, numero);
    fat_bind_text(s, 4, v[0].tipo);
    fat_bind_text(s, 5, v[0].comp);
    fat_bind_text(s, 6, v[0].ini);
    fat_bind_text(s, 7, v[0].fim);
    fat_bind_int(s, 8, (int64_t)n);
    fat_bind_int(s, 9, total);
    fat_bind_text(s, 10, doc.hash);
    fat_bind_text(s, 11, info->arquivo);
    sqlite3_bind_blob(s, 12, doc.xml, (int)doc.len, SQLITE_TRANSIENT);
    fat_bind_int_or_null(s, 13, o->geracao_id, o->geracao_id <= 0);
    fat_bind_text(s, 14, fechado);
    fat_bind_text(s, 15, info->prazo_envio);
    fat_bind_text(s, 16, fat_tiss_enc_str(cfg->hash_enc));
    fat_bind_int_or_null(s, 17, cfg->pagamento_prazo_dias, cfg->pagamento_prazo_dias < 0);
    fat_bind_int(s, 18, o->xsd_dir != NULL);
    rc = fat_store_step_done(st, s, "erro ao gravar lote", err);
    if (rc != FAT_OK)
      goto out;
    lote_id = fat_store_last_id(st);
  } else {
    rc = fat_store_prepare(st, reuse, &s, err);
    if (rc != FAT_OK)
      goto out;
    fat_bind_int(s, 1, lote_id);
    fat_bind_text(s, 2, v[0].ini);
    fat_bind_int(s, 3, (int64_t)n);
    fat_bind_int(s, 4, total);
    fat_bind_text(s, 5, doc.hash);
    fat_bind_text(s, 6, info->arquivo);
    sqlite3_bind_blob(s, 7, doc.xml, (int)doc.len, SQLITE_TRANSIENT);
    fat_bind_int_or_null(s, 8, o->geracao_id, o->geracao_id <= 0);
    fat_bind_text(s, 9, fechado);
    fat_bind_text(s, 10, info->prazo_envio);
    fat_bind_text(s, 11, fat_tiss_enc_str(cfg->hash_enc));
    fat_bind_int_or_null(s, 12, cfg->pagamento_prazo_dias, cfg->pagamento_prazo_dias < 0);
    fat_bind_int(s, 13, o->xsd_dir != NULL);
    rc = fat_store_step_done(st, s, "erro ao gravar lote", err);
    if (rc != FAT_OK)
      goto out;
  }
  info->id = lote_id;
  for (i = 0; i < n; i++) {
    rc = fat_store_prepare(st, upd_guia, &s, err);
    if (rc != FAT_OK)
      goto out;
    fat_bind_int(s, 1, v[i].id);
    fat_bind_int(s, 2, lote_id);
    rc = fat_store_step_done(st, s, "erro ao marcar guia em lote", err);
    if (rc != FAT_OK)
      goto out;
    if (sqlite3_changes(fat_store_db(st)) != 1) {
      rc = fat_err_set(err, FAT_ESTATE, "guia %" PRId64 " entrou em outro lote durante o "
                                        "fechamento", v[i].id);
      goto out;
    }
  }
  {
    char det[160];

    snprintf(det, sizeof det, "lote %" PRId64 ", %zu guias, hash %s%s", numero, n, doc.hash,
             o->xsd_dir != NULL ? ", XSD ok" : ", XSD não validado");
    rc = evento(st, lote_id, info->reaberto ? "aberto" : NULL, "fechado", hoje, det, err);
  }
out:
  for (i = 0; i < n; i++)
    fat_guia_free(gs[i]);
  fat_free(gs);
  fat_tiss_doc_fini(&doc);
  return rc;
}

fat_rc fat_lote_fechar_contrato(fat_store *st, const fat_lote_fechar_opts *o,
                                const cJSON *contract, fat_lote_fechar_res *res, fat_err *err)
{
  fat_lote_cfg *cfg;
  char hoje[11], ate[11];
  int64_t op;
  ready *v = NULL;
  size_t n = 0, i, j, cap = 0;
  fat_rc rc;

  memset(res, 0, sizeof *res);
  if (o->competencia != NULL && !fat_dia_competencia_valida(o->competencia))
    return fat_err_set(err, FAT_EINVAL, "competência '%s' inválida (use AAAA-MM)",
                       o->competencia);
  if (o->hoje != NULL && !fat_dia_valida(o->hoje))
    return fat_err_set(err, FAT_EINVAL, "data de referência '%s' inválida", o->hoje);
  if (o->ate != NULL && !fat_dia_valida(o->ate))
    return fat_err_set(err, FAT_EINVAL, "data '%s' inválida (use AAAA-MM-DD)", o->ate);
  if (o->hoje != NULL)
    snprintf(hoje, sizeof hoje, "%s", o->hoje);
  else
    fat_dia_hoje(hoje, sizeof hoje);
  snprintf(ate, sizeof ate, "%s", o->ate != NULL ? o->ate : hoje);
  cfg = fat_malloc(sizeof *cfg);
  if (cfg == NULL)
    return fat_err_oom(err);
  rc = fat_lote_cfg_from_contract(contract, cfg, err);
  if (rc != FAT_OK)
    goto done_cfg;
  if (o->xsd_dir != NULL) { /* a broken schema folder fails before any work */
    rc = fat_tiss_schema_load(o->xsd_dir, err);
    if (rc != FAT_OK)
      goto done_cfg;
  }
  rc = fat_lote_operadora(st, o->operadora, &op, NULL, 0, err);
  if (rc != FAT_OK)
    goto done_cfg;
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    goto done_cfg;
  rc = load_ready(st, op, o, ate, cfg, &v, &n, err);
  if (rc != FAT_OK)
    goto fail;
  res->validado = o->xsd_dir != NULL;
  for (i = 0; i < n; i = j) {
    size_t chunk;

    for (j = i; j < n && same_group(&v[i], &v[j]) && j - i < (size_t)cfg->max_guias; j++)
      ;
    chunk = j - i;
    if (res->n == cap) {
      fat_lote_info *nl;

      cap = cap == 0 ? 8 : cap * 2;
      nl = fat_realloc(res->lotes, cap * sizeof *nl);
      if (nl == NULL) {
        rc = fat_err_oom(err);
        goto fail;
      }
      res->lotes = nl;
    }
    rc = close_one(st, op, o, cfg, &v[i], chunk, hoje, &res->lotes[res->n], &res->validado,
                   err);
    if (rc != FAT_OK)
      goto fail;
    res->n++;
    res->guias += chunk;
  }
  rc = fat_store_commit(st, err);
  if (rc != FAT_OK)
    goto fail_nocommit;
  fat_free(v);
  fat_free(cfg);
  return FAT_OK;
fail:
  fat_store_rollback(st);
fail_nocommit:
  fat_free(v);
  fat_lote_fechar_res_fini(res);
done_cfg:
  fat_free(cfg);
  return rc;
}

/* ---- state machine ---- */

static fat_rc lote_status(fat_store *st, int64_t id, char status[16], fat_err *err)
{
  static const char sql[] = "SELECT status FROM lote WHERE id = ?1";
  sqlite3_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  if (sqlite3_step(s) != SQLITE_ROW) {
    sqlite3_reset(s);
    return fat_err_set(err, FAT_ENOTFOUND, "lote %" PRId64 " não existe", id);
  }
  col_copy(s, 0, status, 16);
  sqlite3_reset(s);
  return FAT_OK;
}

fat_rc fat_lote_reabrir(fat_store *st, int64_t id, const char *motivo, fat_err *err)
{
  static const char upd_g[] =
    "UPDATE guia SET status = 'conferida', lote_id = NULL WHERE lote_id = ?1";
  static const char upd_l[] =
    "UPDATE lote SET status = 'aberto', qtd_guias = 0, valor_informado = 0, hash = NULL,"
    " arquivo = NULL, xml = NULL, validado = 0, motivo_reabertura = ?2 WHERE id = ?1";
  sqlite3_stmt *s;
  char status[16];
  fat_rc rc;

  if (motivo == NULL || motivo[0] == '\0')
    return fat_err_set(err, FAT_EINVAL, "informe o motivo da reabertura (--motivo)");
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = lote_status(st, id, status, err);
  if (rc != FAT_OK)
    goto fail;
  if (strcmp(status, "fechado") != 0) {
    rc = fat_err_set(err, FAT_ESTATE,
                     strcmp(status, "aberto") == 0
                       ? "lote %" PRId64 " já está aberto"
                       : "lote %" PRId64 " já foi enviado (%s): um lote enviado não pode ser "
                         "reaberto nem alterado",
                     id, status);
    goto fail;
  }
  rc = fat_store_prepare(st, upd_g, &s, err);
  if (rc != FAT_OK)
    goto fail;
  fat_bind_int(s, 1, id);
  rc = fat_store_step_done(st, s, "erro ao devolver guias", err);
  if (rc != FAT_OK)
    goto fail;
  rc = fat_store_prepare(st, upd_l, &s, err);
  if (rc != FAT_OK)
    goto fail;
  fat_bind_int(s, 1, id);
  fat_bind_text(s, 2, motivo);
  rc = fat_store_step_done(st, s, "erro ao reabrir lote", err);
  if (rc != FAT_OK)
    goto fail;
  rc = evento(st, id, "fechado", "aberto", NULL, motivo, err);
  if (rc != FAT_OK)
    goto fail;
  return fat_store_commit(st, err);
fail:
  fat_store_rollback(st);
  return rc;
}

/* Move a lote from one of `from` (NULL-terminated) to `to`, running `sql`
** (?1 = id, ?2 = a, ?3 = b) and, when guia_status is set, the guias too. */
static fat_rc transition(fat_store *st, int64_t id, const char *const *from, const char *to,
                         const char *sql, const char *a, const char *b, const char *guia_status,
                         const char *data, const char *detalhe, fat_err *err)
{
  static const char upd_g[] = "UPDATE guia SET status = ?2 WHERE lote_id = ?1";
  sqlite3_stmt *s;
  char status[16];
  int ok = 0, i;
  fat_rc rc;

  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = lote_status(st, id, status, err);
  if (rc != FAT_OK)
    goto fail;
  for (i = 0; from[i] != NULL; i++)
    if (strcmp(status, from[i]) == 0)
      ok = 1;
  if (!ok) {
    rc = fat_err_set(err, FAT_ESTATE, "lote %" PRId64 " está '%s': não pode passar a '%s'", id,
                     status, to);
    goto fail;
  }
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    goto fail;
  fat_bind_int(s, 1, id);
  fat_bind_text(s, 2, a);
  fat_bind_text(s, 3, b);
  rc = fat_store_step_done(st, s, "erro ao atualizar lote", err);
  if (rc != FAT_OK)
    goto fail;
  if (guia_status != NULL) {
    rc = fat_store_prepare(st, upd_g, &s, err);
    if (rc != FAT_OK)
      goto fail;
    fat_bind_int(s, 1, id);
    fat_bind_text(s, 2, guia_status);
    rc = fat_store_step_done(st, s, "erro ao atualizar guias do lote", err);
    if (rc != FAT_OK)
      goto fail;
  }
  rc = evento(st, id, status, to, data, detalhe, err);
  if (rc != FAT_OK)
    goto fail;
  return fat_store_commit(st, err);
fail:
  fat_store_rollback(st);
  return rc;
}

fat_rc fat_lote_fechar(fat_store *st, fat_gen *gen, const fat_lote_fechar_opts *o,
                       fat_lote_fechar_res *res, fat_err *err)
{
  fat_lote_fechar_opts with_gen = *o;
  cJSON *contract = NULL;
  char key[64];
  int64_t op;
  fat_rc rc = fat_lote_operadora(st, o->operadora, &op, key, sizeof key, err);

  if (rc != FAT_OK)
    return rc;
  rc = fat_gen_contract(gen, key, &contract, err);
  if (rc != FAT_OK)
    return fat_err_prefix(err, "a operadora '%s' não tem contrato utilizável nas regras "
                               "(operators/%s.lua): ", o->operadora, key);
  with_gen.geracao_id = fat_gen_id(gen);
  rc = fat_lote_fechar_contrato(st, &with_gen, contract, res, err);
  cJSON_Delete(contract);
  return rc;
}

fat_rc fat_lote_enviado(fat_store *st, int64_t id, const char *data, fat_err *err)
{
  static const char *const from[] = {"fechado", NULL};
  static const char sql[] =
    "UPDATE lote SET status = 'enviado', enviado_em = ?2, previsao_pagamento ="
    " CASE WHEN pagamento_prazo_dias IS NULL THEN NULL"
    " ELSE date(?2, '+' || pagamento_prazo_dias || ' days') END WHERE id = ?1";

  if (!fat_dia_valida(data))
    return fat_err_set(err, FAT_EINVAL, "data de envio '%s' inválida (use AAAA-MM-DD)",
                       data != NULL ? data : "");
  return transition(st, id, from, "enviado", sql, data, NULL, "enviada", data, NULL, err);
}

fat_rc fat_lote_protocolo(fat_store *st, int64_t id, const char *numero, const char *data,
                          fat_err *err)
{
  static const char *const from[] = {"enviado", NULL};
  static const char sql[] =
    "UPDATE lote SET status = 'protocolado', protocolo = ?3, protocolo_data = ?2,"
    " previsao_pagamento = CASE WHEN pagamento_prazo_dias IS NULL THEN previsao_pagamento"
    " ELSE date(?2, '+' || pagamento_prazo_dias || ' days') END WHERE id = ?1";

  if (numero == NULL || numero[0] == '\0' || strlen(numero) > 12)
    return fat_err_set(err, FAT_EINVAL, "número de protocolo inválido (1 a 12 caracteres)");
  if (!fat_dia_valida(data))
    return fat_err_set(err, FAT_EINVAL, "data do protocolo '%s' inválida (use AAAA-MM-DD)",
                       data != NULL ? data : "");
  return transition(st, id, from, "protocolado", sql, data, numero, NULL, data, numero, err);
}

fat_rc fat_lote_situacao(fat_store *st, int64_t id, const char *status, const char *detalhe,
                         fat_err *err)
{
  static const char *const to_proc[] = {"enviado", "protocolado", NULL};
  static const char *const to_pago[] = {"processado", "protocolado", "enviado", "pago_parcial",
                                        NULL};
  static const char sql[] = "UPDATE lote SET status = ?2 WHERE id = ?1 AND ?3 IS NULL";

  if (status != NULL && strcmp(status, "processado") == 0)
    return transition(st, id, to_proc, status, sql, status, NULL, "processada", NULL, detalhe,
                      err);
  if (status != NULL && (strcmp(status, "pago") == 0 || strcmp(status, "pago_parcial") == 0))
    return transition(st, id, to_pago, status, sql, status, NULL, NULL, NULL, detalhe, err);
  return fat_err_set(err, FAT_EINVAL, "situação '%s' inválida (processado, pago, pago_parcial)",
                     status != NULL ? status : "");
}

fat_rc fat_lote_xml(fat_store *st, int64_t id, char **xml, size_t *len, char arquivo[80],
                    fat_err *err)
{
  static const char sql[] = "SELECT xml, arquivo, status FROM lote WHERE id = ?1";
  sqlite3_stmt *s;
  const void *b;
  int n;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  *xml = NULL;
  *len = 0;
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  if (sqlite3_step(s) != SQLITE_ROW) {
    sqlite3_reset(s);
    return fat_err_set(err, FAT_ENOTFOUND, "lote %" PRId64 " não existe", id);
  }
  b = sqlite3_column_blob(s, 0);
  n = sqlite3_column_bytes(s, 0);
  if (b == NULL || n <= 0) {
    sqlite3_reset(s);
    return fat_err_set(err, FAT_ESTATE, "lote %" PRId64 " não tem XML (está aberto?)", id);
  }
  col_copy(s, 1, arquivo, 80);
  *xml = fat_strndup(b, (size_t)n);
  sqlite3_reset(s);
  if (*xml == NULL)
    return fat_err_oom(err);
  *len = (size_t)n;
  return FAT_OK;
}

/* ---- listings ---- */

static cJSON *add_str(cJSON *o, const char *k, sqlite3_stmt *s, int i)
{
  const unsigned char *t = sqlite3_column_text(s, i);

  return t != NULL ? cJSON_AddStringToObject(o, k, (const char *)t) : cJSON_AddNullToObject(o, k);
}

static int days_between(const char *a, const char *b, int *out)
{
  int32_t x, y;

  if (fat_dia_parse(a, &x) != 0 || fat_dia_parse(b, &y) != 0)
    return -1;
  *out = (int)(y - x);
  return 0;
}

fat_rc fat_lote_listar(fat_store *st, const char *operadora, const char *hoje, cJSON **out,
                       fat_err *err)
{
  static const char sql[] =
    "SELECT l.id, l.numero, o.registro_ans, o.script, l.tipo_guia, l.competencia,"
    " l.periodo_inicio, l.periodo_fim, l.status, l.qtd_guias, l.valor_informado,"
    " l.prazo_envio, l.enviado_em, l.protocolo, l.arquivo, l.validado"
    " FROM lote l JOIN operadora o ON o.id = l.operadora_id"
    " WHERE ?1 IS NULL OR l.operadora_id = ?1 ORDER BY o.registro_ans, l.numero";
  sqlite3_stmt *s;
  cJSON *arr;
  char h[11], prazo[11], status[16];
  int64_t op = 0;
  int r;
  fat_rc rc;

  *out = NULL;
  if (hoje != NULL)
    snprintf(h, sizeof h, "%s", hoje);
  else
    fat_dia_hoje(h, sizeof h);
  if (operadora != NULL) {
    rc = fat_lote_operadora(st, operadora, &op, NULL, 0, err);
    if (rc != FAT_OK)
      return rc;
  }
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int_or_null(s, 1, op, operadora == NULL);
  arr = cJSON_CreateArray();
  if (arr == NULL)
    return fat_err_oom(err);
  while ((r = sqlite3_step(s)) == SQLITE_ROW) {
    cJSON *o = cJSON_CreateObject();
    const char *sit;
    int dias = 0, has = 0;

    if (o == NULL)
      goto oom;
    cJSON_AddItemToArray(arr, o);
    cJSON_AddNumberToObject(o, "id", (double)sqlite3_column_int64(s, 0));
    cJSON_AddNumberToObject(o, "numero", (double)sqlite3_column_int64(s, 1));
    add_str(o, "registro_ans", s, 2);
    add_str(o, "operadora", s, 3);
    add_str(o, "tipo", s, 4);
    add_str(o, "competencia", s, 5);
    add_str(o, "periodo_inicio", s, 6);
    add_str(o, "periodo_fim", s, 7);
    add_str(o, "status", s, 8);
    cJSON_AddNumberToObject(o, "qtd_guias", sqlite3_column_int(s, 9));
    cJSON_AddNumberToObject(o, "valor", (double)sqlite3_column_int64(s, 10));
    add_str(o, "prazo_envio", s, 11);
    add_str(o, "enviado_em", s, 12);
    add_str(o, "protocolo", s, 13);
    add_str(o, "arquivo", s, 14);
    cJSON_AddBoolToObject(o, "validado_xsd", sqlite3_column_int(s, 15) != 0);
    col_copy(s, 8, status, sizeof status);
    col_copy(s, 11, prazo, sizeof prazo);
    if (strcmp(status, "fechado") != 0 && strcmp(status, "aberto") != 0) {
      sit = "enviado";
    } else if (days_between(h, prazo, &dias) == 0) {
      has = 1;
      sit = dias < 0 ? "atrasado" : dias <= 3 ? "vence_em_breve" : "no_prazo";
    } else {
      sit = "sem_prazo";
    }
    cJSON_AddStringToObject(o, "situacao_prazo", sit);
    if (has)
      cJSON_AddNumberToObject(o, "dias_para_prazo", dias);
  }
  if (r != SQLITE_DONE) {
    cJSON_Delete(arr);
    sqlite3_reset(s);
    return fat_store_dberr(st, err, "erro ao listar lotes");
  }
  sqlite3_reset(s);
  *out = arr;
  return FAT_OK;
oom:
  sqlite3_reset(s);
  cJSON_Delete(arr);
  return fat_err_oom(err);
}

fat_rc fat_lote_mapa(fat_store *st, const char *operadora, const char *competencia,
                     const char *hoje, cJSON **out, fat_err *err)
{
  static const char sql[] =
    "SELECT o.registro_ans, o.nome, l.competencia, l.id, l.numero, l.tipo_guia, l.status,"
    " l.enviado_em, l.protocolo, l.protocolo_data, l.valor_informado, l.valor_liberado,"
    " l.valor_glosado, COALESCE(l.valor_recebido,"
    "  (SELECT SUM(p.valor) FROM pagamento p WHERE p.lote_id = l.id)),"
    " l.previsao_pagamento, l.qtd_guias"
    " FROM lote l JOIN operadora o ON o.id = l.operadora_id"
    " WHERE (?1 IS NULL OR l.operadora_id = ?1) AND (?2 IS NULL OR l.competencia = ?2)"
    "  AND l.status <> 'aberto'"
    " ORDER BY o.registro_ans, l.competencia, l.numero";
  sqlite3_stmt *s;
  cJSON *arr, *grp = NULL, *lotes = NULL;
  char h[11], key[64], last[64] = "";
  int64_t op = 0, tot[4] = {0, 0, 0, 0};
  int r;
  fat_rc rc;

  *out = NULL;
  if (hoje != NULL)
    snprintf(h, sizeof h, "%s", hoje);
  else
    fat_dia_hoje(h, sizeof h);
  if (operadora != NULL) {
    rc = fat_lote_operadora(st, operadora, &op, NULL, 0, err);
    if (rc != FAT_OK)
      return rc;
  }
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int_or_null(s, 1, op, operadora == NULL);
  fat_bind_text(s, 2, competencia);
  arr = cJSON_CreateArray();
  if (arr == NULL)
    return fat_err_oom(err);
  while ((r = sqlite3_step(s)) == SQLITE_ROW) {
    cJSON *o;
    char status[16], prev[11];
    const char *sit;
    int64_t vals[4];
    int i;

    snprintf(key, sizeof key, "%s|%s", (const char *)sqlite3_column_text(s, 0),
             sqlite3_column_text(s, 2) != NULL ? (const char *)sqlite3_column_text(s, 2) : "");
    if (grp == NULL || strcmp(key, last) != 0) {
      if (grp != NULL) {
        cJSON_AddNumberToObject(grp, "valor_enviado", (double)tot[0]);
        cJSON_AddNumberToObject(grp, "valor_liberado", (double)tot[1]);
        cJSON_AddNumberToObject(grp, "valor_glosado", (double)tot[2]);
        cJSON_AddNumberToObject(grp, "valor_recebido", (double)tot[3]);
      }
      memset(tot, 0, sizeof tot);
      grp = cJSON_CreateObject();
      if (grp == NULL)
        goto oom;
      cJSON_AddItemToArray(arr, grp);
      add_str(grp, "registro_ans", s, 0);
      add_str(grp, "operadora", s, 1);
      add_str(grp, "competencia", s, 2);
      lotes = cJSON_AddArrayToObject(grp, "lotes");
      if (lotes == NULL)
        goto oom;
      snprintf(last, sizeof last, "%s", key);
    }
    o = cJSON_CreateObject();
    if (o == NULL)
      goto oom;
    cJSON_AddItemToArray(lotes, o);
    cJSON_AddNumberToObject(o, "id", (double)sqlite3_column_int64(s, 3));
    cJSON_AddNumberToObject(o, "numero", (double)sqlite3_column_int64(s, 4));
    add_str(o, "tipo", s, 5);
    add_str(o, "status", s, 6);
    cJSON_AddNumberToObject(o, "qtd_guias", sqlite3_column_int(s, 15));
    add_str(o, "enviado_em", s, 7);
    add_str(o, "protocolo", s, 8);
    add_str(o, "protocolo_data", s, 9);
    for (i = 0; i < 4; i++) {
      static const char *const names[] = {"valor_enviado", "valor_liberado", "valor_glosado",
                                          "valor_recebido"};

      if (sqlite3_column_type(s, 10 + i) == SQLITE_NULL) {
        cJSON_AddNullToObject(o, names[i]);
        vals[i] = 0;
      } else {
        vals[i] = sqlite3_column_int64(s, 10 + i);
        cJSON_AddNumberToObject(o, names[i], (double)vals[i]);
      }
      tot[i] += vals[i];
    }
    add_str(o, "previsao_pagamento", s, 14);
    col_copy(s, 6, status, sizeof status);
    col_copy(s, 14, prev, sizeof prev);
    if (strcmp(status, "pago") == 0)
      sit = "pago";
    else if (strcmp(status, "pago_parcial") == 0)
      sit = "pago parcialmente";
    else if (strcmp(status, "fechado") == 0)
      sit = "aguardando envio";
    else if (prev[0] != '\0' && strcmp(h, prev) > 0)
      sit = "pagamento atrasado";
    else if (strcmp(status, "processado") == 0)
      sit = "processado, aguardando pagamento";
    else
      sit = "aguardando processamento";
    cJSON_AddStringToObject(o, "situacao", sit);
  }
  if (grp != NULL) {
    cJSON_AddNumberToObject(grp, "valor_enviado", (double)tot[0]);
    cJSON_AddNumberToObject(grp, "valor_liberado", (double)tot[1]);
    cJSON_AddNumberToObject(grp, "valor_glosado", (double)tot[2]);
    cJSON_AddNumberToObject(grp, "valor_recebido", (double)tot[3]);
  }
  sqlite3_reset(s);
  if (r != SQLITE_DONE) {
    cJSON_Delete(arr);
    return fat_store_dberr(st, err, "erro ao montar o mapa de lotes");
  }
  *out = arr;
  return FAT_OK;
oom:
  sqlite3_reset(s);
  cJSON_Delete(arr);
  return fat_err_oom(err);
}

/* ---- relação de guias (HTML) ---- */

static fat_rc html_esc(fat_buf *b, const char *s, fat_err *err)
{
  fat_rc rc = FAT_OK;

  for (; s != NULL && *s != '\0' && rc == FAT_OK; s++) {
    switch (*s) {
    case '&': rc = fat_buf_puts(b, "&amp;", err); break;
    case '<': rc = fat_buf_puts(b, "&lt;", err); break;
    case '>': rc = fat_buf_puts(b, "&gt;", err); break;
    case '"': rc = fat_buf_puts(b, "&quot;", err); break;
    case '\'': rc = fat_buf_puts(b, "&#39;", err); break;
    default: rc = fat_buf_append(b, s, 1, err); break;
    }
  }
  return rc;
}

static fat_rc html_cell(fat_buf *b, const char *tag, const char *cls, const char *s,
                        fat_err *err)
{
  fat_rc rc = fat_buf_printf(b, err, "<%s%s%s%s>", tag, cls != NULL ? " class=\"" : "",
                             cls != NULL ? cls : "", cls != NULL ? "\"" : "");

  if (rc == FAT_OK)
    rc = html_esc(b, s, err);
  if (rc == FAT_OK)
    rc = fat_buf_printf(b, err, "</%s>", tag);
  return rc;
}

fat_rc fat_lote_relacao_html(fat_store *st, int64_t id, char **html, size_t *len, fat_err *err)
{
  static const char q_lote[] =
    "SELECT l.numero, o.nome, o.registro_ans, p.nome, COALESCE(p.cnpj, p.cpf), l.tipo_guia,"
    " l.competencia, l.periodo_inicio, l.periodo_fim, l.status, l.qtd_guias,"
    " l.valor_informado, l.hash, l.prazo_envio, l.enviado_em, l.protocolo"
    " FROM lote l JOIN operadora o ON o.id = l.operadora_id"
    " JOIN prestador p ON p.id = l.prestador_id WHERE l.id = ?1";
  static const char q_guias[] =
    "SELECT g.numero_prestador, g.numero_operadora, COALESCE(g.beneficiario_nome, b.nome),"
    " g.carteira_numero, g.data_inicio, g.data_fim, g.senha, g.valor_total"
    " FROM guia g LEFT JOIN beneficiario b ON b.id = g.beneficiario_id"
    " WHERE g.lote_id = ?1 ORDER BY g.data_inicio, g.numero_prestador";
  sqlite3_stmt *s;
  fat_buf b;
  char f[11][160], money[48];
  int64_t total = 0, valor;
  int i, r, n = 0;
  fat_rc rc;

  *html = NULL;
  *len = 0;
  rc = fat_store_prepare(st, q_lote, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  if (sqlite3_step(s) != SQLITE_ROW) {
    sqlite3_reset(s);
    return fat_err_set(err, FAT_ENOTFOUND, "lote %" PRId64 " não existe", id);
  }
  for (i = 0; i < 10; i++)
    col_copy(s, i, f[i], sizeof f[i]);
  col_copy(s, 12, f[10], sizeof f[10]);
  valor = sqlite3_column_int64(s, 11);
  sqlite3_reset(s);
  fat_buf_init(&b, FAT_TISS_MAX_BYTES);
  rc = fat_buf_puts(&b,
                    "<!DOCTYPE html>\n<html lang=\"pt-BR\">\n<head>\n<meta charset=\"utf-8\">\n"
                    "<title>Rela\xc3\xa7\xc3\xa3o de guias</title>\n<style>\n"
                    "body{font-family:sans-serif;font-size:11pt;margin:1.5cm}\n"
                    "table{border-collapse:collapse;width:100%}\n"
                    "th,td{border:1px solid #555;padding:3px 6px;text-align:left}\n"
                    "td.v,th.v{text-align:right}\n"
                    "dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px}\n"
                    "dt{font-weight:bold}\n.assin{margin-top:3cm}\n"
                    "@media print{body{margin:0}}\n</style>\n</head>\n<body>\n",
                    err);
  if (rc == FAT_OK)
    rc = fat_buf_printf(&b, err, "<h1>Rela\xc3\xa7\xc3\xa3o de guias &mdash; lote %s</h1>\n<dl>\n",
                        f[0]);
  {
    static const char *const labels[] = {
      NULL, "Operadora", "Registro ANS", "Prestador", "CNPJ/CPF", "Tipo de guia",
      "Compet\xc3\xaancia", "Per\xc3\xadodo de", "Per\xc3\xadodo at\xc3\xa9", "Situa\xc3\xa7\xc3\xa3o"};

    for (i = 1; i < 10 && rc == FAT_OK; i++) {
      rc = html_cell(&b, "dt", NULL, labels[i], err);
      if (rc == FAT_OK)
        rc = html_cell(&b, "dd", NULL, f[i], err);
    }
  }
  if (rc == FAT_OK)
    rc = html_cell(&b, "dt", NULL, "Hash TISS", err);
  if (rc == FAT_OK)
    rc = html_cell(&b, "dd", NULL, f[10], err);
  if (rc == FAT_OK)
    rc = fat_buf_puts(&b, "</dl>\n<table>\n<thead><tr><th>#</th><th>Guia prestador</th>"
                          "<th>Guia operadora</th><th>Benefici\xc3\xa1rio</th><th>Carteira</th>"
                          "<th>Data</th><th>Senha</th><th class=\"v\">Valor</th></tr></thead>\n"
                          "<tbody>\n",
                      err);
  if (rc != FAT_OK)
    goto out;
  rc = fat_store_prepare(st, q_guias, &s, err);
  if (rc != FAT_OK)
    goto out;
  fat_bind_int(s, 1, id);
  while (rc == FAT_OK && (r = sqlite3_step(s)) == SQLITE_ROW) {
    char g[7][160], num[16];
    int64_t v = sqlite3_column_int64(s, 7);

    for (i = 0; i < 7; i++)
      col_copy(s, i, g[i], sizeof g[i]);
    if (g[5][0] != '\0' && strcmp(g[4], g[5]) != 0) {
      size_t l = strlen(g[4]);

      snprintf(g[4] + l, sizeof g[4] - l, " a %s", g[5]);
    }
    total += v;
    snprintf(num, sizeof num, "%d", ++n);
    fat_money_format_br(v, money, sizeof money);
    rc = fat_buf_puts(&b, "<tr>", err);
    if (rc == FAT_OK)
      rc = html_cell(&b, "td", NULL, num, err);
    for (i = 0; i < 4 && rc == FAT_OK; i++)
      rc = html_cell(&b, "td", NULL, g[i], err);
    if (rc == FAT_OK)
      rc = html_cell(&b, "td", NULL, g[4], err);
    if (rc == FAT_OK)
      rc = html_cell(&b, "td", NULL, g[6], err);
    if (rc == FAT_OK)
      rc = html_cell(&b, "td", "v", money, err);
    if (rc == FAT_OK)
      rc = fat_buf_puts(&b, "</tr>\n", err);
  }
  sqlite3_reset(s);
  if (rc != FAT_OK)
    goto out;
  fat_money_format_br(n > 0 ? total : valor, money, sizeof money);
  rc = fat_buf_printf(&b, err, "</tbody>\n<tfoot><tr><th colspan=\"7\">Total: %d guia%s</th>",
                      n, n == 1 ? "" : "s");
  if (rc == FAT_OK)
    rc = html_cell(&b, "th", "v", money, err);
  if (rc == FAT_OK)
    rc = fat_buf_puts(&b, "</tr></tfoot>\n</table>\n<p class=\"assin\">Recebido por: "
                          "______________________________ Data: ____/____/________</p>\n"
                          "</body>\n</html>\n",
                      err);
out:
  if (rc != FAT_OK) {
    fat_buf_fini(&b);
    return rc;
  }
  *len = b.len;
  *html = fat_buf_take(&b);
  return FAT_OK;
}
