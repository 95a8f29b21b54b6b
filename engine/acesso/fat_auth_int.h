/* fat_auth_int.h: what fat_auth.c and fat_usuario.c share (engine only). */
#ifndef FAT_AUTH_INT_H
#define FAT_AUTH_INT_H

#include <stddef.h>
#include <stdint.h>

#include "fat_auth.h"

/* Room for a crypto_pwhash_str hash (libsodium's crypto_pwhash_STRBYTES). */
#define FAT_AUTH_HASH_MAX 128

/* 1 when s is a valid user name (1-63 of [A-Za-z0-9._@-]). */
int fat_auth_nome_valido(const char *s);

/* argon2id hash of senha with the parameters in force (FAT_SENHA_OPS and
** FAT_SENHA_MEM, or pol's when pol sets them). FAT_ENOMEM when libsodium
** cannot get the memory. */
FAT_NODISCARD fat_rc fat_auth_hash(const char *senha, const fat_auth_policy *pol,
                                   char out[FAT_AUTH_HASH_MAX], fat_err *err);

/* Parameters in force (pol's when set, else the defaults). */
void fat_auth_params(const fat_auth_policy *pol, unsigned long long *ops, size_t *mem);

/* Seal secret[0..n) under a key derived from senha (argon2id with the
** parameters in force, recorded in the sealed text). *out: fat_free. */
FAT_NODISCARD fat_rc fat_auth_selar(const char *senha, const fat_auth_policy *pol,
                                    const unsigned char *secret, size_t n, char **out,
                                    fat_err *err);

/* Open a text made by fat_auth_selar with senha into out[0..cap); *n gets
** its length. FAT_EPERM when senha is not the one it was sealed with (or the
** text was altered), FAT_EINVAL when the text is malformed. *needs_reseal
** (may be NULL) is 1 when it was sealed with weaker parameters than pol's. */
FAT_NODISCARD fat_rc fat_auth_abrir(const char *senha, const fat_auth_policy *pol,
                                    const char *selado, unsigned char *out, size_t cap,
                                    size_t *n, int *needs_reseal, fat_err *err);

/* End the sessions of user id (all of them, or all but keep when keep > 0);
** *n (may be NULL) gets how many ended. Inside the caller's transaction. */
FAT_NODISCARD fat_rc fat_auth_fim_sessoes(fat_store *st, int64_t id, int64_t keep, int *n,
                                          fat_err *err);

/* Forget the failed logins of user nome (and of address ip when not NULL). */
FAT_NODISCARD fat_rc fat_auth_limpa_falhas(fat_store *st, const char *nome, const char *ip,
                                           fat_err *err);

#endif
