/* tests/test_window.c - rolling windows under an injected clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "window.h"

#define S 1000000000ull
#define MS 1000000ull
#define T0 (1000 * S) /* an arbitrary start, not aligned to anything special */

static hm_hist_t out;

static uint64_t count_in(hm_window_t *w, uint64_t now, hm_win_t which)
{
    hm_window_query(w, now, which, &out);
    return out.count;
}

static int setup(void **state)
{
    *state = hm_window_new(T0);
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    hm_window_t *w = *state;
    hm_window_destroy(&w);
    assert_null(w);
    return 0;
}

static void test_window_forgets_expired_slices(void **state)
{
    hm_window_t *w = *state;
    hm_window_record(w, T0, 5 * MS, false);
    assert_int_equal(count_in(w, T0 + 1 * S, HM_WIN_10S), 1);
    /* still inside the 10 s window 10 s later (current slice + 10 before) */
    assert_int_equal(count_in(w, T0 + 10 * S, HM_WIN_10S), 1);
    assert_int_equal(count_in(w, T0 + 12 * S, HM_WIN_10S), 0);
    assert_int_equal(count_in(w, T0 + 12 * S, HM_WIN_1M), 1);
    assert_int_equal(count_in(w, T0 + 75 * S, HM_WIN_1M), 0);
    assert_int_equal(count_in(w, T0 + 75 * S, HM_WIN_5M), 1);
    assert_int_equal(count_in(w, T0 + 370 * S, HM_WIN_5M), 0);
    assert_int_equal(count_in(w, T0 + 370 * S, HM_WIN_ALL), 1);
}

static void test_window_span_is_short_after_start(void **state)
{
    hm_window_t *w = *state;
    hm_window_result_t r = hm_window_query(w, T0 + 3 * S, HM_WIN_1M, &out);
    assert_int_equal(r.span_ns, 3 * S);
    r = hm_window_query(w, T0 + 600 * S, HM_WIN_10S, &out);
    assert_true(r.span_ns >= 10 * S && r.span_ns <= 11 * S);
    r = hm_window_query(w, T0 + 600 * S, HM_WIN_ALL, &out);
    assert_int_equal(r.span_ns, 600 * S);
}

static void test_window_counts_errors_per_window(void **state)
{
    hm_window_t *w = *state;
    for (int i = 0; i < 10; i++)
        hm_window_record(w, T0 + (uint64_t)i * 100 * MS, MS, i < 3);
    hm_window_result_t r = hm_window_query(w, T0 + 2 * S, HM_WIN_10S, &out);
    assert_int_equal(r.errors, 3);
    assert_int_equal(out.count, 10);
    r = hm_window_query(w, T0 + 30 * S, HM_WIN_10S, &out);
    assert_int_equal(r.errors, 0);
    r = hm_window_query(w, T0 + 30 * S, HM_WIN_ALL, &out);
    assert_int_equal(r.errors, 3);
}

static void test_window_reset_forgets_everything(void **state)
{
    hm_window_t *w = *state;
    hm_window_record(w, T0, MS, true);
    hm_window_reset(w, T0 + S);
    assert_int_equal(count_in(w, T0 + S, HM_WIN_ALL), 0);
    assert_int_equal(count_in(w, T0 + S, HM_WIN_10S), 0);
    hm_window_record(w, T0 + 2 * S, MS, false);
    assert_int_equal(count_in(w, T0 + 2 * S, HM_WIN_ALL), 1);
}

static void test_window_history_has_one_entry_per_second(void **state)
{
    hm_window_t *w = *state;
    /* seconds 0 and 2 after T0 get 10 and 20 samples of 3 ms and 7 ms */
    for (int i = 0; i < 10; i++)
        hm_window_record(w, T0 + (uint64_t)i * MS, 3 * MS, false);
    for (int i = 0; i < 20; i++)
        hm_window_record(w, T0 + 2 * S + (uint64_t)i * MS, 7 * MS, i == 0);
    hm_second_t h[5];
    hm_window_history(w, T0 + 3 * S + 1, h, 5); /* seconds T0-2 .. T0+2 */
    assert_int_equal(h[0].count, 0);
    assert_int_equal(h[2].count, 10);
    assert_true(h[2].p50_us >= 2970 && h[2].p50_us <= 3030);
    assert_int_equal(h[3].count, 0);
    assert_int_equal(h[4].count, 20);
    assert_int_equal(h[4].errors, 1);
    assert_true(h[4].p99_us >= 6930 && h[4].p99_us <= 7070);
    /* the current, unfinished second is not in the history */
    hm_window_record(w, T0 + 3 * S + 2, MS, false);
    hm_window_history(w, T0 + 3 * S + 3, h, 5);
    assert_int_equal(h[4].count, 20);
}

static void test_window_idle_frees_its_slices(void **state)
{
    hm_window_t *w = *state;
    size_t idle = hm_window_bytes(w);
    hm_window_record(w, T0, MS, false);
    assert_true(hm_window_bytes(w) > idle);
    hm_window_advance(w, T0 + 3600 * S);
    assert_int_equal(hm_window_bytes(w), idle);
    assert_int_equal(count_in(w, T0 + 3600 * S, HM_WIN_ALL), 1);
}

static void test_window_names_parse_back(void **state)
{
    for (int i = 0; i < HM_WIN__COUNT; i++) {
        hm_win_t got;
        assert_true(hm_win_parse(hm_win_name((hm_win_t)i), &got));
        assert_int_equal(got, i);
    }
    hm_win_t got;
    assert_false(hm_win_parse("2m", &got));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_window_forgets_expired_slices, setup, teardown),
        cmocka_unit_test_setup_teardown(test_window_span_is_short_after_start, setup, teardown),
        cmocka_unit_test_setup_teardown(test_window_counts_errors_per_window, setup, teardown),
        cmocka_unit_test_setup_teardown(test_window_reset_forgets_everything, setup, teardown),
        cmocka_unit_test_setup_teardown(test_window_history_has_one_entry_per_second, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_window_idle_frees_its_slices, setup, teardown),
        cmocka_unit_test(test_window_names_parse_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
