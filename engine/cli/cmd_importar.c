/* cmd_importar.c: `faturo importar guias ARQUIVO [--formato json|csv]`. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "fat_import.h"

static void help(void)
{
  printf("uso: faturo importar guias ARQUIVO [--formato json|csv]\n"
         "\n"
         "Importa um arquivo de guias (JSON ou CSV; o formato vem da extensão quando\n"
         "--formato não é dado). O arquivo é gravado inteiro ou nada: se qualquer linha\n"
         "tiver erro, nada é gravado e a mensagem diz a linha (CSV) ou o índice (JSON)\n"
         "e o campo. Uma guia que já existe (mesma operadora, prestador e número no\n"
         "prestador) é atualizada (revisão + 1), a menos que já esteja em lote.\n"
         "A operadora e o prestador precisam estar cadastrados (faturo cadastro).\n"
         "São recusados, com a linha e o campo: valor negativo ou fora da faixa do TISS,\n"
         "texto maior que o campo do TISS, caractere de controle, byte nulo, e um\n"
         "arquivo UTF-8 com um byte inválido (só um arquivo sem nada em UTF-8 é lido\n"
         "como Latin-1). Datas DD/MM/AAAA ou AAAA-MM-DD; valores 1.234,56 ou 1234.56.\n"
         "Limite: 200 MB por arquivo, exceto CSV em UTF-8, que é lido aos poucos (sem\n"
         "limite de tamanho; a memória não cresce com o arquivo). Formatos:\n"
         "docs/formatos.md.\n"
         "\n"
         "opções:\n"
         "  --formato json|csv   força o formato\n"
         "  --json               resumo em JSON\n");
}

int cli_importar(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {{"formato", required_argument, NULL, 'f'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  fat_formato fmt = FAT_FMT_AUTO;
  fat_import_result res;
  fat_store *st;
  fat_err err;
  int c;

  if (cli_wants_help(argc, argv)) {
    help();
    return CLI_OK;
  }
  optind = 1;
  opterr = 0;
  for (c = getopt_long(argc, argv, "h", opts, NULL); c != -1; c = getopt_long(argc, argv, "h", opts, NULL)) {
    switch (c) {
    case 'f': {
      int f = fat_formato_parse(optarg);

      if (f < 0)
        return cli_usage_error("importar", "formato inválido '%s' (use json ou csv)", optarg);
      fmt = (fat_formato)f;
      break;
    }
    default:
      return cli_bad_option("importar", argv, opts);
    }
  }
  if (optind >= argc)
    return cli_usage_error("importar", "diga o que importar: faturo importar guias ARQUIVO");
  if (strcmp(argv[optind], "guias") != 0)
    return cli_usage_error("importar", "não sei importar '%s' (use: faturo importar guias ARQUIVO)",
                           argv[optind]);
  if (optind + 1 >= argc)
    return cli_usage_error("importar", "falta o ARQUIVO");
  if (optind + 2 < argc)
    return cli_usage_error("importar", "argumento inesperado '%s'", argv[optind + 2]);
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  if (fat_import_guias_file(st, argv[optind + 1], fmt, &res, &err) != FAT_OK)
    return cli_error(&err);
  if (cli->json) {
    cJSON *o = cJSON_CreateObject();

    if (o != NULL && (cJSON_AddStringToObject(o, "arquivo", argv[optind + 1]) == NULL ||
                      cJSON_AddNumberToObject(o, "novas", (double)res.novas) == NULL ||
                      cJSON_AddNumberToObject(o, "atualizadas", (double)res.atualizadas) == NULL ||
                      cJSON_AddNumberToObject(o, "itens", (double)res.itens) == NULL ||
                      cJSON_AddBoolToObject(o, "latin1", res.latin1) == NULL)) {
      cJSON_Delete(o);
      o = NULL;
    }
    return cli_emit_json(o);
  } else {
    printf("%s: %ld guia(s) importada(s), %ld atualizada(s), %ld item(ns)%s\n",
           argv[optind + 1], res.novas, res.atualizadas, res.itens,
           res.latin1 ? " (arquivo convertido de Latin-1 para UTF-8)" : "");
  }
  return CLI_OK;
}
