/*
 * registry.c - endpoints and senders, caps and counters (see registry.h).
 */
#include "registry.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NS_PER_MS 1000000ull
#define SENDER_IDS_MAX 4096     /* endpoint ids a sender may use */
#define SENDER_PHASES_MAX 256
#define SENDER_METRICS_MAX 256
#define SENDER_VALUES_MAX 1024  /* user gauge/counter series per sender */
#define NAME_BUF (HM_SNAP_NAME_MAX + 1)
#define NS_PER_S 1000000000ull
#define RATE_MARKS 64           /* snapshots remembered for the ingest rate */
#define FOLDED_MAX (1u << 18)   /* distinct folded names remembered (4 MiB at most) */
#define GRAVE_MAX 1024          /* expired senders whose sequence and drops are remembered */

typedef struct {
    uint8_t kind;            /* 0: undeclared */
    bool is_queue;
    char name[NAME_BUF];
} metric_decl_t;

/* A sender's contribution to a user gauge or counter of one endpoint. */
typedef struct {
    uint16_t ep, metric;
    hm_endpoint_stats_t *e;
    int slot;
    int64_t last;
} metric_value_t;

/* What one endpoint id of a sender means, and its last gauge values. */
typedef struct {
    hm_endpoint_stats_t *e;       /* NULL: undeclared */
    int64_t inflight, queue;
} ep_slot_t;

struct hm_sender {
    uint64_t id;
    uint64_t last_ns;
    uint64_t seq;
    bool seq_known;
    uint64_t drops;
    size_t nep, nphase, nmetric;  /* lengths of the three arrays below, grown on demand */
    ep_slot_t *ep;                /* by endpoint id */
    char (*phase)[NAME_BUF];      /* by phase id; "": undeclared */
    metric_decl_t *metric;        /* by metric id */
    size_t nvalues;
    metric_value_t *values;
};

/* What outlives an expired sender, so that one that was only paused and
 * comes back neither counts its running drop total twice nor hides the
 * frames lost meanwhile. */
typedef struct {
    bool used;
    uint64_t id, seq, drops;
} grave_t;

struct hm_registry {
    hm_registry_limits_t lim;
    hm_snap_counters_t c;
    uint64_t start_ns, reset_ns;
    /* (time, samples) at recent snapshots, for the ingest rate over the
     * last second whatever the snapshot period: a ring, newest at marks_at. */
    struct {
        uint64_t ns, samples;
    } marks[RATE_MARKS];
    size_t marks_at;
    size_t neps, cap_eps;
    hm_endpoint_stats_t **eps;
    hm_endpoint_stats_t *other;
    size_t ht_cap;
    uint32_t *ht;                 /* endpoint index + 1 by name hash; 0 empty */
    size_t nfolded, folded_cap;
    uint64_t *folded;             /* hashes of the names folded so far; 0 empty */
    size_t nsenders;
    hm_sender_t **senders;        /* max_senders slots */
    size_t sht_cap;               /* 2^sht_bits */
    unsigned sht_bits;
    uint32_t *sht;                /* sender index + 1 by id hash; 0 empty */
    size_t grave_at;
    grave_t grave[GRAVE_MAX];     /* a ring of the latest expired senders */
    uint64_t snap_seq;
};

static uint64_t hash_bytes(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ull;
    }
    return h;
}

hm_registry_t *hm_registry_new(const hm_registry_limits_t *limits, uint64_t now_ns)
{
    hm_registry_t *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->lim = limits ? *limits : (hm_registry_limits_t){0};
    if (!r->lim.max_endpoints)
        r->lim.max_endpoints = 10000;
    if (!r->lim.max_senders)
        r->lim.max_senders = 1024;
    if (!r->lim.sender_expiry_ms)
        r->lim.sender_expiry_ms = 10000;
    r->start_ns = r->reset_ns = now_ns;
    for (size_t i = 0; i < RATE_MARKS; i++)
        r->marks[i].ns = now_ns;
    r->cap_eps = (size_t)r->lim.max_endpoints + 1;
    r->ht_cap = 16;
    while (r->ht_cap < 2 * r->cap_eps)
        r->ht_cap *= 2;
    r->eps = calloc(r->cap_eps, sizeof *r->eps);
    r->ht = calloc(r->ht_cap, sizeof *r->ht);
    r->senders = calloc(r->lim.max_senders, sizeof *r->senders);
    r->sht_bits = 4;
    while (((size_t)1 << r->sht_bits) < 2 * (size_t)r->lim.max_senders)
        r->sht_bits++;
    r->sht_cap = (size_t)1 << r->sht_bits;
    r->sht = calloc(r->sht_cap, sizeof *r->sht);
    if (!r->eps || !r->ht || !r->senders || !r->sht) {
        hm_registry_destroy(&r);
        return NULL;
    }
    return r;
}

static void sender_free(hm_sender_t *s)
{
    if (!s)
        return;
    free(s->ep);
    free(s->phase);
    free(s->metric);
    free(s->values);
    free(s);
}

void hm_registry_destroy(hm_registry_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    hm_registry_t *r = *self_p;
    for (size_t i = 0; i < r->neps; i++)
        hm_endpoint_stats_destroy(&r->eps[i]);
    for (size_t i = 0; r->senders && i < r->nsenders; i++)
        sender_free(r->senders[i]);
    free(r->eps);
    free(r->ht);
    free(r->folded);
    free(r->senders);
    free(r->sht);
    free(r);
    *self_p = NULL;
}

hm_snap_counters_t *hm_registry_counters(hm_registry_t *r)
{
    return &r->c;
}

/* --- endpoints ---------------------------------------------------------- */

/* Cuts a name to HM_SNAP_NAME_MAX bytes on a UTF-8 boundary. */
static size_t cut_name(const uint8_t *p, size_t n, bool *cut)
{
    *cut = n > HM_SNAP_NAME_MAX;
    if (!*cut)
        return n;
    n = HM_SNAP_NAME_MAX;
    while (n > 0 && (p[n] & 0xC0) == 0x80)
        n--;
    return n;
}

static hm_endpoint_stats_t *add_endpoint(hm_registry_t *r, const char *name, size_t len,
                                         bool other, uint64_t now_ns)
{
    hm_endpoint_stats_t *e = hm_endpoint_stats_new(name, len, other, now_ns);
    if (!e)
        return NULL;
    assert(r->neps < r->cap_eps);
    r->eps[r->neps++] = e;
    r->c.endpoints = r->neps;
    return e;
}

/* The endpoint named by wire bytes p[0..n), created or folded into (other). */
static hm_endpoint_stats_t *find_endpoint(hm_registry_t *r, const uint8_t *p, size_t n,
                                          uint64_t now_ns, bool *folded)
{
    bool cut;
    size_t len = cut_name(p, n, &cut);
    const char *name = (const char *)p;
    *folded = false;
    size_t mask = r->ht_cap - 1;
    size_t i = hash_bytes(name, len) & mask;
    for (; r->ht[i]; i = (i + 1) & mask) {
        hm_endpoint_stats_t *e = r->eps[r->ht[i] - 1];
        const char *en = hm_endpoint_stats_name(e);
        if (strlen(en) == len && memcmp(en, name, len) == 0)
            return e;
    }
    size_t named = r->neps - (r->other ? 1 : 0);
    if (named >= r->lim.max_endpoints || memchr(name, '\0', len)) {
        /* Beyond the cap (or a name that a C string cannot hold). */
        *folded = true;
        if (!r->other)
            r->other = add_endpoint(r, HM_OTHER_NAME, strlen(HM_OTHER_NAME), true, now_ns);
        return r->other;
    }
    hm_endpoint_stats_t *e = add_endpoint(r, name, len, false, now_ns);
    if (e) {
        r->ht[i] = (uint32_t)r->neps;
        r->c.names_cut += cut;
    }
    return e;
}

/* Remembers a folded name by its 64-bit hash; true when it is new, so
 * names_folded counts distinct names however many senders declare them and
 * however often. Beyond FOLDED_MAX names every declaration counts as new. */
static bool note_folded(hm_registry_t *r, hm_wire_str_t name)
{
    uint64_t h = hash_bytes((const char *)name.ptr, name.len) | 1; /* never 0 */
    if (2 * (r->nfolded + 1) > r->folded_cap) {
        size_t cap = r->folded_cap ? 2 * r->folded_cap : 256;
        uint64_t *t = r->nfolded < FOLDED_MAX ? calloc(cap, sizeof *t) : NULL;
        if (!t)
            return true;
        for (size_t i = 0; i < r->folded_cap; i++) {
            size_t j = r->folded[i] & (cap - 1);
            if (!r->folded[i])
                continue;
            while (t[j])
                j = (j + 1) & (cap - 1);
            t[j] = r->folded[i];
        }
        free(r->folded);
        r->folded = t;
        r->folded_cap = cap;
    }
    size_t mask = r->folded_cap - 1, i = h & mask;
    for (; r->folded[i]; i = (i + 1) & mask)
        if (r->folded[i] == h)
            return false;
    r->folded[i] = h;
    r->nfolded++;
    return true;
}

/* --- senders ------------------------------------------------------------ */

/* The slot of sender id in the sender hash table: where it is, or the empty
 * slot where it would go. The table is at most half full. */
static size_t sender_slot(const hm_registry_t *r, uint64_t id)
{
    /* Fibonacci hashing: the top bits of the product depend on every bit of id. */
    size_t mask = r->sht_cap - 1;
    size_t i = (size_t)((id * 0x9E3779B97F4A7C15ull) >> (64 - r->sht_bits));
    while (r->sht[i] && r->senders[r->sht[i] - 1]->id != id)
        i = (i + 1) & mask;
    return i;
}

hm_sender_t *hm_registry_sender(hm_registry_t *r, uint64_t id, uint64_t now_ns)
{
    size_t slot = sender_slot(r, id);
    if (r->sht[slot]) {
        hm_sender_t *s = r->senders[r->sht[slot] - 1];
        s->last_ns = now_ns;
        return s;
    }
    if (r->nsenders >= r->lim.max_senders) {
        r->c.senders_refused++;
        return NULL;
    }
    hm_sender_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->id = id;
    s->last_ns = now_ns;
    for (size_t i = 0; i < GRAVE_MAX; i++) {
        grave_t *g = &r->grave[i];
        if (g->used && g->id == id) {
            s->seq = g->seq;
            s->seq_known = true;
            s->drops = g->drops;
            g->used = false;
            break;
        }
    }
    r->senders[r->nsenders++] = s;
    r->sht[slot] = (uint32_t)r->nsenders;
    r->c.senders_live = r->nsenders;
    return s;
}

void hm_registry_seq(hm_registry_t *r, hm_sender_t *s, uint64_t seq)
{
    if (s->seq_known && seq > s->seq + 1)
        r->c.lost += seq - s->seq - 1;
    /* A PUSH connection keeps order, so a sequence going back is a sender that
     * started over (same id): its running drop total starts over too. */
    if (s->seq_known && seq < s->seq)
        s->drops = 0;
    s->seq = seq;
    s->seq_known = true;
}

/* Grows the array *arr of *n elements of size elem, zeroing what is new, so
 * that index id fits: to a power of two, at most max. False when id >= max or
 * out of memory (the array is then unchanged). */
static bool grow(void **arr, size_t *n, size_t elem, size_t id, size_t max)
{
    if (id < *n)
        return true;
    if (id >= max)
        return false;
    size_t m = *n ? *n : 8;
    while (m <= id)
        m *= 2;
    if (m > max)
        m = max;
    uint8_t *a = realloc(*arr, m * elem);
    if (!a)
        return false;
    memset(a + *n * elem, 0, (m - *n) * elem);
    *arr = a;
    *n = m;
    return true;
}

static void copy_name(char *dst, hm_wire_str_t n)
{
    size_t len = n.len > HM_SNAP_NAME_MAX ? HM_SNAP_NAME_MAX : n.len;
    memcpy(dst, n.ptr, len);
    dst[len] = '\0';
}

static void declare_endpoint(hm_registry_t *r, hm_sender_t *s, uint16_t id, hm_wire_str_t name,
                             uint64_t now_ns)
{
    if (!grow((void **)&s->ep, &s->nep, sizeof *s->ep, id, SENDER_IDS_MAX))
        return;
    bool folded;
    hm_endpoint_stats_t *e = find_endpoint(r, name.ptr, name.len, now_ns, &folded);
    if (!e)
        return;
    if (folded && note_folded(r, name))
        r->c.names_folded++;
    ep_slot_t *slot = &s->ep[id];
    if (slot->e && slot->e != e) {
        /* The id now means another endpoint: its gauges leave the old one. */
        hm_endpoint_stats_gauge_change(slot->e, HM_GAUGE_INFLIGHT, slot->inflight, 0, now_ns);
        hm_endpoint_stats_gauge_change(slot->e, HM_GAUGE_QUEUE_DEPTH, slot->queue, 0, now_ns);
        slot->inflight = slot->queue = 0;
    }
    slot->e = e;
}

static void declare_phase(hm_sender_t *s, uint16_t id, hm_wire_str_t name)
{
    if (grow((void **)&s->phase, &s->nphase, sizeof *s->phase, id, SENDER_PHASES_MAX))
        copy_name(s->phase[id], name);
}

static void declare_metric(hm_sender_t *s, uint16_t id, uint8_t kind, hm_wire_str_t name)
{
    if (!grow((void **)&s->metric, &s->nmetric, sizeof *s->metric, id, SENDER_METRICS_MAX))
        return;
    metric_decl_t *m = &s->metric[id];
    m->kind = kind;
    copy_name(m->name, name);
    m->is_queue = kind == HM_METRIC_GAUGE && strcmp(m->name, "queue") == 0;
}

static void sample(hm_registry_t *r, hm_sender_t *s, const hm_wire_sample_t *x, uint64_t now_ns)
{
    hm_endpoint_stats_t *e = x->endpoint < s->nep ? s->ep[x->endpoint].e : NULL;
    if (!e) {
        r->c.unknown_ids++;
        return;
    }
    uint64_t lat = x->duration_ns + (x->has_delay ? x->delay_ns : 0);
    if (lat < x->duration_ns)
        lat = UINT64_MAX; /* overflow: clamp */
    r->c.values_clamped += lat < HM_HIST_MIN_NS || lat > HM_HIST_MAX_NS;
    r->c.samples++;
    hm_endpoint_stats_record(e, now_ns, lat, x->status, x->request_id.ptr, x->request_id.len);
    for (unsigned i = 0; i < x->nphases; i++) {
        uint16_t p = x->phases[i].phase;
        if (p < s->nphase && s->phase[p][0])
            hm_endpoint_stats_phase(e, now_ns, s->phase[p], x->phases[i].ns);
        else
            r->c.unknown_ids++;
    }
}

/* A user gauge or counter value of (endpoint id, metric id). */
static void metric_value(hm_registry_t *r, hm_sender_t *s, uint16_t ep, uint16_t metric,
                         int64_t v, uint64_t now_ns)
{
    hm_endpoint_stats_t *e = ep < s->nep ? s->ep[ep].e : NULL;
    metric_decl_t *m = metric < s->nmetric ? &s->metric[metric] : NULL;
    if (!e || !m || !m->kind) {
        r->c.unknown_ids++;
        return;
    }
    if (m->is_queue) {
        hm_endpoint_stats_gauge_change(e, HM_GAUGE_QUEUE_DEPTH, s->ep[ep].queue, v, now_ns);
        s->ep[ep].queue = v;
        return;
    }
    metric_value_t *mv = NULL;
    for (size_t i = 0; i < s->nvalues; i++)
        if (s->values[i].ep == ep && s->values[i].metric == metric && s->values[i].e == e)
            mv = &s->values[i];
    if (!mv) {
        int slot = hm_endpoint_stats_metric(e, m->name, m->kind == HM_METRIC_COUNTER);
        if (slot < 0 || s->nvalues >= SENDER_VALUES_MAX)
            return;
        if (!s->values && !(s->values = calloc(SENDER_VALUES_MAX, sizeof *s->values)))
            return;
        mv = &s->values[s->nvalues++];
        *mv = (metric_value_t){ep, metric, e, slot, 0};
    }
    hm_endpoint_stats_gauge_change(e, mv->slot, mv->last, v, now_ns);
    mv->last = v;
}

void hm_registry_apply(hm_registry_t *r, hm_sender_t *s, const hm_wire_record_t *rec,
                       uint64_t now_ns)
{
    switch (rec->type) {
    case HM_REC_SAMPLE:
        sample(r, s, &rec->u.sample, now_ns);
        break;
    case HM_REC_ENDPOINT:
        declare_endpoint(r, s, rec->u.decl.id, rec->u.decl.name, now_ns);
        break;
    case HM_REC_PHASE:
        declare_phase(s, rec->u.decl.id, rec->u.decl.name);
        break;
    case HM_REC_METRIC:
        declare_metric(s, rec->u.metric.id, rec->u.metric.kind, rec->u.metric.name);
        break;
    case HM_REC_GAUGE: {
        uint16_t ep = rec->u.gauge.endpoint;
        if (rec->u.gauge.metric != HM_WIRE_METRIC_INFLIGHT) {
            metric_value(r, s, ep, rec->u.gauge.metric, rec->u.gauge.value, now_ns);
        } else if (ep < s->nep && s->ep[ep].e) {
            hm_endpoint_stats_gauge_change(s->ep[ep].e, HM_GAUGE_INFLIGHT, s->ep[ep].inflight,
                                           rec->u.gauge.value, now_ns);
            s->ep[ep].inflight = rec->u.gauge.value;
        } else {
            r->c.unknown_ids++;
        }
        break;
    }
    case HM_REC_COUNTER:
        metric_value(r, s, rec->u.counter.endpoint, rec->u.counter.metric,
                     (int64_t)rec->u.counter.total, now_ns);
        break;
    case HM_REC_DROPS:
        /* A running total; a smaller one means the sender started over. */
        r->c.client_drops += rec->u.drops.total >= s->drops ? rec->u.drops.total - s->drops
                                                            : rec->u.drops.total;
        s->drops = rec->u.drops.total;
        break;
    case HM_REC_HELLO:
    case HM_REC_HEARTBEAT:
        break; /* hearing from the sender is all they are for */
    default:
        r->c.unknown_records++;
        break;
    }
}

/* Takes a sender's gauges out of the sums and frees it. */
static void drop_sender(hm_sender_t *s, uint64_t now_ns)
{
    for (size_t i = 0; i < s->nep; i++) {
        const ep_slot_t *slot = &s->ep[i];
        if (!slot->e)
            continue;
        if (slot->inflight)
            hm_endpoint_stats_gauge_change(slot->e, HM_GAUGE_INFLIGHT, slot->inflight, 0, now_ns);
        if (slot->queue)
            hm_endpoint_stats_gauge_change(slot->e, HM_GAUGE_QUEUE_DEPTH, slot->queue, 0, now_ns);
    }
    for (size_t i = 0; i < s->nvalues; i++) {
        /* Counters are totals that stay; gauges stop counting. */
        metric_decl_t *m = &s->metric[s->values[i].metric];
        if (m->kind == HM_METRIC_GAUGE)
            hm_endpoint_stats_gauge_change(s->values[i].e, s->values[i].slot, s->values[i].last, 0,
                                           now_ns);
    }
    sender_free(s);
}

void hm_registry_expire(hm_registry_t *r, uint64_t now_ns)
{
    uint64_t limit = (uint64_t)r->lim.sender_expiry_ms * NS_PER_MS;
    size_t k = 0;
    for (size_t i = 0; i < r->nsenders; i++) {
        hm_sender_t *s = r->senders[i];
        if (now_ns > s->last_ns && now_ns - s->last_ns > limit) {
            if (s->seq_known) {
                r->grave[r->grave_at] = (grave_t){true, s->id, s->seq, s->drops};
                r->grave_at = (r->grave_at + 1) % GRAVE_MAX;
            }
            drop_sender(s, now_ns);
            r->c.senders_expired++;
        } else {
            r->senders[k++] = s;
        }
    }
    if (k < r->nsenders) {
        /* Senders moved: index them again (at most once a snapshot). */
        memset(r->sht, 0, r->sht_cap * sizeof *r->sht);
        for (size_t i = 0; i < k; i++)
            r->sht[sender_slot(r, r->senders[i]->id)] = (uint32_t)(i + 1);
    }
    r->nsenders = k;
    r->c.senders_live = k;
}

void hm_registry_pause(hm_registry_t *r, uint64_t gap_ns, uint64_t now_ns)
{
    for (size_t i = 0; i < r->nsenders; i++) {
        hm_sender_t *s = r->senders[i];
        if (s->last_ns < now_ns)
            s->last_ns = now_ns - s->last_ns > gap_ns ? s->last_ns + gap_ns : now_ns;
    }
}

void hm_registry_reset(hm_registry_t *r, uint64_t now_ns)
{
    for (size_t i = 0; i < r->neps; i++)
        hm_endpoint_stats_reset(r->eps[i], now_ns);
    r->reset_ns = now_ns;
}

static int by_name(const void *a, const void *b)
{
    const hm_snap_endpoint_t *x = a, *y = b;
    if (x->other != y->other)
        return x->other ? 1 : -1;
    return strcmp(x->name, y->name);
}

/* Samples per second since the newest remembered snapshot at least a second
 * old (the oldest one when none is), then remembers this one. */
static double ingest_rate(hm_registry_t *r, uint64_t now_ns)
{
    size_t i = r->marks_at, from = i;
    for (size_t k = 0; k < RATE_MARKS; k++, i = (i + RATE_MARKS - 1) % RATE_MARKS) {
        from = i;
        if (now_ns - r->marks[i].ns >= NS_PER_S)
            break;
    }
    uint64_t dt = now_ns - r->marks[from].ns;
    double rate = dt ? (double)(r->c.samples - r->marks[from].samples) * 1e9 / (double)dt : 0.0;
    r->marks_at = (r->marks_at + 1) % RATE_MARKS;
    r->marks[r->marks_at].ns = now_ns;
    r->marks[r->marks_at].samples = r->c.samples;
    return rate;
}

hm_snapshot_t *hm_registry_snapshot(hm_registry_t *r, uint64_t now_ns, const uint64_t *bounds,
                                    size_t nbounds)
{
    hm_registry_expire(r, now_ns);
    hm_snapshot_t *s = hm_snapshot_new(r->neps);
    if (!s)
        return NULL;
    for (size_t i = 0; i < r->neps; i++)
        hm_endpoint_stats_fill(r->eps[i], now_ns, bounds, nbounds, &s->endpoints[i]);
    s->nbounds = nbounds;
    if (nbounds)
        memcpy(s->bounds_ns, bounds, nbounds * sizeof bounds[0]);
    if (s->nendpoints)
        qsort(s->endpoints, s->nendpoints, sizeof s->endpoints[0], by_name);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    s->seq = ++r->snap_seq;
    s->taken_ns = now_ns;
    s->taken_unix_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    s->uptime_ns = now_ns - r->start_ns;
    s->since_reset_ns = now_ns - r->reset_ns;
    s->ingest_rate = ingest_rate(r, now_ns);
    s->counters = r->c;
    return s;
}

size_t hm_registry_bytes(const hm_registry_t *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->neps; i++)
        n += hm_endpoint_stats_bytes(r->eps[i]);
    return n;
}
