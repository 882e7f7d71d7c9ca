/*
 * bench/bench_client.c - the cost of recording a span, beside its floor.
 *
 * hotmon: hm_start + hm_end on one endpoint, with a collector draining the
 * samples on loopback so nothing backs up (and again with no collector, where
 * samples are dropped and counted). Floor: two clock_gettime(CLOCK_MONOTONIC)
 * plus one push into a single-producer ring, the least any in-process
 * recorder must do. Both measured in the same run, 1 and 2 threads.
 * Peer: the statsd client pattern, two clock reads and one UDP sendto of a
 * timer line to 127.0.0.1 per sample (prometheus-cpp is in
 * bench_prometheus.cpp, C++).
 * Last, with no collector: a loop of requests doing 1, 5 and 10 us of work
 * each (spinning on the clock), each inside hm_start/hm_end, against the same
 * loop without the library; the ratio of their throughputs is the issue's
 * "within 1% of an uninstrumented run".
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "collector.h"
#include "hotmon.h"
#include "ring.h"

#define PAIRS 500000 /* per thread and run: the whole bench stays within seconds */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

typedef struct {
    hm_client_t *c;
    hm_endpoint_t ep;
    hm_ring_t ring;
    int udp;                  /* statsd peer: a socket, and where it sends */
    struct sockaddr_in to;
    uint64_t work_ns;         /* work-per-request rows: a request's own work */
    double ns;
} job_t;

static void *run_hotmon(void *arg)
{
    job_t *j = arg;
    uint64_t t0 = now_ns();
    for (int i = 0; i < PAIRS; i++)
        hm_end(j->c, hm_start(j->c, j->ep), 200);
    j->ns = (double)(now_ns() - t0) / PAIRS;
    return NULL;
}

static void *run_floor(void *arg)
{
    job_t *j = arg;
    uint64_t t0 = now_ns();
    for (int i = 0; i < PAIRS; i++) {
        uint64_t a = now_ns();
        uint64_t b = now_ns();
        hm_ring_slot_t *s = hm_ring_reserve(&j->ring);
        if (s) {
            s->duration_ns = b - a;
            s->endpoint = 1;
            s->status = 200;
            hm_ring_commit(&j->ring);
        }
        /* the consumer's part of the floor: keep the ring from filling */
        if (hm_ring_peek(&j->ring))
            hm_ring_release(&j->ring);
    }
    j->ns = (double)(now_ns() - t0) / PAIRS;
    return NULL;
}

/* What a statsd client does per request: time it, format a timer line, send
 * it in one UDP datagram. Fewer iterations: a system call each. */
static void *run_udp(void *arg)
{
    job_t *j = arg;
    char line[64];
    const int n = PAIRS / 10;
    uint64_t t0 = now_ns();
    for (int i = 0; i < n; i++) {
        uint64_t a = now_ns();
        uint64_t b = now_ns();
        int len = snprintf(line, sizeof line, "bench:%.3f|ms", (double)(b - a) / 1e6);
        sendto(j->udp, line, (size_t)len, 0, (const struct sockaddr *)&j->to, sizeof j->to);
    }
    j->ns = (double)(now_ns() - t0) / n;
    return NULL;
}

/* A request's own work: spins for ns on the clock, so that the time it
 * takes does not depend on what ran before it. */
static void work(uint64_t ns)
{
    uint64_t until = now_ns() + ns;
    while (now_ns() < until)
        ;
}

#define REQUEST_RUN_NS 100000000ull /* one run of the work-per-request rows: 100 ms */

static void *run_requests_hotmon(void *arg)
{
    job_t *j = arg;
    uint64_t n = REQUEST_RUN_NS / j->work_ns, t0 = now_ns();
    for (uint64_t i = 0; i < n; i++) {
        hm_span_t s = hm_start(j->c, j->ep);
        work(j->work_ns);
        hm_end(j->c, s, 200);
    }
    j->ns = (double)(now_ns() - t0) / (double)n;
    return NULL;
}

static void *run_requests_bare(void *arg)
{
    job_t *j = arg;
    uint64_t n = REQUEST_RUN_NS / j->work_ns, t0 = now_ns();
    for (uint64_t i = 0; i < n; i++)
        work(j->work_ns);
    j->ns = (double)(now_ns() - t0) / (double)n;
    return NULL;
}

/* Runs fn on n threads at once; returns the mean ns per pair per thread. */
static double measure(void *(*fn)(void *), int n, hm_client_t *c, hm_endpoint_t ep,
                      const struct sockaddr_in *to, uint64_t work_ns)
{
    job_t jobs[2];
    pthread_t t[2];
    for (int i = 0; i < n; i++) {
        jobs[i] = (job_t){.c = c, .ep = ep, .udp = -1, .work_ns = work_ns};
        if (to) {
            jobs[i].udp = socket(AF_INET, SOCK_DGRAM, 0);
            jobs[i].to = *to;
        }
        hm_ring_init(&jobs[i].ring, 8192);
        pthread_create(&t[i], NULL, fn, &jobs[i]);
    }
    double sum = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(t[i], NULL);
        sum += jobs[i].ns;
        hm_ring_fini(&jobs[i].ring);
        if (jobs[i].udp >= 0)
            close(jobs[i].udp);
    }
    return sum / n;
}

/* Best of five runs of each, alternating, so both see the same machine. */
static void row(const char *figure, int threads, hm_client_t *c, hm_endpoint_t ep)
{
    double best_h = 1e18, best_f = 1e18;
    for (int r = 0; r < 5; r++) {
        double h = measure(run_hotmon, threads, c, ep, NULL, 0);
        double f = measure(run_floor, threads, c, ep, NULL, 0);
        best_h = h < best_h ? h : best_h;
        best_f = f < best_f ? f : best_f;
    }
    printf("| %s | %.1f ns | floor (2 clock reads + SPSC push): %.1f ns | %.2fx |\n", figure, best_h,
           best_f, best_h / best_f);
}

/* hotmon beside the statsd client pattern, into a UDP socket on loopback
 * that nobody reads (the kernel drops what overflows, as a busy statsd's
 * would). */
static void row_udp(const char *figure, int threads, hm_client_t *c, hm_endpoint_t ep)
{
    int sink = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof to;
    bind(sink, (struct sockaddr *)&to, sizeof to);
    getsockname(sink, (struct sockaddr *)&to, &len);
    double best_h = 1e18, best_u = 1e18;
    for (int r = 0; r < 3; r++) {
        double h = measure(run_hotmon, threads, c, ep, NULL, 0);
        double u = measure(run_udp, threads, c, ep, &to, 0);
        best_h = h < best_h ? h : best_h;
        best_u = u < best_u ? u : best_u;
    }
    close(sink);
    printf("| %s | %.1f ns | statsd client (2 clock reads + snprintf + UDP sendto): %.1f ns | "
           "%.3fx |\n",
           figure, best_h, best_u, best_h / best_u);
}

/* Requests of work_ns each, instrumented with no collector, against the same
 * loop bare: best of five runs of each, alternating. The ratio is of
 * throughputs (1.0: the library costs nothing). */
static void row_requests(uint64_t work_ns, hm_client_t *c, hm_endpoint_t ep)
{
    double best_h = 1e18, best_b = 1e18;
    for (int r = 0; r < 5; r++) {
        double h = measure(run_requests_hotmon, 1, c, ep, NULL, work_ns);
        double b = measure(run_requests_bare, 1, c, ep, NULL, work_ns);
        best_h = h < best_h ? h : best_h;
        best_b = b < best_b ? b : best_b;
    }
    printf("| requests of %.0f us of work, 1 thread, no collector | %.1f k requests/s "
           "(%.1f ns a record) | the same loop without the library: %.1f k requests/s | %.4fx |\n",
           (double)work_ns / 1e3, 1e6 / best_h, best_h - best_b, 1e6 / best_b, best_b / best_h);
}

int main(void)
{
    void *ctx = zmq_ctx_new();
    hm_collector_t *coll = NULL;
    hm_collector_options_t co = {.bind = "tcp://127.0.0.1:*"};
    if (hm_collector_new(ctx, &co, &coll, NULL) != 0) {
        fprintf(stderr, "bench_client: cannot start a collector\n");
        return 1;
    }
    hm_options_t o = {.endpoint = hm_collector_address(coll), .ring_capacity = 8192};
    hm_client_t *c = NULL;
    if (hm_open(&o, &c) != 0)
        return 1;
    hm_endpoint_t ep;
    hm_endpoint(c, "bench", &ep);
    usleep(200000);
    printf("| figure | hotmon | floor or peer | ratio |\n|---|---|---|---|\n");
    row("hm_start+hm_end, 1 thread, collector draining", 1, c, ep);
    row("hm_start+hm_end, 2 threads, collector draining", 2, c, ep);
    row_udp("hm_start+hm_end beside a statsd client, 1 thread", 1, c, ep);
    hm_client_stats_t st;
    hm_client_stats(c, &st);
    hm_close(&c);
    hm_collector_destroy(&coll);
    zmq_ctx_term(ctx);
    fprintf(stderr, "bench_client: %lu produced, %lu sent, %lu dropped (ring full)\n",
            (unsigned long)st.produced, (unsigned long)st.sent, (unsigned long)st.dropped);

    /* No collector at all: the service must not slow down. */
    hm_options_t none = {.endpoint = "tcp://127.0.0.1:9"};
    if (hm_open(&none, &c) != 0)
        return 1;
    hm_endpoint(c, "bench", &ep);
    row("hm_start+hm_end, 1 thread, no collector", 1, c, ep);
    row_requests(1000, c, ep);
    row_requests(5000, c, ep);
    row_requests(10000, c, ep);
    hm_close(&c);
    return 0;
}
