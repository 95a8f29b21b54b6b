/* test_dlib.c: libraries loaded on first use (fat_dlib.h): libxlsxwriter and
** libmicrohttpd are not bound at process start, and a missing library or
** function is a clear error, not a crash. */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <xlsxwriter.h>

#include "fat_dlib.h"
#include "fat_xlsx.h"

static int loaded(const char *soname)
{
  void *h = dlopen(soname, RTLD_NOW | RTLD_NOLOAD);

  if (h == NULL)
    return 0;
  dlclose(h); /* only the reference RTLD_NOLOAD took */
  return 1;
}

/* Nothing of faturo names libmicrohttpd or libxlsxwriter any more: this
** test program (linked like faturo) starts without them; the first
** workbook loads libxlsxwriter, and writes a real file through it. */
static void test_xlsx_loads_its_library_on_the_first_workbook(void **state)
{
  char path[] = "/tmp/fat_test_dlib_XXXXXX";
  fat_xlsx *x = NULL;
  fat_err err;
  int fd;
  long n;
  FILE *f;

  (void)state;
  assert_false(loaded("libmicrohttpd.so.12"));
  assert_false(loaded("libxlsxwriter.so." LXW_SOVERSION));
  fd = mkstemp(path);
  assert_true(fd >= 0);
  close(fd);
  fat_err_clear(&err);
  assert_int_equal(fat_xlsx_abrir(path, &x, &err), FAT_OK);
  assert_true(loaded("libxlsxwriter.so." LXW_SOVERSION));
  assert_int_equal(fat_xlsx_planilha(x, "teste", &err), FAT_OK);
  fat_xlsx_texto(x, 0, 0, "guia");
  fat_xlsx_dinheiro(x, 0, 1, 12345);
  assert_int_equal(fat_xlsx_fechar(x, &err), FAT_OK);
  f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fclose(f);
  assert_true(n > 1000); /* a zip with the workbook's parts */
  unlink(path);
}

static void test_missing_library_is_a_clear_error(void **state)
{
  void (*fn)(void) = NULL;
  const fat_dlib_fn fns[] = {{"qualquer", &fn}};
  fat_err err;

  (void)state;
  fat_err_clear(&err);
  assert_int_equal(fat_dlib_load("libfaturo_nao_existe.so.9", "teste", fns, 1, &err), FAT_EIO);
  assert_non_null(strstr(err.msg, "libfaturo_nao_existe.so.9"));
  assert_non_null(strstr(err.msg, "não foi possível carregar"));
  assert_null(fn);
}

static void test_missing_function_is_a_clear_error(void **state)
{
  size_t (*len)(const char *) = NULL;
  int (*nada)(void) = NULL;
  const fat_dlib_fn fns[] = {{"strlen", &len}, {"fat_funcao_que_nao_existe", &nada}};
  fat_err err;

  (void)state;
  fat_err_clear(&err);
  assert_int_equal(fat_dlib_load("libc.so.6", "teste", fns, 2, &err), FAT_EIO);
  assert_non_null(strstr(err.msg, "fat_funcao_que_nao_existe"));
  assert_null(nada);
}

static void test_functions_are_callable(void **state)
{
  size_t (*len)(const char *) = NULL;
  const fat_dlib_fn fns[] = {{"strlen", &len}};
  fat_err err;

  (void)state;
  fat_err_clear(&err);
  assert_int_equal(fat_dlib_load("libc.so.6", "teste", fns, 1, &err), FAT_OK);
  assert_non_null(len);
  assert_int_equal(len("faturo"), 6);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_xlsx_loads_its_library_on_the_first_workbook),
    cmocka_unit_test(test_missing_library_is_a_clear_error),
    cmocka_unit_test(test_missing_function_is_a_clear_error),
    cmocka_unit_test(test_functions_are_callable),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
