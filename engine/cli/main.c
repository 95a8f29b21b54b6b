/* main.c: `faturo` entry point: global options, verb dispatch, shared helpers. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <sys/stat.h>

#include <libxml/parser.h>

#include "cli.h"
#include "fat_auth.h"
#include "fat_lgpd.h"
#include "fat_dia.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_paths.h"

/* Verbs in the order `faturo --help` lists them. Each part adds its lines in
** its own section. */
static const fat_cli_verb verbs[] = {
  /* Part A: base */
  {"init", "cria (ou atualiza) o banco de dados", cli_init},
  {"importar", "importa guias de arquivo JSON ou CSV", cli_importar},
  {"exportar", "exporta guias em JSON ou CSV", cli_exportar},
  {"guia", "mostra, corrige, cancela, digita, anexa e imprime guias", cli_guia},
  {"cadastro", "cadastra prestador, operadoras e planos", cli_cadastro},
  {"demo", "cria uma clínica de demonstração e roda o ciclo completo", cli_demo},
  /* Part B: regras */
  {"regras", "scripts de regras das operadoras: listar, testar, versões, recarregar", cli_regras},
  /* Part C: conferir */
  {"conferir", "confere as guias antes do envio (regras, preços, duplicidades, prazos)", cli_conferir},
  {"achado", "lista e reconhece achados da conferência", cli_achado},
  {"auditoria", "agenda da clínica contra as guias; registro de acessos a dados de pacientes", cli_auditoria},
  /* Part D: preços e tabelas */
  {"tabelas", "importa e lista tabelas TUSS, CBHPM, Brasíndice, Simpro, negociadas, glosas", cli_tabelas},
  {"preco", "mostra o preço de um item pelo contrato, passo a passo (ou --todos)", cli_preco},
  /* Part E: lotes */
  {"lote", "fecha lotes TISS; envio, protocolo, mapa, relação, papéis e impressão", cli_lote},
  /* Part F: retorno, glosas, recursos */
  {"retorno", "importa protocolos e demonstrativos da operadora (e simula um retorno)", cli_retorno},
  {"glosa", "registra, classifica, lista e resume glosas", cli_glosa},
  {"recurso", "recursos de glosa: rascunho, XML TISS, relatório, resposta", cli_recurso},
  /* Part J: verificar */
  {"verificar", "confere as invariantes do faturo no banco (totais, glosas, hashes, auditoria)",
   cli_verificar},
  /* Part I: servidor e usuários */
  {"servidor", "serve o painel web e a API JSON", cli_servidor},
  {"usuario", "cria, lista e desbloqueia usuários do painel web; troca senhas", cli_usuario},
  /* Part G: financeiro */
  {"fatura", "faturas por operadora e competência, nota fiscal, mapa de faturas", cli_fatura},
  {"recebimento", "baixa de recebimentos (à mão, demonstrativo, recurso)", cli_recebimento},
  {"conciliacao", "extrato OFX/CNAB, conciliação de créditos com faturas", cli_conciliacao},
  {"particular", "atendimentos particulares, pagamentos, recibos, NFS-e", cli_particular},
  {"caixa", "caixa diário do usuário: abertura, sangria, fechamento", cli_caixa},
  {"repasse", "repasse médico sobre o recebido: calcular, extrato, fechar", cli_repasse},
  /* Part K: relatórios */
  {"relatorio", "o painel e as listagens (guias, lotes, glosas, retornos, recursos)", cli_relatorio},
  /* Part N: LGPD, cópias de segurança */
  {"titular", "direitos do paciente (LGPD): exportar os dados, anonimizar, prazo de guarda", cli_titular},
  {"backup", "cópia consistente do banco, opcionalmente cifrada (com o servidor no ar)", cli_backup},
  {"restaurar", "confere uma cópia e só então substitui o banco por ela", cli_restaurar},
  {NULL, NULL, NULL}
};

static void usage(FILE *f)
{
  int i;

  fprintf(f,
          "uso: faturo [opções] <verbo> [argumentos]\n"
          "\n"
          "faturo cuida do faturamento de convênios da clínica: importa guias, confere\n"
          "contra o contrato de cada operadora, precifica, fecha lotes TISS, importa o\n"
          "retorno e prepara recursos de glosa.\n"
          "\n"
          "verbos:\n");
  for (i = 0; verbs[i].name != NULL; i++)
    fprintf(f, "  %-12s %s\n", verbs[i].name, verbs[i].summary);
  fprintf(f,
          "\n"
          "opções (em qualquer posição):\n"
          "  --db CAMINHO     banco de dados (padrão: $FATURO_DB ou ./faturo.db)\n"
          "  --regras DIR     pasta de regras com operators/ e scripts/ (padrão: $FATURO_REGRAS,\n"
          "                   ou rules/ da pasta de dados: $FATURO_HOME ou a instalação)\n"
          "  --xsd DIR        pasta com os XSD TISS 4.01.00 (padrão: $FATURO_XSD_DIR, ou\n"
          "                   schemas/tiss/4.01.00 da pasta de dados)\n"
          "  --usuario NOME   usuário registrado na auditoria (padrão: $USER)\n"
          "  --json           saída em JSON onde o verbo imprime dados\n"
          "  -h, --help       ajuda (também: faturo <verbo> --help)\n"
          "\n"
          "saída: 0 ok, 1 achados ou recusa, 2 uso incorreto, 3 banco de dados ocupado\n"
          "por outro processo (tente de novo em instantes)\n");
}

/* Set by cli_error when it reports a busy/locked database: main() then
** exits with CLI_OCUPADO whatever the verb returned. */
static int saw_busy;

static fat_store *store_get(fat_cli *cli, int create)
{
  fat_err err;
  fat_rc rc;

  if (cli->st != NULL)
    return cli->st;
  fat_err_clear(&err);
  rc = create ? fat_store_create(cli->db_path, &cli->st, &err)
              : fat_store_open(cli->db_path, &cli->st, &err);
  if (rc != FAT_OK) {
    cli_error(&err);
    return NULL;
  }
  if (fat_store_set_user(cli->st, cli->usuario, &err) != FAT_OK) {
    cli_error(&err);
    fat_store_close(cli->st);
    cli->st = NULL;
    return NULL;
  }
  return cli->st;
}

fat_store *cli_store(fat_cli *cli) { return store_get(cli, 0); }

fat_store *cli_store_create(fat_cli *cli) { return store_get(cli, 1); }

fat_leitor *cli_leitor(fat_cli *cli, const char *acao, fat_leitor *l)
{
  fat_store *st = cli_store(cli);
  fat_err err;
  int64_t id = 0;

  memset(l, 0, sizeof *l);
  if (st == NULL)
    return NULL;
  l->usuario = cli->usuario;
  l->canal = "cli";
  l->acao = acao;
  fat_err_clear(&err);
  if (fat_usuario_id(st, cli->usuario, &id, &err) != FAT_OK) {
    if (err.rc != FAT_ENOTFOUND && err.rc != FAT_EINVAL) {
      cli_error(&err);
      return NULL;
    }
    l->operador = 1; /* not a panel user: whoever runs faturo on this machine */
    return l;
  }
  if (fat_usuario_papel_de(st, id, NULL, &l->papel, &err) != FAT_OK)
    l->papel = FAT_PAPEL_FATURISTA; /* deactivated: the least the panel shows */
  return l;
}

int cli_error(const fat_err *err)
{
  fprintf(stderr, "faturo: %s\n", err->msg[0] != '\0' ? err->msg : fat_rc_str(err->rc));
  if (err->rc == FAT_EBUSY) {
    saw_busy = 1;
    return CLI_OCUPADO;
  }
  return CLI_FAIL;
}

int cli_usage_error(const char *verb, const char *fmt, ...)
{
  va_list ap;

  fprintf(stderr, "faturo %s: ", verb);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\n(veja: faturo %s --help)\n", verb);
  return CLI_USAGE;
}

int cli_error_oom(void)
{
  fat_err err;

  fat_err_oom(&err);
  return cli_error(&err);
}

int cli_print_json(const cJSON *o)
{
  char *txt = o != NULL ? cJSON_PrintUnformatted(o) : NULL;

  if (txt == NULL)
    return cli_error_oom();
  printf("%s\n", txt);
  cJSON_free(txt);
  return CLI_OK;
}

int cli_emit_json(cJSON *o)
{
  int rc = cli_print_json(o);

  cJSON_Delete(o);
  return rc;
}

const char *cli_jstr(const cJSON *o, const char *k, const char *ausente)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

  return cJSON_IsString(v) ? v->valuestring : ausente;
}

double cli_jnum(const cJSON *o, const char *k)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

  return cJSON_IsNumber(v) ? v->valuedouble : 0.0;
}

int64_t cli_jint(const cJSON *o, const char *k) { return (int64_t)cli_jnum(o, k); }

int cli_bad_option(const char *verb, char **argv, const struct option *opts)
{
  const char *tok = optind > 0 ? argv[optind - 1] : NULL;
  const struct option *o;
  size_t n;

  if (tok != NULL && strncmp(tok, "--", 2) == 0) {
    n = strcspn(tok + 2, "=");
    for (o = opts; optopt != 0 && o != NULL && o->name != NULL; o++)
      if (o->val == optopt && o->flag == NULL && o->has_arg == required_argument &&
          strlen(o->name) == n && strncmp(o->name, tok + 2, n) == 0)
        return cli_usage_error(verb, "a opção --%s precisa de um valor", o->name);
    return cli_usage_error(verb, "opção desconhecida '%.*s'", (int)(n + 2), tok);
  }
  if (optopt != 0 && optopt != '?')
    return cli_usage_error(verb, "opção desconhecida '-%c'", optopt);
  return cli_usage_error(verb, "opção desconhecida '%s'", tok != NULL ? tok : "?");
}

int cli_sem_opcoes(const char *verb, int argc, char **argv, const char *const *aceitas)
{
  const char *const *a;
  int i;

  for (i = 1; i < argc; i++) {
    if (argv[i][0] != '-' || argv[i][1] == '\0')
      continue; /* a value, or "-" (standard input/output) */
    for (a = aceitas; a != NULL && *a != NULL && strcmp(*a, argv[i]) != 0; a++)
      ;
    if (a == NULL || *a == NULL)
      return cli_usage_error(verb, "opção desconhecida '%s'", argv[i]);
  }
  return CLI_OK;
}

/* 1..16 from text, else 0. */
int cli_threads_parse(const char *s)
{
  char *end;
  long v = strtol(s, &end, 10);

  return (end == s || *end != '\0' || v < 1 || v > 16) ? 0 : (int)v;
}

/* $FAT_THREADS when valid, else the number of cores (at most 16). */
int cli_threads_padrao(void)
{
  const char *e = getenv("FAT_THREADS");
  long n;

  if (e != NULL && cli_threads_parse(e) > 0)
    return cli_threads_parse(e);
  n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1 : n > 16 ? 16 : (int)n;
}

int cli_wants_help(int argc, char **argv)
{
  int i;

  for (i = 1; i < argc; i++)
    if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
      return 1;
  return 0;
}

int cli_norm_data(char *s)
{
  char iso[FAT_DIA_ISO_LEN];

  if (s == NULL || fat_dia_ler(s, NULL, iso, NULL) != FAT_OK)
    return -1;
  memcpy(s, iso, sizeof iso); /* the user's text had at least 10 characters */
  return 0;
}

int cli_norm_competencia(char *s)
{
  char iso[FAT_DIA_COMP_LEN];

  if (s == NULL || fat_dia_competencia_ler(s, iso, NULL) != FAT_OK)
    return -1;
  memcpy(s, iso, sizeof iso); /* the user's text had at least 7 characters */
  return 0;
}

int cli_arg_data(const char *verb, const char *opcao, const char **arg,
                 char iso[FAT_DIA_ISO_LEN])
{
  fat_err err;

  if (*arg == NULL)
    return CLI_OK;
  if (fat_dia_ler(*arg, NULL, iso, &err) != FAT_OK)
    return cli_usage_error(verb, "%s: %s", opcao, err.msg);
  *arg = iso;
  return CLI_OK;
}

int cli_arg_competencia(const char *verb, const char *opcao, const char **arg,
                        char iso[FAT_DIA_COMP_LEN])
{
  fat_err err;

  if (*arg == NULL)
    return CLI_OK;
  if (fat_dia_competencia_ler(*arg, iso, &err) != FAT_OK)
    return cli_usage_error(verb, "%s: %s", opcao, err.msg);
  *arg = iso;
  return CLI_OK;
}

/* Remove the global options from argv (wherever they are); returns the new argc
** or -1 after printing a usage error. */
static int take_global_options(fat_cli *cli, int argc, char **argv)
{
  static const char *const with_arg[] = {"--db", "--regras", "--xsd", "--usuario", NULL};
  const char **slots[4];
  int i, j, k, out = 1;
  size_t n;

  slots[0] = &cli->db_path;
  slots[1] = &cli->regras_dir;
  slots[2] = &cli->xsd_dir;
  slots[3] = &cli->usuario;
  for (i = 1; i < argc; i++) {
    int taken = 0;

    if (strcmp(argv[i], "--") == 0) {
      while (i < argc)
        argv[out++] = argv[i++];
      break;
    }
    if (strcmp(argv[i], "--json") == 0) {
      cli->json = 1;
      continue;
    }
    for (k = 0; with_arg[k] != NULL; k++) {
      n = strlen(with_arg[k]);
      if (strcmp(argv[i], with_arg[k]) == 0) {
        if (i + 1 >= argc) {
          fprintf(stderr, "faturo: a opção %s precisa de um valor\n", with_arg[k]);
          return -1;
        }
        *slots[k] = argv[++i];
        taken = 1;
      } else if (strncmp(argv[i], with_arg[k], n) == 0 && argv[i][n] == '=') {
        *slots[k] = argv[i] + n + 1;
        taken = 1;
      }
      if (taken) {
        if (slots[k] == &cli->usuario)
          cli->usuario_informado = 1;
        break;
      }
    }
    if (!taken)
      argv[out++] = argv[i];
  }
  for (j = out; j < argc; j++)
    argv[j] = NULL;
  return out;
}

static const char *env_or(const char *name, const char *fallback)
{
  const char *v = getenv(name);

  return (v != NULL && v[0] != '\0') ? v : fallback;
}

int main(int argc, char **argv)
{
  fat_cli cli;
  char *default_regras = NULL;
  int i, rc;

  /* the database, the pid file and every export hold CPF, CID and names:
  ** everything this process creates is 0600 */
  fat_lgpd_arquivos_privados();
  /* getopt's own messages are English: verbs report through cli_bad_option */
  opterr = 0;
  memset(&cli, 0, sizeof cli);
  cli.db_path = env_or("FATURO_DB", "faturo.db");
  cli.regras_dir = env_or("FATURO_REGRAS", NULL);
  cli.xsd_dir = env_or("FATURO_XSD_DIR", NULL);
  cli.usuario = env_or("USER", "cli");
  argc = take_global_options(&cli, argc, argv);
  if (argc < 0)
    return CLI_USAGE;
  if (argc < 2) {
    usage(stderr);
    return CLI_USAGE;
  }
  if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
      strcmp(argv[1], "ajuda") == 0) {
    usage(stdout);
    return CLI_OK;
  }
  if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "versao") == 0) {
    printf("faturo %s\n", FAT_VERSION);
    return CLI_OK;
  }
  for (i = 0; verbs[i].name != NULL; i++) {
    if (strcmp(argv[1], verbs[i].name) == 0) {
      if (cli.regras_dir == NULL) { /* NULL when not found: the verbs say how */
        default_regras = fat_paths_data("rules");
        cli.regras_dir = default_regras;
      }
      if (cli.xsd_dir == NULL)
        cli.xsd_dir = fat_paths_xsd_dir();
      xmlInitParser();
      rc = verbs[i].fn(&cli, argc - 1, argv + 1);
      fat_store_close(cli.st);
      xmlCleanupParser();
      fat_free(default_regras);
      return saw_busy ? CLI_OCUPADO : rc;
    }
  }
  fprintf(stderr, "faturo: verbo desconhecido '%s' (veja: faturo --help)\n", argv[1]);
  return CLI_USAGE;
}
