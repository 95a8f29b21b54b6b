/* web_api_edicao.c: correct, cancel and read the history of a guia (Part L;
** the engine is fat_guia_edit.h, the routes and bodies are in docs/guias.md). */
#include <stdio.h>
#include <string.h>

#include "fat_guia_edit.h"
#include "web_int.h"

/* The patch of a PATCH /api/guias/{id} body: "alteracao" (the guia's JSON
** form with what changes), "campos" ({"caminho": "valor"}: senha,
** executante.cbo, itens[2].quantidade...) and "remover_itens" ([3, 4]), in
** this order, into one patch. *out owned by the caller. */
static fat_rc patch_do_corpo(const web_req *rq, cJSON **out, fat_err *err)
{
  const cJSON *alt = cJSON_GetObjectItemCaseSensitive(rq->json, "alteracao");
  const cJSON *campos = cJSON_GetObjectItemCaseSensitive(rq->json, "campos");
  const cJSON *rem = cJSON_GetObjectItemCaseSensitive(rq->json, "remover_itens");
  const cJSON *m;
  cJSON *p;
  fat_rc rc = FAT_OK;

  *out = NULL;
  if (rq->json == NULL || (alt == NULL && campos == NULL && rem == NULL))
    return fat_err_set(err, FAT_EINVAL,
                       "envie um objeto JSON com alteracao, campos ou remover_itens");
  if (alt != NULL && !cJSON_IsObject(alt))
    return fat_err_set(err, FAT_EINVAL, "alteracao: objeto esperado");
  if (campos != NULL && !cJSON_IsObject(campos))
    return fat_err_set(err, FAT_EINVAL, "campos: objeto {\"campo\": \"valor\"} esperado");
  if (rem != NULL && !cJSON_IsArray(rem))
    return fat_err_set(err, FAT_EINVAL, "remover_itens: lista de números de item esperada");
  p = alt != NULL ? cJSON_Duplicate(alt, 1) : cJSON_CreateObject();
  if (p == NULL)
    return fat_err_oom(err);
  cJSON_ArrayForEach(m, campos)
  {
    if (!cJSON_IsString(m) && !cJSON_IsNull(m)) {
      rc = fat_err_set(err, FAT_EINVAL, "campos.%s: valor em texto esperado", m->string);
      break;
    }
    rc = fat_guia_patch_campo(p, m->string, cJSON_IsString(m) ? m->valuestring : NULL, err);
    if (rc != FAT_OK)
      break;
  }
  cJSON_ArrayForEach(m, rem)
  {
    if (rc != FAT_OK)
      break;
    if (!cJSON_IsNumber(m) || m->valuedouble < 1 || m->valuedouble > 100000 ||
        m->valuedouble != (double)m->valueint) {
      rc = fat_err_set(err, FAT_EINVAL, "remover_itens: números de item (1, 2, ...) esperados");
      break;
    }
    rc = fat_guia_patch_remover_item(p, m->valueint, err);
  }
  if (rc != FAT_OK) {
    cJSON_Delete(p);
    return rc;
  }
  *out = p;
  return FAT_OK;
}

static fat_rc responder(web_res *rs, const fat_guia_mudanca *m, const char *feito, fat_err *err)
{
  rs->json = fat_guia_mudanca_json(m);
  if (rs->json == NULL)
    return fat_err_oom(err);
  snprintf(rs->objeto, sizeof rs->objeto, "guia:%lld", (long long)m->guia_id);
  snprintf(rs->detalhe, sizeof rs->detalhe, "%s, revisão %lld, %s", feito, (long long)m->revisao,
           m->status);
  return FAT_OK;
}

/* PATCH /api/guias/{id} {alteracao?, campos?, remover_itens?, motivo?} */
fat_rc api_guia_editar(web_req *rq, web_res *rs, fat_err *err)
{
  fat_guia_edit_opts o;
  fat_guia_mudanca m;
  cJSON *patch = NULL;
  int64_t id;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc == FAT_OK)
    rc = patch_do_corpo(rq, &patch, err);
  if (rc != FAT_OK)
    return rc;
  memset(&o, 0, sizeof o);
  o.rules = rq->srv->rules;
  o.motivo = web_json_str(rq, "motivo");
  rc = fat_guia_editar(rq->st, id, patch, &o, &m, err);
  if (rc == FAT_OK)
    rc = responder(rs, &m, "corrigida", err);
  fat_guia_mudanca_fini(&m);
  cJSON_Delete(patch);
  return rc;
}

/* POST /api/guias/{id}/cancelar {motivo} */
fat_rc api_guia_cancelar(web_req *rq, web_res *rs, fat_err *err)
{
  fat_guia_edit_opts o;
  fat_guia_mudanca m;
  int64_t id;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc != FAT_OK)
    return rc;
  memset(&o, 0, sizeof o);
  o.rules = rq->srv->rules;
  o.motivo = web_json_str(rq, "motivo");
  rc = fat_guia_cancelar(rq->st, id, &o, &m, err);
  if (rc == FAT_OK)
    rc = responder(rs, &m, "cancelada", err);
  fat_guia_mudanca_fini(&m);
  return rc;
}

/* GET /api/guias/{id}/historico -> {revisoes: [...]} */
fat_rc api_guia_historico(web_req *rq, web_res *rs, fat_err *err)
{
  cJSON *arr = NULL;
  int64_t id;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc == FAT_OK)
    rc = fat_guia_historico(rq->st, id, &arr, err);
  if (rc != FAT_OK)
    return rc;
  return web_reply_wrap(rs, "revisoes", arr, err);
}
