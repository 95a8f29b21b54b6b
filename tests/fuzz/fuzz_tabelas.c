/* fuzz_tabelas.c: libFuzzer target for the price-table import
** (fat_tabelas_importar_buf), into a store created once in the working folder
** (fuzz_tabelas.db, removed at the start of each run). The first byte picks
** the table type (tuss, cbhpm, portes, brasindice, simpro, negociada,
** glosas); the rest is the CSV. A file either imports (one transaction) or
** is refused with a message naming a line; nothing may crash or leak, and a
** refused file leaves no row behind. Seeds: tests/fuzz/seeds/tabelas. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fat_tabelas.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DB "fuzz_tabelas.db"

static fat_store *st;

static void close_store(void) { fat_store_close(st); }

static void open_store(void)
{
  fat_err err;

  unlink(DB);
  unlink(DB "-wal");
  unlink(DB "-shm");
  if (fat_store_create(DB, &st, &err) != FAT_OK) {
    fprintf(stderr, "fuzz_tabelas: %s\n", err.msg);
    abort();
  }
  atexit(close_store);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  fat_tabela_opcoes op = {NULL, "fuzz", "999999"};
  fat_tabela_resultado res;
  fat_err err;
  cJSON *antes = NULL, *depois = NULL;
  fat_tabela_tipo tipo;

  if (size < 1)
    return 0;
  if (st == NULL)
    open_store();
  tipo = (fat_tabela_tipo)(data[0] % 7);
  if (fat_tabelas_listar(st, &antes, &err) != FAT_OK)
    abort();
  if (fat_tabelas_importar_buf(st, tipo, "fuzz.csv", (const char *)data + 1, size - 1, &op, &res,
                               &err) != FAT_OK) {
    /* refused: the error says why, and nothing was kept */
    if (err.msg[0] == '\0')
      abort();
    if (fat_tabelas_listar(st, &depois, &err) != FAT_OK)
      abort();
    if (!cJSON_Compare(cJSON_GetObjectItem(antes, "totais"),
                       cJSON_GetObjectItem(depois, "totais"), 1))
      abort(); /* a refused file changed the tables */
  }
  cJSON_Delete(antes);
  cJSON_Delete(depois);
  return 0;
}
