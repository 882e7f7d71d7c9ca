/*
 * report.c - the Markdown soak report (see report.h).
 */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "escape.h"
#include "export.h"
#include "format.h"
#include "slo.h"
#include "slo_text.h"
#include "snapshot_file.h"

#define NAME_BUF (HM_SNAP_NAME_MAX * 10 + 1)

static void md(FILE *out, const char *s)
{
    char buf[NAME_BUF * 2];
    hm_export_md_text(out, hm_escape(s, true, buf, sizeof buf));
}

static void duration_text(uint64_t ns, char *buf, size_t n)
{
    uint64_t s = ns / 1000000000ull;
    if (s >= 3600)
        snprintf(buf, n, "%lluh %02llum %02llus", (unsigned long long)(s / 3600),
                 (unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60));
    else
        snprintf(buf, n, "%llum %02llus", (unsigned long long)(s / 60), (unsigned long long)(s % 60));
}

static void header(FILE *out, const hm_snapshot_t *snap, const hm_report_meta_t *meta)
{
    char date[64], dur[48];
    time_t end = (time_t)(snap->taken_unix_ms / 1000);
    time_t start = end - (time_t)(snap->since_reset_ns / 1000000000ull);
    struct tm tm;
    gmtime_r(&start, &tm);
    strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S UTC", &tm);
    duration_text(snap->since_reset_ns, dur, sizeof dur);
    bool pass = hm_slo_verdict(snap);
    fputs("# hotmon soak report\n\n| | |\n|---|---|\n", out);
    fputs("| run | ", out);
    md(out, meta->run_id ? meta->run_id : "-");
    fprintf(out, " |\n| started | %s |\n| duration | %s |\n| collector | ", date, dur);
    md(out, meta->source ? meta->source : "-");
    fputs(" |\n| rules | ", out);
    md(out, meta->slo_path ? meta->slo_path : "none");
    fprintf(out, " |\n| samples | %llu (dropped by clients %llu, frames lost %llu, rejected %llu) |\n",
            (unsigned long long)snap->counters.samples,
            (unsigned long long)snap->counters.client_drops,
            (unsigned long long)snap->counters.lost, (unsigned long long)snap->counters.rejected);
    fprintf(out, "| verdict | **%s** |\n\n", pass ? "PASS" : "FAIL");
    if (!pass) {
        for (size_t i = 0; i < snap->nrules; i++)
            if (snap->rules[i].breaches || snap->rules[i].breaching) {
                fputs("- breached: ", out);
                md(out, snap->rules[i].rule.text);
                fprintf(out, " (%llu breach events)\n",
                        (unsigned long long)snap->rules[i].breaches);
            }
        if (snap->drifting)
            fprintf(out, "- %llu endpoint%s drifting: p95 not stable\n",
                    (unsigned long long)snap->drifting, snap->drifting == 1 ? "" : "s");
        fputs("\n", out);
    }
}

static void rules(FILE *out, const hm_snapshot_t *snap)
{
    fputs("## Rules\n\n", out);
    if (!snap->nrules) {
        fputs("No SLO rules were loaded; the verdict rests on drift alone.\n\n", out);
        return;
    }
    fputs("| rule | breaches | recoveries | breaching at the end |\n|---|---:|---:|---:|\n", out);
    for (size_t i = 0; i < snap->nrules; i++) {
        fputs("| ", out);
        md(out, snap->rules[i].rule.text);
        fprintf(out, " | %llu | %llu | %u |\n", (unsigned long long)snap->rules[i].breaches,
                (unsigned long long)snap->rules[i].recoveries, snap->rules[i].breaching);
    }
    fputs("\n", out);
}

/* "wait 31% exec 69%": each phase's share of the time spent in phases. */
static void phase_shares(const hm_snap_endpoint_t *e, char *buf, size_t n)
{
    uint64_t total = 0;
    for (size_t i = 0; i < e->nphases; i++)
        total += e->phases[i].win[HM_WIN_ALL].sum_ns;
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < e->nphases && total && o < n; i++) {
        char name[NAME_BUF], pct[16];
        hm_format_percent((double)e->phases[i].win[HM_WIN_ALL].sum_ns / (double)total, pct,
                          sizeof pct);
        o += (size_t)snprintf(buf + o, n - o, "%s%s %s", i ? " " : "",
                              hm_escape(e->phases[i].name, true, name, sizeof name), pct);
    }
    if (!buf[0])
        snprintf(buf, n, "-");
}

static void endpoints(FILE *out, const hm_snapshot_t *snap)
{
    fputs("## Endpoints (whole run)\n\n", out);
    fputs("| endpoint | count | mean | p50 | p95 | p99 | max | errors | error rate | phases "
          "| violations | p95 drift per 10 min | budget left (burn 1m/5m) |\n"
          "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|---|\n",
          out);
    for (size_t i = 0; i < snap->nendpoints; i++) {
        const hm_snap_endpoint_t *e = &snap->endpoints[i];
        const hm_snap_stats_t *s = &e->win[HM_WIN_ALL];
        char a[7][24], phases[1024], drift[64] = "-", budget[512] = "";
        uint32_t breaches = 0;
        for (size_t j = 0; j < e->nslo; j++) {
            breaches += e->slo[j].breaches;
            if (!isnan(e->slo[j].budget_left)) {
                char pct[24], bs[24], bl[24];
                size_t o = strlen(budget);
                hm_format_fixed(e->slo[j].budget_left * 100, 1, pct, sizeof pct);
                hm_format_fixed(e->slo[j].burn_short, 2, bs, sizeof bs);
                hm_format_fixed(e->slo[j].burn_long, 2, bl, sizeof bl);
                snprintf(budget + o, sizeof budget - o, "%s%s%% (%sx/%sx)", o ? ", " : "", pct, bs, bl);
            }
        }
        if (e->drift.minutes >= 3) {
            char d[24];
            hm_format_duration((uint64_t)fabs(e->drift.ns_per_10m), true, d, sizeof d);
            snprintf(drift, sizeof drift, "%s%s%s", e->drift.ns_per_10m < 0 ? "-" : "+", d,
                     e->drift.drifting ? " **drifting**" : "");
        }
        phase_shares(e, phases, sizeof phases);
        fputs("| ", out);
        md(out, e->name);
        fprintf(out, " | %llu | %s | %s | %s | %s | %s | %llu | %s | ", (unsigned long long)s->count,
                hm_format_duration(s->mean_ns, true, a[0], 24),
                hm_format_duration(s->p50_ns, true, a[1], 24),
                hm_format_duration(s->p95_ns, true, a[2], 24),
                hm_format_duration(s->p99_ns, true, a[3], 24),
                hm_format_duration(s->max_ns, true, a[4], 24), (unsigned long long)s->errors,
                hm_format_percent(s->error_rate, a[5], 24));
        hm_export_md_text(out, phases);
        fprintf(out, " | %u | %s | %s |\n", breaches, drift, budget[0] ? budget : "-");
    }
    fputs("\n", out);
}

static void violations(FILE *out, const hm_snapshot_t *snap)
{
    if (!snap->nevents)
        return;
    fprintf(out, "## Violations (newest first, the last %zu)\n\n", snap->nevents);
    for (size_t i = 0; i < snap->nevents; i++) {
        char line[2048];
        fputs("- ", out);
        hm_export_md_text(out, hm_slo_text_event(snap, &snap->events[i], true, line, sizeof line));
        fputs("\n", out);
    }
    fputs("\n", out);
}

int hm_report_write(FILE *out, const hm_snapshot_t *snap, const hm_report_meta_t *meta)
{
    header(out, snap, meta);
    rules(out, snap);
    endpoints(out, snap);
    violations(out, snap);
    fputs("Drift: least-squares slope of the per-minute p95 over the run; an endpoint drifts "
          "when p95 rises faster than the rules' `drift` setting (docs/slo.md).\n",
          out);
    return ferror(out) ? EIO : 0;
}

typedef struct {
    const hm_snapshot_t *snap;
    const hm_report_meta_t *meta;
} job_t;

static int write_job(FILE *out, void *arg)
{
    const job_t *j = arg;
    return hm_report_write(out, j->snap, j->meta);
}

int hm_report_save(const char *path, const hm_snapshot_t *snap, const hm_report_meta_t *meta,
                   char *why, size_t why_len)
{
    job_t j = {snap, meta};
    return hm_file_write_atomic(path, write_job, &j, why, why_len);
}
