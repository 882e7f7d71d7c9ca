/* tests/test_settings.c - flags, values, the config file. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "settings.h"

static int parse(hm_settings_t *s, char *why, size_t n, int argc, ...)
{
    char *argv[16] = {"hotmon"};
    va_list ap;
    va_start(ap, argc);
    for (int i = 1; i < argc; i++)
        argv[i] = va_arg(ap, char *);
    va_end(ap);
    hm_settings_defaults(s);
    return hm_settings_parse_args(s, argc, argv, why, n);
}

static void test_settings_parse_every_kind_of_value(void **state)
{
    hm_settings_t s;
    char why[256];
    assert_int_equal(parse(&s, why, sizeof why, 10, "--once", "--after", "0.5", "--format", "csv",
                           "--sort", "rate", "--window", "5m"), 0);
    assert_true(s.once);
    assert_true(s.after_s == 0.5);
    assert_int_equal(s.format, HM_FMT_CSV);
    assert_int_equal(s.sort, HM_COL_RATE);
    assert_int_equal(s.window, HM_WIN_5M);
    assert_true(hm_settings_descending(&s));
    assert_int_equal(parse(&s, why, sizeof why, 5, "-s", "name", "-r", "--demo"), 0);
    assert_true(hm_settings_descending(&s)); /* names reversed: Z to A */
    assert_true(s.demo);
}

static void test_settings_refuse_bad_values_with_a_message(void **state)
{
    hm_settings_t s;
    char why[256];
    assert_int_equal(parse(&s, why, sizeof why, 3, "--window", "2m"), EINVAL);
    assert_string_equal(why, "--window: '2m' is not one of 10s, 1m, 5m, all");
    assert_int_equal(parse(&s, why, sizeof why, 3, "--refresh", "5"), EINVAL);
    assert_non_null(strstr(why, "--refresh: '5' is not a number from 100 to 60000"));
    assert_int_equal(parse(&s, why, sizeof why, 3, "--sort", "trend"), EINVAL);
    assert_int_equal(parse(&s, why, sizeof why, 2, "--nope"), EINVAL);
    assert_non_null(strstr(why, "unknown option '--nope'"));
    assert_int_equal(parse(&s, why, sizeof why, 2, "--after"), EINVAL);
    assert_int_equal(parse(&s, why, sizeof why, 2, "stray"), EINVAL);
}

static void test_settings_read_a_config_file_and_flags_win(void **state)
{
    char path[] = "/tmp/hm-config-XXXXXX";
    int fd = mkstemp(path);
    const char text[] = "# comment\nwindow = 10s\nfilter = GET /a  # trailing comment\ndemo = yes\n";
    assert_int_equal(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(fd);
    hm_settings_t s;
    char why[512];
    hm_settings_defaults(&s);
    assert_int_equal(hm_settings_load_file(&s, path, why, sizeof why), 0);
    assert_int_equal(s.window, HM_WIN_10S);
    assert_string_equal(s.filter, "GET /a");
    assert_true(s.demo);
    char *argv[] = {"hotmon", "--window", "5m"};
    assert_int_equal(hm_settings_parse_args(&s, 3, argv, why, sizeof why), 0);
    assert_int_equal(s.window, HM_WIN_5M);
    hm_settings_fini(&s);
    FILE *f = fopen(path, "w");
    fputs("window = 1m\nwindo = 5m\n", f);
    fclose(f);
    hm_settings_defaults(&s);
    assert_int_equal(hm_settings_load_file(&s, path, why, sizeof why), EINVAL);
    assert_non_null(strstr(why, ":2: unknown key 'windo'"));
    hm_settings_fini(&s);
    unlink(path);
    assert_int_equal(hm_settings_load_file(&s, path, why, sizeof why), ENOENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_settings_parse_every_kind_of_value),
        cmocka_unit_test(test_settings_refuse_bad_values_with_a_message),
        cmocka_unit_test(test_settings_read_a_config_file_and_flags_win),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
