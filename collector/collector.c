/*
 * collector.c - the collector engine: PULL socket, ingest thread, snapshots
 * (see collector.h).
 *
 * The ingest thread alone touches the registry. Readers talk to it through
 * atomics and an eventfd that zmq_poll watches beside the socket, and take
 * snapshots under a mutex held only for a pointer copy and a reference.
 */
#include "collector.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "ingest.h"
#include "registry.h"

#define ADDR_MAX 256
#define DRAIN_MAX 4096 /* frames read before looking at the clock and the controls */

struct hm_collector {
    void *sock;
    int efd;                       /* wakes the ingest thread */
    pthread_t thread;
    bool started;
    uint32_t snapshot_ms;
    hm_registry_t *reg;            /* the ingest thread's alone once started */
    char address[ADDR_MAX];
    atomic_bool stop, reset;
    atomic_uint_fast64_t asked;    /* refresh requests so far */
    pthread_mutex_t lock;          /* guards latest and served */
    pthread_cond_t fresh;
    hm_snapshot_t *latest;
    uint64_t served;               /* requests answered by latest: those counted before it was begun */
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Builds a snapshot and swaps it in; it answers the refresh requests counted
 * in asked (read before the snapshot was begun). False when out of memory. */
static bool publish(hm_collector_t *c, uint64_t now, uint64_t asked)
{
    hm_snapshot_t *s = hm_registry_snapshot(c->reg, now);
    if (!s)
        return false; /* out of memory: readers keep the previous one */
    pthread_mutex_lock(&c->lock);
    hm_snapshot_t *old = c->latest;
    c->latest = s;
    c->served = asked;
    pthread_cond_broadcast(&c->fresh);
    pthread_mutex_unlock(&c->lock);
    hm_snapshot_release(&old);
    return true;
}

static void drain(hm_collector_t *c)
{
    /* One message object for the whole drain: ZeroMQ hands its buffer over
     * without a copy. The clock is read once a frame (a vDSO call of ~20 ns,
     * against the ~10 us a 4 KiB frame of samples takes to apply). */
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    for (int i = 0; i < DRAIN_MAX; i++) {
        if (zmq_msg_recv(&msg, c->sock, ZMQ_DONTWAIT) < 0)
            break;
        hm_ingest_frame(c->reg, zmq_msg_data(&msg), zmq_msg_size(&msg), now_ns());
    }
    zmq_msg_close(&msg);
}

static void *run(void *arg)
{
    hm_collector_t *c = arg;
    uint64_t period = (uint64_t)c->snapshot_ms * 1000000ull;
    uint64_t next = now_ns() + period;
    uint64_t served = 0; /* refresh requests answered (the thread's copy) */
    zmq_pollitem_t items[2] = {{c->sock, 0, ZMQ_POLLIN, 0}, {NULL, c->efd, ZMQ_POLLIN, 0}};
    while (!atomic_load(&c->stop)) {
        uint64_t now = now_ns();
        long timeout = now >= next ? 0 : (long)((next - now) / 1000000ull) + 1;
        if (zmq_poll(items, 2, timeout) < 0 && errno != EINTR)
            break;
        if (items[0].revents & ZMQ_POLLIN)
            drain(c);
        if (items[1].revents & ZMQ_POLLIN) {
            uint64_t v;
            if (read(c->efd, &v, sizeof v) < 0) {
                /* nothing: the flags below say what was asked */
            }
        }
        now = now_ns();
        /* Requests first, then the reset flag: a caller that resets and then
         * refreshes gets a snapshot taken after the reset. */
        uint64_t asked = atomic_load(&c->asked);
        if (atomic_exchange(&c->reset, false))
            hm_registry_reset(c->reg, now);
        if (now >= next || asked != served) {
            if (publish(c, now, asked))
                served = asked;
            next = now + period;
        }
    }
    return NULL;
}

static void wake(hm_collector_t *c)
{
    uint64_t one = 1;
    if (write(c->efd, &one, sizeof one) < 0) {
        /* the counter is full: the thread is awake already */
    }
}

int hm_collector_new(void *zmq_ctx, const hm_collector_options_t *opts, hm_collector_t **out,
                     const char **why)
{
    const char *dummy;
    why = why ? why : &dummy;
    hm_collector_options_t o = opts ? *opts : (hm_collector_options_t){0};
    hm_collector_t *c = calloc(1, sizeof *c);
    if (!c) {
        *why = "out of memory";
        return ENOMEM;
    }
    c->efd = -1;
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->fresh, NULL);
    c->snapshot_ms = o.snapshot_ms ? o.snapshot_ms : 1000;
    hm_registry_limits_t lim = {o.max_endpoints, o.max_senders, o.sender_expiry_ms};
    int rc = ENOMEM;
    *why = "out of memory";
    c->reg = hm_registry_new(&lim, now_ns());
    c->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (!c->reg || c->efd < 0)
        goto fail;
    c->latest = hm_registry_snapshot(c->reg, now_ns());
    if (!c->latest)
        goto fail;
    c->sock = zmq_socket(zmq_ctx, ZMQ_PULL);
    if (!c->sock) {
        rc = errno;
        *why = zmq_strerror(rc);
        goto fail;
    }
    int64_t maxmsg = HM_WIRE_FRAME_MAX;
    int hwm = 100000, linger = 0;
    zmq_setsockopt(c->sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
    zmq_setsockopt(c->sock, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(c->sock, ZMQ_LINGER, &linger, sizeof linger);
    const char *bind = o.bind ? o.bind : "tcp://127.0.0.1:7450";
    if (zmq_bind(c->sock, bind) != 0) {
        rc = errno;
        *why = rc == EADDRINUSE ? "address already in use"
               : rc == EINVAL || rc == EPROTONOSUPPORT || rc == ENOENT
                   ? "not a valid ZeroMQ address (tcp://HOST:PORT or ipc://PATH)"
                   : zmq_strerror(rc);
        if (rc == EPROTONOSUPPORT || rc == ENOENT)
            rc = EINVAL;
        goto fail;
    }
    size_t len = sizeof c->address;
    zmq_getsockopt(c->sock, ZMQ_LAST_ENDPOINT, c->address, &len);
    if (pthread_create(&c->thread, NULL, run, c) != 0) {
        rc = EAGAIN;
        *why = "cannot start the ingest thread";
        goto fail;
    }
    c->started = true;
    pthread_setname_np(c->thread, "hm-ingest"); /* for top -H and the benchmark */
    *out = c;
    return 0;
fail:
    hm_collector_destroy(&c);
    return rc;
}

void hm_collector_destroy(hm_collector_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    hm_collector_t *c = *self_p;
    if (c->started) {
        atomic_store(&c->stop, true);
        wake(c);
        pthread_join(c->thread, NULL);
    }
    if (c->sock)
        zmq_close(c->sock);
    if (c->efd >= 0)
        close(c->efd);
    hm_snapshot_release(&c->latest);
    hm_registry_destroy(&c->reg);
    pthread_cond_destroy(&c->fresh);
    pthread_mutex_destroy(&c->lock);
    free(c);
    *self_p = NULL;
}

const char *hm_collector_address(const hm_collector_t *c)
{
    return c->address;
}

hm_snapshot_t *hm_collector_snapshot(hm_collector_t *c)
{
    pthread_mutex_lock(&c->lock);
    hm_snapshot_t *s = hm_snapshot_ref(c->latest);
    pthread_mutex_unlock(&c->lock);
    return s;
}

int hm_collector_refresh(hm_collector_t *c, uint32_t timeout_ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    /* Our request is number want; a snapshot begun after the thread saw it
     * answers it (and every request before it). */
    uint64_t want = atomic_fetch_add(&c->asked, 1) + 1;
    wake(c);
    pthread_mutex_lock(&c->lock);
    int rc = 0;
    while (c->served < want && rc == 0)
        rc = pthread_cond_timedwait(&c->fresh, &c->lock, &until);
    bool got = c->served >= want;
    pthread_mutex_unlock(&c->lock);
    return got ? 0 : ETIMEDOUT;
}

void hm_collector_reset(hm_collector_t *c)
{
    atomic_store(&c->reset, true);
    wake(c);
}
