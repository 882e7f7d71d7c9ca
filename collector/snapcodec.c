/*
 * snapcodec.c - snapshot messages (see snapcodec.h and docs/protocol.md,
 * "Snapshot messages"). Bytes of a snapshot message are read and written
 * here and nowhere else.
 */
#include "snapcodec.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC "HMS"
#define MAGIC_LEN 3
/* A decoder refuses more endpoints than this, before it allocates. */
#define MAX_ENDPOINTS 65536u
/* No version-1 endpoint part is shorter (name, flags, four windows of at
 * least 63 bytes, gauges and counts): so a claimed count is checked against
 * the bytes really there before anything is allocated for it. */
#define MIN_ENDPOINT_BYTES 64u
#define MAX_OCTAVES 64u

/* The counters in the order they travel. Append only: a decoder reads the
 * ones it knows and skips the rest. */
#define C(f) offsetof(hm_snap_counters_t, f)
static const size_t counter_off[] = {
    C(frames), C(samples), C(rejected),
    C(rejected_by[0]), C(rejected_by[1]), C(rejected_by[2]), C(rejected_by[3]),
    C(rejected_by[4]), C(rejected_by[5]), C(rejected_by[6]), C(rejected_by[7]),
    C(rejected_by[8]), C(lost), C(client_drops), C(senders_live), C(senders_expired),
    C(senders_refused), C(endpoints), C(names_folded), C(names_cut), C(values_clamped),
    C(unknown_ids), C(unknown_records), C(auth_failures),
};
#undef C
_Static_assert(HM_WIRE_ERR__COUNT == 9, "rejected_by travels as 9 counters: update counter_off");

/* --- writing ------------------------------------------------------------- */

typedef struct {
    uint8_t *buf;
    size_t len, cap;
    bool failed; /* out of memory: everything after is dropped */
} writer_t;

static void put_bytes(writer_t *w, const void *p, size_t n)
{
    if (w->failed)
        return;
    if (w->len + n > w->cap) {
        size_t cap = w->cap ? w->cap : 4096;
        while (cap < w->len + n)
            cap *= 2;
        uint8_t *b = realloc(w->buf, cap);
        if (!b) {
            w->failed = true;
            return;
        }
        w->buf = b;
        w->cap = cap;
    }
    memcpy(w->buf + w->len, p, n);
    w->len += n;
}

static void put_u(writer_t *w, uint64_t v)
{
    uint8_t b[10];
    size_t n = 0;
    do {
        b[n] = (uint8_t)(v & 0x7f);
        v >>= 7;
        if (v)
            b[n] |= 0x80;
        n++;
    } while (v);
    put_bytes(w, b, n);
}

static void put_i(writer_t *w, int64_t v)
{
    put_u(w, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63)); /* zigzag */
}

static void put_f(writer_t *w, double d)
{
    uint64_t v;
    memcpy(&v, &d, sizeof v);
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    put_bytes(w, b, 8);
}

static void put_str(writer_t *w, const char *s)
{
    size_t n = strlen(s);
    put_u(w, n);
    put_bytes(w, s, n);
}

/* Parts are length-prefixed: begin reserves nothing, end moves the part's
 * bytes up behind its varint length. */
static size_t part_begin(const writer_t *w)
{
    return w->len;
}

static void part_end(writer_t *w, size_t start)
{
    if (w->failed)
        return;
    size_t n = w->len - start;
    writer_t len = {0};
    put_u(&len, n);
    if (len.failed) {
        w->failed = true;
        return;
    }
    put_bytes(w, len.buf, len.len); /* grows the buffer by the prefix's size */
    if (!w->failed) {
        memmove(w->buf + start + len.len, w->buf + start, n);
        memcpy(w->buf + start, len.buf, len.len);
    }
    free(len.buf);
}

static void put_stats(writer_t *w, const hm_snap_stats_t *st)
{
    put_u(w, st->count);
    put_u(w, st->errors);
    put_f(w, st->rate);
    put_f(w, st->error_rate);
    const uint64_t v[] = {st->span_ns, st->min_ns,  st->mean_ns, st->max_ns, st->sum_ns,
                          st->p50_ns,  st->p90_ns,  st->p95_ns,  st->p99_ns, st->p999_ns};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        put_u(w, v[i]);
    put_u(w, HM_HIST_OCTAVES + 1);
    for (size_t i = 0; i <= HM_HIST_OCTAVES; i++)
        put_u(w, st->octaves[i]);
}

static void put_gauge(writer_t *w, const hm_snap_gauge_t *g)
{
    put_i(w, g->now);
    put_i(w, g->min);
    put_i(w, g->max);
}

static void put_endpoint(writer_t *w, const hm_snap_endpoint_t *e, size_t history)
{
    put_str(w, e->name);
    put_u(w, e->other);
    for (int i = 0; i < HM_WIN__COUNT; i++)
        put_stats(w, &e->win[i]);
    put_gauge(w, &e->inflight);
    put_gauge(w, &e->queue);
    put_u(w, e->nphases);
    for (size_t i = 0; i < e->nphases; i++) {
        const hm_snap_phase_t *p = &e->phases[i];
        put_str(w, p->name);
        for (int k = 0; k < HM_WIN__COUNT; k++) {
            put_u(w, p->win[k].count);
            put_u(w, p->win[k].sum_ns);
            put_u(w, p->win[k].p50_ns);
            put_u(w, p->win[k].p95_ns);
            put_u(w, p->win[k].p99_ns);
        }
    }
    put_u(w, e->nstatuses);
    for (size_t i = 0; i < e->nstatuses; i++) {
        put_u(w, e->statuses[i].status);
        put_u(w, e->statuses[i].count);
    }
    put_u(w, e->nslow);
    for (size_t i = 0; i < e->nslow; i++) {
        const hm_snap_slow_t *s = &e->slow[i];
        put_u(w, s->duration_ns);
        put_u(w, s->age_ns);
        put_u(w, s->status);
        put_str(w, s->request_id);
    }
    put_u(w, e->nmetrics);
    for (size_t i = 0; i < e->nmetrics; i++) {
        put_str(w, e->metrics[i].name);
        put_u(w, e->metrics[i].counter);
        put_gauge(w, &e->metrics[i].value);
    }
    for (size_t i = HM_WINDOW_HISTORY - history; i < HM_WINDOW_HISTORY; i++) {
        const hm_second_t *h = &e->history[i];
        put_u(w, h->count);
        put_u(w, h->errors);
        put_u(w, h->p50_us);
        put_u(w, h->p95_us);
        put_u(w, h->p99_us);
    }
    /* version 2: SLO results and drift */
    put_u(w, e->slo_state);
    put_u(w, e->nslo);
    for (size_t i = 0; i < e->nslo; i++) {
        const hm_snap_slo_t *r = &e->slo[i];
        bool objective = !isnan(r->budget_left);
        put_u(w, r->rule);
        put_u(w, r->state);
        put_f(w, r->actual);
        put_u(w, r->breaches);
        put_u(w, objective);
        if (objective) {
            put_f(w, r->budget_left);
            put_f(w, r->burn_short);
            put_f(w, r->burn_long);
        }
    }
    put_u(w, e->drift.minutes);
    put_f(w, e->drift.ns_per_10m);
    put_f(w, e->drift.mean_ns);
    put_u(w, e->drift.first_ns);
    put_u(w, e->drift.last_ns);
    put_u(w, e->drift.drifting);
}

/* version 2, at the end of the header: the rules with their counts and the
 * newest events. */
static void put_slo(writer_t *w, const hm_snapshot_t *s)
{
    put_u(w, s->slo_checks);
    put_u(w, s->drifting);
    put_u(w, s->nrules);
    for (size_t i = 0; i < s->nrules; i++) {
        const hm_snap_rule_t *r = &s->rules[i];
        put_str(w, r->rule.pattern);
        put_u(w, r->rule.stat);
        put_u(w, r->rule.op);
        put_f(w, r->rule.bound);
        put_u(w, r->rule.window);
        put_f(w, r->rule.objective);
        put_u(w, r->rule.line);
        put_str(w, r->rule.text);
        put_u(w, r->breaches);
        put_u(w, r->recoveries);
        put_u(w, r->breaching);
    }
    put_u(w, s->nevents);
    for (size_t i = 0; i < s->nevents; i++) {
        const hm_slo_event_t *e = &s->events[i];
        put_i(w, e->at_unix_ms);
        put_u(w, e->rule);
        put_u(w, e->recovery);
        put_f(w, e->actual);
        put_str(w, e->endpoint);
    }
}

int hm_snapcodec_encode(const hm_snapshot_t *s, size_t history, uint8_t **out, size_t *len)
{
    if (history > HM_WINDOW_HISTORY)
        history = HM_WINDOW_HISTORY;
    writer_t w = {0};
    put_bytes(&w, MAGIC, MAGIC_LEN);
    put_u(&w, HM_SNAPCODEC_VERSION);
    size_t p = part_begin(&w);
    put_u(&w, s->seq);
    put_u(&w, s->taken_ns);
    put_i(&w, s->taken_unix_ms);
    put_u(&w, s->uptime_ns);
    put_u(&w, s->since_reset_ns);
    put_f(&w, s->ingest_rate);
    put_u(&w, history);
    put_u(&w, s->taken_ns / 1000000000ull);
    put_u(&w, s->nendpoints);
    put_slo(&w, s);
    part_end(&w, p);
    p = part_begin(&w);
    for (size_t i = 0; i < sizeof counter_off / sizeof counter_off[0]; i++) {
        uint64_t v;
        memcpy(&v, (const char *)&s->counters + counter_off[i], sizeof v);
        put_u(&w, v);
    }
    part_end(&w, p);
    for (size_t i = 0; i < s->nendpoints; i++) {
        p = part_begin(&w);
        put_endpoint(&w, &s->endpoints[i], history);
        part_end(&w, p);
    }
    if (w.failed) {
        free(w.buf);
        return ENOMEM;
    }
    *out = w.buf;
    *len = w.len;
    return 0;
}

/* --- reading ------------------------------------------------------------- */

typedef struct {
    const uint8_t *p, *end;
    const char *why; /* the first failure; every read after it gives 0 */
    bool soft;       /* an older encoder: a part may end before our fields */
} reader_t;

static void bad(reader_t *r, const char *why)
{
    if (!r->why)
        r->why = why;
    r->p = r->end;
}

static uint64_t get_u(reader_t *r)
{
    uint64_t v = 0;
    if (r->why)
        return 0;
    if (r->p == r->end) {
        if (!r->soft)
            bad(r, "truncated");
        return 0;
    }
    for (unsigned shift = 0;; shift += 7) {
        if (r->p == r->end) {
            bad(r, "truncated");
            return 0;
        }
        uint8_t b = *r->p++;
        if (shift == 63 && b > 1) {
            bad(r, "a number beyond 64 bits");
            return 0;
        }
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return v;
    }
}

/* A varint that must be at most max. */
static uint64_t get_max(reader_t *r, uint64_t max, const char *why)
{
    uint64_t v = get_u(r);
    if (v > max) {
        bad(r, why);
        return 0;
    }
    return v;
}

static int64_t get_i(reader_t *r)
{
    uint64_t v = get_u(r);
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static double get_double(reader_t *r, bool negative_ok);

static double get_f(reader_t *r)
{
    return get_double(r, false);
}

/* A finite double that may be negative (a budget overspent, a falling trend). */
static double get_sf(reader_t *r)
{
    return get_double(r, true);
}

static double get_double(reader_t *r, bool negative_ok)
{
    if (r->why)
        return 0;
    if (r->end - r->p < 8) {
        if (!(r->soft && r->p == r->end))
            bad(r, "truncated");
        return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)r->p[i] << (8 * i);
    r->p += 8;
    double d;
    memcpy(&d, &v, sizeof d);
    if (!isfinite(d) || (d < 0 && !negative_ok)) {
        bad(r, "a number that is not finite, or negative where it may not be");
        return 0;
    }
    return d;
}

/* A string of at most max bytes into out[max + 1]. */
static void get_str(reader_t *r, char *out, size_t max)
{
    size_t n = get_max(r, max, "a name longer than the collector keeps");
    if ((size_t)(r->end - r->p) < n) {
        bad(r, "truncated");
        n = 0;
    }
    memcpy(out, r->p, n);
    out[n] = '\0';
    r->p += n;
}

/* Opens the part that starts at r->p: *part reads it, r skips past it. */
static void get_part(reader_t *r, reader_t *part)
{
    uint64_t n = get_u(r);
    *part = (reader_t){r->p, r->p, NULL, r->soft};
    if (r->why)
        return;
    if (n > (uint64_t)(r->end - r->p)) {
        bad(r, "truncated");
        return;
    }
    part->end = r->p + n;
    r->p += n;
}

static void get_stats(reader_t *r, hm_snap_stats_t *st)
{
    st->count = get_u(r);
    st->errors = get_u(r);
    st->rate = get_f(r);
    st->error_rate = get_f(r);
    uint64_t *v[] = {&st->span_ns, &st->min_ns,  &st->mean_ns, &st->max_ns, &st->sum_ns,
                     &st->p50_ns,  &st->p90_ns,  &st->p95_ns,  &st->p99_ns, &st->p999_ns};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        *v[i] = get_u(r);
    size_t n = get_max(r, MAX_OCTAVES, "too many octaves");
    for (size_t i = 0; i < n; i++) {
        uint64_t o = get_u(r);
        if (i <= HM_HIST_OCTAVES)
            st->octaves[i] = o;
    }
}

static void get_gauge(reader_t *r, hm_snap_gauge_t *g)
{
    g->now = get_i(r);
    g->min = get_i(r);
    g->max = get_i(r);
}

static void get_endpoint(reader_t *r, hm_snap_endpoint_t *e, size_t history, size_t nrules)
{
    get_str(r, e->name, HM_SNAP_NAME_MAX);
    e->other = get_max(r, 1, "a flag that is not 0 or 1");
    for (int i = 0; i < HM_WIN__COUNT; i++)
        get_stats(r, &e->win[i]);
    get_gauge(r, &e->inflight);
    get_gauge(r, &e->queue);
    e->nphases = get_max(r, HM_SNAP_PHASES, "too many phases");
    for (size_t i = 0; i < e->nphases; i++) {
        hm_snap_phase_t *p = &e->phases[i];
        get_str(r, p->name, HM_SNAP_NAME_MAX);
        for (int k = 0; k < HM_WIN__COUNT; k++) {
            p->win[k].count = get_u(r);
            p->win[k].sum_ns = get_u(r);
            p->win[k].p50_ns = get_u(r);
            p->win[k].p95_ns = get_u(r);
            p->win[k].p99_ns = get_u(r);
        }
    }
    e->nstatuses = get_max(r, HM_SNAP_STATUSES, "too many statuses");
    for (size_t i = 0; i < e->nstatuses; i++) {
        e->statuses[i].status = (uint16_t)get_max(r, UINT16_MAX, "a status beyond 65535");
        e->statuses[i].count = get_u(r);
    }
    e->nslow = get_max(r, HM_SNAP_SLOWEST, "too many slowest samples");
    for (size_t i = 0; i < e->nslow; i++) {
        hm_snap_slow_t *s = &e->slow[i];
        s->duration_ns = get_u(r);
        s->age_ns = get_u(r);
        s->status = (uint16_t)get_max(r, UINT16_MAX, "a status beyond 65535");
        get_str(r, s->request_id, HM_SNAP_RID_MAX);
    }
    e->nmetrics = get_max(r, HM_SNAP_METRICS, "too many metrics");
    for (size_t i = 0; i < e->nmetrics; i++) {
        get_str(r, e->metrics[i].name, HM_SNAP_NAME_MAX);
        e->metrics[i].counter = get_max(r, 1, "a flag that is not 0 or 1");
        get_gauge(r, &e->metrics[i].value);
    }
    for (size_t i = HM_WINDOW_HISTORY - history; i < HM_WINDOW_HISTORY; i++) {
        hm_second_t *h = &e->history[i];
        h->count = (uint32_t)get_max(r, UINT32_MAX, "a history count beyond 32 bits");
        h->errors = (uint32_t)get_max(r, UINT32_MAX, "a history count beyond 32 bits");
        h->p50_us = (uint32_t)get_max(r, UINT32_MAX, "a history latency beyond 32 bits");
        h->p95_us = (uint32_t)get_max(r, UINT32_MAX, "a history latency beyond 32 bits");
        h->p99_us = (uint32_t)get_max(r, UINT32_MAX, "a history latency beyond 32 bits");
    }
    e->slo_state = (uint8_t)get_max(r, HM_SLO_STATE_BREACH, "an unknown SLO state");
    e->nslo = get_max(r, nrules < HM_SNAP_SLO ? nrules : HM_SNAP_SLO, "more SLO results than rules");
    for (size_t i = 0; i < e->nslo; i++) {
        hm_snap_slo_t *x = &e->slo[i];
        x->rule = (uint16_t)get_max(r, nrules ? nrules - 1 : 0, "an SLO result for no rule");
        x->state = (uint8_t)get_max(r, HM_SLO_STATE_BREACH, "an unknown SLO state");
        x->actual = get_sf(r);
        x->breaches = (uint32_t)get_max(r, UINT32_MAX, "a count beyond 32 bits");
        x->budget_left = x->burn_short = x->burn_long = NAN;
        if (get_max(r, 1, "a flag that is not 0 or 1")) {
            x->budget_left = get_sf(r);
            x->burn_short = get_f(r);
            x->burn_long = get_f(r);
        }
    }
    e->drift.minutes = (uint32_t)get_max(r, UINT32_MAX, "a count beyond 32 bits");
    e->drift.ns_per_10m = get_sf(r);
    e->drift.mean_ns = get_f(r);
    e->drift.first_ns = get_u(r);
    e->drift.last_ns = get_u(r);
    e->drift.drifting = get_max(r, 1, "a flag that is not 0 or 1");
}

/* The header's SLO tail into s (rules and events allocated here, owned by s
 * once it is a snapshot). */
static void get_slo(reader_t *r, hm_snapshot_t *s)
{
    s->slo_checks = get_u(r);
    s->drifting = get_u(r);
    s->nrules = get_max(r, HM_SLO_RULES_MAX, "more SLO rules than a file may hold");
    if (s->nrules && !r->why && !(s->rules = calloc(s->nrules, sizeof *s->rules)))
        bad(r, "out of memory");
    for (size_t i = 0; i < s->nrules && !r->why; i++) {
        hm_snap_rule_t *x = &s->rules[i];
        get_str(r, x->rule.pattern, HM_SLO_PATTERN_MAX);
        x->rule.stat = (hm_slo_stat_t)get_max(r, HM_SLO__STATS - 1, "an unknown statistic");
        x->rule.op = (hm_slo_op_t)get_max(r, HM_SLO_GE, "an unknown comparison");
        x->rule.bound = get_f(r);
        x->rule.window = (hm_win_t)get_max(r, HM_WIN__COUNT - 1, "an unknown window");
        x->rule.objective = get_f(r);
        x->rule.line = (unsigned)get_max(r, UINT32_MAX, "a line beyond 32 bits");
        get_str(r, x->rule.text, HM_SLO_RULE_TEXT_MAX - 1);
        x->breaches = get_u(r);
        x->recoveries = get_u(r);
        x->breaching = (uint32_t)get_max(r, UINT32_MAX, "a count beyond 32 bits");
    }
    s->nevents = get_max(r, HM_SNAP_EVENTS, "more SLO events than a snapshot keeps");
    if (s->nevents && !r->why && !(s->events = calloc(s->nevents, sizeof *s->events)))
        bad(r, "out of memory");
    for (size_t i = 0; i < s->nevents && !r->why; i++) {
        hm_slo_event_t *x = &s->events[i];
        x->at_unix_ms = get_i(r);
        x->rule = (uint16_t)get_max(r, s->nrules ? s->nrules - 1 : 0, "an SLO event for no rule");
        if (!s->nrules)
            bad(r, "an SLO event for no rule");
        x->recovery = get_max(r, 1, "a flag that is not 0 or 1");
        x->actual = get_sf(r);
        get_str(r, x->endpoint, HM_SNAP_NAME_MAX);
    }
}

int hm_snapcodec_decode(const uint8_t *buf, size_t len, hm_snapshot_t **out,
                        hm_snapcodec_info_t *info, const char **why)
{
    const char *dummy;
    why = why ? why : &dummy;
    if (len > HM_SNAPCODEC_MAX) {
        *why = "larger than 64 MiB";
        return EPROTO;
    }
    if (len < MAGIC_LEN + 1 || memcmp(buf, MAGIC, MAGIC_LEN) != 0) {
        *why = "not a snapshot message (no \"HMS\" magic)";
        return EPROTO;
    }
    reader_t r = {buf + MAGIC_LEN, buf + len, NULL, false};
    hm_snapcodec_info_t in = {0};
    in.version = (uint32_t)get_max(&r, UINT32_MAX, "a version beyond 32 bits");
    if (!r.why && in.version == 0)
        bad(&r, "version 0");
    r.soft = in.version < HM_SNAPCODEC_VERSION;

    reader_t h;
    get_part(&r, &h);
    hm_snapshot_t head = {0};
    head.seq = get_u(&h);
    head.taken_ns = get_u(&h);
    head.taken_unix_ms = get_i(&h);
    head.uptime_ns = get_u(&h);
    head.since_reset_ns = get_u(&h);
    head.ingest_rate = get_f(&h);
    in.history = (uint32_t)get_max(&h, HM_WINDOW_HISTORY, "more history than 300 seconds");
    in.history_end = get_u(&h);
    uint64_t n = get_max(&h, MAX_ENDPOINTS, "more than 65536 endpoints");
    if (!h.why && n > (uint64_t)(r.end - r.p) / MIN_ENDPOINT_BYTES)
        bad(&h, "more endpoints than the message has bytes for");
    get_slo(&h, &head);
    reader_t c;
    get_part(&r, &c);
    for (size_t i = 0; i < sizeof counter_off / sizeof counter_off[0]; i++) {
        uint64_t v = get_u(&c);
        memcpy((char *)&head.counters + counter_off[i], &v, sizeof v);
    }
    const char *fail = r.why ? r.why : h.why ? h.why : c.why;
    if (fail) {
        free(head.rules);
        free(head.events);
        *why = fail;
        return EPROTO;
    }
    hm_snapshot_t *s = hm_snapshot_new((size_t)n);
    if (!s) {
        free(head.rules);
        free(head.events);
        *why = "out of memory";
        return ENOMEM;
    }
    hm_snap_endpoint_t *eps = s->endpoints;
    *s = head;
    s->refs = 1;
    s->nendpoints = (size_t)n;
    s->endpoints = eps;
    for (size_t i = 0; i < n && !fail; i++) {
        reader_t e;
        get_part(&r, &e);
        get_endpoint(&e, &s->endpoints[i], in.history, s->nrules);
        fail = r.why ? r.why : e.why;
    }
    if (!fail && r.p != r.end)
        fail = "bytes after the last endpoint";
    if (fail) {
        hm_snapshot_release(&s);
        *why = fail;
        return EPROTO;
    }
    *out = s;
    *info = in;
    return 0;
}

/* --- history ------------------------------------------------------------- */

void hm_snapcodec_merge_history(hm_snapshot_t *cur, const hm_snapcodec_info_t *info,
                                const hm_snapshot_t *prev, uint64_t prev_end)
{
    if (!prev || info->history >= HM_WINDOW_HISTORY || info->history_end < prev_end)
        return;
    uint64_t shift = info->history_end - prev_end;
    if (shift >= HM_WINDOW_HISTORY)
        return;
    /* The new message's second i is the previous one's second i + shift; the
     * last info->history seconds came with the message. */
    size_t keep = HM_WINDOW_HISTORY - info->history, j = 0;
    for (size_t i = 0; i < cur->nendpoints; i++) {
        hm_snap_endpoint_t *e = &cur->endpoints[i];
        /* Both are sorted by name: look where the last match ended first. */
        const hm_snap_endpoint_t *p = NULL;
        if (j < prev->nendpoints && strcmp(prev->endpoints[j].name, e->name) == 0)
            p = &prev->endpoints[j];
        else
            p = hm_snapshot_find(prev, e->name);
        if (!p)
            continue;
        j = (size_t)(p - prev->endpoints) + 1;
        for (size_t k = 0; k + shift < HM_WINDOW_HISTORY && k < keep; k++)
            e->history[k] = p->history[k + shift];
    }
}
