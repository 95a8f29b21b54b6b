/* fat_rules.h: the Lua host for operator contract scripts (Part B).
**
** A *generation* is every script of a rules folder compiled in a sandboxed
** Lua 5.4 state, its self-tests passed, with a SHA-256 per script. The live
** generation is published in a fat_rules; a reload builds a new one beside it
** and swaps only when everything compiled and every self-test passed.
** Callers take a reference (fat_rules_acquire) for a unit of work and release
** it after: in-flight work finishes on the generation it started with.
**
** Folder layout: DIR/operators/<chave>.lua (one per operadora; <chave> is the
** operadora.script column) and DIR/scripts/<mod>.lua (require-able, e.g.
** require "faturo.base" -> DIR/scripts/faturo/base.lua).
**
** Thread safety: a fat_gen may be used from several threads; calls into Lua
** are serialized per operator (each has its own state and run mutex); see
** docs/regras.md for the design. Building a generation never holds a lock
** that readers or other reloads wait for.
**
** The sandbox (engine/regras/fat_sandbox*.c): no io/os/debug/package, text
** chunks only, frozen library and module tables, checks that keep no state
** between guias, and a budget per call (instructions, memory, wall-clock)
** that also counts the C work of pattern matching and the table/string
** functions, with a watchdog behind it.
*/
#ifndef FAT_RULES_H
#define FAT_RULES_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_contrato.h"
#include "fat_err.h"
#include "fat_finding.h"
#include "fat_model.h"
#include "fat_store.h"

typedef struct fat_rules fat_rules;
typedef struct fat_gen fat_gen;

/* Budgets for every call into Lua (0 = default). A call is one script's
** load or one guia through one operator's checks; C work (patterns,
** string.rep, table functions) counts as instructions. A watchdog stops a
** call still running max(time_ms, 1 s) after its deadline. */
typedef struct fat_limits {
  unsigned long instr_max; /* VM instructions per call (default 10,000,000) */
  size_t mem_max;          /* bytes per Lua state (default 64 MiB) */
  long time_ms;            /* wall-clock per call (default 2000) */
  long total_ms;           /* wall-clock of a whole reload (every load and
                              self-test) or self-test run (default 30000) */
} fat_limits;

/* Build the first generation from dir and publish it. When st is not NULL the
** generation is recorded in regra_geracao/regra_script (an identical active one
** is reused). Errors list every broken script/test. */
FAT_NODISCARD fat_rc fat_rules_open(const char *dir, const fat_limits *lim, fat_store *st,
                                    fat_rules **out, fat_err *err);
void fat_rules_close(fat_rules *r);

/* Rebuild from the folder; publish only if all is good, else keep the live
** generation and explain in err (script, line, test name). The build holds
** no lock; when reloads overlap, the one started last wins (an older one
** finishing later is dropped, FAT_OK). */
FAT_NODISCARD fat_rc fat_rules_reload(fat_rules *r, fat_store *st, fat_err *err);

/* Reload in a new detached thread (for a server's SIGHUP: the signal thread
** never runs Lua). The thread opens its own store on db_path (NULL = do not
** record), reloads, and calls done(ud, rc, err) from that thread (done may
** be NULL). r stays valid until the thread ends even if fat_rules_close is
** called meanwhile. Error only when the thread could not start. */
FAT_NODISCARD fat_rc fat_rules_reload_bg(fat_rules *r, const char *db_path,
                                         void (*done)(void *ud, fat_rc rc, const fat_err *err),
                                         void *ud, fat_err *err);

/* Publish a draft of one operator: build a generation from the folder with
** operadora's script replaced by text[0..len) (compile, validate, every
** self-test), and only then write the file operators/<operadora>.lua
** atomically (temp file + rename), record the generation (motivo
** "publicacao de <operadora>") when st is not NULL, and publish it. On any
** failure nothing changes: the folder keeps its file and the live
** generation stays; err says why (script, line, test). */
FAT_NODISCARD fat_rc fat_rules_publicar(fat_rules *r, fat_store *st, const char *operadora,
                                        const char *text, size_t len, fat_err *err);

/* Take / drop a reference to the live generation. Never NULL after open. */
fat_gen *fat_rules_acquire(fat_rules *r);
void fat_gen_release(fat_gen *g);

/* Build a standalone generation (not published, not stored), optionally with
** the script of one operator replaced by a draft file: for `regras simular`,
** the panel's draft check and `regras testar`. override_key/override_path may
** be NULL. Every script must compile and its declaration validate; the
** self-tests are NOT required to pass here (run fat_gen_selftest for the
** report): only fat_rules_open/reload/publicar/revert gate publication on
** them. dir NULL: FAT_EINVAL saying how to name the rules folder. Release
** with fat_gen_release(). */
FAT_NODISCARD fat_rc fat_gen_build(const char *dir, const char *override_key,
                                   const char *override_path, const fat_limits *lim,
                                   fat_gen **out, fat_err *err);

/* The same with the draft given as text (key's script replaced by
** text[0..len); nothing is written anywhere). */
FAT_NODISCARD fat_rc fat_gen_build_draft(const char *dir, const char *key, const char *text,
                                         size_t len, const fat_limits *lim, fat_gen **out,
                                         fat_err *err);

/* A copy of generation g with Lua states of its own (the same script texts,
** so the same hash, SHA-256s, id and answers), for a worker thread that
** checks guias beside other threads: each operator's state serves one call
** at a time. The self-tests are not run again. Release with
** fat_gen_release. */
FAT_NODISCARD fat_rc fat_gen_clone(fat_gen *g, fat_gen **out, fat_err *err);

int64_t fat_gen_id(const fat_gen *g);                 /* regra_geracao.id, 0 if not stored */
size_t fat_gen_count(const fat_gen *g);               /* number of operator scripts */
const char *fat_gen_key(const fat_gen *g, size_t i);  /* operator key of script i */
/* SHA-256 (hex) of an operator's script, NULL if unknown key. */
const char *fat_gen_sha256(const fat_gen *g, const char *key);

/* The operator's typed contract (fat_contrato.h), parsed once when g was
** built; every stage reads the contract here. Owned by g and immutable: valid
** while the caller holds g (no lock needed). NULL for an unknown key. */
const fat_contrato *fat_gen_contrato(const fat_gen *g, const char *key);

/* The operator's declaration as JSON, for display only (`regras mostrar`,
** the panel): functions dropped, Lua integers kept exact, plus chave, sha256,
** the names of the checks and the number of tests. Business code reads
** fat_gen_contrato. *out owned by the caller (cJSON_Delete). FAT_ENOTFOUND
** for unknown key. */
FAT_NODISCARD fat_rc fat_gen_contract(fat_gen *g, const char *key, cJSON **out, fat_err *err);

/* Run the operator's checks over one guia (the fat_guia_to_json form) with a
** read-only context (ctx: {"hoje": "AAAA-MM-DD", "historico": [guias...], ...};
** may be NULL). Findings are appended to out only when the whole run
** succeeded. A script error or a budget hit returns FAT_ERULE/FAT_ELIMIT with
** err naming script, rule and line; out is untouched. What a check returns
** is bounded too (FAT_ELIMIT naming the rule): at most 200 findings per
** check and 1000 per guia, mensagem up to 2000 bytes, campo up to 200.
** The result of a guia does not depend on the guias checked before it. */
FAT_NODISCARD fat_rc fat_gen_check(fat_gen *g, const char *key, const cJSON *guia,
                                   const cJSON *ctx, fat_findings *out, fat_err *err);

/* fat_gen_check over the guia itself: its Lua table is built straight from
** the struct (fat_guia_visit), the same table fat_gen_check builds from
** fat_guia_to_json(g), without the JSON tree in between. */
FAT_NODISCARD fat_rc fat_gen_check_guia(fat_gen *g, const char *key, const fat_guia *guia,
                                        const cJSON *ctx, fat_findings *out, fat_err *err);

/* A field of the scripts' ctx that the host computes only when a check
** reads it (conferir's `historico`: a query per guia that only some checks
** need). fn gives the field's JSON value (owned by the host and alive until
** the check call returns; NULL = the field is absent); it runs at most once
** per call, inside the call but outside the rule's time budget. A failure
** (FAT_EDB, FAT_ENOMEM...) fails the call with fn's error, even when the
** check catches it with pcall. To scripts the field is an ordinary ctx
** field: read, pairs and next see it as if it had been there from the
** start. */
/* One guia of conferir's ctx.historico as the host hands it over (the
** `hist` form of a lazy field): the script sees
**   {id=, tipo=, numero_prestador=, data_inicio=, tipo_consulta=, status=,
**    executante={conselho=, numero_conselho=, uf=, cpf=, cbo=},
**    carteira_numero=, cns=, beneficiario={cpf=}, itens={{codigo=}, ...}}
** with a NULL text an absent field, executante and beneficiario present
** when has_* is set, and one {codigo=} per code of the comma-separated
** codigos (each cut to 31 bytes; NULL = none): the table the JSON form of
** the same row gave (fat_rules_json_push), key by key, in the same order. */
typedef struct fat_rules_hist {
  int64_t id;
  const char *tipo, *numero_prestador, *data_inicio, *tipo_consulta, *status;
  int has_executante;
  const char *executante[5]; /* conselho, numero_conselho, uf, cpf, cbo */
  const char *carteira_numero, *cns;
  int has_beneficiario;
  const char *beneficiario_cpf;
  const char *codigos;
  char status_buf[16]; /* room for a status the host replaces (status may point here) */
} fat_rules_hist;

/* fn gives the field's JSON value; or, when hist is set (fn then unused),
** the field is the list of rows hist gives (owned by the host, alive until
** the check call returns), pushed straight into Lua tables without a JSON
** tree in between. */
typedef struct fat_rules_lazy {
  const char *name;
  fat_rc (*fn)(void *ud, const cJSON **out, fat_err *err);
  void *ud;
  fat_rc (*hist)(void *ud, const fat_rules_hist **rows, size_t *n, fat_err *err);
} fat_rules_lazy;

/* fat_gen_check_guia with a lazy ctx field (lazy may be NULL; its name
** must not be a key of ctx). */
FAT_NODISCARD fat_rc fat_gen_check_guia_lazy(fat_gen *g, const char *key, const fat_guia *guia,
                                             const cJSON *ctx, const fat_rules_lazy *lazy,
                                             fat_findings *out, fat_err *err);

/* Run the self-tests of one operator (key) or of all (key NULL), within
** lim.total_ms for the whole run. *report is
** {"ok":bool,"testes":[{"operadora":..,"nome":..,"ok":bool,"erro":..}]}
** (also set with FAT_ERULE). Returns FAT_ERULE when any test failed. */
FAT_NODISCARD fat_rc fat_gen_selftest(fat_gen *g, const char *key, cJSON **report,
                                      fat_err *err);

/* ---- versions, rollback and the running server (Part B additions) ---- */

/* Record g in regra_geracao/regra_script as the active generation (who =
** fat_store_user, motivo e.g. "carga", "recarga", "reversao de 3"), in one
** transaction; when the active generation has identical contents it is reused
** and nothing is written. Sets fat_gen_id(g). */
FAT_NODISCARD fat_rc fat_gen_record(fat_gen *g, fat_store *st, const char *motivo, fat_err *err);

/* Build (not publish) a generation from the contents stored for version
** `version` (regra_geracao.id). FAT_ENOTFOUND when there is no such version. */
FAT_NODISCARD fat_rc fat_gen_build_version(fat_store *st, int64_t version, const fat_limits *lim,
                                           fat_gen **out, fat_err *err);

/* fat_rules_revert flags: when the folder has edits that were never
** published, keep a copy of each (<file>.antes-da-reversao-AAAAMMDD-HHMMSS)
** and revert anyway, instead of refusing. */
#define FAT_RULES_REVERTER_FORCAR 1u

/* Rollback: build the stored version, and only if it compiles and every
** self-test passes, write its scripts back into dir (operators/, and
** scripts/ modules whose text differs from what the folder resolves;
** operator scripts absent from that version are renamed to
** <name>.lua.removido-vN) and record it as a new active generation with
** motivo "reversao de N". Refuses with FAT_ESTATE, changing nothing, when
** the folder differs from the active generation (edits not published),
** unless flags has FAT_RULES_REVERTER_FORCAR. *new_id (may be NULL) gets the
** new generation id. */
FAT_NODISCARD fat_rc fat_rules_revert(const char *dir, fat_store *st, int64_t version,
                                      const fat_limits *lim, unsigned flags, int64_t *new_id,
                                      fat_err *err);

/* The same for a running server: the folder of r is rewritten and the
** version is published in r at once (no separate reload). */
FAT_NODISCARD fat_rc fat_rules_revert_live(fat_rules *r, fat_store *st, int64_t version,
                                           unsigned flags, int64_t *new_id, fat_err *err);

/* The folder a fat_rules / fat_gen was built from ("" for a stored version). */
const char *fat_rules_dir(const fat_rules *r);
const char *fat_gen_dir(const fat_gen *g);
/* Number of scripts/ modules the generation required, and their keys
** ("scripts/faturo/base") and SHA-256. */
size_t fat_gen_module_count(const fat_gen *g);
const char *fat_gen_module_key(const fat_gen *g, size_t i);
const char *fat_gen_module_sha256(const fat_gen *g, size_t i);

/* SHA-256 over every "chave sha256" of the generation (operators and modules,
** sorted): equal hashes = identical contents. */
const char *fat_gen_hash(const fat_gen *g);

/* The stored generations, newest first, as a JSON array of
** {id, criado_em, usuario, ativa, origem, motivo, n_scripts, n_testes, hash,
**  scripts:[{chave, sha256}]}. *out owned by the caller (cJSON_Delete). */
FAT_NODISCARD fat_rc fat_rules_versions(fat_store *st, cJSON **out, fat_err *err);

/* Id and hash of the active stored generation; *id = 0 when none. hash may be
** NULL, else receives 65 bytes. */
FAT_NODISCARD fat_rc fat_rules_active(fat_store *st, int64_t *id, char *hash, fat_err *err);

#endif
