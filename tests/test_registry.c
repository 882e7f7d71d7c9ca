/* tests/test_registry.c - the registry and ingest: caps, counters, gauges, expiry. */
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
    hm_snapshot_t *s = hm_registry_snapshot(r, now);
    assert_non_null(s);
    return s;
}

static void test_registry_ingests_exact_counts_and_percentiles(void **state)
{
    hm_registry_t *r = hm_registry_new(NULL, T0);
    frame_begin(&f, 1, 0);
    frame_endpoint(&f, 0, "GET /a");
    for (int i = 1; i <= 1000; i++)
        frame_sample(&f, 0, i % 100 == 0 ? 500 : 200, (uint64_t)i * MS);
    assert_int_equal(hm_ingest_frame(r, f.buf, frame_end(&f), T0), HM_WIRE_OK);
    hm_snapshot_t *s = snap(r, T0 + S / 2);
    const hm_snap_endpoint_t *e = hm_snapshot_find(s, "GET /a");
    assert_non_null(e);
    const hm_snap_stats_t *st = &e->win[HM_WIN_10S];
    assert_int_equal(st->count, 1000);
    assert_int_equal(st->errors, 10);
    assert_true(st->p50_ns >= 495 * MS && st->p50_ns <= 505 * MS);
    assert_true(st->p99_ns >= 980 * MS && st->p99_ns <= 1000 * MS);
    assert_int_equal(st->max_ns, 1000 * MS);
    assert_int_equal(st->min_ns, 1 * MS);
    assert_int_equal(s->counters.samples, 1000);
    assert_int_equal(s->counters.frames, 1);
    assert_int_equal(e->statuses[0].status, 200);
    assert_int_equal(e->statuses[0].count, 990);
    assert_int_equal(e->nslow, HM_SNAP_SLOWEST);
    assert_int_equal(e->slow[0].duration_ns, 1000 * MS);
    hm_snapshot_release(&s);
    hm_registry_destroy(&r);
    assert_null(r);
}

static void test_registry_rejects_bad_frames_by_reason(void **state)
{
    hm_registry_t *r = hm_registry_new(NULL, T0);
    frame_begin(&f, 1, 0);
    frame_endpoint(&f, 0, "x");
    frame_sample(&f, 0, 200, MS);
    size_t len = frame_end(&f);
    assert_int_equal(hm_ingest_frame(r, f.buf, 10, T0), HM_WIRE_ERR_SHORT);
    assert_int_equal(hm_ingest_frame(r, f.buf, len - 1, T0), HM_WIRE_ERR_TRUNCATED);
    f.buf[2] = 9;
    assert_int_equal(hm_ingest_frame(r, f.buf, len, T0), HM_WIRE_ERR_VERSION);
    hm_snap_counters_t *c = hm_registry_counters(r);
    assert_int_equal(c->rejected, 3);
    assert_int_equal(c->rejected_by[HM_WIRE_ERR_SHORT], 1);
    assert_int_equal(c->rejected_by[HM_WIRE_ERR_TRUNCATED], 1);
    assert_int_equal(c->rejected_by[HM_WIRE_ERR_VERSION], 1);
    /* nothing of a rejected frame is applied */
    assert_int_equal(c->samples, 0);
    assert_int_equal(c->endpoints, 0);
    hm_registry_destroy(&r);
}

static void test_registry_counts_unknown_ids_and_records(void **state)
{
    hm_registry_t *r = hm_registry_new(NULL, T0);
    frame_begin(&f, 1, 0);
    frame_sample(&f, 7, 200, MS); /* endpoint 7 never declared */
    size_t len = frame_end(&f);
    /* append an unknown record type 99 with a 2-byte body */
    f.buf[len] = 99;
    f.buf[len + 1] = 2;
    f.buf[len + 2] = 0;
    f.buf[len + 3] = f.buf[len + 4] = 0;
    f.buf[4] = 2;
    assert_int_equal(hm_ingest_frame(r, f.buf, len + 5, T0), HM_WIRE_OK);
    hm_snap_counters_t *c = hm_registry_counters(r);
    assert_int_equal(c->unknown_ids, 1);
    assert_int_equal(c->unknown_records, 1);
    assert_int_equal(c->samples, 0);
    hm_registry_destroy(&r);
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
    hm_snapshot_t *s = snap(r, T0 + 1);
    assert_int_equal(s->nendpoints, 11);
    assert_int_equal(s->counters.names_folded, 40);
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
    hm_ingest_frame(r, f.buf, frame_end(&f), T0);
    hm_snapshot_t *s = snap(r, T0);
    assert_int_equal(s->nendpoints, 1);
    assert_int_equal(strlen(s->endpoints[0].name), HM_SNAP_NAME_MAX);
    assert_int_equal(s->counters.names_cut, 1);
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
    hm_registry_destroy(&r);
}

static void test_registry_counts_lost_frames_and_sums_drops(void **state)
{
    hm_registry_t *r = hm_registry_new(NULL, T0);
    uint64_t seqs[] = {0, 1, 5, 6, 10};
    uint64_t drops[] = {0, 3, 3, 10, 2}; /* the last: the sender started over */
    for (int i = 0; i < 5; i++) {
        frame_begin(&f, 9, seqs[i]);
        hm_wire_put_drops(&f.w, drops[i]);
        hm_ingest_frame(r, f.buf, frame_end(&f), T0);
    }
    hm_snap_counters_t *c = hm_registry_counters(r);
    assert_int_equal(c->lost, 3 + 3);
    assert_int_equal(c->client_drops, 10 + 2);
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

static void test_registry_keeps_phases_and_slowest_request_ids(void **state)
{
    hm_registry_t *r = hm_registry_new(NULL, T0);
    frame_begin(&f, 1, 0);
    frame_endpoint(&f, 0, "q");
    hm_wire_put_decl(&f.w, HM_REC_PHASE, 0, hm_wire_str("wait", NULL));
    hm_wire_put_decl(&f.w, HM_REC_PHASE, 1, hm_wire_str("exec", NULL));
    for (int i = 0; i < 20; i++) {
        char rid[16];
        snprintf(rid, sizeof rid, "r%d", i);
        hm_wire_sample_t x = {.endpoint = 0, .status = 200, .duration_ns = (uint64_t)(i + 1) * MS,
                              .nphases = 2, .request_id = hm_wire_str(rid, NULL)};
        x.phases[0] = (hm_wire_phase_t){0, (uint64_t)(i + 1) * MS / 4};
        x.phases[1] = (hm_wire_phase_t){1, (uint64_t)(i + 1) * MS * 3 / 4};
        hm_wire_put_sample(&f.w, &x);
    }
    hm_ingest_frame(r, f.buf, frame_end(&f), T0);
    hm_snapshot_t *s = snap(r, T0 + 1);
    const hm_snap_endpoint_t *e = hm_snapshot_find(s, "q");
    assert_int_equal(e->nphases, 2);
    assert_string_equal(e->phases[0].name, "wait");
    assert_int_equal(e->phases[0].win[HM_WIN_ALL].count, 20);
    uint64_t w = e->phases[0].win[HM_WIN_ALL].sum_ns, x = e->phases[1].win[HM_WIN_ALL].sum_ns;
    assert_true(x > 2 * w && x < 4 * w);
    assert_int_equal(e->nslow, HM_SNAP_SLOWEST);
    assert_string_equal(e->slow[0].request_id, "r19");
    assert_string_equal(e->slow[9].request_id, "r10");
    hm_snapshot_release(&s);
    /* a minute later the slowest list is empty */
    s = snap(r, T0 + 61 * S);
    assert_int_equal(hm_snapshot_find(s, "q")->nslow, 0);
    hm_snapshot_release(&s);
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
        cmocka_unit_test(test_registry_ingests_exact_counts_and_percentiles),
        cmocka_unit_test(test_registry_rejects_bad_frames_by_reason),
        cmocka_unit_test(test_registry_counts_unknown_ids_and_records),
        cmocka_unit_test(test_registry_folds_names_beyond_the_cap),
        cmocka_unit_test(test_registry_cuts_long_names_and_counts),
        cmocka_unit_test(test_registry_refuses_senders_beyond_the_cap),
        cmocka_unit_test(test_registry_counts_lost_frames_and_sums_drops),
        cmocka_unit_test(test_registry_sums_gauges_over_live_senders),
        cmocka_unit_test(test_registry_keeps_phases_and_slowest_request_ids),
        cmocka_unit_test(test_registry_reset_forgets_stats_but_not_counters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
