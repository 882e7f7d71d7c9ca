/* tests/test_pipe_statsd.c - the statsd line parser: every type, the
 * optional fields, and a reason for each malformed line. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pipe_statsd.h"

static int parse(const char *line, hm_statsd_t *m, const char **why)
{
    *why = NULL;
    return hm_statsd_parse(line, strlen(line), m, why);
}

static void test_statsd_reads_a_timer_with_rate_and_tags(void **state)
{
    hm_statsd_t m;
    const char *why;
    assert_int_equal(parse("api.get_user:12.3|ms|@0.5|#region:eu,canary\n", &m, &why), 0);
    assert_int_equal(m.name_len, strlen("api.get_user"));
    assert_memory_equal(m.name, "api.get_user", m.name_len);
    assert_int_equal(m.type, HM_STATSD_TIMER);
    assert_true(m.value > 12.29 && m.value < 12.31);
    assert_true(m.sample_rate > 0.49 && m.sample_rate < 0.51);
    assert_int_equal(m.tags_len, strlen("region:eu,canary"));
    assert_memory_equal(m.tags, "region:eu,canary", m.tags_len);
    assert_false(m.delta);
}

static void test_statsd_reads_every_type(void **state)
{
    static const struct {
        const char *line;
        hm_statsd_type_t type;
        double value;
        int delta;
    } cases[] = {
        {"t:5|ms", HM_STATSD_TIMER, 5, 0},
        {"h:7|h", HM_STATSD_TIMER, 7, 0},
        {"d:0.25|d", HM_STATSD_TIMER, 0.25, 0},
        {"c:3|c", HM_STATSD_COUNTER, 3, 0},
        {"g:42|g", HM_STATSD_GAUGE, 42, 0},
        {"g:+5|g", HM_STATSD_GAUGE, 5, 1},
        {"g:-3|g", HM_STATSD_GAUGE, -3, 1},
        {"s:user42|s", HM_STATSD_SET, 0, 0},
        {"c:1e3|c|#a\r\n", HM_STATSD_COUNTER, 1000, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hm_statsd_t m;
        const char *why;
        int rc = parse(cases[i].line, &m, &why);
        if (rc)
            fail_msg("%s: %s", cases[i].line, why);
        assert_int_equal(m.type, cases[i].type);
        assert_true(m.value == cases[i].value);
        assert_int_equal(m.delta, cases[i].delta);
        assert_true(m.sample_rate == 1);
        assert_string_equal(hm_statsd_type_name(m.type), m.type == HM_STATSD_TIMER     ? "ms"
                                                         : m.type == HM_STATSD_COUNTER ? "c"
                                                         : m.type == HM_STATSD_GAUGE   ? "g"
                                                                                       : "s");
    }
}

static void test_statsd_refuses_malformed_lines_with_a_reason(void **state)
{
    static const struct {
        const char *line, *why;
    } cases[] = {
        {"", "empty line"},
        {"\n", "empty line"},
        {"no colon here", "no ':' after the name"},
        {":5|ms", "empty name before ':'"},
        {"a|b:5|ms", "'|' in the name"},
        {"a:5", "no '|type' after the value"},
        {"a:5|zz", "unknown type: not ms, h, d, c, g or s"},
        {"a:|ms", "empty value"},
        {"a:abc|ms", "value is not a finite decimal number"},
        {"a:nan|ms", "value is not a finite decimal number"},
        {"a:1e999|c", "value is not a finite decimal number"},
        {"a:0x10|c", "value is not a finite decimal number"},
        {"a:-1|ms", "negative timer"},
        {"a:1|ms|@0", "sample rate is not a number in (0, 1]"},
        {"a:1|ms|@1.5", "sample rate is not a number in (0, 1]"},
        {"a:1|ms|@x", "sample rate is not a number in (0, 1]"},
        {"a:1|ms|@0.5|@0.5", "unknown or repeated field after the type (want |@rate or |#tags)"},
        {"a:1|ms|#", "unknown or repeated field after the type (want |@rate or |#tags)"},
        {"a:1|ms|", "unknown or repeated field after the type (want |@rate or |#tags)"},
        {"a:1|ms|T123", "unknown or repeated field after the type (want |@rate or |#tags)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hm_statsd_t m = {.name = "untouched"};
        const char *why;
        assert_int_equal(parse(cases[i].line, &m, &why), EINVAL);
        if (!why || strcmp(why, cases[i].why) != 0)
            fail_msg("'%s': got '%s', want '%s'", cases[i].line, why ? why : "(none)",
                     cases[i].why);
        assert_string_equal(m.name, "untouched");
    }
}

static void test_statsd_reads_only_the_length_given(void **state)
{
    /* No NUL: the parser must stop at len, here right after the type. */
    const char buf[] = {'a', ':', '1', '|', 'c', '|', '@', 'x'};
    hm_statsd_t m;
    const char *why;
    assert_int_equal(hm_statsd_parse(buf, 5, &m, &why), 0);
    assert_int_equal(m.type, HM_STATSD_COUNTER);
    assert_int_equal(hm_statsd_parse("a:1\0|c", 6, &m, &why), EINVAL);
    assert_string_equal(why, "a NUL byte in the line");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_statsd_reads_a_timer_with_rate_and_tags),
        cmocka_unit_test(test_statsd_reads_every_type),
        cmocka_unit_test(test_statsd_refuses_malformed_lines_with_a_reason),
        cmocka_unit_test(test_statsd_reads_only_the_length_given),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
