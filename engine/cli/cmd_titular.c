/* cmd_titular.c: `faturo titular exportar|anonimizar|retencao` (Part N): the
** data subject's rights under the LGPD. Everything is in fat_lgpd.h. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "fat_lgpd.h"
#include "fat_mem.h"
#include "fat_money.h"
#include "fat_model.h"

static void help(void)
{
  printf("uso: faturo titular exportar CPF [--saida PASTA]\n"
         "     faturo titular anonimizar CPF --confirmar\n"
         "     faturo titular retencao [ANOS]\n"
         "\n"
         "Direitos do titular dos dados (LGPD, Lei 13.709/2018). Veja docs/lgpd.md.\n"
         "\n"
         "  exportar    grava tudo o que o faturo guarda sobre o paciente com este CPF\n"
         "              (cadastro, carteiras, guias com itens, achados, glosas, recursos,\n"
         "              particulares, anexos e os acessos registrados a esses dados) em\n"
         "              PASTA/titular-CPF.json e PASTA/titular-CPF.html (página legível\n"
         "              para entregar ao paciente). PASTA padrão: a pasta atual. Com\n"
         "              --json, o JSON sai também na saída padrão. A exportação fica no\n"
         "              registro de acessos.\n"
         "  anonimizar  troca nome, CPF, CNS, data de nascimento e carteira do paciente\n"
         "              por marcas aleatórias, sem volta. Valores, quantidades, datas de\n"
         "              atendimento e códigos ficam: totais e relatórios não mudam.\n"
         "              Recusada (dizendo qual registro e até quando) se algum registro\n"
         "              do paciente ainda está no prazo de guarda ou em recurso de glosa\n"
         "              aberto. Exige --confirmar.\n"
         "  retencao    mostra (ou define, de %d a %d) o prazo de guarda dos registros de\n"
         "              faturamento, em anos após o último pagamento (padrão %d).\n"
         "\n"
         "O CPF pode ser digitado com ou sem pontuação.\n"
         "saída: 0 feito; 1 recusado ou erro (a mensagem diz o motivo); 2 uso incorreto\n",
         FAT_LGPD_RETENCAO_MIN, FAT_LGPD_RETENCAO_MAX, FAT_LGPD_RETENCAO_PADRAO);
}

static int exportar(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {{"saida", required_argument, NULL, 's'},
                                       {NULL, 0, NULL, 0}};
  const char *pasta = ".";
  char cpf[12], cpf_fmt[FAT_LGPD_MASCARA_MAX];
  char *html = NULL, *txt = NULL, *p_json = NULL, *p_html = NULL;
  size_t html_len = 0;
  cJSON *doc = NULL;
  fat_leitor leitor;
  fat_store *st;
  fat_err err;
  int c, ret = CLI_FAIL;

  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    if (c == 's')
      pasta = optarg;
    else
      return cli_usage_error("titular exportar", "opção desconhecida: %s", argv[optind - 1]);
  }
  if (optind != argc - 1)
    return cli_usage_error("titular exportar", "informe um CPF");
  if (fat_lgpd_cpf_digitos(argv[optind], cpf) != 0)
    return cli_usage_error("titular exportar", "CPF inválido: '%s' (informe os 11 dígitos)",
                           argv[optind]);
  st = cli_store(cli);
  if (st == NULL || cli_leitor(cli, "titular exportar", &leitor) == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  if (fat_titular_exportar(st, &leitor, cpf, &doc, &html, &html_len, &err) != FAT_OK)
    return cli_error(&err);
  txt = cJSON_Print(doc);
  p_json = fat_asprintf("%s/titular-%s.json", pasta, cpf);
  p_html = fat_asprintf("%s/titular-%s.html", pasta, cpf);
  if (txt == NULL || p_json == NULL || p_html == NULL) {
    fat_err_oom(&err);
    ret = cli_error(&err);
    goto out;
  }
  if (fat_file_write(p_json, txt, strlen(txt), &err) != FAT_OK ||
      fat_file_write(p_html, html, html_len, &err) != FAT_OK) {
    ret = cli_error(&err);
    goto out;
  }
  if (cli->json) {
    ret = cli_print_json(doc);
  } else {
    fat_lgpd_mostrar(FAT_DADO_CPF, cpf, 1, cpf_fmt, sizeof cpf_fmt);
    printf("titular %s: %d cadastro(s), %d guia(s), %d particular(es), %d acesso(s)\n", cpf_fmt,
           cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "beneficiarios")),
           cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "guias")),
           cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "particulares")),
           cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "acessos")));
    printf("gravados: %s\n           %s\n", p_json, p_html);
    ret = CLI_OK;
  }
out:
  if (txt != NULL)
    cJSON_free(txt);
  fat_free(p_json);
  fat_free(p_html);
  fat_free(html);
  cJSON_Delete(doc);
  return ret;
}

static int anonimizar(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {{"confirmar", no_argument, NULL, 'c'},
                                       {NULL, 0, NULL, 0}};
  fat_titular_anonimizacao res;
  char cpf[12], money[40];
  fat_store *st;
  fat_err err;
  int c, confirmar = 0;

  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    if (c == 'c')
      confirmar = 1;
    else
      return cli_usage_error("titular anonimizar", "opção desconhecida: %s", argv[optind - 1]);
  }
  if (optind != argc - 1)
    return cli_usage_error("titular anonimizar", "informe um CPF");
  if (fat_lgpd_cpf_digitos(argv[optind], cpf) != 0)
    return cli_usage_error("titular anonimizar", "CPF inválido: '%s' (informe os 11 dígitos)",
                           argv[optind]);
  if (!confirmar)
    return cli_usage_error("titular anonimizar",
                           "a anonimização não tem volta; repita com --confirmar");
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  if (fat_titular_anonimizar(st, cpf, NULL, &res, &err) != FAT_OK)
    return cli_error(&err);
  if (cli->json) {
    cJSON *o = cJSON_CreateObject();

    if (o == NULL || cJSON_AddStringToObject(o, "token", res.token) == NULL ||
        cJSON_AddNumberToObject(o, "id", (double)res.id) == NULL ||
        cJSON_AddNumberToObject(o, "beneficiarios", res.beneficiarios) == NULL ||
        cJSON_AddNumberToObject(o, "guias", res.guias) == NULL ||
        cJSON_AddNumberToObject(o, "particulares", res.particulares) == NULL ||
        cJSON_AddNumberToObject(o, "lotes", res.lotes) == NULL ||
        cJSON_AddNumberToObject(o, "valor_guias", (double)res.valor_guias) == NULL) {
      cJSON_Delete(o);
      o = NULL;
    }
    return cli_emit_json(o);
  }
  fat_money_format_br(res.valor_guias, money, sizeof money);
  printf("anonimizado como %s: %d cadastro(s), %d guia(s) (%s, inalterado), "
         "%d particular(es), %d lote(s) regravado(s)\n",
         res.token, res.beneficiarios, res.guias, money, res.particulares, res.lotes);
  return CLI_OK;
}

static int retencao(fat_cli *cli, int argc, char **argv)
{
  fat_store *st;
  fat_err err;
  char *end;
  long v;
  int anos;

  if (argc > 2)
    return cli_usage_error("titular retencao", "informe no máximo um número de anos");
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  if (argc == 2) {
    v = strtol(argv[1], &end, 10);
    if (end == argv[1] || *end != '\0' || v < FAT_LGPD_RETENCAO_MIN ||
        v > FAT_LGPD_RETENCAO_MAX)
      return cli_usage_error("titular retencao", "anos inválidos: '%s' (de %d a %d)", argv[1],
                             FAT_LGPD_RETENCAO_MIN, FAT_LGPD_RETENCAO_MAX);
    if (fat_lgpd_retencao_definir(st, (int)v, &err) != FAT_OK)
      return cli_error(&err);
  }
  if (fat_lgpd_retencao(st, &anos, &err) != FAT_OK)
    return cli_error(&err);
  if (cli->json) {
    cJSON *o = cJSON_CreateObject();

    if (o != NULL && cJSON_AddNumberToObject(o, "retencao_anos", anos) == NULL) {
      cJSON_Delete(o);
      o = NULL;
    }
    return cli_emit_json(o);
  }
  printf("prazo de guarda: %d ano(s) após o último pagamento\n", anos);
  return CLI_OK;
}

int cli_titular(fat_cli *cli, int argc, char **argv)
{
  if (cli_wants_help(argc, argv)) {
    help();
    return CLI_OK;
  }
  if (argc < 2)
    return cli_usage_error("titular", "use: faturo titular exportar|anonimizar|retencao");
  if (strcmp(argv[1], "exportar") == 0)
    return exportar(cli, argc - 1, argv + 1);
  if (strcmp(argv[1], "anonimizar") == 0)
    return anonimizar(cli, argc - 1, argv + 1);
  if (strcmp(argv[1], "retencao") == 0)
    return retencao(cli, argc - 1, argv + 1);
  return cli_usage_error("titular", "ação desconhecida: %s", argv[1]);
}
