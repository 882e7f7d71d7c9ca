/*
 * fuzz/fuzz_statsd.c - libFuzzer target: any bytes as one statsd line. A
 * parsed record must point inside the line and hold a finite value.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pipe_statsd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A copy of exactly size bytes, so ASan catches any read past the end. */
    char *line = malloc(size ? size : 1);
    if (!line)
        return 0;
    memcpy(line, data, size);
    hm_statsd_t m;
    const char *why = NULL;
    if (hm_statsd_parse(line, size, &m, &why) == 0) {
        if (m.name != line || m.name_len == 0 || m.name_len >= size || !isfinite(m.value) ||
            !(m.sample_rate > 0 && m.sample_rate <= 1) ||
            (m.tags && (m.tags < line || m.tags + m.tags_len > line + size)))
            __builtin_trap();
    } else if (!why) {
        __builtin_trap();
    }
    free(line);
    return 0;
}
