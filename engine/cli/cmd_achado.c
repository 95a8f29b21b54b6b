/* cmd_achado.c: `faturo achado listar|reconhecer` (Part C; the worklist's
** filters, summary, exports and batch acknowledgement: Part L). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "fat_achado_papel.h"
#include "fat_conferir.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_money.h"
#include "fat_rel_achados.h"
#include "fat_dia.h"
#include "fat_revisao.h"

static void help(void)
{
  printf("uso: faturo achado listar [--guia N] [filtros] [--resumo] [--csv ARQ|--xlsx ARQ]\n"
         "     faturo achado reconhecer ID [ID...] --motivo \"texto\"\n"
         "     faturo achado reconhecer --todos [filtros] --motivo \"texto\"\n"
         "\n"
         "listar      mostra os achados da conferência: os de uma guia (--guia), ou todos\n"
         "            os que ainda não foram reconhecidos (a lista de trabalho)\n"
         "reconhecer  aceita achados com justificativa (cada um fica na auditoria); uma\n"
         "            guia cujos bloqueios estão todos reconhecidos fica pronta para lote.\n"
         "            Vários ids (ou --todos com filtros) levam o mesmo motivo: ou todos\n"
         "            são reconhecidos, ou nenhum (o erro diz qual achado impediu).\n"
         "            Até 1000 ids de uma vez; --todos não tem limite (lê os achados\n"
         "            de 500 em 500 dentro da mesma transação).\n"
         "            Ao reconferir, o reconhecimento continua valendo enquanto o mesmo\n"
         "            achado reaparecer (mesmo código, mesmo item pelo sequencial, mesmo\n"
         "            campo). Um bloqueio numa guia sem um campo que o XML TISS exige\n"
         "            (ex.: carteira) não pode ser reconhecido: corrija a guia.\n"
         "\n"
         "filtros (lista de trabalho):\n"
         "  --operadora X      registro ANS, chave do script ou id\n"
         "  --codigo C         código do achado (ex.: SENHA_AUSENTE)\n"
         "  --severidade S     bloqueio ou alerta\n"
         "  --competencia M    MM/AAAA da guia\n"
         "  --profissional P   id, CPF, número do conselho ou parte do nome\n"
         "  --reconhecidos     só os já reconhecidos (--todos-os-estados: abertos e\n"
         "                     reconhecidos)\n"
         "  --resumo           só o resumo por código: quantidade, guias e R$ em risco\n"
         "  --csv ARQ          exporta (CSV com ';', vírgula decimal, UTF-8 com BOM;\n"
         "                     '-' = saída); --xlsx ARQ: planilha\n");
}

/* What listar prints as the findings come (fat_achado_listar_cada). */
typedef struct lista_out {
  int json;
  long n;
} lista_out;

static fat_rc lista_um(void *u, const cJSON *a, fat_err *err)
{
  lista_out *o = u;
  const char *rec = cli_jstr(a, "reconhecido_em", NULL);
  char campo[160] = "", money[40];

  if (o->json) {
    char *s = cJSON_PrintUnformatted(a);

    if (s == NULL)
      return fat_err_oom(err);
    /* the array cJSON would print whole: '[' a ',' b ... ']' */
    fputs(o->n == 0 ? "[" : ",", stdout);
    fputs(s, stdout);
    cJSON_free(s);
    o->n++;
    return FAT_OK;
  }
  if (cli_jstr(a, "campo_numerado", NULL) != NULL)
    fat_revisao_rotulo(cli_jstr(a, "campo_numerado", NULL), campo, sizeof campo);
  fat_money_format_br((int64_t)cli_jnum(a, "valor_risco"), money, sizeof money);
  printf("achado %.0f  guia %.0f (%s)  [%s] %s%s%s  glosa %s  %s\n", cli_jnum(a, "id"),
         cli_jnum(a, "guia_id"), cli_jstr(a, "numero_prestador", NULL) ? cli_jstr(a, "numero_prestador", NULL) : "?",
         cli_jstr(a, "severidade", NULL), cli_jstr(a, "codigo", NULL),
         campo[0] != '\0' ? " em " : "", campo,
         cli_jstr(a, "glosa_prevista", NULL) ? cli_jstr(a, "glosa_prevista", NULL) : "-", money);
  printf("    %s\n", cli_jstr(a, "mensagem", NULL));
  if (rec != NULL)
    printf("    reconhecido em %s por %s: %s\n", fat_quando_br_de(rec, "?").s,
           cli_jstr(a, "reconhecido_por", NULL) ? cli_jstr(a, "reconhecido_por", NULL) : "?",
           cli_jstr(a, "reconhecido_motivo", NULL) ? cli_jstr(a, "reconhecido_motivo", NULL) : "");
  o->n++;
  return FAT_OK;
}

/* The findings of one guia, or every open one, printed as they are read:
** the list of a million guias does not sit in memory. */
static int listar(fat_cli *cli, int64_t guia_id)
{
  fat_store *st = cli_store(cli);
  lista_out o = {cli->json, 0};
  fat_err err;

  if (st == NULL)
    return CLI_FAIL;
  /* on an error midway the JSON stays unclosed: never a list that looks whole */
  if (fat_achado_listar_cada(st, guia_id, lista_um, &o, &err) != FAT_OK)
    return cli_error(&err);
  if (o.json)
    puts(o.n == 0 ? "[]" : "]");
  else if (o.n == 0)
    printf(guia_id > 0 ? "a guia não tem achados\n" : "nenhum achado em aberto\n");
  return CLI_OK;
}

typedef struct trabalho_csv {
  fat_store *st;
  const fat_achados_filtro *f;
} trabalho_csv;

static fat_rc trabalho_csv_fn(void *ctx, fat_escrita w, void *u, fat_err *err)
{
  const trabalho_csv *t = ctx;

  return fat_rel_achados_csv_escrever(t->st, t->f, w, u, err);
}

/* The first table of a worklist document ("achados"), or NULL. */
static const cJSON *primeira(const cJSON *rel)
{
  return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(rel, "tabelas"), 0);
}

/* The worklist printed as aligned text as it is read (fat_rel_achados_cada,
** two passes over one snapshot: the first measures every cell, the second
** prints), the bytes of cli_rel_imprimir of the whole document. */
typedef struct trabalho_texto {
  cli_rel_tab t;
} trabalho_texto;

static fat_rc texto_pagina(void *u, int passada, const cJSON *prim, const cJSON *pag,
                           fat_err *err)
{
  trabalho_texto *o = u;
  const cJSON *tab = primeira(prim), *t;

  (void)err;
  if (tab == NULL)
    return FAT_OK;
  if (passada == 0) {
    if (pag == prim)
      cli_rel_tab_inicio(&o->t, tab);
    if (pag != NULL)
      cli_rel_tab_mede(&o->t, primeira(pag), CLI_REL_LINHAS);
    else
      cli_rel_tab_mede(&o->t, tab, CLI_REL_TOTAL);
    return FAT_OK;
  }
  if (pag == prim) {
    printf("%s\n\n", cli_jstr(prim, "titulo", ""));
    cli_rel_tab_imprime(&o->t, tab, CLI_REL_CABECALHO | CLI_REL_LINHAS);
  } else if (pag != NULL) {
    cli_rel_tab_imprime(&o->t, primeira(pag),
                        CLI_REL_LINHAS);
  } else {
    cli_rel_tab_imprime(&o->t, tab, CLI_REL_TOTAL);
    for (t = tab->next; t != NULL; t = t->next) {
      cli_rel_tab p;

      cli_rel_tab_inicio(&p, t);
      cli_rel_tab_mede(&p, t, CLI_REL_LINHAS | CLI_REL_TOTAL);
      cli_rel_tab_imprime(&p, t, CLI_REL_CABECALHO | CLI_REL_LINHAS | CLI_REL_TOTAL);
    }
  }
  return FAT_OK;
}

/* The worklist's JSON (cli_print_json of the whole document, byte for
** byte) printed as it is read: the first page's document with its lines
** cut out gives what comes before and after them. */
typedef struct trabalho_json {
  char *depois; /* the document's text after the lines */
  long n;       /* lines printed */
} trabalho_json;

static fat_rc json_linhas(trabalho_json *o, const cJSON *tab, fat_err *err)
{
  const cJSON *l;

  cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(tab, "linhas"))
  {
    char *s = cJSON_PrintUnformatted(l);

    if (s == NULL)
      return fat_err_oom(err);
    if (o->n++ > 0)
      putchar(',');
    fputs(s, stdout);
    cJSON_free(s);
  }
  return FAT_OK;
}

static fat_rc json_pagina(void *u, int passada, const cJSON *prim, const cJSON *pag,
                          fat_err *err)
{
  trabalho_json *o = u;
  cJSON *copia, *tab, *marca;
  char *txt, *m;

  (void)passada;
  if (pag == NULL) {
    printf("]%s\n", o->depois != NULL ? o->depois : "");
    return FAT_OK;
  }
  if (pag != prim)
    return json_linhas(o, primeira(pag), err);
  /* a raw 0x01 marks the lines: cJSON escapes that byte in any string */
  copia = cJSON_Duplicate(prim, 1);
  tab = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(copia, "tabelas"), 0);
  marca = cJSON_CreateRaw("\x01");
  if (copia == NULL || marca == NULL ||
      !cJSON_ReplaceItemInObjectCaseSensitive(tab, "linhas", marca)) {
    cJSON_Delete(marca);
    cJSON_Delete(copia);
    return fat_err_oom(err);
  }
  txt = cJSON_PrintUnformatted(copia);
  cJSON_Delete(copia);
  if (txt == NULL)
    return fat_err_oom(err);
  m = strchr(txt, '\x01');
  if (m == NULL) {
    cJSON_free(txt);
    return fat_err_set(err, FAT_EINVAL, "documento de achados sem linhas");
  }
  *m = '\0';
  o->depois = fat_strdup(m + 1);
  if (o->depois == NULL) {
    cJSON_free(txt);
    return fat_err_oom(err);
  }
  fputs(txt, stdout);
  putchar('[');
  cJSON_free(txt);
  return json_linhas(o, primeira(prim), err);
}

/* The worklist (fat_rel_achados) printed as tables, as JSON or exported,
** every form written as the findings are read, page by page (the same
** bytes as the whole document's: every open finding of a million guias
** does not sit in memory). --resumo reads the first page alone. */
static int lista_trabalho(fat_cli *cli, const fat_achados_filtro *f, int resumo,
                          const char *csv, const char *xlsx)
{
  fat_store *st = cli_store(cli);
  fat_err err;
  fat_rc rc;
  int r = CLI_OK;

  if (st == NULL)
    return CLI_FAIL;
  if (resumo) {
    fat_achados_filtro g = *f;
    fat_pagina p;
    cJSON *rel = NULL;

    /* the totals and "por_codigo" come with the first page */
    memset(&p, 0, sizeof p);
    p.limite = 1;
    g.pagina = &p;
    if (fat_rel_achados(st, &g, &rel, &err) != FAT_OK)
      return cli_error(&err);
    if (!cli_rel_so_tabela(rel, "por_codigo")) {
      cJSON_Delete(rel);
      return cli_usage_error("achado", "tabela por_codigo ausente");
    }
    return cli_rel_saida(cli, rel, csv, xlsx);
  }
  if (csv != NULL) {
    trabalho_csv t = {st, f};

    r = cli_csv_saida(cli, csv, trabalho_csv_fn, &t);
  }
  if (r == CLI_OK && xlsx != NULL) {
    if (fat_rel_achados_xlsx(st, f, xlsx, &err) != FAT_OK)
      return cli_error(&err);
    if (!cli->json)
      printf("planilha gravada em %s\n", xlsx);
  }
  if (r != CLI_OK)
    return r;
  if (cli->json) {
    trabalho_json o = {NULL, 0};

    rc = fat_rel_achados_cada(st, f, 1, json_pagina, &o, &err);
    fat_free(o.depois);
  } else if (csv == NULL && xlsx == NULL) {
    trabalho_texto o;

    memset(&o, 0, sizeof o);
    rc = fat_rel_achados_cada(st, f, 2, texto_pagina, &o, &err);
  } else {
    return CLI_OK;
  }
  if (rc == FAT_OK && fflush(stdout) != 0)
    rc = fat_err_sys(&err, errno, "erro ao escrever na saída");
  return rc == FAT_OK ? CLI_OK : cli_error(&err);
}

/* Acknowledge ids (one motivo; all or none). */
static int reconhecer_varios(fat_cli *cli, const int64_t *ids, size_t n, const char *motivo)
{
  fat_store *st = cli_store(cli);
  fat_err err;
  size_t guias = 0;

  if (st == NULL)
    return CLI_FAIL;
  if (fat_achado_reconhecer_varios(st, ids, n, motivo, NULL, &guias, &err) != FAT_OK)
    return cli_error(&err);
  if (cli->json)
    printf("{\"reconhecidos\":%zu,\"guias\":%zu}\n", n, guias);
  else
    printf("%zu achado(s) reconhecido(s) em %zu guia(s), com o mesmo motivo\n", n, guias);
  return CLI_OK;
}

/* Acknowledge every open finding of the worklist f (one motivo; all or
** none): read page by page inside the one transaction. */
static int reconhecer_lista(fat_cli *cli, const fat_achados_filtro *f, const char *motivo)
{
  fat_store *st = cli_store(cli);
  fat_err err;
  size_t n = 0, guias = 0;

  if (st == NULL)
    return CLI_FAIL;
  if (fat_rel_achados_reconhecer(st, f, motivo, &n, &guias, &err) != FAT_OK)
    return cli_error(&err);
  if (n == 0)
    printf("nenhum achado em aberto com esses filtros\n");
  else if (cli->json)
    printf("{\"reconhecidos\":%zu,\"guias\":%zu}\n", n, guias);
  else
    printf("%zu achado(s) reconhecido(s) em %zu guia(s), com o mesmo motivo\n", n, guias);
  return CLI_OK;
}

static int reconhecer(fat_cli *cli, int64_t id, const char *motivo)
{
  fat_store *st = cli_store(cli);
  fat_err err;
  int64_t gid = 0, abertos = 0;

  if (st == NULL)
    return CLI_FAIL;
  if (fat_achado_reconhecer(st, id, motivo, &gid, &abertos, &err) != FAT_OK)
    return cli_error(&err);
  if (cli->json) {
    printf("{\"achado\":%lld,\"guia_id\":%lld,\"bloqueios_abertos\":%lld,\"pronta_para_lote\":%s}"
           "\n",
           (long long)id, (long long)gid, (long long)abertos, abertos == 0 ? "true" : "false");
  } else if (abertos == 0) {
    printf("achado %lld reconhecido; a guia %lld não tem mais bloqueios em aberto e está "
           "pronta para lote\n",
           (long long)id, (long long)gid);
  } else {
    printf("achado %lld reconhecido; a guia %lld ainda tem %lld bloqueio(s) em aberto\n",
           (long long)id, (long long)gid, (long long)abertos);
  }
  return CLI_OK;
}

int cli_achado(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {{"guia", required_argument, NULL, 'g'},
                                       {"motivo", required_argument, NULL, 'm'},
                                       {"operadora", required_argument, NULL, 'o'},
                                       {"codigo", required_argument, NULL, 'c'},
                                       {"severidade", required_argument, NULL, 's'},
                                       {"competencia", required_argument, NULL, 'k'},
                                       {"profissional", required_argument, NULL, 'p'},
                                       {"reconhecidos", no_argument, NULL, 'r'},
                                       {"todos-os-estados", no_argument, NULL, 'e'},
                                       {"resumo", no_argument, NULL, 'R'},
                                       {"todos", no_argument, NULL, 't'},
                                       {"csv", required_argument, NULL, 'C'},
                                       {"xlsx", required_argument, NULL, 'X'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  const char *motivo = NULL, *sub, *csv = NULL, *xlsx = NULL;
  fat_achados_filtro f;
  int64_t guia_id = 0, id, *ids = NULL;
  size_t n = 0;
  char *end;
  int c, filtros = 0, resumo = 0, todos = 0, rc;

  if (cli_wants_help(argc, argv)) {
    help();
    return CLI_OK;
  }
  memset(&f, 0, sizeof f);
  optind = 1;
  opterr = 0;
  for (c = getopt_long(argc, argv, "h", opts, NULL); c != -1;
       c = getopt_long(argc, argv, "h", opts, NULL)) {
    switch (c) {
    case 'g':
      guia_id = strtoll(optarg, &end, 10);
      if (end == optarg || *end != '\0' || guia_id <= 0)
        return cli_usage_error("achado", "--guia espera o id numérico da guia");
      break;
    case 'm': motivo = optarg; break;
    case 'o': f.operadora = optarg; filtros = 1; break;
    case 'c': f.codigo = optarg; filtros = 1; break;
    case 's': f.severidade = optarg; filtros = 1; break;
    case 'k': f.competencia = optarg; filtros = 1; break;
    case 'p': f.profissional = optarg; filtros = 1; break;
    case 'r': f.reconhecidos = 1; filtros = 1; break;
    case 'e': f.reconhecidos = 2; filtros = 1; break;
    case 'R': resumo = 1; filtros = 1; break;
    case 't': todos = 1; break;
    case 'C': csv = optarg; filtros = 1; break;
    case 'X': xlsx = optarg; filtros = 1; break;
    case 'h': help(); return CLI_OK;
    default: return cli_bad_option("achado", argv, opts);
    }
  }
  if (optind >= argc)
    return cli_usage_error("achado", "diga o que fazer: listar ou reconhecer");
  sub = argv[optind];
  if (strcmp(sub, "listar") == 0) {
    if (optind + 1 < argc)
      return cli_usage_error("achado", "argumento inesperado '%s'", argv[optind + 1]);
    if (todos)
      return cli_usage_error("achado", "--todos é do reconhecer");
    if (!filtros)
      return listar(cli, guia_id);
    f.guia_id = guia_id;
    if (guia_id > 0 && f.reconhecidos == 0)
      f.reconhecidos = 2;
    return lista_trabalho(cli, &f, resumo, csv, xlsx);
  }
  if (strcmp(sub, "reconhecer") == 0) {
    if (motivo == NULL || motivo[0] == '\0')
      return cli_usage_error("achado", "informe o motivo: --motivo \"...\"");
    if (resumo || csv != NULL || xlsx != NULL || f.reconhecidos != 0)
      return cli_usage_error("achado", "reconhecer não aceita --resumo, --csv, --xlsx "
                                       "nem --reconhecidos");
    if (todos) {
      if (optind + 1 < argc)
        return cli_usage_error("achado", "--todos não leva ids ('%s')", argv[optind + 1]);
      if (!filtros && guia_id == 0)
        return cli_usage_error("achado", "--todos precisa de ao menos um filtro (--operadora, "
                                         "--codigo, --severidade, --competencia, "
                                         "--profissional ou --guia)");
      f.guia_id = guia_id;
      return reconhecer_lista(cli, &f, motivo);
    }
    if (filtros)
      return cli_usage_error("achado", "filtros só com --todos");
    if (optind + 1 >= argc)
      return cli_usage_error("achado", "informe o id do achado (veja: faturo achado listar)");
    n = (size_t)(argc - optind - 1);
    if (n > FAT_ACHADOS_LOTE_MAX)
      return cli_usage_error("achado", "no máximo %d achados de uma vez", FAT_ACHADOS_LOTE_MAX);
    ids = fat_calloc(n, sizeof *ids);
    if (ids == NULL) {
      fat_err err;

      fat_err_oom(&err);
      return cli_error(&err);
    }
    for (size_t i = 0; i < n; i++) {
      id = strtoll(argv[optind + 1 + (int)i], &end, 10);
      if (end == argv[optind + 1 + (int)i] || *end != '\0' || id <= 0) {
        fat_free(ids);
        return cli_usage_error("achado", "id de achado inválido '%s'",
                               argv[optind + 1 + (int)i]);
      }
      ids[i] = id;
    }
    rc = n == 1 ? reconhecer(cli, ids[0], motivo) : reconhecer_varios(cli, ids, n, motivo);
    fat_free(ids);
    return rc;
  }
  return cli_usage_error("achado", "subcomando desconhecido '%s' (listar ou reconhecer)", sub);
}
