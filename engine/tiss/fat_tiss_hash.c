/* fat_tiss_hash.c: MD5 (RFC 1321) and the TISS epilogo hash. */
#include "fat_tiss_hash.h"

#include <ctype.h>
#include <limits.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "fat_tiss_erro.h"

const char *fat_tiss_enc_str(fat_tiss_enc e)
{
  return e == FAT_TISS_UTF8 ? "UTF-8" : "ISO-8859-1";
}

int fat_tiss_enc_parse(const char *s)
{
  static const struct {
    const char *name;
    fat_tiss_enc enc;
  } names[] = {{"iso-8859-1", FAT_TISS_ISO88591}, {"iso8859-1", FAT_TISS_ISO88591},
               {"latin1", FAT_TISS_ISO88591},     {"latin-1", FAT_TISS_ISO88591},
               {"utf-8", FAT_TISS_UTF8},           {"utf8", FAT_TISS_UTF8}};
  size_t i;

  if (s == NULL)
    return -1;
  for (i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcasecmp(s, names[i].name) == 0)
      return (int)names[i].enc;
  return -1;
}

/* ---- MD5, RFC 1321 section 3 ---- */

#define MD5_F(x, y, z) (((x) & (y)) | (~(x) & (z)))
#define MD5_G(x, y, z) (((x) & (z)) | ((y) & ~(z)))
#define MD5_H(x, y, z) ((x) ^ (y) ^ (z))
#define MD5_I(x, y, z) ((y) ^ ((x) | ~(z)))
#define MD5_ROTL(x, n) (((x) << (n)) | ((x) >> (32 - (n))))
#define MD5_STEP(f, a, b, c, d, xk, s, t)                                                        \
  do {                                                                                           \
    (a) += f((b), (c), (d)) + (xk) + (uint32_t)(t);                                              \
    (a) = MD5_ROTL((a), (s)) + (b);                                                              \
  } while (0)

/* One 64-byte block: the four rounds of RFC 1321 3.4. */
static void md5_block(uint32_t st[4], const unsigned char *p)
{
  uint32_t x[16], a = st[0], b = st[1], c = st[2], d = st[3];
  int i;

  for (i = 0; i < 16; i++) /* little-endian words */
    x[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 | (uint32_t)p[4 * i + 2] << 16 |
           (uint32_t)p[4 * i + 3] << 24;

  MD5_STEP(MD5_F, a, b, c, d, x[0], 7, 0xd76aa478);
  MD5_STEP(MD5_F, d, a, b, c, x[1], 12, 0xe8c7b756);
  MD5_STEP(MD5_F, c, d, a, b, x[2], 17, 0x242070db);
  MD5_STEP(MD5_F, b, c, d, a, x[3], 22, 0xc1bdceee);
  MD5_STEP(MD5_F, a, b, c, d, x[4], 7, 0xf57c0faf);
  MD5_STEP(MD5_F, d, a, b, c, x[5], 12, 0x4787c62a);
  MD5_STEP(MD5_F, c, d, a, b, x[6], 17, 0xa8304613);
  MD5_STEP(MD5_F, b, c, d, a, x[7], 22, 0xfd469501);
  MD5_STEP(MD5_F, a, b, c, d, x[8], 7, 0x698098d8);
  MD5_STEP(MD5_F, d, a, b, c, x[9], 12, 0x8b44f7af);
  MD5_STEP(MD5_F, c, d, a, b, x[10], 17, 0xffff5bb1);
  MD5_STEP(MD5_F, b, c, d, a, x[11], 22, 0x895cd7be);
  MD5_STEP(MD5_F, a, b, c, d, x[12], 7, 0x6b901122);
  MD5_STEP(MD5_F, d, a, b, c, x[13], 12, 0xfd987193);
  MD5_STEP(MD5_F, c, d, a, b, x[14], 17, 0xa679438e);
  MD5_STEP(MD5_F, b, c, d, a, x[15], 22, 0x49b40821);

  MD5_STEP(MD5_G, a, b, c, d, x[1], 5, 0xf61e2562);
  MD5_STEP(MD5_G, d, a, b, c, x[6], 9, 0xc040b340);
  MD5_STEP(MD5_G, c, d, a, b, x[11], 14, 0x265e5a51);
  MD5_STEP(MD5_G, b, c, d, a, x[0], 20, 0xe9b6c7aa);
  MD5_STEP(MD5_G, a, b, c, d, x[5], 5, 0xd62f105d);
  MD5_STEP(MD5_G, d, a, b, c, x[10], 9, 0x02441453);
  MD5_STEP(MD5_G, c, d, a, b, x[15], 14, 0xd8a1e681);
  MD5_STEP(MD5_G, b, c, d, a, x[4], 20, 0xe7d3fbc8);
  MD5_STEP(MD5_G, a, b, c, d, x[9], 5, 0x21e1cde6);
  MD5_STEP(MD5_G, d, a, b, c, x[14], 9, 0xc33707d6);
  MD5_STEP(MD5_G, c, d, a, b, x[3], 14, 0xf4d50d87);
  MD5_STEP(MD5_G, b, c, d, a, x[8], 20, 0x455a14ed);
  MD5_STEP(MD5_G, a, b, c, d, x[13], 5, 0xa9e3e905);
  MD5_STEP(MD5_G, d, a, b, c, x[2], 9, 0xfcefa3f8);
  MD5_STEP(MD5_G, c, d, a, b, x[7], 14, 0x676f02d9);
  MD5_STEP(MD5_G, b, c, d, a, x[12], 20, 0x8d2a4c8a);

  MD5_STEP(MD5_H, a, b, c, d, x[5], 4, 0xfffa3942);
  MD5_STEP(MD5_H, d, a, b, c, x[8], 11, 0x8771f681);
  MD5_STEP(MD5_H, c, d, a, b, x[11], 16, 0x6d9d6122);
  MD5_STEP(MD5_H, b, c, d, a, x[14], 23, 0xfde5380c);
  MD5_STEP(MD5_H, a, b, c, d, x[1], 4, 0xa4beea44);
  MD5_STEP(MD5_H, d, a, b, c, x[4], 11, 0x4bdecfa9);
  MD5_STEP(MD5_H, c, d, a, b, x[7], 16, 0xf6bb4b60);
  MD5_STEP(MD5_H, b, c, d, a, x[10], 23, 0xbebfbc70);
  MD5_STEP(MD5_H, a, b, c, d, x[13], 4, 0x289b7ec6);
  MD5_STEP(MD5_H, d, a, b, c, x[0], 11, 0xeaa127fa);
  MD5_STEP(MD5_H, c, d, a, b, x[3], 16, 0xd4ef3085);
  MD5_STEP(MD5_H, b, c, d, a, x[6], 23, 0x04881d05);
  MD5_STEP(MD5_H, a, b, c, d, x[9], 4, 0xd9d4d039);
  MD5_STEP(MD5_H, d, a, b, c, x[12], 11, 0xe6db99e5);
  MD5_STEP(MD5_H, c, d, a, b, x[15], 16, 0x1fa27cf8);
  MD5_STEP(MD5_H, b, c, d, a, x[2], 23, 0xc4ac5665);

  MD5_STEP(MD5_I, a, b, c, d, x[0], 6, 0xf4292244);
  MD5_STEP(MD5_I, d, a, b, c, x[7], 10, 0x432aff97);
  MD5_STEP(MD5_I, c, d, a, b, x[14], 15, 0xab9423a7);
  MD5_STEP(MD5_I, b, c, d, a, x[5], 21, 0xfc93a039);
  MD5_STEP(MD5_I, a, b, c, d, x[12], 6, 0x655b59c3);
  MD5_STEP(MD5_I, d, a, b, c, x[3], 10, 0x8f0ccc92);
  MD5_STEP(MD5_I, c, d, a, b, x[10], 15, 0xffeff47d);
  MD5_STEP(MD5_I, b, c, d, a, x[1], 21, 0x85845dd1);
  MD5_STEP(MD5_I, a, b, c, d, x[8], 6, 0x6fa87e4f);
  MD5_STEP(MD5_I, d, a, b, c, x[15], 10, 0xfe2ce6e0);
  MD5_STEP(MD5_I, c, d, a, b, x[6], 15, 0xa3014314);
  MD5_STEP(MD5_I, b, c, d, a, x[13], 21, 0x4e0811a1);
  MD5_STEP(MD5_I, a, b, c, d, x[4], 6, 0xf7537e82);
  MD5_STEP(MD5_I, d, a, b, c, x[11], 10, 0xbd3af235);
  MD5_STEP(MD5_I, c, d, a, b, x[2], 15, 0x2ad7d2bb);
  MD5_STEP(MD5_I, b, c, d, a, x[9], 21, 0xeb86d391);

  st[0] += a;
  st[1] += b;
  st[2] += c;
  st[3] += d;
}

void fat_md5_init(fat_md5 *c)
{
  c->state[0] = 0x67452301u;
  c->state[1] = 0xefcdab89u;
  c->state[2] = 0x98badcfeu;
  c->state[3] = 0x10325476u;
  c->nbytes = 0;
}

void fat_md5_update(fat_md5 *c, const void *data, size_t n)
{
  const unsigned char *p = data;
  size_t have = (size_t)(c->nbytes % 64), take;

  c->nbytes += n;
  if (have > 0) {
    take = 64 - have < n ? 64 - have : n;
    memcpy(c->block + have, p, take);
    p += take;
    n -= take;
    if (have + take < 64)
      return;
    md5_block(c->state, c->block);
  }
  while (n >= 64) {
    md5_block(c->state, p);
    p += 64;
    n -= 64;
  }
  if (n > 0)
    memcpy(c->block, p, n);
}

void fat_md5_final(fat_md5 *c, unsigned char digest[16])
{
  static const unsigned char pad[64] = {0x80};
  unsigned char len[8];
  uint64_t bits = c->nbytes * 8u;
  size_t have = (size_t)(c->nbytes % 64);
  int i;

  for (i = 0; i < 8; i++)
    len[i] = (unsigned char)(bits >> (8 * i));
  /* pad to 56 mod 64, then the 64-bit length (RFC 1321 3.1, 3.2) */
  fat_md5_update(c, pad, have < 56 ? 56 - have : 120 - have);
  fat_md5_update(c, len, 8);
  for (i = 0; i < 4; i++) {
    digest[4 * i] = (unsigned char)c->state[i];
    digest[4 * i + 1] = (unsigned char)(c->state[i] >> 8);
    digest[4 * i + 2] = (unsigned char)(c->state[i] >> 16);
    digest[4 * i + 3] = (unsigned char)(c->state[i] >> 24);
  }
}

void fat_md5_hex(const unsigned char digest[16], char out[33])
{
  static const char hx[] = "0123456789abcdef";
  int i;

  for (i = 0; i < 16; i++) {
    out[2 * i] = hx[digest[i] >> 4];
    out[2 * i + 1] = hx[digest[i] & 15];
  }
  out[32] = '\0';
}

void fat_md5_buf_hex(const void *data, size_t n, char out[33])
{
  fat_md5 c;
  unsigned char d[16];

  fat_md5_init(&c);
  fat_md5_update(&c, data, n);
  fat_md5_final(&c, d);
  fat_md5_hex(d, out);
}

/* ---- text feeding ---- */

fat_rc fat_tiss_hash_feed(fat_md5 *c, fat_tiss_enc enc, const char *utf8, size_t n,
                          fat_err *err)
{
  const unsigned char *p = (const unsigned char *)utf8;
  unsigned char out[256];
  size_t i = 0, o = 0;

  if (enc == FAT_TISS_UTF8) {
    fat_md5_update(c, utf8, n);
    return FAT_OK;
  }
  while (i < n) {
    unsigned char b = p[i];

    if (b < 0x80) {
      out[o++] = b;
      i++;
    } else if ((b == 0xC2 || b == 0xC3) && i + 1 < n && (p[i + 1] & 0xC0) == 0x80) {
      out[o++] = (unsigned char)(((b & 0x03u) << 6) | (p[i + 1] & 0x3Fu));
      i += 2;
    } else {
      return fat_err_set(err, FAT_EINVAL,
                         "texto com caractere fora do ISO-8859-1 (byte 0x%02x na posição %zu)",
                         b, i);
    }
    if (o == sizeof out) {
      fat_md5_update(c, out, o);
      o = 0;
    }
  }
  if (o > 0)
    fat_md5_update(c, out, o);
  return FAT_OK;
}

/* ---- documents ---- */

fat_rc fat_tiss_parse(const char *buf, size_t len, const char *name, xmlDoc **out, fat_err *err)
{
  xmlParserCtxtPtr ctxt;
  xmlDoc *doc;
  const xmlError *e;
  char what[256];

  *out = NULL;
  if (len > FAT_TISS_MAX_BYTES || len > (size_t)INT_MAX)
    return fat_err_set(err, FAT_ELIMIT, "%s: arquivo XML maior que o limite de %zu bytes",
                       name != NULL ? name : "xml", FAT_TISS_MAX_BYTES);
  ctxt = xmlNewParserCtxt();
  if (ctxt == NULL)
    return fat_err_oom(err);
  /* NONET only: never NOENT, DTDLOAD or HUGE; NONET also keeps the libxml2
  ** default limits on text nodes and nesting depth */
  doc = xmlCtxtReadMemory(ctxt, buf, (int)len, name, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
                                                              XML_PARSE_NOWARNING);
  if (doc == NULL || !ctxt->wellFormed) {
    e = xmlCtxtGetLastError(ctxt);
    fat_tiss_erro_sintaxe(e, what, sizeof what);
    fat_err_set(err, FAT_EXML, "%s, linha %d: XML malformado: %s", name != NULL ? name : "xml",
                e != NULL ? e->line : 0, what);
    xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
    return FAT_EXML;
  }
  xmlFreeParserCtxt(ctxt);
  *out = doc;
  return FAT_OK;
}

static int is_element_named(const xmlNode *n, const char *local)
{
  return n->type == XML_ELEMENT_NODE && n->name != NULL &&
         strcmp((const char *)n->name, local) == 0;
}

static int has_element_child(const xmlNode *n)
{
  const xmlNode *c;

  for (c = n->children; c != NULL; c = c->next)
    if (c->type == XML_ELEMENT_NODE)
      return 1;
  return 0;
}

/* Text fed by the walk: each text or CDATA child of a leaf element. */
typedef fat_rc (*hash_sink)(void *u, const xmlNode *el, const char *txt, size_t n,
                            fat_err *err);

/* Depth-first walk in document order without recursion (documents may nest
** deeply); the text of each leaf element goes to sink, epilogo subtrees
** skipped. */
static fat_rc hash_walk(const xmlDoc *doc, hash_sink sink, void *u, fat_err *err)
{
  const xmlNode *root, *n;
  fat_rc rc;

  root = xmlDocGetRootElement(doc);
  if (root == NULL)
    return fat_err_set(err, FAT_EXML, "documento XML vazio");
  n = root;
  while (n != NULL) {
    int descend = 0;

    /* epilogo (messages) and a bare hash element (web-service envelopes,
    ** where <ans:hash> closes the ...WS element) carry the hash itself */
    if (n->type == XML_ELEMENT_NODE && !is_element_named(n, "epilogo") &&
        !is_element_named(n, "hash")) {
      if (has_element_child(n)) {
        descend = 1;
      } else {
        const xmlNode *t;

        for (t = n->children; t != NULL; t = t->next) {
          if ((t->type == XML_TEXT_NODE || t->type == XML_CDATA_SECTION_NODE) &&
              t->content != NULL) {
            rc = sink(u, n, (const char *)t->content, strlen((const char *)t->content), err);
            if (rc != FAT_OK)
              return rc;
          }
        }
      }
    }
    if (descend) {
      n = n->children;
      continue;
    }
    while (n != NULL && n != root && n->next == NULL)
      n = n->parent;
    if (n == NULL || n == root)
      break;
    n = n->next;
  }
  return FAT_OK;
}

typedef struct hash_one {
  fat_md5 c;
  fat_tiss_enc enc;
} hash_one;

static fat_rc sink_one(void *u, const xmlNode *el, const char *txt, size_t n, fat_err *err)
{
  hash_one *h = u;
  fat_rc rc = fat_tiss_hash_feed(&h->c, h->enc, txt, n, err);

  if (rc != FAT_OK)
    return fat_err_prefix(err, "elemento %s, linha %ld: ", (const char *)el->name,
                          xmlGetLineNo(el));
  return FAT_OK;
}

fat_rc fat_tiss_hash_doc(const xmlDoc *doc, fat_tiss_enc enc, char out[33], fat_err *err)
{
  hash_one h;
  unsigned char d[16];
  fat_rc rc;

  fat_md5_init(&h.c);
  h.enc = enc;
  rc = hash_walk(doc, sink_one, &h, err);
  if (rc != FAT_OK)
    return rc;
  fat_md5_final(&h.c, d);
  fat_md5_hex(d, out);
  return FAT_OK;
}

/* Both encodings at once: while the text is ASCII both get the same bytes,
** so one context serves; at the first other byte it is copied and the two
** go on apart. */
typedef struct hash_pair {
  fat_md5 iso, utf8;
  int split;   /* the two contexts differ from here on */
  int iso_bad; /* a character outside Latin-1: no ISO-8859-1 hash */
} hash_pair;

static int all_ascii(const char *s, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++)
    if ((unsigned char)s[i] >= 0x80)
      return 0;
  return 1;
}

static fat_rc sink_pair(void *u, const xmlNode *el, const char *txt, size_t n, fat_err *err)
{
  hash_pair *h = u;

  (void)el;
  (void)err;
  if (!h->split) {
    if (all_ascii(txt, n)) {
      fat_md5_update(&h->iso, txt, n);
      return FAT_OK;
    }
    h->utf8 = h->iso;
    h->split = 1;
  }
  fat_md5_update(&h->utf8, txt, n);
  if (!h->iso_bad && fat_tiss_hash_feed(&h->iso, FAT_TISS_ISO88591, txt, n, NULL) != FAT_OK)
    h->iso_bad = 1;
  return FAT_OK;
}

void fat_tiss_hash_doc_pair(const xmlDoc *doc, char iso[33], char utf8[33])
{
  hash_pair h;
  unsigned char d[16];

  iso[0] = utf8[0] = '\0';
  memset(&h, 0, sizeof h);
  fat_md5_init(&h.iso);
  if (hash_walk(doc, sink_pair, &h, NULL) != FAT_OK)
    return;
  if (!h.split) {
    fat_md5_final(&h.iso, d);
    fat_md5_hex(d, iso);
    memcpy(utf8, iso, 33);
    return;
  }
  if (!h.iso_bad) {
    fat_md5_final(&h.iso, d);
    fat_md5_hex(d, iso);
  }
  fat_md5_final(&h.utf8, d);
  fat_md5_hex(d, utf8);
}

/* First element named local in document order under n (iterative). */
static const xmlNode *find_descendant(const xmlNode *top, const char *local)
{
  const xmlNode *n = top;

  while (n != NULL) {
    if (is_element_named(n, local))
      return n;
    if (n->type == XML_ELEMENT_NODE && n->children != NULL) {
      n = n->children;
      continue;
    }
    while (n != NULL && n != top && n->next == NULL)
      n = n->parent;
    if (n == NULL || n == top)
      break;
    n = n->next;
  }
  return NULL;
}

fat_rc fat_tiss_hash_declared(const xmlDoc *doc, char out[33], fat_err *err)
{
  const xmlNode *h = find_descendant(xmlDocGetRootElement(doc), "hash");
  xmlChar *txt;
  const char *s;
  size_t l, i;

  out[0] = '\0';
  if (h == NULL)
    return fat_err_set(err, FAT_ENOTFOUND, "mensagem sem hash (epilogo/hash)");
  txt = xmlNodeGetContent(h);
  if (txt == NULL)
    return fat_err_oom(err);
  s = (const char *)txt;
  while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
    s++;
  l = strlen(s);
  while (l > 0 && (s[l - 1] == ' ' || s[l - 1] == '\t' || s[l - 1] == '\r' || s[l - 1] == '\n'))
    l--;
  if (l > 32)
    l = 32;
  for (i = 0; i < l; i++)
    out[i] = (char)tolower((unsigned char)s[i]);
  out[l] = '\0';
  xmlFree(txt);
  return FAT_OK;
}

fat_rc fat_tiss_hash_check_memory(const char *buf, size_t len, fat_tiss_enc enc,
                                  fat_tiss_hash_check *out, fat_err *err)
{
  xmlDoc *doc;
  fat_rc rc;

  memset(out, 0, sizeof *out);
  rc = fat_tiss_parse(buf, len, "mensagem TISS", &doc, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_tiss_hash_doc(doc, enc, out->calculado, err);
  if (rc == FAT_OK) {
    rc = fat_tiss_hash_declared(doc, out->declarado, err);
    if (rc == FAT_OK) {
      out->tem_epilogo = 1;
      out->confere = strcmp(out->calculado, out->declarado) == 0;
    } else if (rc == FAT_ENOTFOUND) {
      fat_err_clear(err);
      rc = FAT_OK;
    }
  }
  xmlFreeDoc(doc);
  return rc;
}
