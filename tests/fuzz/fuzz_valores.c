/* fuzz_valores.c: libFuzzer target for the money and date parsers: money
** (fat_money_parse, fat_money_qty_parse, fat_money_scan in its TISS form),
** dates (fat_dia_parse, fat_dia_ler: the formats users type) and times
** (fat_dia_hora_minutos). A value that parses
** must format and parse back to itself. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fat_dia.h"
#include "fat_mem.h"
#include "fat_money.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *s, buf[64], iso[FAT_DIA_ISO_LEN];
  int64_t v, v2;
  int32_t d, d2;
  fat_err err;

  if (size > 256)
    return 0;
  s = fat_strndup((const char *)data, size);
  if (s == NULL)
    return 0;
  if (fat_money_parse(s, &v, &err) == FAT_OK) {
    fat_money_format(v, buf, sizeof buf);
    if (fat_money_parse(buf, &v2, &err) != FAT_OK || v2 != v)
      abort(); /* money must survive format + parse */
  }
  if (fat_money_qty_parse(s, &v, &err) == FAT_OK && (v < 0 || v > FAT_MONEY_QTY_MAX))
    abort(); /* a quantity out of its range was accepted */
  (void)fat_money_scan(s, 2, FAT_MONEY_TISS, &v);
  if (fat_dia_parse(s, &d) == 0) {
    fat_dia_format(d, buf, sizeof buf);
    if (fat_dia_parse(buf, &d2) != 0 || d2 != d)
      abort(); /* a date must survive format + parse */
  }
  if (fat_dia_ler(s, &d, iso, &err) == FAT_OK && (fat_dia_parse(iso, &d2) != 0 || d2 != d))
    abort(); /* a date typed by a user must read back from its ISO form */
  (void)fat_dia_hora_minutos(s);
  fat_free(s);
  return 0;
}
