/* fat_rules.c: the Lua host for operator contract scripts.
**
** One generation = one sandboxed lua_State per operator script (plus the
** scripts/ modules it required), each guarded by its own run mutex. Every
** entry into Lua goes through lua_pcall of a C function, so that Lua errors,
** budget hits and allocation failures inside Lua never escape as longjmps.
** See docs/regras.md for the script API and the threading design.
*/
#include "fat_rules_int.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <sodium.h>

#include "fat_mem.h"
#include "fat_store_int.h"

#define RULES_SCRIPT_MAX (1024 * 1024) /* bytes per script file */
#define RULES_JSON_DEPTH 48            /* nesting for JSON <-> Lua conversion */
#define RULES_ERRS_MAX 8192            /* collected build errors */
#define DEF_INSTR_MAX 10000000UL
#define DEF_MEM_MAX ((size_t)64 * 1024 * 1024)
#define DEF_TIME_MS 2000L

enum { BUD_NONE = 0, BUD_INSTR, BUD_TIME, BUD_MEM };

static const char REG_LOADED[] = "faturo.loaded"; /* registry: module cache */
static const char REG_BUILD[] = "faturo.build";   /* registry: build_ctx* during build */
static char loading_mark; /* module-cache value while a module is running */

/* Budget of one Lua state; it is the allocator's ud, so it outlives the state. */
typedef struct fat_budget {
  size_t mem_used, mem_max;
  unsigned long ticks, ticks_max; /* 1 tick = FAT_HOOK_EVERY instructions */
  int64_t deadline_ns;            /* monotonic; 0 = none */
  long time_ms;
  unsigned long instr_max;
  int tripped;                    /* BUD_* */
  int armed;                      /* a call is running: refusals trip the budget */
  lua_State *L;
  char where[160];                /* "operators/x.lua:12" where it tripped */
} fat_budget;

typedef struct src_file {
  char *chave; /* "operators/aurora" or "scripts/faturo/base" */
  char *text;
  size_t len;
  char sha[65];
} src_file;

typedef struct gen_check {
  char *name;
  int ref;
  int line;
  char sha[65]; /* of the file defining the function ("" if unknown) */
} gen_check;

typedef struct gen_op {
  char *key;
  src_file file;
  fat_budget bud;
  lua_State *L;
  pthread_mutex_t mu; /* serializes every call into L */
  int mu_ok;
  gen_check *checks;
  size_t n_checks;
  cJSON *contract;
  cJSON *tests; /* array of {nome, guia, ctx, espera, nao_espera, sem_achados} */
} gen_op;

struct fat_gen {
  atomic_long refs;
  int64_t id;
  char *dir;
  fat_limits lim;
  gen_op **ops; /* sorted by key */
  size_t n_ops;
  src_file *mods;
  size_t n_mods, cap_mods;
  char hash[65]; /* over every (chave, sha) */
};

struct fat_rules {
  pthread_mutex_t mu; /* guards cur */
  fat_gen *cur;
  char *dir;
  fat_limits lim;
};

/* Where build-time code (require) reads script text from. */
typedef struct build_src {
  const char *dir;          /* folder, or NULL for stored contents */
  const src_file *stored;   /* stored (chave, text) pairs */
  size_t n_stored;
  const char *override_key; /* draft replacing one operator */
  const char *override_path;
} build_src;

typedef struct build_ctx {
  fat_gen *g;
  const build_src *src;
} build_ctx;

/* {======================================================================
** Helpers
** ======================================================================= */

void fat_sha256_hex(const void *data, size_t len, char out[65])
{
  unsigned char h[crypto_hash_sha256_BYTES];
  static const char hex[] = "0123456789abcdef";
  size_t i;

  crypto_hash_sha256(h, data, len);
  for (i = 0; i < sizeof h; i++) {
    out[2 * i] = hex[h[i] >> 4];
    out[2 * i + 1] = hex[h[i] & 15];
  }
  out[64] = '\0';
}

static void src_file_fini(src_file *f)
{
  fat_free(f->chave);
  fat_free(f->text);
  memset(f, 0, sizeof *f);
}

static void limits_fill(fat_limits *dst, const fat_limits *src)
{
  dst->instr_max = (src != NULL && src->instr_max > 0) ? src->instr_max : DEF_INSTR_MAX;
  dst->mem_max = (src != NULL && src->mem_max > 0) ? src->mem_max : DEF_MEM_MAX;
  dst->time_ms = (src != NULL && src->time_ms > 0) ? src->time_ms : DEF_TIME_MS;
}

static int valid_key(const char *k, size_t n)
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
static void errs_add(fat_buf *errs, const char *msg)
{
  fat_rc rc = FAT_OK;

  if (errs->len > 0)
    rc = fat_buf_puts(errs, "; ", NULL);
  if (rc == FAT_OK)
    rc = fat_buf_puts(errs, msg, NULL);
  (void)rc; /* a full error list is still a useful error list */
}

/* }====================================================================== */

/* {======================================================================
** Sandbox: allocator, hook, libraries, locked globals
** ======================================================================= */

static void sandbox_hook(lua_State *L, lua_Debug *ar);

static void *sandbox_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
  fat_budget *b = ud;
  size_t old = (ptr != NULL) ? osize : 0; /* osize is a type tag when ptr is NULL */
  void *p;

  if (nsize == 0) {
    free(ptr);
    b->mem_used -= old;
    return NULL;
  }
  if (nsize > old && nsize - old > b->mem_max - b->mem_used) {
    if (b->armed && b->tripped == BUD_NONE) {
      /* The script may catch LUA_ERRMEM with pcall: make the hook fire on
      ** the next instruction so the call ends anyway. */
      b->tripped = BUD_MEM;
      if (b->L != NULL)
        lua_sethook(b->L, sandbox_hook, LUA_MASKCOUNT, 1);
    }
    return NULL;
  }
  p = realloc(ptr, nsize);
  if (p != NULL)
    b->mem_used = b->mem_used - old + nsize;
  return p;
}

static const char *budget_reason(const fat_budget *b)
{
  switch (b->tripped) {
  case BUD_INSTR: return "limite de instruções excedido";
  case BUD_TIME: return "limite de tempo excedido";
  case BUD_MEM: return "limite de memória excedido";
  default: return "limite excedido";
  }
}

static void sandbox_hook(lua_State *L, lua_Debug *ar)
{
  void *ud;
  fat_budget *b;

  lua_getallocf(L, &ud);
  b = ud;
  if (b->tripped == BUD_NONE) {
    b->ticks++;
    if (b->ticks <= b->ticks_max && (b->deadline_ns == 0 || fat_now_ns() < b->deadline_ns))
      return;
    b->tripped = b->ticks > b->ticks_max ? BUD_INSTR : BUD_TIME;
  }
  if (b->where[0] == '\0' && lua_getinfo(L, "Sl", ar) != 0 && ar->currentline > 0)
    snprintf(b->where, sizeof b->where, "%s:%d", ar->short_src, ar->currentline);
  /* From now on every instruction raises: a pcall in the script cannot
  ** swallow the interruption. */
  lua_sethook(L, sandbox_hook, LUA_MASKCOUNT, 1);
  lua_pushstring(L, budget_reason(b));
  lua_error(L);
}

static void budget_arm(fat_budget *b)
{
  b->ticks = 0;
  b->tripped = BUD_NONE;
  b->where[0] = '\0';
  b->deadline_ns = fat_now_ns() + (int64_t)b->time_ms * 1000000LL;
  b->armed = 1;
  lua_sethook(b->L, sandbox_hook, LUA_MASKCOUNT, FAT_HOOK_EVERY);
}

static void budget_disarm(fat_budget *b)
{
  lua_sethook(b->L, NULL, 0, 0);
  b->armed = 0;
}

static int sandbox_panic(lua_State *L)
{
  const char *m = lua_tostring(L, -1);

  fprintf(stderr, "faturo: erro fatal no Lua: %s\n", m != NULL ? m : "?");
  return 0; /* Lua aborts */
}

static void sandbox_warn(void *ud, const char *msg, int tocont)
{
  (void)ud;
  (void)msg;
  (void)tocont;
}

/* Message handler: any error object becomes a string (no traceback: the
** message already carries file:line, and err->msg is short). */
static int sandbox_msgh(lua_State *L)
{
  if (lua_type(L, 1) == LUA_TSTRING)
    return 1;
  if (lua_type(L, 1) == LUA_TTABLE) {
    lua_pushliteral(L, "mensagem");
    if (lua_rawget(L, 1) == LUA_TSTRING)
      return 1;
    lua_pop(L, 1);
  }
  lua_pushfstring(L, "erro sem mensagem (valor do tipo %s)", luaL_typename(L, 1));
  return 1;
}

static int l_undeclared_get(lua_State *L)
{
  const char *k = lua_tostring(L, 2);

  return luaL_error(L, "variável global não declarada '%s'", k != NULL ? k : "?");
}

static int l_undeclared_set(lua_State *L)
{
  const char *k = lua_tostring(L, 2);

  return luaL_error(L, "não é permitido criar a variável global '%s' (use local)",
                    k != NULL ? k : "?");
}

/* setmetatable without finalizers: a __gc runs with hooks off and would
** escape the budget. */
static int l_fat_setmetatable(lua_State *L)
{
  int t = lua_type(L, 2);

  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
  if (t == LUA_TTABLE) {
    lua_pushliteral(L, "__gc");
    if (lua_rawget(L, 2) != LUA_TNIL)
      return luaL_error(L, "setmetatable: metatabela com __gc não é permitida");
    lua_pop(L, 1);
  }
  if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
    return luaL_error(L, "cannot change a protected metatable");
  lua_settop(L, 2);
  lua_setmetatable(L, 1);
  return 1;
}

/* load(text [, nome [, modo [, env]]]): text chunks only. */
static int l_fat_load(lua_State *L)
{
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  const char *name = luaL_optstring(L, 2, "=(load)");
  int has_env = !lua_isnone(L, 4);
  int status;

  status = luaL_loadbufferx(L, s, len, name, "t");
  if (status != LUA_OK) {
    luaL_pushfail(L);
    lua_insert(L, -2);
    return 2;
  }
  if (has_env) {
    lua_pushvalue(L, 4);
    if (lua_setupvalue(L, -2, 1) == NULL)
      lua_pop(L, 1);
  }
  return 1;
}

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

static const src_file *gen_find_mod(const fat_gen *g, const char *chave)
{
  size_t i;

  for (i = 0; i < g->n_mods; i++)
    if (strcmp(g->mods[i].chave, chave) == 0)
      return &g->mods[i];
  return NULL;
}

/* File of chave under dir. Modules ("scripts/...") live in DIR/scripts, or,
** when the rules folder has no scripts/ of its own, in DIR/../scripts (the
** repository layout: rules/ and scripts/ side by side). Caller frees. */
static char *src_path(const char *dir, const char *chave)
{
  if (strncmp(chave, "scripts/", 8) == 0) {
    char *own = fat_asprintf("%s/scripts", dir);
    struct stat sb;
    int have = own != NULL && stat(own, &sb) == 0 && S_ISDIR(sb.st_mode);

    fat_free(own);
    if (!have)
      return fat_asprintf("%s/../%s.lua", dir, chave);
  }
  return fat_asprintf("%s/%s.lua", dir, chave);
}

/* Read the text of chave ("scripts/faturo/base") from the build source. */
static fat_rc src_read(const build_src *src, const char *chave, char **text, size_t *len,
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
  path = src_path(src->dir, chave);
  if (path == NULL)
    return fat_err_oom(err);
  rc = fat_file_read(path, RULES_SCRIPT_MAX, text, len, err);
  if (rc == FAT_EIO && err != NULL && err->sys == 0)
    err->sys = errno;
  fat_free(path);
  return rc;
}

/* require(nome): modules under DIR/scripts only, text only, loaded once per
** state; after the build only already-loaded modules are served. */
static int l_fat_require(lua_State *L)
{
  size_t n;
  const char *name = luaL_checklstring(L, 1, &n);
  char chave[128];
  build_ctx *bc;
  const src_file *m;
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
    fat_gen *g = bc->g;
    src_file f;
    fat_err e;

    memset(&f, 0, sizeof f);
    fat_err_clear(&e);
    if (src_read(bc->src, chave, &f.text, &f.len, &e) != FAT_OK) {
      if (e.rc == FAT_ENOMEM)
        return luaL_error(L, "memória insuficiente");
      return luaL_error(L, "módulo '%s' não encontrado em %s.lua", name, chave);
    }
    fat_sha256_hex(f.text, f.len, f.sha);
    f.chave = fat_strdup(chave);
    if (f.chave != NULL && g->n_mods == g->cap_mods) {
      size_t cap = g->cap_mods ? g->cap_mods * 2 : 8;
      src_file *nm = fat_realloc(g->mods, cap * sizeof *nm);
      if (nm != NULL) {
        g->mods = nm;
        g->cap_mods = cap;
      }
    }
    if (f.chave == NULL || g->n_mods == g->cap_mods) {
      src_file_fini(&f);
      return luaL_error(L, "memória insuficiente");
    }
    g->mods[g->n_mods++] = f;
    m = &g->mods[g->n_mods - 1];
  }
  /* mark as loading, then run the module chunk with its name as argument */
  lua_pushvalue(L, 1);
  lua_pushlightuserdata(L, &loading_mark);
  lua_rawset(L, 2);
  {
    char cname[160];
    snprintf(cname, sizeof cname, "@%s.lua", chave);
    if (luaL_loadbufferx(L, m->text, m->len, cname, "t") != LUA_OK)
      return lua_error(L);
  }
  lua_pushvalue(L, 1);
  lua_call(L, 1, 1);                             /* [name loaded v] */
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    lua_pushboolean(L, 1);
  }
  lua_pushvalue(L, 1);
  lua_pushvalue(L, -2);
  lua_rawset(L, 2);
  return 1;
}

static const luaL_Reg sandbox_libs[] = {
  {LUA_GNAME, luaopen_base},        {LUA_TABLIBNAME, luaopen_table},
  {LUA_STRLIBNAME, luaopen_string}, {LUA_MATHLIBNAME, luaopen_math},
  {LUA_UTF8LIBNAME, luaopen_utf8},  {NULL, NULL}
}; /* never: io, os, package, debug, coroutine */

static const char *const sandbox_drop[] = {"dofile",  "loadfile", "load",    "collectgarbage",
                                           "print",   "rawset",   "require", "setmetatable",
                                           "warn",    NULL};

/* Open the allowed libraries, strip what is not allowed, lock _G. Runs inside
** lua_pcall (state setup may raise out-of-memory). */
static void sandbox_setup(lua_State *L)
{
  const luaL_Reg *lib;
  int i;

  for (lib = sandbox_libs; lib->func != NULL; lib++) {
    luaL_requiref(L, lib->name, lib->func, 1);
    lua_pop(L, 1);
  }
  lua_pushglobaltable(L); /* [G] */
  for (i = 0; sandbox_drop[i] != NULL; i++) {
    lua_pushnil(L);
    lua_setfield(L, -2, sandbox_drop[i]);
  }
  lua_pushcfunction(L, l_fat_load);
  lua_setfield(L, -2, "load");
  lua_pushcfunction(L, l_fat_setmetatable);
  lua_setfield(L, -2, "setmetatable");
  lua_pushcfunction(L, l_fat_require);
  lua_setfield(L, -2, "require");
  lua_getfield(L, -1, "string"); /* [G string] */
  lua_pushnil(L);
  lua_setfield(L, -2, "dump");
  lua_pop(L, 1);
  lua_getfield(L, -1, "math"); /* [G math] */
  lua_pushnil(L);
  lua_setfield(L, -2, "random");
  lua_pushnil(L);
  lua_setfield(L, -2, "randomseed");
  lua_pop(L, 1);
  /* strings share one metatable whose __index is the string library: hide it */
  lua_pushliteral(L, "");
  if (lua_getmetatable(L, -1)) { /* [G "" mt] */
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  lua_newtable(L);
  lua_setfield(L, LUA_REGISTRYINDEX, REG_LOADED);
  /* lock _G last */
  lua_newtable(L); /* [G mt] */
  lua_pushcfunction(L, l_undeclared_get);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, l_undeclared_set);
  lua_setfield(L, -2, "__newindex");
  lua_pushliteral(L, "bloqueado");
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
  lua_pop(L, 1);
}

/* A new state whose allocator and hook use b (which must outlive it). */
static lua_State *sandbox_new(fat_budget *b, const fat_limits *lim)
{
  lua_State *L;

  memset(b, 0, sizeof *b);
  b->mem_max = lim->mem_max;
  b->instr_max = lim->instr_max;
  b->ticks_max = lim->instr_max / FAT_HOOK_EVERY;
  if (b->ticks_max == 0)
    b->ticks_max = 1;
  b->time_ms = lim->time_ms;
  L = lua_newstate(sandbox_alloc, b);
  if (L == NULL)
    return NULL;
  b->L = L;
  lua_atpanic(L, sandbox_panic);
  lua_setwarnf(L, sandbox_warn, NULL);
  return L;
}

/* }====================================================================== */

/* {======================================================================
** JSON <-> Lua
** ======================================================================= */

static void json_push(lua_State *L, const cJSON *j, int depth)
{
  const cJSON *c;
  lua_Integer n = 0;

  if (depth > RULES_JSON_DEPTH)
    luaL_error(L, "JSON aninhado demais");
  luaL_checkstack(L, 4, "JSON aninhado demais");
  if (j == NULL || cJSON_IsNull(j) || cJSON_IsInvalid(j)) {
    lua_pushnil(L);
  } else if (cJSON_IsBool(j)) {
    lua_pushboolean(L, cJSON_IsTrue(j));
  } else if (cJSON_IsNumber(j)) {
    double d = j->valuedouble;
    if (d >= -9007199254740992.0 && d <= 9007199254740992.0 && floor(d) == d)
      lua_pushinteger(L, (lua_Integer)d);
    else
      lua_pushnumber(L, d);
  } else if (cJSON_IsString(j)) {
    lua_pushstring(L, j->valuestring != NULL ? j->valuestring : "");
  } else if (cJSON_IsArray(j)) {
    lua_createtable(L, cJSON_GetArraySize(j), 0);
    cJSON_ArrayForEach(c, j)
    {
      if (cJSON_IsNull(c))
        lua_pushboolean(L, 0); /* keep the sequence without holes */
      else
        json_push(L, c, depth + 1);
      lua_rawseti(L, -2, ++n);
    }
  } else if (cJSON_IsObject(j)) {
    lua_createtable(L, 0, 8);
    cJSON_ArrayForEach(c, j)
    {
      if (c->string == NULL || cJSON_IsNull(c))
        continue;
      json_push(L, c, depth + 1);
      lua_setfield(L, -2, c->string); /* plain table: no metamethods */
    }
  } else {
    lua_pushnil(L);
  }
}

typedef struct key_ref {
  const char *s; /* points into a string kept alive by the table */
  size_t len;
  lua_Integer i;
  int is_int;
} key_ref;

static int key_cmp(const void *a, const void *b)
{
  const key_ref *x = a, *y = b;

  if (x->is_int != y->is_int)
    return x->is_int ? -1 : 1;
  if (x->is_int)
    return x->i < y->i ? -1 : x->i > y->i;
  return strcmp(x->s, y->s);
}

/* Convert the Lua value at idx to JSON, attaching the result to parent
** (under name when parent is an object) so that a Lua error half-way leaves
** nothing unowned. Functions are dropped; at depth 0 the keys in skip (NULL
** terminated) are dropped too. Runs inside lua_pcall. */
static void lua_to_json(lua_State *L, int idx, cJSON *parent, const char *name, int depth,
                        const char *const *skip)
{
  cJSON *v = NULL;
  int t;

  idx = lua_absindex(L, idx);
  if (depth > RULES_JSON_DEPTH)
    luaL_error(L, "tabela aninhada demais (ou cíclica)");
  luaL_checkstack(L, 6, "tabela aninhada demais");
  t = lua_type(L, idx);
  switch (t) {
  case LUA_TNIL: v = cJSON_CreateNull(); break;
  case LUA_TBOOLEAN: v = cJSON_CreateBool(lua_toboolean(L, idx)); break;
  case LUA_TNUMBER:
    if (lua_isinteger(L, idx)) {
      v = cJSON_CreateNumber((double)lua_tointeger(L, idx));
    } else {
      double d = lua_tonumber(L, idx);
      v = isfinite(d) ? cJSON_CreateNumber(d) : cJSON_CreateNull();
    }
    break;
  case LUA_TSTRING: v = cJSON_CreateString(lua_tostring(L, idx)); break;
  case LUA_TTABLE: {
    size_t n = 0, cap = 16, k;
    key_ref *keys = lua_newuserdatauv(L, cap * sizeof *keys, 0); /* [ud] */
    int is_array = 1;
    int uidx = lua_gettop(L);

    lua_pushnil(L);
    while (lua_next(L, idx) != 0) { /* [ud k v] */
      int kt = lua_type(L, -2);

      if (n == cap) {
        key_ref *nk = lua_newuserdatauv(L, cap * 2 * sizeof *keys, 0);
        memcpy(nk, keys, cap * sizeof *keys);
        lua_replace(L, uidx);
        keys = nk;
        cap *= 2;
      }
      if (kt == LUA_TSTRING) {
        keys[n].s = lua_tolstring(L, -2, &keys[n].len);
        keys[n].is_int = 0;
        is_array = 0;
      } else if (kt == LUA_TNUMBER && lua_isinteger(L, -2)) {
        keys[n].i = lua_tointeger(L, -2);
        keys[n].is_int = 1;
        keys[n].s = NULL;
      } else {
        luaL_error(L, "chave de tabela do tipo %s não é permitida", luaL_typename(L, -2));
      }
      n++;
      lua_pop(L, 1);
    }
    qsort(keys, n, sizeof *keys, key_cmp);
    for (k = 0; k < n && is_array; k++)
      if (!keys[k].is_int || keys[k].i != (lua_Integer)k + 1)
        is_array = 0;
    v = is_array ? cJSON_CreateArray() : cJSON_CreateObject();
    if (v == NULL)
      luaL_error(L, "memória insuficiente");
    if (cJSON_IsArray(parent) ? !cJSON_AddItemToArray(parent, v)
                              : !cJSON_AddItemToObject(parent, name, v)) {
      cJSON_Delete(v);
      luaL_error(L, "memória insuficiente");
    }
    for (k = 0; k < n; k++) {
      char nbuf[32];
      const char *kname = keys[k].s;
      int drop = 0;

      if (keys[k].is_int) {
        lua_rawgeti(L, idx, keys[k].i);
        snprintf(nbuf, sizeof nbuf, "%lld", (long long)keys[k].i);
        kname = nbuf;
      } else {
        lua_pushlstring(L, keys[k].s, keys[k].len);
        lua_rawget(L, idx);
        if (depth == 0 && skip != NULL) {
          const char *const *sk;
          for (sk = skip; *sk != NULL; sk++)
            if (strcmp(*sk, kname) == 0)
              drop = 1;
        }
      }
      if (!drop && lua_type(L, -1) != LUA_TFUNCTION)
        lua_to_json(L, -1, v, kname, depth + 1, NULL);
      lua_pop(L, 1);
    }
    lua_settop(L, uidx - 1);
    return;
  }
  default: return; /* functions, userdata: dropped */
  }
  if (v == NULL)
    luaL_error(L, "memória insuficiente");
  if (cJSON_IsArray(parent) ? !cJSON_AddItemToArray(parent, v)
                            : !cJSON_AddItemToObject(parent, name, v)) {
    cJSON_Delete(v);
    luaL_error(L, "memória insuficiente");
  }
}

/* Convert the value at idx into a new cJSON (*out), inside lua_pcall. The
** holder array owns the result until the caller detaches it. */
static cJSON *lua_to_json_root(lua_State *L, int idx, cJSON *holder, const char *const *skip)
{
  lua_to_json(L, idx, holder, NULL, 0, skip);
  return cJSON_GetArrayItem(holder, cJSON_GetArraySize(holder) - 1);
}

/* }====================================================================== */

/* {======================================================================
** Operator scripts: build
** ======================================================================= */

static const char *const contract_skip[] = {"checks", "testes", NULL};

/* Raw field of the table at idx; pushes it and returns its type. */
static int rawfield(lua_State *L, int idx, const char *k)
{
  idx = lua_absindex(L, idx);
  lua_pushstring(L, k);
  return lua_rawget(L, idx);
}

static int check_cmp(const void *a, const void *b)
{
  return strcmp(((const gen_check *)a)->name, ((const gen_check *)b)->name);
}

/* Which file (and so which SHA-256) defines a function with this source. */
static void check_sha(const fat_gen *g, const gen_op *op, const char *source, char sha[65])
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
  gen_op *op;
  build_ctx *bc;
  cJSON *holder; /* owns partial JSON while Lua may raise */
} op_build_arg;

static void validate_test_codes(lua_State *L, int t, const char *field, const char *tname)
{
  lua_Integer i, n;

  if (rawfield(L, t, field) == LUA_TNIL) {
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

/* Protected: set up the sandbox, run the operator chunk, validate the
** declaration, take refs of the checks, convert contract and tests. */
static int op_build_main(lua_State *L)
{
  op_build_arg *a = lua_touserdata(L, 1);
  gen_op *op = a->op;
  char cname[160];
  int decl;
  size_t n, i;
  lua_Integer ti, tn;

  lua_settop(L, 0);
  sandbox_setup(L);
  lua_pushlightuserdata(L, a->bc);
  lua_setfield(L, LUA_REGISTRYINDEX, REG_BUILD);
  snprintf(cname, sizeof cname, "@%s.lua", op->file.chave);
  if (luaL_loadbufferx(L, op->file.text, op->file.len, cname, "t") != LUA_OK)
    return lua_error(L);
  lua_call(L, 0, 1);
  decl = lua_gettop(L);
  if (lua_type(L, decl) != LUA_TTABLE)
    return luaL_error(L, "%s.lua: o script deve retornar a declaração da operadora "
                         "(return base.operadora { ... })", op->file.chave);
  if (rawfield(L, decl, "registro_ans") != LUA_TSTRING)
    return luaL_error(L, "%s.lua: registro_ans ausente na declaração", op->file.chave);
  lua_pop(L, 1);
  if (rawfield(L, decl, "nome") != LUA_TSTRING)
    return luaL_error(L, "%s.lua: nome ausente na declaração", op->file.chave);
  lua_pop(L, 1);
  lua_pushvalue(L, decl);
  (void)luaL_ref(L, LUA_REGISTRYINDEX); /* keep the declaration (and its upvalues) alive */

  /* checks: name -> function */
  n = 0;
  if (rawfield(L, decl, "checks") != LUA_TNIL) {
    if (lua_type(L, -1) != LUA_TTABLE)
      return luaL_error(L, "%s.lua: checks deve ser uma tabela nome = function(guia, ctx)",
                        op->file.chave);
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {
      if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TFUNCTION)
        return luaL_error(L, "%s.lua: checks: cada entrada deve ser nome = function(guia, ctx)",
                          op->file.chave);
      n++;
      lua_pop(L, 1);
    }
  }
  if (n > 0) {
    op->checks = fat_calloc(n, sizeof *op->checks);
    if (op->checks == NULL)
      return luaL_error(L, "memória insuficiente");
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) { /* [.. checks name fn] */
      gen_check *c = &op->checks[op->n_checks];
      lua_Debug ar;
      size_t ln;
      const char *nm = lua_tolstring(L, -2, &ln);

      if (ln == 0 || ln > 64)
        return luaL_error(L, "%s.lua: nome de check inválido '%s'", op->file.chave, nm);
      for (i = 0; i < ln; i++)
        if (!((nm[i] >= 'a' && nm[i] <= 'z') || (nm[i] >= 'A' && nm[i] <= 'Z') ||
              (nm[i] >= '0' && nm[i] <= '9') || nm[i] == '_'))
          return luaL_error(L, "%s.lua: nome de check inválido '%s'", op->file.chave, nm);
      c->name = fat_strdup(nm);
      if (c->name == NULL)
        return luaL_error(L, "memória insuficiente");
      op->n_checks++;
      lua_pushvalue(L, -1);
      lua_getinfo(L, ">S", &ar);
      c->line = ar.linedefined;
      check_sha(a->g, op, ar.source, c->sha);
      c->ref = luaL_ref(L, LUA_REGISTRYINDEX); /* pops fn */
    }
    qsort(op->checks, op->n_checks, sizeof *op->checks, check_cmp);
  }
  lua_pop(L, 1); /* checks */

  /* contract */
  op->contract = cJSON_DetachItemViaPointer(a->holder,
                                            lua_to_json_root(L, decl, a->holder, contract_skip));
  if (op->contract == NULL || !cJSON_IsObject(op->contract))
    return luaL_error(L, "%s.lua: declaração inválida", op->file.chave);

  /* tests */
  op->tests = cJSON_CreateArray();
  if (op->tests == NULL)
    return luaL_error(L, "memória insuficiente");
  if (rawfield(L, decl, "testes") != LUA_TNIL) {
    int t = lua_gettop(L);

    if (lua_type(L, t) != LUA_TTABLE)
      return luaL_error(L, "%s.lua: testes deve ser uma lista", op->file.chave);
    tn = (lua_Integer)lua_rawlen(L, t);
    for (ti = 1; ti <= tn; ti++) {
      const char *tname;
      cJSON *spec;

      if (lua_rawgeti(L, t, ti) != LUA_TTABLE)
        return luaL_error(L, "%s.lua: testes[%d] deve ser uma tabela", op->file.chave, (int)ti);
      if (rawfield(L, -1, "nome") != LUA_TSTRING)
        return luaL_error(L, "%s.lua: testes[%d] sem nome", op->file.chave, (int)ti);
      tname = lua_tostring(L, -1);
      lua_pop(L, 1); /* the string stays alive in the test table */
      if (rawfield(L, -1, "guia") != LUA_TTABLE)
        return luaL_error(L, "%s.lua: teste '%s' sem guia", op->file.chave, tname);
      lua_pop(L, 1);
      if (rawfield(L, -1, "ctx") != LUA_TNIL && lua_type(L, -1) != LUA_TTABLE)
        return luaL_error(L, "%s.lua: teste '%s': ctx deve ser uma tabela", op->file.chave,
                          tname);
      lua_pop(L, 1);
      validate_test_codes(L, -1, "espera", tname);
      validate_test_codes(L, -1, "nao_espera", tname);
      spec = cJSON_DetachItemViaPointer(a->holder, lua_to_json_root(L, -1, a->holder, NULL));
      if (spec == NULL)
        return luaL_error(L, "memória insuficiente");
      if (!cJSON_AddItemToArray(op->tests, spec)) {
        cJSON_Delete(spec);
        return luaL_error(L, "memória insuficiente");
      }
      lua_pop(L, 1);
    }
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
  lua_pushnil(L);
  lua_setfield(L, LUA_REGISTRYINDEX, REG_BUILD);
  return 0;
}

static void op_free(gen_op *op)
{
  size_t i;

  if (op == NULL)
    return;
  if (op->L != NULL)
    lua_close(op->L);
  for (i = 0; i < op->n_checks; i++)
    fat_free(op->checks[i].name);
  fat_free(op->checks);
  cJSON_Delete(op->contract);
  cJSON_Delete(op->tests);
  if (op->mu_ok)
    pthread_mutex_destroy(&op->mu);
  src_file_fini(&op->file);
  fat_free(op->key);
  fat_free(op);
}

/* Text of the Lua error on top of L, copied (it dies with the next call). */
static void copy_lua_msg(lua_State *L, char *buf, size_t len)
{
  const char *m = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;

  snprintf(buf, len, "%s", m != NULL ? m : "erro desconhecido");
}

/* `return base.operadora {...}` is a tail call, so a declaration error has no
** caller line. Guess it: the message names the field ("base.operadora:
** lote.max_guias ..."); find the first "max_guias =" in the script. 0 if not
** found. */
static int guess_decl_line(const char *text, size_t len, const char *msg)
{
  const char *p = strstr(msg, "base.operadora: ");
  char tok[64];
  size_t n = 0, tl, i;
  int line = 1;

  if (p == NULL)
    return 0;
  p += 16;
  while (n < sizeof tok - 1 && ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                                *p == '_' || *p == '.')) {
    tok[n++] = *p == '.' ? '\0' : *p;
    p++;
  }
  tok[n] = '\0';
  while (n > 0 && tok[n - 1] != '\0') /* last component */
    n--;
  memmove(tok, tok + n, strlen(tok + n) + 1);
  tl = strlen(tok);
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

/* Build one operator (state, sandbox, chunk, declaration). The op takes
** ownership of text. Errors (with file:line) are appended to errs. */
static fat_rc op_build(fat_gen *g, build_ctx *bc, const char *key, char *text, size_t len,
                       gen_op **out, fat_buf *errs)
{
  gen_op *op;
  op_build_arg a;
  int status;
  char msg[600];

  *out = NULL;
  op = fat_calloc(1, sizeof *op);
  if (op == NULL) {
    fat_free(text);
    errs_add(errs, "memória insuficiente");
    return FAT_ENOMEM;
  }
  op->file.text = text;
  op->file.len = len;
  op->key = fat_strdup(key);
  op->file.chave = fat_asprintf("operators/%s", key);
  if (op->key == NULL || op->file.chave == NULL || pthread_mutex_init(&op->mu, NULL) != 0) {
    op_free(op);
    errs_add(errs, "memória insuficiente");
    return FAT_ENOMEM;
  }
  op->mu_ok = 1;
  fat_sha256_hex(text, len, op->file.sha);
  op->L = sandbox_new(&op->bud, &g->lim);
  if (op->L == NULL) {
    op_free(op);
    errs_add(errs, "memória insuficiente");
    return FAT_ENOMEM;
  }
  a.g = g;
  a.op = op;
  a.bc = bc;
  a.holder = cJSON_CreateArray();
  if (a.holder == NULL) {
    op_free(op);
    errs_add(errs, "memória insuficiente");
    return FAT_ENOMEM;
  }
  lua_pushcfunction(op->L, sandbox_msgh);
  lua_pushcfunction(op->L, op_build_main);
  lua_pushlightuserdata(op->L, &a);
  budget_arm(&op->bud);
  status = lua_pcall(op->L, 1, 0, 1);
  budget_disarm(&op->bud);
  cJSON_Delete(a.holder);
  if (status != LUA_OK) {
    if (op->bud.tripped != BUD_NONE || status == LUA_ERRMEM) {
      snprintf(msg, sizeof msg, "%s.lua: %s na carga do script%s%s", op->file.chave,
               budget_reason(&op->bud), op->bud.where[0] ? " em " : "", op->bud.where);
      errs_add(errs, msg);
      op_free(op);
      return FAT_ELIMIT;
    }
    copy_lua_msg(op->L, msg, sizeof msg);
    if (strncmp(msg, op->file.chave, strlen(op->file.chave)) != 0) {
      /* no position in the message: name the script (and the line if we can) */
      char full[700];
      int line = guess_decl_line(op->file.text, op->file.len, msg);
      if (line > 0)
        snprintf(full, sizeof full, "%s.lua:%d: %s", op->file.chave, line, msg);
      else
        snprintf(full, sizeof full, "%s.lua: %s", op->file.chave, msg);
      errs_add(errs, full);
    } else {
      errs_add(errs, msg);
    }
    op_free(op);
    return FAT_ERULE;
  }
  lua_settop(op->L, 0);
  lua_gc(op->L, LUA_GCCOLLECT);
  *out = op;
  return FAT_OK;
}

/* }====================================================================== */

/* {======================================================================
** Running checks
** ======================================================================= */

typedef struct run_ctx {
  fat_gen *g;
  gen_op *op;
  const cJSON *guia;
  const cJSON *ctx;
  fat_findings found;
  size_t cur; /* index of the running check, or (size_t)-1 */
} run_ctx;

static int valid_code(const char *s, size_t n)
{
  size_t i;

  if (n == 0 || n > 64)
    return 0;
  for (i = 0; i < n; i++)
    if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
      return 0;
  return 1;
}

/* Read an optional integer field (integral floats accepted). */
static lua_Integer int_field(lua_State *L, int t, const char *k, lua_Integer def)
{
  int isnum = 0;
  lua_Integer v;
  int ty = rawfield(L, t, k);

  if (ty == LUA_TNIL) {
    lua_pop(L, 1);
    return def;
  }
  v = lua_tointegerx(L, -1, &isnum);
  if (ty != LUA_TNUMBER || !isnum)
    luaL_error(L, "achado: o campo %s deve ser um número inteiro%s", k,
               strcmp(k, "valor_risco") == 0 ? " (centavos; use dinheiro.centavos)" : "");
  lua_pop(L, 1);
  return v;
}

/* The finding table at t -> rc->found. Raises on an invalid finding. */
static void finding_from_lua(lua_State *L, int t, run_ctx *rc)
{
  gen_check *c = &rc->op->checks[rc->cur];
  const char *codigo, *mensagem, *campo = NULL, *glosa = NULL, *sev;
  size_t n;
  fat_severidade severidade = FAT_BLOQUEIO;
  lua_Integer valor, item;
  char regra[160];
  int top = lua_gettop(L);
  fat_err e;

  t = lua_absindex(L, t);
  if (rawfield(L, t, "codigo") != LUA_TSTRING)
    luaL_error(L, "achado sem codigo (texto, ex.: \"SENHA_AUSENTE\")");
  codigo = lua_tolstring(L, -1, &n);
  if (!valid_code(codigo, n))
    luaL_error(L, "achado: codigo '%s' inválido (use A-Z, 0-9 e _)", codigo);
  if (rawfield(L, t, "mensagem") != LUA_TSTRING)
    luaL_error(L, "achado %s sem mensagem", codigo);
  mensagem = lua_tostring(L, -1);
  if (rawfield(L, t, "severidade") != LUA_TNIL) {
    sev = lua_tostring(L, -1);
    if (sev != NULL && strcmp(sev, "bloqueio") == 0)
      severidade = FAT_BLOQUEIO;
    else if (sev != NULL && strcmp(sev, "alerta") == 0)
      severidade = FAT_ALERTA;
    else
      luaL_error(L, "achado %s: severidade deve ser 'bloqueio' ou 'alerta'", codigo);
  }
  if (rawfield(L, t, "campo") != LUA_TNIL) {
    if (lua_type(L, -1) != LUA_TSTRING)
      luaL_error(L, "achado %s: campo deve ser texto", codigo);
    campo = lua_tostring(L, -1);
  }
  switch (rawfield(L, t, "glosa")) {
  case LUA_TNIL: break;
  case LUA_TSTRING: glosa = lua_tostring(L, -1); break;
  case LUA_TNUMBER:
    if (!lua_isinteger(L, -1))
      luaL_error(L, "achado %s: glosa deve ser um código da tabela TUSS 38", codigo);
    glosa = lua_tostring(L, -1); /* converts in place; the value is ours */
    break;
  default: luaL_error(L, "achado %s: glosa deve ser um código da tabela TUSS 38", codigo);
  }
  if (glosa != NULL) {
    size_t i, gl = strlen(glosa);
    if (gl == 0 || gl > 4)
      luaL_error(L, "achado %s: glosa '%s' inválida (4 dígitos da tabela 38)", codigo, glosa);
    for (i = 0; i < gl; i++)
      if (glosa[i] < '0' || glosa[i] > '9')
        luaL_error(L, "achado %s: glosa '%s' inválida (4 dígitos da tabela 38)", codigo, glosa);
  }
  valor = int_field(L, t, "valor_risco", 0);
  item = int_field(L, t, "item", 0);
  if (item < 0 || item > INT_MAX)
    luaL_error(L, "achado %s: item deve ser o sequencial do item (>= 1) ou 0", codigo);
  snprintf(regra, sizeof regra, "%s:%s", rc->op->key, c->name);
  fat_err_clear(&e);
  if (fat_findings_add(&rc->found, codigo, severidade, campo, mensagem, glosa, (int64_t)valor,
                       (int)item, regra, c->sha[0] ? c->sha : NULL, c->line, &e) != FAT_OK)
    luaL_error(L, "%s", e.msg);
  lua_settop(L, top);
}

/* Protected: guia and ctx to tables, every check in name order. */
static int run_checks_main(lua_State *L)
{
  run_ctx *rc = lua_touserdata(L, 1);
  gen_op *op = rc->op;
  int gi, ci, status, r;
  size_t i;
  lua_Integer k, n;

  lua_settop(L, 0);
  if (rc->guia == NULL || !cJSON_IsObject(rc->guia))
    return luaL_error(L, "a guia deve ser um objeto JSON");
  json_push(L, rc->guia, 0);
  gi = lua_gettop(L);
  if (rc->ctx != NULL && cJSON_IsObject(rc->ctx))
    json_push(L, rc->ctx, 0);
  else
    lua_newtable(L);
  ci = lua_gettop(L);
  for (i = 0; i < op->n_checks; i++) {
    rc->cur = i;
    lua_rawgeti(L, LUA_REGISTRYINDEX, op->checks[i].ref);
    lua_pushvalue(L, gi);
    lua_pushvalue(L, ci);
    status = lua_pcall(L, 2, 1, 0);
    r = lua_gettop(L);
    if (status != LUA_OK) {
      /* error(achado) raises a finding; anything else is an error */
      if (op->bud.tripped == BUD_NONE && status == LUA_ERRRUN && lua_type(L, r) == LUA_TTABLE) {
        if (rawfield(L, r, "codigo") == LUA_TSTRING) {
          lua_pop(L, 1);
          finding_from_lua(L, r, rc);
          lua_settop(L, ci);
          continue;
        }
        lua_pop(L, 1);
      }
      return lua_error(L);
    }
    if (lua_type(L, r) == LUA_TTABLE) {
      if (rawfield(L, r, "codigo") != LUA_TNIL) {
        lua_pop(L, 1);
        finding_from_lua(L, r, rc);
      } else {
        lua_pop(L, 1);
        n = (lua_Integer)lua_rawlen(L, r);
        for (k = 1; k <= n; k++) {
          if (lua_rawgeti(L, r, k) != LUA_TTABLE)
            return luaL_error(L, "o check deve retornar nil, um achado ou uma lista de achados");
          finding_from_lua(L, -1, rc);
          lua_pop(L, 1);
        }
      }
    } else if (lua_type(L, r) != LUA_TNIL && !(lua_type(L, r) == LUA_TBOOLEAN &&
                                               !lua_toboolean(L, r))) {
      return luaL_error(L, "o check deve retornar nil, um achado ou uma lista de achados "
                           "(retornou %s)", luaL_typename(L, r));
    }
    lua_settop(L, ci);
  }
  rc->cur = (size_t)-1;
  return 0;
}

/* Run every check of op over guia. On success the findings are in *found
** (initialized here; the caller finis it). Caller holds op->mu. */
static fat_rc op_run(fat_gen *g, gen_op *op, const cJSON *guia, const cJSON *ctx,
                     fat_findings *found, fat_err *err)
{
  run_ctx rc;
  int status;
  fat_rc ret = FAT_OK;
  lua_State *L = op->L;
  char msg[600];

  memset(&rc, 0, sizeof rc);
  rc.g = g;
  rc.op = op;
  rc.guia = guia;
  rc.ctx = ctx;
  rc.cur = (size_t)-1;
  fat_findings_init(&rc.found);
  fat_findings_init(found);
  lua_settop(L, 0);
  lua_pushcfunction(L, sandbox_msgh);
  lua_pushcfunction(L, run_checks_main);
  lua_pushlightuserdata(L, &rc);
  budget_arm(&op->bud);
  status = lua_pcall(L, 1, 0, 1);
  budget_disarm(&op->bud);
  if (status != LUA_OK) {
    char where[300];
    int limit = op->bud.tripped != BUD_NONE || status == LUA_ERRMEM;

    if (rc.cur != (size_t)-1)
      snprintf(where, sizeof where, "regra %s:%s (%s.lua, linha %d)", op->key,
               op->checks[rc.cur].name, op->file.chave, op->checks[rc.cur].line);
    else
      snprintf(where, sizeof where, "operadora %s (%s.lua)", op->key, op->file.chave);
    if (limit) {
      if (op->bud.tripped == BUD_NONE)
        op->bud.tripped = BUD_MEM;
      if (op->bud.tripped == BUD_INSTR)
        snprintf(msg, sizeof msg, "%s (%lu instruções)", budget_reason(&op->bud),
                 op->bud.instr_max);
      else if (op->bud.tripped == BUD_TIME)
        snprintf(msg, sizeof msg, "%s (%ld ms)", budget_reason(&op->bud), op->bud.time_ms);
      else
        snprintf(msg, sizeof msg, "%s (%zu bytes)", budget_reason(&op->bud), op->bud.mem_max);
      ret = fat_err_set(err, FAT_ELIMIT, "%s: %s%s%s", where, msg,
                        op->bud.where[0] ? " em " : "", op->bud.where);
    } else {
      copy_lua_msg(L, msg, sizeof msg);
      ret = fat_err_set(err, FAT_ERULE, "%s: %s", where, msg);
    }
    fat_findings_fini(&rc.found);
    lua_settop(L, 0);
    lua_gc(L, LUA_GCCOLLECT); /* give the next guia its memory back */
    return ret;
  }
  lua_settop(L, 0);
  *found = rc.found;
  return FAT_OK;
}

/* }====================================================================== */

/* {======================================================================
** Self-tests
** ======================================================================= */

static int findings_have(const fat_findings *f, const char *code)
{
  size_t i;

  for (i = 0; i < f->n; i++)
    if (strcmp(f->v[i].codigo, code) == 0)
      return 1;
  return 0;
}

/* Run one test spec; returns 1 when it passed. why gets the reason. */
static int test_run(fat_gen *g, gen_op *op, const cJSON *spec, cJSON *codes, char *why,
                    size_t whylen)
{
  fat_findings found;
  fat_err e;
  const cJSON *c;
  const cJSON *esp = cJSON_GetObjectItemCaseSensitive(spec, "espera");
  const cJSON *nao = cJSON_GetObjectItemCaseSensitive(spec, "nao_espera");
  const cJSON *nada = cJSON_GetObjectItemCaseSensitive(spec, "sem_achados");
  size_t i, off = 0;
  int ok = 1;

  why[0] = '\0';
  fat_err_clear(&e);
  pthread_mutex_lock(&op->mu);
  if (op_run(g, op, cJSON_GetObjectItemCaseSensitive(spec, "guia"),
             cJSON_GetObjectItemCaseSensitive(spec, "ctx"), &found, &e) != FAT_OK) {
    pthread_mutex_unlock(&op->mu);
    {
      size_t l = strnlen(e.msg, whylen - 1); /* truncation is fine: it is a message */
      memcpy(why, e.msg, l);
      why[l] = '\0';
    }
    return 0;
  }
  pthread_mutex_unlock(&op->mu);
  for (i = 0; i < found.n; i++)
    if (codes != NULL)
      cJSON_AddItemToArray(codes, cJSON_CreateString(found.v[i].codigo));
  cJSON_ArrayForEach(c, esp)
  {
    if (cJSON_IsString(c) && !findings_have(&found, c->valuestring)) {
      ok = 0;
      off += (size_t)snprintf(why + off, off < whylen ? whylen - off : 0,
                              "%sesperado %s, não gerado", off ? "; " : "", c->valuestring);
      if (off >= whylen)
        off = whylen - 1;
    }
  }
  cJSON_ArrayForEach(c, nao)
  {
    if (cJSON_IsString(c) && findings_have(&found, c->valuestring)) {
      ok = 0;
      off += (size_t)snprintf(why + off, off < whylen ? whylen - off : 0,
                              "%s%s gerado, mas não deveria", off ? "; " : "", c->valuestring);
      if (off >= whylen)
        off = whylen - 1;
    }
  }
  if (cJSON_IsTrue(nada) && found.n > 0) {
    ok = 0;
    snprintf(why + off, off < whylen ? whylen - off : 0, "%sesperado nenhum achado, gerou %s",
             off ? "; " : "", found.v[0].codigo);
  }
  fat_findings_fini(&found);
  return ok;
}

static gen_op *gen_find(const fat_gen *g, const char *key)
{
  size_t i;

  if (g == NULL || key == NULL)
    return NULL;
  for (i = 0; i < g->n_ops; i++)
    if (strcmp(g->ops[i]->key, key) == 0)
      return g->ops[i];
  return NULL;
}

fat_rc fat_gen_selftest(fat_gen *g, const char *key, cJSON **report, fat_err *err)
{
  cJSON *rep, *list;
  size_t i;
  int all_ok = 1, n_fail = 0;
  fat_buf errs;

  *report = NULL;
  if (key != NULL && gen_find(g, key) == NULL)
    return fat_err_set(err, FAT_ENOTFOUND, "operadora '%s' não tem script de regras", key);
  rep = cJSON_CreateObject();
  list = cJSON_AddArrayToObject(rep, "testes");
  if (rep == NULL || list == NULL) {
    cJSON_Delete(rep);
    return fat_err_oom(err);
  }
  fat_buf_init(&errs, 480);
  for (i = 0; i < g->n_ops; i++) {
    gen_op *op = g->ops[i];
    const cJSON *spec;

    if (key != NULL && strcmp(op->key, key) != 0)
      continue;
    cJSON_ArrayForEach(spec, op->tests)
    {
      char why[400];
      cJSON *t = cJSON_CreateObject();
      cJSON *codes = cJSON_CreateArray();
      const cJSON *nome = cJSON_GetObjectItemCaseSensitive(spec, "nome");
      int ok = test_run(g, op, spec, codes, why, sizeof why);

      if (t == NULL || codes == NULL || !cJSON_AddItemToArray(list, t)) {
        cJSON_Delete(t);
        cJSON_Delete(codes);
        cJSON_Delete(rep);
        fat_buf_fini(&errs);
        return fat_err_oom(err);
      }
      cJSON_AddStringToObject(t, "operadora", op->key);
      cJSON_AddStringToObject(t, "nome", cJSON_GetStringValue(nome));
      cJSON_AddBoolToObject(t, "ok", ok);
      cJSON_AddItemToObject(t, "achados", codes);
      if (!ok) {
        char line[600];
        cJSON_AddStringToObject(t, "erro", why);
        all_ok = 0;
        n_fail++;
        snprintf(line, sizeof line, "%s.lua: teste '%s': %s", op->file.chave,
                 cJSON_GetStringValue(nome), why);
        errs_add(&errs, line);
      }
    }
  }
  cJSON_AddBoolToObject(rep, "ok", all_ok);
  *report = rep;
  if (!all_ok) {
    fat_err_set(err, FAT_ERULE, "%d teste(s) falharam: %s", n_fail,
                errs.data != NULL ? errs.data : "");
    fat_buf_fini(&errs);
    return FAT_ERULE;
  }
  fat_buf_fini(&errs);
  return FAT_OK;
}

/* }====================================================================== */

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
    src_file_fini(&g->mods[i]);
  fat_free(g->mods);
  fat_free(g->dir);
  fat_free(g);
}

void fat_gen_release(fat_gen *g)
{
  if (g != NULL && atomic_fetch_sub(&g->refs, 1) == 1)
    gen_free(g);
}

static int str_cmp(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_strv(char **v, size_t n)
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

/* Operator keys of the source, sorted, including the override. */
static fat_rc src_list_ops(const build_src *src, char ***out, size_t *n_out, fat_err *err)
{
  char **v = NULL;
  size_t n = 0, cap = 0, i;
  fat_rc rc = FAT_OK;

  *out = NULL;
  *n_out = 0;
  if (src->dir != NULL) {
    char *path = fat_asprintf("%s/operators", src->dir);
    DIR *d;
    struct dirent *de;

    if (path == NULL)
      return fat_err_oom(err);
    d = opendir(path);
    if (d == NULL) {
      rc = fat_err_set(err, FAT_ENOTFOUND, "pasta de regras sem operators/: %s: %s", path,
                       fat_err_errno_str(errno));
      fat_free(path);
      return rc;
    }
    fat_free(path);
    while ((de = readdir(d)) != NULL) {
      size_t l = strlen(de->d_name);
      if (l < 5 || strcmp(de->d_name + l - 4, ".lua") != 0 || de->d_name[0] == '.')
        continue;
      if (!valid_key(de->d_name, l - 4))
        continue; /* listed as ignored in docs: only [a-z0-9_-] names */
      if (strv_push(&v, &n, &cap, de->d_name, l - 4) != FAT_OK) {
        rc = FAT_ENOMEM;
        break;
      }
    }
    closedir(d);
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
    free_strv(v, n);
    return fat_err_oom(err);
  }
  if (n > 0)
    qsort(v, n, sizeof *v, str_cmp);
  *out = v;
  *n_out = n;
  return FAT_OK;
}

static int srcfile_cmp(const void *a, const void *b)
{
  return strcmp((*(const src_file *const *)a)->chave, (*(const src_file *const *)b)->chave);
}

/* Hash over every (chave, sha) of the generation, sorted by chave. */
static fat_rc gen_hash(fat_gen *g)
{
  const src_file **all;
  size_t n = g->n_ops + g->n_mods, i;
  fat_buf b;

  all = fat_calloc(n ? n : 1, sizeof *all);
  if (all == NULL)
    return FAT_ENOMEM;
  for (i = 0; i < g->n_ops; i++)
    all[i] = &g->ops[i]->file;
  for (i = 0; i < g->n_mods; i++)
    all[g->n_ops + i] = &g->mods[i];
  qsort(all, n, sizeof *all, srcfile_cmp);
  fat_buf_init(&b, (size_t)1 << 24);
  for (i = 0; i < n; i++) {
    if (fat_buf_printf(&b, NULL, "%s %s\n", all[i]->chave, all[i]->sha) != FAT_OK) {
      fat_free(all);
      fat_buf_fini(&b);
      return FAT_ENOMEM;
    }
  }
  fat_sha256_hex(b.data != NULL ? b.data : "", b.len, g->hash);
  fat_free(all);
  fat_buf_fini(&b);
  return FAT_OK;
}

/* Build a generation from src. When gate is set, every self-test must pass. */
static fat_rc gen_build(const build_src *src, const fat_limits *lim, int gate, fat_gen **out,
                        fat_err *err)
{
  fat_gen *g;
  char **keys = NULL;
  size_t n_keys = 0, i;
  fat_rc rc, worst = FAT_OK;
  fat_buf errs;
  build_ctx bc;

  *out = NULL;
  if (sodium_init() < 0)
    return fat_err_set(err, FAT_ENOMEM, "não foi possível iniciar a libsodium");
  g = fat_calloc(1, sizeof *g);
  if (g == NULL)
    return fat_err_oom(err);
  atomic_init(&g->refs, 1);
  limits_fill(&g->lim, lim);
  g->dir = fat_strdup(src->dir != NULL ? src->dir : "");
  if (g->dir == NULL) {
    gen_free(g);
    return fat_err_oom(err);
  }
  rc = src_list_ops(src, &keys, &n_keys, err);
  if (rc != FAT_OK) {
    gen_free(g);
    return rc;
  }
  g->ops = fat_calloc(n_keys ? n_keys : 1, sizeof *g->ops);
  if (g->ops == NULL) {
    free_strv(keys, n_keys);
    gen_free(g);
    return fat_err_oom(err);
  }
  bc.g = g;
  bc.src = src;
  fat_buf_init(&errs, RULES_ERRS_MAX);
  for (i = 0; i < n_keys; i++) {
    char *text = NULL, chave[96];
    size_t len = 0;
    fat_err e;
    gen_op *op = NULL;

    fat_err_clear(&e);
    if (src->override_key != NULL && strcmp(keys[i], src->override_key) == 0)
      rc = fat_file_read(src->override_path, RULES_SCRIPT_MAX, &text, &len, &e);
    else {
      snprintf(chave, sizeof chave, "operators/%s", keys[i]);
      rc = src_read(src, chave, &text, &len, &e);
    }
    if (rc != FAT_OK) {
      errs_add(&errs, e.msg);
      worst = worst == FAT_OK ? rc : worst;
      continue;
    }
    rc = op_build(g, &bc, keys[i], text, len, &op, &errs);
    if (rc != FAT_OK) {
      worst = (worst == FAT_OK || worst == FAT_ERULE) ? rc : worst;
      continue;
    }
    g->ops[g->n_ops++] = op;
  }
  free_strv(keys, n_keys);
  if (worst == FAT_OK && gen_hash(g) != FAT_OK) {
    errs_add(&errs, "memória insuficiente");
    worst = FAT_ENOMEM;
  }
  if (worst != FAT_OK) {
    fat_err_set(err, worst, "%s", errs.data != NULL ? errs.data : fat_rc_str(worst));
    fat_buf_fini(&errs);
    gen_free(g);
    return worst;
  }
  fat_buf_fini(&errs);
  if (gate) {
    cJSON *rep = NULL;
    rc = fat_gen_selftest(g, NULL, &rep, err);
    cJSON_Delete(rep);
    if (rc != FAT_OK) {
      gen_free(g);
      return rc;
    }
  }
  *out = g;
  return FAT_OK;
}

fat_rc fat_gen_build(const char *dir, const char *override_key, const char *override_path,
                     const fat_limits *lim, fat_gen **out, fat_err *err)
{
  build_src src;

  *out = NULL;
  if (dir == NULL)
    return fat_err_set(err, FAT_EINVAL, "pasta de regras não informada");
  if ((override_key == NULL) != (override_path == NULL))
    return fat_err_set(err, FAT_EINVAL, "rascunho precisa de operadora e arquivo");
  if (override_key != NULL && !valid_key(override_key, strlen(override_key)))
    return fat_err_set(err, FAT_EINVAL, "chave de operadora inválida '%s'", override_key);
  memset(&src, 0, sizeof src);
  src.dir = dir;
  src.override_key = override_key;
  src.override_path = override_path;
  return gen_build(&src, lim, 0, out, err);
}

int64_t fat_gen_id(const fat_gen *g) { return g != NULL ? g->id : 0; }
size_t fat_gen_count(const fat_gen *g) { return g != NULL ? g->n_ops : 0; }

const char *fat_gen_key(const fat_gen *g, size_t i)
{
  return (g != NULL && i < g->n_ops) ? g->ops[i]->key : NULL;
}

const char *fat_gen_sha256(const fat_gen *g, const char *key)
{
  gen_op *op = gen_find(g, key);

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

size_t fat_gen_mem_used(fat_gen *g, const char *key)
{
  gen_op *op = gen_find(g, key);
  size_t n;

  if (op == NULL)
    return 0;
  pthread_mutex_lock(&op->mu);
  n = op->bud.mem_used;
  pthread_mutex_unlock(&op->mu);
  return n;
}

fat_rc fat_gen_contract(fat_gen *g, const char *key, cJSON **out, fat_err *err)
{
  gen_op *op = gen_find(g, key);

  *out = NULL;
  if (op == NULL)
    return fat_err_set(err, FAT_ENOTFOUND, "operadora '%s' não tem script de regras",
                       key != NULL ? key : "");
  *out = cJSON_Duplicate(op->contract, 1); /* the cached copy is immutable: no lock */
  return *out != NULL ? FAT_OK : fat_err_oom(err);
}

fat_rc fat_gen_check(fat_gen *g, const char *key, const cJSON *guia, const cJSON *ctx,
                     fat_findings *out, fat_err *err)
{
  gen_op *op = gen_find(g, key);
  fat_findings found;
  fat_rc rc;

  if (op == NULL)
    return fat_err_set(err, FAT_ENOTFOUND, "operadora '%s' não tem script de regras",
                       key != NULL ? key : "");
  pthread_mutex_lock(&op->mu);
  rc = op_run(g, op, guia, ctx, &found, err);
  pthread_mutex_unlock(&op->mu);
  if (rc != FAT_OK)
    return rc;
  rc = fat_findings_move(out, &found, err);
  fat_findings_fini(&found);
  return rc;
}

/* }====================================================================== */

/* {======================================================================
** Store: record, load a stored version
** ======================================================================= */

static int gen_n_tests(const fat_gen *g)
{
  size_t i;
  int n = 0;

  for (i = 0; i < g->n_ops; i++)
    n += cJSON_GetArraySize(g->ops[i]->tests);
  return n;
}

static fat_rc insert_script(fat_store *st, int64_t gid, const src_file *f, fat_err *err)
{
  static const char sql[] =
      "INSERT INTO regra_script (geracao_id, chave, sha256, conteudo) VALUES (?1, ?2, ?3, ?4)";
  sqlite3_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, gid);
  fat_bind_text(s, 2, f->chave);
  fat_bind_text(s, 3, f->sha);
  sqlite3_bind_text(s, 4, f->text, (int)f->len, SQLITE_TRANSIENT);
  rc = fat_store_step_done(st, s, "erro ao gravar script da geração", err);
  return rc;
}

fat_rc fat_gen_record(fat_gen *g, fat_store *st, const char *motivo, fat_err *err)
{
  static const char q_active[] = "SELECT id, hash FROM regra_geracao WHERE ativa = 1";
  static const char q_off[] = "UPDATE regra_geracao SET ativa = 0 WHERE ativa = 1";
  static const char q_ins[] =
      "INSERT INTO regra_geracao (usuario, ativa, origem, motivo, hash, n_scripts, n_testes) "
      "VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6)";
  sqlite3_stmt *s;
  fat_rc rc;
  int64_t gid;
  size_t i;
  char detalhe[160];

  if (g == NULL || st == NULL)
    return fat_err_set(err, FAT_EINVAL, "geração ou banco ausente");
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_prepare(st, q_active, &s, err);
  if (rc != FAT_OK)
    goto fail;
  if (sqlite3_step(s) == SQLITE_ROW) {
    const unsigned char *h = sqlite3_column_text(s, 1);
    if (h != NULL && strcmp((const char *)h, g->hash) == 0) {
      g->id = sqlite3_column_int64(s, 0);
      sqlite3_reset(s);
      return fat_store_commit(st, err); /* identical contents: reuse */
    }
  }
  sqlite3_reset(s);
  rc = fat_store_prepare(st, q_off, &s, err);
  if (rc != FAT_OK)
    goto fail;
  rc = fat_store_step_done(st, s, "erro ao desativar a geração anterior", err);
  if (rc != FAT_OK)
    goto fail;
  rc = fat_store_prepare(st, q_ins, &s, err);
  if (rc != FAT_OK)
    goto fail;
  fat_bind_text(s, 1, fat_store_user(st));
  fat_bind_text(s, 2, g->dir);
  fat_bind_text(s, 3, motivo);
  fat_bind_text(s, 4, g->hash);
  fat_bind_int(s, 5, (int64_t)g->n_ops);
  fat_bind_int(s, 6, gen_n_tests(g));
  rc = fat_store_step_done(st, s, "erro ao gravar a geração de regras", err);
  if (rc != FAT_OK)
    goto fail;
  gid = fat_store_last_id(st);
  for (i = 0; i < g->n_ops && rc == FAT_OK; i++)
    rc = insert_script(st, gid, &g->ops[i]->file, err);
  for (i = 0; i < g->n_mods && rc == FAT_OK; i++)
    rc = insert_script(st, gid, &g->mods[i], err);
  if (rc != FAT_OK)
    goto fail;
  snprintf(detalhe, sizeof detalhe, "%s (%zu scripts, %zu módulos)", motivo != NULL ? motivo : "",
           g->n_ops, g->n_mods);
  {
    char obj[48];
    snprintf(obj, sizeof obj, "regra_geracao:%lld", (long long)gid);
    rc = fat_store_audit(st, "regras.publicar", obj, detalhe, err);
  }
  if (rc != FAT_OK)
    goto fail;
  rc = fat_store_commit(st, err);
  if (rc == FAT_OK)
    g->id = gid;
  return rc;
fail:
  fat_store_rollback(st);
  return rc;
}

/* Stored (chave, conteudo) of a version. */
static fat_rc load_version(fat_store *st, int64_t version, src_file **out, size_t *n_out,
                           fat_err *err)
{
  static const char q_gen[] = "SELECT 1 FROM regra_geracao WHERE id = ?1";
  static const char q_files[] =
      "SELECT chave, conteudo, sha256 FROM regra_script WHERE geracao_id = ?1 ORDER BY chave";
  sqlite3_stmt *s;
  src_file *v = NULL;
  size_t n = 0, cap = 0;
  fat_rc rc;
  int step, oom = 0;

  *out = NULL;
  *n_out = 0;
  rc = fat_store_prepare(st, q_gen, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, version);
  step = sqlite3_step(s);
  sqlite3_reset(s);
  if (step != SQLITE_ROW)
    return fat_err_set(err, FAT_ENOTFOUND, "versão %lld das regras não existe",
                       (long long)version);
  rc = fat_store_prepare(st, q_files, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, version);
  while ((step = sqlite3_step(s)) == SQLITE_ROW) {
    src_file f;
    const char *sha;

    memset(&f, 0, sizeof f);
    if (n == cap) {
      size_t nc = cap ? cap * 2 : 16;
      src_file *nv = fat_realloc(v, nc * sizeof *nv);
      if (nv == NULL) {
        oom = 1;
        break;
      }
      v = nv;
      cap = nc;
    }
    f.chave = fat_col_strdup(s, 0, &oom);
    f.text = fat_col_strdup(s, 1, &oom);
    f.len = (size_t)sqlite3_column_bytes(s, 1);
    sha = (const char *)sqlite3_column_text(s, 2);
    if (oom || f.chave == NULL || f.text == NULL) {
      src_file_fini(&f);
      oom = 1;
      break;
    }
    fat_sha256_hex(f.text, f.len, f.sha);
    if (sha == NULL || strcmp(sha, f.sha) != 0) {
      sqlite3_reset(s);
      rc = fat_err_set(err, FAT_EDB, "versão %lld: conteúdo de %s não confere com o SHA-256 "
                       "gravado", (long long)version, f.chave);
      src_file_fini(&f);
      goto fail;
    }
    v[n++] = f;
  }
  sqlite3_reset(s);
  if (oom) {
    rc = fat_err_oom(err);
    goto fail;
  }
  if (step != SQLITE_DONE && step != SQLITE_ROW) {
    rc = fat_store_dberr(st, err, "erro ao ler a versão das regras");
    goto fail;
  }
  *out = v;
  *n_out = n;
  return FAT_OK;
fail:
  while (n > 0)
    src_file_fini(&v[--n]);
  fat_free(v);
  return rc;
}

static void free_files(src_file *v, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++)
    src_file_fini(&v[i]);
  fat_free(v);
}

static fat_rc build_version(fat_store *st, int64_t version, const fat_limits *lim, int gate,
                            fat_gen **out, fat_err *err)
{
  src_file *files;
  size_t n;
  build_src src;
  fat_rc rc;

  *out = NULL;
  if (st == NULL)
    return fat_err_set(err, FAT_EINVAL, "banco de dados não informado");
  rc = load_version(st, version, &files, &n, err);
  if (rc != FAT_OK)
    return rc;
  memset(&src, 0, sizeof src);
  src.stored = files;
  src.n_stored = n;
  rc = gen_build(&src, lim, gate, out, err);
  if (rc != FAT_OK)
    fat_err_prefix(err, "versão %lld: ", (long long)version);
  free_files(files, n);
  return rc;
}

fat_rc fat_gen_build_version(fat_store *st, int64_t version, const fat_limits *lim,
                             fat_gen **out, fat_err *err)
{
  return build_version(st, version, lim, 0, out, err);
}

/* mkdir -p for the directories of path (not the last component). */
static fat_rc mkdirs_for(const char *path, fat_err *err)
{
  char *p = fat_strdup(path);
  char *s;

  if (p == NULL)
    return fat_err_oom(err);
  for (s = p + 1; *s != '\0'; s++) {
    if (*s != '/')
      continue;
    *s = '\0';
    if (mkdir(p, 0755) != 0 && errno != EEXIST) {
      fat_err_sys(err, errno, "não foi possível criar a pasta %s", p);
      fat_free(p);
      return FAT_EIO;
    }
    *s = '/';
  }
  fat_free(p);
  return FAT_OK;
}

fat_rc fat_rules_revert(const char *dir, fat_store *st, int64_t version, const fat_limits *lim,
                        int64_t *new_id, fat_err *err)
{
  fat_gen *g = NULL;
  fat_rc rc;
  size_t i;
  char motivo[64];
  char **keys = NULL;
  size_t n_keys = 0;
  build_src cur;

  if (new_id != NULL)
    *new_id = 0;
  if (dir == NULL || st == NULL)
    return fat_err_set(err, FAT_EINVAL, "pasta de regras ou banco não informado");
  rc = build_version(st, version, lim, 1, &g, err);
  if (rc != FAT_OK)
    return rc;
  /* write the version's files back into the folder */
  for (i = 0; i < g->n_ops + g->n_mods && rc == FAT_OK; i++) {
    const src_file *f = i < g->n_ops ? &g->ops[i]->file : &g->mods[i - g->n_ops];
    char *path = src_path(dir, f->chave);

    if (path == NULL) {
      rc = fat_err_oom(err);
      break;
    }
    rc = mkdirs_for(path, err);
    if (rc == FAT_OK)
      rc = fat_file_write(path, f->text, f->len, err);
    fat_free(path);
  }
  /* operator scripts not in that version are set aside (not deleted) */
  memset(&cur, 0, sizeof cur);
  cur.dir = dir;
  if (rc == FAT_OK && src_list_ops(&cur, &keys, &n_keys, NULL) == FAT_OK) {
    for (i = 0; i < n_keys && rc == FAT_OK; i++) {
      if (gen_find(g, keys[i]) == NULL) {
        char *from = fat_asprintf("%s/operators/%s.lua", dir, keys[i]);
        char *to = fat_asprintf("%s/operators/%s.lua.removido-v%lld", dir, keys[i],
                                (long long)version);
        if (from == NULL || to == NULL)
          rc = fat_err_oom(err);
        else if (rename(from, to) != 0)
          rc = fat_err_sys(err, errno, "não foi possível renomear %s", from);
        fat_free(from);
        fat_free(to);
      }
    }
    free_strv(keys, n_keys);
  }
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
** The published generation
** ======================================================================= */

fat_rc fat_rules_open(const char *dir, const fat_limits *lim, fat_store *st, fat_rules **out,
                      fat_err *err)
{
  fat_rules *r;
  build_src src;
  fat_rc rc;

  *out = NULL;
  if (dir == NULL)
    return fat_err_set(err, FAT_EINVAL, "pasta de regras não informada");
  r = fat_calloc(1, sizeof *r);
  if (r == NULL)
    return fat_err_oom(err);
  limits_fill(&r->lim, lim);
  r->dir = fat_strdup(dir);
  if (r->dir == NULL || pthread_mutex_init(&r->mu, NULL) != 0) {
    fat_free(r->dir);
    fat_free(r);
    return fat_err_oom(err);
  }
  memset(&src, 0, sizeof src);
  src.dir = dir;
  rc = gen_build(&src, &r->lim, 1, &r->cur, err);
  if (rc == FAT_OK && st != NULL)
    rc = fat_gen_record(r->cur, st, "carga", err);
  if (rc != FAT_OK) {
    fat_rules_close(r);
    return rc;
  }
  *out = r;
  return FAT_OK;
}

void fat_rules_close(fat_rules *r)
{
  if (r == NULL)
    return;
  fat_gen_release(r->cur); /* in-flight holders keep their reference */
  pthread_mutex_destroy(&r->mu);
  fat_free(r->dir);
  fat_free(r);
}

fat_rc fat_rules_reload(fat_rules *r, fat_store *st, fat_err *err)
{
  fat_gen *next = NULL, *old;
  build_src src;
  fat_rc rc;

  memset(&src, 0, sizeof src);
  src.dir = r->dir;
  rc = gen_build(&src, &r->lim, 1, &next, err); /* beside the live one */
  if (rc != FAT_OK)
    return fat_err_prefix(err, "recarga recusada, regras anteriores continuam valendo: ");
  if (st != NULL) {
    rc = fat_gen_record(next, st, "recarga", err);
    if (rc != FAT_OK) {
      fat_gen_release(next);
      return fat_err_prefix(err, "recarga recusada, regras anteriores continuam valendo: ");
    }
  }
  pthread_mutex_lock(&r->mu);
  old = r->cur;
  r->cur = next; /* publish */
  pthread_mutex_unlock(&r->mu);
  fat_gen_release(old); /* closed when the last in-flight call releases it */
  return FAT_OK;
}

fat_gen *fat_rules_acquire(fat_rules *r)
{
  fat_gen *g;

  pthread_mutex_lock(&r->mu);
  g = r->cur;
  atomic_fetch_add(&g->refs, 1);
  pthread_mutex_unlock(&r->mu);
  return g;
}

const char *fat_rules_dir(const fat_rules *r) { return r != NULL ? r->dir : ""; }

char *fat_rules_pidfile_path(const char *db_path)
{
  const char *slash = db_path != NULL ? strrchr(db_path, '/') : NULL;

  if (slash == NULL)
    return fat_strdup("faturo-servidor.pid");
  return fat_asprintf("%.*s/faturo-servidor.pid", (int)(slash - db_path), db_path);
}

fat_rc fat_rules_signal_server(const char *db_path, int *sent, fat_err *err)
{
  char *path = fat_rules_pidfile_path(db_path);
  char *text = NULL;
  size_t len;
  long pid;
  char *end;
  fat_rc rc;

  *sent = 0;
  if (path == NULL)
    return fat_err_oom(err);
  if (access(path, F_OK) != 0) {
    fat_free(path);
    return FAT_OK;
  }
  rc = fat_file_read(path, 64, &text, &len, err);
  if (rc != FAT_OK) {
    fat_free(path);
    return rc;
  }
  errno = 0;
  pid = strtol(text, &end, 10);
  if (errno != 0 || end == text || pid <= 1 || pid > INT_MAX) {
    rc = fat_err_set(err, FAT_EINVAL, "%s: pid inválido", path);
  } else if (kill((pid_t)pid, 0) != 0) {
    rc = fat_err_set(err, FAT_ENOTFOUND, "%s: servidor (pid %ld) não está rodando", path, pid);
  } else if (kill((pid_t)pid, SIGHUP) != 0) {
    rc = fat_err_sys(err, errno, "não foi possível avisar o servidor (pid %ld)", pid);
  } else {
    *sent = 1;
  }
  fat_free(text);
  fat_free(path);
  return rc;
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
  sandbox_setup(L);
  lua_pushlightuserdata(L, a->bc);
  lua_setfield(L, LUA_REGISTRYINDEX, REG_BUILD);
  if (luaL_loadbufferx(L, a->src, strlen(a->src), "@teste.lua", "t") != LUA_OK)
    return lua_error(L);
  lua_call(L, 0, 1);
  if (lua_type(L, 1) == LUA_TTABLE) {
    cJSON *j = lua_to_json_root(L, 1, a->holder, NULL);
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

fat_rc fat_rules_sandbox_eval(const char *dir, const char *src, const fat_limits *lim, char **out,
                              fat_err *err)
{
  fat_budget *b;
  fat_gen *g;
  lua_State *L;
  build_src bs;
  build_ctx bc;
  eval_arg a;
  int status;
  fat_rc rc = FAT_OK;

  *out = NULL;
  b = fat_calloc(1, sizeof *b);
  g = fat_calloc(1, sizeof *g);
  if (b == NULL || g == NULL) {
    fat_free(b);
    fat_free(g);
    return fat_err_oom(err);
  }
  limits_fill(&g->lim, lim);
  L = sandbox_new(b, &g->lim);
  if (L == NULL) {
    fat_free(b);
    gen_free(g);
    return fat_err_oom(err);
  }
  memset(&bs, 0, sizeof bs);
  bs.dir = dir;
  bc.g = g;
  bc.src = dir != NULL ? &bs : NULL;
  memset(&a, 0, sizeof a);
  a.src = src;
  a.bc = dir != NULL ? &bc : NULL;
  a.holder = cJSON_CreateArray();
  lua_pushcfunction(L, sandbox_msgh);
  lua_pushcfunction(L, eval_main);
  lua_pushlightuserdata(L, &a);
  budget_arm(b);
  status = a.holder != NULL ? lua_pcall(L, 1, 0, 1) : LUA_ERRMEM;
  budget_disarm(b);
  if (status != LUA_OK) {
    if (b->tripped != BUD_NONE || status == LUA_ERRMEM) {
      if (b->tripped == BUD_NONE)
        b->tripped = BUD_MEM;
      rc = fat_err_set(err, FAT_ELIMIT, "%s%s%s", budget_reason(b), b->where[0] ? " em " : "",
                       b->where);
    } else {
      char msg[600];
      copy_lua_msg(L, msg, sizeof msg);
      rc = fat_err_set(err, FAT_ERULE, "%s", msg);
    }
    fat_free(a.result);
    a.result = NULL;
  }
  *out = a.result;
  cJSON_Delete(a.holder);
  lua_close(L);
  fat_free(b);
  gen_free(g);
  return rc;
}

/* }====================================================================== */

/* {======================================================================
** Versions
** ======================================================================= */

const char *fat_gen_hash(const fat_gen *g) { return g != NULL ? g->hash : ""; }

fat_rc fat_rules_active(fat_store *st, int64_t *id, char *hash, fat_err *err)
{
  static const char sql[] = "SELECT id, hash FROM regra_geracao WHERE ativa = 1";
  sqlite3_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);
  int step;

  *id = 0;
  if (hash != NULL)
    hash[0] = '\0';
  if (rc != FAT_OK)
    return rc;
  step = sqlite3_step(s);
  if (step == SQLITE_ROW) {
    const unsigned char *h = sqlite3_column_text(s, 1);
    *id = sqlite3_column_int64(s, 0);
    if (hash != NULL && h != NULL)
      snprintf(hash, 65, "%s", (const char *)h);
  } else if (step != SQLITE_DONE) {
    rc = fat_store_dberr(st, err, "erro ao ler a geração ativa");
  }
  sqlite3_reset(s);
  return rc;
}

static fat_rc add_col_text(cJSON *o, const char *name, sqlite3_stmt *s, int i)
{
  const unsigned char *t = sqlite3_column_text(s, i);

  if (sqlite3_column_type(s, i) == SQLITE_NULL)
    return cJSON_AddNullToObject(o, name) != NULL ? FAT_OK : FAT_ENOMEM;
  return cJSON_AddStringToObject(o, name, t != NULL ? (const char *)t : "") != NULL ? FAT_OK
                                                                                    : FAT_ENOMEM;
}

fat_rc fat_rules_versions(fat_store *st, cJSON **out, fat_err *err)
{
  static const char q_gen[] =
      "SELECT id, criado_em, usuario, ativa, origem, motivo, n_scripts, n_testes, hash "
      "FROM regra_geracao ORDER BY id DESC";
  static const char q_files[] =
      "SELECT geracao_id, chave, sha256 FROM regra_script ORDER BY geracao_id DESC, chave";
  sqlite3_stmt *s;
  cJSON *arr = cJSON_CreateArray(), *o;
  fat_rc rc;
  int step, oom = 0;

  *out = NULL;
  if (arr == NULL)
    return fat_err_oom(err);
  rc = fat_store_prepare(st, q_gen, &s, err);
  if (rc != FAT_OK) {
    cJSON_Delete(arr);
    return rc;
  }
  while ((step = sqlite3_step(s)) == SQLITE_ROW && !oom) {
    o = cJSON_CreateObject();
    if (o == NULL || !cJSON_AddItemToArray(arr, o)) {
      cJSON_Delete(o);
      oom = 1;
      break;
    }
    oom |= cJSON_AddNumberToObject(o, "id", (double)sqlite3_column_int64(s, 0)) == NULL;
    oom |= add_col_text(o, "criado_em", s, 1) != FAT_OK;
    oom |= add_col_text(o, "usuario", s, 2) != FAT_OK;
    oom |= cJSON_AddBoolToObject(o, "ativa", sqlite3_column_int(s, 3) != 0) == NULL;
    oom |= add_col_text(o, "origem", s, 4) != FAT_OK;
    oom |= add_col_text(o, "motivo", s, 5) != FAT_OK;
    oom |= cJSON_AddNumberToObject(o, "n_scripts", sqlite3_column_int(s, 6)) == NULL;
    oom |= cJSON_AddNumberToObject(o, "n_testes", sqlite3_column_int(s, 7)) == NULL;
    oom |= add_col_text(o, "hash", s, 8) != FAT_OK;
    oom |= cJSON_AddArrayToObject(o, "scripts") == NULL;
  }
  if (step != SQLITE_DONE && step != SQLITE_ROW)
    rc = fat_store_dberr(st, err, "erro ao listar as versões das regras");
  sqlite3_reset(s);
  if (rc == FAT_OK && !oom) {
    rc = fat_store_prepare(st, q_files, &s, err);
    while (rc == FAT_OK && !oom && (step = sqlite3_step(s)) == SQLITE_ROW) {
      int64_t gid = sqlite3_column_int64(s, 0);
      cJSON *v, *f;

      cJSON_ArrayForEach(v, arr)
      {
        if ((int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(v, "id")) != gid)
          continue;
        f = cJSON_CreateObject();
        if (f == NULL || !cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(v, "scripts"), f)) {
          cJSON_Delete(f);
          oom = 1;
          break;
        }
        oom |= add_col_text(f, "chave", s, 1) != FAT_OK;
        oom |= add_col_text(f, "sha256", s, 2) != FAT_OK;
        break;
      }
    }
    if (rc == FAT_OK)
      sqlite3_reset(s);
  }
  if (rc == FAT_OK && oom)
    rc = fat_err_oom(err);
  if (rc != FAT_OK) {
    cJSON_Delete(arr);
    return rc;
  }
  *out = arr;
  return FAT_OK;
}

/* }====================================================================== */
