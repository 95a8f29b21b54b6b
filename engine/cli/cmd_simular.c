/* cmd_simular.c: `faturo regras simular OPERADORA --script ARQ [--desde AAAA-MM-DD]`
** (Part F). The verb `regras` belongs to Part B, which routes `simular` here.
** With --precos (Part H) the proposal is priced over the operadora's real
** production beside the current contract (fat_rel_simular.h). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "fat_model.h"
#include "fat_money.h"
#include "fat_rel_simular.h"
#include "fat_simular.h"

static void help(void)
{
  printf("uso: faturo regras simular OPERADORA --script ARQUIVO.lua [--desde AAAA-MM-DD]\n"
         "     faturo regras simular OPERADORA --script PROPOSTA.lua --precos\n"
         "           [--desde AAAA-MM] [--ate AAAA-MM] [--csv ARQ] [--xlsx ARQ]\n"
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
         "\n"
         "Com --precos: proposta de contrato (tabela nova, deflator, reajuste, UCO...).\n"
         "A produção real da operadora nas competências escolhidas (padrão: as três\n"
         "últimas com guias) é precificada item a item duas vezes pelo mesmo motor de\n"
         "preços, pelo contrato atual e pela proposta, na data de cada atendimento.\n"
         "Mostra a receita por grupo de procedimento e por competência, a diferença\n"
         "(proposta − atual) e os itens que um dos lados não consegue precificar\n"
         "(fora da diferença). --desde/--ate em AAAA-MM. Nada é gravado.\n"
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

/* --precos: the proposal priced over the operadora's production. */
static int simular_precos(fat_cli *cli, const char *operadora, const char *script,
                          const char *desde, const char *ate, const char *csv, const char *xlsx)
{
  fat_store *st = cli_store(cli);
  fat_err err;
  cJSON *rel = NULL;

  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  if (fat_rel_simular_precos_script(st, cli->regras_dir, operadora, script, desde, ate, &rel,
                                    &err) != FAT_OK)
    return err.rc == FAT_EINVAL ? cli_usage_error("regras simular", "%s", err.msg)
                                : cli_error(&err);
  return cli_rel_saida(cli, rel, csv, xlsx);
}

int cli_regras_simular(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {{"script", required_argument, NULL, 's'},
                                       {"desde", required_argument, NULL, 'd'},
                                       {"precos", no_argument, NULL, 'p'},
                                       {"ate", required_argument, NULL, 'a'},
                                       {"csv", required_argument, NULL, 'c'},
                                       {"xlsx", required_argument, NULL, 'x'},
                                       {NULL, 0, NULL, 0}};
  const char *desde = NULL, *ate = NULL, *csv = NULL, *xlsx = NULL;
  char dia_iso[FAT_DIA_ISO_LEN], de_iso[FAT_DIA_COMP_LEN], ate_iso[FAT_DIA_COMP_LEN];
  int precos = 0;
  fat_simular_opts o;
  fat_simular_res r;
  fat_store *st;
  fat_err err;
  cJSON *j;
  char *s, b[32];
  int c;

  if (cli_wants_help(argc, argv)) {
    help();
    return CLI_OK;
  }
  memset(&o, 0, sizeof o);
  optind = 1;
  for (c = getopt_long(argc, argv, "", opts, NULL); c != -1;
       c = getopt_long(argc, argv, "", opts, NULL)) {
    switch (c) {
    case 's': o.script_path = optarg; break;
    case 'd': desde = optarg; break;
    case 'p': precos = 1; break;
    case 'a': ate = optarg; break;
    case 'c': csv = optarg; break;
    case 'x': xlsx = optarg; break;
    default: return cli_bad_option("regras simular", argv, opts);
    }
  }
  if (optind + 1 != argc || o.script_path == NULL)
    return cli_usage_error("regras simular", "informe OPERADORA e --script ARQUIVO.lua");
  if (precos) { /* a range of competências */
    if (cli_arg_competencia("regras simular", "--desde", &desde, de_iso) != CLI_OK ||
        cli_arg_competencia("regras simular", "--ate", &ate, ate_iso) != CLI_OK)
      return CLI_USAGE;
    return simular_precos(cli, argv[optind], o.script_path, desde, ate, csv, xlsx);
  }
  if (cli_arg_data("regras simular", "--desde", &desde, dia_iso) != CLI_OK)
    return CLI_USAGE;
  if (ate != NULL || csv != NULL || xlsx != NULL)
    return cli_usage_error("regras simular", "--ate, --csv e --xlsx só valem com --precos");
  o.desde = desde;
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
