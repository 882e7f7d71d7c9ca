/*
 * remote.h - snapshots from a running hotmon-collector: `hotmon --connect`.
 *
 * A thread of its own subscribes to the collector's PUB socket (topic
 * "perf.snapshot"), decodes each message (collector/snapcodec.c), merges
 * partial histories into the one it holds, and keeps the newest snapshot for
 * the screen, which takes it as it would from an embedded collector. The
 * SUB socket reconnects by itself, so a collector that goes away and comes
 * back is picked up again; meanwhile the data shows as stale with its age.
 *
 * CURVE: when HOTMON_CURVE_SERVER_KEY is set (the collector's public key,
 * Z85), the socket is a CURVE client with the key pair from
 * HOTMON_CURVE_PUBLIC_KEY and HOTMON_CURVE_SECRET_KEY.
 *
 * Thread-safety: every function may be called from any thread.
 */
#ifndef HM_REMOTE_H
#define HM_REMOTE_H

#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"
#include "ui.h"

typedef struct hm_remote hm_remote_t;

/* Connects to addr (tcp://HOST:PORT, ipc://PATH) in the caller's ZeroMQ
 * context (borrowed; it must outlive the remote) and starts the receiving
 * thread. A collector that is not there yet is not an error. Returns 0 and
 * sets *out (the caller's, freed with hm_remote_destroy), or an errno value
 * with the reason in why (a bad address, bad CURVE settings). */
int hm_remote_new(void *zmq_ctx, const char *addr, hm_remote_t **out, char *why, size_t why_len);
void hm_remote_destroy(hm_remote_t **self_p);

/* The newest snapshot with a reference the caller releases, or NULL when
 * none has arrived yet. */
hm_snapshot_t *hm_remote_snapshot(hm_remote_t *r);

/* Milliseconds since the newest snapshot arrived, or -1 when none has. */
int64_t hm_remote_age_ms(hm_remote_t *r);

/* True when the data is older than three of the collector's refresh
 * periods (as seen between its snapshots), at least 3 s. */
bool hm_remote_stale(hm_remote_t *r);

/* Messages rejected so far, and the reason of the last (static), or NULL. */
uint64_t hm_remote_rejected(hm_remote_t *r, const char **why);

/* A source for hm_ui_run_from: snapshots, and a status-line label that
 * tells a stale or silent collector. r is borrowed. */
hm_ui_source_t hm_remote_source(hm_remote_t *r);

#endif
