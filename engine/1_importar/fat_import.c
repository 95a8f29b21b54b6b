/* fat_import.c: files of guias in and out (JSON, CSV). */
#include "fat_import.h"
#include "fat_import_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "fat_mem.h"
#include "fat_csv.h"
#include "fat_dia.h"
#include "fat_model.h"
#include "fat_operadora.h"
#include "fat_revisao.h"
#include "fat_store_int.h"
#include "fat_text.h"

/* {====================================================================
** Formats and text decoding
** ===================================================================== */

int fat_formato_parse(const char *s)
{
  if (s == NULL)
    return -1;
  if (strcmp(s, "json") == 0)
    return FAT_FMT_JSON;
  if (strcmp(s, "csv") == 0)
    return FAT_FMT_CSV;
  return -1;
}

fat_formato fat_formato_from_path(const char *path)
{
  const char *dot = path != NULL ? strrchr(path, '.') : NULL;

  if (dot == NULL || strchr(dot, '/') != NULL)
    return FAT_FMT_AUTO;
  if (strcasecmp(dot, ".json") == 0)
    return FAT_FMT_JSON;
  if (strcasecmp(dot, ".csv") == 0 || strcasecmp(dot, ".txt") == 0)
    return FAT_FMT_CSV;
  return FAT_FMT_AUTO;
}

/* }==================================================================== */

/* {====================================================================
** CSV columns (JSON paths; "item." columns belong to the line's item)
** ===================================================================== */

typedef struct csv_col {
  const char *path;
  int decimal; /* money/quantity: written with decimal comma */
} csv_col;

static const csv_col csv_cols[] = {
  {"tipo", 0},
  {"numero_prestador", 0},
  {"numero_operadora", 0},
  {"numero_principal", 0},
  {"operadora.registro_ans", 0},
  {"operadora.nome", 0},
  {"prestador.cnpj", 0},
  {"prestador.cpf", 0},
  {"prestador.nome", 0},
  {"prestador.cnes", 0},
  {"prestador.codigo_na_operadora", 0},
  {"plano.codigo", 0},
  {"plano.nome", 0},
  {"plano.acomodacao", 0},
  {"beneficiario.nome", 0},
  {"beneficiario.nome_social", 0},
  {"beneficiario.cpf", 0},
  {"beneficiario.cns", 0},
  {"beneficiario.nascimento", 0},
  {"beneficiario.sexo", 0},
  {"beneficiario_nome", 0},
  {"carteira_numero", 0},
  {"carteira_validade", 0},
  {"cns", 0},
  {"atendimento_rn", 0},
  {"senha", 0},
  {"data_autorizacao", 0},
  {"validade_senha", 0},
  {"carater_atendimento", 0},
  {"tipo_atendimento", 0},
  {"tipo_consulta", 0},
  {"regime_atendimento", 0},
  {"indicacao_acidente", 0},
  {"cid", 0},
  {"cid_secundarios", 0},
  {"data_solicitacao", 0},
  {"indicacao_clinica", 0},
  {"data_inicio", 0},
  {"hora_inicio", 0},
  {"data_fim", 0},
  {"hora_fim", 0},
  {"tipo_internacao", 0},
  {"regime_internacao", 0},
  {"motivo_encerramento", 0},
  {"solicitante.nome", 0},
  {"solicitante.cpf", 0},
  {"solicitante.conselho", 0},
  {"solicitante.numero_conselho", 0},
  {"solicitante.uf", 0},
  {"solicitante.cbo", 0},
  {"solicitante.especialidade", 0},
  {"executante.nome", 0},
  {"executante.cpf", 0},
  {"executante.conselho", 0},
  {"executante.numero_conselho", 0},
  {"executante.uf", 0},
  {"executante.cbo", 0},
  {"executante.especialidade", 0},
  {"assinatura_beneficiario", 0},
  {"pedido_medico", 0},
  {"laudo", 0},
  {"observacao", 0},
  {"valor_total", 1},
  {"competencia", 0},
  {"item.sequencial", 0},
  {"item.tipo", 0},
  {"item.codigo_tabela", 0},
  {"item.codigo", 0},
  {"item.descricao", 0},
  {"item.quantidade", 1},
  {"item.valor_unitario", 1},
  {"item.valor_total", 1},
  {"item.data", 0},
  {"item.hora_inicio", 0},
  {"item.hora_fim", 0},
  {"item.via_acesso", 0},
  {"item.tecnica", 0},
  {"item.grau_participacao", 0},
  {"item.fator", 1},
  {"item.unidade_medida", 0},
  {"item.registro_anvisa", 0},
  {"item.codigo_fabricante", 0},
  {"item.profissional.nome", 0},
  {"item.profissional.cpf", 0},
  {"item.profissional.conselho", 0},
  {"item.profissional.numero_conselho", 0},
  {"item.profissional.uf", 0},
  {"item.profissional.cbo", 0},
  {"item.profissional.especialidade", 0},
  {NULL, 0}
};

static int is_item_col(const char *path) { return strncmp(path, "item.", 5) == 0; }

/* Set obj[path] = value creating intermediate objects ("a.b.c"). 0 on OOM. */
static int json_set_path(cJSON *obj, const char *path, const char *value)
{
  const char *dot = strchr(path, '.');
  char seg[64];
  size_t n;
  cJSON *sub;

  if (dot == NULL)
    return cJSON_AddStringToObject(obj, path, value) != NULL;
  n = (size_t)(dot - path);
  if (n >= sizeof seg)
    return 0;
  memcpy(seg, path, n);
  seg[n] = '\0';
  sub = cJSON_GetObjectItemCaseSensitive(obj, seg);
  if (sub == NULL) {
    sub = cJSON_AddObjectToObject(obj, seg);
    if (sub == NULL)
      return 0;
  }
  return json_set_path(sub, dot + 1, value);
}

static const cJSON *json_get_path(const cJSON *obj, const char *path)
{
  const char *dot;
  char seg[64];
  size_t n;

  for (dot = strchr(path, '.'); obj != NULL && dot != NULL; dot = strchr(path, '.')) {
    n = (size_t)(dot - path);
    if (n >= sizeof seg)
      return NULL;
    memcpy(seg, path, n);
    seg[n] = '\0';
    obj = cJSON_GetObjectItemCaseSensitive(obj, seg);
    path = dot + 1;
  }
  return obj != NULL ? cJSON_GetObjectItemCaseSensitive(obj, path) : NULL;
}

/* }==================================================================== */

/* {====================================================================
** CSV reader
** ===================================================================== */

typedef struct csv_rec {
  char **f;
  size_t n, cap;
  long line; /* physical line where the record starts (1-based) */
} csv_rec;

static void rec_clear(csv_rec *r)
{
  size_t i;

  for (i = 0; i < r->n; i++)
    fat_free(r->f[i]);
  r->n = 0;
}

static void rec_fini(csv_rec *r)
{
  rec_clear(r);
  fat_free(r->f);
  r->f = NULL;
  r->cap = 0;
}

static fat_rc rec_push(csv_rec *r, char *s, fat_err *err)
{
  if (s == NULL)
    return fat_err_oom(err);
  if (r->n == r->cap) {
    size_t cap = r->cap == 0 ? 32 : r->cap * 2;
    char **nf = fat_realloc(r->f, cap * sizeof *nf);

    if (nf == NULL) {
      fat_free(s);
      return fat_err_oom(err);
    }
    r->f = nf;
    r->cap = cap;
  }
  r->f[r->n++] = s;
  return FAT_OK;
}

typedef struct csv_in {
  const char *b;
  size_t len, pos;
  long line; /* current physical line */
  char sep;
} csv_in;

/* Read the next record; *got = 0 at end of input. Fields are owned by r. */
static fat_rc csv_next(csv_in *in, csv_rec *r, int *got, fat_err *err)
{
  fat_buf fb;
  fat_rc rc;

  rec_clear(r);
  *got = 0;
  if (in->pos >= in->len)
    return FAT_OK;
  *got = 1;
  r->line = in->line;
  fat_buf_init(&fb, FAT_IMPORT_MAX_BYTES);
  for (;;) {
    const char *b = in->b;
    int quoted = 0;
    size_t start;

    fat_buf_reset(&fb);
    rc = fat_buf_append(&fb, "", 0, err);
    if (rc != FAT_OK)
      goto out;
    while (in->pos < in->len && (b[in->pos] == ' ' || b[in->pos] == '\t'))
      in->pos++;
    if (in->pos < in->len && b[in->pos] == '"') {
      quoted = 1;
      in->pos++;
      for (;;) {
        start = in->pos;
        while (in->pos < in->len && b[in->pos] != '"') {
          if (b[in->pos] == '\n')
            in->line++;
          in->pos++;
        }
        rc = fat_buf_append(&fb, b + start, in->pos - start, err);
        if (rc != FAT_OK)
          goto out;
        if (in->pos >= in->len) {
          rc = fat_err_set(err, FAT_EINVAL, "linha %ld: aspas não fechadas", r->line);
          goto out;
        }
        in->pos++; /* the quote */
        if (in->pos < in->len && b[in->pos] == '"') {
          rc = fat_buf_append(&fb, "\"", 1, err);
          if (rc != FAT_OK)
            goto out;
          in->pos++;
          continue;
        }
        break;
      }
      while (in->pos < in->len && (b[in->pos] == ' ' || b[in->pos] == '\t'))
        in->pos++;
      if (in->pos < in->len && b[in->pos] != in->sep && b[in->pos] != '\r' &&
          b[in->pos] != '\n') {
        rc = fat_err_set(err, FAT_EINVAL,
                         "linha %ld: texto depois de um campo entre aspas (use \"\" para aspas "
                         "dentro do campo)",
                         in->line);
        goto out;
      }
    } else {
      size_t end;

      start = in->pos;
      while (in->pos < in->len && b[in->pos] != in->sep && b[in->pos] != '\r' &&
             b[in->pos] != '\n')
        in->pos++;
      end = in->pos;
      while (end > start && (b[end - 1] == ' ' || b[end - 1] == '\t'))
        end--;
      rc = fat_buf_append(&fb, b + start, end - start, err);
      if (rc != FAT_OK)
        goto out;
    }
    (void)quoted;
    rc = rec_push(r, fat_strndup(fb.data, fb.len), err);
    if (rc != FAT_OK)
      goto out;
    if (in->pos < in->len && b[in->pos] == in->sep) {
      in->pos++;
      continue;
    }
    if (in->pos < in->len && b[in->pos] == '\r')
      in->pos++;
    if (in->pos < in->len && b[in->pos] == '\n')
      in->pos++;
    in->line++;
    break;
  }
  rc = FAT_OK;
out:
  fat_buf_fini(&fb);
  return rc;
}

static int rec_blank(const csv_rec *r)
{
  size_t i;

  for (i = 0; i < r->n; i++)
    if (r->f[i][0] != '\0')
      return 0;
  return 1;
}

/* Separator: whichever of ';' and ',' appears more often (outside quotes) in
** the header line; ';' on a tie. */
static char csv_detect_sep(const char *b, size_t len)
{
  size_t i;
  int q = 0, nsc = 0, nc = 0;

  for (i = 0; i < len; i++) {
    if (b[i] == '"')
      q = !q;
    else if (!q && (b[i] == '\n' || b[i] == '\r'))
      break;
    else if (!q && b[i] == ';')
      nsc++;
    else if (!q && b[i] == ',')
      nc++;
  }
  return nc > nsc ? ',' : ';';
}

/* }==================================================================== */

/* {====================================================================
** Storing a parsed file
** ===================================================================== */

typedef struct parsed {
  fat_guia **g;
  char **label; /* "linha 7" / "guias[3]" */
  size_t n, cap;
} parsed;

static void parsed_fini(parsed *p)
{
  size_t i;

  for (i = 0; i < p->n; i++) {
    fat_guia_free(p->g[i]);
    fat_free(p->label[i]);
  }
  fat_free(p->g);
  fat_free(p->label);
  memset(p, 0, sizeof *p);
}

/* Take ownership of g (freed on failure). */
static fat_rc parsed_push(parsed *p, fat_guia *g, char *label, fat_err *err)
{
  if (label == NULL)
    goto oom;
  if (p->n == p->cap) {
    size_t cap = p->cap == 0 ? 64 : p->cap * 2;
    fat_guia **ng = fat_realloc(p->g, cap * sizeof *ng);
    char **nl;

    if (ng == NULL)
      goto oom;
    p->g = ng;
    nl = fat_realloc(p->label, cap * sizeof *nl);
    if (nl == NULL)
      goto oom;
    p->label = nl;
    p->cap = cap;
  }
  p->g[p->n] = g;
  p->label[p->n] = label;
  p->n++;
  return FAT_OK;
oom:
  fat_guia_free(g);
  fat_free(label);
  return fat_err_oom(err);
}

typedef struct keyidx {
  const fat_guia *g;
  size_t i;
} keyidx;

static int nz_cmp(const char *a, const char *b) { return strcmp(a != NULL ? a : "", b != NULL ? b : ""); }

static int key_cmp(const void *pa, const void *pb)
{
  const fat_guia *a = ((const keyidx *)pa)->g, *b = ((const keyidx *)pb)->g;
  int c = nz_cmp(a->operadora.registro_ans, b->operadora.registro_ans);

  if (c == 0)
    c = nz_cmp(a->prestador.cnpj, b->prestador.cnpj);
  if (c == 0)
    c = nz_cmp(a->prestador.cpf, b->prestador.cpf);
  if (c == 0)
    c = nz_cmp(a->numero_prestador, b->numero_prestador);
  if (c == 0)
    c = ((const keyidx *)pa)->i < ((const keyidx *)pb)->i ? -1 : 1;
  return c;
}

static fat_rc check_duplicates(const parsed *p, fat_err *err)
{
  keyidx *k;
  size_t i;

  if (p->n < 2)
    return FAT_OK;
  k = fat_malloc(p->n * sizeof *k);
  if (k == NULL)
    return fat_err_oom(err);
  for (i = 0; i < p->n; i++) {
    k[i].g = p->g[i];
    k[i].i = i;
  }
  qsort(k, p->n, sizeof *k, key_cmp);
  for (i = 1; i < p->n; i++) {
    const fat_guia *a = k[i - 1].g, *b = k[i].g;

    if (nz_cmp(a->operadora.registro_ans, b->operadora.registro_ans) == 0 &&
        nz_cmp(a->prestador.cnpj, b->prestador.cnpj) == 0 &&
        nz_cmp(a->prestador.cpf, b->prestador.cpf) == 0 &&
        nz_cmp(a->numero_prestador, b->numero_prestador) == 0) {
      fat_rc rc = fat_err_set(err, FAT_EINVAL,
                              "%s, campo numero_prestador: a guia %s da operadora %s aparece de "
                              "novo no mesmo arquivo (%s)",
                              p->label[k[i].i], b->numero_prestador, b->operadora.registro_ans,
                              p->label[k[i - 1].i]);
      fat_free(k);
      return rc;
    }
  }
  fat_free(k);
  return FAT_OK;
}

static int status_locked(const char *s)
{
  static const char *const locked[] = {"em_lote", "enviada", "processada", "paga", "glosada",
                                       NULL};
  int i;

  for (i = 0; locked[i] != NULL; i++)
    if (s != NULL && strcmp(s, locked[i]) == 0)
      return 1;
  return 0;
}

/* The JSON form of stored guia id before it is replaced. */
static fat_rc revisao_antes(fat_store *st, int64_t id, cJSON **antes, fat_err *err)
{
  fat_guia *old = NULL;
  fat_rc rc = fat_guia_load(st, id, &old, err);

  *antes = NULL;
  if (rc == FAT_OK) {
    *antes = fat_guia_to_json(old);
    if (*antes == NULL)
      rc = fat_err_oom(err);
  }
  fat_guia_free(old);
  return rc;
}

/* Record the revision the replacement made (fat_revisao.h). */
static fat_rc revisao_depois(fat_store *st, const fat_guia *g, const cJSON *antes,
                             const char *origem, fat_err *err)
{
  cJSON *depois = fat_guia_to_json(g), *alt = NULL;
  char motivo[200];
  fat_rc rc = depois != NULL ? fat_revisao_diff(antes, depois, &alt, err) : fat_err_oom(err);

  snprintf(motivo, sizeof motivo, "reimportada de %s", origem != NULL ? origem : "(memória)");
  if (rc == FAT_OK)
    rc = fat_revisao_gravar(st, g->id, g->revisao, "reimportar", motivo, alt, err);
  cJSON_Delete(depois);
  cJSON_Delete(alt);
  return rc;
}

fat_rc fat_import_store_one(fat_store *st, fat_guia *g, const char *label, const char *origem,
                            fat_import_result *res, fat_err *err)
{
  cJSON *antes = NULL;
  static const char sql[] = "SELECT id, status, lote_id FROM guia WHERE operadora_id = ?1 AND "
                            "prestador_id = ?2 AND numero_prestador = ?3";
  fat_stmt *s;
  int64_t oid, pid, id = 0, lote = 0;
  char status[24] = "";
  int r;
  fat_rc rc;

  rc = fat_operadora_por_registro(st, g->operadora.registro_ans, &oid, err);
  if (rc != FAT_OK)
    return fat_err_prefix(err, "%s, campo operadora.registro_ans: ", label);
  rc = fat_prestador_id(st, g->prestador.cnpj, g->prestador.cpf, &pid, err);
  if (rc != FAT_OK)
    return fat_err_prefix(err, "%s, campo prestador.%s: ", label,
                          g->prestador.cnpj != NULL ? "cnpj" : "cpf");
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, oid);
  fat_bind_int(s, 2, pid);
  fat_bind_text(s, 3, g->numero_prestador);
  r = fat_stmt_step(s);
  if (r == FAT_ROW) {
    id = fat_col_int64(s, 0);
    snprintf(status, sizeof status, "%s", fat_col_text(s, 1));
    lote = fat_col_int64(s, 2);
  }
  fat_stmt_reset(s);
  if (r != FAT_ROW && r != FAT_DONE)
    return fat_store_dberr(st, err, "erro ao procurar guia");
  if (id > 0 && (status_locked(status) || lote > 0))
    return fat_err_set(err, FAT_ESTATE,
                       "%s: a guia %s (id %lld) já está em lote (situação %s) e não pode ser "
                       "reimportada; nada deste arquivo foi gravado",
                       label, g->numero_prestador, (long long)id, status);
  g->id = id;
  fat_free(g->status);
  g->status = NULL;
  g->lote_id = 0;
  fat_free(g->origem);
  g->origem = NULL;
  if (origem != NULL) {
    g->origem = fat_strdup(origem);
    if (g->origem == NULL)
      return fat_err_oom(err);
  }
  if (id > 0)
    rc = revisao_antes(st, id, &antes, err);
  if (rc == FAT_OK)
    rc = fat_guia_save(st, g, err);
  /* a guia replaced by a new import is a revision like any correction */
  if (rc == FAT_OK && id > 0)
    rc = revisao_depois(st, g, antes, origem, err);
  cJSON_Delete(antes);
  if (rc != FAT_OK)
    return fat_err_prefix(err, "%s: ", label);
  if (id > 0)
    res->atualizadas++;
  else
    res->novas++;
  res->itens += (long)g->n_itens;
  return FAT_OK;
}

static fat_rc store_all(fat_store *st, parsed *p, const char *origem, fat_import_result *res,
                        fat_err *err)
{
  char detail[256];
  size_t i;
  fat_rc rc;

  if (p->n == 0)
    return fat_err_set(err, FAT_EINVAL, "o arquivo não contém nenhuma guia");
  rc = check_duplicates(p, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_begin_bulk(st, err);
  if (rc != FAT_OK)
    return rc;
  for (i = 0; i < p->n && rc == FAT_OK; i++)
    rc = fat_import_store_one(st, p->g[i], p->label[i], origem, res, err);
  if (rc == FAT_OK) {
    snprintf(detail, sizeof detail, "%s: %ld novas, %ld atualizadas, %ld itens",
             origem != NULL ? origem : "(memória)", res->novas, res->atualizadas, res->itens);
    rc = fat_store_audit(st, "guia.importar", NULL, detail, err);
  }
  if (rc != FAT_OK) {
    fat_store_rollback(st);
    return rc;
  }
  return fat_store_commit(st, err);
}

/* }==================================================================== */

/* {====================================================================
** JSON import
** ===================================================================== */

/* JSON is read guia by guia by fat_import_json.c (fat_import_int.h). */

/* }==================================================================== */

/* {====================================================================
** CSV import
** ===================================================================== */

typedef struct csv_group {
  char *key;
  cJSON *head;   /* guia fields of the first line */
  cJSON *itens;  /* one item per line */
  long *lines;   /* line of each item */
  size_t n_lines;
  char **vals;   /* raw guia-column values of the first line (ncols) */
} csv_group;

typedef struct csv_state {
  const csv_col **cols; /* column of each header position (NULL = ignored) */
  size_t ncols;
  csv_group *grp;
  size_t n_grp, cap_grp;
  size_t *hash; /* open addressing: group index + 1, 0 = empty */
  size_t hcap;
} csv_state;

static void group_fini(csv_group *gr, size_t ncols)
{
  size_t i;

  fat_free(gr->key);
  cJSON_Delete(gr->head);
  cJSON_Delete(gr->itens);
  fat_free(gr->lines);
  if (gr->vals != NULL)
    for (i = 0; i < ncols; i++)
      fat_free(gr->vals[i]);
  fat_free(gr->vals);
}

static void csv_state_fini(csv_state *cs)
{
  size_t i;

  for (i = 0; i < cs->n_grp; i++)
    group_fini(&cs->grp[i], cs->ncols);
  fat_free(cs->grp);
  fat_free(cs->hash);
  fat_free(cs->cols);
}

static size_t hash_str(const char *s)
{
  size_t h = 1469598103934665603ULL & SIZE_MAX;

  for (; *s != '\0'; s++)
    h = (h ^ (unsigned char)*s) * (size_t)1099511628211ULL;
  return h;
}

static fat_rc hash_grow(csv_state *cs, fat_err *err)
{
  size_t ncap = cs->hcap == 0 ? 1024 : cs->hcap * 2, i;
  size_t *nh = fat_calloc(ncap, sizeof *nh);

  if (nh == NULL)
    return fat_err_oom(err);
  for (i = 0; i < cs->n_grp; i++) {
    size_t h = hash_str(cs->grp[i].key) & (ncap - 1);

    while (nh[h] != 0)
      h = (h + 1) & (ncap - 1);
    nh[h] = i + 1;
  }
  fat_free(cs->hash);
  cs->hash = nh;
  cs->hcap = ncap;
  return FAT_OK;
}

/* Index of the group with key, or (size_t)-1; *slot receives the free slot. */
static size_t hash_find(const csv_state *cs, const char *key, size_t *slot)
{
  size_t h = hash_str(key) & (cs->hcap - 1);

  while (cs->hash[h] != 0) {
    if (strcmp(cs->grp[cs->hash[h] - 1].key, key) == 0)
      return cs->hash[h] - 1;
    h = (h + 1) & (cs->hcap - 1);
  }
  *slot = h;
  return (size_t)-1;
}

/* Map "itens[0].x" from a single-item line check to the CSV column "item.x". */
static void csv_campo(const char *campo, char *out, size_t len)
{
  const char *dot = strncmp(campo, "itens[", 6) == 0 ? strchr(campo, ']') : NULL;

  if (dot != NULL && dot[1] == '.')
    snprintf(out, len, "item.%s", dot + 2);
  else
    snprintf(out, len, "%s", campo);
}

static const char *rec_val(const csv_rec *r, size_t i) { return i < r->n ? r->f[i] : ""; }

static fat_rc csv_line(csv_state *cs, const csv_rec *r, fat_err *err)
{
  cJSON *head = cJSON_CreateObject(), *item = cJSON_CreateObject(), *check = NULL, *arr;
  fat_guia *g = NULL;
  char campo[128], cm[140], *key = NULL;
  size_t i, gi, slot = 0;
  csv_group *gr;
  fat_rc rc;

  if (head == NULL || item == NULL)
    goto oom;
  for (i = 0; i < cs->ncols; i++) {
    const char *v = rec_val(r, i);

    if (cs->cols[i] == NULL || v[0] == '\0')
      continue;
    if (is_item_col(cs->cols[i]->path)) {
      if (!json_set_path(item, cs->cols[i]->path + 5, v))
        goto oom;
    } else if (!json_set_path(head, cs->cols[i]->path, v)) {
      goto oom;
    }
  }
  /* validate the line on its own: guia fields + this item */
  check = cJSON_Duplicate(head, 1);
  if (check == NULL)
    goto oom;
  arr = cJSON_AddArrayToObject(check, "itens");
  if (arr == NULL || !cJSON_AddItemReferenceToArray(arr, item))
    goto oom;
  rc = fat_guia_from_json_campo(check, &g, campo, sizeof campo, err);
  cJSON_Delete(check);
  check = NULL;
  if (rc != FAT_OK) {
    csv_campo(campo, cm, sizeof cm);
    if (cm[0] != '\0')
      fat_err_prefix(err, "linha %ld, campo %s: ", r->line, cm);
    else
      fat_err_prefix(err, "linha %ld: ", r->line);
    goto fail;
  }
  key = fat_asprintf("%s\x1f%s\x1f%s\x1f%s", g->operadora.registro_ans,
                     g->prestador.cnpj != NULL ? g->prestador.cnpj : "",
                     g->prestador.cpf != NULL ? g->prestador.cpf : "", g->numero_prestador);
  fat_guia_free(g);
  g = NULL;
  if (key == NULL)
    goto oom;
  if (cs->n_grp * 2 >= cs->hcap) {
    rc = hash_grow(cs, err);
    if (rc != FAT_OK)
      goto fail;
  }
  gi = hash_find(cs, key, &slot);
  if (gi == (size_t)-1) {
    if (cs->n_grp == cs->cap_grp) {
      size_t cap = cs->cap_grp == 0 ? 64 : cs->cap_grp * 2;
      csv_group *ng = fat_realloc(cs->grp, cap * sizeof *ng);

      if (ng == NULL)
        goto oom;
      cs->grp = ng;
      cs->cap_grp = cap;
    }
    gr = &cs->grp[cs->n_grp];
    memset(gr, 0, sizeof *gr);
    cs->n_grp++;
    cs->hash[slot] = cs->n_grp;
    gr->key = key;
    key = NULL;
    gr->head = head;
    head = NULL;
    gr->itens = cJSON_CreateArray();
    gr->vals = fat_calloc(cs->ncols, sizeof *gr->vals);
    if (gr->itens == NULL || gr->vals == NULL)
      goto oom;
    for (i = 0; i < cs->ncols; i++) {
      if (cs->cols[i] == NULL || is_item_col(cs->cols[i]->path))
        continue;
      gr->vals[i] = fat_strdup(rec_val(r, i));
      if (gr->vals[i] == NULL)
        goto oom;
    }
  } else {
    gr = &cs->grp[gi];
    for (i = 0; i < cs->ncols; i++) {
      if (cs->cols[i] == NULL || is_item_col(cs->cols[i]->path))
        continue;
      if (strcmp(rec_val(r, i), gr->vals[i]) != 0) {
        rc = fat_err_set(err, FAT_EINVAL,
                         "linha %ld, campo %s: valor '%.60s' difere do da linha %ld ('%.60s'); "
                         "as colunas da guia devem ser iguais em todas as linhas da mesma guia",
                         r->line, cs->cols[i]->path, rec_val(r, i), gr->lines[0], gr->vals[i]);
        goto fail;
      }
    }
  }
  {
    long *nl = fat_realloc(gr->lines, (gr->n_lines + 1) * sizeof *nl);

    if (nl == NULL)
      goto oom;
    gr->lines = nl;
  }
  cJSON_AddItemToArray(gr->itens, item);
  item = NULL;
  gr->lines[gr->n_lines++] = r->line;
  rc = FAT_OK;
  goto out;
oom:
  rc = fat_err_oom(err);
fail:
out:
  fat_guia_free(g);
  fat_free(key);
  cJSON_Delete(check);
  cJSON_Delete(head);
  cJSON_Delete(item);
  return rc;
}

static fat_rc csv_header(csv_state *cs, const csv_rec *r, fat_err *err)
{
  size_t i, j;
  int have_item = 0;

  cs->ncols = r->n;
  cs->cols = fat_calloc(r->n, sizeof *cs->cols);
  if (cs->cols == NULL)
    return fat_err_oom(err);
  for (i = 0; i < r->n; i++) {
    const char *name = r->f[i];
    const csv_col *c;

    if (name[0] == '\0')
      return fat_err_set(err, FAT_EINVAL, "linha %ld: coluna %zu sem nome no cabeçalho",
                         r->line, i + 1);
    for (c = csv_cols; c->path != NULL; c++)
      if (strcasecmp(c->path, name) == 0)
        break;
    if (c->path == NULL)
      return fat_err_set(err, FAT_EINVAL,
                         "linha %ld: coluna desconhecida '%.60s' no cabeçalho (veja "
                         "docs/formatos.md)",
                         r->line, name);
    for (j = 0; j < i; j++)
      if (cs->cols[j] == c)
        return fat_err_set(err, FAT_EINVAL, "linha %ld: coluna '%s' repetida no cabeçalho",
                           r->line, c->path);
    cs->cols[i] = c;
    if (is_item_col(c->path))
      have_item = 1;
  }
  if (!have_item)
    return fat_err_set(err, FAT_EINVAL,
                       "linha %ld: o cabeçalho não tem colunas de item (item.codigo_tabela, "
                       "item.codigo, item.quantidade)",
                       r->line);
  return FAT_OK;
}

static fat_rc parse_csv_file(const char *text, size_t len, parsed *p, fat_err *err)
{
  csv_in in;
  csv_rec r;
  csv_state cs;
  int got, header = 0;
  size_t i;
  fat_rc rc = FAT_OK;

  memset(&r, 0, sizeof r);
  memset(&cs, 0, sizeof cs);
  in.b = text;
  in.len = len;
  in.pos = 0;
  in.line = 1;
  in.sep = csv_detect_sep(text, len);
  for (;;) {
    rc = csv_next(&in, &r, &got, err);
    if (rc != FAT_OK || !got)
      break;
    if (rec_blank(&r))
      continue;
    if (!header) {
      rc = csv_header(&cs, &r, err);
      if (rc != FAT_OK)
        break;
      header = 1;
      continue;
    }
    if (r.n > cs.ncols) {
      rc = fat_err_set(err, FAT_EINVAL,
                       "linha %ld: %zu campos, mas o cabeçalho tem %zu colunas (separador '%c')",
                       r.line, r.n, cs.ncols, in.sep);
      break;
    }
    rc = csv_line(&cs, &r, err);
    if (rc != FAT_OK)
      break;
  }
  rec_fini(&r);
  if (rc == FAT_OK && !header)
    rc = fat_err_set(err, FAT_EINVAL, "arquivo CSV vazio");
  for (i = 0; rc == FAT_OK && i < cs.n_grp; i++) {
    csv_group *gr = &cs.grp[i];
    fat_guia *g = NULL;
    char campo[128], cm[140];
    long line = gr->lines[0];

    cJSON_AddItemToObject(gr->head, "itens", gr->itens);
    gr->itens = NULL;
    rc = fat_guia_from_json_campo(gr->head, &g, campo, sizeof campo, err);
    if (rc != FAT_OK) {
      unsigned long k;

      if (sscanf(campo, "itens[%lu]", &k) == 1 && k < gr->n_lines)
        line = gr->lines[k];
      csv_campo(campo, cm, sizeof cm);
      fat_err_prefix(err, "linha %ld, campo %s: ", line, cm);
      break;
    }
    rc = parsed_push(p, g, fat_asprintf("linha %ld", line), err);
  }
  csv_state_fini(&cs);
  return rc;
}

/* }==================================================================== */

fat_rc fat_import_guias_buffer(fat_store *st, const char *data, size_t len, fat_formato fmt,
                               const char *origem, fat_import_result *res, fat_err *err)
{
  char *text = NULL;
  size_t tlen = 0, i;
  int conv = 0;
  parsed p;
  fat_rc rc;

  memset(res, 0, sizeof *res);
  memset(&p, 0, sizeof p);
  if (len > FAT_IMPORT_MAX_BYTES)
    return fat_err_set(err, FAT_ELIMIT, "arquivo grande demais (%zu bytes; máximo %zu MB)", len,
                       FAT_IMPORT_MAX_BYTES / (1024 * 1024));
  rc = fat_text_to_utf8(data, len, &text, &tlen, &conv, err);
  if (rc != FAT_OK)
    return rc;
  res->latin1 = conv;
  if (fmt == FAT_FMT_AUTO) {
    for (i = 0; i < tlen && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' ||
                             text[i] == '\n');
         i++)
      ;
    fmt = (i < tlen && (text[i] == '{' || text[i] == '[')) ? FAT_FMT_JSON : FAT_FMT_CSV;
  }
  if (fmt == FAT_FMT_JSON) {
    rc = fat_import_json_text(st, text, tlen, origem, res, err);
  } else {
    rc = parse_csv_file(text, tlen, &p, err);
    if (rc == FAT_OK)
      rc = store_all(st, &p, origem, res, err);
  }
  fat_free(text);
  parsed_fini(&p);
  if (rc != FAT_OK) {
    long l = res->latin1;

    memset(res, 0, sizeof *res);
    res->latin1 = (int)l;
  }
  return rc;
}

fat_rc fat_import_guias_file(fat_store *st, const char *path, fat_formato fmt,
                             fat_import_result *res, fat_err *err)
{
  char *data = NULL;
  size_t len = 0;
  int streamed = 0;
  fat_rc rc;

  memset(res, 0, sizeof *res);
  if (fmt == FAT_FMT_AUTO)
    fmt = fat_formato_from_path(path);
  /* a JSON file of plain UTF-8 is streamed into the transaction
  ** (fat_import_json.c); anything else is read whole */
  if (fmt == FAT_FMT_JSON) {
    rc = fat_import_json_stream(st, path, res, &streamed, err);
    if (streamed)
      return rc;
  }
  rc = fat_file_read(path, FAT_IMPORT_MAX_BYTES, &data, &len, err);
  if (rc == FAT_ELIMIT)
    return fat_err_set(err, FAT_ELIMIT, "%s: arquivo grande demais (máximo %zu MB)", path,
                       FAT_IMPORT_MAX_BYTES / (1024 * 1024));
  if (rc != FAT_OK)
    return rc;
  rc = fat_import_guias_buffer(st, data, len, fmt, path, res, err);
  fat_free(data);
  if (rc != FAT_OK)
    fat_err_prefix(err, "%s: ", path);
  return rc;
}

/* {====================================================================
** Export
** ===================================================================== */

/* Text of a JSON value for one CSV cell into buf. */
static void cell_text(const cJSON *v, int decimal, char *buf, size_t len, const char **out)
{
  *out = "";
  if (v == NULL || cJSON_IsNull(v))
    return;
  if (cJSON_IsBool(v)) {
    *out = cJSON_IsTrue(v) ? "1" : "0";
  } else if (cJSON_IsNumber(v)) {
    snprintf(buf, len, "%d", v->valueint);
    *out = buf;
  } else if (cJSON_IsString(v)) {
    if (decimal && strlen(v->valuestring) < len) {
      char *c;

      snprintf(buf, len, "%s", v->valuestring);
      c = strchr(buf, '.');
      if (c != NULL)
        *c = ',';
      *out = buf;
    } else {
      *out = v->valuestring;
    }
  }
}

static fat_rc export_csv_guia(fat_csv *w, const cJSON *j, fat_err *err)
{
  const cJSON *itens = cJSON_GetObjectItemCaseSensitive(j, "itens"), *it;
  char buf[64];
  fat_rc rc = FAT_OK;

  cJSON_ArrayForEach(it, itens)
  {
    const csv_col *c;

    for (c = csv_cols; rc == FAT_OK && c->path != NULL; c++) {
      const cJSON *v = is_item_col(c->path) ? json_get_path(it, c->path + 5)
                                            : json_get_path(j, c->path);
      const char *t;

      cell_text(v, c->decimal, buf, sizeof buf, &t);
      rc = fat_csv_text(w, t, err);
    }
    if (rc == FAT_OK)
      rc = fat_csv_end_row(w, err);
    if (rc != FAT_OK)
      break;
  }
  return rc;
}

fat_rc fat_export_guias(fat_store *st, const fat_export_filter *f, fat_formato fmt, char **out,
                        size_t *len, size_t *n_guias, fat_err *err)
{
  static const char sql[] =
      "SELECT id FROM guia WHERE (?1 = 0 OR operadora_id = ?1) AND (?2 IS NULL OR "
      "competencia = ?2) ORDER BY id";
  fat_stmt *s;
  int64_t *ids = NULL, op = 0;
  size_t n = 0, cap = 0, i;
  cJSON *root = NULL, *arr = NULL;
  fat_buf b;
  fat_csv w;
  int r;
  fat_rc rc;

  *out = NULL;
  if (len != NULL)
    *len = 0;
  if (n_guias != NULL)
    *n_guias = 0;
  fat_buf_init(&b, (size_t)1 << 31);
  if (f != NULL && f->operadora != NULL) {
    rc = fat_operadora_resolver(st, f->operadora, &op, err);
    if (rc != FAT_OK)
      return rc;
  }
  if (f != NULL && f->competencia != NULL && !fat_dia_competencia_valida(f->competencia))
    return fat_err_set(err, FAT_EINVAL, "competência inválida '%s' (use AAAA-MM)",
                       f->competencia);
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, op);
  fat_bind_text(s, 2, f != NULL ? f->competencia : NULL);
  for (r = fat_stmt_step(s); r == FAT_ROW; r = fat_stmt_step(s)) {
    if (n == cap) {
      size_t ncap = cap == 0 ? 256 : cap * 2;
      int64_t *ni = fat_realloc(ids, ncap * sizeof *ni);

      if (ni == NULL) {
        fat_stmt_reset(s);
        rc = fat_err_oom(err);
        goto out;
      }
      ids = ni;
      cap = ncap;
    }
    ids[n++] = fat_col_int64(s, 0);
  }
  fat_stmt_reset(s);
  if (r != FAT_DONE) {
    rc = fat_store_dberr(st, err, "erro ao listar guias");
    goto out;
  }
  if (fmt == FAT_FMT_CSV) {
    const csv_col *c;

    rc = fat_csv_begin(&w, &b, err);
    for (c = csv_cols; rc == FAT_OK && c->path != NULL; c++)
      rc = fat_csv_text(&w, c->path, err);
    if (rc == FAT_OK)
      rc = fat_csv_end_row(&w, err);
  } else {
    root = cJSON_CreateObject();
    arr = root != NULL ? cJSON_AddArrayToObject(root, "guias") : NULL;
    if (arr == NULL)
      rc = fat_err_oom(err);
  }
  for (i = 0; rc == FAT_OK && i < n; i++) {
    fat_guia *g = NULL;
    cJSON *j;

    rc = fat_guia_load(st, ids[i], &g, err);
    if (rc != FAT_OK)
      break;
    j = fat_guia_to_json(g);
    fat_guia_free(g);
    if (j == NULL) {
      rc = fat_err_oom(err);
      break;
    }
    if (fmt == FAT_FMT_CSV) {
      rc = export_csv_guia(&w, j, err);
      cJSON_Delete(j);
    } else {
      cJSON_AddItemToArray(arr, j);
    }
  }
  if (rc != FAT_OK)
    goto out;
  if (fmt == FAT_FMT_CSV) {
    if (b.data == NULL)
      rc = fat_buf_append(&b, "", 0, err);
    if (rc != FAT_OK)
      goto out;
    if (len != NULL)
      *len = b.len;
    *out = fat_buf_take(&b);
  } else {
    char *txt = cJSON_Print(root);

    if (txt == NULL) {
      rc = fat_err_oom(err);
      goto out;
    }
    rc = fat_buf_puts(&b, txt, err);
    if (rc == FAT_OK)
      rc = fat_buf_append(&b, "\n", 1, err);
    cJSON_free(txt);
    if (rc != FAT_OK)
      goto out;
    if (len != NULL)
      *len = b.len;
    *out = fat_buf_take(&b);
  }
  if (*out == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  if (n_guias != NULL)
    *n_guias = n;
out:
  fat_buf_fini(&b);
  cJSON_Delete(root);
  fat_free(ids);
  return rc;
}

/* }==================================================================== */
