/*
 * export.c - a view as text, Markdown, CSV or JSON (see export.h and
 * docs/formats.md). Every name is escaped first, in every format.
 */
#include "export.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "baseline.h"
#include "escape.h"
#include "format.h"

#define NAME_BUF (HM_SNAP_NAME_MAX * 10 + 1) /* room for every byte escaped */

static const char *const names[HM_FMT__COUNT] = {"text", "md", "csv", "json"};
static const char *const exts[HM_FMT__COUNT] = {"txt", "md", "csv", "json"};

const char *hm_format_name(hm_format_t f)
{
    return names[f];
}

const char *hm_format_ext(hm_format_t f)
{
    return exts[f];
}

bool hm_format_parse(const char *s, hm_format_t *out)
{
    for (int i = 0; i < HM_FMT__COUNT; i++) {
        if (strcasecmp(s, names[i]) == 0) {
            *out = (hm_format_t)i;
            return true;
        }
    }
    if (strcasecmp(s, "markdown") == 0 || strcasecmp(s, "txt") == 0) {
        *out = s[0] == 'm' || s[0] == 'M' ? HM_FMT_MD : HM_FMT_TEXT;
        return true;
    }
    return false;
}

static void iso_time(int64_t unix_ms, char *buf, size_t n)
{
    time_t t = (time_t)(unix_ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Markdown text: every character Markdown could read as markup or HTML is
 * backslash-escaped, so no name can make a cell, a link or a tag. */
void hm_export_md_text(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (strchr("\\`*_[]<>|~&!#", *s))
            fputc('\\', out);
        fputc(*s, out);
    }
}

/* The line that says what the rows are: "prefix" starts it, and Markdown
 * gets its text escaped. The source and the filter are escaped like names. */
static void title(FILE *out, const hm_view_t *v, const hm_export_meta_t *m, const char *prefix,
                  bool md)
{
    char when[32], src[NAME_BUF], filt[NAME_BUF], line[3 * NAME_BUF];
    iso_time(v->snap->taken_unix_ms, when, sizeof when);
    hm_escape(m->source && *m->source ? m->source : "-", m->utf8, src, sizeof src);
    hm_escape(m->filter && *m->filter ? m->filter : "-", m->utf8, filt, sizeof filt);
    snprintf(line, sizeof line,
             "hotmon %s  source %s  window %s  sort %s %s  filter %s  %zu of %zu endpoints", when,
             src, hm_win_name(v->win), hm_column(v->sort)->name, v->descending ? "desc" : "asc",
             filt, v->nrows, v->total);
    fputs(prefix, out);
    if (md)
        hm_export_md_text(out, line);
    else
        fputs(line, out);
    fputc('\n', out);
}

/* Columns written by text and Markdown: the table without the sparkline;
 * SLO only when there are rules or drift to show, and the changes against
 * the baseline last and only with one. Fills out; returns how many. */
static size_t text_columns(const hm_view_t *v, hm_col_t out[HM_COL__COUNT])
{
    static const hm_col_t base[] = {HM_COL_NAME, HM_COL_RATE,   HM_COL_P50,      HM_COL_P95,
                                    HM_COL_P99,  HM_COL_MAX,    HM_COL_ERRORS,   HM_COL_INFLIGHT,
                                    HM_COL_QUEUE};
    static const hm_col_t delta[] = {HM_COL_D_P50, HM_COL_D_P99, HM_COL_D_RATE, HM_COL_D_ERRORS};
    size_t n = 0;
    for (size_t i = 0; i < sizeof base / sizeof base[0]; i++)
        out[n++] = base[i];
    if (v->snap->nrules || v->snap->drifting)
        out[n++] = HM_COL_SLO;
    for (size_t i = 0; v->baseline && i < sizeof delta / sizeof delta[0]; i++)
        out[n++] = delta[i];
    return n;
}

static void write_text(FILE *out, const hm_view_t *v, const hm_export_meta_t *m)
{
    title(out, v, m, "", false);
    int wname = (int)strlen(hm_column(HM_COL_NAME)->header);
    char buf[NAME_BUF];
    for (size_t r = 0; r < v->nrows; r++) {
        int w = hm_escape_width(hm_escape(v->snap->endpoints[v->rows[r]].name, m->utf8, buf, sizeof buf));
        wname = w > wname ? w : wname;
    }
    hm_col_t cols[HM_COL__COUNT];
    size_t ncols = text_columns(v, cols);
    for (size_t c = 0; c < ncols; c++) {
        const hm_column_t *col = hm_column(cols[c]);
        fprintf(out, c ? " %*s" : "%-*s", c ? col->width + 1 : wname, col->header);
    }
    fputc('\n', out);
    for (size_t r = 0; r < v->nrows; r++) {
        for (size_t c = 0; c < ncols; c++) {
            const hm_column_t *col = hm_column(cols[c]);
            hm_view_cell(v, r, cols[c], m->utf8, buf, sizeof buf, NULL);
            int pad = (c ? col->width + 1 : wname) - hm_escape_width(buf);
            if (c)
                fprintf(out, " %*s%s", pad > 0 ? pad : 0, "", buf);
            else
                fprintf(out, "%s%*s", buf, pad > 0 ? pad : 0, "");
        }
        fputc('\n', out);
    }
}

static void write_md(FILE *out, const hm_view_t *v, const hm_export_meta_t *m)
{
    title(out, v, m, "### ", true);
    fputc('\n', out);
    hm_col_t cols[HM_COL__COUNT];
    size_t ncols = text_columns(v, cols);
    for (size_t c = 0; c < ncols; c++)
        fprintf(out, "| %s ", hm_column(cols[c])->header);
    fputs("|\n", out);
    for (size_t c = 0; c < ncols; c++)
        fputs(hm_column(cols[c])->right ? "|---:" : "|---", out);
    fputs("|\n", out);
    char buf[NAME_BUF];
    for (size_t r = 0; r < v->nrows; r++) {
        for (size_t c = 0; c < ncols; c++) {
            hm_view_cell(v, r, cols[c], m->utf8, buf, sizeof buf, NULL);
            fputs("| ", out);
            hm_export_md_text(out, buf);
            fputc(' ', out);
        }
        fputs("|\n", out);
    }
}

static void csv_field(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static void write_csv(FILE *out, const hm_view_t *v, const hm_export_meta_t *m)
{
    fputs("name,count,rate,errors,error_rate,min_ms,mean_ms,p50_ms,p90_ms,p95_ms,p99_ms,"
          "p999_ms,max_ms,inflight,queue",
          out);
    fputs(v->baseline ? ",d_p50,d_p99,d_rate,d_errors_pp,regression\r\n" : "\r\n", out);
    char buf[NAME_BUF], num[48];
    for (size_t r = 0; r < v->nrows; r++) {
        const hm_snap_endpoint_t *e = &v->snap->endpoints[v->rows[r]];
        const hm_snap_stats_t *s = &e->win[v->win];
        const uint64_t ms[] = {s->min_ns, s->mean_ns, s->p50_ns, s->p90_ns,
                               s->p95_ns, s->p99_ns,  s->p999_ns, s->max_ns};
        csv_field(out, hm_escape(e->name, true, buf, sizeof buf));
        fprintf(out, ",%llu,", (unsigned long long)s->count);
        fputs(hm_format_fixed(s->rate, 3, num, sizeof num), out);
        fprintf(out, ",%llu,", (unsigned long long)s->errors);
        fputs(hm_format_fixed(s->error_rate, 6, num, sizeof num), out);
        for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) {
            fputc(',', out);
            fputs(hm_format_fixed(hm_format_ms(ms[i]), 3, num, sizeof num), out);
        }
        fprintf(out, ",%lld,%lld", (long long)e->inflight.now, (long long)e->queue.now);
        if (v->baseline) {
            hm_delta_t d = hm_baseline_compare(v->baseline, e, v->win);
            if (d.known) {
                const double ch[] = {d.p50, d.p99, d.rate};
                for (size_t i = 0; i < 3; i++) {
                    fputc(',', out);
                    fputs(hm_format_fixed(ch[i], 4, num, sizeof num), out);
                }
                fputc(',', out);
                fputs(hm_format_fixed(d.errors_pp, 3, num, sizeof num), out);
                fprintf(out, ",%d", d.p50_worse || d.p99_worse || d.rate_worse || d.errors_worse);
            } else {
                fputs(",,,,,", out); /* not in the baseline */
            }
        }
        fputs("\r\n", out);
    }
    (void)m;
}

static json_t *counters_json(const hm_snap_counters_t *c)
{
    json_t *rej = json_object();
    for (int i = 1; i < HM_WIRE_ERR__COUNT; i++)
        json_object_set_new(rej, hm_wire_err_str((hm_wire_err_t)i),
                            json_integer((json_int_t)c->rejected_by[i]));
    return json_pack("{s:I,s:I,s:I,s:o,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
                     "frames", (json_int_t)c->frames, "samples", (json_int_t)c->samples,
                     "rejected", (json_int_t)c->rejected, "rejected_by", rej, "lost",
                     (json_int_t)c->lost, "client_drops", (json_int_t)c->client_drops,
                     "senders_live", (json_int_t)c->senders_live, "senders_expired",
                     (json_int_t)c->senders_expired, "senders_refused",
                     (json_int_t)c->senders_refused, "endpoints", (json_int_t)c->endpoints,
                     "names_folded", (json_int_t)c->names_folded, "names_cut",
                     (json_int_t)c->names_cut, "values_clamped", (json_int_t)c->values_clamped,
                     "unknown_ids", (json_int_t)c->unknown_ids, "unknown_records",
                     (json_int_t)c->unknown_records, "auth_failures", (json_int_t)c->auth_failures);
}

/* The changes against the baseline, or JSON null for a new endpoint. */
static json_t *delta_json(const hm_baseline_t *b, const hm_snap_endpoint_t *e, hm_win_t win)
{
    hm_delta_t d = hm_baseline_compare(b, e, win);
    if (!d.known)
        return json_null();
    return json_pack("{s:f,s:f,s:f,s:f,s:b,s:b,s:b,s:b}", "p50", d.p50, "p99", d.p99, "rate",
                     d.rate, "errors_pp", d.errors_pp, "p50_worse", d.p50_worse, "p99_worse",
                     d.p99_worse, "rate_worse", d.rate_worse, "errors_worse", d.errors_worse);
}

static json_t *endpoint_json(const hm_snap_endpoint_t *e, hm_win_t win)
{
    char name[NAME_BUF];
    const hm_snap_stats_t *s = &e->win[win];
    json_t *o = json_pack(
        "{s:s,s:b,s:I,s:f,s:I,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:I,s:I,s:I,s:I}", "name",
        hm_escape(e->name, true, name, sizeof name), "other", e->other, "count",
        (json_int_t)s->count, "rate", s->rate, "errors", (json_int_t)s->errors, "error_rate",
        s->error_rate, "min_ms", hm_format_ms(s->min_ns), "mean_ms", hm_format_ms(s->mean_ns),
        "p50_ms", hm_format_ms(s->p50_ns), "p90_ms", hm_format_ms(s->p90_ns), "p95_ms",
        hm_format_ms(s->p95_ns), "p99_ms", hm_format_ms(s->p99_ns), "p999_ms",
        hm_format_ms(s->p999_ns), "max_ms", hm_format_ms(s->max_ns), "span_s",
        (double)s->span_ns / 1e9, "inflight", (json_int_t)e->inflight.now, "inflight_max",
        (json_int_t)e->inflight.max, "queue", (json_int_t)e->queue.now, "queue_max",
        (json_int_t)e->queue.max);
    uint64_t total = 0;
    for (size_t i = 0; i < e->nphases; i++)
        total += e->phases[i].win[win].sum_ns;
    json_t *phases = json_array();
    for (size_t i = 0; i < e->nphases; i++) {
        const hm_snap_phase_t *p = &e->phases[i];
        uint64_t n = p->win[win].count;
        json_array_append_new(
            phases, json_pack("{s:s,s:I,s:f,s:f,s:f,s:f,s:f}", "name",
                              hm_escape(p->name, true, name, sizeof name), "count",
                              (json_int_t)n, "mean_ms",
                              n ? hm_format_ms(p->win[win].sum_ns / n) : 0.0, "p50_ms",
                              hm_format_ms(p->win[win].p50_ns), "p95_ms",
                              hm_format_ms(p->win[win].p95_ns), "p99_ms",
                              hm_format_ms(p->win[win].p99_ns), "share",
                              total ? (double)p->win[win].sum_ns / (double)total : 0.0));
    }
    json_t *statuses = json_array();
    for (size_t i = 0; i < e->nstatuses; i++)
        json_array_append_new(statuses, json_pack("{s:i,s:I}", "status", e->statuses[i].status,
                                                  "count", (json_int_t)e->statuses[i].count));
    json_t *slow = json_array();
    for (size_t i = 0; i < e->nslow; i++)
        json_array_append_new(
            slow, json_pack("{s:f,s:i,s:s,s:f}", "duration_ms", hm_format_ms(e->slow[i].duration_ns),
                            "status", e->slow[i].status, "request_id",
                            hm_escape(e->slow[i].request_id, true, name, sizeof name), "age_s",
                            (double)e->slow[i].age_ns / 1e9));
    static const char *const slo[] = {NULL, "ok", "fail"};
    json_object_set_new(o, "slo", e->slo_state && e->slo_state <= HM_SLO_STATE_BREACH
                                      ? json_string(slo[e->slo_state])
                                      : json_null());
    json_object_set_new(o, "drift",
                        json_pack("{s:i,s:f,s:b}", "minutes", (int)e->drift.minutes,
                                  "p95_ms_per_10m", e->drift.ns_per_10m / 1e6, "drifting",
                                  e->drift.drifting));
    json_object_set_new(o, "phases", phases);
    json_object_set_new(o, "statuses", statuses);
    json_object_set_new(o, "slowest", slow);
    return o;
}

static int write_json(FILE *out, const hm_view_t *v, const hm_export_meta_t *m)
{
    char when[32], src[NAME_BUF], filt[NAME_BUF];
    iso_time(v->snap->taken_unix_ms, when, sizeof when);
    json_t *eps = json_array();
    for (size_t r = 0; r < v->nrows; r++) {
        const hm_snap_endpoint_t *e = &v->snap->endpoints[v->rows[r]];
        json_t *o = endpoint_json(e, v->win);
        if (v->baseline)
            json_object_set_new(o, "baseline", delta_json(v->baseline, e, v->win));
        json_array_append_new(eps, o);
    }
    json_t *doc = json_pack(
        "{s:i,s:s,s:s,s:s,s:s,s:b,s:s,s:f,s:f,s:o,s:o}", "version", 1, "generated_at", when,
        "source", hm_escape(m->source ? m->source : "", true, src, sizeof src), "window",
        hm_win_name(v->win), "sort", hm_column(v->sort)->name, "descending", v->descending,
        "filter", hm_escape(m->filter ? m->filter : "", true, filt, sizeof filt), "uptime_s", (double)v->snap->uptime_ns / 1e9,
        "ingest_rate", v->snap->ingest_rate, "counters", counters_json(&v->snap->counters),
        "endpoints", eps);
    if (!doc)
        return ENOMEM;
    /* 15 significant digits (DBL_DIG): milliseconds rounded to the
     * microsecond print as "12.345", not "12.345000000000001" as with 17, and
     * any other number is kept to within 1e-15 of itself. */
    int rc = json_dumpf(doc, out, JSON_INDENT(2) | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(15)) == 0
                 ? 0
                 : EIO;
    fputc('\n', out);
    json_decref(doc);
    return rc;
}

int hm_export(FILE *out, hm_format_t f, const hm_view_t *v, const hm_export_meta_t *meta)
{
    assert(out && v && v->snap && meta);
    int rc = 0;
    errno = 0; /* so a stream error below is reported with its own errno or EIO */
    switch (f) {
    case HM_FMT_TEXT:
        write_text(out, v, meta);
        break;
    case HM_FMT_MD:
        write_md(out, v, meta);
        break;
    case HM_FMT_CSV:
        write_csv(out, v, meta);
        break;
    case HM_FMT_JSON:
        rc = write_json(out, v, meta);
        break;
    default:
        return EINVAL;
    }
    if (fflush(out) != 0 || ferror(out))
        return errno ? errno : EIO;
    return rc;
}
