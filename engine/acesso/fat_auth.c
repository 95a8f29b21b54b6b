/* fat_auth.c: users, password hashes, sessions and login throttling. */
#include "fat_auth.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "fat_mem.h"
#include "fat_store_int.h"

#define SENHA_MIN 8
#define SENHA_MAX 1024

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;
static int sodium_ok;
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy_hash[crypto_pwhash_STRBYTES];
static int dummy_ok;

static void sodium_setup(void) { sodium_ok = sodium_init() >= 0; }

/* A hash to verify against when the user does not exist, so a login for an
** unknown name costs as much as one with a wrong password. */
static void dummy_setup(void)
{
  static const char pw[] = "faturo-usuario-inexistente";

  dummy_ok = crypto_pwhash_str(dummy_hash, pw, sizeof pw - 1, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                               crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0;
}

fat_rc fat_auth_init(fat_err *err)
{
  pthread_once(&sodium_once, sodium_setup);
  if (!sodium_ok)
    return fat_err_set(err, FAT_EIO, "não foi possível iniciar a biblioteca de criptografia");
  return FAT_OK;
}

const char *fat_papel_str(fat_papel p)
{
  switch (p) {
  case FAT_PAPEL_FATURISTA: return "faturista";
  case FAT_PAPEL_SUPERVISOR: return "supervisor";
  case FAT_PAPEL_ADMIN: return "admin";
  case FAT_PAPEL_NENHUM: break;
  }
  return "nenhum";
}

fat_papel fat_papel_parse(const char *s)
{
  if (s == NULL)
    return FAT_PAPEL_NENHUM;
  if (strcmp(s, "faturista") == 0)
    return FAT_PAPEL_FATURISTA;
  if (strcmp(s, "supervisor") == 0)
    return FAT_PAPEL_SUPERVISOR;
  if (strcmp(s, "admin") == 0)
    return FAT_PAPEL_ADMIN;
  return FAT_PAPEL_NENHUM;
}

int fat_auth_token_eq(const char *a, const char *b)
{
  size_t la, lb;

  if (a == NULL || b == NULL)
    return 0;
  la = strlen(a);
  lb = strlen(b);
  if (la != lb || la == 0)
    return 0;
  return sodium_memcmp(a, b, la) == 0;
}

static int nome_valido(const char *s)
{
  size_t i, n;

  if (s == NULL)
    return 0;
  n = strlen(s);
  if (n == 0 || n >= FAT_USUARIO_MAX)
    return 0;
  for (i = 0; i < n; i++) {
    char c = s[i];

    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '.' || c == '_' || c == '-' || c == '@'))
      return 0;
  }
  return 1;
}

/* 32 random bytes as 64 hex digits. */
static void random_hex(char out[FAT_TOKEN_HEX])
{
  unsigned char raw[32];

  randombytes_buf(raw, sizeof raw);
  sodium_bin2hex(out, FAT_TOKEN_HEX, raw, sizeof raw);
  sodium_memzero(raw, sizeof raw);
}

/* Hex BLAKE2b-256 of a token: what the sessao table keeps. */
static void token_hash(const char *token, char out[FAT_TOKEN_HEX])
{
  unsigned char h[32];

  crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
  sodium_bin2hex(out, FAT_TOKEN_HEX, h, sizeof h);
}

fat_rc fat_usuario_criar(fat_store *st, const char *nome, fat_papel papel, const char *senha,
                         int64_t *id, fat_err *err)
{
  static const char sql_exists[] = "SELECT 1 FROM usuario WHERE nome = ?1";
  static const char sql_ins[] =
      "INSERT INTO usuario (nome, papel, senha_hash) VALUES (?1, ?2, ?3)";
  char hash[crypto_pwhash_STRBYTES];
  fat_stmt *s;
  size_t n;
  int64_t new_id;
  char obj[96];
  fat_rc rc;

  rc = fat_auth_init(err);
  if (rc != FAT_OK)
    return rc;
  if (!nome_valido(nome))
    return fat_err_set(err, FAT_EINVAL,
                       "nome de usuário inválido: use de 1 a 63 letras, dígitos, '.', '_', '-' "
                       "ou '@'");
  if (papel != FAT_PAPEL_FATURISTA && papel != FAT_PAPEL_SUPERVISOR && papel != FAT_PAPEL_ADMIN)
    return fat_err_set(err, FAT_EINVAL, "papel inválido: use faturista, supervisor ou admin");
  n = senha != NULL ? strlen(senha) : 0;
  if (n < SENHA_MIN)
    return fat_err_set(err, FAT_EINVAL, "a senha precisa ter pelo menos %d caracteres",
                       SENHA_MIN);
  if (n > SENHA_MAX)
    return fat_err_set(err, FAT_EINVAL, "senha longa demais (máximo %d bytes)", SENHA_MAX);
  if (crypto_pwhash_str(hash, senha, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    return fat_err_set(err, FAT_ENOMEM, "memória insuficiente para calcular o hash da senha");

  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_prepare(st, sql_exists, &s, err);
  if (rc != FAT_OK)
    goto fail;
  fat_bind_text(s, 1, nome);
  if (fat_stmt_step(s) == FAT_ROW) {
    fat_stmt_reset(s);
    rc = fat_err_set(err, FAT_ESTATE, "o usuário '%s' já existe", nome);
    goto fail;
  }
  fat_stmt_reset(s);
  rc = fat_store_prepare(st, sql_ins, &s, err);
  if (rc != FAT_OK)
    goto fail;
  fat_bind_text(s, 1, nome);
  fat_bind_text(s, 2, fat_papel_str(papel));
  fat_bind_text(s, 3, hash);
  rc = fat_store_step_done(st, s, "erro ao gravar usuário", err);
  if (rc != FAT_OK)
    goto fail;
  new_id = fat_store_last_id(st);
  snprintf(obj, sizeof obj, "usuario:%s", nome);
  rc = fat_store_audit(st, "usuario.criar", obj, fat_papel_str(papel), err);
  if (rc != FAT_OK)
    goto fail;
  rc = fat_store_commit(st, err);
  if (rc != FAT_OK)
    return rc;
  if (id != NULL)
    *id = new_id;
  return FAT_OK;
fail:
  fat_store_rollback(st);
  return rc;
}

fat_rc fat_usuario_listar(fat_store *st, cJSON **out, fat_err *err)
{
  static const char sql[] =
      "SELECT id, nome, papel, ativo, criado_em FROM usuario ORDER BY nome";
  fat_stmt *s;
  cJSON *arr, *o;
  int step;
  fat_rc rc;

  *out = NULL;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  arr = cJSON_CreateArray();
  if (arr == NULL)
    return fat_err_oom(err);
  while ((step = fat_stmt_step(s)) == FAT_ROW) {
    o = cJSON_CreateObject();
    if (o == NULL || !cJSON_AddItemToArray(arr, o)) {
      cJSON_Delete(o);
      goto oom;
    }
    if (cJSON_AddNumberToObject(o, "id", (double)fat_col_int64(s, 0)) == NULL ||
        cJSON_AddStringToObject(o, "nome", fat_col_text(s, 1)) == NULL ||
        cJSON_AddStringToObject(o, "papel", fat_col_text(s, 2)) == NULL ||
        cJSON_AddBoolToObject(o, "ativo", fat_col_int(s, 3) != 0) == NULL ||
        cJSON_AddStringToObject(o, "criado_em", fat_col_text(s, 4)) ==
            NULL)
      goto oom;
  }
  fat_stmt_reset(s);
  if (step != FAT_DONE) {
    cJSON_Delete(arr);
    return fat_store_dberr(st, err, "erro ao listar usuários");
  }
  *out = arr;
  return FAT_OK;
oom:
  fat_stmt_reset(s);
  cJSON_Delete(arr);
  return fat_err_oom(err);
}

static fat_rc usuario_id(fat_store *st, const char *nome, int64_t *id, fat_err *err)
{
  static const char sql[] = "SELECT id FROM usuario WHERE nome = ?1";
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  *id = 0;
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, nome);
  if (fat_stmt_step(s) == FAT_ROW)
    *id = fat_col_int64(s, 0);
  fat_stmt_reset(s);
  if (*id == 0)
    return fat_err_set(err, FAT_ENOTFOUND, "usuário '%s' não encontrado", nome != NULL ? nome : "");
  return FAT_OK;
}

/* Forget the failed logins of user nome (and of address ip when not NULL). */
static fat_rc clear_failures(fat_store *st, const char *nome, const char *ip, fat_err *err)
{
  static const char sql[] = "DELETE FROM login_falha WHERE chave = ?1 OR chave = ?2";
  char ukey[FAT_USUARIO_MAX + 8], ikey[80];
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  snprintf(ukey, sizeof ukey, "u:%s", nome);
  snprintf(ikey, sizeof ikey, "ip:%s", ip != NULL ? ip : "");
  fat_bind_text(s, 1, ukey);
  fat_bind_text(s, 2, ip != NULL ? ikey : NULL);
  return fat_store_step_done(st, s, "erro ao liberar o login", err);
}

fat_rc fat_usuario_desbloquear(fat_store *st, const char *nome, const char *ip, fat_err *err)
{
  char obj[96];
  int64_t id;
  fat_rc rc;

  if (!nome_valido(nome))
    return fat_err_set(err, FAT_EINVAL, "nome de usuário inválido");
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = usuario_id(st, nome, &id, err);
  if (rc == FAT_OK)
    rc = clear_failures(st, nome, ip, err);
  if (rc == FAT_OK) {
    snprintf(obj, sizeof obj, "usuario:%s", nome);
    rc = fat_store_audit(st, "usuario.desbloquear", obj, ip, err);
  }
  if (rc != FAT_OK) {
    fat_store_rollback(st);
    return rc;
  }
  return fat_store_commit(st, err);
}

fat_rc fat_usuario_senha(fat_store *st, const char *nome, const char *senha, fat_err *err)
{
  static const char sql_upd[] = "UPDATE usuario SET senha_hash = ?2 WHERE id = ?1";
  static const char sql_sess[] = "DELETE FROM sessao WHERE usuario_id = ?1";
  char hash[crypto_pwhash_STRBYTES], obj[96];
  fat_stmt *s;
  size_t n = senha != NULL ? strlen(senha) : 0;
  int64_t id;
  fat_rc rc;

  rc = fat_auth_init(err);
  if (rc != FAT_OK)
    return rc;
  if (!nome_valido(nome))
    return fat_err_set(err, FAT_EINVAL, "nome de usuário inválido");
  if (n < SENHA_MIN)
    return fat_err_set(err, FAT_EINVAL, "a senha precisa ter pelo menos %d caracteres",
                       SENHA_MIN);
  if (n > SENHA_MAX)
    return fat_err_set(err, FAT_EINVAL, "senha longa demais (máximo %d bytes)", SENHA_MAX);
  if (crypto_pwhash_str(hash, senha, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    return fat_err_set(err, FAT_ENOMEM, "memória insuficiente para calcular o hash da senha");
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = usuario_id(st, nome, &id, err);
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql_upd, &s, err);
  if (rc == FAT_OK) {
    fat_bind_int(s, 1, id);
    fat_bind_text(s, 2, hash);
    rc = fat_store_step_done(st, s, "erro ao gravar a senha", err);
  }
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql_sess, &s, err);
  if (rc == FAT_OK) {
    fat_bind_int(s, 1, id);
    rc = fat_store_step_done(st, s, "erro ao encerrar as sessões", err);
  }
  if (rc == FAT_OK)
    rc = clear_failures(st, nome, NULL, err);
  if (rc == FAT_OK) {
    snprintf(obj, sizeof obj, "usuario:%s", nome);
    rc = fat_store_audit(st, "usuario.senha", obj, NULL, err);
  }
  sodium_memzero(hash, sizeof hash);
  if (rc != FAT_OK) {
    fat_store_rollback(st);
    return rc;
  }
  return fat_store_commit(st, err);
}

static void policy_fill(const fat_auth_policy *in, fat_auth_policy *p)
{
  memset(p, 0, sizeof *p);
  if (in != NULL)
    *p = *in;
  if (p->max_falhas_usuario <= 0)
    p->max_falhas_usuario = 5;
  if (p->max_falhas_ip <= 0)
    p->max_falhas_ip = 20;
  if (p->janela_s <= 0)
    p->janela_s = 900;
  if (p->sessao_s <= 0)
    p->sessao_s = 8 * 3600;
}

static fat_rc count_failures(fat_store *st, const char *key, int64_t since, int *n, fat_err *err)
{
  static const char sql[] = "SELECT count(*) FROM login_falha WHERE chave = ?1 AND em > ?2";
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  *n = 0;
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, key);
  fat_bind_int(s, 2, since);
  if (fat_stmt_step(s) == FAT_ROW)
    *n = fat_col_int(s, 0);
  else
    rc = fat_store_dberr(st, err, "erro ao consultar tentativas de login");
  fat_stmt_reset(s);
  return rc;
}

static fat_rc add_failure(fat_store *st, const char *key, int64_t now, fat_err *err)
{
  static const char sql[] = "INSERT INTO login_falha (chave, em) VALUES (?1, ?2)";
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, key);
  fat_bind_int(s, 2, now);
  rc = fat_store_step_done(st, s, "erro ao registrar tentativa de login", err);
  return rc;
}

static fat_rc record_failure(fat_store *st, const char *ukey, const char *ikey, int64_t now,
                             fat_err *err)
{
  fat_rc rc = fat_store_begin(st, err);

  if (rc != FAT_OK)
    return rc;
  rc = add_failure(st, ukey, now, err);
  if (rc == FAT_OK && ikey != NULL)
    rc = add_failure(st, ikey, now, err);
  if (rc == FAT_OK)
    rc = fat_store_audit(st, "sessao.falha", ukey, NULL, err);
  if (rc != FAT_OK) {
    fat_store_rollback(st);
    return rc;
  }
  return fat_store_commit(st, err);
}

/* Insert the session row and clean up what login makes stale. */
static fat_rc open_session(fat_store *st, fat_sessao *out, const char *ukey, const char *ip,
                           int64_t now, const fat_auth_policy *p, char token[FAT_TOKEN_HEX],
                           fat_err *err)
{
  static const char sql_clear[] = "DELETE FROM login_falha WHERE chave = ?1 OR em <= ?2";
  static const char sql_expired[] = "DELETE FROM sessao WHERE expira_em <= ?1";
  static const char sql_ins[] = "INSERT INTO sessao (token_hash, csrf, usuario_id, expira_em, ip) "
                                "VALUES (?1, ?2, ?3, ?4, ?5)";
  char th[FAT_TOKEN_HEX];
  fat_stmt *s;
  fat_rc rc;

  random_hex(token);
  random_hex(out->csrf);
  token_hash(token, th);
  out->expira_em = now + p->sessao_s;
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_prepare(st, sql_clear, &s, err);
  if (rc != FAT_OK)
    goto fail;
  fat_bind_text(s, 1, ukey);
  fat_bind_int(s, 2, now - p->janela_s);
  rc = fat_store_step_done(st, s, "erro ao limpar tentativas de login", err);
  if (rc != FAT_OK)
    goto fail;
  rc = fat_store_prepare(st, sql_expired, &s, err);
  if (rc != FAT_OK)
    goto fail;
  fat_bind_int(s, 1, now);
  rc = fat_store_step_done(st, s, "erro ao limpar sessões expiradas", err);
  if (rc != FAT_OK)
    goto fail;
  rc = fat_store_prepare(st, sql_ins, &s, err);
  if (rc != FAT_OK)
    goto fail;
  fat_bind_text(s, 1, th);
  fat_bind_text(s, 2, out->csrf);
  fat_bind_int(s, 3, out->usuario_id);
  fat_bind_int(s, 4, out->expira_em);
  fat_bind_text(s, 5, ip);
  rc = fat_store_step_done(st, s, "erro ao abrir sessão", err);
  if (rc != FAT_OK)
    goto fail;
  out->id = fat_store_last_id(st);
  rc = fat_store_audit(st, "sessao.abrir", ukey, NULL, err);
  if (rc != FAT_OK)
    goto fail;
  return fat_store_commit(st, err);
fail:
  fat_store_rollback(st);
  return rc;
}

fat_rc fat_auth_login(fat_store *st, const char *nome, const char *senha, const char *ip,
                      const fat_auth_policy *pol, fat_sessao *out, char token[FAT_TOKEN_HEX],
                      fat_err *err)
{
  static const char sql_user[] =
      "SELECT id, nome, papel, senha_hash, ativo FROM usuario WHERE nome = ?1";
  fat_auth_policy p;
  char ukey[FAT_USUARIO_MAX + 8], ikey[80];
  char *hash = NULL;
  int nu = 0, ni = 0, found = 0, ativo = 0, oom = 0, ok;
  int64_t now = (int64_t)time(NULL);
  fat_stmt *s;
  fat_rc rc;

  memset(out, 0, sizeof *out);
  token[0] = '\0';
  rc = fat_auth_init(err);
  if (rc != FAT_OK)
    return rc;
  policy_fill(pol, &p);
  if (!nome_valido(nome) || senha == NULL || strlen(senha) > SENHA_MAX)
    return fat_err_set(err, FAT_EPERM, "usuário ou senha incorretos");
  snprintf(ukey, sizeof ukey, "u:%s", nome);
  snprintf(ikey, sizeof ikey, "ip:%s", ip != NULL ? ip : "?");
  rc = count_failures(st, ukey, now - p.janela_s, &nu, err);
  if (rc == FAT_OK && ip != NULL)
    rc = count_failures(st, ikey, now - p.janela_s, &ni, err);
  if (rc != FAT_OK)
    return rc;
  if (nu >= p.max_falhas_usuario || ni >= p.max_falhas_ip)
    return fat_err_set(err, FAT_ELIMIT,
                       "muitas tentativas de login sem sucesso; tente de novo em %d minutos "
                       "(ou peça a quem administra o servidor: faturo usuario desbloquear)",
                       (p.janela_s + 59) / 60);

  rc = fat_store_prepare(st, sql_user, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, nome);
  if (fat_stmt_step(s) == FAT_ROW) {
    found = 1;
    out->usuario_id = fat_col_int64(s, 0);
    snprintf(out->usuario, sizeof out->usuario, "%s", fat_col_text(s, 1));
    out->papel = fat_papel_parse(fat_col_text(s, 2));
    hash = fat_col_strdup(s, 3, &oom);
    ativo = fat_col_int(s, 4);
  }
  fat_stmt_reset(s);
  if (oom)
    return fat_err_oom(err);

  if (found && hash != NULL) {
    ok = crypto_pwhash_str_verify(hash, senha, strlen(senha)) == 0;
  } else {
    pthread_once(&dummy_once, dummy_setup);
    int spent = dummy_ok ? crypto_pwhash_str_verify(dummy_hash, senha, strlen(senha)) : -1;

    (void)spent; /* only the time spent matters: the login fails either way */
    ok = 0;
  }
  fat_free(hash);
  if (!ok || !ativo || out->papel == FAT_PAPEL_NENHUM) {
    rc = record_failure(st, ukey, ip != NULL ? ikey : NULL, now, err);
    memset(out, 0, sizeof *out);
    if (rc != FAT_OK)
      return rc;
    return fat_err_set(err, FAT_EPERM, "usuário ou senha incorretos");
  }
  rc = open_session(st, out, ukey, ip, now, &p, token, err);
  if (rc != FAT_OK) {
    memset(out, 0, sizeof *out);
    token[0] = '\0';
  }
  return rc;
}

fat_rc fat_auth_sessao(fat_store *st, const char *token, fat_sessao *out, fat_err *err)
{
  static const char sql[] =
      "SELECT s.id, s.csrf, s.expira_em, u.id, u.nome, u.papel FROM sessao s "
      "JOIN usuario u ON u.id = s.usuario_id "
      "WHERE s.token_hash = ?1 AND s.expira_em > ?2 AND u.ativo = 1";
  char th[FAT_TOKEN_HEX];
  fat_stmt *s;
  int step;
  fat_rc rc;

  memset(out, 0, sizeof *out);
  if (token == NULL || strlen(token) != FAT_TOKEN_HEX - 1)
    return fat_err_set(err, FAT_ENOTFOUND, "sessão inválida ou expirada");
  rc = fat_auth_init(err);
  if (rc != FAT_OK)
    return rc;
  token_hash(token, th);
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, th);
  fat_bind_int(s, 2, (int64_t)time(NULL));
  step = fat_stmt_step(s);
  if (step == FAT_ROW) {
    out->id = fat_col_int64(s, 0);
    snprintf(out->csrf, sizeof out->csrf, "%s", fat_col_text(s, 1));
    out->expira_em = fat_col_int64(s, 2);
    out->usuario_id = fat_col_int64(s, 3);
    snprintf(out->usuario, sizeof out->usuario, "%s", fat_col_text(s, 4));
    out->papel = fat_papel_parse(fat_col_text(s, 5));
  } else if (step != FAT_DONE) {
    rc = fat_store_dberr(st, err, "erro ao consultar sessão");
  }
  fat_stmt_reset(s);
  if (rc != FAT_OK)
    return rc;
  if (step != FAT_ROW || out->papel == FAT_PAPEL_NENHUM) {
    memset(out, 0, sizeof *out);
    return fat_err_set(err, FAT_ENOTFOUND, "sessão inválida ou expirada");
  }
  return FAT_OK;
}

fat_rc fat_auth_logout(fat_store *st, const char *token, fat_err *err)
{
  static const char sql[] = "DELETE FROM sessao WHERE token_hash = ?1";
  char th[FAT_TOKEN_HEX];
  fat_stmt *s;
  fat_rc rc;

  if (token == NULL || strlen(token) != FAT_TOKEN_HEX - 1)
    return FAT_OK;
  rc = fat_auth_init(err);
  if (rc != FAT_OK)
    return rc;
  token_hash(token, th);
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, th);
  rc = fat_store_step_done(st, s, "erro ao encerrar sessão", err);
  return rc;
}
