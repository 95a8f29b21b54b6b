/* bench_rules.c: rule engine figures (printed, not a pass/fail):
**   - time to build (reload) every operator script: median of N builds;
**   - guias/second through the Lua checks on one core (SP/SADT with 10 items).
** Usage: bench_rules [RULES_DIR] (default $FATURO_REGRAS or the data dir's rules/). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fat_mem.h"
#include "fat_paths.h"
#include "fat_rules.h"

#define N_BUILDS 15
#define N_GUIAS 20000

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
