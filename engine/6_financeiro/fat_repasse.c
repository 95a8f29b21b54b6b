/* fat_repasse.c: repasse médico (see fat_repasse.h). */
#include "fat_repasse.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fat_dia.h"
#include "fat_fin_int.h"
#include "fat_model.h"
#include "fat_money.h"
#include "fat_rateio.h"
#include "fat_termos.h"

static int periodo_ok(const char *p)
{
  return p != NULL && fat_dia_competencia_valida(p);
}

fat_rc fin_repasse_do_periodo(fat_store *st, const char *periodo, int64_t *id, char status[16],
                              fat_err *err)
{
  static const char sql[] = "SELECT id, status FROM repasse WHERE periodo = ?1";
  fat_stmt *s;
  fat_rc rc;

  if (!periodo_ok(periodo))
    return fat_err_set(err, FAT_EINVAL, "período '%s' inválido (use AAAA-MM)",
                       periodo != NULL ? periodo : "");
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, periodo);
  if (fat_stmt_step(s) != FAT_ROW) {
    fat_stmt_reset(s);
    return fat_err_set(err, FAT_ENOTFOUND, "não há repasse de %s (calcule antes)", periodo);
  }
  *id = fat_col_int64(s, 0);
  fat_col_copy(s, 1, status, 16);
  fat_stmt_reset(s);
  return FAT_OK;
}

fat_rc fat_repasse_regra_definir(fat_store *st, const fat_repasse_regra_in *in, int64_t *id,
                                 fat_err *err)
{
  static const char sql[] =
    "INSERT INTO repasse_regra (profissional_id, operadora_id, plano_id, grupo, origem,"
    " percentual_bp, valor_fixo) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
  fat_stmt *s;
  int64_t op = 0;
  char obj[32];
  fat_rc rc;

  if ((in->percentual_bp >= 0) == (in->valor_fixo >= 0))
    return fat_err_set(err, FAT_EINVAL, "informe o percentual ou o valor fixo (um dos dois)");
  if (in->percentual_bp > 10000)
    return fat_err_set(err, FAT_EINVAL, "percentual acima de 100%%");
  if (in->origem != NULL && strcmp(in->origem, "convenio") != 0 &&
      strcmp(in->origem, "particular") != 0)
    return fat_err_set(err, FAT_EINVAL, "origem '%s' inválida (convenio ou particular)",
                       in->origem);
  if (in->grupo != NULL && (in->grupo[0] == '\0' || strspn(in->grupo, "0123456789") !=
                                                        strlen(in->grupo)))
    return fat_err_set(err, FAT_EINVAL, "grupo '%s' inválido: use o início do código (dígitos)",
                       in->grupo);
  if (in->operadora != NULL) {
    rc = fin_operadora(st, in->operadora, &op, NULL, 0, err);
    if (rc != FAT_OK)
      return rc;
  }
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc == FAT_OK) {
    fat_bind_int(s, 1, in->profissional_id);
    fat_bind_int_or_null(s, 2, op, op <= 0);
    fat_bind_int_or_null(s, 3, in->plano_id, in->plano_id <= 0);
    fat_bind_text(s, 4, in->grupo);
    fat_bind_text(s, 5, in->origem);
    fat_bind_int_or_null(s, 6, in->percentual_bp, in->percentual_bp < 0);
    fat_bind_int_or_null(s, 7, in->valor_fixo, in->valor_fixo < 0);
    rc = fat_store_step_done(st, s, "não foi possível gravar a regra de repasse", err);
    if (rc != FAT_OK && err != NULL && strstr(err->msg, "FOREIGN") != NULL)
      rc = fat_err_set(err, FAT_ENOTFOUND, "profissional ou plano inexistente");
  }
  if (rc == FAT_OK) {
    if (id != NULL)
      *id = fat_store_last_id(st);
    snprintf(obj, sizeof obj, "repasse_regra:%lld", (long long)fat_store_last_id(st));
    rc = fat_store_audit(st, "repasse.regra", obj, NULL, err);
  }
  return fin_fim(st, rc, err);
}

fat_rc fat_repasse_regra_listar(fat_store *st, cJSON **out, fat_err *err)
{
  static const char sql[] =
    "SELECT r.id AS id, p.id AS profissional_id, p.nome AS profissional, o.nome AS operadora,"
    " pl.nome AS plano, r.grupo AS grupo, r.origem AS origem, r.percentual_bp AS percentual_bp,"
    " r.valor_fixo AS valor_fixo FROM repasse_regra r JOIN profissional p"
    " ON p.id = r.profissional_id LEFT JOIN operadora o ON o.id = r.operadora_id"
    " LEFT JOIN plano pl ON pl.id = r.plano_id ORDER BY p.nome, r.id";
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  *out = NULL;
  if (rc != FAT_OK)
    return rc;
  return fat_store_rows_json(st, s, 0, "erro ao listar as regras de repasse", out, err);
}

/* ---- calculation ---- */

typedef struct calc {
  fat_store *st;
  fat_gen *gen;
  int64_t repasse_id;
  const char *periodo;
  cJSON *avisos;
  fat_err *err;
  /* decisions kept across recalculation: (recebimento, item) paid now */
  int64_t (*pagar)[2];
  size_t n_pagar;
  /* operator terms cache */
  int64_t termos_op;
  fat_termos termos;
  /* the office's rules (repasse_regra), read once by the first line that
  ** needs them, by profissional then id (regras_lidas: read) */
  struct regra_row *regras;
  size_t n_regras;
  int regras_lidas;
} calc;

static void aviso(calc *c, const char *fmt, ...) FAT_PRINTF(2, 3);

static void aviso(calc *c, const char *fmt, ...)
{
  char msg[300];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  cJSON_AddItemToArray(c->avisos, cJSON_CreateString(msg));
}

typedef struct regra {
  int64_t id, bp, fixo;      /* bp or fixo is -1 */
  char texto[160];
} regra;

/* One row of repasse_regra (NULL columns: 0 or NULL). */
typedef struct regra_row {
  int64_t id, prof, op, plano, bp, fixo; /* op, plano 0 = any; bp or fixo -1 */
  char *grupo, *origem;                  /* NULL = any */
} regra_row;

static void regras_free(calc *c)
{
  size_t i;

  for (i = 0; i < c->n_regras; i++) {
    fat_free(c->regras[i].grupo);
    fat_free(c->regras[i].origem);
  }
  fat_free(c->regras);
  c->regras = NULL;
  c->n_regras = 0;
}

/* Read every rule of the office, by profissional and id: a lookup per line
** was a third of the calculation (docs/desempenho.md, rodada 7). */
static fat_rc regras_ler(calc *c)
{
  static const char sql[] =
    "SELECT id, profissional_id, COALESCE(operadora_id, 0), COALESCE(plano_id, 0), grupo,"
    " origem, COALESCE(percentual_bp, -1), COALESCE(valor_fixo, -1) FROM repasse_regra"
    " ORDER BY profissional_id, id";
  fat_stmt *s;
  size_t cap = 0;
  int r, oom = 0;
  fat_rc rc = fat_store_prepare(c->st, sql, &s, c->err);

  if (rc != FAT_OK)
    return rc;
  while (!oom && (r = fat_stmt_step(s)) == FAT_ROW) {
    regra_row *x;

    if (!FAT_GROW(c->regras, cap, c->n_regras)) {
      oom = 1;
      break;
    }
    x = &c->regras[c->n_regras++];
    memset(x, 0, sizeof *x);
    x->id = fat_col_int64(s, 0);
    x->prof = fat_col_int64(s, 1);
    x->op = fat_col_int64(s, 2);
    x->plano = fat_col_int64(s, 3);
    x->grupo = fat_col_strdup(s, 4, &oom);
    x->origem = fat_col_strdup(s, 5, &oom);
    x->bp = fat_col_int64(s, 6);
    x->fixo = fat_col_int64(s, 7);
  }
  fat_stmt_reset(s);
  if (oom)
    return fat_err_oom(c->err);
  if (r != FAT_DONE)
    return fat_store_dberr(c->st, c->err, "erro ao ler as regras de repasse");
  c->regras_lidas = 1;
  return FAT_OK;
}

/* Characters of UTF-8 text (SQL length()). */
static size_t utf8_chars(const char *t)
{
  size_t n = 0;

  for (; *t != '\0'; t++)
    n += ((unsigned char)*t & 0xC0) != 0x80;
  return n;
}

/* The rule for one line: the operator's special case, then the office's
** (the most specific that applies: operadora, plano, grupo and origem each
** count one, then the longest grupo, then the first defined). */
static fat_rc achar_regra(calc *c, int64_t prof, int64_t op, const char *script, int64_t plano,
                          const char *codigo, const char *origem, regra *r, int *achou)
{
  const regra_row *melhor = NULL;
  size_t lo, hi, k, melhor_gl = 0;
  int melhor_pontos = 0;
  fat_rc rc;

  *achou = 0;
  memset(r, 0, sizeof *r);
  r->bp = r->fixo = -1;
  if (op > 0 && script != NULL) {
    int i, best = -1;
    size_t bl = 0;

    if (c->termos_op != op) {
      rc = fat_termos_ler(c->gen, script, &c->termos, c->err);
      if (rc != FAT_OK)
        return rc;
      c->termos_op = op;
    }
    for (i = 0; i < c->termos.n_repasse; i++) {
      size_t gl = strlen(c->termos.repasse[i].grupo);

      if (gl > 0 && strncmp(codigo, c->termos.repasse[i].grupo, gl) == 0 && gl > bl) {
        best = i;
        bl = gl;
      }
    }
    if (best >= 0) {
      const fat_termos_repasse *t = &c->termos.repasse[best];

      r->bp = t->percentual_bp;
      r->fixo = t->valor;
      snprintf(r->texto, sizeof r->texto, "contrato da operadora (grupo %s)%s%.100s", t->grupo,
               t->motivo[0] ? ": " : "", t->motivo);
      *achou = 1;
      return FAT_OK;
    }
  }
  if (!c->regras_lidas) {
    rc = regras_ler(c);
    if (rc != FAT_OK)
      return rc;
  }
  lo = 0;
  hi = c->n_regras;
  while (lo < hi) { /* first rule of prof */
    size_t mid = lo + (hi - lo) / 2;

    if (c->regras[mid].prof < prof)
      lo = mid + 1;
    else
      hi = mid;
  }
  for (k = lo; k < c->n_regras && c->regras[k].prof == prof; k++) {
    const regra_row *x = &c->regras[k];
    int pontos;
    size_t gl;

    if ((x->op > 0 && x->op != op) || (x->plano > 0 && x->plano != plano) ||
        (x->grupo != NULL && strncmp(codigo, x->grupo, strlen(x->grupo)) != 0) ||
        (x->origem != NULL && (origem == NULL || strcmp(x->origem, origem) != 0)))
      continue;
    pontos = (x->op > 0) + (x->plano > 0) + (x->grupo != NULL) + (x->origem != NULL);
    gl = x->grupo != NULL ? utf8_chars(x->grupo) : 0;
    if (melhor == NULL || pontos > melhor_pontos || (pontos == melhor_pontos && gl > melhor_gl)) {
      melhor = x;
      melhor_pontos = pontos;
      melhor_gl = gl;
    }
  }
  if (melhor != NULL) {
    r->id = melhor->id;
    r->bp = melhor->bp;
    r->fixo = melhor->fixo;
    if (r->bp >= 0)
      snprintf(r->texto, sizeof r->texto, "%lld,%02lld%%", (long long)(r->bp / 100),
               (long long)(r->bp % 100));
    else {
      char v[32];

      fat_money_format_br(r->fixo, v, sizeof v);
      snprintf(r->texto, sizeof r->texto, "valor fixo %s", v);
    }
    if (melhor->grupo != NULL && melhor->grupo[0] != '\0') {
      size_t l = strlen(r->texto);

      snprintf(r->texto + l, sizeof r->texto - l, ", grupo %s", melhor->grupo);
    }
    if (melhor->op > 0) {
      size_t l = strlen(r->texto);

      snprintf(r->texto + l, sizeof r->texto - l, ", operadora");
    }
    if (melhor->origem != NULL && melhor->origem[0] != '\0') {
      size_t l = strlen(r->texto);

      snprintf(r->texto + l, sizeof r->texto - l, ", %s", melhor->origem);
    }
    *achou = 1;
  }
  return FAT_OK;
}

static int64_t parte(const regra *r, int64_t base, int64_t esperado)
{
  int64_t v;

  if (r->bp >= 0)
    return fat_rateio_bp(base, r->bp);
  if (r->fixo < 0)
    return 0;
  v = esperado > 0 ? fat_rateio_muldiv(r->fixo, base, esperado) : r->fixo;
  return v > base ? base : v;
}

typedef struct linha {
  int64_t prof, recebimento, pag_part, guia, item, origem_item, base, valor, regra_id, glosa;
  const char *origem, *situacao;
  const char *regra;
  const char *descricao;
} linha;

static fat_rc grava(calc *c, const linha *l)
{
  static const char sql[] =
    "INSERT INTO repasse_item (repasse_id, profissional_id, origem, recebimento_id,"
    " pagamento_particular_id, guia_id, item_id, origem_item_id, base, valor, regra_id, regra,"
    " glosa, situacao, descricao) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
    " ?13, ?14, ?15)";
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(c->st, sql, &s, c->err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, c->repasse_id);
  fat_bind_int(s, 2, l->prof);
  fat_bind_text(s, 3, l->origem);
  fat_bind_int_or_null(s, 4, l->recebimento, l->recebimento <= 0);
  fat_bind_int_or_null(s, 5, l->pag_part, l->pag_part <= 0);
  fat_bind_int_or_null(s, 6, l->guia, l->guia <= 0);
  fat_bind_int_or_null(s, 7, l->item, l->item <= 0);
  fat_bind_int_or_null(s, 8, l->origem_item, l->origem_item <= 0);
  fat_bind_int(s, 9, l->base);
  fat_bind_int(s, 10, l->valor);
  fat_bind_int_or_null(s, 11, l->regra_id, l->regra_id <= 0);
  fat_bind_text(s, 12, l->regra);
  fat_bind_int(s, 13, l->glosa);
  fat_bind_text(s, 14, l->situacao);
  fat_bind_text(s, 15, l->descricao);
  return fat_store_step_done(c->st, s, "não foi possível gravar a linha do repasse", c->err);
}

typedef struct it {
  int64_t id, prof, esperado, glosa_aberta, deferido;
  int reter;               /* a glosa in recurso (or undue, about to be appealed) */
  char codigo[32];
} it;

/* One receipt's part of one guia, split over its items. */
static fat_rc convenio_guia(calc *c, int64_t rec, int recup, int64_t op, const char *script,
                            int64_t guia, int64_t plano, int64_t valor, const char *numero)
{
  static const char sql[] =
    "SELECT i.id, i.codigo, COALESCE(i.profissional_id, g.executante_id, g.solicitante_id, 0),"
    " COALESCE((SELECT ri.valor_liberado FROM retorno_item ri WHERE ri.item_id = i.id"
    "   AND ri.valor_liberado IS NOT NULL ORDER BY ri.id DESC LIMIT 1), i.valor_total, 0),"
    " (SELECT COALESCE(SUM(gl.valor), 0) FROM glosa gl WHERE gl.item_id = i.id"
    "   AND gl.situacao IN ('aberta', 'em_recurso')),"
    " (SELECT COALESCE(SUM(gl.valor_recuperado), 0) FROM glosa gl WHERE gl.item_id = i.id),"
    " EXISTS (SELECT 1 FROM glosa gl WHERE gl.item_id = i.id AND (gl.situacao = 'em_recurso'"
    "   OR (gl.situacao = 'aberta' AND gl.classificacao = 'indevida')))"
    " FROM item i JOIN guia g ON g.id = i.guia_id WHERE i.guia_id = ?1 ORDER BY i.sequencial";
  static const char sql_gg[] =
    "SELECT COALESCE(SUM(valor), 0), COALESCE(MAX(situacao = 'em_recurso'"
    " OR (situacao = 'aberta' AND classificacao = 'indevida')), 0) FROM glosa"
    " WHERE guia_id = ?1 AND item_id IS NULL AND situacao IN ('aberta', 'em_recurso')";
  fat_stmt *s;
  it *v = NULL;
  int64_t *pesos = NULL, *partes = NULL, glosa_guia = 0, soma_def = 0;
  int reter_guia = 0;
  size_t n = 0, cap = 0, i, k;
  int r;
  fat_rc rc;

  rc = fat_store_prepare(c->st, sql_gg, &s, c->err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, guia);
  if (fat_stmt_step(s) == FAT_ROW) {
    glosa_guia = fat_col_int64(s, 0);
    reter_guia = fat_col_int(s, 1);
  }
  fat_stmt_reset(s);
  rc = fat_store_prepare(c->st, sql, &s, c->err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, guia);
  while ((r = fat_stmt_step(s)) == FAT_ROW) {
    if (!FAT_GROW(v, cap, n)) {
      fat_stmt_reset(s);
      rc = fat_err_oom(c->err);
      goto out;
    }
    v[n].id = fat_col_int64(s, 0);
    fat_col_copy(s, 1, v[n].codigo, sizeof v[n].codigo);
    v[n].prof = fat_col_int64(s, 2);
    v[n].esperado = fat_col_int64(s, 3);
    v[n].glosa_aberta = fat_col_int64(s, 4);
    v[n].deferido = fat_col_int64(s, 5);
    v[n].reter = fat_col_int(s, 6);
    soma_def += v[n].deferido;
    n++;
  }
  fat_stmt_reset(s);
  if (r != FAT_DONE) {
    rc = fat_store_dberr(c->st, c->err, "erro ao ler os itens da guia");
    goto out;
  }
  if (n == 0) {
    aviso(c, "guia %s sem itens: recebimento #%lld fora do repasse", numero, (long long)rec);
    goto out;
  }
  pesos = fat_calloc(n, sizeof *pesos);
  partes = fat_calloc(n, sizeof *partes);
  if (pesos == NULL || partes == NULL) {
    rc = fat_err_oom(c->err);
    goto out;
  }
  for (i = 0; i < n; i++)
    pesos[i] = (recup && soma_def > 0) ? v[i].deferido : v[i].esperado;
  rc = fat_rateio_proporcional(valor, pesos, n, partes, c->err);
  if (rc != FAT_OK)
    goto out;
  for (i = 0; i < n && rc == FAT_OK; i++) {
    linha l;
    regra rg;
    int achou = 0, pago = 0;
    char desc[160];

    if (partes[i] == 0)
      continue;
    if (v[i].prof <= 0) {
      aviso(c, "guia %s, item %s sem profissional: sua parte de %lld centavos ficou fora do "
               "repasse", numero, v[i].codigo, (long long)partes[i]);
      continue;
    }
    rc = achar_regra(c, v[i].prof, op, script, plano, v[i].codigo, "convenio", &rg, &achou);
    if (rc != FAT_OK)
      break;
    if (!achou) {
      aviso(c, "profissional #%lld sem regra de repasse para o item %s da guia %s",
            (long long)v[i].prof, v[i].codigo, numero);
      snprintf(rg.texto, sizeof rg.texto, "sem regra");
    }
    memset(&l, 0, sizeof l);
    l.prof = v[i].prof;
    l.recebimento = rec;
    l.guia = guia;
    l.item = v[i].id;
    l.base = partes[i];
    l.valor = achou ? parte(&rg, partes[i], recup ? v[i].deferido : v[i].esperado) : 0;
    l.regra_id = rg.id;
    l.regra = rg.texto;
    l.origem = "convenio";
    l.glosa = v[i].glosa_aberta + (i == 0 ? glosa_guia : 0);
    for (k = 0; k < c->n_pagar; k++)
      if (c->pagar[k][0] == rec && c->pagar[k][1] == v[i].id)
        pago = 1;
    l.situacao = (!recup && (v[i].reter || reter_guia) && !pago) ? "retido" : "pagar";
    snprintf(desc, sizeof desc, "guia %s, item %s%s", numero, v[i].codigo,
             recup ? " (recuperado em recurso)" : "");
    l.descricao = desc;
    rc = grava(c, &l);
  }
out:
  fat_free(v);
  fat_free(pesos);
  fat_free(partes);
  return rc;
}

/* Every row of sql (its ?1 bound to the period) read by read into a new
** array of elem-byte rows (*out, freed by the caller with fat_free; *n
** rows). The statement is finished before any row is used, so the caller
** may write while it walks them. what names the rows in a database error. */
static fat_rc period_rows(calc *c, const char *sql, size_t elem,
                          void (*read)(fat_stmt *s, void *row), const char *what, void **out,
                          size_t *n)
{
  fat_stmt *s;
  unsigned char *rows = NULL;
  size_t cap = 0;
  int r;
  fat_rc rc = fat_store_prepare(c->st, sql, &s, c->err);

  *out = NULL;
  *n = 0;
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, c->periodo);
  while ((r = fat_stmt_step(s)) == FAT_ROW) {
    if (!fat_grow(&rows, &cap, *n, elem)) {
      fat_stmt_reset(s);
      fat_free(rows);
      *n = 0;
      return fat_err_oom(c->err);
    }
    memset(rows + *n * elem, 0, elem);
    read(s, rows + *n * elem);
    (*n)++;
  }
  fat_stmt_reset(s);
  if (r != FAT_DONE) {
    char msg[96];

    fat_free(rows);
    *n = 0;
    snprintf(msg, sizeof msg, "erro ao ler %s", what);
    return fat_store_dberr(c->st, c->err, msg);
  }
  *out = rows;
  return FAT_OK;
}

typedef struct convenio_rec {
  int64_t rec, op, guia, plano, valor;
  int recup;
  char script[64], numero[32];
} convenio_rec;

static void convenio_row(fat_stmt *s, void *p)
{
  convenio_rec *r = p;

  r->rec = fat_col_int64(s, 0);
  r->recup = fat_col_int(s, 1);
  r->op = fat_col_int64(s, 2);
  fat_col_copy(s, 3, r->script, sizeof r->script);
  r->guia = fat_col_int64(s, 4);
  r->plano = fat_col_int64(s, 5);
  r->valor = fat_col_int64(s, 6);
  fat_col_copy(s, 7, r->numero, sizeof r->numero);
}

/* The guias received in the period, in keyset pages of CONVENIO_PAGE rows
** (recebimento, guia): memory stays flat however many guias were paid (a
** million guias held as rows was ~150 MB). */
#define CONVENIO_PAGE 512

static fat_rc convenio(calc *c)
{
  static const char sql[] = FAT_REPASSE_CONVENIO_SQL;
  convenio_rec *rows = fat_calloc(CONVENIO_PAGE, sizeof *rows);
  int64_t last_rec = 0, last_guia = 0;
  size_t n, i;
  fat_stmt *s;
  fat_rc rc = FAT_OK;
  int r;

  if (rows == NULL)
    return fat_err_oom(c->err);
  do {
    rc = fat_store_prepare(c->st, sql, &s, c->err);
    if (rc != FAT_OK)
      break;
    fat_bind_text(s, 1, c->periodo);
    fat_bind_int(s, 2, last_rec);
    fat_bind_int(s, 3, last_guia);
    fat_bind_int(s, 4, CONVENIO_PAGE);
    n = 0;
    while (n < CONVENIO_PAGE && (r = fat_stmt_step(s)) == FAT_ROW) {
      memset(&rows[n], 0, sizeof rows[n]);
      convenio_row(s, &rows[n]);
      n++;
    }
    if (n < CONVENIO_PAGE && r != FAT_DONE) {
      fat_stmt_reset(s);
      rc = fat_store_dberr(c->st, c->err, "erro ao ler os recebimentos do período");
      break;
    }
    fat_stmt_reset(s);
    for (i = 0; i < n && rc == FAT_OK; i++)
      rc = convenio_guia(c, rows[i].rec, rows[i].recup, rows[i].op, rows[i].script, rows[i].guia,
                         rows[i].plano, rows[i].valor, rows[i].numero);
    if (n > 0) {
      last_rec = rows[n - 1].rec;
      last_guia = rows[n - 1].guia;
    }
  } while (rc == FAT_OK && n == CONVENIO_PAGE);
  fat_free(rows);
  return rc;
}

typedef struct particulares_rec {
  int64_t id, base, prof, recibo;
  char codigo[32], paciente[80];
} particulares_rec;

static void particulares_row(fat_stmt *s, void *p)
{
  particulares_rec *r = p;

  r->id = fat_col_int64(s, 0);
  r->base = fat_col_int64(s, 1);
  r->prof = fat_col_int64(s, 2);
  fat_col_copy(s, 3, r->codigo, sizeof r->codigo);
  r->recibo = fat_col_int64(s, 4);
  fat_col_copy(s, 5, r->paciente, sizeof r->paciente);
}

static fat_rc particulares(calc *c)
{
  static const char sql[] =
    "SELECT x.id, x.valor - x.taxa, p.profissional_id, p.codigo, x.recibo, p.paciente_nome"
    " FROM particular_pagamento x JOIN particular p ON p.id = x.particular_id"
    " WHERE substr(x.data, 1, 7) = ?1 AND p.profissional_id IS NOT NULL ORDER BY x.id";
  particulares_rec *rows;
  void *v;
  size_t n, i;
  fat_rc rc =
    period_rows(c, sql, sizeof *rows, particulares_row, "os pagamentos particulares", &v, &n);

  if (rc != FAT_OK)
    return rc;
  rows = v;
  for (i = 0; i < n && rc == FAT_OK; i++) {
    linha l;
    regra rg;
    int achou;
    char desc[160];

    rc = achar_regra(c, rows[i].prof, 0, NULL, 0, rows[i].codigo, "particular", &rg, &achou);
    if (rc != FAT_OK)
      break;
    if (!achou) {
      aviso(c, "profissional #%lld sem regra de repasse para particular (recibo %lld)",
            (long long)rows[i].prof, (long long)rows[i].recibo);
      snprintf(rg.texto, sizeof rg.texto, "sem regra");
    }
    memset(&l, 0, sizeof l);
    l.prof = rows[i].prof;
    l.pag_part = rows[i].id;
    l.base = rows[i].base;
    l.valor = achou ? parte(&rg, rows[i].base, rows[i].base) : 0;
    l.regra_id = rg.id;
    l.regra = rg.texto;
    l.origem = "particular";
    l.situacao = "pagar";
    snprintf(desc, sizeof desc, "particular, recibo %lld, %.60s, %s", (long long)rows[i].recibo,
             rows[i].paciente, rows[i].codigo);
    l.descricao = desc;
    rc = grava(c, &l);
  }
  fat_free(rows);
  return rc;
}

typedef struct liberacoes_rec {
  int64_t id, prof, base, valor, guia, item;
  char periodo[8], desc[160], regra[160];
} liberacoes_rec;

static void liberacoes_row(fat_stmt *s, void *p)
{
  liberacoes_rec *r = p;

  r->id = fat_col_int64(s, 0);
  r->prof = fat_col_int64(s, 1);
  r->base = fat_col_int64(s, 2);
  r->valor = fat_col_int64(s, 3);
  r->guia = fat_col_int64(s, 4);
  r->item = fat_col_int64(s, 5);
  fat_col_copy(s, 6, r->periodo, sizeof r->periodo);
  fat_col_copy(s, 7, r->desc, sizeof r->desc);
  fat_col_copy(s, 8, r->regra, sizeof r->regra);
}

static fat_rc liberacoes(calc *c)
{
  static const char sql[] =
    "SELECT ri.id, ri.profissional_id, ri.base, ri.valor, COALESCE(ri.guia_id, 0),"
    " COALESCE(ri.item_id, 0), rp.periodo, COALESCE(ri.descricao, ''), COALESCE(ri.regra, '')"
    " FROM repasse_item ri JOIN repasse rp ON rp.id = ri.repasse_id"
    " WHERE rp.status = 'fechado' AND rp.periodo < ?1 AND ri.situacao = 'retido'"
    " AND NOT EXISTS (SELECT 1 FROM repasse_item z WHERE z.origem_item_id = ri.id)"
    " AND NOT EXISTS (SELECT 1 FROM glosa gl WHERE (gl.situacao = 'em_recurso'"
    "  OR (gl.situacao = 'aberta' AND gl.classificacao = 'indevida'))"
    "  AND (gl.item_id = ri.item_id OR (gl.item_id IS NULL AND gl.guia_id = ri.guia_id)))"
    " ORDER BY ri.id";
  liberacoes_rec *rows;
  void *v;
  size_t n, i;
  fat_rc rc = period_rows(c, sql, sizeof *rows, liberacoes_row, "os valores retidos", &v, &n);

  if (rc != FAT_OK)
    return rc;
  rows = v;
  for (i = 0; i < n && rc == FAT_OK; i++) {
    linha l;
    char desc[200];

    memset(&l, 0, sizeof l);
    l.prof = rows[i].prof;
    l.guia = rows[i].guia;
    l.item = rows[i].item;
    l.origem_item = rows[i].id;
    l.base = rows[i].base;
    l.valor = rows[i].valor;
    l.origem = "liberacao";
    l.situacao = "pagar";
    l.regra = rows[i].regra;
    snprintf(desc, sizeof desc, "liberado (retido em %s, recurso encerrado): %.120s",
             rows[i].periodo, rows[i].desc);
    l.descricao = desc;
    rc = grava(c, &l);
  }
  fat_free(rows);
  return rc;
}

static fat_rc repasse_aberto(fat_store *st, const char *periodo, int64_t *id, fat_err *err)
{
  static const char sel[] = "SELECT id, status FROM repasse WHERE periodo = ?1";
  static const char ins[] = "INSERT INTO repasse (periodo) VALUES (?1)";
  fat_stmt *s;
  char status[16];
  fat_rc rc = fat_store_prepare(st, sel, &s, err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, periodo);
  if (fat_stmt_step(s) == FAT_ROW) {
    *id = fat_col_int64(s, 0);
    fat_col_copy(s, 1, status, sizeof status);
    fat_stmt_reset(s);
    if (strcmp(status, "aberto") != 0)
      return fat_err_set(err, FAT_ESTATE, "o repasse de %s está fechado: só muda por ajuste num "
                                          "repasse seguinte", periodo);
    return FAT_OK;
  }
  fat_stmt_reset(s);
  rc = fat_store_prepare(st, ins, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, periodo);
  rc = fat_store_step_done(st, s, "não foi possível criar o repasse", err);
  if (rc == FAT_OK)
    *id = fat_store_last_id(st);
  return rc;
}

fat_rc fat_repasse_calcular(fat_store *st, fat_gen *gen, const char *periodo, cJSON **out,
                            fat_err *err)
{
  cJSON *avisos = NULL;
  fat_rc rc;

  if (out != NULL)
    *out = NULL;
  rc = fat_repasse_calcular_avisos(st, gen, periodo, out != NULL ? &avisos : NULL, err);
  if (rc == FAT_OK && out != NULL) {
    rc = fat_repasse_extrato(st, periodo, 0, out, err);
    if (rc == FAT_OK) {
      cJSON_AddItemToObject(*out, "avisos", avisos);
      avisos = NULL;
    }
  }
  cJSON_Delete(avisos);
  return rc;
}

fat_rc fat_repasse_calcular_avisos(fat_store *st, fat_gen *gen, const char *periodo,
                                   cJSON **avisos, fat_err *err)
{
  static const char sql_dec[] =
    "SELECT recebimento_id, item_id FROM repasse_item WHERE repasse_id = ?1"
    " AND origem = 'convenio' AND situacao = 'pagar' AND glosa > 0";
  static const char sql_del[] =
    "DELETE FROM repasse_item WHERE repasse_id = ?1 AND origem <> 'ajuste'";
  static const char sql_upd[] =
    "UPDATE repasse SET calculado_em = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?1";
  fat_stmt *s;
  calc c;
  size_t cap = 0;
  char obj[32];
  int r;
  fat_rc rc;

  if (avisos != NULL)
    *avisos = NULL;
  if (!periodo_ok(periodo))
    return fat_err_set(err, FAT_EINVAL, "período '%s' inválido (use AAAA-MM)",
                       periodo != NULL ? periodo : "");
  memset(&c, 0, sizeof c);
  c.st = st;
  c.gen = gen;
  c.periodo = periodo;
  c.err = err;
  c.termos_op = -1;
  c.avisos = cJSON_CreateArray();
  if (c.avisos == NULL)
    return fat_err_oom(err);
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    goto done;
  rc = repasse_aberto(st, periodo, &c.repasse_id, err);
  if (rc != FAT_OK)
    goto out;
  rc = fat_store_prepare(st, sql_dec, &s, err);
  if (rc != FAT_OK)
    goto out;
  fat_bind_int(s, 1, c.repasse_id);
  while ((r = fat_stmt_step(s)) == FAT_ROW) {
    if (!FAT_GROW(c.pagar, cap, c.n_pagar)) {
      fat_stmt_reset(s);
      rc = fat_err_oom(err);
      goto out;
    }
    c.pagar[c.n_pagar][0] = fat_col_int64(s, 0);
    c.pagar[c.n_pagar][1] = fat_col_int64(s, 1);
    c.n_pagar++;
  }
  fat_stmt_reset(s);
  rc = fat_store_prepare(st, sql_del, &s, err);
  if (rc == FAT_OK) {
    fat_bind_int(s, 1, c.repasse_id);
    rc = fat_store_step_done(st, s, "não foi possível refazer o repasse", err);
  }
  if (rc == FAT_OK)
    rc = convenio(&c);
  if (rc == FAT_OK)
    rc = particulares(&c);
  if (rc == FAT_OK)
    rc = liberacoes(&c);
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql_upd, &s, err);
  if (rc == FAT_OK) {
    fat_bind_int(s, 1, c.repasse_id);
    rc = fat_store_step_done(st, s, "não foi possível gravar o repasse", err);
  }
  if (rc == FAT_OK) {
    snprintf(obj, sizeof obj, "repasse:%s", periodo);
    rc = fat_store_audit(st, "repasse.calcular", obj, NULL, err);
  }
out:
  rc = fin_fim(st, rc, err);
  if (rc == FAT_OK && avisos != NULL) {
    *avisos = c.avisos;
    c.avisos = NULL;
  }
done:
  fat_free(c.pagar);
  regras_free(&c);
  cJSON_Delete(c.avisos);
  return rc;
}

fat_rc fat_repasse_decidir(fat_store *st, int64_t item_id, const char *decisao, fat_err *err)
{
  static const char sel[] =
    "SELECT ri.situacao, ri.glosa, ri.origem, rp.status, rp.periodo FROM repasse_item ri"
    " JOIN repasse rp ON rp.id = ri.repasse_id WHERE ri.id = ?1";
  static const char upd[] = "UPDATE repasse_item SET situacao = ?2 WHERE id = ?1";
  fat_stmt *s;
  char sit[16], origem[16], status[16], periodo[8], obj[32];
  int64_t glosa;
  const char *novo;
  fat_rc rc;

  if (decisao == NULL || (strcmp(decisao, "pagar") != 0 && strcmp(decisao, "reter") != 0))
    return fat_err_set(err, FAT_EINVAL, "decisão '%s' inválida (pagar ou reter)",
                       decisao != NULL ? decisao : "");
  novo = decisao[0] == 'p' ? "pagar" : "retido";
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_prepare(st, sel, &s, err);
  if (rc != FAT_OK)
    goto out;
  fat_bind_int(s, 1, item_id);
  if (fat_stmt_step(s) != FAT_ROW) {
    fat_stmt_reset(s);
    rc = fat_err_set(err, FAT_ENOTFOUND, "linha de repasse #%lld não existe", (long long)item_id);
    goto out;
  }
  fat_col_copy(s, 0, sit, sizeof sit);
  glosa = fat_col_int64(s, 1);
  fat_col_copy(s, 2, origem, sizeof origem);
  fat_col_copy(s, 3, status, sizeof status);
  fat_col_copy(s, 4, periodo, sizeof periodo);
  fat_stmt_reset(s);
  if (strcmp(status, "aberto") != 0) {
    rc = fat_err_set(err, FAT_ESTATE, "o repasse de %s está fechado: só muda por ajuste num "
                                      "repasse seguinte", periodo);
    goto out;
  }
  if (glosa <= 0 || strcmp(origem, "convenio") != 0) {
    rc = fat_err_set(err, FAT_ESTATE, "a linha #%lld não tem glosa em aberto para reter",
                     (long long)item_id);
    goto out;
  }
  rc = fat_store_prepare(st, upd, &s, err);
  if (rc != FAT_OK)
    goto out;
  fat_bind_int(s, 1, item_id);
  fat_bind_text(s, 2, novo);
  rc = fat_store_step_done(st, s, "não foi possível gravar a decisão", err);
  if (rc == FAT_OK) {
    snprintf(obj, sizeof obj, "repasse_item:%lld", (long long)item_id);
    rc = fat_store_audit(st, "repasse.decidir", obj, novo, err);
  }
out:
  return fin_fim(st, rc, err);
}

fat_rc fat_repasse_fechar(fat_store *st, const char *periodo, fat_err *err)
{
  static const char sel[] = "SELECT id, status, calculado_em FROM repasse WHERE periodo = ?1";
  static const char upd[] =
    "UPDATE repasse SET status = 'fechado', fechado_em = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'),"
    " fechado_por = ?2 WHERE id = ?1";
  fat_stmt *s;
  char status[16], obj[32];
  int64_t id;
  int calculado;
  fat_rc rc;

  if (!periodo_ok(periodo))
    return fat_err_set(err, FAT_EINVAL, "período '%s' inválido (use AAAA-MM)",
                       periodo != NULL ? periodo : "");
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_prepare(st, sel, &s, err);
  if (rc != FAT_OK)
    goto out;
  fat_bind_text(s, 1, periodo);
  if (fat_stmt_step(s) != FAT_ROW) {
    fat_stmt_reset(s);
    rc = fat_err_set(err, FAT_ENOTFOUND, "não há repasse de %s (calcule antes)", periodo);
    goto out;
  }
  id = fat_col_int64(s, 0);
  fat_col_copy(s, 1, status, sizeof status);
  calculado = !fat_col_is_null(s, 2);
  fat_stmt_reset(s);
  if (strcmp(status, "fechado") == 0) {
    rc = fat_err_set(err, FAT_ESTATE, "o repasse de %s já está fechado", periodo);
    goto out;
  }
  if (!calculado) {
    rc = fat_err_set(err, FAT_ESTATE, "o repasse de %s ainda não foi calculado", periodo);
    goto out;
  }
  rc = fat_store_prepare(st, upd, &s, err);
  if (rc != FAT_OK)
    goto out;
  fat_bind_int(s, 1, id);
  fat_bind_text(s, 2, fat_store_user(st));
  rc = fat_store_step_done(st, s, "não foi possível fechar o repasse", err);
  if (rc == FAT_OK) {
    snprintf(obj, sizeof obj, "repasse:%s", periodo);
    rc = fat_store_audit(st, "repasse.fechar", obj, NULL, err);
  }
out:
  return fin_fim(st, rc, err);
}

fat_rc fat_repasse_ajuste(fat_store *st, const char *periodo, int64_t profissional_id,
                          int64_t valor, const char *motivo, fat_err *err)
{
  calc c;
  linha l;
  char obj[32];
  fat_rc rc;

  if (!periodo_ok(periodo))
    return fat_err_set(err, FAT_EINVAL, "período '%s' inválido (use AAAA-MM)",
                       periodo != NULL ? periodo : "");
  if (valor == 0)
    return fat_err_set(err, FAT_EINVAL, "ajuste de valor zero");
  if (motivo == NULL || motivo[0] == '\0')
    return fat_err_set(err, FAT_EINVAL, "diga o motivo do ajuste");
  memset(&c, 0, sizeof c);
  c.st = st;
  c.err = err;
  c.periodo = periodo;
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = repasse_aberto(st, periodo, &c.repasse_id, err);
  if (rc == FAT_OK) {
    memset(&l, 0, sizeof l);
    l.prof = profissional_id;
    l.base = 0;
    l.valor = valor;
    l.origem = "ajuste";
    l.situacao = "pagar";
    l.regra = "ajuste";
    l.descricao = motivo;
    rc = grava(&c, &l);
    if (rc != FAT_OK && err != NULL && strstr(err->msg, "FOREIGN") != NULL)
      rc = fat_err_set(err, FAT_ENOTFOUND, "profissional #%lld não existe",
                       (long long)profissional_id);
  }
  if (rc == FAT_OK) {
    snprintf(obj, sizeof obj, "repasse:%s", periodo);
    rc = fat_store_audit(st, "repasse.ajuste", obj, motivo, err);
  }
  return fin_fim(st, rc, err);
}

fat_rc fat_repasse_listar(fat_store *st, cJSON **out, fat_err *err)
{
  static const char sql[] =
    "SELECT rp.periodo AS periodo, rp.status AS status, rp.calculado_em AS calculado_em,"
    " rp.fechado_em AS fechado_em, rp.fechado_por AS fechado_por,"
    " (SELECT COALESCE(SUM(valor), 0) FROM repasse_item WHERE repasse_id = rp.id"
    "  AND situacao = 'pagar') AS total_pagar,"
    " (SELECT COALESCE(SUM(valor), 0) FROM repasse_item WHERE repasse_id = rp.id"
    "  AND situacao = 'retido') AS total_retido"
    " FROM repasse rp ORDER BY rp.periodo DESC";
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  *out = NULL;
  if (rc != FAT_OK)
    return rc;
  return fat_store_rows_json(st, s, 0, "erro ao listar os repasses", out, err);
}

fat_rc fat_repasse_totais_de(fat_store *st, const char *periodo, fat_repasse_totais *t,
                             fat_err *err)
{
  static const char sql[] =
    "SELECT COALESCE(SUM(CASE WHEN ri.situacao = 'retido' THEN 0 ELSE ri.valor END), 0),"
    " COALESCE(SUM(CASE WHEN ri.situacao = 'retido' THEN ri.valor ELSE 0 END), 0),"
    " COALESCE(SUM(CASE WHEN ri.origem = 'liberacao' THEN ri.valor ELSE 0 END), 0), count(*)"
    " FROM repasse rp JOIN repasse_item ri ON ri.repasse_id = rp.id WHERE rp.periodo = ?1";
  fat_stmt *s;
  fat_rc rc;

  memset(t, 0, sizeof *t);
  if (!periodo_ok(periodo))
    return fat_err_set(err, FAT_EINVAL, "período '%s' inválido (use AAAA-MM)",
                       periodo != NULL ? periodo : "");
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, periodo);
  if (fat_stmt_step(s) != FAT_ROW) {
    fat_stmt_reset(s);
    return fat_store_dberr(st, err, "erro ao somar o repasse");
  }
  t->pagar = fat_col_int64(s, 0);
  t->retido = fat_col_int64(s, 1);
  t->liberado = fat_col_int64(s, 2);
  t->linhas = fat_col_int64(s, 3);
  fat_stmt_reset(s);
  return FAT_OK;
}

fat_rc fat_repasse_extrato(fat_store *st, const char *periodo, int64_t profissional_id,
                           cJSON **out, fat_err *err)
{
  static const char sql_i[] =
    "SELECT ri.id AS id, ri.profissional_id AS profissional_id, p.nome AS profissional,"
    " p.conselho || ' ' || COALESCE(p.numero_conselho, '') || '/' || p.uf AS conselho,"
    " ri.origem AS origem, COALESCE(r.data, x.data) AS data, g.numero_prestador AS guia,"
    " i.codigo AS codigo, ri.base AS base, ri.valor AS valor, ri.regra AS regra,"
    " ri.glosa AS glosa, ri.situacao AS situacao, ri.descricao AS descricao"
    " FROM repasse_item ri JOIN profissional p ON p.id = ri.profissional_id"
    " LEFT JOIN recebimento r ON r.id = ri.recebimento_id"
    " LEFT JOIN particular_pagamento x ON x.id = ri.pagamento_particular_id"
    " LEFT JOIN guia g ON g.id = ri.guia_id LEFT JOIN item i ON i.id = ri.item_id"
    " WHERE ri.repasse_id = ?1 AND (?2 = 0 OR ri.profissional_id = ?2)"
    " ORDER BY p.nome, ri.profissional_id, ri.id";
  fat_stmt *s;
  cJSON *o, *rows = NULL, *profs, *cur = NULL, *itens = NULL, *row;
  int64_t rid, curp = -1, tp = 0, tr = 0, pp = 0, pr = 0;
  char status[16];
  fat_rc rc;

  *out = NULL;
  rc = fin_repasse_do_periodo(st, periodo, &rid, status, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_prepare(st, sql_i, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, rid);
  fat_bind_int(s, 2, profissional_id);
  rc = fat_store_rows_json(st, s, 0, "erro ao ler o repasse", &rows, err);
  if (rc != FAT_OK)
    return rc;
  o = cJSON_CreateObject();
  if (o == NULL)
    goto oom;
  cJSON_AddStringToObject(o, "periodo", periodo);
  cJSON_AddStringToObject(o, "status", status);
  profs = cJSON_AddArrayToObject(o, "profissionais");
  if (profs == NULL)
    goto oom;
  while ((row = cJSON_DetachItemFromArray(rows, 0)) != NULL) {
    int64_t p = (int64_t)cJSON_GetObjectItemCaseSensitive(row, "profissional_id")->valuedouble;
    int64_t v = (int64_t)cJSON_GetObjectItemCaseSensitive(row, "valor")->valuedouble;
    const cJSON *sit = cJSON_GetObjectItemCaseSensitive(row, "situacao");

    if (cur == NULL || p != curp) {
      if (cur != NULL) {
        cJSON_AddNumberToObject(cur, "total_pagar", (double)pp);
        cJSON_AddNumberToObject(cur, "total_retido", (double)pr);
      }
      pp = pr = 0;
      curp = p;
      cur = cJSON_CreateObject();
      if (cur == NULL) {
        cJSON_Delete(row);
        goto oom;
      }
      cJSON_AddItemToArray(profs, cur);
      cJSON_AddNumberToObject(cur, "id", (double)p);
      cJSON_AddItemToObject(cur, "nome", cJSON_Duplicate(
                                             cJSON_GetObjectItemCaseSensitive(row, "profissional"), 1));
      cJSON_AddItemToObject(cur, "conselho", cJSON_Duplicate(
                                                 cJSON_GetObjectItemCaseSensitive(row, "conselho"), 1));
      itens = cJSON_AddArrayToObject(cur, "itens");
      if (itens == NULL) {
        cJSON_Delete(row);
        goto oom;
      }
    }
    if (cJSON_IsString(sit) && strcmp(sit->valuestring, "retido") == 0) {
      pr += v;
      tr += v;
    } else {
      pp += v;
      tp += v;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(row, "profissional");
    cJSON_DeleteItemFromObjectCaseSensitive(row, "conselho");
    cJSON_DeleteItemFromObjectCaseSensitive(row, "profissional_id");
    cJSON_AddItemToArray(itens, row);
  }
  if (cur != NULL) {
    cJSON_AddNumberToObject(cur, "total_pagar", (double)pp);
    cJSON_AddNumberToObject(cur, "total_retido", (double)pr);
  }
  cJSON_AddNumberToObject(o, "total_pagar", (double)tp);
  cJSON_AddNumberToObject(o, "total_retido", (double)tr);
  cJSON_Delete(rows);
  *out = o;
  return FAT_OK;
oom:
  cJSON_Delete(rows);
  cJSON_Delete(o);
  return fat_err_oom(err);
}
