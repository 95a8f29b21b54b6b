/* bench_conferir.c: conferir throughput against the floor of just reading
** the same guias (fat_guia_load).
**
** usage: bench_conferir [N [DB]]   (default 100000 guias, bench_conferir.db)
** Builds N guias with the demo generator (the four demo operators, all four
** guia types, 1 to 30 items, priced by the contracts, ~30% with injected
** defects), then times:
**   - fat_guia_load of every guia (the floor),
**   - a full conferir (--todas) with the operator scripts and pricing from
**     $FATURO_REGRAS (or the source tree's rules/),
**   - an incremental re-run (nothing changed).
** Prints wall-clock and CPU seconds (the CPU figure is steadier on a shared
** machine); asserts nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

static int die(const char *what, const fat_err *err)
{
  fprintf(stderr, "bench_conferir: %s: %s\n", what, err->msg);
  return 1;
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
  int n = argc > 1 ? atoi(argv[1]) : 100000;
  const char *db = argc > 2 ? argv[2] : "bench_conferir.db";
  const char *regras = getenv("FATURO_REGRAS");
  fat_store *st = NULL;
  fat_rules *rules = NULL;
  fat_err err;
  fat_conferir_opts o;
  fat_conferir_resumo res, r2;
  int64_t t0, *ids = NULL;
  size_t n_ids = 0, i;
  double t_gen, t_load, t_conf, t_incr, c0, c_load, c_conf;
  fat_pagina pg;
  cJSON *rows = NULL, *row;
  char cursor[FAT_CURSOR_MAX] = "";
  char path[1024], rules_def[4200];

  if ((regras == NULL || regras[0] == '\0') && fat_paths_data_dir() != NULL) {
    snprintf(rules_def, sizeof rules_def, "%s/rules", fat_paths_data_dir());
    regras = rules_def;
  }
  if (n < 100)
    n = 100;
  unlink(db);
  snprintf(path, sizeof path, "%s-wal", db);
  unlink(path);
  snprintf(path, sizeof path, "%s-shm", db);
  unlink(path);
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

  if (fat_rules_open(regras, NULL, st, &rules, &err) != FAT_OK)
    return die("regras", &err);
  memset(&o, 0, sizeof o);
  o.hoje = HOJE;
  o.todas = 1;
  t0 = fat_now_ns();
  c0 = cpu();
  if (fat_conferir(st, rules, &o, NULL, NULL, &res, &err) != FAT_OK)
    return die("conferir", &err);
  t_conf = secs(t0, fat_now_ns());
  c_conf = cpu() - c0;
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
  printf("  achados: %zu; guias com bloqueio %zu, com alerta %zu, com erro %zu\n", res.achados,
         res.com_bloqueio, res.com_alerta, res.com_erro);
  fat_free(ids);
  fat_rules_close(rules);
  fat_store_close(st);
  return 0;
}
