/* cmd_recurso.c: `faturo recurso criar|editar|xml|relatorio|enviar|protocolo|resposta|listar`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fat_dia.h"
#include "cli.h"
#include "fat_glosa.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_money.h"
#include "fat_recurso.h"
#include "fat_rules.h"

static void help(void)
{
  printf("uso: faturo recurso <ação> [argumentos]\n"
         "\n"
         "  criar --glosas ID,ID,... | --guia N [--operadora OP]\n"
         "      cria um rascunho por lote (um recurso responde a um protocolo) com\n"
         "      justificativa por glosa (modelos do script da operadora); o que os dados da\n"
         "      guia não preenchem fica marcado como pendente e o XML espera a edição\n"
         "  editar N --item ID --justificativa \"...\"   (ID do item do recurso ou da glosa)\n"
         "  xml N [--saida DIR]        RECURSO_GLOSA TISS 4.01.00 com hash, validado pelo XSD\n"
         "  relatorio N [--formato html|csv] [--saida ARQ]   (CSV com ';', vírgula decimal e BOM)\n"
         "  enviar N [--data AAAA-MM-DD]\n"
         "  protocolo N NUMERO [--data AAAA-MM-DD]\n"
         "  resposta N --resultado deferido|deferido_parcial|indeferido\n"
         "             [--valor-recuperado V] [--item ID --valor V] [--data AAAA-MM-DD]\n"
         "  listar [N] [--hoje AAAA-MM-DD]   (marca os recursos com prazo vencido)\n"
         "\n"
         "Respondidos só alguns itens, o recurso continua aberto e as outras glosas em\n"
         "recurso; com todos respondidos ele passa a respondido, com o resultado dos itens.\n");
}

static int parse_id(const char *s, int64_t *id)
{
  char *end;
  long long v = strtoll(s, &end, 10);

  if (*end != '\0' || v <= 0)
    return -1;
  *id = v;
  return 0;
}

static fat_gen *open_gen(fat_cli *cli, fat_store *st, fat_rules **rules)
{
  fat_err err;

  *rules = NULL;
  fat_err_clear(&err);
  if (fat_rules_open(cli->regras_dir, NULL, st, rules, &err) != FAT_OK) {
    fprintf(stderr, "faturo: atenção: regras indisponíveis (%s): modelos genéricos\n", err.msg);
    *rules = NULL;
    return NULL;
  }
  return fat_rules_acquire(*rules);
}

static void close_gen(fat_gen *g, fat_rules *r)
{
  if (g != NULL)
    fat_gen_release(g);
  fat_rules_close(r);
}

static int show(fat_cli *cli, fat_store *st, int64_t id, const char *hoje);

static int do_criar(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    {"glosas", required_argument, NULL, 'g'}, {"guia", required_argument, NULL, 'n'},
    {"operadora", required_argument, NULL, 'o'}, {NULL, 0, NULL, 0}};
  const char *glosas = NULL, *guia = NULL, *op = NULL;
  int64_t ids[512], guia_id = 0;
  fat_recurso_criados cr;
  size_t n = 0, i;
  fat_store *st;
  fat_rules *rules;
  fat_gen *gen;
  fat_err err;
  int c, ret;
  const char *p, *q;
  char tok[32];

  optind = 1;
  for (c = getopt_long(argc, argv, "", opts, NULL); c != -1;
       c = getopt_long(argc, argv, "", opts, NULL)) {
    switch (c) {
    case 'g': glosas = optarg; break;
    case 'n': guia = optarg; break;
    case 'o': op = optarg; break;
    default: return cli_bad_option("recurso criar", argv, opts);
    }
  }
  if ((glosas == NULL) == (guia == NULL))
    return cli_usage_error("recurso criar", "informe --glosas ou --guia (um dos dois)");
  if (glosas != NULL) {
    for (p = glosas; *p != '\0'; p = *q == ',' ? q + 1 : q) {
      q = strchr(p, ',');
      if (q == NULL)
        q = p + strlen(p);
      if ((size_t)(q - p) >= sizeof tok || n >= sizeof ids / sizeof ids[0])
        return cli_usage_error("recurso criar", "lista de glosas inválida '%s'", glosas);
      memcpy(tok, p, (size_t)(q - p));
      tok[q - p] = '\0';
      if (parse_id(tok, &ids[n]) != 0)
        return cli_usage_error("recurso criar", "lista de glosas inválida '%s'", glosas);
      n++;
    }
    if (n == 0)
      return cli_usage_error("recurso criar", "lista de glosas vazia");
  }
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  if (guia != NULL && fat_glosa_guia_ref(st, guia, op, &guia_id, &err) != FAT_OK)
    return cli_error(&err);
  gen = open_gen(cli, st, &rules);
  ret = fat_recurso_criar(st, gen, ids, n, guia_id, &cr, &err) == FAT_OK ? CLI_OK
                                                                        : cli_error(&err);
  close_gen(gen, rules);
  if (ret != CLI_OK)
    return ret;
  if (!cli->json && cr.n > 1)
    printf("as glosas são de %zu lotes: um recurso por protocolo\n", cr.n);
  for (i = 0; ret == CLI_OK && i < cr.n; i++) {
    if (!cli->json)
      printf("recurso %lld criado (rascunho)\n", (long long)cr.ids[i]);
    ret = show(cli, st, cr.ids[i], NULL);
  }
  fat_recurso_criados_fini(&cr);
  return ret;
}

static int do_editar(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    {"item", required_argument, NULL, 'i'}, {"justificativa", required_argument, NULL, 'j'},
    {NULL, 0, NULL, 0}};
  int64_t id, item = 0;
  const char *just = NULL;
  fat_store *st;
  fat_err err;
  int c;

  optind = 1;
  for (c = getopt_long(argc, argv, "", opts, NULL); c != -1;
       c = getopt_long(argc, argv, "", opts, NULL)) {
    switch (c) {
    case 'i':
      if (parse_id(optarg, &item) != 0)
        return cli_usage_error("recurso editar", "item '%s' inválido", optarg);
      break;
    case 'j': just = optarg; break;
    default: return cli_bad_option("recurso editar", argv, opts);
    }
  }
  if (optind + 1 != argc || parse_id(argv[optind], &id) != 0 || item == 0 || just == NULL)
    return cli_usage_error("recurso editar", "informe N, --item e --justificativa");
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  if (fat_recurso_editar(st, id, item, just, &err) != FAT_OK)
    return cli_error(&err);
  if (!cli->json)
    printf("justificativa atualizada\n");
  return cli->json ? show(cli, st, id, NULL) : CLI_OK;
}

static int do_xml(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {{"saida", required_argument, NULL, 's'},
                                       {NULL, 0, NULL, 0}};
  const char *dir = ".";
  int64_t id;
  fat_store *st;
  fat_rules *rules;
  fat_gen *gen;
  fat_err err;
  char *xml = NULL, name[128], *path;
  size_t len;
  int c, validado = 0;
  fat_rc rc;

  optind = 1;
  for (c = getopt_long(argc, argv, "", opts, NULL); c != -1;
       c = getopt_long(argc, argv, "", opts, NULL)) {
    if (c == 's')
      dir = optarg;
    else
      return cli_bad_option("recurso xml", argv, opts);
  }
  if (optind + 1 != argc || parse_id(argv[optind], &id) != 0)
    return cli_usage_error("recurso xml", "informe o número do recurso");
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  if (cli->xsd_dir == NULL)
    fprintf(stderr, "faturo: atenção: validação XSD pulada (informe --xsd DIR ou "
                    "FATURO_XSD_DIR)\n");
  gen = open_gen(cli, st, &rules);
  fat_err_clear(&err);
  rc = fat_recurso_xml(st, gen, id, cli->xsd_dir, &xml, &len, name, sizeof name, &validado,
                       &err);
  close_gen(gen, rules);
  if (rc != FAT_OK)
    return cli_error(&err);
  path = fat_asprintf("%s/%s", dir, name);
  if (path == NULL || fat_file_write(path, xml, len, &err) != FAT_OK) {
    fat_free(xml);
    fat_free(path);
    return cli_error(&err);
  }
  if (cli->json) {
    cJSON *o = cJSON_CreateObject();

    if (o != NULL && (cJSON_AddStringToObject(o, "arquivo", path) == NULL ||
                      cJSON_AddBoolToObject(o, "validado_xsd", validado) == NULL)) {
      cJSON_Delete(o);
      o = NULL;
    }
    c = cli_emit_json(o);
  } else {
    printf("%s (%s)\n", path, validado ? "válido pelo XSD TISS 4.01.00" : "XSD não verificado");
    c = CLI_OK;
  }
  fat_free(xml);
  fat_free(path);
  return c;
}

static int do_relatorio(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {{"formato", required_argument, NULL, 'f'},
                                       {"saida", required_argument, NULL, 's'},
                                       {NULL, 0, NULL, 0}};
  const char *fmt = "html", *saida = NULL;
  int64_t id;
  fat_store *st;
  fat_err err;
  fat_leitor leitor;
  char *out = NULL;
  size_t len;
  int c;

  optind = 1;
  for (c = getopt_long(argc, argv, "", opts, NULL); c != -1;
       c = getopt_long(argc, argv, "", opts, NULL)) {
    switch (c) {
    case 'f': fmt = optarg; break;
    case 's': saida = optarg; break;
    default: return cli_bad_option("recurso relatorio", argv, opts);
    }
  }
  if (optind + 1 != argc || parse_id(argv[optind], &id) != 0)
    return cli_usage_error("recurso relatorio", "informe o número do recurso");
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  if (fat_recurso_relatorio(st, id, fmt, &out, &len, &err) != FAT_OK)
    return cli_error(&err);
  /* the report names the patients of the appealed guias: a read of them */
  if (cli_leitor(cli, "recurso relatorio", &leitor) == NULL ||
      fat_acesso_registrar_recurso(st, &leitor, id, 1, &err) != FAT_OK) {
    fat_free(out);
    return err.rc != FAT_OK ? cli_error(&err) : CLI_FAIL;
  }
  if (saida != NULL) {
    if (fat_file_write(saida, out, len, &err) != FAT_OK) {
      fat_free(out);
      return cli_error(&err);
    }
    printf("%s\n", saida);
  } else {
    fwrite(out, 1, len, stdout);
  }
  fat_free(out);
  return CLI_OK;
}

static int do_estado(fat_cli *cli, int argc, char **argv, int protocolo)
{
  static const struct option opts[] = {{"data", required_argument, NULL, 'd'},
                                       {NULL, 0, NULL, 0}};
  const char *data = NULL, *verb = protocolo ? "recurso protocolo" : "recurso enviar";
  int64_t id;
  fat_store *st;
  fat_err err;
  int c;
  fat_rc rc;

  optind = 1;
  for (c = getopt_long(argc, argv, "", opts, NULL); c != -1;
       c = getopt_long(argc, argv, "", opts, NULL)) {
    if (c == 'd')
      data = optarg;
    else
      return cli_bad_option(verb, argv, opts);
  }
  if (optind + 1 + protocolo != argc || parse_id(argv[optind], &id) != 0)
    return cli_usage_error(verb, protocolo ? "informe N e NUMERO" : "informe N");
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  rc = protocolo ? fat_recurso_protocolo(st, id, argv[optind + 1], data, &err)
                 : fat_recurso_enviar(st, id, data, &err);
  if (rc != FAT_OK)
    return cli_error(&err);
  return show(cli, st, id, NULL);
}

static int do_resposta(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    {"resultado", required_argument, NULL, 'r'}, {"valor-recuperado", required_argument, NULL, 'v'},
    {"item", required_argument, NULL, 'i'},      {"valor", required_argument, NULL, 'w'},
    {"data", required_argument, NULL, 'd'},      {NULL, 0, NULL, 0}};
  fat_recurso_resposta r;
  int64_t id;
  fat_store *st;
  fat_err err;
  int c, has_item_val = 0;

  memset(&r, 0, sizeof r);
  r.valor = FAT_ABSENT;
  fat_err_clear(&err);
  optind = 1;
  for (c = getopt_long(argc, argv, "", opts, NULL); c != -1;
       c = getopt_long(argc, argv, "", opts, NULL)) {
    switch (c) {
    case 'r': r.resultado = optarg; break;
    case 'v':
      if (fat_money_parse(optarg, &r.valor, &err) != FAT_OK)
        return cli_usage_error("recurso resposta", "valor '%s' inválido", optarg);
      break;
    case 'i':
      if (parse_id(optarg, &r.item) != 0)
        return cli_usage_error("recurso resposta", "item '%s' inválido", optarg);
      break;
    case 'w':
      if (fat_money_parse(optarg, &r.valor_item, &err) != FAT_OK)
        return cli_usage_error("recurso resposta", "valor '%s' inválido", optarg);
      has_item_val = 1;
      break;
    case 'd': r.data = optarg; break;
    default: return cli_bad_option("recurso resposta", argv, opts);
    }
  }
  if (optind + 1 != argc || parse_id(argv[optind], &id) != 0 || r.resultado == NULL)
    return cli_usage_error("recurso resposta", "informe N e --resultado");
  if ((r.item != 0) != has_item_val)
    return cli_usage_error("recurso resposta", "--item e --valor vão juntos");
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  if (fat_recurso_responder(st, id, &r, &err) != FAT_OK)
    return cli_error(&err);
  return show(cli, st, id, NULL);
}

static const char *lote_txt(const cJSON *o, char *buf, size_t len)
{
  if (!cJSON_IsNumber(cJSON_GetObjectItem(o, "lote")))
    return "-";
  snprintf(buf, len, "%.0f", cli_jnum(o, "lote"));
  return buf;
}

static int show(fat_cli *cli, fat_store *st, int64_t id, const char *hoje)
{
  fat_err err;
  cJSON *l, *o, *it;
  char *s, b1[32], b2[32], lt[24];

  fat_err_clear(&err);
  if (fat_recurso_listar(st, id, hoje, &l, &err) != FAT_OK)
    return cli_error(&err);
  if (cli->json) {
    s = cJSON_Print(id != 0 ? cJSON_GetArrayItem(l, 0) : l);
    if (s != NULL)
      printf("%s\n", s);
    cJSON_free(s);
    cJSON_Delete(l);
    return CLI_OK;
  }
  if (cJSON_GetArraySize(l) == 0)
    printf("nenhum recurso\n");
  cJSON_ArrayForEach(o, l)
  {
    cJSON *pz = cJSON_GetObjectItem(o, "prazo"), *res = cJSON_GetObjectItem(o, "resultado");

    fat_money_format_br((int64_t)cJSON_GetObjectItem(o, "valor_recursado")->valuedouble, b1,
                        sizeof b1);
    fat_money_format_br((int64_t)cJSON_GetObjectItem(o, "valor_recuperado")->valuedouble, b2,
                        sizeof b2);
    printf("recurso %.0f (nº %.0f) %s, lote %s, protocolo %s: %s%s%s, prazo %s%s, recursado "
           "%s, recuperado %s, %.0f de %.0f itens respondidos\n",
           cli_jnum(o, "id"), cli_jnum(o, "numero"), cli_jstr(o, "operadora", "-"),
           lote_txt(o, lt, sizeof lt), cli_jstr(o, "protocolo_lote", "-"),
           fat_recurso_situacao_rotulo(cli_jstr(o, "status", "-")),
           cJSON_IsString(res) ? " / " : "",
           cJSON_IsString(res) ? fat_recurso_situacao_rotulo(res->valuestring) : "",
           fat_dia_br_ou(cJSON_IsString(pz) ? pz->valuestring : NULL, "-").s,
           cJSON_IsTrue(cJSON_GetObjectItem(o, "atrasado")) ? " (VENCIDO)" : "", b1, b2,
           cli_jnum(o, "itens_respondidos"), cli_jnum(o, "qtd_itens"));
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(o, "itens"))
    {
      fat_money_format_br(cli_jint(it, "valor_recursado"), b1, sizeof b1);
      printf("  item %.0f: guia %s item %.0f glosa %s %s%s\n    %s\n", cli_jnum(it, "id"),
             cli_jstr(it, "guia", "-"), cli_jnum(it, "item"), cli_jstr(it, "codigo", "-"), b1,
             cJSON_IsTrue(cJSON_GetObjectItem(it, "justificativa_pendente"))
                 ? "  JUSTIFICATIVA PENDENTE: escreva com faturo recurso editar"
                 : "",
             cli_jstr(it, "justificativa", ""));
    }
  }
  cJSON_Delete(l);
  return CLI_OK;
}

static int do_listar(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {{"hoje", required_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  const char *hoje = NULL;
  char hoje_iso[FAT_DIA_ISO_LEN];
  int64_t id = 0;
  fat_store *st;
  int c;

  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    if (c != 'h')
      return cli_bad_option("recurso listar", argv, opts);
    hoje = optarg;
    if (cli_arg_data("recurso listar", "--hoje", &hoje, hoje_iso) != CLI_OK)
      return CLI_USAGE;
  }
  if (optind < argc && parse_id(argv[optind], &id) != 0)
    return cli_usage_error("recurso listar", "recurso '%s' inválido", argv[optind]);
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  return show(cli, st, id, hoje);
}

int cli_recurso(fat_cli *cli, int argc, char **argv)
{
  if (argc < 2 || cli_wants_help(argc, argv)) {
    help();
    return argc < 2 ? CLI_USAGE : CLI_OK;
  }
  if (strcmp(argv[1], "criar") == 0)
    return do_criar(cli, argc - 1, argv + 1);
  if (strcmp(argv[1], "editar") == 0)
    return do_editar(cli, argc - 1, argv + 1);
  if (strcmp(argv[1], "xml") == 0)
    return do_xml(cli, argc - 1, argv + 1);
  if (strcmp(argv[1], "relatorio") == 0)
    return do_relatorio(cli, argc - 1, argv + 1);
  if (strcmp(argv[1], "enviar") == 0)
    return do_estado(cli, argc - 1, argv + 1, 0);
  if (strcmp(argv[1], "protocolo") == 0)
    return do_estado(cli, argc - 1, argv + 1, 1);
  if (strcmp(argv[1], "resposta") == 0)
    return do_resposta(cli, argc - 1, argv + 1);
  if (strcmp(argv[1], "listar") == 0)
    return do_listar(cli, argc - 1, argv + 1);
  return cli_usage_error("recurso", "ação desconhecida '%s'", argv[1]);
}
