/* fat_dia.c: calendar arithmetic on day numbers (Howard Hinnant's civil
** algorithms, integer only). */
#include "fat_dia.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

#define FAT_DIA_STR2(x) #x
#define FAT_DIA_STR(x) FAT_DIA_STR2(x)

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

/* The shape of a date or competência text. */
typedef enum forma { F_ISO, F_BR, F_NENHUMA } forma;

/* Split s (exactly n characters) into y, m (and d when with_day): ISO
** 'AAAA-MM[-DD]' or Brazilian '[DD/]MM/AAAA'. */
static forma split(const char *s, size_t n, int with_day, int *y, int *m, int *d)
{
  *d = 1;
  if (with_day && n == 10 && s[4] == '-' && s[7] == '-' && digits(s, 4, y) == 0 &&
      digits(s + 5, 2, m) == 0 && digits(s + 8, 2, d) == 0)
    return F_ISO;
  if (with_day && n == 10 && s[2] == '/' && s[5] == '/' && digits(s, 2, d) == 0 &&
      digits(s + 3, 2, m) == 0 && digits(s + 6, 4, y) == 0)
    return F_BR;
  if (!with_day && n == 7 && s[4] == '-' && digits(s, 4, y) == 0 && digits(s + 5, 2, m) == 0)
    return F_ISO;
  if (!with_day && n == 7 && s[2] == '/' && digits(s, 2, m) == 0 && digits(s + 3, 4, y) == 0)
    return F_BR;
  return F_NENHUMA;
}

/* Why y-m-d is not an acceptable date, or NULL. */
static const char *why_not(int y, int m, int d)
{
  if (m < 1 || m > 12)
    return "mês inexistente";
  if (d < 1 || d > fat_dia_mes_dias(y, m))
    return "dia inexistente";
  if (y < FAT_DIA_ANO_MIN || y > FAT_DIA_ANO_MAX)
    return "ano fora do intervalo aceito (" FAT_DIA_STR(FAT_DIA_ANO_MIN) " a " FAT_DIA_STR(
        FAT_DIA_ANO_MAX) ")";
  return NULL;
}

int fat_dia_parse(const char *s, int32_t *dia)
{
  int y, m, d;

  if (s == NULL || split(s, strlen(s), 1, &y, &m, &d) != F_ISO || why_not(y, m, d) != NULL)
    return -1;
  if (dia != NULL)
    *dia = fat_dia_from_ymd(y, m, d);
  return 0;
}

int fat_dia_valida(const char *s) { return fat_dia_parse(s, NULL) == 0; }

/* s without the blanks around it: start in *p, length returned. */
static size_t trimmed(const char *s, const char **p)
{
  size_t n;

  while (*s == ' ' || *s == '\t')
    s++;
  n = strlen(s);
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
    n--;
  *p = s;
  return n;
}

fat_rc fat_dia_ler(const char *s, int32_t *dia, char iso[FAT_DIA_ISO_LEN], fat_err *err)
{
  const char *p, *why;
  size_t n;
  int y, m, d;

  if (s == NULL)
    return fat_err_set(err, FAT_EINVAL, "data ausente (use DD/MM/AAAA ou AAAA-MM-DD)");
  n = trimmed(s, &p);
  if (split(p, n, 1, &y, &m, &d) == F_NENHUMA)
    return fat_err_set(err, FAT_EINVAL, "data inválida '%.40s' (use DD/MM/AAAA ou AAAA-MM-DD)",
                       s);
  why = why_not(y, m, d);
  if (why != NULL)
    return fat_err_set(err, FAT_EINVAL, "data inválida '%.*s': %s", (int)n, p, why);
  if (dia != NULL)
    *dia = fat_dia_from_ymd(y, m, d);
  if (iso != NULL)
    fat_dia_format(fat_dia_from_ymd(y, m, d), iso, FAT_DIA_ISO_LEN);
  return FAT_OK;
}

int fat_dia_competencia_valida(const char *s)
{
  int y, m, d;

  return s != NULL && split(s, strlen(s), 0, &y, &m, &d) == F_ISO && why_not(y, m, 1) == NULL;
}

fat_rc fat_dia_competencia_ler(const char *s, char iso[FAT_DIA_COMP_LEN], fat_err *err)
{
  const char *p, *why;
  size_t n;
  int y, m, d;

  if (s == NULL)
    return fat_err_set(err, FAT_EINVAL, "competência ausente (use MM/AAAA ou AAAA-MM)");
  n = trimmed(s, &p);
  if (split(p, n, 0, &y, &m, &d) == F_NENHUMA)
    return fat_err_set(err, FAT_EINVAL,
                       "competência inválida '%.40s' (use MM/AAAA ou AAAA-MM)", s);
  why = why_not(y, m, 1);
  if (why != NULL)
    return fat_err_set(err, FAT_EINVAL, "competência inválida '%.*s': %s", (int)n, p, why);
  if (iso != NULL) {
    char buf[FAT_DIA_ISO_LEN];

    fat_dia_format(fat_dia_from_ymd(y, m, 1), buf, sizeof buf);
    memcpy(iso, buf, FAT_DIA_COMP_LEN - 1);
    iso[FAT_DIA_COMP_LEN - 1] = '\0';
  }
  return FAT_OK;
}

void fat_dia_format(int32_t dia, char *buf, size_t len)
{
  int y, m, d;

  fat_dia_to_ymd(dia, &y, &m, &d);
  if (len >= 11 && y >= 0 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= 31) {
    /* by hand: snprintf was ~2% of importar (9 dates per guia) */
    buf[0] = (char)('0' + y / 1000);
    buf[1] = (char)('0' + y / 100 % 10);
    buf[2] = (char)('0' + y / 10 % 10);
    buf[3] = (char)('0' + y % 10);
    buf[4] = '-';
    buf[5] = (char)('0' + m / 10);
    buf[6] = (char)('0' + m % 10);
    buf[7] = '-';
    buf[8] = (char)('0' + d / 10);
    buf[9] = (char)('0' + d % 10);
    buf[10] = '\0';
    return;
  }
  snprintf(buf, len, "%04d-%02d-%02d", y, m, d);
}

void fat_dia_format_br(int32_t dia, char *buf, size_t len)
{
  int y, m, d;

  fat_dia_to_ymd(dia, &y, &m, &d);
  snprintf(buf, len, "%02d/%02d/%04d", d, m, y);
}

fat_dia_br fat_dia_br_ou(const char *s, const char *vazio)
{
  fat_dia_br b;
  char d[FAT_DIA_ISO_LEN];
  int32_t dia;
  size_t n = s != NULL ? strlen(s) : 0;

  if (n == 0) {
    snprintf(b.s, sizeof b.s, "%s", vazio != NULL ? vazio : "");
    return b;
  }
  /* a timestamp's day: the first 10 bytes when a T or a blank follows */
  snprintf(d, sizeof d, "%.10s", s);
  if ((n == 10 || (n > 10 && (s[10] == 'T' || s[10] == ' '))) && fat_dia_parse(d, &dia) == 0)
    fat_dia_format_br(dia, b.s, sizeof b.s);
  else
    snprintf(b.s, sizeof b.s, "%s", s);
  return b;
}

fat_dia_br fat_dia_competencia_br_ou(const char *s, const char *vazio)
{
  fat_dia_br b;

  if (s == NULL || s[0] == '\0')
    snprintf(b.s, sizeof b.s, "%s", vazio != NULL ? vazio : "");
  else if (fat_dia_competencia_valida(s))
    snprintf(b.s, sizeof b.s, "%.2s/%.4s", s + 5, s);
  else
    snprintf(b.s, sizeof b.s, "%s", s);
  return b;
}

fat_dia_br fat_dia_br_de(const char *s) { return fat_dia_br_ou(s, "?"); }

fat_quando_br fat_quando_br_epoch(int64_t t)
{
  fat_quando_br q;
  time_t tt = (time_t)t;
  struct tm tm;

  if (localtime_r(&tt, &tm) == NULL || strftime(q.s, sizeof q.s, "%d/%m/%Y %H:%M", &tm) == 0)
    snprintf(q.s, sizeof q.s, "%lld", (long long)t);
  return q;
}

/* Seconds since 1970 of a stored UTC timestamp ('AAAA-MM-DDTHH:MM:SS', a
** blank for the T, a trailing Z or fraction accepted). Returns 0, or -1 when
** utc is not one. Parsed by hand: SQL dia_local() calls it once per row of a
** report, and sscanf was ~300 ns of its ~340 (localtime_r ~40). */
static int utc_epoch(const char *utc, int64_t *t)
{
  char d[FAT_DIA_ISO_LEN];
  int h, mi, se;
  int32_t dia;
  size_t n = strnlen(utc, 20);

  if (n < 19 || (utc[10] != 'T' && utc[10] != ' ') || utc[13] != ':' || utc[16] != ':' ||
      digits(utc + 11, 2, &h) != 0 || digits(utc + 14, 2, &mi) != 0 ||
      digits(utc + 17, 2, &se) != 0 || (utc[19] != '\0' && utc[19] != 'Z' && utc[19] != '.'))
    return -1;
  memcpy(d, utc, 10);
  d[10] = '\0';
  if (fat_dia_parse(d, &dia) != 0 || h > 23 || mi > 59 || se > 60)
    return -1;
  *t = (int64_t)dia * 86400 + h * 3600 + mi * 60 + se;
  return 0;
}

int fat_dia_local_de(const char *s, int32_t *dia)
{
  int64_t t;
  time_t tt;
  struct tm tm;

  if (s == NULL)
    return -1;
  if (utc_epoch(s, &t) == 0) {
    tt = (time_t)t;
    if (localtime_r(&tt, &tm) == NULL)
      return -1;
    *dia = fat_dia_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    return 0;
  }
  return fat_dia_parse(s, dia);
}

int fat_dia_inicio_utc(int32_t dia, char out[FAT_DIA_UTC_LEN])
{
  struct tm tm, u;
  time_t t;
  int y, m, d;

  fat_dia_to_ymd(dia, &y, &m, &d);
  memset(&tm, 0, sizeof tm);
  tm.tm_year = y - 1900;
  tm.tm_mon = m - 1;
  tm.tm_mday = d;
  tm.tm_isdst = -1; /* the zone's rule for that day, not today's */
  t = mktime(&tm);
  if (t == (time_t)-1 || gmtime_r(&t, &u) == NULL ||
      strftime(out, FAT_DIA_UTC_LEN, "%Y-%m-%dT%H:%M:%SZ", &u) == 0)
    return -1;
  return 0;
}

fat_quando_br fat_quando_br_de(const char *utc, const char *vazio)
{
  fat_quando_br q;
  int64_t t;
  int32_t dia;

  if (utc == NULL || utc[0] == '\0') {
    snprintf(q.s, sizeof q.s, "%s", vazio != NULL ? vazio : "");
    return q;
  }
  if (utc_epoch(utc, &t) == 0)
    return fat_quando_br_epoch(t);
  if (fat_dia_parse(utc, &dia) == 0)
    fat_dia_format_br(dia, q.s, sizeof q.s);
  else
    snprintf(q.s, sizeof q.s, "%s", utc);
  return q;
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

int fat_dia_hora_norm(const char *s, char out[9])
{
  if (fat_dia_hora_minutos(s) < 0)
    return -1;
  /* the shape was checked: copy HH:MM and the seconds (or :00) */
  memcpy(out, s, 5);
  memcpy(out + 5, strlen(s) == 8 ? s + 5 : ":00", 3);
  out[8] = '\0';
  return 0;
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

/* an IANA zone name as TZ or a zoneinfo path names it: letters first, then
** letters, digits, '_', '-', '+', '/' (a POSIX rule like "<-03>3" is not) */
static int fuso_nome_valido(const char *s)
{
  size_t i;

  if (!((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z')))
    return 0;
  for (i = 0; s[i] != '\0'; i++)
    if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
          (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-' || s[i] == '+' ||
          s[i] == '/'))
      return 0;
  return i < 64 && (strchr(s, '/') != NULL || strcmp(s, "UTC") == 0);
}

/* the zone name out of a path into zoneinfo ("/usr/share/zoneinfo/X/Y") */
static const char *fuso_de_caminho(const char *p)
{
  const char *z = strstr(p, "zoneinfo/");

  return z != NULL ? z + 9 : p;
}

void fat_dia_fuso(char *nome, size_t len, int *minutos)
{
  const char *tz = getenv("TZ");
  char buf[256];
  time_t t = time(NULL);
  struct tm tm;

  if (len > 0)
    nome[0] = '\0';
  *minutos = localtime_r(&t, &tm) != NULL ? (int)(tm.tm_gmtoff / 60) : 0;
  if (tz != NULL && tz[0] != '\0') {
    if (tz[0] == ':')
      tz++;
    tz = fuso_de_caminho(tz);
  } else {
    ssize_t n = readlink("/etc/localtime", buf, sizeof buf - 1);
    FILE *f;

    tz = NULL;
    if (n > 0) {
      buf[n] = '\0';
      tz = fuso_de_caminho(buf);
    } else if ((f = fopen("/etc/timezone", "r")) != NULL) {
      if (fgets(buf, sizeof buf, f) != NULL) {
        buf[strcspn(buf, "\r\n")] = '\0';
        tz = buf;
      }
      fclose(f);
    }
  }
  if (tz != NULL && fuso_nome_valido(tz))
    snprintf(nome, len, "%s", tz);
}
