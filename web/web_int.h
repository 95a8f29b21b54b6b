/* web_int.h: what the server core shares with the API handlers.
**
** Handlers never see libmicrohttpd: they get a parsed web_req and fill a
** web_res (a JSON document they own, or a raw download), returning fat_rc.
** On error the core replies {"error":{"code","message"}} with the HTTP status
** of web_status_for(rc) (or rs->status when the handler set one).
*/
#ifndef WEB_INT_H
#define WEB_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_auth.h"
#include "fat_err.h"
#include "fat_mem.h"
#include "fat_relatorio.h"
#include "fat_rules.h"
#include "fat_store.h"
#include "fat_web.h"

#define WEB_MAX_PARAMS 4

struct fat_web {
  fat_web_config cfg;      /* strings below are owned copies */
  char *db_path, *regras_dir, *xsd_dir, *static_dir, *endereco, *pid_file;
  char *static_real;       /* realpath of static_dir */
  char *proxy;             /* trusted reverse proxy address or NULL */
  void *daemon;            /* struct MHD_Daemon * (kept opaque here) */
  unsigned port;
  fat_store *main_st;      /* the opening thread's connection (rules, reload) */
  fat_rules *rules;
  pthread_mutex_t regras_mu; /* serializes reload, publish and revert */
  pthread_key_t st_key;    /* per worker thread: fat_store * */
};

typedef struct web_req {
  fat_web *srv;
  const char *method;
  const char *path;                    /* decoded, without the query */
  const char *params[WEB_MAX_PARAMS];  /* the {} segments of the route */
  char param_buf[512];
  const char *body;                    /* NOT NUL-terminated (see body_len) */
  size_t body_len;
  cJSON *json;                         /* body parsed when it is JSON, else NULL */
  fat_store *st;                       /* this thread's connection */
  const fat_sessao *sessao;            /* NULL when not logged in */
  const char *token;                   /* cookie token or NULL */
  const char *ip;                      /* client (forwarded by the trusted proxy) */
  int seguro;                          /* HTTPS: cookies get Secure */
  void *conn;                          /* opaque for web_query/web_header */
  char acao[128];                      /* "GET /api/guias/{}": method and route
                                          pattern, the why of the access log */
} web_req;

typedef struct web_res {
  int status;             /* 0 = 200 on success / table on error */
  cJSON *json;            /* body to send (owned; freed by the core) */
  char *raw;              /* or a raw body (fat_malloc'd; freed by the core) */
  size_t raw_len;
  int tem_fd;             /* or (when 1) a raw body in the open file fd, sent */
  int fd;                 /* from its start and closed by the core (web_res_csv) */
  const char *content_type;  /* for raw (static string) */
  char filename[128];     /* for raw: Content-Disposition attachment name */
  char cookie[256];       /* Set-Cookie value, when not empty */
  char objeto[96];        /* audit object ("lote:12"), filled by write handlers */
  char detalhe[256];      /* audit detail */
} web_res;

typedef fat_rc (*web_handler)(web_req *rq, web_res *rs, fat_err *err);

/* Query-string value (decoded) or NULL. */
const char *web_query(const web_req *rq, const char *key);
/* The operadora named by query parameter `key` (registro ANS, script key or
** id: fat_operadora_resolver) as its registro ANS: *out points at buf, or is
** NULL when the parameter is absent or empty. An unknown operadora fails with
** FAT_ENOTFOUND (the message lists the registered ones), never an empty list. */
FAT_NODISCARD fat_rc web_query_operadora(const web_req *rq, const char *key, const char **out,
                                         char buf[8], fat_err *err);
/* Request header value or NULL. */
const char *web_header(const web_req *rq, const char *key);

/* The one parser of request bodies sent as application/json (the core calls
** it before the handler; tests/fuzz/fuzz_corpo.c feeds it without a socket):
** body (len bytes, not NUL-terminated) must be one JSON object. *out gets the
** object (the caller owns it), or NULL when len is 0; anything else is
** FAT_EINVAL with the message the client receives. */
FAT_NODISCARD fat_rc web_body_parse(const char *body, size_t len, cJSON **out, fat_err *err);

/* JSON body helpers (NULL / 0 when absent or of another type). */
const char *web_json_str(const web_req *rq, const char *key);
int web_json_bool(const web_req *rq, const char *key, int dflt);

/* Every numeric identifier of every route goes through these: an id is a
** positive integer of at most 15 digits (a JSON number without fraction or a
** string of digits). Anything else (-1, 0, 1.5, 1e999, "12a", true) is
** FAT_EINVAL naming the field. */
FAT_NODISCARD fat_rc web_id_parse(const char *s, const char *campo, int64_t *out, fat_err *err);
FAT_NODISCARD fat_rc web_id_json(const cJSON *v, const char *campo, int64_t *out, fat_err *err);
/* Route parameter i as an id. */
FAT_NODISCARD fat_rc web_param_id(const web_req *rq, int i, int64_t *out, fat_err *err);
/* Body field key as an id: *out = 0 when absent (or null) and !required. */
FAT_NODISCARD fat_rc web_body_id(const web_req *rq, const char *key, int required,
                                 int64_t *out, fat_err *err);
/* Query parameter key as an id: *out = 0 when absent or empty. */
FAT_NODISCARD fat_rc web_query_id(const web_req *rq, const char *key, int64_t *out,
                                  fat_err *err);
/* Body field key as money in centavos (integer >= 0); *out = absent when
** the field is absent or null. */
FAT_NODISCARD fat_rc web_body_centavos(const web_req *rq, const char *key, int64_t absent,
                                       int64_t *out, fat_err *err);
/* Route parameter i as an operator key ([a-z0-9_]{1,64}); FAT_EINVAL otherwise. */
FAT_NODISCARD fat_rc web_param_key(const web_req *rq, int i, const char **out, fat_err *err);
/* 1 when s is a valid operator key. */
int web_valid_key(const char *s);

/* A page of a listing from ?limite= (1..500, default 50; ?por_pagina= is the
** same) and ?apos= (the cursor the previous page returned). */
FAT_NODISCARD fat_rc web_pagina(const web_req *rq, fat_pagina *p, fat_err *err);

/* Answer {key: rows, "proximo": cursor|null} (takes rows). */
FAT_NODISCARD fat_rc web_reply_page(web_res *rs, const char *key, cJSON *rows,
                                    const fat_pagina *p, fat_err *err);
/* Answer {key: item} (takes item). */
FAT_NODISCARD fat_rc web_reply_wrap(web_res *rs, const char *key, cJSON *item, fat_err *err);

/* Query-string value that is not empty, else NULL. */
const char *web_query_nonempty(const web_req *rq, const char *key);

/* Add helpers that report OOM through the return value (0 = failed). */
int web_add(cJSON *obj, const char *key, cJSON *item);

/* Keep a download name to [A-Za-z0-9._-] (dflt when src is empty). */
void web_safe_filename(char *dst, size_t len, const char *src, const char *dflt);

/* A download written by escreve(ctx, w, u, err) (w: a fat_escrita of
** fat_mem.h) into a private temporary file that is removed at once and sent
** from there (rs->fd): the reply's bytes never sit in memory, whatever their
** size (the CSV of every open finding of a million guias). On error nothing
** is kept. */
FAT_NODISCARD fat_rc web_res_fluxo(web_res *rs, fat_rc (*escreve)(void *ctx, fat_escrita w,
                                                                 void *u, fat_err *err),
                                   void *ctx, fat_err *err);
/* An XLSX workbook written by grava(ctx, path, err) at a private temporary
** path (libxlsxwriter writes to a path) and sent the same way, from the
** removed file: the worklist's (fat_rel_achados_xlsx) is written as it is
** read. On error nothing is kept. */
FAT_NODISCARD fat_rc web_res_xlsx(web_res *rs,
                                  fat_rc (*grava)(void *ctx, const char *path, fat_err *err),
                                  void *ctx, fat_err *err);
/* The XLSX workbook of report rel (fat_rel_xlsx) sent as web_res_xlsx does. */
FAT_NODISCARD fat_rc web_res_rel_xlsx(web_res *rs, const cJSON *rel, fat_err *err);

/* The reader of this request, for masking and the access log
** (fat_acesso_log.h): the session's user and role, channel "api", the route
** as acao. */
void web_leitor(const web_req *rq, fat_leitor *l);

/* HTTP status for a fat_rc. */
int web_status_for(fat_rc rc);

/* 1 when err is a storage failure the user must fix and may read about (disk
** full: *status = 507; read-only database or another disk error: 503); its
** pt-BR message (what the CLI prints) then goes to the browser instead of
** the generic "erro interno". 0 otherwise (*status untouched). */
int web_falha_disco(const fat_err *err, int *status);

/* Handlers, grouped by file (web_api_*.c). */
fat_rc api_sessao_login(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_sessao_logout(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_sessao_eu(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_rotulos(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_usuarios_listar(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_usuarios_criar(web_req *rq, web_res *rs, fat_err *err);

/* Part N: user administration and the user's own account (web_api_usuarios.c) */
fat_rc api_usuario_desativar(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_usuario_reativar(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_usuario_papel(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_usuario_redefinir(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_usuario_totp_remover(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_usuario_sessoes_encerrar(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_sessoes_listar(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_sessao_senha(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_sessao_totp(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_sessao_totp_confirmar(web_req *rq, web_res *rs, fat_err *err);

fat_rc api_guias_listar(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_guia_ver(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_achado_reconhecer(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_painel(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_operadoras(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_conferir(web_req *rq, web_res *rs, fat_err *err);

fat_rc api_lotes_listar(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_lotes_mapa(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_lote_xml(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_lote_relacao(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_lotes_fechar(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_lote_enviado(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_lote_protocolo(web_req *rq, web_res *rs, fat_err *err);

fat_rc api_retornos_importar(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_retornos_listar(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_glosas_listar(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_glosas_resumo(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_glosa_classificar(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_recursos_listar(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_recursos_criar(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_recurso_xml(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_recurso_resposta(web_req *rq, web_res *rs, fat_err *err);

fat_rc api_regras_listar(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_regras_ver(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_regras_rascunho(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_regras_testar(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_regras_simular(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_regras_diff(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_regras_publicar(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_regras_recarregar(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_regras_reverter(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_regras_versoes(web_req *rq, web_res *rs, fat_err *err);


/* Part G: financeiro (web_api_financeiro.c) */
fat_rc api_fin_mapa(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_fin_faturas(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_fin_fatura(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_fin_fatura_lotes(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_fin_fatura_criar(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_fin_fatura_nf(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_fin_recebimentos(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_fin_recebimento_criar(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_fin_extrato_importar(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_fin_conciliacao(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_fin_conciliacao_propor(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_fin_conciliacao_confirmar(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_fin_conciliacao_rejeitar(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_fin_particulares(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_fin_particular_criar(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_fin_particular_pagar(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_fin_recibo(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_fin_repasse(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_fin_repasse_calcular(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_fin_repasse_decidir(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_fin_repasse_fechar(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_fin_repasse_xlsx(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_fin_verificar(web_req *rq, web_res *rs, fat_err *err);

/* Part H: relatórios gerenciais (web_api_relatorios.c) */
fat_rc api_rel_painel(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_rel_producao(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_rel_inadimplencia(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_rel_previsto(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_rel_glosas(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_rel_produtividade(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_rel_fechamento(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_regras_simular_precos(web_req *rq, web_res *rs, fat_err *err);

/* Part L: guias fixed in faturo (web_api_edicao.c, docs/guias.md) */
fat_rc api_guia_editar(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_guia_cancelar(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_guia_historico(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_achados_listar(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_achados_reconhecer(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_guia_anexos(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_guia_anexar(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_anexo_baixar(web_req *rq, web_res *rs, fat_err *err);
/* Part L: papers and printing (web_api_papel.c) */
fat_rc api_lote_papel(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_lote_papel_entregar(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_guia_papel(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_guia_papel_marcar(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_guia_impressao(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_lote_impressao(web_req *rq, web_res *rs, fat_err *err);

/* Part L: digitação in the panel (web_api_digitacao.c, docs/guias.md) */
fat_rc api_digitacao_avaliar(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_digitacao_gravar(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_rascunhos_listar(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_rascunho_ver(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_rascunho_salvar(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_rascunho_apagar(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_busca_procedimentos(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_busca_beneficiarios(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_busca_profissionais(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_prestadores(web_req *rq, web_res *rs, fat_err *err);

/* Part L: panel parity for the daily cycle (web_api_paridade.c) */
fat_rc api_importar_guias(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_auditoria_agenda(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_preco(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_glosa_registrar(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_recurso_ver(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_recurso_justificar(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_recurso_enviar(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_recurso_protocolo(web_req *rq, web_res *rs, fat_err *err);
fat_rc api_recurso_item_resposta(web_req *rq, web_res *rs, fat_err *err);

#endif
