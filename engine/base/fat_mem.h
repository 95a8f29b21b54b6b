/* fat_mem.h: allocation wrappers, bounded buffers and small string helpers.
**
** All faturo allocation goes through fat_malloc/fat_calloc/fat_realloc/fat_free
** so tests can inject failures (fat_test_fail_alloc_after). They return NULL
** on failure and never abort.
*/
#ifndef FAT_MEM_H
#define FAT_MEM_H

#include <stddef.h>
#include <stdint.h>

#include "fat_err.h"

void *fat_malloc(size_t n);
void *fat_calloc(size_t count, size_t size);
void *fat_realloc(void *p, size_t n);
void fat_free(void *p);

/* Room for element n of a growable array: when n has reached *cap, the array
** whose address is parr (a T ** passed as void *; elements of elem bytes)
** is reallocated to twice its capacity (first 16) and *cap updated. Returns
** 1 when element n can be written, 0 on OOM or overflow, leaving the array
** and *cap as they were (the caller still owns and frees it). Use through
** FAT_GROW(array, cap, n). */
int fat_grow(void *parr, size_t *cap, size_t n, size_t elem);
#define FAT_GROW(arr, cap, n) fat_grow((void *)&(arr), &(cap), (n), sizeof *(arr))

/* Copy of s (NULL gives NULL); the caller frees with fat_free. */
char *fat_strdup(const char *s);
/* Copy of the first n bytes of s plus a NUL. */
char *fat_strndup(const char *s, size_t n);
/* s into dst[len] (len >= 1), cut to len - 1 bytes and NUL-terminated: what
** snprintf(dst, len, "%s", s) writes, without the formatting machinery (on
** hot paths: a priced item's texts, a finding's message). */
void fat_strcpy_cut(char *dst, size_t len, const char *s);
/* printf into a new string; NULL on OOM. */
char *fat_asprintf(const char *fmt, ...) FAT_PRINTF(1, 2);

/* Keep freed heap memory in the process instead of handing it back to the
** kernel after each burst: with glibc's default dynamic thresholds, code
** that mallocs and frees the same ~100 KB per guia (SQLite's ephemeral
** b-tree for an IN list of three or more values, run per row by a trigger;
** a Lua state's tables for each guia) gives it back with brk and faults it
** in again page by page. Trims above 32 MiB; blocks of 8 MiB and more are
** still mapped and unmapped on their own. Process-wide and idempotent;
** called when a store is opened and when a rules state is created. */
void fat_mem_keep_heap(void);

/* Grow the calling thread's malloc arena by about bytes at once (pieces of
** 4 MiB, taken and freed; fat_mem_keep_heap, which this calls, keeps them in
** the arena, up to 32 MiB). A thread's own arena (not the main one) grows by
** exactly what each malloc lacks, one mprotect call per growth, page by
** page: a conferir thread filling its page cache made ~2,200 of them at
** 10 mil guias and ~5,700 at 50 mil (docs/desempenho.md, rodada 12). The
** pages are only made accessible here, not touched: they count in RSS when
** used, as before. */
void fat_mem_arena_reserve(size_t bytes);

/* Hand the free heap memory back to the kernel now (glibc's malloc_trim;
** nothing elsewhere): after a burst that freed much more than the
** fat_mem_keep_heap threshold keeps (a large page cache shrunk back), so that
** what follows, e.g. other threads' arenas, does not add to it. */
void fat_mem_devolver(void);

/* A per-thread cache of small freed heap blocks (glibc's own thread cache
** keeps 7 blocks per size; past them each malloc and free takes its slow
** path, which grows with the heap: 15-20% of importar, docs/desempenho.md).
** Blocks are kept by class c = usable bytes / 16 (c < FAT_BLK_CLASSES) in
** lists of the calling thread, up to 4096 blocks of a class and
** FAT_BLK_MAX_BYTES per kind; a thread's lists are given back to the real
** allocator when it exits. Each kind is one allocator whose blocks never
** mix with another's: FAT_BLK_LIBC is malloc/free (fat_malloc, fat_free
** and cJSON's hooks), FAT_BLK_SQLITE is SQLite's default allocator (wrapped
** by the store). A cached block is an ordinary block of its allocator, so
** whoever frees it with that allocator directly does no harm.
** fat_blk_get: a block of class cls, or NULL (ask the real allocator).
** fat_blk_put: keep p (a block of class cls: at least 16 * cls usable bytes)
** and return 1, or 0 when it is not kept (the caller frees it). */
enum { FAT_BLK_LIBC, FAT_BLK_SQLITE, FAT_BLK_KINDS };
#define FAT_BLK_CLASSES 66
#define FAT_BLK_MAX_BYTES (4u * 1024u * 1024u)
void *fat_blk_get(int kind, unsigned cls);
int fat_blk_put(int kind, unsigned cls, void *p);
/* The real free of kind's blocks (for a thread's lists when it exits; set
** before the first fat_blk_put of that kind; FAT_BLK_LIBC's is free). */
void fat_blk_set_free(int kind, void (*real_free)(void *));
/* Give the calling thread's cached blocks of kind back to its allocator. */
void fat_blk_drain(int kind);
/* Requests of kind served from the calling thread's lists so far (tests). */
unsigned long fat_blk_hits(int kind);
/* Bytes the calling thread's lists of kind hold now. */
size_t fat_blk_bytes(int kind);
/* Keep at most max_bytes in each of the calling thread's lists from now on
** (FAT_BLK_MAX_BYTES when larger or 0, the default of every thread); a list
** holding more is given back to its allocator now. For a thread that works
** beside another one whose lists already hold the bursts (conferir's
** worker threads: docs/desempenho.md, rodada 7). */
void fat_blk_set_cap(size_t max_bytes);
/* The calling thread's cap (fat_blk_set_cap). */
size_t fat_blk_cap(void);
/* 1 when fat_malloc and fat_free use the cache (0 in sanitizer builds,
** which must see every free of our own blocks). */
int fat_blk_libc_enabled(void);

/* cJSON allocates through fat_blk's FAT_BLK_LIBC lists from now on
** (cJSON_InitHooks; process-wide, idempotent, a no-op in sanitizer builds):
** a guia's cJSON tree is ~250 small blocks freed at once. Called when a
** store is opened. */
void fat_mem_cjson_hooks(void);

/* A window in which cJSON allocates from an arena of the calling thread:
** one imported guia's tree is ~200 blocks made and freed together, and
** freeing it node by node (cJSON_Delete) was ~5% of importar. Returns 1
** when the window is open: until fat_mem_cjson_arena_end on this thread,
** every block cJSON allocates on it (parse, print) comes from the arena,
** cJSON_Delete and cJSON_free on such blocks do nothing, and
** fat_mem_cjson_arena_end releases them all at once: nothing allocated by
** cJSON in the window may be used after it (free texts cJSON printed with
** cJSON_free, never fat_free). Returns 0 when no window opened (sanitizer
** builds, which must see every free; a window already open on this thread):
** then free trees with cJSON_Delete as usual and do not call
** fat_mem_cjson_arena_end. Other threads are not affected. */
int fat_mem_cjson_arena_begin(void);
/* Close the window fat_mem_cjson_arena_begin opened on this thread (it
** returned 1) and release every block cJSON allocated in it. */
void fat_mem_cjson_arena_end(void);

/* Test hook: after n more successful allocations every allocation fails
** (n < 0 turns injection off). Only affects fat_* allocators. */
void fat_test_fail_alloc_after(long n);
/* The same injection for an allocator that serves blocks from its own pool
** (the rules sandbox's small blocks): 1 when this allocation must fail,
** counted like one fat_* allocation; always 0 when injection is off. */
int fat_test_alloc_fails(void);

/* A growable byte buffer with a hard size limit (curl's dynbuf.toobig).
** Always NUL-terminated after a successful append. */
typedef struct fat_buf {
  char *data;
  size_t len;
  size_t cap;
  size_t max; /* appends that would exceed max fail with FAT_ELIMIT */
} fat_buf;

void fat_buf_init(fat_buf *b, size_t max);
void fat_buf_fini(fat_buf *b);
void fat_buf_reset(fat_buf *b);
FAT_NODISCARD fat_rc fat_buf_append(fat_buf *b, const void *p, size_t n, fat_err *err);
FAT_NODISCARD fat_rc fat_buf_puts(fat_buf *b, const char *s, fat_err *err);
FAT_NODISCARD fat_rc fat_buf_printf(fat_buf *b, fat_err *err, const char *fmt, ...) FAT_PRINTF(3, 4);
/* Append s (NULL: nothing) escaped for HTML text and attribute values:
** & < > " and ' become entities, everything else is copied. */
FAT_NODISCARD fat_rc fat_buf_html(fat_buf *b, const char *s, fat_err *err);
/* Hand the data to the caller (free with fat_free) and reset the buffer. */
char *fat_buf_take(fat_buf *b);

/* Read a whole file into *out (NUL-terminated, length in *len) refusing files
** larger than max bytes. The caller frees *out with fat_free. */
FAT_NODISCARD fat_rc fat_file_read(const char *path, size_t max, char **out, size_t *len, fat_err *err);
/* Write data atomically: to path.tmp, fsync, rename (fat_file_out). */
FAT_NODISCARD fat_rc fat_file_write(const char *path, const void *data, size_t len, fat_err *err);

/* Where a writer that streams its output puts it: called with each piece in
** order (n may be 0); anything but FAT_OK stops the writer, which returns
** that error with err as the callback set it. */
typedef fat_rc (*fat_escrita)(void *u, const char *p, size_t n, fat_err *err);

/* A file written as it is produced and put in place only when complete:
** fat_file_out_open creates path.tmp beside path (mode 0600: exports hold
** CPF, CID and names), fat_file_out_escrever (a fat_escrita, u = the
** fat_file_out) appends to it, fat_file_out_commit fsyncs it and renames it
** to path, fat_file_out_abort removes it. Whatever fails (disk full, a
** write error, the rename), nothing is left under path and path.tmp is
** removed; errors name path and the system's reason in Portuguese. After
** open, exactly one of commit or abort must be called (commit also ends it
** when it fails). */
typedef struct fat_file_out {
  int fd;
  char *path, *tmp;
} fat_file_out;

FAT_NODISCARD fat_rc fat_file_out_open(fat_file_out *o, const char *path, fat_err *err);
FAT_NODISCARD fat_rc fat_file_out_escrever(void *o, const char *p, size_t n, fat_err *err);
FAT_NODISCARD fat_rc fat_file_out_commit(fat_file_out *o, fat_err *err);
void fat_file_out_abort(fat_file_out *o);

/* Monotonic clock in nanoseconds. */
int64_t fat_now_ns(void);

#endif
