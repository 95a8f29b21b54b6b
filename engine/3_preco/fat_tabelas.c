/* fat_tabelas.c: CSV import of reference/price tables and dated lookups. */
#include "fat_tabelas.h"

#include <stdio.h>
#include <string.h>

#include "fat_dia.h"
#include "fat_mem.h"
#include "fat_money.h"
#include "fat_operadora.h"
#include "fat_sha256.h"
#include "fat_store_int.h"
#include "fat_text.h"

#define TAB_FILE_MAX (64u * 1024u * 1024u)
#define TAB_MAX_COLS 16
#define TAB_VIG_SEMPRE "0001-01-01"

static const char *const tipo_names[] = {"tuss",   "cbhpm",     "portes", "brasindice",
                                         "simpro", "negociada", "glosas"};

const char *fat_tabela_tipo_str(fat_tabela_tipo t)
{
  if ((unsigned)t < sizeof tipo_names / sizeof tipo_names[0])
    return tipo_names[t];
  return "?";
}

int fat_tabela_tipo_parse(const char *s)
{
  size_t i;

  if (s == NULL)
    return -1;
  for (i = 0; i < sizeof tipo_names / sizeof tipo_names[0]; i++)
    if (strcmp(s, tipo_names[i]) == 0)
      return (int)i;
  return -1;
}

/* ------------------------------------------------------------------------ */
/* Column layouts                                                           */

typedef enum col_kind { COL_TEXT, COL_CODE, COL_DATE, COL_MONEY, COL_E4, COL_INT, COL_PORTE } col_kind;

typedef struct col_spec {
  const char *nome;
  col_kind kind;
  int obrigatoria;
} col_spec;

/* Column order in each array is the order of the values handed to the insert. */
static const col_spec lay_tuss[] = {
  {"tabela", COL_CODE, 1}, {"codigo", COL_CODE, 1}, {"descricao", COL_TEXT, 1},
  {"vigencia_inicio", COL_DATE, 0}, {"vigencia_fim", COL_DATE, 0}, {NULL, COL_TEXT, 0}};
static const col_spec lay_cbhpm[] = {
  {"codigo", COL_CODE, 1}, {"descricao", COL_TEXT, 1}, {"porte", COL_PORTE, 1},
  {"fracao_porte", COL_E4, 0}, {"uco", COL_E4, 0}, {"filme", COL_E4, 0},
  {"auxiliares", COL_INT, 0}, {"porte_anestesico", COL_INT, 0},
  {"vigencia_inicio", COL_DATE, 0}, {"vigencia_fim", COL_DATE, 0}, {NULL, COL_TEXT, 0}};
static const col_spec lay_portes[] = {
  {"porte", COL_PORTE, 1}, {"valor", COL_MONEY, 1},
  {"vigencia_inicio", COL_DATE, 0}, {"vigencia_fim", COL_DATE, 0}, {NULL, COL_TEXT, 0}};
static const col_spec lay_insumo[] = {
  {"codigo", COL_CODE, 1}, {"descricao", COL_TEXT, 1}, {"apresentacao", COL_TEXT, 0},
  {"pf", COL_MONEY, 1}, {"pmc", COL_MONEY, 1},
  {"vigencia_inicio", COL_DATE, 0}, {"vigencia_fim", COL_DATE, 0}, {NULL, COL_TEXT, 0}};
static const col_spec lay_negociada[] = {
  {"codigo", COL_CODE, 1}, {"descricao", COL_TEXT, 0}, {"valor", COL_MONEY, 1},
  {"vigencia_inicio", COL_DATE, 0}, {"vigencia_fim", COL_DATE, 0}, {NULL, COL_TEXT, 0}};
static const col_spec lay_glosas[] = {
  {"codigo", COL_CODE, 1}, {"descricao", COL_TEXT, 1}, {"grupo", COL_TEXT, 0},
  {NULL, COL_TEXT, 0}};

static const col_spec *layout_of(fat_tabela_tipo t)
{
  switch (t) {
  case FAT_TAB_TUSS: return lay_tuss;
  case FAT_TAB_CBHPM: return lay_cbhpm;
  case FAT_TAB_PORTES: return lay_portes;
  case FAT_TAB_BRASINDICE:
  case FAT_TAB_SIMPRO: return lay_insumo;
  case FAT_TAB_NEGOCIADA: return lay_negociada;
  case FAT_TAB_GLOSAS: return lay_glosas;
  }
  return NULL;
}

/* ------------------------------------------------------------------------ */
/* Text helpers                                                             */

/* Header name normalization: lowercase ASCII, common accented Latin letters
** folded (UTF-8 two-byte sequences), spaces and '-' to '_'. */
static void norm_header(const char *in, char *out, size_t len)
{
  size_t j = 0;
  const unsigned char *p = (const unsigned char *)in;

  while (*p == ' ')
    p++;
  while (*p != '\0' && j + 1 < len) {
    unsigned c = *p;

    if (c == 0xC3 && p[1] != '\0') {
      unsigned cp = 0xC0 | (p[1] & 0x3F);
      char f = '?';

      if ((cp >= 0xC0 && cp <= 0xC5) || (cp >= 0xE0 && cp <= 0xE5)) f = 'a';
      else if (cp == 0xC7 || cp == 0xE7) f = 'c';
      else if ((cp >= 0xC8 && cp <= 0xCB) || (cp >= 0xE8 && cp <= 0xEB)) f = 'e';
      else if ((cp >= 0xCC && cp <= 0xCF) || (cp >= 0xEC && cp <= 0xEF)) f = 'i';
      else if ((cp >= 0xD2 && cp <= 0xD6) || (cp >= 0xF2 && cp <= 0xF6)) f = 'o';
      else if ((cp >= 0xD9 && cp <= 0xDC) || (cp >= 0xF9 && cp <= 0xFC)) f = 'u';
      out[j++] = f;
      p += 2;
      continue;
    }
    if (c >= 'A' && c <= 'Z')
      c = c - 'A' + 'a';
    else if (c == ' ' || c == '-')
      c = '_';
    out[j++] = (char)c;
    p++;
  }
  while (j > 0 && out[j - 1] == '_')
    j--;
  out[j] = '\0';
}

/* ------------------------------------------------------------------------ */
/* CSV reader: one record at a time from a NUL-terminated UTF-8 buffer.      */

typedef struct csv_reader {
  const char *p;
  long line;          /* line number of the next character */
  char *fields[TAB_MAX_COLS + 1];
  size_t nf;
  fat_buf cell;
} csv_reader;

static void csv_free_fields(csv_reader *r)
{
  size_t i;

  for (i = 0; i < r->nf; i++)
    fat_free(r->fields[i]);
  r->nf = 0;
}

static void trim_inplace(char *s)
{
  size_t n = strlen(s), a = 0;

  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
    n--;
  s[n] = '\0';
  while (s[a] == ' ' || s[a] == '\t')
    a++;
  if (a > 0)
    memmove(s, s + a, n - a + 1);
}

/* Read the next record. Returns 1 with fields, 0 at end, -1 on error (err
** set). *start_line gets the line where the record starts. Blank lines are
** skipped. */
static int csv_next(csv_reader *r, long *start_line, fat_err *err)
{
  int quoted;

  csv_free_fields(r);
  while (*r->p == '\r' || *r->p == '\n') {
    if (*r->p == '\n')
      r->line++;
    r->p++;
  }
  if (*r->p == '\0')
    return 0;
  *start_line = r->line;
  for (;;) {
    fat_buf_reset(&r->cell);
    quoted = 0;
    while (*r->p == ' ')
      r->p++;
    if (*r->p == '"') {
      quoted = 1;
      r->p++;
      for (;;) {
        if (*r->p == '\0') {
          fat_err_set(err, FAT_EINVAL, "linha %ld: aspas não fechadas", *start_line);
          return -1;
        }
        if (*r->p == '"') {
          if (r->p[1] == '"') {
            if (fat_buf_append(&r->cell, "\"", 1, err) != FAT_OK)
              return -1;
            r->p += 2;
            continue;
          }
          r->p++;
          break;
        }
        if (*r->p == '\n')
          r->line++;
        if (fat_buf_append(&r->cell, r->p, 1, err) != FAT_OK)
          return -1;
        r->p++;
      }
      while (*r->p == ' ' || *r->p == '\t')
        r->p++;
    }
    while (*r->p != '\0' && *r->p != ';' && *r->p != '\n' && *r->p != '\r') {
      if (quoted) {
        fat_err_set(err, FAT_EINVAL, "linha %ld, coluna %zu: texto depois das aspas", *start_line,
                    r->nf + 1);
        return -1;
      }
      if (fat_buf_append(&r->cell, r->p, 1, err) != FAT_OK)
        return -1;
      r->p++;
    }
    if (r->nf >= TAB_MAX_COLS) {
      fat_err_set(err, FAT_EINVAL, "linha %ld: mais de %d colunas", *start_line, TAB_MAX_COLS);
      return -1;
    }
    r->fields[r->nf] = fat_strdup(r->cell.data != NULL ? r->cell.data : "");
    if (r->fields[r->nf] == NULL) {
      fat_err_oom(err);
      return -1;
    }
    if (!quoted)
      trim_inplace(r->fields[r->nf]);
    r->nf++;
    if (*r->p == ';') {
      r->p++;
      continue;
    }
    if (*r->p == '\r')
      r->p++;
    if (*r->p == '\n') {
      r->p++;
      r->line++;
    }
    return 1;
  }
}

/* ------------------------------------------------------------------------ */
/* Import                                                                    */

typedef struct row_val {
  const char *text;   /* COL_TEXT/CODE/DATE/PORTE (NULL when empty) */
  char iso[FAT_DIA_ISO_LEN]; /* COL_DATE: the stored form text points at */
  int64_t num;        /* COL_MONEY/E4/INT */
  int present;
} row_val;

static int valid_code(const char *s)
{
  size_t i, n = strlen(s);

  if (n == 0 || n > 20)
    return 0;
  for (i = 0; i < n; i++) {
    char c = s[i];

    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
          c == '-' || c == '.'))
      return 0;
  }
  return 1;
}

/* Porte: "0", "1A".."14C"; for the portes table also "AN0".."AN8". */
static int valid_porte(const char *s, int allow_an)
{
  size_t n = strlen(s);

  if (strcmp(s, "0") == 0)
    return !allow_an;
  if (allow_an && n == 3 && s[0] == 'A' && s[1] == 'N' && s[2] >= '0' && s[2] <= '8')
    return 1;
  if (n == 2 && s[0] >= '1' && s[0] <= '9' && s[1] >= 'A' && s[1] <= 'C')
    return 1;
  if (n == 3 && s[0] == '1' && s[1] >= '0' && s[1] <= '4' && s[2] >= 'A' && s[2] <= 'C')
    return 1;
  return 0;
}

static fat_rc parse_cell(fat_tabela_tipo tipo, const col_spec *c, const char *cell, long line,
                         row_val *v, fat_err *err)
{
  const char *why = NULL;

  v->present = cell != NULL && cell[0] != '\0';
  v->text = NULL;
  v->num = 0;
  if (!v->present) {
    if (c->obrigatoria)
      return fat_err_set(err, FAT_EINVAL, "linha %ld, coluna %s: valor obrigatório ausente",
                         line, c->nome);
    return FAT_OK;
  }
  switch (c->kind) {
  case COL_TEXT: {
    char msg[160];

    if (fat_text_check(cell, 500, 0, msg, sizeof msg) != 0)
      return fat_err_set(err, FAT_EINVAL, "linha %ld, coluna %s: %s", line, c->nome, msg);
    v->text = cell;
    return FAT_OK;
  }
  case COL_CODE:
    if (!valid_code(cell))
      return fat_err_set(err, FAT_EINVAL,
                         "linha %ld, coluna %s: código inválido '%s' (letras, dígitos, '-' ou "
                         "'.', até 20)",
                         line, c->nome, cell);
    v->text = cell;
    return FAT_OK;
  case COL_PORTE:
    if (!valid_porte(cell, tipo == FAT_TAB_PORTES))
      return fat_err_set(err, FAT_EINVAL,
                         "linha %ld, coluna %s: porte inválido '%s' (ex.: 1A a 14C%s)", line,
                         c->nome, cell, tipo == FAT_TAB_PORTES ? ", AN0 a AN8" : ", ou 0");
    v->text = cell;
    return FAT_OK;
  case COL_DATE: {
    fat_err e;

    if (fat_dia_ler(cell, NULL, v->iso, &e) != FAT_OK)
      return fat_err_set(err, FAT_EINVAL, "linha %ld, coluna %s: %s", line, c->nome, e.msg);
    v->text = v->iso;
    return FAT_OK;
  }
  case COL_MONEY:
  case COL_E4:
  case COL_INT:
    why = fat_money_scan(cell, c->kind == COL_MONEY ? 2 : c->kind == COL_E4 ? 4 : 0,
                         FAT_MONEY_THOUSANDS, &v->num);
    if (why != NULL)
      return fat_err_set(err, FAT_EINVAL, "linha %ld, coluna %s: '%s': %s", line, c->nome, cell,
                         why);
    if (c->kind == COL_INT && v->num > 1000000)
      return fat_err_set(err, FAT_EINVAL, "linha %ld, coluna %s: número grande demais", line,
                         c->nome);
    return FAT_OK;
  }
  return FAT_OK;
}

typedef struct import_ctx {
  fat_store *st;
  fat_tabela_tipo tipo;
  const fat_tabela_opcoes *op;
  const char *vig;
  const char *operadora; /* registro ANS of a negotiated table, else NULL */
  int64_t batch;
} import_ctx;

/* vals are in layout order. Returns FAT_OK, or an error naming the line. */
static fat_rc insert_row(import_ctx *c, const row_val *v, long line, fat_err *err)
{
  static const char sql_tuss[] =
    "INSERT INTO tuss_termo (tabela, codigo, descricao, vigencia_inicio, vigencia_fim, "
    "importacao_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
    "ON CONFLICT (tabela, codigo, vigencia_inicio) DO UPDATE SET descricao = excluded.descricao, "
    "vigencia_fim = excluded.vigencia_fim, importacao_id = excluded.importacao_id "
    "WHERE importacao_id <> excluded.importacao_id";
  static const char sql_cbhpm[] =
    "INSERT INTO cbhpm_procedimento (edicao, codigo, descricao, porte, fracao_porte_e4, uco_e4, "
    "filme_e4, auxiliares, porte_anestesico, vigencia_inicio, vigencia_fim, importacao_id) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
    "ON CONFLICT (edicao, codigo, vigencia_inicio) DO UPDATE SET descricao = excluded.descricao, "
    "porte = excluded.porte, fracao_porte_e4 = excluded.fracao_porte_e4, uco_e4 = "
    "excluded.uco_e4, filme_e4 = excluded.filme_e4, auxiliares = excluded.auxiliares, "
    "porte_anestesico = excluded.porte_anestesico, vigencia_fim = excluded.vigencia_fim, "
    "importacao_id = excluded.importacao_id WHERE importacao_id <> excluded.importacao_id";
  static const char sql_porte[] =
    "INSERT INTO cbhpm_porte (edicao, porte, valor, vigencia_inicio, vigencia_fim, importacao_id) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
    "ON CONFLICT (edicao, porte, vigencia_inicio) DO UPDATE SET valor = excluded.valor, "
    "vigencia_fim = excluded.vigencia_fim, importacao_id = excluded.importacao_id "
    "WHERE importacao_id <> excluded.importacao_id";
  static const char sql_insumo[] =
    "INSERT INTO preco_insumo (tabela, codigo, descricao, apresentacao, pf, pmc, vigencia_inicio, "
    "vigencia_fim, importacao_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
    "ON CONFLICT (tabela, codigo, vigencia_inicio) DO UPDATE SET descricao = excluded.descricao, "
    "apresentacao = excluded.apresentacao, pf = excluded.pf, pmc = excluded.pmc, vigencia_fim = "
    "excluded.vigencia_fim, importacao_id = excluded.importacao_id "
    "WHERE importacao_id <> excluded.importacao_id";
  static const char sql_neg[] =
    "INSERT INTO preco_negociado (operadora, codigo, descricao, valor, vigencia_inicio, "
    "vigencia_fim, importacao_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
    "ON CONFLICT (operadora, codigo, vigencia_inicio) DO UPDATE SET descricao = "
    "excluded.descricao, valor = excluded.valor, vigencia_fim = excluded.vigencia_fim, "
    "importacao_id = excluded.importacao_id WHERE importacao_id <> excluded.importacao_id";
  static const char sql_glosa[] =
    "INSERT INTO glosa_motivo (codigo, descricao, grupo, importacao_id) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (codigo) DO UPDATE SET descricao = excluded.descricao, grupo = excluded.grupo, "
    "importacao_id = excluded.importacao_id WHERE importacao_id <> excluded.importacao_id";
  fat_stmt *s = NULL;
  const char *vi, *vf;
  const char *key;
  fat_rc rc;
  int step;

  switch (c->tipo) {
  case FAT_TAB_TUSS:
    rc = fat_store_prepare(c->st, sql_tuss, &s, err);
    if (rc != FAT_OK)
      return rc;
    vi = v[3].text != NULL ? v[3].text : c->vig;
    vf = v[4].text;
    fat_bind_text(s, 1, v[0].text);
    fat_bind_text(s, 2, v[1].text);
    fat_bind_text(s, 3, v[2].text);
    fat_bind_text(s, 4, vi);
    fat_bind_text(s, 5, vf);
    fat_bind_int(s, 6, c->batch);
    key = v[1].text;
    break;
  case FAT_TAB_CBHPM:
    rc = fat_store_prepare(c->st, sql_cbhpm, &s, err);
    if (rc != FAT_OK)
      return rc;
    vi = v[8].text != NULL ? v[8].text : c->vig;
    vf = v[9].text;
    fat_bind_text(s, 1, c->op->edicao);
    fat_bind_text(s, 2, v[0].text);
    fat_bind_text(s, 3, v[1].text);
    fat_bind_text(s, 4, v[2].text);
    fat_bind_int(s, 5, v[3].present ? v[3].num : 10000);
    fat_bind_int(s, 6, v[4].num);
    fat_bind_int(s, 7, v[5].num);
    fat_bind_int(s, 8, v[6].num);
    if (v[7].num > 8)
      return fat_err_set(err, FAT_EINVAL, "linha %ld, coluna porte_anestesico: use 0 a 8", line);
    fat_bind_int(s, 9, v[7].num);
    fat_bind_text(s, 10, vi);
    fat_bind_text(s, 11, vf);
    fat_bind_int(s, 12, c->batch);
    key = v[0].text;
    if (v[3].present && (v[3].num <= 0 || v[3].num > 10000))
      return fat_err_set(err, FAT_EINVAL,
                         "linha %ld, coluna fracao_porte: use um valor entre 0,0001 e 1", line);
    break;
  case FAT_TAB_PORTES:
    rc = fat_store_prepare(c->st, sql_porte, &s, err);
    if (rc != FAT_OK)
      return rc;
    vi = v[2].text != NULL ? v[2].text : c->vig;
    vf = v[3].text;
    fat_bind_text(s, 1, c->op->edicao);
    fat_bind_text(s, 2, v[0].text);
    fat_bind_int(s, 3, v[1].num);
    fat_bind_text(s, 4, vi);
    fat_bind_text(s, 5, vf);
    fat_bind_int(s, 6, c->batch);
    key = v[0].text;
    break;
  case FAT_TAB_BRASINDICE:
  case FAT_TAB_SIMPRO:
    rc = fat_store_prepare(c->st, sql_insumo, &s, err);
    if (rc != FAT_OK)
      return rc;
    vi = v[5].text != NULL ? v[5].text : c->vig;
    vf = v[6].text;
    fat_bind_text(s, 1, fat_tabela_tipo_str(c->tipo));
    fat_bind_text(s, 2, v[0].text);
    fat_bind_text(s, 3, v[1].text);
    fat_bind_text(s, 4, v[2].text);
    fat_bind_int(s, 5, v[3].num);
    fat_bind_int(s, 6, v[4].num);
    fat_bind_text(s, 7, vi);
    fat_bind_text(s, 8, vf);
    fat_bind_int(s, 9, c->batch);
    key = v[0].text;
    if (v[4].num < v[3].num)
      return fat_err_set(err, FAT_EINVAL, "linha %ld, coluna pmc: PMC menor que o PF", line);
    break;
  case FAT_TAB_NEGOCIADA:
    rc = fat_store_prepare(c->st, sql_neg, &s, err);
    if (rc != FAT_OK)
      return rc;
    vi = v[3].text != NULL ? v[3].text : c->vig;
    vf = v[4].text;
    fat_bind_text(s, 1, c->operadora);
    fat_bind_text(s, 2, v[0].text);
    fat_bind_text(s, 3, v[1].text);
    fat_bind_int(s, 4, v[2].num);
    fat_bind_text(s, 5, vi);
    fat_bind_text(s, 6, vf);
    fat_bind_int(s, 7, c->batch);
    key = v[0].text;
    break;
  case FAT_TAB_GLOSAS:
  default:
    rc = fat_store_prepare(c->st, sql_glosa, &s, err);
    if (rc != FAT_OK)
      return rc;
    vi = NULL;
    vf = NULL;
    fat_bind_text(s, 1, v[0].text);
    fat_bind_text(s, 2, v[1].text);
    fat_bind_text(s, 3, v[2].text);
    fat_bind_int(s, 4, c->batch);
    key = v[0].text;
    break;
  }
  if (vf != NULL && vi != NULL && strcmp(vf, vi) < 0) {
    fat_stmt_reset(s);
    return fat_err_set(err, FAT_EINVAL,
                       "linha %ld, coluna vigencia_fim: %s é anterior ao início da vigência %s",
                       line, vf, vi);
  }
  step = fat_stmt_step(s);
  fat_stmt_reset(s);
  if (step != FAT_DONE) {
    rc = fat_store_dberr(c->st, err, "erro ao gravar");
    fat_err_prefix(err, "linha %ld: ", line);
    return rc;
  }
  if (fat_store_changes(c->st) == 0)
    return fat_err_set(err, FAT_EINVAL,
                       "linha %ld, coluna %s: '%s' repetido no arquivo (mesma vigência)", line,
                       c->tipo == FAT_TAB_PORTES ? "porte" : "codigo", key);
  return FAT_OK;
}

static fat_rc import_rows(import_ctx *c, const char *text, long *nrows, fat_err *err)
{
  const col_spec *lay = layout_of(c->tipo);
  csv_reader r;
  int map[TAB_MAX_COLS]; /* file column -> layout index */
  int seen[TAB_MAX_COLS];
  size_t ncols = 0, i, k;
  long line = 0;
  int got;
  fat_rc rc = FAT_OK;
  row_val vals[TAB_MAX_COLS];

  memset(&r, 0, sizeof r);
  r.p = text;
  r.line = 1;
  fat_buf_init(&r.cell, 1u << 20);
  *nrows = 0;
  for (k = 0; lay[k].nome != NULL; k++)
    ncols++;
  got = csv_next(&r, &line, err);
  if (got < 0) {
    rc = err != NULL ? err->rc : FAT_EINVAL;
    goto out;
  }
  if (got == 0) {
    rc = fat_err_set(err, FAT_EINVAL, "arquivo vazio: falta a linha de cabeçalho");
    goto out;
  }
  memset(seen, 0, sizeof seen);
  for (i = 0; i < r.nf; i++) {
    char h[64];

    norm_header(r.fields[i], h, sizeof h);
    map[i] = -1;
    for (k = 0; k < ncols; k++)
      if (strcmp(h, lay[k].nome) == 0)
        map[i] = (int)k;
    if (map[i] < 0) {
      rc = fat_err_set(err, FAT_EINVAL,
                       "linha %ld, coluna %zu: cabeçalho desconhecido '%s' para a tabela %s",
                       line, i + 1, r.fields[i], fat_tabela_tipo_str(c->tipo));
      goto out;
    }
    if (seen[map[i]]++) {
      rc = fat_err_set(err, FAT_EINVAL, "linha %ld: coluna %s repetida no cabeçalho", line,
                       lay[map[i]].nome);
      goto out;
    }
  }
  for (k = 0; k < ncols; k++)
    if (lay[k].obrigatoria && !seen[k]) {
      rc = fat_err_set(err, FAT_EINVAL, "cabeçalho: falta a coluna obrigatória %s", lay[k].nome);
      goto out;
    }
  {
    size_t nhead = r.nf;

    for (;;) {
      got = csv_next(&r, &line, err);
      if (got < 0) {
        rc = err != NULL ? err->rc : FAT_EINVAL;
        goto out;
      }
      if (got == 0)
        break;
      if (r.nf != nhead) {
        rc = fat_err_set(err, FAT_EINVAL, "linha %ld: %zu colunas, o cabeçalho tem %zu", line,
                         r.nf, nhead);
        goto out;
      }
      for (k = 0; k < ncols; k++) {
        const char *cell = NULL;

        for (i = 0; i < nhead; i++)
          if (map[i] == (int)k)
            cell = r.fields[i];
        rc = parse_cell(c->tipo, &lay[k], cell, line, &vals[k], err);
        if (rc != FAT_OK)
          goto out;
      }
      rc = insert_row(c, vals, line, err);
      if (rc != FAT_OK)
        goto out;
      (*nrows)++;
    }
  }
  if (*nrows == 0)
    rc = fat_err_set(err, FAT_EINVAL, "arquivo sem linhas de dados");
out:
  csv_free_fields(&r);
  fat_buf_fini(&r.cell);
  return rc;
}

fat_rc fat_tabelas_importar_buf(fat_store *st, fat_tabela_tipo tipo, const char *name,
                                const char *data, size_t len, const fat_tabela_opcoes *op,
                                fat_tabela_resultado *res, fat_err *err)
{
  static const char sql_batch[] =
    "INSERT INTO tabela_importacao (tipo, arquivo, sha256, codificacao, linhas, vigencia, edicao, "
    "operadora, usuario) VALUES (?1, ?2, ?3, ?4, 0, ?5, ?6, ?7, ?8)";
  static const char sql_count[] = "UPDATE tabela_importacao SET linhas = ?1 WHERE id = ?2";
  static const fat_tabela_opcoes none = {NULL, NULL, NULL};
  fat_tabela_resultado tmp;
  import_ctx c;
  fat_operadora_ref opr;
  char *conv = NULL;
  const char *text;
  size_t tlen;
  fat_stmt *s;
  int32_t d;
  long nrows = 0;
  int latin1 = 0;
  fat_rc rc;

  if (res == NULL)
    res = &tmp;
  memset(res, 0, sizeof *res);
  if (op == NULL)
    op = &none;
  if ((unsigned)tipo > FAT_TAB_GLOSAS)
    return fat_err_set(err, FAT_EINVAL, "tipo de tabela inválido");
  if (op->vigencia != NULL && fat_dia_parse(op->vigencia, &d) != 0)
    return fat_err_set(err, FAT_EINVAL, "vigência inválida '%s' (use AAAA-MM-DD)", op->vigencia);
  if ((tipo == FAT_TAB_CBHPM || tipo == FAT_TAB_PORTES) &&
      (op->edicao == NULL || op->edicao[0] == '\0'))
    return fat_err_set(err, FAT_EINVAL, "a tabela %s precisa da edição (--edicao)",
                       fat_tabela_tipo_str(tipo));
  memset(&c, 0, sizeof c);
  if (tipo == FAT_TAB_NEGOCIADA) {
    if (op->operadora == NULL || op->operadora[0] == '\0')
      return fat_err_set(err, FAT_EINVAL,
                         "a tabela negociada precisa da operadora (--operadora: registro ANS, "
                         "chave do script ou id)");
    /* a table may come before the operadora is registered: a registro ANS
    ** (6 digits) is taken as is; any other name must be a registered one */
    rc = fat_operadora_resolver_ref(st, op->operadora, &opr, err);
    if (rc == FAT_ENOTFOUND && strlen(op->operadora) == 6 &&
        strspn(op->operadora, "0123456789") == 6) {
      snprintf(opr.registro_ans, sizeof opr.registro_ans, "%s", op->operadora);
      rc = FAT_OK;
    }
    if (rc != FAT_OK)
      return rc;
    c.operadora = opr.registro_ans;
  }
  fat_sha256_hex(data, len, res->sha256);
  /* the one decoder (fat_text.h): a UTF-8 file with a bad byte is refused */
  rc = fat_text_to_utf8(data, len, &conv, &tlen, &latin1, err);
  if (rc != FAT_OK)
    return fat_err_prefix(err, "%s: ", name);
  snprintf(res->codificacao, sizeof res->codificacao, "%s", latin1 ? "ISO-8859-1" : "UTF-8");
  text = conv;
  (void)tlen;
  c.st = st;
  c.tipo = tipo;
  c.op = op;
  c.vig = op->vigencia != NULL ? op->vigencia : TAB_VIG_SEMPRE;
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    goto out;
  rc = fat_store_prepare(st, sql_batch, &s, err);
  if (rc != FAT_OK)
    goto fail;
  fat_bind_text(s, 1, fat_tabela_tipo_str(tipo));
  fat_bind_text(s, 2, name);
  fat_bind_text(s, 3, res->sha256);
  fat_bind_text(s, 4, res->codificacao);
  fat_bind_text(s, 5, c.vig);
  fat_bind_text(s, 6, tipo == FAT_TAB_CBHPM || tipo == FAT_TAB_PORTES ? op->edicao : NULL);
  fat_bind_text(s, 7, c.operadora);
  fat_bind_text(s, 8, fat_store_user(st));
  rc = fat_store_step_done(st, s, "erro ao registrar a importação", err);
  if (rc != FAT_OK)
    goto fail;
  c.batch = fat_store_last_id(st);
  rc = import_rows(&c, text, &nrows, err);
  if (rc != FAT_OK) {
    fat_err_prefix(err, "%s: ", name);
    goto fail;
  }
  rc = fat_store_prepare(st, sql_count, &s, err);
  if (rc != FAT_OK)
    goto fail;
  fat_bind_int(s, 1, nrows);
  fat_bind_int(s, 2, c.batch);
  rc = fat_store_step_done(st, s, "erro ao registrar a importação", err);
  if (rc != FAT_OK)
    goto fail;
  {
    char obj[32], det[256];

    snprintf(obj, sizeof obj, "tabela_importacao:%lld", (long long)c.batch);
    snprintf(det, sizeof det, "%s %s (%ld linhas, %s)", fat_tabela_tipo_str(tipo), name, nrows,
             res->codificacao);
    rc = fat_store_audit(st, "tabela.importar", obj, det, err);
    if (rc != FAT_OK)
      goto fail;
  }
  rc = fat_store_commit(st, err);
  if (rc != FAT_OK)
    goto out;
  res->importacao_id = c.batch;
  res->linhas = nrows;
  goto out;
fail:
  fat_store_rollback(st);
out:
  fat_free(conv);
  return rc;
}

fat_rc fat_tabelas_importar(fat_store *st, fat_tabela_tipo tipo, const char *path,
                            const fat_tabela_opcoes *op, fat_tabela_resultado *res, fat_err *err)
{
  char *data = NULL;
  size_t len = 0;
  const char *base;
  fat_rc rc;

  rc = fat_file_read(path, TAB_FILE_MAX, &data, &len, err);
  if (rc != FAT_OK)
    return rc;
  base = strrchr(path, '/');
  base = base != NULL ? base + 1 : path;
  rc = fat_tabelas_importar_buf(st, tipo, base, data, len, op, res, err);
  fat_free(data);
  return rc;
}

/* ------------------------------------------------------------------------ */
/* Listing                                                                   */

fat_rc fat_tabelas_listar(fat_store *st, cJSON **out, fat_err *err)
{
  static const char sql[] =
    "SELECT id AS id, tipo AS tipo, arquivo AS arquivo, sha256 AS sha256, "
    "codificacao AS codificacao, linhas AS linhas, vigencia AS vigencia, edicao AS edicao, "
    "operadora AS operadora, usuario AS usuario, importado_em AS importado_em "
    "FROM tabela_importacao ORDER BY id";
  static const char sql_tot[] =
    "SELECT (SELECT count(*) FROM tuss_termo) AS tuss, "
    "(SELECT count(*) FROM cbhpm_procedimento) AS cbhpm, "
    "(SELECT count(*) FROM cbhpm_porte) AS portes, "
    "(SELECT count(*) FROM preco_insumo WHERE tabela = 'brasindice') AS brasindice, "
    "(SELECT count(*) FROM preco_insumo WHERE tabela = 'simpro') AS simpro, "
    "(SELECT count(*) FROM preco_negociado) AS negociada, "
    "(SELECT count(*) FROM glosa_motivo) AS glosas";
  cJSON *root = cJSON_CreateObject(), *arr = NULL, *tot;
  fat_stmt *s;
  fat_rc rc;

  *out = NULL;
  if (root == NULL)
    return fat_err_oom(err);
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc == FAT_OK)
    rc = fat_store_rows_json(st, s, 1, "erro ao listar tabelas", &arr, err);
  if (rc != FAT_OK)
    goto fail;
  if (!cJSON_AddItemToObject(root, "importacoes", arr)) {
    cJSON_Delete(arr);
    rc = fat_err_oom(err);
    goto fail;
  }
  rc = fat_store_prepare(st, sql_tot, &s, err);
  if (rc != FAT_OK)
    goto fail;
  if (fat_stmt_step(s) != FAT_ROW) {
    rc = fat_store_dberr(st, err, "erro ao contar tabelas");
    fat_stmt_reset(s);
    goto fail;
  }
  tot = fat_store_row_json(s, 1);
  fat_stmt_reset(s);
  if (tot == NULL || !cJSON_AddItemToObject(root, "totais", tot)) {
    cJSON_Delete(tot);
    rc = fat_err_oom(err);
    goto fail;
  }
  *out = root;
  return FAT_OK;
fail:
  cJSON_Delete(root);
  return rc;
}

/* ------------------------------------------------------------------------ */
/* Lookups                                                                   */

/* Run a lookup of the row in force (vigente) on a date: prepares sql, binds
** the n keys as ?1..?n and steps once. FAT_OK leaves the row on *out for
** the caller to read and reset; FAT_ENOTFOUND (statement already reset, no
** message: the caller names what was missing) or an error with its message. */
static fat_rc lookup_vigente(fat_store *st, const char *sql, const char *const *keys, int n,
                             fat_stmt **out, fat_err *err)
{
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);
  int i, step;

  if (rc != FAT_OK)
    return rc;
  for (i = 0; i < n; i++)
    fat_bind_text(s, i + 1, keys[i]);
  step = fat_stmt_step(s);
  if (step == FAT_ROW) {
    *out = s;
    return FAT_OK;
  }
  fat_stmt_reset(s);
  if (step == FAT_DONE)
    return FAT_ENOTFOUND;
  return fat_store_dberr(st, err, "erro ao consultar tabela de preços");
}

fat_rc fat_tabelas_cbhpm(fat_store *st, const char *edicao, const char *codigo, const char *data,
                         fat_cbhpm_proc *out, fat_err *err)
{
  static const char sql[] =
    "SELECT descricao, porte, fracao_porte_e4, uco_e4, filme_e4, auxiliares, porte_anestesico, "
    "vigencia_inicio FROM cbhpm_procedimento WHERE edicao = ?1 AND codigo = ?2 "
    "AND vigencia_inicio <= ?3 AND (vigencia_fim IS NULL OR vigencia_fim >= ?3) "
    "ORDER BY vigencia_inicio DESC LIMIT 1";
  const char *const keys[] = {edicao, codigo, data};
  fat_stmt *s = NULL;
  fat_rc rc = lookup_vigente(st, sql, keys, 3, &s, err);

  if (rc == FAT_ENOTFOUND)
    return fat_err_set(err, rc, "código %s não está na CBHPM edição %s vigente em %s", codigo,
                       edicao, fat_dia_br_de(data).s);
  if (rc != FAT_OK)
    return rc;
  fat_col_copy(s, 0, out->descricao, sizeof out->descricao);
  fat_col_copy(s, 1, out->porte, sizeof out->porte);
  out->fracao_porte_e4 = fat_col_int64(s, 2);
  out->uco_e4 = fat_col_int64(s, 3);
  out->filme_e4 = fat_col_int64(s, 4);
  out->auxiliares = fat_col_int(s, 5);
  out->porte_anestesico = fat_col_int(s, 6);
  fat_col_copy(s, 7, out->vigencia, sizeof out->vigencia);
  fat_stmt_reset(s);
  return FAT_OK;
}

fat_rc fat_tabelas_porte(fat_store *st, const char *edicao, const char *porte, const char *data,
                         int64_t *valor, char vigencia[11], fat_err *err)
{
  static const char sql[] =
    "SELECT valor, vigencia_inicio FROM cbhpm_porte WHERE edicao = ?1 AND porte = ?2 "
    "AND vigencia_inicio <= ?3 AND (vigencia_fim IS NULL OR vigencia_fim >= ?3) "
    "ORDER BY vigencia_inicio DESC LIMIT 1";
  const char *const keys[] = {edicao, porte, data};
  fat_stmt *s = NULL;
  fat_rc rc = lookup_vigente(st, sql, keys, 3, &s, err);

  if (rc == FAT_ENOTFOUND)
    return fat_err_set(err, rc, "porte %s sem valor na edição %s vigente em %s", porte, edicao,
                       fat_dia_br_de(data).s);
  if (rc != FAT_OK)
    return rc;
  *valor = fat_col_int64(s, 0);
  fat_col_copy(s, 1, vigencia, 11);
  fat_stmt_reset(s);
  return FAT_OK;
}

fat_rc fat_tabelas_insumo(fat_store *st, const char *tabela, const char *codigo, const char *data,
                          fat_insumo_preco *out, fat_err *err)
{
  static const char sql[] =
    "SELECT descricao, apresentacao, pf, pmc, vigencia_inicio FROM preco_insumo "
    "WHERE tabela = ?1 AND codigo = ?2 "
    "AND vigencia_inicio <= ?3 AND (vigencia_fim IS NULL OR vigencia_fim >= ?3) "
    "ORDER BY vigencia_inicio DESC LIMIT 1";
  const char *const keys[] = {tabela, codigo, data};
  fat_stmt *s = NULL;
  fat_rc rc = lookup_vigente(st, sql, keys, 3, &s, err);

  if (rc == FAT_ENOTFOUND)
    return fat_err_set(err, rc, "código %s não está na tabela %s vigente em %s", codigo,
                       strcmp(tabela, "brasindice") == 0 ? "Brasíndice" : "Simpro",
                       fat_dia_br_de(data).s);
  if (rc != FAT_OK)
    return rc;
  fat_col_copy(s, 0, out->descricao, sizeof out->descricao);
  fat_col_copy(s, 1, out->apresentacao, sizeof out->apresentacao);
  out->pf = fat_col_int64(s, 2);
  out->pmc = fat_col_int64(s, 3);
  fat_col_copy(s, 4, out->vigencia, sizeof out->vigencia);
  fat_stmt_reset(s);
  return FAT_OK;
}

static fat_rc negociado_ausente(const char *registro_ans, const char *codigo, const char *data,
                               fat_err *err)
{
  if (err == NULL) /* no message wanted: no date to format */
    return FAT_ENOTFOUND;
  return fat_err_set(err, FAT_ENOTFOUND,
                     "código %s não está na tabela negociada da operadora %s vigente em %s",
                     codigo, registro_ans, fat_dia_br_de(data).s);
}

fat_rc fat_tabelas_negociado(fat_store *st, const char *registro_ans, const char *codigo,
                             const char *data, int64_t *valor, char descricao[160],
                             char vigencia[11], fat_err *err)
{
  static const char sql[] =
    "SELECT valor, descricao, vigencia_inicio FROM preco_negociado "
    "WHERE operadora = ?1 AND codigo = ?2 "
    "AND vigencia_inicio <= ?3 AND (vigencia_fim IS NULL OR vigencia_fim >= ?3) "
    "ORDER BY vigencia_inicio DESC LIMIT 1";
  const char *const keys[] = {registro_ans, codigo, data};
  fat_stmt *s = NULL;
  fat_rc rc = lookup_vigente(st, sql, keys, 3, &s, err);

  if (rc == FAT_ENOTFOUND)
    return negociado_ausente(registro_ans, codigo, data, err);
  if (rc != FAT_OK)
    return rc;
  *valor = fat_col_int64(s, 0);
  fat_col_copy(s, 1, descricao, 160);
  fat_col_copy(s, 2, vigencia, 11);
  fat_stmt_reset(s);
  return FAT_OK;
}

/* Copy column i, a date of fat_tabelas_negociado's statement, into d
** (11 bytes) when it is a text of up to 10 bytes without a NUL: compared
** with strcmp it then orders as SQLite orders it against the bound date
** (both TEXT, BINARY collation: memcmp, then the shorter first). 0
** otherwise. */
static int vig_text(fat_stmt *s, int i, char d[11])
{
  const char *t;
  int n;

  if (fat_col_type(s, i) != FAT_COL_TEXT)
    return 0;
  t = fat_col_text(s, i);
  n = fat_col_bytes(s, i);
  if (t == NULL || n < 0 || n > 10 || strlen(t) != (size_t)n)
    return 0;
  memcpy(d, t, (size_t)n + 1);
  return 1;
}

fat_rc fat_tabelas_negociado_vigs(fat_store *st, const char *registro_ans, const char *codigo,
                                  fat_neg_vigs **out, fat_err *err)
{
  static const char sql[] =
    "SELECT valor, descricao, vigencia_inicio, vigencia_fim FROM preco_negociado "
    "WHERE operadora = ?1 AND codigo = ?2";
  fat_neg_vigs *v = fat_calloc(1, sizeof *v + FAT_NEG_VIGS_MAX * sizeof v->v[0]), *t;
  int step, ok = 1;
  fat_stmt *s;
  fat_rc rc;

  *out = NULL;
  if (v == NULL)
    return fat_err_oom(err);
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK) {
    fat_free(v);
    return rc;
  }
  fat_bind_text(s, 1, registro_ans);
  fat_bind_text(s, 2, codigo);
  step = fat_stmt_step(s);
  for (; step == FAT_ROW && ok; step = fat_stmt_step(s)) {
    fat_neg_vig *r = &v->v[v->n];

    if (v->n == FAT_NEG_VIGS_MAX || !vig_text(s, 2, r->inicio)) {
      ok = 0;
      break;
    }
    r->has_fim = !fat_col_is_null(s, 3);
    if (r->has_fim && !vig_text(s, 3, r->fim)) {
      ok = 0;
      break;
    }
    r->valor = fat_col_int64(s, 0); /* as fat_tabelas_negociado reads them */
    fat_col_copy(s, 1, r->descricao, sizeof r->descricao);
    v->n++;
  }
  if (ok && step != FAT_DONE)
    rc = fat_store_dberr(st, err, "erro ao consultar tabela de preços");
  fat_stmt_reset(s);
  if (rc == FAT_OK && ok) { /* kept for the whole action: only the rows read */
    t = fat_realloc(v, sizeof *v + v->n * sizeof v->v[0]);
    *out = t != NULL ? t : v;
  } else {
    fat_free(v);
  }
  return rc;
}

fat_rc fat_tabelas_negociado_em(const fat_neg_vigs *v, const char *registro_ans,
                                const char *codigo, const char *data, int64_t *valor,
                                char descricao[160], char vigencia[11], fat_err *err)
{
  const fat_neg_vig *best = NULL;
  size_t i;

  /* vigencia_inicio <= data AND (vigencia_fim IS NULL OR vigencia_fim >= data)
  ** ORDER BY vigencia_inicio DESC LIMIT 1 (vigencia_inicio is unique per
  ** operadora and codigo: one answer) */
  for (i = 0; i < v->n; i++) {
    const fat_neg_vig *r = &v->v[i];

    if (strcmp(r->inicio, data) <= 0 && (!r->has_fim || strcmp(r->fim, data) >= 0) &&
        (best == NULL || strcmp(r->inicio, best->inicio) > 0))
      best = r;
  }
  if (best == NULL)
    return negociado_ausente(registro_ans, codigo, data, err);
  *valor = best->valor;
  memcpy(descricao, best->descricao, sizeof best->descricao);
  memcpy(vigencia, best->inicio, sizeof best->inicio);
  return FAT_OK;
}

fat_rc fat_tabelas_tuss(fat_store *st, const char *codigo, const char *data, char tabela[4],
                        char descricao[160], fat_err *err)
{
  static const char sql[] =
    "SELECT tabela, descricao FROM tuss_termo WHERE codigo = ?1 "
    "AND vigencia_inicio <= ?2 AND (vigencia_fim IS NULL OR vigencia_fim >= ?2) "
    "ORDER BY vigencia_inicio DESC LIMIT 1";
  const char *const keys[] = {codigo, data};
  fat_stmt *s = NULL;
  fat_rc rc = lookup_vigente(st, sql, keys, 2, &s, err);

  if (rc == FAT_ENOTFOUND)
    return fat_err_set(err, rc, "código %s não está na terminologia TUSS vigente em %s", codigo,
                       fat_dia_br_de(data).s);
  if (rc != FAT_OK)
    return rc;
  fat_col_copy(s, 0, tabela, 4);
  fat_col_copy(s, 1, descricao, 160);
  fat_stmt_reset(s);
  return FAT_OK;
}
