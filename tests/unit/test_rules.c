/* test_rules.c: the rule engine: sandbox, budgets, findings, self-tests,
** generations (store, reload, rollback) and concurrent checks during reload. */
/* GCC 12 at -O3 reports a false -Wdangling-pointer in patch()/line_of(): it sees
 * &t escape into fat_file_read() in slurp() and assumes the returned pointer may
 * be the address of that local. */
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
#pragma GCC diagnostic ignored "-Wdangling-pointer"
#endif
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
#include <time.h>
#include <unistd.h>

#include <signal.h>
#include <sys/wait.h>

#include <lauxlib.h>
#include <lualib.h>
#include <sodium.h>

#include "fat_mem.h"
#include "fat_paths.h"
#include "fat_pidfile.h"
#include "fat_rules_int.h"
#include "fat_store_int.h"
#include "fat_store_sqlite.h"

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
  rc = fat_rules_sandbox_eval(rules_dir, src, lim, 0, out, err);
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

/* CPU time of this thread (ns). A budget in instructions or memory is
** checked by what it bounds, and the time it took by this thread's CPU, not
** the wall clock: a loaded box or the sanitizer build changes neither. The
** wall-clock limits (time_ms, watchdog) are kept out of reach in those tests
** (NO_TIME) so that they cannot be what trips. */
static int64_t cpu_ns(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

#define NO_TIME 600000L /* ms */

/* ---- sandbox: budgets ------------------------------------------------- */

static void test_loop_stopped(void **state)
{
  fat_limits lim = {2000000, 0, NO_TIME, 0};
  char *out = NULL;
  fat_err e;
  int64_t c0 = cpu_ns();

  (void)state;
  assert_int_equal(eval_fixture("loop.lua", &lim, &out, &e), FAT_ELIMIT);
  assert_null(out);
  assert_non_null(strstr(e.msg, "instruções"));
  assert_non_null(strstr(e.msg, "teste.lua:2")); /* where it was interrupted */
  assert_true(cpu_ns() - c0 < 2000000000LL);
}

static void test_pcall_loop_stopped(void **state)
{
  fat_limits lim = {2000000, 0, NO_TIME, 0};
  char *out = NULL;
  fat_err e;

  (void)state;
  assert_int_equal(eval_fixture("pcall_loop.lua", &lim, &out, &e), FAT_ELIMIT);
  assert_null(out);
  assert_non_null(strstr(e.msg, "instruções"));
}

static void test_time_limit(void **state)
{
  fat_limits lim = {(unsigned long)1 << 40, 0, 100, 0}; /* 100 ms, instructions unbounded */
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
  /* only memory can stop these: instructions unbounded, time out of reach */
  fat_limits lim = {(unsigned long)1 << 40, (size_t)8 << 20, NO_TIME, 0};
  char *out = NULL;
  fat_err e;

  (void)state;
  assert_int_equal(eval_fixture("alloc_rep.lua", &lim, &out, &e), FAT_ELIMIT);
  assert_non_null(strstr(e.msg, "memória"));
  assert_int_equal(eval_fixture("alloc_table.lua", &lim, &out, &e), FAT_ELIMIT);
  assert_non_null(strstr(e.msg, "memória"));
  assert_int_equal(fat_rules_sandbox_eval(rules_dir, "return #string.rep('x', 1e9)", &lim, 0, &out,
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
    fat_rc rc = fat_rules_sandbox_eval(rules_dir, exprs[i], NULL, 0, &out, &e);
    if (rc != FAT_ERULE)
      fail_msg("'%s' deveria falhar (rc=%d, out=%s)", exprs[i], rc, out != NULL ? out : "");
  }
  /* text chunks through load still work, and so does require of scripts/ */
  assert_int_equal(fat_rules_sandbox_eval(rules_dir, "return load('return 1 + 1')()", NULL, 0, &out,
                                          &e),
                   FAT_OK);
  assert_string_equal(out, "2");
  fat_free(out);
  assert_int_equal(fat_rules_sandbox_eval(rules_dir,
                                          "local d = require 'faturo.datas'\n"
                                          "return d.diferenca('2024-02-28', '2024-03-01')",
                                          NULL, 0, &out, &e),
                   FAT_OK);
  assert_string_equal(out, "2");
  fat_free(out);
  /* messages show dates as users read them */
  assert_int_equal(fat_rules_sandbox_eval(rules_dir,
                                          "local d = require 'faturo.datas'\n"
                                          "return d.br('2026-11-18') .. ' ' .. d.br('2026-02-30')",
                                          NULL, 0, &out, &e),
                   FAT_OK);
  assert_string_equal(out, "18/11/2026 2026-02-30");
  fat_free(out);
}

/* dinheiro.centavos and quantidade_e4 read the plain forms in C
** (fat_rules_nativo.c): every input gives what the Lua code gives. A
** trailing space is the same value to the Lua code and sends the input past
** the C reader, so each input is compared with itself plus a space. */
static void test_dinheiro_c_readers_same_as_lua(void **state)
{
  static const char chunk[] =
    "local d = require 'faturo.dinheiro'\n"
    "local nativo = require 'faturo.nativo'\n"
    "local function lento() return 'lento' end\n"
    "local rc, rq = nativo.centavos(lento), nativo.quantidade_e4(lento)\n"
    "local function chama(f, v) return pcall(function() return f(v) end) end\n"
    "local sinais = {'', '-', '+', ' '}\n"
    "local ints = {'', '0', '7', '12', '00012', '1.234', '1234567890123456',\n"
    "  '12345678901234567', '99999999999999999999', 'x', '1e3'}\n"
    "local decs = {'', '.', '.5', '.50', '.567', ',5', ',50', '.0000', ',1234', '.12345', '.x', '..5'}\n"
    "local n, rapidos = 0, 0\n"
    "for _, s in ipairs(sinais) do for _, i in ipairs(ints) do for _, c in ipairs(decs) do\n"
    "  local v = s .. i .. c\n"
    "  for _, par in ipairs({{d.centavos, rc}, {d.quantidade_e4, rq}}) do\n"
    "    local ok1, r1 = chama(par[1], v)\n"
    "    local ok2, r2 = chama(par[1], v .. ' ')\n"
    "    if ok1 ~= ok2 or (ok1 and r1 ~= r2) or (not ok1 and r1 ~= r2 and r1 .. ' ' ~= r2) then\n"
    "      return 'diferente: [' .. v .. '] ' .. tostring(r1) .. ' / ' .. tostring(r2)\n"
    "    end\n"
    "    if math.type(r1) == 'integer' and par[2](v) ~= 'lento' then rapidos = rapidos + 1 end\n"
    "    n = n + 1\n"
    "  end\n"
    "end end end\n"
    "if d.centavos(1750) ~= 1750 or d.quantidade_e4(3) ~= 30000 then return 'inteiro' end\n"
    "if rc('1234.56') ~= 123456 or rc('-12.5') ~= -1250 or rc('12') ~= 1200 then return 'rc' end\n"
    "if rq('2.0000') ~= 20000 or rq('2,5') ~= 25000 or rq('3') ~= 30000 then return 'rq' end\n"
    "if d.centavos('R$ 1.234,56') ~= 123456 then return 'brasil' end\n"
    "local ok, e = pcall(function()\n"
    "  return d.centavos('12.345') end)\n"
    "if ok or not e:find('^teste.lua:28: valor em dinheiro inválido: 12.345$') then\n"
    "  return 'posição: ' .. tostring(e) end\n"
    "return n .. ' ' .. rapidos\n";
  char *out = NULL;
  fat_err e;
  long n = 0, fast = 0;

  (void)state;
  fat_err_clear(&e);
  if (fat_rules_sandbox_eval(rules_dir, chunk, NULL, 0, &out, &e) != FAT_OK)
    fail_msg("%s", e.msg);
  assert_non_null(out);
  if (sscanf(out, "%ld %ld", &n, &fast) != 2)
    fail_msg("%s", out);
  assert_int_equal(n, 4 * 11 * 12 * 2);
  assert_true(fast >= 40); /* the plain forms did not go to Lua */
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

/* The typed contract every stage reads, parsed once per generation. */
static void test_contrato_typed(void **state)
{
  fat_gen *g = NULL;
  fat_err e;
  const fat_contrato *c;

  (void)state;
  assert_int_equal(fat_gen_build(rules_dir, NULL, NULL, NULL, &g, &e), FAT_OK);
  c = fat_gen_contrato(g, "aurora");
  assert_non_null(c);
  assert_string_equal(c->chave, "aurora");
  assert_string_equal(c->registro_ans, "312347");
  assert_string_equal(c->codigo_prestador, "A-10234");
  assert_string_equal(c->hash, "iso-8859-1");
  assert_int_equal(c->lote.periodicidade, FAT_CONTRATO_MENSAL);
  assert_int_equal(c->lote.n_dias, 1);
  assert_int_equal(c->lote.dias[0], 25);
  assert_int_equal(c->lote.prazo_envio_dias, 10);
  assert_int_equal(c->lote.max_guias, 100);
  assert_int_equal(c->pagamento.prazo_dias, 30);
  assert_int_equal(c->recurso.prazo_dias, 60);
  assert_int_equal(c->prazo_apresentacao_dias, 90);
  assert_non_null(strstr(fat_contrato_modelo_recurso(c, "1403"), "{senha}"));
  assert_null(fat_contrato_modelo_recurso(c, "9999"));
  assert_true(c->precos.g[FAT_PRECO_PROCEDIMENTOS].on);
  assert_int_equal(c->precos.g[FAT_PRECO_PROCEDIMENTOS].tabela, FAT_PRECO_CBHPM);
  assert_string_equal(c->precos.g[FAT_PRECO_PROCEDIMENTOS].edicao, "demo");
  assert_true(c->precos.g[FAT_PRECO_PROCEDIMENTOS].ajuste_bp == -2000);
  assert_true(c->precos.g[FAT_PRECO_PROCEDIMENTOS].uco_c == 1750);
  assert_int_equal(c->precos.g[FAT_PRECO_MATERIAIS].tabela, FAT_PRECO_SIMPRO);
  c = fat_gen_contrato(g, "vitalis");
  assert_int_equal(c->lote.periodicidade, FAT_CONTRATO_QUINZENAL);
  assert_int_equal(c->lote.n_dias, 2);
  assert_int_equal(c->lote.dias[0], 15);
  assert_int_equal(c->lote.dias[1], 0); /* the last day of the month */
  assert_true(c->precos.g[FAT_PRECO_PROCEDIMENTOS].uco_c == 1600); /* "16,00" */
  c = fat_gen_contrato(g, "serena");
  assert_string_equal(c->hash, "utf-8");
  assert_int_equal(c->lote.periodicidade, FAT_CONTRATO_CALENDARIO);
  assert_true(c->lote.n_datas > 0);
  c = fat_gen_contrato(g, "horizonte");
  assert_int_equal(c->lote.periodicidade, FAT_CONTRATO_SEMANAL);
  assert_int_equal(c->lote.dia_semana, 0);
  assert_null(fat_gen_contrato(g, "nenhuma"));
  fat_gen_release(g);
}

/* A contract section the script's Lua lets through but faturo cannot use is
** refused when the rules load, naming the file and the line, not found at
** `lote fechar` or when pricing. */
static void test_malformed_contract_refused_at_reload(void **state)
{
  char dir[256], path[1200], want[80];
  fat_rules *r = NULL;
  fat_err e;

  (void)state;
  make_rules(dir, sizeof dir, 1, NULL);
  assert_int_equal(fat_rules_open(dir, NULL, NULL, &r, &e), FAT_OK);
  /* precos{}: an unknown table */
  snprintf(path, sizeof path, "%s/operators/aurora.lua", dir);
  assert_true(patch(path, "tabela = \"simpro\"", "tabela = \"cbhpm5\""));
  assert_int_equal(fat_rules_reload(r, NULL, &e), FAT_ERULE);
  snprintf(want, sizeof want, "operators/aurora.lua:%d:", line_of(path, "materiais = {"));
  if (strstr(e.msg, want) == NULL || strstr(e.msg, "precos.materiais") == NULL ||
      strstr(e.msg, "cbhpm5") == NULL)
    fail_msg("esperado '%s' e o campo em: %s", want, e.msg);
  assert_true(patch(path, "tabela = \"cbhpm5\"", "tabela = \"simpro\""));
  /* lote{}: a script that skips base.operadora and declares a period faturo
  ** does not know */
  snprintf(path, sizeof path, "%s/operators/crua.lua", dir);
  put(path, "-- a declaration by hand\n"
            "return {\n"
            "  registro_ans = \"900010\", nome = \"Crua\",\n"
            "  lote = {\n"
            "    periodicidade = \"anual\",\n"
            "  },\n"
            "}\n");
  assert_int_equal(fat_rules_reload(r, NULL, &e), FAT_ERULE);
  if (strstr(e.msg, "operators/crua.lua:5:") == NULL || strstr(e.msg, "anual") == NULL)
    fail_msg("esperado operators/crua.lua:5 e 'anual' em: %s", e.msg);
  assert_int_equal(unlink(path), 0);
  assert_int_equal(fat_rules_reload(r, NULL, &e), FAT_OK);
  fat_rules_close(r);
  rm_rf(dir);
}

/* The contract's rules about guias (Part L): attachments required per
** procedure, sessions per SP/SADT guia, paper; a malformed rule is refused at
** reload naming the script line that sets it. */
static void test_contrato_guias_rules(void **state)
{
  char dir[256], path[1200], want[80];
  const fat_contrato *c;
  fat_gen *g = NULL;
  fat_rules *r = NULL;
  fat_err e;

  (void)state;
  assert_int_equal(fat_gen_build(rules_dir, NULL, NULL, NULL, &g, &e), FAT_OK);
  c = fat_gen_contrato(g, "aurora");
  assert_non_null(c);
  assert_int_equal(c->guias.n_anexos, 1);
  assert_string_equal(c->guias.anexos[0].prefixo, "411");
  assert_string_equal(c->guias.anexos[0].tipo, "laudo");
  assert_true(fat_contrato_proc_cobre(&c->guias.anexos[0], "41101014"));
  assert_false(fat_contrato_proc_cobre(&c->guias.anexos[0], "40805026"));
  assert_int_equal(fat_contrato_sessoes_max(c, "20103220"), 10);
  assert_int_equal(fat_contrato_sessoes_max(c, "50000470"), 20);
  assert_int_equal(c->guias.papel_fisico, 1);
  { /* conferir reads a guia's attachments only when a rule covers one of its procedures */
    char c0[] = "40805026", c1[] = "41101014", dots[] = "4.11.01.014", none[] = "";
    char proc[] = "procedimento", mat[] = "material";
    fat_item it[2];
    fat_guia gu;

    memset(&gu, 0, sizeof gu);
    memset(it, 0, sizeof it);
    gu.itens = it;
    gu.n_itens = 2;
    it[0].codigo = c0;
    it[0].tipo = proc;
    it[1].codigo = c1;
    it[1].tipo = mat;
    assert_false(fat_contrato_anexos_cobre(c, &gu));
    it[1].tipo = NULL; /* no kind: a procedure */
    assert_true(fat_contrato_anexos_cobre(c, &gu));
    it[1].codigo = dots;
    it[1].tipo = proc;
    assert_true(fat_contrato_anexos_cobre(c, &gu));
    it[1].codigo = none;
    assert_false(fat_contrato_anexos_cobre(c, &gu));
    assert_false(fat_contrato_anexos_cobre(NULL, &gu));
    it[1].codigo = c1;
    assert_false(fat_contrato_anexos_cobre(fat_gen_contrato(g, "vitalis"), &gu));
  }
  c = fat_gen_contrato(g, "vitalis");
  assert_int_equal(c->guias.n_anexos, 0);
  assert_int_equal(fat_contrato_sessoes_max(c, "20103220"), 0);
  assert_int_equal(c->guias.papel_fisico, 0);
  fat_gen_release(g);

  make_rules(dir, sizeof dir, 1, NULL);
  assert_int_equal(fat_rules_open(dir, NULL, NULL, &r, &e), FAT_OK);
  snprintf(path, sizeof path, "%s/operators/aurora.lua", dir);
  assert_true(patch(path, "tipo = \"laudo\" }", "tipo = \"raiox\" }"));
  assert_int_equal(fat_rules_reload(r, NULL, &e), FAT_ERULE);
  snprintf(want, sizeof want, "operators/aurora.lua:%d:", line_of(path, "anexos_exigidos = {"));
  if (strstr(e.msg, want) == NULL || strstr(e.msg, "anexos_exigidos[1]") == NULL)
    fail_msg("esperado '%s' e anexos_exigidos[1] em: %s", want, e.msg);
  assert_true(patch(path, "tipo = \"raiox\" }", "tipo = \"laudo\" }"));
  assert_true(patch(path, "max = 20 }", "max = 0  }"));
  assert_int_equal(fat_rules_reload(r, NULL, &e), FAT_ERULE);
  snprintf(want, sizeof want, "operators/aurora.lua:%d:",
           line_of(path, "sessoes_por_procedimento = {"));
  if (strstr(e.msg, want) == NULL || strstr(e.msg, "max") == NULL)
    fail_msg("esperado '%s' e max em: %s", want, e.msg);
  assert_true(patch(path, "max = 0  }", "max = 20 }"));
  assert_int_equal(fat_rules_reload(r, NULL, &e), FAT_OK);
  fat_rules_close(r);
  rm_rf(dir);
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
  /* instructions and memory stop these; the time limit is out of reach so
  ** that a loaded box or the sanitizer build cannot change which one trips */
  fat_limits lim = {3000000, (size_t)16 << 20, NO_TIME, 0};
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

  guia = sadt_guia("xpcall", 1); /* the handler would run with hooks off */
  assert_int_equal(fat_gen_check(g, "lento", guia, NULL, &f, &e), FAT_ELIMIT);
  assert_non_null(strstr(e.msg, "lento:xpcall_loop"));
  cJSON_Delete(guia);

  guia = sadt_guia("memoria", 1);
  assert_int_equal(fat_gen_check(g, "lento", guia, NULL, &f, &e), FAT_ELIMIT);
  assert_non_null(strstr(e.msg, "lento:memoria"));
  if (strstr(e.msg, "memória") == NULL)
    fail_msg("esperado limite de memória: %s", e.msg);
  /* what the budget bounds: the state filled its 16 MiB and got no further */
  {
    size_t peak = fat_gen_mem_peak(g, "lento");

    if (peak > lim.mem_max || peak < lim.mem_max - ((size_t)1 << 20))
      fail_msg("pico de memória %zu fora de [%zu, %zu]", peak, lim.mem_max - ((size_t)1 << 20),
               lim.mem_max);
  }
  cJSON_Delete(guia);

  /* small blocks come from the state's pool: counted all the same */
  guia = sadt_guia("memoria_pequena", 1);
  assert_int_equal(fat_gen_check(g, "lento", guia, NULL, &f, &e), FAT_ELIMIT);
  assert_non_null(strstr(e.msg, "lento:memoria_pequena"));
  if (strstr(e.msg, "memória") == NULL)
    fail_msg("esperado limite de memória: %s", e.msg);
  {
    size_t peak = fat_gen_mem_peak(g, "lento");

    if (peak > lim.mem_max || peak < lim.mem_max - ((size_t)1 << 20))
      fail_msg("pico de memória %zu fora de [%zu, %zu]", peak, lim.mem_max - ((size_t)1 << 20),
               lim.mem_max);
  }
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

/* An operator whose check calls a module function that fails. */
static void put_op_mod(const char *dir, const char *key, const char *ans)
{
  char p[1200], text[1024];

  snprintf(p, sizeof p, "%s/operators/%s.lua", dir, key);
  snprintf(text, sizeof text,
           "local base = require \"faturo.base\"\n"
           "local mod = require \"teste_mod\"\n"
           "return base.operadora {\n"
           "  registro_ans = \"%s\", nome = \"Operadora %s\", codigo_prestador = \"M1\",\n"
           "  lote = { periodicidade = \"mensal\", fechamento_dia = 20, prazo_envio_dias = 5 },\n"
           "  pagamento = { prazo_dias = 30 }, recurso = { prazo_dias = 30 },\n"
           "  prazo_apresentacao_dias = 90, precos = {},\n"
           "  checks = {\n"
           "    usa_modulo = function(guia, ctx)\n"
           "      if guia.observacao == \"mod\" then mod.falha() end\n"
           "    end,\n"
           "  },\n"
           "}\n",
           ans, key);
  put(p, text);
}

/* A module is compiled once per generation (the first state that requires
** it) and the other states and the copies of the generation load that
** compiled form: the same functions, the same file and line in errors. */
static void test_module_compiled_once_same_errors(void **state)
{
  char dir[256], p[1200];
  fat_gen *g = NULL, *c = NULL;
  fat_err e;
  fat_findings f;
  fat_limits lim = {3000000, (size_t)16 << 20, NO_TIME, 0};
  static const char *const keys[] = {"dois", "um"};
  cJSON *guia;
  size_t i;
  int k;

  (void)state;
  make_rules(dir, sizeof dir, 0, NULL);
  snprintf(p, sizeof p, "%s/scripts/teste_mod.lua", dir);
  put(p, "local M = {}\n"
         "function M.falha()\n"
         "  error(\"falha do módulo\")\n"
         "end\n"
         "return M\n");
  put_op_mod(dir, "dois", "900021");
  put_op_mod(dir, "um", "900022");
  assert_int_equal(fat_gen_build(dir, NULL, NULL, &lim, &g, &e), FAT_OK);
  assert_int_equal(fat_gen_clone(g, &c, &e), FAT_OK);
  fat_findings_init(&f);
  guia = sadt_guia("mod", 1);
  for (k = 0; k < 2; k++) {
    for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
      fat_err_clear(&e);
      assert_int_equal(fat_gen_check(k == 0 ? g : c, keys[i], guia, NULL, &f, &e), FAT_ERULE);
      if (strstr(e.msg, "scripts/teste_mod.lua:3:") == NULL ||
          strstr(e.msg, "falha do módulo") == NULL)
        fail_msg("%s (%s): esperado scripts/teste_mod.lua:3 em: %s", keys[i],
                 k == 0 ? "geração" : "cópia", e.msg);
    }
  }
  cJSON_Delete(guia);
  /* and a guia the module is not called for passes on both */
  guia = sadt_guia(NULL, 1);
  for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    assert_int_equal(fat_gen_check(c, keys[i], guia, NULL, &f, &e), FAT_OK);
    assert_int_equal(f.n, 0);
  }
  cJSON_Delete(guia);
  assert_string_equal(fat_gen_hash(c), fat_gen_hash(g));
  fat_findings_fini(&f);
  fat_gen_release(c);
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
  assert_int_equal(fat_rules_revert(dir, st, id1, NULL, 0, &id3, &e), FAT_OK);
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
  assert_int_equal(fat_rules_revert(dir, st, 99, NULL, 0, NULL, &e), FAT_ENOTFOUND);
  /* the stored build of a version is available without touching the folder */
  assert_int_equal(fat_gen_build_version(st, id2, NULL, &g, &e), FAT_OK);
  assert_int_equal(fat_gen_count(g), 4);
  fat_gen_release(g);
  fat_free(orig);
  fat_rules_close(r);
  fat_store_close(st);
  rm_rf(dir);
}

/* ---- sandbox: nothing outruns the budget ------------------------------ */

/* The fixture stops with FAT_ELIMIT and a message naming want, within
** max_ns: of this thread's CPU when the limit is instructions or memory
** (the wall clock is out of reach then), of the wall clock when it is time. */
static void assert_limit_fast(const char *fixture, const fat_limits *lim, int no_hook,
                              const char *want, int64_t max_ns)
{
  char path[1200], *src, *out = NULL;
  fat_err e;
  fat_rc rc;
  int by_cpu = lim->time_ms >= NO_TIME;
  int64_t t0 = by_cpu ? cpu_ns() : fat_now_ns(), dt;

  snprintf(path, sizeof path, "%s/%s", fix_dir, fixture);
  src = slurp(path);
  fat_err_clear(&e);
  rc = fat_rules_sandbox_eval(rules_dir, src, lim, no_hook, &out, &e);
  dt = (by_cpu ? cpu_ns() : fat_now_ns()) - t0;
  fat_free(src);
  if (rc != FAT_ELIMIT)
    fail_msg("%s: esperado FAT_ELIMIT, veio %d (%s) saída %s", fixture, rc, e.msg,
             out != NULL ? out : "");
  assert_null(out);
  if (want != NULL && strstr(e.msg, want) == NULL)
    fail_msg("%s: mensagem sem '%s': %s", fixture, want, e.msg);
  if (dt > max_ns)
    fail_msg("%s: levou %lld ms", fixture, (long long)(dt / 1000000));
}

static void test_xpcall_handler_cannot_escape_budget(void **state)
{
  fat_limits lim = {2000000, 0, NO_TIME, 0};

  (void)state;
  assert_limit_fast("xpcall_loop.lua", &lim, 0, "instruções", 3000000000LL);
  assert_limit_fast("xpcall_error_loop.lua", &lim, 0, "instruções", 3000000000LL);
  assert_limit_fast("close_loop.lua", &lim, 0, "instruções", 3000000000LL);
}

static void test_pattern_backtracking_stops_at_budget(void **state)
{
  fat_limits lim = {10000000, 0, NO_TIME, 0};
  fat_limits by_time = {(unsigned long)1 << 40, 0, 200, 0};
  static const char *const variants[] = {
    "return string.match(string.rep('a', 3000), '(.-)(.-)(.-)(.-)(.-)(.-)(.-)(.-)b')",
    "for x in string.gmatch(string.rep('a', 3000), 'a-a-a-a-a-a-a-a-a-b') do end return 1",
    "return (string.gsub(string.rep('a', 3000), '.*.*.*.*.*.*.*b', ''))",
    "return ('x'):rep(3000):find('%w-%w-%w-%w-%w-%w-%w-y')",
  };
  size_t i;

  (void)state;
  assert_limit_fast("pattern_backtrack.lua", &lim, 0, "instruções", 3000000000LL);
  assert_limit_fast("pattern_backtrack.lua", &by_time, 0, "tempo", 3000000000LL);
  for (i = 0; i < sizeof variants / sizeof variants[0]; i++) {
    char *out = NULL;
    fat_err e;
    int64_t c0 = cpu_ns();

    if (fat_rules_sandbox_eval(rules_dir, variants[i], &lim, 0, &out, &e) != FAT_ELIMIT)
      fail_msg("padrão %zu não parou: %s", i, out != NULL ? out : e.msg);
    if (strstr(e.msg, "instruções") == NULL)
      fail_msg("padrão %zu: %s", i, e.msg);
    assert_true(cpu_ns() - c0 < 3000000000LL);
  }
}

static void test_plain_find_is_linear(void **state)
{
  fat_limits lim = {10000000, 0, NO_TIME, 0};
  char *out = NULL;
  fat_err e;
  int64_t c0 = cpu_ns();

  (void)state;
  assert_int_equal(fat_rules_sandbox_eval(rules_dir,
                                          "local s = string.rep('a', 4000000)\n"
                                          "return tostring(s:find(string.rep('a', 2000000) .. "
                                          "'b', 1, true))",
                                          &lim, 0, &out, &e),
                   FAT_OK);
  assert_string_equal(out, "nil");
  fat_free(out);
  /* linear: 6 MB of text in well under 2 s of CPU (quadratic would be hours) */
  assert_true(cpu_ns() - c0 < 2000000000LL);
}

static void test_library_c_loops_are_charged(void **state)
{
  fat_limits lim = {10000000, 0, NO_TIME, 0};

  (void)state;
  assert_limit_fast("rep_empty.lua", &lim, 0, "instruções", 3000000000LL);
  assert_limit_fast("move_range.lua", &lim, 0, "instruções", 3000000000LL);
  assert_limit_fast("insert_len.lua", &lim, 0, "instruções", 3000000000LL);
}

static void test_watchdog_stops_what_the_hook_cannot(void **state)
{
  fat_limits lim = {(unsigned long)1 << 40, 0, 100, 0};

  (void)state;
  /* hook off: only the watchdog (hard deadline = 100 ms + 1 s) ends it */
  assert_limit_fast("alloc_no_hook.lua", &lim, 1, "prazo rígido", 4000000000LL);
}

/* The pattern functions of the sandbox answer exactly what stock Lua does. */
static const char pattern_cases[] =
    "local C = {\n"
    " {'hello world', 'o w'}, {'hello world', 'l+'}, {'hello', 'l*'}, {'hello', 'x*'},\n"
    " {'hello', '^h'}, {'hello', '^e'}, {'hello', 'o$'}, {'he$llo', 'e$l'}, {'', ''},\n"
    " {'abc', '', 2}, {'abc', '', 10}, {'abc', 'b', -2}, {'abc', 'b', -10},\n"
    " {'  pad  ', '^%s*(.-)%s*$'}, {'key = value', '(%w+)%s*=%s*(%w+)'},\n"
    " {'2024-03-01', '(%d+)-(%d+)-(%d+)'}, {'f(a(b)c)d', '%b()'}, {'THE (quick) fox', '%f[%a]%a+'},\n"
    " {'abcabc', '(abc)%1'}, {'abcabd', '(ab)c%1d'}, {'x = 12.50', '()%d+()'},\n"
    " {'a.b.c', '[^%.]+'}, {'a-b_c', '[%w_]+'}, {'a]b', '[]]'}, {'a^b', '[%^]'}, {'a-z', '[a%-z]+'},\n"
    " {'ABCdef', '[A-C]+'}, {'\\0a\\0', '%z'}, {'tab\\there', '%c'}, {'x1y2', '%D'},\n"
    " {'aaa', 'a-'}, {'aaa', 'a-$'}, {'aaab', 'a?a?b'}, {'[x]', '%[(.)%]'},\n"
    " {'hello', '(h)(e)(l)(l)(o)'}, {'hello', '()ll()'}, {'hello', 'l', 4},\n"
    " {'a,b,,c', '([^,]*)'}, {'one two  three', '%S+'}, {'x', '%'}, {'x', '[a'}, {'x', '(x'},\n"
    " {'x', 'x)'}, {'x', '%b'}, {'x', '%f'}, {'x', '%1'}, {'hello', '.-l'}, {'hello', '.-$'},\n"
    "}\n"
    "local out = {}\n"
    "local function rec(ok, ...)\n"
    "  if not ok then out[#out + 1] = 'ERRO'; return end\n"
    "  local t = {}\n"
    "  for i = 1, select('#', ...) do t[i] = tostring((select(i, ...))) end\n"
    "  out[#out + 1] = table.concat(t, ',')\n"
    "end\n"
    "for _, c in ipairs(C) do\n"
    "  rec(pcall(string.find, c[1], c[2], c[3]))\n"
    "  rec(pcall(string.match, c[1], c[2], c[3]))\n"
    "  rec(pcall(function()\n"
    "    local r = {}\n"
    "    for a, b in string.gmatch(c[1], c[2], c[3]) do r[#r + 1] = tostring(a) .. '/' .. tostring(b) end\n"
    "    return table.concat(r, ';')\n"
    "  end))\n"
    "  rec(pcall(string.gsub, c[1], c[2], '<%0>'))\n"
    "  rec(pcall(string.gsub, c[1], c[2], '%1|%%', 2))\n"
    "  rec(pcall(string.gsub, c[1], c[2], function(x) return x and x:upper() end))\n"
    "  rec(pcall(string.gsub, c[1], c[2], { a = 'A', l = false }))\n"
    "  rec(pcall(string.find, c[1], c[2], 1, true))\n"
    "end\n"
    "return table.concat(out, '\\n')\n";

static char *stock_lua(const char *chunk)
{
  lua_State *L = luaL_newstate();
  char *r;

  assert_non_null(L);
  luaL_openlibs(L);
  if (luaL_dostring(L, chunk) != LUA_OK)
    fail_msg("Lua padrão: %s", lua_tostring(L, -1));
  r = fat_strdup(lua_tostring(L, -1));
  lua_close(L);
  return r;
}

/* Random patterns and subjects (small, so the stock matcher stays quick). */
static void random_cases(char *buf, size_t len, unsigned seed)
{
  static const char *const items[] = {"a", "b", "%a", "%d", ".", "[ab]", "[^a]", "(", ")",
                                      "()", "*", "+", "-", "?", "^", "$", "%b()", "%f[%a]",
                                      "%1", "%", "[", "]"};
  static const char subj[] = "ab1(a)b ";
  size_t off = 0, n;
  int i, k;

  off += (size_t)snprintf(buf + off, len - off, "local C = {\n");
  for (i = 0; i < 300 && off < len - 200; i++) {
    char p[64] = "", s[16] = "";
    size_t pl = 0;

    n = 1 + (seed >> 7) % 5;
    for (k = 0; k < (int)n; k++) {
      const char *it;

      seed = seed * 1103515245u + 12345u;
      it = items[(seed >> 9) % (sizeof items / sizeof items[0])];
      if (pl + strlen(it) + 1 < sizeof p) {
        memcpy(p + pl, it, strlen(it) + 1);
        pl += strlen(it);
      }
    }
    n = (seed >> 5) % 9;
    for (k = 0; k < (int)n; k++) {
      seed = seed * 1103515245u + 12345u;
      s[k] = subj[(seed >> 11) % (sizeof subj - 1)];
    }
    s[n] = '\0';
    off += (size_t)snprintf(buf + off, len - off, " {%s%s%s, %s%s%s},\n", "'", s, "'", "'", p,
                            "'");
  }
  snprintf(buf + off, len - off, "}\n");
}

static void compare_with_stock(const char *chunk)
{
  char *want = stock_lua(chunk), *got = NULL;
  fat_limits lim = {(unsigned long)1 << 40, 0, 60000, 0}; /* one call runs every case */
  fat_err e;

  if (fat_rules_sandbox_eval(rules_dir, chunk, &lim, 0, &got, &e) != FAT_OK)
    fail_msg("%s", e.msg);
  if (strcmp(want, got) != 0) {
    const char *a = want, *b = got;
    int line = 1;

    while (*a != '\0' && *a == *b) {
      line += *a == '\n';
      a++;
      b++;
    }
    fail_msg("resultado %d difere do Lua padrão:\n  padrão: %.80s\n  faturo: %.80s", line, a, b);
  }
  fat_free(want);
  fat_free(got);
}

static void test_patterns_match_stock_lua(void **state)
{
  static char chunk[65536];
  const char *body = strstr(pattern_cases, "local out = {}");
  unsigned seed;

  (void)state;
  compare_with_stock(pattern_cases);
  for (seed = 1; seed <= 6; seed++) {
    random_cases(chunk, sizeof chunk - strlen(body) - 1, seed * 7919u);
    memcpy(chunk + strlen(chunk), body, strlen(body) + 1); /* room kept above */
    compare_with_stock(chunk);
  }
}

/* ---- what a check returns is bounded ----------------------------------- */

static void test_findings_capped_per_check_and_guia(void **state)
{
  static const struct {
    const char *obs, *msg;
  } cases[] = {
    {"repetido", "achados:repetido"},
    {"mensagem", "mensagem com 3000 bytes"},
    {"campo", "campo com 300 bytes"},
    {"guia", "numa só guia"},
  };
  char dir[256];
  fat_gen *g = NULL;
  fat_err e;
  fat_findings f;
  size_t i;

  (void)state;
  make_rules(dir, sizeof dir, 0, "achados");
  assert_int_equal(fat_gen_build(dir, NULL, NULL, NULL, &g, &e), FAT_OK);
  fat_findings_init(&f);
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    cJSON *guia = sadt_guia(cases[i].obs, 1);

    fat_err_clear(&e);
    assert_int_equal(fat_gen_check(g, "achados", guia, NULL, &f, &e), FAT_ELIMIT);
    if (strstr(e.msg, cases[i].msg) == NULL || strstr(e.msg, "achados:") == NULL)
      fail_msg("%s: mensagem inesperada: %s", cases[i].obs, e.msg);
    assert_int_equal(f.n, 0);
    cJSON_Delete(guia);
  }
  {
    cJSON *guia = sadt_guia(NULL, 1);

    assert_int_equal(fat_gen_check(g, "achados", guia, NULL, &f, &e), FAT_OK);
    assert_int_equal(f.n, 1);
    cJSON_Delete(guia);
  }
  fat_findings_fini(&f);
  fat_gen_release(g);
  rm_rf(dir);
}

/* A check that raises error(achado) gives that finding and the checks after
** it still run, also when the next one raises too; a plain error after a
** raised finding fails the guia naming its check, appending nothing. */
static void test_raised_findings_then_next_checks_run(void **state)
{
  char dir[256];
  fat_gen *g = NULL;
  fat_err e;
  fat_findings f;
  cJSON *guia;

  (void)state;
  make_rules(dir, sizeof dir, 0, "achados");
  assert_int_equal(fat_gen_build(dir, NULL, NULL, NULL, &g, &e), FAT_OK);
  fat_findings_init(&f);
  guia = sadt_guia("levantado", 1);
  assert_int_equal(fat_gen_check(g, "achados", guia, NULL, &f, &e), FAT_OK);
  assert_int_equal(f.n, 3);
  assert_string_equal(f.v[0].codigo, "LEVANTADO_A");
  assert_string_equal(f.v[0].regra, "achados:erro_a");
  assert_string_equal(f.v[1].codigo, "LEVANTADO_B");
  assert_string_equal(f.v[1].regra, "achados:erro_b");
  assert_string_equal(f.v[2].codigo, "SEMPRE");
  assert_string_equal(f.v[2].regra, "achados:ok");
  cJSON_Delete(guia);
  guia = sadt_guia("quebra", 1);
  fat_err_clear(&e);
  assert_int_equal(fat_gen_check(g, "achados", guia, NULL, &f, &e), FAT_ERULE);
  assert_non_null(strstr(e.msg, "achados:erro_b"));
  assert_non_null(strstr(e.msg, "quebrou"));
  assert_int_equal(f.n, 3); /* out untouched: erro_a's finding was not appended */
  cJSON_Delete(guia);
  fat_findings_fini(&f);
  fat_gen_release(g);
  rm_rf(dir);
}

/* ---- state does not leak between guias -------------------------------- */

static void test_shared_tables_are_read_only(void **state)
{
  char *out = NULL;
  fat_err e;
  cJSON *r;

  (void)state;
  if (eval_fixture("mutate_libs.lua", NULL, &out, &e) != FAT_OK)
    fail_msg("mutate_libs.lua: %s", e.msg);
  r = cJSON_Parse(out);
  assert_non_null(r);
  if (cJSON_GetArraySize(cJSON_GetObjectItem(r, "aceitos")) != 0)
    fail_msg("alterações aceitas: %s", out);
  assert_true(cJSON_GetObjectItem(r, "funcoes_string")->valueint >= 15);
  assert_string_equal(cJSON_GetObjectItem(r, "formato")->valuestring, "007");
  assert_string_equal(cJSON_GetObjectItem(r, "metodo")->valuestring, "ABC");
  assert_int_equal(cJSON_GetObjectItem(r, "tamanho")->valueint, 3);
  cJSON_Delete(r);
  fat_free(out);
}

static void test_check_cannot_break_later_guias(void **state)
{
  static const char *const obs[] = {"format", "modulo", "global"};
  char dir[256];
  fat_gen *g = NULL;
  fat_err e;
  fat_findings f;
  size_t i;

  (void)state;
  make_rules(dir, sizeof dir, 0, "mutante");
  assert_int_equal(fat_gen_build(dir, NULL, NULL, NULL, &g, &e), FAT_OK);
  fat_findings_init(&f);
  for (i = 0; i < sizeof obs / sizeof obs[0]; i++) {
    cJSON *bad = sadt_guia(obs[i], 1), *good = sadt_guia(NULL, 1);

    /* the rule that tries is the one blamed */
    assert_int_equal(fat_gen_check(g, "mutante", bad, NULL, &f, &e), FAT_ERULE);
    if (strstr(e.msg, "mutante:a_estraga") == NULL || strstr(e.msg, "não é permitido") == NULL)
      fail_msg("%s: %s", obs[i], e.msg);
    /* and the next guia is checked as if nothing happened */
    assert_int_equal(fat_gen_check(g, "mutante", good, NULL, &f, &e), FAT_OK);
    assert_int_equal(f.n, 1);
    assert_string_equal(f.v[0].mensagem, "valor 21000");
    fat_findings_clear(&f);
    cJSON_Delete(bad);
    cJSON_Delete(good);
  }
  fat_findings_fini(&f);
  fat_gen_release(g);
  rm_rf(dir);
}

/* The concatenated mensagens of f (the espelho operator's dump). */
static char *joined(const fat_findings *f)
{
  fat_buf b;
  fat_err e;
  size_t i;

  fat_buf_init(&b, (size_t)1 << 20);
  assert_int_equal(fat_buf_puts(&b, "", &e), FAT_OK);
  for (i = 0; i < f->n; i++)
    assert_int_equal(fat_buf_puts(&b, f->v[i].mensagem, &e), FAT_OK);
  return fat_buf_take(&b);
}

/* ---- a ctx field computed only when a check reads it ------------------- */

typedef struct lazy_hist {
  int calls;
  fat_rc fail; /* FAT_OK, or what the host fails with */
  cJSON *hist;
  const fat_rules_hist *rows; /* with use_rows: the field as rows */
  size_t n_rows;
  int use_rows;
} lazy_hist;

static fat_rc lazy_rows_fn(void *ud, const fat_rules_hist **rows, size_t *n, fat_err *err)
{
  lazy_hist *h = ud;

  h->calls++;
  if (h->fail != FAT_OK)
    return fat_err_set(err, h->fail, "erro ao ler o histórico do beneficiário: disco");
  *rows = h->rows;
  *n = h->n_rows;
  return FAT_OK;
}

static fat_rc lazy_hist_fn(void *ud, const cJSON **out, fat_err *err)
{
  lazy_hist *h = ud;

  h->calls++;
  if (h->fail != FAT_OK)
    return fat_err_set(err, h->fail, "erro ao ler o histórico do beneficiário: disco");
  *out = h->hist;
  return FAT_OK;
}

/* The messages of the preguica operator's findings for ctx.modo = modo. */
static fat_rc check_preguica(fat_gen *g, const fat_guia *fg, const char *modo, lazy_hist *h,
                             char *out, size_t len, fat_err *e)
{
  fat_rules_lazy lazy = {"historico", lazy_hist_fn, h, NULL};

  if (h->use_rows) {
    lazy.fn = NULL;
    lazy.hist = lazy_rows_fn;
  }
  cJSON *ctx = cJSON_CreateObject();
  fat_findings f;
  size_t i, off = 0;
  fat_rc rc;

  assert_non_null(cJSON_AddStringToObject(ctx, "hoje", "2025-04-01"));
  assert_non_null(cJSON_AddStringToObject(ctx, "modo", modo));
  fat_findings_init(&f);
  out[0] = '\0';
  rc = fat_gen_check_guia_lazy(g, "preguica", fg, ctx, &lazy, &f, e);
  for (i = 0; i < f.n && off < len; i++)
    off += (size_t)snprintf(out + off, len - off, "%s|", f.v[i].mensagem);
  fat_findings_fini(&f);
  cJSON_Delete(ctx);
  return rc;
}

/* The guia j (an SP/SADT sketch) as a struct, and a generation with the
** preguica operator (rules in dir). */
static void preguica_setup(cJSON *j, fat_guia **fg, char *dir, size_t len, fat_gen **g)
{
  fat_err e;

  cJSON_AddStringToObject(cJSON_AddObjectToObject(j, "prestador"), "cnpj", "11222333000181");
  if (fat_guia_from_json(j, fg, &e) != FAT_OK)
    fail_msg("%s", e.msg);
  make_rules(dir, len, 0, "preguica");
  if (fat_gen_build(dir, NULL, NULL, NULL, g, &e) != FAT_OK)
    fail_msg("%s", e.msg);
}

/* A lazy ctx field (conferir's historico) is computed once, only when a
** check reads it, and reads like any ctx field (by name, with pairs); a
** host failure fails the call even when the check catches it. */
static void test_lazy_ctx_field_only_when_read(void **state)
{
  char dir[256], out[2048];
  fat_gen *g = NULL;
  fat_guia *fg = NULL;
  cJSON *j = sadt_guia(NULL, 1);
  lazy_hist h;
  fat_err e;

  (void)state;
  memset(&h, 0, sizeof h);
  h.hist = cJSON_Parse("[{\"id\":5,\"numero_prestador\":\"H-5\"},{\"id\":6}]");
  assert_non_null(h.hist);
  preguica_setup(j, &fg, dir, sizeof dir, &g);

  assert_int_equal(check_preguica(g, fg, "nada", &h, out, sizeof out, &e), FAT_OK);
  assert_string_equal(out, "nada:sp-sadt|");
  assert_int_equal(h.calls, 0); /* nobody read it: never computed */

  assert_int_equal(check_preguica(g, fg, "ler", &h, out, sizeof out, &e), FAT_OK);
  assert_string_equal(out, "ler:2:H-5:true|nada:sp-sadt|");
  assert_int_equal(h.calls, 1);

  assert_int_equal(check_preguica(g, fg, "pares", &h, out, sizeof out, &e), FAT_OK);
  assert_string_equal(out, "pares:historico=table,hoje=string,modo=string|nada:sp-sadt|");
  assert_int_equal(h.calls, 2);

  h.fail = FAT_EDB; /* the host's failure, even swallowed by pcall */
  assert_int_equal(check_preguica(g, fg, "engolir", &h, out, sizeof out, &e), FAT_EDB);
  assert_non_null(strstr(e.msg, "histórico do beneficiário: disco"));
  h.fail = FAT_OK; /* and the next guia is fine */
  assert_int_equal(check_preguica(g, fg, "engolir", &h, out, sizeof out, &e), FAT_OK);
  assert_string_equal(out, "engoliu:true|nada:sp-sadt|");

  cJSON_Delete(h.hist);
  cJSON_Delete(j);
  fat_guia_free(fg);
  fat_gen_release(g);
  rm_rf(dir);
}

/* conferir's history handed over as rows (fat_rules_hist) is, to a script,
** the very table its JSON form gave: same keys, values, types and pairs
** order (executante and beneficiario partial or absent, codes cut to 31
** bytes, an empty code, no codes, a status replaced by the host). */
static void test_lazy_hist_rows_same_tables(void **state)
{
  char dir[256], from_json[4096], from_rows[4096];
  fat_gen *g = NULL;
  fat_guia *fg = NULL;
  cJSON *j = sadt_guia(NULL, 1);
  fat_rules_hist rows[3] = {
    {.id = 41, .tipo = "consulta", .numero_prestador = "C-41", .data_inicio = "2025-03-10",
     .tipo_consulta = "1", .status = "digitada", .has_executante = 1,
     .executante = {"CRM", "123456", "SP", NULL, "225125"},
     .carteira_numero = "0012345678901234", .has_beneficiario = 1,
     .beneficiario_cpf = "52998224725", .codigos = "10101012"},
    /* beneficiario: the column set, its text not */
    {.id = 42, .tipo = "sp-sadt", .numero_prestador = "S-42", .data_inicio = "2025-03-11",
     .status = "conferida", .cns = "898001160660004", .has_beneficiario = 1,
     .codigos = "40304361,,41101014,1234567890123456789012345678901234567890"},
    {.id = 43, .status = "digitada", .has_executante = 1},
  };
  lazy_hist h;
  fat_err e;

  (void)state;
  memset(&h, 0, sizeof h);
  snprintf(rows[2].status_buf, sizeof rows[2].status_buf, "pendente"); /* as a hist_fix */
  rows[2].status = rows[2].status_buf;
  h.hist = cJSON_Parse(
    "[{\"id\":41,\"tipo\":\"consulta\",\"numero_prestador\":\"C-41\","
    "\"data_inicio\":\"2025-03-10\",\"tipo_consulta\":\"1\",\"status\":\"digitada\","
    "\"executante\":{\"conselho\":\"CRM\",\"numero_conselho\":\"123456\",\"uf\":\"SP\","
    "\"cbo\":\"225125\"},\"carteira_numero\":\"0012345678901234\","
    "\"beneficiario\":{\"cpf\":\"52998224725\"},\"itens\":[{\"codigo\":\"10101012\"}]},"
    "{\"id\":42,\"tipo\":\"sp-sadt\",\"numero_prestador\":\"S-42\","
    "\"data_inicio\":\"2025-03-11\",\"status\":\"conferida\",\"cns\":\"898001160660004\","
    "\"beneficiario\":{},\"itens\":[{\"codigo\":\"40304361\"},{\"codigo\":\"\"},"
    "{\"codigo\":\"41101014\"},{\"codigo\":\"1234567890123456789012345678901\"}]},"
    "{\"id\":43,\"status\":\"pendente\",\"executante\":{},\"itens\":[]}]");
  assert_non_null(h.hist);
  preguica_setup(j, &fg, dir, sizeof dir, &g);

  assert_int_equal(check_preguica(g, fg, "despejar", &h, from_json, sizeof from_json, &e),
                   FAT_OK);
  h.rows = rows;
  h.n_rows = 3;
  h.use_rows = 1;
  assert_int_equal(check_preguica(g, fg, "despejar", &h, from_rows, sizeof from_rows, &e),
                   FAT_OK);
  assert_non_null(strstr(from_rows, "despeja:3:{"));
  assert_non_null(strstr(from_rows, "codigo=1234567890123456789012345678901:string"));
  assert_non_null(strstr(from_rows, "status=pendente:string"));
  assert_string_equal(from_rows, from_json);
  assert_int_equal(h.calls, 2);

  h.n_rows = 0; /* no history: an empty list, as the empty JSON array */
  assert_int_equal(check_preguica(g, fg, "despejar", &h, from_rows, sizeof from_rows, &e),
                   FAT_OK);
  assert_string_equal(from_rows, "despeja:0:{}|nada:sp-sadt|");

  cJSON_Delete(h.hist);
  cJSON_Delete(j);
  fat_guia_free(fg);
  fat_gen_release(g);
  rm_rf(dir);
}

/* The guia's view is pooled and reused from guia to guia: a check cannot
** keep a reference to it anywhere (upvalue, module table, metatable), and
** what a check writes into it is seen by the later checks of the same guia
** (as with a plain table) and never by the next guia. */
static void test_guia_view_reused_keeps_nothing(void **state)
{
  static const char *const expect[] = {
    "guardou:;antes:nil,nil|np=G-1 extra=vazou senha=ALTERADA cid=nil cod1=X n=2 it2=Y difere=|",
    "guardou:;antes:nil,nil|np=G-2 extra=nil senha=S1 cid=J069 cod1=40304361 n=1 it2=nil "
    "difere=|",
    "guardou:;antes:nil,nil|np=G-1 extra=vazou senha=ALTERADA cid=nil cod1=X n=2 it2=Y difere=|",
  };
  static const char *const numero[] = {"G-1", "G-2", "G-1"};
  char dir[256];
  fat_gen *g = NULL;
  fat_err e;
  size_t k, i;

  (void)state;
  make_rules(dir, sizeof dir, 0, "guarda");
  if (fat_gen_build(dir, NULL, NULL, NULL, &g, &e) != FAT_OK)
    fail_msg("%s", e.msg);
  for (k = 0; k < sizeof expect / sizeof expect[0]; k++) {
    cJSON *j = sadt_guia(NULL, 1);
    fat_guia *fg = NULL;
    fat_findings f;
    char out[2048];
    size_t off = 0;

    cJSON_ReplaceItemInObject(j, "numero_prestador", cJSON_CreateString(numero[k]));
    cJSON_AddStringToObject(cJSON_AddObjectToObject(j, "prestador"), "cnpj", "11222333000181");
    if (fat_guia_from_json(j, &fg, &e) != FAT_OK)
      fail_msg("%s", e.msg);
    fat_findings_init(&f);
    if (fat_gen_check_guia(g, "guarda", fg, NULL, &f, &e) != FAT_OK)
      fail_msg("guia %zu: %s", k, e.msg);
    out[0] = '\0';
    for (i = 0; i < f.n; i++)
      off += (size_t)snprintf(out + off, sizeof out - off, "%s|", f.v[i].mensagem);
    assert_string_equal(out, expect[k]);
    fat_findings_fini(&f);
    fat_guia_free(fg);
    cJSON_Delete(j);
  }
  fat_gen_release(g);
  rm_rf(dir);
}

/* The view makes a field's Lua value when a check first reads it and keeps
** it up to date from guia to guia: whatever a check reads in whichever
** guia (a field read for the first time in a later guia, one read before
** and absent now, one whose value changed, a nested object's) is what the
** plain table of the guia's JSON form shows. */
static void test_guia_view_on_demand_same_as_from_json(void **state)
{
  static const char *const numero[] = {"G-1", "G-2", "G-3", "G-2", "G-4", "G-3", "G-4"};
  static const char *const extra[] = {
    "{\"observacao\":\"a\",\"beneficiario\":{\"nome\":\"Ana\"}}",
    "{\"cid\":null,\"observacao\":\"b\"}",
    "{\"cid\":\"J45\",\"executante\":{\"conselho\":\"CRM\",\"numero_conselho\":\"1\","
    "\"uf\":\"SP\",\"cbo\":\"225125\"}}",
    "{\"observacao\":\"c\"}",
    "{\"beneficiario\":{\"nome\":\"Bia\"},\"observacao\":\"d\"}",
    "{\"cid\":null}",
    "{\"beneficiario\":{\"nome\":\"Bia\"},\"cid\":\"J45\"}",
  };
  char dir[256];
  fat_gen *g = NULL;
  fat_err e;
  size_t k;
  int it;

  (void)state;
  make_rules(dir, sizeof dir, 0, "demanda");
  if (fat_gen_build(dir, NULL, NULL, NULL, &g, &e) != FAT_OK)
    fail_msg("%s", e.msg);
  for (k = 0; k < sizeof numero / sizeof numero[0]; k++) {
    cJSON *j = sadt_guia(NULL, 1), *back, *add, *c, *its;
    fat_guia *fg = NULL;
    fat_findings a, b;

    cJSON_ReplaceItemInObject(j, "numero_prestador", cJSON_CreateString(numero[k]));
    cJSON_AddStringToObject(cJSON_AddObjectToObject(j, "prestador"), "cnpj", "11222333000181");
    its = cJSON_GetObjectItemCaseSensitive(j, "itens");
    for (it = 2; it <= (int)(k % 3) + 1; it++) { /* 1 to 3 items, fields come and go */
      cJSON *o = cJSON_Duplicate(cJSON_GetArrayItem(its, 0), 1);

      cJSON_ReplaceItemInObject(o, "sequencial", cJSON_CreateNumber(it));
      cJSON_ReplaceItemInObject(o, "codigo", cJSON_CreateString(it == 2 ? "10101012" : "40304361"));
      if ((int)k % 2 == 0)
        cJSON_DeleteItemFromObject(o, "valor_unitario");
      else
        cJSON_AddStringToObject(o, "grau_participacao", "01");
      cJSON_AddItemToArray(its, o);
    }
    add = cJSON_Parse(extra[k]);
    assert_non_null(add);
    cJSON_ArrayForEach(c, add)
    {
      cJSON_DeleteItemFromObjectCaseSensitive(j, c->string);
      if (!cJSON_IsNull(c))
        assert_true(cJSON_AddItemToObject(j, c->string, cJSON_Duplicate(c, 1)));
    }
    cJSON_Delete(add);
    if (fat_guia_from_json(j, &fg, &e) != FAT_OK)
      fail_msg("guia %zu: %s", k, e.msg);
    back = fat_guia_to_json(fg);
    assert_non_null(back);
    fat_findings_init(&a);
    fat_findings_init(&b);
    assert_int_equal(fat_gen_check_guia(g, "demanda", fg, NULL, &b, &e), FAT_OK);
    assert_int_equal(fat_gen_check(g, "demanda", back, NULL, &a, &e), FAT_OK);
    assert_int_equal(a.n, 1);
    assert_int_equal(b.n, 1);
    assert_string_equal(b.v[0].mensagem, a.v[0].mensagem);
    assert_non_null(strstr(b.v[0].mensagem, numero[k]));
    if (k == 4) /* a field first read here, a nested object, an item's absent field */
      assert_string_equal(b.v[0].mensagem,
                          "np=G-4;cid=J069,obs=d;b=Bia,exec=nil;1:40304361/105.00/nil;"
                          "2:10101012/nil/nil;n=2,v=210.00,x=nil");
    fat_findings_fini(&a);
    fat_findings_fini(&b);
    cJSON_Delete(back);
    cJSON_Delete(j);
    fat_guia_free(fg);
  }
  fat_gen_release(g);
  rm_rf(dir);
}

/* conferir builds the guia's Lua table straight from the struct: a script
** walking it with pairs sees the same keys, values, types and order as the
** table built from the guia's JSON form. */
static void test_guia_table_from_struct_same_as_from_json(void **state)
{
  static const char *const extra[] = {
    NULL,
    "{\"id\":77,\"revisao\":3,\"status\":\"digitada\",\"plano\":{\"codigo\":\"P1\","
    "\"acomodacao\":\"apartamento\"},\"beneficiario\":{\"nome\":\"Ana\",\"cpf\":\"52998224725\","
    "\"sexo\":\"F\"},\"executante\":{\"nome\":\"Dr. X\",\"conselho\":\"CRM\","
    "\"numero_conselho\":\"123\",\"uf\":\"SP\",\"cbo\":\"225125\"},\"observacao\":\"a\\nb\"}",
    NULL, /* after the richer guia: the pooled view shows nothing of it */
  };
  char dir[256];
  fat_gen *g = NULL;
  fat_err e;
  size_t k;
  int it;

  (void)state;
  make_rules(dir, sizeof dir, 0, "espelho");
  assert_int_equal(fat_gen_build(dir, NULL, NULL, NULL, &g, &e), FAT_OK);
  for (k = 0; k < sizeof extra / sizeof extra[0]; k++) {
    cJSON *j = sadt_guia(NULL, 1), *back, *its, *add;
    fat_guia *fg = NULL;
    fat_findings a, b;
    char *sa, *sb;

    assert_non_null(cJSON_AddObjectToObject(j, "prestador"));
    cJSON_AddStringToObject(cJSON_GetObjectItem(j, "prestador"), "cnpj", "11222333000181");

    its = cJSON_GetObjectItemCaseSensitive(j, "itens");
    for (it = 2; it <= (k == 2 ? 3 : 12); it++) { /* items with and without optional fields */
      cJSON *o = cJSON_Duplicate(cJSON_GetArrayItem(its, 0), 1);

      assert_non_null(o);
      cJSON_ReplaceItemInObject(o, "sequencial", cJSON_CreateNumber(it));
      if (it % 3 == 0)
        cJSON_DeleteItemFromObject(o, "valor_unitario");
      if (it % 4 == 0)
        cJSON_AddStringToObject(o, "grau_participacao", "01");
      cJSON_AddItemToArray(its, o);
    }
    if (extra[k] != NULL) {
      cJSON *c;

      add = cJSON_Parse(extra[k]);
      assert_non_null(add);
      cJSON_ArrayForEach(c, add)
      {
        cJSON_DeleteItemFromObjectCaseSensitive(j, c->string);
        assert_true(cJSON_AddItemToObject(j, c->string, cJSON_Duplicate(c, 1)));
      }
      cJSON_Delete(add);
    }
    if (fat_guia_from_json(j, &fg, &e) != FAT_OK)
      fail_msg("guia %zu: %s", k, e.msg);
    if (extra[k] != NULL) { /* what the store fills (not read from JSON) */
      fg->id = 77;
      fg->revisao = 3;
    }
    back = fat_guia_to_json(fg);
    assert_non_null(back);
    fat_findings_init(&a);
    fat_findings_init(&b);
    assert_int_equal(fat_gen_check(g, "espelho", back, NULL, &a, &e), FAT_OK);
    assert_int_equal(fat_gen_check_guia(g, "espelho", fg, NULL, &b, &e), FAT_OK);
    sa = joined(&a);
    sb = joined(&b);
    assert_true(strlen(sa) > 500); /* the dump is there */
    assert_non_null(strstr(sa, "valor_total=string:210.00"));
    assert_string_equal(sa, sb);
    fat_free(sa);
    fat_free(sb);
    fat_findings_fini(&a);
    fat_findings_fini(&b);
    cJSON_Delete(back);
    cJSON_Delete(j);
    fat_guia_free(fg);
  }
  fat_gen_release(g);
  rm_rf(dir);
}

static void test_check_keeping_state_is_refused(void **state)
{
  char dir[256], path[1200];
  fat_gen *g = NULL;
  fat_err e;
  char want[64];

  (void)state;
  make_rules(dir, sizeof dir, 0, "contador");
  snprintf(path, sizeof path, "%s/operators/contador.lua", dir);
  assert_int_equal(fat_gen_build(dir, NULL, NULL, NULL, &g, &e), FAT_ERULE);
  assert_null(g);
  snprintf(want, sizeof want, "operators/contador.lua:%d:", line_of(path, "vistas = vistas + 1"));
  if (strstr(e.msg, want) == NULL || strstr(e.msg, "'vistas'") == NULL)
    fail_msg("esperado '%s' e 'vistas' em: %s", want, e.msg);
  rm_rf(dir);
}

/* Every shipped operator over the same guias, forward and backward: the
** findings of each guia are the same. */
static void test_results_do_not_depend_on_order(void **state)
{
  fat_gen *g = NULL;
  fat_err e;
  cJSON *guias[6];
  char *fwd[6][4], *bwd[6][4];
  size_t i, k;
  int pass;

  (void)state;
  assert_int_equal(fat_gen_build(rules_dir, NULL, NULL, NULL, &g, &e), FAT_OK);
  guias[0] = sadt_guia(NULL, 1);
  guias[1] = sadt_guia(NULL, 0);
  guias[2] = sadt_guia("x", 1);
  guias[3] = sadt_guia(NULL, 1);
  cJSON_ReplaceItemInObject(guias[3], "tipo", cJSON_CreateString("consulta"));
  guias[4] = sadt_guia(NULL, 1);
  cJSON_DeleteItemFromObject(guias[4], "cid");
  guias[5] = sadt_guia(NULL, 0);
  cJSON_ReplaceItemInObject(cJSON_GetArrayItem(cJSON_GetObjectItem(guias[5], "itens"), 0),
                            "quantidade", cJSON_CreateString("9.0000"));
  for (pass = 0; pass < 2; pass++) {
    for (k = 0; k < 6; k++) {
      size_t gi = pass == 0 ? k : 5 - k;

      for (i = 0; i < 4; i++) {
        fat_findings f;
        fat_buf b;
        size_t j;

        fat_findings_init(&f);
        fat_buf_init(&b, 1 << 16);
        assert_int_equal(fat_gen_check(g, fat_gen_key(g, i), guias[gi], NULL, &f, &e), FAT_OK);
        for (j = 0; j < f.n; j++)
          assert_int_equal(fat_buf_printf(&b, NULL, "%s|%s|%lld;", f.v[j].codigo, f.v[j].mensagem,
                                          (long long)f.v[j].valor_risco), FAT_OK);
        (pass == 0 ? fwd : bwd)[gi][i] = b.data != NULL ? fat_buf_take(&b) : fat_strdup("");
        fat_buf_fini(&b);
        fat_findings_fini(&f);
      }
    }
  }
  for (k = 0; k < 6; k++) {
    for (i = 0; i < 4; i++) {
      assert_string_equal(fwd[k][i], bwd[k][i]);
      fat_free(fwd[k][i]);
      fat_free(bwd[k][i]);
    }
    cJSON_Delete(guias[k]);
  }
  fat_gen_release(g);
}

/* ---- hard watchdog, reloads off the caller ---------------------------- */

typedef struct stall_arg {
  fat_gen *g;
  atomic_int started; /* the thread is about to run the stalling check */
  fat_rc rc;
  char msg[512];
} stall_arg;

static void *stall_main(void *p)
{
  stall_arg *a = p;
  cJSON *guia = sadt_guia("demora", 1);
  fat_findings f;
  fat_err e;

  fat_findings_init(&f);
  fat_err_clear(&e);
  atomic_store(&a->started, 1);
  a->rc = fat_gen_check(a->g, "demorado", guia, NULL, &f, &e);
  snprintf(a->msg, sizeof a->msg, "%s", e.msg);
  fat_findings_fini(&f);
  cJSON_Delete(guia);
  return NULL;
}

static void test_stalled_rule_never_blocks_other_callers(void **state)
{
  char dir[256];
  fat_gen *g = NULL;
  fat_limits lim = {(unsigned long)1 << 40, 0, 100, 0};
  fat_err e;
  fat_findings f;
  pthread_t th;
  stall_arg a;
  cJSON *guia;
  int64_t t0;
  fat_rc rc;

  (void)state;
  make_rules(dir, sizeof dir, 0, "demorado");
  assert_int_equal(fat_gen_build(dir, NULL, NULL, &lim, &g, &e), FAT_OK);
  fat_gen_test_no_hook(g, "demorado");
  memset(&a, 0, sizeof a);
  a.g = g;
  assert_int_equal(pthread_create(&th, NULL, stall_main, &a), 0);
  /* on a loaded machine the thread may start late: wait until it runs, then
  ** give it time to take the operator's lock and stall */
  while (!atomic_load(&a.started))
    usleep(1000);
  usleep(200000);
  guia = sadt_guia(NULL, 1);
  fat_findings_init(&f);
  t0 = fat_now_ns();
  rc = fat_gen_check(g, "demorado", guia, NULL, &f, &e);
  assert_int_equal(rc, FAT_ELIMIT);
  assert_non_null(strstr(e.msg, "prazo rígido"));
  assert_true(fat_now_ns() - t0 < 5000000000LL);
  assert_int_equal(pthread_join(th, NULL), 0);
  assert_int_equal(a.rc, FAT_ELIMIT);
  assert_non_null(strstr(a.msg, "prazo rígido"));
  /* once it is back, the operator works again */
  assert_int_equal(fat_gen_check(g, "demorado", guia, NULL, &f, &e), FAT_OK);
  fat_findings_fini(&f);
  cJSON_Delete(guia);
  fat_gen_release(g);
  rm_rf(dir);
}

typedef struct bg_seen {
  atomic_int done;
  fat_rc rc;
  char msg[512];
} bg_seen;

static void bg_done(void *ud, fat_rc rc, const fat_err *err)
{
  bg_seen *b = ud;

  b->rc = rc;
  snprintf(b->msg, sizeof b->msg, "%s", err->msg);
  atomic_store(&b->done, 1);
}

static void test_slow_reload_never_blocks_reloads_or_readers(void **state)
{
  char dir[256], path[1200], slow[1200];
  fat_rules *r = NULL;
  fat_limits lim = {(unsigned long)1 << 40, 0, 6000, 0}; /* the slow load spins 6 s */
  fat_err e;
  fat_gen *g;
  bg_seen seen;
  int64_t t0;
  long started;
  char hash0[65];
  char *orig;

  (void)state;
  make_rules(dir, sizeof dir, 1, NULL);
  assert_int_equal(fat_rules_open(dir, &lim, NULL, &r, &e), FAT_OK);
  g = fat_rules_acquire(r);
  snprintf(hash0, sizeof hash0, "%s", fat_gen_hash(g));
  fat_gen_release(g);
  snprintf(path, sizeof path, "%s/operators/serena.lua", dir);
  snprintf(slow, sizeof slow, "%s/carga_lenta.lua", fix_dir);
  snprintf(slow, sizeof slow, "%s/operators/carga_lenta.lua", fix_dir);
  orig = slurp(path);
  copy_file(slow, path);
  memset(&seen, 0, sizeof seen);
  atomic_init(&seen.done, 0);
  started = atomic_load(&fat_rules_ops_started);
  t0 = fat_now_ns();
  assert_int_equal(fat_rules_reload_bg(r, NULL, bg_done, &seen, &e), FAT_OK);
  assert_true(fat_now_ns() - t0 < 500000000LL); /* the caller is not held */
  /* wait until it has read serena (the third script) and is spinning in it */
  while (atomic_load(&fat_rules_ops_started) < started + 3)
    usleep(10000);
  /* meanwhile: readers get the live generation at once... */
  t0 = fat_now_ns();
  g = fat_rules_acquire(r);
  assert_string_equal(fat_gen_hash(g), hash0);
  fat_gen_release(g);
  assert_true(fat_now_ns() - t0 < 100000000LL);
  /* ...and another reload (of the fixed folder) goes through before it */
  put(path, orig);
  {
    char *next = fat_asprintf("%s\n-- corrigido\n", orig);
    put(path, next);
    fat_free(next);
  }
  assert_int_equal(fat_rules_reload(r, NULL, &e), FAT_OK);
  assert_int_equal(atomic_load(&seen.done), 0); /* the slow one is still loading */
  g = fat_rules_acquire(r);
  assert_string_not_equal(fat_gen_hash(g), hash0);
  fat_gen_release(g);
  while (!atomic_load(&seen.done))
    usleep(50000);
  assert_int_equal(seen.rc, FAT_ELIMIT);
  assert_non_null(strstr(seen.msg, "tempo"));
  fat_free(orig);
  fat_rules_close(r);
  rm_rf(dir);
}

/* The deadline of a whole reload, and of a whole self-test run, stops what
** no single call's limit would: the per-call limit here is a minute. */
static void test_reload_and_selftest_run_have_their_own_deadline(void **state)
{
  char dir[256], path[1200];
  fat_rules *r = NULL;
  fat_limits lim = {(unsigned long)1 << 40, 0, 60000, 3000};
  fat_gen *g = NULL;
  cJSON *rep = NULL;
  fat_err e;
  int64_t t0;

  (void)state;
  /* a self-test run: every test spins, the run stops at its deadline */
  make_rules(dir, sizeof dir, 0, "autoteste_lento");
  assert_int_equal(fat_gen_build(dir, NULL, NULL, &lim, &g, &e), FAT_OK);
  t0 = fat_now_ns();
  assert_int_equal(fat_gen_selftest(g, "autoteste_lento", &rep, &e), FAT_ERULE);
  assert_true(fat_now_ns() - t0 < 20000000000LL);
  if (strstr(e.msg, "recarga ou dos autotestes") == NULL)
    fail_msg("esperado o prazo dos autotestes: %s", e.msg);
  assert_false(cJSON_IsTrue(cJSON_GetObjectItem(rep, "ok")));
  cJSON_Delete(rep);
  fat_gen_release(g);
  /* a reload: a script whose load spins is stopped by the reload's deadline,
  ** and the live generation stays */
  snprintf(path, sizeof path, "%s/operators/autoteste_lento.lua", dir);
  assert_int_equal(unlink(path), 0);
  {
    char from[1200];

    snprintf(from, sizeof from, "%s/operators/lento.lua", fix_dir); /* loads in no time */
    snprintf(path, sizeof path, "%s/operators/lento.lua", dir);
    copy_file(from, path);
    assert_int_equal(fat_rules_open(dir, &lim, NULL, &r, &e), FAT_OK);
    g = fat_rules_acquire(r);
    snprintf(from, sizeof from, "%s", fat_gen_sha256(g, "lento"));
    fat_gen_release(g);
    {
      char slow[1200];

      snprintf(slow, sizeof slow, "%s/operators/carga_lenta.lua", fix_dir);
      copy_file(slow, path);
    }
    t0 = fat_now_ns();
    assert_int_equal(fat_rules_reload(r, NULL, &e), FAT_ELIMIT);
    assert_true(fat_now_ns() - t0 < 20000000000LL);
    if (strstr(e.msg, "recarga ou dos autotestes") == NULL)
      fail_msg("esperado o prazo da recarga: %s", e.msg);
    g = fat_rules_acquire(r);
    assert_string_equal(fat_gen_sha256(g, "lento"), from);
    fat_gen_release(g);
  }
  fat_rules_close(r);
  rm_rf(dir);
}

/* ---- folders, revert, pid file ---------------------------------------- */

static void test_modules_fall_back_to_installed(void **state)
{
  char dir[256], p[1200];
  fat_gen *g = NULL;
  fat_err e;
  size_t i;
  int have_base = 0;

  (void)state;
  assert_non_null(fat_paths_data_dir());
  make_rules(dir, sizeof dir, 1, NULL);
  snprintf(p, sizeof p, "rm -rf '%s/scripts'", dir);
  assert_int_equal(system(p), 0);
  assert_int_equal(fat_gen_build(dir, NULL, NULL, NULL, &g, &e), FAT_OK);
  for (i = 0; i < fat_gen_module_count(g); i++)
    have_base |= strcmp(fat_gen_module_key(g, i), "scripts/faturo/base") == 0;
  assert_true(have_base);
  fat_gen_release(g);
  rm_rf(dir);
}

static void test_revert_keeps_unpublished_edits(void **state)
{
  char dir[256], path[1200], db[300], cmd[1400];
  fat_store *st = NULL;
  fat_rules *r = NULL;
  fat_err e;
  fat_gen *g;
  int64_t id1, id2, id3 = 0;
  char *orig, *edit, *now;
  FILE *ls;
  char line[1300];
  int backups = 0;

  (void)state;
  make_rules(dir, sizeof dir, 1, NULL);
  snprintf(db, sizeof db, "%s/test_rules.db", dir);
  assert_int_equal(fat_store_create(db, &st, &e), FAT_OK);
  assert_int_equal(fat_rules_open(dir, NULL, st, &r, &e), FAT_OK);
  g = fat_rules_acquire(r);
  id1 = fat_gen_id(g);
  fat_gen_release(g);
  snprintf(path, sizeof path, "%s/operators/aurora.lua", dir);
  orig = slurp(path);
  now = fat_asprintf("%s\n-- v2\n", orig);
  put(path, now);
  fat_free(now);
  assert_int_equal(fat_rules_reload(r, st, &e), FAT_OK);
  g = fat_rules_acquire(r);
  id2 = fat_gen_id(g);
  fat_gen_release(g);
  assert_true(id2 > id1);
  /* an edit that was never published */
  edit = fat_asprintf("%s\n-- v2\n-- edição não publicada\n", orig);
  put(path, edit);
  assert_int_equal(fat_rules_revert(dir, st, id1, NULL, 0, &id3, &e), FAT_ESTATE);
  assert_non_null(strstr(e.msg, "operators/aurora.lua"));
  assert_non_null(strstr(e.msg, "não publicadas"));
  now = slurp(path);
  assert_string_equal(now, edit); /* untouched */
  fat_free(now);
  /* forced: the edit is kept aside and the folder is reverted */
  assert_int_equal(fat_rules_revert(dir, st, id1, NULL, FAT_RULES_REVERTER_FORCAR, &id3, &e),
                   FAT_OK);
  now = slurp(path);
  assert_string_equal(now, orig);
  fat_free(now);
  snprintf(cmd, sizeof cmd, "ls '%s/operators'", dir);
  ls = popen(cmd, "r");
  assert_non_null(ls);
  while (fgets(line, sizeof line, ls) != NULL) {
    if (strncmp(line, "aurora.lua.antes-da-reversao-", 29) == 0) {
      char bp[2600];

      line[strcspn(line, "\n")] = '\0';
      snprintf(bp, sizeof bp, "%s/operators/%s", dir, line);
      now = slurp(bp);
      assert_string_equal(now, edit);
      fat_free(now);
      backups++;
    }
  }
  pclose(ls);
  assert_int_equal(backups, 1);
  fat_free(edit);
  fat_free(orig);
  fat_rules_close(r);
  fat_store_close(st);
  rm_rf(dir);
}

static void test_publish_builds_before_writing(void **state)
{
  char dir[256], path[1200];
  fat_rules *r = NULL;
  fat_err e;
  fat_gen *g;
  char *orig, *now, *next;
  static const char broken[] = "local x = = 1\n";

  (void)state;
  make_rules(dir, sizeof dir, 1, NULL);
  assert_int_equal(fat_rules_open(dir, NULL, NULL, &r, &e), FAT_OK);
  snprintf(path, sizeof path, "%s/operators/vitalis.lua", dir);
  orig = slurp(path);
  /* a draft that does not compile: nothing written, nothing published */
  assert_int_equal(fat_rules_publicar(r, NULL, "vitalis", broken, strlen(broken), &e), FAT_ERULE);
  assert_non_null(strstr(e.msg, "operators/vitalis.lua:1"));
  now = slurp(path);
  assert_string_equal(now, orig);
  fat_free(now);
  /* a good one: written and live */
  next = fat_asprintf("%s\n-- publicado pelo painel\n", orig);
  assert_int_equal(fat_rules_publicar(r, NULL, "vitalis", next, strlen(next), &e), FAT_OK);
  now = slurp(path);
  assert_string_equal(now, next);
  fat_free(now);
  g = fat_rules_acquire(r);
  {
    unsigned char h[crypto_hash_sha256_BYTES];
    char sha[65];

    crypto_hash_sha256(h, (const unsigned char *)next, strlen(next));
    sodium_bin2hex(sha, sizeof sha, h, sizeof h);
    assert_string_equal(fat_gen_sha256(g, "vitalis"), sha);
  }
  fat_gen_release(g);
  fat_free(next);
  fat_free(orig);
  fat_rules_close(r);
  rm_rf(dir);
}

static void test_signal_only_reaches_the_server_holding_the_pidfile(void **state)
{
  char path[] = "/tmp/test_rules_pid_XXXXXX";
  fat_pidfile *pf = NULL;
  fat_err e;
  long pid = -1;
  pid_t stranger, server;
  int fd, status = 0, pipefd[2];
  char buf[64], c;

  (void)state;
  fd = mkstemp(path);
  assert_true(fd >= 0);
  /* a stale file naming a live, unrelated process */
  stranger = fork();
  assert_true(stranger >= 0);
  if (stranger == 0) {
    pause();
    _exit(0);
  }
  snprintf(buf, sizeof buf, "%ld\n", (long)stranger);
  assert_int_equal(write(fd, buf, strlen(buf)), (ssize_t)strlen(buf));
  close(fd);
  assert_int_equal(fat_pidfile_signal(path, SIGHUP, &pid, &e), FAT_OK);
  assert_int_equal(pid, 0);
  usleep(100000);
  assert_int_equal(waitpid(stranger, &status, WNOHANG), 0); /* not signalled */
  kill(stranger, SIGKILL);
  assert_int_equal(waitpid(stranger, &status, 0), stranger);
  /* a real server holds the file: it is the one signalled */
  assert_int_equal(pipe(pipefd), 0);
  server = fork();
  assert_true(server >= 0);
  if (server == 0) {
    sigset_t set;
    int sig = 0;
    fat_pidfile *mine = NULL;

    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_BLOCK, &set, NULL);
    if (fat_pidfile_acquire(path, &mine, NULL) != FAT_OK)
      _exit(3);
    if (write(pipefd[1], "k", 1) != 1)
      _exit(4);
    sigwait(&set, &sig);
    fat_pidfile_release(mine);
    _exit(sig == SIGHUP ? 7 : 5);
  }
  assert_int_equal(read(pipefd[0], &c, 1), 1);
  /* a second server on the same file is refused, naming the first */
  assert_int_equal(fat_pidfile_acquire(path, &pf, &e), FAT_ESTATE);
  snprintf(buf, sizeof buf, "pid %ld", (long)server);
  assert_non_null(strstr(e.msg, buf));
  assert_int_equal(fat_pidfile_signal(path, SIGHUP, &pid, &e), FAT_OK);
  assert_int_equal(pid, (long)server);
  assert_int_equal(waitpid(server, &status, 0), server);
  assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 7);
  close(pipefd[0]);
  close(pipefd[1]);
  /* the server removed its file on the way out */
  assert_int_equal(fat_pidfile_signal(path, SIGHUP, &pid, &e), FAT_OK);
  assert_int_equal(pid, 0);
  unlink(path);
  {
    char *p = fat_pidfile_path("/var/lib/faturo/faturo.db");
    assert_string_equal(p, "/var/lib/faturo/faturo-servidor.pid");
    fat_free(p);
    p = fat_pidfile_path("faturo.db");
    assert_string_equal(p, "faturo-servidor.pid");
    fat_free(p);
  }
}

/* ---- out of memory ---------------------------------------------------- */

static void test_oom_building_and_checking(void **state)
{
  cJSON_Hooks hooks = {fat_malloc, fat_free};
  /* only the injected failures may stop a build: wall-clock limits out of reach */
  fat_limits lim = {0, 0, NO_TIME, NO_TIME};
  fat_gen *g = NULL;
  fat_findings f;
  fat_err e;
  cJSON *guia;
  long n;
  int ok = 0, tries = 0;
  fat_rc rc;

  (void)state;
  guia = sadt_guia(NULL, 0);
  cJSON_InitHooks(&hooks);
  for (n = 0; !ok; n += 1 + n / 16, tries++) {
    fat_err_clear(&e);
    fat_test_fail_alloc_after(n);
    rc = fat_gen_build(rules_dir, NULL, NULL, &lim, &g, &e);
    fat_test_fail_alloc_after(-1);
    if (rc == FAT_OK) {
      ok = 1;
    } else {
      if (rc != FAT_ENOMEM)
        fail_msg("construção com falha de memória após %ld: rc %d (%s)", n, rc, e.msg);
      assert_null(g);
    }
  }
  assert_true(tries > 20);
  fat_findings_init(&f);
  ok = 0;
  for (n = 0; !ok; n++) {
    fat_err_clear(&e);
    fat_test_fail_alloc_after(n);
    rc = fat_gen_check(g, "aurora", guia, NULL, &f, &e);
    fat_test_fail_alloc_after(-1);
    if (rc == FAT_OK) {
      ok = 1;
    } else {
      if (rc != FAT_ENOMEM)
        fail_msg("conferência com falha de memória após %ld: rc %d (%s)", n, rc, e.msg);
      assert_int_equal(f.n, 0);
    }
  }
  assert_true(n > 10);
  assert_true(f.n >= 1); /* the same findings as always, after all the failures */
  assert_string_equal(f.v[0].codigo, "SENHA_AUSENTE");
  fat_findings_fini(&f);
  cJSON_InitHooks(NULL);
  cJSON_Delete(guia);
  fat_gen_release(g);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_loop_stopped),
    cmocka_unit_test(test_pcall_loop_stopped),
    cmocka_unit_test(test_time_limit),
    cmocka_unit_test(test_alloc_stopped),
    cmocka_unit_test(test_xpcall_handler_cannot_escape_budget),
    cmocka_unit_test(test_pattern_backtracking_stops_at_budget),
    cmocka_unit_test(test_plain_find_is_linear),
    cmocka_unit_test(test_library_c_loops_are_charged),
    cmocka_unit_test(test_watchdog_stops_what_the_hook_cannot),
    cmocka_unit_test(test_patterns_match_stock_lua),
    cmocka_unit_test(test_escapes_fail),
    cmocka_unit_test(test_missing_functions),
    cmocka_unit_test(test_globals_allow_list),
    cmocka_unit_test(test_dinheiro_c_readers_same_as_lua),
    cmocka_unit_test(test_shared_tables_are_read_only),
    cmocka_unit_test(test_shipped_selftests_pass),
    cmocka_unit_test(test_contract_json),
    cmocka_unit_test(test_contrato_typed),
    cmocka_unit_test(test_malformed_contract_refused_at_reload),
    cmocka_unit_test(test_contrato_guias_rules),
    cmocka_unit_test(test_findings_fields),
    cmocka_unit_test(test_check_limits_and_errors),
    cmocka_unit_test(test_module_compiled_once_same_errors),
    cmocka_unit_test(test_findings_capped_per_check_and_guia),
    cmocka_unit_test(test_raised_findings_then_next_checks_run),
    cmocka_unit_test(test_check_cannot_break_later_guias),
    cmocka_unit_test(test_guia_table_from_struct_same_as_from_json),
    cmocka_unit_test(test_lazy_ctx_field_only_when_read),
    cmocka_unit_test(test_lazy_hist_rows_same_tables),
    cmocka_unit_test(test_guia_view_reused_keeps_nothing),
    cmocka_unit_test(test_guia_view_on_demand_same_as_from_json),
    cmocka_unit_test(test_check_keeping_state_is_refused),
    cmocka_unit_test(test_results_do_not_depend_on_order),
    cmocka_unit_test(test_bad_declarations),
    cmocka_unit_test(test_reload_broken_keeps_live),
    cmocka_unit_test(test_reload_during_checks),
    cmocka_unit_test(test_stalled_rule_never_blocks_other_callers),
    cmocka_unit_test(test_slow_reload_never_blocks_reloads_or_readers),
    cmocka_unit_test(test_reload_and_selftest_run_have_their_own_deadline),
    cmocka_unit_test(test_store_versions_and_revert),
    cmocka_unit_test(test_revert_keeps_unpublished_edits),
    cmocka_unit_test(test_publish_builds_before_writing),
    cmocka_unit_test(test_modules_fall_back_to_installed),
    cmocka_unit_test(test_signal_only_reaches_the_server_holding_the_pidfile),
    cmocka_unit_test(test_oom_building_and_checking),
  };

  read_env();
  return cmocka_run_group_tests(tests, NULL, NULL);
}
