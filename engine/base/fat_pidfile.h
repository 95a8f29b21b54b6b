/* fat_pidfile.h: the pid file of a running `faturo servidor`, and asking
** that server to reload its rules.
**
** The server holds a write lock (fcntl) on the whole file while it runs, so
** the lock itself says who is running: a file left behind by a server that
** died is not locked, and its stale pid is never signalled. The process
** named is the one the kernel reports as holding the lock, not whatever
** number the file contains.
*/
#ifndef FAT_PIDFILE_H
#define FAT_PIDFILE_H

#include "fat_err.h"

typedef struct fat_pidfile fat_pidfile;

/* "<dir of db_path>/faturo-servidor.pid" (or "faturo-servidor.pid" for a
** bare file name). Caller frees with fat_free; NULL on OOM. */
char *fat_pidfile_path(const char *db_path);

/* Create (or take over a stale) pid file at path (mode 0600, never through
** a symlink), lock it and write this process's pid. FAT_ESTATE naming the
** pid when another live server holds it. *out owned by the caller:
** fat_pidfile_release. */
FAT_NODISCARD fat_rc fat_pidfile_acquire(const char *path, fat_pidfile **out, fat_err *err);

/* Remove the file and drop the lock. NULL is a no-op. */
void fat_pidfile_release(fat_pidfile *p);

/* Send signal sig to the server holding the pid file at path. *pid gets
** its pid, or 0 when no server is running (no file, or a stale file that
** nobody holds: nothing is sent). */
FAT_NODISCARD fat_rc fat_pidfile_signal(const char *path, int sig, long *pid, fat_err *err);

#endif
