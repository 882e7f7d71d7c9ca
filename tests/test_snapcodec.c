/* tests/test_snapcodec.c - snapshot messages: round trips, hostile bytes,
 * partial histories merged, and the size of a message at 1,000 endpoints. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "frames.h"
#include "ingest.h"
#include "snapcodec.h"

#define SEC 1000000000ull

/* A snapshot with every field set to something distinct. */
static hm_snapshot_t *rich(size_t n)
{
    hm_snapshot_t *s = hm_snapshot_new(n);
    s->seq = 42;
    s->taken_ns = 1234 * SEC + 5;
    s->taken_unix_ms = 1700000000123;
    s->uptime_ns = 99 * SEC;
    s->since_reset_ns = 98 * SEC;
    s->ingest_rate = 12345.5;
    s->counters.samples = 1000000;
    s->counters.rejected_by[HM_WIRE_ERR_RECORD] = 3;
    s->counters.auth_failures = 7;
    s->counters.unknown_records = UINT64_MAX;
    for (size_t i = 0; i < n; i++) {
        hm_snap_endpoint_t *e = &s->endpoints[i];
        snprintf(e->name, sizeof e->name, "GET /e%03zu \x1b[2J", i);
        e->other = i == n - 1;
        for (int w = 0; w < HM_WIN__COUNT; w++) {
            hm_snap_stats_t *st = &e->win[w];
            st->count = 1000 * (i + 1) + (uint64_t)w;
            st->errors = i;
            st->rate = 10.25 * (double)(w + 1);
            st->error_rate = 0.125;
            st->span_ns = 10 * SEC;
            st->min_ns = 1000;
            st->mean_ns = 5000000;
            st->max_ns = UINT64_MAX;
            st->sum_ns = 123456789012345ull;
            st->p50_ns = 1, st->p90_ns = 2, st->p95_ns = 3, st->p99_ns = 4, st->p999_ns = 5;
            for (int o = 0; o <= HM_HIST_OCTAVES; o++)
                st->octaves[o] = (uint64_t)o * i;
        }
        e->inflight = (hm_snap_gauge_t){-3, INT64_MIN, INT64_MAX};
        e->queue = (hm_snap_gauge_t){7, 0, 9};
        e->nphases = 2;
        strcpy(e->phases[0].name, "db");
        strcpy(e->phases[1].name, "wait");
        e->phases[1].win[HM_WIN_5M].p99_ns = 77;
        e->nstatuses = 1;
        e->statuses[0] = (hm_snap_status_t){503, 11};
        e->nslow = 1;
        e->slow[0] = (hm_snap_slow_t){.duration_ns = 9 * SEC, .age_ns = 3, .status = 500};
        strcpy(e->slow[0].request_id, "r-7");
        e->nmetrics = 1;
        strcpy(e->metrics[0].name, "bytes");
        e->metrics[0].counter = true;
        e->metrics[0].value = (hm_snap_gauge_t){1, 2, 3};
        for (int h = 0; h < HM_WINDOW_HISTORY; h++)
            e->history[h] = (hm_second_t){(uint32_t)h, 1, 2, 3, UINT32_MAX};
        e->slo_state = HM_SLO_STATE_BREACH;
        e->nslo = 2;
        e->slo[0] = (hm_snap_slo_t){0, HM_SLO_STATE_OK, 0.5, 3, NAN, NAN, NAN};
        e->slo[1] = (hm_snap_slo_t){1, HM_SLO_STATE_BREACH, 0.97, 1, -2.5, 3.25, 0.75};
        e->drift = (hm_snap_drift_t){14, -1.5e6, 4e7, 40000000, 38000000, true};
    }
    s->slo_checks = 12;
    s->drifting = 1;
    s->nrules = 2;
    s->rules = calloc(2, sizeof *s->rules);
    strcpy(s->rules[0].rule.pattern, "GET /e*");
    s->rules[0].rule = (hm_slo_rule_t){.stat = HM_SLO_P95, .op = HM_SLO_LT, .bound = 6e7,
                                       .window = HM_WIN_1M, .line = 3};
    strcpy(s->rules[0].rule.pattern, "GET /e*");
    strcpy(s->rules[0].rule.text, "\"GET /e*\" p95 < 60ms 1m");
    s->rules[1].rule = (hm_slo_rule_t){.stat = HM_SLO_P99, .op = HM_SLO_LE, .bound = 2.5e8,
                                       .window = HM_WIN_5M, .objective = 0.999, .line = 4};
    strcpy(s->rules[1].rule.text, "* p99 <= 250ms 5m 99.9%");
    s->rules[1].breaches = 5;
    s->rules[1].recoveries = 4;
    s->rules[1].breaching = 1;
    s->nevents = 2;
    s->events = calloc(2, sizeof *s->events);
    s->events[0] = (hm_slo_event_t){.at_unix_ms = 1700000000000, .rule = 1, .actual = 0.97};
    strcpy(s->events[0].endpoint, "GET /e000 \x1b[2J");
    s->events[1] = (hm_slo_event_t){.at_unix_ms = 1699999990000, .rule = 1, .recovery = true,
                                    .actual = 0.9995};
    return s;
}

static void encode(const hm_snapshot_t *s, size_t history, uint8_t **buf, size_t *len)
{
    assert_int_equal(hm_snapcodec_encode(s, history, buf, len), 0);
}

static void test_snapcodec_round_trip_keeps_every_field(void **state)
{
    hm_snapshot_t *s = rich(3);
    uint8_t *buf;
    size_t len;
    encode(s, HM_WINDOW_HISTORY, &buf, &len);
    hm_snapshot_t *d = NULL;
    hm_snapcodec_info_t info;
    const char *why = NULL;
    assert_int_equal(hm_snapcodec_decode(buf, len, &d, &info, &why), 0);
    assert_int_equal(info.version, HM_SNAPCODEC_VERSION);
    assert_int_equal(info.history, HM_WINDOW_HISTORY);
    assert_int_equal(info.history_end, 1234);
    assert_int_equal(d->refs, 1);
    assert_int_equal(d->seq, s->seq);
    assert_int_equal(d->taken_ns, s->taken_ns);
    assert_int_equal(d->taken_unix_ms, s->taken_unix_ms);
    assert_int_equal(d->uptime_ns, s->uptime_ns);
    assert_int_equal(d->since_reset_ns, s->since_reset_ns);
    assert_true(d->ingest_rate == s->ingest_rate);
    assert_memory_equal(&d->counters, &s->counters, sizeof s->counters);
    assert_int_equal(d->nendpoints, 3);
    /* Every endpoint byte for byte: the structs were zeroed at allocation on
     * both sides, so padding and unused name bytes agree too. */
    assert_memory_equal(d->endpoints, s->endpoints, 3 * sizeof s->endpoints[0]);
    /* version 2: the SLO rules, counts and events */
    assert_int_equal(d->slo_checks, 12);
    assert_int_equal(d->drifting, 1);
    assert_int_equal(d->nrules, 2);
    assert_memory_equal(d->rules, s->rules, 2 * sizeof s->rules[0]);
    assert_int_equal(d->nevents, 2);
    assert_memory_equal(d->events, s->events, 2 * sizeof s->events[0]);
    hm_snapshot_release(&d);
    hm_snapshot_release(&s);
    free(buf);
}

/* A result or an event naming a rule the message does not hold would send
 * the screen past the end of its rules: refused. */
static void test_snapcodec_rejects_slo_indices_beyond_the_rules(void **state)
{
    for (int which = 0; which < 2; which++) {
        hm_snapshot_t *s = rich(1);
        if (which == 0)
            s->endpoints[0].slo[1].rule = 2;
        else
            s->events[1].rule = 7;
        uint8_t *buf;
        size_t len;
        encode(s, 1, &buf, &len);
        hm_snapshot_t *d = NULL;
        hm_snapcodec_info_t info;
        const char *why = NULL;
        assert_int_equal(hm_snapcodec_decode(buf, len, &d, &info, &why), EPROTO);
        assert_null(d);
        assert_non_null(strstr(why, "for no rule"));
        hm_snapshot_release(&s);
        free(buf);
    }
}

static void test_snapcodec_empty_snapshot(void **state)
{
    hm_snapshot_t *s = hm_snapshot_new(0);
    uint8_t *buf;
    size_t len;
    encode(s, 0, &buf, &len);
    hm_snapshot_t *d = NULL;
    hm_snapcodec_info_t info;
    assert_int_equal(hm_snapcodec_decode(buf, len, &d, &info, NULL), 0);
    assert_int_equal(d->nendpoints, 0);
    hm_snapshot_release(&d);
    hm_snapshot_release(&s);
    free(buf);
}

static void test_snapcodec_rejects_every_truncation(void **state)
{
    hm_snapshot_t *s = rich(2);
    uint8_t *buf;
    size_t len;
    encode(s, 10, &buf, &len);
    for (size_t cut = 0; cut < len; cut++) {
        /* a copy of exactly cut bytes, so ASan sees any read beyond it */
        uint8_t *part = malloc(cut ? cut : 1);
        memcpy(part, buf, cut);
        hm_snapshot_t *d = NULL;
        hm_snapcodec_info_t info;
        const char *why = NULL;
        assert_int_equal(hm_snapcodec_decode(part, cut, &d, &info, &why), EPROTO);
        assert_null(d);
        assert_non_null(why);
        free(part);
    }
    hm_snapshot_release(&s);
    free(buf);
}

static void test_snapcodec_rejects_garbage_with_a_reason(void **state)
{
    const char *why = NULL;
    hm_snapshot_t *d = NULL;
    hm_snapcodec_info_t info;
    const uint8_t junk[] = "GET / HTTP/1.1\r\n\r\n";
    assert_int_equal(hm_snapcodec_decode(junk, sizeof junk, &d, &info, &why), EPROTO);
    assert_string_equal(why, "not a snapshot message (no \"HMS\" magic)");
    /* a header claiming 60,000 endpoints in a few bytes: refused before any
     * allocation for them */
    const uint8_t many[] = {'H', 'M', 'S', 1, 18, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                            0, 0, 0xe0, 0xd4, 0x03, 0, 0, 0};
    assert_int_equal(hm_snapcodec_decode(many, sizeof many, &d, &info, &why), EPROTO);
    assert_string_equal(why, "more endpoints than the message has bytes for");
    /* a varint that never ends */
    uint8_t endless[64];
    memset(endless, 0xff, sizeof endless);
    memcpy(endless, "HMS", 3);
    assert_int_equal(hm_snapcodec_decode(endless, sizeof endless, &d, &info, &why), EPROTO);
    assert_string_equal(why, "a number beyond 64 bits");
    /* version 0 */
    const uint8_t v0[] = {'H', 'M', 'S', 0};
    assert_int_equal(hm_snapcodec_decode(v0, sizeof v0, &d, &info, &why), EPROTO);
    assert_string_equal(why, "version 0");
    assert_null(d);
}

static void test_snapcodec_rejects_oversized_parts(void **state)
{
    hm_snapshot_t *s = rich(1);
    s->endpoints[0].nphases = HM_SNAP_PHASES;
    uint8_t *buf;
    size_t len;
    encode(s, 0, &buf, &len);
    hm_snapshot_release(&s);
    /* the phase count sits after the name, the flag, four windows and two
     * gauges; find it by encoding one more phase than allowed instead */
    hm_snapshot_t *t = rich(1);
    t->endpoints[0].nphases = HM_SNAP_PHASES + 1;
    uint8_t *bad;
    size_t bad_len;
    encode(t, 0, &bad, &bad_len);
    hm_snapshot_t *d = NULL;
    hm_snapcodec_info_t info;
    const char *why = NULL;
    assert_int_equal(hm_snapcodec_decode(bad, bad_len, &d, &info, &why), EPROTO);
    assert_string_equal(why, "too many phases");
    assert_int_equal(hm_snapcodec_decode(buf, len, &d, &info, &why), 0);
    hm_snapshot_release(&d);
    /* over the size limit, whatever it holds */
    assert_int_equal(hm_snapcodec_decode(buf, HM_SNAPCODEC_MAX + 1ull, &d, &info, &why), EPROTO);
    assert_string_equal(why, "larger than 64 MiB");
    hm_snapshot_release(&t);
    free(bad);
    free(buf);
}

/* Reads a varint of a test message. */
static size_t varint(const uint8_t *p, uint64_t *v)
{
    size_t n = 0;
    *v = 0;
    do
        *v |= (uint64_t)(p[n] & 0x7f) << (7 * n);
    while (p[n++] & 0x80);
    return n;
}

static size_t put_varint(uint8_t *p, uint64_t v)
{
    size_t n = 0;
    do {
        p[n] = (uint8_t)(v & 0x7f) | (v >= 0x80 ? 0x80 : 0);
        v >>= 7;
        n++;
    } while (v);
    return n;
}

/* A newer encoder appends fields to every part: this decoder must skip them
 * and read the rest as before. */
static void test_snapcodec_skips_fields_a_newer_version_appends(void **state)
{
    hm_snapshot_t *s = rich(2);
    uint8_t *buf;
    size_t len;
    encode(s, 3, &buf, &len);
    uint8_t *out = malloc(len * 2 + 64);
    memcpy(out, "HMS", 3);
    size_t o = 3, i = 4; /* version 1 is one byte */
    out[o++] = HM_SNAPCODEC_VERSION + 1;
    while (i < len) {
        uint64_t n;
        i += varint(buf + i, &n);
        o += put_varint(out + o, n + 3);
        memcpy(out + o, buf + i, n);
        memcpy(out + o + n, "\x05\x81\x01", 3); /* two fields this decoder never heard of */
        o += n + 3;
        i += n;
    }
    hm_snapshot_t *d = NULL;
    hm_snapcodec_info_t info;
    const char *why = NULL;
    assert_int_equal(hm_snapcodec_decode(out, o, &d, &info, &why), 0);
    assert_int_equal(info.version, HM_SNAPCODEC_VERSION + 1);
    assert_memory_equal(&d->counters, &s->counters, sizeof s->counters);
    assert_string_equal(d->endpoints[1].name, s->endpoints[1].name);
    assert_int_equal(d->endpoints[1].win[HM_WIN_ALL].count, s->endpoints[1].win[HM_WIN_ALL].count);
    assert_int_equal(d->endpoints[1].history[HM_WINDOW_HISTORY - 1].p99_us, UINT32_MAX);
    hm_snapshot_release(&d);
    hm_snapshot_release(&s);
    free(buf);
    free(out);
}

/* A partial message's last seconds, merged with the history held from the
 * previous one, shifted by the seconds between them. */
static void test_snapcodec_merges_partial_history(void **state)
{
    hm_snapshot_t *prev = rich(2), *cur = rich(2);
    for (int h = 0; h < HM_WINDOW_HISTORY; h++) {
        prev->endpoints[0].history[h].count = 1000 + (uint32_t)h; /* second 700 + h */
        prev->endpoints[1].history[h].count = 2000 + (uint32_t)h;
    }
    strcpy(cur->endpoints[1].name, "new one");
    cur->taken_ns = 1002 * SEC; /* two seconds later than prev's 1000 */
    prev->taken_ns = 1000 * SEC;
    uint8_t *buf;
    size_t len;
    encode(cur, 5, &buf, &len);
    hm_snapshot_t *d = NULL;
    hm_snapcodec_info_t info;
    assert_int_equal(hm_snapcodec_decode(buf, len, &d, &info, NULL), 0);
    assert_int_equal(info.history, 5);
    /* before the merge: only the last 5 seconds, the older ones zero */
    assert_int_equal(d->endpoints[0].history[0].count, 0);
    assert_int_equal(d->endpoints[0].history[295].count, 295);
    hm_snapcodec_merge_history(d, &info, prev, 1000);
    /* second k of the new history is second k + 2 of the old one */
    assert_int_equal(d->endpoints[0].history[0].count, 1002);
    assert_int_equal(d->endpoints[0].history[294].count, 1296);
    assert_int_equal(d->endpoints[0].history[295].count, 295);
    assert_int_equal(d->endpoints[0].history[299].count, 299);
    /* an endpoint the previous snapshot did not have keeps zeros */
    assert_int_equal(d->endpoints[1].history[0].count, 0);
    assert_int_equal(d->endpoints[1].history[299].count, 299);
    hm_snapshot_release(&d);

    /* missed messages: seconds no message carried stay zero */
    assert_int_equal(hm_snapcodec_decode(buf, len, &d, &info, NULL), 0);
    hm_snapcodec_merge_history(d, &info, prev, 1002 - 9);
    assert_int_equal(d->endpoints[0].history[290].count, 1299);
    assert_int_equal(d->endpoints[0].history[291].count, 0);
    assert_int_equal(d->endpoints[0].history[294].count, 0);
    hm_snapshot_release(&d);
    hm_snapshot_release(&prev);
    hm_snapshot_release(&cur);
    free(buf);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The figure docs/collector.md quotes: 1,000 endpoints, each busy for the
 * whole 300 s history, every window live. */
static void test_snapcodec_message_size_at_1000_endpoints(void **state)
{
    hm_registry_t *r = hm_registry_new(NULL, SEC);
    static frame_t f;
    uint64_t seq = 0;
    for (uint64_t t = 0; t < 300; t++) {
        frame_begin(&f, 1, seq++);
        for (uint16_t e = 0; e < 1000; e++) {
            if (t == 0) {
                char name[32];
                snprintf(name, sizeof name, "GET /api/v1/item%u", e);
                frame_endpoint(&f, e, name);
            }
            frame_sample(&f, e, e % 7 ? 200 : 500, (1000 + t * 13 + e) * 1000);
            if (f.w.len > sizeof f.buf - 512) {
                hm_ingest_frame(r, f.buf, frame_end(&f), (1 + t) * SEC);
                frame_begin(&f, 1, seq++);
            }
        }
        hm_ingest_frame(r, f.buf, frame_end(&f), (1 + t) * SEC + SEC / 2);
    }
    hm_snapshot_t *s = hm_registry_snapshot(r, 301 * SEC + SEC / 2, NULL, 0);
    assert_int_equal(s->nendpoints, 1000);
    uint8_t *full, *tail;
    size_t full_len, tail_len;
    double t0 = now_ms();
    encode(s, HM_WINDOW_HISTORY, &full, &full_len);
    double t1 = now_ms();
    encode(s, 5, &tail, &tail_len);
    double t2 = now_ms();
    hm_snapshot_t *d = NULL, *dt = NULL;
    hm_snapcodec_info_t info;
    assert_int_equal(hm_snapcodec_decode(full, full_len, &d, &info, NULL), 0);
    double t3 = now_ms();
    assert_int_equal(hm_snapcodec_decode(tail, tail_len, &dt, &info, NULL), 0);
    double t4 = now_ms();
    /* for information only: times move with the machine and the build */
    printf("snapshot message, 1000 busy endpoints (%zu bytes of structs in memory):\n"
           "  300 s of history: %zu bytes, encoded in %.1f ms, decoded in %.1f ms\n"
           "  last 5 s:         %zu bytes, encoded in %.1f ms, decoded in %.1f ms\n",
           sizeof *s->endpoints * s->nendpoints, full_len, t1 - t0, t3 - t2, tail_len, t2 - t1,
           t4 - t3);
    assert_true(tail_len * 3 < full_len);
    assert_memory_equal(d->endpoints, s->endpoints, 1000 * sizeof s->endpoints[0]);
    hm_snapshot_release(&d);
    hm_snapshot_release(&dt);
    free(full);
    free(tail);
    hm_snapshot_release(&s);
    hm_registry_destroy(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_snapcodec_round_trip_keeps_every_field),
        cmocka_unit_test(test_snapcodec_empty_snapshot),
        cmocka_unit_test(test_snapcodec_rejects_slo_indices_beyond_the_rules),
        cmocka_unit_test(test_snapcodec_rejects_every_truncation),
        cmocka_unit_test(test_snapcodec_rejects_garbage_with_a_reason),
        cmocka_unit_test(test_snapcodec_rejects_oversized_parts),
        cmocka_unit_test(test_snapcodec_skips_fields_a_newer_version_appends),
        cmocka_unit_test(test_snapcodec_merges_partial_history),
        cmocka_unit_test(test_snapcodec_message_size_at_1000_endpoints),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
