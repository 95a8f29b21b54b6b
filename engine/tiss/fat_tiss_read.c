/* fat_tiss_read.c: safe reader of TISS return messages and lotes (Part F). */
#define _GNU_SOURCE /* memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "fat_mem.h"
#include "fat_money.h"
#include "fat_tiss_erro.h"
#include "fat_tiss_hash.h"
#include "fat_tiss_read.h"
#include "fat_rotulo.h"
#include "fat_sha256.h"

#define ABSENT INT64_MIN

/* Reading state: the first error wins and stops the walk. */
typedef struct rd {
  fat_err *err;
  int failed;
  const char *name;
} rd;

/*
** {======================================================
** Byte-level checks done before libxml2 sees the file
** =======================================================
*/

static int line_at(const char *buf, size_t pos)
{
  int line = 1;
  size_t i;

  for (i = 0; i < pos; i++)
    if (buf[i] == '\n')
      line++;
  return line;
}

/* Length of the valid UTF-8 sequence at p (1..4), 0 when invalid. */
static size_t utf8_seq(const unsigned char *p, size_t left)
{
  size_t n, i;
  unsigned cp;

  if (p[0] < 0x80)
    return 1;
  if (p[0] >= 0xC2 && p[0] <= 0xDF) {
    n = 2;
    cp = p[0] & 0x1Fu;
  } else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
    n = 3;
    cp = p[0] & 0x0Fu;
  } else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
    n = 4;
    cp = p[0] & 0x07u;
  } else {
    return 0;
  }
  if (left < n)
    return 0;
  for (i = 1; i < n; i++) {
    if ((p[i] & 0xC0) != 0x80)
      return 0;
    cp = (cp << 6) | (p[i] & 0x3Fu);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return n;
}

/* Copy the declared encoding of the XML declaration into enc ("" when the
** declaration has none). Returns 0, or -1 when the declaration is garbled. */
static int declared_encoding(const char *buf, size_t len, char *enc, size_t enclen)
{
  const char *end, *p, *q;
  size_t n;
  char quote;

  enc[0] = '\0';
  if (len < 5 || memcmp(buf, "<?xml", 5) != 0)
    return 0;
  end = memchr(buf, '>', len < 512 ? len : 512);
  if (end == NULL)
    return -1;
  for (p = buf; p + 8 < end; p++)
    if (memcmp(p, "encoding", 8) == 0)
      break;
  if (p + 8 >= end)
    return 0;
  p += 8;
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
    p++;
  if (p >= end || *p != '=')
    return -1;
  p++;
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
    p++;
  if (p >= end || (*p != '"' && *p != '\''))
    return -1;
  quote = *p++;
  q = memchr(p, quote, (size_t)(end - p));
  if (q == NULL)
    return -1;
  n = (size_t)(q - p);
  if (n == 0 || n >= enclen)
    return -1;
  memcpy(enc, p, n);
  enc[n] = '\0';
  return 0;
}

static int enc_is(const char *enc, const char *const *names)
{
  size_t i;

  for (i = 0; names[i] != NULL; i++)
    if (strcasecmp(enc, names[i]) == 0)
      return 1;
  return 0;
}

static const char *const enc_utf8[] = {"UTF-8", "UTF8", NULL};
static const char *const enc_latin1[] = {"ISO-8859-1", "ISO8859-1", "ISO_8859-1", "LATIN1",
                                         "LATIN-1", "L1", NULL};
static const char *const enc_other_ok[] = {"WINDOWS-1252", "CP1252", "US-ASCII", "ASCII", NULL};

#define ASCII_ONES UINT64_C(0x0101010101010101)
#define ASCII_HIGH UINT64_C(0x8080808080808080)

/* Refuse DOCTYPE/ENTITY declarations and contradictions between the declared
** encoding and the bytes. Sets *is_utf8 when the text is UTF-8. */
static fat_rc precheck(const char *buf, size_t len, const char *name, char *enc, size_t enclen,
                       fat_err *err)
{
  const unsigned char *u = (const unsigned char *)buf;
  size_t i, n, n_multi = 0, first_bad = (size_t)-1;
  const char *p;
  size_t start = 0;

  if (len >= 2 && ((u[0] == 0xFE && u[1] == 0xFF) || (u[0] == 0xFF && u[1] == 0xFE)))
    return fat_err_set(err, FAT_EXML,
                       "%s: arquivo em UTF-16; o TISS usa ISO-8859-1 (ou UTF-8)", name);
  if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
    start = 3;
  if (declared_encoding(buf + start, len - start, enc, enclen) != 0)
    return fat_err_set(err, FAT_EXML, "%s: linha 1: declaração XML malformada", name);
  if (enc[0] == '\0')
    snprintf(enc, enclen, "%s", "UTF-8");
  /* DOCTYPE and ENTITY declarations: never needed by TISS, the vehicle of
  ** XXE and "billion laughs". Refuse wherever they appear. */
  for (p = buf; p != NULL && (size_t)(p - buf) + 9 <= len; p++) {
    p = memmem(p, len - (size_t)(p - buf), "<!", 2);
    if (p == NULL || (size_t)(p - buf) + 9 > len)
      break;
    if (memcmp(p, "<!DOCTYPE", 9) == 0 || memcmp(p, "<!ENTITY", 8) == 0)
      return fat_err_set(err, FAT_EXML,
                         "%s: linha %d: declaração %s recusada (DTD e entidades não são "
                         "aceitos em mensagens TISS)",
                         name, line_at(buf, (size_t)(p - buf)),
                         p[2] == 'D' ? "DOCTYPE" : "ENTITY");
  }
  for (i = start; i < len;) {
    /* eight ASCII bytes at a time, none of them NUL (the usual case) */
    if (len - i >= 8) {
      uint64_t w;

      memcpy(&w, u + i, 8);
      if (((w | ((w - ASCII_ONES) & ~w)) & ASCII_HIGH) == 0) {
        i += 8;
        continue;
      }
    }
    if (u[i] < 0x80) {
      if (u[i] == 0 && first_bad == (size_t)-1)
        first_bad = i;
      i++;
      continue;
    }
    n = utf8_seq(u + i, len - i);
    if (n == 0) {
      if (first_bad == (size_t)-1)
        first_bad = i;
      i++;
    } else {
      n_multi++;
      i += n;
    }
  }
  if (first_bad != (size_t)-1 && u[first_bad] == 0)
    return fat_err_set(err, FAT_EXML, "%s: linha %d: byte nulo no arquivo (arquivo binário?)",
                       name, line_at(buf, first_bad));
  if (enc_is(enc, enc_utf8)) {
    if (first_bad != (size_t)-1)
      return fat_err_set(err, FAT_EXML,
                         "%s: linha %d: o arquivo declara UTF-8 mas tem bytes que não são "
                         "UTF-8 (0x%02X); provavelmente está em ISO-8859-1: corrija a "
                         "declaração encoding ou a codificação do arquivo",
                         name, line_at(buf, first_bad), u[first_bad]);
    return FAT_OK;
  }
  if (enc_is(enc, enc_latin1)) {
    if (first_bad == (size_t)-1 && n_multi > 0)
      return fat_err_set(err, FAT_EXML,
                         "%s: o arquivo declara %s mas o texto está em UTF-8 (%zu caracteres "
                         "acentuados codificados em UTF-8): corrija a declaração encoding ou a "
                         "codificação do arquivo",
                         name, enc, n_multi);
    return FAT_OK;
  }
  if (enc_is(enc, enc_other_ok))
    return FAT_OK;
  return fat_err_set(err, FAT_EXML,
                     "%s: codificação '%s' não aceita (use ISO-8859-1 ou UTF-8)", name, enc);
}

/* }====================================================== */

/*
** {======================================================
** Tree helpers (elements matched by local name)
** =======================================================
*/

static int is_el(const xmlNode *n, const char *local)
{
  return n != NULL && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, local) == 0;
}

static xmlNode *first_el(xmlNode *n)
{
  for (; n != NULL; n = n->next)
    if (n->type == XML_ELEMENT_NODE)
      return n;
  return NULL;
}

static xmlNode *next_el(xmlNode *n) { return n == NULL ? NULL : first_el(n->next); }

static xmlNode *child(xmlNode *n, const char *local)
{
  xmlNode *c;

  if (n == NULL)
    return NULL;
  for (c = n->children; c != NULL; c = c->next)
    if (is_el(c, local))
      return c;
  return NULL;
}

/* First descendant (depth-first, n excluded) with that local name. */
static xmlNode *find(xmlNode *n, const char *local)
{
  xmlNode *c, *r;

  if (n == NULL)
    return NULL;
  for (c = n->children; c != NULL; c = c->next) {
    if (c->type != XML_ELEMENT_NODE)
      continue;
    if (is_el(c, local))
      return c;
    r = find(c, local);
    if (r != NULL)
      return r;
  }
  return NULL;
}

static int line_of(const xmlNode *n) { return n == NULL ? 0 : (int)xmlGetLineNo(n); }

static void rd_fail(rd *r, fat_rc rc, const xmlNode *n, const char *what)
{
  if (r->failed)
    return;
  r->failed = 1;
  if (n != NULL)
    fat_err_set(r->err, rc, "%s: linha %d, elemento %s: %s", r->name, line_of(n),
                (const char *)n->name, what);
  else
    fat_err_set(r->err, rc, "%s: %s", r->name, what);
}

static void rd_oom(rd *r)
{
  if (!r->failed) {
    r->failed = 1;
    fat_err_oom(r->err);
    fat_err_prefix(r->err, "%s: ", r->name);
  }
}

/* The trimmed text of element n as [*s, *e): the content of its text node
** itself when it has just one (the usual case), else the concatenation
** libxml2 builds (all descendant text), which the caller frees (*own).
** Returns -1 when out of memory. */
static int text_span(const xmlNode *n, const char **s, const char **e, xmlChar **own)
{
  const xmlNode *c = n->children;
  const char *p;

  *own = NULL;
  if (c == NULL) {
    p = "";
  } else if (c->next == NULL && c->type == XML_TEXT_NODE) {
    p = c->content != NULL ? (const char *)c->content : "";
  } else {
    *own = xmlNodeGetContent(n);
    if (*own == NULL)
      return -1;
    p = (const char *)*own;
  }
  while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
    p++;
  *s = p;
  p += strlen(p);
  while (p > *s && (p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\r' || p[-1] == '\n'))
    p--;
  *e = p;
  return 0;
}

/* Trimmed text of element n as a new string; NULL when n is NULL or the text
** is empty. */
static char *text(rd *r, xmlNode *n)
{
  xmlChar *own;
  const char *s, *e;
  char *out;

  if (n == NULL || r->failed)
    return NULL;
  if (text_span(n, &s, &e, &own) != 0) {
    rd_oom(r);
    return NULL;
  }
  out = e > s ? fat_strndup(s, (size_t)(e - s)) : NULL;
  if (e > s && out == NULL)
    rd_oom(r);
  xmlFree(own);
  return out;
}

static char *ctext(rd *r, xmlNode *parent, const char *local)
{
  return text(r, child(parent, local));
}

int fat_tiss_decimal_cents(const char *s, int64_t *out)
{
  return fat_money_scan(s, 2, FAT_MONEY_TISS | FAT_MONEY_SIGNED, out) == NULL ? 0 : -1;
}

int fat_tiss_decimal_e4(const char *s, int64_t *out)
{
  return fat_money_scan(s, 4, FAT_MONEY_TISS, out) == NULL ? 0 : -1;
}

/* Money child `local` of parent: ABSENT when missing; an error names the
** line and element when present but not a TISS decimal. */
static int64_t el_money(rd *r, xmlNode *n)
{
  char *t;
  int64_t v = ABSENT;
  char msg[160];

  if (n == NULL || r->failed)
    return ABSENT;
  t = text(r, n);
  if (t == NULL) {
    if (!r->failed)
      rd_fail(r, FAT_EXML, n, "valor vazio");
    return ABSENT;
  }
  if (fat_tiss_decimal_cents(t, &v) != 0) {
    snprintf(msg, sizeof msg, "'%.60s' não é um valor decimal válido", t);
    rd_fail(r, FAT_EXML, n, msg);
    v = ABSENT;
  }
  fat_free(t);
  return v;
}

static int64_t cmoney(rd *r, xmlNode *parent, const char *local)
{
  return el_money(r, child(parent, local));
}

static int64_t cqty(rd *r, xmlNode *parent, const char *local)
{
  xmlNode *n = child(parent, local);
  char *t;
  int64_t v = ABSENT;

  if (n == NULL || r->failed)
    return ABSENT;
  t = text(r, n);
  if (t == NULL || fat_tiss_decimal_e4(t, &v) != 0) {
    rd_fail(r, FAT_EXML, n, "quantidade inválida");
    v = ABSENT;
  }
  fat_free(t);
  return v;
}

static int cint(rd *r, xmlNode *parent, const char *local)
{
  xmlNode *n = child(parent, local);
  char *t, *end;
  long v;

  if (n == NULL || r->failed)
    return 0;
  t = text(r, n);
  if (t == NULL)
    return 0;
  v = strtol(t, &end, 10);
  if (*end != '\0' || v < 0 || v > 99999) {
    rd_fail(r, FAT_EXML, n, "número inteiro inválido");
    v = 0;
  }
  fat_free(t);
  return (int)v;
}

/* Grow an array of elements of size sz by one zeroed slot. */
static void *grow(rd *r, void *arr, size_t *n, size_t sz)
{
  char *p;

  if (r->failed)
    return NULL;
  p = fat_realloc(arr, (*n + 1) * sz);
  if (p == NULL) {
    rd_oom(r);
    return NULL;
  }
  memset(p + *n * sz, 0, sz);
  (*n)++;
  return p;
}

#define PUSH(r, arr, n) \
  ((arr) = grow((r), (arr), &(n), sizeof *(arr)), (arr) == NULL ? NULL : &(arr)[(n) - 1])

/* Append a glosa read from a ct_motivoGlosa-like node (codigoGlosa +
** descricaoGlosa) or from relacaoGlosa (valorGlosa + tipoGlosa). */
static void add_glosa(rd *r, fat_ret_glosa **arr, size_t *n, xmlNode *node, const char *code_el,
                      int64_t valor)
{
  fat_ret_glosa *g;
  fat_ret_glosa *a = *arr;

  if (r->failed)
    return;
  a = grow(r, a, n, sizeof *a);
  if (a == NULL)
    return;
  *arr = a;
  g = &a[*n - 1];
  g->valor = valor;
  g->linha = line_of(node);
  g->codigo = ctext(r, node, code_el);
  g->descricao = ctext(r, node, "descricaoGlosa");
  if (g->codigo == NULL)
    rd_fail(r, FAT_EXML, node, "glosa sem código (tabela TUSS 38)");
}

static void add_motivos(rd *r, fat_ret_glosa **arr, size_t *n, xmlNode *parent,
                        const char *local)
{
  xmlNode *c;

  if (parent == NULL)
    return;
  for (c = first_el(parent->children); c != NULL && !r->failed; c = next_el(c))
    if (is_el(c, local))
      add_glosa(r, arr, n, c, "codigoGlosa", ABSENT);
}

static void init_vals(int64_t *a, int64_t *b, int64_t *c, int64_t *d)
{
  *a = *b = *c = *d = ABSENT;
}

/* }====================================================== */

/*
** {======================================================
** Messages
** =======================================================
*/

/* An item node: detalhesGuia, procedimentoExecutado/Realizado, servicosExecutados. */
static void read_item(rd *r, fat_ret_guia *g, xmlNode *n)
{
  fat_ret_item *it;
  xmlNode *proc, *c;

  it = PUSH(r, g->itens, g->n_itens);
  if (it == NULL)
    return;
  it->linha = line_of(n);
  it->informado = it->processado = it->liberado = it->qtd_e4 = ABSENT;
  it->sequencial = cint(r, n, "sequencialItem");
  it->data = ctext(r, n, "dataRealizacao");
  if (it->data == NULL)
    it->data = ctext(r, n, "dataExecucao");
  proc = child(n, "procedimento");
  if (proc == NULL)
    proc = n; /* servicosExecutados carries the code directly */
  it->tabela = ctext(r, proc, "codigoTabela");
  it->codigo = ctext(r, proc, "codigoProcedimento");
  it->descricao = ctext(r, proc, "descricaoProcedimento");
  it->grau = ctext(r, n, "grauParticipacao");
  it->qtd_e4 = cqty(r, n, child(n, "qtdExecutada") != NULL ? "qtdExecutada"
                                                          : "quantidadeExecutada");
  it->informado = cmoney(r, n, child(n, "valorInformado") != NULL ? "valorInformado"
                                                                  : "valorTotal");
  it->processado = cmoney(r, n, "valorProcessado");
  it->liberado = cmoney(r, n, "valorLiberado");
  for (c = first_el(n->children); c != NULL && !r->failed; c = next_el(c)) {
    if (is_el(c, "relacaoGlosa"))
      add_glosa(r, &it->glosas, &it->n_glosas, c, "tipoGlosa",
                cmoney(r, c, "valorGlosa"));
    else if (is_el(c, "glosasProcedimento")) {
      int64_t v = cmoney(r, c, "valorGlosaProcedimento");
      size_t first = it->n_glosas;

      add_motivos(r, &it->glosas, &it->n_glosas, c, "motivoGlosa");
      /* one value for all the motives: give it to the first */
      if (!r->failed && it->n_glosas > first)
        it->glosas[first].valor = v;
    }
  }
  if (!r->failed && it->codigo == NULL)
    rd_fail(r, FAT_EXML, n, "item sem código de procedimento");
}

/* Items of a lote guia: every procedimentoExecutado/procedimentoRealizado and
** every despesa/servicosExecutados below it, in document order. */
static void collect_lote_items(rd *r, fat_ret_guia *g, xmlNode *n, int depth)
{
  xmlNode *c;

  if (depth > FAT_TISS_READ_DEPTH)
    return;
  for (c = first_el(n->children); c != NULL && !r->failed; c = next_el(c)) {
    if (is_el(c, "procedimentoExecutado") || is_el(c, "procedimentoRealizado") ||
        is_el(c, "servicosExecutados"))
      read_item(r, g, c);
    else
      collect_lote_items(r, g, c, depth + 1);
  }
}

static void read_lote(rd *r, fat_tiss_msg *m, xmlNode *lote)
{
  fat_ret_protocolo *p;
  xmlNode *gs, *c, *cab, *aut, *ben, *tot;
  fat_ret_guia *g;

  p = PUSH(r, m->protocolos, m->n_protocolos);
  if (p == NULL)
    return;
  p->linha = line_of(lote);
  init_vals(&p->informado, &p->processado, &p->liberado, &p->glosado);
  p->numero_lote = ctext(r, lote, "numeroLote");
  gs = child(lote, "guiasTISS");
  if (gs == NULL) {
    rd_fail(r, FAT_EXML, lote, "lote sem guiasTISS");
    return;
  }
  p->informado = 0;
  for (c = first_el(gs->children); c != NULL && !r->failed; c = next_el(c)) {
    g = PUSH(r, p->guias, p->n_guias);
    if (g == NULL)
      return;
    g->linha = line_of(c);
    init_vals(&g->informado, &g->processado, &g->liberado, &g->glosado);
    g->tipo = fat_strdup((const char *)c->name);
    if (g->tipo == NULL)
      rd_oom(r);
    cab = child(c, "cabecalhoGuia");
    if (cab == NULL)
      cab = child(c, "cabecalhoConsulta");
    g->numero_prestador = ctext(r, cab, "numeroGuiaPrestador");
    if (g->numero_prestador == NULL)
      g->numero_prestador = ctext(r, c, "numeroGuiaPrestador");
    aut = child(c, "dadosAutorizacao");
    g->numero_operadora = ctext(r, aut, "numeroGuiaOperadora");
    if (g->numero_operadora == NULL)
      g->numero_operadora = ctext(r, c, "numeroGuiaOperadora");
    g->senha = ctext(r, aut, "senha");
    if (g->senha == NULL)
      g->senha = ctext(r, c, "senha");
    ben = child(c, "dadosBeneficiario");
    if (ben == NULL)
      ben = child(c, "beneficiario");
    g->carteira = ctext(r, ben, "numeroCarteira");
    collect_lote_items(r, g, c, 0);
    tot = find(c, "valorTotalGeral");
    if (tot == NULL)
      tot = find(c, "valorTotalHonorarios"); /* guia de honorários */
    if (tot == NULL)
      tot = find(c, "valorProcedimento");    /* guia de consulta */
    if (tot != NULL)
      g->informado = el_money(r, tot);
    if (!r->failed && g->numero_prestador == NULL)
      rd_fail(r, FAT_EXML, c, "guia sem numeroGuiaPrestador");
    if (!r->failed && g->informado != ABSENT)
      p->informado += g->informado;
  }
  m->informado = p->informado;
}

/* relacaoGuias of a demonstrativo de análise de conta. */
static void read_relacao_guia(rd *r, fat_ret_protocolo *p, xmlNode *n)
{
  fat_ret_guia *g;
  xmlNode *c;

  g = PUSH(r, p->guias, p->n_guias);
  if (g == NULL)
    return;
  g->linha = line_of(n);
  g->numero_prestador = ctext(r, n, "numeroGuiaPrestador");
  g->numero_operadora = ctext(r, n, "numeroGuiaOperadora");
  g->senha = ctext(r, n, "senha");
  g->carteira = ctext(r, n, "numeroCarteira");
  g->data_inicio = ctext(r, n, "dataInicioFat");
  g->situacao = ctext(r, n, "situacaoGuia");
  add_motivos(r, &g->glosas, &g->n_glosas, n, "motivoGlosaGuia");
  for (c = first_el(n->children); c != NULL && !r->failed; c = next_el(c))
    if (is_el(c, "detalhesGuia"))
      read_item(r, g, c);
  g->informado = cmoney(r, n, "valorInformadoGuia");
  g->processado = cmoney(r, n, "valorProcessadoGuia");
  g->liberado = cmoney(r, n, "valorLiberadoGuia");
  g->glosado = cmoney(r, n, "valorGlosaGuia");
  if (!r->failed && g->numero_prestador == NULL)
    rd_fail(r, FAT_EXML, n, "guia sem numeroGuiaPrestador");
}

static void read_cabecalho_demonstrativo(rd *r, fat_tiss_msg *m, xmlNode *d)
{
  xmlNode *cab = child(d, "cabecalhoDemonstrativo");

  if (cab == NULL || m->numero_demonstrativo != NULL)
    return;
  m->numero_demonstrativo = ctext(r, cab, "numeroDemonstrativo");
  m->data_emissao = ctext(r, cab, "dataEmissao");
  if (m->registro_ans == NULL)
    m->registro_ans = ctext(r, cab, "registroANS");
}

static void add_total(int64_t *acc, int64_t v)
{
  if (v == ABSENT)
    return;
  *acc = (*acc == ABSENT) ? v : *acc + v;
}

static void read_analise(rd *r, fat_tiss_msg *m, xmlNode *ret)
{
  xmlNode *d, *conta, *dp, *c;
  fat_ret_protocolo *p;

  for (d = first_el(ret->children); d != NULL && !r->failed; d = next_el(d)) {
    if (!is_el(d, "demonstrativoAnaliseConta"))
      continue;
    read_cabecalho_demonstrativo(r, m, d);
    conta = child(d, "dadosConta");
    if (conta == NULL) {
      rd_fail(r, FAT_EXML, d, "demonstrativo sem dadosConta");
      return;
    }
    for (dp = first_el(conta->children); dp != NULL && !r->failed; dp = next_el(dp)) {
      if (!is_el(dp, "dadosProtocolo"))
        continue;
      p = PUSH(r, m->protocolos, m->n_protocolos);
      if (p == NULL)
        return;
      p->linha = line_of(dp);
      p->numero_lote = ctext(r, dp, "numeroLotePrestador");
      p->numero_protocolo = ctext(r, dp, "numeroProtocolo");
      p->data_protocolo = ctext(r, dp, "dataProtocolo");
      p->situacao = ctext(r, dp, "situacaoProtocolo");
      if (p->situacao == NULL)
        p->situacao = ctext(r, dp, "situacaoProtrocolo"); /* 3.02.00 spelling */
      c = child(dp, "GlosaProtocolo");
      if (c != NULL)
        add_glosa(r, &p->glosas, &p->n_glosas, c, "codigoGlosa", ABSENT);
      for (c = first_el(dp->children); c != NULL && !r->failed; c = next_el(c))
        if (is_el(c, "relacaoGuias"))
          read_relacao_guia(r, p, c);
      p->informado = cmoney(r, dp, "valorInformadoProtocolo");
      p->processado = cmoney(r, dp, "valorProcessadoProtocolo");
      p->liberado = cmoney(r, dp, "valorLiberadoProtocolo");
      p->glosado = cmoney(r, dp, "valorGlosaProtocolo");
      if (!r->failed && p->numero_lote == NULL && p->numero_protocolo == NULL)
        rd_fail(r, FAT_EXML, dp, "protocolo sem número de lote nem de protocolo");
    }
    add_total(&m->informado, cmoney(r, d, "valorInformadoGeral"));
    add_total(&m->processado, cmoney(r, d, "valorProcessadoGeral"));
    add_total(&m->liberado, cmoney(r, d, "valorLiberadoGeral"));
    add_total(&m->glosado, cmoney(r, d, "valorGlosaGeral"));
  }
}

static void read_pagamento(rd *r, fat_tiss_msg *m, xmlNode *d)
{
  xmlNode *pags, *pd, *res, *rp, *c, *tot;
  fat_ret_protocolo *p;
  fat_ret_guia *g;
  char *data;

  read_cabecalho_demonstrativo(r, m, d);
  pags = child(d, "pagamentos");
  for (pd = first_el(pags != NULL ? pags->children : NULL); pd != NULL && !r->failed;
       pd = next_el(pd)) {
    if (!is_el(pd, "pagamentosPorData"))
      continue;
    data = ctext(r, child(pd, "dadosPagamento"), "dataPagamento");
    res = child(pd, "dadosResumo");
    for (rp = first_el(res != NULL ? res->children : NULL); rp != NULL && !r->failed;
         rp = next_el(rp)) {
      if (!is_el(rp, "relacaoProtocolos"))
        continue;
      p = PUSH(r, m->protocolos, m->n_protocolos);
      if (p == NULL)
        break;
      p->linha = line_of(rp);
      p->data_pagamento = data != NULL ? fat_strdup(data) : NULL;
      p->data_protocolo = ctext(r, rp, "dataProtocolo");
      p->numero_protocolo = ctext(r, rp, "numeroProtocolo");
      p->numero_lote = ctext(r, rp, "numeroLote");
      p->informado = cmoney(r, rp, "valorInformado");
      p->processado = cmoney(r, rp, "valorProcessado");
      p->liberado = cmoney(r, rp, "valorLiberado");
      p->glosado = cmoney(r, rp, "valorGlosa");
      for (c = first_el(rp->children); c != NULL && !r->failed; c = next_el(c)) {
        if (!is_el(c, "guiasDoLote"))
          continue;
        g = PUSH(r, p->guias, p->n_guias);
        if (g == NULL)
          break;
        g->linha = line_of(c);
        g->informado = ABSENT;
        g->numero_prestador = ctext(r, c, "numeroGuiaPrestador");
        g->numero_operadora = ctext(r, c, "numeroGuiaOperadora");
        g->senha = ctext(r, c, "senha");
        g->tipo_pagamento = ctext(r, c, "tipoPagamento");
        g->processado = cmoney(r, c, "valorProcessadoGuia");
        g->liberado = cmoney(r, c, "valorLiberadoGuia");
        g->glosado = cmoney(r, c, "valorGlosaGuia");
      }
    }
    fat_free(data);
  }
  tot = child(child(d, "totaisDemonstrativo"), "totaisBrutosDemonstrativo");
  m->informado = cmoney(r, tot, "valorInformadoBruto");
  m->processado = cmoney(r, tot, "valorProcessadoBruto");
  m->liberado = cmoney(r, tot, "valorLiberadoBruto");
  m->glosado = cmoney(r, tot, "valorGlosaBruto");
}

static void read_protocolo(rd *r, fat_tiss_msg *m, xmlNode *pr)
{
  xmlNode *det, *gp, *dg, *c, *gg, *procs, *pc;
  fat_ret_protocolo *p;
  fat_ret_guia *g;

  p = PUSH(r, m->protocolos, m->n_protocolos);
  if (p == NULL)
    return;
  p->linha = line_of(pr);
  init_vals(&p->informado, &p->processado, &p->liberado, &p->glosado);
  if (m->registro_ans == NULL)
    m->registro_ans = ctext(r, pr, "registroANS");
  p->numero_lote = ctext(r, pr, "numeroLote");
  p->data_protocolo = ctext(r, pr, "dataEnvioLote");
  det = child(pr, "detalheProtocolo");
  p->numero_protocolo = ctext(r, det, "numeroProtocolo");
  p->informado = cmoney(r, det, "valorTotalProtocolo");
  gp = child(det, "glosaProtocolo");
  if (gp != NULL) {
    add_motivos(r, &p->glosas, &p->n_glosas, child(gp, "motivosGlosa"), "motivoGlosa");
    p->glosado = cmoney(r, gp, "vlGlosaProtocolo");
  }
  dg = child(det, "dadosGuiasProtocolo");
  for (c = first_el(dg != NULL ? dg->children : NULL); c != NULL && !r->failed;
       c = next_el(c)) {
    if (!is_el(c, "dadosGuias"))
      continue;
    g = PUSH(r, p->guias, p->n_guias);
    if (g == NULL)
      return;
    g->linha = line_of(c);
    init_vals(&g->informado, &g->processado, &g->liberado, &g->glosado);
    g->numero_prestador = ctext(r, c, "numeroGuiaPrestador");
    g->numero_operadora = ctext(r, c, "numeroGuiaOperadora");
    g->data_inicio = ctext(r, c, "dataRealizacao");
    g->carteira = ctext(r, child(c, "dadosBeneficiario"), "numeroCarteira");
    gg = child(c, "vlInformadoGuia");
    if (gg != NULL) {
      /* 4.01.00: ct_valorTotal (valorProcessado, valorGlosa, valorLiberado);
      ** older files: ct_guiaValorTotal (valorProcedimentos ... valorTotalGeral) */
      g->informado = cmoney(r, gg, "valorTotalGeral");
      if (g->informado == ABSENT)
        g->informado = cmoney(r, gg, "valorProcessado");
      if (g->informado == ABSENT)
        g->informado = cmoney(r, gg, "valorProcedimentos");
      g->processado = cmoney(r, gg, "valorProcessado");
      g->glosado = cmoney(r, gg, "valorGlosa");
      g->liberado = cmoney(r, gg, "valorLiberado");
    }
    add_motivos(r, &g->glosas, &g->n_glosas, child(c, "glosaGuia"), "motivoGlosa");
    procs = child(c, "procedimentosRealizados");
    for (pc = first_el(procs != NULL ? procs->children : NULL); pc != NULL && !r->failed;
         pc = next_el(pc))
      if (is_el(pc, "procedimentoRealizado"))
        read_item(r, g, pc);
  }
  if (!r->failed && p->numero_protocolo == NULL)
    rd_fail(r, FAT_EXML, pr, "protocolo de recebimento sem numeroProtocolo");
  m->informado = p->informado;
}

static fat_tiss_tipo tipo_of(const char *t)
{
  if (t == NULL)
    return FAT_TISS_OUTRO;
  if (strcmp(t, "ENVIO_LOTE_GUIAS") == 0)
    return FAT_TISS_LOTE_GUIAS;
  if (strcmp(t, "PROTOCOLO_RECEBIMENTO") == 0)
    return FAT_TISS_PROTOCOLO;
  if (strcmp(t, "DEMONSTRATIVO_ANALISE_CONTA") == 0)
    return FAT_TISS_ANALISE_CONTA;
  if (strcmp(t, "DEMONSTRATIVO_PAGAMENTO") == 0)
    return FAT_TISS_PAGAMENTO;
  if (strcmp(t, "RECURSO_GLOSA") == 0)
    return FAT_TISS_RECURSO_GLOSA;
  return FAT_TISS_OUTRO;
}

const char *fat_tiss_tipo_str(fat_tiss_tipo t)
{
  switch (t) {
  case FAT_TISS_LOTE_GUIAS: return "ENVIO_LOTE_GUIAS";
  case FAT_TISS_PROTOCOLO: return "PROTOCOLO_RECEBIMENTO";
  case FAT_TISS_ANALISE_CONTA: return "DEMONSTRATIVO_ANALISE_CONTA";
  case FAT_TISS_PAGAMENTO: return "DEMONSTRATIVO_PAGAMENTO";
  case FAT_TISS_RECURSO_GLOSA: return "RECURSO_GLOSA";
  case FAT_TISS_OUTRO: break;
  }
  return "OUTRO";
}

static int max_depth(const xmlNode *n, int depth)
{
  const xmlNode *c;
  int d, best = depth;

  if (depth > FAT_TISS_READ_DEPTH)
    return depth;
  for (c = n->children; c != NULL; c = c->next) {
    if (c->type != XML_ELEMENT_NODE)
      continue;
    d = max_depth(c, depth + 1);
    if (d > best)
      best = d;
    if (best > FAT_TISS_READ_DEPTH)
      break;
  }
  return best;
}

/* The hash of a web-service message (no epilogo): leaf text in document
** order, the message's own `hash` element left out. Built from Part E's MD5
** and encoding blocks. */
static fat_rc ws_hash_feed(fat_md5 *c, fat_tiss_enc enc, const xmlNode *n, const xmlNode *skip,
                           fat_err *err)
{
  const xmlNode *k;
  int has_el = 0;
  xmlChar *t;
  fat_rc rc;

  for (k = n->children; k != NULL; k = k->next)
    if (k->type == XML_ELEMENT_NODE)
      has_el = 1;
  if (!has_el) {
    t = xmlNodeGetContent(n);
    if (t == NULL)
      return FAT_OK;
    rc = fat_tiss_hash_feed(c, enc, (const char *)t, strlen((const char *)t), err);
    xmlFree(t);
    return rc;
  }
  for (k = n->children; k != NULL; k = k->next) {
    if (k->type != XML_ELEMENT_NODE || k == skip)
      continue;
    rc = ws_hash_feed(c, enc, k, skip, err);
    if (rc != FAT_OK)
      return rc;
  }
  return FAT_OK;
}

static void hash_lower(char *dst, const char *src)
{
  size_t i;

  for (i = 0; i < 32 && src[i] != '\0'; i++)
    dst[i] = (char)((src[i] >= 'A' && src[i] <= 'F') ? src[i] - 'A' + 'a' : src[i]);
  dst[i] = '\0';
}

static void check_hash(rd *r, fat_tiss_msg *m, xmlDoc *doc, xmlNode *msgel)
{
  char decl[33];
  fat_err herr;
  xmlNode *h;
  char *t;
  fat_md5 c;
  unsigned char dig[16];

  fat_err_clear(&herr);
  if (fat_tiss_hash_declared(doc, decl, &herr) == FAT_OK) {
    m->tem_hash = 1;
    hash_lower(m->hash_declarado, decl);
    /* hash_iso is "" for text outside Latin-1: it cannot be hashed so */
    fat_tiss_hash_doc_pair(doc, m->hash_iso, m->hash_utf8);
  } else {
    /* web-service messages carry <hash> as the last child of the message */
    h = child(msgel, "hash");
    if (h == NULL)
      return;
    t = text(r, h);
    if (t == NULL)
      return;
    m->tem_hash = 1;
    hash_lower(m->hash_declarado, t);
    fat_free(t);
    fat_md5_init(&c);
    if (ws_hash_feed(&c, FAT_TISS_ISO88591, msgel, h, &herr) == FAT_OK) {
      fat_md5_final(&c, dig);
      fat_md5_hex(dig, m->hash_iso);
    }
    fat_md5_init(&c);
    if (ws_hash_feed(&c, FAT_TISS_UTF8, msgel, h, &herr) == FAT_OK) {
      fat_md5_final(&c, dig);
      fat_md5_hex(dig, m->hash_utf8);
    }
  }
  if (m->hash_iso[0] != '\0' && strcmp(m->hash_iso, m->hash_declarado) == 0) {
    m->hash_ok = 1;
    m->hash_codificacao = "ISO-8859-1";
  } else if (m->hash_utf8[0] != '\0' && strcmp(m->hash_utf8, m->hash_declarado) == 0) {
    m->hash_ok = 1;
    m->hash_codificacao = "UTF-8";
  }
}

/* Feed element n into the content digest: "name{" children "}" for an
** element with element children, "name=" trimmed text ";" for a leaf. */
static void digest_el(rd *r, fat_sha256 *h, xmlNode *n, int depth)
{
  xmlNode *c;
  xmlChar *own;
  const char *s, *e;
  const char *name = (const char *)n->name;
  int has_el = 0;

  if (r->failed || depth > FAT_TISS_READ_DEPTH)
    return;
  for (c = n->children; c != NULL; c = c->next)
    if (c->type == XML_ELEMENT_NODE)
      has_el = 1;
  fat_sha256_update(h, name, strlen(name));
  if (!has_el) {
    if (text_span(n, &s, &e, &own) != 0) {
      rd_oom(r);
      return;
    }
    fat_sha256_update(h, "=", 1);
    fat_sha256_update(h, s, (size_t)(e - s));
    fat_sha256_update(h, ";", 1);
    xmlFree(own);
    return;
  }
  fat_sha256_update(h, "{", 1);
  for (c = first_el(n->children); c != NULL && !r->failed; c = next_el(c))
    digest_el(r, h, c, depth + 1);
  fat_sha256_update(h, "}", 1);
}

/* The content digest of the message element msgel (its cabecalho, epilogo
** and web-service hash left out). */
static void content_digest(rd *r, fat_tiss_msg *m, xmlNode *msgel)
{
  fat_sha256 h;
  xmlNode *c;

  fat_sha256_init(&h);
  for (c = first_el(msgel->children); c != NULL && !r->failed; c = next_el(c)) {
    if (is_el(c, "cabecalho") || is_el(c, "epilogo") || is_el(c, "hash"))
      continue;
    digest_el(r, &h, c, 0);
  }
  fat_sha256_final_hex(&h, m->conteudo_sha256);
}

static void read_message(rd *r, fat_tiss_msg *m, xmlDoc *doc)
{
  xmlNode *root = xmlDocGetRootElement(doc), *cab, *msgel, *id, *o, *d, *body, *x, *pr;

  if (root == NULL) {
    rd_fail(r, FAT_EXML, NULL, "documento vazio");
    return;
  }
  cab = is_el(root, "mensagemTISS") ? child(root, "cabecalho") : find(root, "cabecalho");
  if (cab == NULL) {
    rd_fail(r, FAT_EXML, root, "não é uma mensagem TISS (sem cabecalho)");
    return;
  }
  msgel = cab->parent;
  id = child(cab, "identificacaoTransacao");
  m->tipo_transacao = ctext(r, id, "tipoTransacao");
  if (!r->failed && m->tipo_transacao == NULL) {
    rd_fail(r, FAT_EXML, cab, "cabeçalho sem tipoTransacao");
    return;
  }
  m->tipo = tipo_of(m->tipo_transacao);
  m->sequencial = ctext(r, id, "sequencialTransacao");
  m->data_registro = ctext(r, id, "dataRegistroTransacao");
  m->versao = ctext(r, cab, "Padrao");
  if (m->versao == NULL)
    m->versao = ctext(r, cab, "versaoPadrao");
  o = child(cab, "origem");
  d = child(cab, "destino");
  /* the operator is whichever side has a registroANS */
  m->registro_ans = ctext(r, o, "registroANS");
  if (m->registro_ans == NULL)
    m->registro_ans = ctext(r, d, "registroANS");
  x = child(o, "identificacaoPrestador");
  if (x == NULL)
    x = child(d, "identificacaoPrestador");
  if (x != NULL)
    m->prestador = text(r, first_el(x->children));
  if (r->failed)
    return;
  check_hash(r, m, doc, msgel);
  content_digest(r, m, msgel);
  switch (m->tipo) {
  case FAT_TISS_LOTE_GUIAS:
    body = find(msgel, "loteGuias");
    if (body == NULL)
      rd_fail(r, FAT_EXML, msgel, "ENVIO_LOTE_GUIAS sem loteGuias");
    else
      read_lote(r, m, body);
    break;
  case FAT_TISS_PROTOCOLO:
    body = find(msgel, "recebimentoLote");
    x = child(body, "mensagemErro");
    pr = child(body, "protocoloRecebimento");
    if (x != NULL) {
      m->erro_codigo = ctext(r, x, "codigoGlosa");
      m->erro_descricao = ctext(r, x, "descricaoGlosa");
    } else if (pr != NULL) {
      read_protocolo(r, m, pr);
    } else {
      rd_fail(r, FAT_EXML, body != NULL ? body : msgel,
              "PROTOCOLO_RECEBIMENTO sem protocoloRecebimento");
    }
    break;
  case FAT_TISS_ANALISE_CONTA:
  case FAT_TISS_PAGAMENTO:
    body = find(msgel, "demonstrativosRetorno");
    if (body == NULL) {
      rd_fail(r, FAT_EXML, msgel, "demonstrativo sem demonstrativosRetorno");
      break;
    }
    x = child(body, "mensagemErro");
    if (x != NULL) {
      m->erro_codigo = ctext(r, x, "codigoGlosa");
      m->erro_descricao = ctext(r, x, "descricaoGlosa");
    } else if (m->tipo == FAT_TISS_ANALISE_CONTA) {
      if (child(body, "demonstrativoAnaliseConta") == NULL)
        rd_fail(r, FAT_EXML, body, "sem demonstrativoAnaliseConta");
      else
        read_analise(r, m, body);
    } else {
      x = child(body, "demonstrativoPagamento");
      if (x == NULL)
        rd_fail(r, FAT_EXML, body, "sem demonstrativoPagamento");
      else
        read_pagamento(r, m, x);
    }
    break;
  case FAT_TISS_RECURSO_GLOSA:
  case FAT_TISS_OUTRO:
    break;
  }
}

/* }====================================================== */

static void free_glosas(fat_ret_glosa *g, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++) {
    fat_free(g[i].codigo);
    fat_free(g[i].descricao);
  }
  fat_free(g);
}

static void free_guia(fat_ret_guia *g)
{
  size_t i;

  fat_free(g->tipo);
  fat_free(g->numero_prestador);
  fat_free(g->numero_operadora);
  fat_free(g->senha);
  fat_free(g->carteira);
  fat_free(g->data_inicio);
  fat_free(g->situacao);
  fat_free(g->tipo_pagamento);
  free_glosas(g->glosas, g->n_glosas);
  for (i = 0; i < g->n_itens; i++) {
    fat_ret_item *it = &g->itens[i];

    fat_free(it->data);
    fat_free(it->tabela);
    fat_free(it->codigo);
    fat_free(it->descricao);
    fat_free(it->grau);
    free_glosas(it->glosas, it->n_glosas);
  }
  fat_free(g->itens);
}

void fat_tiss_msg_free(fat_tiss_msg *m)
{
  size_t i, j;

  if (m == NULL)
    return;
  for (i = 0; i < m->n_protocolos; i++) {
    fat_ret_protocolo *p = &m->protocolos[i];

    fat_free(p->numero_lote);
    fat_free(p->numero_protocolo);
    fat_free(p->data_protocolo);
    fat_free(p->situacao);
    fat_free(p->data_pagamento);
    free_glosas(p->glosas, p->n_glosas);
    for (j = 0; j < p->n_guias; j++)
      free_guia(&p->guias[j]);
    fat_free(p->guias);
  }
  fat_free(m->protocolos);
  fat_free(m->tipo_transacao);
  fat_free(m->versao);
  fat_free(m->codificacao);
  fat_free(m->registro_ans);
  fat_free(m->prestador);
  fat_free(m->sequencial);
  fat_free(m->data_registro);
  fat_free(m->numero_demonstrativo);
  fat_free(m->data_emissao);
  fat_free(m->erro_codigo);
  fat_free(m->erro_descricao);
  fat_free(m);
}

fat_rc fat_tiss_read_memory(const char *buf, size_t len, const char *name, fat_tiss_msg **out,
                            fat_err *err)
{
  char enc[64];
  xmlParserCtxt *ctxt = NULL;
  xmlDoc *doc = NULL;
  const xmlError *xe;
  fat_tiss_msg *m = NULL;
  rd r;
  fat_rc rc;
  int depth;
  char what[256];

  *out = NULL;
  if (name == NULL)
    name = "arquivo";
  if (len > FAT_TISS_READ_MAX)
    return fat_err_set(err, FAT_ELIMIT, "%s: arquivo de %zu bytes passa do limite de %zu MB",
                       name, len, FAT_TISS_READ_MAX / (1024 * 1024));
  if (len > (size_t)INT32_MAX)
    return fat_err_set(err, FAT_ELIMIT, "%s: arquivo grande demais", name);
  rc = precheck(buf, len, name, enc, sizeof enc, err);
  if (rc != FAT_OK)
    return rc;
  ctxt = xmlNewParserCtxt();
  if (ctxt == NULL)
    return fat_err_oom(err);
  /* NONET only: no NOENT (entity substitution), no DTDLOAD, no HUGE */
  doc = xmlCtxtReadMemory(ctxt, buf, (int)len, name, NULL,
                          XML_PARSE_NONET | XML_PARSE_BIG_LINES | XML_PARSE_COMPACT | XML_PARSE_NOERROR |
                              XML_PARSE_NOWARNING);
  if (doc == NULL || !ctxt->wellFormed) {
    xe = xmlCtxtGetLastError(ctxt);
    if (xe != NULL && xe->code == XML_ERR_INTERNAL_ERROR && xe->message != NULL &&
        strstr(xe->message, "depth") != NULL)
      rc = fat_err_set(err, FAT_ELIMIT, "%s: linha %d: aninhamento de elementos profundo demais",
                       name, xe->line);
    else {
      fat_tiss_erro_sintaxe(xe, what, sizeof what);
      rc = fat_err_set(err, FAT_EXML, "%s: linha %d%s%s: XML malformado: %s", name,
                       xe != NULL ? xe->line : 0, ctxt->name != NULL ? ", elemento " : "",
                       ctxt->name != NULL ? (const char *)ctxt->name : "", what);
    }
    goto done;
  }
  if (doc->intSubset != NULL || doc->extSubset != NULL) {
    rc = fat_err_set(err, FAT_EXML, "%s: DTD recusado", name);
    goto done;
  }
  depth = max_depth((xmlNode *)doc, 0);
  if (depth > FAT_TISS_READ_DEPTH) {
    rc = fat_err_set(err, FAT_ELIMIT, "%s: mais de %d níveis de elementos aninhados", name,
                     FAT_TISS_READ_DEPTH);
    goto done;
  }
  m = fat_calloc(1, sizeof *m);
  if (m == NULL) {
    rc = fat_err_oom(err);
    goto done;
  }
  m->informado = m->processado = m->liberado = m->glosado = ABSENT;
  m->codificacao = fat_strdup(enc);
  r.err = err;
  r.failed = m->codificacao == NULL;
  r.name = name;
  if (r.failed)
    fat_err_oom(err);
  else
    read_message(&r, m, doc);
  if (r.failed) {
    rc = err != NULL ? err->rc : FAT_EXML;
    fat_tiss_msg_free(m);
    m = NULL;
    goto done;
  }
  *out = m;
  rc = FAT_OK;
done:
  xmlFreeDoc(doc);
  xmlFreeParserCtxt(ctxt);
  return rc;
}

fat_rc fat_tiss_read_file(const char *path, fat_tiss_msg **out, fat_err *err)
{
  char *buf = NULL;
  size_t len = 0;
  const char *base;
  fat_rc rc;

  *out = NULL;
  rc = fat_file_read(path, FAT_TISS_READ_MAX, &buf, &len, err);
  if (rc != FAT_OK)
    return rc;
  base = strrchr(path, '/');
  base = base != NULL ? base + 1 : path;
  rc = fat_tiss_read_memory(buf, len, base, out, err);
  fat_free(buf);
  return rc;
}

void fat_tiss_msg_somas(const fat_tiss_msg *m, fat_tiss_somas *out)
{
  size_t i, j, k;

  memset(out, 0, sizeof *out);
  for (i = 0; i < m->n_protocolos; i++) {
    const fat_ret_protocolo *p = &m->protocolos[i];

    out->n_glosas += p->n_glosas;
    for (j = 0; j < p->n_guias; j++) {
      const fat_ret_guia *g = &p->guias[j];

      out->n_guias++;
      out->n_itens += g->n_itens;
      out->n_glosas += g->n_glosas;
      for (k = 0; k < g->n_itens; k++) {
        const fat_ret_item *it = &g->itens[k];
        size_t q;

        out->n_glosas += it->n_glosas;
        if (it->informado != ABSENT)
          out->itens_informado += it->informado;
        for (q = 0; q < it->n_glosas; q++)
          if (it->glosas[q].valor != ABSENT)
            out->itens_glosado += it->glosas[q].valor;
      }
      if (g->informado != ABSENT)
        out->informado += g->informado;
      if (g->processado != ABSENT)
        out->processado += g->processado;
      if (g->liberado != ABSENT)
        out->liberado += g->liberado;
      if (g->glosado != ABSENT)
        out->glosado += g->glosado;
    }
  }
}

static void json_money(cJSON *o, const char *k, int64_t v)
{
  char buf[32];

  if (v == ABSENT) {
    cJSON_AddNullToObject(o, k);
    return;
  }
  snprintf(buf, sizeof buf, "%s%lld.%02lld", v < 0 ? "-" : "",
           (long long)((v < 0 ? -v : v) / 100), (long long)((v < 0 ? -v : v) % 100));
  cJSON_AddStringToObject(o, k, buf);
}

cJSON *fat_tiss_msg_to_json(const fat_tiss_msg *m)
{
  cJSON *o = cJSON_CreateObject(), *h, *ps, *p, *dec, *cal;
  fat_tiss_somas s;
  size_t i;

  if (o == NULL)
    return NULL;
  fat_tiss_msg_somas(m, &s);
  cJSON_AddStringToObject(o, "tipo", fat_tiss_tipo_str(m->tipo));
  cJSON_AddStringToObject(o, "tipo_transacao", m->tipo_transacao ? m->tipo_transacao : "");
  cJSON_AddStringToObject(o, "versao", m->versao ? m->versao : "");
  cJSON_AddStringToObject(o, "codificacao", m->codificacao ? m->codificacao : "");
  cJSON_AddStringToObject(o, "registro_ans", m->registro_ans ? m->registro_ans : "");
  if (m->numero_demonstrativo != NULL)
    cJSON_AddStringToObject(o, "numero_demonstrativo", m->numero_demonstrativo);
  if (m->erro_codigo != NULL)
    cJSON_AddStringToObject(o, "erro_codigo", m->erro_codigo);
  dec = cJSON_AddObjectToObject(o, "totais_declarados");
  if (dec != NULL) {
    json_money(dec, "informado", m->informado);
    json_money(dec, "processado", m->processado);
    json_money(dec, "liberado", m->liberado);
    json_money(dec, "glosado", m->glosado);
  }
  cal = cJSON_AddObjectToObject(o, "totais_calculados");
  if (cal != NULL) {
    json_money(cal, "informado", s.informado);
    json_money(cal, "processado", s.processado);
    json_money(cal, "liberado", s.liberado);
    json_money(cal, "glosado", s.glosado);
    json_money(cal, "itens_informado", s.itens_informado);
    json_money(cal, "itens_glosado", s.itens_glosado);
    cJSON_AddNumberToObject(cal, "guias", (double)s.n_guias);
    cJSON_AddNumberToObject(cal, "itens", (double)s.n_itens);
    cJSON_AddNumberToObject(cal, "glosas", (double)s.n_glosas);
  }
  h = cJSON_AddObjectToObject(o, "hash");
  if (h != NULL) {
    cJSON_AddBoolToObject(h, "presente", m->tem_hash);
    cJSON_AddBoolToObject(h, "confere", m->hash_ok);
    cJSON_AddStringToObject(h, "declarado", m->hash_declarado);
    cJSON_AddStringToObject(h, "calculado_iso_8859_1", m->hash_iso);
    cJSON_AddStringToObject(h, "calculado_utf8", m->hash_utf8);
    if (m->hash_codificacao != NULL)
      cJSON_AddStringToObject(h, "codificacao", m->hash_codificacao);
  }
  ps = cJSON_AddArrayToObject(o, "protocolos");
  for (i = 0; ps != NULL && i < m->n_protocolos; i++) {
    p = cJSON_CreateObject();
    if (p == NULL)
      break;
    if (m->protocolos[i].numero_lote != NULL)
      cJSON_AddStringToObject(p, "lote", m->protocolos[i].numero_lote);
    if (m->protocolos[i].numero_protocolo != NULL)
      cJSON_AddStringToObject(p, "protocolo", m->protocolos[i].numero_protocolo);
    cJSON_AddNumberToObject(p, "guias", (double)m->protocolos[i].n_guias);
    json_money(p, "informado", m->protocolos[i].informado);
    json_money(p, "liberado", m->protocolos[i].liberado);
    json_money(p, "glosado", m->protocolos[i].glosado);
    cJSON_AddItemToArray(ps, p);
  }
  return o;
}

const char *fat_tiss_transacao_rotulo(const char *tipo)
{
  return fat_rotulo_ou("transacao", tipo);
}
