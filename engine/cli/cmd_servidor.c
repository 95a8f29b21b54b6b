/* cmd_servidor.c: `faturo servidor`: the web panel and the JSON API. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fat_mem.h"
#include "fat_pidfile.h"
#include "fat_web.h"

static void servidor_help(void)
{
  printf("uso: faturo servidor [--porta 8080] [--endereco 127.0.0.1] [--threads 4]\n"
         "                     [--proxy-confiavel IP] [--cookie-seguro]\n"
         "                     [--conexoes N] [--conexoes-por-ip N]\n"
         "                     [--estaticos DIR] [--silencioso]\n"
         "\n"
         "Serve o painel web e a API JSON (/api/...) sobre o banco (--db).\n"
         "Por padrão escuta só em 127.0.0.1 (esta máquina). Para acesso pela rede,\n"
         "ponha o servidor atrás de um proxy HTTPS e informe o endereço dele em\n"
         "--proxy-confiavel.\n"
         "\n"
         "  --porta N              porta TCP (0 = escolhe uma livre; padrão 8080)\n"
         "  --endereco IP          endereço IPv4 de escuta (padrão 127.0.0.1)\n"
         "  --threads N            threads de atendimento (padrão 4)\n"
         "  --proxy-confiavel IP   endereço do proxy reverso: só dele o servidor aceita\n"
         "                         X-Forwarded-For (o endereço real de quem acessa, usado\n"
         "                         no bloqueio de login por endereço e no log) e\n"
         "                         X-Forwarded-Proto (https: cookie com Secure)\n"
         "  --cookie-seguro        cookie de sessão sempre com Secure (o navegador só o\n"
         "                         envia por HTTPS)\n"
         "  --conexoes N           conexões simultâneas (padrão 256)\n"
         "  --conexoes-por-ip N    por endereço de origem (padrão: metade de --conexoes;\n"
         "                         sem limite atrás do proxy confiável)\n"
         "  --estaticos DIR        pasta dos arquivos do painel (padrão: web/static da\n"
         "                         pasta de dados: $FATURO_HOME ou a instalação)\n"
         "  --silencioso           sem log de acesso\n"
         "\n"
         "Grava o pid em faturo-servidor.pid (modo 0600) ao lado do banco e o mantém\n"
         "travado enquanto roda (um segundo servidor no mesmo banco é recusado):\n"
         "`faturo regras recarregar` (ou kill -HUP) recarrega as regras sem reiniciar,\n"
         "numa linha de execução própria; SIGTERM ou Ctrl-C encerram terminando as\n"
         "requisições em andamento.\n"
         "Crie usuários antes com `faturo usuario criar`.\n");
}

static int parse_uint(const char *s, unsigned max, unsigned *out)
{
  char *end;
  unsigned long v;

  if (s == NULL || s[0] == '\0')
    return -1;
  v = strtoul(s, &end, 10);
  if (*end != '\0' || v > max)
    return -1;
  *out = (unsigned)v;
  return 0;
}

int cli_servidor(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    {"porta", required_argument, NULL, 'p'},
    {"endereco", required_argument, NULL, 'e'},
    {"threads", required_argument, NULL, 't'},
    {"estaticos", required_argument, NULL, 's'},
    {"silencioso", no_argument, NULL, 'q'},
    {"proxy-confiavel", required_argument, NULL, 'x'},
    {"cookie-seguro", no_argument, NULL, 'k'},
    {"conexoes", required_argument, NULL, 'c'},
    {"conexoes-por-ip", required_argument, NULL, 'i'},
    {NULL, 0, NULL, 0}
  };
  fat_web_config cfg;
  fat_web *w = NULL;
  fat_err err;
  char *pid = NULL;
  int c, rc = CLI_OK;

  if (cli_wants_help(argc, argv)) {
    servidor_help();
    return CLI_OK;
  }
  memset(&cfg, 0, sizeof cfg);
  cfg.port = 8080;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
    case 'p':
      if (parse_uint(optarg, 65535, &cfg.port) != 0)
        return cli_usage_error("servidor", "porta inválida '%s'", optarg);
      break;
    case 'e': cfg.endereco = optarg; break;
    case 't':
      if (parse_uint(optarg, 64, &cfg.threads) != 0 || cfg.threads == 0)
        return cli_usage_error("servidor", "número de threads inválido '%s' (1 a 64)", optarg);
      break;
    case 's': cfg.static_dir = optarg; break;
    case 'q': cfg.quiet = 1; break;
    case 'x': cfg.proxy_confiavel = optarg; break;
    case 'k': cfg.cookie_seguro = 1; break;
    case 'c':
      if (parse_uint(optarg, 100000, &cfg.conexoes) != 0 || cfg.conexoes == 0)
        return cli_usage_error("servidor", "número de conexões inválido '%s'", optarg);
      break;
    case 'i':
      if (parse_uint(optarg, 100000, &cfg.conexoes_por_ip) != 0 || cfg.conexoes_por_ip == 0)
        return cli_usage_error("servidor", "conexões por endereço inválido '%s'", optarg);
      break;
    default: return cli_bad_option("servidor", argv, opts);
    }
  }
  if (optind < argc)
    return cli_usage_error("servidor", "argumento inesperado '%s'", argv[optind]);
  if (cli_store(cli) == NULL) /* creates/migrates the database first */
    return CLI_FAIL;
  pid = fat_pidfile_path(cli->db_path);
  if (pid == NULL) {
    fat_err_oom(&err);
    return cli_error(&err);
  }
  cfg.db_path = cli->db_path;
  cfg.regras_dir = cli->regras_dir;
  cfg.xsd_dir = cli->xsd_dir;
  cfg.pid_file = pid;
  fat_err_clear(&err);
  if (fat_web_open(&cfg, &w, &err) != FAT_OK) {
    fat_free(pid);
    return cli_error(&err);
  }
  if (cli->json)
    printf("{\"url\":\"http://%s:%u/\",\"porta\":%u}\n",
           cfg.endereco != NULL ? cfg.endereco : "127.0.0.1", fat_web_port(w), fat_web_port(w));
  else
    printf("faturo servidor ouvindo em http://%s:%u/ (Ctrl-C encerra)\n",
           cfg.endereco != NULL ? cfg.endereco : "127.0.0.1", fat_web_port(w));
  fflush(stdout);
  if (fat_web_wait(w, &err) != FAT_OK)
    rc = cli_error(&err);
  fat_web_close(w);
  fat_free(pid);
  return rc;
}
