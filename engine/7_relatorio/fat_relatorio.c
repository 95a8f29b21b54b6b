/* fat_relatorio.c: the dashboard, keyset listings, one guia, the relação de
** guias (see fat_relatorio.h). Every statement here reads; the counters it
** reads are written by the triggers of schemas/027_relatorio.sql. */
#include "fat_relatorio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fat_csv.h"
#include "fat_dia.h"
#include "fat_fatura.h"
#include "fat_glosa.h"
#include "fat_rel_achados.h"
#include "fat_lgpd.h"
#include "fat_lote.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_money.h"
#include "fat_operadora.h"
#include "fat_store_int.h"

#define RELACAO_CSV_MAX (16u * 1024u * 1024u)

/*
** {======================================================
** Pages
** =======================================================
*/

/* Rows per page of p (the default when 0); FAT_EINVAL when out of range. */
static fat_rc page_limit(const fat_pagina *p, int *limite, fat_err *err)
{
  int n = p != NULL ? p->limite : 0;

  if (n == 0)
    n = FAT_PAGINA_PADRAO;
  if (n < 1 || n > FAT_PAGINA_MAX)
    return fat_err_set(err, FAT_EINVAL, "itens por página deve estar entre 1 e %d",
                       FAT_PAGINA_MAX);
  *limite = n;
  return FAT_OK;
}

/* The id a page starts below: INT64_MAX on the first page, else the cursor
** (a positive decimal id, as written by page_rows). */
static fat_rc page_after(const fat_pagina *p, int64_t *after, fat_err *err)
{
  const char *c = p != NULL ? p->apos : NULL;
  size_t i, n;

  *after = INT64_MAX;
  if (c == NULL || c[0] == '\0')
    return FAT_OK;
  n = strlen(c);
  if (n > 18 || c[0] < '1' || c[0] > '9')
    return fat_err_set(err, FAT_EINVAL, "cursor de página inválido");
  for (i = 0; i < n; i++)
    if (c[i] < '0' || c[i] > '9')
      return fat_err_set(err, FAT_EINVAL, "cursor de página inválido");
  *after = strtoll(c, NULL, 10);
  return FAT_OK;
}

/* Step s (bound with limite + 1 as its LIMIT) into a JSON array of at most
** limite rows; p->proximo gets the id of the last row when more rows follow.
** Resets s. */
static fat_rc page_rows(fat_store *st, fat_stmt *s, int limite, fat_pagina *p,
                        cJSON **out, fat_err *err)
{
  cJSON *arr = cJSON_CreateArray(), *row;
  int64_t last = 0;
  int n = 0, step, more = 0;
  fat_rc rc = FAT_OK;

  *out = NULL;
  if (p != NULL)
    p->proximo[0] = '\0';
  if (arr == NULL) {
    fat_stmt_reset(s);
    return fat_err_oom(err);
  }
  while ((step = fat_stmt_step(s)) == FAT_ROW) {
    if (n == limite) {
      more = 1;
      break;
    }
    row = fat_store_row_json(s, 0);
    if (row == NULL || !cJSON_AddItemToArray(arr, row)) {
      cJSON_Delete(row);
      rc = fat_err_oom(err);
      break;
    }
    last = fat_col_int64(s, 0);
    n++;
  }
  if (rc == FAT_OK && step != FAT_ROW && step != FAT_DONE)
    rc = fat_store_dberr(st, err, "erro ao listar");
  fat_stmt_reset(s);
  if (rc != FAT_OK) {
    cJSON_Delete(arr);
    return rc;
  }
  if (more && p != NULL)
    snprintf(p->proximo, sizeof p->proximo, "%lld", (long long)last);
  *out = arr;
  return FAT_OK;
}

/* Operadora id of a filter reference (registro ANS, script key or id); 0 when
** ref is NULL or empty. An unknown one is a bad filter. */
static fat_rc filter_operadora(fat_store *st, const char *ref, int64_t *id, fat_err *err)
{
  fat_err e;

  *id = 0;
  if (ref == NULL || ref[0] == '\0')
    return FAT_OK;
  fat_err_clear(&e);
  if (fat_operadora_resolver(st, ref, id, &e) != FAT_OK)
    return fat_err_set(err, e.rc == FAT_ENOTFOUND ? FAT_EINVAL : e.rc, "%s", e.msg);
  return FAT_OK;
}

static const char *nonempty(const char *s) { return (s != NULL && s[0] != '\0') ? s : NULL; }

static fat_rc check_competencia(const char *c, fat_err *err)
{
  if (c != NULL && !fat_dia_competencia_valida(c))
    return fat_err_set(err, FAT_EINVAL, "competência inválida '%s' (use AAAA-MM)", c);
  return FAT_OK;
}

/* The page of a listing (rows per page and the id it starts below) and its
** common filters: a competência to check (NULL: none) and, when op is not
** NULL, the operadora the user named (NULL or empty: any, *op = 0). */
static fat_rc listing_args(fat_store *st, const fat_pagina *p, const char *comp,
                           const char *operadora, int *limite, int64_t *after, int64_t *op,
                           fat_err *err)
{
  fat_rc rc = page_limit(p, limite, err);

  if (rc == FAT_OK)
    rc = page_after(p, after, err);
  if (rc == FAT_OK)
    rc = check_competencia(comp, err);
  if (rc == FAT_OK && op != NULL)
    rc = filter_operadora(st, operadora, op, err);
  return rc;
}

static void today_or(const char *hoje, char out[11])
{
  if (hoje != NULL && fat_dia_valida(hoje))
    snprintf(out, 11, "%s", hoje);
  else
    fat_dia_hoje(out, 11);
}

void fat_relatorio_competencia_anterior(const char *hoje, char out[8])
{
  char h[11];
  int32_t dia;
  int y, m, d;

  today_or(hoje, h);
  if (fat_dia_parse(h, &dia) != 0)
    dia = 0;
  fat_dia_to_ymd(dia, &y, &m, &d);
  m--;
  if (m == 0) {
    m = 12;
    y--;
  }
  if (y < 1 || y > 9999 || m < 1 || m > 12) {
    y = 1970;
    m = 1;
  }
  snprintf(out, 8, "%04u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u);
}

/* Run a statement bound by the caller and attach its rows as obj[key]. */
static fat_rc attach_rows(fat_store *st, fat_stmt *s, cJSON *obj, const char *key,
                          fat_err *err)
{
  cJSON *rows = NULL;
  fat_rc rc = fat_store_rows_json(st, s, 0, "erro ao consultar o banco", &rows, err);

  if (rc != FAT_OK)
    return rc;
  if (!cJSON_AddItemToObject(obj, key, rows)) {
    cJSON_Delete(rows);
    return fat_err_oom(err);
  }
  return FAT_OK;
}

/* }====================================================== */

/*
** {======================================================
** Dashboard
** =======================================================
*/

/* Merge the columns of the single row of s into obj; resets s. */
static fat_rc merge_row(fat_store *st, fat_stmt *s, cJSON *obj, fat_err *err)
{
  cJSON *row, *it, *next;

  if (fat_stmt_step(s) != FAT_ROW) {
    fat_rc rc = fat_store_dberr(st, err, "erro ao calcular o painel");

    fat_stmt_reset(s);
    return rc;
  }
  row = fat_store_row_json(s, 0);
  fat_stmt_reset(s);
  if (row == NULL)
    return fat_err_oom(err);
  for (it = row->child; it != NULL; it = next) {
    next = it->next;
    cJSON_DetachItemViaPointer(row, it);
    if (!cJSON_AddItemToObject(obj, it->string, it)) {
      cJSON_Delete(it);
      cJSON_Delete(row);
      return fat_err_oom(err);
    }
  }
  cJSON_Delete(row);
  return FAT_OK;
}

static fat_rc count_of(fat_store *st, fat_stmt *s, int64_t *n, fat_err *err)
{
  fat_rc rc = FAT_OK;

  *n = 0;
  if (fat_stmt_step(s) == FAT_ROW)
    *n = fat_col_int64(s, 0);
  else
    rc = fat_store_dberr(st, err, "erro ao calcular o painel");
  fat_stmt_reset(s);
  return rc;
}

fat_rc fat_relatorio_painel(fat_store *st, const char *hoje, cJSON **out, fat_err *err)
{
  static const char sql_tot[] =
      "SELECT coalesce(sum(guias), 0) AS guias_total,"
      " coalesce(sum(guias_a_faturar), 0) AS guias_a_faturar,"
      " coalesce(sum(valor_a_faturar), 0) AS valor_a_faturar,"
      " coalesce(sum(guias_com_bloqueio), 0) AS guias_com_bloqueio,"
      " coalesce(sum(valor_em_risco), 0) AS valor_em_risco,"
      " coalesce(sum(lotes_aguardando), 0) AS lotes_aguardando_retorno,"
      " coalesce(sum(glosas_aguardando), 0) AS glosas_aguardando_recurso,"
      " coalesce(sum(valor_glosas_aguardando), 0) AS valor_glosas_aguardando"
      " FROM painel_operadora";
  static const char sql_aux[] =
      "SELECT coalesce(sum(lotes_fechados), 0), coalesce(sum(glosas_aguardando), 0),"
      " coalesce(sum(glosas_aguardando_sem_prazo), 0) FROM painel_operadora";
  static const char sql_atrasados[] =
      "SELECT count(*) FROM lote WHERE status = 'fechado' AND prazo_envio < ?1";
  /* the glosas of the partial index glosa_aguardando_prazo counted per
  ** deadline (glosa_prazo_dia, migration 102, kept by triggers): the days of
  ** the range, not the glosas (walking the index cost 8.4 M instructions per
  ** dashboard at a million guias, 13,376 open glosas) */
  static const char sql_prazo_entre[] =
      "SELECT coalesce(sum(glosas), 0) FROM glosa_prazo_dia"
      " WHERE prazo_recurso >= ?1 AND prazo_recurso <= ?2";
  static const char sql_prazo_futuro[] =
      "SELECT coalesce(sum(glosas), 0) FROM glosa_prazo_dia WHERE prazo_recurso >= ?1";
  static const char sql_prazos[] =
      "SELECT gl.id AS id, gl.codigo AS codigo, gl.valor AS valor,"
      " gl.prazo_recurso AS prazo_recurso, g.id AS guia_id,"
      " g.numero_prestador AS numero_prestador, o.nome AS operadora"
      " FROM glosa gl INDEXED BY glosa_aguardando_prazo JOIN guia g ON g.id = gl.guia_id"
      " JOIN operadora o ON o.id = g.operadora_id"
      " WHERE gl.situacao = 'aberta' AND gl.classificacao <> 'devida'"
      " AND gl.prazo_recurso >= ?1 ORDER BY gl.prazo_recurso, gl.id LIMIT 10";
  static const char sql_lotes_prazo[] =
      "SELECT l.id AS id, l.numero AS numero, l.status AS status,"
      " l.prazo_envio AS prazo_envio, (l.prazo_envio < ?1) AS atrasado,"
      " l.qtd_guias AS qtd_guias, l.valor_informado AS valor_informado, o.nome AS operadora"
      " FROM lote l JOIN operadora o ON o.id = l.operadora_id"
      " WHERE l.status = 'fechado' AND l.prazo_envio IS NOT NULL"
      " ORDER BY l.prazo_envio, l.id LIMIT 10";
  static const char sql_lotes_sem_prazo[] =
      "SELECT l.id AS id, l.numero AS numero, l.status AS status,"
      " l.prazo_envio AS prazo_envio, 0 AS atrasado,"
      " l.qtd_guias AS qtd_guias, l.valor_informado AS valor_informado, o.nome AS operadora"
      " FROM lote l JOIN operadora o ON o.id = l.operadora_id"
      " WHERE l.status = 'fechado' AND l.prazo_envio IS NULL ORDER BY l.id LIMIT ?1";
  static const char sql_por_op[] =
      "SELECT o.id AS id, o.nome AS nome, o.script AS chave,"
      " coalesce(p.guias_a_faturar, 0) AS guias_a_faturar,"
      " coalesce(p.guias_com_bloqueio, 0) AS guias_com_bloqueio,"
      " coalesce(p.valor_em_risco, 0) AS valor_em_risco,"
      " coalesce(p.valor_glosado, 0) AS valor_glosado"
      " FROM operadora o LEFT JOIN painel_operadora p ON p.operadora_id = o.id"
      " ORDER BY o.nome, o.id";
  char h[11], ate[11];
  int32_t dia;
  int64_t fechados = 0, aguardando = 0, sem_prazo = 0, atrasados = 0, proximo = 0, futuro = 0;
  fat_stmt *s;
  cJSON *o, *lotes;
  fat_rc rc;

  *out = NULL;
  today_or(hoje, h);
  if (fat_dia_parse(h, &dia) != 0)
    return fat_err_set(err, FAT_EINVAL, "data inválida '%s'", h);
  fat_dia_format(dia + 10, ate, sizeof ate);
  o = cJSON_CreateObject();
  if (o == NULL || cJSON_AddStringToObject(o, "hoje", h) == NULL) {
    cJSON_Delete(o);
    return fat_err_oom(err);
  }
  rc = fat_store_prepare(st, sql_tot, &s, err);
  if (rc == FAT_OK)
    rc = merge_row(st, s, o, err);
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql_aux, &s, err);
  if (rc == FAT_OK) {
    if (fat_stmt_step(s) == FAT_ROW) {
      fechados = fat_col_int64(s, 0);
      aguardando = fat_col_int64(s, 1);
      sem_prazo = fat_col_int64(s, 2);
    } else {
      rc = fat_store_dberr(st, err, "erro ao calcular o painel");
    }
    fat_stmt_reset(s);
  }
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql_atrasados, &s, err);
  if (rc == FAT_OK) {
    fat_bind_text(s, 1, h);
    rc = count_of(st, s, &atrasados, err);
  }
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql_prazo_entre, &s, err);
  if (rc == FAT_OK) {
    fat_bind_text(s, 1, h);
    fat_bind_text(s, 2, ate);
    rc = count_of(st, s, &proximo, err);
  }
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql_prazo_futuro, &s, err);
  if (rc == FAT_OK) {
    fat_bind_text(s, 1, h);
    rc = count_of(st, s, &futuro, err);
  }
  if (rc == FAT_OK &&
      (cJSON_AddNumberToObject(o, "lotes_a_enviar", (double)(fechados - atrasados)) == NULL ||
       cJSON_AddNumberToObject(o, "lotes_atrasados", (double)atrasados) == NULL ||
       cJSON_AddNumberToObject(o, "recursos_prazo_proximo", (double)proximo) == NULL ||
       cJSON_AddNumberToObject(o, "recursos_prazo_vencido",
                               (double)(aguardando - sem_prazo - futuro)) == NULL))
    rc = fat_err_oom(err);
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql_prazos, &s, err);
  if (rc == FAT_OK) {
    fat_bind_text(s, 1, h);
    rc = attach_rows(st, s, o, "recursos_proximos", err);
  }
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql_lotes_prazo, &s, err);
  if (rc == FAT_OK) {
    fat_bind_text(s, 1, h);
    rc = attach_rows(st, s, o, "lotes_fechados", err);
  }
  lotes = cJSON_GetObjectItemCaseSensitive(o, "lotes_fechados");
  if (rc == FAT_OK && cJSON_GetArraySize(lotes) < 10) {
    cJSON *mais = NULL, *it;

    rc = fat_store_prepare(st, sql_lotes_sem_prazo, &s, err);
    if (rc == FAT_OK) {
      fat_bind_int(s, 1, 10 - cJSON_GetArraySize(lotes));
      rc = fat_store_rows_json(st, s, 0, "erro ao calcular o painel", &mais, err);
    }
    while (rc == FAT_OK && mais != NULL && mais->child != NULL) {
      it = cJSON_DetachItemViaPointer(mais, mais->child);
      if (!cJSON_AddItemToArray(lotes, it)) {
        cJSON_Delete(it);
        rc = fat_err_oom(err);
      }
    }
    cJSON_Delete(mais);
  }
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql_por_op, &s, err);
  if (rc == FAT_OK)
    rc = attach_rows(st, s, o, "por_operadora", err);
  if (rc != FAT_OK) {
    cJSON_Delete(o);
    return rc;
  }
  *out = o;
  return FAT_OK;
}

fat_rc fat_relatorio_recontar(fat_store *st, fat_err *err)
{
  static const char *const steps[] = {
    "DELETE FROM guia_aberto",
    "INSERT INTO guia_aberto (guia_id, bloqueios, alertas, risco_bloqueio, valor_risco) "
    FAT_GUIA_ABERTO_RECONTAGEM,
    /* the findings worklist's counters (migration 089) */
    "DELETE FROM achado_resumo",
    "INSERT INTO achado_resumo (operadora_id, competencia, codigo, severidade, reconhecido,"
    " achados, guias, valor_risco) " FAT_ACHADO_RESUMO_RECONTAGEM,
    /* an operadora's usual time to protocolar (migration 090) */
    "DELETE FROM lote_prazo_protocolo",
    "INSERT INTO lote_prazo_protocolo (operadora_id, lotes, dias) "
    FAT_LOTE_PRAZO_PROTOCOLO_RECONTAGEM,
    /* the balance of each lote and its receipts (migration 092) */
    "DELETE FROM lote_saldo",
    "INSERT INTO lote_saldo (lote_id, guias, esperado, recuperavel, recebido, deferido,"
    " recursado, recuperadas) " FAT_LOTE_SALDO_RECONTAGEM,
    "DELETE FROM lote_recebimento",
    "INSERT INTO lote_recebimento (lote_id, recebimento_id, valor, guias) "
    FAT_LOTE_RECEBIMENTO_RECONTAGEM,
    /* previsto × realizado (migration 093): the lotes first (their triggers
    ** touch the other two, rebuilt after) */
    "DELETE FROM rel_previsto_lote",
    "INSERT INTO rel_previsto_lote (lote_id, operadora_id, previsao, esperado) "
    FAT_REL_PREVISTO_LOTE_RECONTAGEM,
    "DELETE FROM rel_previsto_mes",
    "INSERT INTO rel_previsto_mes (mes, operadora_id, lotes, previsto) "
    FAT_REL_PREVISTO_MES_RECONTAGEM,
    "DELETE FROM rel_previsto_recebimento",
    "INSERT INTO rel_previsto_recebimento (recebimento_id, mes, operadora_id, linhas, valor,"
    " dias_valor) " FAT_REL_PREVISTO_RECEBIMENTO_RECONTAGEM,
    /* the mapa's counters (migration 096): the lotes' rows last (their
    ** triggers fill the faturas' sums and receipts from the tables above) */
    "DELETE FROM mapa_lote",
    "DELETE FROM fatura_recebimento",
    "DELETE FROM fatura_saldo",
    "INSERT INTO mapa_lote (lote_id, fatura_id, operadora_id, competencia, numero, enviado,"
    " liberado, glosado, recursado, deferido, esperado) " FAT_MAPA_LOTE_RECONTAGEM,
    /* the aging's counters (migration 102), after lote_saldo: the lotes'
    ** rows (their triggers fill aging_dia) */
    "DELETE FROM aging_lote",
    "DELETE FROM aging_dia",
    "INSERT INTO aging_lote (lote_id, operadora_id, previsao, saldo) "
    FAT_AGING_LOTE_RECONTAGEM,
    "DELETE FROM glosa_prazo_dia",
    "INSERT INTO glosa_prazo_dia (prazo_recurso, glosas) " FAT_GLOSA_PRAZO_DIA_RECONTAGEM,
    /* the guia's competência copied on each glosa (migration 085) */
    "UPDATE glosa SET competencia = (SELECT g.competencia FROM guia g WHERE g.id = glosa.guia_id)"
    " WHERE competencia IS NOT (SELECT g.competencia FROM guia g WHERE g.id = glosa.guia_id)",
    /* the panel's mapa de lotes (migration 104) */
    "DELETE FROM lote_mapa_mes",
    "INSERT INTO lote_mapa_mes (competencia, operadora_id, status, previsao, n, guias, enviado,"
    " liberado, glosado, recebido) " FAT_LOTE_MAPA_MES_RECONTAGEM,
    /* the resumo of glosas (migration 103), after the competências above */
    "DELETE FROM glosa_resumo",
    "INSERT INTO glosa_resumo (competencia, dim, operadora_id, chave, sub, n, valor) "
    FAT_GLOSA_RESUMO_RECONTAGEM,
    "DELETE FROM painel_operadora",
    "INSERT INTO painel_operadora (operadora_id) SELECT id FROM operadora",
    "UPDATE painel_operadora SET"
    " guias = (SELECT count(*) FROM guia g WHERE g.operadora_id = painel_operadora.operadora_id),"
    " guias_a_faturar = (SELECT count(*) FROM guia g"
    "  WHERE g.operadora_id = painel_operadora.operadora_id"
    "  AND g.status IN ('digitada', 'conferida', 'pendente')),"
    " valor_a_faturar = (SELECT coalesce(sum(g.valor_total), 0) FROM guia g"
    "  WHERE g.operadora_id = painel_operadora.operadora_id"
    "  AND g.status IN ('digitada', 'conferida', 'pendente')),"
    " guias_com_bloqueio = (SELECT count(*) FROM guia g JOIN guia_aberto a ON a.guia_id = g.id"
    "  WHERE g.operadora_id = painel_operadora.operadora_id"
    "  AND g.status IN ('digitada', 'conferida', 'pendente') AND a.bloqueios > 0),"
    " valor_em_risco = (SELECT coalesce(sum(a.risco_bloqueio), 0) FROM guia g"
    "  JOIN guia_aberto a ON a.guia_id = g.id"
    "  WHERE g.operadora_id = painel_operadora.operadora_id"
    "  AND g.status IN ('digitada', 'conferida', 'pendente')),"
    " valor_glosado = (SELECT coalesce(sum(gl.valor), 0) FROM glosa gl"
    "  JOIN guia g ON g.id = gl.guia_id WHERE g.operadora_id = painel_operadora.operadora_id),"
    " glosas_aguardando = (SELECT count(*) FROM glosa gl JOIN guia g ON g.id = gl.guia_id"
    "  WHERE g.operadora_id = painel_operadora.operadora_id"
    "  AND gl.situacao = 'aberta' AND gl.classificacao <> 'devida'),"
    " valor_glosas_aguardando = (SELECT coalesce(sum(gl.valor), 0) FROM glosa gl"
    "  JOIN guia g ON g.id = gl.guia_id WHERE g.operadora_id = painel_operadora.operadora_id"
    "  AND gl.situacao = 'aberta' AND gl.classificacao <> 'devida'),"
    " glosas_aguardando_sem_prazo = (SELECT count(*) FROM glosa gl"
    "  JOIN guia g ON g.id = gl.guia_id WHERE g.operadora_id = painel_operadora.operadora_id"
    "  AND gl.situacao = 'aberta' AND gl.classificacao <> 'devida'"
    "  AND gl.prazo_recurso IS NULL),"
    " lotes_fechados = (SELECT count(*) FROM lote l"
    "  WHERE l.operadora_id = painel_operadora.operadora_id AND l.status = 'fechado'),"
    " lotes_aguardando = (SELECT count(*) FROM lote l"
    "  WHERE l.operadora_id = painel_operadora.operadora_id"
    "  AND l.status IN ('enviado', 'protocolado'))",
    /* the monthly counters of the management reports (060_relatorios.sql) */
    "DELETE FROM rel_mes",
    "INSERT INTO rel_mes (competencia, operadora_id, guias, faturado, glosas, glosado,"
    " recuperado, recebido)"
    " SELECT g.competencia, g.operadora_id, count(*), sum(g.valor_total),"
    " coalesce(sum((SELECT count(*) FROM glosa gl WHERE gl.guia_id = g.id)), 0),"
    " coalesce(sum((SELECT sum(gl.valor) FROM glosa gl WHERE gl.guia_id = g.id)), 0),"
    " coalesce(sum((SELECT sum(gl.valor_recuperado) FROM glosa gl WHERE gl.guia_id = g.id)), 0),"
    " coalesce(sum((SELECT sum(x.valor) FROM recebimento_guia x WHERE x.guia_id = g.id)), 0)"
    " FROM guia g WHERE g.competencia IS NOT NULL AND g.status <> 'cancelada'"
    " GROUP BY g.competencia, g.operadora_id",
    "INSERT INTO rel_mes (competencia, operadora_id, guias, faturado, recebido)"
    " SELECT substr(p.data, 1, 7), 0, count(*), sum(p.valor),"
    " coalesce(sum((SELECT sum(pp.valor) FROM particular_pagamento pp"
    "  WHERE pp.particular_id = p.id)), 0)"
    " FROM particular p WHERE p.status <> 'cancelado' GROUP BY substr(p.data, 1, 7)",
  };
  fat_stmt *s;
  size_t i;
  fat_rc rc = fat_store_begin(st, err);

  if (rc != FAT_OK)
    return rc;
  for (i = 0; rc == FAT_OK && i < sizeof steps / sizeof steps[0]; i++) {
    rc = fat_store_prepare(st, steps[i], &s, err);
    if (rc == FAT_OK)
      rc = fat_store_step_done(st, s, "erro ao recontar o painel", err);
  }
  if (rc == FAT_OK)
    rc = fat_store_audit(st, "painel.recontar", NULL, NULL, err);
  if (rc != FAT_OK) {
    fat_store_rollback(st);
    return rc;
  }
  return fat_store_commit(st, err);
}

/* }====================================================== */

/*
** {======================================================
** Operadoras and guias
** =======================================================
*/

fat_rc fat_relatorio_operadoras(fat_store *st, cJSON **out, fat_err *err)
{
  static const char sql[] = "SELECT id, registro_ans, nome, script AS chave, ativa"
                            " FROM operadora ORDER BY nome, id";
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  *out = NULL;
  if (rc != FAT_OK)
    return rc;
  return fat_store_rows_json(st, s, 0, "erro ao listar operadoras", out, err);
}

/* ?1 operadora id or NULL, ?2 competência, ?3 status, ?4 busca, ?5 com
** bloqueio (0/1), ?6 last id of the previous page, ?7 limit. Each variant
** walks the index named in its comment; the other filters are checked per
** row. */
#define GUIA_COLS                                                                         \
  "SELECT g.id AS id, g.tipo AS tipo, g.numero_prestador AS numero_prestador,"            \
  " g.beneficiario_id AS beneficiario_id, g.beneficiario_nome AS beneficiario_nome,"      \
  " (SELECT b.cpf FROM beneficiario b WHERE b.id = g.beneficiario_id) AS beneficiario_cpf,"\
  " g.carteira_numero AS carteira_numero, g.data_inicio AS data_inicio,"                  \
  " g.competencia AS competencia, g.status AS status, g.valor_total AS valor_total,"      \
  " g.lote_id AS lote_id, o.id AS operadora_id, o.nome AS operadora,"                     \
  " o.script AS operadora_chave, coalesce(a.bloqueios, 0) AS bloqueios,"                  \
  " coalesce(a.alertas, 0) AS alertas, coalesce(a.valor_risco, 0) AS valor_risco"
#define GUIA_JOIN                                                                         \
  " JOIN operadora o ON o.id = g.operadora_id LEFT JOIN guia_aberto a ON a.guia_id = g.id"
#define GUIA_REST                                                                         \
  " AND (?1 IS NULL OR g.operadora_id = ?1) AND (?2 IS NULL OR g.competencia = ?2)"       \
  " AND (?3 IS NULL OR g.status = ?3) AND (?5 = 0 OR a.bloqueios > 0)"                    \
  " ORDER BY g.id DESC LIMIT ?7"

/* busca: numero_prestador / carteira indexes, few rows */
static const char sql_guias_busca[] =
    GUIA_COLS " FROM guia g" GUIA_JOIN
    " WHERE (g.numero_prestador = ?4 OR g.carteira_numero = ?4) AND g.id < ?6" GUIA_REST;
/* com_bloqueio: the partial index of guias with an open bloqueio */
static const char sql_guias_bloqueio[] =
    GUIA_COLS " FROM guia_aberto a INDEXED BY guia_aberto_bloqueio"
    " JOIN guia g ON g.id = a.guia_id JOIN operadora o ON o.id = g.operadora_id"
    " WHERE a.bloqueios > 0 AND a.guia_id < ?6"
    " AND (?1 IS NULL OR g.operadora_id = ?1) AND (?2 IS NULL OR g.competencia = ?2)"
    " AND (?3 IS NULL OR g.status = ?3) ORDER BY a.guia_id DESC LIMIT ?7";
/* operadora and competência: guia_operadora_comp */
static const char sql_guias_op_comp[] =
    GUIA_COLS " FROM guia g INDEXED BY guia_operadora_comp" GUIA_JOIN
    " WHERE g.operadora_id = ?1 AND g.competencia = ?2 AND g.id < ?6" GUIA_REST;
/* competência: guia_competencia */
static const char sql_guias_comp[] =
    GUIA_COLS " FROM guia g INDEXED BY guia_competencia" GUIA_JOIN
    " WHERE g.competencia = ?2 AND g.id < ?6" GUIA_REST;
/* status: guia_status */
static const char sql_guias_status[] =
    GUIA_COLS " FROM guia g INDEXED BY guia_status" GUIA_JOIN
    " WHERE g.status = ?3 AND g.id < ?6" GUIA_REST;
/* operadora: guia_operadora */
static const char sql_guias_op[] =
    GUIA_COLS " FROM guia g INDEXED BY guia_operadora" GUIA_JOIN
    " WHERE g.operadora_id = ?1 AND g.id < ?6" GUIA_REST;
/* nothing: the table itself */
static const char sql_guias_todas[] =
    GUIA_COLS " FROM guia g" GUIA_JOIN " WHERE g.id < ?6" GUIA_REST;

/* The patient identifiers of a guia listing row. */
static const fat_lgpd_campo guia_ids[] = {
  {"beneficiario_cpf", FAT_DADO_CPF}, {"carteira_numero", FAT_DADO_CARTEIRA}, {NULL, FAT_DADO_CPF}};

fat_rc fat_relatorio_guias(fat_store *st, const fat_relatorio_guias_filtro *f, fat_pagina *p,
                           cJSON **out, fat_err *err)
{
  fat_relatorio_guias_filtro none;
  const char *sql, *comp, *status, *busca;
  int64_t op = 0, after;
  int limite;
  fat_stmt *s;
  fat_rc rc;

  *out = NULL;
  if (f == NULL) {
    memset(&none, 0, sizeof none);
    f = &none;
  }
  comp = nonempty(f->competencia);
  status = nonempty(f->status);
  busca = nonempty(f->busca);
  rc = listing_args(st, p, comp, f->operadora, &limite, &after, &op, err);
  if (rc != FAT_OK)
    return rc;
  if (busca != NULL)
    sql = sql_guias_busca;
  else if (f->com_bloqueio)
    sql = sql_guias_bloqueio;
  else if (op != 0 && comp != NULL)
    sql = sql_guias_op_comp;
  else if (comp != NULL)
    sql = sql_guias_comp;
  else if (status != NULL)
    sql = sql_guias_status;
  else if (op != 0)
    sql = sql_guias_op;
  else
    sql = sql_guias_todas;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int_or_null(s, 1, op, op == 0);
  fat_bind_text(s, 2, comp);
  fat_bind_text(s, 3, status);
  fat_bind_text(s, 4, busca);
  fat_bind_int(s, 5, f->com_bloqueio ? 1 : 0);
  fat_bind_int(s, 6, after);
  fat_bind_int(s, 7, (int64_t)limite + 1);
  rc = page_rows(st, s, limite, p, out, err);
  if (rc == FAT_OK) /* masked for the reader, and the page read recorded */
    rc = fat_lgpd_lista(st, f->leitor, FAT_ACESSO_GUIA, *out, guia_ids, err);
  if (rc != FAT_OK) {
    cJSON_Delete(*out);
    *out = NULL;
  }
  return rc;
}

fat_rc fat_relatorio_guia(fat_store *st, const fat_leitor *leitor, int64_t id, cJSON **out,
                          fat_err *err)
{
  static const char sql_achados[] =
      "SELECT a.id AS id, a.item_id AS item_id, a.codigo AS codigo,"
      " a.severidade AS severidade, a.campo AS campo, a.mensagem AS mensagem,"
      " a.glosa_prevista AS glosa_prevista, a.valor_risco AS valor_risco, a.regra AS regra,"
      " a.script_sha256 AS script_sha256, a.geracao_id AS geracao_id, a.linha AS linha,"
      " a.guia_revisao AS guia_revisao, (a.guia_revisao = g.revisao) AS atual,"
      " a.criado_em AS criado_em, a.reconhecido_em AS reconhecido_em,"
      " a.reconhecido_por AS reconhecido_por, a.reconhecido_motivo AS reconhecido_motivo"
      " FROM achado a JOIN guia g ON g.id = a.guia_id WHERE a.guia_id = ?1"
      " ORDER BY atual DESC, a.severidade = 'bloqueio' DESC, a.id";
  static const char sql_conf[] =
      "SELECT guia_id, revisao, script_sha256, geracao_id, referencia, reconferir_em,"
      " bloqueios, alertas, valor_risco, erro, em FROM conferencia WHERE guia_id = ?1";
  fat_guia *g = NULL;
  fat_glosa_filtro gf;
  fat_pagina gp;
  cJSON *o = NULL, *gj, *glosas = NULL;
  fat_stmt *s;
  fat_rc rc = fat_guia_load(st, id, &g, err);

  *out = NULL;
  if (rc != FAT_OK)
    return rc;
  gj = fat_guia_to_json(g);
  fat_guia_free(g);
  o = cJSON_CreateObject();
  if (gj == NULL || o == NULL || cJSON_AddNumberToObject(o, "id", (double)id) == NULL ||
      !cJSON_AddItemToObject(o, "guia", gj)) {
    cJSON_Delete(o);
    cJSON_Delete(gj);
    return fat_err_oom(err);
  }
  rc = fat_store_prepare(st, sql_achados, &s, err);
  if (rc == FAT_OK) {
    fat_bind_int(s, 1, id);
    rc = attach_rows(st, s, o, "achados", err);
  }
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql_conf, &s, err);
  if (rc == FAT_OK) {
    fat_bind_int(s, 1, id);
    rc = attach_rows(st, s, o, "conferencia", err);
  }
  memset(&gf, 0, sizeof gf);
  memset(&gp, 0, sizeof gp);
  gf.guia_id = id;
  gp.limite = FAT_PAGINA_MAX;
  if (rc == FAT_OK)
    rc = fat_relatorio_glosas(st, &gf, &gp, &glosas, err);
  if (rc == FAT_OK && !cJSON_AddItemToObject(o, "glosas", glosas)) {
    cJSON_Delete(glosas);
    rc = fat_err_oom(err);
  }
  if (rc == FAT_OK) /* the guia screen shows every identifier in full */
    rc = fat_acesso_registrar(st, leitor, FAT_ACESSO_GUIA, &id, 1, 1, err);
  if (rc != FAT_OK) {
    cJSON_Delete(o);
    return rc;
  }
  *out = o;
  return FAT_OK;
}

/* }====================================================== */

/*
** {======================================================
** Lotes, retornos, glosas, recursos
** =======================================================
*/

/* ?1 operadora id or NULL, ?2 status, ?3 competência, ?4 hoje, ?5 last id,
** ?6 limit. tem_xml looks the lote up in lote_xml (its primary key): the
** XML itself is never read by a list (migration 081). */
#define LOTE_COLS                                                                          \
  "SELECT l.id AS id, l.numero AS numero, l.tipo_guia AS tipo_guia,"                       \
  " l.competencia AS competencia, l.periodo_inicio AS periodo_inicio,"                     \
  " l.periodo_fim AS periodo_fim, l.status AS status, l.qtd_guias AS qtd_guias,"           \
  " l.valor_informado AS valor_informado, l.valor_processado AS valor_processado,"         \
  " l.valor_liberado AS valor_liberado, l.valor_glosado AS valor_glosado,"                 \
  " l.valor_recebido AS valor_recebido, l.hash AS hash, l.arquivo AS arquivo,"             \
  " l.fechado_em AS fechado_em, l.prazo_envio AS prazo_envio,"                             \
  " (l.status = 'fechado' AND l.prazo_envio < ?4) AS atrasado, l.enviado_em AS enviado_em," \
  " l.protocolo AS protocolo, l.protocolo_data AS protocolo_data,"                         \
  " l.previsao_pagamento AS previsao_pagamento,"                                          \
  " EXISTS (SELECT 1 FROM lote_xml x WHERE x.lote_id = l.id) AS tem_xml,"                  \
  " o.id AS operadora_id, o.nome AS operadora, o.script AS operadora_chave"                \
  " FROM lote l"
#define LOTE_REST                                                                          \
  " l.id < ?5"                                                                             \
  " AND (?1 IS NULL OR l.operadora_id = ?1) AND (?2 IS NULL OR l.status = ?2)"             \
  " AND (?3 IS NULL OR l.competencia = ?3) ORDER BY l.id DESC LIMIT ?6"
#define LOTE_JOIN " JOIN operadora o ON o.id = l.operadora_id WHERE"

/* each filtered variant names its index's columns with "=" so that the walk
** is the range of the index below the cursor, in id order (no sort) */
static const char sql_lotes_comp[] =
    LOTE_COLS " INDEXED BY lote_competencia" LOTE_JOIN " l.competencia = ?3 AND" LOTE_REST;
static const char sql_lotes_op_status[] = LOTE_COLS " INDEXED BY lote_operadora_status" LOTE_JOIN
    " l.operadora_id = ?1 AND l.status = ?2 AND" LOTE_REST;
static const char sql_lotes_status[] =
    LOTE_COLS " INDEXED BY lote_status" LOTE_JOIN " l.status = ?2 AND" LOTE_REST;
static const char sql_lotes_todos[] = LOTE_COLS LOTE_JOIN LOTE_REST;

fat_rc fat_relatorio_lotes(fat_store *st, const fat_relatorio_lotes_filtro *f, const char *hoje,
                           fat_pagina *p, cJSON **out, fat_err *err)
{
  fat_relatorio_lotes_filtro none;
  const char *sql, *status, *comp;
  char h[11];
  int64_t op = 0, after;
  int limite;
  fat_stmt *s;
  fat_rc rc;

  *out = NULL;
  if (f == NULL) {
    memset(&none, 0, sizeof none);
    f = &none;
  }
  status = nonempty(f->status);
  comp = nonempty(f->competencia);
  today_or(hoje, h);
  rc = listing_args(st, p, comp, f->operadora, &limite, &after, &op, err);
  if (rc != FAT_OK)
    return rc;
  if (comp != NULL)
    sql = sql_lotes_comp;
  else if (status != NULL && op != 0)
    sql = sql_lotes_op_status;
  else if (status != NULL)
    sql = sql_lotes_status;
  else
    sql = sql_lotes_todos;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int_or_null(s, 1, op, op == 0);
  fat_bind_text(s, 2, status);
  fat_bind_text(s, 3, comp);
  fat_bind_text(s, 4, h);
  fat_bind_int(s, 5, after);
  fat_bind_int(s, 6, (int64_t)limite + 1);
  return page_rows(st, s, limite, p, out, err);
}

fat_rc fat_relatorio_retornos(fat_store *st, fat_pagina *p, cJSON **out, fat_err *err)
{
  static const char sql[] =
      "SELECT r.id AS id, r.tipo AS tipo, r.arquivo AS arquivo, r.importado_em AS importado_em,"
      " r.usuario AS usuario, r.hash_ok AS hash_ok,"
      " r.numero_demonstrativo AS numero_demonstrativo, r.valor_informado AS valor_informado,"
      " r.valor_liberado AS valor_liberado, r.valor_glosado AS valor_glosado,"
      " o.nome AS operadora,"
      " (SELECT count(*) FROM retorno_guia rg WHERE rg.retorno_id = r.id"
      "  AND rg.guia_id IS NOT NULL) AS guias_casadas,"
      " (SELECT count(*) FROM retorno_guia rg WHERE rg.retorno_id = r.id"
      "  AND rg.guia_id IS NULL) AS guias_sem_par,"
      " (SELECT count(*) FROM retorno_pendencia pe WHERE pe.retorno_id = r.id"
      "  AND pe.resolvida = 0) AS pendencias"
      " FROM retorno r LEFT JOIN operadora o ON o.id = r.operadora_id"
      " WHERE r.id < ?1 ORDER BY r.id DESC LIMIT ?2";
  int64_t after;
  int limite;
  fat_stmt *s;
  fat_rc rc;

  *out = NULL;
  rc = listing_args(st, p, NULL, NULL, &limite, &after, NULL, err);
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, after);
  fat_bind_int(s, 2, (int64_t)limite + 1);
  return page_rows(st, s, limite, p, out, err);
}

/* ?1 operadora id or NULL, ?2 competência, ?3 situação, ?4 classificação,
** ?5 grupo, ?6 retorno id (0 = any), ?7 guia id (0 = any), ?8 last id,
** ?9 limit */
#define GLOSA_COLS                                                                          \
  "SELECT gl.id AS id, g.id AS guia_id, g.numero_prestador AS guia,"                        \
  " g.numero_operadora AS guia_operadora, o.registro_ans AS registro_ans,"                  \
  " o.nome AS operadora, o.script AS operadora_chave, i.sequencial AS item,"                \
  " i.codigo AS procedimento, gl.codigo AS codigo, gl.descricao AS descricao,"              \
  " gl.grupo AS grupo, gl.valor AS valor, gl.classificacao AS classificacao,"               \
  " gl.evidencia AS evidencia, gl.situacao AS situacao, gl.prevista AS prevista,"           \
  " gl.prevista_por AS prevista_por, gl.prazo_recurso AS prazo_recurso,"                    \
  " gl.origem AS origem, g.competencia AS competencia, gl.observacao AS observacao,"        \
  " gl.valor_recuperado AS valor_recuperado, p.nome AS profissional,"                       \
  " gl.retorno_id AS retorno_id"
#define GLOSA_JOINS                                                                         \
  " JOIN operadora o ON o.id = g.operadora_id LEFT JOIN item i ON i.id = gl.item_id"        \
  " LEFT JOIN profissional p ON p.id = coalesce(i.profissional_id, g.executante_id)"
#define GLOSA_FILTROS                                                                       \
  " AND (?1 IS NULL OR g.operadora_id = ?1)"                                                \
  " AND (?2 IS NULL OR g.competencia = ?2) AND (?3 IS NULL OR gl.situacao = ?3)"            \
  " AND (?4 IS NULL OR gl.classificacao = ?4) AND (?5 IS NULL OR gl.grupo = ?5)"            \
  " AND (?6 = 0 OR gl.retorno_id = ?6) AND (?7 = 0 OR gl.guia_id = ?7)"
#define GLOSA_REST " AND gl.id < ?8" GLOSA_FILTROS " ORDER BY gl.id DESC LIMIT ?9"

/* one guia: glosa_guia */
static const char sql_glosas_guia[] =
    GLOSA_COLS " FROM glosa gl INDEXED BY glosa_guia JOIN guia g ON g.id = gl.guia_id"
    GLOSA_JOINS " WHERE gl.guia_id = ?7" GLOSA_REST;
/* one retorno: glosa_retorno */
static const char sql_glosas_retorno[] =
    GLOSA_COLS " FROM glosa gl INDEXED BY glosa_retorno JOIN guia g ON g.id = gl.guia_id"
    GLOSA_JOINS " WHERE gl.retorno_id = ?6" GLOSA_REST;
/* one competência: glosa_competencia (migration 085: the guia's
** competência kept on the glosa) */
static const char sql_glosas_comp[] =
    GLOSA_COLS " FROM glosa gl INDEXED BY glosa_competencia JOIN guia g ON g.id = gl.guia_id"
    GLOSA_JOINS " WHERE gl.competencia = ?2" GLOSA_REST;
/* one situação: glosa_situacao */
static const char sql_glosas_situacao[] =
    GLOSA_COLS " FROM glosa gl INDEXED BY glosa_situacao JOIN guia g ON g.id = gl.guia_id"
    GLOSA_JOINS " WHERE gl.situacao = ?3" GLOSA_REST;
static const char sql_glosas_todas[] =
    GLOSA_COLS " FROM glosa gl JOIN guia g ON g.id = gl.guia_id" GLOSA_JOINS " WHERE 1"
    GLOSA_REST;

/* prevista is a yes/no/not analysed flag: true/false/null as in fat_glosa.h.
** Replaced by name: cJSON_ReplaceItemViaPointer would leave the new item
** without its key. */
static fat_rc glosa_flag(cJSON *r, fat_err *err)
{
  cJSON *v = cJSON_GetObjectItemCaseSensitive(r, "prevista"), *b;

  if (!cJSON_IsNumber(v))
    return FAT_OK;
  b = cJSON_CreateBool(v->valuedouble != 0);
  if (b == NULL || !cJSON_ReplaceItemInObjectCaseSensitive(r, "prevista", b)) {
    cJSON_Delete(b);
    return fat_err_oom(err);
  }
  return FAT_OK;
}

static fat_rc glosa_flags(cJSON *rows, fat_err *err)
{
  cJSON *r;
  fat_rc rc = FAT_OK;

  cJSON_ArrayForEach(r, rows)
  {
    rc = glosa_flag(r, err);
    if (rc != FAT_OK)
      break;
  }
  return rc;
}

/* The glosas of f below id `after`, newest first, at most `limite` rows
** (-1: all): the statement of fat_relatorio_glosas and
** fat_relatorio_glosas_cada, prepared and bound (f is not NULL). */
static fat_rc glosas_stmt(fat_store *st, const fat_glosa_filtro *f, int64_t op, int64_t after,
                          int64_t limite, fat_stmt **out, fat_err *err)
{
  const char *sql, *comp = nonempty(f->competencia), *situacao = nonempty(f->situacao);
  fat_stmt *s;
  fat_rc rc;

  if (f->guia_id > 0)
    sql = sql_glosas_guia;
  else if (f->retorno_id > 0)
    sql = sql_glosas_retorno;
  else if (comp != NULL)
    sql = sql_glosas_comp;
  else if (situacao != NULL)
    sql = sql_glosas_situacao;
  else
    sql = sql_glosas_todas;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int_or_null(s, 1, op, op == 0);
  fat_bind_text(s, 2, comp);
  fat_bind_text(s, 3, situacao);
  fat_bind_text(s, 4, nonempty(f->classificacao));
  fat_bind_text(s, 5, nonempty(f->grupo));
  fat_bind_int(s, 6, f->retorno_id > 0 ? f->retorno_id : 0);
  fat_bind_int(s, 7, f->guia_id > 0 ? f->guia_id : 0);
  fat_bind_int(s, 8, after);
  fat_bind_int(s, 9, limite);
  *out = s;
  return FAT_OK;
}

fat_rc fat_relatorio_glosas(fat_store *st, const fat_glosa_filtro *f, fat_pagina *p, cJSON **out,
                            fat_err *err)
{
  fat_glosa_filtro none;
  int64_t op = 0, after;
  int limite;
  fat_stmt *s;
  fat_rc rc;

  *out = NULL;
  if (f == NULL) {
    memset(&none, 0, sizeof none);
    f = &none;
  }
  rc = listing_args(st, p, nonempty(f->competencia), f->operadora, &limite, &after, &op, err);
  if (rc == FAT_OK)
    rc = glosas_stmt(st, f, op, after, (int64_t)limite + 1, &s, err);
  if (rc != FAT_OK)
    return rc;
  rc = page_rows(st, s, limite, p, out, err);
  if (rc == FAT_OK)
    rc = glosa_flags(*out, err);
  if (rc != FAT_OK) {
    cJSON_Delete(*out);
    *out = NULL;
  }
  return rc;
}

fat_rc fat_relatorio_glosas_cada(fat_store *st, const fat_glosa_filtro *f,
                                 fat_relatorio_glosa_cada_fn cada, void *u, fat_err *err)
{
  fat_glosa_filtro none;
  int64_t op = 0, after;
  int limite, step;
  fat_stmt *s;
  fat_rc rc;

  if (f == NULL) {
    memset(&none, 0, sizeof none);
    f = &none;
  }
  rc = listing_args(st, NULL, nonempty(f->competencia), f->operadora, &limite, &after, &op, err);
  if (rc == FAT_OK)
    rc = glosas_stmt(st, f, op, after, -1, &s, err); /* LIMIT -1: every row */
  if (rc != FAT_OK)
    return rc;
  for (step = fat_stmt_step(s); step == FAT_ROW; step = fat_stmt_step(s)) {
    cJSON *row = fat_store_row_json(s, 0);

    rc = row != NULL ? glosa_flag(row, err) : fat_err_oom(err);
    if (rc == FAT_OK)
      rc = cada(u, row, err);
    cJSON_Delete(row);
    if (rc != FAT_OK)
      break;
  }
  if (rc == FAT_OK && step != FAT_DONE)
    rc = fat_store_dberr(st, err, "não foi possível listar as glosas");
  fat_stmt_reset(s);
  return rc;
}

fat_rc fat_relatorio_glosa(fat_store *st, int64_t id, cJSON **out, fat_err *err)
{
  static const char sql[] =
      GLOSA_COLS " FROM glosa gl JOIN guia g ON g.id = gl.guia_id" GLOSA_JOINS
      " WHERE gl.id = ?1";
  fat_stmt *s;
  cJSON *rows = NULL, *one;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  *out = NULL;
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  rc = fat_store_rows_json(st, s, 0, "erro ao consultar a glosa", &rows, err);
  if (rc == FAT_OK)
    rc = glosa_flags(rows, err);
  if (rc != FAT_OK) {
    cJSON_Delete(rows);
    return rc;
  }
  if (cJSON_GetArraySize(rows) == 0) {
    cJSON_Delete(rows);
    return fat_err_set(err, FAT_ENOTFOUND, "glosa %lld não encontrada", (long long)id);
  }
  one = cJSON_DetachItemFromArray(rows, 0);
  cJSON_Delete(rows);
  *out = one;
  return FAT_OK;
}

/* ?1 operadora id or NULL, ?2 status, ?3 last id, ?4 limit */
#define RECURSO_SQL(IDX, EQ)                                                                     \
  "SELECT r.id AS id, r.numero AS numero, r.status AS status, r.resultado AS resultado,"     \
  " r.criado_em AS criado_em, r.prazo AS prazo, r.enviado_em AS enviado_em,"                 \
  " r.protocolo AS protocolo, r.respondido_em AS respondido_em,"                             \
  " r.valor_recursado AS valor_recursado, r.valor_recuperado AS valor_recuperado,"           \
  " r.hash AS hash, (typeof(r.xml) <> 'null') AS tem_xml, r.lote_id AS lote_id,"                   \
  " o.nome AS operadora, o.script AS operadora_chave,"                                       \
  " (SELECT count(*) FROM recurso_item ri WHERE ri.recurso_id = r.id) AS itens"              \
  " FROM recurso r" IDX " JOIN operadora o ON o.id = r.operadora_id WHERE" EQ " r.id < ?3"  \
  " AND (?1 IS NULL OR r.operadora_id = ?1) AND (?2 IS NULL OR r.status = ?2)"               \
  " ORDER BY r.id DESC LIMIT ?4"

static const char sql_recursos_status[] =
    RECURSO_SQL(" INDEXED BY recurso_status", " r.status = ?2 AND");
static const char sql_recursos_op[] =
    RECURSO_SQL(" INDEXED BY recurso_operadora", " r.operadora_id = ?1 AND");
static const char sql_recursos_todos[] = RECURSO_SQL("", "");

fat_rc fat_relatorio_recursos(fat_store *st, const fat_relatorio_recursos_filtro *f,
                              fat_pagina *p, cJSON **out, fat_err *err)
{
  const char *status = f != NULL ? nonempty(f->status) : NULL;
  int64_t op = 0, after = 0;
  int limite = 0;
  fat_stmt *s;
  fat_rc rc;

  *out = NULL;
  rc = listing_args(st, p, NULL, f != NULL ? f->operadora : NULL, &limite, &after, &op, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_prepare(st,
                         status != NULL ? sql_recursos_status
                         : op != 0      ? sql_recursos_op
                                        : sql_recursos_todos,
                         &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int_or_null(s, 1, op, op == 0);
  fat_bind_text(s, 2, status);
  fat_bind_int(s, 3, after);
  fat_bind_int(s, 4, (int64_t)limite + 1);
  return page_rows(st, s, limite, p, out, err);
}

/* }====================================================== */

/*
** {======================================================
** Relação de guias of a lote
** =======================================================
*/

fat_rc fat_relatorio_lote_relacao(fat_store *st, int64_t id, cJSON **out, fat_err *err)
{
  static const char sql_lote[] =
      "SELECT l.id AS id, l.numero AS numero, l.tipo_guia AS tipo_guia,"
      " l.competencia AS competencia, l.status AS status, l.qtd_guias AS qtd_guias,"
      " l.valor_informado AS valor_informado, l.hash AS hash, l.fechado_em AS fechado_em,"
      " l.protocolo AS protocolo, o.nome AS operadora, o.registro_ans AS registro_ans"
      " FROM lote l JOIN operadora o ON o.id = l.operadora_id WHERE l.id = ?1";
  static const char sql_guias[] =
      "SELECT g.id AS id, g.numero_prestador AS numero_prestador,"
      " g.numero_operadora AS numero_operadora, g.tipo AS tipo,"
      " g.beneficiario_nome AS beneficiario_nome, g.carteira_numero AS carteira_numero,"
      " g.data_inicio AS data_inicio, g.senha AS senha, g.valor_total AS valor_total"
      " FROM guia g WHERE g.lote_id = ?1 ORDER BY g.numero_prestador, g.id";
  fat_stmt *s;
  cJSON *o, *lote = NULL;
  fat_rc rc;

  *out = NULL;
  rc = fat_store_prepare(st, sql_lote, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  if (fat_stmt_step(s) == FAT_ROW) {
    lote = fat_store_row_json(s, 0);
    if (lote == NULL)
      rc = fat_err_oom(err);
  } else {
    rc = fat_err_set(err, FAT_ENOTFOUND, "lote %lld não encontrado", (long long)id);
  }
  fat_stmt_reset(s);
  if (rc != FAT_OK)
    return rc;
  o = cJSON_CreateObject();
  if (o == NULL || !cJSON_AddItemToObject(o, "lote", lote)) {
    cJSON_Delete(o);
    cJSON_Delete(lote);
    return fat_err_oom(err);
  }
  rc = fat_store_prepare(st, sql_guias, &s, err);
  if (rc == FAT_OK) {
    fat_bind_int(s, 1, id);
    rc = attach_rows(st, s, o, "guias", err);
  }
  if (rc != FAT_OK) {
    cJSON_Delete(o);
    return rc;
  }
  *out = o;
  return FAT_OK;
}

fat_rc fat_relatorio_lote_relacao_csv(fat_store *st, int64_t id, char **csv, size_t *len,
                                      char *name, size_t name_len, fat_err *err)
{
  static const char *const cols[] = {"numero_prestador", "numero_operadora", "tipo",
                                     "beneficiario_nome", "carteira_numero", "data_inicio",
                                     "senha"};
  cJSON *rel = NULL, *g;
  fat_buf b;
  fat_csv w;
  char data[FAT_DIA_ISO_LEN];
  fat_rc rc;
  size_t i;

  *csv = NULL;
  *len = 0;
  rc = fat_relatorio_lote_relacao(st, id, &rel, err);
  if (rc != FAT_OK)
    return rc;
  fat_buf_init(&b, RELACAO_CSV_MAX);
  rc = fat_csv_begin(&w, &b, err);
  if (rc == FAT_OK)
    rc = fat_csv_row(&w, err, "guia", "guia na operadora", "tipo", "beneficiário", "carteira",
                     "data", "senha", "valor", (const char *)NULL);
  cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(rel, "guias"))
  {
    const cJSON *vt = cJSON_GetObjectItemCaseSensitive(g, "valor_total");

    for (i = 0; rc == FAT_OK && i < sizeof cols / sizeof cols[0]; i++) {
      const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(g, cols[i]));
      int32_t dia;

      if (i == 2)
        v = fat_guia_tipo_rotulo(v);
      if (i == 5) { /* the date as users read it */
        data[0] = '\0';
        if (fat_dia_parse(v, &dia) == 0)
          fat_dia_format_br(dia, data, sizeof data);
        v = data;
      }
      rc = fat_csv_text(&w, v, err);
    }
    if (rc == FAT_OK)
      rc = fat_csv_money(&w, cJSON_IsNumber(vt) ? (int64_t)vt->valuedouble : 0, err);
    if (rc == FAT_OK)
      rc = fat_csv_end_row(&w, err);
    if (rc != FAT_OK)
      break;
  }
  if (rc == FAT_OK && name != NULL && name_len > 0)
    snprintf(name, name_len, "relacao-lote-%lld.csv",
             (long long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(
                 cJSON_GetObjectItemCaseSensitive(rel, "lote"), "numero")));
  cJSON_Delete(rel);
  if (rc != FAT_OK) {
    fat_buf_fini(&b);
    return rc;
  }
  *len = b.len;
  *csv = fat_buf_take(&b);
  if (*csv == NULL) {
    *len = 0;
    return fat_err_oom(err);
  }
  return FAT_OK;
}

/* }====================================================== */
