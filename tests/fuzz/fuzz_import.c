/* fuzz_import.c: libFuzzer target for the guia import (JSON and CSV), into
** an in-memory store opened once. Built twice: FUZZ_FORMATO selects
** FAT_FMT_JSON (fuzz_import_json) or FAT_FMT_CSV (fuzz_import_csv). A file
** either imports or is refused with an error; nothing may crash or leak.
** Seeds: tests/data/import. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fat_import.h"

#ifndef FUZZ_FORMATO
#define FUZZ_FORMATO FAT_FMT_JSON
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static fat_store *st;

static void close_store(void) { fat_store_close(st); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  fat_import_result res;
  fat_err err;

  if (st == NULL) {
    if (fat_store_open(":memory:", &st, &err) != FAT_OK) {
      fprintf(stderr, "fuzz_import: %s\n", err.msg);
      abort();
    }
    atexit(close_store);
  }
  (void)fat_import_guias_buffer(st, (const char *)data, size, FUZZ_FORMATO, "fuzz", &res, &err);
  return 0;
}
