/* test_rules.c: the rule engine: sandbox, budgets, findings, self-tests,
** generations (store, reload, rollback) and concurrent checks during reload. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fat_mem.h"
#include "fat_rules_int.h"
#include "fat_store_int.h"

static char src_dir[1024];   /* repository root */
static char rules_dir[1024]; /* the shipped rules folder */
static char fix_dir[1100];   /* tests/rules */

/* ---- helpers ---------------------------------------------------------- */

static void read_env(void)
{
  const char *s = getenv("FAT_SOURCE_DIR");
  const char *r = getenv("FATURO_REGRAS");

  snprintf(src_dir, sizeof src_dir, "%s", s != NULL ? s : FAT_SOURCE_DIR);
  snprintf(rules_dir, sizeof rules_dir, "%s", r != NULL ? r : FAT_SOURCE_DIR "/rules");
  snprintf(fix_dir, sizeof fix_dir, "%s/tests/rules", src_dir);
}

static char *slurp(const char *path)
{
  char *t = NULL;
  size_t n;
  fat_err e;

  assert_int_equal(fat_file_read(path, 1 << 22, &t, &n, &e), FAT_OK);
  return t;
}

static void put(const char *path, const char *text)
{
  fat_err e;

  assert_int_equal(fat_file_write(path, text, strlen(text), &e), FAT_OK);
}

/* Replace the first `from` in the file by `to` (same length). Returns 1 when found. */
static int patch(const char *path, const char *from, const char *to)
{
  char *t = slurp(path);
  char *p = strstr(t, from);
  int found = p != NULL;

  if (found) {
    memcpy(p, to, strlen(to));
    put(path, t);
  }
  fat_free(t);
  return found;
}

static void copy_file(const char *from, const char *to)
{
  char *t = slurp(from);

  put(to, t);
  fat_free(t);
}

/* A private rules folder: operators/ copied from the shipped ones (or from
** the fixture folder) and scripts/faturo/ copied from the repository. */
static void make_rules(char *out, size_t len, int with_shipped, const char *extra_op)
{
  char p[2048], q[2048];
  DIR *d;
  struct dirent *de;

  snprintf(out, len, "/tmp/test_rules_XXXXXX");
  assert_non_null(mkdtemp(out));
  snprintf(p, sizeof p, "%s/operators", out);
  assert_int_equal(mkdir(p, 0755), 0);
  snprintf(p, sizeof p, "%s/scripts", out);
  assert_int_equal(mkdir(p, 0755), 0);
  snprintf(p, sizeof p, "%s/scripts/faturo", out);
  assert_int_equal(mkdir(p, 0755), 0);
  snprintf(p, sizeof p, "%s/scripts/faturo", src_dir);
  d = opendir(p);
  assert_non_null(d);
  while ((de = readdir(d)) != NULL) {
    if (strstr(de->d_name, ".lua") == NULL)
      continue;
    snprintf(p, sizeof p, "%s/scripts/faturo/%s", src_dir, de->d_name);
    snprintf(q, sizeof q, "%s/scripts/faturo/%s", out, de->d_name);
    copy_file(p, q);
  }
  closedir(d);
  if (with_shipped) {
    static const char *const ops[] = {"aurora", "vitalis", "horizonte", "serena", NULL};
    int i;
    for (i = 0; ops[i] != NULL; i++) {
      snprintf(p, sizeof p, "%s/operators/%s.lua", rules_dir, ops[i]);
      snprintf(q, sizeof q, "%s/operators/%s.lua", out, ops[i]);
      copy_file(p, q);
    }
  }
  if (extra_op != NULL) {
    snprintf(p, sizeof p, "%s/operators/%s.lua", fix_dir, extra_op);
    snprintf(q, sizeof q, "%s/operators/%s.lua", out, extra_op);
    copy_file(p, q);
  }
}

static void rm_rf(const char *dir)
{
  char cmd[1200];

  if (strncmp(dir, "/tmp/test_rules_", 16) != 0)
    return;
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  assert_int_equal(system(cmd), 0);
}

/* Evaluate a fixture from tests/rules in a fresh sandbox. */
static fat_rc eval_fixture(const char *name, const fat_limits *lim, char **out, fat_err *err)
{
  char path[1200];
  char *src;
  fat_rc rc;

  snprintf(path, sizeof path, "%s/%s", fix_dir, name);
  src = slurp(path);
  rc = fat_rules_sandbox_eval(rules_dir, src, lim, out, err);
  fat_free(src);
  return rc;
}

/* A complete SP/SADT guia in the fat_guia_to_json form. */
static cJSON *sadt_guia(const char *observacao, int with_senha)
{
  cJSON *g = cJSON_Parse(
      "{\"tipo\":\"sp-sadt\",\"numero_prestador\":\"T-1\","
      "\"operadora\":{\"registro_ans\":\"312347\",\"script\":\"aurora\"},"
      "\"carteira_numero\":\"1234\",\"senha\":\"S1\",\"validade_senha\":\"2025-04-01\","
      "\"data_autorizacao\":\"2025-03-01\",\"cid\":\"J069\",\"data_inicio\":\"2025-03-10\","
      "\"assinatura_beneficiario\":true,\"pedido_medico\":true,\"laudo\":true,"
      "\"valor_total\":\"210.00\",\"itens\":[{\"sequencial\":1,\"codigo_tabela\":\"22\","
      "\"codigo\":\"40304361\",\"quantidade\":\"2.0000\",\"valor_unitario\":\"105.00\","
      "\"valor_total\":\"210.00\",\"data\":\"2025-03-10\"}]}");

  assert_non_null(g);
  if (!with_senha)
    cJSON_DeleteItemFromObject(g, "senha");
  if (observacao != NULL)
    cJSON_AddStringToObject(g, "observacao", observacao);
  return g;
}

/* Line of the first occurrence of needle in file (1-based), 0 if absent. */
static int line_of(const char *path, const char *needle)
{
  char *t = slurp(path);
  char *p = strstr(t, needle), *c;
  int line = 1;

  if (p == NULL) {
    fat_free(t);
    return 0;
  }
  for (c = t; c < p; c++)
    line += *c == '\n';
  fat_free(t);
  return line;
}

/* ---- sandbox: budgets ------------------------------------------------- */

static void test_loop_stopped(void **state)
{
  fat_limits lim = {2000000, 0, 0};
  char *out = NULL;
  fat_err e;
  int64_t t0 = fat_now_ns();

  (void)state;
  assert_int_equal(eval_fixture("loop.lua", &lim, &out, &e), FAT_ELIMIT);
  assert_null(out);
  assert_non_null(strstr(e.msg, "instruções"));
  assert_non_null(strstr(e.msg, "teste.lua:2")); /* where it was interrupted */
  assert_true(fat_now_ns() - t0 < 2000000000LL);
}

static void test_pcall_loop_stopped(void **state)
{
  fat_limits lim = {2000000, 0, 0};
  char *out = NULL;
  fat_err e;

  (void)state;
  assert_int_equal(eval_fixture("pcall_loop.lua", &lim, &out, &e), FAT_ELIMIT);
  assert_null(out);
  assert_non_null(strstr(e.msg, "instruções"));
}

static void test_time_limit(void **state)
{
  fat_limits lim = {(unsigned long)1 << 40, 0, 100}; /* 100 ms, instructions unbounded */
  char *out = NULL;
  fat_err e;
  int64_t t0 = fat_now_ns();

  (void)state;
  assert_int_equal(eval_fixture("loop.lua", &lim, &out, &e), FAT_ELIMIT);
  assert_non_null(strstr(e.msg, "tempo"));
  assert_true(fat_now_ns() - t0 < 1500000000LL);
}

static void test_alloc_stopped(void **state)
{
  fat_limits lim = {(unsigned long)1 << 40, (size_t)8 << 20, 10000};
  char *out = NULL;
  fat_err e;

  (void)state;
  assert_int_equal(eval_fixture("alloc_rep.lua", &lim, &out, &e), FAT_ELIMIT);
  assert_non_null(strstr(e.msg, "memória"));
  assert_int_equal(eval_fixture("alloc_table.lua", &lim, &out, &e), FAT_ELIMIT);
  assert_non_null(strstr(e.msg, "memória"));
  assert_int_equal(fat_rules_sandbox_eval(rules_dir, "return #string.rep('x', 1e9)", &lim, &out,
                                          &e),
                   FAT_ELIMIT);
  assert_null(out);
}

/* ---- sandbox: what is not there --------------------------------------- */

static void test_escapes_fail(void **state)
{
  static const struct {
    const char *file;
    const char *msg;
  } cases[] = {
    {"escape_os.lua", "'os'"},
    {"escape_io.lua", "'io'"},
    {"escape_require.lua", "não encontrado"},
    {"escape_gc.lua", "__gc"},
    {"escape_global.lua", "segredo"},
  };
  size_t i;
  char *out = NULL;
  fat_err e;

  (void)state;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    fat_err_clear(&e);
    assert_int_equal(eval_fixture(cases[i].file, NULL, &out, &e), FAT_ERULE);
    assert_null(out);
    if (strstr(e.msg, cases[i].msg) == NULL)
      fail_msg("%s: mensagem inesperada: %s", cases[i].file, e.msg);
  }
  assert_false(access("/tmp/faturo-pwned", F_OK) == 0);
  /* a forged binary chunk is refused even when asking for mode "b" */
  assert_int_equal(eval_fixture("escape_bytecode.lua", NULL, &out, &e), FAT_OK);
  assert_non_null(strstr(out, "recusado"));
  assert_non_null(strstr(out, "binary"));
  fat_free(out);
}

static void test_missing_functions(void **state)
{
  static const char *const exprs[] = {
    "return debug.getinfo(1)",       "return coroutine.create(print)", "return package.loadlib",
    "return dofile('/etc/passwd')",  "return loadfile('/etc/passwd')", "return collectgarbage()",
    "return print('x')",             "return rawset(_G, 'x', 1)",      "return string.dump(print)",
    "return math.random()",          "return require('../../etc/x')",  "return getmetatable('').x",
  };
  size_t i;
  char *out = NULL;
  fat_err e;

  (void)state;
  for (i = 0; i < sizeof exprs / sizeof exprs[0]; i++) {
    fat_rc rc = fat_rules_sandbox_eval(rules_dir, exprs[i], NULL, &out, &e);
    if (rc != FAT_ERULE)
      fail_msg("'%s' deveria falhar (rc=%d, out=%s)", exprs[i], rc, out != NULL ? out : "");
  }
  /* text chunks through load still work, and so does require of scripts/ */
  assert_int_equal(fat_rules_sandbox_eval(rules_dir, "return load('return 1 + 1')()", NULL, &out,
                                          &e),
                   FAT_OK);
  assert_string_equal(out, "2");
  fat_free(out);
  assert_int_equal(fat_rules_sandbox_eval(rules_dir,
                                          "local d = require 'faturo.datas'\n"
                                          "return d.diferenca('2024-02-28', '2024-03-01')",
                                          NULL, &out, &e),
                   FAT_OK);
  assert_string_equal(out, "2");
  fat_free(out);
}

static void test_globals_allow_list(void **state)
{
  static const char *const allowed[] = {
    "_G", "_VERSION", "assert", "error", "getmetatable", "ipairs", "load", "next", "pairs",
    "pcall", "rawequal", "rawget", "rawlen", "require", "select", "setmetatable", "tonumber",
    "tostring", "type", "xpcall", "math", "math.abs", "math.ceil", "math.cos", "math.deg",
    "math.exp", "math.floor", "math.fmod", "math.huge", "math.log", "math.max", "math.maxinteger",
    "math.min", "math.mininteger", "math.modf", "math.pi", "math.rad", "math.sin", "math.sqrt",
    "math.tan", "math.tointeger",
    /* LUA_COMPAT_MATHLIB in Debian's build: pure functions */
    "math.atan2", "math.cosh", "math.frexp", "math.ldexp", "math.log10", "math.pow", "math.sinh",
    "math.tanh", "math.type", "math.ult", "math.acos", "math.asin", "math.atan",
    "string", "string.byte", "string.char", "string.find", "string.format", "string.gmatch",
    "string.gsub", "string.len", "string.lower", "string.match", "string.pack",
    "string.packsize", "string.rep", "string.reverse", "string.sub", "string.unpack",
    "string.upper", "table", "table.concat", "table.insert", "table.move", "table.pack",
    "table.remove", "table.sort", "table.unpack", "utf8", "utf8.char", "utf8.charpattern",
    "utf8.codepoint", "utf8.codes", "utf8.len", "utf8.offset", NULL};
  char *out = NULL;
  fat_err e;
  cJSON *arr, *it;

  (void)state;
  assert_int_equal(eval_fixture("walk_globals.lua", NULL, &out, &e), FAT_OK);
  arr = cJSON_Parse(out);
  assert_non_null(arr);
  assert_true(cJSON_GetArraySize(arr) > 40);
  cJSON_ArrayForEach(it, arr)
  {
    int i, ok = 0;
    for (i = 0; allowed[i] != NULL; i++)
      if (strcmp(allowed[i], it->valuestring) == 0)
        ok = 1;
    if (!ok)
      fail_msg("nome fora da lista permitida no sandbox: %s", it->valuestring);
  }
  cJSON_Delete(arr);
  fat_free(out);
}

/* ---- operator scripts ------------------------------------------------- */

static void test_shipped_selftests_pass(void **state)
{
  fat_gen *g = NULL;
  fat_err e;
  cJSON *rep = NULL, *t;
  int n = 0;

  (void)state;
  assert_int_equal(fat_gen_build(rules_dir, NULL, NULL, NULL, &g, &e), FAT_OK);
  assert_int_equal(fat_gen_count(g), 4);
  assert_int_equal(fat_gen_selftest(g, NULL, &rep, &e), FAT_OK);
  assert_true(cJSON_IsTrue(cJSON_GetObjectItem(rep, "ok")));
  cJSON_ArrayForEach(t, cJSON_GetObjectItem(rep, "testes"))
  {
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(t, "ok")));
    n++;
  }
  assert_true(n >= 24); /* each operator has must-raise and must-not-raise cases */
  cJSON_Delete(rep);
  assert_int_equal(fat_gen_selftest(g, "nenhuma", &rep, &e), FAT_ENOTFOUND);
  fat_gen_release(g);
}

static void test_contract_json(void **state)
{
  fat_gen *g = NULL;
  fat_err e;
  cJSON *c = NULL, *p;

  (void)state;
  assert_int_equal(fat_gen_build(rules_dir, NULL, NULL, NULL, &g, &e), FAT_OK);
  assert_int_equal(fat_gen_contract(g, "aurora", &c, &e), FAT_OK);
  assert_string_equal(cJSON_GetObjectItem(c, "registro_ans")->valuestring, "312347");
  assert_string_equal(cJSON_GetObjectItem(c, "codigo_prestador")->valuestring, "A-10234");
  p = cJSON_GetObjectItem(cJSON_GetObjectItem(c, "precos"), "procedimentos");
  assert_int_equal((int)cJSON_GetObjectItem(p, "ajuste_bp")->valuedouble, -2000);
  assert_int_equal((int)cJSON_GetObjectItem(p, "uco_centavos")->valuedouble, 1750);
  assert_int_equal((int)cJSON_GetObjectItem(cJSON_GetObjectItem(c, "lote"), "max_guias")
                       ->valuedouble, 100);
  assert_null(cJSON_GetObjectItem(c, "testes")->child); /* a count, not the tables */
  assert_true(cJSON_IsArray(cJSON_GetObjectItem(c, "checks")));
  cJSON_Delete(c);
  assert_int_equal(fat_gen_contract(g, "vitalis", &c, &e), FAT_OK);
  p = cJSON_GetObjectItem(cJSON_GetObjectItem(c, "lote"), "fechamento_dias");
  assert_int_equal(cJSON_GetArraySize(p), 2);
  assert_int_equal((int)cJSON_GetArrayItem(p, 0)->valuedouble, 15);
  assert_int_equal((int)cJSON_GetArrayItem(p, 1)->valuedouble, -1);
  p = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(c, "precos"), "procedimentos"),
                          "uco_centavos");
  assert_int_equal((int)p->valuedouble, 1600); /* "16,00" converted by dinheiro.lua */
  cJSON_Delete(c);
  assert_int_equal(fat_gen_contract(g, "serena", &c, &e), FAT_OK);
  assert_string_equal(cJSON_GetObjectItem(c, "hash")->valuestring, "utf-8");
  assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(c, "lote"), "periodicidade")
                          ->valuestring, "calendario");
  cJSON_Delete(c);
  assert_int_equal(fat_gen_contract(g, "nenhuma", &c, &e), FAT_ENOTFOUND);
  assert_null(c);
  fat_gen_release(g);
}

static void test_findings_fields(void **state)
{
  fat_gen *g = NULL;
  fat_err e;
  fat_findings f;
  cJSON *guia = sadt_guia(NULL, 0), *it;
  char path[1200];
  size_t i;
  int seen_q = 0, seen_s = 0;

  (void)state;
  assert_int_equal(fat_gen_build(rules_dir, NULL, NULL, NULL, &g, &e), FAT_OK);
  /* quantity 6 on item 1 and no senha */
  it = cJSON_GetArrayItem(cJSON_GetObjectItem(guia, "itens"), 0);
  cJSON_ReplaceItemInObject(it, "quantidade", cJSON_CreateString("6.0000"));
  fat_findings_init(&f);
  assert_int_equal(fat_gen_check(g, "aurora", guia, NULL, &f, &e), FAT_OK);
  snprintf(path, sizeof path, "%s/operators/aurora.lua", rules_dir);
  for (i = 0; i < f.n; i++) {
    if (strcmp(f.v[i].codigo, "QUANTIDADE_ACIMA_CONTRATO") == 0) {
      seen_q = 1;
      assert_string_equal(f.v[i].regra, "aurora:quantidade_sadt");
      assert_string_equal(f.v[i].script_sha256, fat_gen_sha256(g, "aurora"));
      assert_int_equal(f.v[i].linha, line_of(path, "quantidade_sadt = function"));
      assert_int_equal(f.v[i].item_seq, 1);
      assert_int_equal(f.v[i].severidade, FAT_BLOQUEIO);
      assert_string_equal(f.v[i].glosa_prevista, "1423");
      assert_true(f.v[i].valor_risco == 21000);
    }
    if (strcmp(f.v[i].codigo, "SENHA_AUSENTE") == 0) {
      seen_s = 1;
      assert_string_equal(f.v[i].regra, "aurora:obrigatorios");
      assert_string_equal(f.v[i].campo, "senha");
      assert_non_null(f.v[i].script_sha256); /* the module that defines the check */
      assert_true(f.v[i].linha > 0);
    }
  }
  assert_true(seen_q && seen_s);
  fat_findings_fini(&f);
  cJSON_Delete(guia);
  fat_gen_release(g);
}

static void test_check_limits_and_errors(void **state)
{
  char dir[256], path[1200];
  fat_gen *g = NULL;
  fat_err e;
  fat_findings f;
  fat_limits lim = {3000000, (size_t)16 << 20, 2000};
  cJSON *guia;
  int line;

  (void)state;
  make_rules(dir, sizeof dir, 0, "lento");
  snprintf(path, sizeof path, "%s/operators/lento.lua", dir);
  assert_int_equal(fat_gen_build(dir, NULL, NULL, &lim, &g, &e), FAT_OK);
  fat_findings_init(&f);

  guia = sadt_guia("loop", 1);
  assert_int_equal(fat_gen_check(g, "lento", guia, NULL, &f, &e), FAT_ELIMIT);
  assert_int_equal(f.n, 0); /* all or nothing: a_ok's finding is not kept */
  assert_non_null(strstr(e.msg, "lento:loop"));
  line = line_of(path, "loop = function");
  {
    char want[64];
    snprintf(want, sizeof want, "linha %d", line);
    assert_non_null(strstr(e.msg, want));
    snprintf(want, sizeof want, "operators/lento.lua:%d", line + 2); /* the while */
    assert_non_null(strstr(e.msg, want));
  }
  cJSON_Delete(guia);

  guia = sadt_guia("pcall", 1);
  assert_int_equal(fat_gen_check(g, "lento", guia, NULL, &f, &e), FAT_ELIMIT);
  assert_non_null(strstr(e.msg, "lento:pcall_loop"));
  cJSON_Delete(guia);

  guia = sadt_guia("memoria", 1);
  assert_int_equal(fat_gen_check(g, "lento", guia, NULL, &f, &e), FAT_ELIMIT);
  assert_non_null(strstr(e.msg, "lento:memoria"));
  assert_non_null(strstr(e.msg, "memória"));
  cJSON_Delete(guia);

  guia = sadt_guia("erro", 1);
  assert_int_equal(fat_gen_check(g, "lento", guia, NULL, &f, &e), FAT_ERULE);
  assert_non_null(strstr(e.msg, "lento:quebra"));
  assert_non_null(strstr(e.msg, "operators/lento.lua:"));
  assert_int_equal(f.n, 0);
  cJSON_Delete(guia);

  /* the engine continues with the next guia on the same state */
  guia = sadt_guia(NULL, 1);
  assert_int_equal(fat_gen_check(g, "lento", guia, NULL, &f, &e), FAT_OK);
  assert_int_equal(f.n, 1);
  assert_string_equal(f.v[0].codigo, "SEMPRE");
  assert_int_equal(f.v[0].severidade, FAT_ALERTA);
  assert_true(fat_gen_mem_used(g, "lento") < ((size_t)8 << 20));
  cJSON_Delete(guia);
  fat_findings_fini(&f);
  fat_gen_release(g);
  rm_rf(dir);
}

static void test_bad_declarations(void **state)
{
  char dir[256], path[1200];
  fat_gen *g = NULL;
  fat_err e;

  (void)state;
  make_rules(dir, sizeof dir, 1, NULL);
  snprintf(path, sizeof path, "%s/operators/aurora.lua", dir);
  assert_true(patch(path, "max_guias = 100", "max_guias = 900"));
  assert_int_equal(fat_gen_build(dir, NULL, NULL, NULL, &g, &e), FAT_ERULE);
  assert_null(g);
  {
    char want[64];
    snprintf(want, sizeof want, "operators/aurora.lua:%d:", line_of(path, "max_guias = 900"));
    if (strstr(e.msg, want) == NULL)
      fail_msg("esperado '%s' em: %s", want, e.msg);
  }
  assert_non_null(strstr(e.msg, "max_guias"));
  /* a draft override replaces one operator without touching the folder */
  snprintf(path, sizeof path, "%s/operators/aurora.lua", rules_dir);
  assert_int_equal(fat_gen_build(dir, "aurora", path, NULL, &g, &e), FAT_OK);
  assert_int_equal(fat_gen_count(g), 4);
  fat_gen_release(g);
  rm_rf(dir);
}

/* ---- generations ------------------------------------------------------ */

static void test_reload_broken_keeps_live(void **state)
{
  char dir[256], path[1200];
  fat_rules *r = NULL;
  fat_gen *g1, *g2;
  fat_err e;
  fat_findings f;
  cJSON *guia = sadt_guia(NULL, 0);
  char *t;
  char sha[65];

  (void)state;
  make_rules(dir, sizeof dir, 1, NULL);
  assert_int_equal(fat_rules_open(dir, NULL, NULL, &r, &e), FAT_OK);
  g1 = fat_rules_acquire(r);
  snprintf(sha, sizeof sha, "%s", fat_gen_sha256(g1, "vitalis"));
  fat_gen_release(g1);

  /* syntax error on line 3 of vitalis */
  snprintf(path, sizeof path, "%s/operators/vitalis.lua", dir);
  t = slurp(path);
  put(path, "-- quebrado\nlocal base = require \"faturo.base\"\nlocal x = = 1\n");
  assert_int_equal(fat_rules_reload(r, NULL, &e), FAT_ERULE);
  assert_non_null(strstr(e.msg, "operators/vitalis.lua:3"));
  assert_non_null(strstr(e.msg, "continuam valendo"));
  g2 = fat_rules_acquire(r);
  assert_string_equal(fat_gen_sha256(g2, "vitalis"), sha);
  fat_findings_init(&f);
  assert_int_equal(fat_gen_check(g2, "aurora", guia, NULL, &f, &e), FAT_OK);
  assert_true(f.n >= 1);
  fat_findings_fini(&f);
  fat_gen_release(g2);

  /* a failing self-test also keeps the live generation and names the test */
  put(path, t);
  fat_free(t);
  snprintf(path, sizeof path, "%s/operators/serena.lua", dir);
  assert_true(patch(path, "espera = { \"URGENCIA_SEM_HORA\" }", "espera = { \"URGENCIA_SEM_HOR0\" }"));
  assert_int_equal(fat_rules_reload(r, NULL, &e), FAT_ERULE);
  assert_non_null(strstr(e.msg, "urgência sem hora gera alerta"));
  assert_non_null(strstr(e.msg, "operators/serena.lua"));
  g2 = fat_rules_acquire(r);
  assert_string_equal(fat_gen_sha256(g2, "vitalis"), sha);
  fat_gen_release(g2);
  fat_rules_close(r);
  cJSON_Delete(guia);
  rm_rf(dir);
}

typedef struct worker {
  fat_rules *r;
  atomic_int *stop;
  long ok, failed;
  char last_err[sizeof ((fat_err *)0)->msg];
} worker;

static void *check_loop(void *arg)
{
  worker *w = arg;
  cJSON *guia = sadt_guia(NULL, 0);
  fat_findings f;
  fat_err e;

  fat_findings_init(&f);
  while (!atomic_load(w->stop)) {
    fat_gen *g = fat_rules_acquire(w->r);
    static const char *const ops[] = {"aurora", "vitalis", "serena"};
    const char *key = ops[(w->ok + w->failed) % 3];

    fat_findings_clear(&f);
    if (fat_gen_check(g, key, guia, NULL, &f, &e) == FAT_OK && f.n >= 1 &&
        strcmp(f.v[0].codigo, "SENHA_AUSENTE") == 0) {
      w->ok++;
    } else {
      w->failed++;
      snprintf(w->last_err, sizeof w->last_err, "%s", e.msg);
    }
    fat_gen_release(g);
  }
  fat_findings_fini(&f);
  cJSON_Delete(guia);
  return NULL;
}

static void test_reload_during_checks(void **state)
{
  char dir[256], path[1200];
  fat_rules *r = NULL;
  fat_err e;
  pthread_t th[4];
  worker w[4];
  atomic_int stop;
  char *orig;
  int i, reloads = 0;
  long total = 0;
  fat_gen *g;
  char hash0[65];

  (void)state;
  make_rules(dir, sizeof dir, 1, NULL);
  assert_int_equal(fat_rules_open(dir, NULL, NULL, &r, &e), FAT_OK);
  g = fat_rules_acquire(r);
  snprintf(hash0, sizeof hash0, "%s", fat_gen_hash(g));
  fat_gen_release(g);
  atomic_init(&stop, 0);
  for (i = 0; i < 4; i++) {
    memset(&w[i], 0, sizeof w[i]);
    w[i].r = r;
    w[i].stop = &stop;
    assert_int_equal(pthread_create(&th[i], NULL, check_loop, &w[i]), 0);
  }
  snprintf(path, sizeof path, "%s/operators/aurora.lua", dir);
  orig = slurp(path);
  for (i = 0; i < 8; i++) {
    char *next = fat_asprintf("%s\n-- revisão %d\n", orig, i);
    put(path, next);
    fat_free(next);
    assert_int_equal(fat_rules_reload(r, NULL, &e), FAT_OK);
    reloads++;
  }
  usleep(50000);
  atomic_store(&stop, 1);
  for (i = 0; i < 4; i++) {
    assert_int_equal(pthread_join(th[i], NULL), 0);
    if (w[i].failed != 0)
      fail_msg("thread %d: %ld checks falharam: %s", i, w[i].failed, w[i].last_err);
    total += w[i].ok;
  }
  assert_int_equal(reloads, 8);
  assert_true(total > 0);
  g = fat_rules_acquire(r);
  assert_string_not_equal(fat_gen_hash(g), hash0); /* the last reload is live */
  fat_gen_release(g);
  fat_free(orig);
  fat_rules_close(r);
  rm_rf(dir);
}

static int count_rows(fat_store *st, const char *sql_text)
{
  sqlite3_stmt *s;
  int n = -1;

  if (sqlite3_prepare_v2(fat_store_db(st), sql_text, -1, &s, NULL) != SQLITE_OK)
    return -1;
  if (sqlite3_step(s) == SQLITE_ROW)
    n = sqlite3_column_int(s, 0);
  sqlite3_finalize(s);
  return n;
}

static void test_store_versions_and_revert(void **state)
{
  char dir[256], path[1200], db[300];
  fat_store *st = NULL;
  fat_rules *r = NULL;
  fat_gen *g;
  fat_err e;
  int64_t id1, id2, id3 = 0, active;
  char *orig, *now;
  cJSON *vers;

  (void)state;
  make_rules(dir, sizeof dir, 1, NULL);
  snprintf(db, sizeof db, "%s/test_rules.db", dir);
  assert_int_equal(fat_store_create(db, &st, &e), FAT_OK);
  assert_int_equal(fat_store_set_user(st, "supervisora", &e), FAT_OK);
  assert_int_equal(fat_rules_open(dir, NULL, st, &r, &e), FAT_OK);
  g = fat_rules_acquire(r);
  id1 = fat_gen_id(g);
  assert_true(id1 > 0);
  fat_gen_release(g);
  /* identical contents reuse the active generation */
  assert_int_equal(fat_rules_reload(r, st, &e), FAT_OK);
  g = fat_rules_acquire(r);
  assert_true(fat_gen_id(g) == id1);
  fat_gen_release(g);
  assert_int_equal(count_rows(st, "SELECT count(*) FROM regra_geracao"), 1);
  assert_int_equal(count_rows(st, "SELECT count(*) FROM regra_script WHERE geracao_id = 1 AND "
                                  "chave = 'scripts/faturo/base'"), 1);

  /* change aurora: a new generation, active, by the store's user */
  snprintf(path, sizeof path, "%s/operators/aurora.lua", dir);
  orig = slurp(path);
  now = fat_asprintf("%s\n-- ajuste do contrato\n", orig);
  put(path, now);
  fat_free(now);
  assert_int_equal(fat_rules_reload(r, st, &e), FAT_OK);
  g = fat_rules_acquire(r);
  id2 = fat_gen_id(g);
  fat_gen_release(g);
  assert_true(id2 > id1);
  assert_int_equal(fat_rules_active(st, &active, NULL, &e), FAT_OK);
  assert_true(active == id2);
  assert_int_equal(count_rows(st, "SELECT count(*) FROM regra_geracao WHERE ativa = 1 AND "
                                  "usuario = 'supervisora' AND motivo = 'recarga'"), 1);

  /* revert to the first version: folder restored, new generation recorded */
  assert_int_equal(fat_rules_revert(dir, st, id1, NULL, &id3, &e), FAT_OK);
  assert_true(id3 > id2);
  now = slurp(path);
  assert_string_equal(now, orig);
  fat_free(now);
  assert_int_equal(count_rows(st, "SELECT count(*) FROM regra_geracao WHERE ativa = 1 AND "
                                  "motivo = 'reversao de 1'"), 1);
  /* the server picks it up through a reload: same contents as version 1 */
  assert_int_equal(fat_rules_reload(r, st, &e), FAT_OK);
  g = fat_rules_acquire(r);
  assert_true(fat_gen_id(g) == id3);
  fat_gen_release(g);
  assert_int_equal(fat_rules_versions(st, &vers, &e), FAT_OK);
  assert_int_equal(cJSON_GetArraySize(vers), 3);
  assert_true(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetArrayItem(vers, 0), "scripts")) >=
              8);
  cJSON_Delete(vers);
  assert_int_equal(fat_rules_revert(dir, st, 99, NULL, NULL, &e), FAT_ENOTFOUND);
  /* the stored build of a version is available without touching the folder */
  assert_int_equal(fat_gen_build_version(st, id2, NULL, &g, &e), FAT_OK);
  assert_int_equal(fat_gen_count(g), 4);
  fat_gen_release(g);
  fat_free(orig);
  fat_rules_close(r);
  fat_store_close(st);
  rm_rf(dir);
}

static void test_signal_server_pidfile(void **state)
{
  char *p;
  int sent = 1;
  fat_err e;

  (void)state;
  p = fat_rules_pidfile_path("/var/lib/faturo/faturo.db");
  assert_string_equal(p, "/var/lib/faturo/faturo-servidor.pid");
  fat_free(p);
  p = fat_rules_pidfile_path("faturo.db");
  assert_string_equal(p, "faturo-servidor.pid");
  fat_free(p);
  assert_int_equal(fat_rules_signal_server("/tmp/test_rules_nao_existe/x.db", &sent, &e), FAT_OK);
  assert_int_equal(sent, 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_loop_stopped),
    cmocka_unit_test(test_pcall_loop_stopped),
    cmocka_unit_test(test_time_limit),
    cmocka_unit_test(test_alloc_stopped),
    cmocka_unit_test(test_escapes_fail),
    cmocka_unit_test(test_missing_functions),
    cmocka_unit_test(test_globals_allow_list),
    cmocka_unit_test(test_shipped_selftests_pass),
    cmocka_unit_test(test_contract_json),
    cmocka_unit_test(test_findings_fields),
    cmocka_unit_test(test_check_limits_and_errors),
    cmocka_unit_test(test_bad_declarations),
    cmocka_unit_test(test_reload_broken_keeps_live),
    cmocka_unit_test(test_reload_during_checks),
    cmocka_unit_test(test_store_versions_and_revert),
    cmocka_unit_test(test_signal_server_pidfile),
  };

  read_env();
  return cmocka_run_group_tests(tests, NULL, NULL);
}
