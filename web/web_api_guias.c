/* web_api_guias.c: guias, findings, operators and the dashboard numbers. */
#include <stdio.h>
#include <string.h>

#include "fat_conferir.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_store_int.h"
#include "web_int.h"


static const char *query_nonempty(const web_req *rq, const char *key)
{
  const char *v = web_query(rq, key);

  return (v != NULL && v[0] != '\0') ? v : NULL;
}

/* Open findings count only for the guia's current revision. */
#define GUIA_FILTER                                                                       \
  " FROM guia g JOIN operadora o ON o.id = g.operadora_id"                                \
  " WHERE (?1 IS NULL OR o.script = ?1 OR o.registro_ans = ?1)"                           \
  " AND (?2 IS NULL OR g.competencia = ?2) AND (?3 IS NULL OR g.status = ?3)"             \
  " AND (?4 = 0 OR EXISTS (SELECT 1 FROM achado a WHERE a.guia_id = g.id"                 \
  " AND a.guia_revisao = g.revisao AND a.severidade = 'bloqueio'"                         \
  " AND a.reconhecido_em IS NULL))"                                                       \
  " AND (?5 IS NULL OR g.numero_prestador = ?5 OR g.carteira_numero = ?5)"

fat_rc api_guias_listar(web_req *rq, web_res *rs, fat_err *err)
{
  static const char sql_rows[] =
      "SELECT g.id, g.tipo, g.numero_prestador, g.beneficiario_nome, g.data_inicio,"
      " g.competencia, g.status, g.valor_total, g.lote_id, o.id AS operadora_id,"
      " o.nome AS operadora, o.script AS operadora_chave,"
      " (SELECT count(*) FROM achado a WHERE a.guia_id = g.id AND a.guia_revisao = g.revisao"
      "  AND a.severidade = 'bloqueio' AND a.reconhecido_em IS NULL) AS bloqueios,"
      " (SELECT count(*) FROM achado a WHERE a.guia_id = g.id AND a.guia_revisao = g.revisao"
      "  AND a.severidade = 'alerta' AND a.reconhecido_em IS NULL) AS alertas,"
      " (SELECT coalesce(sum(a.valor_risco), 0) FROM achado a WHERE a.guia_id = g.id"
      "  AND a.guia_revisao = g.revisao AND a.reconhecido_em IS NULL) AS valor_risco" GUIA_FILTER
      " ORDER BY g.data_inicio DESC, g.id DESC LIMIT ?6 OFFSET ?7";
  static const char sql_count[] = "SELECT count(*)" GUIA_FILTER;
  const char *op = NULL;
  const char *comp = query_nonempty(rq, "competencia");
  const char *status = query_nonempty(rq, "status");
  const char *busca = query_nonempty(rq, "busca");
  const char *cb = web_query(rq, "com_bloqueio");
  int com_bloqueio = cb != NULL && (strcmp(cb, "1") == 0 || strcmp(cb, "true") == 0);
  int64_t limit, offset, pagina, total = 0;
  sqlite3_stmt *s;
  cJSON *rows = NULL;
  char opbuf[8];
  fat_rc rc;
  int i;

  web_paging(rq, &limit, &offset, &pagina);
  rc = web_query_operadora(rq, "operadora", &op, opbuf, err);
  if (rc != FAT_OK)
    return rc;
  for (i = 0; i < 2; i++) {
    rc = fat_store_prepare(rq->st, i == 0 ? sql_count : sql_rows, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_text(s, 1, op);
    fat_bind_text(s, 2, comp);
    fat_bind_text(s, 3, status);
    fat_bind_int(s, 4, com_bloqueio);
    fat_bind_text(s, 5, busca);
    if (i == 0) {
      if (sqlite3_step(s) == SQLITE_ROW)
        total = sqlite3_column_int64(s, 0);
      sqlite3_reset(s);
      continue;
    }
    fat_bind_int(s, 6, limit);
    fat_bind_int(s, 7, offset);
    rc = fat_store_rows_json(rq->st, s, 0, "erro ao consultar o banco", &rows, err);
    if (rc != FAT_OK)
      return rc;
  }
  rs->json = cJSON_CreateObject();
  if (rs->json == NULL || !web_add(rs->json, "guias", rows) ||
      cJSON_AddNumberToObject(rs->json, "total", (double)total) == NULL ||
      cJSON_AddNumberToObject(rs->json, "pagina", (double)pagina) == NULL ||
      cJSON_AddNumberToObject(rs->json, "por_pagina", (double)limit) == NULL) {
    if (rs->json == NULL)
      cJSON_Delete(rows);
    return fat_err_oom(err);
  }
  return FAT_OK;
}

/* Run a one-parameter query and attach its rows as obj[key]. */
static fat_rc attach_rows(fat_store *st, const char *sql, int64_t id, cJSON *obj,
                          const char *key, fat_err *err)
{
  sqlite3_stmt *s;
  cJSON *rows = NULL;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  rc = fat_store_rows_json(st, s, 0, "erro ao consultar o banco", &rows, err);
  if (rc != FAT_OK)
    return rc;
  return web_add(obj, key, rows) ? FAT_OK : fat_err_oom(err);
}

fat_rc api_guia_ver(web_req *rq, web_res *rs, fat_err *err)
{
  static const char sql_achados[] =
      "SELECT a.*, (a.guia_revisao = g.revisao) AS atual FROM achado a"
      " JOIN guia g ON g.id = a.guia_id WHERE a.guia_id = ?1"
      " ORDER BY atual DESC, a.severidade = 'bloqueio' DESC, a.id";
  static const char sql_conf[] = "SELECT * FROM conferencia WHERE guia_id = ?1";
  static const char sql_glosas[] =
      "SELECT id, item_id, codigo, valor, classificacao, situacao, grupo, observacao"
      " FROM glosa WHERE guia_id = ?1 ORDER BY id";
  int64_t id;
  fat_guia *g = NULL;
  cJSON *gj;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc != FAT_OK)
    return rc;
  rc = fat_guia_load(rq->st, id, &g, err);
  if (rc != FAT_OK)
    return rc;
  gj = fat_guia_to_json(g);
  fat_guia_free(g);
  if (gj == NULL)
    return fat_err_oom(err);
  rs->json = cJSON_CreateObject();
  if (rs->json == NULL || !web_add(rs->json, "guia", gj)) {
    if (rs->json == NULL)
      cJSON_Delete(gj);
    return fat_err_oom(err);
  }
  if (cJSON_AddNumberToObject(rs->json, "id", (double)id) == NULL)
    return fat_err_oom(err);
  rc = attach_rows(rq->st, sql_achados, id, rs->json, "achados", err);
  if (rc == FAT_OK)
    rc = attach_rows(rq->st, sql_conf, id, rs->json, "conferencia", err);
  if (rc == FAT_OK)
    rc = attach_rows(rq->st, sql_glosas, id, rs->json, "glosas", err);
  return rc;
}

fat_rc api_achado_reconhecer(web_req *rq, web_res *rs, fat_err *err)
{
  static const char sql_get[] =
      "SELECT severidade, reconhecido_em, guia_id, codigo FROM achado WHERE id = ?1";
  const char *motivo = web_json_str(rq, "motivo");
  char sev[16] = "", codigo[64] = "", now[32];
  int64_t id, guia_id = 0, abertos = 0;
  int ja = 0, found = 0;
  sqlite3_stmt *s;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc != FAT_OK)
    return rc;
  if (motivo == NULL || strlen(motivo) < 3 || strlen(motivo) > 500)
    return fat_err_set(err, FAT_EINVAL,
                       "informe o motivo do reconhecimento (de 3 a 500 caracteres)");
  rc = fat_store_prepare(rq->st, sql_get, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  if (sqlite3_step(s) == SQLITE_ROW) {
    found = 1;
    snprintf(sev, sizeof sev, "%s", (const char *)sqlite3_column_text(s, 0));
    ja = sqlite3_column_type(s, 1) != SQLITE_NULL;
    guia_id = sqlite3_column_int64(s, 2);
    snprintf(codigo, sizeof codigo, "%s", (const char *)sqlite3_column_text(s, 3));
  }
  sqlite3_reset(s);
  if (!found)
    return fat_err_set(err, FAT_ENOTFOUND, "achado %lld não encontrado", (long long)id);
  if (ja)
    return fat_err_set(err, FAT_ESTATE, "este achado já foi reconhecido");
  /* policy: a faturista acknowledges alertas; releasing a bloqueio (sending a
  ** guia knowingly) takes a supervisor's decision (docs/painel.md) */
  if (strcmp(sev, "bloqueio") == 0 && rq->sessao->papel < FAT_PAPEL_SUPERVISOR)
    return fat_err_set(err, FAT_EPERM,
                       "só um supervisor pode reconhecer um bloqueio; peça a correção da guia "
                       "ou encaminhe ao supervisor");
  rc = fat_achado_reconhecer(rq->st, id, motivo, &guia_id, &abertos, err);
  if (rc != FAT_OK)
    return rc;
  fat_store_now(now, sizeof now);
  snprintf(rs->objeto, sizeof rs->objeto, "achado:%lld", (long long)id);
  snprintf(rs->detalhe, sizeof rs->detalhe, "guia:%lld %s", (long long)guia_id, codigo);
  rs->json = cJSON_CreateObject();
  if (rs->json == NULL || cJSON_AddNumberToObject(rs->json, "id", (double)id) == NULL ||
      cJSON_AddStringToObject(rs->json, "reconhecido_em", now) == NULL ||
      cJSON_AddStringToObject(rs->json, "reconhecido_por", rq->sessao->usuario) == NULL ||
      cJSON_AddNumberToObject(rs->json, "bloqueios_abertos", (double)abertos) == NULL)
    return fat_err_oom(err);
  return FAT_OK;
}

fat_rc api_operadoras(web_req *rq, web_res *rs, fat_err *err)
{
  static const char sql[] = "SELECT id, registro_ans, nome, script AS chave, ativa"
                            " FROM operadora ORDER BY nome";
  sqlite3_stmt *s;
  cJSON *rows = NULL;
  fat_rc rc = fat_store_prepare(rq->st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  rc = fat_store_rows_json(rq->st, s, 0, "erro ao consultar o banco", &rows, err);
  if (rc != FAT_OK)
    return rc;
  rs->json = cJSON_CreateObject();
  if (rs->json == NULL || !web_add(rs->json, "operadoras", rows)) {
    if (rs->json == NULL)
      cJSON_Delete(rows);
    return fat_err_oom(err);
  }
  return FAT_OK;
}

/* One single-row query (bound with today's date as ?1) merged into obj. */
static fat_rc merge_row(fat_store *st, const char *sql, const char *hoje, cJSON *obj,
                        fat_err *err)
{
  sqlite3_stmt *s;
  cJSON *row, *it, *next;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  if (sqlite3_bind_parameter_count(s) >= 1)
    fat_bind_text(s, 1, hoje);
  if (sqlite3_step(s) != SQLITE_ROW) {
    rc = fat_store_dberr(st, err, "erro ao calcular o painel");
    sqlite3_reset(s);
    return rc;
  }
  row = fat_store_row_json(s, 0);
  sqlite3_reset(s);
  if (row == NULL)
    return fat_err_oom(err);
  for (it = row->child; it != NULL; it = next) {
    next = it->next;
    cJSON_DetachItemViaPointer(row, it);
    if (!cJSON_AddItemToObject(obj, it->string, it)) {
      cJSON_Delete(it);
      cJSON_Delete(row);
      return fat_err_oom(err);
    }
  }
  cJSON_Delete(row);
  return FAT_OK;
}

fat_rc api_painel(web_req *rq, web_res *rs, fat_err *err)
{
  static const char sql_guias[] =
      "SELECT count(DISTINCT a.guia_id) AS guias_com_bloqueio,"
      " coalesce(sum(a.valor_risco), 0) AS valor_em_risco"
      " FROM achado a JOIN guia g ON g.id = a.guia_id"
      " WHERE a.guia_revisao = g.revisao AND a.reconhecido_em IS NULL"
      " AND a.severidade = 'bloqueio' AND g.status IN ('digitada', 'conferida', 'pendente')";
  static const char sql_total[] =
      "SELECT count(*) AS guias_total,"
      " coalesce(sum(status IN ('digitada', 'conferida', 'pendente')), 0) AS guias_a_faturar,"
      " coalesce(sum(CASE WHEN status IN ('digitada', 'conferida', 'pendente')"
      " THEN valor_total END), 0) AS valor_a_faturar FROM guia";
  static const char sql_lotes[] =
      "SELECT coalesce(sum(status = 'fechado' AND (prazo_envio IS NULL OR prazo_envio >= ?1)), 0)"
      " AS lotes_a_enviar,"
      " coalesce(sum(status = 'fechado' AND prazo_envio < ?1), 0) AS lotes_atrasados,"
      " coalesce(sum(status IN ('enviado', 'protocolado')), 0) AS lotes_aguardando_retorno"
      " FROM lote";
  static const char sql_glosas[] =
      "SELECT count(*) AS glosas_aguardando_recurso,"
      " coalesce(sum(valor), 0) AS valor_glosas_aguardando,"
      " coalesce(sum(prazo_recurso IS NOT NULL AND prazo_recurso >= ?1"
      " AND prazo_recurso <= date(?1, '+10 days')), 0) AS recursos_prazo_proximo,"
      " coalesce(sum(prazo_recurso IS NOT NULL AND prazo_recurso < ?1), 0)"
      " AS recursos_prazo_vencido"
      " FROM glosa WHERE situacao = 'aberta' AND classificacao <> 'devida'";
  static const char sql_prazos[] =
      "SELECT gl.id, gl.codigo, gl.valor, gl.prazo_recurso, g.id AS guia_id,"
      " g.numero_prestador, o.nome AS operadora FROM glosa gl"
      " JOIN guia g ON g.id = gl.guia_id JOIN operadora o ON o.id = g.operadora_id"
      " WHERE gl.situacao = 'aberta' AND gl.classificacao <> 'devida'"
      " AND gl.prazo_recurso IS NOT NULL AND gl.prazo_recurso >= ?1"
      " ORDER BY gl.prazo_recurso, gl.id LIMIT 10";
  static const char sql_lotes_prazo[] =
      "SELECT l.id, l.numero, l.status, l.prazo_envio, l.qtd_guias, l.valor_informado,"
      " o.nome AS operadora FROM lote l JOIN operadora o ON o.id = l.operadora_id"
      " WHERE l.status = 'fechado' ORDER BY l.prazo_envio IS NULL, l.prazo_envio, l.id LIMIT 10";
  static const char sql_por_op[] =
      "SELECT o.id, o.nome, o.script AS chave,"
      " (SELECT count(*) FROM guia g WHERE g.operadora_id = o.id"
      "  AND g.status IN ('digitada', 'conferida', 'pendente')) AS guias_a_faturar,"
      " (SELECT count(DISTINCT a.guia_id) FROM achado a JOIN guia g ON g.id = a.guia_id"
      "  WHERE g.operadora_id = o.id AND a.guia_revisao = g.revisao"
      "  AND a.reconhecido_em IS NULL AND a.severidade = 'bloqueio'"
      "  AND g.status IN ('digitada', 'conferida', 'pendente')) AS guias_com_bloqueio,"
      " (SELECT coalesce(sum(gl.valor), 0) FROM glosa gl JOIN guia g ON g.id = gl.guia_id"
      "  WHERE g.operadora_id = o.id) AS valor_glosado"
      " FROM operadora o ORDER BY o.nome";
  char hoje[32];
  sqlite3_stmt *s;
  cJSON *rows;
  fat_rc rc;

  fat_store_now(hoje, sizeof hoje);
  hoje[10] = '\0';
  rs->json = cJSON_CreateObject();
  if (rs->json == NULL || cJSON_AddStringToObject(rs->json, "hoje", hoje) == NULL)
    return fat_err_oom(err);
  rc = merge_row(rq->st, sql_guias, hoje, rs->json, err);
  if (rc == FAT_OK)
    rc = merge_row(rq->st, sql_total, hoje, rs->json, err);
  if (rc == FAT_OK)
    rc = merge_row(rq->st, sql_lotes, hoje, rs->json, err);
  if (rc == FAT_OK)
    rc = merge_row(rq->st, sql_glosas, hoje, rs->json, err);
  if (rc != FAT_OK)
    return rc;
  {
    static const char *const keys[] = {"recursos_proximos", "lotes_fechados", "por_operadora"};
    const char *const sqls[] = {sql_prazos, sql_lotes_prazo, sql_por_op};
    int i;

    for (i = 0; i < 3; i++) {
      rc = fat_store_prepare(rq->st, sqls[i], &s, err);
      if (rc != FAT_OK)
        return rc;
      if (sqlite3_bind_parameter_count(s) >= 1)
        fat_bind_text(s, 1, hoje);
      rows = NULL;
      rc = fat_store_rows_json(rq->st, s, 0, "erro ao consultar o banco", &rows, err);
      if (rc != FAT_OK)
        return rc;
      if (!web_add(rs->json, keys[i], rows))
        return fat_err_oom(err);
    }
  }
  return FAT_OK;
}
