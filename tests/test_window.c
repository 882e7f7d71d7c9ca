/*
 * test_window.c - rolling windows (collector/window.c) on an injected clock:
 * samples leave each window on time and stay in the total, spans are short
 * after a start, errors and history are per second, idle windows give their
 * slices back, reset forgets, and a jump of years is bounded work.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "window.h"

#define S 1000000000ull
/* A start on a 1 min boundary, so every ring's slices start with it. */
#define T0 (3000 * S)

static int setup(void **state)
{
    hm_window_t *w = hm_window_new(T0);
    if (!w)
        return -1;
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    hm_window_t *w = *state;
    hm_window_destroy(&w);
    assert_null(w);
    return 0;
}

/* Count of window `which` at time t; its errors and span through the pointers. */
static uint64_t count_in(hm_window_t *w, uint64_t t, hm_win_t which, uint64_t *errors,
                         uint64_t *span)
{
    hm_hist_t h;
    hm_window_result_t r = hm_window_query(w, t, which, &h);
    if (errors)
        *errors = r.errors;
    if (span)
        *span = r.span_ns;
    return h.count;
}

static void test_window_samples_leave_each_window_on_time(void **state)
{
    hm_window_t *w = *state;
    assert_int_equal(hm_window_record(w, T0, 5000, false), 0);
    assert_int_equal(count_in(w, T0 + 10 * S - 1, HM_WIN_10S, NULL, NULL), 1);
    assert_int_equal(count_in(w, T0 + 10 * S, HM_WIN_10S, NULL, NULL), 0);
    assert_int_equal(count_in(w, T0 + 60 * S - 1, HM_WIN_1M, NULL, NULL), 1);
    assert_int_equal(count_in(w, T0 + 60 * S, HM_WIN_1M, NULL, NULL), 0);
    assert_int_equal(count_in(w, T0 + 300 * S - 1, HM_WIN_5M, NULL, NULL), 1);
    assert_int_equal(count_in(w, T0 + 300 * S, HM_WIN_5M, NULL, NULL), 0);
    assert_int_equal(count_in(w, T0 + 300 * S, HM_WIN_ALL, NULL, NULL), 1);
    assert_int_equal(count_in(w, T0 + 86400 * S, HM_WIN_ALL, NULL, NULL), 1);
}

static void test_window_query_merges_exactly_the_slices_inside(void **state)
{
    hm_window_t *w = *state;
    hm_hist_t *want = malloc(sizeof *want), *got = malloc(sizeof *got);
    assert_non_null(want);
    assert_non_null(got);
    hm_hist_init(want);
    /* One sample every 100 ms for 30 s, values growing with time. */
    for (uint64_t i = 0; i < 300; i++) {
        uint64_t t = T0 + i * (S / 10), v = 1000 + i * 997;
        assert_int_equal(hm_window_record(w, t, v, false), 0);
        /* At T0 + 30 s the 10 s window keeps slices 21 .. 30 s, i.e. from 21 s on. */
        if (t >= T0 + 21 * S)
            hm_hist_record(want, v);
    }
    hm_window_result_t r = hm_window_query(w, T0 + 30 * S, HM_WIN_10S, got);
    assert_memory_equal(got, want, sizeof *want);
    assert_int_equal(r.span_ns, 9 * S);
    free(got);
    free(want);
}

static void test_window_span_is_short_after_start(void **state)
{
    hm_window_t *w = hm_window_new(T0 + S / 2);
    assert_non_null(w);
    uint64_t span;
    for (int k = 0; k < HM_WIN__COUNT; k++) {
        count_in(w, T0 + 2 * S + S / 2, (hm_win_t)k, NULL, &span);
        assert_int_equal(span, 2 * S);
    }
    uint64_t t = T0 + 100 * S;
    count_in(w, t, HM_WIN_10S, NULL, &span);
    assert_int_equal(span, 9 * S); /* nine whole seconds and the current one, just begun */
    count_in(w, t, HM_WIN_1M, NULL, &span);
    assert_int_equal(span, 50 * S);
    count_in(w, t, HM_WIN_5M, NULL, &span);
    assert_int_equal(span, 100 * S - S / 2);
    count_in(w, t, HM_WIN_ALL, NULL, &span);
    assert_int_equal(span, 100 * S - S / 2);
    hm_window_destroy(&w);
}

static void test_window_counts_errors_per_window(void **state)
{
    hm_window_t *w = *state;
    hm_window_record(w, T0, 2000, true);            /* leaves 10 s, 1 m, 5 m */
    hm_window_record(w, T0 + 200 * S, 2000, true);  /* in 5 m only at the end */
    hm_window_record(w, T0 + 290 * S, 2000, false);
    hm_window_record(w, T0 + 295 * S, 2000, true);
    uint64_t e;
    uint64_t t = T0 + 299 * S;
    assert_int_equal(count_in(w, t, HM_WIN_10S, &e, NULL), 2);
    assert_int_equal(e, 1);
    assert_int_equal(count_in(w, t, HM_WIN_1M, &e, NULL), 2);
    assert_int_equal(e, 1);
    assert_int_equal(count_in(w, t, HM_WIN_5M, &e, NULL), 4);
    assert_int_equal(e, 3);
    assert_int_equal(count_in(w, T0 + 300 * S, HM_WIN_5M, &e, NULL), 3);
    assert_int_equal(e, 2);
    assert_int_equal(count_in(w, t, HM_WIN_ALL, &e, NULL), 4);
    assert_int_equal(e, 3);
}

static void test_window_reset_forgets_everything(void **state)
{
    hm_window_t *w = *state;
    for (int i = 0; i < 50; i++)
        hm_window_record(w, T0 + (uint64_t)i * S / 10, 3000, i % 2);
    uint64_t t = T0 + 5 * S + S / 4;
    hm_window_reset(w, t);
    uint64_t e, span;
    for (int k = 0; k < HM_WIN__COUNT; k++) {
        assert_int_equal(count_in(w, t + S, (hm_win_t)k, &e, &span), 0);
        assert_int_equal(e, 0);
        assert_int_equal(span, S);
    }
    hm_second_t hist[HM_WINDOW_HISTORY];
    hm_window_history(w, t + 2 * S, hist, HM_WINDOW_HISTORY);
    for (size_t i = 0; i < HM_WINDOW_HISTORY; i++)
        assert_int_equal(hist[i].count, 0);
    hm_window_record(w, t + S, 3000, false);
    assert_int_equal(count_in(w, t + S, HM_WIN_ALL, NULL, NULL), 1);
}

static void test_window_history_counts_each_second(void **state)
{
    hm_window_t *w = *state;
    /* Second k gets counts[k] samples of (k + 1) ms, the first of them an error. */
    static const uint32_t counts[8] = {3, 0, 5, 0, 0, 7, 1, 0};
    for (uint64_t k = 0; k < 8; k++)
        for (uint32_t j = 0; j < counts[k]; j++)
            hm_window_record(w, T0 + k * S + j * 1000, (k + 1) * 1000000, j == 0);
    /* At T0 + 8.5 s seconds 0 .. 7 have completed. */
    hm_second_t h[10];
    hm_window_history(w, T0 + 8 * S + S / 2, h, 10);
    assert_int_equal(h[0].count, 0); /* before the start */
    assert_int_equal(h[1].count, 0);
    for (uint64_t k = 0; k < 8; k++) {
        const hm_second_t *s = &h[2 + k];
        assert_int_equal(s->count, counts[k]);
        assert_int_equal(s->errors, counts[k] ? 1 : 0);
        uint32_t want_us = counts[k] ? (uint32_t)(k + 1) * 1000 : 0;
        assert_int_equal(s->p50_us, want_us);
        assert_int_equal(s->p99_us, want_us);
    }
    /* After a gap of 100 s, the last seconds are zeros and second 6 has moved back. */
    hm_second_t all[HM_WINDOW_HISTORY];
    hm_window_record(w, T0 + 108 * S, 1000000, false);
    hm_window_history(w, T0 + 109 * S, all, HM_WINDOW_HISTORY);
    assert_int_equal(all[HM_WINDOW_HISTORY - 1].count, 1); /* second 108 */
    for (size_t i = HM_WINDOW_HISTORY - 101; i < HM_WINDOW_HISTORY - 1; i++)
        assert_int_equal(all[i].count, 0);                 /* seconds 8 .. 107 */
    assert_int_equal(all[HM_WINDOW_HISTORY - 103].count, 1); /* second 6 */
    assert_int_equal(all[HM_WINDOW_HISTORY - 104].count, 7); /* second 5 */
}

static void test_window_holds_every_slice_while_busy_and_none_when_idle(void **state)
{
    hm_window_t *w = *state;
    size_t idle = hm_window_bytes(w);
    /* The first sample allocates every slice of every ring at once, so a busy
     * window does not grow later. */
    hm_window_record(w, T0, 5000, false);
    size_t busy = hm_window_bytes(w);
    assert_true(busy >= idle + 21 * sizeof(hm_hist_t));
    for (uint64_t k = 1; k < 300; k++)
        hm_window_record(w, T0 + k * S, 5000, false);
    assert_int_equal(hm_window_bytes(w), busy);
    /* Kept while the 5 min ring still holds a slice, freed when none is left. */
    hm_window_advance(w, T0 + 309 * S);
    assert_int_equal(hm_window_bytes(w), busy);
    assert_int_equal(count_in(w, T0 + 309 * S, HM_WIN_10S, NULL, NULL), 0);
    hm_window_advance(w, T0 + 599 * S);
    assert_int_equal(hm_window_bytes(w), idle);
    assert_int_equal(count_in(w, T0 + 599 * S, HM_WIN_ALL, NULL, NULL), 300);
    /* A sample after the idle spell allocates them again, and counts alone. */
    hm_window_record(w, T0 + 600 * S, 5000, false);
    assert_int_equal(hm_window_bytes(w), busy);
    assert_int_equal(count_in(w, T0 + 600 * S, HM_WIN_5M, NULL, NULL), 1);
}

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void test_window_jump_of_years_is_bounded_work(void **state)
{
    hm_window_t *w = *state;
    hm_window_record(w, T0, 5000, true);
    /* A hundred years: one step per second would take minutes at least. */
    uint64_t far = T0 + 100ull * 365 * 86400 * S;
    double start = cpu_seconds();
    hm_window_record(w, far, 7000, false);
    hm_second_t h[HM_WINDOW_HISTORY];
    hm_window_history(w, far + S, h, HM_WINDOW_HISTORY);
    assert_true(cpu_seconds() - start < 0.1);
    for (size_t i = 0; i < HM_WINDOW_HISTORY - 1; i++)
        assert_int_equal(h[i].count, 0);
    assert_int_equal(h[HM_WINDOW_HISTORY - 1].count, 1);
    uint64_t e;
    assert_int_equal(count_in(w, far + S, HM_WIN_5M, &e, NULL), 1);
    assert_int_equal(e, 0);
    assert_int_equal(count_in(w, far + S, HM_WIN_ALL, &e, NULL), 2);
    assert_int_equal(e, 1);
}

static void test_window_time_going_back_counts_as_now(void **state)
{
    hm_window_t *w = *state;
    hm_window_record(w, T0 + 5 * S, 5000, false);
    hm_window_advance(w, T0 + 7 * S);
    hm_window_record(w, T0 + 2 * S, 6000, false); /* stamped earlier: counts at 7 s */
    hm_second_t h[2];
    hm_window_history(w, T0 + 8 * S, h, 2);
    assert_int_equal(h[1].count, 1); /* second 7 */
    assert_int_equal(h[0].count, 0); /* second 6 */
    uint64_t span;
    assert_int_equal(count_in(w, T0 + 3 * S, HM_WIN_10S, NULL, &span), 2);
    assert_int_equal(span, 8 * S); /* the query at 3 s is taken as at 8 s */
}

static void test_window_names_round_trip(void **state)
{
    static const char *names[HM_WIN__COUNT] = {"10s", "1m", "5m", "all"};
    for (int k = 0; k < HM_WIN__COUNT; k++) {
        hm_win_t which;
        assert_string_equal(hm_win_name((hm_win_t)k), names[k]);
        assert_true(hm_win_parse(names[k], &which));
        assert_int_equal(which, k);
    }
    hm_win_t which = HM_WIN_1M;
    assert_false(hm_win_parse("2m", &which));
    assert_false(hm_win_parse("", &which));
    assert_false(hm_win_parse("10S", &which));
    assert_int_equal(which, HM_WIN_1M);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_window_samples_leave_each_window_on_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_window_query_merges_exactly_the_slices_inside, setup, teardown),
        cmocka_unit_test(test_window_span_is_short_after_start),
        cmocka_unit_test_setup_teardown(test_window_counts_errors_per_window, setup, teardown),
        cmocka_unit_test_setup_teardown(test_window_reset_forgets_everything, setup, teardown),
        cmocka_unit_test_setup_teardown(test_window_history_counts_each_second, setup, teardown),
        cmocka_unit_test_setup_teardown(test_window_holds_every_slice_while_busy_and_none_when_idle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_window_jump_of_years_is_bounded_work, setup, teardown),
        cmocka_unit_test_setup_teardown(test_window_time_going_back_counts_as_now, setup, teardown),
        cmocka_unit_test(test_window_names_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
