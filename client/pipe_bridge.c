/*
 * pipe_bridge.c - one line of hotmon-pipe's input into libhotmon calls (see
 * pipe_bridge.h). Declarations go through hm_endpoint/hm_phase/hm_gauge/
 * hm_counter, which find a name already declared, so the bridge keeps no
 * name table of its own; only gauge values, for +N/-N changes.
 */
#include "pipe_bridge.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pipe_statsd.h"

/* Most samples one sampled timer line stands for (@0.001 would be 1000). */
#define SAMPLED_MAX 1000

struct hm_pipe_bridge {
    hm_client_t *client; /* borrowed */
    hm_jsonline_keys_t keys;
    hm_pipe_format_t format;
    hm_pipe_counts_t counts;
    hm_jsonline_t rec;                     /* scratch, large: kept off the stack */
    int64_t *gauge[HM_CLIENT_METRICS_MAX]; /* last value per endpoint, by need; owned */
};

int hm_pipe_bridge_new(hm_client_t *client, const hm_jsonline_keys_t *keys, hm_pipe_format_t format,
                       hm_pipe_bridge_t **out)
{
    hm_pipe_bridge_t *b = calloc(1, sizeof *b);
    if (!b)
        return ENOMEM;
    b->client = client;
    b->keys = *keys;
    b->format = format;
    *out = b;
    return 0;
}

void hm_pipe_bridge_destroy(hm_pipe_bridge_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    for (size_t i = 0; i < HM_CLIENT_METRICS_MAX; i++)
        free((*self_p)->gauge[i]);
    free(*self_p);
    *self_p = NULL;
}

void hm_pipe_bridge_counts(const hm_pipe_bridge_t *b, hm_pipe_counts_t *out)
{
    *out = b->counts;
}

/* Declares name[0..len) (cut to HM_NAME_MAX) as an endpoint. */
static int endpoint_of(hm_pipe_bridge_t *b, const char *name, size_t len, hm_endpoint_t *ep)
{
    char buf[HM_NAME_MAX + 1];
    if (len > HM_NAME_MAX) {
        len = HM_NAME_MAX;
        while (len > 0 && ((unsigned char)name[len] & 0xC0) == 0x80)
            len--;
        b->counts.names_cut++;
    }
    memcpy(buf, name, len);
    buf[len] = '\0';
    return hm_endpoint(b->client, buf, ep);
}

static hm_pipe_result_t bad(hm_pipe_bridge_t *b, const char **why, const char *msg)
{
    b->counts.bad++;
    if (why)
        *why = msg;
    return HM_PIPE_BAD;
}

static hm_pipe_result_t over_cap(hm_pipe_bridge_t *b, const char **why)
{
    b->counts.over_cap++;
    return bad(b, why,
               "more names than the client can declare (4096 endpoints, 64 phases "
               "and 64 metrics)");
}

static hm_pipe_result_t json_line(hm_pipe_bridge_t *b, const char *line, size_t len,
                                  const char **why)
{
    hm_jsonline_t *r = &b->rec;
    const char *reason = NULL;
    int rc = hm_jsonline_parse(&b->keys, line, len, r, &reason);
    if (rc == ENOENT) {
        b->counts.skipped++;
        return HM_PIPE_SKIPPED;
    }
    if (rc)
        return bad(b, why, reason);
    hm_endpoint_t ep;
    hm_phase_t phase[HM_SPAN_PHASES_MAX];
    uint64_t phase_ns[HM_SPAN_PHASES_MAX];
    if (hm_endpoint(b->client, r->endpoint, &ep) != 0)
        return over_cap(b, why);
    for (unsigned i = 0; i < r->nphases; i++) {
        if (hm_phase(b->client, r->phase[i].name, &phase[i]) != 0)
            return over_cap(b, why);
        phase_ns[i] = r->phase[i].ns;
    }
    hm_sample_t s = {.duration_ns = r->duration_ns,
                     .status = r->status,
                     .request_id = r->request_id[0] ? r->request_id : NULL,
                     .nphases = r->nphases,
                     .phase = phase,
                     .phase_ns = phase_ns};
    hm_record_sample(b->client, ep, &s);
    b->counts.samples++;
    b->counts.published++;
    b->counts.names_cut += r->names_cut;
    b->counts.phases_dropped += r->phases_dropped;
    return HM_PIPE_PUBLISHED;
}

/* Splits a counter or gauge name at its last dot: endpoint "a.b", metric "c";
 * no dot (or a dot at either end): the whole name and fallback. */
static void split_metric(const hm_statsd_t *m, const char *fallback, size_t *ep_len,
                         char metric[HM_NAME_MAX + 1])
{
    const char *dot = NULL;
    for (size_t i = m->name_len; i-- > 0;) {
        if (m->name[i] == '.') {
            dot = m->name + i;
            break;
        }
    }
    size_t mlen = dot ? m->name_len - (size_t)(dot - m->name) - 1 : 0;
    if (!dot || dot == m->name || mlen == 0 || mlen > HM_NAME_MAX) {
        *ep_len = m->name_len;
        strcpy(metric, fallback);
        return;
    }
    *ep_len = (size_t)(dot - m->name);
    memcpy(metric, dot + 1, mlen);
    metric[mlen] = '\0';
}

static hm_pipe_result_t metric_line(hm_pipe_bridge_t *b, const hm_statsd_t *m, const char **why)
{
    bool counter = m->type == HM_STATSD_COUNTER;
    size_t ep_len;
    char name[HM_NAME_MAX + 1];
    split_metric(m, counter ? "count" : "value", &ep_len, name);
    if (counter && m->value < 0)
        return bad(b, why, "negative counter: hotmon counters only grow");
    double v = counter ? m->value / m->sample_rate : m->value;
    if (fabs(v) > 9e18)
        return bad(b, why, "value beyond 64-bit integers");
    hm_endpoint_t ep;
    hm_metric_t id;
    if (endpoint_of(b, m->name, ep_len, &ep) != 0 ||
        (counter ? hm_counter(b->client, name, &id) : hm_gauge(b->client, name, &id)) != 0)
        return over_cap(b, why);
    if (counter) {
        hm_counter_add(b->client, ep, id, (uint64_t)llround(v));
        b->counts.counters++;
    } else {
        if (!b->gauge[id] && !(b->gauge[id] = calloc(HM_CLIENT_ENDPOINTS_MAX, sizeof(int64_t))))
            return bad(b, why, "out of memory");
        int64_t *last = &b->gauge[id][ep];
        /* Wraps like the collector's sums, never overflows. */
        *last = m->delta ? (int64_t)((uint64_t)*last + (uint64_t)llround(v)) : llround(v);
        hm_gauge_set(b->client, ep, id, *last);
        b->counts.gauges++;
    }
    b->counts.published++;
    return HM_PIPE_PUBLISHED;
}

static hm_pipe_result_t statsd_line(hm_pipe_bridge_t *b, const char *line, size_t len,
                                    const char **why)
{
    hm_statsd_t m;
    const char *reason = NULL;
    if (hm_statsd_parse(line, len, &m, &reason) != 0) {
        /* In auto mode, text that does not even look like statsd is a log line. */
        if (b->format == HM_PIPE_AUTO && (!memchr(line, ':', len) || !memchr(line, '|', len))) {
            b->counts.skipped++;
            return HM_PIPE_SKIPPED;
        }
        return bad(b, why, reason);
    }
    if (m.type == HM_STATSD_SET) {
        b->counts.skipped++;
        return HM_PIPE_SKIPPED;
    }
    if (m.type != HM_STATSD_TIMER)
        return metric_line(b, &m, why);
    hm_endpoint_t ep;
    if (endpoint_of(b, m.name, m.name_len, &ep) != 0)
        return over_cap(b, why);
    double copies = round(1 / m.sample_rate);
    unsigned n = copies > SAMPLED_MAX ? SAMPLED_MAX : copies < 1 ? 1 : (unsigned)copies;
    uint64_t ns = (uint64_t)llround(fmin(m.value * 1e6, 1e18));
    for (unsigned i = 0; i < n; i++)
        hm_record(b->client, ep, ns, 0);
    b->counts.samples += n;
    b->counts.published++;
    return HM_PIPE_PUBLISHED;
}

hm_pipe_result_t hm_pipe_bridge_line(hm_pipe_bridge_t *b, const char *line, size_t len,
                                     const char **why)
{
    b->counts.lines++;
    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    bool blank = i == len || line[i] == '\n' || line[i] == '\r';
    if (blank) {
        b->counts.skipped++;
        return HM_PIPE_SKIPPED;
    }
    bool json = line[i] == '{';
    if (b->format == HM_PIPE_JSON || (b->format == HM_PIPE_AUTO && json)) {
        if (!json) {
            b->counts.skipped++;
            return HM_PIPE_SKIPPED;
        }
        return json_line(b, line + i, len - i, why);
    }
    return statsd_line(b, line, len, why);
}
