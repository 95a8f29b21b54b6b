/* web_api_papel.c: Part L's papers and printing (docs/lotes.md, docs/guias.md):
** the delivery of a lote's paper guias, the signed paper of each guia, and
** the printable guia / lote (text/html, one guia per page). */
#include <stdio.h>
#include <string.h>

#include "fat_impressao.h"
#include "fat_lote_papel.h"
#include "fat_mem.h"
#include "fat_rules.h"
#include "web_int.h"

static const char *nonempty(const char *s) { return (s != NULL && s[0] != '\0') ? s : NULL; }

/* GET /api/lotes/{id}/papel: delivery record, papel_fisico of the contract,
** counts and the guias still missing their signed paper. */
fat_rc api_lote_papel(web_req *rq, web_res *rs, fat_err *err)
{
  fat_gen *g;
  int64_t id;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc != FAT_OK)
    return rc;
  g = fat_rules_acquire(rq->srv->rules);
  rc = fat_lote_papel(rq->st, g, id, &rs->json, err);
  fat_gen_release(g);
  return rc;
}

/* POST /api/lotes/{id}/papel {data: "DD/MM/AAAA", por, protocolo?, observacao?}:
** records (or replaces) the delivery; answers like the GET. */
fat_rc api_lote_papel_entregar(web_req *rq, web_res *rs, fat_err *err)
{
  fat_lote_papel_entrega e;
  int64_t id;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc != FAT_OK)
    return rc;
  memset(&e, 0, sizeof e);
  e.data = nonempty(web_json_str(rq, "data"));
  e.por = nonempty(web_json_str(rq, "por"));
  e.protocolo = nonempty(web_json_str(rq, "protocolo"));
  e.observacao = nonempty(web_json_str(rq, "observacao"));
  rc = fat_lote_papel_entregar(rq->st, id, &e, NULL, err);
  if (rc != FAT_OK)
    return rc;
  snprintf(rs->objeto, sizeof rs->objeto, "lote:%lld", (long long)id);
  snprintf(rs->detalhe, sizeof rs->detalhe, "papéis entregues em %.12s por %.80s", e.data,
           e.por != NULL ? e.por : "");
  return api_lote_papel(rq, rs, err);
}

/* GET /api/guias/{id}/papel: {guia_id, recebido, recebido_em, recebido_por}. */
fat_rc api_guia_papel(web_req *rq, web_res *rs, fat_err *err)
{
  int64_t id;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc != FAT_OK)
    return rc;
  return fat_guia_papel(rq->st, id, &rs->json, err);
}

/* POST /api/guias/{id}/papel {recebido: true|false}: the signed paper is in
** hand, or still missing; answers like the GET. */
fat_rc api_guia_papel_marcar(web_req *rq, web_res *rs, fat_err *err)
{
  const cJSON *r = rq->json != NULL ? cJSON_GetObjectItemCaseSensitive(rq->json, "recebido") : NULL;
  int64_t id;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc != FAT_OK)
    return rc;
  if (!cJSON_IsBool(r))
    return fat_err_set(err, FAT_EINVAL,
                       "recebido: informe true (papel assinado recebido) ou "
                       "false (pendente)");
  rc = fat_guia_papel_marcar(rq->st, id, cJSON_IsTrue(r), err);
  if (rc != FAT_OK)
    return rc;
  snprintf(rs->objeto, sizeof rs->objeto, "guia:%lld", (long long)id);
  snprintf(rs->detalhe, sizeof rs->detalhe, "papel assinado %s",
           cJSON_IsTrue(r) ? "recebido" : "pendente");
  return fat_guia_papel(rq->st, id, &rs->json, err);
}

/* GET /api/guias/{id}/impressao: the printable guia (text/html, shown
** inline for the browser's print). A full read of the guia: logged. */
fat_rc api_guia_impressao(web_req *rq, web_res *rs, fat_err *err)
{
  fat_leitor l;
  int64_t id;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc == FAT_OK)
    rc = fat_impressao_guias(rq->st, &id, 1, &rs->raw, &rs->raw_len, err);
  if (rc != FAT_OK)
    return rc;
  web_leitor(rq, &l);
  rc = fat_acesso_registrar(rq->st, &l, FAT_ACESSO_GUIA, &id, 1, 1, err);
  if (rc != FAT_OK) {
    fat_free(rs->raw);
    rs->raw = NULL;
    rs->raw_len = 0;
    return rc;
  }
  rs->content_type = "text/html; charset=utf-8";
  return FAT_OK;
}

/* GET /api/lotes/{id}/impressao: the relação and every guia of the lote. */
fat_rc api_lote_impressao(web_req *rq, web_res *rs, fat_err *err)
{
  fat_leitor l;
  int64_t id;
  fat_rc rc = web_param_id(rq, 0, &id, err);

  if (rc == FAT_OK)
    rc = fat_impressao_lote(rq->st, id, &rs->raw, &rs->raw_len, err);
  if (rc != FAT_OK)
    return rc;
  web_leitor(rq, &l);
  rc = fat_acesso_registrar_lote(rq->st, &l, id, 1, err);
  if (rc != FAT_OK) {
    fat_free(rs->raw);
    rs->raw = NULL;
    rs->raw_len = 0;
    return rc;
  }
  rs->content_type = "text/html; charset=utf-8";
  return FAT_OK;
}
