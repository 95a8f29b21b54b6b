/* fixture_guia.c: the shared unit-test fixture (see fixture_guia.h). */
#include "fixture_guia.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fat_mem.h"
#include "fat_store_int.h"

const char *fix_regras_dir(void)
{
  const char *r = getenv("FATURO_REGRAS");

  return (r != NULL && r[0] != '\0') ? r : FAT_SOURCE_DIR "/rules";
}

void fix_remove_db(const char *db)
{
  static const char *const sufixos[] = {"", "-wal", "-shm"};
  char path[4096];
  size_t i;

  for (i = 0; i < sizeof sufixos / sizeof sufixos[0]; i++) {
    snprintf(path, sizeof path, "%s%s", db, sufixos[i]);
    unlink(path);
  }
}

char *fix_S(const char *s) { return s != NULL ? fat_strdup(s) : NULL; }

void fix_item(fat_item *it, int seq, const char *tipo, const char *tab, const char *cod,
              int64_t unit, const char *data)
{
  memset(it, 0, sizeof *it);
  it->sequencial = seq;
  it->tipo = fix_S(tipo);
  it->codigo_tabela = fix_S(tab);
  it->codigo = fix_S(cod);
  it->quantidade_e4 = 10000;
  it->valor_unitario = unit;
  it->valor_total = unit;
  it->fator_e2 = 100;
  it->data = fix_S(data);
}

fat_guia *fix_guia_sadt_itens(const char *numero, const char *carteira, size_t n)
{
  fat_guia *g = fat_calloc(1, sizeof *g);
  fat_profissional *p = fat_calloc(1, sizeof *p);

  assert_non_null(g);
  assert_non_null(p);
  p->nome = fix_S("Dra. Ana Souza");
  p->cpf = fix_S("11144477735");
  p->conselho = fix_S("CRM");
  p->numero_conselho = fix_S("123456");
  p->uf = fix_S("SP");
  p->cbo = fix_S("225125");
  g->tipo = FAT_GUIA_SADT;
  g->operadora.registro_ans = fix_S("312347");
  g->prestador.cnpj = fix_S("11222333000181");
  g->numero_prestador = fix_S(numero);
  g->beneficiario_nome = fix_S("Maria da Silva");
  g->carteira_numero = fix_S(carteira);
  g->carteira_validade = fix_S("2026-12-31");
  g->senha = fix_S("S998877");
  g->data_autorizacao = fix_S("2025-03-01");
  g->validade_senha = fix_S("2025-03-31");
  g->cid = fix_S("J069");
  g->data_inicio = fix_S("2025-03-10");
  g->tipo_atendimento = fix_S("05");
  g->executante = p;
  g->assinatura_beneficiario = 1;
  g->pedido_medico = 1;
  g->laudo = 1;
  g->itens = fat_calloc(n > 0 ? n : 1, sizeof *g->itens);
  assert_non_null(g->itens);
  g->n_itens = n;
  return g;
}

fat_guia *fix_guia_sadt(const char *numero, const char *carteira)
{
  fat_guia *g = fix_guia_sadt_itens(numero, carteira, 2);

  fix_item(&g->itens[0], 1, "procedimento", "22", "40301630", 1500, "2025-03-10");
  fix_item(&g->itens[1], 2, "procedimento", "22", "40302040", 500, "2025-03-10");
  g->valor_total = 2000;
  return g;
}

int64_t fix_save(fat_store *st, fat_guia *g)
{
  fat_err err;

  if (fat_guia_save(st, g, &err) != FAT_OK)
    fail_msg("save %s: %s", g->numero_prestador, err.msg);
  return g->id;
}

void fix_query_plan(fat_store *st, const char *sql, char *out, size_t len)
{
  fat_stmt *s;
  fat_err err;
  size_t used = 0;
  int r;

  out[0] = '\0';
  assert_int_equal(fat_store_prepare(st, sql, &s, &err), FAT_OK);
  while ((r = fat_stmt_step(s)) == FAT_ROW) {
    int w = snprintf(out + used, len - used, "%s|", fat_col_text(s, 3));

    assert_true(w > 0 && (size_t)w < len - used);
    used += (size_t)w;
  }
  assert_int_equal(r, FAT_DONE);
  fat_stmt_reset(s);
}
