/* cmd_guia.c: `faturo guia mostrar N | --numero NUMERO --operadora REGISTRO`.
**
** The readable view is a list of sections (guia_sections[]); a later part that
** wants its data in this view (achados, glosas) adds one section function and
** one line to the table.
*/
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "fat_conferir.h"
#include "fat_glosa.h"
#include "fat_model.h"
#include "fat_money.h"

typedef void (*guia_section_fn)(FILE *f, fat_store *st, const fat_guia *g);

static const char *nz(const char *s) { return s != NULL ? s : "-"; }

/* Print s padded/truncated to `width` characters (UTF-8 aware). */
static void put_col(FILE *f, const char *s, int width, int right)
{
  int n = 0, i;
  const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
  size_t bytes = 0;

  while (p[bytes] != '\0' && n < width) {
    bytes++;
    while ((p[bytes] & 0xC0) == 0x80)
      bytes++;
    n++;
  }
  if (right)
    for (i = n; i < width; i++)
      fputc(' ', f);
  fwrite(p, 1, bytes, f);
  if (!right)
    for (i = n; i < width; i++)
      fputc(' ', f);
}

static void sec_cabecalho(FILE *f, fat_store *st, const fat_guia *g)
{
  char v[48];

  (void)st;
  fprintf(f, "Guia %lld  %s  nº no prestador %s", (long long)g->id, fat_guia_tipo_str(g->tipo),
          nz(g->numero_prestador));
  if (g->numero_operadora != NULL)
    fprintf(f, "  nº na operadora %s", g->numero_operadora);
  fprintf(f, "\n  situação: %s, revisão %lld", nz(g->status), (long long)g->revisao);
  if (g->lote_id > 0)
    fprintf(f, ", lote %lld", (long long)g->lote_id);
  fprintf(f, "\n  operadora:   %s (ANS %s)\n", nz(g->operadora.nome), nz(g->operadora.registro_ans));
  fprintf(f, "  prestador:   %s (%s %s)", nz(g->prestador.nome),
          g->prestador.cnpj != NULL ? "CNPJ" : "CPF",
          g->prestador.cnpj != NULL ? g->prestador.cnpj : nz(g->prestador.cpf));
  if (g->prestador.codigo_na_operadora != NULL)
    fprintf(f, ", código na operadora %s", g->prestador.codigo_na_operadora);
  fputc('\n', f);
  if (g->plano.codigo != NULL)
    fprintf(f, "  plano:       %s %s (%s)\n", g->plano.codigo, nz(g->plano.nome),
            nz(g->plano.acomodacao));
  fprintf(f, "  competência: %s   atendimento: %s", nz(g->competencia), nz(g->data_inicio));
  if (g->hora_inicio != NULL)
    fprintf(f, " %s", g->hora_inicio);
  if (g->data_fim != NULL)
    fprintf(f, " até %s%s%s", g->data_fim, g->hora_fim != NULL ? " " : "",
            g->hora_fim != NULL ? g->hora_fim : "");
  fputc('\n', f);
  if (g->senha != NULL || g->data_autorizacao != NULL || g->validade_senha != NULL)
    fprintf(f, "  senha:       %s (autorizada em %s, válida até %s)\n", nz(g->senha),
            nz(g->data_autorizacao), nz(g->validade_senha));
  fprintf(f, "  CID:         %s", nz(g->cid));
  if (g->cid_secundarios != NULL)
    fprintf(f, " (secundários: %s)", g->cid_secundarios);
  if (g->carater_atendimento != NULL)
    fprintf(f, "   caráter: %s", strcmp(g->carater_atendimento, "2") == 0 ? "urgência/emergência"
                                                                         : "eletivo");
  fputc('\n', f);
  fprintf(f, "  assinatura do beneficiário: %s   pedido médico: %s   laudo: %s\n",
          g->assinatura_beneficiario ? "sim" : "não", g->pedido_medico ? "sim" : "não",
          g->laudo ? "sim" : "não");
  if (g->observacao != NULL)
    fprintf(f, "  observação:  %s\n", g->observacao);
  fat_money_format_br(g->valor_total, v, sizeof v);
  fprintf(f, "  valor total informado: %s\n", v);
}

static void sec_beneficiario(FILE *f, fat_store *st, const fat_guia *g)
{
  const fat_beneficiario *b = &g->beneficiario;

  (void)st;
  fprintf(f, "\nBeneficiário\n");
  fprintf(f, "  nome:        %s", nz(g->beneficiario_nome != NULL ? g->beneficiario_nome : b->nome));
  if (b->nome_social != NULL)
    fprintf(f, " (nome social: %s)", b->nome_social);
  fprintf(f, "\n  carteira:    %s (validade %s)%s\n", nz(g->carteira_numero),
          nz(g->carteira_validade), g->atendimento_rn ? "  atendimento a recém-nato" : "");
  fprintf(f, "  CPF:         %s   CNS: %s   nascimento: %s   sexo: %s\n", nz(b->cpf),
          nz(g->cns != NULL ? g->cns : b->cns), nz(b->nascimento), nz(b->sexo));
}

static void print_prof(FILE *f, const char *label, const fat_profissional *p)
{
  fprintf(f, "  %-12s %s — %s %s/%s", label, nz(p->nome), nz(p->conselho), nz(p->numero_conselho),
          nz(p->uf));
  if (p->cbo != NULL)
    fprintf(f, ", CBO %s", p->cbo);
  if (p->especialidade != NULL)
    fprintf(f, " (%s)", p->especialidade);
  fputc('\n', f);
}

static void sec_profissionais(FILE *f, fat_store *st, const fat_guia *g)
{
  (void)st;
  if (g->solicitante == NULL && g->executante == NULL)
    return;
  fprintf(f, "\nProfissionais\n");
  if (g->solicitante != NULL)
    print_prof(f, "solicitante:", g->solicitante);
  if (g->executante != NULL)
    print_prof(f, "executante:", g->executante);
}

static void sec_itens(FILE *f, fat_store *st, const fat_guia *g)
{
  size_t i;
  int64_t soma = 0;
  int any_absent = 0;
  char q[32], vu[40], vt[40];

  (void)st;
  fprintf(f, "\nItens\n");
  fprintf(f, "  seq tab código     descrição                       data          qtd"
             "       unitário          total\n");
  for (i = 0; i < g->n_itens; i++) {
    const fat_item *it = &g->itens[i];

    fat_money_qty_format_br(it->quantidade_e4, q, sizeof q);
    if (it->valor_unitario == FAT_ABSENT)
      snprintf(vu, sizeof vu, "a precificar");
    else
      fat_money_format_br(it->valor_unitario, vu, sizeof vu);
    if (it->valor_total == FAT_ABSENT) {
      snprintf(vt, sizeof vt, "a precificar");
      any_absent = 1;
    } else {
      fat_money_format_br(it->valor_total, vt, sizeof vt);
      soma += it->valor_total;
    }
    fprintf(f, "  %3d %-3s ", it->sequencial, nz(it->codigo_tabela));
    put_col(f, it->codigo, 10, 0);
    fputc(' ', f);
    put_col(f, it->descricao != NULL ? it->descricao : it->tipo, 30, 0);
    fputc(' ', f);
    put_col(f, it->data != NULL ? it->data : "", 10, 0);
    fputc(' ', f);
    put_col(f, q, 10, 1);
    fputc(' ', f);
    put_col(f, vu, 14, 1);
    fputc(' ', f);
    put_col(f, vt, 14, 1);
    fputc('\n', f);
    if (it->profissional != NULL)
      print_prof(f, "      prof.:", it->profissional);
  }
  fat_money_format_br(soma, vt, sizeof vt);
  fprintf(f, "  soma dos itens: %s%s\n", vt, any_absent ? " (há itens a precificar)" : "");
}

/* Findings of the last conferência, with rule and version, so the faturista
** sees what to fix and who said so. */
static void sec_achados(FILE *f, fat_store *st, const fat_guia *g)
{
  cJSON *arr = NULL, *a;
  fat_err err;
  char v[40];

  fat_err_clear(&err);
  if (fat_achado_listar(st, g->id, &arr, &err) != FAT_OK) {
    fprintf(f, "\nAchados: não foi possível ler (%s)\n", err.msg);
    return;
  }
  if (cJSON_GetArraySize(arr) == 0) {
    fprintf(f, "\nAchados: nenhum%s\n",
            strcmp(nz(g->status), "digitada") == 0 ? " (guia ainda não conferida)" : "");
    cJSON_Delete(arr);
    return;
  }
  fprintf(f, "\nAchados da conferência\n");
  cJSON_ArrayForEach(a, arr) {
    const char *sha = cli_jstr(a, "script_sha256", NULL);

    fat_money_format_br(cli_jint(a, "valor_risco"), v, sizeof v);
    fprintf(f, "  #%-5lld %-8s %-24s %s\n", (long long)cli_jint(a, "id"),
            nz(cli_jstr(a, "severidade", NULL)), nz(cli_jstr(a, "codigo", NULL)), nz(cli_jstr(a, "mensagem", NULL)));
    fprintf(f, "         campo %s, glosa prevista %s, em risco %s, regra %s%s%.12s",
            nz(cli_jstr(a, "campo", NULL)), nz(cli_jstr(a, "glosa_prevista", NULL)), v,
            nz(cli_jstr(a, "regra", NULL)), sha != NULL ? " versão " : "", sha != NULL ? sha : "");
    if (cli_jint(a, "linha") > 0)
      fprintf(f, " linha %lld", (long long)cli_jint(a, "linha"));
    fputc('\n', f);
    if (cli_jstr(a, "reconhecido_em", NULL) != NULL)
      fprintf(f, "         reconhecido por %s em %s: %s\n", nz(cli_jstr(a, "reconhecido_por", NULL)),
              nz(cli_jstr(a, "reconhecido_em", NULL)), nz(cli_jstr(a, "reconhecido_motivo", NULL)));
  }
  cJSON_Delete(arr);
}

static void sec_glosas(FILE *f, fat_store *st, const fat_guia *g)
{
  fat_glosa_filtro flt;
  cJSON *arr = NULL, *a;
  fat_err err;
  char v[40];

  memset(&flt, 0, sizeof flt);
  flt.guia_id = g->id;
  fat_err_clear(&err);
  if (fat_glosa_listar(st, &flt, &arr, &err) != FAT_OK) {
    fprintf(f, "\nGlosas: não foi possível ler (%s)\n", err.msg);
    return;
  }
  if (cJSON_GetArraySize(arr) > 0) {
    fprintf(f, "\nGlosas\n");
    cJSON_ArrayForEach(a, arr) {
      fat_money_format_br(cli_jint(a, "valor"), v, sizeof v);
      fprintf(f, "  #%-5lld %-5s %14s  %-13s %-10s %s\n", (long long)cli_jint(a, "id"),
              nz(cli_jstr(a, "codigo", NULL)), v, nz(cli_jstr(a, "classificacao", NULL)),
              nz(cli_jstr(a, "situacao", NULL)), nz(cli_jstr(a, "descricao", NULL)));
    }
  }
  cJSON_Delete(arr);
}

/* The sections of `faturo guia mostrar`, in order. Later parts: add a line. */
static const guia_section_fn guia_sections[] = {
  sec_cabecalho,
  sec_beneficiario,
  sec_profissionais,
  sec_itens,
  sec_achados,
  sec_glosas,
  NULL
};

static void help(void)
{
  printf("uso: faturo guia mostrar N\n"
         "     faturo guia mostrar --numero NUMERO --operadora OPERADORA\n"
         "\n"
         "Mostra uma guia: cabeçalho, beneficiário, profissionais e itens com valores\n"
         "em R$. N é o id da guia; ou informe o número da guia no prestador e a\n"
         "operadora (registro ANS, chave do script ou id; uma desconhecida é recusada).\n"
         "Com --json, imprime a guia no formato JSON de importação (docs/formatos.md).\n");
}

int cli_guia(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {{"numero", required_argument, NULL, 'n'},
                                       {"operadora", required_argument, NULL, 'o'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  const char *numero = NULL, *operadora = NULL;
  fat_leitor leitor;
  fat_store *st;
  fat_guia *g = NULL;
  fat_err err;
  int64_t id = 0;
  int c, i;

  if (cli_wants_help(argc, argv)) {
    help();
    return CLI_OK;
  }
  optind = 1;
  opterr = 0;
  for (c = getopt_long(argc, argv, "h", opts, NULL); c != -1; c = getopt_long(argc, argv, "h", opts, NULL)) {
    switch (c) {
    case 'n':
      numero = optarg;
      break;
    case 'o':
      operadora = optarg;
      break;
    default:
      return cli_bad_option("guia", argv, opts);
    }
  }
  if (optind >= argc || strcmp(argv[optind], "mostrar") != 0)
    return cli_usage_error("guia", "use: faturo guia mostrar N");
  optind++;
  if (numero != NULL || operadora != NULL) {
    if (numero == NULL || operadora == NULL)
      return cli_usage_error("guia", "--numero e --operadora vão juntos");
    if (optind < argc)
      return cli_usage_error("guia", "argumento inesperado '%s'", argv[optind]);
  } else {
    char *end = NULL;

    if (optind >= argc)
      return cli_usage_error("guia", "falta o id da guia");
    if (optind + 1 < argc)
      return cli_usage_error("guia", "argumento inesperado '%s'", argv[optind + 1]);
    id = strtoll(argv[optind], &end, 10);
    if (end == argv[optind] || *end != '\0' || id <= 0)
      return cli_usage_error("guia", "id de guia inválido '%s'", argv[optind]);
  }
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  if (numero != NULL && fat_guia_find(st, operadora, numero, &id, &err) != FAT_OK)
    return cli_error(&err);
  if (fat_guia_load(st, id, &g, &err) != FAT_OK)
    return cli_error(&err);
  /* the guia in full (CPF, CNS, carteira): a read recorded before it is shown */
  if (cli_leitor(cli, "guia mostrar", &leitor) == NULL ||
      fat_acesso_registrar(st, &leitor, FAT_ACESSO_GUIA, &id, 1, 1, &err) != FAT_OK) {
    fat_guia_free(g);
    return err.rc != FAT_OK ? cli_error(&err) : CLI_FAIL;
  }
  if (cli->json) {
    cJSON *j = fat_guia_to_json(g);
    char *txt = j != NULL ? cJSON_Print(j) : NULL;

    cJSON_Delete(j);
    fat_guia_free(g);
    if (txt == NULL)
      return cli_error_oom();
    printf("%s\n", txt);
    cJSON_free(txt);
    return CLI_OK;
  }
  for (i = 0; guia_sections[i] != NULL; i++)
    guia_sections[i](stdout, st, g);
  fat_guia_free(g);
  return CLI_OK;
}
