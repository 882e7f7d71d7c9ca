/* tests/test_ingest.c - frames into the registry (ingest.c): samples land with
 * exact counts, each malformed-frame class is counted under its reason with
 * nothing applied, unknown ids and record types are counted, phases are kept
 * per phase, open-loop delay counts, out-of-range durations are clamped. */
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

/* |got - want| <= 1% of want */
static void assert_within_1pct(uint64_t got, uint64_t want)
{
    assert_true(got >= want - want / 100 && got <= want + want / 100);
}

static hm_snapshot_t *snap(hm_registry_t *r, uint64_t now)
{
    hm_snapshot_t *s = hm_registry_snapshot(r, now, NULL, 0);
    assert_non_null(s);
    return s;
}

static void test_ingest_lands_exact_counts_and_percentiles(void **state)
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
    for (int w = 0; w < HM_WIN__COUNT; w++) {
        const hm_snap_stats_t *st = &e->win[w];
        assert_int_equal(st->count, 1000);
        assert_int_equal(st->errors, 10);
        assert_within_1pct(st->p50_ns, 500 * MS);
        assert_within_1pct(st->p90_ns, 900 * MS);
        assert_within_1pct(st->p99_ns, 990 * MS);
        assert_int_equal(st->max_ns, 1000 * MS);
        assert_int_equal(st->min_ns, 1 * MS);
    }
    assert_int_equal(s->counters.samples, 1000);
    assert_int_equal(s->counters.frames, 1);
    assert_int_equal(e->statuses[0].status, 200);
    assert_int_equal(e->statuses[0].count, 990);
    assert_int_equal(e->statuses[1].status, 500);
    assert_int_equal(e->statuses[1].count, 10);
    assert_int_equal(e->nslow, HM_SNAP_SLOWEST);
    assert_int_equal(e->slow[0].duration_ns, 1000 * MS);
    hm_snapshot_release(&s);
    hm_registry_destroy(&r);
    assert_null(r);
}

/* A valid frame: one declaration, one sample. */
static size_t good_frame(uint8_t *buf)
{
    frame_begin(&f, 1, 0);
    frame_endpoint(&f, 0, "x");
    frame_sample(&f, 0, 200, MS);
    size_t len = frame_end(&f);
    memcpy(buf, f.buf, len);
    return len;
}

/* A frame whose one ENDPOINT record has a 1-byte body (an id needs 2). */
static size_t malformed_record_frame(uint8_t *buf)
{
    hm_wire_writer_t w;
    hm_wire_begin(&w, buf, HM_WIRE_HEADER_SIZE, 1, 0);
    size_t len = hm_wire_end(&w);
    buf[4] = 1; /* record count */
    const uint8_t rec[] = {HM_REC_ENDPOINT, 1, 0, 0};
    memcpy(buf + len, rec, sizeof rec);
    return len + sizeof rec;
}

static void test_ingest_rejects_each_malformed_class_and_applies_nothing(void **state)
{
    hm_registry_t *r = hm_registry_new(NULL, T0);
    uint8_t *buf = calloc(1, HM_WIRE_FRAME_MAX + 1);
    assert_non_null(buf);
    size_t len;
    /* every reason once, in hm_wire_err_t order */
    len = good_frame(buf);
    assert_int_equal(hm_ingest_frame(r, buf, HM_WIRE_HEADER_SIZE - 1, T0), HM_WIRE_ERR_SHORT);
    buf[0] = 'X';
    assert_int_equal(hm_ingest_frame(r, buf, len, T0), HM_WIRE_ERR_MAGIC);
    len = good_frame(buf);
    buf[2] = HM_WIRE_VERSION + 1;
    assert_int_equal(hm_ingest_frame(r, buf, len, T0), HM_WIRE_ERR_VERSION);
    len = good_frame(buf);
    buf[3] = 1;
    assert_int_equal(hm_ingest_frame(r, buf, len, T0), HM_WIRE_ERR_FLAGS);
    len = good_frame(buf);
    assert_int_equal(hm_ingest_frame(r, buf, HM_WIRE_FRAME_MAX + 1, T0), HM_WIRE_ERR_TOO_BIG);
    assert_int_equal(hm_ingest_frame(r, buf, len - 1, T0), HM_WIRE_ERR_TRUNCATED);
    buf[4]++; /* one record more than there are */
    assert_int_equal(hm_ingest_frame(r, buf, len, T0), HM_WIRE_ERR_COUNT);
    len = malformed_record_frame(buf);
    assert_int_equal(hm_ingest_frame(r, buf, len, T0), HM_WIRE_ERR_RECORD);

    hm_snap_counters_t *c = hm_registry_counters(r);
    assert_int_equal(c->rejected, HM_WIRE_ERR__COUNT - 1);
    for (int why = HM_WIRE_ERR_SHORT; why < HM_WIRE_ERR__COUNT; why++)
        assert_int_equal(c->rejected_by[why], 1);
    assert_int_equal(c->rejected_by[HM_WIRE_OK], 0);
    /* nothing of a rejected frame is applied: no frame, sender, name or sample */
    assert_int_equal(c->frames, 0);
    assert_int_equal(c->samples, 0);
    assert_int_equal(c->endpoints, 0);
    assert_int_equal(c->senders_live, 0);
    assert_int_equal(c->lost, 0);
    /* and the frame they were made from is good */
    len = good_frame(buf);
    assert_int_equal(hm_ingest_frame(r, buf, len, T0), HM_WIRE_OK);
    assert_int_equal(c->samples, 1);
    assert_int_equal(c->endpoints, 1);
    free(buf);
    hm_registry_destroy(&r);
}

static void test_ingest_counts_unknown_ids_and_records(void **state)
{
    hm_registry_t *r = hm_registry_new(NULL, T0);
    frame_begin(&f, 1, 0);
    frame_sample(&f, 7, 200, MS);                           /* endpoint 7 never declared */
    hm_wire_put_gauge(&f.w, 7, HM_WIRE_METRIC_INFLIGHT, 3); /* nor here */
    frame_endpoint(&f, 0, "known");
    hm_wire_sample_t x = {.endpoint = 0, .status = 200, .duration_ns = MS, .nphases = 1};
    x.phases[0] = (hm_wire_phase_t){5, MS}; /* phase 5 never declared */
    hm_wire_put_sample(&f.w, &x);
    size_t len = frame_end(&f);
    /* an unknown record type 99 with a 2-byte body, skipped */
    const uint8_t rec[] = {99, 2, 0, 0xAB, 0xCD};
    memcpy(f.buf + len, rec, sizeof rec);
    f.buf[4]++;
    assert_int_equal(hm_ingest_frame(r, f.buf, len + sizeof rec, T0), HM_WIRE_OK);
    hm_snap_counters_t *c = hm_registry_counters(r);
    assert_int_equal(c->unknown_ids, 3);
    assert_int_equal(c->unknown_records, 1);
    assert_int_equal(c->samples, 1); /* the known endpoint's sample still counts */
    assert_int_equal(c->frames, 1);
    hm_registry_destroy(&r);
}

static void test_ingest_records_each_phase_apart(void **state)
{
    hm_registry_t *r = hm_registry_new(NULL, T0);
    frame_begin(&f, 1, 0);
    frame_endpoint(&f, 3, "q");
    hm_wire_put_decl(&f.w, HM_REC_PHASE, 0, hm_wire_str("wait", NULL));
    hm_wire_put_decl(&f.w, HM_REC_PHASE, 1, hm_wire_str("exec", NULL));
    for (int i = 0; i < 100; i++) {
        hm_wire_sample_t x = {.endpoint = 3, .status = 200, .duration_ns = 10 * MS, .nphases = 2};
        x.phases[0] = (hm_wire_phase_t){0, 1 * MS};
        x.phases[1] = (hm_wire_phase_t){1, 9 * MS};
        hm_wire_put_sample(&f.w, &x);
    }
    hm_ingest_frame(r, f.buf, frame_end(&f), T0);
    hm_snapshot_t *s = snap(r, T0 + 1);
    const hm_snap_endpoint_t *e = hm_snapshot_find(s, "q");
    assert_non_null(e);
    assert_int_equal(e->win[HM_WIN_ALL].count, 100);
    assert_within_1pct(e->win[HM_WIN_ALL].p50_ns, 10 * MS);
    assert_int_equal(e->nphases, 2);
    assert_string_equal(e->phases[0].name, "wait");
    assert_string_equal(e->phases[1].name, "exec");
    for (int w = 0; w < HM_WIN__COUNT; w++) {
        assert_int_equal(e->phases[0].win[w].count, 100);
        assert_int_equal(e->phases[1].win[w].count, 100);
        assert_int_equal(e->phases[0].win[w].sum_ns, 100 * MS);
        assert_int_equal(e->phases[1].win[w].sum_ns, 900 * MS);
        assert_within_1pct(e->phases[0].win[w].p99_ns, 1 * MS);
        assert_within_1pct(e->phases[1].win[w].p50_ns, 9 * MS);
    }
    hm_snapshot_release(&s);
    hm_registry_destroy(&r);
}

static void test_ingest_adds_open_loop_delay_to_the_latency(void **state)
{
    hm_registry_t *r = hm_registry_new(NULL, T0);
    frame_begin(&f, 1, 0);
    frame_endpoint(&f, 0, "open");
    for (int i = 0; i < 10; i++) {
        hm_wire_sample_t x = {.endpoint = 0, .status = 200, .duration_ns = 2 * MS,
                              .has_delay = true, .delay_ns = 8 * MS};
        hm_wire_put_sample(&f.w, &x);
    }
    hm_ingest_frame(r, f.buf, frame_end(&f), T0);
    hm_snapshot_t *s = snap(r, T0 + 1);
    const hm_snap_endpoint_t *e = hm_snapshot_find(s, "open");
    assert_int_equal(e->win[HM_WIN_ALL].count, 10);
    assert_within_1pct(e->win[HM_WIN_ALL].p50_ns, 10 * MS);
    assert_int_equal(e->win[HM_WIN_ALL].min_ns, 10 * MS);
    hm_snapshot_release(&s);
    hm_registry_destroy(&r);
}

static void test_ingest_clamps_and_counts_out_of_range_durations(void **state)
{
    hm_registry_t *r = hm_registry_new(NULL, T0);
    frame_begin(&f, 1, 0);
    frame_endpoint(&f, 0, "odd");
    frame_sample(&f, 0, 200, 10);               /* 10 ns */
    frame_sample(&f, 0, 200, 2 * 3600 * S);     /* 2 h */
    frame_sample(&f, 0, 200, 5 * MS);           /* in range */
    hm_wire_sample_t x = {.endpoint = 0, .status = 200, .duration_ns = UINT64_MAX - 1,
                          .has_delay = true, .delay_ns = 10}; /* the sum overflows */
    hm_wire_put_sample(&f.w, &x);
    hm_ingest_frame(r, f.buf, frame_end(&f), T0);
    hm_snapshot_t *s = snap(r, T0 + 1);
    const hm_snap_endpoint_t *e = hm_snapshot_find(s, "odd");
    assert_int_equal(s->counters.values_clamped, 3);
    assert_int_equal(s->counters.samples, 4);
    assert_int_equal(e->win[HM_WIN_ALL].count, 4);
    assert_int_equal(e->win[HM_WIN_ALL].min_ns, HM_HIST_MIN_NS);
    assert_int_equal(e->win[HM_WIN_ALL].max_ns, HM_HIST_MAX_NS);
    hm_snapshot_release(&s);
    hm_registry_destroy(&r);
}

static uint64_t rng_next(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* An id that is often small (so it hits declarations) and sometimes anything. */
static uint16_t rand_id(uint64_t *x)
{
    uint64_t r = rng_next(x);
    return (uint16_t)(r % 4 == 0 ? r >> 16 : r % 6);
}

static hm_wire_str_t rand_name(uint64_t *x, uint8_t *buf)
{
    uint8_t len = (uint8_t)(rng_next(x) % 4 == 0 ? rng_next(x) : rng_next(x) % 4);
    for (int i = 0; i < len; i++)
        buf[i] = (uint8_t)(rng_next(x) % 8 == 0 ? rng_next(x) : 'a' + rng_next(x) % 3);
    return (hm_wire_str_t){buf, len};
}

/* One random but well-formed record; false when the frame is full. */
static bool rand_record(uint64_t *x, hm_wire_writer_t *w, uint8_t *name)
{
    switch (rng_next(x) % 8) {
    case 0:
        return hm_wire_put_decl(w, HM_REC_ENDPOINT, rand_id(x), rand_name(x, name));
    case 1:
        return hm_wire_put_decl(w, HM_REC_PHASE, rand_id(x), rand_name(x, name));
    case 2:
        return hm_wire_put_metric(w, rand_id(x), 1 + rng_next(x) % 2, rand_name(x, name));
    case 3:
        return hm_wire_put_gauge(w, rand_id(x), rng_next(x) % 3 ? rand_id(x) : HM_WIRE_METRIC_INFLIGHT,
                                 (int64_t)rng_next(x) >> (rng_next(x) % 64));
    case 4:
        return hm_wire_put_counter(w, rand_id(x), rand_id(x), rng_next(x) >> (rng_next(x) % 64));
    case 5:
        return hm_wire_put_drops(w, rng_next(x) % 1000);
    default: {
        hm_wire_sample_t sm = {.endpoint = rand_id(x), .status = (uint16_t)rng_next(x),
                               .duration_ns = rng_next(x) >> (rng_next(x) % 64),
                               .has_delay = rng_next(x) % 4 == 0, .delay_ns = rng_next(x) >> 20,
                               .nphases = (uint8_t)(rng_next(x) % 3)};
        for (int i = 0; i < sm.nphases; i++)
            sm.phases[i] = (hm_wire_phase_t){rand_id(x), rng_next(x) >> 30};
        if (rng_next(x) % 2)
            sm.request_id = rand_name(x, name + 256);
        return hm_wire_put_sample(w, &sm);
    }
    }
}

static void test_ingest_survives_random_frames_and_keeps_its_sums(void **state)
{
    hm_registry_limits_t lim = {.max_endpoints = 20, .max_senders = 4, .sender_expiry_ms = 50};
    hm_registry_t *r = hm_registry_new(&lim, T0);
    hm_snap_counters_t *c = hm_registry_counters(r);
    uint64_t x = 0x9E3779B97F4A7C15ull, now = T0;
    uint8_t name[512];
    uint64_t ok = 0, bad = 0;
    for (int n = 0; n < 20000; n++) {
        frame_begin(&f, rng_next(&x) % 6, rng_next(&x) % 8);
        int records = (int)(rng_next(&x) % 40);
        for (int i = 0; i < records && rand_record(&x, &f.w, name); i++)
            ;
        size_t len = frame_end(&f);
        /* one frame in four gets a byte or two changed */
        for (int k = 0; rng_next(&x) % 4 == 0 && k < 2; k++)
            f.buf[rng_next(&x) % len] = (uint8_t)rng_next(&x);
        if (hm_ingest_frame(r, f.buf, len, now) == HM_WIRE_OK)
            ok++;
        else
            bad++;
        now += (rng_next(&x) % 1000) * 100000; /* up to 100 ms */
        if (n % 1000 == 999) {
            hm_snapshot_t *s = snap(r, now);
            assert_true(s->nendpoints <= lim.max_endpoints + 1);
            uint64_t sum = 0;
            for (size_t i = 0; i < s->nendpoints; i++)
                sum += s->endpoints[i].win[HM_WIN_ALL].count;
            assert_int_equal(sum, s->counters.samples);
            assert_true(s->counters.senders_live <= lim.max_senders);
            hm_snapshot_release(&s);
        }
    }
    assert_int_equal(c->rejected, bad);
    assert_int_equal(c->frames + c->senders_refused, ok);
    /* the mix really exercised each path */
    assert_true(c->frames > 5000 && bad > 500 && c->senders_refused > 0 && c->samples > 10000);
    assert_true(c->unknown_ids > 0 && c->names_folded > 0 && c->senders_expired > 0);
    hm_registry_destroy(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ingest_lands_exact_counts_and_percentiles),
        cmocka_unit_test(test_ingest_rejects_each_malformed_class_and_applies_nothing),
        cmocka_unit_test(test_ingest_counts_unknown_ids_and_records),
        cmocka_unit_test(test_ingest_records_each_phase_apart),
        cmocka_unit_test(test_ingest_adds_open_loop_delay_to_the_latency),
        cmocka_unit_test(test_ingest_clamps_and_counts_out_of_range_durations),
        cmocka_unit_test(test_ingest_survives_random_frames_and_keeps_its_sums),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
