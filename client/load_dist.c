/*
 * load_dist.c - latency distributions (see load_dist.h).
 */
#include "load_dist.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOUR_NS 3.6e12
/* The standard normal's 99th percentile: lognormal sigma = ln(p99/median) / Z99. */
#define Z99 2.3263478740408408
#define BIMODAL_SIGMA 0.25
#define SPEC_PARTS 4

uint64_t hm_rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

double hm_rng_unit(uint64_t *s)
{
    return ((double)(hm_rng_next(s) >> 11) + 0.5) / 9007199254740992.0;
}

static double normal(uint64_t *s)
{
    return sqrt(-2.0 * log(hm_rng_unit(s))) * cos(6.283185307179586 * hm_rng_unit(s));
}

bool hm_load_real(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !(v >= lo && v <= hi))
        return false;
    *out = v;
    return true;
}

bool hm_load_whole(const char *s, double lo, double hi, double *out)
{
    return *s && strspn(s, "0123456789") == strlen(s) && hm_load_real(s, lo, hi, out);
}

int hm_duration_parse(const char *s, uint64_t *ns, const char **why)
{
    static const struct {
        const char *unit;
        double ns;
    } units[] = {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}};
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno || !isfinite(v) || v < 0 ||
        strspn(s, "0123456789.") != (size_t)(end - s)) {
        *why = "a duration is a number with a unit: 250us, 5ms, 1.5s";
        return EINVAL;
    }
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(end, units[i].unit) == 0) {
            double d = v * units[i].ns;
            if (d > HOUR_NS * 24) {
                *why = "a duration is at most 24 hours";
                return EINVAL;
            }
            *ns = (uint64_t)llround(d);
            return 0;
        }
    }
    *why = *end ? "unknown unit: want ns, us, ms or s" : "a duration needs a unit: ns, us, ms or s";
    return EINVAL;
}

static const struct {
    const char *name;
    hm_dist_kind_t kind;
    int nparts; /* numbers after the name */
    const char *usage;
} kinds[] = {
    {"constant", HM_DIST_CONSTANT, 1, "constant:DURATION"},
    {"uniform", HM_DIST_UNIFORM, 2, "uniform:LOW:HIGH"},
    {"lognormal", HM_DIST_LOGNORMAL, 2, "lognormal:MEDIAN:P99"},
    {"bimodal", HM_DIST_BIMODAL, 3, "bimodal:FAST:SLOW:SHARE"},
    {"pareto", HM_DIST_PARETO, 2, "pareto:MIN:ALPHA"},
};

int hm_dist_parse(const char *spec, hm_dist_t *out, const char **why)
{
    char buf[128];
    if (strlen(spec) >= sizeof buf) {
        *why = "distribution spec too long";
        return EINVAL;
    }
    strcpy(buf, spec);
    char *part[SPEC_PARTS + 1] = {0};
    int n = 0;
    for (char *save = NULL, *p = strtok_r(buf, ":", &save); p; p = strtok_r(NULL, ":", &save)) {
        if (n == SPEC_PARTS + 1) {
            *why = "too many ':' parts in the distribution";
            return EINVAL;
        }
        part[n++] = p;
    }
    size_t k = 0;
    while (k < sizeof kinds / sizeof kinds[0] && (n == 0 || strcmp(kinds[k].name, part[0]) != 0))
        k++;
    if (k == sizeof kinds / sizeof kinds[0]) {
        *why = "unknown distribution: want constant, uniform, lognormal, bimodal or pareto";
        return EINVAL;
    }
    if (n - 1 != kinds[k].nparts) {
        *why = kinds[k].usage;
        return EINVAL;
    }
    hm_dist_t d = {.kind = kinds[k].kind};
    double v[3] = {0};
    for (int i = 0; i < kinds[k].nparts; i++) {
        bool number = (d.kind == HM_DIST_BIMODAL && i == 2) || (d.kind == HM_DIST_PARETO && i == 1);
        if (number) {
            char *end;
            v[i] = strtod(part[i + 1], &end);
            if (end == part[i + 1] || *end || !isfinite(v[i])) {
                *why = d.kind == HM_DIST_PARETO ? "pareto:MIN:ALPHA: ALPHA is a number above 0"
                                                : "bimodal:FAST:SLOW:SHARE: SHARE is 0 to 1";
                return EINVAL;
            }
        } else {
            uint64_t ns;
            if (hm_duration_parse(part[i + 1], &ns, why) != 0)
                return EINVAL;
            v[i] = (double)ns;
        }
    }
    d.a = v[0];
    d.b = v[1];
    d.c = v[2];
    switch (d.kind) {
    case HM_DIST_UNIFORM:
        if (d.b < d.a) {
            *why = "uniform:LOW:HIGH: HIGH below LOW";
            return EINVAL;
        }
        break;
    case HM_DIST_LOGNORMAL:
        if (!(d.b > d.a) || d.a <= 0) {
            *why = "lognormal:MEDIAN:P99: P99 must be above MEDIAN, MEDIAN above 0";
            return EINVAL;
        }
        d.b = log(d.b / d.a) / Z99;
        break;
    case HM_DIST_BIMODAL:
        if (d.c < 0 || d.c > 1 || d.a <= 0 || d.b <= 0) {
            *why = "bimodal:FAST:SLOW:SHARE: SHARE is 0 to 1, modes above 0";
            return EINVAL;
        }
        break;
    case HM_DIST_PARETO:
        if (!(d.b > 0) || d.a <= 0) {
            *why = "pareto:MIN:ALPHA: ALPHA is a number above 0, MIN above 0";
            return EINVAL;
        }
        break;
    default:
        break;
    }
    *out = d;
    return 0;
}

double hm_dist_draw(const hm_dist_t *d, uint64_t *rng)
{
    double v;
    switch (d->kind) {
    case HM_DIST_UNIFORM:
        v = d->a + (d->b - d->a) * hm_rng_unit(rng);
        break;
    case HM_DIST_LOGNORMAL:
        v = d->a * exp(d->b * normal(rng));
        break;
    case HM_DIST_BIMODAL:
        v = (hm_rng_unit(rng) < d->c ? d->b : d->a) * exp(BIMODAL_SIGMA * normal(rng));
        break;
    case HM_DIST_PARETO:
        v = d->a / pow(hm_rng_unit(rng), 1.0 / d->b);
        break;
    default:
        v = d->a;
        break;
    }
    return v < 1 ? 1 : v > HOUR_NS ? HOUR_NS : v;
}

double hm_dist_median(const hm_dist_t *d)
{
    switch (d->kind) {
    case HM_DIST_UNIFORM:
        return (d->a + d->b) / 2;
    case HM_DIST_BIMODAL:
        return d->c < 0.5 ? d->a : d->c > 0.5 ? d->b : (d->a + d->b) / 2;
    case HM_DIST_PARETO:
        return d->a * pow(2.0, 1.0 / d->b);
    default:
        return d->a;
    }
}
