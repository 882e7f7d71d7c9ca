/* tests/test_registry.c - the registry: caps on endpoints, names and senders,
 * sequence gaps, client drops, gauges summed over live senders, expiry, reset.
 * Frames go in through ingest.c (tested on its own in test_ingest.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "frames.h"
#include "ingest.h"
#include "registry.h"

#define S 1000000000ull
#define MS 1000000ull
#define T0 (100 * S)

static frame_t f;

static hm_snapshot_t *snap(hm_registry_t *r, uint64_t now)
{
    hm_snapshot_t *s = hm_registry_snapshot(r, now, NULL, 0);
    assert_non_null(s);
    return s;
}

static void test_registry_folds_names_beyond_the_cap(void **state)
{
    hm_registry_limits_t lim = {.max_endpoints = 10};
    hm_registry_t *r = hm_registry_new(&lim, T0);
    frame_begin(&f, 1, 0);
    char name[32];
    for (int i = 0; i < 50; i++) {
        snprintf(name, sizeof name, "ep-%02d", i);
        frame_endpoint(&f, (uint16_t)i, name);
        frame_sample(&f, (uint16_t)i, 200, MS);
    }
    hm_ingest_frame(r, f.buf, frame_end(&f), T0);
    /* the same declarations again: nothing more is counted */
    frame_begin(&f, 1, 1);
    for (int i = 0; i < 50; i++) {
        snprintf(name, sizeof name, "ep-%02d", i);
        frame_endpoint(&f, (uint16_t)i, name);
    }
    hm_ingest_frame(r, f.buf, frame_end(&f), T0);
    /* another sender with the same names and five more: only those count */
    frame_begin(&f, 2, 0);
    for (int i = 0; i < 55; i++) {
        snprintf(name, sizeof name, "ep-%02d", i);
        frame_endpoint(&f, (uint16_t)(100 + i), name);
    }
    hm_ingest_frame(r, f.buf, frame_end(&f), T0);
    hm_snapshot_t *s = snap(r, T0 + 1);
    assert_int_equal(s->nendpoints, 11);
    assert_int_equal(s->counters.endpoints, 11);
    assert_int_equal(s->counters.names_folded, 45);
    const hm_snap_endpoint_t *o = &s->endpoints[10];
    assert_true(o->other);
    assert_string_equal(o->name, HM_OTHER_NAME);
    assert_int_equal(o->win[HM_WIN_ALL].count, 40);
    hm_snapshot_release(&s);
    hm_registry_destroy(&r);
}

static void test_registry_cuts_long_names_and_counts(void **state)
{
    hm_registry_t *r = hm_registry_new(NULL, T0);
    char name[256];
    memset(name, 'n', 255);
    name[255] = '\0';
    frame_begin(&f, 1, 0);
    frame_endpoint(&f, 0, name);
    frame_endpoint(&f, 0, name);
    name[200] = 'x'; /* differs only beyond the cut: the same endpoint */
    frame_endpoint(&f, 1, name);
    /* "a" and 100 two-byte characters: cut at a character boundary */
    char utf8[256] = "a";
    for (int i = 0; i < 100; i++)
        strcat(utf8, "\xc3\xa9");
    frame_endpoint(&f, 2, utf8);
    hm_ingest_frame(r, f.buf, frame_end(&f), T0);
    hm_snapshot_t *s = snap(r, T0);
    assert_int_equal(s->nendpoints, 2);
    assert_int_equal(strlen(s->endpoints[0].name), HM_SNAP_NAME_MAX - 1);
    assert_memory_equal(s->endpoints[0].name, utf8, HM_SNAP_NAME_MAX - 1);
    assert_int_equal(strlen(s->endpoints[1].name), HM_SNAP_NAME_MAX);
    assert_int_equal(s->counters.names_cut, 2);
    hm_snapshot_release(&s);
    hm_registry_destroy(&r);
}

static void test_registry_refuses_senders_beyond_the_cap(void **state)
{
    hm_registry_limits_t lim = {.max_senders = 2};
    hm_registry_t *r = hm_registry_new(&lim, T0);
    for (uint64_t id = 1; id <= 5; id++) {
        frame_begin(&f, id, 0);
        frame_endpoint(&f, 0, "e");
        frame_sample(&f, 0, 200, MS);
        hm_ingest_frame(r, f.buf, frame_end(&f), T0);
    }
    hm_snap_counters_t *c = hm_registry_counters(r);
    assert_int_equal(c->senders_live, 2);
    assert_int_equal(c->senders_refused, 3);
    assert_int_equal(c->samples, 2);
    assert_int_equal(c->frames, 2);
    /* once the two have expired, a new sender finds room */
    hm_registry_expire(r, T0 + 11 * S);
    assert_int_equal(c->senders_live, 0);
    assert_int_equal(c->senders_expired, 2);
    frame_begin(&f, 6, 0);
    frame_endpoint(&f, 0, "e");
    frame_sample(&f, 0, 200, MS);
    hm_ingest_frame(r, f.buf, frame_end(&f), T0 + 11 * S);
    assert_int_equal(c->senders_live, 1);
    assert_int_equal(c->senders_refused, 3);
    assert_int_equal(c->samples, 3);
    hm_registry_destroy(&r);
}

static void test_registry_counts_lost_frames_and_sums_drops(void **state)
{
    hm_registry_t *r = hm_registry_new(NULL, T0);
    /* seq 0 again: the sender started over with its own running totals, and
     * had dropped 12 before its first frame got through */
    uint64_t seqs[] = {0, 1, 5, 6, 10, 0, 1, 3};
    uint64_t drops[] = {0, 3, 3, 10, 10, 12, 14, 14};
    for (int i = 0; i < 8; i++) {
        frame_begin(&f, 9, seqs[i]);
        hm_wire_put_drops(&f.w, drops[i]);
        hm_ingest_frame(r, f.buf, frame_end(&f), T0);
    }
    hm_snap_counters_t *c = hm_registry_counters(r);
    assert_int_equal(c->lost, 3 + 3 + 1);
    assert_int_equal(c->client_drops, 10 + 14);
    assert_int_equal(c->senders_live, 1);
    hm_registry_destroy(&r);
}

static void send_drops(hm_registry_t *r, uint64_t sender, uint64_t seq, uint64_t drops,
                       uint64_t now)
{
    frame_begin(&f, sender, seq);
    hm_wire_put_drops(&f.w, drops);
    assert_int_equal(hm_ingest_frame(r, f.buf, frame_end(&f), now), HM_WIRE_OK);
}

static void test_registry_finds_many_senders_and_remembers_expired_ones(void **state)
{
    hm_registry_limits_t lim = {.max_senders = 500, .sender_expiry_ms = 5000};
    hm_registry_t *r = hm_registry_new(&lim, T0);
    hm_snap_counters_t *c = hm_registry_counters(r);
    uint64_t total = 0;
    for (uint64_t i = 1; i <= 400; i++) {
        send_drops(r, i << 40, 0, i, T0); /* ids that differ only in high bits */
        total += i;
    }
    for (uint64_t i = 2; i <= 400; i += 2)
        send_drops(r, i << 40, 1, i, T0 + 4 * S);
    hm_registry_expire(r, T0 + 6 * S);
    assert_int_equal(c->senders_live, 200);
    assert_int_equal(c->senders_expired, 200);
    for (uint64_t i = 2; i <= 400; i += 2)
        send_drops(r, i << 40, 2, i, T0 + 7 * S);
    assert_int_equal(c->senders_live, 200);
    assert_int_equal(c->lost, 0);
    assert_int_equal(c->client_drops, total);
    /* the expired ones were only paused: they come back having lost two
     * frames each and dropped one more sample each */
    for (uint64_t i = 1; i <= 400; i += 2)
        send_drops(r, i << 40, 3, i + 1, T0 + 8 * S);
    assert_int_equal(c->senders_live, 400);
    assert_int_equal(c->lost, 2 * 200);
    assert_int_equal(c->client_drops, total + 200);
    assert_int_equal(c->frames, 400 + 200 + 200 + 200);
    hm_registry_destroy(&r);
}

static void gauge_frame(uint64_t sender, uint64_t seq, int64_t inflight, int64_t queue)
{
    frame_begin(&f, sender, seq);
    frame_endpoint(&f, 0, "svc");
    hm_wire_put_metric(&f.w, 0, HM_METRIC_GAUGE, hm_wire_str("queue", NULL));
    hm_wire_put_gauge(&f.w, 0, HM_WIRE_METRIC_INFLIGHT, inflight);
    hm_wire_put_gauge(&f.w, 0, 0, queue);
}

static void test_registry_sums_gauges_over_live_senders(void **state)
{
    hm_registry_limits_t lim = {.sender_expiry_ms = 5000};
    hm_registry_t *r = hm_registry_new(&lim, T0);
    gauge_frame(1, 0, 3, 10);
    hm_ingest_frame(r, f.buf, frame_end(&f), T0);
    gauge_frame(2, 0, 4, 1);
    hm_ingest_frame(r, f.buf, frame_end(&f), T0 + S);
    gauge_frame(1, 1, 1, 20);
    hm_ingest_frame(r, f.buf, frame_end(&f), T0 + 2 * S);
    hm_snapshot_t *s = snap(r, T0 + 3 * S);
    const hm_snap_endpoint_t *e = hm_snapshot_find(s, "svc");
    assert_int_equal(e->inflight.now, 5);
    assert_int_equal(e->queue.now, 21);
    assert_int_equal(e->queue.max, 21);
    assert_int_equal(e->queue.min, 10);
    assert_int_equal(e->inflight.max, 7);
    hm_snapshot_release(&s);
    /* sender 2 falls silent; sender 1 keeps talking */
    gauge_frame(1, 2, 1, 20);
    hm_ingest_frame(r, f.buf, frame_end(&f), T0 + 6 * S);
    s = snap(r, T0 + 7 * S);
    e = hm_snapshot_find(s, "svc");
    assert_int_equal(s->counters.senders_expired, 1);
    assert_int_equal(s->counters.senders_live, 1);
    assert_int_equal(e->inflight.now, 1);
    assert_int_equal(e->queue.now, 20);
    hm_snapshot_release(&s);
    hm_registry_destroy(&r);
}

static void test_registry_pause_keeps_senders_the_collector_did_not_read(void **state)
{
    /* Two senders heard at T0 and T0 + 8 s; the collector stops from
     * T0 + 9 s to T0 + 39 s. Their frames from the stop wait in the socket,
     * so the 30 s are not their silence: both stay, with their names. */
    hm_registry_t *r = hm_registry_new(NULL, T0);
    frame_begin(&f, 1, 0);
    frame_endpoint(&f, 1, "a");
    frame_sample(&f, 1, 200, MS);
    hm_ingest_frame(r, f.buf, frame_end(&f), T0);
    frame_begin(&f, 2, 0);
    frame_endpoint(&f, 1, "b");
    hm_ingest_frame(r, f.buf, frame_end(&f), T0 + 8 * S);
    hm_registry_pause(r, 30 * S, T0 + 39 * S);
    hm_registry_expire(r, T0 + 39 * S);
    hm_snap_counters_t *c = hm_registry_counters(r);
    assert_int_equal(c->senders_live, 2);
    /* Their silence counts again from there: sender 1 was 9 s quiet before
     * the stop, so it goes 1 s after, and sender 2 2 s later. */
    hm_registry_expire(r, T0 + 40 * S + 1);
    assert_int_equal(c->senders_live, 1);
    hm_registry_expire(r, T0 + 48 * S + 1);
    assert_int_equal(c->senders_live, 0);
    assert_int_equal(c->senders_expired, 2);
    /* A gap longer than a sender's age stops at now. */
    frame_begin(&f, 3, 0);
    frame_endpoint(&f, 1, "c");
    hm_ingest_frame(r, f.buf, frame_end(&f), T0 + 50 * S);
    hm_registry_pause(r, 60 * S, T0 + 51 * S);
    hm_registry_expire(r, T0 + 61 * S);
    assert_int_equal(c->senders_live, 1);
    hm_registry_expire(r, T0 + 61 * S + 1);
    assert_int_equal(c->senders_live, 0);
    hm_registry_destroy(&r);
}

static void test_registry_reset_forgets_stats_but_not_counters(void **state)
{
    hm_registry_t *r = hm_registry_new(NULL, T0);
    frame_begin(&f, 1, 0);
    frame_endpoint(&f, 0, "z");
    frame_sample(&f, 0, 200, MS);
    hm_ingest_frame(r, f.buf, frame_end(&f), T0);
    hm_registry_reset(r, T0 + S);
    hm_snapshot_t *s = snap(r, T0 + S);
    assert_int_equal(s->nendpoints, 1);
    assert_int_equal(s->endpoints[0].win[HM_WIN_ALL].count, 0);
    assert_int_equal(s->counters.samples, 1);
    assert_int_equal(s->since_reset_ns, 0);
    hm_snapshot_release(&s);
    hm_registry_destroy(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry_folds_names_beyond_the_cap),
        cmocka_unit_test(test_registry_cuts_long_names_and_counts),
        cmocka_unit_test(test_registry_refuses_senders_beyond_the_cap),
        cmocka_unit_test(test_registry_counts_lost_frames_and_sums_drops),
        cmocka_unit_test(test_registry_finds_many_senders_and_remembers_expired_ones),
        cmocka_unit_test(test_registry_pause_keeps_senders_the_collector_did_not_read),
        cmocka_unit_test(test_registry_sums_gauges_over_live_senders),
        cmocka_unit_test(test_registry_reset_forgets_stats_but_not_counters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
