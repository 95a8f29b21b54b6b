/* fat_sandbox_lib.c: what a script can call: the allowed libraries, the
** bounded replacements of the C functions whose work the hook cannot see,
** and frozen (read-only) tables.
**
** Stock Lua 5.4 has no read-only tables and `__newindex` only fires for
** absent keys, so a table is frozen in place: its contents move to a hidden
** table that its metatable's __index points to, and the (now empty) table
** refuses every write. It keeps its identity, so every reference to it (an
** upvalue, a module field) sees the frozen table. rawset is gone, and
** next/rawget/rawlen/pairs/# look through to the hidden contents.
*/
#include "fat_sandbox_int.h"

#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

/* Marker keys (light userdata) in a frozen table's metatable. */
static const char frozen_key = 0;  /* -> the hidden contents */
static const char derived_key = 0; /* -> plain metatable for setmetatable */
static const char view_key = 0;    /* -> completion function of a host view */

/* Bounds of the rebuilt library functions. */
#define SORT_MAX 100000 /* elements table.sort accepts */

/* {======================================================================
** Frozen tables
** ======================================================================= */

/* Push the hidden contents of the table at idx and return 1 when it is
** frozen; return 0 (pushing nothing) otherwise. */
static int frozen_contents(lua_State *L, int idx)
{
  if (lua_type(L, idx) != LUA_TTABLE || !lua_getmetatable(L, idx))
    return 0;
  if (lua_rawgetp(L, -1, &frozen_key) == LUA_TTABLE) {
    lua_remove(L, -2);
    return 1;
  }
  lua_pop(L, 2);
  return 0;
}

const void *fat_sandbox_view_key(void)
{
  return &view_key;
}

/* Push what raw access sees in the table at idx and return 1 when it is
** frozen or a host view (fat_sandbox_view_key: its completion function
** runs); return 0 (pushing nothing) otherwise. */
static int contents_of(lua_State *L, int idx)
{
  idx = lua_absindex(L, idx);
  if (frozen_contents(L, idx))
    return 1;
  if (lua_type(L, idx) != LUA_TTABLE || !lua_getmetatable(L, idx))
    return 0;
  if (lua_rawgetp(L, -1, &view_key) != LUA_TFUNCTION) {
    lua_pop(L, 2);
    return 0;
  }
  lua_remove(L, -2);
  lua_pushvalue(L, idx);
  lua_call(L, 1, 1);
  return 1;
}

void fat_sandbox_unfreeze_view(lua_State *L, int idx)
{
  idx = lua_absindex(L, idx);
  if (contents_of(L, idx))
    lua_replace(L, idx);
}

static int l_frozen_newindex(lua_State *L)
{
  const char *k = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : NULL;
  int exists = 0;

  if (frozen_contents(L, 1)) {
    lua_pushvalue(L, 2);
    exists = lua_rawget(L, -2) != LUA_TNIL;
  }
  lua_pushglobaltable(L);
  if (lua_rawequal(L, 1, -1)) {
    if (exists)
      return luaL_error(L, "não é permitido alterar a global '%s' (as globais são somente "
                           "leitura; use local)", k != NULL ? k : "?");
    return luaL_error(L, "não é permitido criar a variável global '%s' (use local)",
                      k != NULL ? k : "?");
  }
  if (k != NULL)
    return luaL_error(L, "tabela somente leitura: não é permitido alterar o campo '%s' (tabelas "
                         "de módulos, da biblioteca e da declaração não mudam entre guias; "
                         "copie para uma tabela local)", k);
  return luaL_error(L, "tabela somente leitura (tabelas de módulos, da biblioteca e da "
                       "declaração não mudam entre guias; copie para uma tabela local)");
}

static int l_frozen_len(lua_State *L)
{
  if (!frozen_contents(L, 1))
    lua_pushvalue(L, 1);
  lua_pushinteger(L, (lua_Integer)lua_rawlen(L, -1));
  return 1;
}

/* next(t [, k]) looking through frozen tables and host views. */
int fat_sandbox_next(lua_State *L)
{
  luaL_checktype(L, 1, LUA_TTABLE);
  fat_sandbox_unfreeze_view(L, 1);
  lua_settop(L, 2);
  if (lua_next(L, 1) != 0)
    return 2;
  lua_pushnil(L);
  return 1;
}

/* __pairs of a frozen table: iterate the contents without handing them out. */
static int l_frozen_pairs(lua_State *L)
{
  lua_pushcfunction(L, fat_sandbox_next);
  lua_pushvalue(L, 1);
  lua_pushnil(L);
  return 3;
}

static int l_fat_rawget(lua_State *L)
{
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checkany(L, 2);
  fat_sandbox_unfreeze_view(L, 1);
  lua_settop(L, 2);
  lua_rawget(L, 1);
  return 1;
}

static int l_fat_rawlen(lua_State *L)
{
  int t = lua_type(L, 1);

  luaL_argexpected(L, t == LUA_TTABLE || t == LUA_TSTRING, 1, "table or string");
  fat_sandbox_unfreeze_view(L, 1);
  lua_pushinteger(L, (lua_Integer)lua_rawlen(L, 1));
  return 1;
}

/* Move the table at t into a fresh contents table, give t the frozen
** metatable, and push onto the walk's work list every value it must visit
** next. */
static void freeze_one(lua_State *L, int t, fat_sandbox_walk *w)
{
  int shadow, mt = 0, src = 0, F;

  lua_newtable(L);
  shadow = lua_gettop(L);
  lua_pushnil(L);
  while (lua_next(L, t) != 0) { /* [.. k v] */
    lua_pushvalue(L, -2);
    lua_pushvalue(L, -2);
    lua_rawset(L, shadow);
    fat_sandbox_walk_push(L, w); /* v */
    lua_pushvalue(L, -1);
    fat_sandbox_walk_push(L, w); /* k (kept on the stack for lua_next) */
  }
  lua_pushnil(L);
  while (lua_next(L, shadow) != 0) {
    lua_pop(L, 1);
    lua_pushvalue(L, -1);
    lua_pushnil(L);
    lua_rawset(L, t);
  }
  lua_newtable(L);
  F = lua_gettop(L);
  if (lua_getmetatable(L, t)) {
    mt = lua_gettop(L);
    if (!frozen_contents(L, mt))
      lua_pushvalue(L, mt);
    src = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, src) != 0) { /* copy the metamethods we keep as they are */
      const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;

      if (k != NULL && k[0] == '_' && k[1] == '_' && strcmp(k, "__index") != 0 &&
          strcmp(k, "__newindex") != 0 && strcmp(k, "__metatable") != 0 &&
          strcmp(k, "__gc") != 0 && strcmp(k, "__mode") != 0) {
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, F);
      } else {
        lua_pop(L, 1);
      }
    }
    lua_pushliteral(L, "__index");
    if (lua_rawget(L, src) != LUA_TNIL) { /* the old lookup chain */
      lua_newtable(L);
      lua_pushvalue(L, -2);
      lua_setfield(L, -2, "__index");
      lua_setmetatable(L, shadow);
      fat_sandbox_walk_push(L, w);
    } else {
      lua_pop(L, 1);
    }
  }
  lua_pushvalue(L, shadow);
  lua_setfield(L, F, "__index");
  lua_pushcfunction(L, l_frozen_newindex);
  lua_setfield(L, F, "__newindex");
  if (lua_getfield(L, F, "__len") == LUA_TNIL) {
    lua_pushcfunction(L, l_frozen_len);
    lua_setfield(L, F, "__len");
  }
  lua_pop(L, 1);
  if (lua_getfield(L, F, "__pairs") == LUA_TNIL) {
    lua_pushcfunction(L, l_frozen_pairs);
    lua_setfield(L, F, "__pairs");
  }
  lua_pop(L, 1);
  if (src != 0)
    lua_pushliteral(L, "__metatable");
  if (src == 0 || lua_rawget(L, src) == LUA_TNIL) {
    if (src != 0)
      lua_pop(L, 1);
    if (mt != 0)
      lua_pushvalue(L, mt);
    else
      lua_pushboolean(L, 0);
  }
  lua_setfield(L, F, "__metatable");
  lua_pushvalue(L, shadow);
  lua_rawsetp(L, F, &frozen_key);
  if (mt != 0) {
    lua_pushvalue(L, mt);
    fat_sandbox_walk_push(L, w);
  }
  lua_pushvalue(L, F);
  lua_setmetatable(L, t);
  lua_settop(L, shadow - 1);
}

void fat_sandbox_walk_push(lua_State *L, fat_sandbox_walk *w)
{
  lua_rawseti(L, w->work, ++w->n);
}

void fat_sandbox_walk_from(lua_State *L, int idx, fat_sandbox_visit visit)
{
  fat_sandbox_walk w = {0, 0};
  int seen;

  idx = lua_absindex(L, idx);
  luaL_checkstack(L, 24, "tabelas aninhadas demais");
  lua_newtable(L);
  w.work = lua_gettop(L);
  lua_newtable(L);
  seen = lua_gettop(L);
  lua_pushvalue(L, idx);
  fat_sandbox_walk_push(L, &w);
  while (w.n > 0) {
    int v, t;

    lua_rawgeti(L, w.work, w.n);
    lua_pushnil(L);
    lua_rawseti(L, w.work, w.n--);
    v = lua_gettop(L);
    t = lua_type(L, v);
    if (t != LUA_TTABLE && t != LUA_TFUNCTION) {
      lua_pop(L, 1);
      continue;
    }
    lua_pushvalue(L, v);
    if (lua_rawget(L, seen) != LUA_TNIL) {
      lua_pop(L, 2);
      continue;
    }
    lua_pop(L, 1);
    lua_pushvalue(L, v);
    lua_pushboolean(L, 1);
    lua_rawset(L, seen);
    visit(L, v, t, &w);
    lua_settop(L, seen);
  }
  lua_pop(L, 2);
}

static void freeze_visit(lua_State *L, int v, int type, fat_sandbox_walk *w)
{
  if (type == LUA_TTABLE) {
    if (!frozen_contents(L, v)) /* else frozen earlier, with everything it reaches */
      freeze_one(L, v, w);
  } else {
    int i;

    for (i = 1; lua_getupvalue(L, v, i) != NULL; i++)
      fat_sandbox_walk_push(L, w);
  }
}

void fat_sandbox_freeze(lua_State *L, int idx)
{
  fat_sandbox_walk_from(L, idx, freeze_visit);
}

/* }====================================================================== */

/* {======================================================================
** Bounded library functions
** ======================================================================= */

/* setmetatable without finalizers (a __gc runs with hooks off and would
** escape the budget). A frozen metatable is replaced by a private plain copy
** (metamethods are looked up raw, so the emptied table would lose them);
** getmetatable still answers the frozen table. */
static int l_fat_setmetatable(lua_State *L)
{
  int t = lua_type(L, 2);

  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
  if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
    return luaL_error(L, "cannot change a protected metatable");
  lua_settop(L, 2);
  if (t == LUA_TTABLE && frozen_contents(L, 2)) { /* [t mt contents] */
    lua_getmetatable(L, 2);
    if (lua_rawgetp(L, -1, &derived_key) != LUA_TTABLE) { /* [t mt c F nil] */
      int d;

      lua_pop(L, 1);
      lua_newtable(L);
      d = lua_gettop(L);
      lua_pushnil(L);
      while (lua_next(L, 3) != 0) {
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, d);
      }
      if (lua_getfield(L, d, "__metatable") == LUA_TNIL) {
        lua_pushvalue(L, 2);
        lua_setfield(L, d, "__metatable");
      }
      lua_pop(L, 1);
      lua_pushvalue(L, d);
      lua_rawsetp(L, 4, &derived_key);
    }
    lua_replace(L, 2);
    lua_settop(L, 2);
  }
  if (t == LUA_TTABLE) {
    lua_pushliteral(L, "__gc");
    if (lua_rawget(L, 2) != LUA_TNIL)
      return luaL_error(L, "setmetatable: metatabela com __gc não é permitida");
    lua_pop(L, 1);
  }
  lua_setmetatable(L, 1);
  return 1;
}

/* load(text [, nome [, modo [, env]]]): text chunks only; compiling is
** charged by size. */
static int l_fat_load(lua_State *L)
{
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  const char *name = luaL_optstring(L, 2, "=(load)");
  int has_env = !lua_isnone(L, 4);
  int status;

  fat_sandbox_charge(L, (unsigned long)len);
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

/* The message handler of xpcall: the script's handler runs only for
** ordinary errors. A budget error is raised from inside the hook, where Lua
** runs no hooks, so a looping handler would never be stopped: it is skipped
** and the budget error goes through as it is. */
static int xpcall_msgh(lua_State *L)
{
  fat_budget *b = fat_sandbox_budget(L);

  if (b->tripped != FAT_BUD_NONE || atomic_load(&b->hard_ns) == -1)
    return 1;
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 1);
  return 1;
}

static int l_fat_xpcall(lua_State *L)
{
  int n = lua_gettop(L), status;

  luaL_checktype(L, 2, LUA_TFUNCTION);
  lua_pushvalue(L, 2);
  lua_pushcclosure(L, xpcall_msgh, 1);
  lua_insert(L, 1); /* [msgh f h args...] */
  lua_remove(L, 3); /* [msgh f args...] */
  status = lua_pcall(L, n - 2, LUA_MULTRET, 1);
  lua_pushboolean(L, status == LUA_OK);
  lua_replace(L, 1); /* [ok results...] */
  return lua_gettop(L);
}

/* string.rep: charged by pieces and bytes before any work (an empty string
** repeated 1e15 times is a C loop the hook never sees). */
static int l_fat_rep(lua_State *L)
{
  size_t l, lsep;
  const char *s = luaL_checklstring(L, 1, &l);
  lua_Integer n = luaL_checkinteger(L, 2);
  const char *sep = luaL_optlstring(L, 3, "", &lsep);
  luaL_Buffer b;
  size_t total, unit = l + lsep;
  char *p;
  lua_Integer i;

  if (n <= 0) {
    lua_pushliteral(L, "");
    return 1;
  }
  if (unit < l || (unit > 0 && (size_t)n > ((size_t)-1 / 2) / unit))
    return luaL_error(L, "string.rep: resultado grande demais");
  fat_sandbox_charge(L, 1 + (unsigned long)n / 8);
  fat_sandbox_charge(L, (unsigned long)((size_t)n * unit / 64));
  total = (size_t)n * l + (size_t)(n - 1) * lsep;
  p = luaL_buffinitsize(L, &b, total);
  for (i = 0; i < n; i++) {
    if (i > 0 && lsep > 0) {
      memcpy(p, sep, lsep);
      p += lsep;
    }
    if (l > 0) {
      memcpy(p, s, l);
      p += l;
    }
  }
  luaL_pushresultsize(&b, total);
  return 1;
}

/* #t through __len (once), as an integer. */
static lua_Integer table_len(lua_State *L, int t)
{
  return luaL_len(L, t);
}

/* table.insert(t, [pos,] v): the shift is charged. */
static int l_fat_tinsert(lua_State *L)
{
  lua_Integer e, pos, i;

  luaL_checktype(L, 1, LUA_TTABLE);
  e = table_len(L, 1);
  if (e == LUA_MAXINTEGER)
    return luaL_error(L, "table.insert: tabela grande demais");
  e++;
  switch (lua_gettop(L)) {
  case 2: pos = e; break;
  case 3:
    pos = luaL_checkinteger(L, 2);
    luaL_argcheck(L, (lua_Unsigned)pos - 1u < (lua_Unsigned)e, 2, "position out of bounds");
    fat_sandbox_charge(L, (unsigned long)(e - pos));
    for (i = e; i > pos; i--) {
      lua_geti(L, 1, i - 1);
      lua_seti(L, 1, i);
    }
    break;
  default: return luaL_error(L, "wrong number of arguments to 'insert'");
  }
  lua_seti(L, 1, pos);
  return 0;
}

/* table.remove(t [, pos]): the shift is charged. */
static int l_fat_tremove(lua_State *L)
{
  lua_Integer size, pos;

  luaL_checktype(L, 1, LUA_TTABLE);
  size = table_len(L, 1);
  pos = luaL_optinteger(L, 2, size);
  if (pos != size)
    luaL_argcheck(L, (lua_Unsigned)pos - 1u <= (lua_Unsigned)size, 2, "position out of bounds");
  if (size > pos)
    fat_sandbox_charge(L, (unsigned long)((lua_Unsigned)size - (lua_Unsigned)pos));
  lua_geti(L, 1, pos); /* the result */
  for (; pos < size; pos++) {
    lua_geti(L, 1, pos + 1);
    lua_seti(L, 1, pos);
  }
  lua_pushnil(L);
  lua_seti(L, 1, pos);
  return 1;
}

/* table.move(a1, f, e, t [, a2]): the range is charged. */
static int l_fat_tmove(lua_State *L)
{
  lua_Integer f = luaL_checkinteger(L, 2);
  lua_Integer e = luaL_checkinteger(L, 3);
  lua_Integer t = luaL_checkinteger(L, 4);
  int tt = !lua_isnoneornil(L, 5) ? 5 : 1;
  lua_Integer i, n;

  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checktype(L, tt, LUA_TTABLE);
  if (e >= f) {
    luaL_argcheck(L, f > 0 || e < LUA_MAXINTEGER + f, 3, "too many elements to move");
    n = e - f + 1;
    luaL_argcheck(L, t <= LUA_MAXINTEGER - n + 1, 4, "destination wrap around");
    fat_sandbox_charge(L, (unsigned long)n);
    if (t > e || t <= f || (tt != 1 && !lua_compare(L, 1, tt, LUA_OPEQ))) {
      for (i = 0; i < n; i++) {
        lua_geti(L, 1, f + i);
        lua_seti(L, tt, t + i);
      }
    } else {
      for (i = n - 1; i >= 0; i--) {
        lua_geti(L, 1, f + i);
        lua_seti(L, tt, t + i);
      }
    }
  }
  lua_pushvalue(L, tt);
  return 1;
}

/* table.concat(t [, sep [, i [, j]]]): the range is charged. */
static int l_fat_tconcat(lua_State *L)
{
  luaL_Buffer b;
  size_t lsep;
  const char *sep;
  lua_Integer i, last;

  luaL_checktype(L, 1, LUA_TTABLE);
  last = table_len(L, 1);
  sep = luaL_optlstring(L, 2, "", &lsep);
  i = luaL_optinteger(L, 3, 1);
  last = luaL_optinteger(L, 4, last);
  if (i <= last) {
    unsigned long span = (unsigned long)((lua_Unsigned)last - (lua_Unsigned)i);

    fat_sandbox_charge(L, span == (unsigned long)-1 ? span : span + 1);
  }
  luaL_buffinit(L, &b);
  for (; i <= last; i++) {
    if (lua_geti(L, 1, i) != LUA_TSTRING && !lua_isnumber(L, -1))
      return luaL_error(L, "invalid value (at index %I) in table for 'concat'", (LUAI_UACINT)i);
    luaL_addvalue(&b);
    if (i == last)
      break;
    luaL_addlstring(&b, sep, lsep);
  }
  luaL_pushresult(&b);
  return 1;
}

/* table.sort: plain lists only (a metatable could change the length or the
** elements half-way), at most SORT_MAX elements, charged n log n up front;
** the stock sort does the work. */
static int l_fat_tsort(lua_State *L)
{
  lua_Integer n;
  unsigned long cost = 0, k;

  luaL_checktype(L, 1, LUA_TTABLE);
  if (lua_getmetatable(L, 1)) {
    lua_pop(L, 1);
    return luaL_error(L, "table.sort: só ordena listas simples (esta tabela tem metatabela ou "
                         "é somente leitura; copie para uma tabela local)");
  }
  n = (lua_Integer)lua_rawlen(L, 1);
  if (n > SORT_MAX)
    return luaL_error(L, "table.sort: lista grande demais (%I elementos; máximo %d)",
                      (LUAI_UACINT)n, SORT_MAX);
  for (k = (unsigned long)n; k > 1; k >>= 1)
    cost += (unsigned long)n;
  fat_sandbox_charge(L, cost);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 0);
  return 0;
}

/* }====================================================================== */

/* {======================================================================
** Setup
** ======================================================================= */

static int l_undeclared_get(lua_State *L)
{
  const char *k = lua_tostring(L, 2);

  return luaL_error(L, "variável global não declarada '%s'", k != NULL ? k : "?");
}

static const luaL_Reg sandbox_libs[] = {
  {LUA_GNAME, luaopen_base},        {LUA_TABLIBNAME, luaopen_table},
  {LUA_STRLIBNAME, luaopen_string}, {LUA_MATHLIBNAME, luaopen_math},
  {LUA_UTF8LIBNAME, luaopen_utf8},  {NULL, NULL}
}; /* never: io, os, package, debug, coroutine */

static const char *const sandbox_drop[] = {"dofile", "loadfile", "collectgarbage", "print",
                                           "rawset", "warn", NULL};

static const luaL_Reg base_wrap[] = {
  {"load", l_fat_load},     {"setmetatable", l_fat_setmetatable}, {"xpcall", l_fat_xpcall},
  {"next", fat_sandbox_next},     {"rawget", l_fat_rawget},             {"rawlen", l_fat_rawlen},
  {NULL, NULL}
};

static const luaL_Reg table_wrap[] = {
  {"insert", l_fat_tinsert}, {"remove", l_fat_tremove}, {"move", l_fat_tmove},
  {"concat", l_fat_tconcat}, {NULL, NULL}
};

void fat_sandbox_setup(lua_State *L, lua_CFunction require_fn)
{
  const luaL_Reg *lib;
  int i, g;

  for (lib = sandbox_libs; lib->func != NULL; lib++) {
    luaL_requiref(L, lib->name, lib->func, 1);
    lua_pop(L, 1);
  }
  lua_pushglobaltable(L);
  g = lua_gettop(L);
  for (i = 0; sandbox_drop[i] != NULL; i++) {
    lua_pushnil(L);
    lua_setfield(L, g, sandbox_drop[i]);
  }
  luaL_setfuncs(L, base_wrap, 0);
  if (require_fn != NULL)
    lua_pushcfunction(L, require_fn);
  else
    lua_pushnil(L);
  lua_setfield(L, g, "require");

  lua_getfield(L, g, "string"); /* [G string] */
  lua_pushnil(L);
  lua_setfield(L, -2, "dump");
  lua_pushcfunction(L, l_fat_rep);
  lua_setfield(L, -2, "rep");
  fat_sandbox_open_patterns(L, lua_gettop(L));
  lua_pop(L, 1);

  lua_getfield(L, g, "table"); /* [G table] */
  luaL_setfuncs(L, table_wrap, 0);
  lua_getfield(L, -1, "sort");
  lua_pushcclosure(L, l_fat_tsort, 1); /* the stock sort as upvalue */
  lua_setfield(L, -2, "sort");
  lua_pop(L, 1);

  lua_getfield(L, g, "math"); /* [G math] */
  lua_pushnil(L);
  lua_setfield(L, -2, "random");
  lua_pushnil(L);
  lua_setfield(L, -2, "randomseed");
  lua_pop(L, 1);

  /* lock _G: undeclared names are errors; then freeze it with the libraries */
  lua_newtable(L);
  lua_pushcfunction(L, l_undeclared_get);
  lua_setfield(L, -2, "__index");
  lua_pushliteral(L, "bloqueado");
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, g);
  fat_sandbox_freeze(L, g);

  /* strings share one metatable whose __index is the string library: hide
  ** it, and let method calls reach the frozen library's contents directly */
  lua_pushliteral(L, "");
  if (lua_getmetatable(L, -1)) { /* [G "" mt] */
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_getfield(L, g, "string");
    if (frozen_contents(L, -1)) {
      lua_setfield(L, -3, "__index");
    }
    lua_pop(L, 2);
  }
  lua_settop(L, g - 1);
}

/* }====================================================================== */
