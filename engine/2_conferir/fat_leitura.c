/* fat_leitura.c: the hook for the LGPD access log (fat_leitura.h). */
#include "fat_leitura.h"

void fat_leitura_registrar(fat_store *st, const char *o_que, const char *objeto)
{
  /* PART N HOOK: call the access log's function here once it is on main. */
  (void)st;
  (void)o_que;
  (void)objeto;
}
