/* fat_lote_todas.c: close the lotes of every operadora (fat_lote.h). Part K:
** the panel's "fechar lotes" without an operadora and `faturo lote fechar
** --todas` call this one function; which guias are ready is decided by
** fat_lote_fechar alone. */
#include <stdio.h>
#include <string.h>

#include "fat_lote.h"
#include "fat_mem.h"
#include "fat_store_int.h"

void fat_lote_fechar_todas_res_fini(fat_lote_fechar_todas_res *r)
{
  if (r == NULL)
    return;
  fat_free(r->lotes);
  fat_free(r->erros);
  fat_free(r->retidas);
  memset(r, 0, sizeof *r);
}

/* The script keys of the active operadoras that have conferred guias outside
** any lote (a superset of those with ready guias), copied so that no
** statement stays open while lotes are written. */
static fat_rc candidate_keys(fat_store *st, char ***out, size_t *n, fat_err *err)
{
  static const char sql[] =
      "SELECT o.script FROM operadora o WHERE o.ativa = 1 AND EXISTS"
      " (SELECT 1 FROM guia g WHERE g.operadora_id = o.id AND g.status = 'conferida'"
      "  AND g.lote_id IS NULL) ORDER BY o.script";
  fat_stmt *s;
  char **keys = NULL, **nk;
  size_t k = 0;
  int step, oom = 0;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  *out = NULL;
  *n = 0;
  if (rc != FAT_OK)
    return rc;
  for (step = fat_stmt_step(s); step == FAT_ROW; step = fat_stmt_step(s)) {
    nk = fat_realloc(keys, (k + 1) * sizeof *keys);
    if (nk == NULL) {
      oom = 1;
      break;
    }
    keys = nk;
    keys[k] = fat_col_strdup(s, 0, &oom);
    if (oom)
      break;
    if (keys[k] != NULL)
      k++;
  }
  if (!oom && step != FAT_ROW && step != FAT_DONE)
    rc = fat_store_dberr(st, err, "erro ao procurar guias prontas para lote");
  fat_stmt_reset(s);
  if (oom)
    rc = fat_err_oom(err);
  if (rc != FAT_OK) {
    while (k > 0)
      fat_free(keys[--k]);
    fat_free(keys);
    return rc;
  }
  *out = keys;
  *n = k;
  return FAT_OK;
}

static fat_rc add_lotes(fat_lote_fechar_todas_res *r, const fat_lote_fechar_res *one,
                        fat_err *err)
{
  fat_lote_info *nl;
  fat_lote_retida *nr;

  if (one->n_retidas > 0) {
    nr = fat_realloc(r->retidas, (r->n_retidas + one->n_retidas) * sizeof *nr);
    if (nr == NULL)
      return fat_err_oom(err);
    memcpy(nr + r->n_retidas, one->retidas, one->n_retidas * sizeof *nr);
    r->retidas = nr;
    r->n_retidas += one->n_retidas;
  }
  if (one->n == 0)
    return FAT_OK;
  nl = fat_realloc(r->lotes, (r->n + one->n) * sizeof *nl);
  if (nl == NULL)
    return fat_err_oom(err);
  memcpy(nl + r->n, one->lotes, one->n * sizeof *nl);
  r->lotes = nl;
  r->n += one->n;
  r->guias += one->guias;
  return FAT_OK;
}

static fat_rc add_erro(fat_lote_fechar_todas_res *r, const char *key, const fat_err *e,
                       fat_err *err)
{
  fat_lote_fechar_erro *ne = fat_realloc(r->erros, (r->n_erros + 1) * sizeof *ne);

  if (ne == NULL)
    return fat_err_oom(err);
  r->erros = ne;
  memset(&ne[r->n_erros], 0, sizeof ne[r->n_erros]);
  snprintf(ne[r->n_erros].operadora, sizeof ne[r->n_erros].operadora, "%s", key);
  ne[r->n_erros].rc = e->rc;
  snprintf(ne[r->n_erros].mensagem, sizeof ne[r->n_erros].mensagem, "%s", e->msg);
  r->n_erros++;
  return FAT_OK;
}

fat_rc fat_lote_fechar_todas(fat_store *st, fat_gen *gen, const fat_lote_fechar_opts *o,
                             fat_lote_fechar_todas_res *res, fat_err *err)
{
  fat_lote_fechar_opts one;
  fat_lote_fechar_res r1;
  char **keys = NULL;
  size_t n = 0, i;
  fat_err e;
  fat_rc rc;

  memset(res, 0, sizeof *res);
  res->validado = 1;
  rc = candidate_keys(st, &keys, &n, err);
  if (rc != FAT_OK)
    return rc;
  for (i = 0; rc == FAT_OK && res->arquivos.rc == FAT_OK && i < n; i++) {
    if (o != NULL)
      one = *o;
    else
      memset(&one, 0, sizeof one);
    one.operadora = keys[i];
    memset(&r1, 0, sizeof r1);
    fat_err_clear(&e);
    if (fat_lote_fechar(st, gen, &one, &r1, &e) == FAT_OK) {
      rc = add_lotes(res, &r1, err);
      if (r1.n > 0 && !r1.validado)
        res->validado = 0;
      res->arquivos = r1.arquivos; /* a file not in place stops the loop */
    } else if (fat_rc_is_system(e.rc)) {
      rc = fat_err_set(err, e.rc, "%s: %s", keys[i], e.msg);
    } else {
      rc = add_erro(res, keys[i], &e, err);
    }
    fat_lote_fechar_res_fini(&r1);
  }
  for (i = 0; i < n; i++)
    fat_free(keys[i]);
  fat_free(keys);
  if (rc != FAT_OK)
    fat_lote_fechar_todas_res_fini(res);
  return rc;
}
