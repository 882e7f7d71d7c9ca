/*
 * term.h - the terminal: the only module that starts and ends curses and
 * makes colour pairs. Drawing asks it for a role's attributes.
 */
#ifndef HM_TERM_H
#define HM_TERM_H

#include <stdbool.h>

#include "theme.h"

typedef struct hm_term hm_term_t;

/* Starts curses (keypad, mouse clicks, no echo) with theme's colours, or
 * attributes only when NO_COLOR is set or the terminal has no colours.
 * Returns 0 or an errno value. The terminal is restored by hm_term_close,
 * at exit, and on SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGABRT (when no other
 * handler, such as a sanitizer's, has them) before their default action.
 * SIGINT and SIGTERM are the program's: it sets a flag the loop reads. */
int hm_term_open(const hm_theme_t *theme, hm_term_t **out);

/* Restores the terminal and frees t. Accepts NULL. */
void hm_term_close(hm_term_t **self_p);

/* Uses another theme from now on. */
void hm_term_set_theme(hm_term_t *t, const hm_theme_t *theme);

/* The curses attributes (pair included) of a role. */
int hm_term_attr(const hm_term_t *t, hm_role_t role);

/* Draws escaped text (escape.h) at (y, x) fitted into w cells, cut in the
 * middle when too long, padded with blanks to w, left or right aligned,
 * with the curses attributes attr (from hm_term_attr). Nothing is drawn
 * outside the screen. */
void hm_term_put(const hm_term_t *t, int y, int x, int w, const char *escaped, bool right,
                 int attr);

/* Whether the locale is UTF-8, so drawing may use it. */
bool hm_term_utf8(const hm_term_t *t);

/* Waits up to timeout_ms for a key; ERR when none. KEY_MOUSE clicks are
 * reported through *x and *y. */
int hm_term_key(hm_term_t *t, int timeout_ms, int *x, int *y);

#endif
