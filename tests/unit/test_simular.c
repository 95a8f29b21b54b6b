/* test_simular.c: the glosa prediction (fat_simular_preve), table-driven, and
** the agreement of the three places that answer "would a current rule have
** caught this glosa?" on the demo cycle: conferir's stored findings, `regras
** simular` with the current scripts and the retorno import's glosa.prevista
** (which `glosa resumo` counts). All three use fat_avaliar, so they must
** agree glosa by glosa. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture_guia.h"
#include "fat_conferir.h"
#include "fat_demo.h"
#include "fat_demo_retorno.h"
#include "fat_glosa.h"
#include "fat_lote.h"
#include "fat_mem.h"
#include "fat_price.h"
#include "fat_retorno.h"
#include "fat_rules.h"
#include "fat_simular.h"
#include "fat_store_int.h"
#include "fat_store_sqlite.h"

#define DB "test_simular.db"
#define N_GUIAS 400
#define HOJE "2026-11-05" /* the demo bills on the 5th of the next month */

/* ------------------------------------------------------------------------
** fat_simular_preve
*/

typedef struct preve_case {
  const char *name;
  const char *glosa;         /* finding's glosa_prevista */
  fat_severidade sev;
  int achado_item;           /* finding's item_seq */
  const char *codigo;        /* the glosa received */
  int glosa_item;            /* its item (0 = guia) */
  int bloqueio_only;
  int espera;
} preve_case;

static const preve_case preve_cases[] = {
  {"mesmo código na guia", "1705", FAT_ALERTA, 0, "1705", 0, 0, 2},
  {"mesmo código, item da glosa", "1714", FAT_BLOQUEIO, 3, "1714", 3, 0, 2},
  {"achado de outro item não prevê", "1714", FAT_BLOQUEIO, 2, "1714", 3, 0, 0},
  {"achado da guia prevê glosa de item", "1001", FAT_BLOQUEIO, 0, "1001", 4, 0, 2},
  {"achado de item prevê glosa da guia", "1714", FAT_BLOQUEIO, 2, "1714", 0, 0, 2},
  {"mesmo grupo de motivo", "1001", FAT_BLOQUEIO, 0, "1017", 0, 0, 1},
  {"outro grupo", "1001", FAT_BLOQUEIO, 0, "1714", 0, 0, 0},
  {"alerta não conta quando só bloqueio", "1705", FAT_ALERTA, 0, "1705", 0, 1, 0},
  {"bloqueio conta quando só bloqueio", "1705", FAT_BLOQUEIO, 0, "1705", 0, 1, 2},
  {"achado sem glosa prevista", NULL, FAT_BLOQUEIO, 0, "1705", 0, 0, 0},
};

static void test_preve(void **state)
{
  size_t i, por;

  (void)state;
  for (i = 0; i < sizeof preve_cases / sizeof preve_cases[0]; i++) {
    const preve_case *c = &preve_cases[i];
    fat_findings f;
    fat_err err;
    int got;

    fat_findings_init(&f);
    /* a finding that never predicts, then the one under test */
    assert_int_equal(fat_findings_add(&f, "OUTRO", FAT_ALERTA, NULL, "m", NULL, 0, 0, "t", NULL,
                                      0, &err),
                     FAT_OK);
    assert_int_equal(fat_findings_add(&f, "TESTE", c->sev, NULL, "m", c->glosa, 0,
                                      c->achado_item, "t", NULL, 0, &err),
                     FAT_OK);
    got = fat_simular_preve(&f, c->codigo, c->glosa_item, c->bloqueio_only, &por);
    if (got != c->espera)
      fail_msg("%s: esperava %d, veio %d", c->name, c->espera, got);
    if (got > 0)
      assert_int_equal(por, 1);
    fat_findings_fini(&f);
  }
}

/* ------------------------------------------------------------------------
** The demo cycle: conferir, lotes, the operadoras' answers, import
*/

static void demo_ciclo(fat_store **out_st, fat_rules **out_rules)
{
  fat_demo_opcoes op = {N_GUIAS, 5, "2026-10", 2000};
  fat_demo_resumo dres;
  fat_conferir_opts o;
  fat_conferir_resumo cres;
  fat_store *st = NULL;
  fat_rules *rules = NULL;
  fat_gen *gen = NULL;
  fat_pricer *p = NULL;
  fat_err err;
  size_t i, j;
  uint64_t semente = 1;

  fix_remove_db(DB);
  fat_err_clear(&err);
  if (fat_store_create(DB, &st, &err) != FAT_OK ||
      fat_demo_tabelas(st, fix_regras_dir(), NULL, &err) != FAT_OK ||
      fat_rules_open(fix_regras_dir(), NULL, st, &rules, &err) != FAT_OK)
    fail_msg("demo: %s", err.msg);
  gen = fat_rules_acquire(rules);
  if (fat_pricer_new_gen(st, gen, &p, &err) != FAT_OK ||
      fat_demo_gerar(st, p, &op, &dres, &err) != FAT_OK)
    fail_msg("demo: %s", err.msg);
  fat_pricer_free(p);
  memset(&o, 0, sizeof o);
  o.hoje = HOJE;
  if (fat_conferir(st, rules, &o, NULL, NULL, &cres, &err) != FAT_OK)
    fail_msg("conferir: %s", err.msg);
  assert_int_equal(cres.conferidas, N_GUIAS);
  for (i = 0; i < fat_gen_count(gen); i++) {
    fat_lote_fechar_opts lo;
    fat_lote_fechar_res lr;

    memset(&lo, 0, sizeof lo);
    memset(&lr, 0, sizeof lr);
    lo.operadora = fat_gen_key(gen, i);
    lo.hoje = HOJE;
    lo.ate = HOJE;
    if (fat_lote_fechar(st, gen, &lo, &lr, &err) != FAT_OK)
      fail_msg("lote %s: %s", lo.operadora, err.msg);
    for (j = 0; j < lr.n; j++) {
      fat_demo_retorno_opts ro;
      fat_demo_retorno_res out;
      fat_retorno_res res;

      memset(&ro, 0, sizeof ro);
      memset(&out, 0, sizeof out);
      memset(&res, 0, sizeof res);
      ro.lote_id = lr.lotes[j].id;
      ro.taxa_bp = 300;
      ro.semente = semente++;
      ro.data = HOJE;
      if (fat_lote_enviado(st, ro.lote_id, HOJE, &err) != FAT_OK ||
          fat_demo_retorno(st, &ro, &out, &err) != FAT_OK ||
          fat_retorno_importar_buf(st, gen, out.xml, out.len, "d.xml", &res, &err) != FAT_OK)
        fail_msg("retorno do lote %lld: %s", (long long)ro.lote_id, err.msg);
      fat_retorno_res_fini(&res);
      fat_demo_retorno_res_fini(&out);
    }
    fat_lote_fechar_res_fini(&lr);
  }
  fat_gen_release(gen);
  *out_st = st;
  *out_rules = rules;
}

typedef struct glosa_row {
  int64_t id, guia_id;
  char codigo[8];
  int item_seq;
  int retorno;      /* glosa.prevista, as the retorno import set it */
  int conferir;     /* predicted by conferir's stored findings */
  int simular;      /* listed by `regras simular` with the current script */
  int operadora;    /* index of its operadora in the generation */
} glosa_row;

static size_t load_glosas(fat_store *st, fat_gen *gen, glosa_row *v, size_t cap)
{
  static const char sql[] =
    "SELECT gl.id, gl.guia_id, gl.codigo, COALESCE(i.sequencial, 0), gl.prevista, o.script "
    "FROM glosa gl JOIN guia g ON g.id = gl.guia_id JOIN operadora o ON o.id = g.operadora_id "
    "LEFT JOIN item i ON i.id = gl.item_id ORDER BY gl.id";
  sqlite3_stmt *s;
  size_t n = 0, k;

  assert_int_equal(sqlite3_prepare_v2(fat_store_db(st), sql, -1, &s, NULL), SQLITE_OK);
  while (sqlite3_step(s) == SQLITE_ROW) {
    const char *key = (const char *)sqlite3_column_text(s, 5);

    assert_true(n < cap);
    memset(&v[n], 0, sizeof v[n]);
    v[n].id = sqlite3_column_int64(s, 0);
    v[n].guia_id = sqlite3_column_int64(s, 1);
    snprintf(v[n].codigo, sizeof v[n].codigo, "%s", (const char *)sqlite3_column_text(s, 2));
    v[n].item_seq = sqlite3_column_int(s, 3);
    assert_int_not_equal(sqlite3_column_type(s, 4), SQLITE_NULL); /* every glosa analysed */
    v[n].retorno = sqlite3_column_int(s, 4);
    v[n].operadora = -1;
    for (k = 0; k < fat_gen_count(gen); k++)
      if (strcmp(fat_gen_key(gen, k), key) == 0)
        v[n].operadora = (int)k;
    assert_true(v[n].operadora >= 0);
    n++;
  }
  sqlite3_finalize(s);
  return n;
}

static glosa_row *find_row(glosa_row *v, size_t n, int64_t id)
{
  size_t i;

  for (i = 0; i < n; i++)
    if (v[i].id == id)
      return &v[i];
  return NULL;
}

static int64_t resumo_sim(fat_store *st)
{
  cJSON *o = NULL, *x;
  fat_err err;
  int64_t n = 0;
  fat_glosa_filtro fl;

  memset(&fl, 0, sizeof fl);
  assert_int_equal(fat_glosa_resumo(st, &fl, &o, &err), FAT_OK);
  cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(o, "por_previsao"))
  {
    const cJSON *chave = cJSON_GetObjectItemCaseSensitive(x, "chave");
    const cJSON *q = cJSON_GetObjectItemCaseSensitive(x, "quantidade");

    if (cJSON_IsString(chave) && strcmp(chave->valuestring, "sim") == 0 && cJSON_IsNumber(q))
      n = (int64_t)q->valuedouble;
  }
  cJSON_Delete(o);
  return n;
}

static void test_conferir_simular_retorno_concordam(void **state)
{
  enum { CAP = 2000 };
  fat_store *st = NULL;
  fat_rules *rules = NULL;
  fat_gen *gen;
  glosa_row *rows = fat_calloc(CAP, sizeof *rows);
  size_t n, i, k, n_prev = 0, sim_total = 0;
  fat_err err;
  char path[1024];

  (void)state;
  assert_non_null(rows);
  demo_ciclo(&st, &rules);
  gen = fat_rules_acquire(rules);
  n = load_glosas(st, gen, rows, CAP);
  assert_true(n >= 5);

  /* conferir: the findings it stored, judged by the one predicate */
  for (i = 0; i < n; i++) {
    fat_findings f;

    fat_findings_init(&f);
    assert_int_equal(fat_achado_carregar(st, rows[i].guia_id, &f, &err), FAT_OK);
    rows[i].conferir = fat_simular_preve(&f, rows[i].codigo, rows[i].item_seq, 0, NULL) > 0;
    fat_findings_fini(&f);
  }
  /* regras simular with each operator's current script as the draft */
  for (k = 0; k < fat_gen_count(gen); k++) {
    fat_simular_opts o;
    fat_simular_res r;
    cJSON *d;

    memset(&o, 0, sizeof o);
    o.operadora = fat_gen_key(gen, k);
    o.regras_dir = fix_regras_dir();
    snprintf(path, sizeof path, "%s/operators/%s.lua", fix_regras_dir(), o.operadora);
    o.script_path = path;
    if (fat_simular_regras(st, &o, &r, &err) != FAT_OK)
      fail_msg("simular %s: %s", o.operadora, err.msg);
    assert_true(r.tem_atual);
    /* draft = current script: both sides give the same answer */
    assert_int_equal(r.rascunho.glosas_previstas, r.atual.glosas_previstas);
    assert_int_equal(r.rascunho.glosas_evitadas, r.atual.glosas_evitadas);
    sim_total += r.atual.glosas_previstas;
    cJSON_ArrayForEach(d, r.detalhes)
    {
      const cJSON *tipo = cJSON_GetObjectItemCaseSensitive(d, "tipo");
      const cJSON *id = cJSON_GetObjectItemCaseSensitive(d, "glosa_id");
      glosa_row *row;

      if (!cJSON_IsString(tipo) || strcmp(tipo->valuestring, "glosa_prevista") != 0)
        continue;
      assert_true(cJSON_IsNumber(id));
      row = find_row(rows, n, (int64_t)id->valuedouble);
      assert_non_null(row);
      assert_int_equal(row->operadora, (int)k);
      assert_int_equal(row->simular, 0); /* listed once */
      row->simular = 1;
    }
    fat_simular_res_fini(&r);
  }
  /* glosa by glosa, the three agree */
  for (i = 0; i < n; i++) {
    if (rows[i].retorno != rows[i].conferir || rows[i].retorno != rows[i].simular)
      fail_msg("glosa %lld (%s, guia %lld, item %d): retorno %d, conferir %d, simular %d",
               (long long)rows[i].id, rows[i].codigo, (long long)rows[i].guia_id,
               rows[i].item_seq, rows[i].retorno, rows[i].conferir, rows[i].simular);
    n_prev += (size_t)rows[i].retorno;
  }
  /* and in total, with `glosa resumo` ("uma regra atual teria evitado?") */
  assert_int_equal(sim_total, n_prev);
  assert_int_equal(resumo_sim(st), (int64_t)n_prev);
  /* not vacuous: some glosas were caught and some were not */
  assert_true(n_prev > 0);
  assert_true(n_prev < n);
  fat_gen_release(gen);
  fat_rules_close(rules);
  fat_store_close(st);
  fat_free(rows);
  fix_remove_db(DB);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_preve),
    cmocka_unit_test(test_conferir_simular_retorno_concordam),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
