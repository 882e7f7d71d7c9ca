/*
 * slo.h - checking SLO rules against snapshots: breach and recovery events,
 * error budgets and burn rates, and each endpoint's p95 drift over the run.
 *
 * The checker sees nothing but snapshots, so it is a pure function of them
 * and of their clocks (taken_ns, since_reset_ns), which tests inject. The
 * collector runs one in its ingest thread: it asks for the latency bounds
 * its objective rules need (hm_slo_bounds), builds each snapshot with good
 * counts against them, and passes the snapshot through hm_slo_apply before
 * it publishes it. Rules are parsed by slo_rules.c.
 *
 * Thread-safety: none; one thread owns a checker.
 */
#ifndef HM_SLO_H
#define HM_SLO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "slo_rules.h"
#include "snapshot.h"

/* The PUB topic SLO events are published under (docs/protocol.md). */
#define HM_SLO_TOPIC "perf.slo_violation"

typedef struct hm_slo hm_slo_t;

/* A checker of rules (copied), or NULL when out of memory or when the
 * objective rules name more than HM_SNAP_BOUNDS distinct bounds (then *why
 * says so). With no rules it still tracks drift. The caller owns it. */
hm_slo_t *hm_slo_new(const hm_slo_rules_t *rules, const char **why);
void hm_slo_destroy(hm_slo_t **self_p);

/* The latency bounds the objective rules count good samples against, to be
 * passed to hm_registry_snapshot. Returns how many (<= HM_SNAP_BOUNDS). */
size_t hm_slo_bounds(const hm_slo_t *s, uint64_t out[HM_SNAP_BOUNDS]);

/* Checks the rules against snap when a check is due (rules' check_ns since
 * the last) or when force is set, then writes the results into snap: its
 * rules, events, and each endpoint's slo_state, slo[] and drift. Returns
 * the number of events this call produced; they are hm_slo_new_events'.
 * snap must carry the bounds of hm_slo_bounds and not yet be shared.
 * Returns -1 (ENOMEM) when results could not be written into snap. */
int hm_slo_apply(hm_slo_t *s, hm_snapshot_t *snap, bool force);

/* The events of the last hm_slo_apply, oldest first; borrowed until the
 * next call. */
const hm_slo_event_t *hm_slo_new_events(const hm_slo_t *s, size_t *n);

/* The rules (borrowed). */
const hm_slo_rules_t *hm_slo_rules(const hm_slo_t *s);

/* Forgets states, counts, events and drift, as a reset of the statistics. */
void hm_slo_reset(hm_slo_t *s);

/* An event as one line of JSON (no newline) into buf: {at, at_unix_ms,
 * kind, endpoint, rule, metric, percentile, threshold, actual, unit,
 * window, objective}. Returns the length, or 0 when it did not fit. */
size_t hm_slo_event_json(const hm_slo_rule_t *rule, const hm_slo_event_t *ev, char *buf, size_t n);

/* Did every rule hold for the whole run, and is no endpoint drifting? */
bool hm_slo_verdict(const hm_snapshot_t *snap);

#endif
