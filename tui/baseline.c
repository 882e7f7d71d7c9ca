/*
 * baseline.c - comparing against a saved JSON snapshot (see baseline.h).
 */
#include "baseline.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "escape.h"

struct hm_baseline {
    size_t n;
    char **names;
    hm_baseline_entry_t *entries;
};

static double number(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : 0.0;
}

int hm_baseline_load(const char *path, hm_baseline_t **out, char *why, size_t why_len)
{
    json_error_t err;
    json_t *doc = json_load_file(path, 0, &err);
    if (!doc) {
        if (err.line > 0)
            snprintf(why, why_len, "%s:%d: %s", path, err.line, err.text);
        else
            snprintf(why, why_len, "%s: %s", path, err.text);
        return EINVAL;
    }
    json_t *eps = json_object_get(doc, "endpoints");
    if (!json_is_array(eps)) {
        snprintf(why, why_len, "%s: not a hotmon JSON snapshot (no \"endpoints\" array)", path);
        json_decref(doc);
        return EINVAL;
    }
    hm_baseline_t *b = calloc(1, sizeof *b);
    size_t n = json_array_size(eps);
    if (b) {
        b->names = calloc(n ? n : 1, sizeof *b->names);
        b->entries = calloc(n ? n : 1, sizeof *b->entries);
    }
    if (!b || !b->names || !b->entries) {
        hm_baseline_destroy(&b);
        json_decref(doc);
        snprintf(why, why_len, "%s: out of memory", path);
        return ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(eps, i);
        const char *name = json_string_value(json_object_get(e, "name"));
        if (!name)
            continue;
        if (!(b->names[b->n] = strdup(name)))
            break;
        b->entries[b->n++] = (hm_baseline_entry_t){number(e, "p50_ms"), number(e, "p99_ms"),
                                                    number(e, "rate"), number(e, "error_rate")};
    }
    json_decref(doc);
    *out = b;
    return 0;
}

void hm_baseline_destroy(hm_baseline_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    hm_baseline_t *b = *self_p;
    for (size_t i = 0; b->names && i < b->n; i++)
        free(b->names[i]);
    free(b->names);
    free(b->entries);
    free(b);
    *self_p = NULL;
}

const hm_baseline_entry_t *hm_baseline_find(const hm_baseline_t *b, const char *escaped_name)
{
    for (size_t i = 0; b && i < b->n; i++)
        if (strcmp(b->names[i], escaped_name) == 0)
            return &b->entries[i];
    return NULL;
}

static double change(double now, double then)
{
    return then > 0 ? (now - then) / then : 0.0;
}

hm_delta_t hm_baseline_compare(const hm_baseline_t *b, const hm_snap_endpoint_t *e, hm_win_t win)
{
    hm_delta_t d = {0};
    char name[HM_SNAP_NAME_MAX * 10 + 1];
    const hm_baseline_entry_t *then = hm_baseline_find(b, hm_escape(e->name, true, name, sizeof name));
    const hm_snap_stats_t *s = &e->win[win];
    if (!then || s->count == 0)
        return d;
    d.known = true;
    d.p50 = change((double)s->p50_ns / 1e6, then->p50_ms);
    d.p99 = change((double)s->p99_ns / 1e6, then->p99_ms);
    d.rate = change(s->rate, then->rate);
    d.errors_pp = (s->error_rate - then->error_rate) * 100.0;
    d.p50_worse = d.p50 > HM_BASELINE_REGRESSION;
    d.p99_worse = d.p99 > HM_BASELINE_REGRESSION;
    d.rate_worse = d.rate < -HM_BASELINE_REGRESSION;
    /* errors: up by more than a fifth of what they were, and by a visible amount */
    d.errors_worse = s->error_rate > then->error_rate * (1 + HM_BASELINE_REGRESSION) &&
                     d.errors_pp >= 0.1;
    return d;
}

char *hm_baseline_format(double c, bool worse, char *buf, size_t n)
{
    snprintf(buf, n, "%+.0f%%%s", c * 100.0, worse ? " !" : "");
    return buf;
}
