/* web_api_regras.c: operator scripts in the panel: view, draft (checked on
** save), test, diff, publish (hot reload), reload, revert, versions, over
** fat_rascunho and fat_rules. Publishing, reloading and reverting are
** serialized by the engine (fat_rules), which never holds a lock while a
** script runs: a slow reload does not block the others. */
#include <stdio.h>
#include <string.h>

#include "fat_mem.h"
#include "fat_rascunho.h"
#include "web_int.h"

static cJSON *rascunho_json(const fat_rascunho *r, int with_text)
{
  cJSON *o = cJSON_CreateObject(), *rel;

  if (o == NULL)
    return NULL;
  if ((with_text && cJSON_AddStringToObject(o, "conteudo", r->conteudo) == NULL) ||
      cJSON_AddStringToObject(o, "sha256", r->sha256) == NULL ||
      cJSON_AddStringToObject(o, "autor", r->autor) == NULL ||
      cJSON_AddStringToObject(o, "atualizado_em", r->atualizado_em) == NULL ||
      cJSON_AddBoolToObject(o, "valido", r->valido) == NULL) {
    cJSON_Delete(o);
    return NULL;
  }
  if (r->relatorio != NULL) {
    rel = cJSON_Duplicate(r->relatorio, 1);
    if (!web_add(o, "relatorio", rel)) {
      cJSON_Delete(o);
      return NULL;
    }
  }
  return o;
}

static int gen_has_key(fat_gen *g, const char *key) { return fat_gen_sha256(g, key) != NULL; }

/* --------------------------------------------------------------- GET */

fat_rc api_regras_listar(web_req *rq, web_res *rs, fat_err *err)
{
  fat_gen *g = fat_rules_acquire(rq->srv->rules);
  cJSON *arr, *o, *c, *drafts = NULL, *d;
  size_t i, n = fat_gen_count(g);
  fat_rc rc = FAT_OK;

  rs->json = cJSON_CreateObject();
  arr = cJSON_CreateArray();
  if (rs->json == NULL || !web_add(rs->json, "operadoras", arr) ||
      cJSON_AddNumberToObject(rs->json, "geracao", (double)fat_gen_id(g)) == NULL) {
    fat_gen_release(g);
    return fat_err_oom(err);
  }
  rc = fat_rascunho_listar(rq->st, &drafts, err);
  for (i = 0; rc == FAT_OK && i < n; i++) {
    const char *key = fat_gen_key(g, i);

    o = cJSON_CreateObject();
    if (o == NULL || !cJSON_AddItemToArray(arr, o)) {
      cJSON_Delete(o);
      rc = fat_err_oom(err);
      break;
    }
    if (cJSON_AddStringToObject(o, "chave", key) == NULL ||
        cJSON_AddStringToObject(o, "sha256", fat_gen_sha256(g, key)) == NULL) {
      rc = fat_err_oom(err);
      break;
    }
    c = NULL;
    if (fat_gen_contract(g, key, &c, NULL) == FAT_OK && c != NULL) {
      const cJSON *nome = cJSON_GetObjectItemCaseSensitive(c, "nome");
      const cJSON *ans = cJSON_GetObjectItemCaseSensitive(c, "registro_ans");

      if ((cJSON_IsString(nome) && cJSON_AddStringToObject(o, "nome", nome->valuestring) == NULL) ||
          (cJSON_IsString(ans) &&
           cJSON_AddStringToObject(o, "registro_ans", ans->valuestring) == NULL))
        rc = fat_err_oom(err);
      cJSON_Delete(c);
    }
    cJSON_ArrayForEach(d, drafts)
    {
      const char *dk = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "operadora"));

      if (rc == FAT_OK && dk != NULL && strcmp(dk, key) == 0) {
        if (!web_add(o, "rascunho", cJSON_Duplicate(d, 1)))
          rc = fat_err_oom(err);
        break;
      }
    }
  }
  cJSON_Delete(drafts);
  fat_gen_release(g);
  return rc;
}

fat_rc api_regras_ver(web_req *rq, web_res *rs, fat_err *err)
{
  const char *key;
  fat_gen *g;
  char *text = NULL;
  fat_rascunho r;
  int found = 0;
  cJSON *c = NULL;
  fat_rc rc = web_param_key(rq, 0, &key, err);

  if (rc != FAT_OK)
    return rc;
  g = fat_rules_acquire(rq->srv->rules);
  if (!gen_has_key(g, key)) {
    fat_gen_release(g);
    return fat_err_set(err, FAT_ENOTFOUND, "a operadora '%s' não tem script nas regras em uso",
                       key);
  }
  rc = fat_rascunho_em_uso(rq->st, g, rq->srv->regras_dir, key, &text, err);
  if (rc == FAT_OK) {
    rs->json = cJSON_CreateObject();
    if (rs->json == NULL || cJSON_AddStringToObject(rs->json, "chave", key) == NULL ||
        cJSON_AddStringToObject(rs->json, "script", text) == NULL ||
        cJSON_AddStringToObject(rs->json, "sha256", fat_gen_sha256(g, key)) == NULL ||
        cJSON_AddNumberToObject(rs->json, "geracao", (double)fat_gen_id(g)) == NULL)
      rc = fat_err_oom(err);
  }
  if (rc == FAT_OK && fat_gen_contract(g, key, &c, NULL) == FAT_OK && c != NULL &&
      !web_add(rs->json, "contrato", c))
    rc = fat_err_oom(err);
  fat_gen_release(g);
  fat_free(text);
  if (rc != FAT_OK)
    return rc;
  rc = fat_rascunho_ler(rq->st, key, &r, &found, err);
  if (rc != FAT_OK)
    return rc;
  if (found) {
    if (!web_add(rs->json, "rascunho", rascunho_json(&r, 1)))
      rc = fat_err_oom(err);
  } else if (cJSON_AddNullToObject(rs->json, "rascunho") == NULL) {
    rc = fat_err_oom(err);
  }
  fat_rascunho_fini(&r);
  return rc;
}

/* ---------------------------------------------------- drafts, tests */

fat_rc api_regras_rascunho(web_req *rq, web_res *rs, fat_err *err)
{
  const char *key, *text = web_json_str(rq, "conteudo");
  fat_rascunho r;
  fat_rc rc = web_param_key(rq, 0, &key, err);

  if (rc != FAT_OK)
    return rc;
  if (text == NULL)
    return fat_err_set(err, FAT_EINVAL, "informe o texto do script em 'conteudo'");
  rc = fat_rascunho_salvar(rq->st, rq->srv->rules, key, text, strlen(text), &r, err);
  if (rc != FAT_OK)
    return rc;
  snprintf(rs->objeto, sizeof rs->objeto, "regra:%s", key);
  snprintf(rs->detalhe, sizeof rs->detalhe, "sha256 %s valido %d", r.sha256, r.valido);
  rs->json = rascunho_json(&r, 0);
  fat_rascunho_fini(&r);
  return rs->json != NULL ? FAT_OK : fat_err_oom(err);
}

fat_rc api_regras_testar(web_req *rq, web_res *rs, fat_err *err)
{
  const char *key;
  fat_rascunho r;
  int found = 0, valido = 0;
  cJSON *report = NULL, *tests = NULL;
  fat_gen *g;
  fat_err terr;
  fat_rc rc = web_param_key(rq, 0, &key, err);

  if (rc != FAT_OK)
    return rc;
  snprintf(rs->objeto, sizeof rs->objeto, "regra:%s", key);
  if (web_json_bool(rq, "rascunho", 1)) {
    rc = fat_rascunho_ler(rq->st, key, &r, &found, err);
    if (rc != FAT_OK)
      return rc;
  }
  if (found) {
    rc = fat_rascunho_verificar(rq->srv->regras_dir, key, r.conteudo, r.len, &report, &valido,
                                err);
    fat_rascunho_fini(&r);
    if (rc != FAT_OK)
      return rc;
  } else {
    g = fat_rules_acquire(rq->srv->rules);
    if (!gen_has_key(g, key)) {
      fat_gen_release(g);
      return fat_err_set(err, FAT_ENOTFOUND, "a operadora '%s' não tem script", key);
    }
    fat_err_clear(&terr);
    rc = fat_gen_selftest(g, key, &tests, &terr);
    fat_gen_release(g);
    if (rc == FAT_ENOMEM)
      return fat_err_oom(err);
    valido = rc == FAT_OK;
    report = cJSON_CreateObject();
    if (report == NULL || cJSON_AddBoolToObject(report, "compila", 1) == NULL ||
        (valido ? cJSON_AddNullToObject(report, "erro")
                : cJSON_AddStringToObject(report, "erro", terr.msg)) == NULL ||
        (tests != NULL && !web_add(report, "testes", tests))) {
      if (report == NULL)
        cJSON_Delete(tests);
      cJSON_Delete(report);
      return fat_err_oom(err);
    }
  }
  rs->json = report;
  snprintf(rs->detalhe, sizeof rs->detalhe, "%s valido %d", found ? "rascunho" : "em uso",
           valido);
  if (cJSON_AddBoolToObject(report, "valido", valido) == NULL ||
      cJSON_AddStringToObject(report, "origem", found ? "rascunho" : "em_uso") == NULL)
    return fat_err_oom(err);
  return FAT_OK;
}

fat_rc api_regras_diff(web_req *rq, web_res *rs, fat_err *err)
{
  const char *key;
  fat_gen *g;
  fat_rc rc = web_param_key(rq, 0, &key, err);

  if (rc != FAT_OK)
    return rc;
  g = fat_rules_acquire(rq->srv->rules);
  rc = fat_rascunho_diff(rq->st, g, rq->srv->regras_dir, key, &rs->json, err);
  fat_gen_release(g);
  return rc;
}

/* ------------------------------------------------- publish / reload */

static fat_rc reply_generation(web_req *rq, web_res *rs, const char *key, fat_err *err)
{
  fat_gen *g = fat_rules_acquire(rq->srv->rules);
  fat_rc rc = FAT_OK;

  rs->json = cJSON_CreateObject();
  if (rs->json == NULL || cJSON_AddBoolToObject(rs->json, "ok", 1) == NULL ||
      cJSON_AddNumberToObject(rs->json, "geracao", (double)fat_gen_id(g)) == NULL)
    rc = fat_err_oom(err);
  if (rc == FAT_OK && key != NULL && fat_gen_sha256(g, key) != NULL &&
      cJSON_AddStringToObject(rs->json, "sha256", fat_gen_sha256(g, key)) == NULL)
    rc = fat_err_oom(err);
  snprintf(rs->detalhe, sizeof rs->detalhe, "geracao %lld", (long long)fat_gen_id(g));
  fat_gen_release(g);
  return rc;
}

fat_rc api_regras_publicar(web_req *rq, web_res *rs, fat_err *err)
{
  const char *key = web_json_str(rq, "operadora");
  fat_rc rc;

  if (!web_valid_key(key))
    return fat_err_set(err, FAT_EINVAL, "informe a operadora cujo rascunho será publicado");
  snprintf(rs->objeto, sizeof rs->objeto, "regra:%s", key);
  rc = fat_rascunho_publicar(rq->st, rq->srv->rules, key, err);
  if (rc != FAT_OK)
    return rc;
  return reply_generation(rq, rs, key, err);
}

fat_rc api_regras_recarregar(web_req *rq, web_res *rs, fat_err *err)
{
  fat_rc rc = fat_rules_reload(rq->srv->rules, rq->st, err);

  if (rc != FAT_OK)
    return rc; /* the message says the live rules stay */
  snprintf(rs->objeto, sizeof rs->objeto, "regras");
  return reply_generation(rq, rs, NULL, err);
}

fat_rc api_regras_reverter(web_req *rq, web_res *rs, fat_err *err)
{
  int64_t versao = 0, novo = 0;
  fat_rc rc = web_body_id(rq, "versao", 1, &versao, err);

  if (rc != FAT_OK)
    return rc;
  snprintf(rs->objeto, sizeof rs->objeto, "regras:v%lld", (long long)versao);
  /* refused while the folder has edits never published, unless forcar
  ** (then a copy of each is kept) */
  rc = fat_rules_revert_live(rq->srv->rules, rq->st, versao,
                             web_json_bool(rq, "forcar", 0) ? FAT_RULES_REVERTER_FORCAR : 0u,
                             &novo, err);
  if (rc != FAT_OK)
    return rc;
  return reply_generation(rq, rs, NULL, err);
}

fat_rc api_regras_versoes(web_req *rq, web_res *rs, fat_err *err)
{
  const char *key = web_query_nonempty(rq, "operadora");
  cJSON *rows = NULL;
  fat_rc rc;

  if (key != NULL && !web_valid_key(key))
    return fat_err_set(err, FAT_EINVAL, "operadora inválida");
  rc = fat_rascunho_versoes(rq->st, key, &rows, err);
  if (rc != FAT_OK)
    return rc;
  return web_reply_wrap(rs, "versoes", rows, err);
}
