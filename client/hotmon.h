/*
 * hotmon.h - the client library services link to publish timing samples.
 *
 * This is the only header a service includes. The hot path (hm_start, hm_mark,
 * hm_request_id, hm_end, hm_record, hm_gauge_set, hm_counter_add) is thread-safe,
 * lock-free, allocation-free in steady state, never blocks and makes no system
 * call but reading CLOCK_MONOTONIC. Samples go into a bounded per-thread ring;
 * one publisher thread batches them into wire frames (docs/protocol.md) and
 * sends them on a ZeroMQ PUSH socket with ZMQ_IMMEDIATE and ZMQ_DONTWAIT.
 * Whatever cannot be buffered or sent is dropped and counted, and the counts
 * travel to the collector once it is reachable again.
 *
 * The library never prints, never aborts and never calls exit().
 */
#ifndef HOTMON_H
#define HOTMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The shared library is built with hidden visibility: only what this header
 * declares is exported. */
#pragma GCC visibility push(default)

#define HM_VERSION_STRING "0.1.0"
#define HM_DEFAULT_ENDPOINT "tcp://127.0.0.1:7450"

/* Longest name (endpoint, phase, metric, service) sent on the wire, in bytes.
 * Longer names are cut at a UTF-8 boundary and the cut is counted. */
#define HM_NAME_MAX 255
/* Longest request id kept with a sample, in bytes; longer ones are cut. */
#define HM_REQUEST_ID_MAX 48
/* Phases one span can carry; marks beyond this are dropped and counted. */
#define HM_SPAN_PHASES_MAX 8
/* Endpoints, phases and metrics one client can declare. */
#define HM_CLIENT_ENDPOINTS_MAX 4096
#define HM_CLIENT_PHASES_MAX 64
#define HM_CLIENT_METRICS_MAX 64
/* Threads that can record through one client at once. */
#define HM_CLIENT_THREADS_MAX 256

typedef struct hm_client hm_client_t;

/* Small integer ids handed out by the declare calls. */
typedef uint16_t hm_endpoint_t;
typedef uint16_t hm_phase_t;
typedef uint16_t hm_metric_t;

/* A span is a number that encodes its endpoint and start time: nothing is
 * allocated for it and nothing must be freed. HM_SPAN_NONE is what hm_start
 * returns for an unknown endpoint; hm_end ignores it. */
typedef uint64_t hm_span_t;
#define HM_SPAN_NONE ((hm_span_t)0)

/* Options for hm_open. Zeroed fields take their defaults; the struct may be
 * NULL altogether. Strings are copied; the caller keeps ownership. */
typedef struct {
    const char *endpoint;      /* collector address; NULL: $HOTMON_ENDPOINT, else HM_DEFAULT_ENDPOINT */
    const char *service;       /* service name; NULL: $HOTMON_SERVICE, else the program's name */
    uint32_t ring_capacity;    /* samples buffered per thread, rounded up to a power of 2; 0: 16384 */
    uint32_t flush_ms;         /* longest a sample waits in the ring; 0: 20, at most 50 */
    uint32_t close_timeout_ms; /* hm_close's bound for flushing what is buffered; 0: 100 */
    uint32_t declare_every_ms; /* hello and declarations are repeated this often; 0: 1000 */
    /* CURVE, for a collector started with --curve-secret: its public key and
     * this client's key pair, 40-character Z85 each. NULL: $HOTMON_CURVE_SERVER_KEY,
     * $HOTMON_CURVE_PUBLIC_KEY, $HOTMON_CURVE_SECRET_KEY; no server key: no CURVE. */
    const char *curve_server_key;
    const char *curve_public_key;
    const char *curve_secret_key;
} hm_options_t;

/* Counters of one client, for the service's own reporting and for tests.
 * produced = sent + dropped + buffered at every instant. */
typedef struct {
    uint64_t produced;     /* samples recorded by hm_end/hm_record */
    uint64_t sent;         /* samples handed to ZeroMQ */
    uint64_t dropped;      /* samples lost: ring full, or the collector away (EAGAIN) */
    uint64_t buffered;     /* samples in the rings or the pending frame now */
    uint64_t frames_sent;  /* wire frames handed to ZeroMQ */
    uint64_t names_cut;    /* names or request ids cut to their maximum length */
    uint64_t phases_dropped; /* phase marks beyond HM_SPAN_PHASES_MAX */
} hm_client_stats_t;

/* Opens a client and starts its publisher thread. Returns 0 and sets *out, or
 * an errno value (EINVAL for a bad address, ENOMEM, or what ZeroMQ said); *out
 * is untouched on failure. The caller owns the client and frees it with
 * hm_close. A collector that is not running is not an error. */
int hm_open(const hm_options_t *opts, hm_client_t **out);

/* Flushes what is buffered (bounded by close_timeout_ms, whether or not a
 * collector is there), stops the publisher and frees the client. Accepts
 * NULL and *self_p == NULL; sets *self_p to NULL. No other thread may use the
 * client during or after this call. */
void hm_close(hm_client_t **self_p);

/* Declares an endpoint (or a phase, gauge or counter) by name and gives its id
 * through *id. Declaring the same name again gives the same id. Returns 0,
 * EINVAL for an empty name, or ENOSPC beyond the client's maximum. Thread-safe
 * (takes a lock: call it at start-up, not per request). */
int hm_endpoint(hm_client_t *c, const char *name, hm_endpoint_t *id);
int hm_phase(hm_client_t *c, const char *name, hm_phase_t *id);
int hm_gauge(hm_client_t *c, const char *name, hm_metric_t *id);
int hm_counter(hm_client_t *c, const char *name, hm_metric_t *id);

/* Every client declares the gauge "queue" at open; the collector shows it as
 * the endpoint's queue depth. In-flight needs no gauge: it follows from
 * hm_start and hm_end. */
#define HM_GAUGE_QUEUE ((hm_metric_t)0)

/* Reads CLOCK_MONOTONIC in nanoseconds: the clock every duration uses. */
uint64_t hm_now_ns(void);

/* Starts a span on endpoint ep now, or at the intended start time
 * intended_ns (hm_now_ns clock) for open-loop load: the latency recorded then
 * counts from the intended start, so a stalled generator does not hide its
 * stall (coordinated omission). In-flight for ep goes up by one. */
hm_span_t hm_start(hm_client_t *c, hm_endpoint_t ep);
hm_span_t hm_start_at(hm_client_t *c, hm_endpoint_t ep, uint64_t intended_ns);

/* Closes the current phase of span: the time since the span's start or its
 * previous mark is attributed to phase. Marks and request ids belong to the
 * calling thread's latest span; they are meant to be used on the thread that
 * runs the request. */
void hm_mark(hm_client_t *c, hm_span_t span, hm_phase_t phase);

/* Attaches a request id (copied, cut to HM_REQUEST_ID_MAX) to span, so the
 * collector can show it among the slowest requests. */
void hm_request_id(hm_client_t *c, hm_span_t span, const char *id);

/* Ends span with status (0 or 100..399: success; anything else: an error,
 * shown per status) and records its sample. In-flight goes down by one. */
void hm_end(hm_client_t *c, hm_span_t span, int status);

/* Claims the calling thread's buffer now rather than in its first record,
 * which would then take 10 to 60 us instead of well under one (the buffer is
 * allocated and written here). Optional; call it where a thread starts. The
 * first thread to record after hm_open needs no call: its buffer is made
 * there. Returns 0, ENOSPC when HM_CLIENT_THREADS_MAX threads hold one already, or
 * ENOMEM. */
int hm_thread_ready(hm_client_t *c);

/* Records a sample measured elsewhere: duration_ns on endpoint ep. */
void hm_record(hm_client_t *c, hm_endpoint_t ep, uint64_t duration_ns, int status);

/* A sample measured elsewhere, with what a span would carry: for bridges and
 * simulations that know the durations but did not live them (hotmon-pipe,
 * hotmon-load). Pointers are borrowed for the call. */
typedef struct {
    uint64_t duration_ns;       /* service time */
    uint64_t delay_ns;          /* open loop: started this much after its intended start; 0: none */
    int status;                 /* as for hm_end */
    const char *request_id;     /* NULL: none; cut to HM_REQUEST_ID_MAX */
    unsigned nphases;           /* beyond HM_SPAN_PHASES_MAX: dropped and counted */
    const hm_phase_t *phase;    /* nphases phase ids ... */
    const uint64_t *phase_ns;   /* ... and their durations */
} hm_sample_t;

/* Records *sample on endpoint ep: hm_record with a delay, phases and a
 * request id. The latency the collector shows is duration_ns + delay_ns.
 * Same guarantees as hm_record: no lock, no system call, no allocation after
 * the thread's first call. */
void hm_record_sample(hm_client_t *c, hm_endpoint_t ep, const hm_sample_t *sample);

/* Sets a gauge of endpoint ep (queue depth: HM_GAUGE_QUEUE). The publisher
 * sends the latest value with every frame that changed it, and all of them
 * periodically. */
void hm_gauge_set(hm_client_t *c, hm_endpoint_t ep, hm_metric_t gauge, int64_t value);

/* Adds delta to a counter of endpoint ep. Counters travel as running totals,
 * so a lost frame loses no count. */
void hm_counter_add(hm_client_t *c, hm_endpoint_t ep, hm_metric_t counter, uint64_t delta);

/* Reads the client's counters into *out. Thread-safe; the figures are each
 * exact but read one after another. */
void hm_client_stats(const hm_client_t *c, hm_client_stats_t *out);

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif
#endif
