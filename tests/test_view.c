/* tests/test_view.c - filters, sorting and the column table. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "snap_fixture.h"
#include "view.h"

static const char *const names[] = {"GET /users", "POST /orders", "(other)", "GET /health", "DELETE /x"};
static const double p99[] = {50, 200, 999, 1, 20};

static const char *row(const hm_view_t *v, size_t i)
{
    return v->snap->endpoints[v->rows[i]].name;
}

static hm_view_t build(const char *filter_text, hm_col_t sort, bool desc)
{
    hm_snapshot_t *s = fixture(names, p99, 5);
    hm_filter_t *f = NULL;
    const char *why;
    assert_int_equal(hm_filter_new(filter_text, &f, &why), 0);
    hm_view_t v;
    assert_int_equal(hm_view_build(&v, s, f, HM_WIN_1M, sort, desc), 0);
    hm_snapshot_release(&s); /* the view holds its own reference */
    hm_filter_destroy(&f);
    return v;
}

static void test_view_sorts_by_a_column_with_other_last(void **state)
{
    hm_view_t v = build("", HM_COL_P99, true);
    assert_int_equal(v.nrows, 5);
    assert_string_equal(row(&v, 0), "POST /orders");
    assert_string_equal(row(&v, 1), "GET /users");
    assert_string_equal(row(&v, 3), "GET /health");
    assert_string_equal(row(&v, 4), "(other)"); /* biggest p99, still last */
    hm_view_fini(&v);
    v = build("", HM_COL_NAME, false);
    assert_string_equal(row(&v, 0), "DELETE /x");
    assert_string_equal(row(&v, 3), "POST /orders");
    hm_view_fini(&v);
}

static void test_view_filters_substring_regex_and_inverted(void **state)
{
    hm_view_t v = build("get", HM_COL_NAME, false); /* case-insensitive */
    assert_int_equal(v.nrows, 2);
    assert_int_equal(v.total, 5);
    hm_view_fini(&v);
    v = build("~^(POST|DELETE) ", HM_COL_NAME, false);
    assert_int_equal(v.nrows, 2);
    assert_string_equal(row(&v, 0), "DELETE /x");
    hm_view_fini(&v);
    v = build("!get", HM_COL_NAME, false);
    assert_int_equal(v.nrows, 3);
    hm_view_fini(&v);
    hm_filter_t *f = NULL;
    const char *why = NULL;
    assert_int_equal(hm_filter_new("~(unclosed", &f, &why), EINVAL);
    assert_null(f);
    assert_non_null(why);
}

static void test_view_columns_parse_and_format(void **state)
{
    hm_col_t c;
    assert_true(hm_column_parse("p99", &c));
    assert_int_equal(c, HM_COL_P99);
    assert_true(hm_column_parse("RATE", &c));
    assert_false(hm_column_parse("p42", &c));
    hm_snapshot_t *s = fixture(names, p99, 5);
    char b[256];
    assert_string_equal(hm_column_format(&s->endpoints[1], HM_WIN_1M, HM_COL_P99, false, b, sizeof b), "200ms");
    assert_string_equal(hm_column_format(&s->endpoints[1], HM_WIN_1M, HM_COL_ERRORS, false, b, sizeof b), "0.50%");
    assert_string_equal(hm_column_format(&s->endpoints[4], HM_WIN_1M, HM_COL_QUEUE, false, b, sizeof b), "40");
    /* names come out escaped */
    snprintf(s->endpoints[0].name, sizeof s->endpoints[0].name, "a\x1b[2J");
    assert_string_equal(hm_column_format(&s->endpoints[0], HM_WIN_1M, HM_COL_NAME, false, b, sizeof b), "a\\x1b[2J");
    hm_snapshot_release(&s);
    /* the table keeps its promise: name, rate, p99 and errors never drop */
    for (int i = 0; i < HM_COL__COUNT; i++) {
        const hm_column_t *col = hm_column((hm_col_t)i);
        bool keep = i == HM_COL_NAME || i == HM_COL_RATE || i == HM_COL_P99 || i == HM_COL_ERRORS;
        assert_true(keep == (col->drop == 0));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_view_sorts_by_a_column_with_other_last),
        cmocka_unit_test(test_view_filters_substring_regex_and_inverted),
        cmocka_unit_test(test_view_columns_parse_and_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
