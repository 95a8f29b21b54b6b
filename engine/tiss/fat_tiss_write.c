/* fat_tiss_write.c: TISS 4.01.00 writer (ISO-8859-1 bytes written directly, hash on write). */
#include "fat_tiss_write.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>


#include "fat_mem.h"
#include "fat_tiss_validate.h"

#define W_MAX_DEPTH 32
#define W_MAX_QNAME 72

/* The bytes are written straight into one growing buffer, exactly as
** libxml2's xmlTextWriter wrote them before (indented by two spaces, one
** element per line, a leaf's text on its line, an element with nothing
** inside as <ans:x/>, text escaped as xmlEncodeSpecialChars does, output
** in ISO-8859-1): tests/unit/test_tiss_escrita.c keeps those bytes. */
struct fat_tiss_writer {
  char *out;       /* the document so far (ISO-8859-1) */
  size_t len, cap;
  char *scratch;   /* latin1_safe's result, reused from leaf to leaf */
  size_t scratch_cap;
  char names[W_MAX_DEPTH][W_MAX_QNAME]; /* open elements, "ans:name" */
  size_t name_len[W_MAX_DEPTH];         /* strlen of each names[] */
  fat_md5 md5;
  fat_tiss_enc enc;
  fat_tiss_xsd_events *ev; /* NULL, or the schema checking each element */
  int depth;       /* open elements */
  int tag_open;    /* the last start tag still lacks its '>' */
  int begun;
  fat_err err;     /* sticky first error (err.rc != FAT_OK) */
  char ctx[160];   /* prefix for error messages */
  /* or, when ctx is empty and ctx_guia is not NULL, the prefix is
  ** "guia <ctx_guia>" (", item <ctx_item>" when ctx_has_item), formatted
  ** only when an error happens: the lote writer names each guia and item */
  const char *ctx_guia;
  int ctx_item, ctx_has_item;
};

void fat_tiss_doc_fini(fat_tiss_doc *d)
{
  if (d == NULL)
    return;
  fat_free(d->xml);
  memset(d, 0, sizeof *d);
}

/* A writer whose buffer starts with cap bytes (at least 64 KiB). */
static fat_rc writer_new(fat_tiss_enc hash_enc, size_t cap, fat_tiss_writer **out, fat_err *err)
{
  fat_tiss_writer *w;

  *out = NULL;
  w = fat_calloc(1, sizeof *w);
  if (w == NULL)
    return fat_err_oom(err);
  w->cap = cap > 64 * 1024 ? cap : 64 * 1024;
  w->out = fat_malloc(w->cap);
  if (w->out == NULL) {
    fat_free(w);
    return fat_err_oom(err);
  }
  w->enc = hash_enc;
  fat_md5_init(&w->md5);
  *out = w;
  return FAT_OK;
}

fat_rc fat_tiss_writer_new(fat_tiss_enc hash_enc, fat_tiss_writer **out, fat_err *err)
{
  return writer_new(hash_enc, 0, out, err);
}

void fat_tiss_writer_free(fat_tiss_writer *w)
{
  if (w == NULL)
    return;
  fat_free(w->out);
  fat_free(w->scratch);
  fat_tiss_xsd_events_finish(w->ev);
  fat_free(w);
}

void fat_tiss_w_context(fat_tiss_writer *w, const char *ctx)
{
  snprintf(w->ctx, sizeof w->ctx, "%s", ctx != NULL ? ctx : "");
  w->ctx_guia = NULL;
  w->ctx_has_item = 0;
}

/* The context "guia <numero>" (no item) or "guia <numero>, item <item>",
** kept as pointer and number and formatted only if an error is reported;
** numero must outlive the next context change. */
static void w_context_guia(fat_tiss_writer *w, const char *numero, int has_item, int item)
{
  w->ctx[0] = '\0';
  w->ctx_guia = numero != NULL ? numero : "?";
  w->ctx_has_item = has_item;
  w->ctx_item = item;
}

fat_rc fat_tiss_w_fail(fat_tiss_writer *w, fat_rc rc, const char *fmt, ...)
{
  char msg[sizeof w->err.msg];
  va_list ap;

  if (w->err.rc != FAT_OK)
    return w->err.rc;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (w->ctx[0] == '\0' && w->ctx_guia != NULL) {
    if (w->ctx_has_item)
      snprintf(w->ctx, sizeof w->ctx, "guia %s, item %d", w->ctx_guia, w->ctx_item);
    else
      snprintf(w->ctx, sizeof w->ctx, "guia %s", w->ctx_guia);
  }
  if (w->ctx[0] != '\0')
    fat_err_set(&w->err, rc, "%s: %s", w->ctx, msg);
  else
    fat_err_set(&w->err, rc, "%s", msg);
  return rc;
}

static fat_rc xml_fail(fat_tiss_writer *w, const char *what)
{
  return fat_tiss_w_fail(w, FAT_ENOMEM, "erro ao escrever XML (%s)", what);
}

/* Room for n more bytes (and a final NUL) in w->out. */
static int w_room(fat_tiss_writer *w, size_t n)
{
  char *nb;
  size_t cap;

  if (w->len + n + 1 <= w->cap)
    return 1;
  if (n > FAT_TISS_MAX_BYTES || w->len > FAT_TISS_MAX_BYTES) {
    fat_tiss_w_fail(w, FAT_ELIMIT, "mensagem TISS maior que %zu bytes", FAT_TISS_MAX_BYTES);
    return 0;
  }
  for (cap = w->cap; w->len + n + 1 > cap; cap *= 2)
    ;
  nb = fat_realloc(w->out, cap);
  if (nb == NULL) {
    fat_tiss_w_fail(w, FAT_ENOMEM, "%s", fat_rc_str(FAT_ENOMEM));
    return 0;
  }
  w->out = nb;
  w->cap = cap;
  return 1;
}

static void w_put(fat_tiss_writer *w, const char *s, size_t n)
{
  if (w->err.rc != FAT_OK || !w_room(w, n))
    return;
  memcpy(w->out + w->len, s, n);
  w->len += n;
}

#define W_PUTS(w, lit) w_put((w), (lit), sizeof(lit) - 1)

static void w_indent(fat_tiss_writer *w, int depth)
{
  static const char spaces[] = "                                                                ";
  size_t n = (size_t)depth * 2;

  while (n > 0 && w->err.rc == FAT_OK) {
    size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;

    w_put(w, spaces, k);
    n -= k;
  }
}

/* utf8 (already reduced to the ISO-8859-1 repertoire by latin1_safe) as
** escaped ISO-8859-1 text: & < > " and CR as entities, U+0080..U+00FF as one
** byte. */
static void w_text(fat_tiss_writer *w, const char *utf8, size_t n)
{
  const unsigned char *p = (const unsigned char *)utf8;
  size_t i = 0, run;

  while (i < n && w->err.rc == FAT_OK) {
    for (run = i; run < n && p[run] < 0x80 && p[run] != '&' && p[run] != '<' && p[run] != '>' &&
                  p[run] != '"' && p[run] != '\r';
         run++)
      ;
    if (run > i) {
      w_put(w, utf8 + i, run - i);
      i = run;
      continue;
    }
    switch (p[i]) {
    case '&': W_PUTS(w, "&amp;"); break;
    case '<': W_PUTS(w, "&lt;"); break;
    case '>': W_PUTS(w, "&gt;"); break;
    case '"': W_PUTS(w, "&quot;"); break;
    case '\r': W_PUTS(w, "&#13;"); break;
    default:
      if ((p[i] == 0xC2 || p[i] == 0xC3) && i + 1 < n && (p[i + 1] & 0xC0) == 0x80) {
        char b = (char)(((p[i] & 0x03u) << 6) | (p[i + 1] & 0x3Fu));

        w_put(w, &b, 1);
        i++;
      } else {
        fat_tiss_w_fail(w, FAT_EINVAL, "texto com caractere fora do ISO-8859-1");
      }
      break;
    }
    i++;
  }
}

/* Reduce UTF-8 text to the ISO-8859-1 repertoire (as UTF-8): invalid UTF-8 is
** an error, code points > U+00FF become '?', C0 controls other than TAB/LF and
** DEL/C1 controls become ' '. Truncated to max_chars characters (0 = no
** limit). Returns the text and its length in *len: s itself when it is
** printable ASCII that needs no change (most fields), else w->scratch (valid
** until the next call); NULL on error (recorded in w). *ascii tells whether
** the result is ASCII only. */
static const char *latin1_safe(fat_tiss_writer *w, const char *name, const char *s,
                               size_t max_chars, size_t *len_out, int *ascii)
{
  const unsigned char *p = (const unsigned char *)s;
  size_t n, i = 0, o = 0, chars = 0;
  char *out;

  for (n = 0; p[n] != '\0'; n++)
    if ((p[n] < 0x20 && p[n] != '\t' && p[n] != '\n') || p[n] >= 0x7F)
      break;
  if (p[n] == '\0' && (max_chars == 0 || n <= max_chars)) {
    *len_out = n;
    *ascii = 1;
    return s;
  }
  n += strlen(s + n);
  *ascii = 0;
  if (n + 1 > w->scratch_cap) {
    char *nb = fat_realloc(w->scratch, n + 1);

    if (nb == NULL) {
      fat_tiss_w_fail(w, FAT_ENOMEM, "%s", fat_rc_str(FAT_ENOMEM));
      return NULL;
    }
    w->scratch = nb;
    w->scratch_cap = n + 1;
  }
  out = w->scratch;
  while (i < n && (max_chars == 0 || chars < max_chars)) {
    unsigned char b = p[i];
    uint32_t cp;
    size_t len, k;

    if (b < 0x80) {
      cp = b;
      len = 1;
    } else if ((b & 0xE0) == 0xC0) {
      cp = b & 0x1Fu;
      len = 2;
    } else if ((b & 0xF0) == 0xE0) {
      cp = b & 0x0Fu;
      len = 3;
    } else if ((b & 0xF8) == 0xF0) {
      cp = b & 0x07u;
      len = 4;
    } else {
      len = 0;
      cp = 0;
    }
    if (len == 0 || i + len > n)
      goto bad;
    for (k = 1; k < len; k++) {
      if ((p[i + k] & 0xC0) != 0x80)
        goto bad;
      cp = (cp << 6) | (p[i + k] & 0x3Fu);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF)
      goto bad;
    i += len;
    if ((cp < 0x20 && cp != '\t' && cp != '\n') || (cp >= 0x7F && cp < 0xA0))
      cp = ' ';
    else if (cp > 0xFF)
      cp = '?';
    if (cp < 0x80) {
      out[o++] = (char)cp;
    } else {
      out[o++] = (char)(0xC0 | (cp >> 6));
      out[o++] = (char)(0x80 | (cp & 0x3F));
    }
    chars++;
  }
  out[o] = '\0';
  *len_out = o;
  return out;
bad:
  fat_tiss_w_fail(w, FAT_EINVAL, "campo %s: texto com UTF-8 inválido", name);
  return NULL;
}

/* Write the indentation of the current depth and "<ans:name" (local name
** of nlen bytes, shorter than W_MAX_QNAME - 4), closing first the start tag
** still open. */
static void put_start_tag(fat_tiss_writer *w, const char *name, size_t nlen)
{
  static const char spaces[] = "                                                                ";
  size_t ind = (size_t)w->depth * 2, need = 2 + ind + 5 + nlen;
  char *o;

  if (ind > sizeof spaces - 1 || !w_room(w, need)) {
    if (w->err.rc == FAT_OK)
      xml_fail(w, name);
    return;
  }
  o = w->out + w->len;
  if (w->tag_open) {
    *o++ = '>';
    *o++ = '\n';
  }
  w->tag_open = 0;
  memcpy(o, spaces, ind);
  o += ind;
  memcpy(o, "<ans:", 5);
  o += 5;
  memcpy(o, name, nlen);
  o += nlen;
  w->len = (size_t)(o - w->out);
}

/* Open <ans:name (the '>' comes with the first child or text; see w_end). */
static fat_rc start_raw(fat_tiss_writer *w, const char *name)
{
  size_t n = strlen(name);

  if (w->err.rc != FAT_OK)
    return w->err.rc;
  if (n + 4 >= W_MAX_QNAME)
    return xml_fail(w, name);
  if (w->depth >= W_MAX_DEPTH) {
    char q[W_MAX_QNAME];

    memcpy(q, "ans:", 4);
    memcpy(q + 4, name, n + 1);
    return xml_fail(w, q);
  }
  put_start_tag(w, name, n);
  if (w->err.rc != FAT_OK)
    return w->err.rc;
  memcpy(w->names[w->depth], "ans:", 4);
  memcpy(w->names[w->depth] + 4, name, n + 1);
  w->name_len[w->depth] = n + 4;
  if (w->ev != NULL) /* every name is "ans:" + the local name */
    fat_tiss_xsd_start(w->ev, w->names[w->depth] + 4, w->depth == 0);
  w->depth++;
  w->tag_open = 1;
  return w->err.rc;
}

fat_rc fat_tiss_w_start(fat_tiss_writer *w, const char *name) { return start_raw(w, name); }

fat_rc fat_tiss_w_end(fat_tiss_writer *w)
{
  const char *q;

  if (w->err.rc != FAT_OK)
    return w->err.rc;
  if (w->depth <= 0)
    return fat_tiss_w_fail(w, FAT_ESTATE, "fechamento de elemento sem abertura");
  w->depth--;
  q = w->names[w->depth];
  if (w->ev != NULL)
    fat_tiss_xsd_end(w->ev, q + 4);
  if (w->tag_open) {
    W_PUTS(w, "/>\n");
    w->tag_open = 0;
    return w->err.rc;
  }
  w_indent(w, w->depth);
  W_PUTS(w, "</");
  w_put(w, q, w->name_len[w->depth]);
  W_PUTS(w, ">\n");
  return w->err.rc;
}

/* <ans:name>text</ans:name> with text (ISO-8859-1 repertoire, as UTF-8)
** escaped; the element opens and closes here, so its name is not kept. */
static fat_rc w_element(fat_tiss_writer *w, const char *name, const char *text, size_t n)
{
  size_t nlen = strlen(name);

  if (w->err.rc != FAT_OK)
    return w->err.rc;
  if (nlen + 4 >= W_MAX_QNAME)
    return xml_fail(w, name);
  if (w->depth >= W_MAX_DEPTH) {
    char q[W_MAX_QNAME];

    memcpy(q, "ans:", 4);
    memcpy(q + 4, name, nlen + 1);
    return xml_fail(w, q);
  }
  put_start_tag(w, name, nlen);
  if (w->ev != NULL && w->err.rc == FAT_OK)
    fat_tiss_xsd_start(w->ev, name, w->depth == 0);
  W_PUTS(w, ">");
  w_text(w, text, n);
  if (w->ev != NULL && w->err.rc == FAT_OK) {
    fat_tiss_xsd_text(w->ev, text, n);
    fat_tiss_xsd_end(w->ev, name);
  }
  W_PUTS(w, "</ans:");
  w_put(w, name, nlen);
  W_PUTS(w, ">\n");
  return w->err.rc;
}

/* Write <ans:name>text</ans:name> and feed text into the hash. */
static fat_rc leaf_raw(fat_tiss_writer *w, const char *name, const char *text, size_t max_chars)
{
  const char *safe;
  size_t n;
  int ascii;

  if (w->err.rc != FAT_OK)
    return w->err.rc;
  safe = latin1_safe(w, name, text, max_chars, &n, &ascii);
  if (safe == NULL)
    return w->err.rc;
  if (w_element(w, name, safe, n) != FAT_OK)
    return w->err.rc;
  if (ascii) { /* the same bytes in UTF-8 and in ISO-8859-1 */
    fat_md5_update(&w->md5, safe, n);
    return FAT_OK;
  }
  return fat_tiss_hash_feed(&w->md5, w->enc, safe, n, &w->err);
}

fat_rc fat_tiss_w_leaf(fat_tiss_writer *w, const char *name, const char *text, size_t max_chars)
{
  if (w->err.rc != FAT_OK)
    return w->err.rc;
  if (text == NULL || text[0] == '\0')
    return fat_tiss_w_fail(w, FAT_EINVAL, "campo obrigatório %s ausente", name);
  return leaf_raw(w, name, text, max_chars);
}

fat_rc fat_tiss_w_leaf_opt(fat_tiss_writer *w, const char *name, const char *text,
                           size_t max_chars)
{
  if (w->err.rc != FAT_OK)
    return w->err.rc;
  if (text == NULL || text[0] == '\0')
    return FAT_OK;
  return leaf_raw(w, name, text, max_chars);
}

static int is_digits(const char *s, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9')
      return 0;
  return 1;
}

fat_rc fat_tiss_w_date(fat_tiss_writer *w, const char *name, const char *date)
{
  if (w->err.rc != FAT_OK)
    return w->err.rc;
  if (date == NULL || date[0] == '\0')
    return fat_tiss_w_fail(w, FAT_EINVAL, "campo obrigatório %s (data) ausente", name);
  if (strlen(date) != 10 || date[4] != '-' || date[7] != '-' || !is_digits(date, 4) ||
      !is_digits(date + 5, 2) || !is_digits(date + 8, 2))
    return fat_tiss_w_fail(w, FAT_EINVAL, "campo %s: data '%s' fora do formato AAAA-MM-DD",
                           name, date);
  return leaf_raw(w, name, date, 0);
}

fat_rc fat_tiss_w_time(fat_tiss_writer *w, const char *name, const char *hhmm)
{
  char t[9];
  size_t l;

  if (w->err.rc != FAT_OK)
    return w->err.rc;
  if (hhmm == NULL || hhmm[0] == '\0')
    return fat_tiss_w_fail(w, FAT_EINVAL, "campo obrigatório %s (hora) ausente", name);
  l = strlen(hhmm);
  if ((l != 5 && l != 8) || hhmm[2] != ':' || !is_digits(hhmm, 2) || !is_digits(hhmm + 3, 2) ||
      (l == 8 && (hhmm[5] != ':' || !is_digits(hhmm + 6, 2))))
    return fat_tiss_w_fail(w, FAT_EINVAL, "campo %s: hora '%s' fora do formato HH:MM[:SS]", name,
                           hhmm);
  snprintf(t, sizeof t, "%.5s:%s", hhmm, l == 8 ? hhmm + 6 : "00");
  return leaf_raw(w, name, t, 0);
}

/* v in decimal at o (no NUL); returns the number of digits (at most 20). */
static size_t u64_dec(uint64_t v, char *o)
{
  char t[20];
  size_t n = 0, i;

  do {
    t[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v > 0);
  for (i = 0; i < n; i++)
    o[i] = t[n - 1 - i];
  return n;
}

/* value/10^frac as a decimal with exactly `frac` fraction digits, bounded by
** `digits` total digits (XSD totalDigits). */
static fat_rc w_fixed(fat_tiss_writer *w, const char *name, int64_t v, int frac, int digits)
{
  char txt[40];
  int64_t scale = 1, lim = 1;
  uint64_t a;
  int i;

  if (w->err.rc != FAT_OK)
    return w->err.rc;
  if (v == FAT_ABSENT)
    return fat_tiss_w_fail(w, FAT_EINVAL, "campo obrigatório %s (valor) ausente", name);
  for (i = 0; i < frac; i++)
    scale *= 10;
  for (i = 0; i < digits && i < 18; i++)
    lim *= 10;
  a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  if (a >= (uint64_t)lim)
    return fat_tiss_w_fail(w, FAT_EINVAL, "campo %s: valor excede %d dígitos", name, digits);
  /* "-"? integer part "." frac digits, as "%s%" PRIu64 ".%0*" PRIu64 */
  {
    char *o = txt;
    uint64_t f = a % (uint64_t)scale;

    if (v < 0)
      *o++ = '-';
    o += u64_dec(a / (uint64_t)scale, o);
    if (frac > 0) { /* frac <= 4 here (money and quantities) */
      *o++ = '.';
      for (i = frac - 1; i >= 0; i--) {
        o[i] = (char)('0' + f % 10);
        f /= 10;
      }
      o += frac;
    } else { /* "%0*" with width 0 still prints the 0 */
      *o++ = '.';
      *o++ = '0';
    }
    *o = '\0';
  }
  return leaf_raw(w, name, txt, 0);
}

fat_rc fat_tiss_w_money(fat_tiss_writer *w, const char *name, int64_t centavos, int digits)
{
  return w_fixed(w, name, centavos, 2, digits);
}

fat_rc fat_tiss_w_qty(fat_tiss_writer *w, const char *name, int64_t e4, int digits)
{
  return w_fixed(w, name, e4, 4, digits);
}

/* st_numerico3 from ten-thousandths: must be whole and 0..999. */
static fat_rc w_qty_int(fat_tiss_writer *w, const char *name, int64_t e4)
{
  char txt[24];

  if (w->err.rc != FAT_OK)
    return w->err.rc;
  if (e4 < 0 || e4 % 10000 != 0 || e4 / 10000 > 999)
    return fat_tiss_w_fail(w, FAT_EINVAL,
                           "campo %s: a quantidade deste item precisa ser inteira de 0 a 999",
                           name);
  txt[u64_dec((uint64_t)(e4 / 10000), txt)] = '\0'; /* 0..999 */
  return leaf_raw(w, name, txt, 0);
}

static fat_rc w_int(fat_tiss_writer *w, const char *name, int64_t v)
{
  char txt[24];
  size_t k = 0;

  if (v < 0)
    txt[k++] = '-';
  k += u64_dec(v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, txt + k);
  txt[k] = '\0';
  return fat_tiss_w_leaf(w, name, txt, 0);
}

static void now_local(char date[11], char hora[9])
{
  time_t t = time(NULL);
  struct tm tmv;

  localtime_r(&t, &tmv);
  strftime(date, 11, "%Y-%m-%d", &tmv);
  strftime(hora, 9, "%H:%M:%S", &tmv);
}

/* identificacaoPrestador: código na operadora, else CNPJ, else CPF. */
static void w_identificacao_prestador(fat_tiss_writer *w, const fat_tiss_cabecalho *cab)
{
  fat_tiss_w_start(w, "identificacaoPrestador");
  if (cab->codigo_prestador != NULL && cab->codigo_prestador[0] != '\0')
    fat_tiss_w_leaf(w, "codigoPrestadorNaOperadora", cab->codigo_prestador, 14);
  else if (cab->cnpj_prestador != NULL && cab->cnpj_prestador[0] != '\0')
    fat_tiss_w_leaf(w, "CNPJ", cab->cnpj_prestador, 14);
  else if (cab->cpf_prestador != NULL && cab->cpf_prestador[0] != '\0')
    fat_tiss_w_leaf(w, "CPF", cab->cpf_prestador, 11);
  else
    fat_tiss_w_fail(w, FAT_EINVAL,
                    "prestador sem código na operadora, CNPJ ou CPF para o cabeçalho");
  fat_tiss_w_end(w);
}

fat_rc fat_tiss_w_begin(fat_tiss_writer *w, const fat_tiss_cabecalho *cab)
{
  char d[11], h[9];

  if (w->err.rc != FAT_OK)
    return w->err.rc;
  if (w->begun)
    return fat_tiss_w_fail(w, FAT_ESTATE, "mensagem já iniciada");
  w->begun = 1;
  now_local(d, h);
  W_PUTS(w, "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n");
  if (start_raw(w, "mensagemTISS") != FAT_OK)
    return w->err.rc;
  W_PUTS(w, " xmlns:ans=\"" FAT_TISS_NS "\""); /* still inside the start tag */
  fat_tiss_w_start(w, "cabecalho");
  fat_tiss_w_start(w, "identificacaoTransacao");
  fat_tiss_w_leaf(w, "tipoTransacao", cab->tipo_transacao, 0);
  fat_tiss_w_leaf(w, "sequencialTransacao", cab->sequencial, 12);
  fat_tiss_w_date(w, "dataRegistroTransacao", cab->data != NULL ? cab->data : d);
  fat_tiss_w_time(w, "horaRegistroTransacao", cab->hora != NULL ? cab->hora : h);
  fat_tiss_w_end(w);
  fat_tiss_w_start(w, "origem");
  if (cab->da_operadora)
    fat_tiss_w_leaf(w, "registroANS", cab->registro_ans, 6);
  else
    w_identificacao_prestador(w, cab);
  fat_tiss_w_end(w);
  fat_tiss_w_start(w, "destino");
  if (cab->da_operadora)
    w_identificacao_prestador(w, cab);
  else
    fat_tiss_w_leaf(w, "registroANS", cab->registro_ans, 6);
  fat_tiss_w_end(w);
  fat_tiss_w_leaf(w, "Padrao", FAT_TISS_VERSAO, 0);
  fat_tiss_w_end(w); /* cabecalho */
  return fat_tiss_w_start(w, cab->da_operadora ? "operadoraParaPrestador"
                                               : "prestadorParaOperadora");
}

fat_rc fat_tiss_w_finish(fat_tiss_writer *w, fat_tiss_doc *out, fat_err *err)
{
  unsigned char dg[16];
  char hash[33];

  memset(out, 0, sizeof *out);
  if (w->err.rc == FAT_OK && (!w->begun || w->depth != 2))
    fat_tiss_w_fail(w, FAT_ESTATE, "mensagem TISS com elementos abertos (%d)", w->depth);
  if (w->err.rc != FAT_OK)
    goto fail;
  fat_tiss_w_end(w); /* prestadorParaOperadora / operadoraParaPrestador */
  fat_md5_final(&w->md5, dg);
  fat_md5_hex(dg, hash);
  fat_tiss_w_start(w, "epilogo");
  w_element(w, "hash", hash, 32); /* the hash itself is not hashed */
  fat_tiss_w_end(w);
  fat_tiss_w_end(w); /* mensagemTISS */
  if (w->err.rc != FAT_OK)
    goto fail;
  if (w->len > FAT_TISS_MAX_BYTES) {
    fat_tiss_w_fail(w, FAT_ELIMIT, "mensagem TISS maior que %zu bytes", FAT_TISS_MAX_BYTES);
    goto fail;
  }
  w->out[w->len] = '\0'; /* w_room always keeps a byte for it */
  out->xml = w->out;  /* handed over: the writer can only be freed now */
  out->len = w->len;
  out->xsd_valido = fat_tiss_xsd_events_finish(w->ev);
  w->ev = NULL;
  w->out = NULL;
  w->len = w->cap = 0;
  memcpy(out->hash, hash, sizeof hash);
  return FAT_OK;
fail:
  if (err != NULL)
    *err = w->err;
  return w->err.rc;
}

/* ---- domain mappings ---- */

const char *fat_tiss_conselho_code(const char *sigla)
{
  static const struct {
    const char *sigla, *code;
  } t[] = {{"CRESS", "01"}, {"CRAS", "01"},   {"COREN", "02"}, {"CRF", "03"},   {"CRFA", "04"},
           {"CREFITO", "05"}, {"CRM", "06"}, {"CRN", "07"},   {"CRO", "08"},   {"CRP", "09"},
           {"OUT", "10"},   {"CRBIO", "11"}, {"CRBM", "12"},  {"CREF", "13"},  {"CRMV", "14"},
           {"CRTR", "15"}};
  size_t i;

  if (sigla == NULL)
    return NULL;
  for (i = 0; i < sizeof t / sizeof t[0]; i++)
    if (strcasecmp(sigla, t[i].sigla) == 0 || strcmp(sigla, t[i].code) == 0)
      return t[i].code;
  return NULL;
}

const char *fat_tiss_uf_code(const char *sigla)
{
  static const struct {
    const char *sigla, *code;
  } t[] = {{"RO", "11"}, {"AC", "12"}, {"AM", "13"}, {"RR", "14"}, {"PA", "15"}, {"AP", "16"},
           {"TO", "17"}, {"MA", "21"}, {"PI", "22"}, {"CE", "23"}, {"RN", "24"}, {"PB", "25"},
           {"PE", "26"}, {"AL", "27"}, {"SE", "28"}, {"BA", "29"}, {"MG", "31"}, {"ES", "32"},
           {"RJ", "33"}, {"SP", "35"}, {"PR", "41"}, {"SC", "42"}, {"RS", "43"}, {"MS", "50"},
           {"MT", "51"}, {"GO", "52"}, {"DF", "53"}, {"EX", "98"}};
  size_t i;

  if (sigla == NULL)
    return NULL;
  for (i = 0; i < sizeof t / sizeof t[0]; i++)
    if (strcasecmp(sigla, t[i].sigla) == 0 || strcmp(sigla, t[i].code) == 0)
      return t[i].code;
  return NULL;
}

const char *fat_tiss_despesa_code(const char *tipo)
{
  if (tipo == NULL || strcmp(tipo, "procedimento") == 0)
    return NULL;
  if (strcmp(tipo, "gas") == 0)
    return "01";
  if (strcmp(tipo, "medicamento") == 0)
    return "02";
  if (strcmp(tipo, "material") == 0)
    return "03";
  if (strcmp(tipo, "diaria") == 0)
    return "05";
  if (strcmp(tipo, "taxa") == 0)
    return "07";
  if (strcmp(tipo, "opme") == 0)
    return "08";
  return NULL;
}

static fat_rc w_conselho(fat_tiss_writer *w, const char *name, const fat_profissional *p)
{
  const char *c = fat_tiss_conselho_code(p->conselho);

  if (c == NULL)
    return fat_tiss_w_fail(w, FAT_EINVAL, "profissional %s: conselho '%s' desconhecido",
                           p->nome != NULL ? p->nome : "?",
                           p->conselho != NULL ? p->conselho : "");
  return fat_tiss_w_leaf(w, name, c, 0);
}

static fat_rc w_uf(fat_tiss_writer *w, const fat_profissional *p)
{
  const char *c = fat_tiss_uf_code(p->uf);

  if (c == NULL)
    return fat_tiss_w_fail(w, FAT_EINVAL, "profissional %s: UF '%s' desconhecida",
                           p->nome != NULL ? p->nome : "?", p->uf != NULL ? p->uf : "");
  return fat_tiss_w_leaf(w, "UF", c, 0);
}

fat_rc fat_tiss_w_profissional(fat_tiss_writer *w, const fat_profissional *p, int with_nome)
{
  if (with_nome)
    fat_tiss_w_leaf_opt(w, "nomeProfissional", p->nome, 70);
  w_conselho(w, "conselhoProfissional", p);
  fat_tiss_w_leaf(w, "numeroConselhoProfissional", p->numero_conselho, 15);
  w_uf(w, p);
  return fat_tiss_w_leaf(w, "CBOS", p->cbo, 0);
}

/* ---- guias ---- */

typedef struct guia_ctx {
  fat_tiss_writer *w;
  const fat_guia *g;
  const fat_tiss_envio *e;
  char data_emissao[11];
} guia_ctx;

static const char *or_default(const char *v, const char *def)
{
  return (v != NULL && v[0] != '\0') ? v : def;
}

/* ct_contratadoDados: the prestador's code at the operadora, else CNPJ/CPF. */
static void w_contratado(fat_tiss_writer *w, const fat_prestador *p)
{
  if (p->codigo_na_operadora != NULL && p->codigo_na_operadora[0] != '\0')
    fat_tiss_w_leaf(w, "codigoPrestadorNaOperadora", p->codigo_na_operadora, 14);
  else if (p->cnpj != NULL && p->cnpj[0] != '\0')
    fat_tiss_w_leaf(w, "cnpjContratado", p->cnpj, 0);
  else if (p->cpf != NULL && p->cpf[0] != '\0')
    fat_tiss_w_leaf(w, "cpfContratado", p->cpf, 0);
  else
    fat_tiss_w_fail(w, FAT_EINVAL, "prestador sem código na operadora, CNPJ ou CPF");
}

/* CNES; the TISS convention for a prestador without one is 9999999. */
static const char *cnes_of(const fat_prestador *p) { return or_default(p->cnes, "9999999"); }

static void w_cabecalho_guia(guia_ctx *c, const char *elem, int with_principal)
{
  fat_tiss_writer *w = c->w;

  fat_tiss_w_start(w, elem);
  fat_tiss_w_leaf(w, "registroANS", c->g->operadora.registro_ans, 6);
  fat_tiss_w_leaf(w, "numeroGuiaPrestador", c->g->numero_prestador, 20);
  if (with_principal)
    fat_tiss_w_leaf_opt(w, "guiaPrincipal", c->g->numero_principal, 20);
  fat_tiss_w_end(w);
}

static void w_beneficiario(guia_ctx *c, const char *elem)
{
  fat_tiss_writer *w = c->w;

  fat_tiss_w_start(w, elem);
  fat_tiss_w_leaf(w, "numeroCarteira", c->g->carteira_numero, 20);
  fat_tiss_w_leaf(w, "atendimentoRN", c->g->atendimento_rn ? "S" : "N", 0);
  fat_tiss_w_end(w);
}

static const fat_profissional *need_prof(fat_tiss_writer *w, const fat_profissional *p,
                                         const char *what)
{
  if (p == NULL)
    fat_tiss_w_fail(w, FAT_EINVAL, "profissional %s ausente", what);
  return p;
}

/* codProfissional: code at the operadora is not in the model, so the CPF. */
static void w_cod_profissional(fat_tiss_writer *w, const fat_profissional *p)
{
  fat_tiss_w_start(w, "codProfissional");
  if (p->cpf != NULL && p->cpf[0] != '\0')
    fat_tiss_w_leaf(w, "cpfContratado", p->cpf, 0);
  else
    fat_tiss_w_fail(w, FAT_EINVAL, "profissional %s sem CPF (necessário na equipe)",
                    p->nome != NULL ? p->nome : "?");
  fat_tiss_w_end(w);
}

static void w_procedimento_dados(fat_tiss_writer *w, const fat_item *it)
{
  fat_tiss_w_start(w, "procedimento");
  fat_tiss_w_leaf(w, "codigoTabela", it->codigo_tabela, 0);
  fat_tiss_w_leaf(w, "codigoProcedimento", it->codigo, 10);
  fat_tiss_w_leaf(w, "descricaoProcedimento", it->descricao, 150);
  fat_tiss_w_end(w);
}

static void item_context(guia_ctx *c, const fat_item *it)
{
  w_context_guia(c->w, c->g->numero_prestador, 1, it->sequencial);
}

static void guia_context(guia_ctx *c) { w_context_guia(c->w, c->g->numero_prestador, 0, 0); }

static int64_t fator_of(const fat_item *it) { return it->fator_e2 > 0 ? it->fator_e2 : 100; }

/* Common head of procedure items (SADT, internação, honorários). */
static void w_item_head(guia_ctx *c, const fat_item *it)
{
  fat_tiss_writer *w = c->w;

  w_int(w, "sequencialItem", it->sequencial);
  fat_tiss_w_date(w, "dataExecucao", or_default(it->data, c->g->data_inicio));
  if (it->hora_inicio != NULL)
    fat_tiss_w_time(w, "horaInicial", it->hora_inicio);
  if (it->hora_fim != NULL)
    fat_tiss_w_time(w, "horaFinal", it->hora_fim);
  w_procedimento_dados(w, it);
  w_qty_int(w, "quantidadeExecutada", it->quantidade_e4);
  fat_tiss_w_leaf_opt(w, "viaAcesso", it->via_acesso, 0);
  fat_tiss_w_leaf_opt(w, "tecnicaUtilizada", it->tecnica, 0);
  w_fixed(w, "reducaoAcrescimo", fator_of(it), 2, 3);
  fat_tiss_w_money(w, "valorUnitario", it->valor_unitario, 8);
  fat_tiss_w_money(w, "valorTotal", it->valor_total, 8);
}

/* Equipe member (ct_identEquipe / ct_identEquipeSADT). */
static void w_equipe(fat_tiss_writer *w, const fat_item *it, const fat_profissional *p,
                     int grau_required)
{
  const char *grau = it->grau_participacao;

  if (grau_required)
    fat_tiss_w_leaf(w, "grauPart", or_default(grau, "00"), 0);
  else
    fat_tiss_w_leaf_opt(w, "grauPart", grau, 0);
  w_cod_profissional(w, p);
  fat_tiss_w_leaf(w, "nomeProf", p->nome, 70);
  w_conselho(w, "conselho", p);
  fat_tiss_w_leaf(w, "numeroConselhoProfissional", p->numero_conselho, 15);
  w_uf(w, p);
  fat_tiss_w_leaf(w, "CBOS", p->cbo, 0);
}

static void w_outras_despesas(guia_ctx *c)
{
  fat_tiss_writer *w = c->w;
  const fat_guia *g = c->g;
  size_t i;
  int open = 0;

  for (i = 0; i < g->n_itens; i++) {
    const fat_item *it = &g->itens[i];
    const char *cd = fat_tiss_despesa_code(it->tipo);

    if (cd == NULL)
      continue;
    item_context(c, it);
    if (!open) {
      fat_tiss_w_start(w, "outrasDespesas");
      open = 1;
    }
    fat_tiss_w_start(w, "despesa");
    w_int(w, "sequencialItem", it->sequencial);
    fat_tiss_w_leaf(w, "codigoDespesa", cd, 0);
    fat_tiss_w_start(w, "servicosExecutados");
    fat_tiss_w_date(w, "dataExecucao", or_default(it->data, g->data_inicio));
    if (it->hora_inicio != NULL)
      fat_tiss_w_time(w, "horaInicial", it->hora_inicio);
    if (it->hora_fim != NULL)
      fat_tiss_w_time(w, "horaFinal", it->hora_fim);
    fat_tiss_w_leaf(w, "codigoTabela", it->codigo_tabela, 0);
    fat_tiss_w_leaf(w, "codigoProcedimento", it->codigo, 10);
    w_fixed(w, "quantidadeExecutada", it->quantidade_e4, 4, 9);
    /* 036 = "unidade" in TUSS table 60 when the item does not say */
    fat_tiss_w_leaf(w, "unidadeMedida", or_default(it->unidade_medida, "036"), 0);
    w_fixed(w, "reducaoAcrescimo", fator_of(it), 2, 3);
    fat_tiss_w_money(w, "valorUnitario", it->valor_unitario, 8);
    fat_tiss_w_money(w, "valorTotal", it->valor_total, 8);
    fat_tiss_w_leaf(w, "descricaoProcedimento", it->descricao, 150);
    fat_tiss_w_leaf_opt(w, "registroANVISA", it->registro_anvisa, 15);
    fat_tiss_w_leaf_opt(w, "codigoRefFabricante", it->codigo_fabricante, 60);
    fat_tiss_w_end(w);
    fat_tiss_w_end(w);
  }
  if (open)
    fat_tiss_w_end(w);
  guia_context(c);
}

/* ct_guiaValorTotal from the items; valorTotalGeral is the guia's billed
** total (conferir flags a divergence before the lote is closed). */
static void w_valor_total(guia_ctx *c, const char *elem, int with_diarias)
{
  static const char *const names[] = {"valorProcedimentos", "valorDiarias",
                                      "valorTaxasAlugueis", "valorMateriais",
                                      "valorMedicamentos",  "valorOPME",
                                      "valorGasesMedicinais"};
  static const char *const tipos[] = {"procedimento", "diaria", "taxa", "material",
                                      "medicamento",  "opme",   "gas"};
  int64_t sum[7] = {0};
  int seen[7] = {0};
  size_t i, k;
  fat_tiss_writer *w = c->w;

  for (i = 0; i < c->g->n_itens; i++) {
    const fat_item *it = &c->g->itens[i];

    for (k = 0; k < 7; k++) {
      if (it->tipo != NULL && strcmp(it->tipo, tipos[k]) == 0 && it->valor_total != FAT_ABSENT) {
        sum[k] += it->valor_total;
        seen[k] = 1;
      }
    }
  }
  if (!with_diarias && seen[1]) { /* SADT has no diárias total: count them as taxas */
    sum[2] += sum[1];
    seen[2] = 1;
    seen[1] = 0;
  }
  fat_tiss_w_start(w, elem);
  for (k = 0; k < 7; k++)
    if (seen[k])
      fat_tiss_w_money(w, names[k], sum[k], 10);
  fat_tiss_w_money(w, "valorTotalGeral", c->g->valor_total, 10);
  fat_tiss_w_end(w);
}

static void write_consulta(guia_ctx *c)
{
  fat_tiss_writer *w = c->w;
  const fat_guia *g = c->g;
  const fat_item *it = NULL;
  size_t i;

  for (i = 0; i < g->n_itens && it == NULL; i++)
    if (fat_tiss_despesa_code(g->itens[i].tipo) == NULL)
      it = &g->itens[i];
  fat_tiss_w_start(w, "guiaConsulta");
  w_cabecalho_guia(c, "cabecalhoConsulta", 0);
  fat_tiss_w_leaf_opt(w, "numeroGuiaOperadora", g->numero_operadora, 20);
  w_beneficiario(c, "dadosBeneficiario");
  fat_tiss_w_start(w, "contratadoExecutante");
  w_contratado(w, &g->prestador);
  fat_tiss_w_leaf(w, "CNES", cnes_of(&g->prestador), 7);
  fat_tiss_w_end(w);
  fat_tiss_w_start(w, "profissionalExecutante");
  if (need_prof(w, g->executante, "executante") != NULL)
    fat_tiss_w_profissional(w, g->executante, 1);
  fat_tiss_w_end(w);
  fat_tiss_w_leaf(w, "indicacaoAcidente", or_default(g->indicacao_acidente, "9"), 0);
  fat_tiss_w_start(w, "dadosAtendimento");
  fat_tiss_w_leaf(w, "regimeAtendimento", or_default(g->regime_atendimento, "01"), 0);
  fat_tiss_w_date(w, "dataAtendimento", g->data_inicio);
  fat_tiss_w_leaf(w, "tipoConsulta", g->tipo_consulta, 0);
  fat_tiss_w_start(w, "procedimento");
  if (it == NULL) {
    fat_tiss_w_fail(w, FAT_EINVAL, "guia de consulta sem procedimento");
  } else {
    fat_tiss_w_leaf(w, "codigoTabela", it->codigo_tabela, 0);
    fat_tiss_w_leaf(w, "codigoProcedimento", it->codigo, 10);
    fat_tiss_w_money(w, "valorProcedimento",
                     it->valor_total != FAT_ABSENT ? it->valor_total : g->valor_total, 8);
  }
  fat_tiss_w_end(w);
  fat_tiss_w_end(w); /* dadosAtendimento */
  fat_tiss_w_leaf_opt(w, "observacao", g->observacao, 500);
  fat_tiss_w_end(w);
}

static void write_sadt(guia_ctx *c)
{
  fat_tiss_writer *w = c->w;
  const fat_guia *g = c->g;
  const fat_profissional *sol = g->solicitante != NULL ? g->solicitante : g->executante;
  size_t i;
  int open = 0;

  fat_tiss_w_start(w, "guiaSP-SADT");
  w_cabecalho_guia(c, "cabecalhoGuia", 1);
  if (g->data_autorizacao != NULL || g->senha != NULL || g->numero_operadora != NULL) {
    fat_tiss_w_start(w, "dadosAutorizacao");
    fat_tiss_w_leaf_opt(w, "numeroGuiaOperadora", g->numero_operadora, 20);
    fat_tiss_w_date(w, "dataAutorizacao", g->data_autorizacao);
    fat_tiss_w_leaf_opt(w, "senha", g->senha, 20);
    if (g->validade_senha != NULL)
      fat_tiss_w_date(w, "dataValidadeSenha", g->validade_senha);
    fat_tiss_w_end(w);
  }
  w_beneficiario(c, "dadosBeneficiario");
  fat_tiss_w_start(w, "dadosSolicitante");
  fat_tiss_w_start(w, "contratadoSolicitante");
  w_contratado(w, &g->prestador);
  fat_tiss_w_end(w);
  fat_tiss_w_leaf(w, "nomeContratadoSolicitante", g->prestador.nome, 70);
  fat_tiss_w_start(w, "profissionalSolicitante");
  if (need_prof(w, sol, "solicitante") != NULL)
    fat_tiss_w_profissional(w, sol, 1);
  fat_tiss_w_end(w);
  fat_tiss_w_end(w);
  fat_tiss_w_start(w, "dadosSolicitacao");
  if (g->data_solicitacao != NULL)
    fat_tiss_w_date(w, "dataSolicitacao", g->data_solicitacao);
  fat_tiss_w_leaf(w, "caraterAtendimento", or_default(g->carater_atendimento, "1"), 0);
  fat_tiss_w_leaf_opt(w, "indicacaoClinica", g->indicacao_clinica, 500);
  fat_tiss_w_end(w);
  fat_tiss_w_start(w, "dadosExecutante");
  fat_tiss_w_start(w, "contratadoExecutante");
  w_contratado(w, &g->prestador);
  fat_tiss_w_end(w);
  fat_tiss_w_leaf(w, "CNES", cnes_of(&g->prestador), 7);
  fat_tiss_w_end(w);
  fat_tiss_w_start(w, "dadosAtendimento");
  fat_tiss_w_leaf(w, "tipoAtendimento", g->tipo_atendimento, 0);
  fat_tiss_w_leaf(w, "indicacaoAcidente", or_default(g->indicacao_acidente, "9"), 0);
  fat_tiss_w_leaf_opt(w, "tipoConsulta", g->tipo_consulta, 0);
  if (g->motivo_encerramento != NULL && (strcmp(g->motivo_encerramento, "41") == 0 ||
                                         strcmp(g->motivo_encerramento, "42") == 0 ||
                                         strcmp(g->motivo_encerramento, "43") == 0))
    fat_tiss_w_leaf(w, "motivoEncerramento", g->motivo_encerramento, 0);
  fat_tiss_w_leaf(w, "regimeAtendimento", or_default(g->regime_atendimento, "01"), 0);
  fat_tiss_w_end(w);
  for (i = 0; i < g->n_itens; i++) {
    const fat_item *it = &g->itens[i];

    if (fat_tiss_despesa_code(it->tipo) != NULL)
      continue;
    item_context(c, it);
    if (!open) {
      fat_tiss_w_start(w, "procedimentosExecutados");
      open = 1;
    }
    fat_tiss_w_start(w, "procedimentoExecutado");
    w_item_head(c, it);
    if (it->profissional != NULL) {
      fat_tiss_w_start(w, "equipeSadt");
      w_equipe(w, it, it->profissional, 0);
      fat_tiss_w_end(w);
    }
    fat_tiss_w_end(w);
  }
  if (open)
    fat_tiss_w_end(w);
  guia_context(c);
  w_outras_despesas(c);
  fat_tiss_w_leaf_opt(w, "observacao", g->observacao, 500);
  w_valor_total(c, "valorTotal", 1);
  fat_tiss_w_end(w);
}

static void write_honorarios(guia_ctx *c)
{
  fat_tiss_writer *w = c->w;
  const fat_guia *g = c->g;
  size_t i;

  fat_tiss_w_start(w, "guiaHonorarios");
  w_cabecalho_guia(c, "cabecalhoGuia", 0);
  if (g->numero_principal == NULL)
    fat_tiss_w_fail(w, FAT_EINVAL, "campo obrigatório numero_principal (guia de solicitação "
                                   "de internação) ausente");
  fat_tiss_w_leaf(w, "guiaSolicInternacao", g->numero_principal, 20);
  fat_tiss_w_leaf_opt(w, "senha", g->senha, 20);
  fat_tiss_w_leaf_opt(w, "numeroGuiaOperadora", g->numero_operadora, 20);
  w_beneficiario(c, "beneficiario");
  fat_tiss_w_start(w, "localContratado");
  fat_tiss_w_start(w, "codigoContratado");
  if (g->prestador.codigo_na_operadora != NULL && g->prestador.codigo_na_operadora[0] != '\0')
    fat_tiss_w_leaf(w, "codigoNaOperadora", g->prestador.codigo_na_operadora, 14);
  else
    fat_tiss_w_leaf(w, "cnpjLocalExecutante", g->prestador.cnpj, 0);
  fat_tiss_w_end(w);
  fat_tiss_w_leaf(w, "nomeContratado", g->prestador.nome, 70);
  fat_tiss_w_leaf(w, "cnes", cnes_of(&g->prestador), 7);
  fat_tiss_w_end(w);
  fat_tiss_w_start(w, "dadosContratadoExecutante");
  if (g->prestador.codigo_na_operadora == NULL)
    fat_tiss_w_fail(w, FAT_EINVAL, "guia de honorários exige o código do prestador na operadora");
  fat_tiss_w_leaf(w, "codigonaOperadora", g->prestador.codigo_na_operadora, 14);
  fat_tiss_w_leaf(w, "cnesContratadoExecutante", cnes_of(&g->prestador), 7);
  fat_tiss_w_end(w);
  fat_tiss_w_start(w, "dadosInternacao");
  fat_tiss_w_date(w, "dataInicioFaturamento", g->data_inicio);
  fat_tiss_w_date(w, "dataFimFaturamento", or_default(g->data_fim, g->data_inicio));
  fat_tiss_w_end(w);
  fat_tiss_w_start(w, "procedimentosRealizados");
  if (g->n_itens == 0)
    fat_tiss_w_fail(w, FAT_EINVAL, "guia de honorários sem procedimentos");
  for (i = 0; i < g->n_itens; i++) {
    const fat_item *it = &g->itens[i];
    const fat_profissional *p = it->profissional != NULL ? it->profissional : g->executante;

    item_context(c, it);
    if (fat_tiss_despesa_code(it->tipo) != NULL) {
      fat_tiss_w_fail(w, FAT_EINVAL, "guia de honorários só aceita procedimentos (item '%s')",
                      it->tipo);
      break;
    }
    fat_tiss_w_start(w, "procedimentoRealizado");
    w_item_head(c, it);
    fat_tiss_w_start(w, "profissionais");
    fat_tiss_w_leaf(w, "grauParticipacao", or_default(it->grau_participacao, "00"), 0);
    if (need_prof(w, p, "executante") != NULL) {
      w_cod_profissional(w, p);
      fat_tiss_w_leaf(w, "nomeProfissional", p->nome, 70);
      w_conselho(w, "conselhoProfissional", p);
      fat_tiss_w_leaf(w, "numeroConselhoProfissional", p->numero_conselho, 15);
      w_uf(w, p);
      fat_tiss_w_leaf(w, "CBO", p->cbo, 0);
    }
    fat_tiss_w_end(w);
    fat_tiss_w_end(w);
  }
  fat_tiss_w_end(w);
  guia_context(c);
  fat_tiss_w_leaf_opt(w, "observacao", g->observacao, 500);
  fat_tiss_w_money(w, "valorTotalHonorarios", g->valor_total, 10);
  fat_tiss_w_date(w, "dataEmissaoGuia", c->data_emissao);
  fat_tiss_w_end(w);
}

/* CID-10 as st_texto4: "J06.9" -> "J069". */
static void cid_compact(const char *in, char out[5])
{
  size_t o = 0;

  for (; in != NULL && *in != '\0' && o < 4; in++)
    if (*in != '.' && *in != ' ')
      out[o++] = *in;
  out[o] = '\0';
}

static void write_internacao(guia_ctx *c)
{
  fat_tiss_writer *w = c->w;
  const fat_guia *g = c->g;
  char cid[5];
  size_t i;
  int open = 0, ndiag = 0;

  fat_tiss_w_start(w, "guiaResumoInternacao");
  w_cabecalho_guia(c, "cabecalhoGuia", 0);
  if (g->numero_principal == NULL)
    fat_tiss_w_fail(w, FAT_EINVAL, "campo obrigatório numero_principal (guia de solicitação "
                                   "de internação) ausente");
  fat_tiss_w_leaf(w, "numeroGuiaSolicitacaoInternacao", g->numero_principal, 20);
  fat_tiss_w_start(w, "dadosAutorizacao");
  fat_tiss_w_leaf_opt(w, "numeroGuiaOperadora", g->numero_operadora, 20);
  fat_tiss_w_date(w, "dataAutorizacao", g->data_autorizacao);
  fat_tiss_w_leaf(w, "senha", g->senha, 20);
  if (g->validade_senha != NULL)
    fat_tiss_w_date(w, "dataValidadeSenha", g->validade_senha);
  fat_tiss_w_end(w);
  w_beneficiario(c, "dadosBeneficiario");
  fat_tiss_w_start(w, "dadosExecutante");
  fat_tiss_w_start(w, "contratadoExecutante");
  w_contratado(w, &g->prestador);
  fat_tiss_w_end(w);
  fat_tiss_w_leaf(w, "CNES", cnes_of(&g->prestador), 7);
  fat_tiss_w_end(w);
  fat_tiss_w_start(w, "dadosInternacao");
  fat_tiss_w_leaf(w, "caraterAtendimento", or_default(g->carater_atendimento, "1"), 0);
  /* the model keeps no billing kind: one resumo per internação = 4 (total) */
  fat_tiss_w_leaf(w, "tipoFaturamento", "4", 0);
  fat_tiss_w_date(w, "dataInicioFaturamento", g->data_inicio);
  fat_tiss_w_time(w, "horaInicioFaturamento", g->hora_inicio);
  fat_tiss_w_date(w, "dataFinalFaturamento", g->data_fim);
  fat_tiss_w_time(w, "horaFinalFaturamento", g->hora_fim);
  fat_tiss_w_leaf(w, "tipoInternacao", g->tipo_internacao, 0);
  fat_tiss_w_leaf(w, "regimeInternacao", or_default(g->regime_internacao, "1"), 0);
  fat_tiss_w_end(w);
  fat_tiss_w_start(w, "dadosSaidaInternacao");
  if (g->cid != NULL) {
    cid_compact(g->cid, cid);
    fat_tiss_w_leaf_opt(w, "diagnostico", cid, 4);
    ndiag++;
  }
  if (g->cid_secundarios != NULL) {
    const char *p = g->cid_secundarios;

    while (*p != '\0' && ndiag < 4) {
      char one[16];
      size_t l = strcspn(p, ",;");

      snprintf(one, sizeof one, "%.*s", (int)(l < 15 ? l : 15), p);
      cid_compact(one, cid);
      if (cid[0] != '\0') {
        fat_tiss_w_leaf(w, "diagnostico", cid, 4);
        ndiag++;
      }
      p += l;
      if (*p != '\0')
        p++;
    }
  }
  fat_tiss_w_leaf(w, "indicadorAcidente", or_default(g->indicacao_acidente, "9"), 0);
  fat_tiss_w_leaf(w, "motivoEncerramento", g->motivo_encerramento, 0);
  fat_tiss_w_end(w);
  for (i = 0; i < g->n_itens; i++) {
    const fat_item *it = &g->itens[i];

    if (fat_tiss_despesa_code(it->tipo) != NULL)
      continue;
    item_context(c, it);
    if (!open) {
      fat_tiss_w_start(w, "procedimentosExecutados");
      open = 1;
    }
    fat_tiss_w_start(w, "procedimentoExecutado");
    w_item_head(c, it);
    if (it->profissional != NULL) {
      fat_tiss_w_start(w, "identEquipe");
      fat_tiss_w_start(w, "identificacaoEquipe");
      w_equipe(w, it, it->profissional, 1);
      fat_tiss_w_end(w);
      fat_tiss_w_end(w);
    }
    fat_tiss_w_end(w);
  }
  if (open)
    fat_tiss_w_end(w);
  guia_context(c);
  w_valor_total(c, "valorTotal", 1);
  w_outras_despesas(c);
  fat_tiss_w_leaf_opt(w, "observacao", g->observacao, 500);
  fat_tiss_w_end(w);
}

fat_rc fat_tiss_write_lote(const fat_tiss_envio *e, const fat_guia *const *guias, size_t n,
                           fat_tiss_doc *out, fat_err *err)
{
  fat_tiss_writer *w;
  fat_tiss_cabecalho cab;
  guia_ctx c;
  char d[11], h[9];
  size_t i;
  fat_rc rc;

  memset(out, 0, sizeof *out);
  if (n == 0 || n > FAT_TISS_MAX_GUIAS)
    return fat_err_set(err, FAT_EINVAL, "um lote TISS tem de 1 a %d guias (pedido: %zu)",
                       FAT_TISS_MAX_GUIAS, n);
  for (i = 1; i < n; i++) {
    if (guias[i]->tipo != guias[0]->tipo)
      return fat_err_set(err, FAT_EINVAL, "um lote TISS tem guias de um só tipo");
    if (guias[i]->operadora.registro_ans == NULL || guias[0]->operadora.registro_ans == NULL ||
        strcmp(guias[i]->operadora.registro_ans, guias[0]->operadora.registro_ans) != 0)
      return fat_err_set(err, FAT_EINVAL, "um lote TISS tem guias de uma só operadora");
  }
  if ((unsigned)guias[0]->tipo > FAT_GUIA_INTERNACAO)
    return fat_err_set(err, FAT_EINVAL, "tipo de guia desconhecido");
  /* room for a typical lote at once (~5 KB per guia) instead of doubling
  ** from 64 KiB, which copied the document over and over */
  rc = writer_new(e->hash_enc, n * 6 * 1024, &w, err);
  if (rc == FAT_OK && e->xsd_dir != NULL)
    rc = fat_tiss_xsd_events_new(e->xsd_dir, &w->ev, err);
  if (rc != FAT_OK) {
    fat_tiss_writer_free(w);
    return rc;
  }
  now_local(d, h);
  memset(&cab, 0, sizeof cab);
  cab.tipo_transacao = "ENVIO_LOTE_GUIAS";
  cab.sequencial = e->sequencial != NULL ? e->sequencial : e->numero_lote;
  cab.data = e->data != NULL ? e->data : d;
  cab.hora = e->hora != NULL ? e->hora : h;
  cab.codigo_prestador = guias[0]->prestador.codigo_na_operadora;
  cab.cnpj_prestador = guias[0]->prestador.cnpj;
  cab.cpf_prestador = guias[0]->prestador.cpf;
  cab.registro_ans = guias[0]->operadora.registro_ans;
  fat_tiss_w_begin(w, &cab);
  fat_tiss_w_start(w, "loteGuias");
  fat_tiss_w_leaf(w, "numeroLote", e->numero_lote, 12);
  fat_tiss_w_start(w, "guiasTISS");
  memset(&c, 0, sizeof c);
  c.w = w;
  c.e = e;
  snprintf(c.data_emissao, sizeof c.data_emissao, "%s", cab.data);
  for (i = 0; i < n && w->err.rc == FAT_OK; i++) {
    c.g = guias[i];
    guia_context(&c);
    switch (guias[i]->tipo) {
    case FAT_GUIA_CONSULTA: write_consulta(&c); break;
    case FAT_GUIA_SADT: write_sadt(&c); break;
    case FAT_GUIA_HONORARIOS: write_honorarios(&c); break;
    case FAT_GUIA_INTERNACAO: write_internacao(&c); break;
    }
  }
  fat_tiss_w_context(w, NULL);
  fat_tiss_w_end(w); /* guiasTISS */
  fat_tiss_w_end(w); /* loteGuias */
  rc = fat_tiss_w_finish(w, out, err);
  fat_tiss_writer_free(w);
  return rc;
}

/* Open a prestador message of type `tipo` whose body element `corpo` starts
** with dadosPrestador (the contratado of the cabeçalho), already written. */
static fat_rc begin_prestador_msg(const fat_tiss_cabecalho *cab, fat_tiss_enc enc,
                                  const char *tipo, const char *corpo, fat_tiss_writer **out,
                                  fat_err *err)
{
  fat_tiss_cabecalho c = *cab;
  fat_prestador p;
  fat_rc rc = fat_tiss_writer_new(enc, out, err);

  if (rc != FAT_OK)
    return rc;
  c.tipo_transacao = tipo;
  memset(&p, 0, sizeof p);
  p.codigo_na_operadora = (char *)(uintptr_t)cab->codigo_prestador;
  p.cnpj = (char *)(uintptr_t)cab->cnpj_prestador;
  p.cpf = (char *)(uintptr_t)cab->cpf_prestador;
  fat_tiss_w_begin(*out, &c);
  fat_tiss_w_start(*out, corpo);
  fat_tiss_w_start(*out, "dadosPrestador");
  w_contratado(*out, &p);
  fat_tiss_w_end(*out);
  return FAT_OK;
}

fat_rc fat_tiss_write_status_protocolo(const fat_tiss_cabecalho *cab, fat_tiss_enc enc,
                                       const char *protocolo, fat_tiss_doc *out, fat_err *err)
{
  fat_tiss_writer *w;
  fat_rc rc;

  memset(out, 0, sizeof *out);
  rc = begin_prestador_msg(cab, enc, "SOLIC_STATUS_PROTOCOLO", "solicitacaoStatusProtocolo", &w,
                           err);
  if (rc != FAT_OK)
    return rc;
  fat_tiss_w_leaf(w, "numeroProtocolo", protocolo, 12);
  fat_tiss_w_end(w);
  rc = fat_tiss_w_finish(w, out, err);
  fat_tiss_writer_free(w);
  return rc;
}

fat_rc fat_tiss_write_cancela_lote(const fat_tiss_cabecalho *cab, fat_tiss_enc enc,
                                   const char *numero_lote, const char *protocolo,
                                   fat_tiss_doc *out, fat_err *err)
{
  fat_tiss_writer *w;
  fat_rc rc;

  memset(out, 0, sizeof *out);
  rc = begin_prestador_msg(cab, enc, "CANCELA_GUIA", "cancelaGuia", &w, err);
  if (rc != FAT_OK)
    return rc;
  fat_tiss_w_start(w, "tipoCancelamento");
  fat_tiss_w_start(w, "tipoCancelamentoLote");
  fat_tiss_w_leaf(w, "numeroLote", numero_lote, 12);
  fat_tiss_w_leaf_opt(w, "numeroProtocolo", protocolo, 12);
  fat_tiss_w_end(w);
  fat_tiss_w_end(w);
  fat_tiss_w_end(w);
  rc = fat_tiss_w_finish(w, out, err);
  fat_tiss_writer_free(w);
  return rc;
}

fat_rc fat_tiss_write_cancela_guias(const fat_tiss_cabecalho *cab, fat_tiss_enc enc,
                                    const fat_tiss_cancela_guia *guias, size_t n,
                                    fat_tiss_doc *out, fat_err *err)
{
  fat_tiss_writer *w;
  size_t i;
  fat_rc rc;

  memset(out, 0, sizeof *out);
  if (n == 0)
    return fat_err_set(err, FAT_EINVAL, "informe ao menos uma guia para cancelar");
  rc = begin_prestador_msg(cab, enc, "CANCELA_GUIA", "cancelaGuia", &w, err);
  if (rc != FAT_OK)
    return rc;
  fat_tiss_w_start(w, "tipoCancelamento");
  for (i = 0; i < n; i++) {
    fat_tiss_w_context(w, guias[i].numero_prestador);
    fat_tiss_w_start(w, "tipoCancelamentoGuia");
    fat_tiss_w_leaf(w, "tipoGuia", "2", 0);
    fat_tiss_w_leaf(w, "numeroGuiaPrestador", guias[i].numero_prestador, 20);
    fat_tiss_w_leaf_opt(w, "numeroGuiaOperadora", guias[i].numero_operadora, 20);
    fat_tiss_w_leaf_opt(w, "numeroProtocolo", guias[i].protocolo, 12);
    fat_tiss_w_end(w);
  }
  fat_tiss_w_context(w, NULL);
  fat_tiss_w_end(w);
  fat_tiss_w_end(w);
  rc = fat_tiss_w_finish(w, out, err);
  fat_tiss_writer_free(w);
  return rc;
}

void fat_tiss_filename(int64_t numero_lote, const char *hash, char *buf, size_t len)
{
  snprintf(buf, len, "%020" PRId64 "_%s.xml", numero_lote, hash != NULL ? hash : "");
}
