/*
 * bench/bench_wire.c - the frame codec's cost per sample, beside its floor.
 *
 * hotmon: encoding (hm_wire_begin, hm_wire_put_sample per sample, hm_wire_end)
 * and decoding (hm_wire_open, which validates the whole frame, then
 * hm_wire_next per record) of 4 KiB frames of plain samples, the shape the
 * publisher sends under load. Floor: memcpy of the same frame bytes, the least
 * any codec must do to move them. Each figure is the best of 5 rounds of
 * about 0.1 s, the rounds of the three taking turns in the same run; the whole
 * benchmark takes about 1.5 s.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "wire.h"

#define FRAME_BYTES 4096
#define ROUNDS 5
#define ROUND_NS 100000000ull

/* Keeps the compiler from dropping work whose result is not otherwise used. */
static void clobber(const void *p)
{
    __asm__ volatile("" : : "r"(p) : "memory");
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

typedef struct {
    uint8_t frame[FRAME_BYTES];
    uint8_t copy[FRAME_BYTES];
    size_t len;
    unsigned samples;
    uint64_t sink;
} bench_t;

/* Fills one frame with as many plain samples as fit; returns how many. */
static unsigned encode(bench_t *b, uint64_t seq)
{
    hm_wire_writer_t w;
    hm_wire_begin(&w, b->frame, sizeof b->frame, 0x5eed, seq);
    hm_wire_sample_t s = {.endpoint = 3, .status = 200};
    unsigned n = 0;
    for (;; n++) {
        s.endpoint = (uint16_t)(n & 15);
        s.duration_ns = 1000 + n * 37 + seq;
        if (!hm_wire_put_sample(&w, &s))
            break;
    }
    b->len = hm_wire_end(&w);
    clobber(b->frame);
    return n;
}

static unsigned decode(bench_t *b, uint64_t seq)
{
    hm_wire_reader_t r;
    hm_wire_header_t h;
    if (hm_wire_open(&r, b->frame, b->len, &h) != HM_WIRE_OK)
        return 0;
    hm_wire_record_t rec;
    uint64_t sum = 0;
    unsigned n = 0;
    while (hm_wire_next(&r, &rec)) {
        sum += rec.u.sample.duration_ns + rec.u.sample.endpoint;
        n++;
    }
    b->sink += sum;
    return n;
}

static unsigned copy(bench_t *b, uint64_t seq)
{
    memcpy(b->copy, b->frame, b->len);
    clobber(b->copy);
    return b->samples;
}

typedef unsigned (*step_fn)(bench_t *, uint64_t);

/* ns per sample of one round of about ROUND_NS of fn. */
static double round_of(bench_t *b, step_fn fn, uint64_t *seq)
{
    uint64_t samples = 0, t0 = now_ns(), t;
    do {
        for (int i = 0; i < 64; i++)
            samples += fn(b, (*seq)++);
        t = now_ns();
    } while (t - t0 < ROUND_NS);
    return (double)(t - t0) / (double)samples;
}

static void row(const char *figure, double hotmon, double floor)
{
    printf("| %s | %.2f ns | floor (memcpy of the same bytes): %.2f ns | %.1fx |\n", figure, hotmon,
           floor, hotmon / floor);
}

int main(void)
{
    static bench_t b;
    b.samples = encode(&b, 0);
    if (decode(&b, 0) != b.samples) {
        fprintf(stderr, "bench_wire: the decoder refused the encoder's frame\n");
        return 1;
    }
    /* Rounds of the three alternate, so a neighbour's load hits them alike;
     * the best round of each counts. */
    step_fn fns[3] = {copy, encode, decode};
    double best[3] = {1e30, 1e30, 1e30};
    uint64_t seq = 0;
    for (int round = 0; round < ROUNDS; round++) {
        for (int f = 0; f < 3; f++) {
            double ns = round_of(&b, fns[f], &seq);
            best[f] = ns < best[f] ? ns : best[f];
        }
    }
    double floor = best[0], enc = best[1], dec = best[2];
    printf("| figure | hotmon | floor or peer | ratio |\n|---|---|---|---|\n");
    char figure[128];
    snprintf(figure, sizeof figure, "encode a sample (%u per %d-byte frame)", b.samples,
             FRAME_BYTES);
    row(figure, enc, floor);
    snprintf(figure, sizeof figure, "decode a sample: open (validate) + next");
    row(figure, dec, floor);
    printf("| decode rate, one core | %.1f M samples/s | target: 10 M samples/s | %.1fx |\n",
           1e3 / dec, 1e3 / dec / 10.0);
    fprintf(stderr, "bench_wire: %zu-byte frames, sink %llu\n", b.len, (unsigned long long)b.sink);
    return 0;
}
