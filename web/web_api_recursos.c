/* web_api_recursos.c: recurso de glosa writes (create, answer) and the XML
** download, over fat_recurso. */
#include <stdio.h>
#include <string.h>

#include "fat_model.h"
#include "fat_recurso.h"
#include "web_int.h"

#define MAX_GLOSAS 500

/* The recurso id as the single object of fat_recurso_listar. */
static fat_rc reply_recurso(web_req *rq, web_res *rs, int64_t id, fat_err *err)
{
  cJSON *lst = NULL, *one;
  fat_rc rc = fat_recurso_listar(rq->st, id, NULL, &lst, err);

  if (rc != FAT_OK)
    return rc;
  if (cJSON_IsArray(lst) && cJSON_GetArraySize(lst) == 1) {
    one = cJSON_DetachItemFromArray(lst, 0);
    cJSON_Delete(lst);
    lst = one;
  }
  rs->json = lst;
  return rs->json != NULL ? FAT_OK : fat_err_oom(err);
}

/* Body: {"glosas": [ids]} or {"guia": id}, optional "justificativa" for
** every item. */
fat_rc api_recursos_criar(web_req *rq, web_res *rs, fat_err *err)
{
  const cJSON *arr = rq->json != NULL ? cJSON_GetObjectItemCaseSensitive(rq->json, "glosas") : NULL;
  const char *just = web_json_str(rq, "justificativa");
  int64_t glosas[MAX_GLOSAS], guia = 0;
  fat_recurso_criados cr = {NULL, 0};
  size_t n = 0, i;
  const cJSON *v;
  fat_gen *g;
  fat_rc rc;

  if (arr != NULL && !cJSON_IsNull(arr)) {
    if (!cJSON_IsArray(arr))
      return fat_err_set(err, FAT_EINVAL, "glosas deve ser uma lista de ids");
    if (cJSON_GetArraySize(arr) > MAX_GLOSAS)
      return fat_err_set(err, FAT_EINVAL, "glosas: no máximo %d por recurso", MAX_GLOSAS);
    cJSON_ArrayForEach(v, arr)
    {
      rc = web_id_json(v, "glosas", &glosas[n], err);
      if (rc != FAT_OK)
        return rc;
      n++;
    }
  }
  rc = web_body_id(rq, "guia", 0, &guia, err);
  if (rc != FAT_OK)
    return rc;
  if (n == 0 && guia == 0)
    return fat_err_set(err, FAT_EINVAL, "informe as glosas (lista de ids) ou a guia do recurso");
  g = fat_rules_acquire(rq->srv->rules);
  /* one recurso per lote (protocolo) of the glosas */
  rc = fat_recurso_criar_justificado(rq->st, g, glosas, n, guia, just, &cr, err);
  fat_gen_release(g);
  if (rc != FAT_OK)
    return rc;
  snprintf(rs->objeto, sizeof rs->objeto, "recurso:%lld", (long long)cr.ids[0]);
  snprintf(rs->detalhe, sizeof rs->detalhe, "%zu glosa(s), %zu recurso(s)", n, cr.n);
  rs->status = 201;
  if (cr.n == 1) {
    rc = reply_recurso(rq, rs, cr.ids[0], err);
    fat_recurso_criados_fini(&cr);
    return rc;
  }
  /* several lotes: the list of the recursos made */
  rs->json = cJSON_CreateArray();
  for (i = 0; rc == FAT_OK && rs->json != NULL && i < cr.n; i++) {
    cJSON *one = NULL;

    rc = fat_recurso_listar(rq->st, cr.ids[i], NULL, &one, err);
    if (rc == FAT_OK && cJSON_GetArraySize(one) == 1)
      cJSON_AddItemToArray(rs->json, cJSON_DetachItemFromArray(one, 0));
    cJSON_Delete(one);
  }
  fat_recurso_criados_fini(&cr);
  if (rc != FAT_OK)
    return rc;
  return rs->json != NULL ? FAT_OK : fat_err_oom(err);
}

/* Body: {"resultado": "deferido|deferido_parcial|indeferido", "valor": centavos}
** or the panel's {"valor_deferido": centavos}, from which the result follows. */
fat_rc api_recurso_resposta(web_req *rq, web_res *rs, fat_err *err)
{
  const char *resultado = web_json_str(rq, "resultado");
  const char *usado = NULL;
  int64_t id, valor = FAT_ABSENT;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc == FAT_OK)
    rc = web_body_centavos(rq, "valor", FAT_ABSENT, &valor, err);
  if (rc == FAT_OK && valor == FAT_ABSENT)
    rc = web_body_centavos(rq, "valor_deferido", FAT_ABSENT, &valor, err);
  if (rc == FAT_OK)
    rc = fat_recurso_responder_valor(rq->st, id, resultado, valor, &usado, err);
  if (rc != FAT_OK)
    return rc;
  snprintf(rs->objeto, sizeof rs->objeto, "recurso:%lld", (long long)id);
  snprintf(rs->detalhe, sizeof rs->detalhe, "%s", usado != NULL ? usado : "");
  return reply_recurso(rq, rs, id, err);
}

/* The RECURSO_GLOSA file: built (and validated when the XSD folder is known)
** on first download, then served as stored. */
fat_rc api_recurso_xml(web_req *rq, web_res *rs, fat_err *err)
{
  fat_gen *g;
  char name[128];
  char *xml = NULL;
  size_t len = 0;
  int validado = 0;
  int64_t id;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc != FAT_OK)
    return rc;
  g = fat_rules_acquire(rq->srv->rules);
  rc = fat_recurso_xml(rq->st, g, id, rq->srv->xsd_dir, &xml, &len, name, sizeof name, &validado,
                       err);
  fat_gen_release(g);
  if (rc != FAT_OK)
    return rc;
  rs->raw = xml;
  rs->raw_len = len;
  rs->content_type = "application/xml; charset=ISO-8859-1";
  web_safe_filename(rs->filename, sizeof rs->filename, name, "recurso.xml");
  return FAT_OK;
}
