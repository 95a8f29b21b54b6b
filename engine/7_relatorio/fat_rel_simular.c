/* fat_rel_simular.c: a contract proposal priced over real production by the
** one pricer, beside the current contract (fat_rel_simular.h). */
#include "fat_rel_simular.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fat_dia.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_operadora.h"
#include "fat_price.h"
#include "fat_rascunho.h"
#include "fat_rel_int.h"

#define LOTE_GUIAS 256
#define N_GRUPOS 5
#define MAX_MESES 121

static const char *const grupos[N_GRUPOS] = {"Procedimentos", "Exames", "Materiais e OPME",
                                             "Medicamentos", "Taxas e diárias"};

typedef struct soma {
  int64_t itens, faturado, atual, proposta, sem_atual, sem_proposta;
} soma;

typedef struct sim {
  fat_store *st;
  fat_pricer *pa, *pp;
  char de[8], ate[8];
  int64_t guias;
  soma g[N_GRUPOS], m[MAX_MESES];
} sim;

static const char *jstr(const cJSON *o, const char *k)
{
  const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));

  return v != NULL ? v : "";
}

static int grupo_idx(const char *s)
{
  int i;

  for (i = 0; s != NULL && i < N_GRUPOS; i++)
    if (strcmp(s, grupos[i]) == 0)
      return i;
  return 0;
}

static int mes_idx(const sim *x, const char *comp)
{
  int yd = (int)strtol(x->de, NULL, 10), md = (int)strtol(x->de + 5, NULL, 10);
  int y, m, k;

  if (comp == NULL || strlen(comp) < 7)
    return 0;
  y = (int)strtol(comp, NULL, 10);
  m = (int)strtol(comp + 5, NULL, 10);
  k = (y * 12 + m) - (yd * 12 + md);
  return k < 0 ? 0 : k >= MAX_MESES ? MAX_MESES - 1 : k;
}

/* The procedure group of each item of guia id, by item id (REL_GRUPO_SQL,
** the one definition the produção report uses). */
static fat_rc grupos_itens(fat_store *st, const fat_guia *g, int *gi, fat_err *err)
{
  static const char sql[] =
      "SELECT i.id AS id, " REL_GRUPO_SQL("i") " AS grupo FROM item i WHERE i.guia_id = ?1";
  fat_stmt *s;
  cJSON *rows = NULL, *r;
  size_t k;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  for (k = 0; k < g->n_itens; k++)
    gi[k] = 0;
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, g->id);
  rc = fat_store_rows_json(st, s, 0, "erro ao ler os itens da guia", &rows, err);
  if (rc != FAT_OK)
    return rc;
  cJSON_ArrayForEach(r, rows)
  {
    int64_t id = rel_int(r, "id");

    for (k = 0; k < g->n_itens; k++)
      if (g->itens[k].id == id)
        gi[k] = grupo_idx(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "grupo")));
  }
  cJSON_Delete(rows);
  return FAT_OK;
}

/* Price every item of g from scratch with p: out[k] = the contract total of
** item k, or FAT_ABSENT when p cannot price it. */
static fat_rc precifica(fat_pricer *p, fat_guia *g, int64_t *out, const char *lado, fat_err *err)
{
  fat_price_report rep;
  size_t k;
  fat_rc rc;

  for (k = 0; k < g->n_itens; k++) {
    g->itens[k].valor_unitario = FAT_ABSENT;
    g->itens[k].valor_total = FAT_ABSENT;
  }
  fat_price_report_init(&rep);
  rc = fat_price_guia(p, g, 1, &rep, err);
  fat_price_report_fini(&rep);
  if (rc != FAT_OK) {
    fat_err_prefix(err, "%s: ", lado);
    return rc;
  }
  for (k = 0; k < g->n_itens; k++)
    out[k] = g->itens[k].valor_total;
  return FAT_OK;
}

static void soma_item(soma *s, int64_t faturado, int64_t a, int64_t p)
{
  s->itens++;
  s->faturado += faturado != FAT_ABSENT ? faturado : 0;
  if (a == FAT_ABSENT)
    s->sem_atual++;
  if (p == FAT_ABSENT)
    s->sem_proposta++;
  if (a != FAT_ABSENT && p != FAT_ABSENT) {
    s->atual += a;
    s->proposta += p;
  }
}

static fat_rc uma_guia(sim *x, int64_t id, fat_err *err)
{
  fat_guia *g = NULL;
  int64_t *fat = NULL, *a = NULL, *p = NULL;
  int *gi = NULL;
  size_t k, n;
  int mi;
  fat_rc rc = fat_guia_load(x->st, id, &g, err);

  if (rc != FAT_OK)
    return rc;
  n = g->n_itens > 0 ? g->n_itens : 1;
  fat = fat_calloc(n, sizeof *fat);
  a = fat_calloc(n, sizeof *a);
  p = fat_calloc(n, sizeof *p);
  gi = fat_calloc(n, sizeof *gi);
  if (fat == NULL || a == NULL || p == NULL || gi == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  for (k = 0; k < g->n_itens; k++)
    fat[k] = g->itens[k].valor_total;
  rc = grupos_itens(x->st, g, gi, err);
  if (rc == FAT_OK)
    rc = precifica(x->pa, g, a, "contrato atual", err);
  if (rc == FAT_OK)
    rc = precifica(x->pp, g, p, "proposta", err);
  if (rc != FAT_OK)
    goto out;
  mi = mes_idx(x, g->competencia);
  for (k = 0; k < g->n_itens; k++) {
    soma_item(&x->g[gi[k]], fat[k], a[k], p[k]);
    soma_item(&x->m[mi], fat[k], a[k], p[k]);
  }
  x->guias++;
out:
  fat_free(fat);
  fat_free(a);
  fat_free(p);
  fat_free(gi);
  fat_guia_free(g);
  return rc;
}

/* Walk the guias of the period in pages of ids (keyset), so no statement
** stays open while the guias are priced. */
static fat_rc todas(sim *x, int64_t op, fat_err *err)
{
  static const char sql[] =
      "SELECT g.id AS id FROM guia g WHERE g.operadora_id = ?1 AND g.competencia BETWEEN ?2 AND ?3"
      " AND g.status <> 'cancelada' AND g.id > ?4 ORDER BY g.id LIMIT ?5";
  int64_t ultimo = 0;
  fat_rc rc = FAT_OK;

  for (;;) {
    fat_stmt *s;
    cJSON *rows = NULL, *r;
    int n = 0;

    rc = fat_store_prepare(x->st, sql, &s, err);
    if (rc != FAT_OK)
      break;
    fat_bind_int(s, 1, op);
    fat_bind_text(s, 2, x->de);
    fat_bind_text(s, 3, x->ate);
    fat_bind_int(s, 4, ultimo);
    fat_bind_int(s, 5, LOTE_GUIAS);
    rc = fat_store_rows_json(x->st, s, 0, "erro ao ler as guias da operadora", &rows, err);
    if (rc != FAT_OK)
      break;
    cJSON_ArrayForEach(r, rows)
    {
      if (rc != FAT_OK)
        break;
      ultimo = rel_int(r, "id");
      rc = uma_guia(x, ultimo, err);
      n++;
    }
    cJSON_Delete(rows);
    if (rc != FAT_OK || n < LOTE_GUIAS)
      break;
  }
  return rc;
}

static const rel_col cols_grupo[] = {
    {"grupo", "Grupo de procedimento", REL_TEXTO},
    {"itens", "Itens", REL_INTEIRO},
    {"faturado", "Faturado (como cobrado)", REL_DINHEIRO},
    {"atual", "Contrato atual", REL_DINHEIRO},
    {"proposta", "Proposta", REL_DINHEIRO},
    {"diferenca", "Diferença", REL_DINHEIRO},
    {"variacao", "Variação", REL_PERCENTUAL},
    {"sem_preco_atual", "Sem preço no atual", REL_INTEIRO},
    {"sem_preco_proposta", "Sem preço na proposta", REL_INTEIRO},
};

static fat_rc linha_soma(cJSON *o, const soma *s, fat_err *err)
{
  fat_rc rc = rel_set_int(o, "itens", s->itens, err);

  if (rc == FAT_OK)
    rc = rel_set_int(o, "faturado", s->faturado, err);
  if (rc == FAT_OK)
    rc = rel_set_int(o, "atual", s->atual, err);
  if (rc == FAT_OK)
    rc = rel_set_int(o, "proposta", s->proposta, err);
  if (rc == FAT_OK)
    rc = rel_set_int(o, "diferenca", s->proposta - s->atual, err);
  if (rc == FAT_OK)
    rc = s->atual != 0 ? rel_set_int(o, "variacao", rel_bp(s->proposta - s->atual, s->atual), err)
                       : rel_set_null(o, "variacao", err);
  if (rc == FAT_OK)
    rc = rel_set_int(o, "sem_preco_atual", s->sem_atual, err);
  if (rc == FAT_OK)
    rc = rel_set_int(o, "sem_preco_proposta", s->sem_proposta, err);
  return rc;
}

static fat_rc nova_linha(cJSON *tab, cJSON **o, fat_err *err)
{
  *o = cJSON_CreateObject();
  if (*o == NULL || !cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(tab, "linhas"), *o)) {
    cJSON_Delete(*o);
    *o = NULL;
    return fat_err_oom(err);
  }
  return FAT_OK;
}

static fat_rc total(cJSON *tab, const soma *v, int n, fat_err *err)
{
  soma t;
  cJSON *o = cJSON_CreateObject();
  int i;
  fat_rc rc;

  if (o == NULL || !cJSON_ReplaceItemInObjectCaseSensitive(tab, "total", o)) {
    cJSON_Delete(o);
    return fat_err_oom(err);
  }
  memset(&t, 0, sizeof t);
  for (i = 0; i < n; i++) {
    t.itens += v[i].itens;
    t.faturado += v[i].faturado;
    t.atual += v[i].atual;
    t.proposta += v[i].proposta;
    t.sem_atual += v[i].sem_atual;
    t.sem_proposta += v[i].sem_proposta;
  }
  rc = linha_soma(o, &t, err);
  return rc;
}

static fat_rc documento(const sim *x, const char *nome_op, const char *operadora, cJSON **out,
                        fat_err *err)
{
  static const rel_col cols_mes[] = {
      {"competencia", "Competência", REL_MES},
      {"itens", "Itens", REL_INTEIRO},
      {"faturado", "Faturado (como cobrado)", REL_DINHEIRO},
      {"atual", "Contrato atual", REL_DINHEIRO},
      {"proposta", "Proposta", REL_DINHEIRO},
      {"diferenca", "Diferença", REL_DINHEIRO},
      {"variacao", "Variação", REL_PERCENTUAL},
      {"sem_preco_atual", "Sem preço no atual", REL_INTEIRO},
      {"sem_preco_proposta", "Sem preço na proposta", REL_INTEIRO},
  };
  char titulo[200], guias[24], comp[8];
  cJSON *rel, *tab, *o;
  int i, nm = mes_idx(x, x->ate) + 1;
  fat_rc rc;

  snprintf(titulo, sizeof titulo, "Simulação de contrato: %s", nome_op);
  rel = rel_novo("simulacao_precos", titulo);
  if (rel == NULL)
    return fat_err_oom(err);
  snprintf(guias, sizeof guias, "%lld", (long long)x->guias);
  rc = rel_param(rel, "operadora", operadora, err);
  if (rc == FAT_OK)
    rc = rel_param(rel, "de", x->de, err);
  if (rc == FAT_OK)
    rc = rel_param(rel, "ate", x->ate, err);
  if (rc == FAT_OK)
    rc = rel_param(rel, "guias", guias, err);
  if (rc == FAT_OK)
    rc = rel_tabela(rel, "por_grupo", "Receita por grupo de procedimento", cols_grupo,
                    REL_NCOLS(cols_grupo), &tab, err);
  for (i = 0; rc == FAT_OK && i < N_GRUPOS; i++) {
    if (x->g[i].itens == 0)
      continue;
    rc = nova_linha(tab, &o, err);
    if (rc == FAT_OK)
      rc = rel_set_str(o, "grupo", grupos[i], err);
    if (rc == FAT_OK)
      rc = linha_soma(o, &x->g[i], err);
  }
  if (rc == FAT_OK)
    rc = total(tab, x->g, N_GRUPOS, err);
  if (rc == FAT_OK)
    rc = rel_tabela(rel, "por_mes", "Receita por competência", cols_mes, REL_NCOLS(cols_mes),
                    &tab, err);
  for (i = 0; rc == FAT_OK && i < nm && i < MAX_MESES; i++) {
    if (x->m[i].itens == 0)
      continue;
    rel_mes_soma(x->de, i, comp);
    rc = nova_linha(tab, &o, err);
    if (rc == FAT_OK)
      rc = rel_set_str(o, "competencia", comp, err);
    if (rc == FAT_OK)
      rc = linha_soma(o, &x->m[i], err);
  }
  if (rc == FAT_OK)
    rc = total(tab, x->m, MAX_MESES, err);
  if (rc != FAT_OK) {
    cJSON_Delete(rel);
    return rc;
  }
  *out = rel;
  return FAT_OK;
}

/* Script key and name of operadora id. */
static fat_rc dados_operadora(fat_store *st, int64_t id, char *key, size_t klen, char *nome,
                              size_t nlen, fat_err *err)
{
  static const char sql[] = "SELECT script AS chave, nome FROM operadora WHERE id = ?1";
  fat_stmt *s;
  cJSON *rows = NULL, *r;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  key[0] = nome[0] = '\0';
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  rc = fat_store_rows_json(st, s, 0, "erro ao ler a operadora", &rows, err);
  if (rc != FAT_OK)
    return rc;
  r = cJSON_GetArrayItem(rows, 0);
  snprintf(key, klen, "%s", jstr(r, "chave"));
  snprintf(nome, nlen, "%s", jstr(r, "nome"));
  cJSON_Delete(rows);
  if (key[0] == '\0')
    return fat_err_set(err, FAT_EINVAL, "a operadora não tem script de regras");
  return FAT_OK;
}

/* The period: ate = the latest competência of the operadora's guias when
** not given; desde = two months before ate. */
static fat_rc periodo(fat_store *st, int64_t op, const char *desde, const char *ate, sim *x,
                      fat_err *err)
{
  static const char sql[] =
      "SELECT max(competencia) AS c FROM guia WHERE operadora_id = ?1 AND competencia IS NOT NULL";
  fat_rel_params p;
  fat_stmt *s;
  cJSON *rows = NULL;
  const char *c;
  char d[8], a[8];
  fat_rc rc;

  memset(&p, 0, sizeof p);
  p.de = desde;
  p.ate = ate;
  if (ate == NULL || ate[0] == '\0') {
    rc = fat_store_prepare(st, sql, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, op);
    rc = fat_store_rows_json(st, s, 0, "erro ao ler as competências", &rows, err);
    if (rc != FAT_OK)
      return rc;
    c = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(rows, 0), "c"));
    if (c == NULL) {
      cJSON_Delete(rows);
      return fat_err_set(err, FAT_EINVAL, "a operadora não tem guias para simular");
    }
    snprintf(a, sizeof a, "%.7s", c);
    cJSON_Delete(rows);
    p.ate = a;
  }
  if (desde == NULL || desde[0] == '\0') {
    if (!fat_dia_competencia_valida(p.ate))
      return fat_err_set(err, FAT_EINVAL, "mês final '%s' inválido (use AAAA-MM)", p.ate);
    rel_mes_soma(p.ate, -2, d);
    p.de = d;
  }
  return rel_periodo(st, &p, x->de, x->ate, err);
}

fat_rc fat_rel_simular_precos(fat_store *st, fat_gen *atual, fat_gen *proposta,
                              const char *operadora, const char *desde, const char *ate,
                              cJSON **out, fat_err *err)
{
  sim *x = NULL;
  int64_t op = 0;
  char key[64], nome[160];
  fat_err e;
  fat_rc rc;

  *out = NULL;
  if (operadora == NULL || operadora[0] == '\0')
    return fat_err_set(err, FAT_EINVAL, "informe a operadora");
  fat_err_clear(&e);
  if (fat_operadora_resolver(st, operadora, &op, &e) != FAT_OK)
    return fat_err_set(err, e.rc == FAT_ENOTFOUND ? FAT_EINVAL : e.rc, "%s", e.msg);
  x = fat_calloc(1, sizeof *x);
  if (x == NULL)
    return fat_err_oom(err);
  x->st = st;
  rc = dados_operadora(st, op, key, sizeof key, nome, sizeof nome, err);
  if (rc == FAT_OK)
    rc = periodo(st, op, desde, ate, x, err);
  if (rc == FAT_OK && fat_gen_sha256(proposta, key) == NULL)
    rc = fat_err_set(err, FAT_EINVAL, "a proposta não traz o script da operadora '%s'", key);
  if (rc == FAT_OK)
    rc = fat_pricer_new_gen(st, atual, &x->pa, err);
  if (rc == FAT_OK)
    rc = fat_pricer_new_gen(st, proposta, &x->pp, err);
  if (rc == FAT_OK)
    rc = todas(x, op, err);
  if (rc == FAT_OK)
    rc = documento(x, nome, key, out, err);
  fat_pricer_free(x->pa);
  fat_pricer_free(x->pp);
  fat_free(x);
  return rc;
}

static fat_rc chave_de(fat_store *st, const char *operadora, char *key, size_t len, fat_err *err)
{
  char nome[160];
  int64_t op = 0;
  fat_err e;

  fat_err_clear(&e);
  if (fat_operadora_resolver(st, operadora, &op, &e) != FAT_OK)
    return fat_err_set(err, e.rc == FAT_ENOTFOUND ? FAT_EINVAL : e.rc, "%s", e.msg);
  return dados_operadora(st, op, key, len, nome, sizeof nome, err);
}

fat_rc fat_rel_simular_precos_script(fat_store *st, const char *regras_dir, const char *operadora,
                                     const char *script_path, const char *desde, const char *ate,
                                     cJSON **out, fat_err *err)
{
  fat_gen *atual = NULL, *prop = NULL;
  char key[64];
  fat_rc rc;

  *out = NULL;
  if (operadora == NULL || script_path == NULL || regras_dir == NULL)
    return fat_err_set(err, FAT_EINVAL, "informe a operadora, a proposta e a pasta de regras");
  rc = chave_de(st, operadora, key, sizeof key, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_gen_build(regras_dir, key, script_path, NULL, &prop, err);
  if (rc != FAT_OK) {
    fat_err_prefix(err, "a proposta não compila: ");
    return rc;
  }
  rc = fat_gen_build(regras_dir, NULL, NULL, NULL, &atual, err);
  if (rc != FAT_OK)
    fat_err_prefix(err, "as regras atuais não compilam: ");
  else
    rc = fat_rel_simular_precos(st, atual, prop, operadora, desde, ate, out, err);
  if (atual != NULL)
    fat_gen_release(atual);
  fat_gen_release(prop);
  return rc;
}

fat_rc fat_rel_simular_precos_rascunho(fat_store *st, const char *regras_dir, const char *key,
                                       const char *desde, const char *ate, cJSON **out,
                                       fat_err *err)
{
  fat_rascunho d;
  char path[512];
  int found = 0;
  fat_rc rc;

  *out = NULL;
  rc = fat_rascunho_ler(st, key, &d, &found, err);
  if (rc != FAT_OK)
    return rc;
  if (!found)
    return fat_err_set(err, FAT_ENOTFOUND,
                       "não há rascunho para a operadora '%s': salve a proposta como rascunho "
                       "antes de simular",
                       key);
  rc = fat_rascunho_arquivo_temp(d.conteudo, d.len, path, sizeof path, err);
  fat_rascunho_fini(&d);
  if (rc != FAT_OK)
    return rc;
  rc = fat_rel_simular_precos_script(st, regras_dir, key, path, desde, ate, out, err);
  unlink(path);
  return rc;
}
