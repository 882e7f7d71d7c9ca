/* tests/test_load_sim.c - the synthetic service in virtual time (no clock,
 * no sleep): arrivals, queues, time-outs, refusals, closed loop, degrading,
 * errors; and the sweep's knee. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "load_report.h"
#include "load_sim.h"

#define MS 1000000ull
#define S 1000000000ull
#define T0 (1000 * S) /* any start: the sim never reads a clock */

typedef struct {
    hm_load_done_t *d;
    size_t n, cap;
    uint32_t queue_now, queue_max;
} log_t;

static void on_done(void *ctx, const hm_load_done_t *d)
{
    log_t *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 1024;
        l->d = realloc(l->d, l->cap * sizeof *l->d);
        assert_non_null(l->d);
    }
    l->d[l->n++] = *d;
}

static void on_queue(void *ctx, uint32_t endpoint, uint32_t depth)
{
    log_t *l = ctx;
    l->queue_now = depth;
    if (depth > l->queue_max)
        l->queue_max = depth;
}

static hm_load_endpoint_t endpoint(const char *latency)
{
    hm_load_endpoint_t e;
    const char *why;
    hm_load_endpoint_defaults(&e);
    assert_int_equal(hm_load_endpoint_set(&e, "latency", latency, &why), 0);
    return e;
}

/* Plays eps from T0 to T0 + until_ns, in steps of 1 ms as a worker would. */
static void play(const hm_load_endpoint_t *eps, size_t n, double rate, uint32_t users,
                 uint64_t until_ns, log_t *l)
{
    hm_load_sim_t *sim = NULL;
    assert_int_equal(hm_load_sim_new(eps, n, rate, users, T0, 42, &sim), 0);
    hm_load_sink_t sink = {on_done, on_queue, l};
    for (uint64_t t = T0; t <= T0 + until_ns; t += MS)
        while (hm_load_sim_run(sim, t, &sink) <= t)
            ;
    hm_load_sim_destroy(&sim);
}

static size_t count_status(const log_t *l, int status)
{
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++)
        k += l->d[i].status == status;
    return k;
}

static void test_sim_open_loop_keeps_its_rate_and_latency(void **state)
{
    hm_load_endpoint_t eps[2] = {endpoint("constant:5ms"), endpoint("constant:5ms")};
    eps[1].weight = 3; /* three quarters of the rate */
    log_t l = {0};
    play(eps, 2, 1000, 0, 10 * S, &l);
    size_t per[2] = {0};
    for (size_t i = 0; i < l.n; i++) {
        const hm_load_done_t *d = &l.d[i];
        per[d->endpoint]++;
        assert_int_equal(d->start_ns, d->intended_ns);
        assert_int_equal(d->end_ns - d->intended_ns, 5 * MS);
        assert_int_equal(d->status, 200);
        assert_true(d->end_ns <= T0 + 10 * S);
    }
    assert_true(per[0] >= 2498 && per[0] <= 2500);
    assert_true(per[1] >= 7497 && per[1] <= 7500);
    assert_int_equal(l.queue_max, 0);
    free(l.d);
}

static void test_sim_queue_grows_when_the_rate_exceeds_capacity(void **state)
{
    /* 1 slot of 10 ms serves 100/s; 200/s arrive: the queue grows by 100 a
     * second and each request waits 5 ms longer than the one before. */
    hm_load_endpoint_t e = endpoint("constant:10ms");
    e.capacity = 1;
    log_t l = {0};
    play(&e, 1, 200, 0, 1 * S, &l);
    assert_true(l.n >= 99 && l.n <= 101);
    assert_true(l.queue_now >= 95 && l.queue_now <= 101);
    uint64_t prev = 0;
    for (size_t i = 0; i < l.n; i++) {
        const hm_load_done_t *d = &l.d[i];
        assert_int_equal(d->end_ns - d->start_ns, 10 * MS);
        assert_true(d->end_ns - d->intended_ns >= prev); /* latency only grows */
        prev = d->end_ns - d->intended_ns;
    }
    assert_true(prev >= 480 * MS && prev <= 520 * MS);
    free(l.d);
}

static void test_sim_waiting_requests_time_out_with_503(void **state)
{
    hm_load_endpoint_t e = endpoint("constant:100ms");
    e.capacity = 1;
    e.timeout_ns = 50 * MS;
    log_t l = {0};
    play(&e, 1, 100, 0, 2 * S, &l);
    size_t timed_out = count_status(&l, 503), served = count_status(&l, 200);
    assert_true(served >= 18 && served <= 21);
    assert_true(timed_out >= 170);
    for (size_t i = 0; i < l.n; i++) {
        const hm_load_done_t *d = &l.d[i];
        if (d->status == 503)
            assert_int_equal(d->end_ns - d->intended_ns, 50 * MS);
        else
            assert_true(d->start_ns - d->intended_ns <= 50 * MS);
    }
    assert_true(l.queue_max <= 5);
    free(l.d);
}

static void test_sim_full_queue_refuses_at_once(void **state)
{
    hm_load_endpoint_t e = endpoint("constant:10s");
    e.capacity = 1;
    e.queue_max = 5;
    log_t l = {0};
    play(&e, 1, 100, 0, 1 * S, &l);
    assert_int_equal(l.queue_max, 5);
    assert_true(l.n >= 93 && l.n <= 95); /* 100 arrived: 1 served, 5 wait, the rest refused */
    assert_int_equal(count_status(&l, 503), l.n);
    for (size_t i = 0; i < l.n; i++)
        assert_int_equal(l.d[i].end_ns, l.d[i].intended_ns);
    free(l.d);
}

static void test_sim_closed_loop_is_bounded_by_capacity(void **state)
{
    /* 8 users, 2 slots of 10 ms: 200 answers a second, each after 40 ms. */
    hm_load_endpoint_t e = endpoint("constant:10ms");
    e.capacity = 2;
    log_t l = {0};
    play(&e, 1, 0, 8, 1 * S, &l);
    assert_true(l.n >= 198 && l.n <= 202);
    const hm_load_done_t *last = &l.d[l.n - 1];
    assert_int_equal(last->end_ns - last->intended_ns, 40 * MS);
    assert_int_equal(l.queue_max, 6);
    free(l.d);
}

static void test_sim_degrading_endpoint_slows_down_over_time(void **state)
{
    hm_load_endpoint_t e = endpoint("constant:10ms");
    const char *why;
    assert_int_equal(hm_load_endpoint_set(&e, "degrade", "3x/10s", &why), 0);
    log_t l = {0};
    play(&e, 1, 10, 0, 20 * S, &l);
    for (size_t i = 0; i < l.n; i++) {
        const hm_load_done_t *d = &l.d[i];
        double x = (double)(d->start_ns - T0) / (10.0 * S);
        double want = 10.0 * MS * (1 + 2 * (x < 1 ? x : 1));
        double got = (double)(d->end_ns - d->start_ns);
        assert_true(got > want - 2 && got < want + 2);
    }
    assert_int_equal(l.d[l.n - 1].end_ns - l.d[l.n - 1].start_ns, 30 * MS);
    free(l.d);
}

static void test_sim_error_ratio_fails_that_share(void **state)
{
    hm_load_endpoint_t e = endpoint("constant:1ms");
    e.error_ratio = 0.25;
    log_t l = {0};
    play(&e, 1, 10000, 0, 2 * S, &l);
    double share = (double)count_status(&l, 500) / (double)l.n;
    assert_true(share > 0.23 && share < 0.27);
    free(l.d);
}

static void test_sim_run_stops_after_a_bounded_number_of_events(void **state)
{
    /* 1 ns requests in closed loop: a second of them is a billion events. */
    hm_load_endpoint_t e = endpoint("constant:1ns");
    hm_load_sim_t *sim = NULL;
    log_t l = {0};
    hm_load_sink_t sink = {on_done, NULL, &l};
    assert_int_equal(hm_load_sim_new(&e, 1, 0, 4, T0, 1, &sim), 0);
    assert_true(hm_load_sim_run(sim, T0 + S, &sink) <= T0 + S);
    assert_true(l.n > 0 && l.n < 1000000);
    hm_load_sim_destroy(&sim);
    free(l.d);
    assert_int_equal(hm_load_sim_new(&e, 0, 1, 0, T0, 1, &sim), EINVAL);
    assert_int_equal(hm_load_sim_new(&e, 1, 0, 0, T0, 1, &sim), EINVAL);
}

static void test_report_knee_is_where_p99_or_errors_jump(void **state)
{
    hm_load_step_t s[5] = {
        {.concurrency = 4, .p99_ns = 10 * MS, .requests = 1000},
        {.concurrency = 8, .p99_ns = 12 * MS, .requests = 1000},
        {.concurrency = 16, .p99_ns = 14 * MS, .requests = 1000},
        {.concurrency = 24, .p99_ns = 16 * MS, .requests = 1000}, /* 1.6x the best: the knee */
        {.concurrency = 32, .p99_ns = 90 * MS, .requests = 1000},
    };
    assert_int_equal(hm_load_knee(s, 5), 3);
    assert_int_equal(hm_load_knee(s, 3), 3); /* none among the first three */
    s[1].errors = 20;                        /* 2% errors against 0%: the knee */
    assert_int_equal(hm_load_knee(s, 5), 1);
    assert_int_equal(hm_load_knee(s, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sim_open_loop_keeps_its_rate_and_latency),
        cmocka_unit_test(test_sim_queue_grows_when_the_rate_exceeds_capacity),
        cmocka_unit_test(test_sim_waiting_requests_time_out_with_503),
        cmocka_unit_test(test_sim_full_queue_refuses_at_once),
        cmocka_unit_test(test_sim_closed_loop_is_bounded_by_capacity),
        cmocka_unit_test(test_sim_degrading_endpoint_slows_down_over_time),
        cmocka_unit_test(test_sim_error_ratio_fails_that_share),
        cmocka_unit_test(test_sim_run_stops_after_a_bounded_number_of_events),
        cmocka_unit_test(test_report_knee_is_where_p99_or_errors_jump),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
