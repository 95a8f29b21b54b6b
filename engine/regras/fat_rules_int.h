/* fat_rules_int.h: rules internals for tests, the bench and the CLI verb.
**
** Not part of the public API: the sandbox evaluator used by the hostile-script
** tests, the SHA-256 helper and the knobs of the hook.
*/
#ifndef FAT_RULES_INT_H
#define FAT_RULES_INT_H

#include <stddef.h>

#include "fat_rules.h"

/* VM instructions between two runs of the count hook. */
#define FAT_HOOK_EVERY 1000

/* Hex SHA-256 (64 chars + NUL) of data (libsodium crypto_hash_sha256). */
void fat_sha256_hex(const void *data, size_t len, char out[65]);

/* Run one text chunk `src` in a fresh sandboxed state built exactly like an
** operator's (same libraries, locked _G, require resolving under
** dir/scripts, budgets from lim). The first result is returned in *out as text:
** strings as they are, tables as compact JSON, other values via tostring.
** Returns FAT_ELIMIT when a budget was hit, FAT_ERULE for a Lua error (message
** in err), FAT_OK otherwise. *out owned by the caller (fat_free). dir may be
** NULL (then require fails). */
FAT_NODISCARD fat_rc fat_rules_sandbox_eval(const char *dir, const char *src, const fat_limits *lim,
                                            char **out, fat_err *err);

/* Memory in use (bytes) by the Lua state of operator key, 0 if unknown. */
size_t fat_gen_mem_used(fat_gen *g, const char *key);

#endif
