/*
 * settings.c - the option table and its parsers (see settings.h).
 *
 * The table below is the master copy: defaults are applied from it, the
 * command line and the config file are parsed and checked through it, and
 * --help is printed from it. The lists of accepted values come from the
 * tables that own them (columns in view.c, formats in export.c, windows in
 * window.c), so a new column or format shows up here by itself.
 */
#include "settings.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "textfile.h"

typedef enum {
    K_FLAG,    /* bool, no argument */
    K_STRING,  /* const char *, anything non-empty */
    K_FILTER,  /* const char *, compiled once to be checked (hm_filter_new) */
    K_SECONDS, /* double, lo < v <= hi */
    K_MS,      /* unsigned, a whole number, lo <= v <= hi */
    K_FORMAT,  /* hm_format_t */
    K_COLUMN,  /* hm_col_t, sortable columns only */
    K_WINDOW,  /* hm_win_t */
} kind_t;

typedef struct {
    const char *name;  /* --name, and the config-file key */
    int short_name;    /* -x */
    kind_t kind;
    const char *arg;   /* the argument's name in --help; NULL for flags */
    size_t offset;     /* the field in hm_settings_t */
    double lo, hi;     /* range of K_SECONDS and K_MS */
    const char *def;   /* the default as it would be typed; NULL: unset (flags: off) */
    bool config;       /* also a config-file key (not for one-run switches) */
    const char *help;
} option_t;

#define F(field) offsetof(hm_settings_t, field)

/* The master copy of hotmon's options. */
static const option_t options[] = {
    {"bind", 'b', K_STRING, "ADDR", F(bind), 0, 0, "tcp://127.0.0.1:7450", true,
     "the embedded collector listens here"},
    {"connect", 'c', K_STRING, "ADDR", F(connect), 0, 0, NULL, true,
     "watch a running hotmon-collector: its PUB address, tcp://HOST:7451"},
    {"demo", 'd', K_FLAG, NULL, F(demo), 0, 0, NULL, true,
     "also run synthetic services in-process, to see hotmon move"},
    {"once", 'o', K_FLAG, NULL, F(once), 0, 0, NULL, false,
     "collect for a while, print one view to stdout and exit"},
    {"after", 'a', K_SECONDS, "SECONDS", F(after_s), 0, 86400, "2", true,
     "with --once: seconds to collect before printing"},
    {"format", 'f', K_FORMAT, "FMT", F(format), 0, 0, "text", true, "with --once: output format"},
    {"filter", 'F', K_FILTER, "TEXT", F(filter), 0, 0, NULL, true,
     "show matching endpoints: substring, ~regex, ! inverts"},
    {"sort", 's', K_COLUMN, "COLUMN", F(sort), 0, 0, "p99", true,
     "sort by this column (numbers biggest first, names A to Z)"},
    {"reverse", 'r', K_FLAG, NULL, F(reverse), 0, 0, NULL, true, "reverse the sort order"},
    {"window", 'w', K_WINDOW, "WIN", F(window), 0, 0, "1m", true, "statistics over this window"},
    {"theme", 't', K_STRING, "NAME|PATH", F(theme), 0, 0, "default", true,
     "colour theme: a name from the themes folder or a file"},
    {"refresh", 'R', K_MS, "MS", F(refresh_ms), 100, 60000, "1000", true,
     "screen refresh period in milliseconds"},
    {"snapshot-dir", 'D', K_STRING, "DIR", F(snapshot_dir), 0, 0, ".", true,
     "where 's' writes snapshot files"},
    {"snapshot-format", 'S', K_FORMAT, "FMT", F(snapshot_format), 0, 0, "text", true,
     "format of the snapshots 's' writes"},
    {"snapshot", 'O', K_STRING, "FILE", F(snapshot), 0, 0, NULL, false,
     "with --once: write the view to FILE (atomically) instead of stdout"},
    {"baseline", 'B', K_STRING, "FILE", F(baseline), 0, 0, NULL, true,
     "a JSON snapshot to compare against"},
    {"slo", 'L', K_STRING, "FILE", F(slo), 0, 0, NULL, true,
     "SLO rules to check (docs/slo.md); default $XDG_CONFIG_HOME/hotmon/slo.rules when it exists"},
    {"events", 'E', K_STRING, "FILE", F(events), 0, 0, NULL, true,
     "append SLO breach and recovery events to FILE as JSON lines"},
    {"report", 'P', K_STRING, "FILE", F(report), 0, 0, NULL, true,
     "write a Markdown soak report to FILE on quit (with --once: at the end)"},
    {"help", 'h', K_FLAG, NULL, F(help), 0, 0, NULL, false, "show this help and exit"},
    {"version", 'V', K_FLAG, NULL, F(version), 0, 0, NULL, false, "show the version and exit"},
};
#define NOPTIONS (sizeof options / sizeof options[0])

static const option_t *by_short(int c)
{
    for (size_t i = 0; i < NOPTIONS; i++)
        if (options[i].short_name == c)
            return &options[i];
    return NULL;
}

static const option_t *by_name(const char *name)
{
    for (size_t i = 0; i < NOPTIONS; i++)
        if (strcmp(options[i].name, name) == 0)
            return &options[i];
    return NULL;
}

/* Appends "a, b, c or d" from a table of names to buf. */
static void list_names(char *buf, size_t n, size_t count, const char *(*name_of)(size_t i))
{
    size_t len = strlen(buf), done = 0;
    for (size_t i = 0; i < count && len < n; i++) {
        const char *name = name_of(i);
        if (!name)
            continue;
        bool last = true;
        for (size_t j = i + 1; j < count; j++)
            last = last && !name_of(j);
        len += (size_t)snprintf(buf + len, n - len, "%s%s", done == 0 ? "" : last ? " or " : ", ",
                                name);
        done++;
    }
}

static const char *format_name(size_t i)
{
    return hm_format_name((hm_format_t)i);
}

static const char *window_name(size_t i)
{
    return hm_win_name((hm_win_t)i);
}

static const char *sortable_name(size_t i)
{
    const hm_column_t *c = hm_column((hm_col_t)i);
    return c->sortable ? c->name : NULL;
}

/* What option o accepts, in words, into buf. */
static const char *accepted(const option_t *o, char *buf, size_t n)
{
    buf[0] = '\0';
    switch (o->kind) {
    case K_FLAG:
        snprintf(buf, n, "no value");
        break;
    case K_STRING:
        snprintf(buf, n, "%s", o->arg);
        break;
    case K_FILTER:
        snprintf(buf, n, "a substring, ~ and an extended regular expression, or ! and either");
        break;
    case K_SECONDS:
        snprintf(buf, n, "a number of seconds above %g and at most %g", o->lo, o->hi);
        break;
    case K_MS:
        snprintf(buf, n, "a whole number from %g to %g", o->lo, o->hi);
        break;
    case K_FORMAT:
        snprintf(buf, n, "one of ");
        list_names(buf, n, HM_FMT__COUNT, format_name);
        break;
    case K_COLUMN:
        snprintf(buf, n, "one of ");
        list_names(buf, n, HM_COL__COUNT, sortable_name);
        break;
    case K_WINDOW:
        snprintf(buf, n, "one of ");
        list_names(buf, n, HM_WIN__COUNT, window_name);
        break;
    }
    return buf;
}

/* Reads text as the value of o into *s. Returns 0, or EINVAL with
 * "--name: 'text' is not ACCEPTED" in why. */
static int apply(hm_settings_t *s, const option_t *o, const char *value, char *why, size_t n)
{
    char *field = (char *)s + o->offset;
    bool ok = true;
    switch (o->kind) {
    case K_FLAG:
        *(bool *)field = true;
        return 0;
    case K_STRING:
        if (*value == '\0') {
            snprintf(why, n, "--%s: wants %s, not an empty value", o->name, o->arg);
            return EINVAL;
        }
        *(const char **)field = value;
        return 0;
    case K_FILTER: {
        hm_filter_t *f = NULL;
        const char *cause = NULL;
        if (hm_filter_new(value, &f, &cause) != 0) {
            snprintf(why, n, "--%s: '%s' is not a valid filter: %s", o->name, value, cause);
            return EINVAL;
        }
        hm_filter_destroy(&f);
        *(const char **)field = value;
        return 0;
    }
    case K_SECONDS:
    case K_MS: {
        char *end = NULL;
        errno = 0;
        double v = strtod(value, &end);
        /* written so that NaN fails every comparison and is refused; plain
         * decimals only, not strtod's hex (0x10) or exponents (1e3) */
        ok = errno == 0 && end != value && *end == '\0' &&
             strspn(value, "0123456789.") == strlen(value) &&
             (o->kind == K_SECONDS ? v > o->lo && v <= o->hi
                                   : v >= o->lo && v <= o->hi && v == floor(v));
        if (ok && o->kind == K_SECONDS)
            *(double *)field = v;
        else if (ok)
            *(unsigned *)field = (unsigned)v;
        break;
    }
    case K_FORMAT:
        ok = hm_format_parse(value, (hm_format_t *)field);
        break;
    case K_COLUMN: {
        hm_col_t col;
        ok = hm_column_parse(value, &col) && hm_column(col)->sortable;
        if (ok)
            *(hm_col_t *)field = col;
        break;
    }
    case K_WINDOW:
        ok = hm_win_parse(value, (hm_win_t *)field);
        break;
    }
    if (!ok) {
        char acc[200];
        snprintf(why, n, "--%s: '%s' is not %s", o->name, value, accepted(o, acc, sizeof acc));
        return EINVAL;
    }
    return 0;
}

void hm_settings_defaults(hm_settings_t *s)
{
    memset(s, 0, sizeof *s);
    for (size_t i = 0; i < NOPTIONS; i++) {
        char why[256];
        if (options[i].def) {
            int rc = apply(s, &options[i], options[i].def, why, sizeof why);
            assert(rc == 0 && "a default in the option table fails its own check");
            (void)rc;
        }
    }
}

void hm_settings_fini(hm_settings_t *s)
{
    for (size_t i = 0; i < s->nowned; i++)
        free(s->owned[i]);
    s->nowned = 0;
}

bool hm_settings_descending(const hm_settings_t *s)
{
    return (s->sort != HM_COL_NAME) != s->reverse;
}

int hm_settings_parse_args(hm_settings_t *s, int argc, char **argv, char *why, size_t why_len)
{
    struct option longs[NOPTIONS + 1];
    char shorts[NOPTIONS * 2 + 2] = ":";
    size_t k = 1;
    for (size_t i = 0; i < NOPTIONS; i++) {
        longs[i] = (struct option){options[i].name,
                                   options[i].kind == K_FLAG ? no_argument : required_argument,
                                   NULL, options[i].short_name};
        shorts[k++] = (char)options[i].short_name;
        if (options[i].kind != K_FLAG)
            shorts[k++] = ':';
    }
    longs[NOPTIONS] = (struct option){0, 0, 0, 0};
    shorts[k] = '\0';
    optind = 0; /* getopt keeps global state; 0 (not 1) makes glibc forget all of it */
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
        const char *arg = argv[optind - 1];
        if (c == '?') {
            if (optopt && by_short(optopt) && strncmp(arg, "--", 2) == 0)
                snprintf(why, why_len, "option '%s' takes no value", arg);
            else if (optopt)
                snprintf(why, why_len, "unknown option '-%c'", optopt);
            else
                snprintf(why, why_len, "unknown option '%s'", arg);
            return EINVAL;
        }
        if (c == ':') {
            const option_t *o = by_short(optopt);
            char acc[200];
            assert(o);
            snprintf(why, why_len, "option '--%s' needs a value: %s", o->name,
                     accepted(o, acc, sizeof acc));
            return EINVAL;
        }
        const option_t *o = by_short(c);
        assert(o);
        int rc = apply(s, o, optarg, why, why_len);
        if (rc)
            return rc;
    }
    if (optind < argc) {
        snprintf(why, why_len, "unexpected argument '%s' (hotmon takes options only)",
                 argv[optind]);
        return EINVAL;
    }
    if (s->snapshot && !s->once) {
        snprintf(why, why_len, "--snapshot: goes with --once (in the dashboard, press 's')");
        return EINVAL;
    }
    return 0;
}

static char *trim(char *p)
{
    while (isspace((unsigned char)*p))
        p++;
    char *e = p + strlen(p);
    while (e > p && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return p;
}

/* A flag's value in the config file: 1 true, 0 false, -1 neither. */
static int truth(const char *v)
{
    static const char *const yes[] = {"true", "yes", "on", "1"}, *const no[] = {"false", "no",
                                                                                 "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(v, yes[i]) == 0)
            return 1;
        if (strcasecmp(v, no[i]) == 0)
            return 0;
    }
    return -1;
}

/* Applies one config line (comment already cut, trimmed, not empty). */
static int apply_line(hm_settings_t *s, char *p, char *why, size_t n)
{
    char *eq = strchr(p, '=');
    if (!eq) {
        snprintf(why, n, "expected 'key = value', got '%s'", p);
        return EINVAL;
    }
    *eq = '\0';
    char *key = trim(p), *value = trim(eq + 1);
    const option_t *o = by_name(key);
    if (!o || !o->config) {
        snprintf(why, n, "unknown key '%s' (keys are long option names; see hotmon --help)",
                 key);
        return EINVAL;
    }
    if (o->kind == K_FLAG) {
        int t = truth(value);
        if (t < 0) {
            snprintf(why, n, "%s: '%s' is not true or false", key, value);
            return EINVAL;
        }
        *(bool *)((char *)s + o->offset) = t;
        return 0;
    }
    if (o->kind == K_STRING || o->kind == K_FILTER) {
        /* strings are kept in s: argv's are borrowed, the file's lines are not */
        if (s->nowned == HM_SETTINGS_OWNED_MAX || !(value = strdup(value))) {
            snprintf(why, n, "too many settings");
            return ENOMEM;
        }
        s->owned[s->nowned++] = value;
    }
    char msg[512];
    int rc = apply(s, o, value, msg, sizeof msg);
    if (rc)
        snprintf(why, n, "%s", msg + 2); /* the key, without the "--" */
    return rc;
}

/* One line of the config file, for hm_text_read. */
static int config_line(void *ctx, char *line, char *why, size_t why_len)
{
    char *hash = strchr(line, '#');
    if (hash)
        *hash = '\0';
    char *p = trim(line);
    return *p ? apply_line(ctx, p, why, why_len) : 0;
}

int hm_settings_load_file(hm_settings_t *s, const char *path, char *why, size_t why_len)
{
    char msg[1024];
    int rc = hm_text_read(path, config_line, s, msg, sizeof msg);
    if (rc && rc != ENOENT) /* no file: nothing to say */
        snprintf(why, why_len, "%s", msg);
    return rc;
}

const char *hm_settings_config_path(const char *file, char *buf, size_t n)
{
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    if (xdg && *xdg)
        snprintf(buf, n, "%s/hotmon/%s", xdg, file);
    else if (home && *home)
        snprintf(buf, n, "%s/.config/hotmon/%s", home, file);
    else
        return NULL;
    return buf;
}

void hm_settings_usage(FILE *out)
{
    fputs("Usage: hotmon [OPTION]...\n"
          "A live latency dashboard: per-endpoint rate, percentiles, errors, in-flight and "
          "queue.\n"
          "With no option it listens on tcp://127.0.0.1:7450 and shows what services publish.\n\n",
          out);
    for (size_t i = 0; i < NOPTIONS; i++) {
        const option_t *o = &options[i];
        char flag[64], acc[200] = "", more[300] = "";
        snprintf(flag, sizeof flag, "-%c, --%s%s%s", o->short_name, o->name, o->arg ? " " : "",
                 o->arg ? o->arg : "");
        fprintf(out, "  %-28s %s\n", flag, o->help);
        if (o->kind != K_FLAG && o->kind != K_STRING && o->kind != K_FILTER)
            accepted(o, acc, sizeof acc);
        if (*acc && o->def)
            snprintf(more, sizeof more, "%s; default %s", acc, o->def);
        else if (*acc || o->def)
            snprintf(more, sizeof more, "%s%s%s", acc, o->def ? "default " : "",
                     o->def ? o->def : "");
        if (*more)
            fprintf(out, "  %-28s (%s)\n", "", more);
    }
    fputs("\nSettings can also go in $XDG_CONFIG_HOME/hotmon/config (else\n"
          "~/.config/hotmon/config) as 'key = value' lines, keys being the long option\n"
          "names but once, snapshot, help and version; flags take true or false. The\n"
          "command line overrides the file. Keys inside the dashboard: press '?'.\n"
          "Exit status: 0 ok, 1 failure, 2 usage error or address in use.\n",
          out);
}
