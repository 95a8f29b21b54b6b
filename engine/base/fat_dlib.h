/* fat_dlib.h: libraries loaded on first use (dlopen), not at process start.
**
** Every `faturo` verb is a new process, and the dynamic loader binds every
** library the executable names before main() runs, with the libraries they
** pull in. libxlsxwriter (with OpenSSL's libcrypto and minizip) and
** libmicrohttpd (with GnuTLS, p11-kit, libidn2, libunistring, libtasn1,
** hogweed, gmp, libffi) are used only by spreadsheet exports and by
** `faturo servidor`, yet binding them cost every verb ~3 ms of CPU (Part M,
** docs/desempenho.md, round 11). Those two are loaded here, by the modules
** that use them (fat_xlsx.c, web/web_mhd.c), the first time they are needed.
*/
#ifndef FAT_DLIB_H
#define FAT_DLIB_H

#include <stddef.h>

#include "fat_err.h"

/* One function to look up: its name in the library and the address of the
** function pointer that receives it. */
typedef struct fat_dlib_fn {
  const char *name;
  void *slot;
} fat_dlib_fn;

/* Open soname (kept open for the life of the process) and fill every slot of
** fns[0..n). `what` names the library for the user ("planilhas XLSX"). On
** failure nothing is usable and err says which library or function is
** missing. Not thread-safe by itself: callers serialize with pthread_once. */
FAT_NODISCARD fat_rc fat_dlib_load(const char *soname, const char *what, const fat_dlib_fn *fns,
                                   size_t n, fat_err *err);

#endif
