/*
 * format.h - numbers in human units, written into caller buffers.
 * Durations use 3 significant digits and the unit that keeps them readable:
 * "812us" (or "812µs" with utf8), "12.3ms", "1.50s"; rates "1.23k";
 * percentages "0.05%". No curses, no locale dependence (always '.').
 */
#ifndef HM_FORMAT_H
#define HM_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Each writes into buf (n bytes, NUL-terminated) and returns buf. */
char *hm_format_duration(uint64_t ns, bool utf8, char *buf, size_t n);
char *hm_format_rate(double per_second, char *buf, size_t n);
char *hm_format_percent(double ratio, char *buf, size_t n);  /* ratio 0..1 */
char *hm_format_count(uint64_t count, char *buf, size_t n);  /* 1234567 -> "1.23M" */
/* Milliseconds with 3 decimals, for CSV/JSON/Markdown: 12.345 (rounded to
 * the microsecond). */
double hm_format_ms(uint64_t ns);
/* v with exactly `decimals` (0..9) decimals and '.', whatever LC_NUMERIC
 * says ("%.3f" would follow the locale): for CSV and other machine-read
 * text. NaN prints as 0. Writes into buf (n bytes); returns buf. */
char *hm_format_fixed(double v, int decimals, char *buf, size_t n);

#endif
