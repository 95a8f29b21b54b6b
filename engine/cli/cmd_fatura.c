/* cmd_fatura.c: `faturo fatura criar|nf|listar|mostrar|mapa|notas|feriado|verificar`. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli_fin.h"
#include "fat_calendario.h"
#include "fat_dia.h"
#include "fat_fatura.h"
#include "fat_fin_check.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_text.h"

static void help(void)
{
  printf("uso: faturo fatura <ação> [opções]\n"
         "\n"
         "  criar --operadora OP --competencia AAAA-MM [--lotes ID,ID...]\n"
         "      agrupa lotes enviados numa fatura (sem --lotes: todos os lotes enviados da\n"
         "      operadora e competência que ainda não estão em fatura)\n"
         "  nf N --numero NF --data AAAA-MM-DD [--serie S] [--valor V]\n"
         "      registra a nota fiscal emitida para a fatura N; as retenções (ISS, IR, PIS,\n"
         "      COFINS, CSLL) vêm do script da operadora (retencoes)\n"
         "  listar [--operadora OP] [--competencia AAAA-MM]\n"
         "  mostrar N [--hoje AAAA-MM-DD]   lotes, recebimentos e diferenças da fatura\n"
         "  mapa [--operadora OP] [--competencia AAAA-MM] [--hoje AAAA-MM-DD]\n"
         "      mapa de acompanhamento de faturas: NF, recebido, recursado, recuperado,\n"
         "      saldo a receber e dias de atraso\n"
         "  notas [--de AAAA-MM-DD] [--ate AAAA-MM-DD]\n"
         "      dados das notas fiscais para a prefeitura e o contador (JSON)\n"
         "  feriado --data AAAA-MM-DD --descricao TEXTO [--municipio IBGE]\n"
         "      feriado municipal (os nacionais já são conhecidos) para os dias úteis\n"
         "  verificar   confere as invariantes financeiras (recebido, créditos, repasse)\n"
         "\n"
         "OP = registro ANS ou chave do script; valores em reais (\"1.234,56\").\n");
}

static int do_criar(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {{"operadora", required_argument, NULL, 'o'},
                                       {"competencia", required_argument, NULL, 'c'},
                                       {"lotes", required_argument, NULL, 'l'},
                                       {NULL, 0, NULL, 0}};
  const char *op = NULL, *comp = NULL, *lotes = NULL;
  int64_t ids[256], id = 0;
  size_t n = 0;
  fat_store *st;
  fat_rules *rules;
  fat_gen *gen;
  fat_err err;
  int c;
  fat_rc rc;

  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
    case 'o': op = optarg; break;
    case 'c': comp = optarg; break;
    case 'l': lotes = optarg; break;
    default: return cli_bad_option("fatura criar", argv, opts);
    }
  }
  if (op == NULL || comp == NULL || optind != argc)
    return cli_usage_error("fatura criar", "informe --operadora e --competencia");
  if (lotes != NULL) {
    const char *p = lotes, *q;
    char tok[32];

    while (*p != '\0') {
      q = strchr(p, ',');
      if (q == NULL)
        q = p + strlen(p);
      if ((size_t)(q - p) >= sizeof tok || n >= sizeof ids / sizeof ids[0])
        return cli_usage_error("fatura criar", "lista de lotes inválida '%s'", lotes);
      memcpy(tok, p, (size_t)(q - p));
      tok[q - p] = '\0';
      if (cf_id(tok, &ids[n]) != 0)
        return cli_usage_error("fatura criar", "lista de lotes inválida '%s'", lotes);
      n++;
      p = *q == ',' ? q + 1 : q;
    }
  }
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  gen = cf_gen(cli, st, &rules);
  fat_err_clear(&err);
  rc = fat_fatura_criar(st, gen, op, comp, ids, n, &id, &err);
  cf_gen_close(gen, rules);
  if (rc != FAT_OK)
    return cli_error(&err);
  if (cli->json) {
    cJSON *o = NULL;

    if (fat_fatura_mostrar(st, id, NULL, &o, &err) != FAT_OK)
      return cli_error(&err);
    return cli_emit_json(o);
  }
  printf("fatura #%lld criada\n", (long long)id);
  return CLI_OK;
}

static int do_nf(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    {"numero", required_argument, NULL, 'n'}, {"serie", required_argument, NULL, 's'},
    {"data", required_argument, NULL, 'd'},   {"valor", required_argument, NULL, 'v'},
    {NULL, 0, NULL, 0}};
  const char *num = NULL, *serie = NULL, *data = NULL;
  int64_t id, valor = 0;
  fat_store *st;
  fat_rules *rules;
  fat_gen *gen;
  fat_err err;
  int c;
  fat_rc rc;

  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
    case 'n': num = optarg; break;
    case 's': serie = optarg; break;
    case 'd': data = optarg; break;
    case 'v':
      if (cf_money(optarg, &valor) != 0)
        return cli_usage_error("fatura nf", "valor '%s' inválido", optarg);
      break;
    default: return cli_bad_option("fatura nf", argv, opts);
    }
  }
  if (optind + 1 != argc || cf_id(argv[optind], &id) != 0 || num == NULL || data == NULL)
    return cli_usage_error("fatura nf", "informe a fatura, --numero e --data");
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  gen = cf_gen(cli, st, &rules);
  fat_err_clear(&err);
  rc = fat_fatura_nf(st, gen, id, num, serie, data, valor, &err);
  cf_gen_close(gen, rules);
  if (rc != FAT_OK)
    return cli_error(&err);
  if (!cli->json)
    printf("nota fiscal %s registrada na fatura #%lld\n", num, (long long)id);
  else {
    cJSON *o = NULL;

    if (fat_fatura_mostrar(st, id, NULL, &o, &err) != FAT_OK)
      return cli_error(&err);
    return cli_emit_json(o);
  }
  return CLI_OK;
}

static int filtros(int argc, char **argv, const char *verb, const char **op, const char **comp,
                   const char **hoje)
{
  static const struct option opts[] = {{"operadora", required_argument, NULL, 'o'},
                                       {"competencia", required_argument, NULL, 'c'},
                                       {"hoje", required_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  int c;

  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
    case 'o': *op = optarg; break;
    case 'c':
      if (cli_norm_competencia(optarg) != 0)
        return cli_usage_error(verb, "competência '%s' inválida (use MM/AAAA ou AAAA-MM)", optarg);
      *comp = optarg;
      break;
    case 'h':
      if (hoje == NULL || cli_norm_data(optarg) != 0)
        return cli_usage_error(verb, "data '%s' inválida (use DD/MM/AAAA ou AAAA-MM-DD)", optarg);
      *hoje = optarg;
      break;
    default: return cli_bad_option(verb, argv, opts);
    }
  }
  if (optind != argc)
    return cli_usage_error(verb, "argumento inesperado '%s'", argv[optind]);
  return CLI_OK;
}

static void print_lista(const cJSON *a)
{
  const cJSON *o;
  char v1[40], v2[40], v3[40], d[16];

  if (cJSON_GetArraySize(a) == 0) {
    printf("nenhuma fatura\n");
    return;
  }
  /* "líquido" has one 2-byte character: 15 bytes are 14 columns */
  printf("%-5s %s %-22s %-8s %s %-10s %14s %15s %14s %s\n", "id", fat_text_coluna("nº", 4).s,
         "operadora", "compet.", fat_text_coluna("situação", 17).s, "NF", "valor",
         "líquido", "recebido", "previsão");
  cJSON_ArrayForEach(o, a) {
    printf("%-5lld %-4lld %s %-8s %s %-10s %14s %14s %14s %s\n",
           (long long)cli_jint(o, "id"), (long long)cli_jint(o, "numero"),
           fat_text_coluna(cli_jstr(o, "operadora", "-"), 22).s,
           fat_dia_competencia_br_ou(cli_jstr(o, "competencia", NULL), "-").s,
           fat_text_coluna(fat_fatura_status_rotulo(cli_jstr(o, "status", "-")), 17).s,
           cli_jstr(o, "nf_numero", "-"),
           cf_jbrl(o, "valor", v1),
           cf_jbrl(o, "valor_liquido", v2), cf_jbrl(o, "recebido", v3),
           cf_jdata(o, "previsao_pagamento", d));
  }
}

static void print_mapa(const cJSON *a)
{
  const cJSON *o, *l;
  char v[8][40], d1[16], d2[16];

  if (cJSON_GetArraySize(a) == 0) {
    printf("nenhum lote enviado\n");
    return;
  }
  cJSON_ArrayForEach(o, a) {
    char lotes[128] = "";
    size_t n = 0;

    cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(o, "lotes")) {
      n += (size_t)snprintf(lotes + n, n < sizeof lotes ? sizeof lotes - n : 0, "%s%lld",
                            n ? "," : "", (long long)cli_jint(l, "numero"));
      if (n >= sizeof lotes)
        break;
    }
    /* a fatura's row counts its lotes (`fatura mostrar N` lists them) */
    if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o, "fatura")))
      printf("%s (%s) %s — fatura %lld, NF %s, %lld lote(s)\n", cli_jstr(o, "operadora", "-"),
             cli_jstr(o, "registro_ans", "-"),
             fat_dia_competencia_br_ou(cli_jstr(o, "competencia", NULL), "-").s,
             (long long)cli_jint(o, "fatura"), cli_jstr(o, "nf_numero", "-"),
             (long long)cli_jint(o, "qtd_lotes"));
    else
      printf("%s (%s) %s — sem fatura, lotes %s\n", cli_jstr(o, "operadora", "-"),
             cli_jstr(o, "registro_ans", "-"),
             fat_dia_competencia_br_ou(cli_jstr(o, "competencia", NULL), "-").s, lotes);
    printf("  enviado %s, liberado %s, glosado %s, recursado %s, recuperado %s\n",
           cf_jbrl(o, "valor_enviado", v[0]), cf_jbrl(o, "valor_liberado", v[1]),
           cf_jbrl(o, "valor_glosado", v[2]), cf_jbrl(o, "valor_recursado", v[3]),
           cf_jbrl(o, "valor_recuperado", v[4]));
    printf("  recebido %s (último em %s), retenções %s, saldo a receber %s\n",
           cf_jbrl(o, "valor_recebido", v[5]), cf_jdata(o, "data_recebido", d1),
           cf_jbrl(o, "retencoes", v[6]), cf_jbrl(o, "saldo_a_receber", v[7]));
    printf("  previsão %s, %lld dia(s) de atraso", cf_jdata(o, "previsao_pagamento", d2),
           (long long)cli_jint(o, "dias_atraso"));
    if (cli_jint(o, "atraso_recebimento") > 0)
      printf(" (recebido %lld dia(s) depois da previsão)", (long long)cli_jint(o, "atraso_recebimento"));
    printf(": %s\n", cli_jstr(o, "situacao", "-"));
  }
}

static void print_fatura(const cJSON *o)
{
  const cJSON *x;
  char v1[40], v2[40], v3[40], d[16];

  printf("fatura %lld de %s (%s), competência %s: %s\n", (long long)cli_jint(o, "numero"),
         cli_jstr(o, "operadora", "-"), cli_jstr(o, "registro_ans", "-"),
         fat_dia_competencia_br_ou(cli_jstr(o, "competencia", NULL), "-").s,
         fat_fatura_status_rotulo(cli_jstr(o, "status", "-")));
  printf("  valor %s, NF %s série %s de %s no valor de %s\n", cf_jbrl(o, "valor", v1),
         cli_jstr(o, "nf_numero", "-"), cli_jstr(o, "nf_serie", "-"), cf_jdata(o, "nf_data", d),
         cf_jbrl(o, "nf_valor", v2));
  printf("  retenções: ISS %s, IR %s, ", cf_jbrl(o, "iss", v1), cf_jbrl(o, "ir", v2));
  printf("PIS %s, ", cf_jbrl(o, "pis", v3));
  printf("COFINS %s, CSLL %s\n", cf_jbrl(o, "cofins", v1), cf_jbrl(o, "csll", v2));
  printf("  líquido esperado %s, recebido %s, saldo a receber %s, previsão %s\n",
         cf_jbrl(o, "valor_liquido", v1), cf_jbrl(o, "valor_recebido", v2),
         cf_jbrl(o, "saldo_a_receber", v3), cf_jdata(o, "previsao_pagamento", d));
  cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(o, "recebimentos"))
    printf("  recebimento #%lld em %s: %s (%s)%s\n", (long long)cli_jint(x, "id"),
           cf_jdata(x, "data", d), cf_jbrl(x, "valor", v1), cli_jstr(x, "origem", "-"),
           cli_jint(x, "recuperado") ? " recuperado em recurso" : "");
  cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(o, "diferencas"))
    printf("  diferença: %s\n", cli_jstr(x, "mensagem", "-"));
  cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(o, "guias"))
    printf("  guia %s (lote %lld): esperado %s, recebido %s, saldo %s — %s\n",
           cli_jstr(x, "guia", "-"), (long long)cli_jint(x, "lote"), cf_jbrl(x, "esperado", v1),
           cf_jbrl(x, "recebido", v2), cf_jbrl(x, "saldo", v3), cli_jstr(x, "situacao", "-"));
}

static void print_json(const cJSON *o)
{
  cli_print_json(o);
}

static void print_check(const cJSON *a)
{
  const cJSON *o, *v;

  cJSON_ArrayForEach(o, a) {
    int ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "ok"));

    printf("%-4s %-24s %s\n", ok ? "ok" : "FALHA", cli_jstr(o, "nome", "-"),
           cli_jstr(o, "descricao", ""));
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(o, "violacoes"))
      printf("       %s\n", cJSON_IsString(v) ? v->valuestring : "?");
  }
}

int cli_fatura(fat_cli *cli, int argc, char **argv)
{
  const char *a, *op = NULL, *comp = NULL, *hoje = NULL;
  fat_store *st;
  cJSON *o = NULL;
  fat_err err;
  int r;

  if (argc < 2 || cli_wants_help(argc, argv)) {
    help();
    return argc < 2 ? CLI_USAGE : CLI_OK;
  }
  a = argv[1];
  argc--;
  argv++;
  if (strcmp(a, "criar") == 0)
    return do_criar(cli, argc, argv);
  if (strcmp(a, "nf") == 0)
    return do_nf(cli, argc, argv);
  fat_err_clear(&err);
  if (strcmp(a, "listar") == 0 || strcmp(a, "mapa") == 0) {
    int mapa = a[0] == 'm';

    r = filtros(argc, argv, mapa ? "fatura mapa" : "fatura listar", &op, &comp,
                mapa ? &hoje : NULL);
    if (r != CLI_OK)
      return r;
    st = cli_store(cli);
    if (st == NULL)
      return CLI_FAIL;
    if ((mapa ? fat_fatura_mapa(st, op, comp, hoje, &o, &err)
              : fat_fatura_listar(st, op, comp, &o, &err)) != FAT_OK)
      return cli_error(&err);
    return cf_out(cli, o, mapa ? print_mapa : print_lista);
  }
  if (strcmp(a, "mostrar") == 0) {
    static const struct option opts[] = {{"hoje", required_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int64_t id;
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
      if (c != 'h')
        return cli_bad_option("fatura mostrar", argv, opts);
      if (cli_norm_data(optarg) != 0)
        return cli_usage_error("fatura mostrar",
                               "data '%s' inválida (use DD/MM/AAAA ou AAAA-MM-DD)", optarg);
      hoje = optarg;
    }
    if (optind + 1 != argc || cf_id(argv[optind], &id) != 0)
      return cli_usage_error("fatura mostrar", "informe o id da fatura");
    st = cli_store(cli);
    if (st == NULL)
      return CLI_FAIL;
    if (fat_fatura_mostrar(st, id, hoje, &o, &err) != FAT_OK)
      return cli_error(&err);
    return cf_out(cli, o, print_fatura);
  }
  if (strcmp(a, "notas") == 0) {
    static const struct option opts[] = {{"de", required_argument, NULL, 'd'},
                                         {"ate", required_argument, NULL, 'a'},
                                         {NULL, 0, NULL, 0}};
    const char *de = NULL, *ate = NULL;
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
      if (c != 'd' && c != 'a')
        return cli_bad_option("fatura notas", argv, opts);
      if (cli_norm_data(optarg) != 0)
        return cli_usage_error("fatura notas",
                               "data '%s' inválida (use DD/MM/AAAA ou AAAA-MM-DD)", optarg);
      if (c == 'd')
        de = optarg;
      else
        ate = optarg;
    }
    st = cli_store(cli);
    if (st == NULL)
      return CLI_FAIL;
    if (fat_fatura_nf_dados(st, de, ate, &o, &err) != FAT_OK)
      return cli_error(&err);
    return cf_out(cli, o, print_json);
  }
  if (strcmp(a, "feriado") == 0) {
    static const struct option opts[] = {{"data", required_argument, NULL, 'd'},
                                         {"descricao", required_argument, NULL, 't'},
                                         {"municipio", required_argument, NULL, 'm'},
                                         {NULL, 0, NULL, 0}};
    const char *d = NULL, *t = NULL, *m = NULL;
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
      switch (c) {
      case 'd': d = optarg; break;
      case 't': t = optarg; break;
      case 'm': m = optarg; break;
      default: return cli_bad_option("fatura feriado", argv, opts);
      }
    }
    if (d == NULL || t == NULL)
      return cli_usage_error("fatura feriado", "informe --data e --descricao");
    st = cli_store(cli);
    if (st == NULL)
      return CLI_FAIL;
    if (fat_cal_feriado_adicionar(st, d, t, m, &err) != FAT_OK)
      return cli_error(&err);
    if (!cli->json)
      printf("feriado de %s registrado\n", d);
    return CLI_OK;
  }
  if (strcmp(a, "verificar") == 0) {
    const cJSON *x;
    int falhas = 0;

    st = cli_store(cli);
    if (st == NULL)
      return CLI_FAIL;
    if (fat_fin_verificar(st, &o, &err) != FAT_OK)
      return cli_error(&err);
    cJSON_ArrayForEach(x, o) falhas += !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(x, "ok"));
    r = cf_out(cli, o, print_check);
    return r != CLI_OK ? r : (falhas > 0 ? CLI_FAIL : CLI_OK);
  }
  return cli_usage_error("fatura", "ação '%s' desconhecida (veja faturo fatura --help)", a);
}
