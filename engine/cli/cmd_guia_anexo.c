/* cmd_guia_anexo.c: `faturo guia anexar|anexos|anexo ...` (Part L): files
** attached to a guia (fat_anexo.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fat_dia.h"
#include "cli.h"
#include "fat_acesso_log.h"
#include "fat_anexo.h"
#include "fat_mem.h"

void cli_guia_anexo_ajuda(void)
{
  printf("anexos:\n"
         "  faturo guia anexar N ARQUIVO --tipo laudo|pedido_medico|autorizacao|termo|outro\n"
         "  faturo guia anexos N                      lista os anexos da guia\n"
         "  faturo guia anexo ID --saida ARQUIVO      grava o anexo ID (\"-\" = saída)\n"
         "  Aceita PDF, PNG ou JPEG de até %d MiB; o mesmo arquivo duas vezes na mesma\n"
         "  guia é recusado. Cada anexo guarda o SHA-256, o tipo, o tamanho, quem anexou\n"
         "  e quando. Se o contrato da operadora exige esse tipo de anexo para um\n"
         "  procedimento da guia (achado ANEXO_AUSENTE), a próxima conferência\n"
         "  (faturo conferir) já o considera.\n",
         FAT_ANEXO_MAX / (1024 * 1024));
}

int cli_guia_anexo_sub(const char *sub)
{
  return sub != NULL &&
         (strcmp(sub, "anexar") == 0 || strcmp(sub, "anexos") == 0 || strcmp(sub, "anexo") == 0);
}

static int id_de(const char *s, int64_t *out)
{
  char *end;
  long long v = strtoll(s, &end, 10);

  if (end == s || *end != '\0' || v <= 0)
    return -1;
  *out = v;
  return 0;
}

static int anexar(fat_cli *cli, int64_t guia, const char *arq, const char *tipo)
{
  fat_store *st = cli_store(cli);
  fat_anexo_info a;
  char *buf = NULL, tam[32];
  size_t len = 0;
  fat_err err;

  if (st == NULL)
    return CLI_FAIL;
  if (fat_file_read(arq, FAT_ANEXO_MAX + 1, &buf, &len, &err) != FAT_OK)
    return cli_error(&err);
  if (fat_anexo_adicionar(st, guia, tipo, arq, buf, len, &a, &err) != FAT_OK) {
    fat_free(buf);
    return cli_error(&err);
  }
  fat_free(buf);
  if (cli->json) {
    printf("{\"id\":%lld,\"guia_id\":%lld,\"tipo\":\"%s\",\"mime\":\"%s\",\"tamanho\":%lld,"
           "\"sha256\":\"%s\"}\n",
           (long long)a.id, (long long)guia, a.tipo, a.mime, (long long)a.tamanho, a.sha256);
    return CLI_OK;
  }
  snprintf(tam, sizeof tam, "%lld", (long long)a.tamanho);
  printf("anexo %lld: %s (%s, %s bytes) anexado à guia %lld como %s\n", (long long)a.id, a.nome,
         a.mime, tam, (long long)guia, fat_anexo_tipo_rotulo(a.tipo));
  return CLI_OK;
}

static int listar(fat_cli *cli, int64_t guia)
{
  fat_store *st = cli_store(cli);
  cJSON *arr = NULL;
  const cJSON *a;
  fat_err err;
  int n = 0;

  if (st == NULL)
    return CLI_FAIL;
  if (fat_anexo_listar(st, guia, &arr, &err) != FAT_OK)
    return cli_error(&err);
  if (cli->json)
    return cli_emit_json(arr);
  cJSON_ArrayForEach(a, arr)
  {
    const char *em = cli_jstr(a, "criado_em", "");

    printf("anexo %lld  %-13s  %s  %s  %lld bytes  %s por %s\n", (long long)cli_jint(a, "id"),
           cli_jstr(a, "tipo_rotulo", ""), cli_jstr(a, "nome", ""), cli_jstr(a, "mime", ""),
           (long long)cli_jint(a, "tamanho"), fat_quando_br_de(em, "-").s,
           cli_jstr(a, "criado_por", "?"));
    n++;
  }
  if (n == 0)
    printf("a guia %lld não tem anexos\n", (long long)guia);
  cJSON_Delete(arr);
  return CLI_OK;
}

static int baixar(fat_cli *cli, int64_t id, const char *saida)
{
  fat_store *st = cli_store(cli);
  fat_anexo_info a;
  fat_leitor leitor;
  char *buf = NULL;
  size_t len = 0;
  fat_err err;
  int rc = CLI_OK;

  if (st == NULL)
    return CLI_FAIL;
  if (fat_anexo_ler(st, id, &buf, &len, &a, &err) != FAT_OK)
    return cli_error(&err);
  /* an attachment (laudo, pedido) is patient data: the read of its guia is
     recorded before anything is written out */
  fat_err_clear(&err);
  if (cli_leitor(cli, "guia anexo", &leitor) == NULL ||
      fat_acesso_registrar(st, &leitor, FAT_ACESSO_GUIA, &a.guia_id, 1, 1, &err) != FAT_OK) {
    fat_free(buf);
    return err.rc != FAT_OK ? cli_error(&err) : CLI_FAIL;
  }
  if (strcmp(saida, "-") == 0) {
    if (fwrite(buf, 1, len, stdout) != len)
      rc = CLI_FAIL;
  } else if (fat_file_write(saida, buf, len, &err) != FAT_OK) {
    rc = cli_error(&err);
  } else if (!cli->json) {
    printf("anexo %lld (%s) gravado em %s\n", (long long)id, a.nome, saida);
  }
  fat_free(buf);
  return rc;
}

int cli_guia_anexo(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {{"tipo", required_argument, NULL, 't'},
                                       {"saida", required_argument, NULL, 's'},
                                       {NULL, 0, NULL, 0}};
  const char *tipo = NULL, *saida = NULL, *sub;
  int64_t id;
  int c, pos;

  optind = 1;
  opterr = 0;
  for (c = getopt_long(argc, argv, "", opts, NULL); c != -1;
       c = getopt_long(argc, argv, "", opts, NULL)) {
    switch (c) {
    case 't': tipo = optarg; break;
    case 's': saida = optarg; break;
    default: return cli_bad_option("guia", argv, opts);
    }
  }
  if (optind >= argc)
    return cli_usage_error("guia", "diga o que fazer: anexar, anexos ou anexo");
  sub = argv[optind++];
  pos = argc - optind;
  if (pos < 1 || id_de(argv[optind], &id) != 0)
    return cli_usage_error("guia", "%s: falta o id (número maior que zero)", sub);
  if (strcmp(sub, "anexar") == 0) {
    if (pos != 2)
      return cli_usage_error("guia", "uso: faturo guia anexar N ARQUIVO --tipo TIPO");
    if (tipo == NULL)
      return cli_usage_error("guia", "informe o tipo: --tipo laudo|pedido_medico|autorizacao|"
                                     "termo|outro");
    return anexar(cli, id, argv[optind + 1], tipo);
  }
  if (pos != 1)
    return cli_usage_error("guia", "argumento inesperado '%s'", argv[optind + 1]);
  if (strcmp(sub, "anexos") == 0)
    return listar(cli, id);
  if (saida == NULL)
    return cli_usage_error("guia", "informe onde gravar: --saida ARQUIVO (\"-\" = saída)");
  return baixar(cli, id, saida);
}
