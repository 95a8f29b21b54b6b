/* web_api_relatorios.c: the management reports (Part H) and the what-if of
** a contract proposal, as JSON or as downloads (?formato=csv|xlsx). Every
** figure comes from the engine (fat_rel.h, fat_rel_simular.h); this file
** only reads the query and shapes the reply. */
#include <stdio.h>
#include <string.h>

#include "fat_mem.h"
#include "fat_rel.h"
#include "fat_rel_simular.h"
#include "web_int.h"

static fat_rc rel_csv(void *ctx, fat_escrita w, void *u, fat_err *err)
{
  return fat_rel_csv_escrever(ctx, w, u, err);
}

/* Reply with report rel (consumed): the JSON document, or with
** ?formato=csv|xlsx a download named after it; ?tabela=NOME keeps one table. */
static fat_rc responde(web_req *rq, web_res *rs, cJSON *rel, fat_err *err)
{
  const char *formato = web_query_nonempty(rq, "formato");
  const char *tabela = web_query_nonempty(rq, "tabela");
  fat_rc rc = FAT_OK;

  if (tabela != NULL) {
    cJSON *tabs = cJSON_GetObjectItemCaseSensitive(rel, "tabelas"), *t, *next;
    int achou = 0;

    for (t = tabs != NULL ? tabs->child : NULL; t != NULL; t = next) {
      const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "nome"));

      next = t->next;
      if (n != NULL && strcmp(n, tabela) == 0)
        achou = 1;
      else
        cJSON_Delete(cJSON_DetachItemViaPointer(tabs, t));
    }
    if (!achou) {
      cJSON_Delete(rel);
      return fat_err_set(err, FAT_EINVAL, "tabela '%s' não existe neste relatório", tabela);
    }
  }
  if (formato == NULL || strcmp(formato, "json") == 0) {
    rs->json = rel;
    return FAT_OK;
  }
  /* sent from a removed temporary file: the text is not held beside rel */
  if (strcmp(formato, "csv") == 0) {
    rc = web_res_fluxo(rs, rel_csv, rel, err);
    rs->content_type = "text/csv; charset=utf-8";
  } else if (strcmp(formato, "xlsx") == 0) {
    rc = web_res_rel_xlsx(rs, rel, err);
    rs->content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  } else {
    rc = fat_err_set(err, FAT_EINVAL, "formato '%s' inválido (json, csv ou xlsx)", formato);
  }
  if (rc == FAT_OK) {
    char nome[128];

    fat_rel_nome_arquivo(rel, formato, nome, sizeof nome);
    web_safe_filename(rs->filename, sizeof rs->filename, nome, "relatorio");
  }
  cJSON_Delete(rel);
  return rc;
}

static fat_rc relatorio(web_req *rq, web_res *rs, const char *nome, fat_err *err)
{
  fat_rel_params p;
  cJSON *rel = NULL;
  fat_rc rc;

  memset(&p, 0, sizeof p);
  p.de = web_query_nonempty(rq, "de");
  p.ate = web_query_nonempty(rq, "ate");
  p.mes = web_query_nonempty(rq, "mes");
  p.operadora = web_query_nonempty(rq, "operadora");
  p.detalhe = web_query_nonempty(rq, "detalhe");
  p.hoje = web_query_nonempty(rq, "hoje");
  rc = fat_rel_gerar(rq->st, nome, &p, &rel, err);
  if (rc != FAT_OK)
    return rc;
  return responde(rq, rs, rel, err);
}

fat_rc api_rel_painel(web_req *rq, web_res *rs, fat_err *err)
{
  return relatorio(rq, rs, "painel", err);
}

fat_rc api_rel_producao(web_req *rq, web_res *rs, fat_err *err)
{
  return relatorio(rq, rs, "producao", err);
}

fat_rc api_rel_inadimplencia(web_req *rq, web_res *rs, fat_err *err)
{
  return relatorio(rq, rs, "inadimplencia", err);
}

fat_rc api_rel_previsto(web_req *rq, web_res *rs, fat_err *err)
{
  return relatorio(rq, rs, "previsto", err);
}

fat_rc api_rel_glosas(web_req *rq, web_res *rs, fat_err *err)
{
  return relatorio(rq, rs, "glosas", err);
}

fat_rc api_rel_produtividade(web_req *rq, web_res *rs, fat_err *err)
{
  return relatorio(rq, rs, "produtividade", err);
}

fat_rc api_rel_fechamento(web_req *rq, web_res *rs, fat_err *err)
{
  return relatorio(rq, rs, "fechamento", err);
}

/* The stored draft of operator {key} priced over its production beside the
** live contract (?desde=AAAA-MM&ate=AAAA-MM&formato=). */
fat_rc api_regras_simular_precos(web_req *rq, web_res *rs, fat_err *err)
{
  const char *key;
  cJSON *rel = NULL;
  fat_rc rc = web_param_key(rq, 0, &key, err);

  if (rc == FAT_OK)
    rc = fat_rel_simular_precos_rascunho(rq->st, rq->srv->regras_dir, key,
                                         web_query_nonempty(rq, "desde"),
                                         web_query_nonempty(rq, "ate"), &rel, err);
  if (rc != FAT_OK)
    return rc;
  return responde(rq, rs, rel, err);
}
