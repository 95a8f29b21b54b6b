/* cmd_guia.c: placeholder until Part A lands this verb. */
#include <stdio.h>

#include "cli.h"

int cli_guia(fat_cli *cli, int argc, char **argv)
{
  (void)cli;
  (void)argc;
  (void)argv;
  fprintf(stderr, "faturo guia: ainda não implementado\n");
  return CLI_FAIL;
}
