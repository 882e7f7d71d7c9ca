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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "address.h"
#include "auth.h"
#include "ingest.h"
#include "registry.h"
#include "slo.h"
#include "snapcodec.h"

#define ADDR_MAX 256
#define DRAIN_MAX 4096 /* frames read before looking at the clock and the controls */
/* Snapshot messages carry the whole 300 s history this often and only its
 * last seconds otherwise (viewers merge them): at 1,000 endpoints the whole
 * history is most of a message (docs/collector.md has the figures). */
#define HISTORY_FULL_NS 10000000000ull
#define HISTORY_TAIL 5

struct hm_collector {
    void *sock;
    void *pub;                     /* PUB socket or NULL; the ingest thread's */
    void *zap;                     /* ZAP handler (REP) with CURVE, or NULL; the ingest thread's */
    const hm_auth_t *auth;
    uint64_t full_ns;              /* when the whole history last went out */
    char pub_address[ADDR_MAX];
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
    hm_slo_t *slo;                 /* the ingest thread's alone once started */
    hm_slo_t *slo_next;            /* new rules waiting for the thread; guarded by lock */
    FILE *events;                  /* borrowed: SLO events appended as JSON lines, or NULL */
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Sends one message (topic frame, body frame) on the PUB socket; nothing
 * without one. Never waits: a subscriber too slow to take it misses it. */
static void publish(hm_collector_t *c, const char *topic, const void *body, size_t len)
{
    if (!c->pub)
        return;
    if (zmq_send(c->pub, topic, strlen(topic), ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0)
        zmq_send(c->pub, body, len, ZMQ_DONTWAIT);
}

static void publish_snapshot(hm_collector_t *c, const hm_snapshot_t *s, uint64_t now)
{
    if (!c->pub)
        return;
    bool full = now - c->full_ns >= HISTORY_FULL_NS || c->full_ns == 0;
    uint8_t *body;
    size_t len;
    if (hm_snapcodec_encode(s, full ? HM_WINDOW_HISTORY : HISTORY_TAIL, &body, &len) != 0)
        return; /* out of memory: viewers see the data age */
    publish(c, HM_SNAPCODEC_TOPIC, body, len);
    free(body);
    if (full)
        c->full_ns = now;
}

/* Sends SLO events out: on the PUB socket under HM_SLO_TOPIC, and to the
 * events file when there is one. A failed write
 * (a full disk) is counted, shown on the status line, and the event stays
 * in the snapshots' list. */
static void announce(hm_collector_t *c, const hm_slo_event_t *evs, size_t n)
{
    const hm_slo_rules_t *rules = hm_slo_rules(c->slo);
    char line[4096];
    for (size_t i = 0; i < n; i++) {
        size_t len = hm_slo_event_json(&rules->rule[evs[i].rule], &evs[i], line, sizeof line - 1);
        if (!len)
            continue;
        publish(c, HM_SLO_TOPIC, line, len);
        line[len++] = '\n';
        if (c->events && (fwrite(line, 1, len, c->events) != len || fflush(c->events) != 0)) {
            hm_registry_counters(c->reg)->events_unwritten++;
            clearerr(c->events);
        }
    }
}

/* Builds a snapshot, checks the SLO rules on it and swaps it in; it answers
 * the refresh requests counted in asked (read before the snapshot was
 * begun), and a check is forced for those. False when out of memory. */
static bool swap_in(hm_collector_t *c, uint64_t now, uint64_t asked, bool requested)
{
    uint64_t bounds[HM_SNAP_BOUNDS];
    size_t nbounds = hm_slo_bounds(c->slo, bounds);
    hm_snapshot_t *s = hm_registry_snapshot(c->reg, now, bounds, nbounds);
    if (!s)
        return false; /* out of memory: readers keep the previous one */
    int nev = hm_slo_apply(c->slo, s, requested);
    if (nev < 0) {
        hm_snapshot_release(&s);
        return false;
    }
    size_t n;
    const hm_slo_event_t *evs = hm_slo_new_events(c->slo, &n);
    announce(c, evs, n);
    pthread_mutex_lock(&c->lock);
    hm_snapshot_t *old = c->latest;
    c->latest = s;
    c->served = asked;
    pthread_cond_broadcast(&c->fresh);
    pthread_mutex_unlock(&c->lock);
    hm_snapshot_release(&old);
    publish_snapshot(c, s, now);
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

/* A snapshot later than its period by more than this means the thread was
 * stopped or starved, not that senders fell silent. */
#define STALL_NS 1000000000ull

static void *run(void *arg)
{
    hm_collector_t *c = arg;
    uint64_t period = (uint64_t)c->snapshot_ms * 1000000ull;
    uint64_t next = now_ns() + period;
    uint64_t swapped = next - period; /* when the last snapshot was taken */
    uint64_t served = 0; /* refresh requests answered (the thread's copy) */
    zmq_pollitem_t items[3] = {{c->sock, 0, ZMQ_POLLIN, 0}, {NULL, c->efd, ZMQ_POLLIN, 0},
                               {c->zap, 0, ZMQ_POLLIN, 0}};
    while (!atomic_load(&c->stop)) {
        uint64_t now = now_ns();
        long timeout = now >= next ? 0 : (long)((next - now) / 1000000ull) + 1;
        if (zmq_poll(items, c->zap ? 3 : 2, timeout) < 0 && errno != EINTR)
            break;
        if ((items[2].revents & ZMQ_POLLIN) && hm_auth_handle(c->auth, c->zap))
            hm_registry_counters(c->reg)->auth_failures++;
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
        if (atomic_exchange(&c->reset, false)) {
            hm_registry_reset(c->reg, now);
            hm_slo_reset(c->slo);
        }
        pthread_mutex_lock(&c->lock);
        hm_slo_t *fresh = c->slo_next;
        c->slo_next = NULL;
        pthread_mutex_unlock(&c->lock);
        if (fresh) {
            hm_slo_destroy(&c->slo);
            c->slo = fresh;
        }
        if (now >= next || asked != served) {
            /* Before the snapshot expires senders: after a SIGSTOP their
             * frames are still queued, and would find their names gone. */
            if (now - swapped > period + STALL_NS)
                hm_registry_pause(c->reg, now - swapped - period, now);
            swapped = now;
            if (swap_in(c, now, asked, asked != served))
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

/* Binds sock to addr and writes the address really bound (ADDR_MAX bytes). */
static int bind_to(void *sock, const char *addr, char *bound, const char **why)
{
    /* Ports past 65535 and paths ZeroMQ would unlink are refused before it
     * sees them; one message per cause, whoever found it. */
    int rc = !hm_address_zmq_valid(addr) ? EINVAL : hm_address_ipc_free(addr);
    if (!rc && zmq_bind(sock, addr) != 0)
        rc = errno == EPROTONOSUPPORT || errno == ENOENT ? EINVAL : errno;
    if (rc) {
        *why = rc == EADDRINUSE ? "address already in use"
               : rc == EEXIST   ? "something that is not a socket is at that path; not replacing it"
               : rc == EINVAL   ? "not a valid ZeroMQ address (tcp://HOST:PORT, where a port is 0 "
                                  "to 65535 or *, or ipc://PATH)"
                                : zmq_strerror(rc);
        return rc;
    }
    size_t len = ADDR_MAX;
    zmq_getsockopt(sock, ZMQ_LAST_ENDPOINT, bound, &len);
    return 0;
}

/* The ZAP handler first (ZeroMQ asks it about every CURVE handshake), then
 * the ingest socket as a CURVE server. */
static int start_auth(hm_collector_t *c, void *zmq_ctx, const hm_auth_t *auth, void *sock,
                      const char **why)
{
    c->auth = auth;
    int linger = 0, rc;
    if (!(c->zap = zmq_socket(zmq_ctx, ZMQ_REP))) {
        rc = errno;
        *why = zmq_strerror(rc);
        return rc;
    }
    zmq_setsockopt(c->zap, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_bind(c->zap, "inproc://zeromq.zap.01") != 0) {
        rc = errno;
        *why = rc == EADDRINUSE ? "another ZAP handler runs in this ZeroMQ context"
                                : zmq_strerror(rc);
        return rc;
    }
    if ((rc = hm_auth_server(auth, sock)))
        *why = zmq_strerror(rc);
    return rc;
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
    hm_slo_rules_t none;
    hm_slo_rules_init(&none);
    c->slo = hm_slo_new(o.slo ? o.slo : &none, why);
    if (!c->slo) {
        rc = EINVAL;
        goto fail;
    }
    *why = "out of memory";
    c->latest = hm_registry_snapshot(c->reg, now_ns(), NULL, 0);
    if (!c->latest)
        goto fail;
    c->events = o.events;
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
    if (o.auth && (rc = start_auth(c, zmq_ctx, o.auth, c->sock, why)))
        goto fail;
    if ((rc = bind_to(c->sock, o.bind ? o.bind : "tcp://127.0.0.1:7450", c->address, why)))
        goto fail;
    if (o.pub) {
        if (!(c->pub = zmq_socket(zmq_ctx, ZMQ_PUB))) {
            rc = errno;
            *why = zmq_strerror(rc);
            goto fail;
        }
        /* A few messages per subscriber: snapshots are big, and a slow
         * viewer wants the newest, not a backlog. */
        int pub_hwm = 16;
        zmq_setsockopt(c->pub, ZMQ_SNDHWM, &pub_hwm, sizeof pub_hwm);
        zmq_setsockopt(c->pub, ZMQ_LINGER, &linger, sizeof linger);
        if (o.auth && (rc = hm_auth_server(o.auth, c->pub))) {
            *why = zmq_strerror(rc);
            goto fail;
        }
        if ((rc = bind_to(c->pub, o.pub, c->pub_address, why)))
            goto fail;
    }
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

/* ZeroMQ leaves an ipc listener's file behind; the next bind would reuse it,
 * but it is litter meanwhile. Not for "ipc://@name" (abstract: no file). */
static void unlink_ipc(const char *addr)
{
    if (strncmp(addr, "ipc://", 6) == 0 && addr[6] && addr[6] != '@')
        unlink(addr + 6);
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
    if (c->pub)
        zmq_close(c->pub);
    unlink_ipc(c->address);
    unlink_ipc(c->pub_address);
    if (c->zap)
        zmq_close(c->zap);
    if (c->efd >= 0)
        close(c->efd);
    hm_snapshot_release(&c->latest);
    hm_registry_destroy(&c->reg);
    hm_slo_destroy(&c->slo);
    hm_slo_destroy(&c->slo_next);
    pthread_cond_destroy(&c->fresh);
    pthread_mutex_destroy(&c->lock);
    free(c);
    *self_p = NULL;
}

const char *hm_collector_address(const hm_collector_t *c)
{
    return c->address;
}

const char *hm_collector_pub_address(const hm_collector_t *c)
{
    return c->pub ? c->pub_address : NULL;
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

int hm_collector_set_rules(hm_collector_t *c, const hm_slo_rules_t *rules, const char **why)
{
    const char *dummy;
    hm_slo_t *fresh = hm_slo_new(rules, why ? why : &dummy);
    if (!fresh)
        return EINVAL;
    pthread_mutex_lock(&c->lock);
    hm_slo_t *old = c->slo_next;
    c->slo_next = fresh;
    pthread_mutex_unlock(&c->lock);
    hm_slo_destroy(&old);
    wake(c);
    return 0;
}
