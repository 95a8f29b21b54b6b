/* web_api_recursos.c: recurso de glosa writes (create, answer) and the XML
** download, over Part F's fat_recurso. */
#include <stdio.h>
#include <string.h>

#include "fat_mem.h"
#include "fat_model.h"
#include "fat_recurso.h"
#include "fat_store_int.h"
#include "web_int.h"

#define MAX_GLOSAS 500


/* Justification override for every item of a new recurso (optional). */
static fat_rc apply_justificativa(fat_store *st, int64_t id, const char *text, fat_err *err)
{
  static const char sql[] = "SELECT id FROM recurso_item WHERE recurso_id = ?1 ORDER BY id";
  int64_t items[MAX_GLOSAS];
  size_t n = 0, i;
  sqlite3_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  while (n < MAX_GLOSAS && sqlite3_step(s) == SQLITE_ROW)
    items[n++] = sqlite3_column_int64(s, 0);
  sqlite3_reset(s);
  for (i = 0; i < n && rc == FAT_OK; i++)
    rc = fat_recurso_editar(st, id, items[i], text, err);
  return rc;
}

fat_rc api_recursos_criar(web_req *rq, web_res *rs, fat_err *err)
{
  const cJSON *arr = rq->json != NULL ? cJSON_GetObjectItemCaseSensitive(rq->json, "glosas") : NULL;
  const char *just = web_json_str(rq, "justificativa");
  int64_t glosas[MAX_GLOSAS], guia = 0, id = 0;
  size_t n = 0, i;
  fat_recurso_criados cr = {NULL, 0};
  const cJSON *v;
  fat_gen *g;
  fat_rc rc;

  if (arr != NULL) {
    if (!cJSON_IsArray(arr))
      return fat_err_set(err, FAT_EINVAL, "glosas deve ser uma lista de ids");
    cJSON_ArrayForEach(v, arr) {
      if (!cJSON_IsNumber(v) || v->valuedouble < 1 || n >= MAX_GLOSAS)
        return fat_err_set(err, FAT_EINVAL, "glosas: ids inválidos (no máximo %d)", MAX_GLOSAS);
      glosas[n++] = (int64_t)v->valuedouble;
    }
  }
  if (n == 0 && !web_json_int(rq, "guia", &guia))
    return fat_err_set(err, FAT_EINVAL, "informe as glosas (lista de ids) ou a guia do recurso");
  g = fat_rules_acquire(rq->srv->rules);
  rc = fat_store_begin(rq->st, err);
  if (rc == FAT_OK) {
    /* one recurso per lote (protocolo) of the glosas */
    rc = fat_recurso_criar(rq->st, g, glosas, n, guia, &cr, err);
    for (i = 0; rc == FAT_OK && just != NULL && just[0] != '\0' && i < cr.n; i++)
      rc = apply_justificativa(rq->st, cr.ids[i], just, err);
    if (rc == FAT_OK)
      rc = fat_store_commit(rq->st, err);
    else
      fat_store_rollback(rq->st);
  }
  fat_gen_release(g);
  if (rc != FAT_OK) {
    fat_recurso_criados_fini(&cr);
    return rc;
  }
  id = cr.ids[0];
  snprintf(rs->objeto, sizeof rs->objeto, "recurso:%lld", (long long)id);
  snprintf(rs->detalhe, sizeof rs->detalhe, "%zu glosa(s), %zu recurso(s)", n, cr.n);
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
  /* one recurso (one lote): answer with the recurso itself; several: the list */
  if (cJSON_IsArray(rs->json) && cJSON_GetArraySize(rs->json) == 1) {
    cJSON *one = cJSON_DetachItemFromArray(rs->json, 0);

    cJSON_Delete(rs->json);
    rs->json = one;
  }
  rs->status = 201;
  return rs->json != NULL ? FAT_OK : fat_err_oom(err);
}

static int64_t recurso_recursado(fat_store *st, int64_t id)
{
  static const char sql[] = "SELECT valor_recursado FROM recurso WHERE id = ?1";
  sqlite3_stmt *s;
  int64_t v = -1;
  fat_err e;

  if (fat_store_prepare(st, sql, &s, &e) != FAT_OK)
    return -1;
  fat_bind_int(s, 1, id);
  if (sqlite3_step(s) == SQLITE_ROW)
    v = sqlite3_column_int64(s, 0);
  sqlite3_reset(s);
  return v;
}

/* Body: {"resultado": "deferido|deferido_parcial|indeferido", "valor": centavos}
** or the panel's {"valor_deferido": centavos}, from which the result follows. */
fat_rc api_recurso_resposta(web_req *rq, web_res *rs, fat_err *err)
{
  fat_recurso_resposta r;
  const char *resultado = web_json_str(rq, "resultado");
  int64_t id, valor = FAT_ABSENT, total;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc != FAT_OK)
    return rc;
  total = recurso_recursado(rq->st, id);
  if (total < 0)
    return fat_err_set(err, FAT_ENOTFOUND, "recurso %lld não encontrado", (long long)id);
  if (!web_json_int(rq, "valor", &valor) && !web_json_int(rq, "valor_deferido", &valor))
    valor = FAT_ABSENT;
  if (valor != FAT_ABSENT && (valor < 0 || valor > total))
    return fat_err_set(err, FAT_EINVAL, "valor deferido deve estar entre 0 e o valor recursado");
  if (resultado == NULL) {
    if (valor == FAT_ABSENT)
      return fat_err_set(err, FAT_EINVAL, "informe o resultado ou o valor deferido");
    resultado = valor == 0 ? "indeferido" : valor == total ? "deferido" : "deferido_parcial";
  }
  memset(&r, 0, sizeof r);
  r.resultado = resultado;
  r.valor = valor;
  rc = fat_store_begin(rq->st, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_recurso_responder(rq->st, id, &r, err);
  if (rc == FAT_OK)
    rc = fat_store_commit(rq->st, err);
  else
    fat_store_rollback(rq->st);
  if (rc != FAT_OK)
    return rc;
  snprintf(rs->objeto, sizeof rs->objeto, "recurso:%lld", (long long)id);
  snprintf(rs->detalhe, sizeof rs->detalhe, "%s", resultado);
  return fat_recurso_listar(rq->st, id, NULL, &rs->json, err);
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
  snprintf(rs->filename, sizeof rs->filename, "%s", name);
  return FAT_OK;
}
