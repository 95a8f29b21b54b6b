/* cmd_preco.c: `faturo preco OPERADORA CODIGO ...` and `faturo preco --todos` (Part D). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "fat_cadastro.h"
#include "fat_dia.h"
#include "fat_model.h"
#include "fat_money.h"
#include "fat_operadora.h"
#include "fat_price.h"
#include "fat_price_consulta.h"
#include "fat_mem.h"
#include "fat_rules.h"

static void help(void)
{
  printf("uso: faturo preco OPERADORA CODIGO [--data DD/MM/AAAA] [--quantidade Q]\n"
         "                  [--plano P] [--carater 1|2] [--via 1|2|3] [--hora HH:MM]\n"
         "                  [--grau GG] [--tipo T] [--tabela TT]\n"
         "     faturo preco --todos\n"
         "\n"
         "Mostra quanto o contrato da operadora paga por um item na data, e cada passo\n"
         "do cálculo: tabela e edição, porte, UCO, filme, deflator, acréscimos,\n"
         "reduções, reajustes e arredondamento (seção precos do script da operadora;\n"
         "veja docs/precos.md).\n"
         "\n"
         "  OPERADORA      registro ANS, chave do script (aurora) ou id; uma\n"
         "                 desconhecida é recusada com a lista das cadastradas\n"
         "  --data         data de realização, DD/MM/AAAA ou AAAA-MM-DD (padrão: hoje)\n"
         "  --quantidade   quantidade, vírgula decimal (padrão 1)\n"
         "  --plano        código do plano na operadora, ou enfermaria/apartamento/\n"
         "                 ambulatorial\n"
         "  --carater      1 eletivo, 2 urgência/emergência\n"
         "  --via          via de acesso; 2 ou 3 = procedimento secundário (com redução)\n"
         "  --hora         hora do ato, para horário especial\n"
         "  --grau         grau de participação (01 a 04 auxiliares, 06 anestesista)\n"
         "  --tipo         procedimento, material, medicamento, opme, taxa, diaria, gas\n"
         "  --tabela       tabela TUSS do código (22, 18, 19, 20)\n"
         "  --todos        precifica todos os itens de todas as guias do banco e lista\n"
         "                 os itens sem preço e os cobrados fora do contrato\n");
}

static void emit_line(void *ud, const char *line)
{
  (void)ud;
  printf("  %s\n", line);
}

static int todos(fat_cli *cli, fat_store *st, fat_pricer *p)
{
  fat_price_todos t;
  char m1[32], m2[32];
  fat_err err;
  size_t i;

  (void)st;
  fat_err_clear(&err);
  if (fat_price_conferir_todos(p, &t, &err) != FAT_OK)
    return cli_error(&err);
  if (cli->json) {
    cJSON *o = cJSON_CreateObject(), *a1, *a2;

    if (o == NULL || cJSON_AddNumberToObject(o, "guias", (double)t.n_guias) == NULL ||
        cJSON_AddNumberToObject(o, "itens", (double)t.n_itens) == NULL ||
        cJSON_AddNumberToObject(o, "precificados", (double)t.n_precificados) == NULL ||
        cJSON_AddNumberToObject(o, "total_cobrado", (double)t.total_cobrado) == NULL ||
        cJSON_AddNumberToObject(o, "total_contrato", (double)t.total_esperado) == NULL ||
        cJSON_AddArrayToObject(o, "sem_preco") == NULL ||
        cJSON_AddArrayToObject(o, "divergentes") == NULL) {
      cJSON_Delete(o);
      fat_price_todos_fini(&t);
      return cli_emit_json(NULL);
    }
    a1 = cJSON_GetObjectItemCaseSensitive(o, "sem_preco");
    a2 = cJSON_GetObjectItemCaseSensitive(o, "divergentes");
    for (i = 0; i < t.n_sem_preco; i++) {
      cJSON *e = cJSON_CreateObject();

      cJSON_AddItemToArray(a1, e);
      cJSON_AddNumberToObject(e, "guia", (double)t.sem_preco[i].guia_id);
      cJSON_AddNumberToObject(e, "item", t.sem_preco[i].item_seq);
      cJSON_AddStringToObject(e, "codigo", t.sem_preco[i].codigo);
      cJSON_AddStringToObject(e, "motivo", t.sem_preco[i].motivo);
    }
    for (i = 0; i < t.n_divergentes; i++) {
      cJSON *e = cJSON_CreateObject();

      cJSON_AddItemToArray(a2, e);
      cJSON_AddNumberToObject(e, "guia", (double)t.divergentes[i].guia_id);
      cJSON_AddNumberToObject(e, "item", t.divergentes[i].item_seq);
      cJSON_AddStringToObject(e, "codigo", t.divergentes[i].codigo);
      cJSON_AddNumberToObject(e, "cobrado", (double)t.divergentes[i].cobrado_total);
      cJSON_AddNumberToObject(e, "contrato", (double)t.divergentes[i].esperado_total);
    }
    i = t.n_sem_preco;
    fat_price_todos_fini(&t);
    if (cli_emit_json(o) != CLI_OK)
      return CLI_FAIL;
    return i == 0 ? CLI_OK : CLI_FAIL;
  }
  fat_money_format_br(t.total_cobrado, m1, sizeof m1);
  fat_money_format_br(t.total_esperado, m2, sizeof m2);
  printf("%zu guias, %zu itens: %zu precificados pelo contrato, %zu sem preço, %zu cobrados "
         "fora do contrato\n",
         t.n_guias, t.n_itens, t.n_precificados, t.n_sem_preco, t.n_divergentes);
  printf("total cobrado (itens precificados) %s; pelo contrato %s\n", m1, m2);
  for (i = 0; i < t.n_sem_preco && i < 50; i++)
    printf("  sem preço: guia %lld item %d %s: %s\n", (long long)t.sem_preco[i].guia_id,
           t.sem_preco[i].item_seq, t.sem_preco[i].codigo, t.sem_preco[i].motivo);
  for (i = 0; i < t.n_divergentes && i < 50; i++) {
    fat_money_format_br(t.divergentes[i].cobrado_total, m1, sizeof m1);
    fat_money_format_br(t.divergentes[i].esperado_total, m2, sizeof m2);
    printf("  divergente: guia %lld item %d %s: cobrado %s, contrato %s\n",
           (long long)t.divergentes[i].guia_id, t.divergentes[i].item_seq,
           t.divergentes[i].codigo, m1, m2);
  }
  if (t.n_sem_preco > 50 || t.n_divergentes > 50)
    printf("  (lista cortada em 50; use --json para ver tudo)\n");
  i = t.n_sem_preco;
  fat_price_todos_fini(&t);
  return i == 0 ? CLI_OK : CLI_FAIL;
}

int cli_preco(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    {"data", required_argument, NULL, 'd'},   {"quantidade", required_argument, NULL, 'q'},
    {"plano", required_argument, NULL, 'p'},  {"carater", required_argument, NULL, 'c'},
    {"via", required_argument, NULL, 'v'},    {"hora", required_argument, NULL, 'h'},
    {"grau", required_argument, NULL, 'g'},   {"tipo", required_argument, NULL, 't'},
    {"tabela", required_argument, NULL, 'b'}, {"todos", no_argument, NULL, 'T'},
    {NULL, 0, NULL, 0}};
  char data_iso[FAT_DIA_ISO_LEN];
  fat_price_pedido q;
  fat_price_consulta *res = NULL;
  fat_store *st;
  fat_gen *gen = NULL;
  fat_pricer *p = NULL;
  fat_err err;
  int64_t qtd_e4;
  int c, all = 0, rc = CLI_FAIL;

  if (cli_wants_help(argc, argv)) {
    help();
    return CLI_OK;
  }
  memset(&q, 0, sizeof q);
  optind = 1;
  opterr = 0;
  for (c = getopt_long(argc, argv, "", opts, NULL); c != -1; c = getopt_long(argc, argv, "", opts, NULL)) {
    switch (c) {
    case 'd': q.data = optarg; break;
    case 'q': q.quantidade = optarg; break;
    case 'p': q.plano = optarg; break;
    case 'c':
      if (strcmp(optarg, "1") != 0 && strcmp(optarg, "2") != 0)
        return cli_usage_error("preco", "--carater deve ser 1 ou 2");
      q.carater = optarg;
      break;
    case 'v':
      if (strlen(optarg) != 1 || optarg[0] < '1' || optarg[0] > '3')
        return cli_usage_error("preco", "--via deve ser 1, 2 ou 3");
      q.via = optarg;
      break;
    case 'h': q.hora = optarg; break;
    case 'g': q.grau = optarg; break;
    case 't': q.tipo = optarg; break;
    case 'b': q.tabela = optarg; break;
    case 'T': all = 1; break;
    default: return cli_bad_option("preco", argv, opts);
    }
  }
  if (all ? argc != optind : argc - optind != 2)
    return cli_usage_error("preco", all ? "--todos não leva OPERADORA nem CODIGO"
                                        : "diga a OPERADORA e o CODIGO");
  if (q.data != NULL && cli_arg_data("preco", "--data", &q.data, data_iso) != CLI_OK)
    return CLI_USAGE;
  fat_err_clear(&err);
  if (q.quantidade != NULL &&
      (fat_money_qty_parse(q.quantidade, &qtd_e4, &err) != FAT_OK || qtd_e4 <= 0))
    return cli_usage_error("preco", "quantidade inválida '%s'", q.quantidade);
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  if (fat_gen_build(cli->regras_dir, NULL, NULL, NULL, &gen, &err) != FAT_OK) {
    fat_err_prefix(&err, "regras em %s: ", cli->regras_dir);
    return cli_error(&err);
  }
  if (all) {
    if (fat_pricer_new_gen(st, gen, &p, &err) != FAT_OK)
      rc = cli_error(&err);
    else
      rc = todos(cli, st, p);
    goto out;
  }
  q.operadora = argv[optind];
  q.codigo = argv[optind + 1];
  res = fat_calloc(1, sizeof *res);
  if (res == NULL) {
    rc = cli_error_oom();
    goto out;
  }
  if (fat_price_consultar(st, gen, &q, res, &err) != FAT_OK) {
    rc = cli_error(&err);
    goto out;
  }
  if (cli->json) {
    rc = cli_emit_json(fat_price_consulta_json(res));
  } else {
    char mu[32], mt[32], data_br[FAT_DIA_ISO_LEN];
    int32_t dia = 0;

    fat_money_format_br(res->out.valor_unitario, mu, sizeof mu);
    fat_money_format_br(res->out.valor_total, mt, sizeof mt);
    printf("%s %s — %s (%s, tabela %s)\n", res->op.nome, res->codigo, res->out.descricao,
           res->out.grupo, res->out.tabela);
    (void)fat_dia_parse(res->data, &dia); /* checked by fat_price_consultar */
    fat_dia_format_br(dia, data_br, sizeof data_br);
    printf("data %s%s%s: unitário %s, fator %lld,%02lld, total %s\n", data_br,
           res->acomodacao[0] != '\0' ? ", plano " : "", res->acomodacao, mu,
           (long long)(res->out.fator_e2 / 100), (long long)(res->out.fator_e2 % 100), mt);
    printf("cálculo:\n");
    fat_price_explain(&res->out, emit_line, NULL);
    rc = CLI_OK;
  }
out:
  fat_free(res);
  fat_pricer_free(p);
  fat_gen_release(gen);
  return rc;
}
