/*
 * pipe_bridge.h - what hotmon-pipe does with one line: read it as JSON or
 * statsd (pipe_json.c, pipe_statsd.c) and publish it through libhotmon.
 *
 * Mapping (docs/pipe.md):
 * - a JSON timing object: one sample on its endpoint, with status, request
 *   id and breakdown phases (hm_record_sample);
 * - a statsd timer (ms, h, d): a sample on the endpoint named by the whole
 *   name, recorded 1/rate times for a sample rate below 1, as statsd counts it;
 * - a statsd counter or gauge "a.b.c": counter or gauge "c" of endpoint
 *   "a.b" (no dot: "count" or "value" of endpoint "a.b.c"), so that
 *   "svc.queue:12|g" is the queue depth of endpoint "svc". Counters add
 *   value/rate; a gauge written +N/-N changes the last value.
 * - sets are skipped: hotmon has no distinct-count.
 * Every line ends up in exactly one of published, skipped or bad.
 *
 * Thread-safety: one thread per bridge.
 */
#ifndef HM_PIPE_BRIDGE_H
#define HM_PIPE_BRIDGE_H

#include <stdint.h>

#include "hotmon.h"
#include "pipe_json.h"

typedef enum { HM_PIPE_AUTO, HM_PIPE_JSON, HM_PIPE_STATSD } hm_pipe_format_t;

typedef enum { HM_PIPE_PUBLISHED, HM_PIPE_SKIPPED, HM_PIPE_BAD } hm_pipe_result_t;

typedef struct {
    uint64_t lines;          /* lines given */
    uint64_t published;      /* lines that became samples, counts or gauge values */
    uint64_t skipped;        /* not timing records: plain log text, JSON without the fields, sets */
    uint64_t bad;            /* malformed, or a field of the wrong type or range */
    uint64_t samples;        /* samples recorded (a sampled statsd timer may give several) */
    uint64_t counters;       /* statsd counter lines */
    uint64_t gauges;         /* statsd gauge lines */
    uint64_t over_cap;       /* lines refused: more names than the client can declare */
    uint64_t names_cut;      /* names or ids cut to their maximum */
    uint64_t phases_dropped; /* breakdown entries beyond HM_SPAN_PHASES_MAX */
} hm_pipe_counts_t;

typedef struct hm_pipe_bridge hm_pipe_bridge_t;

/* A bridge publishing through client (borrowed: it must outlive the bridge),
 * reading JSON with keys (copied). Returns 0 and sets *out, or ENOMEM. The
 * caller owns the bridge. */
int hm_pipe_bridge_new(hm_client_t *client, const hm_jsonline_keys_t *keys, hm_pipe_format_t format,
                       hm_pipe_bridge_t **out);

/* Frees the bridge. Accepts NULL; sets *self_p to NULL. */
void hm_pipe_bridge_destroy(hm_pipe_bridge_t **self_p);

/* Reads and publishes one line of len bytes (a trailing newline allowed; no
 * NUL needed). On HM_PIPE_BAD, *why says why (borrowed until the next call). */
hm_pipe_result_t hm_pipe_bridge_line(hm_pipe_bridge_t *b, const char *line, size_t len,
                                     const char **why);

/* The bridge's counts so far. */
void hm_pipe_bridge_counts(const hm_pipe_bridge_t *b, hm_pipe_counts_t *out);

#endif
