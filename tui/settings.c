/*
 * settings.c - the option table and its parsers (see settings.h).
 */
#include "settings.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

typedef enum { K_FLAG, K_STRING, K_SECONDS, K_MS, K_FORMAT, K_COLUMN, K_WINDOW } kind_t;

typedef struct {
    const char *name;      /* --name, and the config key */
    int short_name;        /* 0: none */
    kind_t kind;
    const char *arg;       /* the argument's name in --help */
    size_t offset;         /* field in hm_settings_t */
    double lo, hi;         /* range for numbers */
    const char *help;
} option_t;

#define F(field) offsetof(hm_settings_t, field)

/* The master copy of hotmon's options. */
static const option_t options[] = {
    {"bind", 'b', K_STRING, "ADDR", F(bind), 0, 0,
     "embedded collector address (default tcp://127.0.0.1:7450)"},
    {"connect", 'c', K_STRING, "ADDR", F(connect), 0, 0,
     "watch a running hotmon-collector (not yet supported)"},
    {"demo", 'd', K_FLAG, NULL, F(demo), 0, 0, "also run synthetic services, to see hotmon move"},
    {"once", 'o', K_FLAG, NULL, F(once), 0, 0, "collect, print one view to stdout and exit"},
    {"after", 'a', K_SECONDS, "SECONDS", F(after_s), 0.1, 86400,
     "with --once: seconds to collect first (default 2)"},
    {"format", 'f', K_FORMAT, "FMT", F(format), 0, 0,
     "with --once: text, md, csv or json (default text)"},
    {"filter", 'F', K_STRING, "TEXT", F(filter), 0, 0,
     "show matching endpoints: substring, ~regex, !inverted"},
    {"sort", 's', K_COLUMN, "COLUMN", F(sort), 0, 0,
     "sort by name, rate, p50, p95, p99, max, errors, inflight or queue (default p99)"},
    {"reverse", 'r', K_FLAG, NULL, F(reverse), 0, 0, "reverse the sort order"},
    {"window", 'w', K_WINDOW, "WIN", F(window), 0, 0, "10s, 1m, 5m or all (default 1m)"},
    {"theme", 't', K_STRING, "NAME|PATH", F(theme), 0, 0, "colour theme (default: default)"},
    {"refresh", 'R', K_MS, "MS", F(refresh_ms), 100, 60000,
     "screen refresh in milliseconds (default 1000)"},
    {"snapshot-dir", 'D', K_STRING, "DIR", F(snapshot_dir), 0, 0,
     "where 's' writes snapshots (default: the current directory)"},
    {"snapshot-format", 'S', K_FORMAT, "FMT", F(snapshot_format), 0, 0,
     "format of 's' snapshots: text, md, csv or json (default text)"},
    {"snapshot", 'O', K_STRING, "FILE", F(snapshot), 0, 0,
     "with --once: write the view to FILE (atomically) instead of stdout"},
    {"baseline", 'B', K_STRING, "FILE", F(baseline), 0, 0,
     "a JSON snapshot to compare against (not yet supported)"},
    {"help", 'h', K_FLAG, NULL, F(help), 0, 0, "show this help"},
    {"version", 'V', K_FLAG, NULL, F(version), 0, 0, "show the version"},
};
#define NOPTIONS (sizeof options / sizeof options[0])

void hm_settings_defaults(hm_settings_t *s)
{
    memset(s, 0, sizeof *s);
    s->bind = "tcp://127.0.0.1:7450";
    s->after_s = 2;
    s->format = HM_FMT_TEXT;
    s->sort = HM_COL_P99;
    s->window = HM_WIN_1M;
    s->theme = "default";
    s->refresh_ms = 1000;
    s->snapshot_dir = ".";
    s->snapshot_format = HM_FMT_TEXT;
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

/* Sets option o from text value (NULL for flags). */
static int apply(hm_settings_t *s, const option_t *o, const char *value, char *why, size_t n)
{
    char *field = (char *)s + o->offset;
    char *end = NULL;
    switch (o->kind) {
    case K_FLAG:
        *(bool *)field = true;
        return 0;
    case K_STRING:
        *(const char **)field = value;
        return 0;
    case K_SECONDS:
    case K_MS: {
        errno = 0;
        double v = strtod(value, &end);
        if (errno || end == value || *end || v < o->lo || v > o->hi) {
            snprintf(why, n, "--%s: '%s' is not a number from %g to %g", o->name, value, o->lo,
                     o->hi);
            return EINVAL;
        }
        if (o->kind == K_MS)
            *(unsigned *)field = (unsigned)v;
        else
            *(double *)field = v;
        return 0;
    }
    case K_FORMAT:
        if (!hm_format_parse(value, (hm_format_t *)field)) {
            snprintf(why, n, "--%s: '%s' is not one of text, md, csv, json", o->name, value);
            return EINVAL;
        }
        return 0;
    case K_COLUMN:
        if (!hm_column_parse(value, (hm_col_t *)field) || !hm_column(*(hm_col_t *)field)->sortable) {
            snprintf(why, n,
                     "--%s: '%s' is not one of name, rate, p50, p95, p99, max, errors, inflight, "
                     "queue",
                     o->name, value);
            return EINVAL;
        }
        return 0;
    case K_WINDOW:
        if (!hm_win_parse(value, (hm_win_t *)field)) {
            snprintf(why, n, "--%s: '%s' is not one of 10s, 1m, 5m, all", o->name, value);
            return EINVAL;
        }
        return 0;
    }
    return EINVAL;
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
    optind = 1;
    opterr = 0;
    int c, idx;
    while ((c = getopt_long(argc, argv, shorts, longs, &idx)) != -1) {
        if (c == '?') {
            if (optopt)
                snprintf(why, why_len, "unknown option '-%c'", optopt);
            else
                snprintf(why, why_len, "unknown option '%s'", argv[optind - 1]);
            return EINVAL;
        }
        if (c == ':') {
            snprintf(why, why_len, "option '%s' needs a value", argv[optind - 1]);
            return EINVAL;
        }
        for (size_t i = 0; i < NOPTIONS; i++)
            if (options[i].short_name == c) {
                int rc = apply(s, &options[i], optarg, why, why_len);
                if (rc)
                    return rc;
            }
    }
    if (optind < argc) {
        snprintf(why, why_len, "unexpected argument '%s'", argv[optind]);
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

int hm_settings_load_file(hm_settings_t *s, const char *path, char *why, size_t why_len)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        int e = errno;
        if (e != ENOENT)
            snprintf(why, why_len, "%s: %s", path, strerror(e));
        return e;
    }
    char line[1024];
    int rc = 0;
    for (unsigned no = 1; rc == 0 && fgets(line, sizeof line, f); no++) {
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *p = trim(line);
        if (!*p)
            continue;
        char *eq = strchr(p, '=');
        char *key = trim(eq ? (*eq = '\0', p) : p), *value = eq ? trim(eq + 1) : NULL;
        const option_t *o = NULL;
        for (size_t i = 0; i < NOPTIONS; i++)
            if (strcmp(options[i].name, key) == 0)
                o = &options[i];
        bool ok = false;
        if (o && o->kind == K_FLAG)
            ok = !value || strcmp(value, "true") == 0 || strcmp(value, "yes") == 0;
        else if (o)
            ok = value && *value;
        if (!ok) {
            snprintf(why, why_len, "%s:%u: %s '%s'", path, no,
                     !o ? "unknown key" : "bad or missing value for", key);
            rc = EINVAL;
            break;
        }
        if (o->kind == K_STRING) {
            if (s->nowned == HM_SETTINGS_OWNED_MAX || !(value = strdup(value))) {
                snprintf(why, why_len, "%s:%u: too many settings", path, no);
                rc = EINVAL;
                break;
            }
            s->owned[s->nowned++] = value;
        }
        char msg[256];
        if (apply(s, o, value, msg, sizeof msg) != 0) {
            snprintf(why, why_len, "%s:%u: %s", path, no, msg + 2); /* drop the "--" */
            rc = EINVAL;
        }
    }
    fclose(f);
    return rc;
}

const char *hm_settings_config_path(char *buf, size_t n)
{
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    if (xdg && *xdg)
        snprintf(buf, n, "%s/hotmon/config", xdg);
    else if (home && *home)
        snprintf(buf, n, "%s/.config/hotmon/config", home);
    else
        return NULL;
    return buf;
}

void hm_settings_usage(FILE *out)
{
    fputs("Usage: hotmon [OPTION]...\n"
          "A live latency dashboard: per-endpoint rate, percentiles, errors, in-flight and queue.\n"
          "With no option it listens on tcp://127.0.0.1:7450 and shows what services publish.\n\n",
          out);
    for (size_t i = 0; i < NOPTIONS; i++) {
        const option_t *o = &options[i];
        char flag[64];
        bool printable = o->short_name > ' ' && o->short_name < 127;
        snprintf(flag, sizeof flag, "%s%c%s--%s%s%s", printable ? "-" : "",
                 printable ? o->short_name : ' ', printable ? ", " : "  ", o->name,
                 o->arg ? " " : "", o->arg ? o->arg : "");
        fprintf(out, "  %-28s %s\n", flag, o->help);
    }
    fputs("\nSettings can also go in $XDG_CONFIG_HOME/hotmon/config as 'key = value' lines,\n"
          "keys being the long option names. Keys inside hotmon: press '?'.\n"
          "Exit status: 0 ok, 1 failure, 2 usage error.\n",
          out);
}
