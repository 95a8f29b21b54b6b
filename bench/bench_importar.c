/* bench_importar.c: `importar` of a large JSON file against its floor.
**
** usage: bench_importar [MB [DIR [csv]]]   (default 200 MB, the JSON import's
**                                     size cap; files in DIR, default the
**                                     current one; csv: the same guias as a
**                                     CSV file, no floor, RESULT importar_csv)
** Writes a file of SP/SADT guias (5 items each, every one a new guia) of
** about MB megabytes, then measures in this run:
**   - the floor: SQLite's json_each over the same file (the sqlite3 shell:
**     `SELECT count(*) FROM json_each(readfile(F), '$.guias')`);
**   - a second, informative figure (not the floor): the same json_each
**     writing each guia's JSON text as one row of a table in a new database
**     file, in one transaction (what parsing plus the least writing costs);
**   - fat_import_guias_file of the file into a new store (one transaction);
** and prints guias/s, the ratio to the floor and the peak RSS of this
** process (getrusage), which holds only the import: the file is written
** line by line. Goals (Part M): import <= 2x the floor; a 200 MB file in
** < 100 MB RSS. Asserts nothing. The last line is for scripts:
**   RESULT importar guias=N cpu_s=.. floor_cpu_s=.. ratio=.. wall_s=..
**          floor_wall_s=.. rss_kb=.. file_mb=.. floor2_cpu_s=..
**          user_s=.. sys_s=.. floor_user_s=.. floor_sys_s=.. user_ratio=..
** (ratio = CPU of the import / CPU of the floor; -1 when the floor was not
** measured). The split of each CPU figure into user and system time shows
** where the floor spends: reading the whole file and building json_each's
** node array are mostly page faults (system time), which grow with the
** machine's memory pressure; instructions, which do not depend on the load,
** are counted by bench/importar_instrucoes.sh (callgrind). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fat_cadastro.h"
#include "fat_import.h"
#include "fat_mem.h"

static double now_s(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds of this process or of its waited children: user time in *user,
** system time in *sys, their sum returned. */
static double cpu_split(int who, double *user, double *sys)
{
  struct rusage ru;

  getrusage(who, &ru);
  *user = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
  *sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
  return *user + *sys;
}

/* CPU seconds (user + system) of this process or of its waited children. */
static double cpu_s(int who)
{
  double u, s;

  return cpu_split(who, &u, &s);
}

static long peak_rss_kb(void)
{
  struct rusage ru;

  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

/* One guia of the file (n = its number). */
static void guia(FILE *f, long n, int first)
{
  int i;

  fprintf(f,
          "%s{\"tipo\":\"sp-sadt\",\"operadora\":{\"registro_ans\":\"312347\"},"
          "\"prestador\":{\"cnpj\":\"11222333000181\"},"
          "\"beneficiario\":{\"nome\":\"Jos\xc3\xa9 da Silva %ld\",\"cpf\":\"52998224725\","
          "\"nascimento\":\"1980-02-29\",\"sexo\":\"M\"},"
          "\"numero_prestador\":\"B-%08ld\",\"beneficiario_nome\":\"Jos\xc3\xa9 da Silva\","
          "\"carteira_numero\":\"0001234567\",\"carteira_validade\":\"2026-12-31\","
          "\"senha\":\"S%09ld\",\"validade_senha\":\"2026-12-31\",\"cid\":\"J069\","
          "\"data_inicio\":\"2026-10-%02ld\",\"hora_inicio\":\"09:15:00\","
          "\"executante\":{\"nome\":\"Dra. Ana Souza\",\"cpf\":\"11144477735\","
          "\"conselho\":\"CRM\",\"numero_conselho\":\"123456\",\"uf\":\"SP\",\"cbo\":\"225125\"},"
          "\"assinatura_beneficiario\":true,\"valor_total\":\"600.00\","
          "\"competencia\":\"2026-10\",\"itens\":[",
          first ? "" : ",\n", n, n, n, 1 + n % 28);
  for (i = 1; i <= 5; i++)
    fprintf(f,
            "%s{\"sequencial\":%d,\"tipo\":\"procedimento\",\"codigo_tabela\":\"22\","
            "\"codigo\":\"4030%04d\",\"descricao\":\"Exame laboratorial %d\","
            "\"quantidade\":\"1.0000\",\"valor_unitario\":\"120.00\","
            "\"valor_total\":\"120.00\",\"data\":\"2026-10-%02ld\"}",
            i > 1 ? "," : "", i, 1000 + i, i, 1 + n % 28);
  fputs("]}", f);
}

/* The same guia as CSV lines (one per item, the guia's columns repeated). */
static void guia_csv(FILE *f, long n)
{
  int i;

  for (i = 1; i <= 5; i++)
    fprintf(f,
            "sp-sadt;312347;11222333000181;B-%08ld;Jos\xc3\xa9 da Silva %ld;52998224725;"
            "1980-02-29;M;Jos\xc3\xa9 da Silva;0001234567;2026-12-31;S%09ld;2026-12-31;J069;"
            "2026-10-%02ld;09:15:00;Dra. Ana Souza;11144477735;CRM;123456;SP;225125;1;600,00;"
            "2026-10;%d;procedimento;22;4030%04d;Exame laboratorial %d;1,0000;120,00;120,00;"
            "2026-10-%02ld\n",
            n, n, n, 1 + n % 28, i, 1000 + i, i, 1 + n % 28);
}

static long write_csv(const char *path, long bytes)
{
  FILE *f = fopen(path, "w");
  long n = 0;

  if (f == NULL)
    return -1;
  fputs("tipo;operadora.registro_ans;prestador.cnpj;numero_prestador;beneficiario.nome;"
        "beneficiario.cpf;beneficiario.nascimento;beneficiario.sexo;beneficiario_nome;"
        "carteira_numero;carteira_validade;senha;validade_senha;cid;data_inicio;hora_inicio;"
        "executante.nome;executante.cpf;executante.conselho;executante.numero_conselho;"
        "executante.uf;executante.cbo;assinatura_beneficiario;valor_total;competencia;"
        "item.sequencial;item.tipo;item.codigo_tabela;item.codigo;item.descricao;"
        "item.quantidade;item.valor_unitario;item.valor_total;item.data\n",
        f);
  while (ftell(f) < bytes) {
    guia_csv(f, n + 1);
    n++;
  }
  fclose(f);
  return n;
}

static long write_file(const char *path, long bytes)
{
  FILE *f = fopen(path, "w");
  long n = 0;

  if (f == NULL)
    return -1;
  fputs("{\"guias\":[\n", f);
  while (ftell(f) < bytes - 4096) {
    guia(f, n + 1, n == 0);
    n++;
  }
  fputs("\n]}\n", f);
  fclose(f);
  return n;
}

/* Seconds of the sqlite3 shell's json_each over path (the floor), or -1. */
static double floor_json_each(const char *path, long *count)
{
  char cmd[2300], line[256];
  double t0 = now_s(), t;
  FILE *p;

  snprintf(cmd, sizeof cmd,
           "sqlite3 :memory: \"SELECT count(*) FROM json_each(readfile('%s'), '\\$.guias')\"",
           path);
  p = popen(cmd, "r");
  if (p == NULL)
    return -1;
  *count = -1;
  if (fgets(line, sizeof line, p) != NULL)
    *count = strtol(line, NULL, 10);
  t = now_s() - t0;
  if (pclose(p) != 0)
    return -1;
  return t;
}

/* Remove the database db and its -wal and -shm files. */
static void unlink_db(const char *db)
{
  char tmp[1100];

  unlink(db);
  snprintf(tmp, sizeof tmp, "%s-wal", db);
  unlink(tmp);
  snprintf(tmp, sizeof tmp, "%s-shm", db);
  unlink(tmp);
}

/* CPU seconds of the sqlite3 shell writing each element of the guias array
** of path as a row of a table in a new database dir/bench_importar_piso.db
** (one transaction), or -1. */
static double floor_json_each_table(const char *path, const char *dir)
{
  char db[1100], cmd[3400];
  double c0 = cpu_s(RUSAGE_CHILDREN);
  int rc;

  snprintf(db, sizeof db, "%s/bench_importar_piso.db", dir);
  unlink(db);
  snprintf(cmd, sizeof cmd,
           "sqlite3 '%s' \"PRAGMA journal_mode=WAL; CREATE TABLE g(v TEXT); BEGIN; INSERT INTO g "
           "SELECT value FROM json_each(readfile('%s'), '\\$.guias'); COMMIT;\" >/dev/null",
           db, path);
  rc = system(cmd);
  unlink_db(db);
  return rc == 0 ? cpu_s(RUSAGE_CHILDREN) - c0 : -1;
}

/* A new store at db made by faturo (its migrations: schema, indexes,
** triggers) with the prestador and the operadora of the guias. */
static fat_rc open_store(const char *db, fat_store **st, fat_err *err)
{
  fat_rc rc;

  unlink_db(db);
  rc = fat_store_create(db, st, err);
  if (rc == FAT_OK)
    rc = fat_cadastro_prestador(*st, "Clínica Exemplo", "11.222.333/0001-81", NULL, NULL, err);
  if (rc == FAT_OK)
    rc = fat_cadastro_operadora(*st, "312347", "Aurora Saúde", "aurora", NULL, NULL, NULL, err);
  if (rc != FAT_OK) {
    fat_store_close(*st);
    *st = NULL;
  }
  return rc;
}

int main(int argc, char **argv)
{
  long mb = argc > 1 ? strtol(argv[1], NULL, 10) : 200, n, n_floor = -1;
  const char *dir = argc > 2 ? argv[2] : ".";
  int csv = argc > 3 && strcmp(argv[3], "csv") == 0;
  char file[1024], db[1024];
  fat_store *st = NULL;
  fat_import_result res;
  fat_err err;
  struct stat sb;
  double t0, t_imp, t_floor, c0, c_imp, c_floor, c_floor2;
  double u0, s0, u1, s1, u_imp, s_imp, u_floor, s_floor;
  long rss0, rss1;

  if (mb < 1)
    mb = 1;
  snprintf(file, sizeof file, "%s/bench_importar.%s", dir, csv ? "csv" : "json");
  snprintf(db, sizeof db, "%s/bench_importar.db", dir);
  n = csv ? write_csv(file, mb * 1024 * 1024) : write_file(file, mb * 1024 * 1024);
  if (n <= 0 || stat(file, &sb) != 0) {
    fprintf(stderr, "bench_importar: não foi possível escrever %s\n", file);
    return 1;
  }
  c0 = cpu_split(RUSAGE_CHILDREN, &u0, &s0);
  t_floor = csv ? -1 : floor_json_each(file, &n_floor);
  c_floor = cpu_split(RUSAGE_CHILDREN, &u1, &s1) - c0;
  u_floor = u1 - u0;
  s_floor = s1 - s0;
  c_floor2 = csv ? -1 : floor_json_each_table(file, dir);

  if (open_store(db, &st, &err) != FAT_OK) {
    fprintf(stderr, "bench_importar: %s\n", err.msg);
    return 1;
  }
  rss0 = peak_rss_kb();
  t0 = now_s();
  c0 = cpu_split(RUSAGE_SELF, &u0, &s0);
  if (fat_import_guias_file(st, file, csv ? FAT_FMT_CSV : FAT_FMT_JSON, &res, &err) != FAT_OK) {
    fprintf(stderr, "bench_importar: %s\n", err.msg);
    return 1;
  }
  t_imp = now_s() - t0;
  c_imp = cpu_split(RUSAGE_SELF, &u1, &s1) - c0;
  u_imp = u1 - u0;
  s_imp = s1 - s0;
  rss1 = peak_rss_kb();
  fat_store_close(st);

  printf("bench_importar: %ld guias SP/SADT (5 itens cada), arquivo %s de %.1f MB\n", n,
         csv ? "CSV" : "JSON", (double)sb.st_size / (1024.0 * 1024.0));
  if (t_floor > 0)
    printf("  piso (json_each do SQLite): %8.2f s  (%9.0f guias/s; %ld guias)\n", t_floor,
           (double)n_floor / t_floor, n_floor);
  else if (csv)
    printf("  piso (json_each do SQLite): não se aplica a CSV\n");
  else
    printf("  piso (json_each do SQLite): não medido (falta o sqlite3 de linha de comando)\n");
  printf("  importar:                   %8.2f s  (%9.0f guias/s; %ld novas, %ld itens)\n", t_imp,
         (double)res.novas / t_imp, res.novas, res.itens);
  printf("  pico de memória (RSS):      %8.1f MB  (antes de importar: %.1f MB)\n",
         (double)rss1 / 1024.0, (double)rss0 / 1024.0);
  printf("  CPU: piso %.2f s (usuário %.2f s, sistema %.2f s), importar %.2f s (usuário %.2f s, "
         "sistema %.2f s)\n",
         c_floor, u_floor, s_floor, c_imp, u_imp, s_imp);
  if (c_floor2 > 0)
    printf("  CPU do json_each gravando cada guia numa tabela (informativo, não é o piso): "
           "%.2f s; importar / isso: %.2fx\n",
           c_floor2, c_imp / c_floor2);
  printf("metas (Parte M), medidas nesta execução:\n");
  if (t_floor > 0 && c_floor > 0)
    printf("  importar / piso json_each:  %6.2fx em tempo, %.2fx em CPU  (meta <= 2,00x)  %s\n"
           "                              (só o tempo de usuário: %.2fx)\n",
           t_imp / t_floor, c_imp / c_floor, c_imp / c_floor <= 2.0 ? "ok" : "não atingida",
           u_floor > 0 ? u_imp / u_floor : -1.0);
  printf("  RSS com %.0f MB de arquivo:  %6.1f MB (meta < 100 MB)  %s\n",
         (double)sb.st_size / (1024.0 * 1024.0), (double)rss1 / 1024.0,
         rss1 < 100 * 1024 ? "ok" : "não atingida");
  /* one line for scripts (make bench): figures of this run, C locale */
  printf("RESULT %s guias=%ld cpu_s=%.2f floor_cpu_s=%.2f ratio=%.2f wall_s=%.2f "
         "floor_wall_s=%.2f rss_kb=%ld file_mb=%.1f floor2_cpu_s=%.2f user_s=%.2f sys_s=%.2f "
         "floor_user_s=%.2f floor_sys_s=%.2f user_ratio=%.2f\n",
         csv ? "importar_csv" : "importar", (long)res.novas, c_imp, c_floor,
         c_floor > 0 ? c_imp / c_floor : -1.0, t_imp, t_floor, rss1,
         (double)sb.st_size / (1024.0 * 1024.0), c_floor2, u_imp, s_imp, csv ? -1.0 : u_floor,
         csv ? -1.0 : s_floor, !csv && u_floor > 0 ? u_imp / u_floor : -1.0);
  unlink(file);
  return 0;
}
