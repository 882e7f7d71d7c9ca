/*
 * load_report.c - hotmon-load's summary and sweep tables (see load_report.h).
 */
#include "load_report.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define KNEE_P99_JUMP 1.5
#define KNEE_ERROR_JUMP 0.01

/* A duration in few characters: 850us, 2.01ms, 1.20s. */
static const char *dur(uint64_t ns, char buf[16])
{
    double v = (double)ns;
    if (v < 1e3)
        snprintf(buf, 16, "%.0fns", v);
    else if (v < 1e6)
        snprintf(buf, 16, "%.*fus", v < 1e4 ? 2 : v < 1e5 ? 1 : 0, v / 1e3);
    else if (v < 1e9)
        snprintf(buf, 16, "%.*fms", v < 1e7 ? 2 : v < 1e8 ? 1 : 0, v / 1e6);
    else
        snprintf(buf, 16, "%.2fs", v / 1e9);
    return buf;
}

typedef struct {
    const char *name;
    uint64_t count, errors;
    double rate;
    uint64_t q[4]; /* p50 p95 p99 max */
    uint32_t queue_peak;
} row_t;

static void row_of(const char *name, const hm_hist_t *h, uint64_t errors, double elapsed_s,
                   uint32_t queue_peak, row_t *r)
{
    static const double qs[3] = {0.50, 0.95, 0.99};
    r->name = name;
    r->count = h->count;
    r->errors = errors;
    r->rate = elapsed_s > 0 ? (double)h->count / elapsed_s : 0;
    hm_hist_quantiles(h, qs, 3, r->q);
    r->q[3] = h->count ? h->max_ns : 0;
    r->queue_peak = queue_peak;
}

static int by_p99_desc(const void *a, const void *b)
{
    const row_t *x = a, *y = b;
    return (x->q[2] < y->q[2]) - (x->q[2] > y->q[2]);
}

static void print_row(FILE *f, bool md, const row_t *r)
{
    char b[4][16];
    double pct = r->count ? 100.0 * (double)r->errors / (double)r->count : 0;
    if (md)
        fprintf(f, "| %s | %" PRIu64 " | %.1f | %.2f%% | %s | %s | %s | %s | %" PRIu32 " |\n",
                r->name, r->count, r->rate, pct, dur(r->q[0], b[0]), dur(r->q[1], b[1]),
                dur(r->q[2], b[2]), dur(r->q[3], b[3]), r->queue_peak);
    else
        fprintf(f, "%-24s %10" PRIu64 " %10.1f %7.2f%% %9s %9s %9s %9s %7" PRIu32 "\n", r->name,
                r->count, r->rate, pct, dur(r->q[0], b[0]), dur(r->q[1], b[1]), dur(r->q[2], b[2]),
                dur(r->q[3], b[3]), r->queue_peak);
}

static void heading(FILE *f, bool md, const hm_load_info_t *in, const hm_load_result_t *r)
{
    char mode[96];
    if (in->rate > 0)
        snprintf(mode, sizeof mode, "open loop at %.0f/s (latency from the intended start)",
                 in->rate);
    else
        snprintf(mode, sizeof mode, "closed loop with %" PRIu32 " users", in->users);
    fprintf(f, "%shotmon-load: %.1f s, %zu endpoints, %u workers, %s, to %s\n\n", md ? "**" : "",
            r->elapsed_s, r->n, in->workers, mode, in->collector);
    if (md)
        fprintf(f, "| endpoint | count | rate/s | errors | p50 | p95 | p99 | max | queue peak "
                   "|\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    else
        fprintf(f, "%-24s %10s %10s %8s %9s %9s %9s %9s %7s\n", "endpoint", "count", "rate/s",
                "errors", "p50", "p95", "p99", "max", "queue");
}

static json_t *row_json(const row_t *r)
{
    return json_pack("{s:s, s:I, s:f, s:I, s:f, s:f, s:f, s:f, s:I}", "name", r->name, "count",
                     (json_int_t)r->count, "rate", r->rate, "errors", (json_int_t)r->errors,
                     "p50_ms", (double)r->q[0] / 1e6, "p95_ms", (double)r->q[1] / 1e6, "p99_ms",
                     (double)r->q[2] / 1e6, "max_ms", (double)r->q[3] / 1e6, "queue_peak",
                     (json_int_t)r->queue_peak);
}

static int summary_json(FILE *f, const row_t *rows, size_t n, const row_t *total,
                        const hm_load_result_t *r, const hm_load_info_t *in)
{
    json_t *eps = json_array();
    for (size_t i = 0; eps && i < n; i++)
        json_array_append_new(eps, row_json(&rows[i]));
    json_t *doc = json_pack(
        "{s:s, s:f, s:I, s:f, s:I, s:o, s:o, s:{s:I, s:I, s:I, s:I}, s:I, s:f}", "collector",
        in->collector, "elapsed_s", r->elapsed_s, "workers", (json_int_t)in->workers, "target_rate",
        in->rate, "users", (json_int_t)in->users, "total", row_json(total), "endpoints",
        eps ? eps : json_null(), "client", "produced", (json_int_t)in->client.produced, "sent",
        (json_int_t)in->client.sent, "dropped", (json_int_t)in->client.dropped, "buffered",
        (json_int_t)in->client.buffered, "peak_rss_kib", (json_int_t)in->peak_rss_kib, "lag_max_ms",
        (double)r->lag_max_ns / 1e6);
    if (!doc)
        return ENOMEM;
    int rc = json_dumpf(doc, f, JSON_INDENT(2) | JSON_REAL_PRECISION(6)) == 0 ? 0 : EIO;
    fputc('\n', f);
    json_decref(doc);
    return rc;
}

int hm_load_report_summary(FILE *f, hm_load_format_t fmt, const hm_load_endpoint_t *eps,
                           const hm_load_result_t *r, const hm_load_info_t *in)
{
    row_t *rows = calloc(r->n ? r->n : 1, sizeof *rows);
    hm_hist_t *all = malloc(sizeof *all);
    if (!rows || !all) {
        free(rows);
        free(all);
        return ENOMEM;
    }
    uint64_t errors;
    uint32_t qpeak = 0;
    hm_load_result_total(r, all, &errors);
    for (size_t i = 0; i < r->n; i++) {
        row_of(eps[i].name, &r->hist[i], r->errors[i], r->elapsed_s, r->queue_peak[i], &rows[i]);
        qpeak = r->queue_peak[i] > qpeak ? r->queue_peak[i] : qpeak;
    }
    row_t total;
    row_of("(all)", all, errors, r->elapsed_s, qpeak, &total);
    free(all);
    int rc = 0;
    if (fmt == HM_LOAD_JSON) {
        rc = summary_json(f, rows, r->n, &total, r, in);
    } else {
        bool md = fmt == HM_LOAD_MD;
        size_t shown = r->n;
        if (shown > HM_LOAD_ROWS_MAX) {
            qsort(rows, r->n, sizeof *rows, by_p99_desc);
            shown = HM_LOAD_ROWS_MAX / 2;
        }
        heading(f, md, in, r);
        for (size_t i = 0; i < shown; i++)
            print_row(f, md, &rows[i]);
        if (shown < r->n)
            fprintf(f,
                    md ? "| (%zu more; --format json lists all) | | | | | | | | |\n"
                       : "(%zu more, not shown: the slowest by p99 are above; --format json "
                         "lists all)\n",
                    r->n - shown);
        print_row(f, md, &total);
        char lag[16];
        fprintf(f,
                "\n%ssamples: %" PRIu64 " produced, %" PRIu64 " sent, %" PRIu64 " dropped, %" PRIu64
                " unsent; generator lag at most %s; peak RSS %.1f MiB\n",
                md ? "- " : "", in->client.produced, in->client.sent, in->client.dropped,
                in->client.buffered, dur(r->lag_max_ns, lag), (double)in->peak_rss_kib / 1024);
    }
    free(rows);
    return rc == 0 && ferror(f) ? EIO : rc;
}

void hm_load_step_of(const hm_load_result_t *r, uint32_t concurrency, hm_load_step_t *step)
{
    static const double qs[3] = {0.50, 0.95, 0.99};
    hm_hist_t *all = malloc(sizeof *all);
    uint64_t q[3] = {0};
    memset(step, 0, sizeof *step);
    step->concurrency = concurrency;
    if (!all)
        return;
    hm_load_result_total(r, all, &step->errors);
    hm_hist_quantiles(all, qs, 3, q);
    step->requests = all->count;
    step->rate = r->elapsed_s > 0 ? (double)all->count / r->elapsed_s : 0;
    step->p50_ns = q[0];
    step->p95_ns = q[1];
    step->p99_ns = q[2];
    free(all);
}

static double error_ratio(const hm_load_step_t *s)
{
    return s->requests ? (double)s->errors / (double)s->requests : 0;
}

size_t hm_load_knee(const hm_load_step_t *steps, size_t n)
{
    if (n == 0)
        return 0;
    double best_p99 = (double)steps[0].p99_ns, best_err = error_ratio(&steps[0]);
    for (size_t i = 1; i < n; i++) {
        if ((double)steps[i].p99_ns > KNEE_P99_JUMP * best_p99 ||
            error_ratio(&steps[i]) > best_err + KNEE_ERROR_JUMP)
            return i;
        if ((double)steps[i].p99_ns < best_p99)
            best_p99 = (double)steps[i].p99_ns;
        if (error_ratio(&steps[i]) < best_err)
            best_err = error_ratio(&steps[i]);
    }
    return n;
}

int hm_load_report_sweep(FILE *f, hm_load_format_t fmt, const hm_load_step_t *steps, size_t n,
                         double step_s)
{
    size_t knee = hm_load_knee(steps, n);
    if (fmt == HM_LOAD_JSON) {
        json_t *arr = json_array();
        for (size_t i = 0; arr && i < n; i++)
            json_array_append_new(
                arr, json_pack("{s:I, s:f, s:I, s:I, s:f, s:f, s:f, s:b}", "concurrency",
                               (json_int_t)steps[i].concurrency, "rate", steps[i].rate, "requests",
                               (json_int_t)steps[i].requests, "errors", (json_int_t)steps[i].errors,
                               "p50_ms", (double)steps[i].p50_ns / 1e6, "p95_ms",
                               (double)steps[i].p95_ns / 1e6, "p99_ms",
                               (double)steps[i].p99_ns / 1e6, "knee", i == knee));
        json_t *doc = json_pack("{s:f, s:o}", "step_s", step_s, "steps", arr ? arr : json_null());
        int rc = doc && json_dumpf(doc, f, JSON_INDENT(2) | JSON_REAL_PRECISION(6)) == 0 ? 0 : EIO;
        fputc('\n', f);
        json_decref(doc);
        return rc;
    }
    bool md = fmt == HM_LOAD_MD;
    fprintf(f, "%shotmon-load sweep: %zu steps of %.1f s, closed loop%s\n\n", md ? "**" : "", n,
            step_s, md ? "**" : "");
    if (md)
        fprintf(f, "| concurrency | rate/s | p50 | p95 | p99 | errors | |\n"
                   "|---:|---:|---:|---:|---:|---:|---|\n");
    else
        fprintf(f, "%11s %10s %9s %9s %9s %8s\n", "concurrency", "rate/s", "p50", "p95", "p99",
                "errors");
    for (size_t i = 0; i < n; i++) {
        char b[3][16];
        const hm_load_step_t *s = &steps[i];
        double pct = 100 * error_ratio(s);
        const char *mark = i == knee ? "<- knee" : "";
        if (md)
            fprintf(f, "| %" PRIu32 " | %.1f | %s | %s | %s | %.2f%% | %s |\n", s->concurrency,
                    s->rate, dur(s->p50_ns, b[0]), dur(s->p95_ns, b[1]), dur(s->p99_ns, b[2]), pct,
                    i == knee ? "**knee**" : "");
        else
            fprintf(f, "%11" PRIu32 " %10.1f %9s %9s %9s %7.2f%% %s\n", s->concurrency, s->rate,
                    dur(s->p50_ns, b[0]), dur(s->p95_ns, b[1]), dur(s->p99_ns, b[2]), pct, mark);
    }
    if (knee == n)
        fprintf(f,
                "\n%sno knee: p99 never rose above 1.5x, nor errors by more than 1 point, "
                "over the best earlier step\n",
                md ? "- " : "");
    else
        fprintf(f, "\n%sknee at concurrency %" PRIu32 ": p99 or errors jumped there\n",
                md ? "- " : "", steps[knee].concurrency);
    return ferror(f) ? EIO : 0;
}
