/*
 * tests/test_client_limits.c - libhotmon given what a service should not
 * give it, with no collector at all: names beyond HM_NAME_MAX and not UTF-8,
 * durations and statuses out of range. Each is kept, cut or clamped, and
 * counted; the client's identity produced = sent + dropped + buffered holds.
 * And a collector that appears after sends have failed hears every name
 * before its samples.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <zmq.h>

#include "hotmon.h"
#include "wire.h"

/* An ipc address in a fresh directory: nobody listens there. */
static void absent_address(char *addr, size_t n, char *dir, size_t dn)
{
    snprintf(dir, dn, "/tmp/hm-limits.XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(addr, n, "ipc://%s/none", dir);
}

static hm_client_t *open_absent(char *dir, size_t dn)
{
    char addr[256];
    absent_address(addr, sizeof addr, dir, dn);
    hm_options_t o = {.endpoint = addr, .service = "limits"};
    hm_client_t *c = NULL;
    assert_int_equal(hm_open(&o, &c), 0);
    return c;
}

static void close_absent(hm_client_t **c, const char *dir)
{
    hm_close(c);
    assert_null(*c);
    rmdir(dir);
}

/* Waits (bounded) until the publisher has emptied the rings. */
static void settle(hm_client_t *c, hm_client_stats_t *st)
{
    for (int i = 0; i < 500; i++) {
        hm_client_stats(c, st);
        if (st->buffered == 0)
            return;
        struct timespec ts = {0, 10000000L};
        nanosleep(&ts, NULL);
    }
}

static void test_client_cuts_a_64k_name_and_counts_it(void **state)
{
    (void)state;
    char dir[64];
    hm_client_t *c = open_absent(dir, sizeof dir);
    size_t big = 64 * 1024;
    char *name = malloc(big + 1);
    assert_non_null(name);
    memset(name, 'n', big);
    name[big] = '\0';
    hm_endpoint_t a, b;
    assert_int_equal(hm_endpoint(c, name, &a), 0);
    /* The same long name again is the same endpoint, and is not cut twice. */
    assert_int_equal(hm_endpoint(c, name, &b), 0);
    assert_int_equal(a, b);
    /* A name differing only beyond byte 255 is, on the wire, the same name. */
    name[big - 1] = 'x';
    assert_int_equal(hm_endpoint(c, name, &b), 0);
    assert_int_equal(a, b);
    hm_client_stats_t st;
    hm_client_stats(c, &st);
    assert_int_equal(st.names_cut, 1);
    /* Gauge and counter names too, each kind once. */
    hm_metric_t g1, g2, k;
    assert_int_equal(hm_gauge(c, name, &g1), 0);
    assert_int_equal(hm_gauge(c, name, &g2), 0);
    assert_int_equal(g1, g2);
    assert_int_equal(hm_counter(c, name, &k), 0);
    assert_int_not_equal(k, g1);
    hm_client_stats(c, &st);
    assert_int_equal(st.names_cut, 3);
    free(name);
    close_absent(&c, dir);
}

static void test_client_cuts_names_at_a_character_boundary(void **state)
{
    (void)state;
    char dir[64];
    hm_client_t *c = open_absent(dir, sizeof dir);
    /* 254 ASCII bytes and a 3-byte character: byte 255 falls inside it. */
    char name[300];
    memset(name, 'a', 254);
    strcpy(name + 254, "\xe2\x82\xac tail");
    hm_endpoint_t a, b;
    assert_int_equal(hm_endpoint(c, name, &a), 0);
    name[254] = '\0';
    /* What was kept is the 254 ASCII bytes, without half a character. */
    assert_int_equal(hm_endpoint(c, name, &b), 0);
    assert_int_equal(a, b);
    hm_client_stats_t st;
    hm_client_stats(c, &st);
    assert_int_equal(st.names_cut, 1);
    close_absent(&c, dir);
}

static void test_client_takes_invalid_utf8_and_odd_values(void **state)
{
    (void)state;
    char dir[64];
    hm_client_t *c = open_absent(dir, sizeof dir);
    hm_endpoint_t bad, esc;
    assert_int_equal(hm_endpoint(c, "bad \xff\xfe \xc3", &bad), 0);
    assert_int_equal(hm_endpoint(c, "\x1b[2J\x1b]52;c;aGk=\x07", &esc), 0);
    assert_int_equal(hm_endpoint(c, "", &esc), EINVAL);
    hm_record(c, bad, 0, 200);
    hm_record(c, bad, UINT64_MAX, -5);     /* a negative duration, as a service may compute it */
    hm_record(c, bad, 7200000000000ull, 70000);
    hm_record(c, (hm_endpoint_t)4000, 1000, 200); /* never declared: ignored */
    hm_client_stats_t st;
    settle(c, &st);
    assert_int_equal(st.produced, 3);
    assert_int_equal(st.produced, st.sent + st.dropped + st.buffered);
    assert_int_equal(st.names_cut, 0);
    close_absent(&c, dir);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void test_client_close_without_collector_is_bounded(void **state)
{
    (void)state;
    char dir[64];
    hm_client_t *c = open_absent(dir, sizeof dir);
    hm_endpoint_t ep;
    assert_int_equal(hm_endpoint(c, "close", &ep), 0);
    for (int i = 0; i < 100000; i++)
        hm_record(c, ep, 1000000, 200);
    uint64_t t0 = now_ns();
    close_absent(&c, dir);
    /* close_timeout_ms is 100 by default; sanitizers and a loaded machine
     * get room, the figure for the doc comes from tests/faults.sh. */
    assert_true(now_ns() - t0 < 1000000000ull);
}

typedef struct {
    hm_client_t *c;
    hm_endpoint_t ep;
    atomic_bool stop;
} recorder_t;

static void *record_flat_out(void *arg)
{
    recorder_t *r = arg;
    while (!atomic_load(&r->stop))
        for (int i = 0; i < 1000; i++)
            hm_record(r->c, r->ep, 1000000, 200);
    return NULL;
}

/* Sends fail while nobody listens; the collector that then appears must
 * hear each name before its first sample, even when the first frame that
 * gets through was begun right after a failed send (publisher.c). */
static void test_client_names_come_before_samples_when_a_collector_appears(void **state)
{
    (void)state;
    char dir[64], addr[256];
    absent_address(addr, sizeof addr, dir, sizeof dir);
    hm_options_t o = {.endpoint = addr, .service = "late"};
    recorder_t r = {0};
    assert_int_equal(hm_open(&o, &r.c), 0);
    assert_int_equal(hm_endpoint(r.c, "late", &r.ep), 0);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, record_flat_out, &r), 0);
    struct timespec ts = {0, 200000000L};
    nanosleep(&ts, NULL); /* frames fill and fail: nobody is there */

    void *ctx = zmq_ctx_new();
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    int tmo = 100, linger = 0;
    zmq_setsockopt(pull, ZMQ_RCVTIMEO, &tmo, sizeof tmo);
    zmq_setsockopt(pull, ZMQ_LINGER, &linger, sizeof linger);
    assert_int_equal(zmq_bind(pull, addr), 0);
    static uint8_t buf[HM_WIRE_FRAME_MAX];
    bool known = false;
    uint64_t samples = 0, before_name = 0, frames = 0;
    for (int waited = 0; waited < 3000 && frames < 20;) {
        int n = zmq_recv(pull, buf, sizeof buf, 0);
        if (n < 0) {
            waited += tmo;
            continue;
        }
        hm_wire_reader_t rd;
        hm_wire_header_t h;
        assert_int_equal(hm_wire_open(&rd, buf, (size_t)n, &h), HM_WIRE_OK);
        frames++;
        hm_wire_record_t rec;
        while (hm_wire_next(&rd, &rec)) {
            if (rec.type == HM_REC_ENDPOINT && rec.u.decl.id == r.ep)
                known = true;
            if (rec.type == HM_REC_SAMPLE) {
                samples++;
                before_name += !known;
            }
        }
    }
    atomic_store(&r.stop, true);
    pthread_join(t, NULL);
    close_absent(&r.c, dir);
    zmq_close(pull);
    zmq_ctx_term(ctx);
    assert_true(samples > 0);
    assert_int_equal(before_name, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_client_cuts_a_64k_name_and_counts_it),
        cmocka_unit_test(test_client_cuts_names_at_a_character_boundary),
        cmocka_unit_test(test_client_takes_invalid_utf8_and_odd_values),
        cmocka_unit_test(test_client_close_without_collector_is_bounded),
        cmocka_unit_test(test_client_names_come_before_samples_when_a_collector_appears),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
