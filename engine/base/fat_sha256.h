/* fat_sha256.h: SHA-256 for hashing whole files and streams of text.
**
** Nettle's implementation (a dependency of GnuTLS, itself one of
** libmicrohttpd's): it picks the processor's SHA instructions when present,
** about 3x libsodium's portable code on the files `retorno importar` hashes.
** Same digests as any SHA-256.
*/
#ifndef FAT_SHA256_H
#define FAT_SHA256_H

#include <stddef.h>

#include <nettle/sha2.h>

#define FAT_SHA256_BYTES 32

typedef struct sha256_ctx fat_sha256;

void fat_sha256_init(fat_sha256 *c);
void fat_sha256_update(fat_sha256 *c, const void *data, size_t n);
/* The digest as lowercase hex into out (65 bytes with the NUL). */
void fat_sha256_final_hex(fat_sha256 *c, char out[65]);
/* One-shot: SHA-256 of n bytes as lowercase hex. */
void fat_sha256_hex(const void *data, size_t n, char out[65]);

#endif
