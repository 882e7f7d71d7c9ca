/*
 * bench_histogram.c - the histogram and the rolling window beside their floors.
 *
 *   record:  ns per hm_hist_record and per hm_window_record, beside incrementing
 *            a counter at an index computed by a mask, over the same values;
 *   error:   the worst relative error of 111 quantiles (tests/shapes.h) against the exact sorted
 *            array, for four shapes of a million values, beside the 1% bound;
 *   memory:  bytes of a window with every slice live and idle, beside one histogram;
 *   query:   one busy window's four windows queried, beside copying the same bytes.
 *
 * Times are thread CPU time, best of a few rounds, so a loaded machine blurs
 * them less. Prints Markdown rows; bounded to a few seconds.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "histogram.h"
#include "window.h"
#include "../tests/shapes.h"

#define N_VALUES 1000000
#define ROUNDS 5
#define S 1000000000ull

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* n values of one shape. */
static void fill(shape_t k, uint64_t *v, size_t n, uint64_t seed)
{
    for (size_t i = 0; i < n; i++)
        v[i] = shape_draw(k, &seed);
}

static void row(const char *figure, const char *value, const char *peer, double ratio)
{
    printf("| %s | %s | %s | %.2fx |\n", figure, value, peer, ratio);
}

/* Best ns per value of the floor: a counter at a masked index. */
static double time_floor(const uint64_t *v, uint32_t *sink)
{
    static uint32_t counts[4096];
    double best = 1e9;
    for (int r = 0; r < ROUNDS; r++) {
        double t = cpu_now();
        for (size_t i = 0; i < N_VALUES; i++)
            counts[v[i] & 4095]++;
        t = cpu_now() - t;
        best = t < best ? t : best;
    }
    *sink += counts[v[0] & 4095];
    return best * 1e9 / N_VALUES;
}

static double time_hist(const uint64_t *v, hm_hist_t *h)
{
    double best = 1e9;
    for (int r = 0; r < ROUNDS; r++) {
        hm_hist_init(h);
        double t = cpu_now();
        for (size_t i = 0; i < N_VALUES; i++)
            hm_hist_record(h, v[i]);
        t = cpu_now() - t;
        best = t < best ? t : best;
    }
    return best * 1e9 / N_VALUES;
}

/* 10 million samples a second: a 1 s boundary every 10 million, so the slow
 * path shows in its true proportion. */
static double time_window(const uint64_t *v, uint64_t *clock)
{
    double best = 1e9;
    hm_window_t *w = hm_window_new(*clock);
    if (!w)
        return 0;
    for (int r = 0; r < ROUNDS; r++) {
        double t = cpu_now();
        for (size_t i = 0; i < N_VALUES; i++)
            hm_window_record(w, *clock += 100, v[i], (i & 255) == 0);
        t = cpu_now() - t;
        best = t < best ? t : best;
    }
    hm_window_destroy(&w);
    return best * 1e9 / N_VALUES;
}

/* Worst relative error of the judged quantiles against the sorted values. */
static double worst_error(uint64_t *v, hm_hist_t *h)
{
    hm_hist_init(h);
    for (size_t i = 0; i < N_VALUES; i++)
        hm_hist_record(h, v[i]);
    qsort(v, N_VALUES, sizeof *v, shape_cmp_u64);
    return shape_worst_error(h, v, N_VALUES);
}

int main(void)
{
    uint64_t *v = malloc(N_VALUES * sizeof *v);
    hm_hist_t *h = malloc(sizeof *h);
    if (!v || !h)
        return 1;
    char a[64], b[96];
    uint32_t sink = 0;
    uint64_t clock = 1000 * S;

    printf("| figure | hotmon | floor or peer | ratio |\n|---|---|---|---|\n");
    fill(SHAPE_LOGNORMAL, v, N_VALUES, 42);
    double fl = time_floor(v, &sink);
    double hr = time_hist(v, h);
    double wr = time_window(v, &clock);
    snprintf(a, sizeof a, "%.2f ns", hr);
    snprintf(b, sizeof b, "counter at a masked index: %.2f ns", fl);
    row("hm_hist_record, lognormal values", a, b, hr / fl);
    snprintf(a, sizeof a, "%.2f ns (%.0f M/s)", wr, 1e3 / wr);
    row("hm_window_record (4 histograms), 10 M samples/s of clock", a, b, wr / fl);

    for (int k = 0; k < SHAPE__COUNT; k++) {
        fill((shape_t)k, v, N_VALUES, 100 + (uint64_t)k);
        double e = worst_error(v, h);
        char fig[80];
        snprintf(fig, sizeof fig, "max relative error, %d quantiles, %s", SHAPE_QUANTILES, shape_name((shape_t)k));
        snprintf(a, sizeof a, "%.3f%%", e * 100);
        row(fig, a, "exact sorted array, bound: 1%", e / 0.01);
    }

    /* Every slice live: a sample each second for five minutes. */
    hm_window_t *w = hm_window_new(clock);
    if (!w)
        return 1;
    size_t idle = hm_window_bytes(w);
    fill(SHAPE_LOGNORMAL, v, N_VALUES, 7);
    for (size_t i = 0; i < N_VALUES; i++)
        hm_window_record(w, clock + i * (300 * S / N_VALUES), v[i], false);
    clock += 300 * S - 1;
    size_t busy = hm_window_bytes(w);
    snprintf(a, sizeof a, "%zu B", busy);
    snprintf(b, sizeof b, "one hm_hist_t: %zu B", sizeof(hm_hist_t));
    row("bytes per window, every slice live", a, b, (double)busy / sizeof(hm_hist_t));
    snprintf(a, sizeof a, "%zu B", idle);
    row("bytes per window, idle", a, b, (double)idle / sizeof(hm_hist_t));

    /* Query all four windows, beside copying the 22 histograms they read. */
    hm_hist_t *copy = malloc(22 * sizeof *copy);
    if (!copy)
        return 1;
    double q = 1e9, c = 1e9;
    for (int r = 0; r < 200; r++) {
        double t = cpu_now();
        for (int k = 0; k < HM_WIN__COUNT; k++)
            hm_window_query(w, clock, (hm_win_t)k, h);
        t = cpu_now() - t;
        q = t < q ? t : q;
        t = cpu_now();
        for (int k = 0; k < 22; k++)
            memcpy(&copy[k], h, sizeof *h);
        t = cpu_now() - t;
        c = t < c ? t : c;
        sink += copy[r % 22].counts[r];
    }
    snprintf(a, sizeof a, "%.1f us", q * 1e6);
    snprintf(b, sizeof b, "memcpy of 22 histograms: %.1f us", c * 1e6);
    row("query 10s, 1m, 5m and all of one busy window", a, b, q / c);
    hm_window_destroy(&w);
    free(copy);
    free(h);
    free(v);
    return sink == 1 ? 2 : 0; /* keeps the floors from being optimised away */
}
