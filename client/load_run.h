/*
 * load_run.h - runs hotmon-load's synthetic service (load_sim.c) against
 * the clock on worker threads, publishing every finished request through
 * libhotmon as an instrumented service would, and keeping each endpoint's
 * latencies in a histogram (collector/histogram.h: the same code the
 * collector's percentiles come from) for the summary.
 *
 * Each worker owns every workers-th endpoint and sleeps until its next
 * event (at most 1000 wake-ups a second), so the cost follows the rate,
 * not the clock: no busy waiting. A request still in service when the run
 * ends is not counted.
 *
 * Thread-safety: hm_load_run starts and joins its own threads; one call at
 * a time per client is expected, though the client itself is thread-safe.
 */
#ifndef HM_LOAD_RUN_H
#define HM_LOAD_RUN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "histogram.h"
#include "hotmon.h"
#include "load_profile.h"

typedef struct {
    hm_client_t *client;           /* borrowed; NULL: publish nothing (tests) */
    const hm_load_endpoint_t *eps; /* n endpoints, borrowed */
    const hm_endpoint_t *ids;      /* their ids in client, borrowed; NULL with no client */
    size_t n;
    unsigned workers;        /* threads, at least 1; at most n are used */
    double rate;             /* open loop: requests/s in all; 0: closed loop */
    uint32_t users;          /* closed loop: users in all */
    double duration_s;       /* > 0 */
    bool phases;             /* also record phases wait and exec */
    hm_phase_t wait, exec;   /* their ids, when phases */
    const atomic_bool *stop; /* ends the run early when set; may be NULL */
    uint64_t seed;
} hm_load_plan_t;

typedef struct {
    hm_hist_t *hist;      /* per endpoint: latency from the intended start; owned */
    uint64_t *errors;     /* per endpoint: status 400 and above; owned */
    uint32_t *queue_peak; /* per endpoint: most requests waiting at once; owned */
    size_t n;
    uint64_t requests;   /* finished requests, all endpoints */
    double elapsed_s;    /* how long the run really lasted */
    uint64_t lag_max_ns; /* most a result was given after its virtual time */
} hm_load_result_t;

/* Runs plan for its duration (or until *stop). Returns 0 and fills *out,
 * which the caller frees with hm_load_result_fini, or an errno value
 * (EINVAL for a plan without endpoints, rate or users; ENOMEM; EAGAIN when
 * a thread could not start). */
int hm_load_run(const hm_load_plan_t *plan, hm_load_result_t *out);

/* Frees what a result owns. Accepts a zeroed result. */
void hm_load_result_fini(hm_load_result_t *r);

/* Merges every endpoint's histogram of r into *all; sums their errors. */
void hm_load_result_total(const hm_load_result_t *r, hm_hist_t *all, uint64_t *errors);

#endif
