/* fat_import.c: files of guias in (JSON, CSV); fat_export.c writes them out. */
#include "fat_import.h"
#include "fat_import_int.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "fat_mem.h"
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

typedef fat_import_col csv_col;

const fat_import_col fat_import_cols[] = {
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

/* }==================================================================== */

/* {====================================================================
** CSV reader
** ===================================================================== */

typedef struct csv_rec {
  char **f;
  size_t n, cap;
  long line;     /* physical line where the record starts (1-based) */
  long long off; /* where it starts in the input */
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

/* The input: the whole text in memory (f == NULL), or a file read
** FAT_IMPORT_CHUNK bytes at a time, so a record, even a quoted field with
** line breaks, may straddle two reads. */
typedef struct csv_in {
  FILE *f;
  char *buf;      /* f's read buffer */
  const char *b;  /* text (memory) or buf (file) */
  size_t len, pos;
  long long base; /* offset in the input of b[0] */
  int eof, ioerr;
  long line;      /* current physical line */
  char sep;
} csv_in;

/* Read the next piece of the file into b; 0 at its end (or on a read error,
** then ioerr is set). */
static int in_fill(csv_in *in)
{
  if (in->f == NULL || in->eof)
    return 0;
  in->base += (long long)in->len;
  in->len = fread(in->buf, 1, FAT_IMPORT_CHUNK, in->f);
  in->pos = 0;
  if (in->len == 0) {
    in->eof = 1;
    in->ioerr = ferror(in->f) != 0;
  }
  return in->len > 0;
}

/* The next byte, not taken; -1 at the end of the input. */
static int in_peek(csv_in *in)
{
  if (in->pos >= in->len && !in_fill(in))
    return -1;
  return (unsigned char)in->b[in->pos];
}

static long long in_offset(const csv_in *in) { return in->base + (long long)in->pos; }

/* Read on from offset off (a record start met before), at line line. */
static int in_seek(csv_in *in, long long off, long line)
{
  in->line = line;
  if (in->f == NULL) {
    in->pos = (size_t)off;
    return 0;
  }
  if (fseeko(in->f, (off_t)off, SEEK_SET) != 0)
    return -1;
  in->base = off;
  in->len = 0;
  in->pos = 0;
  in->eof = 0;
  return 0;
}

/* Read the next record; *got = 0 at end of input. Fields are owned by r. */
static fat_rc csv_next(csv_in *in, csv_rec *r, int *got, fat_err *err)
{
  fat_buf fb;
  fat_rc rc = FAT_OK;
  int c;

  rec_clear(r);
  *got = 0;
  fat_buf_init(&fb, FAT_IMPORT_MAX_BYTES);
  if (in_peek(in) < 0)
    goto out;
  *got = 1;
  r->line = in->line;
  r->off = in_offset(in);
  for (;;) {
    fat_buf_reset(&fb);
    rc = fat_buf_append(&fb, "", 0, err);
    if (rc != FAT_OK)
      goto out;
    for (c = in_peek(in); c == ' ' || c == '\t'; c = in_peek(in))
      in->pos++;
    if (c == '"') {
      in->pos++;
      for (;;) {
        size_t start = in->pos;

        while (in->pos < in->len && in->b[in->pos] != '"') {
          if (in->b[in->pos] == '\n')
            in->line++;
          in->pos++;
        }
        rc = fat_buf_append(&fb, in->b + start, in->pos - start, err);
        if (rc != FAT_OK)
          goto out;
        if (in->pos >= in->len) { /* the field goes on in the next read */
          if (in_fill(in))
            continue;
          rc = fat_err_set(err, FAT_EINVAL, "linha %ld: aspas não fechadas", r->line);
          goto out;
        }
        in->pos++; /* the quote */
        if (in_peek(in) == '"') {
          rc = fat_buf_append(&fb, "\"", 1, err);
          if (rc != FAT_OK)
            goto out;
          in->pos++;
          continue;
        }
        break;
      }
      for (c = in_peek(in); c == ' ' || c == '\t'; c = in_peek(in))
        in->pos++;
      if (c >= 0 && c != in->sep && c != '\r' && c != '\n') {
        rc = fat_err_set(err, FAT_EINVAL,
                         "linha %ld: texto depois de um campo entre aspas (use \"\" para aspas "
                         "dentro do campo)",
                         in->line);
        goto out;
      }
    } else {
      for (;;) {
        size_t start = in->pos;

        while (in->pos < in->len && in->b[in->pos] != in->sep && in->b[in->pos] != '\r' &&
               in->b[in->pos] != '\n')
          in->pos++;
        rc = fat_buf_append(&fb, in->b + start, in->pos - start, err);
        if (rc != FAT_OK)
          goto out;
        if (in->pos < in->len || !in_fill(in))
          break;
      }
      while (fb.len > 0 && (fb.data[fb.len - 1] == ' ' || fb.data[fb.len - 1] == '\t'))
        fb.len--;
    }
    rc = rec_push(r, fat_strndup(fb.data, fb.len), err);
    if (rc != FAT_OK)
      goto out;
    c = in_peek(in);
    if (c == in->sep) {
      in->pos++;
      continue;
    }
    if (c == '\r') {
      in->pos++;
      c = in_peek(in);
    }
    if (c == '\n')
      in->pos++;
    in->line++;
    break;
  }
out:
  if (rc == FAT_OK && in->ioerr)
    rc = fat_err_set(err, FAT_EIO, "erro ao ler o arquivo: %s", strerror(errno));
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
** Storing one guia
** ===================================================================== */

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

void fat_import_ids_fini(fat_import_ids *ids)
{
  int i;

  for (i = 0; i < ids->n_op; i++)
    fat_free(ids->op[i].key);
  for (i = 0; i < ids->n_pr; i++)
    fat_free(ids->pr[i].key);
  fat_guia_saver_free(ids->saver);
  memset(ids, 0, sizeof *ids);
}

fat_rc fat_import_ids_finish(fat_import_ids *ids, fat_store *st, fat_err *err)
{
  return fat_guia_saver_finish(ids->saver, st, err);
}

/* The operadora of registro ANS reg: from the run's cache, else looked up
** (and kept while there is room). */
static fat_rc cached_operadora(fat_store *st, fat_import_ids *ids, const char *reg, int64_t *id,
                               fat_err *err)
{
  fat_rc rc;
  int i;

  for (i = 0; ids != NULL && reg != NULL && i < ids->n_op; i++) {
    if (strcmp(ids->op[i].key, reg) == 0) {
      *id = ids->op[i].id;
      return FAT_OK;
    }
  }
  rc = fat_operadora_por_registro(st, reg, id, err);
  if (rc == FAT_OK && ids != NULL && reg != NULL && ids->n_op < FAT_IMPORT_IDS_MAX) {
    ids->op[ids->n_op].key = fat_strdup(reg);
    if (ids->op[ids->n_op].key != NULL)
      ids->op[ids->n_op++].id = *id;
  }
  return rc;
}

/* The prestador of CNPJ cnpj or CPF cpf, cached as cached_operadora. */
static fat_rc cached_prestador(fat_store *st, fat_import_ids *ids, const char *cnpj,
                               const char *cpf, int64_t *id, fat_err *err)
{
  char key[64];
  fat_rc rc;
  int i;

  /* "cnpj\x1fcpf" without printf (once per guia) */
  {
    size_t a = cnpj != NULL ? strlen(cnpj) : 0, b = cpf != NULL ? strlen(cpf) : 0;

    if (a + b + 2 > sizeof key)
      return fat_prestador_id(st, cnpj, cpf, id, err); /* never kept */
    memcpy(key, cnpj != NULL ? cnpj : "", a);
    key[a] = '\x1f';
    memcpy(key + a + 1, cpf != NULL ? cpf : "", b);
    key[a + 1 + b] = '\0';
  }
  for (i = 0; ids != NULL && i < ids->n_pr; i++) {
    if (strcmp(ids->pr[i].key, key) == 0) {
      *id = ids->pr[i].id;
      return FAT_OK;
    }
  }
  rc = fat_prestador_id(st, cnpj, cpf, id, err);
  if (rc == FAT_OK && ids != NULL && ids->n_pr < FAT_IMPORT_IDS_MAX) {
    ids->pr[ids->n_pr].key = fat_strdup(key);
    if (ids->pr[ids->n_pr].key != NULL)
      ids->pr[ids->n_pr++].id = *id;
  }
  return rc;
}

fat_rc fat_import_store_one(fat_store *st, fat_guia *g, const char *label, const char *origem,
                            fat_import_ids *ids, fat_import_result *res, fat_err *err)
{
  cJSON *antes = NULL;
  static const char sql[] = "SELECT id, status, lote_id FROM guia WHERE operadora_id = ?1 AND "
                            "prestador_id = ?2 AND numero_prestador = ?3";
  fat_stmt *s;
  int64_t oid, pid, id = 0, lote = 0;
  char status[24] = "";
  int r;
  fat_rc rc;

  rc = cached_operadora(st, ids, g->operadora.registro_ans, &oid, err);
  if (rc != FAT_OK)
    return fat_err_prefix(err, "%s, campo operadora.registro_ans: ", label);
  rc = cached_prestador(st, ids, g->prestador.cnpj, g->prestador.cpf, &pid, err);
  if (rc != FAT_OK)
    return fat_err_prefix(err, "%s, campo prestador.%s: ", label,
                          g->prestador.cnpj != NULL ? "cnpj" : "cpf");
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, oid);
  fat_bind_int(s, 2, pid);
  fat_bind_text_static(s, 3, g->numero_prestador);
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
  if (rc == FAT_OK && ids != NULL && ids->saver == NULL) {
    rc = fat_guia_saver_new(&ids->saver, err);
    if (rc == FAT_OK && ids->bulk)
      fat_guia_saver_bulk(ids->saver);
  }
  if (rc == FAT_OK)
    rc = fat_guia_saver_save(ids != NULL ? ids->saver : NULL, st, g, oid, pid, err);
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


/* }==================================================================== */

/* {====================================================================
** CSV import
**
** Two passes over the input, so that what stays in memory does not grow
** with the file's text (a CSV was held whole, then every guia of it):
**  1. every record is read and checked on its own (the guia's columns and
**     its item; errors name the line) and its guia found by key (operadora
**     + prestador + numero_prestador). Kept per guia: the key, its first
**     line and where it starts, a hash of that line's guia columns (a later
**     line with other values is refused naming both lines) and how many
**     lines it has; and the runs of consecutive lines of one guia.
**  2. the input is read again, run by run, in one transaction: a guia is
**     assembled from its lines and stored when its last line has been read.
**     The lines of a guia need not be together; only guias still waiting
**     for a line are in memory (none, when each guia's lines are together,
**     as the export writes them).
** ===================================================================== */

typedef struct csv_group {
  char *key;
  long first_line;     /* line of its first record */
  long long first_off; /* where that record starts in the input */
  uint64_t vals_hash;  /* of that record's guia columns */
  size_t n_lines;      /* records of this guia in the input */
  size_t n_read;       /* of them read in the second pass */
  /* second pass, while the guia is assembled */
  cJSON *head;         /* guia fields of the first line */
  cJSON *itens;        /* one item per line */
  long *lines;         /* line of each item */
  csv_rec first;       /* the first line's raw values */
} csv_group;

typedef struct csv_run {
  size_t grp; /* group index */
  size_t n;   /* consecutive records of it */
} csv_run;

typedef struct csv_state {
  const csv_col **cols; /* column of each header position */
  size_t ncols;
  csv_group *grp;
  size_t n_grp, cap_grp;
  size_t *hash; /* open addressing: group index + 1, 0 = empty */
  size_t hcap;
  csv_run *runs;
  size_t n_runs, cap_runs;
  long long data_off; /* the first record after the header */
  long data_line;
} csv_state;

/* Free what the second pass assembled for gr. */
static void group_asm_fini(csv_group *gr)
{
  cJSON_Delete(gr->head);
  cJSON_Delete(gr->itens);
  fat_free(gr->lines);
  rec_fini(&gr->first);
  gr->head = NULL;
  gr->itens = NULL;
  gr->lines = NULL;
}

static void csv_state_fini(csv_state *cs)
{
  size_t i;

  for (i = 0; i < cs->n_grp; i++) {
    fat_free(cs->grp[i].key);
    group_asm_fini(&cs->grp[i]);
  }
  fat_free(cs->grp);
  fat_free(cs->hash);
  fat_free(cs->cols);
  fat_free(cs->runs);
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

static int is_guia_col(const csv_state *cs, size_t i)
{
  return cs->cols[i] != NULL && !is_item_col(cs->cols[i]->path);
}

/* FNV-1a of the raw guia-column values of r. */
static uint64_t vals_hash(const csv_state *cs, const csv_rec *r)
{
  uint64_t h = 1469598103934665603ULL;
  size_t i;
  const char *v;

  for (i = 0; i < cs->ncols; i++) {
    if (!is_guia_col(cs, i))
      continue;
    for (v = rec_val(r, i); *v != '\0'; v++)
      h = (h ^ (unsigned char)*v) * 1099511628211ULL;
    h = (h ^ 0x1f) * 1099511628211ULL;
  }
  return h;
}

/* The guia columns of r (line r->line) against the values of the guia's
** first line: the error naming both lines at the first that differs, or
** FAT_OK when they are equal. */
static fat_rc vals_differ(const csv_state *cs, const csv_rec *r, const csv_rec *first,
                          long first_line, fat_err *err)
{
  size_t i;

  for (i = 0; i < cs->ncols; i++) {
    if (!is_guia_col(cs, i) || strcmp(rec_val(r, i), rec_val(first, i)) == 0)
      continue;
    return fat_err_set(err, FAT_EINVAL,
                       "linha %ld, campo %s: valor '%.60s' difere do da linha %ld ('%.60s'); "
                       "as colunas da guia devem ser iguais em todas as linhas da mesma guia",
                       r->line, cs->cols[i]->path, rec_val(r, i), first_line, rec_val(first, i));
  }
  return FAT_OK;
}

/* Set the columns of r into head (guia columns) and item (item columns;
** either may be NULL to skip them); empty values are absent. 0 on OOM. */
static int rec_to_json(const csv_state *cs, const csv_rec *r, cJSON *head, cJSON *item)
{
  size_t i;

  for (i = 0; i < cs->ncols; i++) {
    const char *v = rec_val(r, i);

    if (cs->cols[i] == NULL || v[0] == '\0')
      continue;
    if (is_item_col(cs->cols[i]->path)) {
      if (item != NULL && !json_set_path(item, cs->cols[i]->path + 5, v))
        return 0;
    } else if (head != NULL && !json_set_path(head, cs->cols[i]->path, v)) {
      return 0;
    }
  }
  return 1;
}

/* First pass, a line of r's guia with a hash other than the first line's:
** read the first line again to name the column (the input is left where it
** was). */
static fat_rc csv_refetch_differ(csv_state *cs, csv_in *in, const csv_group *gr,
                                 const csv_rec *r, fat_err *err)
{
  long long here = in_offset(in);
  long line = in->line;
  csv_rec first;
  int got = 0;
  fat_rc rc;

  memset(&first, 0, sizeof first);
  if (in_seek(in, gr->first_off, gr->first_line) != 0)
    return fat_err_set(err, FAT_EIO, "erro ao ler o arquivo: %s", strerror(errno));
  rc = csv_next(in, &first, &got, err);
  if (rc == FAT_OK && got)
    rc = vals_differ(cs, r, &first, gr->first_line, err);
  rec_fini(&first);
  if (rc == FAT_OK && in_seek(in, here, line) != 0)
    rc = fat_err_set(err, FAT_EIO, "erro ao ler o arquivo: %s", strerror(errno));
  return rc;
}

/* First pass: check one line on its own and count it in its guia. */
static fat_rc csv_check_line(csv_state *cs, csv_in *in, const csv_rec *r, fat_err *err)
{
  cJSON *check = cJSON_CreateObject(), *item = cJSON_CreateObject(), *arr;
  fat_guia *g = NULL;
  char campo[128], cm[140], *key = NULL;
  size_t gi, slot = 0;
  uint64_t h;
  csv_group *gr;
  fat_rc rc;

  if (check == NULL || item == NULL || !rec_to_json(cs, r, check, item))
    goto oom;
  /* the guia fields + this item */
  arr = cJSON_AddArrayToObject(check, "itens");
  if (arr == NULL)
    goto oom;
  cJSON_AddItemToArray(arr, item);
  item = NULL;
  rc = fat_guia_from_json_campo(check, &g, campo, sizeof campo, err);
  if (rc != FAT_OK) {
    csv_campo(campo, cm, sizeof cm);
    if (cm[0] != '\0')
      fat_err_prefix(err, "linha %ld, campo %s: ", r->line, cm);
    else
      fat_err_prefix(err, "linha %ld: ", r->line);
    goto out;
  }
  key = fat_asprintf("%s\x1f%s\x1f%s\x1f%s", g->operadora.registro_ans,
                     g->prestador.cnpj != NULL ? g->prestador.cnpj : "",
                     g->prestador.cpf != NULL ? g->prestador.cpf : "", g->numero_prestador);
  if (key == NULL)
    goto oom;
  if (cs->n_grp * 2 >= cs->hcap) {
    rc = hash_grow(cs, err);
    if (rc != FAT_OK)
      goto out;
  }
  h = vals_hash(cs, r);
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
    gi = cs->n_grp++;
    gr = &cs->grp[gi];
    memset(gr, 0, sizeof *gr);
    cs->hash[slot] = cs->n_grp;
    gr->key = key;
    key = NULL;
    gr->first_line = r->line;
    gr->first_off = r->off;
    gr->vals_hash = h;
  } else {
    gr = &cs->grp[gi];
    if (h != gr->vals_hash) {
      rc = csv_refetch_differ(cs, in, gr, r, err);
      if (rc != FAT_OK)
        goto out;
    }
  }
  gr->n_lines++;
  if (cs->n_runs > 0 && cs->runs[cs->n_runs - 1].grp == gi) {
    cs->runs[cs->n_runs - 1].n++;
  } else {
    if (cs->n_runs == cs->cap_runs) {
      size_t cap = cs->cap_runs == 0 ? 64 : cs->cap_runs * 2;
      csv_run *nr = fat_realloc(cs->runs, cap * sizeof *nr);

      if (nr == NULL)
        goto oom;
      cs->runs = nr;
      cs->cap_runs = cap;
    }
    cs->runs[cs->n_runs].grp = gi;
    cs->runs[cs->n_runs].n = 1;
    cs->n_runs++;
  }
  rc = FAT_OK;
  goto out;
oom:
  rc = fat_err_oom(err);
out:
  fat_guia_free(g);
  fat_free(key);
  cJSON_Delete(check);
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
    for (c = fat_import_cols; c->path != NULL; c++)
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

/* First pass over the whole input. */
static fat_rc csv_scan(csv_state *cs, csv_in *in, fat_err *err)
{
  csv_rec r;
  int got, header = 0;
  fat_rc rc;

  memset(&r, 0, sizeof r);
  for (;;) {
    rc = csv_next(in, &r, &got, err);
    if (rc != FAT_OK || !got)
      break;
    if (rec_blank(&r))
      continue;
    if (!header) {
      rc = csv_header(cs, &r, err);
      if (rc != FAT_OK)
        break;
      header = 1;
      cs->data_off = in_offset(in);
      cs->data_line = in->line;
      continue;
    }
    if (r.n > cs->ncols) {
      rc = fat_err_set(err, FAT_EINVAL,
                       "linha %ld: %zu campos, mas o cabeçalho tem %zu colunas (separador '%c')",
                       r.line, r.n, cs->ncols, in->sep);
      break;
    }
    rc = csv_check_line(cs, in, &r, err);
    if (rc != FAT_OK)
      break;
  }
  rec_fini(&r);
  if (rc == FAT_OK && !header)
    rc = fat_err_set(err, FAT_EINVAL, "arquivo CSV vazio");
  if (rc == FAT_OK && cs->n_grp == 0)
    rc = fat_err_set(err, FAT_EINVAL, "o arquivo não contém nenhuma guia");
  return rc;
}

/* Second pass: add record r to its guia gr. */
static fat_rc csv_assemble(csv_state *cs, csv_group *gr, const csv_rec *r, fat_err *err)
{
  cJSON *item;
  size_t i;
  fat_rc rc;

  if (gr->n_read == 0) {
    if (gr->n_lines > 10000) {
      fat_err_set(err, FAT_ELIMIT, "itens demais (máximo 10000 por guia)");
      return fat_err_prefix(err, "linha %ld, campo itens: ", gr->first_line);
    }
    gr->head = cJSON_CreateObject();
    gr->itens = cJSON_CreateArray();
    gr->lines = fat_malloc(gr->n_lines * sizeof *gr->lines);
    if (gr->head == NULL || gr->itens == NULL || gr->lines == NULL ||
        !rec_to_json(cs, r, gr->head, NULL))
      return fat_err_oom(err);
    for (i = 0; i < r->n; i++) {
      rc = rec_push(&gr->first, fat_strdup(r->f[i]), err);
      if (rc != FAT_OK)
        return rc;
    }
  } else {
    rc = vals_differ(cs, r, &gr->first, gr->first_line, err);
    if (rc != FAT_OK)
      return rc;
  }
  if (gr->n_read >= gr->n_lines)
    return fat_err_set(err, FAT_EIO, "o arquivo mudou durante a importação");
  item = cJSON_CreateObject();
  if (item == NULL || !rec_to_json(cs, r, NULL, item)) {
    cJSON_Delete(item);
    return fat_err_oom(err);
  }
  cJSON_AddItemToArray(gr->itens, item);
  gr->lines[gr->n_read++] = r->line;
  return FAT_OK;
}

/* Second pass: every line of gr was read: check the guia whole and store it. */
static fat_rc csv_store_group(fat_store *st, csv_group *gr, const char *origem,
                              fat_import_ids *ids, fat_import_result *res, fat_err *err)
{
  fat_guia *g = NULL;
  char campo[128], cm[140], label[40];
  long line = gr->first_line;
  fat_rc rc;

  cJSON_AddItemToObject(gr->head, "itens", gr->itens);
  gr->itens = NULL;
  rc = fat_guia_from_json_campo(gr->head, &g, campo, sizeof campo, err);
  if (rc != FAT_OK) {
    unsigned long k;

    if (sscanf(campo, "itens[%lu]", &k) == 1 && k < gr->n_read)
      line = gr->lines[k];
    csv_campo(campo, cm, sizeof cm);
    fat_err_prefix(err, "linha %ld, campo %s: ", line, cm);
  } else {
    snprintf(label, sizeof label, "linha %ld", line);
    rc = fat_import_store_one(st, g, label, origem, ids, res, err);
  }
  fat_guia_free(g);
  group_asm_fini(gr);
  return rc;
}

/* Second pass over the input, inside the caller's transaction. */
static fat_rc csv_store(fat_store *st, csv_state *cs, csv_in *in, const char *origem,
                        fat_import_result *res, fat_err *err)
{
  fat_import_ids ids;
  csv_rec r;
  size_t ri, k;
  int got = 0;
  fat_rc rc = FAT_OK;

  memset(&ids, 0, sizeof ids);
  ids.bulk = 1; /* finished below */
  memset(&r, 0, sizeof r);
  if (in_seek(in, cs->data_off, cs->data_line) != 0)
    rc = fat_err_set(err, FAT_EIO, "erro ao ler o arquivo: %s", strerror(errno));
  for (ri = 0; rc == FAT_OK && ri < cs->n_runs; ri++) {
    csv_group *gr = &cs->grp[cs->runs[ri].grp];

    for (k = 0; rc == FAT_OK && k < cs->runs[ri].n; k++) {
      do
        rc = csv_next(in, &r, &got, err);
      while (rc == FAT_OK && got && rec_blank(&r));
      if (rc == FAT_OK && !got)
        rc = fat_err_set(err, FAT_EIO, "o arquivo mudou durante a importação");
      if (rc == FAT_OK)
        rc = csv_assemble(cs, gr, &r, err);
    }
    if (rc == FAT_OK && gr->n_read == gr->n_lines)
      rc = csv_store_group(st, gr, origem, &ids, res, err);
  }
  if (rc == FAT_OK)
    rc = fat_import_ids_finish(&ids, st, err);
  rec_fini(&r);
  fat_import_ids_fini(&ids);
  return rc;
}

/* Import the CSV of in: check it whole, then store it in one transaction. */
static fat_rc import_csv(fat_store *st, csv_in *in, const char *origem, fat_import_result *res,
                         fat_err *err)
{
  char detail[256];
  csv_state cs;
  fat_rc rc;

  memset(&cs, 0, sizeof cs);
  rc = csv_scan(&cs, in, err);
  if (rc == FAT_OK)
    rc = fat_store_begin_bulk(st, err);
  if (rc != FAT_OK)
    goto out;
  rc = csv_store(st, &cs, in, origem, res, err);
  if (rc == FAT_OK) {
    snprintf(detail, sizeof detail, "%s: %ld novas, %ld atualizadas, %ld itens",
             origem != NULL ? origem : "(memória)", res->novas, res->atualizadas, res->itens);
    rc = fat_store_audit(st, "guia.importar", NULL, detail, err);
  }
  if (rc == FAT_OK)
    rc = fat_store_commit(st, err);
  else
    fat_store_rollback(st);
out:
  csv_state_fini(&cs);
  return rc;
}

/* A CSV file of plain UTF-8 imported as it is read (two passes, above):
** *handled = 0 for any other file (nothing done: the caller reads it
** whole, which decides its encoding and its errors). */
static fat_rc csv_stream(fat_store *st, const char *path, fat_import_result *res, int *handled,
                         fat_err *err)
{
  FILE *f;
  unsigned char *buf;
  csv_in in;
  fat_rc rc;

  memset(res, 0, sizeof *res);
  memset(&in, 0, sizeof in);
  *handled = 0;
  rc = fat_import_stream_open(path, 0, &f, &buf, err);
  if (rc != FAT_OK) {
    *handled = 1;
    fat_err_prefix(err, "%s: ", path);
    return rc;
  }
  if (f == NULL)
    return FAT_OK;
  *handled = 1;
  in.f = f;
  in.buf = (char *)buf;
  in.b = in.buf;
  in.line = 1;
  if (in_peek(&in) >= 0) {
    if (in.len >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF)
      in.pos = 3; /* BOM */
    in.sep = csv_detect_sep(in.b + in.pos, in.len - in.pos);
  }
  rc = import_csv(st, &in, path, res, err);
  if (rc != FAT_OK) {
    memset(res, 0, sizeof *res);
    fat_err_prefix(err, "%s: ", path);
  }
  fat_free(buf);
  fclose(f);
  return rc;
}

/* }==================================================================== */

fat_rc fat_import_guias_buffer(fat_store *st, const char *data, size_t len, fat_formato fmt,
                               const char *origem, fat_import_result *res, fat_err *err)
{
  char *text = NULL;
  size_t tlen = 0, i;
  int conv = 0;
  fat_rc rc;

  memset(res, 0, sizeof *res);
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
    csv_in in;

    memset(&in, 0, sizeof in);
    in.b = text;
    in.len = tlen;
    in.line = 1;
    in.sep = csv_detect_sep(text, tlen);
    rc = import_csv(st, &in, origem, res, err);
  }
  fat_free(text);
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
  /* a file of plain UTF-8 is streamed into the transaction (JSON:
  ** fat_import_json.c; CSV: above); anything else is read whole */
  if (fmt == FAT_FMT_JSON) {
    rc = fat_import_json_stream(st, path, res, &streamed, err);
    if (streamed)
      return rc;
  } else if (fmt == FAT_FMT_CSV) {
    rc = csv_stream(st, path, res, &streamed, err);
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
