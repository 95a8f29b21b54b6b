/* fat_auth.c: users, password hashes, sessions and login throttling. The
** life of a user after its creation (deactivation, roles, one-time
** passwords, sessions, second factor) is in fat_usuario.c. */
#include "fat_auth.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "fat_auth_int.h"
#include "fat_mem.h"
#include "fat_store_int.h"

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

  dummy_ok = crypto_pwhash_str(dummy_hash, pw, sizeof pw - 1, FAT_SENHA_OPS,
                               (size_t)FAT_SENHA_MEM) == 0;
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

int fat_auth_nome_valido(const char *s)
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
      "INSERT INTO usuario (nome, papel, senha_hash, senha_em)"
      " VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))";
  char hash[FAT_AUTH_HASH_MAX];
  fat_stmt *s;
  int64_t new_id;
  char obj[96];
  fat_rc rc;

  rc = fat_auth_init(err);
  if (rc != FAT_OK)
    return rc;
  if (!fat_auth_nome_valido(nome))
    return fat_err_set(err, FAT_EINVAL,
                       "nome de usuário inválido: use de 1 a 63 letras, dígitos, '.', '_', '-' "
                       "ou '@'");
  if (papel != FAT_PAPEL_FATURISTA && papel != FAT_PAPEL_SUPERVISOR && papel != FAT_PAPEL_ADMIN)
    return fat_err_set(err, FAT_EINVAL, "papel inválido: use faturista, supervisor ou admin");
  rc = fat_senha_politica(nome, senha, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_auth_hash(senha, NULL, hash, err);
  if (rc != FAT_OK)
    return rc;

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
      "SELECT u.id AS id, u.nome AS nome, u.papel AS papel, u.ativo AS ativo,"
      " u.criado_em AS criado_em, u.desativado_em AS desativado_em, u.senha_em AS senha_em,"
      " u.troca_senha AS troca_senha, (u.totp_segredo IS NOT NULL) AS totp,"
      " (SELECT count(*) FROM sessao s WHERE s.usuario_id = u.id AND s.expira_em > ?1)"
      " AS sessoes"
      " FROM usuario u ORDER BY u.nome";
  fat_stmt *s;
  cJSON *arr = NULL, *o;
  fat_rc rc;

  *out = NULL;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, (int64_t)time(NULL));
  rc = fat_store_rows_json(st, s, 0, "erro ao listar usuários", &arr, err);
  if (rc != FAT_OK)
    return rc;
  /* 0/1 columns as JSON booleans */
  cJSON_ArrayForEach(o, arr)
  {
    static const char *const bools[] = {"ativo", "troca_senha", "totp"};
    size_t i;

    for (i = 0; i < sizeof bools / sizeof bools[0]; i++) {
      cJSON *v = cJSON_GetObjectItemCaseSensitive(o, bools[i]);
      cJSON *b = cJSON_CreateBool(cJSON_IsNumber(v) && v->valuedouble != 0);

      if (b == NULL || !cJSON_ReplaceItemInObjectCaseSensitive(o, bools[i], b)) {
        cJSON_Delete(b);
        cJSON_Delete(arr);
        return fat_err_oom(err);
      }
    }
  }
  *out = arr;
  return FAT_OK;
}

fat_rc fat_usuario_id(fat_store *st, const char *nome, int64_t *id, fat_err *err)
{
  static const char sql[] = "SELECT id FROM usuario WHERE nome = ?1";
  fat_stmt *s;
  int step;
  fat_rc rc;

  *id = 0;
  if (!fat_auth_nome_valido(nome))
    return fat_err_set(err, FAT_EINVAL, "nome de usuário inválido");
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, nome);
  step = fat_stmt_step(s);
  if (step == FAT_ROW)
    *id = fat_col_int64(s, 0);
  else if (step != FAT_DONE)
    rc = fat_store_dberr(st, err, "erro ao consultar usuário");
  fat_stmt_reset(s);
  if (rc == FAT_OK && *id == 0)
    rc = fat_err_set(err, FAT_ENOTFOUND, "usuário '%s' não encontrado", nome);
  return rc;
}

fat_rc fat_auth_limpa_falhas(fat_store *st, const char *nome, const char *ip, fat_err *err)
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

fat_rc fat_auth_fim_sessoes(fat_store *st, int64_t id, int64_t keep, int *n, fat_err *err)
{
  static const char sql[] = "DELETE FROM sessao WHERE usuario_id = ?1 AND id <> ?2";
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  if (n != NULL)
    *n = 0;
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  fat_bind_int(s, 2, keep > 0 ? keep : 0);
  rc = fat_store_step_done(st, s, "erro ao encerrar as sessões", err);
  if (rc == FAT_OK && n != NULL)
    *n = fat_store_changes(st);
  return rc;
}

fat_rc fat_usuario_desbloquear(fat_store *st, const char *nome, const char *ip, fat_err *err)
{
  char obj[96];
  int64_t id;
  fat_rc rc;

  if (!fat_auth_nome_valido(nome))
    return fat_err_set(err, FAT_EINVAL, "nome de usuário inválido");
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_usuario_id(st, nome, &id, err);
  if (rc == FAT_OK)
    rc = fat_auth_limpa_falhas(st, nome, ip, err);
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
  static const char sql_upd[] =
      "UPDATE usuario SET senha_hash = ?2, troca_senha = 0, totp_segredo = NULL,"
      " totp_pendente = NULL, totp_passo = NULL,"
      " senha_em = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?1";
  char hash[FAT_AUTH_HASH_MAX], obj[96];
  fat_stmt *s;
  int64_t id;
  fat_rc rc;

  rc = fat_auth_init(err);
  if (rc != FAT_OK)
    return rc;
  if (!fat_auth_nome_valido(nome))
    return fat_err_set(err, FAT_EINVAL, "nome de usuário inválido");
  rc = fat_senha_politica(nome, senha, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_auth_hash(senha, NULL, hash, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_usuario_id(st, nome, &id, err);
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql_upd, &s, err);
  if (rc == FAT_OK) {
    fat_bind_int(s, 1, id);
    fat_bind_text(s, 2, hash);
    rc = fat_store_step_done(st, s, "erro ao gravar a senha", err);
  }
  if (rc == FAT_OK)
    rc = fat_auth_fim_sessoes(st, id, 0, NULL, err);
  if (rc == FAT_OK)
    rc = fat_auth_limpa_falhas(st, nome, NULL, err);
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
  if (p->hash_ops == 0)
    p->hash_ops = FAT_SENHA_OPS;
  if (p->hash_mem == 0)
    p->hash_mem = (size_t)FAT_SENHA_MEM;
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
                             const char *detalhe, fat_err *err)
{
  fat_rc rc = fat_store_begin(st, err);

  if (rc != FAT_OK)
    return rc;
  rc = add_failure(st, ukey, now, err);
  if (rc == FAT_OK && ikey != NULL)
    rc = add_failure(st, ikey, now, err);
  if (rc == FAT_OK)
    rc = fat_store_audit(st, "sessao.falha", ukey, detalhe, err);
  if (rc != FAT_OK) {
    fat_store_rollback(st);
    return rc;
  }
  return fat_store_commit(st, err);
}

/* What login needs to know about a user, and what it may rewrite. */
typedef struct login_user {
  int found, ativo, troca_senha;
  char *hash;          /* senha_hash */
  char *totp;          /* sealed secret, or NULL */
  int64_t totp_passo;  /* last step used */
  char *novo_hash;     /* re-hash with stronger parameters, or NULL */
  char *novo_totp;     /* re-sealed secret, or NULL */
  int64_t novo_passo;  /* step of the code accepted now, or 0 */
} login_user;

static void login_user_fini(login_user *u)
{
  if (u->hash != NULL)
    sodium_memzero(u->hash, strlen(u->hash));
  fat_free(u->hash);
  fat_free(u->totp);
  fat_free(u->novo_hash);
  fat_free(u->novo_totp);
}

/* Insert the session row, store what login re-hashed and clean up what
** login makes stale. */
static fat_rc open_session(fat_store *st, fat_sessao *out, const login_user *u, const char *ukey,
                           const char *ip, int64_t now, const fat_auth_policy *p,
                           char token[FAT_TOKEN_HEX], fat_err *err)
{
  static const char sql_clear[] = "DELETE FROM login_falha WHERE chave = ?1 OR em <= ?2";
  static const char sql_expired[] = "DELETE FROM sessao WHERE expira_em <= ?1";
  static const char sql_ins[] = "INSERT INTO sessao (token_hash, csrf, usuario_id, expira_em, ip) "
                                "VALUES (?1, ?2, ?3, ?4, ?5)";
  static const char sql_hash[] = "UPDATE usuario SET senha_hash = ?2 WHERE id = ?1";
  static const char sql_totp[] =
      "UPDATE usuario SET totp_segredo = coalesce(?2, totp_segredo),"
      " totp_passo = coalesce(?3, totp_passo) WHERE id = ?1";
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
  if (u->novo_hash != NULL) {
    rc = fat_store_prepare(st, sql_hash, &s, err);
    if (rc != FAT_OK)
      goto fail;
    fat_bind_int(s, 1, out->usuario_id);
    fat_bind_text(s, 2, u->novo_hash);
    rc = fat_store_step_done(st, s, "erro ao atualizar o hash da senha", err);
    if (rc == FAT_OK)
      rc = fat_store_audit(st, "usuario.rehash", ukey, NULL, err);
    if (rc != FAT_OK)
      goto fail;
  }
  if (u->novo_totp != NULL || u->novo_passo > 0) {
    rc = fat_store_prepare(st, sql_totp, &s, err);
    if (rc != FAT_OK)
      goto fail;
    fat_bind_int(s, 1, out->usuario_id);
    fat_bind_text(s, 2, u->novo_totp);
    fat_bind_int_or_null(s, 3, u->novo_passo, u->novo_passo <= 0);
    rc = fat_store_step_done(st, s, "erro ao gravar o segundo fator", err);
    if (rc != FAT_OK)
      goto fail;
  }
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
  rc = fat_store_audit(st, "sessao.abrir", ukey, u->totp != NULL ? "segundo fator" : NULL, err);
  if (rc != FAT_OK)
    goto fail;
  return fat_store_commit(st, err);
fail:
  fat_store_rollback(st);
  return rc;
}

/* The m= (KiB) and t= of an argon2id hash text; 0 when absent. */
static void hash_params(const char *hash, unsigned long long *t, size_t *m)
{
  const char *pm = strstr(hash, "$m="), *pt = strstr(hash, ",t=");

  *t = pt != NULL ? strtoull(pt + 3, NULL, 10) : 0;
  *m = pm != NULL ? (size_t)strtoull(pm + 3, NULL, 10) * 1024u : 0;
}

/* After a right password: the second factor (when enrolled) and whatever
** must be re-hashed or re-sealed with stronger parameters. */
static fat_rc login_second_step(login_user *u, const char *senha, const char *codigo,
                                int64_t now, const fat_auth_policy *p, fat_err *err)
{
  unsigned char seg[64];
  size_t n = 0;
  int reseal = 0;
  unsigned long long t;
  size_t m;
  fat_rc rc = FAT_OK;

  if (u->totp != NULL) {
    int64_t passo = 0;

    if (codigo == NULL || codigo[0] == '\0')
      return fat_err_set(err, FAT_ESTATE,
                         "informe o código de %d dígitos do aplicativo autenticador",
                         FAT_TOTP_DIGITOS);
    rc = fat_auth_abrir(senha, p, u->totp, seg, sizeof seg, &n, &reseal, err);
    if (rc == FAT_EPERM || rc == FAT_EINVAL)
      return fat_err_set(err, FAT_EIO,
                         "o segundo fator deste usuário não pode ser lido; peça a um "
                         "administrador para removê-lo (faturo usuario totp remover)");
    if (rc != FAT_OK)
      return rc;
    if (!fat_totp_confere(seg, n, codigo, now, &passo) || passo <= u->totp_passo) {
      sodium_memzero(seg, sizeof seg);
      return fat_err_set(err, FAT_EPERM, "código do autenticador incorreto ou já usado");
    }
    u->novo_passo = passo;
    if (reseal)
      rc = fat_auth_selar(senha, p, seg, n, &u->novo_totp, err);
    sodium_memzero(seg, sizeof seg);
    if (rc != FAT_OK)
      return rc;
  }
  hash_params(u->hash, &t, &m);
  if (t < p->hash_ops || m < p->hash_mem) {
    u->novo_hash = fat_malloc(FAT_AUTH_HASH_MAX);
    if (u->novo_hash == NULL)
      return fat_err_oom(err);
    rc = fat_auth_hash(senha, p, u->novo_hash, err);
  }
  return rc;
}

fat_rc fat_auth_login(fat_store *st, const char *nome, const char *senha, const char *codigo,
                      const char *ip, const fat_auth_policy *pol, fat_sessao *out,
                      char token[FAT_TOKEN_HEX], fat_err *err)
{
  static const char sql_user[] =
      "SELECT id, nome, papel, senha_hash, ativo, troca_senha, totp_segredo,"
      " coalesce(totp_passo, 0) FROM usuario WHERE nome = ?1";
  fat_auth_policy p;
  login_user u;
  char ukey[FAT_USUARIO_MAX + 8], ikey[80];
  int nu = 0, ni = 0, oom = 0, ok;
  int64_t now = (int64_t)time(NULL);
  fat_stmt *s;
  fat_rc rc;

  memset(out, 0, sizeof *out);
  memset(&u, 0, sizeof u);
  token[0] = '\0';
  rc = fat_auth_init(err);
  if (rc != FAT_OK)
    return rc;
  policy_fill(pol, &p);
  if (!fat_auth_nome_valido(nome) || senha == NULL || strlen(senha) > FAT_SENHA_MAX)
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
    u.found = 1;
    out->usuario_id = fat_col_int64(s, 0);
    snprintf(out->usuario, sizeof out->usuario, "%s", fat_col_text(s, 1));
    out->papel = fat_papel_parse(fat_col_text(s, 2));
    u.hash = fat_col_strdup(s, 3, &oom);
    u.ativo = fat_col_int(s, 4);
    u.troca_senha = fat_col_int(s, 5);
    u.totp = fat_col_strdup(s, 6, &oom);
    u.totp_passo = fat_col_int64(s, 7);
  }
  fat_stmt_reset(s);
  if (oom) {
    login_user_fini(&u);
    return fat_err_oom(err);
  }

  if (u.found && u.hash != NULL) {
    ok = crypto_pwhash_str_verify(u.hash, senha, strlen(senha)) == 0;
  } else {
    pthread_once(&dummy_once, dummy_setup);
    int spent = dummy_ok ? crypto_pwhash_str_verify(dummy_hash, senha, strlen(senha)) : -1;

    (void)spent; /* only the time spent matters: the login fails either way */
    ok = 0;
  }
  if (!ok || !u.ativo || out->papel == FAT_PAPEL_NENHUM) {
    login_user_fini(&u);
    memset(out, 0, sizeof *out);
    rc = record_failure(st, ukey, ip != NULL ? ikey : NULL, now, NULL, err);
    if (rc != FAT_OK)
      return rc;
    return fat_err_set(err, FAT_EPERM, "usuário ou senha incorretos");
  }
  rc = login_second_step(&u, senha, codigo, now, &p, err);
  if (rc == FAT_EPERM) {
    fat_err e2;

    fat_err_clear(&e2);
    if (record_failure(st, ukey, ip != NULL ? ikey : NULL, now, "segundo fator", &e2) != FAT_OK)
      rc = fat_err_set(err, e2.rc, "%s", e2.msg);
  }
  if (rc == FAT_OK) {
    out->troca_senha = u.troca_senha;
    out->totp = u.totp != NULL;
    rc = open_session(st, out, &u, ukey, ip, now, &p, token, err);
  }
  login_user_fini(&u);
  if (rc != FAT_OK) {
    memset(out, 0, sizeof *out);
    token[0] = '\0';
  }
  return rc;
}

fat_rc fat_auth_sessao(fat_store *st, const char *token, fat_sessao *out, fat_err *err)
{
  static const char sql[] =
      "SELECT s.id, s.csrf, s.expira_em, u.id, u.nome, u.papel, u.troca_senha,"
      " u.totp_segredo IS NOT NULL FROM sessao s"
      " JOIN usuario u ON u.id = s.usuario_id"
      " WHERE s.token_hash = ?1 AND s.expira_em > ?2 AND u.ativo = 1";
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
    out->troca_senha = fat_col_int(s, 6);
    out->totp = fat_col_int(s, 7);
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
