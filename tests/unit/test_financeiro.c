/* test_financeiro.c: the money side end to end on one small clinic, with the
** worked examples of docs/financeiro.md:
**   - a fatura of Aurora (liberado R$ 900,00) with its NF and the five
**     retentions of Aurora's script (R$ 73,35: net R$ 826,65);
**   - an OFX statement: a short credit of R$ 800,00 whose memo names Aurora is
**     proposed as a short payment and confirmed (a partial baixa), a PIX that
**     belongs to nobody stays unmatched, a debit is ignored; the same file
**     twice adds nothing, an overlapping or foreign one is refused;
**   - a CNAB 400 retorno (Bradesco) whose liquidation equals a demonstrativo
**     de pagamento is matched to it;
**   - particulares: R$ 1.000,00 on credit in 3 installments with a 3,49% fee,
**     a partial payment in cash through the caixa, recibos;
**   - repasse of 2025-05 holding the item with a glosa in recurso, closed
**     (and refusing changes), and 2025-06 releasing it with the recovered
**     money after the recurso was deferred;
**   - the financial invariants of faturo verificar. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fat_conciliacao.h"
#include "fat_fatura.h"
#include "fat_fin_check.h"
#include "fat_mem.h"
#include "fat_particular.h"
#include "fat_repasse.h"
#include "fat_rules.h"
#include "fat_store_int.h"
#include "fat_store_sqlite.h"
#include "fat_termos.h"

static const char *db_path = "test_financeiro.db";

typedef struct ctx {
  fat_store *st;
  fat_gen *gen;
} ctx;

static void remove_db(void)
{
  unlink(db_path);
  unlink("test_financeiro.db-wal");
  unlink("test_financeiro.db-shm");
}

static void exec(fat_store *st, const char *sql)
{
  char *msg = NULL;

  if (sqlite3_exec(fat_store_db(st), sql, NULL, NULL, &msg) != SQLITE_OK)
    fail_msg("SQL: %s", msg != NULL ? msg : "?");
}

static int64_t q_int(fat_store *st, const char *sql)
{
  sqlite3_stmt *s;
  int64_t v = -1;

  assert_int_equal(sqlite3_prepare_v2(fat_store_db(st), sql, -1, &s, NULL), SQLITE_OK);
  if (sqlite3_step(s) == SQLITE_ROW)
    v = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return v;
}

static const char *q_txt(fat_store *st, const char *sql, char *buf, size_t len)
{
  sqlite3_stmt *s;

  assert_int_equal(sqlite3_prepare_v2(fat_store_db(st), sql, -1, &s, NULL), SQLITE_OK);
  buf[0] = '\0';
  if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) != NULL)
    snprintf(buf, len, "%s", (const char *)sqlite3_column_text(s, 0));
  sqlite3_finalize(s);
  return buf;
}

static int64_t jint(const cJSON *o, const char *k)
{
  const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);

  if (!cJSON_IsNumber(x))
    fail_msg("campo %s ausente", k);
  return (int64_t)x->valuedouble;
}

static const char *jstr(const cJSON *o, const char *k)
{
  const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);

  return cJSON_IsString(x) ? x->valuestring : "";
}

static const char fixture[] =
  "INSERT INTO prestador (id, nome, cnpj) VALUES (1, 'Clínica Exemplo', '11444777000161');"
  "INSERT INTO operadora (id, registro_ans, nome, script) VALUES"
  " (1, '312347', 'Aurora Saúde', 'aurora');"
  "INSERT INTO profissional (id, nome, conselho, numero_conselho, uf) VALUES"
  " (1, 'Dra. Ana Lima', 'CRM', '1111', 'SP'), (2, 'Dr. Beto Reis', 'CRM', '2222', 'SP');"
  /* lote 1: processed, in the fatura; lote 2: paid by demonstrativo, no fatura */
  "INSERT INTO lote (id, operadora_id, prestador_id, numero, tipo_guia, competencia, status,"
  " valor_informado, valor_liberado, valor_glosado, enviado_em, protocolo, protocolo_data)"
  " VALUES (1, 1, 1, 1, 'sp-sadt', '2025-03', 'processado', 100000, 90000, 10000,"
  " '2025-04-05', 'P1', '2025-04-07'),"
  " (2, 1, 1, 2, 'consulta', '2025-03', 'processado', 25000, 25000, 0,"
  " '2025-04-05', 'P2', '2025-04-07');"
  "INSERT INTO guia (id, prestador_id, operadora_id, tipo, numero_prestador, valor_total,"
  " competencia, status, lote_id, executante_id) VALUES"
  " (1, 1, 1, 'sp-sadt', 'G1', 100000, '2025-03', 'processada', 1, 1),"
  " (2, 1, 1, 'consulta', 'G2', 25000, '2025-03', 'processada', 2, 1);"
  "INSERT INTO item (id, guia_id, sequencial, codigo_tabela, codigo, quantidade_e4,"
  " valor_unitario, valor_total, profissional_id) VALUES"
  " (1, 1, 1, '22', '40304361', 10000, 60000, 60000, 1),"
  " (2, 1, 2, '22', '40808041', 10000, 40000, 40000, 2),"
  " (3, 2, 1, '22', '10101012', 10000, 25000, 25000, 1);"
  "INSERT INTO retorno (id, operadora_id, tipo, sha256) VALUES"
  " (1, 1, 'DEMONSTRATIVO_ANALISE_CONTA', 'x1');"
  "INSERT INTO retorno_guia (id, retorno_id, lote_id, guia_id, valor_informado, valor_liberado,"
  " valor_glosado) VALUES (1, 1, 1, 1, 100000, 90000, 10000);"
  "INSERT INTO retorno_item (retorno_guia_id, item_id, valor_informado, valor_liberado,"
  " valor_glosado) VALUES (1, 1, 60000, 50000, 10000), (1, 2, 40000, 40000, 0);"
  "INSERT INTO glosa (id, guia_id, item_id, retorno_id, codigo, valor, situacao, lote_id)"
  " VALUES (1, 1, 1, 1, '1705', 10000, 'em_recurso', 1);"
  "INSERT INTO recurso (id, operadora_id, lote_id, numero, status, valor_recursado) VALUES"
  " (1, 1, 1, 1, 'enviado', 10000);"
  "INSERT INTO recurso_item (id, recurso_id, glosa_id, valor_recursado, justificativa) VALUES"
  " (1, 1, 1, 10000, 'consulta nova');"
  "INSERT INTO pagamento (id, operadora_id, lote_id, data, valor, descricao) VALUES"
  " (1, 1, 2, '2025-05-12', 25000, 'demonstrativo de pagamento');";

static int setup(void **state)
{
  ctx *c = calloc(1, sizeof *c);
  fat_err err;

  remove_db();
  assert_int_equal(fat_store_create(db_path, &c->st, &err), FAT_OK);
  assert_int_equal(fat_store_set_user(c->st, "ana", &err), FAT_OK);
  exec(c->st, fixture);
  if (fat_gen_build(getenv("FATURO_REGRAS"), NULL, NULL, NULL, &c->gen, &err) != FAT_OK)
    fail_msg("regras: %s", err.msg);
  *state = c;
  return 0;
}

static int teardown(void **state)
{
  ctx *c = *state;

  fat_gen_release(c->gen);
  fat_store_close(c->st);
  free(c);
  remove_db();
  return 0;
}

static const char ofx[] =
  "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nENCODING:USASCII\nCHARSET:1252\n\n"
  "<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>BRL\n"
  "<BANKACCTFROM><BANKID>001<BRANCHID>1234<ACCTID>56789-0<ACCTTYPE>CHECKING</BANKACCTFROM>\n"
  "<BANKTRANLIST><DTSTART>20250501<DTEND>20250531\n"
  "<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20250508120000[-3:BRT]<TRNAMT>800,00<FITID>F1\n"
  "<MEMO>TED RECEBIDA AURORA SAUDE S A 11222333000181</STMTTRN>\n"
  "<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20250509<TRNAMT>123.45<FITID>F2\n"
  "<MEMO>PIX RECEBIDO FULANO DE TAL</STMTTRN>\n"
  "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20250510<TRNAMT>-50.00<FITID>F3\n"
  "<MEMO>TARIFA PACOTE</STMTTRN>\n"
  "</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n";

/* A Bradesco CNAB 400 retorno with one liquidation of R$ 250,00 credited on 14/05/2025. */
static char *cnab400(size_t *len)
{
  char *b = fat_malloc(3 * 402 + 1), *l;
  int i;

  memset(b, ' ', 3 * 402);
  b[3 * 402] = '\0';
  for (i = 0; i < 3; i++) {
    b[i * 402 + 400] = '\r';
    b[i * 402 + 401] = '\n';
  }
  l = b;
  memcpy(l, "02RETORNO01COBRANCA", 19);
  memcpy(l + 26, "00000000000004466911", 20);
  memcpy(l + 46, "CLINICA EXEMPLO", 15);
  memcpy(l + 76, "237BRADESCO", 11);
  memcpy(l + 94, "130525", 6);
  l = b + 402;
  l[0] = '1';
  memcpy(l + 70, "000000000123", 12);
  memcpy(l + 108, "06130525DEMO000001", 18);
  memcpy(l + 152, "0000000025000", 13);
  memcpy(l + 253, "0000000025000", 13);
  memcpy(l + 295, "140525", 6);
  l = b + 2 * 402;
  l[0] = '9';
  *len = 3 * 402;
  return b;
}

static void test_fatura_conciliacao(void **state)
{
  ctx *c = *state;
  fat_store *st = c->st;
  fat_extrato_res res;
  cJSON *o = NULL, *it;
  int64_t fid = 0;
  char buf[256];
  fat_err err;
  size_t len;
  char *cn, *outro;

  /* fatura of lote 1; lote 2 stays out */
  {
    int64_t l1 = 1;

    assert_int_equal(fat_fatura_criar(st, c->gen, "312347", "2025-03", &l1, 1, &fid, &err),
                     FAT_OK);
  }
  assert_int_equal(q_int(st, "SELECT valor FROM fatura"), 90000);
  /* Aurora: 30 days from the protocolo (07/04) */
  assert_string_equal(q_txt(st, "SELECT previsao_pagamento FROM fatura", buf, sizeof buf),
                      "2025-05-07");
  {
    int64_t l1 = 1;

    assert_int_equal(fat_fatura_criar(st, c->gen, "312347", "2025-03", &l1, 1, NULL, &err),
                     FAT_ESTATE);
    assert_non_null(strstr(err.msg, "já está na fatura"));
  }
  /* NF with the retentions of Aurora's script: 2% + 1,5% + 0,65% + 3% + 1% of 900,00 */
  assert_int_equal(fat_fatura_nf(st, c->gen, fid, "1234", "A", "2025-04-10", 0, &err), FAT_OK);
  assert_int_equal(q_int(st, "SELECT ret_iss FROM fatura"), 1800);
  assert_int_equal(q_int(st, "SELECT ret_ir FROM fatura"), 1350);
  assert_int_equal(q_int(st, "SELECT ret_pis FROM fatura"), 585);
  assert_int_equal(q_int(st, "SELECT ret_cofins FROM fatura"), 2700);
  assert_int_equal(q_int(st, "SELECT ret_csll FROM fatura"), 900);

  /* the statement: refused while the account is not the clinic's */
  assert_int_equal(fat_extrato_importar(st, "maio.ofx", ofx, strlen(ofx), &res, &err),
                   FAT_EINVAL);
  assert_non_null(strstr(err.msg, "não é uma conta da clínica"));
  assert_int_equal(q_int(st, "SELECT COUNT(*) FROM extrato_linha"), 0);
  assert_int_equal(fat_conta_adicionar(st, "001", "1234", "56789-0", "BB movimento", NULL, &err),
                   FAT_OK);
  assert_int_equal(fat_extrato_importar(st, "maio.ofx", ofx, strlen(ofx), &res, &err), FAT_OK);
  assert_int_equal(res.linhas, 3);
  assert_int_equal(res.creditos, 2);
  /* the same file again adds nothing */
  assert_int_equal(fat_extrato_importar(st, "maio.ofx", ofx, strlen(ofx), &res, &err), FAT_OK);
  assert_true(res.ja_importado);
  assert_int_equal(q_int(st, "SELECT COUNT(*) FROM extrato_linha"), 3);
  /* another file over the same period of the same account is refused whole */
  outro = fat_strdup(ofx);
  memcpy(strstr(outro, "FULANO"), "BELTRA", 6);
  assert_int_equal(fat_extrato_importar(st, "maio2.ofx", outro, strlen(outro), &res, &err),
                   FAT_ESTATE);
  assert_non_null(strstr(err.msg, "já foi importado"));
  fat_free(outro);
  assert_int_equal(q_int(st, "SELECT COUNT(*) FROM extrato"), 1);

  /* matching: the short credit names Aurora -> proposed as a short payment */
  assert_int_equal(fat_conciliacao_propor(st, c->gen, &o, &err), FAT_OK);
  assert_int_equal(cJSON_GetArraySize(o), 1);
  it = cJSON_GetArrayItem(o, 0);
  assert_int_equal(jint(it, "valor"), 80000);
  assert_int_equal(jint(it, "fatura_id"), fid);
  assert_non_null(strstr(jstr(it, "motivo"), "pagamento a menor"));
  assert_int_equal(fat_conciliacao_confirmar(st, jint(it, "id"), 0, &err), FAT_OK);
  cJSON_Delete(o);
  /* partial baixa: 800,00 net settles 800,00 * 900,00 / 826,65 = 870,99 gross */
  assert_int_equal(q_int(st, "SELECT valor_bruto FROM recebimento"), 87099);
  assert_int_equal(q_int(st, "SELECT SUM(valor) FROM recebimento_guia"), 87099);
  assert_string_equal(q_txt(st, "SELECT status FROM fatura", buf, sizeof buf), "paga_parcial");
  assert_string_equal(q_txt(st, "SELECT status FROM lote WHERE id = 1", buf, sizeof buf),
                      "pago_parcial");
  /* never the same credit twice */
  assert_int_not_equal(fat_conciliacao_vincular(st, 1, fid, 0, 0, &err), FAT_OK);
  assert_int_equal(q_int(st, "SELECT COUNT(*) FROM recebimento"), 1);
  assert_int_equal(fat_conciliacao_propor(st, c->gen, &o, &err), FAT_OK);
  assert_int_equal(cJSON_GetArraySize(o), 0);
  cJSON_Delete(o);
  /* the PIX stays visible, unmatched; the debit is not a pending credit */
  assert_int_equal(fat_conciliacao_pendentes(st, &o, &err), FAT_OK);
  it = cJSON_GetObjectItemCaseSensitive(o, "pendentes");
  assert_int_equal(cJSON_GetArraySize(it), 1);
  assert_int_equal(jint(cJSON_GetArrayItem(it, 0), "valor"), 12345);
  cJSON_Delete(o);

  /* the differences, named */
  assert_int_equal(fat_fatura_mostrar(st, fid, "2025-05-20", &o, &err), FAT_OK);
  {
    int ret = 0, menor = 0, semdem = 0;

    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(o, "diferencas")) {
      if (strcmp(jstr(it, "tipo"), "retencoes") == 0) {
        ret = 1;
        assert_int_equal(jint(it, "valor"), 7335);
      } else if (strcmp(jstr(it, "tipo"), "pagamento_a_menor") == 0) {
        menor = 1;
        assert_int_equal(jint(it, "valor"), 82665 - 80000);
      } else if (strcmp(jstr(it, "tipo"), "pago_sem_demonstrativo") == 0) {
        semdem = 1;
      }
    }
    assert_true(ret && menor && semdem);
    assert_int_equal(jint(o, "saldo_a_receber"), 90000 - 87099);
    assert_int_equal(jint(o, "dias_atraso"), 13); /* expected 07/05, today 20/05 */
    it = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(o, "guias"), 0);
    assert_string_equal(jstr(it, "situacao"), "baixa parcial");
    assert_int_equal(jint(it, "saldo"), 90000 - 87099);
  }
  cJSON_Delete(o);

  /* CNAB: the liquidation equals the demonstrativo of lote 2 */
  assert_int_equal(fat_conta_adicionar(st, "237", NULL, "4466911", "Bradesco cobrança", NULL,
                                       &err), FAT_OK);
  cn = cnab400(&len);
  assert_int_equal(fat_extrato_importar(st, "CB130525.RET", cn, len, &res, &err), FAT_OK);
  assert_string_equal(res.formato, "cnab400");
  assert_int_equal(res.creditos, 1);
  fat_free(cn);
  assert_int_equal(fat_conciliacao_propor(st, c->gen, &o, &err), FAT_OK);
  assert_int_equal(cJSON_GetArraySize(o), 1);
  it = cJSON_GetArrayItem(o, 0);
  assert_int_equal(jint(it, "pagamento_id"), 1);
  assert_string_equal(jstr(it, "data"), "2025-05-14");
  assert_int_equal(fat_conciliacao_confirmar(st, jint(it, "id"), 0, &err), FAT_OK);
  cJSON_Delete(o);
  assert_int_equal(q_int(st, "SELECT COUNT(*) FROM recebimento WHERE pagamento_id = 1"), 1);
  assert_string_equal(q_txt(st, "SELECT status FROM lote WHERE id = 2", buf, sizeof buf), "pago");
  /* lote 2 is fully received: more money for it is refused unless a person accepts it */
  {
    fat_recebimento_in in;

    memset(&in, 0, sizeof in);
    in.lote_id = 2;
    in.data = "2025-05-20";
    in.valor = 100;
    assert_int_equal(fat_recebimento_registrar(st, &in, NULL, &err), FAT_ESTATE);
    assert_non_null(strstr(err.msg, "acima do liberado + recuperado"));
    assert_non_null(strstr(err.msg, "a guia G2 a R$ 251,00 recebidos"));
  }
  /* mapa: one row for the fatura, one for the lote outside any fatura */
  assert_int_equal(fat_fatura_mapa(st, NULL, "2025-03", "2025-05-20", &o, &err), FAT_OK);
  assert_int_equal(cJSON_GetArraySize(o), 2);
  it = cJSON_GetArrayItem(o, 0);
  assert_string_equal(jstr(it, "nf_numero"), "1234");
  assert_int_equal(jint(it, "valor_recebido"), 87099);
  assert_int_equal(jint(it, "valor_recursado"), 10000);
  assert_int_equal(jint(it, "retencoes"), 7335);
  assert_string_equal(jstr(it, "data_recebido"), "2025-05-08");
  it = cJSON_GetArrayItem(o, 1);
  assert_string_equal(jstr(it, "status_fatura"), "sem fatura");
  assert_int_equal(jint(it, "saldo_a_receber"), 0);
  cJSON_Delete(o);
}

static void test_particulares(void **state)
{
  ctx *c = *state;
  fat_store *st = c->st;
  fat_particular_in p;
  fat_particular_pag_in pg;
  fat_adquirente a;
  int64_t id1, id2, recibo;
  char buf[64], *html = NULL;
  size_t len;
  cJSON *o;
  fat_err err;

  memset(&a, 0, sizeof a);
  a.nome = "Cielo";
  a.taxa_debito_bp = 199;
  a.taxa_credito_bp = 299;
  a.taxa_parcelado_bp = 349;
  a.prazo_debito_dias = 1;
  a.prazo_credito_dias = 30;
  assert_int_equal(fat_adquirente_definir(st, &a, &err), FAT_OK);
  memset(&p, 0, sizeof p);
  p.paciente_nome = "Maria da Silva";
  p.paciente_cpf = "529.982.247-25";
  p.data = "2025-05-15";
  p.profissional_id = 1;
  p.codigo = "10101012";
  p.descricao = "consulta em consultório";
  p.valor = 100000;
  assert_int_equal(fat_particular_registrar(st, &p, &id1, &err), FAT_OK);
  /* R$ 1.000,00 on credit in 3 installments, fee 3,49% = R$ 34,90 */
  memset(&pg, 0, sizeof pg);
  pg.particular_id = id1;
  pg.data = "2025-05-15";
  pg.forma = "credito";
  pg.parcelas = 3;
  pg.adquirente = "Cielo";
  assert_int_equal(fat_particular_pagar(st, &pg, NULL, &recibo, &err), FAT_OK);
  assert_int_equal(recibo, 1);
  assert_int_equal(q_int(st, "SELECT taxa FROM particular_pagamento WHERE recibo = 1"), 3490);
  assert_int_equal(q_int(st, "SELECT valor FROM particular_parcela WHERE numero = 1"), 33334);
  assert_int_equal(q_int(st, "SELECT taxa FROM particular_parcela WHERE numero = 1"), 1164);
  assert_int_equal(q_int(st, "SELECT liquido FROM particular_parcela WHERE numero = 2"), 32170);
  assert_int_equal(q_int(st, "SELECT SUM(liquido) FROM particular_parcela"), 100000 - 3490);
  /* +30 days = Saturday 14/06 -> Monday 16/06; +60 = 14/07; +90 = 13/08 */
  assert_string_equal(q_txt(st, "SELECT group_concat(data_credito, ' ') FROM"
                                " (SELECT data_credito FROM particular_parcela ORDER BY numero)",
                            buf, sizeof buf),
                      "2025-06-16 2025-07-14 2025-08-13");
  assert_string_equal(q_txt(st, "SELECT status FROM particular WHERE id = 1", buf, sizeof buf),
                      "pago");
  assert_int_equal(fat_particular_recibo_html(st, 1, &html, &len, &err), FAT_OK);
  assert_non_null(strstr(html, "mil reais"));
  assert_non_null(strstr(html, "529.982.247-25"));
  assert_non_null(strstr(html, "R$ 1.000,00"));
  assert_non_null(strstr(html, "Recibo nº 1"));
  fat_free(html);

  /* a partial payment: R$ 100,00 in cash of R$ 300,00, the rest by PIX */
  p.valor = 30000;
  p.profissional_id = 0;
  p.paciente_cpf = NULL;
  assert_int_equal(fat_particular_registrar(st, &p, &id2, &err), FAT_OK);
  memset(&pg, 0, sizeof pg);
  pg.particular_id = id2;
  pg.data = "2025-05-15";
  pg.forma = "dinheiro";
  pg.valor = 10000;
  assert_int_equal(fat_particular_pagar(st, &pg, NULL, NULL, &err), FAT_ESTATE);
  assert_non_null(strstr(err.msg, "não foi aberto"));
  assert_int_equal(fat_caixa_abrir(st, "2025-05-15", 5000, NULL, &err), FAT_OK);
  assert_int_equal(fat_particular_pagar(st, &pg, NULL, &recibo, &err), FAT_OK);
  assert_int_equal(recibo, 2);
  assert_int_equal(fat_particular_mostrar(st, id2, &o, &err), FAT_OK);
  assert_int_equal(jint(o, "saldo"), 20000);
  assert_string_equal(jstr(o, "status"), "aberto");
  cJSON_Delete(o);
  pg.valor = 20001;
  pg.forma = "pix";
  assert_int_equal(fat_particular_pagar(st, &pg, NULL, NULL, &err), FAT_EINVAL);
  assert_non_null(strstr(err.msg, "passa do saldo"));
  pg.valor = 0; /* the balance */
  assert_int_equal(fat_particular_pagar(st, &pg, NULL, &recibo, &err), FAT_OK);
  assert_int_equal(recibo, 3);
  assert_string_equal(q_txt(st, "SELECT status FROM particular WHERE id = 2", buf, sizeof buf),
                      "pago");
  /* caixa: 50,00 + 100,00 cash - 20,00 sangria = 130,00 expected; 129,00 counted */
  assert_int_equal(fat_caixa_movimentar(st, "2025-05-15", "sangria", 2000, "troco do banco", &err),
                   FAT_OK);
  assert_int_equal(fat_caixa_fechar(st, "2025-05-15", 12900, &o, &err), FAT_OK);
  assert_int_equal(jint(o, "esperado"), 13000);
  assert_int_equal(jint(o, "diferenca"), -100);
  cJSON_Delete(o);
  assert_int_equal(fat_caixa_movimentar(st, "2025-05-15", "suprimento", 100, "x", &err),
                   FAT_ESTATE);
  assert_int_equal(fat_particular_nfse(st, "2025-05-01", "2025-05-31", &o, &err), FAT_OK);
  assert_int_equal(cJSON_GetArraySize(o), 3);
  cJSON_Delete(o);
}

static int64_t total_prof(const cJSON *e, int64_t prof, const char *k)
{
  const cJSON *p;

  cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(e, "profissionais")) {
    if (jint(p, "id") == prof)
      return jint(p, k);
  }
  return 0;
}

static void test_repasse(void **state)
{
  ctx *c = *state;
  fat_store *st = c->st;
  fat_repasse_regra_in r;
  fat_recebimento_in in;
  cJSON *e = NULL, *v = NULL, *it;
  char buf[64];
  int64_t held;
  fat_err err;

  memset(&r, 0, sizeof r);
  r.profissional_id = 1;
  r.origem = "convenio";
  r.percentual_bp = 6000;
  r.valor_fixo = -1;
  assert_int_equal(fat_repasse_regra_definir(st, &r, NULL, &err), FAT_OK);
  r.origem = "particular";
  r.percentual_bp = 5000;
  assert_int_equal(fat_repasse_regra_definir(st, &r, NULL, &err), FAT_OK);
  r.profissional_id = 2;
  r.origem = NULL;
  r.percentual_bp = 7000;
  assert_int_equal(fat_repasse_regra_definir(st, &r, NULL, &err), FAT_OK);
  /* more specific rules for Ana at the same 60% (the totals below hold):
  ** item 1 (40304361) takes the one with operadora + grupo + origem, item 3
  ** (10101012) the longest grupo among those of two criteria, the first
  ** defined of two equal ones */
  {
    static const struct {
      const char *op, *grupo, *origem;
      int64_t id;
    } mais[] = {{NULL, "4030", NULL, 0},     {"312347", "4030", "convenio", 0},
                {NULL, "403", "convenio", 0}, {NULL, "1010", "convenio", 0},
                {NULL, "10101", "convenio", 0}, {NULL, "10101", "convenio", 0},
                {"312347", NULL, NULL, 0}};
    int64_t ids[7];
    size_t k;

    for (k = 0; k < 7; k++) {
      memset(&r, 0, sizeof r);
      r.profissional_id = 1;
      r.operadora = mais[k].op;
      r.grupo = mais[k].grupo;
      r.origem = mais[k].origem;
      r.percentual_bp = 6000;
      r.valor_fixo = -1;
      assert_int_equal(fat_repasse_regra_definir(st, &r, &ids[k], &err), FAT_OK);
    }
    assert_int_equal(fat_repasse_calcular(st, c->gen, "2025-05", &e, &err), FAT_OK);
    assert_int_equal(q_int(st, "SELECT regra_id FROM repasse_item WHERE item_id = 1"), ids[1]);
    assert_int_equal(q_int(st, "SELECT regra_id FROM repasse_item WHERE item_id = 3"), ids[4]);
    assert_string_equal(q_txt(st, "SELECT regra FROM repasse_item WHERE item_id = 1", buf,
                              sizeof buf),
                        "60,00%, grupo 4030, operadora, convenio");
    /* every line's rule is the one the SQL precedence picks */
    assert_int_equal(
      q_int(st,
            "SELECT COUNT(*) FROM repasse_item ri JOIN item i ON i.id = ri.item_id"
            " JOIN guia g ON g.id = ri.guia_id WHERE ri.regra_id IS NOT (SELECT x.id FROM"
            " repasse_regra x WHERE x.profissional_id = ri.profissional_id AND"
            " (x.operadora_id IS NULL OR x.operadora_id = g.operadora_id) AND (x.plano_id IS NULL"
            " OR x.plano_id = g.plano_id) AND (x.grupo IS NULL OR substr(i.codigo, 1,"
            " length(x.grupo)) = x.grupo) AND (x.origem IS NULL OR x.origem = ri.origem)"
            " ORDER BY (x.operadora_id IS NOT NULL) + (x.plano_id IS NOT NULL) + (x.grupo IS NOT"
            " NULL) + (x.origem IS NOT NULL) DESC, length(COALESCE(x.grupo, '')) DESC, x.id"
            " LIMIT 1) AND ri.regra NOT LIKE 'contrato da operadora%'"),
      0);
    assert_true(q_int(st, "SELECT COUNT(*) FROM repasse_item WHERE regra_id IS NOT NULL") >= 2);
    cJSON_Delete(e);
    e = NULL;
  }

  assert_int_equal(fat_repasse_calcular(st, c->gen, "2025-05", &e, &err), FAT_OK);
  /* receipt 1: 870,99 over items liberado 500,00 / 400,00 -> 483,88 + 387,11
  **   item 1 (Ana, 60%) = 290,33, glosa 100,00 in recurso -> held
  **   item 2 (Beto, Aurora's contract: group 408 at 40%) = 154,84
  ** receipt 2 (CNAB, lote 2): 250,00 -> Ana 60% = 150,00
  ** particular: 1.000,00 - fee 34,90 = 965,10 -> Ana 50% = 482,55 */
  assert_int_equal(total_prof(e, 1, "total_retido"), 29033);
  assert_int_equal(total_prof(e, 1, "total_pagar"), 15000 + 48255);
  assert_int_equal(total_prof(e, 2, "total_pagar"), 15484);
  assert_int_equal(jint(e, "total_retido"), 29033);
  /* the totals without the lines (what the demo reads at a million guias) */
  {
    fat_repasse_totais t;

    assert_int_equal(fat_repasse_totais_de(st, "2025-05", &t, &err), FAT_OK);
    assert_int_equal(t.pagar, jint(e, "total_pagar"));
    assert_int_equal(t.retido, 29033);
    assert_int_equal(t.liberado, 0);
    assert_int_equal(t.linhas, 4);
    assert_int_equal(fat_repasse_totais_de(st, "2031-01", &t, &err), FAT_OK);
    assert_int_equal(t.pagar + t.retido + t.linhas, 0);
    assert_int_equal(fat_repasse_totais_de(st, "maio", &t, &err), FAT_EINVAL);
  }
  held = q_int(st, "SELECT id FROM repasse_item WHERE situacao = 'retido'");
  assert_int_equal(q_int(st, "SELECT glosa FROM repasse_item WHERE situacao = 'retido'"), 10000);
  assert_string_equal(q_txt(st, "SELECT regra FROM repasse_item WHERE item_id = 2", buf,
                            sizeof buf),
                      "contrato da operadora (grupo 408): cláusula 12.4");
  cJSON_Delete(e);
  /* paying what was received, then holding again: a decision kept by recalculation */
  assert_int_equal(fat_repasse_decidir(st, held, "pagar", &err), FAT_OK);
  assert_int_equal(fat_repasse_calcular(st, c->gen, "2025-05", &e, &err), FAT_OK);
  assert_int_equal(jint(e, "total_retido"), 0);
  cJSON_Delete(e);
  held = q_int(st, "SELECT id FROM repasse_item WHERE glosa > 0");
  assert_int_equal(fat_repasse_decidir(st, held, "reter", &err), FAT_OK);
  assert_int_equal(fat_repasse_fechar(st, "2025-05", &err), FAT_OK);

  /* a closed repasse refuses every change */
  assert_int_equal(fat_repasse_calcular(st, c->gen, "2025-05", NULL, &err), FAT_ESTATE);
  assert_non_null(strstr(err.msg, "fechado"));
  assert_int_equal(fat_repasse_decidir(st, held, "pagar", &err), FAT_ESTATE);
  assert_int_equal(fat_repasse_ajuste(st, "2025-05", 1, 100, "erro", &err), FAT_ESTATE);
  assert_int_equal(fat_repasse_fechar(st, "2025-05", &err), FAT_ESTATE);
  assert_int_not_equal(sqlite3_exec(fat_store_db(st),
                                    "UPDATE repasse_item SET valor = 1 WHERE id = 1", NULL, NULL,
                                    NULL),
                       SQLITE_OK);
  assert_int_not_equal(sqlite3_exec(fat_store_db(st), "DELETE FROM repasse_item", NULL, NULL,
                                    NULL),
                       SQLITE_OK);
  assert_int_equal(q_int(st, "SELECT COUNT(*) FROM auditoria WHERE acao = 'repasse.fechar'"), 1);

  /* June without the recurso answer: nothing is released */
  assert_int_equal(fat_repasse_calcular(st, c->gen, "2025-06", &e, &err), FAT_OK);
  assert_int_equal(jint(e, "total_pagar"), 0);
  cJSON_Delete(e);
  /* the recurso is deferred and its money arrives */
  exec(st, "UPDATE recurso SET status = 'respondido', resultado = 'deferido',"
           " valor_recuperado = 10000 WHERE id = 1;"
           "UPDATE recurso_item SET valor_deferido = 10000 WHERE id = 1;"
           "UPDATE glosa SET situacao = 'recuperada', valor_recuperado = 10000 WHERE id = 1;");
  memset(&in, 0, sizeof in);
  in.recurso_id = 1;
  in.data = "2025-06-10";
  in.valor = 10000;
  assert_int_equal(fat_recebimento_registrar(st, &in, NULL, &err), FAT_OK);
  assert_int_equal(q_int(st, "SELECT recuperado FROM recebimento WHERE recurso_id = 1"), 1);
  assert_int_equal(fat_repasse_ajuste(st, "2025-06", 2, -100, "correção do repasse de maio",
                                      &err), FAT_OK);
  assert_int_equal(fat_repasse_calcular(st, c->gen, "2025-06", &e, &err), FAT_OK);
  /* Ana: the held 290,33 released + 60% of the 100,00 recovered; Beto: the adjustment */
  assert_int_equal(total_prof(e, 1, "total_pagar"), 29033 + 6000);
  assert_int_equal(total_prof(e, 2, "total_pagar"), -100);
  assert_int_equal(jint(e, "total_retido"), 0);
  assert_int_equal(q_int(st, "SELECT origem_item_id FROM repasse_item WHERE origem = 'liberacao'"),
                   held);
  {
    fat_repasse_totais t;

    assert_int_equal(fat_repasse_totais_de(st, "2025-06", &t, &err), FAT_OK);
    assert_int_equal(t.pagar, jint(e, "total_pagar"));
    assert_int_equal(t.liberado, 29033);
  }
  cJSON_Delete(e);
  /* the mapa shows the recovered money */
  assert_int_equal(fat_fatura_mapa(st, "aurora", "2025-03", "2025-06-20", &v, &err), FAT_OK);
  it = cJSON_GetArrayItem(v, 0);
  assert_int_equal(jint(it, "valor_recuperado"), 10000);
  assert_int_equal(jint(it, "valor_recebido"), 87099 + 10000);
  assert_int_equal(jint(it, "saldo_a_receber"), 90000 + 10000 - 97099);
  cJSON_Delete(v);
  /* statements in HTML and XLSX */
  {
    char *html = NULL;
    size_t len;
    FILE *f;
    char magic[2] = {0, 0};

    assert_int_equal(fat_repasse_extrato_html(st, "2025-05", 1, &html, &len, &err), FAT_OK);
    assert_non_null(strstr(html, "Dra. Ana Lima"));
    assert_non_null(strstr(html, "retido (glosa em aberto)"));
    fat_free(html);
    assert_int_equal(fat_repasse_extrato_xlsx(st, "2025-05", 0, "test_financeiro.xlsx", &err),
                     FAT_OK);
    f = fopen("test_financeiro.xlsx", "rb");
    assert_non_null(f);
    assert_int_equal(fread(magic, 1, 2, f), 2);
    fclose(f);
    assert_memory_equal(magic, "PK", 2); /* a zip container */
    unlink("test_financeiro.xlsx");
  }
}

static void test_verificar(void **state)
{
  ctx *c = *state;
  fat_store *st = c->st;
  cJSON *o = NULL, *it;
  fat_err err;
  int n = 0;

  assert_int_equal(fat_fin_verificar(st, &o, &err), FAT_OK);
  cJSON_ArrayForEach(it, o) {
    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "ok")))
      fail_msg("%s: %s", jstr(it, "nome"),
               cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(it, "violacoes")));
    n++;
  }
  assert_int_equal(n, 4);
  cJSON_Delete(o);
  /* each check catches its violation */
  exec(st, "DROP INDEX recebimento_demonstrativo;"
           "INSERT INTO recebimento (operadora_id, lote_id, origem, data, valor, valor_bruto)"
           " VALUES (1, 2, 'manual', '2025-07-01', 500, 600);"
           "INSERT INTO recebimento_guia VALUES (last_insert_rowid(), 2, 500);"
           "UPDATE extrato_linha SET situacao = 'pendente' WHERE id = 1;");
  assert_int_equal(fat_fin_verificar(st, &o, &err), FAT_OK);
  cJSON_ArrayForEach(it, o) {
    const char *nome = jstr(it, "nome");
    int ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "ok"));

    if (strcmp(nome, "repasse_soma_base") == 0)
      assert_true(ok);
    else
      assert_false(ok);
  }
  cJSON_Delete(o);
}

static void test_termos_malformados(void **state)
{
  const char *dir = getenv("FATURO_REGRAS");
  char src[1024], *data = NULL, *p;
  size_t len;
  FILE *f;
  fat_gen *g = NULL;
  fat_err err;

  (void)state;
  snprintf(src, sizeof src, "%s/operators/aurora.lua", dir);
  assert_int_equal(fat_file_read(src, 1 << 20, &data, &len, &err), FAT_OK);
  p = strstr(data, "iss = \"2%\"");
  assert_non_null(p);
  memcpy(p, "iss = \"2x\"", 10);
  f = fopen("test_financeiro_aurora.lua", "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(data, 1, len, f), len);
  fclose(f);
  fat_free(data);
  assert_int_not_equal(fat_gen_build(dir, "aurora", "test_financeiro_aurora.lua", NULL, &g, &err),
                       FAT_OK);
  assert_non_null(strstr(err.msg, "retencoes.iss"));
  assert_non_null(strstr(err.msg, "aurora"));
  unlink("test_financeiro_aurora.lua");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_fatura_conciliacao),
    cmocka_unit_test(test_particulares),
    cmocka_unit_test(test_repasse),
    cmocka_unit_test(test_verificar),
  };
  const struct CMUnitTest soltos[] = {cmocka_unit_test(test_termos_malformados)};
  int rc = cmocka_run_group_tests(tests, setup, teardown);

  return rc + cmocka_run_group_tests(soltos, NULL, NULL);
}
