/* fat_lote.c: the lote's state machine (reabrir, enviado, protocolo,
** situação), its event log, the stored XML and the operadora resolver. Closing
** is in fat_lote_fechar.c, periods in fat_lote_periodo.c, listings in
** fat_lote_listar.c. */
#include "fat_lote.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fat_calendario.h"
#include "fat_dia.h"
#include "fat_lote_int.h"
#include "fat_lote_xml.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_operadora.h"
#include "fat_store_int.h"
#include "fat_rotulo.h"


void fat_lote_add_days(const char *date, int n, char out[11])
{
  int32_t d;

  if (fat_dia_parse(date, &d) != 0) {
    out[0] = '\0';
    return;
  }
  fat_dia_format(d + n, out, 11);
}

fat_rc fat_lote_evento(fat_store *st, int64_t lote_id, const char *de, const char *para,
                       const char *data, const char *detalhe, fat_err *err)
{
  static const char sql[] = "INSERT INTO lote_evento (lote_id, usuario, de, para, data, detalhe) "
                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
  fat_stmt *s;
  char obj[32], det[600];
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, lote_id);
  fat_bind_text(s, 2, fat_store_user(st));
  fat_bind_text(s, 3, de);
  fat_bind_text(s, 4, para);
  fat_bind_text(s, 5, data);
  fat_bind_text(s, 6, detalhe);
  rc = fat_store_step_done(st, s, "erro ao registrar evento do lote", err);
  if (rc != FAT_OK)
    return rc;
  snprintf(obj, sizeof obj, "lote:%" PRId64, lote_id);
  snprintf(det, sizeof det, "%s -> %s%s%s", de != NULL ? de : "-", para,
           detalhe != NULL ? ": " : "", detalhe != NULL ? detalhe : "");
  return fat_store_audit(st, para[0] == 'a' ? "lote.reabrir" : "lote.situacao", obj, det, err);
}

fat_rc fat_lote_operadora(fat_store *st, const char *ref, int64_t *id, char *key_out,
                          size_t key_len, fat_err *err)
{
  fat_operadora_ref op;
  fat_rc rc = fat_operadora_resolver_ref(st, ref, &op, err);

  *id = op.id;
  if (rc == FAT_OK && key_out != NULL)
    snprintf(key_out, key_len, "%s", op.script);
  return rc;
}


fat_rc fat_lote_ref(fat_store *st, const char *ref, int64_t *lote_id, fat_err *err)
{
  static const char by_id[] = "SELECT id FROM lote WHERE id = ?1";
  static const char by_num[] = "SELECT id FROM lote WHERE operadora_id = ?1 AND numero = ?2";
  fat_stmt *s;
  const char *slash;
  char op[64];
  fat_operadora_ref opr;
  char *end;
  long long v;
  fat_rc rc;

  *lote_id = 0;
  if (ref == NULL || *ref == '\0')
    return fat_err_set(err, FAT_EINVAL, "informe o lote");
  slash = strchr(ref, '/');
  if (slash != NULL) {
    if ((size_t)(slash - ref) >= sizeof op)
      return fat_err_set(err, FAT_EINVAL, "lote '%s' inválido", ref);
    memcpy(op, ref, (size_t)(slash - ref));
    op[slash - ref] = '\0';
    v = strtoll(slash + 1, &end, 10);
    if (*end != '\0' || v <= 0)
      return fat_err_set(err, FAT_EINVAL, "lote '%s' inválido (use OPERADORA/NUMERO)", ref);
    rc = fat_operadora_resolver_ref(st, op, &opr, err);
    if (rc == FAT_OK)
      rc = fat_store_prepare(st, by_num, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, opr.id);
    fat_bind_int(s, 2, v);
  } else {
    v = strtoll(ref[0] == '#' ? ref + 1 : ref, &end, 10);
    if (*end != '\0' || v <= 0)
      return fat_err_set(err, FAT_EINVAL, "lote '%s' inválido (use ID ou OPERADORA/NUMERO)", ref);
    rc = fat_store_prepare(st, by_id, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, v);
  }
  if (fat_stmt_step(s) == FAT_ROW)
    *lote_id = fat_col_int64(s, 0);
  fat_stmt_reset(s);
  if (*lote_id == 0)
    return fat_err_set(err, FAT_ENOTFOUND, "lote %s não encontrado", ref);
  return FAT_OK;
}

static fat_rc lote_status(fat_store *st, int64_t id, char status[16], fat_err *err)
{
  static const char sql[] = "SELECT status FROM lote WHERE id = ?1";
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  if (fat_stmt_step(s) != FAT_ROW) {
    fat_stmt_reset(s);
    return fat_err_set(err, FAT_ENOTFOUND, "lote %" PRId64 " não existe", id);
  }
  fat_col_copy(s, 0, status, 16);
  fat_stmt_reset(s);
  return FAT_OK;
}

fat_rc fat_lote_reabrir(fat_store *st, int64_t id, const char *motivo, fat_err *err)
{
  static const char upd_g[] =
    "UPDATE guia SET status = 'conferida', lote_id = NULL WHERE lote_id = ?1";
  static const char upd_l[] =
    "UPDATE lote SET status = 'aberto', qtd_guias = 0, valor_informado = 0, hash = NULL,"
    " arquivo = NULL, validado = 0, motivo_reabertura = ?2 WHERE id = ?1";
  fat_stmt *s;
  char status[16];
  fat_rc rc;

  if (motivo == NULL || motivo[0] == '\0')
    return fat_err_set(err, FAT_EINVAL, "informe o motivo da reabertura (--motivo)");
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = lote_status(st, id, status, err);
  if (rc != FAT_OK)
    goto fail;
  if (strcmp(status, "fechado") != 0) {
    rc = fat_err_set(err, FAT_ESTATE,
                     strcmp(status, "aberto") == 0
                       ? "lote %" PRId64 " já está aberto"
                       : "lote %" PRId64 " já foi enviado (%s): um lote enviado não pode ser "
                         "reaberto nem alterado",
                     id, status);
    goto fail;
  }
  rc = fat_store_prepare(st, upd_g, &s, err);
  if (rc != FAT_OK)
    goto fail;
  fat_bind_int(s, 1, id);
  rc = fat_store_step_done(st, s, "erro ao devolver guias", err);
  if (rc != FAT_OK)
    goto fail;
  rc = fat_store_prepare(st, upd_l, &s, err);
  if (rc != FAT_OK)
    goto fail;
  fat_bind_int(s, 1, id);
  fat_bind_text(s, 2, motivo);
  rc = fat_store_step_done(st, s, "erro ao reabrir lote", err);
  if (rc != FAT_OK)
    goto fail;
  rc = fat_lote_xml_gravar(st, id, NULL, 0, err);
  if (rc != FAT_OK)
    goto fail;
  rc = fat_lote_evento(st, id, "fechado", "aberto", NULL, motivo, err);
  if (rc != FAT_OK)
    goto fail;
  return fat_store_commit(st, err);
fail:
  fat_store_rollback(st);
  return rc;
}

/* Move a lote from one of `from` (NULL-terminated) to `to`, running `sql`
** (?1 = id, ?2 = a, ?3 = b, ?4 = c) and, when guia_status is set, the guias too. */
static fat_rc transition(fat_store *st, int64_t id, const char *const *from, const char *to,
                         const char *sql, const char *a, const char *b, const char *c,
                         const char *guia_status, const char *data, const char *detalhe,
                         fat_err *err)
{
  static const char upd_g[] = "UPDATE guia SET status = ?2 WHERE lote_id = ?1";
  fat_stmt *s;
  char status[16];
  int ok = 0, i;
  fat_rc rc;

  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = lote_status(st, id, status, err);
  if (rc != FAT_OK)
    goto fail;
  for (i = 0; from[i] != NULL; i++)
    if (strcmp(status, from[i]) == 0)
      ok = 1;
  if (!ok) {
    rc = fat_err_set(err, FAT_ESTATE, "lote %" PRId64 " está '%s': não pode passar a '%s'", id,
                     status, to);
    goto fail;
  }
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    goto fail;
  fat_bind_int(s, 1, id);
  if (fat_stmt_param_count(s) >= 2)
    fat_bind_text(s, 2, a);
  if (fat_stmt_param_count(s) >= 3)
    fat_bind_text(s, 3, b);
  if (fat_stmt_param_count(s) >= 4)
    fat_bind_text(s, 4, c);
  rc = fat_store_step_done(st, s, "erro ao atualizar lote", err);
  if (rc != FAT_OK)
    goto fail;
  if (guia_status != NULL) {
    rc = fat_store_prepare(st, upd_g, &s, err);
    if (rc != FAT_OK)
      goto fail;
    fat_bind_int(s, 1, id);
    fat_bind_text(s, 2, guia_status);
    rc = fat_store_step_done(st, s, "erro ao atualizar guias do lote", err);
    if (rc != FAT_OK)
      goto fail;
  }
  rc = fat_lote_evento(st, id, status, to, data, detalhe, err);
  if (rc != FAT_OK)
    goto fail;
  return fat_store_commit(st, err);
fail:
  fat_store_rollback(st);
  return rc;
}

/* The expected payment date of lote id when it is sent on envio_txt (and,
** when protocolo_txt is set, protocolled then), into out ("" when the lote has
** no prazo): the contract's payment terms frozen in the lote at closing, through
** fat_contrato_previsao and the clinic's calendar. Lotes closed before those
** terms were kept count calendar days from the event being recorded. */
static fat_rc previsao(fat_store *st, int64_t id, const char *envio_txt, const char *protocolo_txt,
                       char out[11], fat_err *err)
{
  static const char sql[] =
    "SELECT pagamento_prazo_dias, pagamento_dias_uteis, pagamento_de_protocolo,"
    " pagamento_dias_mes, enviado_em FROM lote WHERE id = ?1";
  fat_contrato_pagamento p;
  fat_calendario cal = {NULL, 0};
  char dias[64], enviado[16];
  int32_t envio = -1, protocolo = -1, d = -1;
  int legado = 0;
  fat_stmt *s;
  fat_rc rc;

  out[0] = '\0';
  memset(&p, 0, sizeof p);
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  if (fat_stmt_step(s) != FAT_ROW) {
    fat_stmt_reset(s);
    return fat_err_set(err, FAT_ENOTFOUND, "lote %" PRId64 " não existe", id);
  }
  p.prazo_dias = fat_col_is_null(s, 0) ? 0 : (int)fat_col_int64(s, 0);
  legado = fat_col_is_null(s, 1);
  p.dias_uteis = legado ? 0 : fat_col_int64(s, 1) != 0;
  p.contar_de_protocolo = fat_col_is_null(s, 2) ? 0 : fat_col_int64(s, 2) != 0;
  fat_col_copy(s, 3, dias, sizeof dias);
  fat_col_copy(s, 4, enviado, sizeof enviado);
  fat_stmt_reset(s);
  if (p.prazo_dias <= 0)
    return FAT_OK;
  {
    const char *c = dias;

    while (*c != '\0' && p.n_dias_do_mes < FAT_CONTRATO_MAX_DIAS_PAGAMENTO) {
      char *end;
      long v = strtol(c, &end, 10);

      if (end == c)
        break;
      if (v >= 1 && v <= 31)
        p.dias_do_mes[p.n_dias_do_mes++] = (int)v;
      c = *end == ',' ? end + 1 : end;
    }
  }
  if (envio_txt != NULL && fat_dia_parse(envio_txt, &envio) != 0)
    envio = -1;
  if (envio_txt == NULL && fat_dia_parse(enviado, &envio) != 0)
    envio = -1;
  if (protocolo_txt != NULL && fat_dia_parse(protocolo_txt, &protocolo) != 0)
    protocolo = -1;
  if (legado) {
    /* calendar days from the event being recorded, as before the terms */
    int32_t base = protocolo >= 0 ? protocolo : envio;

    if (base >= 0)
      fat_dia_format(base + p.prazo_dias, out, 11);
    return FAT_OK;
  }
  rc = fat_cal_carregar_clinica(st, &cal, err);
  if (rc != FAT_OK)
    return rc;
  d = fat_contrato_previsao(&p, &cal, envio, protocolo);
  fat_cal_fini(&cal);
  if (d >= 0)
    fat_dia_format(d, out, 11);
  return FAT_OK;
}

fat_rc fat_lote_enviado(fat_store *st, int64_t id, const char *data, fat_err *err)
{
  static const char *const from[] = {"fechado", NULL};
  static const char sql[] =
    "UPDATE lote SET status = 'enviado', enviado_em = ?2, previsao_pagamento = ?3"
    " WHERE id = ?1";
  char prev[11];
  fat_rc rc;

  if (!fat_dia_valida(data))
    return fat_err_set(err, FAT_EINVAL, "data de envio '%s' inválida (use AAAA-MM-DD)",
                       data != NULL ? data : "");
  rc = previsao(st, id, data, NULL, prev, err);
  if (rc != FAT_OK)
    return rc;
  return transition(st, id, from, "enviado", sql, data, prev[0] != '\0' ? prev : NULL, NULL,
                    "enviada", data, NULL, err);
}

fat_rc fat_lote_protocolo(fat_store *st, int64_t id, const char *numero, const char *data,
                          fat_err *err)
{
  static const char *const from[] = {"enviado", NULL};
  static const char sql[] =
    "UPDATE lote SET status = 'protocolado', protocolo = ?3, protocolo_data = ?2,"
    " previsao_pagamento = COALESCE(?4, previsao_pagamento) WHERE id = ?1";
  char prev[11];
  fat_rc rc;

  if (numero == NULL || numero[0] == '\0' || strlen(numero) > 12)
    return fat_err_set(err, FAT_EINVAL, "número de protocolo inválido (1 a 12 caracteres)");
  if (!fat_dia_valida(data))
    return fat_err_set(err, FAT_EINVAL, "data do protocolo '%s' inválida (use AAAA-MM-DD)",
                       data != NULL ? data : "");
  rc = previsao(st, id, NULL, data, prev, err);
  if (rc != FAT_OK)
    return rc;
  return transition(st, id, from, "protocolado", sql, data, numero, prev[0] != '\0' ? prev : NULL,
                    NULL, data, numero, err);
}

fat_rc fat_lote_situacao(fat_store *st, int64_t id, const char *status, const char *detalhe,
                         fat_err *err)
{
  static const char *const to_proc[] = {"enviado", "protocolado", NULL};
  static const char *const to_pago[] = {"processado", "protocolado", "enviado", "pago_parcial",
                                        "pago", NULL};
  static const char sql[] = "UPDATE lote SET status = ?2 WHERE id = ?1 AND ?3 IS NULL";
  char atual[16];
  fat_rc rc;

  if (status == NULL || (strcmp(status, "processado") != 0 && strcmp(status, "pago") != 0 &&
                         strcmp(status, "pago_parcial") != 0))
    return fat_err_set(err, FAT_EINVAL,
                       "situação '%s' inválida (processado, pago, pago_parcial)",
                       status != NULL ? status : "");
  rc = lote_status(st, id, atual, err);
  if (rc != FAT_OK)
    return rc;
  if (strcmp(atual, status) == 0)
    return FAT_OK; /* a return said it again: nothing to record */
  if (strcmp(status, "processado") == 0)
    return transition(st, id, to_proc, status, sql, status, NULL, NULL, "processada", NULL, detalhe,
                      err);
  return transition(st, id, to_pago, status, sql, status, NULL, NULL, NULL, NULL, detalhe, err);
}

fat_rc fat_lote_xml(fat_store *st, int64_t id, char **xml, size_t *len, char arquivo[80],
                    fat_err *err)
{
  static const char sql[] = "SELECT arquivo FROM lote WHERE id = ?1";
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  *xml = NULL;
  *len = 0;
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  if (fat_stmt_step(s) != FAT_ROW) {
    fat_stmt_reset(s);
    return fat_err_set(err, FAT_ENOTFOUND, "lote %" PRId64 " não existe", id);
  }
  fat_col_copy(s, 0, arquivo, 80);
  fat_stmt_reset(s);
  rc = fat_lote_xml_ler(st, id, xml, len, err);
  if (rc == FAT_OK && *xml == NULL)
    rc = fat_err_set(err, FAT_ESTATE, "lote %" PRId64 " não tem XML (está aberto?)", id);
  return rc;
}

const char *fat_lote_status_rotulo(const char *status)
{
  return fat_rotulo_ou("lote", status);
}
