/* cmd_retorno.c: `faturo retorno importar|ler|listar|pendencias|conflitos|
** aceitar-correcao|descartar-correcao|simular-operadora`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fat_demo_retorno.h"
#include "fat_dia.h"
#include "fat_lote.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_money.h"
#include "fat_retorno.h"
#include "fat_rules.h"
#include "fat_text.h"
#include "fat_tiss_read.h"

static void help(void)
{
  printf("uso: faturo retorno <ação> [argumentos]\n"
         "\n"
         "  importar ARQUIVO.xml     importa protocolo de recebimento, demonstrativo de análise\n"
         "                           de conta ou de pagamento (TISS 4.01.00; 4.00, 3.05, 3.02)\n"
         "  ler ARQUIVO.xml          lê qualquer mensagem TISS (também lotes de envio) e mostra\n"
         "                           totais e hash, sem gravar nada\n"
         "  listar                   retornos importados\n"
         "  pendencias [RETORNO]     linhas do retorno que não casaram com nada enviado e\n"
         "                           itens com valores impossíveis (sem glosa gravada)\n"
         "  conflitos [--todos]      correções da operadora (mesmo número de demonstrativo ou\n"
         "                           protocolo, outro conteúdo) esperando decisão\n"
         "  aceitar-correcao ID --motivo TEXTO\n"
         "                           aplica a correção ID no lugar do retorno que ela corrige\n"
         "                           (as glosas antigas saem, as novas entram; nada duplica)\n"
         "  descartar-correcao ID --motivo TEXTO\n"
         "                           descarta a correção ID (o retorno importado fica como está)\n"
         "  simular-operadora LOTE [--taxa-glosa P] [--semente S] [--data AAAA-MM-DD]\n"
         "                    --saida ARQ.xml\n"
         "                           gera um demonstrativo de análise de conta realista para um\n"
         "                           lote fechado (LOTE = id ou OPERADORA/NUMERO; P em %%, padrão 10)\n"
         "\n"
         "Um retorno é o mesmo pelo tipo, operadora e número (numeroDemonstrativo ou\n"
         "numeroProtocolo) e pelo conteúdo: importá-lo de novo, mesmo reindentado, com BOM\n"
         "ou em outra codificação, não muda nada. O mesmo número com outro conteúdo vira\n"
         "uma correção à espera de decisão (saída 1). Um arquivo malformado não grava nada.\n"
         "Hash que não confere e totais que não batem são avisados e o arquivo é importado.\n"
         "Decisões exigem --motivo e ficam na auditoria.\n");
}

/* The live generation, or NULL (with a notice) when the rules cannot load. */
static fat_gen *open_gen(fat_cli *cli, fat_store *st, fat_rules **rules)
{
  fat_err err;

  *rules = NULL;
  fat_err_clear(&err);
  if (fat_rules_open(cli->regras_dir, NULL, st, rules, &err) != FAT_OK) {
    fprintf(stderr,
            "faturo: atenção: regras indisponíveis (%s): sem prazo de recurso do contrato e "
            "sem análise de previsão\n",
            err.msg);
    *rules = NULL;
    return NULL;
  }
  return fat_rules_acquire(*rules);
}

static void print_money(const char *label, int64_t v)
{
  char b[32];

  fat_money_format_br(v, b, sizeof b);
  printf("  %-22s %s\n", label, b);
}

/* The text summary of an import. */
static void print_res(const fat_retorno_res *res)
{
  const cJSON *a;
  int i;

  printf("retorno %lld importado: %s\n", (long long)res->retorno_id,
         fat_tiss_transacao_rotulo(res->tipo));
  printf("  hash: %s\n", res->hash_ok == 1 ? "confere" : res->hash_ok == 0 ? "NÃO confere" : "ausente");
  printf("  lotes casados: %zu de %zu protocolos\n", res->n_lotes, res->n_protocolos);
  printf("  guias: %zu (%zu casadas)  itens: %zu (%zu casados)\n", res->n_guias,
         res->n_guias_casadas, res->n_itens, res->n_itens_casados);
  printf("  glosas: %zu (%zu previstas por regras atuais)\n", res->n_glosas, res->n_previstas);
  print_money("valor informado:", res->valor_informado);
  print_money("valor liberado:", res->valor_liberado);
  print_money("valor glosado:", res->valor_glosado);
  for (i = 0; i < cJSON_GetArraySize(res->avisos); i++)
    printf("aviso: %s\n", cJSON_GetArrayItem(res->avisos, i)->valuestring);
  if (res->n_pendencias > 0) {
    printf("pendências (não casaram; gravadas, veja faturo retorno pendencias %lld):\n",
           (long long)res->retorno_id);
    cJSON_ArrayForEach(a, res->pendencias)
    {
      cJSON *g = cJSON_GetObjectItem(a, "guia"), *m = cJSON_GetObjectItem(a, "motivo");

      printf("  %s guia %s linha %d: %s\n", cJSON_GetObjectItem(a, "nivel")->valuestring,
             cJSON_IsString(g) ? g->valuestring : "-",
             (int)cJSON_GetObjectItem(a, "linha")->valuedouble, m->valuestring);
    }
  }
}

static int do_importar(fat_cli *cli, int argc, char **argv)
{
  fat_store *st;
  fat_rules *rules = NULL;
  fat_gen *gen;
  fat_retorno_res res;
  fat_err err;
  cJSON *j;
  char *s;
  int i;

  if (argc != 2)
    return cli_usage_error("retorno importar", "informe um arquivo XML");
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  gen = open_gen(cli, st, &rules);
  fat_err_clear(&err);
  if (fat_retorno_importar(st, gen, argv[1], &res, &err) != FAT_OK) {
    if (gen != NULL)
      fat_gen_release(gen);
    fat_rules_close(rules);
    cli_error(&err);
    fprintf(stderr, "faturo: nada foi gravado\n");
    return CLI_FAIL;
  }
  if (gen != NULL)
    fat_gen_release(gen);
  fat_rules_close(rules);
  if (cli->json) {
    j = fat_retorno_res_json(&res);
    s = j != NULL ? cJSON_Print(j) : NULL;
    if (s != NULL)
      printf("%s\n", s);
    cJSON_free(s);
    cJSON_Delete(j);
    i = res.conflito_id > 0 ? CLI_FAIL : CLI_OK;
    fat_retorno_res_fini(&res);
    return i;
  }
  if (res.conflito_id > 0) {
    printf("CORREÇÃO À ESPERA DE DECISÃO (correção %lld do retorno %lld): nada foi aplicado\n",
           (long long)res.conflito_id, (long long)res.retorno_id);
    for (i = 0; i < cJSON_GetArraySize(res.avisos); i++)
      printf("aviso: %s\n", cJSON_GetArrayItem(res.avisos, i)->valuestring);
    printf("decida com: faturo retorno aceitar-correcao %lld --motivo \"...\" (ou "
           "descartar-correcao)\n",
           (long long)res.conflito_id);
    fat_retorno_res_fini(&res);
    return CLI_FAIL;
  }
  if (res.ja_importado) {
    for (i = 0; i < cJSON_GetArraySize(res.avisos); i++)
      printf("%s\n", cJSON_GetArrayItem(res.avisos, i)->valuestring);
    fat_retorno_res_fini(&res);
    return CLI_OK;
  }
  print_res(&res);
  fat_retorno_res_fini(&res);
  return CLI_OK;
}

static int do_ler(fat_cli *cli, int argc, char **argv)
{
  fat_tiss_msg *m = NULL;
  fat_tiss_somas so;
  fat_err err;
  cJSON *j;
  char *s, b1[32], b2[32];

  if (argc != 2)
    return cli_usage_error("retorno ler", "informe um arquivo XML");
  fat_err_clear(&err);
  if (fat_tiss_read_file(argv[1], &m, &err) != FAT_OK)
    return cli_error(&err);
  if (cli->json) {
    j = fat_tiss_msg_to_json(m);
    s = j != NULL ? cJSON_Print(j) : NULL;
    if (s != NULL)
      printf("%s\n", s);
    cJSON_free(s);
    cJSON_Delete(j);
    fat_tiss_msg_free(m);
    return CLI_OK;
  }
  fat_tiss_msg_somas(m, &so);
  printf("%s (TISS %s, %s), operadora ANS %s\n", fat_tiss_transacao_rotulo(m->tipo_transacao), m->versao ? m->versao : "?",
         m->codificacao, m->registro_ans ? m->registro_ans : "?");
  printf("  protocolos/lotes: %zu  guias: %zu  itens: %zu  glosas: %zu\n", m->n_protocolos,
         so.n_guias, so.n_itens, so.n_glosas);
  if (m->informado != INT64_MIN) {
    fat_money_format_br(m->informado, b1, sizeof b1);
    fat_money_format_br(m->tipo == FAT_TISS_LOTE_GUIAS ? so.itens_informado : so.informado, b2,
                        sizeof b2);
    printf("  valor informado: %s (soma %s: %s)\n", b1,
           m->tipo == FAT_TISS_LOTE_GUIAS ? "dos itens" : "das guias", b2);
  }
  if (m->glosado != INT64_MIN) {
    fat_money_format_br(m->glosado, b1, sizeof b1);
    printf("  valor glosado: %s\n", b1);
  }
  if (!m->tem_hash)
    printf("  hash: ausente\n");
  else if (m->hash_ok)
    printf("  hash: confere (%s, %s)\n", m->hash_declarado, m->hash_codificacao);
  else
    printf("  hash: NÃO confere (declarado %s, calculado %s)\n", m->hash_declarado, m->hash_iso);
  fat_tiss_msg_free(m);
  return CLI_OK;
}

static int print_json_or(fat_cli *cli, cJSON *j, void (*text)(const cJSON *))
{
  char *s;

  if (cli->json) {
    s = cJSON_Print(j);
    if (s != NULL)
      printf("%s\n", s);
    cJSON_free(s);
  } else {
    text(j);
  }
  cJSON_Delete(j);
  return CLI_OK;
}

static void listar_text(const cJSON *arr)
{
  const cJSON *o;
  char b[32];

  if (cJSON_GetArraySize(arr) == 0)
    printf("nenhum retorno importado\n");
  cJSON_ArrayForEach(o, arr)
  {
    fat_money_format_br((int64_t)cli_jnum(o, "valor_glosado"), b, sizeof b);
    printf("%4.0f  %s %s %s  glosas %3.0f (%s)  pendências %.0f", cli_jnum(o, "id"),
           fat_text_coluna(fat_tiss_transacao_rotulo(cli_jstr(o, "tipo", "-")), 34).s,
           fat_text_coluna(cli_jstr(o, "operadora", "-"), 26).s,
           fat_quando_br_de(cli_jstr(o, "importado_em", NULL), "-").s, cli_jnum(o, "glosas"), b, cli_jnum(o, "pendencias"));
    if (cJSON_IsNumber(cJSON_GetObjectItem(o, "substituido_por")))
      printf("  (substituído pelo retorno %.0f)", cli_jnum(o, "substituido_por"));
    if (cli_jnum(o, "correcoes_pendentes") > 0)
      printf("  CORREÇÃO PENDENTE (faturo retorno conflitos)");
    printf("\n");
  }
}

static void pend_text(const cJSON *arr)
{
  const cJSON *o;

  if (cJSON_GetArraySize(arr) == 0)
    printf("nenhuma pendência\n");
  cJSON_ArrayForEach(o, arr)
    printf("retorno %.0f linha %.0f  %-9s lote %s guia %s: %s\n", cli_jnum(o, "retorno_id"),
           cli_jnum(o, "linha"), cli_jstr(o, "nivel", "-"), cli_jstr(o, "lote", "-"), cli_jstr(o, "guia", "-"), cli_jstr(o, "motivo", "-"));
}

static int do_listar(fat_cli *cli, int argc, char **argv, int pend)
{
  fat_store *st;
  fat_err err;
  cJSON *j;
  long long id = 0;
  char *end;

  (void)argv;
  if (pend && argc == 2) {
    id = strtoll(argv[1], &end, 10);
    if (*end != '\0' || id <= 0)
      return cli_usage_error("retorno pendencias", "retorno '%s' inválido", argv[1]);
  } else if (argc != 1) {
    return cli_usage_error(pend ? "retorno pendencias" : "retorno listar", "argumentos demais");
  }
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  if ((pend ? fat_retorno_pendencias(st, id, &j, &err) : fat_retorno_listar(st, &j, &err)) !=
      FAT_OK)
    return cli_error(&err);
  return print_json_or(cli, j, pend ? pend_text : listar_text);
}

static void conflitos_text(const cJSON *arr)
{
  const cJSON *o;

  if (cJSON_GetArraySize(arr) == 0)
    printf("nenhuma correção de retorno à espera de decisão\n");
  cJSON_ArrayForEach(o, arr)
  {
    printf("correção %.0f do retorno %.0f (%s, %s), recebida em %s: %s\n", cli_jnum(o, "id"),
           cli_jnum(o, "retorno_id"), fat_tiss_transacao_rotulo(cli_jstr(o, "tipo", "-")),
           cli_jstr(o, "operadora", "-"), fat_quando_br_de(cli_jstr(o, "recebido_em", NULL), "-").s,
           cli_jstr(o, "situacao", "-"));
    printf("  arquivo %s; %s\n", cli_jstr(o, "arquivo", "-"), cli_jstr(o, "diferencas", "-"));
    if (strcmp(cli_jstr(o, "situacao", ""), "pendente") != 0)
      printf("  decidido por %s em %s: %s\n", cli_jstr(o, "decidido_por", "-"),
             fat_quando_br_de(cli_jstr(o, "decidido_em", NULL), "-").s, cli_jstr(o, "motivo", "-"));
  }
}

static int do_conflitos(fat_cli *cli, int argc, char **argv)
{
  fat_store *st;
  fat_err err;
  cJSON *j;
  int todos = 0;

  if (argc == 2 && strcmp(argv[1], "--todos") == 0)
    todos = 1;
  else if (argc != 1)
    return cli_usage_error("retorno conflitos", "uso: faturo retorno conflitos [--todos]");
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  if (fat_retorno_conflitos(st, !todos, &j, &err) != FAT_OK)
    return cli_error(&err);
  return print_json_or(cli, j, conflitos_text);
}

/* retorno aceitar-correcao|descartar-correcao ID --motivo TEXTO */
static int do_decidir(fat_cli *cli, int argc, char **argv, int aceitar)
{
  static const struct option opts[] = {{"motivo", required_argument, NULL, 'm'},
                                       {NULL, 0, NULL, 0}};
  const char *verb = aceitar ? "retorno aceitar-correcao" : "retorno descartar-correcao";
  const char *motivo = NULL;
  fat_retorno_res res;
  fat_rules *rules = NULL;
  fat_gen *gen = NULL;
  fat_store *st;
  fat_err err;
  char *end;
  long long id;
  int c, ret = CLI_FAIL;

  optind = 1;
  for (c = getopt_long(argc, argv, "", opts, NULL); c != -1;
       c = getopt_long(argc, argv, "", opts, NULL)) {
    if (c != 'm')
      return cli_bad_option(verb, argv, opts);
    motivo = optarg;
  }
  if (optind + 1 != argc)
    return cli_usage_error(verb, "informe o id da correção (veja faturo retorno conflitos)");
  id = strtoll(argv[optind], &end, 10);
  if (*end != '\0' || id <= 0)
    return cli_usage_error(verb, "correção '%s' inválida", argv[optind]);
  if (motivo == NULL || motivo[0] == '\0')
    return cli_usage_error(verb, "informe --motivo");
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  if (!aceitar) {
    if (fat_retorno_conflito_descartar(st, id, motivo, &err) != FAT_OK)
      return cli_error(&err);
    printf("correção %lld descartada; o retorno importado continua valendo\n", id);
    return CLI_OK;
  }
  gen = open_gen(cli, st, &rules);
  if (fat_retorno_conflito_aceitar(st, gen, id, motivo, &res, &err) != FAT_OK) {
    cli_error(&err);
    fprintf(stderr, "faturo: nada foi alterado\n");
    goto out;
  }
  if (cli->json) {
    ret = cli_emit_json(fat_retorno_res_json(&res));
  } else {
    printf("correção %lld aceita: substitui o retorno anterior\n", id);
    print_res(&res);
    ret = CLI_OK;
  }
  fat_retorno_res_fini(&res);
out:
  if (gen != NULL)
    fat_gen_release(gen);
  fat_rules_close(rules);
  return ret;
}

static int do_simular(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    {"taxa-glosa", required_argument, NULL, 't'}, {"semente", required_argument, NULL, 's'},
    {"saida", required_argument, NULL, 'o'},      {"data", required_argument, NULL, 'd'},
    {NULL, 0, NULL, 0}};
  fat_demo_retorno_opts o;
  fat_demo_retorno_res res;
  fat_store *st;
  fat_err err;
  const char *saida = NULL;
  char *end, b1[32], b2[32], data_iso[FAT_DIA_ISO_LEN];
  int c;
  long v;

  memset(&o, 0, sizeof o);
  o.taxa_bp = 1000;
  optind = 1;
  for (c = getopt_long(argc, argv, "", opts, NULL); c != -1;
       c = getopt_long(argc, argv, "", opts, NULL)) {
    switch (c) {
    case 't':
      v = strtol(optarg, &end, 10);
      if (*end != '\0' || v < 0 || v > 100)
        return cli_usage_error("retorno simular-operadora", "taxa '%s' inválida (0 a 100)",
                               optarg);
      o.taxa_bp = (int)v * 100;
      break;
    case 's':
      o.semente = strtoull(optarg, &end, 10);
      if (*end != '\0')
        return cli_usage_error("retorno simular-operadora", "semente '%s' inválida", optarg);
      break;
    case 'o': saida = optarg; break;
    case 'd':
      o.data = optarg;
      if (cli_arg_data("retorno simular-operadora", "--data", &o.data, data_iso) != CLI_OK)
        return CLI_USAGE;
      break;
    default: return cli_bad_option("retorno simular-operadora", argv, opts);
    }
  }
  if (optind + 1 != argc || saida == NULL)
    return cli_usage_error("retorno simular-operadora", "informe LOTE e --saida ARQ.xml");
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  if (fat_lote_ref(st, argv[optind], &o.lote_id, &err) != FAT_OK)
    return cli_error(&err);
  if (fat_demo_retorno(st, &o, &res, &err) != FAT_OK)
    return cli_error(&err);
  if (fat_file_write(saida, res.xml, res.len, &err) != FAT_OK) {
    fat_demo_retorno_res_fini(&res);
    return cli_error(&err);
  }
  fat_money_format_br(res.valor_informado, b1, sizeof b1);
  fat_money_format_br(res.valor_glosado, b2, sizeof b2);
  if (cli->json) {
    cJSON *out = cJSON_CreateObject();

    if (out != NULL && (cJSON_AddStringToObject(out, "arquivo", saida) == NULL ||
                      cJSON_AddStringToObject(out, "hash", res.hash) == NULL ||
                      cJSON_AddNumberToObject(out, "guias", (double)res.n_guias) == NULL ||
                      cJSON_AddNumberToObject(out, "glosas", (double)res.n_glosas) == NULL ||
                      cJSON_AddNumberToObject(out, "glosas_de_achados",
                                              (double)res.n_glosas_previstas) == NULL ||
                      cJSON_AddNumberToObject(out, "valor_informado",
                                              (double)res.valor_informado) == NULL ||
                      cJSON_AddNumberToObject(out, "valor_glosado",
                                              (double)res.valor_glosado) == NULL)) {
      cJSON_Delete(out);
      out = NULL;
    }
    c = cli_emit_json(out);
    fat_demo_retorno_res_fini(&res);
    return c;
  }
  printf("%s: demonstrativo de análise de conta, %zu guias, %s informado, %zu glosas "
         "(%zu de achados do conferir) somando %s, hash %s\n",
         saida, res.n_guias, b1, res.n_glosas, res.n_glosas_previstas, b2, res.hash);
  fat_demo_retorno_res_fini(&res);
  return CLI_OK;
}

int cli_retorno(fat_cli *cli, int argc, char **argv)
{
  static const char *const todos[] = {"--todos", NULL};
  if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
      strcmp(argv[1], "ajuda") == 0) {
    help();
    return argc < 2 ? CLI_USAGE : CLI_OK;
  }
  if (cli_wants_help(argc, argv)) {
    help();
    return CLI_OK;
  }
  /* the actions read by hand; the others go through getopt */
  if ((strcmp(argv[1], "importar") == 0 || strcmp(argv[1], "ler") == 0 ||
       strcmp(argv[1], "listar") == 0 || strcmp(argv[1], "pendencias") == 0 ||
       strcmp(argv[1], "conflitos") == 0) &&
      cli_sem_opcoes("retorno", argc, argv, strcmp(argv[1], "conflitos") == 0 ? todos : NULL) !=
          CLI_OK)
    return CLI_USAGE;
  if (strcmp(argv[1], "importar") == 0)
    return do_importar(cli, argc - 1, argv + 1);
  if (strcmp(argv[1], "ler") == 0)
    return do_ler(cli, argc - 1, argv + 1);
  if (strcmp(argv[1], "listar") == 0)
    return do_listar(cli, argc - 1, argv + 1, 0);
  if (strcmp(argv[1], "pendencias") == 0)
    return do_listar(cli, argc - 1, argv + 1, 1);
  if (strcmp(argv[1], "conflitos") == 0)
    return do_conflitos(cli, argc - 1, argv + 1);
  if (strcmp(argv[1], "aceitar-correcao") == 0)
    return do_decidir(cli, argc - 1, argv + 1, 1);
  if (strcmp(argv[1], "descartar-correcao") == 0)
    return do_decidir(cli, argc - 1, argv + 1, 0);
  if (strcmp(argv[1], "simular-operadora") == 0)
    return do_simular(cli, argc - 1, argv + 1);
  return cli_usage_error("retorno", "ação desconhecida '%s'", argv[1]);
}
