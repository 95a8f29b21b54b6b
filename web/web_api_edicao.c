/* web_api_edicao.c: correct, cancel and read the history of a guia; the
** finding worklist and batch acknowledgement (Part L; the engine is
** fat_guia_edit.h, fat_rel_achados.h and fat_achado_papel.h, the routes and
** bodies are in docs/guias.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fat_acesso_log.h"
#include "fat_achado_papel.h"
#include "fat_anexo.h"
#include "fat_guia_edit.h"
#include "fat_mem.h"
#include "fat_rel.h"
#include "fat_rel_achados.h"
#include "web_int.h"

/* The patch of a PATCH /api/guias/{id} body: "alteracao" (the guia's JSON
** form with what changes), "campos" ({"caminho": "valor"}: senha,
** executante.cbo, itens[2].quantidade...) and "remover_itens" ([3, 4]), in
** this order, into one patch. *out owned by the caller. */
static fat_rc patch_do_corpo(const web_req *rq, cJSON **out, fat_err *err)
{
  const cJSON *alt = cJSON_GetObjectItemCaseSensitive(rq->json, "alteracao");
  const cJSON *campos = cJSON_GetObjectItemCaseSensitive(rq->json, "campos");
  const cJSON *rem = cJSON_GetObjectItemCaseSensitive(rq->json, "remover_itens");
  const cJSON *m;
  cJSON *p;
  fat_rc rc = FAT_OK;

  *out = NULL;
  if (rq->json == NULL || (alt == NULL && campos == NULL && rem == NULL))
    return fat_err_set(err, FAT_EINVAL,
                       "envie um objeto JSON com alteracao, campos ou remover_itens");
  if (alt != NULL && !cJSON_IsObject(alt))
    return fat_err_set(err, FAT_EINVAL, "alteracao: objeto esperado");
  if (campos != NULL && !cJSON_IsObject(campos))
    return fat_err_set(err, FAT_EINVAL, "campos: objeto {\"campo\": \"valor\"} esperado");
  if (rem != NULL && !cJSON_IsArray(rem))
    return fat_err_set(err, FAT_EINVAL, "remover_itens: lista de números de item esperada");
  p = alt != NULL ? cJSON_Duplicate(alt, 1) : cJSON_CreateObject();
  if (p == NULL)
    return fat_err_oom(err);
  cJSON_ArrayForEach(m, campos)
  {
    if (!cJSON_IsString(m) && !cJSON_IsNull(m)) {
      rc = fat_err_set(err, FAT_EINVAL, "campos.%s: valor em texto esperado", m->string);
      break;
    }
    rc = fat_guia_patch_campo(p, m->string, cJSON_IsString(m) ? m->valuestring : NULL, err);
    if (rc != FAT_OK)
      break;
  }
  cJSON_ArrayForEach(m, rem)
  {
    if (rc != FAT_OK)
      break;
    if (!cJSON_IsNumber(m) || m->valuedouble < 1 || m->valuedouble > 100000 ||
        m->valuedouble != (double)m->valueint) {
      rc = fat_err_set(err, FAT_EINVAL, "remover_itens: números de item (1, 2, ...) esperados");
      break;
    }
    rc = fat_guia_patch_remover_item(p, m->valueint, err);
  }
  if (rc != FAT_OK) {
    cJSON_Delete(p);
    return rc;
  }
  *out = p;
  return FAT_OK;
}

static fat_rc responder(web_res *rs, const fat_guia_mudanca *m, const char *feito, fat_err *err)
{
  rs->json = fat_guia_mudanca_json(m);
  if (rs->json == NULL)
    return fat_err_oom(err);
  snprintf(rs->objeto, sizeof rs->objeto, "guia:%lld", (long long)m->guia_id);
  snprintf(rs->detalhe, sizeof rs->detalhe, "%s, revisão %lld, %s", feito, (long long)m->revisao,
           m->status);
  return FAT_OK;
}

/* PATCH /api/guias/{id} {alteracao?, campos?, remover_itens?, motivo?} */
fat_rc api_guia_editar(web_req *rq, web_res *rs, fat_err *err)
{
  fat_guia_edit_opts o;
  fat_guia_mudanca m;
  cJSON *patch = NULL;
  int64_t id;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc == FAT_OK)
    rc = patch_do_corpo(rq, &patch, err);
  if (rc != FAT_OK)
    return rc;
  memset(&o, 0, sizeof o);
  o.rules = rq->srv->rules;
  o.motivo = web_json_str(rq, "motivo");
  rc = fat_guia_editar(rq->st, id, patch, &o, &m, err);
  if (rc == FAT_OK)
    rc = responder(rs, &m, "corrigida", err);
  fat_guia_mudanca_fini(&m);
  cJSON_Delete(patch);
  return rc;
}

/* POST /api/guias/{id}/cancelar {motivo} */
fat_rc api_guia_cancelar(web_req *rq, web_res *rs, fat_err *err)
{
  fat_guia_edit_opts o;
  fat_guia_mudanca m;
  int64_t id;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc != FAT_OK)
    return rc;
  memset(&o, 0, sizeof o);
  o.rules = rq->srv->rules;
  o.motivo = web_json_str(rq, "motivo");
  rc = fat_guia_cancelar(rq->st, id, &o, &m, err);
  if (rc == FAT_OK)
    rc = responder(rs, &m, "cancelada", err);
  fat_guia_mudanca_fini(&m);
  return rc;
}

/* GET /api/guias/{id}/historico -> {revisoes: [...]} */
fat_rc api_guia_historico(web_req *rq, web_res *rs, fat_err *err)
{
  cJSON *arr = NULL;
  fat_leitor l;
  int64_t id;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc == FAT_OK)
    rc = fat_guia_historico(rq->st, id, &arr, err);
  if (rc != FAT_OK)
    return rc;
  /* the revisions carry fields before and after (CPF, carteira): a full read */
  web_leitor(rq, &l);
  rc = fat_acesso_registrar(rq->st, &l, FAT_ACESSO_GUIA, &id, 1, 1, err);
  if (rc != FAT_OK) {
    cJSON_Delete(arr);
    return rc;
  }
  return web_reply_wrap(rs, "revisoes", arr, err);
}

typedef struct achados_csv {
  fat_store *st;
  const fat_achados_filtro *f;
} achados_csv;

static fat_rc achados_csv_fn(void *ctx, fat_escrita w, void *u, fat_err *err)
{
  const achados_csv *a = ctx;

  return fat_rel_achados_csv_escrever(a->st, a->f, w, u, err);
}

static fat_rc achados_xlsx_fn(void *ctx, const char *path, fat_err *err)
{
  const achados_csv *a = ctx;

  return fat_rel_achados_xlsx(a->st, a->f, path, err);
}

/* GET /api/achados: the worklist (fat_rel_achados.h) with the filters
** operadora, codigo, severidade, competencia, profissional, guia and
** reconhecidos (nao | sim | todos), one page of lines (limite, apos; the
** report gets "proximo": the next page's cursor or null; totals and
** per-code on the first page only); ?formato=csv|xlsx downloads every line. */
fat_rc api_achados_listar(web_req *rq, web_res *rs, fat_err *err)
{
  const char *formato = web_query_nonempty(rq, "formato");
  const char *rec = web_query_nonempty(rq, "reconhecidos");
  const char *guia = web_query_nonempty(rq, "guia");
  fat_achados_filtro f;
  fat_pagina pag;
  cJSON *rel = NULL;
  char *end = NULL;
  fat_rc rc;

  memset(&f, 0, sizeof f);
  if (formato == NULL || strcmp(formato, "json") == 0) {
    rc = web_pagina(rq, &pag, err);
    if (rc != FAT_OK)
      return rc;
    f.pagina = &pag;
  }
  f.operadora = web_query_nonempty(rq, "operadora");
  f.codigo = web_query_nonempty(rq, "codigo");
  f.severidade = web_query_nonempty(rq, "severidade");
  f.competencia = web_query_nonempty(rq, "competencia");
  f.profissional = web_query_nonempty(rq, "profissional");
  if (guia != NULL) {
    long long g = strtoll(guia, &end, 10);

    if (end == guia || *end != '\0' || g <= 0)
      return fat_err_set(err, FAT_EINVAL, "guia: id numérico esperado");
    f.guia_id = g;
  }
  if (rec == NULL || strcmp(rec, "nao") == 0)
    f.reconhecidos = 0;
  else if (strcmp(rec, "sim") == 0)
    f.reconhecidos = 1;
  else if (strcmp(rec, "todos") == 0)
    f.reconhecidos = 2;
  else
    return fat_err_set(err, FAT_EINVAL, "reconhecidos: nao, sim ou todos");
  if (formato != NULL && strcmp(formato, "csv") == 0) {
    achados_csv a = {rq->st, &f};

    /* every line, read page by page and sent from a removed temporary
    ** file: neither the document nor its text is held whole */
    rc = web_res_fluxo(rs, achados_csv_fn, &a, err);
    if (rc == FAT_OK) {
      rs->content_type = "text/csv; charset=utf-8";
      snprintf(rs->filename, sizeof rs->filename, "achados.csv");
    }
    return rc;
  }
  if (formato != NULL && strcmp(formato, "xlsx") == 0) {
    achados_csv a = {rq->st, &f};

    /* written as the lines are read, sent from a removed temporary file */
    rc = web_res_xlsx(rs, achados_xlsx_fn, &a, err);
    if (rc == FAT_OK) {
      rs->content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
      snprintf(rs->filename, sizeof rs->filename, "achados.xlsx");
    }
    return rc;
  }
  rc = fat_rel_achados(rq->st, &f, &rel, err);
  if (rc != FAT_OK)
    return rc;
  if (formato == NULL || strcmp(formato, "json") == 0) {
    rs->json = rel;
    if ((pag.proximo[0] != '\0' ? cJSON_AddStringToObject(rel, "proximo", pag.proximo)
                                : cJSON_AddNullToObject(rel, "proximo")) == NULL)
      return fat_err_oom(err);
    return FAT_OK;
  }
  cJSON_Delete(rel);
  return fat_err_set(err, FAT_EINVAL, "formato '%s' inválido (json, csv ou xlsx)", formato);
}

/* POST /api/achados/reconhecer {"ids": [..], "motivo": "..."}: one motive,
** all or none, each finding checked against the user's role and audited. */
fat_rc api_achados_reconhecer(web_req *rq, web_res *rs, fat_err *err)
{
  const cJSON *ids = cJSON_GetObjectItemCaseSensitive(rq->json, "ids"), *it;
  int64_t *v = NULL;
  size_t n = 0, guias = 0;
  fat_rc rc = FAT_OK;

  if (!cJSON_IsArray(ids) || cJSON_GetArraySize(ids) == 0 ||
      cJSON_GetArraySize(ids) > FAT_ACHADOS_LOTE_MAX)
    return fat_err_set(err, FAT_EINVAL, "ids: lista de 1 a %d ids de achado esperada",
                       FAT_ACHADOS_LOTE_MAX);
  v = fat_calloc((size_t)cJSON_GetArraySize(ids), sizeof *v);
  if (v == NULL)
    return fat_err_oom(err);
  cJSON_ArrayForEach(it, ids)
  {
    if (!cJSON_IsNumber(it) || it->valuedouble < 1 || it->valuedouble > 9e15 ||
        it->valuedouble != (double)(int64_t)it->valuedouble) {
      rc = fat_err_set(err, FAT_EINVAL, "ids[%zu]: id de achado inválido", n + 1);
      goto out;
    }
    v[n++] = (int64_t)it->valuedouble;
  }
  rc = fat_achado_reconhecer_varios(rq->st, v, n, web_json_str(rq, "motivo"),
                                    &rq->sessao->papel, &guias, err);
  if (rc != FAT_OK)
    goto out;
  snprintf(rs->objeto, sizeof rs->objeto, "achados:%zu", n);
  snprintf(rs->detalhe, sizeof rs->detalhe, "%zu achado(s) em %zu guia(s)", n, guias);
  rs->json = cJSON_CreateObject();
  if (rs->json == NULL || cJSON_AddNumberToObject(rs->json, "reconhecidos", (double)n) == NULL ||
      cJSON_AddNumberToObject(rs->json, "guias", (double)guias) == NULL)
    rc = fat_err_oom(err);
out:
  fat_free(v);
  return rc;
}

/* ------------------------------------------------------------ anexos */

/* GET /api/guias/{id}/anexos: the guia's attachments (no content). */
fat_rc api_guia_anexos(web_req *rq, web_res *rs, fat_err *err)
{
  cJSON *arr = NULL;
  fat_leitor l;
  int64_t id;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc == FAT_OK)
    rc = fat_anexo_listar(rq->st, id, &arr, err);
  if (rc != FAT_OK)
    return rc;
  /* the attachments' names and kinds of the guia: a (masked) read of it */
  web_leitor(rq, &l);
  rc = fat_acesso_registrar(rq->st, &l, FAT_ACESSO_GUIA, &id, 1, 0, err);
  if (rc != FAT_OK) {
    cJSON_Delete(arr);
    return rc;
  }
  return web_reply_wrap(rs, "anexos", arr, err);
}

/* POST /api/guias/{id}/anexos?tipo=laudo&arquivo=NOME: the file is the body. */
fat_rc api_guia_anexar(web_req *rq, web_res *rs, fat_err *err)
{
  const char *q = web_query(rq, "arquivo");
  char nome[FAT_ANEXO_NOME_MAX + 1];
  fat_anexo_info a;
  int64_t id;
  size_t i, o = 0;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc != FAT_OK)
    return rc;
  for (i = 0; q != NULL && q[i] != '\0' && o + 1 < sizeof nome; i++) {
    unsigned char c = (unsigned char)q[i];

    if (c >= 0x20 && c != '/' && c != '\\' && c != 0x7f)
      nome[o++] = (char)c;
  }
  nome[o] = '\0';
  rc = fat_anexo_adicionar(rq->st, id, web_query(rq, "tipo"), o > 0 ? nome : "anexo", rq->body,
                           rq->body_len, &a, err);
  if (rc != FAT_OK)
    return rc;
  snprintf(rs->objeto, sizeof rs->objeto, "guia:%lld", (long long)id);
  snprintf(rs->detalhe, sizeof rs->detalhe, "anexo %lld %s", (long long)a.id, a.tipo);
  rs->json = cJSON_CreateObject();
  if (rs->json == NULL || cJSON_AddNumberToObject(rs->json, "id", (double)a.id) == NULL ||
      cJSON_AddNumberToObject(rs->json, "guia_id", (double)id) == NULL ||
      cJSON_AddStringToObject(rs->json, "tipo", a.tipo) == NULL ||
      cJSON_AddStringToObject(rs->json, "nome", a.nome) == NULL ||
      cJSON_AddStringToObject(rs->json, "mime", a.mime) == NULL ||
      cJSON_AddNumberToObject(rs->json, "tamanho", (double)a.tamanho) == NULL ||
      cJSON_AddStringToObject(rs->json, "sha256", a.sha256) == NULL)
    return fat_err_oom(err);
  return FAT_OK;
}

/* GET /api/anexos/{id}: the file, as it was attached. */
fat_rc api_anexo_baixar(web_req *rq, web_res *rs, fat_err *err)
{
  fat_anexo_info a;
  fat_leitor l;
  int64_t id;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc == FAT_OK)
    rc = fat_anexo_ler(rq->st, id, &rs->raw, &rs->raw_len, &a, err);
  if (rc != FAT_OK)
    return rc;
  /* the file itself is patient data: the read of its guia is recorded before
     it is sent */
  web_leitor(rq, &l);
  rc = fat_acesso_registrar(rq->st, &l, FAT_ACESSO_GUIA, &a.guia_id, 1, 1, err);
  if (rc != FAT_OK) {
    fat_free(rs->raw);
    rs->raw = NULL;
    rs->raw_len = 0;
    return rc;
  }
  rs->content_type = strcmp(a.mime, "application/pdf") == 0 ? "application/pdf"
                     : strcmp(a.mime, "image/png") == 0     ? "image/png"
                                                            : "image/jpeg";
  web_safe_filename(rs->filename, sizeof rs->filename, a.nome, "anexo");
  return FAT_OK;
}
