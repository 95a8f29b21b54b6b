/* cli_rel.c: printing and exporting the report documents of fat_rel.h
** (`faturo relatorio producao ...`, `faturo regras simular --precos`):
** terminal tables aligned by display width (accented text counts one column
** per character), --json, --csv ARQ and --xlsx ARQ. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fat_dia.h"
#include "cli.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_money.h"
#include "fat_rel.h"
#include "fat_text.h"

#define CELULA_MAX 48 /* display columns of a text cell before it is cut */

/* Cut s to at most max display columns (on a character boundary), marking
** the cut with "…". */
static void corta(char *s, size_t max)
{
  unsigned char *p = (unsigned char *)s;
  size_t w = 0;

  if (fat_text_largura(s) <= max)
    return;
  while (*p != '\0') {
    size_t n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : 4;

    if (w + 1 == max) {
      memcpy(p, "\xE2\x80\xA6", 4); /* … and the NUL */
      return;
    }
    w++;
    while (n-- > 0 && *p != '\0')
      p++;
  }
}

static int numerico(const char *tipo)
{
  return strcmp(tipo, "texto") != 0 && strcmp(tipo, "data") != 0 && strcmp(tipo, "mes") != 0;
}

static void celula(const cJSON *v, const char *tipo, char *out, size_t len)
{
  const char *s = cJSON_GetStringValue(v);
  int64_t n = cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;

  if (v == NULL) { /* not a figure of this line (a total's text column) */
    out[0] = '\0';
    return;
  }
  if (cJSON_IsNull(v)) {
    snprintf(out, len, "—");
    return;
  }
  if (strcmp(tipo, "dinheiro") == 0) {
    fat_money_format_br(n, out, len);
  } else if (strcmp(tipo, "percentual") == 0) {
    int64_t a = n < 0 ? -n : n;

    snprintf(out, len, "%s%lld,%02lld%%", n < 0 ? "-" : "", (long long)(a / 100),
             (long long)(a % 100));
  } else if (strcmp(tipo, "data") == 0 && s != NULL && strlen(s) >= 10) {
    snprintf(out, len, "%s", fat_dia_br_ou(s, "").s);
  } else if (strcmp(tipo, "mes") == 0 && s != NULL) {
    snprintf(out, len, "%s", fat_dia_competencia_br_ou(s, "").s);
  } else if (s != NULL) {
    snprintf(out, len, "%s", s);
    corta(out, CELULA_MAX);
  } else if (cJSON_IsNumber(v)) {
    snprintf(out, len, "%lld", (long long)n);
  } else {
    snprintf(out, len, "%s", cJSON_IsTrue(v) ? "sim" : "não");
  }
}

/* s in a column w wide, right-aligned (numbers) or left-aligned; the last
** column gets no trailing blanks. */
static void pad(const char *s, size_t w, int direita, int ultima)
{
  size_t l = fat_text_largura(s), i;

  if (direita)
    for (i = l; i < w; i++)
      putchar(' ');
  fputs(s, stdout);
  if (!direita && !ultima)
    for (i = l; i < w; i++)
      putchar(' ');
}

static void imprime_linha(const cJSON *o, const cli_rel_tab *t, const char *rotulo)
{
  char buf[256];
  size_t i;

  for (i = 0; i < t->n; i++) {
    if (rotulo != NULL && i == 0)
      snprintf(buf, sizeof buf, "%s", rotulo);
    else if (rotulo != NULL && !numerico(t->tipos[i]))
      buf[0] = '\0';
    else
      celula(cJSON_GetObjectItemCaseSensitive(o, t->chaves[i]), t->tipos[i], buf, sizeof buf);
    if (i > 0)
      fputs("  ", stdout);
    pad(buf, t->w[i], numerico(t->tipos[i]), i + 1 == t->n);
  }
  putchar('\n');
}

void cli_rel_tab_inicio(cli_rel_tab *t, const cJSON *tab)
{
  const cJSON *c;

  memset(t, 0, sizeof *t);
  cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(tab, "colunas"))
  {
    if (t->n == CLI_REL_MAXC)
      break;
    t->chaves[t->n] = cli_jstr(c, "chave", "");
    t->tipos[t->n] = cli_jstr(c, "tipo", "texto");
    t->rotulos[t->n] = cli_jstr(c, "rotulo", t->chaves[t->n]);
    t->w[t->n] = fat_text_largura(t->rotulos[t->n]);
    t->n++;
  }
}

void cli_rel_tab_mede(cli_rel_tab *t, const cJSON *tab, int partes)
{
  const cJSON *r, *tot = cJSON_GetObjectItemCaseSensitive(tab, "total");
  const cJSON *linhas = cJSON_GetObjectItemCaseSensitive(tab, "linhas");
  char buf[256];
  size_t i;

  if (!(partes & CLI_REL_LINHAS))
    linhas = NULL;
  cJSON_ArrayForEach(r, linhas)
  {
    for (i = 0; i < t->n; i++) {
      celula(cJSON_GetObjectItemCaseSensitive(r, t->chaves[i]), t->tipos[i], buf, sizeof buf);
      if (fat_text_largura(buf) > t->w[i])
        t->w[i] = fat_text_largura(buf);
    }
    t->linhas++;
  }
  if ((partes & CLI_REL_TOTAL) && cJSON_IsObject(tot))
    for (i = 0; i < t->n; i++) {
      if (i == 0)
        snprintf(buf, sizeof buf, "Total");
      else if (!numerico(t->tipos[i]))
        continue;
      else
        celula(cJSON_GetObjectItemCaseSensitive(tot, t->chaves[i]), t->tipos[i], buf,
               sizeof buf);
      if (fat_text_largura(buf) > t->w[i])
        t->w[i] = fat_text_largura(buf);
    }
}

void cli_rel_tab_imprime(const cli_rel_tab *t, const cJSON *tab, int partes)
{
  const cJSON *r, *tot = cJSON_GetObjectItemCaseSensitive(tab, "total");
  size_t i;

  if (partes & CLI_REL_CABECALHO) {
    printf("%s\n", cli_jstr(tab, "titulo", ""));
    if (t->linhas == 0)
      printf("  (nenhuma linha)\n\n");
    for (i = 0; i < t->n && t->linhas > 0; i++) {
      if (i > 0)
        fputs("  ", stdout);
      pad(t->rotulos[i], t->w[i], numerico(t->tipos[i]), i + 1 == t->n);
    }
    if (t->linhas > 0)
      putchar('\n');
  }
  if (t->linhas == 0)
    return;
  if (partes & CLI_REL_LINHAS)
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(tab, "linhas"))
      imprime_linha(r, t, NULL);
  if (partes & CLI_REL_TOTAL) {
    if (cJSON_IsObject(tot))
      imprime_linha(tot, t, "Total");
    putchar('\n');
  }
}

static void imprime_tabela(const cJSON *tab)
{
  cli_rel_tab t;

  cli_rel_tab_inicio(&t, tab);
  cli_rel_tab_mede(&t, tab, CLI_REL_LINHAS | CLI_REL_TOTAL);
  cli_rel_tab_imprime(&t, tab, CLI_REL_CABECALHO | CLI_REL_LINHAS | CLI_REL_TOTAL);
}

void cli_rel_imprimir(const cJSON *rel)
{
  const cJSON *t;

  printf("%s\n\n", cli_jstr(rel, "titulo", ""));
  cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(rel, "tabelas"))
    imprime_tabela(t);
}

int cli_rel_so_tabela(cJSON *rel, const char *nome)
{
  cJSON *tabs = cJSON_GetObjectItemCaseSensitive(rel, "tabelas"), *t, *next;
  int achou = 0;

  for (t = tabs != NULL ? tabs->child : NULL; t != NULL; t = next) {
    next = t->next;
    if (strcmp(cli_jstr(t, "nome", ""), nome) == 0)
      achou = 1;
    else
      cJSON_Delete(cJSON_DetachItemViaPointer(tabs, t));
  }
  return achou;
}

static fat_rc escreve_stdout(void *u, const char *p, size_t n, fat_err *err)
{
  (void)u;
  if (fwrite(p, 1, n, stdout) != n)
    return fat_err_sys(err, errno, "erro ao escrever o CSV na saída");
  return FAT_OK;
}

int cli_csv_saida(fat_cli *cli, const char *csv, cli_csv_fn escreve, void *ctx)
{
  fat_file_out fo;
  fat_err err;
  fat_rc rc;

  fat_err_clear(&err);
  if (strcmp(csv, "-") == 0) {
    rc = escreve(ctx, escreve_stdout, NULL, &err);
    if (rc == FAT_OK && fflush(stdout) != 0)
      rc = fat_err_sys(&err, errno, "erro ao escrever o CSV na saída");
    return rc == FAT_OK ? CLI_OK : cli_error(&err);
  }
  if (fat_file_out_open(&fo, csv, &err) != FAT_OK)
    return cli_error(&err);
  rc = escreve(ctx, fat_file_out_escrever, &fo, &err);
  if (rc == FAT_OK)
    rc = fat_file_out_commit(&fo, &err); /* ends fo also when it fails */
  else
    fat_file_out_abort(&fo);
  if (rc != FAT_OK)
    return cli_error(&err);
  if (!cli->json)
    printf("CSV gravado em %s\n", csv);
  return CLI_OK;
}

static fat_rc rel_csv_fn(void *ctx, fat_escrita w, void *u, fat_err *err)
{
  return fat_rel_csv_escrever(ctx, w, u, err);
}

int cli_rel_saida(fat_cli *cli, cJSON *rel, const char *csv, const char *xlsx)
{
  fat_err err;
  int rc = CLI_OK;

  fat_err_clear(&err);
  if (csv != NULL)
    rc = cli_csv_saida(cli, csv, rel_csv_fn, rel);
  if (rc == CLI_OK && xlsx != NULL) {
    if (fat_rel_xlsx(rel, xlsx, &err) != FAT_OK)
      rc = cli_error(&err);
    else if (!cli->json)
      printf("planilha gravada em %s\n", xlsx);
  }
  if (rc == CLI_OK && cli->json)
    rc = cli_print_json(rel);
  else if (rc == CLI_OK && csv == NULL && xlsx == NULL)
    cli_rel_imprimir(rel);
  cJSON_Delete(rel);
  return rc;
}
