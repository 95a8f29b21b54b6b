/* fat_recurso.c: recursos de glosa: draft, edit, TISS XML, report, states. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fat_dia.h"
#include "fat_glosa.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_recurso.h"
#include "fat_store_int.h"
#include "fat_tiss_validate.h"
#include "fat_tiss_write.h"

#define JUST_MAX 500 /* st_texto500 */

/* Everything a justification may mention about one glosa. */
typedef struct gvars {
  int64_t glosa_id, guia_id, item_id, valor, operadora_id, lote_id;
  char situacao[24], classificacao[24];
  char codigo[8], numero_guia[32], senha[32], data_aut[16], validade[16], cid[16];
  char data[16], procedimento[24], carteira[32], script[64], prazo[16];
  char descricao[256], evidencia[600];
  int item;
} gvars;

static void col(char *dst, size_t len, fat_stmt *s, int i)
{
  const char *t = fat_col_text(s, i);

  snprintf(dst, len, "%s", t != NULL ? (const char *)t : "");
}

static fat_rc load_glosa(fat_store *st, int64_t id, gvars *v, fat_err *err)
{
  static const char sql[] =
      "SELECT gl.id, gl.guia_id, COALESCE(gl.item_id, 0), gl.valor, g.operadora_id,"
      " COALESCE(gl.lote_id, g.lote_id, 0), gl.situacao, gl.classificacao, gl.codigo,"
      " g.numero_prestador, g.senha, g.data_autorizacao, g.validade_senha, g.cid,"
      " COALESCE(i.data, g.data_inicio), i.codigo, g.carteira_numero, o.script,"
      " gl.prazo_recurso, COALESCE(gl.descricao, ''), COALESCE(gl.evidencia, ''),"
      " COALESCE(i.sequencial, 0)"
      " FROM glosa gl JOIN guia g ON g.id = gl.guia_id JOIN operadora o ON o.id = g.operadora_id"
      " LEFT JOIN item i ON i.id = gl.item_id WHERE gl.id = ?1";
  fat_stmt *s;
  fat_rc rc;

  memset(v, 0, sizeof *v);
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  if (fat_stmt_step(s) != FAT_ROW) {
    fat_stmt_reset(s);
    return fat_err_set(err, FAT_ENOTFOUND, "glosa %lld não encontrada", (long long)id);
  }
  v->glosa_id = fat_col_int64(s, 0);
  v->guia_id = fat_col_int64(s, 1);
  v->item_id = fat_col_int64(s, 2);
  v->valor = fat_col_int64(s, 3);
  v->operadora_id = fat_col_int64(s, 4);
  v->lote_id = fat_col_int64(s, 5);
  col(v->situacao, sizeof v->situacao, s, 6);
  col(v->classificacao, sizeof v->classificacao, s, 7);
  col(v->codigo, sizeof v->codigo, s, 8);
  col(v->numero_guia, sizeof v->numero_guia, s, 9);
  col(v->senha, sizeof v->senha, s, 10);
  col(v->data_aut, sizeof v->data_aut, s, 11);
  col(v->validade, sizeof v->validade, s, 12);
  col(v->cid, sizeof v->cid, s, 13);
  col(v->data, sizeof v->data, s, 14);
  col(v->procedimento, sizeof v->procedimento, s, 15);
  col(v->carteira, sizeof v->carteira, s, 16);
  col(v->script, sizeof v->script, s, 17);
  col(v->prazo, sizeof v->prazo, s, 18);
  col(v->descricao, sizeof v->descricao, s, 19);
  col(v->evidencia, sizeof v->evidencia, s, 20);
  v->item = fat_col_int(s, 21);
  fat_stmt_reset(s);
  return FAT_OK;
}

static const char *var_of(const gvars *v, const char *k, char *tmp, size_t len)
{
  if (strcmp(k, "numero_guia") == 0)
    return v->numero_guia;
  if (strcmp(k, "senha") == 0)
    return v->senha;
  if (strcmp(k, "data_autorizacao") == 0)
    return v->data_aut;
  if (strcmp(k, "validade_senha") == 0)
    return v->validade;
  if (strcmp(k, "cid") == 0)
    return v->cid;
  if (strcmp(k, "data") == 0)
    return v->data;
  if (strcmp(k, "procedimento") == 0)
    return v->procedimento;
  if (strcmp(k, "carteira") == 0)
    return v->carteira;
  if (strcmp(k, "codigo") == 0 || strcmp(k, "glosa") == 0)
    return v->codigo;
  if (strcmp(k, "descricao_glosa") == 0)
    return v->descricao;
  if (strcmp(k, "evidencia") == 0)
    return v->evidencia;
  if (strcmp(k, "item") == 0) {
    snprintf(tmp, len, "%d", v->item);
    return tmp;
  }
  if (strcmp(k, "valor") == 0) {
    fat_money_format_br(v->valor, tmp, len);
    return tmp;
  }
  return NULL;
}

/* Fill {markers} of a template; unknown or empty markers stay visible so the
** faturista sees what to complete. Truncated to JUST_MAX bytes on a UTF-8
** boundary. */
static void fill(const char *tpl, const gvars *v, char *out, size_t len)
{
  size_t o = 0;
  const char *p = tpl, *e;
  char key[40], tmp[48];
  const char *val;

  while (*p != '\0' && o + 1 < len) {
    if (*p == '{' && (e = strchr(p, '}')) != NULL && (size_t)(e - p - 1) < sizeof key) {
      memcpy(key, p + 1, (size_t)(e - p - 1));
      key[e - p - 1] = '\0';
      val = var_of(v, key, tmp, sizeof tmp);
      if (val != NULL && val[0] != '\0') {
        o += (size_t)snprintf(out + o, len - o, "%s", val);
        if (o >= len)
          o = len - 1;
        p = e + 1;
        continue;
      }
    }
    out[o++] = *p++;
  }
  out[o] = '\0';
  if (o > JUST_MAX) {
    o = JUST_MAX;
    while (o > 0 && ((unsigned char)out[o] & 0xC0) == 0x80)
      o--;
    out[o] = '\0';
  }
}

static const char *generic_template(const char *grupo, const char *classificacao)
{
  if (strcmp(classificacao, "indevida") == 0)
    return "Solicitamos a revisão da glosa {codigo} ({descricao_glosa}) na guia {numero_guia}, "
           "item {item} ({procedimento}), no valor de {valor}: {evidencia}. Documentação "
           "comprobatória anexa.";
  if (strcmp(grupo, "autorizacao") == 0)
    return "O atendimento da guia {numero_guia} em {data} foi autorizado sob a senha {senha} "
           "(autorizada em {data_autorizacao}, válida até {validade_senha}); solicitamos a "
           "revisão da glosa {codigo} no valor de {valor}.";
  if (strcmp(grupo, "cadastro") == 0)
    return "O beneficiário da guia {numero_guia} (carteira {carteira}) estava ativo e elegível "
           "em {data}; solicitamos a revisão da glosa {codigo} no valor de {valor}.";
  if (strcmp(grupo, "documentacao") == 0)
    return "Reenviamos a documentação da guia {numero_guia} que motivou a glosa {codigo} "
           "({descricao_glosa}); solicitamos a revisão do valor de {valor}.";
  if (strcmp(grupo, "cobranca") == 0)
    return "O item {item} ({procedimento}) da guia {numero_guia} foi cobrado pelo valor "
           "contratado; solicitamos a revisão da glosa {codigo} no valor de {valor}.";
  return "Solicitamos a revisão da glosa {codigo} ({descricao_glosa}) na guia {numero_guia}, "
         "atendimento de {data}, no valor de {valor}, conforme documentação anexa.";
}

/* Justification from the contract template for the code, else generic. */
static void draft(fat_store *st, fat_gen *gen, const gvars *v, char *out, size_t len)
{
  const char *tpl = NULL;

  if (gen != NULL && v->script[0] != '\0')
    tpl = fat_contrato_modelo_recurso(fat_gen_contrato(gen, v->script), v->codigo);
  if (tpl == NULL)
    tpl = generic_template(fat_glosa_grupo(st, v->codigo), v->classificacao);
  fill(tpl, v, out, len);
}

/* The contract's deadline to appeal (recurso.prazo_dias), 0 when none. */
static int recurso_prazo(fat_gen *gen, const char *script)
{
  const fat_contrato *c = gen != NULL && script[0] != '\0' ? fat_gen_contrato(gen, script) : NULL;

  return c != NULL ? c->recurso.prazo_dias : 0;
}

fat_rc fat_recurso_criar(fat_store *st, fat_gen *gen, const int64_t *glosas, size_t n,
                         int64_t guia_id, int64_t *id, fat_err *err)
{
  static const char q_guia[] =
      "SELECT id FROM glosa WHERE guia_id = ?1 AND situacao = 'aberta'"
      " AND classificacao <> 'devida' ORDER BY id";
  static const char q_num[] =
      "SELECT COALESCE(max(numero), 0) + 1 FROM recurso WHERE operadora_id = ?1";
  static const char ins[] =
      "INSERT INTO recurso (operadora_id, lote_id, numero, prazo, base_data, valor_recursado)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
  static const char ins_i[] =
      "INSERT INTO recurso_item (recurso_id, glosa_id, valor_recursado, justificativa)"
      " VALUES (?1, ?2, ?3, ?4)";
  static const char upd_g[] = "UPDATE glosa SET situacao = 'em_recurso' WHERE id = ?1";
  static const char q_base[] =
      "SELECT min(COALESCE(data_demonstrativo, substr(criado_em, 1, 10))) FROM glosa"
      " WHERE id = ?1";
  fat_stmt *s;
  int64_t *ids = NULL, op = 0, lote = 0, numero = 1, total = 0, rid;
  size_t k, m = 0;
  gvars *v = NULL;
  char prazo[16] = "", base[16] = "", just[JUST_MAX + 64], obj[32], det[128];
  int lote_mix = 0, dias;
  int32_t d;
  fat_rc rc;

  *id = 0;
  if (n > 0) {
    ids = fat_calloc(n, sizeof *ids);
    if (ids == NULL)
      return fat_err_set(err, FAT_ENOMEM, "memória insuficiente");
    memcpy(ids, glosas, n * sizeof *ids);
    m = n;
  } else {
    rc = fat_store_prepare(st, q_guia, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, guia_id);
    while (fat_stmt_step(s) == FAT_ROW) {
      int64_t *a = fat_realloc(ids, (m + 1) * sizeof *a);

      if (a == NULL) {
        fat_stmt_reset(s);
        fat_free(ids);
        return fat_err_set(err, FAT_ENOMEM, "memória insuficiente");
      }
      ids = a;
      ids[m++] = fat_col_int64(s, 0);
    }
    fat_stmt_reset(s);
    if (m == 0)
      return fat_err_set(err, FAT_ENOTFOUND,
                         "a guia não tem glosas abertas para recorrer (as devidas ficam de fora)");
  }
  v = fat_calloc(m, sizeof *v);
  if (v == NULL) {
    fat_free(ids);
    return fat_err_set(err, FAT_ENOMEM, "memória insuficiente");
  }
  for (k = 0; k < m; k++) {
    rc = load_glosa(st, ids[k], &v[k], err);
    if (rc != FAT_OK)
      goto out;
    if (strcmp(v[k].situacao, "aberta") != 0) {
      rc = fat_err_set(err, FAT_ESTATE, "a glosa %lld está '%s', não aberta",
                       (long long)ids[k], v[k].situacao);
      goto out;
    }
    if (k > 0 && v[k].operadora_id != op) {
      rc = fat_err_set(err, FAT_EINVAL, "as glosas são de operadoras diferentes: um recurso "
                                        "por operadora");
      goto out;
    }
    op = v[k].operadora_id;
    if (k > 0 && v[k].lote_id != lote)
      lote_mix = 1;
    lote = v[k].lote_id;
    total += v[k].valor;
    if (v[k].prazo[0] != '\0' && (prazo[0] == '\0' || strcmp(v[k].prazo, prazo) < 0))
      snprintf(prazo, sizeof prazo, "%s", v[k].prazo);
  }
  rc = fat_store_prepare(st, q_base, &s, err);
  if (rc != FAT_OK)
    goto out;
  fat_bind_int(s, 1, ids[0]);
  if (fat_stmt_step(s) == FAT_ROW)
    col(base, sizeof base, s, 0);
  fat_stmt_reset(s);
  if (prazo[0] == '\0' && base[0] != '\0') {
    dias = recurso_prazo(gen, v[0].script);
    if (dias > 0 && fat_dia_parse(base, &d) == 0)
      fat_dia_format(d + dias, prazo, sizeof prazo);
  }
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    goto out;
  rc = fat_store_prepare(st, q_num, &s, err);
  if (rc != FAT_OK)
    goto fail;
  fat_bind_int(s, 1, op);
  if (fat_stmt_step(s) == FAT_ROW)
    numero = fat_col_int64(s, 0);
  fat_stmt_reset(s);
  rc = fat_store_prepare(st, ins, &s, err);
  if (rc != FAT_OK)
    goto fail;
  fat_bind_int(s, 1, op);
  fat_bind_int_or_null(s, 2, lote, lote == 0 || lote_mix);
  fat_bind_int(s, 3, numero);
  fat_bind_text(s, 4, prazo[0] != '\0' ? prazo : NULL);
  fat_bind_text(s, 5, base[0] != '\0' ? base : NULL);
  fat_bind_int(s, 6, total);
  rc = fat_store_step_done(st, s, "não foi possível criar o recurso", err);
  if (rc != FAT_OK)
    goto fail;
  rid = fat_store_last_id(st);
  for (k = 0; k < m; k++) {
    draft(st, gen, &v[k], just, sizeof just);
    rc = fat_store_prepare(st, ins_i, &s, err);
    if (rc != FAT_OK)
      goto fail;
    fat_bind_int(s, 1, rid);
    fat_bind_int(s, 2, v[k].glosa_id);
    fat_bind_int(s, 3, v[k].valor);
    fat_bind_text(s, 4, just);
    rc = fat_store_step_done(st, s, "não foi possível gravar o item do recurso", err);
    if (rc != FAT_OK)
      goto fail;
    rc = fat_store_prepare(st, upd_g, &s, err);
    if (rc != FAT_OK)
      goto fail;
    fat_bind_int(s, 1, v[k].glosa_id);
    rc = fat_store_step_done(st, s, "não foi possível atualizar a glosa", err);
    if (rc != FAT_OK)
      goto fail;
  }
  snprintf(obj, sizeof obj, "recurso:%lld", (long long)rid);
  snprintf(det, sizeof det, "%zu glosas, número %lld", m, (long long)numero);
  rc = fat_store_audit(st, "recurso.criar", obj, det, err);
  if (rc != FAT_OK)
    goto fail;
  rc = fat_store_commit(st, err);
  if (rc == FAT_OK)
    *id = rid;
  goto out;
fail:
  fat_store_rollback(st);
out:
  fat_free(ids);
  fat_free(v);
  return rc;
}

static fat_rc recurso_status(fat_store *st, int64_t id, char *status, size_t len, fat_err *err)
{
  static const char sql[] = "SELECT status FROM recurso WHERE id = ?1";
  fat_stmt *s;
  fat_rc rc;

  status[0] = '\0';
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  if (fat_stmt_step(s) == FAT_ROW)
    col(status, len, s, 0);
  fat_stmt_reset(s);
  if (status[0] == '\0')
    return fat_err_set(err, FAT_ENOTFOUND, "recurso %lld não encontrado", (long long)id);
  return FAT_OK;
}

fat_rc fat_recurso_editar(fat_store *st, int64_t id, int64_t item, const char *just,
                          fat_err *err)
{
  static const char upd[] =
      "UPDATE recurso_item SET justificativa = ?3, editado_em = ?4, editado_por = ?5"
      " WHERE recurso_id = ?1 AND (id = ?2 OR glosa_id = ?2)";
  fat_stmt *s;
  char status[24], now[24], obj[32];
  fat_rc rc;
  size_t n = just != NULL ? strlen(just) : 0;

  if (n == 0 || n > JUST_MAX)
    return fat_err_set(err, FAT_EINVAL, "a justificativa deve ter de 1 a %d caracteres", JUST_MAX);
  rc = recurso_status(st, id, status, sizeof status, err);
  if (rc != FAT_OK)
    return rc;
  if (strcmp(status, "rascunho") != 0)
    return fat_err_set(err, FAT_ESTATE, "o recurso %lld já foi %s: não pode ser editado",
                       (long long)id, status);
  fat_store_now(now, sizeof now);
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_prepare(st, upd, &s, err);
  if (rc != FAT_OK)
    goto fail;
  fat_bind_int(s, 1, id);
  fat_bind_int(s, 2, item);
  fat_bind_text(s, 3, just);
  fat_bind_text(s, 4, now);
  fat_bind_text(s, 5, fat_store_user(st));
  rc = fat_store_step_done(st, s, "não foi possível editar a justificativa", err);
  if (rc != FAT_OK)
    goto fail;
  if (fat_store_changes(st) == 0) {
    rc = fat_err_set(err, FAT_ENOTFOUND, "o recurso %lld não tem o item %lld", (long long)id,
                     (long long)item);
    goto fail;
  }
  snprintf(obj, sizeof obj, "recurso:%lld", (long long)id);
  rc = fat_store_audit(st, "recurso.editar", obj, "justificativa editada", err);
  if (rc != FAT_OK)
    goto fail;
  return fat_store_commit(st, err);
fail:
  fat_store_rollback(st);
  return rc;
}

/* One row of the recurso for XML and reports. */
typedef struct ritem {
  int64_t id, glosa_id, guia_id, valor, deferido;
  int seq, has_deferido;
  char guia[32], guia_op[32], senha[32], codigo[8], tabela[8], proc[24], grau[8];
  char data[16], data_fim[16], just[JUST_MAX + 8], descr[160], glosa_desc[256];
  int64_t glosado;
} ritem;

typedef struct rhead {
  int64_t id, numero, valor_recursado, valor_recuperado, operadora_id;
  char status[24], resultado[24], prazo[16], ans[16], nome[128], script[64];
  char lote[24], protocolo[40], codpre[32], cnpj[24], cpf[24], criado[24];
} rhead;

static fat_rc load_recurso(fat_store *st, int64_t id, rhead *h, ritem **items, size_t *n,
                           fat_err *err)
{
  static const char q_h[] =
      "SELECT r.id, r.numero, r.valor_recursado, r.valor_recuperado, r.operadora_id, r.status,"
      " COALESCE(r.resultado, ''), COALESCE(r.prazo, ''), o.registro_ans, o.nome, o.script,"
      " COALESCE(l.numero, ''), COALESCE(l.protocolo, ''), substr(r.criado_em, 1, 10)"
      " FROM recurso r JOIN operadora o ON o.id = r.operadora_id"
      " LEFT JOIN lote l ON l.id = r.lote_id WHERE r.id = ?1";
  static const char q_p[] =
      "SELECT (SELECT po.codigo FROM prestador_operadora po WHERE po.prestador_id = g.prestador_id"
      "  AND po.operadora_id = g.operadora_id), p.cnpj, p.cpf, COALESCE(l.numero, ''),"
      " COALESCE(l.protocolo, '')"
      " FROM recurso_item ri JOIN glosa gl ON gl.id = ri.glosa_id JOIN guia g ON g.id = gl.guia_id"
      " JOIN prestador p ON p.id = g.prestador_id LEFT JOIN lote l ON l.id = g.lote_id"
      " WHERE ri.recurso_id = ?1 ORDER BY ri.id LIMIT 1";
  static const char q_i[] =
      "SELECT ri.id, ri.glosa_id, g.id, ri.valor_recursado, ri.valor_deferido,"
      " COALESCE(i.sequencial, 0), g.numero_prestador, COALESCE(g.numero_operadora, ''),"
      " COALESCE(g.senha, ''), gl.codigo, COALESCE(i.codigo_tabela, ''), COALESCE(i.codigo, ''),"
      " COALESCE(i.grau_participacao, ''), COALESCE(i.data, g.data_inicio, ''),"
      " COALESCE(g.data_fim, ''), ri.justificativa, COALESCE(i.descricao, i.codigo, ''),"
      " COALESCE(gl.descricao, ''), gl.valor"
      " FROM recurso_item ri JOIN glosa gl ON gl.id = ri.glosa_id JOIN guia g ON g.id = gl.guia_id"
      " LEFT JOIN item i ON i.id = gl.item_id WHERE ri.recurso_id = ?1"
      " ORDER BY g.numero_prestador, COALESCE(i.sequencial, 0), ri.id";
  fat_stmt *s;
  fat_rc rc;
  ritem *v = NULL, *a;
  size_t cnt = 0;

  memset(h, 0, sizeof *h);
  *items = NULL;
  *n = 0;
  rc = fat_store_prepare(st, q_h, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  if (fat_stmt_step(s) != FAT_ROW) {
    fat_stmt_reset(s);
    return fat_err_set(err, FAT_ENOTFOUND, "recurso %lld não encontrado", (long long)id);
  }
  h->id = fat_col_int64(s, 0);
  h->numero = fat_col_int64(s, 1);
  h->valor_recursado = fat_col_int64(s, 2);
  h->valor_recuperado = fat_col_int64(s, 3);
  h->operadora_id = fat_col_int64(s, 4);
  col(h->status, sizeof h->status, s, 5);
  col(h->resultado, sizeof h->resultado, s, 6);
  col(h->prazo, sizeof h->prazo, s, 7);
  col(h->ans, sizeof h->ans, s, 8);
  col(h->nome, sizeof h->nome, s, 9);
  col(h->script, sizeof h->script, s, 10);
  col(h->lote, sizeof h->lote, s, 11);
  col(h->protocolo, sizeof h->protocolo, s, 12);
  col(h->criado, sizeof h->criado, s, 13);
  fat_stmt_reset(s);
  rc = fat_store_prepare(st, q_p, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  if (fat_stmt_step(s) == FAT_ROW) {
    col(h->codpre, sizeof h->codpre, s, 0);
    col(h->cnpj, sizeof h->cnpj, s, 1);
    col(h->cpf, sizeof h->cpf, s, 2);
    if (h->lote[0] == '\0')
      col(h->lote, sizeof h->lote, s, 3);
    if (h->protocolo[0] == '\0')
      col(h->protocolo, sizeof h->protocolo, s, 4);
  }
  fat_stmt_reset(s);
  rc = fat_store_prepare(st, q_i, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  while (fat_stmt_step(s) == FAT_ROW) {
    a = fat_realloc(v, (cnt + 1) * sizeof *v);
    if (a == NULL) {
      fat_stmt_reset(s);
      fat_free(v);
      return fat_err_set(err, FAT_ENOMEM, "memória insuficiente");
    }
    v = a;
    memset(&v[cnt], 0, sizeof v[cnt]);
    v[cnt].id = fat_col_int64(s, 0);
    v[cnt].glosa_id = fat_col_int64(s, 1);
    v[cnt].guia_id = fat_col_int64(s, 2);
    v[cnt].valor = fat_col_int64(s, 3);
    v[cnt].has_deferido = !fat_col_is_null(s, 4);
    v[cnt].deferido = fat_col_int64(s, 4);
    v[cnt].seq = fat_col_int(s, 5);
    col(v[cnt].guia, sizeof v[cnt].guia, s, 6);
    col(v[cnt].guia_op, sizeof v[cnt].guia_op, s, 7);
    col(v[cnt].senha, sizeof v[cnt].senha, s, 8);
    col(v[cnt].codigo, sizeof v[cnt].codigo, s, 9);
    col(v[cnt].tabela, sizeof v[cnt].tabela, s, 10);
    col(v[cnt].proc, sizeof v[cnt].proc, s, 11);
    col(v[cnt].grau, sizeof v[cnt].grau, s, 12);
    col(v[cnt].data, sizeof v[cnt].data, s, 13);
    col(v[cnt].data_fim, sizeof v[cnt].data_fim, s, 14);
    col(v[cnt].just, sizeof v[cnt].just, s, 15);
    col(v[cnt].descr, sizeof v[cnt].descr, s, 16);
    col(v[cnt].glosa_desc, sizeof v[cnt].glosa_desc, s, 17);
    v[cnt].glosado = fat_col_int64(s, 18);
    cnt++;
  }
  fat_stmt_reset(s);
  *items = v;
  *n = cnt;
  return FAT_OK;
}

/* st_numerico12: the digits of the protocol, else "0". */
static void digits_only(const char *in, char *out, size_t len)
{
  size_t o = 0;

  for (; *in != '\0' && o + 1 < len && o < 12; in++)
    if (*in >= '0' && *in <= '9')
      out[o++] = *in;
  if (o == 0)
    out[o++] = '0';
  out[o] = '\0';
}

fat_rc fat_recurso_xml(fat_store *st, fat_gen *gen, int64_t id, const char *xsd_dir, char **xml,
                       size_t *len, char *name, size_t name_len, int *validado, fat_err *err)
{
  static const char upd[] = "UPDATE recurso SET xml = ?2, hash = ?3 WHERE id = ?1";
  rhead h;
  ritem *it = NULL;
  size_t n = 0, i, j;
  fat_tiss_writer *w = NULL;
  fat_tiss_cabecalho cab;
  fat_tiss_doc doc;
  fat_tiss_xsd_result vr;
  fat_tiss_enc enc = FAT_TISS_ISO88591;
  char numero[24], prot[16], hoje[16], seq[16], fname[80];
  fat_stmt *s;
  fat_rc rc;
  int64_t total = 0;
  int e;

  *xml = NULL;
  *len = 0;
  *validado = 0;
  memset(&doc, 0, sizeof doc);
  rc = load_recurso(st, id, &h, &it, &n, err);
  if (rc != FAT_OK)
    return rc;
  if (n == 0) {
    rc = fat_err_set(err, FAT_ESTATE, "o recurso %lld não tem itens", (long long)id);
    goto out;
  }
  if (gen != NULL && fat_gen_contrato(gen, h.script) != NULL) {
    e = fat_tiss_enc_parse(fat_gen_contrato(gen, h.script)->hash);
    if (e >= 0)
      enc = (fat_tiss_enc)e;
  }
  fat_dia_hoje(hoje, sizeof hoje);
  snprintf(numero, sizeof numero, "%lld", (long long)h.numero);
  digits_only(h.protocolo, prot, sizeof prot);
  memset(&cab, 0, sizeof cab);
  cab.tipo_transacao = "RECURSO_GLOSA";
  cab.sequencial = numero;
  cab.codigo_prestador = h.codpre[0] ? h.codpre : NULL;
  cab.cnpj_prestador = h.cnpj[0] ? h.cnpj : NULL;
  cab.cpf_prestador = h.cpf[0] ? h.cpf : NULL;
  cab.registro_ans = h.ans;
  rc = fat_tiss_writer_new(enc, &w, err);
  if (rc != FAT_OK)
    goto out;
  fat_tiss_w_begin(w, &cab);
  fat_tiss_w_start(w, "recursoGlosa");
  fat_tiss_w_start(w, "guiaRecursoGlosa");
  fat_tiss_w_leaf(w, "registroANS", h.ans, 6);
  fat_tiss_w_leaf(w, "numeroGuiaRecGlosaPrestador", numero, 20);
  fat_tiss_w_leaf(w, "nomeOperadora", h.nome, 70);
  fat_tiss_w_leaf(w, "objetoRecurso", "2", 1);
  fat_tiss_w_start(w, "dadosContratado");
  if (h.codpre[0] != '\0')
    fat_tiss_w_leaf(w, "codigoPrestadorNaOperadora", h.codpre, 14);
  else if (h.cnpj[0] != '\0')
    fat_tiss_w_leaf(w, "cnpjContratado", h.cnpj, 14);
  else
    fat_tiss_w_leaf(w, "cpfContratado", h.cpf, 11);
  fat_tiss_w_end(w);
  fat_tiss_w_leaf(w, "numeroLote", h.lote[0] ? h.lote : "0", 12);
  fat_tiss_w_leaf(w, "numeroProtocolo", prot, 12);
  fat_tiss_w_start(w, "opcaoRecurso");
  /* one recursoGuia per guia for its item glosas (itensGuia) and another for
  ** its whole-guia glosas (recursoGuiaCompleta): the XSD's choice allows
  ** only one kind per recursoGuia */
  for (i = 0; i < n;) {
    int pass;

    for (j = i; j < n && it[j].guia_id == it[i].guia_id; j++)
      ;
    for (pass = 0; pass < 2; pass++) {
      size_t k, cnt = 0;

      for (k = i; k < j; k++)
        if ((pass == 0) == (it[k].seq > 0))
          cnt++;
      if (cnt == 0)
        continue;
      fat_tiss_w_context(w, it[i].guia);
      fat_tiss_w_start(w, "recursoGuia");
      fat_tiss_w_leaf(w, "numeroGuiaOrigem", it[i].guia, 20);
      fat_tiss_w_leaf_opt(w, "numeroGuiaOperadora", it[i].guia_op, 20);
      fat_tiss_w_leaf_opt(w, "senha", it[i].senha, 20);
      fat_tiss_w_start(w, "opcaoRecursoGuia");
      for (k = i; k < j; k++) {
        if ((pass == 0) != (it[k].seq > 0))
          continue;
        total += it[k].valor;
        if (pass == 0) {
          fat_tiss_w_start(w, "itensGuia");
          snprintf(seq, sizeof seq, "%d", it[k].seq);
          fat_tiss_w_leaf(w, "sequencialItem", seq, 4);
          fat_tiss_w_date(w, "dataInicio", it[k].data);
          fat_tiss_w_start(w, "procRecurso");
          fat_tiss_w_leaf(w, "codigoTabela", it[k].tabela[0] ? it[k].tabela : "22", 2);
          fat_tiss_w_leaf(w, "codigoProcedimento", it[k].proc, 10);
          fat_tiss_w_leaf(w, "descricaoProcedimento", it[k].descr[0] ? it[k].descr : it[k].proc,
                          150);
          fat_tiss_w_end(w);
          fat_tiss_w_leaf_opt(w, "grauParticipacao", it[k].grau, 2);
          fat_tiss_w_leaf(w, "codGlosaItem", it[k].codigo, 4);
          fat_tiss_w_money(w, "valorRecursado", it[k].valor, 8);
          fat_tiss_w_leaf(w, "justificativaItem", it[k].just, JUST_MAX);
          fat_tiss_w_end(w);
        } else {
          fat_tiss_w_start(w, "recursoGuiaCompleta");
          fat_tiss_w_leaf(w, "codGlosaGuia", it[k].codigo, 4);
          fat_tiss_w_leaf(w, "justificativaGuia", it[k].just, JUST_MAX);
          fat_tiss_w_end(w);
        }
      }
      fat_tiss_w_end(w); /* opcaoRecursoGuia */
      fat_tiss_w_end(w); /* recursoGuia */
    }
    i = j;
  }
  fat_tiss_w_context(w, NULL);
  fat_tiss_w_end(w); /* opcaoRecurso */
  fat_tiss_w_money(w, "valorTotalRecursado", total, 10);
  fat_tiss_w_date(w, "dataRecurso", hoje);
  fat_tiss_w_end(w); /* guiaRecursoGlosa */
  fat_tiss_w_end(w); /* recursoGlosa */
  rc = fat_tiss_w_finish(w, &doc, err);
  if (rc != FAT_OK)
    goto out;
  if (xsd_dir != NULL) {
    memset(&vr, 0, sizeof vr);
    rc = fat_tiss_validate_memory(xsd_dir, doc.xml, doc.len, &vr, err);
    if (rc == FAT_OK && !vr.valido)
      rc = fat_tiss_xsd_result_err(&vr, 5, err);
    fat_tiss_xsd_result_fini(&vr);
    if (rc != FAT_OK)
      goto out;
    *validado = 1;
  }
  rc = fat_store_prepare(st, upd, &s, err);
  if (rc != FAT_OK)
    goto out;
  fat_bind_int(s, 1, id);
  fat_bind_blob(s, 2, doc.xml, doc.len);
  fat_bind_text(s, 3, doc.hash);
  rc = fat_store_step_done(st, s, "não foi possível gravar o XML do recurso", err);
  if (rc != FAT_OK)
    goto out;
  fat_tiss_filename(h.numero, doc.hash, fname, sizeof fname);
  snprintf(name, name_len, "recurso_%s", fname);
  *xml = doc.xml;
  *len = doc.len;
  doc.xml = NULL;
out:
  fat_tiss_doc_fini(&doc);
  fat_tiss_writer_free(w);
  fat_free(it);
  return rc;
}

static fat_rc html_esc(fat_buf *b, const char *s, fat_err *err)
{
  fat_rc rc = FAT_OK;

  for (; *s != '\0' && rc == FAT_OK; s++) {
    switch (*s) {
    case '<': rc = fat_buf_puts(b, "&lt;", err); break;
    case '>': rc = fat_buf_puts(b, "&gt;", err); break;
    case '&': rc = fat_buf_puts(b, "&amp;", err); break;
    case '"': rc = fat_buf_puts(b, "&quot;", err); break;
    default: rc = fat_buf_append(b, s, 1, err); break;
    }
  }
  return rc;
}

static fat_rc csv_field(fat_buf *b, const char *s, int last, fat_err *err)
{
  fat_rc rc = fat_buf_puts(b, "\"", err);

  for (; rc == FAT_OK && *s != '\0'; s++)
    rc = *s == '"' ? fat_buf_puts(b, "\"\"", err) : fat_buf_append(b, s, 1, err);
  if (rc == FAT_OK)
    rc = fat_buf_puts(b, last ? "\"\r\n" : "\";", err);
  return rc;
}

fat_rc fat_recurso_relatorio(fat_store *st, int64_t id, const char *formato, char **out,
                             size_t *len, fat_err *err)
{
  rhead h;
  ritem *it = NULL;
  size_t n = 0, i;
  fat_buf b;
  fat_rc rc;
  char v1[32], v2[32], v3[32], seq[16];
  int csv = formato != NULL && strcmp(formato, "csv") == 0;
  int64_t tg = 0, tr = 0;

  *out = NULL;
  *len = 0;
  if (formato != NULL && !csv && strcmp(formato, "html") != 0)
    return fat_err_set(err, FAT_EINVAL, "formato '%s' desconhecido (html ou csv)", formato);
  rc = load_recurso(st, id, &h, &it, &n, err);
  if (rc != FAT_OK)
    return rc;
  fat_buf_init(&b, (size_t)16 * 1024 * 1024);
  if (csv) {
    rc = fat_buf_puts(&b, "recurso;operadora;guia;item;procedimento;data;codigo_glosa;"
                          "descricao_glosa;valor_glosado;valor_recursado;valor_deferido;"
                          "justificativa\r\n", err);
    for (i = 0; rc == FAT_OK && i < n; i++) {
      snprintf(seq, sizeof seq, "%d", it[i].seq);
      fat_money_format(it[i].glosado, v1, sizeof v1);
      fat_money_format(it[i].valor, v2, sizeof v2);
      if (it[i].has_deferido)
        fat_money_format(it[i].deferido, v3, sizeof v3);
      else
        v3[0] = '\0';
      rc = fat_buf_printf(&b, err, "%lld;", (long long)h.numero);
      if (rc == FAT_OK) rc = csv_field(&b, h.nome, 0, err);
      if (rc == FAT_OK) rc = csv_field(&b, it[i].guia, 0, err);
      if (rc == FAT_OK) rc = csv_field(&b, it[i].seq > 0 ? seq : "guia", 0, err);
      if (rc == FAT_OK) rc = csv_field(&b, it[i].proc, 0, err);
      if (rc == FAT_OK) rc = csv_field(&b, it[i].data, 0, err);
      if (rc == FAT_OK) rc = csv_field(&b, it[i].codigo, 0, err);
      if (rc == FAT_OK) rc = csv_field(&b, it[i].glosa_desc, 0, err);
      if (rc == FAT_OK) rc = csv_field(&b, v1, 0, err);
      if (rc == FAT_OK) rc = csv_field(&b, v2, 0, err);
      if (rc == FAT_OK) rc = csv_field(&b, v3, 0, err);
      if (rc == FAT_OK) rc = csv_field(&b, it[i].just, 1, err);
    }
  } else {
    rc = fat_buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"pt-BR\"><head><meta charset=\"utf-8\">"
                          "<title>Recurso de glosa</title><style>body{font-family:sans-serif;"
                          "font-size:11pt}table{border-collapse:collapse;width:100%}td,th{border:"
                          "1px solid #999;padding:4px;vertical-align:top}th{background:#eee}"
                          ".v{text-align:right;white-space:nowrap}</style></head><body>\n", err);
    if (rc == FAT_OK) rc = fat_buf_printf(&b, err, "<h1>Recurso de glosa nº %lld</h1>\n<p>Operadora: ",
                                          (long long)h.numero);
    if (rc == FAT_OK) rc = html_esc(&b, h.nome, err);
    if (rc == FAT_OK) rc = fat_buf_printf(&b, err, " (ANS %s) &middot; Lote: ", h.ans);
    if (rc == FAT_OK) rc = html_esc(&b, h.lote[0] ? h.lote : "-", err);
    if (rc == FAT_OK) rc = fat_buf_puts(&b, " &middot; Protocolo: ", err);
    if (rc == FAT_OK) rc = html_esc(&b, h.protocolo[0] ? h.protocolo : "-", err);
    if (rc == FAT_OK) rc = fat_buf_printf(&b, err, " &middot; Situação: %s%s%s &middot; Prazo: %s</p>\n",
                                          h.status, h.resultado[0] ? " / " : "", h.resultado,
                                          h.prazo[0] ? h.prazo : "-");
    if (rc == FAT_OK) rc = fat_buf_puts(&b, "<table><tr><th>Guia</th><th>Item</th><th>Procedimento</th>"
                                            "<th>Data</th><th>Glosa</th><th>Valor glosado</th>"
                                            "<th>Valor recursado</th><th>Justificativa</th></tr>\n", err);
    for (i = 0; rc == FAT_OK && i < n; i++) {
      fat_money_format_br(it[i].glosado, v1, sizeof v1);
      fat_money_format_br(it[i].valor, v2, sizeof v2);
      tg += it[i].glosado;
      tr += it[i].valor;
      rc = fat_buf_puts(&b, "<tr><td>", err);
      if (rc == FAT_OK) rc = html_esc(&b, it[i].guia, err);
      if (rc == FAT_OK && it[i].seq > 0) rc = fat_buf_printf(&b, err, "</td><td>%d</td><td>", it[i].seq);
      if (rc == FAT_OK && it[i].seq == 0) rc = fat_buf_puts(&b, "</td><td>guia</td><td>", err);
      if (rc == FAT_OK) rc = html_esc(&b, it[i].proc, err);
      if (rc == FAT_OK) rc = fat_buf_puts(&b, " ", err);
      if (rc == FAT_OK) rc = html_esc(&b, it[i].descr, err);
      if (rc == FAT_OK) rc = fat_buf_puts(&b, "</td><td>", err);
      if (rc == FAT_OK) rc = html_esc(&b, it[i].data, err);
      if (rc == FAT_OK) rc = fat_buf_printf(&b, err, "</td><td>%s ", it[i].codigo);
      if (rc == FAT_OK) rc = html_esc(&b, it[i].glosa_desc, err);
      if (rc == FAT_OK) rc = fat_buf_printf(&b, err, "</td><td class=\"v\">%s</td><td class=\"v\">%s</td><td>",
                                            v1, v2);
      if (rc == FAT_OK) rc = html_esc(&b, it[i].just, err);
      if (rc == FAT_OK) rc = fat_buf_puts(&b, "</td></tr>\n", err);
    }
    fat_money_format_br(tg, v1, sizeof v1);
    fat_money_format_br(tr, v2, sizeof v2);
    fat_money_format_br(h.valor_recuperado, v3, sizeof v3);
    if (rc == FAT_OK)
      rc = fat_buf_printf(&b, err, "<tr><th colspan=\"5\">Total</th><th class=\"v\">%s</th>"
                                   "<th class=\"v\">%s</th><th>Recuperado: %s</th></tr>\n"
                                   "</table></body></html>\n", v1, v2, v3);
  }
  fat_free(it);
  if (rc != FAT_OK) {
    fat_buf_fini(&b);
    return rc;
  }
  *len = b.len;
  *out = fat_buf_take(&b);
  return FAT_OK;
}

static fat_rc transition(fat_store *st, int64_t id, const char *from, const char *to,
                         const char *numero, const char *data, fat_err *err)
{
  static const char upd_env[] =
      "UPDATE recurso SET status = 'enviado', enviado_em = ?2 WHERE id = ?1";
  static const char upd_prot[] =
      "UPDATE recurso SET status = 'protocolado', protocolo = ?3, protocolo_data = ?2 WHERE id = ?1";
  fat_stmt *s;
  char status[24], d[16], obj[32];
  fat_rc rc;

  if (data != NULL && !fat_date_valid(data))
    return fat_err_set(err, FAT_EINVAL, "data '%s' inválida (AAAA-MM-DD)", data);
  if (data == NULL)
    fat_dia_hoje(d, sizeof d);
  else
    snprintf(d, sizeof d, "%s", data);
  rc = recurso_status(st, id, status, sizeof status, err);
  if (rc != FAT_OK)
    return rc;
  if (strcmp(status, from) != 0)
    return fat_err_set(err, FAT_ESTATE, "o recurso %lld está '%s'; só um recurso '%s' pode "
                       "passar a '%s'", (long long)id, status, from, to);
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_prepare(st, strcmp(to, "enviado") == 0 ? upd_env : upd_prot, &s, err);
  if (rc != FAT_OK)
    goto fail;
  fat_bind_int(s, 1, id);
  fat_bind_text(s, 2, d);
  if (numero != NULL)
    fat_bind_text(s, 3, numero);
  rc = fat_store_step_done(st, s, "não foi possível mudar a situação do recurso", err);
  if (rc != FAT_OK)
    goto fail;
  snprintf(obj, sizeof obj, "recurso:%lld", (long long)id);
  rc = fat_store_audit(st, strcmp(to, "enviado") == 0 ? "recurso.enviar" : "recurso.protocolo",
                       obj, numero, err);
  if (rc != FAT_OK)
    goto fail;
  return fat_store_commit(st, err);
fail:
  fat_store_rollback(st);
  return rc;
}

fat_rc fat_recurso_enviar(fat_store *st, int64_t id, const char *data, fat_err *err)
{
  return transition(st, id, "rascunho", "enviado", NULL, data, err);
}

fat_rc fat_recurso_protocolo(fat_store *st, int64_t id, const char *numero, const char *data,
                             fat_err *err)
{
  if (numero == NULL || numero[0] == '\0')
    return fat_err_set(err, FAT_EINVAL, "informe o número do protocolo");
  return transition(st, id, "enviado", "protocolado", numero, data, err);
}

fat_rc fat_recurso_responder(fat_store *st, int64_t id, const fat_recurso_resposta *r,
                             fat_err *err)
{
  static const char q_items[] =
      "SELECT ri.id, ri.glosa_id, ri.valor_recursado, ri.valor_deferido FROM recurso_item ri"
      " WHERE ri.recurso_id = ?1 ORDER BY ri.id";
  static const char upd_item[] = "UPDATE recurso_item SET valor_deferido = ?2 WHERE id = ?1";
  static const char upd_glosa[] =
      "UPDATE glosa SET valor_recuperado = ?2, situacao = ?3 WHERE id = ?1";
  static const char upd_rec[] =
      "UPDATE recurso SET status = 'respondido', resultado = ?2, respondido_em = ?3,"
      " valor_recuperado = ?4 WHERE id = ?1";
  fat_stmt *s;
  char status[24], d[16], obj[32], det[128];
  struct { int64_t id, glosa, rec, def; int has; } it[512];
  size_t n = 0, k;
  int64_t total_rec = 0, recovered = 0, rest;
  int parcial, found = 0;
  fat_rc rc;

  if (r->resultado == NULL || (strcmp(r->resultado, "deferido") != 0 &&
                               strcmp(r->resultado, "deferido_parcial") != 0 &&
                               strcmp(r->resultado, "indeferido") != 0))
    return fat_err_set(err, FAT_EINVAL,
                       "resultado deve ser deferido, deferido_parcial ou indeferido");
  if (r->data != NULL && !fat_date_valid(r->data))
    return fat_err_set(err, FAT_EINVAL, "data '%s' inválida (AAAA-MM-DD)", r->data);
  if (r->data != NULL)
    snprintf(d, sizeof d, "%s", r->data);
  else
    fat_dia_hoje(d, sizeof d);
  rc = recurso_status(st, id, status, sizeof status, err);
  if (rc != FAT_OK)
    return rc;
  if (strcmp(status, "enviado") != 0 && strcmp(status, "protocolado") != 0 &&
      strcmp(status, "respondido") != 0)
    return fat_err_set(err, FAT_ESTATE,
                       "o recurso %lld está '%s': registre o envio antes da resposta",
                       (long long)id, status);
  rc = fat_store_prepare(st, q_items, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  while (n < sizeof it / sizeof it[0] && fat_stmt_step(s) == FAT_ROW) {
    it[n].id = fat_col_int64(s, 0);
    it[n].glosa = fat_col_int64(s, 1);
    it[n].rec = fat_col_int64(s, 2);
    it[n].has = !fat_col_is_null(s, 3);
    it[n].def = fat_col_int64(s, 3);
    total_rec += it[n].rec;
    n++;
  }
  fat_stmt_reset(s);
  if (r->item != 0) {
    for (k = 0; k < n; k++)
      if (it[k].id == r->item || it[k].glosa == r->item) {
        if (r->valor_item < 0 || r->valor_item > it[k].rec)
          return fat_err_set(err, FAT_EINVAL, "valor recuperado do item fora de 0..recursado");
        it[k].def = r->valor_item;
        it[k].has = 1;
        found = 1;
      }
    if (!found)
      return fat_err_set(err, FAT_ENOTFOUND, "o recurso %lld não tem o item %lld", (long long)id,
                         (long long)r->item);
  } else if (strcmp(r->resultado, "deferido") == 0 && r->valor == FAT_ABSENT) {
    for (k = 0; k < n; k++) {
      it[k].def = it[k].rec;
      it[k].has = 1;
    }
  } else if (strcmp(r->resultado, "indeferido") == 0) {
    for (k = 0; k < n; k++) {
      it[k].def = 0;
      it[k].has = 1;
    }
  } else {
    if (r->valor == FAT_ABSENT)
      return fat_err_set(err, FAT_EINVAL,
                         "deferido parcial: informe --valor-recuperado (ou por item com --item)");
    if (r->valor < 0 || r->valor > total_rec)
      return fat_err_set(err, FAT_EINVAL, "valor recuperado maior que o recursado");
    /* spread over items in order, each up to what was appealed */
    rest = r->valor;
    for (k = 0; k < n; k++) {
      it[k].def = rest < it[k].rec ? rest : it[k].rec;
      it[k].has = 1;
      rest -= it[k].def;
    }
  }
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  for (k = 0; k < n; k++) {
    const char *sit;

    if (!it[k].has)
      continue;
    recovered += it[k].def;
    rc = fat_store_prepare(st, upd_item, &s, err);
    if (rc != FAT_OK)
      goto fail;
    fat_bind_int(s, 1, it[k].id);
    fat_bind_int(s, 2, it[k].def);
    rc = fat_store_step_done(st, s, "não foi possível gravar a resposta", err);
    if (rc != FAT_OK)
      goto fail;
    sit = it[k].def >= it[k].rec ? "recuperada" : it[k].def > 0 ? "recuperada_parcial" : "perdida";
    rc = fat_store_prepare(st, upd_glosa, &s, err);
    if (rc != FAT_OK)
      goto fail;
    fat_bind_int(s, 1, it[k].glosa);
    fat_bind_int(s, 2, it[k].def);
    fat_bind_text(s, 3, sit);
    rc = fat_store_step_done(st, s, "não foi possível atualizar a glosa", err);
    if (rc != FAT_OK)
      goto fail;
  }
  parcial = recovered > 0 && recovered < total_rec;
  rc = fat_store_prepare(st, upd_rec, &s, err);
  if (rc != FAT_OK)
    goto fail;
  fat_bind_int(s, 1, id);
  fat_bind_text(s, 2, r->item != 0 ? (recovered == 0 ? "indeferido" : parcial ? "deferido_parcial"
                                                                             : "deferido")
                                   : r->resultado);
  fat_bind_text(s, 3, d);
  fat_bind_int(s, 4, recovered);
  rc = fat_store_step_done(st, s, "não foi possível gravar a resposta", err);
  if (rc != FAT_OK)
    goto fail;
  snprintf(obj, sizeof obj, "recurso:%lld", (long long)id);
  snprintf(det, sizeof det, "%s, recuperado %lld centavos", r->resultado, (long long)recovered);
  rc = fat_store_audit(st, "recurso.resposta", obj, det, err);
  if (rc != FAT_OK)
    goto fail;
  return fat_store_commit(st, err);
fail:
  fat_store_rollback(st);
  return rc;
}

fat_rc fat_recurso_listar(fat_store *st, int64_t id, const char *hoje, cJSON **out, fat_err *err)
{
  static const char q[] =
      "SELECT r.id, r.numero, o.nome, o.registro_ans, r.status, r.resultado, r.prazo,"
      " r.valor_recursado, r.valor_recuperado, r.criado_em, r.protocolo,"
      " (SELECT count(*) FROM recurso_item ri WHERE ri.recurso_id = r.id)"
      " FROM recurso r JOIN operadora o ON o.id = r.operadora_id"
      " WHERE ?1 = 0 OR r.id = ?1 ORDER BY r.id";
  static const char qi[] =
      "SELECT ri.id, ri.glosa_id, g.numero_prestador, COALESCE(i.sequencial, 0), gl.codigo,"
      " ri.valor_recursado, ri.valor_deferido, ri.justificativa FROM recurso_item ri"
      " JOIN glosa gl ON gl.id = ri.glosa_id JOIN guia g ON g.id = gl.guia_id"
      " LEFT JOIN item i ON i.id = gl.item_id WHERE ri.recurso_id = ?1 ORDER BY ri.id";
  fat_stmt *s, *si;
  cJSON *arr, *o, *items, *x;
  char h[16];
  int32_t dh, dp;
  fat_rc rc;
  int64_t rid;

  *out = NULL;
  if (hoje != NULL)
    snprintf(h, sizeof h, "%s", hoje);
  else
    fat_dia_hoje(h, sizeof h);
  if (fat_dia_parse(h, &dh) != 0)
    return fat_err_set(err, FAT_EINVAL, "data '%s' inválida", h);
  arr = cJSON_CreateArray();
  if (arr == NULL)
    return fat_err_set(err, FAT_ENOMEM, "memória insuficiente");
  rc = fat_store_prepare(st, q, &s, err);
  if (rc != FAT_OK) {
    cJSON_Delete(arr);
    return rc;
  }
  fat_bind_int(s, 1, id);
  while (fat_stmt_step(s) == FAT_ROW) {
    const char *status = fat_col_text(s, 4);
    const char *prazo = fat_col_text(s, 6);
    int pendente = strcmp(status, "rascunho") == 0;

    o = cJSON_CreateObject();
    if (o == NULL)
      break;
    cJSON_AddItemToArray(arr, o);
    rid = fat_col_int64(s, 0);
    cJSON_AddNumberToObject(o, "id", (double)rid);
    cJSON_AddNumberToObject(o, "numero", (double)fat_col_int64(s, 1));
    cJSON_AddStringToObject(o, "operadora", fat_col_text(s, 2));
    cJSON_AddStringToObject(o, "registro_ans", fat_col_text(s, 3));
    cJSON_AddStringToObject(o, "status", status);
    if (!fat_col_is_null(s, 5))
      cJSON_AddStringToObject(o, "resultado", fat_col_text(s, 5));
    if (prazo != NULL && fat_dia_parse(prazo, &dp) == 0) {
      cJSON_AddStringToObject(o, "prazo", prazo);
      cJSON_AddNumberToObject(o, "dias_para_prazo", dp - dh);
      cJSON_AddBoolToObject(o, "atrasado", pendente && dp < dh);
    } else {
      cJSON_AddNullToObject(o, "prazo");
      cJSON_AddBoolToObject(o, "atrasado", 0);
    }
    cJSON_AddNumberToObject(o, "valor_recursado", (double)fat_col_int64(s, 7));
    cJSON_AddNumberToObject(o, "valor_recuperado", (double)fat_col_int64(s, 8));
    cJSON_AddStringToObject(o, "criado_em", fat_col_text(s, 9));
    if (!fat_col_is_null(s, 10))
      cJSON_AddStringToObject(o, "protocolo", fat_col_text(s, 10));
    cJSON_AddNumberToObject(o, "qtd_itens", fat_col_int(s, 11));
    if (id == 0)
      continue;
    items = cJSON_AddArrayToObject(o, "itens");
    /* a second statement: the outer one stays valid (different SQL text) */
    rc = fat_store_prepare(st, qi, &si, err);
    if (rc != FAT_OK)
      break;
    fat_bind_int(si, 1, rid);
    while (items != NULL && fat_stmt_step(si) == FAT_ROW) {
      x = cJSON_CreateObject();
      if (x == NULL)
        break;
      cJSON_AddNumberToObject(x, "id", (double)fat_col_int64(si, 0));
      cJSON_AddNumberToObject(x, "glosa_id", (double)fat_col_int64(si, 1));
      cJSON_AddStringToObject(x, "guia", fat_col_text(si, 2));
      cJSON_AddNumberToObject(x, "item", fat_col_int(si, 3));
      cJSON_AddStringToObject(x, "codigo", fat_col_text(si, 4));
      cJSON_AddNumberToObject(x, "valor_recursado", (double)fat_col_int64(si, 5));
      if (!fat_col_is_null(si, 6))
        cJSON_AddNumberToObject(x, "valor_deferido", (double)fat_col_int64(si, 6));
      cJSON_AddStringToObject(x, "justificativa", fat_col_text(si, 7));
      cJSON_AddItemToArray(items, x);
    }
    fat_stmt_reset(si);
  }
  fat_stmt_reset(s);
  if (rc != FAT_OK) {
    cJSON_Delete(arr);
    return rc;
  }
  *out = arr;
  return FAT_OK;
}
