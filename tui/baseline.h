/*
 * baseline.h - a JSON snapshot saved earlier (hotmon --once --format json, or
 * 's' with --snapshot-format json), to compare the live view against: the
 * change of p50, p99, rate and error rate per endpoint, with regressions
 * beyond 20% flagged. Read with jansson; names are matched as escaped, which
 * is how every snapshot file writes them.
 */
#ifndef HM_BASELINE_H
#define HM_BASELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "snapshot.h"

#define HM_BASELINE_REGRESSION 0.20 /* a change worse than this is a regression */

typedef struct hm_baseline hm_baseline_t;

/* One endpoint's figures in the baseline. */
typedef struct {
    double p50_ms, p99_ms, rate, error_rate;
} hm_baseline_entry_t;

/* How an endpoint compares: relative changes ((now - then) / then) of p50,
 * p99 and rate; the error rate's change in percentage points; and whether
 * each is a regression (latency or errors up, or rate down, by more than
 * HM_BASELINE_REGRESSION). `known` is false for an endpoint the baseline
 * does not have. */
typedef struct {
    bool known;
    double p50, p99, rate, errors_pp;
    bool p50_worse, p99_worse, rate_worse, errors_worse;
} hm_delta_t;

/* Loads path. Returns 0 and sets *out (the caller owns it), or an errno
 * value with "PATH: why" (or "PATH:LINE: why" for bad JSON) in why. */
int hm_baseline_load(const char *path, hm_baseline_t **out, char *why, size_t why_len);
void hm_baseline_destroy(hm_baseline_t **self_p);

/* The entry for an endpoint by its escaped name, or NULL. Borrowed. */
const hm_baseline_entry_t *hm_baseline_find(const hm_baseline_t *b, const char *escaped_name);

/* Compares endpoint e's window win against the baseline (b may be NULL). */
hm_delta_t hm_baseline_compare(const hm_baseline_t *b, const hm_snap_endpoint_t *e, hm_win_t win);

/* A relative change as text: "+25%" or "-3%", with " !" appended when it is
 * a regression (the symbol that stands without colour). */
char *hm_baseline_format(double change, bool worse, char *buf, size_t n);

#endif
