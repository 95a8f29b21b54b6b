/* fat_avaliar.c: the one evaluation of a guia (see fat_avaliar.h). */
#include "fat_avaliar.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fat_check.h"
#include "fat_dia.h"
#include "fat_docnum.h"
#include "fat_mem.h"
#include "fat_money.h"
#include "fat_guias_int.h"
#include "fat_store_int.h"

static int blank(const char *s) { return s == NULL || s[0] == '\0'; }

/* A block of the history's texts (blocks never move: rows point into them). */
struct fat_avaliar_mem {
  struct fat_avaliar_mem *next;
  size_t used, cap;
  char data[];
};

#define HIST_MEM_BLOCK 4000

/* Is a failure of one guia's pricing/script something to report in the
** evaluation (1), or a failure of the call (0)? */
static int per_guia_error(fat_rc rc)
{
  return !fat_rc_is_system(rc);
}

void fat_avaliar_ctx_init(fat_avaliar_ctx *ctx)
{
  memset(ctx, 0, sizeof *ctx);
}

void fat_avaliar_ctx_fini(fat_avaliar_ctx *ctx)
{
  struct fat_avaliar_mem *m, *next;

  if (ctx == NULL)
    return;
  for (m = ctx->hist_mem; m != NULL; m = next) {
    next = m->next;
    fat_free(m);
  }
  fat_free(ctx->hist);
  fat_free(ctx->pares);
  fat_avaliar_ctx_init(ctx);
}

void fat_avaliacao_init(fat_avaliacao *a)
{
  memset(a, 0, sizeof *a);
  fat_findings_init(&a->achados);
  a->valor_total_novo = FAT_ABSENT;
  a->reconferir_em = INT32_MAX;
}

void fat_avaliacao_fini(fat_avaliacao *a)
{
  if (a == NULL)
    return;
  fat_findings_fini(&a->achados);
  fat_free(a->preenchido);
  fat_avaliacao_init(a);
}

/* {======================================================================
** Pricing findings
** ======================================================================= */

/* Index of the item with sequencial seq (or -1). */
static int item_index(const fat_guia *g, int seq)
{
  size_t i;

  for (i = 0; i < g->n_itens; i++)
    if (g->itens[i].sequencial == seq)
      return (int)i;
  return -1;
}

static fat_rc add_preco(fat_findings *f, const char *codigo, fat_severidade sev,
                        const char *campo, const char *glosa, int64_t risco, int seq,
                        fat_err *err, const char *fmt, ...) FAT_PRINTF(9, 10);

static fat_rc add_preco(fat_findings *f, const char *codigo, fat_severidade sev,
                        const char *campo, const char *glosa, int64_t risco, int seq,
                        fat_err *err, const char *fmt, ...)
{
  char msg[640];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return fat_findings_add(f, codigo, sev, campo, msg, glosa, risco, seq, "builtin:preco", NULL,
                          0, err);
}

static fat_rc findings_preenchidos(const fat_guia *g, const int *filled, fat_findings *f,
                                   fat_err *err)
{
  char a[32], b[32], campo[64];
  fat_rc rc = FAT_OK;
  size_t i;

  for (i = 0; i < g->n_itens && rc == FAT_OK; i++) {
    const fat_item *it = &g->itens[i];

    if (!filled[i])
      continue;
    fat_money_format_br(it->valor_unitario, a, sizeof a);
    fat_money_format_br(it->valor_total, b, sizeof b);
    snprintf(campo, sizeof campo, "itens[%zu].valor_unitario", i);
    rc = add_preco(f, "VALOR_PREENCHIDO", FAT_ALERTA, campo, NULL, 0, it->sequencial, err,
                   "item %d (%s) veio sem valor: preenchido com o valor do contrato, %s por "
                   "unidade, total %s; confira antes de enviar",
                   it->sequencial, blank(it->codigo) ? "?" : it->codigo, a, b);
  }
  return rc;
}

static fat_rc finding_diff(const fat_guia *g, const fat_price_diff *d, fat_findings *f,
                           fat_err *err)
{
  char a[32], b[32], dif[32], campo[64];
  int k = item_index(g, d->item_seq);

  snprintf(campo, sizeof campo, "itens[%d].valor_unitario", k < 0 ? 0 : k);
  fat_money_format_br(d->cobrado_unitario, a, sizeof a);
  fat_money_format_br(d->esperado_unitario, b, sizeof b);
  if (d->diferenca > 0) {
    fat_money_format_br(d->diferenca, dif, sizeof dif);
    return add_preco(f, "PRECO_ACIMA_CONTRATO", FAT_BLOQUEIO, campo, "1714", d->diferenca,
                     d->item_seq, err,
                     "item %d (%s) cobrado a %s por unidade, acima do contrato (%s): a "
                     "operadora glosará %s; corrija o valor para o do contrato",
                     d->item_seq, d->codigo, a, b, dif);
  }
  if (d->diferenca < 0) {
    fat_money_format_br(-d->diferenca, dif, sizeof dif);
    return add_preco(f, "PRECO_ABAIXO_CONTRATO", FAT_ALERTA, campo, NULL, -d->diferenca,
                     d->item_seq, err,
                     "item %d (%s) cobrado a %s por unidade, abaixo do contrato (%s): %s "
                     "deixados de cobrar; corrija o valor se não houver acordo diferente",
                     d->item_seq, d->codigo, a, b, dif);
  }
  return FAT_OK;
}

/* Findings from the price report and the filled values. */
static fat_rc findings_preco(const fat_guia *g, const fat_price_report *rep, const int *filled,
                             fat_findings *f, fat_err *err)
{
  char campo[64];
  size_t i;
  fat_rc rc = findings_preenchidos(g, filled, f, err);

  for (i = 0; i < rep->n_diffs && rc == FAT_OK; i++)
    rc = finding_diff(g, &rep->diffs[i], f, err);
  for (i = 0; i < rep->n_unpriced && rc == FAT_OK; i++) {
    const fat_price_unpriced *u = &rep->unpriced[i];
    int k = item_index(g, u->item_seq);

    snprintf(campo, sizeof campo, "itens[%d].codigo", k < 0 ? 0 : k);
    rc = add_preco(f, "PRECO_NAO_ENCONTRADO", FAT_ALERTA, campo, "1708", 0, u->item_seq, err,
                   "item %d (%s) sem preço no contrato: %s", u->item_seq, u->codigo, u->motivo);
  }
  return rc;
}

/* Step 1: price g by the contract; fills absent values in g and out. */
static fat_rc step_preco(const char *key, fat_guia *g, const fat_avaliar_ctx *ctx,
                         fat_avaliacao *out, fat_err *err)
{
  fat_price_report rep;
  int64_t sum_before = 0, sum_after = 0;
  int all_valued = 1;
  fat_err e;
  fat_rc rc;
  size_t i;

  fat_price_report_init(&rep);
  for (i = 0; i < g->n_itens; i++) {
    const fat_item *it = &g->itens[i];

    out->preenchido[i] = it->valor_total == FAT_ABSENT || it->valor_unitario == FAT_ABSENT;
    if (it->valor_total != FAT_ABSENT)
      sum_before += it->valor_total;
  }
  fat_err_clear(&e);
  rc = fat_price_guia(ctx->pricer, g, 1, &rep, &e);
  if (rc != FAT_OK) {
    memset(out->preenchido, 0, out->n_itens * sizeof *out->preenchido);
    if (per_guia_error(rc)) {
      snprintf(out->erro, sizeof out->erro, "preços (%s): %s", key, e.msg);
      rc = FAT_OK;
    } else {
      *err = e;
    }
    goto out;
  }
  for (i = 0; i < g->n_itens; i++) {
    const fat_item *it = &g->itens[i];

    if (it->valor_total == FAT_ABSENT || it->valor_unitario == FAT_ABSENT)
      out->preenchido[i] = 0; /* could not be priced */
    if (it->valor_total == FAT_ABSENT)
      all_valued = 0;
    else
      sum_after += it->valor_total;
    out->n_preenchidos += (size_t)(out->preenchido[i] != 0);
  }
  /* the billed total left the unvalued items out: it becomes the sum */
  if (out->n_preenchidos > 0 && all_valued &&
      (g->valor_total == sum_before || g->valor_total == 0)) {
    g->valor_total = sum_after;
    out->valor_total_novo = sum_after;
  }
  rc = findings_preco(g, &rep, out->preenchido, &out->achados, err);
out:
  fat_price_report_fini(&rep);
  return rc;
}

/* }====================================================================== */

/* {======================================================================
** The pipeline
** ======================================================================= */

/* Does f already hold a finding with identity `chave`? */
static int has_chave(const fat_findings *f, size_t n, const fat_guia *g, const char *chave)
{
  char k[FAT_FINDING_CHAVE_MAX];
  size_t i;

  for (i = 0; i < n; i++) {
    fat_finding_chave(&f->v[i], g, k, sizeof k);
    if (strcmp(k, chave) == 0)
      return 1;
  }
  return 0;
}

/* Step 5: move the script findings into out, dropping those whose identity
** an earlier finding (or an earlier script finding) already has. */
static fat_rc merge_script(const fat_guia *g, fat_findings *out, fat_findings *script,
                           fat_err *err)
{
  char k[FAT_FINDING_CHAVE_MAX];
  fat_rc rc = FAT_OK;
  size_t i;

  for (i = 0; i < script->n && rc == FAT_OK; i++) {
    const fat_finding *s = &script->v[i];

    fat_finding_chave(s, g, k, sizeof k);
    if (has_chave(out, out->n, g, k))
      continue;
    rc = fat_findings_add(out, s->codigo, s->severidade, s->campo, s->mensagem,
                          s->glosa_prevista, s->valor_risco, s->item_seq, s->regra,
                          s->script_sha256, s->linha, err);
  }
  return rc;
}

/* ctx.historico for the scripts, computed when a check first reads it
** (or loaded before the call: then only handed over). */
static fat_rc historico_lazy(void *ud, const fat_rules_hist **rows, size_t *n, fat_err *err)
{
  fat_avaliar_ctx *ctx = ud;
  fat_rc rc = fat_avaliar_ctx_historico(ctx, err);

  *rows = ctx->hist;
  *n = rc == FAT_OK ? ctx->n_hist : 0;
  return rc;
}

/* Step 4: the operator's script over g (its JSON form, as a Lua table). */
static fat_rc step_script(fat_gen *gen, const char *key, const fat_guia *g,
                          fat_avaliar_ctx *ctx, fat_avaliacao *out, fat_err *err)
{
  cJSON *cj = cJSON_CreateObject();
  fat_rules_lazy lazy = {"historico", NULL, ctx, historico_lazy};
  fat_findings sf;
  fat_err e;
  fat_rc rc = FAT_OK;

  fat_findings_init(&sf);
  if (cj == NULL || cJSON_AddStringToObject(cj, "hoje", ctx->hoje) == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  fat_err_clear(&e);
  /* the guia's table built from g; the history (loaded before or not) goes
  ** to Lua only if a check reads it (a query per guia that only consulta
  ** checks need) */
  rc = fat_gen_check_guia_lazy(gen, key, g, cj,
                               ctx->hist_loaded || ctx->hist_av != NULL ? &lazy : NULL, &sf,
                               &e);
  if (rc != FAT_OK) {
    if (per_guia_error(rc)) {
      snprintf(out->erro, sizeof out->erro, "script %s: %s", key, e.msg);
      rc = FAT_OK;
    } else {
      *err = e;
    }
    goto out;
  }
  rc = merge_script(g, &out->achados, &sf, err);
out:
  fat_findings_fini(&sf);
  cJSON_Delete(cj);
  return rc;
}

/* Step 3b: the contract's rules about guias (attachments, sessions). */
static fat_rc step_contrato(const fat_contrato *c, const fat_guia *g, const fat_avaliar_ctx *ctx,
                            fat_avaliacao *out, fat_err *err)
{
  const char *tipos[8];
  size_t i;

  for (i = 0; i < ctx->n_anexos && i < 8; i++)
    tipos[i] = ctx->anexos[i];
  return fat_contrato_conferir(c, g, tipos, i, &out->achados, err);
}

fat_rc fat_avaliar(fat_gen *gen, const char *key, fat_guia *g, fat_avaliar_ctx *ctx,
                   fat_avaliacao *out, fat_err *err)
{
  fat_check_opts copts;
  fat_rc rc = FAT_OK;

  fat_avaliacao_fini(out);
  out->n_itens = g->n_itens;
  out->preenchido = fat_calloc(g->n_itens + 1, sizeof *out->preenchido);
  if (out->preenchido == NULL)
    return fat_err_oom(err);
  out->script_sha256 = (gen != NULL && key != NULL) ? fat_gen_sha256(gen, key) : NULL;

  /* 1. pricing (fills absent values) */
  if (out->script_sha256 != NULL && ctx->pricer != NULL)
    rc = step_preco(key, g, ctx, out, err);
  else if (gen == NULL)
    snprintf(out->erro, sizeof out->erro,
             "sem regras carregadas: preços e regras da operadora não conferidos");
  else if (out->script_sha256 == NULL)
    snprintf(out->erro, sizeof out->erro,
             "a operadora %s não tem script em rules/operators/%s.lua: preços e regras da "
             "operadora não conferidos",
             g->operadora.registro_ans != NULL ? g->operadora.registro_ans : "?",
             key != NULL ? key : "?");
  if (rc != FAT_OK)
    return rc;

  /* 2. built-in checks; 3. duplicates */
  memset(&copts, 0, sizeof copts);
  copts.hoje = ctx->hoje_dias;
  copts.prazo_apresentacao_dias = ctx->prazo_apresentacao_dias;
  rc = fat_check_guia(g, &copts, &out->achados, err);
  if (rc == FAT_OK)
    rc = fat_check_duplicidade(g, ctx->pares, ctx->n_pares, &out->achados, err);
  if (rc == FAT_OK && gen != NULL && key != NULL)
    rc = step_contrato(fat_gen_contrato(gen, key), g, ctx, out, err);
  if (rc != FAT_OK)
    return rc;
  out->reconferir_em = fat_check_prazo_limite(g, &copts);
  if (out->reconferir_em <= copts.hoje)
    out->reconferir_em = INT32_MAX; /* already late: time changes nothing more */

  /* 4. the operator's script; 5. de-duplication */
  if (out->script_sha256 != NULL)
    rc = step_script(gen, key, g, ctx, out, err);
  return rc;
}

/* }====================================================================== */

/* {======================================================================
** The evaluator of a run and the context loader
** ======================================================================= */

typedef struct prazo_slot {
  char *key;
  int prazo;
} prazo_slot;

struct fat_avaliador {
  fat_store *st;
  fat_gen *gen;          /* borrowed; NULL = no rules */
  fat_pricer *pricer;    /* owned; NULL when gen is NULL */
  prazo_slot *prazos;    /* contract deadline per operator key */
  size_t n_prazos;
};

fat_rc fat_avaliador_new(fat_store *st, fat_gen *gen, fat_avaliador **out, fat_err *err)
{
  fat_avaliador *a = fat_calloc(1, sizeof *a);
  fat_rc rc = FAT_OK;

  *out = NULL;
  if (a == NULL)
    return fat_err_oom(err);
  a->st = st;
  a->gen = gen;
  if (gen != NULL)
    rc = fat_pricer_new_gen(st, gen, &a->pricer, err);
  if (rc == FAT_OK && a->pricer != NULL)
    rc = fat_pricer_cache(a->pricer, err); /* an evaluator serves one action */
  if (rc != FAT_OK) {
    fat_avaliador_free(a);
    return rc;
  }
  *out = a;
  return FAT_OK;
}

void fat_avaliador_free(fat_avaliador *a)
{
  size_t i;

  if (a == NULL)
    return;
  for (i = 0; i < a->n_prazos; i++)
    fat_free(a->prazos[i].key);
  fat_free(a->prazos);
  fat_pricer_free(a->pricer);
  fat_free(a);
}

fat_gen *fat_avaliador_gen(const fat_avaliador *a) { return a->gen; }

fat_rc fat_avaliador_share_prices(fat_avaliador *from, fat_err *err)
{
  return from->pricer != NULL ? fat_pricer_cache_share(from->pricer, err) : FAT_OK;
}

void fat_avaliador_prices_from(fat_avaliador *a, fat_avaliador *from)
{
  if (a->pricer != NULL && from->pricer != NULL)
    fat_pricer_cache_from(a->pricer, from->pricer);
}

/* The presentation deadline of operator key's contract (0 = none), read
** once per key from the typed contract; an operator without a script has none. */
static fat_rc prazo_of(fat_avaliador *a, const char *key, int *prazo, fat_err *err)
{
  const fat_contrato *c;
  prazo_slot *v;
  size_t i;

  *prazo = 0;
  if (a->gen == NULL || key == NULL)
    return FAT_OK;
  for (i = 0; i < a->n_prazos; i++) {
    if (strcmp(a->prazos[i].key, key) == 0) {
      *prazo = a->prazos[i].prazo;
      return FAT_OK;
    }
  }
  c = fat_gen_contrato(a->gen, key); /* typed, checked when the rules loaded */
  if (c != NULL)
    *prazo = c->prazo_apresentacao_dias;
  v = fat_realloc(a->prazos, (a->n_prazos + 1) * sizeof *v);
  if (v == NULL)
    return fat_err_oom(err);
  a->prazos = v;
  v[a->n_prazos].key = fat_strdup(key);
  if (v[a->n_prazos].key == NULL)
    return fat_err_oom(err);
  v[a->n_prazos].prazo = *prazo;
  a->n_prazos++;
  return FAT_OK;
}

/* ---- history for the scripts (ctx.historico) ---- */

/* A copy of s in ctx's history texts (NULL for NULL); *oom set on failure. */
static const char *hist_dup(fat_avaliar_ctx *ctx, const char *s, int *oom)
{
  struct fat_avaliar_mem *m = ctx->hist_mem;
  size_t n;

  if (s == NULL)
    return NULL;
  n = strlen(s) + 1;
  if (m == NULL || m->cap - m->used < n) {
    size_t cap = n > HIST_MEM_BLOCK ? n : HIST_MEM_BLOCK;

    m = fat_malloc(sizeof *m + cap);
    if (m == NULL) {
      *oom = 1;
      return NULL;
    }
    m->next = ctx->hist_mem;
    m->used = 0;
    m->cap = cap;
    ctx->hist_mem = m;
  }
  memcpy(m->data + m->used, s, n);
  m->used += n;
  return m->data + m->used - n;
}

/* One history row appended to ctx->hist (fat_rules_hist says what the
** script sees of it); 0 on OOM. */
static int historico_row(fat_avaliar_ctx *ctx, fat_stmt *s)
{
  fat_rules_hist *h;
  int k, oom = 0;

  if (ctx->n_hist == ctx->cap_hist) {
    size_t nc = ctx->cap_hist ? ctx->cap_hist * 2 : 8;
    fat_rules_hist *v = fat_realloc(ctx->hist, nc * sizeof *v);

    if (v == NULL)
      return 0;
    ctx->hist = v;
    ctx->cap_hist = nc;
  }
  h = &ctx->hist[ctx->n_hist];
  memset(h, 0, sizeof *h);
  h->id = fat_col_int64(s, 0);
  h->tipo = hist_dup(ctx, fat_col_text(s, 1), &oom);
  h->numero_prestador = hist_dup(ctx, fat_col_text(s, 2), &oom);
  h->data_inicio = hist_dup(ctx, fat_col_text(s, 3), &oom);
  h->tipo_consulta = hist_dup(ctx, fat_col_text(s, 4), &oom);
  h->status = hist_dup(ctx, fat_col_text(s, 5), &oom);
  for (k = 0; k < 5; k++) {
    if (fat_col_is_null(s, 6 + k))
      continue;
    h->has_executante = 1;
    h->executante[k] = hist_dup(ctx, fat_col_text(s, 6 + k), &oom);
  }
  h->carteira_numero = hist_dup(ctx, fat_col_text(s, 12), &oom);
  h->cns = hist_dup(ctx, fat_col_text(s, 13), &oom);
  if (!fat_col_is_null(s, 14)) {
    h->has_beneficiario = 1;
    h->beneficiario_cpf = hist_dup(ctx, fat_col_text(s, 14), &oom);
  }
  h->codigos = hist_dup(ctx, fat_col_text(s, 11), &oom);
  if (oom)
    return 0;
  ctx->n_hist++;
  return 1;
}

/* ctx's history rows from the store (none when g has no date or no
** beneficiário/carteira). */
static fat_rc historico_of(fat_store *st, const fat_guia *g, fat_avaliar_ctx *ctx, fat_err *err)
{
  static const char sql_benef[] = FAT_HISTORICO_BENEF_SQL;
  static const char sql_cart[] = FAT_HISTORICO_CARTEIRA_SQL;
  fat_stmt *s = NULL;
  fat_rc rc;
  int step;

  ctx->n_hist = 0;
  if (blank(g->data_inicio) || (g->beneficiario.id <= 0 && blank(g->carteira_numero)))
    return FAT_OK;
  rc = fat_store_prepare(st, g->beneficiario.id > 0 ? sql_benef : sql_cart, &s, err);
  if (rc != FAT_OK)
    return rc;
  if (g->beneficiario.id > 0)
    fat_bind_int(s, 1, g->beneficiario.id);
  else
    fat_bind_text(s, 5, g->carteira_numero);
  fat_bind_int(s, 2, g->operadora.id);
  fat_bind_int(s, 3, g->id);
  fat_bind_text(s, 4, g->data_inicio);
  step = fat_stmt_step(s);
  while (step == FAT_ROW && rc == FAT_OK) {
    if (!historico_row(ctx, s))
      rc = fat_err_oom(err);
    else
      step = fat_stmt_step(s);
  }
  if (rc == FAT_OK && step != FAT_DONE)
    rc = fat_store_dberr(st, err, "erro ao ler o histórico do beneficiário");
  fat_stmt_reset(s);
  if (rc != FAT_OK)
    ctx->n_hist = 0;
  return rc;
}

/* ---- duplicate candidates ---- */

/* The span of dates of g's procedure items ([lo, hi]); 0 when none. */
static int proc_dates(const fat_guia *g, const char **lo, const char **hi)
{
  size_t i;

  *lo = *hi = NULL;
  for (i = 0; i < g->n_itens; i++) {
    const fat_item *it = &g->itens[i];
    const char *d = !blank(it->data) ? it->data : g->data_inicio;

    if (blank(it->codigo) || blank(d) || (it->tipo != NULL && strcmp(it->tipo, "procedimento")))
      continue;
    if (*lo == NULL || strcmp(d, *lo) < 0)
      *lo = d;
    if (*hi == NULL || strcmp(d, *hi) > 0)
      *hi = d;
  }
  return *lo != NULL;
}

static fat_rc pares_of(fat_store *st, const fat_guia *g, fat_avaliar_ctx *ctx, fat_err *err)
{
  /* one statement per guia (not per item): the beneficiário's items in the
  ** span of dates, matched in C (fat_check_duplicidade) */
  static const char sql_benef[] = FAT_PARES_BENEF_SQL;
  static const char sql_cart[] = FAT_PARES_CARTEIRA_SQL;
  const char *lo, *hi;
  fat_stmt *s;
  size_t cap = 0;
  int step;
  fat_rc rc;

  if ((g->beneficiario.id <= 0 && blank(g->carteira_numero)) || !proc_dates(g, &lo, &hi))
    return FAT_OK;
  rc = fat_store_prepare(st, g->beneficiario.id > 0 ? sql_benef : sql_cart, &s, err);
  if (rc != FAT_OK)
    return rc;
  if (g->beneficiario.id > 0) {
    fat_bind_int(s, 1, g->beneficiario.id);
  } else {
    fat_bind_text(s, 2, g->carteira_numero);
    fat_bind_int(s, 6, g->operadora.id);
  }
  fat_bind_int(s, 3, g->id);
  fat_bind_text(s, 4, lo);
  fat_bind_text(s, 5, hi);
  step = fat_stmt_step(s);
  while (step == FAT_ROW && rc == FAT_OK) {
    fat_check_par *p;

    if (ctx->n_pares == cap) {
      size_t nc = cap == 0 ? 8 : cap * 2;
      fat_check_par *v = fat_realloc(ctx->pares, nc * sizeof *v);

      if (v == NULL) {
        rc = fat_err_oom(err);
        break;
      }
      ctx->pares = v;
      cap = nc;
    }
    p = &ctx->pares[ctx->n_pares++];
    p->guia_id = fat_col_int64(s, 0);
    fat_col_copy(s, 1, p->numero_prestador, sizeof p->numero_prestador);
    fat_col_copy(s, 2, p->status, sizeof p->status);
    fat_col_copy(s, 3, p->codigo, sizeof p->codigo);
    fat_col_copy(s, 4, p->data, sizeof p->data);
    step = fat_stmt_step(s);
  }
  if (rc == FAT_OK && step != FAT_DONE)
    rc = fat_store_dberr(st, err, "erro ao procurar guias em duplicidade");
  fat_stmt_reset(s);
  return rc;
}

/* The distinct types of the files attached to stored guia g, when its
** contract requires some for a procedure g has (one statement per guia only
** then: otherwise they change no finding, fat_contrato_anexos_cobre). */
static fat_rc anexos_of(fat_avaliador *a, const fat_guia *g, const char *key, fat_avaliar_ctx *ctx,
                        fat_err *err)
{
  static const char sql[] = "SELECT DISTINCT tipo FROM guia_anexo WHERE guia_id = ?1";
  const fat_contrato *c = (a->gen != NULL && key != NULL) ? fat_gen_contrato(a->gen, key) : NULL;
  fat_stmt *s;
  int step;
  fat_rc rc;

  if (c == NULL || c->guias.n_anexos == 0 || g->id <= 0 || !fat_contrato_anexos_cobre(c, g))
    return FAT_OK;
  rc = fat_store_prepare(a->st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, g->id);
  step = fat_stmt_step(s);
  while (step == FAT_ROW) {
    if (ctx->n_anexos < sizeof ctx->anexos / sizeof ctx->anexos[0])
      fat_col_copy(s, 0, ctx->anexos[ctx->n_anexos++], sizeof ctx->anexos[0]);
    step = fat_stmt_step(s);
  }
  if (step != FAT_DONE)
    rc = fat_store_dberr(a->st, err, "erro ao ler os anexos da guia");
  fat_stmt_reset(s);
  return rc;
}

fat_rc fat_avaliar_ctx_load(fat_avaliador *a, const fat_guia *g, const char *hoje,
                            fat_avaliar_ctx *ctx, fat_err *err)
{
  const char *key = g->operadora.script;
  fat_rc rc;

  fat_avaliar_ctx_init(ctx);
  if (hoje == NULL || fat_dia_parse(hoje, &ctx->hoje_dias) != 0)
    return fat_err_set(err, FAT_EINVAL, "data de referência inválida '%s' (use AAAA-MM-DD)",
                       hoje != NULL ? hoje : "");
  fat_strcpy_cut(ctx->hoje, sizeof ctx->hoje, hoje);
  ctx->pricer = a->pricer;
  rc = prazo_of(a, key, &ctx->prazo_apresentacao_dias, err);
  if (rc == FAT_OK && a->gen != NULL && key != NULL && fat_gen_sha256(a->gen, key) != NULL) {
    ctx->hist_av = a; /* loaded when a check reads it: fat_avaliar_ctx_historico */
    ctx->hist_g = g;
  }
  if (rc == FAT_OK)
    rc = pares_of(a->st, g, ctx, err);
  if (rc == FAT_OK)
    rc = anexos_of(a, g, key, ctx, err);
  return rc;
}

fat_rc fat_avaliar_ctx_historico(fat_avaliar_ctx *ctx, fat_err *err)
{
  fat_rc rc;

  if (ctx->hist_loaded || ctx->hist_av == NULL)
    return FAT_OK;
  rc = historico_of(ctx->hist_av->st, ctx->hist_g, ctx, err);
  if (rc == FAT_OK && ctx->hist_fix != NULL)
    rc = ctx->hist_fix(ctx->hist_fix_ud, ctx->hist, ctx->n_hist, err);
  if (rc == FAT_OK) {
    ctx->hist_av = NULL; /* loaded */
    ctx->hist_loaded = 1;
  } else {
    ctx->n_hist = 0;
  }
  return rc;
}

void fat_avaliar_hist_status(fat_rules_hist *h, const char *st)
{
  if (h->status != NULL && strcmp(h->status, st) != 0) { /* an absent status stays so */
    snprintf(h->status_buf, sizeof h->status_buf, "%s", st);
    h->status = h->status_buf;
  }
}

/* The day guia_id's lote was sent (or the clinic's day it was closed: fechado_em
** is a UTC instant), else its attendance date. */
static fat_rc data_envio(fat_store *st, int64_t guia_id, char *out, size_t len, fat_err *err)
{
  static const char sql[] =
    "SELECT dia_local(COALESCE(l.enviado_em, l.fechado_em, g.data_inicio)) "
    "FROM guia g LEFT JOIN lote l ON l.id = g.lote_id WHERE g.id = ?1";
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);
  int step;

  out[0] = '\0';
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, guia_id);
  step = fat_stmt_step(s);
  if (step == FAT_ROW)
    fat_col_copy(s, 0, out, len);
  else if (step == FAT_DONE)
    rc = fat_err_set(err, FAT_ENOTFOUND, "guia %lld não encontrada", (long long)guia_id);
  else
    rc = fat_store_dberr(st, err, "erro ao ler a data de envio da guia");
  fat_stmt_reset(s);
  return rc;
}

fat_rc fat_avaliar_guia(fat_avaliador *a, int64_t guia_id, const char *hoje, fat_avaliacao *out,
                        fat_err *err)
{
  fat_avaliar_ctx ctx;
  fat_guia *g = NULL;
  char dia[16];
  fat_rc rc = FAT_OK;

  fat_avaliar_ctx_init(&ctx);
  if (hoje != NULL)
    snprintf(dia, sizeof dia, "%s", hoje);
  else
    rc = data_envio(a->st, guia_id, dia, sizeof dia, err);
  if (rc == FAT_OK && !fat_dia_valida(dia))
    fat_dia_hoje(dia, sizeof dia); /* no usable date at all: today */
  if (rc == FAT_OK)
    rc = fat_guia_load(a->st, guia_id, &g, err);
  if (rc == FAT_OK)
    rc = fat_avaliar_ctx_load(a, g, dia, &ctx, err);
  if (rc == FAT_OK)
    rc = fat_avaliar(a->gen, g->operadora.script, g, &ctx, out, err);
  fat_avaliar_ctx_fini(&ctx);
  fat_guia_free(g);
  return rc;
}

/* }====================================================================== */
