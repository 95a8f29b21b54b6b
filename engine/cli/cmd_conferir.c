/* cmd_conferir.c: `faturo conferir` (Part C). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "fat_conferir.h"
#include "fat_demo.h"
#include "fat_docnum.h"
#include "fat_model.h"
#include "fat_money.h"
#include "fat_rules.h"

static void help(void)
{
  printf("uso: faturo conferir [--operadora REGISTRO_ANS|CHAVE|ID] [--competencia AAAA-MM]\n"
         "                     [--guia N] [--hoje AAAA-MM-DD] [--todas] [--threads N] [--detalhes]\n"
         "                     [--json]\n"
         "       faturo conferir --avaliar-demo [--min-recall 0.99] [--min-precisao 0.99]\n"
         "\n"
         "Confere as guias ainda não enviadas (digitadas, conferidas ou pendentes):\n"
         "campos obrigatórios, CPF/CNS/CNPJ, conselho e CBO, códigos TUSS, datas da senha\n"
         "e da carteira, período da internação, total da guia, sexo do procedimento,\n"
         "duplicidades, prazo de apresentação, preços do contrato e as regras do script\n"
         "da operadora. Cada achado diz o que corrigir, a glosa que evita e o valor em\n"
         "risco. Só reconfere guias que mudaram (ou cujas regras mudaram).\n"
         "\n"
         "  --operadora X     só a operadora (registro ANS, chave do script ou id);\n"
         "                    uma operadora não cadastrada é recusada\n"
         "  --competencia M   só a competência AAAA-MM\n"
         "  --guia N          só a guia de id N (em qualquer situação)\n"
         "  --hoje DATA       data de referência para prazos (padrão: hoje)\n"
         "  --todas           reconfere também as guias sem mudança\n"
         "  --threads N       confere em N threads, de 1 a 16 (padrão: $FAT_THREADS, ou o\n"
         "                    número de núcleos); o resultado é o mesmo com qualquer N\n"
         "  --detalhes        lista os achados de todas as guias (sem isso, só das 50\n"
         "                    primeiras; os demais estão em faturo achado listar)\n"
         "  --sem-regras      confere sem os scripts das operadoras (só as regras internas)\n"
         "  --avaliar-demo    confere e compara os achados com os defeitos injetados pela\n"
         "                    demo: recall e precisão por classe (saída 1 abaixo do mínimo)\n"
         "  --json            um objeto JSON por achado, por linha, e um resumo no fim\n"
         "\n"
         "Com FAT_CONFERIR_ESPERAS=1 no ambiente, mostra no erro padrão quanto tempo as\n"
         "threads gravaram e esperaram umas pelas outras, a memória que cada uma guardou\n"
         "e se o banco foi mapeado na memória (para medir o desempenho).\n"
         "\n"
         "saída: 0 sem bloqueios em aberto; 1 com bloqueio não reconhecido ou erro;\n"
         "2 uso incorreto; 3 banco de dados ocupado por outro processo (nada foi\n"
         "alterado: tente de novo). Reconheça um achado com:\n"
         "faturo achado reconhecer ID --motivo ...\n");
}


/* How long the threads of the run stored and waited (FAT_CONFERIR_ESPERAS),
** on stderr: for measuring, not part of the report. */
static void print_esperas(const fat_conferir_resumo *r)
{
  double vida = r->ns_threads > 0 ? (double)r->ns_threads : 1.0;

  if (r->threads <= 0) {
    fprintf(stderr, "esperas: conferir rodou numa thread\n");
    return;
  }
  fprintf(stderr,
          "esperas: %d threads, %.2f s; gravando %.2f s; esperando pela situação de outra "
          "guia %.2f s, por lote gravado %.2f s, no início e no fim %.2f s: %.1f%% do tempo "
          "das threads (%.2f s); %zu esperas\n",
          r->threads, (double)r->ns_total / 1e9, (double)r->ns_gravando / 1e9,
          (double)r->ns_espera_situacao / 1e9, (double)r->ns_espera_lote / 1e9,
          (double)r->ns_espera_fim / 1e9,
          100.0 * (double)(r->ns_espera_situacao + r->ns_espera_lote + r->ns_espera_fim) / vida,
          vida / 1e9, r->esperas);
  fprintf(stderr,
          "memória por thread: cache de páginas de até %d MB (o maior terminou com %.1f MB); "
          "blocos pequenos guardados %.1f MB; banco mapeado na memória: %s\n",
          r->paginas_mb_thread, (double)r->paginas_thread_max / 1e6,
          (double)r->blk_thread_max / 1e6, r->mmap_bytes > 0 ? "sim" : "não");
}
/* Text output lists the findings of the first CONFERIR_MOSTRAR guias; the
** rest are counted (faturo achado listar has them all, --detalhes prints
** them): printing tens of thousands of findings costs more than checking. */
#define CONFERIR_MOSTRAR 50

typedef struct out_ctx {
  int json;
  int quiet;          /* --avaliar-demo: only the table */
  int detalhes;       /* --detalhes: every guia's findings in text mode */
  size_t mostradas;   /* guias whose findings were printed */
  size_t omitidas;    /* guias with findings not printed */
} out_ctx;

static void on_guia(void *ud, const fat_conferir_guia *r)
{
  out_ctx *oc = ud;
  size_t i;
  char money[40];

  if (oc->quiet)
    return;
  if (r->erro != NULL) {
    if (oc->json) {
      cJSON *o = cJSON_CreateObject();

      if (o != NULL) {
        cJSON_AddStringToObject(o, "tipo", "erro");
        cJSON_AddNumberToObject(o, "guia_id", (double)r->guia_id);
        if (r->numero_prestador != NULL)
          cJSON_AddStringToObject(o, "numero_prestador", r->numero_prestador);
        cJSON_AddStringToObject(o, "erro", r->erro);
        (void)cli_print_json(o);
        cJSON_Delete(o);
      }
    } else {
      fprintf(stderr, "faturo conferir: guia %lld (%s): %s\n", (long long)r->guia_id,
              r->numero_prestador != NULL ? r->numero_prestador : "?", r->erro);
    }
  }
  if (r->achados->n == 0)
    return;
  if (!oc->json && !oc->detalhes && oc->mostradas >= CONFERIR_MOSTRAR) {
    oc->omitidas++;
    return;
  }
  oc->mostradas++;
  if (!oc->json) {
    fat_money_format_br(r->valor_risco, money, sizeof money);
    printf("guia %lld (%s, %s): %s, em risco %s\n", (long long)r->guia_id,
           r->numero_prestador != NULL ? r->numero_prestador : "?",
           r->operadora != NULL ? r->operadora : "?", r->status, money);
  }
  for (i = 0; i < r->achados->n; i++) {
    const fat_finding *f = &r->achados->v[i];

    if (oc->json) {
      cJSON *o = cJSON_CreateObject();

      if (o == NULL)
        continue;
      cJSON_AddStringToObject(o, "tipo", "achado");
      cJSON_AddNumberToObject(o, "id", (double)r->achado_ids[i]);
      cJSON_AddNumberToObject(o, "guia_id", (double)r->guia_id);
      if (r->numero_prestador != NULL)
        cJSON_AddStringToObject(o, "numero_prestador", r->numero_prestador);
      if (r->operadora != NULL)
        cJSON_AddStringToObject(o, "operadora", r->operadora);
      cJSON_AddStringToObject(o, "codigo", f->codigo);
      cJSON_AddStringToObject(o, "severidade", fat_severidade_str(f->severidade));
      if (f->campo != NULL)
        cJSON_AddStringToObject(o, "campo", f->campo);
      cJSON_AddStringToObject(o, "mensagem", f->mensagem);
      if (f->glosa_prevista != NULL)
        cJSON_AddStringToObject(o, "glosa_prevista", f->glosa_prevista);
      cJSON_AddNumberToObject(o, "valor_risco", (double)f->valor_risco);
      if (f->regra != NULL)
        cJSON_AddStringToObject(o, "regra", f->regra);
      if (f->script_sha256 != NULL)
        cJSON_AddStringToObject(o, "script_sha256", f->script_sha256);
      cJSON_AddBoolToObject(o, "reconhecido", r->reconhecido[i] != 0);
      (void)cli_print_json(o);
      cJSON_Delete(o);
    } else {
      fat_money_format_br(f->valor_risco, money, sizeof money);
      printf("  [%s%s] %s", fat_severidade_str(f->severidade),
             r->reconhecido[i] ? ", reconhecido" : "", f->codigo);
      if (f->campo != NULL)
        printf(" em %s", f->campo);
      if (f->glosa_prevista != NULL)
        printf(" (glosa %s", f->glosa_prevista);
      else
        printf(" (");
      if (f->valor_risco != 0)
        printf("%s%s", f->glosa_prevista != NULL ? ", " : "", money);
      printf(") achado %lld\n      %s\n", (long long)r->achado_ids[i], f->mensagem);
    }
  }
}

static void print_summary(const fat_conferir_resumo *res, const out_ctx *oc, int json)
{
  char money[40];

  if (json) {
    cJSON *o = cJSON_CreateObject();

    if (o == NULL)
      return;
    cJSON_AddStringToObject(o, "tipo", "resumo");
    cJSON_AddStringToObject(o, "hoje", res->hoje);
    cJSON_AddNumberToObject(o, "selecionadas", (double)res->selecionadas);
    cJSON_AddNumberToObject(o, "conferidas", (double)res->conferidas);
    cJSON_AddNumberToObject(o, "sem_mudanca", (double)res->sem_mudanca);
    cJSON_AddNumberToObject(o, "com_bloqueio", (double)res->com_bloqueio);
    cJSON_AddNumberToObject(o, "com_alerta", (double)res->com_alerta);
    cJSON_AddNumberToObject(o, "com_erro", (double)res->com_erro);
    cJSON_AddNumberToObject(o, "achados", (double)res->achados);
    cJSON_AddNumberToObject(o, "valores_preenchidos", (double)res->preenchidos);
    cJSON_AddNumberToObject(o, "valor_risco", (double)res->valor_risco);
    cJSON_AddNumberToObject(o, "bloqueios_abertos", (double)res->bloqueios_abertos);
    cJSON_AddNumberToObject(o, "guias_bloqueadas", (double)res->guias_bloqueadas);
    (void)cli_print_json(o);
    cJSON_Delete(o);
    return;
  }
  fat_money_format_br(res->valor_risco, money, sizeof money);
  if (oc->omitidas > 0)
    printf("\n(achados de mais %zu guia(s) não mostrados aqui: veja faturo achado listar, "
           "ou rode com --detalhes)\n",
           oc->omitidas);
  printf("\nconferência (referência %s): %zu guia(s) conferida(s)\n", res->hoje,
         res->conferidas);
  printf("  com bloqueio: %zu   com alerta: %zu   com erro de script/preço: %zu\n",
         res->com_bloqueio, res->com_alerta, res->com_erro);
  printf("  valor em risco: %s\n", money);
  if (res->preenchidos > 0)
    printf("  %zu item(ns) sem valor preenchido(s) com o valor do contrato\n", res->preenchidos);
  if (res->sem_mudanca > 0)
    printf("  %zu guia(s) sem mudança desde a última conferência; use --todas para "
           "reconferir\n",
           res->sem_mudanca);
  if (res->bloqueios_abertos > 0)
    printf("  %zu bloqueio(s) em aberto em %zu guia(s): corrija ou reconheça "
           "(faturo achado reconhecer ID --motivo ...)\n",
           res->bloqueios_abertos, res->guias_bloqueadas);
  else
    printf("  nenhum bloqueio em aberto: guias prontas para lote\n");
}

static int avaliar(fat_store *st, double min_recall, double min_prec, int json)
{
  cJSON *rep = NULL, *c;
  fat_err err;
  int ok;

  if (fat_demo_avaliar(st, min_recall, min_prec, &rep, &err) != FAT_OK)
    return cli_error(&err);
  ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rep, "ok"));
  if (json) {
    (void)cli_print_json(rep);
  } else {
    printf("avaliação da conferência contra os defeitos da demo (%d guias conferidas)\n",
           cJSON_GetObjectItemCaseSensitive(rep, "avaliadas")->valueint);
    printf("%-24s %-24s %9s %10s %8s %11s %9s\n", "classe", "código", "injetadas",
           "detectadas", "recall", "sinalizadas", "precisão");
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(rep, "classes"))
    {
      double rec = cJSON_GetObjectItemCaseSensitive(c, "recall")->valuedouble;
      int inj = cJSON_GetObjectItemCaseSensitive(c, "injetadas")->valueint;

      printf("%-24s %-24s %9d %10d %7.1f%% %11d %8.1f%%%s\n",
             cJSON_GetObjectItemCaseSensitive(c, "classe")->valuestring,
             cJSON_GetObjectItemCaseSensitive(c, "codigo")->valuestring, inj,
             cJSON_GetObjectItemCaseSensitive(c, "detectadas")->valueint, rec * 100.0,
             cJSON_GetObjectItemCaseSensitive(c, "sinalizadas")->valueint,
             cJSON_GetObjectItemCaseSensitive(c, "precisao")->valuedouble * 100.0,
             inj > 0 && rec < min_recall ? "  << abaixo do mínimo"
                                         : (inj == 0 ? "  (não injetada)" : ""));
    }
    printf("guias limpas: %d, com bloqueio: %d, precisão %.2f%% (mínimo %.2f%%)\n",
           cJSON_GetObjectItemCaseSensitive(rep, "limpas")->valueint,
           cJSON_GetObjectItemCaseSensitive(rep, "limpas_com_bloqueio")->valueint,
           cJSON_GetObjectItemCaseSensitive(rep, "precisao_limpas")->valuedouble * 100.0,
           min_prec * 100.0);
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(rep, "falsos_alarmes"))
    {
      printf("  falso alarme: guia %d %s: %s\n",
             cJSON_GetObjectItemCaseSensitive(c, "guia_id")->valueint,
             cJSON_GetObjectItemCaseSensitive(c, "codigo")->valuestring,
             cJSON_GetObjectItemCaseSensitive(c, "mensagem")->valuestring);
    }
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(rep, "classes"))
    {
      cJSON *m = cJSON_GetObjectItemCaseSensitive(c, "exemplos_perdidos"), *x;

      if (cJSON_GetArraySize(m) == 0)
        continue;
      printf("  %s não detectado em: guia", cJSON_GetObjectItemCaseSensitive(c, "classe")->valuestring);
      cJSON_ArrayForEach(x, m) printf(" %d", x->valueint);
      printf("\n");
    }
    printf("%s\n", ok ? "resultado: ok" : "resultado: ABAIXO DO MÍNIMO");
  }
  cJSON_Delete(rep);
  return ok ? CLI_OK : CLI_FAIL;
}

/* A failure of the run: a busy store has its own message and exit code
** (it is not a finding, and skipping the rules would not help). */
static int falha(const fat_err *err)
{
  return cli_error(err); /* CLI_OCUPADO for FAT_EBUSY, with the store's message */
}

static int parse_ratio(const char *s, double *out)
{
  char *end;
  double v = strtod(s, &end);

  if (end == s || *end != '\0' || v < 0.0 || v > 1.0)
    return -1;
  *out = v;
  return 0;
}

int cli_conferir(fat_cli *cli, int argc, char **argv)
{
  enum { O_OPER = 1, O_COMP, O_GUIA, O_HOJE, O_TODAS, O_SEM, O_AVAL, O_MINR, O_MINP, O_DET,
         O_THR };
  static const struct option opts[] = {
    {"operadora", required_argument, NULL, O_OPER},  {"competencia", required_argument, NULL, O_COMP},
    {"guia", required_argument, NULL, O_GUIA},       {"hoje", required_argument, NULL, O_HOJE},
    {"todas", no_argument, NULL, O_TODAS},           {"sem-regras", no_argument, NULL, O_SEM},
    {"avaliar-demo", no_argument, NULL, O_AVAL},     {"min-recall", required_argument, NULL, O_MINR},
    {"min-precisao", required_argument, NULL, O_MINP}, {"detalhes", no_argument, NULL, O_DET},
    {"threads", required_argument, NULL, O_THR},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};
  fat_conferir_opts o;
  fat_conferir_resumo res;
  fat_rules *rules = NULL;
  fat_store *st;
  fat_err err;
  char comp[FAT_DIA_COMP_LEN], hoje[FAT_DIA_ISO_LEN];
  out_ctx oc;
  int c, sem_regras = 0, aval = 0, detalhes = 0, rc;
  double min_recall = 0.99, min_prec = 0.99;
  char *end;

  if (cli_wants_help(argc, argv)) {
    help();
    return CLI_OK;
  }
  memset(&o, 0, sizeof o);
  o.threads = cli_threads_padrao();
  optind = 1;
  opterr = 0;
  for (c = getopt_long(argc, argv, "h", opts, NULL); c != -1;
       c = getopt_long(argc, argv, "h", opts, NULL)) {
    switch (c) {
    case O_OPER: o.operadora = optarg; break;
    case O_COMP:
      o.competencia = optarg;
      if (cli_arg_competencia("conferir", "--competencia", &o.competencia, comp) != CLI_OK)
        return CLI_USAGE;
      break;
    case O_GUIA:
      o.guia_id = strtoll(optarg, &end, 10);
      if (end == optarg || *end != '\0' || o.guia_id <= 0)
        return cli_usage_error("conferir", "--guia espera o id numérico da guia");
      o.uma_guia = 1;
      break;
    case O_HOJE:
      o.hoje = optarg;
      if (cli_arg_data("conferir", "--hoje", &o.hoje, hoje) != CLI_OK)
        return CLI_USAGE;
      break;
    case O_TODAS: o.todas = 1; break;
    case O_THR:
      o.threads = cli_threads_parse(optarg);
      if (o.threads <= 0)
        return cli_usage_error("conferir", "--threads espera um número de 1 a 16");
      break;
    case O_DET: detalhes = 1; break;
    case O_SEM: sem_regras = 1; break;
    case O_AVAL: aval = 1; break;
    case O_MINR:
      if (parse_ratio(optarg, &min_recall) != 0)
        return cli_usage_error("conferir", "--min-recall espera um número entre 0 e 1");
      break;
    case O_MINP:
      if (parse_ratio(optarg, &min_prec) != 0)
        return cli_usage_error("conferir", "--min-precisao espera um número entre 0 e 1");
      break;
    case 'h': help(); return CLI_OK;
    default:
      return cli_bad_option("conferir", argv, opts);
    }
  }
  if (optind < argc)
    return cli_usage_error("conferir", "argumento inesperado '%s'", argv[optind]);
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  if (!sem_regras) {
    if (fat_rules_open(cli->regras_dir, NULL, st, &rules, &err) != FAT_OK) {
      /* a busy, full or read-only database is not the rules' fault */
      if (fat_store_ocupado(&err) || err.rc == FAT_EDB || err.rc == FAT_ENOMEM)
        return falha(&err);
      fat_err_prefix(&err, "regras em %s: ", cli->regras_dir);
      cli_error(&err);
      fprintf(stderr, "(corrija as regras, ou use --sem-regras para conferir só as regras "
                      "internas)\n");
      return CLI_FAIL;
    }
  }
  memset(&oc, 0, sizeof oc);
  oc.json = cli->json;
  oc.quiet = aval;
  oc.detalhes = detalhes;
  if (fat_conferir(st, rules, &o, on_guia, &oc, &res, &err) != FAT_OK) {
    fat_rules_close(rules);
    return falha(&err);
  }
  fat_rules_close(rules);
  if (aval)
    return avaliar(st, min_recall, min_prec, cli->json);
  print_summary(&res, &oc, cli->json);
  if (getenv("FAT_CONFERIR_ESPERAS") != NULL)
    print_esperas(&res);
  rc = (res.bloqueios_abertos > 0 || res.com_erro > 0) ? CLI_FAIL : CLI_OK;
  return rc;
}
