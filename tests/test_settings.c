/* tests/test_settings.c - hotmon's options: defaults, the command line, the
 * config file and --help, all through settings.h. */
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

#include "settings.h"

#define MAXARGS 40

/* Parses the words of line (split on spaces; no quoting) after "hotmon". The
 * words stay in args for the life of the settings that borrow them. */
typedef struct {
    char buf[512];
    char *argv[MAXARGS];
    int argc;
} args_t;

static int parse(hm_settings_t *s, args_t *a, const char *line, char *why, size_t n)
{
    snprintf(a->buf, sizeof a->buf, "%s", line);
    a->argc = 0;
    a->argv[a->argc++] = "hotmon";
    for (char *save = NULL, *w = strtok_r(a->buf, " ", &save); w && a->argc < MAXARGS - 1;
         w = strtok_r(NULL, " ", &save))
        a->argv[a->argc++] = w;
    a->argv[a->argc] = NULL;
    why[0] = '\0';
    return hm_settings_parse_args(s, a->argc, a->argv, why, n);
}

/* Parses line over fresh defaults into *s and expects it to be accepted. */
static void parse_ok(hm_settings_t *s, args_t *a, const char *line)
{
    char why[512];
    hm_settings_defaults(s);
    if (parse(s, a, line, why, sizeof why) != 0)
        fail_msg("'%s' refused: %s", line, why);
}

/* Parses line from fresh defaults and expects a refusal whose message holds
 * every string in want (NULL-terminated). */
static void expect_refused(const char *line, const char *const *want)
{
    hm_settings_t s;
    args_t a;
    char why[512];
    hm_settings_defaults(&s);
    assert_int_equal(parse(&s, &a, line, why, sizeof why), EINVAL);
    for (; *want; want++)
        if (!strstr(why, *want))
            fail_msg("'%s': message '%s' lacks '%s'", line, why, *want);
    hm_settings_fini(&s);
}

#define REFUSED(line, ...) expect_refused(line, (const char *const[]){__VA_ARGS__, NULL})

static void test_settings_defaults_come_from_the_table(void **state)
{
    hm_settings_t s;
    hm_settings_defaults(&s);
    assert_string_equal(s.bind, "tcp://127.0.0.1:7450");
    assert_null(s.connect);
    assert_false(s.demo);
    assert_false(s.once);
    assert_true(s.after_s == 2.0);
    assert_int_equal(s.format, HM_FMT_TEXT);
    assert_null(s.filter);
    assert_int_equal(s.sort, HM_COL_P99);
    assert_false(s.reverse);
    assert_int_equal(s.window, HM_WIN_1M);
    assert_string_equal(s.theme, "default");
    assert_int_equal(s.refresh_ms, 1000);
    assert_string_equal(s.snapshot_dir, ".");
    assert_int_equal(s.snapshot_format, HM_FMT_TEXT);
    assert_null(s.snapshot);
    assert_null(s.baseline);
    assert_true(hm_settings_descending(&s));
    hm_settings_fini(&s);
}

static void test_settings_long_options_set_every_field(void **state)
{
    hm_settings_t s;
    args_t a;
    parse_ok(&s, &a,
             "--bind tcp://127.0.0.1:9000 --demo --once --after 0.5 --format csv "
             "--filter ~^GET --sort name --reverse --window 5m --theme mono "
             "--refresh 250 --snapshot out.csv");
    assert_string_equal(s.bind, "tcp://127.0.0.1:9000");
    assert_true(s.demo && s.once && s.reverse);
    assert_true(s.after_s == 0.5);
    assert_int_equal(s.format, HM_FMT_CSV);
    assert_string_equal(s.filter, "~^GET");
    assert_int_equal(s.sort, HM_COL_NAME);
    assert_true(hm_settings_descending(&s)); /* names go A to Z; --reverse: Z to A */
    assert_int_equal(s.window, HM_WIN_5M);
    assert_string_equal(s.theme, "mono");
    assert_int_equal(s.refresh_ms, 250);
    assert_string_equal(s.snapshot, "out.csv");
    hm_settings_fini(&s);
}

static void test_settings_short_options_and_equals_forms(void **state)
{
    hm_settings_t s;
    args_t a;
    parse_ok(&s, &a,
             "-d -o -a 3 -f json -s rate -w 10s -R 60000 -D /tmp -S md "
             "--connect=tcp://h:1 --baseline=b.json");
    assert_true(s.demo && s.once);
    assert_true(s.after_s == 3.0);
    assert_int_equal(s.format, HM_FMT_JSON);
    assert_int_equal(s.sort, HM_COL_RATE);
    assert_int_equal(s.window, HM_WIN_10S);
    assert_int_equal(s.refresh_ms, 60000);
    assert_string_equal(s.snapshot_dir, "/tmp");
    assert_int_equal(s.snapshot_format, HM_FMT_MD);
    assert_string_equal(s.connect, "tcp://h:1");
    assert_string_equal(s.baseline, "b.json");
    hm_settings_fini(&s);
}

static void test_settings_bad_values_name_the_option_and_what_it_accepts(void **state)
{
    REFUSED("--window 2m", "--window", "'2m'", "10s, 1m, 5m or all");
    REFUSED("--format xml", "--format", "'xml'", "text, md, csv or json");
    REFUSED("--snapshot-format=yaml", "--snapshot-format", "'yaml'", "json");
    REFUSED("--sort p42", "--sort", "'p42'", "p99", "name", "queue");
    REFUSED("--sort trend", "--sort", "'trend'"); /* a column, but not one to sort by */
    REFUSED("--refresh 99", "--refresh", "'99'", "100 to 60000");
    REFUSED("--refresh 60001", "--refresh", "60000");
    REFUSED("--refresh 500.5", "--refresh", "whole number");
    REFUSED("--refresh 1e9", "--refresh");
    REFUSED("--after 0", "--after", "'0'", "above 0");
    REFUSED("--after -1", "--after", "'-1'");
    REFUSED("--after nan", "--after", "'nan'");
    REFUSED("--after inf", "--after", "'inf'");
    REFUSED("--after 2s", "--after", "'2s'", "seconds");
    REFUSED("--after 0x10", "--after", "'0x10'");
    REFUSED("--after 1e1", "--after", "'1e1'");
    REFUSED("--filter ~[", "--filter", "'~['");
    REFUSED("--bind=", "--bind", "ADDR");
}

static void test_settings_refuses_unknown_options_and_stray_words(void **state)
{
    REFUSED("--bogus", "unknown option '--bogus'");
    REFUSED("-x", "unknown option '-x'");
    REFUSED("--demo=yes", "--demo", "no value");
    REFUSED("--window", "--window", "needs a value", "10s");
    REFUSED("-b", "--bind", "needs a value");
    REFUSED("--once extra", "unexpected argument 'extra'");
    REFUSED("--snapshot out.txt", "--snapshot", "--once");
}

static void test_settings_parse_can_run_twice(void **state)
{
    /* getopt keeps global state; a second parse must start over */
    hm_settings_t s;
    args_t a;
    char why[256];
    hm_settings_defaults(&s);
    assert_int_equal(parse(&s, &a, "--bogus", why, sizeof why), EINVAL);
    parse_ok(&s, &a, "--window all");
    assert_int_equal(s.window, HM_WIN_ALL);
    parse_ok(&s, &a, "-w 10s");
    assert_int_equal(s.window, HM_WIN_10S);
    hm_settings_fini(&s);
}

/* Writes text to a new temporary file whose path goes into path. */
static void write_config(char *path, size_t n, const char *text)
{
    snprintf(path, n, "/tmp/hotmon-test-settings-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void test_settings_config_file_sets_keys_and_flags_override_it(void **state)
{
    char path[64], why[512];
    write_config(path, sizeof path,
                 "# my hotmon\n"
                 "\n"
                 "bind = tcp://127.0.0.1:7777   # a comment after a value\n"
                 "  window=5m\n"
                 "demo = yes\n"
                 "reverse = false\n"
                 "sort = rate\n"
                 "filter = ~^POST /\n"
                 "theme = /tmp/x y.theme\n");
    hm_settings_t s;
    args_t a;
    hm_settings_defaults(&s);
    assert_int_equal(hm_settings_load_file(&s, path, why, sizeof why), 0);
    assert_string_equal(s.bind, "tcp://127.0.0.1:7777");
    assert_int_equal(s.window, HM_WIN_5M);
    assert_true(s.demo);
    assert_false(s.reverse);
    assert_int_equal(s.sort, HM_COL_RATE);
    assert_string_equal(s.filter, "~^POST /");
    assert_string_equal(s.theme, "/tmp/x y.theme");
    /* the command line comes after the file and wins */
    assert_int_equal(parse(&s, &a, "--window 10s --bind tcp://127.0.0.1:1", why, sizeof why), 0);
    assert_int_equal(s.window, HM_WIN_10S);
    assert_string_equal(s.bind, "tcp://127.0.0.1:1");
    assert_int_equal(s.sort, HM_COL_RATE);
    hm_settings_fini(&s);
    unlink(path);
}

/* Loads a one-line-bad config file and expects "PATH:LINE: " then want. */
static void expect_bad_config(const char *text, unsigned line, const char *want)
{
    char path[64], why[512], prefix[96];
    write_config(path, sizeof path, text);
    hm_settings_t s;
    hm_settings_defaults(&s);
    assert_int_equal(hm_settings_load_file(&s, path, why, sizeof why), EINVAL);
    snprintf(prefix, sizeof prefix, "%s:%u: ", path, line);
    if (strncmp(why, prefix, strlen(prefix)) != 0 || !strstr(why, want))
        fail_msg("config '%s': message '%s', wanted '%s' and '%s'", text, why, prefix, want);
    hm_settings_fini(&s);
    unlink(path);
}

static void test_settings_bad_config_lines_give_file_and_line(void **state)
{
    expect_bad_config("window = 1m\n# fine\nwindow = 2m\n", 3, "window: '2m' is not one of");
    expect_bad_config("colour = red\n", 1, "unknown key 'colour'");
    expect_bad_config("\n\njust words\n", 3, "key = value");
    expect_bad_config("demo = maybe\n", 1, "true or false");
    expect_bad_config("bind =\n", 1, "bind");
    expect_bad_config("refresh = 5\n", 1, "100 to 60000");
    /* one-run switches are not settings to keep in a file */
    expect_bad_config("once = true\n", 1, "unknown key 'once'");
    expect_bad_config("help = true\n", 1, "unknown key 'help'");
    expect_bad_config("snapshot = x.txt\n", 1, "unknown key 'snapshot'");
}

static void test_settings_missing_config_file_is_not_an_error(void **state)
{
    hm_settings_t s;
    char why[128] = "untouched";
    hm_settings_defaults(&s);
    assert_int_equal(hm_settings_load_file(&s, "/nonexistent/hotmon/config", why, sizeof why),
                     ENOENT);
    assert_string_equal(why, "untouched");
    /* a file that cannot be read is an error, with the path */
    assert_int_equal(hm_settings_load_file(&s, "/", why, sizeof why), EISDIR);
    assert_non_null(strstr(why, "/: "));
    hm_settings_fini(&s);
}

static void test_settings_config_path_prefers_xdg(void **state)
{
    char buf[256];
    setenv("XDG_CONFIG_HOME", "/x/conf", 1);
    setenv("HOME", "/home/u", 1);
    assert_string_equal(hm_settings_config_path("config", buf, sizeof buf), "/x/conf/hotmon/config");
    setenv("XDG_CONFIG_HOME", "", 1);
    assert_string_equal(hm_settings_config_path("config", buf, sizeof buf), "/home/u/.config/hotmon/config");
    unsetenv("XDG_CONFIG_HOME");
    unsetenv("HOME");
    assert_null(hm_settings_config_path("config", buf, sizeof buf));
}

static void test_settings_help_lists_every_option_with_defaults(void **state)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    hm_settings_usage(f);
    fclose(f);
    static const char *const want[] = {
        "--bind ADDR", "--connect ADDR", "--demo", "--once", "--after SECONDS", "--format FMT",
        "--filter TEXT", "--sort COLUMN", "--reverse", "--window WIN", "--theme NAME|PATH",
        "--refresh MS", "--snapshot-dir DIR", "--snapshot-format FMT", "--snapshot FILE",
        "--baseline FILE", "--help", "--version", "default tcp://127.0.0.1:7450", "default 2",
        "default 1000", "10s, 1m, 5m or all", "Exit status"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(text, want[i]))
            fail_msg("--help lacks '%s'", want[i]);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_settings_defaults_come_from_the_table),
        cmocka_unit_test(test_settings_long_options_set_every_field),
        cmocka_unit_test(test_settings_short_options_and_equals_forms),
        cmocka_unit_test(test_settings_bad_values_name_the_option_and_what_it_accepts),
        cmocka_unit_test(test_settings_refuses_unknown_options_and_stray_words),
        cmocka_unit_test(test_settings_parse_can_run_twice),
        cmocka_unit_test(test_settings_config_file_sets_keys_and_flags_override_it),
        cmocka_unit_test(test_settings_bad_config_lines_give_file_and_line),
        cmocka_unit_test(test_settings_missing_config_file_is_not_an_error),
        cmocka_unit_test(test_settings_config_path_prefers_xdg),
        cmocka_unit_test(test_settings_help_lists_every_option_with_defaults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
