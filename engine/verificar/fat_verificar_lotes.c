/* fat_verificar_lotes.c: the invariants that read a lote's XML (what was
** sent) and the rules' stored scripts: checks SQL cannot say. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fat_lote_xml.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_money.h"
#include "fat_sha256.h"
#include "fat_store_int.h"
#include "fat_tiss_hash.h"
#include "fat_tiss_read.h"
#include "fat_verificar_int.h"

/* Keep what the checks need from a lote's XML. */
static fat_rc lote_from_xml(fat_verif_lote *l, const void *xml, size_t len, fat_err *err)
{
  fat_tiss_msg *m = NULL;
  fat_err e;
  size_t p, g, n = 0;
  int utf8 = fat_tiss_enc_parse(l->enc) == FAT_TISS_UTF8;
  fat_rc rc = FAT_OK;

  fat_err_clear(&e);
  if (fat_tiss_read_memory(xml, len, "lote", &m, &e) != FAT_OK) {
    if (e.rc == FAT_ENOMEM) {
      rc = fat_err_oom(err);
      goto out;
    }
    l->erro = fat_strdup(e.msg);
    if (l->erro == NULL)
      rc = fat_err_oom(err);
    goto out;
  }
  l->tem_hash = m->tem_hash;
  snprintf(l->declarado, sizeof l->declarado, "%s", m->hash_declarado);
  snprintf(l->calculado, sizeof l->calculado, "%s", utf8 ? m->hash_utf8 : m->hash_iso);
  for (p = 0; p < m->n_protocolos; p++)
    n += m->protocolos[p].n_guias;
  l->guias = fat_calloc(n > 0 ? n : 1, sizeof *l->guias);
  if (l->guias == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  for (p = 0; p < m->n_protocolos; p++) {
    for (g = 0; g < m->protocolos[p].n_guias; g++) {
      const fat_ret_guia *rg = &m->protocolos[p].guias[g];

      l->guias[l->n_guias].numero = fat_strdup(rg->numero_prestador != NULL
                                                   ? rg->numero_prestador
                                                   : "");
      if (l->guias[l->n_guias].numero == NULL) {
        rc = fat_err_oom(err);
        goto out;
      }
      l->guias[l->n_guias].informado = rg->informado;
      l->n_guias++;
    }
  }
out:
  fat_tiss_msg_free(m);
  return rc;
}

static int cmp_ref(const void *a, const void *b)
{
  const fat_verif_ref *x = a, *y = b;
  int c;

  if (x->operadora_id != y->operadora_id)
    return x->operadora_id < y->operadora_id ? -1 : 1;
  c = strcmp(x->numero, y->numero);
  if (c != 0)
    return c;
  return (x->lote->id > y->lote->id) - (x->lote->id < y->lote->id);
}

/* Index every XML guia of the loaded lotes (c->refs, sorted). */
static fat_rc build_refs(fat_verif_ctx *c, fat_err *err)
{
  size_t i, k, m = 0;

  for (i = 0; i < c->n_lotes; i++)
    m += c->lotes[i].n_guias;
  c->refs = fat_calloc(m > 0 ? m : 1, sizeof *c->refs);
  if (c->refs == NULL)
    return fat_err_oom(err);
  for (i = 0; i < c->n_lotes; i++) {
    for (k = 0; k < c->lotes[i].n_guias; k++) {
      c->refs[c->n_refs].operadora_id = c->lotes[i].operadora_id;
      c->refs[c->n_refs].numero = c->lotes[i].guias[k].numero;
      c->refs[c->n_refs].lote = &c->lotes[i];
      c->n_refs++;
    }
  }
  qsort(c->refs, c->n_refs, sizeof *c->refs, cmp_ref);
  return FAT_OK;
}

/* True when guia numero of operadora op is in the XML of a lote other than l. */
static int in_other_xml(const fat_verif_ctx *c, int64_t op, const char *numero,
                        const fat_verif_lote *l)
{
  size_t lo = 0, hi = c->n_refs, mid;
  const fat_verif_ref *r;

  while (lo < hi) { /* first ref >= (op, numero) */
    mid = lo + (hi - lo) / 2;
    r = &c->refs[mid];
    if (r->operadora_id < op || (r->operadora_id == op && strcmp(r->numero, numero) < 0))
      lo = mid + 1;
    else
      hi = mid;
  }
  for (; lo < c->n_refs; lo++) {
    r = &c->refs[lo];
    if (r->operadora_id != op || strcmp(r->numero, numero) != 0)
      break;
    if (r->lote != l)
      return 1;
  }
  return 0;
}

fat_rc fat_verif_lotes(fat_verif_ctx *c, fat_verif_lote **out, size_t *n, fat_err *err)
{
  static const char sql[] =
      "SELECT l.id, l.numero, l.operadora_id, l.status, l.hash, l.hash_encoding, NULL, o.nome"
      " FROM lote l JOIN operadora o ON o.id = l.operadora_id"
      " WHERE l.status <> 'aberto' ORDER BY l.id";
  fat_stmt *s = NULL;
  fat_verif_lote *grown;
  char *xml = NULL;
  size_t cap = 0, xml_len = 0;
  int r = FAT_DONE;
  fat_rc rc = FAT_OK;

  if (c->lotes_lidos)
    goto out;
  rc = fat_store_prepare(c->st, sql, &s, err);
  if (rc != FAT_OK)
    goto out;
  while (rc == FAT_OK) {
    fat_verif_lote *l;

    r = fat_stmt_step(s);
    if (r != FAT_ROW)
      break;
    if (c->n_lotes == cap) {
      cap = cap == 0 ? 64 : cap * 2;
      grown = fat_realloc(c->lotes, cap * sizeof *grown);
      if (grown == NULL) {
        rc = fat_err_oom(err);
        break;
      }
      c->lotes = grown;
    }
    l = &c->lotes[c->n_lotes++];
    memset(l, 0, sizeof *l);
    l->id = fat_col_int64(s, 0);
    l->numero = fat_col_int64(s, 1);
    l->operadora_id = fat_col_int64(s, 2);
    fat_col_copy(s, 3, l->status, sizeof l->status);
    fat_col_copy(s, 4, l->hash, sizeof l->hash);
    fat_col_copy(s, 5, l->enc, sizeof l->enc);
    fat_col_copy(s, 7, l->operadora, sizeof l->operadora);
    rc = fat_lote_xml_ler(c->st, l->id, &xml, &xml_len, err);
    if (rc == FAT_EXML) {
      /* a damaged frame is this lote's violation (lote_inalterado_desde_hash),
      ** not the end of the verification */
      l->tem_xml = 1;
      l->erro = fat_strdup(err->msg);
      rc = l->erro != NULL ? FAT_OK : fat_err_oom(err);
      if (rc == FAT_OK)
        fat_err_clear(err);
      continue;
    }
    l->tem_xml = rc == FAT_OK && xml != NULL;
    if (l->tem_xml)
      rc = lote_from_xml(l, xml, xml_len, err);
    fat_free(xml);
    xml = NULL;
  }
  if (rc == FAT_OK && r != FAT_DONE)
    rc = fat_store_dberr(c->st, err, "erro ao ler os lotes");
  fat_stmt_reset(s);
  if (rc == FAT_OK)
    rc = build_refs(c, err);
  if (rc == FAT_OK)
    c->lotes_lidos = 1;
out:
  *out = c->lotes;
  *n = c->n_lotes;
  return rc;
}

/* "lote 3 de Aurora Saúde" */
static void lote_nome(const fat_verif_lote *l, char *buf, size_t len)
{
  snprintf(buf, len, "lote %" PRId64 " de %s", l->numero, l->operadora);
}

static fat_rc viol(fat_verif_ctx *c, const char *objeto, int64_t id, fat_err *err,
                   const char *fmt, ...) FAT_PRINTF(5, 6);
static fat_rc viol(fat_verif_ctx *c, const char *objeto, int64_t id, fat_err *err,
                   const char *fmt, ...)
{
  char msg[768];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return fat_verif_reportar(c, objeto, id, msg, err);
}

fat_rc fat_verif_lote_hash(fat_verif_ctx *c, fat_err *err)
{
  fat_verif_lote *v;
  size_t n, i;
  char nome[160];
  fat_rc rc = fat_verif_lotes(c, &v, &n, err);

  for (i = 0; rc == FAT_OK && i < n; i++) {
    const fat_verif_lote *l = &v[i];

    lote_nome(l, nome, sizeof nome);
    if (!l->tem_xml)
      rc = viol(c, "lote", l->id, err, "%s está '%s' sem o XML com que foi fechado", nome,
                l->status);
    else if (l->erro != NULL)
      rc = viol(c, "lote", l->id, err, "o XML do %s não pode ser lido: %s", nome, l->erro);
    else if (l->hash[0] == '\0')
      rc = viol(c, "lote", l->id, err, "%s não registra o hash do seu XML", nome);
    else if (!l->tem_hash)
      rc = viol(c, "lote", l->id, err, "o XML do %s não tem o hash no epílogo", nome);
    else if (strcasecmp(l->declarado, l->hash) != 0)
      rc = viol(c, "lote", l->id, err, "o XML do %s declara o hash %s, mas o lote registra %s",
                nome, l->declarado, l->hash);
    else if (strcasecmp(l->calculado, l->declarado) != 0)
      rc = viol(c, "lote", l->id, err,
                "o conteúdo do XML do %s não confere mais com o hash %s: foi alterado depois "
                "do fechamento",
                nome, l->hash);
  }
  return rc;
}

static int cmp_xml_guia(const void *a, const void *b)
{
  return strcmp(((const fat_verif_xml_guia *)a)->numero, ((const fat_verif_xml_guia *)b)->numero);
}

/* A guia of l's XML that is not in l: a violation here, unless it is in
** another lote's XML too (then guia_em_dois_lotes says so). */
static fat_rc xml_only(fat_verif_ctx *c, const fat_verif_lote *l, size_t x, const char *nome,
                       fat_err *err)
{
  if (in_other_xml(c, l->operadora_id, l->guias[x].numero, l))
    return FAT_OK;
  return viol(c, "lote", l->id, err, "a guia %s está no XML do %s, mas não no lote",
              l->guias[x].numero, nome);
}

/* Compare one lote's XML guias (sorted) with its guias in the database. */
static fat_rc compare_lote(fat_verif_ctx *c, fat_verif_lote *l, fat_err *err)
{
  static const char sql[] = "SELECT id, numero_prestador, valor_total FROM guia"
                            " WHERE lote_id = ?1 ORDER BY numero_prestador";
  fat_stmt *s = NULL;
  size_t x = 0;
  int r = FAT_DONE, cmp;
  char nome[160], a[48], b[48];
  fat_rc rc;

  lote_nome(l, nome, sizeof nome);
  qsort(l->guias, l->n_guias, sizeof *l->guias, cmp_xml_guia);
  rc = fat_store_prepare(c->st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, l->id);
  for (;;) {
    const char *num;
    int64_t id, valor;

    r = fat_stmt_step(s);
    if (r != FAT_ROW)
      break;
    id = fat_col_int64(s, 0);
    num = fat_col_text(s, 1) != NULL ? fat_col_text(s, 1) : "";
    valor = fat_col_int64(s, 2);
    while (rc == FAT_OK && x < l->n_guias && strcmp(l->guias[x].numero, num) < 0) {
      rc = xml_only(c, l, x, nome, err);
      x++;
    }
    if (rc != FAT_OK)
      break;
    cmp = x < l->n_guias ? strcmp(l->guias[x].numero, num) : 1;
    if (cmp != 0) {
      rc = viol(c, "guia", id, err, "a guia %s está no %s, mas não no XML enviado", num, nome);
      continue;
    }
    if (l->guias[x].informado != valor) {
      fat_money_format_br(l->guias[x].informado == INT64_MIN ? 0 : l->guias[x].informado, a,
                          sizeof a);
      fat_money_format_br(valor, b, sizeof b);
      rc = viol(c, "guia", id, err, "a guia %s do %s foi enviada com %s, mas hoje vale %s", num,
                nome, a, b);
    }
    x++;
    while (rc == FAT_OK && x < l->n_guias && strcmp(l->guias[x].numero, num) == 0) {
      rc = viol(c, "lote", l->id, err, "a guia %s aparece mais de uma vez no XML do %s", num,
                nome);
      x++;
    }
    if (rc != FAT_OK)
      break;
  }
  if (rc == FAT_OK && r != FAT_DONE && r != FAT_ROW)
    rc = fat_store_dberr(c->st, err, "erro ao ler as guias do lote");
  fat_stmt_reset(s);
  for (; rc == FAT_OK && x < l->n_guias; x++)
    rc = xml_only(c, l, x, nome, err);
  return rc;
}

fat_rc fat_verif_lote_guias_xml(fat_verif_ctx *c, fat_err *err)
{
  fat_verif_lote *v;
  size_t n, i;
  fat_rc rc = fat_verif_lotes(c, &v, &n, err);

  for (i = 0; rc == FAT_OK && i < n; i++)
    if (v[i].tem_xml && v[i].erro == NULL)
      rc = compare_lote(c, &v[i], err);
  return rc;
}

fat_rc fat_verif_guia_dois_lotes(fat_verif_ctx *c, fat_err *err)
{
  fat_verif_lote *v;
  const fat_verif_ref *refs;
  size_t n, i;
  char nome[160];
  fat_rc rc = fat_verif_lotes(c, &v, &n, err);

  refs = c->refs;
  for (i = 1; rc == FAT_OK && i < c->n_refs; i++) {
    if (refs[i].operadora_id != refs[i - 1].operadora_id ||
        strcmp(refs[i].numero, refs[i - 1].numero) != 0 || refs[i].lote == refs[i - 1].lote)
      continue;
    lote_nome(refs[i].lote, nome, sizeof nome);
    rc = viol(c, "lote", refs[i].lote->id, err,
              "a guia %s está no XML do %s e também no do lote %" PRId64, refs[i].numero, nome,
              refs[i - 1].lote->numero);
  }
  return rc;
}

/* ---- rule generations ---- */

/* Finish one generation: its hash over the "chave sha256" lines in b. */
static fat_rc geracao_fim(fat_verif_ctx *c, int64_t id, const char *hash, fat_buf *b,
                          fat_err *err)
{
  char calc[65];

  if (hash == NULL || hash[0] == '\0')
    return FAT_OK;
  fat_sha256_hex(b->data != NULL ? b->data : "", b->len, calc);
  if (strcasecmp(calc, hash) == 0)
    return FAT_OK;
  return viol(c, "regra_geracao", id, err,
              "a geração de regras %" PRId64 " registra o hash %.12s..., mas seus scripts "
              "guardados dão %.12s...",
              id, hash, calc);
}

fat_rc fat_verif_regra_geracao(fat_verif_ctx *c, fat_err *err)
{
  static const char sql[] =
      "SELECT g.id, g.hash, s.id, s.chave, s.sha256, s.conteudo FROM regra_geracao g"
      " LEFT JOIN regra_script s ON s.geracao_id = g.id ORDER BY g.id, s.chave";
  fat_stmt *s = NULL;
  fat_buf b;
  int64_t cur = 0;
  char hash[80] = "", calc[65];
  int r = FAT_DONE;
  fat_rc rc;

  fat_buf_init(&b, (size_t)1 << 24);
  rc = fat_store_prepare(c->st, sql, &s, err);
  if (rc != FAT_OK)
    goto out;
  while (rc == FAT_OK) {
    const char *chave, *sha, *txt;

    r = fat_stmt_step(s);
    if (r != FAT_ROW)
      break;
    if (fat_col_int64(s, 0) != cur) {
      if (cur != 0)
        rc = geracao_fim(c, cur, hash, &b, err);
      cur = fat_col_int64(s, 0);
      fat_col_copy(s, 1, hash, sizeof hash);
      fat_buf_reset(&b);
    }
    if (rc != FAT_OK || fat_col_is_null(s, 2))
      continue;
    chave = fat_col_text(s, 3) != NULL ? fat_col_text(s, 3) : "";
    sha = fat_col_text(s, 4) != NULL ? fat_col_text(s, 4) : "";
    txt = fat_col_text(s, 5);
    fat_sha256_hex(txt != NULL ? txt : "", (size_t)fat_col_bytes(s, 5), calc);
    if (strcasecmp(calc, sha) != 0)
      rc = viol(c, "regra_script", fat_col_int64(s, 2), err,
                "o script %s da geração de regras %" PRId64 " foi alterado depois de "
                "publicado: registra %.12s..., o conteúdo dá %.12s...",
                chave, cur, sha, calc);
    if (rc == FAT_OK)
      rc = fat_buf_printf(&b, err, "%s %s\n", chave, sha);
  }
  if (rc == FAT_OK && r != FAT_DONE)
    rc = fat_store_dberr(c->st, err, "erro ao ler as gerações de regras");
  fat_stmt_reset(s);
  if (rc == FAT_OK && cur != 0)
    rc = geracao_fim(c, cur, hash, &b, err);
out:
  fat_buf_fini(&b);
  return rc;
}
