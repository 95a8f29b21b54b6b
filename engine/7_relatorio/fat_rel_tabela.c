/* fat_rel_tabela.c: the report document (fat_rel.h) and what every report
** shares: tables filled from SQL, derived rates, parameters, the dispatcher
** and the exports (CSV, XLSX). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fat_csv.h"
#include "fat_dia.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_money.h"
#include "fat_operadora.h"
#include "fat_rel_int.h"
#include "fat_xlsx.h"

#define REL_CSV_MAX (64u * 1024u * 1024u)
#define REL_XLSX_MAX (64u * 1024u * 1024u)
#define REL_MESES_MAX 120

/*
** {======================================================
** The document
** =======================================================
*/

static const char *const tipo_nomes[] = {"texto", "inteiro", "dinheiro", "percentual",
                                         "dias", "data", "mes"};

const char *rel_tipo_nome(rel_tipo t)
{
  return (size_t)t < sizeof tipo_nomes / sizeof tipo_nomes[0] ? tipo_nomes[t] : "texto";
}

int rel_tipo_de(const char *nome)
{
  size_t i;

  for (i = 0; nome != NULL && i < sizeof tipo_nomes / sizeof tipo_nomes[0]; i++)
    if (strcmp(nome, tipo_nomes[i]) == 0)
      return (int)i;
  return -1;
}

cJSON *rel_novo(const char *relatorio, const char *titulo)
{
  cJSON *o = cJSON_CreateObject();

  if (o == NULL || cJSON_AddStringToObject(o, "relatorio", relatorio) == NULL ||
      cJSON_AddStringToObject(o, "titulo", titulo) == NULL ||
      cJSON_AddObjectToObject(o, "parametros") == NULL ||
      cJSON_AddArrayToObject(o, "tabelas") == NULL) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

fat_rc rel_param(cJSON *rel, const char *k, const char *v, fat_err *err)
{
  cJSON *p = cJSON_GetObjectItemCaseSensitive(rel, "parametros");

  return v != NULL ? rel_set_str(p, k, v, err) : rel_set_null(p, k, err);
}

fat_rc rel_tabela(cJSON *rel, const char *nome, const char *titulo, const rel_col *cols, size_t n,
                  cJSON **tab, fat_err *err)
{
  cJSON *t = cJSON_CreateObject(), *cs, *c;
  size_t i;

  *tab = NULL;
  if (t == NULL || cJSON_AddStringToObject(t, "nome", nome) == NULL ||
      cJSON_AddStringToObject(t, "titulo", titulo) == NULL)
    goto oom;
  cs = cJSON_AddArrayToObject(t, "colunas");
  if (cs == NULL)
    goto oom;
  for (i = 0; i < n; i++) {
    c = cJSON_CreateObject();
    if (c == NULL || !cJSON_AddItemToArray(cs, c)) {
      cJSON_Delete(c);
      goto oom;
    }
    if (cJSON_AddStringToObject(c, "chave", cols[i].chave) == NULL ||
        cJSON_AddStringToObject(c, "rotulo", cols[i].rotulo) == NULL ||
        cJSON_AddStringToObject(c, "tipo", rel_tipo_nome(cols[i].tipo)) == NULL)
      goto oom;
  }
  if (cJSON_AddArrayToObject(t, "linhas") == NULL || cJSON_AddNullToObject(t, "total") == NULL)
    goto oom;
  if (!cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(rel, "tabelas"), t))
    goto oom;
  *tab = t;
  return FAT_OK;
oom:
  cJSON_Delete(t);
  return fat_err_oom(err);
}

cJSON *rel_linhas_de(const cJSON *tab)
{
  return cJSON_GetObjectItemCaseSensitive(tab, "linhas");
}

fat_rc rel_linhas(fat_store *st, cJSON *tab, fat_stmt *s, fat_err *err)
{
  cJSON *rows = NULL, *l = cJSON_GetObjectItemCaseSensitive(tab, "linhas"), *r;
  fat_rc rc = fat_store_rows_json(st, s, 0, "erro ao montar o relatório", &rows, err);

  if (rc != FAT_OK)
    return rc;
  while (rows->child != NULL) {
    r = cJSON_DetachItemViaPointer(rows, rows->child);
    if (!cJSON_AddItemToArray(l, r)) {
      cJSON_Delete(r);
      cJSON_Delete(rows);
      return fat_err_oom(err);
    }
  }
  cJSON_Delete(rows);
  return FAT_OK;
}

fat_rc rel_total(fat_store *st, cJSON *tab, fat_stmt *s, fat_err *err)
{
  cJSON *rows = NULL, *r;
  fat_rc rc = fat_store_rows_json(st, s, 0, "erro ao montar o relatório", &rows, err);

  if (rc != FAT_OK)
    return rc;
  if (rows->child != NULL) {
    r = cJSON_DetachItemViaPointer(rows, rows->child);
    if (!cJSON_ReplaceItemInObjectCaseSensitive(tab, "total", r)) {
      cJSON_Delete(r);
      rc = fat_err_oom(err);
    }
  }
  cJSON_Delete(rows);
  return rc;
}

static fat_rc rel_prepare_args(fat_store *st, const char *sql, const rel_arg *args, int n,
                               fat_stmt **out, fat_err *err)
{
  fat_rc rc = fat_store_prepare(st, sql, out, err);
  int i;

  for (i = 0; rc == FAT_OK && i < n; i++) {
    if (args[i].is_num)
      fat_bind_int(*out, i + 1, args[i].num);
    else
      fat_bind_text(*out, i + 1, args[i].txt);
  }
  return rc;
}

fat_rc rel_consulta(fat_store *st, cJSON *tab, const char *sql_linhas, const char *sql_total,
                    const rel_arg *args, int n, fat_err *err)
{
  fat_stmt *s = NULL;
  fat_rc rc = FAT_OK;

  if (sql_linhas != NULL) {
    rc = rel_prepare_args(st, sql_linhas, args, n, &s, err);
    if (rc == FAT_OK)
      rc = rel_linhas(st, tab, s, err);
  }
  if (rc == FAT_OK && sql_total != NULL) {
    rc = rel_prepare_args(st, sql_total, args, n, &s, err);
    if (rc == FAT_OK)
      rc = rel_total(st, tab, s, err);
  }
  return rc;
}

int64_t rel_int(const cJSON *o, const char *k)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

  return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

int rel_tem(const cJSON *o, const char *k)
{
  return cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o, k));
}

static fat_rc set_item(cJSON *o, const char *k, cJSON *v, fat_err *err)
{
  if (v == NULL)
    return fat_err_oom(err);
  if (cJSON_HasObjectItem(o, k)) {
    if (!cJSON_ReplaceItemInObjectCaseSensitive(o, k, v)) {
      cJSON_Delete(v);
      return fat_err_oom(err);
    }
  } else if (!cJSON_AddItemToObject(o, k, v)) {
    cJSON_Delete(v);
    return fat_err_oom(err);
  }
  return FAT_OK;
}

fat_rc rel_set_int(cJSON *o, const char *k, int64_t v, fat_err *err)
{
  return set_item(o, k, cJSON_CreateNumber((double)v), err);
}

fat_rc rel_set_null(cJSON *o, const char *k, fat_err *err)
{
  return set_item(o, k, cJSON_CreateNull(), err);
}

fat_rc rel_set_str(cJSON *o, const char *k, const char *v, fat_err *err)
{
  return set_item(o, k, cJSON_CreateString(v), err);
}

void rel_del(cJSON *o, const char *k) { cJSON_DeleteItemFromObjectCaseSensitive(o, k); }

int64_t rel_bp(int64_t num, int64_t den)
{
  if (den == 0)
    return 0;
  if (den < 0) {
    den = -den;
    num = -num;
  }
  return fat_money_div_round(num * 10000, den);
}

/* Apply fn to every line of tab and to its total (when it is an object). */
static fat_rc each_row(cJSON *tab, fat_rc (*fn)(cJSON *o, const void *ud, fat_err *err),
                       const void *ud, fat_err *err)
{
  cJSON *r, *t = cJSON_GetObjectItemCaseSensitive(tab, "total");
  fat_rc rc = FAT_OK;

  cJSON_ArrayForEach(r, rel_linhas_de(tab))
  {
    rc = fn(r, ud, err);
    if (rc != FAT_OK)
      return rc;
  }
  if (cJSON_IsObject(t))
    rc = fn(t, ud, err);
  return rc;
}

typedef struct taxa_args {
  const char *k, *num, *den;
  int64_t fixa;
} taxa_args;

static fat_rc taxa_um(cJSON *o, const void *ud, fat_err *err)
{
  const taxa_args *a = ud;
  int64_t den = a->den != NULL ? rel_int(o, a->den) : a->fixa;

  if (den == 0)
    return rel_set_null(o, a->k, err);
  return rel_set_int(o, a->k, rel_bp(rel_int(o, a->num), den), err);
}

fat_rc rel_taxa(cJSON *tab, const char *k, const char *num, const char *den, fat_err *err)
{
  taxa_args a = {k, num, den, 0};

  return each_row(tab, taxa_um, &a, err);
}

fat_rc rel_taxa_fixa(cJSON *tab, const char *k, const char *num, int64_t den, fat_err *err)
{
  taxa_args a = {k, num, NULL, den};

  return each_row(tab, taxa_um, &a, err);
}

static fat_rc media_um(cJSON *o, const void *ud, fat_err *err)
{
  const taxa_args *a = ud;
  int64_t base = rel_int(o, a->den);
  fat_rc rc = base > 0 ? rel_set_int(o, a->k, fat_money_div_round(rel_int(o, a->num), base), err)
                       : rel_set_null(o, a->k, err);

  rel_del(o, a->num);
  rel_del(o, a->den);
  return rc;
}

fat_rc rel_media(cJSON *tab, const char *k, const char *soma, const char *base, fat_err *err)
{
  taxa_args a = {k, soma, base, 0};

  return each_row(tab, media_um, &a, err);
}

static const char *competencia_de(const cJSON *o)
{
  return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "competencia"));
}

/* The change of line r against prev (NULL = no line in the month before). */
static fat_rc mes_a_mes_um(cJSON *r, const cJSON *prev, const char *k, const char *campo,
                           int relativa, fat_err *err)
{
  int64_t a, b;

  if (prev == NULL || !rel_tem(prev, campo) || !rel_tem(r, campo))
    return rel_set_null(r, k, err);
  a = rel_int(r, campo);
  b = rel_int(prev, campo);
  if (!relativa)
    return rel_set_int(r, k, a - b, err);
  if (b == 0)
    return rel_set_null(r, k, err);
  return rel_set_int(r, k, rel_bp(a - b, b), err);
}

fat_rc rel_mes_a_mes(cJSON *tab, const char *k, const char *campo, const char *grupo,
                     int relativa, const char *de, fat_err *err)
{
  cJSON *l = cJSON_GetObjectItemCaseSensitive(tab, "linhas"), *r, *q, *next;
  cJSON *bloco = NULL, *bloco_ant = NULL; /* first lines of this month and of the one before */
  char ant[8];
  fat_rc rc = FAT_OK;

  for (r = l != NULL ? l->child : NULL; r != NULL && rc == FAT_OK; r = r->next) {
    const char *c = competencia_de(r);
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(r, grupo), *prev = NULL;

    if (c == NULL)
      continue;
    if (bloco == NULL || strcmp(competencia_de(bloco), c) != 0) {
      bloco_ant = bloco;
      bloco = r;
    }
    rel_mes_soma(c, -1, ant);
    if (bloco_ant != NULL && strcmp(competencia_de(bloco_ant), ant) == 0)
      for (q = bloco_ant; q != bloco && prev == NULL; q = q->next)
        if (cJSON_Compare(cJSON_GetObjectItemCaseSensitive(q, grupo), g, 1))
          prev = q;
    rc = mes_a_mes_um(r, prev, k, campo, relativa, err);
  }
  for (r = l != NULL ? l->child : NULL; r != NULL; r = next) {
    const char *c = competencia_de(r);

    next = r->next;
    if (c != NULL && strcmp(c, de) < 0)
      cJSON_Delete(cJSON_DetachItemViaPointer(l, r));
  }
  return rc;
}

/* }====================================================== */

/*
** {======================================================
** Parameters
** =======================================================
*/

void rel_mes_soma(const char *mes, int n, char out[8])
{
  int y = (int)strtol(mes, NULL, 10), m = (int)strtol(mes + 5, NULL, 10);
  int t = y * 12 + (m - 1) + n;

  if (t < 0)
    t = 0;
  snprintf(out, 8, "%04d-%02d", (t / 12) % 10000, t % 12 + 1);
}

static int meses_entre(const char *de, const char *ate)
{
  int yd = (int)strtol(de, NULL, 10), md = (int)strtol(de + 5, NULL, 10);
  int ya = (int)strtol(ate, NULL, 10), ma = (int)strtol(ate + 5, NULL, 10);

  return (ya * 12 + ma) - (yd * 12 + md);
}

static fat_rc mes_param(const char *v, const char *nome, char out[8], fat_err *err)
{
  if (!fat_dia_competencia_valida(v))
    return fat_err_set(err, FAT_EINVAL, "%s '%s' inválido (use AAAA-MM)", nome, v);
  snprintf(out, 8, "%s", v);
  return FAT_OK;
}

fat_rc rel_periodo(fat_store *st, const fat_rel_params *p, char de[8], char ate[8], fat_err *err)
{
  static const char sql[] =
      "SELECT max(competencia) AS c FROM rel_mes WHERE guias > 0";
  fat_stmt *s;
  cJSON *rows = NULL;
  const char *c;
  char hoje[11];
  fat_rc rc;

  if (p != NULL && p->ate != NULL && p->ate[0] != '\0') {
    rc = mes_param(p->ate, "mês final", ate, err);
    if (rc != FAT_OK)
      return rc;
  } else {
    rc = fat_store_prepare(st, sql, &s, err);
    if (rc == FAT_OK)
      rc = fat_store_rows_json(st, s, 0, "erro ao ler a competência mais recente", &rows, err);
    if (rc != FAT_OK)
      return rc;
    c = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(rows, 0), "c"));
    if (c != NULL && fat_dia_competencia_valida(c)) {
      snprintf(ate, 8, "%s", c);
    } else {
      fat_dia_hoje(hoje, sizeof hoje);
      snprintf(ate, 8, "%.7s", hoje);
    }
    cJSON_Delete(rows);
  }
  if (p != NULL && p->de != NULL && p->de[0] != '\0') {
    rc = mes_param(p->de, "mês inicial", de, err);
    if (rc != FAT_OK)
      return rc;
  } else {
    rel_mes_soma(ate, -11, de);
  }
  if (strcmp(de, ate) > 0)
    return fat_err_set(err, FAT_EINVAL, "período inválido: %s é depois de %s", de, ate);
  if (meses_entre(de, ate) >= REL_MESES_MAX)
    return fat_err_set(err, FAT_EINVAL, "período longo demais: no máximo %d meses",
                       REL_MESES_MAX);
  return FAT_OK;
}

void rel_dias(const char *de, const char *ate, char ini[11], char fim[11])
{
  char prox[8];

  rel_mes_soma(ate, 1, prox);
  snprintf(ini, 11, "%.7s-01", de);
  snprintf(fim, 11, "%.7s-01", prox);
}

fat_rc rel_operadora(fat_store *st, const fat_rel_params *p, int64_t *op, fat_err *err)
{
  const char *ref = p != NULL ? p->operadora : NULL;
  fat_err e;

  *op = -1;
  if (ref == NULL || ref[0] == '\0')
    return FAT_OK;
  if (strcmp(ref, "particular") == 0 || strcmp(ref, "particulares") == 0) {
    *op = 0;
    return FAT_OK;
  }
  fat_err_clear(&e);
  if (fat_operadora_resolver(st, ref, op, &e) != FAT_OK)
    return fat_err_set(err, e.rc == FAT_ENOTFOUND ? FAT_EINVAL : e.rc, "%s", e.msg);
  return FAT_OK;
}

fat_rc rel_hoje(const fat_rel_params *p, char out[11], fat_err *err)
{
  const char *h = p != NULL ? p->hoje : NULL;
  int32_t dia;

  if (h == NULL || h[0] == '\0') {
    fat_dia_hoje(out, 11);
    return FAT_OK;
  }
  if (fat_dia_parse(h, &dia) != 0)
    return fat_err_set(err, FAT_EINVAL, "data de referência '%s' inválida (use AAAA-MM-DD)", h);
  snprintf(out, 11, "%s", h);
  return FAT_OK;
}

/* }====================================================== */

/*
** {======================================================
** Dispatcher
** =======================================================
*/

const char *const fat_rel_nomes[] = {"producao",      "inadimplencia", "previsto",
                                     "glosas",        "produtividade", "fechamento",
                                     "painel",        NULL};

fat_rc fat_rel_gerar(fat_store *st, const char *nome, const fat_rel_params *p, cJSON **out,
                     fat_err *err)
{
  static const struct {
    const char *nome;
    fat_rc (*fn)(fat_store *, const fat_rel_params *, cJSON **, fat_err *);
  } t[] = {{"producao", fat_rel_producao},       {"inadimplencia", fat_rel_inadimplencia},
           {"previsto", fat_rel_previsto},       {"glosas", fat_rel_glosas},
           {"produtividade", fat_rel_produtividade}, {"fechamento", fat_rel_fechamento},
           {"painel", fat_rel_painel}};
  fat_rel_params vazio;
  size_t i;

  *out = NULL;
  if (p == NULL) {
    memset(&vazio, 0, sizeof vazio);
    p = &vazio;
  }
  for (i = 0; nome != NULL && i < sizeof t / sizeof t[0]; i++)
    if (strcmp(nome, t[i].nome) == 0)
      return t[i].fn(st, p, out, err);
  return fat_err_set(err, FAT_EINVAL,
                     "relatório desconhecido '%s' (producao, inadimplencia, previsto, glosas, "
                     "produtividade, fechamento ou painel)",
                     nome != NULL ? nome : "");
}

/* }====================================================== */

/*
** {======================================================
** Exports
** =======================================================
*/

/* Column list of a table as (key, type) pairs read back from the document. */
typedef struct col_lida {
  const char *chave, *rotulo;
  int tipo;
} col_lida;

static size_t colunas(const cJSON *tab, col_lida *c, size_t max)
{
  const cJSON *x;
  size_t n = 0;

  cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(tab, "colunas"))
  {
    int t;

    if (n == max)
      break;
    c[n].chave = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(x, "chave"));
    c[n].rotulo = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(x, "rotulo"));
    t = rel_tipo_de(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(x, "tipo")));
    c[n].tipo = t < 0 ? REL_TEXTO : t;
    if (c[n].chave == NULL)
      continue;
    if (c[n].rotulo == NULL)
      c[n].rotulo = c[n].chave;
    n++;
  }
  return n;
}

#define MAX_COLS 32

/* v / 10^dec with a decimal comma and an optional suffix: "-1234,56". */
static void fixo(int64_t v, int dec, const char *suf, char *out, size_t len)
{
  uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, p = dec == 2 ? 100u : 1u;

  if (dec == 2)
    snprintf(out, len, "%s%llu,%02llu%s", v < 0 ? "-" : "", (unsigned long long)(a / p),
             (unsigned long long)(a % p), suf);
  else
    snprintf(out, len, "%s%llu%s", v < 0 ? "-" : "", (unsigned long long)a, suf);
}

/* The text of one cell as a Brazilian spreadsheet reads it. */
static void celula_texto(const cJSON *v, int tipo, char *out, size_t len)
{
  const char *s = cJSON_GetStringValue(v);

  out[0] = '\0';
  if (v == NULL || cJSON_IsNull(v))
    return;
  switch (tipo) {
  case REL_DINHEIRO: fixo(cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0, 2, "", out, len); break;
  case REL_PERCENTUAL:
    fixo(cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0, 2, "%", out, len);
    break;
  case REL_INTEIRO:
  case REL_DIAS: fixo(cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0, 0, "", out, len); break;
  case REL_DATA:
    if (s != NULL)
      snprintf(out, len, "%s", fat_dia_br_ou(s, "").s);
    break;
  case REL_MES:
    if (s != NULL)
      snprintf(out, len, "%s", fat_dia_competencia_br_ou(s, "").s);
    break;
  default:
    if (s != NULL)
      snprintf(out, len, "%s", s);
    else if (cJSON_IsNumber(v))
      fixo((int64_t)v->valuedouble, 0, "", out, len);
    else if (cJSON_IsBool(v))
      snprintf(out, len, "%s", cJSON_IsTrue(v) ? "sim" : "não");
    break;
  }
}

static fat_rc csv_linha(fat_csv *w, const cJSON *o, const col_lida *c, size_t n,
                        const char *rotulo, fat_err *err)
{
  char cel[512];
  size_t i;
  fat_rc rc = FAT_OK;

  for (i = 0; i < n && rc == FAT_OK; i++) {
    if (rotulo != NULL && i == 0)
      snprintf(cel, sizeof cel, "%s", rotulo);
    else if (rotulo != NULL && c[i].tipo == REL_TEXTO)
      cel[0] = '\0';
    else
      celula_texto(cJSON_GetObjectItemCaseSensitive(o, c[i].chave), c[i].tipo, cel, sizeof cel);
    rc = fat_csv_text(w, cel, err);
  }
  if (rc == FAT_OK)
    rc = fat_csv_end_row(w, err);
  return rc;
}

/* Hand what the buffer holds to the writer: always when tudo, else once it
** passes 64 KB (pieces of that size, whatever the number of rows). */
static fat_rc csv_despeja(rel_csv *c, int tudo, fat_err *err)
{
  fat_rc rc;

  if (c->b.len == 0 || (!tudo && c->b.len < ((size_t)64 << 10)))
    return FAT_OK;
  rc = c->esc(c->u, c->b.data, c->b.len, err);
  fat_buf_reset(&c->b);
  return rc;
}

fat_rc rel_csv_abrir(rel_csv *c, const cJSON *rel, fat_escrita esc, void *u, fat_err *err)
{
  fat_rc rc;

  c->esc = esc;
  c->u = u;
  fat_buf_init(&c->b, REL_CSV_MAX);
  rc = fat_csv_begin(&c->w, &c->b, err);
  if (rc == FAT_OK)
    rc =
      fat_csv_row(&c->w, err, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rel, "titulo")),
                  (const char *)NULL);
  if (rc != FAT_OK)
    fat_buf_fini(&c->b);
  return rc;
}

fat_rc rel_csv_tabela(rel_csv *c, const cJSON *tab, int partes, fat_err *err)
{
  const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tab, "titulo"));
  const cJSON *r, *tot;
  col_lida cols[MAX_COLS];
  size_t n = colunas(tab, cols, MAX_COLS), i;
  fat_rc rc = FAT_OK;

  if (n == 0)
    return FAT_OK;
  if (partes & REL_CSV_CABECALHO) {
    rc = fat_csv_end_row(&c->w, err); /* a blank row between tables */
    if (rc == FAT_OK)
      rc = fat_csv_row(&c->w, err, t != NULL ? t : "", (const char *)NULL);
    for (i = 0; i < n && rc == FAT_OK; i++)
      rc = fat_csv_text(&c->w, cols[i].rotulo, err);
    if (rc == FAT_OK)
      rc = fat_csv_end_row(&c->w, err);
  }
  if (partes & REL_CSV_LINHAS)
    cJSON_ArrayForEach(r, rel_linhas_de(tab))
    {
      if (rc == FAT_OK)
        rc = csv_linha(&c->w, r, cols, n, NULL, err);
      if (rc == FAT_OK)
        rc = csv_despeja(c, 0, err);
      if (rc != FAT_OK)
        break;
    }
  tot = cJSON_GetObjectItemCaseSensitive(tab, "total");
  if (rc == FAT_OK && (partes & REL_CSV_TOTAL) && cJSON_IsObject(tot))
    rc = csv_linha(&c->w, tot, cols, n, "Total", err);
  if (rc == FAT_OK)
    rc = csv_despeja(c, 0, err);
  return rc;
}

fat_rc rel_csv_fechar(rel_csv *c, int ok, fat_err *err)
{
  fat_rc rc = ok ? csv_despeja(c, 1, err) : FAT_OK;

  fat_buf_fini(&c->b);
  return rc;
}

fat_rc fat_rel_csv_escrever(const cJSON *rel, fat_escrita w, void *u, fat_err *err)
{
  const cJSON *tab;
  rel_csv c;
  fat_rc fim, rc = rel_csv_abrir(&c, rel, w, u, err);

  if (rc != FAT_OK)
    return rc;
  cJSON_ArrayForEach(tab, cJSON_GetObjectItemCaseSensitive(rel, "tabelas"))
  {
    rc = rel_csv_tabela(&c, tab, REL_CSV_CABECALHO | REL_CSV_LINHAS | REL_CSV_TOTAL, err);
    if (rc != FAT_OK)
      break;
  }
  fim = rel_csv_fechar(&c, rc == FAT_OK, err);
  return rc != FAT_OK ? rc : fim;
}

static fat_rc csv_junta(void *u, const char *p, size_t n, fat_err *err)
{
  return fat_buf_append(u, p, n, err);
}

fat_rc fat_rel_csv(const cJSON *rel, char **csv, size_t *len, fat_err *err)
{
  fat_buf b;
  fat_rc rc;

  *csv = NULL;
  *len = 0;
  fat_buf_init(&b, REL_CSV_MAX);
  rc = fat_rel_csv_escrever(rel, csv_junta, &b, err);
  if (rc != FAT_OK) {
    fat_buf_fini(&b);
    return rc;
  }
  *len = b.len;
  *csv = fat_buf_take(&b);
  if (*csv == NULL) {
    *len = 0;
    return fat_err_oom(err);
  }
  return FAT_OK;
}

/* A sheet name from a table title: at most 31 bytes (on a UTF-8 boundary),
** without []:*?/\, unique within the workbook (suffix " 2", " 3"...). */
static void nome_planilha(const char *titulo, int ordem, char out[32])
{
  char base[32];
  size_t i, j = 0;

  for (i = 0; titulo != NULL && titulo[i] != '\0' && j < 27; i++) {
    unsigned char ch = (unsigned char)titulo[i];

    if (strchr("[]:*?/\\", ch) != NULL)
      continue;
    if ((ch & 0xC0) != 0x80 && ch >= 0x80) {
      size_t k = ch >= 0xF0 ? 4 : ch >= 0xE0 ? 3 : 2;

      if (j + k > 27)
        break;
    }
    base[j++] = (char)ch;
  }
  base[j] = '\0';
  if (j == 0)
    snprintf(base, sizeof base, "Tabela");
  if (ordem > 1)
    snprintf(out, 32, "%.26s %d", base, ordem % 100);
  else
    snprintf(out, 32, "%s", base);
}

static void xlsx_celula(fat_xlsx *x, int lin, int col, const cJSON *v, int tipo)
{
  int64_t n = cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
  const char *s = cJSON_GetStringValue(v);
  char buf[512];

  if (v == NULL || cJSON_IsNull(v))
    return;
  switch (tipo) {
  case REL_DINHEIRO: fat_xlsx_dinheiro(x, lin, col, n); break;
  case REL_PERCENTUAL: fat_xlsx_percentual(x, lin, col, n); break;
  case REL_INTEIRO:
  case REL_DIAS: fat_xlsx_inteiro(x, lin, col, n); break;
  case REL_DATA: fat_xlsx_data(x, lin, col, s); break;
  case REL_MES: fat_xlsx_mes(x, lin, col, s); break;
  default:
    celula_texto(v, REL_TEXTO, buf, sizeof buf);
    fat_xlsx_texto(x, lin, col, buf);
    break;
  }
}

fat_rc rel_xlsx_tabela(fat_xlsx *x, const cJSON *tab, int ordem, int partes, int *lin,
                      fat_err *err)
{
  const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tab, "titulo"));
  const cJSON *r, *tot;
  col_lida c[MAX_COLS];
  char nome[32];
  size_t n = colunas(tab, c, MAX_COLS), i;
  fat_rc rc;

  if (partes & REL_CSV_CABECALHO) {
    nome_planilha(t, ordem, nome);
    rc = fat_xlsx_planilha(x, nome, err);
    if (rc != FAT_OK)
      return rc;
    fat_xlsx_titulo(x, 0, 0, t);
    for (i = 0; i < n; i++) {
      fat_xlsx_titulo(x, 1, (int)i, c[i].rotulo);
      fat_xlsx_largura(x, (int)i, (int)i, c[i].tipo == REL_TEXTO ? 30.0 : 16.0);
    }
    *lin = 2;
  }
  if (partes & REL_CSV_LINHAS) {
    cJSON_ArrayForEach(r, rel_linhas_de(tab))
    {
      for (i = 0; i < n; i++)
        xlsx_celula(x, *lin, (int)i, cJSON_GetObjectItemCaseSensitive(r, c[i].chave), c[i].tipo);
      (*lin)++;
    }
  }
  tot = cJSON_GetObjectItemCaseSensitive(tab, "total");
  if ((partes & REL_CSV_TOTAL) && cJSON_IsObject(tot) && n > 0) {
    fat_xlsx_titulo(x, *lin, 0, "Total");
    for (i = 1; i < n; i++)
      if (c[i].tipo != REL_TEXTO)
        xlsx_celula(x, *lin, (int)i, cJSON_GetObjectItemCaseSensitive(tot, c[i].chave),
                    c[i].tipo);
  }
  return FAT_OK;
}

fat_rc fat_rel_xlsx(const cJSON *rel, const char *path, fat_err *err)
{
  const cJSON *tab, *u;
  fat_xlsx *x = NULL;
  int ordem = 0, lin = 0;
  fat_rc rc = fat_xlsx_abrir(path, &x, err);

  if (rc != FAT_OK)
    return rc;
  cJSON_ArrayForEach(tab, cJSON_GetObjectItemCaseSensitive(rel, "tabelas"))
  {
    const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tab, "titulo"));
    char a[32], b[32];
    int igual = 0;

    /* sheets whose names would repeat get a number */
    nome_planilha(t, 1, a);
    cJSON_ArrayForEach(u, cJSON_GetObjectItemCaseSensitive(rel, "tabelas"))
    {
      if (u == tab)
        break;
      nome_planilha(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(u, "titulo")), 1, b);
      igual += strcmp(a, b) == 0;
    }
    ordem++;
    rc = rel_xlsx_tabela(x, tab, igual > 0 ? igual + 1 : 1,
                         REL_CSV_CABECALHO | REL_CSV_LINHAS | REL_CSV_TOTAL, &lin, err);
    if (rc != FAT_OK)
      break;
  }
  if (rc == FAT_OK && ordem == 0) {
    rc = fat_xlsx_planilha(x, "Relatório", err);
    if (rc == FAT_OK)
      fat_xlsx_titulo(x, 0, 0, "sem dados");
  }
  if (rc != FAT_OK) {
    fat_err e;

    fat_err_clear(&e);
    if (fat_xlsx_fechar(x, &e) != FAT_OK)
      fat_err_clear(&e); /* the first error is the one reported */
    unlink(path);
    return rc;
  }
  return fat_xlsx_fechar(x, err);
}

fat_rc fat_rel_xlsx_mem(const cJSON *rel, char **buf, size_t *len, fat_err *err)
{
  const char *tmp = getenv("TMPDIR");
  char path[512];
  int fd;
  fat_rc rc;

  *buf = NULL;
  *len = 0;
  if (tmp == NULL || tmp[0] == '\0')
    tmp = "/tmp";
  if (snprintf(path, sizeof path, "%s/faturo_relatorio_XXXXXX", tmp) >= (int)sizeof path)
    return fat_err_set(err, FAT_EIO, "caminho temporário longo demais");
  fd = mkstemp(path);
  if (fd < 0)
    return fat_err_set(err, FAT_EIO, "não foi possível criar o arquivo temporário em %s", tmp);
  close(fd);
  rc = fat_rel_xlsx(rel, path, err);
  if (rc == FAT_OK)
    rc = fat_file_read(path, REL_XLSX_MAX, buf, len, err);
  unlink(path);
  return rc;
}

void fat_rel_nome_arquivo(const cJSON *rel, const char *ext, char *out, size_t len)
{
  const cJSON *p = cJSON_GetObjectItemCaseSensitive(rel, "parametros");
  const char *r = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rel, "relatorio"));
  const char *mes = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "mes"));
  const char *de = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "de"));
  const char *ate = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "ate"));

  if (r == NULL)
    r = "relatorio";
  if (mes != NULL)
    snprintf(out, len, "%.32s-%.10s.%s", r, mes, ext);
  else if (de != NULL && ate != NULL)
    snprintf(out, len, "%.32s-%.10s_%.10s.%s", r, de, ate, ext);
  else
    snprintf(out, len, "%.32s.%s", r, ext);
}

/* }====================================================== */
