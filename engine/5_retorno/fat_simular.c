/* fat_simular.c: would a rule have caught this glosa; draft script replay. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fat_check.h"
#include "fat_conferir.h"
#include "fat_dia.h"
#include "fat_glosa.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_simular.h"
#include "fat_store_int.h"

/* The day guia_id's lote was sent (or closed), else its attendance date. */
static fat_rc guia_send_date(fat_store *st, int64_t guia_id, char *out, size_t len,
                             char **script, fat_err *err)
{
  static const char sql[] =
      "SELECT substr(COALESCE(l.enviado_em, l.fechado_em, g.data_inicio), 1, 10), o.script"
      " FROM guia g JOIN operadora o ON o.id = g.operadora_id"
      " LEFT JOIN lote l ON l.id = g.lote_id WHERE g.id = ?1";
  sqlite3_stmt *s;
  fat_rc rc;
  int oom = 0;

  out[0] = '\0';
  *script = NULL;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, guia_id);
  if (sqlite3_step(s) != SQLITE_ROW) {
    sqlite3_reset(s);
    return fat_err_set(err, FAT_ENOTFOUND, "guia %lld não encontrada", (long long)guia_id);
  }
  if (sqlite3_column_type(s, 0) != SQLITE_NULL)
    snprintf(out, len, "%s", (const char *)sqlite3_column_text(s, 0));
  *script = fat_col_strdup(s, 1, &oom);
  sqlite3_reset(s);
  if (oom)
    return fat_err_oom(err);
  return FAT_OK;
}

fat_rc fat_simular_achados(fat_store *st, fat_gen *gen, int64_t guia_id, const char *hoje,
                           fat_findings *out, fat_err *err)
{
  fat_guia *g = NULL;
  cJSON *json = NULL, *ctx = NULL, *contract = NULL;
  fat_check_opts o;
  fat_findings tmp;
  char dia[16];
  char *script = NULL;
  int32_t d;
  fat_rc rc;

  fat_findings_init(&tmp);
  rc = guia_send_date(st, guia_id, dia, sizeof dia, &script, err);
  if (rc != FAT_OK)
    goto out;
  if (hoje != NULL)
    snprintf(dia, sizeof dia, "%s", hoje);
  if (fat_dia_parse(dia, &d) != 0) {
    fat_dia_hoje(dia, sizeof dia);
    (void)fat_dia_parse(dia, &d);
  }
  rc = fat_guia_load(st, guia_id, &g, err);
  if (rc != FAT_OK)
    goto out;
  memset(&o, 0, sizeof o);
  o.hoje = d;
  if (gen != NULL && script != NULL && fat_gen_contract(gen, script, &contract, err) == FAT_OK)
    o.prazo_apresentacao_dias = fat_check_prazo_contrato(contract);
  rc = fat_check_guia(g, &o, &tmp, err);
  if (rc == FAT_OK)
    rc = fat_check_duplicidade(st, g, &tmp, err);
  if (rc != FAT_OK)
    goto out;
  if (gen != NULL && script != NULL) {
    json = fat_guia_to_json(g);
    ctx = cJSON_CreateObject();
    if (json == NULL || ctx == NULL || cJSON_AddStringToObject(ctx, "hoje", dia) == NULL) {
      rc = fat_err_oom(err);
      goto out;
    }
    {
      cJSON *hist = NULL;

      rc = fat_conferir_historico(st, guia_id, &hist, err);
      if (rc != FAT_OK)
        goto out;
      if (hist != NULL && !cJSON_AddItemToObject(ctx, "historico", hist)) {
        cJSON_Delete(hist);
        rc = fat_err_oom(err);
        goto out;
      }
    }
    rc = fat_gen_check(gen, script, json, ctx, &tmp, err);
    if (rc == FAT_ENOTFOUND)
      rc = FAT_OK; /* no script for this operator: built-in checks only */
    if (rc != FAT_OK)
      goto out;
  }
  rc = fat_findings_move(out, &tmp, err);
out:
  fat_findings_fini(&tmp);
  cJSON_Delete(json);
  cJSON_Delete(ctx);
  cJSON_Delete(contract);
  fat_guia_free(g);
  fat_free(script);
  return rc;
}

/* Does a finding predict this glosa? 2 = same code, 1 = same group, 0 = no.
** Only bloqueio findings count when bloqueio_only. */
static int predicts(const fat_finding *f, const char *codigo, int item_seq, int bloqueio_only)
{
  if (f->glosa_prevista == NULL || (bloqueio_only && f->severidade != FAT_BLOQUEIO))
    return 0;
  if (item_seq > 0 && f->item_seq > 0 && f->item_seq != item_seq)
    return 0;
  if (strcmp(f->glosa_prevista, codigo) == 0)
    return 2;
  if (strcmp(fat_glosa_grupo_builtin(f->glosa_prevista), fat_glosa_grupo_builtin(codigo)) == 0)
    return 1;
  return 0;
}

fat_rc fat_simular_prever_guia(fat_store *st, fat_gen *gen, int64_t guia_id, int64_t retorno_id,
                               size_t *n_prev, fat_err *err)
{
  static const char sel[] =
      "SELECT gl.id, gl.codigo, COALESCE(i.sequencial, 0) FROM glosa gl"
      " LEFT JOIN item i ON i.id = gl.item_id WHERE gl.guia_id = ?1"
      " AND (?2 = 0 OR gl.retorno_id = ?2)";
  static const char upd[] = "UPDATE glosa SET prevista = ?2, prevista_por = ?3 WHERE id = ?1";
  fat_findings f;
  sqlite3_stmt *s, *u;
  fat_rc rc;
  size_t i, n = 0, k, cnt = 0;
  int64_t ids[256];
  char codes[256][8];
  int seqs[256];
  char por[400];

  if (n_prev != NULL)
    *n_prev = 0;
  fat_findings_init(&f);
  rc = fat_simular_achados(st, gen, guia_id, NULL, &f, err);
  if (rc != FAT_OK)
    goto out;
  rc = fat_store_prepare(st, sel, &s, err);
  if (rc != FAT_OK)
    goto out;
  fat_bind_int(s, 1, guia_id);
  fat_bind_int(s, 2, retorno_id);
  while (n < 256 && sqlite3_step(s) == SQLITE_ROW) {
    ids[n] = sqlite3_column_int64(s, 0);
    snprintf(codes[n], sizeof codes[n], "%s", (const char *)sqlite3_column_text(s, 1));
    seqs[n] = sqlite3_column_int(s, 2);
    n++;
  }
  sqlite3_reset(s);
  for (i = 0; i < n; i++) {
    int best = 0;

    por[0] = '\0';
    for (k = 0; k < f.n; k++) {
      int p = predicts(&f.v[k], codes[i], seqs[i], 0);

      if (p == 0)
        continue;
      if (p > best)
        best = p;
      if (strlen(por) + strlen(f.v[k].codigo) + 2 < sizeof por && strstr(por, f.v[k].codigo) == NULL) {
        if (por[0] != '\0')
          strcat(por, ",");
        strcat(por, f.v[k].codigo);
      }
    }
    rc = fat_store_prepare(st, upd, &u, err);
    if (rc != FAT_OK)
      goto out;
    fat_bind_int(u, 1, ids[i]);
    fat_bind_int(u, 2, best > 0);
    fat_bind_text(u, 3, por[0] != '\0' ? por : NULL);
    if (sqlite3_step(u) != SQLITE_DONE)
      rc = fat_store_dberr(st, err, "não foi possível gravar a previsão da glosa");
    sqlite3_reset(u);
    if (rc != FAT_OK)
      goto out;
    if (best > 0)
      cnt++;
  }
  if (n_prev != NULL)
    *n_prev = cnt;
out:
  fat_findings_fini(&f);
  return rc;
}

void fat_simular_res_fini(fat_simular_res *r)
{
  if (r == NULL)
    return;
  cJSON_Delete(r->detalhes);
  r->detalhes = NULL;
}

typedef struct past_glosa {
  int64_t id;
  char codigo[8];
  int item_seq;
  int64_t valor;
} past_glosa;

/* Evaluate one side (draft or current) over one guia. */
static void lado_guia(fat_simular_lado *l, const fat_findings *f, const past_glosa *gl, size_t n,
                      int64_t valor_guia, int *evitou, cJSON *det, const char *lado,
                      const char *numero)
{
  size_t i, k;
  int blocked = 0;
  cJSON *o;

  for (k = 0; k < f->n; k++)
    if (f->v[k].severidade == FAT_BLOQUEIO)
      blocked = 1;
  if (blocked)
    l->guias_bloqueadas++;
  if (n == 0 && blocked) {
    l->falsos_alarmes++;
    l->valor_falsos += valor_guia;
    if (det != NULL && (o = cJSON_CreateObject()) != NULL) {
      cJSON_AddStringToObject(o, "lado", lado);
      cJSON_AddStringToObject(o, "tipo", "falso_alarme");
      cJSON_AddStringToObject(o, "guia", numero);
      for (k = 0; k < f->n; k++)
        if (f->v[k].severidade == FAT_BLOQUEIO) {
          cJSON_AddStringToObject(o, "achado", f->v[k].codigo);
          break;
        }
      cJSON_AddItemToArray(det, o);
    }
  }
  for (i = 0; i < n; i++) {
    int best = 0;
    const char *by = NULL;

    for (k = 0; k < f->n; k++) {
      int p = predicts(&f->v[k], gl[i].codigo, gl[i].item_seq, 1);

      if (p > best) {
        best = p;
        by = f->v[k].codigo;
      }
    }
    evitou[i] = best > 0;
    if (best > 0) {
      l->glosas_evitadas++;
      l->valor_evitado += gl[i].valor;
      if (det != NULL && (o = cJSON_CreateObject()) != NULL) {
        cJSON_AddStringToObject(o, "lado", lado);
        cJSON_AddStringToObject(o, "tipo", "glosa_evitada");
        cJSON_AddStringToObject(o, "guia", numero);
        cJSON_AddNumberToObject(o, "glosa_id", (double)gl[i].id);
        cJSON_AddStringToObject(o, "codigo", gl[i].codigo);
        cJSON_AddNumberToObject(o, "valor", (double)gl[i].valor);
        cJSON_AddStringToObject(o, "achado", by);
        cJSON_AddItemToArray(det, o);
      }
    }
  }
}

fat_rc fat_simular_regras(fat_store *st, const fat_simular_opts *o, fat_simular_res *res,
                          fat_err *err)
{
  static const char q_guias[] =
      "SELECT g.id, g.numero_prestador, g.valor_total FROM guia g"
      " JOIN operadora op ON op.id = g.operadora_id"
      " WHERE (op.registro_ans = ?1 OR op.script = ?1) AND (?2 IS NULL OR g.data_inicio >= ?2)"
      " AND (EXISTS (SELECT 1 FROM retorno_guia rg WHERE rg.guia_id = g.id)"
      "      OR EXISTS (SELECT 1 FROM glosa x WHERE x.guia_id = g.id))"
      " ORDER BY g.id";
  static const char q_glosas[] =
      "SELECT gl.id, gl.codigo, COALESCE(i.sequencial, 0), gl.valor FROM glosa gl"
      " LEFT JOIN item i ON i.id = gl.item_id WHERE gl.guia_id = ?1 ORDER BY gl.id";
  static const char q_script[] =
      "SELECT script FROM operadora WHERE registro_ans = ?1 OR script = ?1";
  fat_gen *draft = NULL, *cur = NULL;
  sqlite3_stmt *s;
  fat_rc rc;
  int64_t *gids = NULL, *gvals = NULL;
  char (*gnums)[24] = NULL;
  size_t ng = 0, cap = 0, i, n;
  past_glosa gl[128];
  int ev_d[128], ev_c[128];
  char key[64] = "";
  fat_findings fd, fc;
  fat_err e2;

  memset(res, 0, sizeof *res);
  fat_findings_init(&fd);
  fat_findings_init(&fc);
  if (o->operadora == NULL || o->script_path == NULL || o->regras_dir == NULL)
    return fat_err_set(err, FAT_EINVAL, "informe a operadora, o script e a pasta de regras");
  if (o->desde != NULL && !fat_dia_valida(o->desde))
    return fat_err_set(err, FAT_EINVAL, "data '%s' inválida (use AAAA-MM-DD)", o->desde);
  rc = fat_store_prepare(st, q_script, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, o->operadora);
  if (sqlite3_step(s) == SQLITE_ROW)
    snprintf(key, sizeof key, "%s", (const char *)sqlite3_column_text(s, 0));
  sqlite3_reset(s);
  if (key[0] == '\0')
    return fat_err_set(err, FAT_ENOTFOUND, "operadora '%s' não cadastrada", o->operadora);
  rc = fat_gen_build(o->regras_dir, key, o->script_path, NULL, &draft, err);
  if (rc != FAT_OK) {
    fat_err_prefix(err, "o rascunho não compila: ");
    return rc;
  }
  fat_err_clear(&e2);
  res->tem_atual = fat_gen_build(o->regras_dir, NULL, NULL, NULL, &cur, &e2) == FAT_OK;
  res->detalhes = cJSON_CreateArray();
  if (res->detalhes == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  rc = fat_store_prepare(st, q_guias, &s, err);
  if (rc != FAT_OK)
    goto out;
  fat_bind_text(s, 1, o->operadora);
  fat_bind_text(s, 2, o->desde);
  while (sqlite3_step(s) == SQLITE_ROW) {
    if (ng == cap) {
      size_t nc = cap == 0 ? 64 : cap * 2;
      int64_t *a = fat_realloc(gids, nc * sizeof *a);
      int64_t *b;
      char(*c)[24];

      if (a == NULL)
        break;
      gids = a;
      b = fat_realloc(gvals, nc * sizeof *b);
      if (b == NULL)
        break;
      gvals = b;
      c = fat_realloc(gnums, nc * sizeof *c);
      if (c == NULL)
        break;
      gnums = c;
      cap = nc;
    }
    gids[ng] = sqlite3_column_int64(s, 0);
    snprintf(gnums[ng], sizeof gnums[ng], "%s", (const char *)sqlite3_column_text(s, 1));
    gvals[ng] = sqlite3_column_int64(s, 2);
    ng++;
  }
  sqlite3_reset(s);
  for (i = 0; i < ng; i++) {
    rc = fat_store_prepare(st, q_glosas, &s, err);
    if (rc != FAT_OK)
      goto out;
    fat_bind_int(s, 1, gids[i]);
    n = 0;
    while (n < 128 && sqlite3_step(s) == SQLITE_ROW) {
      gl[n].id = sqlite3_column_int64(s, 0);
      snprintf(gl[n].codigo, sizeof gl[n].codigo, "%s", (const char *)sqlite3_column_text(s, 1));
      gl[n].item_seq = sqlite3_column_int(s, 2);
      gl[n].valor = sqlite3_column_int64(s, 3);
      res->valor_glosado += gl[n].valor;
      n++;
    }
    sqlite3_reset(s);
    res->guias++;
    res->glosas += n;
    if (n > 0)
      res->guias_glosadas++;
    else
      res->guias_pagas++;
    fat_findings_clear(&fd);
    rc = fat_simular_achados(st, draft, gids[i], NULL, &fd, err);
    if (rc != FAT_OK) {
      fat_err_prefix(err, "guia %s: ", gnums[i]);
      goto out;
    }
    lado_guia(&res->rascunho, &fd, gl, n, gvals[i], ev_d, res->detalhes, "rascunho", gnums[i]);
    if (res->tem_atual) {
      fat_findings_clear(&fc);
      rc = fat_simular_achados(st, cur, gids[i], NULL, &fc, err);
      if (rc != FAT_OK) {
        fat_err_prefix(err, "guia %s: ", gnums[i]);
        goto out;
      }
      lado_guia(&res->atual, &fc, gl, n, gvals[i], ev_c, NULL, "atual", gnums[i]);
    }
  }
  rc = FAT_OK;
out:
  fat_findings_fini(&fd);
  fat_findings_fini(&fc);
  fat_free(gids);
  fat_free(gvals);
  fat_free(gnums);
  fat_gen_release(draft);
  if (cur != NULL)
    fat_gen_release(cur);
  if (rc != FAT_OK)
    fat_simular_res_fini(res);
  return rc;
}

static cJSON *lado_json(const fat_simular_lado *l)
{
  cJSON *o = cJSON_CreateObject();

  if (o == NULL)
    return NULL;
  cJSON_AddNumberToObject(o, "glosas_evitadas", (double)l->glosas_evitadas);
  cJSON_AddNumberToObject(o, "valor_evitado", (double)l->valor_evitado);
  cJSON_AddNumberToObject(o, "guias_bloqueadas", (double)l->guias_bloqueadas);
  cJSON_AddNumberToObject(o, "falsos_alarmes", (double)l->falsos_alarmes);
  cJSON_AddNumberToObject(o, "valor_falsos_alarmes", (double)l->valor_falsos);
  return o;
}

cJSON *fat_simular_res_json(const fat_simular_res *r)
{
  cJSON *o = cJSON_CreateObject(), *x;

  if (o == NULL)
    return NULL;
  cJSON_AddNumberToObject(o, "guias", (double)r->guias);
  cJSON_AddNumberToObject(o, "guias_glosadas", (double)r->guias_glosadas);
  cJSON_AddNumberToObject(o, "guias_pagas", (double)r->guias_pagas);
  cJSON_AddNumberToObject(o, "glosas", (double)r->glosas);
  cJSON_AddNumberToObject(o, "valor_glosado", (double)r->valor_glosado);
  x = lado_json(&r->rascunho);
  if (x != NULL)
    cJSON_AddItemToObject(o, "rascunho", x);
  if (r->tem_atual && (x = lado_json(&r->atual)) != NULL)
    cJSON_AddItemToObject(o, "atual", x);
  if (r->detalhes != NULL && (x = cJSON_Duplicate(r->detalhes, 1)) != NULL)
    cJSON_AddItemToObject(o, "detalhes", x);
  return o;
}
