/*
 * demo.c - synthetic services (see demo.h).
 *
 * Three threads, each with its own random state: one synthesises samples of
 * many shapes with hm_record (durations drawn, not slept, so the demo costs
 * little CPU at a few thousand samples a second); one runs real spans with
 * phases and request ids (those it must sleep: hm_mark measures real time);
 * one keeps long-lived streams open so in-flight moves. Every sleep is short
 * (50 ms at most), so hm_demo_stop returns within about 150 ms.
 */
#include "demo.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "hotmon.h"

#define MS 1000000.0

typedef enum { D_LOGNORMAL, D_BIMODAL, D_PARETO, D_DEGRADING, D_QUEUE, D_BURSTY } shape_t;

/* The synthetic endpoints: shape, median, spread, rate and error ratio. */
static const struct {
    const char *name;
    shape_t shape;
    double median_ms, sigma, per_second, errors;
} shapes[] = {
    {"GET /health", D_LOGNORMAL, 0.2, 0.3, 200, 0},
    {"GET /static/app.js", D_LOGNORMAL, 0.05, 0.4, 600, 0},
    {"GET /users/:id", D_LOGNORMAL, 4, 0.5, 300, 0.002},
    {"POST /orders", D_LOGNORMAL, 40, 0.6, 80, 0.02},
    {"GET /search", D_BIMODAL, 2, 0.3, 150, 0.005},
    {"GET /report", D_LOGNORMAL, 800, 0.4, 4, 0.01},
    {"POST /checkout", D_DEGRADING, 10, 0.4, 50, 0.01},
    {"GET /flaky", D_LOGNORMAL, 15, 0.8, 60, 0.08},
    {"POST /jobs", D_QUEUE, 5, 0.3, 40, 0},
    {"POST /upload", D_PARETO, 20, 1.3, 20, 0.01},
    {"POST /batch", D_BURSTY, 25, 0.5, 400, 0.01},
};
#define NSHAPES (sizeof shapes / sizeof shapes[0])

struct hm_demo {
    hm_client_t *client;
    hm_endpoint_t ep[NSHAPES];
    hm_endpoint_t db, stream;
    hm_phase_t wait, exec;
    atomic_bool stop;
    pthread_t threads[3];
    int nthreads;
};

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static double unit(uint64_t *s)
{
    return ((double)(rnd(s) >> 11) + 0.5) / 9007199254740992.0;
}

static double normal(uint64_t *s)
{
    return sqrt(-2.0 * log(unit(s))) * cos(6.283185307179586 * unit(s));
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Bursts: one second in eight at the full rate, a trickle in between. */
static double burst_factor(double t)
{
    return fmod(t, 8.0) < 1.0 ? 1.0 : 0.01;
}

/* A queue that fills for 40 s and drains for 20 s. */
static double queue_depth(double t)
{
    double phase = fmod(t, 60.0);
    return phase < 40 ? phase * 5 : (60 - phase) * 10;
}

static double draw_ms(size_t i, double t, uint64_t *r)
{
    double m = shapes[i].median_ms, sg = shapes[i].sigma;
    switch (shapes[i].shape) {
    case D_BIMODAL: /* a cache: most hits fast, misses 60x slower */
        return (unit(r) < 0.88 ? m : m * 60) * exp(sg * normal(r));
    case D_PARETO:
        return m * 0.5 / pow(unit(r), 1.0 / sg);
    case D_DEGRADING: /* gets slower over ten minutes, then starts over */
        return m * (1 + fmod(t, 600.0) / 60.0) * exp(sg * normal(r));
    case D_QUEUE:
        return (m + queue_depth(t) * 0.5) * exp(sg * normal(r));
    case D_BURSTY: /* slower while the burst lasts */
        return m * (burst_factor(t) == 1.0 ? 3 : 1) * exp(sg * normal(r));
    default:
        return m * exp(sg * normal(r));
    }
}

static int draw_status(double errors, uint64_t *r)
{
    static const int bad[] = {500, 502, 503, 504, 429};
    if (unit(r) >= errors)
        return 200;
    return bad[rnd(r) % 5];
}

static void *synth(void *arg)
{
    hm_demo_t *d = arg;
    uint64_t r = 0x2545F4914F6CDD1Dull;
    double owed[NSHAPES] = {0};
    uint64_t t0 = hm_now_ns();
    while (!atomic_load(&d->stop)) {
        double t = (double)(hm_now_ns() - t0) / 1e9;
        for (size_t i = 0; i < NSHAPES; i++) {
            /* rates swing by half over 20 s; the bursty one comes and goes */
            double rate = shapes[i].per_second * (1 + 0.5 * sin(t / 20 * 6.283 + (double)i));
            if (shapes[i].shape == D_BURSTY)
                rate = shapes[i].per_second * burst_factor(t);
            owed[i] += rate * 0.01;
            for (; owed[i] >= 1; owed[i] -= 1)
                hm_record(d->client, d->ep[i], (uint64_t)(draw_ms(i, t, &r) * MS),
                          draw_status(shapes[i].errors, &r));
            if (shapes[i].shape == D_QUEUE)
                hm_gauge_set(d->client, d->ep[i], HM_GAUGE_QUEUE, (int64_t)queue_depth(t));
        }
        sleep_ms(10);
    }
    return NULL;
}

/* Real spans with a wait and an exec phase and a request id. */
static void *phased(void *arg)
{
    hm_demo_t *d = arg;
    uint64_t r = 0x9E3779B97F4A7C15ull;
    char rid[32];
    unsigned long n = 0;
    while (!atomic_load(&d->stop)) {
        hm_span_t s = hm_start(d->client, d->db);
        snprintf(rid, sizeof rid, "req-%06lu", ++n);
        hm_request_id(d->client, s, rid);
        sleep_ms(1 + (long)(rnd(&r) % (unit(&r) < 0.05 ? 40 : 4)));
        hm_mark(d->client, s, d->wait);
        sleep_ms(1 + (long)(rnd(&r) % 6));
        hm_mark(d->client, s, d->exec);
        hm_end(d->client, s, unit(&r) < 0.01 ? 500 : 200);
    }
    return NULL;
}

/* Long-lived streams: up to 24 open at once, each for 0.2 to 3 seconds. */
static void *streams(void *arg)
{
    hm_demo_t *d = arg;
    uint64_t r = 0xD1B54A32D192ED03ull;
    hm_span_t open[24] = {0};
    uint64_t until[24] = {0};
    while (!atomic_load(&d->stop)) {
        uint64_t now = hm_now_ns();
        for (int i = 0; i < 24; i++) {
            if (open[i] && now >= until[i]) {
                hm_end(d->client, open[i], 0);
                open[i] = HM_SPAN_NONE;
            } else if (!open[i] && unit(&r) < 0.05) {
                open[i] = hm_start(d->client, d->stream);
                until[i] = now + (uint64_t)((0.2 + 2.8 * unit(&r)) * 1e9);
            }
        }
        sleep_ms(50);
    }
    for (int i = 0; i < 24; i++)
        if (open[i])
            hm_end(d->client, open[i], 0);
    return NULL;
}

int hm_demo_start(const char *address, hm_demo_t **out)
{
    hm_demo_t *d = calloc(1, sizeof *d);
    if (!d)
        return ENOMEM;
    hm_options_t o = {.endpoint = address, .service = "hotmon-demo"};
    int rc = hm_open(&o, &d->client);
    if (rc) {
        free(d);
        return rc;
    }
    for (size_t i = 0; i < NSHAPES; i++)
        hm_endpoint(d->client, shapes[i].name, &d->ep[i]);
    hm_endpoint(d->client, "GET /db/query", &d->db);
    hm_endpoint(d->client, "WS /stream", &d->stream);
    hm_phase(d->client, "wait", &d->wait);
    hm_phase(d->client, "exec", &d->exec);
    /* Start once the first frame has gone out (at most a second): samples
     * before the connection is up would only show as drops. */
    hm_client_stats_t st = {0};
    for (int i = 0; i < 100 && st.frames_sent == 0; i++) {
        sleep_ms(10);
        hm_client_stats(d->client, &st);
    }
    void *(*fns[3])(void *) = {synth, phased, streams};
    for (int i = 0; i < 3; i++) {
        if (pthread_create(&d->threads[i], NULL, fns[i], d) != 0) {
            hm_demo_stop(&d);
            return EAGAIN;
        }
        d->nthreads++;
    }
    *out = d;
    return 0;
}

void hm_demo_stop(hm_demo_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    hm_demo_t *d = *self_p;
    atomic_store(&d->stop, true);
    for (int i = 0; i < d->nthreads; i++)
        pthread_join(d->threads[i], NULL);
    hm_close(&d->client);
    free(d);
    *self_p = NULL;
}
