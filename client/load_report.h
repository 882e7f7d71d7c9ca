/*
 * load_report.h - what hotmon-load prints: the end-of-run summary per
 * endpoint and the concurrency sweep's table with its knee, as text,
 * Markdown or JSON (jansson). Percentiles come from collector/histogram.h.
 *
 * Thread-safety: pure functions writing to the FILE given.
 */
#ifndef HM_LOAD_REPORT_H
#define HM_LOAD_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "hotmon.h"
#include "load_profile.h"
#include "load_run.h"

typedef enum { HM_LOAD_TEXT, HM_LOAD_MD, HM_LOAD_JSON } hm_load_format_t;

/* Rows of the text and Markdown summaries at most; beyond, the slowest by
 * p99 are shown and the JSON has them all. */
#define HM_LOAD_ROWS_MAX 20

/* The run as a whole, for the summary's heading and footer. */
typedef struct {
    const char *collector; /* address published to */
    unsigned workers;
    double rate;              /* open loop target; 0: closed loop */
    uint32_t users;           /* closed loop */
    hm_client_stats_t client; /* the client's counters at the end */
    long peak_rss_kib;        /* the process's peak resident memory */
} hm_load_info_t;

/* One step of a sweep. */
typedef struct {
    uint32_t concurrency;
    double rate; /* finished requests per second */
    uint64_t requests, errors;
    uint64_t p50_ns, p95_ns, p99_ns;
} hm_load_step_t;

/* Writes the summary of r (over eps) to f. Returns 0, or EIO / ENOMEM. */
int hm_load_report_summary(FILE *f, hm_load_format_t fmt, const hm_load_endpoint_t *eps,
                           const hm_load_result_t *r, const hm_load_info_t *info);

/* Fills a sweep step from a run's result. */
void hm_load_step_of(const hm_load_result_t *r, uint32_t concurrency, hm_load_step_t *step);

/* The knee of a sweep: the first step whose p99 is more than 1.5 times the
 * lowest p99 of the steps before it, or whose error ratio is more than one
 * point above their lowest. Returns its index, or n when there is none. */
size_t hm_load_knee(const hm_load_step_t *steps, size_t n);

/* Writes the sweep's table, marking the knee, to f. Returns 0 or EIO. */
int hm_load_report_sweep(FILE *f, hm_load_format_t fmt, const hm_load_step_t *steps, size_t n,
                         double step_s);

#endif
