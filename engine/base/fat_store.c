#include "fat_store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fat_mem.h"

#define STORE_CACHE_MAX 256

typedef struct stmt_slot {
  const char *sql; /* identity: the literal's address */
  sqlite3_stmt *stmt;
} stmt_slot;

struct fat_store {
  sqlite3 *db;
  int depth;        /* nesting of fat_store_begin */
  int failed;       /* an inner rollback happened */
  char user[64];
  stmt_slot cache[STORE_CACHE_MAX];
  int n_cache;
};

sqlite3 *fat_store_db(fat_store *st) { return st->db; }

/* A busy or locked database is not a broken one: it gets FAT_EBUSY and a
** message that says what to do. */
static fat_rc store_fail(fat_store *st, fat_err *err, const char *what, const char *detail)
{
  int code = sqlite3_extended_errcode(st->db);
  fat_rc rc;

  if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED)
    rc = fat_err_set(err, FAT_EBUSY,
                     "%s: o banco de dados está ocupado por outro processo do faturo (outra "
                     "importação, conferência ou o servidor gravando); nada foi alterado: tente "
                     "de novo em instantes",
                     what);
  else
    rc = fat_err_set(err, FAT_EDB, "%s: %s", what, detail);
  if (err != NULL)
    err->sys = code;
  return rc;
}

fat_rc fat_store_dberr(fat_store *st, fat_err *err, const char *what)
{
  return store_fail(st, err, what, sqlite3_errmsg(st->db));
}

int fat_store_ocupado(const fat_err *err) { return err != NULL && err->rc == FAT_EBUSY; }

fat_rc fat_store_exec(fat_store *st, const char *sql, fat_err *err)
{
  char *msg = NULL;
  fat_rc rc = FAT_OK;

  if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK)
    rc = store_fail(st, err, "não foi possível usar o banco de dados", msg != NULL ? msg : "?");
  sqlite3_free(msg);
  return rc;
}

fat_rc fat_store_prepare(fat_store *st, const char *sql, sqlite3_stmt **out, fat_err *err)
{
  int i;
  sqlite3_stmt *s = NULL;

  *out = NULL;
  for (i = 0; i < st->n_cache; i++) {
    if (st->cache[i].sql == sql) {
      sqlite3_reset(st->cache[i].stmt);
      sqlite3_clear_bindings(st->cache[i].stmt);
      *out = st->cache[i].stmt;
      return FAT_OK;
    }
  }
  if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK)
    return fat_store_dberr(st, err, "erro ao preparar consulta");
  if (st->n_cache < STORE_CACHE_MAX) {
    st->cache[st->n_cache].sql = sql;
    st->cache[st->n_cache].stmt = s;
    st->n_cache++;
  } else {
    /* cache full: evict the oldest slot (statements are cheap to re-prepare) */
    sqlite3_finalize(st->cache[0].stmt);
    memmove(&st->cache[0], &st->cache[1], sizeof st->cache[0] * (STORE_CACHE_MAX - 1));
    st->cache[STORE_CACHE_MAX - 1].sql = sql;
    st->cache[STORE_CACHE_MAX - 1].stmt = s;
  }
  *out = s;
  return FAT_OK;
}

int fat_bind_text(sqlite3_stmt *s, int i, const char *v)
{
  if (v == NULL)
    return sqlite3_bind_null(s, i);
  return sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

int fat_bind_int(sqlite3_stmt *s, int i, int64_t v) { return sqlite3_bind_int64(s, i, v); }

int fat_bind_int_or_null(sqlite3_stmt *s, int i, int64_t v, int is_null)
{
  return is_null ? sqlite3_bind_null(s, i) : sqlite3_bind_int64(s, i, v);
}

char *fat_col_strdup(sqlite3_stmt *s, int i, int *oom)
{
  const unsigned char *t;
  char *d;

  if (sqlite3_column_type(s, i) == SQLITE_NULL)
    return NULL;
  t = sqlite3_column_text(s, i);
  if (t == NULL) {
    *oom = 1;
    return NULL;
  }
  d = fat_strndup((const char *)t, (size_t)sqlite3_column_bytes(s, i));
  if (d == NULL)
    *oom = 1;
  return d;
}

fat_rc fat_store_step_done(fat_store *st, sqlite3_stmt *s, const char *what, fat_err *err)
{
  int r = sqlite3_step(s);
  fat_rc rc = FAT_OK;

  if (r != SQLITE_DONE && r != SQLITE_ROW)
    rc = fat_store_dberr(st, err, what); /* read the message before the reset */
  sqlite3_reset(s);
  return rc;
}

cJSON *fat_store_row_json(sqlite3_stmt *s, int omit_null)
{
  cJSON *o = cJSON_CreateObject();
  cJSON *v;
  int i, n = sqlite3_column_count(s);

  if (o == NULL)
    return NULL;
  for (i = 0; i < n; i++) {
    const char *name = sqlite3_column_name(s, i);

    switch (sqlite3_column_type(s, i)) {
    case SQLITE_INTEGER: v = cJSON_CreateNumber((double)sqlite3_column_int64(s, i)); break;
    case SQLITE_FLOAT: v = cJSON_CreateNumber(sqlite3_column_double(s, i)); break;
    case SQLITE_TEXT: v = cJSON_CreateString((const char *)sqlite3_column_text(s, i)); break;
    case SQLITE_NULL:
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

fat_rc fat_store_rows_json(fat_store *st, sqlite3_stmt *s, int omit_null, const char *what,
                           cJSON **out, fat_err *err)
{
  cJSON *arr = cJSON_CreateArray(), *row;
  int step;
  fat_rc rc = FAT_OK;

  *out = NULL;
  if (arr == NULL) {
    sqlite3_reset(s);
    return fat_err_oom(err);
  }
  while ((step = sqlite3_step(s)) == SQLITE_ROW) {
    row = fat_store_row_json(s, omit_null);
    if (row == NULL || !cJSON_AddItemToArray(arr, row)) {
      cJSON_Delete(row);
      rc = fat_err_oom(err);
      break;
    }
  }
  if (rc == FAT_OK && step != SQLITE_DONE)
    rc = fat_store_dberr(st, err, what);
  sqlite3_reset(s);
  if (rc != FAT_OK) {
    cJSON_Delete(arr);
    return rc;
  }
  *out = arr;
  return FAT_OK;
}

int64_t fat_store_last_id(fat_store *st) { return sqlite3_last_insert_rowid(st->db); }

int fat_store_schema_latest(void)
{
  int i, v = 0;

  for (i = 0; fat_migrations[i].sql != NULL; i++)
    if (fat_migrations[i].version > v)
      v = fat_migrations[i].version;
  return v;
}

int fat_store_schema_version(fat_store *st)
{
  sqlite3_stmt *s;
  int v = -1;

  if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
    return -1;
  if (sqlite3_step(s) == SQLITE_ROW)
    v = sqlite3_column_int(s, 0);
  sqlite3_finalize(s);
  return v;
}

/* Apply every migration newer than user_version, all in one transaction. */
static fat_rc store_migrate(fat_store *st, fat_err *err)
{
  int cur = fat_store_schema_version(st);
  int latest = fat_store_schema_latest();
  int i;
  char pragma[64];
  fat_rc rc;

  if (cur < 0)
    return fat_store_dberr(st, err, "não foi possível ler a versão do esquema");
  if (cur > latest)
    return fat_err_set(err, FAT_ESTATE,
                       "o banco de dados tem esquema versão %d, mais novo que o desta versão do "
                       "faturo (%d): atualize o faturo antes de usar este banco",
                       cur, latest);
  if (cur == latest)
    return FAT_OK;
  rc = fat_store_exec(st, "BEGIN IMMEDIATE", err);
  if (rc != FAT_OK)
    return rc;
  for (i = 0; fat_migrations[i].sql != NULL; i++) {
    if (fat_migrations[i].version <= cur)
      continue;
    rc = fat_store_exec(st, fat_migrations[i].sql, err);
    if (rc != FAT_OK) {
      fat_err_prefix(err, "migração %s: ", fat_migrations[i].name);
      goto fail;
    }
  }
  snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", latest);
  rc = fat_store_exec(st, pragma, err);
  if (rc != FAT_OK)
    goto fail;
  return fat_store_exec(st, "COMMIT", err);
fail:
  sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
  return rc;
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

static fat_rc store_open(const char *path, int create, fat_store **out, fat_err *err)
{
  struct stat sb;
  fat_store *st;
  fat_rc rc;

  *out = NULL;
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
  if (st == NULL)
    return fat_err_oom(err);
  snprintf(st->user, sizeof st->user, "%s", "cli");
  if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
    rc = st->db == NULL ? fat_err_oom(err)
                        : fat_store_dberr(st, err, "não foi possível abrir o banco de dados");
    fat_err_prefix(err, "%s: ", path);
    goto fail;
  }
  sqlite3_extended_result_codes(st->db, 1);
  sqlite3_busy_timeout(st->db, 10000);
  rc = fat_store_exec(st, "PRAGMA foreign_keys = ON", err);
  if (rc == FAT_OK)
    rc = fat_store_exec(st, "PRAGMA journal_mode = WAL", err);
  if (rc == FAT_OK)
    rc = fat_store_exec(st, "PRAGMA synchronous = NORMAL", err);
  if (rc != FAT_OK) {
    fat_err_prefix(err, "%s: ", path);
    goto fail;
  }
  rc = store_migrate(st, err);
  if (rc != FAT_OK) {
    fat_err_prefix(err, "%s: ", path);
    goto fail;
  }
  *out = st;
  return FAT_OK;
fail:
  fat_store_close(st);
  return rc;
}

fat_rc fat_store_open(const char *path, fat_store **out, fat_err *err)
{
  return store_open(path, 0, out, err);
}

fat_rc fat_store_create(const char *path, fat_store **out, fat_err *err)
{
  return store_open(path, 1, out, err);
}

void fat_store_set_busy_timeout(fat_store *st, int ms)
{
  sqlite3_busy_timeout(st->db, ms);
}

void fat_store_close(fat_store *st)
{
  int i;

  if (st == NULL)
    return;
  for (i = 0; i < st->n_cache; i++)
    sqlite3_finalize(st->cache[i].stmt);
  sqlite3_close(st->db);
  fat_free(st);
}

fat_rc fat_store_begin(fat_store *st, fat_err *err)
{
  fat_rc rc;

  if (st->depth == 0) {
    rc = fat_store_exec(st, "BEGIN IMMEDIATE", err);
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
    return fat_err_set(err, FAT_ESTATE, "transação desfeita por erro anterior");
  }
  rc = fat_store_exec(st, "COMMIT", err);
  if (rc != FAT_OK)
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
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
}

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
  static const char sql[] =
      "INSERT INTO auditoria (usuario, acao, objeto, detalhe) VALUES (?1, ?2, ?3, ?4)";
  sqlite3_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, st->user);
  fat_bind_text(s, 2, acao);
  fat_bind_text(s, 3, objeto);
  fat_bind_text(s, 4, detalhe);
  rc = fat_store_step_done(st, s, "erro ao gravar auditoria", err);
  return rc;
}

void fat_store_now(char *buf, unsigned long len)
{
  time_t t = time(NULL);
  struct tm tm;

  gmtime_r(&t, &tm);
  strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
