/* fat_lgpd.c: masking by role, the one listing step, retention settings.
** The data subject's export and anonymization are in fat_titular.c. */
#include "fat_lgpd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fat_dia.h"
#include "fat_mem.h"
#include "fat_store_int.h"

/* The digits of v into d (cap bytes, NUL-terminated); their count, or -1
** when v holds something else than digits and the usual punctuation. */
static int digits_of(const char *v, char *d, size_t cap)
{
  size_t n = 0;
  const char *p;

  for (p = v; *p != '\0'; p++) {
    if (*p >= '0' && *p <= '9') {
      if (n + 1 >= cap)
        return -1;
      d[n++] = *p;
    } else if (*p != '.' && *p != '-' && *p != ' ' && *p != '/') {
      return -1;
    }
  }
  d[n] = '\0';
  return (int)n;
}

void fat_lgpd_mostrar(fat_dado tipo, const char *v, int completo, char *out, size_t len)
{
  char d[32];
  size_t n, i, k;
  int nd;

  if (len == 0)
    return;
  out[0] = '\0';
  if (v == NULL || v[0] == '\0')
    return;
  switch (tipo) {
  case FAT_DADO_CPF:
    nd = digits_of(v, d, sizeof d);
    if (nd == 11) {
      if (completo)
        snprintf(out, len, "%.3s.%.3s.%.3s-%.2s", d, d + 3, d + 6, d + 9);
      else
        snprintf(out, len, "***.%.3s.%.3s-**", d + 3, d + 6);
    } else {
      snprintf(out, len, "%s", completo ? v : "***.***.***-**");
    }
    return;
  case FAT_DADO_CNS:
    nd = digits_of(v, d, sizeof d);
    if (nd == 15) {
      if (completo)
        snprintf(out, len, "%.3s %.4s %.4s %.4s", d, d + 3, d + 7, d + 11);
      else
        snprintf(out, len, "*** %.4s %.4s ****", d + 3, d + 7);
    } else {
      snprintf(out, len, "%s", completo ? v : "*** **** **** ****");
    }
    return;
  case FAT_DADO_CARTEIRA:
    if (completo) {
      snprintf(out, len, "%s", v);
      return;
    }
    n = strlen(v);
    for (i = 0, k = 0; i < n && k + 1 < len; i++)
      out[k++] = (n > 4 && i >= n - 4) ? v[i] : '*';
    out[k] = '\0';
    return;
  }
}

void fat_lgpd_arquivos_privados(void)
{
  umask(077);
}

int fat_lgpd_lista_completa(const fat_leitor *l)
{
  if (l == NULL)
    return 0;
  return l->operador || l->papel == FAT_PAPEL_SUPERVISOR || l->papel == FAT_PAPEL_ADMIN;
}

const char *fat_lgpd_papel_rotulo(const fat_leitor *l)
{
  if (l == NULL)
    return "nenhum";
  if (l->operador)
    return "operador";
  return fat_papel_str(l->papel);
}

fat_rc fat_lgpd_lista(fat_store *st, const fat_leitor *l, const char *objeto, cJSON *rows,
                      const fat_lgpd_campo *campos, fat_err *err)
{
  int completo = fat_lgpd_lista_completa(l);
  char buf[FAT_LGPD_MASCARA_MAX];
  const fat_lgpd_campo *c;
  cJSON *r;

  cJSON_ArrayForEach(r, rows)
  {
    for (c = campos; c != NULL && c->nome != NULL; c++) {
      cJSON *v = cJSON_GetObjectItemCaseSensitive(r, c->nome);
      cJSON *s;

      if (!cJSON_IsString(v))
        continue;
      fat_lgpd_mostrar(c->tipo, v->valuestring, completo, buf, sizeof buf);
      s = cJSON_CreateString(buf);
      if (s == NULL || !cJSON_ReplaceItemInObjectCaseSensitive(r, c->nome, s)) {
        cJSON_Delete(s);
        return fat_err_oom(err);
      }
    }
  }
  return fat_acesso_registrar_linhas(st, l, objeto, rows, "id", completo, err);
}

int fat_lgpd_cpf_digitos(const char *s, char out[12])
{
  char d[32];

  out[0] = '\0';
  if (s == NULL || digits_of(s, d, sizeof d) != 11)
    return -1;
  memcpy(out, d, 12);
  return 0;
}

int fat_lgpd_data_valida(const char *s)
{
  int32_t dia;

  return s != NULL && strlen(s) == 10 && fat_dia_parse(s, &dia) == 0;
}

fat_rc fat_lgpd_retencao(fat_store *st, int *anos, fat_err *err)
{
  static const char sql[] = "SELECT valor FROM lgpd_parametro WHERE chave = 'retencao_anos'";
  fat_stmt *s;
  int step;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  *anos = FAT_LGPD_RETENCAO_PADRAO;
  if (rc != FAT_OK)
    return rc;
  step = fat_stmt_step(s);
  if (step == FAT_ROW) {
    long v = strtol(fat_col_text(s, 0), NULL, 10);

    if (v >= FAT_LGPD_RETENCAO_MIN && v <= FAT_LGPD_RETENCAO_MAX)
      *anos = (int)v;
  } else if (step != FAT_DONE) {
    rc = fat_store_dberr(st, err, "erro ao ler o prazo de retenção");
  }
  fat_stmt_reset(s);
  return rc;
}

fat_rc fat_lgpd_retencao_definir(fat_store *st, int anos, fat_err *err)
{
  static const char sql[] =
      "INSERT INTO lgpd_parametro (chave, valor) VALUES ('retencao_anos', ?1)"
      " ON CONFLICT (chave) DO UPDATE SET valor = excluded.valor";
  char v[16];
  fat_stmt *s;
  fat_rc rc;

  if (anos < FAT_LGPD_RETENCAO_MIN || anos > FAT_LGPD_RETENCAO_MAX)
    return fat_err_set(err, FAT_EINVAL, "prazo de retenção deve ser de %d a %d anos",
                       FAT_LGPD_RETENCAO_MIN, FAT_LGPD_RETENCAO_MAX);
  snprintf(v, sizeof v, "%d", anos);
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc == FAT_OK) {
    fat_bind_text(s, 1, v);
    rc = fat_store_step_done(st, s, "erro ao gravar o prazo de retenção", err);
  }
  if (rc == FAT_OK)
    rc = fat_store_audit(st, "lgpd.retencao", NULL, v, err);
  if (rc != FAT_OK) {
    fat_store_rollback(st);
    return rc;
  }
  return fat_store_commit(st, err);
}
