/*
 * bench/bench_ingest.c - how fast the collector ingests, and what it holds.
 *
 * Ingest: publisher processes send 4 KiB frames of samples over TCP loopback
 * as fast as they can, into the real collector (decode, registry, windows)
 * and, as the floor, into a bare PULL socket that only counts messages of
 * the same size. Memory: bytes per endpoint with every window slice live.
 * Snapshot: time to build a snapshot of 1,000 busy endpoints, beside a memcpy
 * of the same number of bytes. Peer: the statsd daemon's highest lossless
 * rate of UDP timers (statsd_peer.h), beside the collector with one publisher.
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "collector.h"
#include "ingest.h"
#include "registry.h"
#include "slo.h"
#include "wire.h"

#include "proc_rss.h"
#include "statsd_peer.h"

#define FRAME 4096
#define SECONDS 2
#define ENDPOINTS 50

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Encodes one frame of samples (declarations first when seq is 0). */
static size_t make_frame(uint8_t *buf, uint64_t sender, uint64_t seq, uint64_t *rng,
                         uint32_t *samples)
{
    hm_wire_writer_t w;
    hm_wire_begin(&w, buf, FRAME, sender, seq);
    if (seq % 64 == 0) {
        for (int i = 0; i < ENDPOINTS; i++) {
            char name[32];
            snprintf(name, sizeof name, "GET /bench/%02d", i);
            hm_wire_put_decl(&w, HM_REC_ENDPOINT, (uint16_t)i, hm_wire_str(name, NULL));
        }
    }
    *samples = 0;
    for (;;) {
        *rng = *rng * 6364136223846793005ull + 1442695040888963407ull;
        hm_wire_sample_t s = {.endpoint = (uint16_t)((*rng >> 33) % ENDPOINTS),
                              .status = 200,
                              .duration_ns = 100000 + (*rng >> 40)};
        if (!hm_wire_put_sample(&w, &s))
            break;
        (*samples)++;
    }
    return hm_wire_end(&w);
}

/* A publisher process: sends frames to addr until killed. */
static void publisher(const char *addr, uint64_t sender)
{
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_PUSH);
    zmq_connect(s, addr);
    uint8_t buf[FRAME];
    uint64_t rng = sender;
    uint32_t n;
    for (uint64_t seq = 0;; seq++) {
        size_t len = make_frame(buf, sender, seq, &rng, &n);
        zmq_send(s, buf, len, 0);
    }
}

static void stop_all(pid_t *pids, int n)
{
    for (int i = 0; i < n; i++) {
        kill(pids[i], SIGKILL);
        waitpid(pids[i], NULL, 0);
    }
}

/* A free loopback address. */
static void free_address(char *out, size_t n)
{
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_PULL);
    zmq_bind(s, "tcp://127.0.0.1:*");
    zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, out, &n);
    zmq_close(s);
    zmq_ctx_term(ctx);
}

/* Picks a free loopback address into addr and forks n publishers to it. */
static void start_publishers(char *addr, size_t len, pid_t *pids, int n)
{
    free_address(addr, len);
    for (int i = 0; i < n; i++) {
        pids[i] = fork();
        if (pids[i] == 0) {
            publisher(addr, 1000 + (uint64_t)i);
            _exit(0);
        }
    }
}

/* Scheduler times of this process's thread named name, in ns: time on a
 * CPU and time runnable but waiting for one (/proc/.../schedstat). */
typedef struct {
    uint64_t run, wait;
} sched_t;

static sched_t thread_sched(const char *name)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *de;
    sched_t t = {0, 0};
    while (d && (de = readdir(d))) {
        char path[300], comm[64] = "";
        snprintf(path, sizeof path, "/proc/self/task/%s/comm", de->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        if (!fgets(comm, sizeof comm, f))
            comm[0] = '\0';
        fclose(f);
        comm[strcspn(comm, "\n")] = '\0';
        if (strcmp(comm, name) != 0)
            continue;
        snprintf(path, sizeof path, "/proc/self/task/%s/schedstat", de->d_name);
        f = fopen(path, "r");
        unsigned long long run = 0, wait = 0;
        if (f && fscanf(f, "%llu %llu", &run, &wait) == 2)
            t = (sched_t){run, wait};
        if (f)
            fclose(f);
    }
    if (d)
        closedir(d);
    return t;
}

typedef struct {
    double rate;    /* samples per second */
    double busy;    /* share of the time the ingest thread ran on a CPU */
    double starved; /* share of the time it was runnable but had no CPU */
} ingest_t;

/* Samples per second into the real collector, and how busy its ingest
 * thread was meanwhile. */
static ingest_t collector_rate(int pubs)
{
    char addr[128];
    pid_t pids[4];
    start_publishers(addr, sizeof addr, pids, pubs);
    void *ctx = zmq_ctx_new();
    hm_collector_t *c = NULL;
    hm_collector_options_t o = {.bind = addr, .snapshot_ms = 60000};
    if (hm_collector_new(ctx, &o, &c, NULL) != 0) {
        stop_all(pids, pubs);
        zmq_ctx_term(ctx);
        return (ingest_t){0, 0, 0};
    }
    usleep(500000); /* warm up */
    hm_collector_refresh(c, 5000);
    hm_snapshot_t *a = hm_collector_snapshot(c);
    sched_t t0 = thread_sched("hm-ingest");
    sleep(SECONDS);
    hm_collector_refresh(c, 5000);
    hm_snapshot_t *b = hm_collector_snapshot(c);
    sched_t t1 = thread_sched("hm-ingest");
    double wall = (double)(b->taken_ns - a->taken_ns);
    ingest_t rate = {(double)(b->counters.samples - a->counters.samples) * 1e9 / wall,
                     (double)(t1.run - t0.run) / wall, (double)(t1.wait - t0.wait) / wall};
    hm_snapshot_release(&a);
    hm_snapshot_release(&b);
    stop_all(pids, pubs);
    hm_collector_destroy(&c);
    zmq_ctx_term(ctx);
    return rate;
}

/* Samples per second into a PULL socket that only counts. */
static double raw_rate(int pubs)
{
    char addr[128];
    pid_t pids[4];
    start_publishers(addr, sizeof addr, pids, pubs);
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_PULL);
    zmq_bind(s, addr);
    uint8_t buf[FRAME];
    uint64_t rng = 1;
    uint32_t per;
    make_frame(buf, 1, 1, &rng, &per); /* samples in a frame without declarations */
    zmq_msg_t m;
    zmq_msg_init(&m);
    uint64_t warm = now_ns() + 500000000ull;
    while (now_ns() < warm)
        zmq_msg_recv(&m, s, 0);
    uint64_t t0 = now_ns(), msgs = 0, end = t0 + SECONDS * 1000000000ull;
    while (now_ns() < end) {
        for (int i = 0; i < 256; i++)
            if (zmq_msg_recv(&m, s, 0) >= 0)
                msgs++;
    }
    double rate = (double)msgs * per * 1e9 / (double)(now_ns() - t0);
    zmq_msg_close(&m);
    stop_all(pids, pubs);
    int linger = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(s);
    zmq_ctx_term(ctx);
    return rate;
}

static void memory_and_snapshot(void)
{
    const int n = 1000;
    long rss0 = rss_kib(getpid());
    uint64_t t = 1000000000000ull;
    hm_registry_t *r = hm_registry_new(NULL, t);
    static uint8_t buf[65536];
    /* 6 simulated minutes, one sample per endpoint per second: every slice of
     * every ring is live at the end. */
    for (int sec = 0; sec < 360; sec++, t += 1000000000ull) {
        hm_wire_writer_t w;
        for (int base = 0; base < n; base += 1000) {
            hm_wire_begin(&w, buf, sizeof buf, 7, (uint64_t)sec);
            for (int i = base; i < n && i < base + 1000; i++) {
                char name[32];
                snprintf(name, sizeof name, "ep-%04d", i);
                if (sec == 0)
                    hm_wire_put_decl(&w, HM_REC_ENDPOINT, (uint16_t)i, hm_wire_str(name, NULL));
                hm_wire_sample_t s = {.endpoint = (uint16_t)i, .status = 200,
                                      .duration_ns = 1000000 + (uint64_t)i * 1000};
                hm_wire_put_sample(&w, &s);
            }
            hm_ingest_frame(r, buf, hm_wire_end(&w), t);
        }
    }
    long rss1 = rss_kib(getpid());
    size_t bytes = hm_registry_bytes(r);
    printf("| memory per endpoint, every window live (%d endpoints) | %.1f KiB (RSS %.1f KiB) | "
           "per-endpoint histogram: %.1f KiB | %.1fx |\n",
           n, bytes / 1024.0 / n, (double)(rss1 - rss0) / n, sizeof(hm_hist_t) / 1024.0,
           (double)bytes / n / sizeof(hm_hist_t));
    double best = 1e18;
    size_t snap_bytes = 0;
    for (int i = 0; i < 5; i++) {
        uint64_t t0 = now_ns();
        hm_snapshot_t *s = hm_registry_snapshot(r, t, NULL, 0);
        double ms = (double)(now_ns() - t0) / 1e6;
        snap_bytes = s->nendpoints * sizeof s->endpoints[0];
        hm_snapshot_release(&s);
        best = ms < best ? ms : best;
    }
    char *a = malloc(snap_bytes), *b = malloc(snap_bytes);
    memset(a, 1, snap_bytes);
    memset(b, 2, snap_bytes);
    uint64_t t0 = now_ns();
    memcpy(b, a, snap_bytes);
    double copy_ms = (double)(now_ns() - t0) / 1e6;
    volatile char sink = b[snap_bytes / 2]; /* keeps the copy from being optimised away */
    (void)sink;
    printf("| snapshot of %d busy endpoints | %.2f ms | memcpy of its %.1f MiB: %.2f ms | %.1fx |\n",
           n, best, snap_bytes / 1048576.0, copy_ms, best / copy_ms);
    free(a);
    free(b);
    /* The SLO check the ingest thread adds to a snapshot: good counts for an
     * objective's bound, then three rules on every endpoint, forced. */
    static const char rules_text[] = "* p95 < 60ms 1m\n* error_rate < 1% 1m\n* p99 < 5ms 5m 99%\n";
    hm_slo_rules_t rules;
    char why[256];
    const char *reason;
    hm_slo_rules_parse(rules_text, sizeof rules_text - 1, "bench", &rules, why, sizeof why);
    hm_slo_t *slo = hm_slo_new(&rules, &reason);
    uint64_t bounds[HM_SNAP_BOUNDS];
    size_t nb = hm_slo_bounds(slo, bounds);
    double best_slo = 1e18;
    for (int i = 0; i < 5; i++) {
        uint64_t start = now_ns();
        hm_snapshot_t *s = hm_registry_snapshot(r, t, bounds, nb);
        hm_slo_apply(slo, s, true);
        double ms = (double)(now_ns() - start) / 1e6;
        hm_snapshot_release(&s);
        best_slo = ms < best_slo ? ms : best_slo;
    }
    printf("| snapshot + SLO check of %d endpoints, 3 rules (one objective) | %.2f ms | "
           "snapshot alone: %.2f ms | %.2fx |\n",
           n, best_slo, best, best_slo / best);
    hm_slo_destroy(&slo);
    hm_registry_destroy(&r);
}

static uint64_t thread_cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Decode and apply on one core: frames already in memory, no sockets.
 * Samples per second of this thread's CPU time, so that other load on the
 * machine does not count against it (the wall-clock rate goes to *wall). */
static double one_core_rate(double *wall)
{
    enum { FRAMES = 256 };
    static uint8_t frames[FRAMES][FRAME];
    size_t len[FRAMES];
    uint32_t per[FRAMES];
    uint64_t rng = 5, total = 0;
    for (int i = 0; i < FRAMES; i++)
        len[i] = make_frame(frames[i], 9, (uint64_t)i, &rng, &per[i]);
    uint64_t t = 1000000000000ull;
    hm_registry_t *r = hm_registry_new(NULL, t);
    uint64_t t0 = now_ns(), c0 = thread_cpu_now(), seq = 0;
    while (now_ns() - t0 < SECONDS * 1000000000ull) {
        for (int i = 0; i < FRAMES; i++, seq++) {
            /* the clock moves 1 ms a frame: slices roll as in life */
            hm_ingest_frame(r, frames[i], len[i], t + seq * 1000000ull);
            total += per[i];
        }
    }
    double rate = (double)total * 1e9 / (double)(thread_cpu_now() - c0);
    *wall = (double)total * 1e9 / (double)(now_ns() - t0);
    hm_registry_destroy(&r);
    return rate;
}

/* The collector's rate with one publisher beside statsd's lossless rate. */
static void statsd_row(double hotmon)
{
    const char *figure = "ingest beside the statsd daemon (npm statsd 0.9.0, UDP timers in "
                         "1400-byte datagrams), highest lossless rate";
    statsd_peer_t p;
    char dir[] = "/tmp/hm-bench-statsd.XXXXXX";
    if (!mkdtemp(dir) || !statsd_start(&p, dir)) {
        fprintf(stderr, "bench_ingest: statsd rows skipped: %s\n", dir[0] ? p.why : "no tmp");
        printf("| %s | %.2f M samples/s | skipped: %s | n/a |\n", figure, hotmon / 1e6, p.why);
        rmdir(dir);
        return;
    }
    double lossy;
    double rate = statsd_lossless_rate(&p, 25000, 3.2e6, &lossy);
    statsd_stop(&p);
    char cfg[128];
    snprintf(cfg, sizeof cfg, "%s/statsd-bench-config.js", dir);
    unlink(cfg);
    rmdir(dir);
    char lost[64] = "";
    if (lossy > 0)
        snprintf(lost, sizeof lost, ", lost metrics at %.0f k/s", lossy / 1e3);
    printf("| %s | %.2f M samples/s (1 publisher, no loss) | statsd: %.0f k samples/s%s | "
           "%.1fx |\n",
           figure, hotmon / 1e6, rate / 1e3, lost, rate > 0 ? hotmon / rate : 0.0);
}

int main(void)
{
    printf("| figure | hotmon | floor or peer | ratio |\n|---|---|---|---|\n");
    fflush(stdout);
    double wall;
    double mem = one_core_rate(&wall);
    printf("| ingest on one core: decode + apply, frames in memory | %.2f M samples per CPU-second "
           "(%.2f M/s by the wall clock) | goal: 10 M samples/s | %.2fx |\n",
           mem / 1e6, wall / 1e6, mem / 1e7);
    fflush(stdout);
    /* 1, 2 and 4 publishers: on two cores, 4 share them with the collector,
     * which is the figure a busy machine gives. */
    double one_publisher = 0;
    for (int pubs = 1; pubs <= 4; pubs *= 2) {
        double raw = raw_rate(pubs);
        ingest_t got = collector_rate(pubs);
        if (pubs == 1)
            one_publisher = got.rate;
        printf("| ingest, %d publisher process%s, 4 KiB frames, tcp loopback | %.2f M samples/s "
               "(ingest thread on a CPU %.0f%%, waiting for one %.0f%%: %.2f M samples per "
               "CPU-second) | raw ZeroMQ PUSH/PULL: %.2f M samples/s | %.2fx |\n",
               pubs, pubs > 1 ? "es" : "", got.rate / 1e6, got.busy * 100, got.starved * 100,
               got.busy > 0 ? got.rate / got.busy / 1e6 : 0.0, raw / 1e6, got.rate / raw);
        fflush(stdout);
    }
    statsd_row(one_publisher);
    memory_and_snapshot();
    return 0;
}
