/*
 * ingest.h - one frame's bytes into the registry.
 *
 * Decoding is wire.c's and state is registry.c's; this is the step between:
 * a rejected frame is counted under its reason and changes nothing else, an
 * accepted one is applied record by record. No sockets here, so tests and
 * fuzzers drive it directly.
 */
#ifndef HM_INGEST_H
#define HM_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "registry.h"

/* Applies frame buf[0..len) received at now_ns. Returns HM_WIRE_OK, or the
 * reason it was rejected (already counted). A frame from a sender beyond the
 * sender cap is dropped and counted in senders_refused; that returns OK. */
hm_wire_err_t hm_ingest_frame(hm_registry_t *r, const uint8_t *buf, size_t len, uint64_t now_ns);

#endif
