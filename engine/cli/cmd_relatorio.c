/* cmd_relatorio.c: `faturo relatorio painel|guias|lotes|glosas|retornos|
** recursos|recontar`: what the panel shows, from the same engine functions
** (fat_relatorio.h), page by page. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fat_dia.h"
#include "cli.h"
#include "fat_model.h"
#include "fat_money.h"
#include "fat_rel.h"
#include "fat_relatorio.h"
#include "fat_glosa.h"
#include "fat_lote.h"
#include "fat_recurso.h"
#include "fat_text.h"
#include "fat_tiss_read.h"

static void help(void)
{
  printf("uso: faturo relatorio <ação> [opções]\n"
         "\n"
         "O que o painel mostra, pela linha de comando (as mesmas funções do motor).\n"
         "\n"
         "  painel [--hoje AAAA-MM-DD]     os números do painel: guias a faturar e com\n"
         "                                 bloqueio, valor em risco, lotes a enviar e\n"
         "                                 atrasados, glosas aguardando recurso, prazos\n"
         "  guias [--operadora X] [--competencia AAAA-MM] [--status S] [--busca N]\n"
         "        [--com-bloqueio]\n"
         "  lotes [--operadora X] [--status S] [--competencia AAAA-MM]\n"
         "  glosas [--operadora X] [--competencia AAAA-MM] [--situacao S]\n"
         "         [--classificacao C] [--grupo G] [--retorno ID]\n"
         "  retornos\n"
         "  recursos [--operadora X] [--status S]\n"
         "  recontar                       refaz os contadores do painel a partir das\n"
         "                                 guias, achados, glosas e lotes gravados\n"
         "                                 (também os totais da lista de achados, o\n"
         "                                 prazo usual de protocolo das operadoras, o\n"
         "                                 saldo a receber de cada lote e os totais do\n"
         "                                 previsto × realizado)\n"
         "\n"
         "Listagens: as mais recentes primeiro, --limite N por página (padrão 50, até\n"
         "500); a página seguinte é pedida com --apos CURSOR (o cursor que a anterior\n"
         "mostrou); --todas percorre todas as páginas.\n"
         "opções: --json (uma linha JSON por página: {\"itens\": [...], \"proximo\": ...})\n"
         "\n");
  cli_relatorio_gerencial_ajuda();
}

static void reais(const cJSON *o, const char *k, char *out, size_t len)
{
  fat_money_format_br(cli_jint(o, k), out, len);
}

static int do_painel(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {{"hoje", required_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  char *hoje = NULL;
  fat_store *st;
  fat_err err;
  cJSON *p = NULL, *x;
  char a[40], b[40], d[32];
  int c;

  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    if (c != 'h')
      return cli_bad_option("relatorio painel", argv, opts);
    hoje = optarg;
  }
  if (optind != argc)
    return cli_usage_error("relatorio painel", "argumento inesperado '%s'", argv[optind]);
  if (hoje != NULL && cli_norm_data(hoje) != 0)
    return cli_usage_error("relatorio painel", "data '%s' inválida (use DD/MM/AAAA ou AAAA-MM-DD)", hoje);
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  if (fat_relatorio_painel(st, hoje, &p, &err) != FAT_OK)
    return cli_error(&err);
  if (cli->json)
    return cli_emit_json(p);
  snprintf(d, sizeof d, "%s", fat_dia_br_ou(cli_jstr(p, "hoje", NULL), "-").s);
  printf("painel em %s\n\n", d);
  reais(p, "valor_a_faturar", a, sizeof a);
  printf("  guias a faturar            %8lld   %s\n", (long long)cli_jint(p, "guias_a_faturar"), a);
  reais(p, "valor_em_risco", a, sizeof a);
  printf("  guias com bloqueio         %8lld   %s em risco\n",
         (long long)cli_jint(p, "guias_com_bloqueio"), a);
  printf("  lotes a enviar             %8lld\n", (long long)cli_jint(p, "lotes_a_enviar"));
  printf("  lotes atrasados            %8lld\n", (long long)cli_jint(p, "lotes_atrasados"));
  printf("  lotes aguardando retorno   %8lld\n",
         (long long)cli_jint(p, "lotes_aguardando_retorno"));
  reais(p, "valor_glosas_aguardando", a, sizeof a);
  printf("  glosas aguardando recurso  %8lld   %s\n",
         (long long)cli_jint(p, "glosas_aguardando_recurso"), a);
  printf("  recursos vencendo (10 dias)%8lld\n", (long long)cli_jint(p, "recursos_prazo_proximo"));
  printf("  recursos com prazo vencido %8lld\n", (long long)cli_jint(p, "recursos_prazo_vencido"));
  printf("\n  %-34s %10s %12s %16s %16s\n", "operadora", "a faturar", "com bloqueio",
         "em risco", "glosado");
  cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(p, "por_operadora"))
  {
    reais(x, "valor_em_risco", a, sizeof a);
    reais(x, "valor_glosado", b, sizeof b);
    printf("  %-34.34s %10lld %12lld %16s %16s\n", cli_jstr(x, "nome", "-"),
           (long long)cli_jint(x, "guias_a_faturar"), (long long)cli_jint(x, "guias_com_bloqueio"),
           a, b);
  }
  cJSON_Delete(p);
  return CLI_OK;
}

/* One listing: which engine call and how to print a row. */
typedef enum { L_GUIAS, L_LOTES, L_GLOSAS, L_RETORNOS, L_RECURSOS } lista;

typedef struct lista_args {
  fat_relatorio_guias_filtro g;
  fat_relatorio_lotes_filtro l;
  fat_glosa_filtro gl;
  fat_relatorio_recursos_filtro r;
} lista_args;

static fat_rc fetch(fat_store *st, lista k, const lista_args *a, fat_pagina *p, cJSON **rows,
                    fat_err *err)
{
  switch (k) {
  case L_GUIAS: return fat_relatorio_guias(st, &a->g, p, rows, err);
  case L_LOTES: return fat_relatorio_lotes(st, &a->l, NULL, p, rows, err);
  case L_GLOSAS: return fat_relatorio_glosas(st, &a->gl, p, rows, err);
  case L_RETORNOS: return fat_relatorio_retornos(st, p, rows, err);
  case L_RECURSOS: return fat_relatorio_recursos(st, &a->r, p, rows, err);
  }
  return fat_err_set(err, FAT_EINVAL, "listagem desconhecida");
}

static void print_row(lista k, const cJSON *x)
{
  char v[40], d[32];

  switch (k) {
  case L_GUIAS:
    reais(x, "valor_total", v, sizeof v);
    snprintf(d, sizeof d, "%s", fat_dia_br_ou(cli_jstr(x, "data_inicio", NULL), "-").s);
    printf("%8lld  %-16.16s %-20.20s %-24.24s %-14s %-10s %-10s %3lld bloq. %3lld alert. "
           "%16s\n",
           (long long)cli_jint(x, "id"), cli_jstr(x, "numero_prestador", "-"),
           cli_jstr(x, "operadora", "-"), cli_jstr(x, "beneficiario_nome", "-"),
           cli_jstr(x, "beneficiario_cpf", "-"), d,
           fat_guia_status_rotulo(cli_jstr(x, "status", "-")),
           (long long)cli_jint(x, "bloqueios"), (long long)cli_jint(x, "alertas"), v);
    break;
  case L_LOTES:
    reais(x, "valor_informado", v, sizeof v);
    snprintf(d, sizeof d, "%s", fat_dia_br_ou(cli_jstr(x, "prazo_envio", NULL), "-").s);
    printf("%6lld  nº %-6lld %-20.20s %-8s %s %4lld guias %16s  prazo %s%s\n",
           (long long)cli_jint(x, "id"), (long long)cli_jint(x, "numero"),
           cli_jstr(x, "operadora", "-"),
           fat_dia_competencia_br_ou(cli_jstr(x, "competencia", NULL), "-").s,
           fat_text_coluna(fat_lote_status_rotulo(cli_jstr(x, "status", "-")), 17).s,
           (long long)cli_jint(x, "qtd_guias"), v, d,
           cli_jint(x, "atrasado") ? " (atrasado)" : "");
    break;
  case L_GLOSAS:
    reais(x, "valor", v, sizeof v);
    snprintf(d, sizeof d, "%s", fat_dia_br_ou(cli_jstr(x, "prazo_recurso", NULL), "-").s);
    printf("%7lld  guia %-14.14s %-20.20s %-5s %14s %-13s %s prazo %s\n",
           (long long)cli_jint(x, "id"), cli_jstr(x, "guia", "-"), cli_jstr(x, "operadora", "-"),
           cli_jstr(x, "codigo", "-"), v,
           fat_glosa_situacao_rotulo(cli_jstr(x, "classificacao", "-")),
           fat_text_coluna(fat_glosa_situacao_rotulo(cli_jstr(x, "situacao", "-")), 19).s, d);
    break;
  case L_RETORNOS:
    reais(x, "valor_glosado", v, sizeof v);
    printf("%6lld  %s %-20.20s %5lld casadas %5lld sem par %14s glosado\n",
           (long long)cli_jint(x, "id"),
           fat_text_coluna(fat_tiss_transacao_rotulo(cli_jstr(x, "tipo", "-")), 34).s,
           cli_jstr(x, "operadora", "-"),
           (long long)cli_jint(x, "guias_casadas"), (long long)cli_jint(x, "guias_sem_par"), v);
    break;
  case L_RECURSOS:
    reais(x, "valor_recursado", v, sizeof v);
    snprintf(d, sizeof d, "%s", fat_dia_br_ou(cli_jstr(x, "prazo", NULL), "-").s);
    printf("%6lld  nº %-6lld %-20.20s %-12s %4lld itens %16s prazo %s\n",
           (long long)cli_jint(x, "id"), (long long)cli_jint(x, "numero"),
           cli_jstr(x, "operadora", "-"), fat_recurso_situacao_rotulo(cli_jstr(x, "status", "-")),
           (long long)cli_jint(x, "itens"), v, d);
    break;
  }
}

static int do_lista(fat_cli *cli, lista k, const char *verb, int argc, char **argv)
{
  static const struct option opts[] = {
    {"operadora", required_argument, NULL, 'o'}, {"competencia", required_argument, NULL, 'c'},
    {"status", required_argument, NULL, 's'},    {"busca", required_argument, NULL, 'b'},
    {"com-bloqueio", no_argument, NULL, 'B'},    {"situacao", required_argument, NULL, 'S'},
    {"classificacao", required_argument, NULL, 'k'}, {"grupo", required_argument, NULL, 'g'},
    {"retorno", required_argument, NULL, 'r'},   {"limite", required_argument, NULL, 'l'},
    {"apos", required_argument, NULL, 'a'},      {"todas", no_argument, NULL, 'T'},
    {NULL, 0, NULL, 0}};
  lista_args a;
  fat_leitor leitor;
  fat_pagina p;
  fat_store *st;
  fat_err err;
  cJSON *rows = NULL, *x;
  char cursor[FAT_CURSOR_MAX] = "";
  int c, todas = 0, rc = CLI_OK;
  long n;
  char *end;

  memset(&a, 0, sizeof a);
  memset(&p, 0, sizeof p);
  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
    case 'o': a.g.operadora = a.l.operadora = a.gl.operadora = a.r.operadora = optarg; break;
    case 'c':
      if (cli_norm_competencia(optarg) != 0)
        return cli_usage_error(verb, "competência '%s' inválida (use MM/AAAA ou AAAA-MM)", optarg);
      a.g.competencia = a.l.competencia = a.gl.competencia = optarg;
      break;
    case 's': a.g.status = a.l.status = a.r.status = optarg; break;
    case 'b': a.g.busca = optarg; break;
    case 'B': a.g.com_bloqueio = 1; break;
    case 'S': a.gl.situacao = optarg; break;
    case 'k': a.gl.classificacao = optarg; break;
    case 'g': a.gl.grupo = optarg; break;
    case 'r':
      a.gl.retorno_id = strtoll(optarg, &end, 10);
      if (*end != '\0' || a.gl.retorno_id <= 0)
        return cli_usage_error(verb, "retorno '%s' inválido", optarg);
      break;
    case 'l':
      n = strtol(optarg, &end, 10);
      if (*end != '\0' || n < 1 || n > FAT_PAGINA_MAX)
        return cli_usage_error(verb, "limite '%s' inválido (1 a %d)", optarg, FAT_PAGINA_MAX);
      p.limite = (int)n;
      break;
    case 'a': snprintf(cursor, sizeof cursor, "%s", optarg); break;
    case 'T': todas = 1; break;
    default: return cli_bad_option(verb, argv, opts);
    }
  }
  if (optind != argc)
    return cli_usage_error(verb, "argumento inesperado '%s'", argv[optind]);
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  if (cli_leitor(cli, verb, &leitor) == NULL)
    return CLI_FAIL;
  a.g.leitor = &leitor; /* CPFs masked by role; every page read is recorded */
  for (;;) {
    p.apos = cursor[0] != '\0' ? cursor : NULL;
    fat_err_clear(&err);
    if (fetch(st, k, &a, &p, &rows, &err) != FAT_OK)
      return cli_error(&err);
    if (cli->json) {
      cJSON *o = cJSON_CreateObject();

      if (o == NULL || !cJSON_AddItemToObject(o, "itens", rows)) {
        cJSON_Delete(o);
        cJSON_Delete(rows);
        return cli_emit_json(NULL);
      }
      if ((p.proximo[0] != '\0' ? cJSON_AddStringToObject(o, "proximo", p.proximo)
                                : cJSON_AddNullToObject(o, "proximo")) == NULL) {
        cJSON_Delete(o);
        return cli_emit_json(NULL);
      }
      rc = cli_emit_json(o);
    } else {
      cJSON_ArrayForEach(x, rows)
        print_row(k, x);
      cJSON_Delete(rows);
      if (p.proximo[0] != '\0' && !todas)
        printf("... mais: faturo relatorio %s --apos %s\n", verb + 10, p.proximo);
    }
    rows = NULL;
    if (rc != CLI_OK || !todas || p.proximo[0] == '\0')
      break;
    snprintf(cursor, sizeof cursor, "%s", p.proximo);
  }
  return rc;
}

int cli_relatorio(fat_cli *cli, int argc, char **argv)
{
  static const struct {
    const char *name, *verb;
    lista k;
  } listas[] = {{"guias", "relatorio guias", L_GUIAS},
                {"lotes", "relatorio lotes", L_LOTES},
                {"glosas", "relatorio glosas", L_GLOSAS},
                {"retornos", "relatorio retornos", L_RETORNOS},
                {"recursos", "relatorio recursos", L_RECURSOS}};
  fat_store *st;
  fat_err err;
  size_t i;

  if (argc < 2 || cli_wants_help(argc, argv)) {
    help();
    return argc < 2 ? CLI_USAGE : CLI_OK;
  }
  if (strcmp(argv[1], "painel") == 0)
    return do_painel(cli, argc - 1, argv + 1);
  if (cli_relatorio_gerencial_acao(argv[1]))
    return cli_relatorio_gerencial(cli, argv[1], argc - 1, argv + 1);
  for (i = 0; i < sizeof listas / sizeof listas[0]; i++)
    if (strcmp(argv[1], listas[i].name) == 0)
      return do_lista(cli, listas[i].k, listas[i].verb, argc - 1, argv + 1);
  if (strcmp(argv[1], "recontar") == 0) {
    if (argc > 2)
      return cli_usage_error("relatorio recontar", "argumento inesperado '%s'", argv[2]);
    st = cli_store(cli);
    if (st == NULL)
      return CLI_FAIL;
    fat_err_clear(&err);
    if (fat_relatorio_recontar(st, &err) != FAT_OK)
      return cli_error(&err);
    if (!cli->json)
      printf("contadores do painel refeitos\n");
    return CLI_OK;
  }
  return cli_usage_error("relatorio", "ação desconhecida '%s'", argv[1]);
}
