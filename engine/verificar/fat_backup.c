/* fat_backup.c: faturo backup / restaurar (fat_backup.h). */
#include "fat_backup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "fat_mem.h"
#include "fat_store_int.h"
#include "fat_verificar.h"

#define MAGICO "FATUROBK"
#define MAGICO_LEN 8
#define VERSAO 1
#define CHAVE_HEX (2 * crypto_secretstream_xchacha20poly1305_KEYBYTES)
#define CIFRA_BLOCO (FAT_BACKUP_BLOCO + crypto_secretstream_xchacha20poly1305_ABYTES)

/* A new empty private file "<base>.<what>-XXXXXX" into *out (fat_free). */
static fat_rc temp_file(const char *base, const char *what, char **out, fat_err *err)
{
  char *t = fat_asprintf("%s.%s-XXXXXX", base, what);
  int fd;

  *out = NULL;
  if (t == NULL)
    return fat_err_oom(err);
  fd = mkstemp(t);
  if (fd < 0) {
    fat_rc rc = fat_err_set(err, FAT_EIO, "não foi possível criar um arquivo temporário em %s: %s",
                            t, strerror(errno));

    fat_free(t);
    return rc;
  }
  close(fd);
  *out = t;
  return FAT_OK;
}

/* Read the key in file path into key; refuses a key others can read. */
static fat_rc read_key(const char *path, unsigned char key[crypto_secretstream_xchacha20poly1305_KEYBYTES],
                       fat_err *err)
{
  char buf[256];
  struct stat sb;
  size_t n, bin_len = 0;
  const char *end = NULL;
  FILE *f;
  fat_rc rc = FAT_OK;

  f = fopen(path, "r");
  if (f == NULL)
    return fat_err_set(err, FAT_EINVAL, "não foi possível abrir a chave %s: %s", path,
                       strerror(errno));
  if (fstat(fileno(f), &sb) != 0 || (sb.st_mode & 077) != 0) {
    fclose(f);
    return fat_err_set(err, FAT_EINVAL,
                       "a chave %s pode ser lida por outros usuários (use chmod 600)", path);
  }
  n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
    buf[--n] = '\0';
  if (n != CHAVE_HEX ||
      sodium_hex2bin(key, crypto_secretstream_xchacha20poly1305_KEYBYTES, buf, n, NULL, &bin_len,
                     &end) != 0 ||
      bin_len != crypto_secretstream_xchacha20poly1305_KEYBYTES || end != buf + n)
    rc = fat_err_set(err, FAT_EINVAL,
                     "chave inválida em %s: esperados %d caracteres hexadecimais (use faturo "
                     "backup --gerar-chave)",
                     path, CHAVE_HEX);
  sodium_memzero(buf, sizeof buf);
  return rc;
}

fat_rc fat_backup_chave_gerar(const char *path, fat_err *err)
{
  unsigned char key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
  char hex[CHAVE_HEX + 2];
  int fd, ok;

  if (sodium_init() < 0)
    return fat_err_set(err, FAT_EIO, "libsodium não pôde ser iniciada");
  fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    if (errno == EEXIST)
      return fat_err_set(err, FAT_ESTATE,
                         "%s já existe: uma chave nunca é sobrescrita (as cópias feitas com ela "
                         "ficariam ilegíveis)",
                         path);
    return fat_err_set(err, FAT_EIO, "não foi possível criar %s: %s", path, strerror(errno));
  }
  crypto_secretstream_xchacha20poly1305_keygen(key);
  sodium_bin2hex(hex, sizeof hex, key, sizeof key);
  hex[CHAVE_HEX] = '\n';
  ok = write(fd, hex, CHAVE_HEX + 1) == CHAVE_HEX + 1;
  ok = fsync(fd) == 0 && ok;
  ok = close(fd) == 0 && ok;
  sodium_memzero(key, sizeof key);
  sodium_memzero(hex, sizeof hex);
  if (!ok) {
    unlink(path);
    return fat_err_set(err, FAT_EIO, "não foi possível gravar %s", path);
  }
  return FAT_OK;
}

/* Encrypt file plain into the open file out under key. */
static fat_rc encrypt_file(const char *plain, FILE *out,
                           const unsigned char key[crypto_secretstream_xchacha20poly1305_KEYBYTES],
                           fat_err *err)
{
  crypto_secretstream_xchacha20poly1305_state est;
  unsigned char header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
  unsigned char *in = NULL, *cif = NULL;
  unsigned char versao = VERSAO;
  unsigned long long clen;
  size_t n;
  FILE *f;
  fat_rc rc = FAT_OK;

  f = fopen(plain, "rb");
  if (f == NULL)
    return fat_err_set(err, FAT_EIO, "não foi possível ler %s: %s", plain, strerror(errno));
  in = fat_malloc(FAT_BACKUP_BLOCO);
  cif = fat_malloc(CIFRA_BLOCO);
  if (in == NULL || cif == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  crypto_secretstream_xchacha20poly1305_init_push(&est, header, key);
  if (fwrite(MAGICO, 1, MAGICO_LEN, out) != MAGICO_LEN || fwrite(&versao, 1, 1, out) != 1 ||
      fwrite(header, 1, sizeof header, out) != sizeof header) {
    rc = fat_err_set(err, FAT_EIO, "não foi possível gravar a cópia: %s", strerror(errno));
    goto out;
  }
  for (;;) {
    unsigned char tag;

    n = fread(in, 1, FAT_BACKUP_BLOCO, f);
    if (ferror(f)) {
      rc = fat_err_set(err, FAT_EIO, "não foi possível ler %s", plain);
      break;
    }
    /* a full block may still be the last one: look one byte ahead */
    if (n == FAT_BACKUP_BLOCO) {
      int c = fgetc(f);

      tag = c == EOF ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0;
      if (c != EOF)
        ungetc(c, f);
    } else {
      tag = crypto_secretstream_xchacha20poly1305_TAG_FINAL;
    }
    crypto_secretstream_xchacha20poly1305_push(&est, cif, &clen, in, n, NULL, 0, tag);
    if (fwrite(cif, 1, (size_t)clen, out) != (size_t)clen) {
      rc = fat_err_set(err, FAT_EIO, "não foi possível gravar a cópia: %s", strerror(errno));
      break;
    }
    if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL)
      break;
  }
out:
  sodium_memzero(&est, sizeof est);
  if (in != NULL)
    sodium_memzero(in, FAT_BACKUP_BLOCO);
  fat_free(in);
  fat_free(cif);
  fclose(f);
  return rc;
}

/* Decrypt the open file in (positioned after the magic and version) into
** file plain under key. */
static fat_rc decrypt_file(FILE *in, const char *origem, const char *plain,
                           const unsigned char key[crypto_secretstream_xchacha20poly1305_KEYBYTES],
                           fat_err *err)
{
  crypto_secretstream_xchacha20poly1305_state est;
  unsigned char header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
  unsigned char *cif = NULL, *dec = NULL;
  unsigned long long mlen;
  unsigned char tag = 0;
  size_t n;
  FILE *out;
  fat_rc rc = FAT_OK;

  out = fopen(plain, "wb");
  if (out == NULL)
    return fat_err_set(err, FAT_EIO, "não foi possível criar %s: %s", plain, strerror(errno));
  cif = fat_malloc(CIFRA_BLOCO);
  dec = fat_malloc(FAT_BACKUP_BLOCO);
  if (cif == NULL || dec == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  if (fread(header, 1, sizeof header, in) != sizeof header ||
      crypto_secretstream_xchacha20poly1305_init_pull(&est, header, key) != 0) {
    rc = fat_err_set(err, FAT_ESTATE, "%s está truncado: não é uma cópia completa", origem);
    goto out;
  }
  while (tag != crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
    n = fread(cif, 1, CIFRA_BLOCO, in);
    if (n == 0) {
      rc = fat_err_set(err, FAT_ESTATE, "%s está truncado: não é uma cópia completa", origem);
      goto out;
    }
    if (crypto_secretstream_xchacha20poly1305_pull(&est, dec, &mlen, &tag, cif, n, NULL, 0) !=
        0) {
      rc = fat_err_set(err, FAT_EINVAL,
                       "%s não pôde ser decifrado: chave errada ou arquivo alterado", origem);
      goto out;
    }
    if (fwrite(dec, 1, (size_t)mlen, out) != (size_t)mlen) {
      rc = fat_err_set(err, FAT_EIO, "não foi possível gravar %s: %s", plain, strerror(errno));
      goto out;
    }
  }
  if (fgetc(in) != EOF)
    rc = fat_err_set(err, FAT_ESTATE, "%s tem dados depois do fim da cópia: arquivo alterado",
                     origem);
out:
  sodium_memzero(&est, sizeof est);
  if (dec != NULL)
    sodium_memzero(dec, FAT_BACKUP_BLOCO);
  fat_free(cif);
  fat_free(dec);
  if (fclose(out) != 0 && rc == FAT_OK)
    rc = fat_err_set(err, FAT_EIO, "não foi possível gravar %s: %s", plain, strerror(errno));
  return rc;
}

static int64_t file_size(const char *path)
{
  struct stat sb;

  return stat(path, &sb) == 0 ? (int64_t)sb.st_size : 0;
}

static fat_rc count_guias(fat_store *st, int64_t *n, fat_err *err)
{
  static const char sql[] = "SELECT count(*) FROM guia";
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  *n = 0;
  if (rc != FAT_OK)
    return rc;
  if (fat_stmt_step(s) == FAT_ROW)
    *n = fat_col_int64(s, 0);
  else
    rc = fat_store_dberr(st, err, "erro ao contar as guias");
  fat_stmt_reset(s);
  return rc;
}

/* Give file tmp the name destino unless destino exists. */
static fat_rc publish(const char *tmp, const char *destino, fat_err *err)
{
  if (link(tmp, destino) != 0) {
    if (errno == EEXIST)
      return fat_err_set(err, FAT_ESTATE, "%s já existe: escolha outro nome", destino);
    return fat_err_set(err, FAT_EIO, "não foi possível gravar %s: %s", destino, strerror(errno));
  }
  unlink(tmp);
  return FAT_OK;
}

fat_rc fat_backup_criar(fat_store *st, const char *destino, const char *chave,
                        fat_backup_info *info, fat_err *err)
{
  unsigned char key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
  fat_backup_info r;
  char *plain = NULL, *cif = NULL;
  struct stat sb;
  FILE *out = NULL;
  fat_rc rc;

  memset(&r, 0, sizeof r);
  if (sodium_init() < 0)
    return fat_err_set(err, FAT_EIO, "libsodium não pôde ser iniciada");
  if (stat(destino, &sb) == 0)
    return fat_err_set(err, FAT_ESTATE, "%s já existe: escolha outro nome", destino);
  if (chave != NULL) {
    rc = read_key(chave, key, err);
    if (rc != FAT_OK)
      return rc;
    r.cifrado = 1;
  }
  rc = count_guias(st, &r.guias, err);
  if (rc == FAT_OK)
    rc = temp_file(destino, "copia", &plain, err);
  if (rc == FAT_OK)
    rc = fat_store_copiar_para(st, plain, err);
  if (rc == FAT_OK)
    r.bytes = file_size(plain);
  if (rc == FAT_OK && chave == NULL) {
    rc = publish(plain, destino, err);
    goto out;
  }
  if (rc == FAT_OK)
    rc = temp_file(destino, "cifra", &cif, err);
  if (rc == FAT_OK) {
    out = fopen(cif, "wb");
    if (out == NULL)
      rc = fat_err_set(err, FAT_EIO, "não foi possível criar %s: %s", cif, strerror(errno));
  }
  if (rc == FAT_OK)
    rc = encrypt_file(plain, out, key, err);
  if (out != NULL) {
    int ok = fflush(out) == 0 && fsync(fileno(out)) == 0;

    if (fclose(out) != 0 || !ok) {
      if (rc == FAT_OK)
        rc = fat_err_set(err, FAT_EIO, "não foi possível gravar %s: %s", cif, strerror(errno));
    }
  }
  if (rc == FAT_OK)
    rc = publish(cif, destino, err);
out:
  sodium_memzero(key, sizeof key);
  if (plain != NULL)
    fat_store_remove_files(plain);
  if (cif != NULL)
    unlink(cif);
  fat_free(plain);
  fat_free(cif);
  if (rc == FAT_OK && info != NULL)
    *info = r;
  return rc;
}

/* Copy the open file in into file destino as it is. */
static fat_rc copy_file(FILE *in, const char *destino, fat_err *err)
{
  char buf[16384];
  size_t n;
  FILE *out = fopen(destino, "wb");
  fat_rc rc = FAT_OK;

  if (out == NULL)
    return fat_err_set(err, FAT_EIO, "não foi possível criar %s: %s", destino, strerror(errno));
  for (n = fread(buf, 1, sizeof buf, in); n > 0; n = fread(buf, 1, sizeof buf, in)) {
    if (fwrite(buf, 1, n, out) != n) {
      rc = fat_err_set(err, FAT_EIO, "não foi possível gravar %s: %s", destino, strerror(errno));
      break;
    }
  }
  if (rc == FAT_OK && ferror(in))
    rc = fat_err_set(err, FAT_EIO, "erro ao ler a cópia");
  if (fclose(out) != 0 && rc == FAT_OK)
    rc = fat_err_set(err, FAT_EIO, "não foi possível gravar %s: %s", destino, strerror(errno));
  return rc;
}

/* SQLite's own checks on the candidate: structure and foreign keys. */
static fat_rc sqlite_checks(fat_store *st, const char *origem, fat_err *err)
{
  static const char sql_int[] = "PRAGMA integrity_check";
  static const char sql_fk[] = "PRAGMA foreign_key_check";
  fat_stmt *s;
  int step;
  fat_rc rc = fat_store_prepare(st, sql_int, &s, err);

  if (rc != FAT_OK)
    return rc;
  step = fat_stmt_step(s);
  if (step != FAT_ROW || fat_col_text(s, 0) == NULL || strcmp(fat_col_text(s, 0), "ok") != 0)
    rc = fat_err_set(err, FAT_ESTATE, "%s está danificado (verificação de integridade: %s)",
                     origem, step == FAT_ROW && fat_col_text(s, 0) != NULL ? fat_col_text(s, 0)
                                                                           : "falhou");
  fat_stmt_reset(s);
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_prepare(st, sql_fk, &s, err);
  if (rc != FAT_OK)
    return rc;
  step = fat_stmt_step(s);
  if (step == FAT_ROW)
    rc = fat_err_set(err, FAT_ESTATE, "%s tem referências quebradas (tabela %s)", origem,
                     fat_col_text(s, 0) != NULL ? fat_col_text(s, 0) : "?");
  else if (step != FAT_DONE)
    rc = fat_store_dberr(st, err, "erro ao verificar as referências da cópia");
  fat_stmt_reset(s);
  return rc;
}

fat_rc fat_backup_restaurar(const char *origem, const char *chave, const char *db_path,
                            fat_backup_info *info, fat_err *err)
{
  unsigned char key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
  char magico[MAGICO_LEN + 1];
  unsigned char versao = 0;
  fat_verif_relatorio rel;
  fat_backup_info r;
  fat_store *cand = NULL;
  char *tmp = NULL;
  FILE *in;
  size_t n;
  fat_rc rc;

  memset(&r, 0, sizeof r);
  memset(&rel, 0, sizeof rel);
  sodium_memzero(key, sizeof key);
  if (sodium_init() < 0)
    return fat_err_set(err, FAT_EIO, "libsodium não pôde ser iniciada");
  in = fopen(origem, "rb");
  if (in == NULL)
    return fat_err_set(err, FAT_EIO, "não foi possível abrir %s: %s", origem, strerror(errno));
  n = fread(magico, 1, MAGICO_LEN, in);
  magico[n] = '\0';
  r.cifrado = n == MAGICO_LEN && memcmp(magico, MAGICO, MAGICO_LEN) == 0;
  rc = temp_file(db_path, "restaurar", &tmp, err);
  if (rc != FAT_OK)
    goto out;
  if (r.cifrado) {
    if (chave == NULL) {
      rc = fat_err_set(err, FAT_EINVAL, "%s é uma cópia cifrada: informe a chave (--chave)",
                       origem);
      goto out;
    }
    if (fread(&versao, 1, 1, in) != 1 || versao != VERSAO) {
      rc = fat_err_set(err, FAT_EINVAL, "%s: versão de cópia cifrada desconhecida", origem);
      goto out;
    }
    rc = read_key(chave, key, err);
    if (rc == FAT_OK)
      rc = decrypt_file(in, origem, tmp, key, err);
  } else {
    if (chave != NULL) {
      rc = fat_err_set(err, FAT_EINVAL, "%s não é uma cópia cifrada pelo faturo", origem);
      goto out;
    }
    rewind(in);
    rc = copy_file(in, tmp, err);
  }
  if (rc != FAT_OK)
    goto out;
  r.bytes = file_size(tmp);
  /* a store that opens (and migrates) and passes every check */
  rc = fat_store_open(tmp, &cand, err);
  if (rc != FAT_OK) {
    char motivo[sizeof err->msg];

    snprintf(motivo, sizeof motivo, "%s", err != NULL ? err->msg : "");
    rc = fat_err_set(err, FAT_ESTATE, "%s não é um banco do faturo utilizável: %s", origem,
                     motivo);
    goto out;
  }
  rc = sqlite_checks(cand, origem, err);
  if (rc == FAT_OK)
    rc = fat_verificar(cand, NULL, &rel, err);
  if (rc == FAT_OK && rel.violacoes > 0) {
    r.violacoes = (int64_t)rel.violacoes;
    rc = fat_err_set(err, FAT_ESTATE,
                     "%s tem %zu violação(ões) das invariantes (veja faturo verificar nela): "
                     "nada foi substituído",
                     origem, rel.violacoes);
  }
  if (rc == FAT_OK)
    rc = count_guias(cand, &r.guias, err);
  if (rc == FAT_OK)
    rc = fat_store_copiar_para(cand, db_path, err);
out:
  fat_verif_relatorio_fini(&rel);
  fat_store_close(cand);
  sodium_memzero(key, sizeof key);
  fclose(in);
  if (tmp != NULL)
    fat_store_remove_files(tmp);
  fat_free(tmp);
  if (rc == FAT_OK && info != NULL)
    *info = r;
  else if (info != NULL)
    info->violacoes = r.violacoes;
  return rc;
}
