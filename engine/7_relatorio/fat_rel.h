/* fat_rel.h: the management reports (Part H): produção mensal,
** inadimplência (aging), previsto × realizado, glosas, produtividade,
** fechamento para a contabilidade and the management dashboard, with their
** exports (CSV in the Brazilian convention, XLSX with real cells).
**
** Every report is one JSON document of the same shape, so the CLI, the web
** API, the panel and the exporters handle all of them alike:
**
**   {"relatorio": "producao", "titulo": "Produção mensal",
**    "parametros": {"de": "2025-01", "ate": "2025-03", ...},
**    "tabelas": [{"nome": "mensal", "titulo": "Por operadora e mês",
**                 "colunas": [{"chave": "competencia", "rotulo": "Competência",
**                              "tipo": "mes"}, ...],
**                 "linhas": [{"competencia": "2025-03", ...}, ...],
**                 "total": {...} or null}]}
**
** Column types: "texto"; "inteiro"; "dinheiro" (integer centavos);
** "percentual" (integer basis points: 10000 = 100%, rounded half-up); "dias"
** (integer days); "data" ('AAAA-MM-DD'); "mes" ('AAAA-MM'). A null cell is a
** figure that does not exist (a rate over zero, a delay with no payment).
**
** Each "total" is computed by its own SQL statement over the same rows (not
** by adding the lines up), so the tests can check that the lines sum to it.
** Every figure is defined in docs/relatorios.md; the definitions are the
** same as those of the financeiro (docs/financeiro.md) and glosa modules.
** Reports aggregate in SQL over the months asked for, through indexes; the
** dashboard reads the counters of schemas/060_relatorios.sql. *out is owned
** by the caller (cJSON_Delete).
*/
#ifndef FAT_REL_H
#define FAT_REL_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_err.h"
#include "fat_mem.h"
#include "fat_store.h"

/* Parameters of a report; any member may be NULL (its default applies). */
typedef struct fat_rel_params {
  const char *de;        /* first competência AAAA-MM (produtividade: day AAAA-MM-DD) */
  const char *ate;       /* last competência AAAA-MM (produtividade: day AAAA-MM-DD) */
  const char *mes;       /* fechamento: the month AAAA-MM */
  const char *operadora; /* registro ANS, script key or id; "particular" = particulares */
  const char *detalhe;   /* produção: "operadora" (default), "profissional", "grupo",
                            "unidade" */
  const char *hoje;      /* reference day AAAA-MM-DD (inadimplência, painel); NULL = today */
} fat_rel_params;

/* The report names, for fat_rel_gerar and the API: producao, inadimplencia,
** previsto, glosas, produtividade, fechamento, painel. NULL-terminated. */
extern const char *const fat_rel_nomes[];

/* Build report `nome` (one of fat_rel_nomes) with parameters p (NULL = all
** defaults). Monthly reports default to the 12 competências ending at the
** latest one with production; produtividade to the 8 weeks ending today.
** FAT_EINVAL for an unknown name or a bad parameter (the message names it),
** FAT_EINVAL too for an unknown operadora. Reads only. */
FAT_NODISCARD fat_rc fat_rel_gerar(fat_store *st, const char *nome, const fat_rel_params *p,
                                   cJSON **out, fat_err *err);

/* ------------------------------------------------------------- reports */

/* Produção mensal. Table "mensal": per competência and operadora (and a row
** "Particulares" for particular attendances) {competencia, operadora_id,
** operadora, guias, procedimentos, exames, faturado, glosado, recuperado,
** recebido, taxa_glosa, variacao (faturado against the previous competência
** of the same operadora; null for the first)}. With detalhe: a second table
** "detalhe" per competência and professional / procedure group / unit
** (prestador), item by item for professional and group (see docs), each
** line with its variacao against the same line of the previous month. */
FAT_NODISCARD fat_rc fat_rel_producao(fat_store *st, const fat_rel_params *p, cJSON **out,
                                      fat_err *err);

/* Inadimplência on day p->hoje. Table "aging": per operadora (and
** Particulares) the open receivables by days past the expected payment date
** {a_vencer, ate_30, de_31_a_60, de_61_a_90, acima_de_90, sem_previsao,
** aberto (= the sum of the buckets), excedente}; table "sem_protocolo": lotes
** sent and not protocolados past the operadora's usual time; table
** "sem_demonstrativo": lotes without a demonstrativo past the expected
** payment date. */
FAT_NODISCARD fat_rc fat_rel_inadimplencia(fat_store *st, const fat_rel_params *p, cJSON **out,
                                           fat_err *err);

/* Previsto × realizado. Table "mensal": per month and operadora {previsto
** (lotes expected to be paid that month), realizado (money received that
** month, recovered money aside), diferenca, recebido_dos_previstos,
** atraso_medio (days, weighted by value)}. */
FAT_NODISCARD fat_rc fat_rel_previsto(fat_store *st, const fat_rel_params *p, cJSON **out,
                                      fat_err *err);

/* Glosas. Tables "mensal" (per competência and operadora: faturado, glosado,
** taxa, variacao_taxa (taxa minus the same operadora's taxa in the previous
** competência, in basis points; null without one), devida, indevida, a_classificar, recursado, recuperado,
** taxa_recuperacao, preveniveis, valor_prevenivel), "por_grupo", "por_codigo"
** (with the TUSS description), "por_procedimento", "por_profissional",
** "recursos" (per operadora: recovery rate and average time) and
** "preveniveis" (the glosas a current rule would have caught: glosa.prevista,
** set by the one evaluator when the return was imported). */
FAT_NODISCARD fat_rc fat_rel_glosas(fat_store *st, const fat_rel_params *p, cJSON **out,
                                    fat_err *err);

/* Produtividade per user and week (weeks start on Monday, local time), from
** the audit log: guias digitadas and corrigidas, achados reconhecidos,
** achados resolvidos (by a correction of the guia: credited to whoever
** corrected it), lotes fechados, recursos enviados. */
FAT_NODISCARD fat_rc fat_rel_produtividade(fat_store *st, const fat_rel_params *p, cJSON **out,
                                           fat_err *err);

/* Fechamento for the accountant of month p->mes (required). Tables "resumo"
** (per operadora and Particulares: faturado, glosado, notas_emitidas,
** recebido_bruto, retido, tarifas, recebido_liquido, repasse), "recebimentos",
** "particulares", "notas" and "repasse" (per professional). */
FAT_NODISCARD fat_rc fat_rel_fechamento(fat_store *st, const fat_rel_params *p, cJSON **out,
                                        fat_err *err);

/* The management dashboard on day p->hoje: tables "producao" (per
** competência and operadora over the last 12 competências, from the
** counters), "taxa_glosa" (per competência), "aging" (as
** fat_rel_inadimplencia) and "mapa" (the mapa de faturas of the latest
** competência, fat_fatura_mapa). Costs the same whatever the history. */
FAT_NODISCARD fat_rc fat_rel_painel(fat_store *st, const fat_rel_params *p, cJSON **out,
                                    fat_err *err);

/* ------------------------------------------------------------- exports */

/* A report as CSV: UTF-8 with BOM, ';' between cells, decimal comma, dates
** DD/MM/AAAA, months MM/AAAA, CRLF. Each table: its title, a header row, its
** lines, its total, a blank row. *csv (fat_free) and *len. */
FAT_NODISCARD fat_rc fat_rel_csv(const cJSON *rel, char **csv, size_t *len, fat_err *err);

/* The same CSV handed to w (a fat_escrita of fat_mem.h: a file of
** fat_file_out, the standard output, a web reply) in pieces of ~64 KB as it
** is written, so only the report document is held, never its text too. An
** error of w stops the writer and is returned. */
FAT_NODISCARD fat_rc fat_rel_csv_escrever(const cJSON *rel, fat_escrita w, void *u, fat_err *err);

/* A report as an XLSX workbook at path: one sheet per table, header in bold,
** numbers as number cells (money with an R$ format, percentages with a %
** format, days and counts as integers), dates as date cells. */
FAT_NODISCARD fat_rc fat_rel_xlsx(const cJSON *rel, const char *path, fat_err *err);

/* The same workbook in memory (through a private temporary file that is
** removed): *buf (fat_free) and *len. */
FAT_NODISCARD fat_rc fat_rel_xlsx_mem(const cJSON *rel, char **buf, size_t *len, fat_err *err);

/* A suggested file name for a report: "<relatorio>[-<mes or de_ate>].<ext>"
** in out (>= 64 bytes). */
void fat_rel_nome_arquivo(const cJSON *rel, const char *ext, char *out, size_t len);

/* Write the month's package for the accountant into folder dir (created when
** missing): fechamento-AAAA-MM.xlsx, fechamento-AAAA-MM.csv and
** fechamento-AAAA-MM-resumo.txt (a pt-BR summary with the totals and the
** checks that tie them). *out (may be NULL) gets the report. */
FAT_NODISCARD fat_rc fat_rel_fechamento_pacote(fat_store *st, const char *mes, const char *dir,
                                               cJSON **out, fat_err *err);

/* The pt-BR summary text of a fechamento report (what the package's
** -resumo.txt holds). *txt (fat_free). */
FAT_NODISCARD fat_rc fat_rel_fechamento_resumo(const cJSON *rel, char **txt, fat_err *err);

#endif
