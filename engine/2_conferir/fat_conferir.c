/* fat_conferir.c: the conferir run, findings storage and acknowledgement
** (see fat_conferir.h, docs/conferir.md). */
#include "fat_conferir.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fat_check.h"
#include "fat_dia.h"
#include "fat_docnum.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_money.h"
#include "fat_price.h"
#include "fat_store_int.h"

static int blank(const char *s) { return s == NULL || s[0] == '\0'; }

static int str_eq_null(const char *a, const char *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return strcmp(a, b) == 0;
}


/* {======================================================================
** History for the scripts (ctx.historico)
** ======================================================================= */

static fat_rc historico_of(fat_store *st, const fat_guia *g, cJSON **out, fat_err *err)
{
  static const char sql_benef[] =
    "SELECT g.id, g.tipo, g.numero_prestador, g.data_inicio, g.tipo_consulta, g.status, "
    "p.conselho, p.numero_conselho, p.uf, p.cpf, p.cbo, "
    "(SELECT group_concat(i.codigo, ',') FROM item i WHERE i.guia_id = g.id), "
    "g.carteira_numero, g.cns, b.cpf "
    "FROM guia g LEFT JOIN profissional p ON p.id = g.executante_id "
    "LEFT JOIN beneficiario b ON b.id = g.beneficiario_id "
    "WHERE g.beneficiario_id = ?1 AND g.operadora_id = ?2 AND g.id <> ?3 "
    "AND g.status <> 'cancelada' AND g.data_inicio >= date(?4, '-90 days') "
    "AND g.data_inicio <= ?4 ORDER BY g.data_inicio, g.id LIMIT 100";
  static const char sql_cart[] =
    "SELECT g.id, g.tipo, g.numero_prestador, g.data_inicio, g.tipo_consulta, g.status, "
    "p.conselho, p.numero_conselho, p.uf, p.cpf, p.cbo, "
    "(SELECT group_concat(i.codigo, ',') FROM item i WHERE i.guia_id = g.id), "
    "g.carteira_numero, g.cns, b.cpf "
    "FROM guia g LEFT JOIN profissional p ON p.id = g.executante_id "
    "LEFT JOIN beneficiario b ON b.id = g.beneficiario_id "
    "WHERE g.carteira_numero = ?5 AND g.operadora_id = ?2 AND g.id <> ?3 "
    "AND g.status <> 'cancelada' AND g.data_inicio >= date(?4, '-90 days') "
    "AND g.data_inicio <= ?4 ORDER BY g.data_inicio, g.id LIMIT 100";
  static const char *const gcols[] = {NULL, "tipo", "numero_prestador", "data_inicio",
                                      "tipo_consulta", "status"};
  static const char *const pcols[] = {"conselho", "numero_conselho", "uf", "cpf", "cbo"};
  cJSON *arr = cJSON_CreateArray();
  sqlite3_stmt *s;
  fat_rc rc;
  int step, k;

  *out = NULL;
  if (arr == NULL)
    return fat_err_oom(err);
  if (blank(g->data_inicio) || (g->beneficiario.id <= 0 && blank(g->carteira_numero))) {
    *out = arr;
    return FAT_OK;
  }
  rc = fat_store_prepare(st, g->beneficiario.id > 0 ? sql_benef : sql_cart, &s, err);
  if (rc != FAT_OK) {
    cJSON_Delete(arr);
    return rc;
  }
  if (g->beneficiario.id > 0)
    fat_bind_int(s, 1, g->beneficiario.id);
  else
    fat_bind_text(s, 5, g->carteira_numero);
  fat_bind_int(s, 2, g->operadora.id);
  fat_bind_int(s, 3, g->id);
  fat_bind_text(s, 4, g->data_inicio);
  while ((step = sqlite3_step(s)) == SQLITE_ROW) {
    cJSON *o = cJSON_CreateObject(), *ex = NULL, *its;
    const char *codes = (const char *)sqlite3_column_text(s, 11);

    if (o == NULL)
      goto nomem;
    cJSON_AddItemToArray(arr, o);
    if (cJSON_AddNumberToObject(o, "id", (double)sqlite3_column_int64(s, 0)) == NULL)
      goto nomem;
    for (k = 1; k <= 5; k++) {
      const char *v = (const char *)sqlite3_column_text(s, k);

      if (v != NULL && cJSON_AddStringToObject(o, gcols[k], v) == NULL)
        goto nomem;
    }
    for (k = 0; k < 5; k++) {
      const char *v = (const char *)sqlite3_column_text(s, 6 + k);

      if (v == NULL)
        continue;
      if (ex == NULL && (ex = cJSON_AddObjectToObject(o, "executante")) == NULL)
        goto nomem;
      if (cJSON_AddStringToObject(ex, pcols[k], v) == NULL)
        goto nomem;
    }
    for (k = 12; k <= 13; k++) {
      const char *v = (const char *)sqlite3_column_text(s, k);

      if (v != NULL && cJSON_AddStringToObject(o, k == 12 ? "carteira_numero" : "cns", v) == NULL)
        goto nomem;
    }
    if (sqlite3_column_type(s, 14) != SQLITE_NULL) {
      cJSON *b = cJSON_AddObjectToObject(o, "beneficiario");

      if (b == NULL ||
          cJSON_AddStringToObject(b, "cpf", (const char *)sqlite3_column_text(s, 14)) == NULL)
        goto nomem;
    }
    if ((its = cJSON_AddArrayToObject(o, "itens")) == NULL)
      goto nomem;
    while (codes != NULL && *codes != '\0') {
      size_t n = strcspn(codes, ",");
      char code[32];
      cJSON *it;

      snprintf(code, sizeof code, "%.*s", (int)(n < 31 ? n : 31), codes);
      it = cJSON_CreateObject();
      if (it == NULL)
        goto nomem;
      cJSON_AddItemToArray(its, it);
      if (cJSON_AddStringToObject(it, "codigo", code) == NULL)
        goto nomem;
      codes += n;
      if (*codes == ',')
        codes++;
    }
  }
  sqlite3_reset(s);
  if (step != SQLITE_DONE) {
    cJSON_Delete(arr);
    return fat_store_dberr(st, err, "erro ao ler o histórico do beneficiário");
  }
  *out = arr;
  return FAT_OK;
nomem:
  sqlite3_reset(s);
  cJSON_Delete(arr);
  return fat_err_oom(err);
}

fat_rc fat_conferir_historico(fat_store *st, int64_t guia_id, cJSON **out, fat_err *err)
{
  fat_guia *g = NULL;
  fat_rc rc = fat_guia_load(st, guia_id, &g, err);

  *out = NULL;
  if (rc != FAT_OK)
    return rc;
  rc = historico_of(st, g, out, err);
  fat_guia_free(g);
  return rc;
}

/* }====================================================================== */

/* {======================================================================
** The run
** ======================================================================= */

/* Per operator script key: the contract's presentation deadline. */
typedef struct contrato_slot {
  char *key;
  int prazo;
} contrato_slot;

typedef struct run {
  fat_store *st;
  fat_gen *gen;          /* NULL when there are no rules */
  fat_pricer *pricer;    /* NULL when there are no rules */
  const fat_conferir_opts *o;
  fat_conferir_cb cb;
  void *ud;
  fat_conferir_resumo *res;
  fat_check_opts copts;
  contrato_slot *contratos;
  size_t n_contratos;
} run;

/* One selected guia and what its last check was. */
typedef struct cand {
  int64_t id;
} cand;

static int contrato_prazo(run *r, const char *key)
{
  size_t i;
  cJSON *c = NULL;
  int prazo = 0;
  contrato_slot *v;
  fat_err e;

  if (key == NULL)
    return 0;
  for (i = 0; i < r->n_contratos; i++)
    if (strcmp(r->contratos[i].key, key) == 0)
      return r->contratos[i].prazo;
  if (r->gen != NULL && fat_gen_contract(r->gen, key, &c, &e) == FAT_OK) {
    prazo = fat_check_prazo_contrato(c);
    cJSON_Delete(c);
  }
  v = fat_realloc(r->contratos, (r->n_contratos + 1) * sizeof *v);
  if (v == NULL)
    return prazo;
  r->contratos = v;
  v[r->n_contratos].key = fat_strdup(key);
  if (v[r->n_contratos].key == NULL)
    return prazo;
  v[r->n_contratos].prazo = prazo;
  r->n_contratos++;
  return prazo;
}

/* Path of item index i for the item with sequencial seq (or -1). */
static int item_index(const fat_guia *g, int seq)
{
  size_t i;

  for (i = 0; i < g->n_itens; i++)
    if (g->itens[i].sequencial == seq)
      return (int)i;
  return -1;
}

static fat_rc add_msg(fat_findings *f, const char *codigo, fat_severidade sev, const char *campo,
                      const char *glosa, int64_t risco, int seq, const char *fmt, ...)
  FAT_PRINTF(8, 9);

static fat_rc add_msg(fat_findings *f, const char *codigo, fat_severidade sev, const char *campo,
                      const char *glosa, int64_t risco, int seq, const char *fmt, ...)
{
  char msg[640];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return fat_findings_add(f, codigo, sev, campo, msg, glosa, risco, seq, "builtin:preco", NULL,
                          0, NULL);
}

/* Findings from the price report; fills `filled` flags already known. */
static fat_rc price_findings(const fat_guia *g, const fat_price_report *rep, const int *filled,
                             fat_findings *f)
{
  size_t i;
  fat_rc rc;
  char a[32], b[32], campo[64];

  for (i = 0; i < g->n_itens; i++) {
    const fat_item *it = &g->itens[i];

    if (!filled[i])
      continue;
    fat_money_format_br(it->valor_unitario, a, sizeof a);
    fat_money_format_br(it->valor_total, b, sizeof b);
    snprintf(campo, sizeof campo, "itens[%zu].valor_unitario", i);
    rc = add_msg(f, "VALOR_PREENCHIDO", FAT_ALERTA, campo, NULL, 0, it->sequencial,
                 "item %d (%s) veio sem valor: preenchido com o valor do contrato, %s por "
                 "unidade, total %s; confira antes de enviar",
                 it->sequencial, blank(it->codigo) ? "?" : it->codigo, a, b);
    if (rc != FAT_OK)
      return rc;
  }
  for (i = 0; i < rep->n_diffs; i++) {
    const fat_price_diff *d = &rep->diffs[i];
    int k = item_index(g, d->item_seq);

    snprintf(campo, sizeof campo, "itens[%d].valor_unitario", k < 0 ? 0 : k);
    fat_money_format_br(d->cobrado_unitario, a, sizeof a);
    fat_money_format_br(d->esperado_unitario, b, sizeof b);
    if (d->diferenca > 0) {
      char dif[32];

      fat_money_format_br(d->diferenca, dif, sizeof dif);
      rc = add_msg(f, "PRECO_ACIMA_CONTRATO", FAT_BLOQUEIO, campo, "1714", d->diferenca,
                   d->item_seq,
                   "item %d (%s) cobrado a %s por unidade, acima do contrato (%s): a operadora "
                   "glosará %s; corrija o valor para o do contrato",
                   d->item_seq, d->codigo, a, b, dif);
    } else if (d->diferenca < 0) {
      char dif[32];

      fat_money_format_br(-d->diferenca, dif, sizeof dif);
      rc = add_msg(f, "PRECO_ABAIXO_CONTRATO", FAT_ALERTA, campo, NULL, -d->diferenca,
                   d->item_seq,
                   "item %d (%s) cobrado a %s por unidade, abaixo do contrato (%s): %s deixados "
                   "de cobrar; corrija o valor se não houver acordo diferente",
                   d->item_seq, d->codigo, a, b, dif);
    } else {
      continue;
    }
    if (rc != FAT_OK)
      return rc;
  }
  for (i = 0; i < rep->n_unpriced; i++) {
    const fat_price_unpriced *u = &rep->unpriced[i];
    int k = item_index(g, u->item_seq);

    snprintf(campo, sizeof campo, "itens[%d].codigo", k < 0 ? 0 : k);
    rc = add_msg(f, "PRECO_NAO_ENCONTRADO", FAT_ALERTA, campo, "1708", 0, u->item_seq,
                 "item %d (%s) sem preço no contrato: %s", u->item_seq, u->codigo, u->motivo);
    if (rc != FAT_OK)
      return rc;
  }
  return FAT_OK;
}

/* Move the script findings into f, dropping those that repeat a built-in
** finding (same code and field). */
static fat_rc merge_script(fat_findings *f, fat_findings *script, fat_err *err)
{
  size_t i, j;
  fat_findings keep;
  fat_rc rc = FAT_OK;

  fat_findings_init(&keep);
  for (i = 0; i < script->n && rc == FAT_OK; i++) {
    const fat_finding *s = &script->v[i];
    int dup = 0;

    for (j = 0; j < f->n && !dup; j++)
      dup = strcmp(f->v[j].codigo, s->codigo) == 0 && str_eq_null(f->v[j].campo, s->campo);
    if (!dup)
      rc = fat_findings_add(&keep, s->codigo, s->severidade, s->campo, s->mensagem,
                            s->glosa_prevista, s->valor_risco, s->item_seq, s->regra,
                            s->script_sha256, s->linha, err);
  }
  if (rc == FAT_OK)
    rc = fat_findings_move(f, &keep, err);
  fat_findings_fini(&keep);
  return rc;
}

/* An acknowledgement that survives a re-check. */
typedef struct ack {
  char *codigo, *campo, *em, *por, *motivo;
} ack;

static void acks_free(ack *a, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++) {
    fat_free(a[i].codigo);
    fat_free(a[i].campo);
    fat_free(a[i].em);
    fat_free(a[i].por);
    fat_free(a[i].motivo);
  }
  fat_free(a);
}

static fat_rc acks_load(fat_store *st, int64_t guia_id, ack **out, size_t *n, fat_err *err)
{
  static const char sql[] =
    "SELECT codigo, campo, reconhecido_em, reconhecido_por, reconhecido_motivo FROM achado "
    "WHERE guia_id = ?1 AND reconhecido_em IS NOT NULL";
  sqlite3_stmt *s;
  ack *v = NULL, *nv;
  size_t cnt = 0;
  int step, bad = 0;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  *out = NULL;
  *n = 0;
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, guia_id);
  while ((step = sqlite3_step(s)) == SQLITE_ROW) {
    nv = fat_realloc(v, (cnt + 1) * sizeof *v);
    if (nv == NULL) {
      bad = 1;
      break;
    }
    v = nv;
    v[cnt].codigo = fat_col_strdup(s, 0, &bad);
    v[cnt].campo = fat_col_strdup(s, 1, &bad);
    v[cnt].em = fat_col_strdup(s, 2, &bad);
    v[cnt].por = fat_col_strdup(s, 3, &bad);
    v[cnt].motivo = fat_col_strdup(s, 4, &bad);
    cnt++;
    if (bad)
      break;
  }
  sqlite3_reset(s);
  if (bad) {
    acks_free(v, cnt);
    return fat_err_oom(err);
  }
  if (step != SQLITE_DONE && step != SQLITE_ROW) {
    acks_free(v, cnt);
    return fat_store_dberr(st, err, "erro ao ler achados reconhecidos");
  }
  *out = v;
  *n = cnt;
  return FAT_OK;
}

/* Value at risk of a guia: the sum of its open bloqueios, capped at the
** guia's value (a guia cannot lose more than it bills). */
static int64_t guia_risco(const fat_guia *g, const fat_findings *f, const int *rec)
{
  int64_t sum = 0, cap = fat_check_valor_guia(g);
  size_t i;

  for (i = 0; i < f->n; i++)
    if (f->v[i].severidade == FAT_BLOQUEIO && !rec[i])
      sum += f->v[i].valor_risco;
  return cap > 0 && sum > cap ? cap : sum;
}

typedef struct store_in {
  const fat_guia *g;
  const fat_findings *f;
  const int *filled;
  const char *sha;
  int64_t geracao_id;
  const char *erro;
  int32_t reconferir_em; /* days; INT32_MAX = never */
  int64_t valor_total_novo; /* FAT_ABSENT = unchanged */
} store_in;

static fat_rc store_guia(run *r, const store_in *in, int64_t *ids, int *rec, const char **status,
                         int64_t *risco, fat_err *err)
{
  static const char sql_del[] = "DELETE FROM achado WHERE guia_id = ?1";
  static const char sql_ins[] =
    "INSERT INTO achado(guia_id, item_id, codigo, severidade, campo, mensagem, glosa_prevista, "
    "valor_risco, regra, script_sha256, geracao_id, guia_revisao, reconhecido_em, "
    "reconhecido_por, reconhecido_motivo, linha) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)";
  static const char sql_status[] =
    "UPDATE guia SET status = ?2 WHERE id = ?1 AND status IN ('digitada', 'conferida', "
    "'pendente')";
  static const char sql_conf[] =
    "INSERT OR REPLACE INTO conferencia(guia_id, revisao, script_sha256, geracao_id, "
    "referencia, reconferir_em, bloqueios, alertas, valor_risco, erro, em) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
  static const char sql_item[] =
    "UPDATE item SET valor_unitario = ?2, valor_total = ?3, fator_e2 = ?4 WHERE id = ?1";
  static const char sql_total[] = "UPDATE guia SET valor_total = ?2 WHERE id = ?1";
  const fat_guia *g = in->g;
  const fat_findings *f = in->f;
  ack *acks = NULL;
  size_t n_acks = 0, i, j;
  sqlite3_stmt *s;
  fat_rc rc;
  int64_t bloq = 0, alert = 0;
  char now[32], recon[16];

  fat_store_now(now, sizeof now);
  rc = acks_load(r->st, g->id, &acks, &n_acks, err);
  if (rc != FAT_OK)
    return rc;
  if ((rc = fat_store_prepare(r->st, sql_del, &s, err)) != FAT_OK)
    goto out;
  fat_bind_int(s, 1, g->id);
  rc = fat_store_step_done(r->st, s, "erro ao apagar achados antigos", err);
  if (rc != FAT_OK)
    goto out;
  for (i = 0; i < f->n; i++) {
    const fat_finding *a = &f->v[i];
    const ack *k = NULL;
    int idx = a->item_seq > 0 ? item_index(g, a->item_seq) : -1;

    for (j = 0; j < n_acks && k == NULL; j++)
      if (strcmp(acks[j].codigo, a->codigo) == 0 && str_eq_null(acks[j].campo, a->campo))
        k = &acks[j];
    rec[i] = k != NULL;
    if ((rc = fat_store_prepare(r->st, sql_ins, &s, err)) != FAT_OK)
      goto out;
    fat_bind_int(s, 1, g->id);
    fat_bind_int_or_null(s, 2, idx >= 0 ? g->itens[idx].id : 0,
                         idx < 0 || g->itens[idx].id <= 0);
    fat_bind_text(s, 3, a->codigo);
    fat_bind_text(s, 4, fat_severidade_str(a->severidade));
    fat_bind_text(s, 5, a->campo);
    fat_bind_text(s, 6, a->mensagem);
    fat_bind_text(s, 7, a->glosa_prevista);
    fat_bind_int(s, 8, a->valor_risco);
    fat_bind_text(s, 9, a->regra != NULL ? a->regra : "builtin");
    fat_bind_text(s, 10, a->script_sha256);
    fat_bind_int_or_null(s, 11, in->geracao_id, in->geracao_id <= 0);
    fat_bind_int(s, 12, g->revisao);
    fat_bind_text(s, 13, k != NULL ? k->em : NULL);
    fat_bind_text(s, 14, k != NULL ? k->por : NULL);
    fat_bind_text(s, 15, k != NULL ? k->motivo : NULL);
    fat_bind_int_or_null(s, 16, a->linha, a->linha <= 0);
    rc = fat_store_step_done(r->st, s, "erro ao gravar achado", err);
    if (rc != FAT_OK)
      goto out;
    ids[i] = fat_store_last_id(r->st);
    if (a->severidade == FAT_BLOQUEIO && !rec[i])
      bloq++;
    else if (a->severidade == FAT_ALERTA)
      alert++;
  }
  /* values filled from the contract */
  for (i = 0; i < g->n_itens; i++) {
    const fat_item *it = &g->itens[i];

    if (!in->filled[i] || it->id <= 0)
      continue;
    if ((rc = fat_store_prepare(r->st, sql_item, &s, err)) != FAT_OK)
      goto out;
    fat_bind_int(s, 1, it->id);
    fat_bind_int(s, 2, it->valor_unitario);
    fat_bind_int(s, 3, it->valor_total);
    fat_bind_int(s, 4, it->fator_e2 > 0 ? it->fator_e2 : 100);
    rc = fat_store_step_done(r->st, s, "erro ao gravar o valor do item", err);
    if (rc != FAT_OK)
      goto out;
  }
  if (in->valor_total_novo != FAT_ABSENT) {
    if ((rc = fat_store_prepare(r->st, sql_total, &s, err)) != FAT_OK)
      goto out;
    fat_bind_int(s, 1, g->id);
    fat_bind_int(s, 2, in->valor_total_novo);
    rc = fat_store_step_done(r->st, s, "erro ao gravar o total da guia", err);
    if (rc != FAT_OK)
      goto out;
  }
  *status = (bloq > 0 || in->erro != NULL) ? "pendente" : "conferida";
  *risco = guia_risco(g, f, rec);
  if ((rc = fat_store_prepare(r->st, sql_status, &s, err)) != FAT_OK)
    goto out;
  fat_bind_int(s, 1, g->id);
  fat_bind_text(s, 2, *status);
  rc = fat_store_step_done(r->st, s, "erro ao atualizar a situação da guia", err);
  if (rc != FAT_OK)
    goto out;
  if ((rc = fat_store_prepare(r->st, sql_conf, &s, err)) != FAT_OK)
    goto out;
  if (in->reconferir_em != INT32_MAX)
    fat_dia_format(in->reconferir_em, recon, sizeof recon);
  fat_bind_int(s, 1, g->id);
  fat_bind_int(s, 2, g->revisao);
  fat_bind_text(s, 3, in->sha);
  fat_bind_int_or_null(s, 4, in->geracao_id, in->geracao_id <= 0);
  fat_bind_text(s, 5, r->res->hoje);
  fat_bind_text(s, 6, in->reconferir_em != INT32_MAX ? recon : NULL);
  fat_bind_int(s, 7, bloq);
  fat_bind_int(s, 8, alert);
  fat_bind_int(s, 9, *risco);
  fat_bind_text(s, 10, in->erro);
  fat_bind_text(s, 11, now);
  rc = fat_store_step_done(r->st, s, "erro ao gravar a conferência", err);
  if (rc != FAT_OK)
    goto out;
  rc = FAT_OK;
out:
  acks_free(acks, n_acks);
  return rc;
}

/* Is a failure of one guia's script/pricing something to report and go on
** from (1), or a failure of the run (0)? */
static int per_guia_error(fat_rc rc)
{
  return !fat_rc_is_system(rc);
}

static fat_rc check_one(run *r, int64_t id, fat_err *err)
{
  fat_guia *g = NULL;
  fat_findings f, sf;
  fat_price_report rep;
  int *filled = NULL, *rec = NULL;
  int64_t *ids = NULL;
  int64_t sum_before = 0, sum_after = 0;
  int all_valued = 1;
  const char *key, *sha = NULL, *status = NULL;
  char erro[700];
  cJSON *gj = NULL, *ctx = NULL, *hist = NULL;
  fat_rc rc;
  fat_err e;
  store_in in;
  int64_t risco = 0;
  size_t i;

  erro[0] = '\0';
  fat_findings_init(&f);
  fat_findings_init(&sf);
  fat_price_report_init(&rep);
  rc = fat_guia_load(r->st, id, &g, err);
  if (rc != FAT_OK)
    goto out;
  key = g->operadora.script;
  if (r->gen != NULL && key != NULL)
    sha = fat_gen_sha256(r->gen, key);
  r->copts.prazo_apresentacao_dias = contrato_prazo(r, key);
  filled = fat_calloc(g->n_itens + 1, sizeof *filled);
  if (filled == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  for (i = 0; i < g->n_itens; i++) {
    filled[i] = g->itens[i].valor_total == FAT_ABSENT || g->itens[i].valor_unitario == FAT_ABSENT;
    if (g->itens[i].valor_total != FAT_ABSENT)
      sum_before += g->itens[i].valor_total;
  }

  /* 1. pricing (fills absent values) */
  in.valor_total_novo = FAT_ABSENT;
  if (r->pricer != NULL && sha != NULL) {
    fat_err_clear(&e);
    rc = fat_price_guia(r->pricer, g, 1, &rep, &e);
    if (rc != FAT_OK) {
      if (!per_guia_error(rc)) {
        *err = e;
        goto out;
      }
      snprintf(erro, sizeof erro, "preços (%s): %s", key, e.msg);
      memset(filled, 0, (g->n_itens + 1) * sizeof *filled);
    } else {
      for (i = 0; i < g->n_itens; i++) {
        if (filled[i] && (g->itens[i].valor_total == FAT_ABSENT ||
                          g->itens[i].valor_unitario == FAT_ABSENT))
          filled[i] = 0; /* could not be priced */
        if (g->itens[i].valor_total == FAT_ABSENT)
          all_valued = 0;
        else
          sum_after += g->itens[i].valor_total;
      }
      for (i = 0; i < g->n_itens; i++) {
        if (filled[i]) {
          r->res->preenchidos++;
          /* the billed total left the unvalued items out: it becomes the sum */
          if (all_valued && (g->valor_total == sum_before || g->valor_total == 0)) {
            g->valor_total = sum_after;
            in.valor_total_novo = sum_after;
          }
          break;
        }
      }
      if ((rc = price_findings(g, &rep, filled, &f)) != FAT_OK) {
        rc = fat_err_oom(err);
        goto out;
      }
    }
  } else {
    memset(filled, 0, (g->n_itens + 1) * sizeof *filled);
    if (r->gen == NULL)
      snprintf(erro, sizeof erro, "sem regras carregadas: preços e regras da operadora não "
                                  "conferidos");
    else
      snprintf(erro, sizeof erro, "a operadora %s não tem script em rules/operators/%s.lua: "
                                  "preços e regras da operadora não conferidos",
               g->operadora.registro_ans != NULL ? g->operadora.registro_ans : "?",
               key != NULL ? key : "?");
  }

  /* 2. built-in checks and duplicates */
  if ((rc = fat_check_guia(g, &r->copts, &f, err)) != FAT_OK ||
      (rc = fat_check_duplicidade(r->st, g, &f, err)) != FAT_OK)
    goto out;

  /* 3. the operator's script */
  if (r->gen != NULL && sha != NULL) {
    gj = fat_guia_to_json(g);
    ctx = cJSON_CreateObject();
    if (gj == NULL || ctx == NULL || cJSON_AddStringToObject(ctx, "hoje", r->res->hoje) == NULL) {
      rc = fat_err_oom(err);
      goto out;
    }
    if ((rc = historico_of(r->st, g, &hist, err)) != FAT_OK)
      goto out;
    cJSON_AddItemToObject(ctx, "historico", hist);
    fat_err_clear(&e);
    rc = fat_gen_check(r->gen, key, gj, ctx, &sf, &e);
    if (rc != FAT_OK) {
      if (!per_guia_error(rc)) {
        *err = e;
        goto out;
      }
      snprintf(erro, sizeof erro, "script %s: %s", key, e.msg);
    } else if ((rc = merge_script(&f, &sf, err)) != FAT_OK) {
      goto out;
    }
  }

  /* 4. store */
  ids = fat_calloc(f.n + 1, sizeof *ids);
  rec = fat_calloc(f.n + 1, sizeof *rec);
  if (ids == NULL || rec == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  in.g = g;
  in.f = &f;
  in.filled = filled;
  in.sha = sha;
  in.geracao_id = r->gen != NULL ? fat_gen_id(r->gen) : 0;
  in.erro = erro[0] != '\0' ? erro : NULL;
  in.reconferir_em = fat_check_prazo_limite(g, &r->copts);
  if (in.reconferir_em <= r->copts.hoje)
    in.reconferir_em = INT32_MAX; /* already late: time changes nothing more */
  if ((rc = store_guia(r, &in, ids, rec, &status, &risco, err)) != FAT_OK)
    goto out;

  /* 5. summary and report */
  {
    int has_b = 0, has_a = 0;

    for (i = 0; i < f.n; i++) {
      if (f.v[i].severidade == FAT_BLOQUEIO && !rec[i])
        has_b = 1;
      else if (f.v[i].severidade == FAT_ALERTA)
        has_a = 1;
    }
    r->res->conferidas++;
    r->res->com_bloqueio += (size_t)has_b;
    r->res->com_alerta += (size_t)has_a;
    r->res->com_erro += in.erro != NULL;
    r->res->achados += f.n;
    r->res->valor_risco += risco;
  }
  if (r->cb != NULL) {
    fat_conferir_guia cg;

    cg.guia_id = g->id;
    cg.numero_prestador = g->numero_prestador;
    cg.operadora = key;
    cg.status = status;
    cg.achados = &f;
    cg.achado_ids = ids;
    cg.reconhecido = rec;
    cg.erro = in.erro;
    cg.valor_risco = risco;
    r->cb(r->ud, &cg);
  }
  rc = FAT_OK;
out:
  cJSON_Delete(gj);
  cJSON_Delete(ctx);
  fat_free(ids);
  fat_free(rec);
  fat_free(filled);
  fat_price_report_fini(&rep);
  fat_findings_fini(&sf);
  fat_findings_fini(&f);
  fat_guia_free(g);
  return rc;
}

/* Select the guias; those needing a check go to *todo. */
static fat_rc select_guias(run *r, int64_t **todo, size_t *n_todo, fat_err *err)
{
  static const char sql[] =
    "SELECT g.id, g.revisao, o.script, c.revisao, c.script_sha256, c.geracao_id, "
    "c.referencia, c.reconferir_em, c.erro IS NOT NULL, c.guia_id IS NOT NULL "
    "FROM guia g JOIN operadora o ON o.id = g.operadora_id "
    "LEFT JOIN conferencia c ON c.guia_id = g.id "
    "WHERE (?1 IS NULL OR o.registro_ans = ?1 OR o.script = ?1) "
    "AND (?2 IS NULL OR g.competencia = ?2 OR "
    "     (g.competencia IS NULL AND substr(g.data_inicio, 1, 7) = ?2)) "
    "AND ((?3 = 0 AND g.status IN ('digitada', 'conferida', 'pendente')) OR g.id = ?3) "
    "ORDER BY g.id";
  const fat_conferir_opts *o = r->o;
  sqlite3_stmt *s;
  int64_t *v = NULL, *nv;
  size_t n = 0, cap = 0;
  int step;
  int64_t gen_id = r->gen != NULL ? fat_gen_id(r->gen) : 0;
  fat_rc rc = fat_store_prepare(r->st, sql, &s, err);

  *todo = NULL;
  *n_todo = 0;
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, o->operadora);
  fat_bind_text(s, 2, o->competencia);
  fat_bind_int(s, 3, o->guia_id > 0 ? o->guia_id : 0);
  while ((step = sqlite3_step(s)) == SQLITE_ROW) {
    int64_t id = sqlite3_column_int64(s, 0);
    int changed = 1;

    r->res->selecionadas++;
    if (!o->todas && sqlite3_column_int(s, 9)) {
      const char *key = (const char *)sqlite3_column_text(s, 2);
      const char *sha = (r->gen != NULL && key != NULL) ? fat_gen_sha256(r->gen, key) : NULL;
      const char *old_sha = (const char *)sqlite3_column_text(s, 4);
      const char *ref = (const char *)sqlite3_column_text(s, 6);
      const char *recon = (const char *)sqlite3_column_text(s, 7);
      int64_t old_gen = sqlite3_column_type(s, 5) == SQLITE_NULL ? 0 : sqlite3_column_int64(s, 5);

      changed = sqlite3_column_int64(s, 1) != sqlite3_column_int64(s, 3) ||
                !str_eq_null(sha, old_sha) || old_gen != gen_id || sqlite3_column_int(s, 8) ||
                ref == NULL || strcmp(r->res->hoje, ref) < 0 ||
                (recon != NULL && strcmp(r->res->hoje, recon) >= 0);
    }
    if (!changed) {
      r->res->sem_mudanca++;
      continue;
    }
    if (n == cap) {
      cap = cap ? cap * 2 : 256;
      nv = fat_realloc(v, cap * sizeof *v);
      if (nv == NULL) {
        sqlite3_reset(s);
        fat_free(v);
        return fat_err_oom(err);
      }
      v = nv;
    }
    v[n++] = id;
  }
  sqlite3_reset(s);
  if (step != SQLITE_DONE) {
    fat_free(v);
    return fat_store_dberr(r->st, err, "erro ao selecionar guias");
  }
  *todo = v;
  *n_todo = n;
  return FAT_OK;
}

static fat_rc count_open(run *r, fat_err *err)
{
  static const char sql[] =
    "SELECT COUNT(*), COUNT(DISTINCT a.guia_id) FROM achado a "
    "JOIN guia g ON g.id = a.guia_id JOIN operadora o ON o.id = g.operadora_id "
    "WHERE a.severidade = 'bloqueio' AND a.reconhecido_em IS NULL "
    "AND (?1 IS NULL OR o.registro_ans = ?1 OR o.script = ?1) "
    "AND (?2 IS NULL OR g.competencia = ?2 OR "
    "     (g.competencia IS NULL AND substr(g.data_inicio, 1, 7) = ?2)) "
    "AND ((?3 = 0 AND g.status IN ('digitada', 'conferida', 'pendente')) OR g.id = ?3)";
  sqlite3_stmt *s;
  fat_rc rc = fat_store_prepare(r->st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, r->o->operadora);
  fat_bind_text(s, 2, r->o->competencia);
  fat_bind_int(s, 3, r->o->guia_id > 0 ? r->o->guia_id : 0);
  if (sqlite3_step(s) != SQLITE_ROW) {
    sqlite3_reset(s);
    return fat_store_dberr(r->st, err, "erro ao contar bloqueios");
  }
  r->res->bloqueios_abertos = (size_t)sqlite3_column_int64(s, 0);
  r->res->guias_bloqueadas = (size_t)sqlite3_column_int64(s, 1);
  sqlite3_reset(s);
  return FAT_OK;
}

fat_rc fat_conferir(fat_store *st, fat_rules *rules, const fat_conferir_opts *o,
                    fat_conferir_cb cb, void *ud, fat_conferir_resumo *res, fat_err *err)
{
  run r;
  int64_t *todo = NULL;
  size_t n_todo = 0, i, j;
  fat_rc rc;
  char detalhe[160];

  memset(res, 0, sizeof *res);
  memset(&r, 0, sizeof r);
  if (o->hoje != NULL) {
    if (!fat_dia_valida(o->hoje))
      return fat_err_set(err, FAT_EINVAL, "data de referência inválida '%s' (use AAAA-MM-DD)",
                         o->hoje);
    snprintf(res->hoje, sizeof res->hoje, "%s", o->hoje);
  } else {
    fat_dia_hoje(res->hoje, sizeof res->hoje);
  }
  if (o->competencia != NULL && !fat_dia_competencia_valida(o->competencia))
    return fat_err_set(err, FAT_EINVAL, "competência inválida '%s' (use AAAA-MM)",
                       o->competencia);
  (void)fat_dia_parse(res->hoje, &r.copts.hoje);
  r.st = st;
  r.o = o;
  r.cb = cb;
  r.ud = ud;
  r.res = res;
  if (rules != NULL) {
    r.gen = fat_rules_acquire(rules);
    rc = fat_pricer_new_gen(st, r.gen, &r.pricer, err);
    if (rc != FAT_OK)
      goto out;
  }
  if (o->guia_id > 0) {
    static const char sql[] = "SELECT 1 FROM guia WHERE id = ?1";
    sqlite3_stmt *s;
    int step;

    if ((rc = fat_store_prepare(st, sql, &s, err)) != FAT_OK)
      goto out;
    fat_bind_int(s, 1, o->guia_id);
    step = sqlite3_step(s);
    sqlite3_reset(s);
    if (step != SQLITE_ROW) {
      rc = fat_err_set(err, FAT_ENOTFOUND, "guia %lld não encontrada", (long long)o->guia_id);
      goto out;
    }
  }
  if ((rc = select_guias(&r, &todo, &n_todo, err)) != FAT_OK)
    goto out;
  for (i = 0; i < n_todo; i += FAT_CONFERIR_CHUNK) {
    if ((rc = fat_store_begin(st, err)) != FAT_OK)
      goto out;
    for (j = i; j < n_todo && j < i + FAT_CONFERIR_CHUNK; j++) {
      rc = check_one(&r, todo[j], err);
      if (rc != FAT_OK) {
        fat_store_rollback(st);
        fat_err_prefix(err, "guia %lld: ", (long long)todo[j]);
        goto out;
      }
    }
    if (j >= n_todo) {
      snprintf(detalhe, sizeof detalhe, "referência %s; %zu conferidas, %zu sem mudança",
               res->hoje, res->conferidas, res->sem_mudanca);
      if ((rc = fat_store_audit(st, "conferir", NULL, detalhe, err)) != FAT_OK) {
        fat_store_rollback(st);
        goto out;
      }
    }
    if ((rc = fat_store_commit(st, err)) != FAT_OK)
      goto out;
  }
  rc = count_open(&r, err);
out:
  fat_free(todo);
  for (i = 0; i < r.n_contratos; i++)
    fat_free(r.contratos[i].key);
  fat_free(r.contratos);
  fat_pricer_free(r.pricer);
  if (r.gen != NULL)
    fat_gen_release(r.gen);
  return rc;
}

/* }====================================================================== */

/* {======================================================================
** Findings: acknowledge, list
** ======================================================================= */

fat_rc fat_achado_reconhecer(fat_store *st, int64_t id, const char *motivo, int64_t *guia_id,
                             int64_t *abertos, fat_err *err)
{
  static const char sql_get[] =
    "SELECT a.guia_id, a.codigo, a.severidade, a.reconhecido_em FROM achado a WHERE a.id = ?1";
  static const char sql_upd[] =
    "UPDATE achado SET reconhecido_em = ?2, reconhecido_por = ?3, reconhecido_motivo = ?4 "
    "WHERE id = ?1";
  static const char sql_open[] =
    "SELECT COUNT(*) FROM achado WHERE guia_id = ?1 AND severidade = 'bloqueio' "
    "AND reconhecido_em IS NULL";
  static const char sql_err[] = "SELECT erro IS NOT NULL FROM conferencia WHERE guia_id = ?1";
  static const char sql_status[] =
    "UPDATE guia SET status = 'conferida' WHERE id = ?1 AND status = 'pendente'";
  sqlite3_stmt *s;
  int64_t gid, open;
  int had_error = 0;
  char now[32], obj[48], codigo[64], *det;
  fat_rc rc;

  if (blank(motivo))
    return fat_err_set(err, FAT_EINVAL, "informe o motivo do reconhecimento (--motivo)");
  if ((rc = fat_store_begin(st, err)) != FAT_OK)
    return rc;
  if ((rc = fat_store_prepare(st, sql_get, &s, err)) != FAT_OK)
    goto fail;
  fat_bind_int(s, 1, id);
  if (sqlite3_step(s) != SQLITE_ROW) {
    sqlite3_reset(s);
    rc = fat_err_set(err, FAT_ENOTFOUND, "achado %lld não encontrado", (long long)id);
    goto fail;
  }
  gid = sqlite3_column_int64(s, 0);
  snprintf(codigo, sizeof codigo, "%s", (const char *)sqlite3_column_text(s, 1));
  if (sqlite3_column_type(s, 3) != SQLITE_NULL) {
    sqlite3_reset(s);
    rc = fat_err_set(err, FAT_ESTATE, "achado %lld (%s) já foi reconhecido", (long long)id,
                     codigo);
    goto fail;
  }
  sqlite3_reset(s);
  fat_store_now(now, sizeof now);
  if ((rc = fat_store_prepare(st, sql_upd, &s, err)) != FAT_OK)
    goto fail;
  fat_bind_int(s, 1, id);
  fat_bind_text(s, 2, now);
  fat_bind_text(s, 3, fat_store_user(st));
  fat_bind_text(s, 4, motivo);
  rc = fat_store_step_done(st, s, "erro ao reconhecer achado", err);
  if (rc != FAT_OK)
    goto fail;
  if ((rc = fat_store_prepare(st, sql_open, &s, err)) != FAT_OK)
    goto fail;
  fat_bind_int(s, 1, gid);
  if (sqlite3_step(s) != SQLITE_ROW) {
    sqlite3_reset(s);
    rc = fat_store_dberr(st, err, "erro ao contar bloqueios");
    goto fail;
  }
  open = sqlite3_column_int64(s, 0);
  sqlite3_reset(s);
  if ((rc = fat_store_prepare(st, sql_err, &s, err)) != FAT_OK)
    goto fail;
  fat_bind_int(s, 1, gid);
  if (sqlite3_step(s) == SQLITE_ROW)
    had_error = sqlite3_column_int(s, 0);
  sqlite3_reset(s);
  if (open == 0 && !had_error) {
    if ((rc = fat_store_prepare(st, sql_status, &s, err)) != FAT_OK)
      goto fail;
    fat_bind_int(s, 1, gid);
    rc = fat_store_step_done(st, s, "erro ao atualizar a guia", err);
    if (rc != FAT_OK)
      goto fail;
  }
  snprintf(obj, sizeof obj, "achado:%lld", (long long)id);
  det = fat_asprintf("guia %lld, %s: %s", (long long)gid, codigo, motivo);
  if (det == NULL) {
    rc = fat_err_oom(err);
    goto fail;
  }
  rc = fat_store_audit(st, "achado.reconhecer", obj, det, err);
  fat_free(det);
  if (rc != FAT_OK)
    goto fail;
  if ((rc = fat_store_commit(st, err)) != FAT_OK)
    return rc;
  if (guia_id != NULL)
    *guia_id = gid;
  if (abertos != NULL)
    *abertos = open;
  return FAT_OK;
fail:
  fat_store_rollback(st);
  return rc;
}

fat_rc fat_achado_listar(fat_store *st, int64_t guia_id, cJSON **out, fat_err *err)
{
  static const char sql[] =
    "SELECT a.id AS id, a.guia_id AS guia_id, g.numero_prestador AS numero_prestador, "
    "a.codigo AS codigo, a.severidade AS severidade, a.campo AS campo, a.mensagem AS mensagem, "
    "a.glosa_prevista AS glosa_prevista, a.valor_risco AS valor_risco, a.regra AS regra, "
    "a.script_sha256 AS script_sha256, a.criado_em AS criado_em, "
    "a.reconhecido_em AS reconhecido_em, a.reconhecido_por AS reconhecido_por, "
    "a.reconhecido_motivo AS reconhecido_motivo, a.linha AS linha "
    "FROM achado a JOIN guia g ON g.id = a.guia_id "
    "WHERE (?1 > 0 AND a.guia_id = ?1) OR (?1 = 0 AND a.reconhecido_em IS NULL) "
    "ORDER BY a.guia_id, a.severidade DESC, a.id";
  sqlite3_stmt *s;
  fat_rc rc;

  *out = NULL;
  if ((rc = fat_store_prepare(st, sql, &s, err)) != FAT_OK)
    return rc;
  fat_bind_int(s, 1, guia_id > 0 ? guia_id : 0);
  /* absent fields are left out (documented JSON shape) */
  return fat_store_rows_json(st, s, 1, "erro ao listar achados", out, err);
}

/* }====================================================================== */

/* {======================================================================
** Demo evaluation
** ======================================================================= */

typedef struct classe_map {
  const char *classe;
  const char *codigo;
} classe_map;

/* CONTRATOS-DEMO.md: defect class -> finding code that detects it */
static const classe_map classes[] = {
  {"CARTEIRA_AUSENTE", "CARTEIRA_AUSENTE"},
  {"CARTEIRA_VENCIDA", "CARTEIRA_VENCIDA"},
  {"SENHA_AUSENTE", "SENHA_AUSENTE"},
  {"SENHA_VENCIDA", "SENHA_VENCIDA"},
  {"DATA_ANTES_AUTORIZACAO", "DATA_ANTES_AUTORIZACAO"},
  {"CID_AUSENTE", "CID_AUSENTE"},
  {"ASSINATURA_AUSENTE", "ASSINATURA_AUSENTE"},
  {"PEDIDO_MEDICO_AUSENTE", "PEDIDO_MEDICO_AUSENTE"},
  {"DUPLICIDADE", "DUPLICIDADE"},
  {"PRECO_ACIMA_CONTRATO", "PRECO_ACIMA_CONTRATO"},
  {"TOTAL_DIVERGENTE", "TOTAL_DIVERGENTE"},
  {"CPF_INVALIDO", "CPF_INVALIDO"},
  {"CNS_INVALIDO", "CNS_INVALIDO"},
  {"PROFISSIONAL_INCOMPLETO", "PROFISSIONAL_INCOMPLETO"},
  {"CODIGO_INVALIDO", "CODIGO_TUSS_INVALIDO"},
  {"QUANTIDADE_INVALIDA", "QUANTIDADE_INVALIDA"},
  {"ITEM_FORA_PERIODO", "ITEM_FORA_PERIODO"},
  {"PRAZO_EXCEDIDO", "PRAZO_EXCEDIDO"},
  {"SEXO_INCOMPATIVEL", "SEXO_INCOMPATIVEL"},
  {"CONSULTA_RETORNO", "CONSULTA_RETORNO"},
  {NULL, NULL}
};

/* A guia is "evaluated" when conferir checked it (it has a conferencia row).
** The original of a recorded DUPLICIDADE pair: a guia of the same
** beneficiário with the same procedure code on the same date as a guia that
** carries the DUPLICIDADE defect. */
#define ORIGINAL_DUP(G)                                                                        \
  "EXISTS (SELECT 1 FROM demo_defeito dd JOIN guia g2 ON g2.id = dd.guia_id "                  \
  "JOIN item i2 ON i2.guia_id = g2.id JOIN item i1 ON i1.guia_id = " G ".id "                  \
  "WHERE dd.classe = 'DUPLICIDADE' AND g2.id <> " G ".id "                                     \
  "AND g2.beneficiario_id = " G ".beneficiario_id AND i2.codigo = i1.codigo "                  \
  "AND COALESCE(i2.data, g2.data_inicio) = COALESCE(i1.data, " G ".data_inicio))"

static fat_rc eval_class(fat_store *st, const classe_map *m, cJSON *arr, double min_recall,
                         int *ok, fat_err *err)
{
  static const char sql_rec[] =
    "SELECT COUNT(*), SUM(EXISTS (SELECT 1 FROM achado a WHERE a.guia_id = d.guia_id "
    "AND a.codigo = ?2)) FROM demo_defeito d JOIN conferencia c ON c.guia_id = d.guia_id "
    "WHERE d.classe = ?1";
  static const char sql_miss[] =
    "SELECT d.guia_id FROM demo_defeito d JOIN conferencia c ON c.guia_id = d.guia_id "
    "WHERE d.classe = ?1 AND NOT EXISTS (SELECT 1 FROM achado a WHERE a.guia_id = d.guia_id "
    "AND a.codigo = ?2) ORDER BY d.guia_id LIMIT 5";
  static const char sql_prec[] =
    "SELECT COUNT(*), SUM(EXISTS (SELECT 1 FROM demo_defeito d WHERE d.guia_id = g.id "
    "AND d.classe = ?1) OR (?1 = 'DUPLICIDADE' AND " ORIGINAL_DUP("g") ")) "
    "FROM guia g WHERE g.id IN (SELECT DISTINCT guia_id FROM achado WHERE codigo = ?2)";
  sqlite3_stmt *s;
  cJSON *o, *miss;
  int64_t inj, det, flag, good;
  double recall, prec;
  fat_rc rc;

  if ((rc = fat_store_prepare(st, sql_rec, &s, err)) != FAT_OK)
    return rc;
  fat_bind_text(s, 1, m->classe);
  fat_bind_text(s, 2, m->codigo);
  if (sqlite3_step(s) != SQLITE_ROW) {
    sqlite3_reset(s);
    return fat_store_dberr(st, err, "erro ao avaliar a demo");
  }
  inj = sqlite3_column_int64(s, 0);
  det = sqlite3_column_int64(s, 1);
  sqlite3_reset(s);
  if ((rc = fat_store_prepare(st, sql_prec, &s, err)) != FAT_OK)
    return rc;
  fat_bind_text(s, 1, m->classe);
  fat_bind_text(s, 2, m->codigo);
  if (sqlite3_step(s) != SQLITE_ROW) {
    sqlite3_reset(s);
    return fat_store_dberr(st, err, "erro ao avaliar a demo");
  }
  flag = sqlite3_column_int64(s, 0);
  good = sqlite3_column_int64(s, 1);
  sqlite3_reset(s);
  recall = inj > 0 ? (double)det / (double)inj : 1.0;
  prec = flag > 0 ? (double)good / (double)flag : 1.0;
  if (inj > 0 && recall < min_recall)
    *ok = 0;
  o = cJSON_CreateObject();
  if (o == NULL)
    return fat_err_oom(err);
  cJSON_AddItemToArray(arr, o);
  if (cJSON_AddStringToObject(o, "classe", m->classe) == NULL ||
      cJSON_AddStringToObject(o, "codigo", m->codigo) == NULL ||
      cJSON_AddNumberToObject(o, "injetadas", (double)inj) == NULL ||
      cJSON_AddNumberToObject(o, "detectadas", (double)det) == NULL ||
      cJSON_AddNumberToObject(o, "recall", recall) == NULL ||
      cJSON_AddNumberToObject(o, "sinalizadas", (double)flag) == NULL ||
      cJSON_AddNumberToObject(o, "corretas", (double)good) == NULL ||
      cJSON_AddNumberToObject(o, "precisao", prec) == NULL ||
      (miss = cJSON_AddArrayToObject(o, "exemplos_perdidos")) == NULL)
    return fat_err_oom(err);
  if ((rc = fat_store_prepare(st, sql_miss, &s, err)) != FAT_OK)
    return rc;
  fat_bind_text(s, 1, m->classe);
  fat_bind_text(s, 2, m->codigo);
  while (sqlite3_step(s) == SQLITE_ROW) {
    cJSON *n = cJSON_CreateNumber((double)sqlite3_column_int64(s, 0));

    if (n == NULL) {
      sqlite3_reset(s);
      return fat_err_oom(err);
    }
    cJSON_AddItemToArray(miss, n);
  }
  sqlite3_reset(s);
  return FAT_OK;
}

fat_rc fat_conferir_avaliar_demo(fat_store *st, double min_recall, double min_precisao,
                                 cJSON **out, fat_err *err)
{
  static const char sql_clean[] =
    "SELECT COUNT(*), SUM(EXISTS (SELECT 1 FROM achado a WHERE a.guia_id = g.id "
    "AND a.severidade = 'bloqueio' AND NOT (a.codigo = 'DUPLICIDADE' AND " ORIGINAL_DUP("g")
    "))) FROM guia g JOIN conferencia c ON c.guia_id = g.id "
    "WHERE NOT EXISTS (SELECT 1 FROM demo_defeito d WHERE d.guia_id = g.id)";
  static const char sql_fp[] =
    "SELECT a.guia_id, a.codigo, a.mensagem FROM achado a JOIN guia g ON g.id = a.guia_id "
    "JOIN conferencia c ON c.guia_id = g.id "
    "WHERE a.severidade = 'bloqueio' "
    "AND NOT EXISTS (SELECT 1 FROM demo_defeito d WHERE d.guia_id = g.id) "
    "AND NOT (a.codigo = 'DUPLICIDADE' AND " ORIGINAL_DUP("g") ") "
    "ORDER BY a.guia_id LIMIT 20";
  static const char sql_n[] = "SELECT COUNT(*), (SELECT COUNT(*) FROM demo_defeito) "
                              "FROM conferencia";
  cJSON *root = cJSON_CreateObject(), *arr, *fps;
  sqlite3_stmt *s;
  int ok = 1, i;
  int64_t clean, clean_b, n_conf, n_def;
  double prec;
  fat_rc rc;

  *out = NULL;
  if (root == NULL || (arr = cJSON_AddArrayToObject(root, "classes")) == NULL) {
    cJSON_Delete(root);
    return fat_err_oom(err);
  }
  if ((rc = fat_store_prepare(st, sql_n, &s, err)) != FAT_OK)
    goto fail;
  if (sqlite3_step(s) != SQLITE_ROW) {
    sqlite3_reset(s);
    rc = fat_store_dberr(st, err, "erro ao avaliar a demo");
    goto fail;
  }
  n_conf = sqlite3_column_int64(s, 0);
  n_def = sqlite3_column_int64(s, 1);
  sqlite3_reset(s);
  if (n_conf == 0 || n_def == 0) {
    rc = fat_err_set(err, FAT_ESTATE,
                     n_def == 0 ? "o banco não tem defeitos de demonstração (rode faturo demo)"
                                : "nenhuma guia conferida ainda (rode faturo conferir)");
    goto fail;
  }
  for (i = 0; classes[i].classe != NULL; i++)
    if ((rc = eval_class(st, &classes[i], arr, min_recall, &ok, err)) != FAT_OK)
      goto fail;
  if ((rc = fat_store_prepare(st, sql_clean, &s, err)) != FAT_OK)
    goto fail;
  if (sqlite3_step(s) != SQLITE_ROW) {
    sqlite3_reset(s);
    rc = fat_store_dberr(st, err, "erro ao avaliar a demo");
    goto fail;
  }
  clean = sqlite3_column_int64(s, 0);
  clean_b = sqlite3_column_int64(s, 1);
  sqlite3_reset(s);
  prec = clean > 0 ? (double)(clean - clean_b) / (double)clean : 1.0;
  if (prec < min_precisao)
    ok = 0;
  if (cJSON_AddNumberToObject(root, "avaliadas", (double)n_conf) == NULL ||
      cJSON_AddNumberToObject(root, "limpas", (double)clean) == NULL ||
      cJSON_AddNumberToObject(root, "limpas_com_bloqueio", (double)clean_b) == NULL ||
      cJSON_AddNumberToObject(root, "precisao_limpas", prec) == NULL ||
      cJSON_AddNumberToObject(root, "min_recall", min_recall) == NULL ||
      cJSON_AddNumberToObject(root, "min_precisao", min_precisao) == NULL ||
      (fps = cJSON_AddArrayToObject(root, "falsos_alarmes")) == NULL) {
    rc = fat_err_oom(err);
    goto fail;
  }
  if ((rc = fat_store_prepare(st, sql_fp, &s, err)) != FAT_OK)
    goto fail;
  while (sqlite3_step(s) == SQLITE_ROW) {
    cJSON *o = cJSON_CreateObject();

    if (o == NULL) {
      sqlite3_reset(s);
      rc = fat_err_oom(err);
      goto fail;
    }
    cJSON_AddItemToArray(fps, o);
    cJSON_AddNumberToObject(o, "guia_id", (double)sqlite3_column_int64(s, 0));
    cJSON_AddStringToObject(o, "codigo", (const char *)sqlite3_column_text(s, 1));
    cJSON_AddStringToObject(o, "mensagem", (const char *)sqlite3_column_text(s, 2));
  }
  sqlite3_reset(s);
  if (cJSON_AddBoolToObject(root, "ok", ok) == NULL) {
    rc = fat_err_oom(err);
    goto fail;
  }
  *out = root;
  return FAT_OK;
fail:
  cJSON_Delete(root);
  return rc;
}

/* }====================================================================== */
