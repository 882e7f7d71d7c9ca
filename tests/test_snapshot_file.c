/* tests/test_snapshot_file.c - atomic writes, new names, symlinks, errors, umask. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "snapshot_file.h"

static int write_hello(FILE *out, void *arg)
{
    fputs(arg ? (const char *)arg : "hello\n", out);
    return 0;
}

static int write_fails(FILE *out, void *arg)
{
    fputs("half", out);
    return EIO;
}

static int setup(void **state)
{
    char *dir = strdup("/tmp/hm-snapfile-XXXXXX");
    *state = mkdtemp(dir);
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", (char *)*state);
    int rc = system(cmd);
    free(*state);
    return rc;
}

static size_t entries(const char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", dir);
    FILE *p = popen(cmd, "r");
    unsigned long n = 0;
    if (fscanf(p, "%lu", &n) != 1)
        n = 999;
    pclose(p);
    return n;
}

static void test_snapshot_file_writes_whole_files_under_new_names(void **state)
{
    const char *dir = *state;
    char a[4200], b[4200];
    time_t when = 1700000000;
    assert_int_equal(hm_snapshot_file_write(dir, "hotmon", "txt", when, write_hello, NULL, a, sizeof a), 0);
    assert_int_equal(hm_snapshot_file_write(dir, "hotmon", "txt", when, write_hello, NULL, b, sizeof b), 0);
    assert_string_not_equal(a, b); /* same second: a new name, nothing replaced */
    assert_non_null(strstr(b, "-2.txt"));
    FILE *f = fopen(a, "r");
    char line[64] = "";
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    assert_string_equal(line, "hello\n");
    assert_int_equal(entries(dir), 2); /* no temporary file left behind */
}

static void test_snapshot_file_never_follows_a_planted_symlink(void **state)
{
    const char *dir = *state;
    char victim[512], link_path[512], got[4200];
    snprintf(victim, sizeof victim, "%s/victim", dir);
    FILE *v = fopen(victim, "w");
    fputs("precious\n", v);
    fclose(v);
    time_t when = 1700000000;
    struct tm tm;
    localtime_r(&when, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    snprintf(link_path, sizeof link_path, "%s/hotmon-%s.txt", dir, stamp);
    assert_int_equal(symlink(victim, link_path), 0);
    assert_int_equal(hm_snapshot_file_write(dir, "hotmon", "txt", when, write_hello, "evil\n", got, sizeof got), 0);
    assert_string_not_equal(got, link_path);
    v = fopen(victim, "r");
    char line[64] = "";
    assert_non_null(fgets(line, sizeof line, v));
    fclose(v);
    assert_string_equal(line, "precious\n");
    /* the replacing writer refuses a symlink at its target */
    char why[512];
    assert_int_equal(hm_file_write_atomic(link_path, write_hello, NULL, why, sizeof why), ELOOP);
    assert_non_null(strstr(why, "symbolic link"));
}

static void test_snapshot_file_reports_errors_and_leaves_nothing(void **state)
{
    const char *dir = *state;
    char path[4200], notdir[512];
    snprintf(notdir, sizeof notdir, "%s/plain", dir);
    fclose(fopen(notdir, "w"));
    assert_int_equal(hm_snapshot_file_write(notdir, "hotmon", "txt", 0, write_hello, NULL, path, sizeof path), ENOTDIR);
    assert_non_null(strstr(path, "Not a directory"));
    assert_int_equal(hm_snapshot_file_write(dir, "hotmon", "txt", 0, write_fails, NULL, path, sizeof path), EIO);
    assert_int_equal(entries(dir), 1); /* only "plain" */
}

static void test_snapshot_file_mode_follows_the_umask(void **state)
{
    const char *dir = *state;
    char path[4200];
    mode_t old = umask(027);
    assert_int_equal(hm_snapshot_file_write(dir, "m", "txt", 0, write_hello, NULL, path, sizeof path), 0);
    umask(old);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_snapshot_file_writes_whole_files_under_new_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snapshot_file_never_follows_a_planted_symlink, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snapshot_file_reports_errors_and_leaves_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snapshot_file_mode_follows_the_umask, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
