/*
 * tests/prog_flood.c - an instrumented loop for the fault tests and the soak:
 * records samples through libhotmon as fast as it can, or at a set rate, and
 * says what the client counted.
 *
 *   prog_flood ADDRESS [--seconds S] [--rate R] [--endpoints N] [--work-ns N]
 *              [--rid] [--tick-ms MS] [--no-client] [--close-now]
 *
 * --rate R paces the loop at R samples/s (open loop, in 1 ms steps); without
 * it the loop runs flat out. Samples cycle over N endpoints ("flood-0000"...)
 * with durations spread from 100 us to 50 ms. --work-ns spins that long per
 * sample, as a request would; --no-client runs the same loop without the
 * library, the baseline for the cost of instrumenting. --rid records through
 * hm_start/hm_request_id/hm_end with a 40-byte request id, so each sample
 * takes more room in a frame. Every --tick-ms (default 100) a line
 *
 *   tick unix_ms=... produced=... sent=... dropped=... buffered=... rss_kb=...
 *
 * and at the end, after hm_close,
 *
 *   final produced=... sent=... dropped=... buffered=... frames=... names_cut=...
 *         loops=... loops_per_s=... seconds=... max_buffered=... max_record_ns=...
 *         over_10us=... close_ms=... rss_first_kb=... rss_max_kb=... rss_end_kb=...
 *
 * The client's counters are read once the rings are empty (so produced =
 * sent + dropped exactly), or at once with --close-now, which then times
 * hm_close with samples still buffered. rss_first_kb is the resident size
 * one second in. Exits 0, or 2 on
 * bad arguments, or 1 when the client cannot be opened.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hotmon.h"
#include "prog_common.h"

#define ENDPOINTS_MAX 4096

typedef struct {
    const char *addr;
    double seconds;
    double rate;        /* 0: flat out */
    unsigned endpoints;
    uint64_t work_ns;
    bool rid, no_client, close_now;
    unsigned tick_ms;
} args_t;

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static int usage(const char *why)
{
    fprintf(stderr,
            "prog_flood: %s\nusage: prog_flood ADDRESS [--seconds S] [--rate R] [--endpoints N]"
            " [--work-ns N] [--rid] [--tick-ms MS] [--no-client] [--close-now]\n",
            why);
    return 2;
}

static int parse(int argc, char **argv, args_t *a)
{
    *a = (args_t){.seconds = 2, .endpoints = 1, .tick_ms = 100};
    if (argc < 2 || argv[1][0] == '-')
        return usage("no address");
    a->addr = argv[1];
    for (int i = 2; i < argc; i++) {
        const char *k = argv[i];
        if (strcmp(k, "--rid") == 0) {
            a->rid = true;
            continue;
        }
        if (strcmp(k, "--close-now") == 0) {
            a->close_now = true;
            continue;
        }
        if (strcmp(k, "--no-client") == 0) {
            a->no_client = true;
            continue;
        }
        if (i + 1 >= argc)
            return usage("a flag without its value");
        char *end;
        double v = strtod(argv[++i], &end);
        if (*end || !(v >= 0))
            return usage("not a number");
        if (strcmp(k, "--seconds") == 0)
            a->seconds = v;
        else if (strcmp(k, "--rate") == 0)
            a->rate = v;
        else if (strcmp(k, "--endpoints") == 0 && v >= 1 && v <= ENDPOINTS_MAX)
            a->endpoints = (unsigned)v;
        else if (strcmp(k, "--work-ns") == 0)
            a->work_ns = (uint64_t)v;
        else if (strcmp(k, "--tick-ms") == 0 && v >= 1)
            a->tick_ms = (unsigned)v;
        else
            return usage("unknown flag or value out of range");
    }
    return 0;
}

/* A request's own work: spins for ns on the clock. */
static void work(uint64_t ns)
{
    if (!ns)
        return;
    uint64_t until = hm_now_ns() + ns;
    while (hm_now_ns() < until)
        ;
}

int main(int argc, char **argv)
{
    args_t a;
    int rc = parse(argc, argv, &a);
    if (rc)
        return rc;
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    setvbuf(stdout, NULL, _IOLBF, 0);

    hm_client_t *c = NULL;
    hm_endpoint_t ep[ENDPOINTS_MAX];
    if (!a.no_client) {
        hm_options_t o = {.endpoint = a.addr, .service = "prog_flood"};
        if ((rc = hm_open(&o, &c)) != 0) {
            fprintf(stderr, "prog_flood: %s: %s\n", a.addr, strerror(rc));
            return 1;
        }
        for (unsigned i = 0; i < a.endpoints; i++) {
            char name[32];
            snprintf(name, sizeof name, "flood-%04u", i);
            if ((rc = hm_endpoint(c, name, &ep[i])) != 0) {
                fprintf(stderr, "prog_flood: %s: %s\n", name, strerror(rc));
                hm_close(&c);
                return 1;
            }
        }
    }

    uint64_t start = hm_now_ns();
    uint64_t end = start + (uint64_t)(a.seconds * 1e9);
    uint64_t next_tick = start, tick_ns = (uint64_t)a.tick_ms * 1000000ull;
    uint64_t loops = 0, max_record = 0, over_10us = 0, max_buffered = 0;
    long rss_first = 0, rss_max = 0;
    uint32_t x = 2463534242u; /* xorshift: durations without a libc call */
    hm_client_stats_t st = {0};
    char rid[41];
    memset(rid, 'r', 40);
    rid[40] = '\0';
    for (;;) {
        uint64_t now = hm_now_ns();
        if (now >= end || stop_flag)
            break;
        if (now >= next_tick) {
            long rss = rss_kb();
            rss_max = rss > rss_max ? rss : rss_max;
            if (!rss_first && now - start >= 1000000000ull)
                rss_first = rss;
            if (c) {
                hm_client_stats(c, &st);
                max_buffered = st.buffered > max_buffered ? st.buffered : max_buffered;
            }
            printf("tick unix_ms=%" PRId64 " produced=%" PRIu64 " sent=%" PRIu64
                   " dropped=%" PRIu64 " buffered=%" PRIu64 " rss_kb=%ld\n",
                   unix_ms(), st.produced, st.sent, st.dropped, st.buffered, rss);
            next_tick += tick_ns;
        }
        /* Paced: the samples due by now, at most a millisecond's worth at once. */
        uint64_t batch = 1024;
        if (a.rate > 0) {
            uint64_t due = (uint64_t)((double)(now - start) * a.rate / 1e9);
            if (due <= loops) {
                sleep_ns(200000);
                continue;
            }
            batch = due - loops;
        }
        for (uint64_t k = 0; k < batch; k++, loops++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            uint64_t d = 100000ull + (x % 50000u) * 1000ull; /* 100 us .. 50 ms */
            unsigned e = (unsigned)(loops % a.endpoints);
            work(a.work_ns);
            if (!c)
                continue;
            uint64_t t0 = hm_now_ns();
            if (a.rid) {
                hm_span_t s = hm_start(c, ep[e]);
                hm_request_id(c, s, rid);
                hm_end(c, s, x % 100 ? 200 : 500);
            } else {
                hm_record(c, ep[e], d, x % 100 ? 200 : 500);
            }
            uint64_t took = hm_now_ns() - t0;
            max_record = took > max_record ? took : max_record;
            over_10us += took > 10000;
        }
    }
    double elapsed = (double)(hm_now_ns() - start) / 1e9;
    /* Unless told to close at once, let the publisher empty the rings first
     * (it sends or drops within flush_ms): then produced = sent + dropped
     * exactly, read before hm_close frees the client. */
    for (int tries = 0; c && !a.close_now && tries < 500; tries++) {
        hm_client_stats(c, &st);
        if (st.buffered == 0)
            break;
        sleep_ns(10000000L);
    }
    if (c) {
        hm_client_stats(c, &st);
        max_buffered = st.buffered > max_buffered ? st.buffered : max_buffered;
    }
    uint64_t t0 = hm_now_ns();
    hm_close(&c);
    uint64_t close_ns = hm_now_ns() - t0;
    printf("final produced=%" PRIu64 " sent=%" PRIu64 " dropped=%" PRIu64 " buffered=%" PRIu64
           " frames=%" PRIu64 " names_cut=%" PRIu64,
           st.produced, st.sent, st.dropped, st.buffered, st.frames_sent, st.names_cut);
    printf(" loops=%" PRIu64 " loops_per_s=%.0f seconds=%.3f", loops, (double)loops / elapsed,
           elapsed);
    printf(" max_buffered=%" PRIu64 " max_record_ns=%" PRIu64 " over_10us=%" PRIu64
           " close_ms=%.3f rss_first_kb=%ld rss_max_kb=%ld rss_end_kb=%ld\n",
           max_buffered, max_record, over_10us, (double)close_ns / 1e6, rss_first, rss_max,
           rss_kb());
    return 0;
}
