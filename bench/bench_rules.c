/* bench_rules.c: rule engine figures (printed, not a pass/fail):
**   - time to build (reload) every operator script: median of N builds;
**   - guias/second through the Lua checks on one core (SP/SADT with 10 items).
** Usage: bench_rules [RULES_DIR] (default $FATURO_REGRAS or the data dir's rules/).
**
** Peers, side by side (../shared/bench/peers): the same 9 rules over the same
** synthetic guias in faturo (bench/pares/operators/pares.lua), the Python
** reference, json-rules-engine and GoRules Zen, in the same run; the counts
** must be identical (else exit 1) and the ratios are printed.
** Usage: bench_rules --pares GUIAS.jsonl PARES_DIR PEERS_DIR
**   PEERS_DIR holds ref.py, jre.js, zen.js and (after npm install) node_modules;
**   without node_modules only the reference is run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fat_mem.h"
#include "fat_model.h"
#include "fat_paths.h"
#include "fat_rules.h"

#include <unistd.h>

#define N_BUILDS 15
#define N_GUIAS 20000
#define N_REPEAT 3 /* runs of the peers' guias through faturo: the median counts */
#define N_REPEAT_MAX 50

/* CPU time of this thread (ns): on a shared machine wall-clock figures say
** more about the neighbours than about the code. */
static int64_t cpu_ns(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_i64(const void *a, const void *b)
{
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

  return (x > y) - (x < y);
}

/* A realistic SP/SADT guia: 10 items, complete identification. */
static cJSON *make_guia(int n)
{
  cJSON *g = cJSON_CreateObject(), *itens, *o;
  char buf[64];
  int i;

  snprintf(buf, sizeof buf, "B-%06d", n);
  cJSON_AddStringToObject(g, "tipo", "sp-sadt");
  cJSON_AddStringToObject(g, "numero_prestador", buf);
  o = cJSON_AddObjectToObject(g, "operadora");
  cJSON_AddStringToObject(o, "registro_ans", "312347");
  cJSON_AddStringToObject(o, "script", "aurora");
  o = cJSON_AddObjectToObject(g, "beneficiario");
  cJSON_AddStringToObject(o, "nome", "Paciente de Teste");
  cJSON_AddStringToObject(o, "cpf", "52998224725");
  cJSON_AddStringToObject(o, "sexo", "F");
  cJSON_AddStringToObject(g, "carteira_numero", "312347000100");
  cJSON_AddStringToObject(g, "carteira_validade", "2030-12-31");
  cJSON_AddStringToObject(g, "senha", n % 10 == 0 ? "" : "S12345");
  cJSON_AddStringToObject(g, "data_autorizacao", "2025-03-01");
  cJSON_AddStringToObject(g, "validade_senha", "2025-03-31");
  cJSON_AddStringToObject(g, "cid", "M545");
  cJSON_AddStringToObject(g, "data_inicio", "2025-03-10");
  cJSON_AddBoolToObject(g, "assinatura_beneficiario", 1);
  cJSON_AddBoolToObject(g, "pedido_medico", 1);
  cJSON_AddBoolToObject(g, "laudo", 1);
  o = cJSON_AddObjectToObject(g, "executante");
  cJSON_AddStringToObject(o, "conselho", "CRM");
  cJSON_AddStringToObject(o, "numero_conselho", "123456");
  cJSON_AddStringToObject(o, "uf", "SP");
  cJSON_AddStringToObject(o, "cbo", "225125");
  cJSON_AddStringToObject(g, "valor_total", "1050.00");
  itens = cJSON_AddArrayToObject(g, "itens");
  for (i = 0; i < 10; i++) {
    o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "sequencial", i + 1);
    cJSON_AddStringToObject(o, "tipo", "procedimento");
    cJSON_AddStringToObject(o, "codigo_tabela", "22");
    snprintf(buf, sizeof buf, "403043%02d", i + 10);
    cJSON_AddStringToObject(o, "codigo", buf);
    cJSON_AddStringToObject(o, "quantidade", "1.0000");
    cJSON_AddStringToObject(o, "valor_unitario", "105.00");
    cJSON_AddStringToObject(o, "valor_total", "105.00");
    cJSON_AddStringToObject(o, "data", "2025-03-10");
    cJSON_AddItemToArray(itens, o);
  }
  return g;
}

/* {======================================================================
** Peers
** ======================================================================= */

static const char *const PEER_CODES[] = {
  "ASSINATURA_AUSENTE", "CARTEIRA_AUSENTE", "CARTEIRA_VENCIDA", "CID_AUSENTE",
  "PRECO_ACIMA_CONTRATO", "QUANTIDADE_INVALIDA", "SENHA_AUSENTE", "SENHA_VENCIDA",
  "TOTAL_DIVERGENTE", NULL};
#define N_CODES 9

typedef struct peer_run {
  char engine[80];
  double per_s;
  double cpu_s; /* CPU of the timed loop (bench/pares/cpu.js), 0 = not measured */
  long guias;
  long counts[N_CODES];
  int ok; /* ran and printed its line */
} peer_run;

static void money(char *buf, size_t len, double centavos)
{
  long long c = (long long)centavos;

  snprintf(buf, len, "%lld.%02lld", c / 100, c % 100);
}

static const char *str_of(const cJSON *o, const char *k)
{
  const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));

  return v != NULL ? v : "";
}

static double num_of(const cJSON *o, const char *k)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

  return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* The converter: one peer guia -> faturo's import format (the JSON of
** `faturo importar guias`, docs/formatos.md), which fat_guia_from_json reads
** into a fat_guia like any imported guia. The peers' per-item contract price
** (preco_tabela) is not a field of a guia: it goes to *precos (centavos, one
** per item, in item order), which the benchmark hands to the script as
** ctx.precos, the way the host informs a check of what is not in the guia. */
static cJSON *from_peer(const cJSON *p, cJSON **precos)
{
  cJSON *g = cJSON_CreateObject(), *itens, *o, *pr = cJSON_CreateArray();
  const cJSON *it;
  const char *tipo = str_of(p, "tipo");
  char buf[64];

  *precos = NULL;
  snprintf(buf, sizeof buf, "P-%.0f", num_of(p, "id"));
  cJSON_AddStringToObject(g, "numero_prestador", buf);
  cJSON_AddStringToObject(g, "tipo", strcmp(tipo, "sadt") == 0 ? "sp-sadt" : tipo);
  o = cJSON_AddObjectToObject(g, "operadora");
  cJSON_AddStringToObject(o, "registro_ans", "999999");
  cJSON_AddStringToObject(o, "script", "pares");
  o = cJSON_AddObjectToObject(g, "prestador");
  cJSON_AddStringToObject(o, "cnpj", "11222333000181");
  cJSON_AddStringToObject(g, "carteira_numero", str_of(p, "carteira"));
  cJSON_AddStringToObject(g, "carteira_validade", str_of(p, "validade_carteira"));
  cJSON_AddStringToObject(g, "senha", str_of(p, "senha"));
  cJSON_AddStringToObject(g, "validade_senha", str_of(p, "validade_senha"));
  cJSON_AddStringToObject(g, "data_inicio", str_of(p, "data"));
  cJSON_AddStringToObject(g, "cid", str_of(p, "cid"));
  cJSON_AddBoolToObject(g, "assinatura_beneficiario",
                        cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "assinatura")));
  money(buf, sizeof buf, num_of(p, "valor_total"));
  cJSON_AddStringToObject(g, "valor_total", buf);
  itens = cJSON_AddArrayToObject(g, "itens");
  cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(p, "itens"))
  {
    double q = num_of(it, "qtd"), v = num_of(it, "valor");

    o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "sequencial", num_of(it, "seq"));
    cJSON_AddStringToObject(o, "codigo_tabela", "22");
    cJSON_AddStringToObject(o, "codigo", str_of(it, "codigo"));
    snprintf(buf, sizeof buf, "%.0f.0000", q);
    cJSON_AddStringToObject(o, "quantidade", buf);
    money(buf, sizeof buf, q > 0 ? v / q : v);
    cJSON_AddStringToObject(o, "valor_unitario", buf);
    money(buf, sizeof buf, v);
    cJSON_AddStringToObject(o, "valor_total", buf);
    cJSON_AddStringToObject(o, "data", str_of(p, "data"));
    cJSON_AddItemToArray(itens, o);
    cJSON_AddItemToArray(pr, cJSON_CreateNumber(num_of(it, "preco_tabela")));
  }
  if (g == NULL || itens == NULL || pr == NULL ||
      cJSON_GetArraySize(pr) != cJSON_GetArraySize(itens)) {
    cJSON_Delete(g);
    cJSON_Delete(pr);
    return NULL;
  }
  *precos = pr;
  return g;
}

static int code_index(const char *c)
{
  int i;

  for (i = 0; PEER_CODES[i] != NULL; i++)
    if (strcmp(PEER_CODES[i], c) == 0)
      return i;
  return -1;
}

/* Run one peer command and read its JSON line (engine, guias_per_s, counts;
** ref.py prints the counts alone). */
static void run_peer(const char *cmd, const char *label, peer_run *r)
{
  FILE *f = popen(cmd, "r");
  char line[4096];
  cJSON *j = NULL, *counts;
  const cJSON *c;

  memset(r, 0, sizeof *r);
  snprintf(r->engine, sizeof r->engine, "%s", label);
  if (f == NULL)
    return;
  while (fgets(line, sizeof line, f) != NULL) {
    if (strncmp(line, "{\"cpu_s\":", 9) == 0) {
      cJSON *c1 = cJSON_Parse(line);

      r->cpu_s = num_of(c1, "cpu_s");
      cJSON_Delete(c1);
    } else if (line[0] == '{') {
      cJSON_Delete(j);
      j = cJSON_Parse(line);
    }
  }
  if (pclose(f) != 0 || j == NULL) {
    cJSON_Delete(j);
    return;
  }
  counts = cJSON_GetObjectItemCaseSensitive(j, "counts");
  if (counts == NULL)
    counts = j; /* ref.py */
  else if (cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "engine")) != NULL)
    snprintf(r->engine, sizeof r->engine, "%s",
             cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "engine")));
  r->per_s = num_of(j, "guias_per_s");
  r->guias = (long)num_of(j, "guias");
  cJSON_ArrayForEach(c, counts)
  {
    int k = code_index(c->string);

    if (k >= 0)
      r->counts[k] = (long)c->valuedouble;
  }
  r->ok = 1;
  cJSON_Delete(j);
}

static int same_counts(const peer_run *a, const peer_run *b)
{
  return memcmp(a->counts, b->counts, sizeof a->counts) == 0;
}

static void print_counts(const peer_run *r)
{
  int k;

  for (k = 0; k < N_CODES; k++)
    printf("%s%s=%ld", k ? " " : "", PEER_CODES[k], r->counts[k]);
  printf("\n");
}

/* One peer guia ready for the rules: the fat_guia (read from faturo's
** import format by fat_guia_from_json), its JSON form for the JSON path and
** the context the host hands the script (hoje, precos). */
typedef struct peer_guia {
  fat_guia *g;
  cJSON *json;
  cJSON *ctx;
} peer_guia;

static void peer_guia_fini(peer_guia *p)
{
  fat_guia_free(p->g);
  cJSON_Delete(p->json);
  cJSON_Delete(p->ctx);
}

/* Convert one line; 0, or 2 after printing why. */
static int peer_convert(const char *line, size_t lineno, peer_guia *out)
{
  cJSON *p = cJSON_Parse(line), *imp, *precos = NULL;
  fat_err e;
  char campo[120];
  int rc = 0;

  memset(out, 0, sizeof *out);
  if (p == NULL) {
    fprintf(stderr, "bench_rules: linha %zu: JSON inválido\n", lineno);
    return 2;
  }
  imp = from_peer(p, &precos);
  cJSON_Delete(p);
  out->ctx = cJSON_CreateObject();
  if (imp == NULL || out->ctx == NULL || cJSON_AddStringToObject(out->ctx, "hoje", "2026-11-05") == NULL ||
      !cJSON_AddItemToObject(out->ctx, "precos", precos)) {
    cJSON_Delete(precos);
    fprintf(stderr, "bench_rules: linha %zu: %s\n", lineno, fat_rc_str(FAT_ENOMEM));
    rc = 2;
  } else if (fat_guia_from_json_campo(imp, &out->g, campo, sizeof campo, &e) != FAT_OK) {
    fprintf(stderr, "bench_rules: linha %zu, campo %s: %s\n", lineno, campo, e.msg);
    rc = 2;
  } else {
    out->json = fat_guia_to_json(out->g);
    if (out->json == NULL) {
      fprintf(stderr, "bench_rules: linha %zu: %s\n", lineno, fat_rc_str(FAT_ENOMEM));
      rc = 2;
    }
  }
  cJSON_Delete(imp);
  if (rc != 0)
    peer_guia_fini(out);
  return rc;
}

/* Read the peers' guias (JSON lines) into *out[0..*n), converted. Returns
** 0, or 2 after printing why. */
static int load_peer_guias(const char *path, peer_guia **out, size_t *n)
{
  FILE *in = fopen(path, "r");
  char *line = NULL;
  size_t cap = 0, cap_g = 0, lineno = 0;
  peer_guia *gs = NULL;
  int rc = 0;

  *out = NULL;
  *n = 0;
  if (in == NULL) {
    fprintf(stderr, "bench_rules: não foi possível abrir %s\n", path);
    return 2;
  }
  while (rc == 0 && getline(&line, &cap, in) > 0) {
    lineno++;
    if (line[0] == '\n')
      continue;
    if (*n == cap_g) {
      peer_guia *more = fat_realloc(gs, (cap_g ? cap_g * 2 : 1024) * sizeof *gs);

      if (more == NULL) {
        fprintf(stderr, "bench_rules: %s (%s)\n", fat_rc_str(FAT_ENOMEM), path);
        rc = 2;
        break;
      }
      gs = more;
      cap_g = cap_g ? cap_g * 2 : 1024;
    }
    rc = peer_convert(line, lineno, &gs[*n]);
    if (rc == 0)
      (*n)++;
  }
  free(line); /* getline's */
  fclose(in);
  *out = gs;
  return rc;
}

/* Evaluate every guia, through the struct (fat_gen_check_guia, conferir's
** way) or through its JSON form (fat_gen_check); counts per code in r and
** the CPU time of the loop in *cpu. 0, or 2 after printing why. */
static int run_faturo(fat_gen *g, const peer_guia *gs, size_t n, int by_struct, peer_run *r,
                      int64_t *cpu, int64_t *wall)
{
  fat_findings f;
  fat_err err;
  int64_t t0, c0;
  size_t i, j;
  int k, bad = 0;

  fat_findings_init(&f);
  t0 = fat_now_ns();
  c0 = cpu_ns();
  for (i = 0; i < n && !bad; i++) {
    fat_rc rc;

    fat_findings_clear(&f);
    if (by_struct)
      rc = fat_gen_check_guia(g, "pares", gs[i].g, gs[i].ctx, &f, &err);
    else
      rc = fat_gen_check(g, "pares", gs[i].json, gs[i].ctx, &f, &err);
    if (rc != FAT_OK) {
      fprintf(stderr, "bench_rules: %s\n", err.msg);
      bad = 2;
      break;
    }
    for (j = 0; j < f.n; j++) {
      k = code_index(f.v[j].codigo);
      if (k >= 0)
        r->counts[k]++;
    }
  }
  *cpu = cpu_ns() - c0;
  *wall = fat_now_ns() - t0;
  fat_findings_fini(&f);
  return bad;
}

static int bench_pares(const char *guias_path, const char *pares_dir, const char *peers_dir)
{
  char cmd[8192], nm[4200], *pares_abs = realpath(pares_dir, NULL);
  size_t n = 0, i;
  peer_guia *gs = NULL;
  fat_gen *g = NULL;
  fat_err err;
  peer_run me, viajson, ref, peer, jre;
  int64_t dt, dc, dtj, dcj, cpus[N_REPEAT_MAX], walls[N_REPEAT_MAX];
  int reps = N_REPEAT, r;
  double me_cpu_s = 0, jre_cpu_s = 0;
  int bad = 0, have_node, k;

  memset(&jre, 0, sizeof jre);
  if (pares_abs == NULL) {
    fprintf(stderr, "bench_rules: pasta %s não encontrada\n", pares_dir);
    bad = 2;
    goto out;
  }
  if (strchr(guias_path, '\'') != NULL || strchr(peers_dir, '\'') != NULL ||
      strchr(pares_abs, '\'') != NULL) {
    fprintf(stderr, "bench_rules: caminho com aspas simples\n");
    bad = 2;
    goto out;
  }
  bad = load_peer_guias(guias_path, &gs, &n);
  if (bad != 0)
    goto out;
  if (fat_gen_build(pares_dir, NULL, NULL, NULL, &g, &err) != FAT_OK) {
    fprintf(stderr, "bench_rules: %s\n", err.msg);
    bad = 2;
    goto out;
  }
  memset(&viajson, 0, sizeof viajson);
  if (getenv("FAT_BENCH_REPETIR") != NULL)
    reps = (int)strtol(getenv("FAT_BENCH_REPETIR"), NULL, 10);
  if (reps < 1 || reps > N_REPEAT_MAX)
    reps = N_REPEAT;
  /* the JSON path first: it also warms the state up for the struct path,
  ** which runs N_REPEAT times (FAT_BENCH_REPETIR): the median CPU counts */
  bad = run_faturo(g, gs, n, 0, &viajson, &dcj, &dtj);
  for (r = 0; bad == 0 && r < reps; r++) {
    memset(&me, 0, sizeof me);
    bad = run_faturo(g, gs, n, 1, &me, &cpus[r], &walls[r]);
  }
  if (bad != 0)
    goto out;
  snprintf(me.engine, sizeof me.engine, "faturo (Lua 5.4, sandbox)");
  qsort(cpus, (size_t)reps, sizeof cpus[0], cmp_i64);
  qsort(walls, (size_t)reps, sizeof walls[0], cmp_i64);
  dc = cpus[reps / 2];
  dt = walls[reps / 2];
  me.per_s = (double)n * 1e9 / (double)dt;
  me_cpu_s = (double)n * 1e9 / (double)dc;
  printf("pares: %zu guias (%s), convertidas para o formato de importação do faturo e lidas "
         "por fat_guia_from_json antes da medida\n", n, guias_path);
  printf("  %-28s %9.0f guias/s (relógio), %9.0f guias por segundo de CPU "
         "(fat_gen_check_guia, a tabela montada da struct, como no conferir; mediana de %d)\n",
         me.engine, me.per_s, me_cpu_s, reps);
  printf("  %-28s %9.0f guias/s (relógio), %9.0f guias por segundo de CPU "
         "(fat_gen_check, a guia em JSON)\n",
         "  o mesmo pela forma JSON", (double)n * 1e9 / (double)dtj, (double)n * 1e9 / (double)dcj);
  printf("    ");
  print_counts(&me);
  if (!same_counts(&me, &viajson)) {
    printf("  DIVERGE entre a struct e o JSON: ");
    print_counts(&viajson);
    bad = 1;
  }

  snprintf(cmd, sizeof cmd, "python3 '%s/ref.py' '%s'", peers_dir, guias_path);
  run_peer(cmd, "referência (ref.py)", &ref);
  if (!ref.ok) {
    fprintf(stderr, "bench_rules: ref.py não rodou\n");
    bad = 1;
  } else if (!same_counts(&me, &ref)) {
    printf("  DIVERGE da referência: ");
    print_counts(&ref);
    bad = 1;
  } else {
    printf("  contagens iguais às da referência (ref.py)\n");
  }
  snprintf(nm, sizeof nm, "%s/node_modules", peers_dir);
  have_node = access(nm, F_OK) == 0;
  if (!have_node)
    printf("  pares em Node não rodados: falta %s (npm install)\n", nm);
  for (k = 0; have_node && k < 2; k++) {
    /* bench/pares/cpu.js, preloaded, adds the CPU of the peer's timed loop */
    if (k == 0)
      snprintf(cmd, sizeof cmd, "cd '%s' && node --require '%s/cpu.js' jre.js '%s'", peers_dir,
               pares_abs, guias_path);
    else
      snprintf(cmd, sizeof cmd, "cd '%s' && ZEN_INFLIGHT=64 node --require '%s/cpu.js' zen.js '%s'",
               peers_dir, pares_abs, guias_path);
    run_peer(cmd, k == 0 ? "json-rules-engine" : "GoRules Zen", &peer);
    if (!peer.ok) {
      printf("  %s: não rodou\n", k == 0 ? "json-rules-engine" : "GoRules Zen");
      continue;
    }
    if (k == 0)
      jre = peer;
    printf("  %-28s %9.0f guias/s (relógio), %9.0f guias por segundo de CPU;  faturo/par = "
           "%.2fx (relógio), %.2fx (CPU)%s\n",
           peer.engine, peer.per_s, peer.cpu_s > 0 ? (double)peer.guias / peer.cpu_s : 0.0,
           peer.per_s > 0 ? me.per_s / peer.per_s : 0.0,
           peer.cpu_s > 0 ? me_cpu_s * peer.cpu_s / (double)peer.guias : 0.0,
           same_counts(&me, &peer) ? "" : "  CONTAGENS DIVERGEM");
    if (!same_counts(&me, &peer))
      bad = 1;
  }
  if (jre.cpu_s > 0)
    jre_cpu_s = (double)jre.guias / jre.cpu_s;
  printf("RESULT regras_pares guias=%zu guias_por_cpu_s=%.0f guias_por_s=%.0f "
         "jre_guias_por_cpu_s=%.0f ratio=%.2f contagens=%s\n",
         n, me_cpu_s, me.per_s, jre_cpu_s, jre_cpu_s > 0 ? me_cpu_s / jre_cpu_s : 0.0,
         bad == 0 ? "iguais" : "divergem");
out:
  for (i = 0; i < n; i++)
    peer_guia_fini(&gs[i]);
  fat_free(gs);
  fat_gen_release(g);
  free(pares_abs); /* realpath's */
  return bad;
}

/* }====================================================================== */

int main(int argc, char **argv)
{
  const char *dir = argc > 1 ? argv[1] : getenv("FATURO_REGRAS");
  int64_t t[N_BUILDS], t0, dt, c0, dc;
  fat_err err;
  fat_gen *g = NULL;
  fat_findings f;
  cJSON *guias[16], *ctx;
  size_t found = 0;
  char rules_def[4200];
  int i;

  if (argc == 5 && strcmp(argv[1], "--pares") == 0)
    return bench_pares(argv[2], argv[3], argv[4]);
  if ((dir == NULL || dir[0] == '\0') && fat_paths_data_dir() != NULL) {
    snprintf(rules_def, sizeof rules_def, "%s/rules", fat_paths_data_dir());
    dir = rules_def;
  }
  if (dir == NULL) {
    fprintf(stderr, "bench_rules: pasta de regras não encontrada (FATURO_REGRAS ou FATURO_HOME)\n");
    return 1;
  }
  for (i = 0; i < N_BUILDS; i++) {
    fat_gen *b = NULL;
    cJSON *rep = NULL;

    t0 = fat_now_ns();
    if (fat_gen_build(dir, NULL, NULL, NULL, &b, &err) != FAT_OK ||
        fat_gen_selftest(b, NULL, &rep, &err) != FAT_OK) {
      fprintf(stderr, "bench_rules: %s\n", err.msg);
      return 1;
    }
    t[i] = fat_now_ns() - t0;
    cJSON_Delete(rep);
    if (i == N_BUILDS - 1)
      g = b;
    else
      fat_gen_release(b);
  }
  qsort(t, N_BUILDS, sizeof t[0], cmp_i64);
  printf("recarga (compilar %zu scripts + autotestes): mediana %.2f ms, min %.2f ms, max %.2f ms "
         "(N=%d)\n",
         fat_gen_count(g), (double)t[N_BUILDS / 2] / 1e6, (double)t[0] / 1e6,
         (double)t[N_BUILDS - 1] / 1e6, N_BUILDS);

  for (i = 0; i < 16; i++)
    guias[i] = make_guia(i);
  ctx = cJSON_Parse("{\"hoje\":\"2025-03-20\",\"historico\":[]}");
  fat_findings_init(&f);
  t0 = fat_now_ns();
  c0 = cpu_ns();
  for (i = 0; i < N_GUIAS; i++) {
    fat_findings_clear(&f);
    if (fat_gen_check(g, "aurora", guias[i % 16], ctx, &f, &err) != FAT_OK) {
      fprintf(stderr, "bench_rules: %s\n", err.msg);
      return 1;
    }
    found += f.n;
  }
  dc = cpu_ns() - c0;
  dt = fat_now_ns() - t0;
  printf("conferência Lua (aurora, SP/SADT com 10 itens, 1 núcleo): %d guias em %.1f ms = "
         "%.0f guias/s; %.1f ms de CPU = %.0f guias por segundo de CPU (%zu achados)\n",
         N_GUIAS, (double)dt / 1e6, (double)N_GUIAS * 1e9 / (double)dt, (double)dc / 1e6,
         (double)N_GUIAS * 1e9 / (double)dc, found);
  fat_findings_fini(&f);
  for (i = 0; i < 16; i++)
    cJSON_Delete(guias[i]);
  cJSON_Delete(ctx);
  fat_gen_release(g);
  return 0;
}
