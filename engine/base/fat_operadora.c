/* fat_operadora.c: resolve the name of an operadora (see fat_operadora.h). */
#include "fat_operadora.h"

#include <stdio.h>
#include <string.h>

#include "fat_mem.h"
#include "fat_store_int.h"

/* An id: up to 18 digits, but not 6 (six digits are a registro ANS, and one
** that is not registered must be refused, not taken as an id). */
static int id_text(const char *s, int64_t *v)
{
  size_t i;

  *v = 0;
  for (i = 0; s[i] != '\0'; i++) {
    if (s[i] < '0' || s[i] > '9' || i >= 18)
      return 0;
    *v = *v * 10 + (s[i] - '0');
  }
  return i > 0 && i != 6;
}

/* FAT_ENOTFOUND naming text and listing what exists (bounded by err->msg). */
static fat_rc not_found(fat_store *st, const char *text, int por_registro, fat_err *err)
{
  static const char sql[] =
    "SELECT registro_ans, script, nome FROM operadora ORDER BY registro_ans";
  fat_stmt *s;
  fat_buf b;
  char ans[8], key[64], nome[128];
  int step, n = 0;
  fat_rc rc;

  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_buf_init(&b, sizeof err->msg);
  for (step = fat_stmt_step(s); step == FAT_ROW && rc == FAT_OK; step = fat_stmt_step(s)) {
    fat_col_copy(s, 0, ans, sizeof ans);
    fat_col_copy(s, 1, key, sizeof key);
    fat_col_copy(s, 2, nome, sizeof nome);
    rc = fat_buf_printf(&b, NULL, "%s%s (%s, %s)", n++ > 0 ? "; " : "", ans, key, nome);
  }
  fat_stmt_reset(s);
  if (step != FAT_DONE && step != FAT_ROW) {
    rc = fat_store_dberr(st, err, "erro ao procurar a operadora");
  } else if (n == 0) {
    rc = fat_err_set(err, FAT_ENOTFOUND,
                     "operadora %s'%.60s' não cadastrada: nenhuma operadora cadastrada ainda "
                     "(use: faturo cadastro operadora)",
                     por_registro ? "com registro ANS " : "", text);
  } else if (por_registro) {
    rc = fat_err_set(err, FAT_ENOTFOUND,
                     "operadora com registro ANS '%.60s' não cadastrada; as cadastradas são: %s "
                     "(cadastre com: faturo cadastro operadora)",
                     text, b.data != NULL ? b.data : "");
  } else {
    /* a list too long for the message is cut; the hint says where to see it all */
    rc = fat_err_set(err, FAT_ENOTFOUND,
                     "operadora '%.60s' não cadastrada; use o registro ANS, a chave do script "
                     "ou o id de uma destas: %s (faturo cadastro listar)",
                     text, b.data != NULL ? b.data : "");
  }
  fat_buf_fini(&b);
  return rc;
}

fat_rc fat_operadora_resolver_ref(fat_store *st, const char *text, fat_operadora_ref *out,
                                  fat_err *err)
{
  /* registro ANS first (it is all digits too), then the script key, then
  ** the id when the text is a number */
  static const char sql[] =
    "SELECT id, registro_ans, script, nome FROM operadora "
    "WHERE registro_ans = ?1 OR script = ?1 OR (?2 AND id = ?3) "
    "ORDER BY registro_ans = ?1 DESC, script = ?1 DESC LIMIT 1";
  fat_stmt *s;
  int64_t num;
  int step, is_num;
  fat_rc rc;

  memset(out, 0, sizeof *out);
  if (text == NULL || text[0] == '\0')
    return fat_err_set(err, FAT_EINVAL,
                       "informe a operadora (registro ANS, chave do script ou id)");
  is_num = id_text(text, &num);
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, text);
  fat_bind_int(s, 2, is_num);
  fat_bind_int(s, 3, is_num ? num : 0);
  step = fat_stmt_step(s);
  if (step == FAT_ROW) {
    out->id = fat_col_int64(s, 0);
    fat_col_copy(s, 1, out->registro_ans, sizeof out->registro_ans);
    fat_col_copy(s, 2, out->script, sizeof out->script);
    fat_col_copy(s, 3, out->nome, sizeof out->nome);
  } else if (step != FAT_DONE) {
    rc = fat_store_dberr(st, err, "erro ao procurar a operadora");
  }
  fat_stmt_reset(s);
  if (rc == FAT_OK && step == FAT_DONE)
    rc = not_found(st, text, 0, err);
  return rc;
}

fat_rc fat_operadora_por_registro(fat_store *st, const char *registro_ans, int64_t *id,
                                  fat_err *err)
{
  static const char sql[] = "SELECT id FROM operadora WHERE registro_ans = ?1";
  fat_stmt *s;
  int step;
  fat_rc rc;

  *id = 0;
  if (registro_ans == NULL || registro_ans[0] == '\0')
    return fat_err_set(err, FAT_EINVAL, "informe o registro ANS da operadora");
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, registro_ans);
  step = fat_stmt_step(s);
  if (step == FAT_ROW)
    *id = fat_col_int64(s, 0);
  else if (step != FAT_DONE)
    rc = fat_store_dberr(st, err, "erro ao procurar a operadora");
  fat_stmt_reset(s);
  if (rc == FAT_OK && step == FAT_DONE)
    rc = not_found(st, registro_ans, 1, err);
  return rc;
}

fat_rc fat_operadora_resolver(fat_store *st, const char *text, int64_t *id, fat_err *err)
{
  fat_operadora_ref ref;
  fat_rc rc = fat_operadora_resolver_ref(st, text, &ref, err);

  *id = ref.id;
  return rc;
}
