/* tests/test_load_profile.c - endpoint settings and profile files: what is
 * read, and the file, line and column of what is refused. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "load_profile.h"

static void test_profile_reads_names_and_settings_over_defaults(void **state)
{
    hm_load_endpoint_t def, *eps = NULL;
    hm_load_endpoint_defaults(&def);
    def.error_ratio = 0.5;
    size_t n = 0;
    char why[256] = "";
    const char *text = "# a comment\n"
                       "\n"
                       "\"GET /users\"   latency=constant:4ms error-ratio=0.01  # trailing\n"
                       "  \"say \\\"hi\\\"\" capacity=8 queue-max=20 timeout=500ms\r\n"
                       "report degrade=3x/120s weight=0.25";
    assert_int_equal(hm_load_profile_parse(text, "p.txt", &def, &eps, &n, why, sizeof why), 0);
    assert_int_equal(n, 3);
    assert_string_equal(eps[0].name, "GET /users");
    assert_int_equal(eps[0].latency.kind, HM_DIST_CONSTANT);
    assert_true(eps[0].latency.a == 4e6);
    assert_true(eps[0].error_ratio == 0.01);
    assert_string_equal(eps[1].name, "say \"hi\"");
    assert_int_equal(eps[1].capacity, 8);
    assert_int_equal(eps[1].queue_max, 20);
    assert_int_equal(eps[1].timeout_ns, 500000000);
    assert_true(eps[1].error_ratio == 0.5); /* from the defaults */
    assert_string_equal(eps[2].name, "report");
    assert_true(eps[2].degrade_factor == 3);
    assert_int_equal(eps[2].degrade_ns, 120000000000ull);
    assert_true(eps[2].weight == 0.25);
    assert_int_equal(eps[2].latency.kind, HM_DIST_LOGNORMAL);
    free(eps);
}

static void test_profile_says_where_and_what_is_wrong(void **state)
{
    static const struct {
        const char *text, *why;
    } cases[] = {
        {"a latency=normal:1ms",
         "p:1:11: unknown distribution: want constant, uniform, lognormal, bimodal or pareto"},
        {"a\nb speed=3", "p:2:3: unknown setting (want latency, error-ratio, capacity, queue-max, "
                         "timeout, degrade or weight)"},
        {"a capacity", "p:1:3: expected KEY=VALUE (latency, error-ratio, capacity, queue-max, "
                       "timeout, degrade, weight)"},
        {"\"open name", "p:1:1: a quoted name needs its closing '\"'"},
        {"\"\" weight=1", "p:1:1: empty name"},
        {"a\na", "p:2:1: endpoint named twice"},
        {"a error-ratio=2", "p:1:15: error-ratio: a number 0 to 1"},
        {"a capacity=-1", "p:1:12: capacity: a whole number 0 to 1000000"},
        {"a degrade=3/1s", "p:1:11: degrade: FACTORx/DURATION, such as 3x/120s"},
        {"a degrade=0.5x/1s", "p:1:11: degrade: the factor is 1 to 1000"},
        {"a weight=0", "p:1:10: weight: a number above 0, at most 1000000"},
        {"# only comments\n\n", "p:2:1: no endpoint in the profile"},
    };
    hm_load_endpoint_t def;
    hm_load_endpoint_defaults(&def);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hm_load_endpoint_t *eps = NULL;
        size_t n = 0;
        char why[256] = "";
        assert_int_equal(hm_load_profile_parse(cases[i].text, "p", &def, &eps, &n, why, sizeof why),
                         EINVAL);
        if (strcmp(why, cases[i].why) != 0)
            fail_msg("'%s': got '%s', want '%s'", cases[i].text, why, cases[i].why);
        assert_null(eps);
    }
}

static void test_profile_settings_table_drives_set(void **state)
{
    hm_load_endpoint_t e;
    hm_load_endpoint_defaults(&e);
    const char *arg, *help, *key, *why;
    size_t n = 0;
    for (; (key = hm_load_endpoint_setting(n, &arg, &help)); n++) {
        assert_non_null(arg);
        assert_non_null(help);
        /* every key of the table is one set knows */
        assert_int_not_equal(hm_load_endpoint_set(&e, key, "", &why), ENOENT);
    }
    assert_int_equal(n, 7);
    assert_int_equal(hm_load_endpoint_set(&e, "speed", "1", &why), ENOENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_profile_reads_names_and_settings_over_defaults),
        cmocka_unit_test(test_profile_says_where_and_what_is_wrong),
        cmocka_unit_test(test_profile_settings_table_drives_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
