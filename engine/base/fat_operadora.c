/* fat_operadora.c: resolve the name of an operadora (see fat_operadora.h). */
#include "fat_operadora.h"

#include <stdlib.h>
#include <string.h>

#include "fat_store_int.h"

static int all_digits(const char *s)
{
  size_t i;

  for (i = 0; s[i] != '\0'; i++)
    if (s[i] < '0' || s[i] > '9')
      return 0;
  return i > 0 && i < 19;
}

fat_rc fat_operadora_resolver(fat_store *st, const char *text, int64_t *id, fat_err *err)
{
  /* registro ANS first (it is all digits too), then the script key, then
  ** the id when the text is a number */
  static const char sql[] =
    "SELECT id FROM operadora WHERE registro_ans = ?1 OR script = ?1 OR (?2 AND id = ?3) "
    "ORDER BY registro_ans = ?1 DESC, script = ?1 DESC LIMIT 1";
  fat_stmt *s;
  int step, num;
  fat_rc rc;

  *id = 0;
  if (text == NULL || text[0] == '\0')
    return fat_err_set(err, FAT_EINVAL, "informe a operadora (registro ANS, chave do script ou "
                                        "id)");
  num = all_digits(text);
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, text);
  fat_bind_int(s, 2, num);
  fat_bind_int(s, 3, num ? strtoll(text, NULL, 10) : 0);
  step = fat_stmt_step(s);
  if (step == FAT_ROW)
    *id = fat_col_int64(s, 0);
  else if (step == FAT_DONE)
    rc = fat_err_set(err, FAT_ENOTFOUND,
                     "operadora '%s' não cadastrada (use o registro ANS, a chave do script ou o "
                     "id; veja faturo cadastro listar)",
                     text);
  else
    rc = fat_store_dberr(st, err, "erro ao procurar a operadora");
  fat_stmt_reset(s);
  return rc;
}
