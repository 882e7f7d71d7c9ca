/*
 * shapes.h - reproducible latency values of four shapes, and exact quantiles,
 * shared by tests/test_histogram.c and bench/bench_histogram.c so the test and
 * the benchmark judge the histogram against the same inputs and the same
 * definition of a quantile.
 */
#ifndef HM_TEST_SHAPES_H
#define HM_TEST_SHAPES_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "histogram.h"

typedef enum { SHAPE_UNIFORM, SHAPE_LOGNORMAL, SHAPE_BIMODAL, SHAPE_PARETO, SHAPE__COUNT } shape_t;

static inline const char *shape_name(shape_t shape)
{
    static const char *const names[SHAPE__COUNT] = {"uniform", "lognormal", "bimodal", "Pareto"};
    return names[shape];
}

/* splitmix64: a fixed seed gives the same values on every run. */
static inline uint64_t shape_next_u64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform in (0, 1). */
static inline double shape_next_unit(uint64_t *state)
{
    return ((double)(shape_next_u64(state) >> 11) + 0.5) / 9007199254740992.0;
}

static inline double shape_lognormal(uint64_t *state, double median_ns, double sigma)
{
    double n = sqrt(-2.0 * log(shape_next_unit(state))) *
               cos(6.283185307179586 * shape_next_unit(state));
    return median_ns * exp(sigma * n);
}

/* One value of a shape, redrawn until it lies in 1 us .. 1 h. */
static inline uint64_t shape_draw(shape_t shape, uint64_t *state)
{
    for (;;) {
        double v;
        switch (shape) {
        case SHAPE_UNIFORM: /* 1 us .. 100 ms */
            v = 1000.0 + shape_next_unit(state) * 1e8;
            break;
        case SHAPE_LOGNORMAL: /* median 2 ms, wide */
            v = shape_lognormal(state, 2e6, 1.0);
            break;
        case SHAPE_BIMODAL: /* fast hits around 300 us, a fifth slow misses around 80 ms */
            v = shape_next_unit(state) < 0.8 ? shape_lognormal(state, 3e5, 0.3)
                                             : shape_lognormal(state, 8e7, 0.4);
            break;
        default: /* Pareto, 20 us and up, heavy tail */
            v = 2e4 / pow(shape_next_unit(state), 1.0 / 1.1);
            break;
        }
        if (v >= (double)HM_HIST_MIN_NS && v <= (double)HM_HIST_MAX_NS)
            return (uint64_t)v;
    }
}

static inline int shape_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The nearest-rank quantile of a sorted array, the definition histogram.c uses. */
static inline uint64_t shape_exact_quantile(const uint64_t *sorted, size_t n, double q)
{
    double r = ceil(q * (double)n);
    size_t rank = q <= 0.0 || r < 1.0 ? 1 : q >= 1.0 || r > (double)n ? n : (size_t)r;
    return sorted[rank - 1];
}

#define SHAPE_QUANTILES 111

/* The quantiles judged, ascending: the extremes, 0.01 .. 0.99 by 0.01 and a tail. */
static inline size_t shape_quantiles(double qs[SHAPE_QUANTILES])
{
    static const double head[] = {0.0, 0.001, 0.005};
    static const double tail[] = {0.991, 0.993, 0.995, 0.997, 0.999, 0.9995, 0.9999, 0.99999, 1.0};
    size_t n = 0;
    for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
        qs[n++] = head[i];
    for (int p = 1; p <= 99; p++)
        qs[n++] = p / 100.0;
    for (size_t i = 0; i < sizeof tail / sizeof tail[0]; i++)
        qs[n++] = tail[i];
    return n;
}

/* The worst relative error of h's answers to shape_quantiles against the
 * sorted values h was fed. */
static inline double shape_worst_error(const hm_hist_t *h, const uint64_t *sorted, size_t n)
{
    double qs[SHAPE_QUANTILES];
    uint64_t got[SHAPE_QUANTILES];
    size_t nq = shape_quantiles(qs);
    hm_hist_quantiles(h, qs, nq, got);
    double worst = 0.0;
    for (size_t i = 0; i < nq; i++) {
        uint64_t want = shape_exact_quantile(sorted, n, qs[i]);
        double e = fabs((double)got[i] - (double)want) / (double)want;
        worst = e > worst ? e : worst;
    }
    return worst;
}

#endif
