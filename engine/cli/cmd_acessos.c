/* cmd_acessos.c: `faturo auditoria acessos [--beneficiario CPF] [--usuario U]
** [--desde D]` (Part N): who saw what, from the access log (fat_acesso_log.h).
** Routed by cmd_auditoria.c. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fat_dia.h"
#include "cli.h"
#include "fat_acesso_log.h"
#include "fat_lgpd.h"

static void help(void)
{
  printf("uso: faturo auditoria acessos [--beneficiario CPF] [--usuario NOME]\n"
         "                              [--desde AAAA-MM-DD] [--limite N] [--json]\n"
         "\n"
         "Mostra o registro de acessos a dados de pacientes, do mais recente ao mais\n"
         "antigo: cada leitura de guia, beneficiário, particular, listagem ou exportação\n"
         "com dados de paciente, pela linha de comando ou pelo painel, com usuário,\n"
         "papel, data e hora, o comando ou a rota (o porquê), o tipo e os números\n"
         "(ids) dos registros lidos e se o CPF/CNS/carteira apareceu completo ou\n"
         "mascarado. O registro guarda só os ids, nunca o dado do paciente.\n"
         "\n"
         "  --beneficiario CPF  só os acessos aos registros deste paciente\n"
         "  --usuario NOME      só os acessos deste usuário\n"
         "  --desde AAAA-MM-DD  a partir deste dia (no fuso da clínica)\n"
         "  --limite N          no máximo N linhas (padrão 1000)\n"
         "\n"
         "Veja docs/lgpd.md.\n");
}

int cli_auditoria_acessos(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {{"beneficiario", required_argument, NULL, 'b'},
                                       {"desde", required_argument, NULL, 'd'},
                                       {"limite", required_argument, NULL, 'l'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  fat_acesso_filtro f;
  fat_store *st;
  fat_err err;
  cJSON *rows = NULL, *x;
  char quando[40], *end;
  long v;
  int c, ret;

  memset(&f, 0, sizeof f);
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
    case 'b':
      f.cpf = optarg;
      break;
    case 'd':
      f.desde = optarg;
      break;
    case 'l':
      v = strtol(optarg, &end, 10);
      if (end == optarg || *end != '\0' || v <= 0 || v > 100000)
        return cli_usage_error("auditoria acessos", "--limite inválido: '%s'", optarg);
      f.limite = (int)v;
      break;
    case 'h':
      help();
      return CLI_OK;
    default:
      return cli_usage_error("auditoria acessos", "opção desconhecida: %s", argv[optind - 1]);
    }
  }
  if (optind != argc)
    return cli_usage_error("auditoria acessos", "argumento a mais: %s", argv[optind]);
  /* --usuario is a global option (main.c takes it out of argv wherever it
  ** is): here it names whose reads to show */
  if (cli->usuario_informado)
    f.usuario = cli->usuario;
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  if (fat_acesso_listar(st, &f, &rows, &err) != FAT_OK) {
    if (err.rc == FAT_EINVAL)
      return cli_usage_error("auditoria acessos", "%s", err.msg);
    return cli_error(&err);
  }
  if (cli->json)
    return cli_emit_json(rows);
  if (cJSON_GetArraySize(rows) == 0)
    printf("nenhum acesso registrado com esses filtros\n");
  else
    printf("%-23s %-17s %-10s %-5s %-32s %-22s %6s %-9s %s\n", "quando", "usuário", "papel",
           "canal", "comando/rota", "registro", "qtd.", "CPF", "ids");
  cJSON_ArrayForEach(x, rows)
  {
    snprintf(quando, sizeof quando, "%s", fat_quando_br_de(cli_jstr(x, "em", NULL), "-").s);
    printf("%-23s %-16.16s %-10.10s %-5s %-32.32s %-22s %6lld %-9s %s\n", quando,
           cli_jstr(x, "usuario", "-"), cli_jstr(x, "papel", "-"), cli_jstr(x, "canal", "-"),
           cli_jstr(x, "acao", "-"), fat_acesso_objeto_rotulo(cli_jstr(x, "objeto", "-")), (long long)cli_jint(x, "n"),
           cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(x, "completo")) ? "completo"
                                                                          : "mascarado",
           cli_jstr(x, "registros", ""));
  }
  ret = CLI_OK;
  cJSON_Delete(rows);
  return ret;
}
