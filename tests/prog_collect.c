/*
 * tests/prog_collect.c - the collector engine in a process of its own, saying
 * what it sees, for the fault tests: it can be stopped, killed and restarted
 * like the daemon, and its counters and resident size read as it runs.
 *
 *   prog_collect BIND SECONDS [--max-endpoints N] [--tick-ms MS] [--expiry-ms MS]
 *
 * Prints "address=ADDR" once bound, then every --tick-ms (default 100)
 *
 *   tick unix_ms=... samples=... frames=... rejected=... client_drops=...
 *        lost=... endpoints=... names_folded=... unknown_ids=... rss_kb=...
 *        rejected_REASON=... (one per reason, spaces made underscores)
 *
 * After SECONDS, or at SIGTERM/SIGINT, it waits for the counters to stay
 * still for 300 ms (at most 5 s), then prints one "final" line with every
 * counter of hm_snap_counters_t (rejected_by as rejected_REASON), the bytes
 * of an endpoint holding one sample, of its row in a snapshot, and the
 * resident size, and
 * one line per endpoint:
 *
 *   endpoint count=N other=0|1 name=ESCAPED-NAME
 *
 * rss_kb is read after malloc_trim(0), so that it shows memory in use, not
 * free memory glibc keeps for later. Exits 0, 2 on bad arguments, 1 when it
 * cannot bind.
 */
#include <inttypes.h>
#include <malloc.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "collector.h"
#include "endpoint.h"
#include "escape.h"
#include "prog_common.h"

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

/* A fresh snapshot (the caller releases it). */
static hm_snapshot_t *look(hm_collector_t *c)
{
    hm_collector_refresh(c, 2000);
    return hm_collector_snapshot(c);
}

/* " rejected_REASON=N" for every reason, spaces in the reason made underscores. */
static void print_reasons(const hm_snap_counters_t *k)
{
    for (int i = 1; i < HM_WIRE_ERR__COUNT; i++) {
        char reason[64];
        snprintf(reason, sizeof reason, "%s", hm_wire_err_str((hm_wire_err_t)i));
        for (char *p = reason; *p; p++)
            *p = *p == ' ' ? '_' : *p;
        printf(" rejected_%s=%" PRIu64, reason, k->rejected_by[i]);
    }
}

/* The resident size after glibc gave back the free memory it caches (every
 * arena, pages inside the heap too): growth then means memory in use. */
static long used_kb(void)
{
    malloc_trim(0);
    return rss_kb();
}

static void tick(const hm_snapshot_t *s)
{
    const hm_snap_counters_t *k = &s->counters;
    printf("tick unix_ms=%" PRId64 " samples=%" PRIu64 " frames=%" PRIu64 " rejected=%" PRIu64
           " client_drops=%" PRIu64 " lost=%" PRIu64 " endpoints=%" PRIu64
           " names_folded=%" PRIu64 " unknown_ids=%" PRIu64 " rss_kb=%ld",
           unix_ms(), k->samples, k->frames, k->rejected, k->client_drops, k->lost, k->endpoints,
           k->names_folded, k->unknown_ids, used_kb());
    print_reasons(k);
    putchar('\n');
}

static void final(const hm_snapshot_t *s)
{
    const hm_snap_counters_t *k = &s->counters;
    hm_endpoint_stats_t *probe = hm_endpoint_stats_new("probe", 5, false, s->taken_ns);
    size_t ep_bytes = 0;
    if (probe) {
        /* with one sample: its windows hold a slice then */
        hm_endpoint_stats_record(probe, s->taken_ns, 1000000, 200, NULL, 0);
        ep_bytes = hm_endpoint_stats_bytes(probe);
    }
    hm_endpoint_stats_destroy(&probe);
    printf("final samples=%" PRIu64 " frames=%" PRIu64 " rejected=%" PRIu64 " lost=%" PRIu64
           " client_drops=%" PRIu64 " senders_live=%" PRIu64 " senders_expired=%" PRIu64
           " senders_refused=%" PRIu64 " endpoints=%" PRIu64 " names_folded=%" PRIu64
           " names_cut=%" PRIu64 " values_clamped=%" PRIu64 " unknown_ids=%" PRIu64
           " unknown_records=%" PRIu64,
           k->samples, k->frames, k->rejected, k->lost, k->client_drops, k->senders_live,
           k->senders_expired, k->senders_refused, k->endpoints, k->names_folded, k->names_cut,
           k->values_clamped, k->unknown_ids, k->unknown_records);
    print_reasons(k);
    printf(" endpoint_bytes=%zu snapshot_row_bytes=%zu rss_kb=%ld\n", ep_bytes,
           sizeof(hm_snap_endpoint_t), used_kb());
    for (size_t i = 0; i < s->nendpoints; i++) {
        const hm_snap_endpoint_t *e = &s->endpoints[i];
        char name[4 * HM_SNAP_NAME_MAX + 8];
        printf("endpoint count=%" PRIu64 " other=%d name=%s\n", e->win[HM_WIN_ALL].count,
               e->other, hm_escape(e->name, true, name, sizeof name));
    }
}

int main(int argc, char **argv)
{
    if (argc < 3)
        goto usage;
    char *end;
    double seconds = strtod(argv[2], &end);
    if (*end || !(seconds > 0))
        goto usage;
    hm_collector_options_t o = {.bind = argv[1], .snapshot_ms = 100};
    long tick_ms = 100;
    for (int i = 3; i + 1 < argc; i += 2) {
        long v = strtol(argv[i + 1], &end, 10);
        if (*end || v < 1)
            goto usage;
        if (strcmp(argv[i], "--max-endpoints") == 0)
            o.max_endpoints = (uint32_t)v;
        else if (strcmp(argv[i], "--tick-ms") == 0)
            tick_ms = v;
        else if (strcmp(argv[i], "--expiry-ms") == 0)
            o.sender_expiry_ms = (uint32_t)v;
        else
            goto usage;
    }
    if (argc % 2 == 0)
        goto usage;
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    setvbuf(stdout, NULL, _IOLBF, 0);

    void *ctx = zmq_ctx_new();
    hm_collector_t *c = NULL;
    const char *why = NULL;
    if (!ctx || hm_collector_new(ctx, &o, &c, &why) != 0) {
        fprintf(stderr, "prog_collect: %s: %s\n", argv[1], why ? why : "no ZeroMQ context");
        if (ctx)
            zmq_ctx_term(ctx);
        return 1;
    }
    printf("address=%s\n", hm_collector_address(c));
    int64_t until = unix_ms() + (int64_t)(seconds * 1000);
    while (!stop_flag && unix_ms() < until) {
        hm_snapshot_t *s = look(c);
        tick(s);
        hm_snapshot_release(&s);
        sleep_ns(tick_ms * 1000000L);
    }
    /* Settle: what is still in flight arrives before the final count. */
    uint64_t last = UINT64_MAX;
    int64_t still_since = unix_ms(), give_up = unix_ms() + 5000;
    hm_snapshot_t *s = NULL;
    for (;;) {
        hm_snapshot_release(&s);
        s = look(c);
        uint64_t seen = s->counters.samples + s->counters.frames + s->counters.rejected;
        if (seen != last) {
            last = seen;
            still_since = unix_ms();
        }
        if (unix_ms() - still_since >= 300 || unix_ms() >= give_up)
            break;
        sleep_ns(50000000L);
    }
    final(s);
    hm_snapshot_release(&s);
    hm_collector_destroy(&c);
    zmq_ctx_term(ctx);
    return 0;
usage:
    fprintf(stderr, "usage: prog_collect BIND SECONDS [--max-endpoints N] [--tick-ms MS] [--expiry-ms MS]\n");
    return 2;
}
