/* fat_sandbox_int.h: the Lua sandbox every operator script runs in (internal
** to engine/regras and its tests).
**
** A sandboxed state has a capped allocator and a count hook that share one
** fat_budget. The budget bounds every call into Lua (instructions, memory,
** wall-clock), and C library work is charged to the same instruction budget
** (fat_sandbox_charge): pattern matching, string.rep, table.move/insert/
** remove/concat/sort and load. A watchdog thread enforces a hard deadline
** behind the hook. Library and module tables are frozen (read-only) so that a
** check cannot change what later guias see, and functions reachable from the
** checks may not assign to variables declared outside them (the same
** guarantee for locals). docs/regras.md describes the sandbox for rule
** authors.
*/
#ifndef FAT_SANDBOX_INT_H
#define FAT_SANDBOX_INT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <lua.h>

#include "fat_rules.h"

/* VM instructions between two runs of the count hook. */
#define FAT_HOOK_EVERY 1000

/* The state's small blocks (strings, tables, closures: most of a guia's
** allocations) come from size classes of 16 bytes up to this size, kept on
** per-state free lists carved from slabs; larger ones from the C heap. */
#define FAT_POOL_MAX 256
#define FAT_POOL_CLASSES (FAT_POOL_MAX / 16)

/* Why a budget tripped. */
enum { FAT_BUD_NONE = 0, FAT_BUD_INSTR, FAT_BUD_TIME, FAT_BUD_MEM, FAT_BUD_HARD };

/* Budget of one Lua state. It is the allocator's ud, so it must outlive the
** state (lua_close frees through the allocator). */
typedef struct fat_budget {
  size_t mem_used, mem_max;       /* bytes */
  size_t mem_peak;                /* most mem_used reached since the call was armed */
  unsigned long ticks, ticks_max; /* 1 tick = FAT_HOOK_EVERY instructions */
  unsigned long charge;           /* C work units not yet turned into ticks */
  int64_t deadline_ns;            /* soft deadline of the running call (monotonic) */
  long time_ms;                   /* per call */
  unsigned long instr_max;        /* per call */
  int tripped;                    /* FAT_BUD_* */
  int armed;                      /* a call is running */
  int outer;                      /* the deadline is the reload's / self-test run's */
  int no_hook;                    /* tests only: run without the count hook */
  int sys_oom;                    /* the system (not the budget) refused memory */
  int64_t paused_at;              /* fat_sandbox_pause: when (monotonic ns) */
  long long paused_hard;          /* fat_sandbox_pause: the hard deadline it held */
  const void *fail_ptr;           /* last refused request: Lua retries it after */
  size_t fail_osize, fail_nsize;  /* an emergency collection */
  void *pool_free[FAT_POOL_CLASSES]; /* free small blocks by class (16, 32, ... bytes) */
  void *pool_slabs;               /* slabs of the pool (first word: the next one) */
  char *pool_cur;                 /* the newest slab's unused rest */
  size_t pool_left;
  lua_State *L;
  char where[160];                /* "operators/x.lua:12" where it tripped */
  char label[96];                 /* what the watchdog reports ("operators/x.lua") */
  /* watchdog */
  atomic_llong hard_ns;           /* 0 idle, > 0 hard deadline, -1 killed by the watchdog */
  struct fat_budget *wd_prev, *wd_next;
  int wd_on;                      /* registered */
} fat_budget;

/* A new sandboxed state whose allocator and hook use b (memset and filled
** here from lim; b must outlive the state). label names it in the
** watchdog's report. NULL when out of memory. Close with fat_sandbox_close. */
lua_State *fat_sandbox_new(fat_budget *b, const fat_limits *lim, const char *label);
/* lua_close the state and take its budget off the watchdog. NULL ok. */
void fat_sandbox_close(fat_budget *b);

/* Open the allowed libraries with their bounded versions, strip what is not
** allowed and freeze _G and the library tables. Must run inside lua_pcall
** (it raises on out-of-memory). require_fn becomes the global require (the
** rules host resolves modules; NULL = no require). */
void fat_sandbox_setup(lua_State *L, lua_CFunction require_fn);

/* Arm the budget for one call: fresh instruction count, deadline = now +
** time_ms, or outer_ns when that is earlier (a reload's or a self-test run's
** deadline; 0 = none), hard deadline for the watchdog, count hook. */
void fat_sandbox_arm(fat_budget *b, int64_t outer_ns);
/* End of the call: hook off, watchdog disarmed. Returns 1 when the watchdog
** killed the call. */
int fat_sandbox_disarm(fat_budget *b);

/* The budget of L (the allocator's ud). */
fat_budget *fat_sandbox_budget(lua_State *L);

/* Charge units of C work (about one VM instruction each) to the running
** call. When the budget is exhausted (instructions, deadline or watchdog)
** the budget trips and this raises the budget error; from then on every
** instruction raises, so a pcall in the script cannot swallow it. */
void fat_sandbox_charge(lua_State *L, unsigned long units);

/* pt-BR reason of a tripped budget ("limite de instruções excedido"). */
const char *fat_sandbox_reason(const fat_budget *b);

/* Message handler for lua_pcall: any error object becomes a string. */
int fat_sandbox_msgh(lua_State *L);

/* A depth-first walk over a graph of Lua values, without C recursion: the
** work list is a Lua table (a stack of values still to visit) and a second
** table remembers what was visited, so a value reached twice is visited once
** and cycles end. */
typedef struct fat_sandbox_walk {
  int work;       /* stack index of the work list */
  lua_Integer n;  /* values on the work list */
} fat_sandbox_walk;

/* Called once for each table or function reached; v is its stack index and
** type its lua_type. The visitor queues what should be visited after it with
** fat_sandbox_walk_push and may leave values on the stack (the walk drops
** them). */
typedef void (*fat_sandbox_visit)(lua_State *L, int v, int type, fat_sandbox_walk *w);

/* Pops the value on top of the stack onto the walk's work list. */
void fat_sandbox_walk_push(lua_State *L, fat_sandbox_walk *w);

/* Walks every table and function reachable from the value at idx, calling
** visit for each. Runs inside lua_pcall (it may raise "tabelas aninhadas
** demais" and whatever visit raises). */
void fat_sandbox_walk_from(lua_State *L, int idx, fat_sandbox_visit visit);

/* Freeze every table reachable from the value at idx (tables, metatables,
** function upvalues): each table keeps its identity but its contents move to
** a hidden table and any write raises "somente leitura". pairs, ipairs, #,
** next, rawget and rawlen see the contents as before. Runs inside lua_pcall. */
void fat_sandbox_freeze(lua_State *L, int idx);

/* If the table at idx is frozen, replace it in place (same index) by its
** hidden contents table (for C code that reads with raw access). */
void fat_sandbox_unfreeze_view(lua_State *L, int idx);

/* Host views: tables the host fills as a check reads them (the guia, a
** lazy ctx field). Such a table's metatable holds, under this light
** userdata key, a C function that completes the view: called with the
** table, it returns the table holding everything raw access must see (the
** table itself once completed, or a hidden table). next, rawget, rawlen,
** pairs and fat_sandbox_unfreeze_view look through it as through a frozen
** table. The metatable must be protected (__metatable) so that a script
** cannot reach it. */
const void *fat_sandbox_view_key(void);

/* next(t [, k]) looking through frozen tables and host views (the
** sandbox's next; a view's __pairs returns it). */
int fat_sandbox_next(lua_State *L);

/* Host work inside a call (a query a check asked for by reading a lazy
** ctx field) is not the script's time: pause the budget's clocks (soft
** deadline and the watchdog's hard one) around it. fat_sandbox_pause
** returns 0 when the call was already killed by the watchdog (then do not
** resume); fat_sandbox_resume moves both deadlines by the time paused. */
int fat_sandbox_pause(fat_budget *b);
void fat_sandbox_resume(fat_budget *b);

/* Refuse functions that keep state between calls: every Lua function
** reachable from the value at idx (through tables and upvalues) is checked
** for assignments to a variable declared outside it (an upvalue that
** outlives the call). On the first one, raises an error naming the source,
** line and variable. Runs inside lua_pcall. */
void fat_sandbox_refuse_state(lua_State *L, int idx);

/* The bounded pattern functions (find, match, gmatch, gsub) set into the
** table at idx (the string library). */
void fat_sandbox_open_patterns(lua_State *L, int idx);

#endif
