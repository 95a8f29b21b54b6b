/* fat_auth.h: users, passwords, web sessions and login throttling (Part I).
**
** Users live in table `usuario` (schema 001); sessions and failed logins in
** `sessao` and `login_falha` (schema 007). Passwords are hashed with
** libsodium crypto_pwhash_str (argon2id, interactive limits). A session is a
** random token (sent to the browser in an HttpOnly cookie) whose hash is
** stored, plus a CSRF token the panel echoes in a header on every write.
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

/* Who is behind a valid session. */
typedef struct fat_sessao {
  int64_t id;                    /* sessao.id */
  int64_t usuario_id;
  char usuario[FAT_USUARIO_MAX]; /* usuario.nome */
  fat_papel papel;
  char csrf[FAT_TOKEN_HEX];
  int64_t expira_em;             /* unix seconds */
} fat_sessao;

/* Login policy (0 in a field = default). */
typedef struct fat_auth_policy {
  int max_falhas_usuario; /* failures per user inside the window (default 5) */
  int max_falhas_ip;      /* failures per client address (default 20) */
  int janela_s;           /* throttling window in seconds (default 900) */
  int sessao_s;           /* session lifetime in seconds (default 8 h) */
} fat_auth_policy;

/* Initialise libsodium (idempotent, thread-safe). Every function below calls
** it; call it directly only to fail early. */
FAT_NODISCARD fat_rc fat_auth_init(fat_err *err);

/* Create user `nome` (1-63 chars of [A-Za-z0-9._@-]) with role `papel` and
** password `senha` (8-1024 bytes). FAT_ESTATE when the name is taken,
** FAT_EINVAL for a bad name, role or password. Audited. *id may be NULL. */
FAT_NODISCARD fat_rc fat_usuario_criar(fat_store *st, const char *nome, fat_papel papel,
                                       const char *senha, int64_t *id, fat_err *err);

/* Every user as a JSON array of {id, nome, papel, ativo, criado_em} (never
** the password hash). *out owned by the caller (cJSON_Delete). */
FAT_NODISCARD fat_rc fat_usuario_listar(fat_store *st, cJSON **out, fat_err *err);

/* Lift the login throttle of user nome (its failed attempts are forgotten)
** and, when ip is not NULL, of that client address: the way back in for an
** administrator locked out, from the machine of the database (`faturo usuario
** desbloquear`). FAT_ENOTFOUND for an unknown user. Audited. */
FAT_NODISCARD fat_rc fat_usuario_desbloquear(fat_store *st, const char *nome, const char *ip,
                                             fat_err *err);

/* Set a new password (8-1024 bytes) for user nome, end its sessions and lift
** its throttle, in one transaction. FAT_ENOTFOUND for an unknown user. Audited. */
FAT_NODISCARD fat_rc fat_usuario_senha(fat_store *st, const char *nome, const char *senha,
                                       fat_err *err);

/* Check a password and open a session. ip may be NULL. pol may be NULL
** (defaults). On success fills *out and token (the cookie value, hex).
** Returns FAT_EPERM for a wrong user/password (the message does not say
** which), FAT_ELIMIT while the user or the address is throttled (checked
** before the password, so a locked account cannot be probed). */
FAT_NODISCARD fat_rc fat_auth_login(fat_store *st, const char *nome, const char *senha,
                                    const char *ip, const fat_auth_policy *pol,
                                    fat_sessao *out, char token[FAT_TOKEN_HEX], fat_err *err);

/* Resolve a cookie token to its session. FAT_ENOTFOUND when the token is
** unknown, expired or its user was deactivated. */
FAT_NODISCARD fat_rc fat_auth_sessao(fat_store *st, const char *token, fat_sessao *out,
                                     fat_err *err);

/* End the session of token (unknown tokens are not an error). */
FAT_NODISCARD fat_rc fat_auth_logout(fat_store *st, const char *token, fat_err *err);

/* Constant-time comparison of two NUL-terminated tokens; 1 when equal. */
int fat_auth_token_eq(const char *a, const char *b);

#endif
