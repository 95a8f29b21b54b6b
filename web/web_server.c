/* web_server.c: libmicrohttpd daemon, routing, sessions/CSRF/roles, replies,
** static files, access log, signals. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "fat_mem.h"
#include "web_int.h"

#define COOKIE_NAME "faturo_sessao"
#define VENDOR_CM "/usr/share/javascript/codemirror"
#define VENDOR_CHART "/usr/share/javascript/chart.js"

/* ---------------------------------------------------------------- routes */

typedef struct web_route {
  const char *method;
  const char *pattern; /* "{}" matches one path segment */
  fat_papel papel;     /* minimum role; NENHUM = public */
  int upload;          /* 1: body bounded by max_upload instead of max_body */
  const char *acao;    /* audit action of a write */
  web_handler fn;
} web_route;

#define F FAT_PAPEL_FATURISTA
#define S FAT_PAPEL_SUPERVISOR
#define A FAT_PAPEL_ADMIN
static const web_route routes[] = {
  {"POST", "/api/sessao", FAT_PAPEL_NENHUM, 0, "sessao.login", api_sessao_login},
  {"DELETE", "/api/sessao", F, 0, "sessao.sair", api_sessao_logout},
  {"GET", "/api/sessao", F, 0, NULL, api_sessao_eu},
  {"GET", "/api/usuarios", A, 0, NULL, api_usuarios_listar},
  {"POST", "/api/usuarios", A, 0, "usuario.criar", api_usuarios_criar},
  {"GET", "/api/painel", F, 0, NULL, api_painel},
  {"GET", "/api/operadoras", F, 0, NULL, api_operadoras},
  {"GET", "/api/guias", F, 0, NULL, api_guias_listar},
  {"GET", "/api/guias/{}", F, 0, NULL, api_guia_ver},
  {"POST", "/api/conferir", F, 0, "conferir", api_conferir},
  {"POST", "/api/achados/{}/reconhecer", F, 0, "achado.reconhecer", api_achado_reconhecer},
  {"GET", "/api/lotes", F, 0, NULL, api_lotes_listar},
  {"GET", "/api/lotes/mapa", F, 0, NULL, api_lotes_mapa},
  {"POST", "/api/lotes/fechar", F, 0, "lote.fechar", api_lotes_fechar},
  {"GET", "/api/lotes/{}/xml", F, 0, NULL, api_lote_xml},
  {"GET", "/api/lotes/{}/relacao", F, 0, NULL, api_lote_relacao},
  {"POST", "/api/lotes/{}/enviado", F, 0, "lote.enviado", api_lote_enviado},
  {"POST", "/api/lotes/{}/protocolo", F, 0, "lote.protocolo", api_lote_protocolo},
  {"GET", "/api/retornos", F, 0, NULL, api_retornos_listar},
  {"POST", "/api/retornos", F, 1, "retorno.importar", api_retornos_importar},
  {"GET", "/api/glosas", F, 0, NULL, api_glosas_listar},
  {"GET", "/api/glosas/resumo", F, 0, NULL, api_glosas_resumo},
  {"POST", "/api/glosas/{}/classificar", F, 0, "glosa.classificar", api_glosa_classificar},
  {"GET", "/api/recursos", F, 0, NULL, api_recursos_listar},
  {"POST", "/api/recursos", F, 0, "recurso.criar", api_recursos_criar},
  {"GET", "/api/recursos/{}/xml", F, 0, NULL, api_recurso_xml},
  {"POST", "/api/recursos/{}/resposta", F, 0, "recurso.resposta", api_recurso_resposta},
  {"GET", "/api/regras", F, 0, NULL, api_regras_listar},
  {"GET", "/api/regras/versoes", F, 0, NULL, api_regras_versoes},
  {"POST", "/api/regras/publicar", A, 0, "regras.publicar", api_regras_publicar},
  {"POST", "/api/regras/recarregar", A, 0, "regras.recarregar", api_regras_recarregar},
  {"POST", "/api/regras/reverter", A, 0, "regras.reverter", api_regras_reverter},
  {"GET", "/api/regras/{}", F, 0, NULL, api_regras_ver},
  {"PUT", "/api/regras/{}/rascunho", S, 0, "regras.rascunho", api_regras_rascunho},
  {"POST", "/api/regras/{}/testar", S, 0, "regras.testar", api_regras_testar},
  {"POST", "/api/regras/{}/simular", S, 0, "regras.simular", api_regras_simular},
  {"GET", "/api/regras/{}/diff", F, 0, NULL, api_regras_diff},
};
#undef F
#undef S
#undef A

#define N_ROUTES (sizeof routes / sizeof routes[0])

/* Match path against pattern, capturing "{}" segments into rq. */
static int route_match(const char *pattern, const char *path, web_req *rq)
{
  const char *p = pattern, *u = path;
  size_t used = 0;
  int np = 0;

  while (*p != '\0' && *u != '\0') {
    if (p[0] == '{' && p[1] == '}') {
      size_t n = strcspn(u, "/");

      if (n == 0 || np >= WEB_MAX_PARAMS || used + n + 1 > sizeof rq->param_buf)
        return 0;
      memcpy(rq->param_buf + used, u, n);
      rq->param_buf[used + n] = '\0';
      rq->params[np++] = rq->param_buf + used;
      used += n + 1;
      p += 2;
      u += n;
      continue;
    }
    if (*p != *u)
      return 0;
    p++;
    u++;
  }
  return *p == '\0' && *u == '\0';
}

/* The route for method+path; *path_known tells 405 from 404. */
static const web_route *route_find(const char *method, const char *path, int *path_known)
{
  web_req tmp;
  size_t i;

  *path_known = 0;
  for (i = 0; i < N_ROUTES; i++) {
    if (!route_match(routes[i].pattern, path, &tmp))
      continue;
    *path_known = 1;
    if (strcmp(routes[i].method, method) == 0)
      return &routes[i];
  }
  return NULL;
}

/* --------------------------------------------------------- request state */

typedef struct req_state {
  const web_route *route;
  fat_buf body;
  int too_large;
  int64_t t0;
  int status;
  char user[FAT_USUARIO_MAX];
  char method[12];
  char path[200];
} req_state;

typedef struct conn_ctx {
  struct MHD_Connection *c;
} conn_ctx;

const char *web_query(const web_req *rq, const char *key)
{
  const conn_ctx *cc = rq->conn;

  return MHD_lookup_connection_value(cc->c, MHD_GET_ARGUMENT_KIND, key);
}

const char *web_header(const web_req *rq, const char *key)
{
  const conn_ctx *cc = rq->conn;

  return MHD_lookup_connection_value(cc->c, MHD_HEADER_KIND, key);
}

/* ---------------------------------------------------------------- replies */

static void add_common_headers(struct MHD_Response *r)
{
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(r, "X-Frame-Options", "DENY");
  MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
}

/* Queue a response and record its status for the access log. */
static enum MHD_Result queue(struct MHD_Connection *c, req_state *rs, int status,
                             struct MHD_Response *r)
{
  enum MHD_Result ret;

  if (r == NULL)
    return MHD_NO;
  add_common_headers(r);
  ret = MHD_queue_response(c, (unsigned)status, r);
  MHD_destroy_response(r);
  if (rs != NULL)
    rs->status = status;
  return ret;
}

/* The one JSON reply helper: takes ownership of body. */
static enum MHD_Result reply_json(struct MHD_Connection *c, req_state *rs, int status,
                                  cJSON *body, const char *cookie)
{
  struct MHD_Response *r;
  char *s = body != NULL ? cJSON_PrintUnformatted(body) : NULL;

  cJSON_Delete(body);
  if (s == NULL) {
    static const char oom[] =
        "{\"error\":{\"code\":\"ENOMEM\",\"message\":\"memória insuficiente\"}}";

    r = MHD_create_response_from_buffer(sizeof oom - 1, (void *)(uintptr_t)oom,
                                        MHD_RESPMEM_PERSISTENT);
    status = 503;
  } else {
    r = MHD_create_response_from_buffer_with_free_callback(strlen(s), s, cJSON_free);
    if (r == NULL)
      cJSON_free(s);
  }
  if (r == NULL)
    return MHD_NO;
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json; charset=utf-8");
  MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  if (cookie != NULL && cookie[0] != '\0')
    MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, cookie);
  return queue(c, rs, status, r);
}

static enum MHD_Result reply_error(struct MHD_Connection *c, req_state *rs, int status,
                                   const char *code, const char *message)
{
  cJSON *o = cJSON_CreateObject(), *e = cJSON_CreateObject();

  if (o == NULL || e == NULL || !cJSON_AddItemToObject(o, "error", e)) {
    cJSON_Delete(o);
    cJSON_Delete(e);
    return reply_json(c, rs, status, NULL, NULL);
  }
  cJSON_AddStringToObject(e, "code", code);
  cJSON_AddStringToObject(e, "message", message);
  return reply_json(c, rs, status, o, NULL);
}

static enum MHD_Result reply_raw(struct MHD_Connection *c, req_state *rs, web_res *res)
{
  struct MHD_Response *r;
  char disp[200];

  r = MHD_create_response_from_buffer_with_free_callback(res->raw_len, res->raw, fat_free);
  if (r == NULL)
    return MHD_NO;
  res->raw = NULL; /* owned by the response now */
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                          res->content_type != NULL ? res->content_type
                                                    : "application/octet-stream");
  MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  if (res->filename[0] != '\0') {
    snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", res->filename);
    MHD_add_response_header(r, "Content-Disposition", disp);
  }
  return queue(c, rs, res->status != 0 ? res->status : 200, r);
}

/* ---------------------------------------------------------- static files */

static const char *mime_for(const char *path)
{
  static const struct {
    const char *ext, *type;
  } types[] = {
    {".html", "text/html; charset=utf-8"},  {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
    {".svg", "image/svg+xml"},              {".png", "image/png"},
    {".ico", "image/x-icon"},               {".json", "application/json"},
    {".txt", "text/plain; charset=utf-8"},
  };
  const char *dot = strrchr(path, '.');
  size_t i;

  if (dot != NULL)
    for (i = 0; i < sizeof types / sizeof types[0]; i++)
      if (strcmp(dot, types[i].ext) == 0)
        return types[i].type;
  return "application/octet-stream";
}

/* 1 when rel is a harmless relative path: no "..", no hidden segments, no
** backslashes or control characters, bounded length. */
static int safe_rel(const char *rel)
{
  const char *p;

  if (rel[0] == '\0' || strlen(rel) > 200)
    return 0;
  for (p = rel; *p != '\0'; p++)
    if ((unsigned char)*p < 0x20 || *p == '\\' || *p == 0x7f)
      return 0;
  p = rel;
  while (*p != '\0') {
    if (*p == '.' || *p == '/')
      return 0; /* segment starting with '.' (., .., .hidden) or empty */
    p += strcspn(p, "/");
    if (*p == '/')
      p++;
  }
  return 1;
}

static enum MHD_Result serve_file(struct MHD_Connection *c, req_state *rs, const char *root,
                                  const char *rel, int html_csp)
{
  char full[PATH_MAX], real[PATH_MAX], rootreal[PATH_MAX];
  struct MHD_Response *r;
  struct stat sb;
  size_t n;
  int fd;

  if (!safe_rel(rel))
    return reply_error(c, rs, 404, "ENOTFOUND", "arquivo não encontrado");
  if (realpath(root, rootreal) == NULL)
    return reply_error(c, rs, 404, "ENOTFOUND", "arquivo não encontrado");
  if ((size_t)snprintf(full, sizeof full, "%s/%s", rootreal, rel) >= sizeof full ||
      realpath(full, real) == NULL)
    return reply_error(c, rs, 404, "ENOTFOUND", "arquivo não encontrado");
  n = strlen(rootreal);
  if (strncmp(real, rootreal, n) != 0 || real[n] != '/')
    return reply_error(c, rs, 404, "ENOTFOUND", "arquivo não encontrado");
  fd = open(real, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return reply_error(c, rs, 404, "ENOTFOUND", "arquivo não encontrado");
  if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
    close(fd);
    return reply_error(c, rs, 404, "ENOTFOUND", "arquivo não encontrado");
  }
  r = MHD_create_response_from_fd((size_t)sb.st_size, fd); /* takes fd */
  if (r == NULL) {
    close(fd);
    return MHD_NO;
  }
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, mime_for(real));
  MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
  if (html_csp)
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data:; "
                            "style-src 'self' 'unsafe-inline'; object-src 'none'; "
                            "base-uri 'none'; frame-ancestors 'none'; form-action 'self'");
  return queue(c, rs, 200, r);
}

static enum MHD_Result serve_static(fat_web *w, struct MHD_Connection *c, req_state *rs,
                                    const char *method, const char *path)
{
  if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
    return reply_error(c, rs, 405, "EMETODO", "método não permitido");
  if (strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0)
    return serve_file(c, rs, w->static_dir, "index.html", 1);
  if (strncmp(path, "/vendor/codemirror/", 19) == 0)
    return serve_file(c, rs, VENDOR_CM, path + 19, 0);
  if (strncmp(path, "/vendor/chart.js/", 17) == 0)
    return serve_file(c, rs, VENDOR_CHART, path + 17, 0);
  return serve_file(c, rs, w->static_dir, path + 1, strstr(path, ".html") != NULL);
}

/* ------------------------------------------------------ per-thread store */

static void st_key_free(void *p) { fat_store_close(p); }

static fat_store *thread_store(fat_web *w, fat_err *err)
{
  fat_store *st = pthread_getspecific(w->st_key);

  if (st != NULL)
    return st;
  if (fat_store_open(w->db_path, &st, err) != FAT_OK)
    return NULL;
  if (pthread_setspecific(w->st_key, st) != 0) {
    fat_store_close(st);
    fat_err_oom(err);
    return NULL;
  }
  return st;
}

/* --------------------------------------------------------------- dispatch */

static void client_ip(struct MHD_Connection *c, char *buf, size_t len)
{
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

  snprintf(buf, len, "?");
  if (ci == NULL || ci->client_addr == NULL)
    return;
  if (ci->client_addr->sa_family == AF_INET) {
    const struct sockaddr_in *a = (const struct sockaddr_in *)(const void *)ci->client_addr;

    inet_ntop(AF_INET, &a->sin_addr, buf, (socklen_t)len);
  } else if (ci->client_addr->sa_family == AF_INET6) {
    const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)(const void *)ci->client_addr;

    inet_ntop(AF_INET6, &a->sin6_addr, buf, (socklen_t)len);
  }
}

/* Record a refused write of a logged-in user (who tried what). */
static void audit_denied(fat_store *st, const char *user, const char *acao, const char *why)
{
  fat_err err;

  fat_err_clear(&err);
  if (fat_store_set_user(st, user, &err) != FAT_OK ||
      fat_store_audit(st, "acesso.negado", acao, why, &err) != FAT_OK)
    fprintf(stderr, "faturo servidor: auditoria: %s\n", err.msg);
}

static int is_json_body(const web_req *rq)
{
  const char *ct = web_header(rq, MHD_HTTP_HEADER_CONTENT_TYPE);

  return ct != NULL && strncmp(ct, "application/json", 16) == 0;
}

static enum MHD_Result dispatch(fat_web *w, struct MHD_Connection *c, req_state *rs,
                                const char *method, const char *path)
{
  web_req rq;
  web_res res;
  conn_ctx cc;
  fat_sessao sess;
  fat_err err;
  fat_rc rc;
  char ip[64];
  const char *csrf;
  int write = strcmp(method, "GET") != 0;
  enum MHD_Result ret;
  int status;

  memset(&rq, 0, sizeof rq);
  memset(&res, 0, sizeof res);
  fat_err_clear(&err);
  cc.c = c;
  rq.conn = &cc;
  rq.srv = w;
  rq.method = method;
  rq.path = path;
  if (!route_match(rs->route->pattern, path, &rq))
    return reply_error(c, rs, 404, "ENOTFOUND", "recurso não encontrado");
  client_ip(c, ip, sizeof ip);
  rq.ip = ip;
  rq.body = rs->body.data;
  rq.body_len = rs->body.len;
  rq.st = thread_store(w, &err);
  if (rq.st == NULL) {
    fprintf(stderr, "faturo servidor: %s\n", err.msg);
    return reply_error(c, rs, 503, "EDB", "banco de dados indisponível");
  }

  rq.token = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE_NAME);
  if (rq.token != NULL && fat_auth_sessao(rq.st, rq.token, &sess, NULL) == FAT_OK) {
    rq.sessao = &sess;
    snprintf(rs->user, sizeof rs->user, "%s", sess.usuario);
  }
  if (rs->route->papel != FAT_PAPEL_NENHUM) {
    if (rq.sessao == NULL)
      return reply_error(c, rs, 401, "ESESSAO", "faça login para continuar");
    if (write) {
      csrf = web_header(&rq, "X-CSRF-Token");
      if (!fat_auth_token_eq(csrf, sess.csrf)) {
        audit_denied(rq.st, sess.usuario, rs->route->acao, "csrf");
        return reply_error(c, rs, 403, "ECSRF",
                           "token de segurança ausente ou inválido; recarregue a página");
      }
    }
    if (sess.papel < rs->route->papel) {
      if (write)
        audit_denied(rq.st, sess.usuario, rs->route->acao, fat_papel_str(sess.papel));
      return reply_error(c, rs, 403, "EPERM", "seu papel não permite esta operação");
    }
  }
  if (fat_store_set_user(rq.st, rq.sessao != NULL ? sess.usuario : "anonimo", &err) != FAT_OK)
    return reply_error(c, rs, 500, "EINVAL", err.msg);

  if (rq.body_len > 0 && is_json_body(&rq)) {
    rq.json = cJSON_ParseWithLength(rq.body, rq.body_len);
    if (rq.json == NULL || !cJSON_IsObject(rq.json)) {
      cJSON_Delete(rq.json);
      return reply_error(c, rs, 400, "EINVAL", "corpo da requisição não é um objeto JSON válido");
    }
  }

  rc = rs->route->fn(&rq, &res, &err);
  cJSON_Delete(rq.json);
  if (rc != FAT_OK) {
    cJSON_Delete(res.json);
    fat_free(res.raw);
    status = res.status != 0 ? res.status : web_status_for(rc);
    if (rc == FAT_EDB || rc == FAT_EIO || rc == FAT_ENOMEM) {
      /* internal detail goes to the log, not to the browser */
      fprintf(stderr, "faturo servidor: %s %s: %s\n", method, path, err.msg);
      return reply_error(c, rs, status, fat_rc_code(rc),
                         "erro interno no servidor; tente novamente ou avise o suporte");
    }
    return reply_error(c, rs, status, fat_rc_code(rc),
                       err.msg[0] != '\0' ? err.msg : fat_rc_str(rc));
  }
  if (write && rs->route->acao != NULL && rq.sessao != NULL &&
      strcmp(rs->route->acao, "sessao.sair") != 0) {
    if (fat_store_audit(rq.st, rs->route->acao, res.objeto[0] != '\0' ? res.objeto : NULL,
                        res.detalhe[0] != '\0' ? res.detalhe : NULL, &err) != FAT_OK)
      fprintf(stderr, "faturo servidor: auditoria: %s\n", err.msg);
  }
  if (rs->user[0] == '\0' && res.cookie[0] != '\0') /* login: objeto = user */
    snprintf(rs->user, sizeof rs->user, "%.*s", (int)sizeof rs->user - 1, res.objeto);
  if (res.raw != NULL) {
    cJSON_Delete(res.json);
    return reply_raw(c, rs, &res);
  }
  if (res.json == NULL)
    res.json = cJSON_CreateObject();
  ret = reply_json(c, rs, res.status != 0 ? res.status : 200, res.json, res.cookie);
  return ret;
}

/* --------------------------------------------------------- MHD callbacks */

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **req_cls)
{
  fat_web *w = cls;
  req_state *rs = *req_cls;
  int known = 0;

  (void)version;
  if (rs == NULL) {
    const char *cl;
    size_t max;

    rs = fat_calloc(1, sizeof *rs);
    if (rs == NULL)
      return MHD_NO;
    *req_cls = rs;
    rs->t0 = fat_now_ns();
    snprintf(rs->method, sizeof rs->method, "%s", method);
    snprintf(rs->path, sizeof rs->path, "%s", url); /* url has no query string */
    if (strncmp(url, "/api/", 5) != 0)
      return MHD_YES; /* static: answered in the next call */
    rs->route = route_find(method, url, &known);
    if (rs->route == NULL)
      return known ? reply_error(c, rs, 405, "EMETODO", "método não permitido para este recurso")
                   : reply_error(c, rs, 404, "ENOTFOUND", "recurso da API não encontrado");
    max = rs->route->upload ? w->cfg.max_upload : w->cfg.max_body;
    fat_buf_init(&rs->body, max);
    cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl != NULL && strtoull(cl, NULL, 10) > max)
      return reply_error(c, rs, 413, "ELIMIT", "requisição grande demais");
    return MHD_YES;
  }
  if (rs->status != 0)
    return MHD_YES; /* already answered (e.g. 413) */
  if (*upload_data_size != 0) {
    if (rs->route != NULL && !rs->too_large &&
        fat_buf_append(&rs->body, upload_data, *upload_data_size, NULL) != FAT_OK)
      rs->too_large = 1; /* keep draining; answer 413 at the end */
    *upload_data_size = 0;
    return MHD_YES;
  }
  if (rs->route == NULL)
    return serve_static(w, c, rs, method, url);
  if (rs->too_large)
    return reply_error(c, rs, 413, "ELIMIT", "requisição grande demais");
  return dispatch(w, c, rs, method, url);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
  fat_web *w = cls;
  req_state *rs = *req_cls;

  (void)c;
  (void)toe;
  if (rs == NULL)
    return;
  if (!w->cfg.quiet) {
    char ts[32];

    fat_store_now(ts, sizeof ts);
    /* no query strings, no bodies: nothing about patients reaches the log */
    fprintf(stderr, "%s %s %s %d %lldms %s\n", ts, rs->method, rs->path, rs->status,
            (long long)((fat_now_ns() - rs->t0) / 1000000),
            rs->user[0] != '\0' ? rs->user : "-");
  }
  fat_buf_fini(&rs->body);
  fat_free(rs);
  *req_cls = NULL;
}

/* ------------------------------------------------------------- lifecycle */

static char *dup_or(const char *s, const char *dflt)
{
  return fat_strdup(s != NULL ? s : dflt);
}

fat_rc fat_web_open(const fat_web_config *cfg, fat_web **out, fat_err *err)
{
  fat_web *w;
  struct sockaddr_in addr;
  struct MHD_Daemon *d;
  const union MHD_DaemonInfo *di;
  sigset_t block, old;
  fat_rc rc;

  *out = NULL;
  if (cfg->db_path == NULL || cfg->regras_dir == NULL)
    return fat_err_set(err, FAT_EINVAL, "servidor: banco e pasta de regras são obrigatórios");
  rc = fat_auth_init(err);
  if (rc != FAT_OK)
    return rc;
  w = fat_calloc(1, sizeof *w);
  if (w == NULL)
    return fat_err_oom(err);
  w->cfg = *cfg;
  w->db_path = fat_strdup(cfg->db_path);
  w->regras_dir = fat_strdup(cfg->regras_dir);
  w->xsd_dir = cfg->xsd_dir != NULL ? fat_strdup(cfg->xsd_dir) : NULL;
  w->static_dir = dup_or(cfg->static_dir, FAT_SOURCE_DIR "/web/static");
  w->endereco = dup_or(cfg->endereco, "127.0.0.1");
  w->pid_file = cfg->pid_file != NULL ? fat_strdup(cfg->pid_file) : NULL;
  if (w->db_path == NULL || w->regras_dir == NULL || w->static_dir == NULL ||
      w->endereco == NULL || (cfg->xsd_dir != NULL && w->xsd_dir == NULL) ||
      (cfg->pid_file != NULL && w->pid_file == NULL)) {
    fat_web_close(w);
    return fat_err_oom(err);
  }
  w->cfg.db_path = w->db_path;
  w->cfg.regras_dir = w->regras_dir;
  w->cfg.xsd_dir = w->xsd_dir;
  w->cfg.static_dir = w->static_dir;
  w->cfg.endereco = w->endereco;
  w->cfg.pid_file = w->pid_file;
  if (w->cfg.threads == 0)
    w->cfg.threads = 4;
  if (w->cfg.max_body == 0)
    w->cfg.max_body = 1024 * 1024;
  if (w->cfg.max_upload == 0)
    w->cfg.max_upload = 16 * 1024 * 1024;
  pthread_mutex_init(&w->regras_mu, NULL);
  if (pthread_key_create(&w->st_key, st_key_free) != 0) {
    pthread_mutex_destroy(&w->regras_mu);
    fat_free(w->db_path);
    fat_free(w->regras_dir);
    fat_free(w->xsd_dir);
    fat_free(w->static_dir);
    fat_free(w->endereco);
    fat_free(w->pid_file);
    fat_free(w);
    return fat_err_set(err, FAT_ENOMEM, "não foi possível criar a chave de thread");
  }

  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)cfg->port);
  if (inet_pton(AF_INET, w->endereco, &addr.sin_addr) != 1) {
    rc = fat_err_set(err, FAT_EINVAL, "endereço IPv4 inválido: %s", w->endereco);
    goto fail;
  }
  rc = fat_store_open(w->db_path, &w->main_st, err);
  if (rc == FAT_OK)
    rc = fat_store_set_user(w->main_st, "servidor", err);
  if (rc != FAT_OK)
    goto fail;

  /* Threads started from here on (rules workers, MHD pool) inherit a mask
  ** with the control signals blocked, so only fat_web_wait receives them. */
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  sigaddset(&block, SIGINT);
  sigaddset(&block, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  rc = fat_rules_open(w->regras_dir, NULL, w->main_st, &w->rules, err);
  if (rc != FAT_OK) {
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    fat_err_prefix(err, "regras: ");
    goto fail;
  }
  d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
                           MHD_USE_AUTO,
                       0, NULL, NULL, on_request, w,
                       MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                       MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)w->cfg.threads,
                       MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
                       MHD_OPTION_CONNECTION_LIMIT, (unsigned int)256,
                       MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)64,
                       MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
                       MHD_OPTION_NOTIFY_COMPLETED, on_completed, w,
                       MHD_OPTION_END);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (d == NULL) {
    rc = fat_err_set(err, FAT_EIO, "não foi possível escutar em %s:%u (porta em uso?)",
                     w->endereco, cfg->port);
    goto fail;
  }
  w->daemon = d;
  di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
  w->port = di != NULL ? di->port : cfg->port;
  {
    char real[PATH_MAX];

    w->static_real = fat_strdup(realpath(w->static_dir, real) != NULL ? real : w->static_dir);
  }
  *out = w;
  return FAT_OK;
fail:
  fat_web_close(w);
  return rc;
}

unsigned fat_web_port(const fat_web *w) { return w->port; }

fat_rc fat_web_reload(fat_web *w, fat_err *err)
{
  fat_rc rc;

  pthread_mutex_lock(&w->regras_mu);
  rc = fat_rules_reload(w->rules, w->main_st, err);
  pthread_mutex_unlock(&w->regras_mu);
  return rc;
}

static void pid_write(const char *path)
{
  FILE *f;
  int fd;

  if (path == NULL)
    return;
  /* 0600 like the database it points at */
  fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  f = fd >= 0 ? fdopen(fd, "w") : NULL;
  if (f == NULL && fd >= 0)
    close(fd);
  if (f == NULL) {
    fprintf(stderr, "faturo servidor: não foi possível gravar %s\n", path);
    return;
  }
  fprintf(f, "%ld\n", (long)getpid());
  fclose(f);
}

fat_rc fat_web_wait(fat_web *w, fat_err *err)
{
  sigset_t set;
  int sig = 0;
  fat_err rerr;

  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
    return fat_err_set(err, FAT_EIO, "não foi possível bloquear sinais");
  pid_write(w->pid_file);
  for (;;) {
    if (sigwait(&set, &sig) != 0)
      continue;
    if (sig != SIGHUP)
      break;
    fat_err_clear(&rerr);
    if (fat_web_reload(w, &rerr) == FAT_OK)
      fprintf(stderr, "faturo servidor: regras recarregadas (SIGHUP)\n");
    else
      fprintf(stderr, "faturo servidor: recarga recusada, regras anteriores mantidas: %s\n",
              rerr.msg);
  }
  fprintf(stderr, "faturo servidor: encerrando (%s)\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
  if (w->pid_file != NULL)
    unlink(w->pid_file);
  return FAT_OK;
}

void fat_web_close(fat_web *w)
{
  if (w == NULL)
    return;
  if (w->daemon != NULL)
    MHD_stop_daemon(w->daemon); /* joins the pool: per-thread stores close */
  fat_rules_close(w->rules);
  fat_store_close(w->main_st);
  pthread_key_delete(w->st_key);
  pthread_mutex_destroy(&w->regras_mu);
  fat_free(w->db_path);
  fat_free(w->regras_dir);
  fat_free(w->xsd_dir);
  fat_free(w->static_dir);
  fat_free(w->static_real);
  fat_free(w->endereco);
  fat_free(w->pid_file);
  fat_free(w);
}
