/*
 * snapcodec.h - a whole hm_snapshot_t as one versioned, little-endian binary
 * message: what hotmon-collector publishes on its PUB socket under the topic
 * "perf.snapshot" and `hotmon --connect` reads back.
 *
 * docs/protocol.md ("Snapshot messages") is the byte-level specification.
 * Integers are LEB128 varints (signed ones zigzag), doubles are 8 raw
 * little-endian bytes, and each part (header, counters, every endpoint) is
 * prefixed by its length, so a later version can append fields to any part
 * and an older decoder skips what it does not know.
 *
 * To add a field (an SLO state, say): append its put to the end of the part
 * in the encoder and its get at the same place in the decoder, bump
 * HM_SNAPCODEC_VERSION, and document it in docs/protocol.md. Older decoders
 * skip it by the part's length; this decoder reads it as zero from older
 * messages (a part of an older version may end early; one of our own may not).
 *
 * The per-second history (300 s per endpoint) is most of a message, so an
 * encoder may send only its last few seconds; the viewer merges them into
 * the history it already holds (hm_snapcodec_merge_history).
 *
 * The decoder treats every byte as hostile: it checks every length and
 * count before it reads or allocates, rejects with a reason and never reads
 * outside the buffer. Thread-safety: none needed; no state is kept.
 */
#ifndef HM_SNAPCODEC_H
#define HM_SNAPCODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"

#define HM_SNAPCODEC_VERSION 2 /* 2: SLO rules, events, states and drift */
#define HM_SNAPCODEC_TOPIC "perf.snapshot"
/* Largest message a decoder accepts (and a viewer's ZMQ_MAXMSGSIZE): room for
 * 10,000 busy endpoints with their full history. */
#define HM_SNAPCODEC_MAX (64u << 20)

/* What a decoded message said beyond the snapshot itself. */
typedef struct {
    uint32_t version;      /* the encoder's format version (>= 1) */
    uint32_t history;      /* seconds of history each endpoint carried (the
                              last ones; HM_WINDOW_HISTORY: the whole of it) */
    uint64_t history_end;  /* the collector's second (monotonic) the history ends in */
} hm_snapcodec_info_t;

/* Encodes s with the last `history` seconds of each endpoint's history
 * (clamped to HM_WINDOW_HISTORY). Returns 0 and sets *out (malloc'd, the
 * caller frees it) and *len, or ENOMEM (*out untouched). */
int hm_snapcodec_encode(const hm_snapshot_t *s, size_t history, uint8_t **out, size_t *len);

/* Decodes buf[0..len). Returns 0 and sets *out (a new snapshot with one
 * reference, the caller's) and *info; histories shorter than the whole are
 * right-aligned, the older seconds zero. Otherwise returns EPROTO (or
 * ENOMEM) with a static reason in *why, and leaves *out untouched. */
int hm_snapcodec_decode(const uint8_t *buf, size_t len, hm_snapshot_t **out,
                        hm_snapcodec_info_t *info, const char **why);

/* Completes the histories of a partial message (cur, info) with those of the
 * previous snapshot the viewer holds (prev, ending in second prev_end),
 * endpoint by endpoint by name: seconds neither carried are left zero. cur
 * must not be shared yet (it is written). prev may be NULL. */
void hm_snapcodec_merge_history(hm_snapshot_t *cur, const hm_snapcodec_info_t *info,
                                const hm_snapshot_t *prev, uint64_t prev_end);

#endif
