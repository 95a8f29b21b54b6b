/* web_mhd.c: libmicrohttpd loaded on first use (web_mhd.h). */
#include "web_mhd.h"

#include <pthread.h>

#include "fat_dlib.h"

/* FAT_SONAME_MHD comes from the build (the SONAME of the library found by
** pkg-config); the fallback is the one Debian 12 ships. */
#ifndef FAT_SONAME_MHD
#define FAT_SONAME_MHD "libmicrohttpd.so.12"
#endif

web_mhd_fns web_mhd;

static pthread_once_t mhd_once = PTHREAD_ONCE_INIT;
static fat_err mhd_err;
static fat_rc mhd_rc;

/* An entry of the table: the slot must have the type microhttpd.h declares
** (checked without referencing the function: sizeof does not evaluate its
** operand). */
/* clang-format off */
#define MHD_FN(f) {"MHD_" #f, ((void)sizeof(web_mhd.f = MHD_##f), (void *)&web_mhd.f)}
/* clang-format on */

static void mhd_load(void)
{
  const fat_dlib_fn fns[] = {
    MHD_FN(start_daemon),
    MHD_FN(stop_daemon),
    MHD_FN(get_daemon_info),
    MHD_FN(get_connection_info),
    MHD_FN(lookup_connection_value),
    MHD_FN(queue_response),
    MHD_FN(create_response_from_buffer),
    MHD_FN(create_response_from_buffer_with_free_callback),
    MHD_FN(create_response_from_fd),
    MHD_FN(destroy_response),
    MHD_FN(add_response_header),
  };

  fat_err_clear(&mhd_err);
  mhd_rc = fat_dlib_load(FAT_SONAME_MHD, "servidor web", fns, sizeof fns / sizeof fns[0], &mhd_err);
}

fat_rc web_mhd_load(fat_err *err)
{
  pthread_once(&mhd_once, mhd_load);
  if (mhd_rc != FAT_OK && err != NULL)
    *err = mhd_err;
  return mhd_rc;
}
