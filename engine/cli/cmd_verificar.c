/* cmd_verificar.c: `faturo verificar` (Part J): faturo's own invariants. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "fat_mem.h"
#include "fat_verificar.h"

#define MAX_NOMES 64

static void help(void)
{
  printf("uso: faturo verificar [--invariante NOME]... [--json]\n"
         "     faturo verificar --listar [--json]\n"
         "\n"
         "Confere, no banco de dados, as invariantes que o próprio faturo promete\n"
         "manter: o total de cada lote é o das suas guias, toda glosa é de uma guia de\n"
         "lote enviado, o glosado não passa do informado, nenhuma guia está em dois\n"
         "lotes, todo achado aponta uma geração de regras existente, o XML de cada\n"
         "lote enviado confere com o seu hash, a auditoria não tem buracos e outras\n"
         "(veja --listar). Só lê o banco: não corrige nada. Use depois de uma queda,\n"
         "de uma restauração de cópia ou de uma edição manual do banco.\n"
         "\n"
         "  --listar           lista as invariantes (nome e o que garantem)\n"
         "  --invariante NOME  confere só esta (pode repetir)\n"
         "  --json             resultado em JSON\n"
         "\n"
         "saída: 0 todas as invariantes valem; 1 alguma foi violada (cada violação é\n"
         "listada com o nome da invariante) ou o banco não pôde ser lido; 2 uso incorreto\n");
}

static int listar(fat_cli *cli)
{
  size_t n, i;
  const fat_verif_check *c = fat_verif_checks(&n);
  cJSON *arr, *o;

  if (!cli->json) {
    for (i = 0; i < n; i++)
      printf("%-28s %s\n", c[i].nome, c[i].descricao);
    return CLI_OK;
  }
  arr = cJSON_CreateArray();
  for (i = 0; arr != NULL && i < n; i++) {
    o = cJSON_CreateObject();
    if (o == NULL || cJSON_AddStringToObject(o, "nome", c[i].nome) == NULL ||
        cJSON_AddStringToObject(o, "descricao", c[i].descricao) == NULL ||
        !cJSON_AddItemToArray(arr, o)) {
      cJSON_Delete(o);
      cJSON_Delete(arr);
      arr = NULL;
    }
  }
  return cli_emit_json(arr);
}

static int known(const char *nome)
{
  size_t n, i;
  const fat_verif_check *c = fat_verif_checks(&n);

  for (i = 0; i < n; i++)
    if (strcmp(c[i].nome, nome) == 0)
      return 1;
  return 0;
}

static void print_text(const fat_cli *cli, const fat_verif_relatorio *rel)
{
  size_t i, k, falhas = 0;

  printf("verificar: %zu invariante(s) em %s\n", rel->n, cli->db_path);
  for (i = 0; i < rel->n; i++) {
    const fat_verif_resultado *r = &rel->r[i];

    if (r->total == 0) {
      printf("  ok     %s\n", r->check->nome);
      continue;
    }
    falhas++;
    printf("  FALHA  %s: %zu violação(ões) de \"%s\"\n", r->check->nome, r->total,
           r->check->descricao);
    for (k = 0; k < r->n; k++) {
      if (r->v[k].id > 0)
        printf("         %s [%s %lld]: %s\n", r->check->nome, r->v[k].objeto,
               (long long)r->v[k].id, r->v[k].detalhe);
      else
        printf("         %s [%s]: %s\n", r->check->nome, r->v[k].objeto, r->v[k].detalhe);
    }
    if (r->total > r->n)
      printf("         %s: e mais %zu violação(ões) não listadas\n", r->check->nome,
             r->total - r->n);
  }
  if (rel->violacoes == 0)
    printf("tudo certo: nenhuma violação\n");
  else
    printf("%zu violação(ões) em %zu de %zu invariante(s)\n", rel->violacoes, falhas, rel->n);
}

int cli_verificar(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    {"listar", no_argument, NULL, 'l'},
    {"invariante", required_argument, NULL, 'i'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
  };
  const char *nomes[MAX_NOMES + 1];
  size_t n_nomes = 0, k;
  fat_verif_relatorio rel;
  fat_store *st;
  fat_err err;
  int c, lista = 0, rc;

  memset(&rel, 0, sizeof rel);
  if (cli_wants_help(argc, argv)) {
    help();
    return CLI_OK;
  }
  optind = 1;
  opterr = 0;
  for (;;) {
    c = getopt_long(argc, argv, "", opts, NULL);
    if (c == -1)
      break;
    if (c == 'l') {
      lista = 1;
    } else if (c == 'i') {
      if (n_nomes >= MAX_NOMES)
        return cli_usage_error("verificar", "invariantes demais (até %d)", MAX_NOMES);
      nomes[n_nomes++] = optarg;
    } else {
      return cli_bad_option("verificar", argv, opts);
    }
  }
  if (optind < argc)
    return cli_usage_error("verificar", "argumento inesperado '%s'", argv[optind]);
  nomes[n_nomes] = NULL;
  for (k = 0; k < n_nomes; k++)
    if (!known(nomes[k]))
      return cli_usage_error("verificar",
                             "invariante '%s' desconhecida (veja: faturo verificar --listar)",
                             nomes[k]);
  if (lista)
    return listar(cli);
  st = cli_store(cli); /* a missing file is refused there, never created */
  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  if (fat_verificar(st, n_nomes > 0 ? nomes : NULL, &rel, &err) != FAT_OK) {
    fat_verif_relatorio_fini(&rel);
    return err.rc == FAT_EINVAL ? cli_usage_error("verificar", "%s", err.msg) : cli_error(&err);
  }
  if (cli->json) {
    rc = cli_emit_json(fat_verif_relatorio_json(&rel));
  } else {
    print_text(cli, &rel);
    rc = CLI_OK;
  }
  if (rc == CLI_OK && rel.violacoes > 0)
    rc = CLI_FAIL;
  fat_verif_relatorio_fini(&rel);
  return rc;
}
