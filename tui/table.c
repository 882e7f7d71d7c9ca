/*
 * table.c - the main view (see table.h).
 */
#include "table.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "escape.h"
#include "format.h"
#include "input.h"
#include "slo_text.h"

void hm_table_layout(int width, bool baseline, hm_layout_t *out)
{
    bool on[HM_COL__COUNT];
    int need = 0;
    for (int c = 0; c < HM_COL__COUNT; c++) {
        on[c] = baseline || !hm_column((hm_col_t)c)->baseline;
        if (on[c])
            need += hm_column((hm_col_t)c)->width + (c ? 1 : 0);
    }
    while (need > width) {
        int worst = -1;
        for (int c = 0; c < HM_COL__COUNT; c++)
            if (on[c] && hm_column((hm_col_t)c)->drop > 0 &&
                (worst < 0 || hm_column((hm_col_t)c)->drop > hm_column((hm_col_t)worst)->drop))
                worst = c;
        if (worst < 0)
            break;
        on[worst] = false;
        need -= hm_column((hm_col_t)worst)->width + 1;
    }
    int spare = width > need ? width - need : 0;
    int x = 0;
    out->ncols = 0;
    for (int c = 0; c < HM_COL__COUNT; c++) {
        if (!on[c])
            continue;
        int w = hm_column((hm_col_t)c)->width + (c == HM_COL_NAME ? spare : 0);
        if (c == HM_COL_NAME && w > 60)
            w = 60; /* very long names are cut in the middle, not given the screen */
        out->col[out->ncols] = (hm_col_t)c;
        out->x[out->ncols] = x;
        out->w[out->ncols] = w;
        out->ncols++;
        x += w + 1;
    }
}

int hm_table_column_at(int width, bool baseline, int x)
{
    hm_layout_t l;
    hm_table_layout(width, baseline, &l);
    for (int i = 0; i < l.ncols; i++)
        if (x >= l.x[i] && x < l.x[i] + l.w[i] + 1)
            return (int)l.col[i];
    return -1;
}

/* One line of text across the screen with role's attributes. */
static void line(const hm_term_t *t, int y, const char *text, hm_role_t role)
{
    hm_term_put(t, y, 0, COLS, text, false, hm_term_attr(t, role));
}

/* Appends the pieces to buf, two blanks apart, as long as they fit in width
 * cells: the first n_keep always, the rest while there is room, in order. A
 * piece is plain ASCII or a UTF-8 arrow; width is counted in bytes, which
 * errs on the short side. */
static void join_fitting(char *buf, size_t n, int width, const char *const *pieces, size_t count,
                         size_t n_keep)
{
    size_t o = strlen(buf);
    for (size_t i = 0; i < count; i++) {
        if (!pieces[i] || !pieces[i][0])
            continue;
        size_t add = strlen(pieces[i]) + (o ? 2 : 0);
        if (i >= n_keep && (int)(o + add) > width)
            continue;
        o += (size_t)snprintf(buf + o, n - o, "%s%s", o ? "  " : "", pieces[i]);
        if (o >= n)
            return;
    }
}

/* The arrow after the sort column: which way it sorts. */
static const char *sort_arrow(const hm_model_t *m, bool utf8)
{
    if (utf8)
        return m->descending ? "\xe2\x86\x93" : "\xe2\x86\x91";
    return m->descending ? "v" : "^";
}

/* Line 0: where the data comes from and the collector's health. Line 1: the
 * filter (or a message) on the left; window, sort and PAUSED on the right. */
static void status_lines(const hm_model_t *m, const hm_term_t *t, const char *source)
{
    bool utf8 = hm_term_utf8(t);
    const hm_snapshot_t *s = m->view.snap;
    hm_snap_counters_t none = {0}, c = s ? s->counters : none;
    char rate[16], senders[48], ingest[48], drops[48], lost[48], rejected[48], buf[1024] = "";
    hm_format_rate(s ? s->ingest_rate : 0, rate, sizeof rate);
    snprintf(senders, sizeof senders, "senders %llu", (unsigned long long)c.senders_live);
    snprintf(ingest, sizeof ingest, "ingest %s/s", rate);
    snprintf(drops, sizeof drops, "drops %llu", (unsigned long long)c.client_drops);
    snprintf(lost, sizeof lost, "lost %llu", (unsigned long long)c.lost);
    snprintf(rejected, sizeof rejected, "rejected %llu", (unsigned long long)c.rejected);
    char from[512];
    bool wide = (int)strlen(source) + 71 <= COLS; /* room for the name and every counter */
    snprintf(from, sizeof from, "%s%s", wide ? "hotmon " : "", source);
    const char *top[] = {from, senders, ingest, drops, lost, rejected};
    join_fitting(buf, sizeof buf, COLS, top, sizeof top / sizeof top[0], 1);
    bool trouble = c.client_drops || c.lost || c.rejected;
    bool stale = strstr(source, " STALE ") != NULL; /* a remote collector gone quiet (remote.c) */
    line(t, 0, buf, stale ? HM_ROLE_BREACH : trouble ? HM_ROLE_WARN : HM_ROLE_STATUS);

    char right[128];
    snprintf(right, sizeof right, "%swindow %s  sort %s%s", m->paused ? "PAUSED  " : "",
             hm_win_name(m->win), hm_column(m->sort)->name, sort_arrow(m, utf8));
    char filter[HM_FILTER_MAX * 4], left[HM_FILTER_MAX * 4 + 512];
    hm_escape(m->filter_text, utf8, filter, sizeof filter);
    hm_role_t role = HM_ROLE_DIM;
    if (m->editing && m->filter_error[0]) {
        snprintf(left, sizeof left, "filter: %s_  (%s; %zu of %zu)", filter, m->filter_error,
                 m->view.nrows, m->view.total);
        role = HM_ROLE_BREACH;
    } else if (m->editing) {
        snprintf(left, sizeof left, "filter: %s_  (%zu of %zu)  Enter keeps, Esc clears", filter,
                 m->view.nrows, m->view.total);
    } else if (m->status[0]) {
        snprintf(left, sizeof left, "%s", m->status);
        role = HM_ROLE_WARN;
    } else if (m->filter_text[0]) {
        snprintf(left, sizeof left, "filter: %s  (%zu of %zu endpoints)", filter, m->view.nrows,
                 m->view.total);
    } else {
        snprintf(left, sizeof left, "%zu endpoints", m->view.total);
    }
    int rw = (int)strlen(right) - (utf8 ? 2 : 0); /* the arrow is 3 bytes, 1 cell */
    int lw = COLS - rw - 2;
    if (lw < 20) { /* too narrow for both: the message wins */
        lw = COLS;
        rw = 0;
    }
    hm_term_put(t, 1, 0, lw, left, false, hm_term_attr(t, role));
    if (rw > 0)
        hm_term_put(t, 1, COLS - rw, rw, right, true,
                    hm_term_attr(t, m->paused ? HM_ROLE_WARN : HM_ROLE_DIM));
}

/* The key hints of the binding table, as many as fit; the first (help) and
 * the last (quit) always. */
static size_t pane_events(const hm_model_t *m, int lines)
{
    const hm_snapshot_t *s = m->view.snap;
    if (!s || lines < HM_TABLE_TALL)
        return 0;
    return s->nevents < HM_TABLE_PANE_EVENTS ? s->nevents : HM_TABLE_PANE_EVENTS;
}

int hm_table_footer_rows(const hm_model_t *m, int lines)
{
    return 2 + (int)pane_events(m, lines);
}

/* The violations pane from row y: a summary, then the newest events when
 * the screen is tall, else the newest event on the summary line. */
static void pane(const hm_model_t *m, const hm_term_t *t, int y, bool utf8)
{
    const hm_snapshot_t *s = m->view.snap;
    if (!s)
        return;
    char buf[2048], ev[1600];
    hm_slo_text_summary(s, buf, sizeof buf);
    size_t k = pane_events(m, LINES);
    if (!k && s->nevents) {
        size_t o = strlen(buf);
        snprintf(buf + o, sizeof buf - o, " | %s", hm_slo_text_event(s, &s->events[0], utf8, ev, sizeof ev));
    }
    bool breaching = false;
    for (size_t i = 0; i < s->nrules; i++)
        breaching |= s->rules[i].breaching > 0;
    line(t, y, buf, breaching ? HM_ROLE_BREACH : s->nrules ? HM_ROLE_OK : HM_ROLE_DIM);
    for (size_t i = 0; i < k; i++)
        line(t, y + 1 + (int)i, hm_slo_text_event(s, &s->events[i], utf8, ev, sizeof ev),
             s->events[i].recovery ? HM_ROLE_OK : HM_ROLE_BREACH);
}

static void footer(const hm_term_t *t, int y)
{
    size_t n, count = 0;
    const hm_binding_t *b = hm_input_bindings(&n);
    const char *pieces[HM_ACT__COUNT];
    for (size_t i = 0; i < n && count < HM_ACT__COUNT; i++)
        if (b[i].hint)
            pieces[count++] = b[i].hint;
    char buf[1024] = "";
    if (count == 0)
        return;
    const char *last = pieces[--count];
    join_fitting(buf, sizeof buf, COLS - (int)strlen(last) - 2, pieces, count, 1);
    size_t o = strlen(buf);
    snprintf(buf + o, sizeof buf - o, "%s%s", o ? "  " : "", last);
    line(t, y, buf, HM_ROLE_HEADER);
}

void hm_table_draw(const hm_model_t *m, const hm_term_t *t, const char *source)
{
    bool utf8 = hm_term_utf8(t);
    status_lines(m, t, source);
    hm_layout_t l;
    hm_table_layout(COLS, m->view.baseline != NULL, &l);
    int hdr = hm_term_attr(t, HM_ROLE_HEADER);
    attron(hdr);
    mvhline(HM_TABLE_HEADER_ROW, 0, ' ', COLS);
    attroff(hdr);
    const char *arrow = sort_arrow(m, utf8);
    for (int i = 0; i < l.ncols; i++) {
        const hm_column_t *col = hm_column(l.col[i]);
        char h[64];
        snprintf(h, sizeof h, "%s%s", col->header, l.col[i] == m->sort ? arrow : "");
        hm_term_put(t, HM_TABLE_HEADER_ROW, l.x[i], l.w[i], h, col->right, hdr);
    }
    int last = LINES - hm_table_footer_rows(m, LINES);
    if (m->view.nrows == 0 && m->view.total == 0 && strncmp(source, "remote ", 7) == 0) {
        /* a remote collector (remote.c): its ingest address is not ours to tell */
        char msg[600];
        snprintf(msg, sizeof msg, "%s %s.",
                 strstr(source, " (no data yet") ? "Waiting for the first snapshot from"
                                                 : "No samples yet at the collector behind",
                 source + 7);
        line(t, HM_TABLE_FIRST_ROW + 1, msg, HM_ROLE_DEFAULT);
        line(t, HM_TABLE_FIRST_ROW + 2,
             "Services publish to that hotmon-collector's --bind address (tcp://HOST:7450).",
             HM_ROLE_DIM);
    } else if (m->view.nrows == 0 && m->view.total == 0) {
        char msg[512];
        snprintf(msg, sizeof msg, "No samples yet: listening on %s.", source);
        line(t, HM_TABLE_FIRST_ROW + 1, msg, HM_ROLE_DEFAULT);
        line(t, HM_TABLE_FIRST_ROW + 2, "Try `hotmon --demo`, or link libhotmon (docs/client.md)",
             HM_ROLE_DIM);
        snprintf(msg, sizeof msg, "and run your service with HOTMON_ENDPOINT=%s.", source);
        line(t, HM_TABLE_FIRST_ROW + 3, msg, HM_ROLE_DIM);
    } else if (m->view.nrows == 0) {
        line(t, HM_TABLE_FIRST_ROW + 1, "No endpoint matches the filter. Esc clears it.",
             HM_ROLE_DIM);
    }
    for (size_t r = m->top; r < m->view.nrows; r++) {
        int y = HM_TABLE_FIRST_ROW + (int)(r - m->top);
        if (y >= last)
            break;
        const hm_snap_endpoint_t *e = &m->view.snap->endpoints[m->view.rows[r]];
        bool sel = r == m->sel;
        int base = hm_term_attr(t, sel        ? HM_ROLE_SELECTED
                                   : e->other ? HM_ROLE_DIM
                                              : HM_ROLE_DEFAULT);
        if (sel) {
            attron(base);
            mvhline(y, 0, ' ', COLS);
            attroff(base);
        }
        double err = e->win[m->win].error_rate;
        for (int i = 0; i < l.ncols; i++) {
            char v[1024];
            bool worse = false;
            hm_view_cell(&m->view, r, l.col[i], utf8, v, sizeof v, &worse);
            int attr = base;
            if (!sel && worse)
                attr = hm_term_attr(t, HM_ROLE_BREACH); /* with " !": readable without colour */
            if (!sel && l.col[i] == HM_COL_ERRORS && err > 0)
                attr = hm_term_attr(t, err >= 0.01 ? HM_ROLE_BREACH : HM_ROLE_WARN);
            if (!sel && l.col[i] == HM_COL_TREND)
                attr = hm_term_attr(t, HM_ROLE_SPARKLINE);
            hm_term_put(t, y, l.x[i], l.w[i], v, hm_column(l.col[i])->right, attr);
        }
    }
    pane(m, t, last, utf8);
    footer(t, LINES - 1);
}
