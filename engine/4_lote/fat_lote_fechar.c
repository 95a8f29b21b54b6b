/* fat_lote_fechar.c: closing lotes: ready guias grouped by prestador,
** competência, period and type, numbered, written, validated and stored in one
** transaction. */
#include "fat_lote.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fat_dia.h"
#include "fat_enviavel.h"
#include "fat_lote_int.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_store_int.h"
#include "fat_tiss_validate.h"
#include "fat_tiss_write.h"


typedef struct ready {
  int64_t id, prestador_id, valor;
  char tipo[24];
  char comp[8];
  char ref[11];
  char ini[11], fim[11];
  fat_guia *g;              /* loaded once screened (fat_enviavel) */
} ready;

static int cmp_ready(const void *a, const void *b)
{
  const ready *x = a, *y = b;
  int c;

  if (x->prestador_id != y->prestador_id)
    return x->prestador_id < y->prestador_id ? -1 : 1;
  c = strcmp(x->comp, y->comp);
  if (c != 0)
    return c;
  c = strcmp(x->fim, y->fim);
  if (c != 0)
    return c;
  c = strcmp(x->tipo, y->tipo);
  if (c != 0)
    return c;
  c = strcmp(x->ref, y->ref);
  if (c != 0)
    return c;
  return (x->id > y->id) - (x->id < y->id);
}

static int same_group(const ready *x, const ready *y)
{
  return x->prestador_id == y->prestador_id && strcmp(x->comp, y->comp) == 0 &&
         strcmp(x->fim, y->fim) == 0 && strcmp(x->tipo, y->tipo) == 0;
}

void fat_lote_fechar_res_fini(fat_lote_fechar_res *r)
{
  if (r == NULL)
    return;
  fat_free(r->lotes);
  fat_free(r->retidas);
  memset(r, 0, sizeof *r);
}

/* Bind the payment terms of the contract at ?i (dias úteis), ?i+1 (counted
** from the protocolo) and ?i+2 (fixed payment days, "5,20"; NULL when none). */
static void bind_pagamento(fat_stmt *s, int i, const fat_contrato_pagamento *p)
{
  char dias[FAT_CONTRATO_MAX_DIAS_PAGAMENTO * 4];
  size_t len = 0;
  int k;

  dias[0] = '\0';
  for (k = 0; k < p->n_dias_do_mes && len + 4 < sizeof dias; k++) {
    int w = snprintf(dias + len, sizeof dias - len, "%s%d", k > 0 ? "," : "", p->dias_do_mes[k]);

    if (w > 0)
      len += (size_t)w;
  }
  fat_bind_int(s, i, p->dias_uteis != 0);
  fat_bind_int(s, i + 1, p->contar_de_protocolo != 0);
  fat_bind_text(s, i + 2, len > 0 ? dias : NULL);
}

static fat_rc load_ready(fat_store *st, int64_t op, const fat_lote_fechar_opts *o,
                         const char *ate, const fat_lote_cfg *cfg, ready **out, size_t *n,
                         fat_err *err)
{
  static const char sql[] =
    "SELECT g.id, g.prestador_id, g.tipo, g.valor_total,"
    " CASE WHEN g.tipo IN ('resumo-internacao', 'honorarios')"
    "  THEN COALESCE(g.data_fim, g.data_inicio) ELSE g.data_inicio END AS ref,"
    " g.competencia"
    " FROM guia g"
    " WHERE g.operadora_id = ?1 AND g.status = 'conferida' AND g.lote_id IS NULL"
    "  AND NOT EXISTS (SELECT 1 FROM achado a WHERE a.guia_id = g.id"
    "   AND a.severidade = 'bloqueio' AND a.reconhecido_em IS NULL)"
    " ORDER BY g.id";
  fat_stmt *s;
  ready *v = NULL, *nv;
  size_t cap = 0, k = 0;
  fat_rc rc;
  int r;

  *out = NULL;
  *n = 0;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, op);
  for (r = fat_stmt_step(s); r == FAT_ROW; r = fat_stmt_step(s)) {
    ready x;

    memset(&x, 0, sizeof x);
    x.id = fat_col_int64(s, 0);
    x.prestador_id = fat_col_int64(s, 1);
    fat_lote_col(s, 2, x.tipo, sizeof x.tipo);
    x.valor = fat_col_int64(s, 3);
    fat_lote_col(s, 4, x.ref, sizeof x.ref);
    fat_lote_col(s, 5, x.comp, sizeof x.comp);
    if (!fat_dia_valida(x.ref) || strcmp(x.ref, ate) > 0)
      continue; /* undated guias cannot be placed in a period; later ones wait */
    if (x.comp[0] == '\0')
      snprintf(x.comp, sizeof x.comp, "%.7s", x.ref);
    if (o->competencia != NULL && strcmp(o->competencia, x.comp) != 0)
      continue;
    rc = fat_lote_periodo(cfg, x.ref, x.ini, x.fim, err);
    if (rc != FAT_OK) {
      fat_err_prefix(err, "guia %" PRId64 ": ", x.id);
      goto fail;
    }
    if (k == cap) {
      cap = cap == 0 ? 64 : cap * 2;
      nv = fat_realloc(v, cap * sizeof *v);
      if (nv == NULL) {
        rc = fat_err_oom(err);
        goto fail;
      }
      v = nv;
    }
    v[k++] = x;
  }
  if (r != FAT_DONE) {
    rc = fat_store_dberr(st, err, "erro ao ler guias prontas");
    goto fail;
  }
  fat_stmt_reset(s);
  if (k > 0)
    qsort(v, k, sizeof *v, cmp_ready);
  *out = v;
  *n = k;
  return FAT_OK;
fail:
  fat_stmt_reset(s);
  fat_free(v);
  return rc;
}

/* Next free lote number of the operadora (proximo_lote, but never a number
** already used); taken (proximo_lote moved past it) only once its lote is
** written, so a lote that fails validation burns no number. */
static fat_rc next_numero(fat_store *st, int64_t op, int64_t *num, fat_err *err)
{
  static const char sql[] =
    "SELECT MAX(o.proximo_lote, COALESCE((SELECT MAX(numero) + 1 FROM lote WHERE "
    "operadora_id = o.id), 1)) FROM operadora o WHERE o.id = ?1";
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, op);
  if (fat_stmt_step(s) != FAT_ROW) {
    rc = fat_store_dberr(st, err, "erro ao numerar lote");
    fat_stmt_reset(s);
    return rc;
  }
  *num = fat_col_int64(s, 0);
  fat_stmt_reset(s);
  return FAT_OK;
}

static fat_rc take_numero(fat_store *st, int64_t op, int64_t num, fat_err *err)
{
  static const char upd[] = "UPDATE operadora SET proximo_lote = ?2 WHERE id = ?1";
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, upd, &s, err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, op);
  fat_bind_int(s, 2, num + 1);
  return fat_store_step_done(st, s, "erro ao numerar lote", err);
}

/* A reopened ('aberto') lote of the same group, to reuse its number. */
static fat_rc find_open(fat_store *st, int64_t op, const ready *g, int64_t *id, int64_t *num,
                        fat_err *err)
{
  static const char sql[] =
    "SELECT id, numero FROM lote WHERE operadora_id = ?1 AND prestador_id = ?2 AND "
    "tipo_guia = ?3 AND competencia = ?4 AND periodo_fim = ?5 AND status = 'aberto' "
    "ORDER BY numero LIMIT 1";
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  *id = 0;
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, op);
  fat_bind_int(s, 2, g->prestador_id);
  fat_bind_text(s, 3, g->tipo);
  fat_bind_text(s, 4, g->comp);
  fat_bind_text(s, 5, g->fim);
  if (fat_stmt_step(s) == FAT_ROW) {
    *id = fat_col_int64(s, 0);
    *num = fat_col_int64(s, 1);
  }
  fat_stmt_reset(s);
  return FAT_OK;
}

/* Write the ENVIO_LOTE_GUIAS of v[0..n) as lote `numero` and, with an XSD
** folder, validate it: *invalido = 1 (and FAT_EXML with the XSD's errors)
** when the schema refuses it. */
static fat_rc write_lote(const fat_lote_fechar_opts *o, const fat_lote_cfg *cfg,
                         const ready *v, size_t n, int64_t numero, const char *hoje,
                         fat_tiss_doc *doc, int *invalido, fat_err *err)
{
  const fat_guia **gs;
  fat_tiss_envio env;
  fat_tiss_xsd_result xr;
  char numtxt[24];
  size_t i;
  fat_rc rc;

  *invalido = 0;
  memset(doc, 0, sizeof *doc);
  gs = fat_calloc(n, sizeof *gs);
  if (gs == NULL)
    return fat_err_oom(err);
  for (i = 0; i < n; i++)
    gs[i] = v[i].g;
  snprintf(numtxt, sizeof numtxt, "%" PRId64, numero);
  memset(&env, 0, sizeof env);
  env.numero_lote = numtxt;
  env.data = hoje;
  env.hora = o->hora;
  env.hash_enc = cfg->hash_enc;
  env.xsd_dir = o->xsd_dir; /* the schema checks each element as it is written */
  rc = fat_tiss_write_lote(&env, gs, n, doc, err);
  fat_free(gs);
  if (rc != FAT_OK || o->xsd_dir == NULL || doc->xsd_valido)
    return rc;
  /* refused (or not checked): the written bytes are validated for the verdict
  ** and the messages */
  memset(&xr, 0, sizeof xr);
  rc = fat_tiss_validate_memory(o->xsd_dir, doc->xml, doc->len, &xr, err);
  if (rc == FAT_OK && !xr.valido) {
    *invalido = 1;
    rc = fat_tiss_xsd_result_err(&xr, 5, err);
  }
  fat_tiss_xsd_result_fini(&xr);
  if (rc != FAT_OK)
    fat_tiss_doc_fini(doc);
  return rc;
}

/* Write, validate and store one lote of guias v[0..n). Nothing is written to
** the store unless the file is valid (*invalido = 1 when the XSD refused it). */
static fat_rc close_one(fat_store *st, int64_t op, const fat_lote_fechar_opts *o,
                        const fat_lote_cfg *cfg, const ready *v, size_t n, const char *hoje,
                        fat_lote_info *info, int *validado, int *invalido, fat_err *err)
{
  static const char ins[] =
    "INSERT INTO lote (operadora_id, prestador_id, numero, tipo_guia, competencia,"
    " periodo_inicio, periodo_fim, status, qtd_guias, valor_informado, hash, arquivo, xml,"
    " geracao_id, fechado_em, prazo_envio, hash_encoding, pagamento_prazo_dias, validado,"
    " pagamento_dias_uteis, pagamento_de_protocolo, pagamento_dias_mes)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'fechado', ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
    " ?16, ?17, ?18, ?19, ?20, ?21)";
  static const char reuse[] =
    "UPDATE lote SET status = 'fechado', periodo_inicio = ?2, qtd_guias = ?3,"
    " valor_informado = ?4, hash = ?5, arquivo = ?6, xml = ?7, geracao_id = ?8,"
    " fechado_em = ?9, prazo_envio = ?10, hash_encoding = ?11, pagamento_prazo_dias = ?12,"
    " validado = ?13, motivo_reabertura = NULL, pagamento_dias_uteis = ?14,"
    " pagamento_de_protocolo = ?15, pagamento_dias_mes = ?16 WHERE id = ?1";
  static const char upd_guia[] =
    "UPDATE guia SET status = 'em_lote', lote_id = ?2 WHERE id = ?1 AND lote_id IS NULL";
  fat_tiss_doc doc;
  fat_stmt *s;
  char fechado[32], det[160];
  int64_t lote_id = 0, numero = 0, total = 0;
  size_t i;
  fat_rc rc;

  memset(&doc, 0, sizeof doc);
  *invalido = 0;
  for (i = 0; i < n; i++)
    total += v[i].g->valor_total;
  rc = find_open(st, op, &v[0], &lote_id, &numero, err);
  if (rc == FAT_OK && lote_id == 0)
    rc = next_numero(st, op, &numero, err);
  if (rc != FAT_OK)
    goto out;
  rc = write_lote(o, cfg, v, n, numero, hoje, &doc, invalido, err);
  if (rc != FAT_OK) {
    fat_err_prefix(err, "lote %" PRId64 " (%s, %zu guias): ", numero, v[0].tipo, n);
    goto out;
  }
  if (o->xsd_dir == NULL)
    *validado = 0;
  if (lote_id == 0) {
    rc = take_numero(st, op, numero, err);
    if (rc != FAT_OK)
      goto out;
  }
  memset(info, 0, sizeof *info);
  info->numero = numero;
  info->operadora_id = op;
  snprintf(info->tipo, sizeof info->tipo, "%s", v[0].tipo);
  snprintf(info->competencia, sizeof info->competencia, "%s", v[0].comp);
  snprintf(info->periodo_inicio, sizeof info->periodo_inicio, "%s", v[0].ini);
  snprintf(info->periodo_fim, sizeof info->periodo_fim, "%s", v[0].fim);
  fat_lote_add_days(v[0].fim, cfg->prazo_envio_dias, info->prazo_envio);
  info->qtd_guias = (int)n;
  info->valor = total;
  memcpy(info->hash, doc.hash, sizeof info->hash);
  fat_tiss_filename(numero, doc.hash, info->arquivo, sizeof info->arquivo);
  info->reaberto = lote_id != 0;
  fat_store_now(fechado, sizeof fechado);
  if (lote_id == 0) {
    rc = fat_store_prepare(st, ins, &s, err);
    if (rc != FAT_OK)
      goto out;
    fat_bind_int(s, 1, op);
    fat_bind_int(s, 2, v[0].prestador_id);
    fat_bind_int(s, 3, numero);
    fat_bind_text(s, 4, v[0].tipo);
    fat_bind_text(s, 5, v[0].comp);
    fat_bind_text(s, 6, v[0].ini);
    fat_bind_text(s, 7, v[0].fim);
    fat_bind_int(s, 8, (int64_t)n);
    fat_bind_int(s, 9, total);
    fat_bind_text(s, 10, doc.hash);
    fat_bind_text(s, 11, info->arquivo);
    fat_bind_blob(s, 12, doc.xml, doc.len);
    fat_bind_int_or_null(s, 13, o->geracao_id, o->geracao_id <= 0);
    fat_bind_text(s, 14, fechado);
    fat_bind_text(s, 15, info->prazo_envio);
    fat_bind_text(s, 16, fat_tiss_enc_str(cfg->hash_enc));
    fat_bind_int_or_null(s, 17, cfg->pagamento_prazo_dias, cfg->pagamento_prazo_dias < 0);
    fat_bind_int(s, 18, o->xsd_dir != NULL);
    bind_pagamento(s, 19, &cfg->pagamento);
    rc = fat_store_step_done(st, s, "erro ao gravar lote", err);
    if (rc != FAT_OK)
      goto out;
    lote_id = fat_store_last_id(st);
  } else {
    rc = fat_store_prepare(st, reuse, &s, err);
    if (rc != FAT_OK)
      goto out;
    fat_bind_int(s, 1, lote_id);
    fat_bind_text(s, 2, v[0].ini);
    fat_bind_int(s, 3, (int64_t)n);
    fat_bind_int(s, 4, total);
    fat_bind_text(s, 5, doc.hash);
    fat_bind_text(s, 6, info->arquivo);
    fat_bind_blob(s, 7, doc.xml, doc.len);
    fat_bind_int_or_null(s, 8, o->geracao_id, o->geracao_id <= 0);
    fat_bind_text(s, 9, fechado);
    fat_bind_text(s, 10, info->prazo_envio);
    fat_bind_text(s, 11, fat_tiss_enc_str(cfg->hash_enc));
    fat_bind_int_or_null(s, 12, cfg->pagamento_prazo_dias, cfg->pagamento_prazo_dias < 0);
    fat_bind_int(s, 13, o->xsd_dir != NULL);
    bind_pagamento(s, 14, &cfg->pagamento);
    rc = fat_store_step_done(st, s, "erro ao gravar lote", err);
    if (rc != FAT_OK)
      goto out;
  }
  info->id = lote_id;
  for (i = 0; i < n; i++) {
    rc = fat_store_prepare(st, upd_guia, &s, err);
    if (rc != FAT_OK)
      goto out;
    fat_bind_int(s, 1, v[i].id);
    fat_bind_int(s, 2, lote_id);
    rc = fat_store_step_done(st, s, "erro ao marcar guia em lote", err);
    if (rc != FAT_OK)
      goto out;
    if (fat_store_changes(st) != 1) {
      rc = fat_err_set(err, FAT_ESTATE, "guia %" PRId64 " entrou em outro lote durante o "
                                        "fechamento", v[i].id);
      goto out;
    }
  }
  snprintf(det, sizeof det, "lote %" PRId64 ", %zu guias, hash %s%s", numero, n, doc.hash,
           o->xsd_dir != NULL ? ", XSD ok" : ", XSD não validado");
  rc = fat_lote_evento(st, lote_id, info->reaberto ? "aberto" : NULL, "fechado", hoje, det,
                       err);
out:
  fat_tiss_doc_fini(&doc);
  return rc;
}

/* Record guia x as held back (not sent) with why. */
static fat_rc hold_back(fat_lote_fechar_res *res, ready *x, const char *campo,
                        const char *motivo, fat_err *err)
{
  fat_lote_retida *nr = fat_realloc(res->retidas, (res->n_retidas + 1) * sizeof *nr);
  fat_lote_retida *r;

  if (nr == NULL)
    return fat_err_oom(err);
  res->retidas = nr;
  r = &nr[res->n_retidas++];
  memset(r, 0, sizeof *r);
  r->guia_id = x->id;
  snprintf(r->numero, sizeof r->numero, "%s",
           x->g != NULL && x->g->numero_prestador != NULL ? x->g->numero_prestador : "");
  snprintf(r->campo, sizeof r->campo, "%s", campo != NULL ? campo : "");
  snprintf(r->motivo, sizeof r->motivo, "%s", motivo);
  fat_guia_free(x->g);
  x->g = NULL;
  return FAT_OK;
}

/* Load every ready guia and hold back those the TISS XSD cannot carry
** (fat_enviavel: a required field missing); v is compacted to the others. */
static fat_rc screen_enviavel(fat_store *st, ready *v, size_t *n, fat_lote_fechar_res *res,
                              fat_err *err)
{
  char campo[64], motivo[256];
  const char *rotulo = NULL;
  fat_guia_loader *ld = NULL;
  size_t i = 0, k = 0;
  fat_rc rc = fat_guia_loader_new(st, &ld, err);

  for (; rc == FAT_OK && i < *n; i++) {
    rc = fat_guia_loader_load(ld, v[i].id, &v[i].g, err);
    if (rc != FAT_OK)
      break;
    if (fat_enviavel_faltando(v[i].g, campo, sizeof campo, &rotulo)) {
      snprintf(motivo, sizeof motivo, "falta %s (%s), que o XSD TISS exige", rotulo, campo);
      rc = hold_back(res, &v[i], campo, motivo, err);
      continue;
    }
    v[k++] = v[i];
  }
  for (; i < *n; i++) /* after an error: what was not looked at */
    v[k++] = v[i];
  *n = k;
  fat_guia_loader_free(ld);
  return rc;
}

/* The XSD refused the lote of v[0..n): find, guia by guia, which ones it
** refuses and hold them back; v is compacted to the others (*n updated). */
static fat_rc screen_xsd(const fat_lote_fechar_opts *o, const fat_lote_cfg *cfg, ready *v,
                         size_t *n, const char *hoje, fat_lote_fechar_res *res, fat_err *err)
{
  fat_tiss_doc doc;
  fat_err e;
  size_t i, k = 0;
  int invalido;
  fat_rc rc = FAT_OK;

  for (i = 0; rc == FAT_OK && i < *n; i++) {
    fat_err_clear(&e);
    rc = write_lote(o, cfg, &v[i], 1, 1, hoje, &doc, &invalido, &e);
    fat_tiss_doc_fini(&doc);
    if (rc == FAT_OK) {
      v[k++] = v[i];
      continue;
    }
    if (!invalido && e.rc != FAT_EINVAL) {
      *err = e;
      break;
    }
    rc = hold_back(res, &v[i], NULL, e.msg, err);
  }
  for (; i < *n; i++)
    v[k++] = v[i];
  for (i = k; i < *n; i++) /* moved down or freed: the caller frees v[0..*n) of its array */
    v[i].g = NULL;
  *n = k;
  return rc;
}

/* Close the lote of guias v[0..n) of one group; a guia the XSD refuses is
** held back and the lote closes with the others. *closed = 1 when a lote was
** stored (in res->lotes[res->n], added by the caller). */
static fat_rc close_chunk(fat_store *st, int64_t op, const fat_lote_fechar_opts *o,
                          const fat_lote_cfg *cfg, ready *v, size_t n, const char *hoje,
                          fat_lote_fechar_res *res, int *closed, fat_err *err)
{
  size_t before = n;
  int invalido = 0;
  fat_err refused;
  fat_rc rc;

  *closed = 0;
  rc = close_one(st, op, o, cfg, v, n, hoje, &res->lotes[res->n], &res->validado, &invalido,
                 err);
  if (rc != FAT_OK && invalido) {
    refused = *err;
    rc = screen_xsd(o, cfg, v, &n, hoje, res, err);
    if (rc == FAT_OK && n == before) { /* no guia alone is refused: the lote as a whole is */
      *err = refused;
      rc = refused.rc;
    } else if (rc == FAT_OK && n == 0) {
      return FAT_OK; /* every guia of the group held back */
    } else if (rc == FAT_OK) {
      rc = close_one(st, op, o, cfg, v, n, hoje, &res->lotes[res->n], &res->validado,
                     &invalido, err);
    }
  }
  if (rc == FAT_OK) {
    *closed = 1;
    res->guias += n;
  }
  return rc;
}

/* The body of fat_lote_fechar(_contrato): the contract is typed (from the
** rules generation) or JSON (tests). */
static fat_rc fechar(fat_store *st, const fat_lote_fechar_opts *o_in, const fat_contrato *typed,
                     const cJSON *contract, fat_lote_fechar_res *res, fat_err *err)
{
  fat_lote_fechar_opts opts = *o_in; /* with the hora normalized */
  const fat_lote_fechar_opts *o = &opts;
  fat_lote_cfg *cfg = NULL;
  char hoje[11], ate[11], hora[9];
  int64_t op;
  ready *v = NULL;
  size_t n = 0, i, j, k, cap = 0;
  int closed, in_tx = 0;
  fat_rc rc;

  memset(res, 0, sizeof *res);
  if (o->competencia != NULL && !fat_dia_competencia_valida(o->competencia))
    return fat_err_set(err, FAT_EINVAL, "competência '%s' inválida (use AAAA-MM)",
                       o->competencia);
  if (o->hoje != NULL && !fat_dia_valida(o->hoje))
    return fat_err_set(err, FAT_EINVAL, "data de referência '%s' inválida", o->hoje);
  if (o->ate != NULL && !fat_dia_valida(o->ate))
    return fat_err_set(err, FAT_EINVAL, "data '%s' inválida (use AAAA-MM-DD)", o->ate);
  if (o->hora != NULL && fat_dia_hora_norm(o->hora, hora) != 0)
    return fat_err_set(err, FAT_EINVAL, "hora '%s' inválida (use HH:MM ou HH:MM:SS)", o->hora);
  if (o->hora != NULL)
    opts.hora = hora;
  if (o->hoje != NULL)
    snprintf(hoje, sizeof hoje, "%s", o->hoje);
  else
    fat_dia_hoje(hoje, sizeof hoje);
  snprintf(ate, sizeof ate, "%s", o->ate != NULL ? o->ate : hoje);
  cfg = fat_malloc(sizeof *cfg);
  if (cfg == NULL)
    return fat_err_oom(err);
  rc = FAT_OK;
  if (typed != NULL)
    fat_lote_cfg_from_contrato(typed, cfg);
  else
    rc = fat_lote_cfg_from_contract(contract, cfg, err);
  if (rc == FAT_OK && o->xsd_dir != NULL) /* a broken schema folder fails before any work */
    rc = fat_tiss_schema_load(o->xsd_dir, err);
  if (rc == FAT_OK)
    rc = fat_lote_operadora(st, o->operadora, &op, NULL, 0, err);
  if (rc == FAT_OK)
    rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    goto out;
  in_tx = 1;
  rc = load_ready(st, op, o, ate, cfg, &v, &n, err);
  if (rc == FAT_OK)
    rc = screen_enviavel(st, v, &n, res, err);
  if (rc != FAT_OK)
    goto out;
  res->validado = o->xsd_dir != NULL;
  for (i = 0; i < n; i = j) {
    for (j = i; j < n && same_group(&v[i], &v[j]) && j - i < (size_t)cfg->max_guias; j++)
      ;
    if (res->n == cap) {
      fat_lote_info *nl;

      cap = cap == 0 ? 8 : cap * 2;
      nl = fat_realloc(res->lotes, cap * sizeof *nl);
      if (nl == NULL) {
        rc = fat_err_oom(err);
        goto out;
      }
      res->lotes = nl;
    }
    rc = close_chunk(st, op, o, cfg, &v[i], j - i, hoje, res, &closed, err);
    if (rc != FAT_OK)
      goto out;
    if (closed)
      res->n++;
  }
  rc = fat_store_commit(st, err);
  in_tx = 0;
out:
  if (in_tx)
    fat_store_rollback(st);
  for (k = 0; k < n; k++)
    fat_guia_free(v[k].g);
  fat_free(v);
  fat_free(cfg);
  if (rc != FAT_OK)
    fat_lote_fechar_res_fini(res);
  return rc;
}

fat_rc fat_lote_fechar_contrato(fat_store *st, const fat_lote_fechar_opts *o,
                                const cJSON *contract, fat_lote_fechar_res *res, fat_err *err)
{
  return fechar(st, o, NULL, contract, res, err);
}

fat_rc fat_lote_fechar(fat_store *st, fat_gen *gen, const fat_lote_fechar_opts *o,
                       fat_lote_fechar_res *res, fat_err *err)
{
  fat_lote_fechar_opts with_gen = *o;
  const fat_contrato *c;
  char key[64];
  int64_t op;
  fat_rc rc = fat_lote_operadora(st, o->operadora, &op, key, sizeof key, err);

  if (rc != FAT_OK)
    return rc;
  c = fat_gen_contrato(gen, key);
  if (c == NULL)
    return fat_err_set(err, FAT_ENOTFOUND, "a operadora '%s' não tem contrato nas regras "
                                           "(operators/%s.lua não está na geração)",
                       o->operadora, key);
  with_gen.geracao_id = fat_gen_id(gen);
  return fechar(st, &with_gen, c, NULL, res, err);
}
