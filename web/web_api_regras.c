/* web_api_regras.c: operator scripts in the panel: view, draft (with syntax
** check and self-tests), test, diff, publish (hot reload), reload, revert,
** versions. Publishing, reloading and reverting hold srv->regras_mu so the
** files and the live generation change together. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "fat_mem.h"
#include "fat_store_int.h"
#include "web_int.h"

#define SCRIPT_MAX (512 * 1024)
#define DIFF_MAX_LINES 20000
#define DIFF_DP_MAX (4u * 1024u * 1024u) /* cells of the LCS table */


static void sha256_hex(const char *data, size_t len, char out[65])
{
  unsigned char h[crypto_hash_sha256_BYTES];

  crypto_hash_sha256(h, (const unsigned char *)data, len);
  sodium_bin2hex(out, 65, h, sizeof h);
}

/* ------------------------------------------------------------ drafts */

typedef struct rascunho {
  char *conteudo;
  char sha256[65];
  char autor[FAT_USUARIO_MAX];
  char atualizado_em[32];
  int valido;
  char *relatorio;
} rascunho;

static void rascunho_fini(rascunho *r)
{
  fat_free(r->conteudo);
  fat_free(r->relatorio);
  memset(r, 0, sizeof *r);
}

/* Load the draft of key; *found = 0 when there is none. */
static fat_rc rascunho_load(fat_store *st, const char *key, rascunho *r, int *found, fat_err *err)
{
  static const char sql[] = "SELECT conteudo, sha256, autor, atualizado_em, valido, relatorio"
                            " FROM regra_rascunho WHERE operadora = ?1";
  sqlite3_stmt *s;
  int oom_flag = 0;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  memset(r, 0, sizeof *r);
  *found = 0;
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, key);
  if (sqlite3_step(s) == SQLITE_ROW) {
    *found = 1;
    r->conteudo = fat_col_strdup(s, 0, &oom_flag);
    snprintf(r->sha256, sizeof r->sha256, "%s", (const char *)sqlite3_column_text(s, 1));
    snprintf(r->autor, sizeof r->autor, "%s", (const char *)sqlite3_column_text(s, 2));
    snprintf(r->atualizado_em, sizeof r->atualizado_em, "%s",
             (const char *)sqlite3_column_text(s, 3));
    r->valido = sqlite3_column_int(s, 4);
    r->relatorio = fat_col_strdup(s, 5, &oom_flag);
  }
  sqlite3_reset(s);
  if (oom_flag || (*found && r->conteudo == NULL)) {
    rascunho_fini(r);
    *found = 0;
    return fat_err_oom(err);
  }
  return FAT_OK;
}

static cJSON *rascunho_json(const rascunho *r, int with_text)
{
  cJSON *o = cJSON_CreateObject(), *rel;

  if (o == NULL)
    return NULL;
  if ((with_text && cJSON_AddStringToObject(o, "conteudo", r->conteudo) == NULL) ||
      cJSON_AddStringToObject(o, "sha256", r->sha256) == NULL ||
      cJSON_AddStringToObject(o, "autor", r->autor) == NULL ||
      cJSON_AddStringToObject(o, "atualizado_em", r->atualizado_em) == NULL ||
      cJSON_AddBoolToObject(o, "valido", r->valido) == NULL) {
    cJSON_Delete(o);
    return NULL;
  }
  if (r->relatorio != NULL) {
    rel = cJSON_Parse(r->relatorio);
    if (rel != NULL && !web_add(o, "relatorio", rel)) {
      cJSON_Delete(o);
      return NULL;
    }
  }
  return o;
}

/* --------------------------------------------------- live script text */

/* The text of the live script of key: as stored for the live generation
** (what its sha256 describes), else the file on disk. */
static fat_rc live_text(web_req *rq, fat_gen *g, const char *key, char **out, fat_err *err)
{
  static const char sql[] =
      "SELECT conteudo FROM regra_script WHERE geracao_id = ?1 AND chave = 'operators/' || ?2";
  sqlite3_stmt *s;
  char *path;
  int oom_flag = 0;
  fat_rc rc;

  *out = NULL;
  if (fat_gen_id(g) > 0) {
    rc = fat_store_prepare(rq->st, sql, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, fat_gen_id(g));
    fat_bind_text(s, 2, key);
    if (sqlite3_step(s) == SQLITE_ROW)
      *out = fat_col_strdup(s, 0, &oom_flag);
    sqlite3_reset(s);
    if (oom_flag)
      return fat_err_oom(err);
    if (*out != NULL)
      return FAT_OK;
  }
  path = fat_asprintf("%s/operators/%s.lua", rq->srv->regras_dir, key);
  if (path == NULL)
    return fat_err_oom(err);
  rc = fat_file_read(path, SCRIPT_MAX, out, NULL, err);
  fat_free(path);
  if (rc == FAT_EIO)
    return fat_err_set(err, FAT_ENOTFOUND, "a operadora '%s' não tem script de regras", key);
  return rc;
}

static int gen_has_key(fat_gen *g, const char *key) { return fat_gen_sha256(g, key) != NULL; }

/* --------------------------------------------------------------- GET */

fat_rc api_regras_listar(web_req *rq, web_res *rs, fat_err *err)
{
  static const char sql_r[] =
      "SELECT operadora, autor, atualizado_em, valido FROM regra_rascunho ORDER BY operadora";
  fat_gen *g = fat_rules_acquire(rq->srv->rules);
  cJSON *arr, *o, *c, *drafts = NULL, *d;
  sqlite3_stmt *s;
  size_t i, n = fat_gen_count(g);
  fat_rc rc = FAT_OK;

  rs->json = cJSON_CreateObject();
  arr = cJSON_CreateArray();
  if (rs->json == NULL || !web_add(rs->json, "operadoras", arr) ||
      cJSON_AddNumberToObject(rs->json, "geracao", (double)fat_gen_id(g)) == NULL) {
    fat_gen_release(g);
    return fat_err_oom(err);
  }
  rc = fat_store_prepare(rq->st, sql_r, &s, err);
  if (rc == FAT_OK)
    rc = fat_store_rows_json(rq->st, s, 0, "erro ao consultar o banco", &drafts, err);
  for (i = 0; rc == FAT_OK && i < n; i++) {
    const char *key = fat_gen_key(g, i);

    o = cJSON_CreateObject();
    if (o == NULL || !cJSON_AddItemToArray(arr, o)) {
      cJSON_Delete(o);
      rc = fat_err_oom(err);
      break;
    }
    if (cJSON_AddStringToObject(o, "chave", key) == NULL ||
        cJSON_AddStringToObject(o, "sha256", fat_gen_sha256(g, key)) == NULL) {
      rc = fat_err_oom(err);
      break;
    }
    c = NULL;
    if (fat_gen_contract(g, key, &c, NULL) == FAT_OK && c != NULL) {
      const cJSON *nome = cJSON_GetObjectItemCaseSensitive(c, "nome");
      const cJSON *ans = cJSON_GetObjectItemCaseSensitive(c, "registro_ans");

      if (cJSON_IsString(nome))
        cJSON_AddStringToObject(o, "nome", nome->valuestring);
      if (cJSON_IsString(ans))
        cJSON_AddStringToObject(o, "registro_ans", ans->valuestring);
      cJSON_Delete(c);
    }
    cJSON_ArrayForEach(d, drafts)
    {
      const char *dk = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "operadora"));

      if (dk != NULL && strcmp(dk, key) == 0) {
        cJSON *copy = cJSON_Duplicate(d, 1);

        if (!web_add(o, "rascunho", copy))
          rc = fat_err_oom(err);
        break;
      }
    }
  }
  cJSON_Delete(drafts);
  fat_gen_release(g);
  return rc;
}

fat_rc api_regras_ver(web_req *rq, web_res *rs, fat_err *err)
{
  const char *key;
  fat_gen *g;
  char *text = NULL;
  rascunho r;
  int found = 0;
  cJSON *c = NULL;
  fat_rc rc = web_param_key(rq, 0, &key, err);

  if (rc != FAT_OK)
    return rc;
  g = fat_rules_acquire(rq->srv->rules);
  if (!gen_has_key(g, key)) {
    fat_gen_release(g);
    return fat_err_set(err, FAT_ENOTFOUND, "a operadora '%s' não tem script nas regras em uso",
                       key);
  }
  rc = live_text(rq, g, key, &text, err);
  if (rc == FAT_OK) {
    rs->json = cJSON_CreateObject();
    if (rs->json == NULL || cJSON_AddStringToObject(rs->json, "chave", key) == NULL ||
        cJSON_AddStringToObject(rs->json, "script", text) == NULL ||
        cJSON_AddStringToObject(rs->json, "sha256", fat_gen_sha256(g, key)) == NULL ||
        cJSON_AddNumberToObject(rs->json, "geracao", (double)fat_gen_id(g)) == NULL)
      rc = fat_err_oom(err);
  }
  if (rc == FAT_OK && fat_gen_contract(g, key, &c, NULL) == FAT_OK && c != NULL &&
      !web_add(rs->json, "contrato", c))
    rc = fat_err_oom(err);
  fat_gen_release(g);
  fat_free(text);
  if (rc != FAT_OK)
    return rc;
  rc = rascunho_load(rq->st, key, &r, &found, err);
  if (rc != FAT_OK)
    return rc;
  if (found) {
    if (!web_add(rs->json, "rascunho", rascunho_json(&r, 1)))
      rc = fat_err_oom(err);
  } else if (cJSON_AddNullToObject(rs->json, "rascunho") == NULL) {
    rc = fat_err_oom(err);
  }
  rascunho_fini(&r);
  return rc;
}

/* ----------------------------------------------------- check a draft */

/* Build a generation with key's script replaced by text and run its
** self-tests. *report gets {"compila":bool,"erro":str|null,"testes":...};
** *valido = 1 when it compiled and every self-test passed. */
static fat_rc check_text(web_req *rq, const char *key, const char *text, cJSON **report,
                         int *valido, fat_err *err)
{
  char path[] = "/tmp/faturo-rascunho-XXXXXX";
  fat_gen *g = NULL;
  cJSON *rep, *tests = NULL;
  fat_err berr;
  size_t len = strlen(text);
  int fd;
  fat_rc rc;

  *report = NULL;
  *valido = 0;
  fd = mkstemp(path);
  if (fd < 0)
    return fat_err_sys(err, errno, "não foi possível criar arquivo temporário");
  if (write(fd, text, len) != (ssize_t)len) {
    close(fd);
    unlink(path);
    return fat_err_set(err, FAT_EIO, "não foi possível gravar arquivo temporário");
  }
  close(fd);
  rep = cJSON_CreateObject();
  if (rep == NULL) {
    unlink(path);
    return fat_err_oom(err);
  }
  fat_err_clear(&berr);
  rc = fat_gen_build(rq->srv->regras_dir, key, path, NULL, &g, &berr);
  unlink(path);
  if (rc == FAT_ENOMEM) {
    cJSON_Delete(rep);
    return fat_err_oom(err);
  }
  if (rc != FAT_OK) {
    if (cJSON_AddBoolToObject(rep, "compila", 0) == NULL ||
        cJSON_AddStringToObject(rep, "erro", berr.msg) == NULL) {
      cJSON_Delete(rep);
      return fat_err_oom(err);
    }
    *report = rep;
    return FAT_OK;
  }
  fat_err_clear(&berr);
  rc = fat_gen_selftest(g, key, &tests, &berr);
  fat_gen_release(g);
  if (rc == FAT_ENOMEM) {
    cJSON_Delete(rep);
    cJSON_Delete(tests);
    return fat_err_oom(err);
  }
  if (cJSON_AddBoolToObject(rep, "compila", 1) == NULL ||
      (rc != FAT_OK ? cJSON_AddStringToObject(rep, "erro", berr.msg)
                    : cJSON_AddNullToObject(rep, "erro")) == NULL ||
      (tests != NULL && !web_add(rep, "testes", tests))) {
    cJSON_Delete(rep);
    return fat_err_oom(err);
  }
  *valido = rc == FAT_OK;
  *report = rep;
  return FAT_OK;
}

fat_rc api_regras_rascunho(web_req *rq, web_res *rs, fat_err *err)
{
  static const char sql[] =
      "INSERT INTO regra_rascunho (operadora, conteudo, sha256, base_sha256, autor,"
      " atualizado_em, valido, relatorio) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
      " ON CONFLICT(operadora) DO UPDATE SET conteudo = excluded.conteudo,"
      " sha256 = excluded.sha256, base_sha256 = excluded.base_sha256,"
      " autor = excluded.autor, atualizado_em = excluded.atualizado_em,"
      " valido = excluded.valido, relatorio = excluded.relatorio";
  const char *key, *text = web_json_str(rq, "conteudo");
  char sha[65], now[32], base[65] = "";
  cJSON *report = NULL;
  char *rel;
  int valido = 0;
  sqlite3_stmt *s;
  fat_gen *g;
  fat_rc rc = web_param_key(rq, 0, &key, err);

  if (rc != FAT_OK)
    return rc;
  if (text == NULL)
    return fat_err_set(err, FAT_EINVAL, "informe o texto do script em 'conteudo'");
  if (strlen(text) > SCRIPT_MAX)
    return fat_err_set(err, FAT_ELIMIT, "script grande demais (máximo %d KiB)",
                       SCRIPT_MAX / 1024);
  g = fat_rules_acquire(rq->srv->rules);
  if (fat_gen_sha256(g, key) != NULL)
    snprintf(base, sizeof base, "%s", fat_gen_sha256(g, key));
  fat_gen_release(g);
  if (base[0] == '\0')
    return fat_err_set(err, FAT_ENOTFOUND, "a operadora '%s' não tem script nas regras em uso",
                       key);
  rc = check_text(rq, key, text, &report, &valido, err);
  if (rc != FAT_OK)
    return rc;
  rel = cJSON_PrintUnformatted(report);
  if (rel == NULL) {
    cJSON_Delete(report);
    return fat_err_oom(err);
  }
  sha256_hex(text, strlen(text), sha);
  fat_store_now(now, sizeof now);
  rc = fat_store_prepare(rq->st, sql, &s, err);
  if (rc == FAT_OK) {
    fat_bind_text(s, 1, key);
    fat_bind_text(s, 2, text);
    fat_bind_text(s, 3, sha);
    fat_bind_text(s, 4, base);
    fat_bind_text(s, 5, rq->sessao->usuario);
    fat_bind_text(s, 6, now);
    fat_bind_int(s, 7, valido);
    fat_bind_text(s, 8, rel);
    rc = fat_store_step_done(rq->st, s, "erro ao gravar rascunho", err);
  }
  cJSON_free(rel);
  if (rc != FAT_OK) {
    cJSON_Delete(report);
    return rc;
  }
  snprintf(rs->objeto, sizeof rs->objeto, "regra:%s", key);
  snprintf(rs->detalhe, sizeof rs->detalhe, "sha256 %s valido %d", sha, valido);
  rs->json = cJSON_CreateObject();
  if (rs->json == NULL || cJSON_AddStringToObject(rs->json, "sha256", sha) == NULL ||
      cJSON_AddBoolToObject(rs->json, "valido", valido) == NULL ||
      cJSON_AddStringToObject(rs->json, "autor", rq->sessao->usuario) == NULL ||
      cJSON_AddStringToObject(rs->json, "atualizado_em", now) == NULL ||
      !web_add(rs->json, "relatorio", report)) {
    if (rs->json == NULL)
      cJSON_Delete(report);
    return fat_err_oom(err);
  }
  return FAT_OK;
}

fat_rc api_regras_testar(web_req *rq, web_res *rs, fat_err *err)
{
  const char *key;
  rascunho r;
  int found = 0, valido = 0;
  cJSON *report = NULL, *tests = NULL;
  fat_gen *g;
  fat_err terr;
  fat_rc rc = web_param_key(rq, 0, &key, err);

  if (rc != FAT_OK)
    return rc;
  snprintf(rs->objeto, sizeof rs->objeto, "regra:%s", key);
  if (web_json_bool(rq, "rascunho", 1)) {
    rc = rascunho_load(rq->st, key, &r, &found, err);
    if (rc != FAT_OK)
      return rc;
  }
  if (found) {
    rc = check_text(rq, key, r.conteudo, &report, &valido, err);
    rascunho_fini(&r);
    if (rc != FAT_OK)
      return rc;
  } else {
    g = fat_rules_acquire(rq->srv->rules);
    if (!gen_has_key(g, key)) {
      fat_gen_release(g);
      return fat_err_set(err, FAT_ENOTFOUND, "a operadora '%s' não tem script", key);
    }
    fat_err_clear(&terr);
    rc = fat_gen_selftest(g, key, &tests, &terr);
    fat_gen_release(g);
    if (rc == FAT_ENOMEM)
      return fat_err_oom(err);
    valido = rc == FAT_OK;
    report = cJSON_CreateObject();
    if (report == NULL || cJSON_AddBoolToObject(report, "compila", 1) == NULL ||
        (valido ? cJSON_AddNullToObject(report, "erro")
                : cJSON_AddStringToObject(report, "erro", terr.msg)) == NULL ||
        (tests != NULL && !web_add(report, "testes", tests))) {
      cJSON_Delete(report);
      return fat_err_oom(err);
    }
  }
  rs->json = report;
  snprintf(rs->detalhe, sizeof rs->detalhe, "%s valido %d", found ? "rascunho" : "em uso",
           valido);
  if (cJSON_AddBoolToObject(report, "valido", valido) == NULL ||
      cJSON_AddStringToObject(report, "origem", found ? "rascunho" : "em_uso") == NULL)
    return fat_err_oom(err);
  return FAT_OK;
}

/* ---------------------------------------------------------------- diff */

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

fat_rc api_regras_diff(web_req *rq, web_res *rs, fat_err *err)
{
  const char *key;
  char *live = NULL;
  rascunho r;
  int found = 0, iguais = 0;
  cJSON *arr;
  fat_gen *g;
  fat_rc rc = web_param_key(rq, 0, &key, err);

  if (rc != FAT_OK)
    return rc;
  rc = rascunho_load(rq->st, key, &r, &found, err);
  if (rc != FAT_OK)
    return rc;
  if (!found)
    return fat_err_set(err, FAT_ENOTFOUND, "não há rascunho para a operadora '%s'", key);
  g = fat_rules_acquire(rq->srv->rules);
  rc = live_text(rq, g, key, &live, err);
  fat_gen_release(g);
  if (rc != FAT_OK) {
    rascunho_fini(&r);
    return rc;
  }
  rs->json = cJSON_CreateObject();
  arr = cJSON_CreateArray();
  if (rs->json == NULL || !web_add(rs->json, "linhas", arr))
    rc = fat_err_oom(err);
  else
    rc = line_diff(live, r.conteudo, arr, &iguais, err);
  if (rc == FAT_OK && cJSON_AddBoolToObject(rs->json, "iguais", iguais) == NULL)
    rc = fat_err_oom(err);
  fat_free(live);
  rascunho_fini(&r);
  return rc;
}

/* ------------------------------------------------- publish / reload */

static fat_rc reply_generation(web_req *rq, web_res *rs, const char *key, fat_err *err)
{
  fat_gen *g = fat_rules_acquire(rq->srv->rules);
  fat_rc rc = FAT_OK;

  rs->json = cJSON_CreateObject();
  if (rs->json == NULL || cJSON_AddBoolToObject(rs->json, "ok", 1) == NULL ||
      cJSON_AddNumberToObject(rs->json, "geracao", (double)fat_gen_id(g)) == NULL)
    rc = fat_err_oom(err);
  if (rc == FAT_OK && key != NULL && fat_gen_sha256(g, key) != NULL &&
      cJSON_AddStringToObject(rs->json, "sha256", fat_gen_sha256(g, key)) == NULL)
    rc = fat_err_oom(err);
  snprintf(rs->detalhe, sizeof rs->detalhe, "geracao %lld", (long long)fat_gen_id(g));
  fat_gen_release(g);
  return rc;
}

fat_rc api_regras_publicar(web_req *rq, web_res *rs, fat_err *err)
{
  static const char sql_del[] = "DELETE FROM regra_rascunho WHERE operadora = ?1 AND sha256 = ?2";
  const char *key = web_json_str(rq, "operadora");
  char *path = NULL, *old = NULL;
  size_t old_len = 0;
  int found = 0, had_file;
  rascunho r;
  sqlite3_stmt *s;
  fat_err rerr;
  fat_rc rc;

  if (!web_valid_key(key))
    return fat_err_set(err, FAT_EINVAL, "informe a operadora cujo rascunho será publicado");
  snprintf(rs->objeto, sizeof rs->objeto, "regra:%s", key);
  rc = rascunho_load(rq->st, key, &r, &found, err);
  if (rc != FAT_OK)
    return rc;
  if (!found)
    return fat_err_set(err, FAT_ENOTFOUND, "não há rascunho para a operadora '%s'", key);
  path = fat_asprintf("%s/operators/%s.lua", rq->srv->regras_dir, key);
  if (path == NULL) {
    rascunho_fini(&r);
    return fat_err_oom(err);
  }
  pthread_mutex_lock(&rq->srv->regras_mu);
  had_file = fat_file_read(path, SCRIPT_MAX, &old, &old_len, NULL) == FAT_OK;
  rc = fat_file_write(path, r.conteudo, strlen(r.conteudo), err);
  if (rc == FAT_OK) {
    fat_err_clear(&rerr);
    rc = fat_rules_reload(rq->srv->rules, rq->st, &rerr);
    if (rc != FAT_OK) {
      /* put the live script back: the files must match what is serving */
      fat_rc rb = had_file ? fat_file_write(path, old, old_len, NULL)
                           : (unlink(path) == 0 ? FAT_OK : FAT_EIO);

      if (rb != FAT_OK)
        fprintf(stderr, "faturo servidor: ATENÇÃO: não foi possível restaurar %s\n", path);
      fat_err_set(err, rc, "publicação recusada; as regras em uso continuam valendo: %s",
                  rerr.msg);
    }
  }
  pthread_mutex_unlock(&rq->srv->regras_mu);
  fat_free(old);
  fat_free(path);
  if (rc == FAT_OK) {
    rc = fat_store_prepare(rq->st, sql_del, &s, err);
    if (rc == FAT_OK) {
      fat_bind_text(s, 1, key);
      fat_bind_text(s, 2, r.sha256);
      rc = fat_store_step_done(rq->st, s, "erro ao apagar rascunho publicado", err);
    }
  }
  rascunho_fini(&r);
  if (rc != FAT_OK)
    return rc;
  return reply_generation(rq, rs, key, err);
}

fat_rc api_regras_recarregar(web_req *rq, web_res *rs, fat_err *err)
{
  fat_rc rc;

  pthread_mutex_lock(&rq->srv->regras_mu);
  rc = fat_rules_reload(rq->srv->rules, rq->st, err);
  pthread_mutex_unlock(&rq->srv->regras_mu);
  if (rc != FAT_OK)
    return fat_err_prefix(err, "recarga recusada; as regras em uso continuam valendo: ");
  snprintf(rs->objeto, sizeof rs->objeto, "regras");
  return reply_generation(rq, rs, NULL, err);
}

fat_rc api_regras_reverter(web_req *rq, web_res *rs, fat_err *err)
{
  int64_t versao = 0, novo = 0;
  fat_rc rc;

  if (!web_json_int(rq, "versao", &versao) || versao <= 0)
    return fat_err_set(err, FAT_EINVAL, "informe a versão (número da geração) a restaurar");
  snprintf(rs->objeto, sizeof rs->objeto, "regras:v%lld", (long long)versao);
  pthread_mutex_lock(&rq->srv->regras_mu);
  rc = fat_rules_revert(rq->srv->regras_dir, rq->st, versao, NULL, &novo, err);
  if (rc == FAT_OK)
    rc = fat_rules_reload(rq->srv->rules, rq->st, err);
  pthread_mutex_unlock(&rq->srv->regras_mu);
  if (rc != FAT_OK)
    return rc;
  return reply_generation(rq, rs, NULL, err);
}

fat_rc api_regras_versoes(web_req *rq, web_res *rs, fat_err *err)
{
  static const char sql[] =
      "SELECT g.id, g.criado_em, g.usuario, g.ativa, g.motivo, s.sha256"
      " FROM regra_geracao g LEFT JOIN regra_script s ON s.geracao_id = g.id"
      " AND s.chave = 'operators/' || ?1"
      " WHERE ?1 IS NULL OR s.sha256 IS NOT NULL ORDER BY g.id DESC LIMIT 100";
  const char *key = web_query(rq, "operadora");
  sqlite3_stmt *s;
  cJSON *rows = NULL;
  fat_rc rc;

  if (key != NULL && key[0] == '\0')
    key = NULL;
  if (key != NULL && !web_valid_key(key))
    return fat_err_set(err, FAT_EINVAL, "operadora inválida");
  rc = fat_store_prepare(rq->st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, key);
  rc = fat_store_rows_json(rq->st, s, 0, "erro ao consultar o banco", &rows, err);
  if (rc != FAT_OK)
    return rc;
  rs->json = cJSON_CreateObject();
  if (rs->json == NULL || !web_add(rs->json, "versoes", rows)) {
    if (rs->json == NULL)
      cJSON_Delete(rows);
    return fat_err_oom(err);
  }
  return FAT_OK;
}
