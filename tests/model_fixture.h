/*
 * tests/model_fixture.h - hand-built snapshots and a model over them, for
 * test_model.c and test_input.c. No collector, no curses.
 */
#ifndef HM_TEST_MODEL_FIXTURE_H
#define HM_TEST_MODEL_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "settings.h"
#include "snapshot.h"

typedef struct {
    const char *name;
    double rate;
    uint64_t p99_ms;
} fx_row_t;

/* A snapshot numbered seq with the rows given (names must be in name order,
 * as the collector's are); every window gets the same numbers. */
static inline hm_snapshot_t *fx_snapshot(uint64_t seq, const fx_row_t *rows, size_t n)
{
    hm_snapshot_t *s = hm_snapshot_new(n);
    if (!s)
        return NULL;
    s->seq = seq;
    for (size_t i = 0; i < n; i++) {
        hm_snap_endpoint_t *e = &s->endpoints[i];
        snprintf(e->name, sizeof e->name, "%s", rows[i].name);
        for (int w = 0; w < HM_WIN__COUNT; w++) {
            e->win[w].rate = rows[i].rate * (w + 1);
            e->win[w].count = (uint64_t)(rows[i].rate * 60);
            e->win[w].p50_ns = rows[i].p99_ms * 500000ull;
            e->win[w].p99_ns = rows[i].p99_ms * 1000000ull;
            e->win[w].max_ns = rows[i].p99_ms * 1000000ull;
        }
    }
    return s;
}

/* A model from the default settings (sort p99, descending, window 1m),
 * showing snapshot s; the fixture's reference to s is dropped. */
static inline void fx_model(hm_model_t *m, hm_snapshot_t *s, int page)
{
    hm_settings_t set;
    hm_settings_defaults(&set);
    const char *why = NULL;
    if (hm_model_init(m, &set, &why) != 0)
        return;
    hm_model_set_page(m, page);
    hm_model_update(m, s);
    hm_snapshot_release(&s);
}

/* Gives m a new snapshot seq of rows, as the loop does. */
static inline void fx_feed(hm_model_t *m, uint64_t seq, const fx_row_t *rows, size_t n)
{
    hm_snapshot_t *s = fx_snapshot(seq, rows, n);
    hm_model_update(m, s);
    hm_snapshot_release(&s);
}

/* The name shown in row r, or "" past the end. */
static inline const char *fx_row(const hm_model_t *m, size_t r)
{
    if (r >= m->view.nrows)
        return "";
    return m->view.snap->endpoints[m->view.rows[r]].name;
}

/* The names of the rows, joined with spaces, into buf. */
static inline const char *fx_rows(const hm_model_t *m, char *buf, size_t n)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t r = 0; r < m->view.nrows && o < n; r++)
        o += (size_t)snprintf(buf + o, n - o, "%s%s", r ? " " : "", fx_row(m, r));
    return buf;
}

/* In name order; by p99 descending: d c a e b; by rate descending: e d c b a. */
static const fx_row_t fx_five[] = {
    {"GET /a", 10, 30},  {"GET /b", 20, 5},   {"GET /c", 30, 40},
    {"POST /d", 40, 50}, {"POST /e", 50, 20},
};

/* cmocka setup: a model over fx_five with a page of 3 rows. */
static inline int fx_setup(void **state)
{
    hm_model_t *m = calloc(1, sizeof *m);
    if (!m)
        return -1;
    fx_model(m, fx_snapshot(1, fx_five, 5), 3);
    *state = m;
    return m->snap ? 0 : -1;
}

static inline int fx_teardown(void **state)
{
    hm_model_t *m = *state;
    hm_model_fini(m);
    int left = m->snap || m->filter || m->view.rows;
    free(m);
    return left ? -1 : 0;
}

/* The rows' names joined with spaces; borrowed until the next call. */
static inline const char *fx_rows_of(const hm_model_t *m)
{
    static char buf[512];
    return fx_rows(m, buf, sizeof buf);
}

#endif
