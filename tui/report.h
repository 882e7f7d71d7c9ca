/*
 * report.h - the soak report: Markdown a team pastes into a pull request.
 * Run id, date, duration, the rules, per endpoint count, mean, p50, p95,
 * p99, max, errors, error rate, phase shares, violations, drift and budget,
 * and the verdict. Statistics are those since start (or the last reset).
 */
#ifndef HM_REPORT_H
#define HM_REPORT_H

#include <stdio.h>

#include "snapshot.h"

typedef struct {
    const char *run_id;   /* borrowed */
    const char *source;   /* the collector's address; borrowed */
    const char *slo_path; /* the rules file, or NULL */
} hm_report_meta_t;

/* Writes the report of snap to out. Returns 0, or the errno of a failed
 * write. */
int hm_report_write(FILE *out, const hm_snapshot_t *snap, const hm_report_meta_t *meta);

/* Writes it atomically to path (snapshot_file.h). Returns 0, or an errno
 * with a message in why. */
int hm_report_save(const char *path, const hm_snapshot_t *snap, const hm_report_meta_t *meta,
                   char *why, size_t why_len);

#endif
