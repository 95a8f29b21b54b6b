/* fat_text.h: text coming in: files decoded to UTF-8, and the checks every
** text field passes (valid UTF-8, no control characters, a maximum length).
**
** Files from clinic systems are UTF-8 or, from older Windows programs,
** Latin-1/Windows-1252. A file is read as Latin-1 only when it has no UTF-8
** multi-byte sequence at all: a UTF-8 file with one bad byte is refused with
** the line of that byte (re-reading it whole as Latin-1 would garble every
** accent and still "succeed").
*/
#ifndef FAT_TEXT_H
#define FAT_TEXT_H

#include <stddef.h>

#include "fat_err.h"

/* Input text to UTF-8 in a new string (*out, NUL-terminated, length in
** *out_len; free with fat_free). A UTF-8 BOM is dropped. Valid UTF-8 is
** copied; text with bytes >= 0x80 but no UTF-8 sequence is converted from
** Windows-1252/Latin-1 (*converted = 1). FAT_EINVAL naming the line (1-based)
** for a NUL byte ("linha 3: byte nulo (0x00): ...") and for a byte that
** breaks an otherwise UTF-8 text ("linha 7: byte 0xE3 inválido em UTF-8 ...").
** out_len and converted may be NULL. */
FAT_NODISCARD fat_rc fat_text_to_utf8(const char *in, size_t len, char **out, size_t *out_len,
                                      int *converted, fat_err *err);

/* Characters (Unicode code points) of the UTF-8 string s. */
size_t fat_text_chars(const char *s);

/* Check one text field: valid UTF-8, no control character (C0, DEL, C1;
** only when multiline are TAB, LF and CR allowed), at most max characters
** (0 = no limit). Returns 0, or -1 with a pt-BR reason in why ("caractere de
** controle (0x01) não permitido", "texto longo demais (600 caracteres; o
** máximo é 500)"). */
int fat_text_check(const char *s, size_t max, int multiline, char *why, size_t why_len);

/* Display width of UTF-8 text: one column per code point, none for the
** combining marks (U+0300..U+036F) a decomposed accent uses. */
size_t fat_text_largura(const char *s);

/* A column of a plain-text table: the UTF-8 string s cut or padded with
** blanks to exactly `largura` display columns (fat_text_largura; at most
** 120), so that "Honorários" lines up under "Consulta" (printf's widths count
** bytes). fat_text_coluna pads on the right (text), fat_text_coluna_dir on
** the left (numbers). NULL is shown as "-". By value, so that
** fat_text_coluna(x, 18).s can be an argument of one printf. */
typedef struct fat_text_col {
  char s[8 * 120 + 1];
} fat_text_col;
fat_text_col fat_text_coluna(const char *s, int largura);
fat_text_col fat_text_coluna_dir(const char *s, int largura);

#endif
