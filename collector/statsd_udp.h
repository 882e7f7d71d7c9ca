/*
 * statsd_udp.h - `hotmon-collector --statsd HOST:PORT`: statsd lines over UDP
 * into the collector.
 *
 * A thread reads datagrams (one or more lines each, as statsd clients send
 * them) and hands every line to a pipe bridge (client/pipe_bridge.c, the
 * code hotmon-pipe runs), which publishes through a libhotmon client to the
 * collector's own ingest address. So statsd timers, counters and gauges take
 * the path every other sample takes, and nothing of the parsing is written
 * twice. Bad lines are counted, never fatal.
 *
 * Thread-safety: hm_statsd_udp_counts may be called from any thread; start
 * and stop from one.
 */
#ifndef HM_STATSD_UDP_H
#define HM_STATSD_UDP_H

#include <stddef.h>

#include "pipe_bridge.h"

typedef struct hm_statsd_udp hm_statsd_udp_t;

/* Binds UDP on hostport ("127.0.0.1:8125"; port 0 picks a free one) and
 * starts publishing to ingest (the collector's ZeroMQ address, copied).
 * Returns 0 and sets *out, or an errno value with a message in why. The
 * caller owns *out and frees it with hm_statsd_udp_stop. */
int hm_statsd_udp_start(const char *hostport, const char *ingest, hm_statsd_udp_t **out,
                        char *why, size_t why_len);

/* Stops the thread, flushes the client (what was parsed is sent), frees
 * everything. Accepts NULL; sets *self_p to NULL. */
void hm_statsd_udp_stop(hm_statsd_udp_t **self_p);

/* The address really bound, "HOST:PORT" (borrowed). */
const char *hm_statsd_udp_address(const hm_statsd_udp_t *s);

/* Lines so far: published, skipped, bad (see pipe_bridge.h), and datagrams. */
void hm_statsd_udp_counts(hm_statsd_udp_t *s, hm_pipe_counts_t *out, unsigned long long *datagrams);

#endif
