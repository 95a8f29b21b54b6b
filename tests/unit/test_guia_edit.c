/* test_guia_edit.c: correcting and cancelling stored guias (fat_guia_edit.h,
** fat_revisao.h): a guia with a bloqueio is fixed until conferir passes, the
** revision says who/what/old/new, items are named by their número, bad
** patches are refused naming the field and change nothing, guias in lotes
** cannot change, cancelling a duplicate clears the other copy, an
** acknowledgement survives the re-check of an edit, and an out-of-memory
** loop over an edit leaves the store as it was. */
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
#include <sodium.h>

#include "fixture_guia.h"
#include "fat_achado_papel.h"
#include "fat_anexo.h"
#include "fat_avaliar.h"
#include "fat_conferir.h"
#include "fat_digitacao.h"
#include "fat_guia_edit.h"
#include "fat_guias_int.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_money.h"
#include "fat_rel.h"
#include "fat_rel_achados.h"
#include "fat_revisao.h"
#include "fat_rules.h"
#include "fat_store_int.h"
#include "fat_store_sqlite.h"

#define DB "test_guia_edit.db"
#define HOJE "2025-04-01"

#define S fix_S

typedef struct fx {
  fat_store *st;
  fat_rules *rules;
  fat_guia_edit_opts o;
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
                                   "('312347', 'Aurora', 'aurora');",
                                   &err),
                   FAT_OK);
  assert_int_equal(fat_store_set_user(f->st, "ana", &err), FAT_OK);
  if (fat_rules_open(fix_regras_dir(), NULL, f->st, &f->rules, &err) != FAT_OK)
    fail_msg("regras: %s", err.msg);
  f->o.rules = f->rules;
  f->o.hoje = HOJE;
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

static int64_t scalar_i(fat_store *st, const char *sql, int64_t id)
{
  sqlite3_stmt *s;
  int64_t v = -1;

  assert_int_equal(sqlite3_prepare_v2(fat_store_db(st), sql, -1, &s, NULL), SQLITE_OK);
  sqlite3_bind_int64(s, 1, id);
  if (sqlite3_step(s) == SQLITE_ROW)
    v = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return v;
}

static const char *scalar_s(fat_store *st, const char *sql, int64_t id, char *buf, size_t len)
{
  sqlite3_stmt *s;

  buf[0] = '\0';
  assert_int_equal(sqlite3_prepare_v2(fat_store_db(st), sql, -1, &s, NULL), SQLITE_OK);
  sqlite3_bind_int64(s, 1, id);
  if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
    snprintf(buf, len, "%s", (const char *)sqlite3_column_text(s, 0));
  sqlite3_finalize(s);
  return buf;
}

static void conferir(fx *f, int64_t id)
{
  fat_conferir_opts o;
  fat_conferir_resumo res;
  fat_err err;

  memset(&o, 0, sizeof o);
  o.hoje = HOJE;
  o.guia_id = id;
  o.uma_guia = id > 0;
  if (fat_conferir(f->st, f->rules, &o, NULL, NULL, &res, &err) != FAT_OK)
    fail_msg("conferir: %s", err.msg);
}

static cJSON *patch_of(const char *json)
{
  cJSON *p = cJSON_Parse(json);

  assert_non_null(p);
  return p;
}

static void editar_ok(fx *f, int64_t id, const char *json, fat_guia_mudanca *m)
{
  cJSON *p = patch_of(json);
  fat_err err;

  if (fat_guia_editar(f->st, id, p, &f->o, m, &err) != FAT_OK)
    fail_msg("editar %s: %s", json, err.msg);
  cJSON_Delete(p);
}

static const cJSON *alt_de(const fat_guia_mudanca *m, const char *campo)
{
  const cJSON *a;

  cJSON_ArrayForEach(a, m->alteracoes)
  {
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(a, "campo");

    if (cJSON_IsString(c) && strcmp(c->valuestring, campo) == 0)
      return a;
  }
  return NULL;
}

static const char *js(const cJSON *o, const char *k)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

  return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* ------------------------------------------------------------------------
** A bloqueio fixed until conferir passes; the revision says what changed
*/

static void test_corrige_ate_passar(void **state)
{
  fx *f = *state;
  fat_guia *g = fix_guia_sadt("E-1", "0012345678901234");
  fat_guia_mudanca m;
  cJSON *hist = NULL;
  const cJSON *a, *r;
  int64_t id;
  fat_err err;
  char buf[64];

  fat_free(g->validade_senha);
  g->validade_senha = S("2025-03-09"); /* expired before the attendance: bloqueio */
  id = fix_save(f->st, g);
  conferir(f, id);
  assert_string_equal(scalar_s(f->st, "SELECT status FROM guia WHERE id = ?1", id, buf,
                               sizeof buf),
                      "pendente");

  editar_ok(f, id, "{\"validade_senha\": \"2025-03-31\"}", &m);
  assert_int_equal(m.guia_id, id);
  assert_int_equal(m.revisao, 2);
  assert_string_equal(m.status, "conferida");
  assert_int_equal(m.bloqueios, 0);
  assert_int_equal(cJSON_GetArraySize(m.alteracoes), 1);
  a = alt_de(&m, "validade_senha");
  assert_non_null(a);
  assert_string_equal(js(a, "de"), "2025-03-09");
  assert_string_equal(js(a, "para"), "2025-03-31");
  assert_string_equal(js(a, "rotulo"), "validade da senha");
  assert_string_equal(js(a, "de_texto"), "09/03/2025");
  assert_string_equal(js(a, "para_texto"), "31/03/2025");
  fat_guia_mudanca_fini(&m);
  /* stored: revisao bumped, conferida, one revision row by the store's user */
  assert_int_equal(scalar_i(f->st, "SELECT revisao FROM guia WHERE id = ?1", id), 2);
  assert_int_equal(scalar_i(f->st, "SELECT revisao FROM conferencia WHERE guia_id = ?1", id), 2);
  assert_string_equal(scalar_s(f->st, "SELECT usuario FROM guia_revisao WHERE guia_id = ?1", id,
                               buf, sizeof buf),
                      "ana");
  assert_int_equal(scalar_i(f->st, "SELECT count(*) FROM auditoria WHERE acao = 'guia.corrigir' "
                                   "AND objeto = 'guia:' || ?1",
                            id),
                   1);

  /* history: revision 1 as typed (by ana), revision 2 the correction */
  assert_int_equal(fat_guia_historico(f->st, id, &hist, &err), FAT_OK);
  assert_int_equal(cJSON_GetArraySize(hist), 2);
  r = cJSON_GetArrayItem(hist, 0);
  assert_string_equal(js(r, "acao"), "digitar");
  assert_string_equal(js(r, "usuario"), "ana");
  r = cJSON_GetArrayItem(hist, 1);
  assert_string_equal(js(r, "acao"), "editar");
  a = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r, "alteracoes"), 0);
  assert_string_equal(js(a, "rotulo"), "validade da senha");
  assert_string_equal(js(a, "para_texto"), "31/03/2025");
  cJSON_Delete(hist);
  assert_int_equal(fat_guia_historico(f->st, 999, &hist, &err), FAT_ENOTFOUND);
  fat_guia_free(g);
}

/* ------------------------------------------------------------------------
** Items by número: change, add, remove; the total follows the items
*/

static void test_itens_por_numero(void **state)
{
  fx *f = *state;
  fat_guia *g = fix_guia_sadt("E-2", "0022345678901234"), *h = NULL;
  fat_guia_mudanca m;
  const cJSON *a;
  int64_t id;
  fat_err err;

  id = fix_save(f->st, g);
  conferir(f, id);
  editar_ok(f, id,
            "{\"itens\": [{\"sequencial\": 2, \"quantidade\": \"2\", \"valor_total\": "
            "\"10.00\"}, {\"sequencial\": 1, \"remover\": true}, {\"codigo_tabela\": \"22\", "
            "\"codigo\": \"40304361\", \"quantidade\": \"1\", \"valor_unitario\": \"4.00\", "
            "\"valor_total\": \"4.00\", \"data\": \"2025-03-10\"}]}",
            &m);
  a = alt_de(&m, "itens[2].quantidade");
  assert_non_null(a);
  assert_string_equal(js(a, "rotulo"), "item 2: quantidade");
  assert_string_equal(js(a, "de_texto"), "1");
  assert_string_equal(js(a, "para_texto"), "2");
  a = alt_de(&m, "itens[1]");
  assert_non_null(a);
  assert_null(js(a, "para"));
  a = alt_de(&m, "itens[3]"); /* the next número after the highest */
  assert_non_null(a);
  assert_null(js(a, "de"));
  a = alt_de(&m, "valor_total"); /* the total was the sum of the items: it follows */
  assert_non_null(a);
  assert_string_equal(js(a, "para_texto"), "R$ 14,00");
  fat_guia_mudanca_fini(&m);
  assert_int_equal(fat_guia_load(f->st, id, &h, &err), FAT_OK);
  assert_int_equal(h->n_itens, 2);
  assert_int_equal(h->itens[0].sequencial, 2);
  assert_int_equal(h->itens[0].quantidade_e4, 20000);
  assert_int_equal(h->itens[1].sequencial, 3);
  assert_string_equal(h->itens[1].codigo, "40304361");
  assert_int_equal(h->valor_total, 1400);
  fat_guia_free(h);
  fat_guia_free(g);
}

/* ------------------------------------------------------------------------
** Bad patches: refused naming the field; nothing changes
*/

static void test_recusas(void **state)
{
  static const struct {
    const char *patch, *msg;
  } casos[] = {
    {"{\"senhaa\": \"x\"}", "senhaa: campo desconhecido"},
    {"{\"executante\": {\"cbox\": \"1\"}}", "executante.cbox: campo desconhecido"},
    {"{\"itens\": [{\"sequencial\": 2, \"quantidadee\": \"1\"}]}",
     "itens[2].quantidadee: campo desconhecido"},
    {"{\"tipo\": \"consulta\"}", "tipo: o tipo de uma guia não muda"},
    {"{\"operadora\": {\"registro_ans\": \"345671\"}}", "operadora: a operadora"},
    {"{\"status\": \"conferida\"}", "status: a situação muda"},
    {"{\"data_inicio\": \"2025-02-30\"}", "data_inicio"},
    {"{\"itens\": [{\"sequencial\": 2, \"quantidade\": \"abc\"}]}", "itens[2].quantidade"},
    {"{\"itens\": [{\"sequencial\": 9, \"remover\": true}]}", "item 9: não existe"},
    {"{\"itens\": [{\"sequencial\": 1, \"remover\": true}, {\"sequencial\": 2, \"remover\": "
     "true}]}",
     "itens"},
    {"{\"itens\": {\"1\": {}}}", "itens: use uma lista"},
    {"{\"senha\": \"S998877\"}", "nenhuma alteração"},
    {"[1, 2]", "deve ser um objeto"},
  };
  fx *f = *state;
  fat_guia *g = fix_guia_sadt("E-3", "0032345678901234");
  int64_t id;
  size_t i;

  id = fix_save(f->st, g);
  conferir(f, id);
  for (i = 0; i < sizeof casos / sizeof casos[0]; i++) {
    cJSON *p = patch_of(casos[i].patch);
    fat_guia_mudanca m;
    fat_err err;

    assert_int_equal(fat_guia_editar(f->st, id, p, &f->o, &m, &err), FAT_EINVAL);
    if (strstr(err.msg, casos[i].msg) == NULL)
      fail_msg("%s: mensagem '%s' não tem '%s'", casos[i].patch, err.msg, casos[i].msg);
    fat_guia_mudanca_fini(&m);
    cJSON_Delete(p);
  }
  assert_int_equal(scalar_i(f->st, "SELECT revisao FROM guia WHERE id = ?1", id), 1);
  assert_int_equal(scalar_i(f->st, "SELECT count(*) FROM guia_revisao WHERE guia_id = ?1", id),
                   0);
  fat_guia_free(g);
}

/* ------------------------------------------------------------------------
** Field paths (the CLI's --campo and the API's campos)
*/

static void test_patch_campo(void **state)
{
  fx *f = *state;
  cJSON *p = cJSON_CreateObject();
  char *txt;
  fat_err err;

  (void)f;
  assert_int_equal(fat_guia_patch_campo(p, "senha", "A1", &err), FAT_OK);
  assert_int_equal(fat_guia_patch_campo(p, "data_inicio", "11/03/2025", &err), FAT_OK);
  assert_int_equal(fat_guia_patch_campo(p, "executante.cbo", "225120", &err), FAT_OK);
  assert_int_equal(fat_guia_patch_campo(p, "itens[2].quantidade", "2", &err), FAT_OK);
  assert_int_equal(fat_guia_patch_campo(p, "itens[2].valor_total", "3,00", &err), FAT_OK);
  assert_int_equal(fat_guia_patch_campo(p, "cid", "", &err), FAT_OK);
  assert_int_equal(fat_guia_patch_remover_item(p, 1, &err), FAT_OK);
  txt = cJSON_PrintUnformatted(p);
  assert_string_equal(txt, "{\"senha\":\"A1\",\"data_inicio\":\"2025-03-11\",\"executante\":"
                           "{\"cbo\":\"225120\"},\"itens\":[{\"sequencial\":2,\"quantidade\":"
                           "\"2\",\"valor_total\":\"3,00\"},{\"sequencial\":1,\"remover\":"
                           "true}],\"cid\":null}");
  cJSON_free(txt);
  assert_int_equal(fat_guia_patch_campo(p, "itens[0].codigo", "1", &err), FAT_EINVAL);
  assert_int_equal(fat_guia_patch_campo(p, "itens[x]", "1", &err), FAT_EINVAL);
  assert_int_equal(fat_guia_patch_campo(p, "a..b", "1", &err), FAT_EINVAL);
  assert_int_equal(fat_guia_patch_campo(p, "Senha", "1", &err), FAT_EINVAL);
  cJSON_Delete(p);
}

/* ------------------------------------------------------------------------
** Guias in lotes: a sent lote refuses, a closed one asks to reopen
*/

static void test_lote_recusa(void **state)
{
  fx *f = *state;
  fat_guia *g = fix_guia_sadt("E-4", "0042345678901234");
  fat_guia_mudanca m;
  cJSON *p = patch_of("{\"senha\": \"NOVA\"}");
  int64_t id;
  fat_err err;
  char sql[256];

  id = fix_save(f->st, g);
  conferir(f, id);
  assert_int_equal(fat_store_exec(f->st,
                                   "INSERT INTO lote(id, operadora_id, prestador_id, numero, "
                                   "tipo_guia, status) VALUES (7, 1, 1, 31, 'sp-sadt', "
                                   "'fechado')",
                                   &err),
                   FAT_OK);
  snprintf(sql, sizeof sql, "UPDATE guia SET lote_id = 7, status = 'em_lote' WHERE id = %lld",
           (long long)id);
  assert_int_equal(fat_store_exec(f->st, sql, &err), FAT_OK);
  assert_int_equal(fat_guia_editar(f->st, id, p, &f->o, &m, &err), FAT_ESTATE);
  assert_non_null(strstr(err.msg, "reabra o lote"));
  fat_guia_mudanca_fini(&m);
  assert_int_equal(fat_store_exec(f->st,
                                   "UPDATE lote SET status = 'enviado', enviado_em = "
                                   "'2025-03-20T10:00:00Z' WHERE id = 7",
                                   &err),
                   FAT_OK);
  assert_int_equal(fat_guia_editar(f->st, id, p, &f->o, &m, &err), FAT_ESTATE);
  assert_non_null(strstr(err.msg, "já enviado à operadora em 20/03/2025"));
  assert_non_null(strstr(err.msg, "CANCELA_GUIA"));
  fat_guia_mudanca_fini(&m);
  f->o.motivo = "cópia lançada duas vezes";
  assert_int_equal(fat_guia_cancelar(f->st, id, &f->o, &m, &err), FAT_ESTATE);
  f->o.motivo = NULL;
  fat_guia_mudanca_fini(&m);
  assert_int_equal(fat_guia_editavel(f->st, id, &err), FAT_ESTATE);
  assert_int_equal(scalar_i(f->st, "SELECT revisao FROM guia WHERE id = ?1", id), 1);
  cJSON_Delete(p);
  fat_guia_free(g);
}

/* ------------------------------------------------------------------------
** Cancel a duplicate: the other copy is re-checked and passes
*/

static void test_cancela_duplicata(void **state)
{
  fx *f = *state;
  fat_guia *a = fix_guia_sadt("D-1", "0052345678901234"), *b = fix_guia_sadt("D-2", "0052345678901234");
  fat_guia_mudanca m;
  int64_t ida, idb;
  fat_err err;
  char buf[32];

  ida = fix_save(f->st, a);
  idb = fix_save(f->st, b);
  conferir(f, 0);
  assert_string_equal(scalar_s(f->st, "SELECT status FROM guia WHERE id = ?1", ida, buf,
                               sizeof buf),
                      "pendente");
  f->o.motivo = "x"; /* too short */
  assert_int_equal(fat_guia_cancelar(f->st, idb, &f->o, &m, &err), FAT_EINVAL);
  fat_guia_mudanca_fini(&m);
  f->o.motivo = "cópia da guia D-1";
  assert_int_equal(fat_guia_cancelar(f->st, idb, &f->o, &m, &err), FAT_OK);
  f->o.motivo = NULL;
  assert_string_equal(m.status, "cancelada");
  assert_int_equal(m.revisao, 2);
  assert_int_equal(m.reconferidas, 1);
  fat_guia_mudanca_fini(&m);
  /* D-1 was re-checked at once: its duplicate is gone */
  assert_string_equal(scalar_s(f->st, "SELECT status FROM guia WHERE id = ?1", ida, buf,
                               sizeof buf),
                      "conferida");
  assert_int_equal(scalar_i(f->st, "SELECT count(*) FROM achado WHERE guia_id = ?1 AND codigo = "
                                   "'DUPLICIDADE'",
                            ida),
                   0);
  assert_string_equal(scalar_s(f->st, "SELECT motivo FROM guia_revisao WHERE guia_id = ?1", idb,
                               buf, sizeof buf),
                      "cópia da guia D-1");
  /* a cancelled guia changes no more */
  f->o.motivo = "de novo, por engano";
  assert_int_equal(fat_guia_cancelar(f->st, idb, &f->o, &m, &err), FAT_ESTATE);
  f->o.motivo = NULL;
  fat_guia_mudanca_fini(&m);
  fat_guia_free(a);
  fat_guia_free(b);
}

/* ------------------------------------------------------------------------
** An acknowledgement survives the re-check of an edit, with the same id
*/

static void test_reconhecimento_sobrevive(void **state)
{
  fx *f = *state;
  fat_guia *a = fix_guia_sadt("R-1", "0062345678901234"), *b = fix_guia_sadt("R-2", "0062345678901234");
  fat_guia_mudanca m;
  int64_t ida, achado;
  fat_err err;

  ida = fix_save(f->st, a);
  fix_save(f->st, b);
  conferir(f, 0);
  achado = scalar_i(f->st, "SELECT id FROM achado WHERE guia_id = ?1 AND chave = "
                           "'DUPLICIDADE|item 1|codigo'",
                    ida);
  assert_true(achado > 0);
  assert_int_equal(fat_achado_reconhecer(f->st, achado, "sessões diferentes no mesmo dia", NULL,
                                         NULL, &err),
                   FAT_OK);
  /* an unrelated correction: re-checked, the same finding is found again */
  editar_ok(f, ida, "{\"observacao\": \"paciente retornou à tarde\"}", &m);
  assert_int_equal(scalar_i(f->st, "SELECT count(*) FROM achado WHERE id = ?1 AND "
                                   "reconhecido_em IS NOT NULL AND guia_revisao = 2",
                            achado),
                   1);
  assert_int_equal(m.bloqueios, 1); /* item 2's duplicate is still open */
  fat_guia_mudanca_fini(&m);
  fat_guia_free(a);
  fat_guia_free(b);
}


/* ------------------------------------------------------------------------
** The worklist: filters, summary by code, CSV; batch acknowledgement
*/

/* Lines of table nome of a worklist report. */
static const cJSON *linhas(const cJSON *rel, const char *nome)
{
  const cJSON *t;

  cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(rel, "tabelas"))
  {
    if (strcmp(js(t, "nome"), nome) == 0)
      return cJSON_GetObjectItemCaseSensitive(t, "linhas");
  }
  fail_msg("tabela %s ausente", nome);
  return NULL;
}

static const cJSON *por_codigo(const cJSON *rel, const char *codigo)
{
  const cJSON *l;

  cJSON_ArrayForEach(l, linhas(rel, "por_codigo"))
  {
    if (strcmp(js(l, "codigo"), codigo) == 0)
      return l;
  }
  return NULL;
}

static int64_t jn(const cJSON *o, const char *k)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

  assert_true(cJSON_IsNumber(v));
  return (int64_t)v->valuedouble;
}

/* How many worklist lines filter w gives (FAT_OK expected). */
static int n_linhas(fx *f, const fat_achados_filtro *w)
{
  cJSON *rel = NULL;
  fat_err err;
  int n;

  if (fat_rel_achados(f->st, w, &rel, &err) != FAT_OK)
    fail_msg("lista: %s", err.msg);
  n = cJSON_GetArraySize(linhas(rel, "achados"));
  cJSON_Delete(rel);
  return n;
}

static void test_lista_de_trabalho(void **state)
{
  fx *f = *state;
  fat_guia *v = fix_guia_sadt("V-1", "0082345678901234"), *a = fix_guia_sadt("W-1", "0092345678901234"),
           *b = fix_guia_sadt("W-2", "0092345678901234");
  fat_achados_filtro w;
  cJSON *rel = NULL;
  const cJSON *l;
  fat_err err;
  char *csv = NULL, brl[32];
  size_t len = 0;
  int64_t idv;
  int total;

  fat_free(v->validade_senha);
  v->validade_senha = S("2025-03-09"); /* SENHA_VENCIDA */
  fat_free(v->executante->nome);
  v->executante->nome = S("Dr. Bruno Lima");
  fat_free(v->executante->numero_conselho);
  v->executante->numero_conselho = S("654321");
  fat_free(v->executante->cpf);
  v->executante->cpf = S("52998224725");
  fat_free(v->beneficiario_nome);
  v->beneficiario_nome = S("José Pereira"); /* not a copy of W-1 / W-2 */
  idv = fix_save(f->st, v);
  fix_save(f->st, a);
  fix_save(f->st, b);
  conferir(f, 0);

  /* every open finding, and the summary measured against the rows */
  memset(&w, 0, sizeof w);
  assert_int_equal(fat_rel_achados(f->st, &w, &rel, &err), FAT_OK);
  assert_int_equal(cJSON_GetArraySize(linhas(rel, "achados")),
                   scalar_i(f->st, "SELECT count(*) FROM achado WHERE reconhecido_em IS NULL "
                                   "AND ?1 = ?1", 0));
  l = por_codigo(rel, "DUPLICIDADE");
  assert_non_null(l);
  assert_int_equal(jn(l, "achados"), 4); /* two items on each copy */
  assert_int_equal(jn(l, "guias"), 2);
  assert_string_equal(js(l, "severidade"), "Bloqueio");
  assert_int_equal(jn(l, "valor_risco"),
                   scalar_i(f->st, "SELECT sum(valor_risco) FROM achado WHERE codigo = "
                                   "'DUPLICIDADE' AND ?1 = ?1", 0));
  assert_true(jn(l, "valor_risco") > 0);
  l = por_codigo(rel, "SENHA_VENCIDA");
  assert_non_null(l);
  assert_int_equal(jn(l, "achados"), 1);
  /* CSV: the project's convention, money with a decimal comma */
  assert_int_equal(fat_rel_csv(rel, &csv, &len, &err), FAT_OK);
  assert_memory_equal(csv, "\xEF\xBB\xBF", 3);
  assert_non_null(strstr(csv, ";SENHA_VENCIDA;Bloqueio;"));
  fat_money_format_br(jn(por_codigo(rel, "DUPLICIDADE"), "valor_risco"), brl, sizeof brl);
  assert_non_null(strstr(csv, strncmp(brl, "R$ ", 3) == 0 ? brl + 3 : brl));
  fat_free(csv);
  cJSON_Delete(rel);

  /* filters */
  w.codigo = "senha_vencida";
  w.severidade = "bloqueio";
  assert_int_equal(n_linhas(f, &w), 1);
  w.severidade = "alerta";
  assert_int_equal(n_linhas(f, &w), 0);
  memset(&w, 0, sizeof w);
  w.profissional = "bruno";
  assert_int_equal(n_linhas(f, &w), (int)scalar_i(f->st, "SELECT count(*) FROM achado WHERE "
                                                        "guia_id = ?1", idv));
  w.profissional = "654321";
  assert_int_equal(n_linhas(f, &w), (int)scalar_i(f->st, "SELECT count(*) FROM achado WHERE "
                                                        "guia_id = ?1", idv));
  w.profissional = "529.982.247-25";
  assert_int_equal(n_linhas(f, &w), (int)scalar_i(f->st, "SELECT count(*) FROM achado WHERE "
                                                        "guia_id = ?1", idv));
  w.profissional = "Ana Souza";
  assert_int_equal(n_linhas(f, &w), (int)scalar_i(f->st, "SELECT count(*) FROM achado WHERE "
                                                        "guia_id <> ?1", idv));
  memset(&w, 0, sizeof w);
  total = n_linhas(f, &w);
  assert_true(total > 5);
  w.competencia = "04/2025";
  assert_int_equal(n_linhas(f, &w), 0);
  w.competencia = "2025-03";
  assert_int_equal(n_linhas(f, &w), total);
  w.competencia = NULL;
  w.operadora = "312347";
  assert_int_equal(n_linhas(f, &w), total);
  w.operadora = "aurora";
  assert_int_equal(n_linhas(f, &w), total);

  /* bad filters name themselves */
  memset(&w, 0, sizeof w);
  w.operadora = "999999";
  assert_int_equal(fat_rel_achados(f->st, &w, &rel, &err), FAT_EINVAL);
  w.operadora = NULL;
  w.severidade = "grave";
  assert_int_equal(fat_rel_achados(f->st, &w, &rel, &err), FAT_EINVAL);
  assert_non_null(strstr(err.msg, "--severidade"));
  w.severidade = NULL;
  w.competencia = "13/2025";
  assert_int_equal(fat_rel_achados(f->st, &w, &rel, &err), FAT_EINVAL);
  assert_non_null(strstr(err.msg, "--competencia"));
  fat_guia_free(v);
  fat_guia_free(a);
  fat_guia_free(b);
}

/* The worklist shows the clinic's day of a finding, not the UTC day it was
** stamped with: found at 22:30 and acknowledged at 23:59:59 of March 31st in
** UTC-3 (01:30 and 02:59:59 UTC of April 1st) is 31/03, in both the whole
** list and a page. */
static void test_lista_de_trabalho_mostra_o_dia_local_do_achado(void **state)
{
  fx *f = *state;
  fat_guia *v = fix_guia_sadt("V-1", "0082345678901234");
  fat_achados_filtro w;
  fat_pagina pg;
  cJSON *rel = NULL;
  const cJSON *l;
  fat_err err;
  int64_t id;
  int pass;

  setenv("TZ", "<-03>3", 1);
  tzset();
  fat_free(v->validade_senha);
  v->validade_senha = S("2025-03-09"); /* SENHA_VENCIDA */
  fix_save(f->st, v);
  fat_guia_free(v);
  conferir(f, 0);
  id = scalar_i(f->st, "SELECT min(id) FROM achado WHERE ?1 = ?1", 0);
  assert_true(id > 0);
  assert_int_equal(fat_store_exec(f->st,
                                  "UPDATE achado SET criado_em = '2026-04-01T01:30:00Z',"
                                  " reconhecido_em = '2026-04-01T02:59:59Z', reconhecido_por"
                                  " = 'ana' WHERE id = (SELECT min(id) FROM achado)",
                                  &err),
                   FAT_OK);
  for (pass = 0; pass < 2; pass++) {
    memset(&w, 0, sizeof w);
    memset(&pg, 0, sizeof pg);
    w.reconhecidos = 2;
    w.pagina = pass == 1 ? &pg : NULL;
    assert_int_equal(fat_rel_achados(f->st, &w, &rel, &err), FAT_OK);
    l = cJSON_GetArrayItem(linhas(rel, "achados"), 0);
    assert_non_null(l);
    assert_int_equal(jn(l, "id"), id);
    assert_string_equal(js(l, "criado_em"), "2026-03-31");
    assert_string_equal(js(l, "reconhecido_em"), "2026-03-31");
    cJSON_Delete(rel);
  }
}

/* Whether any finding of guia id, evaluated on the day its lote was closed
** (fat_avaliar_guia with no day, as the glosa simulation does), has code. */
static int avaliada_tem(fx *f, int64_t id, const char *codigo)
{
  fat_gen *gen = fat_rules_acquire(f->rules);
  fat_avaliador *av = NULL;
  fat_avaliacao a;
  fat_err err;
  size_t i;
  int tem = 0;

  memset(&a, 0, sizeof a);
  assert_int_equal(fat_avaliador_new(f->st, gen, &av, &err), FAT_OK);
  if (fat_avaliar_guia(av, id, NULL, &a, &err) != FAT_OK)
    fail_msg("avaliar: %s", err.msg);
  for (i = 0; i < a.achados.n; i++)
    tem = tem || strcmp(a.achados.v[i].codigo, codigo) == 0;
  fat_avaliacao_fini(&a);
  fat_avaliador_free(av);
  fat_gen_release(gen);
  return tem;
}

/* A guia is judged on the clinic's day its lote was closed: attended on
** 31/12/2025, Aurora's 90 days end on 31/03/2026, and a lote closed at
** 22:30 of that day in UTC-3 (01:30 UTC of April 1st) was in time; closed
** at 00:30 of April 1st (03:30 UTC), it was late. */
static void test_avaliada_no_dia_local_em_que_o_lote_fechou(void **state)
{
  fx *f = *state;
  fat_guia *v = fix_guia_sadt("V-1", "0082345678901234");
  fat_err err;
  int64_t id;

  setenv("TZ", "<-03>3", 1);
  tzset();
  id = fix_save(f->st, v);
  fat_guia_free(v);
  assert_int_equal(fat_store_exec(f->st,
                                  "INSERT INTO lote (id, operadora_id, prestador_id, numero,"
                                  " tipo_guia, competencia, status, fechado_em) VALUES (1,"
                                  " (SELECT min(id) FROM operadora), (SELECT min(id) FROM"
                                  " prestador), 1, 'sp-sadt', '2025-12', 'fechado',"
                                  " '2026-04-01T01:30:00Z');"
                                  "UPDATE guia SET data_inicio = '2025-12-31', lote_id = 1",
                                  &err),
                   FAT_OK);
  assert_false(avaliada_tem(f, id, "PRAZO_EXCEDIDO"));
  assert_int_equal(
    fat_store_exec(f->st, "UPDATE lote SET fechado_em = '2026-04-01T03:30:00Z'", &err), FAT_OK);
  assert_true(avaliada_tem(f, id, "PRAZO_EXCEDIDO"));
}

static void test_reconhecer_varios(void **state)
{
  fx *f = *state;
  fat_guia *a = fix_guia_sadt("B-1", "0102345678901234"), *b = fix_guia_sadt("B-2", "0102345678901234");
  fat_achados_filtro w;
  fat_papel faturista = FAT_PAPEL_FATURISTA;
  int64_t ids[5], ida;
  size_t guias = 99;
  fat_err err;
  int i;

  ida = fix_save(f->st, a);
  fix_save(f->st, b);
  conferir(f, 0);
  for (i = 0; i < 4; i++)
    ids[i] = scalar_i(f->st, "SELECT id FROM achado WHERE codigo = 'DUPLICIDADE' "
                             "ORDER BY id LIMIT 1 OFFSET ?1", i);
  assert_true(ids[3] > 0);
  /* one already acknowledged in the batch: nothing is acknowledged */
  assert_int_equal(fat_achado_reconhecer(f->st, ids[3], "já visto", NULL, NULL, &err), FAT_OK);
  ids[4] = ids[3];
  assert_int_equal(fat_achado_reconhecer_varios(f->st, ids, 5, "sessões distintas", NULL,
                                                &guias, &err),
                   FAT_EINVAL); /* repeated id */
  assert_int_equal(fat_achado_reconhecer_varios(f->st, ids, 4, "sessões distintas", NULL,
                                                &guias, &err),
                   FAT_ESTATE);
  assert_non_null(strstr(err.msg, "achado "));
  assert_int_equal(scalar_i(f->st, "SELECT count(*) FROM achado WHERE reconhecido_em IS NOT NULL "
                                   "AND ?1 = ?1", 0),
                   1);
  /* a faturista may not release bloqueios: refused, nothing written */
  assert_int_equal(fat_achado_reconhecer_varios(f->st, ids, 3, "sessões distintas", &faturista,
                                                &guias, &err),
                   FAT_EPERM);
  assert_int_equal(scalar_i(f->st, "SELECT count(*) FROM achado WHERE reconhecido_em IS NOT NULL "
                                   "AND ?1 = ?1", 0),
                   1);
  /* the three open ones: one motive, one audit row each */
  assert_int_equal(fat_achado_reconhecer_varios(f->st, ids, 3, "sessões distintas", NULL,
                                                &guias, &err),
                   FAT_OK);
  assert_int_equal(guias, 2);
  assert_int_equal(scalar_i(f->st, "SELECT count(*) FROM auditoria WHERE acao = "
                                   "'achado.reconhecer' AND detalhe LIKE '%sessões distintas' "
                                   "AND ?1 = ?1", 0),
                   3);
  assert_int_equal(scalar_i(f->st, "SELECT count(*) FROM achado WHERE reconhecido_motivo = "
                                   "'sessões distintas' AND ?1 = ?1", 0),
                   3);
  /* the worklist: no bloqueio open (the alertas stay); four acknowledged;
  ** the guia is ready again */
  memset(&w, 0, sizeof w);
  w.severidade = "bloqueio";
  assert_int_equal(n_linhas(f, &w), 0);
  w.severidade = NULL;
  assert_int_equal(n_linhas(f, &w), (int)scalar_i(f->st, "SELECT count(*) FROM achado WHERE "
                                                        "severidade = 'alerta' AND ?1 = ?1", 0));
  w.reconhecidos = 1;
  assert_int_equal(n_linhas(f, &w), 4);
  assert_int_equal(scalar_i(f->st, "SELECT status = 'conferida' FROM guia WHERE id = ?1", ida),
                   1);
  fat_guia_free(a);
  fat_guia_free(b);
}


/* ------------------------------------------------------------------------
** Attachments: by content, hashed, limited, listed, read back intact
*/

static void test_anexos(void **state)
{
  fx *f = *state;
  fat_guia *g = fix_guia_sadt("A-1", "0112345678901234");
  static const char pdf[] = "%PDF-1.4\n% laudo de raio-x\n";
  static const char png[] = "\x89PNG\r\n\x1a\n....";
  unsigned char h[crypto_hash_sha256_BYTES];
  char hex[65], *dados = NULL, *grande;
  fat_anexo_info a, b;
  cJSON *arr = NULL;
  size_t len = 0, i;
  int64_t id;
  fat_err err;

  id = fix_save(f->st, g);
  assert_int_equal(fat_anexo_adicionar(f->st, id, "laudo", "/tmp/exames/raio-x.pdf", pdf,
                                       sizeof pdf - 1, &a, &err),
                   FAT_OK);
  crypto_hash_sha256(h, (const unsigned char *)pdf, sizeof pdf - 1);
  for (i = 0; i < sizeof h; i++)
    snprintf(hex + 2 * i, 3, "%02x", h[i]);
  assert_string_equal(a.sha256, hex);
  assert_string_equal(a.nome, "raio-x.pdf");
  assert_string_equal(a.mime, "application/pdf");
  assert_int_equal(a.tamanho, sizeof pdf - 1);
  assert_int_equal(fat_anexo_adicionar(f->st, id, "pedido_medico", "pedido.png", png,
                                       sizeof png - 1, &b, &err),
                   FAT_OK);
  assert_string_equal(b.mime, "image/png");
  /* refusals, each naming what is wrong; nothing stored */
  assert_int_equal(fat_anexo_adicionar(f->st, id, "laudo", "copia.pdf", pdf, sizeof pdf - 1,
                                       NULL, &err),
                   FAT_ESTATE);
  assert_non_null(strstr(err.msg, "raio-x.pdf"));
  assert_int_equal(fat_anexo_adicionar(f->st, id, "laudo", "nota.txt", "texto", 5, NULL, &err),
                   FAT_EINVAL);
  assert_non_null(strstr(err.msg, "PDF, PNG ou JPEG"));
  assert_int_equal(fat_anexo_adicionar(f->st, id, "raio", "x.pdf", pdf, sizeof pdf - 1, NULL,
                                       &err),
                   FAT_EINVAL);
  assert_int_equal(fat_anexo_adicionar(f->st, id, "laudo", "x.pdf", pdf, 0, NULL, &err),
                   FAT_EINVAL);
  grande = fat_calloc(FAT_ANEXO_MAX + 1, 1);
  assert_non_null(grande);
  memcpy(grande, "%PDF-", 5);
  assert_int_equal(fat_anexo_adicionar(f->st, id, "laudo", "grande.pdf", grande,
                                       FAT_ANEXO_MAX + 1, NULL, &err),
                   FAT_ELIMIT);
  fat_free(grande);
  assert_int_equal(fat_anexo_adicionar(f->st, 999, "laudo", "x.pdf", "%PDF-9", 6, NULL, &err),
                   FAT_ENOTFOUND);
  assert_int_equal(scalar_i(f->st, "SELECT count(*) FROM guia_anexo WHERE guia_id = ?1", id), 2);
  assert_int_equal(scalar_i(f->st, "SELECT count(*) FROM auditoria WHERE acao = "
                                   "'anexo.adicionar' AND objeto = 'guia:' || ?1",
                            id),
                   2);
  /* listed without content, read back intact */
  assert_int_equal(fat_anexo_listar(f->st, id, &arr, &err), FAT_OK);
  assert_int_equal(cJSON_GetArraySize(arr), 2);
  assert_string_equal(js(cJSON_GetArrayItem(arr, 0), "tipo_rotulo"), "Laudo");
  assert_string_equal(js(cJSON_GetArrayItem(arr, 1), "tipo_rotulo"), "Pedido médico");
  assert_null(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(arr, 0), "conteudo"));
  cJSON_Delete(arr);
  assert_int_equal(fat_anexo_ler(f->st, a.id, &dados, &len, &b, &err), FAT_OK);
  assert_int_equal(len, sizeof pdf - 1);
  assert_memory_equal(dados, pdf, len);
  assert_int_equal(b.guia_id, id);
  fat_free(dados);
  /* content changed behind faturo's back: the hash says so */
  assert_int_equal(fat_store_exec(f->st, "UPDATE guia_anexo SET conteudo = X'255044462D39' "
                                         "WHERE tipo = 'laudo'",
                                  &err),
                   FAT_OK);
  assert_int_equal(fat_anexo_ler(f->st, a.id, &dados, &len, NULL, &err), FAT_EDB);
  assert_null(dados);
  assert_int_equal(fat_anexo_ler(f->st, 999, &dados, &len, NULL, &err), FAT_ENOTFOUND);
  /* a cancelled guia takes no more files */
  f->o.motivo = "guia lançada por engano";
  {
    fat_guia_mudanca m;

    assert_int_equal(fat_guia_cancelar(f->st, id, &f->o, &m, &err), FAT_OK);
    fat_guia_mudanca_fini(&m);
  }
  f->o.motivo = NULL;
  assert_int_equal(fat_anexo_adicionar(f->st, id, "termo", "termo.jpg", "\xFF\xD8\xFF\xE0", 4,
                                       NULL, &err),
                   FAT_ESTATE);
  fat_guia_free(g);
}


/* ------------------------------------------------------------------------
** Digitação: sessions expanded, evaluated without storing, drafts, saved
*/

static void test_digitacao(void **state)
{
  fx *f = *state;
  fat_guia *g = fix_guia_sadt("T-1", "0122345678901234");
  cJSON *form = fat_guia_to_json(g), *it0, *ses, *ex = NULL, *av = NULL, *r = NULL;
  const cJSON *itens;
  fat_guia_mudanca m;
  int64_t rid = 0;
  fat_err err;

  assert_non_null(form);
  it0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(form, "itens"), 0);
  cJSON_DeleteItemFromObjectCaseSensitive(it0, "data");
  ses = cJSON_AddArrayToObject(it0, "sessoes");
  assert_non_null(ses);
  cJSON_AddItemToArray(ses, cJSON_CreateString("03/03/2025"));
  cJSON_AddItemToArray(ses, cJSON_CreateString("2025-03-05"));
  cJSON_AddItemToArray(ses, cJSON_CreateString("07/03/2025"));
  /* one item per session date, numbered in order, then the other item */
  assert_int_equal(fat_digitacao_expandir(form, &ex, &err), FAT_OK);
  itens = cJSON_GetObjectItemCaseSensitive(ex, "itens");
  assert_int_equal(cJSON_GetArraySize(itens), 4);
  assert_string_equal(js(cJSON_GetArrayItem(itens, 1), "data"), "2025-03-05");
  assert_int_equal(fat_guias_seq(cJSON_GetArrayItem(itens, 2)), 3);
  assert_int_equal(fat_guias_seq(cJSON_GetArrayItem(itens, 3)), 4);
  cJSON_Delete(ex);
  cJSON_ReplaceItemInArray(ses, 1, cJSON_CreateString("31/02/2025"));
  assert_int_equal(fat_digitacao_expandir(form, &ex, &err), FAT_EINVAL);
  assert_non_null(strstr(err.msg, "item 1, sessão 2"));
  cJSON_ReplaceItemInArray(ses, 1, cJSON_CreateString("05/03/2025"));

  /* evaluated as typed: nothing stored */
  assert_int_equal(fat_digitacao_avaliar(f->st, f->rules, form, HOJE, &av, &err), FAT_OK);
  assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(av, "valido")));
  assert_non_null(cJSON_GetObjectItemCaseSensitive(av, "achados"));
  cJSON_Delete(av);
  assert_int_equal(scalar_i(f->st, "SELECT count(*) FROM guia WHERE ?1 = ?1", 0), 0);
  cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(form, "operadora"),
                                         "registro_ans", cJSON_CreateString("999999"));
  assert_int_equal(fat_digitacao_avaliar(f->st, f->rules, form, HOJE, &av, &err), FAT_OK);
  assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(av, "valido")));
  assert_string_equal(js(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(av, "erros"), 0),
                         "campo"),
                      "operadora.registro_ans");
  cJSON_Delete(av);
  cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(form, "operadora"),
                                         "registro_ans", cJSON_CreateString("312347"));

  /* a draft, read back, then saved as a guia: the draft goes in the same step */
  assert_int_equal(fat_digitacao_rascunho_salvar(f->st, 0, form, &rid, &err), FAT_OK);
  assert_true(rid > 0);
  assert_int_equal(fat_digitacao_rascunho(f->st, rid, &r, &err), FAT_OK);
  assert_non_null(cJSON_GetObjectItemCaseSensitive(r, "guia"));
  cJSON_Delete(r);
  assert_int_equal(fat_digitacao_gravar(f->st, form, rid, &f->o, &m, &err), FAT_OK);
  assert_true(m.guia_id > 0);
  assert_int_equal(scalar_i(f->st, "SELECT count(*) FROM item WHERE guia_id = ?1", m.guia_id),
                   4);
  assert_int_equal(scalar_i(f->st, "SELECT count(*) FROM auditoria WHERE acao = 'guia.digitar' "
                                   "AND objeto = 'guia:' || ?1",
                            m.guia_id),
                   1);
  fat_guia_mudanca_fini(&m);
  assert_int_equal(scalar_i(f->st, "SELECT count(*) FROM guia_rascunho WHERE ?1 = ?1", 0), 0);
  /* the same número again: refused, nothing written */
  assert_int_equal(fat_digitacao_gravar(f->st, form, 0, &f->o, &m, &err), FAT_ESTATE);
  fat_guia_mudanca_fini(&m);
  assert_int_equal(scalar_i(f->st, "SELECT count(*) FROM guia WHERE ?1 = ?1", 0), 1);
  cJSON_Delete(form);
  fat_guia_free(g);
}

/* ------------------------------------------------------------------------
** Out of memory anywhere in an edit: FAT_ENOMEM and the store as it was
*/

static void snapshot(fat_store *st, char *buf, size_t len)
{
  static const char sql[] =
    "SELECT group_concat(x, ';') FROM (SELECT 'a' || a.id || a.chave || a.guia_revisao AS x "
    "FROM achado a UNION ALL SELECT 'g' || id || status || revisao || valor_total || "
    "COALESCE(cid, '') FROM guia UNION ALL SELECT 'r' || guia_id || revisao FROM guia_revisao "
    "UNION ALL SELECT 'i' || guia_id || sequencial || quantidade_e4 FROM item ORDER BY 1)";
  sqlite3_stmt *s;

  buf[0] = '\0';
  assert_int_equal(sqlite3_prepare_v2(fat_store_db(st), sql, -1, &s, NULL), SQLITE_OK);
  if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
    snprintf(buf, len, "%s", (const char *)sqlite3_column_text(s, 0));
  sqlite3_finalize(s);
}

static void test_oom(void **state)
{
  fx *f = *state;
  fat_guia *a = fix_guia_sadt("M-1", "0072345678901234"), *b = fix_guia_sadt("M-2", "0072345678901234");
  cJSON_Hooks hooks = {fat_malloc, fat_free};
  cJSON *p;
  char before[8192], after[8192];
  long n;
  int ok = 0;

  fix_save(f->st, a);
  fix_save(f->st, b);
  conferir(f, 0);
  snapshot(f->st, before, sizeof before);
  cJSON_InitHooks(&hooks);
  p = patch_of("{\"cid\": \"J00\", \"itens\": [{\"sequencial\": 2, \"quantidade\": \"3\"}]}");
  for (n = 0; n < 200000 && !ok; n++) {
    fat_guia_mudanca m;
    fat_err err;
    fat_rc rc;

    fat_err_clear(&err);
    fat_test_fail_alloc_after(n);
    rc = fat_guia_editar(f->st, a->id, p, &f->o, &m, &err);
    fat_test_fail_alloc_after(-1);
    fat_guia_mudanca_fini(&m);
    if (rc == FAT_OK) {
      ok = 1;
      break;
    }
    if (rc != FAT_ENOMEM)
      fail_msg("falha de memória na alocação %ld virou %d: %s", n, rc, err.msg);
    snapshot(f->st, after, sizeof after);
    if (strcmp(before, after) != 0)
      fail_msg("falha de memória na alocação %ld mudou o banco:\n%s\n%s", n, before, after);
  }
  cJSON_Delete(p);
  cJSON_InitHooks(NULL);
  assert_true(ok);
  assert_true(n > 100); /* the loop went through the whole edit */
  assert_int_equal(scalar_i(f->st, "SELECT revisao FROM guia WHERE id = ?1", a->id), 2);
  fat_guia_free(a);
  fat_guia_free(b);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_corrige_ate_passar, setup, teardown),
    cmocka_unit_test_setup_teardown(test_itens_por_numero, setup, teardown),
    cmocka_unit_test_setup_teardown(test_recusas, setup, teardown),
    cmocka_unit_test_setup_teardown(test_patch_campo, setup, teardown),
    cmocka_unit_test_setup_teardown(test_lote_recusa, setup, teardown),
    cmocka_unit_test_setup_teardown(test_cancela_duplicata, setup, teardown),
    cmocka_unit_test_setup_teardown(test_reconhecimento_sobrevive, setup, teardown),
    cmocka_unit_test_setup_teardown(test_lista_de_trabalho, setup, teardown),
    cmocka_unit_test_setup_teardown(test_lista_de_trabalho_mostra_o_dia_local_do_achado, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_avaliada_no_dia_local_em_que_o_lote_fechou, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_reconhecer_varios, setup, teardown),
    cmocka_unit_test_setup_teardown(test_anexos, setup, teardown),
    cmocka_unit_test_setup_teardown(test_digitacao, setup, teardown),
    cmocka_unit_test_setup_teardown(test_oom, setup, teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
