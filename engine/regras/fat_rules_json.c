/* fat_rules_json.c: Lua <-> JSON for the rules host: a guia and its context
** go into Lua as fresh plain tables; declarations, test specs and eval
** results come back as JSON. Both directions run inside lua_pcall and
** raise on errors (nesting, cycles, keys that JSON cannot hold, OOM). */
#include "fat_rules_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

void fat_rules_json_push(lua_State *L, const cJSON *j, int depth)
{
  const cJSON *c;
  lua_Integer n = 0;

  if (depth > FAT_RULES_JSON_DEPTH)
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
    const char *s = j->valuestring != NULL ? j->valuestring : "";

    lua_pushlstring(L, s, strlen(s)); /* no look-up by address: see lv_str */
  } else if (cJSON_IsArray(j)) {
    lua_createtable(L, cJSON_GetArraySize(j), 0);
    cJSON_ArrayForEach(c, j)
    {
      if (cJSON_IsNull(c))
        lua_pushboolean(L, 0); /* keep the sequence without holes */
      else
        fat_rules_json_push(L, c, depth + 1);
      lua_rawseti(L, -2, ++n);
    }
  } else if (cJSON_IsObject(j)) {
    int keys = 0;

    cJSON_ArrayForEach(c, j) /* sized once: no rehash while filling */
      keys++;
    lua_createtable(L, 0, keys);
    cJSON_ArrayForEach(c, j)
    {
      if (c->string == NULL || cJSON_IsNull(c))
        continue;
      fat_rules_json_push(L, c, depth + 1);
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

static void attach(lua_State *L, cJSON *parent, const char *name, cJSON *v)
{
  if (v == NULL)
    luaL_error(L, "memória insuficiente");
  if (cJSON_IsArray(parent) ? !cJSON_AddItemToArray(parent, v)
                            : !cJSON_AddItemToObject(parent, name, v)) {
    cJSON_Delete(v);
    luaL_error(L, "memória insuficiente");
  }
}

/* Convert the Lua value at idx to JSON, attaching the result to parent
** (under name when parent is an object) so that a Lua error half-way leaves
** nothing unowned. Frozen tables are read through their contents. */
static void to_json(lua_State *L, int idx, cJSON *parent, const char *name, int depth,
                    const char *const *skip)
{
  size_t n = 0, cap = 16, k;
  key_ref *keys;
  int is_array = 1, uidx, t;
  cJSON *v;

  idx = lua_absindex(L, idx);
  if (depth > FAT_RULES_JSON_DEPTH)
    luaL_error(L, "tabela aninhada demais (ou cíclica)");
  luaL_checkstack(L, 6, "tabela aninhada demais");
  t = lua_type(L, idx);
  switch (t) {
  case LUA_TNIL: attach(L, parent, name, cJSON_CreateNull()); return;
  case LUA_TBOOLEAN: attach(L, parent, name, cJSON_CreateBool(lua_toboolean(L, idx))); return;
  case LUA_TNUMBER:
    if (lua_isinteger(L, idx)) {
      attach(L, parent, name, cJSON_CreateNumber((double)lua_tointeger(L, idx)));
    } else {
      double d = lua_tonumber(L, idx);
      attach(L, parent, name, isfinite(d) ? cJSON_CreateNumber(d) : cJSON_CreateNull());
    }
    return;
  case LUA_TSTRING: attach(L, parent, name, cJSON_CreateString(lua_tostring(L, idx))); return;
  case LUA_TTABLE: break;
  default: return; /* functions, userdata: dropped */
  }
  lua_pushvalue(L, idx);
  fat_sandbox_unfreeze_view(L, -1);
  idx = lua_gettop(L);
  keys = lua_newuserdatauv(L, cap * sizeof *keys, 0); /* [t ud] */
  uidx = lua_gettop(L);
  lua_pushnil(L);
  while (lua_next(L, idx) != 0) { /* [t ud k v] */
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
  attach(L, parent, name, v);
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
      to_json(L, -1, v, kname, depth + 1, NULL);
    lua_pop(L, 1);
  }
  lua_settop(L, idx - 1);
}

cJSON *fat_rules_json_from_lua(lua_State *L, int idx, cJSON *holder, const char *const *skip)
{
  to_json(L, idx, holder, NULL, 0, skip);
  return cJSON_GetArrayItem(holder, cJSON_GetArraySize(holder) - 1);
}
