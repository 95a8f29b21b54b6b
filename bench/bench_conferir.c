/* bench_conferir.c: conferir throughput against the floor of just reading
** the same guias (fat_guia_load).
**
** usage: bench_conferir [N [DB]]   (default 100000 guias, bench_conferir.db)
** Generates N guias of the four demo operators (consultas and SP/SADT, a
** few with defects) with its own deterministic generator, then times:
**   - fat_guia_load of every guia (the floor),
**   - a full conferir (--todas) with the operator scripts from
**     $FATURO_REGRAS (or the source tree's rules/),
**   - an incremental re-run (nothing changed).
** Prints figures; asserts nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fat_conferir.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_rules.h"
#include "fat_store_int.h"

#define HOJE "2025-04-30"

static char *S(const char *s) { return fat_strdup(s); }

static void make_cpf(unsigned n, char out[12])
{
  int d[11], i, s, r;

  for (i = 8; i >= 0; i--) {
    d[i] = (int)(n % 10);
    n /= 10;
  }
  d[0] = 1 + d[0] % 9; /* never all equal */
  for (s = 0, i = 0; i < 9; i++)
    s += d[i] * (10 - i);
  r = s % 11;
  d[9] = r < 2 ? 0 : 11 - r;
  for (s = 0, i = 0; i < 10; i++)
    s += d[i] * (11 - i);
  r = s % 11;
  d[10] = r < 2 ? 0 : 11 - r;
  for (i = 0; i < 11; i++)
    out[i] = (char)('0' + d[i]);
  out[11] = '\0';
}

static fat_profissional *prof(unsigned k)
{
  fat_profissional *p = fat_calloc(1, sizeof *p);
  char buf[32];

  if (p == NULL)
    return NULL;
  snprintf(buf, sizeof buf, "Dr(a). Bench %u", k);
  p->nome = S(buf);
  p->conselho = S("CRM");
  snprintf(buf, sizeof buf, "%u", 100000 + k);
  p->numero_conselho = S(buf);
  p->uf = S("SP");
  p->cbo = S("225125");
  return p;
}

static void item(fat_item *it, int seq, const char *cod, int64_t unit, const char *data)
{
  memset(it, 0, sizeof *it);
  it->sequencial = seq;
  it->tipo = S("procedimento");
  it->codigo_tabela = S("22");
  it->codigo = S(cod);
  it->quantidade_e4 = 10000;
  it->valor_unitario = unit;
  it->valor_total = unit;
  it->fator_e2 = 100;
  it->data = S(data);
}

static const char *const ans[4] = {"312347", "345671", "368253", "391116"};

static int generate(fat_store *st, unsigned n, fat_err *err)
{
  unsigned i;

  if (fat_store_exec(st,
                     "INSERT INTO prestador(nome, cnpj) VALUES ('Clínica Bench', "
                     "'11222333000181');"
                     "INSERT INTO operadora(registro_ans, nome, script) VALUES "
                     "('312347', 'Aurora Saúde', 'aurora'), "
                     "('345671', 'Vitalis Assistência Médica', 'vitalis'), "
                     "('368253', 'Horizonte Cooperativa Médica', 'horizonte'), "
                     "('391116', 'Serena Autogestão em Saúde', 'serena');",
                     err) != FAT_OK)
    return 1;
  if (fat_store_begin(st, err) != FAT_OK)
    return 1;
  for (i = 0; i < n; i++) {
    fat_guia *g = fat_calloc(1, sizeof *g);
    unsigned benef = i % 20000, op = benef % 4, day = 1 + (i / 20000u * 5u + i) % 28;
    char buf[64], data[11], cpf[12];

    if (g == NULL)
      return 1;
    snprintf(data, sizeof data, "2025-04-%02u", day);
    make_cpf(benef * 7919u + 13u, cpf);
    g->tipo = (i % 5 < 3) ? FAT_GUIA_CONSULTA : FAT_GUIA_SADT;
    g->operadora.registro_ans = S(ans[op]);
    g->prestador.cnpj = S("11222333000181");
    snprintf(buf, sizeof buf, "Beneficiário %u", benef);
    g->beneficiario.nome = S(buf);
    g->beneficiario_nome = S(buf);
    g->beneficiario.cpf = S(i % 97 == 0 ? "52998224726" : cpf); /* ~1% bad CPF */
    g->beneficiario.sexo = S(benef % 2 ? "F" : "M");
    g->beneficiario.nascimento = S("1980-01-01");
    snprintf(buf, sizeof buf, "B-%u", i);
    g->numero_prestador = S(buf);
    snprintf(buf, sizeof buf, "%03u%013u", op, benef);
    g->carteira_numero = i % 89 == 0 ? NULL : S(buf); /* ~1% without carteira */
    g->carteira_validade = S("2026-12-31");
    g->data_inicio = S(data);
    g->cid = S("J069");
    g->tipo_consulta = S("1");
    g->assinatura_beneficiario = 1;
    g->pedido_medico = 1;
    g->laudo = 1;
    g->executante = prof(i % 40);
    g->competencia = S("2025-04");
    if (g->tipo == FAT_GUIA_SADT) {
      g->senha = S("S12345");
      g->data_autorizacao = S("2025-04-01");
      g->validade_senha = S("2025-05-31");
      g->itens = fat_calloc(2, sizeof *g->itens);
      if (g->itens == NULL)
        return 1;
      g->n_itens = 2;
      item(&g->itens[0], 1, "40301630", 1250, data);
      item(&g->itens[1], 2, "40302040", 980, data);
      g->valor_total = 2230;
    } else {
      g->itens = fat_calloc(1, sizeof *g->itens);
      if (g->itens == NULL)
        return 1;
      g->n_itens = 1;
      item(&g->itens[0], 1, "10101012", 12000, data);
      g->valor_total = 12000;
    }
    if (fat_guia_save(st, g, err) != FAT_OK) {
      fat_guia_free(g);
      fat_store_rollback(st);
      return 1;
    }
    fat_guia_free(g);
  }
  return fat_store_commit(st, err) != FAT_OK;
}

static double secs(int64_t a, int64_t b) { return (double)(b - a) / 1e9; }

int main(int argc, char **argv)
{
  unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 100000u;
  const char *db = argc > 2 ? argv[2] : "bench_conferir.db";
  const char *regras = getenv("FATURO_REGRAS");
  fat_store *st = NULL;
  fat_rules *rules = NULL;
  fat_err err;
  fat_conferir_opts o;
  fat_conferir_resumo res;
  int64_t t0, t1, id, max_id = 0;
  double t_gen, t_load, t_conf, t_incr;
  char path[1024];

  if (regras == NULL || regras[0] == '\0')
    regras = FAT_SOURCE_DIR "/rules";
  if (n == 0)
    n = 1;
  unlink(db);
  snprintf(path, sizeof path, "%s-wal", db);
  unlink(path);
  snprintf(path, sizeof path, "%s-shm", db);
  unlink(path);
  if (fat_store_open(db, &st, &err) != FAT_OK) {
    fprintf(stderr, "bench_conferir: %s\n", err.msg);
    return 1;
  }
  t0 = fat_now_ns();
  if (generate(st, n, &err) != 0) {
    fprintf(stderr, "bench_conferir: gerar guias: %s\n", err.msg);
    return 1;
  }
  t1 = fat_now_ns();
  t_gen = secs(t0, t1);
  max_id = (int64_t)n;

  /* the floor: read every guia */
  t0 = fat_now_ns();
  for (id = 1; id <= max_id; id++) {
    fat_guia *g = NULL;

    if (fat_guia_load(st, id, &g, &err) != FAT_OK) {
      fprintf(stderr, "bench_conferir: ler guia %lld: %s\n", (long long)id, err.msg);
      return 1;
    }
    fat_guia_free(g);
  }
  t1 = fat_now_ns();
  t_load = secs(t0, t1);

  if (fat_rules_open(regras, NULL, st, &rules, &err) != FAT_OK) {
    fprintf(stderr, "bench_conferir: regras indisponíveis (%s): só regras internas\n", err.msg);
    rules = NULL;
  }
  memset(&o, 0, sizeof o);
  o.hoje = HOJE;
  o.todas = 1;
  t0 = fat_now_ns();
  if (fat_conferir(st, rules, &o, NULL, NULL, &res, &err) != FAT_OK) {
    fprintf(stderr, "bench_conferir: conferir: %s\n", err.msg);
    return 1;
  }
  t1 = fat_now_ns();
  t_conf = secs(t0, t1);
  o.todas = 0;
  t0 = fat_now_ns();
  {
    fat_conferir_resumo r2;

    if (fat_conferir(st, rules, &o, NULL, NULL, &r2, &err) != FAT_OK) {
      fprintf(stderr, "bench_conferir: conferir incremental: %s\n", err.msg);
      return 1;
    }
    t1 = fat_now_ns();
    t_incr = secs(t0, t1);
    printf("bench_conferir: %u guias (%s regras das operadoras)\n", n,
           rules != NULL ? "com" : "sem");
    printf("  gerar e gravar:          %8.2f s  (%9.0f guias/s)\n", t_gen, n / t_gen);
    printf("  só ler (fat_guia_load):  %8.2f s  (%9.0f guias/s)  <- piso\n", t_load, n / t_load);
    printf("  conferir (--todas):      %8.2f s  (%9.0f guias/s)  = %.1fx o piso\n", t_conf,
           res.conferidas / t_conf, t_conf / t_load);
    printf("  conferir incremental:    %8.2f s  (%zu sem mudança, %zu reconferidas)\n", t_incr,
           r2.sem_mudanca, r2.conferidas);
    printf("  achados: %zu; guias com bloqueio %zu, com alerta %zu, com erro %zu\n", res.achados,
           res.com_bloqueio, res.com_alerta, res.com_erro);
  }
  fat_rules_close(rules);
  fat_store_close(st);
  return 0;
}
