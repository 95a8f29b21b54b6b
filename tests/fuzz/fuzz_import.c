/* fuzz_import.c: libFuzzer target for the guia import (JSON and CSV), into
** a store created once in the working folder (fuzz_import_json.db or
** fuzz_import_csv.db, removed at the start of each run). Built twice: FUZZ_FORMATO selects
** FAT_FMT_JSON (fuzz_import_json) or FAT_FMT_CSV (fuzz_import_csv). A file
** either imports or is refused with an error; nothing may crash or leak.
** The store has the prestador and the operadora of the seeds (CNPJ
** 11.222.333/0001-81, registro ANS 312347), so that their guias reach the
** guia saver (its rows, items and counters), not only the reader.
** Seeds: tests/data/import. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fat_cadastro.h"
#include "fat_import.h"

#ifndef FUZZ_FORMATO
#define FUZZ_FORMATO FAT_FMT_JSON
#endif
#define DB (FUZZ_FORMATO == FAT_FMT_JSON ? "fuzz_import_json.db" : "fuzz_import_csv.db")

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static fat_store *st;

static void close_store(void) { fat_store_close(st); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  fat_import_result res;
  fat_err err;

  if (st == NULL) {
    fat_store_remove_files(DB);
    if (fat_store_create(DB, &st, &err) != FAT_OK ||
        fat_cadastro_prestador(st, "Clínica Exemplo", "11.222.333/0001-81", NULL, NULL, &err) !=
            FAT_OK ||
        fat_cadastro_operadora(st, "312347", "Aurora Saúde", "aurora", NULL, NULL, NULL, &err) !=
            FAT_OK) {
      fprintf(stderr, "fuzz_import: %s\n", err.msg);
      abort();
    }
    atexit(close_store);
  }
  if (fat_import_guias_buffer(st, (const char *)data, size, FUZZ_FORMATO, "fuzz", &res, &err) !=
      FAT_OK)
    return 0; /* refused with a message: fine */
  return 0;
}
