/* tests/test_endpoint.c - one endpoint's live statistics (endpoint.c) under an
 * injected clock: the slowest samples of the last minute with their request
 * ids, statuses most frequent first, gauge sums with their minute's min and
 * max, phases created on first use up to the cap, reset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "endpoint.h"

#define S 1000000000ull
#define MS 1000000ull
#define T0 (1000 * S)

static hm_snap_endpoint_t out; /* 12 KiB: not on the stack */

static hm_endpoint_stats_t *new_endpoint(void)
{
    hm_endpoint_stats_t *e = hm_endpoint_stats_new("GET /x", 6, false, T0);
    assert_non_null(e);
    return e;
}

static void record_id(hm_endpoint_stats_t *e, uint64_t now, uint64_t ns, const char *rid)
{
    hm_endpoint_stats_record(e, now, ns, 200, (const uint8_t *)rid, strlen(rid));
}

static void test_endpoint_keeps_the_ten_slowest_with_request_ids(void **state)
{
    hm_endpoint_stats_t *e = new_endpoint();
    char rid[64];
    /* 100 samples of 1..100 ms in a shuffled order, 10 ms apart */
    for (int i = 0; i < 100; i++) {
        int d = (i * 37) % 100 + 1;
        snprintf(rid, sizeof rid, "req-%d", d);
        record_id(e, T0 + (uint64_t)i * 10 * MS, (uint64_t)d * MS, rid);
    }
    /* a request id longer than kept is cut */
    char longid[100];
    memset(longid, 'z', 99);
    longid[99] = '\0';
    record_id(e, T0 + S, 500 * MS, longid);
    hm_endpoint_stats_fill(e, T0 + 2 * S, NULL, 0, &out);
    assert_string_equal(out.name, "GET /x");
    assert_int_equal(out.nslow, HM_SNAP_SLOWEST);
    assert_int_equal(out.slow[0].duration_ns, 500 * MS);
    assert_int_equal(strlen(out.slow[0].request_id), HM_SNAP_RID_MAX);
    assert_int_equal(out.slow[0].age_ns, S);
    for (int i = 1; i < HM_SNAP_SLOWEST; i++) {
        int d = 101 - i; /* 100, 99, ... 92 */
        snprintf(rid, sizeof rid, "req-%d", d);
        assert_int_equal(out.slow[i].duration_ns, (uint64_t)d * MS);
        assert_string_equal(out.slow[i].request_id, rid);
        assert_int_equal(out.slow[i].status, 200);
    }
    hm_endpoint_stats_destroy(&e);
    assert_null(e);
}

static void test_endpoint_forgets_slow_samples_after_a_minute(void **state)
{
    hm_endpoint_stats_t *e = new_endpoint();
    /* a burst of ten very slow samples, then, 30 s later, five slower than
     * usual that the burst outranks */
    for (int i = 0; i < 10; i++)
        record_id(e, T0, 5 * S, "burst");
    char rid[32];
    for (int i = 0; i < 5; i++) {
        snprintf(rid, sizeof rid, "late-%d", i);
        record_id(e, T0 + 30 * S, (uint64_t)(100 + i) * MS, rid);
    }
    for (int i = 0; i < 1000; i++)
        record_id(e, T0 + 31 * S, 1 * MS, "fast");
    hm_endpoint_stats_fill(e, T0 + 59 * S, NULL, 0, &out);
    assert_int_equal(out.nslow, HM_SNAP_SLOWEST);
    assert_string_equal(out.slow[9].request_id, "burst");
    /* a minute after the burst the late ones lead, then the fast ones */
    hm_endpoint_stats_fill(e, T0 + 61 * S, NULL, 0, &out);
    assert_int_equal(out.nslow, HM_SNAP_SLOWEST);
    assert_string_equal(out.slow[0].request_id, "late-4");
    assert_int_equal(out.slow[0].age_ns, 31 * S);
    assert_string_equal(out.slow[4].request_id, "late-0");
    assert_string_equal(out.slow[5].request_id, "fast");
    /* a minute after the last sample nothing is left */
    hm_endpoint_stats_fill(e, T0 + 91 * S, NULL, 0, &out);
    assert_int_equal(out.nslow, 0);
    /* and the next slow sample is kept again */
    record_id(e, T0 + 92 * S, 7 * MS, "again");
    hm_endpoint_stats_fill(e, T0 + 93 * S, NULL, 0, &out);
    assert_int_equal(out.nslow, 1);
    assert_string_equal(out.slow[0].request_id, "again");
    hm_endpoint_stats_destroy(&e);
}

static void test_endpoint_counts_statuses_most_frequent_first(void **state)
{
    assert_false(hm_status_is_error(0));
    assert_false(hm_status_is_error(100));
    assert_false(hm_status_is_error(399));
    assert_true(hm_status_is_error(1));
    assert_true(hm_status_is_error(99));
    assert_true(hm_status_is_error(400));
    assert_true(hm_status_is_error(503));
    hm_endpoint_stats_t *e = new_endpoint();
    /* twelve statuses; status k appears k times */
    static const uint16_t st[12] = {201, 200, 302, 404, 500, 503, 0, 1, 418, 429, 204, 301};
    uint64_t errors = 0;
    for (int k = 0; k < 12; k++) {
        for (int n = 0; n <= k; n++)
            hm_endpoint_stats_record(e, T0, MS, st[k], NULL, 0);
        errors += hm_status_is_error(st[k]) ? (uint64_t)k + 1 : 0;
    }
    hm_endpoint_stats_fill(e, T0 + S, NULL, 0, &out);
    assert_int_equal(out.win[HM_WIN_ALL].count, 78);
    assert_int_equal(out.win[HM_WIN_ALL].errors, errors);
    assert_int_equal(out.nstatuses, HM_SNAP_STATUSES);
    for (int i = 0; i < HM_SNAP_STATUSES; i++) {
        assert_int_equal(out.statuses[i].status, st[11 - i]);
        assert_int_equal(out.statuses[i].count, 12 - i);
    }
    hm_endpoint_stats_destroy(&e);
}

static void test_endpoint_counts_statuses_beyond_the_table_as_65535(void **state)
{
    hm_endpoint_stats_t *e = new_endpoint();
    hm_endpoint_stats_record(e, T0, MS, 65535, NULL, 0); /* seen early, as itself */
    /* 100 distinct statuses, status 1000 + k seen k + 2 times */
    uint64_t total = 1;
    for (int k = 0; k < 100; k++) {
        for (int n = 0; n < k + 2; n++)
            hm_endpoint_stats_record(e, T0, MS, (uint16_t)(1000 + k), NULL, 0);
        total += (uint64_t)k + 2;
    }
    hm_endpoint_stats_fill(e, T0 + S, NULL, 0, &out);
    uint64_t sum = 0, seen65535 = 0;
    for (size_t i = 0; i < out.nstatuses; i++)
        seen65535 += out.statuses[i].status == 65535;
    assert_int_equal(seen65535, 1);
    /* the table holds 65535 and the first 30 others; 65535 has the rest */
    sum = 1;
    for (int k = 0; k < 30; k++)
        sum += (uint64_t)k + 2;
    assert_int_equal(out.statuses[0].status, 65535);
    assert_int_equal(out.statuses[0].count, total - sum + 1);
    assert_int_equal(out.win[HM_WIN_ALL].count, total);
    hm_endpoint_stats_destroy(&e);
}

static void test_endpoint_gauges_keep_min_and_max_of_the_last_minute(void **state)
{
    hm_endpoint_stats_t *e = new_endpoint();
    /* sender A says 5, sender B 3, then A 0 and B 2: sums 5, 8, 3, 2 */
    hm_endpoint_stats_gauge_change(e, HM_GAUGE_INFLIGHT, 0, 5, T0);
    hm_endpoint_stats_gauge_change(e, HM_GAUGE_INFLIGHT, 0, 3, T0 + S);
    hm_endpoint_stats_gauge_change(e, HM_GAUGE_INFLIGHT, 5, 0, T0 + 2 * S);
    hm_endpoint_stats_gauge_change(e, HM_GAUGE_INFLIGHT, 3, 2, T0 + 2 * S);
    hm_endpoint_stats_gauge_change(e, HM_GAUGE_QUEUE_DEPTH, 0, -4, T0 + 2 * S);
    int m = hm_endpoint_stats_metric(e, "conns", false);
    assert_int_equal(m, 0);
    assert_int_equal(hm_endpoint_stats_metric(e, "conns", false), m);
    int n = hm_endpoint_stats_metric(e, "bytes", true);
    assert_int_equal(n, 1);
    hm_endpoint_stats_gauge_change(e, m, 0, 40, T0);
    hm_endpoint_stats_gauge_change(e, n, 0, 1000, T0);
    hm_endpoint_stats_fill(e, T0 + 3 * S, NULL, 0, &out);
    assert_int_equal(out.inflight.now, 2);
    assert_int_equal(out.inflight.min, 2);
    assert_int_equal(out.inflight.max, 8);
    assert_int_equal(out.queue.now, -4);
    assert_int_equal(out.nmetrics, 2);
    assert_string_equal(out.metrics[0].name, "conns");
    assert_false(out.metrics[0].counter);
    assert_int_equal(out.metrics[0].value.now, 40);
    assert_true(out.metrics[1].counter);
    assert_int_equal(out.metrics[1].value.now, 1000);
    /* 75 s later the 8 is forgotten; the value held since still counts */
    hm_endpoint_stats_fill(e, T0 + 75 * S, NULL, 0, &out);
    assert_int_equal(out.inflight.now, 2);
    assert_int_equal(out.inflight.min, 2);
    assert_int_equal(out.inflight.max, 2);
    /* metrics beyond the cap are refused */
    char name[32];
    for (int i = 2; i < HM_SNAP_METRICS; i++) {
        snprintf(name, sizeof name, "m%d", i);
        assert_int_equal(hm_endpoint_stats_metric(e, name, false), i);
    }
    assert_int_equal(hm_endpoint_stats_metric(e, "one-too-many", false), -1);
    hm_endpoint_stats_destroy(&e);
}

static void test_endpoint_gauge_sums_survive_hostile_values(void **state)
{
    hm_endpoint_stats_t *e = new_endpoint();
    hm_endpoint_stats_gauge_change(e, HM_GAUGE_QUEUE_DEPTH, 0, 7, T0);
    /* a hostile sender: the largest and the smallest values there are */
    hm_endpoint_stats_gauge_change(e, HM_GAUGE_QUEUE_DEPTH, 0, INT64_MAX, T0);
    hm_endpoint_stats_gauge_change(e, HM_GAUGE_QUEUE_DEPTH, INT64_MAX, INT64_MIN, T0);
    /* it leaves (expires): the honest sum is back, exactly */
    hm_endpoint_stats_gauge_change(e, HM_GAUGE_QUEUE_DEPTH, INT64_MIN, 0, T0);
    hm_endpoint_stats_fill(e, T0 + 61 * S, NULL, 0, &out);
    assert_int_equal(out.queue.now, 7);
    hm_endpoint_stats_destroy(&e);
}

static void test_endpoint_creates_phases_on_first_use_up_to_the_cap(void **state)
{
    hm_endpoint_stats_t *e = new_endpoint();
    size_t idle = hm_endpoint_stats_bytes(e);
    char name[32];
    for (int i = 0; i < HM_SNAP_PHASES; i++) {
        snprintf(name, sizeof name, "p%d", i);
        for (int n = 0; n <= i; n++)
            assert_true(hm_endpoint_stats_phase(e, T0, name, (uint64_t)(i + 1) * MS));
    }
    assert_true(hm_endpoint_stats_bytes(e) > idle);
    assert_false(hm_endpoint_stats_phase(e, T0, "one-too-many", MS));
    hm_endpoint_stats_fill(e, T0 + S, NULL, 0, &out);
    assert_int_equal(out.nphases, HM_SNAP_PHASES);
    for (int i = 0; i < HM_SNAP_PHASES; i++) {
        snprintf(name, sizeof name, "p%d", i);
        assert_string_equal(out.phases[i].name, name);
        assert_int_equal(out.phases[i].win[HM_WIN_10S].count, i + 1);
        assert_int_equal(out.phases[i].win[HM_WIN_ALL].sum_ns, (uint64_t)(i + 1) * (i + 1) * MS);
    }
    hm_endpoint_stats_destroy(&e);
}

static void test_endpoint_reset_forgets_latencies_but_not_gauges(void **state)
{
    hm_endpoint_stats_t *e = new_endpoint();
    size_t idle = hm_endpoint_stats_bytes(e);
    record_id(e, T0, 3 * MS, "r");
    hm_endpoint_stats_phase(e, T0, "db", MS);
    hm_endpoint_stats_gauge_change(e, HM_GAUGE_QUEUE_DEPTH, 0, 9, T0);
    hm_endpoint_stats_reset(e, T0 + S);
    hm_endpoint_stats_fill(e, T0 + S, NULL, 0, &out);
    for (int w = 0; w < HM_WIN__COUNT; w++)
        assert_int_equal(out.win[w].count, 0);
    assert_int_equal(out.nphases, 0);
    assert_int_equal(out.nstatuses, 0);
    assert_int_equal(out.nslow, 0);
    assert_int_equal(out.queue.now, 9);
    assert_int_equal(hm_endpoint_stats_bytes(e), idle);
    hm_endpoint_stats_destroy(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_endpoint_keeps_the_ten_slowest_with_request_ids),
        cmocka_unit_test(test_endpoint_forgets_slow_samples_after_a_minute),
        cmocka_unit_test(test_endpoint_counts_statuses_most_frequent_first),
        cmocka_unit_test(test_endpoint_counts_statuses_beyond_the_table_as_65535),
        cmocka_unit_test(test_endpoint_gauges_keep_min_and_max_of_the_last_minute),
        cmocka_unit_test(test_endpoint_gauge_sums_survive_hostile_values),
        cmocka_unit_test(test_endpoint_creates_phases_on_first_use_up_to_the_cap),
        cmocka_unit_test(test_endpoint_reset_forgets_latencies_but_not_gauges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
