/* tests/test_wire.c - the frame codec: round trips, the documented example, a
 * full writer, every rejection with its reason, hostile bytes, name cutting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "wire.h"

/* Room for a frame of HM_WIRE_FRAME_MAX and a little more, to claim "too big". */
static uint8_t buf[HM_WIRE_FRAME_MAX + 64];

static hm_wire_str_t S(const char *s)
{
    return hm_wire_str(s, NULL);
}

static bool str_is(hm_wire_str_t s, const char *want)
{
    return s.len == strlen(want) && (s.len == 0 || memcmp(s.ptr, want, s.len) == 0);
}

static uint64_t rng(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* A copy of exactly len bytes on the heap, so ASan sees any read past it. */
static uint8_t *exact_copy(const uint8_t *b, size_t len)
{
    uint8_t *c = malloc(len ? len : 1);
    assert_non_null(c);
    if (len)
        memcpy(c, b, len);
    return c;
}

static hm_wire_err_t open_err(const uint8_t *b, size_t len)
{
    hm_wire_reader_t r;
    hm_wire_header_t h;
    return hm_wire_open(&r, b, len, &h);
}

/* open_err on an exact heap copy. */
static hm_wire_err_t open_exact(const uint8_t *b, size_t len)
{
    uint8_t *c = exact_copy(b, len);
    hm_wire_err_t e = open_err(c, len);
    free(c);
    return e;
}

/* A sample with every optional field, phases numbered from base. */
static hm_wire_sample_t rich_sample(uint8_t nphases, const char *rid)
{
    hm_wire_sample_t s = {.endpoint = 3,
                          .status = 503,
                          .duration_ns = 99,
                          .has_delay = true,
                          .delay_ns = 5,
                          .nphases = nphases,
                          .request_id = S(rid)};
    for (unsigned i = 0; i < nphases; i++)
        s.phases[i] = (hm_wire_phase_t){(uint16_t)(i + 1), 1000u * i + 7};
    return s;
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
    s = rich_sample(2, "req-9");
    assert_true(hm_wire_put_sample(&w, &s));
    assert_true(hm_wire_put_gauge(&w, 3, HM_WIRE_METRIC_INFLIGHT, -2));
    assert_true(hm_wire_put_counter(&w, 3, 5, 1ull << 40));
    assert_true(hm_wire_put_drops(&w, 17));
    assert_true(hm_wire_put_heartbeat(&w));
    return hm_wire_end(&w);
}

/* Re-encodes a decoded known record as a one-record frame in out; returns the
 * frame's length, or 0 for an unknown type. */
static size_t encode_one(const hm_wire_record_t *rec, uint8_t *out, size_t cap)
{
    hm_wire_writer_t w;
    hm_wire_begin(&w, out, cap, 0, 0);
    bool ok;
    switch (rec->type) {
    case HM_REC_HELLO:
        ok = hm_wire_put_hello(&w, rec->u.hello.pid, rec->u.hello.heartbeat_ms,
                               rec->u.hello.service, rec->u.hello.host);
        break;
    case HM_REC_ENDPOINT:
    case HM_REC_PHASE:
        ok = hm_wire_put_decl(&w, rec->type, rec->u.decl.id, rec->u.decl.name);
        break;
    case HM_REC_METRIC:
        ok = hm_wire_put_metric(&w, rec->u.metric.id, rec->u.metric.kind, rec->u.metric.name);
        break;
    case HM_REC_SAMPLE:
        ok = hm_wire_put_sample(&w, &rec->u.sample);
        break;
    case HM_REC_GAUGE:
        ok = hm_wire_put_gauge(&w, rec->u.gauge.endpoint, rec->u.gauge.metric, rec->u.gauge.value);
        break;
    case HM_REC_COUNTER:
        ok = hm_wire_put_counter(&w, rec->u.counter.endpoint, rec->u.counter.metric,
                                 rec->u.counter.total);
        break;
    case HM_REC_DROPS:
        ok = hm_wire_put_drops(&w, rec->u.drops.total);
        break;
    case HM_REC_HEARTBEAT:
        ok = hm_wire_put_heartbeat(&w);
        break;
    default:
        return 0;
    }
    assert_true(ok);
    return hm_wire_end(&w);
}

/* Decodes an accepted frame and checks it is consistent with its bytes: count
 * records come back, each one where its header says, and every known record
 * re-encodes to exactly its bytes (an encoding is canonical); unknown ones
 * come back raw. Returns the number of records. */
static unsigned decode_consistently(const uint8_t *b, size_t len)
{
    hm_wire_reader_t r;
    hm_wire_header_t h;
    assert_int_equal(hm_wire_open(&r, b, len, &h), HM_WIRE_OK);
    uint8_t again[HM_WIRE_HEADER_SIZE + HM_WIRE_RECORD_HEADER_SIZE + UINT16_MAX];
    hm_wire_record_t rec;
    size_t pos = HM_WIRE_HEADER_SIZE;
    unsigned n = 0;
    while (hm_wire_next(&r, &rec)) {
        assert_true(pos + HM_WIRE_RECORD_HEADER_SIZE <= len);
        size_t rlen = HM_WIRE_RECORD_HEADER_SIZE + (b[pos + 1] | (size_t)b[pos + 2] << 8);
        assert_true(pos + rlen <= len);
        assert_int_equal(rec.type, b[pos]);
        size_t alen = encode_one(&rec, again, sizeof again);
        if (alen) {
            assert_int_equal(alen - HM_WIRE_HEADER_SIZE, rlen);
            assert_memory_equal(again + HM_WIRE_HEADER_SIZE, b + pos, rlen);
        } else {
            assert_ptr_equal(rec.u.raw.ptr, b + pos + HM_WIRE_RECORD_HEADER_SIZE);
            assert_int_equal(rec.u.raw.len, rlen - HM_WIRE_RECORD_HEADER_SIZE);
        }
        pos += rlen;
        n++;
    }
    assert_int_equal(pos, len);
    assert_int_equal(n, h.count);
    assert_false(hm_wire_next(&r, &rec));
    return n;
}

/* --- round trips ----------------------------------------------------------- */

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
    assert_int_equal(rec.u.decl.id, 1);
    assert_true(str_is(rec.u.decl.name, "db"));
    assert_true(hm_wire_next(&r, &rec));
    assert_int_equal(rec.type, HM_REC_METRIC);
    assert_int_equal(rec.u.metric.id, 0);
    assert_int_equal(rec.u.metric.kind, HM_METRIC_GAUGE);
    assert_true(str_is(rec.u.metric.name, "queue"));
    assert_true(hm_wire_next(&r, &rec));
    assert_int_equal(rec.type, HM_REC_SAMPLE);
    assert_int_equal(rec.u.sample.endpoint, 3);
    assert_int_equal(rec.u.sample.status, 200);
    assert_int_equal(rec.u.sample.duration_ns, 12345678);
    assert_false(rec.u.sample.has_delay);
    assert_int_equal(rec.u.sample.nphases, 0);
    assert_int_equal(rec.u.sample.request_id.len, 0);
    assert_true(hm_wire_next(&r, &rec));
    assert_int_equal(rec.u.sample.status, 503);
    assert_true(rec.u.sample.has_delay);
    assert_int_equal(rec.u.sample.delay_ns, 5);
    assert_int_equal(rec.u.sample.nphases, 2);
    assert_int_equal(rec.u.sample.phases[1].phase, 2);
    assert_int_equal(rec.u.sample.phases[1].ns, 1007);
    assert_true(str_is(rec.u.sample.request_id, "req-9"));
    assert_true(hm_wire_next(&r, &rec));
    assert_int_equal(rec.type, HM_REC_GAUGE);
    assert_int_equal(rec.u.gauge.endpoint, 3);
    assert_int_equal(rec.u.gauge.metric, HM_WIRE_METRIC_INFLIGHT);
    assert_int_equal(rec.u.gauge.value, -2);
    assert_true(hm_wire_next(&r, &rec));
    assert_int_equal(rec.type, HM_REC_COUNTER);
    assert_int_equal(rec.u.counter.metric, 5);
    assert_int_equal(rec.u.counter.total, 1ull << 40);
    assert_true(hm_wire_next(&r, &rec));
    assert_int_equal(rec.type, HM_REC_DROPS);
    assert_int_equal(rec.u.drops.total, 17);
    assert_true(hm_wire_next(&r, &rec));
    assert_int_equal(rec.type, HM_REC_HEARTBEAT);
    assert_false(hm_wire_next(&r, &rec));
    assert_int_equal(decode_consistently(buf, len), 10);
}

/* Every combination of the optional fields, at their extremes. */
static void test_wire_round_trips_every_optional_sample_field(void **state)
{
    char rid[256];
    memset(rid, 'r', 255);
    rid[255] = 0;
    const uint8_t counts[] = {1, 2, HM_WIRE_PHASES_MAX};
    const char *ids[] = {"x", "req-42", rid};
    for (unsigned flags = 0; flags < 8; flags++) {
        for (unsigned v = 0; v < 3; v++) {
            hm_wire_sample_t s = {.endpoint = 0xFFFF, .status = 0xFFFF, .duration_ns = UINT64_MAX};
            if (flags & HM_SAMPLE_HAS_DELAY)
                s.has_delay = true, s.delay_ns = UINT64_MAX - v;
            if (flags & HM_SAMPLE_HAS_PHASES) {
                s.nphases = counts[v];
                for (unsigned i = 0; i < s.nphases; i++)
                    s.phases[i] = (hm_wire_phase_t){(uint16_t)(0xFFF0 + i), (1ull << 63) + i};
            }
            if (flags & HM_SAMPLE_HAS_REQUEST_ID)
                s.request_id = S(ids[v]);
            hm_wire_writer_t w;
            hm_wire_begin(&w, buf, sizeof buf, 9, 9);
            assert_true(hm_wire_put_sample(&w, &s));
            size_t len = hm_wire_end(&w);
            assert_int_equal(buf[HM_WIRE_HEADER_SIZE + 3 + 4], flags);
            hm_wire_reader_t r;
            hm_wire_header_t h;
            hm_wire_record_t rec;
            assert_int_equal(hm_wire_open(&r, buf, len, &h), HM_WIRE_OK);
            assert_true(hm_wire_next(&r, &rec));
            const hm_wire_sample_t *d = &rec.u.sample;
            assert_int_equal(rec.type, HM_REC_SAMPLE);
            assert_int_equal(d->endpoint, 0xFFFF);
            assert_int_equal(d->status, 0xFFFF);
            assert_int_equal(d->duration_ns, UINT64_MAX);
            assert_int_equal(d->has_delay, s.has_delay);
            assert_int_equal(d->delay_ns, s.delay_ns);
            assert_int_equal(d->nphases, s.nphases);
            for (unsigned i = 0; i < s.nphases; i++) {
                assert_int_equal(d->phases[i].phase, s.phases[i].phase);
                assert_int_equal(d->phases[i].ns, s.phases[i].ns);
            }
            assert_int_equal(d->request_id.len, s.request_id.len);
            if (s.request_id.len)
                assert_memory_equal(d->request_id.ptr, s.request_id.ptr, s.request_id.len);
            assert_false(hm_wire_next(&r, &rec));
        }
    }
}

/* Builds a frame of n records of one raw type and body (count set to n). */
static size_t raw_frame(uint8_t type, const uint8_t *body, uint16_t blen, unsigned n)
{
    hm_wire_writer_t w;
    hm_wire_begin(&w, buf, sizeof buf, 1, 0);
    size_t len = hm_wire_end(&w);
    buf[4] = (uint8_t)n;
    for (unsigned i = 0; i < n; i++) {
        buf[len] = type;
        buf[len + 1] = (uint8_t)blen;
        buf[len + 2] = (uint8_t)(blen >> 8);
        if (blen)
            memcpy(buf + len + 3, body, blen);
        len += 3u + blen;
    }
    return len;
}

static void test_wire_returns_unknown_types_raw(void **state)
{
    const uint8_t body[] = {1, 2, 3, 4, 5};
    const uint8_t types[] = {0, 10, 200, 255};
    for (unsigned t = 0; t < sizeof types; t++) {
        for (uint16_t blen = 0; blen <= sizeof body; blen += 5) {
            size_t len = raw_frame(types[t], body, blen, 2);
            hm_wire_reader_t r;
            hm_wire_header_t h;
            hm_wire_record_t rec;
            assert_int_equal(hm_wire_open(&r, buf, len, &h), HM_WIRE_OK);
            for (unsigned i = 0; i < 2; i++) {
                assert_true(hm_wire_next(&r, &rec));
                assert_int_equal(rec.type, types[t]);
                assert_int_equal(rec.u.raw.len, blen);
                assert_ptr_equal(rec.u.raw.ptr, buf + HM_WIRE_HEADER_SIZE + 3 + i * (3u + blen));
            }
            assert_false(hm_wire_next(&r, &rec));
        }
    }
    /* an empty frame is valid too */
    size_t len = raw_frame(0, NULL, 0, 0);
    assert_int_equal(decode_consistently(buf, len), 0);
}

/* --- the documented example ------------------------------------------------ */

/* The example frame of docs/protocol.md, byte for byte: if this fails, the
 * encoder or the document changed, and they must agree again. */
static void test_wire_matches_the_documented_example(void **state)
{
    static const uint8_t want[] = {
        0x48, 0x4d, 0x01, 0x00, 0x05, 0x00, 0x00, 0x00, /* "HM", v1, flags 0, 5 records */
        0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, /* sender 0x1122334455667788 */
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* seq 0 */
        0x01, 0x13, 0x00,                               /* HELLO, 19 bytes */
        0x92, 0x10, 0x00, 0x00, 0xe8, 0x03, 0x00, 0x00, /* pid 4242, heartbeat 1000 ms */
        0x04, 's',  'h',  'o',  'p',                    /* service "shop" */
        0x05, 'w',  'e',  'b',  '-',  '1',              /* host "web-1" */
        0x02, 0x0c, 0x00,                               /* ENDPOINT, 12 bytes */
        0x01, 0x00, 0x09, 'G',  'E',  'T',  ' ',  '/',  'c',  'a',  'r', 't', /* 1 "GET /cart" */
        0x03, 0x05, 0x00,                                                     /* PHASE, 5 bytes */
        0x00, 0x00, 0x02, 'd',  'b',                                          /* 0 "db" */
        0x05, 0x0d, 0x00,                                                     /* SAMPLE, 13 bytes */
        0x01, 0x00, 0xc8, 0x00, 0x00,                   /* endpoint 1, status 200, flags 0 */
        0x60, 0xe3, 0x16, 0x00, 0x00, 0x00, 0x00, 0x00, /* 1500000 ns */
        0x05, 0x1c, 0x00,                               /* SAMPLE, 28 bytes */
        0x01, 0x00, 0xf7, 0x01, 0x06,                   /* endpoint 1, status 503, flags 6 */
        0x80, 0x84, 0x1e, 0x00, 0x00, 0x00, 0x00, 0x00, /* 2000000 ns */
        0x01,                                           /* 1 phase: */
        0x00, 0x00, 0x80, 0x4f, 0x12, 0x00, 0x00, 0x00, 0x00, 0x00, /* phase 0, 1200000 ns */
        0x03, 'r',  '-',  '7',                                      /* request id "r-7" */
    };
    hm_wire_writer_t w;
    hm_wire_begin(&w, buf, sizeof buf, 0x1122334455667788ull, 0);
    assert_true(hm_wire_put_hello(&w, 4242, 1000, S("shop"), S("web-1")));
    assert_true(hm_wire_put_decl(&w, HM_REC_ENDPOINT, 1, S("GET /cart")));
    assert_true(hm_wire_put_decl(&w, HM_REC_PHASE, 0, S("db")));
    hm_wire_sample_t s = {.endpoint = 1, .status = 200, .duration_ns = 1500000};
    assert_true(hm_wire_put_sample(&w, &s));
    s = (hm_wire_sample_t){
        .endpoint = 1, .status = 503, .duration_ns = 2000000, .nphases = 1, .request_id = S("r-7")};
    s.phases[0] = (hm_wire_phase_t){0, 1200000};
    assert_true(hm_wire_put_sample(&w, &s));
    assert_int_equal(hm_wire_end(&w), sizeof want);
    assert_memory_equal(buf, want, sizeof want);
    assert_int_equal(decode_consistently(want, sizeof want), 5);
}

/* --- the writer ------------------------------------------------------------ */

static bool put_hello(hm_wire_writer_t *w)
{
    return hm_wire_put_hello(w, 1, 2, S("svc"), S("host"));
}

static bool put_endpoint(hm_wire_writer_t *w)
{
    return hm_wire_put_decl(w, HM_REC_ENDPOINT, 1, S("GET /"));
}

static bool put_phase(hm_wire_writer_t *w)
{
    return hm_wire_put_decl(w, HM_REC_PHASE, 1, S("db"));
}

static bool put_metric(hm_wire_writer_t *w)
{
    return hm_wire_put_metric(w, 1, HM_METRIC_COUNTER, S("bytes"));
}

static bool put_plain_sample(hm_wire_writer_t *w)
{
    hm_wire_sample_t s = {.endpoint = 1, .status = 200, .duration_ns = 5};
    return hm_wire_put_sample(w, &s);
}

static bool put_rich_sample(hm_wire_writer_t *w)
{
    hm_wire_sample_t s = rich_sample(3, "id");
    return hm_wire_put_sample(w, &s);
}

static bool put_gauge(hm_wire_writer_t *w)
{
    return hm_wire_put_gauge(w, 1, 2, -3);
}

static bool put_counter(hm_wire_writer_t *w)
{
    return hm_wire_put_counter(w, 1, 2, 3);
}

static bool put_drops(hm_wire_writer_t *w)
{
    return hm_wire_put_drops(w, 3);
}

static bool put_heartbeat(hm_wire_writer_t *w)
{
    return hm_wire_put_heartbeat(w);
}

static bool (*const puts_all[])(hm_wire_writer_t *) = {
    put_hello,       put_endpoint, put_phase,   put_metric, put_plain_sample,
    put_rich_sample, put_gauge,    put_counter, put_drops,  put_heartbeat,
};

/* For every record kind: a writer one byte short refuses it and changes
 * neither its state nor a byte of its buffer; with that byte it fits. */
static void test_wire_full_writer_refuses_and_keeps_the_frame(void **state)
{
    enum { SPAN = 1024 };
    for (unsigned k = 0; k < sizeof puts_all / sizeof puts_all[0]; k++) {
        hm_wire_writer_t w;
        hm_wire_begin(&w, buf, SPAN, 1, 0);
        assert_true(put_plain_sample(&w));
        size_t before = w.len;
        assert_true(puts_all[k](&w));
        size_t need = w.len; /* a buffer of exactly the frame with this record */

        memset(buf, 0xA5, SPAN);
        hm_wire_begin(&w, buf, need - 1, 1, 0);
        assert_true(put_plain_sample(&w));
        uint8_t snap[SPAN];
        memcpy(snap, buf, SPAN);
        hm_wire_writer_t wsnap = w;
        assert_false(puts_all[k](&w));
        assert_memory_equal(&w, &wsnap, sizeof w);
        assert_memory_equal(buf, snap, SPAN);
        size_t len = hm_wire_end(&w);
        assert_int_equal(len, before);
        assert_int_equal(decode_consistently(buf, len), 1);

        hm_wire_begin(&w, buf, need, 1, 0);
        assert_true(put_plain_sample(&w));
        assert_true(puts_all[k](&w));
        assert_int_equal(decode_consistently(buf, hm_wire_end(&w)), 2);
    }
}

/* A buffer bigger than HM_WIRE_FRAME_MAX still yields frames a collector takes. */
static void test_wire_writer_stops_at_the_frame_max(void **state)
{
    hm_wire_writer_t w;
    hm_wire_begin(&w, buf, sizeof buf, 1, 0);
    unsigned n = 0;
    while (put_rich_sample(&w))
        n++;
    size_t len = hm_wire_end(&w);
    assert_true(len <= HM_WIRE_FRAME_MAX);
    assert_true(len > HM_WIRE_FRAME_MAX - 200);
    assert_int_equal(decode_consistently(buf, len), n);
}

/* --- rejections ------------------------------------------------------------ */

static void set_count(uint8_t *b, uint32_t n)
{
    for (int i = 0; i < 4; i++)
        b[4 + i] = (uint8_t)(n >> (8 * i));
}

static void test_wire_rejects_bad_headers(void **state)
{
    size_t len = full_frame(buf, sizeof buf);
    for (size_t cut = 0; cut < HM_WIRE_HEADER_SIZE; cut++)
        assert_int_equal(open_exact(buf, cut), HM_WIRE_ERR_SHORT);
    buf[0] = 'X';
    assert_int_equal(open_err(buf, len), HM_WIRE_ERR_MAGIC);
    buf[0] = 'H';
    buf[1] = 'm';
    assert_int_equal(open_err(buf, len), HM_WIRE_ERR_MAGIC);
    buf[1] = 'M';
    buf[2] = 0;
    assert_int_equal(open_err(buf, len), HM_WIRE_ERR_VERSION);
    buf[2] = 2;
    assert_int_equal(open_err(buf, len), HM_WIRE_ERR_VERSION);
    buf[2] = 1;
    for (unsigned bit = 0; bit < 8; bit++) {
        buf[3] = (uint8_t)(1u << bit);
        assert_int_equal(open_err(buf, len), HM_WIRE_ERR_FLAGS);
    }
    buf[3] = 0;
    assert_int_equal(open_err(buf, HM_WIRE_FRAME_MAX + 1), HM_WIRE_ERR_TOO_BIG);
    assert_int_equal(open_err(buf, sizeof buf), HM_WIRE_ERR_TOO_BIG);
    assert_int_equal(open_err(buf, len), HM_WIRE_OK);
    /* a frame of exactly HM_WIRE_FRAME_MAX is accepted: 4-byte records */
    unsigned n = (HM_WIRE_FRAME_MAX - HM_WIRE_HEADER_SIZE) / 4;
    assert_int_equal(raw_frame(99, (const uint8_t *)"x", 1, n), HM_WIRE_FRAME_MAX);
    set_count(buf, n);
    assert_int_equal(open_err(buf, HM_WIRE_FRAME_MAX), HM_WIRE_OK);
}

/* Every cut of a valid frame is rejected: a cut between records leaves
 * fewer records than counted, a cut inside one leaves it truncated. */
static void test_wire_rejects_every_truncation(void **state)
{
    size_t len = full_frame(buf, sizeof buf);
    bool boundary[1024] = {false};
    assert_true(len < sizeof boundary);
    for (size_t pos = HM_WIRE_HEADER_SIZE; pos < len;
         pos += HM_WIRE_RECORD_HEADER_SIZE + (buf[pos + 1] | (size_t)buf[pos + 2] << 8))
        boundary[pos] = true;
    unsigned truncated = 0, count = 0;
    for (size_t cut = HM_WIRE_HEADER_SIZE; cut < len; cut++) {
        hm_wire_err_t want = boundary[cut] ? HM_WIRE_ERR_COUNT : HM_WIRE_ERR_TRUNCATED;
        assert_int_equal(open_exact(buf, cut), want);
        truncated += want == HM_WIRE_ERR_TRUNCATED;
        count += want == HM_WIRE_ERR_COUNT;
    }
    assert_int_equal(count, 10);
    assert_int_equal(truncated, len - HM_WIRE_HEADER_SIZE - 10);
}

static void test_wire_rejects_wrong_counts(void **state)
{
    size_t len = full_frame(buf, sizeof buf);
    const uint32_t wrong[] = {0, 1, 9, 11, 255, 1u << 31, UINT32_MAX};
    for (unsigned i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        set_count(buf, wrong[i]);
        assert_int_equal(open_exact(buf, len), HM_WIRE_ERR_COUNT);
    }
    /* 2^31 records claimed by a header alone, and by a frame as big as can be
     * of the smallest records: rejected after walking the bytes, not the
     * claim (2^31 steps would take seconds, not microseconds). */
    size_t hlen = raw_frame(0, NULL, 0, 0);
    set_count(buf, 1u << 31);
    assert_int_equal(open_exact(buf, hlen), HM_WIRE_ERR_COUNT);
    size_t n = (HM_WIRE_FRAME_MAX - HM_WIRE_HEADER_SIZE) / HM_WIRE_RECORD_HEADER_SIZE;
    size_t big = raw_frame(HM_REC_HEARTBEAT, NULL, 0, (unsigned)n);
    assert_true(big <= HM_WIRE_FRAME_MAX);
    set_count(buf, (uint32_t)n);
    assert_int_equal(open_err(buf, big), HM_WIRE_OK);
    set_count(buf, 1u << 31);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(open_err(buf, big), HM_WIRE_ERR_COUNT);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    assert_true(s < 0.5);
}

/* Valid bodies of every known type, as the encoder writes them. */
typedef struct {
    uint8_t type;
    uint16_t len;
    uint8_t body[512];
} body_t;

static void body_of(bool (*put)(hm_wire_writer_t *), body_t *out)
{
    uint8_t f[1024];
    hm_wire_writer_t w;
    hm_wire_begin(&w, f, sizeof f, 0, 0);
    assert_true(put(&w));
    size_t len = hm_wire_end(&w);
    out->type = f[HM_WIRE_HEADER_SIZE];
    out->len = (uint16_t)(len - HM_WIRE_HEADER_SIZE - HM_WIRE_RECORD_HEADER_SIZE);
    memcpy(out->body, f + HM_WIRE_HEADER_SIZE + HM_WIRE_RECORD_HEADER_SIZE, out->len);
}

/* A known record's body must be exactly as long as its fields make it: every
 * other length, from empty to a few bytes more, is a malformed record. */
static void test_wire_rejects_every_wrong_body_length(void **state)
{
    for (unsigned k = 0; k < sizeof puts_all / sizeof puts_all[0]; k++) {
        body_t b;
        body_of(puts_all[k], &b);
        uint8_t padded[600] = {0};
        memcpy(padded, b.body, b.len);
        assert_int_equal(open_exact(buf, raw_frame(b.type, padded, b.len, 1)), HM_WIRE_OK);
        for (uint16_t n = 0; n <= b.len + 3; n++) {
            if (n == b.len)
                continue;
            /* padding of 0 and of 0xFF: neither may make a wrong length right */
            assert_int_equal(open_exact(buf, raw_frame(b.type, padded, n, 1)), HM_WIRE_ERR_RECORD);
            memset(padded + b.len, 0xFF, sizeof padded - b.len);
            assert_int_equal(open_exact(buf, raw_frame(b.type, padded, n, 1)), HM_WIRE_ERR_RECORD);
            memset(padded + b.len, 0, sizeof padded - b.len);
        }
    }
}

static void test_wire_rejects_bad_sample_fields(void **state)
{
    body_t b;
    body_of(put_plain_sample, &b);
    /* every unknown flag bit, alone and beside the known ones */
    for (unsigned bit = 3; bit < 8; bit++) {
        b.body[4] = (uint8_t)(1u << bit);
        assert_int_equal(open_exact(buf, raw_frame(HM_REC_SAMPLE, b.body, b.len, 1)),
                         HM_WIRE_ERR_RECORD);
    }
    body_of(put_rich_sample, &b);
    b.body[4] |= 0x80;
    assert_int_equal(open_exact(buf, raw_frame(HM_REC_SAMPLE, b.body, b.len, 1)),
                     HM_WIRE_ERR_RECORD);

    /* 17 phases in a body sized for 17: the count is what fails */
    uint8_t p[13 + 1 + 10 * 17] = {0};
    p[4] = HM_SAMPLE_HAS_PHASES;
    p[13] = HM_WIRE_PHASES_MAX;
    assert_int_equal(open_exact(buf, raw_frame(HM_REC_SAMPLE, p, 13 + 1 + 10 * 16, 1)), HM_WIRE_OK);
    p[13] = HM_WIRE_PHASES_MAX + 1;
    assert_int_equal(open_exact(buf, raw_frame(HM_REC_SAMPLE, p, sizeof p, 1)), HM_WIRE_ERR_RECORD);
    p[13] = 255;
    assert_int_equal(open_exact(buf, raw_frame(HM_REC_SAMPLE, p, sizeof p, 1)), HM_WIRE_ERR_RECORD);
    /* a present field must not be empty: one encoding per sample */
    p[13] = 0;
    assert_int_equal(open_exact(buf, raw_frame(HM_REC_SAMPLE, p, 14, 1)), HM_WIRE_ERR_RECORD);
    p[4] = HM_SAMPLE_HAS_REQUEST_ID;
    assert_int_equal(open_exact(buf, raw_frame(HM_REC_SAMPLE, p, 14, 1)), HM_WIRE_ERR_RECORD);
    /* a flag whose field is missing altogether */
    for (unsigned f = 1; f < 8; f++) {
        p[4] = (uint8_t)f;
        assert_int_equal(open_exact(buf, raw_frame(HM_REC_SAMPLE, p, 13, 1)), HM_WIRE_ERR_RECORD);
    }
}

/* Sets the length byte of the str8 at off in a body to run one byte past it. */
static void overrun_str(body_t *b, size_t off)
{
    b->body[off] = (uint8_t)(b->len - off);
}

/* Every str8 whose length runs past its body, as the last record of the
 * frame so it would also run past the buffer. */
static void test_wire_rejects_strings_overrunning_their_body(void **state)
{
    struct {
        bool (*put)(hm_wire_writer_t *);
        size_t off; /* offset of the str8 in the body */
    } cases[] = {
        {put_hello, 8},    {put_hello, 8 + 1 + 3}, /* service "svc", host */
        {put_endpoint, 2}, {put_phase, 2},
        {put_metric, 3},   {put_rich_sample, 13 + 8 + 1 + 30}, /* request id after 3 phases */
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        body_t b;
        body_of(cases[i].put, &b);
        assert_true(cases[i].off < b.len);
        overrun_str(&b, cases[i].off);
        assert_int_equal(open_exact(buf, raw_frame(b.type, b.body, b.len, 1)), HM_WIRE_ERR_RECORD);
        b.body[cases[i].off] = 255;
        assert_int_equal(open_exact(buf, raw_frame(b.type, b.body, b.len, 1)), HM_WIRE_ERR_RECORD);
    }
    /* the service string swallowing the host's length byte */
    body_t b;
    body_of(put_hello, &b);
    b.body[8] = (uint8_t)(b.len - 9);
    assert_int_equal(open_exact(buf, raw_frame(b.type, b.body, b.len, 1)), HM_WIRE_ERR_RECORD);
}

static void test_wire_rejects_a_metric_of_unknown_kind(void **state)
{
    body_t b;
    body_of(put_metric, &b);
    const uint8_t kinds[] = {0, 3, 255};
    for (unsigned i = 0; i < sizeof kinds; i++) {
        b.body[2] = kinds[i];
        assert_int_equal(open_exact(buf, raw_frame(b.type, b.body, b.len, 1)), HM_WIRE_ERR_RECORD);
    }
}

/* --- hostile bytes --------------------------------------------------------- */

/* A frame of random records of every type with random fields. */
static size_t random_frame(uint64_t *seed, uint8_t *out, size_t cap)
{
    static const char *names[] = {"", "a", "GET /users/{id}", "\xc3\xa9t\xc3\xa9", "db"};
    hm_wire_writer_t w;
    hm_wire_begin(&w, out, cap, rng(seed), rng(seed));
    unsigned n = (unsigned)(rng(seed) % 12);
    for (unsigned i = 0; i < n; i++) {
        uint64_t x = rng(seed);
        hm_wire_str_t name = S(names[x % 5]);
        switch ((x >> 8) % 9) {
        case 0:
            hm_wire_put_hello(&w, (uint32_t)x, 1000, name, S(names[(x >> 16) % 5]));
            break;
        case 1:
            hm_wire_put_decl(&w, (x >> 16) & 1 ? HM_REC_ENDPOINT : HM_REC_PHASE, (uint16_t)x, name);
            break;
        case 2:
            hm_wire_put_metric(&w, (uint16_t)x, (x >> 16) & 1 ? HM_METRIC_GAUGE : HM_METRIC_COUNTER,
                               name);
            break;
        case 3:
        case 4: {
            hm_wire_sample_t s = rich_sample((uint8_t)((x >> 16) % 4), names[(x >> 20) % 5]);
            s.has_delay = (x >> 24) & 1;
            s.duration_ns = rng(seed);
            hm_wire_put_sample(&w, &s);
            break;
        }
        case 5:
            hm_wire_put_gauge(&w, (uint16_t)x, (uint16_t)(x >> 16), (int64_t)rng(seed));
            break;
        case 6:
            hm_wire_put_counter(&w, (uint16_t)x, (uint16_t)(x >> 16), rng(seed));
            break;
        case 7:
            hm_wire_put_drops(&w, rng(seed));
            break;
        default:
            hm_wire_put_heartbeat(&w);
            break;
        }
    }
    return hm_wire_end(&w);
}

/* Opens an exact heap copy of b and, if it is accepted, decodes it
 * consistently; counts the outcome. */
static void try_frame(const uint8_t *b, size_t len, unsigned outcomes[HM_WIRE_ERR__COUNT])
{
    uint8_t *c = exact_copy(b, len);
    hm_wire_err_t e = open_err(c, len);
    assert_true((unsigned)e < HM_WIRE_ERR__COUNT);
    if (e == HM_WIRE_OK)
        decode_consistently(c, len);
    outcomes[e]++;
    free(c);
}

static void test_wire_survives_random_buffers(void **state)
{
    uint64_t seed = 88172645463325252ull;
    unsigned outcomes[HM_WIRE_ERR__COUNT] = {0};
    uint8_t b[600];
    for (int i = 0; i < 200000; i++) {
        size_t len = (size_t)(rng(&seed) % sizeof b);
        for (size_t k = 0; k < len; k++)
            b[k] = (uint8_t)rng(&seed);
        /* most get a good header, so the records are what is tried; some a
         * good magic and a version and flags that are nearly right */
        if (i % 8 == 1 && len >= 4) {
            memcpy(b, "HM", 2);
            b[2] %= 3;
            b[3] = b[3] & 1 ? b[3] : 0;
        } else if (i % 8 && len >= 4) {
            memcpy(b, "HM\x01\x00", 4);
            if (len >= 8 && i % 2)
                set_count(b, b[4] % 8);
        }
        try_frame(b, len, outcomes);
    }
    /* the bytes reached every check */
    for (unsigned e = HM_WIRE_ERR_SHORT; e < HM_WIRE_ERR__COUNT; e++)
        if (e != HM_WIRE_ERR_TOO_BIG)
            assert_true(outcomes[e] > 0);
}

static void test_wire_survives_mutated_frames(void **state)
{
    uint64_t seed = 0x9E3779B97F4A7C15ull;
    unsigned outcomes[HM_WIRE_ERR__COUNT] = {0};
    uint8_t good[4096], b[4096 + 16];
    for (int i = 0; i < 200000; i++) {
        size_t len = random_frame(&seed, good, sizeof good);
        memcpy(b, good, len);
        unsigned muts = 1 + (unsigned)(rng(&seed) % 3);
        for (unsigned m = 0; m < muts; m++) {
            uint64_t x = rng(&seed);
            size_t at = (size_t)((x >> 8) % (len + 1));
            switch (x % 5) {
            case 0: /* flip a bit */
            case 1:
                if (at < len)
                    b[at] ^= (uint8_t)(1u << ((x >> 40) % 8));
                break;
            case 2: /* overwrite a byte */
                if (at < len)
                    b[at] = (uint8_t)(x >> 40);
                break;
            case 3: /* cut the frame */
                len = at;
                break;
            default: /* grow it by a few random bytes */
                for (unsigned k = 0; k < 1 + (x >> 40) % 8; k++)
                    b[len++] = (uint8_t)rng(&seed);
                break;
            }
        }
        try_frame(b, len, outcomes);
    }
    /* mutations both survive and get caught, for every reason a record can */
    assert_true(outcomes[HM_WIRE_OK] > 1000);
    assert_true(outcomes[HM_WIRE_ERR_TRUNCATED] > 1000);
    assert_true(outcomes[HM_WIRE_ERR_COUNT] > 1000);
    assert_true(outcomes[HM_WIRE_ERR_RECORD] > 1000);
}

/* --- names ------------------------------------------------------------------ */

static void test_wire_str_cuts_on_a_character_boundary(void **state)
{
    char name[400];
    bool cut = true;
    /* characters of 2, 3 and 4 bytes straddling byte 255 at every offset */
    const char *chars[] = {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"};
    for (unsigned c = 0; c < 3; c++) {
        size_t w = strlen(chars[c]);
        for (size_t start = 255 - w + 1; start <= 255; start++) {
            memset(name, 'a', start);
            strcpy(name + start, chars[c]);
            strcat(name, "tail");
            hm_wire_str_t s = hm_wire_str(name, &cut);
            assert_true(cut);
            assert_int_equal(s.len, start + w <= 255 ? start + w : start);
            assert_ptr_equal(s.ptr, name);
        }
    }
    /* 255 bytes fit whole; 256 do not */
    memset(name, 'a', 300);
    name[255] = 0;
    assert_int_equal(hm_wire_str(name, &cut).len, 255);
    assert_false(cut);
    name[255] = 'a';
    name[256] = 0;
    assert_int_equal(hm_wire_str(name, &cut).len, 255);
    assert_true(cut);
    /* bytes that are not UTF-8 lose at most 3 more */
    memset(name, 0x80, 300);
    name[300] = 0;
    assert_int_equal(hm_wire_str(name, &cut).len, 252);
    assert_true(cut);
    assert_int_equal(hm_wire_str("short", &cut).len, 5);
    assert_false(cut);
    assert_int_equal(hm_wire_str("", NULL).len, 0);
}

static void test_wire_names_every_error(void **state)
{
    for (unsigned e = 0; e < HM_WIRE_ERR__COUNT; e++) {
        const char *s = hm_wire_err_str((hm_wire_err_t)e);
        assert_non_null(s);
        assert_true(strlen(s) > 0);
        for (unsigned f = 0; f < e; f++)
            assert_string_not_equal(s, hm_wire_err_str((hm_wire_err_t)f));
    }
    assert_string_equal(hm_wire_err_str(HM_WIRE_ERR_TRUNCATED), "truncated record");
    assert_string_equal(hm_wire_err_str(HM_WIRE_ERR__COUNT), "unknown error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wire_round_trips_every_record),
        cmocka_unit_test(test_wire_round_trips_every_optional_sample_field),
        cmocka_unit_test(test_wire_returns_unknown_types_raw),
        cmocka_unit_test(test_wire_matches_the_documented_example),
        cmocka_unit_test(test_wire_full_writer_refuses_and_keeps_the_frame),
        cmocka_unit_test(test_wire_writer_stops_at_the_frame_max),
        cmocka_unit_test(test_wire_rejects_bad_headers),
        cmocka_unit_test(test_wire_rejects_every_truncation),
        cmocka_unit_test(test_wire_rejects_wrong_counts),
        cmocka_unit_test(test_wire_rejects_every_wrong_body_length),
        cmocka_unit_test(test_wire_rejects_bad_sample_fields),
        cmocka_unit_test(test_wire_rejects_strings_overrunning_their_body),
        cmocka_unit_test(test_wire_rejects_a_metric_of_unknown_kind),
        cmocka_unit_test(test_wire_survives_random_buffers),
        cmocka_unit_test(test_wire_survives_mutated_frames),
        cmocka_unit_test(test_wire_str_cuts_on_a_character_boundary),
        cmocka_unit_test(test_wire_names_every_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
