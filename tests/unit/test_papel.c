/* test_papel.c: Part L's contract rules about guias and the papers:
** a laudo the contract requires (ANEXO_AUSENTE until a file of that type is
** attached, then conferir clears it), the sessions limit of SP/SADT guias,
** the printable guia (ANS fields, pt-BR formats, a hostile name escaped), the
** delivery of a lote's papers and the signed paper of each guia, and
** out-of-memory loops that leave the store as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture_guia.h"
#include "fat_anexo.h"
#include "fat_conferir.h"
#include "fat_impressao.h"
#include "fat_lote_papel.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_rules.h"
#include "fat_store_int.h"
#include "fat_store_sqlite.h"

#define DB "test_papel.db"
#define HOJE "2025-04-01"

#define S fix_S

/* An SP/SADT guia of the Aurora with n items of procedure cod (R$ 21,00 each,
** one a day from 01/03/2025). */
static fat_guia *make_guia(const char *numero, const char *cod, int n)
{
  fat_guia *g = fix_guia_sadt_itens(numero, "0072345678901234", (size_t)n);
  int i;

  fat_free(g->data_autorizacao);
  g->data_autorizacao = S("2025-02-28");
  fat_free(g->data_inicio);
  g->data_inicio = S("2025-03-01");
  for (i = 0; i < n; i++) {
    char d[11];

    snprintf(d, sizeof d, "2025-03-%02d", i + 1);
    fix_item(&g->itens[i], i + 1, "procedimento", "22", cod, 2100, d);
  }
  g->valor_total = 2100 * n;
  return g;
}

typedef struct fx {
  fat_store *st;
  fat_rules *rules;
} fx;

static int setup(void **state)
{
  fx *f = fat_calloc(1, sizeof *f);
  fat_err err;

  fix_remove_db(DB);
  assert_int_equal(fat_store_create(DB, &f->st, &err), FAT_OK);
  assert_int_equal(fat_store_exec(f->st,
                                  "INSERT INTO prestador(nome, cnpj) VALUES "
                                  "('Clínica Teste', '11222333000181');"
                                  "INSERT INTO operadora(registro_ans, nome, script) VALUES "
                                  "('312347', 'Aurora Saúde', 'aurora');",
                                  &err),
                   FAT_OK);
  assert_int_equal(fat_store_set_user(f->st, "ana", &err), FAT_OK);
  if (fat_rules_open(fix_regras_dir(), NULL, f->st, &f->rules, &err) != FAT_OK)
    fail_msg("regras: %s", err.msg);
  *state = f;
  return 0;
}

static int teardown(void **state)
{
  fx *f = *state;

  fat_rules_close(f->rules);
  fat_store_close(f->st);
  fat_free(f);
  fix_remove_db(DB);
  return 0;
}

static void conferir(fx *f)
{
  fat_conferir_opts o;
  fat_conferir_resumo res;
  fat_err err;

  memset(&o, 0, sizeof o);
  o.hoje = HOJE;
  if (fat_conferir(f->st, f->rules, &o, NULL, NULL, &res, &err) != FAT_OK)
    fail_msg("conferir: %s", err.msg);
}

/* Findings of guia id with code cod: how many, and the first's campo,
** mensagem and valor_risco. */
static int achados(fat_store *st, int64_t id, const char *cod, char *campo, char *msg,
                   int64_t *risco)
{
  static const char sql[] =
    "SELECT campo, mensagem, valor_risco FROM achado WHERE guia_id = ?1 AND codigo = ?2 "
    "ORDER BY id";
  sqlite3_stmt *s;
  int n = 0;

  assert_int_equal(sqlite3_prepare_v2(fat_store_db(st), sql, -1, &s, NULL), SQLITE_OK);
  sqlite3_bind_int64(s, 1, id);
  sqlite3_bind_text(s, 2, cod, -1, SQLITE_STATIC);
  while (sqlite3_step(s) == SQLITE_ROW) {
    if (n++ == 0) {
      if (campo != NULL)
        snprintf(campo, 64, "%s", (const char *)sqlite3_column_text(s, 0));
      if (msg != NULL)
        snprintf(msg, 700, "%s", (const char *)sqlite3_column_text(s, 1));
      if (risco != NULL)
        *risco = sqlite3_column_int64(s, 2);
    }
  }
  sqlite3_finalize(s);
  return n;
}

static const char PDF[] = "%PDF-1.4\n% laudo\n";

static void test_laudo_exigido_ate_anexar(void **state)
{
  fx *f = *state;
  fat_guia *rm = make_guia("RM-1", "41101014", 1), *lab = make_guia("LAB-1", "40301630", 1);
  char campo[64], msg[700];
  int64_t risco = 0;
  fat_err err;

  fix_save(f->st, rm);
  fix_save(f->st, lab);
  conferir(f);
  assert_int_equal(achados(f->st, rm->id, "ANEXO_AUSENTE", campo, msg, &risco), 1);
  assert_string_equal(campo, "anexos.laudo");
  assert_non_null(strstr(msg, "41101014"));
  assert_non_null(strstr(msg, "laudo"));
  assert_non_null(strstr(msg, "Aurora"));
  assert_true(risco == 2100);
  assert_int_equal(achados(f->st, lab->id, "ANEXO_AUSENTE", NULL, NULL, NULL), 0);
  /* another type of file does not count */
  assert_int_equal(fat_anexo_adicionar(f->st, rm->id, "pedido_medico", "pedido.pdf", PDF,
                                       sizeof PDF - 1, NULL, &err),
                   FAT_OK);
  conferir(f);
  assert_int_equal(achados(f->st, rm->id, "ANEXO_AUSENTE", NULL, NULL, NULL), 1);
  /* the laudo: the next plain conferir (not --todas) checks the guia again */
  assert_int_equal(
    fat_anexo_adicionar(f->st, rm->id, "laudo", "laudo-rm.pdf", "%PDF-1.4\nrm\n", 12, NULL, &err),
    FAT_OK);
  conferir(f);
  assert_int_equal(achados(f->st, rm->id, "ANEXO_AUSENTE", NULL, NULL, NULL), 0);
  fat_guia_free(rm);
  fat_guia_free(lab);
}

static void test_sessoes_do_contrato(void **state)
{
  fx *f = *state;
  fat_guia *onze = make_guia("SES-11", "20103220", 11), *dez = make_guia("SES-10", "20103220", 10);
  fat_guia *psi = make_guia("PSI-20", "50000470", 20);
  char campo[64], msg[700];
  int64_t risco = 0;

  fix_save(f->st, onze);
  fix_save(f->st, dez);
  fix_save(f->st, psi);
  conferir(f);
  assert_int_equal(achados(f->st, onze->id, "SESSOES_EXCEDIDAS", campo, msg, &risco), 1);
  assert_string_equal(campo, "itens[0].codigo");
  assert_true(risco == 2100); /* the 11th session */
  assert_non_null(strstr(msg, "11 sessões"));
  assert_non_null(strstr(msg, "até 10"));
  assert_int_equal(achados(f->st, dez->id, "SESSOES_EXCEDIDAS", NULL, NULL, NULL), 0);
  assert_int_equal(achados(f->st, psi->id, "SESSOES_EXCEDIDAS", NULL, NULL, NULL), 0);
  fat_guia_free(onze);
  fat_guia_free(dez);
  fat_guia_free(psi);
}

static void test_impressao(void **state)
{
  fx *f = *state;
  fat_guia *g = make_guia("IMP-1", "40301630", 2);
  int64_t ids[2];
  char *html = NULL;
  size_t len = 0;
  fat_err err;

  fat_free(g->beneficiario_nome);
  g->beneficiario_nome = S("<script>alert('x')</script> & \"Cia\"");
  ids[0] = fix_save(f->st, g);
  assert_int_equal(fat_impressao_guias(f->st, ids, 1, &html, &len, &err), FAT_OK);
  assert_true(len == strlen(html));
  assert_null(strstr(html, "<script"));
  assert_non_null(strstr(html, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; "
                               "&quot;Cia&quot;"));
  assert_non_null(strstr(html, "1 - Registro ANS</span>312347"));
  assert_non_null(strstr(html, "IMP-1"));
  assert_non_null(strstr(html, "11.222.333/0001-81")); /* CNPJ punctuated */
  assert_non_null(strstr(html, "01/03/2025"));         /* DD/MM/AAAA */
  assert_non_null(strstr(html, "R$ 21,00"));
  assert_non_null(strstr(html, "R$ 42,00"));
  assert_non_null(strstr(html, "225125")); /* CBO */
  assert_non_null(strstr(html, "J069"));
  assert_non_null(strstr(html, "Assinatura do benefici"));
  assert_non_null(strstr(html, "@page"));
  assert_null(strstr(html, "2025-03-01"));
  fat_free(html);
  ids[1] = 999999;
  assert_int_equal(fat_impressao_guias(f->st, ids, 2, &html, &len, &err), FAT_ENOTFOUND);
  assert_null(html);
  assert_int_equal(fat_impressao_guias(f->st, ids, 0, &html, &len, &err), FAT_EINVAL);
  fat_guia_free(g);
}

/* A lote of the Aurora with status st holding guias ids, closed on 2025-03-31. */
static int64_t lote_de(fx *f, const char *status, const int64_t *ids, size_t n)
{
  static const char ins[] =
    "INSERT INTO lote(operadora_id, prestador_id, numero, tipo_guia, status, fechado_em) "
    "SELECT o.id, p.id, (SELECT COALESCE(max(numero), 0) + 1 FROM lote), 'sp-sadt', ?1, "
    "'2025-03-31T12:00:00Z' FROM operadora o, prestador p";
  sqlite3_stmt *s;
  int64_t id;
  size_t i;
  char sql[128];
  fat_err err;

  assert_int_equal(sqlite3_prepare_v2(fat_store_db(f->st), ins, -1, &s, NULL), SQLITE_OK);
  sqlite3_bind_text(s, 1, status, -1, SQLITE_STATIC);
  assert_int_equal(sqlite3_step(s), SQLITE_DONE);
  sqlite3_finalize(s);
  id = sqlite3_last_insert_rowid(fat_store_db(f->st));
  for (i = 0; i < n; i++) {
    snprintf(sql, sizeof sql, "UPDATE guia SET lote_id = %lld, status = 'em_lote' WHERE id = %lld",
             (long long)id, (long long)ids[i]);
    assert_int_equal(fat_store_exec(f->st, sql, &err), FAT_OK);
  }
  return id;
}

static void test_papeis_do_lote(void **state)
{
  fx *f = *state;
  fat_guia *a = make_guia("P-1", "40301630", 1), *b = make_guia("P-2", "40302040", 1);
  fat_lote_papel_entrega e = {"05/04/2025", "José (motoboy)", "REC-77", "caixa 1"};
  int64_t ids[2], lote, aberto;
  fat_gen *gen = fat_rules_acquire(f->rules);
  const cJSON *x;
  cJSON *o = NULL;
  fat_err err;

  ids[0] = fix_save(f->st, a);
  ids[1] = fix_save(f->st, b);
  lote = lote_de(f, "fechado", ids, 2);
  aberto = lote_de(f, "aberto", NULL, 0);
  assert_int_equal(fat_lote_papel(f->st, gen, lote, &o, &err), FAT_OK);
  assert_true(cJSON_IsTrue(cJSON_GetObjectItem(o, "papel_fisico")));
  assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "entrega")));
  assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "pendentes")), 2);
  cJSON_Delete(o);
  /* refusals name what is wrong and change nothing */
  assert_int_equal(fat_lote_papel_entregar(f->st, aberto, &e, "2025-04-10", &err), FAT_ESTATE);
  assert_non_null(strstr(err.msg, "aberto"));
  e.data = "31/02/2025";
  assert_int_equal(fat_lote_papel_entregar(f->st, lote, &e, "2025-04-10", &err), FAT_EINVAL);
  assert_non_null(strstr(err.msg, "31/02/2025"));
  e.data = "11/04/2025";
  assert_int_equal(fat_lote_papel_entregar(f->st, lote, &e, "2025-04-10", &err), FAT_EINVAL);
  assert_non_null(strstr(err.msg, "ainda não chegou"));
  e.data = "30/03/2025";
  assert_int_equal(fat_lote_papel_entregar(f->st, lote, &e, "2025-04-10", &err), FAT_EINVAL);
  assert_non_null(strstr(err.msg, "31/03/2025"));
  e.data = "05/04/2025";
  e.por = "";
  assert_int_equal(fat_lote_papel_entregar(f->st, lote, &e, "2025-04-10", &err), FAT_EINVAL);
  e.por = "José (motoboy)";
  assert_int_equal(fat_lote_papel_entregar(f->st, 999, &e, "2025-04-10", &err), FAT_ENOTFOUND);
  /* recorded, then corrected */
  assert_int_equal(fat_lote_papel_entregar(f->st, lote, &e, "2025-04-10", &err), FAT_OK);
  e.protocolo = "REC-78";
  assert_int_equal(fat_lote_papel_entregar(f->st, lote, &e, "2025-04-10", &err), FAT_OK);
  /* signed papers */
  assert_int_equal(fat_guia_papel_marcar(f->st, ids[0], 1, &err), FAT_OK);
  assert_int_equal(fat_guia_papel_marcar(f->st, ids[0], 1, &err), FAT_ESTATE);
  assert_int_equal(fat_guia_papel_marcar(f->st, ids[1], 0, &err), FAT_ESTATE);
  assert_int_equal(fat_guia_papel_marcar(f->st, 999, 1, &err), FAT_ENOTFOUND);
  assert_int_equal(fat_lote_papel(f->st, gen, lote, &o, &err), FAT_OK);
  x = cJSON_GetObjectItem(o, "entrega");
  assert_string_equal(cJSON_GetObjectItem(x, "data")->valuestring, "2025-04-05");
  assert_string_equal(cJSON_GetObjectItem(x, "por")->valuestring, "José (motoboy)");
  assert_string_equal(cJSON_GetObjectItem(x, "protocolo")->valuestring, "REC-78");
  assert_string_equal(cJSON_GetObjectItem(x, "registrado_por")->valuestring, "ana");
  assert_int_equal(cJSON_GetObjectItem(o, "guias")->valueint, 2);
  assert_int_equal(cJSON_GetObjectItem(o, "recebidos")->valueint, 1);
  x = cJSON_GetObjectItem(o, "pendentes");
  assert_int_equal(cJSON_GetArraySize(x), 1);
  assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(x, 0), "guia_id")->valueint, ids[1]);
  cJSON_Delete(o);
  assert_int_equal(fat_guia_papel(f->st, ids[0], &o, &err), FAT_OK);
  assert_true(cJSON_IsTrue(cJSON_GetObjectItem(o, "recebido")));
  cJSON_Delete(o);
  assert_int_equal(fat_guia_papel_marcar(f->st, ids[0], 0, &err), FAT_OK);
  assert_int_equal(fat_guia_papel(f->st, ids[0], &o, &err), FAT_OK);
  assert_true(cJSON_IsFalse(cJSON_GetObjectItem(o, "recebido")));
  cJSON_Delete(o);
  /* without rules the contract is unknown */
  assert_int_equal(fat_lote_papel(f->st, NULL, lote, &o, &err), FAT_OK);
  assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "papel_fisico")));
  cJSON_Delete(o);
  fat_gen_release(gen);
  fat_guia_free(a);
  fat_guia_free(b);
}

/* The delivery day the user types is a day in the clinic's time; the lote's
** fechado_em is stored in UTC. A lote closed at 22:30 of 31/03 in Brasília
** (01:30 UTC of 01/04) can have its papers delivered on 31/03; one day
** earlier is still refused, naming the local day it closed. */
static void test_entrega_compara_o_dia_local_do_fechamento(void **state)
{
  fx *f = *state;
  fat_lote_papel_entrega e = {"31/03/2025", "José (motoboy)", NULL, NULL};
  int64_t lote;
  char sql[128];
  fat_err err;

  setenv("TZ", "<-03>3", 1);
  tzset();
  lote = lote_de(f, "fechado", NULL, 0);
  snprintf(sql, sizeof sql, "UPDATE lote SET fechado_em = '2025-04-01T01:30:00Z' WHERE id = %lld",
           (long long)lote);
  assert_int_equal(fat_store_exec(f->st, sql, &err), FAT_OK);
  assert_int_equal(fat_lote_papel_entregar(f->st, lote, &e, "2025-04-01", &err), FAT_OK);
  e.data = "30/03/2025";
  assert_int_equal(fat_lote_papel_entregar(f->st, lote, &e, "2025-04-01", &err), FAT_EINVAL);
  assert_non_null(strstr(err.msg, "só fechou em 31/03/2025"));
}

static int64_t count(fat_store *st, const char *sql)
{
  sqlite3_stmt *s;
  int64_t n = -1;

  assert_int_equal(sqlite3_prepare_v2(fat_store_db(st), sql, -1, &s, NULL), SQLITE_OK);
  if (sqlite3_step(s) == SQLITE_ROW)
    n = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return n;
}

static void test_oom(void **state)
{
  fx *f = *state;
  fat_guia *g = make_guia("O-1", "40301630", 3);
  fat_lote_papel_entrega e = {"05/04/2025", "José", "REC-1", NULL};
  cJSON_Hooks hooks = {fat_malloc, fat_free};
  int64_t id, lote;
  long n;
  int ok = 0;

  id = fix_save(f->st, g);
  lote = lote_de(f, "fechado", &id, 1);
  cJSON_InitHooks(&hooks);
  for (n = 0; n < 100000 && !ok; n++) { /* printing */
    char *html = NULL;
    size_t len = 0;
    fat_err err;
    fat_rc rc;

    fat_test_fail_alloc_after(n);
    rc = fat_impressao_lote(f->st, lote, &html, &len, &err);
    fat_test_fail_alloc_after(-1);
    fat_free(html);
    if (rc == FAT_OK)
      ok = 1;
    else if (rc != FAT_ENOMEM)
      fail_msg("impressão: falha de memória na alocação %ld virou %d: %s", n, rc, err.msg);
  }
  assert_true(ok && n > 10);
  for (ok = 0, n = 0; n < 100000 && !ok; n++) { /* the delivery: all or nothing */
    fat_err err;
    fat_rc rc;

    fat_test_fail_alloc_after(n);
    rc = fat_lote_papel_entregar(f->st, lote, &e, "2025-04-10", &err);
    fat_test_fail_alloc_after(-1);
    if (rc == FAT_OK)
      ok = 1;
    else if (rc != FAT_ENOMEM)
      fail_msg("entrega: falha de memória na alocação %ld virou %d: %s", n, rc, err.msg);
    else
      assert_int_equal(count(f->st, "SELECT count(*) FROM lote_papel"), 0);
  }
  assert_true(ok);
  for (ok = 0, n = 0; n < 100000 && !ok; n++) { /* the lote's view */
    cJSON *o = NULL;
    fat_err err;
    fat_rc rc;

    fat_test_fail_alloc_after(n);
    rc = fat_lote_papel(f->st, NULL, lote, &o, &err);
    fat_test_fail_alloc_after(-1);
    cJSON_Delete(o);
    if (rc == FAT_OK)
      ok = 1;
    else if (rc != FAT_ENOMEM)
      fail_msg("papel: falha de memória na alocação %ld virou %d: %s", n, rc, err.msg);
  }
  assert_true(ok);
  cJSON_InitHooks(NULL);
  fat_guia_free(g);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_laudo_exigido_ate_anexar, setup, teardown),
    cmocka_unit_test_setup_teardown(test_sessoes_do_contrato, setup, teardown),
    cmocka_unit_test_setup_teardown(test_impressao, setup, teardown),
    cmocka_unit_test_setup_teardown(test_papeis_do_lote, setup, teardown),
    cmocka_unit_test_setup_teardown(test_entrega_compara_o_dia_local_do_fechamento, setup, teardown),
    cmocka_unit_test_setup_teardown(test_oom, setup, teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
