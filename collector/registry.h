/*
 * registry.h - every endpoint and sender the collector knows, with its caps
 * and counters.
 *
 * Endpoints are found by name; beyond max_endpoints new names fold into one
 * "(other)" endpoint. Senders are found by their 64-bit id; each maps its own
 * small endpoint, phase and metric ids to names, and contributes its gauges
 * to the endpoints' sums until it expires after silence. Frames are decoded
 * by ingest.c, which calls the functions below record by record.
 *
 * Thread-safety: none; the ingest thread owns the registry.
 */
#ifndef HM_REGISTRY_H
#define HM_REGISTRY_H

#include <stdint.h>

#include "endpoint.h"
#include "snapshot.h"
#include "wire.h"

#define HM_OTHER_NAME "(other)"

typedef struct hm_registry hm_registry_t;
typedef struct hm_sender hm_sender_t;

typedef struct {
    uint32_t max_endpoints;    /* 0: 10000 */
    uint32_t max_senders;      /* 0: 1024 */
    uint32_t sender_expiry_ms; /* 0: 10000 */
} hm_registry_limits_t;

/* Returns a new registry or NULL. The caller owns it. */
hm_registry_t *hm_registry_new(const hm_registry_limits_t *limits, uint64_t now_ns);
void hm_registry_destroy(hm_registry_t **self_p);

/* The collector's counters; ingest.c adds frame-level counts to them. */
hm_snap_counters_t *hm_registry_counters(hm_registry_t *r);

/* The sender with this id, created when new; NULL (counted in
 * senders_refused) when the sender cap is reached. Borrowed. */
hm_sender_t *hm_registry_sender(hm_registry_t *r, uint64_t id, uint64_t now_ns);

/* Notes a frame's sequence number: gaps count as lost frames; a number
 * going back means the sender started over. */
void hm_registry_seq(hm_registry_t *r, hm_sender_t *s, uint64_t seq);

/* Applies one decoded record of sender s. */
void hm_registry_apply(hm_registry_t *r, hm_sender_t *s, const hm_wire_record_t *rec,
                       uint64_t now_ns);

/* Forgets senders silent for longer than the expiry time. */
void hm_registry_expire(hm_registry_t *r, uint64_t now_ns);

/* The collector itself did not run for gap_ns until now_ns (stopped, or
 * starved of CPU): its senders' frames may be waiting unread, so the gap
 * does not count as their silence. */
void hm_registry_pause(hm_registry_t *r, uint64_t gap_ns, uint64_t now_ns);

/* Forgets the statistics (not names, senders, gauges or counters). */
void hm_registry_reset(hm_registry_t *r, uint64_t now_ns);

/* A new snapshot of everything as of now_ns (the caller owns the one
 * reference), or NULL when out of memory. Each window counts its good
 * samples against bounds[0..nbounds) (nbounds <= HM_SNAP_BOUNDS; NULL, 0
 * for none). */
hm_snapshot_t *hm_registry_snapshot(hm_registry_t *r, uint64_t now_ns, const uint64_t *bounds,
                                    size_t nbounds);

/* Bytes held by endpoints (windows included), for the memory figures. */
size_t hm_registry_bytes(const hm_registry_t *r);

#endif
