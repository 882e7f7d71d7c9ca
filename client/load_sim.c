/*
 * load_sim.c - the synthetic service in virtual time (see load_sim.h): a
 * binary heap of timed events (arrivals, completions, queue time-outs) and
 * a FIFO ring of waiting requests per endpoint.
 */
#include "load_sim.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Events played per hm_load_sim_run call at most. */
#define RUN_EVENTS_MAX 100000
/* In closed loop a refused user tries again this much later, so a full
 * queue does not spin at one instant. */
#define RETRY_NS 1000000ull

typedef enum { EV_ARRIVAL, EV_DONE, EV_TIMEOUT } kind_t;

typedef struct {
    uint64_t t;
    uint64_t seq; /* ties are played in the order they were made */
    uint64_t intended, start;
    uint32_t ep;
    uint8_t kind;
    uint16_t status;
} event_t;

typedef struct {
    uint64_t *q; /* intended starts of waiting requests, a ring; owned */
    uint32_t qcap, qhead, qlen;
    uint32_t busy; /* requests in service */
    bool timeout_pending;
    double interval_ns;   /* open loop: time between arrivals */
    uint64_t first_ns, k; /* open loop: arrival k is at first + k * interval */
} state_t;

struct hm_load_sim {
    const hm_load_endpoint_t *eps;
    size_t n;
    state_t *st; /* n; owned */
    double *cum; /* closed loop: cumulative weights, n; owned */
    bool closed;
    uint64_t t0, seq, rng;
    event_t *heap; /* owned */
    size_t nheap, capheap;
};

static bool before(const event_t *a, const event_t *b)
{
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static int push(hm_load_sim_t *s, event_t e)
{
    if (s->nheap == s->capheap) {
        size_t cap = s->capheap ? s->capheap * 2 : 64;
        event_t *h = realloc(s->heap, cap * sizeof *h);
        if (!h)
            return ENOMEM;
        s->heap = h;
        s->capheap = cap;
    }
    e.seq = s->seq++;
    size_t i = s->nheap++;
    while (i > 0 && before(&e, &s->heap[(i - 1) / 2])) {
        s->heap[i] = s->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    s->heap[i] = e;
    return 0;
}

static event_t pop(hm_load_sim_t *s)
{
    event_t top = s->heap[0], last = s->heap[--s->nheap];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= s->nheap)
            break;
        if (c + 1 < s->nheap && before(&s->heap[c + 1], &s->heap[c]))
            c++;
        if (!before(&s->heap[c], &last))
            break;
        s->heap[i] = s->heap[c];
        i = c;
    }
    if (s->nheap > 0)
        s->heap[i] = last;
    return top;
}

static uint32_t pick(hm_load_sim_t *s)
{
    double x = hm_rng_unit(&s->rng) * s->cum[s->n - 1];
    size_t lo = 0, hi = s->n - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->cum[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return (uint32_t)lo;
}

int hm_load_sim_new(const hm_load_endpoint_t *eps, size_t n, double rate, uint32_t users,
                    uint64_t t0, uint64_t seed, hm_load_sim_t **out)
{
    if (n == 0 || (rate <= 0 && users == 0))
        return EINVAL;
    hm_load_sim_t *s = calloc(1, sizeof *s);
    if (!s)
        return ENOMEM;
    s->eps = eps;
    s->n = n;
    s->t0 = t0;
    s->rng = seed;
    s->closed = rate <= 0;
    s->st = calloc(n, sizeof *s->st);
    s->cum = calloc(n, sizeof *s->cum);
    int rc = s->st && s->cum ? 0 : ENOMEM;
    double total = 0;
    for (size_t i = 0; i < n; i++)
        s->cum[i] = total += eps[i].weight;
    for (size_t i = 0; i < n && rc == 0; i++) {
        state_t *st = &s->st[i];
        if (s->closed)
            continue;
        st->interval_ns = 1e9 / (rate * eps[i].weight / total);
        /* A random offset, so endpoints of one rate do not all fire together. */
        st->first_ns = t0 + (uint64_t)(st->interval_ns * hm_rng_unit(&s->rng));
        rc = push(s, (event_t){.t = st->first_ns, .ep = (uint32_t)i, .kind = EV_ARRIVAL});
    }
    for (uint32_t u = 0; u < users && s->closed && rc == 0; u++)
        rc = push(s, (event_t){.t = t0, .ep = pick(s), .kind = EV_ARRIVAL});
    if (rc) {
        hm_load_sim_destroy(&s);
        return rc;
    }
    *out = s;
    return 0;
}

void hm_load_sim_destroy(hm_load_sim_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    hm_load_sim_t *s = *self_p;
    for (size_t i = 0; s->st && i < s->n; i++)
        free(s->st[i].q);
    free(s->st);
    free(s->cum);
    free(s->heap);
    free(s);
    *self_p = NULL;
}

uint32_t hm_load_sim_queue(const hm_load_sim_t *s, size_t i)
{
    return s->st[i].qlen;
}

/* A finished request: to the sink, and in closed loop its user's next one. */
static void finish(hm_load_sim_t *s, const hm_load_sink_t *k, uint32_t ep, uint64_t intended,
                   uint64_t start, uint64_t end, int status)
{
    hm_load_done_t d = {ep, intended, start, end, status};
    k->done(k->ctx, &d);
    if (s->closed)
        push(s, (event_t){.t = end + (status == 503 && start == end ? RETRY_NS : 0),
                          .ep = pick(s),
                          .kind = EV_ARRIVAL});
}

static void serve(hm_load_sim_t *s, uint32_t ep, uint64_t intended, uint64_t now)
{
    const hm_load_endpoint_t *e = &s->eps[ep];
    double f = 1;
    if (e->degrade_factor != 1 && e->degrade_ns) {
        double x = (double)(now - s->t0) / (double)e->degrade_ns;
        f = 1 + (e->degrade_factor - 1) * (x < 1 ? x : 1);
    }
    uint64_t service = (uint64_t)(hm_dist_draw(&e->latency, &s->rng) * f);
    uint16_t status = hm_rng_unit(&s->rng) < e->error_ratio ? 500 : 200;
    s->st[ep].busy++;
    push(s, (event_t){.t = now + service,
                      .intended = intended,
                      .start = now,
                      .ep = ep,
                      .kind = EV_DONE,
                      .status = status});
}

static void queue_changed(hm_load_sim_t *s, const hm_load_sink_t *k, uint32_t ep)
{
    if (k->queue)
        k->queue(k->ctx, ep, s->st[ep].qlen);
}

/* Fails every waiting request of ep whose time-out has come by now. */
static void expire(hm_load_sim_t *s, const hm_load_sink_t *k, uint32_t ep, uint64_t now)
{
    state_t *st = &s->st[ep];
    uint64_t timeout = s->eps[ep].timeout_ns;
    bool changed = false;
    while (timeout && st->qlen > 0 && st->q[st->qhead] + timeout <= now) {
        uint64_t intended = st->q[st->qhead];
        st->qhead = (st->qhead + 1) % st->qcap;
        st->qlen--;
        changed = true;
        finish(s, k, ep, intended, intended + timeout, intended + timeout, 503);
    }
    if (timeout && st->qlen > 0 && !st->timeout_pending) {
        st->timeout_pending = true;
        push(s, (event_t){.t = st->q[st->qhead] + timeout, .ep = ep, .kind = EV_TIMEOUT});
    }
    if (changed)
        queue_changed(s, k, ep);
}

static bool enqueue(state_t *st, uint32_t max, uint64_t intended)
{
    if (st->qlen >= max)
        return false;
    if (st->qlen == st->qcap) {
        uint32_t cap = st->qcap ? st->qcap * 2 : 16;
        uint64_t *q = malloc(cap * sizeof *q);
        if (!q)
            return false;
        for (uint32_t i = 0; i < st->qlen; i++)
            q[i] = st->q[(st->qhead + i) % st->qcap];
        free(st->q);
        st->q = q;
        st->qcap = cap;
        st->qhead = 0;
    }
    st->q[(st->qhead + st->qlen++) % st->qcap] = intended;
    return true;
}

static void arrive(hm_load_sim_t *s, const hm_load_sink_t *k, uint32_t ep, uint64_t t)
{
    state_t *st = &s->st[ep];
    const hm_load_endpoint_t *e = &s->eps[ep];
    if (!s->closed) {
        st->k++;
        push(s, (event_t){.t = st->first_ns + (uint64_t)(st->interval_ns * (double)st->k),
                          .ep = ep,
                          .kind = EV_ARRIVAL});
    }
    if (e->capacity == 0 || st->busy < e->capacity) {
        serve(s, ep, t, t);
    } else if (enqueue(st, e->queue_max, t)) {
        queue_changed(s, k, ep);
        expire(s, k, ep, t);
    } else {
        finish(s, k, ep, t, t, t, 503);
    }
}

static void done(hm_load_sim_t *s, const hm_load_sink_t *k, const event_t *ev)
{
    state_t *st = &s->st[ev->ep];
    st->busy--;
    finish(s, k, ev->ep, ev->intended, ev->start, ev->t, ev->status);
    expire(s, k, ev->ep, ev->t);
    if (st->qlen > 0) {
        uint64_t intended = st->q[st->qhead];
        st->qhead = (st->qhead + 1) % st->qcap;
        st->qlen--;
        queue_changed(s, k, ev->ep);
        serve(s, ev->ep, intended, ev->t);
    }
}

uint64_t hm_load_sim_run(hm_load_sim_t *s, uint64_t now, const hm_load_sink_t *sink)
{
    for (int played = 0; s->nheap > 0 && s->heap[0].t <= now && played < RUN_EVENTS_MAX; played++) {
        event_t ev = pop(s);
        switch (ev.kind) {
        case EV_ARRIVAL:
            arrive(s, sink, ev.ep, ev.t);
            break;
        case EV_DONE:
            done(s, sink, &ev);
            break;
        default:
            s->st[ev.ep].timeout_pending = false;
            expire(s, sink, ev.ep, ev.t);
            break;
        }
    }
    return s->nheap > 0 ? s->heap[0].t : UINT64_MAX;
}
