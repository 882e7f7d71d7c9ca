/*
 * client_internal.h - the layout of a client, shared by client.c (the
 * caller's side: declarations and the hot path) and publisher.c (the
 * publisher thread's side). Not installed; services see only hotmon.h.
 *
 * Sharing rules: names and metric tables are written once under `lock`
 * before their count is published with a release store, and never change
 * after; per-thread state is written by its owner thread and read by the
 * publisher with relaxed or acquire loads.
 */
#ifndef HM_CLIENT_INTERNAL_H
#define HM_CLIENT_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "hotmon.h"
#include "ring.h"
#include "wire.h"

enum { SLOT_FREE, SLOT_CLAIMING, SLOT_LIVE, SLOT_RETIRED };

/* The span a thread is in, for marks and request ids. */
typedef struct {
    hm_span_t span;
    uint64_t last_mark_ns;
    uint64_t delay_ns;
    bool has_delay;
    uint8_t nphases;
    uint8_t rid_len;
    uint16_t phase[HM_SPAN_PHASES_MAX];
    uint64_t phase_ns[HM_SPAN_PHASES_MAX];
    char rid[HM_REQUEST_ID_MAX];
} hm_scratch_t;

/* One recording thread's state; its fields are written by that thread only. */
typedef struct {
    _Atomic int state;                       /* SLOT_* */
    hm_ring_t ring;
    bool ring_ready;
    hm_scratch_t scratch;
    _Atomic uint64_t produced, dropped;      /* samples recorded / refused by a full ring */
    _Atomic uint64_t names_cut, phases_dropped;
    _Atomic int64_t inflight[HM_CLIENT_ENDPOINTS_MAX];
} hm_thread_state_t;

/* A declared gauge or counter: one cell per endpoint. */
typedef struct {
    char *name;
    hm_wire_metric_kind_t kind;
    _Atomic int64_t *value;                  /* gauge value or counter total */
    _Atomic uint8_t *dirty;                  /* gauge changed since sent */
    int64_t *sent;                           /* publisher's: last counter total sent */
} hm_metric_cells_t;

struct hm_client {
    uint64_t epoch_ns;                       /* span times count from here */
    pthread_key_t key;                       /* -> hm_thread_state_t* of the calling thread */
    uint32_t ring_capacity, flush_ms, close_timeout_ms, declare_every_ms;
    char *endpoint_addr, *service, *host;
    uint64_t sender_id;

    pthread_mutex_t lock;                    /* declarations and thread slot set-up */
    _Atomic uint32_t nendpoints, nphases, nmetrics;
    _Atomic uint64_t names_cut_declared;     /* names cut at declaration */
    char *endpoint_name[HM_CLIENT_ENDPOINTS_MAX];
    char *phase_name[HM_CLIENT_PHASES_MAX];
    hm_metric_cells_t metric[HM_CLIENT_METRICS_MAX];

    hm_thread_state_t *threads[HM_CLIENT_THREADS_MAX];
    _Atomic uint32_t threads_used;           /* slots ever claimed: [0, threads_used) */
    _Atomic uint64_t no_thread_drops;        /* samples from threads beyond the maximum */

    /* the publisher's */
    void *zctx, *sock;
    pthread_t publisher;
    _Atomic bool stop;
    /* Changed by the publisher only under stats_lock, which it holds for each
     * round of draining and sending; taken = sent + send_dropped +
     * buffered_frame whenever the lock is free (see hm_client_stats). */
    pthread_mutex_t stats_lock;
    _Atomic uint64_t sent, send_dropped, buffered_frame, frames_sent;
    _Atomic uint64_t taken;                  /* samples the publisher pulled from the rings */
};

/* The publisher thread's body (publisher.c). */
void *hm_publisher_run(void *client);

/* Sums a per-thread counter over every thread slot. */
uint64_t hm_client_sum(const hm_client_t *c, size_t offset);

/* Samples waiting in the rings: pushed and not yet taken by the publisher.
 * The publisher's own view (it holds stats_lock or is the only thread left). */
uint64_t hm_client_in_rings(const hm_client_t *c);

#endif
