/* fat_rules_store.c: generations in the store (regra_geracao,
** regra_script), the list of versions, and rollback to a stored version.
**
** Rollback writes a version's scripts back into the rules folder. It never
** overwrites edits that were not published: it compares the folder with the
** active generation first and refuses (or, when asked, keeps a copy of each
** edited file before writing).
*/
#include "fat_rules_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fat_sha256.h"
#include "fat_store_int.h"

/* {======================================================================
** Record a generation
** ======================================================================= */

static int gen_n_tests(const fat_gen *g)
{
  size_t i;
  int n = 0;

  for (i = 0; i < g->n_ops; i++)
    n += cJSON_GetArraySize(g->ops[i]->tests);
  return n;
}

static fat_rc insert_script(fat_store *st, int64_t gid, const fat_rules_file *f, fat_err *err)
{
  static const char sql[] =
      "INSERT INTO regra_script (geracao_id, chave, sha256, conteudo) VALUES (?1, ?2, ?3, ?4)";
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, gid);
  fat_bind_text(s, 2, f->chave);
  fat_bind_text(s, 3, f->sha);
  fat_bind_textn(s, 4, f->text, f->len);
  return fat_store_step_done(st, s, "erro ao gravar script da geração", err);
}

fat_rc fat_gen_record(fat_gen *g, fat_store *st, const char *motivo, fat_err *err)
{
  static const char q_active[] = "SELECT id, hash FROM regra_geracao WHERE ativa = 1";
  static const char q_off[] = "UPDATE regra_geracao SET ativa = 0 WHERE ativa = 1";
  static const char q_ins[] =
      "INSERT INTO regra_geracao (usuario, ativa, origem, motivo, hash, n_scripts, n_testes) "
      "VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6)";
  fat_stmt *s;
  fat_rc rc;
  int64_t gid = 0, same = 0;
  size_t i;
  char detalhe[160], obj[48];

  if (g == NULL || st == NULL)
    return fat_err_set(err, FAT_EINVAL, "geração ou banco ausente");
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_prepare(st, q_active, &s, err);
  if (rc != FAT_OK)
    goto out;
  if (fat_stmt_step(s) == FAT_ROW) {
    const char *h = fat_col_text(s, 1);
    if (h != NULL && strcmp((const char *)h, g->hash) == 0)
      same = fat_col_int64(s, 0); /* identical contents: reuse */
  }
  fat_stmt_reset(s);
  if (same > 0) {
    gid = same;
    goto out;
  }
  rc = fat_store_prepare(st, q_off, &s, err);
  if (rc == FAT_OK)
    rc = fat_store_step_done(st, s, "erro ao desativar a geração anterior", err);
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, q_ins, &s, err);
  if (rc != FAT_OK)
    goto out;
  fat_bind_text(s, 1, fat_store_user(st));
  fat_bind_text(s, 2, g->dir);
  fat_bind_text(s, 3, motivo);
  fat_bind_text(s, 4, g->hash);
  fat_bind_int(s, 5, (int64_t)g->n_ops);
  fat_bind_int(s, 6, gen_n_tests(g));
  rc = fat_store_step_done(st, s, "erro ao gravar a geração de regras", err);
  if (rc != FAT_OK)
    goto out;
  gid = fat_store_last_id(st);
  for (i = 0; i < g->n_ops && rc == FAT_OK; i++)
    rc = insert_script(st, gid, &g->ops[i]->file, err);
  for (i = 0; i < g->n_mods && rc == FAT_OK; i++)
    rc = insert_script(st, gid, &g->mods[i], err);
  if (rc != FAT_OK)
    goto out;
  snprintf(detalhe, sizeof detalhe, "%s (%zu scripts, %zu módulos)", motivo != NULL ? motivo : "",
           g->n_ops, g->n_mods);
  snprintf(obj, sizeof obj, "regra_geracao:%lld", (long long)gid);
  rc = fat_store_audit(st, "regras.publicar", obj, detalhe, err);
out:
  if (rc == FAT_OK)
    rc = fat_store_commit(st, err);
  else
    fat_store_rollback(st);
  if (rc == FAT_OK)
    g->id = gid;
  return rc;
}

/* }====================================================================== */

/* {======================================================================
** Load a stored version
** ======================================================================= */

fat_rc fat_rules_load_version(fat_store *st, int64_t version, fat_rules_file **out,
                              size_t *n_out, fat_err *err)
{
  static const char q_gen[] = "SELECT 1 FROM regra_geracao WHERE id = ?1";
  static const char q_files[] =
      "SELECT chave, conteudo, sha256 FROM regra_script WHERE geracao_id = ?1 ORDER BY chave";
  fat_stmt *s;
  fat_rules_file *v = NULL;
  size_t n = 0, cap = 0;
  fat_rc rc;
  int step, oom = 0;

  *out = NULL;
  *n_out = 0;
  rc = fat_store_prepare(st, q_gen, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, version);
  step = fat_stmt_step(s);
  fat_stmt_reset(s);
  if (step != FAT_ROW)
    return fat_err_set(err, FAT_ENOTFOUND, "versão %lld das regras não existe",
                       (long long)version);
  rc = fat_store_prepare(st, q_files, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, version);
  for (step = fat_stmt_step(s); step == FAT_ROW && !oom; step = fat_stmt_step(s)) {
    fat_rules_file f;
    const char *sha;

    memset(&f, 0, sizeof f);
    if (n == cap) {
      size_t nc = cap ? cap * 2 : 16;
      fat_rules_file *nv = fat_realloc(v, nc * sizeof *nv);
      if (nv == NULL) {
        oom = 1;
        break;
      }
      v = nv;
      cap = nc;
    }
    f.chave = fat_col_strdup(s, 0, &oom);
    f.text = fat_col_strdup(s, 1, &oom);
    f.len = (size_t)fat_col_bytes(s, 1);
    sha = fat_col_text(s, 2);
    if (oom || f.chave == NULL || f.text == NULL) {
      fat_rules_file_fini(&f);
      oom = 1;
      break;
    }
    snprintf(f.sha, sizeof f.sha, "%s", sha != NULL ? sha : "");
    v[n++] = f;
  }
  fat_stmt_reset(s);
  if (oom)
    rc = fat_err_oom(err);
  else if (step != FAT_DONE)
    rc = fat_store_dberr(st, err, "erro ao ler a versão das regras");
  if (rc != FAT_OK) {
    fat_rules_files_free(v, n);
    return rc;
  }
  *out = v;
  *n_out = n;
  return FAT_OK;
}

/* Build (gate: with every self-test passing) the stored version. */
static fat_rc build_version(fat_store *st, int64_t version, const fat_limits *lim, int gate,
                            fat_gen **out, fat_err *err)
{
  fat_rules_file *files;
  size_t n;
  fat_rules_source src;
  fat_rc rc;

  *out = NULL;
  if (st == NULL)
    return fat_err_set(err, FAT_EINVAL, "banco de dados não informado");
  rc = fat_rules_load_version(st, version, &files, &n, err);
  if (rc != FAT_OK)
    return rc;
  memset(&src, 0, sizeof src);
  src.stored = files;
  src.n_stored = n;
  rc = fat_rules_gen_build(&src, lim, gate, out, err);
  if (rc != FAT_OK)
    fat_err_prefix(err, "versão %lld: ", (long long)version);
  fat_rules_files_free(files, n);
  return rc;
}

fat_rc fat_gen_build_version(fat_store *st, int64_t version, const fat_limits *lim,
                             fat_gen **out, fat_err *err)
{
  return build_version(st, version, lim, 0, out, err);
}

fat_rc fat_rules_build_version_gated(fat_store *st, int64_t version, const fat_limits *lim,
                                     fat_gen **out, fat_err *err)
{
  return build_version(st, version, lim, 1, out, err);
}

/* }====================================================================== */

/* {======================================================================
** Rollback into the folder
** ======================================================================= */

/* mkdir -p for the directories of path (not the last component). */
static fat_rc mkdirs_for(const char *path, fat_err *err)
{
  char *p = fat_strdup(path);
  char *s;
  fat_rc rc = FAT_OK;

  if (p == NULL)
    return fat_err_oom(err);
  for (s = p + 1; *s != '\0' && rc == FAT_OK; s++) {
    if (*s != '/')
      continue;
    *s = '\0';
    if (mkdir(p, 0755) != 0 && errno != EEXIST)
      rc = fat_err_sys(err, errno, "não foi possível criar a pasta %s", p);
    *s = '/';
  }
  fat_free(p);
  return rc;
}

/* SHA-256 of the file at path into sha ("" when it does not exist). */
static fat_rc file_sha(const char *path, char sha[65], fat_err *err)
{
  char *text = NULL;
  size_t len = 0;
  struct stat sb;
  fat_rc rc;

  sha[0] = '\0';
  if (stat(path, &sb) != 0)
    return FAT_OK;
  rc = fat_file_read(path, FAT_RULES_SCRIPT_MAX, &text, &len, err);
  if (rc == FAT_OK)
    fat_sha256_hex(text, len, sha);
  fat_free(text);
  return rc;
}

static const fat_rules_file *files_find(const fat_rules_file *v, size_t n, const char *chave)
{
  size_t i;

  for (i = 0; i < n; i++)
    if (strcmp(v[i].chave, chave) == 0)
      return &v[i];
  return NULL;
}

/* A file of the folder that differs from the active generation. */
typedef struct dirty_file {
  char *chave;
  char *path;
} dirty_file;

typedef struct dirty_list {
  dirty_file *v;
  size_t n, cap;
} dirty_list;

static void dirty_fini(dirty_list *d)
{
  size_t i;

  for (i = 0; i < d->n; i++) {
    fat_free(d->v[i].chave);
    fat_free(d->v[i].path);
  }
  fat_free(d->v);
  memset(d, 0, sizeof *d);
}

static fat_rc dirty_add(dirty_list *d, const char *chave, const char *path, fat_err *err)
{
  if (d->n == d->cap) {
    size_t nc = d->cap ? d->cap * 2 : 8;
    dirty_file *nv = fat_realloc(d->v, nc * sizeof *nv);
    if (nv == NULL)
      return fat_err_oom(err);
    d->v = nv;
    d->cap = nc;
  }
  d->v[d->n].chave = fat_strdup(chave);
  d->v[d->n].path = fat_strdup(path);
  if (d->v[d->n].chave == NULL || d->v[d->n].path == NULL) {
    fat_free(d->v[d->n].chave);
    fat_free(d->v[d->n].path);
    return fat_err_oom(err);
  }
  d->n++;
  return FAT_OK;
}

/* Files of dir that differ from the active generation (edited, added or
** removed since it was published). Empty when there is no active one. */
static fat_rc folder_changes(const char *dir, fat_store *st, dirty_list *out, fat_err *err)
{
  fat_rules_file *live = NULL;
  size_t n_live = 0, i, n_keys = 0;
  char **keys = NULL, sha[65], chave[96];
  fat_rules_source src;
  int64_t active = 0;
  char *path = NULL;
  fat_rc rc;

  memset(out, 0, sizeof *out);
  rc = fat_rules_active(st, &active, NULL, err);
  if (rc != FAT_OK || active == 0)
    return rc;
  rc = fat_rules_load_version(st, active, &live, &n_live, err);
  memset(&src, 0, sizeof src);
  src.dir = dir;
  if (rc == FAT_OK)
    rc = fat_rules_list_ops(&src, &keys, &n_keys, err);
  for (i = 0; i < n_keys && rc == FAT_OK; i++) { /* the folder's operators */
    const fat_rules_file *f;

    snprintf(chave, sizeof chave, "operators/%s", keys[i]);
    f = files_find(live, n_live, chave);
    path = fat_rules_file_path(dir, chave, 1);
    rc = path != NULL ? file_sha(path, sha, err) : fat_err_oom(err);
    if (rc == FAT_OK && (f == NULL || strcmp(f->sha, sha) != 0))
      rc = dirty_add(out, chave, path, err);
    fat_free(path);
    path = NULL;
  }
  for (i = 0; i < n_live && rc == FAT_OK; i++) { /* what the live one has */
    const char *c = live[i].chave;
    int listed = 0;
    size_t k;

    for (k = 0; k < n_keys && strncmp(c, "operators/", 10) == 0; k++)
      if (strcmp(c + 10, keys[k]) == 0)
        listed = 1;
    if (listed)
      continue;
    path = fat_rules_file_path(dir, c, 0);
    rc = path != NULL ? file_sha(path, sha, err) : fat_err_oom(err);
    if (rc == FAT_OK && strcmp(live[i].sha, sha) != 0)
      rc = dirty_add(out, c, path, err);
    fat_free(path);
    path = NULL;
  }
  fat_rules_free_strv(keys, n_keys);
  fat_rules_files_free(live, n_live);
  if (rc != FAT_OK)
    dirty_fini(out);
  return rc;
}

/* Keep a copy of every changed file that still exists: <path>.antes-da-
** reversao-<AAAAMMDD-HHMMSS>. */
static fat_rc backup_changes(const dirty_list *d, fat_err *err)
{
  char stamp[32];
  time_t now = time(NULL);
  struct tm tmv;
  size_t i;
  fat_rc rc = FAT_OK;

  localtime_r(&now, &tmv);
  strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tmv);
  for (i = 0; i < d->n && rc == FAT_OK; i++) {
    char *text = NULL, *to;
    size_t len = 0;
    struct stat sb;

    if (stat(d->v[i].path, &sb) != 0)
      continue; /* removed from the folder: nothing to keep */
    to = fat_asprintf("%s.antes-da-reversao-%s", d->v[i].path, stamp);
    if (to == NULL)
      return fat_err_oom(err);
    rc = fat_file_read(d->v[i].path, FAT_RULES_SCRIPT_MAX, &text, &len, err);
    if (rc == FAT_OK)
      rc = fat_file_write(to, text, len, err);
    fat_free(text);
    fat_free(to);
  }
  return rc;
}

fat_rc fat_rules_folder_write(const char *dir, fat_store *st, const fat_gen *g, int64_t version,
                              unsigned flags, fat_err *err)
{
  dirty_list d;
  fat_rc rc;
  size_t i, n_keys = 0;
  char **keys = NULL;
  fat_rules_source cur;

  rc = folder_changes(dir, st, &d, err);
  if (rc != FAT_OK)
    return rc;
  if (d.n > 0 && (flags & FAT_RULES_REVERTER_FORCAR) == 0) {
    fat_buf b;

    fat_buf_init(&b, 300);
    for (i = 0; i < d.n; i++)
      if (fat_buf_printf(&b, NULL, "%s%s.lua", i > 0 ? ", " : "", d.v[i].chave) != FAT_OK)
        break; /* a shorter list is still a useful message */
    rc = fat_err_set(err, FAT_ESTATE, "a pasta de regras tem alterações não publicadas (%s): "
                                      "publique (faturo regras recarregar) ou descarte antes de "
                                      "reverter, ou use --forcar para guardar uma cópia "
                                      "(.antes-da-reversao-...) e reverter",
                     b.data != NULL ? b.data : "");
    fat_buf_fini(&b);
    goto out;
  }
  rc = backup_changes(&d, err);
  /* write the version's files; a module is written into the folder only
  ** when the one the folder resolves to differs */
  for (i = 0; i < g->n_ops + g->n_mods && rc == FAT_OK; i++) {
    const fat_rules_file *f = i < g->n_ops ? &g->ops[i]->file : &g->mods[i - g->n_ops];
    char *path = fat_rules_file_path(dir, f->chave, 0), *wpath = NULL;
    char sha[65];

    rc = path != NULL ? file_sha(path, sha, err) : fat_err_oom(err);
    if (rc == FAT_OK && strcmp(sha, f->sha) != 0) {
      wpath = fat_rules_file_path(dir, f->chave, 1);
      rc = wpath != NULL ? mkdirs_for(wpath, err) : fat_err_oom(err);
      if (rc == FAT_OK)
        rc = fat_file_write(wpath, f->text, f->len, err);
    }
    fat_free(wpath);
    fat_free(path);
  }
  /* operator scripts not in that version are set aside (not deleted) */
  memset(&cur, 0, sizeof cur);
  cur.dir = dir;
  if (rc == FAT_OK)
    rc = fat_rules_list_ops(&cur, &keys, &n_keys, err);
  for (i = 0; i < n_keys && rc == FAT_OK; i++) {
    char *from, *to;

    if (fat_rules_gen_find(g, keys[i]) != NULL)
      continue;
    from = fat_asprintf("%s/operators/%s.lua", dir, keys[i]);
    to = fat_asprintf("%s/operators/%s.lua.removido-v%lld", dir, keys[i], (long long)version);
    if (from == NULL || to == NULL)
      rc = fat_err_oom(err);
    else if (rename(from, to) != 0)
      rc = fat_err_sys(err, errno, "não foi possível renomear %s", from);
    fat_free(from);
    fat_free(to);
  }
  fat_rules_free_strv(keys, n_keys);
out:
  dirty_fini(&d);
  return rc;
}

fat_rc fat_rules_revert(const char *dir, fat_store *st, int64_t version, const fat_limits *lim,
                        unsigned flags, int64_t *new_id, fat_err *err)
{
  fat_gen *g = NULL;
  fat_rc rc;
  char motivo[64];

  if (new_id != NULL)
    *new_id = 0;
  if (dir == NULL || st == NULL)
    return fat_err_set(err, FAT_EINVAL, "pasta de regras ou banco não informado");
  rc = build_version(st, version, lim, 1, &g, err);
  if (rc == FAT_OK)
    rc = fat_rules_folder_write(dir, st, g, version, flags, err);
  if (rc == FAT_OK) {
    fat_free(g->dir);
    g->dir = fat_strdup(dir);
    if (g->dir == NULL)
      rc = fat_err_oom(err);
  }
  if (rc == FAT_OK) {
    snprintf(motivo, sizeof motivo, "reversao de %lld", (long long)version);
    rc = fat_gen_record(g, st, motivo, err);
  }
  if (rc == FAT_OK && new_id != NULL)
    *new_id = g->id;
  fat_gen_release(g);
  return rc;
}

/* }====================================================================== */

/* {======================================================================
** Versions
** ======================================================================= */

fat_rc fat_rules_active(fat_store *st, int64_t *id, char *hash, fat_err *err)
{
  static const char sql[] = "SELECT id, hash FROM regra_geracao WHERE ativa = 1";
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);
  int step;

  *id = 0;
  if (hash != NULL)
    hash[0] = '\0';
  if (rc != FAT_OK)
    return rc;
  step = fat_stmt_step(s);
  if (step == FAT_ROW) {
    const char *h = fat_col_text(s, 1);
    *id = fat_col_int64(s, 0);
    if (hash != NULL && h != NULL)
      snprintf(hash, 65, "%s", (const char *)h);
  } else if (step != FAT_DONE) {
    rc = fat_store_dberr(st, err, "erro ao ler a geração ativa");
  }
  fat_stmt_reset(s);
  return rc;
}

static int add_col_text(cJSON *o, const char *name, fat_stmt *s, int i)
{
  const char *t = fat_col_text(s, i);

  if (fat_col_is_null(s, i))
    return cJSON_AddNullToObject(o, name) != NULL;
  return cJSON_AddStringToObject(o, name, t != NULL ? (const char *)t : "") != NULL;
}

/* One row of q_gen as a version object appended to arr; 0 on OOM. */
static int version_row(cJSON *arr, fat_stmt *s)
{
  cJSON *o = cJSON_CreateObject();

  if (o == NULL || !cJSON_AddItemToArray(arr, o)) {
    cJSON_Delete(o);
    return 0;
  }
  return cJSON_AddNumberToObject(o, "id", (double)fat_col_int64(s, 0)) != NULL &&
         add_col_text(o, "criado_em", s, 1) && add_col_text(o, "usuario", s, 2) &&
         cJSON_AddBoolToObject(o, "ativa", fat_col_int(s, 3) != 0) != NULL &&
         add_col_text(o, "origem", s, 4) && add_col_text(o, "motivo", s, 5) &&
         cJSON_AddNumberToObject(o, "n_scripts", fat_col_int(s, 6)) != NULL &&
         cJSON_AddNumberToObject(o, "n_testes", fat_col_int(s, 7)) != NULL &&
         add_col_text(o, "hash", s, 8) && cJSON_AddArrayToObject(o, "scripts") != NULL;
}

/* One row of q_files added to its version's scripts; 0 on OOM. */
static int script_row(cJSON *arr, fat_stmt *s)
{
  int64_t gid = fat_col_int64(s, 0);
  cJSON *v, *f;

  cJSON_ArrayForEach(v, arr)
  {
    if ((int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(v, "id")) != gid)
      continue;
    f = cJSON_CreateObject();
    if (f == NULL || !cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(v, "scripts"), f)) {
      cJSON_Delete(f);
      return 0;
    }
    return add_col_text(f, "chave", s, 1) && add_col_text(f, "sha256", s, 2);
  }
  return 1;
}

fat_rc fat_rules_versions(fat_store *st, cJSON **out, fat_err *err)
{
  static const char q_gen[] =
      "SELECT id, criado_em, usuario, ativa, origem, motivo, n_scripts, n_testes, hash "
      "FROM regra_geracao ORDER BY id DESC";
  static const char q_files[] =
      "SELECT geracao_id, chave, sha256 FROM regra_script ORDER BY geracao_id DESC, chave";
  fat_stmt *s;
  cJSON *arr = cJSON_CreateArray();
  fat_rc rc;
  int step = FAT_DONE, ok = 1;

  *out = NULL;
  if (arr == NULL)
    return fat_err_oom(err);
  rc = fat_store_prepare(st, q_gen, &s, err);
  if (rc == FAT_OK) {
    for (step = fat_stmt_step(s); step == FAT_ROW && ok; step = fat_stmt_step(s))
      ok = version_row(arr, s);
    fat_stmt_reset(s);
    if (ok && step != FAT_DONE)
      rc = fat_store_dberr(st, err, "erro ao listar as versões das regras");
  }
  if (rc == FAT_OK && ok)
    rc = fat_store_prepare(st, q_files, &s, err);
  if (rc == FAT_OK && ok) {
    for (step = fat_stmt_step(s); step == FAT_ROW && ok; step = fat_stmt_step(s))
      ok = script_row(arr, s);
    fat_stmt_reset(s);
    if (ok && step != FAT_DONE)
      rc = fat_store_dberr(st, err, "erro ao listar as versões das regras");
  }
  if (rc == FAT_OK && !ok)
    rc = fat_err_oom(err);
  if (rc != FAT_OK) {
    cJSON_Delete(arr);
    return rc;
  }
  *out = arr;
  return FAT_OK;
}

/* }====================================================================== */
