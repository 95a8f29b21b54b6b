/* fat_rules_view.c: the guia as the checks see it when conferir hands over
** the struct (fat_gen_check_guia): a read-on-demand view instead of a fresh
** Lua table per guia.
**
** Building the whole table cost more than the nine checks of the peers'
** benchmark together: ~8 tables and ~60 fields per guia, most of them never
** read (operadora, prestador, each item's code, table, unit price, date...),
** plus the collector's work to free them. The view:
**   - shows each object through a pooled pair of Lua tables kept in the
**     operator's state and reused from guia to guia: P, the empty table the
**     script holds, whose protected metatable sends reads to R;
**   - walks the guia once in C (fat_guia_visit, the same walk that builds
**     its JSON form) recording each object's entries (key, value) in C; no
**     Lua value is made then;
**   - makes a field's Lua value in R the first time a check reads it (R's
**     own __index, r_index) and from then on keeps that field up to date in
**     R guia after guia, storing only when its value differs from the last
**     guia's (the checks read the same few fields of every guia; a field no
**     check reads never becomes a Lua string);
**   - drops from R what the last guia had and this one lacks, so nothing of
**     a guia is reachable from the next one (and a check cannot keep
**     anything anyway: see fat_sandbox_int.h).
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
#include <stddef.h>
#include <string.h>

#include <lauxlib.h>

#include "fat_model.h"
#include "fat_money.h"

#define VIEW_DEPTH 8

/* What the guia set in one pooled R, entry by entry in visit order (the
** key, NULL for an array element, and the value), updated in place guia
** after guia so that the fill stores in R only what differs: most of a
** guia's fields (operadora, prestador, dates, item kinds, quantities...)
** repeat from one guia to the next, and storing a field costs a Lua string
** (hash, intern) plus a table store. */
enum { E_STR, E_NUM, E_BOOL, E_FIX, E_OBJ };

#define ENT_INLINE 24 /* text up to this size (with its NUL) kept in the entry */

typedef struct ventry {
  const char *name; /* the visitor's key (static text: compared by address) */
  int kind;         /* E_* */
  int dec;          /* E_FIX: decimals */
  size_t len;       /* E_STR: bytes (not kept while the text is not owned: fill_quick) */
  union {
    double d;       /* E_NUM */
    int b;          /* E_BOOL */
    int64_t i;      /* E_FIX: the value times 10^dec */
    int k;          /* E_OBJ: the slot whose P is the value */
  } u;
  const char *ext;  /* E_STR not owned: the guia's own text (alive for its call) */
  int owned;        /* E_STR: in/heap hold the text */
  int cached;       /* an object's field R holds (a check read it); then owned */
  char *heap;       /* E_STR longer than the inline room (kept for reuse) */
  size_t cap;
  char in[ENT_INLINE];
} ventry;

/* One pooled view: P, R, M (P's metatable), L (R's metatable, an object's)
** live in the registry's pool table at 4k+1 .. 4k+4; this guia's full table
** (if made) at F[k+1]. */
typedef struct vslot {
  ventry *e;          /* the entries of the guia shown (in place) */
  size_t n, cap;      /* entries of the guia shown; made */
  size_t n_was;       /* entries before this guia's fill */
  int renamed;        /* this guia's fill changed a key or the count */
  lua_Integer n_arr;  /* elements R holds (an array's) */
  int is_arr;         /* what the slot shows in this guia */
  int held_arr;       /* what it showed in the last guia that used it */
  int r_lazy;         /* R has L as its metatable (it shows an object) */
  const char **cached; /* keys of an object's R that hold a value */
  size_t n_cached, cap_cached;
  int written;        /* P reads its full table (a write happened) */
} vslot;

struct fat_rules_view {
  fat_rules_op *op;
  lua_State *L;
  const fat_guia *g;   /* the guia of the call in progress */
  vslot *s;
  size_t n_s, cap_s;   /* slots made */
  size_t used;         /* slots used by this guia (in visit order) */
  int full;            /* the full tables of this guia were made */
  int filling;         /* a fill started and has not finished (an error cut it) */
  /* fill: the open objects */
  int pool;                    /* stack index of the pool */
  int depth;
  int st_slot[VIEW_DEPTH];
  int st_idx[VIEW_DEPTH];      /* stack index of its R, 0 until a store needs it */
  int st_top[VIEW_DEPTH];      /* the stack's top when it was opened */
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
    lua_rawgeti(L, b->pool, 4 * (lua_Integer)k + 1);
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
  static const fat_guia_visitor fv = {fb_obj, fb_arr, fb_end, fb_str, fb_num, fb_bool, NULL, 0};
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

static const char *ent_txt(const ventry *e)
{
  return !e->owned ? e->ext : e->len < ENT_INLINE ? e->in : e->heap;
}

/* Copy the text of string entry h (len bytes at txt) into h itself; 0 on OOM. */
static int ent_own(ventry *h, const char *txt)
{
  char *dst;

  if (h->len >= ENT_INLINE && h->len >= h->cap) {
    char *t = fat_realloc(h->heap, h->len + 1);

    if (t == NULL)
      return 0;
    h->heap = t;
    h->cap = h->len + 1;
  }
  dst = h->len < ENT_INLINE ? h->in : h->heap;
  memmove(dst, txt, h->len);
  dst[h->len] = '\0';
  h->owned = 1;
  return 1;
}

/* Push the Lua value of entry e (a nested object's: its view P). */
static void push_entry(lua_State *L, const ventry *e)
{
  char buf[48];

  switch (e->kind) {
  case E_STR: lua_pushlstring(L, ent_txt(e), e->len); break;
  case E_NUM: push_num(L, e->u.d); break;
  case E_BOOL: lua_pushboolean(L, e->u.b); break;
  case E_FIX:
    fat_money_format_fixed(e->u.i, e->dec, '.', buf, sizeof buf);
    lua_pushlstring(L, buf, strlen(buf)); /* not by address: see fill_str */
    break;
  default:
    push_pool(L);
    lua_rawgeti(L, -1, 4 * (lua_Integer)e->u.k + 1);
    lua_remove(L, -2);
    break;
  }
}

static int cached_find(const vslot *s, const char *name)
{
  size_t i;

  for (i = 0; i < s->n_cached; i++)
    if (s->cached[i] == name)
      return 1;
  return 0;
}

/* R's __index (R, key) while it shows an object: the field's Lua value is
** made the first time a check reads it, from what the fill recorded, and
** kept in R; from then on the fill keeps it up to date from guia to guia
** (the checks read the same fields of every guia), and the fields no check
** reads never become Lua values. nil for a key the guia does not have. */
static int r_index(lua_State *L)
{
  fat_rules_view *v = live_view(L);
  int k = (int)lua_tointeger(L, lua_upvalueindex(2));
  const vslot *s;
  ventry *e = NULL;
  const char *key;
  size_t i;

  if ((size_t)k >= v->used || lua_type(L, 2) != LUA_TSTRING) {
    lua_pushnil(L);
    return 1;
  }
  s = &v->s[k];
  key = lua_tostring(L, 2);
  for (i = 0; i < s->n && e == NULL; i++)
    if (s->e[i].name != NULL && strcmp(s->e[i].name, key) == 0)
      e = &s->e[i];
  if (e == NULL || s->is_arr) {
    lua_pushnil(L);
    return 1;
  }
  if (!grow((void **)&v->s[k].cached, &v->s[k].cap_cached, s->n_cached + 1,
            sizeof *s->cached))
    fat_rules_run_oom(L, v->op);
  /* from now on the fill compares this field with the value R holds; the
  ** length of a text the fill only pointed at is not kept (fill_quick) */
  if (e->kind == E_STR && !e->owned) {
    e->len = strlen(e->ext);
    if (!ent_own(e, e->ext))
      fat_rules_run_oom(L, v->op);
  }
  push_entry(L, e);
  lua_pushvalue(L, -1);
  lua_setfield(L, 1, e->name); /* R has no __newindex: a raw store */
  v->s[k].cached[v->s[k].n_cached++] = e->name;
  e->cached = 1;
  return 1;
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
  lua_createtable(L, 0, 1); /* L: R's metatable while it shows an object */
  lua_pushlightuserdata(L, op);
  lua_pushinteger(L, k);
  lua_pushcclosure(L, r_index, 2);
  lua_setfield(L, -2, "__index");
  lua_rawseti(L, pool, 4 * (lua_Integer)k + 4);
  lua_pushvalue(L, p);
  lua_rawseti(L, pool, 4 * (lua_Integer)k + 1);
  lua_pushvalue(L, r);
  lua_rawseti(L, pool, 4 * (lua_Integer)k + 2);
  lua_pushvalue(L, m);
  lua_rawseti(L, pool, 4 * (lua_Integer)k + 3);
  lua_settop(L, p - 1);
}

/* }====================================================================== */

/* {======================================================================
** Filling the pooled tables with a guia
** ======================================================================= */

/* Stack index of the innermost open R (d), pushed when first needed: a
** slot whose entries all repeat the last guia's is never touched. */
static int r_of(fat_rules_view *v, int d)
{
  if (v->st_idx[d] == 0) {
    lua_rawgeti(v->L, v->pool, 4 * (lua_Integer)v->st_slot[d] + 2);
    v->st_idx[d] = lua_gettop(v->L);
  }
  return v->st_idx[d];
}

/* Entry j of slot s, made (zeroed) when it is the first past those made. */
static ventry *slot_entry(fat_rules_view *v, vslot *s, size_t j)
{
  if (j == s->cap) {
    size_t old = s->cap;

    if (!grow((void **)&s->e, &s->cap, j + 1, sizeof *s->e))
      fat_rules_run_oom(v->L, v->op);
    memset(s->e + old, 0, (s->cap - old) * sizeof *s->e);
  }
  return &s->e[j];
}

/* Set the next entry of the innermost open slot to e (txt: E_STR's bytes)
** in place. Returns the stack index of R when the value must be stored now
** (the caller pushes it and calls fill_store): an array's element, or an
** object's field a check has read (cached), whose value differs from the
** last guia's at the same place; 0 otherwise (R holds it, or an unread
** field waits for r_index). An unread field's text is not copied nor
** compared: the entry points at the guia's own text (txt lives as long as
** the guia's call) until r_index reads it. */
static int fill_entry(fat_rules_view *v, const ventry *e, const char *txt)
{
  int d = v->depth - 1;
  vslot *s = &v->s[v->st_slot[d]];
  size_t j = (size_t)v->st_n[d]++;
  ventry *h;
  int keep, stored;

  h = slot_entry(v, s, j);
  /* the same key at the same place as in the last guia */
  keep = j < s->n_was && h->name == e->name && h->kind == e->kind;
  /* does R hold this entry's value (an array's element, a field read)? */
  stored = s->is_arr || (keep ? h->cached : cached_find(s, e->name));
  if (keep && stored) {
    int same;

    switch (e->kind) {
    case E_STR: same = h->len == e->len && memcmp(ent_txt(h), txt, e->len) == 0; break;
    case E_NUM: same = memcmp(&h->u.d, &e->u.d, sizeof e->u.d) == 0; break;
    case E_BOOL: same = h->u.b == e->u.b; break;
    case E_FIX: same = h->u.i == e->u.i && h->dec == e->dec; break;
    default: same = h->u.k == e->u.k; break;
    }
    if (same)
      return 0;
  }
  if (!keep)
    s->renamed = 1;
  h->name = e->name;
  h->kind = e->kind;
  h->dec = e->dec;
  h->u = e->u;
  h->len = e->len;
  h->cached = !s->is_arr && stored;
  h->owned = 0;
  if (e->kind == E_STR) {
    h->ext = txt;
    if (stored && !ent_own(h, txt))
      fat_rules_run_oom(v->L, v->op);
  }
  if (!stored)
    return 0;
  return r_of(v, d);
}

/* fill_quick's other way: the key differs from the last guia's at this
** place (a field this guia lacks or adds before it; the first guia). */
static ventry *fill_renamed(fat_rules_view *v, vslot *s, int d, size_t j, const char *name,
                            int kind)
{
  ventry *h;

  if (s->is_arr || cached_find(s, name))
    return NULL;
  h = slot_entry(v, s, j);
  s->renamed = 1;
  h->name = name;
  h->kind = kind;
  h->cached = 0;
  h->owned = 0;
  v->st_n[d]++;
  return h;
}

/* The next entry of the innermost open slot, when it is a field of an
** object that no check has read (R does not hold it): the caller records
** only the new value in it (nothing to compare, nothing to store in R). A
** key other than the last guia's at that place (a field this guia lacks or
** adds before it) is recorded as fill_entry would. NULL otherwise (an
** array's element, a field R holds): fill_entry does the whole work. Most
** of a guia's ~100 entries take this way. */
static inline ventry *fill_quick(fat_rules_view *v, const char *name, int kind)
{
  int d = v->depth - 1;
  vslot *s = &v->s[v->st_slot[d]];
  size_t j = (size_t)v->st_n[d];
  ventry *h;

  if (j < s->n_was && !s->is_arr) {
    h = &s->e[j];
    if (h->name == name && h->kind == kind && !h->cached) {
      h->owned = 0;
      v->st_n[d]++;
      return h;
    }
  }
  return fill_renamed(v, s, d, j, name, kind);
}

/* Store the value on top into R (at r) as the innermost slot's last
** recorded entry. R has no metatable: raw stores. */
static void fill_store(fat_rules_view *v, int r, const char *name)
{
  int d = v->depth - 1;

  if (v->s[v->st_slot[d]].is_arr)
    lua_rawseti(v->L, r, v->st_n[d]);
  else
    lua_setfield(v->L, r, name);
}

static int fill_open(fat_rules_view *v, const char *name, int n, int arr)
{
  lua_State *L = v->L;
  int k = (int)v->used;
  vslot *s;
  ventry *q;

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
  if (v->depth > 0 && (q = fill_quick(v, name, E_OBJ)) != NULL) {
    q->u.k = k;
  } else if (v->depth > 0) { /* the parent holds the child's view */
    ventry e;
    int r;

    memset(&e, 0, offsetof(ventry, heap));
    e.name = name;
    e.kind = E_OBJ;
    e.u.k = k;
    r = fill_entry(v, &e, NULL);
    if (r != 0) {
      lua_rawgeti(L, v->pool, 4 * (lua_Integer)k + 1);
      fill_store(v, r, name);
    }
  }
  s = &v->s[k];
  s->is_arr = arr;
  if (s->r_lazy != !arr) { /* an object's R reads unread fields through L */
    lua_rawgeti(L, v->pool, 4 * (lua_Integer)k + 2);
    if (arr)
      lua_pushnil(L);
    else
      lua_rawgeti(L, v->pool, 4 * (lua_Integer)k + 4);
    lua_setmetatable(L, -2);
    lua_pop(L, 1);
    s->r_lazy = !arr;
  }
  /* a slot that showed the other kind: no entry of it is held */
  s->n_was = s->held_arr == arr ? s->n : 0;
  s->renamed = s->held_arr != arr;
  v->st_slot[v->depth] = k;
  v->st_idx[v->depth] = 0;
  v->st_top[v->depth] = lua_gettop(L);
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
  int d = v->depth - 1;
  vslot *s = &v->s[v->st_slot[d]];
  size_t n = (size_t)v->st_n[d], j, m;
  lua_Integer i;

  if (s->is_arr) {
    for (i = (lua_Integer)n + 1; i <= s->n_arr; i++) {
      int r = r_of(v, d); /* before the nil: it may push R */

      lua_pushnil(L);
      lua_rawseti(L, r, i);
    }
    s->n_arr = (lua_Integer)n;
  } else if (s->n_arr > 0) { /* it showed an array before */
    for (i = 1; i <= s->n_arr; i++) {
      int r = r_of(v, d);

      lua_pushnil(L);
      lua_rawseti(L, r, i);
    }
    s->n_arr = 0;
  }
  /* an object's fields R holds (read by a check) that this guia lacks */
  if (s->renamed || n != s->n_was) {
    for (j = 0; j < s->n_cached;) {
      for (m = 0; !s->is_arr && m < n && s->e[m].name != s->cached[j]; m++)
        ;
      if (s->is_arr || m == n) {
        int r = r_of(v, d); /* before the nil: it may push R */

        lua_pushnil(L);
        lua_setfield(L, r, s->cached[j]);
        s->cached[j] = s->cached[--s->n_cached];
      } else {
        j++;
      }
    }
  }
  s->n = n;
  s->held_arr = s->is_arr;
  lua_settop(L, v->st_top[d]);
  v->depth--;
  return 1;
}

static int fill_str(void *ud, const char *name, const char *s)
{
  fat_rules_view *v = ud;
  ventry *q = fill_quick(v, name, E_STR);
  ventry e;
  int r;

  if (q != NULL) { /* its length waits for r_index too */
    q->ext = s;
    return 1;
  }
  memset(&e, 0, offsetof(ventry, heap));
  e.name = name;
  e.kind = E_STR;
  e.len = strlen(s);
  r = fill_entry(v, &e, s);
  if (r != 0) {
    /* lua_pushstring looks s up in Lua's cache by address first, and a
    ** struct's strings are new addresses: a strcmp per entry for nothing */
    lua_pushlstring(v->L, s, e.len);
    fill_store(v, r, name);
  }
  return 1;
}

static int fill_num(void *ud, const char *name, double d)
{
  fat_rules_view *v = ud;
  ventry *q = fill_quick(v, name, E_NUM);
  ventry e;
  int r;

  if (q != NULL) {
    q->u.d = d;
    return 1;
  }
  memset(&e, 0, offsetof(ventry, heap));
  e.name = name;
  e.kind = E_NUM;
  e.u.d = d;
  r = fill_entry(v, &e, NULL);
  if (r != 0) {
    push_num(v->L, d);
    fill_store(v, r, name);
  }
  return 1;
}

static int fill_bool(void *ud, const char *name, int b)
{
  fat_rules_view *v = ud;
  ventry *q = fill_quick(v, name, E_BOOL);
  ventry e;
  int r;

  if (q != NULL) {
    q->u.b = b;
    return 1;
  }
  memset(&e, 0, offsetof(ventry, heap));
  e.name = name;
  e.kind = E_BOOL;
  e.u.b = b;
  r = fill_entry(v, &e, NULL);
  if (r != 0) {
    lua_pushboolean(v->L, b);
    fill_store(v, r, name);
  }
  return 1;
}

static int fill_fixed(void *ud, const char *name, int64_t x, int dec)
{
  fat_rules_view *v = ud;
  ventry *q = fill_quick(v, name, E_FIX);
  ventry e;
  int r;

  if (q != NULL) {
    q->u.i = x;
    q->dec = dec;
    return 1;
  }
  memset(&e, 0, offsetof(ventry, heap));
  e.name = name;
  e.kind = E_FIX;
  e.dec = dec;
  e.u.i = x;
  r = fill_entry(v, &e, NULL);
  if (r != 0) {
    push_entry(v->L, &e);
    fill_store(v, r, name);
  }
  return 1;
}

static void slot_free(vslot *s)
{
  size_t i;

  for (i = 0; i < s->cap; i++)
    fat_free(s->e[i].heap);
  fat_free(s->e);
  fat_free(s->cached);
  memset(s, 0, sizeof *s);
}

/* Forget every pooled view (their tables become garbage): after a fill an
** error cut short (R no longer matches what the slots say it holds) or in a
** state that has no pool. */
static void view_reset(lua_State *L, fat_rules_view *v)
{
  size_t k;

  for (k = 0; k < v->n_s; k++) {
    slot_free(&v->s[k]);
  }
  v->n_s = 0;
  v->used = 0;
  v->full = 0;
  v->filling = 0;
  lua_pushnil(L);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &pool_key);
}

void fat_rules_view_push(lua_State *L, fat_rules_op *op, const fat_guia *g)
{
  static const fat_guia_visitor fv = {fill_obj, fill_arr, fill_end, fill_str,
                                      fill_num, fill_bool, fill_fixed, 1};
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
  if (v->filling)
    view_reset(L, v);
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &pool_key) != LUA_TTABLE) {
    lua_pop(L, 1);
    if (v->n_s > 0)
      view_reset(L, v);
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
      lua_rawgeti(L, v->pool, 4 * (lua_Integer)k + 3);
      lua_rawgeti(L, v->pool, 4 * (lua_Integer)k + 2);
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
  v->filling = 1;
  (void)fat_guia_visit(g, &fv, v);
  v->filling = 0;
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
    slot_free(&v->s[k]);
  }
  fat_free(v->s);
  fat_free(v);
}

/* }====================================================================== */
