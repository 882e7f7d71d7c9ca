/*
 * slo_rules.h - SLO rule files: text into rules (docs/slo.md).
 *
 * One rule a line:  PATTERN STATISTIC OP BOUND WINDOW [OBJECTIVE]
 *
 *     *            p95        <  60ms  1m
 *     checkout     p99        <  250ms 5m  99.9%
 *     api.*        error_rate <= 1%    1m
 *     api.*        rate       >  50/s  1m
 *
 * and three settings:  check 5s,  repeat 10s,  drift 10%  (or drift 5ms),
 * the rise of p95 per 10 minutes beyond which an endpoint is drifting.
 * '#' starts a comment. This module only parses; slo.c checks rules against
 * snapshots. The statistic table in slo_rules.c is the master copy of the
 * statistics, their units and their help.
 */
#ifndef HM_SLO_RULES_H
#define HM_SLO_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "window.h"

#define HM_SLO_RULES_MAX 64      /* rules in one file */
#define HM_SLO_RULE_TEXT_MAX 160 /* bytes of a rule's text as shown */
#define HM_SLO_FILE_MAX (1 << 20)
#define HM_SLO_PATTERN_MAX 128

typedef enum {
    HM_SLO_P50, HM_SLO_P90, HM_SLO_P95, HM_SLO_P99, HM_SLO_P999,
    HM_SLO_MEAN, HM_SLO_MAX, HM_SLO_ERROR_RATE, HM_SLO_INFLIGHT, HM_SLO_QUEUE, HM_SLO_RATE,
    HM_SLO__STATS
} hm_slo_stat_t;

/* What a statistic's bound is measured in. */
typedef enum {
    HM_SLO_UNIT_NS,       /* a latency: written with us, ms or s */
    HM_SLO_UNIT_FRACTION, /* error rate: written with % */
    HM_SLO_UNIT_COUNT,    /* in-flight, queue depth: a plain number */
    HM_SLO_UNIT_PER_S,    /* rate: a number, optionally with /s */
} hm_slo_unit_t;

typedef enum { HM_SLO_LT, HM_SLO_LE, HM_SLO_GT, HM_SLO_GE } hm_slo_op_t;

typedef struct {
    char pattern[HM_SLO_PATTERN_MAX + 1]; /* fnmatch(3) glob over endpoint names */
    hm_slo_stat_t stat;
    hm_slo_op_t op;
    double bound;     /* in the statistic's unit: ns, fraction, count or per second */
    hm_win_t window;
    double objective; /* 0: none; else the share of requests that must be good, 0..1 */
    unsigned line;    /* where it was written */
    char text[HM_SLO_RULE_TEXT_MAX]; /* the rule in canonical form, for screens and reports */
} hm_slo_rule_t;

typedef struct {
    size_t n;
    hm_slo_rule_t rule[HM_SLO_RULES_MAX];
    uint64_t check_ns;   /* how often rules are checked; default 5 s */
    uint64_t repeat_ns;  /* least time between two breach events of one endpoint and rule; 10 s */
    double drift_share;  /* drifting: p95 rises by more than this share of its mean per 10 min (0.10) */
    uint64_t drift_ns;   /* ... or by more than this many ns per 10 min, when set (then share is 0) */
} hm_slo_rules_t;

/* Parses text (len bytes; NUL not needed). origin names it in messages.
 * Returns 0 and fills *out, or EINVAL with "origin:line:column: what was
 * expected" in why. */
int hm_slo_rules_parse(const char *text, size_t len, const char *origin, hm_slo_rules_t *out,
                       char *why, size_t why_len);

/* Reads and parses the file at path. Returns 0, EINVAL (bad rules), or the
 * errno of the failed read, with a message in why. */
int hm_slo_rules_load(const char *path, hm_slo_rules_t *out, char *why, size_t why_len);

/* Defaults with no rules. */
void hm_slo_rules_init(hm_slo_rules_t *r);

/* The statistic's name ("p95", "error_rate"), unit, and quantile (0 when it
 * is not a percentile). */
const char *hm_slo_stat_name(hm_slo_stat_t s);
hm_slo_unit_t hm_slo_stat_unit(hm_slo_stat_t s);
double hm_slo_stat_quantile(hm_slo_stat_t s);

/* Does value hold against the rule's comparison and bound? */
bool hm_slo_holds(const hm_slo_rule_t *r, double value);

/* Writes a value of the rule's unit as written in rule files ("61.2ms",
 * "1.5%", "40/s", "12"). */
void hm_slo_format_value(const hm_slo_rule_t *r, double value, char *buf, size_t n);

#endif
