/* cmd_regras.c: `faturo regras` — operator rule scripts: list, test, versions,
** reload, revert, show the contract. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "fat_mem.h"
#include "fat_pidfile.h"
#include "fat_rules.h"

static void help(void)
{
  printf("uso: faturo regras <ação> [argumentos]\n"
         "\n"
         "Scripts de regras das operadoras (pasta --regras, padrão $FATURO_REGRAS ou\n"
         "rules/ da pasta de dados, $FATURO_HOME ou a instalação: operators/<chave>.lua\n"
         "e, opcionalmente, scripts/; módulos ausentes vêm da pasta de dados).\n"
         "\n"
         "ações:\n"
         "  listar                 operadoras, registro ANS, SHA-256, geração, periodicidade\n"
         "  testar [OPERADORA]     roda os autotestes dos scripts (saída 1 se algum falhar)\n"
         "  versoes                gerações publicadas: quem, quando, motivo, ativa\n"
         "  recarregar             recompila a pasta, roda os autotestes e publica uma nova\n"
         "                         geração; se um faturo servidor estiver rodando sobre o\n"
         "                         banco (faturo-servidor.pid travado por ele), o avisa\n"
         "                         (SIGHUP); um pid file abandonado é ignorado\n"
         "  reverter VERSAO [--forcar]\n"
         "                         volta os scripts da pasta ao conteúdo da versão VERSAO\n"
         "                         (só se compilar e passar nos autotestes) e a publica;\n"
         "                         recusa se a pasta tem alterações não publicadas, a não\n"
         "                         ser com --forcar (guarda cópia .antes-da-reversao-...)\n"
         "  mostrar OPERADORA      o contrato declarado pelo script, em JSON\n"
         "  simular OPERADORA --script ARQ.lua [--desde AAAA-MM-DD]\n"
         "                         roda um rascunho sobre as guias passadas e compara com as\n"
         "                         glosas recebidas (glosas evitadas, alarmes falsos)\n"
         "  simular OPERADORA --script PROPOSTA.lua --precos [--desde AAAA-MM] [--ate AAAA-MM]\n"
         "                         precifica a produção real pela proposta e pelo contrato\n"
         "                         atual: diferença de receita por grupo de procedimento\n"
         "\n"
         "opções: --json (listar, testar, versoes, recarregar, reverter), --db, --regras\n"
         "saída: 0 ok, 1 erro ou teste falhou, 2 uso incorreto\n"
         "documentação para quem escreve regras: docs/regras.md\n");
}

static int db_exists(const fat_cli *cli)
{
  return access(cli->db_path, F_OK) == 0;
}

static int build_gen(fat_cli *cli, fat_gen **g)
{
  fat_err err;

  fat_err_clear(&err);
  if (fat_gen_build(cli->regras_dir, NULL, NULL, NULL, g, &err) != FAT_OK) {
    if (cli->regras_dir != NULL)
      fprintf(stderr, "faturo regras: não foi possível compilar as regras de %s\n",
              cli->regras_dir);
    return cli_error(&err);
  }
  return CLI_OK;
}

/* One operator of `regras listar` (the typed contract, plus the display
** view for the number of checks and tests). */
static cJSON *listar_op(fat_gen *g, const char *key)
{
  const fat_contrato *c = fat_gen_contrato(g, key);
  static const char *const per[] = {"mensal", "quinzenal", "semanal", "calendario"};
  cJSON *o = cJSON_CreateObject(), *d = NULL;

  if (o == NULL || c == NULL)
    return o;
  if (fat_gen_contract(g, key, &d, NULL) != FAT_OK) /* display only: counts may be 0 */
    d = NULL;
  cJSON_AddStringToObject(o, "chave", key);
  cJSON_AddStringToObject(o, "registro_ans", c->registro_ans);
  cJSON_AddStringToObject(o, "nome", c->nome);
  cJSON_AddStringToObject(o, "sha256", fat_gen_sha256(g, key));
  cJSON_AddStringToObject(o, "periodicidade", per[c->lote.periodicidade]);
  cJSON_AddNumberToObject(o, "checks",
                          cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(d, "checks")));
  cJSON_AddNumberToObject(o, "testes",
                          cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(d, "testes")));
  cJSON_Delete(d);
  return o;
}

static int cmd_listar(fat_cli *cli)
{
  fat_gen *g = NULL;
  fat_err err;
  int64_t active = 0;
  char hash[65] = "";
  cJSON *out = NULL, *arr = NULL, *c;
  size_t i;
  int rc = build_gen(cli, &g);

  fat_err_clear(&err);
  if (rc == CLI_OK && db_exists(cli)) {
    fat_store *st = cli_store(cli);

    if (st == NULL)
      rc = CLI_FAIL;
    else if (fat_rules_active(st, &active, hash, &err) != FAT_OK)
      rc = cli_error(&err);
  }
  if (rc != CLI_OK)
    goto out;
  out = cJSON_CreateObject();
  arr = cJSON_AddArrayToObject(out, "operadoras");
  if (arr == NULL) {
    fat_err_oom(&err);
    rc = cli_error(&err);
    goto out;
  }
  cJSON_AddStringToObject(out, "pasta", cli->regras_dir);
  cJSON_AddStringToObject(out, "hash", fat_gen_hash(g));
  if (active > 0 && strcmp(hash, fat_gen_hash(g)) == 0)
    cJSON_AddNumberToObject(out, "geracao", (double)active);
  else
    cJSON_AddNullToObject(out, "geracao");
  cJSON_AddNumberToObject(out, "geracao_ativa", (double)active);
  for (i = 0; i < fat_gen_count(g); i++)
    cJSON_AddItemToArray(arr, listar_op(g, fat_gen_key(g, i)));
  if (cli->json) {
    rc = cli_print_json(out);
    goto out;
  }
  printf("%-12s %-8s %-14s %-13s %-30s\n", "operadora", "ANS", "sha256", "periodicidade",
         "nome");
  cJSON_ArrayForEach(c, arr)
  {
    printf("%-12s %-8s %.12s   %-13s %s\n", cli_jstr(c, "chave", ""),
           cli_jstr(c, "registro_ans", ""), cli_jstr(c, "sha256", ""),
           cli_jstr(c, "periodicidade", ""), cli_jstr(c, "nome", ""));
  }
  if (active > 0 && strcmp(hash, fat_gen_hash(g)) == 0)
    printf("\ngeração %lld (ativa) — pasta %s\n", (long long)active, cli->regras_dir);
  else if (active > 0)
    printf("\na pasta %s difere da geração ativa %lld: rode 'faturo regras recarregar'\n",
           cli->regras_dir, (long long)active);
  else
    printf("\nnenhuma geração publicada no banco: rode 'faturo regras recarregar'\n");
out:
  cJSON_Delete(out);
  fat_gen_release(g);
  return rc;
}

static int cmd_testar(fat_cli *cli, const char *key)
{
  fat_gen *g = NULL;
  fat_err err;
  cJSON *rep = NULL, *t;
  fat_rc frc = FAT_OK;
  int n = 0, nf = 0;
  int rc = build_gen(cli, &g);

  fat_err_clear(&err);
  if (rc == CLI_OK) {
    frc = fat_gen_selftest(g, key, &rep, &err);
    if (rep == NULL)
      rc = cli_error(&err);
  }
  if (rc != CLI_OK)
    goto out;
  if (cli->json) {
    rc = cli_print_json(rep);
  } else {
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(rep, "testes"))
    {
      int ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "ok"));

      n++;
      nf += !ok;
      printf("%-7s %-10s %s\n", ok ? "ok" : "FALHOU", cli_jstr(t, "operadora", ""),
             cli_jstr(t, "nome", ""));
      if (!ok)
        printf("        %s\n", cli_jstr(t, "erro", ""));
    }
    printf("\n%d teste(s), %d falha(s)\n", n, nf);
  }
  if (rc == CLI_OK && frc != FAT_OK)
    rc = CLI_FAIL;
out:
  cJSON_Delete(rep);
  fat_gen_release(g);
  return rc;
}

static int cmd_versoes(fat_cli *cli)
{
  fat_store *st = cli_store(cli);
  fat_err err;
  cJSON *arr = NULL, *v;

  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  if (fat_rules_versions(st, &arr, &err) != FAT_OK)
    return cli_error(&err);
  if (cli->json) {
    return cli_emit_json(arr);
  }
  if (cJSON_GetArraySize(arr) == 0) {
    printf("nenhuma geração publicada (rode 'faturo regras recarregar')\n");
  } else {
    printf("%-6s %-6s %-21s %-12s %-8s %s\n", "versão", "ativa", "quando", "quem", "scripts",
           "motivo");
    cJSON_ArrayForEach(v, arr)
    {
      printf("%-6lld %-6s %-21s %-12s %-8d %s\n",
             (long long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(v, "id")),
             cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "ativa")) ? "*" : "",
             cli_jstr(v, "criado_em", ""), cli_jstr(v, "usuario", ""),
             (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(v, "n_scripts")),
             cli_jstr(v, "motivo", ""));
    }
  }
  cJSON_Delete(arr);
  return CLI_OK;
}

/* Tell a running server (the one holding the pid file next to the
** database) to reload. */
static void notify_server(fat_cli *cli, cJSON *out)
{
  fat_err err;
  long pid = 0;
  char *path = fat_pidfile_path(cli->db_path);
  fat_rc rc;

  fat_err_clear(&err);
  rc = path != NULL ? fat_pidfile_signal(path, SIGHUP, &pid, &err) : fat_err_oom(&err);
  fat_free(path);
  if (rc != FAT_OK) {
    fprintf(stderr, "faturo regras: aviso: %s\n", err.msg);
    cJSON_AddStringToObject(out, "servidor", err.msg);
    return;
  }
  cJSON_AddBoolToObject(out, "servidor_avisado", pid > 0);
  if (pid > 0 && !cli->json)
    printf("servidor avisado (SIGHUP, pid %ld): ele recarrega as regras da pasta\n", pid);
}

static int cmd_recarregar(fat_cli *cli, int argc, char **argv)
{
  fat_store *st;
  fat_gen *g = NULL;
  fat_err err;
  cJSON *out = NULL;
  cJSON *rep = NULL;
  int64_t before = 0;
  int rc = CLI_OK;

  if (argc > 1)
    return cli_usage_error("regras recarregar", "argumento inesperado '%s'", argv[1]);
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  if (fat_rules_active(st, &before, NULL, &err) != FAT_OK)
    return cli_error(&err);
  if (fat_gen_build(cli->regras_dir, NULL, NULL, NULL, &g, &err) != FAT_OK ||
      fat_gen_selftest(g, NULL, &rep, &err) != FAT_OK) {
    fprintf(stderr, "faturo regras: recarga recusada (geração ativa continua valendo):\n");
    rc = cli_error(&err);
    goto out;
  }
  if (fat_gen_record(g, st, "recarga", &err) != FAT_OK) {
    rc = cli_error(&err);
    goto out;
  }
  out = cJSON_CreateObject();
  if (out == NULL) {
    fat_err_oom(&err);
    rc = cli_error(&err);
    goto out;
  }
  cJSON_AddNumberToObject(out, "geracao", (double)fat_gen_id(g));
  cJSON_AddBoolToObject(out, "nova", fat_gen_id(g) != before);
  cJSON_AddNumberToObject(out, "scripts", (double)fat_gen_count(g));
  if (!cli->json) {
    if (fat_gen_id(g) != before)
      printf("geração %lld publicada (%zu scripts, %zu módulos)\n", (long long)fat_gen_id(g),
             fat_gen_count(g), fat_gen_module_count(g));
    else
      printf("sem mudanças: a geração %lld continua ativa\n", (long long)fat_gen_id(g));
  }
  notify_server(cli, out);
  if (cli->json)
    rc = cli_print_json(out);
out:
  cJSON_Delete(out);
  cJSON_Delete(rep);
  fat_gen_release(g);
  return rc;
}

static int cmd_reverter(fat_cli *cli, const char *arg, unsigned flags)
{
  fat_store *st;
  fat_err err;
  int64_t version, new_id = 0;
  char *end;
  cJSON *out;

  version = strtoll(arg, &end, 10);
  if (*arg == '\0' || *end != '\0' || version <= 0)
    return cli_usage_error("regras reverter", "VERSAO deve ser o número da versão ('%s')", arg);
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  if (cli->regras_dir == NULL) {
    fat_err_set(&err, FAT_EINVAL, "pasta de regras não encontrada: informe --regras DIR ou "
                                  "defina FATURO_REGRAS ou FATURO_HOME");
    return cli_error(&err);
  }
  if (fat_rules_revert(cli->regras_dir, st, version, NULL, flags, &new_id, &err) != FAT_OK) {
    fprintf(stderr, "faturo regras: reversão recusada (nada foi alterado na geração ativa)\n");
    return cli_error(&err);
  }
  out = cJSON_CreateObject();
  if (out == NULL) {
    fat_err_oom(&err);
    return cli_error(&err);
  }
  cJSON_AddNumberToObject(out, "revertida", (double)version);
  cJSON_AddNumberToObject(out, "geracao", (double)new_id);
  if (!cli->json)
    printf("pasta %s voltou à versão %lld; publicada como geração %lld\n", cli->regras_dir,
           (long long)version, (long long)new_id);
  notify_server(cli, out);
  if (cli->json)
    return cli_emit_json(out);
  cJSON_Delete(out);
  return CLI_OK;
}

static int cmd_mostrar(fat_cli *cli, const char *key)
{
  fat_gen *g = NULL;
  fat_err err;
  cJSON *c = NULL;
  int rc = build_gen(cli, &g);

  fat_err_clear(&err);
  if (rc == CLI_OK && fat_gen_contract(g, key, &c, &err) != FAT_OK)
    rc = cli_error(&err);
  if (rc == CLI_OK && cli->json) {
    rc = cli_print_json(c);
  } else if (rc == CLI_OK) {
    char *txt = cJSON_Print(c); /* for reading: indented */

    if (txt != NULL)
      printf("%s\n", txt);
    cJSON_free(txt);
  }
  cJSON_Delete(c);
  fat_gen_release(g);
  return rc;
}

int cli_regras(fat_cli *cli, int argc, char **argv)
{
  static const char *const forcar[] = {"--forcar", NULL};
  const char *acao;

  if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
    help();
    return argc < 2 ? CLI_USAGE : CLI_OK;
  }
  acao = argv[1];
  if (strcmp(acao, "simular") == 0) /* Part F: draft script against past glosas */
    return cli_regras_simular(cli, argc - 1, argv + 1);
  if (cli_wants_help(argc, argv)) {
    help();
    return CLI_OK;
  }
  if (cli_sem_opcoes("regras", argc, argv, strcmp(acao, "reverter") == 0 ? forcar : NULL) !=
      CLI_OK)
    return CLI_USAGE;
  if (strcmp(acao, "listar") == 0) {
    if (argc > 2)
      return cli_usage_error("regras listar", "argumento inesperado '%s'", argv[2]);
    return cmd_listar(cli);
  }
  if (strcmp(acao, "testar") == 0) {
    if (argc > 3)
      return cli_usage_error("regras testar", "argumento inesperado '%s'", argv[3]);
    return cmd_testar(cli, argc == 3 ? argv[2] : NULL);
  }
  if (strcmp(acao, "versoes") == 0 || strcmp(acao, "versões") == 0) {
    if (argc > 2)
      return cli_usage_error("regras versoes", "argumento inesperado '%s'", argv[2]);
    return cmd_versoes(cli);
  }
  if (strcmp(acao, "recarregar") == 0)
    return cmd_recarregar(cli, argc - 1, argv + 1);
  if (strcmp(acao, "reverter") == 0) {
    unsigned flags = 0;

    if (argc == 4 && strcmp(argv[3], "--forcar") == 0)
      flags = FAT_RULES_REVERTER_FORCAR;
    else if (argc != 3)
      return cli_usage_error("regras reverter",
                             "informe a VERSAO (veja: faturo regras versoes) e, se quiser, --forcar");
    return cmd_reverter(cli, argv[2], flags);
  }
  if (strcmp(acao, "mostrar") == 0) {
    if (argc != 3)
      return cli_usage_error("regras mostrar", "informe a OPERADORA (veja: faturo regras listar)");
    return cmd_mostrar(cli, argv[2]);
  }
  return cli_usage_error("regras", "ação desconhecida '%s'", acao);
}
