/* fat_rules_nativo.c: the C side of faturo.dinheiro ("faturo.nativo").
**
** A check reads money and quantities as the host writes them ("1234.56",
** "2.0000"); parsing them in Lua (gsub, match, tonumber) costs more than the
** rest of a simple check. These closures parse the plain forms in C and hand
** every other input to the Lua function they wrap, so results and errors are
** exactly those of the Lua code (scripts/faturo/dinheiro.lua).
*/
#include "fat_rules_int.h"

#include <lauxlib.h>

#define CENT_DIGITS_MAX 16 /* x100 stays far from the integer's range */
#define QTY_DIGITS_MAX 14  /* x10000 too */

static int is_digit(char c)
{
  return c >= '0' && c <= '9';
}

/* Hand v (argument 1) to the wrapped Lua function (upvalue 1). */
static int call_slow(lua_State *L)
{
  lua_settop(L, 1);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, 1, 1);
  return 1;
}

/* "-?D+(.D{1,2})?" (D+ at most CENT_DIGITS_MAX digits) -> centavos in *out;
** 0 when s has any other form. */
static int cent_plain(const char *s, size_t n, lua_Integer *out)
{
  size_t i = 0, d = 0;
  lua_Integer v = 0, dec = 0;
  int neg = 0;

  if (i < n && s[i] == '-') {
    neg = 1;
    i++;
  }
  while (i < n && is_digit(s[i]) && d < CENT_DIGITS_MAX) {
    v = v * 10 + (s[i] - '0');
    i++;
    d++;
  }
  if (d == 0)
    return 0;
  if (i < n) {
    if (s[i] != '.' || n - i < 2 || n - i > 3 || !is_digit(s[i + 1]))
      return 0;
    dec = (s[i + 1] - '0') * 10;
    if (n - i == 3) {
      if (!is_digit(s[i + 2]))
        return 0;
      dec += s[i + 2] - '0';
    }
  }
  v = v * 100 + dec;
  *out = neg ? -v : v;
  return 1;
}

/* dinheiro.centavos(v): an integer is centavos already; "1234.56", "-12.5",
** "12" are read here; the rest ("1.234,56", "R$ 17,50", errors) by the Lua
** function wrapped. */
static int l_centavos(lua_State *L)
{
  size_t n;
  const char *s;
  lua_Integer v;

  if (lua_isinteger(L, 1)) {
    lua_settop(L, 1);
    return 1;
  }
  if (lua_type(L, 1) != LUA_TSTRING)
    return call_slow(L);
  s = lua_tolstring(L, 1, &n);
  if (!cent_plain(s, n, &v))
    return call_slow(L);
  lua_pushinteger(L, v);
  return 1;
}

/* dinheiro.quantidade_e4(v): "D+([.,]D{0,4})?" (at most QTY_DIGITS_MAX
** digits before the separator) read here; the rest by the Lua function. */
static int l_quantidade_e4(lua_State *L)
{
  size_t n, i = 0, d = 0, k;
  const char *s;
  lua_Integer v = 0, dec = 0;

  if (lua_type(L, 1) != LUA_TSTRING)
    return call_slow(L);
  s = lua_tolstring(L, 1, &n);
  while (i < n && is_digit(s[i]) && d < QTY_DIGITS_MAX) {
    v = v * 10 + (s[i] - '0');
    i++;
    d++;
  }
  if (d == 0)
    return call_slow(L);
  if (i < n) {
    if ((s[i] != '.' && s[i] != ',') || n - i > 5)
      return call_slow(L);
    for (k = i + 1; k < i + 5; k++) {
      if (k < n && !is_digit(s[k]))
        return call_slow(L);
      dec = dec * 10 + (k < n ? s[k] - '0' : 0);
    }
  } else {
    dec = 0;
  }
  lua_pushinteger(L, v * 10000 + dec);
  return 1;
}

/* nativo.centavos(f) / nativo.quantidade_e4(f): the C reader wrapping the
** Lua function f, which gets every input the C side does not read. */
static int make_wrapper(lua_State *L, lua_CFunction fn)
{
  luaL_checktype(L, 1, LUA_TFUNCTION);
  lua_settop(L, 1);
  lua_pushcclosure(L, fn, 1);
  return 1;
}

static int l_wrap_centavos(lua_State *L)
{
  return make_wrapper(L, l_centavos);
}

static int l_wrap_quantidade(lua_State *L)
{
  return make_wrapper(L, l_quantidade_e4);
}

void fat_rules_push_nativo(lua_State *L)
{
  lua_createtable(L, 0, 2);
  lua_pushcfunction(L, l_wrap_centavos);
  lua_setfield(L, -2, "centavos");
  lua_pushcfunction(L, l_wrap_quantidade);
  lua_setfield(L, -2, "quantidade_e4");
  fat_sandbox_freeze(L, -1);
}
