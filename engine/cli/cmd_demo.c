/* cmd_demo.c: `faturo demo`: builds the demonstration clinic and runs the
** billing cycle over it, one step after the other.
**
** The cycle is the `steps[]` table below: each part appends its step (a
** function taking the shared demo_ctx) in the order of the flow, e.g.
** conferir, lote fechar, retorno. A step prints its own lines (nothing in
** --json mode, where it adds a member to c->json) and returns CLI_OK to go
** on, or CLI_FAIL to stop the demo.
*/
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "fat_demo.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_price.h"
#include "fat_rules.h"

typedef struct demo_ctx {
  fat_cli *cli;
  fat_store *st;
  fat_gen *gen;            /* rules generation built from cli->regras_dir */
  fat_pricer *pricer;      /* contracts of gen, tables of st */
  fat_demo_opcoes op;
  fat_demo_resumo res;
  cJSON *json;             /* --json: the summary object being built */
} demo_ctx;

typedef struct demo_step {
  const char *titulo;
  int (*fn)(demo_ctx *c);
} demo_step;

static void say(const demo_ctx *c, const char *fmt, ...) FAT_PRINTF(2, 3);

static void say(const demo_ctx *c, const char *fmt, ...)
{
  va_list ap;

  if (c->cli->json)
    return;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
}

static double ms(int64_t ns) { return (double)ns / 1e6; }

/* Step: build the rules generation (operator contracts). */
static int step_regras(demo_ctx *c)
{
  fat_err err;
  size_t i;

  fat_err_clear(&err);
  if (fat_gen_build(c->cli->regras_dir, NULL, NULL, NULL, &c->gen, &err) != FAT_OK) {
    fat_err_prefix(&err, "regras em %s: ", c->cli->regras_dir);
    return cli_error(&err);
  }
  if (fat_pricer_new_gen(c->st, c->gen, &c->pricer, &err) != FAT_OK)
    return cli_error(&err);
  say(c, "  %zu scripts de operadora carregados de %s:", fat_gen_count(c->gen),
      c->cli->regras_dir);
  for (i = 0; i < fat_gen_count(c->gen); i++)
    say(c, " %s", fat_gen_key(c->gen, i));
  say(c, "\n");
  return CLI_OK;
}

/* Step: tables + cadastro + guias + defects, in one transaction. */
static int step_dados(demo_ctx *c)
{
  fat_err err;
  long linhas = 0;
  int64_t t0 = fat_now_ns(), t_tab;
  char valor[32];
  int i;

  fat_err_clear(&err);
  if (fat_store_begin(c->st, &err) != FAT_OK)
    return cli_error(&err);
  if (fat_demo_tabelas(c->st, c->cli->regras_dir, &linhas, &err) != FAT_OK ||
      fat_demo_gerar(c->st, c->pricer, &c->op, &c->res, &err) != FAT_OK) {
    fat_store_rollback(c->st);
    return cli_error(&err);
  }
  t_tab = fat_now_ns() - t0 - c->res.ns_cadastro - c->res.ns_guias;
  if (fat_store_commit(c->st, &err) != FAT_OK)
    return cli_error(&err);
  fat_money_format_br(c->res.valor_total, valor, sizeof valor);
  say(c, "  tabelas de preços: %ld linhas de rules/tabelas/demo (%.0f ms)\n", linhas, ms(t_tab));
  say(c, "  cadastro: 1 prestador, 4 operadoras, 8 planos, %d beneficiários, %d profissionais "
         "(%.0f ms)\n",
      c->res.n_beneficiarios, c->res.n_profissionais, ms(c->res.ns_cadastro));
  say(c, "  guias: %d (%d consultas, %d SP/SADT, %d honorários, %d resumos de internação), "
         "%d itens, %s (%.0f ms)\n",
      c->res.n_guias, c->res.por_tipo[FAT_GUIA_CONSULTA], c->res.por_tipo[FAT_GUIA_SADT],
      c->res.por_tipo[FAT_GUIA_HONORARIOS], c->res.por_tipo[FAT_GUIA_INTERNACAO], c->res.n_itens,
      valor, ms(c->res.ns_guias));
  say(c, "\n  defeitos injetados (tabela demo_defeito):\n");
  say(c, "    %-26s %6s %7s\n", "classe", "guias", "% guias");
  for (i = 0; i < FAT_DEMO_N_CLASSES; i++)
    say(c, "    %-26s %6d %6d,%02d%%\n", fat_demo_classe(i), c->res.defeitos[i],
        c->res.defeitos[i] * 100 / c->res.n_guias,
        (c->res.defeitos[i] * 10000 / c->res.n_guias) % 100);
  say(c, "    %-26s %6d %6d,%02d%%\n", "guias com algum defeito", c->res.n_com_defeito,
      c->res.n_com_defeito * 100 / c->res.n_guias,
      (c->res.n_com_defeito * 10000 / c->res.n_guias) % 100);
  if (c->json != NULL) {
    cJSON *d = cJSON_AddObjectToObject(c->json, "defeitos");

    cJSON_AddNumberToObject(c->json, "guias", c->res.n_guias);
    cJSON_AddNumberToObject(c->json, "itens", c->res.n_itens);
    cJSON_AddNumberToObject(c->json, "beneficiarios", c->res.n_beneficiarios);
    cJSON_AddNumberToObject(c->json, "profissionais", c->res.n_profissionais);
    cJSON_AddNumberToObject(c->json, "valor_total", (double)c->res.valor_total);
    cJSON_AddNumberToObject(c->json, "guias_com_defeito", c->res.n_com_defeito);
    cJSON_AddNumberToObject(c->json, "ms_guias", ms(c->res.ns_guias));
    for (i = 0; d != NULL && i < FAT_DEMO_N_CLASSES; i++)
      cJSON_AddNumberToObject(d, fat_demo_classe(i), c->res.defeitos[i]);
  }
  return CLI_OK;
}

/* Step: every stored item priced by the contracts; only injected defects may
** leave an item unpriced or off-contract. */
static int step_precos(demo_ctx *c)
{
  fat_price_todos t;
  size_t inesperados = 0;
  int64_t t0 = fat_now_ns();
  fat_err err;

  fat_err_clear(&err);
  if (fat_demo_conferir_precos(c->st, c->pricer, &t, &inesperados, &err) != FAT_OK)
    return cli_error(&err);
  say(c, "  %zu itens precificados pelo contrato de %zu; %zu sem preço (todos com "
         "CODIGO_INVALIDO injetado), %zu cobrados fora do contrato (defeitos injetados) "
         "(%.0f ms)\n",
      t.n_precificados, t.n_itens, t.n_sem_preco, t.n_divergentes, ms(fat_now_ns() - t0));
  if (c->json != NULL) {
    cJSON *o = cJSON_AddObjectToObject(c->json, "precos");

    if (o != NULL) {
      cJSON_AddNumberToObject(o, "itens", (double)t.n_itens);
      cJSON_AddNumberToObject(o, "precificados", (double)t.n_precificados);
      cJSON_AddNumberToObject(o, "sem_preco", (double)t.n_sem_preco);
      cJSON_AddNumberToObject(o, "divergentes", (double)t.n_divergentes);
      cJSON_AddNumberToObject(o, "inesperados", (double)inesperados);
    }
  }
  fat_price_todos_fini(&t);
  if (inesperados > 0) {
    fprintf(stderr,
            "faturo demo: %zu itens sem preço ou fora do contrato em guias sem o defeito "
            "correspondente (veja faturo preco --todos)\n",
            inesperados);
    return CLI_FAIL;
  }
  return CLI_OK;
}

/* The cycle, in the order of the flow. Parts add their step here. */
static const demo_step steps[] = {
  {"regras das operadoras", step_regras},
  {"tabelas, cadastro, guias e defeitos (uma transação)", step_dados},
  {"conferência de preços pelo contrato", step_precos},
  /* Part C: {"conferir", step_conferir}, Part E: {"lotes", step_lotes}, ... */
  {NULL, NULL}};

static void help(void)
{
  printf("uso: faturo demo [--guias N] [--semente S] [--competencia AAAA-MM]\n"
         "                 [--beneficiarios N]\n"
         "\n"
         "Cria, num banco vazio, uma clínica de demonstração: tabelas de preços\n"
         "(rules/tabelas/demo), o prestador, as 4 operadoras de docs/dev/CONTRATOS-DEMO.md\n"
         "com seus planos, cerca de 2.000 beneficiários, 20 profissionais e um mês de\n"
         "guias dos quatro tipos, precificadas pelo contrato de cada operadora. Depois\n"
         "injeta defeitos conhecidos (~1,5%% das guias por classe, registrados na tabela\n"
         "demo_defeito) e roda as etapas do ciclo de faturamento que já existem.\n"
         "\n"
         "  --guias N          quantidade de guias (padrão 3000, mínimo 100)\n"
         "  --semente S        semente do gerador (padrão 1): mesma semente e mesma\n"
         "                     competência geram exatamente os mesmos dados\n"
         "  --competencia      mês dos atendimentos (padrão: o mês passado)\n"
         "  --beneficiarios N  tamanho da carteira de pacientes (padrão 2000)\n");
}

static void default_competencia(char out[16])
{
  time_t now = time(NULL);
  struct tm tm;
  int y, m;

  localtime_r(&now, &tm);
  y = tm.tm_year + 1900;
  m = tm.tm_mon; /* 0-based current month = 1-based previous month */
  if (m == 0) {
    m = 12;
    y--;
  }
  if (y < 1 || y > 9999)
    y = 2000;
  snprintf(out, 16, "%04d-%02d", y, m);
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
  char *end;
  long v = strtol(s, &end, 10);

  if (*s == '\0' || *end != '\0' || v < lo || v > hi)
    return -1;
  *out = v;
  return 0;
}

int cli_demo(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {{"guias", required_argument, NULL, 'g'},
                                       {"semente", required_argument, NULL, 's'},
                                       {"competencia", required_argument, NULL, 'c'},
                                       {"beneficiarios", required_argument, NULL, 'b'},
                                       {NULL, 0, NULL, 0}};
  demo_ctx c;
  char comp[16];
  long v;
  int o, i, rc = CLI_OK;
  int64_t t0 = fat_now_ns();

  if (cli_wants_help(argc, argv)) {
    help();
    return CLI_OK;
  }
  memset(&c, 0, sizeof c);
  c.cli = cli;
  c.op.n_guias = 3000;
  c.op.semente = 1;
  c.op.n_beneficiarios = 2000;
  default_competencia(comp);
  c.op.competencia = comp;
  optind = 1;
  opterr = 0;
  while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (o) {
    case 'g':
      if (parse_int(optarg, 100, 200000, &v) != 0)
        return cli_usage_error("demo", "--guias deve ser um número entre 100 e 200000");
      c.op.n_guias = (int)v;
      break;
    case 's':
      if (parse_int(optarg, 0, 2147483647L, &v) != 0)
        return cli_usage_error("demo", "--semente deve ser um número inteiro não negativo");
      c.op.semente = (uint64_t)v;
      break;
    case 'c':
      if (cli_valid_competencia(optarg) != 0)
        return cli_usage_error("demo", "competência inválida '%s' (use AAAA-MM)", optarg);
      c.op.competencia = optarg;
      break;
    case 'b':
      if (parse_int(optarg, 50, 100000, &v) != 0)
        return cli_usage_error("demo", "--beneficiarios deve ficar entre 50 e 100000");
      c.op.n_beneficiarios = (int)v;
      break;
    default: return cli_usage_error("demo", "opção inválida: %s", argv[optind - 1]);
    }
  }
  if (optind != argc)
    return cli_usage_error("demo", "argumento inesperado: %s", argv[optind]);
  c.st = cli_store(cli);
  if (c.st == NULL)
    return CLI_FAIL;
  if (cli->json) {
    c.json = cJSON_CreateObject();
    if (c.json == NULL)
      return cli_error(&(fat_err){FAT_ENOMEM, 0, "memória insuficiente"});
    cJSON_AddStringToObject(c.json, "competencia", c.op.competencia);
    cJSON_AddNumberToObject(c.json, "semente", (double)c.op.semente);
  }
  say(&c, "faturo demo: clínica de demonstração em %s (competência %s, semente %llu, %d "
          "guias)\n",
      cli->db_path, c.op.competencia, (unsigned long long)c.op.semente, c.op.n_guias);
  for (i = 0; steps[i].titulo != NULL; i++) {
    int64_t ts = fat_now_ns();

    say(&c, "\n[%d] %s\n", i + 1, steps[i].titulo);
    rc = steps[i].fn(&c);
    if (rc != CLI_OK)
      break;
    say(&c, "  ok (%.0f ms)\n", ms(fat_now_ns() - ts));
  }
  if (rc == CLI_OK) {
    say(&c, "\npronto em %.1f s. Próximos passos:\n", ms(fat_now_ns() - t0) / 1000.0);
    say(&c, "  faturo conferir                  confere as guias (e acha os defeitos injetados)\n"
            "  faturo guia mostrar 1            mostra uma guia\n"
            "  faturo preco aurora 10101012     mostra o preço de um item, passo a passo\n"
            "  faturo preco --todos             precifica todos os itens do banco\n"
            "  faturo tabelas listar            tabelas de preços carregadas\n");
  }
  if (c.json != NULL) {
    char *txt;

    cJSON_AddBoolToObject(c.json, "ok", rc == CLI_OK);
    cJSON_AddNumberToObject(c.json, "ms_total", ms(fat_now_ns() - t0));
    txt = cJSON_PrintUnformatted(c.json);
    if (txt != NULL)
      printf("%s\n", txt);
    cJSON_free(txt);
    cJSON_Delete(c.json);
  }
  fat_pricer_free(c.pricer);
  fat_gen_release(c.gen);
  return rc;
}
