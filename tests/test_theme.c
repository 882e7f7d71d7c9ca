/* tests/test_theme.c - theme files: every shipped one parses, bad ones are named. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "theme.h"

static void test_theme_every_shipped_theme_loads(void **state)
{
    size_t n;
    const char *const *names = hm_theme_builtin_names(&n);
    assert_int_equal(n, 5);
    for (size_t i = 0; i < n; i++) {
        char path[256], why[512] = "";
        snprintf(path, sizeof path, "themes/%s.theme", names[i]);
        hm_theme_t t;
        assert_int_equal(hm_theme_load(path, &t, why, sizeof why), 0);
        assert_string_equal(t.name, names[i]);
    }
}

static void test_theme_shipped_themes_load_by_name_anywhere(void **state)
{
    char cwd[4096];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir("/"), 0); /* no themes/ here: the compiled-in copies serve */
    setenv("XDG_CONFIG_HOME", "/nonexistent", 1);
    hm_theme_t t;
    char why[256] = "";
    assert_int_equal(hm_theme_load("colorblind", &t, why, sizeof why), 0);
    assert_string_equal(t.name, "colorblind");
    assert_int_equal(t.role[HM_ROLE_BREACH].fg, 208);
    assert_int_equal(chdir(cwd), 0);
}

static void test_theme_parses_colours_and_attributes(void **state)
{
    hm_theme_t t;
    char why[256];
    assert_int_equal(hm_theme_parse("header = black on cyan bold\nbreach = 208 underline\n"
                                    "ok = bright-green\n# comment\n\n",
                                    "x.theme", &t, why, sizeof why),
                     0);
    assert_int_equal(t.role[HM_ROLE_HEADER].fg, 0);
    assert_int_equal(t.role[HM_ROLE_HEADER].bg, 6);
    assert_int_equal(t.role[HM_ROLE_HEADER].attrs, HM_ATTR_BOLD);
    assert_int_equal(t.role[HM_ROLE_BREACH].fg, 208);
    assert_int_equal(t.role[HM_ROLE_OK].fg, 10);
}

static void test_theme_errors_name_file_line_and_key(void **state)
{
    hm_theme_t t;
    char why[256];
    assert_int_equal(hm_theme_parse("ok = green\nhdr = red\n", "my.theme", &t, why, sizeof why), EINVAL);
    assert_string_equal(why, "my.theme:2: unknown role 'hdr'");
    assert_int_equal(hm_theme_parse("ok = purple\n", "my.theme", &t, why, sizeof why), EINVAL);
    assert_string_equal(why, "my.theme:1: key 'ok': unknown colour or attribute 'purple'");
    /* on error the default theme is what the caller gets */
    hm_theme_t d;
    hm_theme_default(&d);
    assert_memory_equal(&t.role, &d.role, sizeof d.role);
    assert_int_not_equal(hm_theme_load("no-such-theme", &t, why, sizeof why), 0);
    assert_non_null(strstr(why, "no-such-theme"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_theme_every_shipped_theme_loads),
        cmocka_unit_test(test_theme_shipped_themes_load_by_name_anywhere),
        cmocka_unit_test(test_theme_parses_colours_and_attributes),
        cmocka_unit_test(test_theme_errors_name_file_line_and_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
