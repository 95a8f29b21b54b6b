/* fat_sandbox_scan.c: refuse functions that keep state between guias.
**
** Frozen tables stop a check from changing shared tables, but a function can
** still assign to a local declared outside it (an upvalue: `local n = 0;
** checks = { x = function() n = n + 1 end }`), and then the result of a guia
** would depend on the guias checked before it. Stock Lua has no way to make
** an upvalue read-only, so the functions a check can reach are inspected
** when the generation is built: lua_dump gives each function's bytecode, and
** an OP_SETUPVAL on an upvalue that outlives the call is refused with the
** file, line and variable name. Upvalues of nested functions that are
** locals of an enclosing call (per-call state) are allowed.
**
** The dump format read here is Lua 5.4's (ldump.c); the header is checked
** and anything unexpected is an error, never a silent pass.
*/
#include "fat_sandbox_int.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>

#define SCAN_OP_MASK 0x7Fu
#define SCAN_OP_SETUPVAL 10u /* lopcodes.h of Lua 5.4 */
#define SCAN_MAXUP 256
#define SCAN_MAXDEPTH 200

typedef struct scan_rd {
  lua_State *L;
  const unsigned char *p, *end;
} scan_rd;

typedef struct scan_hit {
  int hit;
  int line;        /* of the assignment */
  int fn_line;     /* where the function is defined */
  char var[64];
  char src[128];
} scan_hit;

static void rd_fail(scan_rd *r)
{
  luaL_error(r->L, "formato inesperado ao analisar as funções do script (Lua 5.4 esperado)");
}

static const unsigned char *rd_take(scan_rd *r, size_t n)
{
  const unsigned char *q = r->p;

  if ((size_t)(r->end - r->p) < n)
    rd_fail(r);
  r->p += n;
  return q;
}

static int rd_byte(scan_rd *r) { return *rd_take(r, 1); }

/* Variable-length size: 7 bits per byte, most significant first, the last
** byte marked with 0x80. */
static size_t rd_size(scan_rd *r)
{
  size_t x = 0;
  int b;

  do {
    b = rd_byte(r);
    if (x > ((size_t)-1 >> 7))
      rd_fail(r);
    x = (x << 7) | (size_t)(b & 0x7f);
  } while ((b & 0x80) == 0);
  return x;
}

/* A dumped string: NULL when absent. */
static const unsigned char *rd_str(scan_rd *r, size_t *len)
{
  size_t n = rd_size(r);

  *len = 0;
  if (n == 0)
    return NULL;
  *len = n - 1;
  return rd_take(r, n - 1);
}

static void rd_header(scan_rd *r)
{
  static const unsigned char sig[] = {0x1b, 'L', 'u', 'a', 0x54, 0x00,
                                      0x19, 0x93, '\r', '\n', 0x1a, '\n'};
  const unsigned char *h = rd_take(r, sizeof sig);

  if (memcmp(h, sig, sizeof sig) != 0)
    rd_fail(r);
  h = rd_take(r, 3);
  if (h[0] != 4 || h[1] != sizeof(lua_Integer) || h[2] != sizeof(lua_Number))
    rd_fail(r);
  rd_take(r, sizeof(lua_Integer) + sizeof(lua_Number)); /* check values */
  rd_byte(r);                                           /* main's upvalue count */
}

/* Line of instruction pc from the dumped line info. */
static int scan_line(scan_rd *r, int linedefined, const unsigned char *lineinfo, size_t nline,
                     const unsigned char *abs, size_t nabs, size_t pc)
{
  scan_rd a;
  long line = linedefined, base = -1;
  size_t k;

  if (nline == 0)
    return linedefined;
  a.L = r->L;
  a.p = abs;
  a.end = r->end;
  for (k = 0; k < nabs; k++) {
    size_t apc = rd_size(&a), aline = rd_size(&a);

    if (apc <= pc) {
      base = (long)apc;
      line = (long)aline;
    }
  }
  for (k = (size_t)(base + 1); k <= pc && k < nline; k++)
    line += (signed char)lineinfo[k];
  return (int)line;
}

/* One function prototype (and its nested ones). parent marks which of the
** enclosing function's upvalues outlive a call (NULL: this is the closure
** itself, all of whose upvalues do). */
static void scan_proto(scan_rd *r, const unsigned char *parent, int depth,
                       const unsigned char *src, size_t srclen, scan_hit *h)
{
  unsigned char instack[SCAN_MAXUP], idx[SCAN_MAXUP], keep[SCAN_MAXUP];
  const unsigned char *code, *lineinfo, *abs, *s;
  size_t ncode, n, i, nup, nline, nabs, sl, bad_pc = 0;
  int linedefined, bad_up = -1;

  if (depth > SCAN_MAXDEPTH)
    rd_fail(r);
  s = rd_str(r, &sl);
  if (s != NULL) {
    src = s;
    srclen = sl;
  }
  linedefined = (int)rd_size(r);
  (void)rd_size(r); /* lastlinedefined */
  rd_take(r, 3);    /* numparams, is_vararg, maxstacksize */
  ncode = rd_size(r);
  if (ncode > (size_t)(r->end - r->p) / 4)
    rd_fail(r);
  code = rd_take(r, ncode * 4);
  n = rd_size(r); /* constants */
  for (i = 0; i < n; i++) {
    switch (rd_byte(r)) {
    case 0x00: case 0x01: case 0x11: break;                /* nil, false, true */
    case 0x03: case 0x13: rd_take(r, 8); break;            /* integer, float */
    case 0x04: case 0x14: (void)rd_str(r, &sl); break;     /* strings */
    default: rd_fail(r);
    }
  }
  nup = rd_size(r);
  if (nup > SCAN_MAXUP)
    rd_fail(r);
  memset(keep, 0, sizeof keep);
  for (i = 0; i < nup; i++) {
    instack[i] = (unsigned char)rd_byte(r);
    idx[i] = (unsigned char)rd_byte(r);
    rd_byte(r); /* kind */
    keep[i] = parent == NULL ? 1 : (unsigned char)(instack[i] == 0 && parent[idx[i]] != 0);
  }
  for (i = 0; i < ncode && bad_up < 0; i++) {
    uint32_t ins;
    unsigned b;

    memcpy(&ins, code + 4 * i, sizeof ins);
    b = (unsigned)(ins >> 16) & 0xFFu;
    if ((ins & SCAN_OP_MASK) == SCAN_OP_SETUPVAL && b < nup && keep[b]) {
      bad_pc = i;
      bad_up = (int)b;
    }
  }
  n = rd_size(r); /* nested functions */
  for (i = 0; i < n; i++)
    scan_proto(r, keep, depth + 1, src, srclen, h);
  nline = rd_size(r);
  lineinfo = rd_take(r, nline);
  nabs = rd_size(r);
  abs = r->p;
  for (i = 0; i < nabs; i++) {
    (void)rd_size(r);
    (void)rd_size(r);
  }
  n = rd_size(r); /* locals */
  for (i = 0; i < n; i++) {
    (void)rd_str(r, &sl);
    (void)rd_size(r);
    (void)rd_size(r);
  }
  n = rd_size(r); /* upvalue names */
  for (i = 0; i < n; i++) {
    const unsigned char *name = rd_str(r, &sl);

    if ((int)i == bad_up && !h->hit && name != NULL)
      snprintf(h->var, sizeof h->var, "%.*s", (int)sl, (const char *)name);
  }
  if (bad_up >= 0 && !h->hit) {
    h->hit = 1;
    h->fn_line = linedefined;
    h->line = scan_line(r, linedefined, lineinfo, nline, abs, nabs, bad_pc);
    if (h->var[0] == '\0')
      snprintf(h->var, sizeof h->var, "?");
    if (src != NULL && srclen > 0 && (src[0] == '@' || src[0] == '='))
      snprintf(h->src, sizeof h->src, "%.*s", (int)srclen - 1, (const char *)src + 1);
    else
      snprintf(h->src, sizeof h->src, "%.*s", (int)srclen, src != NULL ? (const char *)src : "");
  }
}

typedef struct scan_dump {
  luaL_Buffer b;
  int init;
} scan_dump;

static int scan_writer(lua_State *L, const void *p, size_t sz, void *ud)
{
  scan_dump *d = ud;

  if (!d->init) {
    d->init = 1;
    luaL_buffinit(L, &d->b);
  }
  luaL_addlstring(&d->b, p, sz);
  return 0;
}

/* The Lua function at the top of the stack. */
static void scan_function(lua_State *L)
{
  scan_dump d;
  scan_rd r;
  scan_hit h;
  size_t len;

  d.init = 0;
  if (lua_dump(L, scan_writer, &d, 0) != 0 || !d.init)
    luaL_error(L, "não foi possível analisar uma função do script");
  luaL_pushresult(&d.b);
  r.L = L;
  r.p = (const unsigned char *)lua_tolstring(L, -1, &len);
  r.end = r.p + len;
  memset(&h, 0, sizeof h);
  rd_header(&r);
  scan_proto(&r, NULL, 0, NULL, 0, &h);
  if (r.p != r.end)
    rd_fail(&r);
  lua_pop(L, 1);
  if (h.hit)
    luaL_error(L, "%s:%d: a função definida na linha %d altera '%s', que foi declarada fora "
                  "dela: o valor passaria de uma guia para a outra e o resultado dependeria da "
                  "ordem das guias (use uma variável local dentro da função)",
               h.src, h.line, h.fn_line, h.var);
}

static void refuse_state_visit(lua_State *L, int v, int type, fat_sandbox_walk *w)
{
  if (type == LUA_TTABLE) {
    int c;

    if (lua_getmetatable(L, v))
      fat_sandbox_walk_push(L, w);
    lua_pushvalue(L, v);
    fat_sandbox_unfreeze_view(L, -1);
    c = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, c) != 0) {
      fat_sandbox_walk_push(L, w);
      lua_pushvalue(L, -1);
      fat_sandbox_walk_push(L, w);
    }
  } else {
    int i;

    if (!lua_iscfunction(L, v)) {
      lua_pushvalue(L, v);
      scan_function(L);
      lua_pop(L, 1);
    }
    for (i = 1; lua_getupvalue(L, v, i) != NULL; i++)
      fat_sandbox_walk_push(L, w);
  }
}

void fat_sandbox_refuse_state(lua_State *L, int idx)
{
  fat_sandbox_walk_from(L, idx, refuse_state_visit);
}
