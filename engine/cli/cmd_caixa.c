/* cmd_caixa.c: `faturo caixa abrir|suprimento|sangria|fechar|mostrar` (the user's
** caixa of one day; the user is --usuario). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli_fin.h"
#include "fat_dia.h"
#include "fat_particular.h"

static void help(void)
{
  printf("uso: faturo caixa <ação> [--data AAAA-MM-DD] [opções]   (data: hoje)\n"
         "\n"
         "  abrir --valor V          abre o caixa do dia com o troco inicial\n"
         "  suprimento --valor V --motivo TEXTO   dinheiro que entrou no caixa\n"
         "  sangria --valor V --motivo TEXTO      dinheiro retirado do caixa\n"
         "  fechar --contado V       fecha com o valor contado; mostra a diferença\n"
         "  mostrar [--usuario-caixa NOME]   entradas, movimentos e o esperado\n"
         "\n"
         "O caixa é do usuário (--usuario) e do dia.\n");
}

static void print_caixa(const cJSON *o)
{
  const cJSON *x;
  char v[6][40], d[16];

  printf("caixa de %s em %s: %s\n", cli_jstr(o, "usuario", "-"), cf_jdata(o, "data", d),
         cli_jstr(o, "status", "-"));
  printf("  abertura %s + dinheiro %s + suprimentos %s - sangrias %s = esperado %s\n",
         cf_jbrl(o, "abertura", v[0]), cf_jbrl(o, "dinheiro", v[1]),
         cf_jbrl(o, "suprimentos", v[2]), cf_jbrl(o, "sangrias", v[3]),
         cf_jbrl(o, "esperado", v[4]));
  cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(o, "entradas"))
    printf("  recibo %lld: %s (%s)\n", (long long)cli_jint(x, "recibo"), cf_jbrl(x, "valor", v[0]),
           cli_jstr(x, "paciente", ""));
  cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(o, "movimentos"))
    printf("  %s: %s (%s)\n", cli_jstr(x, "tipo", "-"), cf_jbrl(x, "valor", v[0]),
           cli_jstr(x, "motivo", ""));
  if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o, "contado")))
    printf("  contado %s, diferença %s\n", cf_jbrl(o, "contado", v[0]),
           cf_jbrl(o, "diferenca", v[1]));
}

int cli_caixa(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    {"data", required_argument, NULL, 'd'},   {"valor", required_argument, NULL, 'v'},
    {"motivo", required_argument, NULL, 'm'}, {"contado", required_argument, NULL, 'c'},
    {"usuario-caixa", required_argument, NULL, 'u'}, {NULL, 0, NULL, 0}};
  const char *a, *motivo = NULL, *dono = NULL;
  char data[11];
  int64_t valor = -1, contado = -1;
  fat_store *st;
  cJSON *o = NULL;
  fat_err err;
  int c;

  if (argc < 2 || cli_wants_help(argc, argv)) {
    help();
    return argc < 2 ? CLI_USAGE : CLI_OK;
  }
  a = argv[1];
  argc--;
  argv++;
  fat_dia_hoje(data, sizeof data);
  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
    case 'd':
      if (cli_norm_data(optarg) != 0)
        return cli_usage_error("caixa", "data '%s' inválida (use DD/MM/AAAA ou AAAA-MM-DD)", optarg);
      snprintf(data, sizeof data, "%s", optarg);
      break;
    case 'v':
      if (cf_money(optarg, &valor) != 0)
        return cli_usage_error("caixa", "valor '%s' inválido", optarg);
      break;
    case 'c':
      if (cf_money(optarg, &contado) != 0)
        return cli_usage_error("caixa", "valor '%s' inválido", optarg);
      break;
    case 'm': motivo = optarg; break;
    case 'u': dono = optarg; break;
    default: return cli_bad_option("caixa", argv, opts);
    }
  }
  if (optind != argc)
    return cli_usage_error("caixa", "argumento inesperado '%s'", argv[optind]);
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  if (strcmp(a, "abrir") == 0) {
    if (valor < 0)
      return cli_usage_error("caixa abrir", "informe --valor (troco inicial)");
    if (fat_caixa_abrir(st, data, valor, NULL, &err) != FAT_OK)
      return cli_error(&err);
  } else if (strcmp(a, "suprimento") == 0 || strcmp(a, "sangria") == 0) {
    if (valor < 0)
      return cli_usage_error("caixa", "informe --valor");
    if (fat_caixa_movimentar(st, data, a, valor, motivo, &err) != FAT_OK)
      return cli_error(&err);
  } else if (strcmp(a, "fechar") == 0) {
    if (contado < 0)
      return cli_usage_error("caixa fechar", "informe --contado");
    if (fat_caixa_fechar(st, data, contado, &o, &err) != FAT_OK)
      return cli_error(&err);
    return cf_out(cli, o, print_caixa);
  } else if (strcmp(a, "mostrar") != 0) {
    return cli_usage_error("caixa", "ação '%s' desconhecida", a);
  }
  if (fat_caixa_mostrar(st, dono, data, &o, &err) != FAT_OK)
    return cli_error(&err);
  return cf_out(cli, o, print_caixa);
}
