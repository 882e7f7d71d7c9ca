/*
 * histogram.c - the log-linear latency histogram of histogram.h.
 *
 * Layout. Let LOW = HM_HIST_LOW_BITS (10) and SUB = HM_HIST_SUB_BITS (6).
 * Values below 2^(LOW+1) ns are bucketed linearly, 2^(LOW-SUB) = 16 ns wide:
 * buckets 0 .. 127. Above that, every power of two [2^m, 2^(m+1)) (m = LOW+1 ..
 * LOW+OCTAVES-1) is cut into 64 linear buckets 2^(m-SUB) wide, and its buckets
 * follow on: 128 + 64 * (m - LOW - 1) ... So block k = index >> SUB (0 .. 32)
 * holds block 0 = [0, 2^LOW), then one octave per block, the last [2^41, 2^42),
 * which contains HM_HIST_MAX_NS: every clamped value has a bucket in the array.
 *
 * The index in one expression: with m = the top set bit of (v | (2^(LOW+1)-1)),
 *     index = ((m - LOW) << SUB) + (v >> (m - SUB))
 * since v >> (m - SUB) is in [64, 128) for v >= 2^(LOW+1), and v >> (LOW-SUB)
 * is in [0, 128) below (where m = LOW). Integer ops only: one clz, shifts, adds.
 *
 * Error bound. A bucket at or above 2^LOW has width w and low edge >= 64 w
 * (in block 0 only buckets 62 and 63 can hold clamped values: low >= 992 = 62 w).
 * Reporting the bucket's midpoint is off by at most w/2 <= low/124 < 0.81% of
 * any value in it; clamping the result to [min, max] only brings it closer.
 *
 * Quantiles use nearest rank: the value at quantile q is the ceil(q * count)-th
 * smallest (rank at least 1), so q = 0 gives the minimum and q = 1 the maximum,
 * both exact. Ranks run over the sum of the bucket counts, which is below
 * count once a bucket has saturated (4.3e9 values in one bucket).
 *
 * Rolling windows of histograms live in window.c.
 */
#include "histogram.h"

#include <assert.h>
#include <math.h>
#include <string.h>

_Static_assert(HM_HIST_LOW_BITS >= HM_HIST_SUB_BITS, "block 0 must be at least 64 ns wide");
_Static_assert(HM_HIST_MIN_NS < (1ull << HM_HIST_LOW_BITS), "the minimum lies in block 0");
_Static_assert(HM_HIST_MIN_NS >= (62ull << (HM_HIST_LOW_BITS - HM_HIST_SUB_BITS)),
               "block 0 buckets holding values are narrow enough for 1%");
_Static_assert(HM_HIST_MAX_NS < (1ull << (HM_HIST_LOW_BITS + HM_HIST_OCTAVES)),
               "the maximum has a bucket");

#define SUB_COUNT (1u << HM_HIST_SUB_BITS)
/* v | LINEAR_MASK has its top bit at HM_HIST_LOW_BITS or above. */
#define LINEAR_MASK ((1ull << (HM_HIST_LOW_BITS + 1)) - 1)

static inline uint64_t clamp(uint64_t ns)
{
    return ns < HM_HIST_MIN_NS ? HM_HIST_MIN_NS : ns > HM_HIST_MAX_NS ? HM_HIST_MAX_NS : ns;
}

/* The bucket of an in-range value. */
static inline size_t index_of(uint64_t v)
{
    unsigned m = 63u - (unsigned)__builtin_clzll(v | LINEAR_MASK);
    return ((size_t)(m - HM_HIST_LOW_BITS) << HM_HIST_SUB_BITS) + (size_t)(v >> (m - HM_HIST_SUB_BITS));
}

/* log2 of a bucket's width. */
static inline unsigned width_bits(size_t bucket)
{
    size_t k = bucket >> HM_HIST_SUB_BITS;
    return (unsigned)(k == 0 ? 0 : k - 1) + (HM_HIST_LOW_BITS - HM_HIST_SUB_BITS);
}

/* A bucket's midpoint, clamped to what the histogram holds. */
static uint64_t bucket_value(const hm_hist_t *h, size_t bucket)
{
    uint64_t mid = hm_hist_bucket_low(bucket) + ((1ull << width_bits(bucket)) >> 1);
    return mid < h->min_ns ? h->min_ns : mid > h->max_ns ? h->max_ns : mid;
}

static inline void add_sat32(uint32_t *c, uint64_t n)
{
    uint64_t s = (uint64_t)*c + n;
    *c = s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
}

static inline uint64_t add_sat64(uint64_t a, uint64_t b)
{
    uint64_t s;
    return __builtin_add_overflow(a, b, &s) ? UINT64_MAX : s;
}

void hm_hist_init(hm_hist_t *h)
{
    assert(h);
    memset(h, 0, sizeof *h);
    h->min_ns = UINT64_MAX;
}

void hm_hist_record(hm_hist_t *h, uint64_t ns)
{
    assert(h);
    uint64_t v = clamp(ns);
    if (__builtin_expect(v != ns, 0)) {
        h->under += ns < v;
        h->over += ns > v;
    }
    hm_hist_add(h, v, index_of(v));
}

void hm_hist_merge(hm_hist_t *dst, const hm_hist_t *src)
{
    assert(dst && src);
    if (src->count == 0)
        return;
    /* Only buckets between src's extremes can be non-zero. */
    size_t lo = index_of(src->min_ns), hi = index_of(src->max_ns);
    for (size_t i = lo; i <= hi; i++)
        add_sat32(&dst->counts[i], src->counts[i]);
    dst->count = add_sat64(dst->count, src->count);
    dst->sum_ns = add_sat64(dst->sum_ns, src->sum_ns);
    dst->under = add_sat64(dst->under, src->under);
    dst->over = add_sat64(dst->over, src->over);
    dst->min_ns = src->min_ns < dst->min_ns ? src->min_ns : dst->min_ns;
    dst->max_ns = src->max_ns > dst->max_ns ? src->max_ns : dst->max_ns;
}

/* The nearest rank of quantile q among count values, 1 .. count. */
static uint64_t rank_of(double q, uint64_t count)
{
    if (!(q > 0.0)) /* also NaN */
        return 1;
    if (q >= 1.0)
        return count;
    double r = ceil(q * (double)count);
    uint64_t rank = r < 1.0 ? 1 : (uint64_t)r;
    return rank > count ? count : rank;
}

void hm_hist_quantiles(const hm_hist_t *h, const double *qs, size_t n, uint64_t *out)
{
    assert(h && (qs || n == 0) && (out || n == 0));
    if (h->count == 0) {
        for (size_t j = 0; j < n; j++)
            out[j] = 0;
        return;
    }
    size_t lo = index_of(h->min_ns), hi = index_of(h->max_ns);
    /* Ranks count against the buckets' sum, not h->count: they differ once a
     * bucket saturates, and the sum is what the walk can reach. */
    uint64_t total = 0;
    for (size_t i = lo; i <= hi; i++)
        total += h->counts[i];
    size_t i = lo;
    uint64_t seen = h->counts[i];
    for (size_t j = 0; j < n; j++) {
        assert(j == 0 || qs[j] >= qs[j - 1]);
        uint64_t rank = rank_of(qs[j], total);
        while (seen < rank && i < hi)
            seen += h->counts[++i];
        /* The first and last ranks are the extremes, known exactly. */
        out[j] = rank <= 1 ? h->min_ns : rank >= total ? h->max_ns : bucket_value(h, i);
    }
}

uint64_t hm_hist_quantile(const hm_hist_t *h, double q)
{
    uint64_t v;
    hm_hist_quantiles(h, &q, 1, &v);
    return v;
}

uint64_t hm_hist_count_at_or_below(const hm_hist_t *h, uint64_t ns)
{
    assert(h);
    if (h->count == 0 || ns < h->min_ns)
        return 0;
    if (ns >= h->max_ns)
        return h->count;
    /* ns lies in [min, max): whole buckets up to and including ns's own. */
    size_t lo = index_of(h->min_ns), last = index_of(ns);
    uint64_t n = 0;
    for (size_t i = lo; i <= last; i++)
        n += h->counts[i];
    return n;
}

uint64_t hm_hist_mean(const hm_hist_t *h)
{
    assert(h);
    return h->count ? h->sum_ns / h->count : 0;
}

size_t hm_hist_bucket(uint64_t ns)
{
    return index_of(clamp(ns));
}

uint64_t hm_hist_bucket_low(size_t bucket)
{
    assert(bucket < HM_HIST_BUCKETS);
    size_t k = bucket >> HM_HIST_SUB_BITS;
    /* In block 0 the sub-index is the bucket itself; above, 64 .. 127. */
    uint64_t sub = k == 0 ? bucket : (bucket & (SUB_COUNT - 1)) | SUB_COUNT;
    return sub << width_bits(bucket);
}

uint64_t hm_hist_bucket_high(size_t bucket)
{
    return hm_hist_bucket_low(bucket) + (1ull << width_bits(bucket));
}

void hm_hist_octaves(const hm_hist_t *h, uint64_t out[HM_HIST_OCTAVES + 1])
{
    assert(h && out);
    for (size_t k = 0; k <= HM_HIST_OCTAVES; k++) {
        uint64_t n = 0;
        for (size_t i = k << HM_HIST_SUB_BITS; i < (k + 1) << HM_HIST_SUB_BITS; i++)
            n += h->counts[i];
        out[k] = n;
    }
}
