/* test_acesso.c (Part N): the life of a user (deactivation ends sessions, the
** last admin stays), one-time passwords, the password policy, argon2id
** parameters raised at login, sessions, and the second factor (TOTP) with
** the RFC 6238 and RFC 4648 vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fat_auth.h"
#include "fat_mem.h"
#include "fat_store.h"
#include "fat_store_int.h"
#include "fat_store_sqlite.h"
#include "fat_totp.h"

#define DB "test_acesso.db"

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

/* One text column of one row (for white-box checks); "" when NULL. */
static void sql_text(fat_store *st, const char *sql, int64_t id, char *out, size_t len)
{
  sqlite3_stmt *s;

  out[0] = '\0';
  assert_int_equal(sqlite3_prepare_v2(fat_store_db(st), sql, -1, &s, NULL), SQLITE_OK);
  sqlite3_bind_int64(s, 1, id);
  if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) != NULL)
    snprintf(out, len, "%s", (const char *)sqlite3_column_text(s, 0));
  sqlite3_finalize(s);
}

static int64_t sql_int(fat_store *st, const char *sql, int64_t id)
{
  char buf[32];

  sql_text(st, sql, id, buf, sizeof buf);
  return strtoll(buf, NULL, 10);
}

/* count(*) of a query with one text parameter. */
static int64_t sql_count_txt(fat_store *st, const char *sql, const char *txt)
{
  sqlite3_stmt *s;
  int64_t n = -1;

  assert_int_equal(sqlite3_prepare_v2(fat_store_db(st), sql, -1, &s, NULL), SQLITE_OK);
  sqlite3_bind_text(s, 1, txt, -1, SQLITE_TRANSIENT);
  if (sqlite3_step(s) == SQLITE_ROW)
    n = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return n;
}

static int64_t criar(fat_store *st, const char *nome, fat_papel p, const char *senha)
{
  fat_err err;
  int64_t id = 0;

  fat_err_clear(&err);
  if (fat_usuario_criar(st, nome, p, senha, &id, &err) != FAT_OK)
    fail_msg("criar %s: %s", nome, err.msg);
  return id;
}

static void entrar(fat_store *st, const char *nome, const char *senha, const char *codigo,
                   fat_sessao *s, char token[FAT_TOKEN_HEX])
{
  fat_err err;

  fat_err_clear(&err);
  if (fat_auth_login(st, nome, senha, codigo, "10.1.1.1", NULL, s, token, &err) != FAT_OK)
    fail_msg("login %s: %s", nome, err.msg);
}

/* ------------------------------------------------------------ policy */

static void test_senha_politica(void **state)
{
  static const struct {
    const char *nome, *senha;
    int ok;
  } casos[] = {
    {"ana", "curta-123", 0},                 /* 9 characters */
    {"ana", "cavalo-bateria-grampo", 1},
    {"ana", "senha-fat-1", 1},               /* what the test suites use */
    {"ana", "1234567890", 0},                /* a sequence */
    {"ana", "9876543210", 0},
    {"ana", "aaaaaaaaaaaa", 0},              /* one character */
    {"ana", "Senha@12345", 0},               /* common word, dressed up */
    {"ana", "S3nh@2024!!", 0},               /* look-alikes undone */
    {"ana", "p@ssw0rd123", 0},
    {"ana", "Faturo2026!", 0},
    {"ana", "1q2w3e4r5t", 0},                /* keyboard walk */
    {"mariana.s", "mariana.s", 0},           /* the user name */
    {"mariana", "Mariana2026", 0},           /* the user name with digits */
    {"mariana", "mariana-e-o-gato", 1},
    {NULL, "brasil-sem-senha-9", 1},
  };
  fat_err err;
  size_t i;
  char longa[FAT_SENHA_MAX + 2];

  (void)state;
  for (i = 0; i < sizeof casos / sizeof casos[0]; i++) {
    fat_err_clear(&err);
    fat_rc rc = fat_senha_politica(casos[i].nome, casos[i].senha, &err);

    if ((rc == FAT_OK) != casos[i].ok)
      fail_msg("caso %zu (%s): esperado %s, veio %s", i, casos[i].senha,
               casos[i].ok ? "aceita" : "recusada", err.msg);
    if (!casos[i].ok)
      assert_int_equal(rc, FAT_EINVAL);
  }
  memset(longa, 'x', sizeof longa - 1);
  longa[sizeof longa - 1] = '\0';
  assert_int_equal(fat_senha_politica("ana", longa, &err), FAT_EINVAL);
  assert_non_null(strstr(err.msg, "longa"));
}

/* --------------------------------------------------- deactivation */

static void test_desativado_perde_sessao(void **state)
{
  fat_store *st = *state;
  fat_sessao s, s2;
  char token[FAT_TOKEN_HEX];
  fat_err err;
  int64_t ana = criar(st, "ana", FAT_PAPEL_ADMIN, "senha-admin-1");
  int64_t bia = criar(st, "bia", FAT_PAPEL_FATURISTA, "senha-fat-1");

  (void)ana;
  entrar(st, "bia", "senha-fat-1", NULL, &s, token);
  assert_int_equal(fat_auth_sessao(st, token, &s2, &err), FAT_OK);
  assert_int_equal(fat_usuario_desativar(st, bia, &err), FAT_OK);
  /* the open session is refused on the very next request */
  assert_int_equal(fat_auth_sessao(st, token, &s2, &err), FAT_ENOTFOUND);
  assert_int_equal(sql_int(st, "SELECT count(*) FROM sessao WHERE usuario_id = ?1", bia), 0);
  /* and login is refused with the same answer as a wrong password */
  assert_int_equal(fat_auth_login(st, "bia", "senha-fat-1", NULL, NULL, NULL, &s, token, &err),
                   FAT_EPERM);
  assert_int_equal(fat_usuario_desativar(st, bia, &err), FAT_ESTATE);
  assert_int_equal(fat_usuario_reativar(st, bia, &err), FAT_OK);
  assert_int_equal(fat_usuario_reativar(st, bia, &err), FAT_ESTATE);
  /* the failure above was forgotten with the reactivation */
  entrar(st, "bia", "senha-fat-1", NULL, &s, token);
  assert_int_equal(sql_int(st, "SELECT count(*) FROM auditoria WHERE acao = 'usuario.desativar'"
                               " AND objeto = 'usuario:bia' AND ?1 > 0", 1), 1);
}

static void test_ultimo_admin(void **state)
{
  fat_store *st = *state;
  fat_err err;
  int64_t ana = criar(st, "ana", FAT_PAPEL_ADMIN, "senha-admin-1");
  int64_t caio = criar(st, "caio", FAT_PAPEL_SUPERVISOR, "senha-sup-1");
  int64_t x;

  assert_int_equal(fat_usuario_desativar(st, ana, &err), FAT_ESTATE);
  assert_non_null(strstr(err.msg, "último administrador"));
  assert_int_equal(fat_usuario_mudar_papel(st, ana, FAT_PAPEL_FATURISTA, &err), FAT_ESTATE);
  assert_non_null(strstr(err.msg, "último administrador"));
  assert_int_equal(fat_usuario_mudar_papel(st, ana, FAT_PAPEL_NENHUM, &err), FAT_EINVAL);
  /* a second admin frees the first */
  assert_int_equal(fat_usuario_mudar_papel(st, caio, FAT_PAPEL_ADMIN, &err), FAT_OK);
  assert_int_equal(fat_usuario_mudar_papel(st, ana, FAT_PAPEL_SUPERVISOR, &err), FAT_OK);
  /* now caio is the last one */
  assert_int_equal(fat_usuario_desativar(st, caio, &err), FAT_ESTATE);
  /* an inactive admin does not count */
  assert_int_equal(fat_usuario_mudar_papel(st, ana, FAT_PAPEL_ADMIN, &err), FAT_OK);
  assert_int_equal(fat_usuario_desativar(st, ana, &err), FAT_OK);
  assert_int_equal(fat_usuario_mudar_papel(st, caio, FAT_PAPEL_FATURISTA, &err), FAT_ESTATE);
  assert_int_equal(fat_usuario_desativar(st, caio, &err), FAT_ESTATE);
  /* nothing was half-written by the refusals */
  assert_int_equal(sql_int(st, "SELECT count(*) FROM usuario WHERE papel = 'admin' AND ativo = 1"
                               " AND ?1 > 0", 1), 1);
  assert_int_equal(fat_usuario_id(st, "caio", &x, &err), FAT_OK);
  assert_int_equal(x, caio);
  assert_int_equal(fat_usuario_id(st, "ninguem", &x, &err), FAT_ENOTFOUND);
  assert_int_equal(fat_usuario_desativar(st, 999, &err), FAT_ENOTFOUND);
}

/* ------------------------------------------------ one-time passwords */

static void test_senha_provisoria(void **state)
{
  fat_store *st = *state;
  fat_sessao s, s2, velha;
  char token[FAT_TOKEN_HEX], tvelho[FAT_TOKEN_HEX], prov[FAT_SENHA_PROVISORIA];
  fat_err err;
  int64_t bia;
  size_t i;

  criar(st, "ana", FAT_PAPEL_ADMIN, "senha-admin-1");
  bia = criar(st, "bia", FAT_PAPEL_FATURISTA, "senha-fat-1");
  entrar(st, "bia", "senha-fat-1", NULL, &velha, tvelho);
  assert_int_equal(fat_usuario_redefinir(st, bia, prov, &err), FAT_OK);
  assert_int_equal(strlen(prov), 19);
  for (i = 0; i < 19; i++)
    assert_true(i % 5 == 4 ? prov[i] == '-' : strchr("abcdefghjkmnpqrstuvwxyz23456789", prov[i]) != NULL);
  /* the old session and the old password are gone */
  assert_int_equal(fat_auth_sessao(st, tvelho, &s2, &err), FAT_ENOTFOUND);
  assert_int_equal(fat_auth_login(st, "bia", "senha-fat-1", NULL, NULL, NULL, &s, token, &err),
                   FAT_EPERM);
  entrar(st, "bia", prov, NULL, &s, token);
  assert_int_equal(s.troca_senha, 1);
  assert_int_equal(fat_auth_sessao(st, token, &s2, &err), FAT_OK);
  assert_int_equal(s2.troca_senha, 1);
  /* the one-time password is never in the audit trail */
  assert_int_equal(sql_count_txt(st, "SELECT count(*) FROM auditoria WHERE"
                                     " instr(coalesce(detalhe, '') || coalesce(objeto, ''), ?1) > 0",
                                 prov),
                   0);
  /* changing it: wrong current password, policy, same password */
  assert_int_equal(fat_usuario_trocar_senha(st, bia, "errada-errada", "nova-senha-bia-7", s.id,
                                            &err),
                   FAT_EPERM);
  assert_int_equal(fat_usuario_trocar_senha(st, bia, prov, "1234567890", s.id, &err), FAT_EINVAL);
  assert_int_equal(fat_usuario_trocar_senha(st, bia, prov, prov, s.id, &err), FAT_EINVAL);
  assert_int_equal(fat_usuario_trocar_senha(st, bia, prov, "nova-senha-bia-7", s.id, &err),
                   FAT_OK);
  /* the session that changed it goes on, without the mark */
  assert_int_equal(fat_auth_sessao(st, token, &s2, &err), FAT_OK);
  assert_int_equal(s2.troca_senha, 0);
  assert_int_equal(fat_auth_login(st, "bia", prov, NULL, NULL, NULL, &s, token, &err), FAT_EPERM);
  entrar(st, "bia", "nova-senha-bia-7", NULL, &s, token);
  assert_int_equal(s.troca_senha, 0);
  assert_int_equal(fat_usuario_redefinir(st, 999, prov, &err), FAT_ENOTFOUND);
  assert_int_equal(prov[0], '\0');
}

/* ---------------------------------------------- argon2id parameters */

static void test_rehash_no_login(void **state)
{
  fat_store *st = *state;
  fat_auth_policy forte;
  fat_sessao s;
  char token[FAT_TOKEN_HEX], antes[160], depois[160];
  fat_err err;
  int64_t id = criar(st, "dora", FAT_PAPEL_FATURISTA, "senha-dora-1");

  sql_text(st, "SELECT senha_hash FROM usuario WHERE id = ?1", id, antes, sizeof antes);
  assert_non_null(strstr(antes, "$argon2id$v=19$m=65536,t=2,p=1$"));
  /* the same parameters: nothing to re-hash */
  entrar(st, "dora", "senha-dora-1", NULL, &s, token);
  sql_text(st, "SELECT senha_hash FROM usuario WHERE id = ?1", id, depois, sizeof depois);
  assert_string_equal(antes, depois);
  /* a release raises the passes: the next login re-hashes */
  memset(&forte, 0, sizeof forte);
  forte.hash_ops = 3;
  assert_int_equal(fat_auth_login(st, "dora", "senha-dora-1", NULL, NULL, &forte, &s, token, &err),
                   FAT_OK);
  sql_text(st, "SELECT senha_hash FROM usuario WHERE id = ?1", id, depois, sizeof depois);
  assert_non_null(strstr(depois, "$argon2id$v=19$m=65536,t=3,p=1$"));
  assert_int_equal(sql_int(st, "SELECT count(*) FROM auditoria WHERE acao = 'usuario.rehash'"
                               " AND ?1 > 0", 1), 1);
  /* never downwards, and the password still works */
  entrar(st, "dora", "senha-dora-1", NULL, &s, token);
  sql_text(st, "SELECT senha_hash FROM usuario WHERE id = ?1", id, antes, sizeof antes);
  assert_string_equal(antes, depois);
}

/* ------------------------------------------------------------ sessions */

static void test_sessoes(void **state)
{
  fat_store *st = *state;
  fat_sessao s1, s2, s3, x;
  char t1[FAT_TOKEN_HEX], t2[FAT_TOKEN_HEX], t3[FAT_TOKEN_HEX];
  fat_err err;
  cJSON *lst = NULL;
  int n = -1;
  int64_t bia, caio;

  criar(st, "ana", FAT_PAPEL_ADMIN, "senha-admin-1");
  bia = criar(st, "bia", FAT_PAPEL_FATURISTA, "senha-fat-1");
  caio = criar(st, "caio", FAT_PAPEL_SUPERVISOR, "senha-sup-1");
  entrar(st, "bia", "senha-fat-1", NULL, &s1, t1);
  entrar(st, "bia", "senha-fat-1", NULL, &s2, t2);
  entrar(st, "caio", "senha-sup-1", NULL, &s3, t3);
  assert_int_equal(fat_usuario_sessoes(st, 0, &lst, &err), FAT_OK);
  assert_int_equal(cJSON_GetArraySize(lst), 3);
  cJSON_Delete(lst);
  assert_int_equal(fat_usuario_sessoes(st, bia, &lst, &err), FAT_OK);
  assert_int_equal(cJSON_GetArraySize(lst), 2);
  assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(lst, 0), "ip")->valuestring,
                      "10.1.1.1");
  cJSON_Delete(lst);
  /* one session of bia; another user's session id is not hers */
  assert_int_equal(fat_usuario_encerrar_sessoes(st, bia, s3.id, &n, &err), FAT_ENOTFOUND);
  assert_int_equal(fat_usuario_encerrar_sessoes(st, bia, s1.id, &n, &err), FAT_OK);
  assert_int_equal(n, 1);
  assert_int_equal(fat_auth_sessao(st, t1, &x, &err), FAT_ENOTFOUND);
  assert_int_equal(fat_auth_sessao(st, t2, &x, &err), FAT_OK);
  assert_int_equal(fat_usuario_encerrar_sessoes(st, bia, 0, &n, &err), FAT_OK);
  assert_int_equal(n, 1);
  assert_int_equal(fat_auth_sessao(st, t2, &x, &err), FAT_ENOTFOUND);
  assert_int_equal(fat_auth_sessao(st, t3, &x, &err), FAT_OK);
  /* a role change applies to the open session at once */
  assert_int_equal(fat_usuario_mudar_papel(st, caio, FAT_PAPEL_FATURISTA, &err), FAT_OK);
  assert_int_equal(fat_auth_sessao(st, t3, &x, &err), FAT_OK);
  assert_int_equal(x.papel, FAT_PAPEL_FATURISTA);
  assert_int_equal(fat_usuario_listar(st, &lst, &err), FAT_OK);
  {
    char *txt = cJSON_PrintUnformatted(lst);

    assert_non_null(strstr(txt, "\"nome\":\"caio\",\"papel\":\"faturista\",\"ativo\":true"));
    assert_non_null(strstr(txt, "\"sessoes\":1"));
    assert_null(strstr(txt, "argon2"));
    cJSON_free(txt);
  }
  cJSON_Delete(lst);
}

/* ---------------------------------------------------------------- TOTP */

static void test_totp_rfc6238(void **state)
{
  /* RFC 6238 Appendix B: the seeds are ASCII "1234567890" repeated to 20
  ** (SHA-1), 32 (SHA-256) and 64 (SHA-512) bytes; 8 digits, 30 s steps */
  static const char seed64[] =
      "1234567890123456789012345678901234567890123456789012345678901234";
  static const struct {
    int64_t t;
    const char *sha1, *sha256, *sha512;
  } v[] = {
    {59, "94287082", "46119246", "90693936"},
    {1111111109, "07081804", "68084774", "25091201"},
    {1111111111, "14050471", "67062674", "99943326"},
    {1234567890, "89005924", "91819424", "93441116"},
    {2000000000, "69279037", "90698825", "38618901"},
    {20000000000, "65353130", "77737706", "47863826"},
  };
  const unsigned char *k = (const unsigned char *)seed64;
  char out[9];
  size_t i;
  int64_t passo;
  fat_err err;

  (void)state;
  for (i = 0; i < sizeof v / sizeof v[0]; i++) {
    assert_int_equal(fat_totp_codigo(k, 20, v[i].t, 30, 8, FAT_TOTP_SHA1, out, &err), FAT_OK);
    assert_string_equal(out, v[i].sha1);
    assert_int_equal(fat_totp_codigo(k, 32, v[i].t, 30, 8, FAT_TOTP_SHA256, out, &err), FAT_OK);
    assert_string_equal(out, v[i].sha256);
    assert_int_equal(fat_totp_codigo(k, 64, v[i].t, 30, 8, FAT_TOTP_SHA512, out, &err), FAT_OK);
    assert_string_equal(out, v[i].sha512);
    /* what faturo checks: the last 6 digits of the SHA-1 code */
    assert_int_equal(fat_totp_confere(k, 20, v[i].sha1 + 2, v[i].t, &passo), 1);
    assert_int_equal(passo, v[i].t / 30);
  }
  /* one step of clock drift either way, not two */
  assert_int_equal(fat_totp_confere(k, 20, "081804", 1111111109 + 30, &passo), 1);
  assert_int_equal(passo, 1111111109 / 30);
  assert_int_equal(fat_totp_confere(k, 20, "081804", 1111111109 - 30, &passo), 1);
  assert_int_equal(fat_totp_confere(k, 20, "081804", 1111111109 + 60, &passo), 0);
  assert_int_equal(fat_totp_confere(k, 20, "081 804", 1111111109, &passo), 1);
  assert_int_equal(fat_totp_confere(k, 20, "081805", 1111111109, &passo), 0);
  assert_int_equal(fat_totp_confere(k, 20, "81804", 1111111109, &passo), 0);
  assert_int_equal(fat_totp_confere(k, 20, "0818045", 1111111109, &passo), 0);
  assert_int_equal(fat_totp_confere(k, 20, "08a804", 1111111109, &passo), 0);
  assert_int_equal(fat_totp_confere(k, 20, NULL, 1111111109, &passo), 0);
  assert_int_equal(fat_totp_codigo(k, 20, 59, 30, 9, FAT_TOTP_SHA1, out, &err), FAT_EINVAL);
}

static void test_totp_base32_uri(void **state)
{
  /* RFC 4648 section 10 (padding left out) */
  static const struct {
    const char *in, *b32;
  } v[] = {{"", ""}, {"f", "MY"}, {"fo", "MZXQ"}, {"foo", "MZXW6"}, {"foob", "MZXW6YQ"},
           {"fooba", "MZXW6YTB"}, {"foobar", "MZXW6YTBOI"}};
  char b32[FAT_TOTP_BASE32_MAX];
  unsigned char bin[64];
  char *uri = NULL;
  size_t i;
  fat_err err;

  (void)state;
  for (i = 0; i < sizeof v / sizeof v[0]; i++) {
    size_t n = strlen(v[i].in);

    assert_int_equal(fat_totp_base32((const unsigned char *)v[i].in, n, b32, sizeof b32),
                     (int)strlen(v[i].b32));
    assert_string_equal(b32, v[i].b32);
    assert_int_equal(fat_totp_base32_decode(v[i].b32, bin, sizeof bin), (int)n);
    assert_memory_equal(bin, v[i].in, n);
  }
  assert_int_equal(fat_totp_base32_decode("mzxw 6ytb oi==", bin, sizeof bin), 6);
  assert_memory_equal(bin, "foobar", 6);
  assert_int_equal(fat_totp_base32_decode("MZXW1", bin, sizeof bin), -1); /* 1 is not base32 */
  assert_int_equal(fat_totp_base32_decode("MZXW6YTBOI", bin, 3), -1);
  assert_int_equal(fat_totp_base32((const unsigned char *)"foobar", 6, b32, 5), -1);
  assert_int_equal(fat_totp_uri("faturo", "ana maria@clinica", "MZXW6YTBOI", &uri, &err), FAT_OK);
  assert_string_equal(uri, "otpauth://totp/faturo:ana%20maria%40clinica?secret=MZXW6YTBOI"
                           "&issuer=faturo&algorithm=SHA1&digits=6&period=30");
  fat_free(uri);
}

/* The current code of a base32 secret. */
static void codigo_agora(const char *b32, int64_t t, char out[9])
{
  unsigned char k[64];
  int n = fat_totp_base32_decode(b32, k, sizeof k);
  fat_err err;

  assert_int_equal(n, FAT_TOTP_SEGREDO_BYTES);
  assert_int_equal(fat_totp_codigo(k, (size_t)n, t, 30, 6, FAT_TOTP_SHA1, out, &err), FAT_OK);
}

static void test_totp_login(void **state)
{
  fat_store *st = *state;
  fat_sessao s, x;
  char token[FAT_TOKEN_HEX], seg[FAT_TOTP_URI_B32], cod[9], selado[400], prov[FAT_SENHA_PROVISORIA];
  char *uri = NULL;
  fat_err err;
  int64_t ana = criar(st, "ana", FAT_PAPEL_ADMIN, "senha-admin-1");
  int64_t bia = criar(st, "bia", FAT_PAPEL_FATURISTA, "senha-fat-1");

  /* faturistas have no second factor; the password is asked again */
  assert_int_equal(fat_usuario_totp_iniciar(st, bia, "senha-fat-1", &uri, seg, &err), FAT_EPERM);
  assert_int_equal(fat_usuario_totp_iniciar(st, ana, "errada-errada", &uri, seg, &err),
                   FAT_EPERM);
  assert_null(uri);
  assert_int_equal(fat_usuario_totp_confirmar(st, ana, "senha-admin-1", "123456", &err),
                   FAT_ESTATE);
  assert_int_equal(fat_usuario_totp_iniciar(st, ana, "senha-admin-1", &uri, seg, &err), FAT_OK);
  assert_int_equal(strlen(seg), 32);
  assert_non_null(strstr(uri, seg));
  assert_non_null(strstr(uri, "otpauth://totp/faturo:ana?"));
  fat_free(uri);
  /* pending: login still needs no code; the secret is not stored in clear */
  entrar(st, "ana", "senha-admin-1", NULL, &s, token);
  sql_text(st, "SELECT totp_pendente FROM usuario WHERE id = ?1", ana, selado, sizeof selado);
  assert_true(strncmp(selado, "v1$2$67108864$", 14) == 0);
  assert_null(strstr(selado, seg));
  codigo_agora(seg, (int64_t)time(NULL), cod);
  cod[0] = cod[0] == '9' ? '0' : (char)(cod[0] + 1);
  assert_int_equal(fat_usuario_totp_confirmar(st, ana, "senha-admin-1", cod, &err), FAT_EPERM);
  /* codes are computed from the clock just before each use: argon2id takes
  ** long enough under sanitizers to cross a 30-second step */
  codigo_agora(seg, (int64_t)time(NULL), cod);
  assert_int_equal(fat_usuario_totp_confirmar(st, ana, "senha-admin-1", cod, &err), FAT_OK);
  sql_text(st, "SELECT totp_segredo FROM usuario WHERE id = ?1", ana, selado, sizeof selado);
  assert_true(strncmp(selado, "v1$", 3) == 0);
  assert_null(strstr(selado, seg));
  /* login: the password alone asks for the code, counting no failure */
  assert_int_equal(fat_auth_login(st, "ana", "senha-admin-1", NULL, NULL, NULL, &s, token, &err),
                   FAT_ESTATE);
  assert_non_null(strstr(err.msg, "código"));
  assert_int_equal(sql_int(st, "SELECT count(*) FROM login_falha WHERE ?1 > 0", 1), 0);
  assert_int_equal(fat_auth_login(st, "ana", "senha-admin-1", "000000", NULL, NULL, &s, token,
                                  &err),
                   FAT_EPERM);
  assert_int_equal(sql_int(st, "SELECT count(*) FROM login_falha WHERE ?1 > 0", 1), 1);
  /* the code used to confirm the enrolment is spent */
  assert_int_equal(fat_auth_login(st, "ana", "senha-admin-1", cod, NULL, NULL, &s, token, &err),
                   FAT_EPERM);
  codigo_agora(seg, (int64_t)time(NULL) + 30, cod);
  entrar(st, "ana", "senha-admin-1", cod, &s, token);
  assert_int_equal(s.totp, 1);
  /* a code works once */
  assert_int_equal(fat_auth_login(st, "ana", "senha-admin-1", cod, NULL, NULL, &x, token, &err),
                   FAT_EPERM);
  /* a password change re-seals the secret: the app keeps working (the last
  ** step used is forgotten here only to log in again within this minute) */
  assert_int_equal(fat_usuario_trocar_senha(st, ana, "senha-admin-1", "outra-senha-ana-2", 0,
                                            &err),
                   FAT_OK);
  assert_int_equal(fat_store_exec(st, "UPDATE usuario SET totp_passo = 0", &err), FAT_OK);
  codigo_agora(seg, (int64_t)time(NULL), cod);
  assert_int_equal(fat_auth_login(st, "ana", "senha-admin-1", cod, NULL, NULL, &s, token, &err),
                   FAT_EPERM);
  codigo_agora(seg, (int64_t)time(NULL), cod);
  entrar(st, "ana", "outra-senha-ana-2", cod, &s, token);
  /* an admin reset removes it (it cannot be read without the old password) */
  criar(st, "caio", FAT_PAPEL_ADMIN, "senha-sup-1");
  assert_int_equal(fat_usuario_redefinir(st, ana, prov, &err), FAT_OK);
  entrar(st, "ana", prov, NULL, &s, token);
  assert_int_equal(s.totp, 0);
  assert_int_equal(fat_usuario_totp_remover(st, ana, &err), FAT_ESTATE);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_senha_politica),
    cmocka_unit_test(test_totp_rfc6238),
    cmocka_unit_test(test_totp_base32_uri),
    cmocka_unit_test_setup_teardown(test_desativado_perde_sessao, setup, teardown),
    cmocka_unit_test_setup_teardown(test_ultimo_admin, setup, teardown),
    cmocka_unit_test_setup_teardown(test_senha_provisoria, setup, teardown),
    cmocka_unit_test_setup_teardown(test_rehash_no_login, setup, teardown),
    cmocka_unit_test_setup_teardown(test_sessoes, setup, teardown),
    cmocka_unit_test_setup_teardown(test_totp_login, setup, teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
