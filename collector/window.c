/*
 * window.c - rolling windows of one time series of latencies (window.h).
 *
 * Three rings of slices, described by the table `shapes` below: ring r keeps
 * slice numbers cur-n+1 .. cur, where slice k covers [k * len, (k+1) * len) of
 * the monotonic clock (aligned to the clock, not to the window's start, so
 * every window in a process rolls at the same instants). Slice k sits in slot
 * k % n, is opened (cleared) on its first sample and dropped when it falls out
 * of the ring. The n-th slice is the current, partial one, so the 10 s
 * window covers between 9 and 10 s once it has run that long; queries report
 * the span they really cover.
 *
 * Fast path: 1 s boundaries include every 10 s and 1 min boundary, so while
 * now_ns is below the end of the current 1 s slice (next_ns) nothing rolls and
 * a record is four histogram increments through cached slice pointers.
 *
 * History: when a 1 s slice completes, its count, errors and p50/p95/p99 go
 * into history[second % HM_WINDOW_HISTORY]. Only the slice that was current can
 * hold samples, so a jump over many seconds writes one summary and at most
 * HM_WINDOW_HISTORY zero entries. Invariant: for every second s in
 * [cur - HM_WINDOW_HISTORY, cur), history[s % HM_WINDOW_HISTORY] is second s,
 * or zero when s precedes the window's start.
 *
 * Memory: every ring's slices live in one block, allocated and written whole on
 * the first sample and freed once every slice has expired (5 min idle). A busy
 * window thus holds all it will ever hold from its first second on, so the
 * resident size of a collector under steady load is flat from the start
 * instead of growing until the 5 min ring has filled; an idle window holds
 * only its total.
 *
 * Time going backwards is clamped: a sample stamped before the latest time seen
 * counts in the current slices. A value out of 1 us .. 1 h is clamped and counted
 * (under/over) in every histogram it lands in.
 */
#include "window.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_S 1000000000ull
#define RINGS 3   /* HM_WIN_10S, HM_WIN_1M, HM_WIN_5M; HM_WIN_ALL is the total */
#define MAX_SLICES 10
#define SLICES 21 /* 10 + 6 + 5: the block */

/* The master copy of the windows: name, and for the rings slice length and count. */
static const struct {
    const char *name;
    uint64_t len_ns;
    size_t n;
} shapes[HM_WIN__COUNT] = {
    [HM_WIN_10S] = {"10s", NS_PER_S, 10},
    [HM_WIN_1M] = {"1m", 10 * NS_PER_S, 6},
    [HM_WIN_5M] = {"5m", 60 * NS_PER_S, 5},
    [HM_WIN_ALL] = {"all", 0, 0},
};

typedef struct {
    hm_hist_t hist;  /* values recorded in this slice */
    uint64_t errors; /* of which errors */
    uint64_t seq;    /* slice number: covers [seq * len, (seq + 1) * len) */
} slice_t;

typedef struct {
    uint64_t cur;                 /* number of the current slice: now / len */
    slice_t *slots[MAX_SLICES];   /* slice k in slot k % n; NULL when it had no sample */
    slice_t *base;                /* this ring's n slices in the block */
} ring_t;

struct hm_window {
    uint64_t next_ns;             /* end of the current 1 s slice; below it nothing rolls */
    slice_t *cur[RINGS];          /* each ring's current slice, NULL until its first sample */
    uint64_t total_errors;        /* errors since start or reset */
    hm_hist_t total;              /* everything since start or reset */
    uint64_t start_ns;            /* creation or last reset */
    uint64_t last_ns;             /* latest time seen by advance; time never goes back */
    size_t live;                  /* slices opened */
    slice_t *block;               /* SLICES slices; NULL while no slice is open */
    ring_t rings[RINGS];
    hm_second_t history[HM_WINDOW_HISTORY]; /* second s at s % HM_WINDOW_HISTORY */
};

_Static_assert(HM_WIN_10S == 0 && HM_WIN_1M == 1 && HM_WIN_5M == 2 && HM_WIN_ALL == RINGS,
               "rings are indexed by hm_win_t");

static uint32_t sat32(uint64_t v)
{
    return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static void summarise_second(hm_second_t *out, const slice_t *s)
{
    memset(out, 0, sizeof *out);
    if (!s)
        return;
    static const double qs[3] = {0.50, 0.95, 0.99};
    uint64_t v[3];
    hm_hist_quantiles(&s->hist, qs, 3, v);
    out->count = sat32(s->hist.count);
    out->errors = sat32(s->errors);
    out->p50_us = sat32(v[0] / 1000);
    out->p95_us = sat32(v[1] / 1000);
    out->p99_us = sat32(v[2] / 1000);
}

/* Seconds from .. to-1 have completed; only `from` can hold samples. */
static void remember_seconds(hm_window_t *w, uint64_t from, uint64_t to)
{
    summarise_second(&w->history[from % HM_WINDOW_HISTORY], w->cur[HM_WIN_10S]);
    uint64_t idle = to - from - 1;
    if (idle > HM_WINDOW_HISTORY)
        idle = HM_WINDOW_HISTORY;
    for (uint64_t s = from + 1; s <= from + idle; s++)
        memset(&w->history[s % HM_WINDOW_HISTORY], 0, sizeof w->history[0]);
}

/* Moves ring r to slice number k, dropping the slices that fell out. */
static void roll(hm_window_t *w, int r, uint64_t k)
{
    ring_t *ring = &w->rings[r];
    if (k == ring->cur)
        return;
    if (r == HM_WIN_10S)
        remember_seconds(w, ring->cur, k);
    ring->cur = k;
    w->cur[r] = NULL;
    for (size_t i = 0; i < shapes[r].n; i++) {
        slice_t *s = ring->slots[i];
        if (s && s->seq + shapes[r].n <= k) {
            ring->slots[i] = NULL;
            w->live--;
        }
    }
}

/* Rolls to now_ns (clamped to the latest time seen) and returns that time. */
static uint64_t roll_to(hm_window_t *w, uint64_t now_ns)
{
    if (now_ns < w->last_ns)
        return w->last_ns;
    w->last_ns = now_ns;
    if (now_ns < w->next_ns)
        return now_ns;
    for (int r = 0; r < RINGS; r++)
        roll(w, r, now_ns / shapes[r].len_ns);
    if (!w->live) {
        free(w->block);
        w->block = NULL;
    }
    w->next_ns = (now_ns / NS_PER_S + 1) * NS_PER_S;
    return now_ns;
}

/* Allocates the block and writes every slice of it, so that its pages are
 * resident now and not one ring slot at a time; false when out of memory. */
static bool alloc_block(hm_window_t *w)
{
    slice_t *b = malloc(SLICES * sizeof *b);
    if (!b)
        return false;
    for (size_t i = 0; i < SLICES; i++)
        hm_hist_init(&b[i].hist);
    w->block = b;
    for (int r = 0; r < RINGS; r++) {
        w->rings[r].base = b;
        b += shapes[r].n;
    }
    assert(b == w->block + SLICES);
    return true;
}

/* Opens ring r's current slice; NULL when out of memory. */
static slice_t *open_slice(hm_window_t *w, int r)
{
    if (!w->block && !alloc_block(w))
        return NULL;
    ring_t *ring = &w->rings[r];
    size_t i = ring->cur % shapes[r].n;
    assert(!ring->slots[i]); /* an older slice there has expired and been dropped by roll */
    slice_t *s = &ring->base[i];
    hm_hist_init(&s->hist);
    s->errors = 0;
    s->seq = ring->cur;
    ring->slots[i] = s;
    w->cur[r] = s;
    w->live++;
    return s;
}

static void free_slices(hm_window_t *w)
{
    free(w->block);
    w->block = NULL;
    for (int r = 0; r < RINGS; r++)
        memset(w->rings[r].slots, 0, sizeof w->rings[r].slots);
    w->live = 0;
}

static void init(hm_window_t *w, uint64_t now_ns)
{
    memset(w, 0, sizeof *w);
    hm_hist_init(&w->total);
    w->start_ns = w->last_ns = now_ns;
    for (int r = 0; r < RINGS; r++)
        w->rings[r].cur = now_ns / shapes[r].len_ns;
    w->next_ns = (now_ns / NS_PER_S + 1) * NS_PER_S;
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
    free_slices(*self_p);
    free(*self_p);
    *self_p = NULL;
}

void hm_window_reset(hm_window_t *w, uint64_t now_ns)
{
    assert(w);
    free_slices(w);
    init(w, now_ns);
}

/* Records value_ns, already clamped to v and bucketed, into h; a clamp is
 * counted as hm_hist_record would. */
static inline void feed(hm_hist_t *h, uint64_t value_ns, uint64_t v, size_t bucket)
{
    if (__builtin_expect(v != value_ns, 0)) {
        h->under += value_ns < v;
        h->over += value_ns > v;
    }
    hm_hist_add(h, v, bucket);
}

int hm_window_record(hm_window_t *w, uint64_t now_ns, uint64_t value_ns, bool error)
{
    assert(w);
    /* A time before the latest seen is below next_ns too: it counts as now. */
    if (__builtin_expect(now_ns >= w->next_ns, 0))
        roll_to(w, now_ns);
    uint64_t v = value_ns < HM_HIST_MIN_NS   ? HM_HIST_MIN_NS
                 : value_ns > HM_HIST_MAX_NS ? HM_HIST_MAX_NS
                                             : value_ns;
    size_t bucket = hm_hist_bucket(v);
    int rc = 0;
    for (int r = 0; r < RINGS; r++) {
        slice_t *s = w->cur[r];
        if (__builtin_expect(!s, 0) && !(s = open_slice(w, r))) {
            rc = ENOMEM;
            continue;
        }
        feed(&s->hist, value_ns, v, bucket);
        if (error)
            s->errors++;
    }
    feed(&w->total, value_ns, v, bucket);
    if (error)
        w->total_errors++;
    return rc;
}

void hm_window_advance(hm_window_t *w, uint64_t now_ns)
{
    assert(w);
    roll_to(w, now_ns);
}

hm_window_result_t hm_window_query(hm_window_t *w, uint64_t now_ns, hm_win_t which,
                                   hm_hist_t *out)
{
    assert(w && out && (unsigned)which < HM_WIN__COUNT);
    uint64_t now = roll_to(w, now_ns);
    hm_window_result_t res = {0, 0};
    if (which == HM_WIN_ALL) {
        memcpy(out, &w->total, sizeof *out);
        res.errors = w->total_errors;
        res.span_ns = now - w->start_ns;
        return res;
    }
    const ring_t *ring = &w->rings[which];
    size_t n = shapes[which].n;
    hm_hist_init(out);
    for (size_t i = 0; i < n; i++) {
        const slice_t *s = ring->slots[i];
        if (s) {
            hm_hist_merge(out, &s->hist);
            res.errors += s->errors;
        }
    }
    /* The oldest slice kept starts at (cur - n + 1) * len, or the start. */
    uint64_t from = ring->cur + 1 >= n ? (ring->cur + 1 - n) * shapes[which].len_ns : 0;
    if (from < w->start_ns)
        from = w->start_ns;
    res.span_ns = now - from;
    return res;
}

void hm_window_history(hm_window_t *w, uint64_t now_ns, hm_second_t *out, size_t n)
{
    assert(w && (out || n == 0) && n <= HM_WINDOW_HISTORY);
    roll_to(w, now_ns);
    uint64_t cur = w->rings[HM_WIN_10S].cur;
    for (size_t i = 0; i < n; i++) {
        /* out[i] is second cur - n + i; none before second 0. */
        if (cur + i < n)
            memset(&out[i], 0, sizeof out[i]);
        else
            out[i] = w->history[(cur + i - n) % HM_WINDOW_HISTORY];
    }
}

size_t hm_window_bytes(const hm_window_t *w)
{
    assert(w);
    return sizeof *w + (w->block ? SLICES * sizeof(slice_t) : 0);
}

const char *hm_win_name(hm_win_t which)
{
    assert((unsigned)which < HM_WIN__COUNT);
    return shapes[which].name;
}

bool hm_win_parse(const char *s, hm_win_t *out)
{
    assert(s && out);
    for (int i = 0; i < HM_WIN__COUNT; i++)
        if (strcmp(s, shapes[i].name) == 0) {
            *out = (hm_win_t)i;
            return true;
        }
    return false;
}
