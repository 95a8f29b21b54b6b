/* web_api_paridade.c: what the faturista does daily in the CLI, in the panel
** (Part L, panel parity): import a file of guias and audit the clinic's
** schedule by upload, look a price up with its steps, register a manual
** glosa, and the recurso's detail (justifications, enviar, protocolo, answer
** per item). Each route calls the engine function the CLI verb calls. */
#include <stdio.h>
#include <string.h>

#include "fat_acesso_log.h"
#include "fat_agenda.h"
#include "fat_dia.h"
#include "fat_glosa.h"
#include "fat_import.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_price_consulta.h"
#include "fat_recurso.h"
#include "web_int.h"

/* The upload's file name from ?arquivo= kept to printable characters without
** path separators (dflt when empty). */
static void nome_arquivo(const web_req *rq, char *name, size_t len, const char *dflt)
{
  const char *q = web_query(rq, "arquivo");
  size_t i, o = 0;

  for (i = 0; q != NULL && q[i] != '\0' && o + 1 < len; i++) {
    unsigned char c = (unsigned char)q[i];

    if (c >= 0x20 && c != '/' && c != '\\' && c != 0x7f)
      name[o++] = (char)c;
  }
  name[o] = '\0';
  if (o == 0)
    snprintf(name, len, "%s", dflt);
}

/* POST /api/importar/guias?arquivo=NOME&formato=json|csv: the body is the file
** (fat_import_guias_buffer, as `faturo importar guias`): all or nothing, the
** refusal names the line (CSV) or index (JSON) and the field. */
fat_rc api_importar_guias(web_req *rq, web_res *rs, fat_err *err)
{
  const char *fq = web_query_nonempty(rq, "formato");
  fat_formato fmt = FAT_FMT_AUTO;
  fat_import_result res;
  char name[100];
  fat_rc rc;

  if (rq->body_len == 0)
    return fat_err_set(err, FAT_EINVAL, "envie o arquivo de guias (JSON ou CSV) no corpo");
  nome_arquivo(rq, name, sizeof name, "upload");
  if (fq != NULL) {
    int f = fat_formato_parse(fq);

    if (f < 0)
      return fat_err_set(err, FAT_EINVAL, "formato inválido '%s' (use json ou csv)", fq);
    fmt = (fat_formato)f;
  } else {
    fmt = fat_formato_from_path(name);
  }
  memset(&res, 0, sizeof res);
  rc = fat_import_guias_buffer(rq->st, rq->body, rq->body_len, fmt, name, &res, err);
  if (rc != FAT_OK) {
    fat_err_prefix(err, "%s: ", name);
    return rc;
  }
  snprintf(rs->objeto, sizeof rs->objeto, "importacao:%.80s", name);
  snprintf(rs->detalhe, sizeof rs->detalhe, "%ld nova(s), %ld atualizada(s), %ld item(ns)",
           res.novas, res.atualizadas, res.itens);
  rs->json = cJSON_CreateObject();
  if (rs->json == NULL || cJSON_AddStringToObject(rs->json, "arquivo", name) == NULL ||
      cJSON_AddNumberToObject(rs->json, "novas", (double)res.novas) == NULL ||
      cJSON_AddNumberToObject(rs->json, "atualizadas", (double)res.atualizadas) == NULL ||
      cJSON_AddNumberToObject(rs->json, "itens", (double)res.itens) == NULL ||
      cJSON_AddBoolToObject(rs->json, "latin1", res.latin1) == NULL)
    return fat_err_oom(err);
  return FAT_OK;
}

/* POST /api/auditoria/agenda?arquivo=NOME: the schedule CSV in the body
** (fat_agenda_auditar_buffer, as `faturo auditoria agenda`). */
fat_rc api_auditoria_agenda(web_req *rq, web_res *rs, fat_err *err)
{
  fat_leitor l;
  char name[100];
  fat_gen *g;
  fat_rc rc;

  if (rq->body_len == 0)
    return fat_err_set(err, FAT_EINVAL, "envie a agenda (CSV) no corpo");
  nome_arquivo(rq, name, sizeof name, "agenda.csv");
  g = fat_rules_acquire(rq->srv->rules);
  rc = fat_agenda_auditar_buffer(rq->st, g, rq->body, rq->body_len, &rs->json, err);
  fat_gen_release(g);
  if (rc != FAT_OK) {
    fat_err_prefix(err, "%s: ", name);
    return rc;
  }
  if (cJSON_AddStringToObject(rs->json, "arquivo", name) == NULL)
    return fat_err_oom(err);
  /* the guias it names carry their beneficiários: a read of them */
  web_leitor(rq, &l);
  rc = fat_acesso_registrar_linhas(rq->st, &l, FAT_ACESSO_GUIA,
                                   cJSON_GetObjectItemCaseSensitive(rs->json, "guias_de_faltas"),
                                   "guia_id", 1, err);
  if (rc == FAT_OK)
    rc = fat_acesso_registrar_linhas(
        rq->st, &l, FAT_ACESSO_GUIA,
        cJSON_GetObjectItemCaseSensitive(rs->json, "guias_sem_agendamento"), "guia_id", 1, err);
  return rc;
}

/* GET /api/preco?operadora&codigo&data&quantidade&plano&carater&via&hora&grau
** &tipo&tabela (fat_price_consultar, as `faturo preco`). */
fat_rc api_preco(web_req *rq, web_res *rs, fat_err *err)
{
  fat_price_consulta *res;
  fat_price_pedido q;
  fat_gen *g;
  fat_rc rc;

  memset(&q, 0, sizeof q);
  q.operadora = web_query_nonempty(rq, "operadora");
  q.codigo = web_query_nonempty(rq, "codigo");
  q.data = web_query_nonempty(rq, "data");
  q.quantidade = web_query_nonempty(rq, "quantidade");
  q.plano = web_query_nonempty(rq, "plano");
  q.carater = web_query_nonempty(rq, "carater");
  q.via = web_query_nonempty(rq, "via");
  q.hora = web_query_nonempty(rq, "hora");
  q.grau = web_query_nonempty(rq, "grau");
  q.tipo = web_query_nonempty(rq, "tipo");
  q.tabela = web_query_nonempty(rq, "tabela");
  res = fat_calloc(1, sizeof *res);
  if (res == NULL)
    return fat_err_oom(err);
  g = fat_rules_acquire(rq->srv->rules);
  rc = fat_price_consultar(rq->st, g, &q, res, err);
  fat_gen_release(g);
  if (rc == FAT_OK) {
    rs->json = fat_price_consulta_json(res);
    if (rs->json == NULL)
      rc = fat_err_oom(err);
  }
  fat_free(res);
  return rc;
}

/* POST /api/glosas {guia (número no prestador or "#ID"), operadora, item
** (sequencial, 1-based; absent = the whole guia), codigo, valor (centavos;
** absent = all still unglosed), observacao}: a manual glosa
** (fat_glosa_registrar, as `faturo glosa registrar`). */
fat_rc api_glosa_registrar(web_req *rq, web_res *rs, fat_err *err)
{
  const cJSON *item = rq->json != NULL ? cJSON_GetObjectItemCaseSensitive(rq->json, "item") : NULL;
  fat_glosa_nova g;
  int64_t id = 0, seq = 0;
  fat_gen *gen;
  fat_rc rc;

  memset(&g, 0, sizeof g);
  g.guia = web_json_str(rq, "guia");
  g.operadora = web_json_str(rq, "operadora");
  g.codigo = web_json_str(rq, "codigo");
  g.observacao = web_json_str(rq, "observacao");
  if (g.operadora != NULL && g.operadora[0] == '\0')
    g.operadora = NULL;
  if (g.observacao != NULL && g.observacao[0] == '\0')
    g.observacao = NULL;
  if (g.guia == NULL || g.guia[0] == '\0')
    return fat_err_set(err, FAT_EINVAL, "guia: informe o número da guia no prestador");
  if (g.codigo == NULL || g.codigo[0] == '\0')
    return fat_err_set(err, FAT_EINVAL, "codigo: informe o código de glosa (tabela TISS 38)");
  if (item != NULL && !cJSON_IsNull(item) &&
      !(cJSON_IsString(item) && item->valuestring[0] == '\0')) {
    rc = web_id_json(item, "item", &seq, err);
    if (rc != FAT_OK)
      return rc;
    if (seq > 9999)
      return fat_err_set(err, FAT_EINVAL, "item: número de item de 1 a 9999");
  }
  g.item_seq = (int)seq;
  rc = web_body_centavos(rq, "valor", FAT_ABSENT, &g.valor, err);
  if (rc != FAT_OK)
    return rc;
  gen = fat_rules_acquire(rq->srv->rules);
  rc = fat_glosa_registrar(rq->st, gen, &g, &id, err);
  fat_gen_release(gen);
  if (rc != FAT_OK)
    return rc;
  snprintf(rs->objeto, sizeof rs->objeto, "glosa:%lld", (long long)id);
  snprintf(rs->detalhe, sizeof rs->detalhe, "manual %s guia %.60s", g.codigo, g.guia);
  rs->status = 201;
  return fat_relatorio_glosa(rq->st, id, &rs->json, err);
}

/* The recurso id with its items (fat_recurso_listar of one). */
static fat_rc recurso_um(web_req *rq, web_res *rs, int64_t id, fat_err *err)
{
  cJSON *lst = NULL;
  fat_rc rc = fat_recurso_listar(rq->st, id, NULL, &lst, err);

  if (rc != FAT_OK)
    return rc;
  if (!cJSON_IsArray(lst) || cJSON_GetArraySize(lst) != 1) {
    cJSON_Delete(lst);
    return fat_err_set(err, FAT_ENOTFOUND, "recurso %lld não encontrado", (long long)id);
  }
  rs->json = cJSON_DetachItemFromArray(lst, 0);
  cJSON_Delete(lst);
  return FAT_OK;
}

/* GET /api/recursos/{id}: the recurso with its items (their justifications
** may name the patient: a read of the appealed guias). */
fat_rc api_recurso_ver(web_req *rq, web_res *rs, fat_err *err)
{
  fat_leitor l;
  int64_t id;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc == FAT_OK)
    rc = recurso_um(rq, rs, id, err);
  if (rc != FAT_OK)
    return rc;
  web_leitor(rq, &l);
  return fat_acesso_registrar_recurso(rq->st, &l, id, 1, err);
}

/* POST /api/recursos/{id}/itens/{item}/justificativa {justificativa}
** (fat_recurso_editar, as `faturo recurso editar N --item ID`). */
fat_rc api_recurso_justificar(web_req *rq, web_res *rs, fat_err *err)
{
  int64_t id, item;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc == FAT_OK)
    rc = web_param_id(rq, 1, &item, err);
  if (rc == FAT_OK)
    rc = fat_recurso_editar(rq->st, id, item, web_json_str(rq, "justificativa"), err);
  if (rc != FAT_OK)
    return rc;
  snprintf(rs->objeto, sizeof rs->objeto, "recurso:%lld", (long long)id);
  snprintf(rs->detalhe, sizeof rs->detalhe, "item %lld", (long long)item);
  return recurso_um(rq, rs, id, err);
}

/* POST /api/recursos/{id}/enviar {data (AAAA-MM-DD or DD/MM/AAAA; absent =
** today)} (fat_recurso_enviar, as `faturo recurso enviar`). */
fat_rc api_recurso_enviar(web_req *rq, web_res *rs, fat_err *err)
{
  const char *data = web_json_str(rq, "data");
  char iso[FAT_DIA_ISO_LEN];
  int32_t dia;
  int64_t id;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc == FAT_OK && data != NULL && data[0] != '\0') {
    rc = fat_dia_ler(data, &dia, iso, err);
    data = iso;
  } else {
    data = NULL;
  }
  if (rc == FAT_OK)
    rc = fat_recurso_enviar(rq->st, id, data, err);
  if (rc != FAT_OK)
    return rc;
  snprintf(rs->objeto, sizeof rs->objeto, "recurso:%lld", (long long)id);
  return recurso_um(rq, rs, id, err);
}

/* POST /api/recursos/{id}/protocolo {protocolo, data} (fat_recurso_protocolo,
** as `faturo recurso protocolo`). */
fat_rc api_recurso_protocolo(web_req *rq, web_res *rs, fat_err *err)
{
  const char *numero = web_json_str(rq, "protocolo");
  const char *data = web_json_str(rq, "data");
  char iso[FAT_DIA_ISO_LEN];
  int32_t dia;
  int64_t id;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc == FAT_OK && (numero == NULL || numero[0] == '\0'))
    rc = fat_err_set(err, FAT_EINVAL, "protocolo: informe o número do protocolo do recurso");
  if (rc == FAT_OK && data != NULL && data[0] != '\0') {
    rc = fat_dia_ler(data, &dia, iso, err);
    data = iso;
  } else {
    data = NULL;
  }
  if (rc == FAT_OK)
    rc = fat_recurso_protocolo(rq->st, id, numero, data, err);
  if (rc != FAT_OK)
    return rc;
  snprintf(rs->objeto, sizeof rs->objeto, "recurso:%lld", (long long)id);
  snprintf(rs->detalhe, sizeof rs->detalhe, "protocolo %.100s", numero);
  return recurso_um(rq, rs, id, err);
}

/* POST /api/recursos/{id}/itens/{item}/resposta {valor_deferido (centavos)}:
** the operator's answer to one item (fat_recurso_responder with item, as
** `faturo recurso resposta N --item ID --valor V`). */
fat_rc api_recurso_item_resposta(web_req *rq, web_res *rs, fat_err *err)
{
  fat_recurso_resposta r;
  int64_t id;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  memset(&r, 0, sizeof r);
  r.valor = FAT_ABSENT;
  r.resultado = web_json_str(rq, "resultado");
  if (rc == FAT_OK)
    rc = web_param_id(rq, 1, &r.item, err);
  if (rc == FAT_OK)
    rc = web_body_centavos(rq, "valor_deferido", FAT_ABSENT, &r.valor_item, err);
  if (rc == FAT_OK && r.valor_item == FAT_ABSENT)
    rc = fat_err_set(err, FAT_EINVAL, "valor_deferido: informe o valor deferido do item");
  if (rc == FAT_OK)
    rc = fat_recurso_responder(rq->st, id, &r, err);
  if (rc != FAT_OK)
    return rc;
  snprintf(rs->objeto, sizeof rs->objeto, "recurso:%lld", (long long)id);
  snprintf(rs->detalhe, sizeof rs->detalhe, "item %lld: %lld centavos", (long long)r.item,
           (long long)r.valor_item);
  return recurso_um(rq, rs, id, err);
}
