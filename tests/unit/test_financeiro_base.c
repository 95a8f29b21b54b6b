/* test_financeiro_base.c: the pure parts of the money side: amounts in words,
** holidays and business days, splits that sum to the whole, and the OFX and
** CNAB readers against every real sample in shared/financeiro/samples (each
** read with the figures measured from the file, or refused with a reason). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "fat_calendario.h"
#include "fat_dia.h"
#include "fat_extenso.h"
#include "fat_extrato.h"
#include "fat_mem.h"
#include "fat_rateio.h"
#include "fat_termos.h"

static void test_extenso(void **state)
{
  static const struct {
    int64_t c;
    const char *txt;
  } casos[] = {
    {100, "um real"},
    {200, "dois reais"},
    {1, "um centavo"},
    {50, "cinquenta centavos"},
    {0, "zero real"},
    {10000, "cem reais"},
    {10100, "cento e um reais"},
    {123456, "mil duzentos e trinta e quatro reais e cinquenta e seis centavos"},
    {200100, "dois mil e um reais"},
    {110000, "mil e cem reais"},
    {100000000, "um milhão de reais"},
    {200000000, "dois milhões de reais"},
    {120000000, "um milhão e duzentos mil reais"},
    {100000100, "um milhão e um reais"},
    {1500001, "quinze mil reais e um centavo"},
    {99999999999999, "novecentos e noventa e nove bilhões novecentos e noventa e nove milhões "
                     "novecentos e noventa e nove mil novecentos e noventa e nove reais e "
                     "noventa e nove centavos"},
    {1700, "dezessete reais"},
    {1414, "quatorze reais e quatorze centavos"},
  };
  char buf[320];
  fat_err err;
  size_t i;

  (void)state;
  for (i = 0; i < sizeof casos / sizeof casos[0]; i++) {
    assert_int_equal(fat_extenso_reais(casos[i].c, buf, sizeof buf, &err), FAT_OK);
    assert_string_equal(buf, casos[i].txt);
  }
  assert_int_equal(fat_extenso_reais(-1, buf, sizeof buf, &err), FAT_EINVAL);
  assert_int_equal(fat_extenso_reais(123456, buf, 10, &err), FAT_ELIMIT);
}

/* The server's time zone as the panel gets it (GET /api/sessao): the IANA
** name of TZ (with or without ':' or a zoneinfo path), none for a POSIX rule,
** and the offset of the rule. */
static void test_fuso(void **state)
{
  char nome[64];
  int min;
  const char *antes = getenv("TZ");
  char salvo[128] = "";

  (void)state;
  if (antes != NULL)
    snprintf(salvo, sizeof salvo, "%s", antes);
  setenv("TZ", "<-03>3", 1);
  tzset();
  fat_dia_fuso(nome, sizeof nome, &min);
  assert_string_equal(nome, "");
  assert_int_equal(min, -180);
  setenv("TZ", "America/Sao_Paulo", 1);
  tzset();
  fat_dia_fuso(nome, sizeof nome, &min);
  assert_string_equal(nome, "America/Sao_Paulo");
  setenv("TZ", ":/usr/share/zoneinfo/America/Manaus", 1);
  tzset();
  fat_dia_fuso(nome, sizeof nome, &min);
  assert_string_equal(nome, "America/Manaus");
  setenv("TZ", "UTC", 1);
  tzset();
  fat_dia_fuso(nome, sizeof nome, &min);
  assert_string_equal(nome, "UTC");
  assert_int_equal(min, 0);
  if (antes != NULL)
    setenv("TZ", salvo, 1);
  else
    unsetenv("TZ");
  tzset();
}

static void test_feriados(void **state)
{
  const char *nome = NULL;
  int32_t d;

  (void)state;
  /* Easter 2025 = 20/04, 2024 = 31/03, 2026 = 05/04 */
  assert_int_equal(fat_cal_pascoa(2025), fat_dia_from_ymd(2025, 4, 20));
  assert_int_equal(fat_cal_pascoa(2024), fat_dia_from_ymd(2024, 3, 31));
  assert_int_equal(fat_cal_pascoa(2026), fat_dia_from_ymd(2026, 4, 5));
  assert_true(fat_cal_feriado_nacional(fat_dia_from_ymd(2025, 3, 4), &nome)); /* carnaval */
  assert_string_equal(nome, "Carnaval (terça-feira)");
  assert_true(fat_cal_feriado_nacional(fat_dia_from_ymd(2025, 4, 18), &nome));
  assert_string_equal(nome, "Sexta-feira Santa");
  assert_true(fat_cal_feriado_nacional(fat_dia_from_ymd(2025, 6, 19), &nome));
  assert_string_equal(nome, "Corpus Christi");
  assert_true(fat_cal_feriado_nacional(fat_dia_from_ymd(2025, 11, 20), NULL));
  assert_false(fat_cal_feriado_nacional(fat_dia_from_ymd(2023, 11, 20), NULL));
  assert_true(fat_cal_feriado_nacional(fat_dia_from_ymd(2025, 9, 7), NULL));
  assert_false(fat_cal_feriado_nacional(fat_dia_from_ymd(2025, 9, 8), NULL));
  /* Friday 17/04/2025 + 1 business day: 18 holiday, 19-20 weekend, 21 Tiradentes -> 22 */
  d = fat_cal_somar_uteis(NULL, fat_dia_from_ymd(2025, 4, 17), 1);
  assert_int_equal(d, fat_dia_from_ymd(2025, 4, 22));
  /* a municipal holiday on 23/04 moves the next one */
  {
    int32_t extra = fat_dia_from_ymd(2025, 4, 23);
    fat_calendario cal = {&extra, 1};

    assert_false(fat_cal_util(&cal, extra));
    assert_int_equal(fat_cal_somar_uteis(&cal, fat_dia_from_ymd(2025, 4, 17), 2),
                     fat_dia_from_ymd(2025, 4, 24));
  }
}

static void test_previsao(void **state)
{
  fat_termos t;
  int32_t envio = fat_dia_from_ymd(2025, 4, 10), prot = fat_dia_from_ymd(2025, 4, 14);

  (void)state;
  memset(&t, 0, sizeof t);
  assert_int_equal(fat_termos_previsao(&t, NULL, envio, prot), -1); /* no term */
  t.prazo_dias = 30;                                                   /* 10/04 + 30 = 10/05 (sat) */
  assert_int_equal(fat_termos_previsao(&t, NULL, envio, prot), fat_dia_from_ymd(2025, 5, 12));
  t.contar_de_protocolo = 1; /* 14/04 + 30 = 14/05 (wed) */
  assert_int_equal(fat_termos_previsao(&t, NULL, envio, prot), fat_dia_from_ymd(2025, 5, 14));
  t.dias_uteis = 1; /* 30 business days after 14/04: 18/04 and 21/04 and 01/05 off -> 29/05 */
  assert_int_equal(fat_termos_previsao(&t, NULL, envio, prot), fat_dia_from_ymd(2025, 5, 29));
  t.dias_uteis = 0;
  t.n_dias = 2; /* fixed payment days 10 and 25: 14/05 -> 25/05 (sun) -> 26/05 */
  t.dias_do_mes[0] = 10;
  t.dias_do_mes[1] = 25;
  assert_int_equal(fat_termos_previsao(&t, NULL, envio, prot), fat_dia_from_ymd(2025, 5, 26));
  t.dias_do_mes[0] = 5; /* 14/05 past both 5 and ... */
  t.dias_do_mes[1] = 10;
  assert_int_equal(fat_termos_previsao(&t, NULL, envio, prot), fat_dia_from_ymd(2025, 6, 5));
}

static void test_rateio(void **state)
{
  int64_t p[24], v[24], tx[24], liq[24], soma = 0, somatx = 0;
  int64_t pesos[3] = {1, 1, 1};
  fat_err err;
  int i;

  (void)state;
  fat_rateio_parcelas(10000, 3, p);
  assert_int_equal(p[0], 3334);
  assert_int_equal(p[1], 3333);
  assert_int_equal(p[2], 3333);
  assert_int_equal(fat_rateio_bp(12345, 250), 309);  /* 308,625 -> 309 */
  assert_int_equal(fat_rateio_bp(10000, 5050), 5050);
  assert_int_equal(fat_rateio_proporcional(100, pesos, 3, p, &err), FAT_OK);
  assert_int_equal(p[0] + p[1] + p[2], 100);
  assert_int_equal(p[0], 34); /* ties: the earlier part */
  {
    int64_t w[3] = {5000, 3000, 2000};

    assert_int_equal(fat_rateio_proporcional(7001, w, 3, p, &err), FAT_OK);
    assert_int_equal(p[0], 3501); /* 3500,5 -> largest remainder */
    assert_int_equal(p[1], 2100);
    assert_int_equal(p[2], 1400);
  }
  /* worked example: R$ 1.000,00 in 3 installments on credit, fee 3,49% */
  assert_int_equal(fat_rateio_cartao(100000, 3, 349, v, tx, liq, &err), FAT_OK);
  assert_int_equal(v[0], 33334);
  assert_int_equal(v[1], 33333);
  assert_int_equal(v[2], 33333);
  /* fee 3.490,00 centavos: 1163,34 / 1163,33 / 1163,33 of it -> 1164 + 1163 + 1163 */
  assert_int_equal(tx[0], 1164);
  assert_int_equal(tx[1], 1163);
  assert_int_equal(tx[2], 1163);
  for (i = 0; i < 3; i++) {
    soma += liq[i];
    somatx += tx[i];
    assert_int_equal(liq[i], v[i] - tx[i]);
  }
  assert_int_equal(somatx, 3490);
  assert_int_equal(soma, 100000 - 3490);
  /* every split of odd totals over 1..24 installments sums to the whole */
  for (i = 1; i <= 24; i++) {
    int k;
    int64_t s1 = 0, s2 = 0;

    assert_int_equal(fat_rateio_cartao(99999, i, 499, v, tx, liq, &err), FAT_OK);
    for (k = 0; k < i; k++) {
      s1 += v[k];
      s2 += tx[k];
    }
    assert_int_equal(s1, 99999);
    assert_int_equal(s2, fat_rateio_bp(99999, 499));
  }
  assert_int_equal(fat_rateio_cartao(1000, 25, 100, v, tx, liq, &err), FAT_EINVAL);
}

/* ---- statements ---- */

static char *amostra(const char *rel, size_t *len)
{
  const char *dir = getenv("FAT_SHARED_DIR");
  char path[1024];
  char *data = NULL;
  fat_err err;

  assert_non_null(dir);
  snprintf(path, sizeof path, "%s/financeiro/samples/%s", dir, rel);
  assert_int_equal(fat_file_read(path, 1 << 22, &data, len, &err), FAT_OK);
  return data;
}

typedef struct caso {
  const char *arquivo;
  int ok;                 /* 1 read, 0 refused */
  size_t n;               /* lines read */
  int64_t soma;           /* sum of values, centavos */
  const char *banco, *conta, *moeda;
  const char *erro;       /* substring of the refusal */
} caso;

static int64_t soma(const fat_extrato *e)
{
  int64_t s = 0;
  size_t i;

  for (i = 0; i < e->n; i++)
    s += e->linhas[i].valor;
  return s;
}

static void roda(const caso *c, size_t nc)
{
  size_t i;

  for (i = 0; i < nc; i++) {
    size_t len;
    char *data = amostra(c[i].arquivo, &len);
    fat_extrato e;
    fat_err err;
    fat_rc rc = fat_extrato_ler(data, len, c[i].arquivo, &e, &err);

    if (c[i].ok) {
      if (rc != FAT_OK)
        fail_msg("%s: %s", c[i].arquivo, err.msg);
      assert_int_equal(e.n, c[i].n);
      assert_int_equal(soma(&e), c[i].soma);
      assert_string_equal(e.banco, c[i].banco);
      assert_string_equal(e.conta, c[i].conta);
      assert_string_equal(e.moeda, c[i].moeda);
    } else {
      if (rc == FAT_OK)
        fail_msg("%s: deveria ser recusado", c[i].arquivo);
      if (strstr(err.msg, c[i].erro) == NULL)
        fail_msg("%s: motivo inesperado: %s", c[i].arquivo, err.msg);
    }
    fat_extrato_fini(&e);
    fat_free(data);
  }
}

static void test_ofx_amostras(void **state)
{
  static const caso c[] = {
    {"ofx/bb_asgrim_sgml102_mktginfo.ofx", 1, 1, 23955, "001", "4550005", "BRL", NULL},
    {"ofx/bb_ofxsharp_sgml102_latin1.ofx", 1, 3, 332255, "001", "999999", "BRL", NULL},
    {"ofx/itau_ofxsharp_sgml102.ofx", 1, 3, -64444, "341", "9999999999", "BRL", NULL},
    {"ofx/santander_ofxsharp_sgml102_padded_amounts.ofx", 1, 3, -56666, "033",
     "9999999999999", "BRL", NULL},
    {"ofx/nubank_cc_asgrim_raw_ampersand.ofx", 1, 16, 39382, "",
     "99999999999999999999999999999999", "BRL", NULL},
    {"ofx/ca_ofxparse_bank_medium_sgml.ofx", 0, 0, 0, NULL, NULL, NULL,
     "BANKID '160000100' não é um código de banco brasileiro"},
    {"ofx/us_mybank_asgrim_ofx200_xml.ofx", 0, 0, 0, NULL, NULL, NULL,
     "BANKID '987654321' não é um código de banco brasileiro"},
    {"ofx/nz_ofxparse_v102_empty_tags_leading_blanklines.ofx", 0, 0, 0, NULL, NULL, NULL,
     "BANKID 'NPBS' não é um código de banco brasileiro"},
    {"ofx/libofx_spec211_bank_and_cc_xml.ofx", 0, 0, 0, NULL, NULL, NULL,
     "mais de um extrato"},
  };

  (void)state;
  roda(c, sizeof c / sizeof c[0]);
}

static void test_ofx_detalhes(void **state)
{
  size_t len;
  char *data;
  fat_extrato e;
  fat_err err;

  (void)state;
  /* ISO-8859-1 bytes under a USASCII header come out as UTF-8 */
  data = amostra("ofx/bb_ofxsharp_sgml102_latin1.ofx", &len);
  assert_int_equal(fat_extrato_ler(data, len, "bb", &e, &err), FAT_OK);
  assert_string_equal(e.agencia, "99999");
  assert_non_null(strstr(e.linhas[0].descricao, "Transferência") != NULL ? "x" : NULL);
  assert_int_equal(e.linhas[0].valor, 344480);
  assert_string_equal(e.linhas[0].data, "2014-03-05");
  assert_string_equal(e.inicio, "2014-02-24");
  fat_extrato_fini(&e);
  fat_free(data);
  /* comma decimal and blank padding */
  data = amostra("ofx/santander_ofxsharp_sgml102_padded_amounts.ofx", &len);
  assert_int_equal(fat_extrato_ler(data, len, "s", &e, &err), FAT_OK);
  assert_int_equal(e.linhas[0].valor, -1111);
  assert_int_equal(e.linhas[1].valor, -22222);
  fat_extrato_fini(&e);
  fat_free(data);
  /* raw '&' kept, amounts without fixed decimals, card statement flagged */
  data = amostra("ofx/nubank_cc_asgrim_raw_ampersand.ofx", &len);
  assert_int_equal(fat_extrato_ler(data, len, "n", &e, &err), FAT_OK);
  assert_true(e.cartao);
  {
    size_t i;
    int amp = 0;

    for (i = 0; i < e.n; i++)
      amp += strchr(e.linhas[i].descricao, '&') != NULL;
    assert_true(amp >= 1);
    assert_int_equal(e.linhas[0].valor, -3330);
  }
  fat_extrato_fini(&e);
  fat_free(data);
  /* UTF-8 bytes under CHARSET:1252 stay UTF-8 */
  data = amostra("ofx/bb_asgrim_sgml102_mktginfo.ofx", &len);
  assert_int_equal(fat_extrato_ler(data, len, "bb2", &e, &err), FAT_OK);
  assert_non_null(strstr(e.linhas[0].descricao, "CRÉDITO"));
  assert_string_equal(e.linhas[0].id, "20151103023955");
  fat_extrato_fini(&e);
  fat_free(data);
}

static void test_ofx_recusas(void **state)
{
  static const struct {
    const char *txt;
    const char *erro;
  } c[] = {
    {"OFXHEADER:100\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><BANKACCTFROM><BANKID>001"
     "<ACCTID>123</BANKACCTFROM><BANKTRANLIST><STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20250101"
     "<TRNAMT>10.00", "linha 3: arquivo truncado (falta </OFX>)"},
    {"OFXHEADER:100\n<OFX>\n<STMTRS><BANKACCTFROM><BANKID>001<ACCTID>1</BANKACCTFROM>\n"
     "<BANKTRANLIST>\n<STMTTRN>\n<TRNTYPE>CREDIT\n<DTPOSTED>20250101\n<TRNAMT>1.2.3\n"
     "</STMTTRN></BANKTRANLIST></STMTRS></OFX>\n", "linha 8: TRNAMT '1.2.3' não é um valor"},
    {"OFXHEADER:100\n<OFX>\n<STMTRS><BANKACCTFROM><BANKID>001<ACCTID>1</BANKACCTFROM>\n"
     "<BANKTRANLIST>\n<STMTTRN>\n<TRNTYPE>CREDIT\n<TRNAMT>1.00\n"
     "</STMTTRN></BANKTRANLIST></STMTRS></OFX>\n", "linha 5: lançamento sem data"},
    {"OFXHEADER:100\n<OFX>\n<STMTRS><BANKACCTFROM><BANKID>001<ACCTID>1</BANKACCTFROM>\n"
     "<BANKTRANLIST>\n<STMTTRN>\n<DTPOSTED>20250101\n<TRNAMT>1.005\n"
     "</STMTTRN></BANKTRANLIST></STMTRS></OFX>\n", "linha 7: TRNAMT '1.005'"},
    {"bom dia", "não é um extrato OFX nem um retorno CNAB"},
  };
  size_t i;

  (void)state;
  for (i = 0; i < sizeof c / sizeof c[0]; i++) {
    fat_extrato e;
    fat_err err;

    assert_int_not_equal(fat_extrato_ler(c[i].txt, strlen(c[i].txt), "x.ofx", &e, &err), FAT_OK);
    if (strstr(err.msg, c[i].erro) == NULL)
      fail_msg("caso %zu: %s", i, err.msg);
    assert_int_equal(e.n, 0);
  }
}

static void test_cnab_amostras(void **state)
{
  static const caso c[] = {
    {"cnab/BB_CBR643_CNAB400_brcobranca.RET", 1, 26, 1005183, "001", "33251000289353000000",
     "BRL", NULL},
    {"cnab/BB_CNAB240_brcobranca_trimmed.RET", 1, 35, 2184489, "001", "54321", "BRL", NULL},
    {"cnab/SANTANDER_CNAB400_brcobranca.RET", 1, 51, 254622, "033", "73000035110", "BRL", NULL},
    {"cnab/bb_cnab240_laravelboleto_241col.ret", 1, 5, 10380, "001", "75367", "BRL", NULL},
    {"cnab/bnb_cnab400_laravelboleto.ret", 1, 7, 1655516, "004", "99990000009999", "BRL", NULL},
    {"cnab/bradesco_cnab400_laravelboleto.ret", 1, 6, 510, "237", "4466911", "BRL", NULL},
    {"cnab/cef_cnab240_laravelboleto.ret", 1, 9, 101000, "104", "432100000000", "BRL", NULL},
    {"cnab/itau_cnab400_laravelboleto.ret", 1, 3, 94273, "341", "11100123450", "BRL", NULL},
    {"cnab/santander_cnab240_laravelboleto.ret", 1, 1, 1100, "033", "50111111119", "BRL", NULL},
    {"cnab/sicredi_cnab400_laravelboleto.ret", 1, 0, 0, "748", "99999999999999999990", "BRL",
     NULL},
  };

  (void)state;
  roda(c, sizeof c / sizeof c[0]);
}

static void test_cnab_recusas(void **state)
{
  char l400[3][402], l240[3][242];
  char buf[2048];
  fat_extrato e;
  fat_err err;
  int n;

  (void)state;
  /* a 400 header of an unknown bank (999) */
  memset(l400, ' ', sizeof l400);
  memcpy(l400[0], "02RETORNO01COBRANCA", 19);
  memcpy(l400[0] + 76, "999", 3);
  memcpy(l400[0] + 94, "010125", 6);
  l400[0][400] = '\n';
  l400[0][401] = '\0';
  n = snprintf(buf, sizeof buf, "%s", l400[0]);
  memset(l400[1], ' ', 400);
  l400[1][0] = '9';
  l400[1][400] = '\n';
  l400[1][401] = '\0';
  n += snprintf(buf + n, sizeof buf - (size_t)n, "%s", l400[1]);
  assert_int_not_equal(fat_extrato_ler(buf, (size_t)n, "x.ret", &e, &err), FAT_OK);
  assert_non_null(strstr(err.msg, "linha 1: retorno CNAB 400 do banco 999 não suportado"));
  /* Bradesco with a short detail line */
  memcpy(l400[0] + 76, "237", 3);
  n = snprintf(buf, sizeof buf, "%s", l400[0]);
  n += snprintf(buf + n, sizeof buf - (size_t)n, "1%0300d\n", 0);
  n += snprintf(buf + n, sizeof buf - (size_t)n, "%s", l400[1]);
  assert_int_not_equal(fat_extrato_ler(buf, (size_t)n, "x.ret", &e, &err), FAT_OK);
  assert_non_null(strstr(err.msg, "linha 2: registro com 301 colunas"));
  /* no trailer: truncated */
  n = snprintf(buf, sizeof buf, "%s", l400[0]);
  memset(l400[2], ' ', 400);
  l400[2][0] = '1';
  memcpy(l400[2] + 108, "06", 2);
  memcpy(l400[2] + 110, "020125", 6);
  memcpy(l400[2] + 253, "0000000001000", 13);
  l400[2][400] = '\n';
  l400[2][401] = '\0';
  n += snprintf(buf + n, sizeof buf - (size_t)n, "%s", l400[2]);
  assert_int_not_equal(fat_extrato_ler(buf, (size_t)n, "x.ret", &e, &err), FAT_OK);
  assert_non_null(strstr(err.msg, "arquivo truncado"));
  /* with the trailer it is one credit of R$ 10,00 on 02/01/2025 */
  n += snprintf(buf + n, sizeof buf - (size_t)n, "%s", l400[1]);
  assert_int_equal(fat_extrato_ler(buf, (size_t)n, "x.ret", &e, &err), FAT_OK);
  assert_int_equal(e.n, 1);
  assert_int_equal(e.linhas[0].valor, 1000);
  assert_string_equal(e.linhas[0].data, "2025-01-02");
  fat_extrato_fini(&e);
  /* a 240 file of a bank we do not know (341) */
  memset(l240, ' ', sizeof l240);
  memcpy(l240[0], "34100000", 8);
  l240[0][142] = '2';
  memcpy(l240[0] + 143, "01012025", 8);
  l240[0][240] = '\n';
  l240[0][241] = '\0';
  n = snprintf(buf, sizeof buf, "%s", l240[0]);
  memcpy(l240[1], "34199999", 8);
  l240[1][240] = '\n';
  l240[1][241] = '\0';
  n += snprintf(buf + n, sizeof buf - (size_t)n, "%s", l240[1]);
  assert_int_not_equal(fat_extrato_ler(buf, (size_t)n, "x.ret", &e, &err), FAT_OK);
  assert_non_null(strstr(err.msg, "CNAB 240 do banco 341 não suportado"));
  /* a remessa (position 143 = 1) is not a retorno */
  memcpy(l240[0], "001", 3);
  memcpy(l240[1], "001", 3);
  l240[0][142] = '1';
  n = snprintf(buf, sizeof buf, "%s%s", l240[0], l240[1]);
  assert_int_not_equal(fat_extrato_ler(buf, (size_t)n, "x.ret", &e, &err), FAT_OK);
  assert_non_null(strstr(err.msg, "não é um arquivo de retorno"));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_extenso),      cmocka_unit_test(test_feriados), cmocka_unit_test(test_fuso),
    cmocka_unit_test(test_previsao),     cmocka_unit_test(test_rateio),
    cmocka_unit_test(test_ofx_amostras), cmocka_unit_test(test_ofx_detalhes),
    cmocka_unit_test(test_ofx_recusas),  cmocka_unit_test(test_cnab_amostras),
    cmocka_unit_test(test_cnab_recusas),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
