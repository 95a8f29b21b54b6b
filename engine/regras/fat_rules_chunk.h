/* fat_rules_chunk.h: the scripts/ modules compiled once per process.
**
** Every operator script runs in its own lua_State and requires the same
** shared modules (faturo.base, faturo.checks, ...): each build compiled each
** module once per operator, ~10% of the instructions of a short verb such as
** `faturo retorno importar` (Part M, docs/desempenho.md, round 11). The
** first compilation of a module's text is dumped (lua_dump, with its debug
** information: the same chunk name and line numbers in every message) and
** the next states load that bytecode. The cache is keyed by the SHA-256 of
** the text and by the chunk name, so a changed file is compiled again; it is
** bounded and shared by the threads (a mutex; entries are never freed while
** the process runs). Only faturo's own dump is ever loaded as bytecode:
** scripts themselves are still loaded as text only. */
#ifndef FAT_RULES_CHUNK_H
#define FAT_RULES_CHUNK_H

#include <stddef.h>

#include <lua.h>

/* luaL_loadbufferx(L, text, len, name, "t"), or the cached bytecode of the
** same text (sha: its SHA-256 in hex) and name. Same results and errors. */
int fat_rules_chunk_load(lua_State *L, const char *text, size_t len, const char *sha,
                         const char *name);

/* Chunks kept and loads served from the cache (tests). */
size_t fat_rules_chunk_kept(void);
unsigned long fat_rules_chunk_hits(void);

#endif
