/*
 * sparkline.c - values as one line of blocks (see sparkline.h).
 */
#include "sparkline.h"

#include <string.h>

char *hm_sparkline(const uint32_t *values, size_t n, int width, bool utf8, char *buf, size_t n_buf)
{
    static const char *const blocks[8] = {"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83",
                                          "\xe2\x96\x84", "\xe2\x96\x85", "\xe2\x96\x86",
                                          "\xe2\x96\x87", "\xe2\x96\x88"};
    static const char ramp[] = "_.-=+*#@";
    if (n_buf == 0)
        return buf;
    buf[0] = '\0';
    if (width <= 0)
        return buf;
    size_t first = n > (size_t)width ? n - (size_t)width : 0;
    uint32_t lo = UINT32_MAX, hi = 0;
    for (size_t i = first; i < n; i++) {
        if (values[i] == 0)
            continue;
        lo = values[i] < lo ? values[i] : lo;
        hi = values[i] > hi ? values[i] : hi;
    }
    size_t o = 0;
    /* Missing values on the left: the line is right-aligned like the data. */
    for (size_t i = n - first; i < (size_t)width && o + 1 < n_buf; i++)
        buf[o++] = ' ';
    for (size_t i = first; i < n; i++) {
        const char *cell;
        char one[2] = {0, 0};
        if (values[i] == 0) {
            cell = " ";
        } else {
            unsigned level = hi > lo ? (unsigned)((uint64_t)(values[i] - lo) * 7 / (hi - lo)) : 3;
            one[0] = ramp[level];
            cell = utf8 ? blocks[level] : one;
        }
        size_t l = strlen(cell);
        if (o + l >= n_buf)
            break;
        memcpy(buf + o, cell, l);
        o += l;
    }
    buf[o] = '\0';
    return buf;
}
