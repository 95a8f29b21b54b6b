/* fat_tiss_erro.h: libxml2's error messages in pt-BR.
**
** libxml2 reports in English ("Opening and ending tag mismatch", "Element
** 'x': This element is not expected. Expected is ( y )."). Users read
** pt-BR, so every message that reaches them from the TISS reader, the XSD
** validator or the hash goes through here: the well-formedness errors a file
** hits get a fixed pt-BR phrase by their code, and the schema-validation
** messages have their English phrases replaced while the element names,
** values and patterns libxml2 quotes are kept.
*/
#ifndef FAT_TISS_ERRO_H
#define FAT_TISS_ERRO_H

#include <stddef.h>

/* Write the pt-BR form of a libxml2 error (its `code` and `message`, which
** may be NULL) into buf (always NUL-terminated, trailing newline dropped). */
void fat_tiss_erro_pt(int code, const char *message, char *buf, size_t len);

#endif
