/* fat_fin_int.h: helpers shared by the 6_financeiro modules (engine only). */
#ifndef FAT_FIN_INT_H
#define FAT_FIN_INT_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_mem.h"
#include "fat_store_int.h"

/* Add column i as a string (or null) member k. */
cJSON *fin_add_col(cJSON *o, const char *k, fat_stmt *s, int i);
/* hoje or today's date into out; -1 when hoje is given and invalid. */
int fin_hoje(const char *hoje, char out[11]);
/* The one operator resolver (registro ANS, script key or id) and its script key. */
FAT_NODISCARD fat_rc fin_operadora(fat_store *st, const char *ref, int64_t *id, char *key,
                                   size_t key_len, fat_err *err);
/* A listing filtered by the operadora the user named: resolves operadora
** (NULL: any), binds its id (or null) as ?1 and the n texts as ?2..?n+1,
** and returns every row as a JSON array in *out (what names the listing in
** a database error: "erro ao listar <what>"). */
FAT_NODISCARD fat_rc fin_listar(fat_store *st, const char *sql, const char *operadora,
                                const char *const *txt, int n, const char *what, cJSON **out,
                                fat_err *err);
/* The repasse of periodo ('AAAA-MM'): its id and status ('aberto' or
** 'fechado'). FAT_EINVAL for a period that is not a competência,
** FAT_ENOTFOUND "não há repasse de P (calcule antes)". */
FAT_NODISCARD fat_rc fin_repasse_do_periodo(fat_store *st, const char *periodo, int64_t *id,
                                            char status[16], fat_err *err);
/* Close a user action: commit when rc is FAT_OK, else roll back. */
fat_rc fin_fim(fat_store *st, fat_rc rc, fat_err *err);
/* Days from a to b (AAAA-MM-DD); 0 when either is invalid. */
int fin_dias(const char *a, const char *b);

/* CPF (11 digits) -> '123.456.789-09'; CNPJ (14) -> '12.345.678/0001-90'; else copied. */
void fin_doc_br(const char *doc, char *out, size_t len);

#endif
