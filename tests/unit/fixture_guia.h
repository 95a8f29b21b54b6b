/* fixture_guia.h: what the unit tests of conferir, guia editing and papers
** share: the rules folder, the test database's files, and a clean SP/SADT
** guia of the Aurora (registro ANS 312347, prestador CNPJ 11222333000181)
** that passes every built-in check and the Aurora's script on 01/04/2025.
** Test code only (tests/unit, linked into every unit test). */
#ifndef FIXTURE_GUIA_H
#define FIXTURE_GUIA_H

#include <stddef.h>
#include <stdint.h>

#include "fat_model.h"
#include "fat_store.h"

/* $FATURO_REGRAS, or the tree's rules/ when unset or empty. */
const char *fix_regras_dir(void);

/* Remove database db and its -wal and -shm files (missing ones ignored). */
void fix_remove_db(const char *db);

/* fat_strdup for test data (NULL stays NULL). */
char *fix_S(const char *s);

/* Item seq: one of code cod (table tab, kind tipo) at unit centavos,
** quantity 1, fator 1,00, on day data (AAAA-MM-DD). it is overwritten. */
void fix_item(fat_item *it, int seq, const char *tipo, const char *tab, const char *cod,
              int64_t unit, const char *data);

/* A clean SP/SADT guia of the Aurora: número numero, carteira carteira,
** attendance 10/03/2025 with senha S998877 authorized 01/03/2025 and valid
** to 31/03/2025, CID J069, executante Dra. Ana Souza (CRM 123456/SP, CBO
** 225125), signatures and papers present, and two procedures of table 22 on
** 10/03/2025: 40301630 at R$ 15,00 and 40302040 at R$ 5,00 (total R$ 20,00).
** The caller owns it (fat_guia_free). Fails the test when out of memory. */
fat_guia *fix_guia_sadt(const char *numero, const char *carteira);

/* The same guia with n zeroed items for the caller to fill (fix_item) and
** valor_total 0 for the caller to set. */
fat_guia *fix_guia_sadt_itens(const char *numero, const char *carteira, size_t n);

/* fat_guia_save, failing the test with the engine's message; the new id. */
int64_t fix_save(fat_store *st, fat_guia *g);

/* The plan SQLite chose for sql (an "EXPLAIN QUERY PLAN ..." statement): its
** "detail" lines joined by '|' into out (fails the test when it does not
** fit). */
void fix_query_plan(fat_store *st, const char *sql, char *out, size_t len);

#endif
