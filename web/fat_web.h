/* fat_web.h: the HTTP server of the panel and of the JSON API (Part I).
**
** One fat_web is one listening daemon (libmicrohttpd, internal polling thread
** plus a pool of worker threads) with one rules handle. Each worker thread
** opens its own store connection on first use. Routes and their roles are
** documented in docs/api.md; the panel's files are served from static_dir.
*/
#ifndef FAT_WEB_H
#define FAT_WEB_H

#include <stddef.h>

#include "fat_err.h"

typedef struct fat_web fat_web;

typedef struct fat_web_config {
  const char *db_path;     /* required */
  const char *regras_dir;  /* rules folder (operators/, scripts/); required */
  const char *xsd_dir;     /* TISS XSD folder or NULL */
  const char *static_dir;  /* panel files; NULL = <data dir>/web/static (fat_paths.h) */
  const char *endereco;    /* IPv4 address to bind; NULL = "127.0.0.1" */
  unsigned port;           /* 0 = ephemeral (see fat_web_port) */
  unsigned threads;        /* worker pool size; 0 = 4 */
  size_t max_body;         /* JSON request bodies; 0 = 1 MiB */
  size_t max_upload;       /* XML uploads (retornos); 0 = 16 MiB */
  const char *pid_file;    /* held (locked, 0600) by fat_web_wait while serving; NULL = none */
  int quiet;               /* 1 = no access log */
  const char *proxy_confiavel; /* IP of the reverse proxy in front of the server, or NULL.
                              ** Only its X-Forwarded-For (the client address, used by
                              ** the login throttle and the log) and X-Forwarded-Proto
                              ** (https: Secure cookies) are believed. */
  int cookie_seguro;       /* 1 = session cookie always Secure (server behind HTTPS) */
  unsigned conexoes;       /* simultaneous connections; 0 = 256 */
  unsigned conexoes_por_ip;/* per client address; 0 = half of conexoes, or no limit
                              ** behind a trusted proxy (every connection comes from it) */
} fat_web_config;

/* Open the rules, bind and start serving. The config strings are copied.
** *out owned by the caller: fat_web_close(). */
FAT_NODISCARD fat_rc fat_web_open(const fat_web_config *cfg, fat_web **out, fat_err *err);

/* The TCP port actually bound. */
unsigned fat_web_port(const fat_web *w);

/* Serve until SIGTERM or SIGINT; SIGHUP reloads the rules on a thread of
** its own (a failing reload keeps the live rules and is logged; a slow one
** never delays the next signal). Blocks those signals in the calling
** thread, so call it from the main thread before starting other threads.
** Takes cfg->pid_file (fat_pidfile_acquire: FAT_ESTATE when another server
** holds it) on entry and removes it on return. */
FAT_NODISCARD fat_rc fat_web_wait(fat_web *w, fat_err *err);

/* Reload the rules now, on the calling thread (fat_rules_reload). */
FAT_NODISCARD fat_rc fat_web_reload(fat_web *w, fat_err *err);

/* Stop accepting, finish the requests in flight, close everything. NULL ok. */
void fat_web_close(fat_web *w);

#endif
