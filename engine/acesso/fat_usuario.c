/* fat_usuario.c: the life of a user after its creation: deactivation and
** reactivation, roles (never leaving the clinic without an active admin),
** one-time passwords, the user's own password change, open sessions and the
** second factor (TOTP). Every function is one transaction and audited. */
#include "fat_auth.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "fat_auth_int.h"
#include "fat_mem.h"
#include "fat_store_int.h"

/* What the functions below read about a user. */
typedef struct usuario_row {
  char nome[FAT_USUARIO_MAX];
  fat_papel papel;
  int ativo;
  int tem_totp;
} usuario_row;

static fat_rc load_user(fat_store *st, int64_t id, usuario_row *u, fat_err *err)
{
  static const char sql[] =
      "SELECT nome, papel, ativo, totp_segredo IS NOT NULL FROM usuario WHERE id = ?1";
  fat_stmt *s;
  int step;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  memset(u, 0, sizeof *u);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  step = fat_stmt_step(s);
  if (step == FAT_ROW) {
    snprintf(u->nome, sizeof u->nome, "%s", fat_col_text(s, 0));
    u->papel = fat_papel_parse(fat_col_text(s, 1));
    u->ativo = fat_col_int(s, 2);
    u->tem_totp = fat_col_int(s, 3);
  } else if (step != FAT_DONE) {
    rc = fat_store_dberr(st, err, "erro ao consultar usuário");
  }
  fat_stmt_reset(s);
  if (rc == FAT_OK && step != FAT_ROW)
    rc = fat_err_set(err, FAT_ENOTFOUND, "usuário %lld não encontrado", (long long)id);
  return rc;
}

/* Active admins other than user id. */
static fat_rc other_admins(fat_store *st, int64_t id, int64_t *n, fat_err *err)
{
  static const char sql[] =
      "SELECT count(*) FROM usuario WHERE papel = 'admin' AND ativo = 1 AND id <> ?1";
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  *n = 0;
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  if (fat_stmt_step(s) == FAT_ROW)
    *n = fat_col_int64(s, 0);
  else
    rc = fat_store_dberr(st, err, "erro ao contar administradores");
  fat_stmt_reset(s);
  return rc;
}

static fat_rc audit_user(fat_store *st, const char *acao, const char *nome, const char *detalhe,
                         fat_err *err)
{
  char obj[96];

  snprintf(obj, sizeof obj, "usuario:%s", nome);
  return fat_store_audit(st, acao, obj, detalhe, err);
}

/* Commit when rc is FAT_OK, else roll back; returns the outcome. */
static fat_rc finish(fat_store *st, fat_rc rc, fat_err *err)
{
  if (rc != FAT_OK) {
    fat_store_rollback(st);
    return rc;
  }
  return fat_store_commit(st, err);
}

fat_rc fat_usuario_papel_de(fat_store *st, int64_t id, char *nome, fat_papel *papel, fat_err *err)
{
  usuario_row u;
  fat_rc rc = load_user(st, id, &u, err);

  *papel = FAT_PAPEL_NENHUM;
  if (nome != NULL)
    nome[0] = '\0';
  if (rc != FAT_OK)
    return rc;
  if (!u.ativo)
    return fat_err_set(err, FAT_ENOTFOUND, "o usuário '%s' está desativado", u.nome);
  *papel = u.papel;
  if (nome != NULL)
    snprintf(nome, FAT_USUARIO_MAX, "%s", u.nome);
  return FAT_OK;
}

fat_rc fat_usuario_desativar(fat_store *st, int64_t id, fat_err *err)
{
  static const char sql[] =
      "UPDATE usuario SET ativo = 0, desativado_em = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'),"
      " desativado_por = ?2 WHERE id = ?1";
  usuario_row u;
  fat_stmt *s;
  int64_t admins = 0;
  int n = 0;
  char det[64];
  fat_rc rc = fat_store_begin(st, err);

  if (rc != FAT_OK)
    return rc;
  rc = load_user(st, id, &u, err);
  if (rc == FAT_OK && !u.ativo)
    rc = fat_err_set(err, FAT_ESTATE, "o usuário '%s' já está desativado", u.nome);
  if (rc == FAT_OK && u.papel == FAT_PAPEL_ADMIN)
    rc = other_admins(st, id, &admins, err);
  if (rc == FAT_OK && u.papel == FAT_PAPEL_ADMIN && admins == 0)
    rc = fat_err_set(err, FAT_ESTATE,
                     "'%s' é o último administrador ativo e não pode ser desativado: "
                     "dê o papel admin a outro usuário antes",
                     u.nome);
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql, &s, err);
  if (rc == FAT_OK) {
    fat_bind_int(s, 1, id);
    fat_bind_text(s, 2, fat_store_user(st));
    rc = fat_store_step_done(st, s, "erro ao desativar usuário", err);
  }
  if (rc == FAT_OK)
    rc = fat_auth_fim_sessoes(st, id, 0, &n, err);
  if (rc == FAT_OK) {
    snprintf(det, sizeof det, "%d sessão(ões) encerrada(s)", n);
    rc = audit_user(st, "usuario.desativar", u.nome, det, err);
  }
  return finish(st, rc, err);
}

fat_rc fat_usuario_reativar(fat_store *st, int64_t id, fat_err *err)
{
  static const char sql[] =
      "UPDATE usuario SET ativo = 1, desativado_em = NULL, desativado_por = NULL WHERE id = ?1";
  usuario_row u;
  fat_stmt *s;
  fat_rc rc = fat_store_begin(st, err);

  if (rc != FAT_OK)
    return rc;
  rc = load_user(st, id, &u, err);
  if (rc == FAT_OK && u.ativo)
    rc = fat_err_set(err, FAT_ESTATE, "o usuário '%s' já está ativo", u.nome);
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql, &s, err);
  if (rc == FAT_OK) {
    fat_bind_int(s, 1, id);
    rc = fat_store_step_done(st, s, "erro ao reativar usuário", err);
  }
  if (rc == FAT_OK)
    rc = fat_auth_limpa_falhas(st, u.nome, NULL, err);
  if (rc == FAT_OK)
    rc = audit_user(st, "usuario.reativar", u.nome, NULL, err);
  return finish(st, rc, err);
}

fat_rc fat_usuario_mudar_papel(fat_store *st, int64_t id, fat_papel papel, fat_err *err)
{
  static const char sql[] = "UPDATE usuario SET papel = ?2 WHERE id = ?1";
  usuario_row u;
  fat_stmt *s;
  int64_t admins = 0;
  char det[64];
  fat_rc rc;

  if (papel != FAT_PAPEL_FATURISTA && papel != FAT_PAPEL_SUPERVISOR && papel != FAT_PAPEL_ADMIN)
    return fat_err_set(err, FAT_EINVAL, "papel inválido: use faturista, supervisor ou admin");
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = load_user(st, id, &u, err);
  if (rc == FAT_OK && u.papel == papel)
    rc = fat_err_set(err, FAT_ESTATE, "o usuário '%s' já tem o papel %s", u.nome,
                     fat_papel_str(papel));
  if (rc == FAT_OK && u.papel == FAT_PAPEL_ADMIN && u.ativo)
    rc = other_admins(st, id, &admins, err);
  if (rc == FAT_OK && u.papel == FAT_PAPEL_ADMIN && u.ativo && admins == 0)
    rc = fat_err_set(err, FAT_ESTATE,
                     "'%s' é o último administrador ativo e não pode deixar de ser admin: "
                     "dê o papel admin a outro usuário antes",
                     u.nome);
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql, &s, err);
  if (rc == FAT_OK) {
    fat_bind_int(s, 1, id);
    fat_bind_text(s, 2, fat_papel_str(papel));
    rc = fat_store_step_done(st, s, "erro ao mudar o papel", err);
  }
  if (rc == FAT_OK) {
    snprintf(det, sizeof det, "%s -> %s", fat_papel_str(u.papel), fat_papel_str(papel));
    rc = audit_user(st, "usuario.papel", u.nome, det, err);
  }
  return finish(st, rc, err);
}

/* A one-time password: 16 characters of an alphabet without look-alikes
** (31 symbols, about 79 bits), in groups of 4. */
static void provisoria_nova(char out[FAT_SENHA_PROVISORIA])
{
  static const char alfabeto[] = "abcdefghjkmnpqrstuvwxyz23456789";
  size_t i, n = 0;

  for (i = 0; i < 16; i++) {
    if (i > 0 && i % 4 == 0)
      out[n++] = '-';
    out[n++] = alfabeto[randombytes_uniform((uint32_t)(sizeof alfabeto - 1))];
  }
  out[n] = '\0';
}

fat_rc fat_usuario_redefinir(fat_store *st, int64_t id, char provisoria[FAT_SENHA_PROVISORIA],
                             fat_err *err)
{
  static const char sql[] =
      "UPDATE usuario SET senha_hash = ?2, troca_senha = 1, totp_segredo = NULL,"
      " totp_pendente = NULL, totp_passo = NULL,"
      " senha_em = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?1";
  char hash[FAT_AUTH_HASH_MAX];
  usuario_row u;
  fat_stmt *s;
  fat_rc rc = fat_auth_init(err);

  provisoria[0] = '\0';
  if (rc != FAT_OK)
    return rc;
  provisoria_nova(provisoria);
  rc = fat_auth_hash(provisoria, NULL, hash, err);
  if (rc == FAT_OK)
    rc = fat_store_begin(st, err);
  if (rc != FAT_OK) {
    sodium_memzero(provisoria, FAT_SENHA_PROVISORIA);
    return rc;
  }
  rc = load_user(st, id, &u, err);
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql, &s, err);
  if (rc == FAT_OK) {
    fat_bind_int(s, 1, id);
    fat_bind_text(s, 2, hash);
    rc = fat_store_step_done(st, s, "erro ao gravar a senha provisória", err);
  }
  if (rc == FAT_OK)
    rc = fat_auth_fim_sessoes(st, id, 0, NULL, err);
  if (rc == FAT_OK)
    rc = fat_auth_limpa_falhas(st, u.nome, NULL, err);
  if (rc == FAT_OK)
    rc = audit_user(st, "usuario.redefinir", u.nome,
                    u.tem_totp ? "senha provisória; segundo fator removido" : "senha provisória",
                    err);
  rc = finish(st, rc, err);
  sodium_memzero(hash, sizeof hash);
  if (rc != FAT_OK)
    sodium_memzero(provisoria, FAT_SENHA_PROVISORIA);
  return rc;
}

/* The password hash and the sealed secrets of user id (fat_free each). */
static fat_rc load_secrets(fat_store *st, int64_t id, char **hash, char **totp, char **pendente,
                           fat_err *err)
{
  static const char sql[] =
      "SELECT senha_hash, totp_segredo, totp_pendente FROM usuario WHERE id = ?1 AND ativo = 1";
  fat_stmt *s;
  int oom = 0, step;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  *hash = *totp = NULL;
  if (pendente != NULL)
    *pendente = NULL;
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  step = fat_stmt_step(s);
  if (step == FAT_ROW) {
    *hash = fat_col_strdup(s, 0, &oom);
    *totp = fat_col_strdup(s, 1, &oom);
    if (pendente != NULL)
      *pendente = fat_col_strdup(s, 2, &oom);
  } else if (step != FAT_DONE) {
    rc = fat_store_dberr(st, err, "erro ao consultar usuário");
  }
  fat_stmt_reset(s);
  if (rc == FAT_OK && oom)
    rc = fat_err_oom(err);
  if (rc == FAT_OK && (step != FAT_ROW || *hash == NULL))
    rc = fat_err_set(err, FAT_ENOTFOUND, "usuário %lld não encontrado ou desativado",
                     (long long)id);
  if (rc != FAT_OK) {
    fat_free(*hash);
    fat_free(*totp);
    *hash = *totp = NULL;
    if (pendente != NULL) {
      fat_free(*pendente);
      *pendente = NULL;
    }
  }
  return rc;
}

static int senha_confere(const char *hash, const char *senha)
{
  return senha != NULL && strlen(senha) <= FAT_SENHA_MAX &&
         crypto_pwhash_str_verify(hash, senha, strlen(senha)) == 0;
}

fat_rc fat_usuario_trocar_senha(fat_store *st, int64_t id, const char *atual, const char *nova,
                                int64_t keep, fat_err *err)
{
  static const char sql[] =
      "UPDATE usuario SET senha_hash = ?2, troca_senha = 0, totp_segredo = ?3,"
      " totp_pendente = NULL, senha_em = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?1";
  char hash[FAT_AUTH_HASH_MAX];
  char *velho = NULL, *totp = NULL, *novo_totp = NULL;
  unsigned char seg[64];
  size_t n = 0;
  usuario_row u;
  fat_stmt *s;
  fat_rc rc = fat_auth_init(err);

  if (rc != FAT_OK)
    return rc;
  rc = load_user(st, id, &u, err);
  if (rc == FAT_OK)
    rc = load_secrets(st, id, &velho, &totp, NULL, err);
  if (rc == FAT_OK && !senha_confere(velho, atual))
    rc = fat_err_set(err, FAT_EPERM, "a senha atual não confere");
  if (rc == FAT_OK)
    rc = fat_senha_politica(u.nome, nova, err);
  if (rc == FAT_OK && strcmp(atual, nova) == 0)
    rc = fat_err_set(err, FAT_EINVAL, "a nova senha precisa ser diferente da atual");
  if (rc == FAT_OK && totp != NULL) {
    rc = fat_auth_abrir(atual, NULL, totp, seg, sizeof seg, &n, NULL, err);
    if (rc == FAT_OK)
      rc = fat_auth_selar(nova, NULL, seg, n, &novo_totp, err);
    sodium_memzero(seg, sizeof seg);
  }
  if (rc == FAT_OK)
    rc = fat_auth_hash(nova, NULL, hash, err);
  if (rc != FAT_OK)
    goto out;
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    goto out;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc == FAT_OK) {
    fat_bind_int(s, 1, id);
    fat_bind_text(s, 2, hash);
    fat_bind_text(s, 3, novo_totp);
    rc = fat_store_step_done(st, s, "erro ao gravar a senha", err);
  }
  if (rc == FAT_OK)
    rc = fat_auth_fim_sessoes(st, id, keep, NULL, err);
  if (rc == FAT_OK)
    rc = audit_user(st, "usuario.trocar_senha", u.nome, NULL, err);
  rc = finish(st, rc, err);
  sodium_memzero(hash, sizeof hash);
out:
  fat_free(velho);
  fat_free(totp);
  fat_free(novo_totp);
  return rc;
}

fat_rc fat_usuario_sessoes(fat_store *st, int64_t id, cJSON **out, fat_err *err)
{
  static const char sql[] =
      "SELECT s.id AS id, u.id AS usuario_id, u.nome AS usuario, u.papel AS papel,"
      " s.criado_em AS criado_em, s.expira_em AS expira_em, s.ip AS ip"
      " FROM sessao s JOIN usuario u ON u.id = s.usuario_id"
      " WHERE s.expira_em > ?2 AND (?1 = 0 OR s.usuario_id = ?1) ORDER BY s.id DESC";
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  *out = NULL;
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  fat_bind_int(s, 2, (int64_t)time(NULL));
  return fat_store_rows_json(st, s, 0, "erro ao listar sessões", out, err);
}

fat_rc fat_usuario_encerrar_sessoes(fat_store *st, int64_t id, int64_t sessao_id, int *n,
                                    fat_err *err)
{
  static const char sql_one[] = "DELETE FROM sessao WHERE id = ?1 AND usuario_id = ?2";
  usuario_row u;
  fat_stmt *s;
  int ended = 0;
  char det[64];
  fat_rc rc = fat_store_begin(st, err);

  if (n != NULL)
    *n = 0;
  if (rc != FAT_OK)
    return rc;
  rc = load_user(st, id, &u, err);
  if (rc == FAT_OK && sessao_id > 0) {
    rc = fat_store_prepare(st, sql_one, &s, err);
    if (rc == FAT_OK) {
      fat_bind_int(s, 1, sessao_id);
      fat_bind_int(s, 2, id);
      rc = fat_store_step_done(st, s, "erro ao encerrar a sessão", err);
    }
    if (rc == FAT_OK)
      ended = fat_store_changes(st);
    if (rc == FAT_OK && ended == 0)
      rc = fat_err_set(err, FAT_ENOTFOUND, "sessão %lld de '%s' não encontrada",
                       (long long)sessao_id, u.nome);
  } else if (rc == FAT_OK) {
    rc = fat_auth_fim_sessoes(st, id, 0, &ended, err);
  }
  if (rc == FAT_OK) {
    if (sessao_id > 0)
      snprintf(det, sizeof det, "sessão %lld", (long long)sessao_id);
    else
      snprintf(det, sizeof det, "%d sessão(ões)", ended);
    rc = audit_user(st, "sessao.encerrar", u.nome, det, err);
  }
  rc = finish(st, rc, err);
  if (rc == FAT_OK && n != NULL)
    *n = ended;
  return rc;
}

fat_rc fat_usuario_totp_iniciar(fat_store *st, int64_t id, const char *senha, char **uri,
                                char segredo[FAT_TOTP_URI_B32], fat_err *err)
{
  static const char sql[] = "UPDATE usuario SET totp_pendente = ?2 WHERE id = ?1";
  unsigned char seg[FAT_TOTP_SEGREDO_BYTES];
  char *hash = NULL, *totp = NULL, *selado = NULL;
  usuario_row u;
  fat_stmt *s;
  fat_rc rc = fat_auth_init(err);

  *uri = NULL;
  segredo[0] = '\0';
  if (rc != FAT_OK)
    return rc;
  rc = load_user(st, id, &u, err);
  if (rc == FAT_OK && u.papel != FAT_PAPEL_ADMIN && u.papel != FAT_PAPEL_SUPERVISOR)
    rc = fat_err_set(err, FAT_EPERM,
                     "o segundo fator é para administradores e supervisores");
  if (rc == FAT_OK)
    rc = load_secrets(st, id, &hash, &totp, NULL, err);
  if (rc == FAT_OK && !senha_confere(hash, senha))
    rc = fat_err_set(err, FAT_EPERM, "senha incorreta");
  if (rc == FAT_OK) {
    randombytes_buf(seg, sizeof seg);
    rc = fat_auth_selar(senha, NULL, seg, sizeof seg, &selado, err);
  }
  if (rc == FAT_OK && fat_totp_base32(seg, sizeof seg, segredo, FAT_TOTP_URI_B32) < 0)
    rc = fat_err_set(err, FAT_EINVAL, "segredo grande demais");
  if (rc == FAT_OK)
    rc = fat_totp_uri("faturo", u.nome, segredo, uri, err);
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql, &s, err);
  if (rc == FAT_OK) {
    fat_bind_int(s, 1, id);
    fat_bind_text(s, 2, selado);
    rc = fat_store_step_done(st, s, "erro ao guardar o segredo", err);
  }
  sodium_memzero(seg, sizeof seg);
  fat_free(hash);
  fat_free(totp);
  fat_free(selado);
  if (rc != FAT_OK) {
    fat_free(*uri);
    *uri = NULL;
    sodium_memzero(segredo, FAT_TOTP_URI_B32);
  }
  return rc;
}

fat_rc fat_usuario_totp_confirmar(fat_store *st, int64_t id, const char *senha,
                                  const char *codigo, fat_err *err)
{
  static const char sql[] =
      "UPDATE usuario SET totp_segredo = totp_pendente, totp_pendente = NULL, totp_passo = ?2"
      " WHERE id = ?1";
  unsigned char seg[64];
  char *hash = NULL, *totp = NULL, *pendente = NULL;
  size_t n = 0;
  int64_t passo = 0;
  usuario_row u;
  fat_stmt *s;
  fat_rc rc = fat_auth_init(err);

  if (rc != FAT_OK)
    return rc;
  rc = load_user(st, id, &u, err);
  if (rc == FAT_OK)
    rc = load_secrets(st, id, &hash, &totp, &pendente, err);
  if (rc == FAT_OK && pendente == NULL)
    rc = fat_err_set(err, FAT_ESTATE,
                     "não há segundo fator aguardando confirmação: comece a ativação de novo");
  if (rc == FAT_OK && !senha_confere(hash, senha))
    rc = fat_err_set(err, FAT_EPERM, "senha incorreta");
  if (rc == FAT_OK) {
    rc = fat_auth_abrir(senha, NULL, pendente, seg, sizeof seg, &n, NULL, err);
    if (rc == FAT_OK && !fat_totp_confere(seg, n, codigo, (int64_t)time(NULL), &passo))
      rc = fat_err_set(err, FAT_EPERM,
                       "código incorreto: confira o relógio do celular e digite o código atual");
    sodium_memzero(seg, sizeof seg);
  }
  if (rc != FAT_OK)
    goto out;
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    goto out;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc == FAT_OK) {
    fat_bind_int(s, 1, id);
    fat_bind_int(s, 2, passo);
    rc = fat_store_step_done(st, s, "erro ao ativar o segundo fator", err);
  }
  if (rc == FAT_OK)
    rc = audit_user(st, "usuario.totp_ativar", u.nome, NULL, err);
  rc = finish(st, rc, err);
out:
  fat_free(hash);
  fat_free(totp);
  fat_free(pendente);
  return rc;
}

fat_rc fat_usuario_totp_remover(fat_store *st, int64_t id, fat_err *err)
{
  static const char sql[] =
      "UPDATE usuario SET totp_segredo = NULL, totp_pendente = NULL, totp_passo = NULL"
      " WHERE id = ?1";
  usuario_row u;
  fat_stmt *s;
  fat_rc rc = fat_store_begin(st, err);

  if (rc != FAT_OK)
    return rc;
  rc = load_user(st, id, &u, err);
  if (rc == FAT_OK && !u.tem_totp)
    rc = fat_err_set(err, FAT_ESTATE, "o usuário '%s' não tem segundo fator", u.nome);
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql, &s, err);
  if (rc == FAT_OK) {
    fat_bind_int(s, 1, id);
    rc = fat_store_step_done(st, s, "erro ao remover o segundo fator", err);
  }
  if (rc == FAT_OK)
    rc = audit_user(st, "usuario.totp_remover", u.nome, NULL, err);
  return finish(st, rc, err);
}
