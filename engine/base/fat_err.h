/* fat_err.h: status codes and the error detail every fallible call fills.
**
** Every fallible public function returns fat_rc and takes `fat_err *err` last
** (NULL allowed). err->msg is a pt-BR message meant for the user: the problem
** first, lowercase, no final period (e.g. "linha 3, campo senha: data inválida").
*/
#ifndef FAT_ERR_H
#define FAT_ERR_H

#if defined(__GNUC__)
#define FAT_NODISCARD __attribute__((warn_unused_result))
#define FAT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define FAT_NODISCARD
#define FAT_PRINTF(f, a)
#endif

typedef enum fat_rc {
  FAT_OK = 0,
  FAT_ENOMEM,    /* out of memory */
  FAT_EINVAL,    /* invalid input or argument (user data) */
  FAT_ENOTFOUND, /* the thing asked for does not exist */
  FAT_EIO,       /* OS error; errno in err->sys */
  FAT_EDB,       /* SQLite error; extended code in err->sys */
  FAT_EXML,      /* TISS document invalid or unreadable */
  FAT_ERULE,     /* a Lua rule raised an error or a self-test failed */
  FAT_ELIMIT,    /* input or rule exceeded a size/instruction/memory/time budget */
  FAT_ESTATE,    /* operation not allowed in the object's current state */
  FAT_EPERM,     /* the user's role does not allow it */
  FAT_EBUSY      /* the database is busy or locked by another process; try again */
} fat_rc;

typedef struct fat_err {
  fat_rc rc;
  int sys;       /* errno, sqlite3_extended_errcode(), or 0 */
  char msg[512]; /* pt-BR message for the user */
} fat_err;

/* Fill *err (if non-NULL) with rc and the formatted message; returns rc so
** callers can write `return fat_err_set(err, FAT_EINVAL, "...")`. */
fat_rc fat_err_set(fat_err *err, fat_rc rc, const char *fmt, ...) FAT_PRINTF(3, 4);

/* Prefix the existing message of err with a formatted context ("arquivo x: ").
** Returns err->rc (FAT_OK if err is NULL). */
fat_rc fat_err_prefix(fat_err *err, const char *fmt, ...) FAT_PRINTF(2, 3);

/* Out of memory: FAT_ENOMEM with "memória insuficiente", the one spelling of
** that message. Returns FAT_ENOMEM. */
fat_rc fat_err_oom(fat_err *err);

/* An operating-system failure: FAT_EIO with "<formatted context>: <pt-BR
** description of errnum>" and err->sys = errnum. Use it instead of
** strerror(), whose text is English (e.g. "não foi possível abrir x.csv:
** arquivo ou pasta não existe"). Returns FAT_EIO. */
fat_rc fat_err_sys(fat_err *err, int errnum, const char *fmt, ...) FAT_PRINTF(3, 4);

/* Static pt-BR description of an errno value ("permissão negada", "disco
** cheio"...); unknown values give "erro do sistema". Never NULL. */
const char *fat_err_errno_str(int errnum);

/* Reset err to FAT_OK with an empty message. NULL is a no-op. */
void fat_err_clear(fat_err *err);

/* Static pt-BR name of a code, e.g. "memória insuficiente". Never NULL. */
const char *fat_rc_str(fat_rc rc);

/* Stable ASCII identifier of a code for APIs, e.g. "ENOMEM". Never NULL. */
const char *fat_rc_code(fat_rc rc);

/* 1 when rc is a failure of the system rather than of the input (ENOMEM,
** EIO, EDB, EBUSY): a batch stops on it instead of reporting the one item
** and going on. */
int fat_rc_is_system(fat_rc rc);

#endif
