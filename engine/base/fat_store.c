/* fat_store.c: the SQLite store: connection, migrations, statement cache,
** bind helpers with a sticky error, transactions and the audit log. */
#include "fat_store_int.h"
#include "fat_store_sqlite.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#ifdef __GLIBC__
#endif
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fat_dia.h"
#include "fat_mem.h"

struct fat_stmt {
  fat_store *st;       /* owner */
  sqlite3_stmt *s;
  char *sql;           /* owned copy of the text: the cache key */
  const char *src;     /* the caller's pointer when prepared (a hint only) */
  size_t len;          /* strlen(sql) */
  uint32_t hash;       /* FNV-1a of sql */
  uint64_t used;       /* st->tick when last handed out (LRU) */
  int bind_rc;         /* SQLite code of the first failed bind; SQLITE_OK = none */
  int bind_idx;        /* its parameter index */
};

struct fat_store {
  sqlite3 *db;
  int depth;           /* nesting of fat_store_begin */
  int failed;          /* an inner rollback happened */
  int bulk;            /* fat_store_begin_bulk: temp_store is MEMORY until the end */
  char user[64];
  fat_stmt **cache;    /* n_cache live entries, room for n_alloc */
  int n_cache;
  int n_alloc;
  int cap;             /* capacity in statements (fat_store_set_cache_size) */
  uint64_t tick;
  int last_code;       /* extended SQLite code of the last failure */
  int last_errno;      /* errno of the connection's last failed OS call then */
  char last_msg[256];  /* its message (pt-BR where the store wrote it) */
};

sqlite3 *fat_store_db(fat_store *st) { return st->db; }

const char *fat_store_filename(fat_store *st)
{
  const char *f = sqlite3_db_filename(st->db, "main");

  return f != NULL && f[0] != '\0' ? f : NULL;
}

int fat_store_in_transaction(const fat_store *st) { return st->depth > 0; }

/* Remember a failure for fat_store_dberr(). */
static void store_fail(fat_store *st, int code, const char *fmt, ...) FAT_PRINTF(3, 4);
static void store_fail(fat_store *st, int code, const char *fmt, ...)
{
  va_list ap;

  st->last_code = code;
  st->last_errno = st->db != NULL ? sqlite3_system_errno(st->db) : 0;
  va_start(ap, fmt);
  vsnprintf(st->last_msg, sizeof st->last_msg, fmt, ap);
  va_end(ap);
}

/* Remember the connection's own last error. */
static void store_fail_db(fat_store *st)
{
  store_fail(st, sqlite3_extended_errcode(st->db), "%s", sqlite3_errmsg(st->db));
}

/* The database file's name for a message ("" for an in-memory one). */
static const char *store_path(fat_store *st)
{
  const char *p = st->db != NULL ? sqlite3_db_filename(st->db, "main") : NULL;

  return p != NULL ? p : "";
}

/* 1 when the last failure was a full disk (or a file-size limit): SQLite says
** SQLITE_FULL, or an I/O error whose errno is ENOSPC, EDQUOT or EFBIG. */
static int store_full(const fat_store *st)
{
  int prim = st->last_code & 0xff, e = st->last_errno;

  return prim == SQLITE_FULL ||
         (prim == SQLITE_IOERR && (e == ENOSPC || e == EDQUOT || e == EFBIG));
}

/* 1 when the last failure was a database that cannot be written: read-only
** file, folder or mount. */
static int store_readonly(const fat_store *st)
{
  int prim = st->last_code & 0xff, e = st->last_errno;

  return prim == SQLITE_READONLY || (prim == SQLITE_IOERR && e == EROFS) ||
         (prim == SQLITE_CANTOPEN && (e == EACCES || e == EROFS || e == EPERM));
}

fat_rc fat_store_dberr(fat_store *st, fat_err *err, const char *what)
{
  fat_rc rc;

  if (st->last_msg[0] == '\0')
    store_fail_db(st);
  if (store_full(st)) {
    /* a full disk is the user's to fix: say so, and what it cost */
    rc = fat_err_set(err, FAT_EDB,
                     "%s: disco cheio: não há espaço para gravar o banco de dados %s; nada foi "
                     "gravado desta operação (o que já estava gravado continua intacto): libere "
                     "espaço no disco e repita",
                     what, store_path(st));
  } else if (store_readonly(st)) {
    rc = fat_err_set(err, FAT_EDB,
                     "%s: o banco de dados %s está somente leitura (permissão do arquivo ou da "
                     "pasta, ou disco montado só para leitura); nada foi gravado: use um usuário "
                     "com permissão de escrita no arquivo e na pasta",
                     what, store_path(st));
  } else if ((st->last_code & 0xff) == SQLITE_IOERR) {
    rc = fat_err_set(err, FAT_EDB,
                     "%s: erro de leitura ou gravação no disco do banco de dados %s (SQLite "
                     "%d: %s); nada foi gravado desta operação",
                     what, store_path(st), st->last_code, st->last_msg);
  } else if ((st->last_code & 0xff) == SQLITE_NOMEM) {
    rc = fat_err_oom(err);
    fat_err_prefix(err, "%s: ", what);
  } else if ((st->last_code & 0xff) == SQLITE_BUSY || (st->last_code & 0xff) == SQLITE_LOCKED) {
    /* a busy or locked database is not a broken one: its own code, and a
    ** message that says what to do */
    rc = fat_err_set(err, FAT_EBUSY,
                     "%s: o banco de dados está ocupado por outro processo do faturo (outra "
                     "importação, conferência ou o servidor gravando); nada foi alterado: tente "
                     "de novo em instantes",
                     what);
  } else {
    rc = fat_err_set(err, FAT_EDB, "%s: %s", what, st->last_msg);
  }
  if (err != NULL) /* the class, not the detail, for fat_store_falha_de */
    err->sys = store_full(st)       ? SQLITE_FULL
               : store_readonly(st) ? SQLITE_READONLY
                                    : st->last_code;
  return rc;
}

int fat_store_ocupado(const fat_err *err) { return err != NULL && err->rc == FAT_EBUSY; }

fat_store_falha fat_store_falha_de(const fat_err *err)
{
  if (err == NULL || err->rc != FAT_EDB)
    return FAT_FALHA_OUTRA;
  switch (err->sys & 0xff) {
  case SQLITE_FULL: return FAT_FALHA_DISCO_CHEIO;
  case SQLITE_READONLY: return FAT_FALHA_SOMENTE_LEITURA;
  case SQLITE_IOERR: return FAT_FALHA_DISCO;
  default: return FAT_FALHA_OUTRA;
  }
}

/* Run sql; on failure the error starts with what. */
static fat_rc store_exec_what(fat_store *st, const char *sql, const char *what, fat_err *err)
{
  char *msg = NULL;
  fat_rc rc = FAT_OK;

  if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
    store_fail(st, sqlite3_extended_errcode(st->db), "%s",
               msg != NULL ? msg : sqlite3_errmsg(st->db));
    rc = fat_store_dberr(st, err, what);
  }
  sqlite3_free(msg);
  return rc;
}

fat_rc fat_store_exec(fat_store *st, const char *sql, fat_err *err)
{
  return store_exec_what(st, sql, "não foi possível usar o banco de dados", err);
}

/* ---- the statement cache ---- */

static uint32_t sql_hash(const char *sql, size_t *len)
{
  uint32_t h = 2166136261u;
  size_t n = 0;

  while (sql[n] != '\0') {
    h = (h ^ (unsigned char)sql[n]) * 16777619u;
    n++;
  }
  *len = n;
  return h;
}

static void stmt_free(fat_stmt *s)
{
  if (s == NULL)
    return;
  sqlite3_finalize(s->s);
  fat_free(s->sql);
  fat_free(s);
}

/* Drop idle statements, least recently used first, until at most keep are
** cached. Statements being stepped are never dropped. */
static void cache_trim(fat_store *st, int keep)
{
  while (st->n_cache > keep) {
    int i, victim = -1;

    for (i = 0; i < st->n_cache; i++) {
      if (sqlite3_stmt_busy(st->cache[i]->s))
        continue;
      if (victim < 0 || st->cache[i]->used < st->cache[victim]->used)
        victim = i;
    }
    if (victim < 0)
      return; /* every statement is in use: keep them all */
    stmt_free(st->cache[victim]);
    st->cache[victim] = st->cache[st->n_cache - 1];
    st->n_cache--;
  }
}

void fat_store_set_cache_size(fat_store *st, int n)
{
  st->cap = n < 1 ? 1 : n;
  cache_trim(st, st->cap);
}

fat_rc fat_store_set_paginas_mb(fat_store *st, int mb, fat_err *err)
{
  char sql[48];

  if (mb < 1)
    mb = 1;
  if (mb > 4096)
    mb = 4096;
  snprintf(sql, sizeof sql, "PRAGMA cache_size = -%d", mb * 1024);
  return fat_store_exec(st, sql, err);
}

int64_t fat_store_paginas_bytes(fat_store *st)
{
  int cur = 0, hi = 0;

  if (sqlite3_db_status(st->db, SQLITE_DBSTATUS_CACHE_USED, &cur, &hi, 0) != SQLITE_OK)
    return 0;
  return cur;
}

int fat_store_cache_count(const fat_store *st) { return st->n_cache; }

int fat_store_cached(const fat_store *st, const char *sql)
{
  int i;

  for (i = 0; i < st->n_cache; i++)
    if (strcmp(st->cache[i]->sql, sql) == 0)
      return 1;
  return 0;
}

/* Make room for one more cached statement. */
static fat_rc cache_reserve(fat_store *st, fat_err *err)
{
  fat_stmt **grown;
  int n;

  cache_trim(st, st->cap - 1);
  if (st->n_cache < st->n_alloc)
    return FAT_OK;
  n = st->n_alloc < 16 ? 16 : st->n_alloc * 2;
  grown = fat_realloc(st->cache, sizeof *grown * (size_t)n);
  if (grown == NULL)
    return fat_err_oom(err);
  st->cache = grown;
  st->n_alloc = n;
  return FAT_OK;
}

static fat_rc stmt_in_use(fat_store *st, const char *sql, fat_err *err)
{
  /* An outer loop is still reading this statement's rows: handing it out
  ** would reset that loop. Fix the caller (reset before leaving, or use a
  ** second SQL text for the nested query). */
  assert(!"fat_store_prepare: statement still being stepped");
  store_fail(st, SQLITE_MISUSE, "consulta ainda em uso por um laço externo: %.80s", sql);
  return fat_err_set(err, FAT_ESTATE, "erro interno: %s", st->last_msg);
}

/* The cached statement for the text sql (hash h, length len), or NULL. */
static fat_stmt *cache_find(fat_store *st, const char *sql, uint32_t h, size_t len)
{
  int i;

  for (i = 0; i < st->n_cache; i++) {
    fat_stmt *s = st->cache[i];

    if (s->hash == h && s->len == len && memcmp(s->sql, sql, len) == 0)
      return s;
  }
  return NULL;
}

/* Callers pass their `static const char sql[]`, so the same pointer comes
** back with the same text: find it without hashing the text (hashing it
** byte by byte on every call was ~3% of conferir). The text is still
** compared, so a reused buffer with other SQL is not mistaken for it. */
static fat_stmt *cache_find_ptr(fat_store *st, const char *sql)
{
  int i;

  for (i = 0; i < st->n_cache; i++) {
    fat_stmt *s = st->cache[i];

    if (s->src == sql && strcmp(s->sql, sql) == 0)
      return s;
  }
  return NULL;
}

fat_rc fat_store_prepare(fat_store *st, const char *sql, fat_stmt **out, fat_err *err)
{
  fat_stmt *s = NULL;
  sqlite3_stmt *raw = NULL;
  size_t len = 0;
  uint32_t h = 0;
  fat_rc rc = FAT_OK;

  *out = cache_find_ptr(st, sql);
  if (*out == NULL) {
    h = sql_hash(sql, &len);
    *out = cache_find(st, sql, h, len);
  }
  if (*out != NULL) {
    if (sqlite3_stmt_busy((*out)->s)) {
      *out = NULL;
      rc = stmt_in_use(st, sql, err);
      goto out;
    }
    sqlite3_reset((*out)->s);
    sqlite3_clear_bindings((*out)->s);
    (*out)->bind_rc = SQLITE_OK;
    (*out)->used = ++st->tick;
    goto out;
  }
  if (len > INT_MAX) {
    rc = fat_err_set(err, FAT_ELIMIT, "consulta SQL longa demais");
    goto out;
  }
  if (sqlite3_prepare_v3(st->db, sql, (int)len + 1, SQLITE_PREPARE_PERSISTENT, &raw, NULL) !=
      SQLITE_OK) {
    store_fail_db(st);
    rc = fat_store_dberr(st, err, "erro ao preparar consulta");
    goto out;
  }
  s = fat_calloc(1, sizeof *s);
  if (s != NULL)
    s->sql = fat_strndup(sql, len);
  if (s == NULL || s->sql == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  rc = cache_reserve(st, err);
  if (rc != FAT_OK)
    goto out;
  s->st = st;
  s->s = raw;
  s->src = sql;
  raw = NULL;
  s->len = len;
  s->hash = h;
  s->used = ++st->tick;
  st->cache[st->n_cache++] = s;
  *out = s;
  s = NULL;
out:
  sqlite3_finalize(raw);
  stmt_free(s);
  return rc;
}

/* ---- binds: the first failure sticks until the statement is prepared again ---- */

static void bind_check(fat_stmt *s, int i, int r)
{
  if (r != SQLITE_OK && s->bind_rc == SQLITE_OK) {
    s->bind_rc = r;
    s->bind_idx = i;
  }
}

void fat_bind_text(fat_stmt *s, int i, const char *v)
{
  if (v == NULL)
    bind_check(s, i, sqlite3_bind_null(s->s, i));
  else
    bind_check(s, i, sqlite3_bind_text(s->s, i, v, -1, SQLITE_TRANSIENT));
}

void fat_bind_text_static(fat_stmt *s, int i, const char *v)
{
  if (v == NULL)
    bind_check(s, i, sqlite3_bind_null(s->s, i));
  else
    bind_check(s, i, sqlite3_bind_text(s->s, i, v, -1, SQLITE_STATIC));
}

void fat_bind_textn(fat_stmt *s, int i, const char *v, size_t len)
{
  if (v == NULL)
    bind_check(s, i, sqlite3_bind_null(s->s, i));
  else if (len > INT_MAX)
    bind_check(s, i, SQLITE_TOOBIG);
  else
    bind_check(s, i, sqlite3_bind_text(s->s, i, v, (int)len, SQLITE_TRANSIENT));
}

void fat_bind_blob(fat_stmt *s, int i, const void *v, size_t len)
{
  if (v == NULL)
    bind_check(s, i, sqlite3_bind_null(s->s, i));
  else if (len > INT_MAX)
    bind_check(s, i, SQLITE_TOOBIG);
  else
    bind_check(s, i, sqlite3_bind_blob(s->s, i, v, (int)len, SQLITE_TRANSIENT));
}

void fat_bind_blob_static(fat_stmt *s, int i, const void *v, size_t len)
{
  if (v == NULL)
    bind_check(s, i, sqlite3_bind_null(s->s, i));
  else if (len > INT_MAX)
    bind_check(s, i, SQLITE_TOOBIG);
  else
    bind_check(s, i, sqlite3_bind_blob(s->s, i, v, (int)len, SQLITE_STATIC));
}

void fat_bind_int(fat_stmt *s, int i, int64_t v)
{
  bind_check(s, i, sqlite3_bind_int64(s->s, i, v));
}

void fat_bind_int_or_null(fat_stmt *s, int i, int64_t v, int is_null)
{
  if (is_null)
    bind_check(s, i, sqlite3_bind_null(s->s, i));
  else
    bind_check(s, i, sqlite3_bind_int64(s->s, i, v));
}

void fat_bind_null(fat_stmt *s, int i) { bind_check(s, i, sqlite3_bind_null(s->s, i)); }

int fat_stmt_param_count(fat_stmt *s) { return sqlite3_bind_parameter_count(s->s); }

/* ---- stepping and columns ---- */

int fat_stmt_step(fat_stmt *s)
{
  int r;

  if (s->bind_rc != SQLITE_OK) {
    store_fail(s->st, s->bind_rc, "valor %d da consulta não pôde ser usado (%s)", s->bind_idx,
               sqlite3_errstr(s->bind_rc));
    return FAT_STEP_ERROR;
  }
  r = sqlite3_step(s->s);
  if (r == SQLITE_ROW)
    return FAT_ROW;
  if (r == SQLITE_DONE)
    return FAT_DONE;
  store_fail_db(s->st);
  return FAT_STEP_ERROR;
}

void fat_stmt_reset(fat_stmt *s) { sqlite3_reset(s->s); }

int fat_stmt_busy(fat_stmt *s) { return sqlite3_stmt_busy(s->s); }

int fat_col_type(fat_stmt *s, int i)
{
  switch (sqlite3_column_type(s->s, i)) {
  case SQLITE_INTEGER: return FAT_COL_INTEGER;
  case SQLITE_FLOAT: return FAT_COL_REAL;
  case SQLITE_TEXT: return FAT_COL_TEXT;
  case SQLITE_BLOB: return FAT_COL_BLOB;
  default: return FAT_COL_NULL;
  }
}

int fat_col_is_null(fat_stmt *s, int i) { return sqlite3_column_type(s->s, i) == SQLITE_NULL; }

int64_t fat_col_int64(fat_stmt *s, int i) { return sqlite3_column_int64(s->s, i); }

int fat_col_int(fat_stmt *s, int i) { return sqlite3_column_int(s->s, i); }

double fat_col_double(fat_stmt *s, int i) { return sqlite3_column_double(s->s, i); }

const char *fat_col_text(fat_stmt *s, int i)
{
  return (const char *)sqlite3_column_text(s->s, i);
}

const void *fat_col_blob(fat_stmt *s, int i) { return sqlite3_column_blob(s->s, i); }

int fat_col_bytes(fat_stmt *s, int i) { return sqlite3_column_bytes(s->s, i); }

int fat_col_count(fat_stmt *s) { return sqlite3_column_count(s->s); }

const char *fat_col_name(fat_stmt *s, int i) { return sqlite3_column_name(s->s, i); }

char *fat_col_strdup(fat_stmt *s, int i, int *oom)
{
  const char *t;
  char *d;

  if (sqlite3_column_type(s->s, i) == SQLITE_NULL)
    return NULL;
  t = fat_col_text(s, i);
  if (t == NULL) {
    *oom = 1;
    return NULL;
  }
  d = fat_strndup(t, (size_t)sqlite3_column_bytes(s->s, i));
  if (d == NULL)
    *oom = 1;
  return d;
}

void fat_col_copy(fat_stmt *s, int i, char *dst, size_t len)
{
  const char *t = fat_col_text(s, i);
  size_t n = t != NULL ? strlen(t) : 0;

  if (n >= len)
    n = len - 1;
  if (n > 0)
    memcpy(dst, t, n);
  dst[n] = '\0';
}

fat_rc fat_store_step_done(fat_store *st, fat_stmt *s, const char *what, fat_err *err)
{
  int r = fat_stmt_step(s);
  fat_rc rc = FAT_OK;

  if (r != FAT_DONE && r != FAT_ROW)
    rc = fat_store_dberr(st, err, what); /* read the message before the reset */
  fat_stmt_reset(s);
  return rc;
}

cJSON *fat_store_row_json(fat_stmt *s, int omit_null)
{
  cJSON *o = cJSON_CreateObject();
  cJSON *v;
  int i, n = fat_col_count(s);

  if (o == NULL)
    return NULL;
  for (i = 0; i < n; i++) {
    const char *name = fat_col_name(s, i);

    switch (fat_col_type(s, i)) {
    case FAT_COL_INTEGER: v = cJSON_CreateNumber((double)fat_col_int64(s, i)); break;
    case FAT_COL_REAL: v = cJSON_CreateNumber(fat_col_double(s, i)); break;
    case FAT_COL_TEXT: v = cJSON_CreateString(fat_col_text(s, i)); break;
    case FAT_COL_NULL:
      if (omit_null)
        continue;
      v = cJSON_CreateNull();
      break;
    default: continue; /* BLOBs (XML files) are served on their own */
    }
    if (v == NULL || name == NULL || !cJSON_AddItemToObject(o, name, v)) {
      cJSON_Delete(v);
      cJSON_Delete(o);
      return NULL;
    }
  }
  return o;
}

fat_rc fat_store_rows_json(fat_store *st, fat_stmt *s, int omit_null, const char *what,
                           cJSON **out, fat_err *err)
{
  cJSON *arr = cJSON_CreateArray(), *row;
  int step = FAT_STEP_ERROR;
  fat_rc rc = FAT_OK;

  *out = NULL;
  if (arr == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  for (;;) {
    step = fat_stmt_step(s);
    if (step != FAT_ROW)
      break;
    row = fat_store_row_json(s, omit_null);
    if (row == NULL || !cJSON_AddItemToArray(arr, row)) {
      cJSON_Delete(row);
      rc = fat_err_oom(err);
      goto out;
    }
  }
  if (step != FAT_DONE) {
    rc = fat_store_dberr(st, err, what);
    goto out;
  }
  *out = arr;
  arr = NULL;
out:
  fat_stmt_reset(s);
  cJSON_Delete(arr);
  return rc;
}

int64_t fat_store_last_id(fat_store *st) { return sqlite3_last_insert_rowid(st->db); }

int fat_store_changes(fat_store *st) { return sqlite3_changes(st->db); }

/* ---- migrations ---- */

/* The migrations applied to a database, by number. */
static const char migr_table[] =
    "CREATE TABLE IF NOT EXISTS esquema_migracao ("
    " numero INTEGER PRIMARY KEY,"
    " nome TEXT NOT NULL,"
    " aplicada_em TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')))";

static int migr_count(const fat_migration *list)
{
  int n = 0;

  while (list[n].sql != NULL)
    n++;
  return n;
}

static int migr_latest(const fat_migration *list)
{
  int i, v = 0;

  for (i = 0; list[i].sql != NULL; i++)
    if (list[i].version > v)
      v = list[i].version;
  return v;
}

int fat_store_schema_latest(void) { return migr_latest(fat_migrations); }

static int migr_index(const fat_migration *list, int num)
{
  int i;

  for (i = 0; list[i].sql != NULL; i++)
    if (list[i].version == num)
      return i;
  return -1;
}

/* One integer from a constant query (-1 on error or no row). */
static int store_query_int(fat_store *st, const char *sql)
{
  sqlite3_stmt *s = NULL;
  int v = -1;

  if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) == SQLITE_OK &&
      sqlite3_step(s) == SQLITE_ROW)
    v = sqlite3_column_int(s, 0);
  else
    store_fail_db(st);
  sqlite3_finalize(s);
  return v;
}

fat_rc fat_store_checkpoint(fat_store *st, fat_err *err)
{
  int r;

  if (st->depth > 0)
    return FAT_OK; /* a transaction is open: its pages are not in the WAL yet */
  r = sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
  if (r == SQLITE_OK || r == SQLITE_BUSY || r == SQLITE_LOCKED)
    return FAT_OK; /* not in WAL mode is OK too; busy: another one is running */
  store_fail_db(st);
  return fat_store_dberr(st, err, "erro ao gravar o diário (WAL) no banco");
}

fat_rc fat_store_set_checkpoint_mb(fat_store *st, int mb, fat_err *err)
{
  char sql[64];
  int page = store_query_int(st, "PRAGMA page_size");

  if (mb > 1024)
    mb = 1024;
  if (page <= 0)
    page = 4096;
  snprintf(sql, sizeof sql, "PRAGMA wal_autocheckpoint = %d",
           mb <= 0 ? 1000 : (int)((int64_t)mb * 1048576 / page));
  return fat_store_exec(st, sql, err);
}

int fat_store_schema_version(fat_store *st) { return store_query_int(st, "PRAGMA user_version"); }

/* What a database has applied, against the list this binary knows. */
typedef struct migr_state {
  const fat_migration *list;
  unsigned char *applied; /* applied[i] for list[i] */
  int has_table;          /* esquema_migracao exists */
  int user_version;
  int unknown;            /* applied numbers the list lacks */
  int newest;             /* the highest of those */
  int missing;            /* list entries not applied */
} migr_state;

/* Read the applied set. A database from before esquema_migracao counts as
** having every migration up to its user_version (all it could say). */
static fat_rc migr_read(fat_store *st, migr_state *m, fat_err *err)
{
  static const char has_sql[] =
      "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'esquema_migracao'";
  sqlite3_stmt *s = NULL;
  int i, n = migr_count(m->list), r = SQLITE_DONE;
  fat_rc rc = FAT_OK;

  memset(m->applied, 0, (size_t)n + 1);
  m->unknown = 0;
  m->newest = 0;
  m->missing = 0;
  m->user_version = fat_store_schema_version(st);
  m->has_table = store_query_int(st, has_sql);
  if (m->user_version < 0 || m->has_table < 0) {
    rc = fat_store_dberr(st, err, "não foi possível ler a versão do esquema");
    goto out;
  }
  if (!m->has_table) {
    for (i = 0; i < n; i++)
      m->applied[i] = m->list[i].version <= m->user_version;
    if (m->user_version > migr_latest(m->list)) {
      m->unknown = 1;
      m->newest = m->user_version;
    }
  } else {
    if (sqlite3_prepare_v2(st->db, "SELECT numero FROM esquema_migracao ORDER BY numero", -1, &s,
                           NULL) != SQLITE_OK)
      r = SQLITE_ERROR;
    while (r != SQLITE_ERROR) {
      r = sqlite3_step(s);
      if (r != SQLITE_ROW)
        break;
      i = migr_index(m->list, sqlite3_column_int(s, 0));
      if (i >= 0) {
        m->applied[i] = 1;
      } else {
        m->unknown++;
        m->newest = sqlite3_column_int(s, 0);
      }
    }
    if (r != SQLITE_DONE) {
      store_fail_db(st);
      rc = fat_store_dberr(st, err, "não foi possível ler as migrações aplicadas");
      goto out;
    }
  }
  for (i = 0; i < n; i++)
    if (!m->applied[i])
      m->missing++;
out:
  sqlite3_finalize(s);
  return rc;
}

static fat_rc migr_refuse_newer(const migr_state *m, fat_err *err)
{
  return fat_err_set(err, FAT_ESTATE,
                     "o banco de dados tem a migração %03d, que esta versão do faturo não "
                     "conhece (a mais nova que ela conhece é a %03d): é de um faturo mais "
                     "novo; atualize o faturo antes de usar este banco",
                     m->newest, migr_latest(m->list));
}

/* Record list[i] as applied. */
static fat_rc migr_mark(fat_store *st, const fat_migration *mig, fat_err *err)
{
  sqlite3_stmt *s = NULL;
  fat_rc rc = FAT_OK;
  int r = sqlite3_prepare_v2(st->db, "INSERT INTO esquema_migracao (numero, nome) VALUES (?1, ?2)",
                             -1, &s, NULL);

  if (r == SQLITE_OK)
    r = sqlite3_bind_int(s, 1, mig->version);
  if (r == SQLITE_OK)
    r = sqlite3_bind_text(s, 2, mig->name, -1, SQLITE_STATIC);
  if (r == SQLITE_OK)
    r = sqlite3_step(s);
  if (r != SQLITE_DONE) {
    store_fail_db(st);
    rc = fat_store_dberr(st, err, "não foi possível registrar a migração");
  }
  sqlite3_finalize(s);
  return rc;
}

/* Apply every migration of list the database lacks, in order of number, all
** in one transaction, recording each in esquema_migracao; refuse a database
** that has a migration the list does not know. */
static fat_rc store_migrate(fat_store *st, const fat_migration *list, fat_err *err)
{
  migr_state m;
  int i, in_tx = 0;
  char pragma[64];
  fat_rc rc;

  memset(&m, 0, sizeof m);
  m.list = list;
  m.applied = fat_calloc((size_t)migr_count(list) + 1, 1);
  if (m.applied == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  rc = migr_read(st, &m, err);
  if (rc != FAT_OK)
    goto out;
  if (m.unknown > 0) {
    rc = migr_refuse_newer(&m, err);
    goto out;
  }
  if (m.has_table && m.missing == 0)
    goto out;
  /* read again under the write lock: another process may have migrated */
  rc = fat_store_exec(st, "BEGIN IMMEDIATE", err);
  if (rc != FAT_OK)
    goto out;
  in_tx = 1;
  rc = migr_read(st, &m, err);
  if (rc != FAT_OK)
    goto out;
  if (m.unknown > 0) {
    rc = migr_refuse_newer(&m, err);
    goto out;
  }
  rc = fat_store_exec(st, migr_table, err);
  for (i = 0; rc == FAT_OK && list[i].sql != NULL; i++) {
    if (!m.applied[i]) {
      rc = fat_store_exec(st, list[i].sql, err);
      if (rc != FAT_OK)
        fat_err_prefix(err, "migração %s: ", list[i].name);
    }
    if (rc == FAT_OK && (!m.applied[i] || !m.has_table))
      rc = migr_mark(st, &list[i], err);
  }
  if (rc != FAT_OK)
    goto out;
  /* user_version keeps naming the newest migration, for older binaries */
  snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", migr_latest(list));
  rc = fat_store_exec(st, pragma, err);
  if (rc != FAT_OK)
    goto out;
  rc = fat_store_exec(st, "COMMIT", err);
  in_tx = rc != FAT_OK;
out:
  if (in_tx)
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
  fat_free(m.applied);
  return rc;
}

/* ---- open and close ---- */

/* ---- SQLite's allocator: small blocks kept for reuse ---- */

/* SQLite allocates a block for nearly everything a statement does: each
** cursor, each bound text (copied), each record built, each trigger frame,
** and the 1 KiB chunks of a statement journal in memory
** (fat_store_begin_bulk: temp_store = MEMORY): storing one imported guia
** takes ~170 blocks, and Debian's SQLite is built without lookaside
** (SQLITE_OMIT_LOOKASIDE: its per-connection small-block allocator is
** not there). For glibc a burst of frees past the 7 blocks its thread cache
** holds per size takes the slow path (sort the unsorted bin, consolidate
** the fast bins), which grows with the heap: ~20% of the CPU of importar
** (perf, Part M, docs/desempenho.md). So freed blocks of up to 1 KiB wait
** in the calling thread's lists (fat_blk, fat_mem.h) for the next request
** of their size; requests are rounded up to 16 bytes so that a freed block
** fits the next request of the same size. Bigger blocks go straight to
** SQLite's own allocator, which this wraps. In sanitizer builds only the
** journal chunks are kept (as before the thread lists). */
#define JPOOL_SIZE 1024 /* SQLite's MEMJOURNAL_DFLT_FILECHUNKSIZE */
#define SQ_MAX ((FAT_BLK_CLASSES - 1) * 16) /* largest size kept */

static sqlite3_mem_methods jpool_base; /* SQLite's default allocator */
static int jpool_all;                  /* every size kept (0: journal chunks only) */

static int jpool_round(int n) { return n > 0 && n <= SQ_MAX ? (n + 15) & ~15 : n; }

static void *jpool_malloc(int n)
{
  int r = jpool_round(n);
  void *p;

  if (r > 0 && r <= SQ_MAX) {
    p = fat_blk_get(FAT_BLK_SQLITE, (unsigned)r >> 4);
    if (p != NULL)
      return p;
  }
  return jpool_base.xMalloc(r);
}

static void jpool_free(void *p)
{
  int sz;

  if (p == NULL)
    return;
  sz = jpool_base.xSize(p);
  if (sz > 0 && sz <= SQ_MAX && (sz & 15) == 0 && (jpool_all || sz == JPOOL_SIZE) &&
      fat_blk_put(FAT_BLK_SQLITE, (unsigned)sz >> 4, p))
    return;
  jpool_base.xFree(p);
}

static void *jpool_realloc(void *p, int n) { return jpool_base.xRealloc(p, jpool_round(n)); }
static int jpool_size(void *p) { return jpool_base.xSize(p); }
static int jpool_roundup(int n) { return jpool_base.xRoundup(jpool_round(n)); }
static int jpool_init(void *ud) { return jpool_base.xInit(ud); }

static void jpool_shutdown(void *ud)
{
  fat_blk_drain(FAT_BLK_SQLITE);
  jpool_base.xShutdown(ud);
}

unsigned long fat_store_jpool_hits(void) { return fat_blk_hits(FAT_BLK_SQLITE); }

/* Wrap SQLite's default allocator with the lists above (before SQLite
** starts; refused, and harmless, after). */
static void jpool_install(void)
{
  static sqlite3_mem_methods m;

  if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &jpool_base) != SQLITE_OK ||
      jpool_base.xMalloc == NULL)
    return;
  fat_blk_set_free(FAT_BLK_SQLITE, jpool_base.xFree);
  jpool_all = fat_blk_libc_enabled();
  m = jpool_base;
  m.xMalloc = jpool_malloc;
  m.xFree = jpool_free;
  m.xRealloc = jpool_realloc;
  m.xSize = jpool_size;
  m.xRoundup = jpool_roundup;
  m.xInit = jpool_init;
  m.xShutdown = jpool_shutdown;
  (void)sqlite3_config(SQLITE_CONFIG_MALLOC, &m);
}

/* SQLite's process-wide settings, once, before the first connection starts
** SQLite (a later sqlite3_config is refused and changes nothing):
** - statement journals stay in memory up to 120 KiB (SQLite's default is
**   64 KiB). A journal that passes this size is written to a temporary file
**   in ONE write of that many bytes, and the unix VFS writes at most
**   128 KiB - 1 bytes per call (it masks the length with 0x1ffff): with
**   1 MiB the write was 0 bytes and the statement failed with "database or
**   disk is full" (the demo's retorno, Part M). Keep it below 128 KiB;
**   fat_store_begin_bulk keeps them in memory whatever their size.
** - no memory statistics: each SQLite allocation otherwise takes a global
**   mutex to count bytes nobody reads.
** - small blocks reused (jpool_install, above). */
static void store_tune_sqlite(void)
{
  jpool_install();
  (void)sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, 120 * 1024);
  (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static pthread_once_t store_tune_once = PTHREAD_ONCE_INIT;

/* SQL dia_local(x): fat_dia_local_de in SQL, so C and SQL share one
** definition of the clinic's day (fat_store_int.h). Only text is a
** timestamp: NULL, numbers and text that is neither a timestamp nor a date
** give NULL. */
static void sql_dia_local(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
  const unsigned char *s;
  char out[FAT_DIA_ISO_LEN];
  int32_t dia;

  (void)argc;
  if (sqlite3_value_type(argv[0]) != SQLITE_TEXT)
    return; /* the result stays NULL */
  s = sqlite3_value_text(argv[0]);
  if (s == NULL) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  if (fat_dia_local_de((const char *)s, &dia) != 0)
    return;
  fat_dia_format(dia, out, sizeof out);
  sqlite3_result_text(ctx, out, FAT_DIA_ISO_LEN - 1, SQLITE_TRANSIENT);
}

/* The SQL functions every connection of faturo has (fat_store_int.h).
** Deterministic holds because the process's time zone is fixed when it
** starts (TZ is read once; nothing changes it while a store is open). */
static fat_rc store_functions(fat_store *st, fat_err *err)
{
  if (sqlite3_create_function_v2(st->db, "dia_local", 1,
                                 SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                                 sql_dia_local, NULL, NULL, NULL) != SQLITE_OK)
    return fat_store_dberr(st, err, "não foi possível registrar as funções SQL do faturo");
  return FAT_OK;
}

/* The database file holds CPF, CID and names: a new one is created 0600
** here (SQLite gives its -wal and -shm files the same mode). An existing
** file is left as it is. */
static fat_rc store_create_file(const char *path, fat_err *err)
{
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

  if (fd < 0 && errno != EEXIST)
    return fat_err_sys(err, errno, "%s: não foi possível criar o banco de dados", path);
  if (fd >= 0)
    close(fd);
  return FAT_OK;
}

/* Only a create opens a file that does not exist: a mistyped path must not
** become an empty database that reports an all-clear. */
static fat_rc store_open(const char *path, const fat_migration *migrations, int create,
                         fat_store **out, fat_err *err)
{
  struct stat sb;
  fat_store *st = NULL;
  fat_rc rc;

  *out = NULL;
  fat_mem_keep_heap(); /* the painel triggers' IN lists: see fat_mem.h */
  fat_mem_cjson_hooks();
  pthread_once(&store_tune_once, store_tune_sqlite);
  if (create) {
    rc = store_create_file(path, err);
    if (rc != FAT_OK)
      return rc;
  } else if (stat(path, &sb) != 0) {
    if (errno == ENOENT)
      return fat_err_set(err, FAT_ENOTFOUND,
                         "%s: banco de dados não encontrado (confira --db ou FATURO_DB; um "
                         "banco novo é criado só por: faturo init)",
                         path);
    return fat_err_sys(err, errno, "%s: não foi possível abrir o banco de dados", path);
  }
  st = fat_calloc(1, sizeof *st);
  if (st == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  snprintf(st->user, sizeof st->user, "%s", "cli");
  st->cap = FAT_STORE_CACHE_DEFAULT;
  /* a fat_store (its statement cache) is used by one thread at a time, so
  ** the connection needs no mutex of its own (SQLITE_OPEN_NOMUTEX) */
  if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
      SQLITE_OK) {
    if (st->db == NULL) {
      rc = fat_err_oom(err);
    } else {
      store_fail_db(st);
      rc = fat_store_dberr(st, err, "não foi possível abrir o banco de dados");
    }
    goto out;
  }
  sqlite3_extended_result_codes(st->db, 1);
  sqlite3_busy_timeout(st->db, 10000);
  rc = store_functions(st, err);
  if (rc == FAT_OK)
    rc = fat_store_exec(st, "PRAGMA foreign_keys = ON", err);
  if (rc == FAT_OK)
    rc = fat_store_exec(st, "PRAGMA journal_mode = WAL", err);
  if (rc == FAT_OK)
    rc = fat_store_exec(st, "PRAGMA synchronous = NORMAL", err);
  /* 16 MB of page cache (SQLite's default is 2 MB): a verb writing
  ** thousands of guias in one transaction spilled and rewrote the same
  ** index pages to the WAL ~60 times per guia imported (Part M) */
  if (rc == FAT_OK)
    rc = fat_store_set_paginas_mb(st, FAT_STORE_PAGINAS_MB, err);
  if (rc == FAT_OK)
    rc = store_migrate(st, migrations, err);
out:
  if (rc == FAT_OK) {
    *out = st;
  } else {
    fat_err_prefix(err, "%s: ", path);
    fat_store_close(st);
  }
  return rc;
}

fat_rc fat_store_open_with(const char *path, const fat_migration *migrations, fat_store **out,
                          fat_err *err)
{
  return store_open(path, migrations, 1, out, err);
}

fat_rc fat_store_open(const char *path, fat_store **out, fat_err *err)
{
  return store_open(path, fat_migrations, 0, out, err);
}

fat_rc fat_store_create(const char *path, fat_store **out, fat_err *err)
{
  return store_open(path, fat_migrations, 1, out, err);
}

void fat_store_set_busy_timeout(fat_store *st, int ms) { sqlite3_busy_timeout(st->db, ms); }

void fat_store_close(fat_store *st)
{
  int i;

  if (st == NULL)
    return;
  for (i = 0; i < st->n_cache; i++)
    stmt_free(st->cache[i]);
  fat_free(st->cache);
  sqlite3_close(st->db);
  fat_free(st);
}

void fat_store_remove_files(const char *path)
{
  static const char *const sufixos[] = {"-wal", "-shm", "-journal"};
  char p[4096];
  size_t i;

  unlink(path);
  for (i = 0; i < sizeof sufixos / sizeof sufixos[0]; i++) {
    if (snprintf(p, sizeof p, "%s%s", path, sufixos[i]) < (int)sizeof p)
      unlink(p);
  }
}

/* ---- transactions ---- */

/* After the outermost commit or rollback of fat_store_begin_bulk: back to
** the build's temp_store (temporary files). */
static void store_bulk_end(fat_store *st)
{
  if (st->bulk) {
    sqlite3_exec(st->db, "PRAGMA temp_store = DEFAULT", NULL, NULL, NULL);
    st->bulk = 0;
  }
}

fat_rc fat_store_begin(fat_store *st, fat_err *err)
{
  fat_rc rc;

  if (st->depth == 0) {
    rc = store_exec_what(st, "BEGIN IMMEDIATE", "não foi possível começar a gravação", err);
    if (rc != FAT_OK)
      return rc;
    st->failed = 0;
  }
  st->depth++;
  return FAT_OK;
}

/* SQLite decides where a transaction's statement journals live when the
** transaction begins: in memory for its whole length when temp_store is
** MEMORY; otherwise in memory until one statement passes the spill size
** (see store_tune), then in a temporary file for the rest of the
** transaction. Importing 6000 guias spilled early and then wrote ~60 times
** per guia to /var/tmp (Part M, docs/desempenho.md). Measured side by side
** on 50 MB of guias: 5.5-6.3 s of CPU with this, 11.2 s with the 120 KiB
** spill alone (it spills partway and pays the file for every later guia);
** on 30 MB, before that spill, the spill alone was faster (1.9 s vs 3.3 s):
** SQLite's in-memory journal grows in 1 KB chunks. */
fat_rc fat_store_begin_bulk(fat_store *st, fat_err *err)
{
  fat_rc rc;

  if (st->depth > 0)
    return fat_store_begin(st, err);
  rc = fat_store_exec(st, "PRAGMA temp_store = MEMORY", err);
  if (rc != FAT_OK)
    return rc;
  st->bulk = 1;
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    store_bulk_end(st);
  return rc;
}

fat_rc fat_store_begin_read(fat_store *st, fat_err *err)
{
  fat_rc rc;

  if (st->depth == 0) {
    rc = fat_store_exec(st, "BEGIN DEFERRED", err);
    if (rc != FAT_OK)
      return rc;
    st->failed = 0;
  }
  st->depth++;
  return FAT_OK;
}

fat_rc fat_store_commit(fat_store *st, fat_err *err)
{
  fat_rc rc;

  if (st->depth <= 0)
    return fat_err_set(err, FAT_ESTATE, "commit sem transação aberta");
  st->depth--;
  if (st->depth > 0)
    return FAT_OK;
  if (st->failed) {
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    store_bulk_end(st);
    return fat_err_set(err, FAT_ESTATE, "transação desfeita por erro anterior");
  }
  rc = store_exec_what(st, "COMMIT", "a gravação não pôde ser concluída", err);
  if (rc != FAT_OK)
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
  store_bulk_end(st);
  return rc;
}

void fat_store_rollback(fat_store *st)
{
  if (st->depth <= 0)
    return;
  st->depth--;
  if (st->depth > 0) {
    st->failed = 1;
    return;
  }
  sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
  store_bulk_end(st);
}

/* ---- user and audit ---- */

fat_rc fat_store_set_user(fat_store *st, const char *user, fat_err *err)
{
  if (user == NULL || user[0] == '\0' || strlen(user) >= sizeof st->user)
    return fat_err_set(err, FAT_EINVAL, "nome de usuário inválido");
  snprintf(st->user, sizeof st->user, "%s", user);
  return FAT_OK;
}

const char *fat_store_user(const fat_store *st) { return st->user; }

fat_rc fat_store_audit(fat_store *st, const char *acao, const char *objeto, const char *detalhe,
                       fat_err *err)
{
  char em[24];

  fat_store_now(em, sizeof em); /* what the column's DEFAULT strftime('now') writes */
  return fat_store_audit_em(st, em, acao, objeto, detalhe, err);
}

fat_rc fat_store_audit_em(fat_store *st, const char *em, const char *acao, const char *objeto,
                          const char *detalhe, fat_err *err)
{
  static const char sql[] = "INSERT INTO auditoria (em, usuario, acao, objeto, detalhe) VALUES "
                            "(?1, ?2, ?3, ?4, ?5)";
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_text_static(s, 1, em);
  fat_bind_text_static(s, 2, st->user);
  fat_bind_text_static(s, 3, acao);
  fat_bind_text_static(s, 4, objeto);
  fat_bind_text_static(s, 5, detalhe);
  return fat_store_step_done(st, s, "erro ao gravar auditoria", err);
}

void fat_store_now(char *buf, unsigned long len) { fat_store_now_at(time(NULL), buf, len); }

void fat_store_now_at(time_t t, char *buf, unsigned long len)
{
  struct tm tm;

  gmtime_r(&t, &tm);
  strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- whole-database copy ---- */

fat_rc fat_store_copiar_para(fat_store *st, const char *path, fat_err *err)
{
  sqlite3 *dst = NULL;
  sqlite3_backup *b;
  int step, fim, tentativas = 0;
  fat_rc rc = FAT_OK;

  if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
      SQLITE_OK) {
    rc = fat_err_set(err, FAT_EIO, "não foi possível abrir %s: %s", path,
                     dst != NULL ? sqlite3_errmsg(dst) : "memória insuficiente");
    goto out;
  }
  sqlite3_busy_timeout(dst, 10000);
  b = sqlite3_backup_init(dst, "main", st->db, "main");
  if (b == NULL) {
    rc = fat_err_set(err, FAT_EDB, "não foi possível copiar o banco para %s: %s", path,
                     sqlite3_errmsg(dst));
    if (err != NULL)
      err->sys = sqlite3_extended_errcode(dst);
    goto out;
  }
  /* all pages in one step: one read snapshot of st, one write transaction
  ** of dst; a lock held by someone else is waited for a while */
  do {
    step = sqlite3_backup_step(b, -1);
    if (step == SQLITE_BUSY || step == SQLITE_LOCKED)
      sqlite3_sleep(100);
  } while ((step == SQLITE_BUSY || step == SQLITE_LOCKED) && ++tentativas < 100);
  fim = sqlite3_backup_finish(b);
  if (step != SQLITE_DONE || fim != SQLITE_OK) {
    int code = step != SQLITE_DONE ? step : fim;

    rc = fat_err_set(err, code == SQLITE_NOMEM ? FAT_ENOMEM : FAT_EDB,
                     "não foi possível copiar o banco para %s: %s", path, sqlite3_errstr(code));
    if (err != NULL)
      err->sys = code;
  }
out:
  sqlite3_close(dst);
  return rc;
}
