/* cmd_conciliacao.c: `faturo conciliacao conta|importar|extratos|propor|confirmar|
** rejeitar|vincular|ignorar|pendentes`. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli_fin.h"
#include "fat_conciliacao.h"

static void help(void)
{
  printf("uso: faturo conciliacao <ação> [opções]\n"
         "\n"
         "  conta adicionar --banco NNN [--agencia A] --conta C [--descricao TEXTO]\n"
         "  conta listar          contas da clínica (extrato de outra conta é recusado)\n"
         "  importar ARQUIVO      extrato OFX ou retorno CNAB 240/400; recusado inteiro se\n"
         "                        malformado, de outra conta ou de período já importado; o\n"
         "                        mesmo arquivo duas vezes não acrescenta nada\n"
         "  extratos              extratos importados\n"
         "  propor                propõe, para cada crédito pendente, a fatura ou o\n"
         "                        demonstrativo de mesmo valor, na janela de datas e da\n"
         "                        operadora (CNPJ/histórico do script)\n"
         "  pendentes             créditos sem conciliação e propostas em aberto\n"
         "  confirmar N [--aceitar-excedente]   confirma a proposta N (vira recebimento)\n"
         "  rejeitar N            descarta a proposta N\n"
         "  vincular CREDITO (--fatura N | --demonstrativo N) [--aceitar-excedente]\n"
         "                        concilia à mão um crédito\n"
         "  ignorar CREDITO --motivo TEXTO   crédito que não é de operadora\n");
}

static void print_pend(const cJSON *o)
{
  const cJSON *x;
  char v[40], d[16];

  printf("propostas:\n");
  if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o, "propostas")) == 0)
    printf("  nenhuma\n");
  cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(o, "propostas"))
    printf("  proposta #%lld: crédito #%lld de %s em %s (%s) -> %s\n",
           (long long)cli_jint(x, "id"), (long long)cli_jint(x, "linha_id"),
           cf_jbrl(x, "valor", v), cf_jdata(x, "data", d), cli_jstr(x, "descricao", ""),
           cli_jstr(x, "motivo", ""));
  printf("créditos sem conciliação:\n");
  if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o, "pendentes")) == 0)
    printf("  nenhum\n");
  cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(o, "pendentes"))
    printf("  crédito #%lld de %s em %s: %s (%s, linha %lld)\n", (long long)cli_jint(x, "id"),
           cf_jbrl(x, "valor", v), cf_jdata(x, "data", d), cli_jstr(x, "descricao", ""),
           cli_jstr(x, "arquivo", "-"), (long long)cli_jint(x, "linha"));
}

static void print_prop(const cJSON *a)
{
  const cJSON *x;
  char v[40], d[16];

  printf("%d proposta(s) nova(s)\n", cJSON_GetArraySize(a));
  cJSON_ArrayForEach(x, a)
    printf("  proposta #%lld: crédito #%lld de %s em %s -> %s\n", (long long)cli_jint(x, "id"),
           (long long)cli_jint(x, "linha_id"), cf_jbrl(x, "valor", v), cf_jdata(x, "data", d),
           cli_jstr(x, "motivo", ""));
}

static void print_json(const cJSON *o)
{
  cli_print_json(o);
}

static int do_conta(fat_cli *cli, int argc, char **argv, fat_store *st)
{
  static const struct option opts[] = {
    {"banco", required_argument, NULL, 'b'},  {"agencia", required_argument, NULL, 'a'},
    {"conta", required_argument, NULL, 'c'},  {"descricao", required_argument, NULL, 'd'},
    {NULL, 0, NULL, 0}};
  const char *b = NULL, *ag = NULL, *cc = NULL, *d = NULL;
  cJSON *o = NULL;
  fat_err err;
  int64_t id;
  int c;

  fat_err_clear(&err);
  if (argc >= 2 && strcmp(argv[1], "listar") == 0) {
    if (fat_conta_listar(st, &o, &err) != FAT_OK)
      return cli_error(&err);
    return cf_out(cli, o, print_json);
  }
  if (argc < 2 || strcmp(argv[1], "adicionar") != 0)
    return cli_usage_error("conciliacao conta", "use adicionar ou listar");
  argc--;
  argv++;
  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
    case 'b': b = optarg; break;
    case 'a': ag = optarg; break;
    case 'c': cc = optarg; break;
    case 'd': d = optarg; break;
    default: return cli_bad_option("conciliacao conta adicionar", argv, opts);
    }
  }
  if (b == NULL || cc == NULL)
    return cli_usage_error("conciliacao conta adicionar", "informe --banco e --conta");
  if (fat_conta_adicionar(st, b, ag, cc, d, &id, &err) != FAT_OK)
    return cli_error(&err);
  if (!cli->json)
    printf("conta #%lld cadastrada\n", (long long)id);
  return CLI_OK;
}

int cli_conciliacao(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    {"fatura", required_argument, NULL, 'f'}, {"demonstrativo", required_argument, NULL, 'p'},
    {"aceitar-excedente", no_argument, NULL, 'x'}, {"motivo", required_argument, NULL, 'm'},
    {NULL, 0, NULL, 0}};
  const char *a, *motivo = NULL;
  int64_t id = 0, fatura = 0, pag = 0;
  int aceitar = 0, c, bad = 0;
  fat_store *st;
  cJSON *o = NULL;
  fat_err err;

  if (argc < 2 || cli_wants_help(argc, argv)) {
    help();
    return argc < 2 ? CLI_USAGE : CLI_OK;
  }
  a = argv[1];
  argc--;
  argv++;
  if ((strcmp(a, "importar") == 0 || strcmp(a, "extratos") == 0 || strcmp(a, "propor") == 0 ||
       strcmp(a, "pendentes") == 0 ||
       (strcmp(a, "conta") == 0 && argc >= 2 && strcmp(argv[1], "listar") == 0)) &&
      cli_sem_opcoes("conciliacao", argc, argv, NULL) != CLI_OK)
    return CLI_USAGE;
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  if (strcmp(a, "conta") == 0)
    return do_conta(cli, argc, argv, st);
  if (strcmp(a, "importar") == 0) {
    fat_extrato_res res;

    if (argc != 2)
      return cli_usage_error("conciliacao importar", "informe o arquivo");
    if (fat_extrato_importar_arquivo(st, argv[1], &res, &err) != FAT_OK)
      return cli_error(&err);
    if (cli->json) {
      o = cJSON_CreateObject();
      if (o != NULL) {
        cJSON_AddNumberToObject(o, "extrato_id", (double)res.extrato_id);
        cJSON_AddBoolToObject(o, "ja_importado", res.ja_importado);
        cJSON_AddStringToObject(o, "formato", res.formato);
        cJSON_AddStringToObject(o, "inicio", res.inicio);
        cJSON_AddStringToObject(o, "fim", res.fim);
        cJSON_AddNumberToObject(o, "linhas", (double)res.linhas);
        cJSON_AddNumberToObject(o, "creditos", (double)res.creditos);
        cJSON_AddNumberToObject(o, "ignoradas", (double)res.ignoradas);
      }
      return cli_emit_json(o);
    }
    if (res.ja_importado)
      printf("%s já importado (extrato #%lld): nada acrescentado\n", argv[1],
             (long long)res.extrato_id);
    else
      printf("extrato #%lld (%s) de %s a %s: %zu lançamento(s), %zu crédito(s)%s\n",
             (long long)res.extrato_id, res.formato, res.inicio, res.fim, res.linhas,
             res.creditos, res.ignoradas > 0 ? "; detalhes que não são liquidação ignorados" : "");
    return CLI_OK;
  }
  if (strcmp(a, "extratos") == 0) {
    if (fat_extrato_listar(st, &o, &err) != FAT_OK)
      return cli_error(&err);
    return cf_out(cli, o, print_json);
  }
  if (strcmp(a, "propor") == 0) {
    fat_rules *rules;
    fat_gen *gen = cf_gen(cli, st, &rules);
    fat_rc rc = fat_conciliacao_propor(st, gen, &o, &err);

    cf_gen_close(gen, rules);
    if (rc != FAT_OK)
      return cli_error(&err);
    return cf_out(cli, o, print_prop);
  }
  if (strcmp(a, "pendentes") == 0) {
    if (fat_conciliacao_pendentes(st, &o, &err) != FAT_OK)
      return cli_error(&err);
    return cf_out(cli, o, print_pend);
  }
  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
    case 'f': bad |= cf_id(optarg, &fatura); break;
    case 'p': bad |= cf_id(optarg, &pag); break;
    case 'x': aceitar = 1; break;
    case 'm': motivo = optarg; break;
    default: return cli_bad_option("conciliacao", argv, opts);
    }
  }
  if (bad || optind + 1 != argc || cf_id(argv[optind], &id) != 0)
    return cli_usage_error("conciliacao", "informe o número");
  if (strcmp(a, "confirmar") == 0) {
    if (fat_conciliacao_confirmar(st, id, aceitar, &err) != FAT_OK)
      return cli_error(&err);
  } else if (strcmp(a, "rejeitar") == 0) {
    if (fat_conciliacao_rejeitar(st, id, &err) != FAT_OK)
      return cli_error(&err);
  } else if (strcmp(a, "vincular") == 0) {
    if (fat_conciliacao_vincular(st, id, fatura, pag, aceitar, &err) != FAT_OK)
      return cli_error(&err);
  } else if (strcmp(a, "ignorar") == 0) {
    if (fat_conciliacao_ignorar(st, id, motivo, &err) != FAT_OK)
      return cli_error(&err);
  } else {
    return cli_usage_error("conciliacao", "ação '%s' desconhecida", a);
  }
  if (!cli->json)
    printf("%s: feito\n", a);
  return CLI_OK;
}
