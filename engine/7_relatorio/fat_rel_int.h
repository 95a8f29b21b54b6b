/* fat_rel_int.h: what the report files of engine/7_relatorio share: building
** the report document of fat_rel.h (tables, columns, lines from SQL,
** derived rates) and reading the common parameters. Engine only. */
#ifndef FAT_REL_INT_H
#define FAT_REL_INT_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_csv.h"
#include "fat_mem.h"
#include "fat_rel.h"
#include "fat_store_int.h"
#include "fat_xlsx.h"

/* Column types (fat_rel.h names them in the document). */
typedef enum {
  REL_TEXTO,
  REL_INTEIRO,
  REL_DINHEIRO,
  REL_PERCENTUAL,
  REL_DIAS,
  REL_DATA,
  REL_MES
} rel_tipo;

typedef struct rel_col {
  const char *chave;  /* key of the cell in each line (the SQL alias) */
  const char *rotulo; /* pt-BR header */
  rel_tipo tipo;
} rel_col;

#define REL_NCOLS(a) (sizeof(a) / sizeof((a)[0]))

/* The pt-BR name of a column type in the document ("dinheiro", ...), and
** back (-1 when unknown). */
const char *rel_tipo_nome(rel_tipo t);
int rel_tipo_de(const char *nome);

/* A new report document {relatorio, titulo, parametros:{}, tabelas:[]};
** NULL on OOM. */
cJSON *rel_novo(const char *relatorio, const char *titulo);

/* Set parametros[k] = v (a string, or null when v is NULL). */
FAT_NODISCARD fat_rc rel_param(cJSON *rel, const char *k, const char *v, fat_err *err);

/* Append a table with its columns and an empty "linhas"; *tab (borrowed,
** owned by rel) receives it. "total" starts as null. */
FAT_NODISCARD fat_rc rel_tabela(cJSON *rel, const char *nome, const char *titulo,
                                const rel_col *cols, size_t n, cJSON **tab, fat_err *err);

/* Append every row of s (bound by the caller) to tab's lines, keyed by the
** column aliases, NULL as null. Resets s. */
FAT_NODISCARD fat_rc rel_linhas(fat_store *st, cJSON *tab, fat_stmt *s, fat_err *err);

/* The first row of s (bound by the caller) becomes tab's total (null when
** there is no row). Resets s. */
FAT_NODISCARD fat_rc rel_total(fat_store *st, cJSON *tab, fat_stmt *s, fat_err *err);

/* A value a report statement binds, in order as ?1, ?2...: a text (REL_TXT,
** NULL binds null) or an integer (REL_NUM). */
typedef struct rel_arg {
  const char *txt;
  int64_t num;
  int is_num;
} rel_arg;
#define REL_TXT(v) {(v), 0, 0}
#define REL_NUM(v) {NULL, (v), 1}

/* Fill tab from two statements bound with the same n args: its lines from
** sql_linhas and its total from sql_total (either may be NULL: skipped). */
FAT_NODISCARD fat_rc rel_consulta(fat_store *st, cJSON *tab, const char *sql_linhas,
                                  const char *sql_total, const rel_arg *args, int n,
                                  fat_err *err);

/* Lines of tab (NULL when absent: cJSON_ArrayForEach copes). */
cJSON *rel_linhas_de(const cJSON *tab);

/* Integer value of o[k] (0 when absent or null); whether it is a number. */
int64_t rel_int(const cJSON *o, const char *k);
int rel_tem(const cJSON *o, const char *k);

/* Replace (or add) o[k] with an integer / null / a string. */
FAT_NODISCARD fat_rc rel_set_int(cJSON *o, const char *k, int64_t v, fat_err *err);
FAT_NODISCARD fat_rc rel_set_null(cJSON *o, const char *k, fat_err *err);
FAT_NODISCARD fat_rc rel_set_str(cJSON *o, const char *k, const char *v, fat_err *err);
/* Remove o[k] when present. */
void rel_del(cJSON *o, const char *k);

/* num * 10000 / den rounded half-up (basis points); 0 when den == 0. */
int64_t rel_bp(int64_t num, int64_t den);

/* For every line of tab and its total: o[k] = o[num] * 10000 / o[den] in
** basis points, or null when o[den] is 0. */
FAT_NODISCARD fat_rc rel_taxa(cJSON *tab, const char *k, const char *num, const char *den,
                              fat_err *err);
/* The same with a fixed denominator (the whole period's figure). */
FAT_NODISCARD fat_rc rel_taxa_fixa(cJSON *tab, const char *k, const char *num, int64_t den,
                                   fat_err *err);
/* o[k] = o[soma] / o[base] rounded half-up (a weighted mean), or null when
** o[base] is 0; then soma and base are removed. Lines and total. */
FAT_NODISCARD fat_rc rel_media(cJSON *tab, const char *k, const char *soma, const char *base,
                               fat_err *err);

/* Month over month in tab, whose lines are ordered by competência: for
** each line, o[k] = the change of o[campo] against the line with the same
** o[grupo] (equal JSON values) in the previous competência. relativa: in
** basis points of the previous figure, null when there is none or it is 0;
** otherwise the difference, null when either figure is missing or null.
** Then the lines before competência de (read only for this) are dropped.
** The total is left alone. */
FAT_NODISCARD fat_rc rel_mes_a_mes(cJSON *tab, const char *k, const char *campo,
                                   const char *grupo, int relativa, const char *de,
                                   fat_err *err);

/* ---- parameters ---- */

/* Months: 'AAAA-MM' plus n months (n may be negative) into out[8]. */
void rel_mes_soma(const char *mes, int n, char out[8]);

/* The period [de, ate] of a monthly report from p: validated, ate defaults
** to the latest competência with production (the counters), else the
** current month; de to 11 months before ate. At most 120 months. */
FAT_NODISCARD fat_rc rel_periodo(fat_store *st, const fat_rel_params *p, char de[8], char ate[8],
                                 fat_err *err);

/* Day bounds of months [de, ate]: first day of de and first day after ate
** (AAAA-MM-DD), for date columns. */
void rel_dias(const char *de, const char *ate, char ini[11], char fim[11]);

/* Operadora filter of p: -1 = all (convênios and particulares), 0 =
** particulares only ("particular"), else the operadora id. FAT_EINVAL for an
** unknown one. */
FAT_NODISCARD fat_rc rel_operadora(fat_store *st, const fat_rel_params *p, int64_t *op,
                                   fat_err *err);

/* The reference day p->hoje (validated) or today, into out[11]. */
FAT_NODISCARD fat_rc rel_hoje(const fat_rel_params *p, char out[11], fat_err *err);

/* SQL: the procedure group label of item alias i (Procedimentos, Exames,
** Materiais e OPME, Medicamentos, Taxas e diárias): one definition for every
** report and the what-if (docs/relatorios.md). */
#define REL_GRUPO_SQL(i)                                                                    \
  "CASE WHEN " i ".tipo IN ('material', 'opme') THEN 'Materiais e OPME'"                  \
  " WHEN " i ".tipo = 'medicamento' THEN 'Medicamentos'"                                   \
  " WHEN " i ".tipo IN ('taxa', 'diaria', 'gas') THEN 'Taxas e diárias'"                   \
  " WHEN " i ".codigo LIKE '4%' THEN 'Exames' ELSE 'Procedimentos' END"

/* The aging table of fat_rel_inadimplencia (also on the dashboard). */
FAT_NODISCARD fat_rc rel_aging_tabela(fat_store *st, cJSON *rel, int64_t op, const char *hoje,
                                      fat_err *err);

/* A report's CSV (fat_rel_csv) written as it is produced, table by table or
** in parts of a table, for a report whose lines come in pages: rel_csv_abrir
** writes the BOM and the report's title row; rel_csv_tabela the parts of
** table tab that partes asks for (REL_CSV_CABECALHO: the blank row, the
** table's title and its header; REL_CSV_LINHAS: its lines; REL_CSV_TOTAL:
** its total row, when it has one); rel_csv_fechar hands the rest to esc
** when ok, and ends c (always call it once after a successful abrir). The
** text goes to esc in pieces of ~64 KB; an error of esc stops the writer
** and is returned. */
#define REL_CSV_CABECALHO 1
#define REL_CSV_LINHAS 2
#define REL_CSV_TOTAL 4
typedef struct rel_csv {
  fat_buf b;       /* what is not yet handed to esc */
  fat_csv w;       /* the CSV writer over b */
  fat_escrita esc; /* where the text goes */
  void *u;
} rel_csv;
FAT_NODISCARD fat_rc rel_csv_abrir(rel_csv *c, const cJSON *rel, fat_escrita esc, void *u,
                                   fat_err *err);
FAT_NODISCARD fat_rc rel_csv_tabela(rel_csv *c, const cJSON *tab, int partes, fat_err *err);
FAT_NODISCARD fat_rc rel_csv_fechar(rel_csv *c, int ok, fat_err *err);

/* A report's table written into a workbook (fat_rel_xlsx) in parts, for a
** report whose lines come in pages: partes as rel_csv_tabela's.
** REL_CSV_CABECALHO adds the table's sheet (named from its title; ordem > 1
** appends " ordem" to a repeated name), its title and header, and sets *lin
** to the first line's row; REL_CSV_LINHAS writes tab's lines from row *lin
** on and advances it; REL_CSV_TOTAL writes the total row at *lin. Rows go
** in order, as a workbook of constant memory (fat_xlsx.h) asks. */
FAT_NODISCARD fat_rc rel_xlsx_tabela(fat_xlsx *x, const cJSON *tab, int ordem, int partes,
                                     int *lin, fat_err *err);

#endif
