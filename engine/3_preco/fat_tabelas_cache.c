/* fat_tabelas_cache.c: the table look-ups of one pricing action, kept
** (see fat_tabelas_cache.h). A chained hash table of answers keyed by the
** look-up's whole input; bounded (emptied when full). */
#include "fat_tabelas_cache.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "fat_mem.h"

#define TC_BUCKETS 65536
#define TC_MAX 65536 /* answers kept before the cache starts over */

typedef struct tc_neg {
  int64_t valor;
  char descricao[160];
  char vigencia[11];
} tc_neg;

typedef struct tc_porte {
  int64_t valor;
  char vigencia[11];
} tc_porte;

typedef struct tc_tuss {
  char tabela[4];
  char descricao[160];
} tc_tuss;

typedef struct tc_entry {
  struct tc_entry *next;
  uint32_t h;
  char *key;
  fat_rc rc;
  char *msg;  /* the not-found message; NULL when found */
  fat_neg_vigs *vigs; /* kind 'N': a code's negotiated rows (NULL: ask SQLite) */
  union {
    fat_cbhpm_proc cbhpm;
    fat_insumo_preco insumo;
    tc_neg neg;
    tc_porte porte;
    tc_tuss tuss;
  } v;
} tc_entry;

struct fat_tcache {
  tc_entry **b; /* TC_BUCKETS chains, allocated with the first answer */
  size_t n;
  int shared;   /* fat_tcache_share: every use under mu */
  /* read-write, not a mutex: once the tables' answers are kept, the threads
  ** of a run only read them, and with a mutex they queued for each other's
  ** look-ups (a sleep and a wake-up in the kernel each time: ~1/10 of the
  ** context switches of conferir on 2 threads, rodada 11b) */
  pthread_rwlock_t mu;
};

fat_tcache *fat_tcache_new(void)
{
  fat_tcache *c = fat_calloc(1, sizeof(fat_tcache));

  if (c != NULL && pthread_rwlock_init(&c->mu, NULL) != 0) {
    fat_free(c);
    c = NULL;
  }
  return c;
}

void fat_tcache_share(fat_tcache *c) { c->shared = 1; }

/* For reading the kept answers (others may read meanwhile). */
static void tc_lock_read(fat_tcache *c)
{
  if (c->shared)
    pthread_rwlock_rdlock(&c->mu);
}

/* For keeping an answer (alone). */
static void tc_lock(fat_tcache *c)
{
  if (c->shared)
    pthread_rwlock_wrlock(&c->mu);
}

static void tc_unlock(fat_tcache *c)
{
  if (c->shared)
    pthread_rwlock_unlock(&c->mu);
}

static void tc_clear(fat_tcache *c)
{
  size_t i;

  for (i = 0; c->b != NULL && i < TC_BUCKETS; i++) {
    tc_entry *e = c->b[i], *nx;

    for (; e != NULL; e = nx) {
      nx = e->next;
      fat_free(e->key);
      fat_free(e->msg);
      fat_free(e->vigs);
      fat_free(e);
    }
    c->b[i] = NULL;
  }
  c->n = 0;
}

void fat_tcache_free(fat_tcache *c)
{
  if (c == NULL)
    return;
  tc_clear(c);
  fat_free(c->b);
  pthread_rwlock_destroy(&c->mu);
  fat_free(c);
}

/* Append text t (absent: "\x1e", apart from "") and a 0x1f separator at
** *n; 0 when it does not fit. */
static int tc_put_part(char *buf, size_t len, size_t *n, const char *t, int sep)
{
  size_t k;

  if (t == NULL)
    t = "\x1e";
  k = strlen(t);
  if (*n + k + 2 > len)
    return 0;
  memcpy(buf + *n, t, k);
  *n += k;
  if (sep)
    buf[(*n)++] = '\x1f';
  buf[*n] = '\0';
  return 1;
}

/* The key of a look-up: its kind and inputs, separated by 0x1f (absent
** inputs as "\x1e", apart from ""). 0 when it does not fit. Built by hand:
** it is made for every item priced. */
static int tc_key(char *buf, size_t len, char kind, const char *a, const char *b,
                  const char *d)
{
  size_t n = 2;

  if (len < 3)
    return 0;
  buf[0] = kind;
  buf[1] = '\x1f';
  return tc_put_part(buf, len, &n, a, 1) && tc_put_part(buf, len, &n, b, 1) &&
         tc_put_part(buf, len, &n, d, 0);
}

static uint32_t tc_hash(const char *s)
{
  uint32_t h = 2166136261u; /* FNV-1a */

  for (; *s != '\0'; s++) {
    h ^= (unsigned char)*s;
    h *= 16777619u;
  }
  return h;
}

static tc_entry *tc_find(fat_tcache *c, const char *key, uint32_t h)
{
  tc_entry *e;

  if (c->b == NULL)
    return NULL;
  for (e = c->b[h % TC_BUCKETS]; e != NULL; e = e->next)
    if (e->h == h && strcmp(e->key, key) == 0)
      return e;
  return NULL;
}

/* Keep the answer (rc, the error's message when not found, the value at
** v of size n). Out of memory only loses the cache entry. err NULL: a
** not-found answer without its message (fat_tcache_negociado_preco's, whose
** keys no other look-up asks). */
static void tc_put(fat_tcache *c, const char *key, uint32_t h, fat_rc rc, const fat_err *err,
                   const void *v, size_t n)
{
  tc_entry *e;

  if (rc != FAT_OK && rc != FAT_ENOTFOUND)
    return;
  if (c->n >= TC_MAX)
    tc_clear(c);
  if (c->b == NULL)
    c->b = fat_calloc(TC_BUCKETS, sizeof *c->b);
  if (c->b == NULL)
    return;
  e = fat_calloc(1, sizeof *e);
  if (e == NULL)
    return;
  e->key = fat_strdup(key);
  e->msg = rc != FAT_OK && err != NULL ? fat_strdup(err->msg) : NULL;
  if (e->key == NULL || (rc != FAT_OK && err != NULL && e->msg == NULL)) {
    fat_free(e->key);
    fat_free(e->msg);
    fat_free(e);
    return;
  }
  e->h = h;
  e->rc = rc;
  if (rc == FAT_OK)
    memcpy(&e->v, v, n);
  e->next = c->b[h % TC_BUCKETS];
  c->b[h % TC_BUCKETS] = e;
  c->n++;
}

/* A kept answer: FAT_OK with the value copied to v, or the kept error. */
static fat_rc tc_answer(const tc_entry *e, void *v, size_t n, fat_err *err)
{
  if (e->rc != FAT_OK) { /* fat_err_set(err, e->rc, "%s", e->msg) without the formatting */
    if (err != NULL) {
      err->rc = e->rc;
      err->sys = 0;
      fat_strcpy_cut(err->msg, sizeof err->msg, e->msg != NULL ? e->msg : "");
    }
    return e->rc;
  }
  memcpy(v, &e->v, n);
  return FAT_OK;
}

/* The kept answer of key into v (n bytes) in *rc: 1 when there is one. */
static int tc_get(fat_tcache *c, const char *key, uint32_t h, void *v, size_t n, fat_rc *rc,
                  fat_err *err)
{
  tc_entry *e;

  tc_lock_read(c);
  e = tc_find(c, key, h);
  if (e != NULL)
    *rc = tc_answer(e, v, n, err);
  tc_unlock(c);
  return e != NULL;
}

/* tc_put under the lock; another thread may have kept the same answer
** meanwhile (the tables do not change during the action: the same one). */
static void tc_keep(fat_tcache *c, const char *key, uint32_t h, fat_rc rc, const fat_err *err,
                    const void *v, size_t n)
{
  tc_lock(c);
  if (tc_find(c, key, h) == NULL)
    tc_put(c, key, h, rc, err, v, n);
  tc_unlock(c);
}

fat_rc fat_tcache_cbhpm(fat_tcache *c, fat_store *st, const char *edicao, const char *codigo,
                        const char *data, fat_cbhpm_proc *out, fat_err *err)
{
  char key[256];
  uint32_t h;
  fat_rc rc;

  if (c == NULL || !tc_key(key, sizeof key, 'c', edicao, codigo, data))
    return fat_tabelas_cbhpm(st, edicao, codigo, data, out, err);
  h = tc_hash(key);
  if (tc_get(c, key, h, out, sizeof *out, &rc, err))
    return rc;
  rc = fat_tabelas_cbhpm(st, edicao, codigo, data, out, err);
  tc_keep(c, key, h, rc, err, out, sizeof *out);
  return rc;
}

fat_rc fat_tcache_porte(fat_tcache *c, fat_store *st, const char *edicao, const char *porte,
                        const char *data, int64_t *valor, char vigencia[11], fat_err *err)
{
  char key[256];
  tc_porte p;
  uint32_t h;
  fat_rc rc;

  if (c == NULL || !tc_key(key, sizeof key, 'p', edicao, porte, data))
    return fat_tabelas_porte(st, edicao, porte, data, valor, vigencia, err);
  h = tc_hash(key);
  memset(&p, 0, sizeof p);
  if (!tc_get(c, key, h, &p, sizeof p, &rc, err)) {
    rc = fat_tabelas_porte(st, edicao, porte, data, &p.valor, p.vigencia, err);
    tc_keep(c, key, h, rc, err, &p, sizeof p);
  }
  if (rc == FAT_OK) {
    *valor = p.valor;
    memcpy(vigencia, p.vigencia, sizeof p.vigencia);
  }
  return rc;
}

fat_rc fat_tcache_insumo(fat_tcache *c, fat_store *st, const char *tabela, const char *codigo,
                         const char *data, fat_insumo_preco *out, fat_err *err)
{
  char key[256];
  uint32_t h;
  fat_rc rc;

  if (c == NULL || !tc_key(key, sizeof key, 'i', tabela, codigo, data))
    return fat_tabelas_insumo(st, tabela, codigo, data, out, err);
  h = tc_hash(key);
  if (tc_get(c, key, h, out, sizeof *out, &rc, err))
    return rc;
  rc = fat_tabelas_insumo(st, tabela, codigo, data, out, err);
  tc_keep(c, key, h, rc, err, out, sizeof *out);
  return rc;
}

/* Keep vigs (owned from now on, freed if not kept) under key 'N'. */
static void tc_keep_vigs(fat_tcache *c, const char *key, uint32_t h, fat_neg_vigs *vigs)
{
  tc_entry *e = NULL;

  tc_lock(c);
  if (tc_find(c, key, h) == NULL) {
    if (c->n >= TC_MAX)
      tc_clear(c);
    if (c->b == NULL)
      c->b = fat_calloc(TC_BUCKETS, sizeof *c->b);
    e = c->b != NULL ? fat_calloc(1, sizeof *e) : NULL;
    if (e != NULL && (e->key = fat_strdup(key)) == NULL) {
      fat_free(e);
      e = NULL;
    }
    if (e != NULL) {
      e->h = h;
      e->rc = FAT_OK;
      e->vigs = vigs;
      e->next = c->b[h % TC_BUCKETS];
      c->b[h % TC_BUCKETS] = e;
      c->n++;
    }
  }
  tc_unlock(c);
  if (e == NULL)
    fat_free(vigs);
}

/* A negotiated price not kept for its date: chosen from the code's rows,
** read once per code (fat_tabelas_negociado_em; the dates of a run ask the
** same few codes again and again), else from the table. */
static fat_rc neg_miss(fat_tcache *c, fat_store *st, const char *registro_ans,
                       const char *codigo, const char *data, tc_neg *ng, int quiet,
                       fat_err *err)
{
  fat_err *nf = quiet ? NULL : err; /* where a not-found answer's message goes */
  char key[256];
  fat_neg_vigs *vigs = NULL;
  tc_entry *e;
  uint32_t h;
  int done = 0, seen;
  fat_rc rc = FAT_OK;

  if (!tc_key(key, sizeof key, 'N', registro_ans, codigo, NULL))
    return fat_tabelas_negociado(st, registro_ans, codigo, data, &ng->valor, ng->descricao,
                                 ng->vigencia, err);
  h = tc_hash(key);
  tc_lock_read(c);
  e = tc_find(c, key, h);
  seen = e != NULL;
  if (e != NULL && e->vigs != NULL) {
    rc = fat_tabelas_negociado_em(e->vigs, registro_ans, codigo, data, &ng->valor,
                                  ng->descricao, ng->vigencia, nf);
    done = 1;
  }
  tc_unlock(c);
  if (done)
    return rc;
  if (!seen) { /* the code's rows, answered from before they are kept */
    rc = fat_tabelas_negociado_vigs(st, registro_ans, codigo, &vigs, err);
    if (rc != FAT_OK)
      return rc;
    if (vigs != NULL)
      rc = fat_tabelas_negociado_em(vigs, registro_ans, codigo, data, &ng->valor,
                                    ng->descricao, ng->vigencia, nf);
    done = vigs != NULL;
    tc_keep_vigs(c, key, h, vigs); /* NULL too: the next date asks the table at once */
    if (done)
      return rc;
  }
  return fat_tabelas_negociado(st, registro_ans, codigo, data, &ng->valor, ng->descricao,
                               ng->vigencia, err);
}

/* fat_tcache_negociado (quiet 0, kind 'n') and fat_tcache_negociado_preco
** (quiet 1, kind 'v': a not-found answer is kept and given without its
** message, err untouched). */
static fat_rc negociado(fat_tcache *c, fat_store *st, const char *registro_ans,
                        const char *codigo, const char *data, int64_t *valor,
                        char descricao[160], char vigencia[11], int quiet, fat_err *err)
{
  char key[256];
  tc_neg ng;
  uint32_t h;
  fat_rc rc;
  fat_err e;

  if (c == NULL || !tc_key(key, sizeof key, quiet ? 'v' : 'n', registro_ans, codigo, data))
    return fat_tabelas_negociado(st, registro_ans, codigo, data, valor, descricao, vigencia,
                                 err);
  h = tc_hash(key);
  memset(&ng, 0, sizeof ng);
  if (!tc_get(c, key, h, &ng, sizeof ng, &rc, quiet ? NULL : err)) {
    fat_err_clear(&e);
    rc = neg_miss(c, st, registro_ans, codigo, data, &ng, quiet, &e);
    tc_keep(c, key, h, rc, quiet && rc == FAT_ENOTFOUND ? NULL : &e, &ng, sizeof ng);
    if (rc != FAT_OK && !(quiet && rc == FAT_ENOTFOUND) && err != NULL)
      *err = e;
  }
  if (rc == FAT_OK) {
    *valor = ng.valor;
    memcpy(descricao, ng.descricao, sizeof ng.descricao);
    memcpy(vigencia, ng.vigencia, sizeof ng.vigencia);
  }
  return rc;
}

fat_rc fat_tcache_negociado(fat_tcache *c, fat_store *st, const char *registro_ans,
                            const char *codigo, const char *data, int64_t *valor,
                            char descricao[160], char vigencia[11], fat_err *err)
{
  return negociado(c, st, registro_ans, codigo, data, valor, descricao, vigencia, 0, err);
}

fat_rc fat_tcache_negociado_preco(fat_tcache *c, fat_store *st, const char *registro_ans,
                                  const char *codigo, const char *data, int64_t *valor,
                                  char descricao[160], char vigencia[11], fat_err *err)
{
  return negociado(c, st, registro_ans, codigo, data, valor, descricao, vigencia, 1, err);
}

fat_rc fat_tcache_tuss(fat_tcache *c, fat_store *st, const char *codigo, const char *data,
                       char tabela[4], char descricao[160], fat_err *err)
{
  char key[256];
  tc_tuss t;
  uint32_t h;
  fat_rc rc;

  if (c == NULL || !tc_key(key, sizeof key, 't', NULL, codigo, data))
    return fat_tabelas_tuss(st, codigo, data, tabela, descricao, err);
  h = tc_hash(key);
  memset(&t, 0, sizeof t);
  if (!tc_get(c, key, h, &t, sizeof t, &rc, err)) {
    rc = fat_tabelas_tuss(st, codigo, data, t.tabela, t.descricao, err);
    tc_keep(c, key, h, rc, err, &t, sizeof t);
  }
  if (rc == FAT_OK) {
    memcpy(tabela, t.tabela, sizeof t.tabela);
    memcpy(descricao, t.descricao, sizeof t.descricao);
  }
  return rc;
}
