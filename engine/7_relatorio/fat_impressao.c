/* fat_impressao.c: printable guias (fat_impressao.h). */
#include "fat_impressao.h"

#include <stdio.h>
#include <string.h>

#include "fat_dia.h"
#include "fat_docnum.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_money.h"
#include "fat_store_int.h"

#define HTML_MAX ((size_t)64 * 1024 * 1024)

static int blank(const char *s) { return s == NULL || s[0] == '\0'; }

/* {======================================================================
** pt-BR formats and escaping
** ======================================================================= */

/* AAAA-MM-DD (possibly with a time after it) -> DD/MM/AAAA; other text as is. */
static const char *data_br(const char *iso, char *out, size_t len)
{
  snprintf(out, len, "%s", fat_dia_br_ou(iso, "").s);
  return out;
}

/* CPF/CNPJ punctuated (fat_doc_br), returning out for use in an argument list. */
static const char *doc_br(const char *s, char *out, size_t len)
{
  fat_doc_br(s, out, len);
  return out;
}

/* A quantity in ten-thousandths as users write it: "1", "2,5", "0,0125". */
static const char *qtd_br(int64_t e4, char *out, size_t len)
{
  int64_t i = e4 / 10000, f = e4 % 10000;
  char fr[8];
  int k;

  if (e4 < 0) {
    snprintf(out, len, "-");
    return out;
  }
  if (f == 0) {
    snprintf(out, len, "%lld", (long long)i);
    return out;
  }
  snprintf(fr, sizeof fr, "%04lld", (long long)f);
  for (k = 3; k > 0 && fr[k] == '0'; k--)
    fr[k] = '\0';
  snprintf(out, len, "%lld,%s", (long long)i, fr);
  return out;
}

static const char *dinheiro_br(int64_t c, char *out, size_t len)
{
  if (c == FAT_ABSENT) {
    snprintf(out, len, "-");
    return out;
  }
  fat_money_format_br(c, out, len);
  return out;
}

/* }====================================================================== */

/* {======================================================================
** One guia
** ======================================================================= */

static const char CSS[] =
  "@page{size:A4 landscape;margin:1cm}\n"
  "body{font-family:sans-serif;font-size:9pt;color:#000;margin:0}\n"
  ".guia,.relacao{page-break-after:always;break-after:page}\n"
  ".guia:last-child,.relacao:last-child{page-break-after:auto;break-after:auto}\n"
  "h1{font-size:13pt;text-align:center;margin:0 0 6px}\n"
  "h2{font-size:9pt;background:#ddd;margin:6px 0 2px;padding:2px 4px}\n"
  ".linha{display:flex;gap:4px;margin-bottom:3px}\n"
  ".c{border:1px solid #000;padding:1px 4px;flex:1;min-height:2.4em}\n"
  ".c .n{font-size:7pt;display:block}\n"
  "table{border-collapse:collapse;width:100%}\n"
  "th,td{border:1px solid #000;padding:2px 4px;text-align:left;font-size:8pt}\n"
  ".v{text-align:right}\n"
  ".assin{display:flex;gap:24px;margin-top:36px}\n"
  ".assin div{flex:1;border-top:1px solid #000;text-align:center;padding-top:2px}\n"
  "@media screen{body{margin:1cm}.guia,.relacao{border-bottom:2px dashed #888;"
  "margin-bottom:1cm;padding-bottom:1cm}}\n";

static fat_rc cabeca(fat_buf *b, const char *titulo, fat_err *err)
{
  fat_rc rc =
    fat_buf_puts(b,
                 "<!DOCTYPE html>\n<html lang=\"pt-BR\">\n<head>\n<meta charset=\"utf-8\">\n"
                 "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                 "style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\">\n<title>",
                 err);

  if (rc == FAT_OK)
    rc = fat_buf_html(b, titulo, err);
  if (rc == FAT_OK)
    rc = fat_buf_printf(b, err, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", CSS);
  return rc;
}

/* One numbered field: <div class="c"><span class="n">N - Rótulo</span>valor</div>. */
static fat_rc campo(fat_buf *b, int n, const char *rotulo, const char *valor, fat_err *err)
{
  fat_rc rc = fat_buf_printf(b, err, "<div class=\"c\"><span class=\"n\">%d - ", n);

  if (rc == FAT_OK)
    rc = fat_buf_html(b, rotulo, err);
  if (rc == FAT_OK)
    rc = fat_buf_puts(b, "</span>", err);
  if (rc == FAT_OK)
    rc = fat_buf_html(b, valor != NULL ? valor : "", err);
  if (rc == FAT_OK)
    rc = fat_buf_puts(b, "</div>", err);
  return rc;
}

static const char *titulo_de(fat_guia_tipo t)
{
  switch (t) {
  case FAT_GUIA_CONSULTA: return "GUIA DE CONSULTA";
  case FAT_GUIA_SADT:
    return "GUIA DE SERVI\xc3\x87O PROFISSIONAL / SERVI\xc3\x87O AUXILIAR DE "
           "DIAGN\xc3\x93STICO E TERAPIA - SP/SADT";
  case FAT_GUIA_HONORARIOS: return "GUIA DE HONOR\xc3\x81RIOS";
  case FAT_GUIA_INTERNACAO: return "GUIA DE RESUMO DE INTERNA\xc3\x87\xc3\x83O";
  }
  return "GUIA";
}

static const char *sim_nao(int v) { return v ? "Sim" : "N\xc3\xa3o"; }

/* The TISS code of caráter do atendimento with its meaning. */
static const char *carater_br(const char *c)
{
  if (c != NULL && strcmp(c, "1") == 0)
    return "1 - Eletivo";
  if (c != NULL && strcmp(c, "2") == 0)
    return "2 - Urg\xc3\xaancia/Emerg\xc3\xaancia";
  return c;
}

static fat_rc profissional(fat_buf *b, int n0, const char *titulo, const fat_profissional *p,
                           fat_err *err)
{
  fat_rc rc = fat_buf_puts(b, "<h2>", err);

  if (rc == FAT_OK)
    rc = fat_buf_html(b, titulo, err);
  if (rc == FAT_OK)
    rc = fat_buf_puts(b, "</h2>\n<div class=\"linha\">", err);
  if (rc == FAT_OK)
    rc = campo(b, n0, "Nome do profissional", p != NULL ? p->nome : "", err);
  if (rc == FAT_OK)
    rc = campo(b, n0 + 1, "Conselho profissional", p != NULL ? p->conselho : "", err);
  if (rc == FAT_OK)
    rc = campo(b, n0 + 2, "N\xc3\xbamero no conselho", p != NULL ? p->numero_conselho : "", err);
  if (rc == FAT_OK)
    rc = campo(b, n0 + 3, "UF", p != NULL ? p->uf : "", err);
  if (rc == FAT_OK)
    rc = campo(b, n0 + 4,
               "C\xc3\xb3"
               "digo CBO",
               p != NULL ? p->cbo : "", err);
  if (rc == FAT_OK)
    rc = fat_buf_puts(b, "</div>\n", err);
  return rc;
}

static fat_rc itens(fat_buf *b, const fat_guia *g, fat_err *err)
{
  char d[32], q[32], vu[48], vt[48], seq[16];
  fat_rc rc =
    fat_buf_puts(b,
                 "<h2>Procedimentos e itens realizados</h2>\n<table>\n<thead><tr><th>#</th>"
                 "<th>Data</th><th>Tabela</th><th>C\xc3\xb3"
                 "digo</th><th>Descri\xc3\xa7\xc3\xa3o</th>"
                 "<th class=\"v\">Qtde.</th><th class=\"v\">Valor unit\xc3\xa1rio</th>"
                 "<th class=\"v\">Valor total</th></tr></thead>\n<tbody>\n",
                 err);
  size_t i;

  for (i = 0; i < g->n_itens && rc == FAT_OK; i++) {
    const fat_item *it = &g->itens[i];
    const char *cells[8];
    int k;

    snprintf(seq, sizeof seq, "%d", it->sequencial > 0 ? it->sequencial : (int)i + 1);
    cells[0] = seq;
    cells[1] = data_br(!blank(it->data) ? it->data : g->data_inicio, d, sizeof d);
    cells[2] = it->codigo_tabela;
    cells[3] = it->codigo;
    cells[4] = it->descricao;
    cells[5] = qtd_br(it->quantidade_e4, q, sizeof q);
    cells[6] = dinheiro_br(it->valor_unitario, vu, sizeof vu);
    cells[7] = dinheiro_br(it->valor_total, vt, sizeof vt);
    rc = fat_buf_puts(b, "<tr>", err);
    for (k = 0; k < 8 && rc == FAT_OK; k++) {
      rc = fat_buf_puts(b, k >= 5 ? "<td class=\"v\">" : "<td>", err);
      if (rc == FAT_OK)
        rc = fat_buf_html(b, cells[k], err);
      if (rc == FAT_OK)
        rc = fat_buf_puts(b, "</td>", err);
    }
    if (rc == FAT_OK)
      rc = fat_buf_puts(b, "</tr>\n", err);
  }
  if (rc == FAT_OK)
    rc = fat_buf_printf(b, err,
                        "</tbody>\n<tfoot><tr><th colspan=\"7\">Valor total da guia</th>"
                        "<th class=\"v\">%s</th></tr></tfoot>\n</table>\n",
                        dinheiro_br(g->valor_total, vt, sizeof vt));
  return rc;
}

static fat_rc uma_guia(fat_buf *b, const fat_guia *g, fat_err *err)
{
  char d1[32], d2[32], d3[32], doc[32];
  const char *nome = !blank(g->beneficiario_nome) ? g->beneficiario_nome : g->beneficiario.nome;
  const char *cns = !blank(g->cns) ? g->cns : g->beneficiario.cns;
  fat_rc rc = fat_buf_puts(b, "<section class=\"guia\">\n<h1>", err);

  if (rc == FAT_OK)
    rc = fat_buf_html(b, titulo_de(g->tipo), err);
  if (rc == FAT_OK)
    rc = fat_buf_puts(b, "</h1>\n<div class=\"linha\">", err);
  if (rc == FAT_OK)
    rc = campo(b, 1, "Registro ANS", g->operadora.registro_ans, err);
  if (rc == FAT_OK)
    rc = campo(b, 2, "N\xc2\xba da guia no prestador", g->numero_prestador, err);
  if (rc == FAT_OK)
    rc = campo(b, 3, "N\xc2\xba da guia principal", g->numero_principal, err);
  if (rc == FAT_OK)
    rc = campo(b, 4, "Data da autoriza\xc3\xa7\xc3\xa3o",
               data_br(g->data_autorizacao, d1, sizeof d1), err);
  if (rc == FAT_OK)
    rc = campo(b, 5, "Senha", g->senha, err);
  if (rc == FAT_OK)
    rc = campo(b, 6, "Data de validade da senha", data_br(g->validade_senha, d2, sizeof d2), err);
  if (rc == FAT_OK)
    rc = campo(b, 7,
               "N\xc2\xba da guia atribu\xc3\xad"
               "do pela operadora",
               g->numero_operadora, err);
  if (rc == FAT_OK)
    rc =
      fat_buf_puts(b, "</div>\n<h2>Dados do benefici\xc3\xa1rio</h2>\n<div class=\"linha\">", err);
  if (rc == FAT_OK)
    rc = campo(b, 8, "N\xc3\xbamero da carteira", g->carteira_numero, err);
  if (rc == FAT_OK)
    rc = campo(b, 9, "Validade da carteira", data_br(g->carteira_validade, d3, sizeof d3), err);
  if (rc == FAT_OK)
    rc = campo(b, 10, "Nome", nome, err);
  if (rc == FAT_OK)
    rc = campo(b, 11,
               "Cart\xc3\xa3o Nacional de Sa\xc3\xba"
               "de",
               cns, err);
  if (rc == FAT_OK)
    rc = campo(b, 12, "Atendimento a RN", sim_nao(g->atendimento_rn), err);
  if (rc == FAT_OK)
    rc = fat_buf_puts(b, "</div>\n", err);
  if (rc == FAT_OK && g->solicitante != NULL)
    rc = profissional(b, 13, "Dados do solicitante", g->solicitante, err);
  if (rc == FAT_OK)
    rc = fat_buf_puts(b, "<h2>Dados do contratado executante</h2>\n<div class=\"linha\">", err);
  if (rc == FAT_OK)
    rc = campo(b, 18,
               "C\xc3\xb3"
               "digo na operadora / CNPJ / CPF",
               !blank(g->prestador.cnpj)  ? doc_br(g->prestador.cnpj, doc, sizeof doc)
               : !blank(g->prestador.cpf) ? doc_br(g->prestador.cpf, doc, sizeof doc)
                                          : g->prestador.codigo_na_operadora,
               err);
  if (rc == FAT_OK)
    rc = campo(b, 19, "Nome do contratado", g->prestador.nome, err);
  if (rc == FAT_OK)
    rc = campo(b, 20,
               "C\xc3\xb3"
               "digo CNES",
               g->prestador.cnes, err);
  if (rc == FAT_OK)
    rc = fat_buf_puts(b, "</div>\n", err);
  if (rc == FAT_OK)
    rc = profissional(b, 21, "Profissional executante", g->executante, err);
  if (rc == FAT_OK)
    rc = fat_buf_puts(b, "<h2>Dados do atendimento</h2>\n<div class=\"linha\">", err);
  if (rc == FAT_OK)
    rc = campo(b, 26, "Car\xc3\xa1ter do atendimento", carater_br(g->carater_atendimento), err);
  if (rc == FAT_OK)
    rc = campo(b, 27, "Data da solicita\xc3\xa7\xc3\xa3o",
               data_br(g->data_solicitacao, d1, sizeof d1), err);
  if (rc == FAT_OK)
    rc = campo(b, 28, "Indica\xc3\xa7\xc3\xa3o cl\xc3\xadnica", g->indicacao_clinica, err);
  if (rc == FAT_OK)
    rc = campo(b, 29, "CID-10 principal", g->cid, err);
  if (rc == FAT_OK)
    rc = campo(b, 30, "Data do atendimento", data_br(g->data_inicio, d2, sizeof d2), err);
  if (rc == FAT_OK)
    rc = campo(b, 31, "Tipo de atendimento", g->tipo_atendimento, err);
  if (rc == FAT_OK)
    rc = fat_buf_puts(b, "</div>\n", err);
  if (rc == FAT_OK)
    rc = itens(b, g, err);
  if (rc == FAT_OK)
    rc = fat_buf_puts(b, "<div class=\"linha\">", err);
  if (rc == FAT_OK)
    rc = campo(b, 40, "Observa\xc3\xa7\xc3\xa3o / justificativa", g->observacao, err);
  if (rc == FAT_OK)
    rc = fat_buf_puts(b,
                      "</div>\n<div class=\"assin\"><div>41 - Assinatura do benefici\xc3\xa1rio ou "
                      "respons\xc3\xa1vel<br>Data: ____/____/________</div>"
                      "<div>42 - Assinatura do profissional executante</div>"
                      "<div>43 - Assinatura do contratado</div></div>\n</section>\n",
                      err);
  return rc;
}

/* }====================================================================== */

fat_rc fat_impressao_guias(fat_store *st, const int64_t *ids, size_t n, char **html, size_t *len,
                           fat_err *err)
{
  fat_guia *g = NULL;
  fat_buf b;
  size_t i;
  fat_rc rc;

  *html = NULL;
  *len = 0;
  if (n == 0 || n > FAT_IMPRESSAO_MAX_GUIAS)
    return fat_err_set(err, FAT_EINVAL, "informe de 1 a %d guias para imprimir",
                       FAT_IMPRESSAO_MAX_GUIAS);
  fat_buf_init(&b, HTML_MAX);
  rc = fat_store_begin_read(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = cabeca(&b, n == 1 ? "Guia" : "Guias", err);
  for (i = 0; i < n && rc == FAT_OK; i++) {
    rc = fat_guia_load(st, ids[i], &g, err);
    if (rc == FAT_OK)
      rc = uma_guia(&b, g, err);
    fat_guia_free(g);
    g = NULL;
  }
  if (rc == FAT_OK)
    rc = fat_buf_puts(&b, "</body>\n</html>\n", err);
  fat_store_rollback(st);
  if (rc != FAT_OK) {
    fat_buf_fini(&b);
    return rc;
  }
  *len = b.len;
  *html = fat_buf_take(&b);
  return FAT_OK;
}

/* The relação page of lote id and the ids of its guias (fat_free). */
static fat_rc relacao(fat_store *st, int64_t id, fat_buf *b, int64_t **ids, size_t *n, fat_err *err)
{
  static const char q_lote[] =
    "SELECT l.numero, o.nome, o.registro_ans, p.nome, COALESCE(p.cnpj, p.cpf), l.tipo_guia,"
    " l.competencia, l.periodo_inicio, l.periodo_fim, l.valor_informado"
    " FROM lote l JOIN operadora o ON o.id = l.operadora_id"
    " JOIN prestador p ON p.id = l.prestador_id WHERE l.id = ?1";
  static const char q_guias[] =
    "SELECT g.id, g.numero_prestador, COALESCE(g.beneficiario_nome, b.nome),"
    " g.carteira_numero, g.data_inicio, g.valor_total"
    " FROM guia g LEFT JOIN beneficiario b ON b.id = g.beneficiario_id"
    " WHERE g.lote_id = ?1 ORDER BY g.data_inicio, g.numero_prestador, g.id";
  static const char *const rot[] = {NULL,
                                    "Operadora",
                                    "Registro ANS",
                                    "Prestador",
                                    "CNPJ/CPF",
                                    "Tipo de guia",
                                    "Compet\xc3\xaancia",
                                    "Per\xc3\xadodo de",
                                    "Per\xc3\xadodo at\xc3\xa9"};
  char f[9][200], dt[32], v[48];
  int64_t total = 0, *vid = NULL;
  size_t cap = 0;
  fat_stmt *s;
  int i, step, k = 0;
  fat_rc rc = fat_store_prepare(st, q_lote, &s, err);

  *ids = NULL;
  *n = 0;
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  step = fat_stmt_step(s);
  if (step != FAT_ROW) {
    fat_stmt_reset(s);
    return step == FAT_DONE
             ? fat_err_set(err, FAT_ENOTFOUND, "lote %lld não encontrado", (long long)id)
             : fat_store_dberr(st, err, "erro ao ler o lote");
  }
  for (i = 0; i < 9; i++)
    snprintf(f[i], sizeof f[i], "%s", fat_col_text(s, i) != NULL ? fat_col_text(s, i) : "");
  fat_stmt_reset(s);
  doc_br(f[4], v, sizeof v);
  snprintf(f[4], sizeof f[4], "%s", v);
  data_br(f[7], dt, sizeof dt);
  snprintf(f[7], sizeof f[7], "%s", dt);
  data_br(f[8], dt, sizeof dt);
  snprintf(f[8], sizeof f[8], "%s", dt);
  rc = fat_buf_printf(b, err,
                      "<section class=\"relacao\">\n<h1>Rela\xc3\xa7\xc3\xa3o de guias "
                      "&mdash; lote %s</h1>\n<div class=\"linha\">",
                      f[0]);
  for (i = 1; i < 9 && rc == FAT_OK; i++)
    rc = campo(b, i, rot[i], f[i], err);
  if (rc == FAT_OK)
    rc = fat_buf_puts(b,
                      "</div>\n<table>\n<thead><tr><th>#</th><th>Guia no prestador</th>"
                      "<th>Benefici\xc3\xa1rio</th><th>Carteira</th><th>Data</th>"
                      "<th class=\"v\">Valor</th></tr></thead>\n<tbody>\n",
                      err);
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, q_guias, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  while (rc == FAT_OK && (step = fat_stmt_step(s)) == FAT_ROW) {
    int64_t gv = fat_col_int64(s, 5);
    int c;

    if (*n == cap) {
      size_t nc = cap == 0 ? 16 : cap * 2;
      int64_t *nv = fat_realloc(vid, nc * sizeof *nv);

      if (nv == NULL) {
        rc = fat_err_oom(err);
        break;
      }
      vid = nv;
      cap = nc;
    }
    vid[(*n)++] = fat_col_int64(s, 0);
    total += gv;
    rc = fat_buf_printf(b, err, "<tr><td>%d</td>", ++k);
    for (c = 1; c <= 4 && rc == FAT_OK; c++) {
      const char *t = fat_col_text(s, c);

      rc = fat_buf_puts(b, "<td>", err);
      if (rc == FAT_OK)
        rc = fat_buf_html(b, c == 4 ? data_br(t, dt, sizeof dt) : (t != NULL ? t : ""), err);
      if (rc == FAT_OK)
        rc = fat_buf_puts(b, "</td>", err);
    }
    if (rc == FAT_OK)
      rc = fat_buf_printf(b, err, "<td class=\"v\">%s</td></tr>\n", dinheiro_br(gv, v, sizeof v));
  }
  if (rc == FAT_OK && step != FAT_DONE)
    rc = fat_store_dberr(st, err, "erro ao ler as guias do lote");
  fat_stmt_reset(s);
  if (rc == FAT_OK)
    rc = fat_buf_printf(b, err,
                        "</tbody>\n<tfoot><tr><th colspan=\"5\">Total: %d guia%s</th>"
                        "<th class=\"v\">%s</th></tr></tfoot>\n</table>\n"
                        "<div class=\"assin\"><div>Entregue por</div>"
                        "<div>Recebido por (operadora)<br>Data: ____/____/________"
                        "</div></div>\n</section>\n",
                        k, k == 1 ? "" : "s", dinheiro_br(total, v, sizeof v));
  if (rc != FAT_OK) {
    fat_free(vid);
    *n = 0;
    return rc;
  }
  *ids = vid;
  return FAT_OK;
}

fat_rc fat_impressao_lote(fat_store *st, int64_t id, char **html, size_t *len, fat_err *err)
{
  fat_guia *g = NULL;
  int64_t *ids = NULL;
  size_t n = 0, i;
  fat_buf b;
  fat_rc rc;

  *html = NULL;
  *len = 0;
  fat_buf_init(&b, HTML_MAX);
  rc = fat_store_begin_read(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = cabeca(&b, "Lote", err);
  if (rc == FAT_OK)
    rc = relacao(st, id, &b, &ids, &n, err);
  for (i = 0; i < n && rc == FAT_OK; i++) {
    rc = fat_guia_load(st, ids[i], &g, err);
    if (rc == FAT_OK)
      rc = uma_guia(&b, g, err);
    fat_guia_free(g);
    g = NULL;
  }
  if (rc == FAT_OK)
    rc = fat_buf_puts(&b, "</body>\n</html>\n", err);
  fat_store_rollback(st);
  fat_free(ids);
  if (rc != FAT_OK) {
    fat_buf_fini(&b);
    return rc;
  }
  *len = b.len;
  *html = fat_buf_take(&b);
  return FAT_OK;
}
