/* fat_rules_chunk.c: the scripts/ modules compiled once per process (see
** fat_rules_chunk.h). */
#include "fat_rules_chunk.h"

#include <pthread.h>
#include <string.h>

#include <lauxlib.h>

#include "fat_mem.h"

#define CHUNKS_MAX 32              /* distinct module texts kept */
#define CHUNK_BYTES_MAX (4u << 20) /* bigger bytecode is not kept */

typedef struct chunk {
  char sha[65];
  char *name;
  unsigned char *code;
  size_t len;
} chunk;

static pthread_mutex_t chunks_mu = PTHREAD_MUTEX_INITIALIZER;
static chunk chunks[CHUNKS_MAX];
static size_t n_chunks;
static unsigned long chunk_hits;

typedef struct dump_buf {
  unsigned char *p;
  size_t len, cap;
} dump_buf;

static int dump_write(lua_State *L, const void *p, size_t sz, void *ud)
{
  dump_buf *d = ud;

  (void)L;
  if (sz > CHUNK_BYTES_MAX - d->len)
    return 1;
  if (d->len + sz > d->cap) {
    size_t cap = d->cap ? d->cap : 16384;
    unsigned char *np;

    while (cap < d->len + sz)
      cap *= 2;
    np = fat_realloc(d->p, cap);
    if (np == NULL)
      return 1;
    d->p = np;
    d->cap = cap;
  }
  memcpy(d->p + d->len, p, sz);
  d->len += sz;
  return 0;
}

/* The entry for (sha, name), or NULL; caller holds chunks_mu. */
static const chunk *chunk_find(const char *sha, const char *name)
{
  size_t i;

  for (i = 0; i < n_chunks; i++)
    if (strcmp(chunks[i].sha, sha) == 0 && strcmp(chunks[i].name, name) == 0)
      return &chunks[i];
  return NULL;
}

/* Keep the bytecode of the function at the top of L's stack (just loaded
** from text): a full cache, a dump failure or no memory only skip it. */
static void chunk_keep(lua_State *L, const char *sha, const char *name)
{
  dump_buf d;
  char *nm;

  memset(&d, 0, sizeof d);
  pthread_mutex_lock(&chunks_mu);
  if (n_chunks >= CHUNKS_MAX || chunk_find(sha, name) != NULL) {
    pthread_mutex_unlock(&chunks_mu);
    return;
  }
  pthread_mutex_unlock(&chunks_mu);
  if (lua_dump(L, dump_write, &d, 0) != 0 || d.len == 0) {
    fat_free(d.p);
    return;
  }
  nm = fat_strdup(name);
  pthread_mutex_lock(&chunks_mu);
  if (nm != NULL && n_chunks < CHUNKS_MAX && chunk_find(sha, name) == NULL) {
    chunk *c = &chunks[n_chunks];

    memcpy(c->sha, sha, sizeof c->sha - 1);
    c->sha[sizeof c->sha - 1] = '\0';
    c->name = nm;
    c->code = d.p;
    c->len = d.len;
    n_chunks++; /* published last: readers only look below n_chunks */
    nm = NULL;
    d.p = NULL;
  }
  pthread_mutex_unlock(&chunks_mu);
  fat_free(nm);
  fat_free(d.p);
}

int fat_rules_chunk_load(lua_State *L, const char *text, size_t len, const char *sha,
                         const char *name)
{
  const chunk *c;
  int st;

  if (sha == NULL || strlen(sha) != 64)
    return luaL_loadbufferx(L, text, len, name, "t");
  pthread_mutex_lock(&chunks_mu);
  c = chunk_find(sha, name);
  if (c != NULL)
    chunk_hits++;
  pthread_mutex_unlock(&chunks_mu);
  if (c != NULL) /* entries stay until the process ends: no lock needed to read */
    return luaL_loadbufferx(L, (const char *)c->code, c->len, name, "b");
  st = luaL_loadbufferx(L, text, len, name, "t");
  if (st == LUA_OK)
    chunk_keep(L, sha, name);
  return st;
}

size_t fat_rules_chunk_kept(void)
{
  size_t n;

  pthread_mutex_lock(&chunks_mu);
  n = n_chunks;
  pthread_mutex_unlock(&chunks_mu);
  return n;
}

unsigned long fat_rules_chunk_hits(void)
{
  unsigned long n;

  pthread_mutex_lock(&chunks_mu);
  n = chunk_hits;
  pthread_mutex_unlock(&chunks_mu);
  return n;
}
