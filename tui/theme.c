/*
 * theme.c - colour themes as data (see theme.h). No curses here: term.c
 * turns a theme into colour pairs.
 */
#include "theme.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define PATH_MAX_THEME 4096
#define THEME_DIRS 5
#define THEME_MAX_BYTES 16384

#ifndef HM_THEME_DIR
#define HM_THEME_DIR "/usr/local/share/hotmon/themes"
#endif

static const char *const role_names[HM_ROLE__COUNT] = {
    [HM_ROLE_DEFAULT] = "default",     [HM_ROLE_HEADER] = "header",
    [HM_ROLE_STATUS] = "status",       [HM_ROLE_SELECTED] = "selected",
    [HM_ROLE_OK] = "ok",               [HM_ROLE_WARN] = "warn",
    [HM_ROLE_BREACH] = "breach",       [HM_ROLE_SPARKLINE] = "sparkline",
    [HM_ROLE_DIM] = "dim",             [HM_ROLE_TITLE] = "title",
    [HM_ROLE_BAR] = "bar",
};

static const char *const builtin[] = {"default", "light", "mono", "high-contrast", "colorblind"};

/* The shipped themes' text, generated from the files in themes/ at build time. */
extern const char *const hm_embedded_theme[][2];
extern const size_t hm_embedded_themes;

static const char *const color_names[] = {"black", "red",     "green", "yellow",
                                          "blue",  "magenta", "cyan",  "white"};

const char *hm_role_name(hm_role_t role)
{
    return role_names[role];
}

bool hm_role_parse(const char *name, hm_role_t *out)
{
    for (int i = 0; i < HM_ROLE__COUNT; i++) {
        if (strcmp(name, role_names[i]) == 0) {
            *out = (hm_role_t)i;
            return true;
        }
    }
    return false;
}

const char *const *hm_theme_builtin_names(size_t *n)
{
    *n = sizeof builtin / sizeof builtin[0];
    return builtin;
}

void hm_theme_default(hm_theme_t *t)
{
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "default");
    for (int i = 0; i < HM_ROLE__COUNT; i++)
        t->role[i] = (hm_style_t){HM_COLOR_DEFAULT, HM_COLOR_DEFAULT, 0};
    t->role[HM_ROLE_HEADER] = (hm_style_t){0, 6, 0};       /* black on cyan */
    t->role[HM_ROLE_STATUS] = (hm_style_t){HM_COLOR_DEFAULT, HM_COLOR_DEFAULT, HM_ATTR_BOLD};
    t->role[HM_ROLE_SELECTED] = (hm_style_t){0, 2, 0};     /* black on green */
    t->role[HM_ROLE_OK] = (hm_style_t){2, HM_COLOR_DEFAULT, 0};
    t->role[HM_ROLE_WARN] = (hm_style_t){3, HM_COLOR_DEFAULT, HM_ATTR_BOLD};
    t->role[HM_ROLE_BREACH] = (hm_style_t){1, HM_COLOR_DEFAULT, HM_ATTR_BOLD};
    t->role[HM_ROLE_SPARKLINE] = (hm_style_t){6, HM_COLOR_DEFAULT, 0};
    t->role[HM_ROLE_DIM] = (hm_style_t){HM_COLOR_DEFAULT, HM_COLOR_DEFAULT, HM_ATTR_DIM};
    t->role[HM_ROLE_TITLE] = (hm_style_t){4, HM_COLOR_DEFAULT, HM_ATTR_BOLD};
    t->role[HM_ROLE_BAR] = (hm_style_t){6, HM_COLOR_DEFAULT, 0};
}

/* A colour: a name, bright-NAME, "default", or 0..255. */
static bool parse_color(const char *w, short *out)
{
    if (strcmp(w, "default") == 0) {
        *out = HM_COLOR_DEFAULT;
        return true;
    }
    bool bright = strncmp(w, "bright-", 7) == 0;
    for (int i = 0; i < 8; i++) {
        if (strcmp(bright ? w + 7 : w, color_names[i]) == 0) {
            *out = (short)(i + (bright ? 8 : 0));
            return true;
        }
    }
    char *end;
    long v = strtol(w, &end, 10);
    if (*w && !*end && v >= 0 && v <= 255) {
        *out = (short)v;
        return true;
    }
    return false;
}

static bool parse_attr(const char *w, unsigned *attrs)
{
    static const struct {
        const char *name;
        unsigned bit;
    } names[] = {{"bold", HM_ATTR_BOLD},
                 {"dim", HM_ATTR_DIM},
                 {"reverse", HM_ATTR_REVERSE},
                 {"underline", HM_ATTR_UNDERLINE}};
    for (size_t i = 0; i < 4; i++) {
        if (strcmp(w, names[i].name) == 0) {
            *attrs |= names[i].bit;
            return true;
        }
    }
    return false;
}

/* One "role = fg [on bg] [attr ...]" line into t. */
static bool parse_line(char *line, hm_theme_t *t, char *why, size_t n)
{
    char *eq = strchr(line, '=');
    if (!eq) {
        snprintf(why, n, "expected 'role = colour', got '%.120s'", line);
        return false;
    }
    *eq = '\0';
    char *key = strtok(line, " \t");
    hm_role_t role;
    if (!key || !hm_role_parse(key, &role)) {
        snprintf(why, n, "unknown role '%s'", key ? key : "");
        return false;
    }
    hm_style_t st = {HM_COLOR_DEFAULT, HM_COLOR_DEFAULT, 0};
    bool fg_done = false, want_bg = false;
    for (char *w = strtok(eq + 1, " \t\r\n"); w; w = strtok(NULL, " \t\r\n")) {
        short c;
        if (want_bg) {
            if (!parse_color(w, &st.bg)) {
                snprintf(why, n, "key '%s': unknown colour '%s'", key, w);
                return false;
            }
            want_bg = false;
        } else if (strcmp(w, "on") == 0) {
            want_bg = true;
        } else if (!fg_done && parse_color(w, &c)) {
            st.fg = c;
            fg_done = true;
        } else if (!parse_attr(w, &st.attrs)) {
            snprintf(why, n, "key '%s': unknown colour or attribute '%s'", key, w);
            return false;
        }
    }
    if (want_bg) {
        snprintf(why, n, "key '%s': 'on' needs a colour", key);
        return false;
    }
    if (st.fg == HM_COLOR_DEFAULT && st.bg == HM_COLOR_DEFAULT && st.attrs == 0 && !fg_done) {
        snprintf(why, n, "key '%s': no colour or attribute given", key);
        return false;
    }
    t->role[role] = st;
    return true;
}

int hm_theme_parse(const char *text, const char *origin, hm_theme_t *t, char *why, size_t why_len)
{
    hm_theme_t out;
    hm_theme_default(&out);
    const char *slash = strrchr(origin, '/');
    snprintf(out.name, sizeof out.name, "%.*s", (int)strcspn(slash ? slash + 1 : origin, "."),
             slash ? slash + 1 : origin);
    unsigned no = 0;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char line[512];
        no++;
        if (len >= sizeof line) {
            snprintf(why, why_len, "%s:%u: line longer than %zu bytes", origin, no, sizeof line - 1);
            hm_theme_default(t);
            return EINVAL;
        }
        snprintf(line, sizeof line, "%.*s", (int)len, p);
        p += len + (nl ? 1 : 0);
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *s = line;
        while (isspace((unsigned char)*s))
            s++;
        if (!*s)
            continue;
        char msg[256];
        if (!parse_line(s, &out, msg, sizeof msg)) {
            snprintf(why, why_len, "%s:%u: %s", origin, no, msg);
            hm_theme_default(t);
            return EINVAL;
        }
    }
    *t = out;
    return 0;
}

/* The folders a theme name is looked up in, in order, into dirs (n of
 * them); returns how many. The installed folder is found beside the program
 * (BIN/../share/hotmon/themes, whatever the prefix), then at the prefix the
 * build was told; BIN/../themes serves a program run from the source tree. */
static int theme_dirs(char dirs[THEME_DIRS][PATH_MAX_THEME])
{
    int nd = 0;
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    if (xdg && *xdg)
        snprintf(dirs[nd++], PATH_MAX_THEME, "%.3000s/hotmon/themes", xdg);
    else if (home && *home)
        snprintf(dirs[nd++], PATH_MAX_THEME, "%.3000s/.config/hotmon/themes", home);
    char exe[PATH_MAX_THEME];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(dirs[nd++], PATH_MAX_THEME, "%.3000s/../share/hotmon/themes", exe);
            snprintf(dirs[nd++], PATH_MAX_THEME, "%.3000s/../themes", exe);
        }
    }
    snprintf(dirs[nd++], PATH_MAX_THEME, "%s", HM_THEME_DIR);
    snprintf(dirs[nd++], PATH_MAX_THEME, "themes");
    return nd;
}

int hm_theme_load(const char *name_or_path, hm_theme_t *t, char *why, size_t why_len)
{
    char path[PATH_MAX_THEME] = "";
    FILE *f = NULL;
    int e = ENOENT;
    if (strchr(name_or_path, '/')) {
        snprintf(path, sizeof path, "%s", name_or_path);
        f = fopen(path, "r");
        e = f ? 0 : errno;
    } else {
        char dirs[THEME_DIRS][PATH_MAX_THEME];
        int nd = theme_dirs(dirs);
        for (int i = 0; i < nd && !f; i++) {
            snprintf(path, sizeof path, "%.3000s/%.900s.theme", dirs[i], name_or_path);
            f = fopen(path, "r");
        }
        /* The shipped themes are compiled in: found wherever hotmon runs. */
        for (size_t i = 0; !f && i < hm_embedded_themes; i++)
            if (strcmp(hm_embedded_theme[i][0], name_or_path) == 0)
                return hm_theme_parse(hm_embedded_theme[i][1], name_or_path, t, why, why_len);
        if (!f && strcmp(name_or_path, "default") == 0) {
            hm_theme_default(t); /* the default needs no file */
            return 0;
        }
        if (!f) {
            snprintf(why, why_len, "theme '%s': not found in %s, the installed themes or ./themes",
                     name_or_path, dirs[0]);
            hm_theme_default(t);
            return ENOENT;
        }
    }
    if (!f) {
        snprintf(why, why_len, "%s: %s", name_or_path, strerror(e));
        hm_theme_default(t);
        return e;
    }
    char text[THEME_MAX_BYTES + 1];
    size_t n = fread(text, 1, sizeof text, f);
    bool bad = ferror(f);
    fclose(f);
    if (bad || n > THEME_MAX_BYTES) {
        snprintf(why, why_len, "%s: %s", path,
                 bad ? "read error" : "too big for a theme (more than 16 KiB)");
        hm_theme_default(t);
        return bad ? EIO : EFBIG;
    }
    text[n] = '\0';
    return hm_theme_parse(text, path, t, why, why_len);
}
