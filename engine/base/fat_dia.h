/* fat_dia.h: the one calendar of faturo: dates, competências and times of
** day, as users type them and as they are stored.
**
** A day number is the count of days since 1970-01-01 (negative before it), in
** the proleptic Gregorian calendar. Stored and TISS dates are 'AAAA-MM-DD',
** competências 'AAAA-MM', times 'HH:MM:SS'. Users may also type 'DD/MM/AAAA'
** and 'MM/AAAA' (fat_dia_ler, fat_dia_competencia_ler), which are converted.
** Every date faturo accepts, from any source, has its year in
** FAT_DIA_ANO_MIN..FAT_DIA_ANO_MAX: a plausible date of birth, of service or
** of a table edition.
*/
#ifndef FAT_DIA_H
#define FAT_DIA_H

#include <stddef.h>
#include <stdint.h>

#include "fat_err.h"

#define FAT_DIA_ANO_MIN 1900
#define FAT_DIA_ANO_MAX 2199

/* Buffer sizes of the ISO text forms, NUL included. */
#define FAT_DIA_ISO_LEN 11  /* AAAA-MM-DD */
#define FAT_DIA_COMP_LEN 8  /* AAAA-MM */

/* Day number of y-m-d (no validation; m 1..12, d 1..31). */
int32_t fat_dia_from_ymd(int y, int m, int d);

/* Split a day number into year, month (1..12) and day (1..31). */
void fat_dia_to_ymd(int32_t dia, int *y, int *m, int *d);

/* Parse a stored date 'AAAA-MM-DD' strictly (a real calendar day, year in
** FAT_DIA_ANO_MIN..MAX). Returns 0 and sets *dia (may be NULL), or -1. */
int fat_dia_parse(const char *s, int32_t *dia);

/* 1 when s is a date fat_dia_parse accepts, else 0 (NULL is never valid). */
int fat_dia_valida(const char *s);

/* Parse a date as users type it: 'DD/MM/AAAA' or 'AAAA-MM-DD' (blanks around
** it ignored). On success sets *dia and writes the stored form 'AAAA-MM-DD'
** into iso (either may be NULL). FAT_EINVAL with a pt-BR message that quotes
** the value and says what is wrong: the shape ("use DD/MM/AAAA ou
** AAAA-MM-DD"), a day that does not exist ("31/02/2024"), or a year out of
** range. */
FAT_NODISCARD fat_rc fat_dia_ler(const char *s, int32_t *dia, char iso[FAT_DIA_ISO_LEN],
                                 fat_err *err);

/* 1 when s is a stored competência 'AAAA-MM' (month 1..12, year in range). */
int fat_dia_competencia_valida(const char *s);

/* Parse a competência as users type it: 'MM/AAAA' or 'AAAA-MM'; writes
** 'AAAA-MM' into iso (may be NULL). FAT_EINVAL with a pt-BR message like
** fat_dia_ler's. */
FAT_NODISCARD fat_rc fat_dia_competencia_ler(const char *s, char iso[FAT_DIA_COMP_LEN],
                                             fat_err *err);

/* Format a day number as 'AAAA-MM-DD' into buf (len >= 11). */
void fat_dia_format(int32_t dia, char *buf, size_t len);

/* Format a day number for users: 'DD/MM/AAAA' into buf (len >= 11). */
void fat_dia_format_br(int32_t dia, char *buf, size_t len);

/* A date for a message users read: any date fat_dia_parse accepts as
** 'DD/MM/AAAA'; other text as it is (at most 31 bytes); NULL as "?". By
** value, so that fat_dia_br_de(data).s can be an argument of one call (the
** array lives until the end of that full expression). */
typedef struct fat_dia_br {
  char s[32];
} fat_dia_br;
fat_dia_br fat_dia_br_de(const char *s);

/* fat_dia_br_de with `vazio` shown for NULL or "" (the caller's dash, "?" or
** nothing), and the date of a stored timestamp ('AAAA-MM-DDTHH:MM:SSZ',
** or with a blank instead of the T) shown as its day, 'DD/MM/AAAA', as
** written (no time-zone conversion: use fat_quando_br_de for an instant). */
fat_dia_br fat_dia_br_ou(const char *s, const char *vazio);

/* A competência for users: a stored 'AAAA-MM' as 'MM/AAAA'; NULL or "" as
** `vazio`, other text as it is (at most 31 bytes). By value, as fat_dia_br. */
fat_dia_br fat_dia_competencia_br_ou(const char *s, const char *vazio);

/* An instant for users: local time 'DD/MM/AAAA HH:MM'. fat_quando_br_de
** takes a stored UTC timestamp ('AAAA-MM-DDTHH:MM:SS', a blank for the T
** and a trailing Z accepted); a plain date is shown as fat_dia_br_de does,
** NULL or "" as `vazio`, other text as it is (at most 23 bytes).
** fat_quando_br_epoch takes seconds since 1970 (UTC). By value, as
** fat_dia_br. */
typedef struct fat_quando_br {
  char s[24];
} fat_quando_br;
fat_quando_br fat_quando_br_de(const char *utc, const char *vazio);
fat_quando_br fat_quando_br_epoch(int64_t t);

/* The clinic's local day of a stored UTC timestamp ('AAAA-MM-DDTHH:MM:SS',
** a blank for the T and a trailing Z accepted) into *dia; a plain date
** 'AAAA-MM-DD' is taken as it is. Returns 0, or -1 when s is neither. A lote
** closed at 00:30 UTC of the 2nd was closed on the 1st in Brasília: dates the
** user types compare with this day, not with the UTC one. */
int fat_dia_local_de(const char *s, int32_t *dia);

/* Buffer size of a stored UTC timestamp 'AAAA-MM-DDTHH:MM:SSZ', NUL included. */
#define FAT_DIA_UTC_LEN 21

/* The stored UTC timestamp ('AAAA-MM-DDTHH:MM:SSZ', the form fat_store_now
** writes) of the first instant of the clinic's local day `dia`: its local
** 00:00 (or the first local time after it, when a daylight-saving change
** skips midnight). A query that keeps local days dia..ate of a UTC column
** compares the text "x_em >= fat_dia_inicio_utc(dia) AND x_em <
** fat_dia_inicio_utc(ate + 1)", so an index on x_em still serves it (a
** function of the column would not). Only columns stored in this same form
** compare right as text. Returns 0, or -1 when the day cannot be converted
** (out of time_t's range). */
int fat_dia_inicio_utc(int32_t dia, char out[FAT_DIA_UTC_LEN]);

/* Day of the week: 0 = domingo, 1 = segunda, ..., 6 = sábado. */
int fat_dia_semana(int32_t dia);

/* Number of days of month m (1..12) of year y. */
int fat_dia_mes_dias(int y, int m);

/* Today's local date (the clinic's day) as 'AAAA-MM-DD' into buf (len >= 11). */
void fat_dia_hoje(char *buf, size_t len);

/* The system's time zone, the one the clinic's day is counted in (TZ, else
** /etc/localtime, else /etc/timezone): *nome gets its IANA name
** ("America/Sao_Paulo") or "" when there is none (a POSIX TZ such as
** "<-03>3"); *minutos its offset from UTC now (-180 in Brasília). */
void fat_dia_fuso(char *nome, size_t len, int *minutos);

/* Parse 'HH:MM' or 'HH:MM:SS' (24 h) into minutes since midnight; -1 when
** invalid (NULL included). */
int fat_dia_hora_minutos(const char *s);

/* The stored form 'HH:MM:SS' of a time fat_dia_hora_minutos accepts, into
** out[9]. Returns 0, or -1 when s is not a valid time. */
int fat_dia_hora_norm(const char *s, char out[9]);

#endif
