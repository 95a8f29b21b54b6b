/* web_util.c: request helpers shared by the API handlers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fat_mem.h"
#include "fat_operadora.h"
#include "fat_store_int.h"
#include "web_int.h"

int web_status_for(fat_rc rc)
{
  switch (rc) {
  case FAT_OK: return 200;
  case FAT_EINVAL: return 400;
  case FAT_EPERM: return 403;
  case FAT_ENOTFOUND: return 404;
  case FAT_ESTATE: return 409;
  case FAT_ELIMIT: return 413;
  case FAT_EXML: return 422;
  case FAT_ERULE: return 422;
  case FAT_ENOMEM: return 503;
  case FAT_EIO: return 500;
  case FAT_EDB: return 500;
  case FAT_EBUSY: return 503;
  }
  return 500;
}

fat_rc web_query_operadora(const web_req *rq, const char *key, const char **out, char buf[8],
                           fat_err *err)
{
  const char *v = web_query(rq, key);
  fat_operadora_ref op;
  fat_rc rc;

  *out = NULL;
  if (v == NULL || v[0] == '\0')
    return FAT_OK;
  rc = fat_operadora_resolver_ref(rq->st, v, &op, err);
  if (rc != FAT_OK)
    return rc;
  snprintf(buf, 8, "%s", op.registro_ans);
  *out = buf;
  return FAT_OK;
}

const char *web_json_str(const web_req *rq, const char *key)
{
  const cJSON *v;

  if (rq->json == NULL)
    return NULL;
  v = cJSON_GetObjectItemCaseSensitive(rq->json, key);
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

int web_json_int(const web_req *rq, const char *key, int64_t *out)
{
  const cJSON *v;

  if (rq->json == NULL)
    return 0;
  v = cJSON_GetObjectItemCaseSensitive(rq->json, key);
  if (cJSON_IsNumber(v) && v->valuedouble >= -9.0e15 && v->valuedouble <= 9.0e15 &&
      v->valuedouble == (double)(int64_t)v->valuedouble) {
    *out = (int64_t)v->valuedouble;
    return 1;
  }
  if (cJSON_IsString(v) && v->valuestring[0] != '\0') {
    char *end;
    long long n = strtoll(v->valuestring, &end, 10);

    if (*end == '\0') {
      *out = (int64_t)n;
      return 1;
    }
  }
  return 0;
}

int web_json_bool(const web_req *rq, const char *key, int dflt)
{
  const cJSON *v;

  if (rq->json == NULL)
    return dflt;
  v = cJSON_GetObjectItemCaseSensitive(rq->json, key);
  if (cJSON_IsBool(v))
    return cJSON_IsTrue(v);
  return dflt;
}

fat_rc web_param_id(const web_req *rq, int i, int64_t *out, fat_err *err)
{
  const char *s = (i >= 0 && i < WEB_MAX_PARAMS) ? rq->params[i] : NULL;
  char *end;
  long long n;

  *out = 0;
  if (s == NULL || s[0] < '1' || s[0] > '9' || strlen(s) > 15)
    return fat_err_set(err, FAT_EINVAL, "identificador inválido na URL");
  n = strtoll(s, &end, 10);
  if (*end != '\0' || n <= 0)
    return fat_err_set(err, FAT_EINVAL, "identificador inválido na URL");
  *out = (int64_t)n;
  return FAT_OK;
}

int web_valid_key(const char *s)
{
  size_t i, n;

  if (s == NULL)
    return 0;
  n = strlen(s);
  if (n == 0 || n > 64)
    return 0;
  for (i = 0; i < n; i++)
    if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
          s[i] == '-'))
      return 0;
  return 1;
}

fat_rc web_param_key(const web_req *rq, int i, const char **out, fat_err *err)
{
  const char *s = (i >= 0 && i < WEB_MAX_PARAMS) ? rq->params[i] : NULL;

  *out = NULL;
  if (!web_valid_key(s))
    return fat_err_set(err, FAT_EINVAL, "nome de operadora inválido na URL");
  *out = s;
  return FAT_OK;
}

static int64_t query_int(const web_req *rq, const char *key, int64_t dflt, int64_t lo,
                         int64_t hi)
{
  const char *s = web_query(rq, key);
  char *end;
  long long n;

  if (s == NULL || s[0] == '\0')
    return dflt;
  n = strtoll(s, &end, 10);
  if (*end != '\0' || n < lo || n > hi)
    return dflt;
  return (int64_t)n;
}

void web_paging(const web_req *rq, int64_t *limit, int64_t *offset, int64_t *pagina)
{
  int64_t p = query_int(rq, "pagina", 1, 1, 1000000);
  int64_t n = query_int(rq, "por_pagina", 50, 1, 500);

  *limit = n;
  *offset = (p - 1) * n;
  if (pagina != NULL)
    *pagina = p;
}

int web_add(cJSON *obj, const char *key, cJSON *item)
{
  if (item == NULL)
    return 0;
  if (!cJSON_AddItemToObject(obj, key, item)) {
    cJSON_Delete(item);
    return 0;
  }
  return 1;
}

