/* fat_tiss_erro.h: libxml2's errors in pt-BR.
**
** libxml2 reports in English ("Opening and ending tag mismatch", "This
** element is not expected. Expected is ( ... )", "[facet 'maxLength'] ...").
** Users never read that text: every TISS reader, parser and validator
** message goes through here and says, in Portuguese, what is wrong, naming
** the element (its local name, no namespace) and the value when the error
** has one. The line and the file are added by the caller. A libxml2 error
** this module does not know becomes a generic pt-BR sentence with libxml2's
** error code, never its English text.
*/
#ifndef FAT_TISS_ERRO_H
#define FAT_TISS_ERRO_H

#include <stddef.h>

#include <libxml/xmlerror.h>

/* The pt-BR text of a well-formedness (parser) error into out. */
void fat_tiss_erro_sintaxe(const xmlError *e, char *out, size_t len);

/* The pt-BR text of an XSD validation error into out (without the element's
** name, which the caller has; *elemento gets the local name libxml2 named in
** the message, or "" when none). */
void fat_tiss_erro_xsd(const xmlError *e, char *out, size_t len, char *elemento,
                       size_t elen);

#endif
