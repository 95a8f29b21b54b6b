/* fuzz_agenda.c: libFuzzer target for the schedule audit (fat_agenda_auditar,
** "faturo auditoria agenda"): any CSV must give a report (rows it could not
** read listed with their line) or a clear error, never a crash or a leak.
** The store (fuzz_agenda.db, rebuilt at the start of each run) holds the
** guias of tests/data/import/good.json when FAT_SOURCE_DIR is set, so rows
** can match guias. Seeds: tests/fuzz/seeds/agenda. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fat_agenda.h"
#include "fat_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DB "fuzz_agenda.db"
#define CSV "fuzz_agenda.csv"

static fat_store *st;

static void close_store(void)
{
  fat_store_close(st);
  unlink(CSV);
}

static void open_store(void)
{
  const char *src = getenv("FAT_SOURCE_DIR");
  fat_import_result res;
  fat_err err;
  char path[1024];

  unlink(DB);
  unlink(DB "-wal");
  unlink(DB "-shm");
  if (fat_store_create(DB, &st, &err) != FAT_OK) {
    fprintf(stderr, "fuzz_agenda: %s\n", err.msg);
    abort();
  }
  atexit(close_store);
  if (src != NULL) {
    snprintf(path, sizeof path, "%s/tests/data/import/good.json", src);
    if (fat_import_guias_file(st, path, FAT_FMT_AUTO, &res, &err) != FAT_OK)
      fprintf(stderr, "fuzz_agenda: sem guias (%s)\n", err.msg);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  cJSON *out = NULL;
  fat_err err;
  FILE *f;

  if (st == NULL)
    open_store();
  f = fopen(CSV, "wb");
  if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
    abort();
  if (fat_agenda_auditar(st, NULL, CSV, &out, &err) != FAT_OK) {
    if (err.msg[0] == '\0')
      abort(); /* refused without saying why */
    return 0;
  }
  cJSON_Delete(out);
  return 0;
}
