/* bench_lote.c: `faturo lote fechar` end to end against
** `xmllint --noout --schema` over the very files it wrote.
**
** usage: bench_lote FATURO_BIN [N_GUIAS [RODADAS]]   (defaults: 10000 guias, 2 rodadas)
**
** Builds the demo clinic with N guias up to conferir (`faturo demo --guias N
** --competencia 2026-10 --ate-etapa conferir`, four operadoras), then, RODADAS
** times on a fresh copy of that database:
**   - `faturo lote fechar --todas --saida DIR` (a new process: rules, read the
**     ready guias, write the TISS XML 4.01.00, hash, validate against the XSD,
**     store the lotes, mark the guias, then write each lote's file to DIR);
**   - `xmllint --noout --nonet --schema tissV4_01_00.xsd` over every XML file
**     in DIR, the floor.
** CPU time is user + system of each child (wait4), the steady figure on a
** shared machine; the best round of each is kept. Peak RSS is the child's.
** The last line is one summary for harnesses:
**   RESULT lote_fechar guias=N lotes=L cpu_s=.. floor_cpu_s=.. ratio=.. guias_s=.. rss_kb=..
**          wall_s=.. floor_wall_s=.. ratio_mediana=..
** where guias_s is guias per CPU second of `lote fechar`, ratio the best
** round of one over the best round of the other (they may come from
** different rounds) and ratio_mediana the median of each round's own ratio
** (the two processes of one round ran seconds apart, under the same load). Exits 1 when a step
** fails or xmllint refuses a file (a broken benchmark is not a figure). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fat_mem.h"
#include "fat_paths.h"

#define COMPETENCIA "2026-10"
#define HOJE "2026-11-05" /* the demo bills on the 5th of the next month */
#define MAX_ARQS 200000

/* One child run: wall and CPU seconds, peak RSS in KiB, exit status. */
typedef struct corrida {
  double wall, cpu;
  long rss_kb;
  int status;
} corrida;

static char g_dir[256];

/* A writable copy of s for an argv (lives until exit). */
static char *arg(const char *s)
{
  char *d = fat_strdup(s);

  if (d == NULL) {
    fprintf(stderr, "bench_lote: fat_strdup falhou\n");
    exit(1);
  }
  return d;
}

static void die(const char *what)
{
  fprintf(stderr, "bench_lote: %s\n", what);
  exit(1);
}

/* Run argv[0] with argv (environment as is), stdout to `out` (NULL: /dev/null),
** stderr to /dev/null; measured with wait4. */
static corrida rodar(char *const argv[], const char *out)
{
  corrida c;
  struct rusage ru;
  int64_t t0 = fat_now_ns();
  pid_t pid;
  int st = 0;

  memset(&c, 0, sizeof c);
  fflush(NULL); /* the child must not print this process's buffered lines again */
  pid = fork();
  if (pid < 0)
    die("fork falhou");
  if (pid == 0) {
    if (freopen(out != NULL ? out : "/dev/null", "w", stdout) == NULL ||
        freopen("/dev/null", "w", stderr) == NULL)
      _exit(127);
    execvp(argv[0], argv);
    _exit(127);
  }
  if (wait4(pid, &st, 0, &ru) != pid)
    die("wait4 falhou");
  c.wall = (double)(fat_now_ns() - t0) / 1e9;
  c.cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
          (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  c.rss_kb = ru.ru_maxrss;
  c.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
  return c;
}

static void sh(const char *cmd)
{
  if (system(cmd) != 0) {
    fprintf(stderr, "bench_lote: falhou: %s\n", cmd);
    exit(1);
  }
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.xml files of dir, sorted, as "dir/name" strings after argv[0..k). */
static size_t listar_xml(const char *dir, char **argv, size_t k, size_t cap)
{
  DIR *d = opendir(dir);
  struct dirent *e;
  size_t n0 = k;

  if (d == NULL)
    die("pasta de saída não encontrada");
  for (e = readdir(d); e != NULL; e = readdir(d)) {
    size_t len = strlen(e->d_name);

    if (len < 5 || strcmp(e->d_name + len - 4, ".xml") != 0)
      continue;
    if (k + 1 >= cap)
      die("arquivos demais");
    argv[k] = fat_malloc(strlen(dir) + len + 2);
    if (argv[k] == NULL)
      die("fat_malloc falhou");
    snprintf(argv[k], strlen(dir) + len + 2, "%s/%s", dir, e->d_name);
    k++;
  }
  closedir(d);
  qsort(argv + n0, k - n0, sizeof *argv, cmp_str);
  argv[k] = NULL;
  return k - n0;
}

/* The top-level "guias" member of `lote fechar --json` output (after the
** "lotes" array, whose members say "qtd_guias"). */
static long guias_fechadas(const char *path)
{
  FILE *f = fopen(path, "r");
  char *buf, *p;
  long size, n = -1;

  if (f == NULL)
    return -1;
  if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
    fclose(f);
    return -1;
  }
  buf = fat_malloc((size_t)size + 1);
  if (buf != NULL) {
    buf[fread(buf, 1, (size_t)size, f)] = '\0';
    p = strstr(buf, "\"guias\"");
    p = p != NULL ? strchr(p, ':') : NULL;
    if (p != NULL)
      n = strtol(p + 1, NULL, 10);
    fat_free(buf);
  }
  fclose(f);
  return n;
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

static void limpar(void)
{
  char cmd[512];

  if (g_dir[0] != '\0' && getenv("BENCH_LOTE_MANTER") == NULL) {
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0)
      fprintf(stderr, "bench_lote: não removi %s\n", g_dir);
  }
}

int main(int argc, char **argv)
{
  const char *bin = argc > 1 ? argv[1] : NULL;
  long n = argc > 2 ? strtol(argv[2], NULL, 10) : 10000;
  long rodadas = argc > 3 ? strtol(argv[3], NULL, 10) : 2;
  const char *xsd = getenv("FATURO_XSD_DIR");
  const char *tmp = getenv("TMPDIR");
  char db[300], base[300], out[300], saida[300], schema[4200], guias_txt[24], env[4400];
  char cmd[2048];
  static char *lint[MAX_ARQS + 8];
  corrida demo, fechar, piso, best_f, best_l;
  size_t n_arqs = 0, k, i;
  long guias = -1;
  long r;
  static double razoes[1000];
  double mediana;

  if (bin == NULL || n < 100 || rodadas < 1 || rodadas > 1000) {
    fprintf(stderr, "uso: bench_lote FATURO_BIN [N_GUIAS (>= 100)] [RODADAS]\n");
    return 2;
  }
  if (xsd == NULL || xsd[0] == '\0')
    xsd = fat_paths_xsd_dir();
  if (xsd == NULL)
    die("defina FATURO_XSD_DIR (pasta dos XSD TISS 4.01.00)");
  if (getenv("FATURO_REGRAS") == NULL && fat_paths_data_dir() != NULL) {
    snprintf(env, sizeof env, "%s/rules", fat_paths_data_dir());
    setenv("FATURO_REGRAS", env, 1);
  }
  setenv("FATURO_XSD_DIR", xsd, 1);
  snprintf(schema, sizeof schema, "%s/tissV4_01_00.xsd", xsd);
  snprintf(g_dir, sizeof g_dir, "%s/bench_lote_XXXXXX", tmp != NULL && tmp[0] ? tmp : "/tmp");
  if (mkdtemp(g_dir) == NULL)
    die("não foi possível criar a pasta temporária");
  atexit(limpar);
  snprintf(base, sizeof base, "%s/base.db", g_dir);
  snprintf(db, sizeof db, "%s/run.db", g_dir);
  snprintf(out, sizeof out, "%s/saida.json", g_dir);
  snprintf(guias_txt, sizeof guias_txt, "%ld", n);

  /* the database: the demo up to conferir (not measured against anything) */
  setenv("FATURO_DB", base, 1);
  {
    char *a[] = {arg(bin),         arg("demo"),       arg("--guias"), guias_txt,
                 arg("--competencia"), arg(COMPETENCIA), arg("--ate-etapa"), arg("conferir"),
                 NULL};

    demo = rodar(a, NULL);
    if (demo.status != 0)
      die("faturo demo falhou");
  }
  printf("demo com %ld guias até conferir: %.1f s (CPU %.1f s)\n", n, demo.wall, demo.cpu);

  memset(&best_f, 0, sizeof best_f);
  memset(&best_l, 0, sizeof best_l);
  setenv("FATURO_DB", db, 1);
  for (r = 0; r < rodadas; r++) {
    char *a[] = {arg(bin),  arg("--json"), arg("lote"),    arg("fechar"), arg("--todas"),
                 arg("--hoje"), arg(HOJE),  arg("--ate"),   arg(HOJE),     arg("--saida"),
                 saida,     NULL};

    snprintf(saida, sizeof saida, "%s/xml%ld", g_dir, r);
    snprintf(cmd, sizeof cmd, "rm -f '%s' '%s-wal' '%s-shm' && cp '%s' '%s' && mkdir -p '%s'",
             db, db, db, base, db, saida);
    sh(cmd);
    fechar = rodar(a, out);
    if (fechar.status != 0 && fechar.status != 1) /* 1: some guias held back */
      die("faturo lote fechar falhou");
    guias = guias_fechadas(out);
    if (guias <= 0)
      die("lote fechar não fechou guias");
    lint[0] = arg("xmllint");
    lint[1] = arg("--noout");
    lint[2] = arg("--nonet");
    lint[3] = arg("--schema");
    lint[4] = schema;
    n_arqs = listar_xml(saida, lint, 5, MAX_ARQS + 8);
    if (n_arqs == 0)
      die("nenhum arquivo XML gravado");
    piso = rodar(lint, NULL);
    if (piso.status != 0)
      die("xmllint recusou um arquivo ou falhou");
    for (k = 5; k < 5 + n_arqs; k++)
      fat_free(lint[k]);
    printf("rodada %ld: lote fechar %ld guias em %zu lotes: %.2f s (CPU %.2f s, RSS %ld KB); "
           "xmllint --schema nos mesmos arquivos: %.2f s (CPU %.2f s); razão CPU %.2f\n",
           r + 1, guias, n_arqs, fechar.wall, fechar.cpu, fechar.rss_kb, piso.wall, piso.cpu,
           fechar.cpu / piso.cpu);
    razoes[r] = fechar.cpu / piso.cpu;
    if (r == 0 || fechar.cpu < best_f.cpu)
      best_f = fechar;
    if (r == 0 || piso.cpu < best_l.cpu)
      best_l = piso;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", saida);
    sh(cmd);
  }
  i = n_arqs;
  qsort(razoes, (size_t)rodadas, sizeof razoes[0], cmp_double);
  mediana = rodadas % 2 == 1 ? razoes[rodadas / 2]
                             : (razoes[rodadas / 2 - 1] + razoes[rodadas / 2]) / 2;
  printf("RESULT lote_fechar guias=%ld lotes=%zu cpu_s=%.3f floor_cpu_s=%.3f ratio=%.2f "
         "guias_s=%.0f rss_kb=%ld wall_s=%.3f floor_wall_s=%.3f ratio_mediana=%.2f\n",
         guias, i, best_f.cpu, best_l.cpu, best_f.cpu / best_l.cpu,
         best_f.cpu > 0 ? (double)guias / best_f.cpu : 0.0, best_f.rss_kb, best_f.wall,
         best_l.wall, mediana);
  return 0;
}
