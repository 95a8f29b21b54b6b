/* fat_achado_papel.c: the acknowledgement policy by role (fat_achado_papel.h). */
#include "fat_achado_papel.h"

#include <stdio.h>
#include <string.h>

#include "fat_conferir.h"
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
