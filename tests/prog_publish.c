/*
 * tests/prog_publish.c - publishes known samples through libhotmon, for the
 * integration and terminal tests.
 *
 *   prog_publish ADDR ENDPOINT COUNT MS [ERRORS]
 *
 * Sends COUNT samples of MS milliseconds (ERRORS of them with status 500) on
 * ENDPOINT (any bytes, escapes like \x1b allowed), after waiting for the
 * connection; prints "sent N dropped N" and exits 0 when nothing was dropped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hotmon.h"

/* Turns \xNN escapes into bytes, so tests can pass hostile names. */
static void unescape(const char *in, char *out, size_t n)
{
    size_t o = 0;
    for (; *in && o + 1 < n; in++) {
        unsigned v;
        if (in[0] == '\\' && in[1] == 'x' && sscanf(in + 2, "%2x", &v) == 1) {
            out[o++] = (char)v;
            in += 3;
        } else {
            out[o++] = *in;
        }
    }
    out[o] = '\0';
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: prog_publish ADDR ENDPOINT COUNT MS [ERRORS]\n");
        return 2;
    }
    char name[1024];
    unescape(argv[2], name, sizeof name);
    long count = atol(argv[3]), errors = argc > 5 ? atol(argv[5]) : 0;
    double ms = atof(argv[4]);
    hm_options_t o = {.endpoint = argv[1], .service = "prog_publish", .declare_every_ms = 200};
    hm_client_t *c = NULL;
    if (hm_open(&o, &c) != 0) {
        fprintf(stderr, "prog_publish: cannot open a client for %s\n", argv[1]);
        return 1;
    }
    hm_endpoint_t ep;
    hm_endpoint(c, name, &ep);
    struct timespec wait = {0, 700 * 1000000L}; /* connected before the first sample */
    nanosleep(&wait, NULL);
    for (long i = 0; i < count; i++) {
        hm_record(c, ep, (uint64_t)(ms * 1e6), i < errors ? 500 : 200);
        if (i % 1000 == 999) {
            struct timespec ts = {0, 5 * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
    struct timespec settle = {0, 200 * 1000000L};
    nanosleep(&settle, NULL);
    hm_client_stats_t st;
    hm_client_stats(c, &st);
    hm_close(&c);
    printf("sent %llu dropped %llu\n", (unsigned long long)st.sent, (unsigned long long)st.dropped);
    return st.dropped == 0 ? 0 : 1;
}
