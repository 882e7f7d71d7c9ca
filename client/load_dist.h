/*
 * load_dist.h - latency distributions for hotmon-load, and the readers of
 * durations and numbers and the random numbers they need (the command line
 * uses the readers too). A distribution is written as a spec (docs/load.md):
 *   constant:D              always D
 *   uniform:LOW:HIGH        evenly between LOW and HIGH
 *   lognormal:MEDIAN:P99    log-normal with that median and 99th percentile
 *   bimodal:FAST:SLOW:SHARE two log-normal modes (spread 0.25) around FAST and
 *                           SLOW, SHARE (0..1) of the values in the slow one
 *   pareto:MIN:ALPHA        Pareto from MIN with shape ALPHA (> 0; heavy below 2)
 * Durations take a unit: ns, us, ms or s ("2.5ms").
 *
 * Thread-safety: pure functions; each thread keeps its own random state.
 */
#ifndef HM_LOAD_DIST_H
#define HM_LOAD_DIST_H

#include <stdbool.h>
#include <stdint.h>

typedef enum {
    HM_DIST_CONSTANT,
    HM_DIST_UNIFORM,
    HM_DIST_LOGNORMAL,
    HM_DIST_BIMODAL,
    HM_DIST_PARETO
} hm_dist_kind_t;

/* A parsed distribution; a plain value. Parameters in ns, but share/alpha. */
typedef struct {
    hm_dist_kind_t kind;
    double a, b, c; /* constant: a; uniform: a..b; lognormal: median a, sigma b;
                       bimodal: a, b, share c; pareto: min a, alpha b */
} hm_dist_t;

/* Parses a spec. Returns 0 and sets *out, or EINVAL with a static message
 * in *why; *out untouched on failure. */
int hm_dist_parse(const char *spec, hm_dist_t *out, const char **why);

/* One value in ns, at least 1 and at most one hour, from random state *rng. */
double hm_dist_draw(const hm_dist_t *d, uint64_t *rng);

/* The distribution's median in ns (for summaries and tests). */
double hm_dist_median(const hm_dist_t *d);

/* Parses a duration with its unit ("250us", "1.5s") into ns. Returns 0, or
 * EINVAL with a static message in *why. */
int hm_duration_parse(const char *s, uint64_t *ns, const char **why);

/* Reads a whole decimal string as a number in [lo, hi]: true and *out, or
 * false with *out untouched. whole: digits only. */
bool hm_load_real(const char *s, double lo, double hi, double *out);
bool hm_load_whole(const char *s, double lo, double hi, double *out);

/* splitmix64: the next 64 random bits of state *s; any seed works. */
uint64_t hm_rng_next(uint64_t *s);

/* Uniform in (0, 1). */
double hm_rng_unit(uint64_t *s);

#endif
