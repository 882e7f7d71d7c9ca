/* tests/test_input.c - keys into model changes, through hm_input_key, on a
 * model over a hand-built snapshot. Key codes are curses'; nothing draws. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>
#include <curses.h>

#include "input.h"
#include "model_fixture.h"
#include "table.h"

#define ESC 27
#define WIDTH 120

static void keys(hm_model_t *m, const char *s)
{
    for (; *s; s++)
        hm_input_key(m, (unsigned char)*s, 0, 0, WIDTH);
}

static void key(hm_model_t *m, int k)
{
    hm_input_key(m, k, 0, 0, WIDTH);
}

/* The screen column where col's header starts at WIDTH, or -1. */
static int header_x(hm_col_t col)
{
    hm_layout_t l;
    hm_table_layout(WIDTH, false, &l);
    for (int i = 0; i < l.ncols; i++)
        if (l.col[i] == col)
            return l.x[i] + 1;
    return -1;
}

static void test_input_slash_filters_as_you_type(void **state)
{
    hm_model_t *m = *state;
    keys(m, "/");
    assert_true(m->editing);
    keys(m, "pos");
    assert_string_equal(fx_rows_of(m), "POST /d POST /e");
    keys(m, "t /e");
    assert_string_equal(fx_rows_of(m), "POST /e");
    key(m, KEY_BACKSPACE);
    assert_string_equal(m->filter_text, "post /");
    assert_string_equal(fx_rows_of(m), "POST /d POST /e");
    keys(m, "q"); /* typed, not quit */
    assert_false(m->quit);
    assert_int_equal(m->view.nrows, 0);
    key(m, 127);
    key(m, '\r'); /* Enter keeps the filter */
    assert_false(m->editing);
    assert_string_equal(fx_rows_of(m), "POST /d POST /e");
    assert_int_equal(m->screen, HM_SCREEN_TABLE);
}

static void test_input_esc_clears_the_filter(void **state)
{
    hm_model_t *m = *state;
    keys(m, "/get");
    assert_int_equal(m->view.nrows, 3);
    key(m, ESC); /* while typing */
    assert_false(m->editing);
    assert_string_equal(m->filter_text, "");
    assert_int_equal(m->view.nrows, 5);
    keys(m, "/get\r");
    key(m, ESC); /* after Enter */
    assert_int_equal(m->view.nrows, 5);
}

static void test_input_filter_backspace_takes_a_whole_character(void **state)
{
    hm_model_t *m = *state;
    keys(m, "/x\xc2\xb5"); /* "xµ", byte by byte as getch gives it */
    assert_string_equal(m->filter_text, "x\xc2\xb5");
    key(m, KEY_BACKSPACE);
    assert_string_equal(m->filter_text, "x");
    key(m, KEY_BACKSPACE);
    key(m, KEY_BACKSPACE); /* on an empty filter: nothing */
    assert_string_equal(m->filter_text, "");
    assert_true(m->editing);
}

static void test_input_bad_regex_shows_why_and_keeps_the_rows(void **state)
{
    hm_model_t *m = *state;
    keys(m, "/~POST (");
    assert_string_not_equal(m->filter_error, "");
    assert_string_equal(fx_rows_of(m), "POST /d POST /e"); /* "~POST" was the last good one */
    keys(m, "/d)");
    assert_string_equal(m->filter_error, "");
    assert_string_equal(fx_rows_of(m), "POST /d");
}

static void test_input_angle_brackets_move_the_sort_column(void **state)
{
    hm_model_t *m = *state;
    assert_int_equal(m->sort, HM_COL_P99);
    keys(m, ">");
    assert_int_equal(m->sort, HM_COL_MAX);
    assert_true(m->descending);
    keys(m, "<<<<");
    assert_int_equal(m->sort, HM_COL_RATE);
    assert_string_equal(fx_rows_of(m), "POST /e POST /d GET /c GET /b GET /a");
    keys(m, "<");
    assert_int_equal(m->sort, HM_COL_NAME);
    assert_false(m->descending); /* names A to Z */
    assert_string_equal(fx_rows_of(m), "GET /a GET /b GET /c POST /d POST /e");
    keys(m, "<"); /* wraps to the last sortable column (SLO: breaches first), skipping trend */
    assert_int_equal(m->sort, HM_COL_SLO);
    keys(m, ">");
    assert_int_equal(m->sort, HM_COL_NAME);
}

static void test_input_capital_i_reverses(void **state)
{
    hm_model_t *m = *state;
    keys(m, "I");
    assert_false(m->descending);
    assert_string_equal(fx_rows_of(m), "GET /b POST /e GET /a GET /c POST /d");
    keys(m, "I");
    assert_string_equal(fx_rows_of(m), "POST /d GET /c GET /a POST /e GET /b");
}

static void test_input_clicking_a_header_sorts_by_it(void **state)
{
    hm_model_t *m = *state;
    int x = header_x(HM_COL_RATE);
    assert_true(x > 0);
    hm_input_key(m, KEY_MOUSE, x, HM_TABLE_HEADER_ROW, WIDTH);
    assert_int_equal(m->sort, HM_COL_RATE);
    assert_true(m->descending);
    assert_string_equal(fx_row(m, 0), "POST /e");
    hm_input_key(m, KEY_MOUSE, x, HM_TABLE_HEADER_ROW, WIDTH); /* again: reversed */
    assert_false(m->descending);
    assert_string_equal(fx_row(m, 0), "GET /a");
    int trend = header_x(HM_COL_TREND);
    assert_true(trend > 0);
    hm_input_key(m, KEY_MOUSE, trend, HM_TABLE_HEADER_ROW, WIDTH); /* not sortable */
    assert_int_equal(m->sort, HM_COL_RATE);
    hm_input_key(m, KEY_MOUSE, header_x(HM_COL_SLO), HM_TABLE_HEADER_ROW, WIDTH);
    assert_int_equal(m->sort, HM_COL_SLO);
}

static void test_input_clicking_a_row_selects_it(void **state)
{
    hm_model_t *m = *state;
    hm_input_key(m, KEY_MOUSE, 5, HM_TABLE_FIRST_ROW + 2, WIDTH);
    assert_string_equal(hm_model_selected(m)->name, "GET /a");
    hm_input_key(m, KEY_MOUSE, 5, HM_TABLE_FIRST_ROW + 3, WIDTH); /* below the page of 3 */
    assert_string_equal(hm_model_selected(m)->name, "GET /a");
}

static void test_input_digits_choose_the_window(void **state)
{
    hm_model_t *m = *state;
    const hm_win_t want[] = {HM_WIN_10S, HM_WIN_1M, HM_WIN_5M, HM_WIN_ALL};
    for (int i = 0; i < 4; i++) {
        key(m, '1' + i);
        assert_int_equal(m->win, want[i]);
        assert_int_equal(m->view.win, want[i]);
    }
    key(m, '5');
    assert_int_equal(m->win, HM_WIN_ALL);
}

static void test_input_space_pauses_and_actions_are_asked_of_the_loop(void **state)
{
    hm_model_t *m = *state;
    keys(m, " ");
    assert_true(m->paused);
    keys(m, " ");
    assert_false(m->paused);
    assert_false(m->want_reset || m->want_theme || m->want_snapshot);
    keys(m, "r");
    assert_true(m->want_reset);
    keys(m, "t");
    assert_true(m->want_theme);
    keys(m, "s");
    assert_true(m->want_snapshot);
    assert_false(m->quit);
    keys(m, "q");
    assert_true(m->quit);
}

static void test_input_keys_move_the_selection(void **state)
{
    hm_model_t *m = *state; /* page of 3 rows */
    keys(m, "j");
    assert_int_equal(m->sel, 1);
    key(m, KEY_DOWN);
    assert_int_equal(m->sel, 2);
    keys(m, "k");
    key(m, KEY_UP);
    assert_int_equal(m->sel, 0);
    key(m, KEY_NPAGE); /* a page less one row, as less does */
    assert_int_equal(m->sel, 2);
    key(m, KEY_END);
    assert_int_equal(m->sel, 4);
    assert_int_equal(m->top, 2);
    key(m, KEY_PPAGE);
    assert_int_equal(m->sel, 2);
    key(m, KEY_HOME);
    assert_int_equal(m->sel, 0);
    keys(m, "G");
    assert_int_equal(m->sel, 4);
    keys(m, "g");
    assert_int_equal(m->sel, 0);
}

static void test_input_enter_opens_the_detail_and_esc_goes_back(void **state)
{
    hm_model_t *m = *state;
    keys(m, "/e\r"); /* a filter that Esc in the detail view must not clear */
    key(m, KEY_ENTER);
    assert_int_equal(m->screen, HM_SCREEN_DETAIL);
    key(m, ESC);
    assert_int_equal(m->screen, HM_SCREEN_TABLE);
    assert_string_equal(m->filter_text, "e");
    keys(m, "\r");
    assert_int_equal(m->screen, HM_SCREEN_DETAIL);
    keys(m, "\r");
    assert_int_equal(m->screen, HM_SCREEN_TABLE);
}

static void test_input_help_opens_and_any_key_only_closes_it(void **state)
{
    hm_model_t *m = *state;
    keys(m, "?");
    assert_int_equal(m->screen, HM_SCREEN_HELP);
    keys(m, "q");
    assert_int_equal(m->screen, HM_SCREEN_TABLE);
    assert_false(m->quit);
    key(m, KEY_F(1));
    assert_int_equal(m->screen, HM_SCREEN_HELP);
    keys(m, "j");
    assert_int_equal(m->sel, 0);
    assert_int_equal(m->screen, HM_SCREEN_TABLE);
    m->dirty = false;
    key(m, KEY_RESIZE);
    assert_true(m->dirty);
}

static void test_input_binding_table_is_whole_and_unambiguous(void **state)
{
    (void)state;
    size_t n;
    const hm_binding_t *b = hm_input_bindings(&n);
    bool seen[HM_ACT__COUNT] = {false};
    for (size_t i = 0; i < n; i++) {
        assert_true(b[i].action > HM_ACT_NONE && b[i].action < HM_ACT__COUNT);
        assert_false(seen[b[i].action]);
        seen[b[i].action] = true;
        assert_true(b[i].codes[0] != 0);
        assert_true(b[i].keys && b[i].keys[0] && b[i].help && b[i].help[0]);
        for (int c = 0; c < HM_INPUT_CODES && b[i].codes[c]; c++)
            for (size_t j = 0; j < n; j++)
                for (int d = 0; d < HM_INPUT_CODES && b[j].codes[d]; d++)
                    if (i != j || c != d)
                        assert_int_not_equal(b[i].codes[c], b[j].codes[d]);
    }
    for (int a = HM_ACT_NONE + 1; a < HM_ACT__COUNT; a++)
        assert_true(seen[a]);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_input_slash_filters_as_you_type),
        T(test_input_esc_clears_the_filter),
        T(test_input_filter_backspace_takes_a_whole_character),
        T(test_input_bad_regex_shows_why_and_keeps_the_rows),
        T(test_input_angle_brackets_move_the_sort_column),
        T(test_input_capital_i_reverses),
        T(test_input_clicking_a_header_sorts_by_it),
        T(test_input_clicking_a_row_selects_it),
        T(test_input_digits_choose_the_window),
        T(test_input_space_pauses_and_actions_are_asked_of_the_loop),
        T(test_input_keys_move_the_selection),
        T(test_input_enter_opens_the_detail_and_esc_goes_back),
        T(test_input_help_opens_and_any_key_only_closes_it),
        cmocka_unit_test(test_input_binding_table_is_whole_and_unambiguous),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
