/* fat_rules_gen.c: a generation: every operator script compiled in its own
** sandboxed lua_State (plus the scripts/ modules it required), its checks,
** contract and self-tests; running the checks over a guia.
**
** Every entry into Lua goes through lua_pcall of a C function, so that Lua
** errors, budget hits and allocation failures inside Lua never escape as
** longjmps. Each operator's state has a run mutex; see docs/regras.md for
** the threading design.
*/
#include "fat_rules_int.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <lauxlib.h>
#include <sodium.h>

#include "fat_paths.h"
#include "fat_sha256.h"

#define RULES_ERRS_MAX 8192 /* collected build errors */
#define DEF_INSTR_MAX 10000000UL
#define DEF_MEM_MAX ((size_t)64 * 1024 * 1024)
#define DEF_TIME_MS 2000L
#define DEF_TOTAL_MS 30000L

atomic_long fat_rules_ops_started;

static const char REG_LOADED[] = "faturo.loaded"; /* registry: module cache */
static const char REG_BUILD[] = "faturo.build";   /* registry: build_ctx* during build */
static char loading_mark; /* module-cache value while a module is running */

typedef struct build_ctx {
  fat_gen *g;
  const fat_rules_source *src;
} build_ctx;

/* {======================================================================
** Helpers
** ======================================================================= */

void fat_rules_file_fini(fat_rules_file *f)
{
  fat_free(f->chave);
  fat_free(f->text);
  fat_free(f->bc);
  memset(f, 0, sizeof *f);
}

void fat_rules_files_free(fat_rules_file *v, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++)
    fat_rules_file_fini(&v[i]);
  fat_free(v);
}

void fat_rules_limits_fill(fat_limits *dst, const fat_limits *src)
{
  dst->instr_max = (src != NULL && src->instr_max > 0) ? src->instr_max : DEF_INSTR_MAX;
  dst->mem_max = (src != NULL && src->mem_max > 0) ? src->mem_max : DEF_MEM_MAX;
  dst->time_ms = (src != NULL && src->time_ms > 0) ? src->time_ms : DEF_TIME_MS;
  dst->total_ms = (src != NULL && src->total_ms > 0) ? src->total_ms : DEF_TOTAL_MS;
}

int fat_rules_valid_key(const char *k, size_t n)
{
  size_t i;

  if (n == 0 || n > 64)
    return 0;
  for (i = 0; i < n; i++) {
    char c = k[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
      return 0;
  }
  return 1;
}

/* Append "; msg" to the build error list (bounded). */
void fat_rules_errs_add(fat_buf *errs, const char *msg)
{
  fat_rc rc = FAT_OK;

  if (errs->len > 0)
    rc = fat_buf_puts(errs, "; ", NULL);
  if (rc == FAT_OK)
    rc = fat_buf_puts(errs, msg, NULL);
  (void)rc; /* a full error list is still a useful error list */
}

static int is_file(const char *path)
{
  struct stat sb;

  return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

char *fat_rules_file_path(const char *dir, const char *chave, int for_write)
{
  char *own, *shared;

  own = fat_asprintf("%s/%s.lua", dir, chave);
  if (own == NULL || for_write || strncmp(chave, "scripts/", 8) != 0 || is_file(own))
    return own;
  /* a module the rules folder does not have: the installed shared one */
  shared = fat_paths_data(chave);
  if (shared == NULL)
    return own;
  fat_free(own);
  own = fat_asprintf("%s.lua", shared);
  fat_free(shared);
  return own;
}

fat_rules_op *fat_rules_gen_find(const fat_gen *g, const char *key)
{
  size_t i;

  if (g == NULL || key == NULL)
    return NULL;
  for (i = 0; i < g->n_ops; i++)
    if (strcmp(g->ops[i]->key, key) == 0)
      return g->ops[i];
  return NULL;
}

static int str_cmp(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

void fat_rules_free_strv(char **v, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++)
    fat_free(v[i]);
  fat_free(v);
}

static fat_rc strv_push(char ***v, size_t *n, size_t *cap, const char *s, size_t len)
{
  if (*n == *cap) {
    size_t nc = *cap ? *cap * 2 : 16;
    char **nv = fat_realloc(*v, nc * sizeof *nv);
    if (nv == NULL)
      return FAT_ENOMEM;
    *v = nv;
    *cap = nc;
  }
  (*v)[*n] = fat_strndup(s, len);
  if ((*v)[*n] == NULL)
    return FAT_ENOMEM;
  (*n)++;
  return FAT_OK;
}

fat_rc fat_rules_list_ops(const fat_rules_source *src, char ***out, size_t *n_out, fat_err *err)
{
  char **v = NULL;
  size_t n = 0, cap = 0, i;
  fat_rc rc = FAT_OK;
  char *path = NULL;
  DIR *d = NULL;

  *out = NULL;
  *n_out = 0;
  if (src->dir != NULL) {
    struct dirent *de;

    path = fat_asprintf("%s/operators", src->dir);
    if (path == NULL) {
      rc = fat_err_oom(err);
      goto out;
    }
    d = opendir(path);
    if (d == NULL) {
      rc = fat_err_set(err, FAT_ENOTFOUND, "pasta de regras sem operators/: %s: %s", path,
                       fat_err_errno_str(errno));
      goto out;
    }
    for (de = readdir(d); de != NULL && rc == FAT_OK; de = readdir(d)) {
      size_t l = strlen(de->d_name);
      if (l < 5 || strcmp(de->d_name + l - 4, ".lua") != 0 || de->d_name[0] == '.')
        continue;
      if (!fat_rules_valid_key(de->d_name, l - 4))
        continue; /* listed as ignored in docs: only [a-z0-9_-] names */
      rc = strv_push(&v, &n, &cap, de->d_name, l - 4);
    }
  } else {
    for (i = 0; i < src->n_stored && rc == FAT_OK; i++)
      if (strncmp(src->stored[i].chave, "operators/", 10) == 0)
        rc = strv_push(&v, &n, &cap, src->stored[i].chave + 10,
                       strlen(src->stored[i].chave + 10));
  }
  if (rc == FAT_OK && src->override_key != NULL) {
    int have = 0;
    for (i = 0; i < n; i++)
      if (strcmp(v[i], src->override_key) == 0)
        have = 1;
    if (!have)
      rc = strv_push(&v, &n, &cap, src->override_key, strlen(src->override_key));
  }
  if (rc != FAT_OK) {
    rc = fat_err_oom(err);
    goto out;
  }
  if (n > 0)
    qsort(v, n, sizeof *v, str_cmp);
  *out = v;
  *n_out = n;
  v = NULL;
  n = 0;
out:
  if (d != NULL)
    closedir(d);
  fat_free(path);
  fat_rules_free_strv(v, n);
  return rc;
}

/* }====================================================================== */

/* {======================================================================
** require
** ======================================================================= */

static int valid_modname(const char *s, size_t n)
{
  size_t i;
  int prev_dot = 1;

  if (n == 0 || n > 100)
    return 0;
  for (i = 0; i < n; i++) {
    char c = s[i];
    if (c == '.') {
      if (prev_dot)
        return 0;
      prev_dot = 1;
      continue;
    }
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '_'))
      return 0;
    prev_dot = 0;
  }
  return !prev_dot;
}

static fat_rules_file *gen_find_mod(const fat_gen *g, const char *chave)
{
  size_t i;

  for (i = 0; i < g->n_mods; i++)
    if (strcmp(g->mods[i].chave, chave) == 0)
      return &g->mods[i];
  return NULL;
}

/* The compiled text of module chave in the build source, when the source
** is a generation's files (fat_gen_clone) and that build compiled it. */
static const fat_rules_file *src_compiled(const fat_rules_source *src, const char *chave)
{
  size_t i;

  if (src->dir != NULL)
    return NULL;
  for (i = 0; i < src->n_stored; i++)
    if (src->stored[i].bc != NULL && strcmp(src->stored[i].chave, chave) == 0)
      return &src->stored[i];
  return NULL;
}

/* lua_dump's writer: append to a fat_buf. */
static int bc_write(lua_State *L, const void *p, size_t n, void *ud)
{
  (void)L;
  return fat_buf_append(ud, p, n, NULL) != FAT_OK;
}

/* Push module m's chunk, compiled once per generation: from m->bc when
** there is one (the text this generation checked, compiled in this
** process: same function, same line info), else from the text, keeping
** the compiled form in m (when that fails for memory, the next state just
** compiles the text again). */
static int mod_load(lua_State *L, fat_rules_file *m, const char *cname)
{
  int st;

  fat_buf b;

  if (m->bc != NULL)
    return luaL_loadbufferx(L, m->bc, m->bc_len, cname, "b");
  st = luaL_loadbufferx(L, m->text, m->len, cname, "t");
  fat_buf_init(&b, SIZE_MAX / 2);
  if (st == LUA_OK && lua_dump(L, bc_write, &b, 0) == 0 && b.len > 0) {
    m->bc_len = b.len;
    m->bc = fat_buf_take(&b);
  }
  fat_buf_fini(&b);
  return st;
}

/* Read the text of chave ("scripts/faturo/base") from the build source. */
static fat_rc src_read(const fat_rules_source *src, const char *chave, char **text, size_t *len,
                       fat_err *err)
{
  size_t i;
  char *path;
  fat_rc rc;

  *text = NULL;
  *len = 0;
  if (src->dir == NULL) {
    for (i = 0; i < src->n_stored; i++) {
      if (strcmp(src->stored[i].chave, chave) == 0) {
        *text = fat_strndup(src->stored[i].text, src->stored[i].len);
        if (*text == NULL)
          return fat_err_oom(err);
        *len = src->stored[i].len;
        return FAT_OK;
      }
    }
    return fat_err_set(err, FAT_ENOTFOUND, "%s.lua não está na versão gravada", chave);
  }
  path = fat_rules_file_path(src->dir, chave, 0);
  if (path == NULL)
    return fat_err_oom(err);
  rc = fat_file_read(path, FAT_RULES_SCRIPT_MAX, text, len, err);
  fat_free(path);
  return rc;
}

/* Record a module read during the build (the generation keeps its text). */
static fat_rules_file *gen_add_mod(fat_gen *g, const char *chave, char *text, size_t len)
{
  fat_rules_file f;

  memset(&f, 0, sizeof f);
  f.text = text;
  f.len = len;
  fat_sha256_hex(text, len, f.sha);
  f.chave = fat_strdup(chave);
  if (f.chave != NULL && g->n_mods == g->cap_mods) {
    size_t cap = g->cap_mods ? g->cap_mods * 2 : 8;
    fat_rules_file *nm = fat_realloc(g->mods, cap * sizeof *nm);
    if (nm != NULL) {
      g->mods = nm;
      g->cap_mods = cap;
    }
  }
  if (f.chave == NULL || g->n_mods == g->cap_mods) {
    fat_rules_file_fini(&f);
    return NULL;
  }
  g->mods[g->n_mods++] = f;
  return &g->mods[g->n_mods - 1];
}

/* require(nome): modules under DIR/scripts (or the installed ones) only,
** text only, loaded once per state and frozen once loaded; after the build
** only already-loaded modules are served. */
static int l_fat_require(lua_State *L)
{
  size_t n;
  const char *name = luaL_checklstring(L, 1, &n);
  char chave[128], cname[160];
  build_ctx *bc;
  fat_rules_file *m;
  size_t i;

  if (!valid_modname(name, n))
    return luaL_error(L, "require: nome de módulo inválido '%s'", name);
  lua_getfield(L, LUA_REGISTRYINDEX, REG_LOADED); /* [name loaded] */
  lua_pushvalue(L, 1);
  if (lua_rawget(L, 2) != LUA_TNIL) {           /* [name loaded v] */
    if (lua_type(L, 3) == LUA_TLIGHTUSERDATA)
      return luaL_error(L, "require: dependência circular em '%s'", name);
    return 1;
  }
  lua_pop(L, 1);
  lua_getfield(L, LUA_REGISTRYINDEX, REG_BUILD);
  bc = lua_touserdata(L, -1);
  lua_pop(L, 1);
  if (bc == NULL)
    return luaL_error(L, "require '%s': módulos só podem ser carregados na carga do script",
                      name);
  snprintf(chave, sizeof chave, "scripts/");
  for (i = 0; i < n; i++)
    chave[8 + i] = name[i] == '.' ? '/' : name[i];
  chave[8 + n] = '\0';
  m = gen_find_mod(bc->g, chave);
  if (m == NULL) {
    char *text = NULL;
    size_t len = 0;
    fat_err e;

    fat_err_clear(&e);
    if (src_read(bc->src, chave, &text, &len, &e) != FAT_OK) {
      if (e.rc == FAT_ENOMEM)
        return luaL_error(L, "memória insuficiente");
      return luaL_error(L, "módulo '%s' não encontrado em %s.lua", name, chave);
    }
    m = gen_add_mod(bc->g, chave, text, len);
    if (m == NULL)
      return luaL_error(L, "memória insuficiente");
    /* a copy of a generation: the module as that generation compiled it
    ** (the same text: the copy's hash is checked against it) */
    {
      const fat_rules_file *c = src_compiled(bc->src, chave);

      if (c != NULL && c->len == len && memcmp(c->text, m->text, len) == 0) {
        m->bc = fat_malloc(c->bc_len);
        if (m->bc != NULL) {
          memcpy(m->bc, c->bc, c->bc_len);
          m->bc_len = c->bc_len;
        }
      }
    }
  }
  /* mark as loading, then run the module chunk with its name as argument */
  lua_pushvalue(L, 1);
  lua_pushlightuserdata(L, &loading_mark);
  lua_rawset(L, 2);
  snprintf(cname, sizeof cname, "@%s.lua", chave);
  if (mod_load(L, m, cname) != LUA_OK)
    return lua_error(L);
  lua_pushvalue(L, 1);
  lua_call(L, 1, 1); /* [name loaded v] */
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    lua_pushboolean(L, 1);
  }
  fat_sandbox_freeze(L, -1); /* a loaded module does not change any more */
  lua_pushvalue(L, 1);
  lua_pushvalue(L, -2);
  lua_rawset(L, 2);
  return 1;
}

/* The sandbox with this host's require, and a module cache holding only
** faturo.nativo (fat_rules_nativo.c). */
static void host_setup(lua_State *L, build_ctx *bc)
{
  fat_sandbox_setup(L, l_fat_require);
  lua_newtable(L);
  fat_rules_push_nativo(L); /* the C readers faturo.dinheiro wraps */
  lua_setfield(L, -2, "faturo.nativo");
  lua_setfield(L, LUA_REGISTRYINDEX, REG_LOADED);
  lua_pushlightuserdata(L, bc);
  lua_setfield(L, LUA_REGISTRYINDEX, REG_BUILD);
}

/* }====================================================================== */

/* {======================================================================
** Operator scripts: build
** ======================================================================= */

static const char *const contract_skip[] = {"checks", "testes", NULL};

/* Raw field of the table at idx; pushes it and returns its type. */
int fat_rules_rawfield(lua_State *L, int idx, const char *k)
{
  idx = lua_absindex(L, idx);
  lua_pushstring(L, k);
  return lua_rawget(L, idx);
}

static int check_cmp(const void *a, const void *b)
{
  return strcmp(((const fat_rules_check *)a)->name, ((const fat_rules_check *)b)->name);
}

/* Which file (and so which SHA-256) defines a function with this source. */
static void check_sha(const fat_gen *g, const fat_rules_op *op, const char *source, char sha[65])
{
  size_t i, n;

  sha[0] = '\0';
  if (source == NULL || source[0] != '@')
    return;
  source++;
  n = strlen(op->file.chave);
  if (strncmp(source, op->file.chave, n) == 0 && strcmp(source + n, ".lua") == 0) {
    memcpy(sha, op->file.sha, 65);
    return;
  }
  for (i = 0; i < g->n_mods; i++) {
    n = strlen(g->mods[i].chave);
    if (strncmp(source, g->mods[i].chave, n) == 0 && strcmp(source + n, ".lua") == 0) {
      memcpy(sha, g->mods[i].sha, 65);
      return;
    }
  }
}

typedef struct op_build_arg {
  fat_gen *g;
  fat_rules_op *op;
  build_ctx *bc;
  cJSON *holder; /* owns partial JSON while Lua may raise */
} op_build_arg;

static void validate_test_codes(lua_State *L, int t, const char *field, const char *tname)
{
  lua_Integer i, n;

  if (fat_rules_rawfield(L, t, field) == LUA_TNIL) {
    lua_pop(L, 1);
    return;
  }
  if (lua_type(L, -1) != LUA_TTABLE)
    luaL_error(L, "teste '%s': %s deve ser uma lista de códigos", tname, field);
  n = (lua_Integer)lua_rawlen(L, -1);
  for (i = 1; i <= n; i++) {
    if (lua_rawgeti(L, -1, i) != LUA_TSTRING)
      luaL_error(L, "teste '%s': %s[%d] deve ser um código (texto)", tname, field, (int)i);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

/* checks: name -> function; refs taken, sorted by name. The checks table is
** at t. */
static void build_checks(lua_State *L, op_build_arg *a, int t)
{
  fat_rules_op *op = a->op;
  size_t n = 0, i;

  lua_pushnil(L);
  while (lua_next(L, t) != 0) {
    if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TFUNCTION)
      luaL_error(L, "%s.lua: checks: cada entrada deve ser nome = function(guia, ctx)",
                 op->file.chave);
    n++;
    lua_pop(L, 1);
  }
  if (n == 0)
    return;
  op->checks = fat_calloc(n, sizeof *op->checks);
  if (op->checks == NULL)
    luaL_error(L, "memória insuficiente");
  lua_pushnil(L);
  while (lua_next(L, t) != 0) { /* [.. name fn] */
    fat_rules_check *c = &op->checks[op->n_checks];
    lua_Debug ar;
    size_t ln;
    const char *nm = lua_tolstring(L, -2, &ln);

    if (ln == 0 || ln > 64)
      luaL_error(L, "%s.lua: nome de check inválido '%s'", op->file.chave, nm);
    for (i = 0; i < ln; i++)
      if (!((nm[i] >= 'a' && nm[i] <= 'z') || (nm[i] >= 'A' && nm[i] <= 'Z') ||
            (nm[i] >= '0' && nm[i] <= '9') || nm[i] == '_'))
        luaL_error(L, "%s.lua: nome de check inválido '%s'", op->file.chave, nm);
    c->name = fat_strdup(nm);
    if (c->name == NULL)
      luaL_error(L, "memória insuficiente");
    op->n_checks++;
    lua_pushvalue(L, -1);
    lua_getinfo(L, ">S", &ar);
    c->line = ar.linedefined;
    check_sha(a->g, op, ar.source, c->sha);
    c->ref = luaL_ref(L, LUA_REGISTRYINDEX); /* pops fn */
  }
  qsort(op->checks, op->n_checks, sizeof *op->checks, check_cmp);
}

/* testes: validated and converted to JSON specs (test at t). */
static void build_tests(lua_State *L, op_build_arg *a, int t)
{
  fat_rules_op *op = a->op;
  lua_Integer ti, tn;

  if (lua_type(L, t) != LUA_TTABLE)
    luaL_error(L, "%s.lua: testes deve ser uma lista", op->file.chave);
  tn = (lua_Integer)lua_rawlen(L, t);
  for (ti = 1; ti <= tn; ti++) {
    const char *tname;
    cJSON *spec;

    if (lua_rawgeti(L, t, ti) != LUA_TTABLE)
      luaL_error(L, "%s.lua: testes[%d] deve ser uma tabela", op->file.chave, (int)ti);
    if (fat_rules_rawfield(L, -1, "nome") != LUA_TSTRING)
      luaL_error(L, "%s.lua: testes[%d] sem nome", op->file.chave, (int)ti);
    tname = lua_tostring(L, -1);
    lua_pop(L, 1); /* the string stays alive in the test table */
    if (fat_rules_rawfield(L, -1, "guia") != LUA_TTABLE)
      luaL_error(L, "%s.lua: teste '%s' sem guia", op->file.chave, tname);
    lua_pop(L, 1);
    if (fat_rules_rawfield(L, -1, "ctx") != LUA_TNIL && lua_type(L, -1) != LUA_TTABLE)
      luaL_error(L, "%s.lua: teste '%s': ctx deve ser uma tabela", op->file.chave, tname);
    lua_pop(L, 1);
    validate_test_codes(L, -1, "espera", tname);
    validate_test_codes(L, -1, "nao_espera", tname);
    spec = cJSON_DetachItemViaPointer(a->holder, fat_rules_json_from_lua(L, -1, a->holder, NULL));
    if (spec == NULL)
      luaL_error(L, "memória insuficiente");
    if (!cJSON_AddItemToArray(op->tests, spec)) {
      cJSON_Delete(spec);
      luaL_error(L, "memória insuficiente");
    }
    lua_pop(L, 1);
  }
}

/* Protected: set up the sandbox, run the operator chunk, validate the
** declaration, take refs of the checks, convert contract and tests, then
** freeze what the checks can reach and refuse checks that keep state. */
static int op_build_main(lua_State *L)
{
  op_build_arg *a = lua_touserdata(L, 1);
  fat_rules_op *op = a->op;
  char cname[160];
  int decl, checks;
  size_t i;

  lua_settop(L, 0);
  host_setup(L, a->bc);
  snprintf(cname, sizeof cname, "@%s.lua", op->file.chave);
  if (luaL_loadbufferx(L, op->file.text, op->file.len, cname, "t") != LUA_OK)
    return lua_error(L);
  lua_call(L, 0, 1);
  decl = lua_gettop(L);
  if (lua_type(L, decl) != LUA_TTABLE)
    return luaL_error(L, "%s.lua: o script deve retornar a declaração da operadora "
                         "(return base.operadora { ... })", op->file.chave);
  fat_sandbox_unfreeze_view(L, decl);
  if (fat_rules_rawfield(L, decl, "registro_ans") != LUA_TSTRING)
    return luaL_error(L, "%s.lua: registro_ans ausente na declaração", op->file.chave);
  lua_pop(L, 1);
  if (fat_rules_rawfield(L, decl, "nome") != LUA_TSTRING)
    return luaL_error(L, "%s.lua: nome ausente na declaração", op->file.chave);
  lua_pop(L, 1);

  if (fat_rules_rawfield(L, decl, "checks") == LUA_TNIL) {
    lua_pop(L, 1);
    lua_newtable(L);
  } else if (lua_type(L, -1) != LUA_TTABLE) {
    return luaL_error(L, "%s.lua: checks deve ser uma tabela nome = function(guia, ctx)",
                      op->file.chave);
  }
  checks = lua_gettop(L);
  fat_sandbox_unfreeze_view(L, checks);
  build_checks(L, a, checks);

  op->contract = cJSON_DetachItemViaPointer(
      a->holder, fat_rules_json_from_lua(L, decl, a->holder, contract_skip));
  if (op->contract == NULL || !cJSON_IsObject(op->contract))
    return luaL_error(L, "%s.lua: declaração inválida", op->file.chave);
  op->tests = cJSON_CreateArray();
  if (op->tests == NULL)
    return luaL_error(L, "memória insuficiente");
  if (fat_rules_rawfield(L, decl, "testes") != LUA_TNIL) {
    fat_sandbox_unfreeze_view(L, -1);
    build_tests(L, a, lua_gettop(L));
  }
  lua_pop(L, 1);

  /* contract extras: identity and what C knows */
  {
    cJSON *names = cJSON_CreateArray();

    if (names == NULL || !cJSON_AddItemToObject(op->contract, "checks", names)) {
      cJSON_Delete(names);
      return luaL_error(L, "memória insuficiente");
    }
    for (i = 0; i < op->n_checks; i++)
      if (!cJSON_AddItemToArray(names, cJSON_CreateString(op->checks[i].name)))
        return luaL_error(L, "memória insuficiente");
    cJSON_DeleteItemFromObjectCaseSensitive(op->contract, "chave");
    cJSON_DeleteItemFromObjectCaseSensitive(op->contract, "sha256");
    if (cJSON_AddStringToObject(op->contract, "chave", op->key) == NULL ||
        cJSON_AddStringToObject(op->contract, "sha256", op->file.sha) == NULL ||
        cJSON_AddNumberToObject(op->contract, "testes", cJSON_GetArraySize(op->tests)) == NULL)
      return luaL_error(L, "memória insuficiente");
  }

  /* what later guias see cannot change: no state kept between calls, and
  ** everything the checks reach read-only (the modules were frozen when
  ** loaded; the rest of the declaration, tests included, is garbage now:
  ** the checks' refs keep what they need alive) */
  fat_sandbox_refuse_state(L, checks);
  fat_sandbox_freeze(L, checks);
  lua_pushnil(L);
  lua_setfield(L, LUA_REGISTRYINDEX, REG_BUILD);
  return 0;
}

static void op_free(fat_rules_op *op)
{
  size_t i;

  if (op == NULL)
    return;
  fat_sandbox_close(&op->bud);
  fat_rules_view_free(op->view);
  for (i = 0; i < op->n_checks; i++)
    fat_free(op->checks[i].name);
  fat_free(op->checks);
  cJSON_Delete(op->contract);
  fat_contrato_free(op->contrato);
  cJSON_Delete(op->tests);
  if (op->mu_ok)
    pthread_mutex_destroy(&op->mu);
  fat_rules_file_fini(&op->file);
  fat_free(op->key);
  fat_free(op);
}

/* Text of the Lua error on top of L, copied (it dies with the next call). */
void fat_rules_lua_msg(lua_State *L, char *buf, size_t len)
{
  const char *m = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;

  snprintf(buf, len, "%s", m != NULL ? m : "erro desconhecido");
}

/* Line of the first "tok =" in the script (a field being set), 0 if none. */
static int field_line(const char *text, size_t len, const char *tok)
{
  size_t tl = strlen(tok), i;
  int line = 1;

  if (tl == 0)
    return 0;
  for (i = 0; i + tl < len; i++) {
    if (text[i] == '\n')
      line++;
    if (memcmp(text + i, tok, tl) == 0 && (i == 0 || !(text[i - 1] == '_' ||
        (text[i - 1] >= 'a' && text[i - 1] <= 'z')))) {
      size_t j = i + tl;
      while (j < len && text[j] == ' ')
        j++;
      if (j + 1 < len && text[j] == '=' && text[j + 1] != '=')
        return line;
    }
  }
  return 0;
}

/* The last component of the field path that follows `after` in msg
** ("base.operadora: lote.max_guias ..." -> "max_guias"). */
static void last_field(const char *msg, const char *after, char *tok, size_t len)
{
  const char *p = strstr(msg, after);
  size_t n = 0;

  tok[0] = '\0';
  if (p == NULL)
    return;
  p += strlen(after);
  while (n < len - 1 && ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' ||
                         *p == '.')) {
    if (*p == '.')
      n = 0;
    else
      tok[n++] = *p;
    p++;
  }
  tok[n] = '\0';
}

/* `return base.operadora {...}` is a tail call, so a declaration error has no
** caller line. Guess it: the message names the field ("base.operadora:
** lote.max_guias ..."); find the first "max_guias =" in the script. 0 if not
** found. */
static int guess_decl_line(const char *text, size_t len, const char *msg)
{
  char tok[64];

  last_field(msg, "base.operadora: ", tok, sizeof tok);
  return field_line(text, len, tok);
}

/* The typed contract of op from its declaration; a malformed section is a
** build error naming the script line that sets the field. */
static fat_rc op_contrato(fat_rules_op *op, fat_buf *errs)
{
  fat_err e;
  char tok[64], msg[700];
  int line;
  fat_rc rc;

  fat_err_clear(&e);
  rc = fat_contrato_parse(op->contract, &op->contrato, &e);
  if (rc == FAT_OK)
    snprintf(op->contrato->chave, sizeof op->contrato->chave, "%s", op->key);
  if (rc == FAT_ENOMEM || rc == FAT_OK)
    return rc;
  last_field(e.msg, "campo ", tok, sizeof tok);
  line = field_line(op->file.text, op->file.len, tok);
  if (line > 0)
    snprintf(msg, sizeof msg, "%s.lua:%d: %s", op->file.chave, line, e.msg);
  else
    snprintf(msg, sizeof msg, "%s.lua: %s", op->file.chave, e.msg);
  fat_rules_errs_add(errs, msg);
  return FAT_ERULE;
}

/* Build one operator (state, sandbox, chunk, declaration). The op takes
** ownership of text. Errors (with file:line) are appended to errs. */
static fat_rc op_build(fat_gen *g, build_ctx *bc, const char *key, char *text, size_t len,
                       int64_t deadline, fat_rules_op **out, fat_buf *errs)
{
  fat_rules_op *op;
  op_build_arg a;
  int status, hard;
  char msg[600];
  fat_rc rc = FAT_OK;

  *out = NULL;
  memset(&a, 0, sizeof a);
  atomic_fetch_add(&fat_rules_ops_started, 1);
  op = fat_calloc(1, sizeof *op);
  if (op == NULL) {
    fat_free(text);
    rc = FAT_ENOMEM;
    goto out;
  }
  op->file.text = text;
  op->file.len = len;
  op->key = fat_strdup(key);
  op->file.chave = fat_asprintf("operators/%s", key);
  if (op->key == NULL || op->file.chave == NULL || pthread_mutex_init(&op->mu, NULL) != 0) {
    rc = FAT_ENOMEM;
    goto out;
  }
  op->mu_ok = 1;
  fat_sha256_hex(text, len, op->file.sha);
  snprintf(msg, sizeof msg, "a regra de %s.lua", op->file.chave);
  op->L = fat_sandbox_new(&op->bud, &g->lim, msg);
  a.holder = cJSON_CreateArray();
  if (op->L == NULL || a.holder == NULL) {
    rc = FAT_ENOMEM;
    goto out;
  }
  a.g = g;
  a.op = op;
  a.bc = bc;
  lua_pushcfunction(op->L, fat_sandbox_msgh);
  lua_pushcfunction(op->L, op_build_main);
  lua_pushlightuserdata(op->L, &a);
  fat_sandbox_arm(&op->bud, deadline);
  status = lua_pcall(op->L, 1, 0, 1);
  hard = fat_sandbox_disarm(&op->bud);
  if (status == LUA_OK && !hard && op->bud.tripped == FAT_BUD_NONE && !op->bud.sys_oom) {
    lua_settop(op->L, 0);
    lua_gc(op->L, LUA_GCCOLLECT);
    rc = op_contrato(op, errs);
    goto out;
  }
  if (op->bud.sys_oom) {
    rc = FAT_ENOMEM;
  } else if (op->bud.tripped != FAT_BUD_NONE || hard) {
    if (hard)
      op->bud.tripped = FAT_BUD_HARD;
    snprintf(msg, sizeof msg, "%s.lua: %s na carga do script%s%s", op->file.chave,
             fat_sandbox_reason(&op->bud), op->bud.where[0] ? " em " : "", op->bud.where);
    fat_rules_errs_add(errs, msg);
    rc = FAT_ELIMIT;
  } else if (status == LUA_ERRMEM) {
    op->bud.tripped = FAT_BUD_MEM;
    snprintf(msg, sizeof msg, "%s.lua: %s na carga do script", op->file.chave,
             fat_sandbox_reason(&op->bud));
    fat_rules_errs_add(errs, msg);
    rc = FAT_ELIMIT;
  } else {
    fat_rules_lua_msg(op->L, msg, sizeof msg);
    if (strncmp(msg, op->file.chave, strlen(op->file.chave)) != 0) {
      /* no position in the message: name the script (and the line if we can) */
      char full[700];
      int line = guess_decl_line(op->file.text, op->file.len, msg);
      if (line > 0)
        snprintf(full, sizeof full, "%s.lua:%d: %s", op->file.chave, line, msg);
      else
        snprintf(full, sizeof full, "%s.lua: %s", op->file.chave, msg);
      fat_rules_errs_add(errs, full);
    } else {
      fat_rules_errs_add(errs, msg);
    }
    rc = FAT_ERULE;
  }
out:
  cJSON_Delete(a.holder);
  if (rc == FAT_OK)
    *out = op;
  else
    op_free(op);
  return rc;
}

/* }====================================================================== */

int64_t fat_rules_deadline_after(long ms) { return fat_now_ns() + (int64_t)ms * 1000000LL; }

/* {======================================================================
** Generations
** ======================================================================= */

static void gen_free(fat_gen *g)
{
  size_t i;

  if (g == NULL)
    return;
  for (i = 0; i < g->n_ops; i++)
    op_free(g->ops[i]);
  fat_free(g->ops);
  for (i = 0; i < g->n_mods; i++)
    fat_rules_file_fini(&g->mods[i]);
  fat_free(g->mods);
  fat_free(g->dir);
  fat_free(g);
}

void fat_gen_release(fat_gen *g)
{
  if (g != NULL && atomic_fetch_sub(&g->refs, 1) == 1)
    gen_free(g);
}

static int file_ptr_cmp(const void *a, const void *b)
{
  return strcmp((*(const fat_rules_file *const *)a)->chave,
                (*(const fat_rules_file *const *)b)->chave);
}

/* Hash over every (chave, sha) of the generation, sorted by chave. */
static fat_rc gen_hash(fat_gen *g)
{
  const fat_rules_file **all;
  size_t n = g->n_ops + g->n_mods, i;
  fat_buf b;
  fat_rc rc = FAT_OK;

  all = fat_calloc(n ? n : 1, sizeof *all);
  if (all == NULL)
    return FAT_ENOMEM;
  for (i = 0; i < g->n_ops; i++)
    all[i] = &g->ops[i]->file;
  for (i = 0; i < g->n_mods; i++)
    all[g->n_ops + i] = &g->mods[i];
  qsort(all, n, sizeof *all, file_ptr_cmp);
  fat_buf_init(&b, (size_t)1 << 24);
  for (i = 0; i < n && rc == FAT_OK; i++)
    rc = fat_buf_printf(&b, NULL, "%s %s\n", all[i]->chave, all[i]->sha);
  if (rc == FAT_OK)
    fat_sha256_hex(b.data != NULL ? b.data : "", b.len, g->hash);
  fat_free(all);
  fat_buf_fini(&b);
  return rc == FAT_OK ? FAT_OK : FAT_ENOMEM;
}

/* The text of operator key from the source (the override, the folder or
** the stored version). */
static fat_rc op_text(const fat_rules_source *src, const char *key, char **text, size_t *len,
                      fat_err *err)
{
  char chave[96];

  if (src->override_key != NULL && strcmp(key, src->override_key) == 0) {
    *len = src->override_len;
    *text = fat_strndup(src->override_text, src->override_len);
    return *text != NULL ? FAT_OK : fat_err_oom(err);
  }
  snprintf(chave, sizeof chave, "operators/%s", key);
  return src_read(src, chave, text, len, err);
}

fat_rc fat_rules_gen_build(const fat_rules_source *src, const fat_limits *lim, int gate,
                           fat_gen **out, fat_err *err)
{
  fat_gen *g;
  char **keys = NULL;
  size_t n_keys = 0, i;
  fat_rc rc = FAT_OK, worst = FAT_OK;
  fat_buf errs;
  build_ctx bc;
  int64_t deadline;
  cJSON *rep = NULL;

  *out = NULL;
  fat_buf_init(&errs, RULES_ERRS_MAX);
  if (sodium_init() < 0)
    return fat_err_set(err, FAT_ENOMEM, "não foi possível iniciar a libsodium");
  g = fat_calloc(1, sizeof *g);
  if (g == NULL)
    return fat_err_oom(err);
  atomic_init(&g->refs, 1);
  fat_rules_limits_fill(&g->lim, lim);
  deadline = fat_rules_deadline_after(g->lim.total_ms);
  g->dir = fat_strdup(src->dir != NULL ? src->dir : "");
  if (g->dir == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  rc = fat_rules_list_ops(src, &keys, &n_keys, err);
  if (rc != FAT_OK)
    goto out;
  g->ops = fat_calloc(n_keys ? n_keys : 1, sizeof *g->ops);
  if (g->ops == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  bc.g = g;
  bc.src = src;
  for (i = 0; i < n_keys; i++) {
    char *text = NULL;
    size_t len = 0;
    fat_err e;
    fat_rules_op *op = NULL;

    fat_err_clear(&e);
    rc = op_text(src, keys[i], &text, &len, &e);
    if (rc == FAT_OK)
      rc = op_build(g, &bc, keys[i], text, len, deadline, &op, &errs);
    else
      fat_rules_errs_add(&errs, e.msg);
    if (rc != FAT_OK) { /* out of memory first, then budget hits, then the rest */
      if (worst == FAT_OK || rc == FAT_ENOMEM || (worst == FAT_ERULE && rc == FAT_ELIMIT))
        worst = rc;
      continue;
    }
    g->ops[g->n_ops++] = op;
  }
  rc = worst;
  if (rc == FAT_OK && gen_hash(g) != FAT_OK)
    rc = FAT_ENOMEM;
  if (rc == FAT_ENOMEM) {
    fat_err_oom(err);
    goto out;
  }
  if (rc != FAT_OK) {
    fat_err_set(err, rc, "%s", errs.data != NULL ? errs.data : fat_rc_str(rc));
    goto out;
  }
  if (gate) {
    rc = fat_rules_selftest_run(g, NULL, deadline, &rep, err);
    cJSON_Delete(rep);
  }
out:
  fat_rules_free_strv(keys, n_keys);
  fat_buf_fini(&errs);
  if (rc == FAT_OK)
    *out = g;
  else
    gen_free(g);
  return rc;
}

fat_rc fat_gen_clone(fat_gen *g, fat_gen **out, fat_err *err)
{
  fat_rules_file *files;
  fat_rules_source src;
  fat_gen *c = NULL;
  size_t i, n = 0;
  fat_rc rc;

  *out = NULL;
  files = fat_calloc(g->n_ops + g->n_mods + 1, sizeof *files);
  if (files == NULL)
    return fat_err_oom(err);
  for (i = 0; i < g->n_ops; i++)
    files[n++] = g->ops[i]->file; /* borrowed: chave and text stay g's */
  for (i = 0; i < g->n_mods; i++)
    files[n++] = g->mods[i];
  memset(&src, 0, sizeof src);
  src.stored = files;
  src.n_stored = n;
  rc = fat_rules_gen_build(&src, &g->lim, 0, &c, err); /* g passed its self-tests */
  fat_free(files);
  if (rc != FAT_OK)
    return fat_err_prefix(err, "cópia das regras: ");
  if (strcmp(c->hash, g->hash) != 0) {
    gen_free(c);
    return fat_err_set(err, FAT_ESTATE, "cópia das regras diferente da geração original");
  }
  c->id = g->id;
  fat_free(c->dir);
  c->dir = fat_strdup(g->dir);
  if (c->dir == NULL) {
    gen_free(c);
    return fat_err_oom(err);
  }
  *out = c;
  return FAT_OK;
}

fat_rc fat_gen_build(const char *dir, const char *override_key, const char *override_path,
                     const fat_limits *lim, fat_gen **out, fat_err *err)
{
  fat_rules_source src;
  char *text = NULL;
  size_t len = 0;
  fat_rc rc;

  *out = NULL;
  if (dir == NULL)
    return fat_err_set(err, FAT_EINVAL, "pasta de regras não encontrada: informe --regras DIR "
                                        "ou defina FATURO_REGRAS ou FATURO_HOME");
  if ((override_key == NULL) != (override_path == NULL))
    return fat_err_set(err, FAT_EINVAL, "rascunho precisa de operadora e arquivo");
  if (override_key != NULL && !fat_rules_valid_key(override_key, strlen(override_key)))
    return fat_err_set(err, FAT_EINVAL, "chave de operadora inválida '%s'", override_key);
  if (override_path != NULL) {
    rc = fat_file_read(override_path, FAT_RULES_SCRIPT_MAX, &text, &len, err);
    if (rc != FAT_OK)
      return rc;
  }
  memset(&src, 0, sizeof src);
  src.dir = dir;
  src.override_key = override_key;
  src.override_text = text;
  src.override_len = len;
  rc = fat_rules_gen_build(&src, lim, 0, out, err);
  fat_free(text);
  return rc;
}

fat_rc fat_gen_build_draft(const char *dir, const char *key, const char *text, size_t len,
                           const fat_limits *lim, fat_gen **out, fat_err *err)
{
  fat_rules_source src;

  *out = NULL;
  if (dir == NULL)
    return fat_err_set(err, FAT_EINVAL, "pasta de regras não encontrada: informe --regras DIR "
                                        "ou defina FATURO_REGRAS ou FATURO_HOME");
  if (key == NULL || !fat_rules_valid_key(key, strlen(key)))
    return fat_err_set(err, FAT_EINVAL, "chave de operadora inválida '%s'",
                       key != NULL ? key : "");
  if (text == NULL || len > FAT_RULES_SCRIPT_MAX)
    return fat_err_set(err, FAT_ELIMIT, "script grande demais (máximo %d KiB)",
                       FAT_RULES_SCRIPT_MAX / 1024);
  memset(&src, 0, sizeof src);
  src.dir = dir;
  src.override_key = key;
  src.override_text = text;
  src.override_len = len;
  return fat_rules_gen_build(&src, lim, 0, out, err);
}

int64_t fat_gen_id(const fat_gen *g) { return g != NULL ? g->id : 0; }
size_t fat_gen_count(const fat_gen *g) { return g != NULL ? g->n_ops : 0; }

const char *fat_gen_key(const fat_gen *g, size_t i)
{
  return (g != NULL && i < g->n_ops) ? g->ops[i]->key : NULL;
}

const char *fat_gen_sha256(const fat_gen *g, const char *key)
{
  fat_rules_op *op = fat_rules_gen_find(g, key);

  return op != NULL ? op->file.sha : NULL;
}

const char *fat_gen_dir(const fat_gen *g) { return g != NULL ? g->dir : ""; }
size_t fat_gen_module_count(const fat_gen *g) { return g != NULL ? g->n_mods : 0; }

const char *fat_gen_module_key(const fat_gen *g, size_t i)
{
  return (g != NULL && i < g->n_mods) ? g->mods[i].chave : NULL;
}

const char *fat_gen_module_sha256(const fat_gen *g, size_t i)
{
  return (g != NULL && i < g->n_mods) ? g->mods[i].sha : NULL;
}

const char *fat_gen_hash(const fat_gen *g) { return g != NULL ? g->hash : ""; }

const fat_contrato *fat_gen_contrato(const fat_gen *g, const char *key)
{
  fat_rules_op *op = fat_rules_gen_find(g, key);

  return op != NULL ? op->contrato : NULL;
}

fat_rc fat_gen_contract(fat_gen *g, const char *key, cJSON **out, fat_err *err)
{
  fat_rules_op *op = fat_rules_gen_find(g, key);

  *out = NULL;
  if (op == NULL)
    return fat_err_set(err, FAT_ENOTFOUND, "operadora '%s' não tem script de regras",
                       key != NULL ? key : "");
  *out = cJSON_Duplicate(op->contract, 1); /* the cached copy is immutable: no lock */
  return *out != NULL ? FAT_OK : fat_err_oom(err);
}

/* }====================================================================== */

/* {======================================================================
** Test hook: evaluate a chunk in a fresh sandbox
** ======================================================================= */

typedef struct eval_arg {
  const char *src;
  build_ctx *bc;
  char *result;
  cJSON *holder;
} eval_arg;

static int eval_main(lua_State *L)
{
  eval_arg *a = lua_touserdata(L, 1);

  lua_settop(L, 0);
  host_setup(L, a->bc);
  if (luaL_loadbufferx(L, a->src, strlen(a->src), "@teste.lua", "t") != LUA_OK)
    return lua_error(L);
  lua_call(L, 0, 1);
  if (lua_type(L, 1) == LUA_TTABLE) {
    cJSON *j = fat_rules_json_from_lua(L, 1, a->holder, NULL);
    char *p = j != NULL ? cJSON_PrintUnformatted(j) : NULL;
    a->result = fat_strdup(p);
    cJSON_free(p);
  } else {
    const char *s = luaL_tolstring(L, 1, NULL);
    a->result = fat_strdup(s);
  }
  if (a->result == NULL)
    return luaL_error(L, "memória insuficiente");
  return 0;
}

fat_rc fat_rules_sandbox_eval(const char *dir, const char *src, const fat_limits *lim,
                              int no_hook, char **out, fat_err *err)
{
  fat_budget *b = NULL;
  fat_gen *g = NULL;
  lua_State *L = NULL;
  fat_rules_source bs;
  build_ctx bc;
  eval_arg a;
  int status, hard;
  fat_rc rc = FAT_OK;

  *out = NULL;
  memset(&a, 0, sizeof a);
  b = fat_calloc(1, sizeof *b);
  g = fat_calloc(1, sizeof *g);
  a.holder = cJSON_CreateArray();
  if (b == NULL || g == NULL || a.holder == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  atomic_init(&g->refs, 1);
  fat_rules_limits_fill(&g->lim, lim);
  L = fat_sandbox_new(b, &g->lim, "o trecho de teste");
  if (L == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  b->no_hook = no_hook;
  memset(&bs, 0, sizeof bs);
  bs.dir = dir;
  bc.g = g;
  bc.src = &bs;
  a.src = src;
  a.bc = dir != NULL ? &bc : NULL;
  lua_pushcfunction(L, fat_sandbox_msgh);
  lua_pushcfunction(L, eval_main);
  lua_pushlightuserdata(L, &a);
  fat_sandbox_arm(b, 0);
  status = lua_pcall(L, 1, 0, 1);
  hard = fat_sandbox_disarm(b);
  if (status != LUA_OK || hard || b->tripped != FAT_BUD_NONE || b->sys_oom) {
    if (hard && b->tripped == FAT_BUD_NONE)
      b->tripped = FAT_BUD_HARD;
    if (status == LUA_ERRMEM && !b->sys_oom && b->tripped == FAT_BUD_NONE)
      b->tripped = FAT_BUD_MEM;
    if (b->sys_oom) {
      rc = fat_err_oom(err);
    } else if (b->tripped != FAT_BUD_NONE) {
      rc = fat_err_set(err, FAT_ELIMIT, "%s%s%s", fat_sandbox_reason(b),
                       b->where[0] ? " em " : "", b->where);
    } else {
      char msg[600];
      fat_rules_lua_msg(L, msg, sizeof msg);
      rc = fat_err_set(err, FAT_ERULE, "%s", msg);
    }
    fat_free(a.result);
    a.result = NULL;
  }
  *out = a.result;
out:
  cJSON_Delete(a.holder);
  fat_sandbox_close(b);
  fat_free(b);
  gen_free(g);
  return rc;
}

/* }====================================================================== */
