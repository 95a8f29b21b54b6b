/* fat_conferir.c: the conferir run, findings storage and acknowledgement
** (see fat_conferir.h, docs/conferir.md). */
#include "fat_conferir.h"
#include "fat_guias_int.h"

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fat_avaliar.h"
#include "fat_check.h"
#include "fat_contadores.h"
#include "fat_dia.h"
#include "fat_docnum.h"
#include "fat_enviavel.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_operadora.h"
#include "fat_store_int.h"

static int blank(const char *s) { return s == NULL || s[0] == '\0'; }

static int str_eq_null(const char *a, const char *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return strcmp(a, b) == 0;
}


/* The PRAGMA mmap_size for each of n_maps read connections of the database
** file at path: the share of FAT_CONFERIR_MMAP_MB of each when the file
** fits in it (the map follows the file as it grows, up to that share), else
** 0 (not mapped). */
static int64_t run_mmap_bytes(const char *path, int n_maps)
{
  int64_t share = (int64_t)FAT_CONFERIR_MMAP_MB * 1048576 / (n_maps > 0 ? n_maps : 1);
  struct stat sb;

  if (path == NULL || path[0] == '\0' || stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) ||
      sb.st_size <= 0 || (int64_t)sb.st_size > share)
    return 0;
  return share;
}

/* Set PRAGMA mmap_size = bytes on st. */
static fat_rc run_set_mmap(fat_store *st, int64_t bytes, fat_err *err)
{
  char sql[64];

  snprintf(sql, sizeof sql, "PRAGMA mmap_size = %lld", (long long)bytes);
  return fat_store_exec(st, sql, err);
}

/* {======================================================================
** The run: select, evaluate (fat_avaliar), store
** ======================================================================= */

/* Guias whose new status one UPDATE writes (store_status). One UPDATE per
** guia opened a cursor on guia and each of its indexes and a frame for each
** of its 5 triggers on status (SQLite allocates and zeroes a trigger's frame
** once per statement): ~20 us a guia, half of it per statement (rodada 9).
** What is per statement (its start and end, the statement journal taking
** each page it touches once) was still ~3.7 thousand instructions a guia at
** 32 guias a statement; at 128, ~1 thousand (rodada 12). */
#define STATUS_BATCH 128

/* New achado rows that one INSERT writes (achados_flush). Each INSERT of one
** row paid, for its two triggers (achado_resumo_novo, guia_aberto_achado_novo
** and the panel's behind it), a frame per trigger allocated and freed, a
** statement journal holding each page it touched and the statement's end:
** ~170 thousand instructions a row on the first check (rodada 11); those
** are per statement, not per row. Since migration 106 those triggers do
** nothing for this run's writes (the gate row of tx_begin): the run keeps
** the counters itself (store_contadores, fat_contadores.c). */
#define ACH_BATCH 32
#define ACH_TXT 7 /* codigo, campo, mensagem, glosa_prevista, regra, script_sha256, chave */

/* A new achado row waiting for achados_flush. Its id is the one SQLite
** would give it inserted alone at that point (max(id) + 1, see ach_queue),
** written explicitly, so the caller knows it at once. */
typedef struct ach_pend {
  int64_t id, guia_id, item_id, valor_risco, geracao_id, revisao, linha;
  const char *severidade; /* a literal */
  size_t txt[ACH_TXT];    /* offsets in run.ach_txt.data; SIZE_MAX for NULL */
} ach_pend;

typedef struct run {
  fat_store *st;
  fat_gen *gen;          /* NULL when there are no rules */
  fat_avaliador *av;
  const fat_conferir_opts *o;
  int64_t operadora_id;  /* 0 = every operadora */
  int64_t guia_id;       /* 0 = every guia not yet in a lote */
  fat_conferir_cb cb;
  void *ud;
  fat_conferir_resumo *res;
  fat_guia_loader *ld;   /* the rows guias reference, read once per chunk */
  /* new statuses not written yet (store_status): written STATUS_BATCH at a
  ** time by one UPDATE, and before each commit (status_flush) */
  size_t n_pend;
  int64_t pend_id[STATUS_BATCH];
  char pend_st[STATUS_BATCH][16];
  /* new achado rows not written yet (store_achados): written up to
  ** ACH_BATCH a statement by achados_flush, before the pending statuses */
  struct ach_pend *ach;
  size_t n_ach, cap_ach;
  fat_buf ach_txt;       /* their texts, NUL-terminated, at ach_pend.txt[] */
  /* the finding counters of this run's writes, written before each commit
  ** (tx_begin, tx_commit; migration 106) */
  fat_contadores *cnt;
  time_t now_t;          /* the second r->now was written for (run_now) */
  char now[32];
} run;

/* A guia to check and whether it was checked before. */
typedef struct cand {
  int64_t id;
  int conferida_antes;   /* has a conferencia row (so maybe achado rows) */
} cand;

/* Index of the item with sequencial seq (or -1). */
static int item_index(const fat_guia *g, int seq)
{
  size_t i;

  for (i = 0; i < g->n_itens; i++)
    if (g->itens[i].sequencial == seq)
      return (int)i;
  return -1;
}

/* A row of `achado` of the guia before this re-check. A finding found
** again (same identity, fat_finding_chave; rows stored before migration 013
** have none and match by code and field) takes over its row: the same id
** (so `achado reconhecer ID` keeps working with the id the user saw) and its
** acknowledgement. Rows nobody takes are deleted. */
typedef struct velho {
  int64_t id;
  int64_t revisao;            /* guia_revisao the row was found on */
  char *chave;                /* NULL for rows stored before migration 013 */
  char *codigo, *campo;
  int reconhecido;
  int bloqueio;               /* severidade = 'bloqueio' (else 'alerta') */
  int64_t valor_risco;
  int usado;                  /* taken by a finding of this re-check */
} velho;

static void velhos_free(velho *a, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++) {
    fat_free(a[i].chave);
    fat_free(a[i].codigo);
    fat_free(a[i].campo);
  }
  fat_free(a);
}

static fat_rc velhos_load(fat_store *st, int64_t guia_id, velho **out, size_t *n, fat_err *err)
{
  static const char sql[] =
    "SELECT id, guia_revisao, chave, codigo, campo, reconhecido_em IS NOT NULL, "
    "severidade = 'bloqueio', valor_risco FROM achado WHERE guia_id = ?1 ORDER BY id";
  fat_stmt *s;
  velho *v = NULL, *nv;
  size_t cnt = 0;
  int step = FAT_DONE, bad = 0;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  *out = NULL;
  *n = 0;
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, guia_id);
  step = fat_stmt_step(s);
  while (step == FAT_ROW && !bad) {
    velho *a;

    nv = fat_realloc(v, (cnt + 1) * sizeof *v);
    if (nv == NULL) {
      bad = 1;
      continue;
    }
    v = nv;
    a = &v[cnt++];
    memset(a, 0, sizeof *a);
    a->id = fat_col_int64(s, 0);
    a->revisao = fat_col_int64(s, 1);
    a->chave = fat_col_strdup(s, 2, &bad);
    a->codigo = fat_col_strdup(s, 3, &bad);
    a->campo = fat_col_strdup(s, 4, &bad);
    a->reconhecido = fat_col_int(s, 5);
    a->bloqueio = fat_col_int(s, 6);
    a->valor_risco = fat_col_int64(s, 7);
    if (!bad)
      step = fat_stmt_step(s);
  }
  fat_stmt_reset(s);
  if (bad)
    rc = fat_err_oom(err);
  else if (step != FAT_DONE)
    rc = fat_store_dberr(st, err, "erro ao ler os achados anteriores");
  if (rc != FAT_OK) {
    velhos_free(v, cnt);
    return rc;
  }
  *out = v;
  *n = cnt;
  return FAT_OK;
}

/* The row of the same finding not yet taken, or NULL. */
static velho *velho_of(velho *v, size_t n, const fat_finding *f, const char *chave)
{
  size_t j;

  for (j = 0; j < n; j++) {
    if (v[j].usado)
      continue;
    if (v[j].chave != NULL ? strcmp(v[j].chave, chave) == 0
                           : (v[j].codigo != NULL && strcmp(v[j].codigo, f->codigo) == 0 &&
                              str_eq_null(v[j].campo, f->campo)))
      return &v[j];
  }
  return NULL;
}

static fat_rc achados_flush(run *r, int64_t current, fat_err *err);

/* Open findings of the guia's earlier revisions that the re-check of the
** corrected guia no longer finds were resolved by the correction (audited
** as achado.resolver); then the rows nobody took are deleted. */
static fat_rc velhos_fim(run *r, const fat_guia *g, const velho *a, size_t n, fat_err *err)
{
  static const char sql_del[] = "DELETE FROM achado WHERE id = ?1";
  fat_store *st = r->st;
  fat_stmt *s;
  char obj[32], det[160];
  size_t i;
  int flushed = 0;
  fat_rc rc = FAT_OK;

  snprintf(obj, sizeof obj, "guia:%lld", (long long)g->id);
  for (i = 0; i < n && rc == FAT_OK; i++) {
    if (a[i].usado)
      continue;
    /* the new rows waiting go in first, as they did when each was written
    ** at once (their ids need not: they are above every row deleted here) */
    if (!flushed) {
      flushed = 1;
      rc = achados_flush(r, g->id, err);
      if (rc != FAT_OK)
        break;
    }
    if (!a[i].reconhecido && a[i].chave != NULL && a[i].revisao < g->revisao) {
      snprintf(det, sizeof det, "%s resolvido na revisão %lld",
               a[i].codigo != NULL ? a[i].codigo : "achado", (long long)g->revisao);
      rc = fat_store_audit(st, "achado.resolver", obj, det, err);
    }
    if (rc == FAT_OK)
      rc = fat_store_prepare(st, sql_del, &s, err);
    if (rc == FAT_OK) {
      fat_bind_int(s, 1, a[i].id);
      rc = fat_store_step_done(st, s, "erro ao apagar achado antigo", err);
    }
  }
  return rc;
}


/* Value at risk of a guia: the sum of its open bloqueios, capped at the
** guia's value (a guia cannot lose more than it bills). */
static int64_t guia_risco(const fat_guia *g, const fat_findings *f, const int *rec)
{
  int64_t sum = 0, cap = fat_check_valor_guia(g);
  size_t i;

  for (i = 0; i < f->n; i++)
    if (f->v[i].severidade == FAT_BLOQUEIO && !rec[i])
      sum += f->v[i].valor_risco;
  return cap > 0 && sum > cap ? cap : sum;
}

/* What storing a guia's evaluation will write, worked out before writing
** from reads only (the guia's achado rows before this check): each
** finding's earlier row, the acknowledgements kept, the counts and the
** guia's new status. The threaded run works it out on the worker's
** connection: its snapshot holds the same earlier rows, since the run
** writes a guia's findings only when it stores that guia. */
typedef struct guia_plan {
  velho *old;            /* the guia's achado rows before this check */
  size_t n_old;
  long *match;           /* per finding: its row in old, or -1 (a new row) */
  int *rec;              /* per finding: 1 when it keeps an acknowledgement */
  char (*chave)[FAT_FINDING_CHAVE_MAX]; /* per finding: its identity */
  int64_t bloqueios, alertas;  /* open bloqueios (not acknowledged), alertas */
  int64_t risco;
  const char *status;    /* the guia's new status (a literal or the guia's own) */
} guia_plan;

static void plan_init(guia_plan *pl) { memset(pl, 0, sizeof *pl); }

static void plan_fini(guia_plan *pl)
{
  velhos_free(pl->old, pl->n_old);
  fat_free(pl->match);
  fat_free(pl->rec);
  fat_free(pl->chave);
  plan_init(pl);
}

/* Is status one conferir may change (a guia not yet in a lote)? */
static int status_conferivel(const char *status) { return fat_guia_status_a_faturar(status); }

/* Work out pl (init'ed) for the evaluation av of guia g (checked as c),
** reading g's earlier findings from st. The same finding found again
** (same identity, fat_finding_chave; rows stored before migration 013 have
** none and match by code and field) takes over its row, each row once, in
** the order of the findings. The new status: "pendente" with an open
** bloqueio or an error, else "conferida"; a guia already in a lote
** (conferir --guia N may check any guia) keeps its status. */
static fat_rc plan_guia(fat_store *st, const cand *c, const fat_guia *g, const fat_avaliacao *av,
                        guia_plan *pl, fat_err *err)
{
  const fat_findings *f = &av->achados;
  size_t i;
  fat_rc rc = FAT_OK;

  pl->match = fat_calloc(f->n + 1, sizeof *pl->match);
  pl->rec = fat_calloc(f->n + 1, sizeof *pl->rec);
  pl->chave = fat_calloc(f->n + 1, sizeof *pl->chave);
  if (pl->match == NULL || pl->rec == NULL || pl->chave == NULL)
    return fat_err_oom(err);
  /* a guia never checked has no achado rows: nothing to keep or delete */
  if (c->conferida_antes)
    rc = velhos_load(st, g->id, &pl->old, &pl->n_old, err);
  for (i = 0; i < f->n && rc == FAT_OK; i++) {
    const fat_finding *a = &f->v[i];
    velho *k;

    fat_finding_chave(a, g, pl->chave[i], sizeof pl->chave[i]);
    k = velho_of(pl->old, pl->n_old, a, pl->chave[i]);
    pl->match[i] = k != NULL ? (long)(k - pl->old) : -1;
    pl->rec[i] = k != NULL && k->reconhecido;
    if (k != NULL)
      k->usado = 1;
    if (a->severidade == FAT_BLOQUEIO && !pl->rec[i])
      pl->bloqueios++;
    else if (a->severidade == FAT_ALERTA)
      pl->alertas++;
  }
  if (rc != FAT_OK)
    return rc;
  pl->risco = guia_risco(g, f, pl->rec);
  if (!status_conferivel(g->status))
    pl->status = g->status;
  else
    pl->status = (pl->bloqueios > 0 || av->erro[0] != '\0') ? "pendente" : "conferida";
  return FAT_OK;
}

/* The INSERT of 1, 2, 4, ... ACH_BATCH pending rows (ach_sql[k]: 2^k rows). */
#define ACH_INS                                                                                    \
  "INSERT INTO achado(id, guia_id, item_id, codigo, severidade, campo, mensagem, "               \
  "glosa_prevista, valor_risco, regra, script_sha256, geracao_id, guia_revisao, linha, chave) "  \
  "VALUES "
#define ACH_R1 "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
#define ACH_R2 ACH_R1 "," ACH_R1
#define ACH_R4 ACH_R2 "," ACH_R2
#define ACH_R8 ACH_R4 "," ACH_R4
#define ACH_R16 ACH_R8 "," ACH_R8
#define ACH_R32 ACH_R16 "," ACH_R16
#define ACH_NCOLS 15
static const char *const ach_sql[] = {ACH_INS ACH_R1,  ACH_INS ACH_R2,  ACH_INS ACH_R4,
                                      ACH_INS ACH_R8,  ACH_INS ACH_R16, ACH_INS ACH_R32};

static void ach_clear(run *r)
{
  r->n_ach = 0;
  fat_buf_reset(&r->ach_txt);
}

static const char *ach_str(const run *r, size_t off)
{
  return off == SIZE_MAX ? NULL : r->ach_txt.data + off;
}

/* Bind pending row p to the parameters b+1 .. b+ACH_NCOLS of s. The texts
** stay in r->ach_txt until the statement has run. */
static void ach_bind(const run *r, fat_stmt *s, int b, const ach_pend *p)
{
  fat_bind_int_or_null(s, b + 1, p->id, p->id <= 0); /* NULL: SQLite picks it */
  fat_bind_int(s, b + 2, p->guia_id);
  fat_bind_int_or_null(s, b + 3, p->item_id, p->item_id <= 0);
  fat_bind_text_static(s, b + 4, ach_str(r, p->txt[0]));
  fat_bind_text_static(s, b + 5, p->severidade);
  fat_bind_text_static(s, b + 6, ach_str(r, p->txt[1]));
  fat_bind_text_static(s, b + 7, ach_str(r, p->txt[2]));
  fat_bind_text_static(s, b + 8, ach_str(r, p->txt[3]));
  fat_bind_int(s, b + 9, p->valor_risco);
  fat_bind_text_static(s, b + 10, ach_str(r, p->txt[4]));
  fat_bind_text_static(s, b + 11, ach_str(r, p->txt[5]));
  fat_bind_int_or_null(s, b + 12, p->geracao_id, p->geracao_id <= 0);
  fat_bind_int(s, b + 13, p->revisao);
  fat_bind_int_or_null(s, b + 14, p->linha, p->linha <= 0);
  fat_bind_text_static(s, b + 15, ach_str(r, p->txt[6]));
}

/* Write the pending new achado rows, ACH_BATCH (or the largest power of 2
** left) a statement, in the order they were found. A failure names the
** guia whose row failed (each row again on its own: the statement that
** failed wrote nothing, and the transaction is rolled back after any
** failure); the caller names current's itself. */
static fat_rc achados_flush(run *r, int64_t current, fat_err *err)
{
  size_t i = 0, k, j;
  int lg;
  fat_stmt *s;
  fat_rc rc = FAT_OK;

  while (i < r->n_ach && rc == FAT_OK) {
    for (lg = 5, k = ACH_BATCH; k > r->n_ach - i; lg--)
      k /= 2;
    rc = fat_store_prepare(r->st, ach_sql[lg], &s, err);
    if (rc != FAT_OK)
      break;
    for (j = 0; j < k; j++)
      ach_bind(r, s, (int)(j * ACH_NCOLS), &r->ach[i + j]);
    rc = fat_store_step_done(r->st, s, "erro ao gravar achado", err);
    if (rc == FAT_OK)
      i += k;
  }
  for (j = i; j < r->n_ach && rc != FAT_OK; j++) {
    fat_err e;

    fat_err_clear(&e);
    if (fat_store_prepare(r->st, ach_sql[0], &s, &e) != FAT_OK)
      break;
    ach_bind(r, s, 0, &r->ach[j]);
    if (fat_store_step_done(r->st, s, "erro ao gravar achado", &e) != FAT_OK) {
      *err = e;
      if (r->ach[j].guia_id != current)
        fat_err_prefix(err, "guia %lld: ", (long long)r->ach[j].guia_id);
      break;
    }
  }
  ach_clear(r);
  return rc;
}

/* The id SQLite gives the next row inserted into achado (an INTEGER
** PRIMARY KEY without AUTOINCREMENT): max(id) + 1, 1 when the table is
** empty; 0 when it would pick one at random (max(id) is the largest). */
static fat_rc ach_next_id(run *r, int64_t *next, fat_err *err)
{
  static const char sql[] = "SELECT max(id) FROM achado";
  fat_stmt *s;
  int step;
  fat_rc rc = fat_store_prepare(r->st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  step = fat_stmt_step(s);
  if (step != FAT_ROW)
    rc = fat_store_dberr(r->st, err, "erro ao ler os achados");
  else if (fat_col_is_null(s, 0))
    *next = 1;
  else
    *next = fat_col_int64(s, 0) < INT64_MAX ? fat_col_int64(s, 0) + 1 : 0;
  fat_stmt_reset(s);
  return rc;
}

/* Queue new row p (its texts t) for achados_flush; *id gets its id: the
** one it would have had inserted alone now. The first row waiting takes
** max(id) + 1 from the table, each next one the id after the one before:
** until the flush nothing else inserts into achado, and what is deleted
** meanwhile (velhos_fim) are rows older than the first one waiting, which
** do not change max(id) while it waits. When that id is not known (the
** largest rowid was reached) the row is written at once, as before. */
static fat_rc ach_queue(run *r, ach_pend *p, const char *const t[ACH_TXT], int64_t *id,
                        fat_err *err)
{
  int64_t next = 0;
  size_t k;
  fat_rc rc;

  if (r->n_ach == 0)
    rc = ach_next_id(r, &next, err);
  else {
    next = r->ach[r->n_ach - 1].id > 0 && r->ach[r->n_ach - 1].id < INT64_MAX
               ? r->ach[r->n_ach - 1].id + 1
               : 0;
    rc = FAT_OK;
  }
  if (rc == FAT_OK && next == 0 && r->n_ach > 0)
    rc = achados_flush(r, p->guia_id, err);
  if (rc != FAT_OK)
    return rc;
  if (!FAT_GROW(r->ach, r->cap_ach, r->n_ach))
    return fat_err_oom(err);
  for (k = 0; k < ACH_TXT && rc == FAT_OK; k++) {
    p->txt[k] = t[k] != NULL ? r->ach_txt.len : SIZE_MAX;
    if (t[k] != NULL) /* with its NUL: the next text starts after it */
      rc = fat_buf_append(&r->ach_txt, t[k], strlen(t[k]) + 1, err);
  }
  if (rc != FAT_OK)
    return rc;
  p->id = next;
  r->ach[r->n_ach++] = *p;
  if (next > 0) {
    *id = next;
    return FAT_OK;
  }
  rc = achados_flush(r, p->guia_id, err);
  if (rc == FAT_OK)
    *id = fat_store_last_id(r->st);
  return rc;
}

/* Write the findings of av as pl matched them; the id of each finding's
** row goes to ids. A new row waits in r->ach (ach_queue) for the next
** flush; a row found again is updated now. */
static fat_rc store_achados(run *r, const fat_guia *g, const fat_avaliacao *av,
                            const guia_plan *pl, int64_t *ids, fat_err *err)
{
  /* the same finding found again keeps its row: id and acknowledgement; a
  ** row that would not change is not written (no index entry rewritten, no
  ** trigger fired: most rows of a re-check, rodada 9) */
  static const char sql_upd[] =
    "UPDATE achado SET guia_id = ?1, item_id = ?2, codigo = ?3, severidade = ?4, campo = ?5, "
    "mensagem = ?6, glosa_prevista = ?7, valor_risco = ?8, regra = ?9, script_sha256 = ?10, "
    "geracao_id = ?11, guia_revisao = ?12, linha = ?13, chave = ?14 WHERE id = ?15 AND ("
    "guia_id IS NOT ?1 OR item_id IS NOT ?2 OR codigo IS NOT ?3 OR severidade IS NOT ?4 OR "
    "campo IS NOT ?5 OR mensagem IS NOT ?6 OR glosa_prevista IS NOT ?7 OR "
    "valor_risco IS NOT ?8 OR regra IS NOT ?9 OR script_sha256 IS NOT ?10 OR "
    "geracao_id IS NOT ?11 OR guia_revisao IS NOT ?12 OR linha IS NOT ?13 OR chave IS NOT ?14)";
  const fat_findings *f = &av->achados;
  int64_t geracao_id = r->gen != NULL ? fat_gen_id(r->gen) : 0;
  size_t i;
  fat_stmt *s;
  fat_rc rc = FAT_OK;

  for (i = 0; i < f->n && rc == FAT_OK; i++) {
    const fat_finding *a = &f->v[i];
    int idx = a->item_seq > 0 ? item_index(g, a->item_seq) : -1;
    int64_t item_id = idx >= 0 && g->itens[idx].id > 0 ? g->itens[idx].id : 0;
    const velho *k = pl->match[i] >= 0 ? &pl->old[pl->match[i]] : NULL;

    if (k == NULL) {
      ach_pend p;
      const char *t[ACH_TXT];

      memset(&p, 0, sizeof p);
      p.guia_id = g->id;
      p.item_id = item_id;
      p.severidade = fat_severidade_str(a->severidade);
      p.valor_risco = a->valor_risco;
      p.geracao_id = geracao_id;
      p.revisao = g->revisao;
      p.linha = a->linha;
      t[0] = a->codigo;
      t[1] = a->campo;
      t[2] = a->mensagem;
      t[3] = a->glosa_prevista;
      t[4] = a->regra != NULL ? a->regra : "builtin";
      t[5] = a->script_sha256;
      t[6] = pl->chave[i];
      rc = ach_queue(r, &p, t, &ids[i], err);
      continue;
    }
    rc = fat_store_prepare(r->st, sql_upd, &s, err);
    if (rc != FAT_OK)
      break;
    fat_bind_int(s, 1, g->id);
    fat_bind_int_or_null(s, 2, item_id, item_id <= 0);
    fat_bind_text(s, 3, a->codigo);
    fat_bind_text(s, 4, fat_severidade_str(a->severidade));
    fat_bind_text(s, 5, a->campo);
    fat_bind_text(s, 6, a->mensagem);
    fat_bind_text(s, 7, a->glosa_prevista);
    fat_bind_int(s, 8, a->valor_risco);
    fat_bind_text(s, 9, a->regra != NULL ? a->regra : "builtin");
    fat_bind_text(s, 10, a->script_sha256);
    fat_bind_int_or_null(s, 11, geracao_id, geracao_id <= 0);
    fat_bind_int(s, 12, g->revisao);
    fat_bind_int_or_null(s, 13, a->linha, a->linha <= 0);
    fat_bind_text(s, 14, pl->chave[i]);
    fat_bind_int(s, 15, k->id);
    rc = fat_store_step_done(r->st, s, "erro ao gravar achado", err);
    if (rc == FAT_OK)
      ids[i] = k->id;
  }
  if (rc == FAT_OK)
    rc = velhos_fim(r, g, pl->old, pl->n_old, err);
  return rc;
}


/* Item values filled from the contract and the new guia total. */
static fat_rc store_valores(run *r, const fat_guia *g, const fat_avaliacao *av, fat_err *err)
{
  static const char sql_item[] =
    "UPDATE item SET valor_unitario = ?2, valor_total = ?3, fator_e2 = ?4 WHERE id = ?1";
  static const char sql_total[] = "UPDATE guia SET valor_total = ?2 WHERE id = ?1";
  fat_stmt *s;
  fat_rc rc = FAT_OK;
  size_t i;

  for (i = 0; i < g->n_itens && i < av->n_itens && rc == FAT_OK; i++) {
    const fat_item *it = &g->itens[i];

    if (!av->preenchido[i] || it->id <= 0)
      continue;
    rc = fat_store_prepare(r->st, sql_item, &s, err);
    if (rc != FAT_OK)
      break;
    fat_bind_int(s, 1, it->id);
    fat_bind_int(s, 2, it->valor_unitario);
    fat_bind_int(s, 3, it->valor_total);
    fat_bind_int(s, 4, it->fator_e2 > 0 ? it->fator_e2 : 100);
    rc = fat_store_step_done(r->st, s, "erro ao gravar o valor do item", err);
  }
  if (rc == FAT_OK && av->valor_total_novo != FAT_ABSENT) {
    rc = fat_store_prepare(r->st, sql_total, &s, err);
    if (rc == FAT_OK) {
      fat_bind_int(s, 1, g->id);
      fat_bind_int(s, 2, av->valor_total_novo);
      rc = fat_store_step_done(r->st, s, "erro ao gravar o total da guia", err);
    }
  }
  return rc;
}

/* The text of the UPDATE below, written once (status_sql_init). */
static char status_sql[STATUS_BATCH * 80];
static size_t status_sql_len;
static pthread_once_t status_sql_once = PTHREAD_ONCE_INIT;

/* Append text and, unless n is 0, the parameter ?n. */
static void status_sql_add(const char *text, size_t n)
{
  int w;

  if (status_sql_len >= sizeof status_sql)
    return;
  if (n > 0)
    w = snprintf(status_sql + status_sql_len, sizeof status_sql - status_sql_len, "%s?%zu",
                 text, n);
  else
    w = snprintf(status_sql + status_sql_len, sizeof status_sql - status_sql_len, "%s", text);
  status_sql_len = w < 0 ? sizeof status_sql : status_sql_len + (size_t)w;
}

/* The status one row takes: its id is one of the ids [lo, hi), bound sorted,
** the k-th as ?(2k+1) with its status as ?(2k+2): a binary search of
** log2(STATUS_BATCH) comparisons instead of a CASE over every id. */
static void status_case(size_t lo, size_t hi)
{
  size_t mid = lo + (hi - lo) / 2;

  if (hi - lo == 1) {
    status_sql_add("", 2 * lo + 2);
    return;
  }
  status_sql_add("CASE WHEN id < ", 2 * mid + 1);
  status_sql_add(" THEN ", 0);
  status_case(lo, mid);
  status_sql_add(" ELSE ", 0);
  status_case(mid, hi);
  status_sql_add(" END", 0);
}

static void status_sql_init(void)
{
  size_t i;

  status_sql_add("UPDATE guia SET status = ", 0);
  status_case(0, STATUS_BATCH);
  status_sql_add(" WHERE id IN (", 1);
  for (i = 1; i < STATUS_BATCH; i++)
    status_sql_add(", ", 2 * i + 1);
  status_sql_add(")", 0);
  if (status_sql_len >= sizeof status_sql) /* cannot happen: the size above */
    status_sql[0] = '\0';
}

/* Write the pending statuses (r->pend_*) with one UPDATE of STATUS_BATCH
** guias, bound in order of id (status_case): fewer than that repeat the
** last guia (the IN list visits each row once, and the search finds the
** same status). The triggers see each guia's change as with an UPDATE of its
** own: the counters they keep are sums, whatever the order of the rows.
** (Under the gate row of migration 106 painel_guia_situacao skips these
** changes: among digitada, conferida and pendente its body adds 0.) */
static fat_rc status_write(run *r, fat_err *err)
{
  size_t ord[STATUS_BATCH];
  fat_stmt *s;
  size_t i, k;
  fat_rc rc;

  if (r->n_pend == 0)
    return FAT_OK;
  pthread_once(&status_sql_once, status_sql_init);
  if (status_sql[0] == '\0')
    return fat_err_set(err, FAT_ESTATE, "consulta das situações longa demais");
  rc = fat_store_prepare(r->st, status_sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  /* the pending guias by id (insertion: they come almost in order) */
  for (i = 0; i < r->n_pend; i++) {
    for (k = i; k > 0 && r->pend_id[ord[k - 1]] > r->pend_id[i]; k--)
      ord[k] = ord[k - 1];
    ord[k] = i;
  }
  for (i = 0; i < STATUS_BATCH; i++) {
    k = ord[i < r->n_pend ? i : r->n_pend - 1];
    fat_bind_int(s, (int)(2 * i + 1), r->pend_id[k]);
    fat_bind_text(s, (int)(2 * i + 2), r->pend_st[k]);
  }
  rc = fat_store_step_done(r->st, s, "erro ao atualizar a situação das guias", err);
  /* which guia failed: each one again on its own (the transaction is rolled
  ** back after any failure) */
  for (k = 0; k < r->n_pend && rc != FAT_OK; k++) {
    static const char sql1[] = "UPDATE guia SET status = ?2 WHERE id = ?1";
    fat_err e;

    fat_err_clear(&e);
    if (fat_store_prepare(r->st, sql1, &s, &e) != FAT_OK)
      break;
    fat_bind_int(s, 1, r->pend_id[k]);
    fat_bind_text(s, 2, r->pend_st[k]);
    if (fat_store_step_done(r->st, s, "erro ao atualizar a situação da guia", &e) != FAT_OK) {
      *err = e;
      fat_err_prefix(err, "guia %lld: ", (long long)r->pend_id[k]);
      break;
    }
  }
  r->n_pend = 0;
  return rc;
}

/* The guia's new status (pl->status): only a guia not yet in a lote
** changes status, and an unchanged status is not written again. It is
** written with the next STATUS_BATCH guias' (status_flush), always before
** the transaction commits; until then what this run reads of that guia's
** status is taken from r->pend_* (status_fix_ctx). */
static fat_rc store_status(run *r, const fat_guia *g, const guia_plan *pl, fat_err *err)
{
  if (!status_conferivel(g->status) || strcmp(g->status, pl->status) == 0)
    return FAT_OK;
  if (r->n_pend == STATUS_BATCH) /* status_full is called after each guia */
    return fat_err_set(err, FAT_ESTATE, "situações pendentes demais");
  r->pend_id[r->n_pend] = g->id;
  snprintf(r->pend_st[r->n_pend], sizeof r->pend_st[0], "%s", pl->status);
  r->n_pend++;
  return FAT_OK;
}

/* Before each commit: the pending achado rows, then the pending statuses. */
static fat_rc status_flush(run *r, fat_err *err)
{
  fat_rc rc = achados_flush(r, 0, err);

  if (rc == FAT_OK)
    rc = status_write(r, err);
  r->n_pend = 0;
  return rc;
}

/* Between two guias (a failure then names the guia whose status failed,
** not the one being stored): the pending achado rows when there are
** ACH_BATCH of them, the pending statuses when there are STATUS_BATCH of
** them, each on its own. The achado rows used to go with every statuses'
** UPDATE (~5 rows a statement on the first check: the statement, not the
** row, was the cost); since migration 106 their triggers do nothing for
** this run and the order of the two writes moves no counter. */
static fat_rc status_full(run *r, fat_err *err)
{
  fat_rc rc = r->n_ach >= ACH_BATCH ? achados_flush(r, 0, err) : FAT_OK;

  if (rc == FAT_OK && r->n_pend == STATUS_BATCH)
    rc = status_write(r, err);
  return rc;
}

/* The status guia id has in r->pend_* (NULL: none pending). */
static const char *status_pending(const run *r, int64_t id)
{
  size_t k;

  for (k = r->n_pend; k > 0; k--)
    if (r->pend_id[k - 1] == id)
      return r->pend_st[k - 1];
  return NULL;
}

/* ctx->hist_fix of the run on one thread: in the history just loaded, the
** status of a guia whose new status is still pending is the new one. */
static fat_rc status_fix_hist(void *ud, fat_rules_hist *rows, size_t n, fat_err *err)
{
  const run *r = ud;
  size_t k;

  (void)err;
  for (k = 0; k < n; k++) {
    const char *st = status_pending(r, rows[k].id);

    if (st != NULL)
      fat_avaliar_hist_status(&rows[k], st);
  }
  return FAT_OK;
}

/* What the evaluation reads of other guias' statuses (the duplicate
** candidates now, the history when a check loads it) as if the pending
** statuses were written: the same answers as writing each one at once. */
static void status_fix_ctx(run *r, fat_avaliar_ctx *ctx)
{
  size_t j;

  if (r->n_pend == 0)
    return;
  for (j = 0; j < ctx->n_pares; j++) {
    const char *st = status_pending(r, ctx->pares[j].guia_id);

    if (st != NULL)
      snprintf(ctx->pares[j].status, sizeof ctx->pares[j].status, "%s", st);
  }
  ctx->hist_fix = status_fix_hist;
  ctx->hist_fix_ud = r;
}

/* fat_store_now, formatted once per second instead of once per guia. */
static const char *run_now(run *r)
{
  time_t t = time(NULL);

  if (t != r->now_t || r->now[0] == '\0') {
    fat_store_now_at(t, r->now, sizeof r->now);
    r->now_t = t;
  }
  return r->now;
}

/* The guia's new status and its conferencia row. */
static fat_rc store_conferencia(run *r, const fat_guia *g, const fat_avaliacao *av,
                                const guia_plan *pl, fat_err *err)
{
  /* a re-check updates the row in place (REPLACE deleted it and inserted
  ** it again: two b-tree writes and the foreign keys of both, rodada 11);
  ** every column is written, so the row is the same */
  static const char sql_conf[] =
    "INSERT INTO conferencia(guia_id, revisao, script_sha256, geracao_id, "
    "referencia, reconferir_em, bloqueios, alertas, valor_risco, erro, em) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
    "ON CONFLICT (guia_id) DO UPDATE SET revisao = excluded.revisao, "
    "script_sha256 = excluded.script_sha256, geracao_id = excluded.geracao_id, "
    "referencia = excluded.referencia, reconferir_em = excluded.reconferir_em, "
    "bloqueios = excluded.bloqueios, alertas = excluded.alertas, "
    "valor_risco = excluded.valor_risco, erro = excluded.erro, em = excluded.em";
  int64_t geracao_id = r->gen != NULL ? fat_gen_id(r->gen) : 0;
  const char *erro = av->erro[0] != '\0' ? av->erro : NULL;
  fat_stmt *s;
  char recon[16];
  fat_rc rc;

  rc = store_status(r, g, pl, err);
  if (rc == FAT_OK)
    rc = fat_store_prepare(r->st, sql_conf, &s, err);
  if (rc != FAT_OK)
    return rc;
  if (av->reconferir_em != INT32_MAX)
    fat_dia_format(av->reconferir_em, recon, sizeof recon);
  fat_bind_int(s, 1, g->id);
  fat_bind_int(s, 2, g->revisao);
  fat_bind_text(s, 3, av->script_sha256);
  fat_bind_int_or_null(s, 4, geracao_id, geracao_id <= 0);
  fat_bind_text(s, 5, r->res->hoje);
  fat_bind_text(s, 6, av->reconferir_em != INT32_MAX ? recon : NULL);
  fat_bind_int(s, 7, pl->bloqueios);
  fat_bind_int(s, 8, pl->alertas);
  fat_bind_int(s, 9, pl->risco);
  fat_bind_text(s, 10, erro);
  fat_bind_text(s, 11, run_now(r));
  return fat_store_step_done(r->st, s, "erro ao gravar a conferência", err);
}

/* Add one checked guia to the summary and tell the caller. */
static void report_guia(run *r, const fat_guia *g, const fat_avaliacao *av, const guia_plan *pl,
                        const int64_t *ids)
{
  const fat_findings *f = &av->achados;
  int has_b = 0, has_a = 0;
  size_t i;

  for (i = 0; i < f->n; i++) {
    if (f->v[i].severidade == FAT_BLOQUEIO && !pl->rec[i])
      has_b = 1;
    else if (f->v[i].severidade == FAT_ALERTA)
      has_a = 1;
  }
  r->res->conferidas++;
  r->res->com_bloqueio += (size_t)has_b;
  r->res->com_alerta += (size_t)has_a;
  r->res->com_erro += (size_t)(av->erro[0] != '\0');
  r->res->achados += f->n;
  r->res->preenchidos += av->n_preenchidos;
  r->res->valor_risco += pl->risco;
  if (r->cb != NULL) {
    fat_conferir_guia cg;

    cg.guia_id = g->id;
    cg.numero_prestador = g->numero_prestador;
    cg.operadora = g->operadora.script;
    cg.status = pl->status;
    cg.achados = f;
    cg.achado_ids = ids;
    cg.reconhecido = pl->rec;
    cg.erro = av->erro[0] != '\0' ? av->erro : NULL;
    cg.valor_risco = pl->risco;
    r->cb(r->ud, &cg);
  }
}

/* The guia's share of the finding counters (fat_contadores.h): its achado
** rows before the check (pl->old: every row of the guia) leave, the rows
** it has after it enter (one per finding, of the guia's revision, with the
** acknowledgement it keeps). The triggers on achado skip this run's writes
** (migration 106). */
static fat_rc store_contadores(run *r, const fat_guia *g, const fat_avaliacao *av,
                               const guia_plan *pl, fat_err *err)
{
  const fat_findings *f = &av->achados;
  size_t i;
  fat_rc rc = FAT_OK;

  /* a re-check that finds what the rows already say (each row taken by a
  ** finding of the same code, severity, value at risk and revision) moves
  ** no counter */
  for (i = 0; i < f->n && pl->n_old == f->n; i++) {
    const velho *v = pl->match[i] >= 0 ? &pl->old[pl->match[i]] : NULL;

    if (v == NULL || v->revisao != g->revisao || v->bloqueio != (f->v[i].severidade == FAT_BLOQUEIO) ||
        v->valor_risco != f->v[i].valor_risco || v->codigo == NULL ||
        strcmp(v->codigo, f->v[i].codigo) != 0)
      break;
  }
  if (pl->n_old == f->n && i == f->n)
    return FAT_OK;
  fat_contadores_guia(r->cnt, g->id, g->operadora.id, g->competencia, g->status, g->revisao);
  for (i = 0; i < pl->n_old && rc == FAT_OK; i++) {
    const velho *v = &pl->old[i];

    rc = fat_contadores_achado(r->cnt, 1, v->codigo, v->bloqueio, v->reconhecido, v->valor_risco,
                               v->revisao, err);
  }
  for (i = 0; i < f->n && rc == FAT_OK; i++)
    rc = fat_contadores_achado(r->cnt, 0, f->v[i].codigo, f->v[i].severidade == FAT_BLOQUEIO,
                               pl->rec[i], f->v[i].valor_risco, g->revisao, err);
  if (rc == FAT_OK)
    rc = fat_contadores_guia_fim(r->cnt, err);
  return rc;
}

/* Store the evaluation av of guia g as planned in pl and report it. */
static fat_rc store_one(run *r, const fat_guia *g, const fat_avaliacao *av, const guia_plan *pl,
                        fat_err *err)
{
  int64_t *ids = fat_calloc(av->achados.n + 1, sizeof *ids);
  fat_rc rc = FAT_OK;

  if (ids == NULL)
    return fat_err_oom(err);
  rc = store_contadores(r, g, av, pl, err);
  if (rc == FAT_OK)
    rc = store_achados(r, g, av, pl, ids, err);
  if (rc == FAT_OK)
    rc = store_valores(r, g, av, err);
  if (rc == FAT_OK)
    rc = store_conferencia(r, g, av, pl, err);
  if (rc == FAT_OK)
    report_guia(r, g, av, pl, ids);
  fat_free(ids);
  return rc;
}

/* conferir of one guia = load + fat_avaliar + plan + store. */
static fat_rc check_one(run *r, const cand *c, fat_err *err)
{
  fat_guia *g = NULL;
  fat_avaliar_ctx ctx;
  fat_avaliacao av;
  guia_plan pl;
  fat_rc rc;

  fat_avaliar_ctx_init(&ctx);
  fat_avaliacao_init(&av);
  plan_init(&pl);
  rc = fat_guia_loader_load(r->ld, c->id, &g, err);
  if (rc == FAT_OK)
    rc = fat_avaliar_ctx_load(r->av, g, r->res->hoje, &ctx, err);
  if (rc == FAT_OK)
    status_fix_ctx(r, &ctx);
  if (rc == FAT_OK)
    rc = fat_avaliar(r->gen, g->operadora.script, g, &ctx, &av, err);
  if (rc == FAT_OK)
    rc = plan_guia(r->st, c, g, &av, &pl, err);
  if (rc == FAT_OK)
    rc = store_one(r, g, &av, &pl, err);
  plan_fini(&pl);
  fat_avaliacao_fini(&av);
  fat_avaliar_ctx_fini(&ctx);
  fat_guia_free(g);
  return rc;
}

/* Has a guia changed since its last check? (the row of sql_sel in
** select_guias; columns 1..8) */
static int mudou(const run *r, fat_stmt *s, int64_t gen_id)
{
  const char *key = fat_col_text(s, 2);
  const char *sha = (r->gen != NULL && key != NULL) ? fat_gen_sha256(r->gen, key) : NULL;
  const char *old_sha = fat_col_text(s, 4);
  const char *ref = fat_col_text(s, 6);
  const char *recon = fat_col_text(s, 7);
  int64_t old_gen = fat_col_is_null(s, 5) ? 0 : fat_col_int64(s, 5);

  return fat_col_int64(s, 1) != fat_col_int64(s, 3) || !str_eq_null(sha, old_sha) ||
         old_gen != gen_id || fat_col_int(s, 8) || ref == NULL ||
         strcmp(r->res->hoje, ref) < 0 || (recon != NULL && strcmp(r->res->hoje, recon) >= 0);
}

/* The guias to check, read in id order a page at a time (keyset: the ids
** after the last one read), so that the run holds a window of them
** (FAT_CONFERIR_JANELA), not the whole list. What the run writes for a
** guia (its status among the three read here, its conferencia, findings and
** item values) changes no other guia's row of this select, so reading the
** later pages after the earlier guias were stored gives the rows a single
** select before the run gave. Guias inserted after the run began (ids above
** max_id) are left out, as that select did. */
typedef struct cand_src {
  const char *sql;       /* prepared at each page (the cache may drop it between) */
  int64_t gen_id;
  int64_t last_id;       /* the last guia id read */
  int64_t max_id;        /* the highest guia id when the run began */
  int done;              /* no row left after last_id */
  int has_next;          /* next: the first candidate after the window */
  cand next;
  size_t page;           /* rows per page (CAND_PAGE; tests set fewer) */
  size_t selecionadas;   /* rows read and rows that need no check, not yet */
  size_t sem_mudanca;    /* added to the summary (cand_src_fold) */
} cand_src;

/* Rows per page of the select: each page merges the first rows of each of
** the three statuses (guia_status gives them in id order), so a page sorts
** at most 3 * CAND_PAGE rows (the select of every candidate at once sorted
** them all: a temporary b-tree as big as the database's guias). */
#define CAND_PAGE 512

/* The columns of a candidate row (mudou reads 1..8; 9: conferida antes). */
#define CAND_COLS                                                                          \
  "SELECT g.id, g.revisao, o.script, c.revisao, c.script_sha256, c.geracao_id, "           \
  "c.referencia, c.reconferir_em, c.erro IS NOT NULL, c.guia_id IS NOT NULL "
#define CAND_JOINS                                                                         \
  "JOIN operadora o ON o.id = g.operadora_id LEFT JOIN conferencia c ON c.guia_id = g.id "
#define CAND_FILTER                                                                        \
  "(?1 = 0 OR g.operadora_id = ?1) "                                                       \
  "AND (?2 IS NULL OR g.competencia = ?2 OR "                                              \
  "     (g.competencia IS NULL AND substr(g.data_inicio, 1, 7) = ?2)) "                     \
  "AND g.id > ?4 AND g.id <= ?5 "
#define CAND_STATUS(st)                                                                    \
  "SELECT id FROM (SELECT g.id FROM guia g WHERE g.status = '" st "' AND " CAND_FILTER     \
  "ORDER BY g.id LIMIT ?6)"

/* The window's size in guias; 0: FAT_CONFERIR_JANELA (tests set it). */
static size_t janela_teste;
/* Rows per page of the select; 0: CAND_PAGE (tests set it). */
static size_t pagina_teste;

void fat_conferir_janela_teste(size_t n) { janela_teste = n; }
void fat_conferir_pagina_teste(size_t n) { pagina_teste = n; }

static size_t cand_janela(void) { return janela_teste != 0 ? janela_teste : FAT_CONFERIR_JANELA; }

/* Open the candidates of run r. */
static fat_rc cand_src_open(run *r, cand_src *src, fat_err *err)
{
  /* every guia not yet in a lote, by status: the page's ids sorted alone
  ** (an IN list, read in order), then their rows (joining each of the three
  ** statuses' rows before the merge sorted whole rows: 2-3x the CPU) */
  static const char sql_todas[] =
    CAND_COLS "FROM guia g " CAND_JOINS "WHERE g.id IN (SELECT id FROM (" CAND_STATUS("digitada")
    " UNION ALL " CAND_STATUS("conferida") " UNION ALL " CAND_STATUS("pendente")
    ") ORDER BY id LIMIT ?6) ORDER BY g.id";
  /* conferir --guia N: that guia, whatever its status (?3 is N) */
  static const char sql_uma[] =
    CAND_COLS "FROM guia g " CAND_JOINS "WHERE g.id = ?3 AND " CAND_FILTER "LIMIT ?6";
  static const char sql_max[] = "SELECT coalesce(max(id), 0) FROM guia";
  fat_stmt *s;
  fat_rc rc;

  memset(src, 0, sizeof *src);
  src->page = pagina_teste != 0 ? pagina_teste : CAND_PAGE;
  src->gen_id = r->gen != NULL ? fat_gen_id(r->gen) : 0;
  rc = fat_store_prepare(r->st, sql_max, &s, err);
  if (rc != FAT_OK)
    return rc;
  if (fat_stmt_step(s) == FAT_ROW)
    src->max_id = fat_col_int64(s, 0);
  else
    rc = fat_store_dberr(r->st, err, "erro ao selecionar guias");
  fat_stmt_reset(s);
  src->sql = r->guia_id != 0 ? sql_uma : sql_todas;
  return rc;
}

/* Begin the next window in todo: the candidate read after the last one
** (src->next), if any, is its first. */
static void cand_src_window(cand_src *src, cand *todo, size_t *n)
{
  *n = 0;
  if (src->has_next) {
    todo[(*n)++] = src->next; /* *cap >= 1: it was read after a full window */
    src->has_next = 0;
  }
}

/* The window is complete: its last candidate and the first after it (or
** that none is left) are known. */
static int cand_src_complete(const cand_src *src) { return src->done || src->has_next; }

/* The counts of the rows read into the summary (the thread that reads them
** may not be the one that writes the summary: see par_fill). */
static void cand_src_fold(run *r, cand_src *src)
{
  r->res->selecionadas += src->selecionadas;
  r->res->sem_mudanca += src->sem_mudanca;
  src->selecionadas = 0;
  src->sem_mudanca = 0;
}

/* Read, through st, the candidates after src->last_id into todo (*n of them
** already; grown up to the window, FAT_CONFERIR_JANELA; *cap its size)
** until the window is full and the first candidate after it is known
** (src->next), or no row is left (src->done, and no src->next): then the
** window is the run's last. Stops before that once *n reaches until (0: no
** such stop) or, with one_page, after one page. The rows of guias that need
** no check are counted as they are read (src->sem_mudanca). */
static fat_rc cand_src_read(run *r, fat_store *st, cand_src *src, cand **todo, size_t *cap,
                            size_t *n, size_t until, int one_page, fat_err *err)
{
  const fat_conferir_opts *o = r->o;
  size_t janela = cand_janela();
  fat_stmt *s;
  fat_rc rc = FAT_OK;
  int stop = 0;

  while (rc == FAT_OK && !cand_src_complete(src) && !stop && (until == 0 || *n < until)) {
    size_t rows = 0;
    int step;

    stop = one_page;
    rc = fat_store_prepare(st, src->sql, &s, err);
    if (rc != FAT_OK)
      break;
    fat_bind_int(s, 1, r->operadora_id);
    fat_bind_text(s, 2, o->competencia);
    fat_bind_int(s, 3, r->guia_id);
    fat_bind_int(s, 4, src->last_id);
    fat_bind_int(s, 5, src->max_id);
    fat_bind_int(s, 6, (int64_t)src->page);
    step = fat_stmt_step(s);
    while (step == FAT_ROW && rc == FAT_OK && !src->has_next && (until == 0 || *n < until)) {
      int antes = fat_col_int(s, 9);
      cand c;

      rows++;
      c.id = fat_col_int64(s, 0);
      c.conferida_antes = antes;
      src->last_id = c.id;
      src->selecionadas++;
      if (!o->todas && antes && !mudou(r, s, src->gen_id)) {
        src->sem_mudanca++;
      } else if (*n == janela) {
        src->next = c;
        src->has_next = 1;
        break;
      } else {
        /* (never while the threads of par_window read todo: there *cap is
        ** the window's size, and a full window ends above) */
        if (*n == *cap) {
          size_t nc = *cap != 0 ? *cap * 2 : 256;
          cand *nv;

          if (nc > janela)
            nc = janela;
          nv = fat_realloc(*todo, nc * sizeof *nv);
          if (nv == NULL) {
            rc = fat_err_oom(err);
            break;
          }
          *todo = nv;
          *cap = nc;
        }
        (*todo)[(*n)++] = c;
      }
      step = fat_stmt_step(s);
    }
    if (rc == FAT_OK && !src->has_next && (until == 0 || *n < until)) {
      if (step != FAT_DONE)
        rc = fat_store_dberr(st, err, "erro ao selecionar guias");
      else if (rows < src->page || r->guia_id != 0)
        src->done = 1;
    } /* else stopped inside the page: the next read starts after last_id */
    fat_stmt_reset(s);
  }
  return rc;
}

/* The next window, read through the run's connection: the whole of it
** (until 0), or its first until candidates (then par_window reads the
** rest). */
static fat_rc cand_src_fill(run *r, cand_src *src, cand **todo, size_t *cap, size_t *n,
                            size_t until, fat_err *err)
{
  fat_rc rc;

  if (*cap == 0) {
    *todo = fat_malloc(256 * sizeof **todo);
    if (*todo == NULL)
      return fat_err_oom(err);
    *cap = 256;
  }
  cand_src_window(src, *todo, n);
  rc = cand_src_read(r, r->st, src, todo, cap, n, until, 0, err);
  cand_src_fold(r, src);
  return rc;
}

/* The rest of a window cand_src_fill began (its first until guias read). */
static fat_rc cand_src_fill_rest(run *r, cand_src *src, cand **todo, size_t *cap, size_t *n,
                                 fat_err *err)
{
  fat_rc rc = cand_src_read(r, r->st, src, todo, cap, n, 0, 0, err);

  cand_src_fold(r, src);
  return rc;
}

/* The open bloqueios of the run's guias, and on how many guias (the
** summary's last line). */
static fat_rc count_open(run *r, fat_err *err)
{
  /* no operadora, competência or guia: the guias by status alone, from
  ** the status index only (the select below reads every guia's row for its
  ** filters and merges two indexes for the guia: ~5x the CPU, serial at
  ** the end of a run on threads) */
  static const char sql_todas[] =
    "SELECT COUNT(*), COUNT(DISTINCT a.guia_id) FROM achado a "
    "JOIN guia g ON g.id = a.guia_id "
    "WHERE a.severidade = 'bloqueio' AND a.reconhecido_em IS NULL "
    "AND g.status IN ('digitada', 'conferida', 'pendente')";
  static const char sql[] =
    "SELECT COUNT(*), COUNT(DISTINCT a.guia_id) FROM achado a "
    "JOIN guia g ON g.id = a.guia_id "
    "WHERE a.severidade = 'bloqueio' AND a.reconhecido_em IS NULL "
    "AND (?1 = 0 OR g.operadora_id = ?1) "
    "AND (?2 IS NULL OR g.competencia = ?2 OR "
    "     (g.competencia IS NULL AND substr(g.data_inicio, 1, 7) = ?2)) "
    "AND ((?3 = 0 AND g.status IN ('digitada', 'conferida', 'pendente')) OR g.id = ?3)";
  int todas = r->operadora_id == 0 && r->o->competencia == NULL && r->guia_id == 0;
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(r->st, todas ? sql_todas : sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  if (!todas) {
    fat_bind_int(s, 1, r->operadora_id);
    fat_bind_text(s, 2, r->o->competencia);
    fat_bind_int(s, 3, r->guia_id);
  }
  if (fat_stmt_step(s) == FAT_ROW) {
    r->res->bloqueios_abertos = (size_t)fat_col_int64(s, 0);
    r->res->guias_bloqueadas = (size_t)fat_col_int64(s, 1);
  } else {
    rc = fat_store_dberr(r->st, err, "erro ao contar bloqueios");
  }
  fat_stmt_reset(s);
  return rc;
}

/* Check the options and resolve the operadora and the guia. */
static fat_rc run_init(run *r, const fat_conferir_opts *o, fat_err *err)
{
  static const char sql[] = "SELECT 1 FROM guia WHERE id = ?1";
  fat_conferir_resumo *res = r->res;
  fat_stmt *s;
  fat_rc rc = FAT_OK;
  int step;

  if (o->hoje != NULL && !fat_dia_valida(o->hoje))
    return fat_err_set(err, FAT_EINVAL, "data de referência inválida '%s' (use AAAA-MM-DD)",
                       o->hoje);
  if (o->hoje != NULL)
    snprintf(res->hoje, sizeof res->hoje, "%s", o->hoje);
  else
    fat_dia_hoje(res->hoje, sizeof res->hoje);
  if (o->competencia != NULL && !fat_dia_competencia_valida(o->competencia))
    return fat_err_set(err, FAT_EINVAL, "competência inválida '%s' (use AAAA-MM)",
                       o->competencia);
  if ((o->uma_guia || o->guia_id != 0) && o->guia_id <= 0)
    return fat_err_set(err, FAT_EINVAL, "id de guia inválido (%lld): use o id numérico da guia",
                       (long long)o->guia_id);
  if (o->operadora != NULL)
    rc = fat_operadora_resolver(r->st, o->operadora, &r->operadora_id, err);
  if (rc != FAT_OK || o->guia_id <= 0)
    return rc;
  r->guia_id = o->guia_id;
  rc = fat_store_prepare(r->st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, o->guia_id);
  step = fat_stmt_step(s);
  if (step == FAT_DONE)
    rc = fat_err_set(err, FAT_ENOTFOUND, "guia %lld não encontrada", (long long)o->guia_id);
  else if (step != FAT_ROW)
    rc = fat_store_dberr(r->st, err, "erro ao procurar a guia");
  fat_stmt_reset(s);
  return rc;
}

/* A transaction of the run: opened with the gate row of migration 106 (the
** triggers on achado leave the counters to this run), committed after the
** counters' changes are written and the gate row deleted (tx_commit); on a
** failure everything, the gate row too, is rolled back and what the run
** held for the transaction is dropped (tx_abandon). */
static fat_rc tx_begin(run *r, fat_err *err)
{
  /* statement journals in memory: the UPDATE of several guias' statuses
  ** (status_flush) needs one, and past SQLite's spill size it went to a
  ** temporary file (10x the pwrite calls, rodada 9) */
  fat_rc rc = fat_store_begin_bulk(r->st, err);

  if (rc == FAT_OK)
    rc = fat_contadores_begin(r->cnt, r->st, err);
  return rc;
}

static fat_rc tx_commit(run *r, fat_err *err)
{
  fat_rc rc = fat_contadores_end(r->cnt, r->st, err);

  return rc == FAT_OK ? fat_store_commit(r->st, err) : rc;
}

static void tx_abandon(run *r)
{
  r->n_pend = 0;
  ach_clear(r);
  fat_contadores_clear(r->cnt);
}

/* Check todo[from..to) in one transaction; the last chunk also audits. */
static fat_rc run_chunk(run *r, const cand *todo, size_t from, size_t to, int last,
                        fat_err *err)
{
  char detalhe[160];
  size_t j;
  fat_rc rc = tx_begin(r, err);

  /* a loader per transaction: what guias reference (operadora, prestador,
  ** plano, profissionais) does not change under it */
  if (rc == FAT_OK)
    rc = fat_guia_loader_new(r->st, &r->ld, err);
  for (j = from; j < to && rc == FAT_OK; j++) {
    rc = check_one(r, &todo[j], err);
    if (rc != FAT_OK)
      fat_err_prefix(err, "guia %lld: ", (long long)todo[j].id);
    else
      rc = status_full(r, err);
  }
  if (rc == FAT_OK)
    rc = status_flush(r, err);
  if (rc == FAT_OK && last) {
    snprintf(detalhe, sizeof detalhe, "referência %s; %zu conferidas, %zu sem mudança",
             r->res->hoje, r->res->conferidas, r->res->sem_mudanca);
    rc = fat_store_audit(r->st, "conferir", NULL, detalhe, err);
  }
  fat_guia_loader_free(r->ld);
  r->ld = NULL;
  if (rc == FAT_OK)
    return tx_commit(r, err);
  tx_abandon(r);
  fat_store_rollback(r->st);
  return rc;
}

/* {----------------------------------------------------------------------
** The run on several threads. Each thread (the caller's is one of them)
** loads, evaluates and plans guias (plan_guia) with its own connection (a
** read snapshot opened before the run writes), its own evaluator and its
** own Lua states (fat_gen_clone), and the evaluations are stored in the
** order of the guias through the caller's connection, in the same chunks
** and transactions as the run on one thread, by one thread at a time: the
** one that finishes the batch that is next to store stores it and every
** ready batch after it (the store "token", p->storing). The answers are
** the same as on one thread: what a run writes that a later guia of the
** same run reads is the status of the guias before it (the duplicates'
** "situação" and the scripts' historico), and a thread takes those
** statuses from this run instead of from its snapshot: the status planned
** for the earlier guia, known as soon as it is evaluated (a thread waits
** only while another one is still on that guia).
**
** What keeps the threads from paying for each other (perf of the first
** version, a writer thread fed one guia at a time: ~16% of the CPU in
** wake-ups, glibc arena locks, data moving between cores):
**   - work goes out in batches of consecutive guias (par_batch);
**   - no thread of its own for storing: a batch is mostly stored by the
**     thread that evaluated it, on the core whose cache holds it;
**   - each thread sleeps on its own condition variable and is woken only
**     for what it waits for (a status, a batch of its own stored), never
**     by a broadcast;
**   - a batch belongs to the thread that evaluated it, which frees its
**     guias and evaluations itself when it takes the batch again, so no
**     thread frees into another thread's malloc arena; each thread sets up
**     its connection and Lua states itself, in its own arena.
** The lowest guia not yet evaluated never waits (the guias before it are
** all evaluated), so the run cannot deadlock on statuses; a batch that
** failed stops the run when its turn to be stored comes.
**
** What keeps the caller's thread from working alone (rodada 11): the
** threads start after the window's first guias are read, and worker 0
** reads the rest of the window while the others evaluate (par_fill; it
** never waits for guias to be read, so the others' wait for it ends); the
** threads, their connections, rules and evaluators are kept from one window
** to the next (par_start, par_window, par_end): a window only opens a
** snapshot and a guia loader on each.
** ----------------------------------------------------------------------- */

#define PAR_MAX_THREADS 16
#define PAR_BATCH_MAX 32 /* guias per batch */
#define PAR_BUFS 3       /* batches per thread: one evaluated, two waiting to be stored */

/* One guia evaluated and planned by a thread. */
typedef struct par_item {
  fat_guia *g;
  fat_avaliacao av;
  guia_plan plan;
} par_item;

typedef struct par_worker par_worker;
typedef struct par_run par_run;

/* Batch number bn, todo[bn * batch ...], evaluated by owner into items.
** Free (the owner may take it again; its items hold the memory of the last
** one until the owner clears them), being evaluated, or ready (to be
** stored, then free). */
typedef struct par_batch {
  par_worker *owner;
  size_t bn, from, to;
  int ends;                 /* todo[to - 1] is the window's last guia */
  enum { PB_FREE, PB_EVAL, PB_READY } state;
  size_t n_ok;              /* items evaluated; when < to - from, item n_ok failed: */
  fat_rc rc;                /* its failure */
  fat_err err;
  size_t n_items;           /* items holding memory */
  par_item items[PAR_BATCH_MAX];
} par_batch;

struct par_worker {
  par_run *p;
  fat_store *st;
  fat_gen *gen;             /* the thread's clone; NULL without rules */
  fat_avaliador *av;
  fat_guia_loader *ld;      /* under its read snapshot: the refs cannot change */
  pthread_t th;             /* not for worker 0, the caller's thread */
  int started;
  unsigned win;             /* the last window it took part in */
  fat_rc conn_rc;           /* its connection (par_worker_connect) */
  fat_err conn_err;
  int set_up;               /* par_worker_setup done (in its first window) */
  int64_t ns_conn;          /* the time its connection took (in its first window's life) */
  pthread_cond_t cv;        /* it sleeps here */
  int wait_buf;             /* 1 while it waits for a batch of its own to be stored */
  size_t wait_status;       /* the guia whose status it waits for; SIZE_MAX: none */
  int wait_start;           /* 1 while it waits for the other threads' snapshots */
  int wait_cand;            /* 1 while it waits for worker 0 to read more of the window */
  int wait_end;             /* 1 while it waits for the window's last batches to be stored */
  int wait_left;            /* 1 while it (worker 0) waits for the others to end the window */
  int64_t ns_vida, ns_status, ns_buf, ns_fim, ns_grava; /* fat_conferir_resumo */
  size_t n_esperas;
  int64_t mem_paginas;      /* its connection's page cache at its end */
  size_t mem_blk;           /* its small-block lists at its end (not worker 0) */
  par_batch bufs[PAR_BUFS];
};

struct par_run {
  run *r;
  const cand *todo;         /* the window of the run's guias it checks */
  size_t n;                 /* its guias known (all of them once !filling) */
  int last;                 /* the run's last window (it audits; known once !filling) */
  size_t batch;             /* guias per batch */
  size_t n_batches;         /* known once !filling */
  /* while filling, worker 0 reads the rest of the window through its own
  ** connection (the others evaluate meanwhile): src, into todo (its size
  ** is the window's, so it never moves) */
  int filling;
  cand_src *src;
  cand **todo_v;
  size_t *todo_cap;
  const char *path;
  par_worker *w;
  int nw;
  pthread_mutex_t clone_mu; /* one fat_gen_clone at a time */
  pthread_mutex_t mu;       /* guards what follows and the batches' state */
  unsigned win;             /* windows begun: a thread takes part in a window when it changes */
  int quit;                 /* the run is over: the threads free what they hold and end */
  int n_left;               /* threads (worker 0 too) not done with the window */
  int n_ready;              /* threads with their snapshot open */
  par_batch **ring;         /* batch bn at ring[bn % n_ring] while not free */
  size_t n_ring;
  int64_t mmap_bytes;       /* PRAGMA mmap_size of each thread's connection; 0: none */
  unsigned char *status;    /* status planned for todo[i]: par_statuses[status[i] - 1]; 0
                               while unknown (one byte a guia of the window) */
  size_t status_cap;
  size_t known_below;       /* known[0..known_below) are all 1 */
  size_t next_bn;           /* first batch not handed out */
  size_t stored_bn;         /* batches stored */
  int storing;              /* 1 while a thread stores (uses r->st) */
  int abort;                /* the run stopped (rc, err) or ended */
  fat_rc rc;
  fat_err err;
};

/* The statuses a guia can have (the CHECK of guia.status), "" for none:
** p->status keeps the index + 1 of todo[i]'s in this table. */
static const char *const par_statuses[] = {"",         "digitada", "conferida",
                                           "pendente", "em_lote",  "enviada",
                                           "processada", "paga",   "glosada",
                                           "cancelada"};
#define PAR_N_STATUSES (sizeof par_statuses / sizeof par_statuses[0])

/* The code of status for p->status (status NULL is ""), or 0 when it is not
** one of par_statuses. */
static unsigned char par_status_code(const char *status)
{
  size_t k;

  for (k = 0; k < PAR_N_STATUSES; k++)
    if (strcmp(par_statuses[k], status != NULL ? status : "") == 0)
      return (unsigned char)(k + 1);
  return 0;
}

/* Index of guia id among todo[0..below) (in id order: the guias before
** the asking thread's, all known to it), or -1. */
static long par_index(const par_run *p, int64_t id, size_t below)
{
  size_t lo = 0, hi = below;

  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;

    if (p->todo[mid].id == id)
      return (long)mid;
    if (p->todo[mid].id < id)
      lo = mid + 1;
    else
      hi = mid;
  }
  return -1;
}

/* Worker w sleeps on its condition variable (p->mu held), counting the
** time in *ns. */
static void par_sleep(par_worker *w, int64_t *ns)
{
  int64_t t0 = fat_now_ns();

  pthread_cond_wait(&w->cv, &w->p->mu);
  *ns += fat_now_ns() - t0;
  w->n_esperas++;
}

/* Stop the run (p->mu held) with rc and *err (the first failure wins; FAT_OK:
** the run ended) and wake every thread. */
static void par_stop(par_run *p, fat_rc rc, const fat_err *err)
{
  int k;

  if (!p->abort && rc != FAT_OK) {
    p->rc = rc;
    p->err = *err;
  }
  p->abort = 1;
  for (k = 0; k < p->nw; k++)
    pthread_cond_signal(&p->w[k].cv);
}

/* The status this run gives todo[k] (k before the thread's guia) into out.
** Below *known (all statuses known, none ever rewritten) it is read as is;
** else it is waited for and *known brought up to date. FAT_ESTATE when the
** run stopped meanwhile. */
static fat_rc par_status(par_worker *w, size_t k, size_t *known, char *out, size_t len,
                         fat_err *err)
{
  par_run *p = w->p;
  int stop = 0;

  if (k >= *known) {
    pthread_mutex_lock(&p->mu);
    while (!p->abort && p->status[k] == 0) {
      w->wait_status = k;
      par_sleep(w, &w->ns_status);
    }
    w->wait_status = SIZE_MAX;
    stop = p->abort;
    *known = p->known_below;
    pthread_mutex_unlock(&p->mu);
  }
  if (stop)
    return fat_err_set(err, FAT_ESTATE, "conferir interrompido");
  snprintf(out, len, "%s", par_statuses[p->status[k] - 1]);
  return FAT_OK;
}

/* Which guia of the run a history belongs to, and the thread checking it
** (the ud of par_fix_hist). */
typedef struct par_hist {
  par_worker *w;
  size_t i;
} par_hist;

/* ctx->hist_fix: in the history just loaded for guia i (when a script read
** it), replace the snapshot's status of the guias this run checks before
** guia i by the status the run gives them. */
static fat_rc par_fix_hist(void *ud, fat_rules_hist *rows, size_t n, fat_err *err)
{
  par_hist *ph = ud;
  par_worker *w = ph->w;
  par_run *p = w->p;
  size_t i = ph->i, known, j;
  char st[16];
  long k;
  fat_rc rc = FAT_OK;

  pthread_mutex_lock(&p->mu);
  known = p->known_below;
  pthread_mutex_unlock(&p->mu);
  for (j = 0; j < n && rc == FAT_OK; j++) {
    if (rows[j].status == NULL)
      continue;
    k = par_index(p, rows[j].id, i);
    if (k < 0)
      continue;
    rc = par_status(w, (size_t)k, &known, st, sizeof st, err);
    if (rc == FAT_OK)
      fat_avaliar_hist_status(&rows[j], st);
  }
  return rc;
}

/* Replace, in ctx, the snapshot's status of the guias this run checks
** before guia i by the status the run gives them: now in the duplicate
** candidates, when it is loaded in the history (par_fix_hist; ph lives as
** long as ctx). */
static fat_rc par_fix_ctx(par_worker *w, size_t i, fat_avaliar_ctx *ctx, par_hist *ph,
                          fat_err *err)
{
  par_run *p = w->p;
  size_t j, known;
  long k;
  fat_rc rc = FAT_OK;

  pthread_mutex_lock(&p->mu);
  known = p->known_below;
  pthread_mutex_unlock(&p->mu);
  for (j = 0; j < ctx->n_pares && rc == FAT_OK; j++) {
    k = par_index(p, ctx->pares[j].guia_id, i);
    if (k >= 0)
      rc = par_status(w, (size_t)k, &known, ctx->pares[j].status,
                      sizeof ctx->pares[j].status, err);
  }
  ph->w = w;
  ph->i = i;
  ctx->hist_fix = par_fix_hist;
  ctx->hist_fix_ud = ph;
  if (rc == FAT_OK && ctx->hist_loaded) /* loaded already (not by the loader) */
    rc = par_fix_hist(ph, ctx->hist, ctx->n_hist, err);
  return rc;
}

/* Load, evaluate and plan todo[i] into it (empty). */
static fat_rc par_eval(par_worker *w, size_t i, par_item *it, fat_err *err)
{
  par_run *p = w->p;
  fat_avaliar_ctx ctx;
  par_hist ph;
  fat_rc rc;

  fat_avaliar_ctx_init(&ctx);
  rc = fat_guia_loader_load(w->ld, p->todo[i].id, &it->g, err);
  if (rc == FAT_OK)
    rc = fat_avaliar_ctx_load(w->av, it->g, p->r->res->hoje, &ctx, err);
  if (rc == FAT_OK)
    rc = par_fix_ctx(w, i, &ctx, &ph, err);
  if (rc == FAT_OK)
    rc = fat_avaliar(w->gen, it->g->operadora.script, it->g, &ctx, &it->av, err);
  if (rc == FAT_OK)
    rc = plan_guia(w->st, &p->todo[i], it->g, &it->av, &it->plan, err);
  fat_avaliar_ctx_fini(&ctx);
  return rc;
}

/* Free what item it holds (on the thread that allocated it); again is a
** no-op. */
static void par_item_clear(par_item *it)
{
  plan_fini(&it->plan);
  fat_avaliacao_fini(&it->av);
  fat_guia_free(it->g);
  it->g = NULL;
}

/* Free what the items of b hold (on the thread that allocated it). */
static void par_batch_clear(par_batch *b)
{
  size_t k;

  for (k = 0; k < b->n_items; k++)
    par_item_clear(&b->items[k]);
  b->n_items = 0;
}

/* Make the status of todo[i] known (p->mu held; code from par_status_code,
** not 0) and wake the thread waiting for it, if any. */
static void par_publish(par_run *p, size_t i, unsigned char code)
{
  int k;

  p->status[i] = code;
  while (p->known_below < p->n && p->status[p->known_below] != 0)
    p->known_below++;
  for (k = 0; k < p->nw; k++)
    if (p->w[k].wait_status == i)
      pthread_cond_signal(&p->w[k].cv);
}

/* Evaluate batch b (taken by w), publishing each guia's status. */
static void par_eval_batch(par_worker *w, par_batch *b)
{
  par_run *p = w->p;
  unsigned char code;
  size_t i;

  b->n_ok = 0;
  b->rc = FAT_OK;
  fat_err_clear(&b->err);
  for (i = b->from; i < b->to; i++) {
    par_item *it = &b->items[i - b->from];

    fat_avaliacao_init(&it->av);
    plan_init(&it->plan);
    b->n_items++;
    b->rc = par_eval(w, i, it, &b->err);
    code = b->rc == FAT_OK ? par_status_code(it->plan.status) : 0;
    if (b->rc == FAT_OK && code == 0)
      b->rc = fat_err_set(&b->err, FAT_ESTATE, "situação desconhecida '%s'", it->plan.status);
    if (b->rc != FAT_OK) {
      fat_err_prefix(&b->err, "guia %lld: ", (long long)p->todo[i].id);
      break;
    }
    pthread_mutex_lock(&p->mu);
    par_publish(p, i, code);
    pthread_mutex_unlock(&p->mu);
    b->n_ok++;
  }
}

/* Store the guias of ready batch b through the caller's connection, which
** the calling thread w holds (p->storing): a transaction begins at the first
** guia of each chunk of FAT_CONFERIR_CHUNK and commits after its last, as
** run_chunk does (the last chunk also audits). On failure the open
** transaction is rolled back. When w evaluated b, each guia is freed once
** stored, as on one thread: the next guia it loads reuses those blocks
** while they are still in the core's cache (held until the batch was taken
** again, the blocks of three batches went cold between uses: ~5% of the
** CPU of 2 threads in malloc and free, perf, rodada 7). */
static fat_rc par_store_batch(par_worker *w, par_batch *b, fat_err *err)
{
  par_run *p = w->p;
  run *r = p->r;
  char detalhe[160];
  size_t j;
  fat_rc rc = FAT_OK;

  for (j = b->from; j < b->to && rc == FAT_OK; j++) {
    const par_item *it = &b->items[j - b->from];

    if (j % FAT_CONFERIR_CHUNK == 0)
      rc = tx_begin(r, err); /* as run_chunk */
    if (rc != FAT_OK)
      break;
    if (j - b->from >= b->n_ok) { /* its thread failed on todo[j] */
      rc = b->rc;
      *err = b->err;
      break;
    }
    rc = store_one(r, it->g, &it->av, &it->plan, err);
    if (rc != FAT_OK) {
      fat_err_prefix(err, "guia %lld: ", (long long)p->todo[j].id);
      break;
    }
    rc = status_full(r, err);
    if (b->owner == w)
      par_item_clear(&b->items[j - b->from]);
    /* the pending statuses go with the chunk (the threads read them from
    ** p->status, not from the database) */
    if (rc == FAT_OK && ((j + 1) % FAT_CONFERIR_CHUNK == 0 || (b->ends && j + 1 == b->to)))
      rc = status_flush(r, err);
    if (rc == FAT_OK && b->ends && j + 1 == b->to && p->last) {
      snprintf(detalhe, sizeof detalhe, "referência %s; %zu conferidas, %zu sem mudança",
               r->res->hoje, r->res->conferidas, r->res->sem_mudanca);
      rc = fat_store_audit(r->st, "conferir", NULL, detalhe, err);
    }
    if (rc == FAT_OK && ((j + 1) % FAT_CONFERIR_CHUNK == 0 || (b->ends && j + 1 == b->to)))
      rc = tx_commit(r, err);
  }
  if (rc != FAT_OK)
    tx_abandon(r);
  if (rc != FAT_OK && fat_store_in_transaction(r->st))
    fat_store_rollback(r->st);
  return rc;
}

/* Worker w holds the store token (p->storing, p->mu held): store every
** ready batch that is next, in order; a stored batch goes back to its
** owner. */
static void par_store_ready(par_worker *w)
{
  par_run *p = w->p;
  fat_err e;

  while (!p->abort) {
    par_batch *b = p->ring[p->stored_bn % p->n_ring];
    int64_t t0;
    fat_rc rc;

    if ((!p->filling && p->stored_bn >= p->n_batches) || b == NULL || b->bn != p->stored_bn ||
        b->state != PB_READY)
      break;
    pthread_mutex_unlock(&p->mu);
    t0 = fat_now_ns();
    fat_err_clear(&e);
    rc = par_store_batch(w, b, &e);
    w->ns_grava += fat_now_ns() - t0;
    pthread_mutex_lock(&p->mu);
    if (rc != FAT_OK) {
      par_stop(p, rc, &e);
      break;
    }
    b->state = PB_FREE;
    if (b->owner->wait_buf)
      pthread_cond_signal(&b->owner->cv);
    p->stored_bn++;
  }
}

/* Wake the threads waiting for the window to be stored (p->mu held). */
static void par_wake_end(par_run *p)
{
  int k;

  for (k = 0; k < p->nw; k++)
    if (p->w[k].wait_end)
      pthread_cond_signal(&p->w[k].cv);
}

/* A free batch of w's (p->mu held), or NULL. */
static par_batch *par_free_batch(par_worker *w)
{
  int k;

  for (k = 0; k < PAR_BUFS; k++)
    if (w->bufs[k].state == PB_FREE)
      return &w->bufs[k];
  return NULL;
}

/* A thread's connection, opened on that thread (its own malloc arena), kept
** for every window of the run. */
static fat_rc par_worker_connect(par_worker *w, fat_err *err)
{
  par_run *p = w->p;
  fat_rc rc = fat_store_open(p->path, &w->st, err);

  /* its reads need less cache than the connection that stores (the
  ** index pages each transaction rewrites) and hold another copy of the
  ** same pages: FAT_CONFERIR_PAGINAS_THREAD_MB (rodada 7) */
  if (rc == FAT_OK)
    rc = fat_store_set_paginas_mb(w->st, FAT_CONFERIR_PAGINAS_THREAD_MB, err);
  /* the threads' connections read the same pages: mapped, each reads them
  ** in place from the OS's page cache instead of copying them into a cache
  ** of its own (pread, page faults: most of what 2 threads spent above 1
  ** in perf, rodada 8) */
  if (rc == FAT_OK && p->mmap_bytes > 0)
    rc = run_set_mmap(w->st, p->mmap_bytes, err);
  return rc;
}

/* A thread's read snapshot for a window, which starts here, after the
** earlier windows were stored and before the run writes anything of this
** one, and its guia loader under it (what guias reference cannot change
** under a snapshot). */
static fat_rc par_worker_snapshot(par_worker *w, fat_err *err)
{
  static const char sql[] = "SELECT 1 FROM guia LIMIT 1";
  fat_stmt *s;
  fat_rc rc = fat_store_begin_read(w->st, err);

  if (rc == FAT_OK)
    rc = fat_store_prepare(w->st, sql, &s, err);
  if (rc == FAT_OK) {
    if (fat_stmt_step(s) == FAT_STEP_ERROR)
      rc = fat_store_dberr(w->st, err, "erro ao abrir a leitura");
    fat_stmt_reset(s);
  }
  if (rc == FAT_OK)
    rc = fat_guia_loader_new(w->st, &w->ld, err);
  return rc;
}

/* A thread's rules and evaluator, set up on that thread, kept for every
** window of the run. */
static fat_rc par_worker_setup(par_worker *w, fat_err *err)
{
  par_run *p = w->p;
  fat_rc rc = FAT_OK;

  /* the caller's thread uses the run's generation (only it runs those Lua
  ** states; the others read its id); each other thread its own copy, made
  ** one at a time as on one thread: loading the scripts has a time limit,
  ** which many copies at once on few cores could pass */
  if (w == p->w) {
    w->gen = p->r->gen;
  } else if (p->r->gen != NULL) {
    pthread_mutex_lock(&p->clone_mu);
    rc = fat_gen_clone(p->r->gen, &w->gen, err);
    pthread_mutex_unlock(&p->clone_mu);
  }
  if (rc == FAT_OK)
    rc = fat_avaliador_new(w->st, w->gen, &w->av, err);
  /* one cache of price-table answers for all the threads (par_start) */
  if (rc == FAT_OK)
    fat_avaliador_prices_from(w->av, p->r->av);
  return rc;
}

/* The end of worker w's window, once all its batches were stored: the
** memory of its last batches, its loader and its snapshot (with no
** snapshot left, the checkpoint between windows copies the whole WAL). */
static void par_worker_end(par_worker *w)
{
  int k;

  for (k = 0; k < PAR_BUFS; k++)
    par_batch_clear(&w->bufs[k]);
  fat_guia_loader_free(w->ld);
  w->ld = NULL;
  if (w->st != NULL && fat_store_in_transaction(w->st))
    fat_store_rollback(w->st);
}

/* What worker w frees after the run, on its own thread. */
static void par_worker_fini(par_worker *w)
{
  par_worker_end(w);
  fat_avaliador_free(w->av);
  w->av = NULL;
  if (w->gen != NULL && w != w->p->w)
    fat_gen_release(w->gen);
  w->gen = NULL;
  fat_store_close(w->st);
  w->st = NULL;
}

/* Whether batches of the window are left to hand out (p->mu held). */
static int par_more(const par_run *p) { return p->filling || p->next_bn * p->batch < p->n; }

/* Whether the next batch can be handed out (p->mu held): its guias are
** known, and while the window is still being read it is not the window's
** last (which stores the end of the window: par_store_batch). */
static int par_can_hand(const par_run *p)
{
  size_t from = p->next_bn * p->batch;

  return p->filling ? from + p->batch < p->n : from < p->n;
}

/* Whether worker 0 reads more of the window now (p->mu held): when less
** than a page of it is left to hand out. */
static int par_read_now(const par_run *p)
{
  return p->filling && (p->n - p->next_bn * p->batch < p->src->page || !par_can_hand(p));
}

/* Worker 0 (p->mu held, released meanwhile) reads the next page of the
** window through its snapshot, taken before the run wrote anything of this
** window, so the rows are those the run's connection would read (see
** cand_src); then makes the guias known and wakes the threads waiting for
** them. When the window is complete, its size, its batches and whether it
** is the run's last are known. */
static void par_fill(par_worker *w)
{
  par_run *p = w->p;
  size_t n = p->n;
  fat_err e;
  fat_rc rc;
  int k;

  pthread_mutex_unlock(&p->mu);
  fat_err_clear(&e);
  rc = cand_src_read(p->r, w->st, p->src, p->todo_v, p->todo_cap, &n, 0, 1, &e);
  pthread_mutex_lock(&p->mu);
  if (rc != FAT_OK) {
    par_stop(p, rc, &e);
    return;
  }
  p->n = n;
  if (cand_src_complete(p->src)) {
    p->filling = 0;
    p->last = !p->src->has_next;
    p->n_batches = (p->n + p->batch - 1) / p->batch;
    cand_src_fold(p->r, p->src);
  }
  for (k = 0; k < p->nw; k++)
    if (p->w[k].wait_cand)
      pthread_cond_signal(&p->w[k].cv);
}

/* Worker w's part of the current window: open its snapshot, wait for every
** other thread's, then take batches, evaluate them and store what is next,
** until no batch is left; then wait until the window is stored and end its
** part (par_worker_end). Its rules are copied in its first window, after
** its snapshot is open (the copy overlaps the other threads' first
** batches: only the snapshots are waited for). */
static void par_work(par_worker *w)
{
  par_run *p = w->p;
  int64_t t0 = fat_now_ns();
  fat_err e;
  fat_rc rc = w->conn_rc;

  /* its times in this window (par_resumo); its connection counts in its
  ** first window */
  w->ns_vida = w->ns_conn;
  w->ns_conn = 0;
  w->ns_status = w->ns_buf = w->ns_fim = w->ns_grava = 0;
  w->n_esperas = 0;
  fat_err_clear(&e);
  if (rc != FAT_OK)
    e = w->conn_err;
  else
    rc = par_worker_snapshot(w, &e);
  pthread_mutex_lock(&p->mu);
  if (rc != FAT_OK) {
    par_stop(p, rc, &e);
  } else if (++p->n_ready == p->nw) {
    int k;

    for (k = 0; k < p->nw; k++)
      if (p->w[k].wait_start)
        pthread_cond_signal(&p->w[k].cv);
  }
  pthread_mutex_unlock(&p->mu);
  if (rc == FAT_OK && !w->set_up) {
    rc = par_worker_setup(w, &e);
    w->set_up = rc == FAT_OK;
  }
  pthread_mutex_lock(&p->mu);
  if (rc != FAT_OK)
    par_stop(p, rc, &e);
  while (!p->abort && p->n_ready < p->nw) {
    w->wait_start = 1;
    par_sleep(w, &w->ns_fim);
    w->wait_start = 0;
  }
  for (;;) {
    par_batch *b = NULL;

    while (!p->abort && par_more(p)) {
      if (w == p->w && par_read_now(p)) {
        par_fill(w);
        continue;
      }
      if (!par_can_hand(p)) { /* worker 0 reads the next guias meanwhile */
        w->wait_cand = 1;
        par_sleep(w, &w->ns_fim);
        w->wait_cand = 0;
        continue;
      }
      b = par_free_batch(w);
      if (b != NULL)
        break;
      w->wait_buf = 1;
      par_sleep(w, &w->ns_buf);
      w->wait_buf = 0;
    }
    if (p->abort || !par_more(p))
      break;
    b->bn = p->next_bn++;
    b->from = b->bn * p->batch;
    b->to = p->n - b->from > p->batch ? b->from + p->batch : p->n;
    b->ends = !p->filling && b->to == p->n;
    b->state = PB_EVAL;
    p->ring[b->bn % p->n_ring] = b;
    pthread_mutex_unlock(&p->mu);
    par_batch_clear(b); /* the batch it held before, stored meanwhile */
    par_eval_batch(w, b);
    pthread_mutex_lock(&p->mu);
    b->state = PB_READY;
    if (!p->storing) {
      p->storing = 1;
      par_store_ready(w);
      p->storing = 0;
      par_wake_end(p);
    }
  }
  /* the other threads' last batches may still be stored (by any thread);
  ** on a failure, wait only for the store going on (it may be one of w's) */
  while (p->storing || (!p->abort && (p->filling || p->stored_bn < p->n_batches))) {
    w->wait_end = 1;
    par_sleep(w, &w->ns_fim);
    w->wait_end = 0;
  }
  pthread_mutex_unlock(&p->mu);
  w->mem_paginas = w->st != NULL ? fat_store_paginas_bytes(w->st) : 0;
  if (w != p->w)
    w->mem_blk = fat_blk_bytes(FAT_BLK_LIBC) + fat_blk_bytes(FAT_BLK_SQLITE);
  par_worker_end(w);
  w->ns_vida += fat_now_ns() - t0;
  pthread_mutex_lock(&p->mu);
  if (--p->n_left == 0 && p->w[0].wait_left)
    pthread_cond_signal(&p->w[0].cv);
  pthread_mutex_unlock(&p->mu);
}

/* A thread of the run other than the caller's: its connection, then its
** part of each window, until the run is over. */
static void *par_main(void *arg)
{
  par_worker *w = arg;
  par_run *p = w->p;
  int64_t t0 = fat_now_ns();

  /* the caller's thread already keeps the bursts' blocks (rodada 7) */
  fat_blk_set_cap(FAT_CONFERIR_BLK_THREAD);
  /* its own arena made big enough at once, not a page at a time */
  fat_mem_arena_reserve((size_t)FAT_CONFERIR_ARENA_THREAD_MB * 1024u * 1024u);
  fat_err_clear(&w->conn_err);
  w->conn_rc = par_worker_connect(w, &w->conn_err);
  w->ns_conn = fat_now_ns() - t0;
  pthread_mutex_lock(&p->mu);
  for (;;) {
    while (!p->quit && w->win == p->win)
      pthread_cond_wait(&w->cv, &p->mu);
    if (p->quit)
      break;
    w->win = p->win;
    pthread_mutex_unlock(&p->mu);
    par_work(w);
    pthread_mutex_lock(&p->mu);
  }
  pthread_mutex_unlock(&p->mu);
  par_worker_fini(w);
  return NULL;
}

/* Guias per batch: up to PAR_BATCH_MAX, and small enough that every
** thread gets several batches. */
static size_t par_batch_size(size_t n, int nthreads)
{
  size_t b = n / ((size_t)nthreads * 8);

  return b < 1 ? 1 : b > PAR_BATCH_MAX ? PAR_BATCH_MAX : b;
}

/* The threads' times into the summary. */
static void par_resumo(const par_run *p, int64_t ns, fat_conferir_resumo *res)
{
  int k;

  res->threads = p->nw;
  res->ns_total += ns;
  for (k = 0; k < p->nw; k++) {
    const par_worker *w = &p->w[k];

    res->ns_threads += w->ns_vida;
    res->ns_gravando += w->ns_grava;
    res->ns_espera_situacao += w->ns_status;
    res->ns_espera_lote += w->ns_buf;
    res->ns_espera_fim += w->ns_fim;
    res->esperas += w->n_esperas;
    if (w->mem_paginas > res->paginas_thread_max)
      res->paginas_thread_max = w->mem_paginas;
    if (w->mem_blk > res->blk_thread_max)
      res->blk_thread_max = w->mem_blk;
  }
  res->paginas_mb_thread = FAT_CONFERIR_PAGINAS_THREAD_MB;
  res->mmap_bytes = p->mmap_bytes;
}

/* The window's first guias the run's connection reads before the threads
** start (then worker 0 reads the rest while the others evaluate, and the
** threads set up while it reads): enough that, when the window is not
** complete by then, its batches have the size a complete one would give. */
static size_t par_preread(int nthreads)
{
  if (janela_teste != 0 || pagina_teste != 0)
    return 2; /* tests: read as much of the window as possible meanwhile */
  return (size_t)nthreads * 8 * PAR_BATCH_MAX;
}

/* Tell the threads of p (between windows) that the run is over: they free
** what they hold, on their own threads, meanwhile. */
static void par_quit(par_run *p)
{
  int k;

  if (p == NULL)
    return;
  pthread_mutex_lock(&p->mu);
  p->quit = 1;
  for (k = 1; k < p->nw; k++)
    pthread_cond_signal(&p->w[k].cv);
  pthread_mutex_unlock(&p->mu);
}

/* End the threads of p (started by par_start; they are between windows)
** and free p; the caller's part (worker 0) is freed here. */
static void par_end(par_run *p)
{
  int k;

  if (p == NULL)
    return;
  par_quit(p);
  for (k = 1; k < p->nw; k++)
    if (p->w[k].started)
      pthread_join(p->w[k].th, NULL);
  if (p->nw > 0)
    par_worker_fini(&p->w[0]);
  for (k = 0; k < p->nw; k++)
    pthread_cond_destroy(&p->w[k].cv);
  pthread_mutex_destroy(&p->clone_mu);
  pthread_mutex_destroy(&p->mu);
  fat_free(p->w);
  fat_free(p->status);
  fat_free(p->ring);
  fat_free(p);
}

/* Start the run's nthreads threads, the caller's being the first (see
** above): each opens its connection and waits for the run's windows
** (par_window); their connections, rules and evaluators are kept from one
** window to the next. Worker 0 (the caller's) opens its connection and sets
** up here, while the others open theirs. */
static fat_rc par_start(run *r, int nthreads, const char *path, par_run **out, fat_err *err)
{
  par_run *p = fat_calloc(1, sizeof *p);
  sigset_t all, old;
  int k;
  fat_rc rc = FAT_OK;

  *out = NULL;
  if (p == NULL)
    return fat_err_oom(err);
  p->r = r;
  p->path = path;
  p->mmap_bytes = run_mmap_bytes(path, nthreads);
  p->n_ring = (size_t)nthreads * PAR_BUFS;
  rc = fat_avaliador_share_prices(r->av, err);
  if (rc == FAT_OK) {
    p->ring = fat_calloc(p->n_ring, sizeof *p->ring);
    p->w = fat_calloc((size_t)nthreads, sizeof *p->w);
    if (p->ring == NULL || p->w == NULL)
      rc = fat_err_oom(err);
  }
  if (rc == FAT_OK && pthread_mutex_init(&p->mu, NULL) != 0)
    rc = fat_err_oom(err);
  if (rc == FAT_OK && pthread_mutex_init(&p->clone_mu, NULL) != 0) {
    pthread_mutex_destroy(&p->mu);
    rc = fat_err_oom(err);
  }
  if (rc != FAT_OK) {
    fat_free(p->w);
    fat_free(p->ring);
    fat_free(p);
    return rc;
  }
  for (p->nw = 0; p->nw < nthreads; p->nw++) {
    par_worker *w = &p->w[p->nw];
    int b;

    if (pthread_cond_init(&w->cv, NULL) != 0)
      break;
    w->p = p;
    w->wait_status = SIZE_MAX;
    for (b = 0; b < PAR_BUFS; b++)
      w->bufs[b].owner = w;
  }
  if (p->nw < nthreads) {
    par_end(p);
    return fat_err_oom(err);
  }
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old); /* signals stay with the calling thread */
  for (k = 1; k < p->nw && rc == FAT_OK; k++) {
    int e = pthread_create(&p->w[k].th, NULL, par_main, &p->w[k]);

    if (e != 0)
      rc = fat_err_sys(err, e, "não foi possível iniciar as threads do conferir");
    else
      p->w[k].started = 1;
  }
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (rc == FAT_OK) {
    int64_t t0 = fat_now_ns();

    rc = par_worker_connect(p->w, err);
    if (rc == FAT_OK)
      rc = par_worker_setup(p->w, err);
    p->w[0].set_up = 1;
    p->w[0].ns_conn = fat_now_ns() - t0;
  }
  if (rc != FAT_OK) {
    par_end(p);
    return rc;
  }
  *out = p;
  return FAT_OK;
}

/* Run the window in *todo (n guias of it read, by cand_src_fill) on the
** threads of p. When the window is not complete, worker 0 reads the rest
** of it through src meanwhile (par_fill): then *todo is grown to the
** window's size first. Whether it is the run's last window is known from
** src once it is done. Every snapshot of the window is closed on return. */
static fat_rc par_window(par_run *p, cand_src *src, cand **todo, size_t *cap, size_t n,
                         fat_err *err)
{
  int64_t t0 = fat_now_ns();
  size_t n_max = n;
  int k;
  fat_rc rc;

  p->n = n;
  p->src = src;
  p->todo_v = todo;
  p->todo_cap = cap;
  p->filling = !cand_src_complete(src);
  if (!p->filling) {
    p->last = !src->has_next;
    p->batch = par_batch_size(n, p->nw);
    p->n_batches = (n + p->batch - 1) / p->batch;
  } else {
    n_max = cand_janela();
    p->batch = par_batch_size(n_max, p->nw);
    p->n_batches = 0;
    if (*cap < n_max) {
      cand *nv = fat_realloc(*todo, n_max * sizeof *nv);

      if (nv == NULL)
        return fat_err_oom(err);
      *todo = nv;
      *cap = n_max;
    }
  }
  p->todo = *todo;
  if (p->status_cap < n_max + 1) {
    unsigned char *nv = fat_realloc(p->status, n_max + 1);

    if (nv == NULL)
      return fat_err_oom(err);
    p->status = nv;
    p->status_cap = n_max + 1;
  }
  memset(p->status, 0, n_max + 1);
  memset(p->ring, 0, p->n_ring * sizeof *p->ring);
  p->known_below = 0;
  p->next_bn = 0;
  p->stored_bn = 0;
  p->storing = 0;
  p->n_ready = 0;
  p->abort = 0;
  p->rc = FAT_OK;
  pthread_mutex_lock(&p->mu);
  p->n_left = p->nw;
  p->win++;
  for (k = 1; k < p->nw; k++)
    pthread_cond_signal(&p->w[k].cv);
  pthread_mutex_unlock(&p->mu);
  par_work(p->w);
  pthread_mutex_lock(&p->mu);
  while (p->n_left > 0) {
    p->w[0].wait_left = 1;
    par_sleep(p->w, &p->w[0].ns_fim);
    p->w[0].wait_left = 0;
  }
  rc = p->rc;
  if (rc != FAT_OK)
    *err = p->err;
  pthread_mutex_unlock(&p->mu);
  par_resumo(p, fat_now_ns() - t0, p->r->res);
  return rc;
}

/* }---------------------------------------------------------------------- */

fat_rc fat_conferir(fat_store *st, fat_rules *rules, const fat_conferir_opts *o,
                    fat_conferir_cb cb, void *ud, fat_conferir_resumo *res, fat_err *err)
{
  run r;
  cand_src src;
  cand *todo = NULL;
  par_run *pool = NULL;
  size_t cap = 0, n = 0, i, end;
  const char *path;
  size_t until;
  int nthreads, par = 0, last;
  fat_rc rc;

  memset(res, 0, sizeof *res);
  memset(&r, 0, sizeof r);
  fat_buf_init(&r.ach_txt, SIZE_MAX / 2);
  r.st = st;
  r.o = o;
  r.cb = cb;
  r.ud = ud;
  r.res = res;
  rc = run_init(&r, o, err);
  if (rc == FAT_OK)
    rc = fat_contadores_new(&r.cnt, err);
  if (rc != FAT_OK) {
    fat_buf_fini(&r.ach_txt);
    return rc;
  }
  if (rules != NULL)
    r.gen = fat_rules_acquire(rules);
  rc = fat_avaliador_new(st, r.gen, &r.av, err);
  nthreads = o->threads < PAR_MAX_THREADS ? o->threads : PAR_MAX_THREADS;
  path = fat_store_filename(st);
  /* threads need another connection to the same data: a database file and
  ** no transaction of the caller's still open (its writes are not seen
  ** from another connection); and more than one guia to check. With
  ** threads, only the first guias of a window are read before they start
  ** (par_preread): reading the rest of it overlaps their work. */
  until = nthreads > 1 && path != NULL && !fat_store_in_transaction(st) ? par_preread(nthreads)
                                                                        : 0;
  if (rc == FAT_OK)
    rc = cand_src_open(&r, &src, err);
  if (rc == FAT_OK)
    rc = cand_src_fill(&r, &src, &todo, &cap, &n, until, err);
  if (rc == FAT_OK && until > 0 && (n > 1 || src.has_next || !src.done))
    par = 1;
  else
    until = 0;
  if (rc == FAT_OK && !par && !cand_src_complete(&src)) /* the rest of the window */
    rc = cand_src_fill_rest(&r, &src, &todo, &cap, &n, err);
  /* window by window: each is stored (committed) before the next is read;
  ** the threads of a window read the earlier windows' statuses from the
  ** database, the statuses of their own window's guias from the run */
  while (rc == FAT_OK && n > 0) {
    if (par) {
      /* the threads start with the first window and stay for the others */
      if (pool == NULL)
        rc = par_start(&r, nthreads, path, &pool, err);
      if (rc == FAT_OK)
        rc = par_window(pool, &src, &todo, &cap, n, err);
      last = !src.has_next;
      /* the window's snapshots are closed: with no reader left, the
      ** checkpoint copies the whole WAL and the next window writes it from
      ** its start; else the readers of the windows, always one open, keep
      ** the WAL from ever starting over */
      if (rc == FAT_OK && !last)
        rc = fat_store_checkpoint(st, err);
    } else {
      last = !src.has_next;
      for (i = 0; i < n && rc == FAT_OK; i = end) {
        end = i + FAT_CONFERIR_CHUNK < n ? i + FAT_CONFERIR_CHUNK : n;
        rc = run_chunk(&r, todo, i, end, last && end >= n, err);
      }
    }
    if (rc == FAT_OK && !last)
      rc = cand_src_fill(&r, &src, &todo, &cap, &n, until, err);
    else
      n = 0;
  }
  par_quit(pool); /* the threads free their part during count_open */
  if (rc == FAT_OK)
    rc = count_open(&r, err);
  par_end(pool);
  fat_free(todo);
  fat_free(r.ach);
  fat_buf_fini(&r.ach_txt);
  fat_contadores_free(r.cnt);
  fat_avaliador_free(r.av);
  if (r.gen != NULL)
    fat_gen_release(r.gen);
  return rc;
}

/* }====================================================================== */

/* {======================================================================
** Findings: acknowledge, list
** ======================================================================= */

/* The finding to acknowledge: its guia, code and severity; refused when it
** does not exist or was already acknowledged. */
static fat_rc achado_get(fat_store *st, int64_t id, int64_t *gid, char *codigo, size_t len,
                         int *bloqueio, fat_err *err)
{
  static const char sql[] =
    "SELECT a.guia_id, a.codigo, a.severidade, a.reconhecido_em FROM achado a WHERE a.id = ?1";
  fat_stmt *s;
  int step;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  step = fat_stmt_step(s);
  if (step == FAT_ROW) {
    const char *sev = fat_col_text(s, 2);

    *gid = fat_col_int64(s, 0);
    snprintf(codigo, len, "%s", fat_col_text(s, 1));
    *bloqueio = sev != NULL && strcmp(sev, "bloqueio") == 0;
    if (!fat_col_is_null(s, 3))
      rc = fat_err_set(err, FAT_ESTATE, "achado %lld (%s) já foi reconhecido", (long long)id,
                       codigo);
  } else if (step == FAT_DONE) {
    rc = fat_err_set(err, FAT_ENOTFOUND, "achado %lld não encontrado", (long long)id);
  } else {
    rc = fat_store_dberr(st, err, "erro ao ler o achado");
  }
  fat_stmt_reset(s);
  return rc;
}

/* A bloqueio may be acknowledged (sent consciously) only on a guia the
** TISS XML can carry: refuse when a field the XSD requires is missing. */
static fat_rc guia_enviavel(fat_store *st, int64_t gid, const char *codigo, fat_err *err)
{
  fat_guia *g = NULL;
  const char *rotulo = NULL;
  char campo[64];
  fat_rc rc = fat_guia_load(st, gid, &g, err);

  if (rc == FAT_OK && fat_enviavel_faltando(g, campo, sizeof campo, &rotulo))
    rc = fat_err_set(err, FAT_ESTATE,
                     "a guia %s não pode ser enviada sem %s (campo %s, obrigatório no XML TISS "
                     "4.01.00): corrija a guia em vez de reconhecer o achado %s",
                     g->numero_prestador != NULL ? g->numero_prestador : "?", rotulo, campo,
                     codigo);
  fat_guia_free(g);
  return rc;
}

/* Open bloqueios left on guia gid; the guia becomes 'conferida' when none
** is left and its last check had no script/pricing error. */
static fat_rc after_ack(fat_store *st, int64_t gid, int64_t *open, fat_err *err)
{
  static const char sql_open[] =
    "SELECT COUNT(*) FROM achado WHERE guia_id = ?1 AND severidade = 'bloqueio' "
    "AND reconhecido_em IS NULL";
  static const char sql_err[] = "SELECT erro IS NOT NULL FROM conferencia WHERE guia_id = ?1";
  static const char sql_status[] =
    "UPDATE guia SET status = 'conferida' WHERE id = ?1 AND status = 'pendente'";
  fat_stmt *s;
  int had_error = 0;
  fat_rc rc = fat_store_prepare(st, sql_open, &s, err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, gid);
  if (fat_stmt_step(s) == FAT_ROW)
    *open = fat_col_int64(s, 0);
  else
    rc = fat_store_dberr(st, err, "erro ao contar bloqueios");
  fat_stmt_reset(s);
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql_err, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, gid);
  if (fat_stmt_step(s) == FAT_ROW)
    had_error = fat_col_int(s, 0);
  fat_stmt_reset(s);
  if (*open > 0 || had_error)
    return FAT_OK;
  rc = fat_store_prepare(st, sql_status, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, gid);
  return fat_store_step_done(st, s, "erro ao atualizar a guia", err);
}

fat_rc fat_achado_reconhecer(fat_store *st, int64_t id, const char *motivo, int64_t *guia_id,
                             int64_t *abertos, fat_err *err)
{
  static const char sql_upd[] =
    "UPDATE achado SET reconhecido_em = ?2, reconhecido_por = ?3, reconhecido_motivo = ?4 "
    "WHERE id = ?1";
  fat_stmt *s;
  int64_t gid = 0, open = 0;
  int bloqueio = 0;
  char now[32], obj[48], codigo[64], *det = NULL;
  fat_rc rc;

  if (blank(motivo))
    return fat_err_set(err, FAT_EINVAL, "informe o motivo do reconhecimento (--motivo)");
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = achado_get(st, id, &gid, codigo, sizeof codigo, &bloqueio, err);
  if (rc == FAT_OK && bloqueio)
    rc = guia_enviavel(st, gid, codigo, err);
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql_upd, &s, err);
  if (rc != FAT_OK)
    goto out;
  fat_store_now(now, sizeof now);
  fat_bind_int(s, 1, id);
  fat_bind_text(s, 2, now);
  fat_bind_text(s, 3, fat_store_user(st));
  fat_bind_text(s, 4, motivo);
  rc = fat_store_step_done(st, s, "erro ao reconhecer achado", err);
  if (rc == FAT_OK)
    rc = after_ack(st, gid, &open, err);
  if (rc != FAT_OK)
    goto out;
  snprintf(obj, sizeof obj, "achado:%lld", (long long)id);
  det = fat_asprintf("guia %lld, %s: %s", (long long)gid, codigo, motivo);
  rc = det != NULL ? fat_store_audit(st, "achado.reconhecer", obj, det, err) : fat_err_oom(err);
out:
  fat_free(det);
  if (rc != FAT_OK) {
    fat_store_rollback(st);
    return rc;
  }
  rc = fat_store_commit(st, err);
  if (rc == FAT_OK && guia_id != NULL)
    *guia_id = gid;
  if (rc == FAT_OK && abertos != NULL)
    *abertos = open;
  return rc;
}

fat_rc fat_achado_carregar(fat_store *st, int64_t guia_id, fat_findings *out, fat_err *err)
{
  static const char sql[] =
    "SELECT a.codigo, a.severidade, a.campo, a.mensagem, a.glosa_prevista, a.valor_risco, "
    "COALESCE(i.sequencial, 0), a.regra, a.script_sha256, COALESCE(a.linha, 0) "
    "FROM achado a LEFT JOIN item i ON i.id = a.item_id WHERE a.guia_id = ?1 ORDER BY a.id";
  fat_stmt *s;
  int step;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, guia_id);
  step = fat_stmt_step(s);
  while (step == FAT_ROW && rc == FAT_OK) {
    const char *sev = fat_col_text(s, 1);

    rc = fat_findings_add(out, fat_col_text(s, 0),
                          sev != NULL && strcmp(sev, "bloqueio") == 0 ? FAT_BLOQUEIO : FAT_ALERTA,
                          fat_col_text(s, 2),
                          fat_col_text(s, 3),
                          fat_col_text(s, 4), fat_col_int64(s, 5),
                          fat_col_int(s, 6), fat_col_text(s, 7),
                          fat_col_text(s, 8), fat_col_int(s, 9),
                          err);
    if (rc == FAT_OK)
      step = fat_stmt_step(s);
  }
  if (rc == FAT_OK && step != FAT_DONE)
    rc = fat_store_dberr(st, err, "erro ao ler os achados da guia");
  fat_stmt_reset(s);
  return rc;
}

/* The findings fat_achado_listar and fat_achado_listar_cada read. */
static const char achados_sql[] =
    "SELECT a.id AS id, a.guia_id AS guia_id, g.numero_prestador AS numero_prestador, "
    "a.codigo AS codigo, a.severidade AS severidade, a.campo AS campo, a.mensagem AS mensagem, "
    "a.glosa_prevista AS glosa_prevista, a.valor_risco AS valor_risco, a.regra AS regra, "
    "a.script_sha256 AS script_sha256, a.criado_em AS criado_em, "
    "a.reconhecido_em AS reconhecido_em, a.reconhecido_por AS reconhecido_por, "
    "a.reconhecido_motivo AS reconhecido_motivo, a.linha AS linha, "
    FAT_ACHADO_CAMPO_SQL("a", "it") " AS campo_numerado "
    "FROM achado a JOIN guia g ON g.id = a.guia_id LEFT JOIN item it ON it.id = a.item_id "
    "WHERE (?1 > 0 AND a.guia_id = ?1) OR (?1 = 0 AND a.reconhecido_em IS NULL) "
    "ORDER BY a.guia_id, a.severidade DESC, a.id";

fat_rc fat_achado_listar(fat_store *st, int64_t guia_id, cJSON **out, fat_err *err)
{
  fat_stmt *s;
  fat_rc rc;

  *out = NULL;
  rc = fat_store_prepare(st, achados_sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, guia_id > 0 ? guia_id : 0);
  /* absent fields are left out (documented JSON shape) */
  return fat_store_rows_json(st, s, 1, "erro ao listar achados", out, err);
}

fat_rc fat_achado_listar_cada(fat_store *st, int64_t guia_id, fat_achado_cada_fn cada, void *u,
                              fat_err *err)
{
  fat_stmt *s;
  int step;
  fat_rc rc;

  rc = fat_store_prepare(st, achados_sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, guia_id > 0 ? guia_id : 0);
  for (step = fat_stmt_step(s); step == FAT_ROW; step = fat_stmt_step(s)) {
    cJSON *row = fat_store_row_json(s, 1);

    if (row == NULL) {
      rc = fat_err_oom(err);
      break;
    }
    rc = cada(u, row, err);
    cJSON_Delete(row);
    if (rc != FAT_OK)
      break;
  }
  if (rc == FAT_OK && step != FAT_DONE)
    rc = fat_store_dberr(st, err, "erro ao listar achados");
  fat_stmt_reset(s);
  return rc;
}

/* }====================================================================== */
