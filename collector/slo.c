/*
 * slo.c - the SLO checker (see slo.h): rule states per endpoint, events,
 * budgets and burn rates, drift.
 *
 * States are kept per endpoint name in an array sorted by name, found by
 * binary search: names arrive rarely and are never forgotten, so a sorted
 * array beats a hash table here and keeps the code small. Each endpoint
 * holds only the rules that match it (at most HM_SNAP_SLO), matched once.
 */
#include "slo.h"

#include <jansson.h>
#include <fnmatch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "escape.h"

#define NS_PER_MIN 60000000000ull
#define EVENTS_KEPT HM_SNAP_EVENTS

typedef struct {
    hm_snap_slo_t out;       /* as written into snapshots */
    uint64_t last_breach_ns; /* of the last breach event; 0: none */
    bool announced;          /* the current breach had its event */
} rule_state_t;

typedef struct {
    char name[HM_SNAP_NAME_MAX + 1];
    size_t nrules;
    rule_state_t r[HM_SNAP_SLO];
    /* drift: least-squares sums over (minute, p95 in ns) */
    uint64_t last_minute;    /* of the latest point, + 1; 0: none */
    double n, sx, sy, sxx, sxy;
    uint64_t first_ns, last_ns;
} ep_state_t;

struct hm_slo {
    hm_slo_rules_t rules;
    hm_snap_rule_t counts[HM_SLO_RULES_MAX];
    size_t nbounds;
    uint64_t bounds[HM_SNAP_BOUNDS];
    int bound_of[HM_SLO_RULES_MAX]; /* index into bounds, or -1 */
    ep_state_t **eps;               /* sorted by name */
    size_t neps, cap;
    uint64_t last_check_ns;
    uint64_t checks;
    bool checked;
    hm_slo_event_t ring[EVENTS_KEPT]; /* the newest events; next at ring_at */
    size_t ring_at, ring_n;
    hm_slo_event_t *fresh;            /* the last apply's events */
    size_t nfresh, fresh_cap;
};

hm_slo_t *hm_slo_new(const hm_slo_rules_t *rules, const char **why)
{
    hm_slo_t *s = calloc(1, sizeof *s);
    if (!s) {
        *why = "out of memory";
        return NULL;
    }
    s->rules = *rules;
    for (size_t i = 0; i < rules->n; i++) {
        const hm_slo_rule_t *r = &rules->rule[i];
        s->counts[i].rule = *r;
        s->bound_of[i] = -1;
        if (r->objective <= 0)
            continue;
        uint64_t b = (uint64_t)r->bound;
        size_t j = 0;
        while (j < s->nbounds && s->bounds[j] != b)
            j++;
        if (j == s->nbounds) {
            if (s->nbounds == HM_SNAP_BOUNDS) {
                *why = "objective rules name more than 8 distinct latency bounds";
                free(s);
                return NULL;
            }
            s->bounds[s->nbounds++] = b;
        }
        s->bound_of[i] = (int)j;
    }
    return s;
}

void hm_slo_destroy(hm_slo_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    hm_slo_t *s = *self_p;
    for (size_t i = 0; i < s->neps; i++)
        free(s->eps[i]);
    free(s->eps);
    free(s->fresh);
    free(s);
    *self_p = NULL;
}

size_t hm_slo_bounds(const hm_slo_t *s, uint64_t out[HM_SNAP_BOUNDS])
{
    memcpy(out, s->bounds, s->nbounds * sizeof s->bounds[0]);
    return s->nbounds;
}

const hm_slo_rules_t *hm_slo_rules(const hm_slo_t *s)
{
    return &s->rules;
}

const hm_slo_event_t *hm_slo_new_events(const hm_slo_t *s, size_t *n)
{
    *n = s->nfresh;
    return s->fresh;
}

void hm_slo_reset(hm_slo_t *s)
{
    for (size_t i = 0; i < s->neps; i++) {
        ep_state_t *e = s->eps[i];
        for (size_t j = 0; j < e->nrules; j++) {
            uint16_t rule = e->r[j].out.rule;
            memset(&e->r[j], 0, sizeof e->r[j]);
            e->r[j].out.rule = rule;
            e->r[j].out.budget_left = e->r[j].out.burn_short = e->r[j].out.burn_long = NAN;
        }
        e->last_minute = 0;
        e->n = e->sx = e->sy = e->sxx = e->sxy = 0;
        e->first_ns = e->last_ns = 0;
    }
    for (size_t i = 0; i < s->rules.n; i++) {
        s->counts[i].breaches = s->counts[i].recoveries = 0;
        s->counts[i].breaching = 0;
    }
    s->ring_at = s->ring_n = 0;
    s->checked = false;
}

/* The state of the endpoint named name, created (with its matching rules)
 * when new; NULL when out of memory. */
static ep_state_t *state_of(hm_slo_t *s, const char *name)
{
    size_t lo = 0, hi = s->neps;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(s->eps[mid]->name, name);
        if (c == 0)
            return s->eps[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (s->neps == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        ep_state_t **eps = realloc(s->eps, cap * sizeof *eps);
        if (!eps)
            return NULL;
        s->eps = eps;
        s->cap = cap;
    }
    ep_state_t *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    snprintf(e->name, sizeof e->name, "%s", name);
    for (size_t i = 0; i < s->rules.n && e->nrules < HM_SNAP_SLO; i++) {
        if (fnmatch(s->rules.rule[i].pattern, name, 0) != 0)
            continue;
        rule_state_t *r = &e->r[e->nrules++];
        r->out.rule = (uint16_t)i;
        r->out.budget_left = r->out.burn_short = r->out.burn_long = NAN;
    }
    memmove(&s->eps[lo + 1], &s->eps[lo], (s->neps - lo) * sizeof s->eps[0]);
    s->eps[lo] = e;
    s->neps++;
    return e;
}

/* Bad samples' share of the budget over a window: its burn rate. */
static double burn(const hm_snap_stats_t *st, int b, double objective)
{
    if (!st->count)
        return 0;
    double bad = (double)(st->count - st->good[b]) / (double)st->count;
    return bad / (1 - objective);
}

/* The value rule r is checked against for endpoint e; false: nothing to
 * check yet (no samples in the window). */
static bool value_of(const hm_slo_t *s, size_t ri, const hm_snap_endpoint_t *e, double *v)
{
    const hm_slo_rule_t *r = &s->rules.rule[ri];
    const hm_snap_stats_t *st = &e->win[r->window];
    switch (r->stat) {
    case HM_SLO_INFLIGHT: *v = (double)e->inflight.now; return true;
    case HM_SLO_QUEUE: *v = (double)e->queue.now; return true;
    case HM_SLO_RATE: *v = st->rate; return st->span_ns > 0;
    default: break;
    }
    if (!st->count)
        return false;
    if (r->objective > 0) {
        *v = (double)st->good[s->bound_of[ri]] / (double)st->count;
        return true;
    }
    switch (r->stat) {
    case HM_SLO_P50: *v = (double)st->p50_ns; break;
    case HM_SLO_P90: *v = (double)st->p90_ns; break;
    case HM_SLO_P95: *v = (double)st->p95_ns; break;
    case HM_SLO_P99: *v = (double)st->p99_ns; break;
    case HM_SLO_P999: *v = (double)st->p999_ns; break;
    case HM_SLO_MEAN: *v = (double)st->mean_ns; break;
    case HM_SLO_MAX: *v = (double)st->max_ns; break;
    default: *v = st->error_rate; break;
    }
    return true;
}

static bool holds(const hm_slo_t *s, size_t ri, double v)
{
    const hm_slo_rule_t *r = &s->rules.rule[ri];
    return r->objective > 0 ? v >= r->objective : hm_slo_holds(r, v);
}

static int emit(hm_slo_t *s, const hm_snapshot_t *snap, const ep_state_t *e, size_t ri,
                bool recovery, double actual)
{
    if (s->nfresh == s->fresh_cap) {
        size_t cap = s->fresh_cap ? s->fresh_cap * 2 : 16;
        hm_slo_event_t *f = realloc(s->fresh, cap * sizeof *f);
        if (!f)
            return -1;
        s->fresh = f;
        s->fresh_cap = cap;
    }
    hm_slo_event_t *ev = &s->fresh[s->nfresh++];
    memset(ev, 0, sizeof *ev);
    ev->at_unix_ms = snap->taken_unix_ms;
    ev->rule = (uint16_t)ri;
    ev->recovery = recovery;
    ev->actual = actual;
    memcpy(ev->endpoint, e->name, sizeof ev->endpoint);
    s->ring[s->ring_at] = *ev;
    s->ring_at = (s->ring_at + 1) % EVENTS_KEPT;
    s->ring_n += s->ring_n < EVENTS_KEPT;
    if (recovery)
        s->counts[ri].recoveries++;
    else
        s->counts[ri].breaches++;
    return 0;
}

/* Checks every rule of one endpoint at now_ns. */
static int check_endpoint(hm_slo_t *s, const hm_snapshot_t *snap, ep_state_t *e,
                          const hm_snap_endpoint_t *se)
{
    uint64_t now = snap->taken_ns;
    for (size_t j = 0; j < e->nrules; j++) {
        rule_state_t *rs = &e->r[j];
        size_t ri = rs->out.rule;
        const hm_slo_rule_t *r = &s->rules.rule[ri];
        double v;
        if (r->objective > 0) {
            int b = s->bound_of[ri];
            const hm_snap_stats_t *all = &se->win[HM_WIN_ALL];
            rs->out.budget_left = all->count ? 1 - burn(all, b, r->objective) : 1;
            rs->out.burn_short = burn(&se->win[HM_WIN_1M], b, r->objective);
            rs->out.burn_long = burn(&se->win[HM_WIN_5M], b, r->objective);
        }
        if (!value_of(s, ri, se, &v))
            continue;
        rs->out.actual = v;
        if (holds(s, ri, v)) {
            if (rs->out.state == HM_SLO_STATE_BREACH && rs->announced &&
                emit(s, snap, e, ri, true, v))
                return -1;
            rs->out.state = HM_SLO_STATE_OK;
            rs->announced = false;
            continue;
        }
        rs->out.state = HM_SLO_STATE_BREACH;
        s->counts[ri].breaching++;
        if (rs->last_breach_ns && now - rs->last_breach_ns < s->rules.repeat_ns)
            continue;
        if (emit(s, snap, e, ri, false, v))
            return -1;
        rs->last_breach_ns = now;
        rs->announced = true;
        rs->out.breaches++;
    }
    return 0;
}

/* Adds this minute's p95 to the endpoint's trend once per minute of run. */
static void track_drift(ep_state_t *e, const hm_snapshot_t *snap, const hm_snap_endpoint_t *se)
{
    uint64_t minute = snap->since_reset_ns / NS_PER_MIN;
    const hm_snap_stats_t *m = &se->win[HM_WIN_1M];
    if (minute == 0 || minute + 1 <= e->last_minute || !m->count)
        return;
    double x = (double)minute, y = (double)m->p95_ns;
    e->n += 1;
    e->sx += x;
    e->sy += y;
    e->sxx += x * x;
    e->sxy += x * y;
    if (!e->last_minute)
        e->first_ns = m->p95_ns;
    e->last_ns = m->p95_ns;
    e->last_minute = minute + 1;
}

static void write_drift(const hm_slo_t *s, const ep_state_t *e, hm_snap_drift_t *d)
{
    memset(d, 0, sizeof *d);
    d->minutes = (uint32_t)e->n;
    d->first_ns = e->first_ns;
    d->last_ns = e->last_ns;
    if (e->n < 1)
        return;
    d->mean_ns = e->sy / e->n;
    double den = e->n * e->sxx - e->sx * e->sx;
    if (e->n < 3 || den <= 0)
        return;
    d->ns_per_10m = 10 * (e->n * e->sxy - e->sx * e->sy) / den;
    double limit = s->rules.drift_ns ? (double)s->rules.drift_ns : s->rules.drift_share * d->mean_ns;
    d->drifting = d->ns_per_10m > limit;
}

int hm_slo_apply(hm_slo_t *s, hm_snapshot_t *snap, bool force)
{
    s->nfresh = 0;
    bool due = force || !s->checked || snap->taken_ns - s->last_check_ns >= s->rules.check_ns;
    if (due) {
        s->checked = true;
        s->last_check_ns = snap->taken_ns;
        s->checks++;
        for (size_t i = 0; i < s->rules.n; i++)
            s->counts[i].breaching = 0;
    }
    snap->drifting = 0;
    for (size_t i = 0; i < snap->nendpoints; i++) {
        hm_snap_endpoint_t *se = &snap->endpoints[i];
        ep_state_t *e = state_of(s, se->name);
        if (!e)
            return -1;
        if (due) {
            if (check_endpoint(s, snap, e, se))
                return -1;
            track_drift(e, snap, se);
        }
        se->nslo = e->nrules;
        se->slo_state = HM_SLO_STATE_NONE;
        for (size_t j = 0; j < e->nrules; j++) {
            se->slo[j] = e->r[j].out;
            if (e->r[j].out.state > se->slo_state)
                se->slo_state = e->r[j].out.state;
        }
        write_drift(s, e, &se->drift);
        snap->drifting += se->drift.drifting;
    }
    snap->slo_checks = s->checks;
    snap->nrules = s->rules.n;
    if (s->rules.n) {
        if (!(snap->rules = malloc(s->rules.n * sizeof *snap->rules)))
            return -1;
        memcpy(snap->rules, s->counts, s->rules.n * sizeof *snap->rules);
    }
    if (s->ring_n) {
        if (!(snap->events = malloc(s->ring_n * sizeof *snap->events)))
            return -1;
        for (size_t i = 0; i < s->ring_n; i++)
            snap->events[i] = s->ring[(s->ring_at + EVENTS_KEPT - 1 - i) % EVENTS_KEPT];
    }
    snap->nevents = s->ring_n;
    return (int)s->nfresh;
}

bool hm_slo_verdict(const hm_snapshot_t *snap)
{
    for (size_t i = 0; i < snap->nrules; i++)
        if (snap->rules[i].breaches || snap->rules[i].breaching)
            return false;
    return snap->drifting == 0;
}

/* A value in the unit events carry: ms for latencies, % for rates of errors
 * and shares of good requests, plain numbers otherwise. */
static double in_unit(const hm_slo_rule_t *r, double v, bool share, const char **unit)
{
    if (share) {
        *unit = "%";
        return v * 100;
    }
    switch (hm_slo_stat_unit(r->stat)) {
    case HM_SLO_UNIT_NS: *unit = "ms"; return v / 1e6;
    case HM_SLO_UNIT_FRACTION: *unit = "%"; return v * 100;
    case HM_SLO_UNIT_PER_S: *unit = "/s"; return v;
    case HM_SLO_UNIT_COUNT: break;
    }
    *unit = "";
    return v;
}

size_t hm_slo_event_json(const hm_slo_rule_t *r, const hm_slo_event_t *ev, char *buf, size_t n)
{
    char at[32], name[HM_SNAP_NAME_MAX * 10 + 1];
    time_t t = (time_t)(ev->at_unix_ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    size_t k = strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(at + k, sizeof at - k, ".%03dZ", (int)(ev->at_unix_ms % 1000));
    const char *tunit, *aunit;
    double threshold = in_unit(r, r->bound, false, &tunit);
    double actual = in_unit(r, ev->actual, r->objective > 0, &aunit);
    double q = hm_slo_stat_quantile(r->stat);
    json_t *o = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:o, s:f, s:s, s:f, s:s, s:s, s:o}",
                          "at", at, "at_unix_ms", (json_int_t)ev->at_unix_ms, "kind",
                          ev->recovery ? "recovery" : "breach", "endpoint",
                          hm_escape(ev->endpoint, true, name, sizeof name), "rule", r->text,
                          "metric", hm_slo_stat_name(r->stat), "percentile",
                          q > 0 ? json_real(q * 100) : json_null(), "threshold", threshold,
                          "threshold_unit", tunit, "actual", actual, "actual_unit", aunit,
                          "window", hm_win_name(r->window), "objective",
                          r->objective > 0 ? json_real(r->objective * 100) : json_null());
    if (!o)
        return 0;
    size_t len = json_dumpb(o, buf, n, JSON_COMPACT | JSON_REAL_PRECISION(6));
    json_decref(o);
    if (len >= n)
        return 0;
    buf[len] = '\0';
    return len;
}
