/* fat_dia.c: calendar arithmetic on day numbers (Howard Hinnant's civil
** algorithms, integer only). */
#include "fat_dia.h"

#include <stdio.h>
#include <time.h>

#include <stdio.h>
#include <string.h>

int32_t fat_dia_from_ymd(int y, int m, int d)
{
  int era, yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (int32_t)(era * 146097 + doe - 719468);
}

void fat_dia_to_ymd(int32_t dia, int *y, int *m, int *d)
{
  int32_t z = dia + 719468;
  int32_t era = (z >= 0 ? z : z - 146096) / 146097;
  int32_t doe = z - era * 146097;
  int32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int32_t mp = (5 * doy + 2) / 153;
  int32_t dd = doy - (153 * mp + 2) / 5 + 1;
  int32_t mm = mp < 10 ? mp + 3 : mp - 9;

  *y = (int)(yoe + era * 400 + (mm <= 2));
  *m = (int)mm;
  *d = (int)dd;
}

int fat_dia_mes_dias(int y, int m)
{
  static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
    return 29;
  return mdays[(m - 1) % 12];
}

static int digits(const char *s, int n, int *out)
{
  int i, v = 0;

  for (i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 0;
}

int fat_dia_parse(const char *s, int32_t *dia)
{
  int y, m, d;

  if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
    return -1;
  if (digits(s, 4, &y) != 0 || digits(s + 5, 2, &m) != 0 || digits(s + 8, 2, &d) != 0)
    return -1;
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > fat_dia_mes_dias(y, m))
    return -1;
  *dia = fat_dia_from_ymd(y, m, d);
  return 0;
}

void fat_dia_format(int32_t dia, char *buf, size_t len)
{
  int y, m, d;

  fat_dia_to_ymd(dia, &y, &m, &d);
  snprintf(buf, len, "%04d-%02d-%02d", y, m, d);
}

int fat_dia_semana(int32_t dia)
{
  /* 1970-01-01 was a Thursday (4) */
  int32_t w = (dia % 7 + 7 + 4) % 7;

  return (int)w;
}

int fat_dia_hora_minutos(const char *s)
{
  int h, m, sec;
  size_t n;

  if (s == NULL)
    return -1;
  n = strlen(s);
  if ((n != 5 && n != 8) || s[2] != ':')
    return -1;
  if (digits(s, 2, &h) != 0 || digits(s + 3, 2, &m) != 0 || h > 23 || m > 59)
    return -1;
  if (n == 8 && (s[5] != ':' || digits(s + 6, 2, &sec) != 0 || sec > 59))
    return -1;
  return h * 60 + m;
}

void fat_dia_hoje(char *buf, size_t len)
{
  time_t t = time(NULL);
  struct tm tm;

  if (localtime_r(&t, &tm) == NULL) {
    snprintf(buf, len, "1970-01-01");
    return;
  }
  snprintf(buf, len, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}
