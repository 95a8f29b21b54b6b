/* fat_lote_papel.c: the physical papers of a lote (fat_lote_papel.h). */
#include "fat_lote_papel.h"

#include <stdio.h>
#include <string.h>

#include "fat_contrato.h"
#include "fat_dia.h"
#include "fat_mem.h"
#include "fat_store_int.h"

static int blank(const char *s) { return s == NULL || s[0] == '\0'; }

/* Characters (UTF-8 code points) of s. */
static size_t chars(const char *s)
{
  size_t n = 0;

  for (; *s != '\0'; s++)
    n += ((unsigned char)*s & 0xC0) != 0x80;
  return n;
}

static fat_rc texto_ok(const char *campo, const char *s, fat_err *err)
{
  if (s != NULL && chars(s) > FAT_LOTE_PAPEL_TEXTO_MAX)
    return fat_err_set(err, FAT_EINVAL, "%s: no máximo %d caracteres", campo,
                       FAT_LOTE_PAPEL_TEXTO_MAX);
  return FAT_OK;
}

fat_rc fat_lote_papel_entregar(fat_store *st, int64_t id, const fat_lote_papel_entrega *e,
                               const char *hoje, fat_err *err)
{
  static const char sql_lote[] =
    "SELECT status, fechado_em, numero FROM lote WHERE id = ?1";
  static const char sql_ins[] =
    "INSERT INTO lote_papel (lote_id, entregue_em, entregue_por, protocolo, observacao,"
    " registrado_em, registrado_por) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
    " ON CONFLICT (lote_id) DO UPDATE SET entregue_em = ?2, entregue_por = ?3,"
    " protocolo = ?4, observacao = ?5, registrado_em = ?6, registrado_por = ?7";
  char data[FAT_DIA_ISO_LEN], hj[16], fechado[40] = "", status[16] = "", obj[40], det[300],
                                      agora[32], br[16];
  int32_t dia, dia_hoje, dia_fechado;
  int64_t numero = 0;
  fat_stmt *s;
  fat_rc rc;
  int step;

  if (e == NULL || blank(e->data))
    return fat_err_set(err, FAT_EINVAL, "data da entrega: informe o dia (DD/MM/AAAA)");
  rc = fat_dia_ler(e->data, &dia, data, err);
  if (rc != FAT_OK) {
    fat_err_prefix(err, "data da entrega: ");
    return rc;
  }
  if (hoje != NULL)
    snprintf(hj, sizeof hj, "%s", hoje);
  else
    fat_dia_hoje(hj, sizeof hj);
  if (fat_dia_parse(hj, &dia_hoje) == 0 && dia > dia_hoje) {
    fat_dia_format_br(dia, br, sizeof br);
    return fat_err_set(err, FAT_EINVAL, "data da entrega: %s ainda não chegou", br);
  }
  if (blank(e->por))
    return fat_err_set(err, FAT_EINVAL, "quem levou: informe o nome de quem entregou os papéis");
  rc = texto_ok("quem levou", e->por, err);
  if (rc == FAT_OK)
    rc = texto_ok("protocolo", e->protocolo, err);
  if (rc == FAT_OK)
    rc = texto_ok("observação", e->observacao, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_prepare(st, sql_lote, &s, err);
  if (rc != FAT_OK)
    goto out;
  fat_bind_int(s, 1, id);
  step = fat_stmt_step(s);
  if (step == FAT_ROW) {
    snprintf(status, sizeof status, "%s", fat_col_text(s, 0) != NULL ? fat_col_text(s, 0) : "");
    snprintf(fechado, sizeof fechado, "%s", fat_col_text(s, 1) != NULL ? fat_col_text(s, 1) : "");
    numero = fat_col_int64(s, 2);
  } else if (step == FAT_DONE) {
    rc = fat_err_set(err, FAT_ENOTFOUND, "lote %lld não encontrado", (long long)id);
  } else {
    rc = fat_store_dberr(st, err, "erro ao ler o lote");
  }
  fat_stmt_reset(s);
  if (rc != FAT_OK)
    goto out;
  if (strcmp(status, "aberto") == 0) {
    rc = fat_err_set(err, FAT_ESTATE,
                     "o lote %lld ainda está aberto: feche o lote antes de registrar a entrega "
                     "dos papéis",
                     (long long)id);
    goto out;
  }
  /* the day the lote closed in the clinic's time, as the user types dates */
  if (fechado[0] != '\0' && fat_dia_local_de(fechado, &dia_fechado) == 0 && dia < dia_fechado) {
    fat_dia_format_br(dia_fechado, br, sizeof br);
    rc = fat_err_set(err, FAT_EINVAL, "data da entrega: o lote %lld só fechou em %s", (long long)id,
                     br);
    goto out;
  }
  fat_store_now(agora, sizeof agora);
  rc = fat_store_prepare(st, sql_ins, &s, err);
  if (rc != FAT_OK)
    goto out;
  fat_bind_int(s, 1, id);
  fat_bind_text(s, 2, data);
  fat_bind_text(s, 3, e->por);
  if (blank(e->protocolo))
    fat_bind_null(s, 4);
  else
    fat_bind_text(s, 4, e->protocolo);
  if (blank(e->observacao))
    fat_bind_null(s, 5);
  else
    fat_bind_text(s, 5, e->observacao);
  fat_bind_text(s, 6, agora);
  fat_bind_text(s, 7, fat_store_user(st) != NULL ? fat_store_user(st) : "cli");
  rc = fat_store_step_done(st, s, "erro ao registrar a entrega dos papéis", err);
  if (rc != FAT_OK)
    goto out;
  snprintf(obj, sizeof obj, "lote:%lld", (long long)id);
  snprintf(det, sizeof det, "lote %lld entregue em %s por %.80s; protocolo %.60s",
           (long long)numero, data, e->por, blank(e->protocolo) ? "-" : e->protocolo);
  rc = fat_store_audit(st, "lote.papel", obj, det, err);
out:
  if (rc == FAT_OK)
    rc = fat_store_commit(st, err);
  else
    fat_store_rollback(st);
  return rc;
}

/* o[k] (0/1 from SQL) as a JSON bool. */
static fat_rc as_bool(cJSON *o, const char *k, fat_err *err)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  cJSON *b = cJSON_CreateBool(cJSON_IsNumber(v) && v->valuedouble != 0);

  if (b == NULL)
    return fat_err_oom(err);
  if (!cJSON_ReplaceItemInObjectCaseSensitive(o, k, b)) {
    cJSON_Delete(b);
    return fat_err_oom(err);
  }
  return FAT_OK;
}

/* The guia's status, or FAT_ENOTFOUND. */
static fat_rc guia_status(fat_store *st, int64_t id, char *status, size_t len, fat_err *err)
{
  static const char sql[] = "SELECT status FROM guia WHERE id = ?1";
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);
  int step;

  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  step = fat_stmt_step(s);
  if (step == FAT_ROW)
    snprintf(status, len, "%s", fat_col_text(s, 0) != NULL ? fat_col_text(s, 0) : "");
  else if (step == FAT_DONE)
    rc = fat_err_set(err, FAT_ENOTFOUND, "guia %lld não encontrada", (long long)id);
  else
    rc = fat_store_dberr(st, err, "erro ao ler a guia");
  fat_stmt_reset(s);
  return rc;
}

fat_rc fat_guia_papel_marcar(fat_store *st, int64_t id, int recebido, fat_err *err)
{
  static const char sql_ins[] =
    "INSERT INTO guia_papel (guia_id, recebido_em, recebido_por) VALUES (?1, ?2, ?3)"
    " ON CONFLICT (guia_id) DO NOTHING";
  static const char sql_del[] = "DELETE FROM guia_papel WHERE guia_id = ?1";
  char status[24], agora[32], obj[40];
  fat_stmt *s;
  fat_rc rc = fat_store_begin(st, err);

  if (rc != FAT_OK)
    return rc;
  rc = guia_status(st, id, status, sizeof status, err);
  if (rc == FAT_OK && strcmp(status, "cancelada") == 0)
    rc = fat_err_set(err, FAT_ESTATE, "a guia %lld está cancelada: não há papel a receber",
                     (long long)id);
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, recebido ? sql_ins : sql_del, &s, err);
  if (rc != FAT_OK)
    goto out;
  fat_store_now(agora, sizeof agora);
  fat_bind_int(s, 1, id);
  if (recebido) {
    fat_bind_text(s, 2, agora);
    fat_bind_text(s, 3, fat_store_user(st) != NULL ? fat_store_user(st) : "cli");
  }
  rc = fat_store_step_done(st, s, "erro ao marcar o papel da guia", err);
  if (rc == FAT_OK && fat_store_changes(st) == 0)
    rc = fat_err_set(err, FAT_ESTATE,
                     recebido ? "o papel assinado da guia %lld já estava marcado como recebido"
                              : "o papel assinado da guia %lld já estava pendente",
                     (long long)id);
  if (rc != FAT_OK)
    goto out;
  snprintf(obj, sizeof obj, "guia:%lld", (long long)id);
  rc = fat_store_audit(st, "guia.papel", obj,
                       recebido ? "papel assinado recebido" : "papel assinado pendente", err);
out:
  if (rc == FAT_OK)
    rc = fat_store_commit(st, err);
  else
    fat_store_rollback(st);
  return rc;
}

fat_rc fat_guia_papel(fat_store *st, int64_t id, cJSON **out, fat_err *err)
{
  static const char sql[] =
    "SELECT g.id AS guia_id, p.guia_id IS NOT NULL AS recebido, p.recebido_em AS recebido_em,"
    " p.recebido_por AS recebido_por"
    " FROM guia g LEFT JOIN guia_papel p ON p.guia_id = g.id WHERE g.id = ?1";
  cJSON *arr = NULL, *o;
  fat_stmt *s;
  fat_rc rc;

  *out = NULL;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  rc = fat_store_rows_json(st, s, 0, "erro ao ler o papel da guia", &arr, err);
  if (rc != FAT_OK)
    return rc;
  if (cJSON_GetArraySize(arr) == 0) {
    cJSON_Delete(arr);
    return fat_err_set(err, FAT_ENOTFOUND, "guia %lld não encontrada", (long long)id);
  }
  o = cJSON_DetachItemFromArray(arr, 0);
  cJSON_Delete(arr);
  rc = o != NULL ? as_bool(o, "recebido", err) : fat_err_oom(err);
  if (rc != FAT_OK) {
    cJSON_Delete(o);
    return rc;
  }
  *out = o;
  return FAT_OK;
}

/* The lote's header, the contract's papel_fisico and the delivery. */
static fat_rc lote_cabecalho(fat_store *st, fat_gen *gen, int64_t id, cJSON **out, fat_err *err)
{
  static const char sql[] =
    "SELECT l.id AS lote_id, l.numero AS numero, l.status AS status, o.nome AS operadora,"
    " o.registro_ans AS registro_ans, o.script AS script, l.qtd_guias AS qtd_guias"
    " FROM lote l JOIN operadora o ON o.id = l.operadora_id WHERE l.id = ?1";
  static const char sql_ent[] =
    "SELECT entregue_em AS data, entregue_por AS por, protocolo, observacao, registrado_em,"
    " registrado_por FROM lote_papel WHERE lote_id = ?1";
  const fat_contrato *c;
  cJSON *arr = NULL, *o = NULL, *ent = NULL, *pf;
  fat_stmt *s;
  fat_rc rc;

  *out = NULL;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  rc = fat_store_rows_json(st, s, 0, "erro ao ler o lote", &arr, err);
  if (rc != FAT_OK)
    return rc;
  if (cJSON_GetArraySize(arr) == 0) {
    cJSON_Delete(arr);
    return fat_err_set(err, FAT_ENOTFOUND, "lote %lld não encontrado", (long long)id);
  }
  o = cJSON_DetachItemFromArray(arr, 0);
  cJSON_Delete(arr);
  arr = NULL;
  if (o == NULL)
    return fat_err_oom(err);
  c = (gen != NULL && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, "script")))
        ? fat_gen_contrato(gen, cJSON_GetObjectItemCaseSensitive(o, "script")->valuestring)
        : NULL;
  cJSON_DeleteItemFromObjectCaseSensitive(o, "script");
  pf = c != NULL ? cJSON_CreateBool(c->guias.papel_fisico) : cJSON_CreateNull();
  if (pf == NULL || !cJSON_AddItemToObject(o, "papel_fisico", pf)) {
    cJSON_Delete(pf);
    rc = fat_err_oom(err);
    goto out;
  }
  rc = fat_store_prepare(st, sql_ent, &s, err);
  if (rc != FAT_OK)
    goto out;
  fat_bind_int(s, 1, id);
  rc = fat_store_rows_json(st, s, 0, "erro ao ler a entrega dos papéis", &arr, err);
  if (rc != FAT_OK)
    goto out;
  ent = cJSON_GetArraySize(arr) > 0 ? cJSON_DetachItemFromArray(arr, 0) : cJSON_CreateNull();
  if (ent == NULL || !cJSON_AddItemToObject(o, "entrega", ent)) {
    cJSON_Delete(ent);
    rc = fat_err_oom(err);
  }
out:
  cJSON_Delete(arr);
  if (rc != FAT_OK) {
    cJSON_Delete(o);
    return rc;
  }
  *out = o;
  return FAT_OK;
}

fat_rc fat_lote_papel(fat_store *st, fat_gen *gen, int64_t id, cJSON **out, fat_err *err)
{
  static const char sql_cont[] =
    "SELECT count(*), count(p.guia_id) FROM guia g LEFT JOIN guia_papel p ON p.guia_id = g.id"
    " WHERE g.lote_id = ?1 AND g.status <> 'cancelada'";
  static const char sql_pend[] =
    "SELECT g.id AS guia_id, g.numero_prestador AS numero_prestador,"
    " g.beneficiario_nome AS beneficiario_nome, g.data_inicio AS data_inicio"
    " FROM guia g LEFT JOIN guia_papel p ON p.guia_id = g.id"
    " WHERE g.lote_id = ?1 AND g.status <> 'cancelada' AND p.guia_id IS NULL"
    " ORDER BY g.numero_prestador, g.id";
  cJSON *o = NULL, *pend = NULL;
  int64_t n = 0, rec = 0;
  fat_stmt *s;
  fat_rc rc;

  *out = NULL;
  rc = fat_store_begin_read(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = lote_cabecalho(st, gen, id, &o, err);
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql_cont, &s, err);
  if (rc != FAT_OK)
    goto out;
  fat_bind_int(s, 1, id);
  if (fat_stmt_step(s) == FAT_ROW) {
    n = fat_col_int64(s, 0);
    rec = fat_col_int64(s, 1);
    fat_stmt_reset(s);
  } else {
    rc = fat_store_dberr(st, err, "erro ao contar as guias do lote");
    fat_stmt_reset(s);
    goto out;
  }
  rc = fat_store_prepare(st, sql_pend, &s, err);
  if (rc != FAT_OK)
    goto out;
  fat_bind_int(s, 1, id);
  rc = fat_store_rows_json(st, s, 0, "erro ao listar as guias sem papel", &pend, err);
  if (rc != FAT_OK)
    goto out;
  if (cJSON_AddNumberToObject(o, "guias", (double)n) == NULL ||
      cJSON_AddNumberToObject(o, "recebidos", (double)rec) == NULL ||
      !cJSON_AddItemToObject(o, "pendentes", pend)) {
    rc = fat_err_oom(err);
    goto out;
  }
  pend = NULL;
out:
  fat_store_rollback(st);
  cJSON_Delete(pend);
  if (rc != FAT_OK) {
    cJSON_Delete(o);
    return rc;
  }
  *out = o;
  return FAT_OK;
}
