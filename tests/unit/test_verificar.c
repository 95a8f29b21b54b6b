/* test_verificar.c: faturo's invariants (fat_verificar).
**
** One database goes through the whole cycle (the demo clinic: import,
** conferir, lotes, operator returns, glosas, a recurso answered and another
** pending) and must keep every invariant. Then, for each invariant, a copy of
** it is broken in exactly that one way and verificar must name exactly that
** invariant. Every check in the table must have a case here. Needs the CLI
** (FATURO_BIN) to build the database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fat_lote_xml.h"
#include "fat_mem.h"
#include "fat_store_int.h"
#include "fat_store_sqlite.h"
#include "fat_fatura.h"
#include "fat_lote.h"
#include "fat_verificar.h"

static const char *base_db = "test_verificar_base.db";
static const char *case_db = "test_verificar_caso.db";

static void run_cli(const char *args)
{
  const char *bin = getenv("FATURO_BIN");
  char cmd[1024];

  assert_non_null(bin); /* ctest sets it (tests/CMakeLists.txt) */
  snprintf(cmd, sizeof cmd, "'%s' --db %s %s > test_verificar_cli.log 2>&1", bin, base_db, args);
  if (system(cmd) != 0)
    fail_msg("falhou: %s (veja test_verificar_cli.log)", cmd);
}

/* The demo clinic with 100 guias through the whole cycle (its recurso sent
** and answered, the financial month), and a second recurso left as a draft. */
static int build_base(void **state)
{
  fat_store *st = NULL;
  sqlite3_stmt *s;
  fat_err err;
  char args[64];
  int64_t id = 0;

  (void)state;
  fat_store_remove_files(base_db);
  run_cli("demo --guias 100 --competencia 2026-05");
  /* the first glosa still open (its id depends on the order the demo
  ** imported the lotes in) */
  assert_int_equal(fat_store_open(base_db, &st, &err), FAT_OK);
  assert_int_equal(sqlite3_prepare_v2(fat_store_db(st),
                                      "SELECT min(id) FROM glosa WHERE situacao = 'aberta'", -1,
                                      &s, NULL),
                   SQLITE_OK);
  if (sqlite3_step(s) == SQLITE_ROW)
    id = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  fat_store_close(st);
  assert_true(id > 0);
  snprintf(args, sizeof args, "recurso criar --glosas %lld", (long long)id);
  run_cli(args);
  return 0;
}

static int drop_base(void **state)
{
  (void)state;
  fat_store_remove_files(base_db);
  fat_store_remove_files(case_db);
  unlink("test_verificar_cli.log");
  return 0;
}

static fat_store *open_copy(void)
{
  fat_store *st = NULL;
  fat_err err;
  char *buf = NULL;
  size_t len = 0;

  fat_store_remove_files(case_db);
  assert_int_equal(fat_file_read(base_db, (size_t)1 << 30, &buf, &len, &err), FAT_OK);
  assert_int_equal(fat_file_write(case_db, buf, len, &err), FAT_OK);
  fat_free(buf);
  assert_int_equal(fat_store_open(case_db, &st, &err), FAT_OK);
  return st;
}

static void exec_ok(fat_store *st, const char *sql)
{
  char *msg = NULL;

  if (sqlite3_exec(fat_store_db(st), sql, NULL, NULL, &msg) != SQLITE_OK)
    fail_msg("%s: %s", sql, msg != NULL ? msg : "?");
  sqlite3_free(msg);
}

/* The first lote's XML stored as it is, not compressed (as lotes stored
** before fat_lote_xml_gravar compressed them, which the reader still takes),
** so that a case's SQL can edit its text. */
static void xml_sem_compressao(fat_store *st)
{
  sqlite3 *db = fat_store_db(st);
  sqlite3_stmt *s;
  fat_err err;
  char *xml = NULL;
  size_t len = 0;
  int64_t id;
  int off;

  assert_int_equal(sqlite3_prepare_v2(db, "SELECT min(id) FROM lote", -1, &s, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(s), SQLITE_ROW);
  id = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  assert_int_equal(fat_lote_xml_ler(st, id, &xml, &len, &err), FAT_OK);
  assert_non_null(xml);
  /* the lote was sent: its XML is immutable by trigger */
  assert_int_equal(sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, &off), SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(db, "UPDATE lote_xml SET xml = ?2 WHERE lote_id = ?1", -1,
                                      &s, NULL),
                   SQLITE_OK);
  sqlite3_bind_int64(s, 1, id);
  sqlite3_bind_blob(s, 2, xml, (int)len, SQLITE_STATIC);
  assert_int_equal(sqlite3_step(s), SQLITE_DONE);
  sqlite3_finalize(s);
  assert_int_equal(sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 1, &off), SQLITE_OK);
  fat_free(xml);
}

/* Run sql with the schema's triggers dropped (they refuse some of the
** tampering the tests need), then put the triggers back. */
static void exec_without_triggers(fat_store *st, const char *sql)
{
  sqlite3_stmt *s;
  char *names[256], *defs[256], drop[160];
  int n = 0, i;

  assert_int_equal(sqlite3_prepare_v2(fat_store_db(st),
                                      "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'",
                                      -1, &s, NULL),
                   SQLITE_OK);
  while (sqlite3_step(s) == SQLITE_ROW) {
    assert_true(n < 256); /* every trigger must go, or tampering is refused */
    names[n] = fat_strdup((const char *)sqlite3_column_text(s, 0));
    defs[n] = fat_strdup((const char *)sqlite3_column_text(s, 1));
    n++;
  }
  sqlite3_finalize(s);
  for (i = 0; i < n; i++) {
    snprintf(drop, sizeof drop, "DROP TRIGGER %s", names[i]);
    exec_ok(st, drop);
  }
  exec_ok(st, sql);
  for (i = 0; i < n; i++) {
    exec_ok(st, defs[i]);
    fat_free(names[i]);
    fat_free(defs[i]);
  }
}

static size_t violations_of(const fat_verif_relatorio *rel, const char *nome)
{
  size_t i;

  for (i = 0; i < rel->n; i++)
    if (strcmp(rel->r[i].check->nome, nome) == 0)
      return rel->r[i].total;
  return 0;
}

static void print_report(const fat_verif_relatorio *rel)
{
  size_t i, k;

  for (i = 0; i < rel->n; i++)
    for (k = 0; k < rel->r[i].n; k++)
      print_message("  %s [%s %lld]: %s\n", rel->r[i].check->nome, rel->r[i].v[k].objeto,
                    (long long)rel->r[i].v[k].id, rel->r[i].v[k].detalhe);
}

/* The engine keeps its promises through a whole billing cycle. */
static void test_cycle_keeps_every_invariant(void **state)
{
  fat_store *st;
  fat_verif_relatorio rel;
  size_t n;
  fat_err err;

  (void)state;
  st = open_copy();
  assert_int_equal(fat_verificar(st, NULL, &rel, &err), FAT_OK);
  fat_verif_checks(&n);
  assert_int_equal(rel.n, n);
  if (rel.violacoes != 0)
    print_report(&rel);
  assert_int_equal(rel.violacoes, 0);
  fat_verif_relatorio_fini(&rel);
  fat_store_close(st);
}

typedef struct verif_case {
  const char *check;    /* the one invariant the tampering breaks */
  int triggers_off;     /* drop the schema's triggers around the SQL */
  const char *sql;
} verif_case;

#define FIRST_SCRIPT_ACHADO "(SELECT min(id) FROM achado WHERE regra NOT LIKE 'builtin:%')"
#define FIRST_GUIA_EM_LOTE "(SELECT min(id) FROM guia WHERE lote_id IS NOT NULL)"
/* a guia nothing was received for yet (outside lotes: its liberado is its total) */
#define GUIA_A_RECEBER                                                                     \
  "(SELECT min(g.id) FROM guia g WHERE g.lote_id IS NULL AND g.valor_total > 100"          \
  " AND NOT EXISTS (SELECT 1 FROM recebimento_guia r WHERE r.guia_id = g.id))"

/* the mapa's counters (migration 096) rebuilt after a tampering of a lote
** made with the triggers off, so that only the tampered invariant breaks */
#define MAPA_REFEITO                                                                       \
  "; DELETE FROM mapa_lote; INSERT INTO mapa_lote (lote_id, fatura_id, operadora_id,"      \
  " competencia, numero, enviado, liberado, glosado, recursado, deferido, esperado) "      \
  FAT_MAPA_LOTE_RECONTAGEM "; DELETE FROM fatura_saldo; INSERT INTO fatura_saldo"          \
  " (fatura_id, lotes, enviado, liberado, glosado, recursado, deferido, esperado, recebido," \
  " recuperado, primeiro_lote) " FAT_FATURA_SALDO_RECONTAGEM "; DELETE FROM lote_mapa_mes;"  \
  " INSERT INTO lote_mapa_mes (competencia, operadora_id, status, previsao, n, guias,"      \
  " enviado, liberado, glosado, recebido) " FAT_LOTE_MAPA_MES_RECONTAGEM

static const verif_case cases[] = {
  {"auditoria_continua", 0,
   "DELETE FROM auditoria WHERE id = (SELECT min(id) + 1 FROM auditoria)"},
  {"regra_geracao_integra", 0,
   "UPDATE regra_script SET conteudo = conteudo || ' ' WHERE id = (SELECT min(id) FROM "
   "regra_script)"},
  {"regra_geracao_integra", 0,
   "UPDATE regra_geracao SET hash = '0000000000000000000000000000000000000000000000000000000000"
   "000000'"},
  {"regra_geracao_ativa", 0, "UPDATE regra_geracao SET ativa = 0"},
  {"achado_geracao", 0,
   "UPDATE achado SET geracao_id = NULL WHERE id = " FIRST_SCRIPT_ACHADO},
  {"achado_geracao", 0,
   "PRAGMA foreign_keys = OFF; UPDATE lote SET geracao_id = 999 WHERE id = (SELECT min(id) "
   "FROM lote)"},
  {"achado_versao_script", 0,
   "UPDATE achado SET script_sha256 = 'abc' WHERE id = " FIRST_SCRIPT_ACHADO},
  {"achado_item_da_guia", 0,
   "UPDATE achado SET item_id = (SELECT min(i.id) FROM item i WHERE i.guia_id <> "
   "achado.guia_id) WHERE id = (SELECT min(id) FROM achado)"},
  {"conferencia_revisao", 0,
   "UPDATE conferencia SET revisao = revisao + 5 WHERE guia_id = (SELECT min(guia_id) FROM "
   "conferencia)"},
  {"achado_resumo_recontado", 0,
   "UPDATE achado_resumo SET guias = guias + 1 WHERE codigo = '' AND severidade = ''"
   " AND reconhecido = 0 AND operadora_id = (SELECT min(operadora_id) FROM achado_resumo)"},
  {"achado_resumo_recontado", 0,
   "INSERT INTO achado_resumo VALUES (1, '2001-01', 'NENHUM', 'alerta', 0, 1, 1, 100)"},
  {"guia_aberto_recontado", 0,
   "UPDATE guia_aberto SET alertas = alertas + 1, valor_risco = valor_risco + 7"
   " WHERE guia_id = (SELECT min(guia_id) FROM guia_aberto)"},
  {"guia_aberto_recontado", 0,
   "INSERT INTO guia_aberto (guia_id, alertas) SELECT min(id), 1 FROM guia"
   " WHERE id NOT IN (SELECT guia_id FROM achado) AND id NOT IN (SELECT guia_id FROM guia_aberto)"},
  {"painel_achados_recontado", 0,
   "UPDATE painel_operadora SET valor_em_risco = valor_em_risco + 100"
   " WHERE operadora_id = (SELECT min(operadora_id) FROM painel_operadora)"},
  {"conferir_contando_vazia", 0, "INSERT INTO conferir_contando (id) VALUES (1)"},
  {"lote_prazo_protocolo_recontado", 0,
   "UPDATE lote_prazo_protocolo SET dias = dias + 3"
   " WHERE operadora_id = (SELECT min(operadora_id) FROM lote_prazo_protocolo)"},
  {"lote_prazo_protocolo_recontado", 0,
   "INSERT INTO lote_prazo_protocolo VALUES (999999, 2, 10)"},
  {"lote_saldo_recontado", 0,
   "UPDATE lote_saldo SET esperado = esperado + 100"
   " WHERE lote_id = (SELECT min(lote_id) FROM lote_saldo WHERE guias > 0)"},
  {"lote_saldo_recontado", 0, "DELETE FROM lote_saldo WHERE lote_id = (SELECT min(id) FROM lote)"},
  {"lote_saldo_recontado", 0,
   "UPDATE lote_recebimento SET valor = valor - 1"
   " WHERE lote_id = (SELECT min(lote_id) FROM lote_recebimento WHERE guias > 0)"},
  {"lote_saldo_recontado", 0, "INSERT INTO lote_recebimento VALUES (999999, 1, 500, 1)"},
  {"rel_previsto_lote_recontado", 1,
   "UPDATE rel_previsto_lote SET previsao = '2001-01-15'"
   " WHERE lote_id = (SELECT min(lote_id) FROM rel_previsto_lote)"},
  {"rel_previsto_lote_recontado", 1,
   "DELETE FROM rel_previsto_lote WHERE lote_id = (SELECT min(id) FROM lote)"},
  {"rel_previsto_mes_recontado", 1,
   "UPDATE rel_previsto_mes SET previsto = previsto + 100"
   " WHERE mes = (SELECT min(mes) FROM rel_previsto_mes)"},
  {"rel_previsto_mes_recontado", 1, "INSERT INTO rel_previsto_mes VALUES ('2001-01', 1, 1, 100)"},
  {"rel_previsto_recebimento_recontado", 1,
   "UPDATE rel_previsto_recebimento SET dias_valor = dias_valor + 7"
   " WHERE recebimento_id = (SELECT min(recebimento_id) FROM rel_previsto_recebimento)"},
  {"rel_previsto_recebimento_recontado", 1,
   "INSERT INTO rel_previsto_recebimento VALUES (999999, '', 0, 1, 500, 0)"},
  {"mapa_lote_recontado", 1,
   "UPDATE mapa_lote SET liberado = liberado + 100 WHERE lote_id = (SELECT min(lote_id) FROM"
   " mapa_lote)"},
  {"mapa_lote_recontado", 1, "DELETE FROM mapa_lote WHERE lote_id = (SELECT max(lote_id) FROM"
   " mapa_lote)"},
  {"fatura_saldo_recontado", 1,
   "UPDATE fatura_saldo SET recebido = recebido + 100 WHERE fatura_id = (SELECT min(fatura_id)"
   " FROM fatura_saldo)"},
  {"fatura_saldo_recontado", 1, "INSERT INTO fatura_saldo (fatura_id, lotes) VALUES (999999, 1)"},
  {"lote_mapa_mes_recontado", 1,
   "UPDATE lote_mapa_mes SET recebido = recebido + 100 WHERE n > 0 AND status = (SELECT"
   " min(status) FROM lote_mapa_mes WHERE n > 0)"},
  {"lote_mapa_mes_recontado", 1,
   "INSERT INTO lote_mapa_mes VALUES ('2001-01', 1, 'pago', '', 1, 2, 300, 300, 0, 300)"},
  {"glosa_resumo_recontado", 1,
   "UPDATE glosa_resumo SET valor = valor + 100 WHERE dim = 2 AND n > 0 AND chave = (SELECT"
   " min(chave) FROM glosa_resumo WHERE dim = 2 AND n > 0)"},
  {"glosa_resumo_recontado", 1,
   "INSERT INTO glosa_resumo VALUES ('2001-01', 1, 1, 'outros', '', 1, 500)"},
  {"fatura_recebimento_recontado", 1,
   "UPDATE fatura_recebimento SET data = '2001-01-15' WHERE recebimento_id = (SELECT"
   " min(recebimento_id) FROM fatura_recebimento WHERE guias > 0)"},
  {"fatura_recebimento_recontado", 1,
   "INSERT INTO fatura_recebimento VALUES (999999, 1, 500, 1, '2001-01-15', 0)"},
  /* the aging's counters (migration 102) */
  {"aging_lote_recontado", 1,
   "UPDATE aging_lote SET previsao = '2001-01-15' WHERE lote_id = (SELECT min(lote_id) FROM"
   " aging_lote)"},
  {"aging_lote_recontado", 1, "DELETE FROM aging_lote WHERE lote_id = (SELECT max(lote_id) FROM"
   " aging_lote)"},
  {"aging_lote_recontado", 1, "INSERT INTO aging_lote VALUES (999999, 1, NULL, 0)"},
  {"aging_dia_recontado", 1,
   "UPDATE aging_dia SET saldo = saldo + 100 WHERE lotes = (SELECT max(lotes) FROM aging_dia)"},
  {"aging_dia_recontado", 1, "INSERT INTO aging_dia VALUES (1, 0, '2001-01-15', 1, 500)"},
  {"glosa_prazo_dia_recontado", 1,
   "UPDATE glosa_prazo_dia SET glosas = glosas + 1 WHERE prazo_recurso = (SELECT"
   " min(prazo_recurso) FROM glosa_prazo_dia)"},
  {"glosa_prazo_dia_recontado", 1, "INSERT INTO glosa_prazo_dia VALUES ('2001-01-15', 2)"},
  {"lote_total_guias", 1,
   "UPDATE lote SET valor_informado = valor_informado + 100 WHERE id = (SELECT min(id) FROM "
   "lote)" MAPA_REFEITO},
  {"guia_status_lote", 0,
   "UPDATE guia SET status = 'conferida' WHERE id = " FIRST_GUIA_EM_LOTE},
  {"lote_inalterado_desde_hash", 1,
   "UPDATE lote_xml SET xml = CAST(replace(CAST(xml AS TEXT), 'numeroLote>', 'numeroLote>9') AS "
   "BLOB) WHERE lote_id = (SELECT min(id) FROM lote)"},
  /* the stored zstd frame damaged: its checksum fails (reported, not an abort) */
  {"lote_inalterado_desde_hash", 1,
   "UPDATE lote_xml SET xml = CAST(substr(xml, 1, length(xml) - 6) || x'000000000000' AS BLOB)"
   " WHERE lote_id = (SELECT min(id) FROM lote)"},
  {"lote_inalterado_desde_hash", 1,
   "UPDATE lote SET hash = '00000000000000000000000000000000' WHERE id = (SELECT max(id) FROM "
   "lote)"},
  {"lote_guias_como_enviadas", 1,
   "UPDATE lote SET valor_informado = valor_informado + 1 WHERE id = (SELECT lote_id FROM guia "
   "WHERE id = " FIRST_GUIA_EM_LOTE "); UPDATE guia SET valor_total = valor_total + 1 WHERE "
   "id = " FIRST_GUIA_EM_LOTE MAPA_REFEITO},
  /* the same guias sent again in a second lote (double billing) */
  {"guia_em_dois_lotes", 0,
   "INSERT INTO lote (operadora_id, prestador_id, numero, tipo_guia, competencia, status,"
   " qtd_guias, valor_informado, hash, arquivo, hash_encoding)"
   " SELECT operadora_id, prestador_id, numero + 1000, tipo_guia, competencia, 'fechado', 0, 0,"
   " hash, arquivo, hash_encoding FROM lote WHERE id = (SELECT min(id) FROM lote);"
   " INSERT INTO lote_xml (lote_id, xml) SELECT (SELECT max(id) FROM lote), xml FROM lote_xml"
   "  WHERE lote_id = (SELECT min(id) FROM lote);"
   " UPDATE lote SET status = 'enviado' WHERE id = (SELECT max(id) FROM lote);"
   " INSERT INTO lote_evento (lote_id, usuario, de, para)"
   "  SELECT max(id), 't', NULL, 'fechado' FROM lote;"
   " INSERT INTO lote_evento (lote_id, usuario, de, para)"
   "  SELECT max(id), 't', 'fechado', 'enviado' FROM lote"},
  {"lote_eventos_encadeados", 0,
   "DELETE FROM lote_evento WHERE id = (SELECT min(id) FROM lote_evento WHERE de = 'fechado')"},
  {"retorno_guia_do_lote", 0,
   "UPDATE retorno_guia SET lote_id = (SELECT max(l.id) FROM lote l WHERE l.id <> "
   "retorno_guia.lote_id) WHERE id = (SELECT min(id) FROM retorno_guia WHERE guia_id IS NOT "
   "NULL AND lote_id IS NOT NULL)"},
  {"glosa_item_da_guia", 0,
   "UPDATE glosa SET item_id = (SELECT min(i.id) FROM item i WHERE i.guia_id <> glosa.guia_id"
   " AND coalesce(i.valor_total, 0) >= glosa.valor"
   " AND NOT EXISTS (SELECT 1 FROM glosa g2 WHERE g2.item_id = i.id))"
   " WHERE id = (SELECT max(id) FROM glosa WHERE item_id IS NOT NULL)"},
  {"glosa_de_lote_enviado", 0,
   "INSERT INTO glosa (guia_id, codigo, valor, origem) SELECT min(id), '1001', 1, 'manual'"
   " FROM guia WHERE lote_id IS NULL AND valor_total > 0"},
  {"glosado_ate_informado", 0,
   "UPDATE glosa SET valor = (SELECT coalesce(valor_total, 0) + 1 FROM item WHERE id ="
   " glosa.item_id) WHERE id = (SELECT max(id) FROM glosa WHERE item_id IS NOT NULL AND"
   " situacao = 'aberta')"},
  {"recurso_totais", 0,
   "UPDATE recurso SET valor_recursado = valor_recursado + 1 WHERE id = 1"},
  {"recurso_estado_itens", 0,
   "UPDATE recurso SET resultado = 'deferido' WHERE status = 'rascunho'"},
  {"recurso_estado_itens", 0,
   "UPDATE recurso SET status = 'enviado' WHERE status = 'respondido'"},
  {"glosa_situacao_recurso", 0,
   "UPDATE glosa SET situacao = 'aberta' WHERE situacao = 'em_recurso'"},
  {"glosa_situacao_recurso", 0,
   "UPDATE glosa SET valor_recuperado = valor_recuperado + 1 WHERE situacao IN "
   "('recuperada', 'recuperada_parcial')"},
  {"glosa_situacao_recurso", 0,
   "UPDATE glosa SET situacao = 'aberta' WHERE situacao IN ('recuperada', "
   "'recuperada_parcial')"},
  /* Part G: financeiro, through its checks (fat_fin_check.h) */
  {"recebido_ate_liberado", 0,
   "INSERT INTO recebimento (operadora_id, origem, data, valor, valor_bruto)"
   " VALUES (1, 'manual', '2026-06-20', 100000000, 100000000);"
   " INSERT INTO recebimento_guia VALUES (last_insert_rowid(), " GUIA_A_RECEBER
   ", 100000000)"},
  {"credito_uma_vez", 0,
   "INSERT INTO conta_bancaria (banco, agencia, conta) VALUES ('999', '0001', '0000001');"
   " INSERT INTO extrato (conta_id, formato, sha256, inicio, fim, linhas)"
   "  VALUES (last_insert_rowid(), 'ofx', 'verificar', '2026-06-01', '2026-06-30', 1);"
   " INSERT INTO extrato_linha (extrato_id, linha, chave, data, valor, situacao)"
   "  VALUES (last_insert_rowid(), 1, 'verificar-1', '2026-06-20', 1000, 'conciliada')"},
  {"rateio_recebimento", 0,
   "INSERT INTO recebimento (operadora_id, origem, data, valor, valor_bruto)"
   " VALUES (1, 'manual', '2026-06-20', 1, 2);"
   " INSERT INTO recebimento_guia VALUES (last_insert_rowid(), " GUIA_A_RECEBER ", 1)"},
  {"repasse_soma_base", 0,
   "INSERT INTO recebimento (operadora_id, origem, data, valor, valor_bruto)"
   " VALUES (1, 'manual', '2026-06-20', 1, 1);"
   " INSERT INTO recebimento_guia VALUES (last_insert_rowid(), " GUIA_A_RECEBER ", 1);"
   " INSERT INTO repasse (periodo, calculado_em) VALUES ('2026-06', '2026-07-01T00:00:00Z')"},
};

/* Each tampering breaks exactly its invariant, and verificar names it. */
static void test_each_invariant_caught_alone(void **state)
{
  size_t i, k;

  (void)state;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    fat_store *st = open_copy();
    fat_verif_relatorio rel;
    fat_err err;

    if (strstr(cases[i].sql, "CAST(xml AS TEXT)") != NULL)
      xml_sem_compressao(st);
    if (cases[i].triggers_off)
      exec_without_triggers(st, cases[i].sql);
    else
      exec_ok(st, cases[i].sql);
    assert_int_equal(fat_verificar(st, NULL, &rel, &err), FAT_OK);
    if (violations_of(&rel, cases[i].check) == 0 || rel.violacoes != violations_of(&rel, cases[i].check)) {
      print_message("caso %zu (%s): %s\n", i, cases[i].check, cases[i].sql);
      print_report(&rel);
    }
    assert_true(violations_of(&rel, cases[i].check) > 0);
    assert_int_equal(rel.violacoes, violations_of(&rel, cases[i].check));
    for (k = 0; k < rel.n; k++)
      if (rel.r[k].n > 0) {
        assert_non_null(rel.r[k].v[0].objeto);
        assert_true(strlen(rel.r[k].v[0].detalhe) > 10); /* a sentence, not a key */
        assert_null(strchr(rel.r[k].v[0].detalhe, '{')); /* markers expanded */
      }
    fat_verif_relatorio_fini(&rel);
    fat_store_close(st);
  }
}

/* The table: unique names, a sentence each, SQL or C (not both), and a case
** above for every entry (a later part adding a check adds its case). */
static void test_every_check_has_a_case(void **state)
{
  size_t n, i, j, k;
  const fat_verif_check *c = fat_verif_checks(&n);
  int found;

  (void)state;
  assert_true(n >= 20);
  for (i = 0; i < n; i++) {
    assert_true((c[i].sql != NULL) != (c[i].fn != NULL));
    assert_true(strlen(c[i].descricao) > 20);
    for (j = i + 1; j < n; j++)
      assert_string_not_equal(c[i].nome, c[j].nome);
    found = 0;
    for (k = 0; k < sizeof cases / sizeof cases[0]; k++)
      found = found || strcmp(cases[k].check, c[i].nome) == 0;
    if (!found)
      fail_msg("a invariante %s não tem caso em test_verificar.c", c[i].nome);
  }
}

/* Some checks by name; an unknown name is refused; the count goes on past
** the violations kept; the JSON form. */
static void test_names_cap_and_json(void **state)
{
  static const char *const some[] = {"auditoria_continua", "lote_total_guias", NULL};
  static const char *const bad[] = {"nao_existe", NULL};
  fat_store *st = open_copy();
  fat_verif_relatorio rel;
  fat_err err;
  cJSON *j, *inv;

  (void)state;
  /* 300 holes in the audit trail (one before each new row) */
  exec_ok(st, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300)"
              " INSERT INTO auditoria (id, usuario, acao) SELECT 100000 + 2 * x, 't', 'x' FROM c");
  assert_int_equal(fat_verificar(st, some, &rel, &err), FAT_OK);
  assert_int_equal(rel.n, 2);
  assert_string_equal(rel.r[0].check->nome, "auditoria_continua");
  assert_int_equal(rel.r[0].total, 300);
  assert_int_equal(rel.r[0].n, FAT_VERIF_MAX_POR_CHECK);
  assert_int_equal(rel.r[1].total, 0);
  assert_int_equal(rel.violacoes, 300);
  j = fat_verif_relatorio_json(&rel);
  assert_non_null(j);
  assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(j, "ok")));
  inv = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "invariantes"), 0);
  assert_string_equal(cJSON_GetObjectItemCaseSensitive(inv, "nome")->valuestring,
                      "auditoria_continua");
  assert_int_equal(cJSON_GetObjectItemCaseSensitive(inv, "total")->valueint, 300);
  assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(inv, "violacoes")),
                   FAT_VERIF_MAX_POR_CHECK);
  assert_string_equal(cJSON_GetObjectItemCaseSensitive(
                          cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(inv, "violacoes"), 0),
                          "objeto")->valuestring,
                      "auditoria");
  cJSON_Delete(j);
  fat_verif_relatorio_fini(&rel);

  assert_int_equal(fat_verificar(st, bad, &rel, &err), FAT_EINVAL);
  assert_non_null(strstr(err.msg, "nao_existe"));
  fat_verif_relatorio_fini(&rel);
  fat_store_close(st);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_every_check_has_a_case),
    cmocka_unit_test(test_cycle_keeps_every_invariant),
    cmocka_unit_test(test_each_invariant_caught_alone),
    cmocka_unit_test(test_names_cap_and_json),
  };
  return cmocka_run_group_tests(tests, build_base, drop_base);
}
