/* cmd_simular.c: `faturo regras simular OPERADORA --script ARQ [--desde AAAA-MM-DD]`
** (Part F). The verb `regras` belongs to Part B, which routes `simular` here. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "fat_model.h"
#include "fat_money.h"
#include "fat_simular.h"

static void help(void)
{
  printf("uso: faturo regras simular OPERADORA --script ARQUIVO.lua [--desde AAAA-MM-DD]\n"
         "\n"
         "Roda o rascunho do script da operadora sobre as guias já enviadas e respondidas,\n"
         "com a mesma conferência do 'faturo conferir' (preços, checagens embutidas,\n"
         "duplicidades e regras do script), na data em que cada lote foi enviado, e\n"
         "compara com as glosas recebidas:\n"
         "  glosas previstas  um achado (bloqueio ou alerta) previa o mesmo código de\n"
         "                    glosa ou o mesmo motivo; é a mesma conta do 'faturo glosa\n"
         "                    resumo' (\"uma regra atual teria evitado?\")\n"
         "  por bloqueio      dessas, as que um bloqueio teria segurado antes do envio\n"
         "  falsos alarmes    guias pagas sem glosa que o rascunho bloquearia\n"
         "Mostra também as regras atuais, para comparar. Nada é gravado.\n"
         "\n"
         "OPERADORA: registro ANS, chave do script ou id.\n");
}

static void lado(const char *nome, const fat_simular_lado *l)
{
  char b0[32], b1[32], b2[32];

  fat_money_format_br(l->valor_previsto, b0, sizeof b0);
  fat_money_format_br(l->valor_evitado, b1, sizeof b1);
  fat_money_format_br(l->valor_falsos, b2, sizeof b2);
  printf("  %-10s glosas previstas %4zu (%s), por bloqueio %4zu (%s)\n"
         "  %-10s guias bloqueadas %4zu  falsos alarmes %4zu (%s)\n",
         nome, l->glosas_previstas, b0, l->glosas_evitadas, b1, "", l->guias_bloqueadas,
         l->falsos_alarmes, b2);
}

int cli_regras_simular(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {{"script", required_argument, NULL, 's'},
                                       {"desde", required_argument, NULL, 'd'},
                                       {NULL, 0, NULL, 0}};
  fat_simular_opts o;
  fat_simular_res r;
  fat_store *st;
  fat_err err;
  cJSON *j;
  char *s, b[32], desde[FAT_DIA_ISO_LEN];
  int c;

  if (cli_wants_help(argc, argv)) {
    help();
    return CLI_OK;
  }
  memset(&o, 0, sizeof o);
  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
    case 's': o.script_path = optarg; break;
    case 'd':
      o.desde = optarg;
      if (cli_arg_data("regras simular", "--desde", &o.desde, desde) != CLI_OK)
        return CLI_USAGE;
      break;
    default: return cli_bad_option("regras simular", argv, opts);
    }
  }
  if (optind + 1 != argc || o.script_path == NULL)
    return cli_usage_error("regras simular", "informe OPERADORA e --script ARQUIVO.lua");
  o.operadora = argv[optind];
  o.regras_dir = cli->regras_dir;
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  if (fat_simular_regras(st, &o, &r, &err) != FAT_OK)
    return cli_error(&err);
  if (cli->json) {
    j = fat_simular_res_json(&r);
    s = j != NULL ? cJSON_Print(j) : NULL;
    if (s != NULL)
      printf("%s\n", s);
    cJSON_free(s);
    cJSON_Delete(j);
  } else {
    fat_money_format_br(r.valor_glosado, b, sizeof b);
    printf("%zu guias respondidas (%zu com glosa, %zu pagas sem glosa); %zu glosas, %s\n",
           r.guias, r.guias_glosadas, r.guias_pagas, r.glosas, b);
    lado("rascunho:", &r.rascunho);
    if (r.tem_atual)
      lado("atual:", &r.atual);
  }
  fat_simular_res_fini(&r);
  return CLI_OK;
}
