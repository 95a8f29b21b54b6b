/* fat_store.h: the SQLite store.
**
** One fat_store is one connection; use one per thread. Only fat_store_create
** makes a new file (faturo init and the demo; mode 0600): a mistyped path
** must not become an empty database that reports an all-clear. Opening turns
** on WAL and foreign keys, and applies the embedded
** migrations (schemas/NNN_*.sql) the database lacks, in order of number and
** in one transaction; the table esquema_migracao records each one applied.
** A database that has a migration this binary does not know (made by a newer
** faturo) is refused.
*/
#ifndef FAT_STORE_H
#define FAT_STORE_H

#include <stdint.h>
#include <time.h>

#include "fat_err.h"

typedef struct fat_store fat_store;

/* Open the existing store at path and migrate its schema. FAT_ENOTFOUND
** (pt-BR message naming path and `faturo init`) when there is no such file.
** A database busy or locked by another process past the busy timeout fails
** with FAT_EBUSY (here and in every call on the handle), never FAT_EDB.
** On success *out owns the handle; release it with fat_store_close(). */
FAT_NODISCARD fat_rc fat_store_open(const char *path, fat_store **out, fat_err *err);

/* Like fat_store_open, but a missing file is created (mode 0600: it will
** hold CPF, CID and names). */
FAT_NODISCARD fat_rc fat_store_create(const char *path, fat_store **out, fat_err *err);

/* Remove the database file at path and what SQLite may have left beside
** it (-wal, -shm, -journal); a missing file is not an error. Only for a
** database no connection has open (a temporary copy, a test's file). */
void fat_store_remove_files(const char *path);

/* How long a statement waits for another process's lock before it fails
** with FAT_EBUSY (milliseconds; 10000 by default). */
void fat_store_set_busy_timeout(fat_store *st, int ms);

/* Close the store; NULL is a no-op. */
void fat_store_close(fat_store *st);

/* Highest migration number of the open database (its PRAGMA user_version;
** -1 on error) and the highest this binary knows. */
int fat_store_schema_version(fat_store *st);
int fat_store_schema_latest(void);

/* One transaction per user action. begin/commit/rollback nest: only the
** outermost pair touches SQLite (inner rollback marks the whole as failed). */
FAT_NODISCARD fat_rc fat_store_begin(fat_store *st, fat_err *err);
FAT_NODISCARD fat_rc fat_store_commit(fat_store *st, fat_err *err);
/* A read transaction: one consistent snapshot for several queries, without
** blocking writers (WAL). End it with fat_store_rollback(). Nests like
** fat_store_begin (inside a write transaction it is just a level). */
FAT_NODISCARD fat_rc fat_store_begin_read(fat_store *st, fat_err *err);
void fat_store_rollback(fat_store *st);
/* A write transaction for many small statements (an import of thousands of
** guias): like fat_store_begin, but each statement's undo journal (SQLite's
** statement journal, needed by statements that fire triggers) stays in
** memory for the whole transaction instead of going to a temporary file
** once one statement passes SQLite's spill size; the connection's
** temp_store is MEMORY until the outermost commit or rollback. Use it only
** for transactions of small statements: one statement's journal holds the
** pages it changes. Inside an open transaction it is just a level. */
FAT_NODISCARD fat_rc fat_store_begin_bulk(fat_store *st, fat_err *err);

/* How much the WAL may hold, in MiB, before a commit copies it into the
** database (PRAGMA wal_autocheckpoint; SQLite's default is 1000 pages, ~4
** MiB, and faturo keeps it). Work made of many small transactions that
** change the same pages again and again (the demo's lotes and retornos:
** the guias' status index) then writes each page to the database once per
** checkpoint instead of about once per transaction, and syncs less often.
** The cost: a -wal file up to that size and, with synchronous = NORMAL,
** more recent commits that a power cut (not a crash of faturo) can undo.
** mb <= 0: back to SQLite's 1000 pages. Only the demo sets it, for its
** lotes and retornos (docs/dev/store.md). */
FAT_NODISCARD fat_rc fat_store_set_checkpoint_mb(fat_store *st, int mb, fat_err *err);

/* Copy the WAL into the database now (a passive checkpoint), outside a
** transaction; a no-op in one. A checkpoint copies only what no reader still
** needs, and the WAL starts over only when it copied everything: work that
** keeps readers open on other connections while it writes (conferir's
** threads) calls this when they are closed, or the WAL grows with all it
** writes (8 GB in the demo of a million guias). Busy is not an error. */
FAT_NODISCARD fat_rc fat_store_checkpoint(fat_store *st, fat_err *err);

/* The user name recorded in audit rows and generation rows ("cli" by default).
** The string is copied. */
FAT_NODISCARD fat_rc fat_store_set_user(fat_store *st, const char *user, fat_err *err);
const char *fat_store_user(const fat_store *st);

/* Append one audit row (who = current user): acao like 'guia.importar',
** objeto like 'guia:12' (may be NULL), detalhe free text (may be NULL). */
FAT_NODISCARD fat_rc fat_store_audit(fat_store *st, const char *acao, const char *objeto,
                                     const char *detalhe, fat_err *err);
/* The same row with its time em ('AAAA-MM-DDTHH:MM:SSZ', fat_store_now)
** given by the caller instead of SQLite's strftime('now') for each row: a
** caller writing many rows formats the second once. */
FAT_NODISCARD fat_rc fat_store_audit_em(fat_store *st, const char *em, const char *acao,
                                        const char *objeto, const char *detalhe, fat_err *err);

/* True when err says the store was busy or locked by another process (the
** busy timeout ran out): not a fault of the data, try again later. The same
** as err->rc == FAT_EBUSY. */
int fat_store_ocupado(const fat_err *err);

/* The storage failure an error of the store describes, for a caller that
** must choose how to answer it (the web server's HTTP status): */
typedef enum fat_store_falha {
  FAT_FALHA_OUTRA = 0,      /* not a storage failure (or not one of these) */
  FAT_FALHA_DISCO_CHEIO,    /* disk full or file-size limit */
  FAT_FALHA_SOMENTE_LEITURA,/* read-only file, folder or mount */
  FAT_FALHA_DISCO           /* another read/write error of the disk */
} fat_store_falha;

/* Which of the failures above err (filled by a store function, possibly
** prefixed on its way up) describes. err->msg already says it in pt-BR for
** the user, with the database file's name and that nothing was written. */
fat_store_falha fat_store_falha_de(const fat_err *err);

/* Copy the whole database of st, as one consistent snapshot (SQLite's online
** backup API: other connections go on writing meanwhile), over the database
** file at path, which is created when absent (its mode follows the process
** umask: 0600 under the CLI). Whatever path held is replaced inside one
** write transaction of the destination, so a reader of path sees the old or
** the new database, never a mix. `faturo backup` copies the clinic's store
** to a new file; `faturo restaurar` copies a verified backup over the
** clinic's database (engine/verificar/fat_backup.h). FAT_EIO when path
** cannot be opened, FAT_EDB (busy past the timeout, disk full...) otherwise. */
FAT_NODISCARD fat_rc fat_store_copiar_para(fat_store *st, const char *path, fat_err *err);

/* Current UTC timestamp 'AAAA-MM-DDTHH:MM:SSZ' into buf (>= 21 bytes). */
void fat_store_now(char *buf, unsigned long len);
/* The same for the instant t (seconds since 1970, UTC). */
void fat_store_now_at(time_t t, char *buf, unsigned long len);

#endif
