/*
 * detail.c - the detail view (see detail.h).
 */
#include "detail.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "slo_text.h"
#include "format.h"
#include "sparkline.h"

typedef struct {
    const hm_term_t *t;
    bool utf8;
    int y;
} pen_t;

/* Prints one line (cut to the screen) and moves down; false when full. */
static bool put(pen_t *p, hm_role_t role, const char *text)
{
    if (p->y >= LINES - 1)
        return false;
    hm_term_put(p->t, p->y++, 0, COLS, text, false, hm_term_attr(p->t, role));
    return true;
}

/* A blank line between sections, on screens tall enough to spare it. */
static void gap(pen_t *p)
{
    if (LINES >= 32)
        p->y++;
}

static void bar(char *out, size_t n, uint64_t v, uint64_t max, int width, bool utf8)
{
    int cells = max ? (int)((double)v / (double)max * width + 0.5) : 0;
    if (v && cells == 0)
        cells = 1;
    size_t o = 0;
    for (int i = 0; i < cells && o + 4 < n; i++) {
        const char *b = utf8 ? "\xe2\x96\x88" : "#";
        memcpy(out + o, b, strlen(b));
        o += strlen(b);
    }
    out[o] = '\0';
}

static void histogram(pen_t *p, const hm_snap_stats_t *s)
{
    put(p, HM_ROLE_TITLE, "latency histogram (per power of two)");
    uint64_t max = 0;
    int lo = -1, hi = -1;
    for (int i = 0; i <= HM_HIST_OCTAVES; i++) {
        if (s->octaves[i]) {
            lo = lo < 0 ? i : lo;
            hi = i;
            max = s->octaves[i] > max ? s->octaves[i] : max;
        }
    }
    for (int i = lo; lo >= 0 && i <= hi; i++) {
        char a[16], b[16], bars[256], text[512];
        uint64_t low = i == 0 ? 0 : 1ull << (HM_HIST_LOW_BITS + i - 1);
        hm_format_duration(low, p->utf8, a, sizeof a);
        hm_format_duration(1ull << (HM_HIST_LOW_BITS + i), p->utf8, b, sizeof b);
        bar(bars, sizeof bars, s->octaves[i], max, COLS > 60 ? 40 : 20, p->utf8);
        snprintf(text, sizeof text, "  %7s - %-7s %10llu %s", a, b,
                 (unsigned long long)s->octaves[i], bars);
        if (!put(p, HM_ROLE_BAR, text))
            return;
    }
}

static void chart(pen_t *p, const hm_snap_endpoint_t *e)
{
    int width = COLS - 16 > 0 ? COLS - 16 : 1;
    if (width > HM_WINDOW_HISTORY)
        width = HM_WINDOW_HISTORY;
    char title[128];
    snprintf(title, sizeof title, "percentiles, last %d s (one cell a second)", width);
    put(p, HM_ROLE_TITLE, title);
    uint32_t v[HM_WINDOW_HISTORY];
    const char *names[3] = {"p50", "p95", "p99"};
    for (int q = 0; q < 3; q++) {
        uint32_t last = 0;
        for (int i = 0; i < HM_WINDOW_HISTORY; i++) {
            const hm_second_t *h = &e->history[i];
            v[i] = q == 0 ? h->p50_us : q == 1 ? h->p95_us : h->p99_us;
            last = v[i] ? v[i] : last;
        }
        char line_buf[4096], spark[3072], now[16];
        hm_sparkline(v + HM_WINDOW_HISTORY - width, (size_t)width, width, p->utf8, spark,
                     sizeof spark);
        hm_format_duration((uint64_t)last * 1000, p->utf8, now, sizeof now);
        snprintf(line_buf, sizeof line_buf, "  %s %7s %s", names[q], now, spark);
        put(p, HM_ROLE_SPARKLINE, line_buf);
    }
}

/* The rules that apply to e, each with its state, value, breaches, and
 * budget and burn rates for objective rules; then the p95 drift. */
static void slo(pen_t *p, const hm_snapshot_t *snap, const hm_snap_endpoint_t *e)
{
    char text[1024], v[48], budget[128];
    for (size_t i = 0; i < e->nslo; i++) {
        const hm_snap_slo_t *r = &e->slo[i];
        static const char *const state[] = {"-", "ok", "FAIL"};
        snprintf(text, sizeof text, "SLO %-4s %s  now %s  %u breach%s  %s",
                 state[r->state <= HM_SLO_STATE_BREACH ? r->state : 0],
                 snap->rules[r->rule].rule.text,
                 r->state ? hm_slo_text_actual(snap, r, v, sizeof v) : "-", r->breaches,
                 r->breaches == 1 ? "" : "es", hm_slo_text_budget(r, budget, sizeof budget));
        put(p, r->state == HM_SLO_STATE_BREACH ? HM_ROLE_BREACH : HM_ROLE_DEFAULT, text);
    }
    hm_slo_text_drift(&e->drift, p->utf8, text, sizeof text);
    put(p, e->drift.drifting ? HM_ROLE_BREACH : HM_ROLE_DEFAULT, text);
}

void hm_detail_draw(const hm_model_t *m, const hm_term_t *t)
{
    pen_t p = {t, hm_term_utf8(t), 0};
    const hm_snap_endpoint_t *e = hm_model_selected(m);
    if (!e) {
        put(&p, HM_ROLE_DIM, "no endpoint selected; Esc goes back");
        return;
    }
    char name[HM_SNAP_NAME_MAX * 10 + 1], text[4096];
    hm_escape(e->name, p.utf8, name, sizeof name);
    snprintf(text, sizeof text, "%s  window %s%s  (Esc back, 1-4 window)", name,
             hm_win_name(m->win), m->paused ? "  [PAUSED]" : "");
    put(&p, HM_ROLE_HEADER, text);
    const hm_snap_stats_t *s = &e->win[m->win];
    char a[8][16];
    snprintf(text, sizeof text, "count %s  rate %s/s  errors %s (%s)",
             hm_format_count(s->count, a[0], 16), hm_format_rate(s->rate, a[1], 16),
             hm_format_count(s->errors, a[2], 16), hm_format_percent(s->error_rate, a[3], 16));
    put(&p, HM_ROLE_DEFAULT, text);
    snprintf(text, sizeof text, "min %s  mean %s  max %s",
             hm_format_duration(s->min_ns, p.utf8, a[0], 16),
             hm_format_duration(s->mean_ns, p.utf8, a[1], 16),
             hm_format_duration(s->max_ns, p.utf8, a[2], 16));
    put(&p, HM_ROLE_DEFAULT, text);
    snprintf(text, sizeof text, "p50 %s  p90 %s  p95 %s  p99 %s  p99.9 %s",
             hm_format_duration(s->p50_ns, p.utf8, a[0], 16),
             hm_format_duration(s->p90_ns, p.utf8, a[1], 16),
             hm_format_duration(s->p95_ns, p.utf8, a[2], 16),
             hm_format_duration(s->p99_ns, p.utf8, a[3], 16),
             hm_format_duration(s->p999_ns, p.utf8, a[4], 16));
    put(&p, HM_ROLE_DEFAULT, text);
    snprintf(text, sizeof text,
             "in-flight %lld (min %lld, max %lld)  queue %lld (min %lld, max %lld)  last minute",
             (long long)e->inflight.now, (long long)e->inflight.min, (long long)e->inflight.max,
             (long long)e->queue.now, (long long)e->queue.min, (long long)e->queue.max);
    put(&p, HM_ROLE_DEFAULT, text);
    for (size_t i = 0; i < e->nmetrics; i++) {
        char mn[HM_SNAP_NAME_MAX * 10 + 1];
        snprintf(text, sizeof text, "%s %s %lld (min %lld, max %lld)",
                 e->metrics[i].counter ? "counter" : "gauge",
                 hm_escape(e->metrics[i].name, p.utf8, mn, sizeof mn),
                 (long long)e->metrics[i].value.now, (long long)e->metrics[i].value.min,
                 (long long)e->metrics[i].value.max);
        put(&p, HM_ROLE_DEFAULT, text);
    }
    slo(&p, m->view.snap, e);
    gap(&p);
    histogram(&p, s);
    gap(&p);
    chart(&p, e);
    if (e->nphases) {
        gap(&p);
        put(&p, HM_ROLE_TITLE, "phases (share of time in the window)");
        uint64_t total = 0;
        for (size_t i = 0; i < e->nphases; i++)
            total += e->phases[i].win[m->win].sum_ns;
        for (size_t i = 0; i < e->nphases; i++) {
            const hm_snap_phase_t *ph = &e->phases[i];
            uint64_t n = ph->win[m->win].count, sum = ph->win[m->win].sum_ns;
            char pn[HM_SNAP_NAME_MAX * 10 + 1], bars[256];
            bar(bars, sizeof bars, sum, total, 30, p.utf8);
            snprintf(text, sizeof text, "  %-12s %5.1f%%  mean %-8s p95 %-8s %s",
                     hm_escape(ph->name, p.utf8, pn, sizeof pn),
                     total ? 100.0 * (double)sum / (double)total : 0.0,
                     hm_format_duration(n ? sum / n : 0, p.utf8, a[0], 16),
                     hm_format_duration(ph->win[m->win].p95_ns, p.utf8, a[1], 16), bars);
            put(&p, HM_ROLE_DEFAULT, text);
        }
    }
    if (e->nstatuses) {
        gap(&p);
        put(&p, HM_ROLE_TITLE, "statuses (since start or reset)");
        size_t o = 0;
        text[0] = '\0';
        for (size_t i = 0; i < e->nstatuses && o < sizeof text - 32; i++)
            o += (size_t)snprintf(text + o, sizeof text - o, "  %u: %llu", e->statuses[i].status,
                                  (unsigned long long)e->statuses[i].count);
        put(&p, HM_ROLE_DEFAULT, text);
    }
    if (e->nslow) {
        gap(&p);
        put(&p, HM_ROLE_TITLE, "slowest requests of the last minute");
        for (size_t i = 0; i < e->nslow; i++) {
            char rid[HM_SNAP_RID_MAX * 10 + 1];
            snprintf(text, sizeof text, "  %8s  status %3u  %5.1fs ago  %s",
                     hm_format_duration(e->slow[i].duration_ns, p.utf8, a[0], 16),
                     e->slow[i].status, (double)e->slow[i].age_ns / 1e9,
                     e->slow[i].request_id[0]
                         ? hm_escape(e->slow[i].request_id, p.utf8, rid, sizeof rid)
                         : "-");
            if (!put(&p, HM_ROLE_DEFAULT, text))
                break;
        }
    }
}
