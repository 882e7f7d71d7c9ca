/* tests/test_snapshot_file.c - atomic writes, new names, symlinks, errors, umask. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
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
    static const mode_t masks[] = {027, 022, 077, 002};
    for (size_t i = 0; i < sizeof masks / sizeof masks[0]; i++) {
        char path[4200], target[512], why[512];
        mode_t old = umask(masks[i]);
        assert_int_equal(hm_snapshot_file_write(dir, "m", "txt", (time_t)i, write_hello, NULL, path, sizeof path), 0);
        snprintf(target, sizeof target, "%s/atomic-%zu", dir, i);
        assert_int_equal(hm_file_write_atomic(target, write_hello, NULL, why, sizeof why), 0);
        umask(old);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0666 & ~masks[i]);
        assert_int_equal(stat(target, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0666 & ~masks[i]);
    }
}

static int write_big(FILE *out, void *arg)
{
    for (int i = 0; i < 100000; i++)
        fprintf(out, "line %06d\n", i);
    return 0;
}

static void test_snapshot_file_names_and_big_content(void **state)
{
    const char *dir = *state;
    char a[4200], b[4200], c[4200], want[4300];
    time_t when = 1700000000;
    struct tm tm;
    localtime_r(&when, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    assert_int_equal(hm_snapshot_file_write(dir, "hotmon", "csv", when, write_big, NULL, a, sizeof a), 0);
    snprintf(want, sizeof want, "%s/hotmon-%s.csv", dir, stamp);
    assert_string_equal(a, want);
    assert_int_equal(hm_snapshot_file_write(dir, "hotmon", "csv", when, write_hello, NULL, b, sizeof b), 0);
    assert_int_equal(hm_snapshot_file_write(dir, "hotmon", "csv", when, write_hello, NULL, c, sizeof c), 0);
    snprintf(want, sizeof want, "%s/hotmon-%s-3.csv", dir, stamp);
    assert_string_equal(c, want);
    struct stat st;
    assert_int_equal(stat(a, &st), 0);
    assert_int_equal(st.st_size, 100000 * 12); /* whole */
    assert_int_equal(entries(dir), 3);
}

/* The checks on a directory we may not write: 0, or the line that failed
 * (run in a child process when root, who may write anywhere). */
static int check_unwritable(const char *sub)
{
    char path[4200], why[4200], target[600];
    if (hm_snapshot_file_write(sub, "hotmon", "txt", 0, write_hello, NULL, path, sizeof path) != EACCES)
        return __LINE__;
    if (!strstr(path, sub) || !strstr(path, "Permission denied"))
        return __LINE__;
    snprintf(target, sizeof target, "%s/report.txt", sub);
    if (hm_file_write_atomic(target, write_hello, NULL, why, sizeof why) != EACCES)
        return __LINE__;
    if (!strstr(why, target))
        return __LINE__;
    return 0;
}

static void test_snapshot_file_unwritable_directory(void **state)
{
    const char *dir = *state;
    char sub[512];
    snprintf(sub, sizeof sub, "%s/ro", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    assert_int_equal(chmod(sub, 0555), 0);
    if (geteuid() != 0) {
        assert_int_equal(check_unwritable(sub), 0);
    } else { /* root bypasses permissions: check as nobody */
        assert_int_equal(chmod(dir, 0755), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            if (setgid(65534) != 0 || setuid(65534) != 0)
                _exit(255);
            _exit(check_unwritable(sub) ? 1 : 0);
        }
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        if (WEXITSTATUS(status) == 1)
            fail_msg("an unwritable directory was not reported as EACCES with its path");
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    chmod(sub, 0700);
    assert_int_equal(entries(sub), 0); /* nothing left behind */
}

static void test_snapshot_file_too_long_a_name_is_refused(void **state)
{
    const char *dir = *state;
    char small[24];
    assert_int_equal(hm_snapshot_file_write(dir, "hotmon", "txt", 0, write_hello, NULL, small, sizeof small), ENAMETOOLONG);
    assert_int_equal(entries(dir), 0);
}

static void test_file_write_atomic_replaces_whole_or_not_at_all(void **state)
{
    const char *dir = *state;
    char target[512], why[512], line[64] = "";
    snprintf(target, sizeof target, "%s/report.txt", dir);
    assert_int_equal(hm_file_write_atomic(target, write_hello, "first\n", why, sizeof why), 0);
    assert_int_equal(hm_file_write_atomic(target, write_hello, "second\n", why, sizeof why), 0);
    FILE *f = fopen(target, "r");
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    assert_string_equal(line, "second\n");
    /* a failed write leaves the old content and no temporary file */
    assert_int_equal(hm_file_write_atomic(target, write_fails, NULL, why, sizeof why), EIO);
    assert_non_null(strstr(why, target));
    f = fopen(target, "r");
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    assert_string_equal(line, "second\n");
    assert_int_equal(entries(dir), 1);
    /* under a regular file: ENOTDIR, named */
    char bad[600];
    snprintf(bad, sizeof bad, "%s/x", target);
    assert_int_equal(hm_file_write_atomic(bad, write_hello, NULL, why, sizeof why), ENOTDIR);
    assert_non_null(strstr(why, bad));
    assert_int_equal(entries(dir), 1);
}

/* A device or a FIFO at the path is written into, never replaced by a regular
 * file (as root, --report /dev/null used to replace /dev/null). */
static void test_file_write_atomic_writes_into_devices_and_fifos(void **state)
{
    const char *dir = *state;
    char fifo[512], why[512], got[64] = "";
    struct stat st;
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    /* nobody reads: an error at once, not a hang */
    assert_int_equal(hm_file_write_atomic(fifo, write_hello, NULL, why, sizeof why), ENXIO);
    assert_non_null(strstr(why, fifo));
    int rd = open(fifo, O_RDONLY | O_NONBLOCK);
    assert_true(rd >= 0);
    assert_int_equal(hm_file_write_atomic(fifo, write_hello, "through\n", why, sizeof why), 0);
    assert_int_equal(read(rd, got, sizeof got - 1), 8);
    assert_string_equal(got, "through\n");
    close(rd);
    assert_int_equal(lstat(fifo, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));

    char full[512], null[512];
    snprintf(full, sizeof full, "%s/full", dir);
    snprintf(null, sizeof null, "%s/null", dir);
    if (mknod(full, S_IFCHR | 0600, makedev(1, 7)) != 0 ||
        mknod(null, S_IFCHR | 0600, makedev(1, 3)) != 0) {
        assert_int_equal(entries(dir), 1);
        return; /* not root: no device nodes to try */
    }
    assert_int_equal(hm_file_write_atomic(full, write_hello, NULL, why, sizeof why), ENOSPC);
    assert_non_null(strstr(why, "No space left on device"));
    assert_int_equal(hm_file_write_atomic(null, write_hello, NULL, why, sizeof why), 0);
    assert_int_equal(lstat(full, &st), 0);
    assert_true(S_ISCHR(st.st_mode));
    assert_int_equal(lstat(null, &st), 0);
    assert_true(S_ISCHR(st.st_mode));
    assert_int_equal(entries(dir), 3); /* no temporary file left */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_snapshot_file_writes_whole_files_under_new_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snapshot_file_never_follows_a_planted_symlink, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snapshot_file_reports_errors_and_leaves_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snapshot_file_mode_follows_the_umask, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snapshot_file_names_and_big_content, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snapshot_file_unwritable_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snapshot_file_too_long_a_name_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_write_atomic_replaces_whole_or_not_at_all, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_write_atomic_writes_into_devices_and_fifos, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
