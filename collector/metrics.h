/*
 * metrics.h - the collector's statistics in the Prometheus text exposition
 * format (version 0.0.4), served over HTTP at /metrics.
 *
 * Per endpoint, since the collector started (the "all" window): request and
 * error counters, the latency histogram folded onto fixed `le` bounds (every
 * power of two of nanoseconds from 2^13 ns = 8.192 us to 2^36 ns = 68.7 s,
 * exact folds of the log-linear buckets), with _sum and _count; in-flight
 * and queue gauges. Then the collector's own counters. docs/collector.md
 * lists every series.
 *
 * HTTP is libmicrohttpd's, on its own thread; each scrape takes the latest
 * snapshot (hm_collector_snapshot), so a scrape never touches live state.
 */
#ifndef HM_METRICS_H
#define HM_METRICS_H

#include <stddef.h>
#include <stdio.h>

#include "collector.h"
#include "snapshot.h"

/* The `le` bounds: 2^HM_METRICS_LE_FIRST .. 2^HM_METRICS_LE_LAST ns. */
#define HM_METRICS_LE_FIRST 13
#define HM_METRICS_LE_LAST 36

typedef struct hm_metrics hm_metrics_t;

/* Writes s as Prometheus text to out. Returns 0, or the errno of a failed
 * write. Names are escaped as label values and invalid UTF-8 becomes U+FFFD. */
int hm_metrics_render(const hm_snapshot_t *s, FILE *out);

/* Listens on host_port ("127.0.0.1:7452", "[::1]:0", "localhost:9100"; port 0
 * picks a free one) and serves /metrics from c (borrowed: it must outlive the
 * server). Returns 0 and sets *out (the caller's, freed with hm_metrics_stop),
 * or an errno value with the reason in why. */
int hm_metrics_start(hm_collector_t *c, const char *host_port, hm_metrics_t **out, char *why,
                     size_t why_len);

/* The address really listened on, HOST:PORT. Borrowed. */
const char *hm_metrics_address(const hm_metrics_t *m);

/* Stops serving and frees. Accepts NULL and *self_p == NULL. */
void hm_metrics_stop(hm_metrics_t **self_p);

#endif
