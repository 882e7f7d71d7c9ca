/* tests/test_export.c - every format, read back: CSV fields, JSON with jansson. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>
#include <jansson.h>

#include "export.h"
#include "snap_fixture.h"

static const char *const names[] = {"GET /a", "POST /b,\"quoted\"", "evil\x1b[2J"};
static const double p99[] = {10, 250, 1};

static char *render(hm_format_t f, hm_col_t sort)
{
    hm_snapshot_t *s = fixture(names, p99, 3);
    hm_view_t v;
    assert_int_equal(hm_view_build(&v, s, NULL, HM_WIN_1M, sort, true), 0);
    hm_snapshot_release(&s);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    hm_export_meta_t meta = {"tcp://127.0.0.1:7450", "", false};
    assert_int_equal(hm_export(out, f, &v, &meta), 0);
    fclose(out);
    hm_view_fini(&v);
    return buf;
}

static void test_export_json_parses_with_the_snapshot_numbers(void **state)
{
    char *text = render(HM_FMT_JSON, HM_COL_P99);
    json_error_t err;
    json_t *doc = json_loads(text, 0, &err);
    assert_non_null(doc);
    assert_int_equal(json_integer_value(json_object_get(doc, "version")), 1);
    assert_string_equal(json_string_value(json_object_get(doc, "window")), "1m");
    json_t *eps = json_object_get(doc, "endpoints");
    assert_int_equal(json_array_size(eps), 3);
    json_t *first = json_array_get(eps, 0); /* sorted by p99, biggest first */
    assert_string_equal(json_string_value(json_object_get(first, "name")), "POST /b,\"quoted\"");
    assert_int_equal(json_integer_value(json_object_get(first, "count")), 200);
    assert_true(json_real_value(json_object_get(first, "p99_ms")) == 250.0);
    assert_true(json_real_value(json_object_get(first, "error_rate")) == 0.005);
    json_t *evil = json_array_get(eps, 2);
    assert_string_equal(json_string_value(json_object_get(evil, "name")), "evil\\x1b[2J");
    assert_non_null(json_object_get(json_object_get(doc, "counters"), "rejected_by"));
    json_decref(doc);
    free(text);
}

static void test_export_csv_quotes_and_escapes(void **state)
{
    char *text = render(HM_FMT_CSV, HM_COL_NAME);
    /* header, then rows by name descending: POST /b..., GET /a, evil... */
    assert_non_null(strstr(text, "name,count,rate,errors,error_rate,min_ms"));
    assert_non_null(strstr(text, "\r\n\"POST /b,\"\"quoted\"\"\",200,"));
    assert_non_null(strstr(text, "\r\nevil\\x1b[2J,300,"));
    assert_null(strchr(text, '\x1b'));
    free(text);
}

static void test_export_text_and_markdown_hold_the_rows(void **state)
{
    char *text = render(HM_FMT_TEXT, HM_COL_P99);
    assert_non_null(strstr(text, "ENDPOINT"));
    assert_true(strstr(text, "POST /b") < strstr(text, "GET /a"));
    assert_null(strchr(text, '\x1b'));
    free(text);
    text = render(HM_FMT_MD, HM_COL_P99);
    assert_non_null(strstr(text, "| ENDPOINT |"));
    assert_non_null(strstr(text, "| GET /a |"));
    free(text);
    hm_format_t f;
    assert_true(hm_format_parse("markdown", &f) && f == HM_FMT_MD);
    assert_false(hm_format_parse("xml", &f));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_export_json_parses_with_the_snapshot_numbers),
        cmocka_unit_test(test_export_csv_quotes_and_escapes),
        cmocka_unit_test(test_export_text_and_markdown_hold_the_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
