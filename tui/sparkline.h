/*
 * sparkline.h - a row of values drawn as one line of block characters.
 * Writes text into a buffer, never to the screen (as redis's sparkline.c).
 */
#ifndef HM_SPARKLINE_H
#define HM_SPARKLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Draws the last `width` of n values (older ones dropped, missing ones as
 * blanks on the left) scaled between their minimum and maximum, with
 * U+2581..U+2588 when utf8, else the ASCII ramp "_.-=+*#@" (the lowest
 * level is not a blank, so a small value never looks like no data). Zero
 * values (no data) are blanks; when all values are equal they sit at mid
 * height. The line is always `width` cells, unless buf is too short, when it
 * is cut after a whole cell. Writes into buf (n_buf bytes, NUL-terminated);
 * returns buf. */
char *hm_sparkline(const uint32_t *values, size_t n, int width, bool utf8, char *buf,
                   size_t n_buf);

#endif
