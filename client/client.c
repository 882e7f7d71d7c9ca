/*
 * client.c - libhotmon's lifecycle, declarations and hot path (see hotmon.h).
 *
 * The hot path finds the calling thread's state through a pthread key owned
 * by the client, writes a sample into that thread's SPSC ring and updates
 * counters only that thread writes: no lock, no locked instruction, no
 * system call but the vDSO clock. The publisher thread (publisher.c) drains
 * the rings and owns the socket.
 */
#include "hotmon.h"

#include "address.h"
#include "client_internal.h"

#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#define SPAN_TIME_BITS 48
#define SPAN_TIME_MASK ((1ull << SPAN_TIME_BITS) - 1)

uint64_t hm_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Per-thread counters are written by one thread only: a relaxed load and
 * store is enough and costs no locked instruction. */
static inline void bump(_Atomic uint64_t *v)
{
    /* release: a reader that sees a drop also sees the sample's `produced`
     * (hm_client_stats reads dropped before produced). A plain store on x86. */
    atomic_store_explicit(v, atomic_load_explicit(v, memory_order_relaxed) + 1,
                          memory_order_release);
}

static void thread_exit(void *arg)
{
    hm_thread_state_t *t = arg;
    /* The publisher drains what is left and frees the slot for reuse. */
    atomic_store_explicit(&t->state, SLOT_RETIRED, memory_order_release);
}

/* The calling thread's state: found through the key, claimed on first use.
 * NULL when every slot is taken (*err = ENOSPC) or memory is short (ENOMEM). */
static hm_thread_state_t *claim_state(hm_client_t *c, int *err)
{
    hm_thread_state_t *t = pthread_getspecific(c->key);
    if (t)
        return t;
    *err = ENOMEM;
    for (size_t i = 0; i < HM_CLIENT_THREADS_MAX; i++) {
        int expect = SLOT_FREE;
        if (!atomic_compare_exchange_strong(&c->threads[i]->state, &expect, SLOT_CLAIMING))
            continue;
        t = c->threads[i];
        if (!t->ring_ready) {
            if (hm_ring_init(&t->ring, c->ring_capacity) != 0) {
                atomic_store(&t->state, SLOT_FREE);
                return NULL;
            }
            t->ring_ready = true;
        }
        memset(&t->scratch, 0, sizeof t->scratch);
        if (pthread_setspecific(c->key, t) != 0) {
            atomic_store(&t->state, SLOT_FREE);
            return NULL;
        }
        atomic_store_explicit(&t->state, SLOT_LIVE, memory_order_release);
        /* The publisher looks at slots below the high-water mark only. */
        uint32_t used = atomic_load(&c->threads_used);
        while (used < i + 1 && !atomic_compare_exchange_weak(&c->threads_used, &used, (uint32_t)i + 1))
            ;
        return t;
    }
    *err = ENOSPC;
    return NULL;
}

static hm_thread_state_t *self_state(hm_client_t *c)
{
    int err;
    return claim_state(c, &err);
}

int hm_thread_ready(hm_client_t *c)
{
    assert(c);
    int err = 0;
    return claim_state(c, &err) ? 0 : err;
}

static char *dup_or(const char *a, const char *b)
{
    return strdup(a && *a ? a : b);
}

/* Frees the memory of c, whatever part of hm_open it got through (the
 * publisher stopped and the socket closed). */
static void free_client(hm_client_t *c)
{
    for (size_t i = 0; i < HM_CLIENT_THREADS_MAX; i++) {
        if (c->threads[i] && c->threads[i]->ring_ready)
            hm_ring_fini(&c->threads[i]->ring);
        free(c->threads[i]);
    }
    for (uint32_t i = 0; i < c->nendpoints; i++)
        free(c->endpoint_name[i]);
    for (uint32_t i = 0; i < c->nphases; i++)
        free(c->phase_name[i]);
    for (uint32_t i = 0; i < c->nmetrics; i++) {
        free(c->metric[i].name);
        free(c->metric[i].value);
        free(c->metric[i].dirty);
        free(c->metric[i].sent);
    }
    free(c->endpoint_addr);
    free(c->service);
    free(c->host);
    pthread_mutex_destroy(&c->lock);
    pthread_mutex_destroy(&c->stats_lock);
    free(c);
}

/* The CURVE keys from the options or the environment; 0 without a server
 * key, EINVAL for keys that are not 40-character Z85. */
static int curve_client(void *sock, const hm_options_t *o)
{
    const char *server = o->curve_server_key ? o->curve_server_key
                                             : getenv("HOTMON_CURVE_SERVER_KEY");
    if (!server || !*server)
        return 0;
    const char *keys[3] = {server,
                           o->curve_public_key ? o->curve_public_key
                                               : getenv("HOTMON_CURVE_PUBLIC_KEY"),
                           o->curve_secret_key ? o->curve_secret_key
                                               : getenv("HOTMON_CURVE_SECRET_KEY")};
    const int opts[3] = {ZMQ_CURVE_SERVERKEY, ZMQ_CURVE_PUBLICKEY, ZMQ_CURVE_SECRETKEY};
    for (int i = 0; i < 3; i++)
        if (!keys[i] || strlen(keys[i]) != 40 || zmq_setsockopt(sock, opts[i], keys[i], 40) != 0)
            return EINVAL;
    return 0;
}

int hm_open(const hm_options_t *opts, hm_client_t **out)
{
    hm_options_t o = opts ? *opts : (hm_options_t){0};
    hm_client_t *c = calloc(1, sizeof *c);
    if (!c)
        return ENOMEM;
    int rc = ENOMEM;
    pthread_mutex_init(&c->lock, NULL);
    pthread_mutex_init(&c->stats_lock, NULL);
    c->epoch_ns = hm_now_ns() - 1; /* so that no span encodes to HM_SPAN_NONE */
    c->ring_capacity = o.ring_capacity ? o.ring_capacity : 16384;
    c->flush_ms = o.flush_ms ? (o.flush_ms > 50 ? 50 : o.flush_ms) : 20;
    c->close_timeout_ms = o.close_timeout_ms ? o.close_timeout_ms : 100;
    c->declare_every_ms = o.declare_every_ms ? o.declare_every_ms : 1000;
    const char *addr = o.endpoint ? o.endpoint : getenv("HOTMON_ENDPOINT");
    const char *svc = o.service ? o.service : getenv("HOTMON_SERVICE");
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    c->endpoint_addr = dup_or(addr, HM_DEFAULT_ENDPOINT);
    c->service = dup_or(svc, program_invocation_short_name);
    c->host = strdup(host);
    if (getrandom(&c->sender_id, sizeof c->sender_id, GRND_NONBLOCK) != sizeof c->sender_id)
        c->sender_id = hm_now_ns() ^ ((uint64_t)getpid() << 32);
    if (!c->endpoint_addr || !c->service || !c->host)
        goto fail;
    for (size_t i = 0; i < HM_CLIENT_THREADS_MAX; i++)
        if (!(c->threads[i] = calloc(1, sizeof *c->threads[i])))
            goto fail;
    /* The first thread to record finds its ring ready: claiming one costs
     * 10 to 60 us, which its first record would otherwise pay. */
    if (hm_ring_init(&c->threads[0]->ring, c->ring_capacity) != 0)
        goto fail;
    c->threads[0]->ring_ready = true;
    if (pthread_key_create(&c->key, thread_exit) != 0)
        goto fail;
    hm_metric_t q;
    if ((rc = hm_gauge(c, "queue", &q)) != 0)
        goto fail_key;

    rc = ENOMEM;
    c->zctx = zmq_ctx_new();
    if (!c->zctx)
        goto fail_key;
    c->sock = zmq_socket(c->zctx, ZMQ_PUSH);
    if (!c->sock)
        goto fail_key;
    int one = 1, hwm = 1000, ivl = 100, ivl_max = 1000, linger = (int)c->close_timeout_ms;
    zmq_setsockopt(c->sock, ZMQ_IMMEDIATE, &one, sizeof one);
    zmq_setsockopt(c->sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(c->sock, ZMQ_RECONNECT_IVL, &ivl, sizeof ivl);
    zmq_setsockopt(c->sock, ZMQ_RECONNECT_IVL_MAX, &ivl_max, sizeof ivl_max);
    zmq_setsockopt(c->sock, ZMQ_LINGER, &linger, sizeof linger);
    if ((rc = curve_client(c->sock, &o)) != 0)
        goto fail_key;
    rc = ENOMEM;
    if (!hm_address_zmq_valid(c->endpoint_addr) || zmq_connect(c->sock, c->endpoint_addr) != 0) {
        rc = EINVAL;
        goto fail_key;
    }
    /* The publisher takes no signal: they belong to the service's threads. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int started = pthread_create(&c->publisher, NULL, hm_publisher_run, c);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (started != 0) {
        rc = EAGAIN;
        goto fail_key;
    }
    *out = c;
    return 0;

fail_key:
    pthread_key_delete(c->key);
fail:
    if (c->sock)
        zmq_close(c->sock);
    if (c->zctx)
        zmq_ctx_term(c->zctx);
    free_client(c);
    return rc;
}

void hm_close(hm_client_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    hm_client_t *c = *self_p;
    atomic_store(&c->stop, true);
    pthread_join(c->publisher, NULL); /* it flushes within half of close_timeout_ms */
    int linger = (int)c->close_timeout_ms / 2;
    zmq_setsockopt(c->sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(c->sock);
    zmq_ctx_term(c->zctx);
    pthread_key_delete(c->key);
    free_client(c);
    *self_p = NULL;
}

/* --- declarations --------------------------------------------------------- */

/* Whether a stored name is the name w will be on the wire. */
static bool same_name(const char *stored, hm_wire_str_t w)
{
    return strlen(stored) == w.len && memcmp(stored, w.ptr, w.len) == 0;
}

/* Finds or adds name in names[0..*count) under the lock; the new count is
 * published with a release store after the name is in place. */
static int declare(hm_client_t *c, char **names, _Atomic uint32_t *count, uint32_t max,
                   const char *name, uint16_t *id)
{
    if (!name || !*name)
        return EINVAL;
    /* Kept as it goes on the wire: cut to HM_NAME_MAX at a UTF-8 boundary. */
    bool cut;
    hm_wire_str_t w = hm_wire_str(name, &cut);
    pthread_mutex_lock(&c->lock);
    uint32_t n = atomic_load_explicit(count, memory_order_relaxed);
    int rc = 0;
    uint32_t i = 0;
    while (i < n && !same_name(names[i], w))
        i++;
    if (i == n) {
        if (n == max) {
            rc = ENOSPC;
        } else if (!(names[n] = strndup(name, w.len))) {
            rc = ENOMEM;
        } else {
            atomic_store_explicit(count, n + 1, memory_order_release);
            atomic_fetch_add(&c->names_cut_declared, cut);
        }
    }
    pthread_mutex_unlock(&c->lock);
    if (rc == 0)
        *id = (uint16_t)i;
    return rc;
}

int hm_endpoint(hm_client_t *c, const char *name, hm_endpoint_t *id)
{
    return declare(c, c->endpoint_name, &c->nendpoints, HM_CLIENT_ENDPOINTS_MAX, name, id);
}

int hm_phase(hm_client_t *c, const char *name, hm_phase_t *id)
{
    return declare(c, c->phase_name, &c->nphases, HM_CLIENT_PHASES_MAX, name, id);
}

static int declare_metric(hm_client_t *c, const char *name, hm_wire_metric_kind_t kind,
                          hm_metric_t *id)
{
    if (!name || !*name)
        return EINVAL;
    bool cut;
    hm_wire_str_t w = hm_wire_str(name, &cut); /* kept as it goes on the wire */
    pthread_mutex_lock(&c->lock);
    uint32_t n = atomic_load_explicit(&c->nmetrics, memory_order_relaxed);
    int rc = 0;
    uint32_t i = 0;
    while (i < n && !(c->metric[i].kind == kind && same_name(c->metric[i].name, w)))
        i++;
    if (i == n) {
        hm_metric_cells_t *m = &c->metric[n];
        if (n == HM_CLIENT_METRICS_MAX) {
            rc = ENOSPC;
        } else {
            m->name = strndup(name, w.len);
            m->kind = kind;
            m->value = calloc(HM_CLIENT_ENDPOINTS_MAX, sizeof *m->value);
            m->dirty = calloc(HM_CLIENT_ENDPOINTS_MAX, sizeof *m->dirty);
            m->sent = calloc(HM_CLIENT_ENDPOINTS_MAX, sizeof *m->sent);
            if (!m->name || !m->value || !m->dirty || !m->sent) {
                free(m->name);
                free(m->value);
                free(m->dirty);
                free(m->sent);
                memset(m, 0, sizeof *m);
                rc = ENOMEM;
            } else {
                atomic_store_explicit(&c->nmetrics, n + 1, memory_order_release);
                atomic_fetch_add(&c->names_cut_declared, cut);
            }
        }
    }
    pthread_mutex_unlock(&c->lock);
    if (rc == 0)
        *id = (hm_metric_t)i;
    return rc;
}

int hm_gauge(hm_client_t *c, const char *name, hm_metric_t *id)
{
    return declare_metric(c, name, HM_METRIC_GAUGE, id);
}

int hm_counter(hm_client_t *c, const char *name, hm_metric_t *id)
{
    return declare_metric(c, name, HM_METRIC_COUNTER, id);
}

/* --- the hot path ----------------------------------------------------------- */

static inline hm_span_t encode(hm_client_t *c, hm_endpoint_t ep, uint64_t t_ns)
{
    return ((t_ns - c->epoch_ns) & SPAN_TIME_MASK) << 16 | ep;
}

static hm_span_t start(hm_client_t *c, hm_endpoint_t ep, uint64_t now, uint64_t intended)
{
    if (ep >= atomic_load_explicit(&c->nendpoints, memory_order_acquire))
        return HM_SPAN_NONE;
    hm_thread_state_t *t = self_state(c);
    hm_span_t span = encode(c, ep, intended);
    if (!t)
        return span; /* no thread state: the sample is counted when it ends */
    _Atomic int64_t *inf = &t->inflight[ep];
    atomic_store_explicit(inf, atomic_load_explicit(inf, memory_order_relaxed) + 1,
                          memory_order_relaxed);
    hm_scratch_t *s = &t->scratch;
    s->span = span;
    s->last_mark_ns = now;
    s->has_delay = intended != now;
    s->delay_ns = now - intended;
    s->nphases = 0;
    s->rid_len = 0;
    return span;
}

hm_span_t hm_start(hm_client_t *c, hm_endpoint_t ep)
{
    uint64_t now = hm_now_ns();
    return start(c, ep, now, now);
}

hm_span_t hm_start_at(hm_client_t *c, hm_endpoint_t ep, uint64_t intended_ns)
{
    uint64_t now = hm_now_ns();
    return start(c, ep, now, intended_ns <= now ? intended_ns : now);
}

void hm_mark(hm_client_t *c, hm_span_t span, hm_phase_t phase)
{
    hm_thread_state_t *t = pthread_getspecific(c->key);
    if (!t || span == HM_SPAN_NONE)
        return;
    hm_scratch_t *s = &t->scratch;
    if (s->span != span || s->nphases == HM_SPAN_PHASES_MAX) {
        bump(&t->phases_dropped);
        return;
    }
    uint64_t now = hm_now_ns();
    s->phase[s->nphases] = phase;
    s->phase_ns[s->nphases++] = now - s->last_mark_ns;
    s->last_mark_ns = now;
}

/* Copies request id `id` into x, cut at a UTF-8 boundary (and counted) when
 * longer than HM_REQUEST_ID_MAX. */
static void set_rid(hm_thread_state_t *t, hm_scratch_t *x, const char *id)
{
    size_t n = strnlen(id, HM_REQUEST_ID_MAX + 1);
    if (n > HM_REQUEST_ID_MAX) {
        n = HM_REQUEST_ID_MAX;
        while (n > 0 && ((unsigned char)id[n] & 0xC0) == 0x80)
            n--;
        bump(&t->names_cut);
    }
    memcpy(x->rid, id, n);
    x->rid_len = (uint8_t)n;
}

void hm_request_id(hm_client_t *c, hm_span_t span, const char *id)
{
    hm_thread_state_t *t = pthread_getspecific(c->key);
    if (!t || span == HM_SPAN_NONE || t->scratch.span != span || !id)
        return;
    set_rid(t, &t->scratch, id);
}

static uint16_t clamp_status(int status)
{
    return status < 0 ? UINT16_MAX : status > UINT16_MAX ? UINT16_MAX : (uint16_t)status;
}

/* Continuation slots a sample with these extras needs. */
static inline unsigned extra_slots(const hm_scratch_t *x)
{
    return (x->nphases + 2u) / 3u + (x->rid_len + 31u) / 32u;
}

/* Fills the continuation slots after s with the phases and request id of x. */
static void fill_extra(hm_ring_t *r, hm_ring_slot_t *s, const hm_scratch_t *x)
{
    unsigned k = 1;
    for (unsigned i = 0; i < x->nphases; i += 3, k++) {
        hm_ring_extra_t *e = (hm_ring_extra_t *)hm_ring_next(r, s, k);
        for (unsigned j = 0; j < 3 && i + j < x->nphases; j++) {
            e->phases.phase[j] = x->phase[i + j];
            e->phases.ns[j] = x->phase_ns[i + j];
        }
    }
    for (unsigned i = 0; i < x->rid_len; i += 32, k++) {
        hm_ring_extra_t *e = (hm_ring_extra_t *)hm_ring_next(r, s, k);
        unsigned n = x->rid_len - i < 32 ? x->rid_len - i : 32;
        memcpy(e->rid, x->rid + i, n);
    }
}

/* Fills a ring slot of thread t (and its continuation slots), or counts the
 * sample dropped. */
static void push(hm_client_t *c, hm_thread_state_t *t, hm_endpoint_t ep, uint64_t duration,
                 int status, const hm_scratch_t *x)
{
    if (!t) {
        atomic_fetch_add_explicit(&c->no_thread_drops, 1, memory_order_relaxed);
        return;
    }
    bump(&t->produced);
    unsigned extra = x ? extra_slots(x) : 0;
    hm_ring_slot_t *s = hm_ring_reserve_n(&t->ring, 1 + extra);
    if (!s) {
        bump(&t->dropped);
        return;
    }
    s->endpoint = ep;
    s->status = clamp_status(status);
    s->duration_ns = duration;
    s->has_delay = x && x->has_delay;
    s->delay_ns = x ? x->delay_ns : 0;
    s->nphases = x ? x->nphases : 0;
    s->rid_len = x ? x->rid_len : 0;
    s->extra = (uint8_t)extra;
    if (extra)
        fill_extra(&t->ring, s, x);
    hm_ring_commit_n(&t->ring, 1 + extra);
}

void hm_end(hm_client_t *c, hm_span_t span, int status)
{
    if (span == HM_SPAN_NONE)
        return;
    uint64_t now = hm_now_ns();
    hm_endpoint_t ep = (hm_endpoint_t)(span & 0xFFFF);
    if (ep >= HM_CLIENT_ENDPOINTS_MAX)
        return; /* not a span of hm_start: its endpoint would index past the in-flight table */
    uint64_t since_start = ((now - c->epoch_ns) - (span >> 16)) & SPAN_TIME_MASK;
    hm_thread_state_t *t = pthread_getspecific(c->key);
    if (!t)
        t = self_state(c);
    const hm_scratch_t *extra = NULL;
    if (t) {
        _Atomic int64_t *inf = &t->inflight[ep];
        atomic_store_explicit(inf, atomic_load_explicit(inf, memory_order_relaxed) - 1,
                              memory_order_relaxed);
        if (t->scratch.span == span) {
            extra = &t->scratch;
            /* The span counted from its intended start; the wire wants the
             * service time and the delay apart. */
            if (extra->has_delay && since_start >= extra->delay_ns)
                since_start -= extra->delay_ns;
        }
    }
    push(c, t, ep, since_start, status, extra);
    if (extra)
        t->scratch.span = HM_SPAN_NONE;
}

void hm_record(hm_client_t *c, hm_endpoint_t ep, uint64_t duration_ns, int status)
{
    if (ep >= atomic_load_explicit(&c->nendpoints, memory_order_acquire))
        return;
    push(c, self_state(c), ep, duration_ns, status, NULL);
}

void hm_record_sample(hm_client_t *c, hm_endpoint_t ep, const hm_sample_t *sample)
{
    if (ep >= atomic_load_explicit(&c->nendpoints, memory_order_acquire))
        return;
    hm_thread_state_t *t = self_state(c);
    if (!t) {
        push(c, t, ep, sample->duration_ns, sample->status, NULL);
        return;
    }
    hm_scratch_t x = {.has_delay = sample->delay_ns > 0, .delay_ns = sample->delay_ns};
    unsigned n = sample->nphases;
    if (n > HM_SPAN_PHASES_MAX) {
        atomic_fetch_add_explicit(&t->phases_dropped, n - HM_SPAN_PHASES_MAX, memory_order_relaxed);
        n = HM_SPAN_PHASES_MAX;
    }
    for (unsigned i = 0; i < n; i++) {
        x.phase[i] = sample->phase[i];
        x.phase_ns[i] = sample->phase_ns[i];
    }
    x.nphases = (uint8_t)n;
    if (sample->request_id)
        set_rid(t, &x, sample->request_id);
    push(c, t, ep, sample->duration_ns, sample->status, &x);
}

void hm_gauge_set(hm_client_t *c, hm_endpoint_t ep, hm_metric_t gauge, int64_t value)
{
    if (gauge >= atomic_load_explicit(&c->nmetrics, memory_order_acquire) ||
        ep >= HM_CLIENT_ENDPOINTS_MAX || c->metric[gauge].kind != HM_METRIC_GAUGE)
        return;
    atomic_store_explicit(&c->metric[gauge].value[ep], value, memory_order_relaxed);
    atomic_store_explicit(&c->metric[gauge].dirty[ep], 1, memory_order_release);
}

void hm_counter_add(hm_client_t *c, hm_endpoint_t ep, hm_metric_t counter, uint64_t delta)
{
    if (counter >= atomic_load_explicit(&c->nmetrics, memory_order_acquire) ||
        ep >= HM_CLIENT_ENDPOINTS_MAX || c->metric[counter].kind != HM_METRIC_COUNTER)
        return;
    /* Counters may be bumped from any thread: this one needs the locked add. */
    atomic_fetch_add_explicit(&c->metric[counter].value[ep], (int64_t)delta, memory_order_relaxed);
}

/* --- statistics -------------------------------------------------------------- */

uint64_t hm_client_sum(const hm_client_t *c, size_t offset)
{
    uint64_t sum = 0;
    uint32_t used = atomic_load_explicit(&c->threads_used, memory_order_acquire);
    for (size_t i = 0; i < used; i++) {
        const char *base = (const char *)c->threads[i];
        sum += atomic_load_explicit((const _Atomic uint64_t *)(base + offset), memory_order_acquire);
    }
    return sum;
}

/* One thread's produced and dropped as a pair: `produced` read on both sides
 * of `dropped` until it did not move, so only a sample in the middle of its
 * push can be counted as buffered. A thread that records without pause gets
 * the fallback: dropped first, which may count more as buffered, never less. */
static void thread_counts(const hm_thread_state_t *t, uint64_t *produced, uint64_t *dropped)
{
    for (int tries = 0; tries < 8; tries++) {
        uint64_t p1 = atomic_load_explicit(&t->produced, memory_order_acquire);
        *dropped = atomic_load_explicit(&t->dropped, memory_order_acquire);
        *produced = atomic_load_explicit(&t->produced, memory_order_acquire);
        if (*produced == p1)
            return;
    }
}

/* Samples produced and refused by full rings, summed over every thread. */
static void all_counts(const hm_client_t *c, uint64_t *produced, uint64_t *dropped)
{
    *produced = *dropped = 0;
    uint32_t used = atomic_load_explicit(&c->threads_used, memory_order_acquire);
    for (size_t i = 0; i < used; i++) {
        uint64_t p, d;
        thread_counts(c->threads[i], &p, &d);
        *produced += p;
        *dropped += d;
    }
}

uint64_t hm_client_in_rings(const hm_client_t *c)
{
    uint64_t produced, dropped;
    all_counts(c, &produced, &dropped);
    return produced - dropped - atomic_load(&c->taken);
}

/* Why the identity produced = sent + dropped + buffered is exact: the
 * publisher's figures (taken, sent, send_dropped, buffered_frame) change only
 * under stats_lock, where taken = sent + send_dropped + buffered_frame holds
 * whenever the lock is free; each per-thread figure is read once and used in
 * every field it enters; and a thread's `dropped` is read with its
 * `produced` as a pair (thread_counts; both release-stored, produced first),
 * so samples still in the rings, produced - dropped - taken, is never
 * negative. */
void hm_client_stats(const hm_client_t *c, hm_client_stats_t *out)
{
    hm_client_t *m = (hm_client_t *)c; /* the lock is not part of the value */
    pthread_mutex_lock(&m->stats_lock);
    uint64_t produced, ring_drops;
    all_counts(c, &produced, &ring_drops);
    uint64_t lost = atomic_load(&c->no_thread_drops);
    uint64_t taken = atomic_load(&c->taken);
    *out = (hm_client_stats_t){
        .produced = produced + lost,
        .sent = atomic_load(&c->sent),
        .dropped = ring_drops + atomic_load(&c->send_dropped) + lost,
        .buffered = atomic_load(&c->buffered_frame) + (produced - ring_drops - taken),
        .frames_sent = atomic_load(&c->frames_sent),
        .names_cut = hm_client_sum(c, offsetof(hm_thread_state_t, names_cut)) +
                     atomic_load(&c->names_cut_declared),
        .phases_dropped = hm_client_sum(c, offsetof(hm_thread_state_t, phases_dropped)),
    };
    pthread_mutex_unlock(&m->stats_lock);
}
