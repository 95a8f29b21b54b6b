/* test_price.c: known-answer tests of contract pricing (fat_price).
**
** Every case writes its worked example in a comment and asserts the exact
** centavos. Tables are imported from small inline CSVs (edition "t").
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fat_mem.h"
#include "fat_model.h"
#include "fat_price.h"
#include "fat_tabelas.h"

static const char *db_path = "test_price.db";

static const char csv_portes[] = "porte;valor\n1A;14,50\n1B;29,00\n2B;76,40\n3B;145,80\n"
                                 "AN3;380,00\n";
static const char csv_portes_2026_11[] = "porte;valor;vigencia_inicio\n2B;80,00;2026-11-01\n";
static const char csv_cbhpm[] =
  "codigo;descricao;porte;fracao_porte;uco;filme;auxiliares;porte_anestesico\n"
  "10101012;Consulta em consultório;2B;1;0;0;0;0\n"
  "30101018;Biópsia de pele;2B;1;1,5000;0;0;1\n"
  "31005080;Herniorrafia inguinal unilateral;3B;1;12,0000;0;1;3\n"
  "40304361;Hemograma;1A;0,0400;0,9500;0;0;0\n"
  "40805026;Radiografia de tórax;1B;1;3,5000;0,3010;0;0\n";
static const char csv_simpro[] = "codigo;descricao;apresentacao;pf;pmc\n"
                                 "79012011;Seringa descartável 10 ml;unidade;0,85;1,19\n";
static const char csv_bras[] = "codigo;descricao;apresentacao;pf;pmc\n"
                               "90012178;Dipirona sódica 500 mg/ml;ampola;1,12;1,55\n";
static const char csv_tuss[] = "tabela;codigo;descricao\n20;90012178;Dipirona sódica\n";
static const char csv_neg[] = "codigo;descricao;valor\n10101012;Consulta;120,00\n"
                              "60023015;Diária de enfermaria;350,00\n";

static void remove_db(void)
{
  unlink(db_path);
  unlink("test_price.db-wal");
  unlink("test_price.db-shm");
}

static void imp(fat_store *st, fat_tabela_tipo t, const char *csv, const char *edicao,
                const char *op)
{
  fat_tabela_opcoes o = {NULL, edicao, op};
  fat_err err;

  fat_err_clear(&err);
  if (fat_tabelas_importar_buf(st, t, "teste.csv", csv, strlen(csv), &o, NULL, &err) != FAT_OK)
    fail_msg("importação falhou: %s", err.msg);
}

static int setup(void **state)
{
  fat_store *st = NULL;
  fat_err err;

  remove_db();
  if (fat_store_create(db_path, &st, &err) != FAT_OK)
    return -1;
  imp(st, FAT_TAB_PORTES, csv_portes, "t", NULL);
  imp(st, FAT_TAB_PORTES, csv_portes_2026_11, "t", NULL);
  imp(st, FAT_TAB_CBHPM, csv_cbhpm, "t", NULL);
  imp(st, FAT_TAB_SIMPRO, csv_simpro, NULL, NULL);
  imp(st, FAT_TAB_BRASINDICE, csv_bras, NULL, NULL);
  imp(st, FAT_TAB_NEGOCIADA, csv_neg, NULL, "345671");
  imp(st, FAT_TAB_TUSS, csv_tuss, NULL, NULL);
  *state = st;
  return 0;
}

static int teardown(void **state)
{
  fat_store_close(*state);
  remove_db();
  return 0;
}

/* Contracts written as the JSON fat_gen_contract returns. */
static const char aurora_json[] =
  "{\"precos\":{\"procedimentos\":{\"tabela\":\"cbhpm\",\"edicao\":\"t\",\"ajuste_bp\":-2000,"
  "\"uco_centavos\":1750,\"filme_centavos\":2100},"
  "\"materiais\":{\"tabela\":\"simpro\",\"base\":\"pf\",\"ajuste_bp\":1000},"
  "\"medicamentos\":{\"tabela\":\"brasindice\",\"base\":\"pf\",\"ajuste_bp\":1500},"
  "\"taxas\":{\"tabela\":\"negociada\"}}}";
static const char vitalis_json[] =
  "{\"precos\":{\"procedimentos\":{\"tabela\":\"cbhpm\",\"edicao\":\"t\",\"ajuste_bp\":0,"
  "\"uco_centavos\":1600,\"filme_centavos\":2100,"
  "\"planos\":{\"apartamento\":{\"ajuste_bp\":3000,\"aplica\":\"honorarios\"}}},"
  "\"taxas\":{\"tabela\":\"negociada\"}}}";
static const char horizonte_json[] =
  "{\"precos\":{\"procedimentos\":{\"tabela\":\"cbhpm\",\"edicao\":\"t\",\"uco_centavos\":1800,"
  "\"planos\":{\"apartamento\":{\"ajuste_bp\":1000,\"aplica\":\"total\"},"
  "\"enfermaria\":{\"ajuste_bp\":0}}},"
  "\"medicamentos\":{\"tabela\":\"brasindice\",\"base\":\"pmc\"}}}";
static const char serena_json[] =
  "{\"precos\":{\"procedimentos\":{\"tabela\":\"cbhpm\",\"edicao\":\"t\",\"ajuste_bp\":-1000,"
  "\"uco_centavos\":1500},"
  "\"urgencia\":{\"ajuste_bp\":3000,\"aplica\":\"honorarios\"},"
  "\"horario_especial\":{\"ajuste_bp\":5000,\"aplica\":\"honorarios\"},"
  "\"reajustes\":[{\"a_partir_de\":\"2026-10-01\",\"ajuste_bp\":500}]}}";

static int64_t price_full(fat_store *st, const char *json, const fat_price_in *in,
                          fat_price_out *out)
{
  cJSON *c = cJSON_Parse(json);
  fat_err err;
  fat_rc rc;

  assert_non_null(c);
  fat_err_clear(&err);
  rc = fat_price_item_with_contract(st, c, in, out, &err);
  cJSON_Delete(c);
  if (rc != FAT_OK)
    fail_msg("precificação falhou: %s", err.msg);
  return out->valor_total;
}

static void base_in(fat_price_in *in, const char *codigo, const char *data)
{
  memset(in, 0, sizeof *in);
  in->codigo = codigo;
  in->data = data;
  in->quantidade_e4 = 10000;
  in->principal = 1;
}

static int has_step(const fat_price_out *o, const char *passo)
{
  int i;

  for (i = 0; i < o->n_steps; i++)
    if (strcmp(o->steps[i].passo, passo) == 0)
      return 1;
  return 0;
}

/* aurora, 31005080 (porte 3B, 12 UCO), 2026-10-05:
**   porte 3B = R$ 145,80 × fração 1,0000 = 14580
**   deflator −20%: 14580 × 0,80 = 11664
**   custo operacional: 12,0000 UCO × R$ 17,50 = 21000
**   unitário = 11664 + 21000 = 32664; total (1 un, fator 1,00) = 32664 */
static void test_porte_uco_deflator(void **state)
{
  fat_price_in in;
  fat_price_out o;

  base_in(&in, "31005080", "2026-10-05");
  assert_int_equal(price_full(*state, aurora_json, &in, &o), 32664);
  assert_int_equal(o.valor_unitario, 32664);
  assert_int_equal(o.fator_e2, 100);
  assert_string_equal(o.tabela, "cbhpm");
  assert_true(has_step(&o, "porte") && has_step(&o, "ajuste") && has_step(&o, "uco"));
}

/* aurora, 40805026 RX tórax (porte 1B, 3,5 UCO, 0,3010 m² filme):
**   porte 2900 → −20% = 2320; UCO 3,5 × 1750 = 6125; filme 0,3010 × 2100 = 632,1 → 632
**   unitário = 2320 + 6125 + 632 = 9077 */
static void test_filme(void **state)
{
  fat_price_in in;
  fat_price_out o;

  base_in(&in, "40805026", "2026-10-05");
  assert_int_equal(price_full(*state, aurora_json, &in, &o), 9077);
  assert_true(has_step(&o, "filme"));
}

/* vitalis (registro 345671) has 10101012 in its negotiated table at R$ 120,00:
**   the negotiated value is final, even for plano apartamento (+30% honorários
**   would otherwise apply): 12000. Without the registro (no negotiated table)
**   the same code is CBHPM porte 2B 7640 × 1,00 = 7640. */
static void test_negotiated_override(void **state)
{
  fat_price_in in;
  fat_price_out o;

  base_in(&in, "10101012", "2026-10-05");
  in.registro_ans = "345671";
  in.acomodacao = "apartamento";
  assert_int_equal(price_full(*state, vitalis_json, &in, &o), 12000);
  assert_string_equal(o.tabela, "negociada");
  assert_true(has_step(&o, "negociada"));
  in.registro_ans = NULL;
  in.acomodacao = NULL;
  assert_int_equal(price_full(*state, vitalis_json, &in, &o), 7640);
}

/* aurora materials: Simpro PF + 10%. Seringa PF R$ 0,85:
**   85 × 1,10 = 93,5 → 94 (meio centavo para cima); quantidade 3 → 282.
** aurora drugs: Brasíndice PF + 15%. Dipirona PF R$ 1,12: 112 × 1,15 = 128,8 → 129. */
static void test_pf_percent(void **state)
{
  fat_price_in in;
  fat_price_out o;

  base_in(&in, "79012011", "2026-10-05");
  in.tipo = "material";
  in.quantidade_e4 = 30000;
  assert_int_equal(price_full(*state, aurora_json, &in, &o), 282);
  assert_int_equal(o.valor_unitario, 94);
  assert_string_equal(o.grupo, "materiais");
  base_in(&in, "90012178", "2026-10-05");
  in.codigo_tabela = "20"; /* tipo inferred from the TUSS table */
  assert_int_equal(price_full(*state, aurora_json, &in, &o), 129);
  assert_string_equal(o.grupo, "medicamentos");
  in.codigo_tabela = NULL; /* neither tipo nor tabela: the TUSS terminology says 20 */
  assert_int_equal(price_full(*state, aurora_json, &in, &o), 129);
  assert_string_equal(o.grupo, "medicamentos");
}

/* horizonte drugs: Brasíndice PMC, no adjustment. Dipirona PMC R$ 1,55,
**   quantidade 2,5: 155 × 2,5 = 387,5 → 388. */
static void test_pmc(void **state)
{
  fat_price_in in;
  fat_price_out o;

  base_in(&in, "90012178", "2026-10-05");
  in.tipo = "medicamento";
  in.quantidade_e4 = 25000;
  assert_int_equal(price_full(*state, horizonte_json, &in, &o), 388);
  assert_int_equal(o.valor_unitario, 155);
}

/* serena, 10101012 on 2026-09-30 (before the reajuste), a Wednesday:
**   porte 2B 7640 → −10% = 6876
**   urgência (caráter 2) +30% on honorários: 6876 × 1,30 = 8938,8 → 8939
**   + horário especial at 21:00, +50%: 8939 × 1,50 = 13408,5 → 13409
**   elective at 10:00: 6876. */
static void test_surcharges(void **state)
{
  fat_price_in in;
  fat_price_out o;

  base_in(&in, "10101012", "2026-09-30");
  in.hora = "10:00";
  assert_int_equal(price_full(*state, serena_json, &in, &o), 6876);
  in.carater = 2;
  assert_int_equal(price_full(*state, serena_json, &in, &o), 8939);
  assert_true(has_step(&o, "urgencia"));
  in.hora = "21:00";
  assert_int_equal(price_full(*state, serena_json, &in, &o), 13409);
  assert_true(has_step(&o, "horario_especial"));
  /* 2026-09-27 is a Sunday: horário especial without an hour */
  base_in(&in, "10101012", "2026-09-27");
  assert_int_equal(price_full(*state, serena_json, &in, &o), 10314); /* 6876 × 1,5 */
}

/* Second procedure (aurora), 30101018 biópsia: porte 2B 7640 → −20% = 6112;
**   UCO 1,5 × 1750 = 2625; unitário 8737.
**   via 2 (mesma via), not principal: fator 0,50 → 8737 × 0,50 = 4368,5 → 4369
**   via 3 (vias diferentes): fator 0,70 → 6115,9 → 6116
** In a guia with 31005080 (unit 32664) also via 2, the herniorrafia is the
** principal (higher unit) at fator 1,00 and the biópsia gets 0,50. */
static void test_reduction_second_procedure(void **state)
{
  fat_price_in in;
  fat_price_out o;
  fat_guia *g;
  fat_price_report rep;
  cJSON *c;
  fat_err err;
  size_t i;

  base_in(&in, "30101018", "2026-10-05");
  in.via = 2;
  in.principal = 0;
  assert_int_equal(price_full(*state, aurora_json, &in, &o), 4369);
  assert_int_equal(o.fator_e2, 50);
  in.via = 3;
  assert_int_equal(price_full(*state, aurora_json, &in, &o), 6116);
  assert_int_equal(o.fator_e2, 70);

  g = fat_calloc(1, sizeof *g);
  assert_non_null(g);
  g->tipo = FAT_GUIA_HONORARIOS;
  g->data_inicio = fat_strdup("2026-10-05");
  g->n_itens = 2;
  g->itens = fat_calloc(2, sizeof *g->itens);
  for (i = 0; i < 2; i++) {
    g->itens[i].sequencial = (int)i + 1;
    g->itens[i].tipo = fat_strdup("procedimento");
    g->itens[i].codigo_tabela = fat_strdup("22");
    g->itens[i].codigo = fat_strdup(i == 0 ? "30101018" : "31005080");
    g->itens[i].quantidade_e4 = 10000;
    g->itens[i].via_acesso = fat_strdup("2");
    g->itens[i].valor_unitario = FAT_ABSENT;
    g->itens[i].valor_total = FAT_ABSENT;
    g->itens[i].fator_e2 = 100;
  }
  c = cJSON_Parse(aurora_json);
  fat_price_report_init(&rep);
  assert_int_equal(fat_price_guia_with_contract(*state, c, g, 1, &rep, &err), FAT_OK);
  assert_int_equal(rep.n_preenchidos, 2);
  assert_int_equal(rep.n_unpriced, 0);
  assert_int_equal(g->itens[0].valor_total, 4369);
  assert_int_equal(g->itens[0].fator_e2, 50);
  assert_int_equal(g->itens[1].valor_total, 32664);
  assert_int_equal(g->itens[1].fator_e2, 100);
  assert_int_equal(rep.total_esperado, 4369 + 32664);
  fat_price_report_fini(&rep);

  /* billed 10% above on the principal: reported as a difference of +3266 */
  g->itens[1].valor_unitario = 35930;
  g->itens[1].valor_total = 35930;
  fat_price_report_init(&rep);
  assert_int_equal(fat_price_guia_with_contract(*state, c, g, 0, &rep, &err), FAT_OK);
  assert_int_equal(rep.n_diffs, 1);
  assert_int_equal(rep.diffs[0].item_seq, 2);
  assert_int_equal(rep.diffs[0].esperado_total, 32664);
  assert_int_equal(rep.diffs[0].diferenca, 3266);
  fat_price_report_fini(&rep);
  cJSON_Delete(c);
  fat_guia_free(g);
}

/* Reajuste by date of service (serena, +5% from 2026-10-01), 10101012 elective:
**   2026-09-30: 6876 (no reajuste)
**   2026-10-01: 6876 × 1,05 = 7219,8 → 7220
** Table vigência (aurora): porte 2B is R$ 76,40, and R$ 80,00 from 2026-11-01:
**   2026-10-31: 7640 × 0,80 = 6112;  2026-11-02: 8000 × 0,80 = 6400 */
static void test_reajuste_by_date(void **state)
{
  fat_price_in in;
  fat_price_out o;

  base_in(&in, "10101012", "2026-09-30");
  assert_int_equal(price_full(*state, serena_json, &in, &o), 6876);
  assert_false(has_step(&o, "reajuste"));
  in.data = "2026-10-01";
  assert_int_equal(price_full(*state, serena_json, &in, &o), 7220);
  assert_true(has_step(&o, "reajuste"));
  in.data = "2026-10-31";
  assert_int_equal(price_full(*state, aurora_json, &in, &o), 6112);
  in.data = "2026-11-02";
  assert_int_equal(price_full(*state, aurora_json, &in, &o), 6400);
}

/* Per plan. horizonte: apartamento +10% on the total, enfermaria 0%:
**   10101012: 7640 (enfermaria); 7640 × 1,10 = 8404 (apartamento)
** vitalis: apartamento +30% on honorários only, 31005080 (UCO R$ 16,00):
**   enfermaria: 14580 + 12 × 1600 = 14580 + 19200 = 33780
**   apartamento: 14580 × 1,30 = 18954; + 19200 = 38154 */
static void test_per_plan(void **state)
{
  fat_price_in in;
  fat_price_out o;

  base_in(&in, "10101012", "2026-10-05");
  in.acomodacao = "enfermaria";
  assert_int_equal(price_full(*state, horizonte_json, &in, &o), 7640);
  in.acomodacao = "apartamento";
  assert_int_equal(price_full(*state, horizonte_json, &in, &o), 8404);
  base_in(&in, "31005080", "2026-10-05");
  in.acomodacao = "enfermaria";
  assert_int_equal(price_full(*state, vitalis_json, &in, &o), 33780);
  in.acomodacao = "apartamento";
  assert_int_equal(price_full(*state, vitalis_json, &in, &o), 38154);
}

/* Rounding, aurora, 40304361 hemograma (porte 1A × 0,0400, 0,95 UCO):
**   meio_acima: 1450 × 0,04 = 58; × 0,80 = 46,4 → 46; 0,95 × 1750 = 1662,5 → 1663; 1709
**   truncar:    58; 46,4 → 46; 1662,5 → 1662; 1708
** Seringa (Simpro PF + 10%) truncated: 93,5 → 93; quantidade 3 → 279. */
static void test_rounding(void **state)
{
  static const char trunc_json[] =
    "{\"precos\":{\"arredondamento\":\"truncar\",\"procedimentos\":{\"tabela\":\"cbhpm\","
    "\"edicao\":\"t\",\"ajuste_bp\":-2000,\"uco_centavos\":1750},"
    "\"materiais\":{\"tabela\":\"simpro\",\"base\":\"pf\",\"ajuste_bp\":1000}}}";
  fat_price_in in;
  fat_price_out o;

  base_in(&in, "40304361", "2026-10-05");
  assert_int_equal(price_full(*state, aurora_json, &in, &o), 1709);
  assert_int_equal(price_full(*state, trunc_json, &in, &o), 1708);
  base_in(&in, "79012011", "2026-10-05");
  in.tipo = "material";
  in.quantidade_e4 = 30000;
  assert_int_equal(price_full(*state, trunc_json, &in, &o), 279);
}

/* Participation (aurora, 31005080):
**   1º auxiliar (grau 01): honorários 11664 × 30% = 3499,2 → 3499, no UCO
**   anestesista (grau 06): porte anestésico AN3 38000 × 0,80 = 30400, no UCO */
static void test_participation(void **state)
{
  fat_price_in in;
  fat_price_out o;

  base_in(&in, "31005080", "2026-10-05");
  in.grau = "01";
  assert_int_equal(price_full(*state, aurora_json, &in, &o), 3499);
  in.grau = "06";
  assert_int_equal(price_full(*state, aurora_json, &in, &o), 30400);
}

/* Errors: a fractional number in the contract names the field; an unknown
** code is FAT_ENOTFOUND; a group the contract does not price is explained. */
static void test_errors(void **state)
{
  static const char bad_json[] =
    "{\"precos\":{\"procedimentos\":{\"tabela\":\"cbhpm\",\"edicao\":\"t\","
    "\"ajuste_bp\":-0.2}}}";
  fat_price_in in;
  fat_price_out o;
  fat_err err;
  cJSON *c;

  base_in(&in, "10101012", "2026-10-05");
  c = cJSON_Parse(bad_json);
  assert_int_equal(fat_price_item_with_contract(*state, c, &in, &o, &err), FAT_EINVAL);
  assert_non_null(strstr(err.msg, "precos.procedimentos.ajuste_bp"));
  cJSON_Delete(c);
  c = cJSON_Parse(aurora_json);
  in.codigo = "99999999";
  assert_int_equal(fat_price_item_with_contract(*state, c, &in, &o, &err), FAT_ENOTFOUND);
  assert_non_null(strstr(err.msg, "99999999"));
  assert_non_null(strstr(err.msg, "05/10/2026")); /* the day as users read it */
  assert_null(strstr(err.msg, "2026-10-05"));
  cJSON_Delete(c);
  c = cJSON_Parse(horizonte_json);
  in.codigo = "79012011";
  in.tipo = "material";
  assert_int_equal(fat_price_item_with_contract(*state, c, &in, &o, &err), FAT_ENOTFOUND);
  assert_non_null(strstr(err.msg, "precos.materiais"));
  cJSON_Delete(c);
}

/* The explanation is printable and the JSON carries every step. */
static void emit_count(void *ud, const char *line)
{
  assert_non_null(line);
  (*(int *)ud)++;
}

static void test_explain_json(void **state)
{
  fat_price_in in;
  fat_price_out o;
  cJSON *j;
  int lines = 0;

  base_in(&in, "31005080", "2026-10-05");
  price_full(*state, aurora_json, &in, &o);
  fat_price_explain(&o, emit_count, &lines);
  assert_int_equal(lines, o.n_steps);
  j = fat_price_to_json(&o);
  assert_non_null(j);
  assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "passos")), o.n_steps);
  assert_int_equal((int64_t)cJSON_GetObjectItem(j, "valor_total")->valuedouble, 32664);
  assert_string_equal(cJSON_GetObjectItem(j, "fator")->valuestring, "1.00");
  cJSON_Delete(j);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_porte_uco_deflator),
    cmocka_unit_test(test_filme),
    cmocka_unit_test(test_negotiated_override),
    cmocka_unit_test(test_pf_percent),
    cmocka_unit_test(test_pmc),
    cmocka_unit_test(test_surcharges),
    cmocka_unit_test(test_reduction_second_procedure),
    cmocka_unit_test(test_reajuste_by_date),
    cmocka_unit_test(test_per_plan),
    cmocka_unit_test(test_rounding),
    cmocka_unit_test(test_participation),
    cmocka_unit_test(test_errors),
    cmocka_unit_test(test_explain_json),
  };

  return cmocka_run_group_tests(tests, setup, teardown);
}
