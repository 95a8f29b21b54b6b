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

#include "web_mhd.h"

#include "fat_mem.h"
#include "fat_paths.h"
#include "fat_pidfile.h"
#include "web_int.h"

#define COOKIE_NAME "faturo_sessao"
#define VENDOR_CM "/usr/share/javascript/codemirror"
#define VENDOR_CHART "/usr/share/javascript/chart.js"

/* ---------------------------------------------------------------- routes */

typedef struct web_route {
  const char *method;
  const char *pattern; /* "{}" matches one path segment */
  fat_papel papel;     /* minimum role; NENHUM = public */
  int upload;          /* 1: body bounded by max_upload; -1: by LOGIN_BODY_MAX;
                          0: by max_body */
  const char *acao;    /* audit action of a write */
  web_handler fn;
} web_route;

/* A login body is a user name and a password: nobody needs a megabyte. */
#define LOGIN_BODY_MAX 4096

#define F FAT_PAPEL_FATURISTA
#define S FAT_PAPEL_SUPERVISOR
#define A FAT_PAPEL_ADMIN
static const web_route routes[] = {
  {"POST", "/api/sessao", FAT_PAPEL_NENHUM, -1, "sessao.login", api_sessao_login},
  {"DELETE", "/api/sessao", F, 0, "sessao.sair", api_sessao_logout},
  {"GET", "/api/sessao", F, 0, NULL, api_sessao_eu},
  {"GET", "/api/rotulos", F, 0, NULL, api_rotulos},
  {"GET", "/api/usuarios", A, 0, NULL, api_usuarios_listar},
  {"POST", "/api/usuarios", A, 0, "usuario.criar", api_usuarios_criar},
  /* Part N: users' life, sessions, second factor */
  {"POST", "/api/usuarios/{}/desativar", A, 0, "usuario.desativar", api_usuario_desativar},
  {"POST", "/api/usuarios/{}/reativar", A, 0, "usuario.reativar", api_usuario_reativar},
  {"POST", "/api/usuarios/{}/papel", A, 0, "usuario.papel", api_usuario_papel},
  {"POST", "/api/usuarios/{}/senha", A, 0, "usuario.redefinir", api_usuario_redefinir},
  {"DELETE", "/api/usuarios/{}/totp", A, 0, "usuario.totp_remover", api_usuario_totp_remover},
  {"DELETE", "/api/usuarios/{}/sessoes", A, 0, "sessao.encerrar", api_usuario_sessoes_encerrar},
  {"DELETE", "/api/usuarios/{}/sessoes/{}", A, 0, "sessao.encerrar",
   api_usuario_sessoes_encerrar},
  {"GET", "/api/sessoes", A, 0, NULL, api_sessoes_listar},
  {"POST", "/api/sessao/senha", F, -1, "usuario.trocar_senha", api_sessao_senha},
  {"POST", "/api/sessao/totp", S, -1, "usuario.totp_iniciar", api_sessao_totp},
  {"POST", "/api/sessao/totp/confirmar", S, -1, "usuario.totp_ativar", api_sessao_totp_confirmar},
  {"GET", "/api/painel", F, 0, NULL, api_painel},
  {"GET", "/api/operadoras", F, 0, NULL, api_operadoras},
  {"GET", "/api/guias", F, 0, NULL, api_guias_listar},
  {"GET", "/api/guias/{}", F, 0, NULL, api_guia_ver},
  {"POST", "/api/conferir", F, 0, "conferir", api_conferir},
  {"POST", "/api/achados/{}/reconhecer", F, 0, "achado.reconhecer", api_achado_reconhecer},
  {"GET", "/api/achados", F, 0, NULL, api_achados_listar},
  {"POST", "/api/achados/reconhecer", F, 0, "achado.reconhecer", api_achados_reconhecer},
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
  /* Part G: financeiro (faturista enters; supervisor confirms matches and closes repasse) */
  {"GET", "/api/financeiro/mapa", F, 0, NULL, api_fin_mapa},
  {"GET", "/api/financeiro/faturas", F, 0, NULL, api_fin_faturas},
  {"POST", "/api/financeiro/faturas", F, 0, "fatura.criar", api_fin_fatura_criar},
  {"GET", "/api/financeiro/faturas/{}", F, 0, NULL, api_fin_fatura},
  {"GET", "/api/financeiro/faturas/{}/lotes", F, 0, NULL, api_fin_fatura_lotes},
  {"POST", "/api/financeiro/faturas/{}/nf", F, 0, "fatura.nf", api_fin_fatura_nf},
  {"GET", "/api/financeiro/recebimentos", F, 0, NULL, api_fin_recebimentos},
  {"POST", "/api/financeiro/recebimentos", F, 0, "recebimento.registrar",
   api_fin_recebimento_criar},
  {"POST", "/api/financeiro/extratos", F, 1, "extrato.importar", api_fin_extrato_importar},
  {"GET", "/api/financeiro/conciliacao", F, 0, NULL, api_fin_conciliacao},
  {"POST", "/api/financeiro/conciliacao/propor", F, 0, "conciliacao.propor",
   api_fin_conciliacao_propor},
  {"POST", "/api/financeiro/conciliacao/{}/confirmar", S, 0, "conciliacao.confirmar",
   api_fin_conciliacao_confirmar},
  {"POST", "/api/financeiro/conciliacao/{}/rejeitar", S, 0, "conciliacao.rejeitar",
   api_fin_conciliacao_rejeitar},
  {"GET", "/api/financeiro/particulares", F, 0, NULL, api_fin_particulares},
  {"POST", "/api/financeiro/particulares", F, 0, "particular.registrar",
   api_fin_particular_criar},
  {"POST", "/api/financeiro/particulares/{}/pagar", F, 0, "particular.pagar",
   api_fin_particular_pagar},
  {"GET", "/api/financeiro/recibos/{}", F, 0, NULL, api_fin_recibo},
  {"GET", "/api/financeiro/repasse", F, 0, NULL, api_fin_repasse},
  {"GET", "/api/financeiro/repasse/xlsx", F, 0, NULL, api_fin_repasse_xlsx},
  {"POST", "/api/financeiro/repasse/calcular", F, 0, "repasse.calcular",
   api_fin_repasse_calcular},
  {"POST", "/api/financeiro/repasse/itens/{}/decidir", S, 0, "repasse.decidir",
   api_fin_repasse_decidir},
  {"POST", "/api/financeiro/repasse/fechar", S, 0, "repasse.fechar", api_fin_repasse_fechar},
  {"GET", "/api/financeiro/verificar", S, 0, NULL, api_fin_verificar},
  /* Part H: relatórios gerenciais (?formato=csv|xlsx downloads them) */
  {"GET", "/api/relatorios/painel", F, 0, NULL, api_rel_painel},
  {"GET", "/api/relatorios/producao", F, 0, NULL, api_rel_producao},
  {"GET", "/api/relatorios/inadimplencia", F, 0, NULL, api_rel_inadimplencia},
  {"GET", "/api/relatorios/previsto", F, 0, NULL, api_rel_previsto},
  {"GET", "/api/relatorios/glosas", F, 0, NULL, api_rel_glosas},
  {"GET", "/api/relatorios/produtividade", S, 0, NULL, api_rel_produtividade},
  {"GET", "/api/relatorios/fechamento", S, 0, NULL, api_rel_fechamento},
  {"GET", "/api/regras/{}/simular-precos", S, 0, NULL, api_regras_simular_precos},
  /* Part L: guias fixed in faturo (docs/guias.md) */
  {"PATCH", "/api/guias/{}", F, 0, "guia.editar", api_guia_editar},
  {"POST", "/api/guias/{}/cancelar", F, 0, "guia.cancelar", api_guia_cancelar},
  {"GET", "/api/guias/{}/historico", F, 0, NULL, api_guia_historico},
  {"GET", "/api/guias/{}/anexos", F, 0, NULL, api_guia_anexos},
  {"POST", "/api/guias/{}/anexos", F, 1, "anexo.adicionar", api_guia_anexar},
  {"GET", "/api/anexos/{}", F, 0, NULL, api_anexo_baixar},
  /* Part L: physical papers and printing (web_api_papel.c) */
  {"GET", "/api/lotes/{}/papel", F, 0, NULL, api_lote_papel},
  {"POST", "/api/lotes/{}/papel", F, 0, "lote.papel", api_lote_papel_entregar},
  {"GET", "/api/guias/{}/papel", F, 0, NULL, api_guia_papel},
  {"POST", "/api/guias/{}/papel", F, 0, "guia.papel", api_guia_papel_marcar},
  {"GET", "/api/guias/{}/impressao", F, 0, NULL, api_guia_impressao},
  {"GET", "/api/lotes/{}/impressao", F, 0, NULL, api_lote_impressao},
  /* Part L: guias typed in the panel (digitação) and its look-ups */
  {"POST", "/api/digitacao/avaliar", F, 0, NULL, api_digitacao_avaliar},
  {"POST", "/api/digitacao", F, 0, "guia.digitar", api_digitacao_gravar},
  {"GET", "/api/digitacao/rascunhos", F, 0, NULL, api_rascunhos_listar},
  {"POST", "/api/digitacao/rascunhos", F, 0, "rascunho.salvar", api_rascunho_salvar},
  {"GET", "/api/digitacao/rascunhos/{}", F, 0, NULL, api_rascunho_ver},
  {"PUT", "/api/digitacao/rascunhos/{}", F, 0, "rascunho.salvar", api_rascunho_salvar},
  {"DELETE", "/api/digitacao/rascunhos/{}", F, 0, "rascunho.apagar", api_rascunho_apagar},
  {"GET", "/api/busca/procedimentos", F, 0, NULL, api_busca_procedimentos},
  {"GET", "/api/busca/beneficiarios", F, 0, NULL, api_busca_beneficiarios},
  {"GET", "/api/busca/profissionais", F, 0, NULL, api_busca_profissionais},
  {"GET", "/api/prestadores", F, 0, NULL, api_prestadores},
  /* Part L: panel parity for the daily cycle (web_api_paridade.c) */
  {"POST", "/api/importar/guias", F, 1, "guia.importar", api_importar_guias},
  {"POST", "/api/auditoria/agenda", F, 1, "auditoria.agenda", api_auditoria_agenda},
  {"GET", "/api/preco", F, 0, NULL, api_preco},
  {"POST", "/api/glosas", F, 0, "glosa.registrar", api_glosa_registrar},
  {"GET", "/api/recursos/{}", F, 0, NULL, api_recurso_ver},
  {"POST", "/api/recursos/{}/enviar", F, 0, "recurso.enviar", api_recurso_enviar},
  {"POST", "/api/recursos/{}/protocolo", F, 0, "recurso.protocolo", api_recurso_protocolo},
  {"POST", "/api/recursos/{}/itens/{}/justificativa", F, 0, "recurso.editar",
   api_recurso_justificar},
  {"POST", "/api/recursos/{}/itens/{}/resposta", F, 0, "recurso.resposta",
   api_recurso_item_resposta},
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

/* Every /api/ request is judged when its headers arrive (route, session,
** CSRF token, role, declared size), before one byte of its body is read. A
** refused request never has its body stored: the body is read and dropped
** (up to max_upload, so that the client, still sending, can read the answer)
** and the refusal is sent when it ends; a client that asked "Expect:
** 100-continue", or that declares more than that, is answered at once. */
typedef struct req_state {
  const web_route *route;
  fat_buf body;
  int too_large;
  int64_t t0;
  int status;            /* the status queued (0 = none yet) */
  int refused;           /* a refusal waits for the end of the body */
  int refused_status;
  const char *refused_code;
  char refused_msg[160];
  size_t drained;        /* bytes of a refused body read and dropped */
  int has_sessao;
  fat_sessao sessao;
  int seguro;            /* the browser reached us over HTTPS */
  char ip[64];
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

  return web_mhd.lookup_connection_value(cc->c, MHD_GET_ARGUMENT_KIND, key);
}

const char *web_header(const web_req *rq, const char *key)
{
  const conn_ctx *cc = rq->conn;

  return web_mhd.lookup_connection_value(cc->c, MHD_HEADER_KIND, key);
}

/* ---------------------------------------------------------------- replies */

/* Content-Security-Policy of the panel's pages, of downloaded HTML (inline
** styles only) and of everything else (JSON, XML, CSV, scripts). */
#define CSP_PAINEL                                                                       \
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "         \
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
#define CSP_DOCUMENTO                                                                    \
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "      \
  "frame-ancestors 'none'; form-action 'none'"
#define CSP_DADOS "default-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"

static void add_common_headers(struct MHD_Response *r, const char *csp)
{
  web_mhd.add_response_header(r, "X-Content-Type-Options", "nosniff");
  web_mhd.add_response_header(r, "X-Frame-Options", "DENY");
  web_mhd.add_response_header(r, "Referrer-Policy", "no-referrer");
  web_mhd.add_response_header(r, "Content-Security-Policy", csp != NULL ? csp : CSP_DADOS);
}

/* Queue a response and record its status for the access log. */
static enum MHD_Result queue_csp(struct MHD_Connection *c, req_state *rs, int status,
                                 struct MHD_Response *r, const char *csp)
{
  enum MHD_Result ret;

  if (r == NULL)
    return MHD_NO;
  add_common_headers(r, csp);
  ret = web_mhd.queue_response(c, (unsigned)status, r);
  web_mhd.destroy_response(r);
  if (rs != NULL)
    rs->status = status;
  return ret;
}

static enum MHD_Result queue(struct MHD_Connection *c, req_state *rs, int status,
                             struct MHD_Response *r)
{
  return queue_csp(c, rs, status, r, NULL);
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

    r = web_mhd.create_response_from_buffer(sizeof oom - 1, (void *)(uintptr_t)oom,
                                            MHD_RESPMEM_PERSISTENT);
    status = 503;
  } else {
    r = web_mhd.create_response_from_buffer_with_free_callback(strlen(s), s, cJSON_free);
    if (r == NULL)
      cJSON_free(s);
  }
  if (r == NULL)
    return MHD_NO;
  web_mhd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json; charset=utf-8");
  web_mhd.add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  if (cookie != NULL && cookie[0] != '\0')
    web_mhd.add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, cookie);
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

  if (res->tem_fd) {
    struct stat sb;

    /* a download written to a removed temporary file (web_res_fluxo) */
    r = fstat(res->fd, &sb) == 0 ? web_mhd.create_response_from_fd((size_t)sb.st_size, res->fd)
                                 : NULL;
    if (r == NULL)
      close(res->fd);
    res->tem_fd = 0; /* the response's now (or closed) */
  } else {
    r = web_mhd.create_response_from_buffer_with_free_callback(res->raw_len, res->raw, fat_free);
    if (r != NULL)
      res->raw = NULL; /* owned by the response now */
  }
  if (r == NULL)
    return MHD_NO;
  web_mhd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                              res->content_type != NULL ? res->content_type
                                                        : "application/octet-stream");
  web_mhd.add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  if (res->filename[0] != '\0') {
    snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", res->filename);
    web_mhd.add_response_header(r, "Content-Disposition", disp);
  }
  return queue_csp(c, rs, res->status != 0 ? res->status : 200, r,
                   res->content_type != NULL && strncmp(res->content_type, "text/html", 9) == 0
                       ? CSP_DOCUMENTO
                       : CSP_DADOS);
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
  r = web_mhd.create_response_from_fd((size_t)sb.st_size, fd); /* takes fd */
  if (r == NULL) {
    close(fd);
    return MHD_NO;
  }
  web_mhd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, mime_for(real));
  web_mhd.add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
  return queue_csp(c, rs, 200, r, html_csp ? CSP_PAINEL : CSP_DADOS);
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

/* ------------------------------------------------------- client address */

static void peer_ip(struct MHD_Connection *c, char *buf, size_t len)
{
  const union MHD_ConnectionInfo *ci =
    web_mhd.get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

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

/* The last address of an X-Forwarded-For list (the one the trusted proxy
** itself appended), if it is an IPv4 or IPv6 address. */
static int forwarded_ip(const char *xff, char *buf, size_t len)
{
  const char *last = xff != NULL ? strrchr(xff, ',') : NULL;
  unsigned char bin[sizeof(struct in6_addr)];
  char tmp[64];
  size_t n;

  if (xff == NULL)
    return 0;
  last = last != NULL ? last + 1 : xff;
  while (*last == ' ' || *last == '\t')
    last++;
  n = strcspn(last, " \t");
  if (n == 0 || n >= sizeof tmp)
    return 0;
  memcpy(tmp, last, n);
  tmp[n] = '\0';
  if (inet_pton(AF_INET, tmp, bin) != 1 && inet_pton(AF_INET6, tmp, bin) != 1)
    return 0;
  snprintf(buf, len, "%s", tmp);
  return 1;
}

/* Who is asking: the peer, or, when the peer is the configured trusted
** proxy, the client it forwards for (X-Forwarded-For) and whether the client
** reached it over HTTPS (X-Forwarded-Proto). Headers from anyone else are
** ignored, so they cannot be forged to dodge the login throttle. */
static void client_of(fat_web *w, struct MHD_Connection *c, req_state *rs)
{
  const char *proto;

  peer_ip(c, rs->ip, sizeof rs->ip);
  rs->seguro = w->cfg.cookie_seguro;
  if (w->proxy == NULL || strcmp(rs->ip, w->proxy) != 0)
    return;
  forwarded_ip(web_mhd.lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-For"), rs->ip,
               sizeof rs->ip);
  proto = web_mhd.lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-Proto");
  if (proto != NULL && strcmp(proto, "https") == 0)
    rs->seguro = 1;
}

/* --------------------------------------------------------------- dispatch */

/* Record a refused write of a logged-in user (who tried what). */
static void audit_denied(fat_store *st, const char *user, const char *acao, const char *why)
{
  fat_err err;

  fat_err_clear(&err);
  if (fat_store_set_user(st, user, &err) != FAT_OK ||
      fat_store_audit(st, "acesso.negado", acao, why, &err) != FAT_OK)
    fprintf(stderr, "faturo servidor: auditoria: %s\n", err.msg);
}

static int is_json_body(struct MHD_Connection *c)
{
  const char *ct =
    web_mhd.lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);

  return ct != NULL && strncmp(ct, "application/json", 16) == 0;
}

static enum MHD_Result dispatch(fat_web *w, struct MHD_Connection *c, req_state *rs,
                                const char *method, const char *path)
{
  web_req rq;
  web_res res;
  conn_ctx cc;
  fat_err err;
  fat_rc rc;
  int write = strcmp(method, "GET") != 0;
  int status;

  memset(&rq, 0, sizeof rq);
  memset(&res, 0, sizeof res);
  fat_err_clear(&err);
  cc.c = c;
  rq.conn = &cc;
  rq.srv = w;
  rq.method = method;
  rq.path = path;
  rq.seguro = rs->seguro;
  if (!route_match(rs->route->pattern, path, &rq))
    return reply_error(c, rs, 404, "ENOTFOUND", "recurso não encontrado");
  snprintf(rq.acao, sizeof rq.acao, "%s %s", method, rs->route->pattern);
  rq.ip = rs->ip;
  rq.body = rs->body.data;
  rq.body_len = rs->body.len;
  rq.st = thread_store(w, &err);
  if (rq.st == NULL) {
    fprintf(stderr, "faturo servidor: %s\n", err.msg);
    status = 503;
    if (web_falha_disco(&err, &status))
      return reply_error(c, rs, status, "EDB", err.msg);
    return reply_error(c, rs, 503, "EDB", "banco de dados indisponível");
  }
  rq.token = web_mhd.lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE_NAME);
  if (rs->has_sessao)
    rq.sessao = &rs->sessao;
  if (fat_store_set_user(rq.st, rs->has_sessao ? rs->sessao.usuario : "anonimo", &err) != FAT_OK)
    return reply_error(c, rs, 500, "EINVAL", err.msg);

  if (rq.body_len > 0 && is_json_body(c)) {
    if (web_body_parse(rq.body, rq.body_len, &rq.json, &err) != FAT_OK)
      return reply_error(c, rs, 400, "EINVAL", err.msg);
  }

  rc = rs->route->fn(&rq, &res, &err);
  cJSON_Delete(rq.json);
  if (rc != FAT_OK) {
    cJSON_Delete(res.json);
    fat_free(res.raw);
    if (res.tem_fd)
      close(res.fd);
    status = res.status != 0 ? res.status : web_status_for(rc);
    if (web_falha_disco(&err, &status)) {
      /* the user's to fix (space, permissions): the store's own message,
      ** the same the CLI prints */
      fprintf(stderr, "faturo servidor: %s %s: %s\n", method, path, err.msg);
      return reply_error(c, rs, status, fat_rc_code(rc), err.msg);
    }
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
  if (res.raw != NULL || res.tem_fd) {
    cJSON_Delete(res.json);
    return reply_raw(c, rs, &res);
  }
  if (res.json == NULL)
    res.json = cJSON_CreateObject();
  return reply_json(c, rs, res.status != 0 ? res.status : 200, res.json, res.cookie);
}

/* --------------------------------------------------------- MHD callbacks */

/* Refuse the request. With no body coming, when the client waits for "100
** Continue", or when the declared body is too big to be worth reading, the
** answer goes now; otherwise the body is read and dropped first and the
** answer goes at its end (see req_state). */
static enum MHD_Result refuse(fat_web *w, struct MHD_Connection *c, req_state *rs, int status,
                              const char *code, const char *msg)
{
  const char *cl =
    web_mhd.lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
  const char *te =
    web_mhd.lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
  const char *ex = web_mhd.lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);
  unsigned long long n = cl != NULL ? strtoull(cl, NULL, 10) : 0;

  if ((n == 0 && te == NULL) || ex != NULL || n > w->cfg.max_upload)
    return reply_error(c, rs, status, code, msg);
  rs->refused = 1;
  rs->refused_status = status;
  rs->refused_code = code;
  snprintf(rs->refused_msg, sizeof rs->refused_msg, "%s", msg);
  return MHD_YES;
}

/* Judge a new /api/ request from its headers alone. */
static enum MHD_Result admit(fat_web *w, struct MHD_Connection *c, req_state *rs,
                             const char *method, const char *url)
{
  const char *cl, *token, *csrf;
  int known = 0, write = strcmp(method, "GET") != 0;
  size_t max;
  fat_store *st;
  fat_err err;

  rs->route = route_find(method, url, &known);
  if (rs->route == NULL)
    return known ? refuse(w, c, rs, 405, "EMETODO", "método não permitido para este recurso")
                 : refuse(w, c, rs, 404, "ENOTFOUND", "recurso da API não encontrado");
  client_of(w, c, rs);
  if (rs->route->papel != FAT_PAPEL_NENHUM) {
    fat_err_clear(&err);
    st = thread_store(w, &err);
    if (st == NULL) {
      fprintf(stderr, "faturo servidor: %s\n", err.msg);
      return refuse(w, c, rs, 503, "EDB", "banco de dados indisponível");
    }
    token = web_mhd.lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE_NAME);
    if (token == NULL || fat_auth_sessao(st, token, &rs->sessao, NULL) != FAT_OK)
      return refuse(w, c, rs, 401, "ESESSAO", "faça login para continuar");
    rs->has_sessao = 1;
    snprintf(rs->user, sizeof rs->user, "%s", rs->sessao.usuario);
    if (write) {
      csrf = web_mhd.lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");
      if (!fat_auth_token_eq(csrf, rs->sessao.csrf)) {
        audit_denied(st, rs->sessao.usuario, rs->route->acao, "csrf");
        return refuse(w, c, rs, 403, "ECSRF",
                      "token de segurança ausente ou inválido; recarregue a página");
      }
    }
    /* a session opened with a one-time password may only change it */
    if (rs->sessao.troca_senha && rs->route->fn != api_sessao_senha &&
        rs->route->fn != api_sessao_eu && rs->route->fn != api_sessao_logout &&
        rs->route->fn != api_rotulos)
      return refuse(w, c, rs, 403, "ESENHA",
                    "troque a senha provisória antes de continuar");
    if (rs->sessao.papel < rs->route->papel) {
      if (write)
        audit_denied(st, rs->sessao.usuario, rs->route->acao, fat_papel_str(rs->sessao.papel));
      return refuse(w, c, rs, 403, "EPERM", "seu papel não permite esta operação");
    }
  }
  max = rs->route->upload > 0   ? w->cfg.max_upload
        : rs->route->upload < 0 ? LOGIN_BODY_MAX
                                : w->cfg.max_body;
  fat_buf_init(&rs->body, max);
  cl = web_mhd.lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
  if (cl != NULL && strtoull(cl, NULL, 10) > max)
    return refuse(w, c, rs, 413, "ELIMIT", "requisição grande demais");
  return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **req_cls)
{
  fat_web *w = cls;
  req_state *rs = *req_cls;

  (void)version;
  if (rs == NULL) {
    rs = fat_calloc(1, sizeof *rs);
    if (rs == NULL)
      return MHD_NO;
    *req_cls = rs;
    rs->t0 = fat_now_ns();
    snprintf(rs->method, sizeof rs->method, "%s", method);
    snprintf(rs->path, sizeof rs->path, "%s", url); /* url has no query string */
    if (strncmp(url, "/api/", 5) != 0)
      return MHD_YES; /* static: answered in the next call */
    return admit(w, c, rs, method, url);
  }
  if (rs->status != 0) {
    *upload_data_size = 0; /* already answered: drop what still comes */
    return MHD_YES;
  }
  if (*upload_data_size != 0) {
    if (rs->refused || rs->route == NULL) {
      rs->drained += *upload_data_size;
      *upload_data_size = 0;
      if (rs->refused && rs->drained > w->cfg.max_upload)
        return reply_error(c, rs, rs->refused_status, rs->refused_code, rs->refused_msg);
      return MHD_YES;
    }
    if (fat_buf_append(&rs->body, upload_data, *upload_data_size, NULL) != FAT_OK) {
      /* a chunked body grew past the limit: stop keeping it */
      fat_buf_fini(&rs->body);
      rs->drained = 0;
      rs->refused = 1;
      rs->refused_status = 413;
      rs->refused_code = "ELIMIT";
      snprintf(rs->refused_msg, sizeof rs->refused_msg, "requisição grande demais");
    }
    *upload_data_size = 0;
    return MHD_YES;
  }
  if (rs->refused)
    return reply_error(c, rs, rs->refused_status, rs->refused_code, rs->refused_msg);
  if (rs->route == NULL)
    return serve_static(w, c, rs, method, url);
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
  if (rc == FAT_OK)
    rc = web_mhd_load(err);
  if (rc != FAT_OK)
    return rc;
  w = fat_calloc(1, sizeof *w);
  if (w == NULL)
    return fat_err_oom(err);
  w->cfg = *cfg;
  w->db_path = fat_strdup(cfg->db_path);
  w->regras_dir = fat_strdup(cfg->regras_dir);
  w->xsd_dir = cfg->xsd_dir != NULL ? fat_strdup(cfg->xsd_dir) : NULL;
  w->static_dir = cfg->static_dir != NULL ? fat_strdup(cfg->static_dir)
                                           : fat_paths_data("web/static");
  w->endereco = dup_or(cfg->endereco, "127.0.0.1");
  w->pid_file = cfg->pid_file != NULL ? fat_strdup(cfg->pid_file) : NULL;
  w->proxy = cfg->proxy_confiavel != NULL ? fat_strdup(cfg->proxy_confiavel) : NULL;
  if (w->db_path == NULL || w->regras_dir == NULL || w->static_dir == NULL ||
      w->endereco == NULL || (cfg->xsd_dir != NULL && w->xsd_dir == NULL) ||
      (cfg->pid_file != NULL && w->pid_file == NULL) ||
      (cfg->proxy_confiavel != NULL && w->proxy == NULL)) {
    if (w->static_dir == NULL && cfg->static_dir == NULL && fat_paths_data_dir() == NULL)
      rc = fat_err_set(err, FAT_ENOTFOUND, "arquivos do painel não encontrados: use "
                                           "--estaticos DIR ou defina FATURO_HOME");
    else
      rc = fat_err_oom(err);
    fat_free(w->db_path);
    fat_free(w->regras_dir);
    fat_free(w->xsd_dir);
    fat_free(w->static_dir);
    fat_free(w->endereco);
    fat_free(w->pid_file);
    fat_free(w->proxy);
    fat_free(w);
    return rc;
  }
  if (w->proxy != NULL) {
    unsigned char bin[sizeof(struct in6_addr)];

    if (inet_pton(AF_INET, w->proxy, bin) != 1 && inet_pton(AF_INET6, w->proxy, bin) != 1) {
      rc = fat_err_set(err, FAT_EINVAL, "endereço do proxy confiável inválido: %s", w->proxy);
      fat_free(w->db_path);
      fat_free(w->regras_dir);
      fat_free(w->xsd_dir);
      fat_free(w->static_dir);
      fat_free(w->endereco);
      fat_free(w->pid_file);
      fat_free(w->proxy);
      fat_free(w);
      return rc;
    }
  }
  w->cfg.db_path = w->db_path;
  w->cfg.regras_dir = w->regras_dir;
  w->cfg.xsd_dir = w->xsd_dir;
  w->cfg.static_dir = w->static_dir;
  w->cfg.endereco = w->endereco;
  w->cfg.pid_file = w->pid_file;
  w->cfg.proxy_confiavel = w->proxy;
  if (w->cfg.conexoes == 0)
    w->cfg.conexoes = 256;
  if (w->cfg.conexoes_por_ip == 0 && w->proxy == NULL)
    w->cfg.conexoes_por_ip = w->cfg.conexoes / 2;
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
    fat_free(w->proxy);
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
  d = web_mhd.start_daemon(
    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_USE_AUTO, 0, NULL, NULL, on_request,
    w, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE,
    (unsigned int)w->cfg.threads, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)w->cfg.conexoes, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
    (unsigned int)w->cfg.conexoes_por_ip, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
    MHD_OPTION_NOTIFY_COMPLETED, on_completed, w, MHD_OPTION_END);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (d == NULL) {
    rc = fat_err_set(err, FAT_EIO, "não foi possível escutar em %s:%u (porta em uso?)",
                     w->endereco, cfg->port);
    goto fail;
  }
  w->daemon = d;
  di = web_mhd.get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
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
  return fat_rules_reload(w->rules, w->main_st, err);
}

/* End of a SIGHUP reload (runs on the reload's own thread). */
static void reload_done(void *ud, fat_rc rc, const fat_err *err)
{
  (void)ud;
  if (rc == FAT_OK)
    fprintf(stderr, "faturo servidor: regras recarregadas (SIGHUP)\n");
  else
    fprintf(stderr, "faturo servidor: %s\n", err->msg);
}

fat_rc fat_web_wait(fat_web *w, fat_err *err)
{
  sigset_t set;
  int sig = 0;
  fat_err rerr;
  fat_pidfile *pid = NULL;
  fat_rc rc;

  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
    return fat_err_set(err, FAT_EIO, "não foi possível bloquear sinais");
  if (w->pid_file != NULL) {
    rc = fat_pidfile_acquire(w->pid_file, &pid, err);
    if (rc != FAT_OK)
      return rc;
  }
  for (;;) {
    if (sigwait(&set, &sig) != 0)
      continue;
    if (sig != SIGHUP)
      break;
    /* the reload runs on its own thread: a slow or stuck script never
    ** keeps this thread from the next signal */
    fat_err_clear(&rerr);
    if (fat_rules_reload_bg(w->rules, w->db_path, reload_done, NULL, &rerr) != FAT_OK)
      fprintf(stderr, "faturo servidor: %s\n", rerr.msg);
  }
  fprintf(stderr, "faturo servidor: encerrando (%s)\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
  fat_pidfile_release(pid);
  return FAT_OK;
}

void fat_web_close(fat_web *w)
{
  if (w == NULL)
    return;
  if (w->daemon != NULL)
    web_mhd.stop_daemon(w->daemon); /* joins the pool: per-thread stores close */
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
  fat_free(w->proxy);
  fat_free(w);
}
