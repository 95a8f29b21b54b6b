/* fat_recurso_simples.c: the two short forms the panel offers (fat_recurso.h,
** Part K): a new recurso with one justification for every item, and the
** operator's answer given only as the value granted. */
#include <stdio.h>
#include <string.h>

#include "fat_mem.h"
#include "fat_model.h"
#include "fat_recurso.h"
#include "fat_store_int.h"

fat_rc fat_recurso_criar_justificado(fat_store *st, fat_gen *gen, const int64_t *glosas,
                                     size_t n, int64_t guia_id, const char *justificativa,
                                     fat_recurso_criados *out, fat_err *err)
{
  static const char sql_itens[] = "SELECT id FROM recurso_item WHERE recurso_id = ?1 ORDER BY id";
  int64_t *itens = NULL, *ni;
  size_t k, i, r;
  fat_stmt *s;
  int step;
  fat_rc rc;

  memset(out, 0, sizeof *out);
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_recurso_criar(st, gen, glosas, n, guia_id, out, err);
  for (r = 0; rc == FAT_OK && justificativa != NULL && justificativa[0] != '\0' && r < out->n;
       r++) {
    k = 0;
    rc = fat_store_prepare(st, sql_itens, &s, err);
    if (rc != FAT_OK)
      break;
    fat_bind_int(s, 1, out->ids[r]);
    for (;;) {
      step = fat_stmt_step(s);
      if (step != FAT_ROW)
        break;
      ni = fat_realloc(itens, (k + 1) * sizeof *itens);
      if (ni == NULL) {
        rc = fat_err_oom(err);
        break;
      }
      itens = ni;
      itens[k++] = fat_col_int64(s, 0);
    }
    if (rc == FAT_OK && step != FAT_DONE)
      rc = fat_store_dberr(st, err, "erro ao ler os itens do recurso");
    fat_stmt_reset(s);
    for (i = 0; rc == FAT_OK && i < k; i++)
      rc = fat_recurso_editar(st, out->ids[r], itens[i], justificativa, err);
  }
  fat_free(itens);
  if (rc == FAT_OK)
    rc = fat_store_commit(st, err);
  else
    fat_store_rollback(st);
  if (rc != FAT_OK)
    fat_recurso_criados_fini(out);
  return rc;
}

fat_rc fat_recurso_responder_valor(fat_store *st, int64_t id, const char *resultado,
                                   int64_t valor, const char **resultado_out, fat_err *err)
{
  static const char sql[] = "SELECT valor_recursado FROM recurso WHERE id = ?1";
  fat_recurso_resposta r;
  fat_stmt *s;
  int64_t total = -1;
  fat_rc rc;

  if (resultado_out != NULL)
    *resultado_out = NULL;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  if (fat_stmt_step(s) == FAT_ROW)
    total = fat_col_int64(s, 0);
  fat_stmt_reset(s);
  if (total < 0)
    return fat_err_set(err, FAT_ENOTFOUND, "recurso %lld não encontrado", (long long)id);
  if (valor != FAT_ABSENT && (valor < 0 || valor > total))
    return fat_err_set(err, FAT_EINVAL, "valor deferido deve estar entre 0 e o valor recursado");
  if (resultado == NULL) {
    if (valor == FAT_ABSENT)
      return fat_err_set(err, FAT_EINVAL, "informe o resultado ou o valor deferido");
    resultado = valor == 0 ? "indeferido" : valor == total ? "deferido" : "deferido_parcial";
  }
  memset(&r, 0, sizeof r);
  r.resultado = resultado;
  r.valor = valor;
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_recurso_responder(st, id, &r, err);
  if (rc == FAT_OK)
    rc = fat_store_commit(st, err);
  else
    fat_store_rollback(st);
  if (rc == FAT_OK && resultado_out != NULL)
    *resultado_out = resultado;
  return rc;
}
