/* web_util.c: request helpers shared by the API handlers: the one parser of
** numeric ids, JSON fields, pages and reply shapes. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fat_mem.h"
#include "fat_rel.h"
#include "web_int.h"

#define ID_DIGITS_MAX 15 /* ids stay exact as JSON numbers (< 2^53) */

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

int web_falha_disco(const fat_err *err, int *status)
{
  switch (fat_store_falha_de(err)) {
  case FAT_FALHA_DISCO_CHEIO: *status = 507; return 1;
  case FAT_FALHA_SOMENTE_LEITURA: *status = 503; return 1;
  case FAT_FALHA_DISCO: *status = 503; return 1;
  case FAT_FALHA_OUTRA: break;
  }
  return 0;
}

fat_rc web_body_parse(const char *body, size_t len, cJSON **out, fat_err *err)
{
  cJSON *j;

  *out = NULL;
  if (len == 0)
    return FAT_OK;
  j = cJSON_ParseWithLength(body, len);
  if (j == NULL || !cJSON_IsObject(j)) {
    cJSON_Delete(j);
    return fat_err_set(err, FAT_EINVAL, "corpo da requisição não é um objeto JSON válido");
  }
  *out = j;
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

const char *web_query_nonempty(const web_req *rq, const char *key)
{
  const char *v = web_query(rq, key);

  return (v != NULL && v[0] != '\0') ? v : NULL;
}

/* ------------------------------------------------------------------ ids */

fat_rc web_id_parse(const char *s, const char *campo, int64_t *out, fat_err *err)
{
  size_t i, n = s != NULL ? strlen(s) : 0;

  *out = 0;
  if (n == 0 || n > ID_DIGITS_MAX || s[0] < '1' || s[0] > '9')
    return fat_err_set(err, FAT_EINVAL, "%s: identificador inválido (use um número inteiro positivo)",
                       campo);
  for (i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9')
      return fat_err_set(err, FAT_EINVAL,
                         "%s: identificador inválido (use um número inteiro positivo)", campo);
  *out = (int64_t)strtoll(s, NULL, 10);
  return FAT_OK;
}

fat_rc web_id_json(const cJSON *v, const char *campo, int64_t *out, fat_err *err)
{
  double d;

  *out = 0;
  if (cJSON_IsString(v))
    return web_id_parse(v->valuestring, campo, out, err);
  if (!cJSON_IsNumber(v))
    return fat_err_set(err, FAT_EINVAL, "%s: identificador inválido (use um número inteiro positivo)",
                       campo);
  d = v->valuedouble;
  if (!isfinite(d) || d < 1 || d > 999999999999999.0 || d != floor(d))
    return fat_err_set(err, FAT_EINVAL, "%s: identificador inválido (use um número inteiro positivo)",
                       campo);
  *out = (int64_t)d;
  return FAT_OK;
}

fat_rc web_param_id(const web_req *rq, int i, int64_t *out, fat_err *err)
{
  const char *s = (i >= 0 && i < WEB_MAX_PARAMS) ? rq->params[i] : NULL;

  return web_id_parse(s, "identificador na URL", out, err);
}

fat_rc web_body_id(const web_req *rq, const char *key, int required, int64_t *out, fat_err *err)
{
  const cJSON *v = rq->json != NULL ? cJSON_GetObjectItemCaseSensitive(rq->json, key) : NULL;

  *out = 0;
  if (v == NULL || cJSON_IsNull(v)) {
    if (required)
      return fat_err_set(err, FAT_EINVAL, "informe %s", key);
    return FAT_OK;
  }
  return web_id_json(v, key, out, err);
}

fat_rc web_query_id(const web_req *rq, const char *key, int64_t *out, fat_err *err)
{
  const char *s = web_query_nonempty(rq, key);

  *out = 0;
  if (s == NULL)
    return FAT_OK;
  return web_id_parse(s, key, out, err);
}

fat_rc web_body_centavos(const web_req *rq, const char *key, int64_t absent, int64_t *out,
                         fat_err *err)
{
  const cJSON *v = rq->json != NULL ? cJSON_GetObjectItemCaseSensitive(rq->json, key) : NULL;
  double d;

  *out = absent;
  if (v == NULL || cJSON_IsNull(v))
    return FAT_OK;
  d = cJSON_IsNumber(v) ? v->valuedouble : -1;
  if (!isfinite(d) || d < 0 || d > 9.0e15 || d != floor(d))
    return fat_err_set(err, FAT_EINVAL, "%s: valor inválido (centavos, inteiro, não negativo)",
                       key);
  *out = (int64_t)d;
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

/* ---------------------------------------------------------------- pages */

fat_rc web_pagina(const web_req *rq, fat_pagina *p, fat_err *err)
{
  const char *n = web_query_nonempty(rq, "limite");
  const char *apos = web_query_nonempty(rq, "apos");
  int64_t lim = 0;
  fat_rc rc;

  memset(p, 0, sizeof *p);
  if (n == NULL)
    n = web_query_nonempty(rq, "por_pagina");
  if (n != NULL) {
    rc = web_id_parse(n, "limite", &lim, err);
    if (rc != FAT_OK)
      return rc;
    if (lim > FAT_PAGINA_MAX)
      return fat_err_set(err, FAT_EINVAL, "limite: no máximo %d por página", FAT_PAGINA_MAX);
  }
  p->limite = (int)lim;
  p->apos = apos;
  return FAT_OK;
}

fat_rc web_reply_page(web_res *rs, const char *key, cJSON *rows, const fat_pagina *p,
                      fat_err *err)
{
  rs->json = cJSON_CreateObject();
  if (rs->json == NULL || !web_add(rs->json, key, rows)) {
    if (rs->json == NULL)
      cJSON_Delete(rows);
    return fat_err_oom(err);
  }
  if ((p->proximo[0] != '\0' ? cJSON_AddStringToObject(rs->json, "proximo", p->proximo)
                             : cJSON_AddNullToObject(rs->json, "proximo")) == NULL)
    return fat_err_oom(err);
  return FAT_OK;
}

fat_rc web_reply_wrap(web_res *rs, const char *key, cJSON *item, fat_err *err)
{
  rs->json = cJSON_CreateObject();
  if (rs->json == NULL || !web_add(rs->json, key, item)) {
    if (rs->json == NULL)
      cJSON_Delete(item);
    return fat_err_oom(err);
  }
  return FAT_OK;
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

void web_safe_filename(char *dst, size_t len, const char *src, const char *dflt)
{
  const char *base = src != NULL ? strrchr(src, '/') : NULL;
  size_t i, o = 0;

  base = base != NULL ? base + 1 : src;
  if (base == NULL || base[0] == '\0')
    base = dflt;
  for (i = 0; base[i] != '\0' && o + 1 < len; i++) {
    char c = base[i];

    dst[o++] = ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '-' || c == '_')
                   ? c
                   : '_';
  }
  dst[o] = '\0';
}

void web_leitor(const web_req *rq, fat_leitor *l)
{
  memset(l, 0, sizeof *l);
  l->usuario = rq->sessao != NULL ? rq->sessao->usuario : NULL;
  l->papel = rq->sessao != NULL ? rq->sessao->papel : FAT_PAPEL_NENHUM;
  l->canal = "api";
  l->acao = rq->acao;
}

/* A private file (mode 0600) in $TMPDIR or /tmp: *fd open for writing,
** its name in path. */
static fat_rc temp_criar(char *path, size_t len, int *fd, fat_err *err)
{
  const char *tmp = getenv("TMPDIR");

  if (tmp == NULL || tmp[0] == '\0')
    tmp = "/tmp";
  if (snprintf(path, len, "%s/faturo_resposta_XXXXXX", tmp) >= (int)len)
    return fat_err_set(err, FAT_EIO, "caminho temporário longo demais");
  *fd = mkstemp(path);
  if (*fd < 0)
    return fat_err_sys(err, errno, "não foi possível criar o arquivo temporário em %s", tmp);
  return FAT_OK;
}

static fat_rc fd_escreve(void *u, const char *p, size_t n, fat_err *err)
{
  const int *fd = u;
  size_t done = 0;
  ssize_t w;

  while (done < n) {
    w = write(*fd, p + done, n - done);
    if (w > 0)
      done += (size_t)w;
    else if (w < 0 && errno != EINTR)
      return fat_err_sys(err, errno, "não foi possível gravar o arquivo temporário da resposta");
  }
  return FAT_OK;
}

fat_rc web_res_fluxo(web_res *rs,
                     fat_rc (*escreve)(void *ctx, fat_escrita w, void *u, fat_err *err), void *ctx,
                     fat_err *err)
{
  char path[512];
  int fd;
  fat_rc rc = temp_criar(path, sizeof path, &fd, err);

  if (rc != FAT_OK)
    return rc;
  unlink(path); /* ours alone, gone when closed */
  rc = escreve(ctx, fd_escreve, &fd, err);
  if (rc == FAT_OK && lseek(fd, 0, SEEK_SET) != 0)
    rc = fat_err_sys(err, errno, "não foi possível ler o arquivo temporário da resposta");
  if (rc != FAT_OK) {
    close(fd);
    return rc;
  }
  rs->fd = fd;
  rs->tem_fd = 1;
  return FAT_OK;
}

fat_rc web_res_xlsx(web_res *rs, fat_rc (*grava)(void *ctx, const char *path, fat_err *err),
                    void *ctx, fat_err *err)
{
  char path[512];
  int fd = -1;
  fat_rc rc = temp_criar(path, sizeof path, &fd, err);

  if (rc != FAT_OK)
    return rc;
  close(fd); /* libxlsxwriter writes the file by its name */
  rc = grava(ctx, path, err);
  fd = -1;
  if (rc == FAT_OK) {
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      rc = fat_err_sys(err, errno, "não foi possível ler o arquivo temporário da resposta");
  }
  unlink(path);
  if (rc != FAT_OK)
    return rc;
  rs->fd = fd;
  rs->tem_fd = 1;
  return FAT_OK;
}

static fat_rc grava_rel(void *ctx, const char *path, fat_err *err)
{
  return fat_rel_xlsx(ctx, path, err);
}

fat_rc web_res_rel_xlsx(web_res *rs, const cJSON *rel, fat_err *err)
{
  /* fat_rel_xlsx only reads rel */
  return web_res_xlsx(rs, grava_rel, (void *)(uintptr_t)rel, err);
}
