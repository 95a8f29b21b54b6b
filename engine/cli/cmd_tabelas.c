/* cmd_tabelas.c: `faturo tabelas importar|listar` (Part D). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "fat_tabelas.h"

static void help(void)
{
  printf("uso: faturo tabelas importar TIPO ARQUIVO [--vigencia AAAA-MM-DD] [--edicao E]\n"
         "                                          [--operadora OPERADORA]\n"
         "     faturo tabelas listar\n"
         "\n"
         "Importa tabelas de referência e de preços de um arquivo CSV brasileiro\n"
         "(separador ';', vírgula decimal, cabeçalho na primeira linha, UTF-8 ou\n"
         "ISO-8859-1). Uma linha com erro recusa o arquivo inteiro (nada é gravado) e a\n"
         "mensagem diz a linha e a coluna. Os leiautes estão em docs/tabelas.md.\n"
         "\n"
         "TIPO:\n"
         "  tuss        terminologia TUSS: tabela;codigo;descricao\n"
         "  cbhpm       procedimentos (precisa de --edicao): codigo;descricao;porte;\n"
         "              fracao_porte;uco;filme;auxiliares;porte_anestesico\n"
         "  portes      valor de cada porte da edição (precisa de --edicao): porte;valor\n"
         "  brasindice  medicamentos: codigo;descricao;apresentacao;pf;pmc\n"
         "  simpro      materiais: codigo;descricao;apresentacao;pf;pmc\n"
         "  negociada   tabela própria da operadora (precisa de --operadora):\n"
         "              codigo;descricao;valor\n"
         "  glosas      TUSS tabela 38 (motivos de glosa): codigo;descricao;grupo\n"
         "\n"
         "  --vigencia  início da vigência das linhas sem coluna vigencia_inicio\n"
         "              (padrão: desde sempre); um reajuste é uma nova importação\n"
         "              com a data em que passa a valer\n"
         "  --edicao    edição da CBHPM (ex.: demo, 5)\n"
         "  --operadora a operadora da tabela negociada: registro ANS, chave do script\n"
         "              ou id de uma cadastrada, ou o registro ANS (6 dígitos) de uma\n"
         "              ainda não cadastrada; outro nome desconhecido é recusado\n"
         "  --vigencia  DD/MM/AAAA ou AAAA-MM-DD\n");
}

static int importar(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {{"vigencia", required_argument, NULL, 'v'},
                                       {"edicao", required_argument, NULL, 'e'},
                                       {"operadora", required_argument, NULL, 'o'},
                                       {NULL, 0, NULL, 0}};
  fat_tabela_opcoes op = {NULL, NULL, NULL};
  fat_tabela_resultado res;
  fat_store *st;
  fat_err err;
  char vigencia[FAT_DIA_ISO_LEN];
  int c, tipo;

  optind = 1;
  opterr = 0;
  for (c = getopt_long(argc, argv, "", opts, NULL); c != -1; c = getopt_long(argc, argv, "", opts, NULL)) {
    switch (c) {
    case 'v': op.vigencia = optarg; break;
    case 'e': op.edicao = optarg; break;
    case 'o': op.operadora = optarg; break;
    default: return cli_bad_option("tabelas", argv, opts);
    }
  }
  if (argc - optind != 2)
    return cli_usage_error("tabelas", "diga o TIPO e o ARQUIVO");
  tipo = fat_tabela_tipo_parse(argv[optind]);
  if (tipo < 0)
    return cli_usage_error("tabelas",
                           "tipo desconhecido '%s' (tuss, cbhpm, portes, brasindice, simpro, "
                           "negociada, glosas)",
                           argv[optind]);
  if (cli_arg_data("tabelas", "--vigencia", &op.vigencia, vigencia) != CLI_OK)
    return CLI_USAGE;
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  if (fat_tabelas_importar(st, (fat_tabela_tipo)tipo, argv[optind + 1], &op, &res, &err) !=
      FAT_OK)
    return cli_error(&err);
  if (cli->json) {
    cJSON *o = cJSON_CreateObject();

    if (o != NULL &&
        (cJSON_AddStringToObject(o, "tipo", argv[optind]) == NULL ||
         cJSON_AddNumberToObject(o, "importacao", (double)res.importacao_id) == NULL ||
         cJSON_AddNumberToObject(o, "linhas", (double)res.linhas) == NULL ||
         cJSON_AddStringToObject(o, "codificacao", res.codificacao) == NULL ||
         cJSON_AddStringToObject(o, "sha256", res.sha256) == NULL)) {
      cJSON_Delete(o);
      o = NULL;
    }
    return cli_emit_json(o);
  }
  printf("tabela %s importada: %ld linhas (%s), importação %lld, sha256 %.16s...\n", argv[optind],
         res.linhas, res.codificacao, (long long)res.importacao_id, res.sha256);
  return CLI_OK;
}

static int listar(fat_cli *cli)
{
  static const char *const keys[] = {"tuss",   "cbhpm",     "portes", "brasindice",
                                     "simpro", "negociada", "glosas"};
  fat_store *st = cli_store(cli);
  const cJSON *e, *tot;
  cJSON *root = NULL;
  fat_err err;
  size_t i;

  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  if (fat_tabelas_listar(st, &root, &err) != FAT_OK)
    return cli_error(&err);
  if (cli->json)
    return cli_emit_json(root);
  tot = cJSON_GetObjectItemCaseSensitive(root, "totais");
  printf("linhas vigentes ou históricas por tabela:\n");
  for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
    printf("  %-11s %8ld\n", keys[i], (long)cli_jint(tot, keys[i]));
  printf("\nimportações:\n");
  printf("  %4s  %-10s %-28s %6s  %-10s %-8s %-6s %-10s  %s\n", "id", "tipo", "arquivo", "linhas",
         "vigência", "edição", "op.", "codific.", "em");
  cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(root, "importacoes"))
  {
    printf("  %4ld  %-10s %-28.28s %6ld  %-10s %-8s %-6s %-10s  %s\n", (long)cli_jint(e, "id"),
           cli_jstr(e, "tipo", "-"), cli_jstr(e, "arquivo", "-"), (long)cli_jint(e, "linhas"), cli_jstr(e, "vigencia", "-"),
           cli_jstr(e, "edicao", "-"), cli_jstr(e, "operadora", "-"), cli_jstr(e, "codificacao", "-"),
           cli_jstr(e, "importado_em", "-"));
  }
  cJSON_Delete(root);
  return CLI_OK;
}

int cli_tabelas(fat_cli *cli, int argc, char **argv)
{
  if (argc < 2 || cli_wants_help(argc, argv)) {
    help();
    return argc < 2 ? CLI_USAGE : CLI_OK;
  }
  if (strcmp(argv[1], "importar") == 0)
    return importar(cli, argc - 1, argv + 1);
  if (strcmp(argv[1], "listar") == 0) {
    if (cli_sem_opcoes("tabelas listar", argc - 1, argv + 1, NULL) != CLI_OK)
      return CLI_USAGE;
    if (argc != 2)
      return cli_usage_error("tabelas", "listar não tem argumentos");
    return listar(cli);
  }
  return cli_usage_error("tabelas", "subcomando desconhecido '%s' (importar, listar)", argv[1]);
}
