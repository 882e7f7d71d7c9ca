/* tests/test_load_dist.c - latency distributions: specs read or refused,
 * and drawn values whose quantiles (from the collector's histogram) match
 * what the spec asked for. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "histogram.h"
#include "load_dist.h"

#define MS 1e6
#define DRAWS 200000

static hm_hist_t *draw(const char *spec)
{
    hm_dist_t d;
    const char *why = NULL;
    if (hm_dist_parse(spec, &d, &why) != 0)
        fail_msg("%s: %s", spec, why);
    hm_hist_t *h = malloc(sizeof *h);
    assert_non_null(h);
    hm_hist_init(h);
    uint64_t rng = 7;
    for (int i = 0; i < DRAWS; i++)
        hm_hist_record(h, (uint64_t)hm_dist_draw(&d, &rng));
    return h;
}

static void assert_near(double got, double want, double rel)
{
    if (fabs(got - want) > rel * want)
        fail_msg("got %.0f, want %.0f within %.0f%%", got, want, rel * 100);
}

static void test_dist_quantiles_follow_the_spec(void **state)
{
    hm_hist_t *h = draw("constant:5ms");
    assert_near((double)hm_hist_quantile(h, 0.01), 5 * MS, 0.01);
    assert_near((double)hm_hist_quantile(h, 0.99), 5 * MS, 0.01);
    free(h);

    h = draw("uniform:1ms:3ms");
    assert_near((double)hm_hist_quantile(h, 0.5), 2 * MS, 0.02);
    assert_true(h->min_ns >= 1 * MS && h->max_ns <= 3 * MS);
    free(h);

    h = draw("lognormal:4ms:40ms");
    assert_near((double)hm_hist_quantile(h, 0.5), 4 * MS, 0.03);
    assert_near((double)hm_hist_quantile(h, 0.99), 40 * MS, 0.05);
    free(h);

    /* 80% fast: the median is the fast mode's 62.5th percentile (z = 0.3186,
     * spread 0.25); p90 is the slow mode's median. */
    h = draw("bimodal:1ms:100ms:0.2");
    assert_near((double)hm_hist_quantile(h, 0.5), 1 * MS * exp(0.25 * 0.3186), 0.03);
    assert_near((double)hm_hist_quantile(h, 0.9), 100 * MS, 0.15);
    assert_true(hm_hist_count_at_or_below(h, 10 * MS) > DRAWS * 0.78);
    assert_true(hm_hist_count_at_or_below(h, 10 * MS) < DRAWS * 0.82);
    free(h);

    /* Pareto: P(X > x) = (min/x)^alpha, so the median is min * 2^(1/alpha). */
    h = draw("pareto:1ms:2");
    assert_near((double)hm_hist_quantile(h, 0.5), 1 * MS * sqrt(2), 0.03);
    assert_near((double)hm_hist_quantile(h, 0.99), 1 * MS * 10, 0.05);
    assert_true(h->min_ns >= 0.99 * MS);
    free(h);
}

static void test_dist_refuses_bad_specs_with_a_reason(void **state)
{
    static const struct {
        const char *spec, *why;
    } cases[] = {
        {"normal:5ms",
         "unknown distribution: want constant, uniform, lognormal, bimodal or pareto"},
        {"", "unknown distribution: want constant, uniform, lognormal, bimodal or pareto"},
        {"constant", "constant:DURATION"},
        {"constant:5ms:6ms", "constant:DURATION"},
        {"constant:5", "a duration needs a unit: ns, us, ms or s"},
        {"constant:5min", "unknown unit: want ns, us, ms or s"},
        {"constant:-5ms", "a duration is a number with a unit: 250us, 5ms, 1.5s"},
        {"uniform:3ms:1ms", "uniform:LOW:HIGH: HIGH below LOW"},
        {"lognormal:5ms:5ms", "lognormal:MEDIAN:P99: P99 must be above MEDIAN, MEDIAN above 0"},
        {"bimodal:1ms:9ms:1.5", "bimodal:FAST:SLOW:SHARE: SHARE is 0 to 1, modes above 0"},
        {"bimodal:1ms:9ms:x", "bimodal:FAST:SLOW:SHARE: SHARE is 0 to 1"},
        {"pareto:1ms:0", "pareto:MIN:ALPHA: ALPHA is a number above 0, MIN above 0"},
        {"constant:1:2:3:4:5:6", "too many ':' parts in the distribution"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hm_dist_t d = {.kind = HM_DIST_PARETO, .a = 42};
        const char *why = NULL;
        assert_int_equal(hm_dist_parse(cases[i].spec, &d, &why), EINVAL);
        if (!why || strcmp(why, cases[i].why) != 0)
            fail_msg("'%s': got '%s', want '%s'", cases[i].spec, why ? why : "(none)",
                     cases[i].why);
        assert_true(d.a == 42); /* untouched */
    }
}

static void test_dist_durations_take_units(void **state)
{
    uint64_t ns;
    const char *why;
    assert_int_equal(hm_duration_parse("250us", &ns, &why), 0);
    assert_int_equal(ns, 250000);
    assert_int_equal(hm_duration_parse("1.5s", &ns, &why), 0);
    assert_int_equal(ns, 1500000000);
    assert_int_equal(hm_duration_parse("7ns", &ns, &why), 0);
    assert_int_equal(ns, 7);
    assert_int_equal(hm_duration_parse("25h", &ns, &why), EINVAL);
    assert_int_equal(hm_duration_parse("90000s", &ns, &why), EINVAL);
    assert_string_equal(why, "a duration is at most 24 hours");
    assert_int_equal(hm_duration_parse(" 5ms", &ns, &why), EINVAL);
}

static void test_dist_draws_are_repeatable_and_bounded(void **state)
{
    hm_dist_t d;
    const char *why;
    assert_int_equal(hm_dist_parse("pareto:1ms:0.1", &d, &why), 0);
    uint64_t a = 3, b = 3;
    for (int i = 0; i < 10000; i++) {
        double x = hm_dist_draw(&d, &a);
        assert_true(x == hm_dist_draw(&d, &b));
        assert_true(x >= 1 && x <= 3.6e12);
    }
    assert_true(hm_dist_median(&d) > 1e6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dist_quantiles_follow_the_spec),
        cmocka_unit_test(test_dist_refuses_bad_specs_with_a_reason),
        cmocka_unit_test(test_dist_durations_take_units),
        cmocka_unit_test(test_dist_draws_are_repeatable_and_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
