/* fat_text.c: decoding and checking of incoming text (see fat_text.h). */
#include "fat_text.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fat_mem.h"

/* Length of the valid UTF-8 sequence at p (strict: no overlongs, no
** surrogates, nothing above U+10FFFF), or 0. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
  unsigned c = p[0];

  if (c < 0x80)
    return 1;
  if (c >= 0xC2 && c <= 0xDF)
    return n >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (n < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
      return 0;
    if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] >= 0xA0))
      return 0; /* overlong / surrogate */
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (n < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
      return 0;
    if ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] >= 0x90))
      return 0;
    return 4;
  }
  return 0;
}

/* Code point of the valid sequence at p of length k. */
static uint32_t utf8_cp(const unsigned char *p, size_t k)
{
  switch (k) {
  case 1: return p[0];
  case 2: return ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
  case 3: return ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
  default:
    return ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
           ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
  }
}

/* Windows-1252 code points for 0x80..0x9F (0 = undefined -> U+FFFD). */
static const unsigned short cp1252[32] = {
  0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
  0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
  0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

static long line_of(const unsigned char *p, size_t at)
{
  long line = 1;
  size_t i;

  for (i = 0; i < at; i++)
    if (p[i] == '\n')
      line++;
  return line;
}

static fat_rc latin1_to_utf8(const unsigned char *p, size_t len, char **out, size_t *out_len,
                             fat_err *err)
{
  unsigned char *d;
  size_t i, o = 0;

  if (len > (SIZE_MAX - 1) / 3)
    return fat_err_set(err, FAT_ELIMIT, "arquivo grande demais");
  d = fat_malloc(len * 3 + 1);
  if (d == NULL)
    return fat_err_oom(err);
  for (i = 0; i < len; i++) {
    unsigned cp = p[i];

    if (cp >= 0x80 && cp <= 0x9F)
      cp = cp1252[cp - 0x80] != 0 ? cp1252[cp - 0x80] : 0xFFFD;
    if (cp < 0x80) {
      d[o++] = (unsigned char)cp;
    } else if (cp < 0x800) {
      d[o++] = (unsigned char)(0xC0 | (cp >> 6));
      d[o++] = (unsigned char)(0x80 | (cp & 0x3F));
    } else {
      d[o++] = (unsigned char)(0xE0 | (cp >> 12));
      d[o++] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
      d[o++] = (unsigned char)(0x80 | (cp & 0x3F));
    }
  }
  d[o] = '\0';
  *out = (char *)d;
  if (out_len != NULL)
    *out_len = o;
  return FAT_OK;
}

fat_rc fat_text_to_utf8(const char *in, size_t len, char **out, size_t *out_len, int *converted,
                        fat_err *err)
{
  const unsigned char *p = (const unsigned char *)in;
  size_t i = 0, bad = SIZE_MAX;
  int multibyte = 0;
  const void *nul;

  *out = NULL;
  if (out_len != NULL)
    *out_len = 0;
  if (converted != NULL)
    *converted = 0;
  if (len >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
    p += 3;
    len -= 3;
  }
  nul = memchr(p, '\0', len);
  if (nul != NULL)
    return fat_err_set(err, FAT_EINVAL,
                       "linha %ld: byte nulo (0x00): o arquivo não é texto (ou está corrompido)",
                       line_of(p, (size_t)((const unsigned char *)nul - p)));
  while (i < len) {
    size_t k = utf8_seq(p + i, len - i);

    if (k == 0) {
      if (bad == SIZE_MAX)
        bad = i;
      i++;
      continue;
    }
    if (k > 1)
      multibyte = 1;
    i += k;
  }
  if (bad != SIZE_MAX && multibyte)
    return fat_err_set(err, FAT_EINVAL,
                       "linha %ld: byte 0x%02X inválido em UTF-8; o resto do arquivo é UTF-8, então "
                       "ele não foi lido como Latin-1: corrija o caractere ou salve o arquivo de "
                       "novo como UTF-8",
                       line_of(p, bad), p[bad]);
  if (bad == SIZE_MAX) {
    *out = fat_strndup((const char *)p, len);
    if (*out == NULL)
      return fat_err_oom(err);
    if (out_len != NULL)
      *out_len = len;
    return FAT_OK;
  }
  if (converted != NULL)
    *converted = 1;
  return latin1_to_utf8(p, len, out, out_len, err);
}

size_t fat_text_chars(const char *s)
{
  size_t n = 0;

  for (; *s != '\0'; s++)
    if (((unsigned char)*s & 0xC0) != 0x80)
      n++;
  return n;
}

int fat_text_check(const char *s, size_t max, int multiline, char *why, size_t why_len)
{
  const unsigned char *p = (const unsigned char *)s;
  size_t len, i = 0, n = 0;

  /* printable ASCII first, a byte a step (almost every text of a guia is
  ** ASCII: this check ran ~47 times per imported guia, 3% of importar) */
  while (p[i] >= 0x20 && p[i] < 0x7F)
    i++;
  n = i;
  len = i + strlen(s + i);
  while (i < len) {
    size_t k;
    uint32_t cp;

    if (p[i] >= 0x20 && p[i] < 0x7F) {
      i++;
      n++;
      continue;
    }
    k = utf8_seq(p + i, len - i);
    if (k == 0) {
      snprintf(why, why_len, "texto com byte 0x%02X inválido em UTF-8", p[i]);
      return -1;
    }
    cp = utf8_cp(p + i, k);
    if ((cp < 0x20 && !(multiline && (cp == '\t' || cp == '\n' || cp == '\r'))) || cp == 0x7F ||
        (cp >= 0x80 && cp <= 0x9F)) {
      snprintf(why, why_len, "caractere de controle (0x%02X) não permitido", (unsigned)cp);
      return -1;
    }
    i += k;
    n++;
  }
  if (max > 0 && n > max) {
    snprintf(why, why_len, "texto longo demais (%zu caracteres; o máximo é %zu)", n, max);
    return -1;
  }
  return 0;
}

/* The code point at p (n bytes, 1..4; a broken sequence ends at its first
** byte that is not a continuation byte). */
static unsigned code_point(const unsigned char *p, int *n)
{
  unsigned cp;
  int i;

  if (*p < 0x80) {
    *n = 1;
    return *p;
  }
  if ((*p & 0xE0) == 0xC0) {
    cp = *p & 0x1Fu;
    *n = 2;
  } else if ((*p & 0xF0) == 0xE0) {
    cp = *p & 0x0Fu;
    *n = 3;
  } else {
    cp = *p & 0x07u;
    *n = 4;
  }
  for (i = 1; i < *n; i++) {
    if ((p[i] & 0xC0) != 0x80) {
      *n = i;
      break;
    }
    cp = (cp << 6) | (p[i] & 0x3Fu);
  }
  return cp;
}

static int combining(unsigned cp) { return cp >= 0x300 && cp <= 0x36F; }

size_t fat_text_largura(const char *s)
{
  const unsigned char *p = (const unsigned char *)s;
  size_t w = 0;

  while (*p != '\0') {
    int n;

    if (!combining(code_point(p, &n)))
      w++;
    p += n;
  }
  return w;
}

/* s cut to `largura` columns (a base character keeps its combining marks;
** at most 2 marks per character are kept, so the buffer always fits) and
** padded with blanks after (direita = 0) or before (direita = 1). */
static fat_text_col coluna(const char *s, int largura, int direita)
{
  fat_text_col c;
  const unsigned char *p;
  size_t o = 0, cut;
  int w = 0, marks = 0, pad;

  if (largura > 120)
    largura = 120;
  if (largura < 0)
    largura = 0;
  p = (const unsigned char *)(s != NULL ? s : "-");
  /* find the cut: whole characters up to `largura` columns */
  cut = 0;
  while (p[cut] != '\0') {
    int n;
    unsigned cp = code_point(p + cut, &n);

    if (combining(cp)) {
      if (w == 0 || ++marks > 2)
        break;
    } else {
      if (w == largura)
        break;
      w++;
      marks = 0;
    }
    cut += (size_t)n;
  }
  pad = largura - w;
  if (direita)
    while (pad-- > 0)
      c.s[o++] = ' ';
  memcpy(c.s + o, p, cut);
  o += cut;
  if (!direita)
    while (pad-- > 0)
      c.s[o++] = ' ';
  c.s[o] = '\0';
  return c;
}

fat_text_col fat_text_coluna(const char *s, int largura) { return coluna(s, largura, 0); }

fat_text_col fat_text_coluna_dir(const char *s, int largura) { return coluna(s, largura, 1); }
