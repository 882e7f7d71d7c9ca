/*
 * collector.h - the collector engine: a PULL socket, an ingest thread that
 * owns the statistics, and snapshots published for readers.
 *
 * Both hotmon (embedded) and hotmon-collector (daemon) run exactly this. The
 * ingest thread decodes frames (ingest.c) into the registry (registry.c) and
 * every snapshot_ms builds a snapshot (snapshot.c) that readers take with
 * hm_collector_snapshot. Readers never block the ingest thread beyond a
 * pointer swap.
 */
#ifndef HM_COLLECTOR_H
#define HM_COLLECTOR_H

#include <stdint.h>
#include <stdio.h>

#include "slo_rules.h"
#include "snapshot.h"

typedef struct hm_collector hm_collector_t;
struct hm_auth;

typedef struct {
    const char *bind;          /* ingest address; NULL: "tcp://127.0.0.1:7450".
                                  "tcp://127.0.0.1:*" picks a free port (see address) */
    uint32_t snapshot_ms;      /* 0: 1000 */
    uint32_t max_endpoints;    /* 0: 10000; names beyond fold into "(other)" */
    uint32_t max_senders;      /* 0: 1024 */
    uint32_t sender_expiry_ms; /* silence after which a sender is forgotten; 0: 10000 */
    const hm_slo_rules_t *slo; /* SLO rules (copied); NULL: none, drift is still tracked */
    FILE *events;              /* SLO events appended here as JSON lines, each flushed
                                  (borrowed: open until the collector is destroyed); NULL: none */
    const char *pub;           /* PUB address for snapshot messages and events; NULL: none.
                                  A wildcard port is resolved (see pub_address) */
    const struct hm_auth *auth; /* CURVE on both sockets (auth.h; borrowed, must outlive the
                                  collector); NULL: none. Refusals count in auth_failures */
} hm_collector_options_t;

/* Binds and starts the ingest thread. zmq_ctx is the caller's ZeroMQ context
 * (borrowed; it must outlive the collector). Returns 0 and sets *out, or an
 * errno value: EADDRINUSE when the address is taken, EINVAL for a bad
 * address, ENOMEM, or EINVAL for rules that cannot be checked. *why (may be
 * NULL) gets a static message on failure. */
int hm_collector_new(void *zmq_ctx, const hm_collector_options_t *opts, hm_collector_t **out,
                     const char **why);

/* Stops the thread, closes the socket, frees everything. Accepts NULL. */
void hm_collector_destroy(hm_collector_t **self_p);

/* The address really bound (a wildcard port resolved). Borrowed. */
const char *hm_collector_address(const hm_collector_t *c);

/* The PUB address really bound, or NULL without one. Borrowed. Every
 * snapshot goes out on it as a message (snapcodec.h) under the topic
 * "perf.snapshot": topic frame, body frame. */
const char *hm_collector_pub_address(const hm_collector_t *c);

/* The latest snapshot, with a reference the caller releases with
 * hm_snapshot_release. Never NULL after hm_collector_new succeeded (an empty
 * snapshot exists from the start). Thread-safe. */
hm_snapshot_t *hm_collector_snapshot(hm_collector_t *c);

/* Asks the ingest thread for a snapshot now and waits up to timeout_ms for
 * it. Returns 0, or ETIMEDOUT. Thread-safe. */
int hm_collector_refresh(hm_collector_t *c, uint32_t timeout_ms);

/* Asks the ingest thread to forget the statistics (not the counters or the
 * names). Takes effect before the next snapshot. Thread-safe. */
void hm_collector_reset(hm_collector_t *c);

/* Replaces the SLO rules (copied) from the next snapshot on; their states,
 * counts and events start afresh. Returns 0, or EINVAL with *why when the
 * rules cannot be checked (see hm_slo_new). Thread-safe. */
int hm_collector_set_rules(hm_collector_t *c, const hm_slo_rules_t *rules, const char **why);

#endif
