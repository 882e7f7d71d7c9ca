/* tests/test_baseline.c - loading a saved snapshot and the regression rules. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "baseline.h"
#include "snap_fixture.h"

static char path[] = "/tmp/hm-baseline-XXXXXX";

static hm_baseline_t *load(const char *json)
{
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, json, strlen(json)), (ssize_t)strlen(json));
    close(fd);
    hm_baseline_t *b = NULL;
    char why[512];
    int rc = hm_baseline_load(path, &b, why, sizeof why);
    unlink(path);
    strcpy(path, "/tmp/hm-baseline-XXXXXX");
    return rc == 0 ? b : NULL;
}

static void test_baseline_flags_regressions_beyond_twenty_percent(void **state)
{
    /* fixture: "GET /a" p99 10 ms, rate 10/s, error rate 0; "GET /b" p99 250 ms, 20/s, 0.5% */
    hm_baseline_t *b = load("{\"endpoints\":["
                            "{\"name\":\"GET /a\",\"p50_ms\":5,\"p99_ms\":8.5,\"rate\":10,\"error_rate\":0},"
                            "{\"name\":\"GET /b\",\"p50_ms\":125,\"p99_ms\":200,\"rate\":30,\"error_rate\":0.005}]}");
    assert_non_null(b);
    static const char *const names[] = {"GET /a", "GET /b", "GET /new"};
    static const double p99[] = {10, 250, 1};
    hm_snapshot_t *s = fixture(names, p99, 3);
    hm_delta_t a = hm_baseline_compare(b, &s->endpoints[0], HM_WIN_1M);
    assert_true(a.known);
    assert_false(a.p99_worse); /* +17.6%: within 20% */
    assert_false(a.rate_worse);
    hm_delta_t d = hm_baseline_compare(b, &s->endpoints[1], HM_WIN_1M);
    assert_true(d.p99_worse);  /* +25% */
    assert_true(d.rate_worse); /* 20/s against 30/s: -33% */
    assert_false(d.errors_worse); /* 0.5% against 0.5% */
    assert_false(hm_baseline_compare(b, &s->endpoints[2], HM_WIN_1M).known);
    char buf[32];
    assert_string_equal(hm_baseline_format(d.p99, d.p99_worse, buf, sizeof buf), "+25% !");
    assert_string_equal(hm_baseline_format(-0.5, false, buf, sizeof buf), "-50%");
    hm_snapshot_release(&s);
    hm_baseline_destroy(&b);
    assert_null(b);
}

static void test_baseline_refuses_files_that_are_not_snapshots(void **state)
{
    hm_baseline_t *b = NULL;
    char why[512];
    assert_int_equal(hm_baseline_load("/nonexistent/base.json", &b, why, sizeof why), EINVAL);
    assert_non_null(strstr(why, "/nonexistent/base.json"));
    assert_null(load("{\"endpoints\": [ {\"name\": "));
    assert_null(load("{\"version\": 1}"));
    assert_null(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_baseline_flags_regressions_beyond_twenty_percent),
        cmocka_unit_test(test_baseline_refuses_files_that_are_not_snapshots),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
