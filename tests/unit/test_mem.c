/* test_mem.c: the per-thread cache of small blocks (fat_blk, fat_mem.h). */
#include <malloc.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <cjson/cJSON.h>

#include "fat_mem.h"

/* A freed block comes back for the next request of its size, and every
** block handed out has room for its request, whatever was freed before. */
static void test_blk_reuses_a_freed_block_with_room_for_the_request(void **state)
{
  static void *p[1100];
  unsigned long h0 = fat_blk_hits(FAT_BLK_LIBC);
  void *a, *b;
  size_t n;

  (void)state;
  if (!fat_blk_libc_enabled())
    skip(); /* sanitizer build: our blocks bypass the cache */
  a = fat_malloc(40);
  assert_non_null(a);
  fat_free(a);
  b = fat_malloc(40);
  assert_ptr_equal(a, b);
  assert_true(fat_blk_hits(FAT_BLK_LIBC) > h0);
  fat_free(b);
  for (n = 1; n < 1100; n++) {
    p[n] = fat_malloc(n);
    assert_non_null(p[n]);
    assert_true(malloc_usable_size(p[n]) >= n);
    memset(p[n], 0x5a, n);
  }
  for (n = 1; n < 1100; n++)
    fat_free(p[n]);
  for (n = 1099; n > 0; n--) { /* the other way round: other blocks per size */
    p[n] = fat_malloc(n);
    assert_non_null(p[n]);
    assert_true(malloc_usable_size(p[n]) >= n);
    memset(p[n], 0xa5, n);
  }
  for (n = 1; n < 1100; n++)
    fat_free(p[n]);
}

/* fat_calloc of a cached block still gives zeros. */
static void test_blk_calloc_of_a_reused_block_is_zero(void **state)
{
  unsigned char *a, *b;
  size_t i;

  (void)state;
  a = fat_malloc(64);
  assert_non_null(a);
  memset(a, 0xff, 64);
  fat_free(a);
  b = fat_calloc(4, 16);
  assert_non_null(b);
  for (i = 0; i < 64; i++)
    assert_int_equal(b[i], 0);
  fat_free(b);
}

static int freed;
static void counting_free(void *p)
{
  freed++;
  free(p);
}

/* A class keeps at most 4096 blocks; the rest are the caller's to free. */
static void test_blk_class_is_bounded(void **state)
{
  int kept = 0, i;

  (void)state;
  fat_blk_set_free(FAT_BLK_SQLITE, counting_free); /* no SQLite in this test */
  for (i = 0; i < 5000; i++) {
    void *p = malloc(32);

    assert_non_null(p);
    if (fat_blk_put(FAT_BLK_SQLITE, 2, p))
      kept++;
    else
      free(p);
  }
  assert_int_equal(kept, 4096);
  freed = 0;
  fat_blk_drain(FAT_BLK_SQLITE);
  assert_int_equal(freed, 4096);
  assert_null(fat_blk_get(FAT_BLK_SQLITE, 2));
}

static void *thread_keeps_blocks(void *arg)
{
  int i;

  (void)arg;
  for (i = 0; i < 10; i++) {
    void *p = malloc(48);

    if (p != NULL && !fat_blk_put(FAT_BLK_SQLITE, 3, p))
      free(p);
  }
  return NULL;
}

/* A thread's kept blocks go back to their allocator when it exits. */
/* A thread's cap (fat_blk_set_cap) bounds what its lists keep, lowering it
** gives back what is above, and 0 restores the default: conferir's worker
** threads keep at most FAT_CONFERIR_BLK_THREAD per kind. */
static void test_blk_cap_bounds_what_a_thread_keeps(void **state)
{
  int kept = 0, i;

  (void)state;
  fat_blk_set_free(FAT_BLK_SQLITE, counting_free); /* no SQLite in this test */
  fat_blk_drain(FAT_BLK_SQLITE);
  assert_int_equal(fat_blk_cap(), FAT_BLK_MAX_BYTES);
  fat_blk_set_cap(64 * 1024);
  assert_int_equal(fat_blk_cap(), 64 * 1024);
  for (i = 0; i < 4000; i++) {
    void *p = malloc(48);

    assert_non_null(p);
    if (fat_blk_put(FAT_BLK_SQLITE, 3, p))
      kept++;
    else
      free(p);
  }
  assert_int_equal(kept, 64 * 1024 / 48);
  assert_true(fat_blk_bytes(FAT_BLK_SQLITE) <= 64 * 1024);
  /* a lower cap gives the lists back now */
  freed = 0;
  fat_blk_set_cap(1024);
  assert_int_equal(freed, kept);
  assert_int_equal(fat_blk_bytes(FAT_BLK_SQLITE), 0);
  assert_null(fat_blk_get(FAT_BLK_SQLITE, 3));
  fat_blk_set_cap(0);
  assert_int_equal(fat_blk_cap(), FAT_BLK_MAX_BYTES);
  fat_blk_set_cap(FAT_BLK_MAX_BYTES * 2);
  assert_int_equal(fat_blk_cap(), FAT_BLK_MAX_BYTES);
}

static void test_blk_thread_exit_gives_blocks_back(void **state)
{
  pthread_t t;

  (void)state;
  fat_blk_set_free(FAT_BLK_SQLITE, counting_free);
  freed = 0;
  assert_int_equal(pthread_create(&t, NULL, thread_keeps_blocks, NULL), 0);
  assert_int_equal(pthread_join(t, NULL), 0);
  assert_int_equal(freed, 10);
}

/* fat_mem_arena_reserve on a thread of its own (its own malloc arena): the
** arena is that much bigger at once, nothing stays allocated, and the
** thread then allocates from it as usual. glibc's counters; a sanitizer's
** allocator (no arenas) only checks that it does no harm. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define FAT_SANITIZED_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define FAT_SANITIZED_MALLOC 1
#endif
#endif

static void *thread_reserves(void *arg)
{
  size_t *grew = arg;
#if defined(__GLIBC__) && !defined(FAT_SANITIZED_MALLOC)
  struct mallinfo2 a = mallinfo2(), b;

  fat_mem_arena_reserve(8u * 1024u * 1024u);
  b = mallinfo2();
  grew[0] = b.arena - a.arena;
  grew[1] = b.uordblks > a.uordblks ? b.uordblks - a.uordblks : 0;
#else
  fat_mem_arena_reserve(8u * 1024u * 1024u);
  grew[0] = 8u * 1024u * 1024u;
  grew[1] = 0;
#endif
  {
    char *p = malloc(3u * 1024u * 1024u);

    if (p != NULL)
      memset(p, 1, 3u * 1024u * 1024u);
    free(p);
  }
  return NULL;
}

static void test_arena_reserve_grows_the_thread_arena_at_once(void **state)
{
  pthread_t t;
  size_t grew[2] = {0, 0};

  (void)state;
  assert_int_equal(pthread_create(&t, NULL, thread_reserves, grew), 0);
  assert_int_equal(pthread_join(t, NULL), 0);
  assert_true(grew[0] >= 6u * 1024u * 1024u); /* its top may have had some room */
  assert_true(grew[1] < 64u * 1024u); /* the pieces were freed */
}

/* The cJSON arena (fat_mem_cjson_arena_begin): a tree parsed in the window
** reads the same as one parsed outside it (including a big text that gets a
** chunk of its own), texts printed in it are freed with cJSON_free, a
** second begin on the same thread opens nothing, and after the window cJSON
** allocates and frees as usual. */
static void test_cjson_arena_window_parses_the_same_tree(void **state)
{
  static char big[70000];
  char *doc, *out_in, *out_out, *num;
  cJSON *in, *out;
  size_t i;
  int on;

  (void)state;
  for (i = 0; i + 1 < sizeof big; i++)
    big[i] = (char)('a' + i % 26);
  big[sizeof big - 1] = '\0';
  doc = malloc(sizeof big + 200);
  assert_non_null(doc);
  snprintf(doc, sizeof big + 200,
           "{\"tipo\":\"sp-sadt\",\"itens\":[{\"valor\":12.5},{\"valor\":3}],\"obs\":\"%s\"}", big);
  out = cJSON_Parse(doc);
  assert_non_null(out);
  out_out = cJSON_PrintUnformatted(out);
  assert_non_null(out_out);

  on = fat_mem_cjson_arena_begin();
  if (!fat_blk_libc_enabled())
    assert_int_equal(on, 0);                        /* sanitizer build: every free must be seen */
  assert_int_equal(fat_mem_cjson_arena_begin(), 0); /* nothing nests */
  in = cJSON_Parse(doc);
  assert_non_null(in);
  out_in = cJSON_PrintUnformatted(in);
  assert_non_null(out_in);
  assert_string_equal(out_in, out_out);
  num = cJSON_PrintUnformatted(cJSON_GetArrayItem(cJSON_GetObjectItem(in, "itens"), 0)->child);
  assert_string_equal(num, "12.5");
  cJSON_free(num);
  cJSON_free(out_in);
  assert_null(cJSON_Parse("{\"a\":[1,2,{\"b\":")); /* a failed parse frees its part */
  if (on)
    fat_mem_cjson_arena_end();
  else
    cJSON_Delete(in);

  /* after the window: the usual allocator again */
  in = cJSON_Parse(doc);
  assert_non_null(in);
  out_in = cJSON_PrintUnformatted(in);
  assert_string_equal(out_in, out_out);
  cJSON_free(out_in);
  cJSON_Delete(in);
  cJSON_free(out_out);
  cJSON_Delete(out);
  free(doc);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_blk_reuses_a_freed_block_with_room_for_the_request),
    cmocka_unit_test(test_blk_calloc_of_a_reused_block_is_zero),
    cmocka_unit_test(test_blk_class_is_bounded),
    cmocka_unit_test(test_blk_cap_bounds_what_a_thread_keeps),
    cmocka_unit_test(test_blk_thread_exit_gives_blocks_back),
    cmocka_unit_test(test_cjson_arena_window_parses_the_same_tree),
    cmocka_unit_test(test_arena_reserve_grows_the_thread_arena_at_once),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
