/* fat_model_store.c: a guia to and from the store: load (with the rows it
** references), find by operadora and número, save (resolving or creating
** beneficiário, profissionais, plano and carteira) in one transaction.
*/
#include "fat_model.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fat_mem.h"
#include "fat_operadora.h"
#include "fat_sha256.h"
#include "fat_store_int.h"

/* {====================================================================
** Load and find
** ===================================================================== */

#define OOMCHK(x)                                                                                  \
  do {                                                                                             \
    if (oom)                                                                                       \
      return fat_err_oom(err);                                                                   \
  } while (0)

/* Bytes of the block a loader's guia keeps its texts in (fat_guia.arena):
** the texts of bench_conferir's guias and items take 0.4 KB (median) to
** 2 KB (the largest), plus the rows they reference and the profissionais;
** what does not fit is allocated alone. */
#define GUIA_ARENA 4096

/* n bytes for g, aligned for a struct: in g's block while it has room,
** else allocated alone (freed by fat_guia_free either way); NULL on OOM. */
static void *guia_alloc(fat_guia *g, size_t n)
{
  size_t at = (g->arena_used + 7u) & ~(size_t)7u;

  if (g->arena != NULL && at <= g->arena_cap && g->arena_cap - at >= n) {
    g->arena_used = at + n;
    return g->arena + at;
  }
  return fat_malloc(n);
}

/* A copy of t[0..n) plus a NUL for g (guia_alloc, unaligned; g NULL: a
** string of its own). */
static char *guia_strn(fat_guia *g, const char *t, size_t n, int *oom)
{
  char *d;

  if (g != NULL && g->arena != NULL && g->arena_cap - g->arena_used > n) {
    d = g->arena + g->arena_used;
    g->arena_used += n + 1;
  } else if ((d = fat_malloc(n + 1)) == NULL) {
    *oom = 1;
    return NULL;
  }
  memcpy(d, t, n);
  d[n] = '\0';
  return d;
}

/* Text column as a string of g's (guia_strn), '' mapped to NULL. The text is asked for
** first (NULL for a NULL column; the type only then, to tell it from OOM):
** a guia has ~90 columns, about half of them NULL. */
static char *col_str(fat_guia *g, fat_stmt *s, int i, int *oom)
{
  const char *t = fat_col_text(s, i);

  if (t == NULL) {
    if (!fat_col_is_null(s, i)) /* not NULL, so SQLite could not make the text */
      *oom = 1;
    return NULL;
  }
  if (t[0] == '\0')
    return NULL;
  return guia_strn(g, t, (size_t)fat_col_bytes(s, i), oom);
}

/* Rows a guia references (operadora, prestador with its code at the
** operadora, plano, profissional), read once per loader: the guias of one
** lote share most of them. Without a loader each is read for each guia. */
enum { REF_OPERADORA, REF_PRESTADOR, REF_PLANO, REF_PROF };
#define REF_MAX_COLS 7

typedef struct ref_row {
  int used, found, kind;
  int64_t k1, k2;
  char *col[REF_MAX_COLS]; /* '' and NULL as NULL */
} ref_row;

struct fat_guia_loader {
  fat_store *st;
  ref_row *rows; /* open addressing on (kind, k1, k2); cap a power of 2 */
  size_t n, cap;
};

static void ref_row_fini(ref_row *r)
{
  int i;

  for (i = 0; i < REF_MAX_COLS; i++)
    fat_free(r->col[i]);
  memset(r, 0, sizeof *r);
}

void fat_guia_loader_free(fat_guia_loader *l)
{
  size_t i;

  if (l == NULL)
    return;
  for (i = 0; i < l->cap; i++)
    if (l->rows[i].used)
      ref_row_fini(&l->rows[i]);
  fat_free(l->rows);
  fat_free(l);
}

fat_rc fat_guia_loader_new(fat_store *st, fat_guia_loader **out, fat_err *err)
{
  fat_guia_loader *l = fat_calloc(1, sizeof *l);

  *out = NULL;
  if (l == NULL)
    return fat_err_oom(err);
  l->st = st;
  l->cap = 64;
  l->rows = fat_calloc(l->cap, sizeof *l->rows);
  if (l->rows == NULL) {
    fat_free(l);
    return fat_err_oom(err);
  }
  *out = l;
  return FAT_OK;
}

static size_t ref_slot(const ref_row *rows, size_t cap, int kind, int64_t k1, int64_t k2)
{
  uint64_t h = ((uint64_t)k1 * 0x9E3779B97F4A7C15u) ^ ((uint64_t)k2 * 0xC2B2AE3D27D4EB4Fu) ^
               (uint64_t)kind;
  size_t i = (size_t)(h ^ (h >> 29)) & (cap - 1);

  while (rows[i].used &&
         !(rows[i].kind == kind && rows[i].k1 == k1 && rows[i].k2 == k2))
    i = (i + 1) & (cap - 1);
  return i;
}

static fat_rc ref_grow(fat_guia_loader *l, fat_err *err)
{
  size_t cap = l->cap * 2, i;
  ref_row *nr = fat_calloc(cap, sizeof *nr);

  if (nr == NULL)
    return fat_err_oom(err);
  for (i = 0; i < l->cap; i++)
    if (l->rows[i].used)
      nr[ref_slot(nr, cap, l->rows[i].kind, l->rows[i].k1, l->rows[i].k2)] = l->rows[i];
  fat_free(l->rows);
  l->rows = nr;
  l->cap = cap;
  return FAT_OK;
}

/* Row (kind, k1, k2) by sql (?1 = k1, and ?2 = k2 when the query has it):
** its first ncols columns as strings. With a loader the row stays in it
** (*out points there); without, it is read into tmp, which the caller owns. */
static fat_rc ref_get(fat_store *st, fat_guia_loader *l, int kind, const char *sql, int64_t k1,
                      int64_t k2, int ncols, ref_row *tmp, const ref_row **out, fat_err *err)
{
  ref_row *r = tmp;
  fat_stmt *s;
  int i, oom = 0, step;
  fat_rc rc;

  *out = NULL;
  memset(tmp, 0, sizeof *tmp);
  if (l != NULL) {
    if ((l->n + 1) * 2 > l->cap && ref_grow(l, err) != FAT_OK)
      return err != NULL ? err->rc : FAT_ENOMEM;
    r = &l->rows[ref_slot(l->rows, l->cap, kind, k1, k2)];
    if (r->used) {
      *out = r;
      return FAT_OK;
    }
  }
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, k1);
  if (kind == REF_PRESTADOR)
    fat_bind_int(s, 2, k2);
  step = fat_stmt_step(s);
  if (step == FAT_ROW) {
    r->found = 1;
    for (i = 0; i < ncols; i++)
      r->col[i] = col_str(NULL, s, i, &oom); /* the loader's own */
  }
  fat_stmt_reset(s);
  if (oom || (step != FAT_ROW && step != FAT_DONE)) {
    ref_row_fini(r);
    return oom ? fat_err_oom(err) : fat_store_dberr(st, err, "erro ao ler guia");
  }
  r->used = 1;
  r->kind = kind;
  r->k1 = k1;
  r->k2 = k2;
  if (l != NULL)
    l->n++;
  *out = r;
  return FAT_OK;
}

/* Column i of row r for guia g: taken from tmp (no loader), copied from the
** loader's row otherwise. */
static char *ref_take(fat_guia *g, const ref_row *r, ref_row *tmp, int i, int *oom)
{
  char *v;

  if (r == tmp) {
    v = tmp->col[i];
    tmp->col[i] = NULL;
    return v;
  }
  if (r->col[i] == NULL)
    return NULL;
  return guia_strn(g, r->col[i], strlen(r->col[i]), oom);
}

static fat_rc load_prof(fat_store *st, fat_guia_loader *l, fat_guia *g, int64_t id,
                        fat_profissional **out, fat_err *err)
{
  static const char sql[] = "SELECT nome, cpf, conselho, numero_conselho, uf, cbo, "
                            "especialidade FROM profissional WHERE id = ?1";
  const ref_row *r;
  ref_row tmp;
  fat_profissional *p;
  int oom = 0;
  fat_rc rc;

  *out = NULL;
  if (id <= 0)
    return FAT_OK;
  rc = ref_get(st, l, REF_PROF, sql, id, 0, 7, &tmp, &r, err);
  if (rc != FAT_OK || !r->found) {
    ref_row_fini(&tmp);
    return rc;
  }
  p = guia_alloc(g, sizeof *p);
  if (p == NULL) {
    ref_row_fini(&tmp);
    return fat_err_oom(err);
  }
  memset(p, 0, sizeof *p);
  p->id = id;
  p->nome = ref_take(g, r, &tmp, 0, &oom);
  p->cpf = ref_take(g, r, &tmp, 1, &oom);
  p->conselho = ref_take(g, r, &tmp, 2, &oom);
  p->numero_conselho = ref_take(g, r, &tmp, 3, &oom);
  p->uf = ref_take(g, r, &tmp, 4, &oom);
  p->cbo = ref_take(g, r, &tmp, 5, &oom);
  p->especialidade = ref_take(g, r, &tmp, 6, &oom);
  ref_row_fini(&tmp);
  *out = p;
  OOMCHK("profissional");
  return FAT_OK;
}

static fat_rc load_guia_row(fat_store *st, int64_t id, fat_guia *g, int64_t ref[6], fat_err *err)
{
  static const char sql[] =
      "SELECT tipo, numero_prestador, numero_operadora, numero_principal, beneficiario_nome, "
      "carteira_numero, carteira_validade, cns, atendimento_rn, senha, data_autorizacao, "
      "validade_senha, carater_atendimento, tipo_atendimento, tipo_consulta, regime_atendimento, "
      "indicacao_acidente, cid, cid_secundarios, data_solicitacao, indicacao_clinica, data_inicio, "
      "hora_inicio, data_fim, hora_fim, tipo_internacao, regime_internacao, motivo_encerramento, "
      "assinatura_beneficiario, pedido_medico, laudo, observacao, valor_total, competencia, "
      "status, revisao, lote_id, origem, operadora_id, prestador_id, plano_id, beneficiario_id, "
      "solicitante_id, executante_id FROM guia WHERE id = ?1";
  fat_stmt *s;
  int oom = 0, r, k;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  r = fat_stmt_step(s);
  if (r != FAT_ROW) {
    fat_stmt_reset(s);
    if (r == FAT_DONE)
      return fat_err_set(err, FAT_ENOTFOUND, "guia %lld não encontrada", (long long)id);
    return fat_store_dberr(st, err, "erro ao ler guia");
  }
  g->id = id;
  {
    const char *t = fat_col_text(s, 0);
    int tp = fat_guia_tipo_parse(t);

    g->tipo = tp < 0 ? FAT_GUIA_CONSULTA : (fat_guia_tipo)tp;
  }
  g->numero_prestador = col_str(g, s, 1, &oom);
  g->numero_operadora = col_str(g, s, 2, &oom);
  g->numero_principal = col_str(g, s, 3, &oom);
  g->beneficiario_nome = col_str(g, s, 4, &oom);
  g->carteira_numero = col_str(g, s, 5, &oom);
  g->carteira_validade = col_str(g, s, 6, &oom);
  g->cns = col_str(g, s, 7, &oom);
  g->atendimento_rn = fat_col_int(s, 8);
  g->senha = col_str(g, s, 9, &oom);
  g->data_autorizacao = col_str(g, s, 10, &oom);
  g->validade_senha = col_str(g, s, 11, &oom);
  g->carater_atendimento = col_str(g, s, 12, &oom);
  g->tipo_atendimento = col_str(g, s, 13, &oom);
  g->tipo_consulta = col_str(g, s, 14, &oom);
  g->regime_atendimento = col_str(g, s, 15, &oom);
  g->indicacao_acidente = col_str(g, s, 16, &oom);
  g->cid = col_str(g, s, 17, &oom);
  g->cid_secundarios = col_str(g, s, 18, &oom);
  g->data_solicitacao = col_str(g, s, 19, &oom);
  g->indicacao_clinica = col_str(g, s, 20, &oom);
  g->data_inicio = col_str(g, s, 21, &oom);
  g->hora_inicio = col_str(g, s, 22, &oom);
  g->data_fim = col_str(g, s, 23, &oom);
  g->hora_fim = col_str(g, s, 24, &oom);
  g->tipo_internacao = col_str(g, s, 25, &oom);
  g->regime_internacao = col_str(g, s, 26, &oom);
  g->motivo_encerramento = col_str(g, s, 27, &oom);
  g->assinatura_beneficiario = fat_col_int(s, 28);
  g->pedido_medico = fat_col_int(s, 29);
  g->laudo = fat_col_int(s, 30);
  g->observacao = col_str(g, s, 31, &oom);
  g->valor_total = fat_col_int64(s, 32);
  g->competencia = col_str(g, s, 33, &oom);
  g->status = col_str(g, s, 34, &oom);
  g->revisao = fat_col_int64(s, 35);
  g->lote_id = fat_col_int64(s, 36);
  g->origem = col_str(g, s, 37, &oom);
  for (k = 0; k < 6; k++)
    ref[k] = fat_col_int64(s, 38 + k);
  fat_stmt_reset(s);
  OOMCHK("guia");
  return FAT_OK;
}

static fat_rc load_refs(fat_store *st, fat_guia_loader *l, fat_guia *g, const int64_t ref[6],
                        fat_err *err)
{
  static const char sql_op[] = "SELECT registro_ans, nome, script FROM operadora WHERE id = ?1";
  static const char sql_pr[] =
      "SELECT p.nome, p.cnpj, p.cpf, p.cnes, po.codigo FROM prestador p "
      "LEFT JOIN prestador_operadora po ON po.prestador_id = p.id AND po.operadora_id = ?2 "
      "WHERE p.id = ?1";
  static const char sql_pl[] = "SELECT codigo, nome, acomodacao FROM plano WHERE id = ?1";
  static const char sql_be[] =
      "SELECT nome, nome_social, cpf, cns, nascimento, sexo FROM beneficiario WHERE id = ?1";
  const ref_row *r;
  ref_row tmp;
  fat_stmt *s;
  int oom = 0;
  fat_rc rc;

  g->operadora.id = ref[0];
  rc = ref_get(st, l, REF_OPERADORA, sql_op, ref[0], 0, 3, &tmp, &r, err);
  if (rc != FAT_OK)
    return rc;
  if (r->found) {
    g->operadora.registro_ans = ref_take(g, r, &tmp, 0, &oom);
    g->operadora.nome = ref_take(g, r, &tmp, 1, &oom);
    g->operadora.script = ref_take(g, r, &tmp, 2, &oom);
  }
  ref_row_fini(&tmp);
  OOMCHK("operadora");

  g->prestador.id = ref[1];
  rc = ref_get(st, l, REF_PRESTADOR, sql_pr, ref[1], ref[0], 5, &tmp, &r, err);
  if (rc != FAT_OK)
    return rc;
  if (r->found) {
    g->prestador.nome = ref_take(g, r, &tmp, 0, &oom);
    g->prestador.cnpj = ref_take(g, r, &tmp, 1, &oom);
    g->prestador.cpf = ref_take(g, r, &tmp, 2, &oom);
    g->prestador.cnes = ref_take(g, r, &tmp, 3, &oom);
    g->prestador.codigo_na_operadora = ref_take(g, r, &tmp, 4, &oom);
  }
  ref_row_fini(&tmp);
  OOMCHK("prestador");

  if (ref[2] > 0) {
    g->plano.id = ref[2];
    rc = ref_get(st, l, REF_PLANO, sql_pl, ref[2], 0, 3, &tmp, &r, err);
    if (rc != FAT_OK)
      return rc;
    if (r->found) {
      g->plano.codigo = ref_take(g, r, &tmp, 0, &oom);
      g->plano.nome = ref_take(g, r, &tmp, 1, &oom);
      g->plano.acomodacao = ref_take(g, r, &tmp, 2, &oom);
    }
    ref_row_fini(&tmp);
    OOMCHK("plano");
  }
  if (ref[3] > 0) {
    g->beneficiario.id = ref[3];
    rc = fat_store_prepare(st, sql_be, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, ref[3]);
    if (fat_stmt_step(s) == FAT_ROW) {
      g->beneficiario.nome = col_str(g, s, 0, &oom);
      g->beneficiario.nome_social = col_str(g, s, 1, &oom);
      g->beneficiario.cpf = col_str(g, s, 2, &oom);
      g->beneficiario.cns = col_str(g, s, 3, &oom);
      g->beneficiario.nascimento = col_str(g, s, 4, &oom);
      g->beneficiario.sexo = col_str(g, s, 5, &oom);
    }
    fat_stmt_reset(s);
    OOMCHK("beneficiário");
  }
  rc = load_prof(st, l, g, ref[4], &g->solicitante, err);
  if (rc == FAT_OK)
    rc = load_prof(st, l, g, ref[5], &g->executante, err);
  return rc;
}

static fat_rc load_items(fat_store *st, fat_guia_loader *l, fat_guia *g, fat_err *err)
{
  static const char sql[] =
      "SELECT id, sequencial, tipo, codigo_tabela, codigo, descricao, quantidade_e4, "
      "valor_unitario, valor_total, data, hora_inicio, hora_fim, via_acesso, tecnica, "
      "grau_participacao, fator_e2, unidade_medida, registro_anvisa, codigo_fabricante, "
      "profissional_id FROM item WHERE guia_id = ?1 ORDER BY sequencial";
  fat_stmt *s;
  size_t n = 0, cap = 0, k;
  int oom = 0, r;
  int64_t *prof_ids = NULL;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, g->id);
  for (r = fat_stmt_step(s); r == FAT_ROW && !oom; r = fat_stmt_step(s)) {
    fat_item *it;

    if (n == cap) { /* items are few: grow by doubling from 8 */
      size_t nc = cap == 0 ? 8 : cap * 2;
      fat_item *ni = fat_realloc(g->itens, nc * sizeof *ni);
      int64_t *np = ni != NULL ? fat_realloc(prof_ids, nc * sizeof *np) : NULL;

      if (ni != NULL)
        g->itens = ni;
      if (np == NULL) {
        oom = 1;
        break;
      }
      prof_ids = np;
      memset(g->itens + cap, 0, (nc - cap) * sizeof *g->itens);
      cap = nc;
    }
    it = &g->itens[n];
    g->n_itens = ++n;
    it->id = fat_col_int64(s, 0);
    it->sequencial = fat_col_int(s, 1);
    it->tipo = col_str(g, s, 2, &oom);
    it->codigo_tabela = col_str(g, s, 3, &oom);
    it->codigo = col_str(g, s, 4, &oom);
    it->descricao = col_str(g, s, 5, &oom);
    it->quantidade_e4 = fat_col_int64(s, 6);
    it->valor_unitario =
        fat_col_is_null(s, 7) ? FAT_ABSENT : fat_col_int64(s, 7);
    it->valor_total =
        fat_col_is_null(s, 8) ? FAT_ABSENT : fat_col_int64(s, 8);
    it->data = col_str(g, s, 9, &oom);
    it->hora_inicio = col_str(g, s, 10, &oom);
    it->hora_fim = col_str(g, s, 11, &oom);
    it->via_acesso = col_str(g, s, 12, &oom);
    it->tecnica = col_str(g, s, 13, &oom);
    it->grau_participacao = col_str(g, s, 14, &oom);
    it->fator_e2 = fat_col_int64(s, 15);
    it->unidade_medida = col_str(g, s, 16, &oom);
    it->registro_anvisa = col_str(g, s, 17, &oom);
    it->codigo_fabricante = col_str(g, s, 18, &oom);
    prof_ids[n - 1] = fat_col_int64(s, 19);
  }
  fat_stmt_reset(s);
  if (oom)
    rc = fat_err_oom(err);
  else if (r != FAT_DONE)
    rc = fat_store_dberr(st, err, "erro ao ler itens da guia");
  for (k = 0; k < n && rc == FAT_OK; k++)
    rc = load_prof(st, l, g, prof_ids[k], &g->itens[k].profissional, err);
  fat_free(prof_ids);
  return rc;
}

static fat_rc guia_load(fat_store *st, fat_guia_loader *l, int64_t id, fat_guia **out,
                        fat_err *err)
{
  fat_guia *g;
  int64_t ref[6];
  fat_rc rc;

  *out = NULL;
  g = fat_calloc(1, sizeof *g);
  if (g == NULL)
    return fat_err_oom(err);
  /* a loader's guia (conferir, lote fechar, exportar: read, not edited)
  ** keeps its texts in one block: one allocation and one free instead of
  ** ~50 of each (without the block, each text is allocated alone) */
  if (l != NULL) {
    g->arena = fat_malloc(GUIA_ARENA);
    g->arena_cap = g->arena != NULL ? GUIA_ARENA : 0;
  }
  rc = load_guia_row(st, id, g, ref, err);
  if (rc == FAT_OK)
    rc = load_refs(st, l, g, ref, err);
  if (rc == FAT_OK)
    rc = load_items(st, l, g, err);
  if (rc != FAT_OK) {
    fat_guia_free(g);
    return rc;
  }
  *out = g;
  return FAT_OK;
}

fat_rc fat_guia_load(fat_store *st, int64_t id, fat_guia **out, fat_err *err)
{
  return guia_load(st, NULL, id, out, err);
}

fat_rc fat_guia_loader_load(fat_guia_loader *l, int64_t id, fat_guia **out, fat_err *err)
{
  return guia_load(l->st, l, id, out, err);
}

fat_rc fat_guia_find(fat_store *st, const char *operadora, const char *numero_prestador,
                     int64_t *id, fat_err *err)
{
  static const char sql[] = "SELECT id FROM guia WHERE operadora_id = ?1 AND "
                            "numero_prestador = ?2 ORDER BY id LIMIT 2";
  fat_operadora_ref op;
  fat_stmt *s;
  int r, n = 0;
  fat_rc rc;

  *id = 0;
  rc = fat_operadora_resolver_ref(st, operadora, &op, err);
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, op.id);
  fat_bind_text(s, 2, numero_prestador);
  for (r = fat_stmt_step(s); r == FAT_ROW; r = fat_stmt_step(s)) {
    if (n++ == 0)
      *id = fat_col_int64(s, 0);
  }
  fat_stmt_reset(s);
  if (r != FAT_DONE)
    return fat_store_dberr(st, err, "erro ao procurar guia");
  if (n == 0)
    return fat_err_set(err, FAT_ENOTFOUND, "guia %s da operadora %s (%s) não encontrada",
                       numero_prestador != NULL ? numero_prestador : "?", op.registro_ans,
                       op.nome);
  if (n > 1) {
    *id = 0;
    return fat_err_set(err, FAT_EINVAL,
                       "há mais de uma guia %s na operadora %s (de prestadores diferentes)",
                       numero_prestador, op.registro_ans);
  }
  return FAT_OK;
}

/* }==================================================================== */

/* {====================================================================
** Save
** ===================================================================== */

/* SELECT returning one integer (0 when no row). */
static fat_rc query_id(fat_store *st, fat_stmt *s, int64_t *id, fat_err *err)
{
  int r = fat_stmt_step(s);

  *id = 0;
  if (r == FAT_ROW)
    *id = fat_col_int64(s, 0);
  fat_stmt_reset(s);
  if (r != FAT_ROW && r != FAT_DONE)
    return fat_store_dberr(st, err, "erro ao consultar o banco");
  return FAT_OK;
}

fat_rc fat_prestador_id(fat_store *st, const char *cnpj, const char *cpf, int64_t *id,
                        fat_err *err)
{
  static const char sql_cnpj[] = "SELECT id FROM prestador WHERE cnpj = ?1";
  static const char sql_cpf[] = "SELECT id FROM prestador WHERE cpf = ?1 AND cnpj IS NULL";
  fat_stmt *s;
  fat_rc rc;

  *id = 0;
  rc = fat_store_prepare(st, cnpj != NULL ? sql_cnpj : sql_cpf, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, cnpj != NULL ? cnpj : cpf);
  rc = query_id(st, s, id, err);
  if (rc == FAT_OK && *id == 0)
    return fat_err_set(err, FAT_ENOTFOUND,
                       "prestador com %s %s não cadastrado (use: faturo cadastro prestador)",
                       cnpj != NULL ? "CNPJ" : "CPF", cnpj != NULL ? cnpj : (cpf ? cpf : "?"));
  return rc;
}

/* {--------------------------------------------------------------------
** The saver's memory (fat_guia_saver): rows this run has written, by key,
** with the values it wrote. Losing an entry only costs a statement, so a
** failed allocation empties the table instead of failing the save.
** --------------------------------------------------------------------- */

typedef struct memo_ent {
  char *key;   /* NULL: empty slot */
  char *val;   /* the values last written (NULL: none remembered) */
  int64_t id;
} memo_ent;

typedef struct memo {
  memo_ent *e; /* open addressing */
  size_t cap, n;
} memo;

/* Entries per table before it starts over (~1 MB of keys at most). */
#define MEMO_MAX 4096

/* The AFTER INSERT triggers of guia that a bulk saver folds (see
** fold_start), in any order; no other trigger may fire on INSERT into guia.
** fold_add does what these triggers do: each must still be the text it was
** written for (SHA-256 of its CREATE TRIGGER, migrations 060, 080 and 092),
** or the saver keeps them and saves guia by guia. A migration that rewrites
** one of them updates fold_add and its digest here (unit.import fails until
** it does: test_import_counters_folded_same_as_triggers). */
static const char *const fold_names[] = {"rel_mes_guia_nova", "painel_guia_nova",
                                         "lote_saldo_guia_nova"};
static const char *const fold_sha256[] = {
    "9772d61b01745866a56f92c185de91aa86bd2afa269c3419854ba24e8d504152",
    "2cdc4c4794adc81e9c2163e31d7a7330ee906af72aac242ef7ddf4e1e62eec97",
    "5aa7be7f6d96adf62951ab0086820665b7f08acf5cf11592e0cd7d460547856d"};
#define FOLD_N (sizeof fold_names / sizeof fold_names[0])
/* Groups (competência x operadora, operadora) summed in memory before they
** are written out (a file has a few). */
#define FOLD_GRUPOS 64

struct fat_guia_saver {
  memo prof;  /* conselho|número|UF -> profissional id; nome|cpf|cbo|especialidade written */
  memo cpf;   /* CPF -> the beneficiário the look-up by CPF finds */
  memo benef; /* beneficiário id -> the values its last UPDATE wrote */
  memo cart;  /* operadora id|número -> beneficiário id; beneficiário|plano|validade written */
  /* bulk (fat_guia_saver_bulk): the INSERT triggers of guia folded */
  int bulk;          /* folding allowed */
  int fold_off;      /* folding stopped for this run (or not possible) */
  int folded;        /* the triggers are dropped now */
  char *fold_sql[FOLD_N]; /* the dropped triggers' CREATE text, in creation order */
  /* what the dropped triggers would have added since the last flush */
  struct fold_mes { /* rel_mes_guia_nova: per competência and operadora */
    char *competencia;
    int64_t operadora_id, guias, faturado;
  } mes[FOLD_GRUPOS];
  struct fold_painel { /* painel_guia_nova: per operadora */
    int64_t operadora_id, guias, a_faturar, valor_a_faturar;
  } painel[FOLD_GRUPOS];
  int n_mes, n_painel;
  /* the time of the rows written (guia.criado_em, auditoria.em), formatted
  ** once per second */
  time_t now_t;
  char now[24];
};

static void memo_clear(memo *m)
{
  size_t i;

  for (i = 0; i < m->cap; i++) {
    fat_free(m->e[i].key);
    fat_free(m->e[i].val);
  }
  fat_free(m->e);
  memset(m, 0, sizeof *m);
}

static size_t memo_hash(const char *s)
{
  size_t h = 1469598103934665603u;

  while (*s != '\0')
    h = (h ^ (unsigned char)*s++) * 1099511628211u;
  return h;
}

/* The slot of key in m: its entry, or the empty slot where it would go
** (m->cap > 0). */
static memo_ent *memo_slot(const memo *m, const char *key)
{
  size_t j;

  for (j = memo_hash(key) & (m->cap - 1); m->e[j].key != NULL; j = (j + 1) & (m->cap - 1))
    if (strcmp(m->e[j].key, key) == 0)
      break;
  return &m->e[j];
}

static memo_ent *memo_find(const memo *m, const char *key)
{
  memo_ent *e;

  if (m->n == 0)
    return NULL;
  e = memo_slot(m, key);
  return e->key != NULL ? e : NULL;
}

/* Remember key -> id with the values val (NULL: none). */
static void memo_put(memo *m, const char *key, const char *val, int64_t id)
{
  memo_ent *e;
  char *nv = NULL;

  if (m->n >= MEMO_MAX)
    memo_clear(m);
  if (m->cap == 0) {
    m->e = fat_calloc(2 * MEMO_MAX, sizeof *m->e);
    if (m->e == NULL)
      return;
    m->cap = 2 * MEMO_MAX;
  }
  if (val != NULL) {
    nv = fat_strdup(val);
    if (nv == NULL) {
      memo_clear(m);
      return;
    }
  }
  e = memo_slot(m, key);
  if (e->key == NULL) {
    e->key = fat_strdup(key);
    if (e->key == NULL) {
      fat_free(nv);
      memo_clear(m);
      return;
    }
    m->n++;
  }
  fat_free(e->val);
  e->val = nv;
  e->id = id;
}

/* Is val what e remembers as written? */
static int memo_same(const memo_ent *e, const char *val)
{
  return e != NULL && e->val != NULL && strcmp(e->val, val) == 0;
}

/* Texts joined into one key: each followed by \x1f, NULL written as \x01
** (texts reaching the store have no control characters). 0 when they do
** not fit in cap bytes (then nothing is remembered). */
static int memo_key(char *buf, size_t cap, int n, const char *const *v)
{
  size_t o = 0, len;
  int i;

  for (i = 0; i < n; i++) {
    const char *t = v[i] != NULL ? v[i] : "\x01";

    len = strlen(t);
    if (o + len + 2 > cap)
      return 0;
    memcpy(buf + o, t, len);
    o += len;
    buf[o++] = '\x1f';
  }
  buf[o] = '\0';
  return 1;
}

/* v >= 0 in decimal at the end of buf[24]: the start of the text (no
** printf: several per guia saved). */
static const char *i64_text(char buf[24], int64_t v)
{
  uint64_t x = v > 0 ? (uint64_t)v : 0;
  size_t k = 23;

  buf[k] = '\0';
  do
    buf[--k] = (char)('0' + x % 10);
  while ((x /= 10) > 0);
  return buf + k;
}

/* The time to write on the rows saved now ('AAAA-MM-DDTHH:MM:SSZ', what
** the columns' default strftime('now') writes): formatted in buf, or, with
** sv, once per second in sv. */
static const char *saver_now(fat_guia_saver *sv, char buf[24])
{
  time_t t = time(NULL);

  if (sv == NULL) {
    fat_store_now_at(t, buf, 24);
    return buf;
  }
  if (sv->now[0] == '\0' || t != sv->now_t) {
    fat_store_now_at(t, sv->now, sizeof sv->now);
    sv->now_t = t;
  }
  return sv->now;
}

fat_rc fat_guia_saver_new(fat_guia_saver **out, fat_err *err)
{
  *out = fat_calloc(1, sizeof **out);
  return *out != NULL ? FAT_OK : fat_err_oom(err);
}

static void fold_forget(fat_guia_saver *sv)
{
  size_t i;

  for (i = 0; i < FOLD_N; i++) {
    fat_free(sv->fold_sql[i]);
    sv->fold_sql[i] = NULL;
  }
  for (i = 0; i < (size_t)sv->n_mes; i++)
    fat_free(sv->mes[i].competencia);
  sv->n_mes = 0;
  sv->n_painel = 0;
  sv->folded = 0;
}

void fat_guia_saver_free(fat_guia_saver *sv)
{
  if (sv == NULL)
    return;
  fold_forget(sv);
  memo_clear(&sv->prof);
  memo_clear(&sv->cpf);
  memo_clear(&sv->benef);
  memo_clear(&sv->cart);
  fat_free(sv);
}

/* }-------------------------------------------------------------------- */

static fat_rc save_plano(fat_store *st, fat_guia *g, fat_err *err)
{
  static const char sql_sel[] = "SELECT id FROM plano WHERE operadora_id = ?1 AND codigo = ?2";
  static const char sql_ins[] =
      "INSERT INTO plano (operadora_id, codigo, nome, acomodacao) VALUES (?1, ?2, ?3, ?4)";
  fat_stmt *s;
  fat_rc rc;

  g->plano.id = 0;
  if (g->plano.codigo == NULL)
    return FAT_OK;
  rc = fat_store_prepare(st, sql_sel, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, g->operadora.id);
  fat_bind_text_static(s, 2, g->plano.codigo);
  rc = query_id(st, s, &g->plano.id, err);
  if (rc != FAT_OK || g->plano.id > 0)
    return rc;
  rc = fat_store_prepare(st, sql_ins, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, g->operadora.id);
  fat_bind_text_static(s, 2, g->plano.codigo);
  fat_bind_text_static(s, 3, g->plano.nome != NULL ? g->plano.nome : g->plano.codigo);
  fat_bind_text_static(s, 4, g->plano.acomodacao != NULL ? g->plano.acomodacao : "enfermaria");
  rc = fat_store_step_done(st, s, "erro ao gravar plano", err);
  if (rc == FAT_OK)
    g->plano.id = fat_store_last_id(st);
  return rc;
}

static fat_rc save_prestador_codigo(fat_store *st, fat_guia *g, fat_err *err)
{
  static const char sql[] = "INSERT OR IGNORE INTO prestador_operadora (prestador_id, "
                            "operadora_id, codigo) VALUES (?1, ?2, ?3)";
  fat_stmt *s;
  fat_rc rc;

  if (g->prestador.codigo_na_operadora == NULL)
    return FAT_OK;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, g->prestador.id);
  fat_bind_int(s, 2, g->operadora.id);
  fat_bind_text_static(s, 3, g->prestador.codigo_na_operadora);
  return fat_store_step_done(st, s, "erro ao gravar código do prestador", err);
}

/* Create or update the beneficiário and its carteira at the operadora.
** sv (may be NULL) skips what this run has already found or written: the
** look-up by CPF and by carteira, the UPDATE and the carteira's upsert that
** would write the same values again. */
static fat_rc save_benef(fat_store *st, fat_guia *g, int64_t old_benef, fat_guia_saver *sv,
                         fat_err *err)
{
  static const char sql_cpf[] = "SELECT id FROM beneficiario WHERE cpf = ?1 ORDER BY id LIMIT 1";
  static const char sql_cart[] =
      "SELECT beneficiario_id FROM carteira WHERE operadora_id = ?1 AND numero = ?2";
  static const char sql_ins[] = "INSERT INTO beneficiario (nome, nome_social, cpf, cns, "
                                "nascimento, sexo) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
  static const char sql_upd[] =
      "UPDATE beneficiario SET nome = coalesce(?2, nome), nome_social = coalesce(?3, "
      "nome_social), cpf = coalesce(?4, cpf), cns = coalesce(?5, cns), nascimento = "
      "coalesce(?6, nascimento), sexo = coalesce(?7, sexo) WHERE id = ?1 AND (coalesce(?2, "
      "nome) IS NOT nome OR coalesce(?3, nome_social) IS NOT nome_social OR coalesce(?4, cpf) "
      "IS NOT cpf OR coalesce(?5, cns) IS NOT cns OR coalesce(?6, nascimento) IS NOT "
      "nascimento OR coalesce(?7, sexo) IS NOT sexo)";
  static const char sql_cart_up[] =
      "INSERT INTO carteira (beneficiario_id, operadora_id, plano_id, numero, validade) "
      "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (operadora_id, numero) DO UPDATE SET "
      "beneficiario_id = excluded.beneficiario_id, plano_id = coalesce(excluded.plano_id, "
      "plano_id), validade = coalesce(excluded.validade, validade) WHERE beneficiario_id IS "
      "NOT excluded.beneficiario_id OR coalesce(excluded.plano_id, plano_id) IS NOT plano_id "
      "OR coalesce(excluded.validade, validade) IS NOT validade";
  fat_beneficiario *b = &g->beneficiario;
  const char *nome = b->nome != NULL ? b->nome : g->beneficiario_nome;
  const char *cns = b->cns != NULL ? b->cns : g->cns;
  char cart_key[128], num[3][24], val[1024];
  const memo_ent *e;
  fat_stmt *s;
  int64_t id = 0;
  int by_cpf = 0, have_cart_key = 0;
  fat_rc rc;

  if (sv != NULL && g->carteira_numero != NULL) {
    const char *k[2];

    k[0] = i64_text(num[0], g->operadora.id);
    k[1] = g->carteira_numero;
    have_cart_key = memo_key(cart_key, sizeof cart_key, 2, k);
  }
  if (b->cpf != NULL) {
    e = sv != NULL ? memo_find(&sv->cpf, b->cpf) : NULL;
    if (e != NULL) {
      id = e->id;
    } else {
      rc = fat_store_prepare(st, sql_cpf, &s, err);
      if (rc != FAT_OK)
        return rc;
      fat_bind_text_static(s, 1, b->cpf);
      rc = query_id(st, s, &id, err);
      if (rc != FAT_OK)
        return rc;
    }
    by_cpf = id > 0;
  }
  if (id == 0 && g->carteira_numero != NULL) {
    /* after this run's upsert of a carteira its beneficiário is the one written */
    e = have_cart_key ? memo_find(&sv->cart, cart_key) : NULL;
    if (e != NULL) {
      id = e->id;
    } else {
      rc = fat_store_prepare(st, sql_cart, &s, err);
      if (rc != FAT_OK)
        return rc;
      fat_bind_int(s, 1, g->operadora.id);
      fat_bind_text_static(s, 2, g->carteira_numero);
      rc = query_id(st, s, &id, err);
      if (rc != FAT_OK)
        return rc;
    }
  }
  if (id == 0 && b->cpf == NULL && g->carteira_numero == NULL)
    id = old_benef; /* nothing identifies the person: keep the previous link */
  if (id > 0) {
    const char *v[6], *idk;
    int have_val;

    v[0] = b->nome;
    v[1] = b->nome_social;
    v[2] = b->cpf;
    v[3] = cns;
    v[4] = b->nascimento;
    v[5] = b->sexo;
    idk = i64_text(num[1], id);
    have_val = sv != NULL && memo_key(val, sizeof val, 6, v);
    /* the same UPDATE as the last one on this row changes nothing */
    if (!have_val || !memo_same(memo_find(&sv->benef, idk), val)) {
      rc = fat_store_prepare(st, sql_upd, &s, err);
      if (rc != FAT_OK)
        return rc;
      fat_bind_int(s, 1, id);
      fat_bind_text_static(s, 2, b->nome);
      fat_bind_text_static(s, 3, b->nome_social);
      fat_bind_text_static(s, 4, b->cpf);
      fat_bind_text_static(s, 5, cns);
      fat_bind_text_static(s, 6, b->nascimento);
      fat_bind_text_static(s, 7, b->sexo);
      rc = fat_store_step_done(st, s, "erro ao atualizar beneficiário", err);
      if (rc != FAT_OK)
        return rc;
      if (have_val)
        memo_put(&sv->benef, idk, val, id);
    }
    /* found by carteira or by the guia: the row may have taken this CPF
    ** from nobody and left its own */
    if (sv != NULL && b->cpf != NULL && !by_cpf) {
      memo_clear(&sv->cpf);
      memo_put(&sv->cpf, b->cpf, NULL, id);
    } else if (sv != NULL && b->cpf != NULL && memo_find(&sv->cpf, b->cpf) == NULL) {
      memo_put(&sv->cpf, b->cpf, NULL, id);
    }
  } else if (nome != NULL) {
    rc = fat_store_prepare(st, sql_ins, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_text_static(s, 1, nome);
    fat_bind_text_static(s, 2, b->nome_social);
    fat_bind_text_static(s, 3, b->cpf);
    fat_bind_text_static(s, 4, cns);
    fat_bind_text_static(s, 5, b->nascimento);
    fat_bind_text_static(s, 6, b->sexo);
    rc = fat_store_step_done(st, s, "erro ao gravar beneficiário", err);
    if (rc != FAT_OK)
      return rc;
    id = fat_store_last_id(st);
    if (sv != NULL && b->cpf != NULL) /* no row had this CPF: now this one */
      memo_put(&sv->cpf, b->cpf, NULL, id);
  }
  b->id = id;
  if (id > 0 && g->carteira_numero != NULL) {
    char pl[24];
    const char *v[3];
    int have_val;

    v[0] = i64_text(num[2], id);
    v[1] = g->plano.id > 0 ? i64_text(pl, g->plano.id) : NULL;
    v[2] = g->carteira_validade;
    have_val = have_cart_key && memo_key(val, sizeof val, 3, v);
    if (!have_val || !memo_same(memo_find(&sv->cart, cart_key), val)) {
      rc = fat_store_prepare(st, sql_cart_up, &s, err);
      if (rc != FAT_OK)
        return rc;
      fat_bind_int(s, 1, id);
      fat_bind_int(s, 2, g->operadora.id);
      fat_bind_int_or_null(s, 3, g->plano.id, g->plano.id <= 0);
      fat_bind_text_static(s, 4, g->carteira_numero);
      fat_bind_text_static(s, 5, g->carteira_validade);
      rc = fat_store_step_done(st, s, "erro ao gravar carteira", err);
      if (rc != FAT_OK)
        return rc;
      if (have_val)
        memo_put(&sv->cart, cart_key, val, id);
    }
  }
  return FAT_OK;
}

/* Match a profissional by conselho + número + UF (or, without número, by
** CPF or name among the incomplete ones), creating it when new; updates the
** descriptive fields that are informed. sv (may be NULL) remembers the
** ones found by conselho + número + UF and what was written to them. */
static fat_rc save_prof(fat_store *st, fat_profissional *p, fat_guia_saver *sv, fat_err *err)
{
  static const char sql_key[] = "SELECT id FROM profissional WHERE conselho = ?1 AND "
                                "numero_conselho = ?2 AND uf = ?3";
  static const char sql_inc[] =
      "SELECT id FROM profissional WHERE conselho = ?1 AND uf = ?2 AND numero_conselho IS "
      "NULL AND ((?3 IS NOT NULL AND cpf = ?3) OR (?3 IS NULL AND nome = ?4)) "
      "ORDER BY id LIMIT 1";
  static const char sql_ins[] = "INSERT INTO profissional (nome, cpf, conselho, numero_conselho, "
                                "uf, cbo, especialidade) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
  static const char sql_upd[] =
      "UPDATE profissional SET nome = coalesce(?2, nome), cpf = coalesce(?3, cpf), cbo = "
      "coalesce(?4, cbo), especialidade = coalesce(?5, especialidade) WHERE id = ?1 AND "
      "(coalesce(?2, nome) IS NOT nome OR coalesce(?3, cpf) IS NOT cpf OR coalesce(?4, cbo) IS "
      "NOT cbo OR coalesce(?5, especialidade) IS NOT especialidade)";
  const char *conselho = p->conselho != NULL ? p->conselho : "";
  const char *uf = p->uf != NULL ? p->uf : "";
  char key[128], val[1280];
  memo_ent *e = NULL;
  fat_stmt *s = NULL;
  int64_t id = 0;
  int have_memo = 0;
  fat_rc rc;

  /* only the ones with a número: those rows are written by no other path
  ** (the UPDATE below for the incomplete ones matches numero_conselho IS
  ** NULL) */
  if (sv != NULL && p->numero_conselho != NULL) {
    const char *k[3], *v[4];

    k[0] = conselho;
    k[1] = p->numero_conselho;
    k[2] = uf;
    v[0] = p->nome;
    v[1] = p->cpf;
    v[2] = p->cbo;
    v[3] = p->especialidade;
    have_memo = memo_key(key, sizeof key, 3, k) && memo_key(val, sizeof val, 4, v);
    e = have_memo ? memo_find(&sv->prof, key) : NULL;
    if (e != NULL && memo_same(e, val)) {
      p->id = e->id; /* found and written with these values already */
      return FAT_OK;
    }
  }
  if (e != NULL) {
    id = e->id;
  } else if (p->numero_conselho != NULL) {
    rc = fat_store_prepare(st, sql_key, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_text_static(s, 1, conselho);
    fat_bind_text_static(s, 2, p->numero_conselho);
    fat_bind_text_static(s, 3, uf);
  } else {
    rc = fat_store_prepare(st, sql_inc, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_text_static(s, 1, conselho);
    fat_bind_text_static(s, 2, uf);
    fat_bind_text_static(s, 3, p->cpf);
    fat_bind_text_static(s, 4, p->nome != NULL ? p->nome : "");
  }
  if (e == NULL) {
    rc = query_id(st, s, &id, err);
    if (rc != FAT_OK)
      return rc;
  }
  if (id > 0) {
    rc = fat_store_prepare(st, sql_upd, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, id);
    fat_bind_text_static(s, 2, p->nome);
    fat_bind_text_static(s, 3, p->cpf);
    fat_bind_text_static(s, 4, p->cbo);
    fat_bind_text_static(s, 5, p->especialidade);
    rc = fat_store_step_done(st, s, "erro ao atualizar profissional", err);
  } else {
    rc = fat_store_prepare(st, sql_ins, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_text_static(s, 1, p->nome != NULL ? p->nome : "");
    fat_bind_text_static(s, 2, p->cpf);
    fat_bind_text_static(s, 3, conselho);
    fat_bind_text_static(s, 4, p->numero_conselho);
    fat_bind_text_static(s, 5, uf);
    fat_bind_text_static(s, 6, p->cbo);
    fat_bind_text_static(s, 7, p->especialidade);
    rc = fat_store_step_done(st, s, "erro ao gravar profissional", err);
    if (rc != FAT_OK)
      return rc;
    id = fat_store_last_id(st);
  }
  /* after the INSERT too: the same UPDATE on the new row changes nothing */
  if (rc == FAT_OK && have_memo)
    memo_put(&sv->prof, key, val, id);
  if (rc == FAT_OK)
    p->id = id;
  return rc;
}

/* The statements below come from fat_store_prepare, which leaves every
** parameter NULL: a NULL value is not bound again (binding one cost ~60
** instructions; a guia and its items have ~75 of them). */
static void bind_text_set(fat_stmt *s, int i, const char *v)
{
  if (v != NULL)
    fat_bind_text_static(s, i, v);
}

static void bind_int_set(fat_stmt *s, int i, int64_t v, int is_null)
{
  if (!is_null)
    fat_bind_int(s, i, v);
}

/* Bind the guia's own columns ?1..?44 in the order of guia_cols. */
static void bind_guia(fat_stmt *s, const fat_guia *g)
{
  int64_t sol = g->solicitante != NULL ? g->solicitante->id : 0;
  int64_t exe = g->executante != NULL ? g->executante->id : 0;

  bind_text_set(s, 1, fat_guia_tipo_str(g->tipo));
  bind_text_set(s, 2, g->numero_prestador);
  bind_text_set(s, 3, g->numero_operadora);
  bind_text_set(s, 4, g->numero_principal);
  bind_text_set(s, 5, g->beneficiario_nome);
  bind_text_set(s, 6, g->carteira_numero);
  bind_text_set(s, 7, g->carteira_validade);
  bind_text_set(s, 8, g->cns);
  fat_bind_int(s, 9, g->atendimento_rn != 0);
  bind_text_set(s, 10, g->senha);
  bind_text_set(s, 11, g->data_autorizacao);
  bind_text_set(s, 12, g->validade_senha);
  bind_text_set(s, 13, g->carater_atendimento);
  bind_text_set(s, 14, g->tipo_atendimento);
  bind_text_set(s, 15, g->tipo_consulta);
  bind_text_set(s, 16, g->regime_atendimento);
  bind_text_set(s, 17, g->indicacao_acidente);
  bind_text_set(s, 18, g->cid);
  bind_text_set(s, 19, g->cid_secundarios);
  bind_text_set(s, 20, g->data_solicitacao);
  bind_text_set(s, 21, g->indicacao_clinica);
  bind_text_set(s, 22, g->data_inicio);
  bind_text_set(s, 23, g->hora_inicio);
  bind_text_set(s, 24, g->data_fim);
  bind_text_set(s, 25, g->hora_fim);
  bind_text_set(s, 26, g->tipo_internacao);
  bind_text_set(s, 27, g->regime_internacao);
  bind_text_set(s, 28, g->motivo_encerramento);
  fat_bind_int(s, 29, g->assinatura_beneficiario != 0);
  fat_bind_int(s, 30, g->pedido_medico != 0);
  fat_bind_int(s, 31, g->laudo != 0);
  bind_text_set(s, 32, g->observacao);
  fat_bind_int(s, 33, g->valor_total == FAT_ABSENT ? 0 : g->valor_total);
  bind_text_set(s, 34, g->competencia);
  bind_text_set(s, 35, g->status != NULL ? g->status : "digitada");
  fat_bind_int(s, 36, g->revisao > 0 ? g->revisao : 1);
  bind_int_set(s, 37, g->lote_id, g->lote_id <= 0);
  bind_text_set(s, 38, g->origem);
  fat_bind_int(s, 39, g->operadora.id);
  fat_bind_int(s, 40, g->prestador.id);
  bind_int_set(s, 41, g->plano.id, g->plano.id <= 0);
  bind_int_set(s, 42, g->beneficiario.id, g->beneficiario.id <= 0);
  bind_int_set(s, 43, sol, sol <= 0);
  bind_int_set(s, 44, exe, exe <= 0);
}

/* Item columns ?1..?20 of the item INSERT (both forms below). */
#define ITEM_INSERT                                                                          \
  "INSERT INTO item (guia_id, sequencial, tipo, codigo_tabela, codigo, descricao, "         \
  "quantidade_e4, valor_unitario, valor_total, data, hora_inicio, hora_fim, via_acesso, "   \
  "tecnica, grau_participacao, fator_e2, profissional_id, unidade_medida, registro_anvisa, " \
  "codigo_fabricante) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "  \
  "?15, ?16, ?17, ?18, ?19, ?20)"

/* Bind it as the row of the item INSERT whose parameters start at o + 1
** (o = 0: ?1..?20; the k-th row of a multi-row INSERT: o = 20 k). */
static void bind_item_at(fat_stmt *s, int o, const fat_guia *g, const fat_item *it)
{
  fat_bind_int(s, o + 1, g->id);
  fat_bind_int(s, o + 2, it->sequencial);
  bind_text_set(s, o + 3, it->tipo != NULL ? it->tipo : "procedimento");
  bind_text_set(s, o + 4, it->codigo_tabela);
  bind_text_set(s, o + 5, it->codigo);
  bind_text_set(s, o + 6, it->descricao);
  fat_bind_int(s, o + 7, it->quantidade_e4 == FAT_ABSENT ? 0 : it->quantidade_e4);
  bind_int_set(s, o + 8, it->valor_unitario, it->valor_unitario == FAT_ABSENT);
  bind_int_set(s, o + 9, it->valor_total, it->valor_total == FAT_ABSENT);
  bind_text_set(s, o + 10, it->data);
  bind_text_set(s, o + 11, it->hora_inicio);
  bind_text_set(s, o + 12, it->hora_fim);
  bind_text_set(s, o + 13, it->via_acesso);
  bind_text_set(s, o + 14, it->tecnica);
  bind_text_set(s, o + 15, it->grau_participacao);
  fat_bind_int(s, o + 16, it->fator_e2 == FAT_ABSENT ? 100 : it->fator_e2);
  bind_int_set(s, o + 17, it->profissional != NULL ? it->profissional->id : 0,
                       it->profissional == NULL);
  bind_text_set(s, o + 18, it->unidade_medida);
  bind_text_set(s, o + 19, it->registro_anvisa);
  bind_text_set(s, o + 20, it->codigo_fabricante);
}

static void bind_item(fat_stmt *s, const fat_guia *g, const fat_item *it)
{
  bind_item_at(s, 0, g, it);
}

/* The item INSERT of 2..ITEM_ROWS rows at once (index: rows - 2); the
** parameters of row k are ?(20k + 1)..?(20k + 20), in bind_item's order. */
#define ITEM_ROW "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define ITEM_MULTI                                                                          \
  "INSERT INTO item (guia_id, sequencial, tipo, codigo_tabela, codigo, descricao, "         \
  "quantidade_e4, valor_unitario, valor_total, data, hora_inicio, hora_fim, via_acesso, "   \
  "tecnica, grau_participacao, fator_e2, profissional_id, unidade_medida, registro_anvisa, " \
  "codigo_fabricante) VALUES " ITEM_ROW
#define ITEM_ROWS 6
static const char *const item_multi_sql[ITEM_ROWS - 1] = {
    ITEM_MULTI "," ITEM_ROW,
    ITEM_MULTI "," ITEM_ROW "," ITEM_ROW,
    ITEM_MULTI "," ITEM_ROW "," ITEM_ROW "," ITEM_ROW,
    ITEM_MULTI "," ITEM_ROW "," ITEM_ROW "," ITEM_ROW "," ITEM_ROW,
    ITEM_MULTI "," ITEM_ROW "," ITEM_ROW "," ITEM_ROW "," ITEM_ROW "," ITEM_ROW};

/* Do two items of g share a sequencial? */
static int items_repeat_sequencial(const fat_guia *g)
{
  size_t i, k;

  for (i = 1; i < g->n_itens; i++)
    for (k = 0; k < i; k++)
      if (g->itens[k].sequencial == g->itens[i].sequencial)
        return 1;
  return 0;
}

/* Insert g's items [i0, i1) one statement each, in order (the errors name
** the item). */
static fat_rc insert_items_one_by_one(fat_store *st, fat_guia *g, size_t i0, size_t i1,
                                      fat_err *err)
{
  static const char sql_ins[] = ITEM_INSERT;
  fat_stmt *s;
  size_t i;
  fat_rc rc;

  for (i = i0; i < i1; i++) {
    rc = fat_store_prepare(st, sql_ins, &s, err);
    if (rc != FAT_OK)
      return rc;
    bind_item(s, g, &g->itens[i]);
    rc = fat_store_step_done(st, s, "erro ao gravar item", err);
    if (rc != FAT_OK)
      return fat_err_prefix(err, "itens[%zu]: ", i);
    g->itens[i].id = fat_store_last_id(st);
  }
  return FAT_OK;
}

/* The items of a guia just inserted (save_items with fresh), up to
** ITEM_ROWS per INSERT: one statement per item cost ~8 thousand
** instructions per guia of five more than one statement for the five
** (opening and closing the cursors of item and its indexes, the statement's
** end), though a statement of several rows keeps a statement journal. The
** same rows, ids and errors as one INSERT per item, in order:
**  - the profissionais first; when one fails, the items before it are
**    inserted one by one first (their error, if any, is the one reported);
**  - a multi-row INSERT that fails is undone by SQLite (the statement
**    journal) and its items are inserted again one by one, which names the
**    item at fault;
**  - the rows get consecutive ids (SQLite gives a new row the largest rowid
**    plus one; nobody gives an item its id, so that never reaches 2^63 - 1,
**    when SQLite would pick at random), the last one the statement's
**    last_insert_rowid. */
static fat_rc save_items_fresh(fat_store *st, fat_guia *g, fat_guia_saver *sv, fat_err *err)
{
  fat_stmt *s;
  size_t i, k, m;
  int64_t last;
  fat_rc rc;

  for (i = 0; i < g->n_itens; i++) {
    if (g->itens[i].profissional == NULL)
      continue;
    rc = save_prof(st, g->itens[i].profissional, sv, err);
    if (rc != FAT_OK) {
      fat_err prof;

      if (err == NULL)
        return rc;
      prof = *err;
      rc = insert_items_one_by_one(st, g, 0, i, err);
      if (rc != FAT_OK)
        return rc;
      *err = prof;
      return fat_err_prefix(err, "itens[%zu].profissional: ", i);
    }
  }
  for (i = 0; i < g->n_itens; i += m) {
    m = g->n_itens - i < ITEM_ROWS ? g->n_itens - i : ITEM_ROWS;
    if (m < 2)
      return insert_items_one_by_one(st, g, i, i + m, err);
    rc = fat_store_prepare(st, item_multi_sql[m - 2], &s, err);
    if (rc != FAT_OK)
      return rc;
    for (k = 0; k < m; k++)
      bind_item_at(s, 20 * (int)k, g, &g->itens[i + k]);
    rc = fat_store_step_done(st, s, "erro ao gravar item", err);
    if (rc != FAT_OK) {
      fat_rc rc1 = insert_items_one_by_one(st, g, i, i + m, err);

      return rc1 != FAT_OK ? rc1 : rc;
    }
    last = fat_store_last_id(st);
    for (k = 0; k < m; k++)
      g->itens[i + k].id = last - (int64_t)(m - 1 - k);
  }
  return FAT_OK;
}

/* Store g's items. fresh: g was inserted just now, so it has no stored items
** to match by sequencial: each item is a plain INSERT and its id the rowid
** it got (importing a file is mostly new guias; the matching below cost a
** query per guia and two statements per item). */
static fat_rc save_items(fat_store *st, fat_guia *g, int fresh, fat_guia_saver *sv,
                         fat_err *err)
{
  static const char sql_ins[] = ITEM_INSERT;
  static const char sql_up[] =
      ITEM_INSERT " ON CONFLICT (guia_id, sequencial) DO UPDATE SET "
      "tipo = excluded.tipo, codigo_tabela = excluded.codigo_tabela, codigo = excluded.codigo, "
      "descricao = excluded.descricao, quantidade_e4 = excluded.quantidade_e4, "
      "valor_unitario = excluded.valor_unitario, valor_total = excluded.valor_total, "
      "data = excluded.data, hora_inicio = excluded.hora_inicio, hora_fim = excluded.hora_fim, "
      "via_acesso = excluded.via_acesso, tecnica = excluded.tecnica, "
      "grau_participacao = excluded.grau_participacao, fator_e2 = excluded.fator_e2, "
      "profissional_id = excluded.profissional_id, unidade_medida = excluded.unidade_medida, "
      "registro_anvisa = excluded.registro_anvisa, codigo_fabricante = excluded.codigo_fabricante";
  static const char sql_id[] = "SELECT id FROM item WHERE guia_id = ?1 AND sequencial = ?2";
  static const char sql_old[] = "SELECT id, sequencial FROM item WHERE guia_id = ?1";
  static const char sql_del[] = "DELETE FROM item WHERE id = ?1";
  fat_stmt *s;
  size_t i, k, n_del = 0;
  int64_t *del = NULL;
  int r;
  fat_rc rc = FAT_OK;

  /* two items with one sequencial: the second replaces the first, as ever */
  if (fresh && items_repeat_sequencial(g))
    fresh = 0;
  if (!fresh) {
    /* items of the stored guia whose sequencial is gone are removed */
    rc = fat_store_prepare(st, sql_old, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, g->id);
    for (r = fat_stmt_step(s); r == FAT_ROW && rc == FAT_OK; r = fat_stmt_step(s)) {
      int seq = fat_col_int(s, 1);
      int keep = 0;

      for (k = 0; k < g->n_itens && !keep; k++)
        keep = g->itens[k].sequencial == seq;
      if (!keep) {
        int64_t *nd = fat_realloc(del, (n_del + 1) * sizeof *del);

        if (nd == NULL) {
          rc = fat_err_oom(err);
        } else {
          del = nd;
          del[n_del++] = fat_col_int64(s, 0);
        }
      }
    }
    if (rc == FAT_OK && r != FAT_DONE)
      rc = fat_store_dberr(st, err, "erro ao ler itens");
    fat_stmt_reset(s);
    for (k = 0; k < n_del && rc == FAT_OK; k++) {
      rc = fat_store_prepare(st, sql_del, &s, err);
      if (rc == FAT_OK) {
        fat_bind_int(s, 1, del[k]);
        rc = fat_store_step_done(st, s, "erro ao remover item", err);
      }
    }
    fat_free(del);
    if (rc != FAT_OK)
      return rc;
  }

  if (fresh && g->n_itens >= 2)
    return save_items_fresh(st, g, sv, err);
  for (i = 0; i < g->n_itens; i++) {
    fat_item *it = &g->itens[i];

    if (it->profissional != NULL) {
      rc = save_prof(st, it->profissional, sv, err);
      if (rc != FAT_OK)
        return fat_err_prefix(err, "itens[%zu].profissional: ", i);
    }
    rc = fat_store_prepare(st, fresh ? sql_ins : sql_up, &s, err);
    if (rc != FAT_OK)
      return rc;
    bind_item(s, g, it);
    rc = fat_store_step_done(st, s, "erro ao gravar item", err);
    if (rc != FAT_OK)
      return fat_err_prefix(err, "itens[%zu]: ", i);
    if (fresh) {
      it->id = fat_store_last_id(st);
      continue;
    }
    rc = fat_store_prepare(st, sql_id, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, g->id);
    fat_bind_int(s, 2, it->sequencial);
    rc = query_id(st, s, &it->id, err);
    if (rc != FAT_OK)
      return rc;
  }
  return FAT_OK;
}

/* ids: the operadora and prestador of g already resolved by the caller, or
** 0 to resolve them here from g's registro ANS and CNPJ/CPF. */
static fat_rc guia_save_tx(fat_store *st, fat_guia *g, int64_t operadora_id,
                           int64_t prestador_id, fat_guia_saver *sv, const char *now,
                           fat_err *err)
{
  static const char sql_old[] = "SELECT beneficiario_id, revisao FROM guia WHERE id = ?1";
  static const char sql_ins[] =
      "INSERT INTO guia (tipo, numero_prestador, numero_operadora, numero_principal, "
      "beneficiario_nome, carteira_numero, carteira_validade, cns, atendimento_rn, senha, "
      "data_autorizacao, validade_senha, carater_atendimento, tipo_atendimento, tipo_consulta, "
      "regime_atendimento, indicacao_acidente, cid, cid_secundarios, data_solicitacao, "
      "indicacao_clinica, data_inicio, hora_inicio, data_fim, hora_fim, tipo_internacao, "
      "regime_internacao, motivo_encerramento, assinatura_beneficiario, pedido_medico, laudo, "
      "observacao, valor_total, competencia, status, revisao, lote_id, origem, operadora_id, "
      "prestador_id, plano_id, beneficiario_id, solicitante_id, executante_id, criado_em) VALUES "
      "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, "
      "?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37, "
      "?38, ?39, ?40, ?41, ?42, ?43, ?44, ?45)";
  static const char sql_upd[] =
      "UPDATE guia SET tipo = ?1, numero_prestador = ?2, numero_operadora = ?3, "
      "numero_principal = ?4, beneficiario_nome = ?5, carteira_numero = ?6, carteira_validade = "
      "?7, cns = ?8, atendimento_rn = ?9, senha = ?10, data_autorizacao = ?11, validade_senha = "
      "?12, carater_atendimento = ?13, tipo_atendimento = ?14, tipo_consulta = ?15, "
      "regime_atendimento = ?16, indicacao_acidente = ?17, cid = ?18, cid_secundarios = ?19, "
      "data_solicitacao = ?20, indicacao_clinica = ?21, data_inicio = ?22, hora_inicio = ?23, "
      "data_fim = ?24, hora_fim = ?25, tipo_internacao = ?26, regime_internacao = ?27, "
      "motivo_encerramento = ?28, assinatura_beneficiario = ?29, pedido_medico = ?30, laudo = "
      "?31, observacao = ?32, valor_total = ?33, competencia = ?34, status = ?35, revisao = ?36, "
      "lote_id = ?37, origem = ?38, operadora_id = ?39, prestador_id = ?40, plano_id = ?41, "
      "beneficiario_id = ?42, solicitante_id = ?43, executante_id = ?44 WHERE id = ?45";
  fat_stmt *s;
  int64_t old_benef = 0;
  int fresh;
  fat_rc rc;

  if (g->numero_prestador == NULL)
    return fat_err_set(err, FAT_EINVAL, "numero_prestador: campo obrigatório ausente");
  g->operadora.id = operadora_id;
  if (operadora_id <= 0) {
    rc = fat_operadora_por_registro(st, g->operadora.registro_ans, &g->operadora.id, err);
    if (rc != FAT_OK)
      return fat_err_prefix(err, "operadora.registro_ans: ");
  }
  g->prestador.id = prestador_id;
  if (prestador_id <= 0) {
    rc = fat_prestador_id(st, g->prestador.cnpj, g->prestador.cpf, &g->prestador.id, err);
    if (rc != FAT_OK)
      return fat_err_prefix(err, "prestador.cnpj: ");
  }
  if (g->competencia == NULL && g->data_inicio != NULL) {
    g->competencia = fat_strndup(g->data_inicio, 7);
    if (g->competencia == NULL)
      return fat_err_oom(err);
  }
  if (g->id > 0) {
    int r;

    rc = fat_store_prepare(st, sql_old, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, g->id);
    r = fat_stmt_step(s);
    if (r == FAT_ROW) {
      old_benef = fat_col_int64(s, 0);
      g->revisao = fat_col_int64(s, 1) + 1;
    }
    fat_stmt_reset(s);
    if (r == FAT_DONE)
      return fat_err_set(err, FAT_ENOTFOUND, "guia %lld não encontrada", (long long)g->id);
    if (r != FAT_ROW)
      return fat_store_dberr(st, err, "erro ao ler guia");
  } else {
    g->revisao = 1;
  }
  rc = save_plano(st, g, err);
  if (rc == FAT_OK)
    rc = save_prestador_codigo(st, g, err);
  if (rc == FAT_OK)
    rc = save_benef(st, g, old_benef, sv, err);
  if (rc == FAT_OK && g->solicitante != NULL) {
    rc = save_prof(st, g->solicitante, sv, err);
    if (rc != FAT_OK)
      fat_err_prefix(err, "solicitante: ");
  }
  if (rc == FAT_OK && g->executante != NULL) {
    rc = save_prof(st, g->executante, sv, err);
    if (rc != FAT_OK)
      fat_err_prefix(err, "executante: ");
  }
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_prepare(st, g->id > 0 ? sql_upd : sql_ins, &s, err);
  if (rc != FAT_OK)
    return rc;
  bind_guia(s, g);
  if (g->id > 0)
    fat_bind_int(s, 45, g->id);
  else
    fat_bind_text_static(s, 45, now);
  rc = fat_store_step_done(st, s, "erro ao gravar guia", err);
  if (rc != FAT_OK)
    return rc;
  fresh = g->id == 0;
  if (fresh)
    g->id = fat_store_last_id(st);
  if (g->status == NULL) {
    g->status = fat_strdup("digitada");
    if (g->status == NULL)
      return fat_err_oom(err);
  }
  return save_items(st, g, fresh, sv, err);
}

fat_rc fat_guia_save(fat_store *st, fat_guia *g, fat_err *err)
{
  return fat_guia_save_ids(st, g, 0, 0, err);
}

fat_rc fat_guia_save_ids(fat_store *st, fat_guia *g, int64_t operadora_id, int64_t prestador_id,
                         fat_err *err)
{
  return fat_guia_saver_save(NULL, st, g, operadora_id, prestador_id, err);
}

/* {--------------------------------------------------------------------
** Bulk saving: the counters of new guias folded into one statement each.
**
** Every INSERT into guia fires three AFTER INSERT triggers (rel_mes_guia_nova,
** painel_guia_nova, lote_saldo_guia_nova). Besides their own statements, a
** table with triggers makes each INSERT a multi-write statement that may
** abort, so SQLite opens a statement journal for it and copies into it every
** page the INSERT touches (the guia's row and its indexes, ~30 page writes per
** guia): ~20% of the instructions of importar (docs/desempenho.md, rodada
** 10). A bulk saver drops those triggers inside the caller's transaction
** while it inserts guias, sums in memory what they would have added (per
** competência and operadora, per operadora: a few groups), and
** fat_guia_saver_finish writes those sums, one statement per group, then
** creates the triggers again from their stored text (DDL is part of the
** transaction: a rollback or a crash gives them back too). Exact because
** while folded:
**  - only this saver writes guia (the caller's contract), and only by INSERT
**    of new guias without a lote (a guia to update, or with a lote, first
**    ends the fold: fat_guia_saver_finish, then no more folding this run),
**    so lote_saldo_guia_nova would have done nothing (WHEN NEW.lote_id IS
**    NOT NULL), and the sums take the values bound to each INSERT, the ones
**    the triggers would have seen as NEW;
**  - the other two only add: count and sum per group are what the per-row
**    additions sum to (rel_mes is WITHOUT ROWID: row order is not kept);
**    more groups than fit are written out early (still only additions);
**  - nothing reads those counters before finish.
** The fold runs only when the INSERT triggers of guia are exactly these
** three; unit.import compares the counters with and without it.
** --------------------------------------------------------------------- */

/* Drop the INSERT triggers of guia (sv->folded), or set sv->fold_off when
** they are not the ones fold_finish knows. */
static fat_rc fold_start(fat_guia_saver *sv, fat_store *st, fat_err *err)
{
  static const char sql_trig[] =
      "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'guia' "
      "ORDER BY rowid";
  char drop[80];
  fat_stmt *s;
  size_t i, n = 0;
  int r, unknown = 0;
  fat_rc rc;

  sv->fold_off = 1; /* unless everything below works */
  rc = fat_store_prepare(st, sql_trig, &s, err);
  if (rc != FAT_OK)
    return rc;
  while ((r = fat_stmt_step(s)) == FAT_ROW && rc == FAT_OK) {
    const char *name = fat_col_text(s, 0), *sql = fat_col_text(s, 1);
    const char *on = sql != NULL ? strstr(sql, " ON guia") : NULL;
    int known = 0, on_insert = 0;
    const char *p;

    for (p = sql; on != NULL && p + 6 <= on && !on_insert; p++)
      on_insert = strncmp(p, "INSERT", 6) == 0 || strncmp(p, "insert", 6) == 0;
    if (name == NULL || on == NULL) {
      unknown = 1;
      continue;
    }
    for (i = 0; i < FOLD_N && !known; i++)
      known = strcmp(name, fold_names[i]) == 0;
    if (known) { /* i - 1: its index; the text fold_add was written for? */
      char hex[65];

      fat_sha256_hex(sql, strlen(sql), hex);
      if (strcmp(hex, fold_sha256[i - 1]) != 0)
        unknown = 1;
    }
    if (on_insert && (!known || n >= FOLD_N))
      unknown = 1;
    else if (known && !on_insert)
      unknown = 1;
    else if (known) {
      sv->fold_sql[n] = fat_strdup(sql);
      if (sv->fold_sql[n++] == NULL)
        rc = fat_err_oom(err);
    }
  }
  if (rc == FAT_OK && r != FAT_DONE)
    rc = fat_store_dberr(st, err, "erro ao ler os gatilhos da guia");
  fat_stmt_reset(s);
  if (rc != FAT_OK || unknown || n != FOLD_N) {
    fold_forget(sv);
    return rc;
  }
  for (i = 0; i < FOLD_N && rc == FAT_OK; i++) {
    snprintf(drop, sizeof drop, "DROP TRIGGER \"%s\"", fold_names[i]);
    rc = fat_store_exec(st, drop, err);
  }
  if (rc != FAT_OK) {
    fold_forget(sv);
    return rc;
  }
  sv->folded = 1;
  sv->fold_off = 0;
  return FAT_OK;
}

/* Write out the sums of sv and empty them. */
static fat_rc fold_flush(fat_guia_saver *sv, fat_store *st, fat_err *err)
{
  static const char sql_mes[] =
      "INSERT INTO rel_mes (competencia, operadora_id, guias, faturado) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT (competencia, operadora_id) DO UPDATE SET "
      "guias = guias + excluded.guias, faturado = faturado + excluded.faturado";
  static const char sql_painel[] =
      "UPDATE painel_operadora SET guias = guias + ?2, guias_a_faturar = guias_a_faturar + ?3, "
      "valor_a_faturar = valor_a_faturar + ?4 WHERE operadora_id = ?1";
  fat_stmt *s;
  int i;
  fat_rc rc = FAT_OK;

  for (i = 0; i < sv->n_mes && rc == FAT_OK; i++) {
    rc = fat_store_prepare(st, sql_mes, &s, err);
    if (rc == FAT_OK) {
      fat_bind_text_static(s, 1, sv->mes[i].competencia);
      fat_bind_int(s, 2, sv->mes[i].operadora_id);
      fat_bind_int(s, 3, sv->mes[i].guias);
      fat_bind_int(s, 4, sv->mes[i].faturado);
      rc = fat_store_step_done(st, s, "erro ao atualizar os totais do mês", err);
    }
  }
  for (i = 0; i < sv->n_painel && rc == FAT_OK; i++) {
    rc = fat_store_prepare(st, sql_painel, &s, err);
    if (rc == FAT_OK) {
      fat_bind_int(s, 1, sv->painel[i].operadora_id);
      fat_bind_int(s, 2, sv->painel[i].guias);
      fat_bind_int(s, 3, sv->painel[i].a_faturar);
      fat_bind_int(s, 4, sv->painel[i].valor_a_faturar);
      rc = fat_store_step_done(st, s, "erro ao atualizar o painel", err);
    }
  }
  for (i = 0; i < sv->n_mes; i++)
    fat_free(sv->mes[i].competencia);
  sv->n_mes = 0;
  sv->n_painel = 0;
  return rc;
}

/* Add to the sums of sv what rel_mes_guia_nova and painel_guia_nova do for
** g, just inserted with these values (bind_guia). */
static fat_rc fold_add(fat_guia_saver *sv, fat_store *st, const fat_guia *g, fat_err *err)
{
  const char *status = g->status != NULL ? g->status : "digitada";
  int64_t valor = g->valor_total == FAT_ABSENT ? 0 : g->valor_total, op = g->operadora.id;
  int a_faturar = fat_guia_status_a_faturar(status);
  int i;
  fat_rc rc;

  if (sv->n_mes == FOLD_GRUPOS || sv->n_painel == FOLD_GRUPOS) {
    rc = fold_flush(sv, st, err);
    if (rc != FAT_OK)
      return rc;
  }
  if (g->competencia != NULL && strcmp(status, "cancelada") != 0) {
    for (i = 0; i < sv->n_mes; i++)
      if (sv->mes[i].operadora_id == op && strcmp(sv->mes[i].competencia, g->competencia) == 0)
        break;
    if (i == sv->n_mes) {
      sv->mes[i].competencia = fat_strdup(g->competencia);
      if (sv->mes[i].competencia == NULL)
        return fat_err_oom(err);
      sv->mes[i].operadora_id = op;
      sv->mes[i].guias = 0;
      sv->mes[i].faturado = 0;
      sv->n_mes++;
    }
    sv->mes[i].guias++;
    sv->mes[i].faturado += valor;
  }
  for (i = 0; i < sv->n_painel; i++)
    if (sv->painel[i].operadora_id == op)
      break;
  if (i == sv->n_painel) {
    memset(&sv->painel[i], 0, sizeof sv->painel[i]);
    sv->painel[i].operadora_id = op;
    sv->n_painel++;
  }
  sv->painel[i].guias++;
  sv->painel[i].a_faturar += a_faturar;
  sv->painel[i].valor_a_faturar += a_faturar ? valor : 0;
  return FAT_OK;
}

/* What the dropped triggers would have added, then the triggers again. */
static fat_rc fold_finish(fat_guia_saver *sv, fat_store *st, fat_err *err)
{
  size_t i;
  fat_rc rc;

  if (!sv->folded)
    return FAT_OK;
  rc = fold_flush(sv, st, err);
  for (i = 0; i < FOLD_N && rc == FAT_OK; i++)
    rc = fat_store_exec(st, sv->fold_sql[i], err);
  fold_forget(sv);
  return rc;
}

void fat_guia_saver_bulk(fat_guia_saver *sv)
{
  if (sv != NULL)
    sv->bulk = 1;
}

fat_rc fat_guia_saver_finish(fat_guia_saver *sv, fat_store *st, fat_err *err)
{
  if (sv == NULL)
    return FAT_OK;
  sv->fold_off = 1;
  return fold_finish(sv, st, err);
}

/* }-------------------------------------------------------------------- */

fat_rc fat_guia_saver_save(fat_guia_saver *sv, fat_store *st, fat_guia *g, int64_t operadora_id,
                           int64_t prestador_id, fat_err *err)
{
  int64_t id0 = g->id;
  char obj[32], det[32], nowbuf[24];
  const char *now = saver_now(sv, nowbuf);
  fat_rc rc = fat_store_begin(st, err);

  if (rc != FAT_OK)
    return rc;
  if (sv != NULL && sv->bulk && !sv->fold_off) {
    if (g->id == 0 && g->lote_id <= 0) {
      if (!sv->folded)
        rc = fold_start(sv, st, err);
    } else { /* an update or a guia in a lote: the triggers again, for good */
      sv->fold_off = 1;
      rc = fold_finish(sv, st, err);
    }
  }
  if (rc == FAT_OK)
    rc = guia_save_tx(st, g, operadora_id, prestador_id, sv, now, err);
  if (rc == FAT_OK && sv != NULL && sv->folded) /* a new guia: its counters */
    rc = fold_add(sv, st, g, err);
  /* who entered or corrected each guia: the team's productivity report
  ** (fat_rel_produtividade) counts these rows */
  if (rc == FAT_OK) {
    char num[24];
    const char *t;

    /* "guia:<id>" and "revisão <n>" without printf (once per guia) */
    t = i64_text(num, g->id);
    memcpy(obj, "guia:", 5);
    memcpy(obj + 5, t, strlen(t) + 1);
    t = i64_text(num, g->revisao);
    memcpy(det, "revis\xc3\xa3o ", 9);
    memcpy(det + 9, t, strlen(t) + 1);
    rc = fat_store_audit_em(st, now, id0 > 0 ? "guia.corrigir" : "guia.digitar", obj, det, err);
  }
  if (rc != FAT_OK) {
    fat_store_rollback(st);
    g->id = id0;
    if (sv != NULL) { /* what it remembers may have been rolled back */
      memo_clear(&sv->prof);
      memo_clear(&sv->cpf);
      memo_clear(&sv->benef);
      memo_clear(&sv->cart);
      /* the caller rolls back, triggers included; fold no more */
      fold_forget(sv);
      sv->fold_off = 1;
    }
    return rc;
  }
  return fat_store_commit(st, err);
}

/* }==================================================================== */
