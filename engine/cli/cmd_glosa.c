/* cmd_glosa.c: `faturo glosa registrar|classificar|listar|resumo`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fat_glosa.h"
#include "fat_model.h"
#include "fat_money.h"
#include "fat_relatorio.h"
#include "fat_rules.h"
#include "fat_text.h"

static void help(void)
{
  printf("uso: faturo glosa <ação> [opções]\n"
         "\n"
         "  registrar --guia N [--operadora OP] [--item SEQ] --codigo C [--valor V] [--obs TEXTO]\n"
         "      registra uma glosa à mão (guia inteira ou item, valor total ou parcial;\n"
         "      sem --valor, glosa o que ainda não foi glosado). N = número da guia no\n"
         "      prestador (ou #ID); C = código TUSS tabela 38; V em reais (\"12,50\").\n"
         "  classificar ID [--classificacao devida|indevida|a_classificar --evidencia TEXTO]\n"
         "      classifica a glosa ID: sem --classificacao, pela regra automática (evidência\n"
         "      da guia, do contrato e dos achados); com ela, pela decisão de quem analisou,\n"
         "      com a evidência que a justifica (a mesma operação do painel).\n"
         "  listar [--operadora OP] [--competencia AAAA-MM] [--situacao S]\n"
         "         [--classificacao devida|indevida|a_classificar] [--grupo G] [--retorno ID]\n"
         "  resumo [mesmos filtros]  por motivo, operadora, procedimento e profissional\n"
         "\n"
         "grupos de motivo: cadastro, autorizacao, documentacao, cobranca, tecnica, prazo, outros\n"
         "situações: aberta, em_recurso, recuperada, recuperada_parcial, perdida, aceita\n");
}

static int parse_filtro(int argc, char **argv, fat_glosa_filtro *f, const char *verb)
{
  static const struct option opts[] = {
    {"operadora", required_argument, NULL, 'o'}, {"competencia", required_argument, NULL, 'c'},
    {"situacao", required_argument, NULL, 's'},  {"classificacao", required_argument, NULL, 'k'},
    {"grupo", required_argument, NULL, 'g'},     {"retorno", required_argument, NULL, 'r'},
    {NULL, 0, NULL, 0}};
  int c;
  char *end;

  memset(f, 0, sizeof *f);
  optind = 1;
  for (c = getopt_long(argc, argv, "", opts, NULL); c != -1;
       c = getopt_long(argc, argv, "", opts, NULL)) {
    switch (c) {
    case 'o': f->operadora = optarg; break;
    case 'c':
      if (cli_norm_competencia(optarg) != 0)
        return cli_usage_error(verb, "competência '%s' inválida (use MM/AAAA ou AAAA-MM)", optarg);
      f->competencia = optarg;
      break;
    case 's': f->situacao = optarg; break;
    case 'k': f->classificacao = optarg; break;
    case 'g': f->grupo = optarg; break;
    case 'r':
      f->retorno_id = strtoll(optarg, &end, 10);
      if (*end != '\0' || f->retorno_id <= 0)
        return cli_usage_error(verb, "retorno '%s' inválido", optarg);
      break;
    default: return cli_bad_option(verb, argv, opts);
    }
  }
  if (optind != argc)
    return cli_usage_error(verb, "argumento inesperado '%s'", argv[optind]);
  return CLI_OK;
}

static int emit_json(const cJSON *j)
{
  char *s = cJSON_Print(j);

  if (s != NULL)
    printf("%s\n", s);
  cJSON_free(s);
  return CLI_OK;
}

static int do_registrar(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    {"guia", required_argument, NULL, 'g'},   {"operadora", required_argument, NULL, 'o'},
    {"item", required_argument, NULL, 'i'},   {"codigo", required_argument, NULL, 'c'},
    {"valor", required_argument, NULL, 'v'},  {"obs", required_argument, NULL, 'b'},
    {NULL, 0, NULL, 0}};
  fat_glosa_nova g;
  fat_store *st;
  fat_rules *rules = NULL;
  fat_gen *gen = NULL;
  fat_err err;
  cJSON *l;
  int c, ret;
  int64_t id = 0;
  char *end;
  long v;

  memset(&g, 0, sizeof g);
  g.valor = FAT_ABSENT;
  fat_err_clear(&err);
  optind = 1;
  for (c = getopt_long(argc, argv, "", opts, NULL); c != -1;
       c = getopt_long(argc, argv, "", opts, NULL)) {
    switch (c) {
    case 'g': g.guia = optarg; break;
    case 'o': g.operadora = optarg; break;
    case 'i':
      v = strtol(optarg, &end, 10);
      if (*end != '\0' || v <= 0 || v > 9999)
        return cli_usage_error("glosa registrar", "item '%s' inválido", optarg);
      g.item_seq = (int)v;
      break;
    case 'c': g.codigo = optarg; break;
    case 'v':
      if (fat_money_parse(optarg, &g.valor, &err) != FAT_OK)
        return cli_usage_error("glosa registrar", "valor '%s' inválido: %s", optarg, err.msg);
      break;
    case 'b': g.observacao = optarg; break;
    default: return cli_bad_option("glosa registrar", argv, opts);
    }
  }
  if (g.guia == NULL || g.codigo == NULL)
    return cli_usage_error("glosa registrar", "informe --guia e --codigo");
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  if (fat_rules_open(cli->regras_dir, NULL, st, &rules, &err) == FAT_OK)
    gen = fat_rules_acquire(rules);
  else
    fprintf(stderr, "faturo: atenção: regras indisponíveis (%s): sem prazo de recurso\n",
            err.msg);
  fat_err_clear(&err);
  ret = fat_glosa_registrar(st, gen, &g, &id, &err) == FAT_OK ? CLI_OK : cli_error(&err);
  if (gen != NULL)
    fat_gen_release(gen);
  fat_rules_close(rules);
  if (ret != CLI_OK)
    return ret;
  if (fat_relatorio_glosa(st, id, &l, &err) != FAT_OK)
    return cli_error(&err);
  if (cli->json) {
    emit_json(l);
  } else {
    char b[32];

    fat_money_format_br(cli_jint(l, "valor"), b, sizeof b);
    printf("glosa %lld registrada: guia %s, código %s (%s), %s\n  classificação: %s (%s)\n",
           (long long)id, cli_jstr(l, "guia", "-"), cli_jstr(l, "codigo", "-"),
           fat_glosa_grupo_rotulo(cli_jstr(l, "grupo", "-")), b,
           fat_glosa_situacao_rotulo(cli_jstr(l, "classificacao", "-")),
           cli_jstr(l, "evidencia", "-"));
  }
  cJSON_Delete(l);
  return CLI_OK;
}

/* What listar prints as the glosas come (fat_relatorio_glosas_cada). */
typedef struct lista_out {
  int json;
  long n;
  int64_t total;
} lista_out;

/* One glosa of the array cJSON_Print would print whole: '[' a ', ' b ... ']',
** each object one level deep (a tab more after every line break: a printed
** string never holds a raw line break). */
static fat_rc lista_json(lista_out *o, const cJSON *g, fat_err *err)
{
  char *s = cJSON_Print(g), *p, *nl;

  if (s == NULL)
    return fat_err_oom(err);
  fputs(o->n == 0 ? "[" : ", ", stdout);
  for (p = s, nl = strchr(p, '\n'); nl != NULL; p = nl + 1, nl = strchr(p, '\n')) {
    fwrite(p, 1, (size_t)(nl - p) + 1, stdout);
    putchar('\t');
  }
  fputs(p, stdout);
  cJSON_free(s);
  return FAT_OK;
}

static fat_rc lista_um(void *u, const cJSON *o, fat_err *err)
{
  lista_out *lo = u;
  const cJSON *pv = cJSON_GetObjectItem(o, "prevista");
  char b[32];

  if (lo->json) {
    fat_rc rc = lista_json(lo, o, err);

    lo->n++;
    return rc;
  }
  fat_money_format_br(cli_jint(o, "valor"), b, sizeof b);
  lo->total += cli_jint(o, "valor");
  printf("%5lld  guia %-12s item %-3lld %s %s %14s  %-13s %s %s%s\n", (long long)cli_jint(o, "id"),
         cli_jstr(o, "guia", "-"), (long long)cli_jint(o, "item"), cli_jstr(o, "codigo", "-"),
         fat_text_coluna(fat_glosa_grupo_rotulo(cli_jstr(o, "grupo", NULL)), 22).s, b,
         fat_glosa_situacao_rotulo(cli_jstr(o, "classificacao", "-")),
         fat_text_coluna(fat_glosa_situacao_rotulo(cli_jstr(o, "situacao", "-")), 19).s,
         cJSON_IsTrue(pv)    ? "prevista por "
         : cJSON_IsFalse(pv) ? "nenhuma regra previa"
                             : "",
         cJSON_IsTrue(pv) ? cli_jstr(o, "prevista_por", "-") : "");
  printf("       %s\n", cli_jstr(o, "evidencia", "-"));
  lo->n++;
  return FAT_OK;
}

/* Every glosa of the filter, newest first, printed as it is read: the
** glosas of a million guias do not sit in memory. */
static int do_listar(fat_cli *cli, int argc, char **argv)
{
  fat_glosa_filtro f;
  fat_store *st;
  fat_err err;
  lista_out o = {cli->json, 0, 0};
  int r;
  char b[32];

  r = parse_filtro(argc, argv, &f, "glosa listar");
  if (r != CLI_OK)
    return r;
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  /* on an error midway the JSON stays unclosed: never a list that looks whole */
  if (fat_relatorio_glosas_cada(st, &f, lista_um, &o, &err) != FAT_OK)
    return cli_error(&err);
  if (cli->json) {
    puts(o.n == 0 ? "[]" : "]");
    return CLI_OK;
  }
  if (o.n == 0)
    printf("nenhuma glosa\n");
  fat_money_format_br(o.total, b, sizeof b);
  printf("total: %ld glosas, %s\n", o.n, b);
  return CLI_OK;
}

static void print_sec(const cJSON *r, const char *k, const char *title)
{
  const cJSON *a = cJSON_GetObjectItem(r, k), *o;
  char b[32];

  printf("%s:\n", title);
  cJSON_ArrayForEach(o, a)
  {
    fat_money_format_br(cli_jint(o, "valor"), b, sizeof b);
    printf("  %-28.28s %-30.30s %5lld  %14s\n", cli_jstr(o, "chave", "-"), cli_jstr(o, "rotulo", "-"),
           (long long)cli_jint(o, "quantidade"), b);
  }
}

static int do_resumo(fat_cli *cli, int argc, char **argv)
{
  fat_glosa_filtro f;
  fat_store *st;
  fat_err err;
  cJSON *r;
  int ret;

  ret = parse_filtro(argc, argv, &f, "glosa resumo");
  if (ret != CLI_OK)
    return ret;
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  if (fat_glosa_resumo(st, &f, &r, &err) != FAT_OK)
    return cli_error(&err);
  if (cli->json) {
    emit_json(r);
  } else {
    print_sec(r, "total", "total");
    print_sec(r, "por_grupo", "por motivo");
    print_sec(r, "por_operadora", "por operadora");
    print_sec(r, "por_procedimento", "por procedimento");
    print_sec(r, "por_profissional", "por profissional");
    print_sec(r, "por_classificacao", "devida / indevida");
    print_sec(r, "por_previsao", "uma regra atual teria evitado?");
  }
  cJSON_Delete(r);
  return CLI_OK;
}

static int do_classificar(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    {"classificacao", required_argument, NULL, 'c'},
    {"evidencia", required_argument, NULL, 'e'},
    {NULL, 0, NULL, 0}};
  const char *cls = NULL, *evid = NULL;
  fat_store *st;
  fat_rules *rules = NULL;
  fat_gen *gen = NULL;
  fat_err err;
  fat_rc rc;
  char *end;
  long long id;
  int c;

  optind = 1;
  for (c = getopt_long(argc, argv, "", opts, NULL); c != -1;
       c = getopt_long(argc, argv, "", opts, NULL)) {
    switch (c) {
    case 'c': cls = optarg; break;
    case 'e': evid = optarg; break;
    default: return cli_bad_option("glosa classificar", argv, opts);
    }
  }
  if (optind != argc - 1)
    return cli_usage_error("glosa classificar", "informe o ID da glosa");
  id = strtoll(argv[optind], &end, 10);
  if (*end != '\0' || id <= 0)
    return cli_usage_error("glosa classificar", "ID de glosa '%s' inválido", argv[optind]);
  if (cls == NULL && evid != NULL)
    return cli_usage_error("glosa classificar", "--evidencia só vale com --classificacao");
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  if (cls != NULL) {
    rc = fat_glosa_classificar_manual(st, id, cls, evid, &err);
  } else {
    if (fat_rules_open(cli->regras_dir, NULL, st, &rules, &err) == FAT_OK)
      gen = fat_rules_acquire(rules);
    else
      fprintf(stderr, "faturo: atenção: regras indisponíveis (%s): sem a conferência de preço\n",
              err.msg);
    fat_err_clear(&err);
    rc = fat_glosa_classificar(st, gen, id, &err);
    if (gen != NULL)
      fat_gen_release(gen);
    fat_rules_close(rules);
  }
  if (rc != FAT_OK)
    return cli_error(&err);
  if (cli->json)
    printf("{\"id\":%lld,\"classificada\":true}\n", id);
  else
    printf("glosa %lld classificada\n", id);
  return CLI_OK;
}

int cli_glosa(fat_cli *cli, int argc, char **argv)
{
  if (argc < 2 || cli_wants_help(argc, argv)) {
    help();
    return argc < 2 ? CLI_USAGE : CLI_OK;
  }
  if (strcmp(argv[1], "registrar") == 0)
    return do_registrar(cli, argc - 1, argv + 1);
  if (strcmp(argv[1], "classificar") == 0)
    return do_classificar(cli, argc - 1, argv + 1);
  if (strcmp(argv[1], "listar") == 0)
    return do_listar(cli, argc - 1, argv + 1);
  if (strcmp(argv[1], "resumo") == 0)
    return do_resumo(cli, argc - 1, argv + 1);
  return cli_usage_error("glosa", "ação desconhecida '%s'", argv[1]);
}
