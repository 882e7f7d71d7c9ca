/*
 * test_histogram.c - the log-linear histogram (collector/histogram.c) against
 * exact answers: quantiles of a million values of four shapes within 1% of the
 * sorted array's, exact extremes and mean, clamping, merging, counting below a
 * bound, bucket bounds, octaves and saturation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "histogram.h"
#include "shapes.h"

#define N_VALUES 1000000

static void check_shape(shape_t shape, uint64_t seed)
{
    uint64_t state = seed;
    uint64_t *v = malloc(N_VALUES * sizeof *v);
    hm_hist_t *h = malloc(sizeof *h);
    assert_non_null(v);
    assert_non_null(h);
    hm_hist_init(h);
    uint64_t sum = 0, min = UINT64_MAX, max = 0;
    for (size_t i = 0; i < N_VALUES; i++) {
        v[i] = shape_draw(shape, &state);
        hm_hist_record(h, v[i]);
        sum += v[i];
        min = v[i] < min ? v[i] : min;
        max = v[i] > max ? v[i] : max;
    }
    assert_int_equal(h->count, N_VALUES);
    assert_int_equal(h->min_ns, min);
    assert_int_equal(h->max_ns, max);
    assert_int_equal(h->sum_ns, sum);
    assert_int_equal(hm_hist_mean(h), sum / N_VALUES);
    assert_int_equal(h->under, 0);
    assert_int_equal(h->over, 0);
    qsort(v, N_VALUES, sizeof *v, shape_cmp_u64);

    assert_true(shape_worst_error(h, v, N_VALUES) <= 0.01);
    /* The one-pass form and the single form agree. */
    double qs[SHAPE_QUANTILES];
    uint64_t got[SHAPE_QUANTILES];
    size_t n = shape_quantiles(qs);
    hm_hist_quantiles(h, qs, n, got);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(got[i], hm_hist_quantile(h, qs[i]));
    /* Extremes are exact: the answer is clamped to [min, max]. */
    assert_int_equal(hm_hist_quantile(h, 0.0), min);
    assert_int_equal(hm_hist_quantile(h, 1.0), max);
    free(h);
    free(v);
}

static void test_histogram_uniform_quantiles_within_one_percent(void **state)
{
    check_shape(SHAPE_UNIFORM, 1);
}

static void test_histogram_lognormal_quantiles_within_one_percent(void **state)
{
    check_shape(SHAPE_LOGNORMAL, 2);
}

static void test_histogram_bimodal_quantiles_within_one_percent(void **state)
{
    check_shape(SHAPE_BIMODAL, 3);
}

static void test_histogram_pareto_quantiles_within_one_percent(void **state)
{
    check_shape(SHAPE_PARETO, 4);
}

static void test_histogram_empty_answers_zero(void **state)
{
    hm_hist_t h;
    hm_hist_init(&h);
    assert_int_equal(h.count, 0);
    assert_int_equal(hm_hist_quantile(&h, 0.5), 0);
    assert_int_equal(hm_hist_mean(&h), 0);
    assert_int_equal(hm_hist_count_at_or_below(&h, HM_HIST_MAX_NS), 0);
    uint64_t oct[HM_HIST_OCTAVES + 1];
    hm_hist_octaves(&h, oct);
    for (size_t i = 0; i <= HM_HIST_OCTAVES; i++)
        assert_int_equal(oct[i], 0);
}

static void test_histogram_clamps_and_counts_out_of_range(void **state)
{
    hm_hist_t h;
    hm_hist_init(&h);
    hm_hist_record(&h, 0);
    hm_hist_record(&h, HM_HIST_MIN_NS - 1);
    hm_hist_record(&h, HM_HIST_MIN_NS);
    hm_hist_record(&h, 5000);
    hm_hist_record(&h, HM_HIST_MAX_NS);
    hm_hist_record(&h, HM_HIST_MAX_NS + 1);
    hm_hist_record(&h, UINT64_MAX);
    assert_int_equal(h.count, 7);
    assert_int_equal(h.under, 2);
    assert_int_equal(h.over, 2);
    assert_int_equal(h.min_ns, HM_HIST_MIN_NS);
    assert_int_equal(h.max_ns, HM_HIST_MAX_NS);
    assert_int_equal(h.sum_ns, 3 * HM_HIST_MIN_NS + 5000 + 3 * HM_HIST_MAX_NS);
    assert_int_equal(hm_hist_quantile(&h, 0.0), HM_HIST_MIN_NS);
    assert_int_equal(hm_hist_quantile(&h, 3.0 / 7), HM_HIST_MIN_NS);
    assert_int_equal(hm_hist_quantile(&h, 1.0), HM_HIST_MAX_NS);
    assert_int_equal(h.counts[hm_hist_bucket(HM_HIST_MIN_NS)], 3);
    assert_int_equal(h.counts[hm_hist_bucket(HM_HIST_MAX_NS)], 3);
    assert_int_equal(hm_hist_bucket(0), hm_hist_bucket(HM_HIST_MIN_NS));
    assert_int_equal(hm_hist_bucket(UINT64_MAX), hm_hist_bucket(HM_HIST_MAX_NS));
}

static void test_histogram_merge_equals_recording_everything_in_one(void **state)
{
    hm_hist_t *a = malloc(sizeof *a), *b = malloc(sizeof *b), *all = malloc(sizeof *all);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(all);
    hm_hist_init(a);
    hm_hist_init(b);
    hm_hist_init(all);
    uint64_t st = 7;
    for (int i = 0; i < 200000; i++) {
        uint64_t v = shape_draw(i % 3 ? SHAPE_LOGNORMAL : SHAPE_PARETO, &st);
        if (i % 1000 == 0)
            v = i % 2000 ? 10 : UINT64_MAX; /* out of range on both sides */
        hm_hist_record(i % 5 ? a : b, v);
        hm_hist_record(all, v);
    }
    hm_hist_merge(a, b);
    assert_memory_equal(a, all, sizeof *all);
    /* Merging an empty histogram changes nothing. */
    hm_hist_init(b);
    hm_hist_merge(a, b);
    assert_memory_equal(a, all, sizeof *all);
    free(a);
    free(b);
    free(all);
}

static void test_histogram_count_at_or_below_exact_at_bucket_edges(void **state)
{
    hm_hist_t *h = malloc(sizeof *h);
    uint64_t *v = malloc(100000 * sizeof *v);
    assert_non_null(h);
    assert_non_null(v);
    hm_hist_init(h);
    uint64_t st = 11;
    for (size_t i = 0; i < 100000; i++) {
        v[i] = shape_draw(SHAPE_BIMODAL, &st);
        hm_hist_record(h, v[i]);
    }
    size_t checked = 0;
    for (size_t b = hm_hist_bucket(HM_HIST_MIN_NS); b < HM_HIST_BUCKETS; b += 7) {
        uint64_t bound = hm_hist_bucket_high(b) - 1;
        uint64_t want = 0;
        for (size_t i = 0; i < 100000; i++)
            want += v[i] <= bound;
        assert_int_equal(hm_hist_count_at_or_below(h, bound), want);
        checked += want > 0 && want < 100000;
    }
    assert_true(checked > 100); /* the bounds cut through the data, not around it */
    assert_int_equal(hm_hist_count_at_or_below(h, h->min_ns - 1), 0);
    assert_int_equal(hm_hist_count_at_or_below(h, h->max_ns), 100000);
    free(v);
    free(h);
}

static void test_histogram_bucket_bounds_bracket_their_values(void **state)
{
    size_t first = hm_hist_bucket(HM_HIST_MIN_NS), last = hm_hist_bucket(HM_HIST_MAX_NS);
    assert_true(last < HM_HIST_BUCKETS);
    for (size_t b = 1; b < HM_HIST_BUCKETS; b++)
        assert_int_equal(hm_hist_bucket_low(b), hm_hist_bucket_high(b - 1));
    for (size_t b = first; b <= last; b++) {
        uint64_t lo = hm_hist_bucket_low(b), hi = hm_hist_bucket_high(b);
        assert_true(lo < hi);
        /* Half the width is under 1% of the low edge: the midpoint is within 1%. */
        assert_true((hi - lo) * 50 <= lo);
        if (lo >= HM_HIST_MIN_NS)
            assert_int_equal(hm_hist_bucket(lo), b);
        if (hi - 1 <= HM_HIST_MAX_NS)
            assert_int_equal(hm_hist_bucket(hi - 1), b);
    }
    /* Random values across the whole range, log-uniform. */
    uint64_t st = 5;
    for (int i = 0; i < 1000000; i++) {
        double span = log((double)HM_HIST_MAX_NS / HM_HIST_MIN_NS);
        uint64_t v = (uint64_t)(HM_HIST_MIN_NS * exp(shape_next_unit(&st) * span));
        if (v < HM_HIST_MIN_NS || v > HM_HIST_MAX_NS)
            continue;
        size_t b = hm_hist_bucket(v);
        assert_true(b >= first && b <= last);
        assert_true(hm_hist_bucket_low(b) <= v && v < hm_hist_bucket_high(b));
    }
}

static void test_histogram_octaves_fold_powers_of_two(void **state)
{
    hm_hist_t h;
    hm_hist_init(&h);
    hm_hist_record(&h, 1000);       /* below 2^10: out[0] */
    hm_hist_record(&h, 1500);       /* [2^10, 2^11): out[1] */
    hm_hist_record(&h, 3000);       /* [2^11, 2^12): out[2] */
    hm_hist_record(&h, 4095);       /* out[2] */
    hm_hist_record(&h, HM_HIST_MAX_NS); /* [2^41, 2^42): out[32] */
    uint64_t oct[HM_HIST_OCTAVES + 1];
    hm_hist_octaves(&h, oct);
    assert_int_equal(oct[0], 1);
    assert_int_equal(oct[1], 1);
    assert_int_equal(oct[2], 2);
    assert_int_equal(oct[HM_HIST_OCTAVES], 1);
    uint64_t total = 0;
    for (size_t i = 0; i <= HM_HIST_OCTAVES; i++)
        total += oct[i];
    assert_int_equal(total, h.count);
}

static void test_histogram_saturates_without_wrapping(void **state)
{
    hm_hist_t a, b;
    hm_hist_init(&a);
    size_t i = hm_hist_bucket(50000);
    a.counts[i] = UINT32_MAX - 1;
    a.count = UINT32_MAX - 1;
    a.min_ns = a.max_ns = 50000;
    a.sum_ns = UINT64_MAX - 10;
    for (int k = 0; k < 3; k++)
        hm_hist_record(&a, 50000);
    assert_int_equal(a.counts[i], UINT32_MAX);
    assert_int_equal(a.sum_ns, UINT64_MAX);
    assert_int_equal(a.count, (uint64_t)UINT32_MAX + 2);
    b = a;
    hm_hist_merge(&a, &b);
    assert_int_equal(a.counts[i], UINT32_MAX);
    assert_int_equal(a.sum_ns, UINT64_MAX);
    /* Counts short of the total do not lose the top quantiles. */
    hm_hist_record(&a, 90000);
    assert_int_equal(hm_hist_quantile(&a, 1.0), 90000);
    assert_true(hm_hist_quantile(&a, 0.5) >= 49500 && hm_hist_quantile(&a, 0.5) <= 50500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_histogram_uniform_quantiles_within_one_percent),
        cmocka_unit_test(test_histogram_lognormal_quantiles_within_one_percent),
        cmocka_unit_test(test_histogram_bimodal_quantiles_within_one_percent),
        cmocka_unit_test(test_histogram_pareto_quantiles_within_one_percent),
        cmocka_unit_test(test_histogram_empty_answers_zero),
        cmocka_unit_test(test_histogram_clamps_and_counts_out_of_range),
        cmocka_unit_test(test_histogram_merge_equals_recording_everything_in_one),
        cmocka_unit_test(test_histogram_count_at_or_below_exact_at_bucket_edges),
        cmocka_unit_test(test_histogram_bucket_bounds_bracket_their_values),
        cmocka_unit_test(test_histogram_octaves_fold_powers_of_two),
        cmocka_unit_test(test_histogram_saturates_without_wrapping),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
