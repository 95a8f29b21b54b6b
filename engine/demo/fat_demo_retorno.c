/* fat_demo_retorno.c: the operadora's demonstrativo de análise de conta for a
** lote (demo and tests), written with the TISS writer's building blocks. */
#include "fat_demo_retorno.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "fat_demo.h"
#include "fat_dia.h"
#include "fat_mem.h"
#include "fat_store_int.h"
#include "fat_tiss_write.h"

void fat_demo_retorno_res_fini(fat_demo_retorno_res *r)
{
  if (r == NULL)
    return;
  fat_free(r->xml);
  r->xml = NULL;
  r->len = 0;
}

/* xorshift64*: deterministic across platforms. */
static uint64_t rnd_next(uint64_t *s)
{
  uint64_t x = *s;

  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *s = x;
  return x * 0x2545F4914F6CDD1DULL;
}

static int rnd_bp(uint64_t *s) { return (int)(rnd_next(s) % 10000u); }

typedef struct sim_item {
  int64_t id;
  int seq;
  char tabela[8], codigo[24], data[16], grau[8];
  char *descricao;
  int64_t qtd_e4, total;
  char glosa[8];
  int64_t glosa_valor;
} sim_item;

typedef struct sim_guia {
  int64_t id;
  char numero[32], numero_op[32], senha[32], carteira[32], data[16];
  char prev_code[8];      /* glosa predicted by a finding, "" none */
  int prev_seq;           /* item of that finding, 0 = guia */
  sim_item *itens;
  size_t n_itens, cap_itens;
} sim_guia;

/* What the message needs about the lote and its parties. */
typedef struct sim_lote {
  char numero[24], status[24], prot[40], dprot[24], ans[16];
  char nome[128], cnpj[24], cnes[16], codpre[32];
} sim_lote;

static void sim_free(sim_guia *g, size_t n)
{
  size_t i, k;

  for (i = 0; i < n; i++) {
    for (k = 0; k < g[i].n_itens; k++)
      fat_free(g[i].itens[k].descricao);
    fat_free(g[i].itens);
  }
  fat_free(g);
}

static fat_rc load_lote(fat_store *st, int64_t lote_id, sim_lote *l, fat_err *err)
{
  static const char q_l[] =
      "SELECT l.numero, l.status, COALESCE(l.protocolo, ''),"
      " COALESCE(dia_local(COALESCE(l.enviado_em, l.fechado_em)), ''), o.registro_ans, o.nome,"
      " p.cnpj, p.cnes,"
      " (SELECT po.codigo FROM prestador_operadora po WHERE po.prestador_id = p.id"
      "  AND po.operadora_id = o.id)"
      " FROM lote l JOIN operadora o ON o.id = l.operadora_id"
      " JOIN prestador p ON p.id = l.prestador_id WHERE l.id = ?1";
  fat_stmt *s;
  fat_rc rc;
  int found = 0;

  memset(l, 0, sizeof *l);
  rc = fat_store_prepare(st, q_l, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, lote_id);
  if (fat_stmt_step(s) == FAT_ROW) {
    found = 1;
    fat_col_copy(s, 0, l->numero, sizeof l->numero);
    fat_col_copy(s, 1, l->status, sizeof l->status);
    fat_col_copy(s, 2, l->prot, sizeof l->prot);
    fat_col_copy(s, 3, l->dprot, sizeof l->dprot);
    fat_col_copy(s, 4, l->ans, sizeof l->ans);
    fat_col_copy(s, 5, l->nome, sizeof l->nome);
    fat_col_copy(s, 6, l->cnpj, sizeof l->cnpj);
    fat_col_copy(s, 7, l->cnes, sizeof l->cnes);
    fat_col_copy(s, 8, l->codpre, sizeof l->codpre);
  }
  fat_stmt_reset(s);
  if (!found)
    return fat_err_set(err, FAT_ENOTFOUND, "lote %" PRId64 " não encontrado", lote_id);
  if (strcmp(l->status, "aberto") == 0)
    return fat_err_set(err, FAT_ESTATE,
                       "o lote %s ainda está aberto: feche-o (faturo lote fechar) antes",
                       l->numero);
  return FAT_OK;
}

/* The items of every guia of the lote, in one statement (it was one per
** guia): rows come by guia id then sequencial, the order of v[0..n). */
static fat_rc load_itens(fat_store *st, int64_t lote_id, sim_guia *v, size_t n, fat_err *err)
{
  static const char q_i[] =
      "SELECT i.guia_id, i.id, i.sequencial, i.codigo_tabela, i.codigo,"
      " COALESCE(i.data, g.data_inicio), i.grau_participacao, i.descricao, i.quantidade_e4,"
      " COALESCE(i.valor_total, 0)"
      " FROM guia g JOIN item i ON i.guia_id = g.id WHERE g.lote_id = ?1"
      " ORDER BY g.id, i.sequencial";
  fat_stmt *s;
  sim_item *ni, *it;
  size_t k = 0;
  fat_rc rc;
  int oom = 0;

  rc = fat_store_prepare(st, q_i, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, lote_id);
  while (!oom && fat_stmt_step(s) == FAT_ROW) {
    int64_t gid = fat_col_int64(s, 0);
    sim_guia *g;

    while (k < n && v[k].id < gid)
      k++;
    if (k == n || v[k].id != gid)
      continue;
    g = &v[k];
    if (g->n_itens == g->cap_itens) {
      size_t nc = g->cap_itens == 0 ? 8 : g->cap_itens * 2;

      ni = fat_realloc(g->itens, nc * sizeof *ni);
      if (ni == NULL) {
        oom = 1;
        break;
      }
      g->itens = ni;
      g->cap_itens = nc;
    }
    it = &g->itens[g->n_itens++];
    memset(it, 0, sizeof *it);
    it->id = fat_col_int64(s, 1);
    it->seq = fat_col_int(s, 2);
    fat_col_copy(s, 3, it->tabela, sizeof it->tabela);
    fat_col_copy(s, 4, it->codigo, sizeof it->codigo);
    fat_col_copy(s, 5, it->data, sizeof it->data);
    fat_col_copy(s, 6, it->grau, sizeof it->grau);
    it->descricao = fat_col_strdup(s, 7, &oom);
    it->qtd_e4 = fat_col_int64(s, 8);
    it->total = fat_col_int64(s, 9);
  }
  fat_stmt_reset(s);
  return oom ? fat_err_oom(err) : FAT_OK;
}

/* The guia of v[0..n) (sorted by id) with id gid, or NULL. */
static sim_guia *sim_find(sim_guia *v, size_t n, int64_t gid)
{
  size_t lo = 0, hi = n;

  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;

    if (v[mid].id < gid)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < n && v[lo].id == gid ? &v[lo] : NULL;
}

/* The glosa a finding predicted for each guia of the lote: of its findings
** with a glosa_prevista, the first by (severidade = 'bloqueio') DESC, id —
** a NULL severidade last —, its code and its item's sequencial (0 for the
** guia). One statement for the lote; it was two correlated subqueries per
** guia, each sorting into a temporary b-tree. */
static fat_rc load_previstas(fat_store *st, int64_t lote_id, sim_guia *v, size_t n,
                             fat_err *err)
{
  static const char q_a[] =
      "SELECT a.guia_id, a.id, a.severidade = 'bloqueio', a.glosa_prevista,"
      " COALESCE(i.sequencial, 0)"
      " FROM guia g JOIN achado a ON a.guia_id = g.id LEFT JOIN item i ON i.id = a.item_id"
      " WHERE g.lote_id = ?1 AND a.glosa_prevista IS NOT NULL";
  int64_t *melhor_id = NULL;
  int *melhor_rank = NULL;
  fat_stmt *s;
  fat_rc rc;
  int r;

  if (n == 0)
    return FAT_OK;
  melhor_id = fat_calloc(n, sizeof *melhor_id);
  melhor_rank = fat_calloc(n, sizeof *melhor_rank);
  if (melhor_id == NULL || melhor_rank == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  rc = fat_store_prepare(st, q_a, &s, err);
  if (rc != FAT_OK)
    goto out;
  fat_bind_int(s, 1, lote_id);
  for (r = fat_stmt_step(s); r == FAT_ROW; r = fat_stmt_step(s)) {
    sim_guia *g = sim_find(v, n, fat_col_int64(s, 0));
    int64_t aid = fat_col_int64(s, 1);
    int rank = fat_col_is_null(s, 2) ? 0 : 1 + (fat_col_int(s, 2) != 0);
    size_t k;

    if (g == NULL)
      continue;
    k = (size_t)(g - v);
    /* melhor_rank 0: none yet; NULL severidade ranks 1, false 2, true 3 */
    rank++;
    if (melhor_rank[k] != 0 &&
        (rank < melhor_rank[k] || (rank == melhor_rank[k] && aid > melhor_id[k])))
      continue;
    melhor_rank[k] = rank;
    melhor_id[k] = aid;
    fat_col_copy(s, 3, g->prev_code, sizeof g->prev_code);
    g->prev_seq = fat_col_int(s, 4);
  }
  fat_stmt_reset(s);
  if (r != FAT_DONE)
    rc = fat_store_dberr(st, err, "erro ao ler os achados das guias do lote");
out:
  fat_free(melhor_id);
  fat_free(melhor_rank);
  return rc;
}

static fat_rc sim_load(fat_store *st, int64_t lote_id, sim_guia **out, size_t *n, fat_err *err)
{
  static const char q_g[] =
      "SELECT g.id, g.numero_prestador, g.numero_operadora, g.senha, g.carteira_numero,"
      " g.data_inicio FROM guia g WHERE g.lote_id = ?1 ORDER BY g.id";
  fat_stmt *s;
  sim_guia *v = NULL, *nv;
  size_t cnt = 0, cap = 0;
  fat_rc rc;

  *out = NULL;
  *n = 0;
  rc = fat_store_prepare(st, q_g, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, lote_id);
  while (rc == FAT_OK && fat_stmt_step(s) == FAT_ROW) {
    if (cnt == cap) {
      size_t nc = cap == 0 ? 128 : cap * 2;

      nv = fat_realloc(v, nc * sizeof *v);
      if (nv == NULL) {
        rc = fat_err_oom(err);
        break;
      }
      v = nv;
      cap = nc;
    }
    memset(&v[cnt], 0, sizeof v[cnt]);
    v[cnt].id = fat_col_int64(s, 0);
    fat_col_copy(s, 1, v[cnt].numero, sizeof v[cnt].numero);
    fat_col_copy(s, 2, v[cnt].numero_op, sizeof v[cnt].numero_op);
    fat_col_copy(s, 3, v[cnt].senha, sizeof v[cnt].senha);
    fat_col_copy(s, 4, v[cnt].carteira, sizeof v[cnt].carteira);
    fat_col_copy(s, 5, v[cnt].data, sizeof v[cnt].data);
    cnt++;
  }
  fat_stmt_reset(s);
  if (rc == FAT_OK)
    rc = load_previstas(st, lote_id, v, cnt, err);
  if (rc == FAT_OK)
    rc = load_itens(st, lote_id, v, cnt, err);
  if (rc != FAT_OK) {
    sim_free(v, cnt);
    return rc;
  }
  *out = v;
  *n = cnt;
  return FAT_OK;
}

/* Decide the glosas of one guia like an operator would. */
static void sim_decide(sim_guia *g, int taxa_bp, uint64_t *seed, size_t *n_prev)
{
  /* undue glosas on clean guias: the operator's own mistakes */
  static const char *const indevidas[] = {"1705", "1403", "1001", "1319", "1714"};
  sim_item *it;
  size_t k;
  int pick;

  if (g->n_itens == 0)
    return;
  if (g->prev_code[0] != '\0') {
    /* a finding predicted a glosa: a real operator catches most of these */
    if (rnd_bp(seed) >= 8500)
      return;
    it = &g->itens[0];
    for (k = 0; k < g->n_itens; k++)
      if (g->prev_seq > 0 && g->itens[k].seq == g->prev_seq)
        it = &g->itens[k];
    snprintf(it->glosa, sizeof it->glosa, "%s", g->prev_code);
    it->glosa_valor = it->total;
    (*n_prev)++;
    return;
  }
  if (rnd_bp(seed) >= taxa_bp)
    return;
  it = &g->itens[rnd_next(seed) % g->n_itens];
  pick = (int)(rnd_next(seed) % (sizeof indevidas / sizeof indevidas[0]));
  snprintf(it->glosa, sizeof it->glosa, "%s", indevidas[pick]);
  if (strcmp(it->glosa, "1705") == 0 || strcmp(it->glosa, "1714") == 0)
    it->glosa_valor = it->total / 100 * (10 + (int64_t)(rnd_next(seed) % 21)); /* 10-30% */
  else
    it->glosa_valor = it->total;
  if (it->glosa_valor <= 0)
    it->glosa_valor = it->total;
}

/* One detalhesGuia. */
static void write_item(fat_tiss_writer *w, const sim_item *it, const char *hoje, size_t *n_gl)
{
  char q[32];

  fat_tiss_w_start(w, "detalhesGuia");
  snprintf(q, sizeof q, "%d", it->seq);
  fat_tiss_w_leaf(w, "sequencialItem", q, 4);
  fat_tiss_w_date(w, "dataRealizacao", it->data[0] != '\0' ? it->data : hoje);
  fat_tiss_w_start(w, "procedimento");
  fat_tiss_w_leaf(w, "codigoTabela", it->tabela[0] != '\0' ? it->tabela : "22", 2);
  fat_tiss_w_leaf(w, "codigoProcedimento", it->codigo, 10);
  fat_tiss_w_leaf(w, "descricaoProcedimento",
                  it->descricao != NULL && it->descricao[0] != '\0' ? it->descricao : it->codigo,
                  150);
  fat_tiss_w_end(w);
  fat_tiss_w_leaf_opt(w, "grauParticipacao", it->grau, 2);
  fat_tiss_w_money(w, "valorInformado", it->total, 8);
  fat_tiss_w_qty(w, "qtdExecutada", it->qtd_e4, 9);
  fat_tiss_w_money(w, "valorProcessado", it->total, 8);
  fat_tiss_w_money(w, "valorLiberado", it->total - it->glosa_valor, 8);
  if (it->glosa[0] != '\0') {
    fat_tiss_w_start(w, "relacaoGlosa");
    fat_tiss_w_money(w, "valorGlosa", it->glosa_valor, 8);
    fat_tiss_w_leaf(w, "tipoGlosa", it->glosa, 4);
    fat_tiss_w_end(w);
    (*n_gl)++;
  }
  fat_tiss_w_end(w);
}

/* One relacaoGuias; adds its totals to *ti / *tg. */
static void write_guia(fat_tiss_writer *w, const sim_guia *g, const char *hoje, size_t *n_gl,
                       int64_t *ti, int64_t *tg)
{
  int64_t gi = 0, gg = 0;
  size_t k;

  for (k = 0; k < g->n_itens; k++) {
    gi += g->itens[k].total;
    gg += g->itens[k].glosa_valor;
  }
  fat_tiss_w_context(w, g->numero);
  fat_tiss_w_start(w, "relacaoGuias");
  fat_tiss_w_leaf(w, "numeroGuiaPrestador", g->numero, 20);
  fat_tiss_w_leaf_opt(w, "numeroGuiaOperadora", g->numero_op, 20);
  fat_tiss_w_leaf_opt(w, "senha", g->senha, 20);
  fat_tiss_w_leaf(w, "numeroCarteira", g->carteira[0] != '\0' ? g->carteira : "0", 20);
  fat_tiss_w_date(w, "dataInicioFat", g->data[0] != '\0' ? g->data : hoje);
  fat_tiss_w_leaf(w, "situacaoGuia", "5", 0);
  for (k = 0; k < g->n_itens; k++)
    write_item(w, &g->itens[k], hoje, n_gl);
  fat_tiss_w_money(w, "valorInformadoGuia", gi, 10);
  fat_tiss_w_money(w, "valorProcessadoGuia", gi, 10);
  fat_tiss_w_money(w, "valorLiberadoGuia", gi - gg, 10);
  fat_tiss_w_money(w, "valorGlosaGuia", gg, 10);
  fat_tiss_w_end(w);
  fat_tiss_w_context(w, NULL);
  *ti += gi;
  *tg += gg;
}

fat_rc fat_demo_retorno(fat_store *st, const fat_demo_retorno_opts *opt,
                        fat_demo_retorno_res *out, fat_err *err)
{
  fat_tiss_writer *w = NULL;
  fat_tiss_cabecalho cab;
  fat_tiss_doc doc;
  sim_lote l;
  sim_guia *gs = NULL;
  size_t ng = 0, i, n_prev = 0, n_gl = 0;
  char hoje[24], seqt[24], dnum[64];
  uint64_t seed;
  int64_t ti = 0, tg = 0;
  fat_rc rc;

  memset(out, 0, sizeof *out);
  memset(&doc, 0, sizeof doc);
  rc = load_lote(st, opt->lote_id, &l, err);
  if (rc != FAT_OK)
    goto out;
  rc = sim_load(st, opt->lote_id, &gs, &ng, err);
  if (rc != FAT_OK)
    goto out;
  if (ng == 0) {
    rc = fat_err_set(err, FAT_ESTATE, "o lote %s não tem guias", l.numero);
    goto out;
  }
  seed = opt->semente * 0x9E3779B97F4A7C15ULL + (uint64_t)opt->lote_id + 1;
  for (i = 0; i < ng; i++)
    sim_decide(&gs[i], opt->taxa_bp, &seed, &n_prev);
  if (opt->data != NULL)
    snprintf(hoje, sizeof hoje, "%s", opt->data);
  else
    fat_dia_hoje(hoje, sizeof hoje);
  if (l.prot[0] == '\0')
    snprintf(l.prot, sizeof l.prot, "%s%06" PRId64, l.ans, opt->lote_id % 1000000);
  if (l.dprot[0] == '\0')
    snprintf(l.dprot, sizeof l.dprot, "%s", hoje);
  snprintf(dnum, sizeof dnum, "D%s-%s", l.numero, hoje);
  snprintf(seqt, sizeof seqt, "%" PRId64, opt->lote_id % 1000000000);
  if (strlen(l.cnpj) != 14)
    snprintf(l.cnpj, sizeof l.cnpj, "%s", "00000000000191");
  if (l.cnes[0] == '\0')
    snprintf(l.cnes, sizeof l.cnes, "%s", "9999999");

  memset(&cab, 0, sizeof cab);
  cab.tipo_transacao = "DEMONSTRATIVO_ANALISE_CONTA";
  cab.sequencial = seqt;
  cab.data = hoje;
  cab.hora = "10:00:00";
  cab.codigo_prestador = l.codpre[0] != '\0' ? l.codpre : NULL;
  cab.cnpj_prestador = l.cnpj;
  cab.registro_ans = l.ans;
  cab.da_operadora = 1;
  rc = fat_tiss_writer_new(FAT_TISS_ISO88591, &w, err);
  if (rc != FAT_OK)
    goto out;
  fat_tiss_w_begin(w, &cab);
  fat_tiss_w_start(w, "demonstrativosRetorno");
  fat_tiss_w_start(w, "demonstrativoAnaliseConta");
  fat_tiss_w_start(w, "cabecalhoDemonstrativo");
  fat_tiss_w_leaf(w, "registroANS", l.ans, 6);
  fat_tiss_w_leaf(w, "numeroDemonstrativo", dnum, 20);
  fat_tiss_w_leaf(w, "nomeOperadora", l.nome, 70);
  fat_tiss_w_leaf(w, "numeroCNPJ", "00000000000191", 14);
  fat_tiss_w_date(w, "dataEmissao", hoje);
  fat_tiss_w_end(w);
  fat_tiss_w_start(w, "dadosPrestador");
  fat_tiss_w_start(w, "dadosContratado");
  if (l.codpre[0] != '\0')
    fat_tiss_w_leaf(w, "codigoPrestadorNaOperadora", l.codpre, 14);
  else
    fat_tiss_w_leaf(w, "cnpjContratado", l.cnpj, 14);
  fat_tiss_w_end(w);
  fat_tiss_w_leaf(w, "CNES", l.cnes, 7);
  fat_tiss_w_end(w);
  fat_tiss_w_start(w, "dadosConta");
  fat_tiss_w_start(w, "dadosProtocolo");
  fat_tiss_w_leaf(w, "numeroLotePrestador", l.numero, 12);
  fat_tiss_w_leaf(w, "numeroProtocolo", l.prot, 12);
  fat_tiss_w_date(w, "dataProtocolo", l.dprot);
  fat_tiss_w_leaf(w, "situacaoProtocolo", "5", 0);
  for (i = 0; i < ng; i++)
    write_guia(w, &gs[i], hoje, &n_gl, &ti, &tg);
  fat_tiss_w_money(w, "valorInformadoProtocolo", ti, 10);
  fat_tiss_w_money(w, "valorProcessadoProtocolo", ti, 10);
  fat_tiss_w_money(w, "valorLiberadoProtocolo", ti - tg, 10);
  fat_tiss_w_money(w, "valorGlosaProtocolo", tg, 10);
  fat_tiss_w_end(w); /* dadosProtocolo */
  fat_tiss_w_end(w); /* dadosConta */
  fat_tiss_w_money(w, "valorInformadoGeral", ti, 10);
  fat_tiss_w_money(w, "valorProcessadoGeral", ti, 10);
  fat_tiss_w_money(w, "valorLiberadoGeral", ti - tg, 10);
  fat_tiss_w_money(w, "valorGlosaGeral", tg, 10);
  fat_tiss_w_end(w); /* demonstrativoAnaliseConta */
  fat_tiss_w_end(w); /* demonstrativosRetorno */
  rc = fat_tiss_w_finish(w, &doc, err);
  if (rc != FAT_OK)
    goto out;
  out->xml = doc.xml;
  out->len = doc.len;
  doc.xml = NULL;
  memcpy(out->hash, doc.hash, sizeof out->hash);
  out->n_guias = ng;
  out->n_glosas = n_gl;
  out->n_glosas_previstas = n_prev;
  out->valor_informado = ti;
  out->valor_glosado = tg;
out:
  fat_tiss_doc_fini(&doc);
  fat_tiss_writer_free(w);
  sim_free(gs, ng);
  if (rc != FAT_OK)
    fat_demo_retorno_res_fini(out);
  return rc;
}

fat_rc fat_demo_retorno_ordem(fat_store *st, const int64_t *lotes, size_t n, size_t *ordem,
                              int64_t *guias, fat_err *err)
{
  static const char q[] =
      "SELECT l.operadora_id, (SELECT min(g.id) FROM guia g WHERE g.lote_id = l.id),"
      " (SELECT count(*) FROM guia g WHERE g.lote_id = l.id) FROM lote l WHERE l.id = ?1";
  int64_t *op = NULL, *chave = NULL;
  size_t *prox = NULL, *cab = NULL, i, k, feitos, n_cab, melhor;
  fat_stmt *s;
  fat_rc rc;

  if (n == 0)
    return FAT_OK;
  op = fat_calloc(n, sizeof *op);
  chave = fat_calloc(n, sizeof *chave);
  prox = fat_calloc(n, sizeof *prox);
  cab = fat_calloc(n, sizeof *cab);
  if (op == NULL || chave == NULL || prox == NULL || cab == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  rc = fat_store_prepare(st, q, &s, err);
  if (rc != FAT_OK)
    goto out;
  for (i = 0; i < n && rc == FAT_OK; i++) {
    fat_bind_int(s, 1, lotes[i]);
    if (fat_stmt_step(s) == FAT_ROW) {
      op[i] = fat_col_int64(s, 0);
      chave[i] = fat_col_is_null(s, 1) ? INT64_MAX : fat_col_int64(s, 1);
      if (guias != NULL)
        guias[i] = fat_col_int64(s, 2);
    } else {
      rc = fat_err_set(err, FAT_ENOTFOUND, "lote %" PRId64 " não encontrado", lotes[i]);
    }
    fat_stmt_reset(s);
  }
  if (rc != FAT_OK)
    goto out;
  /* prox[i]: the next lote of the same operadora after i (n: none); a lote
  ** is a head when no earlier one has its operadora */
  for (i = 0; i < n; i++) {
    prox[i] = n;
    for (k = i + 1; k < n; k++)
      if (op[k] == op[i]) {
        prox[i] = k;
        break;
      }
  }
  /* the heads (lotes no earlier one points to) hold each operadora's next
  ** lote; the smallest key goes first, the earlier lote on a tie */
  for (i = 0; i < n; i++)
    ordem[i] = 1;
  for (i = 0; i < n; i++)
    if (prox[i] < n)
      ordem[prox[i]] = 0;
  for (i = 0, n_cab = 0; i < n; i++)
    if (ordem[i])
      cab[n_cab++] = i;
  for (feitos = 0; feitos < n; feitos++) {
    melhor = 0;
    for (k = 1; k < n_cab; k++)
      if (chave[cab[k]] < chave[cab[melhor]] ||
          (chave[cab[k]] == chave[cab[melhor]] && cab[k] < cab[melhor]))
        melhor = k;
    ordem[feitos] = cab[melhor];
    if (prox[cab[melhor]] < n)
      cab[melhor] = prox[cab[melhor]];
    else
      cab[melhor] = cab[--n_cab];
  }
out:
  fat_free(op);
  fat_free(chave);
  fat_free(prox);
  fat_free(cab);
  return rc;
}

fat_rc fat_demo_retorno_paginas(fat_store *st, int grande, fat_err *err)
{
  fat_rc rc = fat_store_set_paginas_mb(st, grande ? FAT_DEMO_PAGINAS_MB : FAT_STORE_PAGINAS_MB,
                                       err);

  if (rc == FAT_OK && grande)
    rc = fat_store_set_checkpoint_mb(st, FAT_DEMO_RETORNO_CHECKPOINT_MB, err);
  return rc;
}
