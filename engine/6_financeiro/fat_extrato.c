/* fat_extrato.c: format detection and the statement container. */
#include "fat_extrato.h"

#include <string.h>

#include "fat_mem.h"

const char *fat_extrato_formato_str(fat_extrato_formato f)
{
  switch (f) {
  case FAT_EXTRATO_OFX: return "ofx";
  case FAT_EXTRATO_CNAB240: return "cnab240";
  case FAT_EXTRATO_CNAB400: return "cnab400";
  }
  return "?";
}

fat_extrato_linha *fat_extrato_nova_linha(fat_extrato *e)
{
  if ((e->n & (e->n - 1)) == 0) { /* grow at powers of two */
    size_t cap = e->n ? e->n * 2 : 8;
    fat_extrato_linha *p = fat_realloc(e->linhas, cap * sizeof *p);

    if (p == NULL)
      return NULL;
    e->linhas = p;
  }
  memset(&e->linhas[e->n], 0, sizeof e->linhas[0]);
  return &e->linhas[e->n++];
}

void fat_extrato_fini(fat_extrato *e)
{
  if (e == NULL)
    return;
  fat_free(e->linhas);
  memset(e, 0, sizeof *e);
}

fat_rc fat_extrato_ler(const char *data, size_t len, const char *nome, fat_extrato *out,
                       fat_err *err)
{
  size_t i = 0;

  memset(out, 0, sizeof *out);
  if (len >= 3 && (unsigned char)data[0] == 0xEF && (unsigned char)data[1] == 0xBB &&
      (unsigned char)data[2] == 0xBF)
    i = 3;
  while (i < len && (data[i] == ' ' || data[i] == '\r' || data[i] == '\n' || data[i] == '\t'))
    i++;
  if (i < len && (data[i] == '<' || (len - i >= 9 && memcmp(data + i, "OFXHEADER", 9) == 0)))
    return fat_ofx_ler(data, len, nome, out, err);
  if (i < len && data[i] >= '0' && data[i] <= '9')
    return fat_cnab_ler(data, len, nome, out, err);
  return fat_err_set(err, FAT_EINVAL, "%s: linha 1: não é um extrato OFX nem um retorno CNAB "
                                      "240/400", nome);
}
