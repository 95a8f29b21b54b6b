/* fat_dlib.c: libraries loaded on first use (see fat_dlib.h). */
#include "fat_dlib.h"

#include <dlfcn.h>
#include <string.h>

fat_rc fat_dlib_load(const char *soname, const char *what, const fat_dlib_fn *fns, size_t n,
                     fat_err *err)
{
  void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  const char *why;
  size_t i;

  if (h == NULL) {
    why = dlerror();
    return fat_err_set(err, FAT_EIO,
                       "não foi possível carregar a biblioteca %s (%s): %s; confira a "
                       "instalação (tools/install-deps.sh)",
                       soname, what, why != NULL ? why : "?");
  }
  for (i = 0; i < n; i++) {
    void *p;

    (void)dlerror();
    p = dlsym(h, fns[i].name);
    if (p == NULL) {
      fat_rc rc;

      why = dlerror(); /* dlclose frees this text: the message is made first */
      rc = fat_err_set(err, FAT_EIO,
                       "a biblioteca %s (%s) não tem a função %s: %s; confira a "
                       "instalação (tools/install-deps.sh)",
                       soname, what, fns[i].name, why != NULL ? why : "?");
      dlclose(h);
      return rc;
    }
    /* POSIX: a data pointer from dlsym converts to a function pointer of
    ** the same size; the slot is such a pointer */
    memcpy(fns[i].slot, &p, sizeof p);
  }
  return FAT_OK;
}
