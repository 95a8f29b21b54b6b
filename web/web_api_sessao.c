/* web_api_sessao.c: login, logout, who am I, users (admin). */
#include <stdio.h>
#include <string.h>

#include "fat_dia.h"
#include "fat_rotulo.h"
#include "web_int.h"

#define COOKIE_ATTRS "HttpOnly; SameSite=Strict; Path=/"

/* The session, and the server's time zone for the panel's dates and its
** "today" (fuso: IANA name, null when the server has none; fuso_minutos: the
** offset from UTC now). */
static cJSON *sessao_json(const fat_sessao *s)
{
  cJSON *o = cJSON_CreateObject();
  char fuso[64];
  int minutos;

  if (o == NULL)
    return NULL;
  fat_dia_fuso(fuso, sizeof fuso, &minutos);
  if ((fuso[0] != '\0' ? cJSON_AddStringToObject(o, "fuso", fuso)
                       : cJSON_AddNullToObject(o, "fuso")) == NULL ||
      cJSON_AddNumberToObject(o, "fuso_minutos", minutos) == NULL ||
      cJSON_AddStringToObject(o, "usuario", s->usuario) == NULL ||
      cJSON_AddStringToObject(o, "papel", fat_papel_str(s->papel)) == NULL ||
      cJSON_AddStringToObject(o, "csrf", s->csrf) == NULL ||
      cJSON_AddNumberToObject(o, "expira_em", (double)s->expira_em) == NULL ||
      cJSON_AddBoolToObject(o, "troca_senha", s->troca_senha != 0) == NULL ||
      cJSON_AddBoolToObject(o, "totp", s->totp != 0) == NULL) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

fat_rc api_sessao_login(web_req *rq, web_res *rs, fat_err *err)
{
  const char *nome = web_json_str(rq, "usuario");
  const char *senha = web_json_str(rq, "senha");
  const char *codigo = web_json_str(rq, "codigo");
  char token[FAT_TOKEN_HEX];
  fat_sessao s;
  fat_rc rc;

  if (nome == NULL || senha == NULL)
    return fat_err_set(err, FAT_EINVAL, "informe usuário e senha");
  rc = fat_auth_login(rq->st, nome, senha, codigo, rq->ip, NULL, &s, token, err);
  if (rc == FAT_EPERM || rc == FAT_ESTATE) /* ESTATE: the second factor's code is missing */
    rs->status = 401;
  else if (rc == FAT_ELIMIT)
    rs->status = 429;
  if (rc != FAT_OK)
    return rc;
  rs->json = sessao_json(&s);
  if (rs->json == NULL)
    return fat_err_oom(err);
  snprintf(rs->cookie, sizeof rs->cookie, "faturo_sessao=%s; " COOKIE_ATTRS "; Max-Age=%lld%s",
           token, (long long)(s.expira_em - (int64_t)time(NULL)), rq->seguro ? "; Secure" : "");
  snprintf(rs->objeto, sizeof rs->objeto, "%s", s.usuario);
  memset(token, 0, sizeof token);
  return FAT_OK;
}

fat_rc api_sessao_logout(web_req *rq, web_res *rs, fat_err *err)
{
  fat_rc rc = fat_auth_logout(rq->st, rq->token, err);

  if (rc != FAT_OK)
    return rc;
  snprintf(rs->cookie, sizeof rs->cookie, "faturo_sessao=; " COOKIE_ATTRS "; Max-Age=0%s",
           rq->seguro ? "; Secure" : "");
  rs->json = cJSON_CreateObject();
  if (rs->json == NULL || cJSON_AddBoolToObject(rs->json, "ok", 1) == NULL)
    return fat_err_oom(err);
  return FAT_OK;
}

fat_rc api_sessao_eu(web_req *rq, web_res *rs, fat_err *err)
{
  rs->json = sessao_json(rq->sessao);
  return rs->json != NULL ? FAT_OK : fat_err_oom(err);
}

/* The labels the panel shows instead of internal keys: the engine's one list
** (fat_rotulo_json), so the panel and the CLI read the same words. */
fat_rc api_rotulos(web_req *rq, web_res *rs, fat_err *err)
{
  (void)rq;
  return fat_rotulo_json(&rs->json, err);
}

fat_rc api_usuarios_listar(web_req *rq, web_res *rs, fat_err *err)
{
  cJSON *lst = NULL;
  fat_rc rc = fat_usuario_listar(rq->st, &lst, err);

  if (rc != FAT_OK)
    return rc;
  rs->json = cJSON_CreateObject();
  if (rs->json == NULL || !web_add(rs->json, "usuarios", lst)) {
    if (rs->json == NULL)
      cJSON_Delete(lst);
    return fat_err_oom(err);
  }
  return FAT_OK;
}

fat_rc api_usuarios_criar(web_req *rq, web_res *rs, fat_err *err)
{
  const char *nome = web_json_str(rq, "nome");
  const char *papel = web_json_str(rq, "papel");
  const char *senha = web_json_str(rq, "senha");
  int64_t id = 0;
  fat_papel p = fat_papel_parse(papel);
  fat_rc rc;

  if (nome == NULL || senha == NULL || p == FAT_PAPEL_NENHUM)
    return fat_err_set(err, FAT_EINVAL,
                       "informe nome, senha e papel (faturista, supervisor ou admin)");
  rc = fat_usuario_criar(rq->st, nome, p, senha, &id, err);
  if (rc != FAT_OK)
    return rc;
  rs->status = 201;
  snprintf(rs->objeto, sizeof rs->objeto, "usuario:%s", nome);
  snprintf(rs->detalhe, sizeof rs->detalhe, "%s", fat_papel_str(p));
  rs->json = cJSON_CreateObject();
  if (rs->json == NULL || cJSON_AddNumberToObject(rs->json, "id", (double)id) == NULL ||
      cJSON_AddStringToObject(rs->json, "nome", nome) == NULL ||
      cJSON_AddStringToObject(rs->json, "papel", fat_papel_str(p)) == NULL)
    return fat_err_oom(err);
  return FAT_OK;
}
