/* tests/test_collector.c - the engine over real ZeroMQ sockets on loopback. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>
#include <zmq.h>

#include "collector.h"
#include "frames.h"

#define MS 1000000ull

typedef struct {
    void *ctx;
    hm_collector_t *c;
    void *push;
} fixture_t;

static frame_t f;

static int setup(void **state)
{
    fixture_t *x = calloc(1, sizeof *x);
    x->ctx = zmq_ctx_new();
    hm_collector_options_t o = {.bind = "tcp://127.0.0.1:*", .snapshot_ms = 100};
    const char *why = NULL;
    assert_int_equal(hm_collector_new(x->ctx, &o, &x->c, &why), 0);
    x->push = zmq_socket(x->ctx, ZMQ_PUSH);
    int linger = 0;
    zmq_setsockopt(x->push, ZMQ_LINGER, &linger, sizeof linger);
    assert_int_equal(zmq_connect(x->push, hm_collector_address(x->c)), 0);
    *state = x;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *x = *state;
    zmq_close(x->push);
    hm_collector_destroy(&x->c);
    assert_null(x->c);
    zmq_ctx_term(x->ctx);
    free(x);
    return 0;
}

/* Refreshes until the snapshot has at least `samples` samples (bounded). */
static hm_snapshot_t *wait_samples(hm_collector_t *c, uint64_t samples)
{
    for (int i = 0; i < 100; i++) {
        assert_int_equal(hm_collector_refresh(c, 1000), 0);
        hm_snapshot_t *s = hm_collector_snapshot(c);
        if (s->counters.samples >= samples)
            return s;
        hm_snapshot_release(&s);
        struct timespec ts = {0, 20 * 1000000};
        nanosleep(&ts, NULL);
    }
    fail_msg("samples did not arrive");
    return NULL;
}

static void send_frame(fixture_t *x, size_t len)
{
    assert_int_equal(zmq_send(x->push, f.buf, len, 0), (int)len);
}

static void test_collector_shows_exact_counts_from_a_socket(void **state)
{
    fixture_t *x = *state;
    for (uint64_t seq = 0; seq < 10; seq++) {
        frame_begin(&f, 77, seq);
        frame_endpoint(&f, 1, "POST /pay");
        for (int i = 0; i < 1000; i++)
            frame_sample(&f, 1, 200, (uint64_t)(i % 100 + 1) * MS);
        send_frame(x, frame_end(&f));
    }
    hm_snapshot_t *s = wait_samples(x->c, 10000);
    const hm_snap_endpoint_t *e = hm_snapshot_find(s, "POST /pay");
    assert_non_null(e);
    assert_int_equal(e->win[HM_WIN_ALL].count, 10000);
    assert_true(e->win[HM_WIN_ALL].p50_ns >= 49500000 && e->win[HM_WIN_ALL].p50_ns <= 50500000);
    assert_int_equal(s->counters.frames, 10);
    assert_int_equal(s->counters.lost, 0);
    assert_int_equal(s->counters.senders_live, 1);
    hm_snapshot_release(&s);
}

static void test_collector_counts_garbage_as_rejected(void **state)
{
    fixture_t *x = *state;
    const char junk[] = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
    zmq_send(x->push, junk, sizeof junk, 0);
    frame_begin(&f, 5, 0);
    frame_endpoint(&f, 1, "ok");
    frame_sample(&f, 1, 200, MS);
    send_frame(x, frame_end(&f));
    hm_snapshot_t *s = wait_samples(x->c, 1);
    assert_int_equal(s->counters.rejected, 1);
    assert_int_equal(s->counters.rejected_by[HM_WIRE_ERR_MAGIC], 1);
    hm_snapshot_release(&s);
}

static void test_collector_reset_zeroes_stats_and_keeps_counters(void **state)
{
    fixture_t *x = *state;
    /* again and again: a refresh after a reset never shows what came before */
    for (uint64_t round = 1; round <= 20; round++) {
        frame_begin(&f, 5, round);
        frame_endpoint(&f, 1, "r");
        frame_sample(&f, 1, 200, MS);
        send_frame(x, frame_end(&f));
        hm_snapshot_t *s = wait_samples(x->c, round);
        assert_int_equal(hm_snapshot_find(s, "r")->win[HM_WIN_ALL].count, 1);
        hm_snapshot_release(&s);
        hm_collector_reset(x->c);
        assert_int_equal(hm_collector_refresh(x->c, 1000), 0);
        s = hm_collector_snapshot(x->c);
        const hm_snap_endpoint_t *e = hm_snapshot_find(s, "r");
        assert_non_null(e); /* names stay */
        assert_int_equal(e->win[HM_WIN_ALL].count, 0);
        assert_int_equal(s->counters.samples, round);
        assert_int_equal(s->counters.frames, round);
        assert_true(s->since_reset_ns < s->uptime_ns);
        hm_snapshot_release(&s);
    }
}

static void test_collector_refuses_an_address_in_use(void **state)
{
    fixture_t *x = *state;
    hm_collector_t *second = NULL;
    hm_collector_options_t o = {.bind = hm_collector_address(x->c)};
    const char *why = NULL;
    assert_int_equal(hm_collector_new(x->ctx, &o, &second, &why), EADDRINUSE);
    assert_null(second);
    assert_non_null(why);
    o.bind = "nonsense://here";
    assert_int_equal(hm_collector_new(x->ctx, &o, &second, &why), EINVAL);
}

static void test_collector_snapshot_exists_from_the_start(void **state)
{
    fixture_t *x = *state;
    hm_snapshot_t *s = hm_collector_snapshot(x->c);
    assert_non_null(s);
    assert_int_equal(s->nendpoints, 0);
    hm_snapshot_t *again = hm_snapshot_ref(s);
    hm_snapshot_release(&s);
    assert_null(s);
    assert_int_equal(again->nendpoints, 0);
    hm_snapshot_release(&again);
}

/* A collector that builds a snapshot only once a minute unless asked. */
static hm_collector_t *slow_collector(void *ctx)
{
    hm_collector_t *c = NULL;
    hm_collector_options_t o = {.bind = "tcp://127.0.0.1:*", .snapshot_ms = 60000};
    assert_int_equal(hm_collector_new(ctx, &o, &c, NULL), 0);
    return c;
}

static void test_collector_refresh_builds_at_once_and_snapshots_outlive_it(void **state)
{
    void *ctx = zmq_ctx_new();
    hm_collector_t *c = slow_collector(ctx);
    hm_snapshot_t *first = hm_collector_snapshot(c);
    for (int i = 0; i < 3; i++)
        assert_int_equal(hm_collector_refresh(c, 2000), 0);
    hm_snapshot_t *last = hm_collector_snapshot(c);
    assert_true(last->seq >= first->seq + 3);
    assert_true(last->taken_ns > first->taken_ns);
    hm_collector_destroy(&c);
    assert_null(c);
    hm_collector_destroy(&c); /* NULL is fine */
    /* a reader's snapshot stays valid after the collector has gone */
    assert_int_equal(last->nendpoints, 0);
    assert_int_equal(last->counters.frames, 0);
    hm_snapshot_release(&first);
    hm_snapshot_release(&last);
    zmq_ctx_term(ctx);
}

typedef struct {
    hm_collector_t *c;
    int bad;
} reader_t;

/* Takes, checks and releases snapshots, asking for fresh ones now and then. */
static void *reader_main(void *p)
{
    reader_t *rd = p;
    uint64_t seen = 0, samples = 0;
    for (int i = 0; i < 300; i++) {
        if (i % 10 == 0 && hm_collector_refresh(rd->c, 2000) != 0)
            rd->bad++;
        hm_snapshot_t *s = hm_collector_snapshot(rd->c);
        if (!s || s->seq < seen || s->counters.samples < samples)
            rd->bad++;
        seen = s->seq;
        samples = s->counters.samples;
        const hm_snap_endpoint_t *e = hm_snapshot_find(s, "GET /busy");
        if (e && e->win[HM_WIN_ALL].count > s->counters.samples)
            rd->bad++;
        hm_snapshot_release(&s);
    }
    return NULL;
}

static void test_collector_serves_readers_on_many_threads(void **state)
{
    fixture_t *x = *state;
    reader_t rd[3];
    pthread_t t[3];
    for (int i = 0; i < 3; i++) {
        rd[i] = (reader_t){x->c, 0};
        assert_int_equal(pthread_create(&t[i], NULL, reader_main, &rd[i]), 0);
    }
    for (uint64_t seq = 0; seq < 200; seq++) {
        frame_begin(&f, 8, seq);
        frame_endpoint(&f, 0, "GET /busy");
        for (int i = 0; i < 100; i++)
            frame_sample(&f, 0, 200, MS);
        send_frame(x, frame_end(&f));
    }
    for (int i = 0; i < 3; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(rd[i].bad, 0);
    }
    hm_snapshot_t *s = wait_samples(x->c, 20000);
    assert_int_equal(hm_snapshot_find(s, "GET /busy")->win[HM_WIN_ALL].count, 20000);
    assert_int_equal(s->counters.frames, 200);
    hm_snapshot_release(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_collector_shows_exact_counts_from_a_socket, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_collector_counts_garbage_as_rejected, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_collector_reset_zeroes_stats_and_keeps_counters,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_collector_refuses_an_address_in_use, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_collector_snapshot_exists_from_the_start, setup,
                                        teardown),
        cmocka_unit_test(test_collector_refresh_builds_at_once_and_snapshots_outlive_it),
        cmocka_unit_test_setup_teardown(test_collector_serves_readers_on_many_threads, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
