/*
 * load_profile.c - endpoint settings and profile files (see load_profile.h).
 */
#include "load_profile.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAPACITY_MAX 1000000
#define QUEUE_MAX_MAX 10000000

typedef enum {
    K_LATENCY,
    K_ERROR_RATIO,
    K_CAPACITY,
    K_QUEUE_MAX,
    K_TIMEOUT,
    K_DEGRADE,
    K_WEIGHT
} setting_t;

/* The master copy of the endpoint settings: key, argument, help. */
static const struct {
    const char *key, *arg, *help;
} table[] = {
    [K_LATENCY] = {"latency", "DIST",
                   "service time: constant:D, uniform:LO:HI, lognormal:MEDIAN:P99, "
                   "bimodal:FAST:SLOW:SHARE, pareto:MIN:ALPHA (default lognormal:2ms:20ms)"},
    [K_ERROR_RATIO] = {"error-ratio", "X", "share of requests failing with status 500, 0 to 1"},
    [K_CAPACITY] = {"capacity", "N",
                    "requests an endpoint serves at once; more wait in its queue (default 0: "
                    "no limit)"},
    [K_QUEUE_MAX] = {"queue-max", "N",
                     "requests waiting at most; more are refused with 503 (default 10000)"},
    [K_TIMEOUT] = {"timeout", "D", "a request waiting longer fails with 503 (default: never)"},
    [K_DEGRADE] = {"degrade", "Fx/D", "service time grows to F times over D, then stays (3x/120s)"},
    [K_WEIGHT] = {"weight", "W", "share of the rate or of the users' requests (default 1)"},
};
#define NKEYS (sizeof table / sizeof table[0])

void hm_load_endpoint_defaults(hm_load_endpoint_t *e)
{
    const char *why;
    memset(e, 0, sizeof *e);
    hm_dist_parse("lognormal:2ms:20ms", &e->latency, &why);
    e->queue_max = 10000;
    e->degrade_factor = 1;
    e->weight = 1;
}

const char *hm_load_endpoint_setting(size_t i, const char **arg, const char **help)
{
    if (i >= NKEYS)
        return NULL;
    *arg = table[i].arg;
    *help = table[i].help;
    return table[i].key;
}

static bool whole_of(const char *s, uint32_t max, uint32_t *out)
{
    double v;
    if (!hm_load_whole(s, 0, max, &v))
        return false;
    *out = (uint32_t)v;
    return true;
}

/* "3x/120s": a factor and the time to reach it. */
static int degrade_of(const char *s, hm_load_endpoint_t *e, const char **why)
{
    const char *x = strchr(s, 'x');
    char num[32];
    size_t n = x ? (size_t)(x - s) : 0;
    double f;
    uint64_t ns;
    if (!x || x[1] != '/' || n == 0 || n >= sizeof num) {
        *why = "degrade: FACTORx/DURATION, such as 3x/120s";
        return EINVAL;
    }
    memcpy(num, s, n);
    num[n] = '\0';
    if (!hm_load_real(num, 1, 1000, &f)) {
        *why = "degrade: the factor is 1 to 1000";
        return EINVAL;
    }
    if (hm_duration_parse(x + 2, &ns, why) != 0)
        return EINVAL;
    if (ns == 0) {
        *why = "degrade: the duration is above 0";
        return EINVAL;
    }
    e->degrade_factor = f;
    e->degrade_ns = ns;
    return 0;
}

int hm_load_endpoint_set(hm_load_endpoint_t *e, const char *key, const char *value,
                         const char **why)
{
    size_t k = 0;
    while (k < NKEYS && strcmp(table[k].key, key) != 0)
        k++;
    switch (k) {
    case K_LATENCY:
        return hm_dist_parse(value, &e->latency, why);
    case K_ERROR_RATIO:
        if (!hm_load_real(value, 0, 1, &e->error_ratio)) {
            *why = "error-ratio: a number 0 to 1";
            return EINVAL;
        }
        return 0;
    case K_CAPACITY:
        if (!whole_of(value, CAPACITY_MAX, &e->capacity)) {
            *why = "capacity: a whole number 0 to 1000000";
            return EINVAL;
        }
        return 0;
    case K_QUEUE_MAX:
        if (!whole_of(value, QUEUE_MAX_MAX, &e->queue_max)) {
            *why = "queue-max: a whole number 0 to 10000000";
            return EINVAL;
        }
        return 0;
    case K_TIMEOUT:
        return hm_duration_parse(value, &e->timeout_ns, why);
    case K_DEGRADE:
        return degrade_of(value, e, why);
    case K_WEIGHT:
        if (!hm_load_real(value, 1e-6, 1e6, &e->weight)) {
            *why = "weight: a number above 0, at most 1000000";
            return EINVAL;
        }
        return 0;
    default:
        *why = "unknown setting";
        return ENOENT;
    }
}

/* Reads a name at *p: a bare word or a quoted string. */
static bool name_at(const char **p, char *out, size_t max, const char **why)
{
    const char *s = *p;
    size_t n = 0;
    if (*s == '"') {
        for (s++; *s && *s != '"' && *s != '\n'; s++) {
            if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
                s++;
            if (n == max) {
                *why = "name longer than 255 bytes";
                return false;
            }
            out[n++] = *s;
        }
        if (*s != '"') {
            *why = "a quoted name needs its closing '\"'";
            return false;
        }
        s++;
    } else {
        for (; *s && *s != ' ' && *s != '\t' && *s != '\n' && *s != '#'; s++) {
            if (n == max) {
                *why = "name longer than 255 bytes";
                return false;
            }
            out[n++] = *s;
        }
    }
    if (n == 0) {
        *why = "empty name";
        return false;
    }
    out[n] = '\0';
    *p = s;
    return true;
}

static int at(char *why, size_t why_len, const char *path, int line, long col, const char *msg)
{
    snprintf(why, why_len, "%s:%d:%ld: %s", path, line, col, msg);
    return EINVAL;
}

int hm_load_profile_parse(const char *text, const char *path, const hm_load_endpoint_t *defaults,
                          hm_load_endpoint_t **eps, size_t *n, char *why, size_t why_len)
{
    hm_load_endpoint_t *v = NULL;
    size_t count = 0, cap = 0;
    int line = 1;
    int rc = 0;
    for (const char *s = text; *s && rc == 0; line++) {
        const char *bol = s;
        const char *eol = strchr(s, '\n');
        if (!eol)
            eol = s + strlen(s);
        while (*s == ' ' || *s == '\t' || *s == '\r')
            s++;
        if (s == eol || *s == '#') {
            s = *eol ? eol + 1 : eol;
            continue;
        }
        if (count == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            hm_load_endpoint_t *nv = realloc(v, ncap * sizeof *v);
            if (!nv) {
                rc = ENOMEM;
                break;
            }
            v = nv;
            cap = ncap;
        }
        hm_load_endpoint_t *e = &v[count];
        *e = *defaults;
        const char *msg = NULL;
        if (!name_at(&s, e->name, HM_NAME_MAX, &msg)) {
            rc = at(why, why_len, path, line, s - bol + 1, msg);
            break;
        }
        for (size_t i = 0; i < count; i++) {
            if (strcmp(v[i].name, e->name) == 0) {
                rc = at(why, why_len, path, line, 1, "endpoint named twice");
                break;
            }
        }
        while (rc == 0) {
            while (*s == ' ' || *s == '\t' || *s == '\r')
                s++;
            if (s >= eol || *s == '#')
                break;
            const char *word = s;
            while (s < eol && *s != ' ' && *s != '\t' && *s != '\r')
                s++;
            char kv[192];
            size_t len = (size_t)(s - word);
            const char *eq = memchr(word, '=', len);
            if (len >= sizeof kv || !eq) {
                rc = at(why, why_len, path, line, word - bol + 1,
                        "expected KEY=VALUE (latency, error-ratio, capacity, queue-max, "
                        "timeout, degrade, weight)");
                break;
            }
            memcpy(kv, word, len);
            kv[len] = '\0';
            kv[eq - word] = '\0';
            int src = hm_load_endpoint_set(e, kv, kv + (eq - word) + 1, &msg);
            if (src) {
                rc = at(why, why_len, path, line, (src == ENOENT ? word : eq + 1) - bol + 1,
                        src == ENOENT ? "unknown setting (want latency, error-ratio, capacity, "
                                        "queue-max, timeout, degrade or weight)"
                                      : msg);
            }
        }
        if (rc == 0)
            count++;
        s = *eol ? eol + 1 : eol;
    }
    if (rc == 0 && count == 0)
        rc = at(why, why_len, path, line > 1 ? line - 1 : 1, 1, "no endpoint in the profile");
    if (rc) {
        free(v);
        return rc;
    }
    *eps = v;
    *n = count;
    return 0;
}
