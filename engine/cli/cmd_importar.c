/* cmd_importar.c: placeholder until Part A lands this verb. */
#include <stdio.h>

#include "cli.h"

int cli_importar(fat_cli *cli, int argc, char **argv)
{
  (void)cli;
  (void)argc;
  (void)argv;
  fprintf(stderr, "faturo importar: ainda não implementado\n");
  return CLI_FAIL;
}
