/* fat_rules.c: the published generation of a rules folder: open, reload,
** publish a draft, roll back, and reload in the background.
**
** Building a generation runs Lua and may take up to its time limits, so it
** never happens under a lock: a reload builds beside the live generation
** and only then takes the commit lock to record and swap. Concurrent
** reloads carry tickets (the newest started one wins); a publish or a
** rollback writes the folder under the commit lock and bumps the folder
** version, so a build that read the folder before that is built again.
** A reload that hangs therefore never blocks other reloads, publishing, or
** the requests that acquire the live generation.
*/
#include "fat_rules_int.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#define COMMIT_RETRIES 3

struct fat_rules {
  pthread_mutex_t mu;        /* guards cur (acquire) */
  pthread_mutex_t commit_mu; /* files, record and swap; no Lua runs under it */
  fat_gen *cur;
  char *dir;
  fat_limits lim;
  atomic_int refs;           /* the owner plus background reloads */
  atomic_ulong ticket_next;
  unsigned long ticket_live;    /* under commit_mu */
  unsigned long folder_version; /* under commit_mu: bumped when files are written */
};

static void rules_free(fat_rules *r)
{
  fat_gen_release(r->cur); /* in-flight holders keep their reference */
  pthread_mutex_destroy(&r->mu);
  pthread_mutex_destroy(&r->commit_mu);
  fat_free(r->dir);
  fat_free(r);
}

static void rules_release(fat_rules *r)
{
  if (atomic_fetch_sub(&r->refs, 1) == 1)
    rules_free(r);
}

static fat_rc no_dir(fat_err *err)
{
  return fat_err_set(err, FAT_EINVAL, "pasta de regras não encontrada: informe --regras DIR ou "
                                      "defina FATURO_REGRAS ou FATURO_HOME");
}

fat_rc fat_rules_open(const char *dir, const fat_limits *lim, fat_store *st, fat_rules **out,
                      fat_err *err)
{
  fat_rules *r;
  fat_rules_source src;
  fat_rc rc;

  *out = NULL;
  if (dir == NULL)
    return no_dir(err);
  r = fat_calloc(1, sizeof *r);
  if (r == NULL)
    return fat_err_oom(err);
  fat_rules_limits_fill(&r->lim, lim);
  atomic_init(&r->refs, 1);
  atomic_init(&r->ticket_next, 0);
  r->dir = fat_strdup(dir);
  if (r->dir == NULL || pthread_mutex_init(&r->mu, NULL) != 0) {
    fat_free(r->dir);
    fat_free(r);
    return fat_err_oom(err);
  }
  if (pthread_mutex_init(&r->commit_mu, NULL) != 0) {
    pthread_mutex_destroy(&r->mu);
    fat_free(r->dir);
    fat_free(r);
    return fat_err_oom(err);
  }
  memset(&src, 0, sizeof src);
  src.dir = dir;
  rc = fat_rules_gen_build(&src, &r->lim, 1, &r->cur, err);
  if (rc == FAT_OK && st != NULL)
    rc = fat_gen_record(r->cur, st, "carga", err);
  if (rc != FAT_OK) {
    rules_free(r);
    return rc;
  }
  *out = r;
  return FAT_OK;
}

void fat_rules_close(fat_rules *r)
{
  if (r != NULL)
    rules_release(r); /* a background reload still running keeps it */
}

fat_gen *fat_rules_acquire(fat_rules *r)
{
  fat_gen *g;

  pthread_mutex_lock(&r->mu);
  g = r->cur;
  atomic_fetch_add(&g->refs, 1);
  pthread_mutex_unlock(&r->mu);
  return g;
}

const char *fat_rules_dir(const fat_rules *r) { return r != NULL ? r->dir : ""; }

/* Swap in next (caller holds commit_mu); the old one is released. */
static void publish(fat_rules *r, fat_gen *next, unsigned long ticket)
{
  fat_gen *old;

  pthread_mutex_lock(&r->mu);
  old = r->cur;
  r->cur = next;
  pthread_mutex_unlock(&r->mu);
  r->ticket_live = ticket;
  fat_gen_release(old); /* closed when the last in-flight call releases it */
}

static unsigned long folder_version(fat_rules *r)
{
  unsigned long v;

  pthread_mutex_lock(&r->commit_mu);
  v = r->folder_version;
  pthread_mutex_unlock(&r->commit_mu);
  return v;
}

fat_rc fat_rules_reload(fat_rules *r, fat_store *st, fat_err *err)
{
  unsigned long ticket = atomic_fetch_add(&r->ticket_next, 1) + 1;
  fat_rules_source src;
  fat_gen *next = NULL;
  fat_rc rc = FAT_OK;
  int attempt;

  memset(&src, 0, sizeof src);
  src.dir = r->dir;
  for (attempt = 0;; attempt++) {
    unsigned long v0 = folder_version(r);

    rc = fat_rules_gen_build(&src, &r->lim, 1, &next, err); /* beside the live one */
    if (rc != FAT_OK)
      break;
    pthread_mutex_lock(&r->commit_mu);
    if (r->folder_version != v0 && attempt < COMMIT_RETRIES) {
      pthread_mutex_unlock(&r->commit_mu); /* the folder changed meanwhile: again */
      fat_gen_release(next);
      next = NULL;
      continue;
    }
    if (ticket < r->ticket_live) { /* a reload started later is already live */
      pthread_mutex_unlock(&r->commit_mu);
      break;
    }
    if (st != NULL)
      rc = fat_gen_record(next, st, "recarga", err);
    if (rc == FAT_OK) {
      publish(r, next, ticket);
      next = NULL;
    }
    pthread_mutex_unlock(&r->commit_mu);
    break;
  }
  fat_gen_release(next);
  if (rc != FAT_OK)
    return fat_err_prefix(err, "recarga recusada, regras anteriores continuam valendo: ");
  return FAT_OK;
}

fat_rc fat_rules_publicar(fat_rules *r, fat_store *st, const char *operadora, const char *text,
                          size_t len, fat_err *err)
{
  fat_rules_source src;
  fat_gen *next = NULL;
  char *path = NULL, *old = NULL, motivo[96];
  size_t old_len = 0;
  int had_old = 0, attempt;
  fat_rc rc = FAT_OK;

  if (operadora == NULL || !fat_rules_valid_key(operadora, strlen(operadora)))
    return fat_err_set(err, FAT_EINVAL, "chave de operadora inválida '%s'",
                       operadora != NULL ? operadora : "");
  if (text == NULL || len > FAT_RULES_SCRIPT_MAX)
    return fat_err_set(err, FAT_ELIMIT, "script grande demais (máximo %d KiB)",
                       FAT_RULES_SCRIPT_MAX / 1024);
  path = fat_asprintf("%s/operators/%s.lua", r->dir, operadora);
  if (path == NULL)
    return fat_err_oom(err);
  memset(&src, 0, sizeof src);
  src.dir = r->dir;
  src.override_key = operadora;
  src.override_text = text;
  src.override_len = len;
  for (attempt = 0;; attempt++) {
    unsigned long v0 = folder_version(r);

    /* first the generation (compile, validate, self-tests) ... */
    rc = fat_rules_gen_build(&src, &r->lim, 1, &next, err);
    if (rc != FAT_OK)
      goto out;
    pthread_mutex_lock(&r->commit_mu);
    if (r->folder_version == v0)
      break; /* holding commit_mu */
    pthread_mutex_unlock(&r->commit_mu);
    fat_gen_release(next);
    next = NULL;
    if (attempt >= COMMIT_RETRIES) {
      rc = fat_err_set(err, FAT_ESTATE, "a pasta de regras mudou várias vezes durante a "
                                        "publicação; tente de novo");
      goto out;
    }
  }
  /* ... then the file (atomically), then the record and the swap */
  had_old = fat_file_read(path, FAT_RULES_SCRIPT_MAX, &old, &old_len, NULL) == FAT_OK;
  rc = fat_file_write(path, text, len, err);
  if (rc == FAT_OK) {
    r->folder_version++;
    snprintf(motivo, sizeof motivo, "publicacao de %s", operadora);
    if (st != NULL)
      rc = fat_gen_record(next, st, motivo, err);
    if (rc == FAT_OK) {
      publish(r, next, atomic_fetch_add(&r->ticket_next, 1) + 1);
      next = NULL;
    } else if (had_old && fat_file_write(path, old, old_len, NULL) != FAT_OK) {
      fat_err_prefix(err, "ATENÇÃO: %s ficou com o rascunho, mas não foi publicado: ", path);
    } else if (!had_old) {
      (void)remove(path);
    }
  }
  pthread_mutex_unlock(&r->commit_mu);
out:
  fat_gen_release(next);
  fat_free(old);
  fat_free(path);
  if (rc != FAT_OK)
    return fat_err_prefix(err, "publicação recusada; as regras em uso continuam valendo: ");
  return FAT_OK;
}

fat_rc fat_rules_revert_live(fat_rules *r, fat_store *st, int64_t version, unsigned flags,
                             int64_t *new_id, fat_err *err)
{
  fat_gen *g = NULL;
  fat_rc rc;
  char motivo[64];

  if (new_id != NULL)
    *new_id = 0;
  if (st == NULL)
    return fat_err_set(err, FAT_EINVAL, "banco de dados não informado");
  rc = fat_rules_build_version_gated(st, version, &r->lim, &g, err);
  if (rc != FAT_OK)
    return rc;
  fat_free(g->dir);
  g->dir = fat_strdup(r->dir);
  if (g->dir == NULL) {
    fat_gen_release(g);
    return fat_err_oom(err);
  }
  pthread_mutex_lock(&r->commit_mu);
  rc = fat_rules_folder_write(r->dir, st, g, version, flags, err);
  if (rc == FAT_OK) {
    r->folder_version++;
    snprintf(motivo, sizeof motivo, "reversao de %lld", (long long)version);
    rc = fat_gen_record(g, st, motivo, err);
  }
  if (rc == FAT_OK) {
    if (new_id != NULL)
      *new_id = g->id;
    publish(r, g, atomic_fetch_add(&r->ticket_next, 1) + 1);
    g = NULL;
  }
  pthread_mutex_unlock(&r->commit_mu);
  fat_gen_release(g);
  return rc;
}

/* {======================================================================
** Background reload
** ======================================================================= */

typedef struct bg_reload {
  fat_rules *r;
  char *db_path;
  void (*done)(void *ud, fat_rc rc, const fat_err *err);
  void *ud;
} bg_reload;

static void *bg_main(void *arg)
{
  bg_reload *b = arg;
  fat_store *st = NULL;
  fat_err err;
  fat_rc rc = FAT_OK;

  fat_err_clear(&err);
  if (b->db_path != NULL) {
    rc = fat_store_open(b->db_path, &st, &err);
    if (rc == FAT_OK)
      rc = fat_store_set_user(st, "servidor", &err);
  }
  if (rc == FAT_OK)
    rc = fat_rules_reload(b->r, st, &err);
  if (b->done != NULL)
    b->done(b->ud, rc, &err);
  fat_store_close(st);
  rules_release(b->r);
  fat_free(b->db_path);
  fat_free(b);
  return NULL;
}

fat_rc fat_rules_reload_bg(fat_rules *r, const char *db_path,
                           void (*done)(void *ud, fat_rc rc, const fat_err *err), void *ud,
                           fat_err *err)
{
  bg_reload *b = fat_calloc(1, sizeof *b);
  pthread_attr_t at;
  pthread_t th;
  sigset_t all, old;
  int e;

  if (b == NULL)
    return fat_err_oom(err);
  b->r = r;
  b->done = done;
  b->ud = ud;
  b->db_path = db_path != NULL ? fat_strdup(db_path) : NULL;
  if (db_path != NULL && b->db_path == NULL) {
    fat_free(b);
    return fat_err_oom(err);
  }
  if (pthread_attr_init(&at) != 0) {
    fat_free(b->db_path);
    fat_free(b);
    return fat_err_oom(err);
  }
  pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
  atomic_fetch_add(&r->refs, 1);
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old); /* signals stay with the signal thread */
  e = pthread_create(&th, &at, bg_main, b);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  pthread_attr_destroy(&at);
  if (e != 0) {
    rules_release(r);
    fat_free(b->db_path);
    fat_free(b);
    return fat_err_sys(err, e, "não foi possível iniciar a recarga");
  }
  return FAT_OK;
}

/* }====================================================================== */
