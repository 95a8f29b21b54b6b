/* cmd_init.c: `faturo init`. */
#include <stdio.h>

#include <cjson/cJSON.h>

#include "cli.h"

int cli_init(fat_cli *cli, int argc, char **argv)
{
  fat_store *st;

  if (cli_wants_help(argc, argv)) {
    printf("uso: faturo init [--db CAMINHO]\n\n"
           "Cria o banco de dados (ou aplica as migrações pendentes a um existente).\n"
           "Um banco criado por uma versão mais nova do faturo é recusado.\n");
    return CLI_OK;
  }
  if (cli_sem_opcoes("init", argc, argv, NULL) != CLI_OK)
    return CLI_USAGE;
  if (argc > 1)
    return cli_usage_error("init", "argumento inesperado '%s'", argv[1]);
  st = cli_store_create(cli);
  if (st == NULL)
    return CLI_FAIL;
  if (cli->json) {
    cJSON *o = cJSON_CreateObject();

    if (o != NULL && (cJSON_AddStringToObject(o, "banco", cli->db_path) == NULL ||
                      cJSON_AddNumberToObject(o, "esquema", fat_store_schema_version(st)) == NULL)) {
      cJSON_Delete(o);
      o = NULL;
    }
    return cli_emit_json(o);
  }
  printf("banco pronto: %s (esquema versão %d)\n", cli->db_path, fat_store_schema_version(st));
  return CLI_OK;
}
