/* fat_paths.c: the data directory, found from the environment and the
** executable (see fat_paths.h). */
#include "fat_paths.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fat_mem.h"

static pthread_once_t paths_once = PTHREAD_ONCE_INIT;
static char data_dir[PATH_MAX];
static char xsd_dir[PATH_MAX];

static int is_file(const char *dir, const char *rel)
{
  char p[PATH_MAX + 64];
  struct stat sb;

  if ((size_t)snprintf(p, sizeof p, "%s/%s", dir, rel) >= sizeof p)
    return 0;
  return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* Folder of the running executable into out (no trailing slash). */
static int exe_dir(char *out, size_t len)
{
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  char *slash;

  if (n <= 0)
    return 0;
  buf[n] = '\0';
  slash = strrchr(buf, '/');
  if (slash == NULL || (size_t)(slash - buf) >= len)
    return 0;
  *slash = '\0';
  snprintf(out, len, "%s", buf[0] != '\0' ? buf : "/");
  return 1;
}

/* CMAKE_HOME_DIRECTORY from dir/CMakeCache.txt into out. */
static int cmake_home(const char *dir, char *out, size_t len)
{
  static const char key[] = "CMAKE_HOME_DIRECTORY:INTERNAL=";
  char p[PATH_MAX + 32], line[PATH_MAX + 64];
  FILE *f;
  int found = 0;

  if ((size_t)snprintf(p, sizeof p, "%s/CMakeCache.txt", dir) >= sizeof p)
    return 0;
  f = fopen(p, "r");
  if (f == NULL)
    return 0;
  while (!found && fgets(line, sizeof line, f) != NULL) {
    if (strncmp(line, key, sizeof key - 1) == 0) {
      size_t n = strcspn(line + sizeof key - 1, "\r\n");

      if (n > 0 && n < len) {
        memcpy(out, line + sizeof key - 1, n);
        out[n] = '\0';
        found = 1;
      }
    }
  }
  fclose(f);
  return found;
}

static void find_data_dir(void)
{
  const char *home = getenv("FATURO_HOME");
  char exe[PATH_MAX], cand[PATH_MAX + 32], src[PATH_MAX];

  if (home != NULL && home[0] != '\0') {
    snprintf(data_dir, sizeof data_dir, "%s", home);
    return;
  }
  if (!exe_dir(exe, sizeof exe))
    return;
  snprintf(cand, sizeof cand, "%s/../share/faturo", exe);
  if (is_file(cand, "scripts/faturo/base.lua") && realpath(cand, data_dir) != NULL)
    return;
  data_dir[0] = '\0';
  snprintf(cand, sizeof cand, "%s/..", exe);
  if ((cmake_home(exe, src, sizeof src) || cmake_home(cand, src, sizeof src)) &&
      is_file(src, "scripts/faturo/base.lua"))
    snprintf(data_dir, sizeof data_dir, "%s", src);
}

static void find_all(void)
{
  char cand[PATH_MAX + 64];

  find_data_dir();
  if (data_dir[0] == '\0')
    return;
  snprintf(cand, sizeof cand, "%s/schemas/tiss/4.01.00", data_dir);
  if (is_file(cand, "tissV4_01_00.xsd") && realpath(cand, xsd_dir) != NULL)
    return;
  xsd_dir[0] = '\0';
  snprintf(cand, sizeof cand, "%s/../shared/tiss/4.01.00", data_dir);
  if (is_file(cand, "tissV4_01_00.xsd") && realpath(cand, xsd_dir) == NULL)
    xsd_dir[0] = '\0';
}

const char *fat_paths_data_dir(void)
{
  pthread_once(&paths_once, find_all);
  return data_dir[0] != '\0' ? data_dir : NULL;
}

char *fat_paths_data(const char *rel)
{
  const char *d = fat_paths_data_dir();

  if (d == NULL)
    return NULL;
  return fat_asprintf("%s/%s", d, rel);
}

const char *fat_paths_xsd_dir(void)
{
  pthread_once(&paths_once, find_all);
  return xsd_dir[0] != '\0' ? xsd_dir : NULL;
}
