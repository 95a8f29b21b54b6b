/* fat_fatura.c: faturas, NF, receipts and the mapa (see fat_fatura.h). */
#include "fat_fatura.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fat_calendario.h"
#include "fat_dia.h"
#include "fat_fin_int.h"
#include "fat_lote.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_money.h"
#include "fat_rateio.h"
#include "fat_termos.h"
#include "fat_rotulo.h"

/* ---- faturas ---- */

typedef struct lote_info {
  int64_t id, operadora_id, valor;
  char status[16], comp[8], envio[11], prot[11];
} lote_info;

static fat_rc lote_carregar(fat_store *st, int64_t id, lote_info *l, fat_err *err)
{
  static const char sql[] =
    "SELECT operadora_id, status, COALESCE(competencia, ''), COALESCE(enviado_em, ''),"
    " COALESCE(protocolo_data, ''), COALESCE(valor_liberado, valor_informado),"
    " (SELECT fatura_id FROM fatura_lote WHERE lote_id = lote.id), numero"
    " FROM lote WHERE id = ?1";
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  if (fat_stmt_step(s) != FAT_ROW) {
    fat_stmt_reset(s);
    return fat_err_set(err, FAT_ENOTFOUND, "lote #%lld não existe", (long long)id);
  }
  l->id = id;
  l->operadora_id = fat_col_int64(s, 0);
  fat_col_copy(s, 1, l->status, sizeof l->status);
  fat_col_copy(s, 2, l->comp, sizeof l->comp);
  fat_col_copy(s, 3, l->envio, sizeof l->envio);
  fat_col_copy(s, 4, l->prot, sizeof l->prot);
  l->valor = fat_col_int64(s, 5);
  if (!fat_col_is_null(s, 6)) {
    long long f = fat_col_int64(s, 6), num = fat_col_int64(s, 7);

    fat_stmt_reset(s);
    return fat_err_set(err, FAT_ESTATE, "o lote %lld já está na fatura #%lld", num, f);
  }
  fat_stmt_reset(s);
  if (strcmp(l->status, "aberto") == 0 || strcmp(l->status, "fechado") == 0)
    return fat_err_set(err, FAT_ESTATE, "o lote #%lld ainda não foi enviado (situação %s)",
                       (long long)id, l->status);
  return FAT_OK;
}

fat_rc fat_fatura_criar(fat_store *st, fat_gen *gen, const char *operadora,
                        const char *competencia, const int64_t *lotes, size_t n, int64_t *id,
                        fat_err *err)
{
  static const char sql_todos[] =
    "SELECT l.id FROM lote l WHERE l.operadora_id = ?1 AND l.competencia = ?2"
    " AND l.status NOT IN ('aberto', 'fechado')"
    " AND NOT EXISTS (SELECT 1 FROM fatura_lote fl WHERE fl.lote_id = l.id) ORDER BY l.numero";
  static const char sql_num[] =
    "SELECT COALESCE(MAX(numero), 0) + 1 FROM fatura WHERE operadora_id = ?1";
  static const char sql_ins[] =
    "INSERT INTO fatura (operadora_id, competencia, numero, valor, previsao_pagamento, usuario)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
  static const char sql_fl[] = "INSERT INTO fatura_lote (fatura_id, lote_id) VALUES (?1, ?2)";
  fat_stmt *s;
  int64_t op, *ids = NULL, valor = 0, numero, fid = 0;
  size_t m = 0, cap = 0, i;
  char key[64], prev[11] = "", obj[32];
  int32_t maxprev = -1;
  fat_termos t;
  fat_calendario cal = {NULL, 0};
  fat_rc rc;

  if (competencia == NULL || !fat_dia_competencia_valida(competencia))
    return fat_err_set(err, FAT_EINVAL, "competência '%s' inválida (use AAAA-MM)",
                       competencia != NULL ? competencia : "");
  rc = fin_operadora(st, operadora, &op, key, sizeof key, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_termos_ler(gen, key, &t, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_cal_carregar_clinica(st, &cal, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    goto done;
  if (n == 0) {
    int r;

    rc = fat_store_prepare(st, sql_todos, &s, err);
    if (rc != FAT_OK)
      goto out;
    fat_bind_int(s, 1, op);
    fat_bind_text(s, 2, competencia);
    while ((r = fat_stmt_step(s)) == FAT_ROW) {
      if (!FAT_GROW(ids, cap, m)) {
        fat_stmt_reset(s);
        rc = fat_err_oom(err);
        goto out;
      }
      ids[m++] = fat_col_int64(s, 0);
    }
    fat_stmt_reset(s);
    if (r != FAT_DONE) {
      rc = fat_store_dberr(st, err, "erro ao procurar os lotes da fatura");
      goto out;
    }
    if (m == 0) {
      rc = fat_err_set(err, FAT_ENOTFOUND, "nenhum lote enviado da operadora %s na competência "
                                           "%s fora de fatura", operadora, competencia);
      goto out;
    }
    lotes = ids;
    n = m;
  }
  for (i = 0; i < n; i++) {
    lote_info l;
    int32_t e = -1, p = -1, d;

    rc = lote_carregar(st, lotes[i], &l, err);
    if (rc != FAT_OK)
      goto out;
    if (l.operadora_id != op) {
      rc = fat_err_set(err, FAT_EINVAL, "o lote #%lld é de outra operadora",
                       (long long)lotes[i]);
      goto out;
    }
    if (strcmp(l.comp, competencia) != 0) {
      rc = fat_err_set(err, FAT_EINVAL, "o lote #%lld é da competência %s, não %s",
                       (long long)lotes[i], l.comp, competencia);
      goto out;
    }
    valor += l.valor;
    if (l.envio[0] != '\0')
      fat_dia_parse(l.envio, &e);
    if (l.prot[0] != '\0')
      fat_dia_parse(l.prot, &p);
    d = fat_termos_previsao(&t, &cal, e, p);
    if (d > maxprev)
      maxprev = d;
  }
  if (maxprev >= 0)
    fat_dia_format(maxprev, prev, sizeof prev);
  rc = fat_store_prepare(st, sql_num, &s, err);
  if (rc != FAT_OK)
    goto out;
  fat_bind_int(s, 1, op);
  numero = fat_stmt_step(s) == FAT_ROW ? fat_col_int64(s, 0) : 1;
  fat_stmt_reset(s);
  rc = fat_store_prepare(st, sql_ins, &s, err);
  if (rc != FAT_OK)
    goto out;
  fat_bind_int(s, 1, op);
  fat_bind_text(s, 2, competencia);
  fat_bind_int(s, 3, numero);
  fat_bind_int(s, 4, valor);
  fat_bind_text(s, 5, prev[0] ? prev : NULL);
  fat_bind_text(s, 6, fat_store_user(st));
  rc = fat_store_step_done(st, s, "não foi possível gravar a fatura", err);
  if (rc != FAT_OK)
    goto out;
  fid = fat_store_last_id(st);
  for (i = 0; i < n && rc == FAT_OK; i++) {
    rc = fat_store_prepare(st, sql_fl, &s, err);
    if (rc == FAT_OK) {
      fat_bind_int(s, 1, fid);
      fat_bind_int(s, 2, lotes[i]);
      rc = fat_store_step_done(st, s, "não foi possível ligar o lote à fatura", err);
    }
  }
  if (rc != FAT_OK)
    goto out;
  snprintf(obj, sizeof obj, "fatura:%lld", (long long)fid);
  rc = fat_store_audit(st, "fatura.criar", obj, competencia, err);
out:
  rc = fin_fim(st, rc, err);
  if (rc == FAT_OK && id != NULL)
    *id = fid;
done:
  fat_free(ids);
  fat_cal_fini(&cal);
  return rc;
}

typedef struct fatura_row {
  int64_t id, operadora_id, valor, nf_valor, ret[5], recebidos;
  int tem_nf;
  char status[16], script[64];
} fatura_row;

static fat_rc fatura_carregar(fat_store *st, int64_t id, fatura_row *f, fat_err *err)
{
  static const char sql[] =
    "SELECT f.operadora_id, f.status, f.valor, f.nf_valor, f.ret_iss, f.ret_ir, f.ret_pis,"
    " f.ret_cofins, f.ret_csll, o.script,"
    " (SELECT COUNT(*) FROM recebimento r WHERE r.fatura_id = f.id)"
    " FROM fatura f JOIN operadora o ON o.id = f.operadora_id WHERE f.id = ?1";
  fat_stmt *s;
  int i;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  if (fat_stmt_step(s) != FAT_ROW) {
    fat_stmt_reset(s);
    return fat_err_set(err, FAT_ENOTFOUND, "fatura #%lld não existe", (long long)id);
  }
  memset(f, 0, sizeof *f);
  f->id = id;
  f->operadora_id = fat_col_int64(s, 0);
  fat_col_copy(s, 1, f->status, sizeof f->status);
  f->valor = fat_col_int64(s, 2);
  f->tem_nf = !fat_col_is_null(s, 3);
  f->nf_valor = fat_col_int64(s, 3);
  for (i = 0; i < 5; i++)
    f->ret[i] = fat_col_int64(s, 4 + i);
  fat_col_copy(s, 9, f->script, sizeof f->script);
  f->recebidos = fat_col_int64(s, 10);
  fat_stmt_reset(s);
  return FAT_OK;
}

static int64_t soma_ret(const fatura_row *f)
{
  return f->ret[0] + f->ret[1] + f->ret[2] + f->ret[3] + f->ret[4];
}

fat_rc fat_fatura_nf(fat_store *st, fat_gen *gen, int64_t id, const char *numero,
                     const char *serie, const char *data, int64_t valor, fat_err *err)
{
  static const char sql[] =
    "UPDATE fatura SET nf_numero = ?2, nf_serie = ?3, nf_data = ?4, nf_valor = ?5,"
    " ret_iss = ?6, ret_ir = ?7, ret_pis = ?8, ret_cofins = ?9, ret_csll = ?10 WHERE id = ?1";
  fat_stmt *s;
  fatura_row f;
  fat_termos t;
  int64_t ret[5], total = 0;
  char obj[32], det[96];
  int i;
  fat_rc rc;

  if (numero == NULL || numero[0] == '\0' || strlen(numero) > 20)
    return fat_err_set(err, FAT_EINVAL, "número da nota fiscal inválido (1 a 20 caracteres)");
  if (!fat_dia_valida(data))
    return fat_err_set(err, FAT_EINVAL, "data da nota fiscal '%s' inválida (use AAAA-MM-DD)",
                       data != NULL ? data : "");
  rc = fatura_carregar(st, id, &f, err);
  if (rc != FAT_OK)
    return rc;
  if (f.recebidos > 0)
    return fat_err_set(err, FAT_ESTATE, "a fatura #%lld já tem recebimentos: a nota fiscal não "
                                        "pode mais mudar", (long long)id);
  if (strcmp(f.status, "cancelada") == 0)
    return fat_err_set(err, FAT_ESTATE, "a fatura #%lld está cancelada", (long long)id);
  if (valor <= 0)
    valor = f.valor;
  rc = fat_termos_ler(gen, f.script, &t, err);
  if (rc != FAT_OK)
    return rc;
  for (i = 0; i < 5; i++) {
    ret[i] = fat_rateio_bp(valor, t.ret_bp[i]);
    total += ret[i];
  }
  if (total >= valor)
    return fat_err_set(err, FAT_EINVAL, "as retenções (%lld centavos) não cabem no valor da "
                                        "nota", (long long)total);
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc == FAT_OK) {
    fat_bind_int(s, 1, id);
    fat_bind_text(s, 2, numero);
    fat_bind_text(s, 3, serie);
    fat_bind_text(s, 4, data);
    fat_bind_int(s, 5, valor);
    for (i = 0; i < 5; i++)
      fat_bind_int(s, 6 + i, ret[i]);
    rc = fat_store_step_done(st, s, "não foi possível gravar a nota fiscal", err);
  }
  if (rc == FAT_OK) {
    snprintf(obj, sizeof obj, "fatura:%lld", (long long)id);
    snprintf(det, sizeof det, "NF %s série %s de %s", numero, serie ? serie : "-", data);
    rc = fat_store_audit(st, "fatura.nf", obj, det, err);
  }
  return fin_fim(st, rc, err);
}

/* ---- receipts ---- */

/* One guia a receipt is split over. A fatura of a million-guia month has
** ~200,000 guias, all held at once (the largest remainder needs every
** part): 40 bytes each plus its weight, where the rows read were 88 bytes
** (docs/desempenho.md, "demo de 1 milhão, rodada 7"). */
typedef struct alvo {
  int64_t guia_id, lote_id;
  int64_t recebido;      /* received so far, normal and recovered money */
  int64_t limite;        /* liberado (or informado) + glosa.valor_recuperado */
  int64_t peso0;         /* the weight when no guia has anything left to receive */
} alvo;

/* The guias of the receipt (by id) into *out and, in *pesos, what each still
** has to receive of the kind of money (recuperado: recovered by a recurso);
** both fat_free'd by the caller, also on error. */
static fat_rc alvos(fat_store *st, int64_t fatura, int64_t lote, int64_t recurso, int recuperado,
                    alvo **out, int64_t **pesos, size_t *n, fat_err *err)
{
  static const char sql[] =
    "SELECT g.id, g.lote_id,"
    " COALESCE((SELECT rg.valor_liberado FROM retorno_guia rg WHERE rg.guia_id = g.id"
    "   AND rg.valor_liberado IS NOT NULL ORDER BY rg.id DESC LIMIT 1), g.valor_total),"
    " COALESCE((SELECT SUM(x.valor) FROM recebimento_guia x JOIN recebimento r"
    "   ON r.id = x.recebimento_id WHERE x.guia_id = g.id AND r.recuperado = 0), 0),"
    " COALESCE((SELECT SUM(gl.valor_recuperado) FROM glosa gl WHERE gl.guia_id = g.id), 0),"
    " COALESCE((SELECT SUM(x.valor) FROM recebimento_guia x JOIN recebimento r"
    "   ON r.id = x.recebimento_id WHERE x.guia_id = g.id AND r.recuperado = 1), 0),"
    " COALESCE((SELECT SUM(COALESCE(ri.valor_deferido, 0)) FROM recurso_item ri"
    "   JOIN glosa gl ON gl.id = ri.glosa_id WHERE ri.recurso_id = ?3 AND gl.guia_id = g.id), 0)"
    " FROM guia g WHERE (?1 > 0 AND g.lote_id IN"
    "   (SELECT lote_id FROM fatura_lote WHERE fatura_id = ?1))"
    "  OR (?2 > 0 AND g.lote_id = ?2)"
    "  OR (?3 > 0 AND g.id IN (SELECT gl.guia_id FROM recurso_item ri JOIN glosa gl"
    "   ON gl.id = ri.glosa_id WHERE ri.recurso_id = ?3))"
    " ORDER BY g.id";
  fat_stmt *s;
  size_t cap = 0, cap_p = 0;
  int r;
  fat_rc rc;

  *out = NULL;
  *pesos = NULL;
  *n = 0;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, fatura);
  fat_bind_int(s, 2, lote);
  fat_bind_int(s, 3, recurso);
  while ((r = fat_stmt_step(s)) == FAT_ROW) {
    int64_t esperado = fat_col_int64(s, 2), rec_normal = fat_col_int64(s, 3),
            rec_recup = fat_col_int64(s, 5), deferido = fat_col_int64(s, 6), w;
    alvo *a;

    if (!FAT_GROW(*out, cap, *n) || !FAT_GROW(*pesos, cap_p, *n)) {
      fat_stmt_reset(s);
      return fat_err_oom(err);
    }
    a = &(*out)[*n];
    a->guia_id = fat_col_int64(s, 0);
    a->lote_id = fat_col_int64(s, 1);
    a->recebido = rec_normal + rec_recup;
    a->limite = esperado + fat_col_int64(s, 4);
    a->peso0 = recuperado ? deferido : esperado;
    w = recuperado ? deferido - rec_recup : esperado - rec_normal;
    (*pesos)[*n] = w > 0 ? w : 0;
    (*n)++;
  }
  fat_stmt_reset(s);
  if (r != FAT_DONE)
    return fat_store_dberr(st, err, "erro ao ler as guias do recebimento");
  return FAT_OK;
}

/* The guia's number for a message ("#id" when it has none). */
static void guia_numero(fat_store *st, int64_t id, char *out, size_t len)
{
  static const char sql[] = "SELECT numero_prestador FROM guia WHERE id = ?1";
  fat_stmt *s;

  snprintf(out, len, "#%lld", (long long)id);
  if (fat_store_prepare(st, sql, &s, NULL) != FAT_OK)
    return;
  fat_bind_int(s, 1, id);
  if (fat_stmt_step(s) == FAT_ROW && fat_col_text(s, 0) != NULL)
    snprintf(out, len, "%s", fat_col_text(s, 0));
  fat_stmt_reset(s);
}

static int cmp_id(const void *x, const void *y)
{
  int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

  return (a > b) - (a < b);
}

/* Sort v[0..*n) and drop repeated ids. */
static void ids_unicos(int64_t *v, size_t *n)
{
  size_t i, k = 0;

  if (*n == 0)
    return;
  qsort(v, *n, sizeof *v, cmp_id);
  for (i = 1; i < *n; i++)
    if (v[i] != v[k])
      v[++k] = v[i];
  *n = k + 1;
}

/* Status of the faturas and lotes touched by a receipt: each lote once, then
** each fatura of those lotes once. (It recomputed the fatura's received sum,
** over every guia of the fatura, once per lote, and looked for repeated lotes
** among all the receipt's guias: a fatura of 1 million guias in 9,000 lotes
** never finished; unit.escala.) */
static fat_rc atualiza_situacao(fat_store *st, const alvo *a, size_t n, int recuperado,
                                fat_err *err)
{
  static const char sql_lote[] =
    "SELECT l.status, COALESCE(SUM(x.esp), 0), COALESCE(SUM(x.rec), 0) FROM lote l LEFT JOIN ("
    " SELECT g.lote_id AS lote_id,"
    "  COALESCE((SELECT rg.valor_liberado FROM retorno_guia rg WHERE rg.guia_id = g.id"
    "   AND rg.valor_liberado IS NOT NULL ORDER BY rg.id DESC LIMIT 1), g.valor_total) AS esp,"
    "  COALESCE((SELECT SUM(v.valor) FROM recebimento_guia v WHERE v.guia_id = g.id), 0) AS rec"
    " FROM guia g WHERE g.lote_id = ?1) x ON x.lote_id = l.id WHERE l.id = ?1 GROUP BY l.id";
  static const char sql_fl[] = "SELECT fatura_id FROM fatura_lote WHERE lote_id = ?1";
  static const char sql_fat[] =
    "UPDATE fatura SET status = CASE WHEN"
    " (SELECT COALESCE(SUM(x.valor), 0) FROM fatura_lote fl JOIN guia g ON g.lote_id = fl.lote_id"
    "  JOIN recebimento_guia x ON x.guia_id = g.id WHERE fl.fatura_id = fatura.id)"
    " >= COALESCE(nf_valor, valor) THEN 'paga' ELSE 'paga_parcial' END"
    " WHERE id = ?1 AND status <> 'cancelada'";
  fat_stmt *s;
  int64_t *lotes = NULL, *faturas = NULL;
  size_t i, nl = 0, nf = 0;
  fat_rc rc = FAT_OK;

  lotes = fat_malloc((n > 0 ? n : 1) * sizeof *lotes);
  if (lotes == NULL)
    return fat_err_oom(err);
  for (i = 0; i < n; i++)
    if (a[i].lote_id != 0)
      lotes[nl++] = a[i].lote_id;
  ids_unicos(lotes, &nl);
  faturas = fat_malloc((nl > 0 ? nl : 1) * sizeof *faturas);
  if (faturas == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  for (i = 0; i < nl && rc == FAT_OK; i++) {
    char status[16];
    int64_t esp, rec;

    rc = fat_store_prepare(st, sql_fl, &s, err);
    if (rc != FAT_OK)
      break;
    fat_bind_int(s, 1, lotes[i]);
    if (fat_stmt_step(s) == FAT_ROW)
      faturas[nf++] = fat_col_int64(s, 0);
    fat_stmt_reset(s);
    if (recuperado)
      continue;
    rc = fat_store_prepare(st, sql_lote, &s, err);
    if (rc != FAT_OK)
      break;
    fat_bind_int(s, 1, lotes[i]);
    if (fat_stmt_step(s) != FAT_ROW) {
      fat_stmt_reset(s);
      continue;
    }
    fat_col_copy(s, 0, status, sizeof status);
    esp = fat_col_int64(s, 1);
    rec = fat_col_int64(s, 2);
    fat_stmt_reset(s);
    if (strcmp(status, "enviado") == 0 || strcmp(status, "protocolado") == 0 ||
        strcmp(status, "processado") == 0 ||
        (strcmp(status, "pago_parcial") == 0 && rec >= esp)) {
      rc = fat_lote_situacao(st, lotes[i], rec >= esp ? "pago" : "pago_parcial",
                             "baixa pelo financeiro", err);
    }
  }
  ids_unicos(faturas, &nf);
  for (i = 0; i < nf && rc == FAT_OK; i++) {
    rc = fat_store_prepare(st, sql_fat, &s, err);
    if (rc != FAT_OK)
      break;
    fat_bind_int(s, 1, faturas[i]);
    rc = fat_store_step_done(st, s, "não foi possível atualizar a fatura", err);
  }
out:
  fat_free(lotes);
  fat_free(faturas);
  return rc;
}

fat_rc fat_recebimento_registrar(fat_store *st, const fat_recebimento_in *in, int64_t *id,
                                 fat_err *err)
{
  static const char sql_pag[] =
    "SELECT p.operadora_id, p.lote_id, p.data, p.valor,"
    " (SELECT id FROM recebimento r WHERE r.pagamento_id = p.id) FROM pagamento p WHERE p.id = ?1";
  static const char sql_lote[] = "SELECT operadora_id FROM lote WHERE id = ?1";
  static const char sql_rec[] = "SELECT operadora_id, status FROM recurso WHERE id = ?1";
  static const char sql_ins[] =
    "INSERT INTO recebimento (operadora_id, fatura_id, lote_id, recurso_id, pagamento_id,"
    " extrato_linha_id, origem, data, valor, valor_bruto, recuperado, excedente, descricao,"
    " usuario) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";
  static const char sql_rg[] =
    "INSERT INTO recebimento_guia (recebimento_id, guia_id, valor) VALUES (?1, ?2, ?3)";
  fat_stmt *s;
  alvo *a = NULL;
  int64_t *pesos = NULL, *partes = NULL;
  int64_t op = 0, lote = in->lote_id, valor = in->valor, bruto, rid = 0, soma = 0;
  char data[11] = "", obj[40], det[160];
  const char *origem;
  int alvos_n = (in->fatura_id > 0) + (in->lote_id > 0) + (in->pagamento_id > 0) +
                (in->recurso_id > 0);
  int recuperado = in->recurso_id > 0, excedente = 0;
  size_t n = 0, i;
  fat_rc rc;

  if (alvos_n != 1)
    return fat_err_set(err, FAT_EINVAL, "informe a fatura, o lote, o demonstrativo ou o recurso "
                                        "do recebimento (um só)");
  if (in->data != NULL) {
    if (!fat_dia_valida(in->data))
      return fat_err_set(err, FAT_EINVAL, "data do recebimento '%s' inválida (use AAAA-MM-DD)",
                         in->data);
    snprintf(data, sizeof data, "%s", in->data);
  }
  if (valor < 0)
    return fat_err_set(err, FAT_EINVAL, "valor do recebimento negativo");
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  bruto = valor;
  if (in->pagamento_id > 0) {
    rc = fat_store_prepare(st, sql_pag, &s, err);
    if (rc != FAT_OK)
      goto out;
    fat_bind_int(s, 1, in->pagamento_id);
    if (fat_stmt_step(s) != FAT_ROW) {
      fat_stmt_reset(s);
      rc = fat_err_set(err, FAT_ENOTFOUND, "demonstrativo de pagamento #%lld não existe",
                       (long long)in->pagamento_id);
      goto out;
    }
    op = fat_col_int64(s, 0);
    lote = fat_col_int64(s, 1);
    if (data[0] == '\0')
      fat_col_copy(s, 2, data, sizeof data);
    if (valor == 0)
      valor = fat_col_int64(s, 3);
    if (!fat_col_is_null(s, 4) && in->extrato_linha_id == 0 &&
        in->valor == 0) {
      long long r0 = fat_col_int64(s, 4);

      fat_stmt_reset(s);
      rc = fat_err_set(err, FAT_ESTATE, "o demonstrativo #%lld já foi recebido (recebimento "
                                        "#%lld)", (long long)in->pagamento_id, r0);
      goto out;
    }
    fat_stmt_reset(s);
    if (lote <= 0) {
      rc = fat_err_set(err, FAT_EINVAL, "o demonstrativo #%lld não diz o lote",
                       (long long)in->pagamento_id);
      goto out;
    }
    bruto = valor;
  } else if (in->fatura_id > 0) {
    fatura_row f;

    rc = fatura_carregar(st, in->fatura_id, &f, err);
    if (rc != FAT_OK)
      goto out;
    if (strcmp(f.status, "cancelada") == 0) {
      rc = fat_err_set(err, FAT_ESTATE, "a fatura #%lld está cancelada",
                       (long long)in->fatura_id);
      goto out;
    }
    op = f.operadora_id;
    bruto = valor;
    if (f.tem_nf && soma_ret(&f) > 0 && f.nf_valor > soma_ret(&f))
      bruto = fat_rateio_muldiv(valor, f.nf_valor, f.nf_valor - soma_ret(&f));
  } else if (in->lote_id > 0) {
    rc = fat_store_prepare(st, sql_lote, &s, err);
    if (rc != FAT_OK)
      goto out;
    fat_bind_int(s, 1, in->lote_id);
    if (fat_stmt_step(s) != FAT_ROW) {
      fat_stmt_reset(s);
      rc = fat_err_set(err, FAT_ENOTFOUND, "lote #%lld não existe", (long long)in->lote_id);
      goto out;
    }
    op = fat_col_int64(s, 0);
    fat_stmt_reset(s);
  } else {
    char st_rec[16];

    rc = fat_store_prepare(st, sql_rec, &s, err);
    if (rc != FAT_OK)
      goto out;
    fat_bind_int(s, 1, in->recurso_id);
    if (fat_stmt_step(s) != FAT_ROW) {
      fat_stmt_reset(s);
      rc = fat_err_set(err, FAT_ENOTFOUND, "recurso #%lld não existe", (long long)in->recurso_id);
      goto out;
    }
    op = fat_col_int64(s, 0);
    fat_col_copy(s, 1, st_rec, sizeof st_rec);
    fat_stmt_reset(s);
    if (strcmp(st_rec, "respondido") != 0) {
      rc = fat_err_set(err, FAT_ESTATE, "o recurso #%lld ainda não foi respondido pela "
                                        "operadora", (long long)in->recurso_id);
      goto out;
    }
  }
  if (valor <= 0) {
    rc = fat_err_set(err, FAT_EINVAL, "valor do recebimento não informado");
    goto out;
  }
  if (data[0] == '\0') {
    rc = fat_err_set(err, FAT_EINVAL, "data do recebimento não informada");
    goto out;
  }
  rc = alvos(st, in->fatura_id, in->fatura_id > 0 ? 0 : lote, in->recurso_id, recuperado, &a,
             &pesos, &n, err);
  if (rc != FAT_OK)
    goto out;
  if (n == 0) {
    rc = fat_err_set(err, FAT_ENOTFOUND, "nenhuma guia para receber");
    goto out;
  }
  partes = fat_calloc(n, sizeof *partes);
  if (partes == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  /* weights: what each guia still has to receive, of the kind of money */
  for (i = 0; i < n; i++)
    soma += pesos[i];
  if (soma == 0)
    for (i = 0; i < n; i++)
      pesos[i] = a[i].peso0;
  rc = fat_rateio_proporcional(bruto, pesos, n, partes, err);
  if (rc != FAT_OK)
    goto out;
  for (i = 0; i < n; i++) {
    int64_t depois = a[i].recebido + partes[i];

    if (depois > a[i].limite) {
      if (!in->aceitar_excedente) {
        char v1[32], v2[32], num[40];

        fat_money_format_br(depois, v1, sizeof v1);
        fat_money_format_br(a[i].limite, v2, sizeof v2);
        guia_numero(st, a[i].guia_id, num, sizeof num);
        rc = fat_err_set(err, FAT_ESTATE, "o recebimento levaria a guia %s a %s recebidos, "
                                          "acima do liberado + recuperado (%s): confira o valor "
                                          "ou aceite o excedente", num, v1, v2);
        goto out;
      }
      excedente = 1;
    }
  }
  origem = in->extrato_linha_id > 0 ? "extrato"
           : (in->pagamento_id > 0 && in->valor == 0) ? "demonstrativo"
                                                      : "manual";
  rc = fat_store_prepare(st, sql_ins, &s, err);
  if (rc != FAT_OK)
    goto out;
  fat_bind_int(s, 1, op);
  fat_bind_int_or_null(s, 2, in->fatura_id, in->fatura_id <= 0);
  fat_bind_int_or_null(s, 3, lote, lote <= 0 || in->fatura_id > 0 || recuperado);
  fat_bind_int_or_null(s, 4, in->recurso_id, in->recurso_id <= 0);
  fat_bind_int_or_null(s, 5, in->pagamento_id, in->pagamento_id <= 0);
  fat_bind_int_or_null(s, 6, in->extrato_linha_id, in->extrato_linha_id <= 0);
  fat_bind_text(s, 7, origem);
  fat_bind_text(s, 8, data);
  fat_bind_int(s, 9, valor);
  fat_bind_int(s, 10, bruto);
  fat_bind_int(s, 11, recuperado);
  fat_bind_int(s, 12, excedente);
  fat_bind_text(s, 13, in->descricao);
  fat_bind_text(s, 14, fat_store_user(st));
  rc = fat_store_step_done(st, s, "não foi possível gravar o recebimento", err);
  if (rc != FAT_OK) {
    if (err != NULL && strstr(err->msg, "UNIQUE") != NULL)
      fat_err_set(err, FAT_ESTATE, "esse crédito ou demonstrativo já foi recebido");
    goto out;
  }
  rid = fat_store_last_id(st);
  for (i = 0; i < n && rc == FAT_OK; i++) {
    if (partes[i] == 0)
      continue;
    rc = fat_store_prepare(st, sql_rg, &s, err);
    if (rc == FAT_OK) {
      fat_bind_int(s, 1, rid);
      fat_bind_int(s, 2, a[i].guia_id);
      fat_bind_int(s, 3, partes[i]);
      rc = fat_store_step_done(st, s, "não foi possível ratear o recebimento", err);
    }
  }
  if (rc == FAT_OK)
    rc = atualiza_situacao(st, a, n, recuperado, err);
  if (rc == FAT_OK) {
    char v[32];

    fat_money_format_br(valor, v, sizeof v);
    snprintf(obj, sizeof obj, "recebimento:%lld", (long long)rid);
    snprintf(det, sizeof det, "%s %s em %s%s%s", origem, v, data, recuperado ? " (recuperado)" : "",
             excedente ? " (excedente aceito)" : "");
    rc = fat_store_audit(st, "recebimento.registrar", obj, det, err);
  }
out:
  fat_free(a);
  fat_free(pesos);
  fat_free(partes);
  rc = fin_fim(st, rc, err);
  if (rc == FAT_OK && id != NULL)
    *id = rid;
  return rc;
}

fat_rc fat_recebimento_listar(fat_store *st, const char *operadora, const char *de,
                              const char *ate, cJSON **out, fat_err *err)
{
  static const char sql[] =
    "SELECT r.id AS id, r.data AS data, r.valor AS valor, r.valor_bruto AS valor_bruto,"
    " r.origem AS origem, o.registro_ans AS registro_ans, o.nome AS operadora,"
    " f.numero AS fatura, r.fatura_id AS fatura_id, l.numero AS lote, r.recurso_id AS recurso,"
    " r.pagamento_id AS demonstrativo, r.extrato_linha_id AS extrato_linha,"
    " r.recuperado AS recuperado, r.excedente AS excedente, r.descricao AS descricao,"
    " r.usuario AS usuario"
    " FROM recebimento r JOIN operadora o ON o.id = r.operadora_id"
    " LEFT JOIN fatura f ON f.id = r.fatura_id LEFT JOIN lote l ON l.id = r.lote_id"
    " WHERE (?1 IS NULL OR r.operadora_id = ?1) AND (?2 IS NULL OR r.data >= ?2)"
    " AND (?3 IS NULL OR r.data <= ?3) ORDER BY r.data DESC, r.id DESC";
  const char *const txt[] = {de, ate};

  return fin_listar(st, sql, operadora, txt, 2, "os recebimentos", out, err);
}

fat_rc fat_recebimento_demonstrativos(fat_store *st, const char *operadora, cJSON **out,
                                      fat_err *err)
{
  static const char sql[] =
    "SELECT p.id AS id, o.registro_ans AS registro_ans, o.nome AS operadora,"
    " l.numero AS lote, p.lote_id AS lote_id, p.data AS data, p.valor AS valor,"
    " (SELECT r.id FROM recebimento r WHERE r.pagamento_id = p.id LIMIT 1) AS recebimento_id,"
    " (SELECT COALESCE(SUM(x.valor), 0) FROM recebimento_guia x JOIN guia g ON g.id = x.guia_id"
    "  WHERE g.lote_id = p.lote_id) AS recebido_lote"
    " FROM pagamento p LEFT JOIN operadora o ON o.id = p.operadora_id"
    " LEFT JOIN lote l ON l.id = p.lote_id"
    " WHERE (?1 IS NULL OR p.operadora_id = ?1) ORDER BY p.data DESC, p.id DESC";
  return fin_listar(st, sql, operadora, NULL, 0, "os demonstrativos", out, err);
}

/* ---- listings and the mapa ---- */

/* A fatura's lotes are counted by fatura_saldo (migration 096): a fatura only
** takes lotes past 'fechado' (fat_fatura_criar), which never go back, so
** its count is its fatura_lote rows without walking them (2,278 per fatura
** in the demo of a million guias). */
fat_rc fat_fatura_listar(fat_store *st, const char *operadora, const char *competencia,
                         cJSON **out, fat_err *err)
{
  static const char sql[] =
    "SELECT f.id AS id, f.numero AS numero, o.nome AS operadora, o.registro_ans AS registro_ans,"
    " f.competencia AS competencia, f.status AS status, f.valor AS valor,"
    " f.nf_numero AS nf_numero, f.nf_serie AS nf_serie, f.nf_data AS nf_data,"
    " f.nf_valor AS nf_valor,"
    " f.ret_iss + f.ret_ir + f.ret_pis + f.ret_cofins + f.ret_csll AS retencoes,"
    " COALESCE(f.nf_valor, f.valor) - (f.ret_iss + f.ret_ir + f.ret_pis + f.ret_cofins"
    "  + f.ret_csll) AS valor_liquido,"
    " (SELECT COALESCE(SUM(r.valor), 0) FROM recebimento r WHERE r.fatura_id = f.id) AS recebido,"
    " coalesce(fs.lotes, 0) AS lotes,"
    " f.previsao_pagamento AS previsao_pagamento"
    " FROM fatura f JOIN operadora o ON o.id = f.operadora_id"
    " LEFT JOIN fatura_saldo fs ON fs.fatura_id = f.id"
    " WHERE (?1 IS NULL OR f.operadora_id = ?1) AND (?2 IS NULL OR f.competencia = ?2)"
    " ORDER BY f.competencia DESC, o.registro_ans, f.numero";
  const char *const txt[] = {competencia};

  return fin_listar(st, sql, operadora, txt, 1, "as faturas", out, err);
}

fat_rc fat_fatura_nf_dados(fat_store *st, const char *de, const char *ate, cJSON **out,
                           fat_err *err)
{
  static const char sql[] =
    "SELECT f.numero AS fatura, f.competencia AS competencia, o.nome AS operadora,"
    " o.registro_ans AS registro_ans, f.nf_numero AS nf_numero, f.nf_serie AS nf_serie,"
    " f.nf_data AS nf_data, f.nf_valor AS nf_valor, f.ret_iss AS iss, f.ret_ir AS ir,"
    " f.ret_pis AS pis, f.ret_cofins AS cofins, f.ret_csll AS csll,"
    " f.nf_valor - (f.ret_iss + f.ret_ir + f.ret_pis + f.ret_cofins + f.ret_csll)"
    "  AS valor_liquido"
    " FROM fatura f JOIN operadora o ON o.id = f.operadora_id"
    " WHERE f.nf_numero IS NOT NULL AND (?1 IS NULL OR f.nf_data >= ?1)"
    " AND (?2 IS NULL OR f.nf_data <= ?2) ORDER BY f.nf_data, f.nf_numero";
  fat_stmt *s;
  fat_rc rc;

  *out = NULL;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, de);
  fat_bind_text(s, 2, ate);
  return fat_store_rows_json(st, s, 0, "erro ao ler as notas fiscais", out, err);
}

/* per-lote aggregates used by the mapa (the sent lotes in no fatura: one
** month's or all, mapa_lote of migration 096) and by fat_fatura_mostrar (one
** fatura's lotes through fatura_lote): ?1 operadora (NULL all), ?2
** competência, ?3 fatura id. What was
** appealed, deferred and received per lote comes from the lote's counters
** (lote_saldo and lote_recebimento, migration 092, kept by triggers), not
** from the lote's guias one by one. */
#define LOTES_AGG_COLS                                                                     \
  "SELECT o.registro_ans, o.nome, l.competencia, l.id, l.numero, l.status, l.enviado_em,"  \
  " l.protocolo, l.valor_informado, l.valor_liberado, l.valor_glosado,"                    \
  " coalesce(s.recursado, 0), coalesce(s.deferido, 0),"                                    \
  " (SELECT coalesce(sum(lr.valor), 0) FROM lote_recebimento lr WHERE lr.lote_id = l.id)," \
  " (SELECT coalesce(sum(lr.valor), 0) FROM lote_recebimento lr"                           \
  "   JOIN recebimento r ON r.id = lr.recebimento_id"                                      \
  "   WHERE lr.lote_id = l.id AND r.recuperado = 1),"                                      \
  " (SELECT max(r.data) FROM lote_recebimento lr JOIN recebimento r"                       \
  "   ON r.id = lr.recebimento_id WHERE lr.lote_id = l.id AND lr.guias > 0),"              \
  " l.previsao_pagamento, f.id, f.numero, f.nf_numero, f.previsao_pagamento,"              \
  " COALESCE(f.ret_iss + f.ret_ir + f.ret_pis + f.ret_cofins + f.ret_csll, 0),"            \
  " (SELECT COUNT(*) FROM pagamento p WHERE p.lote_id = l.id), f.status,"                  \
  " (SELECT max(r.data) FROM lote_recebimento lr JOIN recebimento r"                       \
  "   ON r.id = lr.recebimento_id WHERE lr.lote_id = l.id AND lr.guias > 0"                \
  "   AND r.recuperado = 0)"
#define LOTES_AGG_JOIN                                                                     \
  " JOIN operadora o ON o.id = l.operadora_id"                                             \
  " LEFT JOIN fatura_lote fl ON fl.lote_id = l.id LEFT JOIN fatura f ON f.id = fl.fatura_id" \
  " LEFT JOIN lote_saldo s ON s.lote_id = l.id"
#define LOTES_AGG_FIM                                                                      \
  " AND (?1 IS NULL OR l.operadora_id = ?1) AND (?3 IS NULL OR f.id = ?3)"                 \
  " AND l.status NOT IN ('aberto', 'fechado')"                                             \
  " ORDER BY o.registro_ans, l.competencia, COALESCE(f.numero, 1e9), l.numero"
/* the sent lotes in no fatura (mapa_lote, migration 096), of one month or all */
static const char sql_lotes_avulsos_mes[] =
  LOTES_AGG_COLS " FROM mapa_lote m INDEXED BY mapa_lote_avulso JOIN lote l ON l.id = m.lote_id"
  LOTES_AGG_JOIN " WHERE m.fatura_id IS NULL AND m.competencia = ?2" LOTES_AGG_FIM;
static const char sql_lotes_avulsos[] =
  LOTES_AGG_COLS " FROM mapa_lote m INDEXED BY mapa_lote_avulso JOIN lote l ON l.id = m.lote_id"
  LOTES_AGG_JOIN " WHERE m.fatura_id IS NULL AND (?2 IS NULL OR m.competencia = ?2)"
  LOTES_AGG_FIM;
static const char sql_lotes_agg_fatura[] =
  LOTES_AGG_COLS " FROM lote l" LOTES_AGG_JOIN
  " WHERE l.id IN (SELECT x.lote_id FROM fatura_lote x WHERE x.fatura_id = ?3)"
  " AND (?2 IS NULL OR l.competencia = ?2)" LOTES_AGG_FIM;

enum { L_ANS, L_NOME, L_COMP, L_ID, L_NUM, L_STATUS, L_ENVIO, L_PROT, L_INF, L_LIB, L_GLO,
       L_RECURSADO, L_DEFERIDO, L_RECEBIDO, L_RECUP, L_DTREC, L_PREV, L_FID, L_FNUM, L_NF,
       L_FPREV, L_RET, L_NPAG, L_FSTATUS, L_DTNORMAL };

typedef struct grupo {
  cJSON *o, *lotes;
  int64_t fid;
  int64_t v[9]; /* enviado liberado glosado recursado recuperado recebido esperado ret deferido */
  char dtrec[11], prev[11], dtnormal[11];
} grupo;

static void grupo_fecha(grupo *g, const char *hoje)
{
  static const char *const nomes[] = {"valor_enviado", "valor_liberado", "valor_glosado",
                                      "valor_recursado", "valor_recuperado", "valor_recebido"};
  int64_t saldo;
  int atraso = 0, tarde, i;
  const char *sit;

  if (g->o == NULL)
    return;
  for (i = 0; i < 6; i++)
    cJSON_AddNumberToObject(g->o, nomes[i], (double)g->v[i]);
  cJSON_AddNumberToObject(g->o, "retencoes", (double)g->v[7]);
  saldo = g->v[6] - g->v[5];
  if (saldo < 0)
    saldo = 0;
  cJSON_AddNumberToObject(g->o, "saldo_a_receber", (double)saldo);
  if (g->dtrec[0] != '\0')
    cJSON_AddStringToObject(g->o, "data_recebido", g->dtrec);
  else
    cJSON_AddNullToObject(g->o, "data_recebido");
  if (g->prev[0] != '\0')
    cJSON_AddStringToObject(g->o, "previsao_pagamento", g->prev);
  else
    cJSON_AddNullToObject(g->o, "previsao_pagamento");
  if (saldo > 0 && g->prev[0] != '\0' && strcmp(hoje, g->prev) > 0)
    atraso = fin_dias(g->prev, hoje);
  cJSON_AddNumberToObject(g->o, "dias_atraso", atraso);
  tarde = (g->dtnormal[0] != '\0' && g->prev[0] != '\0' && strcmp(g->dtnormal, g->prev) > 0)
              ? fin_dias(g->prev, g->dtnormal)
              : 0;
  cJSON_AddNumberToObject(g->o, "atraso_recebimento", tarde);
  if (saldo == 0 && g->v[5] > 0)
    sit = tarde > 0 ? "recebido com atraso" : "recebido";
  else if (atraso > 0)
    sit = g->v[5] > 0 ? "recebido em parte, saldo atrasado" : "pagamento atrasado";
  else if (g->v[5] > 0)
    sit = "recebido em parte";
  else
    sit = "aguardando pagamento";
  cJSON_AddStringToObject(g->o, "situacao", sit);
  g->o = NULL;
}

/* The mapa's rows lote by lote: one fatura's (fatura > 0), else the sent
** lotes in no fatura (of month comp, or all). */
static fat_rc mapa_rows(fat_store *st, int64_t op, int has_op, const char *comp, int64_t fatura,
                        const char *hoje, cJSON *arr, fat_err *err)
{
  fat_stmt *s;
  grupo g;
  int r;
  fat_rc rc = fat_store_prepare(st,
                                fatura > 0       ? sql_lotes_agg_fatura
                                : comp != NULL   ? sql_lotes_avulsos_mes
                                                 : sql_lotes_avulsos,
                                &s, err);

  if (rc != FAT_OK)
    return rc;
  memset(&g, 0, sizeof g);
  fat_bind_int_or_null(s, 1, op, !has_op);
  fat_bind_text(s, 2, comp);
  fat_bind_int_or_null(s, 3, fatura, fatura <= 0);
  while ((r = fat_stmt_step(s)) == FAT_ROW) {
    int64_t fid = fat_col_is_null(s, L_FID) ? 0 : fat_col_int64(s, L_FID);
    int64_t inf = fat_col_int64(s, L_INF);
    int lib_null = fat_col_is_null(s, L_LIB);
    int64_t lib = fat_col_int64(s, L_LIB);
    char d[11], prev[11];
    cJSON *lo;

    if (g.o == NULL || fid == 0 || fid != g.fid) {
      grupo_fecha(&g, hoje);
      memset(&g, 0, sizeof g);
      g.o = cJSON_CreateObject();
      if (g.o == NULL)
        goto oom;
      cJSON_AddItemToArray(arr, g.o);
      g.fid = fid;
      fin_add_col(g.o, "registro_ans", s, L_ANS);
      fin_add_col(g.o, "operadora", s, L_NOME);
      fin_add_col(g.o, "competencia", s, L_COMP);
      if (fid > 0) {
        cJSON_AddNumberToObject(g.o, "fatura_id", (double)fid);
        cJSON_AddNumberToObject(g.o, "fatura", (double)fat_col_int64(s, L_FNUM));
        fin_add_col(g.o, "status_fatura", s, L_FSTATUS);
      } else {
        cJSON_AddNullToObject(g.o, "fatura_id");
        cJSON_AddNullToObject(g.o, "fatura");
        cJSON_AddStringToObject(g.o, "status_fatura", "sem fatura");
      }
      fin_add_col(g.o, "nf_numero", s, L_NF);
      fin_add_col(g.o, "enviado_em", s, L_ENVIO);
      fin_add_col(g.o, "protocolo", s, L_PROT);
      g.v[7] = fat_col_int64(s, L_RET);
      fat_col_copy(s, L_FPREV, g.prev, sizeof g.prev);
      g.lotes = cJSON_AddArrayToObject(g.o, "lotes");
      if (g.lotes == NULL)
        goto oom;
    }
    lo = cJSON_CreateObject();
    if (lo == NULL)
      goto oom;
    cJSON_AddItemToArray(g.lotes, lo);
    cJSON_AddNumberToObject(lo, "id", (double)fat_col_int64(s, L_ID));
    cJSON_AddNumberToObject(lo, "numero", (double)fat_col_int64(s, L_NUM));
    fin_add_col(lo, "status", s, L_STATUS);
    cJSON_AddBoolToObject(lo, "demonstrativo_pagamento", fat_col_int64(s, L_NPAG) > 0);
    g.v[0] += inf;
    g.v[1] += lib;
    g.v[2] += fat_col_int64(s, L_GLO);
    g.v[3] += fat_col_int64(s, L_RECURSADO);
    g.v[4] += fat_col_int64(s, L_RECUP);
    g.v[5] += fat_col_int64(s, L_RECEBIDO);
    g.v[8] += fat_col_int64(s, L_DEFERIDO);
    g.v[6] += (lib_null ? inf : lib) + fat_col_int64(s, L_DEFERIDO);
    fat_col_copy(s, L_DTREC, d, sizeof d);
    if (strcmp(d, g.dtrec) > 0)
      memcpy(g.dtrec, d, sizeof d);
    fat_col_copy(s, L_DTNORMAL, d, sizeof d);
    if (strcmp(d, g.dtnormal) > 0)
      memcpy(g.dtnormal, d, sizeof d);
    fat_col_copy(s, L_PREV, prev, sizeof prev);
    if (fid == 0 || g.prev[0] == '\0') {
      if (strcmp(prev, g.prev) > 0)
        memcpy(g.prev, prev, sizeof prev);
    }
  }
  grupo_fecha(&g, hoje);
  fat_stmt_reset(s);
  if (r != FAT_DONE)
    return fat_store_dberr(st, err, "erro ao montar o mapa de faturas");
  return FAT_OK;
oom:
  fat_stmt_reset(s);
  return fat_err_oom(err);
}

/* The faturas of the mapa from their counters (fatura_saldo, migration 096):
** one row each, whatever the number of its lotes. The sending date and
** protocolo are the first lote's (lowest número), the dates of the last
** receipts one index probe each; a fatura with no expected date of its own
** takes its first lote's that has one. */
#define MAPA_FATURAS_COLS                                                                  \
  "SELECT o.registro_ans, o.nome, f.competencia, f.id, f.numero, f.status, f.nf_numero,"   \
  " p.enviado_em, p.protocolo, s.lotes, s.enviado, s.liberado, s.glosado, s.recursado,"    \
  " s.recuperado, s.recebido, s.esperado, s.deferido,"                                     \
  " COALESCE(f.ret_iss + f.ret_ir + f.ret_pis + f.ret_cofins + f.ret_csll, 0),"            \
  " (SELECT fr.data FROM fatura_recebimento fr INDEXED BY fatura_recebimento_data"        \
  "   WHERE fr.fatura_id = f.id AND fr.guias > 0 ORDER BY fr.data DESC LIMIT 1),"          \
  " (SELECT fr.data FROM fatura_recebimento fr INDEXED BY fatura_recebimento_normal"      \
  "   WHERE fr.fatura_id = f.id AND fr.recuperado = 0 AND fr.guias > 0"                    \
  "   ORDER BY fr.data DESC LIMIT 1),"                                                     \
  " CASE WHEN coalesce(f.previsao_pagamento, '') = '' THEN (SELECT l.previsao_pagamento"   \
  "   FROM mapa_lote m JOIN lote l ON l.id = m.lote_id WHERE m.fatura_id = f.id"           \
  "   AND l.previsao_pagamento > '' ORDER BY m.numero, m.lote_id LIMIT 1)"                 \
  "  ELSE f.previsao_pagamento END"
#define MAPA_FATURAS_FROM                                                                  \
  " FROM fatura f JOIN fatura_saldo s ON s.fatura_id = f.id"                               \
  " JOIN operadora o ON o.id = f.operadora_id LEFT JOIN lote p ON p.id = s.primeiro_lote"
#define MAPA_FATURAS_FIM                                                                   \
  " AND s.lotes > 0 AND (?1 IS NULL OR f.operadora_id = ?1)"                               \
  " ORDER BY o.registro_ans, f.competencia, f.numero"
/* one month's faturas by the fatura_competencia index, or every fatura */
static const char sql_mapa_faturas_mes[] =
  MAPA_FATURAS_COLS MAPA_FATURAS_FROM " WHERE f.competencia = ?2" MAPA_FATURAS_FIM;
static const char sql_mapa_faturas[] =
  MAPA_FATURAS_COLS MAPA_FATURAS_FROM " WHERE ?2 IS NULL" MAPA_FATURAS_FIM;
enum { F_ANS, F_NOME, F_COMP, F_ID, F_NUM, F_STATUS, F_NF, F_ENVIO, F_PROT, F_LOTES, F_V0 };
enum { F_RET = F_V0 + 8, F_DTREC, F_DTNORMAL, F_PREV };

static fat_rc mapa_faturas(fat_store *st, int64_t op, int has_op, const char *comp,
                           const char *hoje, cJSON *arr, fat_err *err)
{
  fat_stmt *s;
  grupo g;
  int r, i;
  fat_rc rc = fat_store_prepare(st, comp != NULL ? sql_mapa_faturas_mes : sql_mapa_faturas, &s,
                                err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_int_or_null(s, 1, op, !has_op);
  fat_bind_text(s, 2, comp);
  while ((r = fat_stmt_step(s)) == FAT_ROW) {
    memset(&g, 0, sizeof g);
    g.o = cJSON_CreateObject();
    if (g.o == NULL || !cJSON_AddItemToArray(arr, g.o)) {
      cJSON_Delete(g.o);
      fat_stmt_reset(s);
      return fat_err_oom(err);
    }
    fin_add_col(g.o, "registro_ans", s, F_ANS);
    fin_add_col(g.o, "operadora", s, F_NOME);
    fin_add_col(g.o, "competencia", s, F_COMP);
    cJSON_AddNumberToObject(g.o, "fatura_id", (double)fat_col_int64(s, F_ID));
    cJSON_AddNumberToObject(g.o, "fatura", (double)fat_col_int64(s, F_NUM));
    fin_add_col(g.o, "status_fatura", s, F_STATUS);
    fin_add_col(g.o, "nf_numero", s, F_NF);
    fin_add_col(g.o, "enviado_em", s, F_ENVIO);
    fin_add_col(g.o, "protocolo", s, F_PROT);
    cJSON_AddNumberToObject(g.o, "qtd_lotes", (double)fat_col_int64(s, F_LOTES));
    /* enviado liberado glosado recursado recuperado recebido esperado deferido */
    for (i = 0; i < 7; i++)
      g.v[i] = fat_col_int64(s, F_V0 + i);
    g.v[8] = fat_col_int64(s, F_V0 + 7);
    g.v[7] = fat_col_int64(s, F_RET);
    fat_col_copy(s, F_DTREC, g.dtrec, sizeof g.dtrec);
    fat_col_copy(s, F_DTNORMAL, g.dtnormal, sizeof g.dtnormal);
    fat_col_copy(s, F_PREV, g.prev, sizeof g.prev);
    grupo_fecha(&g, hoje);
  }
  fat_stmt_reset(s);
  if (r != FAT_DONE)
    return fat_store_dberr(st, err, "erro ao montar o mapa de faturas");
  return FAT_OK;
}

/* a row's place in the mapa: operadora (registro ANS), then competência */
static int mapa_chave_cmp(const cJSON *a, const cJSON *b)
{
  static const char *const ks[] = {"registro_ans", "competencia"};
  size_t i;

  for (i = 0; i < 2; i++) {
    const char *x = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, ks[i]));
    const char *y = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, ks[i]));
    int c = strcmp(x != NULL ? x : "", y != NULL ? y : "");

    if (c != 0)
      return c;
  }
  return 0;
}

fat_rc fat_fatura_mapa(fat_store *st, const char *operadora, const char *competencia,
                       const char *hoje, cJSON **out, fat_err *err)
{
  cJSON *arr = NULL, *fat = NULL, *avu = NULL, *x;
  int64_t op = 0;
  char h[11];
  fat_rc rc;

  *out = NULL;
  if (fin_hoje(hoje, h) != 0)
    return fat_err_set(err, FAT_EINVAL, "data de referência '%s' inválida", hoje);
  if (operadora != NULL) {
    rc = fin_operadora(st, operadora, &op, NULL, 0, err);
    if (rc != FAT_OK)
      return rc;
  }
  arr = cJSON_CreateArray();
  fat = cJSON_CreateArray();
  avu = cJSON_CreateArray();
  rc = arr != NULL && fat != NULL && avu != NULL ? FAT_OK : fat_err_oom(err);
  if (rc == FAT_OK)
    rc = mapa_faturas(st, op, operadora != NULL, competencia, h, fat, err);
  if (rc == FAT_OK)
    rc = mapa_rows(st, op, operadora != NULL, competencia, 0, h, avu, err);
  cJSON_ArrayForEach(x, avu) {
    if (rc == FAT_OK && cJSON_AddNumberToObject(x, "qtd_lotes", (double)cJSON_GetArraySize(
                            cJSON_GetObjectItemCaseSensitive(x, "lotes"))) == NULL)
      rc = fat_err_oom(err);
  }
  /* both in the mapa's order: merge, the faturas of a month before its lotes */
  while (rc == FAT_OK && (cJSON_GetArraySize(fat) > 0 || cJSON_GetArraySize(avu) > 0)) {
    cJSON *a = cJSON_GetArrayItem(fat, 0), *b = cJSON_GetArrayItem(avu, 0);

    x = b == NULL || (a != NULL && mapa_chave_cmp(a, b) <= 0) ? cJSON_DetachItemFromArray(fat, 0)
                                                              : cJSON_DetachItemFromArray(avu, 0);
    if (!cJSON_AddItemToArray(arr, x)) {
      cJSON_Delete(x);
      rc = fat_err_oom(err);
    }
  }
  cJSON_Delete(fat);
  cJSON_Delete(avu);
  if (rc != FAT_OK) {
    cJSON_Delete(arr);
    return rc;
  }
  *out = arr;
  return FAT_OK;
}

fat_rc fat_fatura_lotes(fat_store *st, int64_t fatura_id, int64_t apos, int limite,
                        int64_t *proximo, cJSON **out, fat_err *err)
{
  static const char sql[] =
    "SELECT m.lote_id AS id, m.numero AS numero, l.status AS status,"
    " EXISTS (SELECT 1 FROM pagamento p WHERE p.lote_id = m.lote_id) AS demonstrativo_pagamento"
    " FROM mapa_lote m INDEXED BY mapa_lote_fatura JOIN lote l ON l.id = m.lote_id"
    " WHERE m.fatura_id = ?1 AND (m.numero, m.lote_id) > (coalesce((SELECT a.numero"
    "  FROM lote a WHERE a.id = ?2), -9223372036854775808), ?2)"
    " ORDER BY m.numero, m.lote_id LIMIT ?3";
  fatura_row f;
  fat_stmt *s;
  cJSON *arr;
  fat_rc rc;

  *out = NULL;
  *proximo = 0;
  if (limite < 0 || limite > FAT_FATURA_LOTES_PAGINA_MAX)
    return fat_err_set(err, FAT_EINVAL, "limite: de 1 a %d lotes por página",
                       FAT_FATURA_LOTES_PAGINA_MAX);
  if (limite == 0)
    limite = 50;
  if (apos < 0)
    return fat_err_set(err, FAT_EINVAL, "apos: id de lote inválido");
  rc = fatura_carregar(st, fatura_id, &f, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, fatura_id);
  fat_bind_int(s, 2, apos);
  fat_bind_int(s, 3, (int64_t)limite + 1);
  rc = fat_store_rows_json(st, s, 0, "erro ao ler os lotes da fatura", &arr, err);
  if (rc != FAT_OK)
    return rc;
  if (cJSON_GetArraySize(arr) > limite) {
    cJSON_DeleteItemFromArray(arr, limite);
    *proximo = (int64_t)cJSON_GetNumberValue(
      cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(arr, limite - 1), "id"));
  }
  *out = arr;
  return FAT_OK;
}

static cJSON *dif(cJSON *arr, const char *tipo, int64_t valor, const char *fmt, ...)
  FAT_PRINTF(4, 5);

static cJSON *dif(cJSON *arr, const char *tipo, int64_t valor, const char *fmt, ...)
{
  char msg[300];
  va_list ap;
  cJSON *o = cJSON_CreateObject();

  if (o == NULL)
    return NULL;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  cJSON_AddStringToObject(o, "tipo", tipo);
  cJSON_AddNumberToObject(o, "valor", (double)valor);
  cJSON_AddStringToObject(o, "mensagem", msg);
  cJSON_AddItemToArray(arr, o);
  return o;
}

fat_rc fat_fatura_mostrar(fat_store *st, int64_t id, const char *hoje, cJSON **out,
                          fat_err *err)
{
  static const char sql_f[] =
    "SELECT f.id AS id, f.numero AS numero, o.nome AS operadora, o.registro_ans AS registro_ans,"
    " f.competencia AS competencia, f.status AS status, f.valor AS valor,"
    " f.nf_numero AS nf_numero, f.nf_serie AS nf_serie, f.nf_data AS nf_data,"
    " f.nf_valor AS nf_valor, f.ret_iss AS iss, f.ret_ir AS ir, f.ret_pis AS pis,"
    " f.ret_cofins AS cofins, f.ret_csll AS csll, f.previsao_pagamento AS previsao_pagamento,"
    " f.criado_em AS criado_em, f.usuario AS usuario"
    " FROM fatura f JOIN operadora o ON o.id = f.operadora_id WHERE f.id = ?1";
  static const char sql_r[] =
    "SELECT r.id AS id, r.data AS data, r.valor AS valor, r.valor_bruto AS valor_bruto,"
    " r.origem AS origem, r.recuperado AS recuperado, r.excedente AS excedente,"
    " r.descricao AS descricao FROM recebimento r WHERE r.fatura_id = ?1"
    " OR r.lote_id IN (SELECT lote_id FROM fatura_lote WHERE fatura_id = ?1)"
    " OR r.id IN (SELECT x.recebimento_id FROM recebimento_guia x JOIN guia g ON g.id = x.guia_id"
    "  WHERE g.lote_id IN (SELECT lote_id FROM fatura_lote WHERE fatura_id = ?1))"
    " ORDER BY r.data, r.id";
  static const char sql_p[] =
    "SELECT p.id, p.valor, p.data, l.numero FROM pagamento p JOIN lote l ON l.id = p.lote_id"
    " WHERE p.lote_id IN (SELECT lote_id FROM fatura_lote WHERE fatura_id = ?1)"
    " AND NOT EXISTS (SELECT 1 FROM recebimento r WHERE r.pagamento_id = p.id)"
    " AND NOT EXISTS (SELECT 1 FROM recebimento_guia x JOIN guia g ON g.id = x.guia_id"
    "  WHERE g.lote_id = p.lote_id)";
  fat_stmt *s;
  cJSON *o = NULL, *arr, *mapa = NULL, *row, *difs, *recs = NULL, *it;
  fatura_row f;
  char h[11], v1[32], v2[32];
  int64_t liquido, recebido_normal = 0, ret;
  int r;
  fat_rc rc;

  *out = NULL;
  if (fin_hoje(hoje, h) != 0)
    return fat_err_set(err, FAT_EINVAL, "data de referência '%s' inválida", hoje);
  rc = fatura_carregar(st, id, &f, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_prepare(st, sql_f, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  rc = fat_store_rows_json(st, s, 0, "erro ao ler a fatura", &arr, err);
  if (rc != FAT_OK)
    return rc;
  o = cJSON_DetachItemFromArray(arr, 0);
  cJSON_Delete(arr);
  if (o == NULL)
    return fat_err_oom(err);
  mapa = cJSON_CreateArray();
  if (mapa == NULL)
    goto oom;
  rc = mapa_rows(st, 0, 0, NULL, id, h, mapa, err);
  if (rc != FAT_OK)
    goto fail;
  row = cJSON_GetArrayItem(mapa, 0);
  if (row != NULL) {
    static const char *const ks[] = {"lotes", "valor_enviado", "valor_liberado",
                                     "valor_glosado", "valor_recursado", "valor_recuperado",
                                     "valor_recebido", "saldo_a_receber", "data_recebido",
                                     "dias_atraso", "situacao"};
    size_t i;

    for (i = 0; i < sizeof ks / sizeof ks[0]; i++) {
      cJSON *x = cJSON_DetachItemFromObjectCaseSensitive(row, ks[i]);

      if (x != NULL)
        cJSON_AddItemToObject(o, ks[i], x);
    }
  }
  rc = fat_store_prepare(st, sql_r, &s, err);
  if (rc != FAT_OK)
    goto fail;
  fat_bind_int(s, 1, id);
  rc = fat_store_rows_json(st, s, 0, "erro ao ler os recebimentos", &recs, err);
  if (rc != FAT_OK)
    goto fail;
  cJSON_AddItemToObject(o, "recebimentos", recs);
  cJSON_ArrayForEach(it, recs) {
    if (cJSON_GetObjectItemCaseSensitive(it, "recuperado")->valuedouble == 0)
      recebido_normal += (int64_t)cJSON_GetObjectItemCaseSensitive(it, "valor")->valuedouble;
  }
  difs = cJSON_AddArrayToObject(o, "diferencas");
  if (difs == NULL)
    goto oom;
  ret = soma_ret(&f);
  liquido = (f.tem_nf ? f.nf_valor : f.valor) - ret;
  cJSON_AddNumberToObject(o, "retencoes", (double)ret);
  cJSON_AddNumberToObject(o, "valor_liquido", (double)liquido);
  if (ret > 0) {
    fat_money_format_br(ret, v1, sizeof v1);
    dif(difs, "retencoes", ret, "retenções na nota fiscal: %s (o crédito esperado é o valor da "
                               "nota menos as retenções)", v1);
  }
  if (recebido_normal > 0 && recebido_normal < liquido) {
    fat_money_format_br(liquido - recebido_normal, v1, sizeof v1);
    fat_money_format_br(liquido, v2, sizeof v2);
    dif(difs, "pagamento_a_menor", liquido - recebido_normal,
        "pago a menor: faltam %s do líquido esperado de %s", v1, v2);
  }
  {
    cJSON *lotes = cJSON_GetObjectItemCaseSensitive(o, "lotes");

    cJSON_ArrayForEach(it, lotes) {
      if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "demonstrativo_pagamento")) &&
          recebido_normal > 0)
        dif(difs, "pago_sem_demonstrativo", 0,
            "lote %d: dinheiro recebido sem demonstrativo de pagamento importado",
            (int)cJSON_GetObjectItemCaseSensitive(it, "numero")->valuedouble);
    }
  }
  rc = fat_store_prepare(st, sql_p, &s, err);
  if (rc != FAT_OK)
    goto fail;
  fat_bind_int(s, 1, id);
  while ((r = fat_stmt_step(s)) == FAT_ROW) {
    char d[11], prev[11];
    const cJSON *pv = cJSON_GetObjectItemCaseSensitive(o, "previsao_pagamento");

    fat_col_copy(s, 2, d, sizeof d);
    snprintf(prev, sizeof prev, "%s", cJSON_IsString(pv) ? pv->valuestring : d);
    if (strcmp(h, prev) > 0 && strcmp(h, d) > 0) {
      fat_money_format_br(fat_col_int64(s, 1), v1, sizeof v1);
      dif(difs, "demonstrativo_sem_pagamento", fat_col_int64(s, 1),
          "lote %lld: demonstrativo de pagamento de %s (%s) sem crédito até hoje",
          (long long)fat_col_int64(s, 3), v1, d);
    }
  }
  fat_stmt_reset(s);
  if (r != FAT_DONE) {
    rc = fat_store_dberr(st, err, "erro ao ler os demonstrativos");
    goto fail;
  }
  cJSON_ArrayForEach(it, recs) {
    if (cJSON_GetObjectItemCaseSensitive(it, "excedente")->valuedouble != 0)
      dif(difs, "excedente", (int64_t)cJSON_GetObjectItemCaseSensitive(it, "valor")->valuedouble,
          "recebimento #%d acima do liberado + recuperado, aceito por um usuário",
          (int)cJSON_GetObjectItemCaseSensitive(it, "id")->valuedouble);
  }
  {
    static const char sql_g[] =
      "SELECT g.id AS id, g.numero_prestador AS guia, l.numero AS lote,"
      " COALESCE((SELECT rg.valor_liberado FROM retorno_guia rg WHERE rg.guia_id = g.id"
      "  AND rg.valor_liberado IS NOT NULL ORDER BY rg.id DESC LIMIT 1), g.valor_total)"
      "  + (SELECT COALESCE(SUM(gl.valor_recuperado), 0) FROM glosa gl WHERE gl.guia_id = g.id)"
      "  AS esperado,"
      " (SELECT COALESCE(SUM(x.valor), 0) FROM recebimento_guia x WHERE x.guia_id = g.id)"
      "  AS recebido"
      " FROM guia g JOIN lote l ON l.id = g.lote_id"
      " WHERE g.lote_id IN (SELECT lote_id FROM fatura_lote WHERE fatura_id = ?1)"
      " ORDER BY l.numero, g.numero_prestador";
    cJSON *gs = NULL;

    rc = fat_store_prepare(st, sql_g, &s, err);
    if (rc == FAT_OK) {
      fat_bind_int(s, 1, id);
      rc = fat_store_rows_json(st, s, 0, "erro ao ler as guias da fatura", &gs, err);
    }
    if (rc != FAT_OK)
      goto fail;
    cJSON_ArrayForEach(it, gs) {
      int64_t saldo = (int64_t)cJSON_GetObjectItemCaseSensitive(it, "esperado")->valuedouble -
                      (int64_t)cJSON_GetObjectItemCaseSensitive(it, "recebido")->valuedouble;

      cJSON_AddNumberToObject(it, "saldo", (double)(saldo > 0 ? saldo : 0));
      cJSON_AddStringToObject(it, "situacao", saldo <= 0 ? "baixada"
                              : cJSON_GetObjectItemCaseSensitive(it, "recebido")->valuedouble > 0
                                  ? "baixa parcial"
                                  : "em aberto");
    }
    cJSON_AddItemToObject(o, "guias", gs);
  }
  cJSON_Delete(mapa);
  *out = o;
  return FAT_OK;
oom:
  rc = fat_err_oom(err);
fail:
  cJSON_Delete(mapa);
  cJSON_Delete(o);
  return rc;
}

const char *fat_fatura_status_rotulo(const char *status)
{
  return fat_rotulo_ou("fatura", status);
}
