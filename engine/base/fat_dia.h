/* fat_dia.h: calendar dates as day numbers (Part D helper, used by prices,
** table import and the demo generator).
**
** A day number is the count of days since 1970-01-01 (negative before it), in
** the proleptic Gregorian calendar. Text dates are always 'AAAA-MM-DD'.
*/
#ifndef FAT_DIA_H
#define FAT_DIA_H

#include <stddef.h>
#include <stdint.h>

/* Day number of y-m-d (no validation; m 1..12, d 1..31). */
int32_t fat_dia_from_ymd(int y, int m, int d);

/* Split a day number into year, month (1..12) and day (1..31). */
void fat_dia_to_ymd(int32_t dia, int *y, int *m, int *d);

/* Parse 'AAAA-MM-DD' strictly (real calendar date, years 0001..9999).
** Returns 0 and sets *dia, or -1 when s is not a valid date. */
int fat_dia_parse(const char *s, int32_t *dia);

/* Format a day number as 'AAAA-MM-DD' into buf (len >= 11). */
void fat_dia_format(int32_t dia, char *buf, size_t len);

/* Day of the week: 0 = domingo, 1 = segunda, ..., 6 = sábado. */
int fat_dia_semana(int32_t dia);

/* Number of days of month m (1..12) of year y. */
int fat_dia_mes_dias(int y, int m);

/* Today's local date (the clinic's day) as 'AAAA-MM-DD' into buf (len >= 11). */
void fat_dia_hoje(char *buf, size_t len);

/* Parse 'HH:MM' or 'HH:MM:SS' into minutes since midnight; -1 when invalid. */
int fat_dia_hora_minutos(const char *s);

#endif
