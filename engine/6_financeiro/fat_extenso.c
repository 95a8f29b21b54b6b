/* fat_extenso.c: numbers in words (pt-BR), see fat_extenso.h. */
#include "fat_extenso.h"

#include <stdio.h>
#include <string.h>

static const char *const UNI[20] = {
  "zero", "um", "dois", "três", "quatro", "cinco", "seis", "sete", "oito", "nove", "dez",
  "onze", "doze", "treze", "quatorze", "quinze", "dezesseis", "dezessete", "dezoito",
  "dezenove"};
static const char *const DEZ[10] = {"", "", "vinte", "trinta", "quarenta", "cinquenta",
                                     "sessenta", "setenta", "oitenta", "noventa"};
static const char *const CEM[10] = {"", "cento", "duzentos", "trezentos", "quatrocentos",
                                     "quinhentos", "seiscentos", "setecentos", "oitocentos",
                                     "novecentos"};

typedef struct out {
  char *buf;
  size_t len, pos;
  int full;
} out;

static void put(out *o, const char *s)
{
  size_t n = strlen(s);

  if (o->pos + n + 1 > o->len) {
    o->full = 1;
    return;
  }
  memcpy(o->buf + o->pos, s, n);
  o->pos += n;
  o->buf[o->pos] = '\0';
}

/* 1..999 in words */
static void trio(out *o, int n)
{
  int c = n / 100, r = n % 100;

  if (n == 100) {
    put(o, "cem");
    return;
  }
  if (c > 0) {
    put(o, CEM[c]);
    if (r > 0)
      put(o, " e ");
  }
  if (r == 0)
    return;
  if (r < 20) {
    put(o, UNI[r]);
  } else {
    put(o, DEZ[r / 10]);
    if (r % 10 != 0) {
      put(o, " e ");
      put(o, UNI[r % 10]);
    }
  }
}

/* n >= 1 as a cardinal; returns 1 when it ends in a round million/billion */
static int cardinal(out *o, int64_t n)
{
  static const char *const SING[4] = {"", "mil", "milhão", "bilhão"};
  static const char *const PLUR[4] = {"", "mil", "milhões", "bilhões"};
  int g[4], i, first = 1, last = -1;

  for (i = 0; i < 4; i++) {
    g[i] = (int)(n % 1000);
    n /= 1000;
  }
  for (i = 0; i < 4; i++)
    if (g[i] != 0) {
      last = i; /* lowest non-zero group */
      break;
    }
  for (i = 3; i >= 0; i--) {
    if (g[i] == 0)
      continue;
    if (!first)
      put(o, (i == last && (g[i] < 100 || g[i] % 100 == 0)) ? " e " : " ");
    first = 0;
    if (!(i == 1 && g[i] == 1))
      trio(o, g[i]);
    if (i > 0) {
      if (!(i == 1 && g[i] == 1))
        put(o, " ");
      put(o, g[i] == 1 ? SING[i] : PLUR[i]);
    }
  }
  return last >= 2;
}

fat_rc fat_extenso_reais(int64_t centavos, char *buf, size_t len, fat_err *err)
{
  out o;
  int64_t reais, cent;

  if (buf == NULL || len == 0)
    return fat_err_set(err, FAT_ELIMIT, "espaço insuficiente para o valor por extenso");
  buf[0] = '\0';
  if (centavos < 0 || centavos > INT64_C(99999999999999))
    return fat_err_set(err, FAT_EINVAL, "valor fora do intervalo do extenso");
  o.buf = buf;
  o.len = len;
  o.pos = 0;
  o.full = 0;
  reais = centavos / 100;
  cent = centavos % 100;
  if (reais == 0 && cent == 0) {
    put(&o, "zero real");
  } else {
    if (reais > 0) {
      int redondo = cardinal(&o, reais);

      put(&o, redondo ? " de reais" : (reais == 1 ? " real" : " reais"));
      if (cent > 0)
        put(&o, " e ");
    }
    if (cent > 0) {
      cardinal(&o, cent);
      put(&o, cent == 1 ? " centavo" : " centavos");
    }
  }
  if (o.full) {
    buf[0] = '\0';
    return fat_err_set(err, FAT_ELIMIT, "espaço insuficiente para o valor por extenso");
  }
  return FAT_OK;
}
