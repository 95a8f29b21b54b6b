/* fat_contadores.c: the finding counters conferir keeps for its own writes
** (see fat_contadores.h and schemas/106_conferir_contadores.sql).
**
** achado_resumo (089): per operadora, competência, code, severity and state
** (open or acknowledged), for the guias not cancelled: the findings, the
** distinct guias having one, their valor_risco; codigo '' is every code and
** severidade '' both severities (four rows per finding). A guia's share of
** a row is (n findings, n > 0, sum of valor_risco), so its change is worked
** out from the guia's rows in that row before (nb) and after (na) the
** check: achados += na - nb, guias += (na > 0) - (nb > 0). The changes of a
** transaction are summed in a hash table keyed by the row and written with
** one upsert per row that changed.
**
** guia_aberto (027/086): per guia, its open findings of the guia's current
** revision (bloqueios, alertas, risco_bloqueio, valor_risco). The change of
** each guia whose counts move is written as an upsert adding to the row,
** as the triggers did row by row (the same final row; a guia with no row
** gets one exactly when the triggers would have made it: an open finding of
** the current revision entered). Its triggers (painel_aberto_*) are gated
** too: the change of painel_operadora's guias_com_bloqueio and
** valor_em_risco is summed per operadora here (guias a faturar only: conferir
** moves a guia among digitada, conferida and pendente, so its side of the
** panel is the same before and after) and written with one UPDATE each. */
#include "fat_contadores.h"

#include <stdio.h>
#include <string.h>

#include "fat_mem.h"
#include "fat_model.h"
#include "fat_store_int.h"

/* severity keys: the two of the CHECK and '' (both) */
enum { SEV_ALERTA = 0, SEV_BLOQUEIO = 1, SEV_TODAS = 2 };
static const char *const sev_str[] = {"alerta", "bloqueio", ""};

/* One row of achado_resumo changed by this transaction. */
typedef struct cnt_row {
  int64_t op;
  size_t comp, codigo; /* offsets of NUL-terminated texts in txt */
  int sev, rec;
  uint64_t h;
  int64_t achados, guias, valor; /* the change to write */
  int64_t guia;                  /* the guia nb, na are of (0: none yet) */
  int64_t nb, na;                /* its findings in this row before / after */
} cnt_row;

/* The change of one guia's guia_aberto row. */
typedef struct cnt_aberto {
  int64_t guia, d[4]; /* bloqueios, alertas, risco_bloqueio, valor_risco */
} cnt_aberto;

/* The change of one operadora's painel_operadora row. */
typedef struct cnt_painel {
  int64_t op, guias_com_bloqueio, valor_em_risco;
} cnt_painel;

/* Rows per upsert: BATCH, or the largest power of 2 left (sql[k]: 2^k). */
#define BATCH 32
#define N_SQL 6

struct fat_contadores {
  cnt_row *row;
  size_t n_row, cap_row;
  size_t *slot; /* index + 1 in row, 0 = empty; n_slot is a power of 2 */
  size_t n_slot;
  fat_buf txt;
  size_t *moved; /* rows the current guia moved */
  size_t n_moved, cap_moved;
  cnt_aberto *ab;
  size_t n_ab, cap_ab;
  cnt_painel *pn;
  size_t n_pn, cap_pn;
  char *sql_resumo[N_SQL], *sql_aberto[N_SQL];
  /* the current guia */
  int64_t guia, op, revisao;
  const char *comp; /* the guia's, borrowed until fat_contadores_guia_fim */
  int cancelada, a_faturar;
  int64_t d[4];     /* its guia_aberto change */
  int64_t bloq0;    /* its open bloqueios of the revision before the check */
};

/* INSERT head, 2^k rows of n parameters, upsert tail. */
static char *sql_rows(const char *head, int n, int k, const char *tail)
{
  fat_buf b;
  fat_err e;
  int i, j, bad = 0;

  fat_buf_init(&b, SIZE_MAX / 2);
  bad |= fat_buf_puts(&b, head, &e) != FAT_OK;
  for (i = 0; i < (1 << k); i++)
    for (j = 0; j < n; j++)
      bad |= fat_buf_puts(&b, j == 0 ? (i == 0 ? "(?" : ",(?") : (j + 1 == n ? ",?)" : ",?"), &e) !=
             FAT_OK;
  bad |= fat_buf_puts(&b, tail, &e) != FAT_OK;
  if (bad) {
    fat_buf_fini(&b);
    return NULL;
  }
  return fat_buf_take(&b);
}

fat_rc fat_contadores_new(fat_contadores **out, fat_err *err)
{
  static const char resumo[] =
    "INSERT INTO achado_resumo (operadora_id, competencia, codigo, severidade, reconhecido, "
    "achados, guias, valor_risco) VALUES ";
  static const char resumo_fim[] =
    " ON CONFLICT (reconhecido, codigo, severidade, operadora_id, competencia) DO UPDATE SET "
    "achados = achados + excluded.achados, guias = guias + excluded.guias, "
    "valor_risco = valor_risco + excluded.valor_risco";
  static const char aberto[] =
    "INSERT INTO guia_aberto (guia_id, bloqueios, alertas, risco_bloqueio, valor_risco) VALUES ";
  static const char aberto_fim[] =
    " ON CONFLICT (guia_id) DO UPDATE SET "
    "bloqueios = bloqueios + excluded.bloqueios, alertas = alertas + excluded.alertas, "
    "risco_bloqueio = risco_bloqueio + excluded.risco_bloqueio, "
    "valor_risco = valor_risco + excluded.valor_risco";
  fat_contadores *c = fat_calloc(1, sizeof *c);
  int k, bad = 0;

  *out = NULL;
  if (c == NULL)
    return fat_err_oom(err);
  fat_buf_init(&c->txt, SIZE_MAX / 2);
  for (k = 0; k < N_SQL; k++) {
    c->sql_resumo[k] = sql_rows(resumo, 8, k, resumo_fim);
    c->sql_aberto[k] = sql_rows(aberto, 5, k, aberto_fim);
    bad |= c->sql_resumo[k] == NULL || c->sql_aberto[k] == NULL;
  }
  if (bad) {
    fat_contadores_free(c);
    return fat_err_oom(err);
  }
  *out = c;
  return FAT_OK;
}

void fat_contadores_free(fat_contadores *c)
{
  int k;

  if (c == NULL)
    return;
  fat_free(c->row);
  fat_free(c->slot);
  fat_free(c->moved);
  for (k = 0; k < N_SQL; k++) {
    fat_free(c->sql_resumo[k]);
    fat_free(c->sql_aberto[k]);
  }
  fat_free(c->ab);
  fat_free(c->pn);
  fat_buf_fini(&c->txt);
  fat_free(c);
}

void fat_contadores_clear(fat_contadores *c)
{
  c->n_row = 0;
  if (c->slot != NULL)
    memset(c->slot, 0, c->n_slot * sizeof *c->slot);
  fat_buf_reset(&c->txt);
  c->n_moved = 0;
  c->n_ab = 0;
  c->n_pn = 0;
  c->guia = 0;
}

fat_rc fat_contadores_begin(fat_contadores *c, fat_store *st, fat_err *err)
{
  static const char sql[] = "INSERT OR IGNORE INTO conferir_contando (id) VALUES (1)";
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  fat_contadores_clear(c);
  if (rc != FAT_OK)
    return rc;
  return fat_store_step_done(st, s, "erro ao gravar os contadores dos achados", err);
}

void fat_contadores_guia(fat_contadores *c, int64_t guia_id, int64_t operadora_id,
                         const char *competencia, const char *status, int64_t revisao)
{
  c->guia = guia_id;
  c->op = operadora_id;
  c->comp = competencia != NULL ? competencia : "";
  c->cancelada = status != NULL && strcmp(status, "cancelada") == 0;
  c->a_faturar = fat_guia_status_a_faturar(status);
  c->revisao = revisao;
  c->n_moved = 0;
  memset(c->d, 0, sizeof c->d);
  c->bloq0 = 0;
}

static uint64_t hash_str(uint64_t h, const char *s)
{
  for (; *s != '\0'; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211u;
  return (h ^ 0xffu) * 1099511628211u; /* the end of the text */
}

static uint64_t row_hash(int64_t op, const char *comp, const char *codigo, int sev, int rec)
{
  uint64_t h = 14695981039346656037u;

  h = (h ^ (uint64_t)op) * 1099511628211u;
  h = hash_str(h, comp);
  h = hash_str(h, codigo);
  return (h ^ (uint64_t)(sev * 2 + rec)) * 1099511628211u;
}

/* Twice the slots (or 64): every row again in its new slot. */
static fat_rc slots_grow(fat_contadores *c, fat_err *err)
{
  size_t n = c->n_slot != 0 ? c->n_slot * 2 : 64, i, k;
  size_t *ns = fat_calloc(n, sizeof *ns);

  if (ns == NULL)
    return fat_err_oom(err);
  for (i = 0; i < c->n_row; i++) {
    for (k = (size_t)c->row[i].h & (n - 1); ns[k] != 0; k = (k + 1) & (n - 1))
      ;
    ns[k] = i + 1;
  }
  fat_free(c->slot);
  c->slot = ns;
  c->n_slot = n;
  return FAT_OK;
}

static fat_rc txt_add(fat_contadores *c, const char *s, size_t *off, fat_err *err)
{
  *off = c->txt.len;
  return fat_buf_append(&c->txt, s, strlen(s) + 1, err);
}

/* The row of the current guia's operadora and competência for codigo, sev
** and rec, added (with no change) when this transaction has none yet. */
static fat_rc row_of(fat_contadores *c, const char *codigo, int sev, int rec, cnt_row **out,
                     fat_err *err)
{
  uint64_t h = row_hash(c->op, c->comp, codigo, sev, rec);
  cnt_row *r;
  size_t k;
  fat_rc rc;

  if ((c->n_row + 1) * 2 > c->n_slot && (rc = slots_grow(c, err)) != FAT_OK)
    return rc;
  for (k = (size_t)h & (c->n_slot - 1); c->slot[k] != 0; k = (k + 1) & (c->n_slot - 1)) {
    r = &c->row[c->slot[k] - 1];
    if (r->h == h && r->op == c->op && r->sev == sev && r->rec == rec &&
        strcmp(c->txt.data + r->codigo, codigo) == 0 && strcmp(c->txt.data + r->comp, c->comp) == 0) {
      *out = r;
      return FAT_OK;
    }
  }
  if (!FAT_GROW(c->row, c->cap_row, c->n_row))
    return fat_err_oom(err);
  r = &c->row[c->n_row];
  memset(r, 0, sizeof *r);
  r->op = c->op;
  r->sev = sev;
  r->rec = rec;
  r->h = h;
  rc = txt_add(c, c->comp, &r->comp, err);
  if (rc == FAT_OK)
    rc = txt_add(c, codigo, &r->codigo, err);
  if (rc != FAT_OK)
    return rc;
  c->slot[k] = ++c->n_row;
  *out = r;
  return FAT_OK;
}

/* One finding of the current guia into (or out of) one achado_resumo row. */
static fat_rc row_move(fat_contadores *c, const char *codigo, int sev, int rec, int antes,
                       int64_t valor, fat_err *err)
{
  cnt_row *r = NULL;
  fat_rc rc = row_of(c, codigo, sev, rec, &r, err);

  if (rc != FAT_OK)
    return rc;
  if (r->guia != c->guia) {
    if (!FAT_GROW(c->moved, c->cap_moved, c->n_moved))
      return fat_err_oom(err);
    c->moved[c->n_moved++] = (size_t)(r - c->row);
    r->guia = c->guia;
    r->nb = r->na = 0;
  }
  if (antes) {
    r->nb++;
    r->achados--;
    r->valor -= valor;
  } else {
    r->na++;
    r->achados++;
    r->valor += valor;
  }
  return FAT_OK;
}

fat_rc fat_contadores_achado(fat_contadores *c, int antes, const char *codigo, int bloqueio,
                             int reconhecido, int64_t valor_risco, int64_t revisao, fat_err *err)
{
  int sev = bloqueio ? SEV_BLOQUEIO : SEV_ALERTA, rec = reconhecido != 0;
  int64_t s = antes ? -1 : 1;
  fat_rc rc = FAT_OK;

  /* guia_aberto: open findings of the guia's revision (every row written
  ** after the check is of it) */
  if (!rec && revisao == c->revisao) {
    c->bloq0 += antes && bloqueio;
    c->d[0] += bloqueio ? s : 0;
    c->d[1] += bloqueio ? 0 : s;
    c->d[2] += bloqueio ? s * valor_risco : 0;
    c->d[3] += s * valor_risco;
  }
  if (c->cancelada)
    return FAT_OK;
  if (codigo == NULL)
    codigo = "";
  rc = row_move(c, codigo, sev, rec, antes, valor_risco, err);
  if (rc == FAT_OK)
    rc = row_move(c, codigo, SEV_TODAS, rec, antes, valor_risco, err);
  if (rc == FAT_OK)
    rc = row_move(c, "", sev, rec, antes, valor_risco, err);
  if (rc == FAT_OK)
    rc = row_move(c, "", SEV_TODAS, rec, antes, valor_risco, err);
  return rc;
}

fat_rc fat_contadores_guia_fim(fat_contadores *c, fat_err *err)
{
  size_t i;

  for (i = 0; i < c->n_moved; i++) {
    cnt_row *r = &c->row[c->moved[i]];

    r->guias += (r->na > 0) - (r->nb > 0);
  }
  c->n_moved = 0;
  if (c->d[0] != 0 || c->d[1] != 0 || c->d[2] != 0 || c->d[3] != 0) {
    if (!FAT_GROW(c->ab, c->cap_ab, c->n_ab))
      return fat_err_oom(err);
    c->ab[c->n_ab].guia = c->guia;
    memcpy(c->ab[c->n_ab].d, c->d, sizeof c->d);
    c->n_ab++;
  }
  /* painel_operadora (painel_aberto_*): a guia a faturar (its status
  ** before and after the check, conferir moves it among those only) with
  ** an open bloqueio, and their risco_bloqueio */
  if (c->a_faturar && c->op != 0 &&
      ((c->bloq0 > 0) != (c->bloq0 + c->d[0] > 0) || c->d[2] != 0)) {
    for (i = 0; i < c->n_pn && c->pn[i].op != c->op; i++)
      ;
    if (i == c->n_pn) {
      if (!FAT_GROW(c->pn, c->cap_pn, c->n_pn))
        return fat_err_oom(err);
      memset(&c->pn[i], 0, sizeof c->pn[i]);
      c->pn[i].op = c->op;
      c->n_pn++;
    }
    c->pn[i].guias_com_bloqueio += (c->bloq0 + c->d[0] > 0) - (c->bloq0 > 0);
    c->pn[i].valor_em_risco += c->d[2];
  }
  c->comp = NULL;
  return FAT_OK;
}

static const char what[] = "erro ao gravar os contadores dos achados";

static void bind_resumo(const fat_contadores *c, fat_stmt *s, int b, size_t i)
{
  const cnt_row *r = &c->row[i];

  fat_bind_int(s, b + 1, r->op);
  fat_bind_text_static(s, b + 2, c->txt.data + r->comp);
  fat_bind_text_static(s, b + 3, c->txt.data + r->codigo);
  fat_bind_text_static(s, b + 4, sev_str[r->sev]);
  fat_bind_int(s, b + 5, r->rec);
  fat_bind_int(s, b + 6, r->achados);
  fat_bind_int(s, b + 7, r->guias);
  fat_bind_int(s, b + 8, r->valor);
}

static void bind_aberto(const fat_contadores *c, fat_stmt *s, int b, size_t i)
{
  int k;

  fat_bind_int(s, b + 1, c->ab[i].guia);
  for (k = 0; k < 4; k++)
    fat_bind_int(s, b + 2 + k, c->ab[i].d[k]);
}

/* Items 0 .. n-1 (bind: item i at parameters b+1 .. b+per), BATCH or the
** largest power of 2 left a statement (sql[k]: 2^k rows). */
static fat_rc write_rows(const fat_contadores *c, fat_store *st, char *const *sql, size_t n,
                         int per, void (*bind)(const fat_contadores *, fat_stmt *, int, size_t),
                         fat_err *err)
{
  size_t i = 0, k, j;
  int lg;
  fat_stmt *s;
  fat_rc rc = FAT_OK;

  while (i < n && rc == FAT_OK) {
    for (lg = N_SQL - 1, k = BATCH; k > n - i; lg--)
      k /= 2;
    rc = fat_store_prepare(st, sql[lg], &s, err);
    if (rc != FAT_OK)
      break;
    for (j = 0; j < k; j++)
      bind(c, s, (int)j * per, i + j);
    rc = fat_store_step_done(st, s, what, err);
    i += k;
  }
  return rc;
}

fat_rc fat_contadores_end(fat_contadores *c, fat_store *st, fat_err *err)
{
  static const char sql_painel[] =
    "UPDATE painel_operadora SET guias_com_bloqueio = guias_com_bloqueio + ?2, "
    "valor_em_risco = valor_em_risco + ?3 WHERE operadora_id = ?1";
  static const char sql_fim[] = "DELETE FROM conferir_contando";
  fat_stmt *s;
  size_t i, n = 0;
  fat_rc rc;

  /* the achado_resumo rows that changed, first (the table is cleared next) */
  for (i = 0; i < c->n_row; i++)
    if (c->row[i].achados != 0 || c->row[i].guias != 0 || c->row[i].valor != 0)
      c->row[n++] = c->row[i];
  rc = write_rows(c, st, c->sql_resumo, n, 8, bind_resumo, err);
  if (rc == FAT_OK)
    rc = write_rows(c, st, c->sql_aberto, c->n_ab, 5, bind_aberto, err);
  for (i = 0; i < c->n_pn && rc == FAT_OK; i++) {
    rc = fat_store_prepare(st, sql_painel, &s, err);
    if (rc != FAT_OK)
      break;
    fat_bind_int(s, 1, c->pn[i].op);
    fat_bind_int(s, 2, c->pn[i].guias_com_bloqueio);
    fat_bind_int(s, 3, c->pn[i].valor_em_risco);
    rc = fat_store_step_done(st, s, what, err);
  }
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql_fim, &s, err);
  if (rc == FAT_OK)
    rc = fat_store_step_done(st, s, what, err);
  fat_contadores_clear(c);
  return rc;
}
