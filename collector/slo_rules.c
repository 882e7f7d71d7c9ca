/*
 * slo_rules.c - SLO rule files into rules (see slo_rules.h). Numbers are
 * read here by hand, not with strtod, because hotmon runs under the user's
 * locale and "1.5" must mean the same in Berlin.
 */
#include "slo_rules.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"

#define NS_PER_S 1000000000.0

/* The master copy of the statistics. */
static const struct {
    const char *name;
    hm_slo_unit_t unit;
    double quantile;
} stats[HM_SLO__STATS] = {
    [HM_SLO_P50] = {"p50", HM_SLO_UNIT_NS, 0.50},
    [HM_SLO_P90] = {"p90", HM_SLO_UNIT_NS, 0.90},
    [HM_SLO_P95] = {"p95", HM_SLO_UNIT_NS, 0.95},
    [HM_SLO_P99] = {"p99", HM_SLO_UNIT_NS, 0.99},
    [HM_SLO_P999] = {"p99.9", HM_SLO_UNIT_NS, 0.999},
    [HM_SLO_MEAN] = {"mean", HM_SLO_UNIT_NS, 0},
    [HM_SLO_MAX] = {"max", HM_SLO_UNIT_NS, 0},
    [HM_SLO_ERROR_RATE] = {"error_rate", HM_SLO_UNIT_FRACTION, 0},
    [HM_SLO_INFLIGHT] = {"inflight", HM_SLO_UNIT_COUNT, 0},
    [HM_SLO_QUEUE] = {"queue", HM_SLO_UNIT_COUNT, 0},
    [HM_SLO_RATE] = {"rate", HM_SLO_UNIT_PER_S, 0},
};

static const char *const op_names[] = {"<", "<=", ">", ">="};

const char *hm_slo_stat_name(hm_slo_stat_t s)
{
    return stats[s].name;
}

hm_slo_unit_t hm_slo_stat_unit(hm_slo_stat_t s)
{
    return stats[s].unit;
}

double hm_slo_stat_quantile(hm_slo_stat_t s)
{
    return stats[s].quantile;
}

bool hm_slo_holds(const hm_slo_rule_t *r, double v)
{
    switch (r->op) {
    case HM_SLO_LT: return v < r->bound;
    case HM_SLO_LE: return v <= r->bound;
    case HM_SLO_GT: return v > r->bound;
    case HM_SLO_GE: return v >= r->bound;
    }
    return false;
}

/* Trims a formatted number's trailing zeros: "60.000" -> "60". */
static void trim(char *s)
{
    char *dot = strchr(s, '.');
    if (!dot)
        return;
    char *end = s + strlen(s);
    while (end > dot + 1 && end[-1] == '0')
        *--end = '\0';
    if (end == dot + 1)
        *dot = '\0';
}

/* Locale-free, to at most digits decimals, trailing zeros trimmed. From
 * 1e15 on decimals are noise, and would push the value past the integer
 * hm_format_fixed counts in. */
static void fixed(double v, int digits, char *buf, size_t n)
{
    hm_format_fixed(v, fabs(v) >= 1e15 ? 0 : digits, buf, n);
    trim(buf);
}

void hm_slo_format_value(const hm_slo_rule_t *r, double v, char *buf, size_t n)
{
    char num[48];
    switch (stats[r->stat].unit) {
    case HM_SLO_UNIT_NS:
        if (v >= NS_PER_S) {
            fixed(v / NS_PER_S, 3, num, sizeof num);
            snprintf(buf, n, "%ss", num);
        } else if (v >= 1e6) {
            fixed(v / 1e6, 3, num, sizeof num);
            snprintf(buf, n, "%sms", num);
        } else {
            fixed(v / 1e3, 3, num, sizeof num);
            snprintf(buf, n, "%sus", num);
        }
        return;
    case HM_SLO_UNIT_FRACTION:
        fixed(v * 100, 3, num, sizeof num);
        snprintf(buf, n, "%s%%", num);
        return;
    case HM_SLO_UNIT_PER_S:
        fixed(v, 2, num, sizeof num);
        snprintf(buf, n, "%s/s", num);
        return;
    case HM_SLO_UNIT_COUNT:
        fixed(v, 2, num, sizeof num);
        snprintf(buf, n, "%s", num);
        return;
    }
}

void hm_slo_rules_init(hm_slo_rules_t *r)
{
    memset(r, 0, sizeof *r);
    r->check_ns = 5 * (uint64_t)NS_PER_S;
    r->repeat_ns = 10 * (uint64_t)NS_PER_S;
    r->drift_share = 0.10;
}

/* A cursor over one line, for messages with line and column. */
typedef struct {
    const char *origin;
    unsigned line;
    const char *start; /* of the line */
    const char *p, *end;
    char *why;
    size_t why_len;
} cursor_t;

static int fail(cursor_t *c, const char *at, const char *fmt, ...)
{
    char msg[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(c->why, c->why_len, "%s:%u:%u: %s", c->origin, c->line,
             (unsigned)(at - c->start) + 1, msg);
    return EINVAL;
}

static bool space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r';
}

/* The next word: [*tok, *tok + return). 0 at the end of the line or at a comment. */
static size_t word(cursor_t *c, const char **tok)
{
    while (c->p < c->end && space(*c->p))
        c->p++;
    *tok = c->p;
    if (c->p == c->end || *c->p == '#')
        return 0;
    while (c->p < c->end && !space(*c->p) && *c->p != '#')
        c->p++;
    return (size_t)(c->p - *tok);
}

static bool is(const char *tok, size_t n, const char *s)
{
    return strlen(s) == n && memcmp(tok, s, n) == 0;
}

/* A decimal number with an optional fraction; *rest points past it. */
static bool number(const char *s, const char *end, double *out, const char **rest)
{
    double v = 0;
    const char *p = s;
    while (p < end && *p >= '0' && *p <= '9' && v < 1e15)
        v = v * 10 + (*p++ - '0');
    if (p == s)
        return false;
    if (p < end && *p == '.') {
        double scale = 0.1;
        const char *f = ++p;
        while (p < end && *p >= '0' && *p <= '9') {
            v += (*p++ - '0') * scale;
            scale /= 10;
        }
        if (p == f)
            return false;
    }
    if (p < end && *p >= '0' && *p <= '9')
        return false; /* absurdly many digits */
    *out = v;
    *rest = p;
    return true;
}

/* A duration such as 250ms into ns. */
static bool duration(const char *tok, size_t n, double *ns)
{
    const char *end = tok + n, *u;
    double v;
    if (!number(tok, end, &v, &u))
        return false;
    size_t un = (size_t)(end - u);
    if (is(u, un, "us"))
        *ns = v * 1e3;
    else if (is(u, un, "ms"))
        *ns = v * 1e6;
    else if (is(u, un, "s"))
        *ns = v * NS_PER_S;
    else if (is(u, un, "m"))
        *ns = v * 60 * NS_PER_S;
    else
        return false;
    return true;
}

static int parse_bound(cursor_t *c, hm_slo_stat_t stat, const char *tok, size_t n, double *out)
{
    const char *end = tok + n, *u;
    double v;
    if (!number(tok, end, &v, &u))
        return fail(c, tok, "expected a number, not '%.*s'", (int)n, tok);
    size_t un = (size_t)(end - u);
    switch (stats[stat].unit) {
    case HM_SLO_UNIT_NS:
        if (!duration(tok, n, out) || is(u, un, "m"))
            return fail(c, u, "expected a unit (us, ms or s) after the number");
        if (*out < 1e3 || *out > 3600 * NS_PER_S)
            return fail(c, tok, "a latency bound must be within 1us .. 3600s");
        return 0;
    case HM_SLO_UNIT_FRACTION:
        if (!is(u, un, "%"))
            return fail(c, u, "expected '%%' after the number");
        if (v > 100)
            return fail(c, tok, "an error rate is at most 100%%");
        *out = v / 100;
        return 0;
    case HM_SLO_UNIT_PER_S:
        if (un && !is(u, un, "/s"))
            return fail(c, u, "expected '/s' or nothing after the number");
        *out = v;
        return 0;
    case HM_SLO_UNIT_COUNT:
        if (un)
            return fail(c, u, "expected a plain number (no unit)");
        *out = v;
        return 0;
    }
    return fail(c, tok, "unknown unit");
}

static int parse_setting(cursor_t *c, const char *key, size_t kn, hm_slo_rules_t *out)
{
    const char *tok, *extra;
    size_t n = word(c, &tok);
    if (!n)
        return fail(c, tok, "expected a value after '%.*s'", (int)kn, key);
    double ns;
    if (is(key, kn, "drift")) {
        const char *u;
        double v;
        if (number(tok, tok + n, &v, &u) && is(u, (size_t)(tok + n - u), "%")) {
            out->drift_share = v / 100;
            out->drift_ns = 0;
        } else if (duration(tok, n, &ns) && ns >= 1e3 && ns <= 3600 * NS_PER_S) {
            out->drift_ns = (uint64_t)ns;
            out->drift_share = 0;
        } else {
            return fail(c, tok, "expected a share such as 10%% or a time from 1us to 3600s, such "
                                "as 5ms (per 10 minutes)");
        }
    } else {
        if (!duration(tok, n, &ns) || ns < 1e8 || ns > 3600 * NS_PER_S)
            return fail(c, tok, "expected a time from 100ms to 3600s, such as 5s");
        *(is(key, kn, "check") ? &out->check_ns : &out->repeat_ns) = (uint64_t)ns;
    }
    if (word(c, &extra))
        return fail(c, extra, "expected the end of the line");
    return 0;
}

static bool is_stat(const char *tok, size_t n)
{
    for (int i = 0; i < HM_SLO__STATS; i++)
        if (is(tok, n, stats[i].name))
            return true;
    return false;
}

static bool is_op(const char *tok, size_t n)
{
    for (int i = 0; i < 4; i++)
        if (is(tok, n, op_names[i]))
            return true;
    return false;
}

/* The pattern: a "quoted" one, or the words up to the first statistic that
 * is followed by a comparison. Names such as "GET /users" hold blanks, so
 * patterns may too. Leaves c at the statistic. Returns 1 when there is no
 * statistic at all (the first word is then the pattern). */
static int pattern(cursor_t *c, const char *first, hm_slo_rule_t *r)
{
    const char *pat = first, *end;
    if (*first == '"') {
        pat = first + 1;
        end = memchr(pat, '"', (size_t)(c->end - pat));
        if (!end)
            return fail(c, first, "the pattern's closing '\"' is missing");
        c->p = end + 1;
    } else {
        const char *tok, *next;
        size_t len, nlen;
        bool found = false;
        c->p = first;
        end = first + word(c, &tok);
        while (!found) {
            const char *at = c->p;
            if (!(len = word(c, &tok)))
                break;
            const char *after = c->p;
            nlen = word(c, &next);
            c->p = after;
            if ((found = is_stat(tok, len) && is_op(next, nlen)))
                c->p = at;
            else
                end = tok + len;
        }
        if (!found) {
            /* No statistic: the first word is the pattern, and the
             * statistic's parse says what is wrong after it. */
            c->p = first;
            len = word(c, &tok);
            memcpy(r->pattern, first, len < HM_SLO_PATTERN_MAX ? len : HM_SLO_PATTERN_MAX);
            return 1;
        }
    }
    size_t pn = (size_t)(end - pat);
    if (pn > HM_SLO_PATTERN_MAX)
        return fail(c, first, "the pattern is longer than %d bytes", HM_SLO_PATTERN_MAX);
    if (pn == 0)
        return fail(c, first, "the pattern is empty");
    memcpy(r->pattern, pat, pn);
    r->pattern[pn] = '\0';
    return 0;
}

static int parse_rule(cursor_t *c, const char *first, hm_slo_rule_t *r)
{
    const char *tok;
    size_t n;
    memset(r, 0, sizeof *r);
    r->line = c->line;
    int rc = pattern(c, first, r);
    if (rc > 1)
        return rc; /* 1: no statistic found; its parse below says what is wrong */

    if (!(n = word(c, &tok)))
        return fail(c, tok, "expected a statistic (p50 p90 p95 p99 p99.9 mean max error_rate "
                            "inflight queue rate)");
    int s = 0;
    while (s < HM_SLO__STATS && !is(tok, n, stats[s].name))
        s++;
    if (s == HM_SLO__STATS)
        return fail(c, tok, "unknown statistic '%.*s' (p50 p90 p95 p99 p99.9 mean max "
                            "error_rate inflight queue rate)", (int)n, tok);
    r->stat = (hm_slo_stat_t)s;

    if (!(n = word(c, &tok)))
        return fail(c, tok, "expected a comparison (< <= > >=)");
    int op = 0;
    while (op < 4 && !is(tok, n, op_names[op]))
        op++;
    if (op == 4)
        return fail(c, tok, "expected a comparison (< <= > >=), not '%.*s'", (int)n, tok);
    r->op = (hm_slo_op_t)op;

    if (!(n = word(c, &tok)))
        return fail(c, tok, "expected a bound such as 60ms, 1%% or 50/s");
    if ((rc = parse_bound(c, r->stat, tok, n, &r->bound)))
        return rc;

    if (!(n = word(c, &tok)))
        return fail(c, tok, "expected a window (10s 1m 5m)");
    char win[8] = "";
    if (n < sizeof win)
        memcpy(win, tok, n);
    if (!hm_win_parse(win, &r->window) || r->window == HM_WIN_ALL)
        return fail(c, tok, "expected a window (10s 1m 5m), not '%.*s'", (int)n, tok);

    if ((n = word(c, &tok))) {
        const char *u;
        double v;
        if (!number(tok, tok + n, &v, &u) || !is(u, (size_t)(tok + n - u), "%") || v <= 0 ||
            v >= 100)
            return fail(c, tok, "expected an objective above 0%% and below 100%%, such as 99%%");
        if (stats[r->stat].unit != HM_SLO_UNIT_NS || r->op > HM_SLO_LE)
            return fail(c, tok, "an objective goes with a latency rule of the form "
                                "'p99 < 250ms 5m 99%%'");
        r->objective = v / 100;
        const char *extra;
        if (word(c, &extra))
            return fail(c, extra, "expected the end of the line");
    }

    char bound[32], obj[32] = "";
    hm_slo_format_value(r, r->bound, bound, sizeof bound);
    if (r->objective > 0) {
        char num[24];
        fixed(r->objective * 100, 4, num, sizeof num);
        snprintf(obj, sizeof obj, " %s%%", num);
    }
    bool quote = strpbrk(r->pattern, " \t") != NULL;
    char text[HM_SLO_RULE_TEXT_MAX];
    snprintf(text, sizeof text, "%s%.*s%s %s %s %s %s%s", quote ? "\"" : "",
             (int)(HM_SLO_RULE_TEXT_MAX / 2), r->pattern, quote ? "\"" : "", stats[r->stat].name,
             op_names[r->op], bound, hm_win_name(r->window), obj);
    memcpy(r->text, text, sizeof text);
    return 0;
}

int hm_slo_rules_parse(const char *text, size_t len, const char *origin, hm_slo_rules_t *out,
                       char *why, size_t why_len)
{
    hm_slo_rules_t r;
    hm_slo_rules_init(&r);
    cursor_t c = {.origin = origin, .why = why, .why_len = why_len};
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        c.line++;
        c.start = c.p = p;
        c.end = nl ? nl : end;
        p = nl ? nl + 1 : end;
        if (memchr(c.start, '\0', (size_t)(c.end - c.start)))
            return fail(&c, memchr(c.start, '\0', (size_t)(c.end - c.start)),
                        "unexpected NUL byte");
        const char *tok;
        size_t n = word(&c, &tok);
        if (!n)
            continue;
        int rc;
        if (is(tok, n, "check") || is(tok, n, "repeat") || is(tok, n, "drift")) {
            rc = parse_setting(&c, tok, n, &r);
        } else {
            if (r.n == HM_SLO_RULES_MAX)
                return fail(&c, tok, "more than %d rules", HM_SLO_RULES_MAX);
            rc = parse_rule(&c, tok, &r.rule[r.n]);
            r.n += rc == 0;
        }
        if (rc)
            return rc;
    }
    *out = r;
    return 0;
}

int hm_slo_rules_load(const char *path, hm_slo_rules_t *out, char *why, size_t why_len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        snprintf(why, why_len, "%s: %s", path, strerror(e));
        return e;
    }
    char *buf = malloc(HM_SLO_FILE_MAX + 1);
    if (!buf) {
        fclose(f);
        snprintf(why, why_len, "%s: out of memory", path);
        return ENOMEM;
    }
    size_t n = fread(buf, 1, HM_SLO_FILE_MAX + 1, f);
    int e = ferror(f) ? EIO : 0;
    fclose(f);
    int rc;
    if (e) {
        snprintf(why, why_len, "%s: read error", path);
        rc = e;
    } else if (n > HM_SLO_FILE_MAX) {
        snprintf(why, why_len, "%s: larger than %d bytes", path, HM_SLO_FILE_MAX);
        rc = EINVAL;
    } else {
        rc = hm_slo_rules_parse(buf, n, path, out, why, why_len);
    }
    free(buf);
    return rc;
}
