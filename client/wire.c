/*
 * wire.c - the frame codec of protocol v1 (see wire.h and docs/protocol.md).
 *
 * The only place where frame bytes are read or written. The decoder checks a
 * whole frame in hm_wire_open before any of it is used, so a frame is applied
 * whole or not at all; hm_wire_next then decodes records already known good.
 */
#include "wire.h"

#include <assert.h>
#include <string.h>

static const char *const err_names[HM_WIRE_ERR__COUNT] = {
    [HM_WIRE_OK] = "ok",
    [HM_WIRE_ERR_SHORT] = "shorter than a header",
    [HM_WIRE_ERR_MAGIC] = "bad magic",
    [HM_WIRE_ERR_VERSION] = "unknown version",
    [HM_WIRE_ERR_FLAGS] = "reserved flags set",
    [HM_WIRE_ERR_TOO_BIG] = "frame too big",
    [HM_WIRE_ERR_TRUNCATED] = "truncated record",
    [HM_WIRE_ERR_COUNT] = "record count mismatch",
    [HM_WIRE_ERR_RECORD] = "malformed record",
};

const char *hm_wire_err_str(hm_wire_err_t err)
{
    return (unsigned)err < HM_WIRE_ERR__COUNT ? err_names[err] : "unknown error";
}

/* --- little-endian helpers ------------------------------------------------ */

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* --- encoding -------------------------------------------------------------- */

void hm_wire_begin(hm_wire_writer_t *w, uint8_t *buf, size_t cap, uint64_t sender, uint64_t seq)
{
    assert(w && buf && cap >= HM_WIRE_HEADER_SIZE);
    w->buf = buf;
    w->cap = cap > HM_WIRE_FRAME_MAX ? HM_WIRE_FRAME_MAX : cap;
    w->len = HM_WIRE_HEADER_SIZE;
    w->count = 0;
    buf[0] = 'H';
    buf[1] = 'M';
    buf[2] = HM_WIRE_VERSION;
    buf[3] = 0;
    put32(buf + 4, 0);
    put64(buf + 8, sender);
    put64(buf + 16, seq);
}

size_t hm_wire_end(hm_wire_writer_t *w)
{
    put32(w->buf + 4, w->count);
    return w->len;
}

/* Reserves a record of body length len; returns its body or NULL. */
static uint8_t *reserve(hm_wire_writer_t *w, hm_wire_type_t type, size_t len)
{
    if (len > UINT16_MAX || w->len + HM_WIRE_RECORD_HEADER_SIZE + len > w->cap)
        return NULL;
    uint8_t *p = w->buf + w->len;
    p[0] = (uint8_t)type;
    put16(p + 1, (uint16_t)len);
    w->len += HM_WIRE_RECORD_HEADER_SIZE + len;
    w->count++;
    return p + HM_WIRE_RECORD_HEADER_SIZE;
}

static uint8_t *put_str(uint8_t *p, hm_wire_str_t s)
{
    *p++ = s.len;
    if (s.len)
        memcpy(p, s.ptr, s.len);
    return p + s.len;
}

bool hm_wire_put_hello(hm_wire_writer_t *w, uint32_t pid, uint32_t heartbeat_ms,
                       hm_wire_str_t service, hm_wire_str_t host)
{
    uint8_t *p = reserve(w, HM_REC_HELLO, 8 + 1 + service.len + 1 + host.len);
    if (!p)
        return false;
    put32(p, pid);
    put32(p + 4, heartbeat_ms);
    put_str(put_str(p + 8, service), host);
    return true;
}

bool hm_wire_put_decl(hm_wire_writer_t *w, hm_wire_type_t type, uint16_t id, hm_wire_str_t name)
{
    assert(type == HM_REC_ENDPOINT || type == HM_REC_PHASE);
    uint8_t *p = reserve(w, type, 2 + 1 + name.len);
    if (!p)
        return false;
    put16(p, id);
    put_str(p + 2, name);
    return true;
}

bool hm_wire_put_metric(hm_wire_writer_t *w, uint16_t id, hm_wire_metric_kind_t kind,
                        hm_wire_str_t name)
{
    uint8_t *p = reserve(w, HM_REC_METRIC, 3 + 1 + name.len);
    if (!p)
        return false;
    put16(p, id);
    p[2] = (uint8_t)kind;
    put_str(p + 3, name);
    return true;
}

static size_t sample_len(const hm_wire_sample_t *s)
{
    size_t n = 13;
    if (s->has_delay)
        n += 8;
    if (s->nphases)
        n += 1 + 10u * s->nphases;
    if (s->request_id.len)
        n += 1 + s->request_id.len;
    return n;
}

bool hm_wire_put_sample(hm_wire_writer_t *w, const hm_wire_sample_t *s)
{
    assert(s->nphases <= HM_WIRE_PHASES_MAX);
    uint8_t *p = reserve(w, HM_REC_SAMPLE, sample_len(s));
    if (!p)
        return false;
    uint8_t flags = (uint8_t)((s->has_delay ? HM_SAMPLE_HAS_DELAY : 0) |
                              (s->nphases ? HM_SAMPLE_HAS_PHASES : 0) |
                              (s->request_id.len ? HM_SAMPLE_HAS_REQUEST_ID : 0));
    put16(p, s->endpoint);
    put16(p + 2, s->status);
    p[4] = flags;
    put64(p + 5, s->duration_ns);
    p += 13;
    if (s->has_delay) {
        put64(p, s->delay_ns);
        p += 8;
    }
    if (s->nphases) {
        *p++ = s->nphases;
        for (unsigned i = 0; i < s->nphases; i++, p += 10) {
            put16(p, s->phases[i].phase);
            put64(p + 2, s->phases[i].ns);
        }
    }
    if (s->request_id.len)
        put_str(p, s->request_id);
    return true;
}

static bool put_pair(hm_wire_writer_t *w, hm_wire_type_t type, uint16_t a, uint16_t b, uint64_t v)
{
    uint8_t *p = reserve(w, type, 12);
    if (!p)
        return false;
    put16(p, a);
    put16(p + 2, b);
    put64(p + 4, v);
    return true;
}

bool hm_wire_put_gauge(hm_wire_writer_t *w, uint16_t endpoint, uint16_t metric, int64_t value)
{
    return put_pair(w, HM_REC_GAUGE, endpoint, metric, (uint64_t)value);
}

bool hm_wire_put_counter(hm_wire_writer_t *w, uint16_t endpoint, uint16_t metric, uint64_t total)
{
    return put_pair(w, HM_REC_COUNTER, endpoint, metric, total);
}

bool hm_wire_put_drops(hm_wire_writer_t *w, uint64_t total)
{
    uint8_t *p = reserve(w, HM_REC_DROPS, 8);
    if (!p)
        return false;
    put64(p, total);
    return true;
}

bool hm_wire_put_heartbeat(hm_wire_writer_t *w)
{
    return reserve(w, HM_REC_HEARTBEAT, 0) != NULL;
}

hm_wire_str_t hm_wire_str(const char *s, bool *cut)
{
    size_t n = s ? strlen(s) : 0;
    bool was_cut = n > 255;
    if (was_cut) {
        n = 255;
        /* Back off continuation bytes so no character is cut in half. */
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    if (cut)
        *cut = was_cut;
    return (hm_wire_str_t){(const uint8_t *)s, (uint8_t)n};
}

/* --- decoding -------------------------------------------------------------- */

/* Reads a str8 at *off inside body[0..len); false when it overruns. */
static bool get_str(const uint8_t *body, size_t len, size_t *off, hm_wire_str_t *out)
{
    if (*off >= len || body[*off] > len - *off - 1)
        return false;
    out->len = body[*off];
    out->ptr = body + *off + 1;
    *off += 1 + out->len;
    return true;
}

/* Decodes one record body; false when it is malformed. Unknown types are
 * returned raw, which is not an error. */
static bool parse(uint8_t type, const uint8_t *b, size_t len, hm_wire_record_t *rec)
{
    size_t off = 0;
    rec->type = (hm_wire_type_t)type;
    switch (type) {
    case HM_REC_HELLO:
        if (len < 8)
            return false;
        rec->u.hello.pid = get32(b);
        rec->u.hello.heartbeat_ms = get32(b + 4);
        off = 8;
        return get_str(b, len, &off, &rec->u.hello.service) &&
               get_str(b, len, &off, &rec->u.hello.host) && off == len;
    case HM_REC_ENDPOINT:
    case HM_REC_PHASE:
        if (len < 2)
            return false;
        rec->u.decl.id = get16(b);
        off = 2;
        return get_str(b, len, &off, &rec->u.decl.name) && off == len;
    case HM_REC_METRIC:
        if (len < 3)
            return false;
        rec->u.metric.id = get16(b);
        rec->u.metric.kind = b[2];
        off = 3;
        return (b[2] == HM_METRIC_GAUGE || b[2] == HM_METRIC_COUNTER) &&
               get_str(b, len, &off, &rec->u.metric.name) && off == len;
    case HM_REC_SAMPLE: {
        hm_wire_sample_t *s = &rec->u.sample;
        if (len < 13)
            return false;
        uint8_t flags = b[4];
        if (flags & ~(HM_SAMPLE_HAS_DELAY | HM_SAMPLE_HAS_PHASES | HM_SAMPLE_HAS_REQUEST_ID))
            return false;
        s->endpoint = get16(b);
        s->status = get16(b + 2);
        s->duration_ns = get64(b + 5);
        off = 13;
        s->has_delay = flags & HM_SAMPLE_HAS_DELAY;
        s->delay_ns = 0;
        if (s->has_delay) {
            if (len - off < 8)
                return false;
            s->delay_ns = get64(b + off);
            off += 8;
        }
        s->nphases = 0;
        if (flags & HM_SAMPLE_HAS_PHASES) {
            if (off >= len)
                return false;
            uint8_t n = b[off++];
            if (n == 0 || n > HM_WIRE_PHASES_MAX || (size_t)n * 10 > len - off)
                return false;
            for (unsigned i = 0; i < n; i++, off += 10) {
                s->phases[i].phase = get16(b + off);
                s->phases[i].ns = get64(b + off + 2);
            }
            s->nphases = n;
        }
        s->request_id = (hm_wire_str_t){NULL, 0};
        if (flags & HM_SAMPLE_HAS_REQUEST_ID) {
            if (!get_str(b, len, &off, &s->request_id) || s->request_id.len == 0)
                return false;
        }
        return off == len;
    }
    case HM_REC_GAUGE:
    case HM_REC_COUNTER:
        if (len != 12)
            return false;
        /* gauge and counter share their layout */
        rec->u.counter.endpoint = get16(b);
        rec->u.counter.metric = get16(b + 2);
        rec->u.counter.total = get64(b + 4);
        return true;
    case HM_REC_DROPS:
        if (len != 8)
            return false;
        rec->u.drops.total = get64(b);
        return true;
    case HM_REC_HEARTBEAT:
        return len == 0;
    default:
        rec->u.raw.ptr = b;
        rec->u.raw.len = (uint16_t)len;
        return true;
    }
}

hm_wire_err_t hm_wire_open(hm_wire_reader_t *r, const uint8_t *buf, size_t len,
                           hm_wire_header_t *hdr)
{
    if (len < HM_WIRE_HEADER_SIZE)
        return HM_WIRE_ERR_SHORT;
    if (buf[0] != 'H' || buf[1] != 'M')
        return HM_WIRE_ERR_MAGIC;
    if (buf[2] != HM_WIRE_VERSION)
        return HM_WIRE_ERR_VERSION;
    if (buf[3] != 0)
        return HM_WIRE_ERR_FLAGS;
    if (len > HM_WIRE_FRAME_MAX)
        return HM_WIRE_ERR_TOO_BIG;
    uint32_t count = get32(buf + 4);
    uint32_t seen = 0;
    size_t pos = HM_WIRE_HEADER_SIZE;
    hm_wire_record_t rec;
    while (pos < len) {
        if (len - pos < HM_WIRE_RECORD_HEADER_SIZE)
            return HM_WIRE_ERR_TRUNCATED;
        size_t body = get16(buf + pos + 1);
        if (body > len - pos - HM_WIRE_RECORD_HEADER_SIZE)
            return HM_WIRE_ERR_TRUNCATED;
        if (!parse(buf[pos], buf + pos + HM_WIRE_RECORD_HEADER_SIZE, body, &rec))
            return HM_WIRE_ERR_RECORD;
        pos += HM_WIRE_RECORD_HEADER_SIZE + body;
        if (++seen > count)
            return HM_WIRE_ERR_COUNT;
    }
    if (seen != count)
        return HM_WIRE_ERR_COUNT;
    *r = (hm_wire_reader_t){buf, len, HM_WIRE_HEADER_SIZE, count};
    *hdr = (hm_wire_header_t){get64(buf + 8), get64(buf + 16), count};
    return HM_WIRE_OK;
}

bool hm_wire_next(hm_wire_reader_t *r, hm_wire_record_t *rec)
{
    if (r->left == 0 || r->pos + HM_WIRE_RECORD_HEADER_SIZE > r->len)
        return false;
    const uint8_t *p = r->buf + r->pos;
    size_t body = get16(p + 1);
    r->pos += HM_WIRE_RECORD_HEADER_SIZE + body;
    r->left--;
    return parse(p[0], p + HM_WIRE_RECORD_HEADER_SIZE, body, rec);
}
