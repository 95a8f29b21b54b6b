/* fat_rascunho.c: drafts of operator scripts (fat_rascunho.h). */
#include "fat_rascunho.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fat_mem.h"
#include "fat_sha256.h"
#include "fat_store_int.h"

void fat_rascunho_fini(fat_rascunho *r)
{
  if (r == NULL)
    return;
  fat_free(r->conteudo);
  cJSON_Delete(r->relatorio);
  memset(r, 0, sizeof *r);
}

fat_rc fat_rascunho_ler(fat_store *st, const char *key, fat_rascunho *out, int *found,
                        fat_err *err)
{
  static const char sql[] =
      "SELECT conteudo, sha256, base_sha256, autor, atualizado_em, valido, relatorio"
      " FROM regra_rascunho WHERE operadora = ?1";
  fat_stmt *s;
  char *rel = NULL;
  int oom = 0, step;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  memset(out, 0, sizeof *out);
  *found = 0;
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, key);
  step = fat_stmt_step(s);
  if (step == FAT_ROW) {
    *found = 1;
    out->conteudo = fat_col_strdup(s, 0, &oom);
    out->len = (size_t)fat_col_bytes(s, 0);
    fat_col_copy(s, 1, out->sha256, sizeof out->sha256);
    fat_col_copy(s, 2, out->base_sha256, sizeof out->base_sha256);
    fat_col_copy(s, 3, out->autor, sizeof out->autor);
    fat_col_copy(s, 4, out->atualizado_em, sizeof out->atualizado_em);
    out->valido = fat_col_int(s, 5);
    rel = fat_col_strdup(s, 6, &oom);
  } else if (step != FAT_DONE) {
    rc = fat_store_dberr(st, err, "erro ao ler o rascunho");
  }
  fat_stmt_reset(s);
  if (rc == FAT_OK && (oom || (*found && out->conteudo == NULL)))
    rc = fat_err_oom(err);
  if (rc == FAT_OK && rel != NULL)
    out->relatorio = cJSON_Parse(rel); /* a damaged report reads as none */
  fat_free(rel);
  if (rc != FAT_OK) {
    fat_rascunho_fini(out);
    *found = 0;
  }
  return rc;
}

fat_rc fat_rascunho_listar(fat_store *st, cJSON **out, fat_err *err)
{
  static const char sql[] =
      "SELECT operadora, autor, atualizado_em, valido FROM regra_rascunho ORDER BY operadora";
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  *out = NULL;
  if (rc != FAT_OK)
    return rc;
  return fat_store_rows_json(st, s, 0, "erro ao listar os rascunhos", out, err);
}

fat_rc fat_rascunho_arquivo_temp(const char *text, size_t len, char *path, size_t path_len,
                                 fat_err *err)
{
  const char *dir = getenv("TMPDIR");
  mode_t old;
  int fd;

  if (dir == NULL || dir[0] == '\0')
    dir = "/tmp";
  if ((size_t)snprintf(path, path_len, "%s/faturo-rascunho-XXXXXX", dir) >= path_len)
    return fat_err_set(err, FAT_EIO, "caminho temporário longo demais");
  old = umask(077);
  fd = mkstemp(path);
  umask(old);
  if (fd < 0)
    return fat_err_sys(err, errno, "não foi possível criar arquivo temporário");
  if (write(fd, text, len) != (ssize_t)len) {
    close(fd);
    unlink(path);
    return fat_err_set(err, FAT_EIO, "não foi possível gravar arquivo temporário");
  }
  if (close(fd) != 0) {
    unlink(path);
    return fat_err_set(err, FAT_EIO, "não foi possível gravar arquivo temporário");
  }
  return FAT_OK;
}

fat_rc fat_rascunho_verificar(const char *regras_dir, const char *key, const char *text,
                              size_t len, cJSON **report, int *valido, fat_err *err)
{
  fat_gen *g = NULL;
  cJSON *rep = NULL, *tests = NULL;
  fat_err berr;
  fat_rc rc, built;

  *report = NULL;
  *valido = 0;
  rep = cJSON_CreateObject();
  if (rep == NULL)
    return fat_err_oom(err);
  fat_err_clear(&berr);
  built = fat_gen_build_draft(regras_dir, key, text, len, NULL, &g, &berr);
  if (built == FAT_OK) {
    fat_err_clear(&berr);
    rc = fat_gen_selftest(g, key, &tests, &berr);
    fat_gen_release(g);
  } else {
    rc = built;
  }
  if (rc == FAT_ENOMEM) {
    rc = fat_err_oom(err);
    goto out;
  }
  rc = FAT_OK; /* what did not compile or failed a test is in the report */
  if (cJSON_AddBoolToObject(rep, "compila", built == FAT_OK) == NULL ||
      (berr.rc != FAT_OK ? cJSON_AddStringToObject(rep, "erro", berr.msg)
                         : cJSON_AddNullToObject(rep, "erro")) == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  if (tests != NULL) {
    if (!cJSON_AddItemToObject(rep, "testes", tests)) {
      rc = fat_err_oom(err);
      goto out;
    }
    tests = NULL;
  }
  *valido = built == FAT_OK && berr.rc == FAT_OK;
  *report = rep;
  rep = NULL;
out:
  cJSON_Delete(tests);
  cJSON_Delete(rep);
  return rc;
}

fat_rc fat_rascunho_salvar(fat_store *st, fat_rules *r, const char *key, const char *text,
                           size_t len, fat_rascunho *out, fat_err *err)
{
  static const char sql[] =
      "INSERT INTO regra_rascunho (operadora, conteudo, sha256, base_sha256, autor,"
      " atualizado_em, valido, relatorio) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
      " ON CONFLICT(operadora) DO UPDATE SET conteudo = excluded.conteudo,"
      " sha256 = excluded.sha256, base_sha256 = excluded.base_sha256,"
      " autor = excluded.autor, atualizado_em = excluded.atualizado_em,"
      " valido = excluded.valido, relatorio = excluded.relatorio";
  fat_rascunho d;
  fat_gen *g;
  fat_stmt *s;
  char *rel = NULL, obj[96], det[128];
  fat_rc rc;

  memset(&d, 0, sizeof d);
  if (out != NULL)
    memset(out, 0, sizeof *out);
  if (text == NULL)
    return fat_err_set(err, FAT_EINVAL, "informe o texto do script");
  if (len > FAT_RASCUNHO_MAX)
    return fat_err_set(err, FAT_ELIMIT, "script grande demais (máximo %d KiB)",
                       FAT_RASCUNHO_MAX / 1024);
  if (memchr(text, '\0', len) != NULL)
    return fat_err_set(err, FAT_EINVAL, "o script tem um caractere nulo");
  g = fat_rules_acquire(r);
  if (fat_gen_sha256(g, key) != NULL)
    snprintf(d.base_sha256, sizeof d.base_sha256, "%s", fat_gen_sha256(g, key));
  fat_gen_release(g);
  if (d.base_sha256[0] == '\0')
    return fat_err_set(err, FAT_ENOTFOUND, "a operadora '%s' não tem script nas regras em uso",
                       key);
  rc = fat_rascunho_verificar(fat_rules_dir(r), key, text, len, &d.relatorio, &d.valido, err);
  if (rc != FAT_OK)
    return rc;
  rel = cJSON_PrintUnformatted(d.relatorio);
  d.conteudo = fat_strndup(text, len);
  if (rel == NULL || d.conteudo == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  d.len = len;
  fat_sha256_hex(text, len, d.sha256);
  snprintf(d.autor, sizeof d.autor, "%s", fat_store_user(st));
  fat_store_now(d.atualizado_em, sizeof d.atualizado_em);
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    goto out;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc == FAT_OK) {
    fat_bind_text(s, 1, key);
    fat_bind_text(s, 2, d.conteudo);
    fat_bind_text(s, 3, d.sha256);
    fat_bind_text(s, 4, d.base_sha256);
    fat_bind_text(s, 5, d.autor);
    fat_bind_text(s, 6, d.atualizado_em);
    fat_bind_int(s, 7, d.valido);
    fat_bind_text(s, 8, rel);
    rc = fat_store_step_done(st, s, "erro ao gravar o rascunho", err);
  }
  if (rc == FAT_OK) {
    snprintf(obj, sizeof obj, "regra:%s", key);
    snprintf(det, sizeof det, "rascunho sha256 %.12s valido %d", d.sha256, d.valido);
    rc = fat_store_audit(st, "regras.rascunho", obj, det, err);
  }
  if (rc == FAT_OK)
    rc = fat_store_commit(st, err);
  else
    fat_store_rollback(st);
out:
  cJSON_free(rel);
  if (rc == FAT_OK && out != NULL)
    *out = d;
  else
    fat_rascunho_fini(&d);
  return rc;
}

fat_rc fat_rascunho_publicar(fat_store *st, fat_rules *r, const char *key, fat_err *err)
{
  static const char sql_del[] =
      "DELETE FROM regra_rascunho WHERE operadora = ?1 AND sha256 = ?2";
  fat_rascunho d;
  fat_stmt *s;
  int found = 0;
  fat_rc rc = fat_rascunho_ler(st, key, &d, &found, err);

  if (rc != FAT_OK)
    return rc;
  if (!found)
    return fat_err_set(err, FAT_ENOTFOUND, "não há rascunho para a operadora '%s'", key);
  /* built and self-tested first, written to the folder only then */
  rc = fat_rules_publicar(r, st, key, d.conteudo, d.len, err);
  if (rc == FAT_OK)
    rc = fat_store_begin(st, err);
  if (rc == FAT_OK) {
    rc = fat_store_prepare(st, sql_del, &s, err);
    if (rc == FAT_OK) {
      fat_bind_text(s, 1, key);
      fat_bind_text(s, 2, d.sha256);
      rc = fat_store_step_done(st, s, "erro ao apagar o rascunho publicado", err);
    }
    if (rc == FAT_OK)
      rc = fat_store_commit(st, err);
    else
      fat_store_rollback(st);
  }
  fat_rascunho_fini(&d);
  return rc;
}

fat_rc fat_rascunho_em_uso(fat_store *st, fat_gen *g, const char *regras_dir, const char *key,
                           char **text, fat_err *err)
{
  static const char sql[] =
      "SELECT conteudo FROM regra_script WHERE geracao_id = ?1 AND chave = 'operators/' || ?2";
  fat_stmt *s;
  char *path;
  int oom = 0;
  fat_rc rc;

  *text = NULL;
  if (fat_gen_id(g) > 0) {
    rc = fat_store_prepare(st, sql, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, fat_gen_id(g));
    fat_bind_text(s, 2, key);
    if (fat_stmt_step(s) == FAT_ROW)
      *text = fat_col_strdup(s, 0, &oom);
    fat_stmt_reset(s);
    if (oom)
      return fat_err_oom(err);
    if (*text != NULL)
      return FAT_OK;
  }
  path = fat_asprintf("%s/operators/%s.lua", regras_dir, key);
  if (path == NULL)
    return fat_err_oom(err);
  rc = fat_file_read(path, FAT_RASCUNHO_MAX * 2, text, NULL, err);
  fat_free(path);
  if (rc == FAT_EIO)
    return fat_err_set(err, FAT_ENOTFOUND, "a operadora '%s' não tem script de regras", key);
  return rc;
}

fat_rc fat_rascunho_versoes(fat_store *st, const char *key, cJSON **out, fat_err *err)
{
  static const char sql[] =
      "SELECT g.id AS id, g.criado_em AS criado_em, g.usuario AS usuario, g.ativa AS ativa,"
      " g.motivo AS motivo, s.sha256 AS sha256"
      " FROM regra_geracao g LEFT JOIN regra_script s ON s.geracao_id = g.id"
      " AND s.chave = 'operators/' || ?1"
      " WHERE ?1 IS NULL OR s.sha256 IS NOT NULL ORDER BY g.id DESC LIMIT 100";
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  *out = NULL;
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, key);
  return fat_store_rows_json(st, s, 0, "erro ao listar as versões das regras", out, err);
}

/*
** {======================================================
** Line diff: live script x draft
** =======================================================
*/

#define DIFF_MAX_LINES 20000
#define DIFF_DP_MAX (4u * 1024u * 1024u) /* cells of the LCS table */

typedef struct lines {
  const char **p;
  size_t *len;
  size_t n;
} lines;

static int split_lines(const char *text, lines *l)
{
  size_t n = 1, i = 0;
  const char *p;

  for (p = text; *p != '\0'; p++)
    if (*p == '\n')
      n++;
  if (n > DIFF_MAX_LINES)
    return -1;
  l->p = fat_calloc(n, sizeof *l->p);
  l->len = fat_calloc(n, sizeof *l->len);
  if (l->p == NULL || l->len == NULL)
    return -2;
  p = text;
  while (*p != '\0') {
    const char *e = strchr(p, '\n');
    size_t k = e != NULL ? (size_t)(e - p) : strlen(p);

    l->p[i] = p;
    l->len[i] = k;
    i++;
    p += k;
    if (*p == '\n')
      p++;
  }
  l->n = i;
  return 0;
}

static int line_eq(const lines *a, size_t i, const lines *b, size_t j)
{
  return a->len[i] == b->len[j] && memcmp(a->p[i], b->p[j], a->len[i]) == 0;
}

static int diff_add(cJSON *arr, const char *t, long la, long lb, const char *s, size_t n)
{
  cJSON *o = cJSON_CreateObject();
  char *copy = fat_strndup(s, n);
  int ok = o != NULL && copy != NULL && cJSON_AddItemToArray(arr, o);

  if (!ok) {
    cJSON_Delete(o);
    fat_free(copy);
    return 0;
  }
  ok = cJSON_AddStringToObject(o, "t", t) != NULL &&
       (la > 0 ? cJSON_AddNumberToObject(o, "a", (double)la) : cJSON_AddNullToObject(o, "a")) !=
           NULL &&
       (lb > 0 ? cJSON_AddNumberToObject(o, "b", (double)lb) : cJSON_AddNullToObject(o, "b")) !=
           NULL &&
       cJSON_AddStringToObject(o, "texto", copy) != NULL;
  fat_free(copy);
  return ok;
}

/* Line diff of a (live) and b (draft) as [{t:" "|"-"|"+", a, b, texto}]:
** common prefix/suffix trimmed, LCS on the middle when it fits DIFF_DP_MAX,
** else the middle is shown as removed then added. */
static fat_rc line_diff(const char *ta, const char *tb, cJSON *out, int *iguais, fat_err *err)
{
  lines a, b;
  size_t pre = 0, suf = 0, n, m, i, j;
  uint16_t *dp = NULL;
  int ok = 1, ra, rb;

  memset(&a, 0, sizeof a);
  memset(&b, 0, sizeof b);
  ra = split_lines(ta, &a);
  rb = split_lines(tb, &b);
  if (ra != 0 || rb != 0) {
    fat_free(a.p);
    fat_free(a.len);
    fat_free(b.p);
    fat_free(b.len);
    return (ra == -1 || rb == -1)
               ? fat_err_set(err, FAT_ELIMIT, "script longo demais para comparar")
               : fat_err_oom(err);
  }
  while (pre < a.n && pre < b.n && line_eq(&a, pre, &b, pre))
    pre++;
  while (suf < a.n - pre && suf < b.n - pre && line_eq(&a, a.n - 1 - suf, &b, b.n - 1 - suf))
    suf++;
  n = a.n - pre - suf;
  m = b.n - pre - suf;
  *iguais = n == 0 && m == 0;
  for (i = 0; ok && i < pre; i++)
    ok = diff_add(out, " ", (long)(i + 1), (long)(i + 1), a.p[i], a.len[i]);
  if (ok && n > 0 && m > 0 && n < 65535 && m < 65535 && (n + 1) * (m + 1) <= DIFF_DP_MAX)
    dp = fat_calloc((n + 1) * (m + 1), sizeof *dp);
  if (ok && dp != NULL) {
    /* dp[i][j] = LCS length of a[pre+i..] and b[pre+j..] */
    for (i = n; i-- > 0;)
      for (j = m; j-- > 0;)
        dp[i * (m + 1) + j] =
            line_eq(&a, pre + i, &b, pre + j)
                ? (uint16_t)(dp[(i + 1) * (m + 1) + j + 1] + 1)
                : (dp[(i + 1) * (m + 1) + j] >= dp[i * (m + 1) + j + 1]
                       ? dp[(i + 1) * (m + 1) + j]
                       : dp[i * (m + 1) + j + 1]);
    i = j = 0;
    while (ok && (i < n || j < m)) {
      if (i < n && j < m && line_eq(&a, pre + i, &b, pre + j)) {
        ok = diff_add(out, " ", (long)(pre + i + 1), (long)(pre + j + 1), a.p[pre + i],
                      a.len[pre + i]);
        i++;
        j++;
      } else if (i < n && (j == m || dp[(i + 1) * (m + 1) + j] >= dp[i * (m + 1) + j + 1])) {
        ok = diff_add(out, "-", (long)(pre + i + 1), 0, a.p[pre + i], a.len[pre + i]);
        i++; /* removals before additions, as in a unified diff */
      } else {
        ok = diff_add(out, "+", 0, (long)(pre + j + 1), b.p[pre + j], b.len[pre + j]);
        j++;
      }
    }
  } else {
    for (i = 0; ok && i < n; i++)
      ok = diff_add(out, "-", (long)(pre + i + 1), 0, a.p[pre + i], a.len[pre + i]);
    for (j = 0; ok && j < m; j++)
      ok = diff_add(out, "+", 0, (long)(pre + j + 1), b.p[pre + j], b.len[pre + j]);
  }
  for (i = 0; ok && i < suf; i++)
    ok = diff_add(out, " ", (long)(a.n - suf + i + 1), (long)(b.n - suf + i + 1),
                  a.p[a.n - suf + i], a.len[a.n - suf + i]);
  fat_free(dp);
  fat_free(a.p);
  fat_free(a.len);
  fat_free(b.p);
  fat_free(b.len);
  return ok ? FAT_OK : fat_err_oom(err);
}

fat_rc fat_rascunho_diff(fat_store *st, fat_gen *g, const char *regras_dir, const char *key,
                         cJSON **out, fat_err *err)
{
  fat_rascunho d;
  char *live = NULL;
  int found = 0, iguais = 0;
  cJSON *o, *arr;
  fat_rc rc;

  *out = NULL;
  rc = fat_rascunho_ler(st, key, &d, &found, err);
  if (rc != FAT_OK)
    return rc;
  if (!found)
    return fat_err_set(err, FAT_ENOTFOUND, "não há rascunho para a operadora '%s'", key);
  rc = fat_rascunho_em_uso(st, g, regras_dir, key, &live, err);
  if (rc != FAT_OK) {
    fat_rascunho_fini(&d);
    return rc;
  }
  o = cJSON_CreateObject();
  arr = cJSON_CreateArray();
  if (o == NULL || arr == NULL || !cJSON_AddItemToObject(o, "linhas", arr)) {
    cJSON_Delete(o);
    cJSON_Delete(arr);
    rc = fat_err_oom(err);
  } else {
    rc = line_diff(live, d.conteudo, arr, &iguais, err);
  }
  if (rc == FAT_OK && cJSON_AddBoolToObject(o, "iguais", iguais) == NULL)
    rc = fat_err_oom(err);
  fat_free(live);
  fat_rascunho_fini(&d);
  if (rc != FAT_OK) {
    cJSON_Delete(o);
    return rc;
  }
  *out = o;
  return FAT_OK;
}

/* }====================================================== */
