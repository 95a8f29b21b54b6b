/* fat_totp.h: one-time codes of an authenticator app (TOTP, RFC 6238, over
** HOTP, RFC 4226), the second factor of admins and supervisors.
**
** faturo ships HMAC-SHA1, 6 digits, 30-second steps: the defaults of the
** otpauth:// key URI format, the only combination every authenticator app
** (Google Authenticator, Microsoft Authenticator, FreeOTP, Aegis...) reads
** right; several of them ignore an `algorithm=SHA256` parameter and would
** show codes that never match. libsodium has no HMAC-SHA1, so the codes come
** from liboath (Debian's oath-toolkit), which also computes the SHA-256 and
** SHA-512 variants of RFC 6238 Appendix B (kept for the tests).
**
** The secret is 20 random bytes (160 bits, RFC 4226's recommendation),
** written in base32 (RFC 4648, no padding) for the user's app.
*/
#ifndef FAT_TOTP_H
#define FAT_TOTP_H

#include <stddef.h>
#include <stdint.h>

#include "fat_err.h"

#define FAT_TOTP_SEGREDO_BYTES 20 /* secret length */
#define FAT_TOTP_BASE32_MAX 104   /* base32 of up to 64 bytes, plus NUL */
#define FAT_TOTP_DIGITOS 6
#define FAT_TOTP_PASSO_S 30       /* seconds per time step */
#define FAT_TOTP_JANELA 1         /* steps accepted before and after now */

typedef enum fat_totp_alg {
  FAT_TOTP_SHA1 = 0, /* what faturo uses */
  FAT_TOTP_SHA256,
  FAT_TOTP_SHA512
} fat_totp_alg;

/* The code of time t (unix seconds) for key[0..len) with digits digits (6..8)
** and steps of passo seconds, as a NUL-terminated string of digits in out
** (>= 9 bytes). FAT_EINVAL for a bad argument, FAT_EIO when liboath fails. */
FAT_NODISCARD fat_rc fat_totp_codigo(const unsigned char *key, size_t len, int64_t t,
                                     int passo, int digitos, fat_totp_alg alg, char out[9],
                                     fat_err *err);

/* Check a 6-digit SHA-1 code typed by the user against key at time t,
** accepting FAT_TOTP_JANELA steps of clock drift either way. Blanks inside
** the code are ignored ("123 456"). On a match sets *passo to the step it
** belongs to (callers refuse a step already used) and returns 1; else 0. */
int fat_totp_confere(const unsigned char *key, size_t len, const char *codigo, int64_t t,
                     int64_t *passo);

/* key[0..len) in base32 (RFC 4648 alphabet, no padding) into out (size
** outlen >= FAT_TOTP_BASE32_MAX for up to 64 bytes). Returns the length, or
** -1 when out is too small. */
int fat_totp_base32(const unsigned char *key, size_t len, char *out, size_t outlen);

/* Decode base32 text (upper or lower case, blanks and '=' ignored) into
** out[0..cap). Returns the number of bytes, or -1 for a character outside
** the alphabet or an output larger than cap. */
int fat_totp_base32_decode(const char *b32, unsigned char *out, size_t cap);

/* The otpauth:// URI an authenticator app reads (as a QR code or pasted):
** otpauth://totp/<emissor>:<conta>?secret=<b32>&issuer=<emissor>&algorithm=SHA1&digits=6&period=30
** with emissor and conta percent-encoded. *out owned by the caller
** (fat_free). */
FAT_NODISCARD fat_rc fat_totp_uri(const char *emissor, const char *conta, const char *segredo_b32,
                                  char **out, fat_err *err);

#endif
