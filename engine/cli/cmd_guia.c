/* cmd_guia.c: `faturo guia mostrar|editar|cancelar|historico ...`.
**
** The readable view is a list of sections (guia_sections[]); a later part that
** wants its data in this view (achados, glosas) adds one section function and
** one line to the table. Changes (Part L) are engine calls (fat_guia_edit.h):
** this file parses options, builds the patch and prints the answer.
*/
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "fat_dia.h"
#include "cli.h"
#include "fat_conferir.h"
#include "fat_digitacao.h"
#include "fat_guia_edit.h"
#include "fat_mem.h"
#include "fat_revisao.h"
#include "fat_rules.h"
#include "fat_glosa.h"
#include "fat_model.h"
#include "fat_money.h"
#include "fat_docnum.h"
#include "fat_text.h"

typedef void (*guia_section_fn)(FILE *f, fat_store *st, const fat_guia *g);

static const char *nz(const char *s) { return s != NULL ? s : "-"; }

/* Print s padded/truncated to `width` columns (UTF-8 aware). */
static void put_col(FILE *f, const char *s, int width, int right)
{
  if (s == NULL)
    s = "";
  fputs(right ? fat_text_coluna_dir(s, width).s : fat_text_coluna(s, width).s, f);
}

static void sec_cabecalho(FILE *f, fat_store *st, const fat_guia *g)
{
  char v[48];

  (void)st;
  fprintf(f, "Guia %lld  %s  nº no prestador %s", (long long)g->id,
          fat_guia_tipo_rotulo(fat_guia_tipo_str(g->tipo)),
          nz(g->numero_prestador));
  if (g->numero_operadora != NULL)
    fprintf(f, "  nº na operadora %s", g->numero_operadora);
  fprintf(f, "\n  situação: %s, revisão %lld", fat_guia_status_rotulo(nz(g->status)),
          (long long)g->revisao);
  if (g->lote_id > 0)
    fprintf(f, ", lote %lld", (long long)g->lote_id);
  fprintf(f, "\n  operadora:   %s (ANS %s)\n", nz(g->operadora.nome), nz(g->operadora.registro_ans));
  fat_doc_br(g->prestador.cnpj != NULL ? g->prestador.cnpj : g->prestador.cpf, v, sizeof v);
  fprintf(f, "  prestador:   %s (%s %s)", nz(g->prestador.nome),
          g->prestador.cnpj != NULL ? "CNPJ" : "CPF", nz(v));
  if (g->prestador.codigo_na_operadora != NULL)
    fprintf(f, ", código na operadora %s", g->prestador.codigo_na_operadora);
  fputc('\n', f);
  if (g->plano.codigo != NULL)
    fprintf(f, "  plano:       %s %s (%s)\n", g->plano.codigo, nz(g->plano.nome),
            nz(g->plano.acomodacao));
  fprintf(f, "  competência: %s", fat_dia_competencia_br_ou(g->competencia, "-").s);
  fprintf(f, "   atendimento: %s", fat_dia_br_ou(g->data_inicio, "-").s);
  if (g->hora_inicio != NULL)
    fprintf(f, " %s", g->hora_inicio);
  if (g->data_fim != NULL)
    fprintf(f, " até %s%s%s", fat_dia_br_ou(g->data_fim, "-").s, g->hora_fim != NULL ? " " : "",
            g->hora_fim != NULL ? g->hora_fim : "");
  fputc('\n', f);
  if (g->senha != NULL || g->data_autorizacao != NULL || g->validade_senha != NULL)
    fprintf(f, "  senha:       %s (autorizada em %s, válida até %s)\n", nz(g->senha),
            fat_dia_br_ou(g->data_autorizacao, "-").s, fat_dia_br_ou(g->validade_senha, "-").s);
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
  char cpf[24];

  (void)st;
  fat_doc_br(b->cpf, cpf, sizeof cpf);
  fprintf(f, "\nBeneficiário\n");
  fprintf(f, "  nome:        %s", nz(g->beneficiario_nome != NULL ? g->beneficiario_nome : b->nome));
  if (b->nome_social != NULL)
    fprintf(f, " (nome social: %s)", b->nome_social);
  fprintf(f, "\n  carteira:    %s (validade %s)%s\n", nz(g->carteira_numero),
          fat_dia_br_ou(g->carteira_validade, "-").s,
          g->atendimento_rn ? "  atendimento a recém-nato" : "");
  fprintf(f, "  CPF:         %s   CNS: %s   nascimento: %s   sexo: %s\n", nz(cpf),
          nz(g->cns != NULL ? g->cns : b->cns), fat_dia_br_ou(b->nascimento, "-").s, nz(b->sexo));
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
    put_col(f, fat_dia_br_ou(it->data, "").s, 10, 0);
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
    char campo[160];

    fat_money_format_br(cli_jint(a, "valor_risco"), v, sizeof v);
    fat_revisao_rotulo(nz(cli_jstr(a, "campo_numerado", NULL)), campo, sizeof campo);
    fprintf(f, "  #%-5lld %-8s %-24s %s\n", (long long)cli_jint(a, "id"),
            nz(cli_jstr(a, "severidade", NULL)), nz(cli_jstr(a, "codigo", NULL)), nz(cli_jstr(a, "mensagem", NULL)));
    fprintf(f, "         campo %s, glosa prevista %s, em risco %s, regra %s%s%.12s",
            campo, nz(cli_jstr(a, "glosa_prevista", NULL)), v,
            nz(cli_jstr(a, "regra", NULL)), sha != NULL ? " versão " : "", sha != NULL ? sha : "");
    if (cli_jint(a, "linha") > 0)
      fprintf(f, " linha %lld", (long long)cli_jint(a, "linha"));
    fputc('\n', f);
    if (cli_jstr(a, "reconhecido_em", NULL) != NULL)
      fprintf(f, "         reconhecido por %s em %s: %s\n", nz(cli_jstr(a, "reconhecido_por", NULL)),
              fat_quando_br_de(cli_jstr(a, "reconhecido_em", NULL), "-").s,
              nz(cli_jstr(a, "reconhecido_motivo", NULL)));
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
      fprintf(f, "  #%-5lld %-5s %14s  %-13s %s %s\n", (long long)cli_jint(a, "id"),
              nz(cli_jstr(a, "codigo", NULL)), v,
              fat_glosa_situacao_rotulo(nz(cli_jstr(a, "classificacao", NULL))),
              fat_text_coluna(fat_glosa_situacao_rotulo(nz(cli_jstr(a, "situacao", NULL))), 19).s,
              nz(cli_jstr(a, "descricao", NULL)));
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
         "     faturo guia editar N [--campo CAMPO=VALOR]... [--remover-item N]...\n"
         "                          [--alteracao ARQ.json] [--motivo \"...\"]\n"
         "     faturo guia cancelar N --motivo \"...\"\n"
         "     faturo guia historico N\n"
         "     faturo guia digitar ARQ.json [--avaliar | --rascunho]\n"
         "\n"
         "mostrar    uma guia: cabeçalho, beneficiário, profissionais, itens com valores\n"
         "           em R$, achados e glosas. N é o id da guia; ou informe o número da\n"
         "           guia no prestador e a operadora (registro ANS, chave ou id). Com\n"
         "           --json, imprime a guia no formato JSON de importação\n"
         "           (docs/formatos.md).\n"
         "editar     corrige a guia: cada --campo muda um campo (vazio apaga), por\n"
         "           exemplo --campo senha=A1B2 --campo data_inicio=10/03/2025\n"
         "           --campo executante.cbo=225125 --campo itens[2].quantidade=2\n"
         "           (itens[N] é o item de número N, como a guia mostra); --remover-item N\n"
         "           tira o item N; --alteracao lê as mudanças de um arquivo JSON (\"-\" =\n"
         "           entrada padrão; formato em docs/guias.md). Cada correção é uma nova\n"
         "           revisão (quem, quando, campo, antes e depois) e a guia é conferida\n"
         "           de novo na hora, junto com as outras guias do mesmo beneficiário.\n"
         "cancelar   cancela a guia (motivo obrigatório, fica na auditoria).\n"
         "historico  as revisões da guia: quem mudou o quê, quando e por quê.\n"
         "digitar    grava uma guia digitada (formulário JSON, docs/formatos.md; um\n"
         "           item pode trazer \"sessoes\": [datas] em vez de \"data\") pronta\n"
         "           para a conferência, que roda na hora; --avaliar só mostra o que\n"
         "           a conferência diria, sem gravar; --rascunho guarda como rascunho.\n"
         "\n"
         "Uma guia em lote já enviado não muda: peça o cancelamento à operadora\n"
         "(faturo lote cancelar) e digite uma nova. Uma guia em lote fechado e não\n"
         "enviado só muda depois de reabrir o lote (faturo lote reabrir).\n"
         "\n"
         "opções de editar e cancelar:\n"
         "  --motivo TEXTO   por que (obrigatório ao cancelar)\n"
         "  --hoje AAAA-MM-DD  data de referência da nova conferência (padrão: hoje)\n"
         "  --sem-regras     confere só com as regras internas (sem scripts)\n"
         "\n"
         "saída: 0 ok (a guia ficou pronta para lote), 1 recusa ou a guia ainda tem\n"
         "bloqueios, 2 uso incorreto.\n\n");
  cli_guia_anexo_ajuda();
  cli_papel_ajuda_guia();
}

static int parse_id(const char *s, int64_t *out)
{
  char *end = NULL;
  long long v;

  if (s == NULL)
    return -1;
  v = strtoll(s, &end, 10);
  if (end == s || *end != '\0' || v <= 0)
    return -1;
  *out = v;
  return 0;
}

static int ocupado_ou_erro(const fat_err *err)
{
  if (fat_store_ocupado(err)) {
    fprintf(stderr,
            "faturo guia: o banco de dados está ocupado por outro processo (%s); nada foi "
            "alterado: tente de novo em instantes\n",
            err->msg);
    return CLI_OCUPADO;
  }
  return cli_error(err);
}

/* Read a JSON file ("-" = stdin), at most 4 MiB. */
static cJSON *ler_json(const char *path, fat_err *err)
{
  FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
  fat_buf b;
  char chunk[8192];
  size_t n;
  cJSON *j = NULL;

  if (f == NULL) {
    fat_err_set(err, FAT_EIO, "%s: não foi possível abrir o arquivo", path);
    return NULL;
  }
  fat_buf_init(&b, 4u << 20);
  for (n = fread(chunk, 1, sizeof chunk, f); n > 0; n = fread(chunk, 1, sizeof chunk, f)) {
    if (fat_buf_append(&b, chunk, n, err) != FAT_OK) {
      fat_err_prefix(err, "%s: ", path);
      goto out;
    }
  }
  j = cJSON_ParseWithLength(b.len > 0 ? b.data : "", b.len);
  if (j == NULL)
    fat_err_set(err, FAT_EINVAL, "%s: JSON inválido", path);
out:
  if (f != stdin)
    fclose(f);
  fat_buf_fini(&b);
  return j;
}

static void print_alteracoes(const cJSON *alt, const char *indent)
{
  const cJSON *a;

  cJSON_ArrayForEach(a, alt)
  {
    const char *de = cli_jstr(a, "de_texto", ""), *para = cli_jstr(a, "para_texto", "");

    printf("%s%s: %s → %s\n", indent, cli_jstr(a, "rotulo", "?"), de[0] != '\0' ? de : "(vazio)",
           para[0] != '\0' ? para : "(vazio)");
  }
}

static int print_mudanca(const fat_cli *cli, const fat_guia_mudanca *m, const char *feito)
{
  const cJSON *a;
  char v[40];

  if (cli->json) {
    if (cli_emit_json(fat_guia_mudanca_json(m)) != CLI_OK)
      return CLI_FAIL;
    return strcmp(m->status, "conferida") == 0 || strcmp(m->status, "cancelada") == 0
               ? CLI_OK
               : CLI_FAIL;
  }
  printf("guia %lld %s: revisão %lld\n", (long long)m->guia_id, feito, (long long)m->revisao);
  print_alteracoes(m->alteracoes, "  ");
  if (strcmp(m->status, "cancelada") == 0) {
    if (m->reconferidas > 0)
      printf("%zu outra(s) guia(s) do mesmo beneficiário conferida(s) de novo\n", m->reconferidas);
    return CLI_OK;
  }
  fat_money_format_br(m->valor_risco, v, sizeof v);
  printf("conferida de novo: %s — %lld bloqueio(s) e %lld alerta(s) em aberto, %s em risco\n",
         strcmp(m->status, "conferida") == 0 ? "pronta para lote" : m->status,
         (long long)m->bloqueios, (long long)m->alertas, v);
  if (m->erro[0] != '\0')
    printf("  atenção: %s\n", m->erro);
  cJSON_ArrayForEach(a, m->achados)
  {
    if (cli_jstr(a, "reconhecido_em", NULL) != NULL)
      continue;
    printf("  #%-5lld %-8s %-24s %s\n", (long long)cli_jint(a, "id"),
           cli_jstr(a, "severidade", "?"), cli_jstr(a, "codigo", "?"),
           cli_jstr(a, "mensagem", ""));
  }
  if (m->reconferidas > 0)
    printf("%zu outra(s) guia(s) do mesmo beneficiário conferida(s) de novo\n", m->reconferidas);
  return strcmp(m->status, "conferida") == 0 ? CLI_OK : CLI_FAIL;
}

static fat_rules *abrir_regras(fat_cli *cli, fat_store *st, int sem_regras, int *rc)
{
  fat_rules *rules = NULL;
  fat_err err;

  *rc = CLI_OK;
  if (sem_regras)
    return NULL;
  if (fat_rules_open(cli->regras_dir, NULL, st, &rules, &err) != FAT_OK) {
    /* a busy, full or read-only database is not the rules' fault */
    if (fat_store_ocupado(&err) || err.rc == FAT_EDB || err.rc == FAT_ENOMEM) {
      *rc = ocupado_ou_erro(&err);
      return NULL;
    }
    fat_err_prefix(&err, "regras em %s: ", cli->regras_dir);
    cli_error(&err);
    fprintf(stderr, "(corrija as regras, ou use --sem-regras para conferir só as regras "
                    "internas)\n");
    *rc = CLI_FAIL;
  }
  return rules;
}

static int mostrar(fat_cli *cli, int64_t id, const char *numero, const char *operadora)
{
  fat_store *st = cli_store(cli);
  fat_leitor leitor;
  fat_guia *g = NULL;
  fat_err err;
  int i;

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

    fat_guia_free(g);
    return cli_emit_json(j);
  }
  for (i = 0; guia_sections[i] != NULL; i++)
    guia_sections[i](stdout, st, g);
  fat_guia_free(g);
  return CLI_OK;
}

static int historico(fat_cli *cli, int64_t id)
{
  fat_store *st = cli_store(cli);
  fat_leitor leitor;
  cJSON *arr = NULL;
  const cJSON *r;
  fat_err err;

  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  if (fat_guia_historico(st, id, &arr, &err) != FAT_OK)
    return cli_error(&err);
  /* the revisions carry fields before and after (CPF, carteira): a full read */
  if (cli_leitor(cli, "guia historico", &leitor) == NULL ||
      fat_acesso_registrar(st, &leitor, FAT_ACESSO_GUIA, &id, 1, 1, &err) != FAT_OK) {
    cJSON_Delete(arr);
    return err.rc != FAT_OK ? cli_error(&err) : CLI_FAIL;
  }
  if (cli->json)
    return cli_emit_json(arr);
  printf("Histórico da guia %lld\n", (long long)id);
  cJSON_ArrayForEach(r, arr)
  {
    const char *acao = cli_jstr(r, "acao", "?"), *motivo = cli_jstr(r, "motivo", NULL);

    printf("\nrevisão %lld  %s  por %s  (%s)\n", (long long)cli_jint(r, "revisao"),
           fat_quando_br_de(cli_jstr(r, "em", NULL), "-").s, cli_jstr(r, "usuario", "?"),
           strcmp(acao, "importar") == 0   ? "importada"
           : strcmp(acao, "digitar") == 0  ? "digitada"
           : strcmp(acao, "editar") == 0   ? "corrigida"
           : strcmp(acao, "cancelar") == 0 ? "cancelada"
           : strcmp(acao, "reimportar") == 0 ? "reimportada"
                                           : acao);
    if (cli_jstr(r, "origem", NULL) != NULL)
      printf("  origem: %s\n", cli_jstr(r, "origem", ""));
    if (motivo != NULL)
      printf("  motivo: %s\n", motivo);
    print_alteracoes(cJSON_GetObjectItemCaseSensitive(r, "alteracoes"), "  ");
  }
  cJSON_Delete(arr);
  return CLI_OK;
}

/* One --campo CAMPO=VALOR (or a --remover-item N) collected for editar. */
typedef struct mudanca_cli {
  const char *campo;   /* "CAMPO=VALOR" */
  int remover;         /* item número to remove (then campo is NULL) */
} mudanca_cli;

static int editar(fat_cli *cli, int64_t id, const mudanca_cli *mv, size_t n,
                  const char *arquivo, const fat_guia_edit_opts *o0, int sem_regras)
{
  fat_store *st = cli_store(cli);
  fat_guia_edit_opts o = *o0;
  fat_guia_mudanca m;
  cJSON *patch = NULL;
  fat_err err;
  size_t i;
  int rc = CLI_OK;

  if (st == NULL)
    return CLI_FAIL;
  patch = arquivo != NULL ? ler_json(arquivo, &err) : cJSON_CreateObject();
  if (patch == NULL) {
    if (arquivo == NULL)
      fat_err_oom(&err);
    return cli_error(&err);
  }
  for (i = 0; i < n && rc == CLI_OK; i++) {
    fat_rc r;

    if (mv[i].campo != NULL) {
      const char *eq = strchr(mv[i].campo, '=');
      char nome[128];

      if (eq == NULL || eq == mv[i].campo || (size_t)(eq - mv[i].campo) >= sizeof nome) {
        rc = cli_usage_error("guia", "--campo espera CAMPO=VALOR (recebido: '%s')", mv[i].campo);
        break;
      }
      memcpy(nome, mv[i].campo, (size_t)(eq - mv[i].campo));
      nome[eq - mv[i].campo] = '\0';
      r = fat_guia_patch_campo(patch, nome, eq + 1, &err);
    } else {
      r = fat_guia_patch_remover_item(patch, mv[i].remover, &err);
    }
    if (r != FAT_OK)
      rc = cli_usage_error("guia", "%s", err.msg);
  }
  if (rc != CLI_OK) {
    cJSON_Delete(patch);
    return rc;
  }
  o.rules = abrir_regras(cli, st, sem_regras, &rc);
  if (rc != CLI_OK) {
    cJSON_Delete(patch);
    return rc;
  }
  if (fat_guia_editar(st, id, patch, &o, &m, &err) != FAT_OK)
    rc = ocupado_ou_erro(&err);
  else
    rc = print_mudanca(cli, &m, "corrigida");
  fat_guia_mudanca_fini(&m);
  fat_rules_close(o.rules);
  cJSON_Delete(patch);
  return rc;
}

static int cancelar(fat_cli *cli, int64_t id, const fat_guia_edit_opts *o0, int sem_regras)
{
  fat_store *st = cli_store(cli);
  fat_guia_edit_opts o = *o0;
  fat_guia_mudanca m;
  fat_err err;
  int rc;

  if (st == NULL)
    return CLI_FAIL;
  o.rules = abrir_regras(cli, st, sem_regras, &rc);
  if (rc != CLI_OK)
    return rc;
  if (fat_guia_cancelar(st, id, &o, &m, &err) != FAT_OK)
    rc = ocupado_ou_erro(&err);
  else
    rc = print_mudanca(cli, &m, "cancelada");
  fat_guia_mudanca_fini(&m);
  fat_rules_close(o.rules);
  return rc;
}

#define MAX_MUDANCAS 256

/* `guia digitar ARQ.json`: modo 0 saves a guia ready for conferir, 1 only
** evaluates it, 2 saves it as a draft. */
static int digitar(fat_cli *cli, const char *arq, int modo, const fat_guia_edit_opts *o0,
                   int sem_regras)
{
  fat_store *st = cli_store(cli);
  fat_guia_edit_opts o = *o0;
  fat_guia_mudanca m;
  cJSON *form = NULL, *av = NULL;
  const cJSON *a;
  char *buf = NULL;
  size_t len = 0;
  int64_t rid = 0;
  fat_err err;
  int rc = CLI_OK;

  if (st == NULL)
    return CLI_FAIL;
  if (fat_file_read(arq, FAT_DIGITACAO_MAX_FORM, &buf, &len, &err) != FAT_OK)
    return cli_error(&err);
  form = cJSON_ParseWithLength(buf, len);
  fat_free(buf);
  if (form == NULL) {
    fat_err_set(&err, FAT_EINVAL, "%s: JSON inválido", arq);
    return cli_error(&err);
  }
  if (modo == 2) {
    if (fat_digitacao_rascunho_salvar(st, 0, form, &rid, &err) != FAT_OK)
      rc = cli_error(&err);
    else if (cli->json)
      printf("{\"rascunho\":%lld}\n", (long long)rid);
    else
      printf("rascunho %lld gravado (ainda não é uma guia)\n", (long long)rid);
    cJSON_Delete(form);
    return rc;
  }
  o.rules = abrir_regras(cli, st, sem_regras, &rc);
  if (rc != CLI_OK) {
    cJSON_Delete(form);
    return rc;
  }
  if (modo == 1) {
    if (fat_digitacao_avaliar(st, o.rules, form, o.hoje, &av, &err) != FAT_OK) {
      rc = cli_error(&err);
    } else if (cli->json) {
      rc = cli_emit_json(av);
      av = NULL;
    } else if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(av, "valido"))) {
      cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(av, "erros"))
        printf("%s%s%s\n", cli_jstr(a, "rotulo", ""), cli_jstr(a, "rotulo", "")[0] ? ": " : "",
               cli_jstr(a, "mensagem", ""));
      rc = CLI_FAIL;
    } else {
      printf("%s: %lld bloqueio(s), %lld alerta(s)\n",
             cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(av, "pronta")) ? "pronta"
                                                                          : "não está pronta",
             (long long)cli_jint(av, "bloqueios"), (long long)cli_jint(av, "alertas"));
      cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(av, "achados"))
        printf("  [%s] %s: %s\n", cli_jstr(a, "severidade", ""), cli_jstr(a, "codigo", ""),
               cli_jstr(a, "mensagem", ""));
      rc = cli_jint(av, "bloqueios") > 0 ? CLI_FAIL : CLI_OK;
    }
  } else if (fat_digitacao_gravar(st, form, 0, &o, &m, &err) != FAT_OK) {
    rc = ocupado_ou_erro(&err);
    fat_guia_mudanca_fini(&m);
  } else {
    rc = print_mudanca(cli, &m, "digitada");
    fat_guia_mudanca_fini(&m);
  }
  cJSON_Delete(av);
  cJSON_Delete(form);
  fat_rules_close(o.rules);
  return rc;
}

int cli_guia(fat_cli *cli, int argc, char **argv)
{
  enum { O_NUM = 1, O_OPER, O_CAMPO, O_REM, O_ALT, O_MOT, O_HOJE, O_SEM, O_AVAL, O_RASC };
  static const struct option opts[] = {
    {"numero", required_argument, NULL, O_NUM},    {"operadora", required_argument, NULL, O_OPER},
    {"campo", required_argument, NULL, O_CAMPO},   {"remover-item", required_argument, NULL, O_REM},
    {"alteracao", required_argument, NULL, O_ALT}, {"motivo", required_argument, NULL, O_MOT},
    {"hoje", required_argument, NULL, O_HOJE},     {"sem-regras", no_argument, NULL, O_SEM},
    {"avaliar", no_argument, NULL, O_AVAL},        {"rascunho", no_argument, NULL, O_RASC},
    {"help", no_argument, NULL, 'h'},              {NULL, 0, NULL, 0}};
  const char *numero = NULL, *operadora = NULL, *arquivo = NULL, *sub;
  static mudanca_cli mv[MAX_MUDANCAS];
  size_t n_mv = 0;
  fat_guia_edit_opts o;
  int64_t id = 0, seq;
  int c, sem_regras = 0, modo = 0;
  char hoje[FAT_DIA_ISO_LEN];

  if (cli_wants_help(argc, argv)) {
    help();
    return CLI_OK;
  }
  c = 1;
  while (c < argc && argv[c][0] == '-')
    c++;
  if (c < argc && cli_guia_anexo_sub(argv[c]))
    return cli_guia_anexo(cli, argc, argv);
  if (c < argc && cli_guia_papel_sub(argv[c]))
    return cli_guia_papel(cli, argc, argv);
  memset(&o, 0, sizeof o);
  optind = 1;
  opterr = 0;
  for (c = getopt_long(argc, argv, "h", opts, NULL); c != -1;
       c = getopt_long(argc, argv, "h", opts, NULL)) {
    switch (c) {
    case O_NUM: numero = optarg; break;
    case O_OPER: operadora = optarg; break;
    case O_CAMPO:
    case O_REM:
      if (n_mv == MAX_MUDANCAS)
        return cli_usage_error("guia", "mudanças demais numa só correção (máximo %d): use "
                                       "--alteracao ARQ.json", MAX_MUDANCAS);
      if (c == O_REM && parse_id(optarg, &seq) != 0)
        return cli_usage_error("guia", "--remover-item espera o número do item (1, 2, ...)");
      mv[n_mv].campo = c == O_CAMPO ? optarg : NULL;
      mv[n_mv].remover = c == O_REM ? (int)seq : 0;
      n_mv++;
      break;
    case O_ALT: arquivo = optarg; break;
    case O_MOT: o.motivo = optarg; break;
    case O_HOJE:
      o.hoje = optarg;
      if (cli_arg_data("guia", "--hoje", &o.hoje, hoje) != CLI_OK)
        return CLI_USAGE;
      break;
    case O_SEM: sem_regras = 1; break;
    case O_AVAL: modo = 1; break;
    case O_RASC: modo = 2; break;
    default:
      return cli_bad_option("guia", argv, opts);
    }
  }
  if (optind >= argc)
    return cli_usage_error("guia", "diga o que fazer: mostrar, editar, cancelar, historico, "
                                   "digitar, anexar, papel ou imprimir");
  sub = argv[optind++];
  if (strcmp(sub, "mostrar") == 0 && (numero != NULL || operadora != NULL)) {
    if (numero == NULL || operadora == NULL)
      return cli_usage_error("guia", "--numero e --operadora vão juntos");
    if (optind < argc)
      return cli_usage_error("guia", "argumento inesperado '%s'", argv[optind]);
    return mostrar(cli, 0, numero, operadora);
  }
  if (strcmp(sub, "digitar") == 0) {
    if (optind + 1 != argc)
      return cli_usage_error("guia", "uso: faturo guia digitar ARQ.json [--avaliar|--rascunho]");
    return digitar(cli, argv[optind], modo, &o, sem_regras);
  }
  if (modo != 0)
    return cli_usage_error("guia", "--avaliar e --rascunho são do digitar");
  if (strcmp(sub, "mostrar") != 0 && strcmp(sub, "editar") != 0 &&
      strcmp(sub, "cancelar") != 0 && strcmp(sub, "historico") != 0)
    return cli_usage_error("guia",
                           "subcomando desconhecido '%s' (mostrar, editar, cancelar, "
                           "historico, digitar, anexar, anexos, anexo, papel, imprimir)",
                           sub);
  if (optind >= argc)
    return cli_usage_error("guia", "falta o id da guia");
  if (parse_id(argv[optind], &id) != 0)
    return cli_usage_error("guia", "id de guia inválido '%s'", argv[optind]);
  if (optind + 1 < argc)
    return cli_usage_error("guia", "argumento inesperado '%s'", argv[optind + 1]);
  if (strcmp(sub, "mostrar") == 0)
    return mostrar(cli, id, NULL, NULL);
  if (strcmp(sub, "historico") == 0)
    return historico(cli, id);
  if (strcmp(sub, "cancelar") == 0) {
    if (o.motivo == NULL || o.motivo[0] == '\0')
      return cli_usage_error("guia", "informe o motivo: --motivo \"...\"");
    return cancelar(cli, id, &o, sem_regras);
  }
  if (n_mv == 0 && arquivo == NULL)
    return cli_usage_error("guia", "diga o que mudar: --campo CAMPO=VALOR, --remover-item N "
                                   "ou --alteracao ARQ.json");
  return editar(cli, id, mv, n_mv, arquivo, &o, sem_regras);
}
