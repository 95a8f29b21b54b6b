/* fat_retorno.c: import of operator returns; operator return simulator. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlwriter.h>
#include <sodium.h>

#include "fat_dia.h"
#include "fat_glosa.h"
#include "fat_lote.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_money.h"
#include "fat_retorno.h"
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

static void sha256_hex(const char *buf, size_t len, char out[65])
{
  unsigned char h[crypto_hash_sha256_BYTES];
  size_t i;

  crypto_hash_sha256(h, (const unsigned char *)buf, len);
  for (i = 0; i < sizeof h; i++)
    snprintf(out + 2 * i, 3, "%02x", h[i]);
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
} imp;

static fat_rc exec_step(imp *x, sqlite3_stmt *s, const char *what)
{
  int rc = sqlite3_step(s);

  sqlite3_reset(s);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return fat_store_dberr(x->st, x->err, what);
  return FAT_OK;
}

static void bind_money(sqlite3_stmt *s, int i, int64_t v)
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
  sqlite3_stmt *s;
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
  sqlite3_stmt *s;
  fat_rc rc;

  *lote_id = 0;
  if (all_digits(p->numero_lote) && strlen(p->numero_lote) < 18) {
    rc = fat_store_prepare(x->st, by_num, &s, x->err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, x->operadora_id);
    fat_bind_int(s, 2, strtoll(p->numero_lote, NULL, 10));
    if (sqlite3_step(s) == SQLITE_ROW)
      *lote_id = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
  }
  if (*lote_id == 0 && p->numero_protocolo != NULL) {
    rc = fat_store_prepare(x->st, by_prot, &s, x->err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, x->operadora_id);
    fat_bind_text(s, 2, p->numero_protocolo);
    if (sqlite3_step(s) == SQLITE_ROW)
      *lote_id = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
  }
  return FAT_OK;
}

/* guia by número no prestador (in the lote first, then the operadora), then
** by número na operadora. */
static fat_rc find_guia(imp *x, int64_t lote_id, const fat_ret_guia *g, int64_t *guia_id)
{
  static const char q1[] =
      "SELECT id FROM guia WHERE operadora_id = ?1 AND numero_prestador = ?2"
      " ORDER BY (lote_id IS ?3) DESC, id DESC LIMIT 1";
  static const char q2[] =
      "SELECT id FROM guia WHERE operadora_id = ?1 AND numero_operadora = ?2"
      " ORDER BY (lote_id IS ?3) DESC, id DESC LIMIT 1";
  sqlite3_stmt *s;
  fat_rc rc;

  *guia_id = 0;
  if (g->numero_prestador != NULL) {
    rc = fat_store_prepare(x->st, q1, &s, x->err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, x->operadora_id);
    fat_bind_text(s, 2, g->numero_prestador);
    fat_bind_int_or_null(s, 3, lote_id, lote_id == 0);
    if (sqlite3_step(s) == SQLITE_ROW)
      *guia_id = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
  }
  if (*guia_id == 0 && g->numero_operadora != NULL) {
    rc = fat_store_prepare(x->st, q2, &s, x->err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, x->operadora_id);
    fat_bind_text(s, 2, g->numero_operadora);
    fat_bind_int_or_null(s, 3, lote_id, lote_id == 0);
    if (sqlite3_step(s) == SQLITE_ROW)
      *guia_id = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
  }
  return FAT_OK;
}

/* item by sequencial + código, then código + data, then código alone when
** unique in the guia. */
static fat_rc find_item(imp *x, int64_t guia_id, const fat_ret_item *it, int64_t *item_id)
{
  static const char q1[] =
      "SELECT id FROM item WHERE guia_id = ?1 AND sequencial = ?2 AND codigo = ?3";
  static const char q2[] =
      "SELECT i.id FROM item i JOIN guia g ON g.id = i.guia_id WHERE i.guia_id = ?1"
      " AND i.codigo = ?2 AND COALESCE(i.data, g.data_inicio) = ?3 ORDER BY i.sequencial LIMIT 1";
  static const char q3[] =
      "SELECT min(id), count(*) FROM item WHERE guia_id = ?1 AND codigo = ?2";
  sqlite3_stmt *s;
  fat_rc rc;

  *item_id = 0;
  if (it->codigo == NULL)
    return FAT_OK;
  if (it->sequencial > 0) {
    rc = fat_store_prepare(x->st, q1, &s, x->err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, guia_id);
    fat_bind_int(s, 2, it->sequencial);
    fat_bind_text(s, 3, it->codigo);
    if (sqlite3_step(s) == SQLITE_ROW)
      *item_id = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    if (*item_id != 0)
      return FAT_OK;
  }
  if (it->data != NULL) {
    rc = fat_store_prepare(x->st, q2, &s, x->err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, guia_id);
    fat_bind_text(s, 2, it->codigo);
    fat_bind_text(s, 3, it->data);
    if (sqlite3_step(s) == SQLITE_ROW)
      *item_id = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    if (*item_id != 0)
      return FAT_OK;
  }
  rc = fat_store_prepare(x->st, q3, &s, x->err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, guia_id);
  fat_bind_text(s, 2, it->codigo);
  if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 1) == 1)
    *item_id = sqlite3_column_int64(s, 0);
  sqlite3_reset(s);
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
      " descricao, retorno_item_id, lote_id, data_demonstrativo, prazo_recurso)"
      " VALUES (?1, ?2, ?3, ?4, ?5, 'retorno', ?6, ?7, ?8, ?9, ?10, ?11)";
  sqlite3_stmt *s;
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
  x->res->valor_glosado += valor;
  rc = touch_guia(x, guia_id);
out:
  fat_free(desc);
  return rc;
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
  static const char upd_guia[] =
      "UPDATE guia SET status = ?2, numero_operadora = COALESCE(numero_operadora, ?3)"
      " WHERE id = ?1 AND status NOT IN ('cancelada') AND status <> ?2";
  sqlite3_stmt *s;
  int64_t guia_id = 0, rg_id, item_id, ri_id, glosa_itens = 0, ig;
  size_t k, q;
  fat_rc rc;
  const char *novo;

  rc = find_guia(x, lote_id, g, &guia_id);
  if (rc != FAT_OK)
    return rc;
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
  if (g->informado != ABSENT)
    x->res->valor_informado += g->informado;
  if (g->liberado != ABSENT)
    x->res->valor_liberado += g->liberado;
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
  if (g->n_glosas > 0) {
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
    fat_bind_text(s, 3, g->numero_operadora);
    rc = exec_step(x, s, "não foi possível atualizar a guia");
  }
  return rc;
}

/* Lote state from the message, before its guias are touched (the lote
** module's transition to 'processado' sets every guia of the lote). */
static fat_rc lote_estado(imp *x, int64_t lote_id, const fat_ret_protocolo *p)
{
  static const char q_status[] = "SELECT status, protocolo, numero FROM lote WHERE id = ?1";
  sqlite3_stmt *s;
  fat_rc rc;
  char status[24] = "", prot[40] = "", det[160], numero[24] = "";
  const char *d;

  rc = fat_store_prepare(x->st, q_status, &s, x->err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, lote_id);
  if (sqlite3_step(s) == SQLITE_ROW) {
    snprintf(status, sizeof status, "%s", (const char *)sqlite3_column_text(s, 0));
    if (sqlite3_column_type(s, 1) != SQLITE_NULL)
      snprintf(prot, sizeof prot, "%s", (const char *)sqlite3_column_text(s, 1));
    snprintf(numero, sizeof numero, "%s", (const char *)sqlite3_column_text(s, 2));
  }
  sqlite3_reset(s);
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
    rc = fat_lote_protocolo(x->st, lote_id, p->numero_protocolo,
                            p->data_protocolo != NULL && fat_dia_valida(p->data_protocolo)
                                ? p->data_protocolo
                                : NULL,
                            x->err);
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
  sqlite3_stmt *s;
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
  cJSON *c = NULL, *r, *p;
  fat_err e;
  int d = 0;

  if (gen == NULL || script[0] == '\0' || fat_gen_contract(gen, script, &c, &e) != FAT_OK)
    return 0;
  r = cJSON_GetObjectItemCaseSensitive(c, "recurso");
  p = cJSON_GetObjectItemCaseSensitive(r, "prazo_dias");
  if (cJSON_IsNumber(p) && p->valuedouble > 0 && p->valuedouble < 3650)
    d = p->valueint;
  cJSON_Delete(c);
  return d;
}

static fat_rc find_retorno(fat_store *st, const char *sha, int64_t *id, char *when, size_t wlen,
                           fat_err *err)
{
  static const char sql[] = "SELECT id, importado_em FROM retorno WHERE sha256 = ?1";
  sqlite3_stmt *s;
  fat_rc rc;

  *id = 0;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, sha);
  if (sqlite3_step(s) == SQLITE_ROW) {
    *id = sqlite3_column_int64(s, 0);
    snprintf(when, wlen, "%s", (const char *)sqlite3_column_text(s, 1));
  }
  sqlite3_reset(s);
  return FAT_OK;
}

static fat_rc do_import(imp *x, const char *name, const char *sha)
{
  static const char q_op[] = "SELECT id, script FROM operadora WHERE registro_ans = ?1";
  static const char ins[] =
      "INSERT INTO retorno (operadora_id, tipo, versao_tiss, arquivo, sha256, hash_ok, usuario,"
      " numero_demonstrativo, data_emissao, hash_declarado, hash_calculado, valor_informado,"
      " valor_processado, valor_liberado, valor_glosado)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";
  static const char upd_resumo[] = "UPDATE retorno SET resumo = ?2 WHERE id = ?1";
  const fat_tiss_msg *m = x->m;
  sqlite3_stmt *s;
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
  if (sqlite3_step(s) == SQLITE_ROW) {
    x->operadora_id = sqlite3_column_int64(s, 0);
    snprintf(x->script, sizeof x->script, "%s", (const char *)sqlite3_column_text(s, 1));
  }
  sqlite3_reset(s);
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
  rc = exec_step(x, s, "não foi possível gravar o retorno");
  if (rc != FAT_OK)
    return rc;
  x->retorno_id = fat_store_last_id(x->st);
  x->res->retorno_id = x->retorno_id;
  for (i = 0; i < m->n_protocolos; i++) {
    const fat_ret_protocolo *p = &m->protocolos[i];

    x->res->n_protocolos++;
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
    for (i = 0; i < x->n_tocadas; i++) {
      rc = fat_simular_prever_guia(x->st, x->gen, x->guias_tocadas[i], x->retorno_id, &n_prev,
                                   x->err);
      if (rc != FAT_OK)
        return rc;
      x->res->n_previstas += n_prev;
    }
  }
  js = fat_retorno_res_json(x->res);
  txt = js != NULL ? cJSON_PrintUnformatted(js) : NULL;
  cJSON_Delete(js);
  if (txt != NULL) {
    rc = fat_store_prepare(x->st, upd_resumo, &s, x->err);
    if (rc == FAT_OK) {
      fat_bind_int(s, 1, x->retorno_id);
      fat_bind_text(s, 2, txt);
      rc = exec_step(x, s, "não foi possível gravar o resumo do retorno");
    }
    cJSON_free(txt);
    if (rc != FAT_OK)
      return rc;
  }
  snprintf(obj, sizeof obj, "retorno:%lld", (long long)x->retorno_id);
  snprintf(det, sizeof det, "%s %s: %zu guias, %zu glosas, %zu pendências", m->tipo_transacao,
           name, x->res->n_guias, x->res->n_glosas, x->res->n_pendencias);
  return fat_store_audit(x->st, "retorno.importar", obj, det, x->err);
}

fat_rc fat_retorno_importar_buf(fat_store *st, fat_gen *gen, const char *buf, size_t len,
                                const char *name, fat_retorno_res *res, fat_err *err)
{
  fat_tiss_msg *m = NULL;
  imp x;
  fat_rc rc;
  char when[32] = "";
  int64_t prev = 0;

  memset(res, 0, sizeof *res);
  res->avisos = cJSON_CreateArray();
  res->pendencias = cJSON_CreateArray();
  if (res->avisos == NULL || res->pendencias == NULL) {
    fat_retorno_res_fini(res);
    return fat_err_oom(err);
  }
  sha256_hex(buf, len, res->sha256);
  rc = find_retorno(st, res->sha256, &prev, when, sizeof when, err);
  if (rc != FAT_OK)
    goto fail;
  if (prev != 0) {
    res->ja_importado = 1;
    res->retorno_id = prev;
    aviso(res, "arquivo já importado em %s (retorno %lld): nada mudou", when, (long long)prev);
    return FAT_OK;
  }
  rc = fat_tiss_read_memory(buf, len, name, &m, err);
  if (rc != FAT_OK)
    goto fail;
  snprintf(res->tipo, sizeof res->tipo, "%s", m->tipo_transacao);
  if (m->tipo == FAT_TISS_LOTE_GUIAS) {
    rc = fat_err_set(err, FAT_EINVAL,
                     "%s: é um lote de envio (ENVIO_LOTE_GUIAS), não um retorno da operadora; "
                     "para conferir seus totais e o hash use: faturo retorno ler %s",
                     name, name);
    goto fail;
  }
  if (m->tipo != FAT_TISS_PROTOCOLO && m->tipo != FAT_TISS_ANALISE_CONTA &&
      m->tipo != FAT_TISS_PAGAMENTO) {
    rc = fat_err_set(err, FAT_EINVAL,
                     "%s: mensagem %s não é um retorno que o faturo importe (protocolo de "
                     "recebimento, demonstrativo de análise de conta ou de pagamento)",
                     name, m->tipo_transacao);
    goto fail;
  }
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
  memset(&x, 0, sizeof x);
  x.st = st;
  x.gen = gen;
  x.err = err;
  x.res = res;
  x.m = m;
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    goto fail;
  rc = do_import(&x, name, res->sha256);
  fat_free(x.guias_tocadas);
  if (rc != FAT_OK) {
    fat_store_rollback(st);
    goto fail;
  }
  rc = fat_store_commit(st, err);
  if (rc != FAT_OK)
    goto fail;
  fat_tiss_msg_free(m);
  return FAT_OK;
fail:
  fat_tiss_msg_free(m);
  fat_retorno_res_fini(res);
  memset(res, 0, sizeof *res);
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
      " (SELECT count(*) FROM glosa g WHERE g.retorno_id = r.id) AS glosas"
      " FROM retorno r LEFT JOIN operadora o ON o.id = r.operadora_id ORDER BY r.id DESC";
  sqlite3_stmt *s;
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
  sqlite3_stmt *s;
  fat_rc rc;

  *out = NULL;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, retorno_id);
  return fat_store_rows_json(st, s, 0, "erro ao listar pendências", out, err);
}

/* }====================================================== */

/*
** {======================================================
** Operator simulator
** =======================================================
*/

void fat_retorno_sim_res_fini(fat_retorno_sim_res *r)
{
  if (r == NULL)
    return;
  fat_free(r->xml);
  r->xml = NULL;
  r->len = 0;
}

fat_rc fat_retorno_lote_ref(fat_store *st, const char *ref, int64_t *lote_id, fat_err *err)
{
  static const char by_id[] = "SELECT id FROM lote WHERE id = ?1";
  static const char by_num[] =
      "SELECT l.id FROM lote l JOIN operadora o ON o.id = l.operadora_id"
      " WHERE (o.registro_ans = ?1 OR o.script = ?1) AND l.numero = ?2";
  sqlite3_stmt *s;
  const char *slash;
  char op[64];
  char *end;
  long long v;
  fat_rc rc;

  *lote_id = 0;
  if (ref == NULL || *ref == '\0')
    return fat_err_set(err, FAT_EINVAL, "informe o lote");
  slash = strchr(ref, '/');
  if (slash != NULL) {
    if ((size_t)(slash - ref) >= sizeof op)
      return fat_err_set(err, FAT_EINVAL, "lote '%s' inválido", ref);
    memcpy(op, ref, (size_t)(slash - ref));
    op[slash - ref] = '\0';
    v = strtoll(slash + 1, &end, 10);
    if (*end != '\0' || v <= 0)
      return fat_err_set(err, FAT_EINVAL, "lote '%s' inválido (use OPERADORA/NUMERO)", ref);
    rc = fat_store_prepare(st, by_num, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_text(s, 1, op);
    fat_bind_int(s, 2, v);
  } else {
    v = strtoll(ref[0] == '#' ? ref + 1 : ref, &end, 10);
    if (*end != '\0' || v <= 0)
      return fat_err_set(err, FAT_EINVAL, "lote '%s' inválido (use ID ou OPERADORA/NUMERO)", ref);
    rc = fat_store_prepare(st, by_id, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, v);
  }
  if (sqlite3_step(s) == SQLITE_ROW)
    *lote_id = sqlite3_column_int64(s, 0);
  sqlite3_reset(s);
  if (*lote_id == 0)
    return fat_err_set(err, FAT_ENOTFOUND, "lote %s não encontrado", ref);
  return FAT_OK;
}

/* xorshift64*: deterministic across platforms. */
static uint64_t rnd_next(uint64_t *s)
{
  uint64_t x = *s;

  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *s = x;
  return x * 0x2545F4914F6CDD1DULL;
}

static int rnd_bp(uint64_t *s) { return (int)(rnd_next(s) % 10000u); }

/* A tiny hashing writer over xmlTextWriter for operator messages (Part E's
** writer only opens prestadorParaOperadora). Leaf text goes into the MD5 in
** ISO-8859-1 through fat_tiss_hash_feed. */
typedef struct owr {
  xmlBuffer *buf;
  xmlTextWriter *w;
  fat_md5 md5;
  int failed;
  fat_err *err;
} owr;

static void ow_start(owr *o, const char *name)
{
  char q[80];

  if (o->failed)
    return;
  snprintf(q, sizeof q, "ans:%s", name);
  if (xmlTextWriterStartElement(o->w, BAD_CAST q) < 0) {
    o->failed = 1;
    fat_err_set(o->err, FAT_EXML, "falha ao escrever o XML (%s)", name);
  }
}

static void ow_end(owr *o)
{
  if (!o->failed && xmlTextWriterEndElement(o->w) < 0) {
    o->failed = 1;
    fat_err_set(o->err, FAT_EXML, "falha ao escrever o XML");
  }
}

/* text is UTF-8; truncated to max characters (0 = no limit); characters
** outside Latin-1 become '?' so the hash and the file agree. */
static void ow_leaf(owr *o, const char *name, const char *text, size_t max)
{
  char clean[600];
  size_t i = 0, n = 0, k;
  const unsigned char *u = (const unsigned char *)(text != NULL ? text : "");

  if (o->failed)
    return;
  while (*u != '\0' && i + 4 < sizeof clean && (max == 0 || n < max)) {
    if (*u < 0x80) {
      clean[i++] = (char)(*u < 0x20 ? ' ' : *u);
      u++;
    } else if ((u[0] == 0xC2 || u[0] == 0xC3) && (u[1] & 0xC0) == 0x80) {
      clean[i++] = (char)u[0];
      clean[i++] = (char)u[1];
      u += 2;
    } else {
      clean[i++] = '?';
      for (k = 1, u++; k < 4 && (*u & 0xC0) == 0x80; k++)
        u++;
    }
    n++;
  }
  clean[i] = '\0';
  if (i == 0)
    snprintf(clean, sizeof clean, "-");
  ow_start(o, name);
  if (!o->failed && xmlTextWriterWriteString(o->w, BAD_CAST clean) < 0) {
    o->failed = 1;
    fat_err_set(o->err, FAT_EXML, "falha ao escrever o XML (%s)", name);
  }
  if (!o->failed &&
      fat_tiss_hash_feed(&o->md5, FAT_TISS_ISO88591, clean, strlen(clean), o->err) != FAT_OK)
    o->failed = 1;
  ow_end(o);
}

static void ow_money(owr *o, const char *name, int64_t v)
{
  char b[32];

  fat_money_format(v, b, sizeof b);
  ow_leaf(o, name, b, 0);
}

typedef struct sim_item {
  int64_t id;
  int seq;
  char tabela[8], codigo[24], data[16], grau[8];
  char *descricao;
  int64_t qtd_e4, total;
  char glosa[8];
  int64_t glosa_valor;
} sim_item;

typedef struct sim_guia {
  int64_t id;
  char numero[32], numero_op[32], senha[32], carteira[32], data[16];
  int64_t total;
  int has_senha, has_carteira;
  char prev_code[8];      /* glosa predicted by a finding, "" none */
  int prev_seq;           /* item of that finding, 0 = guia */
  sim_item *itens;
  size_t n_itens;
} sim_guia;

static void sim_free(sim_guia *g, size_t n)
{
  size_t i, k;

  for (i = 0; i < n; i++) {
    for (k = 0; k < g[i].n_itens; k++)
      fat_free(g[i].itens[k].descricao);
    fat_free(g[i].itens);
  }
  fat_free(g);
}

static void copy_col(char *dst, size_t len, sqlite3_stmt *s, int i)
{
  const unsigned char *t = sqlite3_column_text(s, i);

  snprintf(dst, len, "%s", t != NULL ? (const char *)t : "");
}

static fat_rc sim_load(fat_store *st, int64_t lote_id, sim_guia **out, size_t *n, fat_err *err)
{
  static const char q_g[] =
      "SELECT g.id, g.numero_prestador, g.numero_operadora, g.senha, g.carteira_numero,"
      " g.data_inicio, g.valor_total,"
      " (SELECT a.glosa_prevista FROM achado a WHERE a.guia_id = g.id AND a.glosa_prevista"
      "  IS NOT NULL ORDER BY (a.severidade = 'bloqueio') DESC, a.id LIMIT 1),"
      " (SELECT COALESCE(i.sequencial, 0) FROM achado a LEFT JOIN item i ON i.id = a.item_id"
      "  WHERE a.guia_id = g.id AND a.glosa_prevista IS NOT NULL"
      "  ORDER BY (a.severidade = 'bloqueio') DESC, a.id LIMIT 1)"
      " FROM guia g WHERE g.lote_id = ?1 ORDER BY g.id";
  static const char q_i[] =
      "SELECT i.id, i.sequencial, i.codigo_tabela, i.codigo, COALESCE(i.data, g.data_inicio),"
      " i.grau_participacao, i.descricao, i.quantidade_e4, COALESCE(i.valor_total, 0)"
      " FROM item i JOIN guia g ON g.id = i.guia_id WHERE i.guia_id = ?1 ORDER BY i.sequencial";
  sqlite3_stmt *s;
  sim_guia *v = NULL, *nv;
  size_t cnt = 0, k;
  fat_rc rc;
  int oom = 0;

  *out = NULL;
  *n = 0;
  rc = fat_store_prepare(st, q_g, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, lote_id);
  while (sqlite3_step(s) == SQLITE_ROW) {
    nv = fat_realloc(v, (cnt + 1) * sizeof *v);
    if (nv == NULL) {
      oom = 1;
      break;
    }
    v = nv;
    memset(&v[cnt], 0, sizeof v[cnt]);
    v[cnt].id = sqlite3_column_int64(s, 0);
    copy_col(v[cnt].numero, sizeof v[cnt].numero, s, 1);
    copy_col(v[cnt].numero_op, sizeof v[cnt].numero_op, s, 2);
    copy_col(v[cnt].senha, sizeof v[cnt].senha, s, 3);
    copy_col(v[cnt].carteira, sizeof v[cnt].carteira, s, 4);
    copy_col(v[cnt].data, sizeof v[cnt].data, s, 5);
    v[cnt].total = sqlite3_column_int64(s, 6);
    copy_col(v[cnt].prev_code, sizeof v[cnt].prev_code, s, 7);
    v[cnt].prev_seq = sqlite3_column_int(s, 8);
    v[cnt].has_senha = v[cnt].senha[0] != '\0';
    v[cnt].has_carteira = v[cnt].carteira[0] != '\0';
    cnt++;
  }
  sqlite3_reset(s);
  for (k = 0; !oom && k < cnt; k++) {
    rc = fat_store_prepare(st, q_i, &s, err);
    if (rc != FAT_OK) {
      sim_free(v, cnt);
      return rc;
    }
    fat_bind_int(s, 1, v[k].id);
    while (sqlite3_step(s) == SQLITE_ROW) {
      sim_item *ni = fat_realloc(v[k].itens, (v[k].n_itens + 1) * sizeof *ni), *it;

      if (ni == NULL) {
        oom = 1;
        break;
      }
      v[k].itens = ni;
      it = &ni[v[k].n_itens++];
      memset(it, 0, sizeof *it);
      it->id = sqlite3_column_int64(s, 0);
      it->seq = sqlite3_column_int(s, 1);
      copy_col(it->tabela, sizeof it->tabela, s, 2);
      copy_col(it->codigo, sizeof it->codigo, s, 3);
      copy_col(it->data, sizeof it->data, s, 4);
      copy_col(it->grau, sizeof it->grau, s, 5);
      it->descricao = fat_col_strdup(s, 6, &oom);
      it->qtd_e4 = sqlite3_column_int64(s, 7);
      it->total = sqlite3_column_int64(s, 8);
    }
    sqlite3_reset(s);
  }
  if (oom) {
    sim_free(v, cnt);
    return fat_err_oom(err);
  }
  *out = v;
  *n = cnt;
  return FAT_OK;
}

/* Decide the glosas of one guia like an operator would. */
static void sim_decide(sim_guia *g, int taxa_bp, uint64_t *seed, size_t *n_prev)
{
  /* undue glosas on clean guias: the operator's own mistakes */
  static const char *const indevidas[] = {"1705", "1403", "1001", "1319", "1714"};
  sim_item *it;
  size_t k;
  int pick;

  if (g->n_itens == 0)
    return;
  if (g->prev_code[0] != '\0') {
    /* a finding predicted a glosa: a real operator catches most of these */
    if (rnd_bp(seed) >= 8500)
      return;
    it = &g->itens[0];
    for (k = 0; k < g->n_itens; k++)
      if (g->prev_seq > 0 && g->itens[k].seq == g->prev_seq)
        it = &g->itens[k];
    snprintf(it->glosa, sizeof it->glosa, "%s", g->prev_code);
    it->glosa_valor = it->total;
    (*n_prev)++;
    return;
  }
  if (rnd_bp(seed) >= taxa_bp)
    return;
  it = &g->itens[rnd_next(seed) % g->n_itens];
  pick = (int)(rnd_next(seed) % (sizeof indevidas / sizeof indevidas[0]));
  snprintf(it->glosa, sizeof it->glosa, "%s", indevidas[pick]);
  if (strcmp(it->glosa, "1705") == 0 || strcmp(it->glosa, "1714") == 0)
    it->glosa_valor = it->total / 100 * (10 + (int64_t)(rnd_next(seed) % 21)); /* 10-30% */
  else
    it->glosa_valor = it->total;
  if (it->glosa_valor <= 0)
    it->glosa_valor = it->total;
}

fat_rc fat_retorno_simular_operadora(fat_store *st, const fat_retorno_sim *opt,
                                     fat_retorno_sim_res *out, fat_err *err)
{
  static const char q_l[] =
      "SELECT l.numero, l.status, COALESCE(l.protocolo, ''), COALESCE(substr(l.enviado_em, 1, 10),"
      " substr(l.fechado_em, 1, 10), ''), o.registro_ans, o.nome, p.cnpj, p.cnes,"
      " (SELECT po.codigo FROM prestador_operadora po WHERE po.prestador_id = p.id"
      "  AND po.operadora_id = o.id)"
      " FROM lote l JOIN operadora o ON o.id = l.operadora_id"
      " JOIN prestador p ON p.id = l.prestador_id WHERE l.id = ?1";
  sqlite3_stmt *s;
  sim_guia *gs = NULL;
  size_t ng = 0, i, k, n_prev = 0;
  char numero[24] = "", status[24] = "", prot[40] = "", dprot[24] = "", ans[16] = "";
  char nome[128] = "", cnpj[24] = "", cnes[16] = "", codpre[32] = "", hoje[24], seqt[24];
  char dnum[64], hash[33];
  uint64_t seed;
  owr o;
  int64_t ti = 0, tg = 0, gi, gg;
  unsigned char dig[16];
  fat_rc rc;
  int found = 0;

  memset(out, 0, sizeof *out);
  memset(&o, 0, sizeof o);
  rc = fat_store_prepare(st, q_l, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, opt->lote_id);
  if (sqlite3_step(s) == SQLITE_ROW) {
    found = 1;
    copy_col(numero, sizeof numero, s, 0);
    copy_col(status, sizeof status, s, 1);
    copy_col(prot, sizeof prot, s, 2);
    copy_col(dprot, sizeof dprot, s, 3);
    copy_col(ans, sizeof ans, s, 4);
    copy_col(nome, sizeof nome, s, 5);
    copy_col(cnpj, sizeof cnpj, s, 6);
    copy_col(cnes, sizeof cnes, s, 7);
    copy_col(codpre, sizeof codpre, s, 8);
  }
  sqlite3_reset(s);
  if (!found)
    return fat_err_set(err, FAT_ENOTFOUND, "lote %lld não encontrado", (long long)opt->lote_id);
  if (strcmp(status, "aberto") == 0)
    return fat_err_set(err, FAT_ESTATE,
                       "o lote %s ainda está aberto: feche-o (faturo lote fechar) antes", numero);
  rc = sim_load(st, opt->lote_id, &gs, &ng, err);
  if (rc != FAT_OK)
    return rc;
  if (ng == 0) {
    sim_free(gs, ng);
    return fat_err_set(err, FAT_ESTATE, "o lote %s não tem guias", numero);
  }
  seed = opt->semente * 0x9E3779B97F4A7C15ULL + (uint64_t)opt->lote_id + 1;
  for (i = 0; i < ng; i++)
    sim_decide(&gs[i], opt->taxa_bp, &seed, &n_prev);
  if (opt->data != NULL)
    snprintf(hoje, sizeof hoje, "%s", opt->data);
  else
    fat_dia_hoje(hoje, sizeof hoje);
  if (prot[0] == '\0')
    snprintf(prot, sizeof prot, "%s%06lld", ans, (long long)opt->lote_id);
  if (dprot[0] == '\0')
    snprintf(dprot, sizeof dprot, "%s", hoje);
  snprintf(dnum, sizeof dnum, "D%s-%s", numero, hoje);
  snprintf(seqt, sizeof seqt, "%lld", (long long)(opt->lote_id % 1000000000LL));
  if (cnpj[0] == '\0' || strlen(cnpj) != 14)
    snprintf(cnpj, sizeof cnpj, "%s", "00000000000191");
  if (cnes[0] == '\0')
    snprintf(cnes, sizeof cnes, "%s", "9999999");

  fat_md5_init(&o.md5);
  o.err = err;
  o.buf = xmlBufferCreate();
  o.w = o.buf != NULL ? xmlNewTextWriterMemory(o.buf, 0) : NULL;
  if (o.w == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  xmlTextWriterSetIndent(o.w, 1);
  xmlTextWriterSetIndentString(o.w, BAD_CAST "  ");
  if (xmlTextWriterStartDocument(o.w, NULL, "ISO-8859-1", NULL) < 0) {
    rc = fat_err_set(err, FAT_EXML, "falha ao escrever o XML");
    goto out;
  }
  ow_start(&o, "mensagemTISS");
  if (!o.failed &&
      xmlTextWriterWriteAttribute(o.w, BAD_CAST "xmlns:ans", BAD_CAST FAT_TISS_NS) < 0)
    o.failed = 1;
  ow_start(&o, "cabecalho");
  ow_start(&o, "identificacaoTransacao");
  ow_leaf(&o, "tipoTransacao", "DEMONSTRATIVO_ANALISE_CONTA", 0);
  ow_leaf(&o, "sequencialTransacao", seqt, 12);
  ow_leaf(&o, "dataRegistroTransacao", hoje, 0);
  ow_leaf(&o, "horaRegistroTransacao", "10:00:00", 0);
  ow_end(&o);
  ow_start(&o, "origem");
  ow_leaf(&o, "registroANS", ans, 0);
  ow_end(&o);
  ow_start(&o, "destino");
  ow_start(&o, "identificacaoPrestador");
  if (codpre[0] != '\0')
    ow_leaf(&o, "codigoPrestadorNaOperadora", codpre, 14);
  else
    ow_leaf(&o, "CNPJ", cnpj, 0);
  ow_end(&o);
  ow_end(&o);
  ow_leaf(&o, "Padrao", "4.01.00", 0);
  ow_end(&o); /* cabecalho */
  ow_start(&o, "operadoraParaPrestador");
  ow_start(&o, "demonstrativosRetorno");
  ow_start(&o, "demonstrativoAnaliseConta");
  ow_start(&o, "cabecalhoDemonstrativo");
  ow_leaf(&o, "registroANS", ans, 0);
  ow_leaf(&o, "numeroDemonstrativo", dnum, 20);
  ow_leaf(&o, "nomeOperadora", nome, 70);
  ow_leaf(&o, "numeroCNPJ", "00000000000191", 0);
  ow_leaf(&o, "dataEmissao", hoje, 0);
  ow_end(&o);
  ow_start(&o, "dadosPrestador");
  ow_start(&o, "dadosContratado");
  if (codpre[0] != '\0')
    ow_leaf(&o, "codigoPrestadorNaOperadora", codpre, 14);
  else
    ow_leaf(&o, "cnpjContratado", cnpj, 0);
  ow_end(&o);
  ow_leaf(&o, "CNES", cnes, 7);
  ow_end(&o);
  ow_start(&o, "dadosConta");
  ow_start(&o, "dadosProtocolo");
  ow_leaf(&o, "numeroLotePrestador", numero, 12);
  ow_leaf(&o, "numeroProtocolo", prot, 12);
  ow_leaf(&o, "dataProtocolo", dprot, 0);
  ow_leaf(&o, "situacaoProtocolo", "5", 0);
  for (i = 0; i < ng; i++) {
    sim_guia *g = &gs[i];

    gi = gg = 0;
    for (k = 0; k < g->n_itens; k++) {
      gi += g->itens[k].total;
      gg += g->itens[k].glosa_valor;
    }
    ow_start(&o, "relacaoGuias");
    ow_leaf(&o, "numeroGuiaPrestador", g->numero, 20);
    if (g->numero_op[0] != '\0')
      ow_leaf(&o, "numeroGuiaOperadora", g->numero_op, 20);
    if (g->has_senha)
      ow_leaf(&o, "senha", g->senha, 20);
    ow_leaf(&o, "numeroCarteira", g->has_carteira ? g->carteira : "0", 20);
    ow_leaf(&o, "dataInicioFat", g->data[0] ? g->data : hoje, 0);
    ow_leaf(&o, "situacaoGuia", "5", 0);
    for (k = 0; k < g->n_itens; k++) {
      sim_item *it = &g->itens[k];
      char q[32];

      ow_start(&o, "detalhesGuia");
      snprintf(q, sizeof q, "%d", it->seq);
      ow_leaf(&o, "sequencialItem", q, 0);
      ow_leaf(&o, "dataRealizacao", it->data[0] ? it->data : hoje, 0);
      ow_start(&o, "procedimento");
      ow_leaf(&o, "codigoTabela", it->tabela[0] ? it->tabela : "22", 0);
      ow_leaf(&o, "codigoProcedimento", it->codigo, 10);
      ow_leaf(&o, "descricaoProcedimento", it->descricao ? it->descricao : it->codigo, 150);
      ow_end(&o);
      if (it->grau[0] != '\0')
        ow_leaf(&o, "grauParticipacao", it->grau, 0);
      ow_money(&o, "valorInformado", it->total);
      fat_money_qty_format(it->qtd_e4, q, sizeof q);
      ow_leaf(&o, "qtdExecutada", q, 0);
      ow_money(&o, "valorProcessado", it->total);
      ow_money(&o, "valorLiberado", it->total - it->glosa_valor);
      if (it->glosa[0] != '\0') {
        ow_start(&o, "relacaoGlosa");
        ow_money(&o, "valorGlosa", it->glosa_valor);
        ow_leaf(&o, "tipoGlosa", it->glosa, 0);
        ow_end(&o);
        out->n_glosas++;
      }
      ow_end(&o);
    }
    ow_money(&o, "valorInformadoGuia", gi);
    ow_money(&o, "valorProcessadoGuia", gi);
    ow_money(&o, "valorLiberadoGuia", gi - gg);
    ow_money(&o, "valorGlosaGuia", gg);
    ow_end(&o);
    ti += gi;
    tg += gg;
  }
  ow_money(&o, "valorInformadoProtocolo", ti);
  ow_money(&o, "valorProcessadoProtocolo", ti);
  ow_money(&o, "valorLiberadoProtocolo", ti - tg);
  ow_money(&o, "valorGlosaProtocolo", tg);
  ow_end(&o); /* dadosProtocolo */
  ow_end(&o); /* dadosConta */
  ow_money(&o, "valorInformadoGeral", ti);
  ow_money(&o, "valorProcessadoGeral", ti);
  ow_money(&o, "valorLiberadoGeral", ti - tg);
  ow_money(&o, "valorGlosaGeral", tg);
  ow_end(&o); /* demonstrativoAnaliseConta */
  ow_end(&o); /* demonstrativosRetorno */
  ow_end(&o); /* operadoraParaPrestador */
  if (o.failed) {
    rc = err != NULL && err->rc != FAT_OK ? err->rc : FAT_EXML;
    goto out;
  }
  fat_md5_final(&o.md5, dig);
  fat_md5_hex(dig, hash);
  /* the epilogo is not hashed: written straight */
  if (xmlTextWriterStartElement(o.w, BAD_CAST "ans:epilogo") < 0 ||
      xmlTextWriterWriteElement(o.w, BAD_CAST "ans:hash", BAD_CAST hash) < 0 ||
      xmlTextWriterEndElement(o.w) < 0 || xmlTextWriterEndDocument(o.w) < 0) {
    rc = fat_err_set(err, FAT_EXML, "falha ao escrever o XML");
    goto out;
  }
  xmlFreeTextWriter(o.w);
  o.w = NULL;
  out->len = (size_t)xmlBufferLength(o.buf);
  out->xml = fat_strndup((const char *)xmlBufferContent(o.buf), out->len);
  if (out->xml == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  snprintf(out->hash, sizeof out->hash, "%s", hash);
  out->n_guias = ng;
  out->n_glosas_previstas = n_prev;
  out->valor_informado = ti;
  out->valor_glosado = tg;
  rc = FAT_OK;
out:
  if (o.w != NULL)
    xmlFreeTextWriter(o.w);
  if (o.buf != NULL)
    xmlBufferFree(o.buf);
  sim_free(gs, ng);
  if (rc != FAT_OK)
    fat_retorno_sim_res_fini(out);
  return rc;
}

/* }====================================================== */
