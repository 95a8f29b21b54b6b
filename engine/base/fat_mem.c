#include "fat_mem.h"

#include <errno.h>
#include <malloc.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

static long fail_after = -1; /* test-only fault injection; not thread-safe by design */

static int alloc_should_fail(void)
{
  if (fail_after < 0)
    return 0;
  if (fail_after == 0)
    return 1;
  fail_after--;
  return 0;
}

void fat_test_fail_alloc_after(long n) { fail_after = n; }

int fat_test_alloc_fails(void) { return alloc_should_fail(); }

/* {====================================================================
** Per-thread cache of small blocks (fat_mem.h, fat_blk_*)
** ===================================================================== */

/* Sanitizer builds keep our own blocks out of the cache: every free of
** them must reach the sanitizer's allocator, or a use after free is not
** seen. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define BLK_LIBC 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) ||                    \
    __has_feature(memory_sanitizer)
#define BLK_LIBC 0
#endif
#endif
#ifndef BLK_LIBC
#define BLK_LIBC 1
#endif

#define BLK_CLASS_MAX 4096 /* blocks of one class kept by a thread */

typedef struct blk_tls {
  void *head[FAT_BLK_KINDS][FAT_BLK_CLASSES]; /* linked through their first word */
  unsigned short n[FAT_BLK_KINDS][FAT_BLK_CLASSES];
  size_t bytes[FAT_BLK_KINDS];
  unsigned long hits[FAT_BLK_KINDS];
  size_t cap; /* bytes kept per kind (fat_blk_set_cap); 0: FAT_BLK_MAX_BYTES */
  int state; /* 0: no block kept yet; 1: drained at thread exit; 2: exited */
} blk_tls;

static _Thread_local blk_tls blk;
static pthread_key_t blk_key;
static pthread_once_t blk_key_once = PTHREAD_ONCE_INIT;
static int blk_key_ok;
static void (*blk_real_free[FAT_BLK_KINDS])(void *) = {free, NULL};

static void blk_drain_tls(blk_tls *t, int kind)
{
  unsigned c;

  for (c = 0; c < FAT_BLK_CLASSES; c++) {
    while (t->head[kind][c] != NULL) {
      void *p = t->head[kind][c];

      t->head[kind][c] = *(void **)p;
      blk_real_free[kind](p);
    }
    t->n[kind][c] = 0;
  }
  t->bytes[kind] = 0;
}

/* The thread exits: its lists go back to their allocators, and what it
** frees after this is not kept. */
static void blk_thread_exit(void *arg)
{
  blk_tls *t = arg;
  int k;

  for (k = 0; k < FAT_BLK_KINDS; k++)
    if (blk_real_free[k] != NULL)
      blk_drain_tls(t, k);
  t->state = 2;
}

static void blk_key_create(void) { blk_key_ok = pthread_key_create(&blk_key, blk_thread_exit) == 0; }

void fat_blk_set_free(int kind, void (*real_free)(void *))
{
  if (kind >= 0 && kind < FAT_BLK_KINDS)
    blk_real_free[kind] = real_free;
}

void *fat_blk_get(int kind, unsigned cls)
{
  void *p;

  if (cls >= FAT_BLK_CLASSES || blk.head[kind][cls] == NULL)
    return NULL;
  p = blk.head[kind][cls];
  blk.head[kind][cls] = *(void **)p;
  blk.n[kind][cls]--;
  blk.bytes[kind] -= (size_t)cls * 16;
  blk.hits[kind]++;
  return p;
}

int fat_blk_put(int kind, unsigned cls, void *p)
{
  if (cls >= FAT_BLK_CLASSES || blk.n[kind][cls] >= BLK_CLASS_MAX ||
      blk.bytes[kind] + (size_t)cls * 16 > fat_blk_cap() || blk_real_free[kind] == NULL)
    return 0;
  if (blk.state != 0) {
    if (blk.state == 2)
      return 0;
  } else {
    /* the first block this thread keeps: have its lists drained at exit */
    pthread_once(&blk_key_once, blk_key_create);
    if (!blk_key_ok || pthread_setspecific(blk_key, &blk) != 0)
      return 0;
    blk.state = 1;
  }
  *(void **)p = blk.head[kind][cls];
  blk.head[kind][cls] = p;
  blk.n[kind][cls]++;
  blk.bytes[kind] += (size_t)cls * 16;
  return 1;
}

void fat_blk_drain(int kind)
{
  if (kind >= 0 && kind < FAT_BLK_KINDS && blk_real_free[kind] != NULL)
    blk_drain_tls(&blk, kind);
}

unsigned long fat_blk_hits(int kind) { return blk.hits[kind]; }

size_t fat_blk_bytes(int kind) { return kind >= 0 && kind < FAT_BLK_KINDS ? blk.bytes[kind] : 0; }

size_t fat_blk_cap(void) { return blk.cap != 0 ? blk.cap : FAT_BLK_MAX_BYTES; }

void fat_blk_set_cap(size_t max_bytes)
{
  int k;

  blk.cap = max_bytes < FAT_BLK_MAX_BYTES ? max_bytes : 0;
  for (k = 0; k < FAT_BLK_KINDS; k++)
    if (blk.bytes[k] > fat_blk_cap())
      fat_blk_drain(k);
}

int fat_blk_libc_enabled(void) { return BLK_LIBC; }

/* glibc's block for a request of n bytes is a chunk of max(32, n + 8
** rounded up to 16) bytes, usable n' = chunk - 8: class chunk / 16, so a
** freed block is found again by a request of the same size. Under another
** allocator (valgrind's) a block of usable u sits in class (u + 8) / 16,
** which still holds only blocks of at least 16 * class - 8 >= n bytes. */
static unsigned libc_class_of_request(size_t n)
{
  return n >= FAT_BLK_CLASSES * 16 ? FAT_BLK_CLASSES : (unsigned)(((n < 24 ? 24 : n) + 23) >> 4);
}

static void *libc_get(size_t n)
{
  return BLK_LIBC ? fat_blk_get(FAT_BLK_LIBC, libc_class_of_request(n)) : NULL;
}

static void libc_put_or_free(void *p)
{
  if (BLK_LIBC && p != NULL) {
    size_t u = malloc_usable_size(p);

    /* a block below glibc's least usable size (24 bytes) comes from another
    ** allocator (valgrind's gives exactly what was asked): no request ever
    ** takes it back, and one under 8 bytes cannot hold the list's link */
    if (u >= 24 && u < FAT_BLK_CLASSES * 16 &&
        fat_blk_put(FAT_BLK_LIBC, (unsigned)((u + 8) >> 4), p))
      return;
  }
  free(p);
}

/* The cJSON arena (fat_mem_cjson_arena_begin): chunks of ARENA_CHUNK
** bytes (a bigger block gets a chunk of its own), newest first, all freed
** when the window closes (none is kept, so a thread that ends holds
** nothing). */
#define ARENA_CHUNK (16 * 1024)

typedef struct arena_chunk {
  struct arena_chunk *next;
  size_t size, used; /* bytes of data */
  max_align_t data[];
} arena_chunk;

typedef struct arena_tls {
  arena_chunk *head;
  int on;
} arena_tls;

static _Thread_local arena_tls arena;

static void *arena_alloc(size_t n)
{
  arena_chunk *c = arena.head;
  size_t need, size;
  char *p;

  if (n > SIZE_MAX / 2)
    return NULL;
  need = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
  if (need == 0)
    need = sizeof(max_align_t);
  if (c != NULL && c->size - c->used >= need) {
    p = (char *)c->data + c->used;
    c->used += need;
    return p;
  }
  size = need > ARENA_CHUNK / 4 ? need : ARENA_CHUNK;
  c = malloc(sizeof *c + size);
  if (c == NULL)
    return NULL;
  c->size = size;
  c->used = need;
  c->next = arena.head;
  arena.head = c;
  return c->data;
}

/* Is p a block of this thread's arena? */
static int arena_owns(const void *p)
{
  const arena_chunk *c;
  uintptr_t a = (uintptr_t)p, lo;

  for (c = arena.head; c != NULL; c = c->next) {
    lo = (uintptr_t)c->data;
    if (a >= lo && a < lo + c->size)
      return 1;
  }
  return 0;
}

static void *cjson_malloc(size_t n)
{
  void *p;

  if (arena.on)
    return arena_alloc(n);
  p = libc_get(n);
  return p != NULL ? p : malloc(n);
}

static void cjson_free(void *p)
{
  if (arena.on && p != NULL && arena_owns(p))
    return; /* released with the whole arena */
  libc_put_or_free(p);
}

static void cjson_hooks_install(void)
{
  cJSON_Hooks h = {cjson_malloc, cjson_free};

  cJSON_InitHooks(&h);
}

static pthread_once_t cjson_once = PTHREAD_ONCE_INIT;

void fat_mem_cjson_hooks(void)
{
  if (BLK_LIBC)
    pthread_once(&cjson_once, cjson_hooks_install);
}

int fat_mem_cjson_arena_begin(void)
{
  if (!BLK_LIBC || arena.on)
    return 0;
  pthread_once(&cjson_once, cjson_hooks_install);
  arena.on = 1;
  return 1;
}

void fat_mem_cjson_arena_end(void)
{
  arena_chunk *c, *next;

  arena.on = 0;
  for (c = arena.head; c != NULL; c = next) {
    next = c->next;
    free(c);
  }
  arena.head = NULL;
}

/* }==================================================================== */

void *fat_malloc(size_t n)
{
  void *p;

  if (alloc_should_fail())
    return NULL;
  p = libc_get(n);
  return p != NULL ? p : malloc(n == 0 ? 1 : n);
}

void *fat_calloc(size_t count, size_t size)
{
  void *p = NULL;

  if (alloc_should_fail())
    return NULL;
  if (count != 0 && size != 0 && count <= 1024 && size <= 1024)
    p = libc_get(count * size);
  if (p != NULL)
    return memset(p, 0, count * size);
  return calloc(count == 0 ? 1 : count, size == 0 ? 1 : size);
}

void *fat_realloc(void *p, size_t n)
{
  if (alloc_should_fail())
    return NULL;
  return realloc(p, n == 0 ? 1 : n);
}

int fat_grow(void *parr, size_t *cap, size_t n, size_t elem)
{
  void *old, *nv;
  size_t nc;

  if (n < *cap)
    return 1;
  nc = *cap != 0 ? *cap * 2 : 16;
  if (nc <= *cap || elem == 0 || nc > SIZE_MAX / elem)
    return 0;
  memcpy(&old, parr, sizeof old);
  nv = fat_realloc(old, nc * elem);
  if (nv == NULL)
    return 0;
  memcpy(parr, &nv, sizeof nv);
  *cap = nc;
  return 1;
}

void fat_free(void *p) { libc_put_or_free(p); }

char *fat_strndup(const char *s, size_t n)
{
  char *d;

  if (s == NULL)
    return NULL;
  d = fat_malloc(n + 1);
  if (d == NULL)
    return NULL;
  memcpy(d, s, n);
  d[n] = '\0';
  return d;
}

void fat_strcpy_cut(char *dst, size_t len, const char *s)
{
  size_t n = strnlen(s, len - 1);

  memcpy(dst, s, n);
  dst[n] = '\0';
}

char *fat_strdup(const char *s)
{
  return s == NULL ? NULL : fat_strndup(s, strlen(s));
}

char *fat_asprintf(const char *fmt, ...)
{
  va_list ap;
  int n;
  char *s;

  va_start(ap, fmt);
  n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0)
    return NULL;
  s = fat_malloc((size_t)n + 1);
  if (s == NULL)
    return NULL;
  va_start(ap, fmt);
  vsnprintf(s, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return s;
}

void fat_buf_init(fat_buf *b, size_t max)
{
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
  b->max = max;
}

void fat_buf_fini(fat_buf *b)
{
  fat_free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

void fat_buf_reset(fat_buf *b)
{
  b->len = 0;
  if (b->data != NULL)
    b->data[0] = '\0';
}

fat_rc fat_buf_append(fat_buf *b, const void *p, size_t n, fat_err *err)
{
  size_t need, cap;
  char *d;

  if (n > b->max || b->len > b->max - n)
    return fat_err_set(err, FAT_ELIMIT, "tamanho máximo de %zu bytes excedido", b->max);
  need = b->len + n + 1;
  if (need > b->cap) {
    cap = b->cap < 256 ? 256 : b->cap;
    while (cap < need)
      cap *= 2;
    d = fat_realloc(b->data, cap);
    if (d == NULL)
      return fat_err_oom(err);
    b->data = d;
    b->cap = cap;
  }
  if (n > 0)
    memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
  return FAT_OK;
}

fat_rc fat_buf_puts(fat_buf *b, const char *s, fat_err *err)
{
  return fat_buf_append(b, s, strlen(s), err);
}

fat_rc fat_buf_printf(fat_buf *b, fat_err *err, const char *fmt, ...)
{
  char small[512];
  va_list ap;
  int n;
  char *big;
  fat_rc rc;

  va_start(ap, fmt);
  n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0)
    return fat_err_set(err, FAT_EINVAL, "formato inválido");
  if ((size_t)n < sizeof small)
    return fat_buf_append(b, small, (size_t)n, err);
  big = fat_malloc((size_t)n + 1);
  if (big == NULL)
    return fat_err_oom(err);
  va_start(ap, fmt);
  vsnprintf(big, (size_t)n + 1, fmt, ap);
  va_end(ap);
  rc = fat_buf_append(b, big, (size_t)n, err);
  fat_free(big);
  return rc;
}

fat_rc fat_buf_html(fat_buf *b, const char *s, fat_err *err)
{
  fat_rc rc = FAT_OK;

  for (; s != NULL && *s != '\0' && rc == FAT_OK; s++) {
    switch (*s) {
    case '&': rc = fat_buf_puts(b, "&amp;", err); break;
    case '<': rc = fat_buf_puts(b, "&lt;", err); break;
    case '>': rc = fat_buf_puts(b, "&gt;", err); break;
    case '"': rc = fat_buf_puts(b, "&quot;", err); break;
    case '\'': rc = fat_buf_puts(b, "&#39;", err); break;
    default: rc = fat_buf_append(b, s, 1, err); break;
    }
  }
  return rc;
}

char *fat_buf_take(fat_buf *b)
{
  char *d = b->data;

  if (d == NULL)
    d = fat_strdup("");
  b->data = NULL;
  b->len = b->cap = 0;
  return d;
}

fat_rc fat_file_read(const char *path, size_t max, char **out, size_t *len, fat_err *err)
{
  FILE *f;
  fat_buf b;
  char chunk[65536];
  size_t n;
  fat_rc rc = FAT_OK;

  *out = NULL;
  if (len != NULL)
    *len = 0;
  f = fopen(path, "rb");
  if (f == NULL) {
    return fat_err_sys(err, errno, "não foi possível abrir %s", path);
  }
  fat_buf_init(&b, max);
  for (n = fread(chunk, 1, sizeof chunk, f); n > 0; n = fread(chunk, 1, sizeof chunk, f)) {
    rc = fat_buf_append(&b, chunk, n, err);
    if (rc != FAT_OK)
      break;
  }
  if (rc == FAT_OK && ferror(f))
    rc = fat_err_set(err, FAT_EIO, "erro ao ler %s", path);
  fclose(f);
  if (rc == FAT_ELIMIT)
    fat_err_set(err, FAT_ELIMIT, "%s excede o tamanho máximo de %zu bytes", path, max);
  if (rc != FAT_OK) {
    fat_buf_fini(&b);
    return rc;
  }
  if (len != NULL)
    *len = b.len;
  *out = fat_buf_take(&b);
  return *out == NULL ? fat_err_oom(err) : FAT_OK;
}

static void file_out_end(fat_file_out *o)
{
  if (o->fd >= 0)
    close(o->fd);
  o->fd = -1;
  if (o->tmp != NULL)
    unlink(o->tmp);
  fat_free(o->tmp);
  fat_free(o->path);
  o->tmp = NULL;
  o->path = NULL;
}

fat_rc fat_file_out_open(fat_file_out *o, const char *path, fat_err *err)
{
  o->fd = -1;
  o->path = fat_strdup(path);
  o->tmp = fat_asprintf("%s.tmp", path);
  if (o->path == NULL || o->tmp == NULL) {
    fat_free(o->tmp);
    o->tmp = NULL;
    file_out_end(o);
    return fat_err_oom(err);
  }
  /* exports and XML lotes hold CPF, CID and names: never world-readable */
  o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (o->fd < 0) {
    fat_rc rc = fat_err_sys(err, errno, "não foi possível criar %s", o->tmp);

    fat_free(o->tmp);
    o->tmp = NULL; /* not ours to remove */
    file_out_end(o);
    return rc;
  }
  return FAT_OK;
}

fat_rc fat_file_out_escrever(void *u, const char *p, size_t n, fat_err *err)
{
  fat_file_out *o = u;
  size_t done = 0;
  ssize_t w;

  while (done < n) {
    w = write(o->fd, p + done, n - done);
    if (w > 0)
      done += (size_t)w;
    else if (w < 0 && errno != EINTR)
      return fat_err_sys(err, errno, "não foi possível gravar %s", o->path);
  }
  return FAT_OK;
}

fat_rc fat_file_out_commit(fat_file_out *o, fat_err *err)
{
  int e = 0;

  if (fsync(o->fd) != 0)
    e = errno;
  if (close(o->fd) != 0 && e == 0)
    e = errno;
  o->fd = -1;
  if (e == 0 && rename(o->tmp, o->path) != 0)
    e = errno;
  if (e != 0) {
    fat_rc rc = fat_err_sys(err, e, "não foi possível gravar %s", o->path);

    file_out_end(o);
    return rc;
  }
  fat_free(o->tmp);
  o->tmp = NULL; /* renamed: nothing to remove */
  file_out_end(o);
  return FAT_OK;
}

void fat_file_out_abort(fat_file_out *o) { file_out_end(o); }

fat_rc fat_file_write(const char *path, const void *data, size_t len, fat_err *err)
{
  fat_file_out o;
  fat_rc rc = fat_file_out_open(&o, path, err);

  if (rc != FAT_OK)
    return rc;
  rc = fat_file_out_escrever(&o, data, len, err);
  if (rc != FAT_OK) {
    fat_file_out_abort(&o);
    return rc;
  }
  return fat_file_out_commit(&o, err);
}

int64_t fat_now_ns(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void fat_mem_devolver(void)
{
#ifdef __GLIBC__
  (void)malloc_trim(0);
#endif
}

void fat_mem_arena_reserve(size_t bytes)
{
#ifdef __GLIBC__
  enum { PIECE = 4 * 1024 * 1024, MAX_PIECES = 16 }; /* under fat_mem_keep_heap's thresholds */
  void *piece[MAX_PIECES];
  size_t n = 0;

  fat_mem_keep_heap(); /* else the pieces would be mapped on their own */
  while (n < MAX_PIECES && n < bytes / PIECE && (piece[n] = malloc(PIECE)) != NULL)
    n++;
  while (n > 0)
    free(piece[--n]);
#else
  (void)bytes;
#endif
}

void fat_mem_keep_heap(void)
{
#ifdef __GLIBC__
  mallopt(M_TRIM_THRESHOLD, 32 * 1024 * 1024);
  mallopt(M_MMAP_THRESHOLD, 8 * 1024 * 1024);
#endif
}
