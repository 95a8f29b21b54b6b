/* fat_lote_fechar.c: closing lotes: ready guias grouped by prestador,
** competência, period and type, numbered, written, validated and stored in one
** transaction. */
#include "fat_lote.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fat_acesso_log.h"
#include "fat_dia.h"
#include "fat_enviavel.h"
#include "fat_lote_int.h"
#include "fat_lote_xml.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_store_int.h"
#include "fat_tiss_validate.h"
#include "fat_tiss_write.h"


/* One guia of the lote being filled, with its group's keys (close_one reads
** them from v[0]). */
typedef struct ready {
  int64_t id, prestador_id;
  char tipo[24];
  char comp[8];
  char ini[11], fim[11];
  fat_guia *g;              /* loaded, screened (fat_enviavel) */
} ready;

/* One group of ready guias: prestador, competência, closing period and type,
** with the first and last reference date of its guias. Lotes are cut from
** the groups in the order of cmp_grupo, and inside a group in the order of
** (reference date, id). */
typedef struct grupo {
  int64_t prestador_id;
  char tipo[24];
  char comp[8];
  char ini[11], fim[11];
  char lo[11], hi[11];
} grupo;

static int cmp_grupo(const void *a, const void *b)
{
  const grupo *x = a, *y = b;
  int c;

  if (x->prestador_id != y->prestador_id)
    return x->prestador_id < y->prestador_id ? -1 : 1;
  c = strcmp(x->comp, y->comp);
  if (c != 0)
    return c;
  c = strcmp(x->fim, y->fim);
  if (c != 0)
    return c;
  return strcmp(x->tipo, y->tipo);
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

/* The reference date of a guia, which chooses its period (the final date of
** internação and honorários, else the first), cut at 10 characters; the
** same expression as the partial index guia_pronta
** (schemas/083_lote_pronta.sql), which serves the pages below. A guia with
** no competência takes the month of this date. */
#define REF_SQL                                                                                  \
  "substr(CASE WHEN g.tipo IN ('resumo-internacao', 'honorarios')"                              \
  " THEN COALESCE(g.data_fim, g.data_inicio) ELSE g.data_inicio END, 1, 10)"
#define REF_MAX 48 /* 10 characters of UTF-8 and the NUL */
#define READY_SQL                                                                                \
  " g.status = 'conferida' AND g.lote_id IS NULL"                                                \
  " AND NOT EXISTS (SELECT 1 FROM achado a WHERE a.guia_id = g.id"                              \
  "  AND a.severidade = 'bloqueio' AND a.reconhecido_em IS NULL)"

/* The groups of the ready guias of operadora op (a few hundred a month,
** whatever the number of guias), each placed in its period; undated guias
** and those after `ate` are left out (they wait), as are other competências
** when o->competencia is given. The ready guias are read in the order of
** the partial index guia_pronta (prestador, type, reference date), one row
** each, and a row like the one before it is skipped: a GROUP BY would sort
** them all first (a temporary b-tree as large as the guias). */
static fat_rc load_grupos(fat_store *st, int64_t op, const fat_lote_fechar_opts *o,
                          const char *ate, const fat_lote_cfg *cfg, grupo **out, size_t *n,
                          fat_err *err)
{
  static const char sql[] =
    "SELECT g.prestador_id, g.tipo, " REF_SQL ", g.competencia FROM guia g"
    " WHERE g.operadora_id = ?1 AND" READY_SQL
    " ORDER BY g.prestador_id, g.tipo, " REF_SQL;
  fat_stmt *s;
  grupo *v = NULL, *nv;
  grupo prev;               /* the row before (its ref in prev_ref) */
  char prev_ref[REF_MAX];
  size_t cap = 0, k = 0, i;
  fat_rc rc;
  int r;

  *out = NULL;
  *n = 0;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, op);
  memset(&prev, 0, sizeof prev);
  prev.prestador_id = -1;
  prev_ref[0] = '\0';
  for (r = fat_stmt_step(s); r == FAT_ROW; r = fat_stmt_step(s)) {
    grupo x;
    char ref[REF_MAX];

    memset(&x, 0, sizeof x);
    x.prestador_id = fat_col_int64(s, 0);
    fat_col_copy(s, 1, x.tipo, sizeof x.tipo);
    fat_col_copy(s, 2, ref, sizeof ref);
    fat_col_copy(s, 3, x.comp, sizeof x.comp);
    if (x.prestador_id == prev.prestador_id && strcmp(x.tipo, prev.tipo) == 0 &&
        strcmp(ref, prev_ref) == 0 && strcmp(x.comp, prev.comp) == 0)
      continue; /* the same group, date and competência as the row before */
    prev = x;
    memcpy(prev_ref, ref, sizeof prev_ref);
    if (!fat_dia_valida(ref) || strcmp(ref, ate) > 0)
      continue; /* undated guias cannot be placed in a period; later ones wait */
    if (x.comp[0] == '\0')
      snprintf(x.comp, sizeof x.comp, "%.7s", ref);
    if (o->competencia != NULL && strcmp(o->competencia, x.comp) != 0)
      continue;
    rc = fat_lote_periodo(cfg, ref, x.ini, x.fim, err);
    if (rc != FAT_OK) {
      fat_err_prefix(err, "guias de %s: ", ref);
      goto fail;
    }
    for (i = 0; i < k && cmp_grupo(&v[i], &x) != 0; i++)
      ;
    if (i < k) { /* the group has another date (or competência form) */
      if (strcmp(ref, v[i].lo) < 0)
        memcpy(v[i].lo, ref, sizeof v[i].lo);
      if (strcmp(ref, v[i].hi) > 0)
        memcpy(v[i].hi, ref, sizeof v[i].hi);
      continue;
    }
    memcpy(x.lo, ref, sizeof x.lo);
    memcpy(x.hi, ref, sizeof x.hi);
    if (k == cap) {
      cap = cap == 0 ? 16 : cap * 2;
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
    qsort(v, k, sizeof *v, cmp_grupo);
  *out = v;
  *n = k;
  return FAT_OK;
fail:
  fat_stmt_reset(s);
  fat_free(v);
  return rc;
}

/* The next page of group gr: the ids of up to `max` ready guias after
** (*last_ref, *last_id) in (reference date, id) order, into ids[]; the key
** moves to the last row read. A guia put into a lote leaves the partial
** index, so a page costs its own rows, not the guias closed before it. */
static fat_rc page_grupo(fat_store *st, int64_t op, const grupo *gr, char last_ref[REF_MAX],
                         int64_t *last_id, int64_t *ids, size_t max, size_t *n, fat_err *err)
{
  static const char sql[] =
    "SELECT g.id, " REF_SQL " FROM guia g"
    " WHERE g.operadora_id = ?1 AND g.prestador_id = ?2 AND g.tipo = ?3"
    "  AND " REF_SQL " BETWEEN ?4 AND ?5"
    "  AND (" REF_SQL " > ?6 OR (" REF_SQL " = ?6 AND g.id > ?7))"
    "  AND substr(COALESCE(NULLIF(g.competencia, ''), " REF_SQL "), 1, 7) = ?8"
    "  AND" READY_SQL
    " ORDER BY " REF_SQL ", g.id LIMIT ?9";
  fat_stmt *s;
  char ref[REF_MAX];
  size_t k = 0;
  fat_rc rc;
  int r;

  *n = 0;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, op);
  fat_bind_int(s, 2, gr->prestador_id);
  fat_bind_text(s, 3, gr->tipo);
  fat_bind_text(s, 4, gr->lo);
  fat_bind_text(s, 5, gr->hi);
  fat_bind_text(s, 6, last_ref);
  fat_bind_int(s, 7, *last_id);
  fat_bind_text(s, 8, gr->comp);
  fat_bind_int(s, 9, (int64_t)max);
  for (r = fat_stmt_step(s); r == FAT_ROW; r = fat_stmt_step(s)) {
    *last_id = fat_col_int64(s, 0);
    fat_col_copy(s, 1, ref, sizeof ref);
    memcpy(last_ref, ref, sizeof ref);
    /* a malformed date between two real ones sorts inside the range but
    ** belongs to no period: left out, as before */
    if (fat_dia_valida(ref))
      ids[k++] = *last_id;
    else
      ids[k++] = -*last_id;
  }
  if (r != FAT_DONE)
    rc = fat_store_dberr(st, err, "erro ao ler guias prontas");
  fat_stmt_reset(s);
  *n = k;
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

/* The guias put into lotes, marked ('em_lote', lote_id) in the store in
** guia id order rather than lote by lote. A lote takes guias of one
** prestador, type and period, spread over the whole guia table (the
** operadora's guias are interleaved with the others' by date): marking them
** lote by lote dirtied nearly one page of guia, and of its indexes, per
** guia, each written out and read back again when the transaction's pages
** outgrow the page cache (docs/desempenho.md, rodada 10). Marked in id
** order, each page is changed once per pass. Memory is bounded: the marks
** are flushed when MARCAS_MAX are held (16 bytes each), and before commit. */
typedef struct marca {
  int64_t guia_id, lote_id;
} marca;

typedef struct marcas {
  marca *v;
  size_t n, cap;
} marcas;

#define MARCAS_MAX 262144

static int cmp_marca(const void *a, const void *b)
{
  const marca *x = a, *y = b;

  return x->guia_id < y->guia_id ? -1 : x->guia_id > y->guia_id;
}

/* Mark w[0..n) (n <= FAT_TISS_MAX_GUIAS, ascending ids) in one UPDATE: the
** guia triggers (painel and lote counters, the lote guard) run for each row
** either way, but one statement allocates their frames once instead of once
** per guia. Each guia's lote is chosen by a CASE on its id. A guia already
** in a lote (taken by another closing) fails the closing with FAT_ESTATE,
** naming the first such guia in id order. */
static fat_rc mark_chunk(fat_store *st, const marca *w, size_t n, fat_err *err)
{
#define WT " WHEN ? THEN ?"
#define WT10 WT WT WT WT WT WT WT WT WT WT
#define Q10 "?,?,?,?,?,?,?,?,?,?"
  /* ?1..?200: (id, lote) pairs; ?201..?300: the ids. The slots left unbound
  ** are NULL, which no id equals */
  static const char upd[] = "UPDATE guia SET status = 'em_lote', lote_id = CASE id" WT10 WT10
                            WT10 WT10 WT10 WT10 WT10 WT10 WT10 WT10
                            " END WHERE lote_id IS NULL AND id IN (" Q10 "," Q10 "," Q10 "," Q10
                            "," Q10 "," Q10 "," Q10 "," Q10 "," Q10 "," Q10 ")";
#undef WT
#undef WT10
#undef Q10
  static const char which[] = "SELECT lote_id IS ?2 FROM guia WHERE id = ?1";
  fat_stmt *s;
  size_t i;
  int mine;
  fat_rc rc;

  if (n > FAT_TISS_MAX_GUIAS)
    return fat_err_set(err, FAT_EINVAL, "um lote TISS tem de 1 a %d guias (pedido: %zu)",
                       FAT_TISS_MAX_GUIAS, n);
  rc = fat_store_prepare(st, upd, &s, err);
  if (rc != FAT_OK)
    return rc;
  for (i = 0; i < n; i++) {
    fat_bind_int(s, (int)(2 * i) + 1, w[i].guia_id);
    fat_bind_int(s, (int)(2 * i) + 2, w[i].lote_id);
    fat_bind_int(s, (int)i + 2 * FAT_TISS_MAX_GUIAS + 1, w[i].guia_id);
  }
  rc = fat_store_step_done(st, s, "erro ao marcar guia em lote", err);
  if (rc != FAT_OK || (size_t)fat_store_changes(st) == n)
    return rc;
  for (i = 0; i < n; i++) { /* the guia that was not free */
    rc = fat_store_prepare(st, which, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, w[i].guia_id);
    fat_bind_int(s, 2, w[i].lote_id);
    mine = fat_stmt_step(s) == FAT_ROW && fat_col_int(s, 0) == 1;
    fat_stmt_reset(s);
    if (!mine)
      break;
  }
  return fat_err_set(err, FAT_ESTATE, "guia %" PRId64 " entrou em outro lote durante o "
                                      "fechamento", w[i < n ? i : 0].guia_id);
}

/* Mark every guia held in mk, in id order, and empty it. */
static fat_rc mark_flush(fat_store *st, marcas *mk, fat_err *err)
{
  size_t i, k;
  fat_rc rc = FAT_OK;

  if (mk->n > 1)
    qsort(mk->v, mk->n, sizeof *mk->v, cmp_marca);
  for (i = 0; rc == FAT_OK && i < mk->n; i += k) {
    k = mk->n - i < FAT_TISS_MAX_GUIAS ? mk->n - i : FAT_TISS_MAX_GUIAS;
    rc = mark_chunk(st, mk->v + i, k, err);
  }
  mk->n = 0;
  return rc;
}

/* Hold guias v[0..n) (n <= FAT_TISS_MAX_GUIAS) for lote lote_id; the held
** marks are flushed first when there is no room for them. */
static fat_rc mark_guias(fat_store *st, marcas *mk, int64_t lote_id, const ready *v, size_t n,
                         fat_err *err)
{
  size_t i;
  fat_rc rc;

  if (mk->n + n > MARCAS_MAX) {
    rc = mark_flush(st, mk, err);
    if (rc != FAT_OK)
      return rc;
  }
  if (mk->n + n > mk->cap) {
    size_t cap = mk->cap == 0 ? 1024 : mk->cap * 2;
    marca *nv;

    while (cap < mk->n + n)
      cap *= 2;
    if (cap > MARCAS_MAX)
      cap = MARCAS_MAX;
    nv = fat_realloc(mk->v, cap * sizeof *nv);
    if (nv == NULL)
      return fat_err_oom(err);
    mk->v = nv;
    mk->cap = cap;
  }
  for (i = 0; i < n; i++) {
    mk->v[mk->n].guia_id = v[i].id;
    mk->v[mk->n].lote_id = lote_id;
    mk->n++;
  }
  return FAT_OK;
}

/* o->saida/arquivo, with ".tmp" when tmp, into path[PATH_LEN]. */
#define PATH_LEN 4200
static void saida_path(const fat_lote_fechar_opts *o, const char *arquivo, int tmp,
                       char path[PATH_LEN])
{
  snprintf(path, PATH_LEN, "%s/%s%s", o->saida, arquivo, tmp ? ".tmp" : "");
}

/* The file of the lote of guias v[0..n) (xml[0..len), named arquivo) for
** o->saida: the read of its guias is logged for o->leitor, then the bytes go
** to <arquivo>.tmp, fsynced and closed (renamed by saida_publicar once the
** transaction has committed). Written from the buffer that was just
** validated and stored: no reading back, no decompressing, no looking up
** the guias of the lote and their beneficiários again. On failure no .tmp
** is left. */
static fat_rc saida_gravar(fat_store *st, const fat_lote_fechar_opts *o, const ready *v, size_t n,
                           const char *arquivo, const char *xml, size_t len, fat_err *err)
{
  int64_t ids[FAT_TISS_MAX_GUIAS], ben[FAT_TISS_MAX_GUIAS];
  char path[PATH_LEN];
  size_t i, done = 0;
  ssize_t w;
  int fd, e = 0;
  fat_rc rc;

  if (n > FAT_TISS_MAX_GUIAS)
    return fat_err_set(err, FAT_EINVAL, "um lote TISS tem de 1 a %d guias (pedido: %zu)",
                       FAT_TISS_MAX_GUIAS, n);
  for (i = 0; i < n; i++) {
    ids[i] = v[i].id;
    ben[i] = v[i].g->beneficiario.id;
  }
  rc = fat_acesso_registrar_guias(st, o->leitor, ids, ben, n, 1, err);
  if (rc != FAT_OK)
    return rc;
  saida_path(o, arquivo, 1, path);
  /* the files hold CPF, CID and names: never world-readable */
  fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return fat_err_sys(err, errno, "não foi possível criar %s", path);
  while (e == 0 && done < len) {
    w = write(fd, xml + done, len - done);
    if (w > 0)
      done += (size_t)w;
    else if (w < 0 && errno != EINTR)
      e = errno;
  }
  if (e == 0 && fsync(fd) != 0)
    e = errno;
  if (close(fd) != 0 && e == 0)
    e = errno;
  if (e == 0)
    return FAT_OK;
  unlink(path);
  saida_path(o, arquivo, 0, path);
  return fat_err_sys(err, e, "não foi possível gravar %s", path);
}

/* After the commit: each <arquivo>.tmp of res->lotes renamed to <arquivo>.
** A failure is kept in res->arquivos (the lotes are closed; the others are
** still renamed). */
static void saida_publicar(const fat_lote_fechar_opts *o, fat_lote_fechar_res *res)
{
  char tmp[PATH_LEN], path[PATH_LEN];
  size_t i;

  for (i = 0; i < res->n; i++) {
    saida_path(o, res->lotes[i].arquivo, 1, tmp);
    saida_path(o, res->lotes[i].arquivo, 0, path);
    if (rename(tmp, path) != 0 && res->arquivos.rc == FAT_OK)
      (void)fat_err_sys(&res->arquivos, errno,
                        "lote %" PRId64 " fechado, mas não foi "
                        "possível gravar %s (use faturo lote xml %" PRId64 ")",
                        res->lotes[i].numero, path, res->lotes[i].id);
  }
}

/* Before a rollback: the .tmp files of res->lotes removed. */
static void saida_descartar(const fat_lote_fechar_opts *o, const fat_lote_fechar_res *res)
{
  char tmp[PATH_LEN];
  size_t i;

  for (i = 0; i < res->n; i++) {
    saida_path(o, res->lotes[i].arquivo, 1, tmp);
    unlink(tmp);
  }
}

/* Write, validate and store one lote of guias v[0..n). Nothing is written to
** the store unless the file is valid (*invalido = 1 when the XSD refused it). */
static fat_rc close_one(fat_store *st, int64_t op, const fat_lote_fechar_opts *o,
                        const fat_lote_cfg *cfg, const ready *v, size_t n, const char *hoje,
                        fat_lote_xml_z *z, marcas *mk, fat_lote_info *info, int *validado,
                        int *invalido, fat_err *err)
{
  /* ?12 (insert) and ?7 (reuse) were the XML, now in lote_xml (fat_lote_xml_gravar). */
  static const char ins[] =
    "INSERT INTO lote (operadora_id, prestador_id, numero, tipo_guia, competencia,"
    " periodo_inicio, periodo_fim, status, qtd_guias, valor_informado, hash, arquivo,"
    " geracao_id, fechado_em, prazo_envio, hash_encoding, pagamento_prazo_dias, validado,"
    " pagamento_dias_uteis, pagamento_de_protocolo, pagamento_dias_mes)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'fechado', ?8, ?9, ?10, ?11, ?13, ?14, ?15,"
    " ?16, ?17, ?18, ?19, ?20, ?21)";
  static const char reuse[] =
    "UPDATE lote SET status = 'fechado', periodo_inicio = ?2, qtd_guias = ?3,"
    " valor_informado = ?4, hash = ?5, arquivo = ?6, geracao_id = ?8,"
    " fechado_em = ?9, prazo_envio = ?10, hash_encoding = ?11, pagamento_prazo_dias = ?12,"
    " validado = ?13, motivo_reabertura = NULL, pagamento_dias_uteis = ?14,"
    " pagamento_de_protocolo = ?15, pagamento_dias_mes = ?16 WHERE id = ?1";
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
  rc = fat_lote_xml_gravar_z(st, z, lote_id, doc.xml, doc.len, err);
  if (rc != FAT_OK)
    goto out;
  info->id = lote_id;
  rc = mark_guias(st, mk, lote_id, v, n, err);
  if (rc != FAT_OK)
    goto out;
  snprintf(det, sizeof det, "lote %" PRId64 ", %zu guias, hash %s%s", numero, n, doc.hash,
           o->xsd_dir != NULL ? ", XSD ok" : ", XSD não validado");
  rc = fat_lote_evento(st, lote_id, info->reaberto ? "aberto" : NULL, "fechado", hoje, det,
                       err);
  if (rc == FAT_OK && o->saida != NULL)
    rc = saida_gravar(st, o, v, n, info->arquivo, doc.xml, doc.len, err);
out:
  fat_tiss_doc_fini(&doc);
  return rc;
}

/* Guias held back, in the order they were found. */
typedef struct retidas {
  fat_lote_retida *v;
  size_t n;
} retidas;

/* Record guia x as held back (not sent) with why, in list; x->g is freed
** (also on failure). */
static fat_rc hold_back(retidas *list, ready *x, const char *campo, const char *motivo,
                        fat_err *err)
{
  fat_lote_retida *nr = fat_realloc(list->v, (list->n + 1) * sizeof *nr);
  fat_lote_retida *r;
  fat_rc rc = FAT_OK;

  if (nr == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  list->v = nr;
  r = &nr[list->n++];
  memset(r, 0, sizeof *r);
  r->guia_id = x->id;
  snprintf(r->numero, sizeof r->numero, "%s",
           x->g != NULL && x->g->numero_prestador != NULL ? x->g->numero_prestador : "");
  snprintf(r->campo, sizeof r->campo, "%s", campo != NULL ? campo : "");
  snprintf(r->motivo, sizeof r->motivo, "%s", motivo);
out:
  fat_guia_free(x->g);
  x->g = NULL;
  return rc;
}

/* The XSD refused the lote of v[0..n): find, guia by guia, which ones it
** refuses and hold them back; v is compacted to the others (*n updated;
** the slots after them hold no guia). */
static fat_rc screen_xsd(const fat_lote_fechar_opts *o, const fat_lote_cfg *cfg, ready *v,
                         size_t *n, const char *hoje, retidas *held, fat_err *err)
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
    rc = hold_back(held, &v[i], NULL, e.msg, err);
  }
  for (; i < *n; i++)
    v[k++] = v[i];
  for (i = k; i < *n; i++) /* moved down or freed: the caller frees v[0..*n) of its array */
    v[i].g = NULL;
  *n = k;
  return rc;
}

/* Close the lote of guias v[0..n) of one group; a guia the XSD refuses is
** held back (in held) and the lote closes with the others; the lote goes to
** res->lotes. The guias are freed in every case. */
static fat_rc close_chunk(fat_store *st, int64_t op, const fat_lote_fechar_opts *o,
                          const fat_lote_cfg *cfg, ready *v, size_t n, const char *hoje,
                          fat_lote_xml_z *z, marcas *mk, fat_lote_fechar_res *res, retidas *held,
                          size_t *cap, fat_err *err)
{
  size_t before = n, i;
  int invalido = 0;
  fat_err refused;
  fat_rc rc = FAT_OK;

  if (res->n == *cap) {
    fat_lote_info *nl;
    size_t ncap = *cap == 0 ? 8 : *cap * 2;

    nl = fat_realloc(res->lotes, ncap * sizeof *nl);
    if (nl == NULL) {
      rc = fat_err_oom(err);
      goto out;
    }
    res->lotes = nl;
    *cap = ncap;
  }
  rc = close_one(st, op, o, cfg, v, n, hoje, z, mk, &res->lotes[res->n], &res->validado,
                 &invalido, err);
  if (rc != FAT_OK && invalido) {
    refused = *err;
    rc = screen_xsd(o, cfg, v, &n, hoje, held, err);
    if (rc == FAT_OK && n == before) { /* no guia alone is refused: the lote as a whole is */
      *err = refused;
      rc = refused.rc;
    } else if (rc == FAT_OK && n == 0) {
      goto out; /* every guia of the group held back */
    } else if (rc == FAT_OK) {
      rc = close_one(st, op, o, cfg, v, n, hoje, z, mk, &res->lotes[res->n], &res->validado,
                     &invalido, err);
    }
  }
  if (rc == FAT_OK) {
    res->n++;
    res->guias += n;
  }
out:
  for (i = 0; i < before; i++) {
    fat_guia_free(v[i].g);
    v[i].g = NULL;
  }
  return rc;
}

/* Close the lotes of group gr: its ready guias are read a page at a time
** (max_guias ids), loaded and screened (fat_enviavel: one the XSD cannot
** carry is held back in res->retidas), and each time max_guias of them are
** in v, they are written, validated, stored and freed. v has room for
** max_guias guias, ids for max_guias ids: nothing here grows with the
** number of guias. */
static fat_rc close_grupo(fat_store *st, int64_t op, const fat_lote_fechar_opts *o,
                          const fat_lote_cfg *cfg, const grupo *gr, fat_guia_loader *ld,
                          fat_lote_xml_z *z, marcas *mk, ready *v, int64_t *ids, const char *hoje,
                          fat_lote_fechar_res *res, retidas *sem_campo, retidas *recusadas,
                          size_t *cap, fat_err *err)
{
  size_t max = (size_t)cfg->max_guias, n = 0, n_ids = 0, i;
  char last_ref[REF_MAX], campo[64], motivo[256];
  const char *rotulo = NULL;
  int64_t last_id = 0;
  fat_rc rc = FAT_OK;

  last_ref[0] = '\0';
  do {
    rc = page_grupo(st, op, gr, last_ref, &last_id, ids, max, &n_ids, err);
    for (i = 0; rc == FAT_OK && i < n_ids; i++) {
      ready *x = &v[n];

      if (ids[i] < 0)
        continue;
      memset(x, 0, sizeof *x);
      x->id = ids[i];
      x->prestador_id = gr->prestador_id;
      memcpy(x->tipo, gr->tipo, sizeof x->tipo);
      memcpy(x->comp, gr->comp, sizeof x->comp);
      memcpy(x->ini, gr->ini, sizeof x->ini);
      memcpy(x->fim, gr->fim, sizeof x->fim);
      rc = fat_guia_loader_load(ld, x->id, &x->g, err);
      if (rc != FAT_OK)
        break;
      if (fat_enviavel_faltando(x->g, campo, sizeof campo, &rotulo)) {
        snprintf(motivo, sizeof motivo, "falta %s (%s), que o XSD TISS exige", rotulo, campo);
        rc = hold_back(sem_campo, x, campo, motivo, err);
        continue;
      }
      if (++n == max) {
        rc = close_chunk(st, op, o, cfg, v, n, hoje, z, mk, res, recusadas, cap, err);
        n = 0;
      }
    }
  } while (rc == FAT_OK && n_ids == max);
  if (rc == FAT_OK && n > 0) {
    rc = close_chunk(st, op, o, cfg, v, n, hoje, z, mk, res, recusadas, cap, err);
    n = 0;
  }
  for (i = 0; i < n; i++) { /* after an error */
    fat_guia_free(v[i].g);
    v[i].g = NULL;
  }
  return rc;
}

/* Append list to res->retidas. */
static fat_rc add_retidas(fat_lote_fechar_res *res, const retidas *list, fat_err *err)
{
  fat_lote_retida *nr;

  if (list->n == 0)
    return FAT_OK;
  nr = fat_realloc(res->retidas, (res->n_retidas + list->n) * sizeof *nr);
  if (nr == NULL)
    return fat_err_oom(err);
  memcpy(nr + res->n_retidas, list->v, list->n * sizeof *nr);
  res->retidas = nr;
  res->n_retidas += list->n;
  return FAT_OK;
}

/* The body of fat_lote_fechar(_contrato): the contract is typed (from the
** rules generation) or JSON (tests). What is held at once: the groups (a
** few per period), one page of ids and one lote of guias and its XML,
** and the (guia, lote) marks not yet written (at most MARCAS_MAX, 4 MiB);
** never every ready guia. The guias held back are reported those that lack
** a field first, then those the XSD refused. */
static fat_rc fechar(fat_store *st, const fat_lote_fechar_opts *o_in, const fat_contrato *typed,
                     const cJSON *contract, fat_lote_fechar_res *res, fat_err *err)
{
  fat_lote_fechar_opts opts = *o_in; /* with the hora normalized */
  const fat_lote_fechar_opts *o = &opts;
  fat_lote_cfg *cfg = NULL;
  char hoje[11], ate[11], hora[9];
  int64_t op, *ids = NULL;
  grupo *grupos = NULL;
  ready *v = NULL;
  fat_guia_loader *ld = NULL;
  fat_lote_xml_z *z = NULL;
  marcas mk = {NULL, 0, 0};
  retidas sem_campo = {NULL, 0}, recusadas = {NULL, 0};
  size_t n_grupos = 0, i, cap = 0;
  int in_tx = 0;
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
  /* the statement journal of mark_guias (one UPDATE of up to 100 guias,
  ** ~100 KB of changed pages) stays in memory instead of a temporary file */
  if (rc == FAT_OK)
    rc = fat_store_begin_bulk(st, err);
  if (rc != FAT_OK)
    goto out;
  in_tx = 1;
  rc = load_grupos(st, op, o, ate, cfg, &grupos, &n_grupos, err);
  if (rc == FAT_OK && n_grupos > 0) {
    v = fat_calloc((size_t)cfg->max_guias, sizeof *v);
    ids = fat_calloc((size_t)cfg->max_guias, sizeof *ids);
    if (v == NULL || ids == NULL)
      rc = fat_err_oom(err);
  }
  if (rc == FAT_OK && n_grupos > 0)
    rc = fat_guia_loader_new(st, &ld, err);
  if (rc == FAT_OK && n_grupos > 0)
    rc = fat_lote_xml_z_new(&z, err);
  res->validado = o->xsd_dir != NULL;
  for (i = 0; rc == FAT_OK && i < n_grupos; i++)
    rc = close_grupo(st, op, o, cfg, &grupos[i], ld, z, &mk, v, ids, hoje, res, &sem_campo,
                     &recusadas, &cap, err);
  if (rc == FAT_OK)
    rc = mark_flush(st, &mk, err);
  if (rc == FAT_OK)
    rc = add_retidas(res, &sem_campo, err);
  if (rc == FAT_OK)
    rc = add_retidas(res, &recusadas, err);
  if (rc != FAT_OK)
    goto out;
  rc = fat_store_commit(st, err);
  in_tx = 0;
  if (rc == FAT_OK && o->saida != NULL)
    saida_publicar(o, res);
out:
  if (rc != FAT_OK && o->saida != NULL)
    saida_descartar(o, res);
  if (in_tx)
    fat_store_rollback(st);
  fat_guia_loader_free(ld);
  fat_lote_xml_z_free(z);
  fat_free(mk.v);
  fat_free(sem_campo.v);
  fat_free(recusadas.v);
  fat_free(v);
  fat_free(ids);
  fat_free(grupos);
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
