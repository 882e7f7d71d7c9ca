/*
 * fuzz/fuzz_ingest.c - libFuzzer target: any bytes as a frame, through the
 * decoder into a registry with small caps, then a snapshot of the result.
 * Every byte off the wire is hostile; nothing may crash or read astray.
 */
#include <stddef.h>
#include <stdint.h>

#include "ingest.h"
#include "registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hm_registry_limits_t lim = {.max_endpoints = 8, .max_senders = 4, .sender_expiry_ms = 1000};
    uint64_t now = 1000000000000ull;
    hm_registry_t *r = hm_registry_new(&lim, now);
    if (!r)
        return 0;
    /* the same frame twice, a second apart: sequence, expiry and rolling paths */
    hm_ingest_frame(r, data, size, now);
    hm_ingest_frame(r, data, size, now + 1000000000ull);
    hm_snapshot_t *s = hm_registry_snapshot(r, now + 2000000000ull, NULL, 0);
    hm_snapshot_release(&s);
    hm_registry_destroy(&r);
    return 0;
}
