/* tests/test_format.c - human units at their boundaries, without the locale's help. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "format.h"

#define US 1000ull
#define MS 1000000ull
#define S 1000000000ull

static void test_format_durations_pick_readable_units(void **state)
{
    static const struct {
        uint64_t ns;
        const char *want;
    } cases[] = {
        {0, "0"},
        {1, "1ns"},
        {999, "999ns"},
        {1000, "1.00us"},
        {9994, "9.99us"},
        {9995, "10.0us"},  /* 3 significant digits, never "10.00" */
        {99949, "99.9us"},
        {99950, "100us"},
        {812 * US, "812us"},
        {999 * US, "999us"},
        {999499, "999us"},
        {999500, "1.00ms"}, /* would round to 1000us: the next unit */
        {999600, "1.00ms"},
        {1 * MS, "1.00ms"},
        {12345678, "12.3ms"},
        {999 * MS, "999ms"},
        {999500 * US, "1.00s"},
        {1500 * MS, "1.50s"},
        {90 * S, "90.0s"},
        {999 * S, "999s"},
        {1000 * S, "16.7m"},
        {1500 * S, "25.0m"},
        {3600 * S, "60.0m"},
    };
    char b[32];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hm_format_duration(cases[i].ns, false, b, sizeof b);
        if (strcmp(b, cases[i].want) != 0)
            fail_msg("%llu ns: got '%s', want '%s'", (unsigned long long)cases[i].ns, b,
                     cases[i].want);
    }
    assert_string_equal(hm_format_duration(812 * US, true, b, sizeof b), "812\xc2\xb5s");
    assert_string_equal(hm_format_duration(12345678, true, b, sizeof b), "12.3ms");
    /* a short buffer gets a terminated prefix, not an overflow */
    char tiny[4];
    hm_format_duration(12345678, false, tiny, sizeof tiny);
    assert_string_equal(tiny, "12.");
}

static void test_format_rates_at_their_boundaries(void **state)
{
    static const struct {
        double r;
        const char *want;
    } cases[] = {
        {0, "0.0"},     {-5, "0.0"},      {NAN, "0.0"},      {0.04, "0.0"},
        {0.5, "0.5"},   {99.94, "99.9"},  {99.95, "100"},    {250, "250"},
        {999.4, "999"}, {999.5, "1.00k"}, {1234, "1.23k"},   {99949, "99.9k"},
        {999999, "1.00M"}, {2.5e9, "2.50G"}, {INFINITY, "inf"},
    };
    char b[32];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hm_format_rate(cases[i].r, b, sizeof b);
        if (strcmp(b, cases[i].want) != 0)
            fail_msg("rate %g: got '%s', want '%s'", cases[i].r, b, cases[i].want);
    }
}

static void test_format_counts_and_percentages(void **state)
{
    char b[32];
    assert_string_equal(hm_format_count(0, b, sizeof b), "0");
    assert_string_equal(hm_format_count(999, b, sizeof b), "999");
    assert_string_equal(hm_format_count(1000, b, sizeof b), "1.00k");
    assert_string_equal(hm_format_count(999499, b, sizeof b), "999k");
    assert_string_equal(hm_format_count(999500, b, sizeof b), "1.00M");
    assert_string_equal(hm_format_count(1234567, b, sizeof b), "1.23M");
    assert_string_equal(hm_format_count(UINT64_MAX, b, sizeof b), "18.4E");
    assert_string_equal(hm_format_percent(0, b, sizeof b), "0%");
    assert_string_equal(hm_format_percent(NAN, b, sizeof b), "0%");
    assert_string_equal(hm_format_percent(0.00001, b, sizeof b), "<0.01%");
    assert_string_equal(hm_format_percent(0.0005, b, sizeof b), "0.05%");
    assert_string_equal(hm_format_percent(0.09999, b, sizeof b), "10.0%");
    assert_string_equal(hm_format_percent(0.5, b, sizeof b), "50.0%");
    assert_string_equal(hm_format_percent(1, b, sizeof b), "100%");
}

static void test_format_ms_rounds_to_the_microsecond(void **state)
{
    char b[32];
    assert_true(hm_format_ms(0) == 0.0);
    assert_true(hm_format_ms(12345678) == 12.346);
    assert_true(hm_format_ms(12345499) == 12.345);
    assert_true(hm_format_ms(3600 * S) == 3600000.0);
    snprintf(b, sizeof b, "%.3f", hm_format_ms(999));
    assert_string_equal(b, "0.001");
}

static void test_format_fixed_has_exact_decimals(void **state)
{
    char b[64];
    assert_string_equal(hm_format_fixed(12.3456, 3, b, sizeof b), "12.346");
    assert_string_equal(hm_format_fixed(0.0005, 3, b, sizeof b), "0.001");
    assert_string_equal(hm_format_fixed(0, 3, b, sizeof b), "0.000");
    assert_string_equal(hm_format_fixed(-0.0001, 3, b, sizeof b), "0.000"); /* no "-0.000" */
    assert_string_equal(hm_format_fixed(-2.5, 1, b, sizeof b), "-2.5");
    assert_string_equal(hm_format_fixed(7, 0, b, sizeof b), "7");
    assert_string_equal(hm_format_fixed(0.005, 6, b, sizeof b), "0.005000");
    assert_string_equal(hm_format_fixed(3600000.0, 3, b, sizeof b), "3600000.000");
    assert_string_equal(hm_format_fixed(NAN, 2, b, sizeof b), "0.00");
    /* the same as printf's "%.3f" in the C locale over a sweep of values */
    char want[64];
    for (uint64_t ns = 0; ns < 50000000; ns += 7777) {
        double ms = hm_format_ms(ns);
        snprintf(want, sizeof want, "%.3f", ms);
        assert_string_equal(hm_format_fixed(ms, 3, b, sizeof b), want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_durations_pick_readable_units),
        cmocka_unit_test(test_format_rates_at_their_boundaries),
        cmocka_unit_test(test_format_counts_and_percentages),
        cmocka_unit_test(test_format_ms_rounds_to_the_microsecond),
        cmocka_unit_test(test_format_fixed_has_exact_decimals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
