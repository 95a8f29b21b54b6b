/* fat_money.c: decimal text <-> fixed-point integers (see fat_money.h). */
#include "fat_money.h"

#include <stdio.h>
#include <string.h>

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* Which characters separate what, decided from the whole number text. */
typedef struct seps {
  char dec;             /* decimal separator, or 0 */
  char thou;            /* thousands separator, or 0 */
  const char *dec_at;   /* where the decimal separator is, or NULL */
} seps;

/* Decide the separators of p..end (digits, '.' and ',' only). Returns NULL
** or a reason. */
static const char *find_seps(const char *p, const char *end, unsigned flags, seps *sp)
{
  const char *q, *ldot = NULL, *lcomma = NULL;
  int ndot = 0, ncomma = 0;

  memset(sp, 0, sizeof *sp);
  for (q = p; q < end; q++) {
    if (*q == '.') {
      ndot++;
      ldot = q;
    } else if (*q == ',') {
      ncomma++;
      lcomma = q;
    } else if (*q < '0' || *q > '9') {
      return *q == '-' ? "sinal fora do lugar" : "caractere inválido";
    }
  }
  if (flags & FAT_MONEY_TISS) {
    if (ncomma > 0)
      return "use ponto como separador decimal";
    if (ndot > 1)
      return "separador decimal repetido";
    sp->dec = ndot == 1 ? '.' : 0;
    sp->dec_at = ldot;
    return NULL;
  }
  if (!(flags & FAT_MONEY_THOUSANDS)) {
    if (ndot + ncomma > 1)
      return ndot > 0 && ncomma > 0 ? "separadores misturados" : "separador decimal repetido";
    sp->dec = ndot == 1 ? '.' : ncomma == 1 ? ',' : 0;
    sp->dec_at = ndot == 1 ? ldot : lcomma;
    return NULL;
  }
  if (ndot > 0 && ncomma > 0) {
    /* the last one is the decimal separator, and it appears once */
    sp->dec = ldot > lcomma ? '.' : ',';
    sp->thou = ldot > lcomma ? ',' : '.';
    sp->dec_at = ldot > lcomma ? ldot : lcomma;
    if ((sp->dec == '.' && ndot > 1) || (sp->dec == ',' && ncomma > 1))
      return "separador decimal repetido";
    return NULL;
  }
  if (ndot > 1 || ncomma > 1) {
    sp->thou = ndot > 1 ? '.' : ',';
    return NULL;
  }
  if (ndot == 1 && end - ldot == 4 && ldot > p)
    return "ambíguo: '.' seguido de 3 dígitos (escreva 1500, 1.500,00 ou 1,50)";
  sp->dec = ndot == 1 ? '.' : ncomma == 1 ? ',' : 0;
  sp->dec_at = ndot == 1 ? ldot : lcomma;
  return NULL;
}

const char *fat_money_scan(const char *s, int decimals, unsigned flags, int64_t *out)
{
  const char *p, *end, *q, *iend, *why;
  uint64_t v = 0;
  int neg = 0, nint = 0, ndec = 0, group = -1, first = 0;
  seps sp;

  if (s == NULL)
    return "valor vazio";
  if (decimals < 0 || decimals > 4)
    return "casas decimais não suportadas";
  p = s;
  while (is_blank(*p))
    p++;
  end = p + strlen(p);
  while (end > p && is_blank(end[-1]))
    end--;
  if (p < end && (*p == '-' || *p == '+'))
    neg = *p++ == '-';
  if ((flags & FAT_MONEY_THOUSANDS) && end - p >= 2 && p[0] == 'R' && p[1] == '$') {
    p += 2;
    while (p < end && *p == ' ')
      p++;
    if (!neg && p < end && *p == '-') {
      neg = 1;
      p++;
    }
  }
  if (p == end)
    return "valor vazio";
  why = find_seps(p, end, flags, &sp);
  if (why != NULL)
    return why;
  /* integer part, with its thousands groups when there is a separator */
  iend = sp.dec_at != NULL ? sp.dec_at : end;
  for (q = p; q < iend; q++) {
    if (sp.thou != 0 && *q == sp.thou) {
      if ((group == -1 && (first < 1 || first > 3)) || (group != -1 && group != 3))
        return "separador de milhar mal posicionado";
      group = 0;
      continue;
    }
    if (group == -1)
      first++;
    else
      group++;
    if (v > (UINT64_MAX - 9) / 10)
      return "valor grande demais";
    v = v * 10 + (uint64_t)(*q - '0');
    nint++;
  }
  if (group != -1 && group != 3)
    return "separador de milhar mal posicionado";
  if (sp.dec_at != NULL) {
    for (q = sp.dec_at + 1; q < end; q++) {
      if (*q < '0' || *q > '9')
        return "separador fora do lugar";
      if (ndec == decimals) {
        if (!(flags & FAT_MONEY_TISS))
          return decimals == 2   ? "mais de 2 casas decimais"
                 : decimals == 0 ? "casas decimais num valor inteiro"
                                 : "mais de 4 casas decimais";
        if (*q != '0')
          return "fração menor que a unidade";
        continue;
      }
      if (v > (UINT64_MAX - 9) / 10)
        return "valor grande demais";
      v = v * 10 + (uint64_t)(*q - '0');
      ndec++;
    }
  }
  if (nint == 0 && ndec == 0)
    return "valor vazio";
  for (; ndec < decimals; ndec++) {
    if (v > UINT64_MAX / 10)
      return "valor grande demais";
    v *= 10;
  }
  if (neg && v != 0 && !(flags & FAT_MONEY_SIGNED))
    return "valor negativo";
  if (v > (uint64_t)INT64_MAX) /* also keeps INT64_MIN (FAT_ABSENT) out */
    return "valor grande demais";
  *out = neg ? -(int64_t)v : (int64_t)v;
  return NULL;
}

fat_rc fat_money_parse_max(const char *s, int64_t max, int64_t *out, fat_err *err)
{
  const char *why = fat_money_scan(s, 2, FAT_MONEY_THOUSANDS, out);
  char lim[40];

  if (why != NULL)
    return fat_err_set(err, FAT_EINVAL, "valor monetário inválido '%.40s': %s",
                       s != NULL ? s : "", why);
  if (*out > max) {
    fat_money_format_br(max, lim, sizeof lim);
    return fat_err_set(err, FAT_EINVAL, "valor monetário inválido '%.40s': acima do máximo de %s",
                       s, lim);
  }
  return FAT_OK;
}

fat_rc fat_money_parse(const char *s, int64_t *out, fat_err *err)
{
  return fat_money_parse_max(s, FAT_MONEY_MAX, out, err);
}

fat_rc fat_money_qty_parse(const char *s, int64_t *out_e4, fat_err *err)
{
  const char *why = fat_money_scan(s, 4, 0, out_e4);

  if (why == NULL && *out_e4 > FAT_MONEY_QTY_MAX)
    why = "acima do máximo de 99999,9999";
  if (why != NULL)
    return fat_err_set(err, FAT_EINVAL, "quantidade inválida '%.40s': %s", s != NULL ? s : "",
                       why);
  return FAT_OK;
}

/* Write v / 10^dec with separator sep, an optional thousands separator and
** a prefix after the sign, into buf (truncated like snprintf). Digits are
** written by hand, right to left: conferir formats every value of every
** guia for the scripts, and three snprintf calls per value were a tenth of
** its time. */
static void fmt_fixed(int64_t v, int dec, char sep, char thou, const char *prefix, char *buf,
                      size_t len)
{
  uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  char tmp[64];
  const char *q;
  size_t p = sizeof tmp, o = 0, i;
  int k, group = 0;

  if (len == 0)
    return;
  tmp[--p] = '\0';
  for (k = 0; k < dec; k++) {
    tmp[--p] = (char)('0' + (int)(mag % 10));
    mag /= 10;
  }
  if (dec > 0)
    tmp[--p] = sep;
  do {
    if (thou != '\0' && group == 3) {
      tmp[--p] = thou;
      group = 0;
    }
    tmp[--p] = (char)('0' + (int)(mag % 10));
    mag /= 10;
    group++;
  } while (mag > 0);
  if (v < 0 && o + 1 < len)
    buf[o++] = '-';
  for (i = 0; prefix[i] != '\0' && o + 1 < len; i++)
    buf[o++] = prefix[i];
  for (q = tmp + p; *q != '\0' && o + 1 < len; q++)
    buf[o++] = *q;
  buf[o] = '\0';
}

void fat_money_format(int64_t centavos, char *buf, size_t len)
{
  fmt_fixed(centavos, 2, '.', '\0', "", buf, len);
}

void fat_money_format_br(int64_t centavos, char *buf, size_t len)
{
  fmt_fixed(centavos, 2, ',', '.', "R$ ", buf, len);
}

void fat_money_format_cell(int64_t centavos, char *buf, size_t len)
{
  fmt_fixed(centavos, 2, ',', '\0', "", buf, len);
}

void fat_money_format_fixed(int64_t v, int decimals, char sep, char *buf, size_t len)
{
  fmt_fixed(v, decimals < 0 ? 0 : decimals > 4 ? 4 : decimals, sep, '\0', "", buf, len);
}

void fat_money_qty_format(int64_t e4, char *buf, size_t len)
{
  fmt_fixed(e4, 4, '.', '\0', "", buf, len);
}

void fat_money_qty_format_br(int64_t e4, char *buf, size_t len)
{
  fmt_fixed(e4, 4, ',', '\0', "", buf, len);
}

int64_t fat_money_div_round(int64_t a, int64_t b)
{
  int64_t q = a / b;
  int64_t r = a % b; /* same sign as a (C99) */
  int64_t ar = r < 0 ? -r : r;

  if (ar >= b - ar) /* 2|r| >= b without overflow */
    q += (a < 0) ? -1 : 1;
  return q;
}
