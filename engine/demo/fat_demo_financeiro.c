/* fat_demo_financeiro.c: the demo clinic's financial month (see the header). */
#include "fat_demo_financeiro.h"

#include <stdio.h>
#include <string.h>

#include "fat_conciliacao.h"
#include "fat_dia.h"
#include "fat_fatura.h"
#include "fat_fin_check.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_money.h"
#include "fat_particular.h"
#include "fat_recurso.h"
#include "fat_repasse.h"
#include "fat_store_int.h"

#define MAX_FAT 16

typedef struct fat_row {
  int64_t id, liquido;
  char script[64], nome[120], previsao[11];
  int modo;               /* 0 full (OFX), 1 short, 2 late, 3 boleto (CNAB) */
  char data[11];
} fat_row;

static const char *jstr(const cJSON *o, const char *k)
{
  const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);

  return cJSON_IsString(x) ? x->valuestring : "";
}

static int64_t jint(const cJSON *o, const char *k)
{
  const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);

  return cJSON_IsNumber(x) ? (int64_t)x->valuedouble : 0;
}

/* day d of the month after iso's month, plus k months */
static void dia_mes(const char *iso, int k, int d, char out[11])
{
  int32_t x;
  int y, m, dd;

  if (fat_dia_parse(iso, &x) != 0)
    x = 0;
  fat_dia_to_ymd(x, &y, &m, &dd);
  m += k;
  while (m > 12) {
    m -= 12;
    y++;
  }
  fat_dia_format(fat_dia_from_ymd(y, m, d), out, 11);
}

static void mais_dias(const char *iso, int n, char out[11])
{
  int32_t x;

  if (fat_dia_parse(iso, &x) != 0)
    x = 0;
  fat_dia_format(x + n, out, 11);
}

/* one fatura (with its NF) per operator and competência of the sent lotes */
static fat_rc faturas(fat_store *st, fat_gen *gen, const char *hoje, fat_row *f, size_t *nf,
                      fat_err *err)
{
  cJSON *mapa = NULL, *lista = NULL, *o;
  char feitas[MAX_FAT][80];
  size_t nfeitas = 0, i;
  fat_rc rc = fat_fatura_mapa(st, NULL, NULL, hoje, &mapa, err);

  *nf = 0;
  if (rc != FAT_OK)
    return rc;
  cJSON_ArrayForEach(o, mapa) {
    char chave[80];
    int visto = 0;
    int64_t id;

    if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o, "fatura_id")))
      continue;
    snprintf(chave, sizeof chave, "%s|%s", jstr(o, "registro_ans"), jstr(o, "competencia"));
    for (i = 0; i < nfeitas; i++)
      visto |= strcmp(feitas[i], chave) == 0;
    if (visto || nfeitas >= MAX_FAT)
      continue;
    snprintf(feitas[nfeitas++], sizeof feitas[0], "%s", chave);
    rc = fat_fatura_criar(st, gen, jstr(o, "registro_ans"), jstr(o, "competencia"), NULL, 0, &id,
                          err);
    if (rc == FAT_OK) {
      char num[16];

      snprintf(num, sizeof num, "%zu", 1000 + nfeitas);
      rc = fat_fatura_nf(st, gen, id, num, "A", hoje, 0, err);
    }
    if (rc != FAT_OK)
      break;
  }
  cJSON_Delete(mapa);
  if (rc == FAT_OK)
    rc = fat_fatura_listar(st, NULL, NULL, &lista, err);
  if (rc != FAT_OK)
    return rc;
  cJSON_ArrayForEach(o, lista) {
    static const char sql[] = "SELECT o.script FROM fatura f JOIN operadora o"
                              " ON o.id = f.operadora_id WHERE f.id = ?1";
    fat_stmt *s;
    fat_row *r;

    if (*nf >= MAX_FAT)
      break;
    r = &f[(*nf)++];
    memset(r, 0, sizeof *r);
    r->id = jint(o, "id");
    r->liquido = jint(o, "valor_liquido");
    snprintf(r->nome, sizeof r->nome, "%s", jstr(o, "operadora"));
    snprintf(r->previsao, sizeof r->previsao, "%s", jstr(o, "previsao_pagamento"));
    rc = fat_store_prepare(st, sql, &s, err);
    if (rc != FAT_OK)
      break;
    fat_bind_int(s, 1, r->id);
    if (fat_stmt_step(s) == FAT_ROW && fat_col_text(s, 0) != NULL)
      snprintf(r->script, sizeof r->script, "%s", fat_col_text(s, 0));
    fat_stmt_reset(s);
  }
  cJSON_Delete(lista);
  return rc;
}

static fat_rc escreve(const char *saida, const char *nome, const char *data, size_t len,
                      cJSON *arquivos, fat_err *err)
{
  char *path;
  fat_rc rc;

  if (saida == NULL)
    return FAT_OK;
  path = fat_asprintf("%s/%s", saida, nome);
  if (path == NULL)
    return fat_err_oom(err);
  rc = fat_file_write(path, data, len, err);
  if (rc == FAT_OK)
    cJSON_AddItemToArray(arquivos, cJSON_CreateString(path));
  fat_free(path);
  return rc;
}

/* The OFX statement of the payment month (Banco do Brasil, SGML 1.02). */
static fat_rc ofx(const fat_row *f, size_t n, const char *periodo_ini, const char *periodo_fim,
                  fat_buf *b, fat_err *err)
{
  char v[32], d[16], pix[11], tarifa[11];
  size_t i;
  fat_rc rc;

  dia_mes(periodo_ini, 0, 9, pix);
  dia_mes(periodo_ini, 0, 28, tarifa);
  rc = fat_buf_printf(b, err,
                      "OFXHEADER:100\r\nDATA:OFXSGML\r\nVERSION:102\r\nSECURITY:NONE\r\n"
                      "ENCODING:USASCII\r\nCHARSET:1252\r\nCOMPRESSION:NONE\r\nOLDFILEUID:NONE\r\n"
                      "NEWFILEUID:NONE\r\n\r\n<OFX>\r\n<BANKMSGSRSV1>\r\n<STMTTRNRS>\r\n<TRNUID>1\r\n"
                      "<STMTRS>\r\n<CURDEF>BRL\r\n<BANKACCTFROM>\r\n<BANKID>001\r\n"
                      "<BRANCHID>1234-5\r\n<ACCTID>56789-0\r\n<ACCTTYPE>CHECKING\r\n"
                      "</BANKACCTFROM>\r\n<BANKTRANLIST>\r\n<DTSTART>%.4s%.2s%.2s\r\n"
                      "<DTEND>%.4s%.2s%.2s\r\n",
                      periodo_ini, periodo_ini + 5, periodo_ini + 8, periodo_fim,
                      periodo_fim + 5, periodo_fim + 8);
  for (i = 0; i < n && rc == FAT_OK; i++) {
    int64_t valor = f[i].liquido - (f[i].modo == 1 ? 15000 : 0);

    if (f[i].modo == 3)
      continue;
    fat_money_format(valor, v, sizeof v);
    snprintf(d, sizeof d, "%.4s%.2s%.2s", f[i].data, f[i].data + 5, f[i].data + 8);
    rc = fat_buf_printf(b, err,
                        "<STMTTRN>\r\n<TRNTYPE>CREDIT\r\n<DTPOSTED>%s120000[-3:BRT]\r\n"
                        "<TRNAMT>%s\r\n<FITID>DEMO%s%02zu\r\n<MEMO>TED RECEBIDA %s%s\r\n"
                        "</STMTTRN>\r\n",
                        d, v, d, i,
                        f[i].modo == 1 ? "AURORA SAUDE S A 11222333000181 " : "",
                        f[i].modo == 1 ? "" : f[i].nome);
  }
  if (rc == FAT_OK)
    rc = fat_buf_printf(b, err,
                        "<STMTTRN>\r\n<TRNTYPE>CREDIT\r\n<DTPOSTED>%.4s%.2s%.2s\r\n"
                        "<TRNAMT>123.45\r\n<FITID>DEMOPIX1\r\n<MEMO>PIX RECEBIDO JOSE DA SILVA\r\n"
                        "</STMTTRN>\r\n<STMTTRN>\r\n<TRNTYPE>DEBIT\r\n<DTPOSTED>%.4s%.2s%.2s\r\n"
                        "<TRNAMT>-35.00\r\n<FITID>DEMOTAR1\r\n<MEMO>TARIFA PACOTE SERVICOS\r\n"
                        "</STMTTRN>\r\n</BANKTRANLIST>\r\n<LEDGERBAL>\r\n<BALAMT>0.00\r\n"
                        "<DTASOF>%.4s%.2s%.2s\r\n</LEDGERBAL>\r\n</STMTRS>\r\n</STMTTRNRS>\r\n"
                        "</BANKMSGSRSV1>\r\n</OFX>\r\n",
                        pix, pix + 5, pix + 8, tarifa, tarifa + 5, tarifa + 8, periodo_fim,
                        periodo_fim + 5, periodo_fim + 8);
  return rc;
}

/* A CNAB 400 retorno (Bradesco layout) with one liquidation. */
static fat_rc cnab(const fat_row *r, fat_buf *b, fat_err *err)
{
  char lin[3][401], d[11];
  int k;
  fat_rc rc = FAT_OK;

  memset(lin, ' ', sizeof lin);
  mais_dias(r->data, -1, d); /* paid the day before it is credited */
  memcpy(lin[0], "02RETORNO01COBRANCA", 19);
  memcpy(lin[0] + 26, "00000000000000123456", 20);
  memcpy(lin[0] + 46, "CLINICA DEMO", 12);
  memcpy(lin[0] + 76, "237BRADESCO", 11);
  snprintf(lin[0] + 94, 7, "%.2s%.2s%.2s", d + 8, d + 5, d + 2);
  lin[0][100] = ' ';
  lin[1][0] = '1';
  memcpy(lin[1] + 70, "000000000777", 12);
  snprintf(lin[1] + 108, 9, "06%.2s%.2s%.2s", d + 8, d + 5, d + 2);
  lin[1][116] = ' ';
  memcpy(lin[1] + 116, "FATURA0001", 10);
  snprintf(lin[1] + 152, 14, "%013lld", (long long)r->liquido);
  lin[1][165] = ' ';
  snprintf(lin[1] + 253, 14, "%013lld", (long long)r->liquido);
  lin[1][266] = ' ';
  snprintf(lin[1] + 295, 7, "%.2s%.2s%.2s", r->data + 8, r->data + 5, r->data + 2);
  lin[1][301] = ' ';
  lin[2][0] = '9';
  for (k = 0; k < 3 && rc == FAT_OK; k++) {
    lin[k][400] = '\0';
    rc = fat_buf_printf(b, err, "%.400s\r\n", lin[k]);
  }
  return rc;
}

static fat_rc confirma_tudo(fat_store *st, fat_gen *gen, int *n, fat_err *err)
{
  cJSON *props = NULL, *p;
  fat_rc rc = fat_conciliacao_propor(st, gen, &props, err);

  if (rc != FAT_OK)
    return rc;
  cJSON_ArrayForEach(p, props) {
    rc = fat_conciliacao_confirmar(st, jint(p, "id"), 0, err);
    if (rc != FAT_OK)
      break;
    (*n)++;
  }
  cJSON_Delete(props);
  return rc;
}

static fat_rc particulares(fat_store *st, const char *periodo_ini, const int64_t *prof,
                           size_t nprof, int *n, fat_err *err)
{
  static const struct {
    const char *paciente, *cpf, *codigo, *descricao;
    int64_t valor;
    int dia, prof;
    const char *forma;
    int parcelas;
    int64_t pago;          /* 0 = the whole value */
  } casos[] = {
    {"Helena Duarte", "52998224725", "10101012", "consulta em consultório (particular)", 35000, 5,
     0, "credito", 3, 0},
    {"Rafael Moreira", "11144477735", "10101012", "consulta em consultório (particular)", 20000,
     6, 1, "debito", 1, 0},
    {"Lúcia Prado", NULL, "40304361", "hemograma com contagem de plaquetas (particular)", 50000,
     6, 0, "pix", 1, 20000},
    {"Otávio Nunes", NULL, "10101012", "consulta em consultório (particular)", 15000, 6, 2,
     "dinheiro", 1, 0},
  };
  fat_adquirente a;
  char data[11];
  size_t i;
  fat_rc rc;

  memset(&a, 0, sizeof a);
  a.nome = "Cielo";
  a.taxa_debito_bp = 199;
  a.taxa_credito_bp = 299;
  a.taxa_parcelado_bp = 349;
  a.prazo_debito_dias = 1;
  a.prazo_credito_dias = 30;
  rc = fat_adquirente_definir(st, &a, err);
  dia_mes(periodo_ini, 0, 6, data);
  if (rc == FAT_OK)
    rc = fat_caixa_abrir(st, data, 10000, NULL, err);
  for (i = 0; i < sizeof casos / sizeof casos[0] && rc == FAT_OK; i++) {
    fat_particular_in in;
    fat_particular_pag_in pg;
    int64_t id;

    memset(&in, 0, sizeof in);
    in.paciente_nome = casos[i].paciente;
    in.paciente_cpf = casos[i].cpf;
    dia_mes(periodo_ini, 0, casos[i].dia, data);
    in.data = data;
    in.codigo = casos[i].codigo;
    in.descricao = casos[i].descricao;
    in.valor = casos[i].valor;
    in.profissional_id = nprof > 0 ? prof[(size_t)casos[i].prof % nprof] : 0;
    rc = fat_particular_registrar(st, &in, &id, err);
    if (rc != FAT_OK)
      break;
    memset(&pg, 0, sizeof pg);
    pg.particular_id = id;
    pg.data = data;
    pg.forma = casos[i].forma;
    pg.parcelas = casos[i].parcelas;
    pg.valor = casos[i].pago;
    pg.adquirente = (strcmp(casos[i].forma, "debito") == 0 || strcmp(casos[i].forma, "credito") == 0)
                        ? "Cielo"
                        : NULL;
    rc = fat_particular_pagar(st, &pg, NULL, NULL, err);
    (*n)++;
  }
  dia_mes(periodo_ini, 0, 6, data);
  if (rc == FAT_OK)
    rc = fat_caixa_movimentar(st, data, "sangria", 5000, "depósito no banco", err);
  if (rc == FAT_OK) /* opening 100 + cash 150 - sangria 50 = 200 expected; 199 counted */
    rc = fat_caixa_fechar(st, data, 19900, NULL, err);
  return rc;
}

static fat_rc profissionais(fat_store *st, int64_t *ids, size_t max, size_t *n, fat_err *err)
{
  static const char sql[] = "SELECT id FROM profissional ORDER BY id";
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  *n = 0;
  if (rc != FAT_OK)
    return rc;
  while (*n < max && fat_stmt_step(s) == FAT_ROW)
    ids[(*n)++] = fat_col_int64(s, 0);
  fat_stmt_reset(s);
  return FAT_OK;
}

static fat_rc recurso_demo(fat_store *st, const char *hoje, const char *periodo2, int64_t *rid,
                           int64_t *valor, fat_err *err)
{
  cJSON *arr = NULL, *r;
  char d1[11], d2[11];
  int64_t id = 0, v = 0;
  fat_rc rc = fat_recurso_listar(st, 0, hoje, &arr, err);

  *rid = 0;
  *valor = 0;
  if (rc != FAT_OK)
    return rc;
  cJSON_ArrayForEach(r, arr) {
    if (strcmp(jstr(r, "status"), "rascunho") == 0) {
      id = jint(r, "id");
      v = jint(r, "valor_recursado");
      break;
    }
  }
  cJSON_Delete(arr);
  if (id == 0)
    return FAT_OK;
  mais_dias(hoje, 10, d1);
  mais_dias(hoje, 12, d2);
  rc = fat_recurso_enviar(st, id, d1, err);
  if (rc == FAT_OK)
    rc = fat_recurso_protocolo(st, id, "REC-DEMO-1", d2, err);
  (void)periodo2;
  *rid = id;
  *valor = v;
  return rc;
}

fat_rc fat_demo_financeiro(fat_store *st, fat_gen *gen, const fat_demo_fin_opts *o,
                           cJSON **resumo, fat_err *err)
{
  fat_row f[MAX_FAT];
  size_t nf = 0, i, nprof = 0;
  int64_t prof[3], rid = 0, rvalor = 0;
  char ini[11], fim[11], periodo[8], periodo2[8], nome[64], d[11];
  int n_conc = 0, n_part = 0, late = -1, boleto = -1, curto = -1;
  cJSON *out = NULL, *arquivos = NULL, *ver = NULL, *x, *pend = NULL;
  fat_extrato_res res;
  fat_repasse_totais t1, t2;
  fat_buf b;
  fat_rc rc;

  if (resumo != NULL)
    *resumo = NULL;
  if (o == NULL || !fat_dia_valida(o->hoje))
    return fat_err_set(err, FAT_EINVAL, "demo financeiro: data de envio inválida");
  fat_buf_init(&b, (size_t)1 << 20);
  out = cJSON_CreateObject();
  arquivos = out != NULL ? cJSON_AddArrayToObject(out, "arquivos") : NULL;
  if (arquivos == NULL) {
    rc = fat_err_oom(err);
    goto fim;
  }
  /* the payment month: the month after the lotes were sent */
  dia_mes(o->hoje, 1, 1, ini);
  dia_mes(o->hoje, 1, 28, fim);
  snprintf(periodo, sizeof periodo, "%.7s", ini);
  dia_mes(o->hoje, 2, 1, d);
  snprintf(periodo2, sizeof periodo2, "%.7s", d);
  rc = fat_conta_adicionar(st, "001", "1234-5", "56789-0", "Banco do Brasil, conta movimento",
                           NULL, err);
  if (rc == FAT_OK)
    rc = fat_conta_adicionar(st, "237", NULL, "123456", "Bradesco, cobrança", NULL, err);
  if (rc == FAT_OK)
    rc = faturas(st, gen, o->hoje, f, &nf, err);
  if (rc != FAT_OK)
    goto fim;
  /* who pays how: Aurora short (its memo names it), then one late, one by boleto */
  for (i = 0; i < nf; i++) {
    if (curto < 0 && strcmp(f[i].script, "aurora") == 0) {
      f[i].modo = 1;
      curto = (int)i;
    }
  }
  for (i = 0; i < nf; i++) /* late: the one expected earliest */
    if (f[i].modo == 0 && f[i].previsao[0] != '\0' &&
        (late < 0 || strcmp(f[i].previsao, f[late].previsao) < 0))
      late = (int)i;
  if (late >= 0)
    f[late].modo = 2;
  for (i = 0; i < nf && boleto < 0; i++)
    if (f[i].modo == 0) {
      f[i].modo = 3;
      boleto = (int)i;
    }
  for (i = 0; i < nf; i++) {
    static const int dias[] = {8, 12, 0, 15};

    if (f[i].modo == 2 && f[i].previsao[0] != '\0') {
      mais_dias(f[i].previsao, 15, f[i].data);
      if (strcmp(f[i].data, fim) > 0)
        memcpy(f[i].data, fim, 11);
      if (strcmp(f[i].data, ini) < 0)
        dia_mes(o->hoje, 1, 20, f[i].data);
    } else {
      dia_mes(o->hoje, 1, f[i].modo == 2 ? 20 : dias[f[i].modo], f[i].data);
    }
  }
  rc = ofx(f, nf, ini, fim, &b, err);
  snprintf(nome, sizeof nome, "extrato-%s.ofx", periodo);
  if (rc == FAT_OK)
    rc = escreve(o->saida, nome, b.data, b.len, arquivos, err);
  if (rc == FAT_OK)
    rc = fat_extrato_importar(st, nome, b.data, b.len, &res, err);
  if (rc == FAT_OK)
    rc = confirma_tudo(st, gen, &n_conc, err);
  if (rc == FAT_OK && boleto >= 0) {
    fat_buf_reset(&b);
    rc = cnab(&f[boleto], &b, err);
    snprintf(nome, sizeof nome, "CB%.2s%.2s%.2s.RET", f[boleto].data + 8, f[boleto].data + 5,
             f[boleto].data + 2);
    if (rc == FAT_OK)
      rc = escreve(o->saida, nome, b.data, b.len, arquivos, err);
    if (rc == FAT_OK)
      rc = fat_extrato_importar(st, nome, b.data, b.len, &res, err);
    if (rc == FAT_OK)
      rc = confirma_tudo(st, gen, &n_conc, err);
  }
  if (rc != FAT_OK)
    goto fim;
  rc = profissionais(st, prof, 3, &nprof, err);
  if (rc == FAT_OK)
    rc = particulares(st, ini, prof, nprof, &n_part, err);
  /* repasse rules: 60% of convênio, 50% of particular for everyone */
  if (rc == FAT_OK) {
    static const char sql[] = "SELECT id FROM profissional ORDER BY id";
    fat_stmt *s;
    int64_t ids[256];
    size_t n = 0, k;

    rc = fat_store_prepare(st, sql, &s, err);
    while (rc == FAT_OK && n < 256 && fat_stmt_step(s) == FAT_ROW)
      ids[n++] = fat_col_int64(s, 0);
    if (rc == FAT_OK)
      fat_stmt_reset(s);
    for (k = 0; k < n && rc == FAT_OK; k++) {
      fat_repasse_regra_in r;

      memset(&r, 0, sizeof r);
      r.profissional_id = ids[k];
      r.valor_fixo = -1;
      r.origem = "convenio";
      r.percentual_bp = 6000;
      rc = fat_repasse_regra_definir(st, &r, NULL, err);
      if (rc == FAT_OK) {
        r.origem = "particular";
        r.percentual_bp = 5000;
        rc = fat_repasse_regra_definir(st, &r, NULL, err);
      }
    }
  }
  if (rc == FAT_OK)
    rc = recurso_demo(st, o->hoje, periodo2, &rid, &rvalor, err);
  if (rc == FAT_OK)
    rc = fat_repasse_calcular(st, gen, periodo, NULL, err);
  if (rc == FAT_OK)
    rc = fat_repasse_totais_de(st, periodo, &t1, err);
  if (rc == FAT_OK)
    rc = fat_repasse_fechar(st, periodo, err);
  if (rc != FAT_OK)
    goto fim;
  /* next month: the recurso is deferred and its money arrives */
  if (rid > 0) {
    const char *r0 = NULL;
    fat_recebimento_in in;

    rc = fat_recurso_responder_valor(st, rid, "deferido", rvalor, &r0, err);
    if (rc == FAT_OK) {
      memset(&in, 0, sizeof in);
      in.recurso_id = rid;
      dia_mes(o->hoje, 2, 20, d);
      in.data = d;
      in.valor = rvalor;
      in.descricao = "recurso de glosa deferido";
      rc = fat_recebimento_registrar(st, &in, NULL, err);
    }
  }
  if (rc == FAT_OK)
    rc = fat_repasse_calcular(st, gen, periodo2, NULL, err);
  if (rc == FAT_OK)
    rc = fat_repasse_totais_de(st, periodo2, &t2, err);
  if (rc == FAT_OK)
    rc = fat_fin_verificar(st, &ver, err);
  if (rc == FAT_OK) {
    cJSON_ArrayForEach(x, ver) {
      if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(x, "ok"))) {
        rc = fat_err_set(err, FAT_ESTATE, "demo financeiro: invariante %s violada",
                         jstr(x, "nome"));
        break;
      }
    }
  }
  if (rc == FAT_OK)
    rc = fat_conciliacao_pendentes(st, &pend, err);
  if (rc != FAT_OK)
    goto fim;
  cJSON_AddNumberToObject(out, "faturas", (double)nf);
  cJSON_AddStringToObject(out, "periodo", periodo);
  cJSON_AddNumberToObject(out, "conciliados", n_conc);
  cJSON_AddNumberToObject(out, "pendentes",
                          cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(pend, "pendentes")));
  if (curto >= 0)
    cJSON_AddStringToObject(out, "pagamento_a_menor", f[curto].nome);
  if (late >= 0)
    cJSON_AddStringToObject(out, "pagamento_atrasado", f[late].nome);
  if (boleto >= 0)
    cJSON_AddStringToObject(out, "pagamento_por_boleto", f[boleto].nome);
  cJSON_AddNumberToObject(out, "particulares", n_part);
  x = cJSON_AddObjectToObject(out, "repasse");
  if (x != NULL) {
    cJSON_AddStringToObject(x, "periodo", periodo);
    cJSON_AddNumberToObject(x, "pagar", (double)t1.pagar);
    cJSON_AddNumberToObject(x, "retido", (double)t1.retido);
  }
  x = cJSON_AddObjectToObject(out, "repasse_seguinte");
  if (x != NULL) {
    cJSON_AddStringToObject(x, "periodo", periodo2);
    cJSON_AddNumberToObject(x, "pagar", (double)t2.pagar);
    cJSON_AddNumberToObject(x, "liberado", (double)t2.liberado);
    cJSON_AddNumberToObject(x, "recuperado", (double)rvalor);
  }
  cJSON_AddBoolToObject(out, "invariantes_ok", 1);
fim:
  fat_buf_fini(&b);
  cJSON_Delete(ver);
  cJSON_Delete(pend);
  if (rc == FAT_OK && resumo != NULL)
    *resumo = out;
  else
    cJSON_Delete(out);
  return rc;
}
