/*
 * tests/prog_publish.c - publishes known samples through libhotmon, for
 * integration tests that check what hotmon shows against what was sent.
 *
 *   prog_publish ADDRESS ENDPOINT SPEC...
 *   prog_publish ADDRESS ENDPOINT COUNT MS [ERRORS]
 *
 * Each SPEC is COUNTxDURATION[:STATUS] (1000x10ms, 10x200ms:500) or
 * COUNTxLOW-HIGH[:STATUS] for durations spread evenly from LOW to HIGH
 * (100x1ms-9ms). Durations take ns, us, ms or s. The second form sends COUNT
 * samples of MS milliseconds, the first ERRORS of them with status 500.
 * ENDPOINT may hold \xNN escapes, so tests can send hostile names.
 *
 * Samples go out with hm_record, in the order given, over a real socket. The
 * program waits HM_PUBLISH_CONNECT_MS (default 500) after hm_open for the
 * connection, prints each spec as sent and then the client's counters, and
 * exits 0 when every sample was handed to ZeroMQ, 1 when any was dropped, 2
 * on bad arguments.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hotmon.h"

typedef struct {
    unsigned long count;
    uint64_t low_ns, high_ns; /* equal for a single duration */
    int status;
} spec_t;

/* Turns \xNN escapes into bytes. */
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

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Parses "10ms" into *ns; returns the rest of the text, or NULL. */
static const char *parse_duration(const char *s, uint64_t *ns)
{
    static const struct {
        const char *unit;
        double scale;
    } units[] = {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}};
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || !(v >= 0))
        return NULL;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        size_t n = strlen(units[i].unit);
        if (strncmp(end, units[i].unit, n) == 0) {
            *ns = (uint64_t)(v * units[i].scale + 0.5);
            return end + n;
        }
    }
    return NULL;
}

static int parse_spec(const char *text, spec_t *out)
{
    char *end;
    errno = 0;
    unsigned long count = strtoul(text, &end, 10);
    if (errno || end == text || *end != 'x' || count == 0)
        return EINVAL;
    spec_t sp = {.count = count, .status = 200};
    const char *p = parse_duration(end + 1, &sp.low_ns);
    if (!p)
        return EINVAL;
    sp.high_ns = sp.low_ns;
    if (*p == '-' && !(p = parse_duration(p + 1, &sp.high_ns)))
        return EINVAL;
    if (sp.high_ns < sp.low_ns)
        return EINVAL;
    if (*p == ':') {
        long status = strtol(p + 1, &end, 10);
        if (end == p + 1 || *end || status < 0 || status > 65535)
            return EINVAL;
        sp.status = (int)status;
    } else if (*p) {
        return EINVAL;
    }
    *out = sp;
    return 0;
}

/* The second form, COUNT MS [ERRORS], as specs. Returns how many, or -1. */
static int legacy_specs(int argc, char **argv, spec_t *specs)
{
    char *end;
    unsigned long count = strtoul(argv[3], &end, 10);
    if (*end || argc > 6)
        return -1;
    double ms = strtod(argv[4], &end);
    if (*end || !(ms >= 0))
        return -1;
    unsigned long errors = argc > 5 ? strtoul(argv[5], &end, 10) : 0;
    if ((argc > 5 && *end) || errors > count)
        return -1;
    uint64_t ns = (uint64_t)(ms * 1e6 + 0.5);
    int n = 0;
    if (errors)
        specs[n++] = (spec_t){errors, ns, ns, 500};
    if (count > errors)
        specs[n++] = (spec_t){count - errors, ns, ns, 200};
    return n;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr,
                "usage: %s ADDRESS ENDPOINT COUNTxDURATION[-HIGH][:STATUS]...\n"
                "       %s ADDRESS ENDPOINT COUNT MS [ERRORS]\n",
                argv[0], argv[0]);
        return 2;
    }
    spec_t specs[64];
    int nspecs = argc - 3;
    if (!strchr(argv[3], 'x')) {
        if ((nspecs = legacy_specs(argc, argv, specs)) < 0) {
            fprintf(stderr, "prog_publish: bad COUNT MS [ERRORS]\n");
            return 2;
        }
    } else if (nspecs > 64) {
        fprintf(stderr, "prog_publish: at most 64 specs\n");
        return 2;
    } else {
        for (int i = 0; i < nspecs; i++)
            if (parse_spec(argv[3 + i], &specs[i]) != 0) {
                fprintf(stderr, "prog_publish: bad spec '%s'\n", argv[3 + i]);
                return 2;
            }
    }
    const char *wait = getenv("HM_PUBLISH_CONNECT_MS");
    long connect_ms = wait ? atol(wait) : 500;
    char name[1024];
    unescape(argv[2], name, sizeof name);

    /* names declared often, so a collector that starts late learns them soon */
    hm_options_t o = {.endpoint = argv[1], .service = "prog_publish", .declare_every_ms = 200};
    hm_client_t *c = NULL;
    hm_endpoint_t ep;
    int rc = hm_open(&o, &c);
    if (rc == 0 && (rc = hm_endpoint(c, name, &ep)) != 0)
        hm_close(&c);
    if (rc) {
        fprintf(stderr, "prog_publish: %s: %s\n", argv[1], strerror(rc));
        return 1;
    }
    /* ZMQ_IMMEDIATE drops what goes before the connection is up */
    sleep_ms(connect_ms);
    unsigned long sent = 0;
    for (int i = 0; i < nspecs; i++) {
        const spec_t *sp = &specs[i];
        for (unsigned long k = 0; k < sp->count; k++) {
            uint64_t d = sp->low_ns;
            if (sp->count > 1)
                d += (sp->high_ns - sp->low_ns) * k / (sp->count - 1);
            hm_record(c, ep, d, sp->status);
            /* stay far below the ring's capacity whatever the counts */
            if (++sent % 2000 == 0)
                sleep_ms(30);
        }
        printf("published %s: %lu x %.6f-%.6f ms status %d\n", argv[2], sp->count,
               (double)sp->low_ns / 1e6, (double)sp->high_ns / 1e6, sp->status);
    }
    hm_client_stats_t st;
    /* wait for the publisher's flush before reading what went out */
    for (int tries = 0; tries < 100; tries++) {
        hm_client_stats(c, &st);
        if (st.buffered == 0)
            break;
        sleep_ms(10);
    }
    hm_close(&c);
    printf("counters: produced %" PRIu64 " sent %" PRIu64 " dropped %" PRIu64 "\n", st.produced,
           st.sent, st.dropped);
    return st.dropped == 0 && st.sent == sent ? 0 : 1;
}
