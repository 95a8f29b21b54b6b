/* fat_conciliacao.c: statements in, matches proposed and confirmed. */
#include "fat_conciliacao.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fat_extrato.h"
#include "fat_fatura.h"
#include "fat_fin_int.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_money.h"
#include "fat_sha256.h"
#include "fat_termos.h"

static void digitos(const char *s, char *buf, size_t len)
{
  size_t o = 0;

  for (; s != NULL && *s != '\0' && o + 1 < len; s++)
    if (*s >= '0' && *s <= '9') {
      if (o == 0 && *s == '0')
        continue;
      buf[o++] = *s;
    }
  buf[o] = '\0';
}

fat_rc fat_conta_adicionar(fat_store *st, const char *banco, const char *agencia,
                           const char *conta, const char *descricao, int64_t *id, fat_err *err)
{
  static const char sql[] =
    "INSERT INTO conta_bancaria (banco, agencia, conta, descricao) VALUES (?1, ?2, ?3, ?4)";
  fat_stmt *s;
  char b[8], ag[16], c[48], bb[8], obj[32];
  fat_rc rc;

  digitos(banco, b, sizeof b);
  digitos(agencia, ag, sizeof ag);
  digitos(conta, c, sizeof c);
  if (banco == NULL || strlen(b) > 3 || strspn(banco, "0123456789") != strlen(banco) ||
      banco[0] == '\0')
    return fat_err_set(err, FAT_EINVAL, "código do banco '%s' inválido (3 dígitos, ex.: 001)",
                       banco != NULL ? banco : "");
  if (c[0] == '\0')
    return fat_err_set(err, FAT_EINVAL, "número da conta não informado");
  {
    int bn = (int)strtol(b[0] ? b : "0", NULL, 10);

    bb[0] = (char)('0' + bn / 100 % 10);
    bb[1] = (char)('0' + bn / 10 % 10);
    bb[2] = (char)('0' + bn % 10);
    bb[3] = '\0';
  }
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc == FAT_OK) {
    fat_bind_text(s, 1, bb);
    fat_bind_text(s, 2, ag);
    fat_bind_text(s, 3, c);
    fat_bind_text(s, 4, descricao);
    rc = fat_store_step_done(st, s, "não foi possível cadastrar a conta", err);
    if (rc != FAT_OK && strstr(err != NULL ? err->msg : "", "UNIQUE") != NULL)
      rc = fat_err_set(err, FAT_ESTATE, "a conta %s/%s/%s já está cadastrada", bb, ag, c);
  }
  if (rc == FAT_OK) {
    if (id != NULL)
      *id = fat_store_last_id(st);
    snprintf(obj, sizeof obj, "conta:%lld", (long long)fat_store_last_id(st));
    rc = fat_store_audit(st, "conta.adicionar", obj, c, err);
  }
  return fin_fim(st, rc, err);
}

fat_rc fat_conta_listar(fat_store *st, cJSON **out, fat_err *err)
{
  static const char sql[] =
    "SELECT id AS id, banco AS banco, agencia AS agencia, conta AS conta,"
    " descricao AS descricao FROM conta_bancaria ORDER BY id";
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  *out = NULL;
  if (rc != FAT_OK)
    return rc;
  return fat_store_rows_json(st, s, 0, "erro ao listar as contas", out, err);
}

/* The registered account of a statement: same bank and account number (digits
** without leading zeros); agencies compared when both have one. */
static fat_rc conta_do_extrato(fat_store *st, const fat_extrato *e, const char *nome,
                               int64_t *id, fat_err *err)
{
  static const char sql[] =
    "SELECT id FROM conta_bancaria WHERE banco = ?1 AND conta = ?2"
    " AND (agencia = '' OR ?3 = '' OR agencia = ?3) ORDER BY id LIMIT 1";
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, e->banco);
  fat_bind_text(s, 2, e->conta);
  fat_bind_text(s, 3, e->agencia);
  if (fat_stmt_step(s) != FAT_ROW) {
    fat_stmt_reset(s);
    return fat_err_set(err, FAT_EINVAL, "%s: a conta do arquivo (banco %s, agência %s, conta %s) "
                                        "não é uma conta da clínica: cadastre-a com faturo "
                                        "conciliacao conta adicionar --banco %s%s%s --conta %s",
                       nome, e->banco, e->agencia[0] ? e->agencia : "-", e->conta, e->banco,
                       e->agencia[0] ? " --agencia " : "", e->agencia, e->conta);
  }
  *id = fat_col_int64(s, 0);
  fat_stmt_reset(s);
  return FAT_OK;
}

fat_rc fat_extrato_importar(fat_store *st, const char *nome, const char *data, size_t len,
                            fat_extrato_res *res, fat_err *err)
{
  static const char sql_sha[] = "SELECT id FROM extrato WHERE sha256 = ?1";
  static const char sql_over[] =
    "SELECT id, inicio, fim, COALESCE(arquivo, '') FROM extrato WHERE conta_id = ?1"
    " AND formato = ?4 AND inicio <= ?3 AND fim >= ?2 LIMIT 1";
  static const char sql_ins[] =
    "INSERT INTO extrato (conta_id, formato, arquivo, sha256, inicio, fim, linhas, usuario)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
  static const char sql_lin[] =
    "INSERT INTO extrato_linha (extrato_id, linha, chave, data, valor, tipo, descricao,"
    " documento, situacao) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
  fat_stmt *s;
  fat_extrato e;
  char sha[65], obj[32], det[160];
  int64_t conta_id = 0, eid = 0;
  size_t i;
  fat_rc rc;

  memset(res, 0, sizeof *res);
  if (nome == NULL)
    nome = "extrato";
  rc = fat_extrato_ler(data, len, nome, &e, err);
  if (rc != FAT_OK)
    return rc;
  snprintf(res->formato, sizeof res->formato, "%s", fat_extrato_formato_str(e.formato));
  memcpy(res->inicio, e.inicio, 11);
  memcpy(res->fim, e.fim, 11);
  res->ignoradas = e.ignoradas;
  fat_sha256_hex(data, len, sha);
  rc = fat_store_prepare(st, sql_sha, &s, err);
  if (rc != FAT_OK)
    goto done;
  fat_bind_text(s, 1, sha);
  if (fat_stmt_step(s) == FAT_ROW) {
    res->extrato_id = fat_col_int64(s, 0);
    res->ja_importado = 1;
    fat_stmt_reset(s);
    goto done;
  }
  fat_stmt_reset(s);
  if (e.cartao) {
    rc = fat_err_set(err, FAT_EINVAL, "%s: é fatura de cartão de crédito (CCSTMTRS), não extrato "
                                      "de conta: nada importado", nome);
    goto done;
  }
  if (strcmp(e.moeda, "BRL") != 0) {
    rc = fat_err_set(err, FAT_EINVAL, "%s: extrato em %s: só extratos em reais (BRL) são "
                                      "conciliados", nome, e.moeda);
    goto done;
  }
  rc = conta_do_extrato(st, &e, nome, &conta_id, err);
  if (rc != FAT_OK)
    goto done;
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    goto done;
  rc = fat_store_prepare(st, sql_over, &s, err);
  if (rc != FAT_OK)
    goto out;
  fat_bind_int(s, 1, conta_id);
  fat_bind_text(s, 2, e.inicio);
  fat_bind_text(s, 3, e.fim);
  fat_bind_text(s, 4, res->formato);
  if (fat_stmt_step(s) == FAT_ROW) {
    char ini[11], fim[11], arq[128];

    fat_col_copy(s, 1, ini, sizeof ini);
    fat_col_copy(s, 2, fim, sizeof fim);
    fat_col_copy(s, 3, arq, sizeof arq);
    rc = fat_err_set(err, FAT_ESTATE, "%s: o período %s a %s já foi importado para esta conta "
                                      "(extrato #%lld, %s, de %s a %s): nada importado", nome,
                     e.inicio, e.fim, (long long)fat_col_int64(s, 0), arq, ini, fim);
    fat_stmt_reset(s);
    goto out;
  }
  fat_stmt_reset(s);
  rc = fat_store_prepare(st, sql_ins, &s, err);
  if (rc != FAT_OK)
    goto out;
  fat_bind_int(s, 1, conta_id);
  fat_bind_text(s, 2, res->formato);
  fat_bind_text(s, 3, nome);
  fat_bind_text(s, 4, sha);
  fat_bind_text(s, 5, e.inicio);
  fat_bind_text(s, 6, e.fim);
  fat_bind_int(s, 7, (int64_t)e.n);
  fat_bind_text(s, 8, fat_store_user(st));
  rc = fat_store_step_done(st, s, "não foi possível gravar o extrato", err);
  if (rc != FAT_OK)
    goto out;
  eid = fat_store_last_id(st);
  for (i = 0; i < e.n && rc == FAT_OK; i++) {
    const fat_extrato_linha *l = &e.linhas[i];
    char chave[200];

    if (e.formato == FAT_EXTRATO_OFX && l->id[0] != '\0') {
      snprintf(chave, sizeof chave, "%s|%s|%s|%s", e.banco, e.agencia, e.conta, l->id);
    } else {
      size_t k, ord = 0;

      for (k = 0; k < i; k++) /* same date and value earlier in the file */
        if (e.linhas[k].valor == l->valor && strcmp(e.linhas[k].data, l->data) == 0 &&
            strcmp(e.linhas[k].id, l->id) == 0)
          ord++;
      snprintf(chave, sizeof chave, "%s|%s|%s|%s|%s|%lld|%zu", e.banco, e.agencia, e.conta,
               l->id, l->data, (long long)l->valor, ord);
    }
    rc = fat_store_prepare(st, sql_lin, &s, err);
    if (rc != FAT_OK)
      break;
    fat_bind_int(s, 1, eid);
    fat_bind_int(s, 2, l->linha);
    fat_bind_text(s, 3, chave);
    fat_bind_text(s, 4, l->data);
    fat_bind_int(s, 5, l->valor);
    fat_bind_text(s, 6, l->tipo);
    fat_bind_text(s, 7, l->descricao);
    fat_bind_text(s, 8, l->documento);
    fat_bind_text(s, 9, l->valor > 0 ? "pendente" : "ignorada");
    rc = fat_store_step_done(st, s, "não foi possível gravar o lançamento", err);
    if (rc != FAT_OK && err != NULL && strstr(err->msg, "UNIQUE") != NULL)
      rc = fat_err_set(err, FAT_ESTATE, "%s: linha %d: lançamento já importado em outro extrato "
                                        "(identificador %s): nada importado", nome, l->linha,
                       l->id[0] ? l->id : "sem FITID");
    if (l->valor > 0)
      res->creditos++;
  }
  if (rc != FAT_OK)
    goto out;
  res->linhas = e.n;
  res->extrato_id = eid;
  snprintf(obj, sizeof obj, "extrato:%lld", (long long)eid);
  snprintf(det, sizeof det, "%s %s, %zu lançamentos de %s a %s", res->formato, nome, e.n,
           e.inicio, e.fim);
  rc = fat_store_audit(st, "extrato.importar", obj, det, err);
out:
  rc = fin_fim(st, rc, err);
  if (rc != FAT_OK) {
    memset(res, 0, sizeof *res);
  }
done:
  fat_extrato_fini(&e);
  return rc;
}

fat_rc fat_extrato_importar_arquivo(fat_store *st, const char *path, fat_extrato_res *res,
                                    fat_err *err)
{
  char *data = NULL;
  size_t len = 0;
  const char *nome = strrchr(path, '/');
  fat_rc rc = fat_file_read(path, (size_t)16 << 20, &data, &len, err);

  if (rc != FAT_OK)
    return rc;
  rc = fat_extrato_importar(st, nome != NULL ? nome + 1 : path, data, len, res, err);
  fat_free(data);
  return rc;
}

fat_rc fat_extrato_listar(fat_store *st, cJSON **out, fat_err *err)
{
  static const char sql[] =
    "SELECT e.id AS id, e.formato AS formato, e.arquivo AS arquivo, c.banco AS banco,"
    " c.agencia AS agencia, c.conta AS conta, e.inicio AS inicio, e.fim AS fim,"
    " e.linhas AS linhas, e.importado_em AS importado_em, e.usuario AS usuario"
    " FROM extrato e JOIN conta_bancaria c ON c.id = e.conta_id ORDER BY e.id DESC";
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  *out = NULL;
  if (rc != FAT_OK)
    return rc;
  return fat_store_rows_json(st, s, 0, "erro ao listar os extratos", out, err);
}

/* ---- matching ---- */

typedef struct cand {
  int64_t fatura_id, pagamento_id, operadora_id, saldo, numero;
  char inicio[11], fim[11], script[64], operadora[120];
  int usado;
} cand;

static int contem_ci(const char *h, const char *n)
{
  size_t hl = strlen(h), nl = strlen(n), i, j;

  if (nl == 0 || nl > hl)
    return 0;
  for (i = 0; i + nl <= hl; i++) {
    for (j = 0; j < nl; j++)
      if (tolower((unsigned char)h[i + j]) != tolower((unsigned char)n[j]))
        break;
    if (j == nl)
      return 1;
  }
  return 0;
}

/* 1 when the credit's text names the operator (CNPJ digits or a memo text) */
static int indicio(fat_gen *gen, const cand *c, const char *desc, const char *doc)
{
  fat_termos t;
  fat_err e;
  char dg[200];
  size_t o = 0;
  int i;
  const char *p;

  if (gen == NULL || fat_termos_ler(gen, c->script, &t, &e) != FAT_OK)
    return 0;
  for (p = desc; *p != '\0' && o + 1 < sizeof dg; p++)
    if (*p >= '0' && *p <= '9')
      dg[o++] = *p;
  for (p = doc; *p != '\0' && o + 1 < sizeof dg; p++)
    if (*p >= '0' && *p <= '9')
      dg[o++] = *p;
  dg[o] = '\0';
  if (t.cnpj[0] != '\0' && strstr(dg, t.cnpj) != NULL)
    return 1;
  for (i = 0; i < t.n_hist; i++)
    if (contem_ci(desc, t.historico[i]))
      return 1;
  return 0;
}

static fat_rc candidatos(fat_store *st, cand **out, size_t *n, fat_err *err)
{
  static const char sql[] =
    "SELECT f.id, 0, f.operadora_id,"
    " COALESCE(f.nf_valor, f.valor) - (f.ret_iss + f.ret_ir + f.ret_pis + f.ret_cofins"
    "  + f.ret_csll) - (SELECT COALESCE(SUM(r.valor), 0) FROM recebimento r"
    "  WHERE r.fatura_id = f.id),"
    " f.numero,"
    " COALESCE((SELECT MIN(l.enviado_em) FROM lote l JOIN fatura_lote fl ON fl.lote_id = l.id"
    "   WHERE fl.fatura_id = f.id), f.nf_data, '0001-01-01'),"
    " COALESCE(date(f.previsao_pagamento, '+60 days'), '9999-12-31'), o.script, o.nome"
    " FROM fatura f JOIN operadora o ON o.id = f.operadora_id"
    " WHERE f.status IN ('aberta', 'paga_parcial')"
    "  AND NOT EXISTS (SELECT 1 FROM conciliacao c WHERE c.fatura_id = f.id"
    "   AND c.status = 'proposta')"
    " UNION ALL "
    "SELECT 0, p.id, p.operadora_id, p.valor, COALESCE(l.numero, 0),"
    " date(p.data, '-10 days'), date(p.data, '+10 days'), o.script, o.nome"
    " FROM pagamento p JOIN operadora o ON o.id = p.operadora_id LEFT JOIN lote l"
    " ON l.id = p.lote_id"
    " WHERE p.lote_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM recebimento r"
    "  WHERE r.pagamento_id = p.id)"
    "  AND NOT EXISTS (SELECT 1 FROM fatura_lote fl JOIN recebimento r ON r.fatura_id ="
    "   fl.fatura_id WHERE fl.lote_id = p.lote_id)"
    "  AND NOT EXISTS (SELECT 1 FROM conciliacao c WHERE c.pagamento_id = p.id"
    "   AND c.status = 'proposta')";
  fat_stmt *s;
  size_t cap = 0;
  int r;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  *out = NULL;
  *n = 0;
  if (rc != FAT_OK)
    return rc;
  while ((r = fat_stmt_step(s)) == FAT_ROW) {
    cand *c;

    if (!FAT_GROW(*out, cap, *n)) {
      fat_stmt_reset(s);
      fat_free(*out);
      *out = NULL;
      return fat_err_oom(err);
    }
    c = &(*out)[(*n)++];
    memset(c, 0, sizeof *c);
    c->fatura_id = fat_col_int64(s, 0);
    c->pagamento_id = fat_col_int64(s, 1);
    c->operadora_id = fat_col_int64(s, 2);
    c->saldo = fat_col_int64(s, 3);
    c->numero = fat_col_int64(s, 4);
    fat_col_copy(s, 5, c->inicio, sizeof c->inicio);
    fat_col_copy(s, 6, c->fim, sizeof c->fim);
    fat_col_copy(s, 7, c->script, sizeof c->script);
    fat_col_copy(s, 8, c->operadora, sizeof c->operadora);
  }
  fat_stmt_reset(s);
  if (r != FAT_DONE) {
    fat_free(*out);
    *out = NULL;
    return fat_store_dberr(st, err, "erro ao procurar faturas e demonstrativos");
  }
  return FAT_OK;
}

fat_rc fat_conciliacao_propor(fat_store *st, fat_gen *gen, cJSON **out, fat_err *err)
{
  static const char sql_lin[] =
    "SELECT l.id, l.data, l.valor, COALESCE(l.descricao, ''), COALESCE(l.documento, '')"
    " FROM extrato_linha l WHERE l.situacao = 'pendente' AND l.valor > 0"
    " AND NOT EXISTS (SELECT 1 FROM conciliacao c WHERE c.extrato_linha_id = l.id"
    "  AND c.status IN ('proposta', 'confirmada')) ORDER BY l.data, l.id";
  static const char sql_ins[] =
    "INSERT INTO conciliacao (extrato_linha_id, fatura_id, pagamento_id, motivo)"
    " VALUES (?1, ?2, ?3, ?4)";
  typedef struct lin {
    int64_t id, valor;
    char data[11], desc[160], doc[32];
  } lin;
  fat_stmt *s;
  cand *c = NULL;
  lin *L = NULL;
  size_t nc = 0, nl = 0, capl = 0, i, k;
  cJSON *arr = NULL;
  int r;
  fat_rc rc;

  if (out != NULL)
    *out = NULL;
  arr = cJSON_CreateArray();
  if (arr == NULL)
    return fat_err_oom(err);
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK) {
    cJSON_Delete(arr);
    return rc;
  }
  rc = candidatos(st, &c, &nc, err);
  if (rc != FAT_OK)
    goto out;
  rc = fat_store_prepare(st, sql_lin, &s, err);
  if (rc != FAT_OK)
    goto out;
  while ((r = fat_stmt_step(s)) == FAT_ROW) {
    if (nl == capl) {
      size_t ncap = capl ? capl * 2 : 16;
      lin *p = fat_realloc(L, ncap * sizeof *p);

      if (p == NULL) {
        fat_stmt_reset(s);
        rc = fat_err_oom(err);
        goto out;
      }
      L = p;
      capl = ncap;
    }
    L[nl].id = fat_col_int64(s, 0);
    fat_col_copy(s, 1, L[nl].data, sizeof L[nl].data);
    L[nl].valor = fat_col_int64(s, 2);
    fat_col_copy(s, 3, L[nl].desc, sizeof L[nl].desc);
    fat_col_copy(s, 4, L[nl].doc, sizeof L[nl].doc);
    nl++;
  }
  fat_stmt_reset(s);
  if (r != FAT_DONE) {
    rc = fat_store_dberr(st, err, "erro ao ler os créditos pendentes");
    goto out;
  }
  for (i = 0; i < nl && rc == FAT_OK; i++) {
    const lin *l = &L[i];
    long exatos = 0, exatos_ind = 0, ind_menor = 0;
    size_t best = 0, best_ind = 0, best_menor = 0;
    cand *esc = NULL;
    char motivo[300], v1[32], v2[32];
    int curto = 0;

    for (k = 0; k < nc; k++) {
      int dentro, ind;

      if (c[k].usado || c[k].saldo <= 0)
        continue;
      dentro = strcmp(l->data, c[k].inicio) >= 0 && strcmp(l->data, c[k].fim) <= 0;
      if (!dentro)
        continue;
      ind = indicio(gen, &c[k], l->desc, l->doc);
      if (c[k].saldo == l->valor) {
        exatos++;
        best = k;
        if (ind) {
          exatos_ind++;
          best_ind = k;
        }
      } else if (ind && c[k].fatura_id > 0 && l->valor < c[k].saldo) {
        ind_menor++;
        best_menor = k;
      }
    }
    if (exatos == 1)
      esc = &c[best];
    else if (exatos_ind == 1)
      esc = &c[best_ind];
    else if (exatos == 0 && ind_menor == 1) {
      esc = &c[best_menor];
      curto = 1;
    }
    if (esc == NULL)
      continue;
    fat_money_format_br(l->valor, v1, sizeof v1);
    fat_money_format_br(esc->saldo, v2, sizeof v2);
    if (esc->fatura_id > 0)
      snprintf(motivo, sizeof motivo, "%s: fatura %lld da %s (saldo líquido %s)%s", curto
               ? "pagamento a menor? histórico aponta a operadora, valor diferente"
               : "valor igual ao saldo líquido", (long long)esc->numero, esc->operadora, v2,
               exatos_ind == 1 || curto ? "; CNPJ/histórico da operadora no crédito" : "");
    else
      snprintf(motivo, sizeof motivo, "valor igual ao demonstrativo de pagamento do lote %lld "
                                      "da %s (%s), data a até 10 dias", (long long)esc->numero,
               esc->operadora, v2);
    rc = fat_store_prepare(st, sql_ins, &s, err);
    if (rc != FAT_OK)
      break;
    fat_bind_int(s, 1, l->id);
    fat_bind_int_or_null(s, 2, esc->fatura_id, esc->fatura_id <= 0);
    fat_bind_int_or_null(s, 3, esc->pagamento_id, esc->pagamento_id <= 0);
    fat_bind_text(s, 4, motivo);
    rc = fat_store_step_done(st, s, "não foi possível gravar a proposta", err);
    if (rc != FAT_OK)
      break;
    esc->usado = 1;
    {
      cJSON *o = cJSON_CreateObject();

      if (o == NULL) {
        rc = fat_err_oom(err);
        break;
      }
      cJSON_AddItemToArray(arr, o);
      cJSON_AddNumberToObject(o, "id", (double)fat_store_last_id(st));
      cJSON_AddNumberToObject(o, "linha_id", (double)l->id);
      cJSON_AddStringToObject(o, "data", l->data);
      cJSON_AddNumberToObject(o, "valor", (double)l->valor);
      cJSON_AddStringToObject(o, "descricao", l->desc);
      if (esc->fatura_id > 0) {
        cJSON_AddNumberToObject(o, "fatura_id", (double)esc->fatura_id);
        cJSON_AddNumberToObject(o, "fatura", (double)esc->numero);
      } else {
        cJSON_AddNumberToObject(o, "pagamento_id", (double)esc->pagamento_id);
      }
      cJSON_AddStringToObject(o, "operadora", esc->operadora);
      cJSON_AddStringToObject(o, "motivo", motivo);
    }
  }
  if (rc == FAT_OK && cJSON_GetArraySize(arr) > 0) {
    char det[64];

    snprintf(det, sizeof det, "%d propostas", cJSON_GetArraySize(arr));
    rc = fat_store_audit(st, "conciliacao.propor", NULL, det, err);
  }
out:
  fat_free(c);
  fat_free(L);
  rc = fin_fim(st, rc, err);
  if (rc == FAT_OK && out != NULL)
    *out = arr;
  else
    cJSON_Delete(arr);
  return rc;
}

typedef struct conc {
  int64_t linha_id, fatura_id, pagamento_id, valor;
  char status[16], data[11], situacao[16], desc[160];
} conc;

static fat_rc conc_carregar(fat_store *st, int64_t id, conc *c, fat_err *err)
{
  static const char sql[] =
    "SELECT c.extrato_linha_id, COALESCE(c.fatura_id, 0), COALESCE(c.pagamento_id, 0), c.status,"
    " l.data, l.valor, l.situacao, COALESCE(l.descricao, '')"
    " FROM conciliacao c JOIN extrato_linha l ON l.id = c.extrato_linha_id WHERE c.id = ?1";
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  if (fat_stmt_step(s) != FAT_ROW) {
    fat_stmt_reset(s);
    return fat_err_set(err, FAT_ENOTFOUND, "proposta de conciliação #%lld não existe",
                       (long long)id);
  }
  c->linha_id = fat_col_int64(s, 0);
  c->fatura_id = fat_col_int64(s, 1);
  c->pagamento_id = fat_col_int64(s, 2);
  fat_col_copy(s, 3, c->status, sizeof c->status);
  fat_col_copy(s, 4, c->data, sizeof c->data);
  c->valor = fat_col_int64(s, 5);
  fat_col_copy(s, 6, c->situacao, sizeof c->situacao);
  fat_col_copy(s, 7, c->desc, sizeof c->desc);
  fat_stmt_reset(s);
  return FAT_OK;
}

static fat_rc receber(fat_store *st, const conc *c, int aceitar, fat_err *err)
{
  static const char upd[] = "UPDATE extrato_linha SET situacao = 'conciliada' WHERE id = ?1";
  fat_recebimento_in in;
  fat_stmt *s;
  fat_rc rc;

  if (strcmp(c->situacao, "pendente") != 0)
    return fat_err_set(err, FAT_ESTATE, "o crédito #%lld já foi %s", (long long)c->linha_id,
                       strcmp(c->situacao, "conciliada") == 0 ? "conciliado" : "ignorado");
  memset(&in, 0, sizeof in);
  in.fatura_id = c->fatura_id;
  in.pagamento_id = c->fatura_id > 0 ? 0 : c->pagamento_id;
  in.extrato_linha_id = c->linha_id;
  in.data = c->data;
  in.valor = c->valor;
  in.aceitar_excedente = aceitar;
  in.descricao = c->desc;
  rc = fat_recebimento_registrar(st, &in, NULL, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_prepare(st, upd, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, c->linha_id);
  return fat_store_step_done(st, s, "não foi possível marcar o crédito", err);
}

static fat_rc decidir(fat_store *st, int64_t id, const char *status, fat_err *err)
{
  static const char sql[] =
    "UPDATE conciliacao SET status = ?2, decidido_em = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'),"
    " decidido_por = ?3 WHERE id = ?1";
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  fat_bind_text(s, 2, status);
  fat_bind_text(s, 3, fat_store_user(st));
  rc = fat_store_step_done(st, s, "não foi possível registrar a decisão", err);
  if (rc != FAT_OK && err != NULL && strstr(err->msg, "UNIQUE") != NULL)
    rc = fat_err_set(err, FAT_ESTATE, "esse crédito já foi conciliado");
  return rc;
}

fat_rc fat_conciliacao_confirmar(fat_store *st, int64_t id, int aceitar_excedente, fat_err *err)
{
  conc c;
  char obj[32];
  fat_rc rc;

  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = conc_carregar(st, id, &c, err);
  if (rc == FAT_OK && strcmp(c.status, "proposta") != 0)
    rc = fat_err_set(err, FAT_ESTATE, "a proposta #%lld já foi %s", (long long)id, c.status);
  if (rc == FAT_OK)
    rc = decidir(st, id, "confirmada", err);
  if (rc == FAT_OK)
    rc = receber(st, &c, aceitar_excedente, err);
  if (rc == FAT_OK) {
    snprintf(obj, sizeof obj, "conciliacao:%lld", (long long)id);
    rc = fat_store_audit(st, "conciliacao.confirmar", obj, NULL, err);
  }
  return fin_fim(st, rc, err);
}

fat_rc fat_conciliacao_rejeitar(fat_store *st, int64_t id, fat_err *err)
{
  conc c;
  char obj[32];
  fat_rc rc;

  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = conc_carregar(st, id, &c, err);
  if (rc == FAT_OK && strcmp(c.status, "proposta") != 0)
    rc = fat_err_set(err, FAT_ESTATE, "a proposta #%lld já foi %s", (long long)id, c.status);
  if (rc == FAT_OK)
    rc = decidir(st, id, "rejeitada", err);
  if (rc == FAT_OK) {
    snprintf(obj, sizeof obj, "conciliacao:%lld", (long long)id);
    rc = fat_store_audit(st, "conciliacao.rejeitar", obj, NULL, err);
  }
  return fin_fim(st, rc, err);
}

fat_rc fat_conciliacao_vincular(fat_store *st, int64_t linha_id, int64_t fatura_id,
                                int64_t pagamento_id, int aceitar_excedente, fat_err *err)
{
  static const char ins[] =
    "INSERT INTO conciliacao (extrato_linha_id, fatura_id, pagamento_id, motivo, status,"
    " decidido_em, decidido_por) VALUES (?1, ?2, ?3, 'vinculado por um usuário', 'confirmada',"
    " strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?4)";
  static const char rej[] =
    "UPDATE conciliacao SET status = 'rejeitada' WHERE extrato_linha_id = ?1"
    " AND status = 'proposta'";
  fat_stmt *s;
  int64_t cid;
  conc c;
  char obj[32];
  fat_rc rc;

  if ((fatura_id > 0) == (pagamento_id > 0))
    return fat_err_set(err, FAT_EINVAL, "informe a fatura ou o demonstrativo (um dos dois)");
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_prepare(st, rej, &s, err);
  if (rc == FAT_OK) {
    fat_bind_int(s, 1, linha_id);
    rc = fat_store_step_done(st, s, "não foi possível descartar propostas", err);
  }
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, ins, &s, err);
  if (rc == FAT_OK) {
    fat_bind_int(s, 1, linha_id);
    fat_bind_int_or_null(s, 2, fatura_id, fatura_id <= 0);
    fat_bind_int_or_null(s, 3, pagamento_id, pagamento_id <= 0);
    fat_bind_text(s, 4, fat_store_user(st));
    rc = fat_store_step_done(st, s, "não foi possível vincular o crédito", err);
    if (rc != FAT_OK && err != NULL && strstr(err->msg, "UNIQUE") != NULL)
      rc = fat_err_set(err, FAT_ESTATE, "o crédito #%lld já foi conciliado", (long long)linha_id);
    else if (rc != FAT_OK && err != NULL && strstr(err->msg, "FOREIGN") != NULL)
      rc = fat_err_set(err, FAT_ENOTFOUND, "crédito, fatura ou demonstrativo inexistente");
  }
  if (rc == FAT_OK) {
    cid = fat_store_last_id(st);
    rc = conc_carregar(st, cid, &c, err);
  }
  if (rc == FAT_OK)
    rc = receber(st, &c, aceitar_excedente, err);
  if (rc == FAT_OK) {
    snprintf(obj, sizeof obj, "extrato_linha:%lld", (long long)linha_id);
    rc = fat_store_audit(st, "conciliacao.vincular", obj, NULL, err);
  }
  return fin_fim(st, rc, err);
}

fat_rc fat_conciliacao_ignorar(fat_store *st, int64_t linha_id, const char *motivo, fat_err *err)
{
  static const char sql[] =
    "UPDATE extrato_linha SET situacao = 'ignorada' WHERE id = ?1 AND situacao = 'pendente'";
  fat_stmt *s;
  char obj[32];
  fat_rc rc;

  if (motivo == NULL || motivo[0] == '\0')
    return fat_err_set(err, FAT_EINVAL, "diga por que o crédito não é de operadora (motivo)");
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc == FAT_OK) {
    fat_bind_int(s, 1, linha_id);
    rc = fat_store_step_done(st, s, "não foi possível ignorar o crédito", err);
  }
  if (rc == FAT_OK && fat_store_changes(st) == 0)
    rc = fat_err_set(err, FAT_ESTATE, "o crédito #%lld não está pendente", (long long)linha_id);
  if (rc == FAT_OK) {
    snprintf(obj, sizeof obj, "extrato_linha:%lld", (long long)linha_id);
    rc = fat_store_audit(st, "conciliacao.ignorar", obj, motivo, err);
  }
  return fin_fim(st, rc, err);
}

fat_rc fat_conciliacao_pendentes(fat_store *st, cJSON **out, fat_err *err)
{
  static const char sql_p[] =
    "SELECT l.id AS id, l.data AS data, l.valor AS valor, l.descricao AS descricao,"
    " l.documento AS documento, l.tipo AS tipo, e.formato AS formato, e.arquivo AS arquivo,"
    " l.linha AS linha FROM extrato_linha l JOIN extrato e ON e.id = l.extrato_id"
    " WHERE l.situacao = 'pendente' AND l.valor > 0"
    " AND NOT EXISTS (SELECT 1 FROM conciliacao c WHERE c.extrato_linha_id = l.id"
    "  AND c.status = 'proposta') ORDER BY l.data, l.id";
  static const char sql_c[] =
    "SELECT c.id AS id, l.id AS linha_id, l.data AS data, l.valor AS valor,"
    " l.descricao AS descricao, c.fatura_id AS fatura_id, f.numero AS fatura,"
    " c.pagamento_id AS pagamento_id, c.motivo AS motivo, c.proposto_em AS proposto_em"
    " FROM conciliacao c JOIN extrato_linha l ON l.id = c.extrato_linha_id"
    " LEFT JOIN fatura f ON f.id = c.fatura_id WHERE c.status = 'proposta'"
    " ORDER BY l.data, c.id";
  fat_stmt *s;
  cJSON *o, *a = NULL;
  fat_rc rc;

  *out = NULL;
  o = cJSON_CreateObject();
  if (o == NULL)
    return fat_err_oom(err);
  rc = fat_store_prepare(st, sql_p, &s, err);
  if (rc == FAT_OK)
    rc = fat_store_rows_json(st, s, 0, "erro ao listar os créditos pendentes", &a, err);
  if (rc == FAT_OK) {
    cJSON_AddItemToObject(o, "pendentes", a);
    rc = fat_store_prepare(st, sql_c, &s, err);
  }
  if (rc == FAT_OK)
    rc = fat_store_rows_json(st, s, 0, "erro ao listar as propostas", &a, err);
  if (rc == FAT_OK)
    cJSON_AddItemToObject(o, "propostas", a);
  if (rc != FAT_OK) {
    cJSON_Delete(o);
    return rc;
  }
  *out = o;
  return FAT_OK;
}
