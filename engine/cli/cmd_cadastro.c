/* cmd_cadastro.c: `faturo cadastro prestador|operadora|plano|listar`. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "fat_cadastro.h"

static void help(void)
{
  printf("uso: faturo cadastro prestador --nome NOME --cnpj CNPJ [--cnes CNES]\n"
         "     faturo cadastro operadora --registro-ans REGISTRO --nome NOME --script CHAVE\n"
         "                               [--codigo-prestador CODIGO] [--prestador CNPJ]\n"
         "     faturo cadastro plano --operadora OPERADORA --codigo CODIGO --nome NOME\n"
         "                           --acomodacao enfermaria|apartamento|ambulatorial\n"
         "     faturo cadastro listar\n"
         "\n"
         "Cadastra a clínica (prestador), as operadoras e os planos. A importação de\n"
         "guias exige que a operadora e o prestador estejam cadastrados. Repetir um\n"
         "cadastro com a mesma chave (CNPJ, registro ANS, operadora + código do plano)\n"
         "atualiza o registro.\n"
         "\n"
         "  --cnpj            14 dígitos, com ou sem pontuação; os dígitos verificadores\n"
         "                    são conferidos\n"
         "  --script          chave do script de regras: rules/operators/<CHAVE>.lua\n"
         "  --codigo-prestador código da clínica nesta operadora\n"
         "                    (codigoPrestadorNaOperadora); se houver mais de um\n"
         "                    prestador cadastrado, diga qual com --prestador CNPJ\n");
}

static int done(fat_cli *cli, const char *what, const char *verb, const char *key, int64_t id)
{
  if (cli->json) {
    cJSON *o = cJSON_CreateObject();

    if (o != NULL && (cJSON_AddStringToObject(o, "cadastro", what) == NULL ||
                      cJSON_AddStringToObject(o, "chave", key) == NULL ||
                      cJSON_AddNumberToObject(o, "id", (double)id) == NULL)) {
      cJSON_Delete(o);
      o = NULL;
    }
    return cli_emit_json(o);
  }
  printf("%s %s %s (id %lld)\n", what, key, verb, (long long)id);
  return CLI_OK;
}

static int listar(fat_cli *cli, fat_store *st)
{
  cJSON *root = NULL;
  const cJSON *p, *o, *x;
  fat_err err;

  fat_err_clear(&err);
  if (fat_cadastro_listar(st, &root, &err) != FAT_OK)
    return cli_error(&err);
  if (cli->json)
    return cli_emit_json(root);
  printf("Prestadores\n");
  cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(root, "prestadores"))
  printf("  %-40s CNPJ %s  CNES %s\n", cli_jstr(p, "nome", "-"), cli_jstr(p, "cnpj", "-"), cli_jstr(p, "cnes", "-"));
  printf("\nOperadoras\n");
  cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(root, "operadoras"))
  {
    printf("  ANS %s  %-36s script %s\n", cli_jstr(o, "registro_ans", "-"), cli_jstr(o, "nome", "-"),
           cli_jstr(o, "script", "-"));
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(o, "codigos_prestador"))
    printf("      código do prestador %s: %s\n", cli_jstr(x, "cnpj", "-"), cli_jstr(x, "codigo", "-"));
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(o, "planos"))
    printf("      plano %s  %s (%s)\n", cli_jstr(x, "codigo", "-"), cli_jstr(x, "nome", "-"), cli_jstr(x, "acomodacao", "-"));
  }
  cJSON_Delete(root);
  return CLI_OK;
}

int cli_cadastro(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {{"nome", required_argument, NULL, 'n'},
                                       {"cnpj", required_argument, NULL, 'c'},
                                       {"cnes", required_argument, NULL, 'e'},
                                       {"registro-ans", required_argument, NULL, 'r'},
                                       {"script", required_argument, NULL, 's'},
                                       {"codigo-prestador", required_argument, NULL, 'p'},
                                       {"prestador", required_argument, NULL, 'P'},
                                       {"operadora", required_argument, NULL, 'o'},
                                       {"codigo", required_argument, NULL, 'k'},
                                       {"acomodacao", required_argument, NULL, 'a'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  const char *nome = NULL, *cnpj = NULL, *cnes = NULL, *reg = NULL, *script = NULL;
  const char *codprest = NULL, *prest = NULL, *oper = NULL, *codigo = NULL, *acom = NULL;
  const char *what;
  fat_store *st;
  fat_err err;
  int64_t id = 0;
  fat_rc rc;
  int c;

  if (cli_wants_help(argc, argv)) {
    help();
    return CLI_OK;
  }
  optind = 1;
  opterr = 0;
  for (c = getopt_long(argc, argv, "h", opts, NULL); c != -1; c = getopt_long(argc, argv, "h", opts, NULL)) {
    switch (c) {
    case 'n': nome = optarg; break;
    case 'c': cnpj = optarg; break;
    case 'e': cnes = optarg; break;
    case 'r': reg = optarg; break;
    case 's': script = optarg; break;
    case 'p': codprest = optarg; break;
    case 'P': prest = optarg; break;
    case 'o': oper = optarg; break;
    case 'k': codigo = optarg; break;
    case 'a': acom = optarg; break;
    default:
      return cli_bad_option("cadastro", argv, opts);
    }
  }
  if (optind >= argc)
    return cli_usage_error("cadastro", "diga o que cadastrar: prestador, operadora, plano ou listar");
  what = argv[optind];
  if (optind + 1 < argc)
    return cli_usage_error("cadastro", "argumento inesperado '%s'", argv[optind + 1]);
  if (strcmp(what, "prestador") == 0) {
    if (nome == NULL || cnpj == NULL)
      return cli_usage_error("cadastro", "prestador precisa de --nome e --cnpj");
  } else if (strcmp(what, "operadora") == 0) {
    if (reg == NULL || nome == NULL || script == NULL)
      return cli_usage_error("cadastro", "operadora precisa de --registro-ans, --nome e --script");
  } else if (strcmp(what, "plano") == 0) {
    if (oper == NULL || codigo == NULL || nome == NULL || acom == NULL)
      return cli_usage_error("cadastro",
                             "plano precisa de --operadora, --codigo, --nome e --acomodacao");
  } else if (strcmp(what, "listar") != 0) {
    return cli_usage_error("cadastro", "não sei cadastrar '%s' (prestador, operadora, plano, listar)",
                           what);
  }
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  if (strcmp(what, "listar") == 0)
    return listar(cli, st);
  fat_err_clear(&err);
  if (strcmp(what, "prestador") == 0) {
    rc = fat_cadastro_prestador(st, nome, cnpj, cnes, &id, &err);
    if (rc == FAT_OK)
      return done(cli, "prestador", "cadastrado", cnpj, id);
  } else if (strcmp(what, "operadora") == 0) {
    rc = fat_cadastro_operadora(st, reg, nome, script, codprest, prest, &id, &err);
    if (rc == FAT_OK)
      return done(cli, "operadora", "cadastrada", reg, id);
  } else {
    rc = fat_cadastro_plano(st, oper, codigo, nome, acom, &id, &err);
    if (rc == FAT_OK)
      return done(cli, "plano", "cadastrado", codigo, id);
  }
  return cli_error(&err);
}
