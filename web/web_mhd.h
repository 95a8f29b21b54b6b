/* web_mhd.h: libmicrohttpd, loaded when the panel starts (fat_dlib.h).
**
** Only `faturo servidor` (and the tests of the panel) use libmicrohttpd,
** which pulls GnuTLS and its libraries with it; binding them at every
** process start cost every verb of faturo ~3 ms of CPU. web_server.c calls
** the library through this table, filled by web_mhd_load. */
#ifndef WEB_MHD_H
#define WEB_MHD_H

#include <microhttpd.h>

#include "fat_err.h"

typedef struct web_mhd_fns {
  struct MHD_Daemon *(*start_daemon)(unsigned int, uint16_t, MHD_AcceptPolicyCallback, void *,
                                     MHD_AccessHandlerCallback, void *, ...);
  void (*stop_daemon)(struct MHD_Daemon *);
  const union MHD_DaemonInfo *(*get_daemon_info)(struct MHD_Daemon *, enum MHD_DaemonInfoType, ...);
  const union MHD_ConnectionInfo *(*get_connection_info)(struct MHD_Connection *,
                                                         enum MHD_ConnectionInfoType, ...);
  const char *(*lookup_connection_value)(struct MHD_Connection *, enum MHD_ValueKind, const char *);
  enum MHD_Result (*queue_response)(struct MHD_Connection *, unsigned int, struct MHD_Response *);
  struct MHD_Response *(*create_response_from_buffer)(size_t, void *, enum MHD_ResponseMemoryMode);
  struct MHD_Response *(*create_response_from_buffer_with_free_callback)(
    size_t, void *, MHD_ContentReaderFreeCallback);
  struct MHD_Response *(*create_response_from_fd)(size_t, int);
  void (*destroy_response)(struct MHD_Response *);
  enum MHD_Result (*add_response_header)(struct MHD_Response *, const char *, const char *);
} web_mhd_fns;

/* Filled by a successful web_mhd_load. */
extern web_mhd_fns web_mhd;

/* Load libmicrohttpd once per process (thread-safe); FAT_OK when the table
** is ready, else err says what is missing. */
FAT_NODISCARD fat_rc web_mhd_load(fat_err *err);

#endif
