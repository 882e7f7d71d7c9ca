/*
 * tests/prog_flood.c - an instrumented loop for the fault tests and the soak:
 * records samples through libhotmon as fast as it can, or at a set rate, and
 * says what the client counted.
 *
 *   prog_flood ADDRESS [--seconds S] [--rate R] [--endpoints N] [--work-ns N]
 *              [--rid] [--tick-ms MS] [--no-client] [--close-now] [--attribute]
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
 * --attribute says why a record call was slow. Each call is still timed on
 * its own, tight; around that, the thread's kernel counters (getrusage
 * RUSAGE_THREAD: context switches, page faults), the interrupts that ran on
 * it (perf tracepoint counters: timer, device, softirq, inter-processor; when
 * they can be opened, which takes root and tracefs) and its CPU clock are
 * read before and after. The final line ends with
 *
 *         timed_ms=... first_call_ns=... first_blocked=... irq_counted=...
 *         slow_preempted=... slow_faulted=... slow_interrupted=...
 *         slow_unexplained=... blocked=... preempted=... max_cpu_ns=...
 *         slowest_cpu_ns=... unexplained_max_ns=... unexplained_max_cpu_ns=...
 *
 * The thread's first call is reported alone (first_call_ns, first_blocked):
 * it allocates the thread's ring. Of the others, those over 10 us are split
 * by what was counted in their bracket: an involuntary context switch
 * (preempted), else a page fault (faulted), else an interrupt (interrupted),
 * else nothing (unexplained: the hypervisor, or the library itself). blocked
 * counts calls of any duration in which the thread switched voluntarily,
 * that is slept: the record call must never do that. preempted counts calls
 * of any duration with an involuntary switch. timed_ms is the wall-clock time
 * spent in the timed sections, to compare how often slow calls come with how
 * long the calls were exposed. max_cpu_ns is the most CPU time of one call
 * (the kernel charges interrupts to the thread they land on), slowest_cpu_ns
 * that of the slowest. With --no-client the timed section is empty: the same
 * bracket around nothing, the control. The system calls of the bracket make
 * the loop some fifty times slower: loops_per_s then measures the bracket.
 *
 * The client's counters are read once the rings are empty (so produced =
 * sent + dropped exactly), or at once with --close-now, which then times
 * hm_close with samples still buffered. rss_first_kb is the resident size
 * one second in. Exits 0, or 2 on
 * bad arguments, or 1 when the client cannot be opened.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
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
    bool rid, no_client, close_now, attribute;
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
            " [--work-ns N] [--rid] [--tick-ms MS] [--no-client] [--close-now] [--attribute]\n",
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
        if (strcmp(k, "--attribute") == 0) {
            a->attribute = true;
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

/* One record call as the loop makes it: a sample, or with --rid a span
 * carrying a request id. */
typedef struct {
    hm_client_t *c;
    hm_endpoint_t ep;
    const char *rid; /* NULL: hm_record */
    uint64_t duration_ns;
    int status;
} call_t;

static void record(const call_t *k)
{
    if (!k->c)
        return; /* --no-client: the empty section, the control of --attribute */
    if (k->rid) {
        hm_span_t s = hm_start(k->c, k->ep);
        hm_request_id(k->c, s, k->rid);
        hm_end(k->c, s, k->status);
    } else {
        hm_record(k->c, k->ep, k->duration_ns, k->status);
    }
}

/* What --attribute learned of the calls (see the opening comment). */
typedef struct {
    int irq_fd;                      /* a group of interrupt counters for this thread, or -1 */
    uint64_t calls;                  /* calls bracketed so far */
    uint64_t first_ns;               /* the first call: it allocates the thread's ring */
    bool first_blocked;              /* ... and may sleep doing so */
    uint64_t slow_preempted;         /* calls over 10 us with an involuntary switch */
    uint64_t slow_faulted;           /* ... with a page fault, no switch */
    uint64_t slow_interrupted;       /* ... with an interrupt, neither of the above */
    uint64_t slow_unexplained;       /* ... with none of these */
    uint64_t blocked;                /* calls in which the thread switched voluntarily */
    uint64_t preempted;              /* calls with an involuntary switch, any duration */
    uint64_t max_cpu_ns;             /* the most thread CPU time of one call */
    uint64_t slowest_ns;             /* the slowest call, wall clock */
    uint64_t slowest_cpu_ns;         /* ... and its CPU time */
    uint64_t unexplained_max_ns;     /* the slowest unexplained call, wall clock */
    uint64_t unexplained_max_cpu_ns; /* ... and its CPU time */
} attribution_t;

/* The interrupts that run in the time of whatever thread they land on:
 * timer ticks, device interrupts, softirqs run on their exit, and the
 * inter-processor ones (TLB shootdowns arrive as function calls). */
static const char *const irq_events[] = {
    "irq_vectors/local_timer_entry",
    "irq/irq_handler_entry",
    "irq/softirq_entry",
    "irq_vectors/call_function_entry",
    "irq_vectors/call_function_single_entry",
    "irq_vectors/reschedule_entry",
    "irq_vectors/irq_work_entry",
};
#define IRQ_EVENTS (sizeof irq_events / sizeof *irq_events)

/* One perf counter group over irq_events for the calling thread, read in one
 * read(); -1 when tracepoints cannot be counted here (not root, no tracefs
 * mounted at /sys/kernel/tracing). */
static int irq_counters_open(void)
{
    int leader = -1;
    for (size_t i = 0; i < IRQ_EVENTS; i++) {
        char path[128];
        long id = -1;
        snprintf(path, sizeof path, "/sys/kernel/tracing/events/%s/id", irq_events[i]);
        FILE *f = fopen(path, "r");
        if (f) {
            if (fscanf(f, "%ld", &id) != 1)
                id = -1;
            fclose(f);
        }
        if (id < 0)
            continue; /* an event this kernel does not have */
        struct perf_event_attr pa = {.type = PERF_TYPE_TRACEPOINT,
                                     .size = sizeof pa,
                                     .config = (uint64_t)id,
                                     .read_format = PERF_FORMAT_GROUP};
        int fd = (int)syscall(SYS_perf_event_open, &pa, 0, -1, leader, 0);
        if (fd < 0)
            break;
        leader = leader < 0 ? fd : leader;
    }
    return leader;
}

/* The interrupts counted so far on this thread; 0 without counters. */
static uint64_t irq_count(int fd)
{
    uint64_t buf[1 + IRQ_EVENTS] = {0}, n = 0;
    if (fd < 0 || read(fd, buf, sizeof buf) <= 0)
        return 0;
    for (uint64_t i = 0; i < buf[0] && i < IRQ_EVENTS; i++)
        n += buf[1 + i];
    return n;
}

static uint64_t thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Makes call k and returns its wall-clock ns. With at, the thread's counters
 * and CPU clock are read around the timed section (not inside it) and what
 * they show is added to *at. */
static uint64_t timed_record(const call_t *k, attribution_t *at)
{
    if (!at) {
        uint64_t t0 = hm_now_ns();
        record(k);
        return hm_now_ns() - t0;
    }
    struct rusage r0, r1;
    getrusage(RUSAGE_THREAD, &r0);
    uint64_t irq0 = irq_count(at->irq_fd);
    uint64_t cpu0 = thread_cpu_ns();
    uint64_t t0 = hm_now_ns();
    record(k);
    uint64_t took = hm_now_ns() - t0;
    uint64_t cpu = thread_cpu_ns() - cpu0;
    bool interrupted = irq_count(at->irq_fd) != irq0;
    getrusage(RUSAGE_THREAD, &r1);
    if (at->calls++ == 0) {
        at->first_ns = took;
        at->first_blocked = r1.ru_nvcsw != r0.ru_nvcsw;
        return took;
    }
    bool switched = r1.ru_nivcsw != r0.ru_nivcsw;
    bool faulted = r1.ru_minflt != r0.ru_minflt || r1.ru_majflt != r0.ru_majflt;
    at->blocked += r1.ru_nvcsw != r0.ru_nvcsw;
    at->preempted += switched;
    at->max_cpu_ns = cpu > at->max_cpu_ns ? cpu : at->max_cpu_ns;
    if (took > at->slowest_ns) {
        at->slowest_ns = took;
        at->slowest_cpu_ns = cpu;
    }
    if (took <= 10000)
        return took;
    if (switched) {
        at->slow_preempted++;
    } else if (faulted) {
        at->slow_faulted++;
    } else if (interrupted) {
        at->slow_interrupted++;
    } else {
        at->slow_unexplained++;
        if (took > at->unexplained_max_ns) {
            at->unexplained_max_ns = took;
            at->unexplained_max_cpu_ns = cpu;
        }
    }
    return took;
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
    hm_endpoint_t ep[ENDPOINTS_MAX] = {0};
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
    uint64_t loops = 0, max_record = 0, over_10us = 0, max_buffered = 0, timed_ns = 0;
    long rss_first = 0, rss_max = 0;
    uint32_t x = 2463534242u; /* xorshift: durations without a libc call */
    hm_client_stats_t st = {0};
    attribution_t at = {.irq_fd = a.attribute ? irq_counters_open() : -1};
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
            if (!c && !a.attribute)
                continue;
            call_t call = {c, ep[e], a.rid ? rid : NULL, d, x % 100 ? 200 : 500};
            uint64_t took = timed_record(&call, a.attribute ? &at : NULL);
            timed_ns += took;
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
           " close_ms=%.3f rss_first_kb=%ld rss_max_kb=%ld rss_end_kb=%ld",
           max_buffered, max_record, over_10us, (double)close_ns / 1e6, rss_first, rss_max,
           rss_kb());
    if (a.attribute)
        printf(" timed_ms=%.3f first_call_ns=%" PRIu64 " first_blocked=%d"
               " irq_counted=%d slow_preempted=%" PRIu64 " slow_faulted=%" PRIu64
               " slow_interrupted=%" PRIu64 " slow_unexplained=%" PRIu64 " blocked=%" PRIu64
               " preempted=%" PRIu64 " max_cpu_ns=%" PRIu64 " slowest_cpu_ns=%" PRIu64
               " unexplained_max_ns=%" PRIu64 " unexplained_max_cpu_ns=%" PRIu64,
               (double)timed_ns / 1e6, at.first_ns, at.first_blocked, at.irq_fd >= 0,
               at.slow_preempted, at.slow_faulted, at.slow_interrupted, at.slow_unexplained,
               at.blocked, at.preempted, at.max_cpu_ns, at.slowest_cpu_ns, at.unexplained_max_ns,
               at.unexplained_max_cpu_ns);
    printf("\n");
    return 0;
}
