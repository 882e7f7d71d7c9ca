/*
 * window.c - rolling windows of one latency series (see window.h).
 *
 * Three rings of slices share one clock: slice ids are now_ns / width, so a
 * 10 s or 1 min boundary is always also a 1 s boundary and one comparison
 * (now_ns < next_ns) tells whether every ring is still on its current slice.
 * A ring keeps its current slice and the n before it; a window merges those.
 * Histograms are in histogram.c; per-endpoint state is in endpoint.c.
 */
#include "window.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_S 1000000000ull

typedef struct {
    uint64_t id;        /* now_ns / width when it was current */
    uint64_t errors;
    hm_hist_t hist;
} slice_t;

/* One ring: the current slice and the `keep` before it. */
typedef struct {
    uint64_t width_ns;
    unsigned keep;
    uint64_t cur;                 /* id of the current slice */
    slice_t *slot[11];            /* indexed by id % (keep + 1) */
} ring_t;

enum { RING_1S, RING_10S, RING_1M, RINGS };

static const struct {
    uint64_t width_ns;
    unsigned keep;
} ring_shape[RINGS] = {
    [RING_1S] = {NS_PER_S, 10},
    [RING_10S] = {10 * NS_PER_S, 6},
    [RING_1M] = {60 * NS_PER_S, 5},
};

struct hm_window {
    ring_t ring[RINGS];
    uint64_t next_ns;     /* end of the current 1 s slice: the fast-path test */
    uint64_t start_ns;    /* creation or last reset */
    hm_hist_t total;
    uint64_t total_errors;
    uint64_t hist_sec[HM_WINDOW_HISTORY]; /* which second each history entry holds, +1 */
    hm_second_t history[HM_WINDOW_HISTORY];
};

static void ring_free(ring_t *r)
{
    for (unsigned i = 0; i <= r->keep; i++) {
        free(r->slot[i]);
        r->slot[i] = NULL;
    }
}

static void sat32(uint32_t *dst, uint64_t v)
{
    *dst = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* Summarises a finished 1 s slice into the history. */
static void remember_second(hm_window_t *w, const slice_t *s)
{
    static const double qs[3] = {0.50, 0.95, 0.99};
    uint64_t v[3];
    hm_hist_quantiles(&s->hist, qs, 3, v);
    size_t i = s->id % HM_WINDOW_HISTORY;
    hm_second_t *e = &w->history[i];
    sat32(&e->count, s->hist.count);
    sat32(&e->errors, s->errors);
    sat32(&e->p50_us, v[0] / 1000);
    sat32(&e->p95_us, v[1] / 1000);
    sat32(&e->p99_us, v[2] / 1000);
    w->hist_sec[i] = s->id + 1;
}

/* Moves ring r to slice id cur, freeing slices that fall out of it. Only the
 * slice that was current can have changed since the last advance, so it alone
 * is summarised into the history (once, as it stops being current). */
static void ring_advance(hm_window_t *w, ring_t *r, uint64_t cur, bool history)
{
    if (cur == r->cur)
        return;
    unsigned n = r->keep + 1;
    slice_t *prev = r->slot[r->cur % n];
    if (history && prev && prev->id == r->cur)
        remember_second(w, prev);
    for (unsigned i = 0; i < n; i++) {
        slice_t *s = r->slot[i];
        if (s && s->id + r->keep < cur) {
            free(s);
            r->slot[i] = NULL;
        }
    }
    r->cur = cur;
}

void hm_window_advance(hm_window_t *w, uint64_t now_ns)
{
    assert(w);
    if (now_ns < w->next_ns)
        return;
    for (int i = 0; i < RINGS; i++)
        ring_advance(w, &w->ring[i], now_ns / w->ring[i].width_ns, i == RING_1S);
    w->next_ns = (now_ns / NS_PER_S + 1) * NS_PER_S;
}

static void init(hm_window_t *w, uint64_t now_ns)
{
    memset(w, 0, sizeof *w);
    for (int i = 0; i < RINGS; i++) {
        w->ring[i].width_ns = ring_shape[i].width_ns;
        w->ring[i].keep = ring_shape[i].keep;
        w->ring[i].cur = now_ns / ring_shape[i].width_ns;
    }
    w->next_ns = (now_ns / NS_PER_S + 1) * NS_PER_S;
    w->start_ns = now_ns;
    hm_hist_init(&w->total);
}

hm_window_t *hm_window_new(uint64_t now_ns)
{
    hm_window_t *w = malloc(sizeof *w);
    if (w)
        init(w, now_ns);
    return w;
}

void hm_window_destroy(hm_window_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    hm_window_t *w = *self_p;
    for (int i = 0; i < RINGS; i++)
        ring_free(&w->ring[i]);
    free(w);
    *self_p = NULL;
}

void hm_window_reset(hm_window_t *w, uint64_t now_ns)
{
    for (int i = 0; i < RINGS; i++)
        ring_free(&w->ring[i]);
    init(w, now_ns);
}

int hm_window_record(hm_window_t *w, uint64_t now_ns, uint64_t value_ns, bool error)
{
    hm_window_advance(w, now_ns);
    /* The total counts what was clamped; the slices take the clamped value. */
    hm_hist_record(&w->total, value_ns);
    w->total_errors += error;
    uint64_t v = value_ns < HM_HIST_MIN_NS ? HM_HIST_MIN_NS
                 : value_ns > HM_HIST_MAX_NS ? HM_HIST_MAX_NS
                                             : value_ns;
    size_t bucket = hm_hist_bucket(v);
    int rc = 0;
    for (int i = 0; i < RINGS; i++) {
        ring_t *r = &w->ring[i];
        slice_t **sp = &r->slot[r->cur % (r->keep + 1)];
        if (!*sp) {
            *sp = malloc(sizeof **sp);
            if (!*sp) {
                rc = ENOMEM;
                continue;
            }
            (*sp)->id = r->cur;
            (*sp)->errors = 0;
            hm_hist_init(&(*sp)->hist);
        }
        hm_hist_add(&(*sp)->hist, v, bucket);
        (*sp)->errors += error;
    }
    return rc;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

hm_window_result_t hm_window_query(hm_window_t *w, uint64_t now_ns, hm_win_t which,
                                   hm_hist_t *out)
{
    hm_window_advance(w, now_ns);
    hm_window_result_t res = {0, now_ns > w->start_ns ? now_ns - w->start_ns : 0};
    if (which == HM_WIN_ALL) {
        *out = w->total;
        res.errors = w->total_errors;
        return res;
    }
    assert(which < HM_WIN_ALL);
    hm_hist_init(out);
    const ring_t *r = &w->ring[which]; /* HM_WIN_10S.. map onto RING_1S.. */
    for (unsigned i = 0; i <= r->keep; i++) {
        const slice_t *s = r->slot[i];
        if (!s)
            continue;
        hm_hist_merge(out, &s->hist);
        res.errors += s->errors;
    }
    uint64_t covered = now_ns - (r->cur - min_u64(r->cur, r->keep)) * r->width_ns;
    res.span_ns = min_u64(res.span_ns, covered);
    return res;
}

void hm_window_history(hm_window_t *w, uint64_t now_ns, hm_second_t *out, size_t n)
{
    assert(n <= HM_WINDOW_HISTORY);
    hm_window_advance(w, now_ns);
    uint64_t now_sec = now_ns / NS_PER_S;
    for (size_t k = 0; k < n; k++) {
        uint64_t sec = now_sec - n + k; /* the last entry is the latest full second */
        size_t i = sec % HM_WINDOW_HISTORY;
        if (sec < now_sec && w->hist_sec[i] == sec + 1)
            out[k] = w->history[i];
        else
            memset(&out[k], 0, sizeof out[k]);
    }
}

size_t hm_window_bytes(const hm_window_t *w)
{
    size_t n = sizeof *w;
    for (int i = 0; i < RINGS; i++)
        for (unsigned j = 0; j <= w->ring[i].keep; j++)
            n += w->ring[i].slot[j] ? sizeof(slice_t) : 0;
    return n;
}

static const char *const win_names[HM_WIN__COUNT] = {"10s", "1m", "5m", "all"};

const char *hm_win_name(hm_win_t which)
{
    assert(which < HM_WIN__COUNT);
    return win_names[which];
}

bool hm_win_parse(const char *s, hm_win_t *out)
{
    for (int i = 0; i < HM_WIN__COUNT; i++) {
        if (strcmp(s, win_names[i]) == 0) {
            *out = (hm_win_t)i;
            return true;
        }
    }
    return false;
}
