/* cmd_usuario.c: `faturo usuario criar|listar|senha|redefinir|desativar|
** reativar|papel|sessoes|encerrar|totp|desbloquear` (users of the web panel). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "fat_dia.h"
#include "cli.h"
#include "fat_auth.h"
#include "fat_mem.h"

#define SENHA_LINHA_MAX 1100

static void usuario_help(void)
{
  printf("uso: faturo usuario criar NOME --papel faturista|supervisor|admin\n"
         "                           [--senha-arquivo ARQUIVO]\n"
         "     faturo usuario listar [--json]\n"
         "     faturo usuario senha NOME [--senha-arquivo ARQUIVO]\n"
         "     faturo usuario redefinir NOME\n"
         "     faturo usuario desativar NOME\n"
         "     faturo usuario reativar NOME\n"
         "     faturo usuario papel NOME --papel faturista|supervisor|admin\n"
         "     faturo usuario sessoes [NOME] [--json]\n"
         "     faturo usuario encerrar NOME [--sessao ID]\n"
         "     faturo usuario totp remover NOME\n"
         "     faturo usuario desbloquear NOME [--ip ENDERECO]\n"
         "\n"
         "Gerencia os usuários do painel web (faturo servidor). Veja docs/lgpd.md.\n"
         "\n"
         "  criar        cria um usuário. A senha vem da primeira linha de ARQUIVO ou,\n"
         "               sem --senha-arquivo, da entrada padrão (no terminal ela é pedida\n"
         "               sem eco). Política: pelo menos %d caracteres, diferente do nome,\n"
         "               fora da lista de senhas mais usadas. Guardada com argon2id.\n"
         "  listar       mostra nome, papel, situação, segundo fator e sessões abertas.\n"
         "  senha        define a senha (lida como em criar), encerra as sessões abertas\n"
         "               do usuário e libera o login dele; o segundo fator é removido.\n"
         "  redefinir    gera uma senha provisória (mostrada uma vez) que o usuário troca\n"
         "               no primeiro login; encerra as sessões e remove o segundo fator.\n"
         "  desativar    impede o login e encerra na hora as sessões abertas. O último\n"
         "               administrador ativo não pode ser desativado.\n"
         "  reativar     permite o login de novo.\n"
         "  papel        troca o papel (vale na próxima requisição). O último\n"
         "               administrador ativo não pode deixar de ser admin.\n"
         "  sessoes      lista as sessões abertas (de todos, ou de NOME).\n"
         "  encerrar     encerra as sessões de NOME (ou só a sessão ID).\n"
         "  totp remover remove o segundo fator de NOME (celular perdido); ele pode\n"
         "               ativar outro pelo painel.\n"
         "  desbloquear  libera o login bloqueado por tentativas erradas (com --ip,\n"
         "               também o do endereço). É o caminho de volta de um administrador\n"
         "               bloqueado: roda na máquina do banco, sem precisar do painel.\n"
         "\n"
         "Papéis, do menor para o maior: faturista (confere guias, fecha lotes,\n"
         "importa retornos), supervisor (também edita rascunhos de regras e\n"
         "reconhece bloqueios), admin (também publica regras e cuida dos usuários).\n",
         FAT_SENHA_MIN);
}

/* Read the first line of f into buf, without the line break. */
static int read_line(FILE *f, char *buf, size_t len)
{
  size_t n;

  if (fgets(buf, (int)len, f) == NULL)
    return -1;
  n = strlen(buf);
  if (n > 0 && buf[n - 1] != '\n' && !feof(f))
    return -2; /* longer than the buffer */
  while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
    buf[--n] = '\0';
  return 0;
}

static int read_password(const char *file, char *buf, size_t len)
{
  FILE *f;
  int r;

  if (file != NULL) {
    f = fopen(file, "r");
    if (f == NULL) {
      fprintf(stderr, "faturo usuario: não foi possível abrir %s\n", file);
      return -1;
    }
    r = read_line(f, buf, len);
    fclose(f);
  } else if (isatty(STDIN_FILENO)) {
    struct termios old, noecho;
    int restore = tcgetattr(STDIN_FILENO, &old) == 0;

    fprintf(stderr, "senha: ");
    if (restore) {
      noecho = old;
      noecho.c_lflag &= ~(tcflag_t)ECHO;
      tcsetattr(STDIN_FILENO, TCSAFLUSH, &noecho);
    }
    r = read_line(stdin, buf, len);
    if (restore)
      tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    fprintf(stderr, "\n");
  } else {
    r = read_line(stdin, buf, len);
  }
  if (r == -2) {
    fprintf(stderr, "faturo usuario: senha longa demais\n");
    return -1;
  }
  if (r != 0) {
    fprintf(stderr, "faturo usuario: senha não informada\n");
    return -1;
  }
  return 0;
}

static int usuario_criar(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    {"papel", required_argument, NULL, 'p'},
    {"senha-arquivo", required_argument, NULL, 's'},
    {NULL, 0, NULL, 0}
  };
  const char *papel_s = NULL, *arquivo = NULL, *nome;
  char senha[SENHA_LINHA_MAX];
  fat_papel papel;
  fat_store *st;
  fat_err err;
  int64_t id = 0;
  int c, rc;

  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    if (c == 'p')
      papel_s = optarg;
    else if (c == 's')
      arquivo = optarg;
    else
      return cli_bad_option("usuario", argv, opts);
  }
  if (optind != argc - 1)
    return cli_usage_error("usuario", "informe exatamente um NOME de usuário");
  nome = argv[optind];
  if (papel_s == NULL)
    return cli_usage_error("usuario", "informe --papel faturista|supervisor|admin");
  papel = fat_papel_parse(papel_s);
  if (papel == FAT_PAPEL_NENHUM)
    return cli_usage_error("usuario", "papel '%s' desconhecido", papel_s);
  if (read_password(arquivo, senha, sizeof senha) != 0)
    return CLI_FAIL;
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  rc = fat_usuario_criar(st, nome, papel, senha, &id, &err) == FAT_OK ? CLI_OK : CLI_FAIL;
  memset(senha, 0, sizeof senha);
  if (rc != CLI_OK)
    return cli_error(&err);
  if (cli->json)
    printf("{\"id\":%lld,\"nome\":\"%s\",\"papel\":\"%s\"}\n", (long long)id, nome,
           fat_papel_str(papel));
  else
    printf("usuário %s criado (papel %s)\n", nome, fat_papel_str(papel));
  return CLI_OK;
}

static int usuario_senha(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    {"senha-arquivo", required_argument, NULL, 's'},
    {NULL, 0, NULL, 0}
  };
  const char *arquivo = NULL, *nome;
  char senha[SENHA_LINHA_MAX];
  fat_store *st;
  fat_err err;
  int c, rc;

  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    if (c == 's')
      arquivo = optarg;
    else
      return cli_bad_option("usuario", argv, opts);
  }
  if (optind != argc - 1)
    return cli_usage_error("usuario", "informe exatamente um NOME de usuário");
  nome = argv[optind];
  if (read_password(arquivo, senha, sizeof senha) != 0)
    return CLI_FAIL;
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  rc = fat_usuario_senha(st, nome, senha, &err) == FAT_OK ? CLI_OK : CLI_FAIL;
  memset(senha, 0, sizeof senha);
  if (rc != CLI_OK)
    return cli_error(&err);
  if (cli->json)
    printf("{\"nome\":\"%s\",\"senha\":\"trocada\"}\n", nome);
  else
    printf("senha de %s trocada; as sessões abertas foram encerradas\n", nome);
  return CLI_OK;
}

static int usuario_desbloquear(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    {"ip", required_argument, NULL, 'i'},
    {NULL, 0, NULL, 0}
  };
  const char *ip = NULL, *nome;
  fat_store *st;
  fat_err err;
  int c;

  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    if (c == 'i')
      ip = optarg;
    else
      return cli_bad_option("usuario", argv, opts);
  }
  if (optind != argc - 1)
    return cli_usage_error("usuario", "informe exatamente um NOME de usuário");
  nome = argv[optind];
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  if (fat_usuario_desbloquear(st, nome, ip, &err) != FAT_OK)
    return cli_error(&err);
  if (cli->json)
    printf("{\"nome\":\"%s\",\"desbloqueado\":true}\n", nome);
  else if (ip != NULL)
    printf("login de %s liberado (e o do endereço %s)\n", nome, ip);
  else
    printf("login de %s liberado\n", nome);
  return CLI_OK;
}

static int usuario_listar(fat_cli *cli, int argc, char **argv)
{
  fat_store *st;
  fat_err err;
  cJSON *lst = NULL, *u;
  char *s;

  if (cli_sem_opcoes("usuario listar", argc, argv, NULL) != CLI_OK)
    return CLI_USAGE;
  if (argc > 1)
    return cli_usage_error("usuario listar", "argumento inesperado '%s'", argv[1]);
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  if (fat_usuario_listar(st, &lst, &err) != FAT_OK)
    return cli_error(&err);
  if (cli->json) {
    s = cJSON_PrintUnformatted(lst);
    if (s != NULL) {
      printf("%s\n", s);
      cJSON_free(s);
    }
  } else {
    printf("%-24s %-11s %-7s %-13s %-8s %s\n", "NOME", "PAPEL", "ATIVO", "SEGUNDO FATOR",
           "SESSÕES", "CRIADO EM (UTC)");
    cJSON_ArrayForEach(u, lst)
    {
      printf("%-24s %-11s %-7s %-13s %-8lld %s%s\n", cli_jstr(u, "nome", ""),
             cli_jstr(u, "papel", ""),
             cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(u, "ativo")) ? "sim" : "não",
             cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(u, "totp")) ? "sim" : "não",
             (long long)cli_jint(u, "sessoes"), cli_jstr(u, "criado_em", ""),
             cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(u, "troca_senha"))
                 ? "  (senha provisória)"
                 : "");
    }
  }
  cJSON_Delete(lst);
  return CLI_OK;
}

/* The id of user argv[optind] (exactly one name expected). */
static int one_user(fat_cli *cli, int argc, char **argv, fat_store **st, int64_t *id,
                    const char **nome)
{
  fat_err err;

  if (optind != argc - 1) {
    cli_usage_error("usuario", "informe exatamente um NOME de usuário");
    return CLI_USAGE;
  }
  *nome = argv[optind];
  *st = cli_store(cli);
  if (*st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  if (fat_usuario_id(*st, *nome, id, &err) != FAT_OK)
    return cli_error(&err);
  return CLI_OK;
}

/* Subcommands that take NOME and no option. */
static int usuario_simples(fat_cli *cli, const char *acao, int argc, char **argv)
{
  char provisoria[FAT_SENHA_PROVISORIA];
  const char *nome;
  fat_store *st;
  fat_err err;
  int64_t id;
  int rc;

  if (argc > 1 && argv[1][0] == '-' && argv[1][1] != '\0')
    return cli_usage_error("usuario", "opção inválida '%s'", argv[1]);
  optind = 1;
  rc = one_user(cli, argc, argv, &st, &id, &nome);
  if (rc != CLI_OK)
    return rc;
  fat_err_clear(&err);
  if (strcmp(acao, "desativar") == 0) {
    if (fat_usuario_desativar(st, id, &err) != FAT_OK)
      return cli_error(&err);
    if (cli->json)
      printf("{\"nome\":\"%s\",\"ativo\":false}\n", nome);
    else
      printf("usuário %s desativado; as sessões abertas foram encerradas\n", nome);
  } else if (strcmp(acao, "reativar") == 0) {
    if (fat_usuario_reativar(st, id, &err) != FAT_OK)
      return cli_error(&err);
    if (cli->json)
      printf("{\"nome\":\"%s\",\"ativo\":true}\n", nome);
    else
      printf("usuário %s reativado\n", nome);
  } else if (strcmp(acao, "redefinir") == 0) {
    if (fat_usuario_redefinir(st, id, provisoria, &err) != FAT_OK)
      return cli_error(&err);
    if (cli->json)
      printf("{\"nome\":\"%s\",\"senha_provisoria\":\"%s\"}\n", nome, provisoria);
    else
      printf("senha provisória de %s: %s\n"
             "entregue-a ao usuário: ela vale para um login, em que ele escolhe a senha dele\n",
             nome, provisoria);
    memset(provisoria, 0, sizeof provisoria);
  } else { /* totp remover */
    if (fat_usuario_totp_remover(st, id, &err) != FAT_OK)
      return cli_error(&err);
    if (cli->json)
      printf("{\"nome\":\"%s\",\"totp\":false}\n", nome);
    else
      printf("segundo fator de %s removido\n", nome);
  }
  return CLI_OK;
}

static int usuario_papel(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    {"papel", required_argument, NULL, 'p'},
    {NULL, 0, NULL, 0}
  };
  const char *papel_s = NULL, *nome;
  fat_papel papel;
  fat_store *st;
  fat_err err;
  int64_t id;
  int c, rc;

  optind = 1;
  opterr = 0;
  for (c = getopt_long(argc, argv, "", opts, NULL); c != -1;
       c = getopt_long(argc, argv, "", opts, NULL)) {
    if (c != 'p')
      return cli_usage_error("usuario", "opção inválida '%s'", argv[optind - 1]);
    papel_s = optarg;
  }
  if (papel_s == NULL)
    return cli_usage_error("usuario", "informe --papel faturista|supervisor|admin");
  papel = fat_papel_parse(papel_s);
  if (papel == FAT_PAPEL_NENHUM)
    return cli_usage_error("usuario", "papel '%s' desconhecido", papel_s);
  rc = one_user(cli, argc, argv, &st, &id, &nome);
  if (rc != CLI_OK)
    return rc;
  fat_err_clear(&err);
  if (fat_usuario_mudar_papel(st, id, papel, &err) != FAT_OK)
    return cli_error(&err);
  if (cli->json)
    printf("{\"nome\":\"%s\",\"papel\":\"%s\"}\n", nome, fat_papel_str(papel));
  else
    printf("%s agora é %s\n", nome, fat_papel_str(papel));
  return CLI_OK;
}

static int usuario_sessoes(fat_cli *cli, int argc, char **argv)
{
  fat_store *st;
  fat_err err;
  cJSON *lst = NULL, *x;
  int64_t id = 0;

  if (argc > 2)
    return cli_usage_error("usuario", "argumento inesperado '%s'", argv[2]);
  if (argc == 2 && argv[1][0] == '-')
    return cli_usage_error("usuario", "opção inválida '%s'", argv[1]);
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  if (argc == 2 && fat_usuario_id(st, argv[1], &id, &err) != FAT_OK)
    return cli_error(&err);
  if (fat_usuario_sessoes(st, id, &lst, &err) != FAT_OK)
    return cli_error(&err);
  if (cli->json)
    return cli_emit_json(lst);
  printf("%-6s %-24s %-11s %-16s %-16s %s\n", "SESSÃO", "USUÁRIO", "PAPEL", "ABERTA EM",
         "EXPIRA", "ENDEREÇO");
  cJSON_ArrayForEach(x, lst)
  {
    printf("%-6lld %-24s %-11s %-16s %-16s %s\n", (long long)cli_jint(x, "id"),
           cli_jstr(x, "usuario", ""), cli_jstr(x, "papel", ""),
           fat_quando_br_de(cli_jstr(x, "criado_em", NULL), "-").s,
           fat_quando_br_epoch(cli_jint(x, "expira_em")).s, cli_jstr(x, "ip", "-"));
  }
  if (cJSON_GetArraySize(lst) == 0)
    printf("nenhuma sessão aberta\n");
  cJSON_Delete(lst);
  return CLI_OK;
}

static int usuario_encerrar(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    {"sessao", required_argument, NULL, 's'},
    {NULL, 0, NULL, 0}
  };
  const char *nome;
  fat_store *st;
  fat_err err;
  int64_t id, sessao = 0;
  char *end;
  int c, rc, n = 0;

  optind = 1;
  opterr = 0;
  for (c = getopt_long(argc, argv, "", opts, NULL); c != -1;
       c = getopt_long(argc, argv, "", opts, NULL)) {
    if (c != 's')
      return cli_usage_error("usuario", "opção inválida '%s'", argv[optind - 1]);
    sessao = strtoll(optarg, &end, 10);
    if (*end != '\0' || sessao <= 0)
      return cli_usage_error("usuario", "--sessao espera o número da sessão, não '%s'", optarg);
  }
  rc = one_user(cli, argc, argv, &st, &id, &nome);
  if (rc != CLI_OK)
    return rc;
  fat_err_clear(&err);
  if (fat_usuario_encerrar_sessoes(st, id, sessao, &n, &err) != FAT_OK)
    return cli_error(&err);
  if (cli->json)
    printf("{\"nome\":\"%s\",\"encerradas\":%d}\n", nome, n);
  else
    printf("%d sessão(ões) de %s encerrada(s)\n", n, nome);
  return CLI_OK;
}

int cli_usuario(fat_cli *cli, int argc, char **argv)
{
  if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
    usuario_help();
    return argc < 2 ? CLI_USAGE : CLI_OK;
  }
  if (cli_wants_help(argc, argv)) {
    usuario_help();
    return CLI_OK;
  }
  if (strcmp(argv[1], "criar") == 0)
    return usuario_criar(cli, argc - 1, argv + 1);
  if (strcmp(argv[1], "listar") == 0)
    return usuario_listar(cli, argc - 1, argv + 1);
  if (strcmp(argv[1], "senha") == 0)
    return usuario_senha(cli, argc - 1, argv + 1);
  if (strcmp(argv[1], "desbloquear") == 0)
    return usuario_desbloquear(cli, argc - 1, argv + 1);
  if (strcmp(argv[1], "desativar") == 0 || strcmp(argv[1], "reativar") == 0 ||
      strcmp(argv[1], "redefinir") == 0)
    return usuario_simples(cli, argv[1], argc - 1, argv + 1);
  if (strcmp(argv[1], "papel") == 0)
    return usuario_papel(cli, argc - 1, argv + 1);
  if (strcmp(argv[1], "sessoes") == 0)
    return usuario_sessoes(cli, argc - 1, argv + 1);
  if (strcmp(argv[1], "encerrar") == 0)
    return usuario_encerrar(cli, argc - 1, argv + 1);
  if (strcmp(argv[1], "totp") == 0) {
    if (argc < 3 || strcmp(argv[2], "remover") != 0)
      return cli_usage_error("usuario", "use: faturo usuario totp remover NOME");
    return usuario_simples(cli, "totp", argc - 2, argv + 2);
  }
  return cli_usage_error("usuario",
                         "subcomando desconhecido '%s' (use criar, listar, senha, redefinir, "
                         "desativar, reativar, papel, sessoes, encerrar, totp ou desbloquear)",
                         argv[1]);
}
