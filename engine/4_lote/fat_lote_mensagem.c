/* fat_lote_mensagem.c: the other messages of a sent lote: the status of its
** protocolo (SOLIC_STATUS_PROTOCOLO) and its cancellation, whole or of some
** guias (CANCELA_GUIA); written with the TISS writer, validated against the
** XSD and kept in mensagem_enviada. */
#include "fat_lote.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fat_lote_int.h"
#include "fat_mem.h"
#include "fat_store_int.h"
#include "fat_tiss_validate.h"
#include "fat_tiss_write.h"

void fat_lote_mensagem_fini(fat_lote_mensagem *m)
{
  if (m == NULL)
    return;
  fat_free(m->xml);
  memset(m, 0, sizeof *m);
}

/* What the messages need about a lote and its parties. */
typedef struct msg_lote {
  int64_t operadora_id, numero, seq;
  char status[16], protocolo[40], ans[16], codpre[32], cnpj[24], cpf[24], enc[16];
} msg_lote;

static fat_rc load_lote(fat_store *st, int64_t id, msg_lote *l, fat_err *err)
{
  static const char sql[] =
      "SELECT l.operadora_id, l.numero, l.status, COALESCE(l.protocolo, ''), o.registro_ans,"
      " COALESCE((SELECT po.codigo FROM prestador_operadora po WHERE po.prestador_id ="
      " l.prestador_id AND po.operadora_id = l.operadora_id), ''), COALESCE(p.cnpj, ''),"
      " COALESCE(p.cpf, ''), COALESCE(l.hash_encoding, 'ISO-8859-1'),"
      " (SELECT COALESCE(max(id), 0) + 1 FROM mensagem_enviada)"
      " FROM lote l JOIN operadora o ON o.id = l.operadora_id"
      " JOIN prestador p ON p.id = l.prestador_id WHERE l.id = ?1";
  fat_stmt *s;
  fat_rc rc;

  memset(l, 0, sizeof *l);
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  if (fat_stmt_step(s) != FAT_ROW) {
    fat_stmt_reset(s);
    return fat_err_set(err, FAT_ENOTFOUND, "lote %" PRId64 " não existe", id);
  }
  l->operadora_id = fat_col_int64(s, 0);
  l->numero = fat_col_int64(s, 1);
  fat_col_copy(s, 2, l->status, sizeof l->status);
  fat_col_copy(s, 3, l->protocolo, sizeof l->protocolo);
  fat_col_copy(s, 4, l->ans, sizeof l->ans);
  fat_col_copy(s, 5, l->codpre, sizeof l->codpre);
  fat_col_copy(s, 6, l->cnpj, sizeof l->cnpj);
  fat_col_copy(s, 7, l->cpf, sizeof l->cpf);
  fat_col_copy(s, 8, l->enc, sizeof l->enc);
  l->seq = fat_col_int64(s, 9);
  fat_stmt_reset(s);
  return FAT_OK;
}

static void cabecalho(const msg_lote *l, char *seq, size_t len, fat_tiss_cabecalho *cab)
{
  snprintf(seq, len, "%" PRId64, l->seq);
  memset(cab, 0, sizeof *cab);
  cab->sequencial = seq;
  cab->codigo_prestador = l->codpre[0] != '\0' ? l->codpre : NULL;
  cab->cnpj_prestador = l->cnpj[0] != '\0' ? l->cnpj : NULL;
  cab->cpf_prestador = l->cpf[0] != '\0' ? l->cpf : NULL;
  cab->registro_ans = l->ans;
}

static fat_tiss_enc enc_of(const msg_lote *l)
{
  int e = fat_tiss_enc_parse(l->enc);

  return e >= 0 ? (fat_tiss_enc)e : FAT_TISS_ISO88591;
}

/* Validate doc (when xsd_dir), store it in mensagem_enviada, audit it and
** hand it to out (doc's bytes move to out). */
static fat_rc keep(fat_store *st, int64_t lote_id, const msg_lote *l, const char *tipo,
                   const char *prefixo, const char *guias, const char *motivo,
                   const char *xsd_dir, fat_tiss_doc *doc, fat_lote_mensagem *out,
                   fat_err *err)
{
  static const char ins[] =
      "INSERT INTO mensagem_enviada (tipo, operadora_id, lote_id, protocolo, guias, motivo,"
      " arquivo, hash, xml, validado, usuario) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
      " ?11)";
  fat_tiss_xsd_result xr;
  fat_stmt *s;
  char obj[32], det[400];
  fat_rc rc = FAT_OK;

  memset(&xr, 0, sizeof xr);
  if (xsd_dir != NULL) {
    rc = fat_tiss_validate_memory(xsd_dir, doc->xml, doc->len, &xr, err);
    if (rc == FAT_OK && !xr.valido)
      rc = fat_tiss_xsd_result_err(&xr, 5, err);
    fat_tiss_xsd_result_fini(&xr);
    if (rc != FAT_OK)
      return fat_err_prefix(err, "%s do lote %" PRId64 " não foi gravado: ", tipo, l->numero);
  }
  snprintf(out->arquivo, sizeof out->arquivo, "%s_%020" PRId64 "_%s.xml", prefixo, l->numero,
           doc->hash);
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_prepare(st, ins, &s, err);
  if (rc != FAT_OK)
    goto fail;
  fat_bind_text(s, 1, tipo);
  fat_bind_int(s, 2, l->operadora_id);
  fat_bind_int(s, 3, lote_id);
  fat_bind_text(s, 4, l->protocolo[0] != '\0' ? l->protocolo : NULL);
  fat_bind_text(s, 5, guias);
  fat_bind_text(s, 6, motivo);
  fat_bind_text(s, 7, out->arquivo);
  fat_bind_text(s, 8, doc->hash);
  fat_bind_blob(s, 9, doc->xml, doc->len);
  fat_bind_int(s, 10, xsd_dir != NULL);
  fat_bind_text(s, 11, fat_store_user(st));
  rc = fat_store_step_done(st, s, "erro ao gravar a mensagem enviada", err);
  if (rc != FAT_OK)
    goto fail;
  out->id = fat_store_last_id(st);
  snprintf(obj, sizeof obj, "lote:%" PRId64, lote_id);
  snprintf(det, sizeof det, "%s (mensagem %" PRId64 ")%s%s%s%s", tipo, out->id,
           guias != NULL ? ", guias " : "", guias != NULL ? guias : "",
           motivo != NULL ? ": " : "", motivo != NULL ? motivo : "");
  rc = fat_store_audit(st, strcmp(tipo, "CANCELA_GUIA") == 0 ? "lote.cancelar" : "lote.status",
                       obj, det, err);
  if (rc != FAT_OK)
    goto fail;
  rc = fat_store_commit(st, err);
  if (rc != FAT_OK)
    return rc;
  memcpy(out->hash, doc->hash, sizeof out->hash);
  out->xml = doc->xml;
  out->len = doc->len;
  out->validado = xsd_dir != NULL;
  doc->xml = NULL;
  return FAT_OK;
fail:
  fat_store_rollback(st);
  return rc;
}

fat_rc fat_lote_status_protocolo(fat_store *st, int64_t id, const char *xsd_dir,
                                 fat_lote_mensagem *out, fat_err *err)
{
  fat_tiss_cabecalho cab;
  fat_tiss_doc doc;
  msg_lote l;
  char seq[24];
  fat_rc rc;

  memset(out, 0, sizeof *out);
  memset(&doc, 0, sizeof doc);
  rc = load_lote(st, id, &l, err);
  if (rc != FAT_OK)
    return rc;
  if (l.protocolo[0] == '\0')
    return fat_err_set(err, FAT_ESTATE,
                       "o lote %" PRId64 " (número %" PRId64 ") não tem protocolo registrado: a "
                       "situação se pede pelo protocolo (faturo lote protocolo %" PRId64
                       " NUMERO --data AAAA-MM-DD)",
                       id, l.numero, id);
  cabecalho(&l, seq, sizeof seq, &cab);
  rc = fat_tiss_write_status_protocolo(&cab, enc_of(&l), l.protocolo, &doc, err);
  if (rc == FAT_OK)
    rc = keep(st, id, &l, "SOLIC_STATUS_PROTOCOLO", "status", NULL, NULL, xsd_dir, &doc, out,
              err);
  fat_tiss_doc_fini(&doc);
  return rc;
}

/* The guias of lote id named in numeros[0..n), as the writer wants them;
** strings point into *arena (fat_free both). */
static fat_rc load_guias(fat_store *st, int64_t id, const msg_lote *l,
                         const char *const *numeros, size_t n, fat_tiss_cancela_guia **out,
                         char **arena, fat_err *err)
{
  static const char sql[] =
      "SELECT numero_prestador, COALESCE(numero_operadora, '') FROM guia"
      " WHERE lote_id = ?1 AND numero_prestador = ?2";
  fat_tiss_cancela_guia *v;
  fat_stmt *s;
  char *a;
  size_t i, per = 64;
  fat_rc rc = FAT_OK;

  *out = NULL;
  *arena = NULL;
  v = fat_calloc(n, sizeof *v);
  a = fat_calloc(n, 2 * per);
  if (v == NULL || a == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  for (i = 0; rc == FAT_OK && i < n; i++) {
    char *np = a + 2 * per * i, *no = np + per;

    rc = fat_store_prepare(st, sql, &s, err);
    if (rc != FAT_OK)
      break;
    fat_bind_int(s, 1, id);
    fat_bind_text(s, 2, numeros[i]);
    if (fat_stmt_step(s) == FAT_ROW) {
      fat_col_copy(s, 0, np, per);
      fat_col_copy(s, 1, no, per);
      v[i].numero_prestador = np;
      v[i].numero_operadora = no[0] != '\0' ? no : NULL;
      v[i].protocolo = l->protocolo[0] != '\0' ? l->protocolo : NULL;
    } else {
      rc = fat_err_set(err, FAT_ENOTFOUND, "a guia %s não está no lote %" PRId64, numeros[i],
                       id);
    }
    fat_stmt_reset(s);
  }
out:
  if (rc != FAT_OK) {
    fat_free(v);
    fat_free(a);
    return rc;
  }
  *out = v;
  *arena = a;
  return FAT_OK;
}

fat_rc fat_lote_cancelar(fat_store *st, int64_t id, const char *const *guias, size_t n,
                         const char *motivo, const char *xsd_dir, fat_lote_mensagem *out,
                         fat_err *err)
{
  fat_tiss_cancela_guia *gs = NULL;
  fat_tiss_cabecalho cab;
  fat_tiss_doc doc;
  fat_buf lista;
  msg_lote l;
  char seq[24], num[24], *arena = NULL;
  size_t i;
  fat_rc rc;

  memset(out, 0, sizeof *out);
  memset(&doc, 0, sizeof doc);
  if (motivo == NULL || motivo[0] == '\0')
    return fat_err_set(err, FAT_EINVAL, "informe o motivo do cancelamento (--motivo)");
  fat_buf_init(&lista, 64 * 1024);
  rc = load_lote(st, id, &l, err);
  if (rc != FAT_OK)
    goto out;
  if (strcmp(l.status, "aberto") == 0 || strcmp(l.status, "fechado") == 0) {
    rc = fat_err_set(err, FAT_ESTATE,
                     "o lote %" PRId64 " ainda não foi enviado (%s): não há o que cancelar na "
                     "operadora; para mudar suas guias use faturo lote reabrir",
                     id, l.status);
    goto out;
  }
  cabecalho(&l, seq, sizeof seq, &cab);
  if (n == 0) {
    snprintf(num, sizeof num, "%" PRId64, l.numero);
    rc = fat_tiss_write_cancela_lote(&cab, enc_of(&l), num,
                                     l.protocolo[0] != '\0' ? l.protocolo : NULL, &doc, err);
  } else {
    rc = load_guias(st, id, &l, guias, n, &gs, &arena, err);
    for (i = 0; rc == FAT_OK && i < n; i++)
      rc = fat_buf_printf(&lista, err, "%s%s", i > 0 ? "," : "", gs[i].numero_prestador);
    if (rc == FAT_OK)
      rc = fat_tiss_write_cancela_guias(&cab, enc_of(&l), gs, n, &doc, err);
  }
  if (rc == FAT_OK)
    rc = keep(st, id, &l, "CANCELA_GUIA", "cancela", n > 0 ? lista.data : NULL, motivo,
              xsd_dir, &doc, out, err);
out:
  fat_tiss_doc_fini(&doc);
  fat_buf_fini(&lista);
  fat_free(gs);
  fat_free(arena);
  return rc;
}

fat_rc fat_lote_mensagens(fat_store *st, int64_t id, cJSON **out, fat_err *err)
{
  static const char sql[] =
      "SELECT id AS id, tipo AS tipo, protocolo AS protocolo, guias AS guias, motivo AS motivo,"
      " arquivo AS arquivo, hash AS hash, validado AS validado, criado_em AS criado_em,"
      " usuario AS usuario FROM mensagem_enviada WHERE lote_id = ?1 ORDER BY id";
  fat_stmt *s;
  fat_rc rc;

  *out = NULL;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  return fat_store_rows_json(st, s, 1, "erro ao listar as mensagens do lote", out, err);
}
