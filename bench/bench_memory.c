/*
 * bench/bench_memory.c - the resident memory of a collector process with 100,
 * 1,000 and 10,000 active endpoints, beside the same collector with none.
 *
 * Each figure is a fresh process running the collector engine (as hotmon and
 * hotmon-collector do). This process publishes wire frames to it over TCP
 * loopback: every endpoint gets 20 samples a second for SECONDS seconds,
 * from as many senders as the per-sender id cap needs. The collector tells
 * through a pipe when a snapshot holds every sample; its VmRSS is read then.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "collector.h"
#include "wire.h"
#include "proc_rss.h"

#define SECONDS 3
#define PER_SECOND 20
#define PER_SENDER 4000 /* endpoint ids one sender declares, under the 4,096 cap */

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* The collector process: binds, writes its address to fd, and writes "ready"
 * once a snapshot holds `samples` samples. */
static void collector_child(int fd, uint64_t samples)
{
    void *ctx = zmq_ctx_new();
    hm_collector_t *c = NULL;
    hm_collector_options_t o = {.bind = "tcp://127.0.0.1:*", .max_endpoints = 20000};
    if (hm_collector_new(ctx, &o, &c, NULL) != 0)
        _exit(1);
    dprintf(fd, "%s\n", hm_collector_address(c));
    for (;;) {
        hm_collector_refresh(c, 5000);
        hm_snapshot_t *s = hm_collector_snapshot(c);
        bool done = s->counters.samples >= samples;
        hm_snapshot_release(&s);
        if (done)
            break;
        sleep_ms(100);
    }
    dprintf(fd, "ready\n");
    pause(); /* killed by the parent once it has read the RSS */
    _exit(0);
}

/* Sends one second's samples of n endpoints (declared in the first second). */
static void publish_second(void *push, int n, int second)
{
    static uint8_t buf[16384];
    int senders = (n + PER_SENDER - 1) / PER_SENDER;
    static uint64_t seq[8];
    for (int k = 0; k < senders; k++) {
        int lo = k * PER_SENDER, hi = lo + PER_SENDER < n ? lo + PER_SENDER : n;
        hm_wire_writer_t w;
        hm_wire_begin(&w, buf, sizeof buf, 1000 + (uint64_t)k, seq[k]++);
        for (int i = lo; second == 0 && i < hi; i++) {
            char name[32];
            snprintf(name, sizeof name, "ep-%05d", i);
            if (!hm_wire_put_decl(&w, HM_REC_ENDPOINT, (uint16_t)(i - lo),
                                  hm_wire_str(name, NULL))) {
                zmq_send(push, buf, hm_wire_end(&w), 0);
                hm_wire_begin(&w, buf, sizeof buf, 1000 + (uint64_t)k, seq[k]++);
                i--;
            }
        }
        for (int j = 0; j < PER_SECOND; j++) {
            for (int i = lo; i < hi; i++) {
                hm_wire_sample_t s = {.endpoint = (uint16_t)(i - lo),
                                      .status = 200,
                                      .duration_ns = 1000000ull + (uint64_t)(j * 97 + i) * 1000};
                if (!hm_wire_put_sample(&w, &s)) {
                    zmq_send(push, buf, hm_wire_end(&w), 0);
                    hm_wire_begin(&w, buf, sizeof buf, 1000 + (uint64_t)k, seq[k]++);
                    i--;
                }
            }
        }
        zmq_send(push, buf, hm_wire_end(&w), 0);
    }
}

/* RSS in KiB of a collector after n endpoints were active; -1 on failure. */
static long measure(int n)
{
    uint64_t samples = (uint64_t)n * PER_SECOND * SECONDS;
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        collector_child(fds[1], samples);
    }
    close(fds[1]);
    FILE *from = fdopen(fds[0], "r");
    char addr[256] = "", ready[32] = "";
    if (!fgets(addr, sizeof addr, from)) {
        fclose(from);
        return -1;
    }
    addr[strcspn(addr, "\n")] = '\0';
    void *ctx = zmq_ctx_new();
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    zmq_connect(push, addr);
    for (int sec = 0; n > 0 && sec < SECONDS; sec++) {
        publish_second(push, n, sec);
        sleep_ms(1000);
    }
    if (n == 0)
        sleep_ms(1000);
    long kib = -1;
    if (fgets(ready, sizeof ready, from))
        kib = rss_kib(pid);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    fclose(from);
    int linger = 0;
    zmq_setsockopt(push, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(push);
    zmq_ctx_term(ctx);
    return kib;
}

int main(void)
{
    printf("| figure | hotmon | floor or peer | ratio |\n|---|---|---|---|\n");
    fflush(stdout);
    long empty = measure(0);
    static const int counts[] = {100, 1000, 10000};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        long kib = measure(counts[i]);
        if (kib < 0 || empty <= 0) {
            fprintf(stderr, "bench_memory: the collector with %d endpoints did not answer\n",
                    counts[i]);
            return 1;
        }
        printf("| collector RSS, %d endpoints active %d s (%d samples/s each) | %.1f MiB "
               "(%.1f KiB per endpoint above empty) | the same collector, no endpoint: %.1f MiB "
               "| %.1fx |\n",
               counts[i], SECONDS, PER_SECOND, kib / 1024.0, (double)(kib - empty) / counts[i],
               empty / 1024.0, (double)kib / (double)empty);
        fflush(stdout);
    }
    return 0;
}
