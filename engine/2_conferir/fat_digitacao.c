/* fat_digitacao.c: guias typed by hand (fat_digitacao.h). */
#include "fat_digitacao.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fat_avaliar.h"
#include "fat_check.h"
#include "fat_dia.h"
#include "fat_money.h"
#include "fat_guias_int.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_revisao.h"
#include "fat_store_int.h"

static int blank(const char *s) { return s == NULL || s[0] == '\0'; }

/* {======================================================================
** Sessions
** ======================================================================= */

/* "AAAA-MM-DD" or "DD/MM/AAAA" -> "AAAA-MM-DD" in iso; 0 when invalid. */
static int data_sessao(const char *s, char iso[11])
{
  if (s == NULL)
    return 0;
  if (strlen(s) == 10 && s[2] == '/' && s[5] == '/')
    snprintf(iso, 11, "%.4s-%.2s-%.2s", s + 6, s + 3, s);
  else
    snprintf(iso, 11, "%s", s);
  return strlen(s) == 10 && fat_dia_valida(iso);
}

fat_rc fat_digitacao_expandir(const cJSON *form, cJSON **out, fat_err *err)
{
  const cJSON *itens = cJSON_GetObjectItemCaseSensitive(form, "itens"), *it;
  cJSON *copia = NULL, *novos = NULL;
  int tem = 0, seq = 0, pos = 0;
  fat_rc rc = FAT_OK;

  *out = NULL;
  cJSON_ArrayForEach(it, itens)
  {
    if (cJSON_GetObjectItemCaseSensitive(it, "sessoes") != NULL)
      tem = 1;
  }
  copia = cJSON_Duplicate(form, 1);
  if (copia == NULL)
    return fat_err_oom(err);
  if (!tem) {
    *out = copia;
    return FAT_OK;
  }
  novos = cJSON_CreateArray();
  if (novos == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  cJSON_ArrayForEach(it, itens)
  {
    const cJSON *ses = cJSON_GetObjectItemCaseSensitive(it, "sessoes"), *d;
    int n = 0;

    pos++;
    if (ses == NULL) {
      cJSON *c = cJSON_Duplicate(it, 1);

      if (c == NULL || !cJSON_AddItemToArray(novos, c)) {
        cJSON_Delete(c);
        rc = fat_err_oom(err);
        goto out;
      }
      cJSON_DeleteItemFromObjectCaseSensitive(c, "sequencial");
      if (cJSON_AddNumberToObject(c, "sequencial", ++seq) == NULL) {
        rc = fat_err_oom(err);
        goto out;
      }
      continue;
    }
    if (!cJSON_IsArray(ses) || cJSON_GetArraySize(ses) == 0 ||
        cJSON_GetArraySize(ses) > FAT_DIGITACAO_MAX_SESSOES) {
      rc = fat_err_set(err, FAT_EINVAL,
                       "item %d: sessoes deve ser uma lista de 1 a %d datas (DD/MM/AAAA)", pos,
                       FAT_DIGITACAO_MAX_SESSOES);
      goto out;
    }
    cJSON_ArrayForEach(d, ses)
    {
      char iso[11];
      cJSON *c;

      n++;
      if (!cJSON_IsString(d) || !data_sessao(d->valuestring, iso)) {
        rc = fat_err_set(err, FAT_EINVAL, "item %d, sessão %d: data inválida (use DD/MM/AAAA)",
                         pos, n);
        goto out;
      }
      c = cJSON_Duplicate(it, 1);
      if (c == NULL || !cJSON_AddItemToArray(novos, c)) {
        cJSON_Delete(c);
        rc = fat_err_oom(err);
        goto out;
      }
      cJSON_DeleteItemFromObjectCaseSensitive(c, "sessoes");
      cJSON_DeleteItemFromObjectCaseSensitive(c, "sequencial");
      cJSON_DeleteItemFromObjectCaseSensitive(c, "data");
      if (cJSON_AddNumberToObject(c, "sequencial", ++seq) == NULL ||
          cJSON_AddStringToObject(c, "data", iso) == NULL) {
        rc = fat_err_oom(err);
        goto out;
      }
    }
  }
  if (!cJSON_ReplaceItemInObjectCaseSensitive(copia, "itens", novos)) {
    rc = fat_err_oom(err);
    goto out;
  }
  novos = NULL;
out:
  cJSON_Delete(novos);
  if (rc != FAT_OK) {
    cJSON_Delete(copia);
    return rc;
  }
  *out = copia;
  return FAT_OK;
}

/* }====================================================================== */

/* {======================================================================
** Reading the form
** ======================================================================= */

/* Expand sessions and read the form as a guia; a problem of the form is
** FAT_EINVAL with its field (items by número) in campo and the problem
** alone in err->msg. *form_out (may be NULL) gets the expanded form. */
static fat_rc ler_form(const cJSON *form, fat_guia **g, cJSON **form_out, char *campo,
                       size_t campo_len, fat_err *err)
{
  cJSON *ex = NULL;
  char bruto[128];
  fat_rc rc;

  *g = NULL;
  campo[0] = '\0';
  if (form_out != NULL)
    *form_out = NULL;
  if (!cJSON_IsObject(form))
    return fat_err_set(err, FAT_EINVAL, "a guia deve ser um objeto JSON");
  rc = fat_digitacao_expandir(form, &ex, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_guia_from_json_campo(ex, g, bruto, sizeof bruto, err);
  if (rc != FAT_OK && bruto[0] != '\0')
    fat_guias_numerar_campo(ex, bruto, campo, campo_len);
  if (rc == FAT_OK && form_out != NULL)
    *form_out = ex;
  else
    cJSON_Delete(ex);
  return rc;
}

/* Fill the ids (operadora, prestador, beneficiário) and the script key of a
** guia that is not stored. A name the cadastro does not know is
** FAT_ENOTFOUND with its field in campo. */
static fat_rc resolver(fat_store *st, fat_guia *g, char *campo, size_t campo_len, fat_err *err)
{
  static const char sql_op[] = "SELECT id, script, nome FROM operadora WHERE registro_ans = ?1";
  static const char sql_cart[] =
    "SELECT beneficiario_id FROM carteira WHERE operadora_id = ?1 AND numero = ?2";
  static const char sql_cpf[] = "SELECT id FROM beneficiario WHERE cpf = ?1 ORDER BY id LIMIT 1";
  fat_stmt *s;
  int step, oom = 0;
  fat_rc rc = fat_store_prepare(st, sql_op, &s, err);

  campo[0] = '\0';
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, g->operadora.registro_ans);
  step = fat_stmt_step(s);
  if (step == FAT_ROW) {
    g->operadora.id = fat_col_int64(s, 0);
    fat_free(g->operadora.script);
    g->operadora.script = fat_col_strdup(s, 1, &oom);
    if (g->operadora.nome == NULL)
      g->operadora.nome = fat_col_strdup(s, 2, &oom);
  }
  fat_stmt_reset(s);
  if (oom)
    return fat_err_oom(err);
  if (step == FAT_DONE) {
    snprintf(campo, campo_len, "operadora.registro_ans");
    return fat_err_set(err, FAT_ENOTFOUND,
                       "operadora com registro ANS %s não cadastrada (use: faturo cadastro "
                       "operadora)",
                       g->operadora.registro_ans);
  }
  if (step != FAT_ROW)
    return fat_store_dberr(st, err, "erro ao ler a operadora");
  rc = fat_prestador_id(st, g->prestador.cnpj, g->prestador.cpf, &g->prestador.id, err);
  if (rc == FAT_ENOTFOUND)
    snprintf(campo, campo_len, g->prestador.cnpj != NULL ? "prestador.cnpj" : "prestador.cpf");
  if (rc != FAT_OK || g->beneficiario.id > 0)
    return rc;
  if (!blank(g->carteira_numero)) {
    rc = fat_store_prepare(st, sql_cart, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, g->operadora.id);
    fat_bind_text(s, 2, g->carteira_numero);
    if (fat_stmt_step(s) == FAT_ROW)
      g->beneficiario.id = fat_col_int64(s, 0);
    fat_stmt_reset(s);
  }
  if (g->beneficiario.id == 0 && !blank(g->beneficiario.cpf)) {
    rc = fat_store_prepare(st, sql_cpf, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_text(s, 1, g->beneficiario.cpf);
    if (fat_stmt_step(s) == FAT_ROW)
      g->beneficiario.id = fat_col_int64(s, 0);
    fat_stmt_reset(s);
  }
  return FAT_OK;
}

/* }====================================================================== */

/* {======================================================================
** Evaluate without storing
** ======================================================================= */

static cJSON *resposta_invalida(const char *campo, const char *msg)
{
  cJSON *o = cJSON_CreateObject(), *erros, *e;
  char rot[160];

  if (o == NULL)
    return NULL;
  fat_revisao_rotulo(campo, rot, sizeof rot);
  erros = cJSON_AddArrayToObject(o, "erros");
  e = cJSON_CreateObject();
  if (erros == NULL || e == NULL || !cJSON_AddItemToArray(erros, e) ||
      cJSON_AddFalseToObject(o, "valido") == NULL ||
      cJSON_AddFalseToObject(o, "pronta") == NULL ||
      cJSON_AddStringToObject(e, "campo", campo) == NULL ||
      cJSON_AddStringToObject(e, "rotulo", campo[0] != '\0' ? rot : "") == NULL ||
      cJSON_AddStringToObject(e, "mensagem", msg) == NULL ||
      cJSON_AddArrayToObject(o, "achados") == NULL) {
    if (erros != NULL && cJSON_GetArraySize(erros) == 0)
      cJSON_Delete(e);
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

/* The item a finding concerns (its sequencial) and its field with the item
** named by número. */
static int achado_item(const fat_guia *g, const fat_finding *f, char *campo, size_t len)
{
  char *end;
  long i;

  snprintf(campo, len, "%s", f->campo != NULL ? f->campo : "");
  if (f->campo == NULL || strncmp(f->campo, "itens[", 6) != 0)
    return f->item_seq;
  i = strtol(f->campo + 6, &end, 10);
  if (end == f->campo + 6 || *end != ']' || i < 0 || (size_t)i >= g->n_itens)
    return f->item_seq;
  snprintf(campo, len, "itens[%d]%s", g->itens[i].sequencial, end + 1);
  return g->itens[i].sequencial;
}

static cJSON *resposta(const fat_guia *g, const fat_avaliacao *av)
{
  cJSON *o = cJSON_CreateObject(), *ach, *pre;
  int64_t risco = 0, cap = fat_check_valor_guia(g), bloq = 0, alert = 0;
  size_t i;
  char campo[160], rot[200];

  if (o == NULL)
    return NULL;
  ach = cJSON_AddArrayToObject(o, "achados");
  pre = cJSON_AddArrayToObject(o, "precos");
  if (ach == NULL || pre == NULL)
    goto oom;
  for (i = 0; i < av->achados.n; i++) {
    const fat_finding *f = &av->achados.v[i];
    cJSON *a = cJSON_CreateObject();
    int seq = achado_item(g, f, campo, sizeof campo);

    if (a == NULL || !cJSON_AddItemToArray(ach, a)) {
      cJSON_Delete(a);
      goto oom;
    }
    fat_revisao_rotulo(campo, rot, sizeof rot);
    if (cJSON_AddStringToObject(a, "codigo", f->codigo) == NULL ||
        cJSON_AddStringToObject(a, "severidade", fat_severidade_str(f->severidade)) == NULL ||
        cJSON_AddStringToObject(a, "campo", campo) == NULL ||
        cJSON_AddStringToObject(a, "rotulo", campo[0] != '\0' ? rot : "") == NULL ||
        cJSON_AddNumberToObject(a, "item", seq) == NULL ||
        cJSON_AddStringToObject(a, "mensagem", f->mensagem) == NULL ||
        (f->glosa_prevista != NULL &&
         cJSON_AddStringToObject(a, "glosa_prevista", f->glosa_prevista) == NULL) ||
        cJSON_AddNumberToObject(a, "valor_risco", (double)f->valor_risco) == NULL ||
        cJSON_AddStringToObject(a, "regra", f->regra != NULL ? f->regra : "builtin") == NULL)
      goto oom;
    if (f->severidade == FAT_BLOQUEIO) {
      bloq++;
      risco += f->valor_risco;
    } else {
      alert++;
    }
  }
  for (i = 0; i < g->n_itens && i < av->n_itens; i++) {
    cJSON *p;

    if (!av->preenchido[i])
      continue;
    p = cJSON_CreateObject();
    if (p == NULL || !cJSON_AddItemToArray(pre, p)) {
      cJSON_Delete(p);
      goto oom;
    }
    if (cJSON_AddNumberToObject(p, "item", g->itens[i].sequencial) == NULL ||
        cJSON_AddNumberToObject(p, "valor_unitario", (double)g->itens[i].valor_unitario) ==
            NULL ||
        cJSON_AddNumberToObject(p, "valor_total", (double)g->itens[i].valor_total) == NULL)
      goto oom;
  }
  if (cap > 0 && risco > cap)
    risco = cap;
  if (cJSON_AddTrueToObject(o, "valido") == NULL ||
      cJSON_AddBoolToObject(o, "pronta", bloq == 0 && av->erro[0] == '\0') == NULL ||
      cJSON_AddNumberToObject(o, "bloqueios", (double)bloq) == NULL ||
      cJSON_AddNumberToObject(o, "alertas", (double)alert) == NULL ||
      cJSON_AddNumberToObject(o, "valor_risco", (double)risco) == NULL ||
      cJSON_AddNumberToObject(o, "valor_total", (double)(av->valor_total_novo != FAT_ABSENT
                                                             ? av->valor_total_novo
                                                             : g->valor_total)) == NULL ||
      (av->erro[0] != '\0' && cJSON_AddStringToObject(o, "erro", av->erro) == NULL))
    goto oom;
  return o;
oom:
  cJSON_Delete(o);
  return NULL;
}

/* The sessions of an SP/SADT guia against its contract, for the form:
** o.sessoes = [{codigo, sessoes, max}] per procedure code with a limit (the
** check itself is SESSOES_EXCEDIDAS, in fat_avaliar). 0, or -1 on OOM. */
static int sessoes_do_contrato(cJSON *o, const fat_guia *g, fat_gen *gen)
{
  const fat_contrato *c =
    gen != NULL && g->operadora.script != NULL ? fat_gen_contrato(gen, g->operadora.script) : NULL;
  cJSON *arr;
  size_t i, j;

  if (c == NULL || g->tipo != FAT_GUIA_SADT)
    return 0;
  arr = cJSON_AddArrayToObject(o, "sessoes");
  if (arr == NULL)
    return -1;
  for (i = 0; i < g->n_itens; i++) {
    const char *cod = g->itens[i].codigo;
    int max = fat_contrato_sessoes_max(c, cod), n = 0, visto = 0;
    cJSON *e;

    if (blank(cod) || max <= 0)
      continue;
    for (j = 0; j < g->n_itens; j++) {
      if (!blank(g->itens[j].codigo) && strcmp(g->itens[j].codigo, cod) == 0) {
        visto |= j < i;
        n++;
      }
    }
    if (visto)
      continue;
    e = cJSON_CreateObject();
    if (e == NULL || !cJSON_AddItemToArray(arr, e) ||
        cJSON_AddStringToObject(e, "codigo", cod) == NULL ||
        cJSON_AddNumberToObject(e, "sessoes", n) == NULL ||
        cJSON_AddNumberToObject(e, "max", max) == NULL)
      return -1;
  }
  return 0;
}

fat_rc fat_digitacao_avaliar(fat_store *st, fat_rules *rules, const cJSON *form,
                             const char *hoje, cJSON **out, fat_err *err)
{
  fat_guia *g = NULL;
  fat_gen *gen = NULL;
  fat_avaliador *av = NULL;
  fat_avaliar_ctx ctx;
  fat_avaliacao aval;
  char campo[160], dia[11];
  fat_err ferr;
  fat_rc rc;

  *out = NULL;
  fat_avaliar_ctx_init(&ctx);
  fat_avaliacao_init(&aval);
  fat_err_clear(&ferr);
  if (hoje == NULL)
    fat_dia_hoje(dia, sizeof dia);
  else
    snprintf(dia, sizeof dia, "%s", hoje);
  rc = ler_form(form, &g, NULL, campo, sizeof campo, &ferr);
  if (rc == FAT_OK)
    rc = resolver(st, g, campo, sizeof campo, &ferr);
  if (rc == FAT_EINVAL || rc == FAT_ENOTFOUND || rc == FAT_ELIMIT) {
    /* the form is not a guia yet: say where */
    *out = resposta_invalida(campo, ferr.msg);
    rc = *out != NULL ? FAT_OK : fat_err_oom(err);
    goto out;
  }
  if (rc != FAT_OK) {
    *err = ferr;
    goto out;
  }
  if (rules != NULL)
    gen = fat_rules_acquire(rules);
  rc = fat_avaliador_new(st, gen, &av, err);
  if (rc == FAT_OK)
    rc = fat_avaliar_ctx_load(av, g, dia, &ctx, err);
  if (rc == FAT_OK)
    rc = fat_avaliar(gen, g->operadora.script, g, &ctx, &aval, err);
  if (rc == FAT_OK) {
    *out = resposta(g, &aval);
    if (*out == NULL || sessoes_do_contrato(*out, g, gen) != 0)
      rc = fat_err_oom(err);
  }
out:
  fat_avaliacao_fini(&aval);
  fat_avaliar_ctx_fini(&ctx);
  fat_avaliador_free(av);
  if (gen != NULL)
    fat_gen_release(gen);
  fat_guia_free(g);
  return rc;
}

/* }====================================================================== */

/* {======================================================================
** Save as a guia
** ======================================================================= */

/* The guia of the same operadora and prestador with the same número. */
static fat_rc numero_existente(fat_store *st, const fat_guia *g, int64_t *id, fat_err *err)
{
  static const char sql[] =
    "SELECT g.id FROM guia g JOIN operadora o ON o.id = g.operadora_id "
    "JOIN prestador p ON p.id = g.prestador_id WHERE o.registro_ans = ?1 "
    "AND g.numero_prestador = ?2 AND ((?3 IS NOT NULL AND p.cnpj = ?3) OR "
    "(?3 IS NULL AND p.cnpj IS NULL AND p.cpf = ?4))";
  fat_stmt *s;
  int step;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  *id = 0;
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, g->operadora.registro_ans);
  fat_bind_text(s, 2, g->numero_prestador);
  fat_bind_text(s, 3, g->prestador.cnpj);
  fat_bind_text(s, 4, g->prestador.cpf);
  step = fat_stmt_step(s);
  if (step == FAT_ROW)
    *id = fat_col_int64(s, 0);
  fat_stmt_reset(s);
  if (step != FAT_ROW && step != FAT_DONE)
    return fat_store_dberr(st, err, "erro ao procurar o número da guia");
  return FAT_OK;
}

static fat_rc rascunho_apagar(fat_store *st, int64_t id, fat_err *err)
{
  static const char sql[] = "DELETE FROM guia_rascunho WHERE id = ?1 RETURNING id";
  fat_stmt *s;
  char obj[40];
  int step;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  step = fat_stmt_step(s);
  fat_stmt_reset(s);
  if (step == FAT_DONE)
    return fat_err_set(err, FAT_ENOTFOUND, "rascunho %lld não encontrado", (long long)id);
  if (step != FAT_ROW)
    return fat_store_dberr(st, err, "erro ao apagar o rascunho");
  snprintf(obj, sizeof obj, "rascunho:%lld", (long long)id);
  return fat_store_audit(st, "rascunho.apagar", obj, NULL, err);
}

fat_rc fat_digitacao_gravar(fat_store *st, const cJSON *form, int64_t rascunho_id,
                            const fat_guia_edit_opts *o, fat_guia_mudanca *out, fat_err *err)
{
  fat_guias_estado e;
  fat_guia *g = NULL;
  char campo[160];
  int64_t outra = 0;
  fat_rc rc;

  fat_guia_mudanca_init(out);
  rc = ler_form(form, &g, NULL, campo, sizeof campo, err);
  if (rc != FAT_OK) {
    if (campo[0] != '\0')
      fat_err_prefix(err, "%s: ", campo);
    return rc;
  }
  g->id = 0;
  g->lote_id = 0;
  g->revisao = 0;
  fat_free(g->status);
  g->status = NULL;
  fat_free(g->origem);
  g->origem = NULL;
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    goto fim;
  rc = numero_existente(st, g, &outra, err);
  if (rc == FAT_OK && outra > 0)
    rc = fat_err_set(err, FAT_ESTATE,
                     "a operadora %s já tem a guia %s deste prestador (id %lld): corrija-a "
                     "(faturo guia editar %lld) ou use outro número",
                     g->operadora.registro_ans, g->numero_prestador, (long long)outra,
                     (long long)outra);
  if (rc == FAT_OK)
    rc = fat_guia_save(st, g, err);
  if (rc == FAT_OK && rascunho_id > 0)
    rc = rascunho_apagar(st, rascunho_id, err);
  if (rc == FAT_OK)
    rc = fat_guias_estado_load(st, g->id, &e, err);
  if (rc == FAT_OK) {
    out->guia_id = g->id;
    out->revisao = g->revisao;
    out->alteracoes = cJSON_CreateArray();
    rc = out->alteracoes != NULL ? fat_guias_reconferir(st, g->id, &e, o, out, err)
                                 : fat_err_oom(err);
  }
  if (rc != FAT_OK) {
    fat_store_rollback(st);
    goto fim;
  }
  rc = fat_store_commit(st, err);
fim:
  fat_guia_free(g);
  return rc;
}

/* }====================================================================== */

/* {======================================================================
** Drafts
** ======================================================================= */

static const char *form_str(const cJSON *form, const char *k, const char *sub)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(form, k);

  if (sub != NULL)
    v = cJSON_GetObjectItemCaseSensitive(v, sub);
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

fat_rc fat_digitacao_rascunho_salvar(fat_store *st, int64_t id, const cJSON *form,
                                     int64_t *novo_id, fat_err *err)
{
  static const char sql_ins[] =
    "INSERT INTO guia_rascunho(tipo, registro_ans, numero_prestador, dados, criado_em, "
    "criado_por, atualizado_em, atualizado_por) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?5, ?6)";
  static const char sql_upd[] =
    "UPDATE guia_rascunho SET tipo = ?1, registro_ans = ?2, numero_prestador = ?3, dados = ?4, "
    "atualizado_em = ?5, atualizado_por = ?6 WHERE id = ?7 RETURNING id";
  fat_stmt *s;
  char *txt = NULL, now[32], obj[40];
  int step;
  fat_rc rc;

  if (novo_id != NULL)
    *novo_id = 0;
  if (!cJSON_IsObject(form))
    return fat_err_set(err, FAT_EINVAL, "o rascunho deve ser o formulário da guia (objeto JSON)");
  txt = cJSON_PrintUnformatted(form);
  if (txt == NULL)
    return fat_err_oom(err);
  if (strlen(txt) > FAT_DIGITACAO_MAX_FORM) {
    cJSON_free(txt);
    return fat_err_set(err, FAT_ELIMIT, "rascunho grande demais (máximo %d KiB)",
                       FAT_DIGITACAO_MAX_FORM / 1024);
  }
  rc = fat_store_begin(st, err);
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, id > 0 ? sql_upd : sql_ins, &s, err);
  if (rc != FAT_OK)
    goto out;
  fat_store_now(now, sizeof now);
  fat_bind_text(s, 1, form_str(form, "tipo", NULL));
  fat_bind_text(s, 2, form_str(form, "operadora", "registro_ans"));
  fat_bind_text(s, 3, form_str(form, "numero_prestador", NULL));
  fat_bind_text(s, 4, txt);
  fat_bind_text(s, 5, now);
  fat_bind_text(s, 6, fat_store_user(st));
  if (id > 0)
    fat_bind_int(s, 7, id);
  step = fat_stmt_step(s);
  fat_stmt_reset(s);
  if (id > 0 && step == FAT_DONE)
    rc = fat_err_set(err, FAT_ENOTFOUND, "rascunho %lld não encontrado", (long long)id);
  else if (step != FAT_ROW && step != FAT_DONE)
    rc = fat_store_dberr(st, err, "erro ao gravar o rascunho");
  if (rc == FAT_OK) {
    if (id == 0)
      id = fat_store_last_id(st);
    snprintf(obj, sizeof obj, "rascunho:%lld", (long long)id);
    rc = fat_store_audit(st, "rascunho.salvar", obj, NULL, err);
  }
out:
  cJSON_free(txt);
  if (rc != FAT_OK) {
    fat_store_rollback(st);
    return rc;
  }
  rc = fat_store_commit(st, err);
  if (rc == FAT_OK && novo_id != NULL)
    *novo_id = id;
  return rc;
}

#define RASCUNHO_COLS                                                                            \
  "SELECT r.id AS id, r.tipo AS tipo, r.registro_ans AS registro_ans, o.nome AS operadora, "     \
  "r.numero_prestador AS numero_prestador, "                                                     \
  "json_extract(r.dados, '$.beneficiario_nome') AS beneficiario_nome, r.criado_em AS criado_em, " \
  "r.criado_por AS criado_por, r.atualizado_em AS atualizado_em, "                               \
  "r.atualizado_por AS atualizado_por "

fat_rc fat_digitacao_rascunhos(fat_store *st, cJSON **out, fat_err *err)
{
  static const char sql[] =
    RASCUNHO_COLS "FROM guia_rascunho r LEFT JOIN operadora o ON o.registro_ans = r.registro_ans "
                  "ORDER BY r.atualizado_em DESC, r.id DESC LIMIT 500";
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  *out = NULL;
  if (rc != FAT_OK)
    return rc;
  return fat_store_rows_json(st, s, 1, "erro ao listar os rascunhos", out, err);
}

fat_rc fat_digitacao_rascunho(fat_store *st, int64_t id, cJSON **out, fat_err *err)
{
  static const char sql[] =
    RASCUNHO_COLS ", r.dados FROM guia_rascunho r LEFT JOIN operadora o ON "
                  "o.registro_ans = r.registro_ans WHERE r.id = ?1";
  fat_stmt *s;
  cJSON *o = NULL, *form = NULL;
  int step;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  *out = NULL;
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  step = fat_stmt_step(s);
  if (step == FAT_ROW) {
    o = fat_store_row_json(s, 1);
    form = cJSON_Parse(fat_col_text(s, 10));
  }
  fat_stmt_reset(s);
  if (step == FAT_DONE)
    return fat_err_set(err, FAT_ENOTFOUND, "rascunho %lld não encontrado", (long long)id);
  if (step != FAT_ROW)
    rc = fat_store_dberr(st, err, "erro ao ler o rascunho");
  else if (o == NULL || form == NULL)
    rc = fat_err_oom(err);
  if (rc == FAT_OK) {
    cJSON_DeleteItemFromObjectCaseSensitive(o, "dados");
    if (!cJSON_AddItemToObject(o, "guia", form))
      rc = fat_err_oom(err);
    else
      form = NULL;
  }
  cJSON_Delete(form);
  if (rc != FAT_OK) {
    cJSON_Delete(o);
    return rc;
  }
  *out = o;
  return FAT_OK;
}

fat_rc fat_digitacao_rascunho_apagar(fat_store *st, int64_t id, fat_err *err)
{
  fat_rc rc = fat_store_begin(st, err);

  if (rc != FAT_OK)
    return rc;
  rc = rascunho_apagar(st, id, err);
  if (rc != FAT_OK) {
    fat_store_rollback(st);
    return rc;
  }
  return fat_store_commit(st, err);
}

/* }====================================================================== */
