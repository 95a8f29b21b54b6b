/* test_conferir.c: the conferir run (fat_conferir) and the evaluation it
** stores (fat_avaliar), table-driven over a small store with the real
** operator scripts (FATURO_REGRAS): statuses and findings per defect,
** acknowledgements that survive re-checks (finding identity), refused
** options, the incremental re-run, and the OOM loop over a whole run. */
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
#include "fat_avaliar.h"
#include "fat_conferir.h"
#include "fat_demo.h"
#include "fat_docnum.h"
#include "fat_enviavel.h"
#include "fat_mem.h"
#include "fat_price.h"
#include "fat_rules.h"
#include "fat_store_int.h"
#include "fat_store_sqlite.h"

#define DB "test_conferir.db"
#define HOJE "2025-04-01"

#define S fix_S

static void repl(char **field, const char *v)
{
  fat_free(*field);
  *field = v != NULL ? fat_strdup(v) : NULL;
}

static fat_store *open_store(void)
{
  fat_store *st = NULL;
  fat_err err;

  fix_remove_db(DB);
  assert_int_equal(fat_store_create(DB, &st, &err), FAT_OK);
  assert_int_equal(fat_store_exec(st,
                                   "INSERT INTO prestador(nome, cnpj) VALUES "
                                   "('Clínica Teste', '11222333000181');"
                                   "INSERT INTO operadora(registro_ans, nome, script) VALUES "
                                   "('312347', 'Aurora', 'aurora');"
                                   "INSERT INTO operadora(registro_ans, nome, script) VALUES "
                                   "('345671', 'Vitalis', 'vitalis');",
                                   &err),
                   FAT_OK);
  return st;
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

static const char *status_of(fat_store *st, int64_t id, char *buf, size_t len)
{
  sqlite3_stmt *s;

  buf[0] = '\0';
  assert_int_equal(sqlite3_prepare_v2(fat_store_db(st), "SELECT status FROM guia WHERE id = ?1",
                                      -1, &s, NULL),
                   SQLITE_OK);
  sqlite3_bind_int64(s, 1, id);
  if (sqlite3_step(s) == SQLITE_ROW)
    snprintf(buf, len, "%s", (const char *)sqlite3_column_text(s, 0));
  sqlite3_finalize(s);
  return buf;
}

static fat_rules *open_rules(fat_store *st)
{
  fat_rules *r = NULL;
  fat_err err;

  if (fat_rules_open(fix_regras_dir(), NULL, st, &r, &err) != FAT_OK)
    fail_msg("regras: %s", err.msg);
  return r;
}

static void conferir_ok(fat_store *st, fat_rules *rules, int64_t guia_id, int todas,
                        fat_conferir_resumo *res)
{
  fat_conferir_opts o;
  fat_err err;

  memset(&o, 0, sizeof o);
  o.hoje = HOJE;
  o.guia_id = guia_id;
  o.uma_guia = guia_id > 0;
  o.todas = todas;
  if (fat_conferir(st, rules, &o, NULL, NULL, res, &err) != FAT_OK)
    fail_msg("conferir: %s", err.msg);
}

/* ------------------------------------------------------------------------
** One defect per guia: status and the finding conferir stores
*/

static void m_none(fat_guia *g) { (void)g; }
static void m_carteira(fat_guia *g) { repl(&g->carteira_numero, NULL); }
static void m_senha_vencida(fat_guia *g) { repl(&g->validade_senha, "2025-03-09"); }
static void m_total(fat_guia *g) { g->valor_total = 2100; }
static void m_codigo(fat_guia *g) { repl(&g->itens[1].codigo, "4030204"); }
static void m_prazo(fat_guia *g)
{
  repl(&g->data_inicio, "2024-10-01");
  repl(&g->data_autorizacao, "2024-10-01");
  repl(&g->validade_senha, "2024-10-30");
  repl(&g->itens[0].data, "2024-10-01");
  repl(&g->itens[1].data, "2024-10-01");
}

typedef struct conf_case {
  const char *name;
  void (*mutate)(fat_guia *g);
  const char *status;   /* expected status after conferir */
  const char *codigo;   /* a bloqueio expected among the findings (NULL: no bloqueio) */
  const char *chave;    /* its identity (NULL: not checked) */
} conf_case;

static const conf_case conf_cases[] = {
  {"guia limpa", m_none, "conferida", NULL, NULL},
  {"sem carteira", m_carteira, "pendente", "CARTEIRA_AUSENTE",
   "CARTEIRA_AUSENTE|guia|carteira_numero"},
  {"senha vencida", m_senha_vencida, "pendente", "SENHA_VENCIDA",
   "SENHA_VENCIDA|guia|validade_senha"},
  {"total divergente", m_total, "pendente", "TOTAL_DIVERGENTE", "TOTAL_DIVERGENTE|guia|valor_total"},
  {"código TUSS inválido no item 2", m_codigo, "pendente", "CODIGO_TUSS_INVALIDO",
   "CODIGO_TUSS_INVALIDO|item 2|codigo"},
  {"fora do prazo de apresentação", m_prazo, "pendente", "PRAZO_EXCEDIDO",
   "PRAZO_EXCEDIDO|guia|data_inicio"},
};

static void test_casos(void **state)
{
  fat_store *st = open_store();
  fat_rules *rules = open_rules(st);
  int64_t ids[sizeof conf_cases / sizeof conf_cases[0]];
  fat_conferir_resumo res;
  size_t i;
  char buf[32], numero[16], carteira[24];

  (void)state;
  for (i = 0; i < sizeof conf_cases / sizeof conf_cases[0]; i++) {
    fat_guia *g;

    /* one beneficiário per case: no duplicates between cases */
    snprintf(numero, sizeof numero, "C-%zu", i);
    snprintf(carteira, sizeof carteira, "00123456789%05zu", i);
    g = fix_guia_sadt(numero, carteira);
    conf_cases[i].mutate(g);
    ids[i] = fix_save(st, g);
    fat_guia_free(g);
  }
  conferir_ok(st, rules, 0, 0, &res);
  assert_int_equal(res.conferidas, sizeof conf_cases / sizeof conf_cases[0]);
  assert_int_equal(res.com_erro, 0);
  for (i = 0; i < sizeof conf_cases / sizeof conf_cases[0]; i++) {
    const conf_case *c = &conf_cases[i];
    fat_findings f;
    fat_err err;
    size_t k;
    int hit = 0, bloqueios = 0;

    if (strcmp(status_of(st, ids[i], buf, sizeof buf), c->status) != 0)
      fail_msg("%s: situação %s, esperava %s", c->name, buf, c->status);
    fat_findings_init(&f);
    assert_int_equal(fat_achado_carregar(st, ids[i], &f, &err), FAT_OK);
    for (k = 0; k < f.n; k++) {
      bloqueios += f.v[k].severidade == FAT_BLOQUEIO;
      if (c->codigo != NULL && strcmp(f.v[k].codigo, c->codigo) == 0)
        hit = 1;
    }
    if (c->codigo == NULL && bloqueios > 0)
      fail_msg("%s: bloqueio inesperado", c->name);
    if (c->codigo != NULL && !hit)
      fail_msg("%s: esperava %s", c->name, c->codigo);
    fat_findings_fini(&f);
  }
  /* every stored finding carries its identity */
  assert_int_equal(scalar_i(st, "SELECT count(*) FROM achado WHERE chave IS NULL", 0), 0);
  for (i = 0; i < sizeof conf_cases / sizeof conf_cases[0]; i++) {
    sqlite3_stmt *s;
    int found = 0;

    if (conf_cases[i].chave == NULL)
      continue;
    assert_int_equal(sqlite3_prepare_v2(fat_store_db(st),
                                        "SELECT 1 FROM achado WHERE guia_id = ?1 AND chave = ?2",
                                        -1, &s, NULL),
                     SQLITE_OK);
    sqlite3_bind_int64(s, 1, ids[i]);
    sqlite3_bind_text(s, 2, conf_cases[i].chave, -1, SQLITE_STATIC);
    found = sqlite3_step(s) == SQLITE_ROW;
    sqlite3_finalize(s);
    if (!found)
      fail_msg("%s: nenhum achado com a identidade %s", conf_cases[i].name, conf_cases[i].chave);
  }
  /* a second run has nothing to do */
  conferir_ok(st, rules, 0, 0, &res);
  assert_int_equal(res.conferidas, 0);
  assert_int_equal(res.sem_mudanca, sizeof conf_cases / sizeof conf_cases[0]);
  fat_rules_close(rules);
  fat_store_close(st);
  fix_remove_db(DB);
}

/* ------------------------------------------------------------------------
** Duplicates, acknowledgements and identity
*/

static void test_duplicidade_e_reconhecimento(void **state)
{
  fat_store *st = open_store();
  fat_rules *rules = open_rules(st);
  fat_guia *a = fix_guia_sadt("D-1", "0012345678901234"), *b = fix_guia_sadt("D-2", "0012345678901234");
  fat_conferir_resumo res;
  int64_t ida, idb, achado, achado_a, gid = 0, abertos = -1;
  fat_err err;
  char buf[32];

  (void)state;
  ida = fix_save(st, a);
  idb = fix_save(st, b);
  conferir_ok(st, rules, 0, 0, &res);
  /* both copies are flagged on both procedures */
  assert_int_equal(scalar_i(st, "SELECT count(*) FROM achado WHERE guia_id = ?1 AND codigo = "
                                "'DUPLICIDADE'",
                            ida),
                   2);
  assert_int_equal(scalar_i(st, "SELECT count(*) FROM achado WHERE guia_id = ?1 AND codigo = "
                                "'DUPLICIDADE'",
                            idb),
                   2);
  assert_string_equal(status_of(st, idb, buf, sizeof buf), "pendente");

  /* acknowledge the duplicate of D-2's second procedure */
  achado = scalar_i(st, "SELECT id FROM achado WHERE guia_id = ?1 AND chave = "
                        "'DUPLICIDADE|item 2|codigo'",
                    idb);
  assert_true(achado > 0);
  assert_int_equal(fat_achado_reconhecer(st, achado, "retorno combinado com a operadora", &gid,
                                         &abertos, &err),
                   FAT_OK);
  assert_int_equal(gid, idb);
  assert_int_equal(abertos, 1);
  assert_int_equal(fat_achado_reconhecer(st, achado, "de novo", NULL, NULL, &err), FAT_ESTATE);

  /* an open finding keeps its id across a re-check that finds it again,
  ** so acknowledging it with the id the user saw before still works */
  achado_a = scalar_i(st, "SELECT id FROM achado WHERE guia_id = ?1 AND chave = "
                          "'DUPLICIDADE|item 1|codigo'",
                      ida);
  assert_true(achado_a > 0);
  conferir_ok(st, rules, ida, 1, &res);
  assert_int_equal(res.conferidas, 1);
  assert_int_equal(scalar_i(st, "SELECT id FROM achado WHERE guia_id = ?1 AND chave = "
                                "'DUPLICIDADE|item 1|codigo'",
                            ida),
                   achado_a);
  assert_int_equal(fat_achado_reconhecer(st, achado_a, "guia de retorno autorizada", NULL, NULL,
                                         &err),
                   FAT_OK);

  /* D-2 loses its first procedure: the acknowledged one moves from
  ** itens[1] to itens[0], and its acknowledgement follows it */
  fat_guia_free(b);
  assert_int_equal(fat_guia_load(st, idb, &b, &err), FAT_OK);
  fat_free(b->itens[0].tipo);
  fat_free(b->itens[0].codigo_tabela);
  fat_free(b->itens[0].codigo);
  fat_free(b->itens[0].data);
  fat_free(b->itens[0].descricao);
  memmove(&b->itens[0], &b->itens[1], sizeof b->itens[0]);
  b->n_itens = 1;
  b->valor_total = 500;
  fix_save(st, b);
  conferir_ok(st, rules, 0, 0, &res);
  assert_int_equal(res.conferidas, 1); /* D-2 changed (D-1 did not: see docs/conferir.md) */
  assert_int_equal(scalar_i(st, "SELECT count(*) FROM achado WHERE guia_id = ?1 AND codigo = "
                                "'DUPLICIDADE' AND campo = 'itens[0].codigo' AND "
                                "reconhecido_em IS NOT NULL",
                            idb),
                   1);
  assert_string_equal(status_of(st, idb, buf, sizeof buf), "conferida");
  /* the acknowledged finding kept its row: the id the user saw */
  assert_int_equal(scalar_i(st, "SELECT count(*) FROM achado WHERE id = ?1 AND "
                                "reconhecido_em IS NOT NULL AND campo = 'itens[0].codigo'",
                            achado),
                   1);
  /* and it survives a plain re-check */
  conferir_ok(st, rules, idb, 1, &res);
  assert_int_equal(res.conferidas, 1);
  assert_int_equal(res.bloqueios_abertos, 0);
  assert_string_equal(status_of(st, idb, buf, sizeof buf), "conferida");
  assert_int_equal(scalar_i(st, "SELECT count(*) FROM achado WHERE id = ?1", achado), 1);
  fat_guia_free(a);
  fat_guia_free(b);
  fat_rules_close(rules);
  fat_store_close(st);
  fix_remove_db(DB);
}

/* ------------------------------------------------------------------------
** Options that are refused, and a guia already in a lote
*/

static void test_opcoes_recusadas(void **state)
{
  static const struct {
    const char *name;
    const char *operadora;
    int uma_guia;
    int64_t guia_id;
    const char *hoje, *competencia;
    fat_rc rc;
    const char *msg;
  } cases[] = {
    {"guia -1", NULL, 0, -1, NULL, NULL, FAT_EINVAL, "id de guia inválido"},
    {"guia 0 pedida", NULL, 1, 0, NULL, NULL, FAT_EINVAL, "id de guia inválido"},
    {"guia inexistente", NULL, 1, 999, NULL, NULL, FAT_ENOTFOUND, "guia 999"},
    {"operadora desconhecida", "unimed", 0, 0, NULL, NULL, FAT_ENOTFOUND, "'unimed'"},
    {"data inválida", NULL, 0, 0, "2025-02-30", NULL, FAT_EINVAL, "2025-02-30"},
    {"competência inválida", NULL, 0, 0, NULL, "2025-13", FAT_EINVAL, "2025-13"},
  };
  fat_store *st = open_store();
  fat_guia *g = fix_guia_sadt("O-1", "0012345678901234");
  fat_conferir_resumo res;
  size_t i;

  (void)state;
  fix_save(st, g);
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    fat_conferir_opts o;
    fat_err err;
    fat_rc rc;

    memset(&o, 0, sizeof o);
    o.operadora = cases[i].operadora;
    o.uma_guia = cases[i].uma_guia;
    o.guia_id = cases[i].guia_id;
    o.hoje = cases[i].hoje;
    o.competencia = cases[i].competencia;
    fat_err_clear(&err);
    rc = fat_conferir(st, NULL, &o, NULL, NULL, &res, &err);
    if (rc != cases[i].rc)
      fail_msg("%s: rc %d, esperava %d (%s)", cases[i].name, rc, cases[i].rc, err.msg);
    if (strstr(err.msg, cases[i].msg) == NULL)
      fail_msg("%s: mensagem '%s'", cases[i].name, err.msg);
    assert_int_equal(res.conferidas, 0);
  }
  assert_int_equal(scalar_i(st, "SELECT count(*) FROM conferencia", 0), 0);
  /* the operadora by registro ANS, script key or id */
  {
    const char *nomes[] = {"312347", "aurora", "1"};
    fat_conferir_opts o;
    fat_err err;

    for (i = 0; i < 3; i++) {
      memset(&o, 0, sizeof o);
      o.operadora = nomes[i];
      o.hoje = HOJE;
      o.todas = 1;
      assert_int_equal(fat_conferir(st, NULL, &o, NULL, NULL, &res, &err), FAT_OK);
      assert_int_equal(res.selecionadas, 1);
    }
    o.operadora = "vitalis"; /* known, no guias: nothing to do */
    assert_int_equal(fat_conferir(st, NULL, &o, NULL, NULL, &res, &err), FAT_OK);
    assert_int_equal(res.selecionadas, 0);
  }
  fat_guia_free(g);
  fat_store_close(st);
  fix_remove_db(DB);
}

static void test_guia_em_lote_nao_muda(void **state)
{
  fat_store *st = open_store();
  fat_guia *g = fix_guia_sadt("L-1", "0012345678901234");
  fat_conferir_resumo res;
  fat_err err;
  int64_t id;
  char buf[32];

  (void)state;
  repl(&g->carteira_numero, NULL);
  id = fix_save(st, g);
  assert_int_equal(fat_store_exec(st, "UPDATE guia SET status = 'enviada'", &err), FAT_OK);
  conferir_ok(st, NULL, 0, 1, &res);
  assert_int_equal(res.selecionadas, 0); /* not selected without --guia */
  conferir_ok(st, NULL, id, 0, &res);
  assert_int_equal(res.conferidas, 1);
  assert_true(res.bloqueios_abertos > 0);
  assert_string_equal(status_of(st, id, buf, sizeof buf), "enviada");
  fat_guia_free(g);
  fat_store_close(st);
  fix_remove_db(DB);
}

/* ------------------------------------------------------------------------
** What the TISS XSD cannot carry, and acknowledging a bloqueio on it
*/

static void e_none(fat_guia *g) { (void)g; }
static void e_carteira(fat_guia *g) { repl(&g->carteira_numero, ""); }
static void e_tipo_atend(fat_guia *g) { repl(&g->tipo_atendimento, NULL); }
static void e_cbo(fat_guia *g) { repl(&g->executante->cbo, NULL); }
static void e_sem_exec(fat_guia *g)
{
  fat_profissional_free(g->executante);
  g->executante = NULL;
}
static void e_consulta(fat_guia *g)
{
  g->tipo = FAT_GUIA_CONSULTA;
  repl(&g->tipo_consulta, "1");
}
static void e_consulta_tipo(fat_guia *g) { g->tipo = FAT_GUIA_CONSULTA; }
static void e_honor(fat_guia *g)
{
  g->tipo = FAT_GUIA_HONORARIOS;
  repl(&g->numero_principal, "SI-1");
  repl(&g->prestador.codigo_na_operadora, "HZ-1");
  repl(&g->itens[0].descricao, "Exame 1");
  repl(&g->itens[1].descricao, "Exame 2");
}
static void e_honor_principal(fat_guia *g)
{
  e_honor(g);
  repl(&g->numero_principal, NULL);
}
static void e_honor_descricao(fat_guia *g)
{
  e_honor(g);
  repl(&g->itens[1].descricao, NULL);
}
static void e_intern(fat_guia *g)
{
  g->tipo = FAT_GUIA_INTERNACAO;
  repl(&g->numero_principal, "SI-1");
  repl(&g->hora_inicio, "08:00");
  repl(&g->data_fim, "2025-03-12");
  repl(&g->hora_fim, "10:00");
  repl(&g->tipo_internacao, "1");
  repl(&g->motivo_encerramento, "11");
}
static void e_intern_hora(fat_guia *g)
{
  e_intern(g);
  repl(&g->hora_fim, NULL);
}

static void test_enviavel(void **state)
{
  static const struct {
    const char *name;
    void (*mutate)(fat_guia *g);
    const char *campo; /* NULL: the XSD can carry it */
  } cases[] = {
    {"SP/SADT completa", e_none, NULL},
    {"carteira em branco", e_carteira, "carteira_numero"},
    {"SP/SADT sem tipo de atendimento", e_tipo_atend, "tipo_atendimento"},
    {"SP/SADT sem CBO do profissional", e_cbo, "executante.cbo"},
    {"SP/SADT sem profissional", e_sem_exec, "executante"},
    {"consulta completa", e_consulta, NULL},
    {"consulta sem tipo de consulta", e_consulta_tipo, "tipo_consulta"},
    {"honorários completos", e_honor, NULL},
    {"honorários sem a solicitação de internação", e_honor_principal, "numero_principal"},
    {"honorários com item sem descrição", e_honor_descricao, "itens[1].descricao"},
    {"resumo de internação completo", e_intern, NULL},
    {"resumo de internação sem hora final", e_intern_hora, "hora_fim"},
  };
  size_t i;

  (void)state;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    fat_guia *g = fix_guia_sadt("E-1", "0012345678901234");
    const char *rotulo = NULL;
    char campo[64];
    int falta;

    cases[i].mutate(g);
    falta = fat_enviavel_faltando(g, campo, sizeof campo, &rotulo);
    if (cases[i].campo == NULL && falta)
      fail_msg("%s: falta %s (%s)", cases[i].name, campo, rotulo);
    if (cases[i].campo != NULL && (!falta || strcmp(campo, cases[i].campo) != 0))
      fail_msg("%s: esperava falta de %s, veio %s", cases[i].name, cases[i].campo,
               falta ? campo : "nada");
    if (falta)
      assert_true(rotulo != NULL && strlen(rotulo) > 3);
    fat_guia_free(g);
  }
}

static void test_reconhecer_recusa_o_que_o_xsd_nao_leva(void **state)
{
  fat_store *st = open_store();
  fat_guia *g = fix_guia_sadt("X-1", "0012345678901234");
  fat_conferir_resumo res;
  fat_err err;
  int64_t id, achado;
  char buf[32];

  (void)state;
  repl(&g->carteira_numero, NULL);
  id = fix_save(st, g);
  conferir_ok(st, NULL, 0, 0, &res);
  achado = scalar_i(st, "SELECT id FROM achado WHERE guia_id = ?1 AND codigo = "
                        "'CARTEIRA_AUSENTE'",
                    id);
  assert_true(achado > 0);
  fat_err_clear(&err);
  assert_int_equal(fat_achado_reconhecer(st, achado, "a operadora aceita", NULL, NULL, &err),
                   FAT_ESTATE);
  assert_non_null(strstr(err.msg, "número da carteira"));
  assert_non_null(strstr(err.msg, "X-1"));
  assert_int_equal(scalar_i(st, "SELECT count(*) FROM achado WHERE reconhecido_em IS NOT NULL",
                            0),
                   0);
  assert_string_equal(status_of(st, id, buf, sizeof buf), "pendente");
  fat_guia_free(g);
  fat_store_close(st);
  fix_remove_db(DB);
}

/* ------------------------------------------------------------------------
** The evaluation itself writes nothing
*/

static void test_avaliar_nao_grava(void **state)
{
  fat_store *st = open_store();
  fat_rules *rules = open_rules(st);
  fat_gen *gen = fat_rules_acquire(rules);
  fat_guia *g = fix_guia_sadt("A-1", "0012345678901234");
  fat_avaliador *av = NULL;
  fat_avaliacao a;
  fat_err err;
  int64_t id, changes;

  (void)state;
  g->itens[0].valor_unitario = FAT_ABSENT;
  g->itens[0].valor_total = FAT_ABSENT;
  id = fix_save(st, g);
  changes = sqlite3_total_changes(fat_store_db(st));
  fat_avaliacao_init(&a);
  assert_int_equal(fat_avaliador_new(st, gen, &av, &err), FAT_OK);
  assert_int_equal(fat_avaliar_guia(av, id, HOJE, &a, &err), FAT_OK);
  assert_non_null(a.script_sha256);
  assert_int_equal(a.erro[0], '\0');
  assert_true(a.achados.n > 0);
  assert_int_equal(sqlite3_total_changes(fat_store_db(st)), changes);
  assert_int_equal(scalar_i(st, "SELECT count(*) FROM achado", 0), 0);
  /* no generation: built-in checks only, said in erro */
  fat_avaliador_free(av);
  assert_int_equal(fat_avaliador_new(st, NULL, &av, &err), FAT_OK);
  assert_int_equal(fat_avaliar_guia(av, id, HOJE, &a, &err), FAT_OK);
  assert_non_null(strstr(a.erro, "sem regras"));
  assert_null(a.script_sha256);
  assert_int_equal(fat_avaliar_guia(av, 999, HOJE, &a, &err), FAT_ENOTFOUND);
  fat_avaliacao_fini(&a);
  fat_avaliador_free(av);
  fat_gen_release(gen);
  fat_guia_free(g);
  fat_rules_close(rules);
  fat_store_close(st);
  fix_remove_db(DB);
}

/* A consulta of the fixture's beneficiário with its executante on day d. */
static fat_guia *consulta(const char *numero, const char *d)
{
  fat_guia *g = fix_guia_sadt_itens(numero, "0012345678901234", 1);

  g->tipo = FAT_GUIA_CONSULTA;
  repl(&g->tipo_consulta, "1");
  repl(&g->data_inicio, d);
  repl(&g->senha, NULL);
  repl(&g->data_autorizacao, NULL);
  repl(&g->validade_senha, NULL);
  fix_item(&g->itens[0], 1, "procedimento", "22", "10101012", 10000, d);
  g->valor_total = 10000;
  return g;
}

/* Evaluate g with its context; eager = load the history before the
** scripts run (what conferir did for every guia). Returns the findings'
** codes and messages; *loaded says whether the history was read. */
static char *avaliar_hist(fat_store *st, fat_avaliador *av, int64_t id, int eager, int *loaded)
{
  fat_avaliar_ctx ctx;
  fat_avaliacao a;
  fat_err err;
  fat_guia *g = NULL;
  char *out = fat_calloc(1, 8192);
  size_t i, off = 0;

  assert_non_null(out);
  assert_int_equal(fat_guia_load(st, id, &g, &err), FAT_OK);
  fat_avaliar_ctx_init(&ctx);
  fat_avaliacao_init(&a);
  assert_int_equal(fat_avaliar_ctx_load(av, g, HOJE, &ctx, &err), FAT_OK);
  assert_false(ctx.hist_loaded); /* not read yet */
  if (eager)
    assert_int_equal(fat_avaliar_ctx_historico(&ctx, &err), FAT_OK);
  if (fat_avaliar(fat_avaliador_gen(av), g->operadora.script, g, &ctx, &a, &err) != FAT_OK)
    fail_msg("avaliar: %s", err.msg);
  if (a.erro[0] != '\0')
    fail_msg("%s: %s", g->numero_prestador, a.erro);
  for (i = 0; i < a.achados.n; i++)
    off += (size_t)snprintf(out + off, 8192 - off, "%s:%s|", a.achados.v[i].codigo,
                            a.achados.v[i].mensagem);
  *loaded = ctx.hist_loaded;
  fat_avaliacao_fini(&a);
  fat_avaliar_ctx_fini(&ctx);
  fat_guia_free(g);
  return out;
}

/* ctx.historico is queried only when a check reads it: the consulta rule
** (checks.retorno) still sees the same history and finds the same return
** visit as when the history was loaded for every guia; an SP/SADT guia,
** whose checks never read it, is evaluated the same without the query. */
static void test_historico_so_quando_lido(void **state)
{
  fat_store *st = open_store();
  fat_rules *rules = open_rules(st);
  fat_gen *gen = fat_rules_acquire(rules);
  fat_guia *c1 = consulta("C-1", "2025-03-10"), *c2 = consulta("C-2", "2025-03-20");
  fat_guia *sadt = fix_guia_sadt("S-1", "0012345678901234");
  fat_avaliador *av = NULL;
  fat_err err;
  char *lazy, *eager;
  int loaded;

  (void)state;
  fix_save(st, c1);
  fix_save(st, c2);
  fix_save(st, sadt);
  assert_int_equal(fat_avaliador_new(st, gen, &av, &err), FAT_OK);

  lazy = avaliar_hist(st, av, c2->id, 0, &loaded);
  assert_true(loaded); /* the consulta check read it */
  eager = avaliar_hist(st, av, c2->id, 1, &loaded);
  assert_non_null(strstr(lazy, "CONSULTA_RETORNO:"));
  assert_non_null(strstr(lazy, "10/03/2025")); /* the earlier consulta, from the history */
  assert_string_equal(lazy, eager);
  fat_free(lazy);
  fat_free(eager);

  lazy = avaliar_hist(st, av, sadt->id, 0, &loaded);
  assert_false(loaded); /* no check read it: no query */
  eager = avaliar_hist(st, av, sadt->id, 1, &loaded);
  assert_true(loaded);
  assert_string_equal(lazy, eager);
  fat_free(lazy);
  fat_free(eager);

  fat_avaliador_free(av);
  fat_gen_release(gen);
  fat_guia_free(c1);
  fat_guia_free(c2);
  fat_guia_free(sadt);
  fat_rules_close(rules);
  fat_store_close(st);
  fix_remove_db(DB);
}

/* ------------------------------------------------------------------------
** OOM: a run interrupted by an allocation failure at any point returns
** FAT_ENOMEM and leaves the store as it was
*/

/* What a run leaves in the store (no timestamps, no audit). */
static void snapshot(fat_store *st, char *buf, size_t len)
{
  static const char sql[] =
    "SELECT group_concat(x, ';') FROM (SELECT a.guia_id || ',' || a.chave || ',' || "
    "a.severidade || ',' || COALESCE(a.reconhecido_motivo, '') AS x FROM achado a "
    "UNION ALL SELECT 'g' || id || status || valor_total FROM guia "
    "UNION ALL SELECT 'c' || guia_id || COALESCE(erro, '') || bloqueios || alertas FROM "
    "conferencia ORDER BY 1)";
  sqlite3_stmt *s;

  buf[0] = '\0';
  assert_int_equal(sqlite3_prepare_v2(fat_store_db(st), sql, -1, &s, NULL), SQLITE_OK);
  if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
    snprintf(buf, len, "%s", (const char *)sqlite3_column_text(s, 0));
  sqlite3_finalize(s);
}

static void test_oom(void **state)
{
  fat_store *st = open_store();
  fat_rules *rules = open_rules(st);
  fat_guia *a = fix_guia_sadt("M-1", "0012345678901234"), *b = fix_guia_sadt("M-2", "0012345678901234");
  cJSON_Hooks hooks = {fat_malloc, fat_free};
  fat_conferir_resumo res, ref;
  fat_conferir_opts o;
  char before[8192], after[8192];
  long n;
  int ok = 0;

  (void)state;
  a->itens[1].valor_unitario = FAT_ABSENT; /* pricing fills it */
  a->itens[1].valor_total = FAT_ABSENT;
  repl(&b->carteira_numero, NULL);
  fix_save(st, a);
  fix_save(st, b);
  memset(&o, 0, sizeof o);
  o.hoje = HOJE;
  o.todas = 1;
  conferir_ok(st, rules, 0, 1, &ref);
  snapshot(st, before, sizeof before);
  assert_true(strlen(before) > 0 && strlen(before) < sizeof before - 1);
  cJSON_InitHooks(&hooks);
  for (n = 0; n < 200000 && !ok; n++) {
    fat_err err;
    fat_rc rc;

    fat_err_clear(&err);
    fat_test_fail_alloc_after(n);
    rc = fat_conferir(st, rules, &o, NULL, NULL, &res, &err);
    fat_test_fail_alloc_after(-1);
    snapshot(st, after, sizeof after);
    if (rc == FAT_OK) {
      ok = 1;
      assert_int_equal(res.conferidas, ref.conferidas);
      assert_int_equal(res.achados, ref.achados);
      assert_int_equal(res.bloqueios_abertos, ref.bloqueios_abertos);
    } else if (rc != FAT_ENOMEM) {
      fail_msg("falha de memória na alocação %ld virou %d: %s", n, rc, err.msg);
    }
    if (strcmp(before, after) != 0)
      fail_msg("falha de memória na alocação %ld mudou o banco:\n%s\n%s", n, before, after);
  }
  cJSON_InitHooks(NULL);
  assert_true(ok);
  print_message("conferir ok after %ld injected failures\n", n);
  /* the loop went through the whole run: two guias through the built-in
  ** checks, pricing, the rules' Lua view and the findings take ~133
  ** allocations (~178 while each text of a loaded guia was allocated on
  ** its own, rodada 11; ~217 while the history was read for every guia and
  ** the view's tables were new for every guia; ~490 while the Lua view was
  ** built from a cJSON copy of the guia; ~510 before it sized its tables
  ** once) */
  assert_true(n > 110);
  fat_guia_free(a);
  fat_guia_free(b);
  fat_rules_close(rules);
  fat_store_close(st);
  fix_remove_db(DB);
}

/* ------------------------------------------------------------------------
** Threads: the same answers as one thread
*/

#define DB_PAR "test_conferir_par%d.db"

static void remove_par(int k)
{
  char p[64];

  snprintf(p, sizeof p, DB_PAR, k);
  unlink(p);
  snprintf(p, sizeof p, DB_PAR "-wal", k);
  unlink(p);
  snprintf(p, sizeof p, DB_PAR "-shm", k);
  unlink(p);
}

/* Everything a run writes, in one text (timestamps left out). */
static char *dump_run(fat_store *st)
{
  static const char sql[] =
    "SELECT group_concat(x, char(10)) FROM ("
    "SELECT 'a' || id || '|' || guia_id || '|' || COALESCE(item_id, '') || '|' || codigo || '|' "
    "|| severidade || '|' || COALESCE(campo, '') || '|' || mensagem || '|' || "
    "COALESCE(glosa_prevista, '') || '|' || valor_risco || '|' || COALESCE(regra, '') || '|' || "
    "COALESCE(script_sha256, '') || '|' || COALESCE(geracao_id, '') || '|' || guia_revisao || "
    "'|' || COALESCE(linha, '') || '|' || COALESCE(chave, '') AS x FROM achado "
    "UNION ALL SELECT 'c' || guia_id || '|' || revisao || '|' || COALESCE(script_sha256, '') || "
    "'|' || COALESCE(geracao_id, '') || '|' || referencia || '|' || COALESCE(reconferir_em, '') "
    "|| '|' || bloqueios || '|' || alertas || '|' || valor_risco || '|' || COALESCE(erro, '') "
    "FROM conferencia "
    "UNION ALL SELECT 'g' || id || '|' || status || '|' || COALESCE(valor_total, '') FROM guia "
    "UNION ALL SELECT 'i' || id || '|' || COALESCE(valor_unitario, '') || '|' || "
    "COALESCE(valor_total, '') || '|' || COALESCE(fator_e2, '') FROM item ORDER BY 1)";
  sqlite3_stmt *s;
  char *out = NULL;

  assert_int_equal(sqlite3_prepare_v2(fat_store_db(st), sql, -1, &s, NULL), SQLITE_OK);
  if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
    out = fat_strdup((const char *)sqlite3_column_text(s, 0));
  sqlite3_finalize(s);
  assert_non_null(out);
  return out;
}

/* The demo clinic (n guias of nb beneficiários: duplicates and history
** between guias of the same run) in DB_PAR k. */
static void make_demo_b(int k, int n, int nb)
{
  char path[64];
  fat_store *st = NULL;
  fat_gen *gen = NULL;
  fat_pricer *pricer = NULL;
  fat_demo_opcoes op;
  fat_demo_resumo res;
  fat_err err;
  long linhas = 0;

  remove_par(k);
  snprintf(path, sizeof path, DB_PAR, k);
  assert_int_equal(fat_store_create(path, &st, &err), FAT_OK);
  memset(&op, 0, sizeof op);
  op.n_guias = n;
  op.semente = 7;
  op.competencia = "2026-10";
  op.n_beneficiarios = nb;
  if (fat_gen_build(fix_regras_dir(), NULL, NULL, NULL, &gen, &err) != FAT_OK ||
      fat_pricer_new_gen(st, gen, &pricer, &err) != FAT_OK ||
      fat_store_begin(st, &err) != FAT_OK ||
      fat_demo_tabelas(st, fix_regras_dir(), &linhas, &err) != FAT_OK ||
      fat_demo_gerar(st, pricer, &op, &res, &err) != FAT_OK ||
      fat_store_commit(st, &err) != FAT_OK)
    fail_msg("demo: %s", err.msg);
  fat_pricer_free(pricer);
  fat_gen_release(gen);
  fat_store_close(st);
}

/* The demo clinic (n guias, few beneficiários) in DB_PAR k. */
static void make_demo(int k, int n)
{
  make_demo_b(k, n, n / 4 > 0 ? n / 4 : 1);
}

/* Copy DB_PAR from into DB_PAR to (closed stores: no -wal left). */
static void copy_par(int from, int to)
{
  char a[64], b[64], buf[65536];
  FILE *in, *out;
  size_t n;

  remove_par(to);
  snprintf(a, sizeof a, DB_PAR, from);
  snprintf(b, sizeof b, DB_PAR, to);
  in = fopen(a, "rb");
  out = fopen(b, "wb");
  assert_non_null(in);
  assert_non_null(out);
  while ((n = fread(buf, 1, sizeof buf, in)) > 0)
    assert_int_equal(fwrite(buf, 1, n, out), n);
  fclose(in);
  assert_int_equal(fclose(out), 0);
}

/* Order of a guia in which the callback saw it must be the guias' order. */
typedef struct ordem {
  int64_t ultimo;
  size_t n;
  int fora;
} ordem;

static void on_guia_ordem(void *ud, const fat_conferir_guia *g)
{
  ordem *o = ud;

  if (g->guia_id <= o->ultimo)
    o->fora = 1;
  o->ultimo = g->guia_id;
  o->n++;
}

/* conferir of DB_PAR k on nthreads threads: its answer (err filled on
** failure) and the dump of the store after it. */
static fat_rc conferir_par_rc(int k, int nthreads, fat_conferir_resumo *res, fat_err *err,
                              char **dump)
{
  char path[64];
  fat_store *st = NULL;
  fat_rules *rules;
  fat_conferir_opts o;
  ordem ord;
  fat_rc rc;

  snprintf(path, sizeof path, DB_PAR, k);
  assert_int_equal(fat_store_open(path, &st, err), FAT_OK);
  rules = open_rules(st);
  memset(&o, 0, sizeof o);
  memset(&ord, 0, sizeof ord);
  o.hoje = "2026-11-05";
  o.threads = nthreads;
  rc = fat_conferir(st, rules, &o, on_guia_ordem, &ord, res, err);
  /* the callback sees each stored guia once, in the order of the guias */
  assert_false(ord.fora);
  if (rc == FAT_OK)
    assert_int_equal(ord.n, res->conferidas);
  *dump = dump_run(st);
  fat_rules_close(rules);
  fat_store_close(st);
  return rc;
}

/* conferir of DB_PAR k on nthreads threads; the dump of what it wrote. */
static char *conferir_par(int k, int nthreads, fat_conferir_resumo *res)
{
  char *d = NULL;
  fat_err err;

  if (conferir_par_rc(k, nthreads, res, &err, &d) != FAT_OK)
    fail_msg("conferir (%d threads): %s", nthreads, err.msg);
  return d;
}

static void test_threads_same_answers_as_one(void **state)
{
  fat_conferir_resumo r1, r2, r3;
  char *d1, *d2, *d3;

  (void)state;
  make_demo(1, 400);
  make_demo(2, 400);
  make_demo(3, 400);
  d1 = conferir_par(1, 1, &r1);
  d2 = conferir_par(2, 2, &r2);
  d3 = conferir_par(3, 3, &r3);
  assert_int_equal(r1.conferidas, 400);
  assert_true(r1.achados > 50);
  /* a duplicate found against a guia this same run checked before (its
  ** status is the one the run gave it, not the one before the run) */
  assert_non_null(strstr(d1, "situação pendente"));
  assert_int_equal(r2.conferidas, r1.conferidas);
  assert_int_equal(r2.achados, r1.achados);
  assert_int_equal(r2.bloqueios_abertos, r1.bloqueios_abertos);
  assert_int_equal(r3.achados, r1.achados);
  assert_string_equal(d2, d1);
  assert_string_equal(d3, d1);
  fat_free(d1);
  fat_free(d2);
  fat_free(d3);
  remove_par(1);
  remove_par(2);
  remove_par(3);
}

/* What a threaded run keeps per thread is bounded (rodada 7): each read
** connection's page cache at FAT_CONFERIR_PAGINAS_THREAD_MB, so that the
** readers of 2 threads together hold no more than the connection that
** stores, and the small-block lists of a thread other than the caller's at
** FAT_CONFERIR_BLK_THREAD per kind. */
static void test_threads_memory_bounded_per_thread(void **state)
{
  fat_conferir_resumo r2;
  char *d2;

  (void)state;
  assert_true(2 * FAT_CONFERIR_PAGINAS_THREAD_MB <= FAT_STORE_PAGINAS_MB);
  assert_true(FAT_CONFERIR_BLK_THREAD < FAT_BLK_MAX_BYTES);
  make_demo(4, 400);
  d2 = conferir_par(4, 2, &r2);
  assert_int_equal(r2.threads, 2);
  assert_int_equal(r2.conferidas, 400);
  assert_int_equal(r2.paginas_mb_thread, FAT_CONFERIR_PAGINAS_THREAD_MB);
  assert_true(r2.paginas_thread_max > 0); /* it was measured */
  assert_true(r2.paginas_thread_max <= (int64_t)FAT_CONFERIR_PAGINAS_THREAD_MB * 1024 * 1024 * 11 / 10);
  assert_true(r2.blk_thread_max <= 2 * (size_t)FAT_CONFERIR_BLK_THREAD);
  fat_free(d2);
  remove_par(4);
}

/* The first column of the first row of sql (0 without one). */
static int64_t query_int(fat_store *st, const char *sql)
{
  sqlite3_stmt *s;
  int64_t v = 0;

  assert_int_equal(sqlite3_prepare_v2(fat_store_db(st), sql, -1, &s, NULL), SQLITE_OK);
  if (sqlite3_step(s) == SQLITE_ROW)
    v = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return v;
}

/* The threads of a run read through connections that map the database
** file when all their maps fit in FAT_CONFERIR_MMAP_MB; a file bigger than
** a map's share is read as before, with the same answers; the run on one
** thread maps nothing (the caller's connection, which writes). */
static void test_mmap_only_when_maps_fit(void **state)
{
  const int64_t mib = 1048576, cap = (int64_t)FAT_CONFERIR_MMAP_MB * mib;
  fat_conferir_resumo r1, r2, r1b, r2b;
  fat_store *st = NULL;
  fat_rules *rules;
  fat_conferir_opts o;
  char path[64], sql[96], *d1, *d2;
  fat_err err;

  (void)state;
  make_demo(13, 120);
  copy_par(13, 14);
  d1 = conferir_par(14, 1, &r1);
  assert_int_equal(r1.mmap_bytes, 0);
  copy_par(13, 14);
  d2 = conferir_par(14, 2, &r2);
  assert_int_equal(r2.threads, 2);
  assert_int_equal(r2.mmap_bytes, cap / 2);
  assert_string_equal(d1, d2);
  snprintf(path, sizeof path, DB_PAR, 13);
  assert_int_equal(fat_store_open(path, &st, &err), FAT_OK);
  rules = open_rules(st);
  memset(&o, 0, sizeof o);
  o.hoje = "2026-11-05";
  o.threads = 1;
  assert_int_equal(fat_conferir(st, rules, &o, NULL, NULL, &r1b, &err), FAT_OK);
  assert_int_equal(r1b.mmap_bytes, 0);
  assert_int_equal(query_int(st, "PRAGMA mmap_size"), 0);
  /* a file bigger than half the budget: 2 threads do not map it, with the
  ** same answers as one thread */
  assert_int_equal(fat_store_exec(st, "CREATE TABLE enchimento(b BLOB)", &err), FAT_OK);
  snprintf(sql, sizeof sql, "INSERT INTO enchimento VALUES (zeroblob(%lld))",
           (long long)(cap / 2 + mib));
  assert_int_equal(fat_store_exec(st, sql, &err), FAT_OK);
  assert_int_equal(fat_store_exec(st, "PRAGMA wal_checkpoint(TRUNCATE)", &err), FAT_OK);
  o.todas = 1;
  o.threads = 2;
  assert_int_equal(fat_conferir(st, rules, &o, NULL, NULL, &r2b, &err), FAT_OK);
  assert_int_equal(r2b.threads, 2);
  assert_int_equal(r2b.conferidas, 120);
  assert_int_equal(r2b.mmap_bytes, 0);
  fat_free(d2);
  d2 = dump_run(st);
  o.threads = 1;
  assert_int_equal(fat_conferir(st, rules, &o, NULL, NULL, &r1b, &err), FAT_OK);
  assert_int_equal(r1b.conferidas, 120);
  assert_int_equal(r1b.mmap_bytes, 0);
  fat_free(d1);
  d1 = dump_run(st);
  assert_string_equal(d1, d2);
  fat_rules_close(rules);
  fat_store_close(st);
  fat_free(d2);
  fat_free(d1);
  remove_par(13);
  remove_par(14);
}

/* Many threads on guias whose beneficiários interleave (each has guias all
** over the run, so a thread keeps needing statuses of guias another thread
** is evaluating, in batches of a few guias): the same findings, statuses,
** values and conferencia rows as one thread, whatever the thread count. */
static void test_threads_interleaved_beneficiarios_same_answers(void **state)
{
  static const int threads[] = {2, 3, 8, 16};
  fat_conferir_resumo r1, rn;
  char *d1, *dn;
  size_t i;

  (void)state;
  make_demo_b(10, 300, 5);
  copy_par(10, 11);
  d1 = conferir_par(11, 1, &r1);
  assert_int_equal(r1.conferidas, 300);
  assert_int_equal(r1.threads, 0);
  assert_non_null(strstr(d1, "situação pendente"));
  for (i = 0; i < sizeof threads / sizeof threads[0]; i++) {
    copy_par(10, 12);
    dn = conferir_par(12, threads[i], &rn);
    assert_int_equal(rn.threads, threads[i]);
    assert_int_equal(rn.conferidas, r1.conferidas);
    assert_int_equal(rn.achados, r1.achados);
    assert_int_equal(rn.com_bloqueio, r1.com_bloqueio);
    assert_int_equal(rn.valor_risco, r1.valor_risco);
    assert_int_equal(rn.bloqueios_abertos, r1.bloqueios_abertos);
    if (strcmp(dn, d1) != 0)
      fail_msg("%d threads gravaram outra coisa que 1 thread", threads[i]);
    fat_free(dn);
  }
  fat_free(d1);
  remove_par(10);
  remove_par(11);
  remove_par(12);
}

/* Leave only the first n guias of DB_PAR k to conferir (the others are
** cancelled). */
static void keep_guias(int k, int n)
{
  char path[64], sql[160];
  fat_store *st = NULL;
  fat_err err;

  snprintf(path, sizeof path, DB_PAR, k);
  assert_int_equal(fat_store_open(path, &st, &err), FAT_OK);
  snprintf(sql, sizeof sql,
           "UPDATE guia SET status = 'cancelada' WHERE id NOT IN "
           "(SELECT id FROM guia ORDER BY id LIMIT %d)", n);
  if (fat_store_exec(st, sql, &err) != FAT_OK)
    fail_msg("%s", err.msg);
  fat_store_close(st);
}

/* Tiny runs (fewer guias than threads, batches of one guia) end, on 1, 2
** and 8 threads, with the same answers as one thread. */
static void test_threads_tiny_inputs_end(void **state)
{
  static const int sizes[] = {9, 3, 2, 1}; /* each cancels more */
  static const int threads[] = {2, 8};
  fat_conferir_resumo r1, rn;
  char *d1, *dn;
  size_t i, j;

  (void)state;
  make_demo(20, 100); /* the demo's least */
  for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    keep_guias(20, sizes[i]);
    copy_par(20, 21);
    d1 = conferir_par(21, 1, &r1);
    assert_int_equal(r1.conferidas, (size_t)sizes[i]);
    for (j = 0; j < sizeof threads / sizeof threads[0]; j++) {
      copy_par(20, 22);
      dn = conferir_par(22, threads[j], &rn);
      assert_int_equal(rn.conferidas, r1.conferidas);
      assert_int_equal(rn.achados, r1.achados);
      assert_string_equal(dn, d1);
      fat_free(dn);
    }
    fat_free(d1);
  }
  remove_par(20);
  remove_par(21);
  remove_par(22);
}

/* The 0-based place of the guia whose storing fails: in the second chunk. */
#define FALHA_EM (FAT_CONFERIR_CHUNK + 150)

/* Storing fails at guia FALHA_EM (0-based), in the second chunk: a
** trigger `quando` = that guia's id refuses it. On each of `threads` the
** run answers an error holding "guia ID:" and then `espera`, the first
** chunk stays stored, the failed chunk is rolled back whole
** (the database the same on every thread count) and no thread is left
** waiting; `conferidas` guias were reported (-1: from FALHA_EM up to the end of
** that chunk). Databases k and k + 1. */
static void store_failure_same_as_one(int k, const char *quando, const char *espera,
                                      const int *threads, size_t n_threads, long conferidas)
{
  char path[64], sql[256], *d1 = NULL, *dn = NULL, guia[96];
  fat_store *st = NULL;
  fat_conferir_resumo r;
  fat_err err;
  int64_t alvo;
  size_t i;

  make_demo(k, FAT_CONFERIR_CHUNK + 300);
  snprintf(path, sizeof path, DB_PAR, k);
  assert_int_equal(fat_store_open(path, &st, &err), FAT_OK);
  snprintf(sql, sizeof sql, "SELECT id FROM guia ORDER BY id LIMIT 1 OFFSET %d", FALHA_EM);
  alvo = query_int(st, sql);
  assert_true(alvo > 0);
  snprintf(sql, sizeof sql,
           "CREATE TRIGGER falha_teste %s = %lld BEGIN SELECT RAISE(ABORT, 'falha de teste'); END",
           quando, (long long)alvo);
  assert_int_equal(fat_store_exec(st, sql, &err), FAT_OK);
  fat_store_close(st);
  snprintf(guia, sizeof guia, "guia %lld:%s", (long long)alvo, espera);
  for (i = 0; i < n_threads; i++) {
    copy_par(k, k + 1);
    assert_int_not_equal(conferir_par_rc(k + 1, threads[i], &r, &err, &dn), FAT_OK);
    assert_non_null(strstr(err.msg, guia));
    assert_non_null(strstr(err.msg, "falha de teste"));
    /* the guias before it were checked (the first chunk's stay stored) */
    if (conferidas >= 0)
      assert_int_equal(r.conferidas, (size_t)conferidas);
    else
      assert_true(r.conferidas >= FALHA_EM && r.conferidas < FAT_CONFERIR_CHUNK * 2);
    if (d1 == NULL)
      d1 = dn;
    else if (strcmp(dn, d1) != 0)
      fail_msg("%d threads: o banco depois da falha difere do de 1 thread", threads[i]);
    if (dn != d1)
      fat_free(dn);
  }
  fat_free(d1);
  remove_par(k);
  remove_par(k + 1);
}

/* A trigger refuses one guia's conferencia row. */
static void test_threads_store_failure_same_as_one(void **state)
{
  static const int threads[] = {1, 2, 4};

  (void)state;
  store_failure_same_as_one(30, "BEFORE INSERT ON conferencia WHEN NEW.guia_id", "", threads,
                            sizeof threads / sizeof threads[0], FALHA_EM);
}

/* The same failure in a later window of 100 guias (read in pages
** of 7): the threads kept from the first window stop with it, and the
** windows before it stay stored, as on one thread. */
static void test_threads_failure_in_later_window(void **state)
{
  static const int threads[] = {1, 2, 3};

  (void)state;
  fat_conferir_janela_teste(100);
  fat_conferir_pagina_teste(7);
  store_failure_same_as_one(34, "BEFORE INSERT ON conferencia WHEN NEW.guia_id", "", threads,
                            sizeof threads / sizeof threads[0], FALHA_EM);
  fat_conferir_janela_teste(0);
  fat_conferir_pagina_teste(0);
}

/* A trigger refuses one guia's new status: statuses are written several
** guias at a time (rodada 9), and the error still names that guia, with the
** message of one guia's UPDATE. */
static void test_status_failure_names_its_guia(void **state)
{
  static const int threads[] = {1, 2};

  (void)state;
  store_failure_same_as_one(32, "BEFORE UPDATE OF status ON guia WHEN NEW.id",
                            " erro ao atualizar a situação da guia", threads,
                            sizeof threads / sizeof threads[0], -1);
}

/* What the callback was told of each finding: its guia, code and row id;
** and the guias told, in order (g[k], its findings from first[k]). */
typedef struct ids_vistos {
  size_t n, cap, ng, capg;
  int64_t *id, *guia, *g;
  size_t *first;
  char (*codigo)[64];
} ids_vistos;

static void on_guia_ids(void *ud, const fat_conferir_guia *g)
{
  ids_vistos *v = ud;
  size_t i;

  if (v->ng == v->capg) {
    v->capg = v->capg ? v->capg * 2 : 256;
    v->g = realloc(v->g, v->capg * sizeof *v->g);
    v->first = realloc(v->first, v->capg * sizeof *v->first);
    assert_non_null(v->g);
    assert_non_null(v->first);
  }
  v->g[v->ng] = g->guia_id;
  v->first[v->ng++] = v->n;
  for (i = 0; i < g->achados->n; i++) {
    if (v->n == v->cap) {
      v->cap = v->cap ? v->cap * 2 : 256;
      v->id = realloc(v->id, v->cap * sizeof *v->id);
      v->guia = realloc(v->guia, v->cap * sizeof *v->guia);
      v->codigo = realloc(v->codigo, v->cap * sizeof *v->codigo);
      assert_non_null(v->id);
      assert_non_null(v->guia);
      assert_non_null(v->codigo);
    }
    v->id[v->n] = g->achado_ids[i];
    v->guia[v->n] = g->guia_id;
    snprintf(v->codigo[v->n], sizeof v->codigo[0], "%s", g->achados->v[i].codigo);
    v->n++;
  }
}

/* The ids SQLite gives when each guia's new rows are inserted one by one
** and then its rows no finding took are deleted, guia after guia (the
** order of conferir before rodada 11): old[0..n_old) the rows before the
** run (ids and guias); every id told must be an old row of its guia or
** the one this gives. */
static void ids_as_one_by_one(const ids_vistos *v, int64_t *old_id, const int64_t *old_guia,
                              size_t n_old)
{
  size_t k, i, j, n_vivos = n_old, cap = n_old + v->n + 1;
  int64_t *vivo = malloc(cap * sizeof *vivo), maior;
  int *tomado = calloc(n_old + 1, sizeof *tomado);

  assert_non_null(vivo);
  assert_non_null(tomado);
  memcpy(vivo, old_id, n_old * sizeof *vivo);
  for (k = 0; k < v->ng; k++) {
    size_t to = k + 1 < v->ng ? v->first[k + 1] : v->n;

    for (i = v->first[k]; i < to; i++) {
      for (j = 0; j < n_old; j++)
        if (old_id[j] == v->id[i] && old_guia[j] == v->g[k] && !tomado[j])
          break;
      if (j < n_old) {
        tomado[j] = 1;
        continue;
      }
      for (maior = 0, j = 0; j < n_vivos; j++)
        if (vivo[j] > maior)
          maior = vivo[j];
      if (v->id[i] != maior + 1)
        fail_msg("guia %lld: achado novo com id %lld, não %lld", (long long)v->g[k],
                 (long long)v->id[i], (long long)(maior + 1));
      vivo[n_vivos++] = v->id[i];
    }
    /* the guia's rows no finding took are deleted */
    for (j = 0; j < n_old; j++) {
      size_t m;

      if (old_guia[j] != v->g[k] || tomado[j])
        continue;
      for (m = 0; m < n_vivos; m++)
        if (vivo[m] == old_id[j]) {
          vivo[m] = vivo[--n_vivos];
          break;
        }
    }
  }
  free(vivo);
  free(tomado);
}

/* conferir --todas of DB_PAR k on nthreads threads on day hoje: every id
** the callback was told is the row of that finding and the id SQLite would
** have given it inserted alone (ids_as_one_by_one), and the table holds
** just those rows (--todas deletes the rows no finding took). Returns the
** number of findings. */
static size_t conferir_ids(int k, int nthreads, const char *hoje)
{
  char path[64];
  fat_store *st = NULL;
  fat_rules *rules;
  fat_conferir_opts o;
  fat_conferir_resumo res;
  ids_vistos v;
  fat_err err;
  sqlite3_stmt *s;
  size_t i, n, n_old = 0;
  int64_t *old_id, *old_guia;

  memset(&v, 0, sizeof v);
  snprintf(path, sizeof path, DB_PAR, k);
  assert_int_equal(fat_store_open(path, &st, &err), FAT_OK);
  n = (size_t)query_int(st, "SELECT count(*) FROM achado");
  old_id = malloc((n + 1) * sizeof *old_id);
  old_guia = malloc((n + 1) * sizeof *old_guia);
  assert_non_null(old_id);
  assert_non_null(old_guia);
  assert_int_equal(sqlite3_prepare_v2(fat_store_db(st), "SELECT id, guia_id FROM achado", -1,
                                      &s, NULL),
                   SQLITE_OK);
  while (sqlite3_step(s) == SQLITE_ROW && n_old < n) {
    old_id[n_old] = sqlite3_column_int64(s, 0);
    old_guia[n_old++] = sqlite3_column_int64(s, 1);
  }
  sqlite3_finalize(s);
  rules = open_rules(st);
  memset(&o, 0, sizeof o);
  o.hoje = hoje;
  o.threads = nthreads;
  o.todas = 1;
  if (fat_conferir(st, rules, &o, on_guia_ids, &v, &res, &err) != FAT_OK)
    fail_msg("conferir (%d threads): %s", nthreads, err.msg);
  assert_int_equal(v.n, res.achados);
  assert_int_equal(v.ng, res.conferidas);
  ids_as_one_by_one(&v, old_id, old_guia, n_old);
  assert_int_equal(sqlite3_prepare_v2(fat_store_db(st),
                                      "SELECT guia_id, codigo FROM achado WHERE id = ?1", -1, &s,
                                      NULL),
                   SQLITE_OK);
  for (i = 0; i < v.n; i++) {
    sqlite3_bind_int64(s, 1, v.id[i]);
    if (sqlite3_step(s) != SQLITE_ROW)
      fail_msg("achado %lld (guia %lld) informado e não gravado", (long long)v.id[i],
               (long long)v.guia[i]);
    assert_int_equal(sqlite3_column_int64(s, 0), v.guia[i]);
    assert_string_equal((const char *)sqlite3_column_text(s, 1), v.codigo[i]);
    sqlite3_reset(s);
  }
  sqlite3_finalize(s);
  n = (size_t)query_int(st, "SELECT count(*) FROM achado");
  assert_int_equal(n, v.n);
  free(old_id);
  free(old_guia);
  free(v.id);
  free(v.guia);
  free(v.codigo);
  free(v.g);
  free(v.first);
  fat_rules_close(rules);
  fat_store_close(st);
  return n;
}

/* New achado rows are written several guias at a time, each with the id
** SQLite would have given it inserted alone (rodada 11): the ids the
** callback tells are those of the rows and those ids (conferir_ids), on
** the first check and on a re-check that deletes the row with the largest
** id (a finding no longer found) of the first guia or of one in the middle
** of the run (new rows of earlier guias waiting to be written); the same
** rows on 1 and 2 threads. */
static void test_achado_ids_are_the_rows(void **state)
{
  static const int threads[] = {1, 2};
  static const int offsets[] = {0, 150};
  char path[64], sql[512], *d1, *dn;
  fat_store *st = NULL;
  fat_err err;
  int64_t guia, maior;
  size_t i, j, antes, depois;

  (void)state;
  make_demo(40, 300);
  antes = conferir_ids(40, 1, "2026-11-05");
  assert_true(antes > 20);
  for (j = 0; j < sizeof offsets / sizeof offsets[0]; j++) {
    copy_par(40, 42);
    snprintf(path, sizeof path, DB_PAR, 42);
    assert_int_equal(fat_store_open(path, &st, &err), FAT_OK);
    snprintf(sql, sizeof sql, "SELECT id FROM guia ORDER BY id LIMIT 1 OFFSET %d", offsets[j]);
    guia = query_int(st, sql);
    maior = query_int(st, "SELECT max(id) FROM achado");
    snprintf(sql, sizeof sql,
             "INSERT INTO achado(id, guia_id, codigo, severidade, mensagem, regra, guia_revisao, "
             "chave) SELECT %lld, id, 'TESTE', 'alerta', 'teste', 'builtin', revisao, 'teste' "
             "FROM guia WHERE id = %lld",
             (long long)(maior + 1000), (long long)guia);
    assert_int_equal(fat_store_exec(st, sql, &err), FAT_OK);
    fat_store_close(st);
    d1 = NULL;
    for (i = 0; i < sizeof threads / sizeof threads[0]; i++) {
      copy_par(42, 41);
      depois = conferir_ids(41, threads[i], "2026-12-20");
      assert_true(depois > antes);
      snprintf(path, sizeof path, DB_PAR, 41);
      assert_int_equal(fat_store_open(path, &st, &err), FAT_OK);
      assert_int_equal(query_int(st, "SELECT count(*) FROM achado WHERE codigo = 'TESTE'"), 0);
      dn = dump_run(st);
      fat_store_close(st);
      if (d1 == NULL)
        d1 = dn;
      else {
        assert_string_equal(dn, d1);
        fat_free(dn);
      }
    }
    fat_free(d1);
  }
  remove_par(40);
  remove_par(41);
  remove_par(42);
}

/* A trigger refuses one guia's new achado row: new rows are written
** several guias at a time (rodada 11), and the error still names that
** guia, with the message of one row's INSERT; nothing of the chunk stays,
** the same on 1 and 2 threads. */
static void test_achado_failure_names_its_guia(void **state)
{
  static const int threads[] = {1, 2};
  char path[64], sql[256], guia[64], *d1 = NULL, *dn = NULL;
  fat_store *st = NULL;
  fat_conferir_resumo r;
  fat_err err;
  int64_t alvo;
  size_t i;

  (void)state;
  make_demo(42, 300);
  copy_par(42, 43);
  (void)conferir_ids(43, 1, "2026-11-05");
  snprintf(path, sizeof path, DB_PAR, 43);
  assert_int_equal(fat_store_open(path, &st, &err), FAT_OK);
  /* a guia with findings well after the first ACH_BATCH rows */
  alvo = query_int(st, "SELECT guia_id FROM achado ORDER BY id LIMIT 1 OFFSET 70");
  fat_store_close(st);
  assert_true(alvo > 0);
  snprintf(path, sizeof path, DB_PAR, 42);
  assert_int_equal(fat_store_open(path, &st, &err), FAT_OK);
  snprintf(sql, sizeof sql,
           "CREATE TRIGGER falha_teste BEFORE INSERT ON achado WHEN NEW.guia_id = %lld "
           "BEGIN SELECT RAISE(ABORT, 'falha de teste'); END",
           (long long)alvo);
  assert_int_equal(fat_store_exec(st, sql, &err), FAT_OK);
  fat_store_close(st);
  snprintf(guia, sizeof guia, "guia %lld: erro ao gravar achado", (long long)alvo);
  for (i = 0; i < sizeof threads / sizeof threads[0]; i++) {
    copy_par(42, 43);
    assert_int_not_equal(conferir_par_rc(43, threads[i], &r, &err, &dn), FAT_OK);
    assert_non_null(strstr(err.msg, guia));
    assert_null(strstr(err.msg + 1, "guia "));
    assert_non_null(strstr(err.msg, "falha de teste"));
    if (d1 == NULL)
      d1 = dn;
    else {
      assert_string_equal(dn, d1);
      fat_free(dn);
    }
  }
  /* the one chunk was rolled back whole */
  assert_null(strstr(d1, "\nc"));
  fat_free(d1);
  remove_par(42);
  remove_par(43);
}

/* The audit detail of DB_PAR k's last conferir and its re-check state
** after marking every third guia as needing a check again. */
static char *last_audit(int k)
{
  char path[64], *out;
  fat_store *st = NULL;
  fat_err err;
  sqlite3_stmt *s;

  snprintf(path, sizeof path, DB_PAR, k);
  assert_int_equal(fat_store_open(path, &st, &err), FAT_OK);
  assert_int_equal(sqlite3_prepare_v2(fat_store_db(st),
                                      "SELECT detalhe FROM auditoria WHERE acao = 'conferir' "
                                      "ORDER BY id DESC LIMIT 1",
                                      -1, &s, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_step(s), SQLITE_ROW);
  out = fat_strdup((const char *)sqlite3_column_text(s, 0));
  sqlite3_finalize(s);
  /* the re-check that follows: every third guia's check is out of date */
  if (fat_store_exec(st, "UPDATE conferencia SET reconferir_em = '2026-11-01' WHERE guia_id % 3 = 0",
                     &err) != FAT_OK)
    fail_msg("%s", err.msg);
  fat_store_close(st);
  assert_non_null(out);
  return out;
}

/* The guias read a window at a time (FAT_CONFERIR_JANELA; here windows of
** 64 and 7 guias, on 1, 2 and 3 threads, beneficiários interleaved so that
** duplicates and histories cross windows): the same findings, statuses,
** values, conferencia rows, counts and audit as all the guias at once, on
** the first check and on a re-check that skips the unchanged guias. */
static void test_janelas_same_answers(void **state)
{
  /* pagina: rows per page of the select; with threads and a pagina, the
  ** threads start after the window's first 2 guias and worker 0 reads the
  ** rest of the window while the others evaluate (par_fill) */
  static const struct {
    size_t janela, pagina;
    int threads;
  } casos[] = {{64, 0, 1}, {64, 0, 2}, {7, 0, 1}, {7, 0, 3},
               {64, 5, 2}, {0, 5, 2}, {0, 1, 3}, {7, 3, 3}, {0, 40, 2}};
  fat_conferir_resumo r1, rn, s1, sn;
  char *d1, *dn, *a1, *an, *e1, *en;
  size_t i;

  (void)state;
  make_demo_b(40, 300, 5);
  copy_par(40, 41);
  d1 = conferir_par(41, 1, &r1);
  a1 = last_audit(41);
  e1 = conferir_par(41, 1, &s1); /* the re-check */
  assert_int_equal(r1.conferidas, 300);
  assert_int_equal(s1.selecionadas, 300);
  assert_int_equal(s1.conferidas, 100);
  assert_int_equal(s1.sem_mudanca, 200);
  for (i = 0; i < sizeof casos / sizeof casos[0]; i++) {
    copy_par(40, 42);
    fat_conferir_janela_teste(casos[i].janela);
    fat_conferir_pagina_teste(casos[i].pagina);
    dn = conferir_par(42, casos[i].threads, &rn);
    an = last_audit(42);
    en = conferir_par(42, casos[i].threads, &sn);
    fat_conferir_janela_teste(0);
    fat_conferir_pagina_teste(0);
    assert_int_equal(rn.conferidas, r1.conferidas);
    assert_int_equal(rn.selecionadas, r1.selecionadas);
    assert_int_equal(rn.achados, r1.achados);
    assert_int_equal(rn.bloqueios_abertos, r1.bloqueios_abertos);
    assert_int_equal(sn.selecionadas, s1.selecionadas);
    assert_int_equal(sn.sem_mudanca, s1.sem_mudanca);
    assert_int_equal(sn.conferidas, s1.conferidas);
    assert_int_equal(sn.bloqueios_abertos, s1.bloqueios_abertos);
    if (strcmp(dn, d1) != 0 || strcmp(en, e1) != 0)
      fail_msg("janela de %zu, página de %zu, %d threads: gravou outra coisa", casos[i].janela,
               casos[i].pagina, casos[i].threads);
    assert_string_equal(an, a1);
    fat_free(dn);
    fat_free(an);
    fat_free(en);
  }
  fat_free(d1);
  fat_free(a1);
  fat_free(e1);
  remove_par(40);
  remove_par(41);
  remove_par(42);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_casos),
    cmocka_unit_test(test_duplicidade_e_reconhecimento),
    cmocka_unit_test(test_opcoes_recusadas),
    cmocka_unit_test(test_guia_em_lote_nao_muda),
    cmocka_unit_test(test_enviavel),
    cmocka_unit_test(test_reconhecer_recusa_o_que_o_xsd_nao_leva),
    cmocka_unit_test(test_avaliar_nao_grava),
    cmocka_unit_test(test_historico_so_quando_lido),
    cmocka_unit_test(test_oom),
    cmocka_unit_test(test_threads_same_answers_as_one),
    cmocka_unit_test(test_threads_memory_bounded_per_thread),
    cmocka_unit_test(test_threads_interleaved_beneficiarios_same_answers),
    cmocka_unit_test(test_mmap_only_when_maps_fit),
    cmocka_unit_test(test_threads_tiny_inputs_end),
    cmocka_unit_test(test_threads_store_failure_same_as_one),
    cmocka_unit_test(test_threads_failure_in_later_window),
    cmocka_unit_test(test_status_failure_names_its_guia),
    cmocka_unit_test(test_achado_ids_are_the_rows),
    cmocka_unit_test(test_achado_failure_names_its_guia),
    cmocka_unit_test(test_janelas_same_answers),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
