/* fat_store_int.h: store internals for engine modules (not for CLI/web).
**
** Modules prepare their own statements on the handle; SQL text is constant and
** every value is bound. Column text must be copied before the next step.
*/
#ifndef FAT_STORE_INT_H
#define FAT_STORE_INT_H

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "fat_store.h"

typedef struct fat_migration {
  int version;
  const char *name;
  const char *sql;
} fat_migration;

extern const fat_migration fat_migrations[]; /* generated; ends with {0, NULL, NULL} */

sqlite3 *fat_store_db(fat_store *st);

/* Fill err from the connection's last error, prefixed with what failed. */
fat_rc fat_store_dberr(fat_store *st, fat_err *err, const char *what);

/* Prepare (cached by SQL text pointer: pass string literals) a statement.
** The statement is reset and its bindings cleared before it is returned; it
** stays owned by the store. */
FAT_NODISCARD fat_rc fat_store_prepare(fat_store *st, const char *sql, sqlite3_stmt **out,
                                       fat_err *err);

/* Bind helpers: NULL strings and negative "absent" markers bind SQL NULL. */
int fat_bind_text(sqlite3_stmt *s, int i, const char *v);
int fat_bind_int(sqlite3_stmt *s, int i, int64_t v);
int fat_bind_int_or_null(sqlite3_stmt *s, int i, int64_t v, int is_null);

/* Copy of column i as a new string (NULL for SQL NULL); *oom set on failure. */
char *fat_col_strdup(sqlite3_stmt *s, int i, int *oom);

/* Step a write statement once and reset it: FAT_OK on SQLITE_DONE/ROW, else
** FAT_EDB with "<what>: <sqlite message>". */
FAT_NODISCARD fat_rc fat_store_step_done(fat_store *st, sqlite3_stmt *s, const char *what,
                                         fat_err *err);

/* The current row as a JSON object keyed by column name (use SQL aliases for
** the keys): integers and reals as numbers, text as strings, BLOBs skipped;
** NULL columns as JSON null, or left out when omit_null. NULL on OOM. */
cJSON *fat_store_row_json(sqlite3_stmt *s, int omit_null);

/* Every remaining row of s as a JSON array of fat_store_row_json objects;
** resets s. On a step error: FAT_EDB "<what>: <sqlite message>". */
FAT_NODISCARD fat_rc fat_store_rows_json(fat_store *st, sqlite3_stmt *s, int omit_null,
                                         const char *what, cJSON **out, fat_err *err);

/* Run one constant SQL statement with no parameters (DDL, PRAGMA). */
FAT_NODISCARD fat_rc fat_store_exec(fat_store *st, const char *sql, fat_err *err);

/* Last inserted rowid. */
int64_t fat_store_last_id(fat_store *st);

#endif
