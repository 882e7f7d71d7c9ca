/*
 * remote.c - snapshots from a hotmon-collector's PUB socket (see remote.h).
 */
#include "remote.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zmq.h>

#include "address.h"
#include "snapcodec.h"

#define ADDR_MAX 256
#define POLL_MS 100
#define STALE_MIN_NS 3000000000ull

struct hm_remote {
    void *sock;       /* the receiving thread's */
    pthread_t thread;
    bool started;
    atomic_bool stop;
    char address[ADDR_MAX];
    pthread_mutex_t lock; /* guards what follows */
    hm_snapshot_t *latest;
    uint64_t latest_end;  /* the second latest's history ends in */
    uint64_t arrived_ns;  /* when latest arrived (CLOCK_MONOTONIC); 0: none yet */
    uint64_t period_ns;   /* the collector's refresh period as seen */
    uint64_t rejected;
    const char *why;
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* One message: topic frame, body frame (ZeroMQ delivers the parts of a
 * message together, so reading the body never waits). */
static void take_message(hm_remote_t *r)
{
    zmq_msg_t topic, body;
    zmq_msg_init(&topic);
    zmq_msg_init(&body);
    if (zmq_msg_recv(&topic, r->sock, ZMQ_DONTWAIT) < 0)
        goto out;
    const char *why = NULL;
    hm_snapshot_t *s = NULL;
    hm_snapcodec_info_t info;
    if (!zmq_msg_more(&topic) || zmq_msg_recv(&body, r->sock, ZMQ_DONTWAIT) < 0) {
        why = "a message without a body";
    } else if (zmq_msg_more(&body)) {
        why = "more than two frames";
        while (zmq_msg_more(&body) && zmq_msg_recv(&body, r->sock, ZMQ_DONTWAIT) >= 0) {
        }
    } else {
        hm_snapcodec_decode(zmq_msg_data(&body), zmq_msg_size(&body), &s, &info, &why);
    }
    uint64_t now = now_ns();
    pthread_mutex_lock(&r->lock);
    if (!s) {
        r->rejected++;
        r->why = why;
    } else {
        hm_snapcodec_merge_history(s, &info, r->latest, r->latest_end);
        if (r->latest && s->taken_ns > r->latest->taken_ns)
            r->period_ns = s->taken_ns - r->latest->taken_ns;
        hm_snapshot_t *old = r->latest;
        r->latest = s;
        r->latest_end = info.history_end;
        r->arrived_ns = now;
        s = old; /* released outside the lock */
    }
    pthread_mutex_unlock(&r->lock);
    hm_snapshot_release(&s);
out:
    zmq_msg_close(&topic);
    zmq_msg_close(&body);
}

static void *run(void *arg)
{
    hm_remote_t *r = arg;
    zmq_pollitem_t item = {r->sock, 0, ZMQ_POLLIN, 0};
    while (!atomic_load(&r->stop)) {
        if (zmq_poll(&item, 1, POLL_MS) < 0 && errno != EINTR)
            break;
        if (item.revents & ZMQ_POLLIN)
            take_message(r);
    }
    return NULL;
}

/* CURVE client keys from the environment; 0 when not asked for. */
static int curve_client(void *sock, char *why, size_t why_len)
{
    const char *server = getenv("HOTMON_CURVE_SERVER_KEY");
    if (!server || !*server)
        return 0;
    const char *pub = getenv("HOTMON_CURVE_PUBLIC_KEY"), *sec = getenv("HOTMON_CURVE_SECRET_KEY");
    if (!pub || !sec || strlen(pub) != 40 || strlen(sec) != 40 || strlen(server) != 40) {
        snprintf(why, why_len, "CURVE: HOTMON_CURVE_SERVER_KEY, HOTMON_CURVE_PUBLIC_KEY and "
                               "HOTMON_CURVE_SECRET_KEY must each be a 40-character Z85 key");
        return EINVAL;
    }
    if (zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, server, 40) != 0 ||
        zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, pub, 40) != 0 ||
        zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, sec, 40) != 0) {
        int rc = errno;
        snprintf(why, why_len, "CURVE: %s", zmq_strerror(rc));
        return rc;
    }
    return 0;
}

int hm_remote_new(void *zmq_ctx, const char *addr, hm_remote_t **out, char *why, size_t why_len)
{
    hm_remote_t *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(why, why_len, "out of memory");
        return ENOMEM;
    }
    pthread_mutex_init(&r->lock, NULL);
    snprintf(r->address, sizeof r->address, "%s", addr);
    int rc = 0;
    if (!(r->sock = zmq_socket(zmq_ctx, ZMQ_SUB))) {
        rc = errno;
        snprintf(why, why_len, "%s", zmq_strerror(rc));
        goto fail;
    }
    int64_t maxmsg = HM_SNAPCODEC_MAX;
    int hwm = 8, linger = 0, ivl = 100, ivl_max = 1000;
    zmq_setsockopt(r->sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
    zmq_setsockopt(r->sock, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(r->sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(r->sock, ZMQ_RECONNECT_IVL, &ivl, sizeof ivl);
    zmq_setsockopt(r->sock, ZMQ_RECONNECT_IVL_MAX, &ivl_max, sizeof ivl_max);
    zmq_setsockopt(r->sock, ZMQ_SUBSCRIBE, HM_SNAPCODEC_TOPIC, strlen(HM_SNAPCODEC_TOPIC));
    if ((rc = curve_client(r->sock, why, why_len)))
        goto fail;
    bool valid = hm_address_zmq_valid(addr);
    if (!valid || zmq_connect(r->sock, addr) != 0) {
        rc = !valid || errno == EPROTONOSUPPORT || errno == ENOENT ? EINVAL : errno;
        snprintf(why, why_len, "not a valid ZeroMQ address (tcp://HOST:PORT or ipc://PATH)");
        goto fail;
    }
    if (pthread_create(&r->thread, NULL, run, r) != 0) {
        rc = EAGAIN;
        snprintf(why, why_len, "cannot start the receiving thread");
        goto fail;
    }
    r->started = true;
    *out = r;
    return 0;
fail:
    hm_remote_destroy(&r);
    return rc;
}

void hm_remote_destroy(hm_remote_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    hm_remote_t *r = *self_p;
    if (r->started) {
        atomic_store(&r->stop, true);
        pthread_join(r->thread, NULL);
    }
    if (r->sock)
        zmq_close(r->sock);
    hm_snapshot_release(&r->latest);
    pthread_mutex_destroy(&r->lock);
    free(r);
    *self_p = NULL;
}

hm_snapshot_t *hm_remote_snapshot(hm_remote_t *r)
{
    pthread_mutex_lock(&r->lock);
    hm_snapshot_t *s = r->latest ? hm_snapshot_ref(r->latest) : NULL;
    pthread_mutex_unlock(&r->lock);
    return s;
}

int64_t hm_remote_age_ms(hm_remote_t *r)
{
    pthread_mutex_lock(&r->lock);
    uint64_t at = r->arrived_ns;
    pthread_mutex_unlock(&r->lock);
    return at ? (int64_t)((now_ns() - at) / 1000000ull) : -1;
}

bool hm_remote_stale(hm_remote_t *r)
{
    pthread_mutex_lock(&r->lock);
    uint64_t at = r->arrived_ns, limit = 3 * (r->period_ns ? r->period_ns : 1000000000ull);
    pthread_mutex_unlock(&r->lock);
    if (limit < STALE_MIN_NS)
        limit = STALE_MIN_NS;
    return at && now_ns() - at > limit;
}

uint64_t hm_remote_rejected(hm_remote_t *r, const char **why)
{
    pthread_mutex_lock(&r->lock);
    uint64_t n = r->rejected;
    if (why)
        *why = r->why;
    pthread_mutex_unlock(&r->lock);
    return n;
}

static hm_snapshot_t *source_take(void *arg)
{
    return hm_remote_snapshot(arg);
}

/* "remote ADDR", then " (no data yet...)" or " STALE 12s": the status line's
 * label, which table.c also reads for its empty-table hint. */
static void source_label(void *arg, char *buf, size_t n)
{
    hm_remote_t *r = arg;
    int64_t age = hm_remote_age_ms(r);
    const char *why = NULL;
    hm_remote_rejected(r, &why);
    if (age < 0)
        snprintf(buf, n, "remote %s (no data yet%s%s)", r->address, why ? ": " : "",
                 why ? why : "");
    else if (hm_remote_stale(r))
        snprintf(buf, n, "remote %s STALE %llds", r->address, (long long)(age / 1000));
    else
        snprintf(buf, n, "remote %s", r->address);
}

hm_ui_source_t hm_remote_source(hm_remote_t *r)
{
    return (hm_ui_source_t){.take = source_take, .reset = NULL, .arg = r, .name = r->address,
                            .label = source_label};
}
