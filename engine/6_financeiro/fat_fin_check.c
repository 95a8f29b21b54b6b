/* fat_fin_check.c: financial invariants (see fat_fin_check.h). */
#include "fat_fin_check.h"

#include <stdio.h>

#include "fat_fin_int.h"

/* Every row of sql (no parameters) is a violation: column 0 is its message. */
static fat_rc linhas(fat_store *st, const char *sql, cJSON *v, const char *what, fat_err *err)
{
  fat_stmt *s;
  int r;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  while ((r = fat_stmt_step(s)) == FAT_ROW) {
    const char *t = fat_col_text(s, 0);

    if (!cJSON_AddItemToArray(v, cJSON_CreateString(t != NULL ? (const char *)t : "?"))) {
      fat_stmt_reset(s);
      return fat_err_oom(err);
    }
  }
  fat_stmt_reset(s);
  if (r != FAT_DONE)
    return fat_store_dberr(st, err, what);
  return FAT_OK;
}

static fat_rc ck_recebido(fat_store *st, cJSON *v, fat_err *err)
{
  static const char sql[] =
    "SELECT 'guia ' || g.numero_prestador || ' (#' || g.id || '): recebido ' || x.rec"
    " || ' centavos > liberado ' || x.lib || ' + recuperado ' || x.recup"
    " FROM (SELECT gu.id AS id,"
    "  (SELECT SUM(valor) FROM recebimento_guia WHERE guia_id = gu.id) AS rec,"
    "  COALESCE((SELECT rg.valor_liberado FROM retorno_guia rg WHERE rg.guia_id = gu.id"
    "   AND rg.valor_liberado IS NOT NULL ORDER BY rg.id DESC LIMIT 1), gu.valor_total) AS lib,"
    "  (SELECT COALESCE(SUM(valor_recuperado), 0) FROM glosa WHERE guia_id = gu.id) AS recup"
    "  FROM guia gu WHERE EXISTS (SELECT 1 FROM recebimento_guia WHERE guia_id = gu.id)) x"
    " JOIN guia g ON g.id = x.id WHERE x.rec > x.lib + x.recup"
    " AND NOT EXISTS (SELECT 1 FROM recebimento_guia y JOIN recebimento r"
    "  ON r.id = y.recebimento_id WHERE y.guia_id = x.id AND r.excedente = 1)";

  return linhas(st, sql, v, "erro ao conferir o recebido por guia", err);
}

static fat_rc ck_credito(fat_store *st, cJSON *v, fat_err *err)
{
  static const char sql[] =
    "SELECT 'crédito #' || l.id || ' (' || l.data || ', ' || l.valor || ' centavos): '"
    " || (SELECT COUNT(*) FROM conciliacao c WHERE c.extrato_linha_id = l.id"
    "  AND c.status = 'confirmada') || ' conciliações confirmadas e '"
    " || (SELECT COUNT(*) FROM recebimento r WHERE r.extrato_linha_id = l.id) || ' recebimentos'"
    " FROM extrato_linha l WHERE"
    " (SELECT COUNT(*) FROM conciliacao c WHERE c.extrato_linha_id = l.id"
    "  AND c.status = 'confirmada') > 1"
    " OR (SELECT COUNT(*) FROM recebimento r WHERE r.extrato_linha_id = l.id) > 1"
    " OR (l.situacao = 'conciliada') <>"
    "  ((SELECT COUNT(*) FROM recebimento r WHERE r.extrato_linha_id = l.id) = 1)";

  return linhas(st, sql, v, "erro ao conferir os créditos conciliados", err);
}

static fat_rc ck_rateio(fat_store *st, cJSON *v, fat_err *err)
{
  static const char sql[] =
    "SELECT 'recebimento #' || r.id || ': partes das guias somam '"
    " || COALESCE((SELECT SUM(valor) FROM recebimento_guia WHERE recebimento_id = r.id), 0)"
    " || ', valor bruto ' || r.valor_bruto FROM recebimento r"
    " WHERE COALESCE((SELECT SUM(valor) FROM recebimento_guia WHERE recebimento_id = r.id), 0)"
    " <> r.valor_bruto";

  return linhas(st, sql, v, "erro ao conferir o rateio dos recebimentos", err);
}

static fat_rc ck_repasse(fat_store *st, cJSON *v, fat_err *err)
{
  static const char sql[] =
    "SELECT 'repasse ' || rp.periodo || ', recebimento #' || x.recebimento_id || ', guia #'"
    " || x.guia_id || ': linhas somam ' || COALESCE((SELECT SUM(ri.base) FROM repasse_item ri"
    "  WHERE ri.repasse_id = rp.id AND ri.origem = 'convenio'"
    "  AND ri.recebimento_id = x.recebimento_id AND ri.guia_id = x.guia_id), 0)"
    " || ' de ' || x.valor || ' centavos recebidos'"
    " FROM recebimento_guia x JOIN recebimento r ON r.id = x.recebimento_id"
    " JOIN repasse rp ON rp.periodo = substr(r.data, 1, 7) AND rp.calculado_em IS NOT NULL"
    " WHERE COALESCE((SELECT SUM(ri.base) FROM repasse_item ri WHERE ri.repasse_id = rp.id"
    "  AND ri.origem = 'convenio' AND ri.recebimento_id = x.recebimento_id"
    "  AND ri.guia_id = x.guia_id), 0) <> x.valor"
    " UNION ALL "
    "SELECT 'repasse ' || rp.periodo || ', recibo ' || p.recibo || ': linha com base '"
    " || COALESCE((SELECT SUM(ri.base) FROM repasse_item ri WHERE ri.repasse_id = rp.id"
    "  AND ri.pagamento_particular_id = p.id), 0) || ' de ' || (p.valor - p.taxa)"
    " || ' centavos recebidos'"
    " FROM particular_pagamento p JOIN particular pa ON pa.id = p.particular_id"
    " JOIN repasse rp ON rp.periodo = substr(p.data, 1, 7) AND rp.calculado_em IS NOT NULL"
    " WHERE pa.profissional_id IS NOT NULL AND COALESCE((SELECT SUM(ri.base) FROM repasse_item ri"
    "  WHERE ri.repasse_id = rp.id AND ri.pagamento_particular_id = p.id), 0)"
    " <> p.valor - p.taxa";

  return linhas(st, sql, v, "erro ao conferir o repasse", err);
}

const fat_fin_check fat_fin_checks[] = {
  {"recebido_ate_liberado", "recebido por guia ≤ liberado + recuperado (salvo excedente aceito)",
   ck_recebido},
  {"credito_uma_vez", "cada crédito do extrato conciliado no máximo uma vez", ck_credito},
  {"rateio_recebimento", "as partes das guias somam o valor bruto de cada recebimento",
   ck_rateio},
  {"repasse_soma_base", "as linhas do repasse somam a base recebida", ck_repasse},
  {NULL, NULL, NULL}};

fat_rc fat_fin_verificar(fat_store *st, cJSON **out, fat_err *err)
{
  cJSON *arr = cJSON_CreateArray();
  size_t i;
  fat_rc rc = FAT_OK;

  *out = NULL;
  if (arr == NULL)
    return fat_err_oom(err);
  for (i = 0; fat_fin_checks[i].nome != NULL && rc == FAT_OK; i++) {
    cJSON *o = cJSON_CreateObject(), *v;

    if (o == NULL || !cJSON_AddItemToArray(arr, o)) {
      cJSON_Delete(o);
      rc = fat_err_oom(err);
      break;
    }
    cJSON_AddStringToObject(o, "nome", fat_fin_checks[i].nome);
    cJSON_AddStringToObject(o, "descricao", fat_fin_checks[i].descricao);
    v = cJSON_CreateArray();
    if (v == NULL) {
      rc = fat_err_oom(err);
      break;
    }
    rc = fat_fin_checks[i].fn(st, v, err);
    cJSON_AddBoolToObject(o, "ok", cJSON_GetArraySize(v) == 0);
    cJSON_AddItemToObject(o, "violacoes", v);
  }
  if (rc != FAT_OK) {
    cJSON_Delete(arr);
    return rc;
  }
  *out = arr;
  return FAT_OK;
}
