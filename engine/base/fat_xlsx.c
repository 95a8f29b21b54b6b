/* fat_xlsx.c: the spreadsheet writer (see fat_xlsx.h). */
#include "fat_xlsx.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xlsxwriter.h>

#include "fat_dlib.h"
#include "fat_mem.h"

/* libxlsxwriter is loaded on the first workbook (fat_dlib.h): every call
** below goes through this table. FAT_SONAME_XLSX comes from the build. */
#ifndef FAT_SONAME_XLSX
#define FAT_SONAME_XLSX "libxlsxwriter.so." LXW_SOVERSION
#endif

static struct {
  lxw_workbook *(*workbook_new_opt)(const char *, lxw_workbook_options *);
  lxw_format *(*workbook_add_format)(lxw_workbook *);
  lxw_worksheet *(*workbook_add_worksheet)(lxw_workbook *, const char *);
  lxw_error (*workbook_close)(lxw_workbook *);
  void (*format_set_bold)(lxw_format *);
  void (*format_set_num_format)(lxw_format *, const char *);
  lxw_error (*worksheet_write_string)(lxw_worksheet *, lxw_row_t, lxw_col_t, const char *,
                                      lxw_format *);
  lxw_error (*worksheet_write_number)(lxw_worksheet *, lxw_row_t, lxw_col_t, double, lxw_format *);
  lxw_error (*worksheet_write_datetime)(lxw_worksheet *, lxw_row_t, lxw_col_t, lxw_datetime *,
                                        lxw_format *);
  lxw_error (*worksheet_set_column)(lxw_worksheet *, lxw_col_t, lxw_col_t, double, lxw_format *);
  char *(*lxw_strerror)(lxw_error);
} lxw;

static pthread_once_t lxw_once = PTHREAD_ONCE_INIT;
static fat_err lxw_err;
static fat_rc lxw_rc;

/* An entry of the table: the slot must have the type the header declares
** (checked without referencing the function: sizeof does not evaluate its
** operand). */
/* clang-format off */
#define LXW_FN(f) {#f, ((void)sizeof(lxw.f = f), (void *)&lxw.f)}
/* clang-format on */

static void lxw_load(void)
{
  const fat_dlib_fn fns[] = {
    LXW_FN(workbook_new_opt),
    LXW_FN(workbook_add_format),
    LXW_FN(workbook_add_worksheet),
    LXW_FN(workbook_close),
    LXW_FN(format_set_bold),
    LXW_FN(format_set_num_format),
    LXW_FN(worksheet_write_string),
    LXW_FN(worksheet_write_number),
    LXW_FN(worksheet_write_datetime),
    LXW_FN(worksheet_set_column),
    LXW_FN(lxw_strerror),
  };

  fat_err_clear(&lxw_err);
  lxw_rc =
    fat_dlib_load(FAT_SONAME_XLSX, "planilhas XLSX", fns, sizeof fns / sizeof fns[0], &lxw_err);
}

struct fat_xlsx {
  lxw_workbook *wb;
  lxw_worksheet *ws;
  lxw_format *f_bold, *f_money, *f_date, *f_month, *f_pct;
  lxw_error erro;          /* first error, sticky */
};

static void nota(fat_xlsx *x, lxw_error e)
{
  if (x->erro == LXW_NO_ERROR && e != LXW_NO_ERROR)
    x->erro = e;
}

fat_rc fat_xlsx_abrir(const char *path, fat_xlsx **out, fat_err *err)
{
  lxw_workbook_options opt;
  const char *tmp = getenv("TMPDIR");
  fat_xlsx *x;

  *out = NULL;
  pthread_once(&lxw_once, lxw_load);
  if (lxw_rc != FAT_OK) {
    *err = lxw_err;
    return lxw_rc;
  }
  x = fat_calloc(1, sizeof *x);
  if (x == NULL)
    return fat_err_oom(err);
  /* constant memory: each row goes to a temporary file once the next row
  ** starts (every writer of faturo writes rows in order), and strings are
  ** written inline instead of into a shared table kept whole */
  memset(&opt, 0, sizeof opt);
  opt.constant_memory = LXW_TRUE;
  opt.tmpdir = tmp != NULL && tmp[0] != '\0' ? (char *)(uintptr_t)tmp : NULL;
  x->wb = lxw.workbook_new_opt(path, &opt);
  if (x->wb == NULL) {
    fat_free(x);
    return fat_err_set(err, FAT_EIO, "não foi possível criar a planilha '%s'", path);
  }
  x->f_bold = lxw.workbook_add_format(x->wb);
  x->f_money = lxw.workbook_add_format(x->wb);
  x->f_date = lxw.workbook_add_format(x->wb);
  x->f_month = lxw.workbook_add_format(x->wb);
  x->f_pct = lxw.workbook_add_format(x->wb);
  if (x->f_bold == NULL || x->f_money == NULL || x->f_date == NULL || x->f_month == NULL ||
      x->f_pct == NULL) {
    lxw.workbook_close(x->wb);
    fat_free(x);
    return fat_err_oom(err);
  }
  lxw.format_set_bold(x->f_bold);
  lxw.format_set_num_format(x->f_money, "\"R$\" #,##0.00");
  lxw.format_set_num_format(x->f_date, "dd/mm/yyyy");
  lxw.format_set_num_format(x->f_month, "mm/yyyy");
  lxw.format_set_num_format(x->f_pct, "0.00%");
  *out = x;
  return FAT_OK;
}

fat_rc fat_xlsx_planilha(fat_xlsx *x, const char *nome, fat_err *err)
{
  x->ws = lxw.workbook_add_worksheet(x->wb, nome);
  if (x->ws == NULL)
    return fat_err_set(err, FAT_EINVAL, "nome de planilha '%s' inválido ou repetido",
                       nome != NULL ? nome : "");
  return FAT_OK;
}

void fat_xlsx_titulo(fat_xlsx *x, int lin, int col, const char *s)
{
  if (x->ws != NULL && s != NULL)
    nota(x, lxw.worksheet_write_string(x->ws, (lxw_row_t)lin, (lxw_col_t)col, s, x->f_bold));
}

void fat_xlsx_texto(fat_xlsx *x, int lin, int col, const char *s)
{
  if (x->ws != NULL && s != NULL && s[0] != '\0')
    nota(x, lxw.worksheet_write_string(x->ws, (lxw_row_t)lin, (lxw_col_t)col, s, NULL));
}

void fat_xlsx_inteiro(fat_xlsx *x, int lin, int col, int64_t v)
{
  if (x->ws != NULL)
    nota(x, lxw.worksheet_write_number(x->ws, (lxw_row_t)lin, (lxw_col_t)col, (double)v, NULL));
}

void fat_xlsx_dinheiro(fat_xlsx *x, int lin, int col, int64_t centavos)
{
  if (x->ws != NULL)
    nota(x, lxw.worksheet_write_number(x->ws, (lxw_row_t)lin, (lxw_col_t)col,
                                       (double)centavos / 100.0, x->f_money));
}

void fat_xlsx_data(fat_xlsx *x, int lin, int col, const char *iso)
{
  lxw_datetime d;

  if (x->ws == NULL || iso == NULL)
    return;
  if (strlen(iso) >= 10 && iso[4] == '-' && iso[7] == '-') {
    memset(&d, 0, sizeof d);
    d.year = (int)strtol(iso, NULL, 10);
    d.month = (uint8_t)strtol(iso + 5, NULL, 10);
    d.day = (uint8_t)strtol(iso + 8, NULL, 10);
    nota(x, lxw.worksheet_write_datetime(x->ws, (lxw_row_t)lin, (lxw_col_t)col, &d, x->f_date));
  } else {
    fat_xlsx_texto(x, lin, col, iso);
  }
}

void fat_xlsx_mes(fat_xlsx *x, int lin, int col, const char *mes)
{
  lxw_datetime d;

  if (x->ws == NULL || mes == NULL)
    return;
  if (strlen(mes) == 7 && mes[4] == '-') {
    memset(&d, 0, sizeof d);
    d.year = (int)strtol(mes, NULL, 10);
    d.month = (uint8_t)strtol(mes + 5, NULL, 10);
    d.day = 1;
    nota(x, lxw.worksheet_write_datetime(x->ws, (lxw_row_t)lin, (lxw_col_t)col, &d, x->f_month));
  } else {
    fat_xlsx_texto(x, lin, col, mes);
  }
}

void fat_xlsx_percentual(fat_xlsx *x, int lin, int col, int64_t bp)
{
  if (x->ws != NULL)
    nota(x, lxw.worksheet_write_number(x->ws, (lxw_row_t)lin, (lxw_col_t)col, (double)bp / 10000.0,
                                       x->f_pct));
}

void fat_xlsx_largura(fat_xlsx *x, int de, int ate, double largura)
{
  if (x->ws != NULL)
    nota(x, lxw.worksheet_set_column(x->ws, (lxw_col_t)de, (lxw_col_t)ate, largura, NULL));
}

fat_rc fat_xlsx_fechar(fat_xlsx *x, fat_err *err)
{
  lxw_error e, antes;

  if (x == NULL)
    return FAT_OK;
  antes = x->erro;
  e = lxw.workbook_close(x->wb);
  fat_free(x);
  if (antes != LXW_NO_ERROR)
    return fat_err_set(err, FAT_EIO, "erro ao montar a planilha: %s", lxw.lxw_strerror(antes));
  if (e != LXW_NO_ERROR)
    return fat_err_set(err, FAT_EIO, "erro ao gravar a planilha: %s", lxw.lxw_strerror(e));
  return FAT_OK;
}
