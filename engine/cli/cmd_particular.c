/* cmd_particular.c: `faturo particular registrar|pagar|listar|mostrar|recibo|nfse|tabela|
** adquirente`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_fin.h"
#include "fat_lgpd.h"
#include "fat_mem.h"
#include "fat_particular.h"

static void help(void)
{
  printf("uso: faturo particular <ação> [opções]\n"
         "\n"
         "  registrar --paciente NOME [--cpf CPF] --data AAAA-MM-DD --codigo COD\n"
         "            [--profissional ID] [--descricao TEXTO] [--valor V]\n"
         "      atendimento cobrado do paciente; sem --valor, o preço da tabela particular\n"
         "  pagar N --forma dinheiro|pix|debito|credito|boleto --data AAAA-MM-DD [--valor V]\n"
         "          [--parcelas K] [--adquirente NOME]\n"
         "      pagamento (parcial ou o saldo); cada um tem recibo com número sequencial.\n"
         "      Dinheiro entra no caixa do dia do usuário (faturo caixa abrir).\n"
         "  listar [--situacao aberto|pago|cancelado]\n"
         "  mostrar N              pagamentos, parcelas do cartão e saldo\n"
         "  recibo R [--saida ARQUIVO.html]   recibo imprimível (valor por extenso)\n"
         "  nfse [--de AAAA-MM-DD] [--ate AAAA-MM-DD]   dados para a NFS-e (JSON)\n"
         "  tabela ARQUIVO.csv [--vigencia AAAA-MM-DD]   tabela de preços particular da\n"
         "      clínica (codigo;descricao;valor[;vigencia_inicio])\n"
         "  adquirente NOME --debito P --credito P --parcelado P [--prazo-debito D]\n"
         "             [--prazo-credito D]   taxas (%%) e prazos (dias) da maquininha\n"
         "  adquirentes            lista as adquirentes\n");
}

static void print_lista(const cJSON *a)
{
  const cJSON *o;
  char v1[40], v2[40], d[16];

  if (cJSON_GetArraySize(a) == 0) {
    printf("nenhum atendimento particular\n");
    return;
  }
  cJSON_ArrayForEach(o, a)
    printf("#%-4lld %s %-28.28s %-10s %14s saldo %14s %s\n", (long long)cli_jint(o, "id"),
           cf_jdata(o, "data", d), cli_jstr(o, "paciente", "-"), cli_jstr(o, "codigo", "-"),
           cf_jbrl(o, "valor", v1), cf_jbrl(o, "saldo", v2), cli_jstr(o, "status", "-"));
}

static void print_um(const cJSON *o)
{
  const cJSON *p, *q;
  char v1[40], v2[40], v3[40], d[16];

  printf("#%lld %s, %s: %s (%s) %s, pago %s, saldo %s\n", (long long)cli_jint(o, "id"),
         cli_jstr(o, "paciente", "-"), cf_jdata(o, "data", d), cli_jstr(o, "codigo", "-"),
         cli_jstr(o, "descricao", ""), cf_jbrl(o, "valor", v1), cf_jbrl(o, "pago", v2),
         cf_jbrl(o, "saldo", v3));
  cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(o, "pagamentos")) {
    printf("  recibo %lld em %s: %s %s", (long long)cli_jint(p, "recibo"), cf_jdata(p, "data", d),
           cli_jstr(p, "forma", "-"), cf_jbrl(p, "valor", v1));
    if (cli_jint(p, "taxa") > 0)
      printf(", taxa %s", cf_jbrl(p, "taxa", v2));
    printf("\n");
    if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(p, "parcelas")) > 1 ||
        cli_jint(p, "taxa") > 0)
      cJSON_ArrayForEach(q, cJSON_GetObjectItemCaseSensitive(p, "parcelas"))
        printf("    parcela %lld: %s - taxa %s = %s, cai em %s\n",
               (long long)cli_jint(q, "numero"), cf_jbrl(q, "valor", v1), cf_jbrl(q, "taxa", v2),
               cf_jbrl(q, "liquido", v3), cf_jdata(q, "data_credito", d));
  }
}

static void print_json(const cJSON *o)
{
  cli_print_json(o);
}

static int do_registrar(fat_cli *cli, int argc, char **argv, fat_store *st)
{
  static const struct option opts[] = {
    {"paciente", required_argument, NULL, 'p'}, {"cpf", required_argument, NULL, 'c'},
    {"data", required_argument, NULL, 'd'},     {"codigo", required_argument, NULL, 'k'},
    {"profissional", required_argument, NULL, 'r'}, {"descricao", required_argument, NULL, 't'},
    {"valor", required_argument, NULL, 'v'},    {NULL, 0, NULL, 0}};
  fat_particular_in in;
  fat_err err;
  int64_t id;
  int c;

  memset(&in, 0, sizeof in);
  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
    case 'p': in.paciente_nome = optarg; break;
    case 'c': in.paciente_cpf = optarg; break;
    case 'd': in.data = optarg; break;
    case 'k': in.codigo = optarg; break;
    case 't': in.descricao = optarg; break;
    case 'r':
      if (cf_id(optarg, &in.profissional_id) != 0)
        return cli_usage_error("particular registrar", "profissional '%s' inválido", optarg);
      break;
    case 'v':
      if (cf_money(optarg, &in.valor) != 0)
        return cli_usage_error("particular registrar", "valor '%s' inválido", optarg);
      break;
    default: return cli_bad_option("particular registrar", argv, opts);
    }
  }
  fat_err_clear(&err);
  if (fat_particular_registrar(st, &in, &id, &err) != FAT_OK)
    return cli_error(&err);
  if (cli->json) {
    cJSON *o = NULL;

    if (fat_particular_mostrar(st, id, &o, &err) != FAT_OK)
      return cli_error(&err);
    return cli_emit_json(o);
  }
  printf("atendimento particular #%lld registrado\n", (long long)id);
  return CLI_OK;
}

static int do_pagar(fat_cli *cli, int argc, char **argv, fat_store *st)
{
  static const struct option opts[] = {
    {"forma", required_argument, NULL, 'f'},    {"data", required_argument, NULL, 'd'},
    {"valor", required_argument, NULL, 'v'},    {"parcelas", required_argument, NULL, 'n'},
    {"adquirente", required_argument, NULL, 'a'}, {NULL, 0, NULL, 0}};
  fat_particular_pag_in in;
  fat_err err;
  int64_t pid, recibo, n;
  int c;

  memset(&in, 0, sizeof in);
  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
    case 'f': in.forma = optarg; break;
    case 'd': in.data = optarg; break;
    case 'a': in.adquirente = optarg; break;
    case 'v':
      if (cf_money(optarg, &in.valor) != 0)
        return cli_usage_error("particular pagar", "valor '%s' inválido", optarg);
      break;
    case 'n':
      if (cf_id(optarg, &n) != 0 || n > 24)
        return cli_usage_error("particular pagar", "parcelas '%s' inválidas (1 a 24)", optarg);
      in.parcelas = (int)n;
      break;
    default: return cli_bad_option("particular pagar", argv, opts);
    }
  }
  if (optind + 1 != argc || cf_id(argv[optind], &in.particular_id) != 0)
    return cli_usage_error("particular pagar", "informe o atendimento");
  fat_err_clear(&err);
  if (fat_particular_pagar(st, &in, &pid, &recibo, &err) != FAT_OK)
    return cli_error(&err);
  if (cli->json) {
    cJSON *o = NULL;

    if (fat_particular_mostrar(st, in.particular_id, &o, &err) != FAT_OK)
      return cli_error(&err);
    cJSON_AddNumberToObject(o, "recibo", (double)recibo);
    return cli_emit_json(o);
  }
  printf("pagamento registrado: recibo %lld\n", (long long)recibo);
  return CLI_OK;
}

int cli_particular(fat_cli *cli, int argc, char **argv)
{
  const char *a;
  fat_store *st;
  static const fat_lgpd_campo cpf_campos[] = {{"cpf", FAT_DADO_CPF}, {NULL, FAT_DADO_CPF}};
  cJSON *o = NULL;
  fat_leitor leitor;
  fat_err err;
  int64_t id;
  int c;

  if (argc < 2 || cli_wants_help(argc, argv)) {
    help();
    return argc < 2 ? CLI_USAGE : CLI_OK;
  }
  a = argv[1];
  argc--;
  argv++;
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  if (strcmp(a, "registrar") == 0)
    return do_registrar(cli, argc, argv, st);
  if (strcmp(a, "pagar") == 0)
    return do_pagar(cli, argc, argv, st);
  if (strcmp(a, "listar") == 0) {
    static const struct option opts[] = {{"situacao", required_argument, NULL, 's'},
                                         {NULL, 0, NULL, 0}};
    const char *sit = NULL;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
      if (c != 's')
        return cli_bad_option("particular listar", argv, opts);
      sit = optarg;
    }
    if (fat_particular_listar(st, sit, &o, &err) != FAT_OK)
      return cli_error(&err);
    /* CPFs masked by role; the listing read is recorded */
    if (cli_leitor(cli, "particular listar", &leitor) == NULL ||
        fat_lgpd_lista(st, &leitor, FAT_ACESSO_PARTICULAR, o, cpf_campos, &err) != FAT_OK) {
      cJSON_Delete(o);
      return err.rc != FAT_OK ? cli_error(&err) : CLI_FAIL;
    }
    return cf_out(cli, o, print_lista);
  }
  if (strcmp(a, "mostrar") == 0) {
    if (argc != 2 || cf_id(argv[1], &id) != 0)
      return cli_usage_error("particular mostrar", "informe o atendimento");
    if (fat_particular_mostrar(st, id, &o, &err) != FAT_OK)
      return cli_error(&err);
    if (cli_leitor(cli, "particular mostrar", &leitor) == NULL ||
        fat_acesso_registrar(st, &leitor, FAT_ACESSO_PARTICULAR, &id, 1, 1, &err) != FAT_OK) {
      cJSON_Delete(o);
      return err.rc != FAT_OK ? cli_error(&err) : CLI_FAIL;
    }
    return cf_out(cli, o, print_um);
  }
  if (strcmp(a, "recibo") == 0) {
    static const struct option opts[] = {{"saida", required_argument, NULL, 's'},
                                         {NULL, 0, NULL, 0}};
    const char *saida = "-";
    char *html = NULL;
    size_t len;
    int r;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
      if (c != 's')
        return cli_bad_option("particular recibo", argv, opts);
      saida = optarg;
    }
    if (optind + 1 != argc || cf_id(argv[optind], &id) != 0)
      return cli_usage_error("particular recibo", "informe o número do recibo");
    if (fat_particular_recibo_html(st, id, &html, &len, &err) != FAT_OK)
      return cli_error(&err);
    r = cf_write(saida, html, len);
    fat_free(html);
    if (r == CLI_OK && strcmp(saida, "-") != 0 && !cli->json)
      printf("recibo %lld gravado em %s\n", (long long)id, saida);
    return r;
  }
  if (strcmp(a, "nfse") == 0) {
    static const struct option opts[] = {{"de", required_argument, NULL, 'd'},
                                         {"ate", required_argument, NULL, 'a'},
                                         {NULL, 0, NULL, 0}};
    const char *de = NULL, *ate = NULL;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
      if (c != 'd' && c != 'a')
        return cli_bad_option("particular nfse", argv, opts);
      if (cli_norm_data(optarg) != 0)
        return cli_usage_error("particular nfse",
                               "data '%s' inválida (use DD/MM/AAAA ou AAAA-MM-DD)", optarg);
      if (c == 'd')
        de = optarg;
      else
        ate = optarg;
    }
    if (fat_particular_nfse(st, de, ate, &o, &err) != FAT_OK)
      return cli_error(&err);
    return cf_out(cli, o, print_json);
  }
  if (strcmp(a, "tabela") == 0) {
    static const struct option opts[] = {{"vigencia", required_argument, NULL, 'v'},
                                         {NULL, 0, NULL, 0}};
    const char *vig = NULL;
    long n = 0;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
      if (c != 'v')
        return cli_bad_option("particular tabela", argv, opts);
      vig = optarg;
    }
    if (optind + 1 != argc)
      return cli_usage_error("particular tabela", "informe o arquivo CSV");
    if (fat_particular_tabela(st, argv[optind], vig, &n, &err) != FAT_OK)
      return cli_error(&err);
    if (!cli->json)
      printf("tabela particular: %ld preço(s) importado(s)\n", n);
    return CLI_OK;
  }
  if (strcmp(a, "adquirente") == 0) {
    static const struct option opts[] = {
      {"debito", required_argument, NULL, 'd'},  {"credito", required_argument, NULL, 'c'},
      {"parcelado", required_argument, NULL, 'p'}, {"prazo-debito", required_argument, NULL, 'D'},
      {"prazo-credito", required_argument, NULL, 'C'}, {NULL, 0, NULL, 0}};
    fat_adquirente ad;
    int64_t dias;

    memset(&ad, 0, sizeof ad);
    ad.prazo_debito_dias = 1;
    ad.prazo_credito_dias = 30;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
      int bad = 0;

      switch (c) {
      case 'd': bad = cf_bp(optarg, &ad.taxa_debito_bp); break;
      case 'c': bad = cf_bp(optarg, &ad.taxa_credito_bp); break;
      case 'p': bad = cf_bp(optarg, &ad.taxa_parcelado_bp); break;
      case 'D':
        bad = cf_id(optarg, &dias);
        ad.prazo_debito_dias = (int)dias;
        break;
      case 'C':
        bad = cf_id(optarg, &dias);
        ad.prazo_credito_dias = (int)dias;
        break;
      default: bad = 1; break;
      }
      if (bad)
        return cli_bad_option("particular adquirente", argv, opts);
    }
    if (optind + 1 != argc)
      return cli_usage_error("particular adquirente", "informe o nome da adquirente");
    ad.nome = argv[optind];
    if (fat_adquirente_definir(st, &ad, &err) != FAT_OK)
      return cli_error(&err);
    if (!cli->json)
      printf("adquirente %s gravada\n", ad.nome);
    return CLI_OK;
  }
  if (strcmp(a, "adquirentes") == 0) {
    if (fat_adquirente_listar(st, &o, &err) != FAT_OK)
      return cli_error(&err);
    return cf_out(cli, o, print_json);
  }
  return cli_usage_error("particular", "ação '%s' desconhecida", a);
}
