/* test_export.c: the guia export streams (pieces of bounded size through a
** writer), writes exactly the bytes the whole-buffer export wrote before it
** streamed, stops on a writer error, and never leaves half a file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmocka.h>

#include <cjson/cJSON.h>

#include "fat_cadastro.h"
#include "fat_csv.h"
#include "fat_export.h"
#include "fat_import.h"
#include "fat_import_int.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_store_int.h"
#include "fixture_guia.h"

#define DB "test_export.db"
#define N_GUIAS 300

/* Odd text the CSV must quote and the JSON must escape. */
static const char *const estranhos[] = {
  "ponto; e vírgula", "aspas \"duplas\" dentro", "linha\nquebrada", "CR\r\nLF",
  "tab\taqui", " espaço à frente", "atrás ", "ção ñ ü € 😀", "barra \\ invertida", "",
  "vírgula, e ponto.", "'apóstrofo'"};

static fat_store *open_db(void)
{
  fat_store *st = NULL;
  fat_err err;

  fix_remove_db(DB);
  assert_int_equal(fat_store_create(DB, &st, &err), FAT_OK);
  assert_int_equal(fat_cadastro_prestador(st, "Clínica Exemplo", "11.222.333/0001-81", NULL, NULL,
                                          &err),
                   FAT_OK);
  assert_int_equal(fat_cadastro_operadora(st, "312347", "Aurora Saúde", "aurora", "A-10234", NULL,
                                          NULL, &err),
                   FAT_OK);
  return st;
}

static void set_str(cJSON *o, const char *k, const char *v)
{
  cJSON_DeleteItemFromObjectCaseSensitive(o, k);
  assert_non_null(cJSON_AddStringToObject(o, k, v));
}

/* N_GUIAS guias made from the four of tests/data/import/good.json, each
** with its own número, odd text in free fields and at least three items. */
static void fill(fat_store *st)
{
  char path[1024], num[32], *txt = NULL;
  const char *src = getenv("FAT_SOURCE_DIR");
  fat_import_result res;
  cJSON *doc, *base, *out, *arr;
  size_t len;
  fat_err err;
  int k;

  snprintf(path, sizeof path, "%s/tests/data/import/good.json", src != NULL ? src : FAT_SOURCE_DIR);
  assert_int_equal(fat_file_read(path, (size_t)1 << 24, &txt, &len, &err), FAT_OK);
  doc = cJSON_Parse(txt);
  fat_free(txt);
  base = cJSON_GetObjectItemCaseSensitive(doc, "guias");
  assert_true(cJSON_GetArraySize(base) >= 2);
  out = cJSON_CreateObject();
  arr = cJSON_AddArrayToObject(out, "guias");
  for (k = 0; k < N_GUIAS; k++) {
    cJSON *g = cJSON_Duplicate(cJSON_GetArrayItem(base, k % cJSON_GetArraySize(base)), 1);
    cJSON *itens = cJSON_GetObjectItemCaseSensitive(g, "itens"), *it;
    int seq = 0;

    assert_non_null(g);
    snprintf(num, sizeof num, "EXP-%04d", k);
    set_str(g, "numero_prestador", num);
    set_str(g, "observacao", estranhos[k % (sizeof estranhos / sizeof *estranhos)]);
    set_str(g, "indicacao_clinica", estranhos[(k + 3) % (sizeof estranhos / sizeof *estranhos)]);
    assert_true(cJSON_GetArraySize(itens) >= 1);
    while (cJSON_GetArraySize(itens) < 3)
      cJSON_AddItemToArray(itens, cJSON_Duplicate(cJSON_GetArrayItem(itens, 0), 1));
    cJSON_ArrayForEach(it, itens)
    {
      cJSON_DeleteItemFromObjectCaseSensitive(it, "sequencial");
      cJSON_AddNumberToObject(it, "sequencial", ++seq);
    }
    /* the total follows the items (the import checks it) */
    cJSON_DeleteItemFromObjectCaseSensitive(g, "valor_total");
    cJSON_AddItemToArray(arr, g);
  }
  txt = cJSON_PrintUnformatted(out);
  assert_non_null(txt);
  if (fat_import_guias_buffer(st, txt, strlen(txt), FAT_FMT_JSON, "fixture", &res, &err) != FAT_OK)
    fail_msg("%s", err.msg);
  assert_int_equal(res.novas, N_GUIAS);
  cJSON_free(txt);
  cJSON_Delete(out);
  cJSON_Delete(doc);
}

/* {====================================================================
** The export as it was before it streamed (commit bb790b9: every id
** listed, every guia loaded into one cJSON tree or one CSV buffer), kept
** here as the reference the streamed bytes are compared with.
** ===================================================================== */

static const cJSON *old_get_path(const cJSON *obj, const char *path)
{
  const char *dot;
  char seg[64];
  size_t n;

  for (dot = strchr(path, '.'); obj != NULL && dot != NULL; dot = strchr(path, '.')) {
    n = (size_t)(dot - path);
    assert_true(n < sizeof seg);
    memcpy(seg, path, n);
    seg[n] = '\0';
    obj = cJSON_GetObjectItemCaseSensitive(obj, seg);
    path = dot + 1;
  }
  return obj != NULL ? cJSON_GetObjectItemCaseSensitive(obj, path) : NULL;
}

static const char *old_cell(const cJSON *v, int decimal, char *buf, size_t len)
{
  if (v == NULL || cJSON_IsNull(v))
    return "";
  if (cJSON_IsBool(v))
    return cJSON_IsTrue(v) ? "1" : "0";
  if (cJSON_IsNumber(v)) {
    snprintf(buf, len, "%d", v->valueint);
    return buf;
  }
  if (cJSON_IsString(v)) {
    if (decimal && strlen(v->valuestring) < len) {
      char *c;

      snprintf(buf, len, "%s", v->valuestring);
      c = strchr(buf, '.');
      if (c != NULL)
        *c = ',';
      return buf;
    }
    return v->valuestring;
  }
  return "";
}

static char *old_export(fat_store *st, fat_formato fmt, size_t *len)
{
  fat_stmt *s;
  cJSON *root = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(root, "guias");
  const fat_import_col *c;
  fat_buf b;
  fat_csv w;
  fat_err err;
  char *txt;

  fat_buf_init(&b, (size_t)1 << 30);
  if (fmt == FAT_FMT_CSV) {
    assert_int_equal(fat_csv_begin(&w, &b, &err), FAT_OK);
    for (c = fat_import_cols; c->path != NULL; c++)
      assert_int_equal(fat_csv_text(&w, c->path, &err), FAT_OK);
    assert_int_equal(fat_csv_end_row(&w, &err), FAT_OK);
  }
  assert_int_equal(fat_store_prepare(st, "SELECT id FROM guia ORDER BY id", &s, &err), FAT_OK);
  while (fat_stmt_step(s) == FAT_ROW) {
    fat_guia *g = NULL;
    cJSON *j, *it;

    assert_int_equal(fat_guia_load(st, fat_col_int64(s, 0), &g, &err), FAT_OK);
    j = fat_guia_to_json(g);
    fat_guia_free(g);
    if (fmt != FAT_FMT_CSV) {
      cJSON_AddItemToArray(arr, j);
      continue;
    }
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(j, "itens"))
    {
      char buf[64];

      for (c = fat_import_cols; c->path != NULL; c++) {
        const cJSON *v = strncmp(c->path, "item.", 5) == 0 ? old_get_path(it, c->path + 5)
                                                           : old_get_path(j, c->path);

        assert_int_equal(fat_csv_text(&w, old_cell(v, c->decimal, buf, sizeof buf), &err),
                         FAT_OK);
      }
      assert_int_equal(fat_csv_end_row(&w, &err), FAT_OK);
    }
    cJSON_Delete(j);
  }
  fat_stmt_reset(s);
  if (fmt != FAT_FMT_CSV) {
    txt = cJSON_Print(root);
    assert_int_equal(fat_buf_puts(&b, txt, &err), FAT_OK);
    assert_int_equal(fat_buf_append(&b, "\n", 1, &err), FAT_OK);
    cJSON_free(txt);
  }
  cJSON_Delete(root);
  *len = b.len;
  return fat_buf_take(&b);
}

/* }==================================================================== */

/* A writer that keeps what it is given, counts the pieces and their largest
** size, and fails (FAT_EIO) on piece falha_em (0: never). */
typedef struct coletor {
  fat_buf b;
  size_t pecas, maior;
  size_t falha_em;
} coletor;

static fat_rc coleta(void *u, const char *p, size_t n, fat_err *err)
{
  coletor *c = u;

  c->pecas++;
  if (n > c->maior)
    c->maior = n;
  if (c->falha_em != 0 && c->pecas == c->falha_em)
    return fat_err_set(err, FAT_EIO, "disco cheio (simulado)");
  return fat_buf_append(&c->b, p, n, err);
}

static void same_bytes_as_whole_buffer(fat_formato fmt)
{
  fat_store *st = open_db();
  coletor c;
  fat_err err;
  size_t n = 0, len_old = 0;
  char *old;

  fill(st);
  old = old_export(st, fmt, &len_old);
  memset(&c, 0, sizeof c);
  fat_buf_init(&c.b, (size_t)1 << 30);
  if (fat_export_guias_escrever(st, NULL, fmt, coleta, &c, &n, &err) != FAT_OK)
    fail_msg("%s", err.msg);
  assert_int_equal(n, N_GUIAS);
  /* byte for byte the whole-buffer export */
  assert_int_equal(c.b.len, len_old);
  assert_memory_equal(c.b.data, old, len_old);
  /* ...handed out in pieces of bounded size, not at the end in one */
  assert_true(len_old > 3 * 256 * 1024 / 2);
  assert_true(c.pecas >= 2);
  assert_true(c.maior < 256 * 1024 + 64 * 1024);
  fat_free(old);
  fat_buf_fini(&c.b);
  fat_store_close(st);
  fix_remove_db(DB);
}

static void test_export_json_streamed_same_bytes_as_whole_tree(void **state)
{
  (void)state;
  same_bytes_as_whole_buffer(FAT_FMT_JSON);
}

static void test_export_csv_streamed_same_bytes_as_whole_buffer(void **state)
{
  (void)state;
  same_bytes_as_whole_buffer(FAT_FMT_CSV);
}

/* An empty export is still a whole file: the JSON object, the CSV header. */
static void test_export_empty_same_bytes(void **state)
{
  fat_store *st = open_db();
  fat_formato fmts[] = {FAT_FMT_JSON, FAT_FMT_CSV};
  size_t i;

  (void)state;
  for (i = 0; i < 2; i++) {
    coletor c;
    fat_err err;
    size_t n = 99, len_old;
    char *old = old_export(st, fmts[i], &len_old);

    memset(&c, 0, sizeof c);
    fat_buf_init(&c.b, (size_t)1 << 20);
    assert_int_equal(fat_export_guias_escrever(st, NULL, fmts[i], coleta, &c, &n, &err), FAT_OK);
    assert_int_equal(n, 0);
    assert_int_equal(c.pecas, 1);
    assert_int_equal(c.b.len, len_old);
    assert_memory_equal(c.b.data, old, len_old);
    fat_free(old);
    fat_buf_fini(&c.b);
  }
  fat_store_close(st);
  fix_remove_db(DB);
}

/* A writer's error stops the export there and comes back as it was set. */
static void test_export_stops_at_writer_error(void **state)
{
  fat_store *st = open_db();
  coletor c;
  fat_err err;
  size_t n = 7;

  (void)state;
  fill(st);
  memset(&c, 0, sizeof c);
  fat_buf_init(&c.b, (size_t)1 << 30);
  c.falha_em = 2;
  assert_int_equal(fat_export_guias_escrever(st, NULL, FAT_FMT_CSV, coleta, &c, &n, &err),
                   FAT_EIO);
  assert_string_equal(err.msg, "disco cheio (simulado)");
  assert_int_equal(c.pecas, 2);
  assert_int_equal(n, 0);
  /* the read transaction was ended: the store takes a write */
  assert_int_equal(fat_store_begin(st, &err), FAT_OK);
  assert_int_equal(fat_store_commit(st, &err), FAT_OK);
  fat_buf_fini(&c.b);
  fat_store_close(st);
  fix_remove_db(DB);
}

/* A filter the export refuses is refused before anything is written. */
static void test_export_bad_filter_writes_nothing(void **state)
{
  fat_store *st = open_db();
  fat_export_filter f = {"unimed", NULL};
  coletor c;
  fat_err err;

  (void)state;
  memset(&c, 0, sizeof c);
  fat_buf_init(&c.b, (size_t)1 << 20);
  assert_int_equal(fat_export_guias_checar(st, &f, &err), FAT_ENOTFOUND);
  assert_int_equal(fat_export_guias_escrever(st, &f, FAT_FMT_JSON, coleta, &c, NULL, &err),
                   FAT_ENOTFOUND);
  assert_non_null(strstr(err.msg, "operadora 'unimed' não cadastrada"));
  f.operadora = NULL;
  f.competencia = "2024-13";
  assert_int_equal(fat_export_guias_checar(st, &f, &err), FAT_EINVAL);
  assert_int_equal(fat_export_guias_escrever(st, &f, FAT_FMT_CSV, coleta, &c, NULL, &err),
                   FAT_EINVAL);
  assert_int_equal(c.pecas, 0);
  f.competencia = "2024-05";
  assert_int_equal(fat_export_guias_checar(st, &f, &err), FAT_OK);
  fat_buf_fini(&c.b);
  fat_store_close(st);
  fix_remove_db(DB);
}

/* The file fills up midway (a file size limit stands in for a full disk):
** a clear error naming the file, nothing under its name, no .tmp left; an
** earlier file of the same name is untouched. */
static void test_export_file_full_midway_leaves_no_file(void **state)
{
  static const char saida[] = "test_export_saida.csv";
  fat_store *st = open_db();
  struct rlimit old, lim;
  fat_file_out fo;
  fat_err err;
  fat_rc rc;
  char *txt = NULL;
  size_t len;

  (void)state;
  fill(st);
  unlink(saida);
  assert_int_equal(fat_file_write(saida, "anterior", 8, &err), FAT_OK);
  assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
  signal(SIGXFSZ, SIG_IGN);
  lim = old;
  lim.rlim_cur = 300 * 1024;
  assert_int_equal(fat_file_out_open(&fo, saida, &err), FAT_OK);
  assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
  rc = fat_export_guias_escrever(st, NULL, FAT_FMT_CSV, fat_file_out_escrever, &fo, NULL, &err);
  assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
  assert_int_equal(rc, FAT_EIO);
  fat_file_out_abort(&fo);
  assert_non_null(strstr(err.msg, "não foi possível gravar test_export_saida.csv"));
  assert_int_equal(access("test_export_saida.csv.tmp", F_OK), -1);
  assert_int_equal(fat_file_read(saida, 1024, &txt, &len, &err), FAT_OK);
  assert_string_equal(txt, "anterior");
  fat_free(txt);
  /* without the limit the same export goes through and replaces it */
  assert_int_equal(fat_file_out_open(&fo, saida, &err), FAT_OK);
  assert_int_equal(
      fat_export_guias_escrever(st, NULL, FAT_FMT_CSV, fat_file_out_escrever, &fo, NULL, &err),
      FAT_OK);
  assert_int_equal(fat_file_out_commit(&fo, &err), FAT_OK);
  assert_int_equal(access("test_export_saida.csv.tmp", F_OK), -1);
  assert_int_equal(fat_file_read(saida, (size_t)1 << 26, &txt, &len, &err), FAT_OK);
  assert_true(len > 300 * 1024);
  assert_int_equal(memcmp(txt, "\xEF\xBB\xBFtipo;", 8), 0);
  fat_free(txt);
  unlink(saida);
  fat_store_close(st);
  fix_remove_db(DB);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_export_json_streamed_same_bytes_as_whole_tree),
    cmocka_unit_test(test_export_csv_streamed_same_bytes_as_whole_buffer),
    cmocka_unit_test(test_export_empty_same_bytes),
    cmocka_unit_test(test_export_stops_at_writer_error),
    cmocka_unit_test(test_export_bad_filter_writes_nothing),
    cmocka_unit_test(test_export_file_full_midway_leaves_no_file),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
