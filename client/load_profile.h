/*
 * load_profile.h - what hotmon-load's synthetic endpoints are like: their
 * settings, the table of setting keys (shared by the command-line flags and
 * the profile file) and the profile file parser.
 *
 * A profile file has one endpoint a line: its name (a bare word, or a
 * "quoted string" with \" and \\ escapes), then KEY=VALUE settings, keys as
 * the flags of the same name without "--". Settings not given come from the
 * command line's. '#' starts a comment. Example (docs/load.md):
 *
 *     "GET /users"   latency=lognormal:4ms:40ms error-ratio=0.01
 *     "POST /orders" latency=bimodal:10ms:200ms:0.05 capacity=8 timeout=500ms
 *     report         latency=pareto:50ms:1.5 degrade=3x/120s weight=0.1
 *
 * Thread-safety: pure functions.
 */
#ifndef HM_LOAD_PROFILE_H
#define HM_LOAD_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "hotmon.h"
#include "load_dist.h"

/* One synthetic endpoint; a plain value. */
typedef struct {
    char name[HM_NAME_MAX + 1];
    hm_dist_t latency;     /* service time */
    double error_ratio;    /* share of requests that fail with 500 */
    uint32_t capacity;     /* requests served at once; 0: no limit, no queue */
    uint32_t queue_max;    /* requests waiting at most; beyond: refused with 503 */
    uint64_t timeout_ns;   /* a request waiting longer fails with 503; 0: never */
    double degrade_factor; /* service time grows to this many times ... */
    uint64_t degrade_ns;   /* ... linearly over this long; factor 1: no change */
    double weight;         /* share of the rate or of the users' picks */
} hm_load_endpoint_t;

/* The defaults: lognormal 2 ms median, 20 ms p99, no errors, no limit. */
void hm_load_endpoint_defaults(hm_load_endpoint_t *e);

/* Sets one setting by key ("latency", "error-ratio", "capacity",
 * "queue-max", "timeout", "degrade", "weight") from text. Returns 0,
 * ENOENT for an unknown key, or EINVAL with a static message in *why
 * ("capacity: a whole number 0 to 1000000"). */
int hm_load_endpoint_set(hm_load_endpoint_t *e, const char *key, const char *value,
                         const char **why);

/* The i-th setting of the table (its key, and its argument and help for
 * --help), or NULL past the last. */
const char *hm_load_endpoint_setting(size_t i, const char **arg, const char **help);

/* Parses a profile's text (NUL-terminated). Each endpoint starts as
 * *defaults with its name. Returns 0 and sets *eps (owned by the caller,
 * free()) and *n (at least 1), or EINVAL with "PATH:LINE:COLUMN: message"
 * in why, or ENOMEM. */
int hm_load_profile_parse(const char *text, const char *path, const hm_load_endpoint_t *defaults,
                          hm_load_endpoint_t **eps, size_t *n, char *why, size_t why_len);

#endif
