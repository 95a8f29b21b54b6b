/* fuzz_contrato.c: libFuzzer target for an operator script's declaration:
** the contract validator (fat_contrato_parse) over any JSON, and, when the
** input is not JSON, the Lua loader: the bytes as the script of operator
** "aurora" checked against the other scripts of $FATURO_REGRAS
** (fat_rascunho_verificar: sandboxed compile, declaration, self-tests).
** Seeds: rules/operators. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "fat_contrato.h"
#include "fat_rascunho.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *regras = getenv("FATURO_REGRAS");
  cJSON *j = cJSON_ParseWithLength((const char *)data, size), *rep = NULL;
  fat_contrato *c = NULL;
  fat_err err;
  int valido = 0;

  if (j != NULL) {
    if (fat_contrato_parse(j, &c, &err) == FAT_OK)
      fat_contrato_free(c);
    cJSON_Delete(j);
    return 0;
  }
  if (regras == NULL || size > 64 * 1024)
    return 0;
  if (fat_rascunho_verificar(regras, "aurora", (const char *)data, size, &rep, &valido, &err) ==
      FAT_OK)
    cJSON_Delete(rep);
  return 0;
}
