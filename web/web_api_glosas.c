/* web_api_glosas.c: retornos, glosas and recursos (read side), page by page. */
#include <stdio.h>
#include <string.h>

#include "fat_dia.h"
#include "fat_glosa.h"
#include "fat_model.h"
#include "web_int.h"

fat_rc api_retornos_listar(web_req *rq, web_res *rs, fat_err *err)
{
  fat_pagina p;
  cJSON *rows = NULL;
  fat_rc rc = web_pagina(rq, &p, err);

  if (rc == FAT_OK)
    rc = fat_relatorio_retornos(rq->st, &p, &rows, err);
  if (rc != FAT_OK)
    return rc;
  return web_reply_page(rs, "retornos", rows, &p, err);
}

/* ?operadora&competencia&situacao&classificacao&grupo&retorno&guia */
static fat_rc glosa_filtro(const web_req *rq, fat_glosa_filtro *f, fat_err *err)
{
  fat_rc rc;

  memset(f, 0, sizeof *f);
  f->operadora = web_query_nonempty(rq, "operadora");
  f->competencia = web_query_nonempty(rq, "competencia");
  f->situacao = web_query_nonempty(rq, "situacao");
  f->classificacao = web_query_nonempty(rq, "classificacao");
  f->grupo = web_query_nonempty(rq, "grupo");
  rc = web_query_id(rq, "retorno", &f->retorno_id, err);
  if (rc == FAT_OK)
    rc = web_query_id(rq, "guia", &f->guia_id, err);
  return rc;
}

fat_rc api_glosas_listar(web_req *rq, web_res *rs, fat_err *err)
{
  fat_glosa_filtro f;
  fat_pagina p;
  cJSON *rows = NULL;
  fat_rc rc = web_pagina(rq, &p, err);

  if (rc == FAT_OK)
    rc = glosa_filtro(rq, &f, err);
  if (rc == FAT_OK)
    rc = fat_relatorio_glosas(rq->st, &f, &p, &rows, err);
  if (rc != FAT_OK)
    return rc;
  return web_reply_page(rs, "glosas", rows, &p, err);
}

/* The summary of one competência (the glosas of its guias): the one the
** query names, else the previous month. */
fat_rc api_glosas_resumo(web_req *rq, web_res *rs, fat_err *err)
{
  fat_glosa_filtro f;
  char comp[8];
  fat_rc rc = glosa_filtro(rq, &f, err);

  if (rc != FAT_OK)
    return rc;
  if (f.competencia == NULL) {
    fat_relatorio_competencia_anterior(NULL, comp);
    f.competencia = comp;
  }
  if (!fat_dia_competencia_valida(f.competencia))
    return fat_err_set(err, FAT_EINVAL, "competência inválida '%s' (use AAAA-MM)",
                       f.competencia);
  rc = fat_glosa_resumo(rq->st, &f, &rs->json, err);
  if (rc == FAT_OK && cJSON_AddStringToObject(rs->json, "competencia", f.competencia) == NULL)
    rc = fat_err_oom(err);
  return rc;
}

fat_rc api_recursos_listar(web_req *rq, web_res *rs, fat_err *err)
{
  fat_relatorio_recursos_filtro f;
  fat_pagina p;
  cJSON *rows = NULL;
  fat_rc rc = web_pagina(rq, &p, err);

  memset(&f, 0, sizeof f);
  f.operadora = web_query_nonempty(rq, "operadora");
  f.status = web_query_nonempty(rq, "status");
  if (rc == FAT_OK)
    rc = fat_relatorio_recursos(rq->st, &f, &p, &rows, err);
  if (rc != FAT_OK)
    return rc;
  return web_reply_page(rs, "recursos", rows, &p, err);
}
