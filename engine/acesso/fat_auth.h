/* fat_auth.h: users, passwords, web sessions and login throttling (Parts I
** and N).
**
** Users live in table `usuario` (schemas 001 and 070); sessions and failed
** logins in `sessao` and `login_falha` (schema 007). Passwords are hashed with
** libsodium crypto_pwhash_str (argon2id); the hash text records its own
** parameters ($argon2id$v=19$m=...,t=...,p=1$...), so raising FAT_SENHA_OPS
** or FAT_SENHA_MEM in a later release re-hashes each password at its next
** login. A session is a random token (sent to the browser in an HttpOnly
** cookie) whose hash is stored, plus a CSRF token the panel echoes in a
** header on every write.
**
** Users are never deleted: they are deactivated (their sessions end at once
** and login is refused) and may be reactivated. The last active admin can be
** neither deactivated nor demoted. An admin may give a user a one-time
** password; a session opened with it can only change it (troca_senha).
** Admins and supervisors may add a second factor: an authenticator app
** (TOTP, fat_totp.h) whose secret is sealed with a key derived from the
** user's password, so only a login that knows the password can read it.
**
** Roles are ordered: faturista < supervisor < admin; a route that needs a
** role accepts every higher one.
**
** Thread safety: the functions only touch the store passed in; use one store
** per thread (fat_store.h).
*/
#ifndef FAT_AUTH_H
#define FAT_AUTH_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_err.h"
#include "fat_store.h"
#include "fat_totp.h"

typedef enum fat_papel {
  FAT_PAPEL_NENHUM = 0, /* not logged in */
  FAT_PAPEL_FATURISTA = 1,
  FAT_PAPEL_SUPERVISOR = 2,
  FAT_PAPEL_ADMIN = 3
} fat_papel;

/* "faturista", "supervisor", "admin" ("nenhum" for FAT_PAPEL_NENHUM). */
const char *fat_papel_str(fat_papel p);
/* Parse the string form; FAT_PAPEL_NENHUM when unknown or NULL. */
fat_papel fat_papel_parse(const char *s);

#define FAT_TOKEN_HEX 65 /* 64 hex digits + NUL */
#define FAT_USUARIO_MAX 64
#define FAT_TOTP_URI_B32 40 /* base32 of a TOTP secret (32 chars) + NUL */

/* Who is behind a valid session. */
typedef struct fat_sessao {
  int64_t id;                    /* sessao.id */
  int64_t usuario_id;
  char usuario[FAT_USUARIO_MAX]; /* usuario.nome */
  fat_papel papel;
  char csrf[FAT_TOKEN_HEX];
  int64_t expira_em;             /* unix seconds */
  int troca_senha;               /* 1: opened with a one-time password; the
                                    user must change it before anything else */
  int totp;                      /* 1: the user has an authenticator enrolled */
} fat_sessao;

/* Login policy (0 in a field = default). */
typedef struct fat_auth_policy {
  int max_falhas_usuario; /* failures per user inside the window (default 5) */
  int max_falhas_ip;      /* failures per client address (default 20) */
  int janela_s;           /* throttling window in seconds (default 900) */
  int sessao_s;           /* session lifetime in seconds (default 8 h) */
  unsigned long long hash_ops; /* argon2id passes (default FAT_SENHA_OPS) */
  size_t hash_mem;        /* argon2id memory in bytes (default FAT_SENHA_MEM) */
} fat_auth_policy;

/* Password policy (docs/lgpd.md): at least FAT_SENHA_MIN characters
** (bytes of UTF-8), at most FAT_SENHA_MAX bytes, not the user name, not one
** character repeated, not in faturo's list of common passwords (compared
** without case). argon2id with FAT_SENHA_OPS passes over FAT_SENHA_MEM bytes
** (libsodium's "interactive" limits). */
#define FAT_SENHA_MIN 10
#define FAT_SENHA_MAX 1024
#define FAT_SENHA_OPS 2ULL
#define FAT_SENHA_MEM (64u * 1024u * 1024u)

/* Length of a one-time password with its NUL ("abcd-efgh-jkmn-pqrs"). */
#define FAT_SENHA_PROVISORIA 20

/* Check senha against the policy for user nome (NULL = no name check).
** FAT_EINVAL with a pt-BR message naming the rule broken. */
FAT_NODISCARD fat_rc fat_senha_politica(const char *nome, const char *senha, fat_err *err);

/* Initialise libsodium (idempotent, thread-safe). Every function below calls
** it; call it directly only to fail early. */
FAT_NODISCARD fat_rc fat_auth_init(fat_err *err);

/* Create user `nome` (1-63 chars of [A-Za-z0-9._@-]) with role `papel` and
** password `senha` (fat_senha_politica). FAT_ESTATE when the name is taken,
** FAT_EINVAL for a bad name, role or password. Audited. *id may be NULL. */
FAT_NODISCARD fat_rc fat_usuario_criar(fat_store *st, const char *nome, fat_papel papel,
                                       const char *senha, int64_t *id, fat_err *err);

/* Every user as a JSON array of {id, nome, papel, ativo, criado_em,
** desativado_em, senha_em, troca_senha, totp, sessoes (open sessions)},
** by name (never the password hash or the TOTP secret). *out owned by the
** caller (cJSON_Delete). */
FAT_NODISCARD fat_rc fat_usuario_listar(fat_store *st, cJSON **out, fat_err *err);

/* The id of user nome (active or not). FAT_ENOTFOUND when there is none. */
FAT_NODISCARD fat_rc fat_usuario_id(fat_store *st, const char *nome, int64_t *id, fat_err *err);

/* The name and role of an active user id (nome: FAT_USUARIO_MAX bytes, may
** be NULL). FAT_ENOTFOUND when there is no such user or it is inactive. */
FAT_NODISCARD fat_rc fat_usuario_papel_de(fat_store *st, int64_t id, char *nome,
                                          fat_papel *papel, fat_err *err);

/* Deactivate user id: login is refused and every session of the user ends
** in the same transaction. FAT_ESTATE when it is the last active admin (or
** already inactive), FAT_ENOTFOUND for an unknown id. Audited. */
FAT_NODISCARD fat_rc fat_usuario_desativar(fat_store *st, int64_t id, fat_err *err);

/* Reactivate user id. FAT_ESTATE when it is active. Audited. */
FAT_NODISCARD fat_rc fat_usuario_reativar(fat_store *st, int64_t id, fat_err *err);

/* Give user id role papel (takes effect on its next request). FAT_ESTATE
** when that would leave no active admin; FAT_EINVAL for a bad role.
** Audited with the old and the new role. */
FAT_NODISCARD fat_rc fat_usuario_mudar_papel(fat_store *st, int64_t id, fat_papel papel,
                                             fat_err *err);

/* An admin resets the password of user id: a random one-time password
** (about 79 bits, "abcd-efgh-jkmn-pqrs") is written into provisoria and set,
** the user must change it at the next login, its sessions end, its login
** throttle is lifted and its second factor is removed (sealed with the old
** password, it can no longer be read). Audited (never the password). */
FAT_NODISCARD fat_rc fat_usuario_redefinir(fat_store *st, int64_t id,
                                           char provisoria[FAT_SENHA_PROVISORIA],
                                           fat_err *err);

/* The user changes its own password: atual must be the current one (else
** FAT_EPERM), nova must pass the policy and differ from atual. Clears the
** one-time mark, re-seals the second factor under the new password and ends
** the user's other sessions (keep: the session doing it, 0 = none). Audited. */
FAT_NODISCARD fat_rc fat_usuario_trocar_senha(fat_store *st, int64_t id, const char *atual,
                                              const char *nova, int64_t keep, fat_err *err);

/* Open (unexpired) sessions, newest first: [{id, usuario_id, usuario, papel,
** criado_em, expira_em (unix seconds), ip}], of user id or of everyone
** (id 0). */
FAT_NODISCARD fat_rc fat_usuario_sessoes(fat_store *st, int64_t id, cJSON **out, fat_err *err);

/* End session sessao_id of user id, or every session of the user when
** sessao_id is 0; *n (may be NULL) gets how many ended. FAT_ENOTFOUND when
** sessao_id is not a session of that user. Audited. */
FAT_NODISCARD fat_rc fat_usuario_encerrar_sessoes(fat_store *st, int64_t id, int64_t sessao_id,
                                                  int *n, fat_err *err);

/* Second factor, step 1: for user id (admin or supervisor, else FAT_EPERM)
** confirming its password senha (FAT_EPERM when wrong), draw a new secret,
** keep it sealed as pending and return it as base32 (segredo) and as an
** otpauth:// URI (*uri, fat_free) for the authenticator app. Nothing changes
** for login until fat_usuario_totp_confirmar. */
FAT_NODISCARD fat_rc fat_usuario_totp_iniciar(fat_store *st, int64_t id, const char *senha,
                                              char **uri, char segredo[FAT_TOTP_URI_B32],
                                              fat_err *err);

/* Second factor, step 2: the first code the app shows turns the pending
** secret into the user's second factor. FAT_EPERM for a wrong password or
** code, FAT_ESTATE when there is no pending secret. Audited. */
FAT_NODISCARD fat_rc fat_usuario_totp_confirmar(fat_store *st, int64_t id, const char *senha,
                                                const char *codigo, fat_err *err);

/* Remove the second factor of user id (lost phone: an admin does it).
** FAT_ESTATE when it has none. Audited. */
FAT_NODISCARD fat_rc fat_usuario_totp_remover(fat_store *st, int64_t id, fat_err *err);

/* Lift the login throttle of user nome (its failed attempts are forgotten)
** and, when ip is not NULL, of that client address: the way back in for an
** administrator locked out, from the machine of the database (`faturo usuario
** desbloquear`). FAT_ENOTFOUND for an unknown user. Audited. */
FAT_NODISCARD fat_rc fat_usuario_desbloquear(fat_store *st, const char *nome, const char *ip,
                                             fat_err *err);

/* Set a new password (fat_senha_politica) for user nome from the machine of
** the database (`faturo usuario senha`): end its sessions, lift its
** throttle and clear the one-time mark, in one transaction. Its second
** factor is removed (it was sealed with the old password). FAT_ENOTFOUND for
** an unknown user. Audited. */
FAT_NODISCARD fat_rc fat_usuario_senha(fat_store *st, const char *nome, const char *senha,
                                       fat_err *err);

/* Check a password (and, for a user with a second factor, the 6-digit code
** of its app) and open a session. codigo and ip may be NULL. pol may be
** NULL (defaults). On success fills *out and token (the cookie value, hex);
** a hash made with weaker argon2id parameters than pol's is re-hashed (and
** the second factor re-sealed) on the way. Returns FAT_EPERM for a wrong
** user/password or code (the message does not say which of user and
** password), FAT_ESTATE when the password is right but the user's second
** factor needs a code that was not given (nothing is counted as a failure),
** FAT_ELIMIT while the user or the address is throttled (checked before the
** password, so a locked account cannot be probed). A code is accepted once. */
FAT_NODISCARD fat_rc fat_auth_login(fat_store *st, const char *nome, const char *senha,
                                    const char *codigo, const char *ip,
                                    const fat_auth_policy *pol, fat_sessao *out,
                                    char token[FAT_TOKEN_HEX], fat_err *err);

/* Resolve a cookie token to its session. FAT_ENOTFOUND when the token is
** unknown, expired or its user was deactivated. */
FAT_NODISCARD fat_rc fat_auth_sessao(fat_store *st, const char *token, fat_sessao *out,
                                     fat_err *err);

/* End the session of token (unknown tokens are not an error). */
FAT_NODISCARD fat_rc fat_auth_logout(fat_store *st, const char *token, fat_err *err);

/* Constant-time comparison of two NUL-terminated tokens; 1 when equal. */
int fat_auth_token_eq(const char *a, const char *b);

#endif
