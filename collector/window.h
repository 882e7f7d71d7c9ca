/*
 * window.h - rolling windows of one time series of latencies.
 *
 * A window is three rings of time slices, each slice a histogram plus an
 * error count: ten 1 s slices (the 10 s window), six 10 s slices (1 min) and
 * five 1 min slices (5 min), and a total since creation or the last reset.
 * A query merges the slices inside the window with the current, partial one.
 * All slices are allocated together on the first sample and freed when the
 * last one expires, so a busy window's memory is fixed from its first second
 * and an idle one holds only its total. Every completed second also leaves a
 * summary in a 300-entry history (rate and p50/p95/p99 over the last 5 min).
 *
 * Time is passed in (now_ns, CLOCK_MONOTONIC) so tests can inject a clock;
 * it must not go backwards. Histograms themselves are in histogram.c.
 *
 * Thread-safety: none; the ingest thread owns its windows.
 */
#ifndef HM_WINDOW_H
#define HM_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "histogram.h"

typedef enum { HM_WIN_10S, HM_WIN_1M, HM_WIN_5M, HM_WIN_ALL, HM_WIN__COUNT } hm_win_t;

#define HM_WINDOW_HISTORY 300 /* seconds kept in the per-second history */

typedef struct hm_window hm_window_t;

/* One completed second. Latencies in microseconds, saturating. */
typedef struct {
    uint32_t count;
    uint32_t errors;
    uint32_t p50_us, p95_us, p99_us;
} hm_second_t;

/* What a query gives: the merged histogram (caller-owned storage), errors,
 * and the time the window really covers (short after start or reset). */
typedef struct {
    uint64_t errors;
    uint64_t span_ns;
} hm_window_result_t;

/* Returns a new, empty window starting at now_ns, or NULL when out of memory.
 * The caller owns it and frees it with hm_window_destroy. */
hm_window_t *hm_window_new(uint64_t now_ns);

/* Frees the window and its slices. Accepts NULL and *self_p == NULL. */
void hm_window_destroy(hm_window_t **self_p);

/* Records one value at now_ns. Returns 0, or ENOMEM when the slices could not
 * be allocated (the value then counts only in the total). */
int hm_window_record(hm_window_t *w, uint64_t now_ns, uint64_t value_ns, bool error);

/* Rolls the rings forward to now_ns, expiring old slices and writing history.
 * record and query do this themselves; call it to free memory of idle windows. */
void hm_window_advance(hm_window_t *w, uint64_t now_ns);

/* Merges the slices inside window `which` into *out (initialised here) and
 * returns errors and span. */
hm_window_result_t hm_window_query(hm_window_t *w, uint64_t now_ns, hm_win_t which,
                                   hm_hist_t *out);

/* Copies the last n (<= HM_WINDOW_HISTORY) completed seconds, oldest first,
 * into out; seconds with no data are zero. */
void hm_window_history(hm_window_t *w, uint64_t now_ns, hm_second_t *out, size_t n);

/* Forgets everything, total included, as if new at now_ns. */
void hm_window_reset(hm_window_t *w, uint64_t now_ns);

/* Bytes held now (struct, total and the slices, if allocated): for the
 * memory figures. */
size_t hm_window_bytes(const hm_window_t *w);

/* The window's name ("10s", "1m", "5m", "all") and its parse; parse returns
 * false for anything else. */
const char *hm_win_name(hm_win_t which);
bool hm_win_parse(const char *s, hm_win_t *out);

#endif
