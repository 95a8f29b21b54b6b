/* fat_sandbox.c: the budget of a sandboxed Lua state: capped allocator, count
** hook, charges for C work, and the watchdog behind them.
**
** The hook is the interrupt (Redis's re-armed hook): once the budget trips,
** the hook fires on every instruction so a pcall in the script cannot
** swallow the error. The hook cannot see C work, so the bounded library
** functions charge their work to the same budget (fat_sandbox_charge). The
** watchdog is the last line: a thread that marks a call killed when it is
** still running past its hard deadline; a killed call gets no more memory,
** its next charge or hook raises, and callers waiting for its state give up
** (see fat_rules.c).
*/
#include "fat_sandbox_int.h"

#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>

#include "fat_mem.h"

#define HARD_GRACE_MS 1000L /* hard deadline = soft + max(time_ms, this) */
#define WD_TICK_NS (50L * 1000000L)

static void sandbox_hook(lua_State *L, lua_Debug *ar);

/* {======================================================================
** Watchdog
** ======================================================================= */

static pthread_mutex_t wd_mu = PTHREAD_MUTEX_INITIALIZER;
static fat_budget *wd_head;
static int wd_state; /* 0 not started, 1 running, -1 could not start */

static void *wd_main(void *arg)
{
  (void)arg;
  for (;;) {
    struct timespec ts = {0, WD_TICK_NS};
    fat_budget *b;
    int64_t now;

    nanosleep(&ts, NULL);
    now = fat_now_ns();
    pthread_mutex_lock(&wd_mu);
    for (b = wd_head; b != NULL; b = b->wd_next) {
      long long h = atomic_load(&b->hard_ns);

      if (h > 0 && now > h && atomic_compare_exchange_strong(&b->hard_ns, &h, -1))
        fprintf(stderr, "faturo: %s passou do prazo rígido e foi interrompida\n", b->label);
    }
    pthread_mutex_unlock(&wd_mu);
  }
  return NULL;
}

/* Start the watchdog once, with every signal blocked in it (the server's
** signal thread must be the only one to receive SIGHUP/SIGTERM). Called with
** wd_mu held. */
static void wd_start(void)
{
  pthread_t th;
  pthread_attr_t at;
  sigset_t all, old;

  if (wd_state != 0)
    return;
  wd_state = -1;
  if (pthread_attr_init(&at) != 0)
    return;
  pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  if (pthread_create(&th, &at, wd_main, NULL) == 0)
    wd_state = 1;
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  pthread_attr_destroy(&at);
  if (wd_state != 1)
    fprintf(stderr, "faturo: aviso: vigia das regras não iniciou; valem só os limites do hook\n");
}

static void wd_register(fat_budget *b)
{
  pthread_mutex_lock(&wd_mu);
  wd_start();
  b->wd_prev = NULL;
  b->wd_next = wd_head;
  if (wd_head != NULL)
    wd_head->wd_prev = b;
  wd_head = b;
  b->wd_on = 1;
  pthread_mutex_unlock(&wd_mu);
}

static void wd_unregister(fat_budget *b)
{
  if (!b->wd_on)
    return;
  pthread_mutex_lock(&wd_mu);
  if (b->wd_prev != NULL)
    b->wd_prev->wd_next = b->wd_next;
  else
    wd_head = b->wd_next;
  if (b->wd_next != NULL)
    b->wd_next->wd_prev = b->wd_prev;
  b->wd_on = 0;
  pthread_mutex_unlock(&wd_mu);
}

/* }====================================================================== */

/* {======================================================================
** Allocator, hook, charges
** ======================================================================= */

static int killed(fat_budget *b)
{
  return atomic_load_explicit(&b->hard_ns, memory_order_relaxed) == -1;
}

static void trip(fat_budget *b, int why)
{
  if (b->tripped != FAT_BUD_NONE)
    return;
  b->tripped = why;
  if (b->L != NULL)
    lua_sethook(b->L, sandbox_hook, LUA_MASKCOUNT, 1);
}

/* {----------------------------------------------------------------------
** The small-block pool. The budget counts what Lua asks for, as before; a
** freed small block goes to its class's free list instead of the C heap
** (no lock: a state runs on one thread at a time) and the slabs go back to
** the heap when the state is closed. Under AddressSanitizer a block on a
** free list is poisoned, so a use after free is still caught.
** ----------------------------------------------------------------------- */

#define POOL_SLAB (32 * 1024)
#define POOL_HEAD 16 /* a slab's link, keeping blocks 16-aligned */

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* Class of a small size n (1..FAT_POOL_MAX): blocks of 16 * (class + 1). */
static unsigned pool_class(size_t n) { return (unsigned)((n + 15) >> 4) - 1; }

/* A block for n bytes (1..FAT_POOL_MAX); NULL when the heap refuses a slab
** (or the tests' fault injection says so: it reaches pooled blocks too). */
static void *pool_get(fat_budget *b, size_t n)
{
  unsigned c = pool_class(n);
  size_t sz = (size_t)(c + 1) * 16;
  void *p = b->pool_free[c];

  if (p != NULL || b->pool_left >= sz) {
    if (fat_test_alloc_fails())
      return NULL;
  } else {
    char *slab = fat_malloc(POOL_SLAB);

    if (slab == NULL)
      return NULL;
    *(void **)(void *)slab = b->pool_slabs;
    b->pool_slabs = slab;
    b->pool_cur = slab + POOL_HEAD;
    b->pool_left = POOL_SLAB - POOL_HEAD;
    POISON(b->pool_cur, b->pool_left);
  }
  if (p != NULL) {
    UNPOISON(p, sz);
    b->pool_free[c] = *(void **)p;
    return p;
  }
  p = b->pool_cur;
  b->pool_cur += sz;
  b->pool_left -= sz;
  UNPOISON(p, sz);
  return p;
}

static void pool_put(fat_budget *b, void *p, size_t n)
{
  unsigned c = pool_class(n);

  *(void **)p = b->pool_free[c];
  b->pool_free[c] = p;
  POISON(p, (size_t)(c + 1) * 16);
}

/* After lua_close: the slabs back to the heap. */
static void pool_release(fat_budget *b)
{
  void *s = b->pool_slabs, *next;

  while (s != NULL) {
    UNPOISON(s, POOL_SLAB);
    next = *(void **)s;
    fat_free(s);
    s = next;
  }
  b->pool_slabs = NULL;
  b->pool_cur = NULL;
  b->pool_left = 0;
  memset(b->pool_free, 0, sizeof b->pool_free);
}

/* realloc for the state: ptr (old bytes, 0 = new block) to nsize > 0. */
static void *block_realloc(fat_budget *b, void *ptr, size_t old, size_t nsize)
{
  void *p;

  if (ptr == NULL)
    return nsize <= FAT_POOL_MAX ? pool_get(b, nsize) : fat_malloc(nsize);
  if (old > FAT_POOL_MAX && nsize > FAT_POOL_MAX)
    return fat_realloc(ptr, nsize);
  if (old <= FAT_POOL_MAX && nsize <= FAT_POOL_MAX && pool_class(old) == pool_class(nsize))
    return ptr;
  p = nsize <= FAT_POOL_MAX ? pool_get(b, nsize) : fat_malloc(nsize);
  if (p == NULL)
    return NULL;
  memcpy(p, ptr, old < nsize ? old : nsize);
  if (old <= FAT_POOL_MAX)
    pool_put(b, ptr, old);
  else
    fat_free(ptr);
  return p;
}

/* }---------------------------------------------------------------------- */

/* Lua retries a refused allocation once after an emergency collection, so a
** refusal trips the budget only when the same request is refused twice (the
** live data really does not fit): garbage left by an earlier guia never
** fails a later one. */
static void *sandbox_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
  fat_budget *b = ud;
  size_t old = (ptr != NULL) ? osize : 0; /* osize is a type tag when ptr is NULL */
  void *p;

  if (nsize == 0) {
    if (ptr != NULL && old <= FAT_POOL_MAX)
      pool_put(b, ptr, old);
    else
      fat_free(ptr);
    b->mem_used -= old;
    return NULL;
  }
  if (b->armed && killed(b)) {
    trip(b, FAT_BUD_HARD);
    return NULL;
  }
  if (nsize > old && nsize - old > b->mem_max - b->mem_used) {
    if (b->armed) {
      if (b->fail_ptr == ptr && b->fail_osize == osize && b->fail_nsize == nsize)
        trip(b, FAT_BUD_MEM);
      b->fail_ptr = ptr;
      b->fail_osize = osize;
      b->fail_nsize = nsize;
    }
    return NULL;
  }
  p = block_realloc(b, ptr, old, nsize);
  if (p != NULL) {
    b->mem_used = b->mem_used - old + nsize;
    if (b->mem_used > b->mem_peak)
      b->mem_peak = b->mem_used;
    b->fail_ptr = NULL; /* a later refusal starts over */
    b->fail_osize = b->fail_nsize = 0;
  } else {
    b->sys_oom = 1;
  }
  return p;
}

fat_budget *fat_sandbox_budget(lua_State *L)
{
  void *ud = NULL;

  lua_getallocf(L, &ud);
  return ud;
}

const char *fat_sandbox_reason(const fat_budget *b)
{
  switch (b->tripped) {
  case FAT_BUD_INSTR: return "limite de instruções excedido";
  case FAT_BUD_TIME:
    return b->outer ? "limite de tempo da recarga ou dos autotestes excedido"
                    : "limite de tempo excedido";
  case FAT_BUD_MEM: return "limite de memória excedido";
  case FAT_BUD_HARD: return "prazo rígido excedido (a regra não parou no limite de tempo)";
  default: return "limite excedido";
  }
}

/* Raise the budget error; from now on every instruction raises it again. */
static void budget_raise(lua_State *L, fat_budget *b, lua_Debug *ar)
{
  lua_Debug here;

  if (b->where[0] == '\0') {
    if (ar == NULL && lua_getstack(L, 1, &here) != 0)
      ar = &here;
    if (ar != NULL && lua_getinfo(L, "Sl", ar) != 0 && ar->currentline > 0)
      snprintf(b->where, sizeof b->where, "%s:%d", ar->short_src, ar->currentline);
  }
  lua_sethook(L, sandbox_hook, LUA_MASKCOUNT, 1);
  lua_pushstring(L, fat_sandbox_reason(b));
  lua_error(L);
}

static void sandbox_hook(lua_State *L, lua_Debug *ar)
{
  fat_budget *b = fat_sandbox_budget(L);

  if (b->tripped == FAT_BUD_NONE) {
    b->ticks++;
    if (killed(b))
      b->tripped = FAT_BUD_HARD;
    else if (b->ticks > b->ticks_max)
      b->tripped = FAT_BUD_INSTR;
    else if (fat_now_ns() >= b->deadline_ns)
      b->tripped = FAT_BUD_TIME;
    else
      return;
  }
  budget_raise(L, b, ar);
}

void fat_sandbox_charge(lua_State *L, unsigned long units)
{
  fat_budget *b = fat_sandbox_budget(L);
  unsigned long t;

  if (!b->armed)
    return;
  if (b->tripped == FAT_BUD_NONE) {
    b->charge = units > ULONG_MAX - b->charge ? ULONG_MAX : b->charge + units;
    if (b->charge < FAT_HOOK_EVERY)
      return;
    t = b->charge / FAT_HOOK_EVERY;
    b->charge %= FAT_HOOK_EVERY;
    if (b->ticks > b->ticks_max || t > b->ticks_max - b->ticks)
      trip(b, FAT_BUD_INSTR);
    else if (killed(b))
      trip(b, FAT_BUD_HARD);
    else if (fat_now_ns() >= b->deadline_ns)
      trip(b, FAT_BUD_TIME);
    else
      b->ticks += t;
    if (b->tripped == FAT_BUD_NONE)
      return;
  }
  budget_raise(L, b, NULL);
}

void fat_sandbox_arm(fat_budget *b, int64_t outer_ns)
{
  int64_t now = fat_now_ns();
  int64_t d = now + (int64_t)b->time_ms * 1000000LL;
  long grace = b->time_ms > HARD_GRACE_MS ? b->time_ms : HARD_GRACE_MS;

  b->ticks = 0;
  b->charge = 0;
  b->mem_peak = b->mem_used;
  b->tripped = FAT_BUD_NONE;
  b->where[0] = '\0';
  b->fail_ptr = NULL;
  b->sys_oom = 0;
  b->outer = 0;
  if (outer_ns > 0 && outer_ns < d) {
    d = outer_ns;
    b->outer = 1;
  }
  b->deadline_ns = d;
  atomic_store(&b->hard_ns, (long long)(d + (int64_t)grace * 1000000LL));
  b->armed = 1;
  if (!b->no_hook)
    lua_sethook(b->L, sandbox_hook, LUA_MASKCOUNT, FAT_HOOK_EVERY);
}

int fat_sandbox_pause(fat_budget *b)
{
  long long h = atomic_exchange(&b->hard_ns, 0); /* 0: the watchdog skips it */

  if (h == -1) {
    atomic_store(&b->hard_ns, -1);
    return 0;
  }
  b->paused_hard = h;
  b->paused_at = fat_now_ns();
  return 1;
}

void fat_sandbox_resume(fat_budget *b)
{
  int64_t dt = fat_now_ns() - b->paused_at;

  b->deadline_ns += dt;
  atomic_store(&b->hard_ns, b->paused_hard > 0 ? b->paused_hard + (long long)dt : b->paused_hard);
}

int fat_sandbox_disarm(fat_budget *b)
{
  lua_sethook(b->L, NULL, 0, 0);
  b->armed = 0;
  return atomic_exchange(&b->hard_ns, 0) == -1;
}

/* }====================================================================== */

/* {======================================================================
** State
** ======================================================================= */

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

lua_State *fat_sandbox_new(fat_budget *b, const fat_limits *lim, const char *label)
{
  lua_State *L;

  memset(b, 0, sizeof *b);
  atomic_init(&b->hard_ns, 0);
  b->mem_max = lim->mem_max;
  b->instr_max = lim->instr_max;
  b->ticks_max = lim->instr_max / FAT_HOOK_EVERY;
  if (b->ticks_max == 0)
    b->ticks_max = 1;
  b->time_ms = lim->time_ms;
  snprintf(b->label, sizeof b->label, "%s", label != NULL ? label : "script");
  fat_mem_keep_heap(); /* each guia's tables come and go: see fat_mem.h */
  L = lua_newstate(sandbox_alloc, b);
  if (L == NULL) {
    pool_release(b);
    return NULL;
  }
  b->L = L;
  /* generational: each guia's tables die young (built, read by the checks,
  ** dropped); the incremental collector walked the whole state for them */
  (void)lua_gc(L, LUA_GCGEN, 0, 0);
  lua_atpanic(L, sandbox_panic);
  lua_setwarnf(L, sandbox_warn, NULL);
  wd_register(b);
  return L;
}

void fat_sandbox_close(fat_budget *b)
{
  if (b == NULL || b->L == NULL)
    return;
  wd_unregister(b);
  lua_close(b->L);
  b->L = NULL;
  pool_release(b);
}

/* Message handler: any error object becomes a string (no traceback: the
** message already carries file:line, and err->msg is short). */
int fat_sandbox_msgh(lua_State *L)
{
  if (lua_type(L, 1) == LUA_TSTRING)
    return 1;
  if (lua_type(L, 1) == LUA_TTABLE) {
    fat_sandbox_unfreeze_view(L, 1);
    lua_pushliteral(L, "mensagem");
    if (lua_rawget(L, 1) == LUA_TSTRING)
      return 1;
    lua_pop(L, 1);
  }
  lua_pushfstring(L, "erro sem mensagem (valor do tipo %s)", luaL_typename(L, 1));
  return 1;
}

/* }====================================================================== */
