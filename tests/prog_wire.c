/*
 * tests/prog_wire.c - a hostile or unusual sender that writes wire frames
 * itself (client/wire.c's encoder, or raw bytes), for the fault tests.
 *
 *   prog_wire ADDRESS names N      one sender declares N distinct endpoint
 *                                  names ("name-0000000"...), one sample each,
 *                                  8 frames of 64 KiB every 20 ms
 *   prog_wire ADDRESS garbage N    N frames of random bytes, plus a frame
 *                                  claiming 2^31 records, a frame of another
 *                                  version, one with reserved flags, one cut
 *                                  short, and a 16 MiB frame on a connection
 *                                  of its own
 *   prog_wire ADDRESS values       samples of 0, 1 ns, 999 ns, -1 (2^64-1), a
 *                                  NaN's bit pattern, 2 h, an overflowing
 *                                  delay, and names of 255 bytes and of
 *                                  invalid UTF-8
 *
 * Frames go out on a PUSH socket with blocking sends and an unbounded linger,
 * so every frame reaches a collector that is up. Prints what it sent and
 * what the collector must count: "expect KEY=N" lines, KEY as in
 * prog_collect's final line. Exits 0, or 2 on bad arguments.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <zmq.h>

#include "histogram.h"
#include "wire.h"

#define FRAME_BUF 65536

typedef struct {
    void *sock;
    uint64_t sender, seq, frames;
    hm_wire_writer_t w;
    uint8_t buf[FRAME_BUF];
} out_t;

static void begin(out_t *o)
{
    hm_wire_begin(&o->w, o->buf, sizeof o->buf, o->sender, o->seq);
}

static void flush(out_t *o)
{
    if (o->w.count == 0)
        return;
    size_t len = hm_wire_end(&o->w);
    zmq_send(o->sock, o->buf, len, 0);
    o->seq++;
    o->frames++;
    begin(o);
}

static void *push_socket(void *ctx, const char *addr)
{
    void *s = zmq_socket(ctx, ZMQ_PUSH);
    int linger = -1;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_connect(s, addr);
    return s;
}

static hm_wire_str_t str(const char *s)
{
    return (hm_wire_str_t){(const uint8_t *)s, (uint8_t)strlen(s)};
}

static void sample(out_t *o, uint16_t ep, uint64_t ns, bool has_delay, uint64_t delay)
{
    hm_wire_sample_t x = {.endpoint = ep, .status = 200, .duration_ns = ns,
                          .has_delay = has_delay, .delay_ns = delay};
    if (!hm_wire_put_sample(&o->w, &x)) {
        flush(o);
        hm_wire_put_sample(&o->w, &x);
    }
}

static void decl(out_t *o, uint16_t id, hm_wire_str_t name)
{
    if (!hm_wire_put_decl(&o->w, HM_REC_ENDPOINT, id, name)) {
        flush(o);
        hm_wire_put_decl(&o->w, HM_REC_ENDPOINT, id, name);
    }
}

static void names(out_t *o, unsigned long n)
{
    for (unsigned long i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof name, "name-%07lu", i);
        uint16_t id = (uint16_t)(i % 4096);
        /* declaration and sample in one frame, so no sample meets an id that
         * meant another name */
        if (FRAME_BUF - o->w.len < 64) {
            flush(o);
            /* Paced, so that what is measured is the registry and not
             * frames queued in front of a busy collector. */
            if (o->frames % 8 == 0)
                nanosleep(&(struct timespec){0, 20000000L}, NULL);
        }
        decl(o, id, str(name));
        sample(o, id, 1000000, false, 0);
    }
    flush(o);
    printf("sent names=%lu samples=%lu frames=%" PRIu64 "\n", n, n, o->frames);
    printf("expect samples=%lu\n", n);
}

static void values(out_t *o)
{
    char long_name[256];
    memset(long_name, 'L', 255);
    long_name[255] = '\0';
    decl(o, 0, str("values"));
    decl(o, 1, str(long_name));
    decl(o, 2, str("bad \xff\xfe utf-8 \xc3"));
    const uint64_t nan_bits = 0x7FF8000000000000ull;
    const uint64_t odd[] = {0, 1, 999, UINT64_MAX, nan_bits, 7200000000000ull};
    const uint64_t fine[] = {1000, 1000000, 3600000000000ull};
    unsigned clamped = 0, total = 0;
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++, total++, clamped++)
        sample(o, 0, odd[i], false, 0);
    for (size_t i = 0; i < sizeof fine / sizeof fine[0]; i++, total++)
        sample(o, 0, fine[i], false, 0);
    /* duration + delay overflows 64 bits: clamped, not wrapped to a small value */
    sample(o, 0, UINT64_MAX - 5, true, 100);
    total++, clamped++;
    sample(o, 1, 1000000, false, 0);
    sample(o, 2, 1000000, false, 0);
    total += 2;
    flush(o);
    printf("sent samples=%u frames=%" PRIu64 "\n", total, o->frames);
    printf("expect samples=%u\nexpect values_clamped=%u\nexpect names_cut=1\n", total, clamped);
}

/* Sends frame[0..len) as it is and counts the reason the decoder will give. */
static void raw(out_t *o, const uint8_t *frame, size_t len, uint64_t *by)
{
    hm_wire_reader_t r;
    hm_wire_header_t h;
    by[hm_wire_open(&r, frame, len, &h)]++;
    zmq_send(o->sock, frame, len, 0);
    o->frames++;
}

static void garbage(void *ctx, const char *addr, out_t *o, unsigned long n)
{
    uint64_t by[HM_WIRE_ERR__COUNT] = {0};
    uint8_t *f = o->buf;
    for (unsigned long i = 0; i < n; i++) {
        uint16_t len;
        getrandom(&len, sizeof len, 0);
        len %= 2048;
        getrandom(f, len, 0);
        if (i % 2 && len >= HM_WIRE_HEADER_SIZE) {
            /* half of them pass the magic and version, to reach the records */
            memcpy(f, "HM\x01\x00", 4);
        }
        raw(o, f, len, by);
    }
    /* A frame claiming 2^31 records that holds one. */
    begin(o);
    hm_wire_put_heartbeat(&o->w);
    size_t len = hm_wire_end(&o->w);
    const uint8_t count31[4] = {0, 0, 0, 0x80};
    memcpy(f + 4, count31, 4);
    raw(o, f, len, by);
    /* Another version, reserved flags, a record cut short. */
    begin(o);
    hm_wire_put_drops(&o->w, 5);
    len = hm_wire_end(&o->w);
    f[2] = 2;
    raw(o, f, len, by);
    f[2] = HM_WIRE_VERSION;
    f[3] = 0x80;
    raw(o, f, len, by);
    f[3] = 0;
    raw(o, f, len - 1, by);
    printf("sent frames=%" PRIu64 "\n", o->frames);
    uint64_t rejected = 0;
    for (int i = 1; i < HM_WIRE_ERR__COUNT; i++) {
        char reason[64];
        snprintf(reason, sizeof reason, "%s", hm_wire_err_str((hm_wire_err_t)i));
        for (char *p = reason; *p; p++)
            *p = *p == ' ' ? '_' : *p;
        printf("expect rejected_%s=%" PRIu64 "\n", reason, by[i]);
        rejected += by[i];
    }
    printf("expect rejected=%" PRIu64 "\nexpect good_frames=%" PRIu64 "\n", rejected, by[0]);
    /* 16 MiB, above ZMQ_MAXMSGSIZE: ZeroMQ drops the connection before
     * anything is read into memory. A connection of its own, so that the
     * frames above are not lost with it; linger bounded, since the peer
     * never takes it. */
    size_t big = 16u << 20;
    uint8_t *b = calloc(1, big);
    void *s = zmq_socket(ctx, ZMQ_PUSH);
    int linger = 2000;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_connect(s, addr);
    if (b) {
        memcpy(b, "HM\x01\x00", 4);
        zmq_send(s, b, big, 0);
    }
    zmq_close(s);
    free(b);
    printf("sent big_frame_bytes=%zu\n", big);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: prog_wire ADDRESS names N | garbage N | values\n");
        return 2;
    }
    unsigned long n = argc > 3 ? strtoul(argv[3], NULL, 10) : 0;
    void *ctx = zmq_ctx_new();
    out_t *o = calloc(1, sizeof *o);
    if (!ctx || !o)
        return 1;
    setvbuf(stdout, NULL, _IOLBF, 0);
    o->sock = push_socket(ctx, argv[1]);
    getrandom(&o->sender, sizeof o->sender, 0);
    begin(o);
    int rc = 0;
    if (strcmp(argv[2], "names") == 0 && n > 0)
        names(o, n);
    else if (strcmp(argv[2], "garbage") == 0)
        garbage(ctx, argv[1], o, n);
    else if (strcmp(argv[2], "values") == 0)
        values(o);
    else
        rc = 2;
    zmq_close(o->sock);
    zmq_ctx_term(ctx);
    free(o);
    if (rc)
        fprintf(stderr, "usage: prog_wire ADDRESS names N | garbage N | values\n");
    return rc;
}
