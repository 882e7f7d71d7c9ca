/*
 * bench_histogram.c - the histogram and the rolling window beside their floors.
 *
 *   record:  ns per hm_hist_record and per hm_window_record, beside incrementing
 *            a counter at an index computed by a mask, over the same values;
 *   error:   the worst relative error of 111 quantiles against the exact sorted
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

#define N_VALUES 1000000
#define ROUNDS 5
#define S 1000000000ull

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* splitmix64 with a fixed seed. */
static uint64_t next_u64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double next_unit(uint64_t *state)
{
    return ((double)(next_u64(state) >> 11) + 0.5) / 9007199254740992.0;
}

static double lognormal(uint64_t *state, double median_ns, double sigma)
{
    double n = sqrt(-2.0 * log(next_unit(state))) * cos(6.283185307179586 * next_unit(state));
    return median_ns * exp(sigma * n);
}

static const char *const shape_names[] = {"uniform", "lognormal", "bimodal", "Pareto"};

/* n values of shape k (an index into shape_names), all within 1 us .. 1 h. */
static void fill(int k, uint64_t *v, size_t n, uint64_t seed)
{
    for (size_t i = 0; i < n; i++) {
        double x;
        do {
            switch (k) {
            case 0: x = 1000.0 + next_unit(&seed) * 1e8; break;
            case 1: x = lognormal(&seed, 2e6, 1.0); break;
            case 2:
                x = next_unit(&seed) < 0.8 ? lognormal(&seed, 3e5, 0.3) : lognormal(&seed, 8e7, 0.4);
                break;
            default: x = 2e4 / pow(next_unit(&seed), 1.0 / 1.1); break;
            }
        } while (x < (double)HM_HIST_MIN_NS || x > (double)HM_HIST_MAX_NS);
        v[i] = (uint64_t)x;
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
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

/* Worst relative error of 111 quantiles against the sorted values. */
static double worst_error(uint64_t *v, hm_hist_t *h)
{
    hm_hist_init(h);
    for (size_t i = 0; i < N_VALUES; i++)
        hm_hist_record(h, v[i]);
    qsort(v, N_VALUES, sizeof *v, cmp_u64);
    double qs[111];
    size_t n = 0;
    for (int p = 1; p <= 99; p++)
        qs[n++] = p / 100.0;
    static const double tail[] = {0.991, 0.992, 0.993, 0.994, 0.995, 0.996,
                                  0.997, 0.998, 0.999, 0.9995, 0.9999, 1.0};
    for (size_t i = 0; i < sizeof tail / sizeof tail[0]; i++)
        qs[n++] = tail[i];
    uint64_t got[111];
    hm_hist_quantiles(h, qs, n, got);
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        size_t rank = (size_t)ceil(qs[i] * N_VALUES);
        uint64_t want = v[(rank < 1 ? 1 : rank > N_VALUES ? N_VALUES : rank) - 1];
        double e = fabs((double)got[i] - (double)want) / (double)want;
        worst = e > worst ? e : worst;
    }
    return worst;
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
    fill(1, v, N_VALUES, 42);
    double fl = time_floor(v, &sink);
    double hr = time_hist(v, h);
    double wr = time_window(v, &clock);
    snprintf(a, sizeof a, "%.2f ns", hr);
    snprintf(b, sizeof b, "counter at a masked index: %.2f ns", fl);
    row("hm_hist_record, lognormal values", a, b, hr / fl);
    snprintf(a, sizeof a, "%.2f ns (%.0f M/s)", wr, 1e3 / wr);
    row("hm_window_record (4 histograms), 10 M samples/s of clock", a, b, wr / fl);

    for (int k = 0; k < 4; k++) {
        fill(k, v, N_VALUES, 100 + (uint64_t)k);
        double e = worst_error(v, h);
        char fig[80];
        snprintf(fig, sizeof fig, "max relative error, 111 quantiles, %s", shape_names[k]);
        snprintf(a, sizeof a, "%.3f%%", e * 100);
        row(fig, a, "exact sorted array, bound: 1%", e / 0.01);
    }

    /* Every slice live: a sample each second for five minutes. */
    hm_window_t *w = hm_window_new(clock);
    if (!w)
        return 1;
    size_t idle = hm_window_bytes(w);
    fill(1, v, N_VALUES, 7);
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
