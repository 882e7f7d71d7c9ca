/* tests/test_pipe_json.c - the JSON line reader: default and mapped keys,
 * units, nested paths, breakdowns, what is skipped and what is refused. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "pipe_json.h"

#define MS 1000000ull

static hm_jsonline_keys_t keys;
static hm_jsonline_t rec;

static int setup(void **state)
{
    hm_jsonline_keys_default(&keys);
    memset(&rec, 0, sizeof rec);
    return 0;
}

static int parse(const char *line, const char **why)
{
    *why = NULL;
    return hm_jsonline_parse(&keys, line, strlen(line), &rec, why);
}

static void test_jsonline_reads_a_full_timing_object(void **state)
{
    const char *why;
    assert_int_equal(parse("{\"endpoint\":\"GET /users\",\"durationMs\":12.5,\"status\":503,"
                           "\"requestId\":\"r-17\",\"breakdown\":{\"db\":8,\"render\":3.25}}\n",
                           &why),
                     0);
    assert_string_equal(rec.endpoint, "GET /users");
    assert_int_equal(rec.duration_ns, 12500000);
    assert_int_equal(rec.status, 503);
    assert_string_equal(rec.request_id, "r-17");
    assert_int_equal(rec.nphases, 2);
    assert_string_equal(rec.phase[0].name, "db");
    assert_int_equal(rec.phase[0].ns, 8 * MS);
    assert_string_equal(rec.phase[1].name, "render");
    assert_int_equal(rec.phase[1].ns, 3250000);
}

static void test_jsonline_takes_each_default_key(void **state)
{
    static const char *const lines[] = {
        "{\"endpoint\":\"e\",\"durationMs\":2}", "{\"phase\":\"e\",\"duration_ms\":2}",
        "{\"name\":\"e\",\"elapsed_ms\":2}",     "{\"name\":\"e\",\"latency_ms\":2}",
        "{\"name\":\"e\",\"totalMs\":\"2\"}",
    };
    static const char *const ids[] = {"requestId", "request_id", "correlationId", "sessionId"};
    const char *why;
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        assert_int_equal(parse(lines[i], &why), 0);
        assert_string_equal(rec.endpoint, "e");
        assert_int_equal(rec.duration_ns, 2 * MS);
        assert_int_equal(rec.status, 0);
        assert_string_equal(rec.request_id, "");
    }
    for (size_t i = 0; i < 4; i++) {
        char line[128];
        snprintf(line, sizeof line, "{\"name\":\"e\",\"totalMs\":1,\"%s\":42}", ids[i]);
        assert_int_equal(parse(line, &why), 0);
        assert_string_equal(rec.request_id, "42");
    }
}

static void test_jsonline_mapped_keys_win_and_take_units(void **state)
{
    const char *why;
    assert_int_equal(hm_jsonline_keys_add(&keys, HM_JSONLINE_ENDPOINT, "req.route", &why), 0);
    assert_int_equal(hm_jsonline_keys_add(&keys, HM_JSONLINE_DURATION, "res.took:us", &why), 0);
    assert_int_equal(hm_jsonline_keys_add(&keys, HM_JSONLINE_STATUS, "res.code", &why), 0);
    assert_int_equal(hm_jsonline_keys_add(&keys, HM_JSONLINE_BREAKDOWN, "parts:s", &why), 0);
    assert_int_equal(parse("{\"name\":\"ignored\",\"durationMs\":99,\"req\":{\"route\":\"/a\"},"
                           "\"res\":{\"took\":1500,\"code\":201},\"parts\":{\"x\":0.002}}",
                           &why),
                     0);
    assert_string_equal(rec.endpoint, "/a");
    assert_int_equal(rec.duration_ns, 1500000);
    assert_int_equal(rec.status, 201);
    assert_int_equal(rec.nphases, 1);
    assert_int_equal(rec.phase[0].ns, 2 * MS);
    /* the defaults still work where the mapped key is absent */
    assert_int_equal(parse("{\"name\":\"b\",\"durationMs\":3}", &why), 0);
    assert_string_equal(rec.endpoint, "b");
    assert_int_equal(rec.duration_ns, 3 * MS);

    assert_int_equal(hm_jsonline_keys_add(&keys, HM_JSONLINE_DURATION, "t:min", &why), EINVAL);
    assert_string_equal(why, "unknown unit after ':' (want ns, us, ms or s)");
    assert_int_equal(hm_jsonline_keys_add(&keys, HM_JSONLINE_ENDPOINT, "", &why), EINVAL);
}

static void test_jsonline_skips_what_is_not_a_timing_record(void **state)
{
    static const char *const lines[] = {
        "{\"msg\":\"server started\",\"port\":3000}",
        "{\"endpoint\":\"e\"}",
        "{\"durationMs\":5}",
        "[1,2,3]",
        "42",
        "\"text\"",
        "{\"endpoint\":null,\"durationMs\":1}",
    };
    const char *why;
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        assert_int_equal(parse(lines[i], &why), ENOENT);
}

static void test_jsonline_refuses_bad_fields_with_a_reason(void **state)
{
    static const struct {
        const char *line, *why;
    } cases[] = {
        {"{\"endpoint\":\"e\",\"durationMs\":", "not JSON"},
        {"{\"endpoint\":\"e\",\"durationMs\":1} trailing", "not JSON"},
        {"{\"endpoint\":\"e\",\"endpoint\":\"f\",\"durationMs\":1}", "not JSON"},
        {"{\"endpoint\":7,\"durationMs\":1}", "endpoint \"endpoint\" is not a non-empty string"},
        {"{\"endpoint\":\"\",\"durationMs\":1}", "endpoint \"endpoint\" is not a non-empty string"},
        {"{\"endpoint\":\"e\",\"durationMs\":-1}",
         "duration \"durationMs\" is negative or too large"},
        {"{\"endpoint\":\"e\",\"durationMs\":1e300}",
         "duration \"durationMs\" is negative or too large"},
        {"{\"endpoint\":\"e\",\"durationMs\":\"fast\"}", "duration \"durationMs\" is not a number"},
        {"{\"endpoint\":\"e\",\"durationMs\":true}", "duration \"durationMs\" is not a number"},
        {"{\"endpoint\":\"e\",\"durationMs\":1,\"status\":2.5}",
         "status \"status\" is not an integer 0..65535"},
        {"{\"endpoint\":\"e\",\"durationMs\":1,\"status\":70000}",
         "status \"status\" is not an integer 0..65535"},
        {"{\"endpoint\":\"e\",\"durationMs\":1,\"requestId\":[1]}",
         "request id \"requestId\" is not a string or an integer"},
        {"{\"endpoint\":\"e\",\"durationMs\":1,\"breakdown\":[1]}",
         "breakdown \"breakdown\" is not an object"},
        {"{\"endpoint\":\"e\",\"durationMs\":1,\"breakdown\":{\"db\":\"x\"}}",
         "breakdown \"db\" is not a number"},
        {"{\"endpoint\":\"e\",\"durationMs\":1,\"breakdown\":{\"\":1}}",
         "breakdown \"breakdown\" has an empty phase name"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *why;
        assert_int_equal(parse(cases[i].line, &why), EINVAL);
        if (!why || strncmp(why, cases[i].why, strlen(cases[i].why)) != 0)
            fail_msg("'%s': got '%s', want '%s'", cases[i].line, why ? why : "(none)",
                     cases[i].why);
    }
}

static void test_jsonline_cuts_long_names_and_extra_phases(void **state)
{
    char line[4096], name[400];
    memset(name, 'a', 299);
    memcpy(name + 299, "\xc3\xa9", 2); /* an e-acute straddling byte 300 */
    name[301] = '\0';
    int n =
        snprintf(line, sizeof line, "{\"endpoint\":\"%s\",\"durationMs\":1,\"breakdown\":{", name);
    for (int i = 0; i < 10; i++)
        n += snprintf(line + n, sizeof line - (size_t)n, "%s\"p%d\":%d", i ? "," : "", i, i);
    snprintf(line + n, sizeof line - (size_t)n, "}}");
    const char *why;
    assert_int_equal(parse(line, &why), 0);
    assert_int_equal(strlen(rec.endpoint), HM_NAME_MAX);
    assert_int_equal(rec.names_cut, 1);
    assert_int_equal(rec.nphases, HM_SPAN_PHASES_MAX);
    assert_int_equal(rec.phases_dropped, 10 - HM_SPAN_PHASES_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_jsonline_reads_a_full_timing_object, setup),
        cmocka_unit_test_setup(test_jsonline_takes_each_default_key, setup),
        cmocka_unit_test_setup(test_jsonline_mapped_keys_win_and_take_units, setup),
        cmocka_unit_test_setup(test_jsonline_skips_what_is_not_a_timing_record, setup),
        cmocka_unit_test_setup(test_jsonline_refuses_bad_fields_with_a_reason, setup),
        cmocka_unit_test_setup(test_jsonline_cuts_long_names_and_extra_phases, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
