/*
 * help.c - the help screen (see help.h). The words come from the binding
 * table; this file only lays them out: keys in a column, what they do
 * beside them, wrapped at word boundaries to the screen's width.
 */
#include "help.h"

#include <curses.h>
#include <string.h>

#include "input.h"

#define KEYS_X 2
#define KEYS_W 10

/* Draws text from (y, x) within w cells, wrapped at spaces; returns the
 * next free line. */
static int wrapped(const hm_term_t *t, int y, int x, int w, const char *text, int attr)
{
    char part[512];
    while (*text && y < LINES - 1) {
        size_t len = strlen(text);
        size_t cut = len;
        if ((int)len > w) {
            cut = (size_t)w;
            while (cut > 0 && text[cut] != ' ')
                cut--;
            if (cut == 0)
                cut = (size_t)w; /* one long word: cut it */
        }
        if (cut >= sizeof part)
            cut = sizeof part - 1;
        memcpy(part, text, cut);
        part[cut] = '\0';
        hm_term_put(t, y++, x, w, part, false, attr);
        text += cut;
        while (*text == ' ')
            text++;
    }
    return y;
}

void hm_help_draw(const hm_term_t *t)
{
    size_t n;
    const hm_binding_t *b = hm_input_bindings(&n);
    hm_term_put(t, 0, 0, COLS, "hotmon keys (any key closes this)", false,
                hm_term_attr(t, HM_ROLE_TITLE));
    int y = 2, x = KEYS_X + KEYS_W + 2, w = COLS - x;
    if (w < 20) {
        x = KEYS_X + 2; /* too narrow for two columns: text under its keys */
        w = COLS - x;
    }
    for (size_t i = 0; i < n && y < LINES - 2; i++) {
        hm_term_put(t, y, KEYS_X, KEYS_W, b[i].keys, false, hm_term_attr(t, HM_ROLE_HEADER));
        if (x < KEYS_X + KEYS_W)
            y++;
        y = wrapped(t, y, x, w, b[i].help, hm_term_attr(t, HM_ROLE_DEFAULT));
    }
    hm_term_put(t, LINES - 2, 0, COLS,
                "SLO column: FAIL breached at the last check, DRFT p95 drifting up, ok held, - no rule.",
                false, hm_term_attr(t, HM_ROLE_DIM));
    hm_term_put(t, LINES - 1, 0, COLS,
                "Mouse: click a column header to sort by it, a row to select it.", false,
                hm_term_attr(t, HM_ROLE_DIM));
}
