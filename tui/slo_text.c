/*
 * slo_text.c - SLO results as text (see slo_text.h).
 */
#include "slo_text.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "escape.h"
#include "format.h"

char *hm_slo_text_actual(const hm_snapshot_t *snap, const hm_snap_slo_t *r, char *buf, size_t n)
{
    const hm_slo_rule_t *rule = &snap->rules[r->rule].rule;
    if (rule->objective > 0) {
        char pct[32];
        hm_format_fixed(r->actual * 100, 2, pct, sizeof pct);
        snprintf(buf, n, "%s%% good", pct);
    } else {
        hm_slo_format_value(rule, r->actual, buf, n);
    }
    return buf;
}

char *hm_slo_text_event(const hm_snapshot_t *snap, const hm_slo_event_t *ev, bool utf8, char *buf,
                        size_t n)
{
    const hm_slo_rule_t *rule = &snap->rules[ev->rule].rule;
    char at[16], name[HM_SNAP_NAME_MAX * 10 + 1], v[48];
    time_t t = (time_t)(ev->at_unix_ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(at, sizeof at, "%H:%M:%S", &tm);
    hm_snap_slo_t r = {.rule = ev->rule, .actual = ev->actual};
    hm_slo_text_actual(snap, &r, v, sizeof v);
    snprintf(buf, n, "%s %-4s %s  %s  was %s", at, ev->recovery ? "ok" : "FAIL",
             hm_escape(ev->endpoint, utf8, name, sizeof name), rule->text, v);
    return buf;
}

char *hm_slo_text_summary(const hm_snapshot_t *snap, char *buf, size_t n)
{
    if (!snap->nrules) {
        int k = snprintf(buf, n, "SLO: no rules loaded (--slo FILE, docs/slo.md)");
        if (snap->drifting && k > 0 && (size_t)k < n)
            snprintf(buf + k, n - (size_t)k, "; %llu drifting", (unsigned long long)snap->drifting);
        return buf;
    }
    uint64_t breaching = 0, breaches = 0, recoveries = 0;
    size_t worst = 0;
    for (size_t i = 0; i < snap->nrules; i++) {
        breaching += snap->rules[i].breaching;
        breaches += snap->rules[i].breaches;
        recoveries += snap->rules[i].recoveries;
        if (snap->rules[i].breaches > snap->rules[worst].breaches)
            worst = i;
    }
    int k = snprintf(buf, n, "SLO: %zu rule%s, %llu breaching now, %llu breaches, %llu recoveries, "
                     "%llu drifting", snap->nrules, snap->nrules == 1 ? "" : "s",
                     (unsigned long long)breaching, (unsigned long long)breaches,
                     (unsigned long long)recoveries, (unsigned long long)snap->drifting);
    if (breaches && k > 0 && (size_t)k < n)
        snprintf(buf + k, n - (size_t)k, "; most: %s (%llu)", snap->rules[worst].rule.text,
                 (unsigned long long)snap->rules[worst].breaches);
    return buf;
}

char *hm_slo_text_budget(const hm_snap_slo_t *r, char *buf, size_t n)
{
    if (isnan(r->budget_left)) {
        snprintf(buf, n, "%s", "");
        return buf;
    }
    char left[32], s[32], l[32];
    hm_format_fixed(r->budget_left * 100, 1, left, sizeof left);
    hm_format_fixed(r->burn_short, 2, s, sizeof s);
    hm_format_fixed(r->burn_long, 2, l, sizeof l);
    snprintf(buf, n, "budget %s%% left, burn %sx (1m) %sx (5m)", left, s, l);
    return buf;
}

char *hm_slo_text_drift(const hm_snap_drift_t *d, bool utf8, char *buf, size_t n)
{
    if (d->minutes < 3) {
        snprintf(buf, n, "p95 trend: needs 3 minutes of samples (%u so far)", d->minutes);
        return buf;
    }
    char slope[32], first[24], last[24];
    double v = d->ns_per_10m;
    hm_format_duration((uint64_t)fabs(v), utf8, slope, sizeof slope);
    hm_format_duration(d->first_ns, utf8, first, sizeof first);
    hm_format_duration(d->last_ns, utf8, last, sizeof last);
    snprintf(buf, n, "p95 %s%s per 10 min over %u min (%s %s %s)%s", v < 0 ? "-" : "+", slope,
             d->minutes, first, utf8 ? "\u2192" : "->", last, d->drifting ? ", drifting" : ", stable");
    return buf;
}
