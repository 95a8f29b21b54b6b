/* fat_anexo.c: files attached to a guia (fat_anexo.h). */
#include "fat_anexo.h"

#include <stdio.h>
#include <string.h>

#include "fat_mem.h"
#include "fat_sha256.h"
#include "fat_store_int.h"

static const struct {
  const char *tipo, *rotulo;
} tipos[] = {
  {"laudo", "Laudo"},
  {"pedido_medico", "Pedido médico"},
  {"autorizacao", "Autorização"},
  {"termo", "Termo"},
  {"outro", "Outro"},
};

int fat_anexo_tipo_valido(const char *tipo)
{
  return fat_anexo_tipo_rotulo(tipo)[0] != '\0';
}

const char *fat_anexo_tipo_rotulo(const char *tipo)
{
  size_t i;

  for (i = 0; tipo != NULL && i < sizeof tipos / sizeof tipos[0]; i++)
    if (strcmp(tipos[i].tipo, tipo) == 0)
      return tipos[i].rotulo;
  return "";
}

/* The format of the content by its first bytes; NULL when not accepted. */
static const char *mime_de(const unsigned char *d, size_t len)
{
  if (len >= 5 && memcmp(d, "%PDF-", 5) == 0)
    return "application/pdf";
  if (len >= 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0)
    return "image/png";
  if (len >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF)
    return "image/jpeg";
  return NULL;
}

/* The guia's status into status (len bytes); FAT_ENOTFOUND when none. */
static fat_rc guia_status(fat_store *st, int64_t guia_id, char *status, size_t len,
                          fat_err *err)
{
  static const char sql[] = "SELECT status FROM guia WHERE id = ?1";
  fat_stmt *s;
  int step;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, guia_id);
  step = fat_stmt_step(s);
  if (step == FAT_ROW)
    snprintf(status, len, "%s", fat_col_text(s, 0));
  fat_stmt_reset(s);
  if (step == FAT_DONE)
    return fat_err_set(err, FAT_ENOTFOUND, "guia %lld não encontrada", (long long)guia_id);
  if (step != FAT_ROW)
    return fat_store_dberr(st, err, "erro ao ler a guia");
  return FAT_OK;
}

/* The attachment of guia_id with this hash (0 when none) and its name. */
static fat_rc ja_anexado(fat_store *st, int64_t guia_id, const char *sha, int64_t *id,
                         char *nome, size_t len, fat_err *err)
{
  static const char sql[] = "SELECT id, nome FROM guia_anexo WHERE guia_id = ?1 AND sha256 = ?2";
  fat_stmt *s;
  int step;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  *id = 0;
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, guia_id);
  fat_bind_text(s, 2, sha);
  step = fat_stmt_step(s);
  if (step == FAT_ROW) {
    *id = fat_col_int64(s, 0);
    snprintf(nome, len, "%s", fat_col_text(s, 1));
  }
  fat_stmt_reset(s);
  if (step != FAT_ROW && step != FAT_DONE)
    return fat_store_dberr(st, err, "erro ao ler os anexos");
  return FAT_OK;
}

fat_rc fat_anexo_adicionar(fat_store *st, int64_t guia_id, const char *tipo, const char *nome,
                           const void *dados, size_t len, fat_anexo_info *out, fat_err *err)
{
  static const char sql[] =
    "INSERT INTO guia_anexo(guia_id, tipo, nome, mime, tamanho, sha256, conteudo, criado_em, "
    "criado_por) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
  static const char sql_conf[] = "UPDATE conferencia SET revisao = 0 WHERE guia_id = ?1";
  fat_anexo_info a;
  const char *base, *mime;
  char status[16], outro[FAT_ANEXO_NOME_MAX + 1], obj[40], *det = NULL;
  int64_t existente = 0;
  fat_stmt *s;
  fat_rc rc;

  memset(&a, 0, sizeof a);
  if (out != NULL)
    memset(out, 0, sizeof *out);
  if (!fat_anexo_tipo_valido(tipo))
    return fat_err_set(err, FAT_EINVAL,
                       "tipo de anexo '%s' inválido (laudo, pedido_medico, autorizacao, termo "
                       "ou outro)",
                       tipo != NULL ? tipo : "");
  base = nome != NULL ? strrchr(nome, '/') : NULL;
  base = base != NULL ? base + 1 : nome;
  if (base == NULL || base[0] == '\0')
    return fat_err_set(err, FAT_EINVAL, "informe o nome do arquivo anexado");
  if (strlen(base) > FAT_ANEXO_NOME_MAX)
    return fat_err_set(err, FAT_EINVAL, "nome do arquivo longo demais (máximo %d caracteres)",
                       FAT_ANEXO_NOME_MAX);
  if (len == 0)
    return fat_err_set(err, FAT_EINVAL, "%s: arquivo vazio", base);
  if (len > FAT_ANEXO_MAX)
    return fat_err_set(err, FAT_ELIMIT, "%s: arquivo grande demais (máximo %d MiB)", base,
                       FAT_ANEXO_MAX / (1024 * 1024));
  mime = mime_de((const unsigned char *)dados, len);
  if (mime == NULL)
    return fat_err_set(err, FAT_EINVAL,
                       "%s: formato não aceito (anexe PDF, PNG ou JPEG, como as operadoras "
                       "pedem)",
                       base);
  a.guia_id = guia_id;
  a.tamanho = (int64_t)len;
  snprintf(a.tipo, sizeof a.tipo, "%s", tipo);
  snprintf(a.nome, sizeof a.nome, "%s", base);
  snprintf(a.mime, sizeof a.mime, "%s", mime);
  fat_sha256_hex(dados, len, a.sha256);
  fat_store_now(a.criado_em, sizeof a.criado_em);
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = guia_status(st, guia_id, status, sizeof status, err);
  if (rc == FAT_OK && strcmp(status, "cancelada") == 0)
    rc = fat_err_set(err, FAT_ESTATE, "a guia %lld está cancelada: não recebe anexos",
                     (long long)guia_id);
  if (rc == FAT_OK)
    rc = ja_anexado(st, guia_id, a.sha256, &existente, outro, sizeof outro, err);
  if (rc == FAT_OK && existente > 0)
    rc = fat_err_set(err, FAT_ESTATE, "%s: este arquivo já está anexado à guia (anexo %lld, %s)",
                     a.nome, (long long)existente, outro);
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    goto out;
  fat_bind_int(s, 1, guia_id);
  fat_bind_text(s, 2, a.tipo);
  fat_bind_text(s, 3, a.nome);
  fat_bind_text(s, 4, a.mime);
  fat_bind_int(s, 5, a.tamanho);
  fat_bind_text(s, 6, a.sha256);
  fat_bind_blob(s, 7, dados, len);
  fat_bind_text(s, 8, a.criado_em);
  fat_bind_text(s, 9, fat_store_user(st));
  rc = fat_store_step_done(st, s, "erro ao gravar o anexo", err);
  if (rc != FAT_OK)
    goto out;
  a.id = fat_store_last_id(st);
  /* a contract may require this type (ANEXO_AUSENTE): the guia's last check
     no longer stands, so the next conferir checks it again (revisions start
     at 1: 0 is never current) */
  rc = fat_store_prepare(st, sql_conf, &s, err);
  if (rc != FAT_OK)
    goto out;
  fat_bind_int(s, 1, guia_id);
  rc = fat_store_step_done(st, s, "erro ao marcar a guia para nova conferência", err);
  if (rc != FAT_OK)
    goto out;
  snprintf(obj, sizeof obj, "guia:%lld", (long long)guia_id);
  det = fat_asprintf("anexo %lld: %s %s (%lld bytes, sha256 %s)", (long long)a.id, a.tipo,
                     a.nome, (long long)a.tamanho, a.sha256);
  rc = det != NULL ? fat_store_audit(st, "anexo.adicionar", obj, det, err) : fat_err_oom(err);
out:
  fat_free(det);
  if (rc != FAT_OK) {
    fat_store_rollback(st);
    return rc;
  }
  rc = fat_store_commit(st, err);
  if (rc == FAT_OK && out != NULL)
    *out = a;
  return rc;
}

fat_rc fat_anexo_listar(fat_store *st, int64_t guia_id, cJSON **out, fat_err *err)
{
  static const char sql[] =
    "SELECT id, tipo, CASE tipo WHEN 'laudo' THEN 'Laudo' WHEN 'pedido_medico' THEN "
    "'Pedido médico' WHEN 'autorizacao' THEN 'Autorização' WHEN 'termo' THEN 'Termo' "
    "ELSE 'Outro' END AS tipo_rotulo, nome, mime, tamanho, sha256, criado_em, criado_por "
    "FROM guia_anexo WHERE guia_id = ?1 ORDER BY id";
  char status[16];
  fat_stmt *s;
  fat_rc rc;

  *out = NULL;
  rc = guia_status(st, guia_id, status, sizeof status, err);
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, guia_id);
  return fat_store_rows_json(st, s, 1, "erro ao listar os anexos", out, err);
}

fat_rc fat_anexo_ler(fat_store *st, int64_t id, char **dados, size_t *len, fat_anexo_info *info,
                     fat_err *err)
{
  static const char sql[] =
    "SELECT guia_id, tipo, nome, mime, tamanho, sha256, criado_em, conteudo "
    "FROM guia_anexo WHERE id = ?1";
  fat_anexo_info a;
  char sha[65];
  fat_stmt *s;
  int step, n = 0;
  char *buf = NULL;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  *dados = NULL;
  *len = 0;
  if (rc != FAT_OK)
    return rc;
  memset(&a, 0, sizeof a);
  fat_bind_int(s, 1, id);
  step = fat_stmt_step(s);
  if (step == FAT_ROW) {
    const void *b = fat_col_blob(s, 7);

    a.id = id;
    a.guia_id = fat_col_int64(s, 0);
    snprintf(a.tipo, sizeof a.tipo, "%s", fat_col_text(s, 1));
    snprintf(a.nome, sizeof a.nome, "%s", fat_col_text(s, 2));
    snprintf(a.mime, sizeof a.mime, "%s", fat_col_text(s, 3));
    a.tamanho = fat_col_int64(s, 4);
    snprintf(a.sha256, sizeof a.sha256, "%s", fat_col_text(s, 5));
    snprintf(a.criado_em, sizeof a.criado_em, "%s", fat_col_text(s, 6));
    n = fat_col_bytes(s, 7);
    buf = fat_malloc(n > 0 ? (size_t)n : 1);
    if (buf != NULL && n > 0)
      memcpy(buf, b, (size_t)n);
  }
  fat_stmt_reset(s);
  if (step == FAT_DONE)
    return fat_err_set(err, FAT_ENOTFOUND, "anexo %lld não encontrado", (long long)id);
  if (step != FAT_ROW)
    return fat_store_dberr(st, err, "erro ao ler o anexo");
  if (buf == NULL)
    return fat_err_oom(err);
  fat_sha256_hex(buf, (size_t)n, sha);
  if (strcmp(sha, a.sha256) != 0) {
    fat_free(buf);
    return fat_err_set(err, FAT_EDB,
                       "anexo %lld: o conteúdo não confere com o SHA-256 gravado (arquivo "
                       "corrompido no banco)",
                       (long long)id);
  }
  *dados = buf;
  *len = (size_t)n;
  if (info != NULL)
    *info = a;
  return FAT_OK;
}
