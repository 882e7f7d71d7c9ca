/*
 * publisher.c - the client's publisher thread: drains every thread's ring
 * into wire frames and sends them on the PUSH socket (see hotmon.h).
 *
 * It is the only user of the socket. A frame goes out when it is full or
 * when its oldest sample has waited flush_ms. Every send is ZMQ_DONTWAIT
 * with ZMQ_IMMEDIATE, so a missing or slow collector shows as EAGAIN and the
 * frame's samples are counted dropped: the service is never held up. The
 * hot path is client.c's.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "client_internal.h"

#define FRAME_BYTES 16384
#define IDLE_SLEEP_NS 2000000ull    /* 2 ms between looks at empty rings */
#define HEARTBEAT_NS 1000000000ull
#define DRAIN_PER_RING 4096

typedef struct {
    hm_client_t *c;
    uint8_t buf[FRAME_BYTES];
    hm_wire_writer_t w;
    uint64_t seq;
    uint64_t samples;              /* samples in the frame being built */
    uint64_t first_ns;             /* when the frame got its first sample */
    uint64_t last_send_ns;
    uint64_t last_declare_ns;
    uint64_t drops_sent;           /* DROPS total last put in a frame */
    uint32_t declared_eps, declared_phases, declared_metrics; /* ids sent so far */
    void *monitor;                 /* PAIR socket hearing ZMQ_EVENT_CONNECTED */
    int64_t inflight_sent[HM_CLIENT_ENDPOINTS_MAX];
} pub_t;

static void begin(pub_t *p)
{
    hm_wire_begin(&p->w, p->buf, sizeof p->buf, p->c->sender_id, p->seq);
    p->samples = 0;
}

static void send_frame(pub_t *p, uint64_t now)
{
    if (p->w.count == 0)
        return;
    size_t len = hm_wire_end(&p->w);
    hm_client_t *c = p->c;
    if (zmq_send(c->sock, p->buf, len, ZMQ_DONTWAIT) == (int)len) {
        p->seq++;
        atomic_fetch_add(&c->sent, p->samples);
        atomic_fetch_add(&c->frames_sent, 1);
    } else {
        atomic_fetch_add(&c->send_dropped, p->samples);
        /* Declarations in the lost frame are lost too: say them all again
         * with the next one, so no sample ever arrives before its name. */
        p->last_declare_ns = 0;
        p->declared_eps = p->declared_phases = p->declared_metrics = 0;
    }
    atomic_store(&c->buffered_frame, 0);
    p->last_send_ns = now;
    begin(p);
}

/* The total of samples dropped so far, whatever the reason. */
static uint64_t drops_total(const hm_client_t *c)
{
    return hm_client_sum(c, offsetof(hm_thread_state_t, dropped)) +
           atomic_load(&c->send_dropped) + atomic_load(&c->no_thread_drops);
}

/* Each put_* below retries once in a fresh frame when the current is full. */
#define PUT(p, now, call)                                                                      \
    do {                                                                                       \
        if (!(call)) {                                                                         \
            send_frame(p, now);                                                                \
            (void)(call);                                                                      \
        }                                                                                      \
    } while (0)

static void declare_new(pub_t *p, uint64_t now);

/* Puts the sample at s (with its continuation slots in ring r) in the frame. */
static void put_sample(pub_t *p, hm_ring_t *r, const hm_ring_slot_t *s, uint64_t now)
{
    char rid[HM_REQUEST_ID_MAX];
    hm_wire_sample_t x = {
        .endpoint = s->endpoint,
        .status = s->status,
        .duration_ns = s->duration_ns,
        .has_delay = s->has_delay,
        .delay_ns = s->delay_ns,
        .nphases = s->nphases,
        .request_id = {(const uint8_t *)rid, s->rid_len},
    };
    unsigned k = 1;
    for (unsigned i = 0; i < s->nphases; i += 3, k++) {
        const hm_ring_extra_t *e = (const hm_ring_extra_t *)hm_ring_next(r, s, k);
        for (unsigned j = 0; j < 3 && i + j < s->nphases; j++)
            x.phases[i + j] = (hm_wire_phase_t){e->phases.phase[j], e->phases.ns[j]};
    }
    for (unsigned i = 0; i < s->rid_len; i += 32, k++) {
        const hm_ring_extra_t *e = (const hm_ring_extra_t *)hm_ring_next(r, s, k);
        memcpy(rid + i, e->rid, s->rid_len - i < 32 ? s->rid_len - i : 32);
    }
    if (!hm_wire_put_sample(&p->w, &x)) {
        send_frame(p, now);
        /* A send that failed took the declarations with it: they go first
         * in the new frame, before this sample needs them. */
        declare_new(p, now);
        hm_wire_put_sample(&p->w, &x);
    }
    if (p->samples++ == 0)
        p->first_ns = now;
    atomic_fetch_add(&p->c->buffered_frame, 1);
}

/* Declares the endpoints, phases and metrics declared since the last call.
 * Called before any record that uses a new id, so the collector always knows
 * a name before its first sample. */
static void declare_new(pub_t *p, uint64_t now)
{
    hm_client_t *c = p->c;
    uint32_t n = atomic_load_explicit(&c->nendpoints, memory_order_acquire);
    for (; p->declared_eps < n; p->declared_eps++)
        PUT(p, now, hm_wire_put_decl(&p->w, HM_REC_ENDPOINT, (uint16_t)p->declared_eps,
                                     hm_wire_str(c->endpoint_name[p->declared_eps], NULL)));
    n = atomic_load_explicit(&c->nphases, memory_order_acquire);
    for (; p->declared_phases < n; p->declared_phases++)
        PUT(p, now, hm_wire_put_decl(&p->w, HM_REC_PHASE, (uint16_t)p->declared_phases,
                                     hm_wire_str(c->phase_name[p->declared_phases], NULL)));
    n = atomic_load_explicit(&c->nmetrics, memory_order_acquire);
    for (; p->declared_metrics < n; p->declared_metrics++) {
        hm_metric_cells_t *m = &c->metric[p->declared_metrics];
        PUT(p, now, hm_wire_put_metric(&p->w, (uint16_t)p->declared_metrics, m->kind,
                                       hm_wire_str(m->name, NULL)));
    }
}

/* Hello and every declaration again, so a collector that starts late or
 * restarts learns them. */
static void declare_all(pub_t *p, uint64_t now)
{
    hm_client_t *c = p->c;
    hm_wire_str_t svc = hm_wire_str(c->service, NULL), host = hm_wire_str(c->host, NULL);
    PUT(p, now, hm_wire_put_hello(&p->w, (uint32_t)getpid(), 1000, svc, host));
    p->declared_eps = p->declared_phases = p->declared_metrics = 0;
    declare_new(p, now);
    p->last_declare_ns = now;
}

/* True when the socket (re)connected since the last look: ZeroMQ's monitor
 * says so, and the collector on the other end may know nothing yet. */
static bool reconnected(pub_t *p)
{
    bool any = false;
    zmq_msg_t m;
    zmq_msg_init(&m);
    while (p->monitor && zmq_msg_recv(&m, p->monitor, ZMQ_DONTWAIT) >= 0) {
        if (!zmq_msg_more(&m))
            any = true; /* an event is two frames; count it at its last */
    }
    zmq_msg_close(&m);
    return any;
}

/* In-flight sums, gauges, counters and drops: those that changed, or all of
 * them (non-zero) when `all`. */
static void put_values(pub_t *p, uint64_t now, bool all)
{
    hm_client_t *c = p->c;
    declare_new(p, now);
    uint32_t neps = p->declared_eps;
    uint32_t used = atomic_load_explicit(&c->threads_used, memory_order_acquire);
    for (uint32_t e = 0; e < neps; e++) {
        int64_t sum = 0;
        for (size_t t = 0; t < used; t++)
            sum += atomic_load_explicit(&c->threads[t]->inflight[e], memory_order_relaxed);
        if (sum != p->inflight_sent[e] || (all && sum)) {
            PUT(p, now, hm_wire_put_gauge(&p->w, (uint16_t)e, HM_WIRE_METRIC_INFLIGHT, sum));
            p->inflight_sent[e] = sum;
        }
    }
    declare_new(p, now);
    uint32_t nm = p->declared_metrics;
    for (uint32_t m = 0; m < nm; m++) {
        hm_metric_cells_t *mc = &c->metric[m];
        for (uint32_t e = 0; e < neps; e++) {
            int64_t v = atomic_load_explicit(&mc->value[e], memory_order_relaxed);
            if (mc->kind == HM_METRIC_GAUGE) {
                bool dirty = atomic_exchange_explicit(&mc->dirty[e], 0, memory_order_acquire);
                if (dirty || (all && v))
                    PUT(p, now, hm_wire_put_gauge(&p->w, (uint16_t)e, (uint16_t)m, v));
            } else if (v != mc->sent[e] || (all && v)) {
                PUT(p, now, hm_wire_put_counter(&p->w, (uint16_t)e, (uint16_t)m, (uint64_t)v));
                mc->sent[e] = v;
            }
        }
    }
    uint64_t drops = drops_total(c);
    if (drops != p->drops_sent || (all && drops)) {
        PUT(p, now, hm_wire_put_drops(&p->w, drops));
        p->drops_sent = drops;
    }
}

static bool needs_phase(const pub_t *p, hm_ring_t *r, const hm_ring_slot_t *s)
{
    for (unsigned i = 0; i < s->nphases; i++) {
        const hm_ring_extra_t *e = (const hm_ring_extra_t *)hm_ring_next(r, s, 1 + i / 3);
        if (e->phases.phase[i % 3] >= p->declared_phases)
            return true;
    }
    return false;
}

/* Moves samples from the rings into frames; returns how many. */
static uint64_t drain(pub_t *p, uint64_t now)
{
    hm_client_t *c = p->c;
    uint64_t moved = 0;
    uint32_t used = atomic_load_explicit(&c->threads_used, memory_order_acquire);
    for (size_t i = 0; i < used; i++) {
        hm_thread_state_t *t = c->threads[i];
        int state = atomic_load_explicit(&t->state, memory_order_acquire);
        if (state != SLOT_LIVE && state != SLOT_RETIRED)
            continue;
        const hm_ring_slot_t *s;
        uint64_t before = moved;
        for (int k = 0; k < DRAIN_PER_RING && (s = hm_ring_peek(&t->ring)); k++) {
            if (s->endpoint >= p->declared_eps || needs_phase(p, &t->ring, s))
                declare_new(p, now);
            put_sample(p, &t->ring, s, now);
            hm_ring_release_n(&t->ring, 1u + s->extra);
            moved++;
        }
        atomic_fetch_add(&c->taken, moved - before);
        if (state == SLOT_RETIRED && hm_ring_size(&t->ring) == 0)
            atomic_store(&t->state, SLOT_FREE);
    }
    return moved;
}

static uint64_t clock_ns(void)
{
    return hm_now_ns();
}

void *hm_publisher_run(void *arg)
{
    pub_t *p = calloc(1, sizeof *p);
    if (!p)
        return NULL; /* samples stay in the rings and count as buffered */
    hm_client_t *c = p->c = arg;
    uint64_t flush_ns = (uint64_t)c->flush_ms * 1000000ull;
    uint64_t declare_ns = (uint64_t)c->declare_every_ms * 1000000ull;
    uint64_t last_values = 0;
    begin(p);
    /* The monitor is optional: without it, names come with the periodic
     * declarations only. */
    char mon[64];
    snprintf(mon, sizeof mon, "inproc://hotmon-monitor-%p", (void *)c);
    if (zmq_socket_monitor(c->sock, mon, ZMQ_EVENT_CONNECTED) == 0 &&
        (p->monitor = zmq_socket(c->zctx, ZMQ_PAIR)) != NULL && zmq_connect(p->monitor, mon) != 0) {
        zmq_close(p->monitor);
        p->monitor = NULL;
    }
    while (!atomic_load(&c->stop)) {
        uint64_t now = clock_ns();
        pthread_mutex_lock(&c->stats_lock);
        if (now - p->last_declare_ns >= declare_ns || reconnected(p)) {
            declare_all(p, now);
            put_values(p, now, true);
            last_values = now;
        }
        uint64_t moved = drain(p, now);
        if (now - last_values >= flush_ns) {
            put_values(p, now, false);
            last_values = now;
        }
        bool due = p->samples && now - p->first_ns >= flush_ns;
        bool other_records = p->w.count > p->samples && now - p->last_send_ns >= flush_ns;
        if (due || other_records)
            send_frame(p, now);
        else if (p->w.count == 0 && now - p->last_send_ns >= HEARTBEAT_NS) {
            hm_wire_put_heartbeat(&p->w);
            send_frame(p, now);
        }
        pthread_mutex_unlock(&c->stats_lock);
        if (moved == 0) {
            struct timespec ts = {0, (long)IDLE_SLEEP_NS};
            nanosleep(&ts, NULL);
        }
    }
    /* Closing: flush what is buffered, within close_timeout_ms. */
    uint64_t deadline = clock_ns() + (uint64_t)c->close_timeout_ms * 1000000ull / 2;
    uint64_t now;
    pthread_mutex_lock(&c->stats_lock);
    do {
        now = clock_ns();
        uint64_t moved = drain(p, now);
        put_values(p, now, false);
        send_frame(p, now);
        if (moved == 0)
            break;
    } while (now < deadline);
    /* What could not be drained in time is dropped, and said so. */
    uint64_t left = hm_client_in_rings(c);
    atomic_fetch_add(&c->send_dropped, left);
    atomic_fetch_add(&c->taken, left);
    pthread_mutex_unlock(&c->stats_lock);
    if (p->monitor) {
        int linger = 0;
        zmq_setsockopt(p->monitor, ZMQ_LINGER, &linger, sizeof linger);
        zmq_close(p->monitor);
        zmq_socket_monitor(c->sock, NULL, 0);
    }
    free(p);
    return NULL;
}
