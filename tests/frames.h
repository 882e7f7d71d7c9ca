/* tests/frames.h - building wire frames in tests, one call per record. */
#ifndef HM_TEST_FRAMES_H
#define HM_TEST_FRAMES_H

#include <stdint.h>
#include <string.h>

#include "wire.h"

typedef struct {
    uint8_t buf[65536];
    hm_wire_writer_t w;
} frame_t;

static inline void frame_begin(frame_t *f, uint64_t sender, uint64_t seq)
{
    hm_wire_begin(&f->w, f->buf, sizeof f->buf, sender, seq);
}

static inline size_t frame_end(frame_t *f)
{
    return hm_wire_end(&f->w);
}

static inline void frame_endpoint(frame_t *f, uint16_t id, const char *name)
{
    hm_wire_put_decl(&f->w, HM_REC_ENDPOINT, id, hm_wire_str(name, NULL));
}

static inline void frame_sample(frame_t *f, uint16_t ep, uint16_t status, uint64_t ns)
{
    hm_wire_sample_t s = {.endpoint = ep, .status = status, .duration_ns = ns};
    hm_wire_put_sample(&f->w, &s);
}

#endif
