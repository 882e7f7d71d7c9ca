/*
 * pipe_json.c - the JSON line reader (see pipe_json.h). Publishing what it
 * reads is pipe_bridge.c's.
 */
#include "pipe_json.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Durations beyond this many ns are refused rather than converted: the
 * collector clamps at an hour anyway, and a double past 2^64 has no
 * integer value. */
#define DURATION_NS_MAX 1e18

static const char *const default_keys[HM_JSONLINE__FIELDS][HM_JSONLINE_KEYS_MAX] = {
    [HM_JSONLINE_ENDPOINT] = {"endpoint", "phase", "name"},
    [HM_JSONLINE_DURATION] = {"durationMs", "duration_ms", "elapsed_ms", "latency_ms", "totalMs"},
    [HM_JSONLINE_STATUS] = {"status"},
    [HM_JSONLINE_REQUEST_ID] = {"requestId", "request_id", "correlationId", "sessionId"},
    [HM_JSONLINE_BREAKDOWN] = {"breakdown"},
};

static const struct {
    const char *name;
    double ns;
} units[] = {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}};

void hm_jsonline_keys_default(hm_jsonline_keys_t *k)
{
    memset(k, 0, sizeof *k);
    for (int f = 0; f < HM_JSONLINE__FIELDS; f++) {
        for (size_t i = 0; default_keys[f][i]; i++) {
            snprintf(k->field[f].key[i], sizeof k->field[f].key[i], "%s", default_keys[f][i]);
            k->field[f].unit_ns[i] = 1e6;
            k->field[f].n = i + 1;
        }
    }
}

int hm_jsonline_keys_add(hm_jsonline_keys_t *k, hm_jsonline_field_t field, const char *spec,
                         const char **why)
{
    if ((unsigned)field >= HM_JSONLINE__FIELDS) {
        *why = "no such field";
        return EINVAL;
    }
    double unit = 1e6;
    size_t len = strlen(spec);
    const char *colon = strrchr(spec, ':');
    if (colon && (field == HM_JSONLINE_DURATION || field == HM_JSONLINE_BREAKDOWN)) {
        size_t i = 0;
        while (i < sizeof units / sizeof units[0] && strcmp(units[i].name, colon + 1) != 0)
            i++;
        if (i == sizeof units / sizeof units[0]) {
            *why = "unknown unit after ':' (want ns, us, ms or s)";
            return EINVAL;
        }
        unit = units[i].ns;
        len = (size_t)(colon - spec);
    }
    if (len == 0 || len > HM_JSONLINE_KEY_MAX) {
        *why = "a key is 1 to 64 bytes";
        return EINVAL;
    }
    hm_jsonline_keylist_t *f = &k->field[field];
    if (f->n == HM_JSONLINE_KEYS_MAX) {
        *why = "too many keys for one field";
        return EINVAL;
    }
    memmove(&f->key[1], &f->key[0], f->n * sizeof f->key[0]);
    memmove(&f->unit_ns[1], &f->unit_ns[0], f->n * sizeof f->unit_ns[0]);
    memcpy(f->key[0], spec, len);
    f->key[0][len] = '\0';
    f->unit_ns[0] = unit;
    f->n++;
    return 0;
}

/* The value at a dotted path ("res.time") in obj, or NULL. Borrowed. */
static json_t *at_path(json_t *obj, const char *path)
{
    char part[HM_JSONLINE_KEY_MAX + 1];
    while (obj && json_is_object(obj)) {
        const char *dot = strchr(path, '.');
        if (!dot)
            return json_object_get(obj, path);
        size_t n = (size_t)(dot - path);
        memcpy(part, path, n);
        part[n] = '\0';
        obj = json_object_get(obj, part);
        path = dot + 1;
    }
    return NULL;
}

/* The first key of the list present in obj; *i its index. */
static json_t *first(json_t *obj, const hm_jsonline_keylist_t *l, size_t *i)
{
    for (*i = 0; *i < l->n; (*i)++) {
        json_t *v = at_path(obj, l->key[*i]);
        if (v && !json_is_null(v))
            return v;
    }
    return NULL;
}

/* Copies s (len bytes) into dst of max bytes + NUL, cut at a UTF-8
 * boundary; returns 1 when it was cut. */
static unsigned copy_cut(char *dst, size_t max, const char *s, size_t len)
{
    unsigned cut = 0;
    if (len > max) {
        len = max;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;
        cut = 1;
    }
    memcpy(dst, s, len);
    dst[len] = '\0';
    return cut;
}

/* A number, or a string holding only a decimal number. */
static bool number_of(json_t *v, double *out)
{
    if (json_is_number(v)) {
        *out = json_number_value(v);
        return isfinite(*out);
    }
    if (!json_is_string(v))
        return false;
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n == 0 || n > 63 || strspn(s, "0123456789.eE+-") != n)
        return false;
    char *end;
    *out = strtod(s, &end);
    return end == s + n && isfinite(*out);
}

static int refuse(hm_jsonline_t *out, const char **why, const char *field, const char *key,
                  const char *what)
{
    snprintf(out->error, sizeof out->error, "%s \"%s\" %s", field, key, what);
    if (why)
        *why = out->error;
    return EINVAL;
}

static int duration_of(json_t *v, double unit_ns, uint64_t *ns)
{
    double d;
    if (!number_of(v, &d))
        return EINVAL;
    d *= unit_ns;
    if (d < 0 || d > DURATION_NS_MAX)
        return ERANGE;
    *ns = (uint64_t)llround(d);
    return 0;
}

static int read_breakdown(const hm_jsonline_keys_t *k, json_t *obj, hm_jsonline_t *out,
                          const char **why)
{
    size_t i;
    json_t *b = first(obj, &k->field[HM_JSONLINE_BREAKDOWN], &i);
    if (!b)
        return 0;
    const char *key = k->field[HM_JSONLINE_BREAKDOWN].key[i];
    if (!json_is_object(b))
        return refuse(out, why, "breakdown", key, "is not an object");
    const char *name;
    json_t *v;
    json_object_foreach(b, name, v)
    {
        uint64_t ns;
        int rc = duration_of(v, k->field[HM_JSONLINE_BREAKDOWN].unit_ns[i], &ns);
        if (rc)
            return refuse(out, why, "breakdown", name,
                          rc == ERANGE ? "is negative or too large" : "is not a number");
        if (!*name)
            return refuse(out, why, "breakdown", key, "has an empty phase name");
        if (out->nphases == HM_SPAN_PHASES_MAX) {
            out->phases_dropped++;
            continue;
        }
        out->names_cut += copy_cut(out->phase[out->nphases].name, HM_NAME_MAX, name, strlen(name));
        out->phase[out->nphases++].ns = ns;
    }
    return 0;
}

int hm_jsonline_parse(const hm_jsonline_keys_t *k, const char *line, size_t len, hm_jsonline_t *out,
                      const char **why)
{
    json_error_t err;
    json_t *obj = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
    if (!obj) {
        snprintf(out->error, sizeof out->error, "not JSON: %.160s at column %d", err.text,
                 err.column);
        if (why)
            *why = out->error;
        return EINVAL;
    }
    int rc = ENOENT;
    size_t ie, id;
    json_t *ep = json_is_object(obj) ? first(obj, &k->field[HM_JSONLINE_ENDPOINT], &ie) : NULL;
    json_t *dur = json_is_object(obj) ? first(obj, &k->field[HM_JSONLINE_DURATION], &id) : NULL;
    if (!ep || !dur)
        goto done;
    out->nphases = out->phases_dropped = out->names_cut = 0;
    out->status = 0;
    out->request_id[0] = '\0';

    const char *key = k->field[HM_JSONLINE_ENDPOINT].key[ie];
    if (!json_is_string(ep) || json_string_length(ep) == 0) {
        rc = refuse(out, why, "endpoint", key, "is not a non-empty string");
        goto done;
    }
    out->names_cut +=
        copy_cut(out->endpoint, HM_NAME_MAX, json_string_value(ep), json_string_length(ep));
    key = k->field[HM_JSONLINE_DURATION].key[id];
    int drc = duration_of(dur, k->field[HM_JSONLINE_DURATION].unit_ns[id], &out->duration_ns);
    if (drc) {
        rc = refuse(out, why, "duration", key,
                    drc == ERANGE ? "is negative or too large" : "is not a number");
        goto done;
    }

    size_t i;
    json_t *st = first(obj, &k->field[HM_JSONLINE_STATUS], &i);
    if (st) {
        double s;
        if (!number_of(st, &s) || s != floor(s) || s < 0 || s > 65535) {
            rc = refuse(out, why, "status", k->field[HM_JSONLINE_STATUS].key[i],
                        "is not an integer 0..65535");
            goto done;
        }
        out->status = (int)s;
    }
    json_t *rid = first(obj, &k->field[HM_JSONLINE_REQUEST_ID], &i);
    if (rid && json_is_string(rid)) {
        out->names_cut += copy_cut(out->request_id, HM_REQUEST_ID_MAX, json_string_value(rid),
                                   json_string_length(rid));
    } else if (rid && json_is_integer(rid)) {
        snprintf(out->request_id, sizeof out->request_id, "%" JSON_INTEGER_FORMAT,
                 json_integer_value(rid));
    } else if (rid) {
        rc = refuse(out, why, "request id", k->field[HM_JSONLINE_REQUEST_ID].key[i],
                    "is not a string or an integer");
        goto done;
    }
    rc = read_breakdown(k, obj, out, why);
done:
    json_decref(obj);
    return rc;
}
