/* fat_price_gen.c: the pricer's contract source backed by a rules generation
** (kept apart from fat_price.c so code that prices with a contract JSON does
** not pull in the Lua host). */
#include "fat_price.h"

static fat_rc gen_source(void *ud, const char *key, const fat_contrato **out, fat_err *err)
{
  *out = fat_gen_contrato((const fat_gen *)ud, key);
  if (*out == NULL)
    return fat_err_set(err, FAT_ENOTFOUND, "operadora '%s' não tem script de regras", key);
  return FAT_OK;
}

fat_rc fat_pricer_new_gen(fat_store *st, fat_gen *gen, fat_pricer **out, fat_err *err)
{
  return fat_pricer_new(st, gen_source, gen, out, err);
}
