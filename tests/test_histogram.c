/* tests/test_histogram.c - quantile accuracy, clamping, merging and buckets. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "histogram.h"

#define N 1000000

/* xorshift64*: a fixed-seed generator of our own, so runs are repeatable. */
static uint64_t next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ull;
}

static double unit(uint64_t *s)
{
    return ((double)(next(s) >> 11) + 0.5) / 9007199254740992.0;
}

static double normal(uint64_t *s)
{
    return sqrt(-2.0 * log(unit(s))) * cos(2.0 * M_PI * unit(s));
}

typedef uint64_t (*dist_fn)(uint64_t *s);

static uint64_t d_uniform(uint64_t *s)
{
    return 1000 + next(s) % 500000000ull; /* 1 us .. 0.5 s */
}

static uint64_t d_lognormal(uint64_t *s)
{
    return (uint64_t)(5e6 * exp(0.8 * normal(s))); /* median 5 ms */
}

static uint64_t d_bimodal(uint64_t *s)
{
    double base = unit(s) < 0.9 ? 2e5 : 8e7; /* cache hit 200 us, miss 80 ms */
    return (uint64_t)(base * exp(0.2 * normal(s)));
}

static uint64_t d_pareto(uint64_t *s)
{
    return (uint64_t)(1e5 / pow(unit(s), 1.0 / 1.2)); /* heavy tail from 100 us */
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static uint64_t clampv(uint64_t v)
{
    return v < HM_HIST_MIN_NS ? HM_HIST_MIN_NS : v > HM_HIST_MAX_NS ? HM_HIST_MAX_NS : v;
}

/* Max relative error over many quantiles against the exact sorted values. */
static double max_error(dist_fn d)
{
    uint64_t *v = malloc(N * sizeof *v);
    hm_hist_t *h = malloc(sizeof *h);
    assert_non_null(v);
    assert_non_null(h);
    hm_hist_init(h);
    uint64_t seed = 0x9E3779B97F4A7C15ull;
    for (size_t i = 0; i < N; i++) {
        v[i] = clampv(d(&seed));
        hm_hist_record(h, v[i]);
    }
    qsort(v, N, sizeof *v, cmp_u64);
    double worst = 0;
    double qs[] = {0.5, 0.9, 0.95, 0.99, 0.999, 0.9999};
    for (size_t k = 0; k < 6 + 99; k++) {
        double q = k < 6 ? qs[k] : (double)(k - 5) / 100.0;
        size_t rank = (size_t)ceil(q * N);
        uint64_t exact = v[rank - 1];
        uint64_t got = hm_hist_quantile(h, q);
        double err = fabs((double)got - (double)exact) / (double)exact;
        if (err > worst)
            worst = err;
    }
    assert_int_equal(h->count, N);
    assert_int_equal(h->min_ns, v[0]);
    assert_int_equal(h->max_ns, v[N - 1]);
    free(v);
    free(h);
    return worst;
}

static void test_histogram_quantiles_within_one_percent(void **state)
{
    dist_fn d[] = {d_uniform, d_lognormal, d_bimodal, d_pareto};
    for (size_t i = 0; i < 4; i++) {
        double e = max_error(d[i]);
        print_message("distribution %zu: max relative error %.4f%%\n", i, e * 100);
        assert_true(e <= 0.01);
    }
}

static void test_histogram_clamps_and_counts_out_of_range(void **state)
{
    hm_hist_t h;
    hm_hist_init(&h);
    hm_hist_record(&h, 0);
    hm_hist_record(&h, 999);
    hm_hist_record(&h, HM_HIST_MAX_NS + 1);
    hm_hist_record(&h, UINT64_MAX);
    assert_int_equal(h.under, 2);
    assert_int_equal(h.over, 2);
    assert_int_equal(h.count, 4);
    assert_int_equal(h.min_ns, HM_HIST_MIN_NS);
    assert_int_equal(h.max_ns, HM_HIST_MAX_NS);
    assert_int_equal(hm_hist_quantile(&h, 1.0), HM_HIST_MAX_NS);
    assert_int_equal(hm_hist_quantile(&h, 0.0), HM_HIST_MIN_NS);
}

static void test_histogram_empty_gives_zero(void **state)
{
    hm_hist_t h;
    hm_hist_init(&h);
    assert_int_equal(hm_hist_quantile(&h, 0.99), 0);
    assert_int_equal(hm_hist_mean(&h), 0);
    assert_int_equal(hm_hist_count_at_or_below(&h, 5000000), 0);
}

static void test_histogram_merge_equals_recording_everything(void **state)
{
    static hm_hist_t a, b, all;
    hm_hist_init(&a);
    hm_hist_init(&b);
    hm_hist_init(&all);
    uint64_t s = 42;
    for (int i = 0; i < 100000; i++) {
        uint64_t v = d_lognormal(&s);
        hm_hist_record(i % 3 ? &a : &b, v);
        hm_hist_record(&all, v);
    }
    hm_hist_merge(&a, &b);
    assert_memory_equal(&a, &all, sizeof a);
}

static void test_histogram_buckets_bracket_their_values(void **state)
{
    uint64_t s = 7;
    for (int i = 0; i < 200000; i++) {
        uint64_t v = clampv(next(&s) >> (next(&s) % 64));
        size_t b = hm_hist_bucket(v);
        assert_true(b < HM_HIST_BUCKETS);
        assert_true(hm_hist_bucket_low(b) <= v);
        assert_true(v < hm_hist_bucket_high(b));
        /* width at most 1/64 of the low bound, outside the linear group */
        if (b >= (1u << HM_HIST_SUB_BITS))
            assert_true((hm_hist_bucket_high(b) - hm_hist_bucket_low(b)) * 64 <=
                        hm_hist_bucket_low(b));
    }
    assert_true(hm_hist_bucket(HM_HIST_MAX_NS) < HM_HIST_BUCKETS);
    /* consecutive buckets tile the range with no gap */
    for (size_t b = 1; b < HM_HIST_BUCKETS; b++)
        assert_int_equal(hm_hist_bucket_high(b - 1), hm_hist_bucket_low(b));
}

static void test_histogram_counts_good_below_a_bound(void **state)
{
    hm_hist_t h;
    hm_hist_init(&h);
    for (uint64_t ms = 1; ms <= 100; ms++)
        hm_hist_record(&h, ms * 1000000);
    /* 50 ms lies in a bucket holding only 50 ms among these values */
    assert_int_equal(hm_hist_count_at_or_below(&h, 50000000), 50);
    assert_int_equal(hm_hist_count_at_or_below(&h, 1000000000), 100);
    assert_int_equal(hm_hist_count_at_or_below(&h, 500), 0);
}

static void test_histogram_mean_and_octaves(void **state)
{
    hm_hist_t h;
    hm_hist_init(&h);
    hm_hist_record(&h, 2000);
    hm_hist_record(&h, 4000);
    hm_hist_record(&h, 4100);
    assert_int_equal(hm_hist_mean(&h), 3366);
    uint64_t o[HM_HIST_OCTAVES + 1];
    hm_hist_octaves(&h, o);
    uint64_t total = 0;
    for (int i = 0; i <= HM_HIST_OCTAVES; i++)
        total += o[i];
    assert_int_equal(total, 3);
    assert_int_equal(o[2], 1); /* [2048, 4096): 4000... and 2000 is in [1024, 2048) */
    assert_int_equal(o[1], 1);
    assert_int_equal(o[3], 1);
}

static void test_histogram_saturates_without_wrapping(void **state)
{
    hm_hist_t a, b;
    hm_hist_init(&a);
    hm_hist_init(&b);
    hm_hist_record(&a, 5000);
    a.counts[hm_hist_bucket(5000)] = UINT32_MAX;
    hm_hist_record(&a, 5000);
    assert_int_equal(a.counts[hm_hist_bucket(5000)], UINT32_MAX);
    b = a;
    hm_hist_merge(&a, &b);
    assert_int_equal(a.counts[hm_hist_bucket(5000)], UINT32_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_histogram_quantiles_within_one_percent),
        cmocka_unit_test(test_histogram_clamps_and_counts_out_of_range),
        cmocka_unit_test(test_histogram_empty_gives_zero),
        cmocka_unit_test(test_histogram_merge_equals_recording_everything),
        cmocka_unit_test(test_histogram_buckets_bracket_their_values),
        cmocka_unit_test(test_histogram_counts_good_below_a_bound),
        cmocka_unit_test(test_histogram_mean_and_octaves),
        cmocka_unit_test(test_histogram_saturates_without_wrapping),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
