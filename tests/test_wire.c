/* tests/test_wire.c - the frame codec: round trips, every rejection, hostile bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wire.h"

static uint8_t buf[HM_WIRE_FRAME_MAX];

static hm_wire_str_t S(const char *s)
{
    return hm_wire_str(s, NULL);
}

/* A frame with one record of every type, returned with its length. */
static size_t full_frame(uint8_t *b, size_t cap)
{
    hm_wire_writer_t w;
    hm_wire_begin(&w, b, cap, 0x1122334455667788ull, 7);
    assert_true(hm_wire_put_hello(&w, 4242, 1000, S("checkout"), S("host-1")));
    assert_true(hm_wire_put_decl(&w, HM_REC_ENDPOINT, 3, S("GET /cart")));
    assert_true(hm_wire_put_decl(&w, HM_REC_PHASE, 1, S("db")));
    assert_true(hm_wire_put_metric(&w, 0, HM_METRIC_GAUGE, S("queue")));
    hm_wire_sample_t s = {.endpoint = 3, .status = 200, .duration_ns = 12345678};
    assert_true(hm_wire_put_sample(&w, &s));
    s = (hm_wire_sample_t){.endpoint = 3, .status = 503, .duration_ns = 99, .has_delay = true,
                           .delay_ns = 5, .nphases = 2, .request_id = S("req-9")};
    s.phases[0] = (hm_wire_phase_t){1, 40};
    s.phases[1] = (hm_wire_phase_t){2, 59};
    assert_true(hm_wire_put_sample(&w, &s));
    assert_true(hm_wire_put_gauge(&w, 3, HM_WIRE_METRIC_INFLIGHT, -2));
    assert_true(hm_wire_put_counter(&w, 3, 5, 1ull << 40));
    assert_true(hm_wire_put_drops(&w, 17));
    assert_true(hm_wire_put_heartbeat(&w));
    return hm_wire_end(&w);
}

static bool str_is(hm_wire_str_t s, const char *want)
{
    return s.len == strlen(want) && memcmp(s.ptr, want, s.len) == 0;
}

static void test_wire_round_trips_every_record(void **state)
{
    size_t len = full_frame(buf, sizeof buf);
    hm_wire_reader_t r;
    hm_wire_header_t h;
    assert_int_equal(hm_wire_open(&r, buf, len, &h), HM_WIRE_OK);
    assert_int_equal(h.sender, 0x1122334455667788ull);
    assert_int_equal(h.seq, 7);
    assert_int_equal(h.count, 10);
    hm_wire_record_t rec;
    assert_true(hm_wire_next(&r, &rec));
    assert_int_equal(rec.type, HM_REC_HELLO);
    assert_int_equal(rec.u.hello.pid, 4242);
    assert_int_equal(rec.u.hello.heartbeat_ms, 1000);
    assert_true(str_is(rec.u.hello.service, "checkout"));
    assert_true(str_is(rec.u.hello.host, "host-1"));
    assert_true(hm_wire_next(&r, &rec));
    assert_int_equal(rec.type, HM_REC_ENDPOINT);
    assert_int_equal(rec.u.decl.id, 3);
    assert_true(str_is(rec.u.decl.name, "GET /cart"));
    assert_true(hm_wire_next(&r, &rec));
    assert_int_equal(rec.type, HM_REC_PHASE);
    assert_true(str_is(rec.u.decl.name, "db"));
    assert_true(hm_wire_next(&r, &rec));
    assert_int_equal(rec.type, HM_REC_METRIC);
    assert_int_equal(rec.u.metric.kind, HM_METRIC_GAUGE);
    assert_true(str_is(rec.u.metric.name, "queue"));
    assert_true(hm_wire_next(&r, &rec));
    assert_int_equal(rec.type, HM_REC_SAMPLE);
    assert_int_equal(rec.u.sample.duration_ns, 12345678);
    assert_int_equal(rec.u.sample.status, 200);
    assert_false(rec.u.sample.has_delay);
    assert_int_equal(rec.u.sample.nphases, 0);
    assert_int_equal(rec.u.sample.request_id.len, 0);
    assert_true(hm_wire_next(&r, &rec));
    assert_int_equal(rec.u.sample.status, 503);
    assert_true(rec.u.sample.has_delay);
    assert_int_equal(rec.u.sample.delay_ns, 5);
    assert_int_equal(rec.u.sample.nphases, 2);
    assert_int_equal(rec.u.sample.phases[1].phase, 2);
    assert_int_equal(rec.u.sample.phases[1].ns, 59);
    assert_true(str_is(rec.u.sample.request_id, "req-9"));
    assert_true(hm_wire_next(&r, &rec));
    assert_int_equal(rec.type, HM_REC_GAUGE);
    assert_int_equal(rec.u.gauge.metric, HM_WIRE_METRIC_INFLIGHT);
    assert_int_equal(rec.u.gauge.value, -2);
    assert_true(hm_wire_next(&r, &rec));
    assert_int_equal(rec.type, HM_REC_COUNTER);
    assert_int_equal(rec.u.counter.total, 1ull << 40);
    assert_true(hm_wire_next(&r, &rec));
    assert_int_equal(rec.u.drops.total, 17);
    assert_true(hm_wire_next(&r, &rec));
    assert_int_equal(rec.type, HM_REC_HEARTBEAT);
    assert_false(hm_wire_next(&r, &rec));
}

/* The example frame of docs/protocol.md: the encoder must produce it. */
static void test_wire_matches_the_documented_example(void **state)
{
    static const uint8_t want[] = {
        0x48, 0x4d, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, /* "HM" v1 flags 0, 2 records */
        0x2a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* sender 42 */
        0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* seq 1 */
        0x02, 0x07, 0x00, 0x01, 0x00, 0x04, 'G',  'E',  'T',  ' ', /* ENDPOINT 1 "GET " */
        0x05, 0x0d, 0x00, 0x01, 0x00, 0xc8, 0x00, 0x00, /* SAMPLE ep 1, 200, no flags */
        0x40, 0x42, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, /* 1000000 ns */
    };
    hm_wire_writer_t w;
    hm_wire_begin(&w, buf, sizeof buf, 42, 1);
    assert_true(hm_wire_put_decl(&w, HM_REC_ENDPOINT, 1, S("GET ")));
    hm_wire_sample_t s = {.endpoint = 1, .status = 200, .duration_ns = 1000000};
    assert_true(hm_wire_put_sample(&w, &s));
    assert_int_equal(hm_wire_end(&w), sizeof want);
    assert_memory_equal(buf, want, sizeof want);
}

static void test_wire_full_writer_refuses_and_keeps_the_frame(void **state)
{
    uint8_t small[40];
    hm_wire_writer_t w;
    hm_wire_begin(&w, small, sizeof small, 1, 0);
    hm_wire_sample_t s = {.endpoint = 1, .duration_ns = 5};
    assert_true(hm_wire_put_sample(&w, &s)); /* 24 + 16 = 40 */
    assert_false(hm_wire_put_sample(&w, &s));
    assert_false(hm_wire_put_heartbeat(&w));
    size_t len = hm_wire_end(&w);
    assert_int_equal(len, 40);
    hm_wire_reader_t r;
    hm_wire_header_t h;
    assert_int_equal(hm_wire_open(&r, small, len, &h), HM_WIRE_OK);
    assert_int_equal(h.count, 1);
}

static hm_wire_err_t open_err(const uint8_t *b, size_t len)
{
    hm_wire_reader_t r;
    hm_wire_header_t h;
    return hm_wire_open(&r, b, len, &h);
}

static void test_wire_rejects_bad_headers(void **state)
{
    size_t len = full_frame(buf, sizeof buf);
    assert_int_equal(open_err(buf, 0), HM_WIRE_ERR_SHORT);
    assert_int_equal(open_err(buf, HM_WIRE_HEADER_SIZE - 1), HM_WIRE_ERR_SHORT);
    buf[0] = 'X';
    assert_int_equal(open_err(buf, len), HM_WIRE_ERR_MAGIC);
    buf[0] = 'H';
    buf[2] = 2;
    assert_int_equal(open_err(buf, len), HM_WIRE_ERR_VERSION);
    buf[2] = 1;
    buf[3] = 0x80;
    assert_int_equal(open_err(buf, len), HM_WIRE_ERR_FLAGS);
    buf[3] = 0;
    assert_int_equal(open_err(buf, HM_WIRE_FRAME_MAX + 1), HM_WIRE_ERR_TOO_BIG);
    assert_int_equal(open_err(buf, len), HM_WIRE_OK);
}

static void test_wire_rejects_every_truncation(void **state)
{
    size_t len = full_frame(buf, sizeof buf);
    for (size_t cut = HM_WIRE_HEADER_SIZE; cut < len; cut++) {
        /* a copy of exactly cut bytes, so ASan sees any read past it */
        uint8_t *c = malloc(cut);
        memcpy(c, buf, cut);
        hm_wire_err_t e = open_err(c, cut);
        assert_true(e == HM_WIRE_ERR_TRUNCATED || e == HM_WIRE_ERR_COUNT ||
                    e == HM_WIRE_ERR_RECORD);
        free(c);
    }
}

static void test_wire_rejects_wrong_counts(void **state)
{
    size_t len = full_frame(buf, sizeof buf);
    buf[4] = 11;
    assert_int_equal(open_err(buf, len), HM_WIRE_ERR_COUNT);
    buf[4] = 9;
    assert_int_equal(open_err(buf, len), HM_WIRE_ERR_COUNT);
    /* 2^31 records claimed by a frame with ten */
    buf[4] = 0;
    buf[7] = 0x80;
    assert_int_equal(open_err(buf, len), HM_WIRE_ERR_COUNT);
}

/* Builds a one-record frame with a raw body. */
static size_t one_record(uint8_t type, const uint8_t *body, uint16_t n)
{
    hm_wire_writer_t w;
    hm_wire_begin(&w, buf, sizeof buf, 1, 0);
    size_t len = hm_wire_end(&w);
    buf[4] = 1;
    buf[len] = type;
    buf[len + 1] = (uint8_t)n;
    buf[len + 2] = (uint8_t)(n >> 8);
    memcpy(buf + len + 3, body, n);
    return len + 3 + n;
}

static void test_wire_rejects_malformed_bodies(void **state)
{
    uint8_t b[64] = {0};
    /* fixed-size records with the wrong length */
    assert_int_equal(open_err(buf, one_record(HM_REC_GAUGE, b, 11)), HM_WIRE_ERR_RECORD);
    assert_int_equal(open_err(buf, one_record(HM_REC_COUNTER, b, 13)), HM_WIRE_ERR_RECORD);
    assert_int_equal(open_err(buf, one_record(HM_REC_DROPS, b, 7)), HM_WIRE_ERR_RECORD);
    assert_int_equal(open_err(buf, one_record(HM_REC_HEARTBEAT, b, 1)), HM_WIRE_ERR_RECORD);
    assert_int_equal(open_err(buf, one_record(HM_REC_SAMPLE, b, 12)), HM_WIRE_ERR_RECORD);
    assert_int_equal(open_err(buf, one_record(HM_REC_SAMPLE, b, 14)), HM_WIRE_ERR_RECORD);
    /* a sample with an unknown flag bit */
    b[4] = 0x08;
    assert_int_equal(open_err(buf, one_record(HM_REC_SAMPLE, b, 13)), HM_WIRE_ERR_RECORD);
    /* phases: too many, and none */
    b[4] = HM_SAMPLE_HAS_PHASES;
    b[13] = HM_WIRE_PHASES_MAX + 1;
    assert_int_equal(open_err(buf, one_record(HM_REC_SAMPLE, b, 64)), HM_WIRE_ERR_RECORD);
    b[13] = 0;
    assert_int_equal(open_err(buf, one_record(HM_REC_SAMPLE, b, 14)), HM_WIRE_ERR_RECORD);
    /* a name whose length runs past its body */
    uint8_t d[] = {1, 0, 9, 'a', 'b'};
    assert_int_equal(open_err(buf, one_record(HM_REC_ENDPOINT, d, 5)), HM_WIRE_ERR_RECORD);
    /* a metric of an unknown kind */
    uint8_t m[] = {1, 0, 9, 1, 'q'};
    assert_int_equal(open_err(buf, one_record(HM_REC_METRIC, m, 5)), HM_WIRE_ERR_RECORD);
    /* an unknown record type is valid and comes back raw */
    assert_int_equal(open_err(buf, one_record(200, b, 5)), HM_WIRE_OK);
}

static uint64_t rng(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Walks a frame the decoder accepted, touching every string byte. */
static void walk(const uint8_t *b, size_t len)
{
    hm_wire_reader_t r;
    hm_wire_header_t h;
    if (hm_wire_open(&r, b, len, &h) != HM_WIRE_OK)
        return;
    hm_wire_record_t rec;
    unsigned n = 0, sum = 0;
    while (hm_wire_next(&r, &rec)) {
        n++;
        if (rec.type == HM_REC_SAMPLE)
            for (unsigned i = 0; i < rec.u.sample.request_id.len; i++)
                sum += rec.u.sample.request_id.ptr[i];
    }
    assert_int_equal(n, h.count);
    (void)sum;
}

static void test_wire_survives_random_and_mutated_frames(void **state)
{
    uint64_t seed = 88172645463325252ull;
    size_t good = full_frame(buf, sizeof buf);
    uint8_t *orig = malloc(good);
    memcpy(orig, buf, good);
    for (int i = 0; i < 200000; i++) {
        size_t len = (size_t)(rng(&seed) % (good + 16));
        uint8_t *c = malloc(len ? len : 1);
        if (i % 2) {
            for (size_t k = 0; k < len; k++)
                c[k] = (uint8_t)rng(&seed);
            if (len >= 4) {
                c[0] = 'H';
                c[1] = 'M';
                c[2] = 1;
                c[3] = 0;
            }
        } else {
            memcpy(c, orig, len < good ? len : good);
            for (size_t k = good; k < len; k++)
                c[k] = (uint8_t)rng(&seed);
            for (int f = 0; f < 1 + (int)(rng(&seed) % 4) && len; f++)
                c[rng(&seed) % len] ^= (uint8_t)(1u << (rng(&seed) % 8));
        }
        walk(c, len);
        free(c);
    }
    free(orig);
}

static void test_wire_str_cuts_on_a_character_boundary(void **state)
{
    char name[400];
    memset(name, 'a', 254);
    strcpy(name + 254, "\xc3\xa9tail"); /* 'é' straddles byte 255 */
    bool cut = false;
    hm_wire_str_t s = hm_wire_str(name, &cut);
    assert_true(cut);
    assert_int_equal(s.len, 254);
    s = hm_wire_str("short", &cut);
    assert_false(cut);
    assert_int_equal(s.len, 5);
    assert_string_equal(hm_wire_err_str(HM_WIRE_ERR_TRUNCATED), "truncated record");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wire_round_trips_every_record),
        cmocka_unit_test(test_wire_matches_the_documented_example),
        cmocka_unit_test(test_wire_full_writer_refuses_and_keeps_the_frame),
        cmocka_unit_test(test_wire_rejects_bad_headers),
        cmocka_unit_test(test_wire_rejects_every_truncation),
        cmocka_unit_test(test_wire_rejects_wrong_counts),
        cmocka_unit_test(test_wire_rejects_malformed_bodies),
        cmocka_unit_test(test_wire_survives_random_and_mutated_frames),
        cmocka_unit_test(test_wire_str_cuts_on_a_character_boundary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
