/* cmd_papel.c: Part L's paper verbs: `faturo guia papel|imprimir ...` and
** `faturo lote papel|imprimir ...` (routed by cmd_guia.c and cmd_lote.c). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "fat_dia.h"
#include "fat_impressao.h"
#include "fat_lote_papel.h"
#include "fat_mem.h"
#include "fat_rules.h"

void cli_papel_ajuda_guia(void)
{
  printf("\npapel e impressão:\n"
         "     faturo guia papel N --recebido | --pendente\n"
         "     faturo guia imprimir N [N...] [--saida ARQ.html]\n"
         "\n"
         "papel      marca o papel assinado da guia N como recebido (--recebido) ou volta a\n"
         "           pendente (--pendente); sem opção mostra a situação. Para as operadoras\n"
         "           que ainda exigem a guia em papel (papel_fisico no contrato); veja\n"
         "           faturo lote papel.\n"
         "imprimir   a guia no layout da ANS (campos numerados, itens, linhas de\n"
         "           assinatura), uma por página, em HTML para imprimir pelo navegador;\n"
         "           sem --saida, o HTML vai para a saída padrão. A leitura fica no\n"
         "           registro de acessos (LGPD).\n");
}

static int id_de(const char *s, int64_t *id)
{
  char *end;
  long long v;

  if (s == NULL || s[0] == '\0')
    return -1;
  v = strtoll(s, &end, 10);
  if (*end != '\0' || v <= 0)
    return -1;
  *id = v;
  return 0;
}

/* Write html to saida (printing its path) or to stdout. */
static int entregar_html(const char *saida, const char *html, size_t len)
{
  fat_err err;

  if (saida == NULL)
    return fwrite(html, 1, len, stdout) == len ? CLI_OK : CLI_FAIL;
  fat_err_clear(&err);
  if (fat_file_write(saida, html, len, &err) != FAT_OK)
    return cli_error(&err);
  printf("%s\n", saida);
  return CLI_OK;
}

static void imprimir_papel(const cJSON *o)
{
  const cJSON *r = cJSON_GetObjectItemCaseSensitive(o, "recebido");

  if (cJSON_IsTrue(r))
    printf("guia %lld: papel assinado recebido em %s por %s\n", (long long)cli_jint(o, "guia_id"),
           fat_quando_br_de(cli_jstr(o, "recebido_em", NULL), "-").s,
           cli_jstr(o, "recebido_por", "?"));
  else
    printf("guia %lld: papel assinado pendente\n", (long long)cli_jint(o, "guia_id"));
}

int cli_guia_papel_sub(const char *sub)
{
  return sub != NULL && (strcmp(sub, "papel") == 0 || strcmp(sub, "imprimir") == 0);
}

int cli_guia_papel(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {{"recebido", no_argument, NULL, 'r'},
                                       {"pendente", no_argument, NULL, 'p'},
                                       {"saida", required_argument, NULL, 's'},
                                       {NULL, 0, NULL, 0}};
  const char *saida = NULL, *sub;
  int c, marca = -1, i, ret;
  int64_t ids[FAT_IMPRESSAO_MAX_GUIAS];
  size_t n = 0, len = 0;
  char *html = NULL;
  fat_leitor leitor;
  fat_store *st;
  cJSON *o = NULL;
  fat_err err;

  optind = 1;
  opterr = 0;
  for (c = getopt_long(argc, argv, "", opts, NULL); c != -1;
       c = getopt_long(argc, argv, "", opts, NULL)) {
    switch (c) {
    case 'r': marca = 1; break;
    case 'p': marca = 0; break;
    case 's': saida = optarg; break;
    default: return cli_bad_option("guia", argv, opts);
    }
  }
  if (optind >= argc)
    return cli_usage_error("guia", "diga o que fazer: papel ou imprimir");
  sub = argv[optind++];
  for (i = optind; i < argc; i++) {
    if (n >= FAT_IMPRESSAO_MAX_GUIAS)
      return cli_usage_error("guia", "no máximo %d guias por vez", FAT_IMPRESSAO_MAX_GUIAS);
    if (id_de(argv[i], &ids[n]) != 0)
      return cli_usage_error("guia", "%s: id de guia inválido '%s'", sub, argv[i]);
    n++;
  }
  if (n == 0)
    return cli_usage_error("guia", "%s: falta o id da guia", sub);
  fat_err_clear(&err);
  if (strcmp(sub, "imprimir") == 0) {
    if (marca >= 0)
      return cli_usage_error("guia", "--recebido e --pendente são do papel");
    st = cli_store(cli);
    if (st == NULL)
      return CLI_FAIL;
    if (fat_impressao_guias(st, ids, n, &html, &len, &err) != FAT_OK)
      return cli_error(&err);
    /* the printed guia shows the patient's data in full: a recorded read */
    if (cli_leitor(cli, "guia imprimir", &leitor) == NULL ||
        fat_acesso_registrar(st, &leitor, FAT_ACESSO_GUIA, ids, n, 1, &err) != FAT_OK) {
      fat_free(html);
      return err.rc != FAT_OK ? cli_error(&err) : CLI_FAIL;
    }
    ret = entregar_html(saida, html, len);
    fat_free(html);
    return ret;
  }
  if (saida != NULL)
    return cli_usage_error("guia", "--saida é do imprimir");
  if (n != 1)
    return cli_usage_error("guia", "papel: uma guia por vez");
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  if (marca >= 0 && fat_guia_papel_marcar(st, ids[0], marca, &err) != FAT_OK)
    return cli_error(&err);
  if (fat_guia_papel(st, ids[0], &o, &err) != FAT_OK)
    return cli_error(&err);
  if (cli->json)
    return cli_emit_json(o);
  imprimir_papel(o);
  cJSON_Delete(o);
  return CLI_OK;
}

/* {======================================================================
** lote papel | imprimir
** ======================================================================= */

void cli_papel_ajuda_lote(void)
{
  printf("\npapéis e impressão (operadoras que ainda exigem as guias em papel):\n"
         "  papel N [--entregue DD/MM/AAAA --por NOME [--protocolo X] [--observacao TEXTO]]\n"
         "      sem opções: a entrega dos papéis do lote N (data, quem levou, protocolo de\n"
         "      recebimento) e as guias cujo papel assinado ainda não chegou; com\n"
         "      --entregue e --por registra (ou corrige) a entrega. Marque cada guia com\n"
         "      faturo guia papel N --recebido\n"
         "  imprimir N [--saida ARQ.html]    a relação de guias do lote e cada guia no\n"
         "      layout da ANS, uma por página (HTML para imprimir)\n");
}

static void mostrar_lote_papel(const cJSON *o)
{
  const cJSON *e = cJSON_GetObjectItemCaseSensitive(o, "entrega");
  const cJSON *pf = cJSON_GetObjectItemCaseSensitive(o, "papel_fisico");
  const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "pendentes"), *it;
  char d[16];
  int32_t dia;

  printf("Lote %lld (número %lld) - %s\n", (long long)cli_jint(o, "lote_id"),
         (long long)cli_jint(o, "numero"), cli_jstr(o, "operadora", "?"));
  printf("Papel físico exigido pela operadora: %s\n", cJSON_IsTrue(pf) ? "sim"
                                                      : cJSON_IsFalse(pf)
                                                        ? "não"
                                                        : "não informado (sem regras)");
  if (cJSON_IsObject(e)) {
    const char *data = cli_jstr(e, "data", "");

    if (fat_dia_parse(data, &dia) == 0)
      fat_dia_format_br(dia, d, sizeof d);
    else
      snprintf(d, sizeof d, "%s", data);
    printf("Entrega dos papéis: %s, levados por %s; protocolo %s\n", d, cli_jstr(e, "por", "?"),
           cli_jstr(e, "protocolo", "(sem protocolo)"));
    if (cli_jstr(e, "observacao", NULL) != NULL)
      printf("  observação: %s\n", cli_jstr(e, "observacao", ""));
  } else {
    printf("Entrega dos papéis: não registrada\n");
  }
  printf("Papéis assinados recebidos: %lld de %lld guia(s)\n", (long long)cli_jint(o, "recebidos"),
         (long long)cli_jint(o, "guias"));
  if (cJSON_GetArraySize(p) > 0)
    printf("\nGuias sem o papel assinado:\n");
  cJSON_ArrayForEach(it, p)
  {
    const char *di = cli_jstr(it, "data_inicio", "");

    if (fat_dia_parse(di, &dia) == 0)
      fat_dia_format_br(dia, d, sizeof d);
    else
      snprintf(d, sizeof d, "%s", di);
    printf("  %-6lld %-20s %-10s %s\n", (long long)cli_jint(it, "guia_id"),
           cli_jstr(it, "numero_prestador", "-"), d, cli_jstr(it, "beneficiario_nome", "-"));
  }
}

int cli_lote_papel_sub(const char *sub)
{
  return sub != NULL && (strcmp(sub, "papel") == 0 || strcmp(sub, "imprimir") == 0);
}

int cli_lote_papel(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    {"entregue", required_argument, NULL, 'e'},  {"por", required_argument, NULL, 'p'},
    {"protocolo", required_argument, NULL, 'r'}, {"observacao", required_argument, NULL, 'o'},
    {"saida", required_argument, NULL, 's'},     {NULL, 0, NULL, 0}};
  fat_lote_papel_entrega e;
  const char *saida = NULL, *sub = argv[0];
  char verb[32];
  fat_rules *rules = NULL;
  fat_gen *gen = NULL;
  fat_leitor leitor;
  fat_store *st;
  cJSON *o = NULL;
  char *html = NULL;
  size_t len = 0;
  int64_t id;
  int c, ret;
  fat_err err;

  memset(&e, 0, sizeof e);
  snprintf(verb, sizeof verb, "lote %s", sub);
  optind = 1;
  opterr = 0;
  for (c = getopt_long(argc, argv, "", opts, NULL); c != -1;
       c = getopt_long(argc, argv, "", opts, NULL)) {
    switch (c) {
    case 'e': e.data = optarg; break;
    case 'p': e.por = optarg; break;
    case 'r': e.protocolo = optarg; break;
    case 'o': e.observacao = optarg; break;
    case 's': saida = optarg; break;
    default: return cli_bad_option(verb, argv, opts);
    }
  }
  if (optind >= argc || id_de(argv[optind], &id) != 0)
    return cli_usage_error(verb, "informe o id do lote (veja faturo lote listar)");
  if (optind + 1 < argc)
    return cli_usage_error(verb, "argumento inesperado '%s'", argv[optind + 1]);
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  if (strcmp(sub, "imprimir") == 0) {
    if (e.data != NULL || e.por != NULL || e.protocolo != NULL || e.observacao != NULL)
      return cli_usage_error(verb, "--entregue, --por, --protocolo e --observacao são do papel");
    if (fat_impressao_lote(st, id, &html, &len, &err) != FAT_OK)
      return cli_error(&err);
    if (cli_leitor(cli, verb, &leitor) == NULL ||
        fat_acesso_registrar_lote(st, &leitor, id, 1, &err) != FAT_OK) {
      fat_free(html);
      return err.rc != FAT_OK ? cli_error(&err) : CLI_FAIL;
    }
    ret = entregar_html(saida, html, len);
    fat_free(html);
    return ret;
  }
  if (saida != NULL)
    return cli_usage_error(verb, "--saida é do imprimir");
  if (e.data != NULL || e.por != NULL || e.protocolo != NULL || e.observacao != NULL) {
    if (e.data == NULL || e.por == NULL)
      return cli_usage_error(verb, "para registrar a entrega informe --entregue DD/MM/AAAA e "
                                   "--por NOME");
    if (fat_lote_papel_entregar(st, id, &e, NULL, &err) != FAT_OK)
      return cli_error(&err);
  }
  /* papel_fisico comes from the contract: without rules it reads as unknown */
  if (fat_rules_open(cli->regras_dir, NULL, st, &rules, &err) == FAT_OK)
    gen = fat_rules_acquire(rules);
  fat_err_clear(&err);
  ret = CLI_OK;
  if (fat_lote_papel(st, gen, id, &o, &err) != FAT_OK)
    ret = cli_error(&err);
  else if (cli->json)
    ret = cli_emit_json(o);
  else
    mostrar_lote_papel(o);
  if (!cli->json)
    cJSON_Delete(o);
  fat_gen_release(gen);
  fat_rules_close(rules);
  return ret;
}

/* }====================================================================== */
