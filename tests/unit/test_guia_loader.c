/* test_guia_loader.c: fat_guia_loader_load (the rows a guia references read
** once per loader) gives exactly what fat_guia_load gives, for every guia of
** a demo clinic (the four guia types, planos, profissionais on items), each
** guia loaded twice (so both the first read and the kept rows are used), and
** a guia that does not exist is still FAT_ENOTFOUND. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <cjson/cJSON.h>

#include "fat_demo.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_price.h"
#include "fat_rules.h"
#include "fat_store_int.h"

static const char *regras_dir(void)
{
  const char *r = getenv("FATURO_REGRAS");

  return (r != NULL && r[0] != '\0') ? r : FAT_SOURCE_DIR "/rules";
}

static char *as_text(const fat_guia *g)
{
  cJSON *j = fat_guia_to_json(g);
  char *s;

  assert_non_null(j);
  s = cJSON_PrintUnformatted(j);
  assert_non_null(s);
  cJSON_Delete(j);
  return s;
}

static void same_str(const char *a, const char *b)
{
  if (a == NULL || b == NULL)
    assert_ptr_equal(a, b);
  else
    assert_string_equal(a, b);
}

/* What the JSON form may leave out, compared field by field. */
static void same_refs(const fat_guia *a, const fat_guia *b)
{
  size_t i;

  same_str(a->operadora.registro_ans, b->operadora.registro_ans);
  same_str(a->operadora.nome, b->operadora.nome);
  same_str(a->operadora.script, b->operadora.script);
  same_str(a->prestador.codigo_na_operadora, b->prestador.codigo_na_operadora);
  same_str(a->prestador.cnes, b->prestador.cnes);
  same_str(a->plano.codigo, b->plano.codigo);
  same_str(a->plano.acomodacao, b->plano.acomodacao);
  assert_int_equal(a->solicitante != NULL, b->solicitante != NULL);
  if (a->solicitante != NULL)
    same_str(a->solicitante->cbo, b->solicitante->cbo);
  assert_int_equal(a->n_itens, b->n_itens);
  for (i = 0; i < a->n_itens; i++) {
    assert_int_equal(a->itens[i].profissional != NULL, b->itens[i].profissional != NULL);
    if (a->itens[i].profissional != NULL) {
      assert_int_equal(a->itens[i].profissional->id, b->itens[i].profissional->id);
      same_str(a->itens[i].profissional->nome, b->itens[i].profissional->nome);
      same_str(a->itens[i].profissional->especialidade,
               b->itens[i].profissional->especialidade);
    }
  }
}

static void test_loader_same_as_load(void **state)
{
  const char *path = "test_guia_loader.db";
  fat_demo_opcoes op = {400, 3, "2026-10", 2000};
  fat_demo_resumo res;
  fat_store *st = NULL;
  fat_gen *gen = NULL;
  fat_pricer *p = NULL;
  fat_guia_loader *ld = NULL;
  fat_stmt *s;
  fat_err err;
  int64_t *ids = NULL;
  size_t n = 0, cap = 0, i, pass, with_prof = 0;

  (void)state;
  fat_store_remove_files(path);
  fat_err_clear(&err);
  if (fat_store_create(path, &st, &err) != FAT_OK ||
      fat_demo_tabelas(st, regras_dir(), NULL, &err) != FAT_OK ||
      fat_gen_build(regras_dir(), NULL, NULL, NULL, &gen, &err) != FAT_OK ||
      fat_pricer_new_gen(st, gen, &p, &err) != FAT_OK ||
      fat_demo_gerar(st, p, &op, &res, &err) != FAT_OK)
    fail_msg("demo: %s", err.msg);
  fat_pricer_free(p);
  fat_gen_release(gen);
  assert_int_equal(fat_store_prepare(st, "SELECT id FROM guia ORDER BY id", &s, &err), FAT_OK);
  while (fat_stmt_step(s) == FAT_ROW) {
    if (n == cap) {
      cap = cap == 0 ? 256 : cap * 2;
      ids = fat_realloc(ids, cap * sizeof *ids);
      assert_non_null(ids);
    }
    ids[n++] = fat_col_int64(s, 0);
  }
  fat_stmt_reset(s);
  assert_true(n >= 400);
  assert_int_equal(fat_guia_loader_new(st, &ld, &err), FAT_OK);
  for (pass = 0; pass < 2; pass++) {
    for (i = 0; i < n; i++) {
      fat_guia *a = NULL, *b = NULL;
      char *ta, *tb;

      assert_int_equal(fat_guia_load(st, ids[i], &a, &err), FAT_OK);
      assert_int_equal(fat_guia_loader_load(ld, ids[i], &b, &err), FAT_OK);
      ta = as_text(a);
      tb = as_text(b);
      assert_string_equal(ta, tb);
      same_refs(a, b);
      if (a->n_itens > 0 && a->itens[0].profissional != NULL)
        with_prof++;
      cJSON_free(ta);
      cJSON_free(tb);
      fat_guia_free(a);
      fat_guia_free(b);
    }
  }
  assert_true(with_prof > 0); /* the demo has items with their own profissional */
  {
    fat_guia *g = NULL;

    assert_int_equal(fat_guia_loader_load(ld, ids[n - 1] + 1000, &g, &err), FAT_ENOTFOUND);
    assert_null(g);
  }
  fat_guia_loader_free(ld);
  fat_free(ids);
  fat_store_close(st);
  fat_store_remove_files(path);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_loader_same_as_load),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
