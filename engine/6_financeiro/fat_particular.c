/* fat_particular.c: particulares, payments, recibos, acquirers, caixa. */
#include "fat_particular.h"

#include <stdio.h>
#include <string.h>

#include "fat_calendario.h"
#include "fat_dia.h"
#include "fat_docnum.h"
#include "fat_extenso.h"
#include "fat_fin_int.h"
#include "fat_model.h"
#include "fat_money.h"
#include "fat_rateio.h"
#include "fat_tabelas.h"

static void so_digitos(const char *s, char *buf, size_t len)
{
  size_t o = 0;

  for (; s != NULL && *s != '\0' && o + 1 < len; s++)
    if (*s >= '0' && *s <= '9')
      buf[o++] = *s;
  buf[o] = '\0';
}

fat_rc fat_particular_registrar(fat_store *st, const fat_particular_in *in, int64_t *id,
                                fat_err *err)
{
  static const char sql[] =
    "INSERT INTO particular (paciente_nome, paciente_cpf, data, profissional_id, codigo,"
    " descricao, valor, usuario) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
  fat_stmt *s;
  char cpf[16] = "", desc[160] = "", vig[11], obj[32];
  int64_t valor = in->valor;
  fat_rc rc;

  if (in->paciente_nome == NULL || in->paciente_nome[0] == '\0')
    return fat_err_set(err, FAT_EINVAL, "nome do paciente não informado");
  if (in->paciente_cpf != NULL && in->paciente_cpf[0] != '\0') {
    so_digitos(in->paciente_cpf, cpf, sizeof cpf);
    if (!fat_doc_cpf_valid(cpf))
      return fat_err_set(err, FAT_EINVAL, "CPF do paciente '%s' inválido", in->paciente_cpf);
  }
  if (!fat_dia_valida(in->data))
    return fat_err_set(err, FAT_EINVAL, "data do atendimento '%s' inválida (use AAAA-MM-DD)",
                       in->data != NULL ? in->data : "");
  if (in->codigo == NULL || in->codigo[0] == '\0')
    return fat_err_set(err, FAT_EINVAL, "código do procedimento não informado");
  if (valor < 0)
    return fat_err_set(err, FAT_EINVAL, "valor negativo");
  if (valor == 0) {
    rc = fat_tabelas_negociado(st, FAT_PARTICULAR_TABELA, in->codigo, in->data, &valor, desc,
                               vig, err);
    if (rc != FAT_OK)
      return fat_err_prefix(err, "tabela particular da clínica: ");
  }
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc == FAT_OK) {
    fat_bind_text(s, 1, in->paciente_nome);
    fat_bind_text(s, 2, cpf[0] ? cpf : NULL);
    fat_bind_text(s, 3, in->data);
    fat_bind_int_or_null(s, 4, in->profissional_id, in->profissional_id <= 0);
    fat_bind_text(s, 5, in->codigo);
    fat_bind_text(s, 6, in->descricao != NULL ? in->descricao : (desc[0] ? desc : NULL));
    fat_bind_int(s, 7, valor);
    fat_bind_text(s, 8, fat_store_user(st));
    rc = fat_store_step_done(st, s, "não foi possível gravar o atendimento particular", err);
    if (rc != FAT_OK && err != NULL && strstr(err->msg, "FOREIGN") != NULL)
      rc = fat_err_set(err, FAT_ENOTFOUND, "profissional #%lld não existe",
                       (long long)in->profissional_id);
  }
  if (rc == FAT_OK) {
    if (id != NULL)
      *id = fat_store_last_id(st);
    snprintf(obj, sizeof obj, "particular:%lld", (long long)fat_store_last_id(st));
    rc = fat_store_audit(st, "particular.registrar", obj, in->codigo, err);
  }
  return fin_fim(st, rc, err);
}

fat_rc fat_particular_tabela(fat_store *st, const char *path, const char *vigencia, long *linhas,
                             fat_err *err)
{
  fat_tabela_opcoes op;
  fat_tabela_resultado res;
  fat_rc rc;

  memset(&op, 0, sizeof op);
  op.operadora = FAT_PARTICULAR_TABELA;
  op.vigencia = vigencia;
  rc = fat_tabelas_importar(st, FAT_TAB_NEGOCIADA, path, &op, &res, err);
  if (rc == FAT_OK && linhas != NULL)
    *linhas = res.linhas;
  return rc;
}

typedef struct adq {
  int64_t id, deb, cred, parc;
  int pdeb, pcred;
} adq;

static fat_rc adq_carregar(fat_store *st, const char *nome, adq *a, fat_err *err)
{
  static const char sql[] =
    "SELECT id, taxa_debito_bp, taxa_credito_bp, taxa_parcelado_bp, prazo_debito_dias,"
    " prazo_credito_dias FROM adquirente WHERE nome = ?1";
  fat_stmt *s;
  fat_rc rc;

  if (nome == NULL || nome[0] == '\0')
    return fat_err_set(err, FAT_EINVAL, "pagamento com cartão precisa da adquirente");
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, nome);
  if (fat_stmt_step(s) != FAT_ROW) {
    fat_stmt_reset(s);
    return fat_err_set(err, FAT_ENOTFOUND, "adquirente '%s' não cadastrada (faturo particular "
                                           "adquirente)", nome);
  }
  a->id = fat_col_int64(s, 0);
  a->deb = fat_col_int64(s, 1);
  a->cred = fat_col_int64(s, 2);
  a->parc = fat_col_int64(s, 3);
  a->pdeb = fat_col_int(s, 4);
  a->pcred = fat_col_int(s, 5);
  fat_stmt_reset(s);
  return FAT_OK;
}

static fat_rc caixa_aberto(fat_store *st, const char *data, int64_t *id, fat_err *err)
{
  static const char sql[] =
    "SELECT id, status FROM caixa WHERE usuario = ?1 AND data = ?2";
  fat_stmt *s;
  char status[16];
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, fat_store_user(st));
  fat_bind_text(s, 2, data);
  if (fat_stmt_step(s) != FAT_ROW) {
    fat_stmt_reset(s);
    return fat_err_set(err, FAT_ESTATE, "o caixa de %s em %s não foi aberto (faturo caixa "
                                        "abrir)", fat_store_user(st), data);
  }
  *id = fat_col_int64(s, 0);
  fat_col_copy(s, 1, status, sizeof status);
  fat_stmt_reset(s);
  if (strcmp(status, "aberto") != 0)
    return fat_err_set(err, FAT_ESTATE, "o caixa de %s em %s já foi fechado",
                       fat_store_user(st), data);
  return FAT_OK;
}

fat_rc fat_particular_pagar(fat_store *st, const fat_particular_pag_in *in,
                            int64_t *pagamento_id, int64_t *recibo, fat_err *err)
{
  static const char sql_p[] =
    "SELECT p.valor - COALESCE((SELECT SUM(x.valor) FROM particular_pagamento x"
    " WHERE x.particular_id = p.id), 0), p.status FROM particular p WHERE p.id = ?1";
  static const char sql_num[] = "SELECT COALESCE(MAX(recibo), 0) + 1 FROM particular_pagamento";
  static const char sql_ins[] =
    "INSERT INTO particular_pagamento (particular_id, recibo, data, forma, valor, parcelas,"
    " adquirente_id, taxa, caixa_id, usuario) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
  static const char sql_parc[] =
    "INSERT INTO particular_parcela (pagamento_id, numero, valor, taxa, liquido, data_credito)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
  static const char sql_st[] =
    "UPDATE particular SET status = 'pago' WHERE id = ?1 AND valor <= (SELECT SUM(x.valor)"
    " FROM particular_pagamento x WHERE x.particular_id = particular.id)";
  static const char *const formas[] = {"dinheiro", "pix", "debito", "credito", "boleto"};
  fat_stmt *s;
  int64_t saldo, valor = in->valor, num = 0, pid = 0, caixa = 0, taxa_bp = 0, fee = 0;
  int64_t v[24], tx[24], liq[24];
  int n = in->parcelas <= 0 ? 1 : in->parcelas, prazo = 0, cartao, i, ok = 0;
  char status[16], obj[32], det[96];
  adq a;
  fat_calendario cal = {NULL, 0};
  size_t k;
  fat_rc rc;

  memset(&a, 0, sizeof a);
  for (k = 0; k < sizeof formas / sizeof formas[0]; k++)
    if (in->forma != NULL && strcmp(in->forma, formas[k]) == 0)
      ok = 1;
  if (!ok)
    return fat_err_set(err, FAT_EINVAL, "forma de pagamento '%s' inválida (dinheiro, pix, debito, "
                                        "credito, boleto)", in->forma != NULL ? in->forma : "");
  if (!fat_dia_valida(in->data))
    return fat_err_set(err, FAT_EINVAL, "data do pagamento '%s' inválida (use AAAA-MM-DD)",
                       in->data != NULL ? in->data : "");
  cartao = strcmp(in->forma, "debito") == 0 || strcmp(in->forma, "credito") == 0;
  if (n > 1 && strcmp(in->forma, "credito") != 0)
    return fat_err_set(err, FAT_EINVAL, "parcelas só no cartão de crédito");
  if (n > 24)
    return fat_err_set(err, FAT_EINVAL, "no máximo 24 parcelas");
  if (valor < 0)
    return fat_err_set(err, FAT_EINVAL, "valor negativo");
  rc = fat_cal_carregar_clinica(st, &cal, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    goto done;
  rc = fat_store_prepare(st, sql_p, &s, err);
  if (rc != FAT_OK)
    goto out;
  fat_bind_int(s, 1, in->particular_id);
  if (fat_stmt_step(s) != FAT_ROW) {
    fat_stmt_reset(s);
    rc = fat_err_set(err, FAT_ENOTFOUND, "atendimento particular #%lld não existe",
                     (long long)in->particular_id);
    goto out;
  }
  saldo = fat_col_int64(s, 0);
  fat_col_copy(s, 1, status, sizeof status);
  fat_stmt_reset(s);
  if (strcmp(status, "aberto") != 0) {
    rc = fat_err_set(err, FAT_ESTATE, "o atendimento particular #%lld está %s",
                     (long long)in->particular_id, status);
    goto out;
  }
  if (valor == 0)
    valor = saldo;
  if (valor > saldo) {
    char v1[32], v2[32];

    fat_money_format_br(valor, v1, sizeof v1);
    fat_money_format_br(saldo, v2, sizeof v2);
    rc = fat_err_set(err, FAT_EINVAL, "pagamento de %s passa do saldo em aberto (%s)", v1, v2);
    goto out;
  }
  if (cartao) {
    rc = adq_carregar(st, in->adquirente, &a, err);
    if (rc != FAT_OK)
      goto out;
    taxa_bp = strcmp(in->forma, "debito") == 0 ? a.deb : (n == 1 ? a.cred : a.parc);
    prazo = strcmp(in->forma, "debito") == 0 ? a.pdeb : a.pcred;
  }
  if (strcmp(in->forma, "dinheiro") == 0) {
    rc = caixa_aberto(st, in->data, &caixa, err);
    if (rc != FAT_OK)
      goto out;
  }
  rc = fat_rateio_cartao(valor, n, taxa_bp, v, tx, liq, err);
  if (rc != FAT_OK)
    goto out;
  for (i = 0; i < n; i++)
    fee += tx[i];
  rc = fat_store_prepare(st, sql_num, &s, err);
  if (rc != FAT_OK)
    goto out;
  num = fat_stmt_step(s) == FAT_ROW ? fat_col_int64(s, 0) : 1;
  fat_stmt_reset(s);
  rc = fat_store_prepare(st, sql_ins, &s, err);
  if (rc != FAT_OK)
    goto out;
  fat_bind_int(s, 1, in->particular_id);
  fat_bind_int(s, 2, num);
  fat_bind_text(s, 3, in->data);
  fat_bind_text(s, 4, in->forma);
  fat_bind_int(s, 5, valor);
  fat_bind_int(s, 6, n);
  fat_bind_int_or_null(s, 7, a.id, a.id <= 0);
  fat_bind_int(s, 8, fee);
  fat_bind_int_or_null(s, 9, caixa, caixa <= 0);
  fat_bind_text(s, 10, fat_store_user(st));
  rc = fat_store_step_done(st, s, "não foi possível gravar o pagamento", err);
  if (rc != FAT_OK)
    goto out;
  pid = fat_store_last_id(st);
  for (i = 0; i < n && rc == FAT_OK; i++) {
    int32_t d;
    char dc[11];

    fat_dia_parse(in->data, &d);
    if (cartao)
      d = fat_cal_proximo_util(&cal, d + prazo * (strcmp(in->forma, "debito") == 0 ? 1 : i + 1));
    fat_dia_format(d, dc, sizeof dc);
    rc = fat_store_prepare(st, sql_parc, &s, err);
    if (rc != FAT_OK)
      break;
    fat_bind_int(s, 1, pid);
    fat_bind_int(s, 2, i + 1);
    fat_bind_int(s, 3, v[i]);
    fat_bind_int(s, 4, tx[i]);
    fat_bind_int(s, 5, liq[i]);
    fat_bind_text(s, 6, dc);
    rc = fat_store_step_done(st, s, "não foi possível gravar a parcela", err);
  }
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql_st, &s, err);
  if (rc == FAT_OK) {
    fat_bind_int(s, 1, in->particular_id);
    rc = fat_store_step_done(st, s, "não foi possível atualizar o atendimento", err);
  }
  if (rc == FAT_OK) {
    char vb[32];

    fat_money_format_br(valor, vb, sizeof vb);
    snprintf(obj, sizeof obj, "particular:%lld", (long long)in->particular_id);
    snprintf(det, sizeof det, "recibo %lld: %s em %s (%d parcela%s)", (long long)num, vb,
             in->forma, n, n > 1 ? "s" : "");
    rc = fat_store_audit(st, "particular.pagar", obj, det, err);
  }
out:
  rc = fin_fim(st, rc, err);
  if (rc == FAT_OK) {
    if (pagamento_id != NULL)
      *pagamento_id = pid;
    if (recibo != NULL)
      *recibo = num;
  }
done:
  fat_cal_fini(&cal);
  return rc;
}

fat_rc fat_particular_listar(fat_store *st, const char *status, cJSON **out, fat_err *err)
{
  static const char sql[] =
    "SELECT p.id AS id, p.data AS data, p.paciente_nome AS paciente, p.paciente_cpf AS cpf,"
    " pr.nome AS profissional, p.codigo AS codigo, p.descricao AS descricao, p.valor AS valor,"
    " COALESCE((SELECT SUM(x.valor) FROM particular_pagamento x WHERE x.particular_id = p.id), 0)"
    "  AS pago,"
    " p.valor - COALESCE((SELECT SUM(x.valor) FROM particular_pagamento x"
    "  WHERE x.particular_id = p.id), 0) AS saldo, p.status AS status"
    " FROM particular p LEFT JOIN profissional pr ON pr.id = p.profissional_id"
    " WHERE (?1 IS NULL OR p.status = ?1) ORDER BY p.data DESC, p.id DESC";
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  *out = NULL;
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, status);
  return fat_store_rows_json(st, s, 0, "erro ao listar os particulares", out, err);
}

fat_rc fat_particular_mostrar(fat_store *st, int64_t id, cJSON **out, fat_err *err)
{
  static const char sql_p[] =
    "SELECT p.id AS id, p.data AS data, p.paciente_nome AS paciente, p.paciente_cpf AS cpf,"
    " p.profissional_id AS profissional_id, pr.nome AS profissional, p.codigo AS codigo,"
    " p.descricao AS descricao, p.valor AS valor, p.status AS status"
    " FROM particular p LEFT JOIN profissional pr ON pr.id = p.profissional_id WHERE p.id = ?1";
  static const char sql_g[] =
    "SELECT x.id AS id, x.recibo AS recibo, x.data AS data, x.forma AS forma, x.valor AS valor,"
    " x.parcelas AS n_parcelas, a.nome AS adquirente, x.taxa AS taxa, x.usuario AS usuario"
    " FROM particular_pagamento x LEFT JOIN adquirente a ON a.id = x.adquirente_id"
    " WHERE x.particular_id = ?1 ORDER BY x.id";
  static const char sql_q[] =
    "SELECT numero AS numero, valor AS valor, taxa AS taxa, liquido AS liquido,"
    " data_credito AS data_credito FROM particular_parcela WHERE pagamento_id = ?1"
    " ORDER BY numero";
  fat_stmt *s;
  cJSON *arr = NULL, *o, *pags = NULL, *it;
  int64_t pago = 0;
  fat_rc rc;

  *out = NULL;
  rc = fat_store_prepare(st, sql_p, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  rc = fat_store_rows_json(st, s, 0, "erro ao ler o particular", &arr, err);
  if (rc != FAT_OK)
    return rc;
  o = cJSON_DetachItemFromArray(arr, 0);
  cJSON_Delete(arr);
  if (o == NULL)
    return fat_err_set(err, FAT_ENOTFOUND, "atendimento particular #%lld não existe",
                       (long long)id);
  rc = fat_store_prepare(st, sql_g, &s, err);
  if (rc == FAT_OK) {
    fat_bind_int(s, 1, id);
    rc = fat_store_rows_json(st, s, 0, "erro ao ler os pagamentos", &pags, err);
  }
  if (rc != FAT_OK) {
    cJSON_Delete(o);
    return rc;
  }
  cJSON_AddItemToObject(o, "pagamentos", pags);
  cJSON_ArrayForEach(it, pags) {
    cJSON *parc = NULL;

    pago += (int64_t)cJSON_GetObjectItemCaseSensitive(it, "valor")->valuedouble;
    rc = fat_store_prepare(st, sql_q, &s, err);
    if (rc == FAT_OK) {
      fat_bind_int(s, 1, (int64_t)cJSON_GetObjectItemCaseSensitive(it, "id")->valuedouble);
      rc = fat_store_rows_json(st, s, 0, "erro ao ler as parcelas", &parc, err);
    }
    if (rc != FAT_OK) {
      cJSON_Delete(o);
      return rc;
    }
    cJSON_AddItemToObject(it, "parcelas", parc);
  }
  cJSON_AddNumberToObject(o, "pago", (double)pago);
  cJSON_AddNumberToObject(
      o, "saldo", cJSON_GetObjectItemCaseSensitive(o, "valor")->valuedouble - (double)pago);
  *out = o;
  return FAT_OK;
}

fat_rc fat_particular_recibo_html(fat_store *st, int64_t recibo, char **html, size_t *len,
                                  fat_err *err)
{
  static const char sql[] =
    "SELECT x.recibo, x.data, x.forma, x.valor, x.parcelas, p.paciente_nome,"
    " COALESCE(p.paciente_cpf, ''), p.codigo, COALESCE(p.descricao, ''), p.data,"
    " COALESCE(pr.nome, ''), COALESCE(pr.conselho || ' ' || pr.numero_conselho || '/' || pr.uf, ''),"
    " COALESCE((SELECT nome FROM prestador ORDER BY id LIMIT 1), ''),"
    " COALESCE((SELECT COALESCE(cnpj, cpf) FROM prestador ORDER BY id LIMIT 1), '')"
    " FROM particular_pagamento x JOIN particular p ON p.id = x.particular_id"
    " LEFT JOIN profissional pr ON pr.id = p.profissional_id WHERE x.recibo = ?1";
  static const char *const forma_txt[][2] = {
    {"dinheiro", "dinheiro"}, {"pix", "PIX"}, {"debito", "cartão de débito"},
    {"credito", "cartão de crédito"}, {"boleto", "boleto"}};
  fat_stmt *s;
  fat_buf b;
  char num[16], data[11], forma[16], pac[160], cpf[16], cod[32], desc[160], dat[11];
  char prof[160], cons[64], cli[160], doc[20], extenso[320], valor_br[32], tmp[40], d1[32];
  int64_t valor;
  int parcelas;
  size_t i;
  const char *ftxt = "";
  fat_rc rc;

  *html = NULL;
  *len = 0;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, recibo);
  if (fat_stmt_step(s) != FAT_ROW) {
    fat_stmt_reset(s);
    return fat_err_set(err, FAT_ENOTFOUND, "recibo %lld não existe", (long long)recibo);
  }
  fat_col_copy(s, 0, num, sizeof num);
  fat_col_copy(s, 1, data, sizeof data);
  fat_col_copy(s, 2, forma, sizeof forma);
  valor = fat_col_int64(s, 3);
  parcelas = fat_col_int(s, 4);
  fat_col_copy(s, 5, pac, sizeof pac);
  fat_col_copy(s, 6, cpf, sizeof cpf);
  fat_col_copy(s, 7, cod, sizeof cod);
  fat_col_copy(s, 8, desc, sizeof desc);
  fat_col_copy(s, 9, dat, sizeof dat);
  fat_col_copy(s, 10, prof, sizeof prof);
  fat_col_copy(s, 11, cons, sizeof cons);
  fat_col_copy(s, 12, cli, sizeof cli);
  fat_col_copy(s, 13, doc, sizeof doc);
  fat_stmt_reset(s);
  for (i = 0; i < sizeof forma_txt / sizeof forma_txt[0]; i++)
    if (strcmp(forma, forma_txt[i][0]) == 0)
      ftxt = forma_txt[i][1];
  rc = fat_extenso_reais(valor, extenso, sizeof extenso, err);
  if (rc != FAT_OK)
    return rc;
  fat_money_format_br(valor, valor_br, sizeof valor_br);
  fat_buf_init(&b, 1 << 16);
  rc = fat_buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"pt-BR\"><head><meta charset=\"utf-8\">"
                        "<title>Recibo ", err);
  if (rc == FAT_OK)
    rc = fat_buf_html(&b, num, err);
  if (rc == FAT_OK)
    rc = fat_buf_puts(&b, "</title><style>body{font-family:sans-serif;max-width:46em;margin:2em "
                          "auto}h1{font-size:1.4em}.valor{font-size:1.3em;font-weight:bold}"
                          "@media print{button{display:none}}</style></head><body>\n<h1>", err);
  if (rc == FAT_OK)
    rc = fat_buf_html(&b, cli, err);
  fin_doc_br(doc, tmp, sizeof tmp);
  if (rc == FAT_OK)
    rc = fat_buf_printf(&b, err, "</h1>\n<p>CNPJ/CPF %s</p>\n<h2>Recibo nº %s</h2>\n", tmp, num);
  if (rc == FAT_OK)
    rc = fat_buf_printf(&b, err, "<p class=\"valor\">Valor: %s</p>\n<p>Recebi(emos) de <b>",
                        valor_br);
  if (rc == FAT_OK)
    rc = fat_buf_html(&b, pac, err);
  fin_doc_br(cpf, tmp, sizeof tmp);
  if (rc == FAT_OK)
    rc = fat_buf_printf(&b, err, "</b>%s%s a importância de <b>%s</b> (", cpf[0] ? ", CPF " : "",
                        cpf[0] ? tmp : "", valor_br);
  if (rc == FAT_OK)
    rc = fat_buf_html(&b, extenso, err);
  if (rc == FAT_OK)
    rc = fat_buf_puts(&b, "), referente a ", err);
  if (rc == FAT_OK)
    rc = fat_buf_html(&b, desc[0] ? desc : cod, err);
  snprintf(d1, sizeof d1, "%s", fat_dia_br_ou(dat, "").s);
  if (rc == FAT_OK)
    rc = fat_buf_printf(&b, err, " (código %s), atendimento de %s", cod, d1);
  if (rc == FAT_OK && prof[0] != '\0') {
    rc = fat_buf_puts(&b, ", profissional ", err);
    if (rc == FAT_OK)
      rc = fat_buf_html(&b, prof, err);
    if (rc == FAT_OK && cons[0] != '\0') {
      rc = fat_buf_puts(&b, " (", err);
      if (rc == FAT_OK)
        rc = fat_buf_html(&b, cons, err);
      if (rc == FAT_OK)
        rc = fat_buf_puts(&b, ")", err);
    }
  }
  snprintf(d1, sizeof d1, "%s", fat_dia_br_ou(data, "").s);
  if (rc == FAT_OK)
    rc = fat_buf_printf(&b, err, ".</p>\n<p>Forma de pagamento: %s%s%s.</p>\n<p>Data: %s</p>\n",
                        ftxt, parcelas > 1 ? " em " : "", "", d1);
  if (rc == FAT_OK && parcelas > 1)
    rc = fat_buf_printf(&b, err, "<p>Parcelado em %d vezes.</p>\n", parcelas);
  if (rc == FAT_OK)
    rc = fat_buf_puts(&b, "<p style=\"margin-top:4em\">______________________________<br>",
                      err);
  if (rc == FAT_OK)
    rc = fat_buf_html(&b, cli, err);
  if (rc == FAT_OK)
    rc = fat_buf_puts(&b, "</p>\n<button onclick=\"window.print()\">Imprimir</button>\n"
                          "</body></html>\n", err);
  if (rc != FAT_OK) {
    fat_buf_fini(&b);
    return rc;
  }
  *len = b.len;
  *html = fat_buf_take(&b);
  return FAT_OK;
}

fat_rc fat_particular_nfse(fat_store *st, const char *de, const char *ate, cJSON **out,
                           fat_err *err)
{
  static const char sql[] =
    "SELECT x.recibo AS recibo, x.data AS data, p.paciente_nome AS tomador,"
    " p.paciente_cpf AS cpf, COALESCE(p.descricao, p.codigo) AS servico, p.codigo AS codigo,"
    " x.valor AS valor, x.forma AS forma,"
    " (SELECT nome FROM prestador ORDER BY id LIMIT 1) AS prestador,"
    " (SELECT COALESCE(cnpj, cpf) FROM prestador ORDER BY id LIMIT 1) AS cnpj_prestador"
    " FROM particular_pagamento x JOIN particular p ON p.id = x.particular_id"
    " WHERE (?1 IS NULL OR x.data >= ?1) AND (?2 IS NULL OR x.data <= ?2)"
    " ORDER BY x.recibo";
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  *out = NULL;
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, de);
  fat_bind_text(s, 2, ate);
  return fat_store_rows_json(st, s, 0, "erro ao ler os pagamentos", out, err);
}

fat_rc fat_adquirente_definir(fat_store *st, const fat_adquirente *a, fat_err *err)
{
  static const char sql[] =
    "INSERT INTO adquirente (nome, taxa_debito_bp, taxa_credito_bp, taxa_parcelado_bp,"
    " prazo_debito_dias, prazo_credito_dias) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    " ON CONFLICT (nome) DO UPDATE SET taxa_debito_bp = ?2, taxa_credito_bp = ?3,"
    " taxa_parcelado_bp = ?4, prazo_debito_dias = ?5, prazo_credito_dias = ?6";
  fat_stmt *s;
  fat_rc rc;

  if (a->nome == NULL || a->nome[0] == '\0')
    return fat_err_set(err, FAT_EINVAL, "nome da adquirente não informado");
  if (a->taxa_debito_bp < 0 || a->taxa_debito_bp > 10000 || a->taxa_credito_bp < 0 ||
      a->taxa_credito_bp > 10000 || a->taxa_parcelado_bp < 0 || a->taxa_parcelado_bp > 10000)
    return fat_err_set(err, FAT_EINVAL, "taxa da adquirente fora de 0%% a 100%%");
  if (a->prazo_debito_dias < 0 || a->prazo_debito_dias > 60 || a->prazo_credito_dias < 0 ||
      a->prazo_credito_dias > 60)
    return fat_err_set(err, FAT_EINVAL, "prazo da adquirente fora de 0 a 60 dias");
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc == FAT_OK) {
    fat_bind_text(s, 1, a->nome);
    fat_bind_int(s, 2, a->taxa_debito_bp);
    fat_bind_int(s, 3, a->taxa_credito_bp);
    fat_bind_int(s, 4, a->taxa_parcelado_bp);
    fat_bind_int(s, 5, a->prazo_debito_dias);
    fat_bind_int(s, 6, a->prazo_credito_dias);
    rc = fat_store_step_done(st, s, "não foi possível gravar a adquirente", err);
  }
  if (rc == FAT_OK)
    rc = fat_store_audit(st, "adquirente.definir", NULL, a->nome, err);
  return fin_fim(st, rc, err);
}

fat_rc fat_adquirente_listar(fat_store *st, cJSON **out, fat_err *err)
{
  static const char sql[] =
    "SELECT nome AS nome, taxa_debito_bp AS taxa_debito_bp, taxa_credito_bp AS taxa_credito_bp,"
    " taxa_parcelado_bp AS taxa_parcelado_bp, prazo_debito_dias AS prazo_debito_dias,"
    " prazo_credito_dias AS prazo_credito_dias FROM adquirente ORDER BY nome";
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  *out = NULL;
  if (rc != FAT_OK)
    return rc;
  return fat_store_rows_json(st, s, 0, "erro ao listar as adquirentes", out, err);
}

/* ---- caixa ---- */

fat_rc fat_caixa_abrir(fat_store *st, const char *data, int64_t abertura, int64_t *id,
                       fat_err *err)
{
  static const char sql[] = "INSERT INTO caixa (usuario, data, abertura) VALUES (?1, ?2, ?3)";
  fat_stmt *s;
  char obj[32];
  fat_rc rc;

  if (!fat_dia_valida(data))
    return fat_err_set(err, FAT_EINVAL, "data do caixa '%s' inválida (use AAAA-MM-DD)",
                       data != NULL ? data : "");
  if (abertura < 0)
    return fat_err_set(err, FAT_EINVAL, "valor de abertura negativo");
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc == FAT_OK) {
    fat_bind_text(s, 1, fat_store_user(st));
    fat_bind_text(s, 2, data);
    fat_bind_int(s, 3, abertura);
    rc = fat_store_step_done(st, s, "não foi possível abrir o caixa", err);
    if (rc != FAT_OK && err != NULL && strstr(err->msg, "UNIQUE") != NULL)
      rc = fat_err_set(err, FAT_ESTATE, "o caixa de %s em %s já foi aberto",
                       fat_store_user(st), data);
  }
  if (rc == FAT_OK) {
    if (id != NULL)
      *id = fat_store_last_id(st);
    snprintf(obj, sizeof obj, "caixa:%lld", (long long)fat_store_last_id(st));
    rc = fat_store_audit(st, "caixa.abrir", obj, data, err);
  }
  return fin_fim(st, rc, err);
}

fat_rc fat_caixa_movimentar(fat_store *st, const char *data, const char *tipo, int64_t valor,
                            const char *motivo, fat_err *err)
{
  static const char sql[] =
    "INSERT INTO caixa_movimento (caixa_id, tipo, valor, motivo) VALUES (?1, ?2, ?3, ?4)";
  fat_stmt *s;
  int64_t cid;
  char obj[32];
  fat_rc rc;

  if (tipo == NULL || (strcmp(tipo, "suprimento") != 0 && strcmp(tipo, "sangria") != 0))
    return fat_err_set(err, FAT_EINVAL, "movimento '%s' inválido (suprimento ou sangria)",
                       tipo != NULL ? tipo : "");
  if (valor <= 0)
    return fat_err_set(err, FAT_EINVAL, "valor do movimento deve ser positivo");
  if (motivo == NULL || motivo[0] == '\0')
    return fat_err_set(err, FAT_EINVAL, "diga o motivo do movimento");
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = caixa_aberto(st, data, &cid, err);
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql, &s, err);
  if (rc == FAT_OK) {
    fat_bind_int(s, 1, cid);
    fat_bind_text(s, 2, tipo);
    fat_bind_int(s, 3, valor);
    fat_bind_text(s, 4, motivo);
    rc = fat_store_step_done(st, s, "não foi possível gravar o movimento", err);
  }
  if (rc == FAT_OK) {
    snprintf(obj, sizeof obj, "caixa:%lld", (long long)cid);
    rc = fat_store_audit(st, "caixa.movimento", obj, tipo, err);
  }
  return fin_fim(st, rc, err);
}

static const char sql_caixa_tot[] =
  "SELECT c.id, c.abertura,"
  " COALESCE((SELECT SUM(x.valor) FROM particular_pagamento x WHERE x.caixa_id = c.id), 0),"
  " COALESCE((SELECT SUM(m.valor) FROM caixa_movimento m WHERE m.caixa_id = c.id"
  "  AND m.tipo = 'suprimento'), 0),"
  " COALESCE((SELECT SUM(m.valor) FROM caixa_movimento m WHERE m.caixa_id = c.id"
  "  AND m.tipo = 'sangria'), 0), c.status"
  " FROM caixa c WHERE c.usuario = ?1 AND c.data = ?2";

fat_rc fat_caixa_fechar(fat_store *st, const char *data, int64_t contado, cJSON **out,
                        fat_err *err)
{
  static const char sql[] =
    "UPDATE caixa SET status = 'fechado', fechamento_contado = ?2, fechamento_esperado = ?3,"
    " diferenca = ?4, fechado_em = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?1";
  fat_stmt *s;
  int64_t cid, esperado;
  char obj[32], det[96], v[32];
  fat_rc rc;

  if (out != NULL)
    *out = NULL;
  if (contado < 0)
    return fat_err_set(err, FAT_EINVAL, "valor contado negativo");
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = caixa_aberto(st, data, &cid, err);
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql_caixa_tot, &s, err);
  if (rc != FAT_OK)
    goto out;
  fat_bind_text(s, 1, fat_store_user(st));
  fat_bind_text(s, 2, data);
  if (fat_stmt_step(s) != FAT_ROW) {
    fat_stmt_reset(s);
    rc = fat_store_dberr(st, err, "erro ao somar o caixa");
    goto out;
  }
  esperado = fat_col_int64(s, 1) + fat_col_int64(s, 2) +
             fat_col_int64(s, 3) - fat_col_int64(s, 4);
  fat_stmt_reset(s);
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    goto out;
  fat_bind_int(s, 1, cid);
  fat_bind_int(s, 2, contado);
  fat_bind_int(s, 3, esperado);
  fat_bind_int(s, 4, contado - esperado);
  rc = fat_store_step_done(st, s, "não foi possível fechar o caixa", err);
  if (rc == FAT_OK) {
    fat_money_format_br(contado - esperado, v, sizeof v);
    snprintf(obj, sizeof obj, "caixa:%lld", (long long)cid);
    snprintf(det, sizeof det, "diferença %s", v);
    rc = fat_store_audit(st, "caixa.fechar", obj, det, err);
  }
out:
  rc = fin_fim(st, rc, err);
  if (rc == FAT_OK && out != NULL)
    rc = fat_caixa_mostrar(st, NULL, data, out, err);
  return rc;
}

fat_rc fat_caixa_mostrar(fat_store *st, const char *usuario, const char *data, cJSON **out,
                         fat_err *err)
{
  static const char sql_c[] =
    "SELECT id AS id, usuario AS usuario, data AS data, status AS status, abertura AS abertura,"
    " fechamento_contado AS contado, fechamento_esperado AS esperado_no_fechamento,"
    " diferenca AS diferenca, aberto_em AS aberto_em, fechado_em AS fechado_em"
    " FROM caixa WHERE usuario = ?1 AND data = ?2";
  static const char sql_e[] =
    "SELECT x.recibo AS recibo, x.valor AS valor, p.paciente_nome AS paciente,"
    " x.criado_em AS em FROM particular_pagamento x JOIN particular p ON p.id = x.particular_id"
    " WHERE x.caixa_id = ?1 ORDER BY x.id";
  static const char sql_m[] =
    "SELECT tipo AS tipo, valor AS valor, motivo AS motivo, em AS em FROM caixa_movimento"
    " WHERE caixa_id = ?1 ORDER BY id";
  fat_stmt *s;
  cJSON *arr = NULL, *o, *a = NULL;
  const char *u = usuario != NULL ? usuario : fat_store_user(st);
  int64_t cid, din, sup, san, ab;
  fat_rc rc;

  *out = NULL;
  rc = fat_store_prepare(st, sql_c, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, u);
  fat_bind_text(s, 2, data);
  rc = fat_store_rows_json(st, s, 0, "erro ao ler o caixa", &arr, err);
  if (rc != FAT_OK)
    return rc;
  o = cJSON_DetachItemFromArray(arr, 0);
  cJSON_Delete(arr);
  if (o == NULL)
    return fat_err_set(err, FAT_ENOTFOUND, "não há caixa de %s em %s", u, data != NULL ? data : "");
  cid = (int64_t)cJSON_GetObjectItemCaseSensitive(o, "id")->valuedouble;
  rc = fat_store_prepare(st, sql_caixa_tot, &s, err);
  if (rc != FAT_OK)
    goto fail;
  fat_bind_text(s, 1, u);
  fat_bind_text(s, 2, data);
  if (fat_stmt_step(s) != FAT_ROW) {
    fat_stmt_reset(s);
    rc = fat_store_dberr(st, err, "erro ao somar o caixa");
    goto fail;
  }
  ab = fat_col_int64(s, 1);
  din = fat_col_int64(s, 2);
  sup = fat_col_int64(s, 3);
  san = fat_col_int64(s, 4);
  fat_stmt_reset(s);
  cJSON_AddNumberToObject(o, "dinheiro", (double)din);
  cJSON_AddNumberToObject(o, "suprimentos", (double)sup);
  cJSON_AddNumberToObject(o, "sangrias", (double)san);
  cJSON_AddNumberToObject(o, "esperado", (double)(ab + din + sup - san));
  rc = fat_store_prepare(st, sql_e, &s, err);
  if (rc == FAT_OK) {
    fat_bind_int(s, 1, cid);
    rc = fat_store_rows_json(st, s, 0, "erro ao ler as entradas", &a, err);
  }
  if (rc != FAT_OK)
    goto fail;
  cJSON_AddItemToObject(o, "entradas", a);
  rc = fat_store_prepare(st, sql_m, &s, err);
  if (rc == FAT_OK) {
    fat_bind_int(s, 1, cid);
    rc = fat_store_rows_json(st, s, 0, "erro ao ler os movimentos", &a, err);
  }
  if (rc != FAT_OK)
    goto fail;
  cJSON_AddItemToObject(o, "movimentos", a);
  *out = o;
  return FAT_OK;
fail:
  cJSON_Delete(o);
  return rc;
}
