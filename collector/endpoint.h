/*
 * endpoint.h - the live statistics of one endpoint in the collector.
 *
 * Latency windows (window.c) with errors, per-phase windows created on first
 * use, counts per status, the slowest samples of the last minute with their
 * request ids, and gauges summed over senders. Which sender contributes what
 * to a gauge is the registry's business (registry.c): it passes each change
 * of a contribution in, so a sum stays exact when a sender changes its value
 * or expires.
 *
 * Thread-safety: none; the ingest thread owns every endpoint. (Named
 * hm_endpoint_stats_t because hm_endpoint_t is the client's endpoint id.)
 */
#ifndef HM_ENDPOINT_H
#define HM_ENDPOINT_H

#include <stdbool.h>
#include <stdint.h>

#include "snapshot.h"

typedef struct hm_endpoint_stats hm_endpoint_stats_t;

/* Which gauge a difference is for: the two every endpoint has, or a user
 * metric by its index in the endpoint (see hm_endpoint_stats_metric). */
typedef enum { HM_GAUGE_INFLIGHT = -1, HM_GAUGE_QUEUE_DEPTH = -2 } hm_gauge_slot_t;

/* Returns a new endpoint named name (len bytes, already cut to
 * HM_SNAP_NAME_MAX), or NULL when out of memory. The caller owns it. */
hm_endpoint_stats_t *hm_endpoint_stats_new(const char *name, size_t len, bool other,
                                           uint64_t now_ns);
void hm_endpoint_stats_destroy(hm_endpoint_stats_t **self_p);

/* The endpoint's name (NUL-terminated, borrowed). */
const char *hm_endpoint_stats_name(const hm_endpoint_stats_t *e);

/* Records one sample ending at now_ns: latency_ns (already including any
 * open-loop delay) and status; request_id (rid_len bytes, may be 0) is kept
 * when the sample is among the slowest. */
void hm_endpoint_stats_record(hm_endpoint_stats_t *e, uint64_t now_ns, uint64_t latency_ns,
                              uint16_t status, const uint8_t *request_id, size_t rid_len);

/* Records the time of one phase (by name) of a sample. Returns false when
 * the endpoint already has HM_SNAP_PHASES other phases (then nothing is kept). */
bool hm_endpoint_stats_phase(hm_endpoint_stats_t *e, uint64_t now_ns, const char *phase,
                             uint64_t ns);

/* The index of the user metric name (kind counter or gauge), created when
 * new; -1 when the endpoint already has HM_SNAP_METRICS metrics. */
int hm_endpoint_stats_metric(hm_endpoint_stats_t *e, const char *name, bool counter);

/* One sender's contribution to a gauge sum (slot: hm_gauge_slot_t or a
 * metric index) changes from `from` to `to`. The sum is kept modulo 2^64, so
 * hostile values never overflow, and taking a contribution out again (to 0)
 * always restores the sum exactly. */
void hm_endpoint_stats_gauge_change(hm_endpoint_stats_t *e, int slot, int64_t from, int64_t to,
                                    uint64_t now_ns);

/* Is a status an error? 0 and 100..399 are successes. */
bool hm_status_is_error(uint16_t status);

/* Forgets latencies, phases, statuses and the slowest list (not gauges). */
void hm_endpoint_stats_reset(hm_endpoint_stats_t *e, uint64_t now_ns);

/* Fills *out (every field) as of now_ns, with the good counts of each window
 * against bounds[0..nbounds) (nbounds <= HM_SNAP_BOUNDS; bounds may be NULL
 * when nbounds is 0). Expires what is too old first. */
void hm_endpoint_stats_fill(hm_endpoint_stats_t *e, uint64_t now_ns, const uint64_t *bounds,
                            size_t nbounds, hm_snap_endpoint_t *out);

/* Bytes the endpoint holds now, windows included. */
size_t hm_endpoint_stats_bytes(const hm_endpoint_stats_t *e);

#endif
