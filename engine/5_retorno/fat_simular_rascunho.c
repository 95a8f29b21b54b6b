/* fat_simular_rascunho.c: simulate the panel's draft of an operator script
** (fat_simular.h, Part K). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fat_dia.h"
#include "fat_model.h"
#include "fat_rascunho.h"
#include "fat_simular.h"

fat_rc fat_simular_rascunho(fat_store *st, const char *regras_dir, const char *key,
                            const char *desde, fat_simular_res *res, fat_err *err)
{
  fat_simular_opts o;
  fat_rascunho d;
  char path[512];
  int found = 0;
  fat_rc rc;

  memset(res, 0, sizeof *res);
  if (desde != NULL && !fat_dia_valida(desde))
    return fat_err_set(err, FAT_EINVAL, "data inválida '%s' (use AAAA-MM-DD)", desde);
  rc = fat_rascunho_ler(st, key, &d, &found, err);
  if (rc != FAT_OK)
    return rc;
  if (!found)
    return fat_err_set(err, FAT_ENOTFOUND,
                       "não há rascunho para a operadora '%s': salve o rascunho antes de simular",
                       key);
  rc = fat_rascunho_arquivo_temp(d.conteudo, d.len, path, sizeof path, err);
  fat_rascunho_fini(&d);
  if (rc != FAT_OK)
    return rc;
  memset(&o, 0, sizeof o);
  o.operadora = key;
  o.regras_dir = regras_dir;
  o.script_path = path;
  o.desde = desde;
  rc = fat_simular_regras(st, &o, res, err);
  unlink(path);
  return rc;
}
