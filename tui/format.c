/*
 * format.c - numbers in human units (see format.h). Three significant digits,
 * moving to the next unit when rounding would print 1000 of this one.
 */
#include "format.h"

#include <stdio.h>

/* Prints v (>= 0) with 3 significant digits and the unit; false when it
 * would round to 1000 or more, so the caller tries the next unit. */
static bool sig3(double v, const char *unit, char *buf, size_t n)
{
    if (v >= 999.5)
        return false;
    if (v < 9.995)
        snprintf(buf, n, "%.2f%s", v, unit);
    else if (v < 99.95)
        snprintf(buf, n, "%.1f%s", v, unit);
    else
        snprintf(buf, n, "%.0f%s", v, unit);
    return true;
}

char *hm_format_duration(uint64_t ns, bool utf8, char *buf, size_t n)
{
    if (ns == 0) {
        snprintf(buf, n, "0");
        return buf;
    }
    if (ns < 1000) {
        snprintf(buf, n, "%uns", (unsigned)ns);
        return buf;
    }
    double v = (double)ns;
    if (sig3(v / 1e3, utf8 ? "\xc2\xb5s" : "us", buf, n) || sig3(v / 1e6, "ms", buf, n) ||
        sig3(v / 1e9, "s", buf, n) || sig3(v / 60e9, "m", buf, n))
        return buf;
    snprintf(buf, n, "%.1fh", v / 3600e9);
    return buf;
}

char *hm_format_rate(double r, char *buf, size_t n)
{
    static const char *const units[] = {"", "k", "M", "G"};
    if (r < 0)
        r = 0;
    for (int i = 0; i < 4; i++, r /= 1000) {
        if (i == 0 && r < 999.95) {
            snprintf(buf, n, r < 100 ? "%.1f" : "%.0f", r);
            return buf;
        }
        if (i > 0 && sig3(r, units[i], buf, n))
            return buf;
    }
    snprintf(buf, n, "%.0fT", r);
    return buf;
}

char *hm_format_percent(double ratio, char *buf, size_t n)
{
    double p = ratio * 100.0;
    if (p <= 0)
        snprintf(buf, n, "0%%");
    else if (p < 0.01)
        snprintf(buf, n, "<0.01%%");
    else if (p < 9.995)
        snprintf(buf, n, "%.2f%%", p);
    else if (p < 99.95)
        snprintf(buf, n, "%.1f%%", p);
    else
        snprintf(buf, n, "%.0f%%", p);
    return buf;
}

char *hm_format_count(uint64_t count, char *buf, size_t n)
{
    if (count < 1000) {
        snprintf(buf, n, "%u", (unsigned)count);
        return buf;
    }
    static const char *const units[] = {"k", "M", "G", "T", "P"};
    double v = (double)count;
    for (int i = 0; i < 5; i++) {
        v /= 1000;
        if (sig3(v, units[i], buf, n))
            return buf;
    }
    snprintf(buf, n, "%.0fE", v / 1000);
    return buf;
}

double hm_format_ms(uint64_t ns)
{
    return (double)(ns / 1000) / 1000.0;
}
