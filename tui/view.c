/*
 * view.c - the column table, the filter and the sorted rows (see view.h).
 */
#include "view.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "baseline.h"
#include "escape.h"
#include "format.h"
#include "sparkline.h"

/* The master copy of the table's columns. `drop`: higher numbers go first
 * when the terminal is narrow; 0 never goes. */
static const hm_column_t columns[HM_COL__COUNT] = {
    [HM_COL_NAME] = {"name", "ENDPOINT", 16, false, 0, true, false},
    [HM_COL_RATE] = {"rate", "RATE/s", 7, true, 0, true, false},
    [HM_COL_P50] = {"p50", "P50", 7, true, 4, true, false},
    [HM_COL_P95] = {"p95", "P95", 7, true, 3, true, false},
    [HM_COL_P99] = {"p99", "P99", 7, true, 0, true, false},
    [HM_COL_MAX] = {"max", "MAX", 7, true, 7, true, false},
    [HM_COL_ERRORS] = {"errors", "ERR%", 6, true, 0, true, false},
    [HM_COL_INFLIGHT] = {"inflight", "INFLT", 5, true, 8, true, false},
    [HM_COL_QUEUE] = {"queue", "QUEUE", 5, true, 9, true, false},
    [HM_COL_SLO] = {"slo", "SLO", 4, false, 10, true, false},
    [HM_COL_TREND] = {"trend", "P99 TREND (1m)", 15, false, 11, false, false},
    [HM_COL_D_P50] = {"d_p50", "dP50", 7, true, 5, false, true},
    [HM_COL_D_P99] = {"d_p99", "dP99", 7, true, 1, false, true},
    [HM_COL_D_RATE] = {"d_rate", "dRATE", 7, true, 6, false, true},
    [HM_COL_D_ERRORS] = {"d_errors", "dERR", 7, true, 2, false, true},
};

const hm_column_t *hm_column(hm_col_t col)
{
    assert(col < HM_COL__COUNT);
    return &columns[col];
}

bool hm_column_parse(const char *name, hm_col_t *out)
{
    for (int i = 0; i < HM_COL__COUNT; i++) {
        if (strcasecmp(name, columns[i].name) == 0) {
            *out = (hm_col_t)i;
            return true;
        }
    }
    return false;
}

double hm_column_value(const hm_snap_endpoint_t *e, hm_win_t win, hm_col_t col)
{
    const hm_snap_stats_t *s = &e->win[win];
    switch (col) {
    case HM_COL_RATE:
        return s->rate;
    case HM_COL_P50:
        return (double)s->p50_ns;
    case HM_COL_P95:
        return (double)s->p95_ns;
    case HM_COL_P99:
    case HM_COL_TREND:
        return (double)s->p99_ns;
    case HM_COL_MAX:
        return (double)s->max_ns;
    case HM_COL_ERRORS:
        return s->error_rate;
    case HM_COL_INFLIGHT:
        return (double)e->inflight.now;
    case HM_COL_QUEUE:
        return (double)e->queue.now;
    case HM_COL_SLO: /* breaches first, then drift */
        return e->slo_state * 2 + e->drift.drifting;
    default:
        return 0;
    }
}

/* p99 of the last minute, one cell per 4 seconds (the worst of them). */
static void trend(const hm_snap_endpoint_t *e, int cells, bool utf8, char *buf, size_t n)
{
    enum { SECONDS = 60 };
    uint32_t v[SECONDS];
    int per = (SECONDS + cells - 1) / cells, k = 0;
    const hm_second_t *h = e->history + HM_WINDOW_HISTORY - SECONDS;
    for (int i = 0; i < SECONDS; i += per, k++) {
        uint32_t worst = 0;
        for (int j = i; j < i + per && j < SECONDS; j++)
            worst = h[j].p99_us > worst ? h[j].p99_us : worst;
        v[k] = worst;
    }
    hm_sparkline(v, (size_t)k, cells, utf8, buf, n);
}

char *hm_column_format(const hm_snap_endpoint_t *e, hm_win_t win, hm_col_t col, bool utf8,
                       char *buf, size_t n)
{
    const hm_snap_stats_t *s = &e->win[win];
    bool none = s->count == 0;
    switch (col) {
    case HM_COL_NAME:
        return hm_escape(e->name, utf8, buf, n);
    case HM_COL_RATE:
        return hm_format_rate(s->rate, buf, n);
    case HM_COL_P50:
    case HM_COL_P95:
    case HM_COL_P99:
    case HM_COL_MAX:
        if (none) {
            snprintf(buf, n, "-");
            return buf;
        }
        return hm_format_duration((uint64_t)hm_column_value(e, win, col), utf8, buf, n);
    case HM_COL_ERRORS:
        if (none) {
            snprintf(buf, n, "-");
            return buf;
        }
        return hm_format_percent(s->error_rate, buf, n);
    case HM_COL_INFLIGHT:
        snprintf(buf, n, "%lld", (long long)e->inflight.now);
        return buf;
    case HM_COL_QUEUE:
        snprintf(buf, n, "%lld", (long long)e->queue.now);
        return buf;
    case HM_COL_SLO: {
        /* The worst of: a breach, p95 drifting (slo.c), rules held, no rule. */
        const char *text = e->slo_state == HM_SLO_STATE_BREACH ? "FAIL"
                           : e->drift.drifting                 ? "DRFT"
                           : e->slo_state == HM_SLO_STATE_OK   ? "ok"
                                                               : "-";
        snprintf(buf, n, "%s", text);
        return buf;
    }
    case HM_COL_TREND:
        trend(e, columns[HM_COL_TREND].width, utf8, buf, n);
        return buf;
    default: /* the baseline columns need a view: hm_view_cell */
        snprintf(buf, n, "-");
        return buf;
    }
}

char *hm_view_cell(const hm_view_t *v, size_t row, hm_col_t col, bool utf8, char *buf, size_t n,
                   bool *worse)
{
    const hm_snap_endpoint_t *e = &v->snap->endpoints[v->rows[row]];
    bool bad = false;
    if (!columns[col].baseline) {
        hm_column_format(e, v->win, col, utf8, buf, n);
    } else {
        hm_delta_t d = hm_baseline_compare(v->baseline, e, v->win);
        if (!d.known)
            snprintf(buf, n, v->baseline ? "new" : "-");
        else if (col == HM_COL_D_P50)
            hm_baseline_format(d.p50, bad = d.p50_worse, buf, n);
        else if (col == HM_COL_D_P99)
            hm_baseline_format(d.p99, bad = d.p99_worse, buf, n);
        else if (col == HM_COL_D_RATE)
            hm_baseline_format(d.rate, bad = d.rate_worse, buf, n);
        else {
            char pp[32];
            hm_format_fixed(d.errors_pp, 2, pp, sizeof pp); /* not "%+.2f": no locale's comma */
            snprintf(buf, n, "%s%s%s", pp[0] == '-' ? "" : "+", pp,
                     (bad = d.errors_worse) ? " !" : "");
        }
    }
    if (worse)
        *worse = bad;
    return buf;
}

/* --- the filter ------------------------------------------------------------ */

struct hm_filter {
    char *text;
    bool invert;
    bool all;             /* nothing to match: the filter lets everything through */
    bool regex;
    regex_t re;
    const char *needle;   /* the substring, inside text */
};

/* Whether a pattern would make regcomp or regexec costly out of all
 * proportion to a filter: glibc allocates gigabytes for a few hundred
 * stacked quantifiers ("a++++..."), which POSIX leaves undefined anyway;
 * huge {m,n} bounds multiply, and back-references make matching
 * exponential. Returns the reason, or NULL when the pattern is fine. */
static const char *regex_costly(const char *re)
{
    enum { MAX_QUANTIFIERS = 32, MAX_BOUND = 255 };
    int quantifiers = 0;
    bool after_quantifier = false;
    for (const char *p = re; *p; p++) {
        if (*p == '\\') {
            if (p[1] >= '1' && p[1] <= '9')
                return "regular expression: back-references are not allowed in a filter";
            if (p[1])
                p++;
            after_quantifier = false;
            continue;
        }
        if (*p == '[') { /* a bracket expression: its characters are literal */
            const char *q = p + 1;
            if (*q == '^')
                q++;
            if (*q == ']')
                q++;
            while (*q && *q != ']')
                q++;
            if (!*q)
                return NULL; /* regcomp reports the unmatched [ */
            p = q;
            after_quantifier = false;
            continue;
        }
        bool quant = *p == '*' || *p == '+' || *p == '?' || *p == '{';
        if (quant && after_quantifier)
            return "regular expression: a quantifier cannot follow another";
        if (quant && ++quantifiers > MAX_QUANTIFIERS)
            return "regular expression: too many quantifiers for a filter";
        if (*p == '{') {
            for (const char *q = p + 1; *q && *q != '}'; q++) {
                if (*q >= '0' && *q <= '9' && strtol(q, NULL, 10) > MAX_BOUND)
                    return "regular expression: a { } bound above 255";
                while (q[1] >= '0' && q[1] <= '9')
                    q++;
            }
            while (*p && *p != '}')
                p++;
            if (!*p)
                return NULL; /* regcomp reports the unmatched { */
        }
        after_quantifier = quant;
    }
    return NULL;
}

/* A static message for each regcomp error, since the filter that would own
 * regerror's text is not made. */
static const char *regex_why(int rc)
{
    switch (rc) {
    case REG_EPAREN:
        return "regular expression: unmatched ( or )";
    case REG_EBRACK:
        return "regular expression: unmatched [ or ]";
    case REG_EBRACE:
        return "regular expression: unmatched { or }";
    case REG_BADBR:
        return "regular expression: bad repetition count in { }";
    case REG_BADRPT:
        return "regular expression: *, + or ? with nothing before it";
    case REG_EESCAPE:
        return "regular expression: trailing backslash";
    case REG_ECTYPE:
        return "regular expression: unknown character class";
    case REG_ERANGE:
        return "regular expression: bad range in [ ]";
    case REG_ESPACE:
        return "regular expression: out of memory";
    default:
        return "bad regular expression";
    }
}

int hm_filter_new(const char *text, hm_filter_t **out, const char **why)
{
    assert(out);
    const char *ignored;
    if (!why)
        why = &ignored;
    hm_filter_t *f = calloc(1, sizeof *f);
    if (!f || !(f->text = strdup(text ? text : ""))) {
        free(f);
        *why = "out of memory";
        return ENOMEM;
    }
    const char *p = f->text;
    if (*p == '!') {
        f->invert = true;
        p++;
    }
    if (*p == '~') {
        f->regex = true;
        p++;
    }
    /* "", "!" and "~" (half-typed filters) match everything rather than nothing. */
    f->all = *p == '\0';
    if (f->regex && !f->all) {
        const char *costly = regex_costly(p);
        int rc = costly ? REG_ESPACE : regcomp(&f->re, p, REG_EXTENDED | REG_NOSUB | REG_ICASE);
        if (rc != 0) {
            *why = costly ? costly : regex_why(rc);
            free(f->text);
            free(f);
            return EINVAL;
        }
    } else {
        f->regex = false;
    }
    f->needle = p;
    *out = f;
    return 0;
}

void hm_filter_destroy(hm_filter_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    hm_filter_t *f = *self_p;
    if (f->regex)
        regfree(&f->re);
    free(f->text);
    free(f);
    *self_p = NULL;
}

static bool hits(const hm_filter_t *f, const char *s)
{
    return f->regex ? regexec(&f->re, s, 0, NULL, 0) == 0 : strcasestr(s, f->needle) != NULL;
}

/* A name matches by its raw bytes or as the screen shows it escaped, so
 * typing "\x1b" or "\u202e" finds the names that hold those characters. */
bool hm_filter_match(const hm_filter_t *f, const char *name)
{
    if (!f || f->all)
        return true;
    bool hit = hits(f, name);
    if (!hit) {
        bool plain = true;
        for (const unsigned char *p = (const unsigned char *)name; *p && plain; p++)
            plain = *p >= 0x20 && *p < 0x7F;
        if (!plain) {
            char shown[HM_SNAP_NAME_MAX * 10 + 1];
            if (strlen(name) <= HM_SNAP_NAME_MAX)
                hit = hits(f, hm_escape(name, false, shown, sizeof shown));
        }
    }
    return hit != f->invert;
}

const char *hm_filter_text(const hm_filter_t *f)
{
    return f ? f->text : "";
}

/* --- the view -------------------------------------------------------------- */

typedef struct {
    const hm_snapshot_t *snap;
    hm_win_t win;
    hm_col_t col;
    bool desc;
} order_t;

static int compare(const void *a, const void *b, void *arg)
{
    const order_t *o = arg;
    const hm_snap_endpoint_t *x = &o->snap->endpoints[*(const size_t *)a];
    const hm_snap_endpoint_t *y = &o->snap->endpoints[*(const size_t *)b];
    if (x->other != y->other)
        return x->other ? 1 : -1; /* (other) stays last whatever the order */
    int c = 0;
    if (o->col != HM_COL_NAME) {
        double vx = hm_column_value(x, o->win, o->col), vy = hm_column_value(y, o->win, o->col);
        c = (vx > vy) - (vx < vy);
    } else {
        c = strcmp(x->name, y->name);
    }
    if (o->desc)
        c = -c;
    return c ? c : strcmp(x->name, y->name);
}

int hm_view_build(hm_view_t *v, hm_snapshot_t *snap, const hm_filter_t *filter, hm_win_t win,
                  hm_col_t sort, bool descending)
{
    memset(v, 0, sizeof *v);
    size_t *rows = malloc((snap->nendpoints ? snap->nendpoints : 1) * sizeof *rows);
    if (!rows)
        return ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < snap->nendpoints; i++)
        if (hm_filter_match(filter, snap->endpoints[i].name))
            rows[n++] = i;
    order_t o = {snap, win, sort, descending};
    qsort_r(rows, n, sizeof *rows, compare, &o);
    v->snap = hm_snapshot_ref(snap);
    v->win = win;
    v->sort = sort;
    v->descending = descending;
    v->rows = rows;
    v->nrows = n;
    v->total = snap->nendpoints;
    return 0;
}

void hm_view_fini(hm_view_t *v)
{
    hm_snapshot_release(&v->snap);
    free(v->rows);
    memset(v, 0, sizeof *v);
}
