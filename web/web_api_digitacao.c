/* web_api_digitacao.c: typing guias in the panel (Part L): evaluate the form
** as it is typed, save it as a guia ready for conferir or as a draft, and the
** look-ups the form needs (procedure codes, beneficiários, profissionais,
** prestadores). The engine is fat_digitacao.h and fat_busca.h; the routes and
** bodies are in docs/guias.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fat_acesso_log.h"
#include "fat_busca.h"
#include "fat_digitacao.h"
#include "web_int.h"

/* The form of a body {"guia": {...}}: borrowed from rq->json. */
static fat_rc form_do_corpo(const web_req *rq, const cJSON **out, fat_err *err)
{
  const cJSON *g = cJSON_GetObjectItemCaseSensitive(rq->json, "guia");

  *out = NULL;
  if (!cJSON_IsObject(g))
    return fat_err_set(err, FAT_EINVAL, "envie {\"guia\": {...}} com o formulário da guia");
  *out = g;
  return FAT_OK;
}

/* ?limite= as 1..FAT_BUSCA_LIMITE_MAX (0 when absent: the engine's default). */
static fat_rc limite_da_query(const web_req *rq, int *out, fat_err *err)
{
  const char *s = web_query_nonempty(rq, "limite");
  char *end = NULL;
  long v;

  *out = 0;
  if (s == NULL)
    return FAT_OK;
  v = strtol(s, &end, 10);
  if (end == s || *end != '\0' || v < 1 || v > FAT_BUSCA_LIMITE_MAX)
    return fat_err_set(err, FAT_EINVAL, "limite: número de 1 a %d esperado",
                       FAT_BUSCA_LIMITE_MAX);
  *out = (int)v;
  return FAT_OK;
}

/* POST /api/digitacao/avaliar {guia, hoje?}: what conferir would say, nothing
** stored. */
fat_rc api_digitacao_avaliar(web_req *rq, web_res *rs, fat_err *err)
{
  const cJSON *form;
  fat_rc rc = form_do_corpo(rq, &form, err);

  if (rc != FAT_OK)
    return rc;
  return fat_digitacao_avaliar(rq->st, rq->srv->rules, form, web_json_str(rq, "hoje"), &rs->json,
                               err);
}

/* POST /api/digitacao {guia, rascunho_id?}: a new guia ready for conferir,
** checked at once; answers the change (fat_guia_mudanca_json). */
fat_rc api_digitacao_gravar(web_req *rq, web_res *rs, fat_err *err)
{
  fat_guia_edit_opts o;
  fat_guia_mudanca m;
  const cJSON *form;
  int64_t rid = 0;
  fat_rc rc = form_do_corpo(rq, &form, err);

  if (rc == FAT_OK)
    rc = web_body_id(rq, "rascunho_id", 0, &rid, err);
  if (rc != FAT_OK)
    return rc;
  memset(&o, 0, sizeof o);
  o.rules = rq->srv->rules;
  o.hoje = web_json_str(rq, "hoje");
  rc = fat_digitacao_gravar(rq->st, form, rid, &o, &m, err);
  if (rc == FAT_OK) {
    rs->json = fat_guia_mudanca_json(&m);
    if (rs->json == NULL)
      rc = fat_err_oom(err);
  }
  if (rc == FAT_OK) {
    snprintf(rs->objeto, sizeof rs->objeto, "guia:%lld", (long long)m.guia_id);
    snprintf(rs->detalhe, sizeof rs->detalhe, "digitada, %s", m.status);
  }
  fat_guia_mudanca_fini(&m);
  return rc;
}

/* GET /api/digitacao/rascunhos -> {rascunhos: [...]} */
fat_rc api_rascunhos_listar(web_req *rq, web_res *rs, fat_err *err)
{
  cJSON *arr = NULL;
  fat_rc rc = fat_digitacao_rascunhos(rq->st, &arr, err);

  if (rc != FAT_OK)
    return rc;
  return web_reply_wrap(rs, "rascunhos", arr, err);
}

/* GET /api/digitacao/rascunhos/{id} -> {rascunho: {id, ..., guia}} */
fat_rc api_rascunho_ver(web_req *rq, web_res *rs, fat_err *err)
{
  cJSON *r = NULL;
  int64_t id;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc == FAT_OK)
    rc = fat_digitacao_rascunho(rq->st, id, &r, err);
  if (rc != FAT_OK)
    return rc;
  return web_reply_wrap(rs, "rascunho", r, err);
}

/* POST /api/digitacao/rascunhos {guia} (new) and PUT .../rascunhos/{id}
** {guia} (over it) -> {id} */
fat_rc api_rascunho_salvar(web_req *rq, web_res *rs, fat_err *err)
{
  const cJSON *form;
  int64_t id = 0, novo = 0;
  fat_rc rc = FAT_OK;

  if (rq->params[0] != NULL)
    rc = web_param_id(rq, 0, &id, err);
  if (rc == FAT_OK)
    rc = form_do_corpo(rq, &form, err);
  if (rc == FAT_OK)
    rc = fat_digitacao_rascunho_salvar(rq->st, id, form, &novo, err);
  if (rc != FAT_OK)
    return rc;
  if (id > 0)
    novo = id;
  snprintf(rs->objeto, sizeof rs->objeto, "rascunho:%lld", (long long)novo);
  rs->json = cJSON_CreateObject();
  if (rs->json == NULL || cJSON_AddNumberToObject(rs->json, "id", (double)novo) == NULL)
    return fat_err_oom(err);
  return FAT_OK;
}

/* DELETE /api/digitacao/rascunhos/{id} -> {apagado: id} */
fat_rc api_rascunho_apagar(web_req *rq, web_res *rs, fat_err *err)
{
  int64_t id;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc == FAT_OK)
    rc = fat_digitacao_rascunho_apagar(rq->st, id, err);
  if (rc != FAT_OK)
    return rc;
  snprintf(rs->objeto, sizeof rs->objeto, "rascunho:%lld", (long long)id);
  rs->json = cJSON_CreateObject();
  if (rs->json == NULL || cJSON_AddNumberToObject(rs->json, "apagado", (double)id) == NULL)
    return fat_err_oom(err);
  return FAT_OK;
}

/* GET /api/busca/procedimentos?termo=&tabela=&data=&limite= */
fat_rc api_busca_procedimentos(web_req *rq, web_res *rs, fat_err *err)
{
  cJSON *arr = NULL;
  int limite;
  fat_rc rc = limite_da_query(rq, &limite, err);

  if (rc == FAT_OK)
    rc = fat_busca_procedimentos(rq->st, web_query(rq, "termo"), web_query_nonempty(rq, "tabela"),
                                 web_query_nonempty(rq, "data"), limite, &arr, err);
  if (rc != FAT_OK)
    return rc;
  return web_reply_wrap(rs, "procedimentos", arr, err);
}

/* GET /api/busca/beneficiarios?termo=&operadora=&limite=: patient data, so
** the read is recorded in the access log before it is sent. */
fat_rc api_busca_beneficiarios(web_req *rq, web_res *rs, fat_err *err)
{
  cJSON *arr = NULL;
  fat_leitor l;
  int limite;
  fat_rc rc = limite_da_query(rq, &limite, err);

  if (rc == FAT_OK)
    rc = fat_busca_beneficiarios(rq->st, web_query(rq, "termo"),
                                 web_query_nonempty(rq, "operadora"), limite, &arr, err);
  if (rc != FAT_OK)
    return rc;
  web_leitor(rq, &l);
  rc = fat_acesso_registrar_linhas(rq->st, &l, FAT_ACESSO_BENEFICIARIO, arr, "id", 1, err);
  if (rc != FAT_OK) {
    cJSON_Delete(arr);
    return rc;
  }
  return web_reply_wrap(rs, "beneficiarios", arr, err);
}

/* GET /api/busca/profissionais?termo=&limite= */
fat_rc api_busca_profissionais(web_req *rq, web_res *rs, fat_err *err)
{
  cJSON *arr = NULL;
  int limite;
  fat_rc rc = limite_da_query(rq, &limite, err);

  if (rc == FAT_OK)
    rc = fat_busca_profissionais(rq->st, web_query(rq, "termo"), limite, &arr, err);
  if (rc != FAT_OK)
    return rc;
  return web_reply_wrap(rs, "profissionais", arr, err);
}

/* GET /api/prestadores -> {prestadores: [{id, nome, cnpj?, cpf?, cnes?}]} */
fat_rc api_prestadores(web_req *rq, web_res *rs, fat_err *err)
{
  cJSON *arr = NULL;
  fat_rc rc = fat_busca_prestadores(rq->st, &arr, err);

  if (rc != FAT_OK)
    return rc;
  return web_reply_wrap(rs, "prestadores", arr, err);
}
