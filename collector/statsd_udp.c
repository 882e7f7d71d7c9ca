/*
 * statsd_udp.c - statsd over UDP into the collector (see statsd_udp.h).
 */
#include "statsd_udp.h"

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "address.h"
#include "hotmon.h"

#define DATAGRAM_MAX 65536

struct hm_statsd_udp {
    int fd;
    pthread_t thread;
    bool started;
    atomic_bool stop;
    hm_client_t *client;
    hm_pipe_bridge_t *bridge;      /* the thread's alone */
    pthread_mutex_t lock;          /* guards counts and datagrams */
    hm_pipe_counts_t counts;
    unsigned long long datagrams;
    char address[300];
};

static void *run(void *arg)
{
    hm_statsd_udp_t *s = arg;
    char *buf = malloc(DATAGRAM_MAX);
    if (!buf)
        return NULL;
    while (!atomic_load(&s->stop)) {
        ssize_t n = recv(s->fd, buf, DATAGRAM_MAX, 0);
        if (n <= 0)
            continue; /* the 200 ms time-out: look at the stop flag */
        for (char *p = buf, *end = buf + n; p < end;) {
            char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t len = (size_t)((nl ? nl : end) - p);
            const char *why;
            if (len)
                hm_pipe_bridge_line(s->bridge, p, len, &why);
            p += len + 1;
        }
        pthread_mutex_lock(&s->lock);
        hm_pipe_bridge_counts(s->bridge, &s->counts);
        s->datagrams++;
        pthread_mutex_unlock(&s->lock);
    }
    free(buf);
    return NULL;
}

/* "HOST:PORT" (or "[v6]:PORT") into a bound UDP socket; -1 with why. */
static int bind_udp(const char *hostport, char *addr, size_t addr_len, char *why, size_t why_len)
{
    const char *colon = strrchr(hostport, ':');
    char host[256];
    if (!colon || colon == hostport || !hm_address_port_valid(colon + 1) ||
        (size_t)(colon - hostport) >= sizeof host) {
        snprintf(why, why_len, "'%s' is not HOST:PORT (PORT 0 to 65535)", hostport);
        errno = EINVAL;
        return -1;
    }
    size_t hn = (size_t)(colon - hostport);
    if (hostport[0] == '[' && hn > 2 && hostport[hn - 1] == ']') {
        memcpy(host, hostport + 1, hn - 2);
        host[hn - 2] = '\0';
    } else {
        memcpy(host, hostport, hn);
        host[hn] = '\0';
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM,
                             .ai_flags = AI_NUMERICSERV}, *res;
    int rc = getaddrinfo(host, colon + 1, &hints, &res);
    if (rc != 0) {
        snprintf(why, why_len, "'%s': %s", hostport, gai_strerror(rc));
        errno = EINVAL;
        return -1;
    }
    int fd = socket(res->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, res->ai_addr, res->ai_addrlen) != 0) {
        int e = errno;
        snprintf(why, why_len, "cannot listen on UDP %s: %s", hostport, strerror(e));
        if (fd >= 0)
            close(fd);
        freeaddrinfo(res);
        errno = e;
        return -1;
    }
    freeaddrinfo(res);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    char h[NI_MAXHOST], p[NI_MAXSERV];
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0 &&
        getnameinfo((struct sockaddr *)&ss, sl, h, sizeof h, p, sizeof p,
                    NI_NUMERICHOST | NI_NUMERICSERV) == 0)
        snprintf(addr, addr_len, strchr(h, ':') ? "[%s]:%s" : "%s:%s", h, p);
    /* A time-out, so the thread sees the stop flag; a big buffer, so a burst
     * of datagrams waits in the kernel rather than being lost. */
    struct timeval tv = {0, 200000};
    int rcvbuf = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    return fd;
}

int hm_statsd_udp_start(const char *hostport, const char *ingest, hm_statsd_udp_t **out,
                        char *why, size_t why_len)
{
    hm_statsd_udp_t *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(why, why_len, "out of memory");
        return ENOMEM;
    }
    pthread_mutex_init(&s->lock, NULL);
    s->fd = bind_udp(hostport, s->address, sizeof s->address, why, why_len);
    if (s->fd < 0) {
        int e = errno;
        hm_statsd_udp_stop(&s);
        return e;
    }
    hm_options_t o = {.endpoint = ingest, .service = "statsd", .close_timeout_ms = 1000};
    hm_jsonline_keys_t keys;
    hm_jsonline_keys_default(&keys); /* unused by statsd lines; a bridge takes them */
    int rc = hm_open(&o, &s->client);
    if (rc == 0)
        rc = hm_pipe_bridge_new(s->client, &keys, HM_PIPE_STATSD, &s->bridge);
    if (rc == 0 && pthread_create(&s->thread, NULL, run, s) != 0)
        rc = EAGAIN;
    if (rc != 0) {
        snprintf(why, why_len, "cannot start the statsd listener: %s", strerror(rc));
        hm_statsd_udp_stop(&s);
        return rc;
    }
    s->started = true;
    *out = s;
    return 0;
}

void hm_statsd_udp_stop(hm_statsd_udp_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    hm_statsd_udp_t *s = *self_p;
    if (s->started) {
        atomic_store(&s->stop, true);
        pthread_join(s->thread, NULL);
    }
    hm_pipe_bridge_destroy(&s->bridge);
    hm_close(&s->client); /* flushes what was parsed */
    if (s->fd >= 0)
        close(s->fd);
    pthread_mutex_destroy(&s->lock);
    free(s);
    *self_p = NULL;
}

const char *hm_statsd_udp_address(const hm_statsd_udp_t *s)
{
    return s->address;
}

void hm_statsd_udp_counts(hm_statsd_udp_t *s, hm_pipe_counts_t *out, unsigned long long *datagrams)
{
    pthread_mutex_lock(&s->lock);
    *out = s->counts;
    *datagrams = s->datagrams;
    pthread_mutex_unlock(&s->lock);
}
