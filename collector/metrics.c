/*
 * metrics.c - Prometheus /metrics (see metrics.h): the text exposition of a
 * snapshot, and the HTTP server (libmicrohttpd) that serves it.
 */
#include "metrics.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "address.h"

#define ADDR_MAX 300

struct hm_metrics {
    struct MHD_Daemon *d;
    hm_collector_t *c;
    int fd;
    char address[ADDR_MAX];
};

/* --- the text format -------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t len = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3
                 : (s[0] & 0xf8) == 0xf0 ? 4 : 0;
    if (!len || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    uint32_t cp = len == 1 ? s[0] : s[0] & (0x7f >> len);
    for (size_t i = 1; i < len; i++)
        cp = cp << 6 | (s[i] & 0x3f);
    static const uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < least[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0; /* overlong, beyond Unicode, or a surrogate */
    return len;
}

/* A label value: backslash, quote and newline escaped as the format says,
 * invalid UTF-8 replaced, so any name off the wire gives a valid line. */
static void put_label(FILE *out, const char *name)
{
    const unsigned char *s = (const unsigned char *)name;
    size_t n = strlen(name);
    for (size_t i = 0; i < n;) {
        size_t l = utf8_len(s + i, n - i);
        if (!l) {
            fputs("\xef\xbf\xbd", out);
            i++;
        } else if (s[i] == '\\' || s[i] == '"') {
            fputc('\\', out);
            fputc(s[i++], out);
        } else if (s[i] == '\n') {
            fputs("\\n", out);
            i++;
        } else {
            fwrite(s + i, 1, l, out);
            i += l;
        }
    }
}

static void head(FILE *out, const char *name, const char *type, const char *help)
{
    fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One series per endpoint: name{endpoint="..."} value. */
typedef uint64_t (*ep_value_t)(const hm_snap_endpoint_t *e);

static uint64_t ep_requests(const hm_snap_endpoint_t *e) { return e->win[HM_WIN_ALL].count; }
static uint64_t ep_errors(const hm_snap_endpoint_t *e) { return e->win[HM_WIN_ALL].errors; }

static void per_endpoint(FILE *out, const hm_snapshot_t *s, const char *name, ep_value_t v)
{
    for (size_t i = 0; i < s->nendpoints; i++) {
        fprintf(out, "%s{endpoint=\"", name);
        put_label(out, s->endpoints[i].name);
        fprintf(out, "\"} %llu\n", (unsigned long long)v(&s->endpoints[i]));
    }
}

static void per_endpoint_gauge(FILE *out, const hm_snapshot_t *s, const char *name, bool queue)
{
    for (size_t i = 0; i < s->nendpoints; i++) {
        const hm_snap_endpoint_t *e = &s->endpoints[i];
        fprintf(out, "%s{endpoint=\"", name);
        put_label(out, e->name);
        fprintf(out, "\"} %lld\n", (long long)(queue ? e->queue.now : e->inflight.now));
    }
}

/* A bound of 2^b ns in seconds: exact with nine decimals, zeros trimmed
 * ("0.000008192", "68.719476736"), so every scrape gives the same label. */
static void le_label(int b, char *buf, size_t n)
{
    uint64_t ns = 1ull << b;
    int len = snprintf(buf, n, "%llu.%09llu", (unsigned long long)(ns / 1000000000ull),
                       (unsigned long long)(ns % 1000000000ull));
    while (len > 0 && buf[len - 1] == '0')
        buf[--len] = '\0';
    if (len > 0 && buf[len - 1] == '.')
        buf[--len] = '\0';
}

static void histogram(FILE *out, const hm_snapshot_t *s)
{
    const char *name = "hotmon_request_duration_seconds";
    head(out, name, "histogram", "Request latency since the collector started, in seconds.");
    for (size_t i = 0; i < s->nendpoints; i++) {
        const hm_snap_stats_t *st = &s->endpoints[i].win[HM_WIN_ALL];
        /* octaves[k] counts values in [2^(9+k), 2^(10+k)) ns (k = 0: below
         * 2^10), so the sum of octaves[0..k] is the count below 2^(10+k). */
        uint64_t below = 0;
        size_t k = 0;
        for (int b = HM_METRICS_LE_FIRST; b <= HM_METRICS_LE_LAST; b++) {
            for (; k <= (size_t)(b - 10); k++)
                below += st->octaves[k];
            fprintf(out, "%s_bucket{endpoint=\"", name);
            put_label(out, s->endpoints[i].name);
            char le[32];
            le_label(b, le, sizeof le);
            fprintf(out, "\",le=\"%s\"} %llu\n", le, (unsigned long long)below);
        }
        fprintf(out, "%s_bucket{endpoint=\"", name);
        put_label(out, s->endpoints[i].name);
        fprintf(out, "\",le=\"+Inf\"} %llu\n", (unsigned long long)st->count);
        fprintf(out, "%s_sum{endpoint=\"", name);
        put_label(out, s->endpoints[i].name);
        fprintf(out, "\"} %.9f\n", (double)st->sum_ns / 1e9);
        fprintf(out, "%s_count{endpoint=\"", name);
        put_label(out, s->endpoints[i].name);
        fprintf(out, "\"} %llu\n", (unsigned long long)st->count);
    }
}

/* The collector's own counters: the table is the master copy for the names. */
#define CO(f) offsetof(hm_snap_counters_t, f)
static const struct {
    const char *name, *type, *help;
    size_t off;
} collector_series[] = {
    {"hotmon_collector_frames_total", "counter", "Frames accepted.", CO(frames)},
    {"hotmon_collector_samples_total", "counter", "Samples ingested.", CO(samples)},
    {"hotmon_collector_lost_frames_total", "counter", "Frames lost in transit (sequence gaps).",
     CO(lost)},
    {"hotmon_collector_client_dropped_samples_total", "counter",
     "Samples clients dropped (full buffers, collector away), as they reported.", CO(client_drops)},
    {"hotmon_collector_senders", "gauge", "Senders heard from within the expiry time.",
     CO(senders_live)},
    {"hotmon_collector_senders_expired_total", "counter", "Senders forgotten after silence.",
     CO(senders_expired)},
    {"hotmon_collector_senders_refused_total", "counter",
     "Frames from new senders beyond the sender cap.", CO(senders_refused)},
    {"hotmon_collector_endpoints", "gauge", "Endpoints known, the (other) row included.",
     CO(endpoints)},
    {"hotmon_collector_names_folded_total", "counter",
     "Endpoint names beyond the cap, folded into (other).", CO(names_folded)},
    {"hotmon_collector_names_cut_total", "counter", "Names cut to 128 bytes.", CO(names_cut)},
    {"hotmon_collector_values_clamped_total", "counter", "Durations outside 1 us .. 1 h.",
     CO(values_clamped)},
    {"hotmon_collector_unknown_ids_total", "counter", "Records naming an undeclared id.",
     CO(unknown_ids)},
    {"hotmon_collector_unknown_records_total", "counter", "Records of an unknown type, skipped.",
     CO(unknown_records)},
    {"hotmon_collector_auth_failures_total", "counter",
     "Connections refused by CURVE authentication.", CO(auth_failures)},
};
#undef CO

static void collector_counters(FILE *out, const hm_snapshot_t *s)
{
    for (size_t i = 0; i < sizeof collector_series / sizeof collector_series[0]; i++) {
        uint64_t v;
        memcpy(&v, (const char *)&s->counters + collector_series[i].off, sizeof v);
        head(out, collector_series[i].name, collector_series[i].type, collector_series[i].help);
        fprintf(out, "%s %llu\n", collector_series[i].name, (unsigned long long)v);
    }
    const char *rej = "hotmon_collector_rejected_frames_total";
    head(out, rej, "counter", "Frames rejected, by reason.");
    for (int r = 1; r < HM_WIRE_ERR__COUNT; r++)
        fprintf(out, "%s{reason=\"%s\"} %llu\n", rej, hm_wire_err_str((hm_wire_err_t)r),
                (unsigned long long)s->counters.rejected_by[r]);
    head(out, "hotmon_collector_uptime_seconds", "gauge", "Seconds since the collector started.");
    fprintf(out, "hotmon_collector_uptime_seconds %.3f\n", (double)s->uptime_ns / 1e9);
}

int hm_metrics_render(const hm_snapshot_t *s, FILE *out)
{
    head(out, "hotmon_requests_total", "counter", "Requests per endpoint since the collector started.");
    per_endpoint(out, s, "hotmon_requests_total", ep_requests);
    head(out, "hotmon_errors_total", "counter",
         "Requests that ended in an error status, per endpoint.");
    per_endpoint(out, s, "hotmon_errors_total", ep_errors);
    histogram(out, s);
    head(out, "hotmon_inflight", "gauge", "Requests in flight, summed over live senders.");
    per_endpoint_gauge(out, s, "hotmon_inflight", false);
    head(out, "hotmon_queue_depth", "gauge", "Queue depth, summed over live senders.");
    per_endpoint_gauge(out, s, "hotmon_queue_depth", true);
    collector_counters(out, s);
    return ferror(out) ? EIO : 0;
}

/* --- HTTP ----------------------------------------------------------------- */

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_len, void **con_cls)
{
    hm_metrics_t *m = cls;
    struct MHD_Response *r;
    unsigned code = MHD_HTTP_OK;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        static const char msg[] = "only GET\n";
        r = MHD_create_response_from_buffer(sizeof msg - 1, (void *)msg, MHD_RESPMEM_PERSISTENT);
        code = MHD_HTTP_METHOD_NOT_ALLOWED;
    } else if (strcmp(url, "/metrics") != 0) {
        static const char msg[] = "hotmon-collector: the metrics are at /metrics\n";
        r = MHD_create_response_from_buffer(sizeof msg - 1, (void *)msg, MHD_RESPMEM_PERSISTENT);
        code = MHD_HTTP_NOT_FOUND;
    } else {
        char *text = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&text, &len);
        hm_snapshot_t *s = hm_collector_snapshot(m->c);
        int rc = out ? hm_metrics_render(s, out) : ENOMEM;
        hm_snapshot_release(&s);
        if (out)
            fclose(out);
        if (rc || !text) {
            free(text);
            static const char msg[] = "out of memory\n";
            r = MHD_create_response_from_buffer(sizeof msg - 1, (void *)msg,
                                                MHD_RESPMEM_PERSISTENT);
            code = MHD_HTTP_INTERNAL_SERVER_ERROR;
        } else {
            r = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
            if (r)
                MHD_add_response_header(r, "Content-Type",
                                        "text/plain; version=0.0.4; charset=utf-8");
            else
                free(text);
        }
    }
    if (!r)
        return MHD_NO;
    enum MHD_Result ret = MHD_queue_response(conn, code, r);
    MHD_destroy_response(r);
    return ret;
}

/* Splits "HOST:PORT" or "[V6]:PORT" into host and port. */
static bool split(const char *hp, char *host, size_t n, const char **port)
{
    const char *colon = strrchr(hp, ':');
    if (!colon || !colon[1])
        return false;
    const char *h = hp;
    size_t len = (size_t)(colon - hp);
    if (len >= 2 && hp[0] == '[' && hp[len - 1] == ']') {
        h++;
        len -= 2;
    }
    if (len == 0 || len >= n)
        return false;
    memcpy(host, h, len);
    host[len] = '\0';
    *port = colon + 1;
    return true;
}

static int listen_on(const char *host_port, int *fd_out, char *bound, char *why, size_t why_len)
{
    char host[256];
    const char *port;
    if (!split(host_port, host, sizeof host, &port) || !hm_address_port_valid(port)) {
        snprintf(why, why_len, "not HOST:PORT (PORT 0 to 65535)");
        return EINVAL;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV}, *res;
    int g = getaddrinfo(host, port, &hints, &res);
    if (g) {
        snprintf(why, why_len, "%s", gai_strerror(g));
        return EINVAL;
    }
    int fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
    int rc = fd < 0 ? errno : 0, one = 1;
    if (!rc)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (!rc && (bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 64) != 0))
        rc = errno;
    freeaddrinfo(res);
    if (rc) {
        snprintf(why, why_len, "%s", strerror(rc));
        if (fd >= 0)
            close(fd);
        return rc;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    char ip[INET6_ADDRSTRLEN] = "?";
    unsigned p = 0;
    if (ss.ss_family == AF_INET6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof ip);
        p = ntohs(a->sin6_port);
        snprintf(bound, ADDR_MAX, "[%s]:%u", ip, p);
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
        p = ntohs(a->sin_port);
        snprintf(bound, ADDR_MAX, "%s:%u", ip, p);
    }
    *fd_out = fd;
    return 0;
}

int hm_metrics_start(hm_collector_t *c, const char *host_port, hm_metrics_t **out, char *why,
                     size_t why_len)
{
    hm_metrics_t *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(why, why_len, "out of memory");
        return ENOMEM;
    }
    m->c = c;
    int rc = listen_on(host_port, &m->fd, m->address, why, why_len);
    if (rc) {
        free(m);
        return rc;
    }
    m->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, 0, NULL, NULL, answer,
                            m, MHD_OPTION_LISTEN_SOCKET, m->fd, MHD_OPTION_CONNECTION_TIMEOUT,
                            (unsigned)10, MHD_OPTION_END);
    if (!m->d) {
        snprintf(why, why_len, "cannot start the HTTP server");
        close(m->fd);
        free(m);
        return EIO;
    }
    *out = m;
    return 0;
}

const char *hm_metrics_address(const hm_metrics_t *m)
{
    return m->address;
}

void hm_metrics_stop(hm_metrics_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    hm_metrics_t *m = *self_p;
    MHD_stop_daemon(m->d); /* closes the listening socket it was given */
    free(m);
    *self_p = NULL;
}
