/* fat_retorno.c: import of operator returns. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fat_dia.h"
#include "fat_glosa.h"
#include "fat_lote.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_money.h"
#include "fat_retorno.h"
#include "fat_sha256.h"
#include "fat_simular.h"
#include "fat_store_int.h"
#include "fat_tiss_hash.h"
#include "fat_tiss_read.h"
#include "fat_tiss_write.h"

#define ABSENT INT64_MIN

void fat_retorno_res_fini(fat_retorno_res *r)
{
  if (r == NULL)
    return;
  cJSON_Delete(r->avisos);
  cJSON_Delete(r->pendencias);
  r->avisos = r->pendencias = NULL;
}

static void money_br(int64_t v, char *buf, size_t len)
{
  if (v == ABSENT)
    snprintf(buf, len, "(não informado)");
  else
    fat_money_format_br(v, buf, len);
}

static void aviso(fat_retorno_res *r, const char *fmt, ...) FAT_PRINTF(2, 3);
static void aviso(fat_retorno_res *r, const char *fmt, ...)
{
  char buf[512];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  cJSON_AddItemToArray(r->avisos, cJSON_CreateString(buf));
}

/* Compare declared totals with the sums of their parts. */
static void check_totals(const fat_tiss_msg *m, fat_retorno_res *r)
{
  char a[32], b[32];
  size_t i, j, k, q;

  for (i = 0; i < m->n_protocolos; i++) {
    const fat_ret_protocolo *p = &m->protocolos[i];
    int64_t si = 0, sg = 0, sl = 0;

    for (j = 0; j < p->n_guias; j++) {
      const fat_ret_guia *g = &p->guias[j];
      int64_t ii = 0, ig = 0, il = 0;

      if (g->informado != ABSENT)
        si += g->informado;
      if (g->glosado != ABSENT)
        sg += g->glosado;
      if (g->liberado != ABSENT)
        sl += g->liberado;
      if (g->n_itens == 0)
        continue;
      for (k = 0; k < g->n_itens; k++) {
        const fat_ret_item *it = &g->itens[k];

        if (it->informado != ABSENT)
          ii += it->informado;
        if (it->liberado != ABSENT)
          il += it->liberado;
        for (q = 0; q < it->n_glosas; q++)
          if (it->glosas[q].valor != ABSENT)
            ig += it->glosas[q].valor;
      }
      if (g->informado != ABSENT && ii != g->informado && m->tipo != FAT_TISS_PROTOCOLO) {
        money_br(g->informado, a, sizeof a);
        money_br(ii, b, sizeof b);
        aviso(r, "guia %s (linha %d): valor informado da guia %s, soma dos itens %s",
              g->numero_prestador, g->linha, a, b);
      }
      if (g->liberado != ABSENT && m->tipo == FAT_TISS_ANALISE_CONTA && il != g->liberado) {
        money_br(g->liberado, a, sizeof a);
        money_br(il, b, sizeof b);
        aviso(r, "guia %s (linha %d): valor liberado da guia %s, soma dos itens %s",
              g->numero_prestador, g->linha, a, b);
      }
      if (g->glosado != ABSENT && ig > 0 && ig != g->glosado) {
        money_br(g->glosado, a, sizeof a);
        money_br(ig, b, sizeof b);
        aviso(r, "guia %s (linha %d): glosa da guia %s, soma das glosas dos itens %s",
              g->numero_prestador, g->linha, a, b);
      }
    }
    if (p->n_guias > 0 && p->informado != ABSENT && p->informado != si &&
        m->tipo != FAT_TISS_PAGAMENTO) {
      money_br(p->informado, a, sizeof a);
      money_br(si, b, sizeof b);
      aviso(r, "lote %s: valor informado do protocolo %s, soma das guias %s",
            p->numero_lote ? p->numero_lote : "?", a, b);
    }
    if (p->n_guias > 0 && p->glosado != ABSENT && p->glosado != sg) {
      money_br(p->glosado, a, sizeof a);
      money_br(sg, b, sizeof b);
      aviso(r, "lote %s: glosa do protocolo %s, soma das guias %s",
            p->numero_lote ? p->numero_lote : "?", a, b);
    }
    if (p->n_guias > 0 && p->liberado != ABSENT && p->liberado != sl) {
      money_br(p->liberado, a, sizeof a);
      money_br(sl, b, sizeof b);
      aviso(r, "lote %s: valor liberado do protocolo %s, soma das guias %s",
            p->numero_lote ? p->numero_lote : "?", a, b);
    }
  }
  if (m->n_protocolos > 0 && m->tipo == FAT_TISS_ANALISE_CONTA) {
    int64_t si = 0, sl = 0, sg = 0;

    for (i = 0; i < m->n_protocolos; i++) {
      if (m->protocolos[i].informado != ABSENT)
        si += m->protocolos[i].informado;
      if (m->protocolos[i].liberado != ABSENT)
        sl += m->protocolos[i].liberado;
      if (m->protocolos[i].glosado != ABSENT)
        sg += m->protocolos[i].glosado;
    }
    if (m->informado != ABSENT && m->informado != si) {
      money_br(m->informado, a, sizeof a);
      money_br(si, b, sizeof b);
      aviso(r, "valorInformadoGeral %s, soma dos protocolos %s", a, b);
    }
    if (m->liberado != ABSENT && m->liberado != sl) {
      money_br(m->liberado, a, sizeof a);
      money_br(sl, b, sizeof b);
      aviso(r, "valorLiberadoGeral %s, soma dos protocolos %s", a, b);
    }
    if (m->glosado != ABSENT && m->glosado != sg) {
      money_br(m->glosado, a, sizeof a);
      money_br(sg, b, sizeof b);
      aviso(r, "valorGlosaGeral %s, soma dos protocolos %s", a, b);
    }
  }
}

/*
** {======================================================
** Import
** =======================================================
*/

typedef struct imp {
  fat_store *st;
  fat_gen *gen;
  fat_err *err;
  fat_retorno_res *res;
  const fat_tiss_msg *m;
  int64_t retorno_id;
  int64_t operadora_id;
  char script[64];
  int prazo_dias;           /* recurso deadline from the contract, 0 = unknown */
  char prazo[16];           /* deadline date, "" = unknown */
  int64_t *guias_tocadas;   /* guia ids with new glosas (for prediction) */
  size_t n_tocadas, cap_tocadas;
  /* the items of the guia being matched (guia_itens), read once per guia */
  int64_t itens_guia;       /* whose items they are, 0 = none read */
  struct item_ref *itens;
  size_t n_itens, cap_itens;
  fat_buf textos;           /* their códigos and dates, at offsets */
} imp;

static fat_rc exec_step(imp *x, fat_stmt *s, const char *what)
{
  int rc = fat_stmt_step(s);

  fat_stmt_reset(s);
  if (rc != FAT_DONE && rc != FAT_ROW)
    return fat_store_dberr(x->st, x->err, what);
  return FAT_OK;
}

static void bind_money(fat_stmt *s, int i, int64_t v)
{
  fat_bind_int_or_null(s, i, v, v == ABSENT);
}

static fat_rc pendencia(imp *x, const char *nivel, const fat_ret_protocolo *p,
                        const fat_ret_guia *g, const fat_ret_item *it, const fat_ret_glosa *gl,
                        const char *motivo, int linha)
{
  static const char ins[] =
      "INSERT INTO retorno_pendencia (retorno_id, nivel, numero_lote, protocolo,"
      " numero_prestador, numero_operadora, sequencial, codigo, data, valor_informado,"
      " valor_glosado, glosa_codigo, motivo, linha)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";
  fat_stmt *s;
  cJSON *o;
  fat_rc rc;
  int64_t vi = it != NULL ? it->informado : g != NULL ? g->informado : p->informado;
  int64_t vg = gl != NULL ? gl->valor : g != NULL && it == NULL ? g->glosado : ABSENT;

  rc = fat_store_prepare(x->st, ins, &s, x->err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, x->retorno_id);
  fat_bind_text(s, 2, nivel);
  fat_bind_text(s, 3, p->numero_lote);
  fat_bind_text(s, 4, p->numero_protocolo);
  fat_bind_text(s, 5, g != NULL ? g->numero_prestador : NULL);
  fat_bind_text(s, 6, g != NULL ? g->numero_operadora : NULL);
  fat_bind_int_or_null(s, 7, it != NULL ? it->sequencial : 0, it == NULL || it->sequencial == 0);
  fat_bind_text(s, 8, it != NULL ? it->codigo : NULL);
  fat_bind_text(s, 9, it != NULL ? it->data : g != NULL ? g->data_inicio : NULL);
  bind_money(s, 10, vi);
  bind_money(s, 11, vg);
  fat_bind_text(s, 12, gl != NULL ? gl->codigo : NULL);
  fat_bind_text(s, 13, motivo);
  fat_bind_int(s, 14, linha);
  rc = exec_step(x, s, "não foi possível gravar a pendência");
  if (rc != FAT_OK)
    return rc;
  x->res->n_pendencias++;
  o = cJSON_CreateObject();
  if (o != NULL) {
    cJSON_AddStringToObject(o, "nivel", nivel);
    if (p->numero_lote != NULL)
      cJSON_AddStringToObject(o, "lote", p->numero_lote);
    if (g != NULL && g->numero_prestador != NULL)
      cJSON_AddStringToObject(o, "guia", g->numero_prestador);
    if (it != NULL) {
      cJSON_AddNumberToObject(o, "sequencial", it->sequencial);
      if (it->codigo != NULL)
        cJSON_AddStringToObject(o, "codigo", it->codigo);
    }
    if (gl != NULL)
      cJSON_AddStringToObject(o, "glosa", gl->codigo);
    cJSON_AddStringToObject(o, "motivo", motivo);
    cJSON_AddNumberToObject(o, "linha", linha);
    cJSON_AddItemToArray(x->res->pendencias, o);
  }
  return FAT_OK;
}

static int all_digits(const char *s)
{
  if (s == NULL || *s == '\0')
    return 0;
  for (; *s != '\0'; s++)
    if (*s < '0' || *s > '9')
      return 0;
  return 1;
}

static fat_rc find_lote(imp *x, const fat_ret_protocolo *p, int64_t *lote_id)
{
  static const char by_num[] =
      "SELECT id FROM lote WHERE operadora_id = ?1 AND numero = ?2";
  static const char by_prot[] =
      "SELECT id FROM lote WHERE operadora_id = ?1 AND protocolo = ?2";
  fat_stmt *s;
  fat_rc rc;

  *lote_id = 0;
  if (all_digits(p->numero_lote) && strlen(p->numero_lote) < 18) {
    rc = fat_store_prepare(x->st, by_num, &s, x->err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, x->operadora_id);
    fat_bind_int(s, 2, strtoll(p->numero_lote, NULL, 10));
    if (fat_stmt_step(s) == FAT_ROW)
      *lote_id = fat_col_int64(s, 0);
    fat_stmt_reset(s);
  }
  if (*lote_id == 0 && p->numero_protocolo != NULL) {
    rc = fat_store_prepare(x->st, by_prot, &s, x->err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, x->operadora_id);
    fat_bind_text(s, 2, p->numero_protocolo);
    if (fat_stmt_step(s) == FAT_ROW)
      *lote_id = fat_col_int64(s, 0);
    fat_stmt_reset(s);
  }
  return FAT_OK;
}

/* guia by número no prestador (in the lote first, then the operadora), then
** by número na operadora. */
static fat_rc find_guia(imp *x, int64_t lote_id, const fat_ret_guia *g, int64_t *guia_id)
{
  /* newest first along the index (operadora_id, número): no sort, no temp
  ** b-tree; a guia of the returned lote wins over newer ones elsewhere */
  static const char q1[] =
      "SELECT id, lote_id IS ?3 FROM guia WHERE operadora_id = ?1 AND numero_prestador = ?2"
      " ORDER BY id DESC";
  static const char q2[] =
      "SELECT id, lote_id IS ?3 FROM guia WHERE operadora_id = ?1 AND numero_operadora = ?2"
      " ORDER BY id DESC";
  static const char *const qs[] = {q1, q2};
  const char *nums[2];
  fat_stmt *s;
  fat_rc rc;
  size_t k;
  int r;

  nums[0] = g->numero_prestador;
  nums[1] = g->numero_operadora;
  *guia_id = 0;
  for (k = 0; k < 2 && *guia_id == 0; k++) {
    if (nums[k] == NULL)
      continue;
    rc = fat_store_prepare(x->st, qs[k], &s, x->err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, x->operadora_id);
    fat_bind_text(s, 2, nums[k]);
    fat_bind_int_or_null(s, 3, lote_id, lote_id == 0);
    for (r = fat_stmt_step(s); r == FAT_ROW; r = fat_stmt_step(s)) {
      if (*guia_id == 0)
        *guia_id = fat_col_int64(s, 0);
      if (fat_col_int(s, 1)) {
        *guia_id = fat_col_int64(s, 0);
        break;
      }
    }
    fat_stmt_reset(s);
    if (r != FAT_ROW && r != FAT_DONE)
      return fat_store_dberr(x->st, x->err, "erro ao procurar a guia do retorno");
  }
  return FAT_OK;
}

/* One item of the guia being matched, as the matching reads it: the values
** of its sequencial, código and date (its own, else the guia's) as SQLite
** stores them. */
typedef struct item_ref {
  int64_t id;
  int seq_tipo;             /* FAT_COL_* of sequencial */
  int64_t seq;              /* when FAT_COL_INTEGER */
  double seq_real;          /* when FAT_COL_REAL */
  size_t codigo, codigo_len; /* offset into textos; codigo_len NOT_TEXT: not text */
  size_t data, data_len;     /* likewise */
} item_ref;

#define NOT_TEXT ((size_t)-1)

/* Column i of s as text at an offset of x->textos (*len NOT_TEXT when the
** value is not text: no bound text equals it). */
static fat_rc keep_text(imp *x, fat_stmt *s, int i, size_t *off, size_t *len)
{
  const char *t;
  int n;

  *off = 0;
  *len = NOT_TEXT;
  if (fat_col_type(s, i) != FAT_COL_TEXT)
    return FAT_OK;
  t = fat_col_text(s, i);
  n = fat_col_bytes(s, i);
  if (t == NULL || n < 0)
    return FAT_OK;
  *off = x->textos.len;
  *len = (size_t)n;
  return fat_buf_append(&x->textos, t, (size_t)n, x->err);
}

/* Read the items of guia_id, in the order of their sequencial, unless they
** are the ones already read. One statement per guia instead of up to three
** per item; find_item then asks of them what those statements asked. */
static fat_rc guia_itens(imp *x, int64_t guia_id)
{
  /* the guia's date is read only for an item without its own */
  static const char q[] =
      "SELECT i.id, i.sequencial, i.codigo,"
      " COALESCE(i.data, (SELECT g.data_inicio FROM guia g WHERE g.id = i.guia_id))"
      " FROM item i WHERE i.guia_id = ?1 ORDER BY i.sequencial";
  fat_stmt *s;
  fat_rc rc;
  int r;

  if (x->itens_guia == guia_id)
    return FAT_OK;
  x->itens_guia = 0;
  x->n_itens = 0;
  fat_buf_reset(&x->textos);
  rc = fat_store_prepare(x->st, q, &s, x->err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, guia_id);
  for (r = fat_stmt_step(s); r == FAT_ROW && rc == FAT_OK; r = fat_stmt_step(s)) {
    item_ref *e;

    if (x->n_itens == x->cap_itens) {
      size_t nc = x->cap_itens == 0 ? 16 : x->cap_itens * 2;
      item_ref *a = fat_realloc(x->itens, nc * sizeof *a);

      if (a == NULL) {
        rc = fat_err_oom(x->err);
        break;
      }
      x->itens = a;
      x->cap_itens = nc;
    }
    e = &x->itens[x->n_itens++];
    memset(e, 0, sizeof *e);
    e->id = fat_col_int64(s, 0);
    e->seq_tipo = fat_col_type(s, 1);
    if (e->seq_tipo == FAT_COL_INTEGER)
      e->seq = fat_col_int64(s, 1);
    else if (e->seq_tipo == FAT_COL_REAL)
      e->seq_real = fat_col_double(s, 1);
    rc = keep_text(x, s, 2, &e->codigo, &e->codigo_len);
    if (rc == FAT_OK)
      rc = keep_text(x, s, 3, &e->data, &e->data_len);
  }
  fat_stmt_reset(s);
  if (rc == FAT_OK && r != FAT_ROW && r != FAT_DONE)
    rc = fat_store_dberr(x->st, x->err, "erro ao procurar os itens da guia do retorno");
  if (rc != FAT_OK) {
    x->n_itens = 0;
    return rc;
  }
  x->itens_guia = guia_id;
  return FAT_OK;
}

/* Text at (off, len) of x->textos equals the C string v (as SQLite's = with
** the binary collation compares a text value with a bound text). */
static int text_eq(const imp *x, size_t off, size_t len, const char *v)
{
  if (len == NOT_TEXT || strlen(v) != len)
    return 0;
  return len == 0 || memcmp(x->textos.data + off, v, len) == 0;
}

static int seq_eq(const item_ref *e, int seq)
{
  if (e->seq_tipo == FAT_COL_INTEGER)
    return e->seq == (int64_t)seq;
  if (e->seq_tipo == FAT_COL_REAL)
    return e->seq_real == (double)seq;
  return 0;
}

/* item by sequencial + código, then código + data (the first by
** sequencial), then código alone when unique in the guia. */
static fat_rc find_item(imp *x, int64_t guia_id, const fat_ret_item *it, int64_t *item_id)
{
  const item_ref *e;
  int64_t unico = 0;
  size_t k, n_codigo = 0;
  fat_rc rc;

  *item_id = 0;
  if (it->codigo == NULL)
    return FAT_OK;
  rc = guia_itens(x, guia_id);
  if (rc != FAT_OK)
    return rc;
  if (it->sequencial > 0)
    for (k = 0; k < x->n_itens; k++) {
      e = &x->itens[k];
      if (seq_eq(e, it->sequencial) && text_eq(x, e->codigo, e->codigo_len, it->codigo)) {
        *item_id = e->id;
        return FAT_OK;
      }
    }
  if (it->data != NULL)
    for (k = 0; k < x->n_itens; k++) {
      e = &x->itens[k];
      if (text_eq(x, e->codigo, e->codigo_len, it->codigo) &&
          text_eq(x, e->data, e->data_len, it->data)) {
        *item_id = e->id;
        return FAT_OK;
      }
    }
  for (k = 0; k < x->n_itens; k++) {
    e = &x->itens[k];
    if (text_eq(x, e->codigo, e->codigo_len, it->codigo)) {
      n_codigo++;
      unico = e->id;
    }
  }
  if (n_codigo == 1)
    *item_id = unico;
  return FAT_OK;
}

static fat_rc touch_guia(imp *x, int64_t guia_id)
{
  size_t i;
  int64_t *a;

  for (i = 0; i < x->n_tocadas; i++)
    if (x->guias_tocadas[i] == guia_id)
      return FAT_OK;
  if (x->n_tocadas == x->cap_tocadas) {
    size_t nc = x->cap_tocadas == 0 ? 32 : x->cap_tocadas * 2;

    a = fat_realloc(x->guias_tocadas, nc * sizeof *a);
    if (a == NULL)
      return fat_err_oom(x->err);
    x->guias_tocadas = a;
    x->cap_tocadas = nc;
  }
  x->guias_tocadas[x->n_tocadas++] = guia_id;
  return FAT_OK;
}

static fat_rc store_glosa(imp *x, int64_t guia_id, int64_t item_id, int64_t ret_item_id,
                          int64_t lote_id, const fat_ret_glosa *gl, int64_t valor)
{
  static const char ins[] =
      "INSERT INTO glosa (guia_id, item_id, retorno_id, codigo, valor, origem, usuario,"
      " descricao, retorno_item_id, lote_id, data_demonstrativo, prazo_recurso, competencia)"
      " VALUES (?1, ?2, ?3, ?4, ?5, 'retorno', ?6, ?7, ?8, ?9, ?10, ?11,"
      " (SELECT g.competencia FROM guia g WHERE g.id = ?1))";
  fat_stmt *s;
  fat_rc rc;
  char *desc = NULL;

  if (gl->descricao == NULL)
    desc = fat_glosa_descricao(x->st, gl->codigo);
  rc = fat_store_prepare(x->st, ins, &s, x->err);
  if (rc != FAT_OK)
    goto out;
  fat_bind_int(s, 1, guia_id);
  fat_bind_int_or_null(s, 2, item_id, item_id == 0);
  fat_bind_int(s, 3, x->retorno_id);
  fat_bind_text(s, 4, gl->codigo);
  fat_bind_int(s, 5, valor);
  fat_bind_text(s, 6, fat_store_user(x->st));
  fat_bind_text(s, 7, gl->descricao != NULL ? gl->descricao : desc);
  fat_bind_int_or_null(s, 8, ret_item_id, ret_item_id == 0);
  fat_bind_int_or_null(s, 9, lote_id, lote_id == 0);
  fat_bind_text(s, 10, x->m->data_emissao);
  fat_bind_text(s, 11, x->prazo[0] != '\0' ? x->prazo : NULL);
  rc = exec_step(x, s, "não foi possível gravar a glosa");
  if (rc != FAT_OK)
    goto out;
  rc = fat_glosa_classificar(x->st, x->gen, fat_store_last_id(x->st), x->err);
  if (rc != FAT_OK)
    goto out;
  x->res->n_glosas++;
  rc = touch_guia(x, guia_id);
out:
  fat_free(desc);
  return rc;
}

/* Why the values of item `it` of guia `g` cannot be (pt-BR, naming the guia
** and the item, into why), or 0 when they can: a negative value, glosas
** larger than the item, liberado different from informado minus glosado. */
static int item_impossivel(const fat_ret_guia *g, const fat_ret_item *it, char *why, size_t len)
{
  char a[32], b[32], c[32], item[64];
  int64_t ig = 0;
  size_t q;

  snprintf(item, sizeof item, "guia %s, item %d (%s)", g->numero_prestador, it->sequencial,
           it->codigo != NULL ? it->codigo : "?");
  for (q = 0; q < it->n_glosas; q++) {
    if (it->glosas[q].valor == ABSENT)
      continue;
    if (it->glosas[q].valor < 0) {
      money_br(it->glosas[q].valor, a, sizeof a);
      snprintf(why, len, "%s: glosa negativa (%s, código %s)", item, a, it->glosas[q].codigo);
      return 1;
    }
    ig += it->glosas[q].valor;
  }
  if (it->informado != ABSENT && ig > it->informado) {
    money_br(ig, a, sizeof a);
    money_br(it->informado, b, sizeof b);
    snprintf(why, len, "%s: glosas somando %s, maior que o valor informado %s", item, a, b);
    return 1;
  }
  if ((it->informado != ABSENT && it->informado < 0) ||
      (it->processado != ABSENT && it->processado < 0) ||
      (it->liberado != ABSENT && it->liberado < 0)) {
    money_br(it->informado, a, sizeof a);
    money_br(it->processado, b, sizeof b);
    money_br(it->liberado, c, sizeof c);
    snprintf(why, len, "%s: valor negativo (informado %s, processado %s, liberado %s)", item, a,
             b, c);
    return 1;
  }
  if (it->informado != ABSENT && it->liberado != ABSENT && it->liberado != it->informado - ig) {
    money_br(it->liberado, a, sizeof a);
    money_br(it->informado, b, sizeof b);
    money_br(ig, c, sizeof c);
    snprintf(why, len, "%s: valor liberado %s diferente do informado %s menos o glosado %s",
             item, a, b, c);
    return 1;
  }
  return 0;
}

/* The same for the values of guia `g` itself (checked when it carries its
** own motives, whose value hangs on them). */
static int guia_impossivel(const fat_ret_guia *g, char *why, size_t len)
{
  char a[32], b[32], c[32];
  int64_t base = g->informado != ABSENT ? g->informado : g->processado;

  if ((g->informado != ABSENT && g->informado < 0) ||
      (g->processado != ABSENT && g->processado < 0) ||
      (g->liberado != ABSENT && g->liberado < 0) || (g->glosado != ABSENT && g->glosado < 0)) {
    money_br(g->informado, a, sizeof a);
    money_br(g->liberado, b, sizeof b);
    money_br(g->glosado, c, sizeof c);
    snprintf(why, len, "guia %s: valor negativo (informado %s, liberado %s, glosado %s)",
             g->numero_prestador, a, b, c);
    return 1;
  }
  if (base != ABSENT && g->glosado != ABSENT && g->glosado > base) {
    money_br(g->glosado, a, sizeof a);
    money_br(base, b, sizeof b);
    snprintf(why, len, "guia %s: glosa de %s, maior que o valor da guia %s",
             g->numero_prestador, a, b);
    return 1;
  }
  return 0;
}

/* Record impossible values: a pendência (with the glosa code, when one) and
** a warning; no glosa is stored for them. */
static fat_rc inconsistencia(imp *x, const fat_ret_protocolo *p, const fat_ret_guia *g,
                             const fat_ret_item *it, const char *why)
{
  const fat_ret_glosa *gl = NULL;
  char motivo[600];
  int linha;

  if (it != NULL && it->n_glosas > 0)
    gl = &it->glosas[0];
  else if (it == NULL && g->n_glosas > 0)
    gl = &g->glosas[0];
  linha = it != NULL ? it->linha : g->linha;
  snprintf(motivo, sizeof motivo,
           "valores impossíveis: %s; nenhuma glosa gravada: confira com a operadora e, se "
           "couber, registre com faturo glosa registrar",
           why);
  x->res->n_inconsistencias++;
  aviso(x->res, "linha %d: valores impossíveis: %s (nenhuma glosa gravada; veja as pendências)",
        linha, why);
  return pendencia(x, it != NULL ? "item" : "guia", p, g, it, gl, motivo, linha);
}

static fat_rc import_guia(imp *x, const fat_ret_protocolo *p, int64_t lote_id,
                          const fat_ret_guia *g)
{
  static const char ins_g[] =
      "INSERT INTO retorno_guia (retorno_id, lote_id, guia_id, numero_lote, protocolo,"
      " numero_prestador, numero_operadora, situacao, valor_informado, valor_processado,"
      " valor_liberado, valor_glosado, linha)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
  static const char ins_i[] =
      "INSERT INTO retorno_item (retorno_guia_id, item_id, sequencial, codigo_tabela, codigo,"
      " data, quantidade_e4, valor_informado, valor_processado, valor_liberado, valor_glosado,"
      " linha) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
  /* the status, then the operadora's número into an empty one, on the guia
  ** whose status changed: two statements so that the index on the número
  ** (guia_operadora_numero_op) is rewritten only when the número changes */
  static const char upd_guia[] =
      "UPDATE guia SET status = ?2 WHERE id = ?1 AND status NOT IN ('cancelada')"
      " AND status <> ?2";
  static const char upd_numop[] =
      "UPDATE guia SET numero_operadora = ?2 WHERE id = ?1 AND numero_operadora IS NULL";
  fat_stmt *s;
  int64_t guia_id = 0, rg_id, item_id, ri_id, glosa_itens = 0, ig;
  size_t k, q;
  fat_rc rc;
  const char *novo;
  char why[400];
  int guia_ruim;

  rc = find_guia(x, lote_id, g, &guia_id);
  if (rc != FAT_OK)
    return rc;
  x->itens_guia = 0; /* its items are read again (find_item) */
  x->res->n_guias++;
  if (guia_id != 0)
    x->res->n_guias_casadas++;
  rc = fat_store_prepare(x->st, ins_g, &s, x->err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, x->retorno_id);
  fat_bind_int_or_null(s, 2, lote_id, lote_id == 0);
  fat_bind_int_or_null(s, 3, guia_id, guia_id == 0);
  fat_bind_text(s, 4, p->numero_lote);
  fat_bind_text(s, 5, p->numero_protocolo);
  fat_bind_text(s, 6, g->numero_prestador);
  fat_bind_text(s, 7, g->numero_operadora);
  fat_bind_text(s, 8, g->situacao != NULL ? g->situacao : g->tipo_pagamento);
  bind_money(s, 9, g->informado);
  bind_money(s, 10, g->processado);
  bind_money(s, 11, g->liberado);
  bind_money(s, 12, g->glosado);
  fat_bind_int(s, 13, g->linha);
  rc = exec_step(x, s, "não foi possível gravar a guia do retorno");
  if (rc != FAT_OK)
    return rc;
  rg_id = fat_store_last_id(x->st);
  if (guia_id == 0) {
    rc = pendencia(x, "guia", p, g, NULL, NULL,
                   "guia não encontrada (nem pelo número no prestador, nem na operadora)",
                   g->linha);
    for (k = 0; rc == FAT_OK && k < g->n_itens; k++)
      for (q = 0; rc == FAT_OK && q < g->itens[k].n_glosas; q++)
        rc = pendencia(x, "glosa", p, g, &g->itens[k], &g->itens[k].glosas[q],
                       "glosa de guia não encontrada", g->itens[k].glosas[q].linha);
    for (q = 0; rc == FAT_OK && q < g->n_glosas; q++)
      rc = pendencia(x, "glosa", p, g, NULL, &g->glosas[q], "glosa de guia não encontrada",
                     g->glosas[q].linha);
    return rc;
  }
  for (k = 0; k < g->n_itens; k++) {
    const fat_ret_item *it = &g->itens[k];

    x->res->n_itens++;
    rc = find_item(x, guia_id, it, &item_id);
    if (rc != FAT_OK)
      return rc;
    if (item_id != 0)
      x->res->n_itens_casados++;
    ig = 0;
    for (q = 0; q < it->n_glosas; q++)
      if (it->glosas[q].valor != ABSENT)
        ig += it->glosas[q].valor;
    rc = fat_store_prepare(x->st, ins_i, &s, x->err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, rg_id);
    fat_bind_int_or_null(s, 2, item_id, item_id == 0);
    fat_bind_int_or_null(s, 3, it->sequencial, it->sequencial == 0);
    fat_bind_text(s, 4, it->tabela);
    fat_bind_text(s, 5, it->codigo);
    fat_bind_text(s, 6, it->data);
    bind_money(s, 7, it->qtd_e4);
    bind_money(s, 8, it->informado);
    bind_money(s, 9, it->processado);
    bind_money(s, 10, it->liberado);
    fat_bind_int_or_null(s, 11, ig, it->n_glosas == 0);
    fat_bind_int(s, 12, it->linha);
    rc = exec_step(x, s, "não foi possível gravar o item do retorno");
    if (rc != FAT_OK)
      return rc;
    ri_id = fat_store_last_id(x->st);
    if (item_impossivel(g, it, why, sizeof why)) {
      rc = inconsistencia(x, p, g, it, why);
      if (rc != FAT_OK)
        return rc;
      continue;
    }
    if (item_id == 0) {
      rc = pendencia(x, "item", p, g, it, NULL,
                     "item não encontrado na guia (sequencial, código e data); glosas gravadas "
                     "na guia inteira",
                     it->linha);
      if (rc != FAT_OK)
        return rc;
    }
    for (q = 0; q < it->n_glosas; q++) {
      int64_t v = it->glosas[q].valor;

      if (v == ABSENT) /* one value for several motives: only the first has it */
        v = 0;
      rc = store_glosa(x, guia_id, item_id, ri_id, lote_id, &it->glosas[q], v);
      if (rc != FAT_OK)
        return rc;
      glosa_itens += v;
    }
  }
  /* guia-level motives: the part of valorGlosaGuia not explained by items */
  guia_ruim = g->n_glosas > 0 && guia_impossivel(g, why, sizeof why);
  if (guia_ruim) {
    rc = inconsistencia(x, p, g, NULL, why);
    if (rc != FAT_OK)
      return rc;
  }
  if (g->n_glosas > 0 && !guia_ruim) {
    int64_t resto = g->glosado != ABSENT ? g->glosado - glosa_itens : 0;

    if (g->glosado == ABSENT && glosa_itens == 0 && g->informado != ABSENT &&
        g->liberado != ABSENT)
      resto = g->informado - g->liberado;
    if (resto > 0 || glosa_itens == 0) {
      for (q = 0; q < g->n_glosas; q++) {
        rc = store_glosa(x, guia_id, 0, 0, lote_id, &g->glosas[q],
                         q == 0 && resto > 0 ? resto : 0);
        if (rc != FAT_OK)
          return rc;
      }
    }
  }
  /* guia status after the analysis */
  if (x->m->tipo == FAT_TISS_PAGAMENTO)
    novo = (g->liberado != ABSENT && g->liberado > 0) ? "paga" : "glosada";
  else if (x->m->tipo == FAT_TISS_PROTOCOLO)
    novo = NULL;
  else
    novo = ((g->glosado != ABSENT && g->glosado > 0) || glosa_itens > 0 || g->n_glosas > 0)
               ? "glosada"
               : "processada";
  if (novo != NULL) {
    rc = fat_store_prepare(x->st, upd_guia, &s, x->err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, guia_id);
    fat_bind_text(s, 2, novo);
    rc = exec_step(x, s, "não foi possível atualizar a guia");
    if (rc == FAT_OK && g->numero_operadora != NULL && fat_store_changes(x->st) > 0) {
      rc = fat_store_prepare(x->st, upd_numop, &s, x->err);
      if (rc != FAT_OK)
        return rc;
      fat_bind_int(s, 1, guia_id);
      fat_bind_text(s, 2, g->numero_operadora);
      rc = exec_step(x, s, "não foi possível atualizar a guia");
    }
  }
  return rc;
}

/* Lote state from the message, before its guias are touched (the lote
** module's transition to 'processado' sets every guia of the lote). */
static fat_rc lote_estado(imp *x, int64_t lote_id, const fat_ret_protocolo *p)
{
  static const char q_status[] = "SELECT status, protocolo, numero FROM lote WHERE id = ?1";
  fat_stmt *s;
  fat_rc rc;
  char status[24] = "", prot[40] = "", det[160], numero[24] = "";
  const char *d;

  rc = fat_store_prepare(x->st, q_status, &s, x->err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, lote_id);
  if (fat_stmt_step(s) == FAT_ROW) {
    snprintf(status, sizeof status, "%s", fat_col_text(s, 0));
    if (!fat_col_is_null(s, 1))
      snprintf(prot, sizeof prot, "%s", fat_col_text(s, 1));
    snprintf(numero, sizeof numero, "%s", fat_col_text(s, 2));
  }
  fat_stmt_reset(s);
  if (strcmp(status, "aberto") == 0)
    return fat_err_set(x->err, FAT_ESTATE,
                       "o lote %s ainda está aberto: um retorno só vale para lote enviado", numero);
  /* the operator answered, so it was sent: record it (with a warning) */
  if (strcmp(status, "fechado") == 0) {
    d = p->data_protocolo != NULL && fat_dia_valida(p->data_protocolo) ? p->data_protocolo
        : x->m->data_emissao != NULL && fat_dia_valida(x->m->data_emissao) ? x->m->data_emissao
                                                                            : NULL;
    if (d == NULL)
      return fat_err_set(x->err, FAT_ESTATE, "o lote %s não foi marcado como enviado", numero);
    rc = fat_lote_enviado(x->st, lote_id, d, x->err);
    if (rc != FAT_OK)
      return rc;
    aviso(x->res, "o lote %s estava fechado sem registro de envio: registrado como enviado em %s",
          numero, d);
    snprintf(status, sizeof status, "enviado");
  }
  if (p->numero_protocolo != NULL && prot[0] == '\0' && strcmp(status, "enviado") == 0) {
    /* a protocolo de recebimento is dated by its own message (its
    ** dataEnvioLote is when the lote was sent); a demonstrativo says it */
    d = x->m->tipo == FAT_TISS_PROTOCOLO ? x->m->data_registro : p->data_protocolo;
    rc = fat_lote_protocolo(x->st, lote_id, p->numero_protocolo,
                            d != NULL && fat_dia_valida(d) ? d : NULL, x->err);
    if (rc != FAT_OK)
      return rc;
    snprintf(status, sizeof status, "protocolado");
  }
  if (x->m->tipo == FAT_TISS_ANALISE_CONTA &&
      (strcmp(status, "enviado") == 0 || strcmp(status, "protocolado") == 0)) {
    snprintf(det, sizeof det, "demonstrativo %s",
             x->m->numero_demonstrativo ? x->m->numero_demonstrativo : "");
    rc = fat_lote_situacao(x->st, lote_id, "processado", det, x->err);
  }
  return rc;
}

/* Values and payment after the guias. */
static fat_rc lote_valores(imp *x, int64_t lote_id, const fat_ret_protocolo *p)
{
  static const char upd[] =
      "UPDATE lote SET valor_processado = COALESCE(?2, valor_processado),"
      " valor_liberado = COALESCE(?3, valor_liberado), valor_glosado = COALESCE(?4, valor_glosado)"
      " WHERE id = ?1";
  static const char upd_rec[] =
      "UPDATE lote SET valor_recebido = COALESCE(valor_recebido, 0) + ?2 WHERE id = ?1";
  static const char ins_pag[] =
      "INSERT INTO pagamento (operadora_id, lote_id, retorno_id, data, valor, descricao)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
  fat_stmt *s;
  fat_rc rc;
  char det[160];
  int64_t glosa = p->glosado;

  if (x->m->tipo == FAT_TISS_PROTOCOLO)
    return FAT_OK;
  rc = fat_store_prepare(x->st, upd, &s, x->err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, lote_id);
  bind_money(s, 2, p->processado);
  bind_money(s, 3, p->liberado);
  bind_money(s, 4, p->glosado);
  rc = exec_step(x, s, "não foi possível gravar os valores do lote");
  if (rc != FAT_OK || x->m->tipo == FAT_TISS_ANALISE_CONTA)
    return rc;
  /* demonstrativo de pagamento */
  if (p->liberado != ABSENT) {
    rc = fat_store_prepare(x->st, ins_pag, &s, x->err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, x->operadora_id);
    fat_bind_int(s, 2, lote_id);
    fat_bind_int(s, 3, x->retorno_id);
    fat_bind_text(s, 4, p->data_pagamento != NULL ? p->data_pagamento : x->m->data_emissao);
    fat_bind_int(s, 5, p->liberado);
    fat_bind_text(s, 6, "demonstrativo de pagamento");
    rc = exec_step(x, s, "não foi possível gravar o pagamento");
    if (rc != FAT_OK)
      return rc;
    rc = fat_store_prepare(x->st, upd_rec, &s, x->err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, lote_id);
    fat_bind_int(s, 2, p->liberado);
    rc = exec_step(x, s, "não foi possível gravar o valor recebido");
    if (rc != FAT_OK)
      return rc;
  }
  snprintf(det, sizeof det, "pagamento em %s", p->data_pagamento ? p->data_pagamento : "?");
  return fat_lote_situacao(x->st, lote_id,
                           (glosa != ABSENT && glosa > 0) ? "pago_parcial" : "pago", det,
                           x->err);
}

static int contract_prazo(fat_gen *gen, const char *script)
{
  const fat_contrato *c = gen != NULL && script[0] != '\0' ? fat_gen_contrato(gen, script) : NULL;

  return c != NULL ? c->recurso.prazo_dias : 0;
}

/* The identity of a return: "TIPO|registroANS|número" (numeroDemonstrativo,
** or the numeroProtocolo of a protocolo de recebimento); "" when the message
** carries no number (then only its content identifies it). */
static void identidade_of(const fat_tiss_msg *m, char *out, size_t len)
{
  const char *num = m->numero_demonstrativo;

  if (m->tipo == FAT_TISS_PROTOCOLO)
    num = m->n_protocolos > 0 ? m->protocolos[0].numero_protocolo : NULL;
  if (num == NULL || m->registro_ans == NULL || m->tipo_transacao == NULL)
    out[0] = '\0';
  else
    snprintf(out, len, "%s|%s|%s", m->tipo_transacao, m->registro_ans, num);
}

/* What the file states per protocolo: its declared totals, else the sum of
** its guias (absent values count 0). */
static void add_totals(fat_retorno_res *r, const fat_ret_protocolo *p)
{
  int64_t si = 0, sl = 0, sg = 0, sig = 0;
  size_t j, k, q;

  for (j = 0; j < p->n_guias; j++) {
    const fat_ret_guia *g = &p->guias[j];

    if (g->informado != ABSENT)
      si += g->informado;
    if (g->liberado != ABSENT)
      sl += g->liberado;
    if (g->glosado != ABSENT) {
      sg += g->glosado;
      continue;
    }
    for (k = 0; k < g->n_itens; k++)
      for (q = 0; q < g->itens[k].n_glosas; q++)
        if (g->itens[k].glosas[q].valor != ABSENT)
          sig += g->itens[k].glosas[q].valor;
  }
  r->valor_informado += p->informado != ABSENT ? p->informado : si;
  r->valor_liberado += p->liberado != ABSENT ? p->liberado : sl;
  r->valor_glosado += p->glosado != ABSENT ? p->glosado : sg + sig;
}

static fat_rc do_import(imp *x, const char *name, const char *sha, const char *identidade)
{
  static const char q_op[] = "SELECT id, script FROM operadora WHERE registro_ans = ?1";
  static const char ins[] =
      "INSERT INTO retorno (operadora_id, tipo, versao_tiss, arquivo, sha256, hash_ok, usuario,"
      " numero_demonstrativo, data_emissao, hash_declarado, hash_calculado, valor_informado,"
      " valor_processado, valor_liberado, valor_glosado, identidade, conteudo_sha256)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)";
  static const char upd_resumo[] = "UPDATE retorno SET resumo = ?2 WHERE id = ?1";
  const fat_tiss_msg *m = x->m;
  fat_stmt *s;
  fat_rc rc;
  size_t i, j, n_prev;
  int64_t lote_id;
  int32_t d;
  cJSON *js;
  char *txt, obj[40], det[200];

  rc = fat_store_prepare(x->st, q_op, &s, x->err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, m->registro_ans);
  if (fat_stmt_step(s) == FAT_ROW) {
    x->operadora_id = fat_col_int64(s, 0);
    snprintf(x->script, sizeof x->script, "%s", fat_col_text(s, 1));
  }
  fat_stmt_reset(s);
  if (x->operadora_id == 0)
    return fat_err_set(x->err, FAT_ENOTFOUND,
                       "%s: a operadora de registro ANS %s não está cadastrada", name,
                       m->registro_ans != NULL ? m->registro_ans : "(ausente)");
  x->prazo_dias = contract_prazo(x->gen, x->script);
  if (x->prazo_dias > 0 && m->data_emissao != NULL && fat_dia_parse(m->data_emissao, &d) == 0)
    fat_dia_format(d + x->prazo_dias, x->prazo, sizeof x->prazo);
  rc = fat_store_prepare(x->st, ins, &s, x->err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, x->operadora_id);
  fat_bind_text(s, 2, m->tipo_transacao);
  fat_bind_text(s, 3, m->versao);
  fat_bind_text(s, 4, name);
  fat_bind_text(s, 5, sha);
  fat_bind_int_or_null(s, 6, m->hash_ok, !m->tem_hash);
  fat_bind_text(s, 7, fat_store_user(x->st));
  fat_bind_text(s, 8, m->numero_demonstrativo);
  fat_bind_text(s, 9, m->data_emissao);
  fat_bind_text(s, 10, m->tem_hash ? m->hash_declarado : NULL);
  fat_bind_text(s, 11, m->hash_codificacao != NULL && strcmp(m->hash_codificacao, "UTF-8") == 0
                           ? m->hash_utf8
                           : m->hash_iso);
  bind_money(s, 12, m->informado);
  bind_money(s, 13, m->processado);
  bind_money(s, 14, m->liberado);
  bind_money(s, 15, m->glosado);
  fat_bind_text(s, 16, identidade[0] != '\0' ? identidade : NULL);
  fat_bind_text(s, 17, m->conteudo_sha256);
  rc = exec_step(x, s, "não foi possível gravar o retorno");
  if (rc != FAT_OK)
    return rc;
  x->retorno_id = fat_store_last_id(x->st);
  x->res->retorno_id = x->retorno_id;
  for (i = 0; i < m->n_protocolos; i++) {
    const fat_ret_protocolo *p = &m->protocolos[i];

    x->res->n_protocolos++;
    add_totals(x->res, p);
    rc = find_lote(x, p, &lote_id);
    if (rc != FAT_OK)
      return rc;
    if (lote_id == 0) {
      rc = pendencia(x, "protocolo", p, NULL, NULL, NULL,
                     "lote não encontrado (nem pelo número, nem pelo protocolo); guias "
                     "procuradas em toda a operadora",
                     p->linha);
      if (rc != FAT_OK)
        return rc;
    } else {
      x->res->n_lotes++;
      rc = lote_estado(x, lote_id, p);
      if (rc != FAT_OK)
        return rc;
    }
    for (j = 0; j < p->n_guias; j++) {
      rc = import_guia(x, p, lote_id, &p->guias[j]);
      if (rc != FAT_OK)
        return rc;
    }
    for (j = 0; j < p->n_glosas; j++) {
      rc = pendencia(x, "glosa", p, NULL, NULL, &p->glosas[j],
                     "glosa do protocolo inteiro: confira o lote com a operadora",
                     p->glosas[j].linha);
      if (rc != FAT_OK)
        return rc;
    }
    if (lote_id != 0) {
      rc = lote_valores(x, lote_id, p);
      if (rc != FAT_OK)
        return rc;
    }
  }
  /* would a current rule have caught each glosa? */
  if (x->gen != NULL) {
    rc = fat_simular_prever_guias(x->st, x->gen, x->guias_tocadas, x->n_tocadas, x->retorno_id,
                                  &n_prev, x->err);
    if (rc != FAT_OK)
      return rc;
    x->res->n_previstas += n_prev;
  }
  js = fat_retorno_res_json(x->res);
  txt = js != NULL ? cJSON_PrintUnformatted(js) : NULL;
  cJSON_Delete(js);
  if (txt == NULL)
    return fat_err_oom(x->err);
  rc = fat_store_prepare(x->st, upd_resumo, &s, x->err);
  if (rc == FAT_OK) {
    fat_bind_int(s, 1, x->retorno_id);
    fat_bind_text(s, 2, txt);
    rc = exec_step(x, s, "não foi possível gravar o resumo do retorno");
  }
  cJSON_free(txt);
  if (rc != FAT_OK)
    return rc;
  snprintf(obj, sizeof obj, "retorno:%lld", (long long)x->retorno_id);
  snprintf(det, sizeof det, "%s %s: %zu guias, %zu glosas, %zu pendências", m->tipo_transacao,
           name, x->res->n_guias, x->res->n_glosas, x->res->n_pendencias);
  return fat_store_audit(x->st, "retorno.importar", obj, det, x->err);
}

/* Warnings about the message as a whole (version, hash, operator's error,
** totals). */
static void avisos_msg(const fat_tiss_msg *m, fat_retorno_res *res)
{
  if (m->versao != NULL && strcmp(m->versao, "4.01.00") != 0 &&
      strcmp(m->versao, "4.00.00") != 0 && strcmp(m->versao, "3.05.00") != 0 &&
      strcmp(m->versao, "3.02.00") != 0)
    aviso(res, "versão TISS %s: lida pela estrutura da 4.01.00", m->versao);
  if (!m->tem_hash) {
    res->hash_ok = -1;
    aviso(res, "o arquivo não tem hash (epilogo)");
  } else if (!m->hash_ok) {
    res->hash_ok = 0;
    aviso(res,
          "o hash não confere (declarado %s, calculado %s em ISO-8859-1, %s em UTF-8); a "
          "operadora também erra; arquivo importado",
          m->hash_declarado, m->hash_iso[0] ? m->hash_iso : "-",
          m->hash_utf8[0] ? m->hash_utf8 : "-");
  } else {
    res->hash_ok = 1;
    if (strcmp(m->hash_codificacao, "UTF-8") == 0)
      aviso(res, "o hash confere calculado sobre UTF-8 (o padrão é ISO-8859-1)");
  }
  if (m->erro_codigo != NULL)
    aviso(res, "a operadora respondeu com erro %s: %s", m->erro_codigo,
          m->erro_descricao != NULL ? m->erro_descricao : "(sem descrição)");
  check_totals(m, res);
}

/* Parse buf and refuse what is not a return faturo imports. */
static fat_rc parse_return(const char *buf, size_t len, const char *name, fat_tiss_msg **out,
                           fat_err *err)
{
  fat_tiss_msg *m = NULL;
  fat_rc rc;

  *out = NULL;
  rc = fat_tiss_read_memory(buf, len, name, &m, err);
  if (rc != FAT_OK)
    return rc;
  if (m->tipo == FAT_TISS_LOTE_GUIAS) {
    rc = fat_err_set(err, FAT_EINVAL,
                     "%s: é um lote de envio (ENVIO_LOTE_GUIAS), não um retorno da operadora; "
                     "para conferir seus totais e o hash use: faturo retorno ler %s",
                     name, name);
  } else if (m->tipo != FAT_TISS_PROTOCOLO && m->tipo != FAT_TISS_ANALISE_CONTA &&
             m->tipo != FAT_TISS_PAGAMENTO) {
    rc = fat_err_set(err, FAT_EINVAL,
                     "%s: mensagem %s não é um retorno que o faturo importe (protocolo de "
                     "recebimento, demonstrativo de análise de conta ou de pagamento)",
                     name, m->tipo_transacao);
  }
  if (rc != FAT_OK) {
    fat_tiss_msg_free(m);
    return rc;
  }
  *out = m;
  return FAT_OK;
}

/* Import message m (already read) in one transaction (nested in the
** caller's, if open). */
static fat_rc import_msg(fat_store *st, fat_gen *gen, const fat_tiss_msg *m, const char *name,
                         const char *sha, const char *identidade, fat_retorno_res *res,
                         fat_err *err)
{
  imp x;
  fat_rc rc;

  memset(&x, 0, sizeof x);
  x.st = st;
  x.gen = gen;
  x.err = err;
  x.res = res;
  x.m = m;
  fat_buf_init(&x.textos, SIZE_MAX);
  /* statement journals in memory (fat_store_begin_bulk): moving a lote's
  ** guias to processada touches more than the 120 KiB spill size, and the
  ** rest of the transaction then wrote every statement's pages to a file in
  ** /var/tmp (~1,100 write() calls, 2.2 MB, for 100 guias; round 11) */
  rc = fat_store_begin_bulk(st, err);
  if (rc != FAT_OK) {
    fat_buf_fini(&x.textos);
    return rc;
  }
  rc = do_import(&x, name, sha, identidade);
  fat_free(x.guias_tocadas);
  fat_free(x.itens);
  fat_buf_fini(&x.textos);
  if (rc != FAT_OK) {
    fat_store_rollback(st);
    return rc;
  }
  return fat_store_commit(st, err);
}

/* An earlier return with these bytes, this identity or this content. */
typedef struct anterior {
  int64_t id;
  char importado_em[32];
  int mesmo_conteudo;       /* its content digest equals this file's */
  int mesmos_bytes;
} anterior;

static fat_rc find_anterior(fat_store *st, const char *sha, const char *identidade,
                            const char *conteudo, anterior *a, fat_err *err)
{
  static const char sql[] =
      "SELECT id, importado_em, conteudo_sha256 IS ?3, sha256 = ?4 FROM retorno"
      " WHERE sha256 = ?4 OR (substituido_por IS NULL AND"
      " (identidade = ?1 OR conteudo_sha256 = ?3))"
      " ORDER BY sha256 = ?4 DESC, conteudo_sha256 IS ?3 DESC, id DESC LIMIT 1";
  fat_stmt *s;
  fat_rc rc;

  memset(a, 0, sizeof *a);
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, identidade != NULL && identidade[0] != '\0' ? identidade : NULL);
  fat_bind_text(s, 3, conteudo);
  fat_bind_text(s, 4, sha);
  if (fat_stmt_step(s) == FAT_ROW) {
    a->id = fat_col_int64(s, 0);
    snprintf(a->importado_em, sizeof a->importado_em, "%s",
             fat_col_text(s, 1));
    a->mesmo_conteudo = fat_col_int(s, 2);
    a->mesmos_bytes = fat_col_int(s, 3);
  }
  fat_stmt_reset(s);
  return FAT_OK;
}

/* pt-BR summary of what a correction changes against the imported return. */
static void diferencas(fat_store *st, int64_t retorno_id, const fat_tiss_msg *m, char *out,
                       size_t len)
{
  static const char sql[] =
      "SELECT valor_informado, valor_liberado, valor_glosado,"
      " (SELECT count(*) FROM glosa g WHERE g.retorno_id = r.id) FROM retorno r WHERE id = ?1";
  fat_stmt *s;
  fat_tiss_somas so;
  fat_err e;
  char a[32], b[32], c[32], d[32], f[32], g[32];
  int64_t oi = ABSENT, ol = ABSENT, og = ABSENT, on = 0;

  fat_tiss_msg_somas(m, &so);
  if (fat_store_prepare(st, sql, &s, &e) == FAT_OK) {
    fat_bind_int(s, 1, retorno_id);
    if (fat_stmt_step(s) == FAT_ROW) {
      if (!fat_col_is_null(s, 0))
        oi = fat_col_int64(s, 0);
      if (!fat_col_is_null(s, 1))
        ol = fat_col_int64(s, 1);
      if (!fat_col_is_null(s, 2))
        og = fat_col_int64(s, 2);
      on = fat_col_int64(s, 3);
    }
    fat_stmt_reset(s);
  }
  money_br(oi, a, sizeof a);
  money_br(m->informado, b, sizeof b);
  money_br(ol, c, sizeof c);
  money_br(m->liberado, d, sizeof d);
  money_br(og, f, sizeof f);
  money_br(m->glosado, g, sizeof g);
  snprintf(out, len,
           "informado %s -> %s; liberado %s -> %s; glosado %s -> %s; glosas %lld -> %zu; "
           "guias no arquivo: %zu",
           a, b, c, d, f, g, (long long)on, so.n_glosas, so.n_guias);
}

/* Keep a correction of retorno `anterior_id` for a person to decide (or
** find the one already kept with these bytes). */
static fat_rc keep_conflict(fat_store *st, const fat_tiss_msg *m, const char *buf, size_t len,
                            const char *name, const char *sha, const char *identidade,
                            int64_t anterior_id, fat_retorno_res *res, fat_err *err)
{
  static const char q_prev[] = "SELECT id, situacao FROM retorno_conflito WHERE sha256 = ?1";
  static const char ins[] =
      "INSERT INTO retorno_conflito (retorno_id, identidade, tipo, arquivo, sha256,"
      " conteudo_sha256, xml, diferencas, usuario) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
  fat_stmt *s;
  char dif[400], obj[40], det[600], sit[16] = "";
  int64_t id = 0;
  fat_rc rc;

  rc = fat_store_prepare(st, q_prev, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, sha);
  if (fat_stmt_step(s) == FAT_ROW) {
    id = fat_col_int64(s, 0);
    snprintf(sit, sizeof sit, "%s", fat_col_text(s, 1));
  }
  fat_stmt_reset(s);
  res->retorno_id = anterior_id;
  if (id != 0) {
    res->conflito_id = id;
    aviso(res, "este arquivo já foi registrado como correção %lld do retorno %lld (%s): nada "
               "mudou",
          (long long)id, (long long)anterior_id, sit);
    return FAT_OK;
  }
  diferencas(st, anterior_id, m, dif, sizeof dif);
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_prepare(st, ins, &s, err);
  if (rc != FAT_OK)
    goto fail;
  fat_bind_int(s, 1, anterior_id);
  fat_bind_text(s, 2, identidade);
  fat_bind_text(s, 3, m->tipo_transacao);
  fat_bind_text(s, 4, name);
  fat_bind_text(s, 5, sha);
  fat_bind_text(s, 6, m->conteudo_sha256);
  fat_bind_blob(s, 7, buf, len);
  fat_bind_text(s, 8, dif);
  fat_bind_text(s, 9, fat_store_user(st));
  rc = fat_store_step_done(st, s, "não foi possível registrar a correção", err);
  if (rc != FAT_OK)
    goto fail;
  id = fat_store_last_id(st);
  snprintf(obj, sizeof obj, "retorno_conflito:%lld", (long long)id);
  snprintf(det, sizeof det, "%s: mesmo número do retorno %lld com outro conteúdo (%s)", name,
           (long long)anterior_id, dif);
  rc = fat_store_audit(st, "retorno.conflito", obj, det, err);
  if (rc != FAT_OK)
    goto fail;
  rc = fat_store_commit(st, err);
  if (rc != FAT_OK)
    return rc;
  res->conflito_id = id;
  aviso(res,
        "o retorno %lld (importado antes) tem o mesmo número deste arquivo com outro conteúdo "
        "(%s): nada foi aplicado; a correção %lld espera uma decisão (faturo retorno conflitos; "
        "aceitar ou descartar)",
        (long long)anterior_id, dif, (long long)id);
  return FAT_OK;
fail:
  fat_store_rollback(st);
  return rc;
}

fat_rc fat_retorno_importar_buf(fat_store *st, fat_gen *gen, const char *buf, size_t len,
                                const char *name, fat_retorno_res *res, fat_err *err)
{
  fat_tiss_msg *m = NULL;
  anterior prev;
  char identidade[160];
  fat_rc rc;

  memset(res, 0, sizeof *res);
  res->avisos = cJSON_CreateArray();
  res->pendencias = cJSON_CreateArray();
  if (res->avisos == NULL || res->pendencias == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  fat_sha256_hex(buf, len, res->sha256);
  rc = parse_return(buf, len, name, &m, err);
  if (rc != FAT_OK)
    goto out;
  snprintf(res->tipo, sizeof res->tipo, "%s", m->tipo_transacao);
  identidade_of(m, identidade, sizeof identidade);
  rc = find_anterior(st, res->sha256, identidade, m->conteudo_sha256, &prev, err);
  if (rc != FAT_OK)
    goto out;
  if (prev.id != 0 && (prev.mesmos_bytes || prev.mesmo_conteudo)) {
    fat_quando_br quando = fat_quando_br_de(prev.importado_em, "?");

    res->ja_importado = 1;
    res->retorno_id = prev.id;
    if (prev.mesmos_bytes)
      aviso(res, "arquivo já importado em %s (retorno %lld): nada mudou", quando.s,
            (long long)prev.id);
    else
      aviso(res,
            "o mesmo retorno (mesmo número e mesmo conteúdo) já foi importado em %s (retorno "
            "%lld); este arquivo difere só nos bytes (formatação, BOM ou codificação): nada "
            "mudou",
            quando.s, (long long)prev.id);
    goto out;
  }
  if (prev.id != 0) {
    rc = keep_conflict(st, m, buf, len, name, res->sha256, identidade, prev.id, res, err);
    goto out;
  }
  avisos_msg(m, res);
  rc = import_msg(st, gen, m, name, res->sha256, identidade, res, err);
out:
  fat_tiss_msg_free(m);
  if (rc != FAT_OK) {
    fat_retorno_res_fini(res);
    memset(res, 0, sizeof *res);
  }
  return rc;
}

fat_rc fat_retorno_importar(fat_store *st, fat_gen *gen, const char *path, fat_retorno_res *res,
                            fat_err *err)
{
  char *buf = NULL;
  size_t len = 0;
  const char *base;
  fat_rc rc;

  memset(res, 0, sizeof *res);
  rc = fat_file_read(path, FAT_TISS_READ_MAX, &buf, &len, err);
  if (rc != FAT_OK)
    return rc;
  base = strrchr(path, '/');
  base = base != NULL ? base + 1 : path;
  rc = fat_retorno_importar_buf(st, gen, buf, len, base, res, err);
  fat_free(buf);
  return rc;
}

/*
** {======================================================
** Corrections (conflicts)
** =======================================================
*/

fat_rc fat_retorno_conflitos(fat_store *st, int pendentes, cJSON **out, fat_err *err)
{
  static const char sql[] =
      "SELECT c.id AS id, c.retorno_id AS retorno_id, c.identidade AS identidade,"
      " c.tipo AS tipo, c.arquivo AS arquivo, o.nome AS operadora, c.recebido_em AS recebido_em,"
      " c.usuario AS usuario, c.diferencas AS diferencas, c.situacao AS situacao,"
      " c.decidido_em AS decidido_em, c.decidido_por AS decidido_por, c.motivo AS motivo,"
      " c.novo_retorno_id AS novo_retorno_id"
      " FROM retorno_conflito c JOIN retorno r ON r.id = c.retorno_id"
      " LEFT JOIN operadora o ON o.id = r.operadora_id"
      " WHERE ?1 = 0 OR c.situacao = 'pendente' ORDER BY c.id DESC";
  fat_stmt *s;
  fat_rc rc;

  *out = NULL;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, pendentes != 0);
  return fat_store_rows_json(st, s, 1, "erro ao listar as correções de retorno", out, err);
}

/* A pending correction: its old return and its bytes (fat_free). To accept
** it, the old return must still be the current one. */
static fat_rc load_conflict(fat_store *st, int64_t id, int aceitar, int64_t *retorno_id,
                            char **xml, size_t *len, char *arquivo, size_t alen, fat_err *err)
{
  static const char sql[] =
      "SELECT c.retorno_id, c.situacao, c.xml, COALESCE(c.arquivo, ''), r.substituido_por"
      " FROM retorno_conflito c JOIN retorno r ON r.id = c.retorno_id WHERE c.id = ?1";
  fat_stmt *s;
  fat_rc rc;
  const char *sit;
  int n;

  *xml = NULL;
  *len = 0;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  if (fat_stmt_step(s) != FAT_ROW) {
    rc = fat_err_set(err, FAT_ENOTFOUND, "correção de retorno %lld não encontrada",
                     (long long)id);
    goto out;
  }
  sit = fat_col_text(s, 1);
  if (strcmp(sit, "pendente") != 0) {
    rc = fat_err_set(err, FAT_ESTATE, "a correção %lld já foi decidida (%s)", (long long)id,
                     sit);
    goto out;
  }
  if (aceitar && !fat_col_is_null(s, 4)) {
    rc = fat_err_set(err, FAT_ESTATE,
                     "o retorno %lld que a correção %lld substituiria já foi substituído pelo "
                     "retorno %lld: descarte esta correção ou importe-a de novo",
                     (long long)fat_col_int64(s, 0), (long long)id,
                     (long long)fat_col_int64(s, 4));
    goto out;
  }
  *retorno_id = fat_col_int64(s, 0);
  snprintf(arquivo, alen, "%s", fat_col_text(s, 3));
  n = fat_col_bytes(s, 2);
  *xml = fat_malloc((size_t)n + 1);
  if (*xml == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  memcpy(*xml, fat_col_blob(s, 2), (size_t)n);
  (*xml)[n] = '\0';
  *len = (size_t)n;
out:
  fat_stmt_reset(s);
  return rc;
}

/* Undo what retorno `id` wrote that a correction replaces: its glosas (all
** must still be open), its payments (and what they added to the lote). */
static fat_rc undo_retorno(fat_store *st, int64_t id, fat_err *err)
{
  static const char q_busy[] =
      "SELECT gl.id, g.numero_prestador, gl.codigo, gl.situacao,"
      " (SELECT ri.recurso_id FROM recurso_item ri WHERE ri.glosa_id = gl.id LIMIT 1)"
      " FROM glosa gl JOIN guia g ON g.id = gl.guia_id WHERE gl.retorno_id = ?1"
      " AND (gl.situacao <> 'aberta' OR EXISTS (SELECT 1 FROM recurso_item ri"
      " WHERE ri.glosa_id = gl.id)) ORDER BY gl.id LIMIT 1";
  static const char del_gl[] = "DELETE FROM glosa WHERE retorno_id = ?1";
  static const char upd_rec[] =
      "UPDATE lote SET valor_recebido = valor_recebido - (SELECT total(p.valor) FROM pagamento p"
      " WHERE p.retorno_id = ?1 AND p.lote_id = lote.id)"
      " WHERE id IN (SELECT lote_id FROM pagamento WHERE retorno_id = ?1)";
  static const char del_pag[] = "DELETE FROM pagamento WHERE retorno_id = ?1";
  static const char upd_pend[] = "UPDATE retorno_pendencia SET resolvida = 1 WHERE retorno_id = ?1";
  static const char *const steps[] = {del_gl, upd_rec, del_pag, upd_pend, NULL};
  fat_stmt *s;
  fat_rc rc;
  size_t i;

  rc = fat_store_prepare(st, q_busy, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  if (fat_stmt_step(s) == FAT_ROW) {
    rc = fat_err_set(err, FAT_ESTATE,
                     "a glosa %lld (guia %s, código %s) do retorno %lld está '%s'%s%s: uma "
                     "correção não pode substituí-la; resolva o recurso antes ou descarte a "
                     "correção",
                     (long long)fat_col_int64(s, 0),
                     fat_col_text(s, 1),
                     fat_col_text(s, 2), (long long)id,
                     fat_col_text(s, 3),
                     !fat_col_is_null(s, 4) ? " no recurso " : "",
                     !fat_col_is_null(s, 4)
                         ? fat_col_text(s, 4)
                         : "");
    fat_stmt_reset(s);
    return rc;
  }
  fat_stmt_reset(s);
  for (i = 0; steps[i] != NULL; i++) {
    rc = fat_store_prepare(st, steps[i], &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, id);
    rc = fat_store_step_done(st, s, "não foi possível desfazer o retorno corrigido", err);
    if (rc != FAT_OK)
      return rc;
  }
  return FAT_OK;
}

static fat_rc decide(fat_store *st, int64_t id, const char *situacao, const char *motivo,
                     int64_t novo, fat_err *err)
{
  static const char upd[] =
      "UPDATE retorno_conflito SET situacao = ?2, motivo = ?3, decidido_em = ?4,"
      " decidido_por = ?5, novo_retorno_id = ?6 WHERE id = ?1 AND situacao = 'pendente'";
  fat_stmt *s;
  char now[32], obj[40], det[600], acao[40];
  fat_rc rc;

  fat_store_now(now, sizeof now);
  rc = fat_store_prepare(st, upd, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  fat_bind_text(s, 2, situacao);
  fat_bind_text(s, 3, motivo);
  fat_bind_text(s, 4, now);
  fat_bind_text(s, 5, fat_store_user(st));
  fat_bind_int_or_null(s, 6, novo, novo == 0);
  rc = fat_store_step_done(st, s, "não foi possível registrar a decisão", err);
  if (rc != FAT_OK)
    return rc;
  if (fat_store_changes(st) != 1)
    return fat_err_set(err, FAT_ESTATE, "a correção %lld já foi decidida", (long long)id);
  snprintf(obj, sizeof obj, "retorno_conflito:%lld", (long long)id);
  snprintf(acao, sizeof acao, "retorno.conflito.%s",
           strcmp(situacao, "aceito") == 0 ? "aceitar" : "descartar");
  if (novo != 0)
    snprintf(det, sizeof det, "%s (novo retorno %lld)", motivo, (long long)novo);
  else
    snprintf(det, sizeof det, "%s", motivo);
  return fat_store_audit(st, acao, obj, det, err);
}

fat_rc fat_retorno_conflito_aceitar(fat_store *st, fat_gen *gen, int64_t id, const char *motivo,
                                    fat_retorno_res *res, fat_err *err)
{
  static const char upd_old[] = "UPDATE retorno SET substituido_por = ?2 WHERE id = ?1";
  fat_tiss_msg *m = NULL;
  fat_stmt *s;
  char *xml = NULL, arquivo[256], identidade[160], sha[65];
  size_t len = 0;
  int64_t old = 0;
  fat_rc rc;

  memset(res, 0, sizeof *res);
  if (motivo == NULL || motivo[0] == '\0')
    return fat_err_set(err, FAT_EINVAL, "informe o motivo da decisão (--motivo)");
  res->avisos = cJSON_CreateArray();
  res->pendencias = cJSON_CreateArray();
  if (res->avisos == NULL || res->pendencias == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    goto out;
  rc = load_conflict(st, id, 1, &old, &xml, &len, arquivo, sizeof arquivo, err);
  if (rc == FAT_OK)
    rc = parse_return(xml, len, arquivo, &m, err);
  if (rc == FAT_OK)
    rc = undo_retorno(st, old, err);
  if (rc != FAT_OK)
    goto fail;
  fat_sha256_hex(xml, len, sha);
  snprintf(res->sha256, sizeof res->sha256, "%s", sha);
  snprintf(res->tipo, sizeof res->tipo, "%s", m->tipo_transacao);
  identidade_of(m, identidade, sizeof identidade);
  avisos_msg(m, res);
  rc = import_msg(st, gen, m, arquivo, sha, identidade, res, err);
  if (rc != FAT_OK)
    goto fail;
  rc = fat_store_prepare(st, upd_old, &s, err);
  if (rc != FAT_OK)
    goto fail;
  fat_bind_int(s, 1, old);
  fat_bind_int(s, 2, res->retorno_id);
  rc = fat_store_step_done(st, s, "não foi possível marcar o retorno substituído", err);
  if (rc == FAT_OK)
    rc = decide(st, id, "aceito", motivo, res->retorno_id, err);
  if (rc != FAT_OK)
    goto fail;
  rc = fat_store_commit(st, err);
  goto out;
fail:
  fat_store_rollback(st);
out:
  fat_tiss_msg_free(m);
  fat_free(xml);
  if (rc != FAT_OK) {
    fat_retorno_res_fini(res);
    memset(res, 0, sizeof *res);
  }
  return rc;
}

fat_rc fat_retorno_conflito_descartar(fat_store *st, int64_t id, const char *motivo,
                                      fat_err *err)
{
  char *xml = NULL, arquivo[256];
  size_t len = 0;
  int64_t old = 0;
  fat_rc rc;

  if (motivo == NULL || motivo[0] == '\0')
    return fat_err_set(err, FAT_EINVAL, "informe o motivo da decisão (--motivo)");
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = load_conflict(st, id, 0, &old, &xml, &len, arquivo, sizeof arquivo, err);
  if (rc == FAT_OK)
    rc = decide(st, id, "descartado", motivo, 0, err);
  fat_free(xml);
  if (rc != FAT_OK) {
    fat_store_rollback(st);
    return rc;
  }
  return fat_store_commit(st, err);
}

/* }====================================================== */

static void json_cents(cJSON *o, const char *k, int64_t v)
{
  cJSON_AddNumberToObject(o, k, (double)v);
}

cJSON *fat_retorno_res_json(const fat_retorno_res *r)
{
  cJSON *o = cJSON_CreateObject();

  if (o == NULL)
    return NULL;
  cJSON_AddNumberToObject(o, "retorno_id", (double)r->retorno_id);
  cJSON_AddBoolToObject(o, "ja_importado", r->ja_importado);
  if (r->conflito_id > 0)
    cJSON_AddNumberToObject(o, "conflito_id", (double)r->conflito_id);
  cJSON_AddStringToObject(o, "tipo", r->tipo);
  cJSON_AddStringToObject(o, "sha256", r->sha256);
  if (r->hash_ok < 0)
    cJSON_AddNullToObject(o, "hash_confere");
  else
    cJSON_AddBoolToObject(o, "hash_confere", r->hash_ok);
  cJSON_AddNumberToObject(o, "protocolos", (double)r->n_protocolos);
  cJSON_AddNumberToObject(o, "lotes", (double)r->n_lotes);
  cJSON_AddNumberToObject(o, "guias", (double)r->n_guias);
  cJSON_AddNumberToObject(o, "guias_casadas", (double)r->n_guias_casadas);
  cJSON_AddNumberToObject(o, "itens", (double)r->n_itens);
  cJSON_AddNumberToObject(o, "itens_casados", (double)r->n_itens_casados);
  cJSON_AddNumberToObject(o, "glosas", (double)r->n_glosas);
  cJSON_AddNumberToObject(o, "glosas_previstas", (double)r->n_previstas);
  cJSON_AddNumberToObject(o, "pendencias", (double)r->n_pendencias);
  cJSON_AddNumberToObject(o, "inconsistencias", (double)r->n_inconsistencias);
  json_cents(o, "valor_informado", r->valor_informado);
  json_cents(o, "valor_liberado", r->valor_liberado);
  json_cents(o, "valor_glosado", r->valor_glosado);
  if (r->avisos != NULL)
    cJSON_AddItemToObject(o, "avisos", cJSON_Duplicate(r->avisos, 1));
  if (r->pendencias != NULL)
    cJSON_AddItemToObject(o, "lista_pendencias", cJSON_Duplicate(r->pendencias, 1));
  return o;
}

fat_rc fat_retorno_listar(fat_store *st, cJSON **out, fat_err *err)
{
  static const char sql[] =
      "SELECT r.id AS id, r.tipo AS tipo, r.arquivo AS arquivo, o.nome AS operadora,"
      " r.importado_em AS importado_em, r.hash_ok AS hash_ok,"
      " r.valor_informado AS valor_informado, r.valor_liberado AS valor_liberado,"
      " r.valor_glosado AS valor_glosado, r.numero_demonstrativo AS numero_demonstrativo,"
      " (SELECT count(*) FROM retorno_pendencia p WHERE p.retorno_id = r.id) AS pendencias,"
      " (SELECT count(*) FROM glosa g WHERE g.retorno_id = r.id) AS glosas,"
      " r.substituido_por AS substituido_por,"
      " (SELECT count(*) FROM retorno_conflito c WHERE c.retorno_id = r.id"
      "  AND c.situacao = 'pendente') AS correcoes_pendentes"
      " FROM retorno r LEFT JOIN operadora o ON o.id = r.operadora_id ORDER BY r.id DESC";
  fat_stmt *s;
  fat_rc rc;

  *out = NULL;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  return fat_store_rows_json(st, s, 0, "erro ao listar retornos", out, err);
}

fat_rc fat_retorno_pendencias(fat_store *st, int64_t retorno_id, cJSON **out, fat_err *err)
{
  static const char sql[] =
      "SELECT id AS id, retorno_id AS retorno_id, nivel AS nivel, numero_lote AS lote,"
      " protocolo AS protocolo, numero_prestador AS guia, numero_operadora AS guia_operadora,"
      " sequencial AS sequencial, codigo AS codigo, data AS data,"
      " valor_informado AS valor_informado, valor_glosado AS valor_glosado,"
      " glosa_codigo AS glosa, motivo AS motivo, linha AS linha"
      " FROM retorno_pendencia WHERE (?1 = 0 AND resolvida = 0) OR retorno_id = ?1 ORDER BY id";
  fat_stmt *s;
  fat_rc rc;

  *out = NULL;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, retorno_id);
  return fat_store_rows_json(st, s, 0, "erro ao listar pendências", out, err);
}

/* }====================================================== */
