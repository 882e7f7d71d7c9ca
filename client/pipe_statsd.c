/*
 * pipe_statsd.c - the statsd line parser (see pipe_statsd.h). What a parsed
 * line means to hotmon (endpoints, counters, gauges) is pipe_bridge.c's.
 */
#include "pipe_statsd.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Longest numeric field read; statsd values are short. */
#define NUMBER_MAX 63

static int fail(const char **why, const char *msg)
{
    if (why)
        *why = msg;
    return EINVAL;
}

/* Reads a decimal number (sign, digits, '.', exponent: no hex, inf or nan)
 * from s[0..n). Returns true with *out finite. */
static bool number(const char *s, size_t n, double *out)
{
    if (n == 0 || n > NUMBER_MAX)
        return false;
    char buf[NUMBER_MAX + 1];
    for (size_t i = 0; i < n; i++) {
        if (!strchr("0123456789.eE+-", s[i]))
            return false;
        buf[i] = s[i];
    }
    buf[n] = '\0';
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (end != buf + n || errno == ERANGE || !isfinite(v))
        return false;
    *out = v;
    return true;
}

static bool type_of(const char *s, size_t n, hm_statsd_type_t *t)
{
    static const struct {
        const char *name;
        hm_statsd_type_t type;
    } types[] = {{"ms", HM_STATSD_TIMER},  {"h", HM_STATSD_TIMER}, {"d", HM_STATSD_TIMER},
                 {"c", HM_STATSD_COUNTER}, {"g", HM_STATSD_GAUGE}, {"s", HM_STATSD_SET}};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        if (strlen(types[i].name) == n && memcmp(types[i].name, s, n) == 0) {
            *t = types[i].type;
            return true;
        }
    }
    return false;
}

const char *hm_statsd_type_name(hm_statsd_type_t type)
{
    switch (type) {
    case HM_STATSD_TIMER:
        return "ms";
    case HM_STATSD_COUNTER:
        return "c";
    case HM_STATSD_GAUGE:
        return "g";
    default:
        return "s";
    }
}

int hm_statsd_parse(const char *line, size_t len, hm_statsd_t *out, const char **why)
{
    if (len > 0 && line[len - 1] == '\n')
        len--;
    if (len > 0 && line[len - 1] == '\r')
        len--;
    if (len == 0)
        return fail(why, "empty line");
    if (memchr(line, '\0', len))
        return fail(why, "a NUL byte in the line");
    const char *end = line + len;
    const char *colon = memchr(line, ':', len);
    if (!colon)
        return fail(why, "no ':' after the name");
    if (colon == line)
        return fail(why, "empty name before ':'");
    if (memchr(line, '|', (size_t)(colon - line)))
        return fail(why, "'|' in the name");
    const char *value = colon + 1;
    const char *bar = memchr(value, '|', (size_t)(end - value));
    if (!bar)
        return fail(why, "no '|type' after the value");
    const char *type = bar + 1;
    const char *type_end = memchr(type, '|', (size_t)(end - type));
    if (!type_end)
        type_end = end;

    hm_statsd_t r = {.name = line, .name_len = (size_t)(colon - line), .sample_rate = 1};
    if (!type_of(type, (size_t)(type_end - type), &r.type))
        return fail(why, "unknown type: not ms, h, d, c, g or s");
    size_t vlen = (size_t)(bar - value);
    if (vlen == 0)
        return fail(why, "empty value");
    if (r.type == HM_STATSD_SET) {
        r.value = 0; /* a set's member is text; only its arrival counts */
    } else if (!number(value, vlen, &r.value)) {
        return fail(why, "value is not a finite decimal number");
    } else if (r.type == HM_STATSD_GAUGE && (value[0] == '+' || value[0] == '-')) {
        r.delta = true;
    } else if (r.type == HM_STATSD_TIMER && r.value < 0) {
        return fail(why, "negative timer");
    }

    /* Optional fields, each once: |@rate and |#tags. */
    bool have_rate = false;
    for (const char *f = type_end; f < end;) {
        f++; /* the '|' */
        const char *f_end = memchr(f, '|', (size_t)(end - f));
        if (!f_end)
            f_end = end;
        size_t n = (size_t)(f_end - f);
        if (n > 0 && f[0] == '@' && !have_rate) {
            if (!number(f + 1, n - 1, &r.sample_rate) || !(r.sample_rate > 0) || r.sample_rate > 1)
                return fail(why, "sample rate is not a number in (0, 1]");
            have_rate = true;
        } else if (n > 1 && f[0] == '#' && !r.tags) {
            r.tags = f + 1;
            r.tags_len = n - 1;
        } else {
            return fail(why, "unknown or repeated field after the type (want |@rate or |#tags)");
        }
        f = f_end;
    }
    *out = r;
    return 0;
}
