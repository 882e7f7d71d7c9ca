/* tests/test_datapath.c - libhotmon to the collector, end to end: threads and
 * forked processes publish known durations over real sockets. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <zmq.h>

#include "collector.h"
#include "hotmon.h"

#define MS 1000000ull
#define PER 5000

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Publishes PER samples of duration ns on endpoint name; returns the number
 * of samples the client dropped. */
static uint64_t publish(const char *addr, const char *name, uint64_t ns)
{
    hm_options_t o = {.endpoint = addr, .service = name};
    hm_client_t *c = NULL;
    if (hm_open(&o, &c) != 0)
        return UINT64_MAX;
    hm_endpoint_t ep;
    hm_endpoint(c, name, &ep);
    sleep_ms(700); /* connected before the first sample: ZMQ_IMMEDIATE drops until then */
    for (int i = 0; i < PER; i++) {
        hm_record(c, ep, ns, i % 50 == 0 ? 500 : 200);
        if (i % 1000 == 999)
            sleep_ms(5);
    }
    sleep_ms(100);
    hm_client_stats_t st;
    hm_client_stats(c, &st);
    hm_close(&c);
    return st.dropped;
}

static pid_t spawn(const char *addr, const char *name, uint64_t ns)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(publish(addr, name, ns) == 0 ? 0 : 1);
    return pid;
}

typedef struct {
    const char *addr;
    uint64_t dropped;
} thread_arg_t;

static void *thread_main(void *p)
{
    thread_arg_t *a = p;
    a->dropped = publish(a->addr, "thread", 3 * MS);
    return NULL;
}

static hm_snapshot_t *wait_for(hm_collector_t *c, uint64_t samples, int ms)
{
    for (int waited = 0;; waited += 50) {
        hm_collector_refresh(c, 1000);
        hm_snapshot_t *s = hm_collector_snapshot(c);
        if (s->counters.samples >= samples || waited >= ms)
            return s;
        hm_snapshot_release(&s);
        sleep_ms(50);
    }
}

static void assert_endpoint(const hm_snapshot_t *s, const char *name, uint64_t count, uint64_t ns)
{
    const hm_snap_endpoint_t *e = hm_snapshot_find(s, name);
    assert_non_null(e);
    const hm_snap_stats_t *st = &e->win[HM_WIN_ALL];
    assert_int_equal(st->count, count);
    assert_int_equal(st->errors, count / 50);
    assert_true(st->p50_ns >= ns - ns / 100 && st->p50_ns <= ns + ns / 100);
    assert_true(st->p99_ns >= ns - ns / 100 && st->p99_ns <= ns + ns / 100);
}

/* An ipc:// address in a fresh temporary folder, free before anyone binds
 * it (the clients start before the collector); done_address removes it. */
typedef struct {
    char dir[64];
    char addr[128];
} address_t;

static void new_address(address_t *a)
{
    snprintf(a->dir, sizeof a->dir, "/tmp/hm-datapath.XXXXXX");
    assert_non_null(mkdtemp(a->dir));
    snprintf(a->addr, sizeof a->addr, "ipc://%s/collector", a->dir);
}

static void done_address(address_t *a)
{
    char path[128];
    snprintf(path, sizeof path, "%s/collector", a->dir);
    unlink(path);
    assert_int_equal(rmdir(a->dir), 0);
}

static void test_datapath_threads_and_processes_arrive_exactly(void **state)
{
    /* Fork while this process has no threads: a child forked beside running
     * threads can inherit a held allocator lock (and does, under ASan). The
     * publishers then wait for the collector, as in life. */
    address_t where;
    new_address(&where);
    const char *addr = where.addr;
    pid_t a = spawn(addr, "proc-a", 10 * MS);
    pid_t b = spawn(addr, "proc-b", 20 * MS);
    void *ctx = zmq_ctx_new();
    hm_collector_t *c = NULL;
    hm_collector_options_t o = {.bind = addr, .snapshot_ms = 200};
    assert_int_equal(hm_collector_new(ctx, &o, &c, NULL), 0);
    thread_arg_t t1 = {addr, 0}, t2 = {addr, 0};
    pthread_t th1, th2;
    pthread_create(&th1, NULL, thread_main, &t1);
    pthread_create(&th2, NULL, thread_main, &t2);
    pthread_join(th1, NULL);
    pthread_join(th2, NULL);
    int st_a, st_b;
    waitpid(a, &st_a, 0);
    waitpid(b, &st_b, 0);
    assert_true(WIFEXITED(st_a) && WEXITSTATUS(st_a) == 0);
    assert_true(WIFEXITED(st_b) && WEXITSTATUS(st_b) == 0);
    assert_int_equal(t1.dropped + t2.dropped, 0);
    hm_snapshot_t *s = wait_for(c, 4 * PER, 5000);
    for (size_t i = 0; i < s->nendpoints; i++)
        print_message("%s: %lu\n", s->endpoints[i].name,
                      (unsigned long)s->endpoints[i].win[HM_WIN_ALL].count);
    print_message("frames %lu unknown %lu senders %lu/%lu expired rejected %lu lost %lu drops %lu\n",
                  (unsigned long)s->counters.frames, (unsigned long)s->counters.unknown_ids,
                  (unsigned long)s->counters.senders_live, (unsigned long)s->counters.senders_expired,
                  (unsigned long)s->counters.rejected, (unsigned long)s->counters.lost,
                  (unsigned long)s->counters.client_drops);
    assert_int_equal(s->counters.samples, 4 * PER);
    assert_endpoint(s, "proc-a", PER, 10 * MS);
    assert_endpoint(s, "proc-b", PER, 20 * MS);
    assert_endpoint(s, "thread", 2 * PER, 3 * MS);
    assert_int_equal(s->counters.lost, 0);
    assert_int_equal(s->counters.client_drops, 0);
    hm_snapshot_release(&s);
    hm_collector_destroy(&c);
    zmq_ctx_term(ctx);
    done_address(&where);
}

static void test_datapath_late_collector_learns_names_and_drops(void **state)
{
    address_t where;
    new_address(&where);
    const char *addr = where.addr;
    pid_t pid = fork();
    if (pid == 0) {
        hm_options_t o = {.endpoint = addr, .service = "early", .declare_every_ms = 200};
        hm_client_t *cl = NULL;
        if (hm_open(&o, &cl) != 0)
            _exit(2);
        hm_endpoint_t ep;
        hm_endpoint(cl, "GET /early", &ep);
        for (int i = 0; i < 3000; i++) { /* 3 s, the collector comes after 0.5 s */
            hm_record(cl, ep, MS, 200);
            sleep_ms(1);
        }
        hm_close(&cl);
        _exit(0);
    }
    sleep_ms(500);
    void *ctx = zmq_ctx_new();
    hm_collector_t *c = NULL;
    hm_collector_options_t o = {.bind = addr, .snapshot_ms = 200};
    assert_int_equal(hm_collector_new(ctx, &o, &c, NULL), 0);
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    /* every sample is either in the collector or reported dropped */
    hm_snapshot_t *s = NULL;
    const hm_snap_endpoint_t *e = NULL;
    for (int waited = 0; waited < 3000; waited += 50) {
        hm_snapshot_release(&s);
        s = wait_for(c, 1, 2000);
        e = hm_snapshot_find(s, "GET /early");
        if (e && e->win[HM_WIN_ALL].count + s->counters.client_drops == 3000)
            break;
        sleep_ms(50);
    }
    assert_non_null(e);
    assert_true(e->win[HM_WIN_ALL].count > 1000);
    /* what was recorded before the collector came is reported as dropped */
    assert_true(s->counters.client_drops >= 100);
    assert_int_equal(e->win[HM_WIN_ALL].count + s->counters.client_drops, 3000);
    hm_snapshot_release(&s);
    hm_collector_destroy(&c);
    zmq_ctx_term(ctx);
    done_address(&where);
}

/* produced = sent + dropped + buffered, read while the publisher is idle. */
static hm_client_stats_t settled_stats(hm_client_t *cl)
{
    sleep_ms(300);
    hm_client_stats_t st;
    hm_client_stats(cl, &st);
    assert_int_equal(st.produced, st.sent + st.dropped + st.buffered);
    return st;
}

static void test_datapath_without_a_collector_every_sample_is_accounted(void **state)
{
    /* Runs last: it starts threads in this process, and the tests above fork. */
    address_t where;
    new_address(&where);
    const char *addr = where.addr;
    hm_options_t opts = {.endpoint = addr, .service = "alone", .declare_every_ms = 100};
    hm_client_t *cl = NULL;
    assert_int_equal(hm_open(&opts, &cl), 0);
    hm_endpoint_t ep;
    assert_int_equal(hm_endpoint(cl, "GET /alone", &ep), 0);
    for (int i = 0; i < 20000; i++)
        hm_record(cl, ep, 2 * MS, 200);
    hm_client_stats_t st = settled_stats(cl);
    assert_int_equal(st.produced, 20000);
    assert_int_equal(st.sent, 0);
    assert_true(st.dropped > 0);
    /* the collector comes up: what follows arrives, and so do the drops */
    void *ctx = zmq_ctx_new();
    hm_collector_t *c = NULL;
    hm_collector_options_t o = {.bind = addr, .snapshot_ms = 100};
    assert_int_equal(hm_collector_new(ctx, &o, &c, NULL), 0);
    sleep_ms(700); /* the client reconnects */
    for (int i = 0; i < 1000; i++)
        hm_record(cl, ep, 2 * MS, 200);
    st = settled_stats(cl);
    assert_int_equal(st.produced, 21000);
    assert_int_equal(st.buffered, 0);
    hm_snapshot_t *s = NULL;
    const hm_snap_endpoint_t *e = NULL;
    for (int waited = 0; waited < 3000; waited += 50) {
        hm_snapshot_release(&s);
        s = wait_for(c, st.sent, 1000);
        e = hm_snapshot_find(s, "GET /alone");
        if (e && s->counters.client_drops == st.dropped)
            break;
        sleep_ms(50);
    }
    assert_non_null(e);
    assert_int_equal(e->win[HM_WIN_ALL].count, st.sent);
    assert_int_equal(s->counters.client_drops, st.dropped);
    assert_int_equal(e->win[HM_WIN_ALL].count + s->counters.client_drops, 21000);
    hm_snapshot_release(&s);
    hm_close(&cl);
    hm_collector_destroy(&c);
    zmq_ctx_term(ctx);
    done_address(&where);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_datapath_threads_and_processes_arrive_exactly),
        cmocka_unit_test(test_datapath_late_collector_learns_names_and_drops),
        cmocka_unit_test(test_datapath_without_a_collector_every_sample_is_accounted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
