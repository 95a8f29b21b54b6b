/* cmd_backup.c: `faturo backup` and `faturo restaurar` (Part N): copies of
** the database, optionally encrypted (fat_backup.h). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "fat_backup.h"

static void help_backup(void)
{
  printf("uso: faturo backup DESTINO [--chave ARQUIVO]\n"
         "     faturo backup --gerar-chave ARQUIVO\n"
         "\n"
         "Grava em DESTINO (um arquivo novo: nunca sobrescreve) uma cópia consistente do\n"
         "banco, mesmo com o servidor no ar. Com --chave, a cópia é cifrada\n"
         "(libsodium secretstream, XChaCha20-Poly1305) com a chave do ARQUIVO; sem a\n"
         "chave ninguém a lê, nem a clínica: guarde a chave longe das cópias.\n"
         "\n"
         "  --gerar-chave ARQUIVO  cria uma chave nova (32 bytes em hexadecimal, modo\n"
         "                         0600); nunca sobrescreve uma chave existente.\n"
         "\n"
         "A cópia e a chave são criadas com permissão 0600. Para voltar uma cópia:\n"
         "faturo restaurar. Veja docs/lgpd.md.\n");
}

static void help_restaurar(void)
{
  printf("uso: faturo restaurar ORIGEM [--chave ARQUIVO]\n"
         "\n"
         "Substitui o banco (--db) pela cópia ORIGEM feita por faturo backup, depois de\n"
         "conferi-la: decifra (com --chave, se a cópia for cifrada; uma cópia alterada\n"
         "ou truncada é recusada), roda a verificação de integridade do SQLite e todas\n"
         "as invariantes de faturo verificar. Se algo falha, nada é substituído e a\n"
         "mensagem diz o motivo. Pare o servidor antes de restaurar.\n"
         "\n"
         "saída: 0 restaurado; 1 cópia recusada ou erro; 2 uso incorreto\n");
}

static int print_info(fat_cli *cli, const char *verbo, const char *arquivo,
                      const fat_backup_info *in)
{
  if (cli->json) {
    cJSON *o = cJSON_CreateObject();

    if (o == NULL || cJSON_AddStringToObject(o, "arquivo", arquivo) == NULL ||
        cJSON_AddBoolToObject(o, "cifrado", in->cifrado) == NULL ||
        cJSON_AddNumberToObject(o, "bytes", (double)in->bytes) == NULL ||
        cJSON_AddNumberToObject(o, "guias", (double)in->guias) == NULL) {
      cJSON_Delete(o);
      o = NULL;
    }
    return cli_emit_json(o);
  }
  printf("%s %s: %lld guia(s), %.1f MB%s\n", verbo, arquivo, (long long)in->guias,
         (double)in->bytes / (1024.0 * 1024.0), in->cifrado ? ", cifrada" : "");
  return CLI_OK;
}

int cli_backup(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {{"chave", required_argument, NULL, 'k'},
                                       {"gerar-chave", required_argument, NULL, 'g'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  const char *chave = NULL, *gerar = NULL;
  fat_backup_info info;
  fat_store *st;
  fat_err err;
  int c;

  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    if (c == 'k') {
      chave = optarg;
    } else if (c == 'g') {
      gerar = optarg;
    } else if (c == 'h') {
      help_backup();
      return CLI_OK;
    } else {
      return cli_usage_error("backup", "opção desconhecida: %s", argv[optind - 1]);
    }
  }
  fat_err_clear(&err);
  if (gerar != NULL) {
    if (optind != argc || chave != NULL)
      return cli_usage_error("backup", "--gerar-chave não se combina com outros argumentos");
    if (fat_backup_chave_gerar(gerar, &err) != FAT_OK)
      return cli_error(&err);
    printf("chave gravada em %s (guarde-a longe das cópias)\n", gerar);
    return CLI_OK;
  }
  if (optind != argc - 1)
    return cli_usage_error("backup", "informe o arquivo de destino");
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  if (fat_backup_criar(st, argv[optind], chave, &info, &err) != FAT_OK)
    return cli_error(&err);
  return print_info(cli, "cópia gravada em", argv[optind], &info);
}

int cli_restaurar(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {{"chave", required_argument, NULL, 'k'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  const char *chave = NULL;
  fat_backup_info info;
  fat_err err;
  int c;

  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    if (c == 'k') {
      chave = optarg;
    } else if (c == 'h') {
      help_restaurar();
      return CLI_OK;
    } else {
      return cli_usage_error("restaurar", "opção desconhecida: %s", argv[optind - 1]);
    }
  }
  if (optind != argc - 1)
    return cli_usage_error("restaurar", "informe o arquivo da cópia");
  fat_err_clear(&err);
  memset(&info, 0, sizeof info);
  if (fat_backup_restaurar(argv[optind], chave, cli->db_path, &info, &err) != FAT_OK)
    return cli_error(&err);
  return print_info(cli, "banco restaurado de", argv[optind], &info);
}
