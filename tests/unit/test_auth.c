/* test_auth.c: users, password hashing, sessions and login throttling. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fat_auth.h"
#include "fat_store.h"

#define DB "test_auth.db"

static int setup(void **state)
{
  fat_store *st = NULL;

  unlink(DB);
  unlink(DB "-wal");
  unlink(DB "-shm");
  if (fat_store_create(DB, &st, NULL) != FAT_OK)
    return -1;
  *state = st;
  return 0;
}

static int teardown(void **state)
{
  fat_store_close(*state);
  unlink(DB);
  unlink(DB "-wal");
  unlink(DB "-shm");
  return 0;
}

static void test_papel(void **state)
{
  (void)state;
  assert_int_equal(fat_papel_parse("faturista"), FAT_PAPEL_FATURISTA);
  assert_int_equal(fat_papel_parse("admin"), FAT_PAPEL_ADMIN);
  assert_int_equal(fat_papel_parse("chefe"), FAT_PAPEL_NENHUM);
  assert_int_equal(fat_papel_parse(NULL), FAT_PAPEL_NENHUM);
  assert_true(FAT_PAPEL_FATURISTA < FAT_PAPEL_SUPERVISOR);
  assert_true(FAT_PAPEL_SUPERVISOR < FAT_PAPEL_ADMIN);
  assert_string_equal(fat_papel_str(FAT_PAPEL_SUPERVISOR), "supervisor");
  assert_true(fat_auth_token_eq("abc", "abc"));
  assert_false(fat_auth_token_eq("abc", "abd"));
  assert_false(fat_auth_token_eq("abc", "abcd"));
  assert_false(fat_auth_token_eq(NULL, "abc"));
  assert_false(fat_auth_token_eq("", ""));
}

static void test_criar(void **state)
{
  fat_store *st = *state;
  fat_err err;
  int64_t id = 0;
  cJSON *lst = NULL;
  char *txt;

  assert_int_equal(fat_usuario_criar(st, "ana", FAT_PAPEL_ADMIN, "senha-boa-1", &id, &err), FAT_OK);
  assert_true(id > 0);
  assert_int_equal(fat_usuario_criar(st, "ana", FAT_PAPEL_ADMIN, "senha-boa-1", NULL, &err),
                   FAT_ESTATE);
  assert_int_equal(fat_usuario_criar(st, "b c", FAT_PAPEL_ADMIN, "senha-boa-1", NULL, &err),
                   FAT_EINVAL);
  assert_int_equal(fat_usuario_criar(st, "bia", FAT_PAPEL_ADMIN, "curta", NULL, &err),
                   FAT_EINVAL);
  assert_int_equal(fat_usuario_criar(st, "bia", FAT_PAPEL_NENHUM, "senha-boa-1", NULL, &err),
                   FAT_EINVAL);
  assert_int_equal(fat_usuario_listar(st, &lst, &err), FAT_OK);
  assert_int_equal(cJSON_GetArraySize(lst), 1);
  txt = cJSON_PrintUnformatted(lst);
  assert_non_null(strstr(txt, "\"papel\":\"admin\""));
  assert_null(strstr(txt, "argon2")); /* never the hash */
  cJSON_free(txt);
  cJSON_Delete(lst);
}

static void test_sessao(void **state)
{
  fat_store *st = *state;
  fat_err err;
  fat_sessao s, s2;
  char token[FAT_TOKEN_HEX];

  assert_int_equal(fat_usuario_criar(st, "caio", FAT_PAPEL_SUPERVISOR, "senha-caio-1", NULL, &err),
                   FAT_OK);
  assert_int_equal(fat_auth_login(st, "caio", "senha-errada", NULL, "10.0.0.1", NULL, &s, token, &err),
                   FAT_EPERM);
  assert_int_equal(token[0], '\0');
  assert_int_equal(fat_auth_login(st, "caio", "senha-caio-1", NULL, "10.0.0.1", NULL, &s, token, &err),
                   FAT_OK);
  assert_int_equal(strlen(token), 64);
  assert_int_equal(strlen(s.csrf), 64);
  assert_string_not_equal(token, s.csrf);
  assert_int_equal(s.papel, FAT_PAPEL_SUPERVISOR);
  assert_int_equal(fat_auth_sessao(st, token, &s2, &err), FAT_OK);
  assert_string_equal(s2.usuario, "caio");
  assert_string_equal(s2.csrf, s.csrf);
  token[0] = token[0] == 'a' ? 'b' : 'a';
  assert_int_equal(fat_auth_sessao(st, token, &s2, &err), FAT_ENOTFOUND);
  token[0] = token[0] == 'a' ? 'b' : 'a';
  assert_int_equal(fat_auth_logout(st, token, &err), FAT_OK);
  assert_int_equal(fat_auth_sessao(st, token, &s2, &err), FAT_ENOTFOUND);
  assert_int_equal(fat_auth_sessao(st, "curto", &s2, &err), FAT_ENOTFOUND);
}

static void test_throttle(void **state)
{
  fat_store *st = *state;
  fat_auth_policy pol = {3, 5, 600, 0, 0, 0};
  fat_err err;
  fat_sessao s;
  char token[FAT_TOKEN_HEX];
  int i;

  assert_int_equal(fat_usuario_criar(st, "dora", FAT_PAPEL_FATURISTA, "senha-dora-1", NULL, &err),
                   FAT_OK);
  assert_int_equal(fat_usuario_criar(st, "eva", FAT_PAPEL_FATURISTA, "senha-eva-1", NULL, &err),
                   FAT_OK);
  for (i = 0; i < 3; i++)
    assert_int_equal(fat_auth_login(st, "dora", "x-errada", NULL, "10.0.0.2", &pol, &s, token, &err),
                     FAT_EPERM);
  /* locked even with the right password */
  assert_int_equal(fat_auth_login(st, "dora", "senha-dora-1", NULL, "10.0.0.2", &pol, &s, token, &err),
                   FAT_ELIMIT);
  /* another user from another address is fine */
  assert_int_equal(fat_auth_login(st, "eva", "senha-eva-1", NULL, "10.0.0.3", &pol, &s, token, &err),
                   FAT_OK);
  /* per address: 2 more failures from 10.0.0.2 (5 in all) lock the address for eva too */
  for (i = 0; i < 2; i++)
    assert_int_equal(fat_auth_login(st, "eva", "x-errada", NULL, "10.0.0.2", &pol, &s, token, &err),
                     FAT_EPERM);
  assert_int_equal(fat_auth_login(st, "eva", "senha-eva-1", NULL, "10.0.0.2", &pol, &s, token, &err),
                   FAT_ELIMIT);
  /* unknown users count as failures too, with the same answer */
  assert_int_equal(fat_auth_login(st, "ninguem", "x", NULL, "10.0.0.9", &pol, &s, token, &err),
                   FAT_EPERM);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_papel),
    cmocka_unit_test_setup_teardown(test_criar, setup, teardown),
    cmocka_unit_test_setup_teardown(test_sessao, setup, teardown),
    cmocka_unit_test_setup_teardown(test_throttle, setup, teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
