/* web_api_lotes.c: lotes (listing, map, XML and relação downloads). The write
** routes (fechar, enviado, protocolo) live in web_api_lotes_w.c. */
#include <stdio.h>
#include <string.h>

#include "fat_csv.h"
#include "fat_lote.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_money.h"
#include "fat_store_int.h"
#include "web_int.h"


static const char *qv(const web_req *rq, const char *key)
{
  const char *v = web_query(rq, key);

  return (v != NULL && v[0] != '\0') ? v : NULL;
}

static fat_rc wrap_rows(web_res *rs, const char *key, cJSON *rows, fat_err *err)
{
  rs->json = cJSON_CreateObject();
  if (rs->json == NULL || !web_add(rs->json, key, rows)) {
    if (rs->json == NULL)
      cJSON_Delete(rows);
    return fat_err_oom(err);
  }
  return FAT_OK;
}

fat_rc api_lotes_listar(web_req *rq, web_res *rs, fat_err *err)
{
  static const char sql[] =
      "SELECT l.id, l.numero, l.tipo_guia, l.competencia, l.periodo_inicio, l.periodo_fim,"
      " l.status, l.qtd_guias, l.valor_informado, l.valor_processado, l.valor_liberado,"
      " l.valor_glosado, l.valor_recebido, l.hash, l.arquivo, l.fechado_em, l.prazo_envio,"
      " l.enviado_em, l.protocolo, l.protocolo_data, l.previsao_pagamento,"
      " (l.xml IS NOT NULL) AS tem_xml, o.id AS operadora_id, o.nome AS operadora,"
      " o.script AS operadora_chave"
      " FROM lote l JOIN operadora o ON o.id = l.operadora_id"
      " WHERE (?1 IS NULL OR o.script = ?1 OR o.registro_ans = ?1)"
      " AND (?2 IS NULL OR l.status = ?2) AND (?3 IS NULL OR l.competencia = ?3)"
      " ORDER BY l.id DESC LIMIT ?4 OFFSET ?5";
  int64_t limit, offset;
  sqlite3_stmt *s;
  cJSON *rows = NULL;
  const char *op;
  char opbuf[8];
  fat_rc rc;

  web_paging(rq, &limit, &offset, NULL);
  rc = web_query_operadora(rq, "operadora", &op, opbuf, err);
  if (rc == FAT_OK)
    rc = fat_store_prepare(rq->st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, op);
  fat_bind_text(s, 2, qv(rq, "status"));
  fat_bind_text(s, 3, qv(rq, "competencia"));
  fat_bind_int(s, 4, limit);
  fat_bind_int(s, 5, offset);
  rc = fat_store_rows_json(rq->st, s, 0, "erro ao consultar o banco", &rows, err);
  if (rc != FAT_OK)
    return rc;
  return wrap_rows(rs, "lotes", rows, err);
}

fat_rc api_lotes_mapa(web_req *rq, web_res *rs, fat_err *err)
{
  static const char sql[] =
      "SELECT o.id AS operadora_id, o.nome AS operadora, o.script AS operadora_chave,"
      " l.competencia, count(*) AS lotes, sum(l.qtd_guias) AS guias,"
      " sum(l.valor_informado) AS valor_informado,"
      " sum(coalesce(l.valor_glosado, 0)) AS valor_glosado,"
      " sum(coalesce(l.valor_recebido, 0)) AS valor_recebido,"
      " sum(l.status = 'fechado') AS fechados, sum(l.status = 'enviado') AS enviados,"
      " sum(l.status = 'protocolado') AS protocolados,"
      " sum(l.status IN ('processado', 'pago', 'pago_parcial')) AS processados,"
      " min(CASE WHEN l.status = 'fechado' THEN l.prazo_envio END) AS proximo_prazo_envio,"
      " min(CASE WHEN l.status IN ('enviado', 'protocolado') THEN l.previsao_pagamento END)"
      " AS proxima_previsao_pagamento"
      " FROM lote l JOIN operadora o ON o.id = l.operadora_id"
      " WHERE (?1 IS NULL OR l.competencia = ?1)"
      " GROUP BY o.id, l.competencia ORDER BY l.competencia DESC, o.nome";
  sqlite3_stmt *s;
  cJSON *rows = NULL;
  fat_rc rc = fat_store_prepare(rq->st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, qv(rq, "competencia"));
  rc = fat_store_rows_json(rq->st, s, 0, "erro ao consultar o banco", &rows, err);
  if (rc != FAT_OK)
    return rc;
  return wrap_rows(rs, "mapa", rows, err);
}

/* Keep a download name to [A-Za-z0-9._-]. */
static void safe_filename(char *dst, size_t len, const char *src, const char *dflt)
{
  const char *base = src != NULL ? strrchr(src, '/') : NULL;
  size_t i, o = 0;

  base = base != NULL ? base + 1 : src;
  if (base == NULL || base[0] == '\0')
    base = dflt;
  for (i = 0; base[i] != '\0' && o + 1 < len; i++) {
    char c = base[i];

    dst[o++] = ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '-' || c == '_')
                   ? c
                   : '_';
  }
  dst[o] = '\0';
}

/* Serve a stored XML BLOB (lote.xml / recurso.xml) as a download. */
fat_rc web_blob_xml(web_req *rq, web_res *rs, const char *sql, const char *what, fat_err *err)
{
  sqlite3_stmt *s;
  int64_t id;
  int found = 0, n;
  char dflt[64];
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc != FAT_OK)
    return rc;
  rc = fat_store_prepare(rq->st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  if (sqlite3_step(s) == SQLITE_ROW) {
    found = 1;
    n = sqlite3_column_bytes(s, 0);
    if (sqlite3_column_type(s, 0) != SQLITE_NULL && n > 0) {
      rs->raw = fat_malloc((size_t)n);
      if (rs->raw == NULL) {
        sqlite3_reset(s);
        return fat_err_oom(err);
      }
      memcpy(rs->raw, sqlite3_column_blob(s, 0), (size_t)n);
      rs->raw_len = (size_t)n;
      snprintf(dflt, sizeof dflt, "%s-%lld.xml", what, (long long)sqlite3_column_int64(s, 2));
      safe_filename(rs->filename, sizeof rs->filename,
                    (const char *)sqlite3_column_text(s, 1), dflt);
    }
  }
  sqlite3_reset(s);
  if (!found)
    return fat_err_set(err, FAT_ENOTFOUND, "%s %lld não encontrado", what, (long long)id);
  if (rs->raw == NULL)
    return fat_err_set(err, FAT_ESTATE, "o %s %lld ainda não tem XML gerado", what,
                       (long long)id);
  rs->content_type = "application/xml";
  return FAT_OK;
}

fat_rc api_lote_xml(web_req *rq, web_res *rs, fat_err *err)
{
  static const char sql[] = "SELECT xml, arquivo, numero FROM lote WHERE id = ?1";

  return web_blob_xml(rq, rs, sql, "lote", err);
}

fat_rc api_lote_relacao(web_req *rq, web_res *rs, fat_err *err)
{
  static const char sql_lote[] =
      "SELECT l.id, l.numero, l.tipo_guia, l.competencia, l.status, l.qtd_guias,"
      " l.valor_informado, l.hash, l.fechado_em, l.protocolo, o.nome AS operadora,"
      " o.registro_ans FROM lote l JOIN operadora o ON o.id = l.operadora_id WHERE l.id = ?1";
  static const char sql_guias[] =
      "SELECT g.id, g.numero_prestador, g.numero_operadora, g.tipo, g.beneficiario_nome,"
      " g.carteira_numero, g.data_inicio, g.senha, g.valor_total"
      " FROM guia g WHERE g.lote_id = ?1 ORDER BY g.numero_prestador";
  const char *formato = web_query(rq, "formato");
  sqlite3_stmt *s;
  cJSON *lote, *guias = NULL, *g;
  int64_t id;
  fat_buf b;
  fat_csv w;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc != FAT_OK)
    return rc;
  rc = fat_store_prepare(rq->st, sql_lote, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  lote = sqlite3_step(s) == SQLITE_ROW ? fat_store_row_json(s, 0) : NULL;
  sqlite3_reset(s);
  if (lote == NULL)
    return fat_err_set(err, FAT_ENOTFOUND, "lote %lld não encontrado", (long long)id);
  rc = fat_store_prepare(rq->st, sql_guias, &s, err);
  if (rc == FAT_OK) {
    fat_bind_int(s, 1, id);
    rc = fat_store_rows_json(rq->st, s, 0, "erro ao consultar o banco", &guias, err);
  }
  if (rc != FAT_OK) {
    cJSON_Delete(lote);
    return rc;
  }
  if (formato != NULL && strcmp(formato, "html") == 0) {
    /* Part E's printable relação (escaped HTML), as a download */
    cJSON_Delete(lote);
    cJSON_Delete(guias);
    rc = fat_lote_relacao_html(rq->st, id, &rs->raw, &rs->raw_len, err);
    if (rc != FAT_OK)
      return rc;
    rs->content_type = "text/html; charset=utf-8";
    snprintf(rs->filename, sizeof rs->filename, "relacao-lote-%lld.html", (long long)id);
    return FAT_OK;
  }
  if (formato == NULL || strcmp(formato, "csv") != 0) {
    rs->json = cJSON_CreateObject();
    if (rs->json == NULL || !web_add(rs->json, "lote", lote)) {
      if (rs->json == NULL)
        cJSON_Delete(lote);
      cJSON_Delete(guias);
      return fat_err_oom(err);
    }
    return web_add(rs->json, "guias", guias) ? FAT_OK : fat_err_oom(err);
  }
  /* CSV for spreadsheets: the one writer (fat_csv.h) */
  fat_buf_init(&b, 8 * 1024 * 1024);
  rc = fat_csv_begin(&w, &b, err);
  if (rc == FAT_OK)
    rc = fat_csv_row(&w, err, "guia", "guia_operadora", "tipo", "beneficiario", "carteira",
                     "data", "senha", "valor", (const char *)NULL);
  cJSON_ArrayForEach(g, guias)
  {
    static const char *const cols[] = {"numero_prestador", "numero_operadora", "tipo",
                                       "beneficiario_nome", "carteira_numero", "data_inicio",
                                       "senha"};
    const cJSON *vt = cJSON_GetObjectItemCaseSensitive(g, "valor_total");
    size_t i;

    for (i = 0; rc == FAT_OK && i < sizeof cols / sizeof cols[0]; i++)
      rc = fat_csv_text(&w, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(g, cols[i])),
                        err);
    if (rc == FAT_OK)
      rc = fat_csv_money(&w, cJSON_IsNumber(vt) ? (int64_t)vt->valuedouble : 0, err);
    if (rc == FAT_OK)
      rc = fat_csv_end_row(&w, err);
    if (rc != FAT_OK)
      break;
  }
  cJSON_Delete(guias);
  if (rc != FAT_OK) {
    cJSON_Delete(lote);
    fat_buf_fini(&b);
    return rc;
  }
  rs->raw_len = b.len;
  rs->raw = fat_buf_take(&b);
  if (rs->raw == NULL) {
    cJSON_Delete(lote);
    return fat_err_oom(err);
  }
  rs->content_type = "text/csv; charset=utf-8";
  snprintf(rs->filename, sizeof rs->filename, "relacao-lote-%lld.csv",
           (long long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(lote, "numero")));
  cJSON_Delete(lote);
  return FAT_OK;
}
