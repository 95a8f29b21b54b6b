/* cmd_repasse.c: `faturo repasse regra|regras|calcular|decidir|fechar|ajuste|listar|extrato`. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli_fin.h"
#include "fat_mem.h"
#include "fat_repasse.h"

static void help(void)
{
  printf("uso: faturo repasse <ação> [opções]\n"
         "\n"
         "  regra --profissional ID (--percentual P | --valor V) [--operadora OP] [--plano ID]\n"
         "        [--grupo PREFIXO] [--origem convenio|particular]\n"
         "      regra de repasse do profissional (a mais específica vale)\n"
         "  regras                lista as regras\n"
         "  calcular --periodo AAAA-MM\n"
         "      calcula o repasse sobre o dinheiro recebido no mês; item com glosa em aberto\n"
         "      vem retido; retidos de repasses fechados cujo recurso acabou são liberados\n"
         "  decidir LINHA pagar|reter   paga o que foi recebido de um item retido (ou retém)\n"
         "  fechar --periodo AAAA-MM    congela o repasse (só muda por ajuste em outro)\n"
         "  ajuste --periodo AAAA-MM --profissional ID --valor V --motivo TEXTO\n"
         "  listar                repasses e totais\n"
         "  extrato --periodo AAAA-MM [--profissional ID] [--formato texto|html|xlsx]\n"
         "          [--saida ARQUIVO]   extrato por profissional\n");
}

/* ---- `repasse extrato`: printed as the engine reads it (flat memory) ---- */

typedef struct extrato_out {
  FILE *f;
  int64_t total_pagar, total_retido;
} extrato_out;

static fat_rc ex_inicio(void *u, const char *periodo, const char *status,
                        const fat_repasse_prof *profs, size_t n, int64_t tp, int64_t tr,
                        fat_err *err)
{
  extrato_out *o = u;

  (void)profs;
  (void)n;
  (void)err;
  o->total_pagar = tp;
  o->total_retido = tr;
  fprintf(o->f, "repasse de %s (%s)\n", periodo, status);
  return FAT_OK;
}

static fat_rc ex_prof(void *u, const fat_repasse_prof *p, fat_err *err)
{
  extrato_out *o = u;
  char v1[40], v2[40];

  (void)err;
  fprintf(o->f, "\n%s (%s): a pagar %s, retido %s\n", p->nome != NULL ? p->nome : "-",
          p->conselho != NULL ? p->conselho : "", cf_brl(p->total_pagar, v1),
          cf_brl(p->total_retido, v2));
  return FAT_OK;
}

static fat_rc ex_linha(void *u, const fat_repasse_prof *p, const cJSON *i, fat_err *err)
{
  extrato_out *o = u;
  char v1[40], v2[40], v3[40], d[16];

  (void)p;
  fprintf(o->f, "  #%-5lld %s %-10s base %12s -> %12s  %s (%s)", (long long)cli_jint(i, "id"),
          cf_jdata(i, "data", d), cli_jstr(i, "origem", "-"), cf_jbrl(i, "base", v1),
          cf_jbrl(i, "valor", v2), cli_jstr(i, "descricao", ""), cli_jstr(i, "regra", ""));
  if (strcmp(cli_jstr(i, "situacao", ""), "retido") == 0)
    fprintf(o->f, "  RETIDO: glosa de %s em aberto", cf_jbrl(i, "glosa", v3));
  fprintf(o->f, "\n");
  if (ferror(o->f))
    return fat_err_sys(err, errno, "erro ao escrever o extrato na saída");
  return FAT_OK;
}

static fat_rc ex_escreve(void *u, const char *p, size_t n, fat_err *err)
{
  extrato_out *o = u;

  if (fwrite(p, 1, n, o->f) != n)
    return fat_err_sys(err, errno, "erro ao escrever o extrato na saída");
  return FAT_OK;
}

/* `repasse extrato` (and the statement `repasse calcular` prints, with its
** avisos) in texto, --json or html, to stdout or, in html, to the file saida
** (fat_file_out: written beside it as it is produced, renamed when complete,
** never half a file). */
static int extrato(fat_cli *cli, fat_store *st, const char *periodo, int64_t prof,
                   const char *formato, const char *saida, cJSON *avisos)
{
  extrato_out o;
  fat_repasse_leitor l;
  cJSON *mais = NULL;
  const cJSON *a;
  fat_err err;
  fat_rc rc;

  fat_err_clear(&err);
  memset(&o, 0, sizeof o);
  o.f = stdout;
  if (strcmp(formato, "html") == 0 && saida != NULL && strcmp(saida, "-") != 0) {
    fat_file_out fo;

    if (fat_file_out_open(&fo, saida, &err) != FAT_OK)
      return cli_error(&err);
    rc = fat_repasse_extrato_html_escrever(st, periodo, prof, fat_file_out_escrever, &fo, &err);
    if (rc == FAT_OK)
      rc = fat_file_out_commit(&fo, &err); /* ends fo also when it fails */
    else
      fat_file_out_abort(&fo);
    return rc == FAT_OK ? CLI_OK : cli_error(&err);
  }
  /* a reader that goes away (`| head`) is an error to report, not a signal
  ** that kills the process silently (as `exportar guias`) */
  signal(SIGPIPE, SIG_IGN);
  if (strcmp(formato, "html") == 0) {
    rc = fat_repasse_extrato_html_escrever(st, periodo, prof, ex_escreve, &o, &err);
  } else if (cli->json) {
    if (avisos != NULL) {
      mais = cJSON_CreateObject();
      if (mais == NULL || !cJSON_AddItemReferenceToObject(mais, "avisos", avisos)) {
        cJSON_Delete(mais);
        return cli_error_oom();
      }
    }
    rc = fat_repasse_extrato_json_escrever(st, periodo, prof, mais, ex_escreve, &o, &err);
    cJSON_Delete(mais);
    if (rc == FAT_OK)
      rc = ex_escreve(&o, "\n", 1, &err);
  } else {
    memset(&l, 0, sizeof l);
    l.u = &o;
    l.inicio = ex_inicio;
    l.prof = ex_prof;
    l.linha = ex_linha;
    rc = fat_repasse_extrato_ler(st, periodo, prof, &l, &err);
    if (rc == FAT_OK) {
      char v1[40], v2[40];

      printf("\ntotal a pagar %s, retido %s\n", cf_brl(o.total_pagar, v1),
             cf_brl(o.total_retido, v2));
      cJSON_ArrayForEach(a, avisos) printf("atenção: %s\n", cJSON_IsString(a) ? a->valuestring : "");
    }
  }
  if (rc == FAT_OK && (fflush(stdout) != 0 || ferror(stdout)))
    rc = fat_err_sys(&err, errno, "erro ao escrever o extrato na saída");
  if (rc != FAT_OK)
    return cli_error(&err);
  return CLI_OK;
}

static void print_json(const cJSON *o)
{
  cli_print_json(o);
}

/* "--nome" of the option whose getopt value is c. */
static const char *opcao(const struct option *opts, int c)
{
  static char buf[40];

  for (; opts->name != NULL; opts++)
    if (opts->val == c) {
      snprintf(buf, sizeof buf, "--%s", opts->name);
      return buf;
    }
  return "?";
}

int cli_repasse(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    {"periodo", required_argument, NULL, 'p'},   {"profissional", required_argument, NULL, 'r'},
    {"percentual", required_argument, NULL, 'c'}, {"valor", required_argument, NULL, 'v'},
    {"operadora", required_argument, NULL, 'o'}, {"plano", required_argument, NULL, 'l'},
    {"grupo", required_argument, NULL, 'g'},     {"origem", required_argument, NULL, 'O'},
    {"motivo", required_argument, NULL, 'm'},    {"formato", required_argument, NULL, 'f'},
    {"saida", required_argument, NULL, 's'},     {NULL, 0, NULL, 0}};
  const char *a, *periodo = NULL, *motivo = NULL, *formato = "texto", *saida = NULL;
  fat_repasse_regra_in rg;
  int64_t prof = 0, valor = 0, id = 0;
  int tem_valor = 0, c;
  fat_store *st;
  cJSON *o = NULL;
  fat_err err;

  if (argc < 2 || cli_wants_help(argc, argv)) {
    help();
    return argc < 2 ? CLI_USAGE : CLI_OK;
  }
  a = argv[1];
  argc--;
  argv++;
  memset(&rg, 0, sizeof rg);
  rg.percentual_bp = -1;
  rg.valor_fixo = -1;
  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    int bad = 0;

    switch (c) {
    case 'p':
      bad = cli_norm_competencia(optarg) != 0;
      periodo = optarg;
      break;
    case 'r': bad = cf_id(optarg, &prof); break;
    case 'c': bad = cf_bp(optarg, &rg.percentual_bp); break;
    case 'v':
      if (optarg[0] == '-') {
        bad = cf_money(optarg + 1, &valor);
        valor = -valor;
      } else {
        bad = cf_money(optarg, &valor);
      }
      tem_valor = 1;
      break;
    case 'o': rg.operadora = optarg; break;
    case 'l': bad = cf_id(optarg, &rg.plano_id); break;
    case 'g': rg.grupo = optarg; break;
    case 'O': rg.origem = optarg; break;
    case 'm': motivo = optarg; break;
    case 'f': formato = optarg; break;
    case 's': saida = optarg; break;
    default: return cli_bad_option("repasse", argv, opts);
    }
    if (bad)
      return cli_usage_error("repasse", "valor inválido '%s' em %s", optarg, opcao(opts, c));
  }
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  if (strcmp(a, "regra") == 0) {
    rg.profissional_id = prof;
    if (tem_valor)
      rg.valor_fixo = valor;
    if (prof == 0)
      return cli_usage_error("repasse regra", "informe --profissional");
    if (fat_repasse_regra_definir(st, &rg, &id, &err) != FAT_OK)
      return cli_error(&err);
    if (!cli->json)
      printf("regra de repasse #%lld gravada\n", (long long)id);
    return CLI_OK;
  }
  if (strcmp(a, "regras") == 0 || strcmp(a, "listar") == 0) {
    if ((a[1] == 'e' ? fat_repasse_regra_listar(st, &o, &err)
                     : fat_repasse_listar(st, &o, &err)) != FAT_OK)
      return cli_error(&err);
    return cf_out(cli, o, print_json);
  }
  if (strcmp(a, "decidir") == 0) {
    if (optind + 2 != argc || cf_id(argv[optind], &id) != 0)
      return cli_usage_error("repasse decidir", "informe a linha e pagar ou reter");
    if (fat_repasse_decidir(st, id, argv[optind + 1], &err) != FAT_OK)
      return cli_error(&err);
    if (!cli->json)
      printf("linha #%lld: %s\n", (long long)id, argv[optind + 1]);
    return CLI_OK;
  }
  if (optind != argc)
    return cli_usage_error("repasse", "argumento inesperado '%s'", argv[optind]);
  if (periodo == NULL)
    return cli_usage_error("repasse", "informe --periodo AAAA-MM");
  if (strcmp(a, "calcular") == 0) {
    fat_rules *rules;
    fat_gen *gen = cf_gen(cli, st, &rules);
    fat_rc rc = fat_repasse_calcular_avisos(st, gen, periodo, &o, &err);
    int r;

    cf_gen_close(gen, rules);
    if (rc != FAT_OK)
      return cli_error(&err);
    /* the statement as extrato prints it (its lines are not held), then the avisos */
    r = extrato(cli, st, periodo, 0, "texto", NULL, o);
    cJSON_Delete(o);
    return r;
  }
  if (strcmp(a, "fechar") == 0) {
    if (fat_repasse_fechar(st, periodo, &err) != FAT_OK)
      return cli_error(&err);
    if (!cli->json)
      printf("repasse de %s fechado\n", periodo);
    return CLI_OK;
  }
  if (strcmp(a, "ajuste") == 0) {
    if (!tem_valor || prof == 0)
      return cli_usage_error("repasse ajuste", "informe --profissional, --valor e --motivo");
    if (fat_repasse_ajuste(st, periodo, prof, valor, motivo, &err) != FAT_OK)
      return cli_error(&err);
    if (!cli->json)
      printf("ajuste registrado no repasse de %s\n", periodo);
    return CLI_OK;
  }
  if (strcmp(a, "extrato") == 0) {
    if (strcmp(formato, "texto") == 0 || strcmp(formato, "html") == 0)
      return extrato(cli, st, periodo, prof, formato, saida, NULL);
    if (strcmp(formato, "xlsx") == 0) {
      if (saida == NULL || strcmp(saida, "-") == 0)
        return cli_usage_error("repasse extrato", "XLSX precisa de --saida ARQUIVO.xlsx");
      if (fat_repasse_extrato_xlsx(st, periodo, prof, saida, &err) != FAT_OK)
        return cli_error(&err);
      if (!cli->json)
        printf("extrato gravado em %s\n", saida);
      return CLI_OK;
    }
    return cli_usage_error("repasse extrato", "formato '%s' inválido (texto, html, xlsx)",
                           formato);
  }
  return cli_usage_error("repasse", "ação '%s' desconhecida", a);
}
