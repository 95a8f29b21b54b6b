/* bench_importar.c: `importar` of a large JSON file against its floors.
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
**   - after it, with that store closed, the write floor ("piso de gravação",
**     JSON only): the same rows written by SQLite itself from plain SQL. A
**     second store, DIR/bench_importar_gravacao.db (kept), is made by faturo
**     (fat_store_create and the same cadastro: faturo's schema, indexes and
**     triggers); the guias' one beneficiario, carteira and executante are
**     added to it by the shell, not timed; then the sqlite3 shell, with the
**     pragmas of faturo's connections, runs ONE transaction of INSERT ...
**     SELECT from json_each(readfile(F), '$.guias') into guia, item and
**     auditoria, the columns fat_import writes for these guias (the script is
**     kept: DIR/bench_importar_gravacao.sql). The AFTER INSERT triggers of
**     guia fire per row there (fat_import folds them). Its CPU time
**     (RUSAGE_CHILDREN) is the write floor; the guias and items are counted
**     afterwards and must equal importar's, or the figures are -1;
**   - writing alone ("só a gravação"): the same INSERTs from TEMP tables
**     that already hold every value (extracted, converted, ids looked up).
**     On a copy of that store the shell fills the TEMP tables, then runs
**     the transaction under `.timer on` (bench_importar_so_gravacao.sql):
**     writing alone is the CPU time of those statements alone, the sum of
**     the shell's "Run Time:" lines (user + system). Not the difference of
**     two processes' CPU times: reading a 20 MB file costs both a few
**     tenths of a second of page faults that vary from run to run, and the
**     difference came out anywhere from 0.1 to 0.45 s (once negative).
**     Instructions do not vary: with FAT_BENCH_PREPARO set, a third run on
**     another copy fills the TEMP tables alone (bench_importar_preparo.sql),
**     and bench/importar_instrucoes.sh, which sets it, takes the difference
**     of the two processes (callgrind counts per process, not per
**     statement);
** and prints guias/s, the ratios and the peak RSS of this process
** (getrusage), which holds only the import: the file is written line by
** line. Goals (Part M): import <= 2x the floor; a 200 MB file in < 100 MB
** RSS. Asserts nothing but the write floor's row counts. The write floor is
** what plain SQL costs for the same job: reading each field with SQLite's
** JSON functions (the bulk of it: the staging run) plus writing alone; the
** json_each floor reads no field. The last line is for scripts:
**   RESULT importar guias=N cpu_s=.. floor_cpu_s=.. ratio=.. wall_s=..
**          floor_wall_s=.. rss_kb=.. file_mb=.. floor2_cpu_s=..
**          user_s=.. sys_s=.. floor_user_s=.. floor_sys_s=.. user_ratio=..
**          write_floor_cpu_s=.. ratio_write=.. write_floor_guias=..
**          write_floor_itens=.. write_only_cpu_s=.. ratio_write_only=..
** (ratio = CPU of the import / CPU of the floor, ratio_write and
** ratio_write_only the same over the write floor and writing alone; -1 when
** not measured: CSV, no sqlite3 shell, counts that differ). The split of
** each CPU figure into user and system time shows where the floor spends:
** reading the whole file and building json_each's node array are mostly
** page faults (system time), which grow with the machine's memory pressure;
** instructions, which do not depend on the load, are counted by
** bench/importar_instrucoes.sh (callgrind). */
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
  fat_store_remove_files(db);
  return rc == 0 ? cpu_s(RUSAGE_CHILDREN) - c0 : -1;
}

/* A new store at db made by faturo (its migrations: schema, indexes,
** triggers) with the prestador and the operadora of the guias. */
static fat_rc open_store(const char *db, fat_store **st, fat_err *err)
{
  fat_rc rc;

  fat_store_remove_files(db);
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

/* ---- the write floor: the same rows, written by SQLite from plain SQL ----
**
** Each script starts with the pragmas of faturo's connections (fat_store.c:
** store_open, fat_store_begin_bulk; cache_size is FAT_STORE_PAGINAS_MB) and
** runs on a copy of one store made by open_store, so the shell writes into
** faturo's schema: its indexes, and the three AFTER INSERT triggers of guia,
** which fire here per row (fat_import folds them into one statement per
** group, fat_model_store.c). Values come straight from each guia's JSON;
** money to centavos by round(x * 100). Not mirrored: faturo's process-wide
** settings (store_tune_sqlite: no memory statistics, its small-block
** allocator); the shell keeps SQLite's defaults there. */

/* The SQL below is built from string macros, laid out by hand so that each
** column sits beside its value: clang-format would split the literals. */
/* clang-format off */
#define SQL_PRAGMAS                                                                          \
  "PRAGMA foreign_keys = ON;\nPRAGMA journal_mode = WAL;\nPRAGMA synchronous = NORMAL;\n"    \
  "PRAGMA cache_size = -16384;\nPRAGMA temp_store = MEMORY;\n"

/* A field of the guia g, of the item i. */
#define JG(x) "json_extract(g.value, '$." x "')"
#define JI(x) "json_extract(i.value, '$." x "')"
#define CENTAVOS(e) "CAST(round(" e " * 100) AS INTEGER)"

/* The ids of the guia g's operadora, prestador, beneficiario, executante. */
#define OPERADORA_ID                                                                         \
  "(SELECT id FROM operadora WHERE registro_ans = " JG("operadora.registro_ans") ")"
#define PRESTADOR_ID "(SELECT id FROM prestador WHERE cnpj = " JG("prestador.cnpj") ")"
#define BENEF_ID "(SELECT id FROM beneficiario WHERE cpf = " JG("beneficiario.cpf") ")"
#define EXECUTANTE_ID                                                                        \
  "(SELECT id FROM profissional WHERE conselho = " JG("executante.conselho")                 \
  " AND numero_conselho = " JG("executante.numero_conselho") " AND uf = " JG("executante.uf") ")"

/* The guia columns fat_import fills for these guias (the others are NULL or
** their default, criado_em too: the same text faturo binds), then their
** values from g; origem, the file's path, follows. */
#define GUIA_COLS                                                                            \
  "tipo, numero_prestador, beneficiario_nome, carteira_numero, carteira_validade, senha, "   \
  "validade_senha, cid, data_inicio, hora_inicio, assinatura_beneficiario, valor_total, "    \
  "competencia, status, revisao, operadora_id, prestador_id, beneficiario_id, executante_id, " \
  "origem"
#define GUIA_VALS                                                                            \
  JG("tipo") ", " JG("numero_prestador") ", " JG("beneficiario_nome") ", "                   \
  JG("carteira_numero") ", " JG("carteira_validade") ", " JG("senha") ", "                   \
  JG("validade_senha") ", " JG("cid") ", " JG("data_inicio") ", " JG("hora_inicio") ", "     \
  "coalesce(" JG("assinatura_beneficiario") ", 0), " CENTAVOS(JG("valor_total")) ", "       \
  "coalesce(" JG("competencia") ", substr(" JG("data_inicio") ", 1, 7)), 'digitada', 1, "  \
  OPERADORA_ID ", " PRESTADOR_ID ", " BENEF_ID ", " EXECUTANTE_ID

/* The item columns fat_import fills (guia_id first, apart), their values
** from the item i (named, for the staging table) and from the staging
** table s. */
#define ITEM_COLS                                                                            \
  "sequencial, tipo, codigo_tabela, codigo, descricao, quantidade_e4, valor_unitario, "      \
  "valor_total, data"
#define ITEM_VALS                                                                            \
  JI("sequencial") " AS sequencial, coalesce(" JI("tipo") ", 'procedimento') AS tipo, "     \
  JI("codigo_tabela") " AS codigo_tabela, " JI("codigo") " AS codigo, "                      \
  JI("descricao") " AS descricao, CAST(round(" JI("quantidade") " * 10000) AS INTEGER) "     \
  "AS quantidade_e4, " CENTAVOS(JI("valor_unitario")) " AS valor_unitario, "                 \
  CENTAVOS(JI("valor_total")) " AS valor_total, " JI("data") " AS data"
#define ITEM_STAGED                                                                          \
  "s.sequencial, s.tipo, s.codigo_tabela, s.codigo, s.descricao, s.quantidade_e4, "         \
  "s.valor_unitario, s.valor_total, s.data"

/* One audit row per new guia, as fat_guia_save writes them, and the
** import's own row. */
#define AUDITORIA                                                                            \
  "INSERT INTO auditoria (usuario, acao, objeto, detalhe) SELECT 'cli', 'guia.digitar', "    \
  "'guia:' || id, 'revis\xc3\xa3o 1' FROM guia ORDER BY id;\n"                               \
  "INSERT INTO auditoria (usuario, acao, detalhe) VALUES ('cli', 'guia.importar', 'piso');\n"

/* The guias of the file (g) and their items (i, with the key of their
** guia: p, o, np), each rendered once: json_each renders `value` again at
** every reference (~25k instructions per reference to a guia, ~5k to an
** item), so both are MATERIALIZED and the JSON functions read stored text
** (their parse cache then serves the other fields of the same row): 1.33M
** instructions per guia without, 0.58M with (1000 guias). They stay in
** memory (temp_store): the shell's peak RSS is ~8x the file (json_each's
** ~5x). */
static void cte_guias(FILE *f, const char *file)
{
  fprintf(f, "WITH g(value) AS MATERIALIZED (SELECT value FROM json_each(readfile('%s'), "
             "'$.guias'))", file);
}

static void cte_itens(FILE *f, const char *file)
{
  cte_guias(f, file);
  fputs(",\n  k(p, o, np, itens) AS MATERIALIZED (SELECT " PRESTADOR_ID ", " OPERADORA_ID ", "
        JG("numero_prestador") ", " JG("itens") " FROM g),\n"
        "  i(p, o, np, value) AS MATERIALIZED (SELECT k.p, k.o, k.np, e.value FROM k "
        "CROSS JOIN json_each(k.itens) AS e)\n", f);
}

enum script {
  SCRIPT_CADASTRO, /* the beneficiario, carteira and executante of the guias */
  SCRIPT_PISO,     /* the write floor: guia, item, auditoria from json_each */
  SCRIPT_PREPARO,  /* the guias and items with their values in TEMP tables */
  SCRIPT_SO        /* SCRIPT_PREPARO, then guia, item, auditoria from them */
};

/* The rows fat_import makes once for all these guias (one beneficiario,
** carteira and executante, shared), from the first guia. */
static void script_cadastro(FILE *f, const char *file)
{
  fprintf(f, "CREATE TEMP TABLE g0 AS SELECT json_extract(readfile('%s'), '$.guias[0]') "
             "AS value;\n", file);
  fputs("BEGIN IMMEDIATE;\n"
        "INSERT INTO beneficiario (nome, cpf, nascimento, sexo) SELECT " JG("beneficiario.nome")
        ", " JG("beneficiario.cpf") ", " JG("beneficiario.nascimento") ", "
        JG("beneficiario.sexo") " FROM g0 AS g;\n"
        "INSERT INTO carteira (beneficiario_id, operadora_id, numero, validade) SELECT "
        BENEF_ID ", " OPERADORA_ID ", " JG("carteira_numero") ", " JG("carteira_validade")
        " FROM g0 AS g;\n"
        "INSERT INTO profissional (nome, cpf, conselho, numero_conselho, uf, cbo) SELECT "
        JG("executante.nome") ", " JG("executante.cpf") ", " JG("executante.conselho") ", "
        JG("executante.numero_conselho") ", " JG("executante.uf") ", " JG("executante.cbo")
        " FROM g0 AS g;\nCOMMIT;\n", f);
}

/* The write floor: one transaction of INSERT ... SELECT from json_each. */
static void script_piso(FILE *f, const char *file)
{
  fputs("BEGIN IMMEDIATE;\n", f);
  cte_guias(f, file);
  fprintf(f, "\nINSERT INTO guia (" GUIA_COLS ") SELECT " GUIA_VALS ", '%s' FROM g;\n", file);
  cte_itens(f, file);
  fputs("INSERT INTO item (guia_id, " ITEM_COLS ") SELECT gu.id, " ITEM_VALS " FROM i "
        "CROSS JOIN guia AS gu WHERE gu.prestador_id = i.p AND gu.operadora_id = i.o AND "
        "gu.numero_prestador = i.np;\n" AUDITORIA "COMMIT;\n", f);
}

/* The same values in TEMP tables (in memory: temp_store), outside any
** transaction of the database. */
static void script_preparo(FILE *f, const char *file)
{
  fputs("CREATE TEMP TABLE sg AS ", f);
  cte_guias(f, file);
  fprintf(f, "\nSELECT " GUIA_VALS ", '%s' FROM g;\nCREATE TEMP TABLE si AS ", file);
  cte_itens(f, file);
  fputs("SELECT i.p AS p, i.o AS o, i.np AS np, " ITEM_VALS " FROM i;\n", f);
}

/* Writing alone: the write floor's INSERTs from the TEMP tables, timed by
** the shell. */
static void script_so(FILE *f)
{
  fputs(".timer on\nBEGIN IMMEDIATE;\nINSERT INTO guia (" GUIA_COLS ") SELECT * FROM sg;\n"
        "INSERT INTO item (guia_id, " ITEM_COLS ") SELECT gu.id, " ITEM_STAGED " FROM si AS s "
        "CROSS JOIN guia AS gu WHERE gu.prestador_id = s.p AND gu.operadora_id = s.o AND "
        "gu.numero_prestador = s.np;\n" AUDITORIA "COMMIT;\n", f);
}

/* clang-format on */

/* Write the script of kind k over the file at path sql; 0 when written. */
static int write_script(const char *sql, enum script k, const char *file)
{
  FILE *f = fopen(sql, "w");

  if (f == NULL)
    return -1;
  fputs(SQL_PRAGMAS, f);
  if (k == SCRIPT_CADASTRO)
    script_cadastro(f, file);
  else if (k == SCRIPT_PISO)
    script_piso(f, file);
  else
    script_preparo(f, file);
  if (k == SCRIPT_SO)
    script_so(f);
  return fclose(f) == 0 ? 0 : -1;
}

/* CPU seconds of the sqlite3 shell running the script sql on db, or -1; in
** *timed (when not NULL) the CPU seconds, user plus system, of the
** statements the script runs after `.timer on` (the shell's "Run Time:"
** lines), 0 without it. */
static double run_script(const char *db, const char *sql, double *timed)
{
  char cmd[2400], line[512];
  double c0 = cpu_s(RUSAGE_CHILDREN), real, user, sys, t = 0;
  FILE *p;

  snprintf(cmd, sizeof cmd, "sqlite3 -bail '%s' '.read %s'", db, sql);
  p = popen(cmd, "r");
  if (p == NULL)
    return -1;
  while (fgets(line, sizeof line, p) != NULL)
    if (sscanf(line, "Run Time: real %lf user %lf sys %lf", &real, &user, &sys) == 3)
      t += user + sys;
  if (timed != NULL)
    *timed = t;
  return pclose(p) == 0 ? cpu_s(RUSAGE_CHILDREN) - c0 : -1;
}

/* The guias and items in db (sqlite3 shell); 0 when counted. */
static int count_rows(const char *db, long *guias, long *itens)
{
  char cmd[1300], line[128];
  FILE *p;
  int ok;

  snprintf(cmd, sizeof cmd,
           "sqlite3 '%s' 'SELECT (SELECT count(*) FROM guia), (SELECT count(*) FROM item)'", db);
  p = popen(cmd, "r");
  if (p == NULL)
    return -1;
  ok = fgets(line, sizeof line, p) != NULL && sscanf(line, "%ld|%ld", guias, itens) == 2;
  return pclose(p) == 0 && ok ? 0 : -1;
}

/* Copy the file at from to the path to; 0 when copied. */
static int copy_file(const char *from, const char *to)
{
  char buf[65536];
  FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
  size_t n;
  int rc = in != NULL && out != NULL ? 0 : -1;

  while (rc == 0 && (n = fread(buf, 1, sizeof buf, in)) > 0)
    if (fwrite(buf, 1, n, out) != n)
      rc = -1;
  if (in != NULL && ferror(in))
    rc = -1;
  if (in != NULL)
    fclose(in);
  if (out != NULL && fclose(out) != 0)
    rc = -1;
  return rc;
}

/* The write floor and writing alone of one file (-1: not measured). */
typedef struct gravacao {
  double piso_cpu;             /* the write floor: CPU seconds of its shell */
  long piso_guias, piso_itens; /* the rows it wrote, counted afterwards */
  double so_cpu;               /* writing alone: CPU seconds (the shell's .timer) */
  long so_guias, so_itens;     /* the rows it wrote */
  const char *falha;           /* what went wrong (pt-BR), or NULL */
} gravacao;

static void gravacao_clear(gravacao *g)
{
  g->piso_cpu = g->so_cpu = -1;
  g->piso_guias = g->piso_itens = g->so_guias = g->so_itens = -1;
  g->falha = NULL;
}

/* Paths in dir of the database and of the script named nome. */
static void gravacao_paths(const char *dir, const char *nome, char *db, char *sql, size_t size)
{
  snprintf(db, size, "%s/bench_importar_%s.db", dir, nome);
  snprintf(sql, size, "%s/bench_importar_%s.sql", dir, nome);
}

/* Make the store for the write floor at db (open_store, then the cadastro
** script, not timed) and copies of it for writing alone; 0 when made. */
static int gravacao_stores(const char *file, const char *dir, const char *const *dbs, int n)
{
  char unused[1100], sql[1100];
  fat_store *st = NULL;
  fat_err err;
  int i;

  gravacao_paths(dir, "cadastro", unused, sql, sizeof sql);
  if (open_store(dbs[0], &st, &err) != FAT_OK) {
    fprintf(stderr, "bench_importar: %s\n", err.msg);
    return -1;
  }
  fat_store_close(st);
  if (write_script(sql, SCRIPT_CADASTRO, file) != 0 || run_script(dbs[0], sql, NULL) < 0)
    return -1;
  for (i = 1; i < n; i++) {
    fat_store_remove_files(dbs[i]);
    if (copy_file(dbs[0], dbs[i]) != 0)
      return -1;
  }
  return 0;
}

/* Run the script nome of kind k on db; its CPU seconds, or -1 (timed: see
** run_script). */
static double gravacao_run(const char *file, const char *dir, const char *nome, enum script k,
                           const char *db, double *timed)
{
  char unused[1100], sql[1100];

  gravacao_paths(dir, nome, unused, sql, sizeof sql);
  if (write_script(sql, k, file) != 0)
    return -1;
  return run_script(db, sql, timed);
}

/* Measure g for the guias of file against what importar wrote (novas guias,
** itens items), in dir: the write floor in bench_importar_gravacao.db (kept);
** on a copy of that store before it, bench_importar_so_gravacao (the TEMP
** tables, then the INSERTs, timed by the shell: writing alone). With
** FAT_BENCH_PREPARO set (bench/importar_instrucoes.sh sets it), also
** bench_importar_preparo on a third copy: the TEMP tables alone, whose
** instructions that script takes from writing alone's; nothing here reads
** its time, so an ordinary run does not spend it. */
static void gravacao_measure(const char *file, const char *dir, long novas, long itens, gravacao *g)
{
  char dbs[3][1100], sql[1100];
  const char *const p[3] = {dbs[0], dbs[1], dbs[2]};
  int preparo = getenv("FAT_BENCH_PREPARO") != NULL;
  double so = 0;

  gravacao_clear(g);
  if (strchr(file, '\'') != NULL || strchr(dir, '\'') != NULL) {
    g->falha = "o caminho da pasta tem aspas simples";
    return;
  }
  gravacao_paths(dir, "gravacao", dbs[0], sql, sizeof sql);
  gravacao_paths(dir, "so_gravacao", dbs[1], sql, sizeof sql);
  gravacao_paths(dir, "preparo", dbs[2], sql, sizeof sql);
  if (gravacao_stores(file, dir, p, preparo ? 3 : 2) != 0) {
    g->falha = "não foi possível preparar os bancos (falta o sqlite3 de linha de comando?)";
    return;
  }
  g->piso_cpu = gravacao_run(file, dir, "gravacao", SCRIPT_PISO, dbs[0], NULL);
  if (g->piso_cpu >= 0 && count_rows(dbs[0], &g->piso_guias, &g->piso_itens) != 0)
    g->piso_cpu = -1;
  if ((!preparo || gravacao_run(file, dir, "preparo", SCRIPT_PREPARO, dbs[2], NULL) >= 0) &&
      gravacao_run(file, dir, "so_gravacao", SCRIPT_SO, dbs[1], &so) >= 0 &&
      count_rows(dbs[1], &g->so_guias, &g->so_itens) == 0)
    g->so_cpu = so;
  fat_store_remove_files(dbs[1]);
  if (preparo)
    fat_store_remove_files(dbs[2]);
  if (g->piso_cpu < 0 || g->so_cpu < 0)
    g->falha = "o sqlite3 falhou (ver os scripts bench_importar_*.sql na pasta)";
  else if (g->piso_guias != novas || g->piso_itens != itens || g->so_guias != novas ||
           g->so_itens != itens)
    g->falha = "as contagens não batem com as do importar";
  if (g->falha != NULL)
    g->piso_cpu = g->so_cpu = -1;
}

/* The write floor's lines of the report (importar wrote novas guias and
** itens items). */
static void gravacao_print(const gravacao *g, int csv, double c_imp, long novas, long itens)
{
  if (csv) {
    printf("  piso de gravação (SQL puro no esquema do faturo): não se aplica a CSV\n");
    return;
  }
  if (g->falha != NULL) {
    printf("  AVISO: piso de gravação não medido: %s\n", g->falha);
    if (g->piso_guias >= 0 || g->so_guias >= 0)
      printf("         contagens: importar %ld guias e %ld itens; piso de gravação %ld e %ld; "
             "só a gravação %ld e %ld\n",
             novas, itens, g->piso_guias, g->piso_itens, g->so_guias, g->so_itens);
    return;
  }
  printf("  piso de gravação (SQL puro no esquema do faturo): %.2f s de CPU; importar / isso: "
         "%.2fx  (%ld guias, %ld itens, contagens iguais às do importar)\n",
         g->piso_cpu, c_imp / g->piso_cpu, g->piso_guias, g->piso_itens);
  if (g->so_cpu > 0)
    printf("  só a gravação (de uma tabela pronta):             %.2f s de CPU; importar / isso: "
           "%.2fx\n",
           g->so_cpu, c_imp / g->so_cpu);
  else
    printf("  só a gravação (de uma tabela pronta): abaixo da resolução da medida (%.2f s)\n",
           g->so_cpu);
}

int main(int argc, char **argv)
{
  long mb = argc > 1 ? strtol(argv[1], NULL, 10) : 200, n, n_floor = -1;
  const char *dir = argc > 2 ? argv[2] : ".";
  int csv = argc > 3 && strcmp(argv[3], "csv") == 0;
  char file[1024], db[1024];
  fat_store *st = NULL;
  fat_import_result res;
  gravacao grav;
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
  gravacao_clear(&grav);
  if (!csv)
    gravacao_measure(file, dir, res.novas, res.itens, &grav);

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
  gravacao_print(&grav, csv, c_imp, res.novas, res.itens);
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
         "floor_user_s=%.2f floor_sys_s=%.2f user_ratio=%.2f write_floor_cpu_s=%.2f "
         "ratio_write=%.2f write_floor_guias=%ld write_floor_itens=%ld write_only_cpu_s=%.2f "
         "ratio_write_only=%.2f\n",
         csv ? "importar_csv" : "importar", (long)res.novas, c_imp, c_floor,
         t_floor > 0 && c_floor > 0 ? c_imp / c_floor : -1.0, t_imp, t_floor, rss1,
         (double)sb.st_size / (1024.0 * 1024.0), c_floor2, u_imp, s_imp, csv ? -1.0 : u_floor,
         csv ? -1.0 : s_floor, !csv && u_floor > 0 ? u_imp / u_floor : -1.0, grav.piso_cpu,
         grav.piso_cpu > 0 ? c_imp / grav.piso_cpu : -1.0, grav.piso_guias, grav.piso_itens,
         grav.so_cpu, grav.so_cpu > 0 ? c_imp / grav.so_cpu : -1.0);
  unlink(file);
  return 0;
}
