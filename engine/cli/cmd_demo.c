/* cmd_demo.c: `faturo demo`: builds the demonstration clinic and runs the
** billing cycle over it, one step after the other.
**
** The cycle is the `steps[]` table below: each part appends its step (a
** function taking the shared demo_ctx) in the order of the flow, e.g.
** conferir, lote fechar, retorno. A step prints its own lines (nothing in
** --json mode, where it adds a member to c->json) and returns CLI_OK to go
** on, or CLI_FAIL to stop the demo.
*/
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/resource.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <cjson/cJSON.h>

#include "cli.h"
#include "fat_conferir.h"
#include "fat_demo.h"
#include "fat_demo_financeiro.h"
#include "fat_demo_retorno.h"
#include "fat_dia.h"
#include "fat_glosa.h"
#include "fat_lote.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_money.h"
#include "fat_price.h"
#include "fat_recurso.h"
#include "fat_retorno.h"
#include "fat_rules.h"

/* From the lotes step to the end of the retorno step the demo's connection
** lets the WAL grow to this many MiB between checkpoints
** (fat_store_set_checkpoint_mb): those steps change the same index pages in
** thousands of small transactions. */
#define DEMO_CHECKPOINT_MB 64

/* The retorno step sends and answers the lotes in the order of
** fat_demo_retorno_ordem (by their first guia, each operadora's in turn) and
** commits after this many guias: the lotes of every operadora that cover
** the same days share the pages of guia, of its status index and of the
** triggers' counters, and each commit wrote every page it dirtied again
** (docs/desempenho.md, rodadas 6 a 8). The page cache grows to
** FAT_DEMO_PAGINAS_MB for the step so that a transaction's pages stay in
** memory until its commit (memory-bounded: past the cache SQLite writes
** them out early). A failure stops the demo, rolling back the lotes of
** that transaction. */
#define DEMO_RETORNO_GUIAS 20000

typedef struct demo_ctx {
  fat_cli *cli;
  fat_store *st;
  fat_gen *gen;            /* rules generation built from cli->regras_dir */
  fat_pricer *pricer;      /* contracts of gen, tables of st */
  fat_demo_opcoes op;
  fat_demo_resumo res;
  cJSON *json;             /* --json: the summary object being built */
  fat_rules *rules;        /* live rules recorded in the store (conferir on) */
  char hoje[11];           /* the demo's "today": 5th day after the competência */
  int64_t *lotes;          /* ids of the lotes the demo closed */
  size_t n_lotes;
} demo_ctx;

typedef struct demo_step {
  const char *chave;       /* for --ate-etapa */
  const char *titulo;
  int (*fn)(demo_ctx *c);
} demo_step;

static void say(const demo_ctx *c, const char *fmt, ...) FAT_PRINTF(2, 3);

static void say(const demo_ctx *c, const char *fmt, ...)
{
  va_list ap;

  if (c->cli->json)
    return;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
}

static double ms(int64_t ns) { return (double)ns / 1e6; }

/* CPU time of the process so far (user + system, every thread), in ms;
** *pico_mb (may be NULL) the peak resident memory so far, in MB. */
static double cpu_ms(long *pico_mb)
{
  struct rusage u;

  if (getrusage(RUSAGE_SELF, &u) != 0)
    return 0.0;
  if (pico_mb != NULL)
    *pico_mb = u.ru_maxrss / 1024;
  return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 +
         (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

/* FAT_DEMO_IO=1 (a measuring aid, docs/desempenho.md): each step also
** prints its system CPU, the bytes the process passed to write() (wchar of
** /proc/self/io: every rewrite counts), the bytes it dirtied for the disk
** (write_bytes: a page rewritten before the kernel flushed it counts once;
** cancelled_write_bytes: those of files deleted first, SQLite's temporary
** files), the bytes read from the disk and the resident memory now. Linux
** only: elsewhere the line says the figures are not available. */
typedef struct demo_io {
  double sys_ms;
  long long lidos, escritos, cancelados, wchar;
  long rss_mb; /* resident now (VmRSS), -1 unknown */
  long heap_mb, livre_mb; /* malloc: in use, free but held (glibc; -1 unknown) */
} demo_io;

static demo_io io_now(void)
{
  demo_io io = {0.0, -1, -1, -1, -1, -1, -1, -1};
  struct rusage u;
  FILE *f = fopen("/proc/self/io", "r");
  char line[128];

#ifdef __GLIBC__
  struct mallinfo2 mi = mallinfo2();

  io.heap_mb = (long)((mi.uordblks + mi.hblkhd) >> 20);
  io.livre_mb = (long)(mi.fordblks >> 20);
#endif
  if (getrusage(RUSAGE_SELF, &u) == 0)
    io.sys_ms = (double)u.ru_stime.tv_sec * 1e3 + (double)u.ru_stime.tv_usec / 1e3;
  if (f == NULL)
    return io;
  while (fgets(line, sizeof line, f) != NULL) {
    long long v;

    if (sscanf(line, "read_bytes: %lld", &v) == 1)
      io.lidos = v;
    else if (sscanf(line, "write_bytes: %lld", &v) == 1)
      io.escritos = v;
    else if (sscanf(line, "cancelled_write_bytes: %lld", &v) == 1)
      io.cancelados = v;
    else if (sscanf(line, "wchar: %lld", &v) == 1)
      io.wchar = v;
  }
  fclose(f);
  f = fopen("/proc/self/status", "r");
  while (f != NULL && fgets(line, sizeof line, f) != NULL) {
    long kb;

    if (sscanf(line, "VmRSS: %ld", &kb) == 1)
      io.rss_mb = kb / 1024;
  }
  if (f != NULL)
    fclose(f);
  return io;
}

static int io_wanted(void)
{
  const char *v = getenv("FAT_DEMO_IO");

  return v != NULL && strcmp(v, "1") == 0;
}

/* Step: build the rules generation (operator contracts). */
static int step_regras(demo_ctx *c)
{
  fat_err err;
  size_t i;

  fat_err_clear(&err);
  if (fat_gen_build(c->cli->regras_dir, NULL, NULL, NULL, &c->gen, &err) != FAT_OK) {
    fat_err_prefix(&err, "regras em %s: ", c->cli->regras_dir);
    return cli_error(&err);
  }
  if (fat_pricer_new_gen(c->st, c->gen, &c->pricer, &err) != FAT_OK)
    return cli_error(&err);
  say(c, "  %zu scripts de operadora carregados de %s:", fat_gen_count(c->gen),
      c->cli->regras_dir);
  for (i = 0; i < fat_gen_count(c->gen); i++)
    say(c, " %s", fat_gen_key(c->gen, i));
  say(c, "\n");
  return CLI_OK;
}
/* part of whole as users read it, right-aligned: "  1,50%" (hundredths,
** truncated; 64-bit, as 300,000 * 10,000 does not fit an int). */
typedef struct pct_txt {
  char s[24];
} pct_txt;

static pct_txt pct_br(int part, int whole)
{
  pct_txt t;
  int64_t h = whole > 0 ? (int64_t)part * 10000 / whole : 0;

  snprintf(t.s, sizeof t.s, "%6lld,%02lld%%", (long long)(h / 100), (long long)(h % 100));
  return t;
}


/* Step: tables + cadastro + guias + defects, in one transaction. */
static int step_dados(demo_ctx *c)
{
  fat_err err;
  long linhas = 0;
  int64_t t_tab = 0;
  char valor[32];
  int i;

  fat_err_clear(&err);
  if (fat_demo_dados(c->st, c->pricer, c->cli->regras_dir, &c->op, &linhas, &c->res, &t_tab,
                     &err) != FAT_OK)
    return cli_error(&err);
  fat_money_format_br(c->res.valor_total, valor, sizeof valor);
  say(c, "  tabelas de preços: %ld linhas de rules/tabelas/demo (%.0f ms)\n", linhas, ms(t_tab));
  say(c, "  cadastro: 1 prestador, 4 operadoras, 8 planos, %d beneficiários, %d profissionais "
         "(%.0f ms)\n",
      c->res.n_beneficiarios, c->res.n_profissionais, ms(c->res.ns_cadastro));
  say(c, "  guias: %d (%d consultas, %d SP/SADT, %d honorários, %d resumos de internação), "
         "%d itens, %s (%.0f ms)\n",
      c->res.n_guias, c->res.por_tipo[FAT_GUIA_CONSULTA], c->res.por_tipo[FAT_GUIA_SADT],
      c->res.por_tipo[FAT_GUIA_HONORARIOS], c->res.por_tipo[FAT_GUIA_INTERNACAO], c->res.n_itens,
      valor, ms(c->res.ns_guias));
  say(c, "\n  defeitos injetados (tabela demo_defeito):\n");
  say(c, "    %-26s %6s %7s\n", "classe", "guias", "% guias");
  for (i = 0; i < FAT_DEMO_N_CLASSES; i++)
    say(c, "    %-26s %6d %s\n", fat_demo_classe(i), c->res.defeitos[i],
        pct_br(c->res.defeitos[i], c->res.n_guias).s);
  say(c, "    %-26s %6d %s\n", "guias com algum defeito", c->res.n_com_defeito,
      pct_br(c->res.n_com_defeito, c->res.n_guias).s);
  if (c->json != NULL) {
    cJSON *d = cJSON_AddObjectToObject(c->json, "defeitos");

    cJSON_AddNumberToObject(c->json, "guias", c->res.n_guias);
    cJSON_AddNumberToObject(c->json, "itens", c->res.n_itens);
    cJSON_AddNumberToObject(c->json, "beneficiarios", c->res.n_beneficiarios);
    cJSON_AddNumberToObject(c->json, "profissionais", c->res.n_profissionais);
    cJSON_AddNumberToObject(c->json, "valor_total", (double)c->res.valor_total);
    cJSON_AddNumberToObject(c->json, "guias_com_defeito", c->res.n_com_defeito);
    cJSON_AddNumberToObject(c->json, "ms_guias", ms(c->res.ns_guias));
    for (i = 0; d != NULL && i < FAT_DEMO_N_CLASSES; i++)
      cJSON_AddNumberToObject(d, fat_demo_classe(i), c->res.defeitos[i]);
  }
  return CLI_OK;
}

/* Step: every stored item priced by the contracts; only injected defects may
** leave an item unpriced or off-contract. */
static int step_precos(demo_ctx *c)
{
  fat_price_todos t;
  size_t inesperados = 0;
  int64_t t0 = fat_now_ns();
  fat_err err;

  fat_err_clear(&err);
  if (fat_demo_conferir_precos(c->st, c->pricer, &t, &inesperados, &err) != FAT_OK)
    return cli_error(&err);
  say(c, "  %zu itens precificados pelo contrato de %zu; %zu sem preço (todos com "
         "CODIGO_INVALIDO injetado), %zu cobrados fora do contrato (defeitos injetados) "
         "(%.0f ms)\n",
      t.n_precificados, t.n_itens, t.n_sem_preco, t.n_divergentes, ms(fat_now_ns() - t0));
  if (c->json != NULL) {
    cJSON *o = cJSON_AddObjectToObject(c->json, "precos");

    if (o != NULL) {
      cJSON_AddNumberToObject(o, "itens", (double)t.n_itens);
      cJSON_AddNumberToObject(o, "precificados", (double)t.n_precificados);
      cJSON_AddNumberToObject(o, "sem_preco", (double)t.n_sem_preco);
      cJSON_AddNumberToObject(o, "divergentes", (double)t.n_divergentes);
      cJSON_AddNumberToObject(o, "inesperados", (double)inesperados);
    }
  }
  fat_price_todos_fini(&t);
  if (inesperados > 0) {
    fprintf(stderr,
            "faturo demo: %zu itens sem preço ou fora do contrato em guias sem o defeito "
            "correspondente (veja faturo preco --todos)\n",
            inesperados);
    return CLI_FAIL;
  }
  return CLI_OK;
}


/* The demo bills as a clinic does: on the 5th day of the month after the
** competência. Conferir, lotes and the operator's answer use that date so the
** deadlines (prazo de apresentação, envio) read as they would then. */
static void demo_hoje(const char *competencia, char out[11])
{
  char primeiro[FAT_DIA_ISO_LEN];
  int32_t d;
  int y, m, dd;

  snprintf(primeiro, sizeof primeiro, "%.7s-01", competencia);
  if (fat_dia_parse(primeiro, &d) != 0) { /* the competência was checked: not reached */
    fat_dia_hoje(out, 11);
    return;
  }
  fat_dia_to_ymd(d, &y, &m, &dd);
  fat_dia_format(d + fat_dia_mes_dias(y, m) + 4, out, 11);
}

/* Step: conferir every guia with the live rules, then measure detection
** against the injected defects (recall per class, precision on clean guias). */
static int step_conferir(demo_ctx *c)
{
  fat_conferir_opts o;
  fat_conferir_resumo r;
  cJSON *rep = NULL, *k;
  fat_err err;
  char v[40];

  fat_err_clear(&err);
  if (fat_rules_open(c->cli->regras_dir, NULL, c->st, &c->rules, &err) != FAT_OK)
    return cli_error(&err);
  memset(&o, 0, sizeof o);
  o.hoje = c->hoje;
  o.threads = cli_threads_padrao();
  if (fat_conferir(c->st, c->rules, &o, NULL, NULL, &r, &err) != FAT_OK)
    return cli_error(&err);
  fat_money_format_br(r.valor_risco, v, sizeof v);
  say(c, "  data de referência %s: %zu guias conferidas, %zu com bloqueio, %zu com alerta, "
         "%s em risco\n", c->hoje, r.conferidas, r.com_bloqueio, r.com_alerta, v);
  if (fat_demo_avaliar(c->st, 0.99, 0.99, &rep, &err) != FAT_OK)
    return cli_error(&err);
  say(c, "\n  detecção dos defeitos injetados:\n    %-24s %9s %10s %8s\n", "classe", "injetadas",
      "detectadas", "recall");
  cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(rep, "classes")) {
    say(c, "    %-24s %9.0f %10.0f %7.1f%%\n", cli_jstr(k, "classe", ""), cli_jnum(k, "injetadas"),
        cli_jnum(k, "detectadas"), cli_jnum(k, "recall") * 100.0);
  }
  say(c, "    guias limpas: %.0f, com bloqueio: %.0f (precisão %.2f%%) — %s\n",
      cli_jnum(rep, "limpas"), cli_jnum(rep, "limpas_com_bloqueio"), cli_jnum(rep, "precisao_limpas") * 100.0,
      cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rep, "ok")) ? "ok"
                                                              : "ABAIXO DO MÍNIMO (99%)");
  if (c->json != NULL) {
    cJSON *d = cJSON_AddObjectToObject(c->json, "conferir");

    if (d != NULL) {
      cJSON_AddNumberToObject(d, "conferidas", (double)r.conferidas);
      cJSON_AddNumberToObject(d, "com_bloqueio", (double)r.com_bloqueio);
      cJSON_AddNumberToObject(d, "com_alerta", (double)r.com_alerta);
      cJSON_AddNumberToObject(d, "valor_risco", (double)r.valor_risco);
      cJSON_AddItemToObject(d, "avaliacao", rep);
      rep = NULL;
    }
  }
  cJSON_Delete(rep);
  return CLI_OK;
}

/* Step: close the lotes of every operadora by its contract; each XML is
** validated against the TISS XSD when the folder is known. */
static int step_lotes(demo_ctx *c)
{
  fat_gen *g = fat_rules_acquire(c->rules);
  fat_err err;
  size_t i, j, total_guias = 0;
  int validado = 1, rc = CLI_OK;

  fat_err_clear(&err);
  if (fat_store_set_checkpoint_mb(c->st, DEMO_CHECKPOINT_MB, &err) != FAT_OK)
    rc = cli_error(&err);
  for (i = 0; i < fat_gen_count(g) && rc == CLI_OK; i++) {
    const char *key = fat_gen_key(g, i);
    fat_lote_fechar_opts o;
    fat_lote_fechar_res res;
    int64_t *more;

    memset(&o, 0, sizeof o);
    memset(&res, 0, sizeof res);
    o.operadora = key;
    o.hoje = c->hoje;
    o.ate = c->hoje;
    o.xsd_dir = c->cli->xsd_dir;
    if (fat_lote_fechar(c->st, g, &o, &res, &err) != FAT_OK) {
      fat_err_prefix(&err, "lotes de %s: ", key);
      rc = cli_error(&err);
    } else if (res.n > 0) {
      more = fat_realloc(c->lotes, (c->n_lotes + res.n) * sizeof *more);
      if (more == NULL) {
        rc = cli_error_oom();
      } else {
        c->lotes = more;
        for (j = 0; j < res.n; j++)
          c->lotes[c->n_lotes++] = res.lotes[j].id;
        say(c, "  %-10s %zu lote(s) com %zu guias\n", key, res.n, res.guias);
        total_guias += res.guias;
        validado = validado && res.validado;
      }
    }
    fat_lote_fechar_res_fini(&res);
  }
  fat_gen_release(g);
  if (rc != CLI_OK)
    return rc;
  if (c->cli->xsd_dir == NULL)
    say(c, "  atenção: XSD TISS não encontrado, os XML NÃO foram validados "
           "(use --xsd DIR ou FATURO_XSD_DIR)\n");
  else
    say(c, "  %zu lotes, %zu guias; %s\n", c->n_lotes, total_guias,
        validado ? "todos os XML validados contra o XSD TISS 4.01.00" : "validação parcial");
  if (c->json != NULL) {
    cJSON *d = cJSON_AddObjectToObject(c->json, "lotes");

    if (d != NULL) {
      cJSON_AddNumberToObject(d, "lotes", (double)c->n_lotes);
      cJSON_AddNumberToObject(d, "guias", (double)total_guias);
      cJSON_AddBoolToObject(d, "validados", c->cli->xsd_dir != NULL && validado);
    }
  }
  return CLI_OK;
}

/* Step: send every lote, let each operadora answer with a demonstrativo de
** análise de conta (glosas included, as the simulator writes them) and
** import it: matching, glosas per guia and item, classification. */
static int step_retorno(demo_ctx *c)
{
  fat_gen *g = fat_rules_acquire(c->rules);
  fat_err err;
  size_t i, n_glosas = 0, n_previstas = 0, *ordem = NULL;
  int64_t informado = 0, glosado = 0, *guias = NULL;
  char data_envio[11], v1[40], v2[40];
  int rc = CLI_OK;

  fat_err_clear(&err);
  snprintf(data_envio, sizeof data_envio, "%s", c->hoje);
  if (c->n_lotes > 0) {
    ordem = fat_calloc(c->n_lotes, sizeof *ordem);
    guias = fat_calloc(c->n_lotes, sizeof *guias);
    if (ordem == NULL || guias == NULL)
      rc = cli_error_oom();
  }
  if (rc == CLI_OK &&
      fat_demo_retorno_ordem(c->st, c->lotes, c->n_lotes, ordem, guias, &err) != FAT_OK)
    rc = cli_error(&err);
  if (rc == CLI_OK && fat_demo_retorno_paginas(c->st, 1, &err) != FAT_OK)
    rc = cli_error(&err);
  for (i = 0; i < c->n_lotes && rc == CLI_OK;) {
    int64_t lote = c->lotes[ordem[i]], na_transacao = 0;
    fat_rc frc;

    /* sending a lote and importing its answer are one transaction here, for
    ** DEMO_RETORNO_GUIAS guias at a time (at least one lote); its statement
    ** journals stay in memory (they went to temporary files) */
    frc = fat_store_begin_bulk(c->st, &err);
    for (; i < c->n_lotes && frc == FAT_OK &&
           (na_transacao == 0 || na_transacao + guias[ordem[i]] <= DEMO_RETORNO_GUIAS);
         i++) {
      size_t k = ordem[i];
      fat_demo_retorno_opts sim;
      fat_demo_retorno_res out;
      fat_retorno_res res;
      char name[64];

      memset(&sim, 0, sizeof sim);
      memset(&out, 0, sizeof out);
      memset(&res, 0, sizeof res);
      lote = c->lotes[k];
      na_transacao += guias[k];
      sim.lote_id = lote;
      sim.taxa_bp = 300;
      sim.semente = c->op.semente + (uint64_t)k;
      sim.data = c->hoje;
      snprintf(name, sizeof name, "demonstrativo-lote-%lld.xml", (long long)lote);
      frc = fat_lote_enviado(c->st, lote, data_envio, &err);
      if (frc == FAT_OK)
        frc = fat_demo_retorno(c->st, &sim, &out, &err);
      if (frc == FAT_OK)
        frc = fat_retorno_importar_buf(c->st, g, out.xml, out.len, name, &res, &err);
      if (frc == FAT_OK) {
        n_glosas += res.n_glosas;
        n_previstas += res.n_previstas;
        informado += res.valor_informado;
        glosado += res.valor_glosado;
      }
      fat_retorno_res_fini(&res);
      fat_demo_retorno_res_fini(&out);
    }
    if (frc == FAT_OK)
      frc = fat_store_commit(c->st, &err);
    if (frc != FAT_OK) {
      fat_store_rollback(c->st);
      fat_err_prefix(&err, "retorno do lote %lld: ", (long long)lote);
      rc = cli_error(&err);
    }
  }
  fat_free(ordem);
  fat_free(guias);
  /* the cache shrinks now that its pages are clean (the commits wrote them) */
  if (fat_demo_retorno_paginas(c->st, 0, rc == CLI_OK ? &err : NULL) != FAT_OK && rc == CLI_OK)
    rc = cli_error(&err);
  fat_gen_release(g);
  if (rc == CLI_OK && fat_store_set_checkpoint_mb(c->st, 0, &err) != FAT_OK)
    rc = cli_error(&err);
  if (rc != CLI_OK)
    return rc;
  fat_money_format_br(informado, v1, sizeof v1);
  fat_money_format_br(glosado, v2, sizeof v2);
  say(c, "  %zu demonstrativos importados: informado %s, glosado %s em %zu glosas\n",
      c->n_lotes, v1, v2, n_glosas);
  say(c, "  %zu dessas glosas uma regra atual teria evitado antes do envio\n", n_previstas);
  if (c->json != NULL) {
    cJSON *d = cJSON_AddObjectToObject(c->json, "retorno");

    if (d != NULL) {
      cJSON_AddNumberToObject(d, "demonstrativos", (double)c->n_lotes);
      cJSON_AddNumberToObject(d, "valor_informado", (double)informado);
      cJSON_AddNumberToObject(d, "valor_glosado", (double)glosado);
      cJSON_AddNumberToObject(d, "glosas", (double)n_glosas);
      cJSON_AddNumberToObject(d, "previstas", (double)n_previstas);
    }
  }
  return CLI_OK;
}

/* Step: appeal the undue glosas (indevidas) of the first operadora that has
** them: one recurso per lote (protocolo), justifications from its script,
** one RECURSO_GLOSA XML each. A justification the data cannot fill is left
** for a person (the XML of that recurso waits for it). */
static int step_recurso(demo_ctx *c)
{
  fat_glosa_filtro f;
  fat_gen *g = fat_rules_acquire(c->rules);
  fat_recurso_criados cr = {NULL, 0};
  cJSON *arr = NULL, *x;
  int64_t ids[200];
  size_t n = 0, i, escritos = 0, pendentes = 0;
  char *xml = NULL, name[128], v[40];
  const char *op = NULL;
  size_t len = 0;
  int validado = 1, val, rc = CLI_OK;
  int64_t valor = 0;
  fat_err err;

  fat_err_clear(&err);
  for (i = 0; i < fat_gen_count(g) && n == 0; i++) {
    memset(&f, 0, sizeof f);
    f.operadora = fat_gen_key(g, i);
    f.classificacao = "indevida";
    f.situacao = "aberta";
    cJSON_Delete(arr);
    arr = NULL;
    if (fat_glosa_listar(c->st, &f, &arr, &err) != FAT_OK)
      break;
    cJSON_ArrayForEach(x, arr) {
      if (n < sizeof ids / sizeof ids[0]) {
        ids[n++] = cli_jint(x, "id");
        valor += cli_jint(x, "valor");
      }
    }
    op = fat_gen_key(g, i);
  }
  cJSON_Delete(arr);
  if (err.rc != FAT_OK) {
    rc = cli_error(&err);
    goto out;
  }
  if (n == 0) {
    say(c, "  nenhuma glosa indevida em aberto: nada a recorrer\n");
    goto out;
  }
  if (fat_recurso_criar(c->st, g, ids, n, 0, &cr, &err) != FAT_OK) {
    rc = cli_error(&err);
    goto out;
  }
  for (i = 0; rc == CLI_OK && i < cr.n; i++) {
    fat_err_clear(&err);
    if (fat_recurso_xml(c->st, g, cr.ids[i], c->cli->xsd_dir, &xml, &len, name, sizeof name,
                        &val, &err) == FAT_OK) {
      escritos++;
      validado = validado && val;
    } else if (err.rc == FAT_EINVAL) {
      pendentes++; /* a justification for a person to write */
    } else {
      rc = cli_error(&err);
    }
    fat_free(xml);
    xml = NULL;
  }
  if (rc == CLI_OK) {
    fat_money_format_br(valor, v, sizeof v);
    say(c, "  %s: %zu glosas indevidas, %s recursados, em %zu recurso(s), um por protocolo; "
           "%zu XML escrito(s)%s\n",
        op, n, v, cr.n, escritos, validado ? " e validado(s) contra o XSD" : "");
    if (pendentes > 0)
      say(c, "  %zu recurso(s) esperam uma justificativa que os dados da guia não preenchem "
             "(faturo recurso listar; faturo recurso editar)\n",
          pendentes);
  }
out:
  fat_recurso_criados_fini(&cr);
  fat_gen_release(g);
  return rc;
}

/* Step (Part G): the financial month (fat_demo_financeiro): faturas with NF,
** a bank statement (OFX) and a CNAB retorno matched, a short and a late
** payment, particulares and the caixa, repasse holding a glosa in recurso and
** releasing it the next month. The files go beside the database. */
static int step_financeiro(demo_ctx *c)
{
  fat_gen *g = fat_rules_acquire(c->rules);
  fat_demo_fin_opts o;
  cJSON *r = NULL, *x;
  char dir[1024], v1[40], v2[40], v3[40];
  const char *barra = strrchr(c->cli->db_path, '/');
  fat_err err;
  fat_rc rc;

  fat_err_clear(&err);
  if (barra != NULL)
    snprintf(dir, sizeof dir, "%.*s", (int)(barra - c->cli->db_path), c->cli->db_path);
  else
    snprintf(dir, sizeof dir, ".");
  memset(&o, 0, sizeof o);
  o.hoje = c->hoje;
  o.saida = dir;
  rc = fat_demo_financeiro(c->st, g, &o, &r, &err);
  fat_gen_release(g);
  if (rc != FAT_OK)
    return cli_error(&err);
  say(c, "  %d fatura(s) com nota fiscal; %d crédito(s) conciliado(s) do extrato OFX e do retorno "
         "CNAB, %d sem conciliação\n", (int)cli_jint(r, "faturas"), (int)cli_jint(r, "conciliados"),
      (int)cli_jint(r, "pendentes"));
  say(c, "  pago a menor: %s; pago com atraso: %s; pago por boleto: %s\n",
      cli_jstr(r, "pagamento_a_menor", "-"), cli_jstr(r, "pagamento_atrasado", "-"),
      cli_jstr(r, "pagamento_por_boleto", "-"));
  x = cJSON_GetObjectItemCaseSensitive(r, "repasse");
  fat_money_format_br(cli_jint(x, "pagar"), v1, sizeof v1);
  fat_money_format_br(cli_jint(x, "retido"), v2, sizeof v2);
  say(c, "  %d particular(es); repasse de %s fechado: %s a pagar, %s retido por glosas (em recurso ou indevidas)\n",
      (int)cli_jint(r, "particulares"), cli_jstr(x, "periodo", "-"), v1, v2);
  x = cJSON_GetObjectItemCaseSensitive(r, "repasse_seguinte");
  fat_money_format_br(cli_jint(x, "liberado"), v1, sizeof v1);
  fat_money_format_br(cli_jint(x, "recuperado"), v2, sizeof v2);
  fat_money_format_br(cli_jint(x, "pagar"), v3, sizeof v3);
  say(c, "  recurso deferido (%s recuperados): repasse de %s libera %s retidos, %s a pagar\n", v2,
      cli_jstr(x, "periodo", "-"), v1, v3);
  if (c->json != NULL)
    cJSON_AddItemToObject(c->json, "financeiro", r);
  else
    cJSON_Delete(r);
  return CLI_OK;
}

/* The cycle, in the order of the flow. Parts add their step here. */
static const demo_step steps[] = {
  {"regras", "regras das operadoras", step_regras},
  {"dados", "tabelas, cadastro, guias e defeitos (uma transação)", step_dados},
  {"precos", "conferência de preços pelo contrato", step_precos},
  {"conferir", "conferir: checagens embutidas e das operadoras", step_conferir},
  {"lotes", "lotes: fechamento por operadora, XML TISS 4.01.00", step_lotes},
  {"retorno", "retorno: demonstrativos das operadoras, glosas", step_retorno},
  {"recurso", "recurso de glosa das glosas indevidas", step_recurso},
  {"financeiro", "financeiro: faturas, extrato, particulares e repasse", step_financeiro},
  {NULL, NULL, NULL}};

static void help(void)
{
  printf("uso: faturo demo [--guias N] [--semente S] [--competencia AAAA-MM]\n"
         "                 [--beneficiarios N] [--ate-etapa ETAPA]\n"
         "\n"
         "Cria, num banco vazio, uma clínica de demonstração: tabelas de preços\n"
         "(rules/tabelas/demo), o prestador, as 4 operadoras de docs/dev/CONTRATOS-DEMO.md\n"
         "com seus planos, cerca de 2.000 beneficiários (um para cada 4 guias acima de\n"
         "8.000 guias), 20 profissionais e um mês de guias dos quatro tipos,\n"
         "precificadas pelo contrato de cada operadora. Depois\n"
         "injeta defeitos conhecidos (~1,5%% das guias por classe, registrados na tabela\n"
         "demo_defeito) e roda o ciclo de faturamento: conferir (com recall e precisão\n"
         "contra os defeitos injetados), fechamento dos lotes com XML TISS validado,\n"
         "demonstrativos de retorno das operadoras com glosas, e um recurso de glosa.\n"
         "A data de referência é o dia 5 do mês seguinte à competência. O conferir\n"
         "roda em $FAT_THREADS threads (padrão: o número de núcleos, até 16).\n"
         "Com FAT_DEMO_IO=1 cada etapa mostra também o CPU de sistema, os bytes\n"
         "escritos e lidos e a memória residente, antes e depois de devolver ao\n"
         "sistema a memória livre (Linux; docs/desempenho.md).\n"
         "\n"
         "  --guias N          quantidade de guias (padrão 3000, de 100 a 1000000)\n"
         "  --semente S        semente do gerador (padrão 1): mesma semente e mesma\n"
         "                     competência geram exatamente os mesmos dados\n"
         "  --competencia      mês dos atendimentos (padrão: o mês passado)\n"
         "  --beneficiarios N  tamanho da carteira de pacientes (padrão 2000, ou uma\n"
         "                     pessoa para cada 4 guias quando passar disso)\n"
         "  --ate-etapa ETAPA  para depois da etapa: regras, dados, precos, conferir,\n"
         "                     lotes, retorno, recurso ou financeiro (padrão: o ciclo todo)\n");
}

static void default_competencia(char out[16])
{
  time_t now = time(NULL);
  struct tm tm;
  int y, m;

  localtime_r(&now, &tm);
  y = tm.tm_year + 1900;
  m = tm.tm_mon; /* 0-based current month = 1-based previous month */
  if (m == 0) {
    m = 12;
    y--;
  }
  if (y < 1 || y > 9999)
    y = 2000;
  snprintf(out, 16, "%04d-%02d", y, m);
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
  char *end;
  long v = strtol(s, &end, 10);

  if (*s == '\0' || *end != '\0' || v < lo || v > hi)
    return -1;
  *out = v;
  return 0;
}

int cli_demo(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {{"guias", required_argument, NULL, 'g'},
                                       {"semente", required_argument, NULL, 's'},
                                       {"competencia", required_argument, NULL, 'c'},
                                       {"beneficiarios", required_argument, NULL, 'b'},
                                       {"ate-etapa", required_argument, NULL, 'e'},
                                       {NULL, 0, NULL, 0}};
  const char *ate = NULL;
  demo_ctx c;
  char comp[16];
  long v;
  int o, i, rc = CLI_OK;
  int64_t t0 = fat_now_ns();

  if (cli_wants_help(argc, argv)) {
    help();
    return CLI_OK;
  }
  memset(&c, 0, sizeof c);
  c.cli = cli;
  c.op.n_guias = 3000;
  c.op.semente = 1;
  c.op.n_beneficiarios = 0; /* fat_demo_beneficiarios(n_guias) */
  default_competencia(comp);
  c.op.competencia = comp;
  optind = 1;
  opterr = 0;
  for (o = getopt_long(argc, argv, "", opts, NULL); o != -1;
       o = getopt_long(argc, argv, "", opts, NULL)) {
    switch (o) {
    case 'g':
      if (parse_int(optarg, 100, FAT_DEMO_MAX_GUIAS, &v) != 0)
        return cli_usage_error("demo", "--guias deve ser um número entre 100 e %d",
                               FAT_DEMO_MAX_GUIAS);
      c.op.n_guias = (int)v;
      break;
    case 's':
      if (parse_int(optarg, 0, 2147483647L, &v) != 0)
        return cli_usage_error("demo", "--semente deve ser um número inteiro não negativo");
      c.op.semente = (uint64_t)v;
      break;
    case 'c':
      c.op.competencia = optarg;
      if (cli_arg_competencia("demo", "--competencia", &c.op.competencia, comp) != CLI_OK)
        return CLI_USAGE;
      break;
    case 'b':
      if (parse_int(optarg, 50, 100000, &v) != 0)
        return cli_usage_error("demo", "--beneficiarios deve ficar entre 50 e 100000");
      c.op.n_beneficiarios = (int)v;
      break;
    case 'e':
      for (i = 0; steps[i].chave != NULL && strcmp(steps[i].chave, optarg) != 0; i++)
        ;
      if (steps[i].chave == NULL)
        return cli_usage_error("demo", "etapa desconhecida '%s'", optarg);
      ate = optarg;
      break;
    default: return cli_bad_option("demo", argv, opts);
    }
  }
  if (optind != argc)
    return cli_usage_error("demo", "argumento inesperado: %s", argv[optind]);
  demo_hoje(c.op.competencia, c.hoje);
  c.st = cli_store_create(cli);
  if (c.st == NULL)
    return CLI_FAIL;
  if (cli->json) {
    c.json = cJSON_CreateObject();
    if (c.json == NULL)
      return cli_error_oom();
    cJSON_AddStringToObject(c.json, "competencia", c.op.competencia);
    cJSON_AddNumberToObject(c.json, "semente", (double)c.op.semente);
  }
  say(&c, "faturo demo: clínica de demonstração em %s (competência %s, semente %llu, %d "
          "guias)\n",
      cli->db_path, c.op.competencia, (unsigned long long)c.op.semente, c.op.n_guias);
  for (i = 0; steps[i].titulo != NULL; i++) {
    int64_t ts = fat_now_ns();
    double cs = cpu_ms(NULL);
    long pico = 0;
    demo_io io0 = io_now(), io1;

    say(&c, "\n[%d] %s\n", i + 1, steps[i].titulo);
    rc = steps[i].fn(&c);
    if (rc != CLI_OK)
      break;
    cs = cpu_ms(&pico) - cs;
    say(&c, "  ok (%.0f ms; CPU %.0f ms; pico de memória até aqui %ld MB)\n",
        ms(fat_now_ns() - ts), cs, pico);
    /* the heap a step freed goes back to the kernel before the next one
    ** starts (its threads' arenas too): otherwise each step's peak stacks on
    ** the free memory the ones before it kept (docs/desempenho.md, rodada 7) */
    io1 = io_wanted() ? io_now() : io0;
    fat_mem_devolver();
    if (io_wanted()) {
      demo_io io2 = io_now();

      if (io0.escritos >= 0 && io1.escritos >= 0)
        say(&c,
            "  E/S: sistema %.0f ms; write() de %.1f MB; %.1f MB sujos para o disco (%.1f MB "
            "deles em arquivos apagados antes); lidos do disco %.1f MB; memória agora %ld MB "
            "(%ld MB antes de devolver o livre; heap em uso %ld MB, livre retido %ld MB)\n",
            io1.sys_ms - io0.sys_ms, (double)(io1.wchar - io0.wchar) / 1048576.0,
            (double)(io1.escritos - io0.escritos) / 1048576.0,
            (double)(io1.cancelados - io0.cancelados) / 1048576.0,
            (double)(io1.lidos - io0.lidos) / 1048576.0, io2.rss_mb, io1.rss_mb, io1.heap_mb,
            io1.livre_mb);
      else
        say(&c, "  E/S: sistema %.0f ms; bytes escritos e lidos indisponíveis aqui\n",
            io1.sys_ms - io0.sys_ms);
    }
    fflush(stdout); /* a long demo shows each step as it ends */
    if (ate != NULL && strcmp(ate, steps[i].chave) == 0)
      break;
  }
  if (rc == CLI_OK) {
    say(&c, "\npronto em %.1f s. Próximos passos:\n", ms(fat_now_ns() - t0) / 1000.0);
    say(&c, "  faturo achado listar                 achados em aberto (o que corrigir)\n"
            "  faturo guia mostrar 1                uma guia com seus achados e glosas\n"
            "  faturo conferir --hoje %s    reconfere (só o que mudou)\n"
            "  faturo lote listar                   lotes, prazos de envio, atrasos\n"
            "  faturo lote mapa                     mapa de acompanhamento de faturas\n"
            "  faturo lote xml 1 --saida xml/       grava o XML TISS de um lote\n"
            "  faturo glosa resumo                  glosas por motivo, operadora, procedimento\n"
            "  faturo recurso listar                recursos e seus prazos\n"
            "  faturo fatura mapa                   faturas: NF, recebido, saldo, atraso\n"
            "  faturo conciliacao pendentes         créditos do extrato sem conciliação\n"
            "  faturo repasse extrato --periodo P   repasse médico (P = mês do pagamento)\n"
            "  faturo preco aurora 10101012         o preço de um item, passo a passo\n"
            "  faturo usuario criar admin --papel admin && faturo servidor\n"
            "                                       o painel web em http://127.0.0.1:8080\n",
        c.hoje);
  }
  if (c.json != NULL) {
    char *txt;

    cJSON_AddBoolToObject(c.json, "ok", rc == CLI_OK);
    cJSON_AddNumberToObject(c.json, "ms_total", ms(fat_now_ns() - t0));
    txt = cJSON_PrintUnformatted(c.json);
    if (txt != NULL)
      printf("%s\n", txt);
    cJSON_free(txt);
    cJSON_Delete(c.json);
  }
  fat_pricer_free(c.pricer);
  fat_gen_release(c.gen);
  fat_rules_close(c.rules);
  fat_free(c.lotes);
  return rc;
}
