/*
 * bench/bench_e2e.c - end to end: from hm_end in a service to the sample
 * being in a collector's snapshot, p50 and p99 over 200 samples, with the
 * client's default flush interval (20 ms) and with 1 ms.
 *
 * Each sample is recorded at a random moment of the flush cycle, then the
 * collector is asked for snapshots (every 0.2 ms) until
 * one counts it (hm_collector_refresh: a snapshot at once, so the figure is
 * the pipeline's: ring, publisher flush, TCP loopback, decode, registry,
 * snapshot; a screen adds up to its refresh period on top). Floor: one
 * message through a bare ZeroMQ PUSH/PULL pair on TCP loopback, the
 * transport alone, in the same run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <zmq.h>

#include "collector.h"
#include "hotmon.h"

#define ROUNDS 200

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static uint64_t pct(uint64_t *v, size_t n, double q)
{
    qsort(v, n, sizeof *v, cmp_u64);
    size_t i = (size_t)(q * (double)n + 0.5);
    return v[i < n ? i : n - 1];
}

static uint64_t samples_of(hm_collector_t *col)
{
    hm_collector_refresh(col, 1000);
    hm_snapshot_t *s = hm_collector_snapshot(col);
    uint64_t n = s->counters.samples;
    hm_snapshot_release(&s);
    return n;
}

/* p50 and p99 of hm_end-to-snapshot in ns, with the client's flush_ms. */
static int pipeline(void *ctx, uint32_t flush_ms, uint64_t *p50, uint64_t *p99)
{
    hm_collector_t *col = NULL;
    hm_collector_options_t co = {.bind = "tcp://127.0.0.1:*"};
    if (hm_collector_new(ctx, &co, &col, NULL) != 0)
        return -1;
    hm_options_t o = {.endpoint = hm_collector_address(col), .flush_ms = flush_ms};
    hm_client_t *c = NULL;
    if (hm_open(&o, &c) != 0)
        return -1;
    hm_endpoint_t ep;
    hm_endpoint(c, "e2e", &ep);
    hm_client_stats_t st = {0};
    while (st.frames_sent == 0) {
        struct timespec ts = {0, 10000000};
        nanosleep(&ts, NULL);
        hm_client_stats(c, &st);
    }
    static uint64_t lat[ROUNDS];
    uint64_t seen = samples_of(col);
    int rc = 0;
    uint64_t rng = 1;
    for (int i = 0; i < ROUNDS && rc == 0; i++) {
        /* A random moment within the flush cycle, as a request would come. */
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        struct timespec pause = {0, (long)((rng >> 33) % ((flush_ms + 1) * 1000000ull))};
        nanosleep(&pause, NULL);
        uint64_t t0 = hm_now_ns();
        hm_end(c, hm_start(c, ep), 200);
        while (samples_of(col) == seen) {
            if (hm_now_ns() - t0 > 5000000000ull) {
                rc = -1; /* lost: should not happen on loopback */
                break;
            }
            struct timespec poll = {0, 200000}; /* leave the ingest thread room */
            nanosleep(&poll, NULL);
        }
        lat[i] = hm_now_ns() - t0;
        seen++;
    }
    hm_close(&c);
    hm_collector_destroy(&col);
    if (rc == 0) {
        *p50 = pct(lat, ROUNDS, 0.50);
        *p99 = pct(lat, ROUNDS, 0.99);
    }
    return rc;
}

/* p50 and p99 of one small message through PUSH/PULL on TCP loopback. */
static void transport(void *ctx, uint64_t *p50, uint64_t *p99)
{
    void *pull = zmq_socket(ctx, ZMQ_PULL), *push = zmq_socket(ctx, ZMQ_PUSH);
    char addr[128];
    size_t len = sizeof addr;
    zmq_bind(pull, "tcp://127.0.0.1:*");
    zmq_getsockopt(pull, ZMQ_LAST_ENDPOINT, addr, &len);
    zmq_connect(push, addr);
    char buf[64] = {0};
    zmq_send(push, buf, sizeof buf, 0);
    zmq_recv(pull, buf, sizeof buf, 0);
    static uint64_t lat[ROUNDS];
    for (int i = 0; i < ROUNDS; i++) {
        uint64_t t0 = hm_now_ns();
        zmq_send(push, buf, sizeof buf, 0);
        zmq_recv(pull, buf, sizeof buf, 0);
        lat[i] = hm_now_ns() - t0;
    }
    *p50 = pct(lat, ROUNDS, 0.50);
    *p99 = pct(lat, ROUNDS, 0.99);
    int linger = 0;
    zmq_setsockopt(push, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(push);
    zmq_close(pull);
}

int main(void)
{
    void *ctx = zmq_ctx_new();
    uint64_t t50, t99;
    transport(ctx, &t50, &t99);
    printf("| figure | hotmon | floor or peer | ratio |\n|---|---|---|---|\n");
    static const uint32_t flush[] = {20, 1};
    for (size_t i = 0; i < 2; i++) {
        uint64_t p50, p99;
        if (pipeline(ctx, flush[i], &p50, &p99) != 0) {
            fprintf(stderr, "bench_e2e: a sample never reached a snapshot\n");
            return 1;
        }
        printf("| hm_end to snapshot, flush %u ms, p50 | %.2f ms | one ZeroMQ message on "
               "loopback, p50: %.3f ms | %.0fx |\n",
               flush[i], p50 / 1e6, t50 / 1e6, (double)p50 / (double)t50);
        printf("| hm_end to snapshot, flush %u ms, p99 | %.2f ms | one ZeroMQ message on "
               "loopback, p99: %.3f ms | %.0fx |\n",
               flush[i], p99 / 1e6, t99 / 1e6, (double)p99 / (double)t99);
        fflush(stdout);
    }
    zmq_ctx_term(ctx);
    return 0;
}
