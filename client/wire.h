/*
 * wire.h - the frame codec of protocol v1, shared by every encoder and decoder.
 *
 * Frame bytes are read and written here and nowhere else. docs/protocol.md is
 * the byte-level specification; this header is its C face. All integers are
 * little-endian and unaligned.
 *
 *   frame  = header record*
 *   header = magic "HM" | version u8 (1) | flags u8 (0) | count u32
 *            | sender u64 | seq u64                       (24 bytes)
 *   record = type u8 | length u16 | body[length]
 *   str8   = length u8 | bytes[length]       (not NUL-terminated, not validated as UTF-8)
 *
 * The decoder treats every byte as hostile: it checks each length and count
 * before reading and never reads outside [buf, buf+len). Neither side
 * allocates. Thread-safety: writers and readers are plain values owned by
 * one thread each.
 */
#ifndef HM_WIRE_H
#define HM_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HM_WIRE_VERSION 1
#define HM_WIRE_HEADER_SIZE 24
#define HM_WIRE_RECORD_HEADER_SIZE 3
/* Largest frame a collector accepts (its ZMQ_MAXMSGSIZE) and a writer makes. */
#define HM_WIRE_FRAME_MAX (1u << 20)
/* Phases one sample record may carry. */
#define HM_WIRE_PHASES_MAX 16
/* GAUGE records with this metric id carry the endpoint's in-flight count. */
#define HM_WIRE_METRIC_INFLIGHT 0xFFFFu

typedef enum {
    HM_REC_HELLO = 1,     /* pid u32 | heartbeat_ms u32 | service str8 | host str8 */
    HM_REC_ENDPOINT = 2,  /* id u16 | name str8 */
    HM_REC_PHASE = 3,     /* id u16 | name str8 */
    HM_REC_METRIC = 4,    /* id u16 | kind u8 (hm_wire_metric_kind_t) | name str8 */
    HM_REC_SAMPLE = 5,    /* endpoint u16 | status u16 | flags u8 | duration_ns u64
                             | [delay_ns u64] | [n u8 | n x (phase u16 | ns u64)]
                             | [request_id str8] */
    HM_REC_GAUGE = 6,     /* endpoint u16 | metric u16 | value i64 */
    HM_REC_COUNTER = 7,   /* endpoint u16 | metric u16 | total u64 (running total) */
    HM_REC_DROPS = 8,     /* total u64: samples this sender dropped since it started */
    HM_REC_HEARTBEAT = 9, /* (empty body) */
} hm_wire_type_t;

/* Flags of a SAMPLE record: which optional fields follow, in this order. */
#define HM_SAMPLE_HAS_DELAY 0x01u  /* open loop: start was delay_ns after its intended time */
#define HM_SAMPLE_HAS_PHASES 0x02u
#define HM_SAMPLE_HAS_REQUEST_ID 0x04u

typedef enum { HM_METRIC_GAUGE = 1, HM_METRIC_COUNTER = 2 } hm_wire_metric_kind_t;

/* Why a frame was rejected; each has a counter in the collector. */
typedef enum {
    HM_WIRE_OK = 0,
    HM_WIRE_ERR_SHORT,      /* shorter than a header */
    HM_WIRE_ERR_MAGIC,      /* not "HM" */
    HM_WIRE_ERR_VERSION,    /* a version this decoder does not speak */
    HM_WIRE_ERR_FLAGS,      /* reserved header flags set */
    HM_WIRE_ERR_TOO_BIG,    /* longer than HM_WIRE_FRAME_MAX */
    HM_WIRE_ERR_TRUNCATED,  /* a record runs past the end of the frame */
    HM_WIRE_ERR_COUNT,      /* record count disagrees with the records present */
    HM_WIRE_ERR_RECORD,     /* a known record whose body is malformed */
    HM_WIRE_ERR__COUNT
} hm_wire_err_t;

/* A short, static, human-readable name of err ("truncated record", ...). */
const char *hm_wire_err_str(hm_wire_err_t err);

/* A string inside a frame: borrowed, valid as long as the frame's buffer. */
typedef struct {
    const uint8_t *ptr;
    uint8_t len;
} hm_wire_str_t;

typedef struct {
    uint16_t phase;
    uint64_t ns;
} hm_wire_phase_t;

/* A sample as the encoder takes it and the decoder gives it. */
typedef struct {
    uint16_t endpoint;
    uint16_t status;
    uint64_t duration_ns;
    bool has_delay;
    uint64_t delay_ns;
    uint8_t nphases;                           /* at most HM_WIRE_PHASES_MAX */
    hm_wire_phase_t phases[HM_WIRE_PHASES_MAX];
    hm_wire_str_t request_id;                  /* len 0: none */
} hm_wire_sample_t;

typedef struct {
    hm_wire_type_t type; /* an unknown type is returned with its raw body, for skipping */
    union {
        struct { uint32_t pid, heartbeat_ms; hm_wire_str_t service, host; } hello;
        struct { uint16_t id; hm_wire_str_t name; } decl;     /* ENDPOINT, PHASE */
        struct { uint16_t id; uint8_t kind; hm_wire_str_t name; } metric;
        hm_wire_sample_t sample;
        struct { uint16_t endpoint, metric; int64_t value; } gauge;
        struct { uint16_t endpoint, metric; uint64_t total; } counter;
        struct { uint64_t total; } drops;
        struct { const uint8_t *ptr; uint16_t len; } raw;
    } u;
} hm_wire_record_t;

typedef struct {
    uint64_t sender;
    uint64_t seq;
    uint32_t count;
} hm_wire_header_t;

/* --- Encoding ------------------------------------------------------------ */

/* Writes into a caller-owned buffer. Fields are private to wire.c. */
typedef struct {
    uint8_t *buf;
    size_t cap;
    size_t len;
    uint32_t count;
} hm_wire_writer_t;

/* Starts a frame in buf (cap bytes, at least HM_WIRE_HEADER_SIZE). */
void hm_wire_begin(hm_wire_writer_t *w, uint8_t *buf, size_t cap, uint64_t sender, uint64_t seq);

/* Each put appends one record and returns true, or returns false and leaves
 * the frame unchanged when the record does not fit (flush, begin, retry).
 * Names longer than 255 bytes are the caller's to cut. */
bool hm_wire_put_hello(hm_wire_writer_t *w, uint32_t pid, uint32_t heartbeat_ms,
                       hm_wire_str_t service, hm_wire_str_t host);
bool hm_wire_put_decl(hm_wire_writer_t *w, hm_wire_type_t type, uint16_t id, hm_wire_str_t name);
bool hm_wire_put_metric(hm_wire_writer_t *w, uint16_t id, hm_wire_metric_kind_t kind,
                        hm_wire_str_t name);
bool hm_wire_put_sample(hm_wire_writer_t *w, const hm_wire_sample_t *s);
bool hm_wire_put_gauge(hm_wire_writer_t *w, uint16_t endpoint, uint16_t metric, int64_t value);
bool hm_wire_put_counter(hm_wire_writer_t *w, uint16_t endpoint, uint16_t metric, uint64_t total);
bool hm_wire_put_drops(hm_wire_writer_t *w, uint64_t total);
bool hm_wire_put_heartbeat(hm_wire_writer_t *w);

/* Writes the record count into the header and returns the frame's length. */
size_t hm_wire_end(hm_wire_writer_t *w);

/* Makes a hm_wire_str_t of a C string, cut to 255 bytes at a UTF-8 boundary;
 * *cut (may be NULL) is set to whether it was cut. */
hm_wire_str_t hm_wire_str(const char *s, bool *cut);

/* --- Decoding ------------------------------------------------------------ */

typedef struct {
    const uint8_t *buf;
    size_t len;
    size_t pos;
    uint32_t left;
} hm_wire_reader_t;

/* Checks the whole frame (header, every record's bounds and every known
 * record's body) before anything of it is used. Returns HM_WIRE_OK and fills
 * *hdr and *r, ready for hm_wire_next; or the reason it is rejected. */
hm_wire_err_t hm_wire_open(hm_wire_reader_t *r, const uint8_t *buf, size_t len,
                           hm_wire_header_t *hdr);

/* Gives the next record through *rec and returns true, or returns false at the
 * end. Only valid on a frame hm_wire_open accepted. */
bool hm_wire_next(hm_wire_reader_t *r, hm_wire_record_t *rec);

#endif
