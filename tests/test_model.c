/* tests/test_model.c - the screen's model over hand-built snapshots: the
 * view, the selection by name, scrolling, the live filter, pause, status
 * messages. No curses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdlib.h>

#include <cmocka.h>

#include "model_fixture.h"

#define S 1000000000ull

static void test_model_sorts_by_p99_descending_by_default(void **state)
{
    hm_model_t *m = *state;
    assert_string_equal(fx_rows_of(m), "POST /d GET /c GET /a POST /e GET /b");
    assert_int_equal(m->view.total, 5);
    assert_int_equal(m->sel, 0);
    assert_string_equal(hm_model_selected(m)->name, "POST /d");
    assert_true(m->dirty);
}

static void test_model_selection_follows_its_endpoint_across_refreshes(void **state)
{
    hm_model_t *m = *state;
    hm_model_move(m, 2);
    assert_string_equal(hm_model_selected(m)->name, "GET /a");
    fx_row_t r[5];
    memcpy(r, fx_five, sizeof r);
    r[0].p99_ms = 900; /* GET /a becomes the slowest: the first row */
    fx_feed(m, 2, r, 5);
    assert_int_equal(m->snap->seq, 2);
    assert_string_equal(fx_row(m, 0), "GET /a");
    assert_int_equal(m->sel, 0);
    assert_string_equal(hm_model_selected(m)->name, "GET /a");
}

static void test_model_selection_stays_on_its_row_when_its_endpoint_goes(void **state)
{
    hm_model_t *m = *state;
    hm_model_move(m, 4);       /* GET /b, the last */
    fx_feed(m, 2, fx_five, 1); /* only GET /a is left */
    assert_int_equal(m->view.nrows, 1);
    assert_int_equal(m->sel, 0);
    assert_string_equal(hm_model_selected(m)->name, "GET /a");
    fx_feed(m, 3, fx_five, 0);
    assert_int_equal(m->view.nrows, 0);
    assert_null(hm_model_selected(m));
    hm_model_move(m, 1); /* moving in an empty view is harmless */
    assert_null(hm_model_selected(m));
}

static void test_model_scrolls_to_keep_the_selection_on_screen(void **state)
{
    hm_model_t *m = *state; /* 5 rows, 3 on screen */
    hm_model_move(m, 1);
    assert_int_equal(m->top, 0);
    hm_model_move(m, 2);
    assert_int_equal(m->sel, 3);
    assert_int_equal(m->top, 1);
    hm_model_move(m, 100);
    assert_int_equal(m->sel, 4);
    assert_int_equal(m->top, 2);
    hm_model_move(m, -1);
    assert_int_equal(m->top, 2); /* still on screen: no scrolling */
    hm_model_move(m, -100);
    assert_int_equal(m->sel, 0);
    assert_int_equal(m->top, 0);
}

static void test_model_page_changes_keep_the_selection_visible(void **state)
{
    hm_model_t *m = *state;
    hm_model_move(m, 4);
    assert_int_equal(m->top, 2);
    hm_model_set_page(m, 1);
    assert_int_equal(m->top, 4);
    m->dirty = false;
    hm_model_set_page(m, 10); /* everything fits: from the top */
    assert_int_equal(m->top, 0);
    assert_true(m->dirty);
    m->dirty = false;
    hm_model_set_page(m, 10);
    assert_false(m->dirty);
    hm_model_set_page(m, -3); /* a tiny terminal: one row */
    assert_int_equal(m->page, 1);
    assert_int_equal(m->top, 4);
}

static void test_model_leaves_no_blank_rows_when_rows_go(void **state)
{
    hm_model_t *m = *state;
    fx_row_t many[10];
    char names[10][32];
    for (int i = 0; i < 10; i++) {
        snprintf(names[i], sizeof names[i], "GET /%02d", i);
        many[i] = (fx_row_t){names[i], 1, (uint64_t)(100 - i)};
    }
    fx_feed(m, 2, many, 10);
    hm_model_move(m, 8);
    assert_int_equal(m->top, 6);
    fx_feed(m, 3, many, 5); /* the selected row is gone; the view shrank */
    assert_int_equal(m->sel, 4);
    assert_int_equal(m->top, 2);
}

static void test_model_filter_is_live_and_counts_matches(void **state)
{
    hm_model_t *m = *state;
    hm_model_set_filter(m, "post");
    assert_string_equal(fx_rows_of(m), "POST /d POST /e");
    assert_int_equal(m->view.total, 5);
    hm_model_set_filter(m, "!post");
    assert_string_equal(fx_rows_of(m), "GET /c GET /a GET /b");
    hm_model_set_filter(m, "~^GET /[ab]$");
    assert_string_equal(fx_rows_of(m), "GET /a GET /b");
    hm_model_set_filter(m, "");
    assert_int_equal(m->view.nrows, 5);
    /* the filter holds across refreshes */
    hm_model_set_filter(m, "/e");
    fx_feed(m, 2, fx_five, 5);
    assert_string_equal(fx_rows_of(m), "POST /e");
}

static void test_model_bad_regex_keeps_the_last_good_filter(void **state)
{
    hm_model_t *m = *state;
    hm_model_set_filter(m, "~GET");
    assert_int_equal(m->view.nrows, 3);
    hm_model_set_filter(m, "~GET (");
    assert_string_not_equal(m->filter_error, "");
    assert_string_equal(m->filter_text, "~GET (");
    assert_string_equal(hm_filter_text(m->filter), "~GET");
    assert_int_equal(m->view.nrows, 3);
    hm_model_set_filter(m, "~GET (/a)");
    assert_string_equal(m->filter_error, "");
    assert_string_equal(fx_rows_of(m), "GET /a");
}

static void test_model_paused_keeps_its_snapshot(void **state)
{
    hm_model_t *m = *state;
    m->paused = true;
    fx_feed(m, 2, fx_five, 2);
    assert_int_equal(m->snap->seq, 1);
    assert_int_equal(m->view.nrows, 5);
    /* changing the sort while paused re-sorts the kept snapshot */
    m->sort = HM_COL_NAME;
    m->descending = false;
    hm_model_rebuild(m);
    assert_string_equal(fx_rows_of(m), "GET /a GET /b GET /c POST /d POST /e");
    m->paused = false;
    fx_feed(m, 3, fx_five, 2);
    assert_int_equal(m->snap->seq, 3);
    assert_string_equal(fx_rows_of(m), "GET /a GET /b");
}

static void test_model_window_and_sort_come_from_the_model(void **state)
{
    hm_model_t *m = *state;
    m->win = HM_WIN_10S;
    m->sort = HM_COL_RATE;
    m->descending = false;
    hm_model_rebuild(m);
    assert_int_equal(m->view.win, HM_WIN_10S);
    assert_string_equal(fx_rows_of(m), "GET /a GET /b GET /c POST /d POST /e");
    assert_string_equal(hm_model_selected(m)->name, "POST /d"); /* followed by name */
}

static void test_model_status_message_expires(void **state)
{
    hm_model_t *m = *state;
    hm_model_say(m, "snapshot written to x.txt", 10 * S);
    assert_string_equal(m->status, "snapshot written to x.txt");
    m->dirty = false;
    hm_model_tick(m, 10 * S + HM_MODEL_SAY_NS - 1);
    assert_string_equal(m->status, "snapshot written to x.txt");
    assert_false(m->dirty);
    hm_model_tick(m, 10 * S + HM_MODEL_SAY_NS);
    assert_string_equal(m->status, "");
    assert_true(m->dirty);
}

static void test_model_init_refuses_a_bad_filter(void **state)
{
    (void)state;
    hm_settings_t set;
    hm_settings_defaults(&set);
    set.filter = "~[";
    set.sort = HM_COL_NAME;
    hm_model_t m;
    const char *why = NULL;
    assert_int_equal(hm_model_init(&m, &set, &why), EINVAL);
    assert_non_null(why);
    hm_model_fini(&m);
    set.filter = "get";
    set.reverse = true;
    assert_int_equal(hm_model_init(&m, &set, &why), 0);
    assert_int_equal(m.sort, HM_COL_NAME);
    assert_true(m.descending);
    assert_null(hm_model_selected(&m)); /* no snapshot yet */
    hm_model_rebuild(&m);               /* nothing to build from: harmless */
    assert_int_equal(m.view.nrows, 0);
    hm_model_fini(&m);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_model_sorts_by_p99_descending_by_default),
        T(test_model_selection_follows_its_endpoint_across_refreshes),
        T(test_model_selection_stays_on_its_row_when_its_endpoint_goes),
        T(test_model_scrolls_to_keep_the_selection_on_screen),
        T(test_model_page_changes_keep_the_selection_visible),
        T(test_model_leaves_no_blank_rows_when_rows_go),
        T(test_model_filter_is_live_and_counts_matches),
        T(test_model_bad_regex_keeps_the_last_good_filter),
        T(test_model_paused_keeps_its_snapshot),
        T(test_model_window_and_sort_come_from_the_model),
        T(test_model_status_message_expires),
        cmocka_unit_test(test_model_init_refuses_a_bad_filter),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
