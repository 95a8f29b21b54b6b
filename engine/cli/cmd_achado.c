/* cmd_achado.c: `faturo achado listar|reconhecer` (Part C). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "fat_conferir.h"
#include "fat_model.h"
#include "fat_money.h"

static void help(void)
{
  printf("uso: faturo achado listar [--guia N] [--json]\n"
         "     faturo achado reconhecer ID --motivo \"texto\"\n"
         "\n"
         "listar      mostra os achados da conferência: os de uma guia (--guia), ou todos\n"
         "            os que ainda não foram reconhecidos\n"
         "reconhecer  aceita um achado com justificativa (fica na auditoria); uma guia\n"
         "            cujos bloqueios estão todos reconhecidos fica pronta para lote.\n"
         "            Ao reconferir, o reconhecimento continua valendo enquanto o mesmo\n"
         "            achado reaparecer (mesmo código, mesmo item pelo sequencial, mesmo\n"
         "            campo). Um bloqueio numa guia sem um campo que o XML TISS exige\n"
         "            (ex.: carteira) não pode ser reconhecido: corrija a guia.\n");
}

static int listar(fat_cli *cli, int64_t guia_id)
{
  fat_store *st = cli_store(cli);
  cJSON *arr = NULL, *a;
  fat_err err;
  char money[40];
  int n = 0;

  if (st == NULL)
    return CLI_FAIL;
  if (fat_achado_listar(st, guia_id, &arr, &err) != FAT_OK)
    return cli_error(&err);
  if (cli->json) {
    char *s = cJSON_PrintUnformatted(arr);

    if (s != NULL) {
      puts(s);
      cJSON_free(s);
    }
    cJSON_Delete(arr);
    return CLI_OK;
  }
  cJSON_ArrayForEach(a, arr)
  {
    const char *rec = cli_jstr(a, "reconhecido_em", NULL);

    fat_money_format_br((int64_t)cli_jnum(a, "valor_risco"), money, sizeof money);
    printf("achado %.0f  guia %.0f (%s)  [%s] %s%s%s  glosa %s  %s\n", cli_jnum(a, "id"),
           cli_jnum(a, "guia_id"), cli_jstr(a, "numero_prestador", NULL) ? cli_jstr(a, "numero_prestador", NULL) : "?",
           cli_jstr(a, "severidade", NULL), cli_jstr(a, "codigo", NULL), cli_jstr(a, "campo", NULL) ? " em " : "",
           cli_jstr(a, "campo", NULL) ? cli_jstr(a, "campo", NULL) : "",
           cli_jstr(a, "glosa_prevista", NULL) ? cli_jstr(a, "glosa_prevista", NULL) : "-", money);
    printf("    %s\n", cli_jstr(a, "mensagem", NULL));
    if (rec != NULL)
      printf("    reconhecido em %s por %s: %s\n", rec,
             cli_jstr(a, "reconhecido_por", NULL) ? cli_jstr(a, "reconhecido_por", NULL) : "?",
             cli_jstr(a, "reconhecido_motivo", NULL) ? cli_jstr(a, "reconhecido_motivo", NULL) : "");
    n++;
  }
  if (n == 0)
    printf(guia_id > 0 ? "a guia não tem achados\n" : "nenhum achado em aberto\n");
  cJSON_Delete(arr);
  return CLI_OK;
}

static int reconhecer(fat_cli *cli, int64_t id, const char *motivo)
{
  fat_store *st = cli_store(cli);
  fat_err err;
  int64_t gid = 0, abertos = 0;

  if (st == NULL)
    return CLI_FAIL;
  if (fat_achado_reconhecer(st, id, motivo, &gid, &abertos, &err) != FAT_OK)
    return cli_error(&err);
  if (cli->json) {
    printf("{\"achado\":%lld,\"guia_id\":%lld,\"bloqueios_abertos\":%lld,\"pronta_para_lote\":%s}"
           "\n",
           (long long)id, (long long)gid, (long long)abertos, abertos == 0 ? "true" : "false");
  } else if (abertos == 0) {
    printf("achado %lld reconhecido; a guia %lld não tem mais bloqueios em aberto e está "
           "pronta para lote\n",
           (long long)id, (long long)gid);
  } else {
    printf("achado %lld reconhecido; a guia %lld ainda tem %lld bloqueio(s) em aberto\n",
           (long long)id, (long long)gid, (long long)abertos);
  }
  return CLI_OK;
}

int cli_achado(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {{"guia", required_argument, NULL, 'g'},
                                       {"motivo", required_argument, NULL, 'm'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  const char *motivo = NULL, *sub;
  int64_t guia_id = 0, id;
  char *end;
  int c;

  if (cli_wants_help(argc, argv)) {
    help();
    return CLI_OK;
  }
  optind = 1;
  opterr = 0;
  for (c = getopt_long(argc, argv, "h", opts, NULL); c != -1;
       c = getopt_long(argc, argv, "h", opts, NULL)) {
    switch (c) {
    case 'g':
      guia_id = strtoll(optarg, &end, 10);
      if (end == optarg || *end != '\0' || guia_id <= 0)
        return cli_usage_error("achado", "--guia espera o id numérico da guia");
      break;
    case 'm': motivo = optarg; break;
    case 'h': help(); return CLI_OK;
    default: return cli_bad_option("achado", argv, opts);
    }
  }
  if (optind >= argc)
    return cli_usage_error("achado", "diga o que fazer: listar ou reconhecer");
  sub = argv[optind];
  if (strcmp(sub, "listar") == 0) {
    if (optind + 1 < argc)
      return cli_usage_error("achado", "argumento inesperado '%s'", argv[optind + 1]);
    return listar(cli, guia_id);
  }
  if (strcmp(sub, "reconhecer") == 0) {
    if (optind + 1 >= argc)
      return cli_usage_error("achado", "informe o id do achado (veja: faturo achado listar)");
    id = strtoll(argv[optind + 1], &end, 10);
    if (end == argv[optind + 1] || *end != '\0' || id <= 0)
      return cli_usage_error("achado", "id de achado inválido '%s'", argv[optind + 1]);
    if (optind + 2 < argc)
      return cli_usage_error("achado", "argumento inesperado '%s'", argv[optind + 2]);
    if (motivo == NULL || motivo[0] == '\0')
      return cli_usage_error("achado", "informe o motivo: --motivo \"...\"");
    return reconhecer(cli, id, motivo);
  }
  return cli_usage_error("achado", "subcomando desconhecido '%s' (listar ou reconhecer)", sub);
}
