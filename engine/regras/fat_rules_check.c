/* fat_rules_check.c: running an operator's checks over a guia and the
** self-tests. One call into Lua per guia and operator, under the operator's
** run mutex; what a check returns is read back with the caps of
** docs/regras.md (findings per check and per guia, field lengths). */
#include "fat_rules_int.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>

#include "fat_mem.h"
#include "fat_model.h"
#include "fat_money.h"

#define LOCK_POLL_NS (100L * 1000000L)

/* {======================================================================
** Running checks
** ======================================================================= */

typedef struct run_ctx {
  fat_gen *g;
  fat_rules_op *op;
  const cJSON *guia;
  const fat_guia *gs; /* the guia as a struct, instead of guia */
  const cJSON *ctx;
  const fat_rules_lazy *lazy; /* a ctx field computed when first read */
  int lazy_done;              /* lazy->fn already ran */
  fat_rc host_rc;             /* lazy->fn failed: the call fails with host_err */
  fat_err host_err;
  fat_findings found;
  size_t cur;   /* index of the running check, or (size_t)-1 */
  size_t n_cur; /* findings of the running check */
  int in_check; /* an error now is the running check's (run_checks_from) */
  int cap_hit;  /* a finding cap was hit: FAT_ELIMIT */
  int oom;      /* C allocation failed: FAT_ENOMEM */
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
  int ty = fat_rules_rawfield(L, t, k);

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

/* Raise a cap error (FAT_ELIMIT for the caller). */
static void cap_error(lua_State *L, run_ctx *rc, const char *msg)
{
  rc->cap_hit = 1;
  luaL_error(L, "%s", msg);
}

/* The finding table at t -> rc->found. Raises on an invalid finding. */
static void finding_from_lua(lua_State *L, int t, run_ctx *rc)
{
  fat_rules_check *c = &rc->op->checks[rc->cur];
  const char *codigo, *mensagem, *campo = NULL, *glosa = NULL, *sev;
  size_t n;
  fat_severidade severidade = FAT_BLOQUEIO;
  lua_Integer valor, item;
  char regra[160];
  int top = lua_gettop(L);
  fat_err e;
  char m[200];

  if (rc->n_cur >= FAT_RULES_ACHADOS_CHECK) {
    snprintf(m, sizeof m, "mais de %d achados de um só check numa guia (máximo %d)",
             FAT_RULES_ACHADOS_CHECK, FAT_RULES_ACHADOS_CHECK);
    cap_error(L, rc, m);
  }
  if (rc->found.n >= FAT_RULES_ACHADOS_GUIA) {
    snprintf(m, sizeof m, "mais de %d achados numa só guia (máximo %d)",
             FAT_RULES_ACHADOS_GUIA, FAT_RULES_ACHADOS_GUIA);
    cap_error(L, rc, m);
  }
  lua_pushvalue(L, t);
  fat_sandbox_unfreeze_view(L, -1);
  t = lua_gettop(L);
  if (fat_rules_rawfield(L, t, "codigo") != LUA_TSTRING)
    luaL_error(L, "achado sem codigo (texto, ex.: \"SENHA_AUSENTE\")");
  codigo = lua_tolstring(L, -1, &n);
  if (!valid_code(codigo, n))
    luaL_error(L, "achado: codigo '%s' inválido (use A-Z, 0-9 e _, até 64)", codigo);
  if (fat_rules_rawfield(L, t, "mensagem") != LUA_TSTRING)
    luaL_error(L, "achado %s sem mensagem", codigo);
  mensagem = lua_tolstring(L, -1, &n);
  if (n > FAT_RULES_MENSAGEM_MAX) {
    snprintf(m, sizeof m, "achado %s: mensagem com %zu bytes (máximo %d)", codigo, n,
             FAT_RULES_MENSAGEM_MAX);
    cap_error(L, rc, m);
  }
  if (fat_rules_rawfield(L, t, "severidade") != LUA_TNIL) {
    sev = lua_tostring(L, -1);
    if (sev != NULL && strcmp(sev, "bloqueio") == 0)
      severidade = FAT_BLOQUEIO;
    else if (sev != NULL && strcmp(sev, "alerta") == 0)
      severidade = FAT_ALERTA;
    else
      luaL_error(L, "achado %s: severidade deve ser 'bloqueio' ou 'alerta'", codigo);
  }
  if (fat_rules_rawfield(L, t, "campo") != LUA_TNIL) {
    if (lua_type(L, -1) != LUA_TSTRING)
      luaL_error(L, "achado %s: campo deve ser texto", codigo);
    campo = lua_tolstring(L, -1, &n);
    if (n > FAT_RULES_CAMPO_MAX) {
      snprintf(m, sizeof m, "achado %s: campo com %zu bytes (máximo %d)", codigo, n,
               FAT_RULES_CAMPO_MAX);
      cap_error(L, rc, m);
    }
  }
  switch (fat_rules_rawfield(L, t, "glosa")) {
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
                       (int)item, regra, c->sha[0] ? c->sha : NULL, c->line, &e) != FAT_OK) {
    rc->oom = e.rc == FAT_ENOMEM;
    luaL_error(L, "%s", e.msg);
  }
  rc->n_cur++;
  lua_settop(L, top);
}

/* The value at r returned by a check: nil/false, a finding or a list. */
static void check_result(lua_State *L, int r, run_ctx *rc)
{
  lua_Integer k, n;

  if (lua_type(L, r) == LUA_TTABLE) {
    lua_pushvalue(L, r);
    fat_sandbox_unfreeze_view(L, -1);
    r = lua_gettop(L);
    if (fat_rules_rawfield(L, r, "codigo") != LUA_TNIL) {
      lua_pop(L, 1);
      finding_from_lua(L, r, rc);
      return;
    }
    lua_pop(L, 1);
    n = (lua_Integer)lua_rawlen(L, r);
    if (n > FAT_RULES_ACHADOS_CHECK) {
      char m[200];

      snprintf(m, sizeof m, "o check devolveu %lld achados numa guia (máximo %d)",
               (long long)n, FAT_RULES_ACHADOS_CHECK);
      cap_error(L, rc, m);
    }
    for (k = 1; k <= n; k++) {
      if (lua_rawgeti(L, r, k) != LUA_TTABLE)
        luaL_error(L, "o check deve retornar nil, um achado ou uma lista de achados");
      finding_from_lua(L, -1, rc);
      lua_pop(L, 1);
    }
  } else if (lua_type(L, r) != LUA_TNIL &&
             !(lua_type(L, r) == LUA_TBOOLEAN && !lua_toboolean(L, r))) {
    luaL_error(L, "o check deve retornar nil, um achado ou uma lista de achados (retornou %s)",
               luaL_typename(L, r));
  }
}


/* {----------------------------------------------------------------------
** The lazy ctx field: the ctx table is plain (the checks may write to it)
** with a protected metatable whose __index computes the field on its first
** read; pairs, next, rawget and rawlen complete it first (host view).
** ----------------------------------------------------------------------- */

static const char ctx_meta_key = 0; /* registry: the lazy ctx metatable */

/* Set t[k] = s (t on top) when s is not NULL. */
static void hist_str(lua_State *L, const char *k, const char *s)
{
  if (s != NULL) {
    lua_pushlstring(L, s, strlen(s));
    lua_setfield(L, -2, k);
  }
}

/* Push the history rows as the list of tables fat_rules_json_push built from
** their JSON form (fat_rules_hist): each table sized for its keys and filled
** in the same order, so that pairs walks them the same way. */
static void hist_push(lua_State *L, const fat_rules_hist *rows, size_t n)
{
  static const char *const ecols[] = {"conselho", "numero_conselho", "uf", "cpf", "cbo"};
  size_t i;
  int k;

  luaL_checkstack(L, 6, "histórico");
  lua_createtable(L, n > INT_MAX ? INT_MAX : (int)n, 0);
  for (i = 0; i < n; i++) {
    const fat_rules_hist *h = &rows[i];
    const char *const txt[] = {h->tipo, h->numero_prestador, h->data_inicio, h->tipo_consulta,
                               h->status, h->carteira_numero, h->cns};
    const char *c = h->codigos;
    double d = (double)h->id; /* as its JSON number */
    lua_Integer m = 0;
    int keys = 2 + (h->has_executante != 0) + (h->has_beneficiario != 0), ne = 0;

    for (k = 0; k < 7; k++)
      keys += txt[k] != NULL;
    lua_createtable(L, 0, keys);
    if (d >= -9007199254740992.0 && d <= 9007199254740992.0 && floor(d) == d)
      lua_pushinteger(L, (lua_Integer)d);
    else
      lua_pushnumber(L, d);
    lua_setfield(L, -2, "id");
    hist_str(L, "tipo", h->tipo);
    hist_str(L, "numero_prestador", h->numero_prestador);
    hist_str(L, "data_inicio", h->data_inicio);
    hist_str(L, "tipo_consulta", h->tipo_consulta);
    hist_str(L, "status", h->status);
    if (h->has_executante) {
      for (k = 0; k < 5; k++)
        ne += h->executante[k] != NULL;
      lua_createtable(L, 0, ne);
      for (k = 0; k < 5; k++)
        hist_str(L, ecols[k], h->executante[k]);
      lua_setfield(L, -2, "executante");
    }
    hist_str(L, "carteira_numero", h->carteira_numero);
    hist_str(L, "cns", h->cns);
    if (h->has_beneficiario) {
      lua_createtable(L, 0, h->beneficiario_cpf != NULL);
      hist_str(L, "cpf", h->beneficiario_cpf);
      lua_setfield(L, -2, "beneficiario");
    }
    for (k = 0; c != NULL && c[0] != '\0'; k++) { /* how many codes */
      c += strcspn(c, ",");
      if (*c == ',')
        c++;
    }
    lua_createtable(L, k, 0);
    for (c = h->codigos; c != NULL && *c != '\0';) {
      size_t len = strcspn(c, ",");

      lua_createtable(L, 0, 1);
      lua_pushlstring(L, c, len < 31 ? len : 31);
      lua_setfield(L, -2, "codigo");
      lua_rawseti(L, -2, ++m);
      c += len;
      if (*c == ',')
        c++;
    }
    lua_setfield(L, -2, "itens");
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
}

/* Compute the lazy field into the ctx table t (absolute index) unless done
** or already set by the script; pushes nothing. */
static void ctx_lazy_fill(lua_State *L, run_ctx *rc, int t)
{
  const fat_rules_lazy *lz = rc->lazy;
  const cJSON *j = NULL;
  const fat_rules_hist *rows = NULL;
  size_t n = 0;
  fat_rc r;

  if (lz == NULL || rc->lazy_done)
    return;
  rc->lazy_done = 1;
  lua_pushstring(L, lz->name);
  if (lua_rawget(L, t) != LUA_TNIL) { /* the script set it first */
    lua_pop(L, 1);
    return;
  }
  lua_pop(L, 1);
  if (!fat_sandbox_pause(&rc->op->bud))
    return; /* killed by the watchdog: the next instruction raises */
  fat_err_clear(&rc->host_err);
  if (lz->hist != NULL)
    r = lz->hist(lz->ud, &rows, &n, &rc->host_err);
  else
    r = lz->fn(lz->ud, &j, &rc->host_err);
  fat_sandbox_resume(&rc->op->bud);
  if (r != FAT_OK) {
    rc->host_rc = r;
    luaL_error(L, "%s", rc->host_err.msg);
  }
  if (lz->hist != NULL)
    hist_push(L, rows, n);
  else if (j == NULL)
    return;
  else
    fat_rules_json_push(L, j, 0);
  lua_pushstring(L, lz->name);
  lua_insert(L, -2);
  lua_rawset(L, t);
}

void fat_rules_run_oom(lua_State *L, fat_rules_op *op)
{
  run_ctx *rc = op->run;

  if (rc != NULL)
    rc->oom = 1;
  luaL_error(L, "memória insuficiente");
}

static run_ctx *ctx_run(lua_State *L)
{
  fat_rules_op *op = lua_touserdata(L, lua_upvalueindex(1));

  if (op->run == NULL)
    luaL_error(L, "contexto fora de uma conferência");
  return op->run;
}

/* __index(ctx, k) */
static int ctx_index(lua_State *L)
{
  run_ctx *rc = ctx_run(L);

  if (rc->lazy != NULL && !rc->lazy_done && lua_type(L, 2) == LUA_TSTRING &&
      strcmp(lua_tostring(L, 2), rc->lazy->name) == 0) {
    ctx_lazy_fill(L, rc, 1);
    lua_settop(L, 2);
    lua_rawget(L, 1);
    return 1;
  }
  lua_pushnil(L);
  return 1;
}

/* The view's completion (fat_sandbox_view_key): the table itself, filled. */
static int ctx_complete(lua_State *L)
{
  ctx_lazy_fill(L, ctx_run(L), 1);
  lua_settop(L, 1);
  return 1;
}

static int ctx_pairs(lua_State *L)
{
  ctx_lazy_fill(L, ctx_run(L), 1);
  lua_pushcfunction(L, fat_sandbox_next);
  lua_pushvalue(L, 1);
  lua_pushnil(L);
  return 3;
}

/* Give the ctx table at t the lazy metatable (made once per state). */
static void ctx_set_lazy(lua_State *L, fat_rules_op *op, int t)
{
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &ctx_meta_key) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_createtable(L, 0, 4);
    lua_pushlightuserdata(L, op);
    lua_pushcclosure(L, ctx_index, 1);
    lua_setfield(L, -2, "__index");
    lua_pushlightuserdata(L, op);
    lua_pushcclosure(L, ctx_pairs, 1);
    lua_setfield(L, -2, "__pairs");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pushlightuserdata(L, op);
    lua_pushcclosure(L, ctx_complete, 1);
    lua_rawsetp(L, -2, fat_sandbox_view_key());
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &ctx_meta_key);
  }
  lua_setmetatable(L, t);
}

/* Push the ctx table: the JSON object's fields (as fat_rules_json_push)
** sized for the lazy field too, so that the field, once computed, sits
** where it would have been had it come with the others. */
static void push_ctx(lua_State *L, run_ctx *rc)
{
  const cJSON *c, *j = rc->ctx;
  int keys = 0;

  if (j != NULL && !cJSON_IsObject(j))
    j = NULL;
  cJSON_ArrayForEach(c, j)
    keys++;
  lua_createtable(L, 0, keys + (rc->lazy != NULL));
  cJSON_ArrayForEach(c, j)
  {
    if (c->string == NULL || cJSON_IsNull(c))
      continue;
    fat_rules_json_push(L, c, 1);
    lua_setfield(L, -2, c->string);
  }
  if (rc->lazy != NULL)
    ctx_set_lazy(L, rc->op, lua_gettop(L));
}

/* }---------------------------------------------------------------------- */

/* Protected (arguments rc, guia, ctx): the checks from rc->cur on, in name
** order, each called directly: one lua_pcall for a run of checks instead of
** one per check. An error raised while a check runs (rc->in_check set) ends
** the run and is that check's; run_checks_main handles it as the check's
** own pcall did and goes on from the next check. Any other error (the
** host's, a bad result) has rc->in_check clear. */
static int run_checks_from(lua_State *L)
{
  run_ctx *rc = lua_touserdata(L, 1);
  fat_rules_op *op = rc->op;
  int r;

  for (; rc->cur < op->n_checks; rc->cur++) {
    rc->n_cur = 0;
    lua_rawgeti(L, LUA_REGISTRYINDEX, op->checks[rc->cur].ref);
    lua_pushvalue(L, 2);
    lua_pushvalue(L, 3);
    rc->in_check = 1;
    lua_call(L, 2, 1);
    rc->in_check = 0;
    r = lua_gettop(L);
    if (rc->host_rc != FAT_OK)
      return luaL_error(L, "%s", rc->host_err.msg);
    if (op->bud.tripped != FAT_BUD_NONE) /* swallowed by the check: still its fault */
      return luaL_error(L, "%s", fat_sandbox_reason(&op->bud));
    check_result(L, r, rc);
    lua_settop(L, 3);
  }
  return 0;
}

/* Protected: guia and ctx to tables, every check in name order. */
static int run_checks_main(lua_State *L)
{
  run_ctx *rc = lua_touserdata(L, 1);
  fat_rules_op *op = rc->op;
  int gi, ci, status, r;

  lua_settop(L, 0);
  if (rc->gs != NULL)
    fat_rules_view_push(L, op, rc->gs);
  else if (rc->guia == NULL || !cJSON_IsObject(rc->guia))
    return luaL_error(L, "a guia deve ser um objeto JSON");
  else
    fat_rules_json_push(L, rc->guia, 0);
  gi = lua_gettop(L);
  push_ctx(L, rc);
  ci = lua_gettop(L);
  rc->cur = 0;
  while (rc->cur < op->n_checks) {
    lua_pushcfunction(L, run_checks_from);
    lua_pushlightuserdata(L, rc);
    lua_pushvalue(L, gi);
    lua_pushvalue(L, ci);
    rc->in_check = 0;
    status = lua_pcall(L, 3, 0, 0);
    if (status == LUA_OK)
      break;
    if (!rc->in_check) /* not the check's: the run fails with it */
      return lua_error(L);
    rc->in_check = 0;
    r = lua_gettop(L);
    if (rc->host_rc != FAT_OK) /* even when the check caught it */
      return luaL_error(L, "%s", rc->host_err.msg);
    /* error(achado) raises a finding; anything else is an error */
    if (op->bud.tripped == FAT_BUD_NONE && status == LUA_ERRRUN && lua_type(L, r) == LUA_TTABLE) {
      fat_sandbox_unfreeze_view(L, r);
      if (fat_rules_rawfield(L, r, "codigo") == LUA_TSTRING) {
        lua_pop(L, 1);
        finding_from_lua(L, r, rc);
        lua_settop(L, ci);
        rc->cur++;
        continue;
      }
      lua_pop(L, 1);
    }
    return lua_error(L);
  }
  rc->cur = (size_t)-1;
  return 0;
}

/* Take op->mu. A caller never waits forever behind a call the watchdog
** killed and that has not come back (a stall the budget could not stop). */
fat_rc fat_rules_op_lock(fat_rules_op *op, fat_err *err)
{
  int e = pthread_mutex_trylock(&op->mu);

  while (e == EBUSY || e == ETIMEDOUT) {
    struct timespec ts;

    if (atomic_load(&op->bud.hard_ns) == -1)
      return fat_err_set(err, FAT_ELIMIT, "operadora %s: uma regra passou do prazo rígido e "
                                          "ainda não terminou; tente de novo mais tarde",
                         op->key);
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += LOCK_POLL_NS;
    if (ts.tv_nsec >= 1000000000L) {
      ts.tv_sec++;
      ts.tv_nsec -= 1000000000L;
    }
    e = pthread_mutex_timedlock(&op->mu, &ts);
  }
  if (e != 0)
    return fat_err_sys(err, e, "operadora %s", op->key);
  return FAT_OK;
}

/* Run every check of op over guia. On success the findings are in *found
** (initialized here; the caller finis it). Caller holds op->mu. deadline:
** the self-test run's (0 = only the per-call limit). */
static fat_rc op_run(fat_gen *g, fat_rules_op *op, const cJSON *guia, const fat_guia *gs,
                     const cJSON *ctx, const fat_rules_lazy *lazy, int64_t deadline,
                     fat_findings *found, fat_err *err)
{
  run_ctx rc;
  int status, hard;
  fat_rc ret = FAT_OK;
  lua_State *L = op->L;
  char msg[600], where[300];

  memset(&rc, 0, sizeof rc);
  rc.g = g;
  rc.op = op;
  rc.guia = guia;
  rc.gs = gs;
  rc.ctx = ctx;
  rc.lazy = lazy;
  rc.cur = (size_t)-1;
  fat_findings_init(&rc.found);
  fat_findings_init(found);
  lua_settop(L, 0);
  lua_pushcfunction(L, fat_sandbox_msgh);
  lua_pushcfunction(L, run_checks_main);
  lua_pushlightuserdata(L, &rc);
  fat_sandbox_arm(&op->bud, deadline);
  op->run = &rc;
  status = lua_pcall(L, 1, 0, 1);
  op->run = NULL;
  fat_rules_view_end(op->view);
  hard = fat_sandbox_disarm(&op->bud);
  if (rc.host_rc != FAT_OK) { /* the host's failure, not the rule's */
    *err = rc.host_err;
    ret = rc.host_rc;
    fat_findings_fini(&rc.found);
    lua_settop(L, 0);
    return ret;
  }
  if (status == LUA_OK && !hard && op->bud.tripped == FAT_BUD_NONE && !op->bud.sys_oom) {
    lua_settop(L, 0);
    *found = rc.found;
    return FAT_OK;
  }
  if (rc.cur != (size_t)-1)
    snprintf(where, sizeof where, "regra %s:%s (%s.lua, linha %d)", op->key,
             op->checks[rc.cur].name, op->file.chave, op->checks[rc.cur].line);
  else
    snprintf(where, sizeof where, "operadora %s (%s.lua)", op->key, op->file.chave);
  if (hard && op->bud.tripped == FAT_BUD_NONE)
    op->bud.tripped = FAT_BUD_HARD;
  if (status == LUA_ERRMEM && !op->bud.sys_oom && op->bud.tripped == FAT_BUD_NONE)
    op->bud.tripped = FAT_BUD_MEM;
  if (rc.oom || op->bud.sys_oom) {
    ret = fat_err_oom(err);
  } else if (op->bud.tripped != FAT_BUD_NONE) {
    if (op->bud.tripped == FAT_BUD_INSTR)
      snprintf(msg, sizeof msg, "%s (%lu instruções)", fat_sandbox_reason(&op->bud),
               op->bud.instr_max);
    else if (op->bud.tripped == FAT_BUD_TIME && !op->bud.outer)
      snprintf(msg, sizeof msg, "%s (%ld ms)", fat_sandbox_reason(&op->bud), op->bud.time_ms);
    else if (op->bud.tripped == FAT_BUD_MEM)
      snprintf(msg, sizeof msg, "%s (%zu bytes)", fat_sandbox_reason(&op->bud),
               op->bud.mem_max);
    else
      snprintf(msg, sizeof msg, "%s", fat_sandbox_reason(&op->bud));
    ret = fat_err_set(err, FAT_ELIMIT, "%s: %s%s%s", where, msg, op->bud.where[0] ? " em " : "",
                      op->bud.where);
  } else if (status == LUA_ERRMEM) {
    ret = fat_err_oom(err);
  } else {
    fat_rules_lua_msg(L, msg, sizeof msg);
    ret = fat_err_set(err, rc.cap_hit ? FAT_ELIMIT : FAT_ERULE, "%s: %s", where, msg);
  }
  fat_findings_fini(&rc.found);
  lua_settop(L, 0);
  lua_gc(L, LUA_GCCOLLECT); /* give the next guia its memory back */
  return ret;
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

/* Append "; " + pre + code + post to why (bounded). */
static void why_add(char *why, size_t whylen, const char *pre, const char *code,
                    const char *post)
{
  size_t off = strlen(why);

  if (off + 3 >= whylen)
    return;
  if (off > 0) {
    memcpy(why + off, "; ", 3);
    off += 2;
  }
  snprintf(why + off, whylen - off, "%s%s%s", pre, code, post);
}

/* The contract's guia rules over the test's guia (fat_contrato_conferir),
** with the attachments the spec lists in "anexos" = {"laudo", ...}: a
** self-test sees what conferir would add to the script's findings. Test
** guias are sketches (no prestador...), so only what those rules read is
** taken from the JSON: the type and each item's code, type, number, total. */
static fat_rc test_contrato(const fat_rules_op *op, const cJSON *spec, fat_findings *found,
                            fat_err *err)
{
  const cJSON *an = cJSON_GetObjectItemCaseSensitive(spec, "anexos"), *a, *it;
  const cJSON *gj = cJSON_GetObjectItemCaseSensitive(spec, "guia");
  const cJSON *itens = cJSON_GetObjectItemCaseSensitive(gj, "itens");
  const cJSON *tipo = cJSON_GetObjectItemCaseSensitive(gj, "tipo");
  const char *tipos[8];
  size_t n = 0;
  fat_guia g;
  fat_rc rc;
  int t;

  if (op->contrato == NULL ||
      (op->contrato->guias.n_anexos == 0 && op->contrato->guias.sessoes_max_por_guia == 0 &&
       op->contrato->guias.n_sessoes == 0))
    return FAT_OK;
  if (!cJSON_IsArray(an))
    an = NULL;
  cJSON_ArrayForEach(a, an)
  {
    if (cJSON_IsString(a) && n < 8)
      tipos[n++] = a->valuestring;
  }
  memset(&g, 0, sizeof g);
  t = cJSON_IsString(tipo) ? fat_guia_tipo_parse(tipo->valuestring) : -1;
  if (t < 0 || !cJSON_IsArray(itens) || cJSON_GetArraySize(itens) == 0)
    return FAT_OK;
  g.tipo = (fat_guia_tipo)t;
  g.itens = fat_calloc((size_t)cJSON_GetArraySize(itens), sizeof *g.itens);
  if (g.itens == NULL)
    return fat_err_oom(err);
  cJSON_ArrayForEach(it, itens)
  {
    fat_item *x = &g.itens[g.n_itens++];
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(it, "codigo");
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(it, "tipo");
    const cJSON *sq = cJSON_GetObjectItemCaseSensitive(it, "sequencial");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, "valor_total");

    x->codigo = cJSON_IsString(c) ? c->valuestring : NULL;
    x->tipo = cJSON_IsString(k) ? k->valuestring : NULL;
    x->sequencial = cJSON_IsNumber(sq) ? sq->valueint : (int)g.n_itens;
    x->valor_total = FAT_ABSENT;
    if (cJSON_IsString(v) && fat_money_scan(v->valuestring, 2, 0, &x->valor_total) != NULL)
      x->valor_total = FAT_ABSENT;
    else if (cJSON_IsNumber(v))
      x->valor_total = (int64_t)v->valuedouble;
  }
  rc = fat_contrato_conferir(op->contrato, &g, tipos, n, found, err);
  fat_free(g.itens);
  return rc;
}

/* Run one test spec; 1 when it passed, 0 when it failed (why says how),
** -1 on out-of-memory. codes gets the codes produced. */
static int test_run(fat_gen *g, fat_rules_op *op, const cJSON *spec, int64_t deadline,
                    cJSON *codes, char *why, size_t whylen)
{
  fat_findings found;
  fat_err e;
  const cJSON *c;
  const cJSON *esp = cJSON_GetObjectItemCaseSensitive(spec, "espera");
  const cJSON *nao = cJSON_GetObjectItemCaseSensitive(spec, "nao_espera");
  const cJSON *nada = cJSON_GetObjectItemCaseSensitive(spec, "sem_achados");
  size_t i;
  int ok = 1;
  fat_rc rc;

  why[0] = '\0';
  fat_err_clear(&e);
  rc = fat_rules_op_lock(op, &e);
  if (rc == FAT_OK) {
    rc = op_run(g, op, cJSON_GetObjectItemCaseSensitive(spec, "guia"), NULL,
                cJSON_GetObjectItemCaseSensitive(spec, "ctx"), NULL, deadline, &found, &e);
    pthread_mutex_unlock(&op->mu);
  }
  if (rc == FAT_OK) {
    rc = test_contrato(op, spec, &found, &e);
    if (rc != FAT_OK)
      fat_findings_fini(&found);
  }
  if (rc != FAT_OK) {
    fat_strcpy_cut(why, whylen, e.msg); /* truncation is fine: it is a message */
    return rc == FAT_ENOMEM ? -1 : 0;
  }
  for (i = 0; i < found.n && ok >= 0; i++)
    if (!cJSON_AddItemToArray(codes, cJSON_CreateString(found.v[i].codigo)))
      ok = -1;
  cJSON_ArrayForEach(c, esp)
  {
    if (ok >= 0 && cJSON_IsString(c) && !findings_have(&found, c->valuestring)) {
      ok = 0;
      why_add(why, whylen, "esperado ", c->valuestring, ", não gerado");
    }
  }
  cJSON_ArrayForEach(c, nao)
  {
    if (ok >= 0 && cJSON_IsString(c) && findings_have(&found, c->valuestring)) {
      ok = 0;
      why_add(why, whylen, "", c->valuestring, " gerado, mas não deveria");
    }
  }
  if (ok >= 0 && cJSON_IsTrue(nada) && found.n > 0) {
    ok = 0;
    why_add(why, whylen, "esperado nenhum achado, gerou ", found.v[0].codigo, "");
  }
  fat_findings_fini(&found);
  return ok;
}

/* Self-tests with a deadline for the whole run. */
fat_rc fat_rules_selftest_run(fat_gen *g, const char *key, int64_t deadline, cJSON **report,
                              fat_err *err)
{
  cJSON *rep, *list;
  size_t i;
  int all_ok = 1, n_fail = 0;
  fat_buf errs;
  fat_rc rc = FAT_OK;

  *report = NULL;
  if (key != NULL && fat_rules_gen_find(g, key) == NULL)
    return fat_err_set(err, FAT_ENOTFOUND, "operadora '%s' não tem script de regras", key);
  fat_buf_init(&errs, 480);
  rep = cJSON_CreateObject();
  list = cJSON_AddArrayToObject(rep, "testes");
  if (rep == NULL || list == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  for (i = 0; i < g->n_ops && rc == FAT_OK; i++) {
    fat_rules_op *op = g->ops[i];
    const cJSON *spec;

    if (key != NULL && strcmp(op->key, key) != 0)
      continue;
    cJSON_ArrayForEach(spec, op->tests)
    {
      char why[400], line[600];
      cJSON *t = cJSON_CreateObject();
      cJSON *codes = cJSON_CreateArray();
      const char *nome = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(spec, "nome"));
      int ok;

      if (t == NULL || codes == NULL || !cJSON_AddItemToArray(list, t)) {
        cJSON_Delete(t);
        cJSON_Delete(codes);
        rc = fat_err_oom(err);
        break;
      }
      if (!cJSON_AddItemToObject(t, "achados", codes)) {
        cJSON_Delete(codes);
        rc = fat_err_oom(err);
        break;
      }
      ok = test_run(g, op, spec, deadline, codes, why, sizeof why);
      if (ok < 0 || cJSON_AddStringToObject(t, "operadora", op->key) == NULL ||
          cJSON_AddStringToObject(t, "nome", nome != NULL ? nome : "") == NULL ||
          cJSON_AddBoolToObject(t, "ok", ok) == NULL ||
          (!ok && cJSON_AddStringToObject(t, "erro", why) == NULL)) {
        rc = fat_err_oom(err);
        break;
      }
      if (!ok) {
        all_ok = 0;
        n_fail++;
        snprintf(line, sizeof line, "%s.lua: teste '%s': %s", op->file.chave,
                 nome != NULL ? nome : "", why);
        fat_rules_errs_add(&errs, line);
      }
    }
  }
  if (rc == FAT_OK && cJSON_AddBoolToObject(rep, "ok", all_ok) == NULL)
    rc = fat_err_oom(err);
  if (rc == FAT_OK && !all_ok)
    rc = fat_err_set(err, FAT_ERULE, "%d teste(s) falharam: %s", n_fail,
                     errs.data != NULL ? errs.data : "");
out:
  fat_buf_fini(&errs);
  if (rc == FAT_OK || rc == FAT_ERULE)
    *report = rep;
  else
    cJSON_Delete(rep);
  return rc;
}


fat_rc fat_gen_selftest(fat_gen *g, const char *key, cJSON **report, fat_err *err)
{
  return fat_rules_selftest_run(g, key, fat_rules_deadline_after(g->lim.total_ms), report, err);
}

/* }====================================================================== */

/* fat_gen_check and fat_gen_check_guia: the guia as JSON or as a struct. */
static fat_rc gen_check(fat_gen *g, const char *key, const cJSON *guia, const fat_guia *gs,
                        const cJSON *ctx, const fat_rules_lazy *lazy, fat_findings *out,
                        fat_err *err)
{
  fat_rules_op *op = fat_rules_gen_find(g, key);
  fat_findings found;
  fat_rc rc;

  if (op == NULL)
    return fat_err_set(err, FAT_ENOTFOUND, "operadora '%s' não tem script de regras",
                       key != NULL ? key : "");
  rc = fat_rules_op_lock(op, err);
  if (rc != FAT_OK)
    return rc;
  rc = op_run(g, op, guia, gs, ctx, lazy, 0, &found, err);
  pthread_mutex_unlock(&op->mu);
  if (rc != FAT_OK)
    return rc;
  rc = fat_findings_move(out, &found, err);
  fat_findings_fini(&found);
  return rc;
}

fat_rc fat_gen_check(fat_gen *g, const char *key, const cJSON *guia, const cJSON *ctx,
                     fat_findings *out, fat_err *err)
{
  return gen_check(g, key, guia, NULL, ctx, NULL, out, err);
}

fat_rc fat_gen_check_guia(fat_gen *g, const char *key, const fat_guia *guia, const cJSON *ctx,
                          fat_findings *out, fat_err *err)
{
  if (guia == NULL)
    return fat_err_set(err, FAT_EINVAL, "guia ausente");
  return gen_check(g, key, NULL, guia, ctx, NULL, out, err);
}

fat_rc fat_gen_check_guia_lazy(fat_gen *g, const char *key, const fat_guia *guia,
                               const cJSON *ctx, const fat_rules_lazy *lazy, fat_findings *out,
                               fat_err *err)
{
  if (guia == NULL)
    return fat_err_set(err, FAT_EINVAL, "guia ausente");
  if (lazy != NULL && (lazy->name == NULL || (lazy->fn == NULL && lazy->hist == NULL)))
    return fat_err_set(err, FAT_EINVAL, "campo preguiçoso do contexto sem nome ou função");
  return gen_check(g, key, NULL, guia, ctx, lazy, out, err);
}

static size_t mem_read(fat_gen *g, const char *key, int peak)
{
  fat_rules_op *op = fat_rules_gen_find(g, key);
  size_t n;

  if (op == NULL || fat_rules_op_lock(op, NULL) != FAT_OK)
    return 0;
  n = peak ? op->bud.mem_peak : op->bud.mem_used;
  pthread_mutex_unlock(&op->mu);
  return n;
}

size_t fat_gen_mem_used(fat_gen *g, const char *key)
{
  return mem_read(g, key, 0);
}

size_t fat_gen_mem_peak(fat_gen *g, const char *key)
{
  return mem_read(g, key, 1);
}

void fat_gen_test_no_hook(fat_gen *g, const char *key)
{
  fat_rules_op *op = fat_rules_gen_find(g, key);

  if (op != NULL && fat_rules_op_lock(op, NULL) == FAT_OK) {
    op->bud.no_hook = 1;
    pthread_mutex_unlock(&op->mu);
  }
}
