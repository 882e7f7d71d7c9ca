/*
 * histogram.c - the log-linear latency histogram (see histogram.h).
 *
 * Layout: bucket group 0 covers [0, 1024) ns linearly in 64 buckets of 16 ns
 * (only 1000..1023 occur after clamping). Group o >= 1 covers the octave
 * [2^(o+9), 2^(o+10)) in 64 equal buckets. A bucket's width is at most 1/64
 * of its lower bound, so its midpoint is within 1/128 (0.78%) of any value in
 * it: that is the error bound of every quantile.
 */
#include "histogram.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

#define SUB (1u << HM_HIST_SUB_BITS)

void hm_hist_init(hm_hist_t *h)
{
    assert(h);
    memset(h, 0, sizeof *h);
    h->min_ns = UINT64_MAX;
}

size_t hm_hist_bucket(uint64_t ns)
{
    if (ns < HM_HIST_MIN_NS)
        ns = HM_HIST_MIN_NS;
    if (ns > HM_HIST_MAX_NS)
        ns = HM_HIST_MAX_NS;
    if (ns < (1ull << HM_HIST_LOW_BITS))
        return (size_t)(ns >> (HM_HIST_LOW_BITS - HM_HIST_SUB_BITS));
    unsigned k = 63u - (unsigned)__builtin_clzll(ns); /* ns in [2^k, 2^(k+1)) */
    unsigned octave = k - HM_HIST_LOW_BITS + 1;
    unsigned sub = (unsigned)(ns >> (k - HM_HIST_SUB_BITS)) & (SUB - 1);
    return ((size_t)octave << HM_HIST_SUB_BITS) + sub;
}

uint64_t hm_hist_bucket_low(size_t bucket)
{
    assert(bucket < HM_HIST_BUCKETS);
    size_t octave = bucket >> HM_HIST_SUB_BITS;
    uint64_t sub = bucket & (SUB - 1);
    if (octave == 0)
        return sub << (HM_HIST_LOW_BITS - HM_HIST_SUB_BITS);
    unsigned k = (unsigned)octave + HM_HIST_LOW_BITS - 1;
    return (SUB + sub) << (k - HM_HIST_SUB_BITS);
}

uint64_t hm_hist_bucket_high(size_t bucket)
{
    size_t octave = bucket >> HM_HIST_SUB_BITS;
    unsigned shift = octave == 0 ? HM_HIST_LOW_BITS - HM_HIST_SUB_BITS
                                 : (unsigned)octave + HM_HIST_LOW_BITS - 1 - HM_HIST_SUB_BITS;
    return hm_hist_bucket_low(bucket) + (1ull << shift);
}

void hm_hist_record(hm_hist_t *h, uint64_t ns)
{
    if (ns < HM_HIST_MIN_NS) {
        h->under++;
        ns = HM_HIST_MIN_NS;
    } else if (ns > HM_HIST_MAX_NS) {
        h->over++;
        ns = HM_HIST_MAX_NS;
    }
    hm_hist_add(h, ns, hm_hist_bucket(ns));
}

void hm_hist_merge(hm_hist_t *dst, const hm_hist_t *src)
{
    if (src->count == 0)
        return;
    /* Only buckets between min and max can hold anything. */
    size_t last = hm_hist_bucket(src->max_ns);
    for (size_t i = hm_hist_bucket(src->min_ns); i <= last; i++) {
        uint64_t s = (uint64_t)dst->counts[i] + src->counts[i];
        dst->counts[i] = s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
    }
    dst->count += src->count;
    dst->sum_ns += src->sum_ns;
    dst->under += src->under;
    dst->over += src->over;
    if (src->min_ns < dst->min_ns)
        dst->min_ns = src->min_ns;
    if (src->max_ns > dst->max_ns)
        dst->max_ns = src->max_ns;
}

static uint64_t clamp(uint64_t v, const hm_hist_t *h)
{
    if (v < h->min_ns)
        return h->min_ns;
    if (v > h->max_ns)
        return h->max_ns;
    return v;
}

/* The rank (1-based) of quantile q among count values: the smallest value
 * with at least q of the values at or below it. */
static uint64_t rank_of(double q, uint64_t count)
{
    if (!(q > 0.0))
        return 1;
    if (q >= 1.0)
        return count;
    double r = q * (double)count;
    uint64_t k = (uint64_t)r;
    if ((double)k < r)
        k++;
    return k == 0 ? 1 : k;
}

void hm_hist_quantiles(const hm_hist_t *h, const double *qs, size_t n, uint64_t *out)
{
    size_t i = 0;
    if (h->count == 0) {
        for (; i < n; i++)
            out[i] = 0;
        return;
    }
    uint64_t seen = 0;
    for (size_t b = hm_hist_bucket(h->min_ns); b < HM_HIST_BUCKETS && i < n; b++) {
        seen += h->counts[b];
        while (i < n && seen >= rank_of(qs[i], h->count)) {
            uint64_t rank = rank_of(qs[i], h->count);
            uint64_t mid = hm_hist_bucket_low(b) + (hm_hist_bucket_high(b) - hm_hist_bucket_low(b)) / 2;
            /* The first and last ranks are known exactly: min and max. */
            out[i++] = rank == h->count ? h->max_ns : rank == 1 ? h->min_ns : clamp(mid, h);
        }
    }
    /* Saturated buckets can leave the sum short of count: the rest is the max. */
    for (; i < n; i++)
        out[i] = h->max_ns;
}

uint64_t hm_hist_quantile(const hm_hist_t *h, double q)
{
    uint64_t v;
    hm_hist_quantiles(h, &q, 1, &v);
    return v;
}

uint64_t hm_hist_count_at_or_below(const hm_hist_t *h, uint64_t ns)
{
    if (h->count == 0 || ns < HM_HIST_MIN_NS)
        return 0;
    size_t last = hm_hist_bucket(ns);
    uint64_t n = 0;
    for (size_t b = 0; b <= last; b++)
        n += h->counts[b];
    return n;
}

uint64_t hm_hist_mean(const hm_hist_t *h)
{
    return h->count ? h->sum_ns / h->count : 0;
}

void hm_hist_octaves(const hm_hist_t *h, uint64_t out[HM_HIST_OCTAVES + 1])
{
    memset(out, 0, (HM_HIST_OCTAVES + 1) * sizeof out[0]);
    if (h->count == 0)
        return;
    size_t last = hm_hist_bucket(h->max_ns);
    for (size_t b = hm_hist_bucket(h->min_ns); b <= last; b++)
        out[b >> HM_HIST_SUB_BITS] += h->counts[b];
}
