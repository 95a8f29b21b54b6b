/* fat_simular.c: would a rule have caught this glosa; draft script replay.
** Both evaluate guias with fat_avaliar (fat_avaliar.h), the evaluation
** conferir runs, and judge glosas with fat_simular_preve. */
#include "fat_simular.h"

#include <stdio.h>
#include <string.h>

#include "fat_avaliar.h"
#include "fat_dia.h"
#include "fat_glosa.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_operadora.h"
#include "fat_store_int.h"

int fat_simular_preve(const fat_findings *f, const char *codigo, int item_seq, int bloqueio_only,
                      size_t *por)
{
  const char *grupo = fat_glosa_grupo_builtin(codigo);
  int best = 0;
  size_t k;

  if (por != NULL)
    *por = 0;
  for (k = 0; k < f->n && best < 2; k++) {
    const fat_finding *x = &f->v[k];
    int p = 0;

    if (x->glosa_prevista == NULL || (bloqueio_only && x->severidade != FAT_BLOQUEIO))
      continue;
    if (item_seq > 0 && x->item_seq > 0 && x->item_seq != item_seq)
      continue;
    if (strcmp(x->glosa_prevista, codigo) == 0)
      p = 2;
    else if (strcmp(fat_glosa_grupo_builtin(x->glosa_prevista), grupo) == 0)
      p = 1;
    if (p > best) {
      best = p;
      if (por != NULL)
        *por = k;
    }
  }
  return best;
}

/* {======================================================================
** glosa.prevista (the retorno import)
** ======================================================================= */

typedef struct glosa_ref {
  int64_t id;
  char codigo[8];
  int item_seq;
  int64_t valor;
} glosa_ref;

typedef struct glosas {
  glosa_ref *v;
  size_t n, cap;
} glosas;

/* The glosas of guia_id (retorno_id 0 = all), in id order, into *gl. */
static fat_rc glosas_load(fat_store *st, int64_t guia_id, int64_t retorno_id, glosas *gl,
                          fat_err *err)
{
  static const char sql[] =
    "SELECT gl.id, gl.codigo, COALESCE(i.sequencial, 0), gl.valor FROM glosa gl "
    "LEFT JOIN item i ON i.id = gl.item_id WHERE gl.guia_id = ?1 "
    "AND (?2 = 0 OR gl.retorno_id = ?2) ORDER BY gl.id";
  fat_stmt *s;
  int step;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  gl->n = 0;
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, guia_id);
  fat_bind_int(s, 2, retorno_id);
  step = fat_stmt_step(s);
  while (step == FAT_ROW && rc == FAT_OK) {
    glosa_ref *r;
    const char *c = fat_col_text(s, 1);

    if (gl->n == gl->cap) {
      size_t nc = gl->cap == 0 ? 16 : gl->cap * 2;
      glosa_ref *v = fat_realloc(gl->v, nc * sizeof *v);

      if (v == NULL) {
        rc = fat_err_oom(err);
        continue;
      }
      gl->v = v;
      gl->cap = nc;
    }
    r = &gl->v[gl->n++];
    r->id = fat_col_int64(s, 0);
    snprintf(r->codigo, sizeof r->codigo, "%s", c != NULL ? c : "");
    r->item_seq = fat_col_int(s, 2);
    r->valor = fat_col_int64(s, 3);
    step = fat_stmt_step(s);
  }
  if (rc == FAT_OK && step != FAT_DONE)
    rc = fat_store_dberr(st, err, "erro ao ler as glosas da guia");
  fat_stmt_reset(s);
  return rc;
}

/* The codes of the findings of f that predict the glosa, comma-separated
** and without repeats ("" when none). */
static void prevista_por(const fat_findings *f, const glosa_ref *g, char *buf, size_t len)
{
  fat_findings one;
  size_t k, used = 0;

  buf[0] = '\0';
  for (k = 0; k < f->n; k++) {
    const char *c = f->v[k].codigo;
    int w;

    /* the same judgement as fat_simular_preve, finding by finding */
    one.v = &f->v[k];
    one.n = one.cap = 1;
    if (fat_simular_preve(&one, g->codigo, g->item_seq, 0, NULL) == 0)
      continue;
    if (strstr(buf, c) != NULL)
      continue;
    w = snprintf(buf + used, len - used, "%s%s", used > 0 ? "," : "", c);
    if (w < 0 || (size_t)w >= len - used) {
      buf[used] = '\0';
      return;
    }
    used += (size_t)w;
  }
}

static fat_rc prever_uma(fat_store *st, fat_avaliador *av, int64_t guia_id, int64_t retorno_id,
                         glosas *gl, size_t *cnt, fat_err *err)
{
  static const char upd[] = "UPDATE glosa SET prevista = ?2, prevista_por = ?3 WHERE id = ?1";
  fat_avaliacao a;
  fat_stmt *u;
  char por[400];
  size_t i;
  fat_rc rc;

  fat_avaliacao_init(&a);
  rc = glosas_load(st, guia_id, retorno_id, gl, err);
  if (rc == FAT_OK && gl->n > 0)
    rc = fat_avaliar_guia(av, guia_id, NULL, &a, err);
  for (i = 0; i < gl->n && rc == FAT_OK; i++) {
    int p = fat_simular_preve(&a.achados, gl->v[i].codigo, gl->v[i].item_seq, 0, NULL);

    prevista_por(&a.achados, &gl->v[i], por, sizeof por);
    rc = fat_store_prepare(st, upd, &u, err);
    if (rc != FAT_OK)
      break;
    fat_bind_int(u, 1, gl->v[i].id);
    fat_bind_int(u, 2, p > 0);
    fat_bind_text(u, 3, por[0] != '\0' ? por : NULL);
    rc = fat_store_step_done(st, u, "não foi possível gravar a previsão da glosa", err);
    *cnt += (size_t)(p > 0);
  }
  fat_avaliacao_fini(&a);
  return rc;
}

fat_rc fat_simular_prever_guias(fat_store *st, fat_gen *gen, const int64_t *guia_ids, size_t n,
                                int64_t retorno_id, size_t *n_prev, fat_err *err)
{
  fat_avaliador *av = NULL;
  glosas gl;
  size_t i, cnt = 0;
  fat_rc rc;

  if (n_prev != NULL)
    *n_prev = 0;
  memset(&gl, 0, sizeof gl);
  rc = fat_avaliador_new(st, gen, &av, err);
  for (i = 0; i < n && rc == FAT_OK; i++)
    rc = prever_uma(st, av, guia_ids[i], retorno_id, &gl, &cnt, err);
  if (rc == FAT_OK && n_prev != NULL)
    *n_prev = cnt;
  fat_free(gl.v);
  fat_avaliador_free(av);
  return rc;
}

fat_rc fat_simular_prever_guia(fat_store *st, fat_gen *gen, int64_t guia_id, int64_t retorno_id,
                               size_t *n_prev, fat_err *err)
{
  return fat_simular_prever_guias(st, gen, &guia_id, 1, retorno_id, n_prev, err);
}

/* }====================================================================== */

/* {======================================================================
** `regras simular`
** ======================================================================= */

void fat_simular_res_fini(fat_simular_res *r)
{
  if (r == NULL)
    return;
  cJSON_Delete(r->detalhes);
  r->detalhes = NULL;
}

/* One past guia being replayed. */
typedef struct passada {
  int64_t id;
  const char *numero;
  int64_t valor;
  const glosas *gl;
} passada;

static int add_detalhe(cJSON *det, const char *lado, const char *tipo, const passada *p,
                       cJSON **out)
{
  cJSON *o = cJSON_CreateObject();

  *out = o;
  if (o == NULL)
    return 0;
  cJSON_AddItemToArray(det, o);
  return cJSON_AddStringToObject(o, "lado", lado) != NULL &&
         cJSON_AddStringToObject(o, "tipo", tipo) != NULL &&
         cJSON_AddStringToObject(o, "guia", p->numero) != NULL &&
         cJSON_AddNumberToObject(o, "guia_id", (double)p->id) != NULL;
}

static int detalhe_glosa(cJSON *det, const char *lado, const passada *p, const glosa_ref *g,
                         const fat_finding *by, int bloqueio)
{
  cJSON *o;

  return add_detalhe(det, lado, "glosa_prevista", p, &o) &&
         cJSON_AddNumberToObject(o, "glosa_id", (double)g->id) != NULL &&
         cJSON_AddStringToObject(o, "codigo", g->codigo) != NULL &&
         cJSON_AddNumberToObject(o, "valor", (double)g->valor) != NULL &&
         cJSON_AddStringToObject(o, "achado", by->codigo) != NULL &&
         cJSON_AddBoolToObject(o, "bloqueio", bloqueio) != NULL;
}

static const fat_finding *first_bloqueio(const fat_findings *f)
{
  size_t k;

  for (k = 0; k < f->n; k++)
    if (f->v[k].severidade == FAT_BLOQUEIO)
      return &f->v[k];
  return NULL;
}

/* Judge one side (draft or current) over one guia; det NULL = no details. */
static fat_rc lado_guia(fat_simular_lado *l, const fat_findings *f, const passada *p,
                        cJSON *det, const char *lado, fat_err *err)
{
  const fat_finding *blk = first_bloqueio(f);
  cJSON *o;
  size_t i, by;
  int ok = 1;

  l->guias_bloqueadas += (size_t)(blk != NULL);
  if (p->gl->n == 0 && blk != NULL) {
    l->falsos_alarmes++;
    l->valor_falsos += p->valor;
    if (det != NULL)
      ok = add_detalhe(det, lado, "falso_alarme", p, &o) &&
           cJSON_AddStringToObject(o, "achado", blk->codigo) != NULL;
  }
  for (i = 0; i < p->gl->n && ok; i++) {
    const glosa_ref *g = &p->gl->v[i];
    int bloq;

    if (fat_simular_preve(f, g->codigo, g->item_seq, 0, &by) == 0)
      continue;
    bloq = fat_simular_preve(f, g->codigo, g->item_seq, 1, NULL) > 0;
    l->glosas_previstas++;
    l->valor_previsto += g->valor;
    if (bloq) {
      l->glosas_evitadas++;
      l->valor_evitado += g->valor;
    }
    if (det != NULL)
      ok = detalhe_glosa(det, lado, p, g, &f->v[by], bloq);
  }
  return ok ? FAT_OK : fat_err_oom(err);
}

/* The operadora's answered guias: ids, números and billed values. */
typedef struct lista {
  int64_t *ids, *valores;
  char (*numeros)[32];
  size_t n, cap;
} lista;

static void lista_fini(lista *l)
{
  fat_free(l->ids);
  fat_free(l->valores);
  fat_free(l->numeros);
  memset(l, 0, sizeof *l);
}

static int lista_grow(lista *l)
{
  size_t nc = l->cap == 0 ? 64 : l->cap * 2;
  int64_t *a = fat_realloc(l->ids, nc * sizeof *a);
  int64_t *b;
  char(*c)[32];

  if (a == NULL)
    return 0;
  l->ids = a;
  b = fat_realloc(l->valores, nc * sizeof *b);
  if (b == NULL)
    return 0;
  l->valores = b;
  c = fat_realloc(l->numeros, nc * sizeof *c);
  if (c == NULL)
    return 0;
  l->numeros = c;
  l->cap = nc;
  return 1;
}

static fat_rc guias_respondidas(fat_store *st, int64_t operadora_id, const char *desde, lista *l,
                                fat_err *err)
{
  static const char sql[] =
    "SELECT g.id, g.numero_prestador, g.valor_total FROM guia g "
    "WHERE g.operadora_id = ?1 AND (?2 IS NULL OR g.data_inicio >= ?2) "
    "AND (EXISTS (SELECT 1 FROM retorno_guia rg WHERE rg.guia_id = g.id) "
    "     OR EXISTS (SELECT 1 FROM glosa x WHERE x.guia_id = g.id)) "
    "ORDER BY g.id";
  fat_stmt *s;
  int step;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, operadora_id);
  fat_bind_text(s, 2, desde);
  step = fat_stmt_step(s);
  while (step == FAT_ROW && rc == FAT_OK) {
    const char *num = fat_col_text(s, 1);

    if (l->n == l->cap && !lista_grow(l)) {
      rc = fat_err_oom(err);
      continue;
    }
    l->ids[l->n] = fat_col_int64(s, 0);
    snprintf(l->numeros[l->n], sizeof l->numeros[l->n], "%s", num != NULL ? num : "");
    l->valores[l->n] = fat_col_int64(s, 2);
    l->n++;
    step = fat_stmt_step(s);
  }
  if (rc == FAT_OK && step != FAT_DONE)
    rc = fat_store_dberr(st, err, "erro ao selecionar as guias respondidas");
  fat_stmt_reset(s);
  return rc;
}

static fat_rc script_key(fat_store *st, int64_t operadora_id, char *key, size_t len,
                         fat_err *err)
{
  static const char sql[] = "SELECT script FROM operadora WHERE id = ?1";
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);
  const char *k;

  key[0] = '\0';
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, operadora_id);
  if (fat_stmt_step(s) == FAT_ROW) {
    k = fat_col_text(s, 0);
    snprintf(key, len, "%s", k != NULL ? k : "");
  }
  fat_stmt_reset(s);
  if (key[0] == '\0')
    rc = fat_err_set(err, FAT_ENOTFOUND, "a operadora não tem chave de script");
  return rc;
}

/* Evaluate one past guia under one side and judge it. */
static fat_rc replay(fat_avaliador *av, const passada *p, fat_simular_lado *l, cJSON *det,
                     const char *lado, fat_err *err)
{
  fat_avaliacao a;
  fat_rc rc;

  fat_avaliacao_init(&a);
  rc = fat_avaliar_guia(av, p->id, NULL, &a, err);
  if (rc == FAT_OK)
    rc = lado_guia(l, &a.achados, p, det, lado, err);
  else
    fat_err_prefix(err, "guia %s: ", p->numero);
  fat_avaliacao_fini(&a);
  return rc;
}

fat_rc fat_simular_regras(fat_store *st, const fat_simular_opts *o, fat_simular_res *res,
                          fat_err *err)
{
  fat_gen *draft = NULL, *cur = NULL;
  fat_avaliador *av_d = NULL, *av_c = NULL;
  int64_t operadora_id = 0;
  lista l;
  glosas gl;
  char key[64];
  fat_err e2;
  size_t i, j;
  fat_rc rc;

  memset(res, 0, sizeof *res);
  memset(&l, 0, sizeof l);
  memset(&gl, 0, sizeof gl);
  if (o->operadora == NULL || o->script_path == NULL || o->regras_dir == NULL)
    return fat_err_set(err, FAT_EINVAL, "informe a operadora, o script e a pasta de regras");
  if (o->desde != NULL && !fat_dia_valida(o->desde))
    return fat_err_set(err, FAT_EINVAL, "data '%s' inválida (use AAAA-MM-DD)", o->desde);
  rc = fat_operadora_resolver(st, o->operadora, &operadora_id, err);
  if (rc == FAT_OK)
    rc = script_key(st, operadora_id, key, sizeof key, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_gen_build(o->regras_dir, key, o->script_path, NULL, &draft, err);
  if (rc != FAT_OK) {
    fat_err_prefix(err, "o rascunho não compila: ");
    return rc;
  }
  fat_err_clear(&e2);
  res->tem_atual = fat_gen_build(o->regras_dir, NULL, NULL, NULL, &cur, &e2) == FAT_OK;
  res->detalhes = cJSON_CreateArray();
  if (res->detalhes == NULL)
    rc = fat_err_oom(err);
  if (rc == FAT_OK)
    rc = fat_avaliador_new(st, draft, &av_d, err);
  if (rc == FAT_OK && res->tem_atual)
    rc = fat_avaliador_new(st, cur, &av_c, err);
  if (rc == FAT_OK)
    rc = guias_respondidas(st, operadora_id, o->desde, &l, err);
  for (i = 0; i < l.n && rc == FAT_OK; i++) {
    passada p;

    p.id = l.ids[i];
    p.numero = l.numeros[i];
    p.valor = l.valores[i];
    p.gl = &gl;
    rc = glosas_load(st, p.id, 0, &gl, err);
    if (rc != FAT_OK)
      break;
    res->guias++;
    res->glosas += gl.n;
    res->guias_glosadas += (size_t)(gl.n > 0);
    res->guias_pagas += (size_t)(gl.n == 0);
    for (j = 0; j < gl.n; j++)
      res->valor_glosado += gl.v[j].valor;
    rc = replay(av_d, &p, &res->rascunho, res->detalhes, "rascunho", err);
    if (rc == FAT_OK && av_c != NULL)
      rc = replay(av_c, &p, &res->atual, NULL, "atual", err);
  }
  fat_avaliador_free(av_d);
  fat_avaliador_free(av_c);
  fat_free(gl.v);
  lista_fini(&l);
  fat_gen_release(draft);
  if (cur != NULL)
    fat_gen_release(cur);
  if (rc != FAT_OK)
    fat_simular_res_fini(res);
  return rc;
}

static cJSON *lado_json(const fat_simular_lado *l)
{
  cJSON *o = cJSON_CreateObject();

  if (o == NULL)
    return NULL;
  if (cJSON_AddNumberToObject(o, "glosas_previstas", (double)l->glosas_previstas) == NULL ||
      cJSON_AddNumberToObject(o, "valor_previsto", (double)l->valor_previsto) == NULL ||
      cJSON_AddNumberToObject(o, "glosas_evitadas", (double)l->glosas_evitadas) == NULL ||
      cJSON_AddNumberToObject(o, "valor_evitado", (double)l->valor_evitado) == NULL ||
      cJSON_AddNumberToObject(o, "guias_bloqueadas", (double)l->guias_bloqueadas) == NULL ||
      cJSON_AddNumberToObject(o, "falsos_alarmes", (double)l->falsos_alarmes) == NULL ||
      cJSON_AddNumberToObject(o, "valor_falsos_alarmes", (double)l->valor_falsos) == NULL) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

/* Add item (consumed) to o under key; 0 when item is NULL or on OOM. */
static int add_owned(cJSON *o, const char *key, cJSON *item)
{
  if (item == NULL)
    return 0;
  if (!cJSON_AddItemToObject(o, key, item)) {
    cJSON_Delete(item);
    return 0;
  }
  return 1;
}

cJSON *fat_simular_res_json(const fat_simular_res *r)
{
  cJSON *o = cJSON_CreateObject();
  int ok;

  if (o == NULL)
    return NULL;
  ok = cJSON_AddNumberToObject(o, "guias", (double)r->guias) != NULL &&
       cJSON_AddNumberToObject(o, "guias_glosadas", (double)r->guias_glosadas) != NULL &&
       cJSON_AddNumberToObject(o, "guias_pagas", (double)r->guias_pagas) != NULL &&
       cJSON_AddNumberToObject(o, "glosas", (double)r->glosas) != NULL &&
       cJSON_AddNumberToObject(o, "valor_glosado", (double)r->valor_glosado) != NULL &&
       add_owned(o, "rascunho", lado_json(&r->rascunho)) &&
       (!r->tem_atual || add_owned(o, "atual", lado_json(&r->atual))) &&
       (r->detalhes == NULL || add_owned(o, "detalhes", cJSON_Duplicate(r->detalhes, 1)));
  if (!ok) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

/* }====================================================================== */
