/* fat_recurso.c: recursos de glosa: draft, edit, TISS XML, report, states. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fat_csv.h"
#include "fat_dia.h"
#include "fat_glosa.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_money.h"
#include "fat_recurso.h"
#include "fat_store_int.h"
#include "fat_tiss_validate.h"
#include "fat_tiss_write.h"
#include "fat_rotulo.h"

#define JUST_MAX 500 /* st_texto500 */

/* Everything a justification may mention about one glosa. */
typedef struct gvars {
  int64_t glosa_id, guia_id, item_id, valor, operadora_id, lote_id;
  char situacao[24], classificacao[24];
  char codigo[8], numero_guia[32], senha[32], data_aut[16], validade[16], cid[16];
  char data[16], procedimento[24], carteira[32], script[64], prazo[16];
  char beneficiario[128], hora[16], data_solicitacao[16];
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
      " gl.prazo_recurso, COALESCE(gl.descricao, m.descricao, ''), COALESCE(gl.evidencia, ''),"
      " COALESCE(i.sequencial, 0), COALESCE(g.beneficiario_nome, b.nome),"
      " COALESCE(i.hora_inicio, g.hora_inicio), g.data_solicitacao"
      " FROM glosa gl JOIN guia g ON g.id = gl.guia_id JOIN operadora o ON o.id = g.operadora_id"
      " LEFT JOIN item i ON i.id = gl.item_id LEFT JOIN beneficiario b ON b.id = g.beneficiario_id"
      " LEFT JOIN glosa_motivo m ON m.codigo = gl.codigo WHERE gl.id = ?1";
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
  col(v->beneficiario, sizeof v->beneficiario, s, 22);
  col(v->hora, sizeof v->hora, s, 23);
  col(v->data_solicitacao, sizeof v->data_solicitacao, s, 24);
  fat_stmt_reset(s);
  return FAT_OK;
}

/* AAAA-MM-DD as DD/MM/AAAA into tmp (other text as it is). */
static const char *data_br(const char *iso, char *tmp, size_t len)
{
  snprintf(tmp, len, "%s", fat_dia_br_ou(iso, "").s);
  return tmp;
}

/* The value of marker k for glosa v ("" when the data has none), or NULL
** when k is not a marker faturo knows. */
static const char *var_of(const gvars *v, const char *k, char *tmp, size_t len)
{
  if (strcmp(k, "numero_guia") == 0)
    return v->numero_guia;
  if (strcmp(k, "senha") == 0)
    return v->senha;
  if (strcmp(k, "data_autorizacao") == 0)
    return data_br(v->data_aut, tmp, len);
  if (strcmp(k, "validade_senha") == 0)
    return data_br(v->validade, tmp, len);
  if (strcmp(k, "data_solicitacao") == 0)
    return data_br(v->data_solicitacao, tmp, len);
  if (strcmp(k, "cid") == 0)
    return v->cid;
  if (strcmp(k, "data") == 0)
    return data_br(v->data, tmp, len);
  if (strcmp(k, "hora") == 0)
    return v->hora;
  if (strcmp(k, "procedimento") == 0)
    return v->procedimento;
  if (strcmp(k, "carteira") == 0)
    return v->carteira;
  if (strcmp(k, "beneficiario") == 0)
    return v->beneficiario;
  if (strcmp(k, "codigo") == 0 || strcmp(k, "glosa") == 0)
    return v->codigo;
  if (strcmp(k, "descricao_glosa") == 0)
    return v->descricao;
  if (strcmp(k, "evidencia") == 0)
    return v->evidencia;
  if (strcmp(k, "item") == 0) {
    if (v->item <= 0)
      return "";
    snprintf(tmp, len, "%d", v->item);
    return tmp;
  }
  if (strcmp(k, "valor") == 0) {
    fat_money_format_br(v->valor, tmp, len);
    return tmp;
  }
  return NULL;
}

/* Length of a marker "{name}" at p (name: a-z, 0-9, _), 0 when p has none. */
static size_t marker_at(const char *p)
{
  size_t n = 1;

  if (*p != '{')
    return 0;
  while ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= '0' && p[n] <= '9') || p[n] == '_')
    n++;
  return n > 1 && p[n] == '}' ? n + 1 : 0;
}

/* The first marker left in text, copied into name (with its braces); 0 when
** none. */
static int first_marker(const char *text, char *name, size_t len)
{
  const char *p;
  size_t n;

  for (p = text; *p != '\0'; p++) {
    n = marker_at(p);
    if (n > 0) {
      snprintf(name, len, "%.*s", (int)n, p);
      return 1;
    }
  }
  return 0;
}

/* Fill the markers of tpl[0..n) into out; *all = 1 when every marker had a
** value. An unknown or empty marker is copied as it is. */
static fat_rc fill_span(const char *tpl, size_t n, const gvars *v, fat_buf *out, int *all,
                        fat_err *err)
{
  char key[40], tmp[48];
  const char *val;
  size_t i = 0, m;
  fat_rc rc = FAT_OK;

  *all = 1;
  while (rc == FAT_OK && i < n) {
    m = marker_at(tpl + i);
    if (m > 0 && m - 2 < sizeof key && i + m <= n) {
      memcpy(key, tpl + i + 1, m - 2);
      key[m - 2] = '\0';
      val = var_of(v, key, tmp, sizeof tmp);
      if (val != NULL && val[0] != '\0') {
        rc = fat_buf_puts(out, val, err);
        i += m;
        continue;
      }
      *all = 0;
    }
    rc = fat_buf_append(out, tpl + i, 1, err);
    i++;
  }
  return rc;
}

/* Fill the {markers} of a template from the glosa's data into out (at most
** JUST_MAX bytes, cut on a UTF-8 boundary). A part in [brackets] that holds a
** marker is dropped, brackets and all, when any of its markers has no value
** (brackets without a marker are text); a marker outside brackets without a
** value stays as "{name}", so the justification is seen as unfinished
** (first_marker) and is never written to the operadora. FAT_ENOMEM only. */
static fat_rc fill(const char *tpl, const gvars *v, char *out, size_t len, fat_err *err)
{
  fat_buf b, part;
  const char *p = tpl, *close, *next;
  size_t o;
  int all;
  fat_rc rc = FAT_OK;

  fat_buf_init(&b, 16 * 1024);
  fat_buf_init(&part, 16 * 1024);
  while (rc == FAT_OK && *p != '\0') {
    close = *p == '[' ? strchr(p, ']') : NULL;
    if (close != NULL && memchr(p, '{', (size_t)(close - p)) != NULL) {
      fat_buf_reset(&part);
      rc = fill_span(p + 1, (size_t)(close - p - 1), v, &part, &all, err);
      if (rc == FAT_OK && all && part.len > 0)
        rc = fat_buf_append(&b, part.data, part.len, err);
      p = close + 1;
      continue;
    }
    next = strchr(p + 1, '[');
    if (next == NULL)
      next = p + strlen(p);
    rc = fill_span(p, (size_t)(next - p), v, &b, &all, err);
    p = next;
  }
  if (rc == FAT_OK) {
    o = b.len < len ? b.len : len - 1;
    if (o > JUST_MAX)
      o = JUST_MAX;
    while (o > 0 && o < b.len && ((unsigned char)b.data[o] & 0xC0) == 0x80)
      o--;
    if (o > 0)
      memcpy(out, b.data, o);
    out[o] = '\0';
  }
  fat_buf_fini(&b);
  fat_buf_fini(&part);
  return rc;
}

/* Generic justifications (no template in the contract): everything that
** depends on data the guia may lack is in [brackets]. */
static const char *generic_template(const char *grupo, const char *classificacao)
{
  if (strcmp(classificacao, "indevida") == 0)
    return "Solicitamos a revisão da glosa {codigo}[ ({descricao_glosa})] na guia {numero_guia}"
           "[, item {item}][ ({procedimento})], no valor de {valor}[: {evidencia}]. "
           "Documentação comprobatória anexa.";
  if (strcmp(grupo, "autorizacao") == 0)
    return "O atendimento da guia {numero_guia}[ em {data}] foi autorizado[ sob a senha {senha}]"
           "[ (autorizada em {data_autorizacao}][, válida até {validade_senha})]; solicitamos a "
           "revisão da glosa {codigo} no valor de {valor}.";
  if (strcmp(grupo, "cadastro") == 0)
    return "O beneficiário da guia {numero_guia}[ (carteira {carteira})] estava ativo e elegível"
           "[ em {data}]; solicitamos a revisão da glosa {codigo} no valor de {valor}.";
  if (strcmp(grupo, "documentacao") == 0)
    return "Reenviamos a documentação da guia {numero_guia} que motivou a glosa {codigo}"
           "[ ({descricao_glosa})]; solicitamos a revisão do valor de {valor}.";
  if (strcmp(grupo, "cobranca") == 0)
    return "O[ item {item}][ ({procedimento})] da guia {numero_guia} foi cobrado pelo valor "
           "contratado; solicitamos a revisão da glosa {codigo} no valor de {valor}.";
  return "Solicitamos a revisão da glosa {codigo}[ ({descricao_glosa})] na guia {numero_guia}"
         "[, atendimento de {data}], no valor de {valor}, conforme documentação anexa.";
}

/* Justification from the contract template for the code, else generic. */
static fat_rc draft(fat_store *st, fat_gen *gen, const gvars *v, char *out, size_t len,
                    fat_err *err)
{
  const char *tpl = NULL;

  if (gen != NULL && v->script[0] != '\0')
    tpl = fat_contrato_modelo_recurso(fat_gen_contrato(gen, v->script), v->codigo);
  if (tpl == NULL)
    tpl = generic_template(fat_glosa_grupo(st, v->codigo), v->classificacao);
  return fill(tpl, v, out, len, err);
}

/* The contract's deadline to appeal (recurso.prazo_dias), 0 when none. */
static int recurso_prazo(fat_gen *gen, const char *script)
{
  const fat_contrato *c = gen != NULL && script[0] != '\0' ? fat_gen_contrato(gen, script) : NULL;

  return c != NULL ? c->recurso.prazo_dias : 0;
}

void fat_recurso_criados_fini(fat_recurso_criados *r)
{
  if (r == NULL)
    return;
  fat_free(r->ids);
  r->ids = NULL;
  r->n = 0;
}

/* The glosas to appeal: ids[0..n) or, when n == 0, the open ones of guia_id
** not classified devida. *out (fat_free) gets their data. */
static fat_rc load_glosas(fat_store *st, const int64_t *glosas, size_t n, int64_t guia_id,
                          gvars **out, size_t *m, fat_err *err)
{
  static const char q_guia[] =
      "SELECT id FROM glosa WHERE guia_id = ?1 AND situacao = 'aberta'"
      " AND classificacao <> 'devida' ORDER BY id";
  fat_stmt *s;
  int64_t *ids = NULL, *a;
  gvars *v = NULL;
  size_t k, cnt = 0;
  fat_rc rc = FAT_OK;

  *out = NULL;
  *m = 0;
  if (n > 0) {
    ids = fat_calloc(n, sizeof *ids);
    if (ids == NULL)
      return fat_err_oom(err);
    memcpy(ids, glosas, n * sizeof *ids);
    cnt = n;
  } else {
    rc = fat_store_prepare(st, q_guia, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, guia_id);
    while (rc == FAT_OK && fat_stmt_step(s) == FAT_ROW) {
      a = fat_realloc(ids, (cnt + 1) * sizeof *a);
      if (a == NULL) {
        rc = fat_err_oom(err);
        break;
      }
      ids = a;
      ids[cnt++] = fat_col_int64(s, 0);
    }
    fat_stmt_reset(s);
    if (rc == FAT_OK && cnt == 0)
      rc = fat_err_set(err, FAT_ENOTFOUND,
                       "a guia não tem glosas abertas para recorrer (as devidas ficam de fora)");
    if (rc != FAT_OK)
      goto out;
  }
  v = fat_calloc(cnt, sizeof *v);
  if (v == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  for (k = 0; k < cnt; k++) {
    rc = load_glosa(st, ids[k], &v[k], err);
    if (rc != FAT_OK)
      goto out;
    if (strcmp(v[k].situacao, "aberta") != 0) {
      rc = fat_err_set(err, FAT_ESTATE, "a glosa %lld está '%s', não aberta", (long long)ids[k],
                       v[k].situacao);
      goto out;
    }
    if (k > 0 && v[k].operadora_id != v[0].operadora_id) {
      rc = fat_err_set(err, FAT_EINVAL,
                       "as glosas são de operadoras diferentes: um recurso por operadora");
      goto out;
    }
    if (v[k].lote_id == 0) {
      rc = fat_err_set(err, FAT_ESTATE,
                       "a glosa %lld (guia %s) não é de um lote enviado: um recurso de glosa "
                       "responde ao protocolo de um lote",
                       (long long)v[k].glosa_id, v[k].numero_guia);
      goto out;
    }
  }
  *out = v;
  *m = cnt;
  v = NULL;
out:
  fat_free(ids);
  fat_free(v);
  return rc;
}

/* Create one rascunho for the glosas v[0..n) (all of one lote). */
static fat_rc create_one(fat_store *st, fat_gen *gen, const gvars *v, size_t n, int64_t *id,
                         fat_err *err)
{
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
      "SELECT min(COALESCE(data_demonstrativo, dia_local(criado_em))) FROM glosa"
      " WHERE id = ?1";
  fat_stmt *s;
  int64_t numero = 1, total = 0, rid;
  char prazo[16] = "", base[16] = "", just[JUST_MAX + 64], obj[32], det[128];
  size_t k;
  int32_t d;
  int dias;
  fat_rc rc;

  for (k = 0; k < n; k++) {
    total += v[k].valor;
    if (v[k].prazo[0] != '\0' && (prazo[0] == '\0' || strcmp(v[k].prazo, prazo) < 0))
      snprintf(prazo, sizeof prazo, "%s", v[k].prazo);
  }
  rc = fat_store_prepare(st, q_base, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, v[0].glosa_id);
  if (fat_stmt_step(s) == FAT_ROW)
    col(base, sizeof base, s, 0);
  fat_stmt_reset(s);
  if (prazo[0] == '\0' && base[0] != '\0') {
    dias = recurso_prazo(gen, v[0].script);
    if (dias > 0 && fat_dia_parse(base, &d) == 0)
      fat_dia_format(d + dias, prazo, sizeof prazo);
  }
  rc = fat_store_prepare(st, q_num, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, v[0].operadora_id);
  if (fat_stmt_step(s) == FAT_ROW)
    numero = fat_col_int64(s, 0);
  fat_stmt_reset(s);
  rc = fat_store_prepare(st, ins, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, v[0].operadora_id);
  fat_bind_int(s, 2, v[0].lote_id);
  fat_bind_int(s, 3, numero);
  fat_bind_text(s, 4, prazo[0] != '\0' ? prazo : NULL);
  fat_bind_text(s, 5, base[0] != '\0' ? base : NULL);
  fat_bind_int(s, 6, total);
  rc = fat_store_step_done(st, s, "não foi possível criar o recurso", err);
  if (rc != FAT_OK)
    return rc;
  rid = fat_store_last_id(st);
  for (k = 0; k < n; k++) {
    rc = draft(st, gen, &v[k], just, sizeof just, err);
    if (rc != FAT_OK)
      return rc;
    rc = fat_store_prepare(st, ins_i, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, rid);
    fat_bind_int(s, 2, v[k].glosa_id);
    fat_bind_int(s, 3, v[k].valor);
    fat_bind_text(s, 4, just);
    rc = fat_store_step_done(st, s, "não foi possível gravar o item do recurso", err);
    if (rc != FAT_OK)
      return rc;
    rc = fat_store_prepare(st, upd_g, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, v[k].glosa_id);
    rc = fat_store_step_done(st, s, "não foi possível atualizar a glosa", err);
    if (rc != FAT_OK)
      return rc;
  }
  snprintf(obj, sizeof obj, "recurso:%lld", (long long)rid);
  snprintf(det, sizeof det, "%zu glosas, número %lld", n, (long long)numero);
  rc = fat_store_audit(st, "recurso.criar", obj, det, err);
  if (rc == FAT_OK)
    *id = rid;
  return rc;
}

static int cmp_lote(const void *a, const void *b)
{
  const gvars *x = a, *y = b;

  if (x->lote_id != y->lote_id)
    return x->lote_id < y->lote_id ? -1 : 1;
  return (x->glosa_id > y->glosa_id) - (x->glosa_id < y->glosa_id);
}

fat_rc fat_recurso_criar(fat_store *st, fat_gen *gen, const int64_t *glosas, size_t n,
                         int64_t guia_id, fat_recurso_criados *out, fat_err *err)
{
  gvars *v = NULL;
  size_t m = 0, i, j;
  int64_t *ids = NULL;
  fat_rc rc;

  memset(out, 0, sizeof *out);
  rc = load_glosas(st, glosas, n, guia_id, &v, &m, err);
  if (rc != FAT_OK)
    return rc;
  /* a RECURSO_GLOSA answers one protocolo: one recurso per lote */
  qsort(v, m, sizeof *v, cmp_lote);
  ids = fat_calloc(m, sizeof *ids);
  if (ids == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    goto out;
  for (i = 0; rc == FAT_OK && i < m; i = j) {
    for (j = i; j < m && v[j].lote_id == v[i].lote_id; j++)
      ;
    rc = create_one(st, gen, &v[i], j - i, &ids[out->n], err);
    if (rc == FAT_OK)
      out->n++;
  }
  if (rc == FAT_OK)
    rc = fat_store_commit(st, err);
  else
    fat_store_rollback(st);
  if (rc == FAT_OK) {
    out->ids = ids;
    ids = NULL;
  } else {
    out->n = 0;
  }
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
  char status[24], now[24], obj[32], mk[48];
  fat_rc rc;
  size_t n = just != NULL ? strlen(just) : 0;

  if (n == 0 || n > JUST_MAX)
    return fat_err_set(err, FAT_EINVAL, "a justificativa deve ter de 1 a %d caracteres", JUST_MAX);
  if (first_marker(just, mk, sizeof mk))
    return fat_err_set(err, FAT_EINVAL,
                       "a justificativa tem o marcador %s sem valor: escreva o texto que vai "
                       "para a operadora",
                       mk);
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
  int n_lotes;              /* distinct lotes of its glosas (1 since one recurso per lote) */
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
      " COALESCE(l.protocolo, ''),"
      " (SELECT count(DISTINCT COALESCE(gl2.lote_id, g2.lote_id)) FROM recurso_item ri2"
      "  JOIN glosa gl2 ON gl2.id = ri2.glosa_id JOIN guia g2 ON g2.id = gl2.guia_id"
      "  WHERE ri2.recurso_id = ri.recurso_id)"
      " FROM recurso_item ri JOIN glosa gl ON gl.id = ri.glosa_id JOIN guia g ON g.id = gl.guia_id"
      " JOIN prestador p ON p.id = g.prestador_id"
      " LEFT JOIN lote l ON l.id = COALESCE(gl.lote_id, g.lote_id)"
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
    h->n_lotes = fat_col_int(s, 5);
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
      return fat_err_oom(err);
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

/* Refuse to write what is not ready: a justification with a {marker}, a
** recurso over several lotes (made before one recurso per lote), a lote
** without protocolo. what: "escrever o XML", "gerar o relatório", ... */
static fat_rc ready_to_write(const rhead *h, const ritem *it, size_t n, int need_protocolo,
                             fat_err *err)
{
  char mk[48], item[32];
  size_t i;

  for (i = 0; i < n; i++) {
    if (!first_marker(it[i].just, mk, sizeof mk))
      continue;
    if (it[i].seq > 0)
      snprintf(item, sizeof item, ", item %d", it[i].seq);
    else
      item[0] = '\0';
    return fat_err_set(err, FAT_EINVAL,
                       "a glosa %lld (guia %s%s, código %s) precisa de justificativa: o texto "
                       "ainda tem %s, que os dados da guia não preenchem; escreva-a com faturo "
                       "recurso editar %lld --item %lld --justificativa \"...\"",
                       (long long)it[i].glosa_id, it[i].guia, item, it[i].codigo, mk,
                       (long long)h->id, (long long)it[i].id);
  }
  if (h->n_lotes > 1)
    return fat_err_set(err, FAT_ESTATE,
                       "o recurso %lld reúne glosas de %d lotes, mas um recurso de glosa responde "
                       "a um protocolo: crie-o de novo (faturo recurso criar separa por lote)",
                       (long long)h->id, h->n_lotes);
  if (need_protocolo && h->protocolo[0] == '\0')
    return fat_err_set(err, FAT_ESTATE,
                       "o lote %s não tem protocolo registrado, e o recurso de glosa o informa: "
                       "registre-o com faturo lote protocolo ID NUMERO --data AAAA-MM-DD",
                       h->lote[0] != '\0' ? h->lote : "?");
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
  rc = ready_to_write(&h, it, n, 1, err);
  if (rc != FAT_OK)
    goto out;
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
  fat_tiss_w_leaf(w, "numeroLote", h.lote, 12);
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

const char *fat_recurso_situacao_rotulo(const char *k)
{
  return fat_rotulo_ou("recurso", k);
}

fat_rc fat_recurso_relatorio(fat_store *st, int64_t id, const char *formato, char **out,
                             size_t *len, fat_err *err)
{
  rhead h;
  ritem *it = NULL;
  size_t n = 0, i;
  fat_buf b;
  fat_rc rc;
  char v1[32], v2[32], v3[32], seq[16], dt[32];
  int csv = formato != NULL && strcmp(formato, "csv") == 0;
  int64_t tg = 0, tr = 0;

  *out = NULL;
  *len = 0;
  if (formato != NULL && !csv && strcmp(formato, "html") != 0)
    return fat_err_set(err, FAT_EINVAL, "formato '%s' desconhecido (html ou csv)", formato);
  rc = load_recurso(st, id, &h, &it, &n, err);
  if (rc != FAT_OK)
    return rc;
  rc = ready_to_write(&h, it, n, 0, err);
  if (rc != FAT_OK) {
    fat_free(it);
    return rc;
  }
  fat_buf_init(&b, (size_t)16 * 1024 * 1024);
  if (csv) {
    /* the one CSV writer (fat_csv): UTF-8 with BOM, ';', decimal comma; dates DD/MM/AAAA */
    fat_csv w;

    rc = fat_csv_begin(&w, &b, err);
    if (rc == FAT_OK)
      rc = fat_csv_row(&w, err, "Recurso", "Operadora", "Guia", "Item", "Procedimento", "Data",
                       "Código da glosa", "Descrição da glosa", "Valor glosado",
                       "Valor recursado", "Valor deferido", "Justificativa", (const char *)NULL);
    for (i = 0; rc == FAT_OK && i < n; i++) {
      snprintf(seq, sizeof seq, "%d", it[i].seq);
      rc = fat_csv_int(&w, h.numero, err);
      if (rc == FAT_OK) rc = fat_csv_text(&w, h.nome, err);
      if (rc == FAT_OK) rc = fat_csv_text(&w, it[i].guia, err);
      if (rc == FAT_OK) rc = fat_csv_text(&w, it[i].seq > 0 ? seq : "guia", err);
      if (rc == FAT_OK) rc = fat_csv_text(&w, it[i].proc, err);
      if (rc == FAT_OK) rc = fat_csv_text(&w, data_br(it[i].data, dt, sizeof dt), err);
      if (rc == FAT_OK) rc = fat_csv_text(&w, it[i].codigo, err);
      if (rc == FAT_OK) rc = fat_csv_text(&w, it[i].glosa_desc, err);
      if (rc == FAT_OK) rc = fat_csv_money(&w, it[i].glosado, err);
      if (rc == FAT_OK) rc = fat_csv_money(&w, it[i].valor, err);
      if (rc == FAT_OK)
        rc = it[i].has_deferido ? fat_csv_money(&w, it[i].deferido, err)
                                : fat_csv_text(&w, NULL, err);
      if (rc == FAT_OK) rc = fat_csv_text(&w, it[i].just, err);
      if (rc == FAT_OK) rc = fat_csv_end_row(&w, err);
    }
  } else {
    rc = fat_buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"pt-BR\"><head><meta charset=\"utf-8\">"
                          "<title>Recurso de glosa</title><style>body{font-family:sans-serif;"
                          "font-size:11pt}table{border-collapse:collapse;width:100%}td,th{border:"
                          "1px solid #999;padding:4px;vertical-align:top}th{background:#eee}"
                          ".v{text-align:right;white-space:nowrap}</style></head><body>\n", err);
    if (rc == FAT_OK) rc = fat_buf_printf(&b, err, "<h1>Recurso de glosa nº %lld</h1>\n<p>Operadora: ",
                                          (long long)h.numero);
    if (rc == FAT_OK) rc = fat_buf_html(&b, h.nome, err);
    if (rc == FAT_OK) rc = fat_buf_printf(&b, err, " (ANS %s) &middot; Lote: ", h.ans);
    if (rc == FAT_OK) rc = fat_buf_html(&b, h.lote[0] ? h.lote : "-", err);
    if (rc == FAT_OK) rc = fat_buf_puts(&b, " &middot; Protocolo: ", err);
    if (rc == FAT_OK) rc = fat_buf_html(&b, h.protocolo[0] ? h.protocolo : "-", err);
    if (rc == FAT_OK) rc = fat_buf_printf(&b, err, " &middot; Situação: %s%s%s &middot; Prazo: %s</p>\n",
                                          fat_recurso_situacao_rotulo(h.status),
                                          h.resultado[0] ? " / " : "",
                                          fat_recurso_situacao_rotulo(h.resultado),
                                          h.prazo[0] ? data_br(h.prazo, dt, sizeof dt) : "-");
    if (rc == FAT_OK) rc = fat_buf_puts(&b, "<table><tr><th>Guia</th><th>Item</th><th>Procedimento</th>"
                                            "<th>Data</th><th>Glosa</th><th>Valor glosado</th>"
                                            "<th>Valor recursado</th><th>Justificativa</th></tr>\n", err);
    for (i = 0; rc == FAT_OK && i < n; i++) {
      fat_money_format_br(it[i].glosado, v1, sizeof v1);
      fat_money_format_br(it[i].valor, v2, sizeof v2);
      tg += it[i].glosado;
      tr += it[i].valor;
      rc = fat_buf_puts(&b, "<tr><td>", err);
      if (rc == FAT_OK) rc = fat_buf_html(&b, it[i].guia, err);
      if (rc == FAT_OK && it[i].seq > 0) rc = fat_buf_printf(&b, err, "</td><td>%d</td><td>", it[i].seq);
      if (rc == FAT_OK && it[i].seq == 0) rc = fat_buf_puts(&b, "</td><td>guia</td><td>", err);
      if (rc == FAT_OK) rc = fat_buf_html(&b, it[i].proc, err);
      if (rc == FAT_OK) rc = fat_buf_puts(&b, " ", err);
      if (rc == FAT_OK) rc = fat_buf_html(&b, it[i].descr, err);
      if (rc == FAT_OK) rc = fat_buf_puts(&b, "</td><td>", err);
      if (rc == FAT_OK) rc = fat_buf_html(&b, data_br(it[i].data, dt, sizeof dt), err);
      if (rc == FAT_OK) rc = fat_buf_printf(&b, err, "</td><td>%s ", it[i].codigo);
      if (rc == FAT_OK) rc = fat_buf_html(&b, it[i].glosa_desc, err);
      if (rc == FAT_OK) rc = fat_buf_printf(&b, err, "</td><td class=\"v\">%s</td><td class=\"v\">%s</td><td>",
                                            v1, v2);
      if (rc == FAT_OK) rc = fat_buf_html(&b, it[i].just, err);
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

  if (data != NULL && !fat_dia_valida(data))
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
  rhead h;
  ritem *it = NULL;
  size_t n = 0;
  fat_rc rc;

  rc = load_recurso(st, id, &h, &it, &n, err);
  if (rc == FAT_OK)
    rc = ready_to_write(&h, it, n, 0, err);
  fat_free(it);
  if (rc != FAT_OK)
    return rc;
  return transition(st, id, "rascunho", "enviado", NULL, data, err);
}

fat_rc fat_recurso_protocolo(fat_store *st, int64_t id, const char *numero, const char *data,
                             fat_err *err)
{
  if (numero == NULL || numero[0] == '\0')
    return fat_err_set(err, FAT_EINVAL, "informe o número do protocolo");
  return transition(st, id, "enviado", "protocolado", numero, data, err);
}

/* One item of a recurso being answered. */
typedef struct resp_item {
  int64_t id, glosa, rec, def;
  int has;                  /* has (or gets) its answer */
  int novo;                 /* answered now */
} resp_item;

static fat_rc load_resp_items(fat_store *st, int64_t id, resp_item **out, size_t *n,
                              fat_err *err)
{
  static const char q_items[] =
      "SELECT ri.id, ri.glosa_id, ri.valor_recursado, ri.valor_deferido FROM recurso_item ri"
      " WHERE ri.recurso_id = ?1 ORDER BY ri.id";
  fat_stmt *s;
  resp_item *v = NULL, *a;
  size_t cnt = 0;
  fat_rc rc;

  *out = NULL;
  *n = 0;
  rc = fat_store_prepare(st, q_items, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  while (rc == FAT_OK && fat_stmt_step(s) == FAT_ROW) {
    a = fat_realloc(v, (cnt + 1) * sizeof *a);
    if (a == NULL) {
      rc = fat_err_oom(err);
      break;
    }
    v = a;
    memset(&v[cnt], 0, sizeof v[cnt]);
    v[cnt].id = fat_col_int64(s, 0);
    v[cnt].glosa = fat_col_int64(s, 1);
    v[cnt].rec = fat_col_int64(s, 2);
    v[cnt].has = !fat_col_is_null(s, 3);
    v[cnt].def = fat_col_int64(s, 3);
    cnt++;
  }
  fat_stmt_reset(s);
  if (rc != FAT_OK) {
    fat_free(v);
    return rc;
  }
  *out = v;
  *n = cnt;
  return FAT_OK;
}

/* Apply the answer r to the items (in memory). */
static fat_rc apply_answer(int64_t id, const fat_recurso_resposta *r, resp_item *it, size_t n,
                           fat_err *err)
{
  int64_t total_rec = 0, rest;
  size_t k;
  int found = 0;

  for (k = 0; k < n; k++)
    total_rec += it[k].rec;
  if (r->item != 0) {
    for (k = 0; k < n; k++) {
      if (it[k].id != r->item && it[k].glosa != r->item)
        continue;
      if (r->valor_item < 0 || r->valor_item > it[k].rec)
        return fat_err_set(err, FAT_EINVAL, "valor recuperado do item fora de 0..recursado");
      it[k].def = r->valor_item;
      it[k].has = it[k].novo = 1;
      found = 1;
    }
    if (!found)
      return fat_err_set(err, FAT_ENOTFOUND, "o recurso %lld não tem o item %lld",
                         (long long)id, (long long)r->item);
    return FAT_OK;
  }
  if (strcmp(r->resultado, "deferido_parcial") == 0 && r->valor == FAT_ABSENT)
    return fat_err_set(err, FAT_EINVAL,
                       "deferido parcial: informe --valor-recuperado (ou por item com --item)");
  if (r->valor != FAT_ABSENT && (r->valor < 0 || r->valor > total_rec))
    return fat_err_set(err, FAT_EINVAL, "valor recuperado maior que o recursado");
  /* the whole recurso: every item, the value spread in order up to what each
  ** appealed */
  rest = r->valor != FAT_ABSENT ? r->valor : strcmp(r->resultado, "indeferido") == 0 ? 0
                                                                                      : total_rec;
  for (k = 0; k < n; k++) {
    it[k].def = rest < it[k].rec ? rest : it[k].rec;
    it[k].has = it[k].novo = 1;
    rest -= it[k].def;
  }
  return FAT_OK;
}

fat_rc fat_recurso_responder(fat_store *st, int64_t id, const fat_recurso_resposta *r,
                             fat_err *err)
{
  static const char upd_item[] = "UPDATE recurso_item SET valor_deferido = ?2 WHERE id = ?1";
  static const char upd_glosa[] =
      "UPDATE glosa SET valor_recuperado = ?2, situacao = ?3 WHERE id = ?1";
  static const char upd_rec[] =
      "UPDATE recurso SET status = CASE WHEN ?5 THEN 'respondido' ELSE status END,"
      " resultado = ?2, respondido_em = ?3, valor_recuperado = ?4 WHERE id = ?1";
  fat_stmt *s;
  char status[24], d[16], obj[32], det[160];
  resp_item *it = NULL;
  size_t n = 0, k, answered = 0;
  int64_t total_rec = 0, recovered = 0;
  const char *resultado = NULL, *sit;
  int all;
  fat_rc rc;

  /* one item's answer is its value; a resultado given with it is still checked */
  if ((r->resultado == NULL && r->item == 0) ||
      (r->resultado != NULL && strcmp(r->resultado, "deferido") != 0 &&
       strcmp(r->resultado, "deferido_parcial") != 0 && strcmp(r->resultado, "indeferido") != 0))
    return fat_err_set(err, FAT_EINVAL,
                       "resultado deve ser deferido, deferido_parcial ou indeferido");
  if (r->data != NULL && !fat_dia_valida(r->data))
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
  rc = load_resp_items(st, id, &it, &n, err);
  if (rc == FAT_OK)
    rc = apply_answer(id, r, it, n, err);
  if (rc != FAT_OK)
    goto out;
  for (k = 0; k < n; k++) {
    total_rec += it[k].rec;
    if (it[k].has) {
      answered++;
      recovered += it[k].def;
    }
  }
  /* the recurso's state follows its items */
  all = n > 0 && answered == n;
  if (all)
    resultado = recovered == 0 ? "indeferido" : recovered >= total_rec ? "deferido"
                                                                       : "deferido_parcial";
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    goto out;
  for (k = 0; k < n; k++) {
    if (!it[k].novo)
      continue;
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
  rc = fat_store_prepare(st, upd_rec, &s, err);
  if (rc != FAT_OK)
    goto fail;
  fat_bind_int(s, 1, id);
  fat_bind_text(s, 2, resultado);
  fat_bind_text(s, 3, all ? d : NULL);
  fat_bind_int(s, 4, recovered);
  fat_bind_int(s, 5, all);
  rc = fat_store_step_done(st, s, "não foi possível gravar a resposta", err);
  if (rc != FAT_OK)
    goto fail;
  snprintf(obj, sizeof obj, "recurso:%lld", (long long)id);
  snprintf(det, sizeof det, "%s, %zu de %zu itens respondidos, recuperado %lld centavos%s",
           r->resultado != NULL ? r->resultado : "item", answered, n, (long long)recovered,
           all ? " (respondido)" : "");
  rc = fat_store_audit(st, "recurso.resposta", obj, det, err);
  if (rc != FAT_OK)
    goto fail;
  rc = fat_store_commit(st, err);
  goto out;
fail:
  fat_store_rollback(st);
out:
  fat_free(it);
  return rc;
}

fat_rc fat_recurso_listar(fat_store *st, int64_t id, const char *hoje, cJSON **out, fat_err *err)
{
  static const char q[] =
      "SELECT r.id, r.numero, o.nome, o.registro_ans, r.status, r.resultado, r.prazo,"
      " r.valor_recursado, r.valor_recuperado, r.criado_em, r.protocolo,"
      " (SELECT count(*) FROM recurso_item ri WHERE ri.recurso_id = r.id),"
      " (SELECT count(*) FROM recurso_item ri WHERE ri.recurso_id = r.id"
      "  AND ri.valor_deferido IS NOT NULL), l.numero, l.protocolo"
      " FROM recurso r JOIN operadora o ON o.id = r.operadora_id"
      " LEFT JOIN lote l ON l.id = r.lote_id"
      " WHERE ?1 = 0 OR r.id = ?1 ORDER BY r.id";
  static const char qi[] =
      "SELECT ri.id, ri.glosa_id, g.numero_prestador, COALESCE(i.sequencial, 0), gl.codigo,"
      " ri.valor_recursado, ri.valor_deferido, ri.justificativa FROM recurso_item ri"
      " JOIN glosa gl ON gl.id = ri.glosa_id JOIN guia g ON g.id = gl.guia_id"
      " LEFT JOIN item i ON i.id = gl.item_id WHERE ri.recurso_id = ?1 ORDER BY ri.id";
  fat_stmt *s, *si;
  cJSON *arr, *o, *items, *x;
  char h[16], mk[48];
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
    return fat_err_oom(err);
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
    cJSON_AddNumberToObject(o, "itens_respondidos", fat_col_int(s, 12));
    if (!fat_col_is_null(s, 13))
      cJSON_AddNumberToObject(o, "lote", (double)fat_col_int64(s, 13));
    if (!fat_col_is_null(s, 14))
      cJSON_AddStringToObject(o, "protocolo_lote", fat_col_text(s, 14));
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
      cJSON_AddBoolToObject(x, "justificativa_pendente",
                            first_marker(fat_col_text(si, 7), mk,
                                         sizeof mk));
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
