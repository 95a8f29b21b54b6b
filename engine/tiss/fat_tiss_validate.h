/* fat_tiss_validate.h: XSD validation of TISS messages (Part E).
**
** The official schema set lives outside the repository; callers pass its
** folder (cli->xsd_dir: --xsd DIR or FATURO_XSD_DIR). The schema
** (DIR/tissV4_01_00.xsd, which includes the rest) is parsed once per process
** and folder and cached; validation itself is thread-safe (one validation
** context per call over the shared, read-only schema).
*/
#ifndef FAT_TISS_VALIDATE_H
#define FAT_TISS_VALIDATE_H

#include <stddef.h>

#include "fat_err.h"

#define FAT_TISS_XSD_MAIN "tissV4_01_00.xsd"
#define FAT_TISS_MAX_ERRORS 50 /* errors kept per document; the count goes on */

typedef struct fat_tiss_xsd_error {
  int linha;        /* line in the document (0 when unknown) */
  char *elemento;   /* local name of the element concerned (may be NULL) */
  char *mensagem;   /* libxml2's message in pt-BR (fat_tiss_erro_xsd) */
} fat_tiss_xsd_error;

typedef struct fat_tiss_xsd_result {
  int valido;                  /* 1 when the document is valid */
  size_t n_erros;              /* total errors seen */
  size_t n_guardados;          /* errors kept in erros (<= FAT_TISS_MAX_ERRORS) */
  fat_tiss_xsd_error *erros;
} fat_tiss_xsd_result;

void fat_tiss_xsd_result_fini(fat_tiss_xsd_result *r);

/* Validate an XML document held in memory (at most FAT_TISS_MAX_BYTES) against
** the schema in xsd_dir. Returns FAT_OK whenever validation ran (valid or
** not: see out->valido); FAT_EIO/FAT_EXML when the schema cannot be loaded,
** FAT_EXML when the document is not well-formed, FAT_ELIMIT when too large. */
FAT_NODISCARD fat_rc fat_tiss_validate_memory(const char *xsd_dir, const char *buf, size_t len,
                                              fat_tiss_xsd_result *out, fat_err *err);

/* Validation fed element by element by a writer, without parsing anything:
** the elements (local names in the TISS namespace) and their text (UTF-8)
** as the writer emits them, in order. fat_tiss_xsd_events_finish says
** whether the schema accepted them (1) or not (0: refused, or the events
** could not be checked), and frees ev. Errors are only counted: for the
** messages validate the written bytes with fat_tiss_validate_memory. */
typedef struct fat_tiss_xsd_events fat_tiss_xsd_events;
FAT_NODISCARD fat_rc fat_tiss_xsd_events_new(const char *xsd_dir, fat_tiss_xsd_events **out,
                                             fat_err *err);
void fat_tiss_xsd_start(fat_tiss_xsd_events *ev, const char *local, int root);
void fat_tiss_xsd_text(fat_tiss_xsd_events *ev, const char *utf8, size_t n);
void fat_tiss_xsd_end(fat_tiss_xsd_events *ev, const char *local);
int fat_tiss_xsd_events_finish(fat_tiss_xsd_events *ev);

/* Load (or reuse) the cached schema of xsd_dir; useful to report a broken
** schema folder before doing any work. */
FAT_NODISCARD fat_rc fat_tiss_schema_load(const char *xsd_dir, fat_err *err);

/* Put the first `max` errors of r into err as one pt-BR message
** ("XML inválido pelo XSD TISS: linha 12, elemento X: ..."). Returns FAT_EXML. */
fat_rc fat_tiss_xsd_result_err(const fat_tiss_xsd_result *r, size_t max, fat_err *err);

#endif
