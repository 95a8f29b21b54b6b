/* bench_conferir.c: conferir throughput against the floor of just reading
** the same guias (fat_guia_load).
**
** usage: bench_conferir [N [DB]]   (default 100000 guias, bench_conferir.db)
** FAT_THREADS: threads of the threaded re-check (default 2).
** Builds N guias with the demo generator (the four demo operators, all four
** guia types, 1 to 30 items, priced by the contracts, ~30% with injected
** defects), then times:
**   - fat_guia_load of every guia (the floor),
**   - a full conferir (--todas) with the operator scripts and pricing from
**     $FATURO_REGRAS (or the source tree's rules/),
**   - an incremental re-run (nothing changed),
**   - the same full re-check on 1 thread and on FAT_THREADS threads (the
**     same answers, checked: else exit 1).
** Prints wall-clock and CPU seconds (the CPU figure is steadier on a shared
** machine); asserts nothing.
**
** The peer: the same guias are written as JSON lines in the format of
** ../shared/bench/peers (gen_guias.py) and json-rules-engine evaluates its 9
** rules over them in memory (node jre.js), in the same run, when
** FAT_PEERS_DIR names a copy of that folder with `npm install` done (see
** docs/desempenho.md). faturo's conferir runs its whole check set (built-in
** checks, the demo operators' scripts, pricing, storing findings), a
** superset of those 9 rules.
**
** The goals of Part M are printed as ratios measured in this run:
**   conferir end to end faster than json-rules-engine in memory (>= 1.0),
**   conferir <= 3x the floor (reading the same guias). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <unistd.h>

#include "fat_conferir.h"
#include "fat_demo.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_paths.h"
#include "fat_price.h"
#include "fat_rules.h"
#include "fat_relatorio.h"

#define COMPETENCIA "2026-10"
#define HOJE "2026-11-05"   /* the demo bills on the 5th of the next month */

static double secs(int64_t a, int64_t b) { return (double)(b - a) / 1e9; }

/* CPU time of the process (user + system), seconds. */
static double cpu(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A thread count 1..16 from text, else 0. */
static int atoi_ok(const char *s)
{
  char *end;
  long v = strtol(s, &end, 10);

  return (end == s || *end != '\0' || v < 1 || v > 16) ? 0 : (int)v;
}

static int die(const char *what, const fat_err *err)
{
  fprintf(stderr, "bench_conferir: %s: %s\n", what, err->msg);
  return 1;
}

/* One guia as a line of the peers' format (gen_guias.py): the fields its 9
** rules read. Absent dates compare as never expiring, absent text as "". */
static void peer_line(FILE *f, const fat_guia *g)
{
  size_t i;

  fprintf(f, "{\"id\":%lld,\"tipo\":\"%s\",\"carteira\":\"%s\",\"validade_carteira\":\"%s\","
          "\"senha\":\"%s\",\"validade_senha\":\"%s\",\"data\":\"%s\",\"cid\":\"%s\","
          "\"assinatura\":%s,\"valor_total\":%lld,\"itens\":[",
          (long long)g->id,
          g->tipo == FAT_GUIA_CONSULTA ? "consulta"
          : g->tipo == FAT_GUIA_HONORARIOS ? "honorarios" : "sadt",
          g->carteira_numero != NULL ? g->carteira_numero : "",
          g->carteira_validade != NULL ? g->carteira_validade : "9999-12-31",
          g->senha != NULL ? g->senha : "",
          g->validade_senha != NULL ? g->validade_senha : "9999-12-31",
          g->data_inicio != NULL ? g->data_inicio : "", g->cid != NULL ? g->cid : "",
          g->assinatura_beneficiario ? "true" : "false",
          (long long)(g->valor_total != FAT_ABSENT ? g->valor_total : 0));
  for (i = 0; i < g->n_itens; i++) {
    const fat_item *it = &g->itens[i];
    long long qtd = it->quantidade_e4 != FAT_ABSENT ? it->quantidade_e4 / 10000 : 0;
    long long vt = it->valor_total != FAT_ABSENT ? it->valor_total : 0;
    long long vu = it->valor_unitario != FAT_ABSENT ? it->valor_unitario : 0;

    fprintf(f, "%s{\"seq\":%d,\"codigo\":\"%s\",\"qtd\":%lld,\"valor\":%lld,"
            "\"preco_tabela\":%lld}", i > 0 ? "," : "", it->sequencial,
            it->codigo != NULL ? it->codigo : "", qtd, vt, vu);
  }
  fputs("]}\n", f);
}

/* CPU seconds of the waited children (user + system). */
static double cpu_children(void)
{
  struct rusage ru;

  getrusage(RUSAGE_CHILDREN, &ru);
  return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
         (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* json-rules-engine over the peers file: its guias/s, or 0 when the peers
** folder is not set up (FAT_PEERS_DIR with node_modules). *secs_out: its
** own timing of the evaluation; *cpu_out: CPU of the whole node process
** (reading and parsing the file included); *loop_cpu_out: CPU of the loop it
** timed (bench/pares/cpu.js preloaded; 0 when that file is not found). */
static double peer_jre(const char *jsonl, double *secs_out, double *cpu_out, double *loop_cpu_out)
{
  const char *dir = getenv("FAT_PEERS_DIR");
  char cmd[3600], line[4096], mod[1100], pre[1300] = "";
  const char *p;
  double gps = 0;
  FILE *f;

  double c0 = cpu_children();

  *secs_out = 0;
  *cpu_out = 0;
  *loop_cpu_out = 0;
  if (dir == NULL || dir[0] == '\0')
    return 0;
  snprintf(mod, sizeof mod, "%s/node_modules/json-rules-engine", dir);
  if (access(mod, R_OK) != 0) {
    fprintf(stderr, "bench_conferir: %s não existe (rode npm install em FAT_PEERS_DIR)\n", mod);
    return 0;
  }
  if (fat_paths_data_dir() != NULL) {
    snprintf(mod, sizeof mod, "%s/bench/pares/cpu.js", fat_paths_data_dir());
    if (access(mod, R_OK) == 0 && strchr(mod, '\'') == NULL)
      snprintf(pre, sizeof pre, "--require '%s' ", mod);
  }
  snprintf(cmd, sizeof cmd, "node %s'%s/jre.js' '%s'", pre, dir, jsonl);
  f = popen(cmd, "r");
  if (f == NULL)
    return 0;
  while (fgets(line, sizeof line, f) != NULL) {
    p = strstr(line, "\"cpu_s\":");
    if (p != NULL) {
      *loop_cpu_out = strtod(p + 8, NULL);
      continue;
    }
    p = strstr(line, "\"guias_per_s\":");
    if (p != NULL)
      gps = strtod(p + 14, NULL);
    p = strstr(line, "\"seconds\":");
    if (p != NULL)
      *secs_out = strtod(p + 10, NULL);
    if (strstr(line, "counts") != NULL)
      printf("  json-rules-engine: %s", line);
  }
  if (pclose(f) != 0)
    return 0;
  *cpu_out = cpu_children() - c0;
  return gps;
}

/* The demo clinic with n guias; beneficiaries scale with n so the clean
** guias stay clean (retorno windows, duplicates). */
static int generate(fat_store *st, const char *regras, int n, fat_err *err)
{
  fat_gen *gen = NULL;
  fat_pricer *pricer = NULL;
  fat_demo_opcoes op;
  fat_demo_resumo res;
  long linhas = 0;
  int rc = 1;

  memset(&op, 0, sizeof op);
  op.n_guias = n;
  op.semente = 1;
  op.competencia = COMPETENCIA;
  op.n_beneficiarios = n / 2 > 2000 ? n / 2 : 2000;
  if (fat_gen_build(regras, NULL, NULL, NULL, &gen, err) != FAT_OK ||
      fat_pricer_new_gen(st, gen, &pricer, err) != FAT_OK)
    goto out;
  if (fat_store_begin(st, err) != FAT_OK)
    goto out;
  if (fat_demo_tabelas(st, regras, &linhas, err) != FAT_OK ||
      fat_demo_gerar(st, pricer, &op, &res, err) != FAT_OK) {
    fat_store_rollback(st);
    goto out;
  }
  rc = fat_store_commit(st, err) != FAT_OK;
out:
  fat_pricer_free(pricer);
  fat_gen_release(gen);
  return rc;
}

int main(int argc, char **argv)
{
  int n = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 100000;
  const char *db = argc > 2 ? argv[2] : "bench_conferir.db";
  const char *regras = getenv("FATURO_REGRAS");
  fat_store *st = NULL;
  fat_rules *rules = NULL;
  fat_err err;
  fat_conferir_opts o;
  fat_conferir_resumo res, r2, rt;
  int64_t t0, *ids = NULL;
  size_t n_ids = 0, i;
  double t_gen, t_load, t_conf, t_incr, c0, c_load, c_conf, jre_gps, jre_s, jre_cpu, conf_gps;
  double jre_loop_cpu;
  double t_re1, c_re1, t_ren, c_ren;
  const char *thr = getenv("FAT_THREADS");
  int nthreads = thr != NULL && atoi_ok(thr) > 0 ? atoi_ok(thr) : 2;
  FILE *pf;
  fat_pagina pg;
  cJSON *rows = NULL, *row;
  char cursor[FAT_CURSOR_MAX] = "";
  char rules_def[4200], peers[1100];

  if ((regras == NULL || regras[0] == '\0') && fat_paths_data_dir() != NULL) {
    snprintf(rules_def, sizeof rules_def, "%s/rules", fat_paths_data_dir());
    regras = rules_def;
  }
  if (n < 100)
    n = 100;
  fat_store_remove_files(db);
  if (fat_store_create(db, &st, &err) != FAT_OK)
    return die("abrir banco", &err);
  t0 = fat_now_ns();
  if (generate(st, regras, n, &err) != 0)
    return die("gerar guias", &err);
  t_gen = secs(t0, fat_now_ns());

  ids = fat_malloc((size_t)n * 2 * sizeof *ids);
  if (ids == NULL) {
    fat_err_oom(&err);
    return die("listar guias", &err);
  }
  do { /* every guia id, page by page (fat_relatorio.h) */
    memset(&pg, 0, sizeof pg);
    pg.limite = FAT_PAGINA_MAX;
    pg.apos = cursor;
    if (fat_relatorio_guias(st, NULL, &pg, &rows, &err) != FAT_OK)
      return die("listar guias", &err);
    cJSON_ArrayForEach(row, rows)
    {
      if (n_ids < (size_t)n * 2)
        ids[n_ids++] = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(row, "id"));
    }
    cJSON_Delete(rows);
    snprintf(cursor, sizeof cursor, "%s", pg.proximo);
  } while (cursor[0] != '\0');

  /* the floor: read every guia with its items and references */
  t0 = fat_now_ns();
  c0 = cpu();
  for (i = 0; i < n_ids; i++) {
    fat_guia *g = NULL;

    if (fat_guia_load(st, ids[i], &g, &err) != FAT_OK)
      return die("ler guia", &err);
    fat_guia_free(g);
  }
  t_load = secs(t0, fat_now_ns());
  c_load = cpu() - c0;

  /* the same guias for the peer (not timed) */
  snprintf(peers, sizeof peers, "%s.peers.jsonl", db);
  pf = fopen(peers, "w");
  if (pf == NULL) {
    fat_err_set(&err, FAT_EIO, "%s: %s", peers, strerror(errno));
    return die("escrever guias do par", &err);
  }
  for (i = 0; i < n_ids; i++) {
    fat_guia *g = NULL;

    if (fat_guia_load(st, ids[i], &g, &err) != FAT_OK)
      return die("ler guia", &err);
    peer_line(pf, g);
    fat_guia_free(g);
  }
  fclose(pf);

  if (fat_rules_open(regras, NULL, st, &rules, &err) != FAT_OK)
    return die("regras", &err);
  memset(&o, 0, sizeof o);
  o.hoje = HOJE;
  o.todas = 1;
  o.threads = 1;
  t0 = fat_now_ns();
  c0 = cpu();
  if (fat_conferir(st, rules, &o, NULL, NULL, &res, &err) != FAT_OK)
    return die("conferir", &err);
  t_conf = secs(t0, fat_now_ns());
  c_conf = cpu() - c0;
  /* the same re-check (every guia again) on 1 and on nthreads threads */
  t0 = fat_now_ns();
  c0 = cpu();
  if (fat_conferir(st, rules, &o, NULL, NULL, &r2, &err) != FAT_OK)
    return die("conferir (1 thread)", &err);
  t_re1 = secs(t0, fat_now_ns());
  c_re1 = cpu() - c0;
  o.threads = nthreads;
  t0 = fat_now_ns();
  c0 = cpu();
  if (fat_conferir(st, rules, &o, NULL, NULL, &r2, &err) != FAT_OK)
    return die("conferir (threads)", &err);
  t_ren = secs(t0, fat_now_ns());
  c_ren = cpu() - c0;
  rt = r2;
  if (r2.achados != res.achados || r2.conferidas != res.conferidas) {
    fprintf(stderr, "bench_conferir: %d threads: %zu achados em %zu guias, 1 thread: %zu em %zu\n",
            nthreads, r2.achados, r2.conferidas, res.achados, res.conferidas);
    return 1;
  }
  o.threads = 1;
  o.todas = 0;
  t0 = fat_now_ns();
  if (fat_conferir(st, rules, &o, NULL, NULL, &r2, &err) != FAT_OK)
    return die("conferir incremental", &err);
  t_incr = secs(t0, fat_now_ns());

  printf("bench_conferir: %zu guias da demo (4 operadoras, 4 tipos, preços por contrato, "
         "~30%% com defeitos)\n", n_ids);
  printf("  gerar e gravar:          %8.2f s  (%9.0f guias/s)\n", t_gen, (double)n_ids / t_gen);
  printf("  só ler (fat_guia_load):  %8.2f s  (%9.0f guias/s)  <- piso\n", t_load,
         (double)n_ids / t_load);
  printf("  conferir (--todas):      %8.2f s  (%9.0f guias/s)  = %.1fx o piso\n", t_conf,
         (double)res.conferidas / t_conf, t_conf / t_load);
  printf("  CPU: ler %.2f s, conferir %.2f s = %.1fx o piso\n", c_load, c_conf,
         c_conf / c_load);
  printf("  conferir incremental:    %8.2f s  (%zu sem mudança, %zu reconferidas)\n", t_incr,
         r2.sem_mudanca, r2.conferidas);
  printf("  reconferir (--todas), 1 thread:  %8.2f s, CPU %.2f s (%9.0f guias/s)\n", t_re1, c_re1,
         (double)res.conferidas / t_re1);
  printf("  reconferir (--todas), %d threads: %8.2f s, CPU %.2f s (%9.0f guias/s) = %.2fx 1 thread\n",
         nthreads, t_ren, c_ren, (double)res.conferidas / t_ren, t_re1 / t_ren);
  if (rt.threads > 0)
    printf("  em %d threads (%.2f s): gravando %.2f s (%.0f%%); as threads esperaram %.2f s "
           "pela situação, %.2f s por lote gravado, %.2f s no início e no fim, de %.2f s "
           "(%.0f%%); %zu esperas\n",
           rt.threads, secs(0, rt.ns_total), secs(0, rt.ns_gravando),
           100.0 * (double)rt.ns_gravando / (double)(rt.ns_total > 0 ? rt.ns_total : 1),
           secs(0, rt.ns_espera_situacao), secs(0, rt.ns_espera_lote), secs(0, rt.ns_espera_fim),
           secs(0, rt.ns_threads),
           100.0 * (double)(rt.ns_espera_situacao + rt.ns_espera_lote + rt.ns_espera_fim) /
             (double)(rt.ns_threads > 0 ? rt.ns_threads : 1),
           rt.esperas);
  jre_gps = peer_jre(peers, &jre_s, &jre_cpu, &jre_loop_cpu);
  conf_gps = (double)res.conferidas / t_conf;
  printf("metas (Parte M), medidas nesta execução:\n");
  printf("  conferir / piso (tempo):       %6.2fx  (meta <= 3,00x)  %s\n", t_conf / t_load,
         t_conf / t_load <= 3.0 ? "ok" : "não atingida");
  if (jre_gps > 0)
    printf("  conferir / json-rules-engine:  %6.2fx  (meta >= 1,00x: %.0f contra %.0f guias/s) %s\n",
           conf_gps / jre_gps, conf_gps, jre_gps, conf_gps >= jre_gps ? "ok" : "não atingida");
  if (jre_gps > 0)
    printf("  conferir %d threads / jre:      %6.2fx  (reconferir em %d threads: %.0f guias/s) %s\n",
           nthreads, (double)res.conferidas / t_ren / jre_gps, nthreads,
           (double)res.conferidas / t_ren,
           (double)res.conferidas / t_ren >= jre_gps ? "ok" : "não atingida");
  printf("  %d threads / 1 thread:          %6.2fx  (meta >= 1,70x com 2 núcleos)  %s\n", nthreads,
         t_re1 / t_ren, t_re1 / t_ren >= 1.7 ? "ok" : "não atingida");
  if (jre_gps > 0 && jre_cpu > 0)
    printf("  conferir / json-rules-engine:  %6.2fx em CPU (conferir %.2f s; node inteiro, "
           "com leitura do arquivo, %.2f s)\n", jre_cpu / c_conf, c_conf, jre_cpu);
  if (jre_gps > 0 && jre_loop_cpu > 0)
    printf("  conferir / json-rules-engine:  %6.2fx em CPU só da avaliação do par (o laço que o "
           "jre.js mede: %.2f s)  %s\n", jre_loop_cpu / c_conf, jre_loop_cpu,
           jre_loop_cpu >= c_conf ? "ok" : "não atingida");
  if (jre_gps <= 0)
    printf("  conferir / json-rules-engine:  não medido (defina FAT_PEERS_DIR; docs/desempenho.md)\n");
  printf("  achados: %zu; guias com bloqueio %zu, com alerta %zu, com erro %zu\n", res.achados,
         res.com_bloqueio, res.com_alerta, res.com_erro);
  /* one line for scripts (make bench): CPU seconds; ratio_1t = CPU of
  ** json-rules-engine's timed loop / CPU of conferir on one thread (> 1:
  ** conferir is faster); ratio_2t = conferir's guias/s on nthreads threads
  ** (wall clock) / json-rules-engine's guias/s (its own timing) */
  printf("RESULT conferir guias=%zu cpu_s=%.3f floor_cpu_s=%.3f jre_cpu_s=%.3f "
         "jre_processo_cpu_s=%.3f ratio_1t=%.2f ratio_2t=%.2f threads=%d recheck_1t_cpu_s=%.3f "
         "recheck_nt_cpu_s=%.3f\n",
         n_ids, c_conf, c_load, jre_loop_cpu, jre_cpu,
         jre_loop_cpu > 0 ? jre_loop_cpu / c_conf : 0.0,
         jre_gps > 0 ? (double)res.conferidas / t_ren / jre_gps : 0.0, nthreads, c_re1, c_ren);
  fat_free(ids);
  fat_rules_close(rules);
  fat_store_close(st);
  return 0;
}
