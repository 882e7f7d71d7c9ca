/* tests/test_theme.c - theme files: every shipped one parses, bad ones are named. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
    size_t n;
    const char *const *names = hm_theme_builtin_names(&n);
    hm_theme_t files[8];
    char why[256] = "";
    assert_true(n <= 8);
    for (size_t i = 0; i < n; i++) {
        char path[256];
        snprintf(path, sizeof path, "themes/%s.theme", names[i]);
        assert_int_equal(hm_theme_load(path, &files[i], why, sizeof why), 0);
    }
    char cwd[4096];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir("/"), 0); /* no themes/ here: the compiled-in copies serve */
    char *old = getenv("XDG_CONFIG_HOME") ? strdup(getenv("XDG_CONFIG_HOME")) : NULL;
    setenv("XDG_CONFIG_HOME", "/nonexistent", 1);
    for (size_t i = 0; i < n; i++) {
        hm_theme_t t;
        assert_int_equal(hm_theme_load(names[i], &t, why, sizeof why), 0);
        assert_string_equal(t.name, names[i]);
        assert_memory_equal(t.role, files[i].role, sizeof t.role); /* the same as the file */
    }
    if (old) {
        setenv("XDG_CONFIG_HOME", old, 1);
        free(old);
    } else {
        unsetenv("XDG_CONFIG_HOME");
    }
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

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void test_theme_shipped_files_name_every_role(void **state)
{
    size_t n;
    const char *const *names = hm_theme_builtin_names(&n);
    for (size_t i = 0; i < n; i++) {
        char path[256];
        snprintf(path, sizeof path, "themes/%s.theme", names[i]);
        const char *text = slurp(path);
        for (int r = 0; r < HM_ROLE__COUNT; r++) {
            char pat[64];
            regex_t re;
            snprintf(pat, sizeof pat, "^%s[ \t]*=", hm_role_name((hm_role_t)r));
            assert_int_equal(regcomp(&re, pat, REG_EXTENDED | REG_NOSUB | REG_NEWLINE), 0);
            if (regexec(&re, text, 0, NULL, 0) != 0)
                fail_msg("%s does not set role %s", path, hm_role_name((hm_role_t)r));
            regfree(&re);
        }
        hm_role_t back;
        assert_true(hm_role_parse(hm_role_name((hm_role_t)(i % HM_ROLE__COUNT)), &back));
    }
    /* the built-in default is the same as its file (the file is its documentation) */
    hm_theme_t file, builtin;
    char why[256];
    assert_int_equal(hm_theme_load("themes/default.theme", &file, why, sizeof why), 0);
    hm_theme_default(&builtin);
    assert_memory_equal(file.role, builtin.role, sizeof builtin.role);
}

static void test_theme_mono_and_colorblind_keep_their_promises(void **state)
{
    hm_theme_t t;
    char why[256];
    assert_int_equal(hm_theme_load("themes/mono.theme", &t, why, sizeof why), 0);
    for (int r = 0; r < HM_ROLE__COUNT; r++) {
        assert_int_equal(t.role[r].fg, HM_COLOR_DEFAULT);
        assert_int_equal(t.role[r].bg, HM_COLOR_DEFAULT);
    }
    assert_int_equal(hm_theme_load("themes/colorblind.theme", &t, why, sizeof why), 0);
    /* no red or green (basic, bright, or the 256-colour pure ones) anywhere */
    static const short banned[] = {1, 2, 9, 10, 22, 28, 34, 40, 46, 52, 88, 124, 160, 196};
    for (int r = 0; r < HM_ROLE__COUNT; r++)
        for (size_t b = 0; b < sizeof banned / sizeof banned[0]; b++) {
            assert_int_not_equal(t.role[r].fg, banned[b]);
            assert_int_not_equal(t.role[r].bg, banned[b]);
        }
    /* ok, warn and breach differ in more than hue */
    hm_style_t ok = t.role[HM_ROLE_OK], warn = t.role[HM_ROLE_WARN], bad = t.role[HM_ROLE_BREACH];
    assert_true(ok.attrs != warn.attrs || ok.bg != warn.bg);
    assert_true(warn.attrs != bad.attrs || warn.bg != bad.bg);
}

static void test_theme_every_error_names_file_line_and_key(void **state)
{
    static const struct {
        const char *text, *why;
    } bad[] = {
        {"ok = red on purple\n", "t.theme:1: key 'ok': unknown colour 'purple'"},
        {"# c\n\nwarn = red on\n", "t.theme:3: key 'warn': 'on' needs a colour"},
        {"ok = green\nbreach red\n", "t.theme:2: expected 'role = colour', got 'breach red'"},
        {"ok =\n", "t.theme:1: key 'ok': no colour or attribute given"},
        {"ok = 256\n", "t.theme:1: key 'ok': unknown colour or attribute '256'"},
        {"ok = red blinking\n", "t.theme:1: key 'ok': unknown colour or attribute 'blinking'"},
        {" = red\n", "t.theme:1: unknown role ''"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hm_theme_t t;
        char why[256] = "";
        assert_int_equal(hm_theme_parse(bad[i].text, "t.theme", &t, why, sizeof why), EINVAL);
        assert_string_equal(why, bad[i].why);
    }
    char long_line[1024];
    memset(long_line, 'x', sizeof long_line - 1);
    long_line[sizeof long_line - 1] = '\0';
    memcpy(long_line, "ok = red #", 10);
    hm_theme_t t;
    char why[256];
    assert_int_equal(hm_theme_parse(long_line, "t.theme", &t, why, sizeof why), EINVAL);
    assert_non_null(strstr(why, "t.theme:1: line longer than"));
}

static void test_theme_search_path_and_files(void **state)
{
    char dir[] = "/tmp/hm-theme-XXXXXX", path[256], why[512];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/hotmon", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/hotmon/themes", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/hotmon/themes/mine.theme", dir);
    FILE *f = fopen(path, "w");
    fputs("ok = 99 underline\n", f);
    fclose(f);
    char *old = getenv("XDG_CONFIG_HOME") ? strdup(getenv("XDG_CONFIG_HOME")) : NULL;
    setenv("XDG_CONFIG_HOME", dir, 1);
    hm_theme_t t;
    assert_int_equal(hm_theme_load("mine", &t, why, sizeof why), 0);
    assert_string_equal(t.name, "mine");
    assert_int_equal(t.role[HM_ROLE_OK].fg, 99);
    assert_int_equal(t.role[HM_ROLE_OK].attrs, HM_ATTR_UNDERLINE);
    /* roles left out keep the default */
    hm_theme_t d;
    hm_theme_default(&d);
    assert_memory_equal(&t.role[HM_ROLE_HEADER], &d.role[HM_ROLE_HEADER], sizeof d.role[0]);
    /* a bad file by name: the error names its path and line */
    snprintf(path, sizeof path, "%s/hotmon/themes/bad.theme", dir);
    f = fopen(path, "w");
    fputs("ok = red\nhdr = blue\n", f);
    fclose(f);
    assert_int_equal(hm_theme_load("bad", &t, why, sizeof why), EINVAL);
    char want[512];
    snprintf(want, sizeof want, "%s:2: unknown role 'hdr'", path);
    assert_string_equal(why, want);
    assert_memory_equal(t.role, d.role, sizeof d.role);
    /* shipped names are found through ./themes when nothing shadows them */
    assert_int_equal(hm_theme_load("light", &t, why, sizeof why), 0);
    assert_string_equal(t.name, "light");
    /* a missing path, and a file too big to be a theme */
    assert_int_equal(hm_theme_load("/nonexistent/x.theme", &t, why, sizeof why), ENOENT);
    assert_non_null(strstr(why, "/nonexistent/x.theme"));
    snprintf(path, sizeof path, "%s/big.theme", dir);
    f = fopen(path, "w");
    for (int i = 0; i < 2000; i++)
        fputs("ok = red      \n", f);
    fclose(f);
    assert_int_equal(hm_theme_load(path, &t, why, sizeof why), EFBIG);
    assert_non_null(strstr(why, path));
    if (old) {
        setenv("XDG_CONFIG_HOME", old, 1);
        free(old);
    } else {
        unsetenv("XDG_CONFIG_HOME");
    }
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_theme_every_shipped_theme_loads),
        cmocka_unit_test(test_theme_shipped_themes_load_by_name_anywhere),
        cmocka_unit_test(test_theme_parses_colours_and_attributes),
        cmocka_unit_test(test_theme_errors_name_file_line_and_key),
        cmocka_unit_test(test_theme_shipped_files_name_every_role),
        cmocka_unit_test(test_theme_mono_and_colorblind_keep_their_promises),
        cmocka_unit_test(test_theme_every_error_names_file_line_and_key),
        cmocka_unit_test(test_theme_search_path_and_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
