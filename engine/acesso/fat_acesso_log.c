/* fat_acesso_log.c: the access log (see fat_acesso_log.h). */
#include "fat_acesso_log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fat_dia.h"
#include "fat_lgpd.h"
#include "fat_mem.h"
#include "fat_store_int.h"

#define LISTAR_PADRAO 1000
#define LISTAR_MAX 100000

static int cmp_i64(const void *a, const void *b)
{
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

  return (x > y) - (x < y);
}

/* Sorted copy of ids without repeats; *m its length. NULL on OOM (or n 0). */
static int64_t *sorted_unique(const int64_t *ids, size_t n, size_t *m)
{
  int64_t *v;
  size_t i, k = 0;

  *m = 0;
  if (n == 0)
    return NULL;
  v = fat_malloc(n * sizeof *v);
  if (v == NULL)
    return NULL;
  memcpy(v, ids, n * sizeof *v);
  qsort(v, n, sizeof *v, cmp_i64);
  for (i = 0; i < n; i++)
    if (k == 0 || v[k - 1] != v[i])
      v[k++] = v[i];
  *m = k;
  return v;
}

fat_rc fat_acesso_ids_texto(const int64_t *ids, size_t n, char **out, fat_err *err)
{
  fat_buf b;
  int64_t *v;
  size_t m, i, j;
  fat_rc rc = FAT_OK;

  *out = NULL;
  if (n == 0) {
    *out = fat_strdup("");
    return *out != NULL ? FAT_OK : fat_err_oom(err);
  }
  v = sorted_unique(ids, n, &m);
  if (v == NULL)
    return fat_err_oom(err);
  fat_buf_init(&b, (size_t)64 << 20);
  for (i = 0; rc == FAT_OK && i < m; i = j + 1) {
    j = i;
    while (j + 1 < m && v[j + 1] == v[j] + 1)
      j++;
    if (j == i)
      rc = fat_buf_printf(&b, err, "%s%lld", i > 0 ? "," : "", (long long)v[i]);
    else
      rc = fat_buf_printf(&b, err, "%s%lld-%lld", i > 0 ? "," : "", (long long)v[i],
                          (long long)v[j]);
  }
  fat_free(v);
  if (rc != FAT_OK) {
    fat_buf_fini(&b);
    return rc;
  }
  *out = fat_buf_take(&b);
  return *out != NULL ? FAT_OK : fat_err_oom(err);
}

const char *fat_acesso_objeto_rotulo(const char *objeto)
{
  if (objeto == NULL)
    return "";
  if (strcmp(objeto, FAT_ACESSO_GUIA) == 0)
    return "Guia";
  if (strcmp(objeto, FAT_ACESSO_BENEFICIARIO) == 0)
    return "Beneficiário";
  if (strcmp(objeto, FAT_ACESSO_PARTICULAR) == 0)
    return "Atendimento particular";
  return objeto;
}

int fat_acesso_ids_contem(const char *lista, int64_t id)
{
  const char *p = lista;
  char *end;

  if (p == NULL)
    return 0;
  while (*p != '\0') {
    long long a = strtoll(p, &end, 10), b;

    if (end == p)
      return 0;
    b = a;
    p = end;
    if (*p == '-') {
      b = strtoll(p + 1, &end, 10);
      if (end == p + 1)
        return 0;
      p = end;
    }
    if (id >= a && id <= b)
      return 1;
    if (a > id) /* sorted: nothing further can match */
      return 0;
    if (*p == ',')
      p++;
    else if (*p != '\0')
      return 0;
  }
  return 0;
}

/* ids as a JSON array text "[1,2,3]" for json_each (fat_free). */
static char *json_ids(const int64_t *ids, size_t n)
{
  fat_buf b;
  size_t i;
  fat_rc rc;

  fat_buf_init(&b, (size_t)64 << 20);
  rc = fat_buf_puts(&b, "[", NULL);
  for (i = 0; rc == FAT_OK && i < n; i++)
    rc = fat_buf_printf(&b, NULL, "%s%lld", i > 0 ? "," : "", (long long)ids[i]);
  if (rc == FAT_OK)
    rc = fat_buf_puts(&b, "]", NULL);
  if (rc != FAT_OK) {
    fat_buf_fini(&b);
    return NULL;
  }
  return fat_buf_take(&b);
}

/* ",3,17," of the beneficiários behind guias ids[0..n) (or of the
** beneficiário ids themselves); NULL in *out when there are more than
** FAT_ACESSO_BENEF_MAX. known: for guias, the beneficiário of each (0 =
** none), or NULL to look them up. */
static fat_rc beneficiarios_de(fat_store *st, const char *objeto, const int64_t *ids,
                               const int64_t *known, size_t n, char **out, fat_err *err)
{
  static const char sql[] =
      "SELECT DISTINCT beneficiario_id FROM guia"
      " WHERE id IN (SELECT value FROM json_each(?1)) AND beneficiario_id IS NOT NULL"
      " ORDER BY 1 LIMIT ?2";
  int64_t *b = NULL, *v = NULL;
  size_t nb = 0, m = 0, i;
  char *arr = NULL;
  fat_buf t;
  fat_stmt *s;
  int step;
  fat_rc rc = FAT_OK;

  *out = NULL;
  if (n > FAT_ACESSO_BENEF_MAX)
    return FAT_OK;
  if (strcmp(objeto, FAT_ACESSO_BENEFICIARIO) == 0) {
    v = sorted_unique(ids, n, &m);
    if (n > 0 && v == NULL)
      return fat_err_oom(err);
  } else if (strcmp(objeto, FAT_ACESSO_GUIA) == 0 && known != NULL && n > 0) {
    b = fat_malloc((n + 1) * sizeof *b);
    if (b == NULL)
      return fat_err_oom(err);
    for (i = 0; i < n; i++)
      if (known[i] > 0)
        b[nb++] = known[i];
    v = sorted_unique(b, nb, &m);
    if (nb > 0 && v == NULL) {
      rc = fat_err_oom(err);
      goto out;
    }
  } else if (strcmp(objeto, FAT_ACESSO_GUIA) == 0 && n > 0) {
    arr = json_ids(ids, n);
    b = fat_malloc((n + 1) * sizeof *b);
    if (arr == NULL || b == NULL) {
      rc = fat_err_oom(err);
      goto out;
    }
    rc = fat_store_prepare(st, sql, &s, err);
    if (rc != FAT_OK)
      goto out;
    fat_bind_text(s, 1, arr);
    fat_bind_int(s, 2, (int64_t)FAT_ACESSO_BENEF_MAX + 1);
    for (step = fat_stmt_step(s); step == FAT_ROW && nb <= n; step = fat_stmt_step(s))
      b[nb++] = fat_col_int64(s, 0);
    fat_stmt_reset(s);
    if (step != FAT_DONE && step != FAT_ROW) {
      rc = fat_store_dberr(st, err, "erro ao ler os beneficiários das guias");
      goto out;
    }
    v = b;
    b = NULL;
    m = nb;
  } else {
    goto out; /* other kinds: no beneficiário behind them */
  }
  if (m > FAT_ACESSO_BENEF_MAX)
    goto out;
  fat_buf_init(&t, (size_t)1 << 20);
  rc = fat_buf_puts(&t, ",", err);
  for (i = 0; rc == FAT_OK && i < m; i++)
    rc = fat_buf_printf(&t, err, "%lld,", (long long)v[i]);
  if (rc != FAT_OK) {
    fat_buf_fini(&t);
    goto out;
  }
  *out = fat_buf_take(&t);
  if (*out == NULL)
    rc = fat_err_oom(err);
out:
  fat_free(arr);
  fat_free(b);
  fat_free(v);
  return rc;
}

/* fat_acesso_registrar, with the beneficiários of guias known or not (see
** beneficiarios_de). */
static fat_rc registrar(fat_store *st, const fat_leitor *l, const char *objeto, const int64_t *ids,
                        const int64_t *known, size_t n, int completo, fat_err *err)
{
  static const char sql[] =
      "INSERT INTO acesso (usuario, papel, canal, acao, objeto, registros, beneficiarios, n,"
      " completo, motivo) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
  char *reg = NULL, *ben = NULL;
  fat_stmt *s;
  fat_rc rc;

  if (l == NULL)
    return FAT_OK;
  if (objeto == NULL || l->acao == NULL || l->canal == NULL)
    return fat_err_set(err, FAT_EINVAL, "registro de acesso sem objeto, ação ou canal");
  rc = fat_acesso_ids_texto(ids, n, &reg, err);
  if (rc == FAT_OK)
    rc = beneficiarios_de(st, objeto, ids, known, n, &ben, err);
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql, &s, err);
  if (rc == FAT_OK) {
    fat_bind_text(s, 1, l->usuario != NULL ? l->usuario : fat_store_user(st));
    fat_bind_text(s, 2, fat_lgpd_papel_rotulo(l));
    fat_bind_text(s, 3, l->canal);
    fat_bind_text(s, 4, l->acao);
    fat_bind_text(s, 5, objeto);
    fat_bind_text(s, 6, reg);
    fat_bind_text(s, 7, ben);
    fat_bind_int(s, 8, (int64_t)n);
    fat_bind_int(s, 9, completo ? 1 : 0);
    fat_bind_text(s, 10, l->motivo);
    rc = fat_store_step_done(st, s, "erro ao registrar o acesso aos dados", err);
  }
  fat_free(reg);
  fat_free(ben);
  return rc;
}

fat_rc fat_acesso_registrar(fat_store *st, const fat_leitor *l, const char *objeto,
                            const int64_t *ids, size_t n, int completo, fat_err *err)
{
  return registrar(st, l, objeto, ids, NULL, n, completo, err);
}

fat_rc fat_acesso_registrar_guias(fat_store *st, const fat_leitor *l, const int64_t *ids,
                                  const int64_t *benef, size_t n, int completo, fat_err *err)
{
  return registrar(st, l, FAT_ACESSO_GUIA, ids, benef, n, completo, err);
}

fat_rc fat_acesso_registrar_linhas(fat_store *st, const fat_leitor *l, const char *objeto,
                                   const cJSON *rows, const char *campo_id, int completo,
                                   fat_err *err)
{
  int64_t *ids = NULL;
  size_t n = 0, cap = (size_t)cJSON_GetArraySize(rows);
  const cJSON *r;
  fat_rc rc;

  if (l == NULL)
    return FAT_OK;
  if (cap > 0) {
    ids = fat_malloc(cap * sizeof *ids);
    if (ids == NULL)
      return fat_err_oom(err);
  }
  cJSON_ArrayForEach(r, rows)
  {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(r, campo_id);

    if (cJSON_IsNumber(v) && n < cap)
      ids[n++] = (int64_t)v->valuedouble;
  }
  rc = fat_acesso_registrar(st, l, objeto, ids, n, completo, err);
  fat_free(ids);
  return rc;
}

/* Every id a statement yields (column 0) into *ids (fat_free), *n its count. */
static fat_rc collect_ids(fat_store *st, fat_stmt *s, int64_t **ids, size_t *n, fat_err *err)
{
  size_t cap = 0;
  int step;
  fat_rc rc = FAT_OK;

  *ids = NULL;
  *n = 0;
  for (step = fat_stmt_step(s); step == FAT_ROW; step = fat_stmt_step(s)) {
    if (*n == cap) {
      size_t ncap = cap == 0 ? 256 : cap * 2;
      int64_t *grown = fat_realloc(*ids, ncap * sizeof *grown);

      if (grown == NULL) {
        rc = fat_err_oom(err);
        break;
      }
      *ids = grown;
      cap = ncap;
    }
    (*ids)[(*n)++] = fat_col_int64(s, 0);
  }
  fat_stmt_reset(s);
  if (rc == FAT_OK && step != FAT_DONE)
    rc = fat_store_dberr(st, err, "erro ao ler os registros acessados");
  if (rc != FAT_OK) {
    fat_free(*ids);
    *ids = NULL;
    *n = 0;
  }
  return rc;
}

fat_rc fat_acesso_registrar_lote(fat_store *st, const fat_leitor *l, int64_t id, int completo,
                                 fat_err *err)
{
  static const char sql[] = "SELECT id FROM guia WHERE lote_id = ?1 ORDER BY id";
  int64_t *ids = NULL;
  size_t n = 0;
  fat_stmt *s;
  fat_rc rc;

  if (l == NULL)
    return FAT_OK;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  rc = collect_ids(st, s, &ids, &n, err);
  if (rc == FAT_OK)
    rc = fat_acesso_registrar(st, l, FAT_ACESSO_GUIA, ids, n, completo, err);
  fat_free(ids);
  return rc;
}

fat_rc fat_acesso_registrar_recurso(fat_store *st, const fat_leitor *l, int64_t id, int completo,
                                    fat_err *err)
{
  static const char sql[] = "SELECT DISTINCT gl.guia_id FROM recurso_item ri"
                            " JOIN glosa gl ON gl.id = ri.glosa_id"
                            " WHERE ri.recurso_id = ?1 ORDER BY 1";
  int64_t *ids = NULL;
  size_t n = 0;
  fat_stmt *s;
  fat_rc rc;

  if (l == NULL)
    return FAT_OK;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  rc = collect_ids(st, s, &ids, &n, err);
  if (rc == FAT_OK)
    rc = fat_acesso_registrar(st, l, FAT_ACESSO_GUIA, ids, n, completo, err);
  fat_free(ids);
  return rc;
}

fat_rc fat_acesso_registrar_exportacao(fat_store *st, const fat_leitor *l, const char *operadora,
                                       const char *competencia, fat_err *err)
{
  /* the operadora as fat_export_guias_escrever resolves it: registro ANS, script key
  ** or id */
  static const char sql[] =
      "SELECT g.id FROM guia g JOIN operadora o ON o.id = g.operadora_id"
      " WHERE (?1 IS NULL OR o.registro_ans = ?1 OR o.script = ?1"
      "        OR (length(?1) <> 6 AND CAST(o.id AS TEXT) = ?1))"
      " AND (?2 IS NULL OR g.competencia = ?2) ORDER BY g.id";
  int64_t *ids = NULL;
  size_t n = 0;
  fat_stmt *s;
  fat_rc rc;

  if (l == NULL)
    return FAT_OK;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, operadora);
  fat_bind_text(s, 2, competencia);
  rc = collect_ids(st, s, &ids, &n, err);
  if (rc == FAT_OK)
    rc = fat_acesso_registrar(st, l, FAT_ACESSO_GUIA, ids, n, 1, err);
  fat_free(ids);
  return rc;
}

/* The records of one patient: beneficiário ids, guia ids and particular ids
** of CPF cpf (11 digits), each sorted. */
typedef struct titular_ids {
  int64_t *benef, *guias, *part;
  size_t n_benef, n_guias, n_part;
} titular_ids;

static void titular_ids_fini(titular_ids *t)
{
  fat_free(t->benef);
  fat_free(t->guias);
  fat_free(t->part);
  memset(t, 0, sizeof *t);
}

static fat_rc titular_ids_load(fat_store *st, const char *cpf, titular_ids *t, fat_err *err)
{
  static const char sql_b[] = "SELECT id FROM beneficiario WHERE cpf = ?1 ORDER BY id";
  static const char sql_g[] =
      "SELECT g.id FROM guia g JOIN beneficiario b ON b.id = g.beneficiario_id"
      " WHERE b.cpf = ?1 ORDER BY g.id";
  static const char sql_p[] = "SELECT id FROM particular WHERE paciente_cpf = ?1 ORDER BY id";
  fat_stmt *s;
  fat_rc rc;

  memset(t, 0, sizeof *t);
  rc = fat_store_prepare(st, sql_b, &s, err);
  if (rc == FAT_OK) {
    fat_bind_text(s, 1, cpf);
    rc = collect_ids(st, s, &t->benef, &t->n_benef, err);
  }
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql_g, &s, err);
  if (rc == FAT_OK) {
    fat_bind_text(s, 1, cpf);
    rc = collect_ids(st, s, &t->guias, &t->n_guias, err);
  }
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql_p, &s, err);
  if (rc == FAT_OK) {
    fat_bind_text(s, 1, cpf);
    rc = collect_ids(st, s, &t->part, &t->n_part, err);
  }
  if (rc != FAT_OK)
    titular_ids_fini(t);
  return rc;
}

/* 1 when the compact list reg shares an id with sorted v[0..n). */
static int intersects(const char *reg, const int64_t *v, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++)
    if (fat_acesso_ids_contem(reg, v[i]))
      return 1;
  return 0;
}

/* Did access row (objeto, registros, beneficiarios) touch patient t? */
static int touches(const titular_ids *t, const char *objeto, const char *reg, const char *ben)
{
  size_t i;
  char key[32];

  if (strcmp(objeto, FAT_ACESSO_PARTICULAR) == 0)
    return intersects(reg, t->part, t->n_part);
  if (strcmp(objeto, FAT_ACESSO_BENEFICIARIO) == 0)
    return intersects(reg, t->benef, t->n_benef);
  if (ben != NULL) { /* the beneficiários were recorded: they tell */
    for (i = 0; i < t->n_benef; i++) {
      snprintf(key, sizeof key, ",%lld,", (long long)t->benef[i]);
      if (strstr(ben, key) != NULL)
        return 1;
    }
    return 0;
  }
  return intersects(reg, t->guias, t->n_guias);
}

fat_rc fat_acesso_listar(fat_store *st, const fat_acesso_filtro *f, cJSON **out, fat_err *err)
{
  static const char sql[] =
      "SELECT id AS id, em AS em, usuario AS usuario, papel AS papel, canal AS canal,"
      " acao AS acao, objeto AS objeto, registros AS registros, beneficiarios AS beneficiarios,"
      " n AS n, completo AS completo, motivo AS motivo FROM acesso"
      " WHERE (?1 IS NULL OR usuario = ?1) AND (?2 IS NULL OR em >= ?2) ORDER BY id DESC";
  titular_ids t;
  char cpf[12], desde[FAT_DIA_UTC_LEN];
  int32_t dia;
  fat_stmt *s;
  cJSON *arr = NULL, *o;
  int limite, step;
  fat_rc rc = FAT_OK;

  *out = NULL;
  memset(&t, 0, sizeof t);
  limite = (f != NULL && f->limite > 0) ? f->limite : LISTAR_PADRAO;
  if (limite > LISTAR_MAX)
    return fat_err_set(err, FAT_EINVAL, "limite de linhas deve ser até %d", LISTAR_MAX);
  desde[0] = '\0';
  if (f != NULL && f->desde != NULL) {
    /* a day of the clinic: from its local 00:00, as the UTC text `em` is
    ** stored in, so that the index on em still serves the range */
    if (!fat_lgpd_data_valida(f->desde) || fat_dia_parse(f->desde, &dia) != 0 ||
        fat_dia_inicio_utc(dia, desde) != 0)
      return fat_err_set(err, FAT_EINVAL, "data inválida em --desde: '%s' (use AAAA-MM-DD)",
                         f->desde);
  }
  if (f != NULL && f->cpf != NULL) {
    if (fat_lgpd_cpf_digitos(f->cpf, cpf) != 0)
      return fat_err_set(err, FAT_EINVAL, "CPF inválido: '%s' (informe os 11 dígitos)", f->cpf);
    rc = titular_ids_load(st, cpf, &t, err);
    if (rc != FAT_OK)
      return rc;
    if (t.n_benef == 0 && t.n_part == 0) {
      titular_ids_fini(&t);
      return fat_err_set(err, FAT_ENOTFOUND, "nenhum paciente com este CPF no faturo");
    }
  }
  arr = cJSON_CreateArray();
  if (arr == NULL) {
    titular_ids_fini(&t);
    return fat_err_oom(err);
  }
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    goto out;
  fat_bind_text(s, 1, f != NULL ? f->usuario : NULL);
  fat_bind_text(s, 2, desde[0] != '\0' ? desde : NULL);
  for (step = fat_stmt_step(s); step == FAT_ROW && cJSON_GetArraySize(arr) < limite;
       step = fat_stmt_step(s)) {
    const char *objeto = fat_col_text(s, 6);
    const char *reg = fat_col_text(s, 7);
    const char *ben = fat_col_text(s, 8);

    if (f != NULL && f->cpf != NULL && !touches(&t, objeto, reg, ben))
      continue;
    o = fat_store_row_json(s, 0);
    if (o == NULL || !cJSON_AddItemToArray(arr, o)) {
      cJSON_Delete(o);
      rc = fat_err_oom(err);
      break;
    }
    { /* completo as a boolean */
      cJSON *b = cJSON_CreateBool(fat_col_int(s, 10));

      if (b == NULL || !cJSON_ReplaceItemInObjectCaseSensitive(o, "completo", b)) {
        cJSON_Delete(b);
        rc = fat_err_oom(err);
        break;
      }
    }
  }
  if (rc == FAT_OK && step != FAT_DONE && step != FAT_ROW)
    rc = fat_store_dberr(st, err, "erro ao ler o registro de acessos");
  fat_stmt_reset(s);
out:
  titular_ids_fini(&t);
  if (rc != FAT_OK) {
    cJSON_Delete(arr);
    return rc;
  }
  *out = arr;
  return FAT_OK;
}
