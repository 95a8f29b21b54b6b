/* cmd_exportar.c: `faturo exportar guias [--operadora R] [--competencia AAAA-MM]
** [--formato json|csv] [--saida ARQUIVO]`. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "fat_export.h"
#include "fat_mem.h"

/* The export's pieces to stdout (a fat_escrita). */
static fat_rc escreve_stdout(void *u, const char *p, size_t n, fat_err *err)
{
  (void)u;
  if (fwrite(p, 1, n, stdout) != n)
    return fat_err_sys(err, errno, "erro ao escrever a exportação na saída");
  return FAT_OK;
}

static void help(void)
{
  printf("uso: faturo exportar guias [--operadora OPERADORA] [--competencia MM/AAAA]\n"
         "                            [--formato json|csv] [--saida ARQUIVO]\n"
         "\n"
         "Exporta as guias (com itens) no mesmo formato que `faturo importar guias` lê:\n"
         "exportar e importar de volta dá as mesmas guias. Sem --saida, escreve na tela.\n"
         "O formato padrão é JSON (ou o da extensão de --saida); com a opção global\n"
         "--json a saída é sempre JSON. Formatos: docs/formatos.md.\n"
         "\n"
         "opções:\n"
         "  --operadora OPERADORA      só as guias desta operadora (registro ANS, chave do\n"
         "                             script ou id; uma desconhecida é recusada)\n"
         "  --competencia MM/AAAA      só as guias desta competência (ou AAAA-MM)\n"
         "  --formato json|csv         formato da saída\n"
         "  --saida ARQUIVO            grava no arquivo (de forma atômica)\n"
         "\n"
         "As guias são lidas e escritas aos poucos: a memória não cresce com o número de\n"
         "guias. Com --saida, o texto vai para ARQUIVO.tmp e só ganha o nome ARQUIVO quando\n"
         "está completo; se a gravação falhar no meio (disco cheio), o erro diz por quê, o\n"
         "ARQUIVO.tmp é apagado e um ARQUIVO anterior fica como estava. Na tela, se quem lê\n"
         "fechar a saída antes do fim (`| head`), o comando termina com erro.\n");
}

int cli_exportar(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {{"operadora", required_argument, NULL, 'o'},
                                       {"competencia", required_argument, NULL, 'c'},
                                       {"formato", required_argument, NULL, 'f'},
                                       {"saida", required_argument, NULL, 's'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  fat_export_filter flt = {NULL, NULL};
  fat_formato fmt = FAT_FMT_AUTO;
  fat_leitor leitor;
  const char *saida = NULL;
  fat_store *st;
  fat_err err;
  char comp[FAT_DIA_COMP_LEN];
  size_t n = 0;
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
    case 'o':
      flt.operadora = optarg;
      break;
    case 'c':
      flt.competencia = optarg;
      if (cli_arg_competencia("exportar", "--competencia", &flt.competencia, comp) != CLI_OK)
        return CLI_USAGE;
      break;
    case 'f': {
      int f = fat_formato_parse(optarg);

      if (f < 0)
        return cli_usage_error("exportar", "formato inválido '%s' (use json ou csv)", optarg);
      fmt = (fat_formato)f;
      break;
    }
    case 's':
      saida = optarg;
      break;
    default:
      return cli_bad_option("exportar", argv, opts);
    }
  }
  if (optind >= argc || strcmp(argv[optind], "guias") != 0)
    return cli_usage_error("exportar", "use: faturo exportar guias [opções]");
  if (optind + 1 < argc)
    return cli_usage_error("exportar", "argumento inesperado '%s'", argv[optind + 1]);
  if (cli->json)
    fmt = FAT_FMT_JSON;
  if (fmt == FAT_FMT_AUTO && saida != NULL)
    fmt = fat_formato_from_path(saida);
  if (fmt == FAT_FMT_AUTO)
    fmt = FAT_FMT_JSON;
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  if (fat_export_guias_checar(st, &flt, &err) != FAT_OK)
    return cli_error(&err);
  /* an export carries every identifier: recorded before the first byte
  ** leaves */
  if (cli_leitor(cli, "exportar", &leitor) == NULL ||
      fat_acesso_registrar_exportacao(st, &leitor, flt.operadora, flt.competencia, &err) !=
          FAT_OK)
    return err.rc != FAT_OK ? cli_error(&err) : CLI_FAIL;
  if (saida != NULL) {
    fat_file_out fo;

    /* written beside saida as it is produced, renamed when complete */
    rc = fat_file_out_open(&fo, saida, &err);
    if (rc != FAT_OK)
      return cli_error(&err);
    rc = fat_export_guias_escrever(st, &flt, fmt, fat_file_out_escrever, &fo, &n, &err);
    if (rc == FAT_OK)
      rc = fat_file_out_commit(&fo, &err);
    else
      fat_file_out_abort(&fo);
    if (rc != FAT_OK)
      return cli_error(&err);
    fprintf(stderr, "%zu guia(s) exportada(s) para %s\n", n, saida);
    return CLI_OK;
  }
  /* a reader that goes away (`| head`) is an error to report, not a
  ** signal that kills the process silently */
  signal(SIGPIPE, SIG_IGN);
  rc = fat_export_guias_escrever(st, &flt, fmt, escreve_stdout, NULL, &n, &err);
  if (rc == FAT_OK && fflush(stdout) != 0)
    rc = fat_err_sys(&err, errno, "erro ao escrever a exportação na saída");
  if (rc != FAT_OK)
    return cli_error(&err);
  return CLI_OK;
}
