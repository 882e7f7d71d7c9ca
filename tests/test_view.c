/* tests/test_view.c - filters, sorting and the column table. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "escape.h"
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

static void test_view_breaks_ties_by_name_in_either_order(void **state)
{
    static const char *const tied[] = {"b", "(other)", "c", "a"};
    static const double same[] = {5, 5, 5, 5};
    for (int desc = 0; desc < 2; desc++) {
        hm_snapshot_t *s = fixture(tied, same, 4);
        for (int i = 0; i < 4; i++) /* every row the same value in every column */
            for (int w = 0; w < HM_WIN__COUNT; w++)
                s->endpoints[i].win[w] = s->endpoints[0].win[w];
        hm_view_t v;
        assert_int_equal(hm_view_build(&v, s, NULL, HM_WIN_10S, HM_COL_P99, desc), 0);
        assert_string_equal(row(&v, 0), "a");
        assert_string_equal(row(&v, 1), "b");
        assert_string_equal(row(&v, 2), "c");
        assert_string_equal(row(&v, 3), "(other)");
        hm_view_fini(&v);
        hm_snapshot_release(&s);
    }
}

static void test_view_keeps_other_last_for_every_column(void **state)
{
    for (int c = 0; c < HM_COL__COUNT; c++) {
        if (!hm_column((hm_col_t)c)->sortable)
            continue;
        for (int desc = 0; desc < 2; desc++) {
            hm_view_t v = build("", (hm_col_t)c, desc);
            assert_int_equal(v.nrows, 5);
            assert_string_equal(row(&v, 4), "(other)");
            /* the rest in order of the column */
            for (size_t i = 0; i + 2 < v.nrows; i++) {
                double a = hm_column_value(&v.snap->endpoints[v.rows[i]], v.win, (hm_col_t)c);
                double b = hm_column_value(&v.snap->endpoints[v.rows[i + 1]], v.win, (hm_col_t)c);
                if (c != HM_COL_NAME)
                    assert_true(desc ? a >= b : a <= b);
            }
            hm_view_fini(&v);
        }
    }
}

static void test_view_filter_edge_cases(void **state)
{
    hm_filter_t *f = NULL;
    const char *why = NULL;
    /* half-typed filters let everything through */
    static const char *const open[] = {"", "!", "~", "!~"};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(hm_filter_new(open[i], &f, &why), 0);
        assert_true(hm_filter_match(f, "GET /x"));
        assert_string_equal(hm_filter_text(f), open[i]);
        hm_filter_destroy(&f);
        assert_null(f);
    }
    assert_true(hm_filter_match(NULL, "anything"));
    /* a regex is case-insensitive and can be inverted */
    assert_int_equal(hm_filter_new("!~^/HEALTH", &f, &why), 0);
    assert_false(hm_filter_match(f, "/health"));
    assert_true(hm_filter_match(f, "GET /health"));
    hm_filter_destroy(&f);
    /* names match as they are shown, escaped, too */
    assert_int_equal(hm_filter_new("\\x1b[2j", &f, &why), 0);
    assert_true(hm_filter_match(f, "evil\x1b[2J"));
    assert_false(hm_filter_match(f, "good"));
    hm_filter_destroy(&f);
    assert_int_equal(hm_filter_new("\\u202e", &f, &why), 0);
    assert_true(hm_filter_match(f, "a\xe2\x80\xae" "b"));
    hm_filter_destroy(&f);
    /* bad regular expressions say what is wrong */
    assert_int_equal(hm_filter_new("~a{2", &f, &why), EINVAL);
    assert_non_null(strstr(why, "regular expression"));
    assert_int_equal(hm_filter_new("~[a", &f, &why), EINVAL);
    assert_non_null(strstr(why, "[ or ]"));
    assert_null(f);
    hm_filter_destroy(&f); /* accepts NULL */
}

static void test_view_formats_missing_values_and_the_trend(void **state)
{
    hm_snapshot_t *s = fixture(names, p99, 5);
    char b[256], before[256];
    hm_snap_endpoint_t *e = &s->endpoints[0];
    memset(&e->win[HM_WIN_10S], 0, sizeof e->win[HM_WIN_10S]);
    for (int c = HM_COL_P50; c <= HM_COL_ERRORS; c++)
        assert_string_equal(hm_column_format(e, HM_WIN_10S, (hm_col_t)c, false, b, sizeof b), "-");
    assert_string_equal(hm_column_format(e, HM_WIN_10S, HM_COL_SLO, false, b, sizeof b), "-");
    assert_string_equal(hm_column_format(e, HM_WIN_10S, HM_COL_RATE, false, b, sizeof b), "0.0");
    /* the trend: the last minute of p99, as wide as its column, in both modes */
    for (int i = 0; i < HM_WINDOW_HISTORY; i++)
        e->history[i].p99_us = (uint32_t)(1000 + (i % 60) * 10);
    hm_column_format(e, HM_WIN_1M, HM_COL_TREND, true, before, sizeof before);
    assert_int_equal(hm_escape_width(before), hm_column(HM_COL_TREND)->width);
    hm_column_format(e, HM_WIN_1M, HM_COL_TREND, false, b, sizeof b);
    assert_int_equal((int)strlen(b), hm_column(HM_COL_TREND)->width);
    assert_int_equal(b[strlen(b) - 1], '@'); /* the worst second is the newest */
    /* a spike older than a minute does not change it */
    e->history[HM_WINDOW_HISTORY - 61].p99_us = 4000000000u;
    hm_column_format(e, HM_WIN_1M, HM_COL_TREND, true, b, sizeof b);
    assert_string_equal(b, before);
    /* and one within the minute does */
    e->history[HM_WINDOW_HISTORY - 59].p99_us = 4000000000u;
    hm_column_format(e, HM_WIN_1M, HM_COL_TREND, true, b, sizeof b);
    assert_string_not_equal(b, before);
    hm_snapshot_release(&s);
}

static void test_view_columns_fit_80_with_the_trend_first_to_go(void **state)
{
    int all = -1, order[HM_COL__COUNT];
    for (int c = 0; c < HM_COL__COUNT; c++) {
        if (!hm_column((hm_col_t)c)->baseline) /* those come only with --baseline */
            all += hm_column((hm_col_t)c)->width + 1;
        order[c] = hm_column((hm_col_t)c)->drop;
        const hm_column_t *col = hm_column((hm_col_t)c);
        assert_true((int)strlen(col->header) <= col->width);
        hm_col_t back;
        assert_true(hm_column_parse(col->name, &back) && back == (hm_col_t)c);
    }
    /* without the trend (the first to drop) the table fits 80 columns */
    assert_true(all - hm_column(HM_COL_TREND)->width - 1 <= 80);
    /* the drop order the screen relies on */
    assert_true(order[HM_COL_TREND] > order[HM_COL_SLO]);
    assert_true(order[HM_COL_SLO] > order[HM_COL_QUEUE]);
    assert_true(order[HM_COL_QUEUE] > order[HM_COL_INFLIGHT]);
    assert_true(order[HM_COL_INFLIGHT] > order[HM_COL_MAX]);
    assert_true(order[HM_COL_MAX] > order[HM_COL_P50]);
    assert_true(order[HM_COL_P50] > order[HM_COL_P95]);
    assert_true(order[HM_COL_P95] > 0);
}

/* Found by fuzz/fuzz_filter.c: "~a+++...+" made regcomp allocate gigabytes. */
static void test_view_filter_refuses_costly_regular_expressions(void **state)
{
    const char *costly[] = {"~a++", "~x*+", "~a{1000}", "~(a)\\1", "~a+b+c+d+e+f+g+h+i+j+k+l+m+n+o+p+q+r+s+t+u+v+w+x+y+z+A+B+C+D+E+F+G+H" /* 33 */};
    for (size_t i = 0; i < sizeof costly / sizeof costly[0]; i++) {
        hm_filter_t *f = NULL;
        const char *why = NULL;
        assert_int_equal(hm_filter_new(costly[i], &f, &why), EINVAL);
        assert_null(f);
        assert_non_null(strstr(why, "regular expression"));
    }
    const char *fine[] = {"~^(GET|POST) /api/v[0-9]+/", "~[+*?]+", "~a{2,255}b?", "~\\++"};
    for (size_t i = 0; i < sizeof fine / sizeof fine[0]; i++) {
        hm_filter_t *f = NULL;
        const char *why = NULL;
        assert_int_equal(hm_filter_new(fine[i], &f, &why), 0);
        hm_filter_destroy(&f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_view_filter_refuses_costly_regular_expressions),
        cmocka_unit_test(test_view_sorts_by_a_column_with_other_last),
        cmocka_unit_test(test_view_filters_substring_regex_and_inverted),
        cmocka_unit_test(test_view_columns_parse_and_format),
        cmocka_unit_test(test_view_breaks_ties_by_name_in_either_order),
        cmocka_unit_test(test_view_keeps_other_last_for_every_column),
        cmocka_unit_test(test_view_filter_edge_cases),
        cmocka_unit_test(test_view_formats_missing_values_and_the_trend),
        cmocka_unit_test(test_view_columns_fit_80_with_the_trend_first_to_go),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
