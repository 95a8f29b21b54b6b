/* cli_fin.h: what the financial verbs (fatura, recebimento, conciliacao,
** particular, caixa, repasse) share: argument parsers and printers. */
#ifndef FAT_CLI_FIN_H
#define FAT_CLI_FIN_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "fat_rules.h"

/* Positive integer id; 0 on success. */
int cf_id(const char *s, int64_t *out);
/* Money in reais ("1.234,56", "1234.56", "12"): centavos; 0 on success. */
int cf_money(const char *s, int64_t *out);
/* Percentage ("3,49", "3,49%", "40%"): basis points; 0 on success. */
int cf_bp(const char *s, int64_t *out);
/* The active rules generation (NULL with a warning when the rules do not load). */
fat_gen *cf_gen(fat_cli *cli, fat_store *st, fat_rules **rules);
void cf_gen_close(fat_gen *g, fat_rules *r);
/* "R$ 1.234,56" */
const char *cf_brl(int64_t centavos, char buf[40]);
/* 'AAAA-MM-DD' -> 'DD/MM/AAAA' ("-" when absent) */
const char *cf_data(const char *iso, char buf[16]);
/* Print o as JSON (--json) or with print(o); consumes o; CLI_OK. */
int cf_out(fat_cli *cli, cJSON *o, void (*print)(const cJSON *o));
/* Write data to path ("-" = stdout); CLI_OK or the error printed. */
int cf_write(const char *path, const char *data, size_t len);
/* o[k] as money / date text for tables */
const char *cf_jbrl(const cJSON *o, const char *k, char buf[40]);
const char *cf_jdata(const cJSON *o, const char *k, char buf[16]);

#endif
