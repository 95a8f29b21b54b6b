/* fat_agenda.c: schedule vs guias (see fat_agenda.h). */
#include "fat_agenda.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fat_dia.h"
#include "fat_docnum.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_price.h"
#include "fat_store_int.h"

#define AGENDA_MAX_BYTES (64u * 1024u * 1024u)

typedef struct linha {
  int n;             /* line number in the file */
  char data[11];
  char hora[9];
  char benef[32];
  char prof[48];
  char proc[16];
  char situacao[12];
} linha;

static void trim_copy(char *dst, size_t cap, const char *s, size_t n)
{
  while (n > 0 && (*s == ' ' || *s == '"' || *s == '\t')) {
    s++;
    n--;
  }
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '"' || s[n - 1] == '\r' || s[n - 1] == '\t'))
    n--;
  if (n >= cap)
    n = cap - 1;
  memcpy(dst, s, n);
  dst[n] = '\0';
}

/* Remove punctuation from a CPF-looking value. */
static void norm_doc(char *s)
{
  char *w = s;
  const char *r;
  int digits_only = 1;

  for (r = s; *r != '\0'; r++)
    if (!((*r >= '0' && *r <= '9') || *r == '.' || *r == '-'))
      digits_only = 0;
  if (!digits_only)
    return;
  for (r = s; *r != '\0'; r++)
    if (*r >= '0' && *r <= '9')
      *w++ = *r;
  *w = '\0';
}

static fat_rc add_error(cJSON *errs, int line, const char *msg, fat_err *err)
{
  cJSON *o = cJSON_CreateObject();

  if (o == NULL)
    return fat_err_oom(err);
  cJSON_AddItemToArray(errs, o);
  if (cJSON_AddNumberToObject(o, "linha", line) == NULL ||
      cJSON_AddStringToObject(o, "mensagem", msg) == NULL)
    return fat_err_oom(err);
  return FAT_OK;
}

/* Parse the file into rows; bad rows go to errs. */
static fat_rc parse(const char *text, linha **rows, size_t *n_rows, cJSON *errs, fat_err *err)
{
  const char *p = text;
  linha *v = NULL, *nv;
  size_t n = 0, cap = 0;
  int lineno = 0;
  fat_rc rc;

  if ((unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB && (unsigned char)p[2] == 0xBF)
    p += 3;
  while (*p != '\0') {
    const char *end = p + strcspn(p, "\n");
    char sep = memchr(p, ';', (size_t)(end - p)) != NULL ? ';' : ',';
    const char *f[6];
    size_t len[6];
    int k = 0;
    const char *q = p;
    linha l;
    char msg[sizeof ((fat_err *)NULL)->msg];

    lineno++;
    memset(&l, 0, sizeof l);
    while (k < 6) {
      const char *e = q;

      while (e < end && *e != sep)
        e++;
      f[k] = q;
      len[k] = (size_t)(e - q);
      k++;
      if (e >= end)
        break;
      q = e + 1;
    }
    p = *end == '\n' ? end + 1 : end;
    if (k == 1 && len[0] <= 1)
      continue; /* empty line */
    if (k < 6) {
      snprintf(msg, sizeof msg, "esperava 6 colunas (data;hora;beneficiario;profissional;"
                                "procedimento;situacao), achei %d", k);
      rc = add_error(errs, lineno, msg, err);
      if (rc != FAT_OK)
        goto fail;
      continue;
    }
    if (lineno == 1 && len[0] >= 4 && strncmp(f[0], "data", 4) == 0)
      continue; /* header */
    {
      char raw[16];
      fat_err why;

      trim_copy(raw, sizeof raw, f[0], len[0]);
      if (fat_dia_ler(raw, NULL, l.data, &why) != FAT_OK) {
        snprintf(msg, sizeof msg, "%s", why.msg);
        rc = add_error(errs, lineno, msg, err);
        if (rc != FAT_OK)
          goto fail;
        continue;
      }
    }
    trim_copy(l.hora, sizeof l.hora, f[1], len[1]);
    trim_copy(l.benef, sizeof l.benef, f[2], len[2]);
    trim_copy(l.prof, sizeof l.prof, f[3], len[3]);
    trim_copy(l.proc, sizeof l.proc, f[4], len[4]);
    trim_copy(l.situacao, sizeof l.situacao, f[5], len[5]);
    norm_doc(l.benef);
    norm_doc(l.proc);
    if (l.benef[0] == '\0' || l.proc[0] == '\0') {
      rc = add_error(errs, lineno, "beneficiário e procedimento são obrigatórios", err);
      if (rc != FAT_OK)
        goto fail;
      continue;
    }
    if (strcmp(l.situacao, "atendido") != 0 && strcmp(l.situacao, "faltou") != 0 &&
        strcmp(l.situacao, "cancelado") != 0) {
      snprintf(msg, sizeof msg, "situação '%s' desconhecida (atendido, faltou ou cancelado)",
               l.situacao);
      rc = add_error(errs, lineno, msg, err);
      if (rc != FAT_OK)
        goto fail;
      continue;
    }
    l.n = lineno;
    if (n == cap) {
      cap = cap ? cap * 2 : 128;
      nv = fat_realloc(v, cap * sizeof *v);
      if (nv == NULL) {
        rc = fat_err_oom(err);
        goto fail;
      }
      v = nv;
    }
    v[n++] = l;
  }
  *rows = v;
  *n_rows = n;
  return FAT_OK;
fail:
  fat_free(v);
  return rc;
}

/* The guia billing this appointment (0 when none). */
static fat_rc find_guia(fat_store *st, const linha *l, int64_t *id, char *numero, size_t nlen,
                        fat_err *err)
{
  static const char sql[] =
    "SELECT g.id, g.numero_prestador FROM item i JOIN guia g ON g.id = i.guia_id "
    "LEFT JOIN beneficiario b ON b.id = g.beneficiario_id "
    "WHERE i.codigo = ?1 AND COALESCE(i.data, g.data_inicio) = ?2 "
    "AND (g.carteira_numero = ?3 OR b.cpf = ?3) AND g.status <> 'cancelada' "
    "ORDER BY g.id LIMIT 1";
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);
  int step;

  *id = 0;
  numero[0] = '\0';
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, l->proc);
  fat_bind_text(s, 2, l->data);
  fat_bind_text(s, 3, l->benef);
  step = fat_stmt_step(s);
  if (step == FAT_ROW) {
    *id = fat_col_int64(s, 0);
    snprintf(numero, nlen, "%s", fat_col_text(s, 1));
  }
  fat_stmt_reset(s);
  if (step != FAT_ROW && step != FAT_DONE)
    return fat_store_dberr(st, err, "erro ao procurar a guia do agendamento");
  return FAT_OK;
}

/* Operator of a beneficiário (carteira or CPF): its latest guia, else its
** carteira. key/ans receive the script key and registro ANS ("" if unknown). */
static fat_rc find_operadora(fat_store *st, const char *benef, char *key, char *ans, size_t len,
                             fat_err *err)
{
  static const char sql[] =
    "SELECT o.script, o.registro_ans FROM guia g JOIN operadora o ON o.id = g.operadora_id "
    "LEFT JOIN beneficiario b ON b.id = g.beneficiario_id "
    "WHERE g.carteira_numero = ?1 OR b.cpf = ?1 "
    "UNION ALL SELECT o.script, o.registro_ans FROM carteira c "
    "JOIN operadora o ON o.id = c.operadora_id JOIN beneficiario b ON b.id = c.beneficiario_id "
    "WHERE c.numero = ?1 OR b.cpf = ?1 LIMIT 1";
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  key[0] = ans[0] = '\0';
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, benef);
  if (fat_stmt_step(s) == FAT_ROW) {
    snprintf(key, len, "%s", fat_col_text(s, 0));
    snprintf(ans, len, "%s", fat_col_text(s, 1));
  }
  fat_stmt_reset(s);
  return FAT_OK;
}

static int cmp_id(const void *a, const void *b)
{
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

  return x < y ? -1 : x > y;
}

fat_rc fat_agenda_auditar(fat_store *st, fat_gen *gen, const char *path, cJSON **out,
                          fat_err *err)
{
  char *text = NULL;
  size_t len;
  fat_rc rc;

  *out = NULL;
  rc = fat_file_read(path, AGENDA_MAX_BYTES, &text, &len, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_agenda_auditar_buffer(st, gen, text, len, out, err);
  fat_free(text);
  return rc;
}

fat_rc fat_agenda_auditar_buffer(fat_store *st, fat_gen *gen, const char *data, size_t data_len,
                                 cJSON **out, fat_err *err)
{
  static const char sql_periodo[] =
    "SELECT g.id, g.numero_prestador, g.data_inicio, COALESCE(g.carteira_numero, b.cpf), "
    "g.valor_total FROM guia g LEFT JOIN beneficiario b ON b.id = g.beneficiario_id "
    "WHERE g.data_inicio BETWEEN ?1 AND ?2 AND g.status <> 'cancelada' ORDER BY g.id";
  char *text = NULL;
  size_t n_rows = 0, i, n_matched = 0;
  linha *rows = NULL;
  int64_t *matched = NULL;
  cJSON *root = NULL, *errs, *sem, *faltas, *semag, *per;
  fat_pricer *pricer = NULL;
  fat_rc rc;
  int64_t nao_faturado = 0;
  int atend = 0, falt = 0, step;
  char ini[11] = "9999-99-99", fim[11] = "0000-00-00";
  fat_stmt *s;

  *out = NULL;
  if (data_len > AGENDA_MAX_BYTES)
    return fat_err_set(err, FAT_ELIMIT, "agenda maior que %u MB", AGENDA_MAX_BYTES >> 20);
  if (data_len > 0 && memchr(data, '\0', data_len) != NULL)
    return fat_err_set(err, FAT_EINVAL, "a agenda tem um byte nulo: envie o CSV em texto");
  text = fat_malloc(data_len + 1);
  if (text == NULL)
    return fat_err_oom(err);
  memcpy(text, data, data_len);
  text[data_len] = '\0';
  root = cJSON_CreateObject();
  if (root == NULL || (errs = cJSON_AddArrayToObject(root, "erros")) == NULL ||
      (sem = cJSON_AddArrayToObject(root, "atendidos_sem_guia")) == NULL ||
      (faltas = cJSON_AddArrayToObject(root, "guias_de_faltas")) == NULL ||
      (semag = cJSON_AddArrayToObject(root, "guias_sem_agendamento")) == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  rc = parse(text, &rows, &n_rows, errs, err);
  if (rc != FAT_OK)
    goto out;
  if (gen != NULL && (rc = fat_pricer_new_gen(st, gen, &pricer, err)) != FAT_OK)
    goto out;
  matched = fat_calloc(n_rows + 1, sizeof *matched);
  if (matched == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  for (i = 0; i < n_rows; i++) {
    const linha *l = &rows[i];
    int64_t gid;
    char numero[64];
    cJSON *o;

    if (strcmp(l->data, ini) < 0)
      memcpy(ini, l->data, 11);
    if (strcmp(l->data, fim) > 0)
      memcpy(fim, l->data, 11);
    rc = find_guia(st, l, &gid, numero, sizeof numero, err);
    if (rc != FAT_OK)
      goto out;
    if (gid > 0)
      matched[n_matched++] = gid;
    if (strcmp(l->situacao, "atendido") == 0) {
      atend++;
      if (gid > 0)
        continue;
      o = cJSON_CreateObject();
      if (o == NULL) {
        rc = fat_err_oom(err);
        goto out;
      }
      cJSON_AddItemToArray(sem, o);
      cJSON_AddNumberToObject(o, "linha", l->n);
      cJSON_AddStringToObject(o, "data", l->data);
      cJSON_AddStringToObject(o, "hora", l->hora);
      cJSON_AddStringToObject(o, "beneficiario", l->benef);
      cJSON_AddStringToObject(o, "profissional", l->prof);
      cJSON_AddStringToObject(o, "procedimento", l->proc);
      {
        char key[64], ans[64];
        fat_price_in in;
        fat_price_out po;
        fat_err e;

        rc = find_operadora(st, l->benef, key, ans, sizeof key, err);
        if (rc != FAT_OK)
          goto out;
        if (key[0] != '\0')
          cJSON_AddStringToObject(o, "operadora", key);
        if (pricer != NULL && key[0] != '\0') {
          memset(&in, 0, sizeof in);
          in.registro_ans = ans;
          in.codigo = l->proc;
          in.data = l->data;
          in.quantidade_e4 = 10000;
          in.principal = 1;
          if (fat_price_item(pricer, key, &in, &po, &e) == FAT_OK) {
            cJSON_AddNumberToObject(o, "valor_estimado", (double)po.valor_total);
            nao_faturado += po.valor_total;
          } else if (fat_rc_is_system(e.rc)) {
            *err = e;
            rc = e.rc;
            goto out;
          } else {
            cJSON_AddStringToObject(o, "sem_preco", e.msg);
          }
        }
      }
    } else {
      falt++;
      if (gid == 0)
        continue;
      o = cJSON_CreateObject();
      if (o == NULL) {
        rc = fat_err_oom(err);
        goto out;
      }
      cJSON_AddItemToArray(faltas, o);
      cJSON_AddNumberToObject(o, "linha", l->n);
      cJSON_AddNumberToObject(o, "guia_id", (double)gid);
      cJSON_AddStringToObject(o, "numero_prestador", numero);
      cJSON_AddStringToObject(o, "data", l->data);
      cJSON_AddStringToObject(o, "procedimento", l->proc);
      cJSON_AddStringToObject(o, "situacao", l->situacao);
    }
  }
  qsort(matched, n_matched, sizeof *matched, cmp_id);
  if (n_rows > 0) {
    rc = fat_store_prepare(st, sql_periodo, &s, err);
    if (rc != FAT_OK)
      goto out;
    fat_bind_text(s, 1, ini);
    fat_bind_text(s, 2, fim);
    for (step = fat_stmt_step(s); step == FAT_ROW; step = fat_stmt_step(s)) {
      int64_t gid = fat_col_int64(s, 0);
      cJSON *o;

      if (bsearch(&gid, matched, n_matched, sizeof *matched, cmp_id) != NULL)
        continue;
      o = cJSON_CreateObject();
      if (o == NULL) {
        fat_stmt_reset(s);
        rc = fat_err_oom(err);
        goto out;
      }
      cJSON_AddItemToArray(semag, o);
      cJSON_AddNumberToObject(o, "guia_id", (double)gid);
      cJSON_AddStringToObject(o, "numero_prestador", fat_col_text(s, 1));
      cJSON_AddStringToObject(o, "data", fat_col_text(s, 2));
      if (!fat_col_is_null(s, 3))
        cJSON_AddStringToObject(o, "beneficiario", fat_col_text(s, 3));
      cJSON_AddNumberToObject(o, "valor_total", (double)fat_col_int64(s, 4));
    }
    fat_stmt_reset(s);
    if (step != FAT_DONE) {
      rc = fat_store_dberr(st, err, "erro ao ler as guias do período");
      goto out;
    }
    per = cJSON_AddObjectToObject(root, "periodo");
    if (per == NULL) {
      rc = fat_err_oom(err);
      goto out;
    }
    cJSON_AddStringToObject(per, "inicio", ini);
    cJSON_AddStringToObject(per, "fim", fim);
  }
  cJSON_AddNumberToObject(root, "linhas", (double)n_rows);
  cJSON_AddNumberToObject(root, "atendidos", atend);
  cJSON_AddNumberToObject(root, "faltas", falt);
  cJSON_AddNumberToObject(root, "valor_nao_faturado", (double)nao_faturado);
  *out = root;
  root = NULL;
  rc = FAT_OK;
out:
  cJSON_Delete(root);
  fat_pricer_free(pricer);
  fat_free(matched);
  fat_free(rows);
  fat_free(text);
  return rc;
}
