/* fat_demo_avaliar.c: conferir's findings measured against the defects the
** demo injected (recall per class, precision per class and on clean guias).
**
** Set-based: every figure is one statement over the whole store. The
** originals of the recorded DUPLICIDADE pairs are computed once (a
** materialized CTE) instead of once per guia, which made the evaluation
** grow quadratically with the number of guias. */
#include "fat_demo.h"

#include <stdio.h>
#include <string.h>

#include "fat_mem.h"
#include "fat_store_int.h"

/* CONTRATOS-DEMO.md: defect class -> finding code that detects it, in the
** order of the report. */
#define CLASSES_CTE                                                                             \
  "m(ord, classe, codigo) AS (VALUES (1, 'CARTEIRA_AUSENTE', 'CARTEIRA_AUSENTE'),"             \
  " (2, 'CARTEIRA_VENCIDA', 'CARTEIRA_VENCIDA'), (3, 'SENHA_AUSENTE', 'SENHA_AUSENTE'),"       \
  " (4, 'SENHA_VENCIDA', 'SENHA_VENCIDA'),"                                                    \
  " (5, 'DATA_ANTES_AUTORIZACAO', 'DATA_ANTES_AUTORIZACAO'), (6, 'CID_AUSENTE', 'CID_AUSENTE'),"\
  " (7, 'ASSINATURA_AUSENTE', 'ASSINATURA_AUSENTE'),"                                          \
  " (8, 'PEDIDO_MEDICO_AUSENTE', 'PEDIDO_MEDICO_AUSENTE'), (9, 'DUPLICIDADE', 'DUPLICIDADE'),"  \
  " (10, 'PRECO_ACIMA_CONTRATO', 'PRECO_ACIMA_CONTRATO'),"                                     \
  " (11, 'TOTAL_DIVERGENTE', 'TOTAL_DIVERGENTE'), (12, 'CPF_INVALIDO', 'CPF_INVALIDO'),"       \
  " (13, 'CNS_INVALIDO', 'CNS_INVALIDO'), (14, 'PROFISSIONAL_INCOMPLETO', 'PROFISSIONAL_INCOMPLETO'),"\
  " (15, 'CODIGO_INVALIDO', 'CODIGO_TUSS_INVALIDO'),"                                          \
  " (16, 'QUANTIDADE_INVALIDA', 'QUANTIDADE_INVALIDA'),"                                       \
  " (17, 'ITEM_FORA_PERIODO', 'ITEM_FORA_PERIODO'), (18, 'PRAZO_EXCEDIDO', 'PRAZO_EXCEDIDO'),"  \
  " (19, 'SEXO_INCOMPATIVEL', 'SEXO_INCOMPATIVEL'), (20, 'CONSULTA_RETORNO', 'CONSULTA_RETORNO'))"

/* The originals of the recorded DUPLICIDADE pairs: a guia of the same
** beneficiário with the same procedure code on the same date as a guia that
** carries the DUPLICIDADE defect. Its DUPLICIDADE finding is right. The
** CROSS JOINs fix the join order (defect -> guia -> the beneficiário's other
** guias -> their items): left to the planner, a store without ANALYZE walks
** every item of a popular procedure code instead. */
#define DUP_ORIG_CTE                                                                            \
  "dup_orig(guia_id) AS MATERIALIZED (SELECT DISTINCT g1.id FROM demo_defeito dd"              \
  " CROSS JOIN guia g2 CROSS JOIN guia g1 CROSS JOIN item i2 CROSS JOIN item i1"                \
  " WHERE dd.classe = 'DUPLICIDADE' AND g2.id = dd.guia_id"                                     \
  " AND g1.beneficiario_id = g2.beneficiario_id AND g1.id <> g2.id"                             \
  " AND i2.guia_id = g2.id AND i1.guia_id = g1.id AND i1.codigo = i2.codigo"                    \
  " AND COALESCE(i1.data, g1.data_inicio) = COALESCE(i2.data, g2.data_inicio))"

static fat_rc step_row(fat_store *st, fat_stmt *s, fat_err *err)
{
  if (fat_stmt_step(s) == FAT_ROW)
    return FAT_OK;
  fat_stmt_reset(s);
  return fat_store_dberr(st, err, "erro ao avaliar a demo");
}

/* Counts that say whether there is anything to evaluate. */
static fat_rc counts(fat_store *st, int64_t *n_conf, int64_t *n_def, fat_err *err)
{
  static const char q_tab[] =
      "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'demo_defeito'";
  static const char q_n[] =
      "SELECT (SELECT count(*) FROM conferencia), (SELECT count(*) FROM demo_defeito)";
  fat_stmt *s;
  fat_rc rc;
  int has;

  *n_conf = *n_def = 0;
  rc = fat_store_prepare(st, q_tab, &s, err);
  if (rc != FAT_OK)
    return rc;
  rc = step_row(st, s, err);
  if (rc != FAT_OK)
    return rc;
  has = fat_col_int(s, 0);
  fat_stmt_reset(s);
  if (!has)
    return FAT_OK;
  rc = fat_store_prepare(st, q_n, &s, err);
  if (rc != FAT_OK)
    return rc;
  rc = step_row(st, s, err);
  if (rc != FAT_OK)
    return rc;
  *n_conf = fat_col_int64(s, 0);
  *n_def = fat_col_int64(s, 1);
  fat_stmt_reset(s);
  return FAT_OK;
}

/* Recall and precision of every class in one statement. */
static fat_rc eval_classes(fat_store *st, cJSON *arr, double min_recall, int *ok, fat_err *err)
{
  static const char sql[] =
      "WITH " CLASSES_CTE ", " DUP_ORIG_CTE ","
      " flag(classe, guia_id) AS MATERIALIZED (SELECT DISTINCT m.classe, a.guia_id"
      "  FROM achado a JOIN m ON m.codigo = a.codigo),"
      " inj(classe, n, det) AS (SELECT d.classe, count(*), sum(EXISTS (SELECT 1 FROM achado a"
      "  WHERE a.guia_id = d.guia_id AND a.codigo = m.codigo))"
      "  FROM demo_defeito d CROSS JOIN conferencia c CROSS JOIN m"
      "  WHERE c.guia_id = d.guia_id AND m.classe = d.classe GROUP BY d.classe),"
      " prec(classe, n, good) AS (SELECT f.classe, count(*), sum(EXISTS (SELECT 1"
      "  FROM demo_defeito d WHERE d.guia_id = f.guia_id AND d.classe = f.classe)"
      "  OR (f.classe = 'DUPLICIDADE' AND f.guia_id IN (SELECT guia_id FROM dup_orig)))"
      "  FROM flag f GROUP BY f.classe)"
      " SELECT m.classe, m.codigo, COALESCE(inj.n, 0), COALESCE(inj.det, 0),"
      " COALESCE(prec.n, 0), COALESCE(prec.good, 0)"
      " FROM m LEFT JOIN inj ON inj.classe = m.classe LEFT JOIN prec ON prec.classe = m.classe"
      " ORDER BY m.ord";
  fat_stmt *s;
  cJSON *o;
  int64_t inj, det, flag, good;
  double recall, prec;
  fat_rc rc;
  int r;

  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  for (;;) {
    r = fat_stmt_step(s);
    if (r != FAT_ROW)
      break;
    inj = fat_col_int64(s, 2);
    det = fat_col_int64(s, 3);
    flag = fat_col_int64(s, 4);
    good = fat_col_int64(s, 5);
    recall = inj > 0 ? (double)det / (double)inj : 1.0;
    prec = flag > 0 ? (double)good / (double)flag : 1.0;
    if (inj > 0 && recall < min_recall)
      *ok = 0;
    o = cJSON_CreateObject();
    if (o == NULL) {
      rc = fat_err_oom(err);
      goto out;
    }
    cJSON_AddItemToArray(arr, o);
    if (cJSON_AddStringToObject(o, "classe", fat_col_text(s, 0)) == NULL ||
        cJSON_AddStringToObject(o, "codigo", fat_col_text(s, 1)) == NULL ||
        cJSON_AddNumberToObject(o, "injetadas", (double)inj) == NULL ||
        cJSON_AddNumberToObject(o, "detectadas", (double)det) == NULL ||
        cJSON_AddNumberToObject(o, "recall", recall) == NULL ||
        cJSON_AddNumberToObject(o, "sinalizadas", (double)flag) == NULL ||
        cJSON_AddNumberToObject(o, "corretas", (double)good) == NULL ||
        cJSON_AddNumberToObject(o, "precisao", prec) == NULL ||
        cJSON_AddArrayToObject(o, "exemplos_perdidos") == NULL) {
      rc = fat_err_oom(err);
      goto out;
    }
  }
  if (r != FAT_DONE)
    rc = fat_store_dberr(st, err, "erro ao avaliar a demo");
out:
  fat_stmt_reset(s);
  return rc;
}

/* The first five missed guias of each class, into the class objects. */
static fat_rc eval_missed(fat_store *st, cJSON *arr, fat_err *err)
{
  static const char sql[] =
      "WITH " CLASSES_CTE ","
      " miss(classe, guia_id, k) AS (SELECT d.classe, d.guia_id,"
      "  row_number() OVER (PARTITION BY d.classe ORDER BY d.guia_id)"
      "  FROM demo_defeito d CROSS JOIN conferencia c CROSS JOIN m"
      "  WHERE c.guia_id = d.guia_id AND m.classe = d.classe"
      "  AND NOT EXISTS (SELECT 1 FROM achado a WHERE a.guia_id = d.guia_id"
      "  AND a.codigo = m.codigo))"
      " SELECT classe, guia_id FROM miss WHERE k <= 5 ORDER BY classe, guia_id";
  fat_stmt *s;
  cJSON *o, *list, *n;
  fat_rc rc;
  int r;

  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  for (;;) {
    r = fat_stmt_step(s);
    if (r != FAT_ROW)
      break;
    list = NULL;
    cJSON_ArrayForEach(o, arr)
    {
      if (strcmp(cJSON_GetObjectItemCaseSensitive(o, "classe")->valuestring,
                 fat_col_text(s, 0)) == 0)
        list = cJSON_GetObjectItemCaseSensitive(o, "exemplos_perdidos");
    }
    if (list == NULL)
      continue;
    n = cJSON_CreateNumber((double)fat_col_int64(s, 1));
    if (n == NULL) {
      rc = fat_err_oom(err);
      goto out;
    }
    cJSON_AddItemToArray(list, n);
  }
  if (r != FAT_DONE)
    rc = fat_store_dberr(st, err, "erro ao avaliar a demo");
out:
  fat_stmt_reset(s);
  return rc;
}

/* Clean guias (no recorded defect, evaluated) and those of them with a
** bloqueio, the DUPLICIDADE finding on a pair's original excused. */
static fat_rc eval_clean(fat_store *st, int64_t *clean, int64_t *clean_b, fat_err *err)
{
  static const char sql[] =
      "WITH " DUP_ORIG_CTE
      " SELECT count(*), COALESCE(sum(EXISTS (SELECT 1 FROM achado a WHERE a.guia_id = g.id"
      " AND a.severidade = 'bloqueio' AND NOT (a.codigo = 'DUPLICIDADE'"
      " AND g.id IN (SELECT guia_id FROM dup_orig)))), 0)"
      " FROM guia g JOIN conferencia c ON c.guia_id = g.id"
      " WHERE NOT EXISTS (SELECT 1 FROM demo_defeito d WHERE d.guia_id = g.id)";
  fat_stmt *s;
  fat_rc rc;

  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  rc = step_row(st, s, err);
  if (rc != FAT_OK)
    return rc;
  *clean = fat_col_int64(s, 0);
  *clean_b = fat_col_int64(s, 1);
  fat_stmt_reset(s);
  return FAT_OK;
}

/* The first 20 bloqueios on clean guias. */
static fat_rc eval_false_alarms(fat_store *st, cJSON *fps, fat_err *err)
{
  static const char sql[] =
      "WITH " DUP_ORIG_CTE
      " SELECT a.guia_id, a.codigo, a.mensagem FROM achado a JOIN guia g ON g.id = a.guia_id"
      " JOIN conferencia c ON c.guia_id = g.id"
      " WHERE a.severidade = 'bloqueio'"
      " AND NOT EXISTS (SELECT 1 FROM demo_defeito d WHERE d.guia_id = g.id)"
      " AND NOT (a.codigo = 'DUPLICIDADE' AND g.id IN (SELECT guia_id FROM dup_orig))"
      " ORDER BY a.guia_id LIMIT 20";
  fat_stmt *s;
  cJSON *o;
  fat_rc rc;
  int r;

  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  for (;;) {
    r = fat_stmt_step(s);
    if (r != FAT_ROW)
      break;
    o = cJSON_CreateObject();
    if (o == NULL) {
      rc = fat_err_oom(err);
      goto out;
    }
    cJSON_AddItemToArray(fps, o);
    if (cJSON_AddNumberToObject(o, "guia_id", (double)fat_col_int64(s, 0)) == NULL ||
        cJSON_AddStringToObject(o, "codigo", fat_col_text(s, 1)) == NULL ||
        cJSON_AddStringToObject(o, "mensagem", fat_col_text(s, 2)) == NULL) {
      rc = fat_err_oom(err);
      goto out;
    }
  }
  if (r != FAT_DONE)
    rc = fat_store_dberr(st, err, "erro ao avaliar a demo");
out:
  fat_stmt_reset(s);
  return rc;
}

fat_rc fat_demo_avaliar(fat_store *st, double min_recall, double min_precisao, cJSON **out,
                        fat_err *err)
{
  cJSON *root, *arr, *fps;
  int64_t clean = 0, clean_b = 0, n_conf, n_def;
  double prec;
  int ok = 1;
  fat_rc rc;

  *out = NULL;
  root = cJSON_CreateObject();
  arr = root != NULL ? cJSON_AddArrayToObject(root, "classes") : NULL;
  if (arr == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  rc = counts(st, &n_conf, &n_def, err);
  if (rc != FAT_OK)
    goto out;
  if (n_conf == 0 || n_def == 0) {
    rc = fat_err_set(err, FAT_ESTATE,
                     n_def == 0 ? "o banco não tem defeitos de demonstração (rode faturo demo)"
                                : "nenhuma guia conferida ainda (rode faturo conferir)");
    goto out;
  }
  rc = eval_classes(st, arr, min_recall, &ok, err);
  if (rc == FAT_OK)
    rc = eval_missed(st, arr, err);
  if (rc == FAT_OK)
    rc = eval_clean(st, &clean, &clean_b, err);
  if (rc != FAT_OK)
    goto out;
  prec = clean > 0 ? (double)(clean - clean_b) / (double)clean : 1.0;
  if (prec < min_precisao)
    ok = 0;
  fps = NULL;
  if (cJSON_AddNumberToObject(root, "avaliadas", (double)n_conf) == NULL ||
      cJSON_AddNumberToObject(root, "limpas", (double)clean) == NULL ||
      cJSON_AddNumberToObject(root, "limpas_com_bloqueio", (double)clean_b) == NULL ||
      cJSON_AddNumberToObject(root, "precisao_limpas", prec) == NULL ||
      cJSON_AddNumberToObject(root, "min_recall", min_recall) == NULL ||
      cJSON_AddNumberToObject(root, "min_precisao", min_precisao) == NULL)
    rc = fat_err_oom(err);
  if (rc == FAT_OK) {
    fps = cJSON_AddArrayToObject(root, "falsos_alarmes");
    if (fps == NULL)
      rc = fat_err_oom(err);
  }
  if (rc == FAT_OK)
    rc = eval_false_alarms(st, fps, err);
  if (rc == FAT_OK && cJSON_AddBoolToObject(root, "ok", ok) == NULL)
    rc = fat_err_oom(err);
  if (rc != FAT_OK)
    goto out;
  *out = root;
  root = NULL;
out:
  cJSON_Delete(root);
  return rc;
}
