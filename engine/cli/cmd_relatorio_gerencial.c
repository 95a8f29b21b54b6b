/* cmd_relatorio_gerencial.c: `faturo relatorio producao|inadimplencia|
** previsto-realizado|analise-glosas|produtividade|fechamento|gerencial`
** (Part H): the management reports of fat_rel.h, printed as aligned tables,
** as JSON (--json), as CSV (--csv ARQ) or as a spreadsheet (--xlsx ARQ). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "fat_rel.h"

static const struct {
  const char *acao, *nome;
} acoes[] = {{"producao", "producao"},
             {"inadimplencia", "inadimplencia"},
             {"previsto-realizado", "previsto"},
             {"analise-glosas", "glosas"},
             {"produtividade", "produtividade"},
             {"fechamento", "fechamento"},
             {"gerencial", "painel"}};

int cli_relatorio_gerencial_acao(const char *acao)
{
  size_t i;

  for (i = 0; i < sizeof acoes / sizeof acoes[0]; i++)
    if (strcmp(acao, acoes[i].acao) == 0)
      return 1;
  return 0;
}

void cli_relatorio_gerencial_ajuda(void)
{
  printf("Relatórios gerenciais (tabelas alinhadas; --json, --csv ARQ, --xlsx ARQ):\n"
         "  producao [--de AAAA-MM] [--ate AAAA-MM] [--operadora X|particular]\n"
         "           [--detalhe profissional|grupo|unidade]\n"
         "                                 guias, procedimentos, exames, faturado, glosado,\n"
         "                                 recuperado e recebido por operadora e mês\n"
         "  inadimplencia [--hoje AAAA-MM-DD] [--operadora X]\n"
         "                                 contas a receber por atraso (a vencer, 1-30,\n"
         "                                 31-60, 61-90, mais de 90 dias), lotes sem\n"
         "                                 protocolo ou sem demonstrativo além do prazo\n"
         "  previsto-realizado [--de AAAA-MM] [--ate AAAA-MM] [--operadora X]\n"
         "                                 pagamento previsto × recebido por mês, atraso médio\n"
         "  analise-glosas [--de AAAA-MM] [--ate AAAA-MM] [--operadora X]\n"
         "                                 taxa de glosa por operadora, motivo, código TUSS,\n"
         "                                 procedimento e profissional; devidas × indevidas;\n"
         "                                 recuperação por recurso; glosas evitáveis\n"
         "  produtividade [--de AAAA-MM-DD] [--ate AAAA-MM-DD]\n"
         "                                 por usuário e semana: guias digitadas e\n"
         "                                 corrigidas, achados resolvidos, lotes fechados,\n"
         "                                 recursos enviados (padrão: as últimas 8 semanas)\n"
         "  fechamento --mes AAAA-MM [--saida PASTA]\n"
         "                                 faturado, recebido, retido e repasse por\n"
         "                                 operadora e particulares; com --saida grava o\n"
         "                                 pacote do contador (XLSX, CSV e resumo)\n"
         "  gerencial [--hoje AAAA-MM-DD]  produção dos últimos 12 meses, taxa de glosa,\n"
         "                                 contas a receber por atraso e mapa de faturas\n"
         "Competências: padrão, os 12 meses até a última com produção. --tabela NOME\n"
         "mostra ou exporta só uma tabela (nomes no --json). CSV: ';', vírgula decimal,\n"
         "UTF-8 com BOM (--csv - escreve na saída). Ver docs/relatorios.md.\n");
}

int cli_relatorio_gerencial(fat_cli *cli, const char *acao, int argc, char **argv)
{
  static const struct option opts[] = {
      {"de", required_argument, NULL, 'd'},       {"ate", required_argument, NULL, 'a'},
      {"mes", required_argument, NULL, 'm'},      {"operadora", required_argument, NULL, 'o'},
      {"detalhe", required_argument, NULL, 'D'},  {"hoje", required_argument, NULL, 'h'},
      {"tabela", required_argument, NULL, 't'},   {"csv", required_argument, NULL, 'c'},
      {"xlsx", required_argument, NULL, 'x'},     {"saida", required_argument, NULL, 's'},
      {NULL, 0, NULL, 0}};
  const char *nome = NULL, *tabela = NULL, *csv = NULL, *xlsx = NULL, *saida = NULL;
  char verbo[64];
  fat_rel_params p;
  fat_store *st;
  fat_err err;
  cJSON *rel = NULL;
  size_t i;
  int c;

  for (i = 0; i < sizeof acoes / sizeof acoes[0]; i++)
    if (strcmp(acao, acoes[i].acao) == 0)
      nome = acoes[i].nome;
  snprintf(verbo, sizeof verbo, "relatorio %s", acao);
  if (nome == NULL)
    return cli_usage_error("relatorio", "ação desconhecida '%s'", acao);
  memset(&p, 0, sizeof p);
  optind = 1;
  for (c = getopt_long(argc, argv, "", opts, NULL); c != -1;
       c = getopt_long(argc, argv, "", opts, NULL)) {
    switch (c) {
    case 'd': p.de = optarg; break;
    case 'a': p.ate = optarg; break;
    case 'm': p.mes = optarg; break;
    case 'o': p.operadora = optarg; break;
    case 'D': p.detalhe = optarg; break;
    case 'h': p.hoje = optarg; break;
    case 't': tabela = optarg; break;
    case 'c': csv = optarg; break;
    case 'x': xlsx = optarg; break;
    case 's': saida = optarg; break;
    default: return cli_bad_option(verbo, argv, opts);
    }
  }
  if (optind != argc)
    return cli_usage_error(verbo, "argumento inesperado '%s'", argv[optind]);
  if (saida != NULL && strcmp(nome, "fechamento") != 0)
    return cli_usage_error(verbo, "--saida só vale para o fechamento");
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  if (saida != NULL) {
    if (fat_rel_fechamento_pacote(st, p.mes, saida, &rel, &err) != FAT_OK)
      return cli_error(&err);
    if (!cli->json)
      printf("pacote do contador gravado em %s: fechamento-%s.xlsx, fechamento-%s.csv e "
             "fechamento-%s-resumo.txt\n\n",
             saida, p.mes, p.mes, p.mes);
  } else if (fat_rel_gerar(st, nome, &p, &rel, &err) != FAT_OK) {
    return err.rc == FAT_EINVAL ? cli_usage_error(verbo, "%s", err.msg) : cli_error(&err);
  }
  if (tabela != NULL && !cli_rel_so_tabela(rel, tabela)) {
    cJSON_Delete(rel);
    return cli_usage_error(verbo, "tabela '%s' não existe neste relatório", tabela);
  }
  return cli_rel_saida(cli, rel, csv, xlsx);
}
