/* cmd_usuario.c: `faturo usuario criar|listar|senha|desbloquear` (users of
** the web panel). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <cjson/cJSON.h>

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
         "     faturo usuario desbloquear NOME [--ip ENDERECO]\n"
         "\n"
         "Gerencia os usuários do painel web (faturo servidor).\n"
         "\n"
         "  criar        cria um usuário. A senha (mínimo 8 caracteres) vem da primeira\n"
         "               linha de ARQUIVO ou, sem --senha-arquivo, da entrada padrão\n"
         "               (no terminal ela é pedida sem eco). Guardada com argon2id.\n"
         "  listar       mostra nome, papel e situação de cada usuário.\n"
         "  senha        troca a senha (lida como em criar), encerra as sessões abertas\n"
         "               do usuário e libera o login dele.\n"
         "  desbloquear  libera o login bloqueado por tentativas erradas (com --ip,\n"
         "               também o do endereço). É o caminho de volta de um administrador\n"
         "               bloqueado: roda na máquina do banco, sem precisar do painel.\n"
         "\n"
         "Papéis, do menor para o maior: faturista (confere guias, fecha lotes,\n"
         "importa retornos), supervisor (também edita rascunhos de regras e\n"
         "reconhece bloqueios), admin (também publica regras e cria usuários).\n");
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
    printf("%-24s %-11s %-7s %s\n", "NOME", "PAPEL", "ATIVO", "CRIADO EM");
    cJSON_ArrayForEach(u, lst)
    {
      printf("%-24s %-11s %-7s %s\n",
             cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(u, "nome")),
             cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(u, "papel")),
             cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(u, "ativo")) ? "sim" : "não",
             cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(u, "criado_em")));
    }
  }
  cJSON_Delete(lst);
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
  return cli_usage_error("usuario",
                         "subcomando desconhecido '%s' (use criar, listar, senha ou desbloquear)",
                         argv[1]);
}
