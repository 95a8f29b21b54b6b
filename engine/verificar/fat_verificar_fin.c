/* fat_verificar_fin.c: the financeiro part's invariants (fat_fin_check.h) as
** entries of verificar's table: an entry whose fn is fat_verif_financeiro
** runs the financeiro check of the same name. */
#include <string.h>

#include <cjson/cJSON.h>

#include "fat_fin_check.h"
#include "fat_verificar_int.h"

/* What each financeiro check is about, for the violation's objeto. */
static const char *objeto_de(const char *nome)
{
  if (strcmp(nome, "recebido_ate_liberado") == 0)
    return "guia";
  if (strcmp(nome, "credito_uma_vez") == 0)
    return "extrato_linha";
  if (strcmp(nome, "rateio_recebimento") == 0)
    return "recebimento";
  if (strcmp(nome, "repasse_soma_base") == 0)
    return "repasse";
  return "financeiro";
}

fat_rc fat_verif_financeiro(fat_verif_ctx *c, fat_err *err)
{
  const char *nome = c->cur->check->nome;
  const fat_fin_check *fc = NULL;
  cJSON *v = NULL;
  const cJSON *it;
  size_t i;
  fat_rc rc = FAT_OK;

  for (i = 0; fat_fin_checks[i].nome != NULL && fc == NULL; i++)
    if (strcmp(fat_fin_checks[i].nome, nome) == 0)
      fc = &fat_fin_checks[i];
  if (fc == NULL) {
    rc = fat_err_set(err, FAT_ESTATE, "o financeiro não tem a invariante %s", nome);
    goto out;
  }
  v = cJSON_CreateArray();
  if (v == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  rc = fc->fn(c->st, v, err);
  cJSON_ArrayForEach(it, v)
  {
    if (rc != FAT_OK)
      break;
    rc = fat_verif_reportar(c, objeto_de(nome), 0, cJSON_IsString(it) ? it->valuestring : "?",
                            err);
  }
out:
  cJSON_Delete(v);
  return rc;
}
