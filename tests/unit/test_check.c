/* test_check.c: built-in conferir checks (fat_docnum, fat_check), table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fat_avaliar.h"
#include "fat_check.h"
#include "fat_contrato.h"
#include "fat_dia.h"
#include "fat_docnum.h"
#include "fat_mem.h"
#include "fat_store_int.h"

/* ------------------------------------------------------------------------
** Document numbers and formats
*/

typedef struct str_case {
  const char *in;
  int valid;
} str_case;

static void run_cases(const str_case *cases, int (*fn)(const char *), const char *what)
{
  int i;

  for (i = 0; cases[i].in != NULL; i++) {
    if (fn(cases[i].in) != cases[i].valid)
      fail_msg("%s('%s') should be %d", what, cases[i].in, cases[i].valid);
  }
}

static void test_cpf(void **state)
{
  static const str_case cases[] = {
    {"52998224725", 1},    {"529.982.247-25", 1}, {"11144477735", 1}, {"12345678909", 1},
    {"52998224726", 0},    {"52998224715", 0},    {"11111111111", 0}, {"00000000000", 0},
    {"5299822472", 0},     {"529982247250", 0},   {"5299822472a", 0}, {"", 0},
    {NULL, 0}};

  (void)state;
  run_cases(cases, fat_doc_cpf_valid, "cpf");
  assert_false(fat_doc_cpf_valid(NULL));
}

static void test_cnpj(void **state)
{
  static const str_case cases[] = {
    {"11222333000181", 1},     {"11.222.333/0001-81", 1}, {"12ABC34501DE35", 1},
    {"12.ABC.345/01DE-35", 1}, {"11222333000182", 0},     {"11222333000191", 0},
    {"12ABC34501DE36", 0},     {"00000000000000", 0},     {"1122233300018", 0},
    {"12ABC34501DEA5", 0},     {"12abc34501de35", 0},     {NULL, 0}};

  (void)state;
  run_cases(cases, fat_doc_cnpj_valid, "cnpj");
}

static void test_cns(void **state)
{
  static const str_case cases[] = {
    /* definitive (1/2): rebuilt from the PIS, "000"+DV or "001"+DV */
    {"123456789010000", 1}, {"200000000010009", 1}, {"100000000060018", 1},
    {"123 4567 8901 0000", 1},
    {"123456789010001", 0}, /* wrong DV */
    {"100000000000023", 0}, /* weighted sum ok but not "000"/"001" + DV */
    {"100000000060008", 0}, /* DV 10 case must use "001" */
    /* provisional (7/8/9): weighted sum multiple of 11 */
    {"700000000000005", 1}, {"898001628393523", 1},
    {"700000000000006", 0}, {"898001628393524", 0},
    /* other first digits, lengths */
    {"300000000000000", 0}, {"000000000000000", 0}, {"12345678901000", 0},
    {"1234567890100000", 0}, {"12345678901000x", 0}, {NULL, 0}};

  (void)state;
  run_cases(cases, fat_doc_cns_valid, "cns");
}

static void test_cbo_conselho_uf(void **state)
{
  static const str_case cbo[] = {{"225125", 1}, {"223505", 1}, {"22512", 0},
                                 {"2251255", 0}, {"2251-25", 0}, {"22512a", 0}, {NULL, 0}};
  static const str_case cons[] = {{"CRM", 1}, {"CRO", 1}, {"COREN", 1}, {"CREFITO", 1},
                                  {"crm", 0}, {"CRMV", 0}, {"", 0}, {NULL, 0}};
  static const str_case uf[] = {{"SP", 1}, {"DF", 1}, {"TO", 1}, {"XX", 0},
                                {"sp", 0}, {"SPA", 0}, {NULL, 0}};
  static const str_case num[] = {{"123456", 1}, {"1", 1}, {"123456789012345", 1},
                                 {"1234567890123456", 0}, {"12A45", 0}, {"", 0}, {NULL, 0}};

  (void)state;
  run_cases(cbo, fat_doc_cbo_valid, "cbo");
  run_cases(cons, fat_doc_conselho_valid, "conselho");
  run_cases(uf, fat_doc_uf_valid, "uf");
  run_cases(num, fat_doc_numero_conselho_valid, "numero_conselho");
}

static void test_tuss_codes(void **state)
{
  static const struct {
    const char *tabela, *codigo;
    int valid;
  } cases[] = {
    {"22", "10101012", 1}, {"22", "1010101", 0},   {"22", "101010123", 0}, {"22", "1010101A", 0},
    {"22", "", 0},         {"18", "60000775", 1},  {"18", "6000077", 0},   {"19", "70012345", 1},
    {"19", "7001234X", 0}, {"20", "90012345", 1},  {"20", "900123456", 0}, {"98", "PCT-01", 1},
    {"98", "PACOTE12345", 0}, {"00", "A1.2", 1},   {"00", "A 1", 0},       {"90", "12", 1},
    {"21", "10101012", 0}, {NULL, "10101012", 0},  {"22", NULL, 0},
  };
  size_t i;

  (void)state;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
    if (fat_doc_tuss_code_valid(cases[i].tabela, cases[i].codigo) != cases[i].valid)
      fail_msg("tuss(%s, %s) should be %d", cases[i].tabela ? cases[i].tabela : "NULL",
               cases[i].codigo ? cases[i].codigo : "NULL", cases[i].valid);
}

/* dates and times are fat_dia's: tests/unit/test_dia.c */
static void test_cid_dates_times(void **state)
{
  static const str_case cid[] = {{"J06", 1}, {"J069", 1}, {"J06.9", 1}, {"S72X", 1},
                                 {"J6", 0},  {"j069", 0}, {"J06.", 0}, {"J0699", 0},
                                 {"106", 0}, {NULL, 0}};

  (void)state;
  run_cases(cid, fat_doc_cid_valid, "cid");
}

/* ------------------------------------------------------------------------
** A clean SP/SADT guia and mutations of it
*/

#define HOJE "2025-04-01"

static char *S(const char *s) { return fat_strdup(s); }

static fat_profissional *make_prof(void)
{
  fat_profissional *p = fat_calloc(1, sizeof *p);

  assert_non_null(p);
  p->nome = S("Dra. Ana Souza");
  p->cpf = S("11144477735");
  p->conselho = S("CRM");
  p->numero_conselho = S("123456");
  p->uf = S("SP");
  p->cbo = S("225125");
  return p;
}

static void set_item(fat_item *it, int seq, const char *tipo, const char *tab, const char *cod,
                     int64_t qty_e4, int64_t unit, int64_t total)
{
  memset(it, 0, sizeof *it);
  it->sequencial = seq;
  it->tipo = S(tipo);
  it->codigo_tabela = S(tab);
  it->codigo = S(cod);
  it->quantidade_e4 = qty_e4;
  it->valor_unitario = unit;
  it->valor_total = total;
  it->fator_e2 = 100;
  it->data = S("2025-03-10");
}

static fat_guia *make_guia(void)
{
  fat_guia *g = fat_calloc(1, sizeof *g);

  assert_non_null(g);
  g->tipo = FAT_GUIA_SADT;
  g->operadora.registro_ans = S("312347");
  g->prestador.nome = S("Clínica Teste");
  g->prestador.cnpj = S("11222333000181");
  g->beneficiario.nome = S("Maria da Silva");
  g->beneficiario.cpf = S("52998224725");
  g->beneficiario.sexo = S("F");
  g->beneficiario.nascimento = S("1980-05-20");
  g->numero_prestador = S("G-1");
  g->beneficiario_nome = S("Maria da Silva");
  g->carteira_numero = S("0012345678901234");
  g->carteira_validade = S("2026-12-31");
  g->cns = S("898001628393523");
  g->senha = S("S998877");
  g->data_autorizacao = S("2025-03-01");
  g->validade_senha = S("2025-03-31");
  g->cid = S("J069");
  g->data_inicio = S("2025-03-10");
  g->hora_inicio = S("08:30:00");
  g->executante = make_prof();
  g->assinatura_beneficiario = 1;
  g->pedido_medico = 1;
  g->itens = fat_calloc(2, sizeof *g->itens);
  assert_non_null(g->itens);
  g->n_itens = 2;
  set_item(&g->itens[0], 1, "procedimento", "22", "40301630", 10000, 1500, 1500);
  set_item(&g->itens[1], 2, "material", "19", "70012345", 20000, 250, 500);
  g->valor_total = 2000;
  g->revisao = 1;
  return g;
}

static void opts_init(fat_check_opts *o, const char *hoje, int prazo)
{
  assert_int_equal(fat_dia_parse(hoje, &o->hoje), 0);
  o->prazo_apresentacao_dias = prazo;
}

static void repl(char **field, const char *v)
{
  fat_free(*field);
  *field = v != NULL ? fat_strdup(v) : NULL;
}

/* mutations: each makes exactly one defect */
static void m_none(fat_guia *g) { (void)g; }
static void m_carteira_null(fat_guia *g) { repl(&g->carteira_numero, NULL); }
static void m_carteira_blank(fat_guia *g) { repl(&g->carteira_numero, ""); }
static void m_nome(fat_guia *g)
{
  repl(&g->beneficiario_nome, NULL);
  repl(&g->beneficiario.nome, NULL);
}
static void m_data(fat_guia *g)
{
  repl(&g->data_inicio, NULL);
}
static void m_sem_itens(fat_guia *g)
{
  size_t i;

  for (i = 0; i < g->n_itens; i++) {
    fat_free(g->itens[i].tipo);
    fat_free(g->itens[i].codigo_tabela);
    fat_free(g->itens[i].codigo);
    fat_free(g->itens[i].data);
  }
  g->n_itens = 0;
  g->valor_total = 0;
}
static void m_conselho_num(fat_guia *g) { repl(&g->executante->numero_conselho, NULL); }
static void m_cbo_null(fat_guia *g) { repl(&g->executante->cbo, NULL); }
static void m_cbo_bad(fat_guia *g) { repl(&g->executante->cbo, "22512"); }
static void m_uf_bad(fat_guia *g) { repl(&g->executante->uf, "XX"); }
static void m_sem_exec(fat_guia *g)
{
  fat_profissional_free(g->executante);
  g->executante = NULL;
}
static void m_cpf(fat_guia *g) { repl(&g->beneficiario.cpf, "52998224726"); }
static void m_cpf_prof(fat_guia *g) { repl(&g->executante->cpf, "11144477736"); }
static void m_cnpj(fat_guia *g) { repl(&g->prestador.cnpj, "11222333000182"); }
static void m_cns(fat_guia *g) { repl(&g->cns, "898001628393524"); }
static void m_cns_def(fat_guia *g) { repl(&g->cns, "100000000000023"); }
static void m_cns_ok_def(fat_guia *g) { repl(&g->cns, "100000000060018"); }
static void m_cid(fat_guia *g) { repl(&g->cid, "J6"); }
static void m_codigo(fat_guia *g) { repl(&g->itens[0].codigo, "4030163"); }
static void m_tabela(fat_guia *g) { repl(&g->itens[1].codigo_tabela, "22"); }
static void m_qtd(fat_guia *g)
{
  g->itens[0].quantidade_e4 = 0;
  g->itens[0].valor_total = 0;
  g->valor_total = 500;
}
static void m_data_item(fat_guia *g) { repl(&g->itens[0].data, "2025-02-30"); }
static void m_hora(fat_guia *g) { repl(&g->hora_inicio, "25:00"); }
static void m_senha_venc(fat_guia *g) { repl(&g->validade_senha, "2025-03-09"); }
static void m_senha_mesmo_dia(fat_guia *g) { repl(&g->validade_senha, "2025-03-10"); }
static void m_antes_aut(fat_guia *g) { repl(&g->data_autorizacao, "2025-03-11"); }
static void m_cart_venc(fat_guia *g) { repl(&g->carteira_validade, "2025-03-09"); }
static void m_total(fat_guia *g) { g->valor_total = 2100; }
static void m_item_total(fat_guia *g)
{
  g->itens[0].valor_total = 1600;
  g->valor_total = 2100;
}
static void m_sem_valor(fat_guia *g)
{
  g->itens[0].valor_unitario = FAT_ABSENT;
  g->itens[0].valor_total = FAT_ABSENT;
  g->valor_total = 12345; /* not comparable until priced */
}
static void m_sexo(fat_guia *g)
{
  repl(&g->beneficiario.sexo, "M");
  repl(&g->itens[0].codigo, "40901122");
}
static void m_sexo_ok(fat_guia *g) { repl(&g->itens[0].codigo, "40901122"); }
static void m_sexo_i(fat_guia *g)
{
  repl(&g->beneficiario.sexo, "I");
  repl(&g->itens[0].codigo, "40601137");
}
static void m_prazo(fat_guia *g)
{
  repl(&g->data_inicio, "2024-12-01"); /* 121 days before HOJE */
  repl(&g->data_autorizacao, "2024-11-30");
  repl(&g->validade_senha, "2024-12-30");
  repl(&g->itens[0].data, "2024-12-01");
  repl(&g->itens[1].data, "2024-12-01");
}
static void m_prazo_borda(fat_guia *g)
{
  repl(&g->data_inicio, "2025-01-01"); /* exactly 90 days before HOJE: still on time */
  repl(&g->data_autorizacao, "2025-01-01");
  repl(&g->validade_senha, "2025-01-30");
}
static void m_futura(fat_guia *g)
{
  repl(&g->data_inicio, "2025-04-02");
  repl(&g->validade_senha, "2025-04-30");
}
static void to_internacao(fat_guia *g)
{
  g->tipo = FAT_GUIA_INTERNACAO;
  repl(&g->data_fim, "2025-03-12");
}
static void m_intern_ok(fat_guia *g) { to_internacao(g); }
static void m_intern_senha(fat_guia *g)
{
  to_internacao(g);
  repl(&g->senha, NULL);
}
static void m_fora_periodo(fat_guia *g)
{
  to_internacao(g);
  repl(&g->itens[1].data, "2025-03-13");
}
static void m_antes_periodo(fat_guia *g)
{
  to_internacao(g);
  repl(&g->itens[1].data, "2025-03-09");
}
static void m_fim_antes(fat_guia *g)
{
  to_internacao(g);
  repl(&g->data_fim, "2025-03-09");
  repl(&g->itens[0].data, NULL);
  repl(&g->itens[1].data, NULL);
}
static void m_consulta_material(fat_guia *g) { g->tipo = FAT_GUIA_CONSULTA; }
static void m_sadt_sem_senha(fat_guia *g) { repl(&g->senha, NULL); }

typedef struct check_case {
  const char *name;
  void (*mutate)(fat_guia *g);
  const char *code;  /* expected finding code; NULL = no finding at all */
  fat_severidade sev;
  const char *campo; /* expected field path (NULL: not checked) */
  const char *glosa; /* expected glosa (NULL: not checked) */
  int64_t risco;     /* expected value at risk (-1: not checked) */
} check_case;

static const check_case check_cases[] = {
  {"guia limpa", m_none, NULL, FAT_ALERTA, NULL, NULL, -1},
  {"CNS definitivo válido", m_cns_ok_def, NULL, FAT_ALERTA, NULL, NULL, -1},
  {"senha vence no dia do atendimento", m_senha_mesmo_dia, NULL, FAT_ALERTA, NULL, NULL, -1},
  {"procedimento feminino em mulher", m_sexo_ok, NULL, FAT_ALERTA, NULL, NULL, -1},
  {"sexo indeterminado não é comparado", m_sexo_i, NULL, FAT_ALERTA, NULL, NULL, -1},
  {"prazo no último dia", m_prazo_borda, NULL, FAT_ALERTA, NULL, NULL, -1},
  {"internação coerente", m_intern_ok, NULL, FAT_ALERTA, NULL, NULL, -1},
  {"SADT sem senha: exigência do script, não do builtin", m_sadt_sem_senha, NULL, FAT_ALERTA,
   NULL, NULL, -1},
  {"carteira ausente", m_carteira_null, "CARTEIRA_AUSENTE", FAT_BLOQUEIO, "carteira_numero",
   "1001", 2000},
  {"carteira em branco", m_carteira_blank, "CARTEIRA_AUSENTE", FAT_BLOQUEIO, "carteira_numero",
   "1001", 2000},
  {"nome ausente", m_nome, "BENEFICIARIO_NOME_AUSENTE", FAT_BLOQUEIO, "beneficiario_nome",
   "1320", 2000},
  {"data ausente", m_data, "DATA_ATENDIMENTO_AUSENTE", FAT_BLOQUEIO, "data_inicio", "1317",
   2000},
  {"sem procedimentos", m_sem_itens, "PROCEDIMENTO_AUSENTE", FAT_BLOQUEIO, "itens", "1801", -1},
  {"sem número do conselho", m_conselho_num, "PROFISSIONAL_INCOMPLETO", FAT_BLOQUEIO,
   "executante", "1311", 2000},
  {"sem CBO", m_cbo_null, "PROFISSIONAL_INCOMPLETO", FAT_BLOQUEIO, "executante", "1213", 2000},
  {"sem executante", m_sem_exec, "PROFISSIONAL_INCOMPLETO", FAT_BLOQUEIO, "executante", "1311",
   2000},
  {"CBO com 5 dígitos", m_cbo_bad, "CBO_INVALIDO", FAT_BLOQUEIO, "executante.cbo", "1213",
   2000},
  {"UF inválida", m_uf_bad, "CONSELHO_INVALIDO", FAT_BLOQUEIO, "executante.numero_conselho",
   "1311", 2000},
  {"CPF do beneficiário", m_cpf, "CPF_INVALIDO", FAT_BLOQUEIO, "beneficiario.cpf", "1011", 2000},
  {"CPF do profissional", m_cpf_prof, "CPF_INVALIDO", FAT_BLOQUEIO, "executante.cpf", "1206",
   2000},
  {"CNPJ do prestador", m_cnpj, "CNPJ_INVALIDO", FAT_BLOQUEIO, "prestador.cnpj", "1206", 2000},
  {"CNS provisório", m_cns, "CNS_INVALIDO", FAT_BLOQUEIO, "cns", "1002", 2000},
  {"CNS definitivo fora da regra 1/2", m_cns_def, "CNS_INVALIDO", FAT_BLOQUEIO, "cns", "1002",
   2000},
  {"CID fora do padrão", m_cid, "CID_INVALIDO", FAT_BLOQUEIO, "cid", "1509", 2000},
  {"código TUSS com 7 dígitos", m_codigo, "CODIGO_TUSS_INVALIDO", FAT_BLOQUEIO,
   "itens[0].codigo", "1801", 1500},
  {"material na tabela 22", m_tabela, "TABELA_INCOMPATIVEL", FAT_ALERTA,
   "itens[1].codigo_tabela", "1318", 0},
  {"quantidade zero", m_qtd, "QUANTIDADE_INVALIDA", FAT_BLOQUEIO, "itens[0].quantidade", "1806",
   -1},
  {"data do item inexistente", m_data_item, "DATA_INVALIDA", FAT_BLOQUEIO, "itens[0].data",
   "1323", 1500},
  {"hora inválida", m_hora, "HORA_INVALIDA", FAT_ALERTA, "hora_inicio", "1323", 0},
  {"senha vencida", m_senha_venc, "SENHA_VENCIDA", FAT_BLOQUEIO, "validade_senha", "1405", 2000},
  {"atendimento antes da autorização", m_antes_aut, "DATA_ANTES_AUTORIZACAO", FAT_BLOQUEIO,
   "data_autorizacao", "1814", 2000},
  {"carteira vencida", m_cart_venc, "CARTEIRA_VENCIDA", FAT_BLOQUEIO, "carteira_validade",
   "1017", 2000},
  {"total diferente da soma", m_total, "TOTAL_DIVERGENTE", FAT_BLOQUEIO, "valor_total", "1805",
   100},
  {"item com total errado", m_item_total, "ITEM_TOTAL_DIVERGENTE", FAT_ALERTA,
   "itens[0].valor_total", "1805", 100},
  {"item sem valor: total não comparado", m_sem_valor, NULL, FAT_ALERTA, NULL, NULL, -1},
  {"procedimento feminino em homem", m_sexo, "SEXO_INCOMPATIVEL", FAT_BLOQUEIO,
   "itens[0].codigo", "1802", 1500},
  {"fora do prazo", m_prazo, "PRAZO_EXCEDIDO", FAT_BLOQUEIO, "data_inicio", "1701", 2000},
  {"data futura", m_futura, "DATA_FUTURA", FAT_BLOQUEIO, "data_inicio", "1323", 2000},
  {"internação sem senha", m_intern_senha, "SENHA_AUSENTE", FAT_BLOQUEIO, "senha", "1403",
   2000},
  {"item depois da alta", m_fora_periodo, "ITEM_FORA_PERIODO", FAT_BLOQUEIO, "itens[1].data",
   "1607", 500},
  {"item antes da internação", m_antes_periodo, "ITEM_FORA_PERIODO", FAT_BLOQUEIO,
   "itens[1].data", "1605", 500},
  {"alta antes da internação", m_fim_antes, "DATA_FIM_ANTES_INICIO", FAT_BLOQUEIO, "data_fim",
   "1608", 2000},
  {"material em guia de consulta", m_consulta_material, "ITEM_INCOMPATIVEL_GUIA", FAT_BLOQUEIO,
   "itens[1].tipo", "1304", 500},
};

/* Whether s holds a date written AAAA-MM-DD (users read DD/MM/AAAA). */
static int has_iso_date(const char *s)
{
  for (; *s != '\0'; s++) {
    int k, ok = 1;

    for (k = 0; k < 10 && ok; k++) {
      char c = s[k];

      if (c == '\0')
        return 0;
      ok = (k == 4 || k == 7) ? c == '-' : (c >= '0' && c <= '9');
    }
    if (ok)
      return 1;
  }
  return 0;
}

static void test_builtin_cases(void **state)
{
  fat_check_opts o;
  size_t i, j;

  (void)state;
  opts_init(&o, HOJE, 90);
  for (i = 0; i < sizeof check_cases / sizeof check_cases[0]; i++) {
    const check_case *cc = &check_cases[i];
    fat_guia *g = make_guia();
    fat_findings f;
    fat_err err;
    const fat_finding *hit = NULL;

    fat_findings_init(&f);
    cc->mutate(g);
    assert_int_equal(fat_check_guia(g, &o, &f, &err), FAT_OK);
    if (cc->code == NULL) {
      if (f.n != 0)
        fail_msg("%s: esperava nenhum achado, veio %s (%s)", cc->name, f.v[0].codigo,
                 f.v[0].mensagem);
    } else {
      for (j = 0; j < f.n; j++) {
        if (strcmp(f.v[j].codigo, cc->code) == 0) {
          hit = &f.v[j];
          break;
        }
      }
      if (hit == NULL)
        fail_msg("%s: esperava %s, veio %zu achado(s)%s%s", cc->name, cc->code, f.n,
                 f.n ? ", o primeiro " : "", f.n ? f.v[0].codigo : "");
      /* exactly one defect was made: exactly one finding, except for the
      ** consulta case (a material in a consulta is one finding too) */
      if (f.n != 1)
        fail_msg("%s: esperava só %s, veio também %s", cc->name, cc->code,
                 strcmp(f.v[0].codigo, cc->code) != 0 ? f.v[0].codigo : f.v[1].codigo);
      assert_int_equal(hit->severidade, cc->sev);
      if (cc->campo != NULL)
        assert_string_equal(hit->campo, cc->campo);
      if (cc->glosa != NULL)
        assert_string_equal(hit->glosa_prevista, cc->glosa);
      if (cc->risco >= 0)
        assert_int_equal(hit->valor_risco, cc->risco);
      assert_non_null(hit->regra);
      assert_int_equal(strncmp(hit->regra, "builtin:", 8), 0);
      assert_null(hit->script_sha256);
      assert_true(strlen(hit->mensagem) > 20);
      /* (a date that is not a date is quoted as it was typed) */
      if (has_iso_date(hit->mensagem) && strstr(hit->mensagem, "não é uma data válida") == NULL)
        fail_msg("%s: a mensagem mostra a data como AAAA-MM-DD: %s", cc->name, hit->mensagem);
    }
    fat_findings_fini(&f);
    fat_guia_free(g);
  }
}

static void test_prazo_contrato(void **state)
{
  static const struct {
    const char *json;
    int dias;
    fat_rc rc; /* a malformed deadline refuses the contract when the rules load */
  } cases[] = {
    {"\"prazo_apresentacao_dias\": 60", 60, FAT_OK},
    {"\"apresentacao\": {\"prazo_dias\": 120}", 120, FAT_OK},
    {"\"lote\": {\"periodicidade\": \"mensal\", \"prazo_envio_dias\": 10}", 0, FAT_OK},
    {"\"prazo_apresentacao_dias\": \"60\"", 0, FAT_EINVAL},
    {"\"prazo_apresentacao_dias\": 0", 0, FAT_EINVAL},
    {"\"prazo_apresentacao_dias\": 3651", 0, FAT_EINVAL},
  };
  fat_check_opts o;
  fat_guia *g;
  fat_findings f;
  fat_err err;
  size_t i;
  char buf[16];

  (void)state;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char text[256];
    cJSON *j;
    fat_contrato *c = NULL;

    snprintf(text, sizeof text, "{\"registro_ans\": \"123456\", \"nome\": \"X\", %s%s}",
             strstr(cases[i].json, "\"lote\"") != NULL ? "" : "\"lote\": {\"periodicidade\": "
                                                            "\"mensal\"}, ",
             cases[i].json);
    j = cJSON_Parse(text);
    assert_non_null(j);
    assert_int_equal(fat_contrato_parse(j, &c, &err), cases[i].rc);
    if (c != NULL)
      assert_int_equal(c->prazo_apresentacao_dias, cases[i].dias);
    fat_contrato_free(c);
    cJSON_Delete(j);
  }

  /* 60-day operator: 2025-03-10 + 60 = 2025-05-09 is the last good day */
  g = make_guia();
  opts_init(&o, "2025-05-09", 60);
  fat_dia_format(fat_check_prazo_limite(g, &o), buf, sizeof buf);
  assert_string_equal(buf, "2025-05-10");
  fat_findings_init(&f);
  assert_int_equal(fat_check_guia(g, &o, &f, &err), FAT_OK);
  assert_int_equal(f.n, 0);
  opts_init(&o, "2025-05-10", 60);
  assert_int_equal(fat_check_guia(g, &o, &f, &err), FAT_OK);
  assert_int_equal(f.n, 1);
  assert_string_equal(f.v[0].codigo, "PRAZO_EXCEDIDO");
  assert_non_null(strstr(f.v[0].mensagem, "60 dias"));
  /* default: 90 days */
  fat_findings_clear(&f);
  opts_init(&o, "2025-06-08", 0);
  assert_int_equal(fat_check_guia(g, &o, &f, &err), FAT_OK);
  assert_int_equal(f.n, 0);
  opts_init(&o, "2025-06-09", 0);
  assert_int_equal(fat_check_guia(g, &o, &f, &err), FAT_OK);
  assert_int_equal(f.n, 1);
  fat_findings_fini(&f);
  fat_guia_free(g);
}

static void test_sexo_list(void **state)
{
  (void)state;
  assert_int_equal(fat_check_sexo_exigido("40901122"), 'F');
  assert_int_equal(fat_check_sexo_exigido("41401387"), 'F');
  assert_int_equal(fat_check_sexo_exigido("10101012"), 0);
  assert_int_equal(fat_check_sexo_exigido(NULL), 0);
}

/* ------------------------------------------------------------------------
** Duplicates over the store
*/

static const char *db_path = "test_check.db";

static void remove_db(void)
{
  unlink(db_path);
  unlink("test_check.db-wal");
  unlink("test_check.db-shm");
}

/* The duplicate check as conferir runs it: candidates loaded by the
** evaluator's context loader, then the pure check. */
static fat_rc dups(fat_store *st, const fat_guia *g, fat_findings *f, fat_err *err)
{
  fat_avaliador *av = NULL;
  fat_avaliar_ctx ctx;
  fat_rc rc = fat_avaliador_new(st, NULL, &av, err);

  fat_avaliar_ctx_init(&ctx);
  if (rc == FAT_OK)
    rc = fat_avaliar_ctx_load(av, g, HOJE, &ctx, err);
  if (rc == FAT_OK)
    rc = fat_check_duplicidade(g, ctx.pares, ctx.n_pares, f, err);
  fat_avaliar_ctx_fini(&ctx);
  fat_avaliador_free(av);
  return rc;
}

/* The pure check over hand-made candidates. */
static void test_duplicidade_pares(void **state)
{
  static const struct {
    const char *name;
    fat_check_par par;
    size_t achados;
  } cases[] = {
    {"mesmo código e data", {7, "G-7", "enviada", "40301630", "2025-03-10"}, 1},
    {"outro dia", {7, "G-7", "enviada", "40301630", "2025-03-11"}, 0},
    {"outro código", {7, "G-7", "enviada", "40301631", "2025-03-10"}, 0},
    {"material não é duplicidade", {7, "G-7", "enviada", "70012345", "2025-03-10"}, 0},
    {"a própria guia é ignorada", {1, "G-1", "digitada", "40301630", "2025-03-10"}, 0},
  };
  size_t i;

  (void)state;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    fat_guia *g = make_guia();
    fat_findings f;
    fat_err err;

    g->id = 1;
    fat_findings_init(&f);
    assert_int_equal(fat_check_duplicidade(g, &cases[i].par, 1, &f, &err), FAT_OK);
    if (f.n != cases[i].achados)
      fail_msg("%s: esperava %zu achado(s), veio %zu", cases[i].name, cases[i].achados, f.n);
    if (f.n == 1) {
      assert_string_equal(f.v[0].codigo, "DUPLICIDADE");
      assert_int_equal(f.v[0].item_seq, 1);
      assert_non_null(strstr(f.v[0].mensagem, "G-7"));
    }
    fat_findings_fini(&f);
    fat_guia_free(g);
  }
}

static void test_duplicidade(void **state)
{
  fat_store *st = NULL;
  fat_err err;
  fat_guia *a, *b, *c;
  fat_findings f;

  (void)state;
  remove_db();
  assert_int_equal(fat_store_create(db_path, &st, &err), FAT_OK);
  assert_int_equal(fat_store_exec(st,
                                   "INSERT INTO prestador(nome, cnpj) VALUES "
                                   "('Clínica Teste', '11222333000181');"
                                   "INSERT INTO operadora(registro_ans, nome, script) VALUES "
                                   "('312347', 'Aurora', 'aurora');",
                                   &err),
                   FAT_OK);
  a = make_guia();
  b = make_guia();
  c = make_guia();
  repl(&b->numero_prestador, "G-2");
  repl(&c->numero_prestador, "G-3");
  repl(&c->itens[0].data, "2025-03-11"); /* another day: not a duplicate */
  repl(&c->data_inicio, "2025-03-11");
  if (fat_guia_save(st, a, &err) != FAT_OK)
    fail_msg("save a: %s", err.msg);
  assert_int_equal(fat_guia_save(st, b, &err), FAT_OK);
  assert_int_equal(fat_guia_save(st, c, &err), FAT_OK);

  fat_findings_init(&f);
  assert_int_equal(dups(st, b, &f, &err), FAT_OK);
  assert_int_equal(f.n, 1); /* the procedure only: materials are not duplicates */
  assert_string_equal(f.v[0].codigo, "DUPLICIDADE");
  assert_string_equal(f.v[0].campo, "itens[0].codigo");
  assert_string_equal(f.v[0].glosa_prevista, "1702");
  assert_int_equal(f.v[0].valor_risco, 1500);
  assert_non_null(strstr(f.v[0].mensagem, "G-1"));
  /* the day as users read it, not the stored AAAA-MM-DD */
  assert_non_null(strstr(f.v[0].mensagem, "10/03/2025"));
  assert_null(strstr(f.v[0].mensagem, "2025-03-10"));
  fat_findings_clear(&f);
  /* the original sees the copy too */
  assert_int_equal(dups(st, a, &f, &err), FAT_OK);
  assert_int_equal(f.n, 1);
  assert_non_null(strstr(f.v[0].mensagem, "G-2"));
  fat_findings_clear(&f);
  assert_int_equal(dups(st, c, &f, &err), FAT_OK);
  assert_int_equal(f.n, 0);
  /* a cancelled copy is no longer a duplicate */
  {
    fat_stmt *s;
    static const char sql[] = "UPDATE guia SET status = 'cancelada' WHERE id = ?1";

    assert_int_equal(fat_store_prepare(st, sql, &s, &err), FAT_OK);
    fat_bind_int(s, 1, b->id);
    assert_int_equal(fat_stmt_step(s), FAT_DONE);
    fat_stmt_reset(s);
  }
  assert_int_equal(dups(st, a, &f, &err), FAT_OK);
  assert_int_equal(f.n, 0);
  fat_findings_fini(&f);
  fat_guia_free(a);
  fat_guia_free(b);
  fat_guia_free(c);
  fat_store_close(st);
  remove_db();
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_cpf),
    cmocka_unit_test(test_cnpj),
    cmocka_unit_test(test_cns),
    cmocka_unit_test(test_cbo_conselho_uf),
    cmocka_unit_test(test_tuss_codes),
    cmocka_unit_test(test_cid_dates_times),
    cmocka_unit_test(test_builtin_cases),
    cmocka_unit_test(test_prazo_contrato),
    cmocka_unit_test(test_sexo_list),
    cmocka_unit_test(test_duplicidade_pares),
    cmocka_unit_test(test_duplicidade),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
