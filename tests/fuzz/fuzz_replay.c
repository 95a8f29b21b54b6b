/* fuzz_replay.c: runs a libFuzzer target without libFuzzer, so every build
** (gcc included, and the sanitizer suite) replays the seeds and the
** regression inputs of tests/fuzz through it: each argument is a file or a
** folder of files, each file is one call of LLVMFuzzerTestOneInput. A target
** aborts on a broken promise, so a crash fails the test.
** usage: fuzz_replay_<alvo> ARQUIVO_OU_PASTA... */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fat_mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static long n_run;

static int run_file(const char *path)
{
  FILE *f = fopen(path, "rb");
  unsigned char *data = NULL;
  size_t n = 0, cap = 0, got;
  int rc = 1;

  if (f == NULL) {
    fprintf(stderr, "fuzz_replay: %s: não foi possível abrir\n", path);
    return 1;
  }
  for (;;) {
    if (n == cap) {
      unsigned char *grown = fat_realloc(data, cap == 0 ? 4096 : cap * 2);

      if (grown == NULL)
        goto out;
      data = grown;
      cap = cap == 0 ? 4096 : cap * 2;
    }
    got = fread(data + n, 1, cap - n, f);
    n += got;
    if (got == 0)
      break;
  }
  if (ferror(f))
    goto out;
  fprintf(stderr, "fuzz_replay: %s (%zu bytes)\n", path, n);
  LLVMFuzzerTestOneInput(data, n);
  n_run++;
  rc = 0;
out:
  fclose(f);
  fat_free(data);
  return rc;
}

static int run_path(const char *path)
{
  struct stat sb;
  struct dirent **names = NULL;
  char child[4096];
  int i, n, rc = 0;

  if (stat(path, &sb) != 0) {
    fprintf(stderr, "fuzz_replay: %s: não encontrado\n", path);
    return 1;
  }
  if (!S_ISDIR(sb.st_mode))
    return run_file(path);
  n = scandir(path, &names, NULL, alphasort);
  if (n < 0)
    return 1;
  for (i = 0; i < n; i++) {
    if (names[i]->d_name[0] != '.') {
      snprintf(child, sizeof child, "%s/%s", path, names[i]->d_name);
      rc |= run_path(child);
    }
    free(names[i]);
  }
  free(names);
  return rc;
}

int main(int argc, char **argv)
{
  int i, rc = 0;

  for (i = 1; i < argc; i++)
    rc |= run_path(argv[i]);
  printf("fuzz_replay: %ld entrada(s) sem falha\n", n_run);
  return rc != 0 || n_run == 0;
}
