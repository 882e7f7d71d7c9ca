/*
 * ingest.c - one frame's bytes into the registry (see ingest.h).
 */
#include "ingest.h"

hm_wire_err_t hm_ingest_frame(hm_registry_t *r, const uint8_t *buf, size_t len, uint64_t now_ns)
{
    hm_snap_counters_t *c = hm_registry_counters(r);
    hm_wire_reader_t rd;
    hm_wire_header_t h;
    hm_wire_err_t err = hm_wire_open(&rd, buf, len, &h);
    if (err != HM_WIRE_OK) {
        c->rejected++;
        c->rejected_by[err]++;
        return err;
    }
    hm_sender_t *s = hm_registry_sender(r, h.sender, now_ns);
    if (!s)
        return HM_WIRE_OK;
    c->frames++;
    hm_registry_seq(r, s, h.seq);
    hm_wire_record_t rec;
    while (hm_wire_next(&rd, &rec))
        hm_registry_apply(r, s, &rec, now_ns);
    return HM_WIRE_OK;
}
