/*
 * term.c - curses set-up, colours and input (see term.h).
 */
#include "term.h"

#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

/* Signals after which the program cannot go on: the terminal is restored
 * before the default action (a core dump) is taken, as htop does. */
static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
#define NFATAL (sizeof fatal_signals / sizeof fatal_signals[0])

struct hm_term {
    bool utf8;
    bool color;
    int attr[HM_ROLE__COUNT];
    bool caught[NFATAL]; /* whether we installed on_fatal for it */
    struct sigaction previous[NFATAL];
};

/* endwin is not async-signal-safe, but the process is dying anyway and a
 * terminal left in raw mode is worse; then the default action goes on. */
static void on_fatal(int sig)
{
    endwin();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Catches the fatal signals nobody else handles (a sanitizer's handlers
 * are left alone, so its report still comes). */
static void catch_fatal(hm_term_t *t)
{
    for (size_t i = 0; i < NFATAL; i++) {
        struct sigaction sa = {.sa_handler = on_fatal, .sa_flags = SA_RESETHAND | SA_NODEFER};
        sigemptyset(&sa.sa_mask);
        if (sigaction(fatal_signals[i], NULL, &t->previous[i]) != 0 ||
            t->previous[i].sa_handler != SIG_DFL)
            continue;
        t->caught[i] = sigaction(fatal_signals[i], &sa, NULL) == 0;
    }
}

static void release_fatal(hm_term_t *t)
{
    for (size_t i = 0; i < NFATAL; i++)
        if (t->caught[i])
            sigaction(fatal_signals[i], &t->previous[i], NULL);
}

static void restore_at_exit(void)
{
    if (!isendwin())
        endwin();
}

/* The nearest colour a terminal with n colours has to xterm colour c. */
static short fit_color(short c, int n, unsigned *attrs)
{
    if (c < 0 || c < n)
        return c;
    if (c < 16) {
        *attrs |= HM_ATTR_BOLD; /* bright colours as bold on 8-colour terminals */
        return (short)(c - 8);
    }
    if (c >= 232)
        return c >= 244 ? COLOR_WHITE : COLOR_BLACK;
    int i = c - 16, r = i / 36, g = (i / 6) % 6, b = i % 6;
    return (short)((r >= 3 ? COLOR_RED : 0) | (g >= 3 ? COLOR_GREEN : 0) |
                   (b >= 3 ? COLOR_BLUE : 0));
}

static int curses_attrs(unsigned a)
{
    return (a & HM_ATTR_BOLD ? A_BOLD : 0) | (a & HM_ATTR_DIM ? A_DIM : 0) |
           (a & HM_ATTR_REVERSE ? A_REVERSE : 0) | (a & HM_ATTR_UNDERLINE ? A_UNDERLINE : 0);
}

void hm_term_set_theme(hm_term_t *t, const hm_theme_t *theme)
{
    for (int i = 0; i < HM_ROLE__COUNT; i++) {
        hm_style_t st = theme->role[i];
        unsigned attrs = st.attrs;
        if (!t->color) {
            /* Without colour, a coloured background still needs to stand out. */
            if (st.bg != HM_COLOR_DEFAULT)
                attrs |= HM_ATTR_REVERSE;
            t->attr[i] = curses_attrs(attrs);
            continue;
        }
        short fg = fit_color(st.fg, COLORS, &attrs), bg = fit_color(st.bg, COLORS, &attrs);
        init_pair((short)(i + 1), fg, bg);
        t->attr[i] = COLOR_PAIR(i + 1) | curses_attrs(attrs);
    }
}

int hm_term_open(const hm_theme_t *theme, hm_term_t **out)
{
    hm_term_t *t = calloc(1, sizeof *t);
    if (!t)
        return ENOMEM;
    t->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
    if (!initscr()) {
        free(t);
        return ENOTTY;
    }
    atexit(restore_at_exit);
    catch_fatal(t);
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    curs_set(0);
    set_escdelay(25);
    mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED, NULL);
    const char *no_color = getenv("NO_COLOR");
    t->color = has_colors() && !(no_color && *no_color);
    if (t->color) {
        start_color();
        use_default_colors();
    }
    hm_term_set_theme(t, theme);
    *out = t;
    return 0;
}

void hm_term_close(hm_term_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    restore_at_exit();
    release_fatal(*self_p);
    free(*self_p);
    *self_p = NULL;
}

int hm_term_attr(const hm_term_t *t, hm_role_t role)
{
    return t->attr[role];
}

void hm_term_put(const hm_term_t *t, int y, int x, int w, const char *escaped, bool right, int attr)
{
    if (y < 0 || y >= LINES || x < 0 || x >= COLS || w <= 0)
        return;
    if (w > COLS - x)
        w = COLS - x;
    char fit[2048];
    hm_escape_fit(escaped, w, t->utf8, fit, sizeof fit);
    int pad = w - hm_escape_width(fit);
    pad = pad > 0 ? pad : 0;
    attron(attr);
    /* The last cell of the screen is written too; curses then reports ERR
     * for the cursor it cannot move on, which is harmless. */
    if (right)
        mvprintw(y, x, "%*s%s", pad, "", fit);
    else
        mvprintw(y, x, "%s%*s", fit, pad, "");
    attroff(attr);
}

bool hm_term_utf8(const hm_term_t *t)
{
    return t->utf8;
}

int hm_term_key(hm_term_t *t, int timeout_ms, int *x, int *y)
{
    (void)t;
    timeout(timeout_ms);
    int k = getch();
    if (k == KEY_MOUSE) {
        MEVENT ev;
        if (getmouse(&ev) != OK)
            return ERR;
        *x = ev.x;
        *y = ev.y;
    }
    return k;
}
