/*
 * tests/prog_sub.c - a real SUB socket for the integration tests: prints
 * each message body received under a topic, one a line.
 *
 *   prog_sub ADDRESS TOPIC COUNT SECONDS
 *
 * Connects, subscribes, waits 300 ms for the subscription to reach the
 * publisher (ZeroMQ's slow joiner) and prints "ready" to stderr; then prints
 * bodies until COUNT messages came or SECONDS passed. Exits 0 when COUNT
 * came, 1 on time-out, 2 on bad arguments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zmq.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: prog_sub ADDRESS TOPIC COUNT SECONDS\n");
        return 2;
    }
    long want = strtol(argv[3], NULL, 10);
    double until = now_s() + strtod(argv[4], NULL);
    void *ctx = zmq_ctx_new();
    void *sub = zmq_socket(ctx, ZMQ_SUB);
    int linger = 0, timeout = 100;
    zmq_setsockopt(sub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(sub, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, argv[2], strlen(argv[2]));
    if (zmq_connect(sub, argv[1]) != 0) {
        fprintf(stderr, "prog_sub: %s: %s\n", argv[1], zmq_strerror(zmq_errno()));
        return 2;
    }
    struct timespec settle = {0, 300 * 1000000L};
    nanosleep(&settle, NULL);
    fprintf(stderr, "ready\n");
    long got = 0;
    char buf[65536];
    while (got < want && now_s() < until) {
        int n = zmq_recv(sub, buf, sizeof buf - 1, 0); /* the topic frame */
        if (n < 0)
            continue;
        int more = 0;
        size_t len = sizeof more;
        zmq_getsockopt(sub, ZMQ_RCVMORE, &more, &len);
        if (!more)
            continue;
        n = zmq_recv(sub, buf, sizeof buf - 1, 0);
        if (n < 0)
            continue;
        buf[n < (int)sizeof buf - 1 ? n : (int)sizeof buf - 1] = '\0';
        printf("%s\n", buf);
        fflush(stdout);
        got++;
    }
    zmq_close(sub);
    zmq_ctx_term(ctx);
    return got >= want ? 0 : 1;
}
