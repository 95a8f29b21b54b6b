/* fat_sandbox_pattern.c: Lua patterns with a step budget.
**
** The stock matcher (lstrlib.c) backtracks in C, where the count hook never
** runs: string.find(string.rep("a", 3000), ".-.-.-.-.-.-.-.-.-.-b") runs for
** minutes. Debian's Lua cannot be patched, so string.find, match, gmatch and
** gsub are replaced by this matcher of the same pattern language (Lua 5.4
** manual, section 6.4.1), which charges every step to the budget of the
** running call (fat_sandbox_charge): a costly pattern stops at the
** instruction or time limit like any loop, with the usual budget error.
** Plain searches use memmem, which is linear.
*/
#define _GNU_SOURCE /* memmem */
#include "fat_sandbox_int.h"

#include <ctype.h>
#include <string.h>

#include <lauxlib.h>

#define PM_MAXCAPTURES 32
#define PM_MAXDEPTH 200 /* nested match calls (Lua's MAXCCALLS) */
#define PM_CAP_UNFINISHED (-1)
#define PM_CAP_POSITION (-2)
#define PM_BATCH 4096UL /* steps charged at once */

typedef struct pm_capture {
  const char *init;
  ptrdiff_t len; /* or PM_CAP_UNFINISHED / PM_CAP_POSITION */
} pm_capture;

typedef struct pm_state {
  const char *src, *src_end; /* the subject */
  const char *pat_end;
  lua_State *L;
  int depth;                 /* nested match calls left */
  int level;                 /* captures open or closed */
  unsigned long steps;       /* not charged yet */
  pm_capture cap[PM_MAXCAPTURES];
} pm_state;

static const char *pm_match(pm_state *ms, const char *s, const char *p);

static inline void pm_step(pm_state *ms, unsigned long n)
{
  ms->steps += n;
  if (ms->steps >= PM_BATCH) {
    unsigned long s = ms->steps;

    ms->steps = 0;
    fat_sandbox_charge(ms->L, s);
  }
}

static void pm_flush(pm_state *ms)
{
  unsigned long s = ms->steps;

  ms->steps = 0;
  if (s > 0)
    fat_sandbox_charge(ms->L, s);
}

static void pm_init(pm_state *ms, lua_State *L, const char *s, size_t ls, const char *pat_end)
{
  ms->L = L;
  ms->src = s;
  ms->src_end = s + ls;
  ms->pat_end = pat_end;
  ms->steps = 0;
  ms->level = 0;
  ms->depth = PM_MAXDEPTH;
}

static void pm_reset(pm_state *ms)
{
  ms->level = 0;
  ms->depth = PM_MAXDEPTH;
}

/* {======================================================================
** Single characters and classes
** ======================================================================= */

/* c against the class letter cl (%a, %d, ...; upper case = complement; any
** other character stands for itself). */
static int pm_class(int c, int cl)
{
  int r;

  switch (cl | 0x20) { /* ASCII lower case; no other byte becomes a class letter */
  case 'a': r = isalpha(c); break;
  case 'c': r = iscntrl(c); break;
  case 'd': r = isdigit(c); break;
  case 'g': r = isgraph(c); break;
  case 'l': r = islower(c); break;
  case 'p': r = ispunct(c); break;
  case 's': r = isspace(c); break;
  case 'u': r = isupper(c); break;
  case 'w': r = isalnum(c); break;
  case 'x': r = isxdigit(c); break;
  case 'z': r = c == 0; break; /* deprecated, still in Lua 5.4 */
  default: return cl == c;
  }
  if (cl >= 'A' && cl <= 'Z')
    r = !r;
  return r != 0;
}

/* c against the set [..] that starts at p ('[') and ends at ec (']'). */
static int pm_set(int c, const char *p, const char *ec)
{
  int in = 1;

  p++;
  if (*p == '^') {
    in = 0;
    p++;
  }
  for (; p < ec; p++) {
    if (*p == '%') {
      p++;
      if (pm_class(c, (unsigned char)*p))
        return in;
    } else if (p[1] == '-' && p + 2 < ec) {
      if ((unsigned char)p[0] <= c && c <= (unsigned char)p[2])
        return in;
      p += 2;
    } else if ((unsigned char)*p == c) {
      return in;
    }
  }
  return !in;
}

/* End of the single-character class that starts at p. */
static const char *pm_class_end(pm_state *ms, const char *p)
{
  char c = *p++;

  if (c == '%') {
    if (p >= ms->pat_end)
      luaL_error(ms->L, "padrão malformado (termina com '%%')");
    return p + 1;
  }
  if (c == '[') {
    if (p < ms->pat_end && *p == '^')
      p++;
    do { /* the first character belongs to the set even when it is ']' */
      if (p >= ms->pat_end)
        luaL_error(ms->L, "padrão malformado (falta ']')");
      c = *p++;
      if (c == '%' && p < ms->pat_end)
        p++;
    } while (p >= ms->pat_end || *p != ']');
    return p + 1;
  }
  return p;
}

static int pm_single(pm_state *ms, const char *s, const char *p, const char *ep)
{
  int c;

  if (s >= ms->src_end)
    return 0;
  c = (unsigned char)*s;
  switch (*p) {
  case '.': return 1;
  case '%': return pm_class(c, (unsigned char)p[1]);
  case '[': return pm_set(c, p, ep - 1);
  default: return (unsigned char)*p == c;
  }
}

/* }====================================================================== */

/* {======================================================================
** Pattern items
** ======================================================================= */

/* %bxy at s (p points at x). */
static const char *pm_balance(pm_state *ms, const char *s, const char *p)
{
  int depth = 1;
  char open, close;

  if (p + 1 >= ms->pat_end)
    luaL_error(ms->L, "padrão malformado (faltam os argumentos de '%%b')");
  if (s >= ms->src_end || *s != *p)
    return NULL;
  open = p[0];
  close = p[1];
  while (++s < ms->src_end) {
    pm_step(ms, 1);
    if (*s == close) {
      if (--depth == 0)
        return s + 1;
    } else if (*s == open) {
      depth++;
    }
  }
  return NULL;
}

static int pm_capture_index(pm_state *ms, int digit)
{
  int l = digit - '1';

  if (l < 0 || l >= ms->level || ms->cap[l].len == PM_CAP_UNFINISHED)
    return luaL_error(ms->L, "índice de captura inválido %%%d no padrão", l + 1);
  return l;
}

/* %1..%9: the text of an earlier capture again. */
static const char *pm_backref(pm_state *ms, const char *s, int digit)
{
  int l = pm_capture_index(ms, digit);
  size_t len;

  if (ms->cap[l].len < 0)
    return NULL; /* a position capture never matches text */
  len = (size_t)ms->cap[l].len;
  pm_step(ms, 1 + len / 16);
  if ((size_t)(ms->src_end - s) >= len && memcmp(ms->cap[l].init, s, len) == 0)
    return s + len;
  return NULL;
}

static const char *pm_open(pm_state *ms, const char *s, const char *p, ptrdiff_t what)
{
  const char *r;
  int l = ms->level;

  if (l >= PM_MAXCAPTURES)
    luaL_error(ms->L, "capturas demais no padrão (máximo %d)", PM_MAXCAPTURES);
  ms->cap[l].init = s;
  ms->cap[l].len = what;
  ms->level = l + 1;
  r = pm_match(ms, s, p);
  if (r == NULL)
    ms->level--;
  return r;
}

static const char *pm_close(pm_state *ms, const char *s, const char *p)
{
  const char *r;
  int l;

  for (l = ms->level - 1; l >= 0; l--)
    if (ms->cap[l].len == PM_CAP_UNFINISHED)
      break;
  if (l < 0)
    luaL_error(ms->L, "padrão malformado (')' sem '(' correspondente)");
  ms->cap[l].len = s - ms->cap[l].init;
  r = pm_match(ms, s, p);
  if (r == NULL)
    ms->cap[l].len = PM_CAP_UNFINISHED;
  return r;
}

/* Greedy: take as many as possible, give back one at a time. */
static const char *pm_max(pm_state *ms, const char *s, const char *p, const char *ep)
{
  ptrdiff_t i = 0;

  while (pm_single(ms, s + i, p, ep))
    i++;
  pm_step(ms, (unsigned long)i);
  for (; i >= 0; i--) {
    const char *r = pm_match(ms, s + i, ep + 1);

    if (r != NULL)
      return r;
  }
  return NULL;
}

/* Lazy: take one more only when the rest does not match. */
static const char *pm_min(pm_state *ms, const char *s, const char *p, const char *ep)
{
  for (;;) {
    const char *r = pm_match(ms, s, ep + 1);

    if (r != NULL)
      return r;
    if (!pm_single(ms, s, p, ep))
      return NULL;
    s++;
  }
}

/* Match the pattern from p at s; end of the match or NULL. */
static const char *pm_match(pm_state *ms, const char *s, const char *p)
{
  const char *ep;

  if (ms->depth-- == 0)
    luaL_error(ms->L, "padrão complexo demais");
  pm_step(ms, 1);
  while (s != NULL && p < ms->pat_end) {
    switch (*p) {
    case '(':
      if (p + 1 < ms->pat_end && p[1] == ')')
        s = pm_open(ms, s, p + 2, PM_CAP_POSITION);
      else
        s = pm_open(ms, s, p + 1, PM_CAP_UNFINISHED);
      goto done;
    case ')': s = pm_close(ms, s, p + 1); goto done;
    case '$':
      if (p + 1 == ms->pat_end) { /* anchored at the end */
        if (s != ms->src_end)
          s = NULL;
        goto done;
      }
      break; /* a literal '$' */
    case '%':
      if (p + 1 >= ms->pat_end)
        break; /* pm_class_end reports it */
      if (p[1] == 'b') {
        s = pm_balance(ms, s, p + 2);
        if (s == NULL)
          goto done;
        p += 4;
        continue;
      }
      if (p[1] == 'f') {
        const char *set = p + 2;
        int prev, cur;

        if (set >= ms->pat_end || *set != '[')
          luaL_error(ms->L, "falta '[' depois de '%%f' no padrão");
        ep = pm_class_end(ms, set);
        prev = s == ms->src ? '\0' : (unsigned char)s[-1];
        cur = s < ms->src_end ? (unsigned char)*s : '\0';
        if (pm_set(prev, set, ep - 1) || !pm_set(cur, set, ep - 1)) {
          s = NULL;
          goto done;
        }
        p = ep;
        continue;
      }
      if (isdigit((unsigned char)p[1])) {
        s = pm_backref(ms, s, (unsigned char)p[1]);
        if (s == NULL)
          goto done;
        p += 2;
        continue;
      }
      break;
    default: break;
    }
    ep = pm_class_end(ms, p);
    if (!pm_single(ms, s, p, ep)) {
      if (ep < ms->pat_end && (*ep == '*' || *ep == '?' || *ep == '-')) {
        p = ep + 1; /* zero occurrences */
        continue;
      }
      s = NULL;
      goto done;
    }
    if (ep < ms->pat_end) {
      const char *r;

      switch (*ep) {
      case '?':
        r = pm_match(ms, s + 1, ep + 1);
        if (r != NULL) {
          s = r;
          goto done;
        }
        p = ep + 1;
        continue;
      case '+': s = pm_max(ms, s + 1, p, ep); goto done;
      case '*': s = pm_max(ms, s, p, ep); goto done;
      case '-': s = pm_min(ms, s, p, ep); goto done;
      default: break;
      }
    }
    s++;
    p = ep;
  }
done:
  ms->depth++;
  return s;
}

/* }====================================================================== */

/* {======================================================================
** Captures and the library functions
** ======================================================================= */

/* Capture i; with no captures, i = 0 is the whole match s..e. */
static void pm_push_one(pm_state *ms, int i, const char *s, const char *e)
{
  if (i >= ms->level) {
    if (i != 0)
      luaL_error(ms->L, "índice de captura inválido %%%d", i + 1);
    lua_pushlstring(ms->L, s, (size_t)(e - s));
    return;
  }
  if (ms->cap[i].len == PM_CAP_UNFINISHED)
    luaL_error(ms->L, "captura não terminada no padrão");
  if (ms->cap[i].len == PM_CAP_POSITION)
    lua_pushinteger(ms->L, (lua_Integer)(ms->cap[i].init - ms->src) + 1);
  else
    lua_pushlstring(ms->L, ms->cap[i].init, (size_t)ms->cap[i].len);
}

/* Every capture (or the whole match when there is none and s != NULL). */
static int pm_push_all(pm_state *ms, const char *s, const char *e)
{
  int i, n = (ms->level == 0 && s != NULL) ? 1 : ms->level;

  luaL_checkstack(ms->L, n, "capturas demais");
  for (i = 0; i < n; i++)
    pm_push_one(ms, i, s, e);
  return n;
}

static int pm_plain(const char *p, size_t lp)
{
  static const char specials[] = "^$*+?.([%-";
  size_t i;

  for (i = 0; i < lp; i++)
    if (p[i] != '\0' && memchr(specials, p[i], sizeof specials - 1) != NULL)
      return 0;
  return 1;
}

/* Relative initial position (negative counts from the end) as 1-based. */
static lua_Integer pm_posrelat(lua_Integer pos, size_t len)
{
  if (pos > 0)
    return pos;
  if (pos == 0)
    return 1;
  if (pos < -(lua_Integer)len)
    return 1;
  return (lua_Integer)len + pos + 1;
}

static int pm_find_aux(lua_State *L, int find)
{
  size_t ls, lp;
  const char *s = luaL_checklstring(L, 1, &ls);
  const char *p = luaL_checklstring(L, 2, &lp);
  lua_Integer init = pm_posrelat(luaL_optinteger(L, 3, 1), ls);
  const char *pat_end = p + lp;
  const char *s1;
  pm_state ms;
  int anchor;

  if (init > (lua_Integer)ls + 1) {
    luaL_pushfail(L);
    return 1;
  }
  if (find && (lua_toboolean(L, 4) || pm_plain(p, lp))) {
    const char *hay = s + init - 1;
    size_t hl = ls - (size_t)(init - 1);
    const char *hit;

    fat_sandbox_charge(L, 1 + (unsigned long)(hl / 32 + lp / 32));
    hit = lp == 0 ? hay : memmem(hay, hl, p, lp);
    if (hit == NULL) {
      luaL_pushfail(L);
      return 1;
    }
    lua_pushinteger(L, (lua_Integer)(hit - s) + 1);
    lua_pushinteger(L, (lua_Integer)(hit - s) + (lua_Integer)lp);
    return 2;
  }
  anchor = lp > 0 && *p == '^';
  if (anchor)
    p++;
  pm_init(&ms, L, s, ls, pat_end);
  s1 = s + init - 1;
  do {
    const char *e;

    pm_reset(&ms);
    e = pm_match(&ms, s1, p);
    if (e != NULL) {
      pm_flush(&ms);
      if (find) {
        lua_pushinteger(L, (lua_Integer)(s1 - s) + 1);
        lua_pushinteger(L, (lua_Integer)(e - s));
        return pm_push_all(&ms, NULL, NULL) + 2;
      }
      return pm_push_all(&ms, s1, e);
    }
  } while (s1++ < ms.src_end && !anchor);
  pm_flush(&ms);
  luaL_pushfail(L);
  return 1;
}

static int l_find(lua_State *L) { return pm_find_aux(L, 1); }
static int l_match(lua_State *L) { return pm_find_aux(L, 0); }

/* State of a gmatch iterator: offsets into the subject (upvalue 1). */
typedef struct pm_gmatch {
  size_t pos;      /* where the next search starts */
  ptrdiff_t last;  /* end of the last match, -1 = none */
} pm_gmatch;

static int l_gmatch_next(lua_State *L)
{
  size_t ls, lp;
  const char *s = lua_tolstring(L, lua_upvalueindex(1), &ls);
  const char *p = lua_tolstring(L, lua_upvalueindex(2), &lp);
  pm_gmatch *gm = lua_touserdata(L, lua_upvalueindex(3));
  const char *src;
  pm_state ms;

  pm_init(&ms, L, s, ls, p + lp);
  for (src = s + gm->pos; src <= ms.src_end; src++) {
    const char *e;

    pm_reset(&ms);
    e = pm_match(&ms, src, p);
    if (e != NULL && (gm->last < 0 || e != s + gm->last)) {
      gm->pos = (size_t)(e - s);
      gm->last = e - s;
      pm_flush(&ms);
      return pm_push_all(&ms, src, e);
    }
  }
  pm_flush(&ms);
  return 0;
}

static int l_gmatch(lua_State *L)
{
  size_t ls, lp;
  lua_Integer init;
  pm_gmatch *gm;

  luaL_checklstring(L, 1, &ls);
  luaL_checklstring(L, 2, &lp);
  init = pm_posrelat(luaL_optinteger(L, 3, 1), ls) - 1;
  if (init > (lua_Integer)ls)
    init = (lua_Integer)ls + 1;
  lua_settop(L, 2);
  gm = lua_newuserdatauv(L, sizeof *gm, 0);
  gm->pos = (size_t)init;
  gm->last = -1;
  lua_pushcclosure(L, l_gmatch_next, 3);
  return 1;
}

/* Append the replacement string (argument 3) for the match s..e. */
static void pm_add_string(pm_state *ms, luaL_Buffer *b, const char *s, const char *e)
{
  lua_State *L = ms->L;
  size_t l, i;
  const char *r = lua_tolstring(L, 3, &l);

  pm_step(ms, 1 + l / 16);
  for (i = 0; i < l; i++) {
    char c = r[i];

    if (c != '%') {
      luaL_addchar(b, c);
      continue;
    }
    i++;
    c = i < l ? r[i] : '\0';
    if (c == '%') {
      luaL_addchar(b, '%');
    } else if (c == '0') {
      luaL_addlstring(b, s, (size_t)(e - s));
    } else if (isdigit((unsigned char)c)) {
      pm_push_one(ms, c - '1', s, e);
      luaL_tolstring(L, -1, NULL); /* a position becomes its digits */
      lua_remove(L, -2);
      luaL_addvalue(b);
    } else {
      luaL_error(L, "uso inválido de '%%' na substituição (use %%%% para o caractere %%)");
    }
  }
}

/* Append the replacement for s..e; returns 1 when the text changed. */
static int pm_add_value(pm_state *ms, luaL_Buffer *b, const char *s, const char *e, int tr)
{
  lua_State *L = ms->L;

  if (tr == LUA_TFUNCTION) {
    int n;

    lua_pushvalue(L, 3);
    n = pm_push_all(ms, s, e);
    lua_call(L, n, 1);
  } else if (tr == LUA_TTABLE) {
    pm_push_one(ms, 0, s, e);
    lua_gettable(L, 3);
  } else {
    pm_add_string(ms, b, s, e);
    return 1;
  }
  if (!lua_toboolean(L, -1)) { /* nil or false: keep the match */
    lua_pop(L, 1);
    luaL_addlstring(b, s, (size_t)(e - s));
    return 0;
  }
  if (!lua_isstring(L, -1))
    return luaL_error(L, "valor de substituição inválido (um %s)", luaL_typename(L, -1));
  luaL_addvalue(b);
  return 1;
}

static int l_gsub(lua_State *L)
{
  size_t srcl, lp;
  const char *src = luaL_checklstring(L, 1, &srcl);
  const char *p = luaL_checklstring(L, 2, &lp);
  const char *pat_end = p + lp;
  const char *lastmatch = NULL;
  int tr = lua_type(L, 3);
  lua_Integer max_s = luaL_optinteger(L, 4, (lua_Integer)srcl + 1);
  lua_Integer n = 0;
  int anchor = lp > 0 && *p == '^';
  int changed = 0;
  pm_state ms;
  luaL_Buffer b;

  luaL_argexpected(L, tr == LUA_TNUMBER || tr == LUA_TSTRING || tr == LUA_TFUNCTION ||
                          tr == LUA_TTABLE, 3, "string/function/table");
  luaL_buffinit(L, &b);
  if (anchor)
    p++;
  pm_init(&ms, L, src, srcl, pat_end);
  while (n < max_s) {
    const char *e;

    pm_reset(&ms);
    e = pm_match(&ms, src, p);
    if (e != NULL && e != lastmatch) {
      n++;
      changed |= pm_add_value(&ms, &b, src, e, tr);
      src = lastmatch = e;
    } else if (src < ms.src_end) {
      luaL_addchar(&b, *src++);
    } else {
      break;
    }
    if (anchor)
      break;
  }
  pm_flush(&ms);
  if (!changed) {
    lua_pushvalue(L, 1);
  } else {
    luaL_addlstring(&b, src, (size_t)(ms.src_end - src));
    luaL_pushresult(&b);
  }
  lua_pushinteger(L, n);
  return 2;
}

/* }====================================================================== */

void fat_sandbox_open_patterns(lua_State *L, int idx)
{
  static const luaL_Reg fns[] = {
    {"find", l_find}, {"match", l_match}, {"gmatch", l_gmatch}, {"gsub", l_gsub}, {NULL, NULL}
  };
  const luaL_Reg *f;

  idx = lua_absindex(L, idx);
  for (f = fns; f->name != NULL; f++) {
    lua_pushcfunction(L, f->func);
    lua_setfield(L, idx, f->name);
  }
}
