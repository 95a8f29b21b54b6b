/* fat_store_int.h: the store's statement API for engine modules (not for the
** CLI or the web).
**
** Every SQL statement of faturo runs through this header: modules never see
** SQLite's types, so a second backend is one new fat_store.c (see
** docs/dev/store.md for what is still SQLite-specific: the SQL dialect).
**
** A statement comes from fat_store_prepare(), which caches it by the SQL
** text; it stays owned by the store (never finalize it). Bind every value
** with the fat_bind_* helpers: a bind that fails (out of memory, value too
** big, wrong index) is remembered on the statement, and every later step of
** it fails with that error until it is prepared again, so a failed bind can
** never run the statement with a NULL in its place. Column text must be
** copied before the next step or reset.
**
** SQL functions of faturo, registered on every connection the store opens:
**   dia_local(x)  the clinic's local day 'AAAA-MM-DD' of a stored UTC
**                 timestamp x ('AAAA-MM-DDTHH:MM:SSZ' or with a blank for
**                 the T), through fat_dia_local_de (fat_dia.h): a lote
**                 closed at 01:30 UTC of the 1st was closed on the 31st in
**                 Brasília. A plain date 'AAAA-MM-DD' is returned as it is;
**                 NULL, numbers and other text give NULL. Its month is
**                 substr(dia_local(x), 1, 7). Use it to show or group
**                 instants by day; to keep a range of days of an indexed
**                 column, bound the column with fat_dia_inicio_utc instead
**                 (a function of the column defeats its index). Registered
**                 deterministic: the process's time zone (TZ) is fixed when
**                 it starts. No schema object (index, view, trigger,
**                 generated column) may use it: other tools opening the file
**                 do not have it, and its value depends on the TZ.
*/
#ifndef FAT_STORE_INT_H
#define FAT_STORE_INT_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_store.h"

/* One embedded migration (schemas/NNN_name.sql). */
typedef struct fat_migration {
  int version;      /* NNN */
  const char *name; /* file name */
  const char *sql;
} fat_migration;

extern const fat_migration fat_migrations[]; /* generated; ends with {0, NULL, NULL} */

/* The file of the database (NULL for an in-memory or temporary one): where
** another connection to the same database is opened from. */
const char *fat_store_filename(fat_store *st);
/* 1 while a transaction (fat_store_begin or _begin_read) is open on st. */
int fat_store_in_transaction(const fat_store *st);

/* fat_store_create() with another list of migrations (sorted by number, ending
** with {0, NULL, NULL}) instead of the embedded schemas/: for tests of the
** migration logic. */
FAT_NODISCARD fat_rc fat_store_open_with(const char *path, const fat_migration *migrations,
                                         fat_store **out, fat_err *err);

typedef struct fat_stmt fat_stmt; /* a prepared statement owned by the store */

/* Results of fat_stmt_step(). */
enum { FAT_STEP_ERROR = -1, FAT_ROW = 1, FAT_DONE = 2 };

/* Column types of fat_col_type(). */
enum { FAT_COL_NULL, FAT_COL_INTEGER, FAT_COL_REAL, FAT_COL_TEXT, FAT_COL_BLOB };

/* Fill err from the store's last failure, prefixed with what failed:
** FAT_ENOMEM when the database ran out of memory, else FAT_EDB with the
** database's message and its extended code in err->sys. */
fat_rc fat_store_dberr(fat_store *st, fat_err *err, const char *what);

/* The statement for sql (any string: the cache compares the text, so a
** buffer reused for another statement gets another statement), reset, with
** its bindings and its bind error cleared. Statements not used lately are
** dropped when the cache is full (fat_store_set_cache_size), never one that
** is still being stepped. Asking for a statement that is still being stepped
** (an outer loop is reading its rows and was not reset) is a programming
** error: it asserts in debug builds and fails with FAT_ESTATE in release
** builds, instead of silently restarting the outer loop. */
FAT_NODISCARD fat_rc fat_store_prepare(fat_store *st, const char *sql, fat_stmt **out,
                                       fat_err *err);

/* Capacity of the statement cache, in statements (default
** FAT_STORE_CACHE_DEFAULT); at least 1. A smaller capacity drops idle
** statements now. The cache grows past it only while every cached statement
** is being stepped. */
#define FAT_STORE_CACHE_DEFAULT 256
void fat_store_set_cache_size(fat_store *st, int n);
/* Pages SQLite keeps in memory for this connection, in MiB (PRAGMA
** cache_size; FAT_STORE_PAGINAS_MB when opened). Work that writes a big
** database in one transaction (the demo's guias) spills the dirty pages that
** do not fit to the WAL and writes them again when they change: more cache,
** fewer writes and reads, at up to that much more memory. */
#define FAT_STORE_PAGINAS_MB 16
FAT_NODISCARD fat_rc fat_store_set_paginas_mb(fat_store *st, int mb, fat_err *err);
/* Bytes of memory the connection's page cache holds now (SQLite's
** SQLITE_DBSTATUS_CACHE_USED; 0 when it cannot say). */
int64_t fat_store_paginas_bytes(fat_store *st);
/* Requests of SQLite's allocator served from the calling thread's lists of
** freed small blocks (statement-journal chunks among them) since the thread
** started (fat_store.c, jpool_install; for tests). */
unsigned long fat_store_jpool_hits(void);
/* Statements cached now, and whether sql is one of them (for tests). */
int fat_store_cache_count(const fat_store *st);
int fat_store_cached(const fat_store *st, const char *sql);

/* Bind helpers (parameters count from 1). A failure is sticky: see above.
** NULL strings bind SQL NULL; fat_bind_int_or_null binds NULL when is_null. */
void fat_bind_text(fat_stmt *s, int i, const char *v);
void fat_bind_textn(fat_stmt *s, int i, const char *v, size_t len);
void fat_bind_blob(fat_stmt *s, int i, const void *v, size_t len);
/* fat_bind_blob without the copy (a lote's XML is large): v must stay valid
** and unchanged until the statement has been stepped and reset
** (fat_store_step_done does both); bind the parameter again (NULL) before
** freeing v, since a reset keeps the binding. */
void fat_bind_blob_static(fat_stmt *s, int i, const void *v, size_t len);
/* fat_bind_text without SQLite's copy of the text (a guia stored binds ~70
** texts): v must stay valid and unchanged until the statement has been
** stepped and reset (fat_store_step_done does both; a query, until its
** fat_stmt_reset). The binding a reset keeps is never read again:
** fat_store_prepare clears every binding before it hands the statement out
** again, so v may then be freed. */
void fat_bind_text_static(fat_stmt *s, int i, const char *v);
void fat_bind_int(fat_stmt *s, int i, int64_t v);
void fat_bind_int_or_null(fat_stmt *s, int i, int64_t v, int is_null);
void fat_bind_null(fat_stmt *s, int i);
/* Number of parameters of the statement. */
int fat_stmt_param_count(fat_stmt *s);

/* Run the statement to its next row: FAT_ROW, FAT_DONE, or FAT_STEP_ERROR
** (a failed bind, or the database's error; fat_store_dberr() says which). */
int fat_stmt_step(fat_stmt *s);
/* Stop stepping: the statement can be stepped again from the start with the
** same bindings. Always reset a statement that returned FAT_ROW before
** leaving it (FAT_DONE and fat_store_step_done leave it idle already). */
void fat_stmt_reset(fat_stmt *s);
/* True while the statement has returned a row and was not reset or done. */
int fat_stmt_busy(fat_stmt *s);

/* Columns of the current row (index from 0). fat_col_text is NULL for SQL
** NULL (or out of memory) and dies at the next step or reset. */
int fat_col_type(fat_stmt *s, int i);
int fat_col_is_null(fat_stmt *s, int i);
int64_t fat_col_int64(fat_stmt *s, int i);
int fat_col_int(fat_stmt *s, int i);
double fat_col_double(fat_stmt *s, int i);
const char *fat_col_text(fat_stmt *s, int i);
const void *fat_col_blob(fat_stmt *s, int i);
int fat_col_bytes(fat_stmt *s, int i);
int fat_col_count(fat_stmt *s);
const char *fat_col_name(fat_stmt *s, int i);

/* Copy of column i as a new string (NULL for SQL NULL); *oom set on failure. */
char *fat_col_strdup(fat_stmt *s, int i, int *oom);
/* Column i as text into dst[len] (len > 0; "" for SQL NULL), cut at len - 1
** bytes as snprintf(dst, len, "%s", ...) would, without snprintf. */
void fat_col_copy(fat_stmt *s, int i, char *dst, size_t len);

/* Step a write statement once and reset it: FAT_OK on FAT_DONE/FAT_ROW, else
** the fat_store_dberr() of "<what>". */
FAT_NODISCARD fat_rc fat_store_step_done(fat_store *st, fat_stmt *s, const char *what,
                                         fat_err *err);

/* The current row as a JSON object keyed by column name (use SQL aliases for
** the keys): integers and reals as numbers, text as strings, BLOBs skipped;
** NULL columns as JSON null, or left out when omit_null. NULL on OOM. */
cJSON *fat_store_row_json(fat_stmt *s, int omit_null);

/* Every remaining row of s as a JSON array of fat_store_row_json objects;
** resets s. On a step error: the fat_store_dberr() of "<what>". */
FAT_NODISCARD fat_rc fat_store_rows_json(fat_store *st, fat_stmt *s, int omit_null,
                                         const char *what, cJSON **out, fat_err *err);

/* Run one constant SQL text with no parameters (DDL, PRAGMA; several
** statements allowed). */
FAT_NODISCARD fat_rc fat_store_exec(fat_store *st, const char *sql, fat_err *err);

/* Last inserted rowid, and rows changed by the last INSERT/UPDATE/DELETE. */
int64_t fat_store_last_id(fat_store *st);
int fat_store_changes(fat_store *st);

#endif
