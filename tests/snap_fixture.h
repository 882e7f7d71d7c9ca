/* tests/snap_fixture.h - hand-built snapshots for the screen's tests. */
#ifndef HM_TEST_SNAP_FIXTURE_H
#define HM_TEST_SNAP_FIXTURE_H

#include <stdio.h>
#include <string.h>

#include "snapshot.h"

#define FIX_MS 1000000ull

/* n endpoints named names[i] with p99 of p99_ms[i] ms in every window,
 * count 100 * (i + 1), errors i. The caller releases the snapshot. */
static inline hm_snapshot_t *fixture(const char *const *names, const double *p99_ms, size_t n)
{
    hm_snapshot_t *s = hm_snapshot_new(n);
    for (size_t i = 0; i < n; i++) {
        hm_snap_endpoint_t *e = &s->endpoints[i];
        snprintf(e->name, sizeof e->name, "%s", names[i]);
        e->other = strcmp(names[i], "(other)") == 0;
        for (int w = 0; w < HM_WIN__COUNT; w++) {
            hm_snap_stats_t *st = &e->win[w];
            st->count = 100 * (i + 1);
            st->errors = i;
            st->error_rate = (double)st->errors / (double)st->count;
            st->rate = (double)st->count / 10.0;
            st->span_ns = 10000 * FIX_MS;
            st->p99_ns = (uint64_t)(p99_ms[i] * FIX_MS);
            st->p50_ns = st->p90_ns = st->p95_ns = st->p99_ns / 2;
            st->min_ns = st->mean_ns = st->p50_ns;
            st->max_ns = st->p999_ns = st->p99_ns;
        }
        e->inflight.now = (int64_t)i;
        e->queue.now = (int64_t)(10 * i);
    }
    s->taken_unix_ms = 1700000000000;
    return s;
}

#endif
