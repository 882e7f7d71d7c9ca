/*
 * fuzz/fuzz_escape.c - libFuzzer target: any bytes as an endpoint name,
 * escaped for the screen and files, measured, fitted and cut at every width.
 * A control byte left in the output is a crash: that is the whole point.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 512)
        return 0;
    char in[513], out[512 * 10 + 1], fit[512 * 10 + 1];
    memcpy(in, data, size);
    in[size] = '\0';
    for (int utf8 = 0; utf8 < 2; utf8++) {
        hm_escape(in, utf8, out, sizeof out);
        for (const unsigned char *p = (const unsigned char *)out; *p; p++)
            if (*p < 0x20 || *p == 0x7F || (!utf8 && *p >= 0x80))
                abort();
        int w = hm_escape_width(out);
        for (int width = 0; width <= w + 1 && width < 64; width++) {
            hm_escape_fit(out, width, utf8, fit, sizeof fit);
            if (hm_escape_width(fit) > width)
                abort();
            hm_escape_cut(out, width, fit, sizeof fit);
            if (hm_escape_width(fit) > width)
                abort();
        }
    }
    return 0;
}
