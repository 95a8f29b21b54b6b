/* cmd_auditoria.c: `faturo auditoria agenda ARQUIVO.csv` (Part C); `auditoria
** acessos` is in cmd_acessos.c (Part N). */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "fat_agenda.h"
#include "fat_model.h"
#include "fat_money.h"
#include "fat_rules.h"

static void help(void)
{
  printf("uso: faturo auditoria agenda ARQUIVO.csv [--json]\n"
         "     faturo auditoria acessos [--beneficiario CPF] [--usuario NOME] [--desde AAAA-MM-DD]\n"
         "\n"
         "acessos: quem viu dados de pacientes (veja faturo auditoria acessos --help).\n"
         "\n"
         "Compara a agenda da clínica com as guias: atendimentos que não viraram guia\n"
         "(dinheiro nunca cobrado, com o valor estimado pelo contrato), guias de pacientes\n"
         "que a agenda marca como falta ou cancelamento, e guias sem agendamento no período.\n"
         "\n"
         "O arquivo CSV (separador ';' ou ',', UTF-8, cabeçalho opcional) tem as colunas:\n"
         "  data;hora;beneficiario;profissional;procedimento;situacao\n"
         "  data          AAAA-MM-DD ou DD/MM/AAAA\n"
         "  beneficiario  número da carteira ou CPF\n"
         "  profissional  CONSELHO-NUMERO-UF (ex.: CRM-123456-SP) ou CPF (pode ficar vazio)\n"
         "  procedimento  código TUSS agendado\n"
         "  situacao      atendido, faltou ou cancelado\n"
         "\n"
         "saída: 0 agenda e guias conferem; 1 há atendimento sem guia, guia de falta\n"
         "ou linha da agenda recusada\n");
}

int cli_auditoria(fat_cli *cli, int argc, char **argv)
{
  fat_store *st;
  fat_rules *rules = NULL;
  fat_gen *gen = NULL;
  cJSON *rep = NULL, *x;
  fat_err err;
  fat_rc rc;
  char money[40];
  int n_sem, n_falta, n_semag, n_erros;

  if (argc >= 2 && strcmp(argv[1], "acessos") == 0)
    return cli_auditoria_acessos(cli, argc - 1, argv + 1);
  if (cli_wants_help(argc, argv)) {
    help();
    return CLI_OK;
  }
  if (cli_sem_opcoes("auditoria", argc, argv, NULL) != CLI_OK)
    return CLI_USAGE;
  if (argc < 2 || strcmp(argv[1], "agenda") != 0)
    return cli_usage_error("auditoria", "use: faturo auditoria agenda ARQUIVO.csv");
  if (argc != 3)
    return cli_usage_error("auditoria", "informe um arquivo CSV da agenda");
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  if (fat_rules_open(cli->regras_dir, NULL, st, &rules, &err) == FAT_OK)
    gen = fat_rules_acquire(rules);
  else
    fprintf(stderr, "faturo auditoria: regras indisponíveis (%s); sem estimativa de valores\n",
            err.msg);
  rc = fat_agenda_auditar(st, gen, argv[2], &rep, &err);
  if (gen != NULL)
    fat_gen_release(gen);
  fat_rules_close(rules);
  if (rc != FAT_OK)
    return cli_error(&err);
  n_sem = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(rep, "atendidos_sem_guia"));
  n_falta = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(rep, "guias_de_faltas"));
  n_semag = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(rep, "guias_sem_agendamento"));
  n_erros = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(rep, "erros"));
  if (cli->json) {
    char *s = cJSON_PrintUnformatted(rep);

    if (s != NULL) {
      puts(s);
      cJSON_free(s);
    }
  } else {
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(rep, "erros"))
      fprintf(stderr, "faturo auditoria: linha %.0f: %s\n", cli_jnum(x, "linha"), cli_jstr(x, "mensagem", ""));
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(rep, "atendidos_sem_guia"))
    {
      const cJSON *v = cJSON_GetObjectItemCaseSensitive(x, "valor_estimado");

      if (cJSON_IsNumber(v))
        fat_money_format_br((int64_t)v->valuedouble, money, sizeof money);
      else
        snprintf(money, sizeof money, "valor desconhecido");
      printf("ATENDIDO SEM GUIA  linha %.0f: %s %s beneficiário %s procedimento %s %s(%s)\n",
             cli_jnum(x, "linha"), cli_jstr(x, "data", ""), cli_jstr(x, "hora", ""), cli_jstr(x, "beneficiario", ""),
             cli_jstr(x, "procedimento", ""), cli_jstr(x, "operadora", ""), money);
    }
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(rep, "guias_de_faltas"))
      printf("GUIA DE FALTA      linha %.0f: guia %.0f (%s) em %s, procedimento %s, agenda diz "
             "'%s': cancele a guia\n",
             cli_jnum(x, "linha"), cli_jnum(x, "guia_id"), cli_jstr(x, "numero_prestador", ""), cli_jstr(x, "data", ""),
             cli_jstr(x, "procedimento", ""), cli_jstr(x, "situacao", ""));
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(rep, "guias_sem_agendamento"))
    {
      fat_money_format_br((int64_t)cli_jnum(x, "valor_total"), money, sizeof money);
      printf("GUIA SEM AGENDA    guia %.0f (%s) em %s, beneficiário %s, %s\n", cli_jnum(x, "guia_id"),
             cli_jstr(x, "numero_prestador", ""), cli_jstr(x, "data", ""), cli_jstr(x, "beneficiario", ""), money);
    }
    fat_money_format_br((int64_t)cli_jnum(rep, "valor_nao_faturado"), money, sizeof money);
    printf("\nagenda: %.0f linha(s), %.0f atendido(s), %.0f falta(s)/cancelamento(s)\n",
           cli_jnum(rep, "linhas"), cli_jnum(rep, "atendidos"), cli_jnum(rep, "faltas"));
    printf("  atendidos sem guia: %d (valor estimado não faturado: %s)\n", n_sem, money);
    printf("  guias de faltas/cancelamentos: %d\n", n_falta);
    printf("  guias sem agendamento no período: %d\n", n_semag);
    if (n_erros > 0)
      printf("  linhas recusadas: %d (corrija e rode de novo; veja as mensagens acima)\n", n_erros);
  }
  cJSON_Delete(rep);
  /* a row that could not be read is a refusal too: the report is incomplete */
  return (n_sem > 0 || n_falta > 0 || n_erros > 0) ? CLI_FAIL : CLI_OK;
}
