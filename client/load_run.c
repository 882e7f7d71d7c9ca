/*
 * load_run.c - the synthetic service against the clock (see load_run.h).
 */
#include "load_run.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "load_sim.h"

/* Least time between two wake-ups of a worker: results are given in batches
 * at most this late, and a worker wakes at most 1000 times a second. */
#define TICK_NS 1000000ull
/* Longest sleep, so a stop request is seen soon. */
#define NAP_MAX_NS 50000000ull

typedef struct {
    const hm_load_plan_t *plan;
    hm_load_result_t *res;
    hm_load_endpoint_t *eps; /* this worker's endpoints; owned */
    size_t *global;          /* their index in the plan; owned */
    size_t n;
    double rate;
    uint32_t users;
    uint64_t t0, end, seed;
    uint64_t requests, lag_max;
    int rc;
    pthread_t thread;
} worker_t;

static void on_done(void *ctx, const hm_load_done_t *d)
{
    worker_t *w = ctx;
    const hm_load_plan_t *p = w->plan;
    size_t g = w->global[d->endpoint];
    hm_hist_record(&w->res->hist[g], d->end_ns - d->intended_ns);
    if (d->status >= 400)
        w->res->errors[g]++;
    w->requests++;
    if (p->client) {
        hm_phase_t phase[2] = {p->wait, p->exec};
        uint64_t ns[2] = {d->start_ns - d->intended_ns, d->end_ns - d->start_ns};
        hm_sample_t s = {.duration_ns = ns[1],
                         .delay_ns = ns[0],
                         .status = d->status,
                         .nphases = p->phases ? 2 : 0,
                         .phase = phase,
                         .phase_ns = ns};
        hm_record_sample(p->client, p->ids[g], &s);
    }
}

static void on_queue(void *ctx, uint32_t endpoint, uint32_t depth)
{
    worker_t *w = ctx;
    size_t g = w->global[endpoint];
    if (depth > w->res->queue_peak[g])
        w->res->queue_peak[g] = depth;
    if (w->plan->client)
        hm_gauge_set(w->plan->client, w->plan->ids[g], HM_GAUGE_QUEUE, depth);
}

static bool stopped(const hm_load_plan_t *p)
{
    return p->stop && atomic_load_explicit(p->stop, memory_order_relaxed);
}

static void *work(void *arg)
{
    worker_t *w = arg;
    hm_load_sim_t *sim = NULL;
    w->rc = hm_load_sim_new(w->eps, w->n, w->rate, w->users, w->t0, w->seed, &sim);
    if (w->rc)
        return NULL;
    hm_load_sink_t sink = {on_done, on_queue, w};
    uint64_t now;
    while (!stopped(w->plan) && (now = hm_now_ns()) < w->end) {
        uint64_t next = hm_load_sim_run(sim, now, &sink);
        if (next != UINT64_MAX && next <= now)
            continue; /* a busy moment: more events due */
        uint64_t wake = next > now + TICK_NS ? next : now + TICK_NS;
        if (wake > now + NAP_MAX_NS)
            wake = now + NAP_MAX_NS;
        if (wake > w->end)
            wake = w->end;
        struct timespec ts = {(time_t)(wake / 1000000000u), (long)(wake % 1000000000u)};
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
        uint64_t woke = hm_now_ns();
        uint64_t due = next < woke ? next : woke;
        if (next != UINT64_MAX && woke - due > w->lag_max)
            w->lag_max = woke - due;
    }
    if (!stopped(w->plan))
        while (hm_load_sim_run(sim, w->end, &sink) <= w->end)
            ; /* everything due by the end */
    hm_load_sim_destroy(&sim);
    return NULL;
}

void hm_load_result_fini(hm_load_result_t *r)
{
    free(r->hist);
    free(r->errors);
    free(r->queue_peak);
    memset(r, 0, sizeof *r);
}

void hm_load_result_total(const hm_load_result_t *r, hm_hist_t *all, uint64_t *errors)
{
    hm_hist_init(all);
    *errors = 0;
    for (size_t i = 0; i < r->n; i++) {
        hm_hist_merge(all, &r->hist[i]);
        *errors += r->errors[i];
    }
}

static void free_workers(worker_t *w, unsigned n)
{
    for (unsigned i = 0; w && i < n; i++) {
        free(w[i].eps);
        free(w[i].global);
    }
    free(w);
}

/* Deals endpoints, rate and users out to the workers. */
static int deal(const hm_load_plan_t *p, worker_t *ws, unsigned nw, hm_load_result_t *res)
{
    double total = 0;
    for (size_t i = 0; i < p->n; i++)
        total += p->eps[i].weight;
    for (unsigned k = 0; k < nw; k++) {
        worker_t *w = &ws[k];
        size_t cap = p->n / nw + 1;
        w->eps = malloc(cap * sizeof *w->eps);
        w->global = malloc(cap * sizeof *w->global);
        if (!w->eps || !w->global)
            return ENOMEM;
        double weight = 0;
        for (size_t i = k; i < p->n; i += nw) {
            w->eps[w->n] = p->eps[i];
            w->global[w->n++] = i;
            weight += p->eps[i].weight;
        }
        w->plan = p;
        w->res = res;
        w->rate = p->rate * weight / total;
        w->users = p->users / nw + (k < p->users % nw);
        w->seed = p->seed + 0x9e3779b97f4a7c15ull * (k + 1);
    }
    return 0;
}

int hm_load_run(const hm_load_plan_t *p, hm_load_result_t *out)
{
    if (p->n == 0 || (p->rate <= 0 && p->users == 0) || !(p->duration_s > 0) || p->workers == 0)
        return EINVAL;
    unsigned nw = p->workers < p->n ? p->workers : (unsigned)p->n;
    if (p->rate <= 0 && p->users < nw)
        nw = p->users; /* a worker without users would have nothing to do */
    hm_load_result_t res = {.n = p->n};
    res.hist = malloc(p->n * sizeof *res.hist);
    res.errors = calloc(p->n, sizeof *res.errors);
    res.queue_peak = calloc(p->n, sizeof *res.queue_peak);
    worker_t *ws = calloc(nw, sizeof *ws);
    int rc = res.hist && res.errors && res.queue_peak && ws ? deal(p, ws, nw, &res) : ENOMEM;
    for (size_t i = 0; rc == 0 && i < p->n; i++)
        hm_hist_init(&res.hist[i]);
    uint64_t t0 = hm_now_ns();
    unsigned started = 0;
    for (; rc == 0 && started < nw; started++) {
        ws[started].t0 = t0;
        ws[started].end = t0 + (uint64_t)(p->duration_s * 1e9);
        if (pthread_create(&ws[started].thread, NULL, work, &ws[started]) != 0)
            rc = EAGAIN;
    }
    if (rc == EAGAIN)
        started--;
    for (unsigned k = 0; k < started; k++) {
        pthread_join(ws[k].thread, NULL);
        res.requests += ws[k].requests;
        if (ws[k].lag_max > res.lag_max_ns)
            res.lag_max_ns = ws[k].lag_max;
        if (ws[k].rc && !rc)
            rc = ws[k].rc;
    }
    uint64_t end = hm_now_ns();
    uint64_t planned = t0 + (uint64_t)(p->duration_s * 1e9);
    res.elapsed_s = (double)((end < planned ? end : planned) - t0) / 1e9;
    free_workers(ws, nw);
    if (rc) {
        hm_load_result_fini(&res);
        return rc;
    }
    *out = res;
    return 0;
}
