/*
 * bench/statsd_peer.h - the statsd daemon (npm package statsd, installed by
 * scripts/run-bench.sh under build/npm) as a peer for the ingest bench: start
 * it on free loopback ports with bench/statsd-count-backend.js, feed it UDP
 * timers at rising rates, and find its highest lossless rate.
 *
 * Feeding is as generous to statsd as a client can be: timer lines packed
 * into datagrams of up to 1,400 bytes (as batching clients such as hot-shots
 * do), sent with sendmmsg. A rate is lossless when statsd counted at least
 * 99.9% of the metrics sent (its statsd.metrics_received, summed over the
 * flushes that follow).
 */
#ifndef HM_BENCH_STATSD_PEER_H
#define HM_BENCH_STATSD_PEER_H

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STATSD_DATAGRAM 1400
#define STATSD_SEND_S 1.0

typedef struct {
    pid_t pid;
    int out; /* its stdout, non-blocking */
    int udp;
    struct sockaddr_in to;
    char buf[4096];
    size_t len;
    const char *why; /* why it is not running */
} statsd_peer_t;

static uint64_t statsd_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int statsd_free_port(int type)
{
    int s = socket(AF_INET, type, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    bind(s, (struct sockaddr *)&a, sizeof a);
    getsockname(s, (struct sockaddr *)&a, &len);
    close(s);
    return ntohs(a.sin_port);
}

/* Reads what statsd printed within ms; returns the metrics counted by the
 * flushes among it, or -1 when it printed nothing at all. */
static long statsd_read(statsd_peer_t *p, int ms)
{
    long received = -1;
    uint64_t end = statsd_now_ns() + (uint64_t)ms * 1000000ull;
    for (uint64_t now; (now = statsd_now_ns()) < end;) {
        struct pollfd pfd = {.fd = p->out, .events = POLLIN};
        if (poll(&pfd, 1, (int)((end - now) / 1000000ull) + 1) <= 0)
            continue;
        ssize_t n = read(p->out, p->buf + p->len, sizeof p->buf - 1 - p->len);
        if (n <= 0)
            break;
        p->len += (size_t)n;
        p->buf[p->len] = '\0';
        char *nl;
        while ((nl = strchr(p->buf, '\n'))) {
            *nl = '\0';
            const char *r = strstr(p->buf, "{\"received\":");
            if (r)
                received = (received < 0 ? 0 : received) + atol(r + 12);
            p->len -= (size_t)(nl + 1 - p->buf);
            memmove(p->buf, nl + 1, p->len + 1);
        }
        if (p->len == sizeof p->buf - 1)
            p->len = 0; /* a line too long to be ours */
    }
    return received;
}

/* Starts statsd; on failure p->why says why (and nothing is running). */
static bool statsd_start(statsd_peer_t *p, const char *dir)
{
    memset(p, 0, sizeof *p);
    p->pid = -1;
    p->out = p->udp = -1;
    const char *js = getenv("HM_STATSD_JS");
    if (!js || access(js, R_OK) != 0) {
        p->why = "statsd not installed (npm could not reach the registry?)";
        return false;
    }
    char backend[4096], config[4200];
    if (!realpath("bench/statsd-count-backend.js", backend)) {
        p->why = "bench/statsd-count-backend.js not found (run from the repository root)";
        return false;
    }
    int port = statsd_free_port(SOCK_DGRAM), mgmt = statsd_free_port(SOCK_STREAM);
    snprintf(config, sizeof config, "%s/statsd-bench-config.js", dir);
    FILE *f = fopen(config, "w");
    if (!f) {
        p->why = "cannot write the statsd config";
        return false;
    }
    fprintf(f,
            "{ port: %d, address: \"127.0.0.1\", mgmt_address: \"127.0.0.1\", mgmt_port: %d,\n"
            "  flushInterval: 500, deleteIdleStats: true, backends: [\"%s\"] }\n",
            port, mgmt, backend);
    fclose(f);
    int fds[2];
    if (pipe(fds) != 0) {
        p->why = "no pipe";
        return false;
    }
    p->pid = fork();
    if (p->pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        execlp("node", "node", js, config, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    p->out = fds[0];
    fcntl(p->out, F_SETFL, O_NONBLOCK);
    /* Up when its first flush says so. */
    if (statsd_read(p, 10000) < 0) {
        p->why = "statsd did not start (is node installed?)";
        kill(p->pid, SIGKILL);
        waitpid(p->pid, NULL, 0);
        close(p->out);
        p->pid = -1;
        return false;
    }
    p->udp = socket(AF_INET, SOCK_DGRAM, 0);
    p->to = (struct sockaddr_in){.sin_family = AF_INET,
                                 .sin_port = htons((uint16_t)port),
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    return true;
}

static void statsd_stop(statsd_peer_t *p)
{
    if (p->pid > 0) {
        kill(p->pid, SIGTERM);
        waitpid(p->pid, NULL, 0);
    }
    if (p->out >= 0)
        close(p->out);
    if (p->udp >= 0)
        close(p->udp);
    p->pid = -1;
}

/* Sends timers at rate per second for STATSD_SEND_S; returns how many were
 * sent (the sender's own limit may make it fewer). */
static long statsd_feed(statsd_peer_t *p, double rate)
{
    enum { BATCH = 32 };
    static char dgram[BATCH][STATSD_DATAGRAM];
    struct mmsghdr msgs[BATCH];
    struct iovec iov[BATCH];
    int per_dgram = 0;
    size_t dlen = 0;
    for (int k = 0; dlen + 24 < STATSD_DATAGRAM; k++, per_dgram++)
        dlen += (size_t)snprintf(dgram[0] + dlen, STATSD_DATAGRAM - dlen, "%sbench.t%d:%d|ms",
                                 k ? "\n" : "", k % 10, 1 + k % 97);
    for (int i = 0; i < BATCH; i++) {
        memcpy(dgram[i], dgram[0], dlen);
        iov[i] = (struct iovec){dgram[i], dlen};
        msgs[i] = (struct mmsghdr){.msg_hdr = {.msg_name = &p->to,
                                               .msg_namelen = sizeof p->to,
                                               .msg_iov = &iov[i],
                                               .msg_iovlen = 1}};
    }
    uint64_t t0 = statsd_now_ns(), end = t0 + (uint64_t)(STATSD_SEND_S * 1e9);
    long sent = 0;
    for (uint64_t now; (now = statsd_now_ns()) < end;) {
        long due = (long)(rate * (double)(now - t0) / 1e9);
        if (sent + per_dgram > due) {
            struct timespec ts = {0, 200000};
            nanosleep(&ts, NULL);
            continue;
        }
        int n = (int)((due - sent) / per_dgram);
        n = n > BATCH ? BATCH : n < 1 ? 1 : n;
        int got = sendmmsg(p->udp, msgs, (unsigned)n, 0);
        if (got > 0)
            sent += (long)got * per_dgram;
    }
    return sent;
}

/* One step at rate: true when statsd counted 99.9% of what was sent; the
 * rate really sent goes to *achieved. */
static bool statsd_step(statsd_peer_t *p, double rate, double *achieved)
{
    statsd_read(p, 600); /* what is left of the last step */
    long sent = statsd_feed(p, rate);
    long got = 0, r;
    while ((r = statsd_read(p, 1200)) > 0)
        got += r; /* until a flush counts nothing more */
    *achieved = (double)sent / STATSD_SEND_S;
    fprintf(stderr, "bench_ingest: statsd at %.0f/s: sent %ld, counted %ld\n", *achieved, sent,
            got);
    return (double)got >= 0.999 * (double)sent;
}

/* Doubles the rate from start until statsd loses more than 0.1%, then tries
 * once half-way back; returns the highest lossless rate seen (metrics/s; 0
 * if even the first lost), and the lowest lossy one in *lossy (0 if none
 * within max). */
static double statsd_lossless_rate(statsd_peer_t *p, double start, double max, double *lossy)
{
    double best = 0, achieved;
    *lossy = 0;
    for (double rate = start; rate <= max; rate *= 2) {
        if (!statsd_step(p, rate, &achieved)) {
            *lossy = achieved;
            break;
        }
        best = achieved;
        if (achieved < 0.9 * rate)
            return best; /* the sender's own limit: statsd kept up with all it got */
    }
    if (*lossy > 0 && best > 0) {
        if (statsd_step(p, (best + *lossy) / 2, &achieved))
            best = achieved;
        else
            *lossy = achieved;
    }
    return best;
}

#endif
