/* fat_lote_listar.c: listings of lotes with deadlines, the mapa de
** acompanhamento and the printable relação de guias. */
#include "fat_lote.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fat_dia.h"
#include "fat_docnum.h"
#include "fat_lote_int.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_money.h"
#include "fat_store_int.h"


static cJSON *add_str(cJSON *o, const char *k, fat_stmt *s, int i)
{
  const char *t = fat_col_text(s, i);

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
  fat_stmt *s;
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
  for (r = fat_stmt_step(s); r == FAT_ROW; r = fat_stmt_step(s)) {
    cJSON *o = cJSON_CreateObject();
    const char *sit;
    int dias = 0, has = 0;

    if (o == NULL)
      goto oom;
    cJSON_AddItemToArray(arr, o);
    cJSON_AddNumberToObject(o, "id", (double)fat_col_int64(s, 0));
    cJSON_AddNumberToObject(o, "numero", (double)fat_col_int64(s, 1));
    add_str(o, "registro_ans", s, 2);
    add_str(o, "operadora", s, 3);
    add_str(o, "tipo", s, 4);
    add_str(o, "competencia", s, 5);
    add_str(o, "periodo_inicio", s, 6);
    add_str(o, "periodo_fim", s, 7);
    add_str(o, "status", s, 8);
    cJSON_AddNumberToObject(o, "qtd_guias", fat_col_int(s, 9));
    cJSON_AddNumberToObject(o, "valor", (double)fat_col_int64(s, 10));
    add_str(o, "prazo_envio", s, 11);
    add_str(o, "enviado_em", s, 12);
    add_str(o, "protocolo", s, 13);
    add_str(o, "arquivo", s, 14);
    cJSON_AddBoolToObject(o, "validado_xsd", fat_col_int(s, 15) != 0);
    fat_col_copy(s, 8, status, sizeof status);
    fat_col_copy(s, 11, prazo, sizeof prazo);
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
  if (r != FAT_DONE) {
    cJSON_Delete(arr);
    fat_stmt_reset(s);
    return fat_store_dberr(st, err, "erro ao listar lotes");
  }
  fat_stmt_reset(s);
  *out = arr;
  return FAT_OK;
oom:
  fat_stmt_reset(s);
  cJSON_Delete(arr);
  return fat_err_oom(err);
}

/* The mapa's statement sql prepared for operadora (NULL: all; ?1) and
** competencia (?2), and the day h it is judged on (hoje, else today). */
static fat_rc mapa_abrir(fat_store *st, const char *sql, const char *operadora,
                         const char *competencia, const char *hoje, char h[11], fat_stmt **s,
                         fat_err *err)
{
  int64_t op = 0;
  fat_rc rc;

  if (hoje != NULL)
    snprintf(h, 11, "%s", hoje);
  else
    fat_dia_hoje(h, 11);
  if (operadora != NULL) {
    rc = fat_lote_operadora(st, operadora, &op, NULL, 0, err);
    if (rc != FAT_OK)
      return rc;
  }
  rc = fat_store_prepare(st, sql, s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int_or_null(*s, 1, op, operadora == NULL);
  fat_bind_text(*s, 2, competencia);
  return FAT_OK;
}

/* A sent lote's situação in the mapa, from its status and expected payment
** date (prev, "" when none) on day hoje. */
static const char *mapa_situacao(const char *status, const char *prev, const char *hoje)
{
  if (strcmp(status, "pago") == 0)
    return "pago";
  if (strcmp(status, "pago_parcial") == 0)
    return fat_lote_status_rotulo(status);
  if (strcmp(status, "fechado") == 0)
    return "aguardando envio";
  if (prev[0] != '\0' && strcmp(hoje, prev) > 0)
    return "pagamento atrasado";
  if (strcmp(status, "processado") == 0)
    return "processado, aguardando pagamento";
  return "aguardando processamento";
}

fat_rc fat_lote_mapa(fat_store *st, const char *operadora, const char *competencia,
                     const char *hoje, cJSON **out, fat_err *err)
{
#define MAPA_SQL(IDX, EQ)                                                                   \
  "SELECT o.registro_ans, o.nome, l.competencia, l.id, l.numero, l.tipo_guia, l.status,"    \
  " l.enviado_em, l.protocolo, l.protocolo_data, l.valor_informado, l.valor_liberado,"      \
  " l.valor_glosado, COALESCE(l.valor_recebido,"                                            \
  "  (SELECT SUM(p.valor) FROM pagamento p WHERE p.lote_id = l.id)),"                       \
  " l.previsao_pagamento, l.qtd_guias"                                                      \
  " FROM lote l" IDX " JOIN operadora o ON o.id = l.operadora_id WHERE" EQ                  \
  " (?1 IS NULL OR l.operadora_id = ?1) AND (?2 IS NULL OR l.competencia = ?2)"             \
  "  AND l.status <> 'aberto'"                                                              \
  " ORDER BY o.registro_ans, l.competencia, l.numero"
  /* one month (the panel always names one): that month's lotes only */
  static const char sql_mes[] = MAPA_SQL(" INDEXED BY lote_competencia", " l.competencia = ?2 AND");
  static const char sql_todos[] = MAPA_SQL("", "");
  const char *sql = competencia != NULL ? sql_mes : sql_todos;
  fat_stmt *s;
  cJSON *arr, *grp = NULL, *lotes = NULL;
  char h[11], key[64], last[64] = "";
  int64_t tot[4] = {0, 0, 0, 0};
  int r;
  fat_rc rc;

  *out = NULL;
  rc = mapa_abrir(st, sql, operadora, competencia, hoje, h, &s, err);
  if (rc != FAT_OK)
    return rc;
  arr = cJSON_CreateArray();
  if (arr == NULL) {
    fat_stmt_reset(s);
    return fat_err_oom(err);
  }
  for (r = fat_stmt_step(s); r == FAT_ROW; r = fat_stmt_step(s)) {
    cJSON *o;
    char status[16], prev[11];
    const char *sit;
    int64_t vals[4];
    int i;

    snprintf(key, sizeof key, "%s|%s", fat_col_text(s, 0),
             fat_col_text(s, 2) != NULL ? fat_col_text(s, 2) : "");
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
    cJSON_AddNumberToObject(o, "id", (double)fat_col_int64(s, 3));
    cJSON_AddNumberToObject(o, "numero", (double)fat_col_int64(s, 4));
    add_str(o, "tipo", s, 5);
    add_str(o, "status", s, 6);
    cJSON_AddNumberToObject(o, "qtd_guias", fat_col_int(s, 15));
    add_str(o, "enviado_em", s, 7);
    add_str(o, "protocolo", s, 8);
    add_str(o, "protocolo_data", s, 9);
    for (i = 0; i < 4; i++) {
      static const char *const names[] = {"valor_enviado", "valor_liberado", "valor_glosado",
                                          "valor_recebido"};

      if (fat_col_is_null(s, 10 + i)) {
        cJSON_AddNullToObject(o, names[i]);
        vals[i] = 0;
      } else {
        vals[i] = fat_col_int64(s, 10 + i);
        cJSON_AddNumberToObject(o, names[i], (double)vals[i]);
      }
      tot[i] += vals[i];
    }
    add_str(o, "previsao_pagamento", s, 14);
    fat_col_copy(s, 6, status, sizeof status);
    fat_col_copy(s, 14, prev, sizeof prev);
    sit = mapa_situacao(status, prev, h);
    cJSON_AddStringToObject(o, "situacao", sit);
  }
  if (grp != NULL) {
    cJSON_AddNumberToObject(grp, "valor_enviado", (double)tot[0]);
    cJSON_AddNumberToObject(grp, "valor_liberado", (double)tot[1]);
    cJSON_AddNumberToObject(grp, "valor_glosado", (double)tot[2]);
    cJSON_AddNumberToObject(grp, "valor_recebido", (double)tot[3]);
  }
  fat_stmt_reset(s);
  if (r != FAT_DONE) {
    cJSON_Delete(arr);
    return fat_store_dberr(st, err, "erro ao montar o mapa de lotes");
  }
  *out = arr;
  return FAT_OK;
oom:
  fat_stmt_reset(s);
  cJSON_Delete(arr);
  return fat_err_oom(err);
}

/* One operadora's row of the summed mapa: its sums so far. */
typedef struct mapa_op {
  cJSON *o, *sits;
  int64_t lotes, guias, v[4];
} mapa_op;

static fat_rc mapa_op_fechar(mapa_op *m, fat_err *err)
{
  static const char *const names[] = {"valor_enviado", "valor_liberado", "valor_glosado",
                                      "valor_recebido"};
  int i;

  if (m->o == NULL)
    return FAT_OK;
  if (cJSON_AddNumberToObject(m->o, "qtd_lotes", (double)m->lotes) == NULL ||
      cJSON_AddNumberToObject(m->o, "qtd_guias", (double)m->guias) == NULL)
    return fat_err_oom(err);
  for (i = 0; i < 4; i++)
    if (cJSON_AddNumberToObject(m->o, names[i], (double)m->v[i]) == NULL)
      return fat_err_oom(err);
  return FAT_OK;
}

/* Add n lotes to situação sit of the row (one entry per situação). */
static fat_rc mapa_op_situacao(mapa_op *m, const char *sit, int64_t n, fat_err *err)
{
  cJSON *e, *q;

  cJSON_ArrayForEach(e, m->sits) {
    const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "situacao"));

    if (t != NULL && strcmp(t, sit) == 0) {
      q = cJSON_GetObjectItemCaseSensitive(e, "lotes");
      cJSON_SetNumberValue(q, q->valuedouble + (double)n);
      return FAT_OK;
    }
  }
  e = cJSON_CreateObject();
  if (e == NULL || cJSON_AddStringToObject(e, "situacao", sit) == NULL ||
      cJSON_AddNumberToObject(e, "lotes", (double)n) == NULL) {
    cJSON_Delete(e);
    return fat_err_oom(err);
  }
  cJSON_AddItemToArray(m->sits, e);
  return FAT_OK;
}

fat_rc fat_lote_mapa_resumo(fat_store *st, const char *operadora, const char *competencia,
                            const char *hoje, cJSON **out, fat_err *err)
{
  /* the counters (migration 104): one row per operadora, status and
  ** expected payment date, a handful per operadora however many lotes the
  ** month has */
  static const char sql[] =
      "SELECT o.registro_ans, o.nome, m.competencia, m.status, m.previsao, m.n, m.guias,"
      " m.enviado, m.liberado, m.glosado, m.recebido"
      " FROM lote_mapa_mes m JOIN operadora o ON o.id = m.operadora_id"
      " WHERE m.competencia = ?2 AND (?1 IS NULL OR m.operadora_id = ?1)"
      " AND m.status <> 'aberto' AND m.n > 0"
      " ORDER BY o.registro_ans";
  fat_stmt *s;
  cJSON *arr;
  mapa_op m;
  char h[11], last[32] = "";
  int r, i;
  fat_rc rc = FAT_OK;

  *out = NULL;
  if (competencia == NULL)
    return fat_err_set(err, FAT_EINVAL, "o resumo do mapa de lotes é de uma competência");
  rc = mapa_abrir(st, sql, operadora, competencia, hoje, h, &s, err);
  if (rc != FAT_OK)
    return rc;
  arr = cJSON_CreateArray();
  if (arr == NULL) {
    fat_stmt_reset(s);
    return fat_err_oom(err);
  }
  memset(&m, 0, sizeof m);
  for (r = fat_stmt_step(s); r == FAT_ROW && rc == FAT_OK; r = fat_stmt_step(s)) {
    char status[16], prev[11];
    const char *reg = fat_col_text(s, 0) != NULL ? fat_col_text(s, 0) : "";

    if (m.o == NULL || strcmp(reg, last) != 0) {
      rc = mapa_op_fechar(&m, err);
      memset(&m, 0, sizeof m);
      if (rc != FAT_OK)
        break;
      m.o = cJSON_CreateObject();
      if (m.o == NULL) {
        rc = fat_err_oom(err);
        break;
      }
      cJSON_AddItemToArray(arr, m.o);
      add_str(m.o, "registro_ans", s, 0);
      add_str(m.o, "operadora", s, 1);
      add_str(m.o, "competencia", s, 2);
      m.sits = cJSON_AddArrayToObject(m.o, "situacoes");
      if (m.sits == NULL) {
        rc = fat_err_oom(err);
        break;
      }
      snprintf(last, sizeof last, "%s", reg);
    }
    m.lotes += fat_col_int64(s, 5);
    m.guias += fat_col_int64(s, 6);
    for (i = 0; i < 4; i++)
      m.v[i] += fat_col_int64(s, 7 + i);
    fat_col_copy(s, 3, status, sizeof status);
    fat_col_copy(s, 4, prev, sizeof prev);
    rc = mapa_op_situacao(&m, mapa_situacao(status, prev, h), fat_col_int64(s, 5), err);
  }
  fat_stmt_reset(s);
  if (rc == FAT_OK && r != FAT_DONE)
    rc = fat_store_dberr(st, err, "erro ao montar o mapa de lotes");
  if (rc == FAT_OK)
    rc = mapa_op_fechar(&m, err);
  if (rc != FAT_OK) {
    cJSON_Delete(arr);
    return rc;
  }
  *out = arr;
  return FAT_OK;
}

/* ---- relação de guias (HTML) ---- */

static fat_rc html_cell(fat_buf *b, const char *tag, const char *cls, const char *s,
                        fat_err *err)
{
  fat_rc rc = fat_buf_printf(b, err, "<%s%s%s%s>", tag, cls != NULL ? " class=\"" : "",
                             cls != NULL ? cls : "", cls != NULL ? "\"" : "");

  if (rc == FAT_OK)
    rc = fat_buf_html(b, s, err);
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
  fat_stmt *s;
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
  if (fat_stmt_step(s) != FAT_ROW) {
    fat_stmt_reset(s);
    return fat_err_set(err, FAT_ENOTFOUND, "lote %" PRId64 " não existe", id);
  }
  for (i = 0; i < 10; i++)
    fat_col_copy(s, i, f[i], sizeof f[i]);
  fat_col_copy(s, 12, f[10], sizeof f[10]);
  /* as users read them: CPF/CNPJ punctuated, the type's label, MM/AAAA and
  ** DD/MM/AAAA */
  {
    char t[160];

    snprintf(t, sizeof t, "%s", f[4]);
    fat_doc_br(t, f[4], sizeof f[4]);
    snprintf(t, sizeof t, "%s", fat_guia_tipo_rotulo(f[5]));
    snprintf(f[5], sizeof f[5], "%s", t);
    snprintf(t, sizeof t, "%s", fat_dia_competencia_br_ou(f[6], "").s);
    snprintf(f[6], sizeof f[6], "%s", t);
    snprintf(f[7], sizeof f[7], "%s", fat_dia_br_de(f[7]).s);
    snprintf(f[8], sizeof f[8], "%s", fat_dia_br_de(f[8]).s);
  }
  valor = fat_col_int64(s, 11);
  fat_stmt_reset(s);
  fat_buf_init(&b, FAT_TISS_MAX_BYTES);
  rc = fat_buf_puts(&b,
                    "<!DOCTYPE html>\n<html lang=\"pt-BR\">\n<head>\n<meta charset=\"utf-8\">\n"
                    /* the file is opened from disk too, where no header protects it */
                    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                    "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">\n"
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
  while (rc == FAT_OK && (r = fat_stmt_step(s)) == FAT_ROW) {
    char g[7][160], num[16];
    int64_t v = fat_col_int64(s, 7);

    for (i = 0; i < 7; i++)
      fat_col_copy(s, i, g[i], sizeof g[i]);
    snprintf(g[4], sizeof g[4], "%s", fat_dia_br_de(g[4]).s);
    if (g[5][0] != '\0')
      snprintf(g[5], sizeof g[5], "%s", fat_dia_br_de(g[5]).s);
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
  fat_stmt_reset(s);
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
