/*
 * endpoint.c - the live statistics of one endpoint (see endpoint.h).
 * Windows are window.c's; what a sender contributes is registry.c's.
 */
#include "endpoint.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_S 1000000000ull
#define SLOW_KEEP_NS (60 * NS_PER_S)
#define SLOW_BUCKET_NS (10 * NS_PER_S)
#define SLOW_BUCKETS 7 /* 10 s buckets that cover any 60 s: the current one and six before */
#define GAUGE_BUCKET_NS (10 * NS_PER_S)
#define GAUGE_BUCKETS 6 /* min and max over the last minute */
#define STATUS_SLOTS 32

/* A sum over senders, with its least and greatest value per 10 s. */
typedef struct {
    int64_t now;
    uint64_t bucket[GAUGE_BUCKETS]; /* bucket id + 1; 0 = unused */
    int64_t min[GAUGE_BUCKETS], max[GAUGE_BUCKETS];
} gauge_t;

typedef struct {
    uint64_t end_ns;
    uint64_t duration_ns;
    uint16_t status;
    char rid[HM_SNAP_RID_MAX + 1];
} slow_t;

/* The slowest samples that ended within one 10 s bucket. Keeping each
 * bucket's own top list (not one list for the minute) means a burst of slow
 * samples does not shut out the slow samples after it: when the burst is a
 * minute old, the next-slowest of the minute are still there. */
typedef struct {
    uint64_t id;                   /* now / SLOW_BUCKET_NS + 1; 0: unused */
    uint64_t floor;                /* least duration kept when full, else 0 */
    size_t n;
    slow_t s[HM_SNAP_SLOWEST];
} slow_bucket_t;

struct hm_endpoint_stats {
    char name[HM_SNAP_NAME_MAX + 1];
    bool other;
    hm_window_t *lat;
    size_t nphases;
    struct {
        char name[HM_SNAP_NAME_MAX + 1];
        hm_window_t *w;
    } phase[HM_SNAP_PHASES];
    size_t nstatus, last_status;
    hm_snap_status_t status[STATUS_SLOTS]; /* in order of first sight; beyond, all count as 65535 */
    slow_bucket_t *slow;                   /* SLOW_BUCKETS; allocated on the first sample,
                                              freed when everything in it is a minute old */
    slow_bucket_t *slow_cur;               /* the bucket of the latest sample */
    gauge_t inflight, queue;
    size_t nmetrics;
    struct {
        char name[HM_SNAP_NAME_MAX + 1];
        bool counter;
        gauge_t g;
    } metric[HM_SNAP_METRICS];
};

bool hm_status_is_error(uint16_t status)
{
    return !(status == 0 || (status >= 100 && status < 400));
}

hm_endpoint_stats_t *hm_endpoint_stats_new(const char *name, size_t len, bool other,
                                           uint64_t now_ns)
{
    assert(len <= HM_SNAP_NAME_MAX);
    hm_endpoint_stats_t *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->lat = hm_window_new(now_ns);
    if (!e->lat) {
        free(e);
        return NULL;
    }
    memcpy(e->name, name, len);
    e->other = other;
    return e;
}

void hm_endpoint_stats_destroy(hm_endpoint_stats_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    hm_endpoint_stats_t *e = *self_p;
    hm_window_destroy(&e->lat);
    free(e->slow);
    for (size_t i = 0; i < e->nphases; i++)
        hm_window_destroy(&e->phase[i].w);
    free(e);
    *self_p = NULL;
}

const char *hm_endpoint_stats_name(const hm_endpoint_stats_t *e)
{
    return e->name;
}

static void count_status(hm_endpoint_stats_t *e, uint16_t status)
{
    /* Most samples have the status of the one before: try it first. */
    if (e->nstatus && e->status[e->last_status].status == status) {
        e->status[e->last_status].count++;
        return;
    }
    for (size_t i = 0; i < e->nstatus; i++) {
        if (e->status[i].status == status) {
            e->status[i].count++;
            e->last_status = i;
            return;
        }
    }
    /* The last slot is kept for 65535, which the statuses beyond the table
     * count under: so 65535 is in the table whenever the table is full. */
    if (e->nstatus < STATUS_SLOTS - 1 || (e->nstatus < STATUS_SLOTS && status == UINT16_MAX)) {
        e->last_status = e->nstatus;
        e->status[e->nstatus++] = (hm_snap_status_t){status, 1};
        return;
    }
    count_status(e, UINT16_MAX); /* found, or added in the kept slot */
}

/* The bucket samples ending at now_ns go to, or NULL when out of memory. */
static slow_bucket_t *slow_bucket(hm_endpoint_stats_t *e, uint64_t now_ns)
{
    uint64_t id = now_ns / SLOW_BUCKET_NS + 1;
    if (e->slow_cur && e->slow_cur->id == id)
        return e->slow_cur;
    if (!e->slow && !(e->slow = calloc(SLOW_BUCKETS, sizeof *e->slow)))
        return NULL;
    slow_bucket_t *b = &e->slow[id % SLOW_BUCKETS];
    if (b->id != id)
        *b = (slow_bucket_t){.id = id};
    return e->slow_cur = b;
}

static void keep_slow(slow_bucket_t *b, uint64_t now_ns, uint64_t d, uint16_t status,
                      const uint8_t *rid, size_t rid_len)
{
    size_t at;
    if (b->n < HM_SNAP_SLOWEST) {
        at = b->n++;
    } else {
        at = 0; /* replace the fastest kept */
        for (size_t i = 1; i < b->n; i++)
            if (b->s[i].duration_ns < b->s[at].duration_ns)
                at = i;
    }
    slow_t *s = &b->s[at];
    s->end_ns = now_ns;
    s->duration_ns = d;
    s->status = status;
    if (rid_len > HM_SNAP_RID_MAX)
        rid_len = HM_SNAP_RID_MAX;
    if (rid_len)
        memcpy(s->rid, rid, rid_len);
    s->rid[rid_len] = '\0';
    if (b->n == HM_SNAP_SLOWEST) {
        b->floor = UINT64_MAX;
        for (size_t i = 0; i < b->n; i++)
            if (b->s[i].duration_ns < b->floor)
                b->floor = b->s[i].duration_ns;
    }
}

void hm_endpoint_stats_record(hm_endpoint_stats_t *e, uint64_t now_ns, uint64_t latency_ns,
                              uint16_t status, const uint8_t *request_id, size_t rid_len)
{
    hm_window_record(e->lat, now_ns, latency_ns, hm_status_is_error(status));
    count_status(e, status);
    slow_bucket_t *b = slow_bucket(e, now_ns);
    if (b && latency_ns > b->floor)
        keep_slow(b, now_ns, latency_ns, status, request_id, rid_len);
}

bool hm_endpoint_stats_phase(hm_endpoint_stats_t *e, uint64_t now_ns, const char *phase,
                             uint64_t ns)
{
    size_t i = 0;
    while (i < e->nphases && strcmp(e->phase[i].name, phase) != 0)
        i++;
    if (i == e->nphases) {
        if (i == HM_SNAP_PHASES)
            return false;
        e->phase[i].w = hm_window_new(now_ns);
        if (!e->phase[i].w)
            return false;
        strncpy(e->phase[i].name, phase, HM_SNAP_NAME_MAX);
        e->nphases++;
    }
    hm_window_record(e->phase[i].w, now_ns, ns, false);
    return true;
}

int hm_endpoint_stats_metric(hm_endpoint_stats_t *e, const char *name, bool counter)
{
    for (size_t i = 0; i < e->nmetrics; i++)
        if (e->metric[i].counter == counter && strcmp(e->metric[i].name, name) == 0)
            return (int)i;
    if (e->nmetrics == HM_SNAP_METRICS)
        return -1;
    size_t i = e->nmetrics++;
    strncpy(e->metric[i].name, name, HM_SNAP_NAME_MAX);
    e->metric[i].counter = counter;
    return (int)i;
}

static void gauge_set(gauge_t *g, int64_t v, uint64_t now_ns)
{
    g->now = v;
    uint64_t id = now_ns / GAUGE_BUCKET_NS + 1;
    size_t i = id % GAUGE_BUCKETS;
    if (g->bucket[i] != id) {
        g->bucket[i] = id;
        g->min[i] = g->max[i] = v;
    } else {
        if (v < g->min[i])
            g->min[i] = v;
        if (v > g->max[i])
            g->max[i] = v;
    }
}

static hm_snap_gauge_t gauge_read(gauge_t *g, uint64_t now_ns)
{
    gauge_set(g, g->now, now_ns); /* the value held until now counts too */
    hm_snap_gauge_t out = {g->now, g->now, g->now};
    uint64_t id = now_ns / GAUGE_BUCKET_NS + 1;
    for (size_t i = 0; i < GAUGE_BUCKETS; i++) {
        if (g->bucket[i] == 0 || g->bucket[i] + GAUGE_BUCKETS <= id)
            continue;
        if (g->min[i] < out.min)
            out.min = g->min[i];
        if (g->max[i] > out.max)
            out.max = g->max[i];
    }
    return out;
}

void hm_endpoint_stats_gauge_change(hm_endpoint_stats_t *e, int slot, int64_t from, int64_t to,
                                    uint64_t now_ns)
{
    gauge_t *g = slot == HM_GAUGE_INFLIGHT      ? &e->inflight
                 : slot == HM_GAUGE_QUEUE_DEPTH ? &e->queue
                                                : NULL;
    if (!g) {
        assert(slot >= 0 && (size_t)slot < e->nmetrics);
        g = &e->metric[slot].g;
    }
    /* Unsigned arithmetic wraps where signed would overflow (undefined). */
    gauge_set(g, (int64_t)((uint64_t)g->now - (uint64_t)from + (uint64_t)to), now_ns);
}

void hm_endpoint_stats_reset(hm_endpoint_stats_t *e, uint64_t now_ns)
{
    hm_window_reset(e->lat, now_ns);
    for (size_t i = 0; i < e->nphases; i++)
        hm_window_destroy(&e->phase[i].w);
    e->nphases = 0;
    e->nstatus = 0;
    free(e->slow);
    e->slow = e->slow_cur = NULL;
}

static const double qs[5] = {0.50, 0.90, 0.95, 0.99, 0.999};

static void fill_stats(hm_window_t *w, uint64_t now_ns, hm_win_t which, hm_hist_t *h,
                       const uint64_t *bounds, size_t nbounds, hm_snap_stats_t *st)
{
    hm_window_result_t r = hm_window_query(w, now_ns, which, h);
    uint64_t v[5];
    hm_hist_quantiles(h, qs, 5, v);
    st->count = h->count;
    st->errors = r.errors;
    st->span_ns = r.span_ns;
    st->rate = r.span_ns ? (double)h->count * 1e9 / (double)r.span_ns : 0.0;
    st->error_rate = h->count ? (double)r.errors / (double)h->count : 0.0;
    st->min_ns = h->count ? h->min_ns : 0;
    st->mean_ns = hm_hist_mean(h);
    st->sum_ns = h->sum_ns;
    st->max_ns = h->max_ns;
    st->p50_ns = v[0];
    st->p90_ns = v[1];
    st->p95_ns = v[2];
    st->p99_ns = v[3];
    st->p999_ns = v[4];
    hm_hist_octaves(h, st->octaves);
    for (size_t i = 0; i < nbounds; i++)
        st->good[i] = hm_hist_count_at_or_below(h, bounds[i]);
}

static int by_count_desc(const void *a, const void *b)
{
    const hm_snap_status_t *x = a, *y = b;
    return (x->count < y->count) - (x->count > y->count);
}

static int by_duration_desc(const void *a, const void *b)
{
    const slow_t *x = a, *y = b;
    return (x->duration_ns < y->duration_ns) - (x->duration_ns > y->duration_ns);
}

/* The slowest samples of the last minute, slowest first; frees the buckets
 * once everything in them is older than that. */
static void fill_slowest(hm_endpoint_stats_t *e, uint64_t now_ns, hm_snap_endpoint_t *out)
{
    slow_t live[SLOW_BUCKETS * HM_SNAP_SLOWEST];
    size_t k = 0;
    for (size_t b = 0; e->slow && b < SLOW_BUCKETS; b++)
        for (size_t i = 0; i < e->slow[b].n; i++)
            if (e->slow[b].s[i].end_ns + SLOW_KEEP_NS > now_ns)
                live[k++] = e->slow[b].s[i];
    if (k == 0) {
        free(e->slow);
        e->slow = e->slow_cur = NULL;
    }
    qsort(live, k, sizeof live[0], by_duration_desc);
    out->nslow = k < HM_SNAP_SLOWEST ? k : HM_SNAP_SLOWEST;
    for (size_t i = 0; i < out->nslow; i++) {
        out->slow[i].duration_ns = live[i].duration_ns;
        out->slow[i].age_ns = now_ns - live[i].end_ns;
        out->slow[i].status = live[i].status;
        memcpy(out->slow[i].request_id, live[i].rid, sizeof out->slow[i].request_id);
    }
}

void hm_endpoint_stats_fill(hm_endpoint_stats_t *e, uint64_t now_ns, const uint64_t *bounds,
                            size_t nbounds, hm_snap_endpoint_t *out)
{
    /* One histogram on the heap for all queries: it is 8 KiB. */
    hm_hist_t *h = malloc(sizeof *h);
    memset(out, 0, sizeof *out);
    memcpy(out->name, e->name, sizeof out->name);
    out->other = e->other;
    if (h) {
        for (int w = 0; w < HM_WIN__COUNT; w++)
            fill_stats(e->lat, now_ns, (hm_win_t)w, h, bounds, nbounds, &out->win[w]);
        out->nphases = e->nphases;
        for (size_t i = 0; i < e->nphases; i++) {
            hm_snap_phase_t *p = &out->phases[i];
            memcpy(p->name, e->phase[i].name, sizeof p->name);
            for (int w = 0; w < HM_WIN__COUNT; w++) {
                hm_window_query(e->phase[i].w, now_ns, (hm_win_t)w, h);
                uint64_t v[3];
                static const double pq[3] = {0.50, 0.95, 0.99};
                hm_hist_quantiles(h, pq, 3, v);
                p->win[w].count = h->count;
                p->win[w].sum_ns = h->sum_ns;
                p->win[w].p50_ns = v[0];
                p->win[w].p95_ns = v[1];
                p->win[w].p99_ns = v[2];
            }
        }
        free(h);
    }
    out->inflight = gauge_read(&e->inflight, now_ns);
    out->queue = gauge_read(&e->queue, now_ns);

    hm_snap_status_t st[STATUS_SLOTS];
    memcpy(st, e->status, e->nstatus * sizeof st[0]);
    qsort(st, e->nstatus, sizeof st[0], by_count_desc);
    out->nstatuses = e->nstatus < HM_SNAP_STATUSES ? e->nstatus : HM_SNAP_STATUSES;
    memcpy(out->statuses, st, out->nstatuses * sizeof st[0]);

    fill_slowest(e, now_ns, out);

    out->nmetrics = e->nmetrics;
    for (size_t i = 0; i < e->nmetrics; i++) {
        memcpy(out->metrics[i].name, e->metric[i].name, sizeof out->metrics[i].name);
        out->metrics[i].counter = e->metric[i].counter;
        out->metrics[i].value = gauge_read(&e->metric[i].g, now_ns);
    }
    hm_window_history(e->lat, now_ns, out->history, HM_WINDOW_HISTORY);
}

size_t hm_endpoint_stats_bytes(const hm_endpoint_stats_t *e)
{
    size_t n = sizeof *e + hm_window_bytes(e->lat) + (e->slow ? SLOW_BUCKETS * sizeof *e->slow : 0);
    for (size_t i = 0; i < e->nphases; i++)
        n += hm_window_bytes(e->phase[i].w);
    return n;
}
