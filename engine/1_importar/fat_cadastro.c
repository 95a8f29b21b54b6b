/* fat_cadastro.c: prestador / operadora / plano registration. */
#include "fat_cadastro.h"
#include "fat_docnum.h"

#include <stdio.h>
#include <string.h>

#include "fat_mem.h"
#include "fat_operadora.h"
#include "fat_store_int.h"
#include "fat_text.h"

int fat_digits_only(const char *s, char *out, size_t len)
{
  size_t o = 0;

  if (s == NULL || len == 0)
    return -1;
  for (; *s != '\0'; s++) {
    if (*s >= '0' && *s <= '9') {
      if (o + 1 >= len)
        return -1;
      out[o++] = *s;
    } else if (*s != '.' && *s != '-' && *s != '/' && *s != ' ') {
      return -1;
    }
  }
  out[o] = '\0';
  return (int)o;
}

static fat_rc select_id(fat_store *st, const char *sql, const char *a, const char *b,
                        int64_t n, int64_t *id, fat_err *err)
{
  fat_stmt *s;
  int r;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  *id = 0;
  if (rc != FAT_OK)
    return rc;
  if (n > 0) {
    fat_bind_int(s, 1, n);
    fat_bind_text(s, 2, a);
  } else {
    fat_bind_text(s, 1, a);
    if (b != NULL)
      fat_bind_text(s, 2, b);
  }
  r = fat_stmt_step(s);
  if (r == FAT_ROW)
    *id = fat_col_int64(s, 0);
  fat_stmt_reset(s);
  if (r != FAT_ROW && r != FAT_DONE)
    return fat_store_dberr(st, err, "erro ao consultar o cadastro");
  return FAT_OK;
}

static int blank(const char *s) { return s == NULL || s[0] == '\0'; }

/* A required text: present, one line, no control characters, at most max
** characters (the TISS size of the field). */
static fat_rc texto(const char *s, const char *campo, size_t max, fat_err *err)
{
  char why[160];

  if (blank(s))
    return fat_err_set(err, FAT_EINVAL, "%s obrigatório", campo);
  if (fat_text_check(s, max, 0, why, sizeof why) != 0)
    return fat_err_set(err, FAT_EINVAL, "%s: %s", campo, why);
  return FAT_OK;
}

static fat_rc prestador_tx(fat_store *st, const char *nome, const char *cnpj, const char *cnes,
                           int64_t *id, fat_err *err)
{
  static const char sql_sel[] = "SELECT id FROM prestador WHERE cnpj = ?1";
  static const char sql_ins[] = "INSERT INTO prestador (nome, cnpj, cnes) VALUES (?1, ?2, ?3)";
  static const char sql_upd[] =
      "UPDATE prestador SET nome = ?2, cnes = coalesce(?3, cnes) WHERE id = ?1";
  char d[16], c[16], obj[48];
  fat_stmt *s;
  int64_t pid;
  fat_rc rc;

  rc = texto(nome, "nome do prestador", 70, err);
  if (rc != FAT_OK)
    return rc;
  if (!fat_doc_cnpj_valid(cnpj))
    return fat_err_set(err, FAT_EINVAL, "CNPJ inválido '%s' (14 dígitos com dígitos verificadores)",
                       cnpj != NULL ? cnpj : "");
  (void)fat_digits_only(cnpj, d, sizeof d);
  if (cnes != NULL && fat_digits_only(cnes, c, sizeof c) != 7)
    return fat_err_set(err, FAT_EINVAL, "CNES inválido '%s' (7 dígitos)", cnes);
  rc = select_id(st, sql_sel, d, NULL, 0, &pid, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_prepare(st, pid > 0 ? sql_upd : sql_ins, &s, err);
  if (rc != FAT_OK)
    return rc;
  if (pid > 0) {
    fat_bind_int(s, 1, pid);
    fat_bind_text(s, 2, nome);
    fat_bind_text(s, 3, cnes != NULL ? c : NULL);
  } else {
    fat_bind_text(s, 1, nome);
    fat_bind_text(s, 2, d);
    fat_bind_text(s, 3, cnes != NULL ? c : NULL);
  }
  rc = fat_store_step_done(st, s, "erro ao gravar prestador", err);
  if (rc != FAT_OK)
    return rc;
  if (pid == 0)
    pid = fat_store_last_id(st);
  snprintf(obj, sizeof obj, "prestador:%lld", (long long)pid);
  rc = fat_store_audit(st, "cadastro.prestador", obj, d, err);
  if (rc == FAT_OK && id != NULL)
    *id = pid;
  return rc;
}

fat_rc fat_cadastro_prestador(fat_store *st, const char *nome, const char *cnpj,
                              const char *cnes, int64_t *id, fat_err *err)
{
  fat_rc rc = fat_store_begin(st, err);

  if (rc != FAT_OK)
    return rc;
  rc = prestador_tx(st, nome, cnpj, cnes, id, err);
  if (rc != FAT_OK) {
    fat_store_rollback(st);
    return rc;
  }
  return fat_store_commit(st, err);
}

static int script_key_ok(const char *s)
{
  size_t n = 0;

  if (s == NULL)
    return 0;
  for (; s[n] != '\0'; n++) {
    char ch = s[n];

    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
      return 0;
  }
  /* a key that starts with a letter can never be read as a registro ANS or an
  ** id by fat_operadora_resolver */
  return n > 0 && n <= 64 && s[0] >= 'a' && s[0] <= 'z';
}

static fat_rc operadora_tx(fat_store *st, const char *registro_ans, const char *nome,
                           const char *script, const char *codigo_prestador,
                           const char *prestador_cnpj, int64_t *id, fat_err *err)
{
  static const char sql_sel[] = "SELECT id FROM operadora WHERE registro_ans = ?1";
  static const char sql_ins[] =
      "INSERT INTO operadora (registro_ans, nome, script) VALUES (?1, ?2, ?3)";
  static const char sql_upd[] = "UPDATE operadora SET nome = ?2, script = ?3 WHERE id = ?1";
  static const char sql_pr_cnpj[] = "SELECT id FROM prestador WHERE cnpj = ?1";
  static const char sql_pr_n[] = "SELECT count(*), min(id) FROM prestador";
  static const char sql_po[] =
      "INSERT INTO prestador_operadora (prestador_id, operadora_id, codigo) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (prestador_id, operadora_id) DO UPDATE SET codigo = excluded.codigo";
  char d[16], obj[48];
  fat_stmt *s;
  int64_t oid, pid = 0;
  fat_rc rc;

  if (fat_digits_only(registro_ans, d, sizeof d) != 6)
    return fat_err_set(err, FAT_EINVAL, "registro ANS inválido '%s' (6 dígitos)",
                       registro_ans != NULL ? registro_ans : "");
  rc = texto(nome, "nome da operadora", 70, err);
  if (rc != FAT_OK)
    return rc;
  if (!blank(codigo_prestador)) {
    rc = texto(codigo_prestador, "código do prestador na operadora", 14, err);
    if (rc != FAT_OK)
      return rc;
  }
  if (!script_key_ok(script))
    return fat_err_set(err, FAT_EINVAL,
                       "chave de script inválida '%s' (começa por letra minúscula; depois letras "
                       "minúsculas, dígitos, _ e -; o arquivo é rules/operators/<chave>.lua)",
                       script != NULL ? script : "");
  rc = select_id(st, sql_sel, d, NULL, 0, &oid, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_prepare(st, oid > 0 ? sql_upd : sql_ins, &s, err);
  if (rc != FAT_OK)
    return rc;
  if (oid > 0) {
    fat_bind_int(s, 1, oid);
    fat_bind_text(s, 2, nome);
    fat_bind_text(s, 3, script);
  } else {
    fat_bind_text(s, 1, d);
    fat_bind_text(s, 2, nome);
    fat_bind_text(s, 3, script);
  }
  rc = fat_store_step_done(st, s, "erro ao gravar operadora", err);
  if (rc != FAT_OK)
    return rc;
  if (oid == 0)
    oid = fat_store_last_id(st);
  if (!blank(codigo_prestador)) {
    if (prestador_cnpj != NULL) {
      char c[16];

      if (fat_digits_only(prestador_cnpj, c, sizeof c) != 14)
        return fat_err_set(err, FAT_EINVAL, "CNPJ do prestador inválido '%s'", prestador_cnpj);
      rc = select_id(st, sql_pr_cnpj, c, NULL, 0, &pid, err);
      if (rc != FAT_OK)
        return rc;
      if (pid == 0)
        return fat_err_set(err, FAT_ENOTFOUND,
                           "prestador com CNPJ %s não cadastrado (use: faturo cadastro prestador)",
                           c);
    } else {
      int64_t n;

      rc = fat_store_prepare(st, sql_pr_n, &s, err);
      if (rc != FAT_OK)
        return rc;
      if (fat_stmt_step(s) != FAT_ROW) {
        fat_stmt_reset(s);
        return fat_store_dberr(st, err, "erro ao consultar prestadores");
      }
      n = fat_col_int64(s, 0);
      pid = fat_col_int64(s, 1);
      fat_stmt_reset(s);
      if (n == 0)
        return fat_err_set(err, FAT_ENOTFOUND,
                           "nenhum prestador cadastrado: cadastre o prestador antes de informar "
                           "o código do prestador na operadora");
      if (n > 1)
        return fat_err_set(err, FAT_EINVAL,
                           "há %lld prestadores cadastrados: informe de qual é o código com "
                           "--prestador CNPJ",
                           (long long)n);
    }
    rc = fat_store_prepare(st, sql_po, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, pid);
    fat_bind_int(s, 2, oid);
    fat_bind_text(s, 3, codigo_prestador);
    rc = fat_store_step_done(st, s, "erro ao gravar código do prestador", err);
    if (rc != FAT_OK)
      return rc;
  }
  snprintf(obj, sizeof obj, "operadora:%lld", (long long)oid);
  rc = fat_store_audit(st, "cadastro.operadora", obj, d, err);
  if (rc == FAT_OK && id != NULL)
    *id = oid;
  return rc;
}

fat_rc fat_cadastro_operadora(fat_store *st, const char *registro_ans, const char *nome,
                              const char *script, const char *codigo_prestador,
                              const char *prestador_cnpj, int64_t *id, fat_err *err)
{
  fat_rc rc = fat_store_begin(st, err);

  if (rc != FAT_OK)
    return rc;
  rc = operadora_tx(st, registro_ans, nome, script, codigo_prestador, prestador_cnpj, id, err);
  if (rc != FAT_OK) {
    fat_store_rollback(st);
    return rc;
  }
  return fat_store_commit(st, err);
}

fat_rc fat_cadastro_plano_acomodacao(fat_store *st, int64_t operadora_id, const char *plano,
                                     char acomodacao[16], fat_err *err)
{
  static const char *const nomes[] = {"enfermaria", "apartamento", "ambulatorial", NULL};
  static const char sql[] = "SELECT acomodacao FROM plano WHERE operadora_id = ?1 AND codigo = ?2";
  fat_stmt *s;
  int i, step;
  fat_rc rc;

  acomodacao[0] = '\0';
  for (i = 0; plano != NULL && nomes[i] != NULL; i++) {
    if (strcmp(plano, nomes[i]) == 0) {
      snprintf(acomodacao, 16, "%s", plano);
      return FAT_OK;
    }
  }
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, operadora_id);
  fat_bind_text(s, 2, plano);
  step = fat_stmt_step(s);
  if (step == FAT_ROW)
    snprintf(acomodacao, 16, "%s", fat_col_text(s, 0));
  else if (step == FAT_DONE)
    rc = fat_err_set(err, FAT_ENOTFOUND,
                     "plano '%s' não cadastrado nesta operadora (ou use enfermaria, "
                     "apartamento, ambulatorial)",
                     plano != NULL ? plano : "");
  else
    rc = fat_store_dberr(st, err, "erro ao procurar o plano");
  fat_stmt_reset(s);
  return rc;
}

static fat_rc plano_tx(fat_store *st, const char *registro_ans, const char *codigo,
                       const char *nome, const char *acomodacao, int64_t *id, fat_err *err)
{
  static const char sql_sel[] = "SELECT id FROM plano WHERE operadora_id = ?1 AND codigo = ?2";
  static const char sql_ins[] =
      "INSERT INTO plano (operadora_id, codigo, nome, acomodacao) VALUES (?1, ?2, ?3, ?4)";
  static const char sql_upd[] = "UPDATE plano SET nome = ?2, acomodacao = ?3 WHERE id = ?1";
  fat_stmt *s;
  int64_t oid, pid;
  char obj[48];
  fat_rc rc;

  rc = texto(codigo, "código do plano", 20, err);
  if (rc == FAT_OK)
    rc = texto(nome, "nome do plano", 200, err);
  if (rc != FAT_OK)
    return rc;
  if (acomodacao == NULL ||
      (strcmp(acomodacao, "enfermaria") != 0 && strcmp(acomodacao, "apartamento") != 0 &&
       strcmp(acomodacao, "ambulatorial") != 0))
    return fat_err_set(err, FAT_EINVAL,
                       "acomodação inválida '%s' (use enfermaria, apartamento ou ambulatorial)",
                       acomodacao != NULL ? acomodacao : "");
  rc = fat_operadora_resolver(st, registro_ans, &oid, err);
  if (rc != FAT_OK)
    return rc;
  rc = select_id(st, sql_sel, codigo, NULL, oid, &pid, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_prepare(st, pid > 0 ? sql_upd : sql_ins, &s, err);
  if (rc != FAT_OK)
    return rc;
  if (pid > 0) {
    fat_bind_int(s, 1, pid);
    fat_bind_text(s, 2, nome);
    fat_bind_text(s, 3, acomodacao);
  } else {
    fat_bind_int(s, 1, oid);
    fat_bind_text(s, 2, codigo);
    fat_bind_text(s, 3, nome);
    fat_bind_text(s, 4, acomodacao);
  }
  rc = fat_store_step_done(st, s, "erro ao gravar plano", err);
  if (rc != FAT_OK)
    return rc;
  if (pid == 0)
    pid = fat_store_last_id(st);
  snprintf(obj, sizeof obj, "plano:%lld", (long long)pid);
  rc = fat_store_audit(st, "cadastro.plano", obj, codigo, err);
  if (rc == FAT_OK && id != NULL)
    *id = pid;
  return rc;
}

fat_rc fat_cadastro_plano(fat_store *st, const char *registro_ans, const char *codigo,
                          const char *nome, const char *acomodacao, int64_t *id, fat_err *err)
{
  fat_rc rc = fat_store_begin(st, err);

  if (rc != FAT_OK)
    return rc;
  rc = plano_tx(st, registro_ans, codigo, nome, acomodacao, id, err);
  if (rc != FAT_OK) {
    fat_store_rollback(st);
    return rc;
  }
  return fat_store_commit(st, err);
}

/* Add column i of s to o under name (NULL columns are skipped). 0 on OOM. */
static int add_col(cJSON *o, const char *name, fat_stmt *s, int i)
{
  if (fat_col_is_null(s, i))
    return 1;
  if (fat_col_type(s, i) == FAT_COL_INTEGER)
    return cJSON_AddNumberToObject(o, name, (double)fat_col_int64(s, i)) != NULL;
  return cJSON_AddStringToObject(o, name, fat_col_text(s, i)) != NULL;
}

fat_rc fat_cadastro_listar(fat_store *st, cJSON **out, fat_err *err)
{
  static const char sql_pr[] = "SELECT id, nome, cnpj, cpf, cnes FROM prestador ORDER BY id";
  static const char sql_op[] =
      "SELECT id, registro_ans, nome, script, ativa FROM operadora ORDER BY registro_ans";
  static const char sql_po[] =
      "SELECT p.cnpj, po.codigo FROM prestador_operadora po JOIN prestador p ON p.id = "
      "po.prestador_id WHERE po.operadora_id = ?1 ORDER BY p.id";
  static const char sql_pl[] = "SELECT id, codigo, nome, acomodacao FROM plano WHERE "
                               "operadora_id = ?1 ORDER BY codigo";
  cJSON *root, *arr, *o;
  fat_stmt *s, *s2;
  int r;
  fat_rc rc;

  *out = NULL;
  root = cJSON_CreateObject();
  if (root == NULL)
    return fat_err_oom(err);
  arr = cJSON_AddArrayToObject(root, "prestadores");
  if (arr == NULL)
    goto oom;
  rc = fat_store_prepare(st, sql_pr, &s, err);
  if (rc != FAT_OK)
    goto fail;
  for (r = fat_stmt_step(s); r == FAT_ROW; r = fat_stmt_step(s)) {
    o = cJSON_CreateObject();
    if (o == NULL || !cJSON_AddItemToArray(arr, o) || !add_col(o, "id", s, 0) ||
        !add_col(o, "nome", s, 1) || !add_col(o, "cnpj", s, 2) || !add_col(o, "cpf", s, 3) ||
        !add_col(o, "cnes", s, 4)) {
      fat_stmt_reset(s);
      goto oom;
    }
  }
  fat_stmt_reset(s);
  arr = cJSON_AddArrayToObject(root, "operadoras");
  if (arr == NULL)
    goto oom;
  rc = fat_store_prepare(st, sql_op, &s, err);
  if (rc != FAT_OK)
    goto fail;
  for (r = fat_stmt_step(s); r == FAT_ROW; r = fat_stmt_step(s)) {
    cJSON *sub;
    int64_t oid = fat_col_int64(s, 0);

    o = cJSON_CreateObject();
    if (o == NULL || !cJSON_AddItemToArray(arr, o) || !add_col(o, "id", s, 0) ||
        !add_col(o, "registro_ans", s, 1) || !add_col(o, "nome", s, 2) ||
        !add_col(o, "script", s, 3) || !add_col(o, "ativa", s, 4))
      goto oom_s;
    sub = cJSON_AddArrayToObject(o, "codigos_prestador");
    if (sub == NULL)
      goto oom_s;
    rc = fat_store_prepare(st, sql_po, &s2, err);
    if (rc != FAT_OK) {
      fat_stmt_reset(s);
      goto fail;
    }
    fat_bind_int(s2, 1, oid);
    while (fat_stmt_step(s2) == FAT_ROW) {
      cJSON *c = cJSON_CreateObject();

      if (c == NULL || !cJSON_AddItemToArray(sub, c) || !add_col(c, "cnpj", s2, 0) ||
          !add_col(c, "codigo", s2, 1)) {
        fat_stmt_reset(s2);
        goto oom_s;
      }
    }
    fat_stmt_reset(s2);
    sub = cJSON_AddArrayToObject(o, "planos");
    if (sub == NULL)
      goto oom_s;
    rc = fat_store_prepare(st, sql_pl, &s2, err);
    if (rc != FAT_OK) {
      fat_stmt_reset(s);
      goto fail;
    }
    fat_bind_int(s2, 1, oid);
    while (fat_stmt_step(s2) == FAT_ROW) {
      cJSON *c = cJSON_CreateObject();

      if (c == NULL || !cJSON_AddItemToArray(sub, c) || !add_col(c, "id", s2, 0) ||
          !add_col(c, "codigo", s2, 1) || !add_col(c, "nome", s2, 2) ||
          !add_col(c, "acomodacao", s2, 3)) {
        fat_stmt_reset(s2);
        goto oom_s;
      }
    }
    fat_stmt_reset(s2);
  }
  fat_stmt_reset(s);
  if (r != FAT_DONE) {
    rc = fat_store_dberr(st, err, "erro ao listar cadastro");
    goto fail;
  }
  *out = root;
  return FAT_OK;
oom_s:
  fat_stmt_reset(s);
oom:
  rc = fat_err_oom(err);
fail:
  cJSON_Delete(root);
  return rc;
}
