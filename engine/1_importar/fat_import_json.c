/* fat_import_json.c: a JSON file of guias imported as it is read
** (fat_import_int.h).
**
** Reading a 200 MB file whole, then its cJSON tree, then every fat_guia
** before storing the first one took gigabytes. Here a small tokenizer finds
** each element of the guias array ({"guias": [...]} or a top-level array);
** the element alone goes through cJSON and fat_guia_from_json_campo and is
** stored at once in the file's transaction. What stays in memory is one
** element and the key of every guia seen (for "the same guia twice in one
** file"). A first pass over the file checks it is plain UTF-8; any other
** file is left to the whole-file reader. */
#include "fat_import_int.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "fat_mem.h"
#include "fat_store.h"

#define CHUNK FAT_IMPORT_CHUNK

/* {====================================================================
** Plain UTF-8 check (first pass)
** ===================================================================== */

/* Length of a UTF-8 sequence starting with byte c (0 = not a lead byte). */
static size_t lead_len(unsigned c)
{
  if (c < 0x80)
    return 1;
  if (c >= 0xC2 && c <= 0xDF)
    return 2;
  if (c >= 0xE0 && c <= 0xEF)
    return 3;
  if (c >= 0xF0 && c <= 0xF4)
    return 4;
  return 0;
}

/* Is the sequence p[0..n) (n = lead_len) valid (no overlong, surrogate or
** out-of-range forms)? */
static int seq_ok(const unsigned char *p, size_t n)
{
  size_t i;

  for (i = 1; i < n; i++)
    if ((p[i] & 0xC0) != 0x80)
      return 0;
  if (n == 3 && ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] >= 0xA0)))
    return 0;
  if (n == 4 && ((p[0] == 0xF0 && p[1] < 0x90) || (p[0] == 0xF4 && p[1] >= 0x90)))
    return 0;
  return 1;
}

int fat_import_plain_utf8(FILE *f, unsigned char *buf)
{
  unsigned char carry[4];
  size_t nc = 0, n, i, k;
  int ok = 1;

  n = fread(buf, 1, CHUNK, f);
  while (ok && n > 0) {
    i = 0;
    if (nc > 0) { /* finish the sequence cut by the previous chunk */
      k = lead_len(carry[0]);
      while (nc < k && i < n)
        carry[nc++] = buf[i++];
      if (nc < k) {
        n = fread(buf, 1, CHUNK, f);
        continue;
      }
      ok = seq_ok(carry, k);
      nc = 0;
    }
    while (ok && i < n) {
      /* runs of ASCII without NUL, 8 bytes at a time (byte by byte this
      ** pass was ~6% of importar) */
      while (i + 8 <= n) {
        uint64_t w;

        memcpy(&w, buf + i, 8);
        if (((w | ((w - 0x0101010101010101ULL) & ~w)) & 0x8080808080808080ULL) != 0)
          break;
        i += 8;
      }
      if (i >= n)
        break;
      if (buf[i] == 0) {
        ok = 0;
        break;
      }
      k = lead_len(buf[i]);
      if (k == 0) {
        ok = 0;
      } else if (i + k > n) {
        memcpy(carry, buf + i, n - i);
        nc = n - i;
        i = n;
      } else {
        ok = seq_ok(buf + i, k);
        i += k;
      }
    }
    n = ok ? fread(buf, 1, CHUNK, f) : 0;
  }
  if (ferror(f))
    return -1;
  if (nc > 0)
    ok = 0;
  rewind(f);
  return ok;
}

fat_rc fat_import_stream_open(const char *path, unsigned long long max, FILE **f,
                              unsigned char **buf, fat_err *err)
{
  FILE *in = fopen(path, "rb");
  unsigned char *b = NULL;
  struct stat sb;

  *f = NULL;
  *buf = NULL;
  if (in == NULL)
    return FAT_OK;
  if (fstat(fileno(in), &sb) != 0 || !S_ISREG(sb.st_mode) ||
      (max > 0 && (unsigned long long)sb.st_size > max)) {
    fclose(in);
    return FAT_OK;
  }
  b = fat_malloc(CHUNK);
  if (b == NULL) {
    fclose(in);
    return fat_err_oom(err);
  }
  if (fat_import_plain_utf8(in, b) <= 0) {
    fat_free(b);
    fclose(in);
    return FAT_OK;
  }
  *f = in;
  *buf = b;
  return FAT_OK;
}

/* }==================================================================== */

/* {====================================================================
** Keys seen (duplicate guias in one file)
** ===================================================================== */

typedef struct seen {
  char **key;      /* open addressing, NULL = empty */
  size_t *idx;     /* element index of each key */
  size_t cap, n;
} seen;

static size_t key_hash(const char *s)
{
  size_t h = 1469598103934665603u;

  while (*s != '\0')
    h = (h ^ (unsigned char)*s++) * 1099511628211u;
  return h;
}

static void seen_fini(seen *s)
{
  size_t i;

  for (i = 0; i < s->cap; i++)
    fat_free(s->key[i]);
  fat_free(s->key);
  fat_free(s->idx);
  memset(s, 0, sizeof *s);
}

static fat_rc seen_grow(seen *s, fat_err *err)
{
  size_t cap = s->cap == 0 ? 1024 : s->cap * 2, i, j;
  char **nk = fat_calloc(cap, sizeof *nk);
  size_t *ni = fat_calloc(cap, sizeof *ni);

  if (nk == NULL || ni == NULL) {
    fat_free(nk);
    fat_free(ni);
    return fat_err_oom(err);
  }
  for (i = 0; i < s->cap; i++) {
    if (s->key[i] == NULL)
      continue;
    for (j = key_hash(s->key[i]) & (cap - 1); nk[j] != NULL; j = (j + 1) & (cap - 1))
      ;
    nk[j] = s->key[i];
    ni[j] = s->idx[i];
  }
  fat_free(s->key);
  fat_free(s->idx);
  s->key = nk;
  s->idx = ni;
  s->cap = cap;
  return FAT_OK;
}

/* Add key (taken) for element i; *dup = the earlier element with the same
** key, or (size_t)-1. */
static fat_rc seen_add(seen *s, char *key, size_t i, size_t *dup, fat_err *err)
{
  size_t j;
  fat_rc rc;

  *dup = (size_t)-1;
  if ((s->n + 1) * 2 > s->cap) {
    rc = seen_grow(s, err);
    if (rc != FAT_OK) {
      fat_free(key);
      return rc;
    }
  }
  for (j = key_hash(key) & (s->cap - 1); s->key[j] != NULL; j = (j + 1) & (s->cap - 1)) {
    if (strcmp(s->key[j], key) == 0) {
      *dup = s->idx[j];
      fat_free(key);
      return FAT_OK;
    }
  }
  s->key[j] = key;
  s->idx[j] = i;
  s->n++;
  return FAT_OK;
}

/* }==================================================================== */

/* {====================================================================
** The tokenizer: one array element at a time
** ===================================================================== */

enum mode {
  M_START,      /* before the root value */
  M_OBJ_KEY,    /* root object: a key or '}' */
  M_KEY,        /* inside a key string */
  M_COLON,      /* after a key */
  M_OBJ_VALUE,  /* the value of a key */
  M_OBJ_NEXT,   /* after a value: ',' or '}' */
  M_ARR,        /* guias array: an element or ']' */
  M_ARR_NEXT,   /* after an element: ',' or ']' */
  M_VALUE,      /* capturing a value (element or other key's value) */
  M_END         /* after the root value: whitespace only */
};

typedef struct jstream {
  fat_store *st;
  const char *origem;
  fat_import_result *res;
  enum mode mode;
  int root_array;       /* the root is the guias array */
  int in_guias;         /* the array being read is the guias */
  int have_guias;       /* a "guias" array was found */
  int elem_wanted;      /* after ',' in an array: an element must follow */
  int capturing_elem;   /* M_VALUE captures an element (else another key's value) */
  int reconsume;        /* feed() started a value at this byte: read it again */
  int n_keys;           /* keys of the root object begun */
  char key[16];         /* the current root key (truncated; only "guias" matters) */
  size_t key_len;
  int key_long;
  /* the value being captured */
  char *v;
  size_t v_len, v_cap;
  long v_line;
  int depth, in_str, esc;
  size_t n_elem;        /* elements read */
  long line;
  seen keys;
  fat_import_ids ids;   /* operadoras and prestadores resolved in this run */
} jstream;

static fat_rc syntax(const jstream *j, fat_err *err)
{
  return fat_err_set(err, FAT_EINVAL, "JSON inválido perto da linha %ld", j->line);
}

/* Room in the captured value for n more bytes and a NUL: the buffer doubles
** from 4 KiB, up to the import's file limit. */
static fat_rc v_room(jstream *j, size_t n, fat_err *err)
{
  size_t cap = j->v_cap == 0 ? 4096 : j->v_cap;
  char *nv;

  if (j->v_len + n + 1 <= j->v_cap)
    return FAT_OK;
  while (j->v_len + n + 1 > cap)
    cap *= 2;
  if (cap > FAT_IMPORT_MAX_BYTES)
    return fat_err_set(err, FAT_ELIMIT, "guia %zu grande demais no JSON", j->n_elem);
  nv = fat_realloc(j->v, cap);
  if (nv == NULL)
    return fat_err_oom(err);
  j->v = nv;
  j->v_cap = cap;
  return FAT_OK;
}

/* The line of byte off of the value v[0..len). */
static long v_line_at(const jstream *j, const char *v, size_t len, size_t off)
{
  long line = j->v_line;
  size_t i;

  for (i = 0; i < off && i < len; i++)
    if (v[i] == '\n')
      line++;
  return line;
}

/* cJSON turns the escape \u0000 into a NUL that silently cuts the string:
** refuse it, naming the line. */
static fat_rc nul_escape(const jstream *j, const char *v, size_t len, fat_err *err)
{
  const char *p = v, *end = v + len;
  size_t i, k;

  while ((p = memchr(p, '\\', (size_t)(end - p))) != NULL) {
    i = (size_t)(p - v);
    p++;
    if (i + 5 >= len || strncmp(v + i + 1, "u0000", 5) != 0)
      continue;
    for (k = i; k > 0 && v[k - 1] == '\\'; k--)
      ;
    if ((i - k) % 2 == 0)
      return fat_err_set(err, FAT_EINVAL,
                         "linha %ld: caractere nulo (\\u0000) num texto do JSON: não é aceito "
                         "(cortaria o texto sem aviso)",
                         v_line_at(j, v, len, i));
  }
  return FAT_OK;
}

/* Parse the value v[0..len) (read in place from the input, or the copy of
** one the input's reads cut); NULL with err set when it is not JSON. */
static cJSON *v_parse(jstream *j, const char *v, size_t len, fat_err *err)
{
  const char *end = NULL;
  cJSON *el;

  if (nul_escape(j, v, len, err) != FAT_OK)
    return NULL;
  el = cJSON_ParseWithLengthOpts(v, len, &end, 0);
  if (el == NULL) {
    if (end == NULL || end < v || end > v + len)
      fat_err_set(err, FAT_EINVAL, "JSON inválido (ou memória insuficiente)");
    else
      fat_err_set(err, FAT_EINVAL, "JSON inválido perto da linha %ld",
                  v_line_at(j, v, len, (size_t)(end - v)));
  }
  return el;
}

/* "guias[i]" in label (cap >= 32), without printf (once per guia). */
static void guia_label(char *label, size_t cap, size_t i)
{
  char num[24];
  size_t k = sizeof num - 1, n;

  num[k] = '\0';
  do
    num[--k] = (char)('0' + i % 10);
  while ((i /= 10) > 0);
  n = sizeof num - 1 - k;
  if (cap < n + 8)
    n = 0;
  memcpy(label, "guias[", 6);
  memcpy(label + 6, num + k, n);
  memcpy(label + 6 + n, "]", 2);
}

/* The key of g for "the same guia twice in one file" (allocated; NULL on
** OOM): registro ANS, CNPJ, CPF and número, each followed by 0x1f but the
** last. */
static char *guia_key(const fat_guia *g)
{
  const char *part[4];
  size_t len[4], n = 0, k;
  char *key, *o;

  part[0] = g->operadora.registro_ans;
  part[1] = g->prestador.cnpj;
  part[2] = g->prestador.cpf;
  part[3] = g->numero_prestador;
  for (k = 0; k < 4; k++) {
    len[k] = part[k] != NULL ? strlen(part[k]) : 0;
    n += len[k] + 1;
  }
  key = fat_malloc(n);
  if (key == NULL)
    return NULL;
  for (o = key, k = 0; k < 4; k++) {
    memcpy(o, part[k] != NULL ? part[k] : "", len[k]);
    o += len[k];
    *o++ = k < 3 ? '\x1f' : '\0';
  }
  return key;
}

/* Release an element's tree: the whole arena it was parsed in (arena: the
** window fat_mem_cjson_arena_begin opened), else node by node. */
static void tree_free(cJSON *el, int arena)
{
  if (arena)
    fat_mem_cjson_arena_end();
  else
    cJSON_Delete(el);
}

/* One element of the guias array, parsed (el, in the arena when arena):
** read it into a guia, check its key, store. Ends the arena (or frees el). */
static fat_rc element_tree(jstream *j, cJSON *el, int arena, fat_err *err)
{
  fat_guia *g = NULL;
  char campo[128], label[40], *key;
  size_t i = j->n_elem++, dup = (size_t)-1;
  fat_rc rc;

  guia_label(label, sizeof label, i);
  rc = fat_guia_from_json_campo(el, &g, campo, sizeof campo, err);
  tree_free(el, arena);
  if (rc != FAT_OK) {
    if (campo[0] != '\0')
      return fat_err_prefix(err, "%s, campo %s: ", label, campo);
    return fat_err_prefix(err, "%s: ", label);
  }
  key = guia_key(g);
  rc = key != NULL ? seen_add(&j->keys, key, i, &dup, err) : fat_err_oom(err);
  if (rc == FAT_OK && dup != (size_t)-1)
    rc = fat_err_set(err, FAT_EINVAL,
                     "%s, campo numero_prestador: a guia %s da operadora %s aparece de novo "
                     "no mesmo arquivo (guias[%zu])",
                     label, g->numero_prestador, g->operadora.registro_ans, dup);
  if (rc == FAT_OK)
    rc = fat_import_store_one(j->st, g, label, j->origem, &j->ids, j->res, err);
  fat_guia_free(g);
  return rc;
}

/* One element of the guias array, captured in v[0..len): parse and store. */
static fat_rc element(jstream *j, const char *v, size_t len, fat_err *err)
{
  /* the element's tree lives only until it is read into g: in an arena
  ** released at once (fat_mem.h), not freed node by node */
  int arena = fat_mem_cjson_arena_begin();
  cJSON *el = v_parse(j, v, len, err);

  if (el == NULL) {
    j->n_elem++;
    tree_free(NULL, arena);
    return err != NULL ? err->rc : FAT_EINVAL;
  }
  return element_tree(j, el, arena, err);
}

/* Another key's value of the root object, captured: it must be JSON, and
** "guias" must be an array (handled before capturing). */
static fat_rc other_value(jstream *j, const char *v, size_t len, fat_err *err)
{
  cJSON *x = v_parse(j, v, len, err);

  if (x == NULL)
    return err != NULL ? err->rc : FAT_EINVAL;
  cJSON_Delete(x);
  return FAT_OK;
}

static int ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* Start capturing a value (an element of the guias when elem) at the byte
** being fed, which feed_bytes then reads again as the value's first. */
static void capture_start(jstream *j, int elem)
{
  j->mode = M_VALUE;
  j->capturing_elem = elem;
  j->v_len = 0;
  j->v_line = j->line;
  j->depth = 0;
  j->in_str = 0;
  j->esc = 0;
}

/* The end of the guias array (or of another array-valued capture). */
static void array_end(jstream *j)
{
  j->in_guias = 0;
  j->mode = j->root_array ? M_END : M_OBJ_NEXT;
}

/* Feed one byte. */
static fat_rc feed(jstream *j, char c, fat_err *err)
{
  switch (j->mode) {
  case M_START:
    if (ws(c))
      return FAT_OK;
    if (c == '[') {
      j->root_array = 1;
      j->in_guias = 1;
      j->have_guias = 1;
      j->mode = M_ARR;
      return FAT_OK;
    }
    if (c == '{') {
      j->mode = M_OBJ_KEY;
      return FAT_OK;
    }
    return syntax(j, err);
  case M_OBJ_KEY:
    if (ws(c))
      return FAT_OK;
    if (c == '"') {
      j->key_len = 0;
      j->key_long = 0;
      j->esc = 0;
      j->n_keys++;
      j->mode = M_KEY;
      return FAT_OK;
    }
    if (c == '}' && j->n_keys == 0) {
      j->mode = M_END; /* {} */
      return FAT_OK;
    }
    return syntax(j, err);
  case M_KEY:
    if (j->esc) {
      j->esc = 0;
      j->key_long = 1; /* an escaped key is never "guias" as written */
    } else if (c == '\\') {
      j->esc = 1;
    } else if (c == '"') {
      j->key[j->key_len] = '\0';
      j->mode = M_COLON;
      return FAT_OK;
    }
    if (j->key_len + 1 < sizeof j->key)
      j->key[j->key_len++] = c;
    else
      j->key_long = 1;
    return FAT_OK;
  case M_COLON:
    if (ws(c))
      return FAT_OK;
    if (c != ':')
      return syntax(j, err);
    j->mode = M_OBJ_VALUE;
    return FAT_OK;
  case M_OBJ_VALUE:
    if (ws(c))
      return FAT_OK;
    if (!j->key_long && strcmp(j->key, "guias") == 0 && !j->have_guias) {
      if (c != '[')
        return fat_err_set(err, FAT_EINVAL,
                           "JSON sem lista de guias (esperado {\"guias\": [...]} ou [...])");
      j->in_guias = 1;
      j->have_guias = 1;
      j->elem_wanted = 0;
      j->mode = M_ARR;
      return FAT_OK;
    }
    capture_start(j, 0);
    j->reconsume = 1; /* c is the value's first byte */
    return FAT_OK;
  case M_OBJ_NEXT:
    if (ws(c))
      return FAT_OK;
    if (c == ',') {
      j->mode = M_OBJ_KEY;
      return FAT_OK;
    }
    if (c == '}') {
      j->mode = M_END;
      return FAT_OK;
    }
    return syntax(j, err);
  case M_ARR:
    if (ws(c))
      return FAT_OK;
    if (c == ']' && !j->elem_wanted) {
      array_end(j);
      return FAT_OK;
    }
    if (c == ']' || c == ',')
      return syntax(j, err);
    capture_start(j, 1);
    j->reconsume = 1;
    return FAT_OK;
  case M_ARR_NEXT:
    if (ws(c))
      return FAT_OK;
    if (c == ',') {
      j->elem_wanted = 1;
      j->mode = M_ARR;
      return FAT_OK;
    }
    if (c == ']') {
      array_end(j);
      return FAT_OK;
    }
    return syntax(j, err);
  case M_VALUE: /* read by scan_value (feed_bytes), never byte by byte */
    return syntax(j, err);
  case M_END:
    if (ws(c))
      return FAT_OK;
    return syntax(j, err);
  }
  return syntax(j, err);
}

/* }==================================================================== */

/* Bytes that mean something to the capture (M_VALUE) inside a string and
** outside one: anything else is only passed over. */
/* (a table: one load per byte of the runs passed over) */
static const unsigned char stop_tab[256] = {
  ['"'] = 3, ['\\'] = 1, ['\n'] = 3, ['{'] = 2, ['}'] = 2, ['['] = 2, [']'] = 2, [','] = 2,
};

static int stops_in_str(unsigned char c) { return stop_tab[c] & 1; }

static int stops_outside(unsigned char c) { return stop_tab[c] & 2; }

/* Append b[0..n) to the captured value. */
static fat_rc v_append(jstream *j, const unsigned char *b, size_t n, fat_err *err)
{
  fat_rc rc = v_room(j, n, err);

  if (rc != FAT_OK)
    return rc;
  memcpy(j->v + j->v_len, b, n);
  j->v_len += n;
  return FAT_OK;
}

/* Pass over the captured value's bytes from b[*pi] (strings, nesting,
** lines): 1 when the value ends at b[*pi] (a ',' or the closing bracket of
** what holds it, at depth 0: not part of the value), 0 when b ran out
** first (*pi = n), -1 on a closing bracket that opens nothing. */
static int scan_value(jstream *j, const unsigned char *b, size_t n, size_t *pi)
{
  size_t i = *pi;
  unsigned char c;

  while (i < n) {
    if (j->in_str) {
      if (j->esc) {
        j->esc = 0;
      } else {
        while (i < n && !stops_in_str(b[i]))
          i++;
        if (i >= n)
          break;
        c = b[i];
        if (c == '\\')
          j->esc = 1;
        else if (c == '"')
          j->in_str = 0;
      }
    } else {
      while (i < n && !stops_outside(b[i]))
        i++;
      if (i >= n)
        break;
      c = b[i];
      if (j->depth == 0 && (c == ',' || (j->capturing_elem ? c == ']' : c == '}'))) {
        *pi = i;
        return 1;
      }
      if (c == '"') {
        j->in_str = 1;
      } else if (c == '{' || c == '[') {
        j->depth++;
      } else if (c == '}' || c == ']') {
        if (j->depth == 0) {
          *pi = i;
          return -1;
        }
        j->depth--;
      }
    }
    if (b[i] == '\n')
      j->line++;
    i++;
  }
  *pi = n;
  return 0;
}

/* The captured value v[0..len) ended: handle it. */
static fat_rc value_end(jstream *j, const char *v, size_t len, fat_err *err)
{
  fat_rc rc;

  if (j->capturing_elem) {
    rc = element(j, v, len, err);
    j->elem_wanted = 0;
    j->mode = M_ARR_NEXT;
  } else {
    rc = other_value(j, v, len, err);
    j->mode = M_OBJ_NEXT;
  }
  j->v_len = 0;
  return rc;
}

/* A value read in place up to this size; a bigger one is copied first, so
** that its size is checked as when it is cut by the input's reads. */
#define IN_PLACE_MAX (1024 * 1024)

/* An element of the guias array starting at b[*pi], parsed by cJSON where
** it lies, without scan_value's pass over its bytes first (that pass was
** ~5% of importar). Only when cJSON reads a whole value there and the next
** byte after it but whitespace, still in b, is ',' or ']': then scan_value
** would have ended the capture at that very byte (a value that parses has
** its strings and brackets where scan_value finds them), and the element is
** stored as value_end would store it. Returns 1 with *pi at that byte and
** *rc the element's result; 0 when it does not apply (cut by the end of b,
** not JSON, followed by something else): nothing was done, and the caller
** captures it as before, which also names any error as before. */
static int elem_direct(jstream *j, const unsigned char *b, size_t n, size_t *pi, fat_rc *rc,
                       fat_err *err)
{
  const char *v = (const char *)b + *pi, *end = NULL, *p;
  int arena = fat_mem_cjson_arena_begin();
  cJSON *el = cJSON_ParseWithLengthOpts(v, n - *pi, &end, 0);
  size_t e;

  if (el != NULL && end != NULL && end > v && end <= (const char *)b + n) {
    for (e = (size_t)(end - (const char *)b); e < n && ws((char)b[e]); e++)
      ;
    if (e < n && (b[e] == ',' || b[e] == ']') && e - *pi <= IN_PLACE_MAX) {
      j->v_line = j->line;
      for (p = v; (p = memchr(p, '\n', (size_t)((const char *)b + e - p))) != NULL; p++)
        j->line++;
      *rc = nul_escape(j, v, e - *pi, err);
      if (*rc == FAT_OK) {
        *rc = element_tree(j, el, arena, err);
      } else {
        j->n_elem++;
        tree_free(el, arena);
      }
      j->elem_wanted = 0;
      j->mode = M_ARR_NEXT;
      j->v_len = 0;
      *pi = e;
      return 1;
    }
  }
  tree_free(el, arena);
  return 0;
}

/* Feed bytes to the tokenizer, counting lines. An element of the guias is
** parsed where it lies in b (elem_direct); any other captured value, or an
** element elem_direct leaves, is passed over by scan_value and parsed where
** it lies in b; only a value that b cuts is copied (the part in b, then the
** rest as the next bytes come). */
static fat_rc feed_bytes(jstream *j, const unsigned char *b, size_t n, fat_err *err)
{
  size_t i = 0, start;
  fat_rc rc = FAT_OK;
  int r;

  while (i < n && rc == FAT_OK) {
    if (j->mode == M_VALUE) {
      if (j->capturing_elem && j->v_len == 0 && j->depth == 0 && !j->in_str &&
          elem_direct(j, b, n, &i, &rc, err))
        continue; /* b[i] ends the element: read by feed */
      start = i;
      r = scan_value(j, b, n, &i);
      if (r < 0)
        return syntax(j, err);
      if (r == 0 || j->v_len > 0 || i - start > IN_PLACE_MAX) {
        rc = v_append(j, b + start, i - start, err);
        if (rc == FAT_OK && r == 1)
          rc = value_end(j, j->v, j->v_len, err);
      } else {
        rc = value_end(j, (const char *)b + start, i - start, err);
      }
      continue; /* b[i], if any, ends the value: read by feed */
    }
    rc = feed(j, (char)b[i], err);
    if (j->reconsume) {
      j->reconsume = 0;
      continue;
    }
    if (b[i] == '\n')
      j->line++;
    i++;
  }
  return rc;
}

/* Read the whole input (from f when not NULL, else text[0..len)) and store
** every guia, in one transaction: committed when everything was stored. */
static fat_rc import_all(jstream *j, FILE *f, unsigned char *buf, const char *text, size_t len,
                         const char *origem, fat_err *err)
{
  char detail[256];
  size_t n;
  fat_rc rc = fat_store_begin_bulk(j->st, err);

  if (rc != FAT_OK)
    return rc;
  j->ids.bulk = 1; /* finished below, before the commit */
  j->line = 1;
  if (f != NULL) {
    n = fread(buf, 1, CHUNK, f);
    if (n >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF)
      rc = feed_bytes(j, buf + 3, n - 3, err); /* BOM */
    else
      rc = feed_bytes(j, buf, n, err);
    while (rc == FAT_OK && n > 0) {
      n = fread(buf, 1, CHUNK, f);
      rc = feed_bytes(j, buf, n, err);
    }
    if (rc == FAT_OK && ferror(f))
      rc = fat_err_set(err, FAT_EIO, "erro ao ler o arquivo: %s", strerror(errno));
  } else {
    rc = feed_bytes(j, (const unsigned char *)text, len, err);
  }
  if (rc == FAT_OK && j->mode != M_END)
    rc = syntax(j, err);
  if (rc == FAT_OK && !j->have_guias)
    rc = fat_err_set(err, FAT_EINVAL,
                     "JSON sem lista de guias (esperado {\"guias\": [...]} ou [...])");
  if (rc == FAT_OK && j->n_elem == 0)
    rc = fat_err_set(err, FAT_EINVAL, "o arquivo não contém nenhuma guia");
  if (rc == FAT_OK)
    rc = fat_import_ids_finish(&j->ids, j->st, err);
  if (rc == FAT_OK) {
    snprintf(detail, sizeof detail, "%s: %ld novas, %ld atualizadas, %ld itens",
             origem != NULL ? origem : "(memória)", j->res->novas, j->res->atualizadas,
             j->res->itens);
    rc = fat_store_audit(j->st, "guia.importar", NULL, detail, err);
  }
  if (rc == FAT_OK)
    return fat_store_commit(j->st, err);
  fat_store_rollback(j->st);
  return rc;
}

fat_rc fat_import_json_text(fat_store *st, const char *text, size_t len, const char *origem,
                            fat_import_result *res, fat_err *err)
{
  jstream j;
  fat_rc rc;

  memset(&j, 0, sizeof j);
  j.st = st;
  j.origem = origem;
  j.res = res;
  rc = import_all(&j, NULL, NULL, text, len, origem, err);
  seen_fini(&j.keys);
  fat_import_ids_fini(&j.ids);
  fat_free(j.v);
  return rc;
}

fat_rc fat_import_json_stream(fat_store *st, const char *path, fat_import_result *res,
                              int *handled, fat_err *err)
{
  FILE *f;
  unsigned char *buf;
  jstream j;
  fat_rc rc;

  memset(res, 0, sizeof *res);
  memset(&j, 0, sizeof j);
  *handled = 0;
  rc = fat_import_stream_open(path, FAT_IMPORT_MAX_BYTES, &f, &buf, err);
  if (rc != FAT_OK) {
    *handled = 1;
    fat_err_prefix(err, "%s: ", path);
    return rc;
  }
  if (f == NULL)
    return FAT_OK;
  *handled = 1;
  j.st = st;
  j.origem = path;
  j.res = res;
  rc = import_all(&j, f, buf, NULL, 0, path, err);
  if (rc != FAT_OK) {
    memset(res, 0, sizeof *res);
    fat_err_prefix(err, "%s: ", path);
  }
  seen_fini(&j.keys);
  fat_import_ids_fini(&j.ids);
  fat_free(j.v);
  fat_free(buf);
  fclose(f);
  return rc;
}
