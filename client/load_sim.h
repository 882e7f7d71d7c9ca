/*
 * load_sim.h - the synthetic service hotmon-load runs: requests arriving on
 * endpoints, waiting for a free slot, being served, in virtual time.
 *
 * Open loop (a rate): each endpoint's requests arrive evenly spaced at its
 * share of the rate, whatever happens to earlier ones. Closed loop (users):
 * each user sends a request, waits for its answer and sends the next at
 * once, to an endpoint picked by weight. An endpoint with a capacity serves
 * that many requests at once; the rest wait in its queue (first come, first
 * served), are refused with 503 beyond queue_max, and fail with 503 when
 * they have waited timeout_ns. Service times come from the endpoint's
 * distribution, times its degrade factor at the moment service starts;
 * error_ratio of the served requests end with 500.
 *
 * Nothing here reads a clock or sleeps: the caller says what time it is
 * (load_run.c: the monotonic clock; the tests: any number), so a stall of the
 * caller delays when results are given, never what they say. Latency counts
 * from the intended start (see hm_load_done_t), so an overloaded endpoint is
 * not hidden by coordinated omission.
 *
 * Thread-safety: one thread per sim.
 */
#ifndef HM_LOAD_SIM_H
#define HM_LOAD_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "load_profile.h"

/* One finished request. Times in the caller's ns. */
typedef struct {
    uint32_t endpoint;    /* index into the sim's endpoints */
    uint64_t intended_ns; /* when it was meant to start (its arrival) */
    uint64_t start_ns;    /* when service began; end_ns if it never did */
    uint64_t end_ns;      /* when it finished: latency is end - intended */
    int status;           /* 200; 500 (error ratio); 503 (queue full or timed out) */
} hm_load_done_t;

/* Where a sim's results go. Called from hm_load_sim_run only. */
typedef struct {
    void (*done)(void *ctx, const hm_load_done_t *d);
    void (*queue)(void *ctx, uint32_t endpoint, uint32_t depth); /* may be NULL */
    void *ctx;
} hm_load_sink_t;

typedef struct hm_load_sim hm_load_sim_t;

/* A sim over n endpoints (borrowed: they must outlive it) starting at t0.
 * rate > 0: open loop at rate requests/s in all, shared by weight; rate 0:
 * closed loop with users users. seed makes runs repeatable. Returns 0 and
 * sets *out (owned by the caller), EINVAL (n 0, or neither rate nor users),
 * or ENOMEM. */
int hm_load_sim_new(const hm_load_endpoint_t *eps, size_t n, double rate, uint32_t users,
                    uint64_t t0, uint64_t seed, hm_load_sim_t **out);

/* Frees the sim. Accepts NULL; sets *self_p to NULL. */
void hm_load_sim_destroy(hm_load_sim_t **self_p);

/* Plays every event due at or before now, in time order, giving results to
 * sink; stops early after a bounded number of events so a caller can look
 * at its stop flag. Returns the time of the next event (which is <= now
 * when it stopped early). */
uint64_t hm_load_sim_run(hm_load_sim_t *s, uint64_t now, const hm_load_sink_t *sink);

/* Requests waiting on endpoint i now. */
uint32_t hm_load_sim_queue(const hm_load_sim_t *s, size_t i);

#endif
