/* web_api_usuarios.c: user administration (admin) and what every user does
** with its own account: change its password, enrol a second factor. */
#include <stdio.h>
#include <string.h>

#include "fat_mem.h"
#include "web_int.h"

static fat_rc reply_ok(web_res *rs, const char *key, double value, fat_err *err)
{
  rs->json = cJSON_CreateObject();
  if (rs->json == NULL || cJSON_AddBoolToObject(rs->json, "ok", 1) == NULL ||
      (key != NULL && cJSON_AddNumberToObject(rs->json, key, value) == NULL))
    return fat_err_oom(err);
  return FAT_OK;
}

/* Route parameter 0 as a user id, with the audit object filled. */
static fat_rc user_param(web_req *rq, web_res *rs, int64_t *id, fat_err *err)
{
  fat_rc rc = web_param_id(rq, 0, id, err);

  if (rc == FAT_OK)
    snprintf(rs->objeto, sizeof rs->objeto, "usuario:%lld", (long long)*id);
  return rc;
}

fat_rc api_usuario_desativar(web_req *rq, web_res *rs, fat_err *err)
{
  int64_t id;
  fat_rc rc = user_param(rq, rs, &id, err);

  if (rc == FAT_OK)
    rc = fat_usuario_desativar(rq->st, id, err);
  return rc == FAT_OK ? reply_ok(rs, "id", (double)id, err) : rc;
}

fat_rc api_usuario_reativar(web_req *rq, web_res *rs, fat_err *err)
{
  int64_t id;
  fat_rc rc = user_param(rq, rs, &id, err);

  if (rc == FAT_OK)
    rc = fat_usuario_reativar(rq->st, id, err);
  return rc == FAT_OK ? reply_ok(rs, "id", (double)id, err) : rc;
}

fat_rc api_usuario_papel(web_req *rq, web_res *rs, fat_err *err)
{
  const char *papel = web_json_str(rq, "papel");
  fat_papel p = fat_papel_parse(papel);
  int64_t id;
  fat_rc rc = user_param(rq, rs, &id, err);

  if (rc != FAT_OK)
    return rc;
  if (p == FAT_PAPEL_NENHUM)
    return fat_err_set(err, FAT_EINVAL, "informe o papel: faturista, supervisor ou admin");
  rc = fat_usuario_mudar_papel(rq->st, id, p, err);
  if (rc != FAT_OK)
    return rc;
  snprintf(rs->detalhe, sizeof rs->detalhe, "%s", fat_papel_str(p));
  return reply_ok(rs, "id", (double)id, err);
}

fat_rc api_usuario_redefinir(web_req *rq, web_res *rs, fat_err *err)
{
  char provisoria[FAT_SENHA_PROVISORIA];
  int64_t id;
  fat_rc rc = user_param(rq, rs, &id, err);

  if (rc == FAT_OK)
    rc = fat_usuario_redefinir(rq->st, id, provisoria, err);
  if (rc != FAT_OK)
    return rc;
  /* shown once to the admin, who hands it to the user; never stored */
  rs->json = cJSON_CreateObject();
  if (rs->json == NULL || cJSON_AddNumberToObject(rs->json, "id", (double)id) == NULL ||
      cJSON_AddStringToObject(rs->json, "senha_provisoria", provisoria) == NULL)
    rc = fat_err_oom(err);
  memset(provisoria, 0, sizeof provisoria);
  return rc;
}

fat_rc api_usuario_totp_remover(web_req *rq, web_res *rs, fat_err *err)
{
  int64_t id;
  fat_rc rc = user_param(rq, rs, &id, err);

  if (rc == FAT_OK)
    rc = fat_usuario_totp_remover(rq->st, id, err);
  return rc == FAT_OK ? reply_ok(rs, "id", (double)id, err) : rc;
}

fat_rc api_sessoes_listar(web_req *rq, web_res *rs, fat_err *err)
{
  int64_t id = 0;
  cJSON *rows = NULL;
  fat_rc rc = web_query_id(rq, "usuario", &id, err);

  if (rc == FAT_OK)
    rc = fat_usuario_sessoes(rq->st, id, &rows, err);
  if (rc != FAT_OK)
    return rc;
  return web_reply_wrap(rs, "sessoes", rows, err);
}

fat_rc api_usuario_sessoes_encerrar(web_req *rq, web_res *rs, fat_err *err)
{
  int64_t id, sessao = 0;
  int n = 0;
  fat_rc rc = user_param(rq, rs, &id, err);

  if (rc == FAT_OK && rq->params[1] != NULL)
    rc = web_param_id(rq, 1, &sessao, err);
  if (rc == FAT_OK)
    rc = fat_usuario_encerrar_sessoes(rq->st, id, sessao, &n, err);
  if (rc != FAT_OK)
    return rc;
  snprintf(rs->detalhe, sizeof rs->detalhe, "%d sessão(ões)", n);
  return reply_ok(rs, "encerradas", n, err);
}

/* ------------------------------------------------------ the user's own */

fat_rc api_sessao_senha(web_req *rq, web_res *rs, fat_err *err)
{
  const char *atual = web_json_str(rq, "atual");
  const char *nova = web_json_str(rq, "nova");
  fat_rc rc;

  if (atual == NULL || nova == NULL)
    return fat_err_set(err, FAT_EINVAL, "informe a senha atual e a nova");
  rc = fat_usuario_trocar_senha(rq->st, rq->sessao->usuario_id, atual, nova, rq->sessao->id,
                                err);
  if (rc == FAT_EPERM)
    rs->status = 403;
  if (rc != FAT_OK)
    return rc;
  snprintf(rs->objeto, sizeof rs->objeto, "usuario:%s", rq->sessao->usuario);
  return reply_ok(rs, NULL, 0, err);
}

fat_rc api_sessao_totp(web_req *rq, web_res *rs, fat_err *err)
{
  const char *senha = web_json_str(rq, "senha");
  char segredo[FAT_TOTP_URI_B32];
  char *uri = NULL;
  fat_rc rc;

  if (senha == NULL)
    return fat_err_set(err, FAT_EINVAL, "confirme a sua senha");
  rc = fat_usuario_totp_iniciar(rq->st, rq->sessao->usuario_id, senha, &uri, segredo, err);
  if (rc == FAT_EPERM)
    rs->status = 403;
  if (rc != FAT_OK)
    return rc;
  snprintf(rs->objeto, sizeof rs->objeto, "usuario:%s", rq->sessao->usuario);
  rs->json = cJSON_CreateObject();
  if (rs->json == NULL || cJSON_AddStringToObject(rs->json, "uri", uri) == NULL ||
      cJSON_AddStringToObject(rs->json, "segredo", segredo) == NULL)
    rc = fat_err_oom(err);
  fat_free(uri);
  memset(segredo, 0, sizeof segredo);
  return rc;
}

fat_rc api_sessao_totp_confirmar(web_req *rq, web_res *rs, fat_err *err)
{
  const char *senha = web_json_str(rq, "senha");
  const char *codigo = web_json_str(rq, "codigo");
  fat_rc rc;

  if (senha == NULL || codigo == NULL)
    return fat_err_set(err, FAT_EINVAL, "informe a senha e o código do aplicativo");
  rc = fat_usuario_totp_confirmar(rq->st, rq->sessao->usuario_id, senha, codigo, err);
  if (rc == FAT_EPERM)
    rs->status = 403;
  if (rc != FAT_OK)
    return rc;
  snprintf(rs->objeto, sizeof rs->objeto, "usuario:%s", rq->sessao->usuario);
  return reply_ok(rs, NULL, 0, err);
}
