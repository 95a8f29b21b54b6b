/* fat_glosa_manual.c: a person's classification of a glosa (devida /
** indevida / a_classificar) with the evidence they give (fat_glosa.h). Part K:
** the panel and `faturo glosa classificar` call this one function. */
#include <stdio.h>
#include <string.h>

#include "fat_glosa.h"
#include "fat_mem.h"
#include "fat_store_int.h"

#define EVIDENCIA_MAX 1000

static int classificacao_valida(const char *c)
{
  return c != NULL && (strcmp(c, "devida") == 0 || strcmp(c, "indevida") == 0 ||
                       strcmp(c, "a_classificar") == 0);
}

fat_rc fat_glosa_classificar_manual(fat_store *st, int64_t id, const char *classificacao,
                                    const char *evidencia, fat_err *err)
{
  static const char upd[] = "UPDATE glosa SET classificacao = ?2, evidencia = ?3 WHERE id = ?1";
  fat_stmt *s;
  char *texto = NULL;
  char obj[32];
  size_t n = evidencia != NULL ? strlen(evidencia) : 0;
  fat_rc rc;

  if (!classificacao_valida(classificacao))
    return fat_err_set(err, FAT_EINVAL,
                       "classificação deve ser devida, indevida ou a_classificar");
  if (n == 0 || n > EVIDENCIA_MAX)
    return fat_err_set(err, FAT_EINVAL,
                       "informe a evidência da classificação (até %d caracteres)", EVIDENCIA_MAX);
  texto = fat_asprintf("%s (por %s)", evidencia, fat_store_user(st));
  if (texto == NULL)
    return fat_err_oom(err);
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    goto out;
  rc = fat_store_prepare(st, upd, &s, err);
  if (rc == FAT_OK) {
    fat_bind_int(s, 1, id);
    fat_bind_text(s, 2, classificacao);
    fat_bind_text(s, 3, texto);
    rc = fat_store_step_done(st, s, "erro ao classificar a glosa", err);
  }
  if (rc == FAT_OK && fat_store_changes(st) == 0)
    rc = fat_err_set(err, FAT_ENOTFOUND, "glosa %lld não encontrada", (long long)id);
  if (rc == FAT_OK) {
    snprintf(obj, sizeof obj, "glosa:%lld", (long long)id);
    rc = fat_store_audit(st, "glosa.classificar", obj, classificacao, err);
  }
  if (rc == FAT_OK)
    rc = fat_store_commit(st, err);
  else
    fat_store_rollback(st);
out:
  fat_free(texto);
  return rc;
}
