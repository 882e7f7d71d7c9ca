/*
 * pipe_json.h - the JSON line reader of hotmon-pipe: one line holding a JSON
 * timing object into a sample.
 *
 * A timing object names its endpoint and its duration; status, request id
 * and a breakdown of phase durations are optional:
 *
 *     {"endpoint":"GET /users","durationMs":12.5,"status":200,
 *      "requestId":"r-1","breakdown":{"db":8.1,"render":3.2}}
 *
 * Which keys are read is a list per field (hm_jsonline_keys_t), tried in
 * order, the first present wins; a key may be a dotted path into nested
 * objects ("res.time"). Durations are milliseconds unless a key says
 * otherwise. Parsing uses jansson; nothing is printed, nothing kept between
 * calls.
 *
 * Thread-safety: re-entrant (a keys table may be shared read-only).
 */
#ifndef HM_PIPE_JSON_H
#define HM_PIPE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hotmon.h"

#define HM_JSONLINE_KEYS_MAX 12 /* keys per field */
#define HM_JSONLINE_KEY_MAX 64  /* bytes of one key or path */

typedef enum {
    HM_JSONLINE_ENDPOINT,
    HM_JSONLINE_DURATION,
    HM_JSONLINE_STATUS,
    HM_JSONLINE_REQUEST_ID,
    HM_JSONLINE_BREAKDOWN,
    HM_JSONLINE__FIELDS
} hm_jsonline_field_t;

/* The keys read for each field, in the order tried, and for durations (the
 * duration and the breakdown's values) the unit in ns. Plain values: copy
 * freely. */
typedef struct {
    size_t n;
    char key[HM_JSONLINE_KEYS_MAX][HM_JSONLINE_KEY_MAX + 1];
    double unit_ns[HM_JSONLINE_KEYS_MAX];
} hm_jsonline_keylist_t;

typedef struct {
    hm_jsonline_keylist_t field[HM_JSONLINE__FIELDS];
} hm_jsonline_keys_t;

/* One timing record. Names are NUL-terminated copies, cut at a UTF-8
 * boundary to HM_NAME_MAX (endpoint, phases) or HM_REQUEST_ID_MAX. */
typedef struct {
    char endpoint[HM_NAME_MAX + 1];
    uint64_t duration_ns;
    int status;                             /* 0 when absent */
    char request_id[HM_REQUEST_ID_MAX + 1]; /* "" when absent */
    unsigned nphases;
    struct {
        char name[HM_NAME_MAX + 1];
        uint64_t ns;
    } phase[HM_SPAN_PHASES_MAX];
    unsigned phases_dropped; /* breakdown entries beyond HM_SPAN_PHASES_MAX */
    unsigned names_cut;      /* names or ids cut to their maximum */
    char error[240];         /* why a line was refused, when it needs words of its own */
} hm_jsonline_t;

/* Fills k with the default keys: endpoint from endpoint, phase, name;
 * duration (ms) from durationMs, duration_ms, elapsed_ms, latency_ms,
 * totalMs; status from status; request id from requestId, request_id,
 * correlationId, sessionId; breakdown (ms) from breakdown. */
void hm_jsonline_keys_default(hm_jsonline_keys_t *k);

/* Puts spec first in field's list, so it wins over the defaults. spec is
 * KEY, or for a duration or breakdown KEY:UNIT with UNIT ns, us, ms or s.
 * Returns 0, or EINVAL (empty or too long key, unknown unit, list full)
 * with a static message in *why. */
int hm_jsonline_keys_add(hm_jsonline_keys_t *k, hm_jsonline_field_t field, const char *spec,
                         const char **why);

/* Reads len bytes of line (no NUL needed). Returns
 *   0       a timing record, in *out;
 *   ENOENT  well-formed JSON that is not a timing record (not an object, or
 *           no endpoint or no duration): to be skipped;
 *   EINVAL  malformed JSON or a field of the wrong type or range, with a
 *           message in *why (borrowed: static, or in *out's storage).
 * *out may be changed whatever the result. why may be NULL. */
int hm_jsonline_parse(const hm_jsonline_keys_t *k, const char *line, size_t len, hm_jsonline_t *out,
                      const char **why);

#endif
