/* fat_rules_int.h: rules internals shared by engine/regras/fat_rules*.c and
** used by the rules tests and the bench. Not part of the public API.
**
** The files of the rules host:
**   fat_sandbox*.c      the sandbox (budget, watchdog, libraries, patterns)
**   fat_rules_json.c    Lua <-> JSON
**   fat_rules_gen.c     building a generation (require, declaration, contract)
**   fat_rules_nativo.c  the C readers of faturo.dinheiro (money, quantities)
**   fat_rules_check.c   running the checks over a guia, self-tests
**   fat_rules_store.c   generations in the store, versions, rollback
**   fat_rules.c         the published generation: reload, publish, revert
**   fat_contrato*.c     the typed contract of each operator
*/
#ifndef FAT_RULES_INT_H
#define FAT_RULES_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include <lua.h>

#include "fat_contrato.h"
#include "fat_mem.h"
#include "fat_rules.h"
#include "fat_sandbox_int.h"

#define FAT_RULES_SCRIPT_MAX (1024 * 1024) /* bytes per script file */
#define FAT_RULES_JSON_DEPTH 48            /* nesting for JSON <-> Lua conversion */

/* What one check may return, and one guia collect (docs/regras.md). */
#define FAT_RULES_ACHADOS_CHECK 200
#define FAT_RULES_ACHADOS_GUIA 1000
#define FAT_RULES_MENSAGEM_MAX 2000 /* bytes of a finding's mensagem */
#define FAT_RULES_CAMPO_MAX 200     /* bytes of a finding's campo */

/* One script text: an operator's or a scripts/ module's. */
typedef struct fat_rules_file {
  char *chave; /* "operators/aurora" or "scripts/faturo/base" */
  char *text;
  size_t len;
  char sha[65];
  /* a module's text compiled by Lua (lua_dump, with its line info) when a
  ** build first loaded it: the other states of the build, and the copies
  ** of the generation (fat_gen_clone), load it instead of compiling the
  ** same text again; NULL until then, and for operator scripts */
  char *bc;
  size_t bc_len;
} fat_rules_file;

typedef struct fat_rules_check {
  char *name;
  int ref;
  int line;
  char sha[65]; /* of the file defining the function ("" if unknown) */
} fat_rules_check;

/* Push the frozen module faturo.nativo (fat_rules_nativo.c): centavos(f)
** and quantidade_e4(f) return C closures that read the plain forms of money
** ("1234.56") and quantity ("2.0000") in C and call the Lua function f for
** any other input, so scripts/faturo/dinheiro.lua keeps its results and
** errors. Runs inside lua_pcall (raises on out of memory). */
void fat_rules_push_nativo(lua_State *L);

typedef struct fat_rules_view fat_rules_view;

/* One operator of a generation: its state, checks, contract and tests. */
typedef struct fat_rules_op {
  char *key;
  fat_rules_file file;
  fat_budget bud;
  lua_State *L;
  pthread_mutex_t mu; /* serializes every call into L */
  int mu_ok;
  fat_rules_check *checks;
  size_t n_checks;
  cJSON *contract;    /* display view of the declaration */
  fat_contrato *contrato; /* the typed contract every stage reads */
  cJSON *tests;       /* array of {nome, guia, ctx, espera, nao_espera, sem_achados} */
  void *run;          /* the check run in progress (fat_rules_check.c), for the
                         host views' C functions; NULL between calls */
  fat_rules_view *view; /* the guia's Lua view (fat_rules_view.c), NULL until used */
} fat_rules_op;

struct fat_gen {
  atomic_long refs;
  int64_t id;
  char *dir;
  fat_limits lim;
  fat_rules_op **ops; /* sorted by key */
  size_t n_ops;
  fat_rules_file *mods;
  size_t n_mods, cap_mods;
  char hash[65]; /* over every (chave, sha) */
};

/* Where build-time code (require) reads script text from. */
typedef struct fat_rules_source {
  const char *dir;            /* folder, or NULL for stored contents */
  const fat_rules_file *stored; /* stored (chave, text) pairs */
  size_t n_stored;
  const char *override_key;   /* draft replacing one operator... */
  const char *override_text;  /* ...given as text (owned by the caller) */
  size_t override_len;
} fat_rules_source;

/* ---- helpers (fat_rules_gen.c) ---- */

void fat_rules_file_fini(fat_rules_file *f);
void fat_rules_files_free(fat_rules_file *v, size_t n);
/* Fill unset limits with the defaults. */
void fat_rules_limits_fill(fat_limits *dst, const fat_limits *src);
/* Operator keys are [a-z0-9_-]{1,64}. */
int fat_rules_valid_key(const char *k, size_t n);
/* File of chave under the rules folder dir: operators/ in dir; modules in
** dir/scripts, else in the installed shared modules (fat_paths). Caller
** frees. When for_write, modules always map into dir/scripts. */
char *fat_rules_file_path(const char *dir, const char *chave, int for_write);
/* Operator keys of the source, sorted (with the override). */
FAT_NODISCARD fat_rc fat_rules_list_ops(const fat_rules_source *src, char ***out, size_t *n,
                                        fat_err *err);
void fat_rules_free_strv(char **v, size_t n);
fat_rules_op *fat_rules_gen_find(const fat_gen *g, const char *key);

/* Append "; msg" to a bounded list of build errors. */
void fat_rules_errs_add(fat_buf *errs, const char *msg);
/* Raw field k of the table at idx, pushed; returns its type. */
int fat_rules_rawfield(lua_State *L, int idx, const char *k);
/* The Lua error on top of L as text (copied: it dies with the next call). */
void fat_rules_lua_msg(lua_State *L, char *buf, size_t len);
/* now + ms, on the monotonic clock (ns). */
int64_t fat_rules_deadline_after(long ms);

/* ---- checks and self-tests (fat_rules_check.c) ---- */

/* Take op->mu; gives up (FAT_ELIMIT) instead of waiting forever when the
** call holding it was killed by the watchdog and has not come back. */
FAT_NODISCARD fat_rc fat_rules_op_lock(fat_rules_op *op, fat_err *err);
/* The self-tests of key (NULL = all) with one deadline for the whole run. */
FAT_NODISCARD fat_rc fat_rules_selftest_run(fat_gen *g, const char *key, int64_t deadline,
                                            cJSON **report, fat_err *err);

/* Build a generation from src. When gate is set every self-test must pass.
** The whole build (every script and, with gate, every self-test) has the
** deadline lim->total_ms. */
FAT_NODISCARD fat_rc fat_rules_gen_build(const fat_rules_source *src, const fat_limits *lim,
                                         int gate, fat_gen **out, fat_err *err);

/* Out of C memory inside a check run of op: flag the run (the call fails
** with FAT_ENOMEM) and raise. */
void fat_rules_run_oom(lua_State *L, fat_rules_op *op);

/* ---- the guia's view (fat_rules_view.c) ---- */

/* Push the Lua view of g for a check run of op (op->run set): a table
** that reads like fat_rules_json_push(fat_guia_to_json(g)) but whose
** fields are made when first read, in tables pooled in op's state and
** cleared for the next guia. g must stay unchanged until the call
** returns. Inside lua_pcall (raises). */
void fat_rules_view_push(lua_State *L, fat_rules_op *op, const fat_guia *g);
/* The call is over: the view shows nothing until the next push. NULL ok. */
void fat_rules_view_end(fat_rules_view *v);
/* Free the C side of a view (the Lua side dies with the state). NULL ok. */
void fat_rules_view_free(fat_rules_view *v);

/* ---- Lua <-> JSON (fat_rules_json.c), inside lua_pcall ---- */

/* Push j as a fresh Lua value (objects and arrays as plain tables). */
void fat_rules_json_push(lua_State *L, const cJSON *j, int depth);
/* The Lua value at idx as JSON, appended to holder (which owns it until
** the caller detaches it); functions dropped; at depth 0 the keys in skip
** (NULL-terminated) are dropped too. Raises on cycles, odd keys, OOM. */
cJSON *fat_rules_json_from_lua(lua_State *L, int idx, cJSON *holder, const char *const *skip);

/* ---- store (fat_rules_store.c) ---- */

/* Stored (chave, conteudo) of a version; FAT_ENOTFOUND when absent. */
FAT_NODISCARD fat_rc fat_rules_load_version(fat_store *st, int64_t version, fat_rules_file **out,
                                            size_t *n, fat_err *err);
/* Build the stored version with every self-test passing. */
FAT_NODISCARD fat_rc fat_rules_build_version_gated(fat_store *st, int64_t version,
                                                   const fat_limits *lim, fat_gen **out,
                                                   fat_err *err);
/* Write g (built from stored version `version`) into the folder dir: refuse
** with FAT_ESTATE when the folder has changes the active generation does
** not have, unless flags has FAT_RULES_REVERTER_FORCAR (then keep a copy of
** each changed file). Operator scripts absent from g are renamed to
** <name>.lua.removido-vN. */
FAT_NODISCARD fat_rc fat_rules_folder_write(const char *dir, fat_store *st, const fat_gen *g,
                                            int64_t version, unsigned flags, fat_err *err);

/* ---- tests and the bench ---- */

/* Run one text chunk `src` in a fresh sandboxed state built exactly like an
** operator's (same libraries, frozen _G, require resolving under
** dir/scripts, budgets from lim). The first result is returned in *out as
** text: strings as they are, tables as compact JSON, other values via
** tostring. Returns FAT_ELIMIT when a budget was hit, FAT_ERULE for a Lua
** error (message in err), FAT_OK otherwise. *out owned by the caller
** (fat_free). dir may be NULL (then require fails). When no_hook is set
** the count hook is not installed (tests of the watchdog). */
FAT_NODISCARD fat_rc fat_rules_sandbox_eval(const char *dir, const char *src, const fat_limits *lim,
                                            int no_hook, char **out, fat_err *err);

/* Memory in use (bytes) by the Lua state of operator key, 0 if unknown. */
size_t fat_gen_mem_used(fat_gen *g, const char *key);
/* The most memory (bytes) that state held during its last call (a check run
** or self-test): what mem_max bounds. 0 if unknown. */
size_t fat_gen_mem_peak(fat_gen *g, const char *key);

/* Operator builds begun in this process (its text already read): tests
** wait on it to know a background reload is past reading the folder. */
extern atomic_long fat_rules_ops_started;

/* Tests: make every call into operator key run without the count hook (so
** only the watchdog can stop it). */
void fat_gen_test_no_hook(fat_gen *g, const char *key);

#endif
