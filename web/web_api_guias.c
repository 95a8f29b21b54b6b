/* web_api_guias.c: guias, findings, operators and the dashboard numbers. */
#include <stdio.h>
#include <string.h>

#include "fat_achado_papel.h"
#include "web_int.h"

fat_rc api_guias_listar(web_req *rq, web_res *rs, fat_err *err)
{
  fat_relatorio_guias_filtro f;
  fat_leitor l;
  fat_pagina p;
  const char *cb = web_query(rq, "com_bloqueio");
  cJSON *rows = NULL;
  fat_rc rc = web_pagina(rq, &p, err);

  if (rc != FAT_OK)
    return rc;
  memset(&f, 0, sizeof f);
  f.operadora = web_query_nonempty(rq, "operadora");
  f.competencia = web_query_nonempty(rq, "competencia");
  f.status = web_query_nonempty(rq, "status");
  f.busca = web_query_nonempty(rq, "busca");
  f.com_bloqueio = cb != NULL && (strcmp(cb, "1") == 0 || strcmp(cb, "true") == 0);
  web_leitor(rq, &l);
  f.leitor = &l;
  rc = fat_relatorio_guias(rq->st, &f, &p, &rows, err);
  if (rc != FAT_OK)
    return rc;
  return web_reply_page(rs, "guias", rows, &p, err);
}

fat_rc api_guia_ver(web_req *rq, web_res *rs, fat_err *err)
{
  fat_leitor l;
  int64_t id;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc != FAT_OK)
    return rc;
  web_leitor(rq, &l);
  return fat_relatorio_guia(rq->st, &l, id, &rs->json, err);
}

fat_rc api_achado_reconhecer(web_req *rq, web_res *rs, fat_err *err)
{
  fat_achado_reconhecido r;
  int64_t id;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc != FAT_OK)
    return rc;
  rc = fat_achado_reconhecer_papel(rq->st, id, web_json_str(rq, "motivo"), rq->sessao->papel, &r,
                                   err);
  if (rc != FAT_OK)
    return rc;
  snprintf(rs->objeto, sizeof rs->objeto, "achado:%lld", (long long)id);
  snprintf(rs->detalhe, sizeof rs->detalhe, "guia:%lld %s", (long long)r.guia_id, r.codigo);
  rs->json = cJSON_CreateObject();
  if (rs->json == NULL || cJSON_AddNumberToObject(rs->json, "id", (double)id) == NULL ||
      cJSON_AddStringToObject(rs->json, "reconhecido_em", r.em) == NULL ||
      cJSON_AddStringToObject(rs->json, "reconhecido_por", rq->sessao->usuario) == NULL ||
      cJSON_AddNumberToObject(rs->json, "bloqueios_abertos", (double)r.abertos) == NULL)
    return fat_err_oom(err);
  return FAT_OK;
}

fat_rc api_operadoras(web_req *rq, web_res *rs, fat_err *err)
{
  cJSON *rows = NULL;
  fat_rc rc = fat_relatorio_operadoras(rq->st, &rows, err);

  if (rc != FAT_OK)
    return rc;
  return web_reply_wrap(rs, "operadoras", rows, err);
}

fat_rc api_painel(web_req *rq, web_res *rs, fat_err *err)
{
  return fat_relatorio_painel(rq->st, NULL, &rs->json, err);
}
