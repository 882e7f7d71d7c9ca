/*
 * histogram.h - a log-linear latency histogram with bounded relative error.
 *
 * Values are nanoseconds. Buckets are linear within each power of two (64 per
 * octave), so any quantile read back is within 1% of the true sample value.
 * The range is HM_HIST_MIN_NS .. HM_HIST_MAX_NS (1 us .. 1 h); values outside
 * are clamped to the range and counted. Recording is integer-only and O(1);
 * the struct has a fixed size and no pointers, so it can be embedded, copied
 * with memcpy and merged by adding counts. Rolling windows live in window.c.
 *
 * Thread-safety: none; one owner at a time.
 */
#ifndef HM_HISTOGRAM_H
#define HM_HISTOGRAM_H

#include <stddef.h>
#include <stdint.h>

#define HM_HIST_MIN_NS 1000ull               /* 1 us */
#define HM_HIST_MAX_NS 3600000000000ull      /* 1 h */
#define HM_HIST_SUB_BITS 6                   /* 64 buckets per octave */
/* Octaves from 2^10 ns (just above HM_HIST_MIN_NS) to 2^42 ns (above 1 h). */
#define HM_HIST_LOW_BITS 10
#define HM_HIST_OCTAVES 32
#define HM_HIST_BUCKETS ((HM_HIST_OCTAVES + 1) << HM_HIST_SUB_BITS)

/* Fields are read by window.c and the tests; everyone else uses functions. */
typedef struct {
    uint64_t count;        /* values recorded */
    uint64_t sum_ns;       /* sum of the (clamped) values, for the mean */
    uint64_t min_ns;       /* smallest clamped value; UINT64_MAX when empty */
    uint64_t max_ns;       /* largest clamped value; 0 when empty */
    uint64_t under;        /* values below HM_HIST_MIN_NS, recorded as the minimum */
    uint64_t over;         /* values above HM_HIST_MAX_NS, recorded as the maximum */
    uint32_t counts[HM_HIST_BUCKETS]; /* saturate at UINT32_MAX */
} hm_hist_t;

/* Empties h. */
void hm_hist_init(hm_hist_t *h);

/* Records one value (clamped and counted when out of range). O(1). */
void hm_hist_record(hm_hist_t *h, uint64_t ns);

/* Records a value already clamped to the range into its bucket (from
 * hm_hist_bucket): hm_hist_record without the clamp. For window.c, which
 * records one value into four histograms, works out its bucket once and wants
 * this inlined. Counts and the sum saturate. */
static inline void hm_hist_add(hm_hist_t *h, uint64_t ns, size_t bucket)
{
    if (__builtin_expect(++h->counts[bucket] == 0, 0))
        h->counts[bucket] = UINT32_MAX;
    h->count++;
    if (__builtin_add_overflow(h->sum_ns, ns, &h->sum_ns))
        h->sum_ns = UINT64_MAX;
    /* Branches, not conditional moves: the extremes rarely change, and a
     * store saved is time saved when four histograms are fed at once. */
    if (ns < h->min_ns)
        h->min_ns = ns;
    if (ns > h->max_ns)
        h->max_ns = ns;
}

/* Adds every count of src to dst. */
void hm_hist_merge(hm_hist_t *dst, const hm_hist_t *src);

/* The value at quantile q (0..1) in ns, accurate to 1%, within [min, max];
 * 0 for an empty histogram. */
uint64_t hm_hist_quantile(const hm_hist_t *h, double q);

/* The values at n quantiles qs (ascending) in one pass; out[i] for qs[i]. */
void hm_hist_quantiles(const hm_hist_t *h, const double *qs, size_t n, uint64_t *out);

/* Values recorded at or below ns (counted whole buckets: at most 1% off in
 * the value, exact in the count for bucket-aligned bounds). For SLO
 * objectives: good = count_at_or_below(bound), total = count. */
uint64_t hm_hist_count_at_or_below(const hm_hist_t *h, uint64_t ns);

/* Mean in ns; 0 when empty. */
uint64_t hm_hist_mean(const hm_hist_t *h);

/* The bucket a value falls in, and a bucket's bounds [low, high) in ns. */
size_t hm_hist_bucket(uint64_t ns);
uint64_t hm_hist_bucket_low(size_t bucket);
uint64_t hm_hist_bucket_high(size_t bucket);

/* Counts folded per power of two, for drawing: out[i] counts values in
 * [2^(HM_HIST_LOW_BITS+i-1), 2^(HM_HIST_LOW_BITS+i)) ns, out[0] everything below. */
void hm_hist_octaves(const hm_hist_t *h, uint64_t out[HM_HIST_OCTAVES + 1]);

#endif
