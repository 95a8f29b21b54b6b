/* fat_tiss_hash.h: the TISS epilogo hash (Part E).
**
** The standard (ANS, Componente Organizacional, item 115) defines the hash as
** the MD5 of the concatenated text content of the message's elements, tags and
** attributes excluded, taken literally (whitespace, CR/LF and tabs kept), the
** epilogo left out, encoded ISO-8859-1. In practice this is "the text of the
** leaf elements in document order". Some operators hash the UTF-8 bytes
** instead, so the encoding is a parameter (ISO-8859-1 by default).
**
** MD5 is implemented here from RFC 1321 (libxml2 has no public MD5).
*/
#ifndef FAT_TISS_HASH_H
#define FAT_TISS_HASH_H

#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>

#include "fat_err.h"

/* Largest TISS document faturo reads or writes (bytes). */
#define FAT_TISS_MAX_BYTES ((size_t)64 * 1024 * 1024)

typedef enum fat_tiss_enc {
  FAT_TISS_ISO88591 = 0, /* the standard's encoding (default) */
  FAT_TISS_UTF8 = 1      /* some operators hash the UTF-8 bytes */
} fat_tiss_enc;

/* "ISO-8859-1" / "UTF-8". */
const char *fat_tiss_enc_str(fat_tiss_enc e);
/* Parse "iso-8859-1", "latin1", "utf-8", "utf8" (any case); -1 if unknown. */
int fat_tiss_enc_parse(const char *s);

/* ---- MD5 (RFC 1321) ---- */
typedef struct fat_md5 {
  uint32_t state[4];
  uint64_t nbytes;          /* total bytes fed */
  unsigned char block[64];  /* pending partial block */
} fat_md5;

void fat_md5_init(fat_md5 *c);
void fat_md5_update(fat_md5 *c, const void *data, size_t n);
/* Finish; the context must be re-initialised before reuse. */
void fat_md5_final(fat_md5 *c, unsigned char digest[16]);
/* Lowercase hex of digest into out (33 bytes with the NUL). */
void fat_md5_hex(const unsigned char digest[16], char out[33]);
/* One-shot MD5 of a buffer as lowercase hex. */
void fat_md5_buf_hex(const void *data, size_t n, char out[33]);

/* Feed n bytes of UTF-8 text into c in the encoding enc. For ISO-8859-1 each
** code point must be <= U+00FF: FAT_EINVAL otherwise, or on invalid UTF-8. */
FAT_NODISCARD fat_rc fat_tiss_hash_feed(fat_md5 *c, fat_tiss_enc enc, const char *utf8,
                                        size_t n, fat_err *err);

/* Parse a TISS document from memory safely: no network, no DTD loading, no
** entity substitution, no huge mode, at most FAT_TISS_MAX_BYTES. The
** document's own encoding declaration is honoured. *out freed with xmlFreeDoc.
** FAT_ELIMIT when too large, FAT_EXML with line and message when malformed. */
FAT_NODISCARD fat_rc fat_tiss_parse(const char *buf, size_t len, const char *name,
                                    xmlDoc **out, fat_err *err);

/* Hash of a parsed document (leaf text in document order, epilogo excluded)
** as lowercase hex into out. */
FAT_NODISCARD fat_rc fat_tiss_hash_doc(const xmlDoc *doc, fat_tiss_enc enc, char out[33],
                                       fat_err *err);

/* Both hashes of a parsed document in one walk: ISO-8859-1 into iso ("" when
** its text has a character outside Latin-1) and UTF-8 into utf8; the same
** values as fat_tiss_hash_doc in each encoding. Both "" for an empty document. */
void fat_tiss_hash_doc_pair(const xmlDoc *doc, char iso[33], char utf8[33]);

/* The hash declared in epilogo/hash (trimmed, lowercased) into out; returns
** FAT_ENOTFOUND when the document has no epilogo hash. */
FAT_NODISCARD fat_rc fat_tiss_hash_declared(const xmlDoc *doc, char out[33], fat_err *err);

/* Result of checking a document's hash. */
typedef struct fat_tiss_hash_check {
  char calculado[33];  /* computed in the requested encoding */
  char declarado[33];  /* from epilogo/hash ("" when absent) */
  int tem_epilogo;     /* 1 when epilogo/hash was present */
  int confere;         /* 1 when both are equal (case-insensitive) */
} fat_tiss_hash_check;

/* Parse buf and compute/compare its hash. A mismatch is not an error: it is
** reported in out->confere = 0 (a reader must report it, not fail). */
FAT_NODISCARD fat_rc fat_tiss_hash_check_memory(const char *buf, size_t len, fat_tiss_enc enc,
                                                fat_tiss_hash_check *out, fat_err *err);

#endif
