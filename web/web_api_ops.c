/* web_api_ops.c: the API writes that run engine operations: conferir (Part C),
** lotes (Part E), retornos and glosas (Part F), rule simulation (Part F). */
#include <stdio.h>
#include <string.h>

#include "fat_conferir.h"
#include "fat_dia.h"
#include "fat_glosa.h"
#include "fat_lote.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_retorno.h"
#include "fat_simular.h"
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
  rc = web_body_id(rq, "guia_id", 0, &guia_id, err);
  if (rc != FAT_OK)
    return rc;
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

static fat_rc add_lotes(cJSON *arr, const fat_lote_info *v, size_t n, fat_err *err)
{
  size_t i;

  for (i = 0; i < n; i++) {
    cJSON *l = lote_info_json(&v[i]);

    if (l == NULL || !cJSON_AddItemToArray(arr, l)) {
      cJSON_Delete(l);
      return fat_err_oom(err);
    }
  }
  return FAT_OK;
}

/* {operadora?, competencia?}: one operadora, or every one with ready guias
** (each its own transaction; refusals are listed in "erros"). */
fat_rc api_lotes_fechar(web_req *rq, web_res *rs, fat_err *err)
{
  const char *op = nonempty(web_json_str(rq, "operadora"));
  fat_lote_fechar_opts o;
  fat_lote_fechar_res one;
  fat_lote_fechar_todas_res all;
  cJSON *arr, *erros;
  size_t guias = 0, i;
  fat_gen *g;
  fat_rc rc;

  memset(&o, 0, sizeof o);
  memset(&one, 0, sizeof one);
  memset(&all, 0, sizeof all);
  o.operadora = op;
  o.competencia = nonempty(web_json_str(rq, "competencia"));
  o.xsd_dir = rq->srv->xsd_dir;
  if (o.competencia != NULL && !fat_dia_competencia_valida(o.competencia))
    return fat_err_set(err, FAT_EINVAL, "competência inválida '%s' (use AAAA-MM)",
                       o.competencia);
  g = fat_rules_acquire(rq->srv->rules);
  rc = op != NULL ? fat_lote_fechar(rq->st, g, &o, &one, err)
                  : fat_lote_fechar_todas(rq->st, g, &o, &all, err);
  fat_gen_release(g);
  if (rc != FAT_OK)
    return rc;
  rs->json = cJSON_CreateObject();
  arr = cJSON_CreateArray();
  erros = cJSON_CreateArray();
  if (rs->json == NULL || !web_add(rs->json, "lotes", arr) || !web_add(rs->json, "erros", erros)) {
    if (rs->json == NULL || arr == NULL)
      cJSON_Delete(erros);
    rc = fat_err_oom(err);
  }
  if (rc == FAT_OK)
    rc = op != NULL ? add_lotes(arr, one.lotes, one.n, err) : add_lotes(arr, all.lotes, all.n, err);
  for (i = 0; rc == FAT_OK && i < all.n_erros; i++) {
    cJSON *e = cJSON_CreateObject();

    if (e == NULL || !cJSON_AddItemToArray(erros, e)) {
      cJSON_Delete(e);
      rc = fat_err_oom(err);
    } else if (cJSON_AddStringToObject(e, "operadora", all.erros[i].operadora) == NULL ||
               cJSON_AddStringToObject(e, "code", fat_rc_code(all.erros[i].rc)) == NULL ||
               cJSON_AddStringToObject(e, "message", all.erros[i].mensagem) == NULL) {
      rc = fat_err_oom(err);
    }
  }
  /* guias held back because the TISS XSD cannot carry them */
  if (rc == FAT_OK) {
    const fat_lote_retida *rv = op != NULL ? one.retidas : all.retidas;
    size_t nr = op != NULL ? one.n_retidas : all.n_retidas;
    cJSON *ret = cJSON_CreateArray();

    if (ret == NULL || !web_add(rs->json, "retidas", ret))
      rc = fat_err_oom(err);
    for (i = 0; rc == FAT_OK && i < nr; i++) {
      cJSON *e = cJSON_CreateObject();

      if (e == NULL || !cJSON_AddItemToArray(ret, e)) {
        cJSON_Delete(e);
        rc = fat_err_oom(err);
      } else if (cJSON_AddNumberToObject(e, "guia_id", (double)rv[i].guia_id) == NULL ||
                 cJSON_AddStringToObject(e, "numero", rv[i].numero) == NULL ||
                 cJSON_AddStringToObject(e, "campo", rv[i].campo) == NULL ||
                 cJSON_AddStringToObject(e, "motivo", rv[i].motivo) == NULL) {
        rc = fat_err_oom(err);
      }
    }
  }
  guias = op != NULL ? one.guias : all.guias;
  fat_lote_fechar_res_fini(&one);
  fat_lote_fechar_todas_res_fini(&all);
  if (rc != FAT_OK)
    return rc;
  snprintf(rs->objeto, sizeof rs->objeto, "lotes:%s", op != NULL ? op : "todas");
  snprintf(rs->detalhe, sizeof rs->detalhe, "%d lote(s), %zu guia(s)", cJSON_GetArraySize(arr),
           guias);
  return cJSON_AddNumberToObject(rs->json, "guias", (double)guias) != NULL ? FAT_OK
                                                                          : fat_err_oom(err);
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

/* {classificacao, evidencia}: a person's decision; {} = the automatic one. */
fat_rc api_glosa_classificar(web_req *rq, web_res *rs, fat_err *err)
{
  const char *cls = nonempty(web_json_str(rq, "classificacao"));
  fat_gen *g;
  int64_t id;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc != FAT_OK)
    return rc;
  if (cls != NULL) {
    rc = fat_glosa_classificar_manual(rq->st, id, cls, web_json_str(rq, "evidencia"), err);
  } else {
    g = fat_rules_acquire(rq->srv->rules);
    rc = fat_glosa_classificar(rq->st, g, id, err);
    fat_gen_release(g);
  }
  if (rc != FAT_OK)
    return rc;
  snprintf(rs->objeto, sizeof rs->objeto, "glosa:%lld", (long long)id);
  snprintf(rs->detalhe, sizeof rs->detalhe, "%s", cls != NULL ? cls : "automatica");
  return fat_relatorio_glosa(rq->st, id, &rs->json, err);
}

/* ------------------------------------------------------ rule simulation */

fat_rc api_regras_simular(web_req *rq, web_res *rs, fat_err *err)
{
  const char *key, *desde = nonempty(web_json_str(rq, "desde"));
  fat_simular_res res;
  fat_rc rc = web_param_key(rq, 0, &key, err);

  if (rc != FAT_OK)
    return rc;
  rc = fat_simular_rascunho(rq->st, rq->srv->regras_dir, key, desde, &res, err);
  if (rc != FAT_OK)
    return rc;
  rs->json = fat_simular_res_json(&res);
  fat_simular_res_fini(&res);
  snprintf(rs->objeto, sizeof rs->objeto, "regra:%s", key);
  return rs->json != NULL ? FAT_OK : fat_err_oom(err);
}
