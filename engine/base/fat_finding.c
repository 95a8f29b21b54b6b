#include "fat_finding.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fat_mem.h"
#include "fat_model.h"

void fat_findings_init(fat_findings *l)
{
  l->v = NULL;
  l->n = l->cap = 0;
}

static void finding_free(fat_finding *f)
{
  fat_free(f->codigo);
  fat_free(f->campo);
  fat_free(f->mensagem);
  fat_free(f->glosa_prevista);
  fat_free(f->regra);
  fat_free(f->script_sha256);
}

void fat_findings_clear(fat_findings *l)
{
  size_t i;

  for (i = 0; i < l->n; i++)
    finding_free(&l->v[i]);
  l->n = 0;
}

void fat_findings_fini(fat_findings *l)
{
  fat_findings_clear(l);
  fat_free(l->v);
  fat_findings_init(l);
}

static fat_rc findings_grow(fat_findings *l, size_t need, fat_err *err)
{
  size_t cap;
  fat_finding *v;

  if (need <= l->cap)
    return FAT_OK;
  cap = l->cap < 8 ? 8 : l->cap;
  while (cap < need)
    cap *= 2;
  v = fat_realloc(l->v, cap * sizeof *v);
  if (v == NULL)
    return fat_err_oom(err);
  l->v = v;
  l->cap = cap;
  return FAT_OK;
}

fat_rc fat_findings_add(fat_findings *l, const char *codigo, fat_severidade sev, const char *campo,
                        const char *mensagem, const char *glosa_prevista, int64_t valor_risco,
                        int item_seq, const char *regra, const char *script_sha256, int linha,
                        fat_err *err)
{
  fat_finding f;
  fat_rc rc;

  if (codigo == NULL || mensagem == NULL)
    return fat_err_set(err, FAT_EINVAL, "achado sem código ou mensagem");
  rc = findings_grow(l, l->n + 1, err);
  if (rc != FAT_OK)
    return rc;
  memset(&f, 0, sizeof f);
  f.codigo = fat_strdup(codigo);
  f.severidade = sev;
  f.campo = fat_strdup(campo);
  f.mensagem = fat_strdup(mensagem);
  f.glosa_prevista = fat_strdup(glosa_prevista);
  f.valor_risco = valor_risco;
  f.item_seq = item_seq;
  f.regra = fat_strdup(regra);
  f.script_sha256 = fat_strdup(script_sha256);
  f.linha = linha;
  if (f.codigo == NULL || f.mensagem == NULL || (campo != NULL && f.campo == NULL) ||
      (glosa_prevista != NULL && f.glosa_prevista == NULL) || (regra != NULL && f.regra == NULL) ||
      (script_sha256 != NULL && f.script_sha256 == NULL)) {
    finding_free(&f);
    return fat_err_oom(err);
  }
  l->v[l->n++] = f;
  return FAT_OK;
}

fat_rc fat_findings_move(fat_findings *dst, fat_findings *src, fat_err *err)
{
  fat_rc rc = findings_grow(dst, dst->n + src->n, err);

  if (rc != FAT_OK)
    return rc;
  if (src->n > 0)
    memcpy(dst->v + dst->n, src->v, src->n * sizeof *src->v);
  dst->n += src->n;
  src->n = 0;
  return FAT_OK;
}

const char *fat_severidade_str(fat_severidade s)
{
  return s == FAT_BLOQUEIO ? "bloqueio" : "alerta";
}

/* "itens[N]" at the start of campo: N, and where the rest begins (after the
** bracket and an optional '.'); -1 when campo does not start so. */
static long item_index_of(const char *campo, const char **rest)
{
  const char *p;
  char *end;
  long idx;

  *rest = campo;
  if (campo == NULL || strncmp(campo, "itens[", 6) != 0)
    return -1;
  p = campo + 6;
  if (*p < '0' || *p > '9')
    return -1;
  idx = strtol(p, &end, 10);
  if (*end != ']' || idx < 0)
    return -1;
  end++;
  if (*end == '.')
    end++;
  *rest = end;
  return idx;
}

void fat_finding_chave(const fat_finding *f, const struct fat_guia *g, char *buf, size_t len)
{
  const char *rest = NULL;
  long idx = item_index_of(f->campo, &rest);
  int seq = f->item_seq;

  if (seq <= 0 && idx >= 0 && g != NULL && (size_t)idx < g->n_itens)
    seq = g->itens[idx].sequencial;
  if (seq > 0)
    snprintf(buf, len, "%s|item %d|%s", f->codigo, seq,
             idx >= 0 ? rest : (f->campo != NULL ? f->campo : ""));
  else
    snprintf(buf, len, "%s|guia|%s", f->codigo, f->campo != NULL ? f->campo : "");
}
