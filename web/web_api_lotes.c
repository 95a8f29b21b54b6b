/* web_api_lotes.c: lotes (listing page by page, map, XML and relação
** downloads). The write routes (fechar, enviado, protocolo) live in
** web_api_ops.c. */
#include <stdio.h>
#include <string.h>

#include "fat_dia.h"
#include "fat_lote.h"
#include "fat_model.h"
#include "web_int.h"

fat_rc api_lotes_listar(web_req *rq, web_res *rs, fat_err *err)
{
  fat_relatorio_lotes_filtro f;
  fat_pagina p;
  cJSON *rows = NULL;
  fat_rc rc = web_pagina(rq, &p, err);

  memset(&f, 0, sizeof f);
  f.operadora = web_query_nonempty(rq, "operadora");
  f.status = web_query_nonempty(rq, "status");
  f.competencia = web_query_nonempty(rq, "competencia");
  if (rc == FAT_OK)
    rc = fat_relatorio_lotes(rq->st, &f, NULL, &p, &rows, err);
  if (rc != FAT_OK)
    return rc;
  return web_reply_page(rs, "lotes", rows, &p, err);
}

/* The map of one competência (?competencia, else the previous month),
** optionally of one operadora, summed per operadora (its lotes are the
** /api/lotes list of the same filter, page by page). */
fat_rc api_lotes_mapa(web_req *rq, web_res *rs, fat_err *err)
{
  const char *comp = web_query_nonempty(rq, "competencia");
  const char *op = web_query_nonempty(rq, "operadora");
  char dflt[8];
  cJSON *rows = NULL;
  fat_rc rc;

  if (comp == NULL) {
    fat_relatorio_competencia_anterior(NULL, dflt);
    comp = dflt;
  }
  if (!fat_dia_competencia_valida(comp))
    return fat_err_set(err, FAT_EINVAL, "competência inválida '%s' (use AAAA-MM)", comp);
  rc = fat_lote_mapa_resumo(rq->st, op, comp, NULL, &rows, err);
  if (rc == FAT_ENOTFOUND && op != NULL)
    return fat_err_set(err, FAT_EINVAL, "operadora '%s' não encontrada", op);
  if (rc != FAT_OK)
    return rc;
  rc = web_reply_wrap(rs, "mapa", rows, err);
  if (rc == FAT_OK && cJSON_AddStringToObject(rs->json, "competencia", comp) == NULL)
    rc = fat_err_oom(err);
  return rc;
}

fat_rc api_lote_xml(web_req *rq, web_res *rs, fat_err *err)
{
  char arquivo[80], dflt[64];
  fat_leitor l;
  int64_t id;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc != FAT_OK)
    return rc;
  arquivo[0] = '\0';
  rc = fat_lote_xml(rq->st, id, &rs->raw, &rs->raw_len, arquivo, err);
  web_leitor(rq, &l);
  if (rc == FAT_OK) /* the TISS XML carries the carteiras in full */
    rc = fat_acesso_registrar_lote(rq->st, &l, id, 1, err);
  if (rc != FAT_OK)
    return rc;
  snprintf(dflt, sizeof dflt, "lote-%lld.xml", (long long)id);
  web_safe_filename(rs->filename, sizeof rs->filename, arquivo, dflt);
  rs->content_type = "application/xml";
  return FAT_OK;
}

/* ?formato=json (default) | csv | html */
fat_rc api_lote_relacao(web_req *rq, web_res *rs, fat_err *err)
{
  const char *formato = web_query_nonempty(rq, "formato");
  char name[64];
  fat_leitor l;
  int64_t id;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc != FAT_OK)
    return rc;
  /* the relação de guias goes with the lote: names and carteiras in full */
  web_leitor(rq, &l);
  rc = fat_acesso_registrar_lote(rq->st, &l, id, 1, err);
  if (rc != FAT_OK)
    return rc;
  if (formato == NULL || strcmp(formato, "json") == 0)
    return fat_relatorio_lote_relacao(rq->st, id, &rs->json, err);
  if (strcmp(formato, "csv") == 0) {
    rc = fat_relatorio_lote_relacao_csv(rq->st, id, &rs->raw, &rs->raw_len, name, sizeof name,
                                        err);
    if (rc != FAT_OK)
      return rc;
    rs->content_type = "text/csv; charset=utf-8";
    web_safe_filename(rs->filename, sizeof rs->filename, name, "relacao.csv");
    return FAT_OK;
  }
  if (strcmp(formato, "html") == 0) {
    rc = fat_lote_relacao_html(rq->st, id, &rs->raw, &rs->raw_len, err);
    if (rc != FAT_OK)
      return rc;
    rs->content_type = "text/html; charset=utf-8";
    snprintf(rs->filename, sizeof rs->filename, "relacao-lote-%lld.html", (long long)id);
    return FAT_OK;
  }
  return fat_err_set(err, FAT_EINVAL, "formato deve ser json, csv ou html");
}
