/* web_api_ops.c: the API writes that run engine operations: conferir (Part C),
** lotes (Part E), retornos and glosas (Part F), rule simulation (Part F). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fat_conferir.h"
#include "fat_dia.h"
#include "fat_glosa.h"
#include "fat_lote.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_retorno.h"
#include "fat_simular.h"
#include "fat_store_int.h"
#include "web_int.h"

#define CONFERIR_LISTA_MAX 500


static const char *nonempty(const char *s) { return (s != NULL && s[0] != '\0') ? s : NULL; }

/* ------------------------------------------------------------- conferir */

typedef struct conferir_ctx {
  cJSON *guias; /* guias with findings or errors, up to CONFERIR_LISTA_MAX */
  size_t n;
  int oom;
} conferir_ctx;

static void conferir_cb(void *ud, const fat_conferir_guia *r)
{
  conferir_ctx *c = ud;
  cJSON *o, *codes;
  size_t i;

  if (c->oom || c->n >= CONFERIR_LISTA_MAX || (r->achados->n == 0 && r->erro == NULL))
    return;
  o = cJSON_CreateObject();
  codes = cJSON_CreateArray();
  if (o == NULL || codes == NULL || !cJSON_AddItemToArray(c->guias, o)) {
    cJSON_Delete(o);
    cJSON_Delete(codes);
    c->oom = 1;
    return;
  }
  c->n++;
  if (!web_add(o, "codigos", codes)) {
    c->oom = 1;
    return;
  }
  for (i = 0; i < r->achados->n; i++)
    if (cJSON_AddItemToArray(codes, cJSON_CreateString(r->achados->v[i].codigo)) == 0)
      c->oom = 1;
  if (cJSON_AddNumberToObject(o, "guia_id", (double)r->guia_id) == NULL ||
      cJSON_AddStringToObject(o, "numero_prestador",
                              r->numero_prestador != NULL ? r->numero_prestador : "") == NULL ||
      cJSON_AddStringToObject(o, "operadora", r->operadora != NULL ? r->operadora : "") ==
          NULL ||
      cJSON_AddStringToObject(o, "status", r->status != NULL ? r->status : "") == NULL ||
      (r->erro != NULL ? cJSON_AddStringToObject(o, "erro", r->erro)
                       : cJSON_AddNullToObject(o, "erro")) == NULL ||
      cJSON_AddNumberToObject(o, "valor_risco", (double)r->valor_risco) == NULL)
    c->oom = 1;
}

fat_rc api_conferir(web_req *rq, web_res *rs, fat_err *err)
{
  fat_conferir_opts o;
  fat_conferir_resumo res;
  conferir_ctx ctx;
  cJSON *resumo;
  int64_t guia_id = 0;
  fat_rc rc;

  memset(&o, 0, sizeof o);
  memset(&res, 0, sizeof res);
  o.operadora = nonempty(web_json_str(rq, "operadora"));
  o.competencia = nonempty(web_json_str(rq, "competencia"));
  o.todas = web_json_bool(rq, "todas", 0);
  if (web_json_int(rq, "guia_id", &guia_id))
    o.guia_id = guia_id;
  if (o.competencia != NULL && !fat_dia_competencia_valida(o.competencia))
    return fat_err_set(err, FAT_EINVAL, "competência inválida '%s' (use AAAA-MM)", o.competencia);
  memset(&ctx, 0, sizeof ctx);
  ctx.guias = cJSON_CreateArray();
  if (ctx.guias == NULL)
    return fat_err_oom(err);
  rc = fat_conferir(rq->st, rq->srv->rules, &o, conferir_cb, &ctx, &res, err);
  if (rc != FAT_OK || ctx.oom) {
    cJSON_Delete(ctx.guias);
    return rc != FAT_OK ? rc : fat_err_oom(err);
  }
  snprintf(rs->objeto, sizeof rs->objeto, "conferir:%s:%s",
           o.operadora != NULL ? o.operadora : "todas",
           o.competencia != NULL ? o.competencia : "todas");
  snprintf(rs->detalhe, sizeof rs->detalhe, "%zu conferidas, %zu com bloqueio", res.conferidas,
           res.com_bloqueio);
  rs->json = cJSON_CreateObject();
  resumo = cJSON_CreateObject();
  if (rs->json == NULL || !web_add(rs->json, "guias", ctx.guias)) {
    if (rs->json == NULL)
      cJSON_Delete(ctx.guias);
    cJSON_Delete(resumo);
    return fat_err_oom(err);
  }
  if (!web_add(rs->json, "resumo", resumo) ||
      cJSON_AddStringToObject(resumo, "hoje", res.hoje) == NULL ||
      cJSON_AddNumberToObject(resumo, "selecionadas", (double)res.selecionadas) == NULL ||
      cJSON_AddNumberToObject(resumo, "conferidas", (double)res.conferidas) == NULL ||
      cJSON_AddNumberToObject(resumo, "sem_mudanca", (double)res.sem_mudanca) == NULL ||
      cJSON_AddNumberToObject(resumo, "com_bloqueio", (double)res.com_bloqueio) == NULL ||
      cJSON_AddNumberToObject(resumo, "com_alerta", (double)res.com_alerta) == NULL ||
      cJSON_AddNumberToObject(resumo, "com_erro", (double)res.com_erro) == NULL ||
      cJSON_AddNumberToObject(resumo, "achados", (double)res.achados) == NULL ||
      cJSON_AddNumberToObject(resumo, "valor_risco", (double)res.valor_risco) == NULL ||
      cJSON_AddNumberToObject(resumo, "bloqueios_abertos", (double)res.bloqueios_abertos) ==
          NULL ||
      cJSON_AddNumberToObject(resumo, "guias_bloqueadas", (double)res.guias_bloqueadas) == NULL)
    return fat_err_oom(err);
  return FAT_OK;
}

/* ---------------------------------------------------------------- lotes */

static cJSON *lote_info_json(const fat_lote_info *l)
{
  cJSON *o = cJSON_CreateObject();

  if (o == NULL)
    return NULL;
  if (cJSON_AddNumberToObject(o, "id", (double)l->id) == NULL ||
      cJSON_AddNumberToObject(o, "numero", (double)l->numero) == NULL ||
      cJSON_AddStringToObject(o, "tipo", l->tipo) == NULL ||
      cJSON_AddStringToObject(o, "competencia", l->competencia) == NULL ||
      cJSON_AddStringToObject(o, "periodo_inicio", l->periodo_inicio) == NULL ||
      cJSON_AddStringToObject(o, "periodo_fim", l->periodo_fim) == NULL ||
      cJSON_AddStringToObject(o, "prazo_envio", l->prazo_envio) == NULL ||
      cJSON_AddNumberToObject(o, "qtd_guias", l->qtd_guias) == NULL ||
      cJSON_AddNumberToObject(o, "valor", (double)l->valor) == NULL ||
      cJSON_AddStringToObject(o, "hash", l->hash) == NULL ||
      cJSON_AddStringToObject(o, "arquivo", l->arquivo) == NULL) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

/* Close the ready guias of one operator (script key) into lotes with the
** contract of the live generation; appends the lotes to arr. */
static fat_rc fechar_operadora(web_req *rq, const char *key, const char *competencia,
                               cJSON *arr, size_t *guias, fat_err *err)
{
  fat_lote_fechar_opts o;
  fat_lote_fechar_res res;
  fat_gen *g = fat_rules_acquire(rq->srv->rules);
  size_t i;
  fat_rc rc;

  memset(&o, 0, sizeof o);
  memset(&res, 0, sizeof res);
  o.operadora = key;
  o.competencia = competencia;
  o.xsd_dir = rq->srv->xsd_dir;
  rc = fat_lote_fechar(rq->st, g, &o, &res, err);
  fat_gen_release(g);
  if (rc != FAT_OK)
    return rc;
  *guias += res.guias;
  for (i = 0; i < res.n; i++) {
    cJSON *l = lote_info_json(&res.lotes[i]);

    if (l == NULL || !cJSON_AddItemToArray(arr, l)) {
      cJSON_Delete(l);
      fat_lote_fechar_res_fini(&res);
      return fat_err_oom(err);
    }
  }
  fat_lote_fechar_res_fini(&res);
  return FAT_OK;
}

fat_rc api_lotes_fechar(web_req *rq, web_res *rs, fat_err *err)
{
  static const char sql_ops[] =
      "SELECT DISTINCT o.script FROM operadora o JOIN guia g ON g.operadora_id = o.id"
      " WHERE o.ativa = 1 AND g.status = 'conferida' AND g.lote_id IS NULL ORDER BY o.script";
  const char *op = nonempty(web_json_str(rq, "operadora"));
  const char *comp = nonempty(web_json_str(rq, "competencia"));
  char key[64];
  int64_t op_id;
  cJSON *arr, *erros;
  size_t guias = 0;
  sqlite3_stmt *s;
  char **keys = NULL;
  size_t nkeys = 0, i;
  int oom_flag = 0;
  fat_rc rc = FAT_OK;

  if (comp != NULL && !fat_dia_competencia_valida(comp))
    return fat_err_set(err, FAT_EINVAL, "competência inválida '%s' (use AAAA-MM)", comp);
  rs->json = cJSON_CreateObject();
  arr = cJSON_CreateArray();
  if (rs->json == NULL || !web_add(rs->json, "lotes", arr))
    return fat_err_oom(err);
  if (op != NULL) {
    rc = fat_lote_operadora(rq->st, op, &op_id, key, sizeof key, err);
    if (rc == FAT_OK)
      rc = fechar_operadora(rq, key, comp, arr, &guias, err);
  } else {
    /* every operator with ready guias; copy the keys first (the statement
    ** must not stay open while lotes are written) */
    rc = fat_store_prepare(rq->st, sql_ops, &s, err);
    if (rc != FAT_OK)
      return rc;
    while (!oom_flag && sqlite3_step(s) == SQLITE_ROW) {
      char **nk = fat_realloc(keys, (nkeys + 1) * sizeof *keys);

      if (nk == NULL) {
        oom_flag = 1;
        break;
      }
      keys = nk;
      keys[nkeys] = fat_col_strdup(s, 0, &oom_flag);
      if (keys[nkeys] != NULL)
        nkeys++;
    }
    sqlite3_reset(s);
    /* one operator's refusal (e.g. a guia the TISS writer rejects) must not
    ** keep the others from closing: collect it and go on */
    erros = cJSON_CreateArray();
    if (erros == NULL || !web_add(rs->json, "erros", erros))
      oom_flag = 1;
    for (i = 0; rc == FAT_OK && !oom_flag && i < nkeys; i++) {
      fat_err oerr;
      fat_rc orc;

      fat_err_clear(&oerr);
      orc = fechar_operadora(rq, keys[i], comp, arr, &guias, &oerr);
      if (fat_rc_is_system(orc)) {
        rc = fat_err_set(err, orc, "%s", oerr.msg);
      } else if (orc != FAT_OK) {
        cJSON *e = cJSON_CreateObject();

        if (e == NULL || !cJSON_AddItemToArray(erros, e)) {
          cJSON_Delete(e); /* not attached */
          oom_flag = 1;
        } else if (cJSON_AddStringToObject(e, "operadora", keys[i]) == NULL ||
                   cJSON_AddStringToObject(e, "code", fat_rc_code(orc)) == NULL ||
                   cJSON_AddStringToObject(e, "message", oerr.msg) == NULL) {
          oom_flag = 1; /* e belongs to erros */
        }
        if (nkeys == 1)
          rc = fat_err_set(err, orc, "%s", oerr.msg);
      }
    }
    for (i = 0; i < nkeys; i++)
      fat_free(keys[i]);
    fat_free(keys);
    if (oom_flag)
      return fat_err_oom(err);
  }
  if (rc != FAT_OK)
    return rc;
  snprintf(rs->objeto, sizeof rs->objeto, "lotes:%s", op != NULL ? op : "todas");
  snprintf(rs->detalhe, sizeof rs->detalhe, "%d lote(s), %zu guia(s)", cJSON_GetArraySize(arr),
           guias);
  return cJSON_AddNumberToObject(rs->json, "guias", (double)guias) != NULL ? FAT_OK : fat_err_oom(err);
}

static fat_rc ok_json(web_res *rs, int64_t id, fat_err *err)
{
  rs->json = cJSON_CreateObject();
  if (rs->json == NULL || cJSON_AddBoolToObject(rs->json, "ok", 1) == NULL ||
      cJSON_AddNumberToObject(rs->json, "id", (double)id) == NULL)
    return fat_err_oom(err);
  return FAT_OK;
}

fat_rc api_lote_enviado(web_req *rq, web_res *rs, fat_err *err)
{
  const char *data = nonempty(web_json_str(rq, "data"));
  char hoje[32];
  int64_t id;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc != FAT_OK)
    return rc;
  if (data != NULL && !fat_dia_valida(data))
    return fat_err_set(err, FAT_EINVAL, "data inválida '%s' (use AAAA-MM-DD)", data);
  if (data == NULL) {
    fat_dia_hoje(hoje, sizeof hoje);
    data = hoje;
  }
  rc = fat_lote_enviado(rq->st, id, data, err);
  if (rc != FAT_OK)
    return rc;
  snprintf(rs->objeto, sizeof rs->objeto, "lote:%lld", (long long)id);
  snprintf(rs->detalhe, sizeof rs->detalhe, "enviado em %s", data);
  return ok_json(rs, id, err);
}

fat_rc api_lote_protocolo(web_req *rq, web_res *rs, fat_err *err)
{
  const char *numero = nonempty(web_json_str(rq, "protocolo"));
  const char *data = nonempty(web_json_str(rq, "data"));
  char hoje[32];
  int64_t id;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc != FAT_OK)
    return rc;
  if (numero == NULL || strlen(numero) > 40)
    return fat_err_set(err, FAT_EINVAL, "informe o número do protocolo (até 40 caracteres)");
  if (data != NULL && !fat_dia_valida(data))
    return fat_err_set(err, FAT_EINVAL, "data inválida '%s' (use AAAA-MM-DD)", data);
  if (data == NULL) {
    fat_dia_hoje(hoje, sizeof hoje);
    data = hoje;
  }
  rc = fat_lote_protocolo(rq->st, id, numero, data, err);
  if (rc != FAT_OK)
    return rc;
  snprintf(rs->objeto, sizeof rs->objeto, "lote:%lld", (long long)id);
  snprintf(rs->detalhe, sizeof rs->detalhe, "protocolo %s em %s", numero, data);
  return ok_json(rs, id, err);
}

/* ------------------------------------------------------------- retornos */

fat_rc api_retornos_importar(web_req *rq, web_res *rs, fat_err *err)
{
  const char *q = web_query(rq, "arquivo");
  char name[100];
  fat_retorno_res res;
  fat_gen *g;
  size_t i, o = 0;
  fat_rc rc;

  if (rq->body_len == 0)
    return fat_err_set(err, FAT_EINVAL, "envie o arquivo XML do retorno no corpo da requisição");
  for (i = 0; q != NULL && q[i] != '\0' && o + 1 < sizeof name; i++) {
    unsigned char c = (unsigned char)q[i];

    if (c >= 0x20 && c != '/' && c != '\\' && c != 0x7f)
      name[o++] = (char)c;
  }
  name[o] = '\0';
  if (o == 0)
    snprintf(name, sizeof name, "retorno.xml");
  memset(&res, 0, sizeof res);
  g = fat_rules_acquire(rq->srv->rules);
  rc = fat_retorno_importar_buf(rq->st, g, rq->body, rq->body_len, name, &res, err);
  fat_gen_release(g);
  if (rc != FAT_OK)
    return rc;
  rs->json = fat_retorno_res_json(&res);
  snprintf(rs->objeto, sizeof rs->objeto, "retorno:%lld", (long long)res.retorno_id);
  snprintf(rs->detalhe, sizeof rs->detalhe, "%s %zu/%zu guias, %zu glosas", res.tipo,
           res.n_guias_casadas, res.n_guias, res.n_glosas);
  fat_retorno_res_fini(&res);
  return rs->json != NULL ? FAT_OK : fat_err_oom(err);
}

/* --------------------------------------------------------------- glosas */

fat_rc api_glosa_classificar(web_req *rq, web_res *rs, fat_err *err)
{
  static const char sql_manual[] =
      "UPDATE glosa SET classificacao = ?2, evidencia = ?3 WHERE id = ?1";
  static const char sql_get[] = "SELECT * FROM glosa WHERE id = ?1";
  const char *cls = nonempty(web_json_str(rq, "classificacao"));
  const char *evid = nonempty(web_json_str(rq, "evidencia"));
  sqlite3_stmt *s;
  fat_gen *g;
  int64_t id;
  char *txt;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc != FAT_OK)
    return rc;
  if (cls != NULL) {
    /* a person's decision: devida/indevida with the reason they give */
    if (strcmp(cls, "devida") != 0 && strcmp(cls, "indevida") != 0 &&
        strcmp(cls, "a_classificar") != 0)
      return fat_err_set(err, FAT_EINVAL, "classificação deve ser devida, indevida ou a_classificar");
    if (evid == NULL || strlen(evid) > 1000)
      return fat_err_set(err, FAT_EINVAL, "informe a evidência da classificação (até 1000 caracteres)");
    txt = fat_asprintf("%s (por %s)", evid, rq->sessao->usuario);
    if (txt == NULL)
      return fat_err_oom(err);
    rc = fat_store_prepare(rq->st, sql_manual, &s, err);
    if (rc == FAT_OK) {
      fat_bind_int(s, 1, id);
      fat_bind_text(s, 2, cls);
      fat_bind_text(s, 3, txt);
      if (sqlite3_step(s) != SQLITE_DONE)
        rc = fat_store_dberr(rq->st, err, "erro ao classificar glosa");
      else if (sqlite3_changes(fat_store_db(rq->st)) == 0)
        rc = fat_err_set(err, FAT_ENOTFOUND, "glosa %lld não encontrada", (long long)id);
      sqlite3_reset(s);
    }
    fat_free(txt);
  } else {
    g = fat_rules_acquire(rq->srv->rules);
    rc = fat_glosa_classificar(rq->st, g, id, err);
    fat_gen_release(g);
  }
  if (rc != FAT_OK)
    return rc;
  snprintf(rs->objeto, sizeof rs->objeto, "glosa:%lld", (long long)id);
  snprintf(rs->detalhe, sizeof rs->detalhe, "%s", cls != NULL ? cls : "automatica");
  rc = fat_store_prepare(rq->st, sql_get, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  rs->json = sqlite3_step(s) == SQLITE_ROW ? fat_store_row_json(s, 0) : cJSON_CreateObject();
  sqlite3_reset(s);
  return rs->json != NULL ? FAT_OK : fat_err_oom(err);
}

/* ------------------------------------------------------ rule simulation */

fat_rc api_regras_simular(web_req *rq, web_res *rs, fat_err *err)
{
  static const char sql_draft[] = "SELECT conteudo FROM regra_rascunho WHERE operadora = ?1";
  const char *key, *desde = nonempty(web_json_str(rq, "desde"));
  char path[] = "/tmp/faturo-simular-XXXXXX";
  fat_simular_opts o;
  fat_simular_res res;
  sqlite3_stmt *s;
  char *text = NULL;
  int oom_flag = 0, fd;
  size_t len;
  fat_rc rc = web_param_key(rq, 0, &key, err);

  if (rc != FAT_OK)
    return rc;
  if (desde != NULL && !fat_dia_valida(desde))
    return fat_err_set(err, FAT_EINVAL, "data inválida '%s' (use AAAA-MM-DD)", desde);
  rc = fat_store_prepare(rq->st, sql_draft, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, key);
  if (sqlite3_step(s) == SQLITE_ROW)
    text = fat_col_strdup(s, 0, &oom_flag);
  sqlite3_reset(s);
  if (oom_flag)
    return fat_err_oom(err);
  if (text == NULL)
    return fat_err_set(err, FAT_ENOTFOUND,
                       "não há rascunho para a operadora '%s': salve o rascunho antes de simular",
                       key);
  fd = mkstemp(path);
  len = strlen(text);
  if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
    if (fd >= 0) {
      close(fd);
      unlink(path);
    }
    fat_free(text);
    return fat_err_set(err, FAT_EIO, "não foi possível criar arquivo temporário");
  }
  close(fd);
  fat_free(text);
  memset(&o, 0, sizeof o);
  memset(&res, 0, sizeof res);
  o.operadora = key;
  o.regras_dir = rq->srv->regras_dir;
  o.script_path = path;
  o.desde = desde;
  rc = fat_simular_regras(rq->st, &o, &res, err);
  unlink(path);
  if (rc != FAT_OK)
    return rc;
  rs->json = fat_simular_res_json(&res);
  fat_simular_res_fini(&res);
  snprintf(rs->objeto, sizeof rs->objeto, "regra:%s", key);
  return rs->json != NULL ? FAT_OK : fat_err_oom(err);
}
