/* web_api_financeiro.c: the money side in the panel (Part G). Every handler
** parses the request and calls one engine function (6_financeiro); roles are
** in the route table (faturista enters, supervisor confirms and closes). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fat_conciliacao.h"
#include "fat_fatura.h"
#include "fat_fin_check.h"
#include "fat_lgpd.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_money.h"
#include "fat_particular.h"
#include "fat_repasse.h"
#include "web_int.h"

/* A money field: a number of centavos or a text in reais ("1.234,56"). */
static fat_rc json_money(const web_req *rq, const char *k, int64_t *out, fat_err *err)
{
  const cJSON *x = rq->json != NULL ? cJSON_GetObjectItemCaseSensitive(rq->json, k) : NULL;

  *out = 0;
  if (x == NULL || cJSON_IsNull(x))
    return FAT_OK;
  if (cJSON_IsNumber(x)) {
    *out = (int64_t)x->valuedouble;
    return FAT_OK;
  }
  if (cJSON_IsString(x) && x->valuestring[0] != '\0') {
    fat_rc rc = fat_money_parse(x->valuestring, out, err);

    return rc == FAT_OK ? FAT_OK : fat_err_prefix(err, "%s: ", k);
  }
  return fat_err_set(err, FAT_EINVAL, "%s: valor inválido", k);
}

fat_rc api_fin_mapa(web_req *rq, web_res *rs, fat_err *err)
{
  return fat_fatura_mapa(rq->st, web_query(rq, "operadora"), web_query(rq, "competencia"),
                         web_query(rq, "hoje"), &rs->json, err);
}

fat_rc api_fin_faturas(web_req *rq, web_res *rs, fat_err *err)
{
  return fat_fatura_listar(rq->st, web_query(rq, "operadora"), web_query(rq, "competencia"),
                           &rs->json, err);
}

fat_rc api_fin_fatura(web_req *rq, web_res *rs, fat_err *err)
{
  int64_t id;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc != FAT_OK)
    return rc;
  return fat_fatura_mostrar(rq->st, id, web_query(rq, "hoje"), &rs->json, err);
}

/* A fatura's lotes page by page (?apos = the last lote id of the previous
** page, ?limite): {lotes, proximo}. */
fat_rc api_fin_fatura_lotes(web_req *rq, web_res *rs, fat_err *err)
{
  int64_t id, apos = 0, prox = 0;
  fat_pagina p;
  cJSON *rows = NULL;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc == FAT_OK)
    rc = web_pagina(rq, &p, err);
  if (rc == FAT_OK && p.apos != NULL)
    rc = web_id_parse(p.apos, "apos", &apos, err);
  if (rc == FAT_OK)
    rc = fat_fatura_lotes(rq->st, id, apos, p.limite, &prox, &rows, err);
  if (rc != FAT_OK)
    return rc;
  if (prox > 0)
    snprintf(p.proximo, sizeof p.proximo, "%lld", (long long)prox);
  return web_reply_page(rs, "lotes", rows, &p, err);
}

fat_rc api_fin_fatura_criar(web_req *rq, web_res *rs, fat_err *err)
{
  const cJSON *arr = rq->json != NULL ? cJSON_GetObjectItemCaseSensitive(rq->json, "lotes") : NULL;
  int64_t lotes[256], id = 0;
  size_t n = 0;
  const cJSON *v;
  fat_gen *g;
  fat_rc rc;

  if (arr != NULL && !cJSON_IsNull(arr) && !cJSON_IsArray(arr))
    return fat_err_set(err, FAT_EINVAL, "lotes: deve ser uma lista de ids");
  cJSON_ArrayForEach(v, arr) {
    if (n >= 256)
      return fat_err_set(err, FAT_EINVAL, "lotes: no máximo 256");
    rc = web_id_json(v, "lotes", &lotes[n++], err);
    if (rc != FAT_OK)
      return rc;
  }
  g = fat_rules_acquire(rq->srv->rules);
  rc = fat_fatura_criar(rq->st, g, web_json_str(rq, "operadora"), web_json_str(rq, "competencia"),
                        lotes, n, &id, err);
  fat_gen_release(g);
  if (rc != FAT_OK)
    return rc;
  snprintf(rs->objeto, sizeof rs->objeto, "fatura:%lld", (long long)id);
  return fat_fatura_mostrar(rq->st, id, NULL, &rs->json, err);
}

fat_rc api_fin_fatura_nf(web_req *rq, web_res *rs, fat_err *err)
{
  int64_t id, valor;
  fat_gen *g;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc == FAT_OK)
    rc = json_money(rq, "valor", &valor, err);
  if (rc != FAT_OK)
    return rc;
  g = fat_rules_acquire(rq->srv->rules);
  rc = fat_fatura_nf(rq->st, g, id, web_json_str(rq, "numero"), web_json_str(rq, "serie"),
                     web_json_str(rq, "data"), valor, err);
  fat_gen_release(g);
  if (rc != FAT_OK)
    return rc;
  snprintf(rs->objeto, sizeof rs->objeto, "fatura:%lld", (long long)id);
  return fat_fatura_mostrar(rq->st, id, NULL, &rs->json, err);
}

fat_rc api_fin_recebimentos(web_req *rq, web_res *rs, fat_err *err)
{
  return fat_recebimento_listar(rq->st, web_query(rq, "operadora"), web_query(rq, "de"),
                                web_query(rq, "ate"), &rs->json, err);
}

fat_rc api_fin_recebimento_criar(web_req *rq, web_res *rs, fat_err *err)
{
  fat_recebimento_in in;
  int64_t id = 0;
  fat_rc rc;

  memset(&in, 0, sizeof in);
  rc = web_body_id(rq, "fatura", 0, &in.fatura_id, err);
  if (rc == FAT_OK)
    rc = web_body_id(rq, "lote", 0, &in.lote_id, err);
  if (rc == FAT_OK)
    rc = web_body_id(rq, "demonstrativo", 0, &in.pagamento_id, err);
  if (rc == FAT_OK)
    rc = web_body_id(rq, "recurso", 0, &in.recurso_id, err);
  if (rc != FAT_OK)
    return rc;
  in.data = web_json_str(rq, "data");
  in.descricao = web_json_str(rq, "descricao");
  in.aceitar_excedente = web_json_bool(rq, "aceitar_excedente", 0);
  rc = json_money(rq, "valor", &in.valor, err);
  if (rc == FAT_OK)
    rc = fat_recebimento_registrar(rq->st, &in, &id, err);
  if (rc != FAT_OK)
    return rc;
  snprintf(rs->objeto, sizeof rs->objeto, "recebimento:%lld", (long long)id);
  rs->json = cJSON_CreateObject();
  if (rs->json == NULL || !web_add(rs->json, "id", cJSON_CreateNumber((double)id)))
    return fat_err_oom(err);
  return FAT_OK;
}

fat_rc api_fin_extrato_importar(web_req *rq, web_res *rs, fat_err *err)
{
  const char *nome = web_query(rq, "nome");
  fat_extrato_res res;
  fat_rc rc;

  if (rq->body == NULL || rq->body_len == 0)
    return fat_err_set(err, FAT_EINVAL, "envie o arquivo do extrato (OFX ou CNAB)");
  rc = fat_extrato_importar(rq->st, nome != NULL ? nome : "extrato", rq->body, rq->body_len, &res,
                            err);
  if (rc != FAT_OK)
    return rc;
  snprintf(rs->objeto, sizeof rs->objeto, "extrato:%lld", (long long)res.extrato_id);
  rs->json = cJSON_CreateObject();
  if (rs->json == NULL)
    return fat_err_oom(err);
  if (!web_add(rs->json, "extrato_id", cJSON_CreateNumber((double)res.extrato_id)) ||
      !web_add(rs->json, "ja_importado", cJSON_CreateBool(res.ja_importado)) ||
      !web_add(rs->json, "formato", cJSON_CreateString(res.formato)) ||
      !web_add(rs->json, "inicio", cJSON_CreateString(res.inicio)) ||
      !web_add(rs->json, "fim", cJSON_CreateString(res.fim)) ||
      !web_add(rs->json, "linhas", cJSON_CreateNumber((double)res.linhas)) ||
      !web_add(rs->json, "creditos", cJSON_CreateNumber((double)res.creditos)))
    return fat_err_oom(err);
  return FAT_OK;
}

fat_rc api_fin_conciliacao(web_req *rq, web_res *rs, fat_err *err)
{
  return fat_conciliacao_pendentes(rq->st, &rs->json, err);
}

fat_rc api_fin_conciliacao_propor(web_req *rq, web_res *rs, fat_err *err)
{
  fat_gen *g = fat_rules_acquire(rq->srv->rules);
  fat_rc rc = fat_conciliacao_propor(rq->st, g, &rs->json, err);

  fat_gen_release(g);
  return rc;
}

static fat_rc decidir(web_req *rq, web_res *rs, int confirmar, fat_err *err)
{
  int64_t id;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc != FAT_OK)
    return rc;
  rc = confirmar ? fat_conciliacao_confirmar(rq->st, id, web_json_bool(rq, "aceitar_excedente", 0),
                                             err)
                 : fat_conciliacao_rejeitar(rq->st, id, err);
  if (rc != FAT_OK)
    return rc;
  snprintf(rs->objeto, sizeof rs->objeto, "conciliacao:%lld", (long long)id);
  return fat_conciliacao_pendentes(rq->st, &rs->json, err);
}

fat_rc api_fin_conciliacao_confirmar(web_req *rq, web_res *rs, fat_err *err)
{
  return decidir(rq, rs, 1, err);
}

fat_rc api_fin_conciliacao_rejeitar(web_req *rq, web_res *rs, fat_err *err)
{
  return decidir(rq, rs, 0, err);
}

fat_rc api_fin_particulares(web_req *rq, web_res *rs, fat_err *err)
{
  static const fat_lgpd_campo campos[] = {{"cpf", FAT_DADO_CPF}, {NULL, FAT_DADO_CPF}};
  fat_leitor l;
  fat_rc rc = fat_particular_listar(rq->st, web_query(rq, "situacao"), &rs->json, err);

  web_leitor(rq, &l);
  if (rc == FAT_OK)
    rc = fat_lgpd_lista(rq->st, &l, FAT_ACESSO_PARTICULAR, rs->json, campos, err);
  return rc;
}

fat_rc api_fin_particular_criar(web_req *rq, web_res *rs, fat_err *err)
{
  fat_particular_in in;
  int64_t id = 0;
  fat_rc rc;

  memset(&in, 0, sizeof in);
  in.paciente_nome = web_json_str(rq, "paciente");
  in.paciente_cpf = web_json_str(rq, "cpf");
  in.data = web_json_str(rq, "data");
  in.codigo = web_json_str(rq, "codigo");
  in.descricao = web_json_str(rq, "descricao");
  rc = web_body_id(rq, "profissional", 0, &in.profissional_id, err);
  if (rc == FAT_OK)
    rc = json_money(rq, "valor", &in.valor, err);
  if (rc == FAT_OK)
    rc = fat_particular_registrar(rq->st, &in, &id, err);
  if (rc != FAT_OK)
    return rc;
  snprintf(rs->objeto, sizeof rs->objeto, "particular:%lld", (long long)id);
  return fat_particular_mostrar(rq->st, id, &rs->json, err);
}

fat_rc api_fin_particular_pagar(web_req *rq, web_res *rs, fat_err *err)
{
  fat_particular_pag_in in;
  int64_t parcelas = 0, recibo = 0;
  fat_rc rc;

  memset(&in, 0, sizeof in);
  rc = web_param_id(rq, 0, &in.particular_id, err);
  if (rc != FAT_OK)
    return rc;
  in.forma = web_json_str(rq, "forma");
  in.data = web_json_str(rq, "data");
  in.adquirente = web_json_str(rq, "adquirente");
  rc = web_body_id(rq, "parcelas", 0, &parcelas, err);
  if (rc != FAT_OK)
    return rc;
  if (parcelas > 24)
    return fat_err_set(err, FAT_EINVAL, "parcelas: de 1 a 24");
  if (parcelas == 0)
    parcelas = 1;
  in.parcelas = (int)parcelas;
  rc = json_money(rq, "valor", &in.valor, err);
  if (rc == FAT_OK)
    rc = fat_particular_pagar(rq->st, &in, NULL, &recibo, err);
  if (rc != FAT_OK)
    return rc;
  snprintf(rs->objeto, sizeof rs->objeto, "particular:%lld", (long long)in.particular_id);
  snprintf(rs->detalhe, sizeof rs->detalhe, "recibo %lld", (long long)recibo);
  rc = fat_particular_mostrar(rq->st, in.particular_id, &rs->json, err);
  if (rc == FAT_OK && !web_add(rs->json, "recibo", cJSON_CreateNumber((double)recibo)))
    return fat_err_oom(err);
  return rc;
}

fat_rc api_fin_recibo(web_req *rq, web_res *rs, fat_err *err)
{
  int64_t id;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc != FAT_OK)
    return rc;
  rc = fat_particular_recibo_html(rq->st, id, &rs->raw, &rs->raw_len, err);
  if (rc != FAT_OK)
    return rc;
  rs->content_type = "text/html; charset=utf-8";
  return FAT_OK;
}

static fat_rc no_buf(void *u, const char *p, size_t n, fat_err *err)
{
  return fat_buf_append(u, p, n, err);
}

/* The statement's JSON text written as the engine reads it (the same bytes
** as the object printed; ~10x less memory than the object of every line),
** with the members of mais after the totals. */
static fat_rc repasse_texto(web_req *rq, web_res *rs, const char *periodo, const cJSON *mais,
                            fat_err *err)
{
  fat_buf b;
  fat_rc rc;

  fat_buf_init(&b, (size_t)1 << 30);
  rc = fat_repasse_extrato_json_escrever(rq->st, periodo, 0, mais, no_buf, &b, err);
  if (rc != FAT_OK) {
    fat_buf_fini(&b);
    return rc;
  }
  rs->raw_len = b.len;
  rs->raw = fat_buf_take(&b);
  if (rs->raw == NULL)
    return fat_err_oom(err);
  rs->content_type = "application/json; charset=utf-8";
  return FAT_OK;
}

fat_rc api_fin_repasse(web_req *rq, web_res *rs, fat_err *err)
{
  return repasse_texto(rq, rs, web_query(rq, "periodo"), NULL, err);
}

fat_rc api_fin_repasse_calcular(web_req *rq, web_res *rs, fat_err *err)
{
  const char *p = web_json_str(rq, "periodo");
  fat_gen *g = fat_rules_acquire(rq->srv->rules);
  cJSON *avisos = NULL, *mais = NULL;
  fat_rc rc = fat_repasse_calcular_avisos(rq->st, g, p, &avisos, err);

  fat_gen_release(g);
  if (rc == FAT_OK) {
    snprintf(rs->objeto, sizeof rs->objeto, "repasse:%.16s", p != NULL ? p : "");
    mais = cJSON_CreateObject();
    if (mais == NULL || !cJSON_AddItemToObject(mais, "avisos", avisos)) {
      cJSON_Delete(mais);
      cJSON_Delete(avisos);
      return fat_err_oom(err);
    }
    rc = repasse_texto(rq, rs, p, mais, err);
    cJSON_Delete(mais);
  }
  return rc;
}

fat_rc api_fin_repasse_decidir(web_req *rq, web_res *rs, fat_err *err)
{
  int64_t id;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc == FAT_OK)
    rc = fat_repasse_decidir(rq->st, id, web_json_str(rq, "decisao"), err);
  if (rc != FAT_OK)
    return rc;
  snprintf(rs->objeto, sizeof rs->objeto, "repasse_item:%lld", (long long)id);
  rs->json = cJSON_CreateObject();
  return rs->json != NULL ? FAT_OK : fat_err_oom(err);
}

fat_rc api_fin_repasse_fechar(web_req *rq, web_res *rs, fat_err *err)
{
  const char *p = web_json_str(rq, "periodo");
  fat_rc rc = fat_repasse_fechar(rq->st, p, err);

  if (rc != FAT_OK)
    return rc;
  snprintf(rs->objeto, sizeof rs->objeto, "repasse:%.16s", p != NULL ? p : "");
  return repasse_texto(rq, rs, p, NULL, err);
}

fat_rc api_fin_repasse_xlsx(web_req *rq, web_res *rs, fat_err *err)
{
  const char *p = web_query(rq, "periodo");
  char path[] = "/tmp/faturo_repasse_XXXXXX";
  int fd = mkstemp(path);
  fat_rc rc;

  if (fd < 0)
    return fat_err_set(err, FAT_EIO, "não foi possível criar o arquivo temporário");
  close(fd);
  rc = fat_repasse_extrato_xlsx(rq->st, p, 0, path, err);
  if (rc == FAT_OK)
    rc = fat_file_read(path, (size_t)32 << 20, &rs->raw, &rs->raw_len, err);
  unlink(path);
  if (rc != FAT_OK)
    return rc;
  rs->content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  snprintf(rs->filename, sizeof rs->filename, "repasse_%.7s.xlsx", p != NULL ? p : "");
  return FAT_OK;
}

fat_rc api_fin_verificar(web_req *rq, web_res *rs, fat_err *err)
{
  return fat_fin_verificar(rq->st, &rs->json, err);
}
