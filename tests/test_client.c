/* tests/test_client.c - libhotmon against a real PULL socket on loopback. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zmq.h>

#include "hotmon.h"
#include "wire.h"

#define MS 1000000ull

/* What a test's collector has seen, decoded with the real codec. */
typedef struct {
    char service[64];
    char endpoint[8][64];
    char phase[8][64];
    char metric[8][64];
    uint64_t samples, sum_ns, delays, frames;
    uint64_t by_ep[8];
    uint64_t phase_ns[8];
    char rid[64];
    int64_t inflight[8], gauge[8];
    uint64_t counter[8], drops;
    uint16_t last_status;
} seen_t;

typedef struct {
    void *ctx, *pull;
    char addr[128];
} sink_t;

static void sink_open(sink_t *k, const char *bind)
{
    k->ctx = zmq_ctx_new();
    k->pull = zmq_socket(k->ctx, ZMQ_PULL);
    int linger = 0, tmo = 50;
    zmq_setsockopt(k->pull, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(k->pull, ZMQ_RCVTIMEO, &tmo, sizeof tmo);
    assert_int_equal(zmq_bind(k->pull, bind), 0);
    size_t len = sizeof k->addr;
    zmq_getsockopt(k->pull, ZMQ_LAST_ENDPOINT, k->addr, &len);
}

static void sink_close(sink_t *k)
{
    zmq_close(k->pull);
    zmq_ctx_term(k->ctx);
}

/* An address nobody listens on: a wildcard port bound, then let go. */
static void free_address(char addr[128])
{
    sink_t k;
    sink_open(&k, "tcp://127.0.0.1:*");
    strcpy(addr, k.addr);
    sink_close(&k);
}

static void copy_str(char *dst, hm_wire_str_t s)
{
    memcpy(dst, s.ptr, s.len < 63 ? s.len : 63);
    dst[s.len < 63 ? s.len : 63] = '\0';
}

/* Receives frames for up to ms milliseconds or until done(seen) holds. */
static void receive(sink_t *k, seen_t *v, int ms, bool (*done)(const seen_t *))
{
    uint8_t buf[HM_WIRE_FRAME_MAX];
    for (int waited = 0; waited < ms && !(done && done(v));) {
        int n = zmq_recv(k->pull, buf, sizeof buf, 0);
        if (n < 0) {
            waited += 50;
            continue;
        }
        hm_wire_reader_t r;
        hm_wire_header_t h;
        assert_int_equal(hm_wire_open(&r, buf, (size_t)n, &h), HM_WIRE_OK);
        v->frames++;
        hm_wire_record_t rec;
        while (hm_wire_next(&r, &rec)) {
            switch (rec.type) {
            case HM_REC_HELLO:
                copy_str(v->service, rec.u.hello.service);
                break;
            case HM_REC_ENDPOINT:
                if (rec.u.decl.id < 8)
                    copy_str(v->endpoint[rec.u.decl.id], rec.u.decl.name);
                break;
            case HM_REC_PHASE:
                if (rec.u.decl.id < 8)
                    copy_str(v->phase[rec.u.decl.id], rec.u.decl.name);
                break;
            case HM_REC_METRIC:
                if (rec.u.metric.id < 8)
                    copy_str(v->metric[rec.u.metric.id], rec.u.metric.name);
                break;
            case HM_REC_SAMPLE: {
                const hm_wire_sample_t *s = &rec.u.sample;
                v->samples++;
                v->sum_ns += s->duration_ns;
                v->delays += s->delay_ns;
                v->last_status = s->status;
                if (s->endpoint < 8)
                    v->by_ep[s->endpoint]++;
                for (unsigned i = 0; i < s->nphases; i++)
                    if (s->phases[i].phase < 8)
                        v->phase_ns[s->phases[i].phase] += s->phases[i].ns;
                if (s->request_id.len)
                    copy_str(v->rid, s->request_id);
                break;
            }
            case HM_REC_GAUGE:
                if (rec.u.gauge.endpoint < 8) {
                    if (rec.u.gauge.metric == HM_WIRE_METRIC_INFLIGHT)
                        v->inflight[rec.u.gauge.endpoint] = rec.u.gauge.value;
                    else
                        v->gauge[rec.u.gauge.endpoint] = rec.u.gauge.value;
                }
                break;
            case HM_REC_COUNTER:
                if (rec.u.counter.endpoint < 8)
                    v->counter[rec.u.counter.endpoint] = rec.u.counter.total;
                break;
            case HM_REC_DROPS:
                v->drops = rec.u.drops.total;
                break;
            default:
                break;
            }
        }
    }
}

static bool got_hello(const seen_t *v)
{
    return v->service[0] != '\0';
}

static hm_client_t *open_to(const char *addr, const char *service)
{
    hm_options_t o = {.endpoint = addr, .service = service, .declare_every_ms = 100};
    hm_client_t *c = NULL;
    assert_int_equal(hm_open(&o, &c), 0);
    assert_non_null(c);
    return c;
}

#define THREADS 4
#define PER_THREAD 20000

typedef struct {
    hm_client_t *c;
    hm_endpoint_t ep;
} worker_t;

static void *worker(void *arg)
{
    worker_t *w = arg;
    for (int i = 0; i < PER_THREAD; i++) {
        hm_record(w->c, w->ep, 1000 + (uint64_t)(i % 10), 200);
        if (i % 2000 == 1999) {
            /* Let the publisher catch up (bounded): no ring may fill here, even
             * on a loaded machine where it is off the CPU for a while. */
            hm_client_stats_t st;
            for (int waited = 0; waited < 2000; waited++) {
                hm_client_stats(w->c, &st);
                if (st.buffered < 4000)
                    break;
                struct timespec ts = {0, 1000000};
                nanosleep(&ts, NULL);
            }
        }
    }
    return NULL;
}

static bool got_all(const seen_t *v)
{
    return v->samples >= THREADS * PER_THREAD;
}

static void test_client_delivers_every_sample_from_four_threads(void **state)
{
    sink_t k;
    sink_open(&k, "tcp://127.0.0.1:*");
    hm_client_t *c = open_to(k.addr, "checkout");
    hm_endpoint_t ep;
    assert_int_equal(hm_endpoint(c, "GET /cart", &ep), 0);
    hm_endpoint_t again;
    assert_int_equal(hm_endpoint(c, "GET /cart", &again), 0);
    assert_int_equal(again, ep);
    /* wait until connected (the client's first frame has arrived), so no
     * sample meets EAGAIN, however long a loaded machine takes */
    seen_t v = {0};
    receive(&k, &v, 10000, got_hello);
    assert_string_equal(v.service, "checkout");
    worker_t w = {c, ep};
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, worker, &w);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    receive(&k, &v, 5000, got_all);
    assert_int_equal(v.samples, THREADS * PER_THREAD);
    assert_int_equal(v.sum_ns, (uint64_t)THREADS * (PER_THREAD / 10) * (10000 + 45));
    assert_string_equal(v.service, "checkout");
    assert_string_equal(v.endpoint[ep], "GET /cart");
    assert_string_equal(v.metric[HM_GAUGE_QUEUE], "queue");
    hm_client_stats_t st;
    hm_client_stats(c, &st);
    assert_int_equal(st.produced, THREADS * PER_THREAD);
    assert_int_equal(st.sent, THREADS * PER_THREAD);
    assert_int_equal(st.dropped, 0);
    hm_close(&c);
    assert_null(c);
    sink_close(&k);
}

static bool got_one(const seen_t *v)
{
    return v->samples >= 1;
}

static void test_client_carries_phases_request_ids_and_open_loop_delay(void **state)
{
    sink_t k;
    sink_open(&k, "tcp://127.0.0.1:*");
    hm_client_t *c = open_to(k.addr, "svc");
    hm_endpoint_t ep;
    hm_phase_t wait, exec;
    hm_endpoint(c, "q", &ep);
    hm_phase(c, "wait", &wait);
    hm_phase(c, "exec", &exec);
    seen_t v = {0};
    receive(&k, &v, 10000, got_hello); /* connected: no sample meets EAGAIN */
    hm_span_t s = hm_start_at(c, ep, hm_now_ns() - 5 * MS); /* started 5 ms late */
    assert_int_not_equal(s, HM_SPAN_NONE);
    struct timespec ts = {0, 2 * 1000000};
    nanosleep(&ts, NULL);
    hm_mark(c, s, wait);
    nanosleep(&ts, NULL);
    hm_mark(c, s, exec);
    hm_request_id(c, s, "req-42");
    hm_end(c, s, 503);
    receive(&k, &v, 3000, got_one);
    assert_int_equal(v.samples, 1);
    assert_int_equal(v.last_status, 503);
    assert_string_equal(v.rid, "req-42");
    assert_string_equal(v.phase[wait], "wait");
    assert_true(v.phase_ns[wait] >= 2 * MS && v.phase_ns[exec] >= 2 * MS);
    assert_true(v.delays >= 5 * MS && v.delays < 50 * MS);
    /* the service time counts from the real start, not the intended one */
    assert_true(v.sum_ns >= 4 * MS && v.sum_ns < v.delays + 50 * MS);
    assert_int_equal(hm_start(c, 999), HM_SPAN_NONE); /* undeclared endpoint */
    hm_close(&c);
    sink_close(&k);
}

static bool got_values(const seen_t *v)
{
    return v->inflight[0] == 2 && v->gauge[0] == 17 && v->counter[0] == 5;
}

static bool got_settled(const seen_t *v)
{
    return v->inflight[0] == 0 && v->counter[0] == 12;
}

static void test_client_sends_inflight_gauges_and_counter_totals(void **state)
{
    sink_t k;
    sink_open(&k, "tcp://127.0.0.1:*");
    hm_client_t *c = open_to(k.addr, "svc");
    hm_endpoint_t ep;
    hm_metric_t hits;
    hm_endpoint(c, "e", &ep);
    assert_int_equal(hm_counter(c, "cache_hits", &hits), 0);
    hm_span_t a = hm_start(c, ep);
    hm_span_t b = hm_start(c, ep);
    hm_gauge_set(c, ep, HM_GAUGE_QUEUE, 17);
    hm_counter_add(c, ep, hits, 2);
    hm_counter_add(c, ep, hits, 3);
    seen_t v = {0};
    receive(&k, &v, 3000, got_values);
    assert_int_equal(v.inflight[0], 2);
    assert_int_equal(v.gauge[0], 17);
    assert_int_equal(v.counter[0], 5);
    hm_end(c, a, 200);
    hm_end(c, b, 200);
    hm_counter_add(c, ep, hits, 7);
    receive(&k, &v, 3000, got_settled);
    assert_int_equal(v.inflight[0], 0); /* the change to zero is sent too */
    assert_int_equal(v.counter[0], 12); /* a running total, not a delta */
    hm_close(&c);
    sink_close(&k);
}

/* A client on an address nobody listens on (given back in addr), n samples
 * recorded on endpoint `name`, then 100 ms for the publisher to meet EAGAIN. */
static hm_client_t *record_alone(char addr[128], const char *name, int n, hm_endpoint_t *ep)
{
    free_address(addr);
    hm_client_t *c = open_to(addr, "lonely");
    assert_int_equal(hm_endpoint(c, name, ep), 0);
    for (int i = 0; i < n; i++)
        hm_record(c, *ep, 1000, 200);
    struct timespec ts = {0, 100 * 1000000};
    nanosleep(&ts, NULL);
    return c;
}

static void test_client_without_collector_counts_drops_and_closes_fast(void **state)
{
    char addr[128];
    hm_endpoint_t ep;
    hm_client_t *c = record_alone(addr, "x", 100000, &ep);
    hm_client_stats_t st;
    hm_client_stats(c, &st);
    assert_int_equal(st.produced, 100000);
    assert_int_equal(st.sent, 0);
    assert_int_equal(st.produced, st.sent + st.dropped + st.buffered);
    assert_true(st.dropped > 0);
    uint64_t t0 = hm_now_ns();
    hm_close(&c);
    uint64_t took = hm_now_ns() - t0;
    print_message("hm_close without a collector took %.1f ms\n", (double)took / 1e6);
    assert_true(took < 300 * MS);
}

static bool got_drops(const seen_t *v)
{
    return v->drops >= 1000 && v->endpoint[0][0];
}

static void test_client_teaches_a_late_collector_names_and_drops(void **state)
{
    char addr[128];
    hm_endpoint_t ep;
    hm_client_t *c = record_alone(addr, "GET /late", 1000, &ep);
    sink_t k;
    sink_open(&k, addr); /* the collector comes up */
    seen_t v = {0};
    receive(&k, &v, 5000, got_drops);
    assert_string_equal(v.endpoint[ep], "GET /late");
    assert_int_equal(v.drops, 1000);
    hm_close(&c);
    sink_close(&k);
}

static void test_client_refuses_a_bad_address_and_names(void **state)
{
    hm_options_t o = {.endpoint = "not an address"};
    hm_client_t *c = NULL;
    assert_int_equal(hm_open(&o, &c), EINVAL);
    assert_null(c);
    o.endpoint = "nosuch://where";
    assert_int_equal(hm_open(&o, &c), EINVAL);
    assert_null(c);
    assert_int_equal(hm_open(NULL, &c), 0);
    hm_endpoint_t ep;
    assert_int_equal(hm_endpoint(c, "", &ep), EINVAL);
    assert_int_equal(hm_endpoint(c, NULL, &ep), EINVAL);
    hm_metric_t m;
    assert_int_equal(hm_gauge(c, "queue", &m), 0);
    assert_int_equal(m, HM_GAUGE_QUEUE); /* declared at open */
    hm_close(&c);
    hm_close(&c); /* accepts *self_p == NULL */
    hm_close(NULL);
}

static void test_client_takes_address_and_service_from_the_environment(void **state)
{
    sink_t k;
    sink_open(&k, "tcp://127.0.0.1:*");
    setenv("HOTMON_ENDPOINT", k.addr, 1);
    setenv("HOTMON_SERVICE", "from-env", 1);
    hm_client_t *c = NULL;
    assert_int_equal(hm_open(NULL, &c), 0);
    unsetenv("HOTMON_ENDPOINT");
    unsetenv("HOTMON_SERVICE");
    hm_endpoint_t ep;
    assert_int_equal(hm_endpoint(c, "env", &ep), 0);
    seen_t v = {0};
    receive(&k, &v, 10000, got_hello); /* connected: no sample meets EAGAIN */
    hm_record(c, ep, 777, 200);
    receive(&k, &v, 3000, got_one);
    assert_string_equal(v.service, "from-env");
    assert_int_equal(v.samples, 1);
    assert_int_equal(v.sum_ns, 777);
    hm_close(&c);
    sink_close(&k);
}

typedef struct {
    hm_client_t *c;
    hm_endpoint_t ep;
    atomic_bool stop;
} hammer_t;

static void *hammer(void *arg)
{
    hammer_t *h = arg;
    while (!atomic_load(&h->stop)) {
        hm_record(h->c, h->ep, 5, 200);
        hm_end(h->c, hm_start(h->c, h->ep), 500);
    }
    return NULL;
}

static void test_client_stats_add_up_at_every_instant(void **state)
{
    /* No collector, small rings: samples are taken, sent into EAGAIN and
     * refused by full rings while the figures are read. */
    char addr[128];
    free_address(addr);
    hm_options_t o = {.endpoint = addr, .service = "busy", .ring_capacity = 64};
    hm_client_t *c = NULL;
    assert_int_equal(hm_open(&o, &c), 0);
    hammer_t h = {.c = c};
    hm_endpoint(c, "x", &h.ep);
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, hammer, &h);
    hm_client_stats_t st, prev = {0};
    uint64_t reads = 0, unbalanced = 0, backwards = 0, too_many = 0;
    uint64_t until = hm_now_ns() + 200 * MS;
    while (hm_now_ns() < until) {
        hm_client_stats(c, &st);
        reads++;
        unbalanced += st.produced != st.sent + st.dropped + st.buffered;
        backwards += st.produced < prev.produced || st.dropped < prev.dropped;
        /* never "negative": an unsigned wrap would show as a huge figure (it
         * may overstate by what was recorded while the reader was preempted) */
        too_many += st.buffered > 1000000;
        prev = st;
    }
    atomic_store(&h.stop, true);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    /* asserted after the join, so a failure leaves no thread behind */
    assert_true(reads > 100);
    assert_int_equal(unbalanced, 0);
    assert_int_equal(backwards, 0);
    assert_int_equal(too_many, 0);
    hm_client_stats(c, &st);
    assert_true(st.produced > 1000 && st.dropped > 0);
    hm_close(&c);
}

static void *short_lived(void *arg)
{
    worker_t *w = arg;
    for (int i = 0; i < 10; i++)
        hm_record(w->c, w->ep, 100, 200);
    return NULL;
}

static bool got_recycled(const seen_t *v)
{
    return v->samples >= 400 * 10;
}

static void test_client_recycles_the_rings_of_exited_threads(void **state)
{
    /* More threads than ring slots, one after another: each exit frees its
     * slot for a later thread, and nothing is lost. */
    sink_t k;
    sink_open(&k, "tcp://127.0.0.1:*");
    hm_client_t *c = open_to(k.addr, "churn");
    worker_t w = {c, 0};
    hm_endpoint(c, "churn", &w.ep);
    seen_t v = {0};
    receive(&k, &v, 10000, got_hello); /* connected: no sample meets EAGAIN */
    for (int i = 0; i < 400; i++) {
        pthread_t t;
        assert_int_equal(pthread_create(&t, NULL, short_lived, &w), 0);
        pthread_join(t, NULL);
    }
    receive(&k, &v, 5000, got_recycled);
    assert_int_equal(v.samples, 400 * 10);
    hm_client_stats_t st;
    hm_client_stats(c, &st);
    assert_int_equal(st.produced, 4000);
    assert_int_equal(st.dropped, 0);
    hm_close(&c);
    sink_close(&k);
}

typedef struct {
    hm_client_t *c;
    pthread_barrier_t *claimed, *done;
    int rc;
} holder_t;

static void *hold_a_slot(void *arg)
{
    holder_t *h = arg;
    h->rc = hm_thread_ready(h->c);
    pthread_barrier_wait(h->claimed);
    pthread_barrier_wait(h->done);
    return NULL;
}

static void *claim_once(void *arg)
{
    holder_t *h = arg;
    h->rc = hm_thread_ready(h->c);
    return NULL;
}

static void test_client_thread_ready_claims_a_slot_until_none_is_left(void **state)
{
    /* No collector needed: claiming is local. Small rings keep 256 cheap. */
    hm_options_t o = {.endpoint = "tcp://127.0.0.1:1", .service = "ready", .ring_capacity = 16};
    hm_client_t *c = NULL;
    assert_int_equal(hm_open(&o, &c), 0);
    assert_int_equal(hm_thread_ready(c), 0);
    assert_int_equal(hm_thread_ready(c), 0); /* the same slot again */
    enum { OTHERS = HM_CLIENT_THREADS_MAX - 1 };
    pthread_barrier_t claimed, done;
    pthread_barrier_init(&claimed, NULL, OTHERS + 1);
    pthread_barrier_init(&done, NULL, OTHERS + 1);
    static holder_t h[OTHERS];
    static pthread_t t[OTHERS];
    for (int i = 0; i < OTHERS; i++) {
        h[i] = (holder_t){c, &claimed, &done, -1};
        assert_int_equal(pthread_create(&t[i], NULL, hold_a_slot, &h[i]), 0);
    }
    pthread_barrier_wait(&claimed);
    for (int i = 0; i < OTHERS; i++)
        assert_int_equal(h[i].rc, 0);
    /* Every slot is held: one thread more is told so, and its samples are
     * counted as dropped. */
    holder_t late = {c, NULL, NULL, -1};
    pthread_t lt;
    assert_int_equal(pthread_create(&lt, NULL, claim_once, &late), 0);
    pthread_join(lt, NULL);
    assert_int_equal(late.rc, ENOSPC);
    pthread_barrier_wait(&done);
    for (int i = 0; i < OTHERS; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&claimed);
    pthread_barrier_destroy(&done);
    /* The exits retire their slots; the publisher frees them within a flush
     * interval for the next thread. */
    late.rc = -1;
    for (int tries = 0; tries < 200 && late.rc != 0; tries++) {
        struct timespec ts = {0, 10 * 1000000};
        nanosleep(&ts, NULL);
        assert_int_equal(pthread_create(&lt, NULL, claim_once, &late), 0);
        pthread_join(lt, NULL);
    }
    assert_int_equal(late.rc, 0);
    hm_close(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_client_delivers_every_sample_from_four_threads),
        cmocka_unit_test(test_client_carries_phases_request_ids_and_open_loop_delay),
        cmocka_unit_test(test_client_sends_inflight_gauges_and_counter_totals),
        cmocka_unit_test(test_client_without_collector_counts_drops_and_closes_fast),
        cmocka_unit_test(test_client_teaches_a_late_collector_names_and_drops),
        cmocka_unit_test(test_client_refuses_a_bad_address_and_names),
        cmocka_unit_test(test_client_takes_address_and_service_from_the_environment),
        cmocka_unit_test(test_client_stats_add_up_at_every_instant),
        cmocka_unit_test(test_client_recycles_the_rings_of_exited_threads),
        cmocka_unit_test(test_client_thread_ready_claims_a_slot_until_none_is_left),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
