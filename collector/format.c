/*
 * format.c - numbers in human units (see format.h). Three significant digits,
 * moving to the next unit when rounding would print 1000 of this one.
 *
 * No printf floating-point conversion is used: "%f" follows LC_NUMERIC, and
 * hotmon calls setlocale(LC_ALL, ""), so a German locale would write
 * "12,3ms" and break CSV. Values are rounded to integers and printed with
 * "%llu", which no locale changes.
 */
#include "format.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>

static const double pow10s[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};

/* Writes k / 10^d with d decimals, then unit. */
static void emit(unsigned long long k, int d, const char *unit, char *buf, size_t n)
{
    unsigned long long scale = (unsigned long long)pow10s[d];
    if (d == 0)
        snprintf(buf, n, "%llu%s", k, unit);
    else
        snprintf(buf, n, "%llu.%0*llu%s", k / scale, d, k % scale, unit);
}

/* Prints v (>= 0) with 3 significant digits and the unit; false when it
 * would round to 1000 or more, so the caller tries the next unit. The
 * decimals are chosen on the rounded value, so 9.9951 gives "10.0", never
 * "10.00". */
static bool sig3(double v, const char *unit, char *buf, size_t n)
{
    for (int d = 2; d >= 0; d--) {
        double k = round(v * pow10s[d]);
        if (k < 1000) {
            emit((unsigned long long)k, d, unit, buf, n);
            return true;
        }
    }
    return false;
}

/* sig3 of num / den in integers, so decimal boundaries are exact: 9995 ns is
 * "10.0us" (9.995 as a double is 9.99499..., which rounds down). */
static bool sig3_ratio(uint64_t num, uint64_t den, const char *unit, char *buf, size_t n)
{
    for (int d = 2; d >= 0; d--) {
        unsigned __int128 k = ((unsigned __int128)num * (uint64_t)pow10s[d] + den / 2) / den;
        if (k < 1000) {
            emit((unsigned long long)k, d, unit, buf, n);
            return true;
        }
    }
    return false;
}

char *hm_format_fixed(double v, int decimals, char *buf, size_t n)
{
    assert(decimals >= 0 && decimals <= 9);
    if (isnan(v))
        v = 0;
    const char *sign = v < 0 ? "-" : "";
    double k = round(fabs(v) * pow10s[decimals]);
    if (k >= 1.8e19) { /* beyond what an integer holds: no finer than this */
        snprintf(buf, n, "%s%s", sign, isinf(v) ? "inf" : "1e19");
        return buf;
    }
    if (k == 0)
        sign = "";
    size_t o = (size_t)snprintf(buf, n, "%s", sign);
    if (o < n)
        emit((unsigned long long)k, decimals, "", buf + o, n - o);
    return buf;
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
    if (sig3_ratio(ns, 1000, utf8 ? "\xc2\xb5s" : "us", buf, n) ||
        sig3_ratio(ns, 1000000, "ms", buf, n) || sig3_ratio(ns, 1000000000, "s", buf, n) ||
        sig3_ratio(ns, 60000000000ull, "m", buf, n) || sig3_ratio(ns, 3600000000000ull, "h", buf, n))
        return buf;
    emit((unsigned long long)(ns / 3600000000000ull), 0, "h", buf, n);
    return buf;
}

char *hm_format_rate(double r, char *buf, size_t n)
{
    static const char *const units[] = {"k", "M", "G", "T"};
    if (!(r > 0)) /* negative, zero and NaN alike: nothing measured */
        r = 0;
    if (isinf(r)) {
        snprintf(buf, n, "inf");
        return buf;
    }
    /* Below 1000: one decimal while that keeps 3 digits ("99.9", then "100"). */
    if (round(r * 10) < 1000) {
        emit((unsigned long long)round(r * 10), 1, "", buf, n);
        return buf;
    }
    if (round(r) < 1000) {
        emit((unsigned long long)round(r), 0, "", buf, n);
        return buf;
    }
    for (int i = 0; i < 4; i++) {
        r /= 1000;
        if (sig3(r, units[i], buf, n))
            return buf;
    }
    hm_format_fixed(r, 0, buf, n);
    return buf;
}

char *hm_format_percent(double ratio, char *buf, size_t n)
{
    double p = ratio * 100.0;
    if (!(p > 0)) /* NaN included */
        snprintf(buf, n, "0%%");
    else if (p < 0.005)
        snprintf(buf, n, "<0.01%%"); /* never "0.00%" for a few errors */
    else if (!sig3(p, "%", buf, n))
        emit((unsigned long long)round(fmin(p, 1e18)), 0, "%", buf, n);
    return buf;
}

char *hm_format_count(uint64_t count, char *buf, size_t n)
{
    if (count < 1000) {
        snprintf(buf, n, "%u", (unsigned)count);
        return buf;
    }
    static const char *const units[] = {"k", "M", "G", "T", "P", "E"};
    uint64_t den = 1;
    for (int i = 0; i < 6; i++) {
        den *= 1000;
        if (sig3_ratio(count, den, units[i], buf, n))
            return buf;
    }
    return buf; /* unreachable: UINT64_MAX is 18.4E */
}

double hm_format_ms(uint64_t ns)
{
    /* Rounded to the microsecond first, so "%.3f" and JSON print it exactly. */
    return (double)((ns + 500) / 1000) / 1000.0;
}
