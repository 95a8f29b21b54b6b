/* fat_achado_papel.c: the acknowledgement policy by role (fat_achado_papel.h). */
#include "fat_achado_papel.h"

#include <stdio.h>
#include <string.h>

#include "fat_conferir.h"
#include "fat_mem.h"
#include "fat_store_int.h"

fat_rc fat_achado_reconhecer_papel(fat_store *st, int64_t id, const char *motivo,
                                   fat_papel papel, fat_achado_reconhecido *out, fat_err *err)
{
  static const char sql_get[] =
      "SELECT severidade, codigo, reconhecido_em IS NOT NULL FROM achado WHERE id = ?1";
  fat_achado_reconhecido r;
  fat_stmt *s;
  size_t n = motivo != NULL ? strlen(motivo) : 0;
  int found = 0, ja = 0;
  fat_rc rc;

  memset(&r, 0, sizeof r);
  if (out != NULL)
    memset(out, 0, sizeof *out);
  if (n < FAT_MOTIVO_MIN || n > FAT_MOTIVO_MAX)
    return fat_err_set(err, FAT_EINVAL,
                       "informe o motivo do reconhecimento (de %d a %d caracteres)",
                       FAT_MOTIVO_MIN, FAT_MOTIVO_MAX);
  rc = fat_store_prepare(st, sql_get, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  if (fat_stmt_step(s) == FAT_ROW) {
    found = 1;
    snprintf(r.severidade, sizeof r.severidade, "%s", fat_col_text(s, 0));
    snprintf(r.codigo, sizeof r.codigo, "%s", fat_col_text(s, 1));
    ja = fat_col_int(s, 2);
  }
  fat_stmt_reset(s);
  if (!found)
    return fat_err_set(err, FAT_ENOTFOUND, "achado %lld não encontrado", (long long)id);
  if (ja)
    return fat_err_set(err, FAT_ESTATE, "este achado já foi reconhecido");
  if (strcmp(r.severidade, "bloqueio") == 0 && papel < FAT_PAPEL_SUPERVISOR)
    return fat_err_set(err, FAT_EPERM,
                       "só um supervisor pode reconhecer um bloqueio; peça a correção da guia "
                       "ou encaminhe ao supervisor");
  if (papel < FAT_PAPEL_FATURISTA)
    return fat_err_set(err, FAT_EPERM, "faça login para reconhecer achados");
  rc = fat_achado_reconhecer(st, id, motivo, &r.guia_id, &r.abertos, err);
  if (rc != FAT_OK)
    return rc;
  fat_store_now(r.em, sizeof r.em);
  if (out != NULL)
    *out = r;
  return FAT_OK;
}

static int contem(const int64_t *v, size_t n, int64_t x)
{
  size_t i;

  for (i = 0; i < n; i++)
    if (v[i] == x)
      return 1;
  return 0;
}

fat_rc fat_achado_reconhecer_varios(fat_store *st, const int64_t *ids, size_t n,
                                    const char *motivo, const fat_papel *papel, size_t *guias,
                                    fat_err *err)
{
  int64_t *gids = NULL;
  size_t i, j, ng = 0;
  fat_rc rc;

  if (guias != NULL)
    *guias = 0;
  if (n == 0 || n > FAT_ACHADOS_LOTE_MAX)
    return fat_err_set(err, FAT_EINVAL, "informe de 1 a %d achados para reconhecer",
                       FAT_ACHADOS_LOTE_MAX);
  for (i = 0; i < n; i++)
    for (j = 0; j < i; j++)
      if (ids[i] == ids[j])
        return fat_err_set(err, FAT_EINVAL, "achado %lld informado duas vezes",
                           (long long)ids[i]);
  gids = fat_calloc(n, sizeof *gids);
  if (gids == NULL)
    return fat_err_oom(err);
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    goto out;
  for (i = 0; i < n && rc == FAT_OK; i++) {
    fat_achado_reconhecido r;
    int64_t gid = 0;

    if (papel != NULL) {
      rc = fat_achado_reconhecer_papel(st, ids[i], motivo, *papel, &r, err);
      gid = r.guia_id;
    } else {
      rc = fat_achado_reconhecer(st, ids[i], motivo, &gid, NULL, err);
    }
    if (rc != FAT_OK) {
      fat_err_prefix(err, "achado %lld: ", (long long)ids[i]);
      break;
    }
    if (!contem(gids, ng, gid))
      gids[ng++] = gid;
  }
  if (rc != FAT_OK)
    fat_store_rollback(st);
  else
    rc = fat_store_commit(st, err);
  if (rc == FAT_OK && guias != NULL)
    *guias = ng;
out:
  fat_free(gids);
  return rc;
}
