/* fat_tiss_validate.c: XSD validation with a per-process schema cache. */
#include "fat_tiss_validate.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include "fat_mem.h"
#include "fat_tiss_erro.h"
#include "fat_tiss_hash.h"
#include "fat_tiss_write.h"

#define SCHEMA_CACHE_MAX 4

typedef struct schema_slot {
  char *dir;
  xmlSchemaPtr schema;
} schema_slot;

static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static schema_slot cache[SCHEMA_CACHE_MAX];
static int n_cache;

/* Collects schema-parse errors into a fat_err (first one wins). */
typedef struct parse_errs {
  fat_err *err;
  int n;
} parse_errs;

static void schema_parse_error(void *ctx, xmlErrorPtr e)
{
  parse_errs *pe = ctx;

  if (e == NULL || e->level < XML_ERR_ERROR)
    return;
  if (pe->n++ == 0 && pe->err != NULL)
    fat_err_set(pe->err, FAT_EXML,
                "o XSD %s não pôde ser carregado (linha %d, código %d da libxml2): confira a "
                "pasta dos XSD TISS 4.01.00",
                e->file != NULL ? e->file : "?", e->line, e->code);
}

/* Find or build the schema of dir; the caller holds cache_mu. */
static fat_rc schema_get_locked(const char *xsd_dir, xmlSchemaPtr *out, fat_err *err)
{
  char path[PATH_MAX];
  struct stat sb;
  xmlSchemaParserCtxtPtr pctx;
  xmlSchemaPtr schema;
  parse_errs pe;
  char *dup;
  int i;

  *out = NULL;
  for (i = 0; i < n_cache; i++) {
    if (strcmp(cache[i].dir, xsd_dir) == 0) {
      *out = cache[i].schema;
      return FAT_OK;
    }
  }
  if ((size_t)snprintf(path, sizeof path, "%s/%s", xsd_dir, FAT_TISS_XSD_MAIN) >= sizeof path)
    return fat_err_set(err, FAT_EINVAL, "caminho da pasta de XSD longo demais");
  if (stat(path, &sb) != 0)
    return fat_err_set(err, FAT_EIO,
                       "XSD TISS não encontrado em %s (informe a pasta com --xsd DIR ou "
                       "FATURO_XSD_DIR)",
                       path);
  pctx = xmlSchemaNewParserCtxt(path);
  if (pctx == NULL)
    return fat_err_oom(err);
  pe.err = err;
  pe.n = 0;
  xmlSchemaSetParserStructuredErrors(pctx, schema_parse_error, &pe);
  schema = xmlSchemaParse(pctx);
  xmlSchemaFreeParserCtxt(pctx);
  if (schema == NULL) {
    if (pe.n == 0)
      fat_err_set(err, FAT_EXML, "não foi possível carregar o XSD %s", path);
    return err != NULL ? err->rc : FAT_EXML;
  }
  dup = fat_strdup(xsd_dir);
  if (dup == NULL) {
    xmlSchemaFree(schema);
    return fat_err_oom(err);
  }
  if (n_cache == SCHEMA_CACHE_MAX) {
    /* a schema may be in use by another thread: keep it alive, just forget
    ** the oldest slot's name (bounded leak of at most a few schemas) */
    fat_free(cache[0].dir);
    memmove(&cache[0], &cache[1], sizeof cache[0] * (SCHEMA_CACHE_MAX - 1));
    n_cache--;
  }
  cache[n_cache].dir = dup;
  cache[n_cache].schema = schema;
  n_cache++;
  *out = schema;
  return FAT_OK;
}

/* The compiled schema of xsd_dir (parsed on first use, then cached). */
static fat_rc schema_of(const char *xsd_dir, xmlSchemaPtr *out, fat_err *err)
{
  fat_rc rc;

  if (xsd_dir == NULL || xsd_dir[0] == '\0')
    return fat_err_set(err, FAT_EINVAL, "pasta dos XSD TISS não informada (--xsd DIR ou "
                                        "FATURO_XSD_DIR)");
  pthread_mutex_lock(&cache_mu);
  rc = schema_get_locked(xsd_dir, out, err);
  pthread_mutex_unlock(&cache_mu);
  return rc;
}

fat_rc fat_tiss_schema_load(const char *xsd_dir, fat_err *err)
{
  xmlSchemaPtr s;

  return schema_of(xsd_dir, &s, err);
}

void fat_tiss_xsd_result_fini(fat_tiss_xsd_result *r)
{
  size_t i;

  if (r == NULL)
    return;
  for (i = 0; i < r->n_guardados; i++) {
    fat_free(r->erros[i].elemento);
    fat_free(r->erros[i].mensagem);
  }
  fat_free(r->erros);
  memset(r, 0, sizeof *r);
}

typedef struct valid_ctx {
  fat_tiss_xsd_result *res;
  int oom;
} valid_ctx;

static void valid_error(void *ctx, xmlErrorPtr e)
{
  valid_ctx *vc = ctx;
  fat_tiss_xsd_result *r = vc->res;
  fat_tiss_xsd_error *x;
  const xmlNode *node;
  char msg[320], el[96];

  if (e == NULL || e->level < XML_ERR_ERROR)
    return;
  r->n_erros++;
  if (r->n_guardados >= FAT_TISS_MAX_ERRORS || vc->oom)
    return;
  if (r->erros == NULL) {
    r->erros = fat_calloc(FAT_TISS_MAX_ERRORS, sizeof *r->erros);
    if (r->erros == NULL) {
      vc->oom = 1;
      return;
    }
  }
  x = &r->erros[r->n_guardados];
  node = e->node;
  x->linha = e->line;
  /* pt-BR, never libxml2's English; the element libxml2 names in its
  ** message is the one at fault (the node may be its parent) */
  fat_tiss_erro_xsd(e, msg, sizeof msg, el, sizeof el);
  if (el[0] != '\0')
    x->elemento = fat_strdup(el);
  else if (node != NULL && node->type == XML_ELEMENT_NODE && node->name != NULL)
    x->elemento = fat_strdup((const char *)node->name);
  if (x->linha == 0 && node != NULL)
    x->linha = (int)xmlGetLineNo(node);
  x->mensagem = fat_strdup(msg);
  if (x->mensagem == NULL) {
    fat_free(x->elemento);
    x->elemento = NULL;
    vc->oom = 1;
    return;
  }
  r->n_guardados++;
}

fat_rc fat_tiss_validate_memory(const char *xsd_dir, const char *buf, size_t len,
                                fat_tiss_xsd_result *out, fat_err *err)
{
  xmlSchemaPtr schema;
  xmlSchemaValidCtxtPtr vctx;
  xmlDoc *doc = NULL;
  valid_ctx vc;
  fat_rc rc;
  int r;

  memset(out, 0, sizeof *out);
  rc = schema_of(xsd_dir, &schema, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_tiss_parse(buf, len, "mensagem TISS", &doc, err);
  if (rc != FAT_OK)
    return rc;
  vctx = xmlSchemaNewValidCtxt(schema);
  if (vctx == NULL) {
    xmlFreeDoc(doc);
    return fat_err_oom(err);
  }
  vc.res = out;
  vc.oom = 0;
  xmlSchemaSetValidStructuredErrors(vctx, valid_error, &vc);
  r = xmlSchemaValidateDoc(vctx, doc);
  xmlSchemaFreeValidCtxt(vctx);
  xmlFreeDoc(doc);
  if (vc.oom) {
    fat_tiss_xsd_result_fini(out);
    return fat_err_oom(err);
  }
  if (r < 0) {
    fat_tiss_xsd_result_fini(out);
    return fat_err_set(err, FAT_EXML, "erro interno do validador XSD (código %d)", r);
  }
  out->valido = (r == 0 && out->n_erros == 0);
  return FAT_OK;
}

/* Errors of the validation fed by a writer are only counted: the document
** is validated again from its bytes for the messages. */
static void count_error(void *ctx, xmlErrorPtr e)
{
  int *n = ctx;

  if (e != NULL && e->level >= XML_ERR_ERROR)
    (*n)++;
}

struct fat_tiss_xsd_events {
  xmlSchemaValidCtxtPtr vctx;
  xmlSchemaSAXPlugPtr plug;
  xmlSAXHandlerPtr sax; /* the validator's handlers (no parser behind them) */
  void *user;
  int n_err;
};

fat_rc fat_tiss_xsd_events_new(const char *xsd_dir, fat_tiss_xsd_events **out, fat_err *err)
{
  fat_tiss_xsd_events *ev;
  xmlSchemaPtr schema;
  fat_rc rc;

  *out = NULL;
  rc = schema_of(xsd_dir, &schema, err);
  if (rc != FAT_OK)
    return rc;
  ev = fat_calloc(1, sizeof *ev);
  if (ev == NULL)
    return fat_err_oom(err);
  ev->vctx = xmlSchemaNewValidCtxt(schema);
  if (ev->vctx != NULL) {
    xmlSchemaSetValidStructuredErrors(ev->vctx, count_error, &ev->n_err);
    ev->plug = xmlSchemaSAXPlug(ev->vctx, &ev->sax, &ev->user);
  }
  if (ev->plug == NULL || ev->sax == NULL || ev->sax->startElementNs == NULL ||
      ev->sax->endElementNs == NULL || ev->sax->characters == NULL) {
    if (ev->plug != NULL)
      xmlSchemaSAXUnplug(ev->plug);
    if (ev->vctx != NULL)
      xmlSchemaFreeValidCtxt(ev->vctx);
    fat_free(ev);
    return fat_err_oom(err);
  }
  *out = ev;
  return FAT_OK;
}

void fat_tiss_xsd_start(fat_tiss_xsd_events *ev, const char *local, int root)
{
  const xmlChar *ns[2] = {BAD_CAST "ans", BAD_CAST FAT_TISS_NS};

  ev->sax->startElementNs(ev->user, BAD_CAST local, BAD_CAST "ans", BAD_CAST FAT_TISS_NS,
                          root ? 1 : 0, root ? ns : NULL, 0, 0, NULL);
}

void fat_tiss_xsd_text(fat_tiss_xsd_events *ev, const char *utf8, size_t n)
{
  if (n > 0 && n <= (size_t)INT_MAX)
    ev->sax->characters(ev->user, BAD_CAST utf8, (int)n);
}

void fat_tiss_xsd_end(fat_tiss_xsd_events *ev, const char *local)
{
  ev->sax->endElementNs(ev->user, BAD_CAST local, BAD_CAST "ans", BAD_CAST FAT_TISS_NS);
}

int fat_tiss_xsd_events_finish(fat_tiss_xsd_events *ev)
{
  int ok;

  if (ev == NULL)
    return 0;
  ok = xmlSchemaSAXUnplug(ev->plug) == 0 && xmlSchemaIsValid(ev->vctx) == 1 && ev->n_err == 0;
  xmlSchemaFreeValidCtxt(ev->vctx);
  fat_free(ev);
  return ok;
}

fat_rc fat_tiss_xsd_result_err(const fat_tiss_xsd_result *r, size_t max, fat_err *err)
{
  char msg[sizeof err->msg];
  size_t used, i;
  int n;

  n = snprintf(msg, sizeof msg, "XML inválido pelo XSD TISS (%zu erro%s)", r->n_erros,
               r->n_erros == 1 ? "" : "s");
  used = n > 0 ? (size_t)n : 0;
  for (i = 0; i < r->n_guardados && i < max && used + 1 < sizeof msg; i++) {
    const fat_tiss_xsd_error *x = &r->erros[i];

    n = snprintf(msg + used, sizeof msg - used, "; linha %d%s%s: %s", x->linha,
                 x->elemento != NULL ? ", elemento " : "", x->elemento != NULL ? x->elemento : "",
                 x->mensagem);
    if (n < 0)
      break;
    used += (size_t)n;
  }
  return fat_err_set(err, FAT_EXML, "%s", msg);
}
