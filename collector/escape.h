/*
 * escape.h - making names that came off the wire safe to draw and to write.
 *
 * A hostile publisher controls every byte of a name. Before a name reaches the
 * screen, a snapshot file, a report or a log it goes through here: C0 and C1
 * controls and DEL become visible escapes (\x1b, \x9b, \r ...), invalid UTF-8
 * bytes become \xNN, bidi overrides and isolates and zero-width characters
 * become \u{202e}-style escapes, so nothing can move the cursor, reorder the
 * line or hide text. Width is measured in terminal cells (wcwidth), so a row
 * keeps its width with double-width characters.
 */
#ifndef HM_ESCAPE_H
#define HM_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>

/* Escapes the NUL-terminated src into dst (at most n bytes, always
 * NUL-terminated, never cutting an escape or a character in half). With
 * utf8 false every non-ASCII character is escaped too. Returns dst. */
char *hm_escape(const char *src, bool utf8, char *dst, size_t n);

/* Terminal cells an escaped string takes. */
int hm_escape_width(const char *escaped);

/* Fits an escaped string into width cells: unchanged when it fits, else cut
 * in the middle with an ellipsis ("…", or "~" without utf8), whole
 * characters only. Writes into dst (n bytes); returns dst. */
char *hm_escape_fit(const char *escaped, int width, bool utf8, char *dst, size_t n);

/* Cuts an escaped string at its end to at most width cells, whole
 * characters only (for status lines, whose start matters most). */
char *hm_escape_cut(const char *escaped, int width, char *dst, size_t n);

#endif
