/* fat_sha256.c: SHA-256 over nettle (see fat_sha256.h). */
#include "fat_sha256.h"

void fat_sha256_init(fat_sha256 *c) { sha256_init(c); }

void fat_sha256_update(fat_sha256 *c, const void *data, size_t n)
{
  if (n > 0)
    sha256_update(c, n, data);
}

void fat_sha256_final_hex(fat_sha256 *c, char out[65])
{
  static const char hx[] = "0123456789abcdef";
  unsigned char d[FAT_SHA256_BYTES];
  size_t i;

  sha256_digest(c, sizeof d, d);
  for (i = 0; i < sizeof d; i++) {
    out[2 * i] = hx[d[i] >> 4];
    out[2 * i + 1] = hx[d[i] & 15];
  }
  out[2 * sizeof d] = '\0';
}

void fat_sha256_hex(const void *data, size_t n, char out[65])
{
  fat_sha256 c;

  fat_sha256_init(&c);
  fat_sha256_update(&c, data, n);
  fat_sha256_final_hex(&c, out);
}
