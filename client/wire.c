/*
 * wire.c - the frame codec of protocol v1 (see wire.h and docs/protocol.md).
 *
 * The only place where frame bytes are read or written. The decoder checks a
 * whole frame in hm_wire_open before any of it is used, so a frame is applied
 * whole or not at all: one pass over the record headers, checking each body
 * without storing anything. hm_wire_next then decodes records already known
 * good, with no checks left but the end of the frame.
 *
 * Integers go through memcpy, which compilers turn into one unaligned load or
 * store; a big-endian host swaps bytes.
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

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define LE16(v) __builtin_bswap16(v)
#define LE32(v) __builtin_bswap32(v)
#define LE64(v) __builtin_bswap64(v)
#else
#define LE16(v) (v)
#define LE32(v) (v)
#define LE64(v) (v)
#endif

static inline void put16(uint8_t *p, uint16_t v)
{
    v = LE16(v);
    memcpy(p, &v, sizeof v);
}

static inline void put32(uint8_t *p, uint32_t v)
{
    v = LE32(v);
    memcpy(p, &v, sizeof v);
}

static inline void put64(uint8_t *p, uint64_t v)
{
    v = LE64(v);
    memcpy(p, &v, sizeof v);
}

static inline uint16_t get16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, sizeof v);
    return LE16(v);
}

static inline uint32_t get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return LE32(v);
}

static inline uint64_t get64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return LE64(v);
}

/* Body sizes of the fixed parts (docs/protocol.md, "Records"). */
enum {
    HELLO_FIXED = 8,   /* pid, heartbeat_ms */
    DECL_FIXED = 2,    /* id */
    METRIC_FIXED = 3,  /* id, kind */
    SAMPLE_FIXED = 13, /* endpoint, status, flags, duration_ns */
    PHASE_SIZE = 10,   /* phase u16, ns u64 */
    PAIR_SIZE = 12,    /* GAUGE and COUNTER: endpoint, metric, value */
    DROPS_SIZE = 8,
    SAMPLE_FLAGS = 4, /* offset of the flags in a SAMPLE body */
};

#define SAMPLE_KNOWN_FLAGS (HM_SAMPLE_HAS_DELAY | HM_SAMPLE_HAS_PHASES | HM_SAMPLE_HAS_REQUEST_ID)

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
    assert(w && w->buf);
    put32(w->buf + 4, w->count);
    return w->len;
}

/* Appends a record header for a body of len bytes and returns the body, or
 * returns NULL and changes nothing when the record does not fit. */
static inline uint8_t *reserve(hm_wire_writer_t *w, hm_wire_type_t type, size_t len)
{
    assert(w && w->buf && len <= UINT16_MAX);
    if (HM_WIRE_RECORD_HEADER_SIZE + len > w->cap - w->len)
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
    uint8_t *p = reserve(w, HM_REC_HELLO, HELLO_FIXED + 1u + service.len + 1u + host.len);
    if (!p)
        return false;
    put32(p, pid);
    put32(p + 4, heartbeat_ms);
    put_str(put_str(p + HELLO_FIXED, service), host);
    return true;
}

bool hm_wire_put_decl(hm_wire_writer_t *w, hm_wire_type_t type, uint16_t id, hm_wire_str_t name)
{
    assert(type == HM_REC_ENDPOINT || type == HM_REC_PHASE);
    uint8_t *p = reserve(w, type, DECL_FIXED + 1u + name.len);
    if (!p)
        return false;
    put16(p, id);
    put_str(p + DECL_FIXED, name);
    return true;
}

bool hm_wire_put_metric(hm_wire_writer_t *w, uint16_t id, hm_wire_metric_kind_t kind,
                        hm_wire_str_t name)
{
    assert(kind == HM_METRIC_GAUGE || kind == HM_METRIC_COUNTER);
    uint8_t *p = reserve(w, HM_REC_METRIC, METRIC_FIXED + 1u + name.len);
    if (!p)
        return false;
    put16(p, id);
    p[2] = (uint8_t)kind;
    put_str(p + METRIC_FIXED, name);
    return true;
}

bool hm_wire_put_sample(hm_wire_writer_t *w, const hm_wire_sample_t *s)
{
    assert(s && s->nphases <= HM_WIRE_PHASES_MAX);
    /* An optional field is present exactly when it is set, so every sample
     * has one encoding and the decoder can insist on it. */
    unsigned flags = (s->has_delay ? HM_SAMPLE_HAS_DELAY : 0u) |
                     (s->nphases ? HM_SAMPLE_HAS_PHASES : 0u) |
                     (s->request_id.len ? HM_SAMPLE_HAS_REQUEST_ID : 0u);
    size_t len = SAMPLE_FIXED;
    if (flags) {
        len += s->has_delay ? 8u : 0u;
        len += s->nphases ? 1u + PHASE_SIZE * s->nphases : 0u;
        len += s->request_id.len ? 1u + s->request_id.len : 0u;
    }
    uint8_t *p = reserve(w, HM_REC_SAMPLE, len);
    if (!p)
        return false;
    put16(p, s->endpoint);
    put16(p + 2, s->status);
    p[SAMPLE_FLAGS] = (uint8_t)flags;
    put64(p + 5, s->duration_ns);
    if (!flags)
        return true;
    p += SAMPLE_FIXED;
    if (s->has_delay) {
        put64(p, s->delay_ns);
        p += 8;
    }
    if (s->nphases) {
        *p++ = s->nphases;
        for (unsigned i = 0; i < s->nphases; i++, p += PHASE_SIZE) {
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
    uint8_t *p = reserve(w, type, PAIR_SIZE);
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
    uint8_t *p = reserve(w, HM_REC_DROPS, DROPS_SIZE);
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
    /* Never looks further than byte 255 of s: one past the longest str8. */
    size_t n = s ? strnlen(s, UINT8_MAX + 1) : 0;
    bool was_cut = n > UINT8_MAX;
    if (was_cut) {
        n = UINT8_MAX;
        /* s[n] is the first byte left out; while it continues a character,
         * that character started inside the kept part: leave it out whole.
         * A character has at most 3 continuation bytes, so bytes that are
         * not UTF-8 still leave at least 252. */
        for (int k = 0; k < 3 && ((unsigned char)s[n] & 0xC0) == 0x80; k++)
            n--;
    }
    if (cut)
        *cut = was_cut;
    return (hm_wire_str_t){(const uint8_t *)s, (uint8_t)n};
}

/* --- validation ------------------------------------------------------------ */

/* Whether a str8 starting at off of a body of len bytes ends the body exactly. */
static inline bool str_ends_body(const uint8_t *b, size_t len, size_t off)
{
    return off < len && off + 1 + b[off] == len;
}

/* Whether the body of a SAMPLE is exactly as long as its flags make it, with
 * 1..HM_WIRE_PHASES_MAX phases and a request id of 1..255 bytes. */
static bool sample_ok(const uint8_t *b, size_t len)
{
    if (len < SAMPLE_FIXED)
        return false;
    unsigned flags = b[SAMPLE_FLAGS];
    if (flags == 0)
        return len == SAMPLE_FIXED;
    if (flags & ~SAMPLE_KNOWN_FLAGS)
        return false;
    size_t off = SAMPLE_FIXED + ((flags & HM_SAMPLE_HAS_DELAY) ? 8 : 0);
    if (flags & HM_SAMPLE_HAS_PHASES) {
        if (off >= len || b[off] == 0 || b[off] > HM_WIRE_PHASES_MAX)
            return false;
        off += 1 + (size_t)PHASE_SIZE * b[off];
    }
    if (flags & HM_SAMPLE_HAS_REQUEST_ID) {
        if (off >= len || b[off] == 0)
            return false;
        off += 1 + (size_t)b[off];
    }
    return off == len;
}

/* Whether a record body of len bytes (inside the frame) is well formed.
 * Unknown types are: the collector skips and counts them. */
static bool body_ok(unsigned type, const uint8_t *b, size_t len)
{
    switch (type) {
    case HM_REC_SAMPLE:
        return sample_ok(b, len);
    case HM_REC_HELLO:
        return len > HELLO_FIXED && str_ends_body(b, len, HELLO_FIXED + 1u + b[HELLO_FIXED]);
    case HM_REC_ENDPOINT:
    case HM_REC_PHASE:
        return str_ends_body(b, len, DECL_FIXED);
    case HM_REC_METRIC:
        return str_ends_body(b, len, METRIC_FIXED) &&
               (b[2] == HM_METRIC_GAUGE || b[2] == HM_METRIC_COUNTER);
    case HM_REC_GAUGE:
    case HM_REC_COUNTER:
        return len == PAIR_SIZE;
    case HM_REC_DROPS:
        return len == DROPS_SIZE;
    case HM_REC_HEARTBEAT:
        return len == 0;
    default:
        return true;
    }
}

hm_wire_err_t hm_wire_open(hm_wire_reader_t *r, const uint8_t *buf, size_t len,
                           hm_wire_header_t *hdr)
{
    assert(r && hdr && (buf || len == 0));
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
    /* The loop walks the bytes, not the claimed count, so it ends after at
     * most len / HM_WIRE_RECORD_HEADER_SIZE steps whatever count says. */
    uint32_t count = get32(buf + 4), seen = 0;
    size_t pos = HM_WIRE_HEADER_SIZE;
    while (pos < len) {
        size_t left = len - pos;
        if (left < HM_WIRE_RECORD_HEADER_SIZE)
            return HM_WIRE_ERR_TRUNCATED;
        size_t body = get16(buf + pos + 1);
        if (body > left - HM_WIRE_RECORD_HEADER_SIZE)
            return HM_WIRE_ERR_TRUNCATED;
        const uint8_t *b = buf + pos + HM_WIRE_RECORD_HEADER_SIZE;
        /* The plain sample, nearly every record of a busy frame, first. */
        bool plain = buf[pos] == HM_REC_SAMPLE && body == SAMPLE_FIXED && b[SAMPLE_FLAGS] == 0;
        if (!plain && !body_ok(buf[pos], b, body))
            return HM_WIRE_ERR_RECORD;
        if (++seen > count)
            return HM_WIRE_ERR_COUNT;
        pos += HM_WIRE_RECORD_HEADER_SIZE + body;
    }
    if (seen != count)
        return HM_WIRE_ERR_COUNT;
    *r = (hm_wire_reader_t){buf, len, HM_WIRE_HEADER_SIZE, count};
    *hdr = (hm_wire_header_t){get64(buf + 8), get64(buf + 16), count};
    return HM_WIRE_OK;
}

/* --- decoding of records already validated --------------------------------- */

static inline hm_wire_str_t get_str(const uint8_t *p)
{
    return (hm_wire_str_t){p + 1, p[0]};
}

static void get_sample(const uint8_t *b, hm_wire_sample_t *s)
{
    unsigned flags = b[SAMPLE_FLAGS];
    s->endpoint = get16(b);
    s->status = get16(b + 2);
    s->duration_ns = get64(b + 5);
    s->has_delay = false;
    s->delay_ns = 0;
    s->nphases = 0;
    s->request_id = (hm_wire_str_t){NULL, 0};
    if (!flags)
        return;
    b += SAMPLE_FIXED;
    if (flags & HM_SAMPLE_HAS_DELAY) {
        s->has_delay = true;
        s->delay_ns = get64(b);
        b += 8;
    }
    if (flags & HM_SAMPLE_HAS_PHASES) {
        s->nphases = *b++;
        for (unsigned i = 0; i < s->nphases; i++, b += PHASE_SIZE) {
            s->phases[i].phase = get16(b);
            s->phases[i].ns = get64(b + 2);
        }
    }
    if (flags & HM_SAMPLE_HAS_REQUEST_ID)
        s->request_id = get_str(b);
}

bool hm_wire_next(hm_wire_reader_t *r, hm_wire_record_t *rec)
{
    assert(r && rec);
    if (r->left == 0)
        return false;
    const uint8_t *p = r->buf + r->pos;
    size_t len = get16(p + 1);
    assert(r->pos + HM_WIRE_RECORD_HEADER_SIZE + len <= r->len);
    const uint8_t *b = p + HM_WIRE_RECORD_HEADER_SIZE;
    r->pos += HM_WIRE_RECORD_HEADER_SIZE + len;
    r->left--;
    rec->type = (hm_wire_type_t)p[0];
    if (p[0] == HM_REC_SAMPLE) {
        get_sample(b, &rec->u.sample);
        return true;
    }
    switch (p[0]) {
    case HM_REC_HELLO:
        rec->u.hello.pid = get32(b);
        rec->u.hello.heartbeat_ms = get32(b + 4);
        rec->u.hello.service = get_str(b + HELLO_FIXED);
        rec->u.hello.host = get_str(b + HELLO_FIXED + 1 + b[HELLO_FIXED]);
        break;
    case HM_REC_ENDPOINT:
    case HM_REC_PHASE:
        rec->u.decl.id = get16(b);
        rec->u.decl.name = get_str(b + DECL_FIXED);
        break;
    case HM_REC_METRIC:
        rec->u.metric.id = get16(b);
        rec->u.metric.kind = b[2];
        rec->u.metric.name = get_str(b + METRIC_FIXED);
        break;
    case HM_REC_GAUGE:
        rec->u.gauge.endpoint = get16(b);
        rec->u.gauge.metric = get16(b + 2);
        rec->u.gauge.value = (int64_t)get64(b + 4);
        break;
    case HM_REC_COUNTER:
        rec->u.counter.endpoint = get16(b);
        rec->u.counter.metric = get16(b + 2);
        rec->u.counter.total = get64(b + 4);
        break;
    case HM_REC_DROPS:
        rec->u.drops.total = get64(b);
        break;
    case HM_REC_HEARTBEAT:
        break;
    default:
        rec->u.raw.ptr = b;
        rec->u.raw.len = (uint16_t)len;
        break;
    }
    return true;
}
