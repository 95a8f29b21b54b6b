/* bench_retorno.c: `lote fechar` and `retorno importar` against
** `xmllint --noout --schema` on the same files, at two database sizes.
**
** usage: bench_retorno [FATURO_BIN [N_PEQUENO [N_GRANDE]]]
**        (defaults: no CLI timing, 2000 and 40000 guias)
** For each size it builds the demo clinic with N guias (four operadoras), runs
** conferir for one operadora, then times:
**   - lote fechar of that operadora (write, hash, XSD validation, store) in
**     the process (best of two runs, rolled back) and, given the CLI binary,
**     `faturo lote fechar` end to end, next to one `xmllint --schema` run over
**     the lotes it wrote (best of three);
**   - the import of the operadora's demonstrativos for its first lotes, in
**     the process (best of several runs, each rolled back), next to one
**     `xmllint --schema` run over the same files; and, given the CLI binary,
**     `faturo retorno importar` of the first one end to end (process start,
**     rules, import), next to `xmllint --schema` on that file.
** Each figure is wall-clock and CPU time (user + system; of this process, or
** of the child for xmllint and the CLI): on a shared machine the CPU ratio is
** the steadier one. Import time per returned guia at both sizes shows whether
** it grows with the database (it must not: every lookup is by index).
** Prints figures; asserts nothing (ctest label bench). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fat_conferir.h"
#include "fat_demo.h"
#include "fat_demo_retorno.h"
#include "fat_lote.h"
#include "fat_mem.h"
#include "fat_paths.h"
#include "fat_price.h"
#include "fat_retorno.h"
#include "fat_rules.h"

#define COMPETENCIA "2026-10"
#define HOJE "2026-11-05" /* the demo bills on the 5th of the next month */
#define ROUNDS 5
#define N_RET 8 /* demonstrativos imported per run (one per lote) */

/* One timing: wall-clock and CPU milliseconds. */
typedef struct tempo {
  double wall, cpu;
} tempo;

typedef struct medida {
  int n;                  /* guias in the database */
  size_t lotes, guias_lote;
  tempo fechar, cli_fechar, lint_lotes;
  size_t ret_guias;       /* in the N_RET demonstrativos */
  size_t cli_guias;       /* in the first one, imported by the CLI */
  tempo imp, lint_rets;   /* every demonstrativo */
  tempo cli, lint_ret;    /* the first one */
} medida;

static double ms(int64_t ns) { return (double)ns / 1e6; }

/* CPU milliseconds of this process, or (children = 1) of its waited-for children. */
static double cpu_ms(int children)
{
  struct timespec ts;
  struct rusage ru;

  if (!children) {
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
  }
  getrusage(RUSAGE_CHILDREN, &ru);
  return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
         (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

/* Keep the best (lowest) of each figure. */
static void melhor(tempo *best, double wall, double cpu)
{
  if (best->wall == 0 || wall < best->wall)
    best->wall = wall;
  if (best->cpu == 0 || cpu < best->cpu)
    best->cpu = cpu;
}

static void die(const char *what, const fat_err *err)
{
  fprintf(stderr, "bench_retorno: %s: %s\n", what, err->msg);
  exit(1);
}

/* Best wall-clock and CPU time of a shell command over `rounds` runs; exits
** when it fails (xmllint refusing a file is a broken benchmark, not a figure). */
static tempo run_cmd(const char *cmd, int rounds, int ok_1)
{
  tempo best = {0, 0};
  int64_t t;
  double c;
  int i;

  for (i = 0; i < rounds; i++) {
    c = cpu_ms(1);
    t = fat_now_ns();
    int st = system(cmd);

    if (st != 0 && !(ok_1 && WIFEXITED(st) && WEXITSTATUS(st) == 1)) {
      fprintf(stderr, "bench_retorno: falhou: %s\n", cmd);
      exit(1);
    }
    melhor(&best, ms(fat_now_ns() - t), cpu_ms(1) - c);
  }
  return best;
}

/* The lotes of operadora op now in the store (ids only), as if closed here. */
static void lotes_fechados(fat_store *st, const char *op, fat_lote_fechar_res *lr)
{
  cJSON *arr = NULL, *x;
  fat_err err;

  memset(lr, 0, sizeof *lr);
  if (fat_lote_listar(st, op, HOJE, &arr, &err) != FAT_OK)
    die("listar lotes", &err);
  lr->lotes = fat_calloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof *lr->lotes);
  if (lr->lotes == NULL) {
    fat_err_oom(&err);
    die("listar lotes", &err);
  }
  cJSON_ArrayForEach(x, arr)
  {
    lr->lotes[lr->n++].id =
      (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(x, "id"));
  }
  cJSON_Delete(arr);
}

static void gerar(fat_store *st, fat_gen *gen, const char *regras, int n)
{
  fat_pricer *p = NULL;
  fat_demo_opcoes op;
  fat_demo_resumo res;
  fat_err err;

  memset(&op, 0, sizeof op);
  op.n_guias = n;
  op.semente = 1;
  op.competencia = COMPETENCIA;
  op.n_beneficiarios = n / 2 > 2000 ? n / 2 : 2000;
  if (fat_pricer_new_gen(st, gen, &p, &err) != FAT_OK || fat_store_begin(st, &err) != FAT_OK)
    die("gerar", &err);
  if (fat_demo_tabelas(st, regras, NULL, &err) != FAT_OK ||
      fat_demo_gerar(st, p, &op, &res, &err) != FAT_OK)
    die("gerar", &err);
  if (fat_store_commit(st, &err) != FAT_OK)
    die("gerar", &err);
  fat_pricer_free(p);
}

static void medir(const char *bin, const char *regras, const char *xsd, int n, medida *m)
{
  /* every lote file on one `sh -c` line, which must stay under 128 KiB */
  static char lista[1 << 16], cmd[(1 << 16) + 4096];
  char db[64], path[128], arquivo[80];
  fat_store *st = NULL;
  fat_rules *rules = NULL;
  fat_gen *gen;
  fat_err err;
  fat_conferir_opts co;
  fat_conferir_resumo cr;
  fat_lote_fechar_opts lo;
  fat_lote_fechar_res lr;
  fat_demo_retorno_opts ro;
  fat_demo_retorno_res dr[N_RET];
  char ret_path[N_RET][64];
  const char *op;
  size_t i, k, n_ret, off = 0;
  int64_t t;
  double c;
  int r;

  memset(m, 0, sizeof *m);
  m->n = n;
  snprintf(db, sizeof db, "bench_retorno_%d_%ld.db", n, (long)getpid());
  fat_store_remove_files(db);
  if (fat_store_create(db, &st, &err) != FAT_OK ||
      fat_rules_open(regras, NULL, st, &rules, &err) != FAT_OK)
    die("abrir", &err);
  gen = fat_rules_acquire(rules);
  gerar(st, gen, regras, n);
  op = fat_gen_key(gen, 0);
  memset(&co, 0, sizeof co);
  co.hoje = HOJE;
  co.operadora = op;
  if (fat_conferir(st, rules, &co, NULL, NULL, &cr, &err) != FAT_OK)
    die("conferir", &err);

  /* lote fechar: twice in the process (rolled back), then by the CLI (kept;
  ** without it, a third time in the process); then xmllint over its files */
  memset(&lo, 0, sizeof lo);
  lo.operadora = op;
  lo.hoje = HOJE;
  lo.ate = HOJE;
  lo.xsd_dir = xsd;
  for (i = 0; i < 3; i++) {
    if (i == 2 && bin != NULL)
      break;
    if (i < 2 && fat_store_begin(st, &err) != FAT_OK)
      die("lote fechar", &err);
    c = cpu_ms(0);
    t = fat_now_ns();
    if (fat_lote_fechar(st, gen, &lo, &lr, &err) != FAT_OK)
      die("lote fechar", &err);
    melhor(&m->fechar, ms(fat_now_ns() - t), cpu_ms(0) - c);
    m->lotes = lr.n;
    m->guias_lote = lr.guias;
    fat_lote_fechar_res_fini(&lr);
    if (i < 2)
      fat_store_rollback(st);
  }
  if (m->lotes == 0) {
    fprintf(stderr, "bench_retorno: nenhum lote fechado para %s\n", op);
    exit(1);
  }
  if (bin != NULL) { /* exit 1 only says some guias were held back */
    snprintf(cmd, sizeof cmd, "FATURO_DB='%s' FATURO_REGRAS='%s' FATURO_XSD_DIR='%s' '%s' lote "
                              "fechar --operadora '%s' --hoje %s --ate %s >/dev/null 2>&1",
             db, regras, xsd, bin, op, HOJE, HOJE);
    m->cli_fechar = run_cmd(cmd, 1, 1);
  }
  lotes_fechados(st, op, &lr);
  for (i = 0; i < lr.n; i++) {
    char *xml = NULL;
    size_t len = 0;

    snprintf(path, sizeof path, "bench_retorno_%ld_l%zu.xml", (long)getpid(), i);
    if (fat_lote_xml(st, lr.lotes[i].id, &xml, &len, arquivo, &err) != FAT_OK ||
        fat_file_write(path, xml, len, &err) != FAT_OK)
      die("gravar lote", &err);
    fat_free(xml);
    r = snprintf(lista + off, sizeof lista - off, " '%s'", path);
    if (r < 0 || (size_t)r >= sizeof lista - off) {
      fprintf(stderr, "bench_retorno: lotes demais\n");
      exit(1);
    }
    off += (size_t)r;
  }
  snprintf(cmd, sizeof cmd,
           "xmllint --noout --nonet --schema '%s/tissV4_01_00.xsd'%s >/dev/null 2>&1", xsd,
           lista);
  m->lint_lotes = run_cmd(cmd, 3, 0);
  for (i = 0; i < lr.n; i++) {
    snprintf(path, sizeof path, "bench_retorno_%ld_l%zu.xml", (long)getpid(), i);
    unlink(path);
  }

  /* the operadora's demonstrativos for its first lotes */
  n_ret = lr.n < N_RET ? lr.n : N_RET;
  off = 0;
  for (i = 0; i < n_ret; i++) {
    memset(&ro, 0, sizeof ro);
    ro.lote_id = lr.lotes[i].id;
    ro.taxa_bp = 300;
    ro.semente = 7 + i;
    ro.data = HOJE;
    if (fat_lote_enviado(st, ro.lote_id, HOJE, &err) != FAT_OK ||
        fat_demo_retorno(st, &ro, &dr[i], &err) != FAT_OK)
      die("demonstrativo", &err);
    m->ret_guias += dr[i].n_guias;
    snprintf(ret_path[i], sizeof ret_path[i], "bench_retorno_%ld_r%zu.xml", (long)getpid(), i);
    if (fat_file_write(ret_path[i], dr[i].xml, dr[i].len, &err) != FAT_OK)
      die("gravar demonstrativo", &err);
    off += (size_t)snprintf(lista + off, sizeof lista - off, " '%s'", ret_path[i]);
  }
  fat_lote_fechar_res_fini(&lr);
  m->cli_guias = dr[0].n_guias;

  /* in the process: each run inside a transaction that is rolled back */
  for (k = 0; k < ROUNDS; k++) {
    if (fat_store_begin(st, &err) != FAT_OK)
      die("importar", &err);
    c = cpu_ms(0);
    t = fat_now_ns();
    for (i = 0; i < n_ret; i++) {
      fat_retorno_res res;

      memset(&res, 0, sizeof res);
      if (fat_retorno_importar_buf(st, gen, dr[i].xml, dr[i].len, ret_path[i], &res, &err) !=
          FAT_OK)
        die("importar", &err);
      if (res.ja_importado || res.n_guias_casadas != res.n_guias) {
        fprintf(stderr, "bench_retorno: importação inesperada (%zu de %zu guias casadas)\n",
                res.n_guias_casadas, res.n_guias);
        exit(1);
      }
      fat_retorno_res_fini(&res);
    }
    melhor(&m->imp, ms(fat_now_ns() - t), cpu_ms(0) - c);
    fat_store_rollback(st);
  }
  for (i = 0; i < n_ret; i++)
    fat_demo_retorno_res_fini(&dr[i]);
  fat_gen_release(gen);
  fat_rules_close(rules);
  fat_store_close(st);

  snprintf(cmd, sizeof cmd,
           "xmllint --noout --nonet --schema '%s/tissV4_01_00.xsd'%s >/dev/null 2>&1", xsd,
           lista);
  m->lint_rets = run_cmd(cmd, ROUNDS, 0);
  snprintf(cmd, sizeof cmd, "xmllint --noout --nonet --schema '%s/tissV4_01_00.xsd' '%s' "
                            ">/dev/null 2>&1", xsd, ret_path[0]);
  m->lint_ret = run_cmd(cmd, ROUNDS, 0);
  if (bin != NULL) { /* end to end, once: the second run would find it imported */
    snprintf(cmd, sizeof cmd, "FATURO_DB='%s' FATURO_REGRAS='%s' '%s' retorno importar '%s' "
                              ">/dev/null 2>&1", db, regras, bin, ret_path[0]);
    m->cli = run_cmd(cmd, 1, 0);
  }
  for (i = 0; i < n_ret; i++)
    unlink(ret_path[i]);
  fat_store_remove_files(db);
}

static void linha(const char *rotulo, tempo a, tempo piso)
{
  printf("    %-34s %9.1f ms (CPU %8.1f ms)  razão %5.2f (CPU %5.2f)\n", rotulo, a.wall, a.cpu,
         a.wall / piso.wall, a.cpu / piso.cpu);
}

static void imprimir(const medida *m, int cli)
{
  printf("banco com %d guias:\n", m->n);
  printf("  lote fechar de uma operadora: %zu lotes, %zu guias\n", m->lotes, m->guias_lote);
  linha("xmllint --schema nos mesmos lotes", m->lint_lotes, m->lint_lotes);
  linha("lote fechar no processo", m->fechar, m->lint_lotes);
  if (cli)
    linha("faturo lote fechar (CLI)", m->cli_fechar, m->lint_lotes);
  printf("  retorno importar: %d demonstrativos, %zu guias\n", N_RET, m->ret_guias);
  linha("xmllint --schema nos mesmos arquivos", m->lint_rets, m->lint_rets);
  linha("importação no processo", m->imp, m->lint_rets);
  if (cli) {
    printf("  retorno importar de um demonstrativo (%zu guias), de ponta a ponta\n",
           m->cli_guias);
    linha("xmllint --schema no arquivo", m->lint_ret, m->lint_ret);
    linha("faturo retorno importar (CLI)", m->cli, m->lint_ret);
  }
}

int main(int argc, char **argv)
{
  const char *bin = argc > 1 && argv[1][0] != '\0' ? argv[1] : NULL;
  int n1 = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 2000;
  int n2 = argc > 3 ? (int)strtol(argv[3], NULL, 10) : 40000;
  const char *regras = getenv("FATURO_REGRAS");
  const char *xsd = getenv("FATURO_XSD_DIR");
  char rules_def[4200];
  medida a, b;

  if ((regras == NULL || regras[0] == '\0') && fat_paths_data_dir() != NULL) {
    snprintf(rules_def, sizeof rules_def, "%s/rules", fat_paths_data_dir());
    regras = rules_def;
  }
  if (xsd == NULL || xsd[0] == '\0')
    xsd = fat_paths_xsd_dir();
  if (regras == NULL || xsd == NULL) {
    fprintf(stderr, "bench_retorno: defina FATURO_REGRAS e FATURO_XSD_DIR\n");
    return 1;
  }
  if (n1 < 100)
    n1 = 100;
  if (n2 < n1)
    n2 = n1;
  medir(bin, regras, xsd, n1, &a);
  imprimir(&a, bin != NULL);
  medir(bin, regras, xsd, n2, &b);
  imprimir(&b, bin != NULL);
  printf("importação por guia devolvida com o banco %dx maior: %.2fx o tempo, CPU %.2fx "
         "(1,00 = plano no tamanho do banco)\n",
         n2 / n1, (b.imp.wall / (double)b.ret_guias) / (a.imp.wall / (double)a.ret_guias),
         (b.imp.cpu / (double)b.ret_guias) / (a.imp.cpu / (double)a.ret_guias));
  return 0;
}
