/* tests/test_model.c - the screen's state and the keys that change it. */
#include <curses.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "input.h"
#include "model.h"
#include "snap_fixture.h"

static const char *const names[] = {"GET /a", "GET /b", "POST /c", "DELETE /d"};
static const double p99[] = {10, 40, 20, 30};

static const char *selected(const hm_model_t *m)
{
    return hm_model_selected(m)->name;
}

static int setup(void **state)
{
    static hm_model_t m;
    hm_settings_t s;
    hm_settings_defaults(&s);
    const char *why;
    if (hm_model_init(&m, &s, &why) != 0)
        return -1;
    m.page = 10;
    hm_snapshot_t *snap = fixture(names, p99, 4);
    hm_model_update(&m, snap);
    hm_snapshot_release(&snap);
    *state = &m;
    return 0;
}

static int teardown(void **state)
{
    hm_model_fini(*state);
    return 0;
}

static void test_model_selection_follows_its_endpoint(void **state)
{
    hm_model_t *m = *state;
    assert_string_equal(selected(m), "GET /b"); /* p99 descending */
    hm_input_key(m, KEY_DOWN, 0, 0, 120);
    assert_string_equal(selected(m), "DELETE /d");
    /* a new snapshot where DELETE /d is now the slowest: the selection moves with it */
    double again[] = {10, 40, 20, 90};
    hm_snapshot_t *snap = fixture(names, again, 4);
    hm_model_update(m, snap);
    hm_snapshot_release(&snap);
    assert_string_equal(selected(m), "DELETE /d");
    assert_int_equal(m->sel, 0);
}

static void test_model_keys_filter_sort_window_pause(void **state)
{
    hm_model_t *m = *state;
    hm_input_key(m, '/', 0, 0, 120);
    assert_true(m->editing);
    hm_input_key(m, 'G', 0, 0, 120);
    hm_input_key(m, 'E', 0, 0, 120);
    hm_input_key(m, 'T', 0, 0, 120);
    assert_int_equal(m->view.nrows, 2); /* live as you type */
    hm_input_key(m, '\n', 0, 0, 120);
    assert_false(m->editing);
    hm_input_key(m, 27, 0, 0, 120); /* Esc clears */
    assert_int_equal(m->view.nrows, 4);
    hm_input_key(m, 'I', 0, 0, 120);
    assert_string_equal(m->view.snap->endpoints[m->view.rows[0]].name, "GET /a");
    hm_input_key(m, '<', 0, 0, 120);
    assert_int_equal(m->sort, HM_COL_P95);
    hm_input_key(m, '3', 0, 0, 120);
    assert_int_equal(m->win, HM_WIN_5M);
    hm_input_key(m, ' ', 0, 0, 120);
    assert_true(m->paused);
    hm_snapshot_t *snap = fixture(names, p99, 2);
    hm_model_update(m, snap); /* ignored while paused */
    hm_snapshot_release(&snap);
    assert_int_equal(m->view.total, 4);
    hm_input_key(m, 's', 0, 0, 120);
    hm_input_key(m, 'r', 0, 0, 120);
    hm_input_key(m, 't', 0, 0, 120);
    assert_true(m->want_snapshot && m->want_reset && m->want_theme);
    hm_input_key(m, KEY_ENTER, 0, 0, 120);
    assert_int_equal(m->screen, HM_SCREEN_DETAIL);
    hm_input_key(m, 27, 0, 0, 120);
    assert_int_equal(m->screen, HM_SCREEN_TABLE);
    hm_input_key(m, 'q', 0, 0, 120);
    assert_true(m->quit);
}

static void test_model_a_bad_regex_keeps_the_last_good_filter(void **state)
{
    hm_model_t *m = *state;
    hm_model_set_filter(m, "POST");
    assert_int_equal(m->view.nrows, 1);
    hm_model_set_filter(m, "~(");
    assert_true(m->filter_error[0] != '\0');
    assert_int_equal(m->view.nrows, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_model_selection_follows_its_endpoint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_keys_filter_sort_window_pause, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_a_bad_regex_keeps_the_last_good_filter, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
