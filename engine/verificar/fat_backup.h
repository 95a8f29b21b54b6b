/* fat_backup.h: backups of the clinic's database (Part N, files at rest).
**
** fat_backup_criar() writes a consistent copy of a live store (SQLite's
** online backup API, through fat_store_copiar_para: the server may go on
** writing), either as a plain SQLite file or encrypted with a key file
** (libsodium crypto_secretstream_xchacha20poly1305: authenticated, so a
** changed, truncated or extended file is refused as a whole).
**
** fat_backup_restaurar() checks a backup before it touches anything: it
** decrypts (or copies) it into a private temporary file beside the target,
** opens it as a store (migrating an older schema), runs SQLite's
** integrity and foreign-key checks and every invariant of fat_verificar();
** only when all pass is the target's content replaced by it (again through
** the backup API, in one transaction of the target). On any failure the
** target is left as it was and the temporary file is removed.
**
** Encrypted file: "FATUROBK" (8 bytes), version 1 (1 byte), the
** secretstream header (24 bytes), then chunks of FAT_BACKUP_BLOCO plain
** bytes (the last one shorter, tagged FINAL), each with its 17-byte tag.
** Key file: 64 hexadecimal characters (32 bytes) and a line break, mode
** 0600 (a key readable by others is refused).
*/
#ifndef FAT_BACKUP_H
#define FAT_BACKUP_H

#include <stddef.h>
#include <stdint.h>

#include "fat_err.h"
#include "fat_store.h"

#define FAT_BACKUP_BLOCO 65536 /* plain bytes per encrypted chunk */

/* What a backup or a restore did. */
typedef struct fat_backup_info {
  int cifrado;        /* 1: encrypted with a key file */
  int64_t bytes;      /* size of the database copied */
  int64_t guias;      /* rows of guia in it (a figure the user knows) */
  int64_t violacoes;  /* restore: invariant violations found (then refused) */
} fat_backup_info;

/* Write a random key into a new file path (64 hex characters and "\n",
** mode 0600). FAT_ESTATE when path exists (a key is never overwritten:
** backups made with it would be lost), FAT_EIO when it cannot be written. */
FAT_NODISCARD fat_rc fat_backup_chave_gerar(const char *path, fat_err *err);

/* Copy store st into the new file destino, encrypted with the key in file
** chave when chave is not NULL. FAT_ESTATE when destino exists (never
** overwritten), FAT_EINVAL for a bad or exposed key file, FAT_EIO / FAT_EDB
** otherwise; on failure nothing is left at destino. *info may be NULL. */
FAT_NODISCARD fat_rc fat_backup_criar(fat_store *st, const char *destino, const char *chave,
                                      fat_backup_info *info, fat_err *err);

/* Check the backup origem (encrypted with the key in file chave, or plain
** when chave is NULL) and, when it passes, replace the content of the
** database at db_path with it. No other connection should be writing to
** db_path (stop the server first). Refusals name the reason: FAT_EINVAL
** (wrong key or a changed file, encrypted but no key given, a key for a
** plain file), FAT_ESTATE when the copy is truncated, is not a faturo
** database, fails SQLite's checks or violates an invariant (then
** info->violacoes says how many). *info may be NULL. */
FAT_NODISCARD fat_rc fat_backup_restaurar(const char *origem, const char *chave,
                                          const char *db_path, fat_backup_info *info,
                                          fat_err *err);

#endif
