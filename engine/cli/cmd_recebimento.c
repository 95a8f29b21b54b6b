/* cmd_recebimento.c: `faturo recebimento registrar|listar|demonstrativos`. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli_fin.h"
#include "fat_fatura.h"

static void help(void)
{
  printf("uso: faturo recebimento <ação> [opções]\n"
         "\n"
         "  registrar (--fatura N | --lote N | --demonstrativo N | --recurso N)\n"
         "            [--valor V] [--data AAAA-MM-DD] [--descricao TEXTO] [--aceitar-excedente]\n"
         "      baixa de dinheiro recebido da operadora, à mão. --demonstrativo N recebe um\n"
         "      demonstrativo de pagamento importado (sem --valor/--data: os dele);\n"
         "      --recurso N recebe o dinheiro recuperado por um recurso respondido.\n"
         "      Recebimento acima do liberado + recuperado da guia só com --aceitar-excedente.\n"
         "  listar [--operadora OP] [--de AAAA-MM-DD] [--ate AAAA-MM-DD]\n"
         "  demonstrativos [--operadora OP]   demonstrativos de pagamento e se o dinheiro veio\n");
}

static void print_lista(const cJSON *a)
{
  const cJSON *o;
  char v1[40], v2[40], d[16];

  if (cJSON_GetArraySize(a) == 0) {
    printf("nenhum recebimento\n");
    return;
  }
  printf("%-5s %-10s %-20s %-13s %14s %14s %s\n", "id", "data", "operadora", "origem", "valor",
         "bruto", "referência");
  cJSON_ArrayForEach(o, a) {
    char ref[64] = "";

    if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o, "fatura")))
      snprintf(ref, sizeof ref, "fatura %lld", (long long)cli_jint(o, "fatura"));
    else if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o, "lote")))
      snprintf(ref, sizeof ref, "lote %lld", (long long)cli_jint(o, "lote"));
    else if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o, "recurso")))
      snprintf(ref, sizeof ref, "recurso %lld", (long long)cli_jint(o, "recurso"));
    printf("%-5lld %-10s %-20.20s %-13s %14s %14s %s%s%s\n", (long long)cli_jint(o, "id"),
           cf_jdata(o, "data", d), cli_jstr(o, "operadora", "-"), cli_jstr(o, "origem", "-"),
           cf_jbrl(o, "valor", v1), cf_jbrl(o, "valor_bruto", v2), ref,
           cli_jint(o, "recuperado") ? " (recuperado)" : "",
           cli_jint(o, "excedente") ? " (excedente aceito)" : "");
  }
}

static void print_dem(const cJSON *a)
{
  const cJSON *o;
  char v1[40], d[16];

  if (cJSON_GetArraySize(a) == 0) {
    printf("nenhum demonstrativo de pagamento\n");
    return;
  }
  cJSON_ArrayForEach(o, a)
    printf("#%-4lld %s lote %-4lld %s em %s: %s\n", (long long)cli_jint(o, "id"),
           cli_jstr(o, "operadora", "-"), (long long)cli_jint(o, "lote"), cf_jbrl(o, "valor", v1),
           cf_jdata(o, "data", d),
           cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o, "recebimento_id"))
               ? "recebido"
               : (cli_jint(o, "recebido_lote") > 0 ? "lote com recebimento" : "sem recebimento"));
}

static int do_registrar(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    {"fatura", required_argument, NULL, 'f'},  {"lote", required_argument, NULL, 'l'},
    {"demonstrativo", required_argument, NULL, 'p'}, {"recurso", required_argument, NULL, 'r'},
    {"valor", required_argument, NULL, 'v'},   {"data", required_argument, NULL, 'd'},
    {"descricao", required_argument, NULL, 't'}, {"aceitar-excedente", no_argument, NULL, 'x'},
    {NULL, 0, NULL, 0}};
  fat_recebimento_in in;
  fat_store *st;
  fat_err err;
  int64_t id = 0;
  int c, bad = 0;
  char v[40];

  memset(&in, 0, sizeof in);
  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
    case 'f': bad |= cf_id(optarg, &in.fatura_id); break;
    case 'l': bad |= cf_id(optarg, &in.lote_id); break;
    case 'p': bad |= cf_id(optarg, &in.pagamento_id); break;
    case 'r': bad |= cf_id(optarg, &in.recurso_id); break;
    case 'v':
      if (cf_money(optarg, &in.valor) != 0)
        return cli_usage_error("recebimento registrar", "valor '%s' inválido", optarg);
      break;
    case 'd': in.data = optarg; break;
    case 't': in.descricao = optarg; break;
    case 'x': in.aceitar_excedente = 1; break;
    default: return cli_bad_option("recebimento registrar", argv, opts);
    }
  }
  if (bad || optind != argc)
    return cli_usage_error("recebimento registrar", "número inválido");
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  if (fat_recebimento_registrar(st, &in, &id, &err) != FAT_OK)
    return cli_error(&err);
  if (cli->json) {
    cJSON *o = cJSON_CreateObject();

    if (o != NULL)
      cJSON_AddNumberToObject(o, "id", (double)id);
    return cli_emit_json(o);
  }
  printf("recebimento #%lld registrado%s\n", (long long)id,
         in.valor > 0 ? "" : " (valor do demonstrativo)");
  (void)v;
  return CLI_OK;
}

int cli_recebimento(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {{"operadora", required_argument, NULL, 'o'},
                                       {"de", required_argument, NULL, 'd'},
                                       {"ate", required_argument, NULL, 'a'},
                                       {NULL, 0, NULL, 0}};
  const char *a, *op = NULL;
  char *de = NULL, *ate = NULL;
  fat_store *st;
  cJSON *o = NULL;
  fat_err err;
  int c, dem;

  if (argc < 2 || cli_wants_help(argc, argv)) {
    help();
    return argc < 2 ? CLI_USAGE : CLI_OK;
  }
  a = argv[1];
  argc--;
  argv++;
  if (strcmp(a, "registrar") == 0)
    return do_registrar(cli, argc, argv);
  if (strcmp(a, "listar") != 0 && strcmp(a, "demonstrativos") != 0)
    return cli_usage_error("recebimento", "ação '%s' desconhecida", a);
  dem = a[0] == 'd';
  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
    case 'o': op = optarg; break;
    case 'd': de = optarg; break;
    case 'a': ate = optarg; break;
    default: return cli_bad_option("recebimento", argv, opts);
    }
  }
  if ((de != NULL && cli_norm_data(de) != 0) || (ate != NULL && cli_norm_data(ate) != 0))
    return cli_usage_error("recebimento", "data inválida (use DD/MM/AAAA ou AAAA-MM-DD)");
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  if ((dem ? fat_recebimento_demonstrativos(st, op, &o, &err)
           : fat_recebimento_listar(st, op, de, ate, &o, &err)) != FAT_OK)
    return cli_error(&err);
  return cf_out(cli, o, dem ? print_dem : print_lista);
}
