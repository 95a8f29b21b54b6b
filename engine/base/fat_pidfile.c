/* fat_pidfile.c: a pid file held with an fcntl lock (see fat_pidfile.h). */
#include "fat_pidfile.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "fat_mem.h"

struct fat_pidfile {
  int fd;
  char *path;
};

char *fat_pidfile_path(const char *db_path)
{
  const char *slash = db_path != NULL ? strrchr(db_path, '/') : NULL;

  if (slash == NULL)
    return fat_strdup("faturo-servidor.pid");
  return fat_asprintf("%.*s/faturo-servidor.pid", (int)(slash - db_path), db_path);
}

/* The pid holding a write-conflicting lock on fd, 0 when none. */
static long lock_holder(int fd)
{
  struct flock fl;

  memset(&fl, 0, sizeof fl);
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  if (fcntl(fd, F_GETLK, &fl) != 0 || fl.l_type == F_UNLCK)
    return 0;
  return (long)fl.l_pid;
}

fat_rc fat_pidfile_acquire(const char *path, fat_pidfile **out, fat_err *err)
{
  fat_pidfile *p;
  struct flock fl;
  char line[64];
  int n;
  fat_rc rc = FAT_OK;

  *out = NULL;
  p = fat_calloc(1, sizeof *p);
  if (p == NULL)
    return fat_err_oom(err);
  p->fd = -1;
  p->path = fat_strdup(path);
  if (p->path == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  p->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (p->fd < 0) {
    rc = fat_err_sys(err, errno, "não foi possível criar %s", path);
    goto out;
  }
  memset(&fl, 0, sizeof fl);
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  if (fcntl(p->fd, F_SETLK, &fl) != 0) {
    long other = lock_holder(p->fd);

    rc = fat_err_set(err, FAT_ESTATE, "outro faturo servidor (pid %ld) já está rodando sobre "
                                      "este banco (%s)", other, path);
    goto out;
  }
  n = snprintf(line, sizeof line, "%ld\n", (long)getpid());
  if (fchmod(p->fd, 0600) != 0 || ftruncate(p->fd, 0) != 0 || write(p->fd, line, (size_t)n) != n)
    rc = fat_err_sys(err, errno, "não foi possível gravar %s", path);
out:
  if (rc == FAT_OK) {
    *out = p;
  } else {
    if (p->fd >= 0)
      close(p->fd);
    fat_free(p->path);
    fat_free(p);
  }
  return rc;
}

void fat_pidfile_release(fat_pidfile *p)
{
  if (p == NULL)
    return;
  (void)unlink(p->path); /* still holding the lock: nobody takes a half-removed file */
  close(p->fd);
  fat_free(p->path);
  fat_free(p);
}

fat_rc fat_pidfile_signal(const char *path, int sig, long *pid, fat_err *err)
{
  int fd;
  long holder;
  fat_rc rc = FAT_OK;

  *pid = 0;
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT)
      return FAT_OK;
    return fat_err_sys(err, errno, "não foi possível ler %s", path);
  }
  holder = lock_holder(fd);
  close(fd);
  if (holder <= 0)
    return FAT_OK; /* stale: the server that wrote it is gone */
  if (kill((pid_t)holder, sig) != 0)
    rc = fat_err_sys(err, errno, "não foi possível avisar o servidor (pid %ld)", holder);
  else
    *pid = holder;
  return rc;
}
