/*
 * snapshot.h - an immutable picture of every endpoint's statistics.
 *
 * The ingest thread owns the live statistics (registry.c, endpoint.c); every
 * refresh it builds one of these and hands it out. Readers (the screen, the
 * exports, the tests) only ever see snapshots, so a slow reader never slows
 * ingest. A snapshot is reference-counted and never changes after it is
 * published: any thread may read it, hold it and release it.
 *
 * Names are the raw bytes that came off the wire, cut to HM_SNAP_NAME_MAX
 * and NUL-terminated: they may hold control bytes or invalid UTF-8, and
 * must be escaped (tui/escape.c) before they are drawn or written.
 */
#ifndef HM_SNAPSHOT_H
#define HM_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../client/wire.h"
#include "histogram.h"
#include "slo_rules.h"
#include "window.h"

#define HM_SNAP_NAME_MAX 128   /* bytes of a name kept by the collector */
#define HM_SNAP_RID_MAX 48     /* bytes of a request id kept */
#define HM_SNAP_STATUSES 8     /* statuses kept per endpoint, most frequent first */
#define HM_SNAP_SLOWEST 10     /* slowest recent samples kept per endpoint */
#define HM_SNAP_PHASES 8       /* phases kept per endpoint */
#define HM_SNAP_METRICS 8      /* user gauges and counters kept per endpoint */
#define HM_SNAP_BOUNDS 8       /* latency bounds whose good counts a snapshot carries */
#define HM_SNAP_SLO 8          /* SLO rule results kept per endpoint */
#define HM_SNAP_EVENTS 100     /* newest SLO events kept in a snapshot */

/* Statistics of one endpoint over one window. Durations in ns. */
typedef struct {
    uint64_t count;
    uint64_t errors;
    double rate;          /* samples per second over span_ns */
    double error_rate;    /* errors / count, 0..1; 0 when count is 0 */
    uint64_t span_ns;     /* time the window really covers */
    uint64_t min_ns, mean_ns, max_ns;
    uint64_t sum_ns;      /* sum of the values (saturating), for exports that add up */
    uint64_t p50_ns, p90_ns, p95_ns, p99_ns, p999_ns;
    uint64_t octaves[HM_HIST_OCTAVES + 1]; /* the histogram folded per power of two */
    uint64_t good[HM_SNAP_BOUNDS]; /* samples at or below the snapshot's bounds_ns[i]
                                      (whole buckets, so within 1% of the bound) */
} hm_snap_stats_t;

/* A gauge summed over live senders: now, and its least and greatest sum
 * within the last minute. */
typedef struct {
    int64_t now, min, max;
} hm_snap_gauge_t;

typedef struct {
    char name[HM_SNAP_NAME_MAX + 1];
    struct {
        uint64_t count;
        uint64_t sum_ns;
        uint64_t p50_ns, p95_ns, p99_ns;
    } win[HM_WIN__COUNT];
} hm_snap_phase_t;

typedef struct {
    uint16_t status;
    uint64_t count;       /* since start or reset */
} hm_snap_status_t;

typedef struct {
    uint64_t duration_ns;
    uint64_t age_ns;      /* how long before the snapshot it ended */
    uint16_t status;
    char request_id[HM_SNAP_RID_MAX + 1]; /* "" when none */
} hm_snap_slow_t;

typedef struct {
    char name[HM_SNAP_NAME_MAX + 1];
    bool counter;         /* true: a counter (value is the total); false: a gauge */
    hm_snap_gauge_t value;
} hm_snap_metric_t;

/* SLO state of an endpoint or one of its rules. */
typedef enum {
    HM_SLO_STATE_NONE,   /* no rule, or nothing to check yet */
    HM_SLO_STATE_OK,     /* every rule held at the last check */
    HM_SLO_STATE_BREACH, /* some rule was breached at the last check */
} hm_slo_state_t;

/* One rule's result for one endpoint, as of the last check. */
typedef struct {
    uint16_t rule;        /* index into the snapshot's rules */
    uint8_t state;        /* hm_slo_state_t */
    double actual;        /* the value checked, in the rule's unit (slo_rules.h) */
    uint32_t breaches;    /* breach events so far */
    double budget_left;   /* objective rules: share of the run's error budget left
                             (1 untouched, < 0 overspent); NAN otherwise */
    double burn_short;    /* objective rules: burn rate over 1 min and 5 min; NAN otherwise */
    double burn_long;
} hm_snap_slo_t;

/* p95's trend over the run: least squares over per-minute p95. */
typedef struct {
    uint32_t minutes;     /* per-minute points so far */
    double ns_per_10m;    /* slope; meaningful from 3 points */
    double mean_ns;       /* mean of the points */
    uint64_t first_ns, last_ns; /* the first and the latest per-minute p95 */
    bool drifting;        /* rising faster than the rules' drift setting */
} hm_snap_drift_t;

typedef struct {
    char name[HM_SNAP_NAME_MAX + 1];
    bool other;                         /* the (other) row that names beyond the cap fold into */
    hm_snap_stats_t win[HM_WIN__COUNT]; /* indexed by hm_win_t */
    hm_snap_gauge_t inflight;
    hm_snap_gauge_t queue;
    size_t nphases;
    hm_snap_phase_t phases[HM_SNAP_PHASES];
    size_t nstatuses;
    hm_snap_status_t statuses[HM_SNAP_STATUSES]; /* errors and successes, most frequent first */
    size_t nslow;
    hm_snap_slow_t slow[HM_SNAP_SLOWEST];        /* slowest first, within the last minute */
    size_t nmetrics;
    hm_snap_metric_t metrics[HM_SNAP_METRICS];
    hm_second_t history[HM_WINDOW_HISTORY];      /* oldest first; the last is the latest full second */
    uint8_t slo_state;                  /* hm_slo_state_t over every rule that matches */
    size_t nslo;
    hm_snap_slo_t slo[HM_SNAP_SLO];     /* the rules that match, in rule order */
    hm_snap_drift_t drift;
} hm_snap_endpoint_t;

/* A rule as the snapshot carries it, with its counts over the run. */
typedef struct {
    hm_slo_rule_t rule;
    uint64_t breaches;    /* breach events, all endpoints */
    uint64_t recoveries;  /* recovery events */
    uint32_t breaching;   /* endpoints in breach at the last check */
} hm_snap_rule_t;

/* A breach, or a recovery when the rule holds again. */
typedef struct {
    int64_t at_unix_ms;
    uint16_t rule;        /* index into the snapshot's rules */
    bool recovery;
    double actual;        /* in the rule's unit */
    char endpoint[HM_SNAP_NAME_MAX + 1];
} hm_slo_event_t;

/* The collector's own counters, since it started (not reset by a reset). */
typedef struct {
    uint64_t frames;              /* frames accepted */
    uint64_t samples;             /* samples ingested */
    uint64_t rejected;            /* frames rejected, all reasons */
    uint64_t rejected_by[HM_WIRE_ERR__COUNT]; /* by hm_wire_err_t */
    uint64_t lost;                /* frames lost in transit (sequence gaps) */
    uint64_t client_drops;        /* samples clients dropped, summed over senders */
    uint64_t senders_live;        /* senders heard from within the expiry time */
    uint64_t senders_expired;     /* senders forgotten after silence */
    uint64_t senders_refused;     /* frames from new senders beyond the sender cap */
    uint64_t endpoints;           /* endpoints known (the (other) row included) */
    uint64_t names_folded;        /* endpoint names beyond the cap, folded into (other) */
    uint64_t names_cut;           /* names cut to HM_SNAP_NAME_MAX */
    uint64_t values_clamped;      /* durations outside 1 us .. 1 h */
    uint64_t unknown_ids;         /* samples for an endpoint id not (yet) declared */
    uint64_t unknown_records;     /* records of a type this collector does not know */
    uint64_t events_unwritten;    /* SLO events the events file could not take (a full disk) */
    uint64_t auth_failures;       /* connections refused by CURVE authentication */
} hm_snap_counters_t;

typedef struct hm_snapshot {
    int refs;                       /* private: use ref/release */
    uint64_t seq;                   /* 1, 2, ... in the order they were taken */
    uint64_t taken_ns;              /* CLOCK_MONOTONIC */
    int64_t taken_unix_ms;          /* CLOCK_REALTIME, for display and files */
    uint64_t uptime_ns;             /* since the collector started */
    uint64_t since_reset_ns;        /* since start or the last reset */
    double ingest_rate;             /* samples per second over the last second */
    hm_snap_counters_t counters;
    size_t nendpoints;
    hm_snap_endpoint_t *endpoints;  /* owned; sorted by name, the (other) row last */
    size_t nbounds;
    uint64_t bounds_ns[HM_SNAP_BOUNDS]; /* what hm_snap_stats_t.good counts against */
    /* SLOs (all zero without rules): */
    size_t nrules;
    hm_snap_rule_t *rules;          /* owned */
    size_t nevents;
    hm_slo_event_t *events;         /* owned; newest first, at most HM_SNAP_EVENTS */
    uint64_t slo_checks;            /* checks so far */
    uint64_t drifting;              /* endpoints drifting now */
} hm_snapshot_t;

/* Allocates a zeroed snapshot with room for n endpoints (nendpoints = n) and
 * one reference, or NULL. For the collector, and for tests and decoders that
 * build snapshots of their own. */
hm_snapshot_t *hm_snapshot_new(size_t n);

/* Takes another reference; returns s. Thread-safe. */
hm_snapshot_t *hm_snapshot_ref(hm_snapshot_t *s);

/* Drops a reference, frees at the last, sets *s_p to NULL. Accepts NULL.
 * Thread-safe. */
void hm_snapshot_release(hm_snapshot_t **s_p);

/* The endpoint named name, or NULL. Borrowed from s. */
const hm_snap_endpoint_t *hm_snapshot_find(const hm_snapshot_t *s, const char *name);

#endif
