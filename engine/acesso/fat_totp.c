/* fat_totp.c: TOTP codes (liboath), base32 and the otpauth:// URI. */
#include "fat_totp.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <liboath/oath.h>
#include <sodium.h>

#include "fat_mem.h"

static pthread_once_t oath_once = PTHREAD_ONCE_INIT;
static int oath_ok;

static void oath_setup(void) { oath_ok = oath_init() == OATH_OK; }

fat_rc fat_totp_codigo(const unsigned char *key, size_t len, int64_t t, int passo, int digitos,
                       fat_totp_alg alg, char out[9], fat_err *err)
{
  int flags = 0;

  out[0] = '\0';
  if (key == NULL || len == 0 || passo <= 0 || digitos < 6 || digitos > 8 || t < 0)
    return fat_err_set(err, FAT_EINVAL, "parâmetros inválidos para o código TOTP");
  pthread_once(&oath_once, oath_setup);
  if (!oath_ok)
    return fat_err_set(err, FAT_EIO, "não foi possível iniciar a biblioteca liboath");
  if (alg == FAT_TOTP_SHA256)
    flags = OATH_TOTP_HMAC_SHA256;
  else if (alg == FAT_TOTP_SHA512)
    flags = OATH_TOTP_HMAC_SHA512;
  /* the buffer holds digits + NUL: 9 bytes for the 8 of the RFC vectors */
  if (oath_totp_generate2((const char *)key, len, (time_t)t, (unsigned)passo,
                          OATH_TOTP_DEFAULT_START_TIME, (unsigned)digitos, flags,
                          out) != OATH_OK) {
    out[0] = '\0';
    return fat_err_set(err, FAT_EIO, "erro ao calcular o código TOTP");
  }
  return FAT_OK;
}

int fat_totp_confere(const unsigned char *key, size_t len, const char *codigo, int64_t t,
                     int64_t *passo)
{
  char digitos[FAT_TOTP_DIGITOS + 1], calc[9];
  size_t n = 0;
  const char *p;
  int d, found = 0;

  *passo = 0;
  if (codigo == NULL)
    return 0;
  for (p = codigo; *p != '\0'; p++) {
    if (*p == ' ' || *p == '-')
      continue;
    if (*p < '0' || *p > '9' || n == FAT_TOTP_DIGITOS)
      return 0;
    digitos[n++] = *p;
  }
  if (n != FAT_TOTP_DIGITOS)
    return 0;
  digitos[n] = '\0';
  /* every window step is computed and compared in constant time, so the
  ** time taken does not tell which step matched */
  for (d = -FAT_TOTP_JANELA; d <= FAT_TOTP_JANELA; d++) {
    int64_t tt = t + (int64_t)d * FAT_TOTP_PASSO_S;

    if (tt < 0 || fat_totp_codigo(key, len, tt, FAT_TOTP_PASSO_S, FAT_TOTP_DIGITOS, FAT_TOTP_SHA1,
                                  calc, NULL) != FAT_OK)
      continue;
    if (sodium_memcmp(calc, digitos, FAT_TOTP_DIGITOS) == 0 && !found) {
      found = 1;
      *passo = tt / FAT_TOTP_PASSO_S;
    }
  }
  sodium_memzero(calc, sizeof calc);
  return found;
}

static const char b32_alfabeto[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int fat_totp_base32(const unsigned char *key, size_t len, char *out, size_t outlen)
{
  size_t i, n = 0;
  unsigned buf = 0;
  int bits = 0;

  if ((len * 8 + 4) / 5 + 1 > outlen)
    return -1;
  for (i = 0; i < len; i++) {
    buf = (buf << 8) | key[i];
    bits += 8;
    while (bits >= 5) {
      out[n++] = b32_alfabeto[(buf >> (bits - 5)) & 31u];
      bits -= 5;
    }
  }
  if (bits > 0)
    out[n++] = b32_alfabeto[(buf << (5 - bits)) & 31u];
  out[n] = '\0';
  return (int)n;
}

int fat_totp_base32_decode(const char *b32, unsigned char *out, size_t cap)
{
  size_t n = 0;
  unsigned buf = 0;
  int bits = 0;
  const char *p, *q;

  for (p = b32; *p != '\0'; p++) {
    char c = *p;

    if (c == ' ' || c == '=' || c == '-')
      continue;
    if (c >= 'a' && c <= 'z')
      c = (char)(c - 'a' + 'A');
    q = strchr(b32_alfabeto, c);
    if (q == NULL || c == '\0')
      return -1;
    buf = (buf << 5) | (unsigned)(q - b32_alfabeto);
    bits += 5;
    if (bits >= 8) {
      if (n == cap)
        return -1;
      out[n++] = (unsigned char)((buf >> (bits - 8)) & 0xffu);
      bits -= 8;
    }
  }
  return (int)n;
}

/* Percent-encode s into b (RFC 3986 unreserved characters kept). */
static fat_rc pct(fat_buf *b, const char *s, fat_err *err)
{
  static const char hex[] = "0123456789ABCDEF";
  fat_rc rc = FAT_OK;
  const unsigned char *p;

  for (p = (const unsigned char *)s; rc == FAT_OK && *p != '\0'; p++) {
    if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
        *p == '-' || *p == '.' || *p == '_' || *p == '~') {
      rc = fat_buf_append(b, p, 1, err);
    } else {
      char e[3];

      e[0] = '%';
      e[1] = hex[*p >> 4];
      e[2] = hex[*p & 15u];
      rc = fat_buf_append(b, e, 3, err);
    }
  }
  return rc;
}

fat_rc fat_totp_uri(const char *emissor, const char *conta, const char *segredo_b32, char **out,
                    fat_err *err)
{
  fat_buf b;
  fat_rc rc;

  *out = NULL;
  if (emissor == NULL || conta == NULL || segredo_b32 == NULL)
    return fat_err_set(err, FAT_EINVAL, "emissor, conta e segredo são obrigatórios");
  fat_buf_init(&b, 1024);
  rc = fat_buf_puts(&b, "otpauth://totp/", err);
  if (rc == FAT_OK)
    rc = pct(&b, emissor, err);
  if (rc == FAT_OK)
    rc = fat_buf_puts(&b, ":", err);
  if (rc == FAT_OK)
    rc = pct(&b, conta, err);
  if (rc == FAT_OK)
    rc = fat_buf_printf(&b, err, "?secret=%s&issuer=", segredo_b32);
  if (rc == FAT_OK)
    rc = pct(&b, emissor, err);
  if (rc == FAT_OK)
    rc = fat_buf_printf(&b, err, "&algorithm=SHA1&digits=%d&period=%d", FAT_TOTP_DIGITOS,
                        FAT_TOTP_PASSO_S);
  if (rc != FAT_OK) {
    fat_buf_fini(&b);
    return rc;
  }
  *out = fat_buf_take(&b);
  if (*out == NULL)
    return fat_err_oom(err);
  return FAT_OK;
}
