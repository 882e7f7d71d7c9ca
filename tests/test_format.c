/* tests/test_format.c - human units at their boundaries, and sparklines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "format.h"
#include "sparkline.h"

static void test_format_durations_pick_readable_units(void **state)
{
    char b[32];
    assert_string_equal(hm_format_duration(0, false, b, sizeof b), "0");
    assert_string_equal(hm_format_duration(999, false, b, sizeof b), "999ns");
    assert_string_equal(hm_format_duration(1000, false, b, sizeof b), "1.00us");
    assert_string_equal(hm_format_duration(812000, true, b, sizeof b), "812\xc2\xb5s");
    assert_string_equal(hm_format_duration(999600, false, b, sizeof b), "1.00ms"); /* not 1000us */
    assert_string_equal(hm_format_duration(12345678, false, b, sizeof b), "12.3ms");
    assert_string_equal(hm_format_duration(1500000000, false, b, sizeof b), "1.50s");
    assert_string_equal(hm_format_duration(90000000000ull, false, b, sizeof b), "90.0s");
    assert_string_equal(hm_format_duration(1500000000000ull, false, b, sizeof b), "25.0m");
}

static void test_format_rates_counts_and_percentages(void **state)
{
    char b[32];
    assert_string_equal(hm_format_rate(0.5, b, sizeof b), "0.5");
    assert_string_equal(hm_format_rate(250, b, sizeof b), "250");
    assert_string_equal(hm_format_rate(1234, b, sizeof b), "1.23k");
    assert_string_equal(hm_format_rate(999999, b, sizeof b), "1.00M");
    assert_string_equal(hm_format_count(1234567, b, sizeof b), "1.23M");
    assert_string_equal(hm_format_percent(0.0005, b, sizeof b), "0.05%");
    assert_string_equal(hm_format_percent(0.5, b, sizeof b), "50.0%");
    assert_string_equal(hm_format_percent(0, b, sizeof b), "0%");
    assert_true(hm_format_ms(12345678) == 12.345);
}

static void test_sparkline_scales_and_pads(void **state)
{
    char b[128];
    uint32_t v[] = {10, 20, 30, 0, 80};
    assert_string_equal(hm_sparkline(v, 5, 5, false, b, sizeof b), "_.- @");
    assert_string_equal(hm_sparkline(v, 5, 7, false, b, sizeof b), "  _.- @");
    assert_string_equal(hm_sparkline(v, 5, 2, false, b, sizeof b), " ="); /* one value: mid-height */
    hm_sparkline(v, 5, 5, true, b, sizeof b);
    assert_string_equal(b, "\xe2\x96\x81\xe2\x96\x82\xe2\x96\x83 \xe2\x96\x88");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_durations_pick_readable_units),
        cmocka_unit_test(test_format_rates_counts_and_percentages),
        cmocka_unit_test(test_sparkline_scales_and_pads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
