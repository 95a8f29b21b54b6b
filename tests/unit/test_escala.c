/* test_escala.c: verbs whose cost must grow with N, not faster (Part M,
** `faturo demo --guias 1000000`).
**
** The work SQLite does is counted in virtual-machine instructions (a progress
** handler called every 100 of them, all statements and triggers included):
** the count is the same on every run and on every machine, so a cost that
** grows faster than the data shows as a ratio, without timing anything. Each
** test runs the verb on a clinic of size n and of size 4n and wants the
** ratio well under 16 (what a quadratic step gives). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "fat_fatura.h"
#include "fat_store_int.h"
#include "fat_store_sqlite.h"

static const char *db_path = "test_escala.db";

static void remove_db(void)
{
  unlink(db_path);
  unlink("test_escala.db-wal");
  unlink("test_escala.db-shm");
}

static int contar(void *p)
{
  (*(int64_t *)p)++;
  return 0;
}

/* Start counting VM instructions (in hundreds) of st into *n. */
static void conta_de(fat_store *st, int64_t *n)
{
  *n = 0;
  sqlite3_progress_handler(fat_store_db(st), 100, contar, n);
}

static void conta_fim(fat_store *st) { sqlite3_progress_handler(fat_store_db(st), 0, NULL, NULL); }

static void exec(fat_store *st, const char *sql)
{
  fat_err err;

  if (fat_store_exec(st, sql, &err) != FAT_OK)
    fail_msg("%s: %s", sql, err.msg);
}

/* A clinic with one fatura of `lotes` processed lotes of `por_lote` guias
** (R$ 100,00 each); returns the store open. */
static fat_store *clinica_fatura(int lotes, int por_lote)
{
  fat_store *st = NULL;
  fat_err err;
  char sql[1024];

  remove_db();
  assert_int_equal(fat_store_create(db_path, &st, &err), FAT_OK);
  exec(st, "INSERT INTO prestador (id, nome, cnpj) VALUES (1, 'Clínica', '11444777000161');"
           "INSERT INTO operadora (id, registro_ans, nome, script) VALUES"
           " (1, '312347', 'Aurora Saúde', 'aurora');");
  snprintf(sql, sizeof sql,
           "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)"
           " INSERT INTO lote (id, operadora_id, prestador_id, numero, tipo_guia, competencia,"
           " status, valor_informado, valor_liberado, enviado_em, protocolo, protocolo_data)"
           " SELECT i, 1, 1, i, 'consulta', '2025-03', 'processado', %d, %d, '2025-04-05',"
           " 'P' || i, '2025-04-07' FROM n",
           lotes, por_lote * 10000, por_lote * 10000);
  exec(st, sql);
  snprintf(sql, sizeof sql,
           "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < %d)"
           " INSERT INTO guia (id, prestador_id, operadora_id, tipo, numero_prestador,"
           " valor_total, competencia, status, lote_id)"
           " SELECT i + 1, 1, 1, 'consulta', 'G' || i, 10000, '2025-03', 'processada',"
           " i / %d + 1 FROM n",
           lotes * por_lote - 1, por_lote);
  exec(st, sql);
  snprintf(sql, sizeof sql,
           "INSERT INTO fatura (id, operadora_id, competencia, numero, valor)"
           " VALUES (1, 1, '2025-03', 1, %d);"
           "INSERT INTO fatura_lote (fatura_id, lote_id) SELECT 1, id FROM lote;",
           lotes * por_lote * 10000);
  exec(st, sql);
  return st;
}

/* VM instructions (hundreds) of receiving the whole fatura. */
static int64_t custo_receber_fatura(int lotes, int por_lote)
{
  fat_store *st = clinica_fatura(lotes, por_lote);
  fat_recebimento_in in;
  fat_stmt *s;
  fat_err err;
  int64_t n;

  memset(&in, 0, sizeof in);
  in.fatura_id = 1;
  in.data = "2025-05-10";
  in.valor = (int64_t)lotes * por_lote * 10000;
  conta_de(st, &n);
  assert_int_equal(fat_recebimento_registrar(st, &in, NULL, &err), FAT_OK);
  conta_fim(st);
  /* it did its work: the fatura and every lote are paid */
  assert_int_equal(fat_store_prepare(st, "SELECT (SELECT status FROM fatura WHERE id = 1),"
                                         " (SELECT count(*) FROM lote WHERE status = 'pago')",
                                     &s, &err),
                   FAT_OK);
  assert_int_equal(fat_stmt_step(s), FAT_ROW);
  assert_string_equal(fat_col_text(s, 0), "paga");
  assert_int_equal(fat_col_int(s, 1), lotes);
  fat_stmt_reset(s);
  fat_store_close(st);
  remove_db();
  return n;
}

/* Receiving a fatura recomputed the fatura's received sum over all its guias
** once per lote (and the demo's financial month of 1 million guias, 4 faturas
** of ~2,300 lotes, never ended). 4x the lotes must cost ~4x, not 16x. */
static void test_receiving_a_fatura_costs_linear_in_its_lotes(void **state)
{
  int64_t pequeno, grande;

  (void)state;
  pequeno = custo_receber_fatura(50, 10);
  grande = custo_receber_fatura(200, 10);
  print_message("receber fatura: 50 lotes %lld, 200 lotes %lld (x100 instruções)\n",
                (long long)pequeno, (long long)grande);
  assert_true(grande < pequeno * 6);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_receiving_a_fatura_costs_linear_in_its_lotes),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
