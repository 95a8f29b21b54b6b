/* fat_titular.c: the data subject's rights (fat_lgpd.h): the export of
** everything faturo holds under one CPF, and its anonymization once the
** retention of billing records has passed. */
#include "fat_lgpd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/tree.h>
#include <sodium.h>

#include "fat_auth.h"
#include "fat_dia.h"
#include "fat_lote_xml.h"
#include "fat_mem.h"
#include "fat_money.h"
#include "fat_model.h"
#include "fat_money.h"
#include "fat_store_int.h"
#include "fat_tiss_hash.h"

#define MOTIVOS_MAX 5

/*
** {======================================================
** The titular's records and their retention
** =======================================================
*/

typedef struct titular {
  char cpf[12];
  char hoje[11];
  int anos;
  int64_t *benef, *guias, *part;
  size_t n_benef, n_guias, n_part;
} titular;

static void titular_fini(titular *t)
{
  fat_free(t->benef);
  fat_free(t->guias);
  fat_free(t->part);
  memset(t, 0, sizeof *t);
}

static fat_rc ids_of(fat_store *st, const char *sql, const char *cpf, int64_t **ids, size_t *n,
                     fat_err *err)
{
  fat_stmt *s;
  size_t cap = 0;
  int step;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  *ids = NULL;
  *n = 0;
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, cpf);
  for (step = fat_stmt_step(s); step == FAT_ROW; step = fat_stmt_step(s)) {
    if (*n == cap) {
      size_t ncap = cap == 0 ? 64 : cap * 2;
      int64_t *g = fat_realloc(*ids, ncap * sizeof *g);

      if (g == NULL) {
        rc = fat_err_oom(err);
        break;
      }
      *ids = g;
      cap = ncap;
    }
    (*ids)[(*n)++] = fat_col_int64(s, 0);
  }
  fat_stmt_reset(s);
  if (rc == FAT_OK && step != FAT_DONE)
    rc = fat_store_dberr(st, err, "erro ao ler os registros do titular");
  if (rc != FAT_OK) {
    fat_free(*ids);
    *ids = NULL;
    *n = 0;
  }
  return rc;
}

static fat_rc titular_load(fat_store *st, const char *cpf, const char *hoje, titular *t,
                           fat_err *err)
{
  static const char sql_b[] = "SELECT id FROM beneficiario WHERE cpf = ?1 ORDER BY id";
  static const char sql_g[] =
      "SELECT g.id FROM guia g WHERE g.beneficiario_id IN"
      " (SELECT id FROM beneficiario WHERE cpf = ?1) ORDER BY g.id";
  static const char sql_p[] = "SELECT id FROM particular WHERE paciente_cpf = ?1 ORDER BY id";
  fat_rc rc;

  memset(t, 0, sizeof *t);
  if (fat_lgpd_cpf_digitos(cpf, t->cpf) != 0)
    return fat_err_set(err, FAT_EINVAL, "CPF inválido: '%s' (informe os 11 dígitos)",
                       cpf != NULL ? cpf : "");
  if (hoje != NULL) {
    if (!fat_lgpd_data_valida(hoje))
      return fat_err_set(err, FAT_EINVAL, "data de referência inválida: '%s' (use AAAA-MM-DD)",
                         hoje);
    snprintf(t->hoje, sizeof t->hoje, "%s", hoje);
  } else {
    fat_dia_hoje(t->hoje, sizeof t->hoje);
  }
  rc = fat_lgpd_retencao(st, &t->anos, err);
  if (rc == FAT_OK)
    rc = ids_of(st, sql_b, t->cpf, &t->benef, &t->n_benef, err);
  if (rc == FAT_OK)
    rc = ids_of(st, sql_g, t->cpf, &t->guias, &t->n_guias, err);
  if (rc == FAT_OK)
    rc = ids_of(st, sql_p, t->cpf, &t->part, &t->n_part, err);
  if (rc == FAT_OK && t->n_benef == 0 && t->n_part == 0)
    rc = fat_err_set(err, FAT_ENOTFOUND, "o faturo não guarda nenhum dado com este CPF");
  if (rc != FAT_OK)
    titular_fini(t);
  return rc;
}

/* AAAA-MM-DD plus anos years into out[11] (29/02 becomes 28/02). */
static void mais_anos(const char *base, int anos, char out[11])
{
  int32_t dia;
  int y, m, d;

  if (fat_dia_parse(base, &dia) != 0) {
    snprintf(out, 11, "%s", "9999-12-31");
    return;
  }
  fat_dia_to_ymd(dia, &y, &m, &d);
  y += anos;
  if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
    d = 28;
  fat_dia_format(fat_dia_from_ymd(y, m, d), out, 11);
}

/* One record's retention, as shown and as judged. */
typedef struct retencao {
  char tipo[12];        /* "guia" or "particular" */
  int64_t id;
  char rotulo[256];     /* "guia 123 de Aurora Saúde" */
  char base[11];        /* last payment, or last event when never paid */
  int pago;             /* 1: base is a payment */
  char ate[11];         /* keep until (base + anos) */
  int64_t recurso;      /* number of an open recurso, or 0 */
  int em_recurso;       /* a glosa of it is 'em_recurso' */
} retencao;

static const char sql_ret_guias[] =
    "SELECT g.id, g.numero_prestador, o.nome,"
    " max(coalesce((SELECT max(r.data) FROM recebimento_guia rg"
    "               JOIN recebimento r ON r.id = rg.recebimento_id WHERE rg.guia_id = g.id), ''),"
    "     coalesce((SELECT max(p.data) FROM pagamento p"
    "               WHERE g.lote_id IS NOT NULL AND p.lote_id = g.lote_id), '')),"
    " max(coalesce(g.data_fim, ''), coalesce(g.data_inicio, ''),"
    "     coalesce(substr(l.enviado_em, 1, 10), ''), coalesce(substr(l.protocolo_data, 1, 10), ''),"
    "     coalesce((SELECT max(dia_local(gl.criado_em)) FROM glosa gl"
    "               WHERE gl.guia_id = g.id), ''),"
    "     coalesce((SELECT max(substr(r.respondido_em, 1, 10)) FROM recurso r"
    "               JOIN recurso_item ri ON ri.recurso_id = r.id"
    "               JOIN glosa gl ON gl.id = ri.glosa_id WHERE gl.guia_id = g.id), '')),"
    " coalesce((SELECT min(r.numero) FROM recurso r JOIN recurso_item ri ON ri.recurso_id = r.id"
    "           JOIN glosa gl ON gl.id = ri.glosa_id"
    "           WHERE gl.guia_id = g.id AND r.status <> 'respondido'), 0),"
    " EXISTS (SELECT 1 FROM glosa gl WHERE gl.guia_id = g.id AND gl.situacao = 'em_recurso')"
    " FROM guia g JOIN operadora o ON o.id = g.operadora_id LEFT JOIN lote l ON l.id = g.lote_id"
    " WHERE g.beneficiario_id IN (SELECT id FROM beneficiario WHERE cpf = ?1) ORDER BY g.id";
static const char sql_ret_part[] =
    "SELECT p.id, p.codigo, coalesce(p.descricao, ''),"
    " coalesce((SELECT max(x.data) FROM particular_pagamento x WHERE x.particular_id = p.id), ''),"
    " p.data, 0, 0 FROM particular p WHERE p.paciente_cpf = ?1 ORDER BY p.id";

/* The retention of every record of t into *out (fat_free), *n entries. */
static fat_rc retencoes(fat_store *st, const titular *t, retencao **out, size_t *n, fat_err *err)
{
  const char *sqls[2] = {sql_ret_guias, sql_ret_part};
  retencao *v = NULL;
  size_t cap = t->n_guias + t->n_part + 1;
  fat_stmt *s;
  int step, q;
  fat_rc rc = FAT_OK;

  *out = NULL;
  *n = 0;
  v = fat_calloc(cap, sizeof *v);
  if (v == NULL)
    return fat_err_oom(err);
  for (q = 0; rc == FAT_OK && q < 2; q++) {
    rc = fat_store_prepare(st, sqls[q], &s, err);
    if (rc != FAT_OK)
      break;
    fat_bind_text(s, 1, t->cpf);
    for (step = fat_stmt_step(s); step == FAT_ROW && *n < cap; step = fat_stmt_step(s)) {
      retencao *r = &v[(*n)++];
      char a[64], b[120], pago[11], evento[11];

      snprintf(r->tipo, sizeof r->tipo, "%s", q == 0 ? "guia" : "particular");
      r->id = fat_col_int64(s, 0);
      fat_col_copy(s, 1, a, sizeof a);
      fat_col_copy(s, 2, b, sizeof b);
      if (q == 0)
        snprintf(r->rotulo, sizeof r->rotulo, "guia %s de %s", a, b);
      else
        snprintf(r->rotulo, sizeof r->rotulo, "atendimento particular %lld (%s%s%s)",
                 (long long)r->id, a, b[0] != '\0' ? " " : "", b);
      fat_col_copy(s, 3, pago, sizeof pago);
      fat_col_copy(s, 4, evento, sizeof evento);
      r->pago = pago[0] != '\0';
      snprintf(r->base, sizeof r->base, "%s", r->pago ? pago : evento);
      if (r->base[0] == '\0')
        snprintf(r->base, sizeof r->base, "%s", t->hoje); /* nothing dated: keep it */
      mais_anos(r->base, t->anos, r->ate);
      r->recurso = fat_col_int64(s, 5);
      r->em_recurso = fat_col_int(s, 6);
    }
    fat_stmt_reset(s);
    if (step != FAT_DONE && step != FAT_ROW)
      rc = fat_store_dberr(st, err, "erro ao calcular a retenção");
  }
  if (rc != FAT_OK) {
    fat_free(v);
    *n = 0;
    return rc;
  }
  *out = v;
  return FAT_OK;
}

/* "DD/MM/AAAA" of a stored date. */
/* }====================================================== */

/*
** {======================================================
** Export
** =======================================================
*/

/* Attach the rows of a one-parameter (integer) query as obj[key]. */
static fat_rc attach(fat_store *st, cJSON *obj, const char *key, const char *sql, int64_t id,
                     const char *txt, fat_err *err)
{
  fat_stmt *s;
  cJSON *rows = NULL;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  if (txt != NULL)
    fat_bind_text(s, 1, txt);
  else
    fat_bind_int(s, 1, id);
  rc = fat_store_rows_json(st, s, 1, "erro ao ler os dados do titular", &rows, err);
  if (rc != FAT_OK)
    return rc;
  if (!cJSON_AddItemToObject(obj, key, rows)) {
    cJSON_Delete(rows);
    return fat_err_oom(err);
  }
  return FAT_OK;
}

/* Append to arr the row sql (one ?1 = id) returns, with its children
** (sql_filhos, ?1 = id) under key filhos; no row appends nothing. */
static fat_rc append_with_children(fat_store *st, cJSON *arr, const char *sql, int64_t id,
                                   const char *contexto, const char *filhos,
                                   const char *sql_filhos, fat_err *err)
{
  cJSON *rows = NULL, *o;
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  rc = fat_store_rows_json(st, s, 1, contexto, &rows, err);
  if (rc != FAT_OK)
    return rc;
  o = cJSON_DetachItemFromArray(rows, 0);
  cJSON_Delete(rows);
  if (o == NULL)
    return FAT_OK;
  if (!cJSON_AddItemToArray(arr, o)) {
    cJSON_Delete(o);
    return fat_err_oom(err);
  }
  return attach(st, o, filhos, sql_filhos, id, NULL, err);
}

static fat_rc export_beneficiarios(fat_store *st, const titular *t, cJSON *doc, fat_err *err)
{
  static const char sql_b[] =
      "SELECT id AS id, nome AS nome, nome_social AS nome_social, cpf AS cpf, cns AS cns,"
      " nascimento AS nascimento, sexo AS sexo FROM beneficiario WHERE id = ?1";
  static const char sql_c[] =
      "SELECT o.nome AS operadora, o.registro_ans AS registro_ans, c.numero AS numero,"
      " c.validade AS validade, p.nome AS plano FROM carteira c"
      " JOIN operadora o ON o.id = c.operadora_id LEFT JOIN plano p ON p.id = c.plano_id"
      " WHERE c.beneficiario_id = ?1 ORDER BY c.id";
  cJSON *arr = cJSON_AddArrayToObject(doc, "beneficiarios");
  size_t i;
  fat_rc rc = FAT_OK;

  if (arr == NULL)
    return fat_err_oom(err);
  for (i = 0; rc == FAT_OK && i < t->n_benef; i++)
    rc = append_with_children(st, arr, sql_b, t->benef[i], "erro ao ler o beneficiário",
                              "carteiras", sql_c, err);
  return rc;
}

static fat_rc export_guias(fat_store *st, const titular *t, cJSON *doc, fat_err *err)
{
  static const char sql_l[] =
      "SELECT l.numero AS numero, l.status AS situacao, l.enviado_em AS enviado_em,"
      " l.protocolo AS protocolo FROM lote l JOIN guia g ON g.lote_id = l.id WHERE g.id = ?1";
  static const char sql_a[] =
      "SELECT codigo AS codigo, severidade AS severidade, campo AS campo, mensagem AS mensagem,"
      " glosa_prevista AS glosa_prevista, valor_risco AS valor_risco, criado_em AS criado_em,"
      " reconhecido_em AS reconhecido_em, reconhecido_por AS reconhecido_por"
      " FROM achado WHERE guia_id = ?1 ORDER BY id";
  static const char sql_gl[] =
      "SELECT id AS id, codigo AS codigo, descricao AS descricao, valor AS valor,"
      " situacao AS situacao, classificacao AS classificacao, observacao AS observacao,"
      " evidencia AS evidencia, criado_em AS criado_em FROM glosa WHERE guia_id = ?1 ORDER BY id";
  static const char sql_r[] =
      "SELECT r.numero AS numero, r.status AS situacao, r.resultado AS resultado,"
      " ri.valor_recursado AS valor_recursado, ri.valor_deferido AS valor_deferido,"
      " ri.justificativa AS justificativa FROM recurso_item ri"
      " JOIN recurso r ON r.id = ri.recurso_id JOIN glosa gl ON gl.id = ri.glosa_id"
      " WHERE gl.guia_id = ?1 ORDER BY ri.id";
  static const char sql_rec[] =
      "SELECT r.data AS data, rg.valor AS valor FROM recebimento_guia rg"
      " JOIN recebimento r ON r.id = rg.recebimento_id WHERE rg.guia_id = ?1 ORDER BY r.data";
  cJSON *arr = cJSON_AddArrayToObject(doc, "guias");
  size_t i;
  fat_rc rc = FAT_OK;

  if (arr == NULL)
    return fat_err_oom(err);
  for (i = 0; rc == FAT_OK && i < t->n_guias; i++) {
    fat_guia *g = NULL;
    cJSON *gj, *docs;

    rc = fat_guia_load(st, t->guias[i], &g, err);
    if (rc != FAT_OK)
      break;
    gj = fat_guia_to_json(g);
    docs = cJSON_CreateArray();
    if (gj == NULL || docs == NULL || !cJSON_AddItemToArray(arr, gj)) {
      cJSON_Delete(gj);
      cJSON_Delete(docs);
      fat_guia_free(g);
      rc = fat_err_oom(err);
      break;
    }
    /* faturo keeps no attached files: what the guia records about them */
    if ((g->pedido_medico && !cJSON_AddItemToArray(docs, cJSON_CreateString("pedido médico"))) ||
        (g->laudo && !cJSON_AddItemToArray(docs, cJSON_CreateString("laudo"))) ||
        (g->assinatura_beneficiario &&
         !cJSON_AddItemToArray(docs, cJSON_CreateString("assinatura do beneficiário"))) ||
        !cJSON_AddItemToObject(gj, "documentos", docs)) {
      cJSON_Delete(docs);
      fat_guia_free(g);
      rc = fat_err_oom(err);
      break;
    }
    fat_guia_free(g);
    rc = attach(st, gj, "lote", sql_l, t->guias[i], NULL, err);
    if (rc == FAT_OK)
      rc = attach(st, gj, "achados", sql_a, t->guias[i], NULL, err);
    if (rc == FAT_OK)
      rc = attach(st, gj, "glosas", sql_gl, t->guias[i], NULL, err);
    if (rc == FAT_OK)
      rc = attach(st, gj, "recursos", sql_r, t->guias[i], NULL, err);
    if (rc == FAT_OK)
      rc = attach(st, gj, "recebimentos", sql_rec, t->guias[i], NULL, err);
  }
  return rc;
}

static fat_rc export_particulares(fat_store *st, const titular *t, cJSON *doc, fat_err *err)
{
  static const char sql_p[] =
      "SELECT p.id AS id, p.data AS data, p.paciente_nome AS paciente, p.paciente_cpf AS cpf,"
      " p.codigo AS codigo, p.descricao AS descricao, p.valor AS valor, p.status AS situacao,"
      " pr.nome AS profissional FROM particular p"
      " LEFT JOIN profissional pr ON pr.id = p.profissional_id WHERE p.id = ?1";
  static const char sql_x[] =
      "SELECT recibo AS recibo, data AS data, forma AS forma, valor AS valor,"
      " parcelas AS parcelas FROM particular_pagamento WHERE particular_id = ?1 ORDER BY id";
  cJSON *arr = cJSON_AddArrayToObject(doc, "particulares");
  size_t i;
  fat_rc rc = FAT_OK;

  if (arr == NULL)
    return fat_err_oom(err);
  for (i = 0; rc == FAT_OK && i < t->n_part; i++)
    rc = append_with_children(st, arr, sql_p, t->part[i], "erro ao ler o atendimento particular",
                              "pagamentos", sql_x, err);
  return rc;
}

static fat_rc export_retencao(const titular *t, const retencao *r, size_t n, cJSON *doc,
                              fat_err *err)
{
  cJSON *arr = cJSON_AddArrayToObject(doc, "retencao"), *o;
  size_t i;

  if (arr == NULL)
    return fat_err_oom(err);
  for (i = 0; i < n; i++) {
    o = cJSON_CreateObject();
    if (o == NULL || !cJSON_AddItemToArray(arr, o) ||
        cJSON_AddStringToObject(o, "tipo", r[i].tipo) == NULL ||
        cJSON_AddNumberToObject(o, "id", (double)r[i].id) == NULL ||
        cJSON_AddStringToObject(o, "registro", r[i].rotulo) == NULL ||
        cJSON_AddStringToObject(o, r[i].pago ? "ultimo_pagamento" : "ultimo_evento",
                                r[i].base) == NULL ||
        cJSON_AddStringToObject(o, "guardar_ate", r[i].ate) == NULL ||
        cJSON_AddBoolToObject(o, "vencida", strcmp(r[i].ate, t->hoje) < 0) == NULL ||
        cJSON_AddBoolToObject(o, "recurso_aberto", r[i].recurso > 0 || r[i].em_recurso) ==
            NULL) {
      if (o != NULL && cJSON_GetArraySize(arr) == 0)
        cJSON_Delete(o);
      return fat_err_oom(err);
    }
  }
  return FAT_OK;
}

/* ---- HTML ---- */

static const char *js(const cJSON *o, const char *k)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

  return cJSON_IsString(v) ? v->valuestring : "";
}

static int64_t jn(const cJSON *o, const char *k)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

  return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

/* One table cell of kind: 't' text, 'd' date, 'q' instant (local time),
** 'o' kind of record (its label), 'r' money, 'c' CPF, 'n' CNS, 'i' integer. */
static fat_rc cell(fat_buf *b, char kind, const cJSON *o, const char *k, fat_err *err)
{
  char buf[64];
  fat_rc rc = fat_buf_puts(b, kind == 'r' || kind == 'i' ? "<td class=n>" : "<td>", err);

  if (rc != FAT_OK)
    return rc;
  switch (kind) {
  case 'd':
    rc = fat_buf_html(b, fat_dia_br_ou(js(o, k), "").s, err);
    break;
  case 'q':
    rc = fat_buf_html(b, fat_quando_br_de(js(o, k), "").s, err);
    break;
  case 'o':
    rc = fat_buf_html(b, fat_acesso_objeto_rotulo(js(o, k)), err);
    break;
  case 'r':
    fat_money_format_br(jn(o, k), buf, sizeof buf);
    rc = fat_buf_html(b, buf, err);
    break;
  case 'c':
    fat_lgpd_mostrar(FAT_DADO_CPF, js(o, k), 1, buf, sizeof buf);
    rc = fat_buf_html(b, buf, err);
    break;
  case 'n':
    fat_lgpd_mostrar(FAT_DADO_CNS, js(o, k), 1, buf, sizeof buf);
    rc = fat_buf_html(b, buf, err);
    break;
  case 'i':
    rc = fat_buf_printf(b, err, "%lld", (long long)jn(o, k));
    break;
  default:
    rc = fat_buf_html(b, js(o, k), err);
    break;
  }
  return rc == FAT_OK ? fat_buf_puts(b, "</td>", err) : rc;
}

/* A table of arr: cols is "kind:key:Title|kind:key:Title|...". */
static fat_rc table(fat_buf *b, const cJSON *arr, const char *cols, fat_err *err)
{
  char spec[512], *save = NULL, *tok;
  const cJSON *o;
  fat_rc rc;

  if (cJSON_GetArraySize(arr) == 0)
    return fat_buf_puts(b, "<p class=vazio>nenhum</p>\n", err);
  rc = fat_buf_puts(b, "<table><tr>", err);
  snprintf(spec, sizeof spec, "%s", cols);
  for (tok = strtok_r(spec, "|", &save); rc == FAT_OK && tok != NULL;
       tok = strtok_r(NULL, "|", &save)) {
    const char *title = strrchr(tok, ':');

    rc = fat_buf_puts(b, "<th>", err);
    if (rc == FAT_OK)
      rc = fat_buf_html(b, title != NULL ? title + 1 : tok, err);
    if (rc == FAT_OK)
      rc = fat_buf_puts(b, "</th>", err);
  }
  if (rc == FAT_OK)
    rc = fat_buf_puts(b, "</tr>\n", err);
  cJSON_ArrayForEach(o, arr)
  {
    if (rc != FAT_OK)
      break;
    rc = fat_buf_puts(b, "<tr>", err);
    snprintf(spec, sizeof spec, "%s", cols);
    for (tok = strtok_r(spec, "|", &save); rc == FAT_OK && tok != NULL;
         tok = strtok_r(NULL, "|", &save)) {
      char key[64];
      const char *k1 = strchr(tok, ':'), *k2 = k1 != NULL ? strchr(k1 + 1, ':') : NULL;

      if (k1 == NULL || k2 == NULL || (size_t)(k2 - k1 - 1) >= sizeof key)
        continue;
      memcpy(key, k1 + 1, (size_t)(k2 - k1 - 1));
      key[k2 - k1 - 1] = '\0';
      rc = cell(b, tok[0], o, key, err);
    }
    if (rc == FAT_OK)
      rc = fat_buf_puts(b, "</tr>\n", err);
  }
  if (rc == FAT_OK)
    rc = fat_buf_puts(b, "</table>\n", err);
  return rc;
}

static fat_rc h(fat_buf *b, const char *tag, const char *text, fat_err *err)
{
  fat_rc rc = fat_buf_printf(b, err, "<%s>", tag);

  if (rc == FAT_OK)
    rc = fat_buf_html(b, text, err);
  if (rc == FAT_OK)
    rc = fat_buf_printf(b, err, "</%s>\n", tag);
  return rc;
}

/* A heading and the table under it; nothing is written after an earlier error. */
static fat_rc section(fat_buf *b, fat_rc rc, const char *tag, const char *title,
                      const cJSON *arr, const char *cols, fat_err *err)
{
  if (rc == FAT_OK)
    rc = h(b, tag, title, err);
  if (rc == FAT_OK)
    rc = table(b, arr, cols, err);
  return rc;
}

#define ARR(x, k) cJSON_GetObjectItemCaseSensitive((x), (k))

static fat_rc render_html(const cJSON *doc, fat_buf *b, fat_err *err)
{
  const cJSON *x, *arr;
  char cpf[FAT_LGPD_MASCARA_MAX], buf[200];
  fat_rc rc;

  fat_lgpd_mostrar(FAT_DADO_CPF, js(doc, "cpf"), 1, cpf, sizeof cpf);
  rc = fat_buf_puts(b,
                    "<!DOCTYPE html>\n<html lang=\"pt-BR\"><head><meta charset=\"utf-8\">\n"
                    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                    "style-src 'unsafe-inline'\">\n<title>Dados do titular</title>\n<style>"
                    "body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:"
                    "collapse;margin:.5em 0 1.5em}td,th{border:1px solid #bbb;padding:.25em .5em;"
                    "text-align:left;vertical-align:top}td.n{text-align:right}th{background:#eee}"
                    "h2{border-bottom:2px solid #246;margin-top:2em}.vazio{color:#777}"
                    "</style></head><body>\n",
                    err);
  if (rc == FAT_OK) {
    snprintf(buf, sizeof buf, "Dados pessoais guardados pelo faturo — CPF %s", cpf);
    rc = h(b, "h1", buf, err);
  }
  if (rc == FAT_OK) {
    rc = fat_buf_printf(b, err,
                        "<p>Gerado em %s a pedido do titular dos dados (Lei 13.709/2018,"
                        " art. 18). Os registros de faturamento são guardados por %lld anos "
                        "depois do último pagamento.</p>\n",
                        fat_quando_br_de(js(doc, "gerado_em"), "").s,
                        (long long)jn(doc, "retencao_anos"));
  }
  arr = ARR(doc, "beneficiarios");
  rc = section(b, rc, "h2", "Cadastro", arr,
               "t:nome:Nome|t:nome_social:Nome social|c:cpf:CPF|n:cns:CNS|d:nascimento:"
               "Nascimento|t:sexo:Sexo",
               err);
  cJSON_ArrayForEach(x, arr)
  {
    rc = section(b, rc, "h3", "Carteiras", ARR(x, "carteiras"),
                 "t:operadora:Operadora|t:numero:Número|d:validade:Validade|t:plano:Plano", err);
  }
  arr = ARR(doc, "guias");
  rc = section(b, rc, "h2", "Guias de atendimento", arr,
               "i:id:Nº interno|t:numero_prestador:Número da guia|t:tipo:Tipo|d:data_inicio:"
               "Atendimento|t:cid:CID|t:status:Situação|r:valor_total:Valor",
               err);
  cJSON_ArrayForEach(x, arr)
  {
    snprintf(buf, sizeof buf, "Guia %s", js(x, "numero_prestador"));
    rc = section(b, rc, "h3", buf, ARR(x, "itens"),
                 "t:codigo:Código|t:descricao:Descrição|d:data:Data|r:valor_total:Valor", err);
    rc = section(b, rc, "h4", "Achados da conferência", ARR(x, "achados"),
                 "t:codigo:Código|t:severidade:Gravidade|t:mensagem:Mensagem", err);
    rc = section(b, rc, "h4", "Glosas", ARR(x, "glosas"),
                 "t:codigo:Código|t:descricao:Motivo|r:valor:Valor|t:situacao:Situação", err);
    rc = section(b, rc, "h4", "Recursos de glosa", ARR(x, "recursos"),
                 "i:numero:Recurso|t:situacao:Situação|r:valor_recursado:Recursado|"
                 "t:justificativa:Justificativa",
                 err);
  }
  rc = section(b, rc, "h2", "Atendimentos particulares", ARR(doc, "particulares"),
               "d:data:Data|t:paciente:Paciente|c:cpf:CPF|t:codigo:Código|t:descricao:Serviço|"
               "r:valor:Valor|t:situacao:Situação",
               err);
  rc = section(b, rc, "h2", "Quem acessou estes dados", ARR(doc, "acessos"),
               "q:em:Quando|t:usuario:Usuário|t:papel:Papel|t:acao:Por quê (ação)|"
               "o:objeto:O quê",
               err);
  rc = section(b, rc, "h2", "Retenção", ARR(doc, "retencao"),
               "t:registro:Registro|d:ultimo_pagamento:Último pagamento|d:ultimo_evento:"
               "Último evento|d:guardar_ate:Guardado até",
               err);
  if (rc == FAT_OK)
    rc = fat_buf_puts(b, "</body></html>\n", err);
  return rc;
}

#undef ARR

fat_rc fat_titular_exportar(fat_store *st, const fat_leitor *l, const char *cpf, cJSON **json,
                            char **html, size_t *html_len, fat_err *err)
{
  titular t;
  retencao *ret = NULL;
  size_t n_ret = 0;
  fat_acesso_filtro af;
  cJSON *doc = NULL, *acessos = NULL;
  char agora[32];
  fat_buf b;
  fat_rc rc;

  if (json != NULL)
    *json = NULL;
  if (html != NULL)
    *html = NULL;
  if (html_len != NULL)
    *html_len = 0;
  fat_buf_init(&b, (size_t)256 << 20);
  rc = titular_load(st, cpf, NULL, &t, err);
  if (rc != FAT_OK)
    return rc;
  doc = cJSON_CreateObject();
  fat_store_now(agora, sizeof agora);
  if (doc == NULL || cJSON_AddStringToObject(doc, "cpf", t.cpf) == NULL ||
      cJSON_AddStringToObject(doc, "gerado_em", agora) == NULL ||
      cJSON_AddNumberToObject(doc, "retencao_anos", t.anos) == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  rc = export_beneficiarios(st, &t, doc, err);
  if (rc == FAT_OK)
    rc = export_guias(st, &t, doc, err);
  if (rc == FAT_OK)
    rc = export_particulares(st, &t, doc, err);
  if (rc == FAT_OK) {
    memset(&af, 0, sizeof af);
    af.cpf = t.cpf;
    rc = fat_acesso_listar(st, &af, &acessos, err);
    if (rc == FAT_OK && !cJSON_AddItemToObject(doc, "acessos", acessos)) {
      cJSON_Delete(acessos);
      rc = fat_err_oom(err);
    }
  }
  if (rc == FAT_OK)
    rc = retencoes(st, &t, &ret, &n_ret, err);
  if (rc == FAT_OK)
    rc = export_retencao(&t, ret, n_ret, doc, err);
  if (rc == FAT_OK && html != NULL)
    rc = render_html(doc, &b, err);
  /* the export is a read of every record in it */
  if (rc == FAT_OK && l != NULL) {
    rc = fat_store_begin(st, err);
    if (rc == FAT_OK && t.n_benef > 0)
      rc = fat_acesso_registrar(st, l, FAT_ACESSO_BENEFICIARIO, t.benef, t.n_benef, 1, err);
    if (rc == FAT_OK && t.n_guias > 0)
      rc = fat_acesso_registrar(st, l, FAT_ACESSO_GUIA, t.guias, t.n_guias, 1, err);
    if (rc == FAT_OK && t.n_part > 0)
      rc = fat_acesso_registrar(st, l, FAT_ACESSO_PARTICULAR, t.part, t.n_part, 1, err);
    if (rc == FAT_OK)
      rc = fat_store_commit(st, err);
    else
      fat_store_rollback(st);
  }
  if (rc != FAT_OK)
    goto out;
  if (html != NULL) {
    if (html_len != NULL)
      *html_len = b.len;
    *html = fat_buf_take(&b);
    if (*html == NULL) {
      rc = fat_err_oom(err);
      goto out;
    }
  }
  if (json != NULL) {
    *json = doc;
    doc = NULL;
  }
out:
  fat_buf_fini(&b);
  cJSON_Delete(doc);
  fat_free(ret);
  titular_fini(&t);
  if (rc != FAT_OK && html != NULL) {
    fat_free(*html);
    *html = NULL;
  }
  return rc;
}

/* }====================================================== */

/*
** {======================================================
** Anonymization
** =======================================================
*/

/* *tem = 1 when the store has table nome. */
static fat_rc has_table(fat_store *st, const char *nome, int *tem, fat_err *err)
{
  static const char sql[] = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1";
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  *tem = 0;
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, nome);
  if (fat_stmt_step(s) == FAT_ROW)
    *tem = fat_col_int(s, 0) > 0;
  else
    rc = fat_store_dberr(st, err, "erro ao consultar o esquema");
  fat_stmt_reset(s);
  return rc;
}

/* An identifier and what replaces it wherever it is quoted. */
typedef struct troca {
  char *de, *para;
} troca;

typedef struct trocas {
  troca *v;
  size_t n, cap;
} trocas;

static void trocas_fini(trocas *t)
{
  size_t i;

  for (i = 0; i < t->n; i++) {
    fat_free(t->v[i].de);
    fat_free(t->v[i].para);
  }
  fat_free(t->v);
  memset(t, 0, sizeof *t);
}

/* Add de -> para unless de is shorter than min or already there. */
static fat_rc trocas_add_min(trocas *t, const char *de, const char *para, size_t min,
                             fat_err *err)
{
  size_t i;

  if (de == NULL || de[0] == '\0' || strlen(de) < min)
    return FAT_OK;
  for (i = 0; i < t->n; i++)
    if (strcmp(t->v[i].de, de) == 0)
      return FAT_OK;
  if (t->n == t->cap) {
    size_t ncap = t->cap == 0 ? 16 : t->cap * 2;
    troca *g = fat_realloc(t->v, ncap * sizeof *g);

    if (g == NULL)
      return fat_err_oom(err);
    t->v = g;
    t->cap = ncap;
  }
  t->v[t->n].de = fat_strdup(de);
  t->v[t->n].para = fat_strdup(para);
  if (t->v[t->n].de == NULL || t->v[t->n].para == NULL) {
    fat_free(t->v[t->n].de);
    fat_free(t->v[t->n].para);
    return fat_err_oom(err);
  }
  t->n++;
  return FAT_OK;
}

/* For free text: short values are skipped (replacing "12" in a sentence
** would hit other numbers). */
static fat_rc trocas_add(trocas *t, const char *de, const char *para, fat_err *err)
{
  return trocas_add_min(t, de, para, 4, err);
}

static const char *trocas_para(const trocas *t, const char *de)
{
  size_t i;

  for (i = 0; de != NULL && i < t->n; i++)
    if (strcmp(t->v[i].de, de) == 0)
      return t->v[i].para;
  return NULL;
}

/* n random bytes as uppercase hex into out (2n + 1 bytes). */
static void token_hex(char *out, size_t n)
{
  unsigned char raw[16];
  size_t i;

  if (n > sizeof raw)
    n = sizeof raw;
  randombytes_buf(raw, n);
  for (i = 0; i < n; i++)
    snprintf(out + 2 * i, 3, "%02X", raw[i]);
  out[2 * n] = '\0';
}

/* Run a statement with text binds (NULL ends the list; at most 4). */
static fat_rc exec_txt(fat_store *st, const char *sql, const char *what, fat_err *err,
                       const char *a, const char *b, const char *c)
{
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, a);
  if (b != NULL)
    fat_bind_text(s, 2, b);
  if (c != NULL)
    fat_bind_text(s, 3, c);
  return fat_store_step_done(st, s, what, err);
}

/* Why the titular cannot be anonymized yet, or "" when it can. */
static void motivos(const titular *t, const retencao *r, size_t n, char *out, size_t len)
{
  size_t i, k = 0, used = 0;
  char d1[32], d2[32];

  out[0] = '\0';
  for (i = 0; i < n; i++) {
    int dentro = strcmp(r[i].ate, t->hoje) >= 0;
    int recurso = r[i].recurso > 0 || r[i].em_recurso;
    int w;

    if (!dentro && !recurso)
      continue;
    if (k == MOTIVOS_MAX) {
      snprintf(out + used, len - used, "; e outros registros");
      return;
    }
    snprintf(d1, sizeof d1, "%s", fat_dia_br_ou(r[i].base, "").s);
    snprintf(d2, sizeof d2, "%s", fat_dia_br_ou(r[i].ate, "").s);
    if (recurso && r[i].recurso > 0)
      w = snprintf(out + used, len - used, "%s%s está no recurso de glosa nº %lld, em aberto",
                   k > 0 ? "; " : "", r[i].rotulo, (long long)r[i].recurso);
    else if (recurso)
      w = snprintf(out + used, len - used, "%s%s tem glosa em recurso", k > 0 ? "; " : "",
                   r[i].rotulo);
    else
      w = snprintf(out + used, len - used, "%s%s: %s em %s, guardar até %s", k > 0 ? "; " : "",
                   r[i].rotulo, r[i].pago ? "último pagamento" : "último evento (sem pagamento)",
                   d1, d2);
    if (w < 0 || (size_t)w >= len - used)
      return;
    used += (size_t)w;
    k++;
  }
}

/* Carteira numbers of the titular: every carteira row and every number a
** guia was billed with get a token "ANON<16 hex>" (20 characters, the size
** of numeroCarteira in TISS). */
static fat_rc carteiras_tokens(fat_store *st, const titular *t, trocas *cart, fat_err *err)
{
  static const char sql[] =
      "SELECT numero FROM carteira WHERE beneficiario_id IN"
      " (SELECT id FROM beneficiario WHERE cpf = ?1)"
      " UNION SELECT carteira_numero FROM guia WHERE carteira_numero IS NOT NULL AND"
      " beneficiario_id IN (SELECT id FROM beneficiario WHERE cpf = ?1)";
  fat_stmt *s;
  int step;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, t->cpf);
  for (step = fat_stmt_step(s); rc == FAT_OK && step == FAT_ROW; step = fat_stmt_step(s)) {
    char tok[24], hex[17];

    token_hex(hex, 8);
    snprintf(tok, sizeof tok, "ANON%s", hex);
    /* whole fields: short numbers too */
    rc = trocas_add_min(cart, fat_col_text(s, 0), tok, 1, err);
  }
  fat_stmt_reset(s);
  if (rc == FAT_OK && step != FAT_DONE && step != FAT_ROW)
    rc = fat_store_dberr(st, err, "erro ao ler as carteiras");
  return rc;
}

/* Names, CPF and CNS of the titular as they are quoted in free text. */
static fat_rc identificadores(fat_store *st, const titular *t, const char *nome_anon,
                              trocas *tx, fat_err *err)
{
  static const char sql[] =
      "SELECT nome FROM beneficiario WHERE cpf = ?1"
      " UNION SELECT nome_social FROM beneficiario WHERE cpf = ?1"
      " UNION SELECT beneficiario_nome FROM guia WHERE beneficiario_id IN"
      "   (SELECT id FROM beneficiario WHERE cpf = ?1)"
      " UNION SELECT paciente_nome FROM particular WHERE paciente_cpf = ?1"
      " UNION SELECT cns FROM beneficiario WHERE cpf = ?1"
      " UNION SELECT cns FROM guia WHERE beneficiario_id IN"
      "   (SELECT id FROM beneficiario WHERE cpf = ?1)";
  char fmt[FAT_LGPD_MASCARA_MAX];
  fat_stmt *s;
  int step;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, t->cpf);
  for (step = fat_stmt_step(s); rc == FAT_OK && step == FAT_ROW; step = fat_stmt_step(s)) {
    const char *v = fat_col_text(s, 0);

    if (v != NULL && v[0] >= '0' && v[0] <= '9')
      rc = trocas_add(tx, v, "***", err); /* a CNS */
    else
      rc = trocas_add(tx, v, nome_anon, err);
  }
  fat_stmt_reset(s);
  if (rc == FAT_OK && step != FAT_DONE && step != FAT_ROW)
    rc = fat_store_dberr(st, err, "erro ao ler os identificadores");
  if (rc == FAT_OK)
    rc = trocas_add(tx, t->cpf, "***", err);
  fat_lgpd_mostrar(FAT_DADO_CPF, t->cpf, 1, fmt, sizeof fmt);
  if (rc == FAT_OK)
    rc = trocas_add(tx, fmt, "***", err);
  return rc;
}

/* The element children of n with local name name. */
static int is_elem(const xmlNode *n, const char *name)
{
  return n != NULL && n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, BAD_CAST name) == 0;
}

static xmlNode *find_first(xmlNode *n, const char *name)
{
  xmlNode *c, *f;

  for (c = n; c != NULL; c = c->next) {
    if (is_elem(c, name))
      return c;
    if (c->children != NULL) {
      f = find_first(c->children, name);
      if (f != NULL)
        return f;
    }
  }
  return NULL;
}

/* Replace the text of every numeroCarteira under n by its token. */
static int swap_carteiras(xmlNode *n, const trocas *cart, const char *fallback)
{
  xmlNode *c;
  int k = 0;

  for (c = n; c != NULL; c = c->next) {
    if (is_elem(c, "numeroCarteira")) {
      xmlChar *old = xmlNodeGetContent(c);
      const char *tok = trocas_para(cart, (const char *)old);

      xmlNodeSetContent(c, BAD_CAST(tok != NULL ? tok : fallback));
      xmlFree(old);
      k++;
    } else if (c->children != NULL) {
      k += swap_carteiras(c->children, cart, fallback);
    }
  }
  return k;
}

/* Walk the document: for each numeroGuiaPrestador whose text is one of the
** titular's guia numbers in this lote, rewrite the carteiras of its guia (the
** nearest ancestor that holds a numeroCarteira). */
static int rewrite_guias(xmlNode *n, char *const *numeros, size_t nn, const trocas *cart,
                         const char *fallback)
{
  xmlNode *c, *g;
  size_t i;
  int k = 0;

  for (c = n; c != NULL; c = c->next) {
    if (is_elem(c, "numeroGuiaPrestador")) {
      xmlChar *num = xmlNodeGetContent(c);
      int mine = 0;

      for (i = 0; num != NULL && i < nn; i++)
        if (strcmp((const char *)num, numeros[i]) == 0)
          mine = 1;
      xmlFree(num);
      if (!mine)
        continue;
      for (g = c->parent; g != NULL && g->type == XML_ELEMENT_NODE; g = g->parent)
        if (find_first(g->children, "numeroCarteira") != NULL)
          break;
      if (g != NULL && g->type == XML_ELEMENT_NODE)
        k += swap_carteiras(g->children, cart, fallback);
    } else if (c->children != NULL) {
      k += rewrite_guias(c->children, numeros, nn, cart, fallback);
    }
  }
  return k;
}

/* Rewrite the stored XML of lote id (the titular's guias numeros[0..nn)),
** recompute its hash and store both, recording the rewrite first (the
** immutability trigger of sent lotes accepts only a recorded rewrite). */
static fat_rc rewrite_lote(fat_store *st, int64_t lote_id, int64_t anon_id, char *const *numeros,
                           size_t nn, const trocas *cart, const char *fallback, int *done,
                           fat_err *err)
{
  static const char sql_get[] =
      "SELECT hash, coalesce(hash_encoding, 'ISO-8859-1') FROM lote WHERE id = ?1";
  static const char sql_rec[] =
      "INSERT INTO lgpd_lote_reescrito (lote_id, anonimizacao_id, hash_anterior, hash_novo)"
      " VALUES (?1, ?2, ?3, ?4)";
  static const char sql_upd[] = "UPDATE lote SET hash = ?2 WHERE id = ?1";
  fat_stmt *s;
  char *xml = NULL, *hash = NULL, enc_s[16], novo[33];
  size_t xml_len = 0;
  int oom = 0, step;
  xmlDoc *doc = NULL;
  xmlNode *ep, *hn;
  xmlChar *mem = NULL;
  int mem_len = 0;
  fat_tiss_enc enc;
  fat_rc rc = fat_store_prepare(st, sql_get, &s, err);

  *done = 0;
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, lote_id);
  step = fat_stmt_step(s);
  if (step == FAT_ROW) {
    hash = fat_col_strdup(s, 0, &oom);
    fat_col_copy(s, 1, enc_s, sizeof enc_s);
  }
  fat_stmt_reset(s);
  if (oom) {
    rc = fat_err_oom(err);
    goto out;
  }
  rc = fat_lote_xml_ler(st, lote_id, &xml, &xml_len, err);
  if (rc != FAT_OK)
    goto out;
  if (xml == NULL || hash == NULL) /* no XML kept: nothing to rewrite */
    goto out;
  enc = fat_tiss_enc_parse(enc_s) == FAT_TISS_UTF8 ? FAT_TISS_UTF8 : FAT_TISS_ISO88591;
  rc = fat_tiss_parse(xml, xml_len, "lote", &doc, err);
  if (rc != FAT_OK)
    goto out;
  if (rewrite_guias(xmlDocGetRootElement(doc), numeros, nn, cart, fallback) == 0)
    goto out; /* the titular's carteiras are not in this XML */
  ep = find_first(xmlDocGetRootElement(doc), "epilogo");
  hn = ep != NULL ? find_first(ep->children, "hash") : NULL;
  rc = fat_tiss_hash_doc(doc, enc, novo, err);
  if (rc != FAT_OK)
    goto out;
  if (hn != NULL)
    xmlNodeSetContent(hn, BAD_CAST novo);
  xmlDocDumpMemoryEnc(doc, &mem, &mem_len,
                      doc->encoding != NULL ? (const char *)doc->encoding : "ISO-8859-1");
  if (mem == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  rc = fat_store_prepare(st, sql_rec, &s, err);
  if (rc == FAT_OK) {
    fat_bind_int(s, 1, lote_id);
    fat_bind_int(s, 2, anon_id);
    fat_bind_text(s, 3, hash);
    fat_bind_text(s, 4, novo);
    rc = fat_store_step_done(st, s, "erro ao registrar a reescrita do lote", err);
  }
  if (rc == FAT_OK) /* the XML first: its trigger checks the record from the current hash */
    rc = fat_lote_xml_gravar(st, lote_id, mem, (size_t)mem_len, err);
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql_upd, &s, err);
  if (rc == FAT_OK) {
    fat_bind_int(s, 1, lote_id);
    fat_bind_text(s, 2, novo);
    rc = fat_store_step_done(st, s, "erro ao gravar o XML do lote", err);
  }
  if (rc == FAT_OK)
    *done = 1;
out:
  if (mem != NULL)
    xmlFree(mem);
  xmlFreeDoc(doc);
  fat_free(xml);
  fat_free(hash);
  return rc;
}

/* The lotes with a stored XML that carry the titular's guias, and the guia
** numbers of each. */
static fat_rc rewrite_lotes(fat_store *st, const titular *t, int64_t anon_id, const trocas *cart,
                            const char *fallback, int *n_lotes, fat_err *err)
{
  static const char sql_l[] =
      "SELECT DISTINCT g.lote_id FROM guia g JOIN lote l ON l.id = g.lote_id"
      " WHERE l.id IN (SELECT lote_id FROM lote_xml) AND g.beneficiario_id IN"
      " (SELECT id FROM beneficiario WHERE cpf = ?1) ORDER BY 1";
  static const char sql_g[] =
      "SELECT numero_prestador FROM guia WHERE lote_id = ?2 AND beneficiario_id IN"
      " (SELECT id FROM beneficiario WHERE cpf = ?1)";
  int64_t *lotes = NULL;
  size_t nl = 0, i, j;
  fat_rc rc = ids_of(st, sql_l, t->cpf, &lotes, &nl, err);

  *n_lotes = 0;
  for (i = 0; rc == FAT_OK && i < nl; i++) {
    char **nums = NULL;
    size_t nn = 0, cap = 0;
    fat_stmt *s;
    int step, done = 0;

    rc = fat_store_prepare(st, sql_g, &s, err);
    if (rc != FAT_OK)
      break;
    fat_bind_text(s, 1, t->cpf);
    fat_bind_int(s, 2, lotes[i]);
    for (step = fat_stmt_step(s); rc == FAT_OK && step == FAT_ROW; step = fat_stmt_step(s)) {
      int oom = 0;

      if (nn == cap) {
        char **g = fat_realloc(nums, (cap + 16) * sizeof *g);

        if (g == NULL) {
          rc = fat_err_oom(err);
          break;
        }
        nums = g;
        cap += 16;
      }
      nums[nn] = fat_col_strdup(s, 0, &oom);
      if (oom || nums[nn] == NULL)
        rc = fat_err_oom(err);
      else
        nn++;
    }
    fat_stmt_reset(s);
    if (rc == FAT_OK && step != FAT_DONE && step != FAT_ROW)
      rc = fat_store_dberr(st, err, "erro ao ler as guias do lote");
    if (rc == FAT_OK)
      rc = rewrite_lote(st, lotes[i], anon_id, nums, nn, cart, fallback, &done, err);
    if (done)
      (*n_lotes)++;
    for (j = 0; j < nn; j++)
      fat_free(nums[j]);
    fat_free(nums);
  }
  fat_free(lotes);
  return rc;
}

fat_rc fat_titular_anonimizar(fat_store *st, const char *cpf, const char *hoje,
                              fat_titular_anonimizacao *res, fat_err *err)
{
  /* ?1 cpf */
  static const char sql_soma[] =
      "SELECT coalesce(sum(valor_total), 0) FROM guia WHERE beneficiario_id IN"
      " (SELECT id FROM beneficiario WHERE cpf = ?1)";
  static const char sql_anon[] =
      "INSERT INTO lgpd_anonimizacao (token, usuario, referencia, beneficiarios, guias,"
      " particulares, lotes, valor_guias) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7)";
  static const char sql_anon_lotes[] = "UPDATE lgpd_anonimizacao SET lotes = ?2 WHERE id = ?1";
  /* free text quoting an identifier: ?1 old, ?2 new, ?3 cpf */
  static const char sql_tx_achado[] =
      "UPDATE achado SET mensagem = replace(mensagem, ?1, ?2) WHERE instr(mensagem, ?1) > 0"
      " AND guia_id IN (SELECT g.id FROM guia g JOIN beneficiario b ON b.id = g.beneficiario_id"
      " WHERE b.cpf = ?3)";
  static const char sql_tx_glosa[] =
      "UPDATE glosa SET observacao = replace(observacao, ?1, ?2),"
      " evidencia = replace(evidencia, ?1, ?2), descricao = replace(descricao, ?1, ?2)"
      " WHERE (instr(observacao, ?1) > 0 OR instr(evidencia, ?1) > 0"
      "        OR instr(descricao, ?1) > 0)"
      " AND guia_id IN (SELECT g.id FROM guia g JOIN beneficiario b ON b.id = g.beneficiario_id"
      " WHERE b.cpf = ?3)";
  static const char sql_tx_recurso[] =
      "UPDATE recurso_item SET justificativa = replace(justificativa, ?1, ?2)"
      " WHERE instr(justificativa, ?1) > 0 AND glosa_id IN (SELECT gl.id FROM glosa gl"
      " JOIN guia g ON g.id = gl.guia_id JOIN beneficiario b ON b.id = g.beneficiario_id"
      " WHERE b.cpf = ?3)";
  static const char sql_tx_demo[] =
      "UPDATE demo_defeito SET detalhe = replace(detalhe, ?1, ?2) WHERE instr(detalhe, ?1) > 0"
      " AND guia_id IN (SELECT g.id FROM guia g JOIN beneficiario b ON b.id = g.beneficiario_id"
      " WHERE b.cpf = ?3)";
  /* whole fields: ?1 old carteira, ?2 token, ?3 cpf */
  static const char sql_cart_guia[] =
      "UPDATE guia SET carteira_numero = ?2 WHERE carteira_numero = ?1 AND beneficiario_id IN"
      " (SELECT id FROM beneficiario WHERE cpf = ?3)";
  static const char sql_cart[] =
      "UPDATE carteira SET numero = ?2 WHERE numero = ?1 AND beneficiario_id IN"
      " (SELECT id FROM beneficiario WHERE cpf = ?3)";
  /* the person: ?1 name token, ?2 cpf */
  static const char sql_guias[] =
      "UPDATE guia SET beneficiario_nome = ?1, cns = NULL, observacao = NULL,"
      " indicacao_clinica = NULL WHERE beneficiario_id IN"
      " (SELECT id FROM beneficiario WHERE cpf = ?2)";
  static const char sql_part[] =
      "UPDATE particular SET paciente_nome = ?1, paciente_cpf = NULL WHERE paciente_cpf = ?2";
  static const char sql_benef[] =
      "UPDATE beneficiario SET nome = ?1, nome_social = NULL, cns = NULL, nascimento = NULL,"
      " cpf = NULL WHERE cpf = ?2";
  static const char *const sql_tx[] = {sql_tx_achado, sql_tx_glosa, sql_tx_recurso, sql_tx_demo};
  titular t;
  retencao *ret = NULL;
  size_t n_ret = 0, i, k;
  trocas cart, tx;
  char why[1024], hex[13], nome_anon[48], fallback[24], obj[48], det[96];
  fat_stmt *s;
  int64_t soma = 0, depois = 0, anon_id = 0;
  int n_lotes = 0, tem_demo = 0;
  fat_titular_anonimizacao r;
  fat_rc rc;

  memset(&r, 0, sizeof r);
  memset(&cart, 0, sizeof cart);
  memset(&tx, 0, sizeof tx);
  if (res != NULL)
    memset(res, 0, sizeof *res);
  rc = fat_auth_init(err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_begin(st, err); /* one snapshot: judged and changed together */
  if (rc != FAT_OK)
    return rc;
  rc = titular_load(st, cpf, hoje, &t, err);
  if (rc != FAT_OK) {
    fat_store_rollback(st);
    return rc;
  }
  rc = retencoes(st, &t, &ret, &n_ret, err);
  if (rc != FAT_OK)
    goto fail;
  motivos(&t, ret, n_ret, why, sizeof why);
  if (why[0] != '\0') {
    rc = fat_err_set(err, FAT_ESTATE,
                     "não é possível anonimizar em %s (retenção de %d anos depois do último "
                     "pagamento): %s",
                     fat_dia_br_ou(t.hoje, "").s, t.anos, why);
    goto fail;
  }
  token_hex(hex, 6);
  snprintf(r.token, sizeof r.token, "%s", hex);
  snprintf(nome_anon, sizeof nome_anon, "ANONIMIZADO %s", hex);
  snprintf(fallback, sizeof fallback, "ANON%s0000", hex);
  rc = fat_store_prepare(st, sql_soma, &s, err);
  if (rc != FAT_OK)
    goto fail;
  fat_bind_text(s, 1, t.cpf);
  if (fat_stmt_step(s) == FAT_ROW)
    soma = fat_col_int64(s, 0);
  fat_stmt_reset(s);
  rc = carteiras_tokens(st, &t, &cart, err);
  if (rc == FAT_OK)
    rc = identificadores(st, &t, nome_anon, &tx, err);
  if (rc != FAT_OK)
    goto fail;
  rc = fat_store_prepare(st, sql_anon, &s, err);
  if (rc == FAT_OK) {
    fat_bind_text(s, 1, r.token);
    fat_bind_text(s, 2, fat_store_user(st));
    fat_bind_text(s, 3, t.hoje);
    fat_bind_int(s, 4, (int64_t)t.n_benef);
    fat_bind_int(s, 5, (int64_t)t.n_guias);
    fat_bind_int(s, 6, (int64_t)t.n_part);
    fat_bind_int(s, 7, soma);
    rc = fat_store_step_done(st, s, "erro ao registrar a anonimização", err);
  }
  if (rc != FAT_OK)
    goto fail;
  anon_id = fat_store_last_id(st);
  /* the stored XML of the lotes first: it is matched by the old numbers */
  rc = rewrite_lotes(st, &t, anon_id, &cart, fallback, &n_lotes, err);
  /* demo_defeito exists only in a demo store (migration 017) */
  if (rc == FAT_OK)
    rc = has_table(st, "demo_defeito", &tem_demo, err);
  /* identifiers quoted in free text */
  for (k = 0; rc == FAT_OK && k < sizeof sql_tx / sizeof sql_tx[0]; k++) {
    if (sql_tx[k] == sql_tx_demo && !tem_demo)
      continue;
    for (i = 0; rc == FAT_OK && i < tx.n; i++)
      rc = exec_txt(st, sql_tx[k], "erro ao anonimizar textos", err, tx.v[i].de, tx.v[i].para,
                    t.cpf);
    for (i = 0; rc == FAT_OK && i < cart.n; i++)
      if (strlen(cart.v[i].de) >= 4)
        rc = exec_txt(st, sql_tx[k], "erro ao anonimizar textos", err, cart.v[i].de,
                      cart.v[i].para, t.cpf);
  }
  /* carteiras as whole fields */
  for (i = 0; rc == FAT_OK && i < cart.n; i++) {
    rc = exec_txt(st, sql_cart_guia, "erro ao anonimizar as carteiras das guias", err,
                  cart.v[i].de, cart.v[i].para, t.cpf);
    if (rc == FAT_OK)
      rc = exec_txt(st, sql_cart, "erro ao anonimizar as carteiras", err, cart.v[i].de,
                    cart.v[i].para, t.cpf);
  }
  /* the person (the CPF last: every statement above finds the rows by it) */
  if (rc == FAT_OK)
    rc = exec_txt(st, sql_guias, "erro ao anonimizar as guias", err, nome_anon, t.cpf, NULL);
  if (rc == FAT_OK)
    rc = exec_txt(st, sql_part, "erro ao anonimizar os particulares", err, nome_anon, t.cpf,
                  NULL);
  if (rc == FAT_OK)
    rc = exec_txt(st, sql_benef, "erro ao anonimizar o beneficiário", err, nome_anon, t.cpf,
                  NULL);
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql_anon_lotes, &s, err);
  if (rc == FAT_OK) {
    fat_bind_int(s, 1, anon_id);
    fat_bind_int(s, 2, n_lotes);
    rc = fat_store_step_done(st, s, "erro ao registrar a anonimização", err);
  }
  /* the totals: the guias still sum what they summed */
  if (rc == FAT_OK) {
    static const char sql_depois[] =
        "SELECT coalesce(sum(g.valor_total), 0) FROM guia g JOIN beneficiario b"
        " ON b.id = g.beneficiario_id WHERE b.nome = ?1";

    rc = fat_store_prepare(st, sql_depois, &s, err);
    if (rc == FAT_OK) {
      fat_bind_text(s, 1, nome_anon);
      if (fat_stmt_step(s) == FAT_ROW)
        depois = fat_col_int64(s, 0);
      fat_stmt_reset(s);
      if (depois != soma)
        rc = fat_err_set(err, FAT_ESTATE, "a anonimização mudaria o total das guias; desfeita");
    }
  }
  if (rc == FAT_OK) {
    snprintf(obj, sizeof obj, "anonimizacao:%lld", (long long)anon_id);
    snprintf(det, sizeof det, "%zu beneficiário(s), %zu guia(s), %zu particular(es), %d lote(s)",
             t.n_benef, t.n_guias, t.n_part, n_lotes);
    rc = fat_store_audit(st, "titular.anonimizar", obj, det, err);
  }
  if (rc != FAT_OK)
    goto fail;
  rc = fat_store_commit(st, err);
  if (rc != FAT_OK)
    goto done;
  r.id = anon_id;
  r.beneficiarios = (int)t.n_benef;
  r.guias = (int)t.n_guias;
  r.particulares = (int)t.n_part;
  r.lotes = n_lotes;
  r.valor_guias = soma;
  if (res != NULL)
    *res = r;
  goto done;
fail:
  fat_store_rollback(st);
done:
  sodium_memzero(why, sizeof why);
  fat_free(ret);
  trocas_fini(&cart);
  trocas_fini(&tx);
  titular_fini(&t);
  return rc;
}

/* }====================================================== */
