/*
 * theme.h - colour themes: the screen's roles mapped to colours and attributes.
 *
 * A theme file (themes/NAME.theme) has one "role = fg [on bg] [attr ...]" line
 * per role, '#' comments; colours are names (black red green yellow blue
 * magenta cyan white default, bright-*) or 0..255. Drawing asks for a role,
 * never a colour; only tui/term.c turns roles into curses pairs. No curses
 * here: a theme is data.
 */
#ifndef HM_THEME_H
#define HM_THEME_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    HM_ROLE_DEFAULT,    /* everything not named below */
    HM_ROLE_HEADER,     /* the table's column headers */
    HM_ROLE_STATUS,     /* the status line */
    HM_ROLE_SELECTED,   /* the selected row */
    HM_ROLE_OK,         /* SLO held, good values */
    HM_ROLE_WARN,       /* near a bound, stale data, drops */
    HM_ROLE_BREACH,     /* SLO violated, regressions, errors */
    HM_ROLE_SPARKLINE,
    HM_ROLE_DIM,        /* secondary text, units, idle rows */
    HM_ROLE_TITLE,      /* pane titles in the detail view and help */
    HM_ROLE_BAR,        /* histogram bars */
    HM_ROLE__COUNT
} hm_role_t;

#define HM_COLOR_DEFAULT (-1)

#define HM_ATTR_BOLD 0x1u
#define HM_ATTR_DIM 0x2u
#define HM_ATTR_REVERSE 0x4u
#define HM_ATTR_UNDERLINE 0x8u

typedef struct {
    short fg, bg;       /* 0..255, or HM_COLOR_DEFAULT */
    unsigned attrs;     /* HM_ATTR_* */
} hm_style_t;

typedef struct {
    char name[64];
    hm_style_t role[HM_ROLE__COUNT];
} hm_theme_t;

/* The built-in default theme, used when no file is given or a file is bad. */
void hm_theme_default(hm_theme_t *t);

/* Loads a theme from a name (searched as NAME.theme in
 * $XDG_CONFIG_HOME/hotmon/themes, the installed share/hotmon/themes and
 * ./themes) or a path (anything containing '/'). Returns 0, or an errno value
 * with a message in why (e.g. "themes/x.theme:3: unknown role 'hdr'"); *t is
 * then the default theme. Roles a file leaves out keep the default. */
int hm_theme_load(const char *name_or_path, hm_theme_t *t, char *why, size_t why_len);

/* Parses theme text (for tests and fuzzing); origin names it in messages. */
int hm_theme_parse(const char *text, const char *origin, hm_theme_t *t, char *why,
                   size_t why_len);

/* The names of the themes shipped in themes/, in cycling order ("default",
 * "light", "mono", "high-contrast", "colorblind"); n gives their count. */
const char *const *hm_theme_builtin_names(size_t *n);

/* A role's name as written in theme files ("header"), and its parse. */
const char *hm_role_name(hm_role_t role);
bool hm_role_parse(const char *name, hm_role_t *out);

#endif
