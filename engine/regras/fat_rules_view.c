/* fat_rules_view.c: the guia as the checks see it when conferir hands over
** the struct (fat_gen_check_guia): a read-on-demand view instead of a fresh
** Lua table per guia.
**
** Building the whole table cost more than the nine checks of the peers'
** benchmark together: ~8 tables and ~60 fields per guia, most of them never
** read (operadora, prestador, each item's code, table, unit price, date...),
** plus the collector's work to free them. The view:
**   - walks the guia once in C (fat_guia_visit, the same walk that builds
**     its JSON form) into flat arrays: entries (key, kind, value) and
**     objects; no Lua value is made yet;
**   - shows each object through a pooled pair of Lua tables kept in the
**     operator's state and reused from guia to guia: P, the empty table the
**     script holds, whose protected metatable sends reads to R, a cache
**     whose own __index makes a field's Lua value the first time it is read
**     and keeps it there (later reads are plain table reads);
**   - before the next guia, clears what the last one cached, so nothing of a
**     guia is reachable from the next one (and a check cannot keep anything
**     anyway: see fat_sandbox_int.h).
** To the script the view is the table fat_rules_json_push would have built
** from the guia's JSON form: same keys, values and types. Everything that
** enumerates it (pairs, next, #, rawget, rawlen, the host reading a returned
** table) sees a full plain table built on demand in the JSON form's order,
** so pairs walks the same order. A write (the rules ask checks not to
** write; some may) turns that object's view into that full table for the
** rest of the guia, so later reads see the write, exactly as with a plain
** table. Only getmetatable/setmetatable tell the difference (the metatable
** is protected).
*/
#include "fat_rules_int.h"

#include <math.h>
#include <string.h>

#include <lauxlib.h>

#include "fat_model.h"

#define VIEW_DEPTH 8

/* One pooled view: P, R, M (P's metatable) live in the registry's pool
** table at 3k+1, 3k+2, 3k+3; this guia's full table (if made) at F[k+1]. */
typedef struct vslot {
  const char **names; /* keys R holds (set by the last guia that used the slot) */
  size_t n_names, cap_names;
  const char **fresh; /* keys set by the guia being filled */
  size_t n_fresh, cap_fresh;
  lua_Integer n_arr;  /* elements R holds (an array's) */
  int is_arr;         /* what the slot shows in this guia */
  int written;        /* P reads its full table (a write happened) */
} vslot;

struct fat_rules_view {
  fat_rules_op *op;
  lua_State *L;
  const fat_guia *g;   /* the guia of the call in progress */
  vslot *s;
  size_t n_s, cap_s;   /* slots made */
  size_t used;         /* slots used by this guia (in visit order) */
  size_t used_before;  /* by the last guia */
  int full;            /* the full tables of this guia were made */
  /* fill: the open objects */
  int pool;                    /* stack index of the pool */
  int depth;
  int st_slot[VIEW_DEPTH];
  int st_idx[VIEW_DEPTH];      /* stack index of its R */
  lua_Integer st_n[VIEW_DEPTH]; /* array elements set so far */
};

static const char pool_key = 0;

static int grow(void **v, size_t *cap, size_t need, size_t size)
{
  size_t nc;
  void *p;

  if (need <= *cap)
    return 1;
  nc = *cap ? *cap * 2 : 16;
  while (nc < need)
    nc *= 2;
  p = fat_realloc(*v, nc * size);
  if (p == NULL)
    return 0;
  *v = p;
  *cap = nc;
  return 1;
}

/* Push the pool table. */
static void push_pool(lua_State *L)
{
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &pool_key) != LUA_TTABLE)
    luaL_error(L, "visão da guia ausente");
}

/* {======================================================================
** Full tables (what enumeration sees), made on demand
** ======================================================================= */

/* The same walk, into fresh plain tables sized and filled in the JSON
** form's order (the table fat_rules_json_push would build), whose nested
** objects are the views (P) of this guia, stored at F[k+1]. */
typedef struct full_b {
  lua_State *L;
  int pool, f;
  int depth;
  size_t next_slot;
  int slot[VIEW_DEPTH];
  int arr[VIEW_DEPTH];
  lua_Integer n[VIEW_DEPTH];
} full_b;

static void fb_set(full_b *b, const char *name)
{
  int d = b->depth - 1;

  if (b->arr[d])
    lua_rawseti(b->L, -2, ++b->n[d]);
  else
    lua_setfield(b->L, -2, name); /* plain table: no metamethods */
}

static int fb_open(full_b *b, const char *name, int n, int arr)
{
  lua_State *L = b->L;
  int k = (int)b->next_slot++;

  if (b->depth >= VIEW_DEPTH)
    return luaL_error(L, "guia aninhada demais");
  luaL_checkstack(L, 4, "guia aninhada demais");
  if (b->depth > 0) { /* the parent holds the child's view */
    lua_rawgeti(L, b->pool, 3 * (lua_Integer)k + 1);
    fb_set(b, name);
  }
  if (arr)
    lua_createtable(L, n, 0);
  else
    lua_createtable(L, 0, n);
  b->slot[b->depth] = k;
  b->arr[b->depth] = arr;
  b->n[b->depth] = 0;
  b->depth++;
  return 1;
}

static int fb_obj(void *ud, const char *name, int n) { return fb_open(ud, name, n, 0); }

static int fb_arr(void *ud, const char *name, int n) { return fb_open(ud, name, n, 1); }

static int fb_end(void *ud)
{
  full_b *b = ud;

  b->depth--;
  lua_rawseti(b->L, b->f, b->slot[b->depth] + 1);
  return 1;
}

static int fb_str(void *ud, const char *name, const char *s)
{
  full_b *b = ud;

  lua_pushlstring(b->L, s, strlen(s));
  fb_set(b, name);
  return 1;
}

static void push_num(lua_State *L, double d)
{
  if (d >= -9007199254740992.0 && d <= 9007199254740992.0 && floor(d) == d)
    lua_pushinteger(L, (lua_Integer)d); /* as fat_rules_json_push */
  else
    lua_pushnumber(L, d);
}

static int fb_num(void *ud, const char *name, double d)
{
  full_b *b = ud;

  push_num(b->L, d);
  fb_set(b, name);
  return 1;
}

static int fb_bool(void *ud, const char *name, int v)
{
  full_b *b = ud;

  lua_pushboolean(b->L, v);
  fb_set(b, name);
  return 1;
}

/* Push slot k's full table, making this guia's full tables first. */
static void push_full(lua_State *L, fat_rules_view *v, int k)
{
  static const fat_guia_visitor fv = {fb_obj, fb_arr, fb_end, fb_str, fb_num, fb_bool};
  int top = lua_gettop(L);

  push_pool(L);
  lua_getfield(L, -1, "F");
  if (!v->full) {
    full_b b;

    memset(&b, 0, sizeof b);
    b.L = L;
    b.pool = top + 1;
    b.f = top + 2;
    (void)fat_guia_visit(v->g, &fv, &b);
    v->full = 1;
  }
  lua_rawgeti(L, -1, k + 1);
  lua_replace(L, top + 1);
  lua_settop(L, top + 1);
}

/* }====================================================================== */

/* {======================================================================
** P's metamethods (upvalues: op, slot)
** ======================================================================= */

static fat_rules_view *live_view(lua_State *L)
{
  fat_rules_op *op = lua_touserdata(L, lua_upvalueindex(1));

  if (op->run == NULL || op->view == NULL || op->view->g == NULL)
    luaL_error(L, "guia fora de uma conferência");
  return op->view;
}

/* The completion function of a view (fat_sandbox_view_key). */
static int p_complete(lua_State *L)
{
  push_full(L, live_view(L), (int)lua_tointeger(L, lua_upvalueindex(2)));
  return 1;
}

/* __newindex: from now on, in this guia, P reads and writes its full table. */
static int p_newindex(lua_State *L)
{
  fat_rules_view *v = live_view(L);
  int k = (int)lua_tointeger(L, lua_upvalueindex(2));

  lua_settop(L, 3);
  push_full(L, v, k); /* 4 */
  if (!v->s[k].written) {
    lua_getmetatable(L, 1);
    lua_pushvalue(L, 4);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
    v->s[k].written = 1;
  }
  lua_pushvalue(L, 2);
  lua_pushvalue(L, 3);
  lua_rawset(L, 4);
  return 0;
}

static int p_len(lua_State *L)
{
  fat_rules_view *v = live_view(L);
  int k = (int)lua_tointeger(L, lua_upvalueindex(2));

  if (v->full || !v->s[k].is_arr) {
    push_full(L, v, k);
    lua_pushinteger(L, (lua_Integer)lua_rawlen(L, -1));
  } else {
    lua_pushinteger(L, v->s[k].n_arr);
  }
  return 1;
}

static int p_pairs(lua_State *L)
{
  lua_pushcfunction(L, fat_sandbox_next);
  lua_pushvalue(L, 1);
  lua_pushnil(L);
  return 3;
}

/* A new pooled view at the pool's slot k (pool at index pool). */
static void slot_make(lua_State *L, fat_rules_op *op, int pool, int k)
{
  int p, r, m;

  lua_newtable(L); /* P: stays empty */
  p = lua_gettop(L);
  lua_newtable(L); /* R: the guia's values */
  r = lua_gettop(L);
  lua_createtable(L, 0, 6); /* M */
  m = lua_gettop(L);
  lua_pushvalue(L, r);
  lua_setfield(L, m, "__index");
  lua_pushlightuserdata(L, op);
  lua_pushinteger(L, k);
  lua_pushcclosure(L, p_newindex, 2);
  lua_setfield(L, m, "__newindex");
  lua_pushlightuserdata(L, op);
  lua_pushinteger(L, k);
  lua_pushcclosure(L, p_len, 2);
  lua_setfield(L, m, "__len");
  lua_pushcfunction(L, p_pairs);
  lua_setfield(L, m, "__pairs");
  lua_pushboolean(L, 0);
  lua_setfield(L, m, "__metatable");
  lua_pushlightuserdata(L, op);
  lua_pushinteger(L, k);
  lua_pushcclosure(L, p_complete, 2);
  lua_rawsetp(L, m, fat_sandbox_view_key());
  lua_pushvalue(L, m);
  lua_setmetatable(L, p);
  lua_pushvalue(L, p);
  lua_rawseti(L, pool, 3 * (lua_Integer)k + 1);
  lua_pushvalue(L, r);
  lua_rawseti(L, pool, 3 * (lua_Integer)k + 2);
  lua_pushvalue(L, m);
  lua_rawseti(L, pool, 3 * (lua_Integer)k + 3);
  lua_settop(L, p - 1);
}

/* }====================================================================== */

/* {======================================================================
** Filling the pooled tables with a guia
** ======================================================================= */

/* The value on top goes into the innermost open R under name. */
static int fill_set(fat_rules_view *v, const char *name)
{
  lua_State *L = v->L;
  int d = v->depth - 1;
  vslot *s = &v->s[v->st_slot[d]];

  if (s->is_arr) {
    lua_rawseti(L, v->st_idx[d], ++v->st_n[d]);
    return 1;
  }
  /* R has no metatable: a raw set, on a key R already holds when the
  ** last guia had the field too (no new node) */
  lua_setfield(L, v->st_idx[d], name);
  if (!grow((void **)&s->fresh, &s->cap_fresh, s->n_fresh + 1, sizeof *s->fresh))
    fat_rules_run_oom(L, v->op);
  s->fresh[s->n_fresh++] = name;
  return 1;
}

static int fill_open(fat_rules_view *v, const char *name, int n, int arr)
{
  lua_State *L = v->L;
  int k = (int)v->used;
  vslot *s;

  (void)n;
  if (v->depth >= VIEW_DEPTH)
    return luaL_error(L, "guia aninhada demais");
  luaL_checkstack(L, 4, "guia aninhada demais");
  if (v->used == v->n_s) {
    if (!grow((void **)&v->s, &v->cap_s, v->n_s + 1, sizeof *v->s))
      fat_rules_run_oom(L, v->op);
    memset(&v->s[v->n_s], 0, sizeof v->s[0]);
    slot_make(L, v->op, v->pool, k);
    v->n_s++;
  }
  v->used++;
  if (v->depth > 0) { /* the parent holds the child's view */
    lua_rawgeti(L, v->pool, 3 * (lua_Integer)k + 1);
    fill_set(v, name);
  }
  s = &v->s[k];
  s->is_arr = arr;
  s->n_fresh = 0;
  lua_rawgeti(L, v->pool, 3 * (lua_Integer)k + 2);
  v->st_slot[v->depth] = k;
  v->st_idx[v->depth] = lua_gettop(L);
  v->st_n[v->depth] = 0;
  v->depth++;
  return 1;
}

static int fill_obj(void *ud, const char *name, int n) { return fill_open(ud, name, n, 0); }

static int fill_arr(void *ud, const char *name, int n) { return fill_open(ud, name, n, 1); }

/* Close the innermost R: drop what it held from an earlier guia and this
** guia did not set (a field this guia lacks, elements past its items). */
static int fill_end(void *ud)
{
  fat_rules_view *v = ud;
  lua_State *L = v->L;
  int d = v->depth - 1, r = v->st_idx[d];
  vslot *s = &v->s[v->st_slot[d]];
  lua_Integer i, n = s->is_arr ? v->st_n[d] : 0;
  size_t j, m;
  const char **t;
  size_t tc;

  for (i = n + 1; i <= s->n_arr; i++) {
    lua_pushnil(L);
    lua_rawseti(L, r, i);
  }
  s->n_arr = n;
  if (s->n_names != s->n_fresh ||
      (s->n_names > 0 && memcmp(s->names, s->fresh, s->n_names * sizeof *s->names) != 0)) {
    for (j = 0; j < s->n_names; j++) {
      for (m = 0; m < s->n_fresh && s->fresh[m] != s->names[j]; m++)
        ;
      if (m == s->n_fresh) {
        lua_pushnil(L);
        lua_setfield(L, r, s->names[j]);
      }
    }
  }
  t = s->names; /* fresh becomes what R holds */
  tc = s->cap_names;
  s->names = s->fresh;
  s->cap_names = s->cap_fresh;
  s->n_names = s->n_fresh;
  s->fresh = t;
  s->cap_fresh = tc;
  s->n_fresh = 0;
  lua_settop(L, r - 1);
  v->depth--;
  return 1;
}

static int fill_str(void *ud, const char *name, const char *s)
{
  fat_rules_view *v = ud;

  /* lua_pushstring looks s up in Lua's cache by address first, and a
  ** struct's strings are new addresses: a strcmp per entry for nothing */
  lua_pushlstring(v->L, s, strlen(s));
  return fill_set(v, name);
}

static int fill_num(void *ud, const char *name, double d)
{
  fat_rules_view *v = ud;

  push_num(v->L, d);
  return fill_set(v, name);
}

static int fill_bool(void *ud, const char *name, int b)
{
  fat_rules_view *v = ud;

  lua_pushboolean(v->L, b);
  return fill_set(v, name);
}

void fat_rules_view_push(lua_State *L, fat_rules_op *op, const fat_guia *g)
{
  static const fat_guia_visitor fv = {fill_obj, fill_arr, fill_end, fill_str, fill_num,
                                      fill_bool};
  fat_rules_view *v = op->view;
  size_t k;

  if (v == NULL) {
    v = fat_calloc(1, sizeof *v);
    if (v == NULL)
      fat_rules_run_oom(L, op);
    op->view = v;
    v->op = op;
  }
  v->L = L;
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &pool_key) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_newtable(L);
    lua_setfield(L, -2, "F");
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &pool_key);
  }
  v->pool = lua_gettop(L);
  /* undo what the last guia did beyond filling: written views, full tables */
  for (k = 0; k < v->used; k++) {
    if (v->s[k].written) {
      lua_rawgeti(L, v->pool, 3 * (lua_Integer)k + 3);
      lua_rawgeti(L, v->pool, 3 * (lua_Integer)k + 2);
      lua_setfield(L, -2, "__index");
      lua_pop(L, 1);
      v->s[k].written = 0;
    }
  }
  if (v->full) {
    lua_newtable(L);
    lua_setfield(L, v->pool, "F");
    v->full = 0;
  }
  v->g = g;
  v->used = 0;
  v->depth = 0;
  (void)fat_guia_visit(g, &fv, v);
  if (v->used == 0)
    fat_rules_run_oom(L, op);
  lua_rawgeti(L, v->pool, 1); /* the root's P */
  lua_remove(L, v->pool);
}

void fat_rules_view_end(fat_rules_view *v)
{
  if (v != NULL)
    v->g = NULL;
}

void fat_rules_view_free(fat_rules_view *v)
{
  size_t k;

  if (v == NULL)
    return;
  for (k = 0; k < v->n_s; k++) {
    fat_free(v->s[k].names);
    fat_free(v->s[k].fresh);
  }
  fat_free(v->s);
  fat_free(v);
}

/* }====================================================================== */
