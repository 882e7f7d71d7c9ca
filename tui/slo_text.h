/*
 * slo_text.h - SLO results as text for people: the violations pane's lines,
 * an event, a rule's value, a budget, a drift. Into buffers, no curses, so
 * the screen, the detail view and the report say the same things the same
 * way. Names are escaped here.
 */
#ifndef HM_SLO_TEXT_H
#define HM_SLO_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "snapshot.h"

/* "14:02:31 FAIL api.get  p95 < 60ms 1m  was 80.2ms" (local time), or "ok"
 * for a recovery. Returns buf. */
char *hm_slo_text_event(const hm_snapshot_t *snap, const hm_slo_event_t *ev, bool utf8, char *buf,
                        size_t n);

/* The pane's first line: rules, breaching now, breaches and recoveries so
 * far, drifting endpoints; or how to load rules. Returns buf. */
char *hm_slo_text_summary(const hm_snapshot_t *snap, char *buf, size_t n);

/* A rule result's value as the rule writes it: "80.2ms", "0.5%", or for an
 * objective rule the share of good requests, "99.52% good". Returns buf. */
char *hm_slo_text_actual(const hm_snapshot_t *snap, const hm_snap_slo_t *r, char *buf, size_t n);

/* "budget 42.1% left, burn 1.3x (1m) 0.9x (5m)", or "" without an objective. */
char *hm_slo_text_budget(const hm_snap_slo_t *r, char *buf, size_t n);

/* "p95 +12.5ms per 10 min over 14 min (40.1ms -> 52.0ms), drifting", or
 * "p95 trend: needs 3 minutes (1 so far)". Returns buf. */
char *hm_slo_text_drift(const hm_snap_drift_t *d, bool utf8, char *buf, size_t n);

#endif
