/* tests/test_sparkline.c - sparklines: scale, widths, blanks, short buffers. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "escape.h"
#include "sparkline.h"

#define B(i) "\xe2\x96" i /* U+2581.. as UTF-8: B("\x81") is the lowest block */

static void test_sparkline_scales_between_min_and_max(void **state)
{
    char b[128];
    uint32_t v[] = {10, 20, 30, 0, 80};
    assert_string_equal(hm_sparkline(v, 5, 5, false, b, sizeof b), "_.- @");
    hm_sparkline(v, 5, 5, true, b, sizeof b);
    assert_string_equal(b, B("\x81") B("\x82") B("\x83") " " B("\x88"));
    uint32_t ramp[] = {1, 2, 3, 4, 5, 6, 7, 8};
    assert_string_equal(hm_sparkline(ramp, 8, 8, false, b, sizeof b), "_.-=+*#@");
    hm_sparkline(ramp, 8, 8, true, b, sizeof b);
    assert_string_equal(b, B("\x81") B("\x82") B("\x83") B("\x84") B("\x85") B("\x86") B("\x87")
                               B("\x88"));
    uint32_t flat[] = {7, 7, 7};
    assert_string_equal(hm_sparkline(flat, 3, 3, false, b, sizeof b), "===");
    uint32_t none[] = {0, 0, 0};
    assert_string_equal(hm_sparkline(none, 3, 3, true, b, sizeof b), "   ");
}

static void test_sparkline_keeps_the_newest_and_pads_the_left(void **state)
{
    char b[128];
    uint32_t v[] = {10, 20, 30, 0, 80};
    assert_string_equal(hm_sparkline(v, 5, 7, false, b, sizeof b), "  _.- @");
    assert_string_equal(hm_sparkline(v, 5, 2, false, b, sizeof b), " ="); /* one value: mid-height */
    assert_string_equal(hm_sparkline(v, 5, 0, false, b, sizeof b), "");
    assert_string_equal(hm_sparkline(NULL, 0, 4, false, b, sizeof b), "    ");
    /* the scale is of the values shown: a huge old value no longer flattens the line */
    uint32_t spike[] = {100000, 1, 2};
    assert_string_equal(hm_sparkline(spike, 3, 2, false, b, sizeof b), "_@");
}

static void test_sparkline_is_exactly_width_cells(void **state)
{
    char b[512];
    uint32_t v[100];
    for (int i = 0; i < 100; i++)
        v[i] = (uint32_t)(i * 37 % 11);
    for (size_t n = 0; n <= 100; n += 7) {
        for (int w = 1; w <= 60; w++) {
            hm_sparkline(v, n, w, true, b, sizeof b);
            assert_int_equal(hm_escape_width(b), w);
            hm_sparkline(v, n, w, false, b, sizeof b);
            assert_int_equal((int)strlen(b), w);
        }
    }
}

static void test_sparkline_cuts_whole_cells_in_a_short_buffer(void **state)
{
    char b[8];
    uint32_t v[] = {1, 2, 3, 4, 5, 6};
    hm_sparkline(v, 6, 6, true, b, sizeof b); /* room for two 3-byte blocks */
    assert_int_equal(strlen(b), 6);
    assert_string_equal(b, B("\x81") B("\x82"));
    hm_sparkline(v, 6, 6, false, b, 4);
    assert_string_equal(b, "_.-");
}

int main(void)
{
    if (!setlocale(LC_CTYPE, "C.UTF-8"))
        setlocale(LC_CTYPE, "C.utf8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sparkline_scales_between_min_and_max),
        cmocka_unit_test(test_sparkline_keeps_the_newest_and_pads_the_left),
        cmocka_unit_test(test_sparkline_is_exactly_width_cells),
        cmocka_unit_test(test_sparkline_cuts_whole_cells_in_a_short_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
