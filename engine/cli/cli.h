/* cli.h: what every `faturo <verbo>` implementation shares.
**
** Global options are taken out of argv by main() wherever they appear:
**   --db CAMINHO (or FATURO_DB; default ./faturo.db), --json,
**   --regras DIR (or FATURO_REGRAS), --xsd DIR (or FATURO_XSD_DIR),
**   --usuario NOME (recorded in the audit log; default $USER or "cli").
** A verb gets argv[0] = its own name and parses the rest itself (getopt_long).
** Exit status: 0 ok, 1 findings/refusal/error, 2 usage, 3 store busy
** (another process holds the database; nothing was changed: try again).
*/
#ifndef FAT_CLI_H
#define FAT_CLI_H

#include <getopt.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_acesso_log.h"
#include "fat_dia.h"
#include "fat_err.h"
#include "fat_mem.h"
#include "fat_store.h"

#define CLI_OK 0
#define CLI_FAIL 1
#define CLI_USAGE 2
#define CLI_OCUPADO 3 /* FAT_EBUSY: another process holds the database: try again */

typedef struct fat_cli {
  const char *db_path;
  const char *regras_dir;   /* folder holding operators/ and scripts/ */
  const char *xsd_dir;      /* NULL = validation skipped (say so) */
  const char *usuario;
  int usuario_informado;    /* 1: --usuario was given (not $USER) */
  int json;
  fat_store *st;            /* opened lazily by cli_store() */
} fat_cli;

typedef int (*fat_cli_fn)(fat_cli *cli, int argc, char **argv);

typedef struct fat_cli_verb {
  const char *name;         /* "importar", "regras", ... */
  const char *summary;      /* one pt-BR line for `faturo --help` */
  fat_cli_fn fn;
} fat_cli_verb;

/* Open (once) the existing store at cli->db_path; prints the error and
** returns NULL (a missing file is refused: see cli_store_create). */
fat_store *cli_store(fat_cli *cli);
/* The same, creating the database when it does not exist: only `init` and
** `demo` call this. */
fat_store *cli_store_create(fat_cli *cli);

/* The reader behind this run (for masking and the access log): user
** cli->usuario with the role of the panel user of that name (a deactivated
** one reads as a faturista), or, when there is none, the machine's operator
** (fat_leitor.operador); canal "cli", acao the verb ("guia mostrar"). Opens
** the store; NULL after printing the error. l is filled and returned. */
fat_leitor *cli_leitor(fat_cli *cli, const char *acao, fat_leitor *l);

/* Print "faturo: <msg>" to stderr and return CLI_FAIL, or CLI_OCUPADO for
** FAT_EBUSY (and then the process exits with CLI_OCUPADO whatever the verb
** returns). */
int cli_error(const fat_err *err);
/* Say "memória insuficiente" like cli_error and return CLI_FAIL. */
int cli_error_oom(void);
int cli_usage_error(const char *verb, const char *fmt, ...) FAT_PRINTF(2, 3);

/* Print o as one line of compact JSON on stdout (o is not consumed).
** CLI_OK, or CLI_FAIL after cli_error_oom(). */
int cli_print_json(const cJSON *o);
/* The same, consuming o (NULL is reported as out of memory). */
int cli_emit_json(cJSON *o);

/* Members of an engine's JSON answer, for printing: the string at k (or
** `ausente` when k is missing or not a string), the number at k (0 when
** missing) as a double or as an integer. */
const char *cli_jstr(const cJSON *o, const char *k, const char *ausente);
double cli_jnum(const cJSON *o, const char *k);
int64_t cli_jint(const cJSON *o, const char *k);

/* For the `default:` branch after getopt_long (main sets opterr = 0): say in
** pt-BR which option was refused, naming it ("opção desconhecida '--x'", "a
** opção --operadora precisa de um valor"), and return CLI_USAGE. opts is the
** table given to getopt_long. */
int cli_bad_option(const char *verb, char **argv, const struct option *opts);

/* For verbs that read their arguments by hand (no getopt): the first of
** argv[1..argc) that looks like an option ("-x", "--x") and is not in
** aceitas (a NULL-terminated list; NULL for none) is refused in pt-BR
** ("opção desconhecida '--x'") and CLI_USAGE returned; CLI_OK otherwise.
** Stray options must never be read as a file, an operadora or a number. */
int cli_sem_opcoes(const char *verb, int argc, char **argv, const char *const *aceitas);

/* True when argv holds -h or --help (verbs print their help and return 0). */
int cli_wants_help(int argc, char **argv);

/* A date option as users type it (DD/MM/AAAA or AAAA-MM-DD): when *arg is
** not NULL, check it and point *arg at its stored form AAAA-MM-DD written in
** iso. CLI_OK, or CLI_USAGE after a usage error naming the option and what
** is wrong with the value. */
int cli_arg_data(const char *verb, const char *opcao, const char **arg,
                 char iso[FAT_DIA_ISO_LEN]);
/* In place, for an argument the verb keeps (optarg): when s is a date as
** users type it, rewrite it as AAAA-MM-DD (both forms have 10 characters,
** blanks around are dropped) and return 0; else -1, s untouched. The same
** for a competência (MM/AAAA or AAAA-MM -> AAAA-MM). */
int cli_norm_data(char *s);
int cli_norm_competencia(char *s);
/* The same for a competência (MM/AAAA or AAAA-MM -> AAAA-MM). */
int cli_arg_competencia(const char *verb, const char *opcao, const char **arg,
                        char iso[FAT_DIA_COMP_LEN]);

/* Threads for a verb that evaluates guias on several (conferir, demo):
** $FAT_THREADS when it is 1..16, else the number of cores (at most 16). */
int cli_threads_padrao(void);
/* 1..16 from text, else 0. */
int cli_threads_parse(const char *s);

/* Verbs (one file per verb in engine/cli/). */
int cli_init(fat_cli *cli, int argc, char **argv);
int cli_importar(fat_cli *cli, int argc, char **argv);
int cli_exportar(fat_cli *cli, int argc, char **argv);
int cli_guia(fat_cli *cli, int argc, char **argv);
/* Part L: `guia anexar|anexos|anexo` (cmd_guia_anexo.c); argv as cli_guia's */
int cli_guia_anexo(fat_cli *cli, int argc, char **argv);
int cli_guia_anexo_sub(const char *sub); /* 1 = one of its subcommands */
void cli_guia_anexo_ajuda(void);        /* its part of `guia --help` */
/* Part L: `guia papel|imprimir` and `lote papel|imprimir` (cmd_papel.c);
** argv as cli_guia's / as lote's with argv[0] = the action */
int cli_guia_papel(fat_cli *cli, int argc, char **argv);
int cli_guia_papel_sub(const char *sub);
void cli_papel_ajuda_guia(void);
int cli_lote_papel(fat_cli *cli, int argc, char **argv);
int cli_lote_papel_sub(const char *sub);
void cli_papel_ajuda_lote(void);
int cli_demo(fat_cli *cli, int argc, char **argv);
int cli_cadastro(fat_cli *cli, int argc, char **argv);
/* Part B: regras */
int cli_regras(fat_cli *cli, int argc, char **argv);
/* Part C: conferir */
int cli_conferir(fat_cli *cli, int argc, char **argv);
int cli_achado(fat_cli *cli, int argc, char **argv);
int cli_auditoria(fat_cli *cli, int argc, char **argv);
int cli_auditoria_acessos(fat_cli *cli, int argc, char **argv); /* routed by `auditoria acessos` */
/* Part E: lotes */
int cli_lote(fat_cli *cli, int argc, char **argv);
/* Part D: preços e tabelas */
int cli_tabelas(fat_cli *cli, int argc, char **argv);
int cli_preco(fat_cli *cli, int argc, char **argv);
/* Part F: retorno, glosas, recursos */
int cli_retorno(fat_cli *cli, int argc, char **argv);
int cli_glosa(fat_cli *cli, int argc, char **argv);
int cli_recurso(fat_cli *cli, int argc, char **argv);
int cli_regras_simular(fat_cli *cli, int argc, char **argv); /* routed by `regras simular` */
/* Part J: verificar */
int cli_verificar(fat_cli *cli, int argc, char **argv);
/* Part I: servidor e usuários */
int cli_servidor(fat_cli *cli, int argc, char **argv);
int cli_usuario(fat_cli *cli, int argc, char **argv);
/* Part G: financeiro */
int cli_fatura(fat_cli *cli, int argc, char **argv);
int cli_recebimento(fat_cli *cli, int argc, char **argv);
int cli_conciliacao(fat_cli *cli, int argc, char **argv);
int cli_particular(fat_cli *cli, int argc, char **argv);
int cli_caixa(fat_cli *cli, int argc, char **argv);
int cli_repasse(fat_cli *cli, int argc, char **argv);
/* Part N: LGPD (titular) and backups */
int cli_titular(fat_cli *cli, int argc, char **argv);
int cli_backup(fat_cli *cli, int argc, char **argv);
int cli_restaurar(fat_cli *cli, int argc, char **argv);
/* Part K: relatórios (o que o painel mostra) */
int cli_relatorio(fat_cli *cli, int argc, char **argv);
/* Part H: relatórios gerenciais (cli_rel.c prints and exports the report
** documents of fat_rel.h) */
int cli_relatorio_gerencial(fat_cli *cli, const char *acao, int argc, char **argv);
int cli_relatorio_gerencial_acao(const char *acao); /* 1 = one of its actions */
void cli_relatorio_gerencial_ajuda(void);           /* its part of `relatorio --help` */
/* Print a report document's tables aligned on stdout. */
void cli_rel_imprimir(const cJSON *rel);
/* One table of a report document printed aligned in parts, for a table
** whose lines come in pages (fat_rel_achados_cada): cli_rel_tab_inicio
** reads the columns of tab (t borrows its strings: keep tab alive) and sets
** the widths of the headers; cli_rel_tab_mede widens them by the lines of
** tab (a page of the same table) and, with total, by its total row;
** cli_rel_tab_imprime prints the parts partes asks for: CLI_REL_CABECALHO
** the title and the header (or "(nenhuma linha)" when the pages measured no
** line), CLI_REL_LINHAS tab's lines, CLI_REL_TOTAL the total row and the
** blank line. Measuring every page before printing gives the bytes of
** cli_rel_imprimir. */
#define CLI_REL_MAXC 32
#define CLI_REL_CABECALHO 1
#define CLI_REL_LINHAS 2
#define CLI_REL_TOTAL 4
typedef struct cli_rel_tab {
  const char *chaves[CLI_REL_MAXC], *tipos[CLI_REL_MAXC], *rotulos[CLI_REL_MAXC];
  size_t w[CLI_REL_MAXC]; /* display width of each column */
  size_t n;               /* columns */
  size_t linhas;          /* lines measured */
} cli_rel_tab;
void cli_rel_tab_inicio(cli_rel_tab *t, const cJSON *tab);
void cli_rel_tab_mede(cli_rel_tab *t, const cJSON *tab, int partes);
void cli_rel_tab_imprime(const cli_rel_tab *t, const cJSON *tab, int partes);
/* Keep only table `nome` of rel; 0 when it has no such table. */
int cli_rel_so_tabela(cJSON *rel, const char *nome);
/* Write rel as CSV (csv: a path, "-" = stdout) and/or XLSX (a path); with
** neither, print it (or its JSON with --json). Consumes rel. */
int cli_rel_saida(fat_cli *cli, cJSON *rel, const char *csv, const char *xlsx);
/* A CSV export written as it is produced: escreve(ctx, w, u, err) hands its
** text to w (a fat_escrita); csv is a path (written beside it and renamed
** when complete, fat_file_out; then "CSV gravado em ..." unless --json) or
** "-" for stdout. CLI_OK, or the error printed and CLI_FAIL. */
typedef fat_rc (*cli_csv_fn)(void *ctx, fat_escrita w, void *u, fat_err *err);
int cli_csv_saida(fat_cli *cli, const char *csv, cli_csv_fn escreve, void *ctx);

#endif
