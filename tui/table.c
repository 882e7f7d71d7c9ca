/*
 * table.c - the main view and the help screen (see table.h).
 */
#include "table.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "escape.h"
#include "format.h"

#define CELL 1024

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

/* Writes s at (y, x), fitted to w cells (left or right aligned), with attr. */
static void cell(int y, int x, int w, const char *s, bool right, int attr, bool utf8)
{
    char fit[CELL];
    hm_escape_fit(s, w, utf8, fit, sizeof fit);
    int pad = w - hm_escape_width(fit);
    attron(attr);
    move(y, x);
    if (right)
        printw("%*s%s", pad > 0 ? pad : 0, "", fit);
    else
        printw("%s%*s", fit, pad > 0 ? pad : 0, "");
    attroff(attr);
}

/* One line of text across the screen with attr, cut at its end. */
static void line(int y, const char *text, int attr, bool utf8)
{
    char cut[CELL * 2];
    hm_escape_cut(text, COLS, cut, sizeof cut);
    int pad = COLS - hm_escape_width(cut);
    (void)utf8;
    attron(attr);
    mvprintw(y, 0, "%s%*s", cut, pad > 0 ? pad : 0, "");
    attroff(attr);
}

static void status_lines(const hm_model_t *m, const hm_term_t *t, const char *source)
{
    bool utf8 = hm_term_utf8(t);
    const hm_snapshot_t *s = m->view.snap;
    const hm_snap_counters_t *c = s ? &s->counters : NULL;
    char rate[16], buf[2048];
    hm_format_rate(s ? s->ingest_rate : 0, rate, sizeof rate);
    /* What the user set comes first, so a narrow screen cuts the address,
     * not the window, the sort or the pause. */
    snprintf(buf, sizeof buf,
             "%swindow %s  sort %s%s  senders %llu  ingest %s/s  drops %llu  lost %llu  "
             "rejected %llu  %s",
             m->paused ? "[PAUSED]  " : "", hm_win_name(m->win), hm_column(m->sort)->name,
             m->descending ? (utf8 ? "\xe2\x86\x93" : "-") : (utf8 ? "\xe2\x86\x91" : "+"),
             c ? (unsigned long long)c->senders_live : 0ull, rate,
             c ? (unsigned long long)c->client_drops : 0ull, c ? (unsigned long long)c->lost : 0ull,
             c ? (unsigned long long)c->rejected : 0ull, source);
    bool trouble = c && (c->client_drops || c->lost || c->rejected);
    line(0, buf, hm_term_attr(t, trouble ? HM_ROLE_WARN : HM_ROLE_STATUS), utf8);

    char filter[HM_FILTER_MAX * 4];
    hm_escape(m->filter_text, utf8, filter, sizeof filter);
    if (m->editing)
        snprintf(buf, sizeof buf, "filter: %s_  %s(%zu of %zu)  Enter keeps, Esc clears", filter,
                 m->filter_error[0] ? "[bad regex] " : "", m->view.nrows, m->view.total);
    else if (m->status[0])
        snprintf(buf, sizeof buf, "%s", m->status);
    else if (m->filter_text[0])
        snprintf(buf, sizeof buf, "filter: %s  (%zu of %zu endpoints)", filter, m->view.nrows,
                 m->view.total);
    else
        snprintf(buf, sizeof buf, "%zu endpoints", m->view.total);
    line(1, buf, hm_term_attr(t, m->filter_error[0] ? HM_ROLE_BREACH : HM_ROLE_DIM), utf8);
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
    for (int i = 0; i < l.ncols; i++) {
        const hm_column_t *col = hm_column(l.col[i]);
        char h[64];
        const char *arrow = m->descending ? (utf8 ? "\xe2\x86\x93" : "v") : (utf8 ? "\xe2\x86\x91" : "^");
        snprintf(h, sizeof h, "%s%s", col->header, l.col[i] == m->sort ? arrow : "");
        cell(HM_TABLE_HEADER_ROW, l.x[i], l.w[i], h, col->right, hdr, utf8);
    }
    int last = LINES - HM_TABLE_FOOTER_ROWS;
    if (m->view.nrows == 0) {
        char msg[512];
        if (m->view.total == 0)
            snprintf(msg, sizeof msg,
                     "No samples yet. Listening on %s: link libhotmon (docs/client.md), set "
                     "HOTMON_ENDPOINT=%s, or try hotmon --demo.",
                     source, source);
        else
            snprintf(msg, sizeof msg, "No endpoint matches the filter. Esc clears it.");
        line(HM_TABLE_FIRST_ROW + 1, msg, hm_term_attr(t, HM_ROLE_DIM), utf8);
    }
    for (size_t r = m->top; r < m->view.nrows; r++) {
        int y = HM_TABLE_FIRST_ROW + (int)(r - m->top);
        if (y >= last)
            break;
        const hm_snap_endpoint_t *e = &m->view.snap->endpoints[m->view.rows[r]];
        bool sel = r == m->sel;
        int base = hm_term_attr(t, sel ? HM_ROLE_SELECTED : e->other ? HM_ROLE_DIM : HM_ROLE_DEFAULT);
        if (sel) {
            attron(base);
            mvhline(y, 0, ' ', COLS);
            attroff(base);
        }
        for (int i = 0; i < l.ncols; i++) {
            char v[CELL];
            bool worse = false;
            hm_view_cell(&m->view, r, l.col[i], utf8, v, sizeof v, &worse);
            int attr = base;
            if (!sel && worse)
                attr = hm_term_attr(t, HM_ROLE_BREACH); /* with " !": readable without colour */
            double err = e->win[m->win].error_rate;
            if (!sel && l.col[i] == HM_COL_ERRORS && err > 0)
                attr = hm_term_attr(t, err >= 0.01 ? HM_ROLE_BREACH : HM_ROLE_WARN);
            if (!sel && l.col[i] == HM_COL_TREND)
                attr = hm_term_attr(t, HM_ROLE_SPARKLINE);
            cell(y, l.x[i], l.w[i], v, hm_column(l.col[i])->right, attr, utf8);
        }
    }
    line(last, "SLO: no rules loaded", hm_term_attr(t, HM_ROLE_DIM), utf8);
    line(last + 1,
         "?:help  /:filter  </>:sort  I:reverse  1-4:window  space:pause  Enter:detail  "
         "s:snapshot  t:theme  r:reset  q:quit",
         hm_term_attr(t, HM_ROLE_HEADER), utf8);
}

void hm_help_draw(const hm_term_t *t)
{
    static const char *const keys[][2] = {
        {"?  F1", "this help (any key closes it)"},
        {"/", "filter as you type: text matches anywhere, ~REGEX, !inverts; Enter keeps"},
        {"Esc", "clear the filter, or go back from the detail view"},
        {"< >  , .", "sort by the previous / next column (or click a header)"},
        {"I", "reverse the sort"},
        {"1 2 3 4", "window: 10 s, 1 min, 5 min, since start"},
        {"space", "pause the view (collection goes on)"},
        {"Up Down j k", "move the selection; PgUp PgDn Home End too"},
        {"Enter", "detail of the selected endpoint"},
        {"s", "snapshot the view to a file (--snapshot-dir, --snapshot-format)"},
        {"t", "next colour theme"},
        {"r", "reset the statistics"},
        {"q", "quit"},
    };
    bool utf8 = hm_term_utf8(t);
    line(0, "hotmon keys", hm_term_attr(t, HM_ROLE_TITLE), utf8);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0] && (int)i + 2 < LINES; i++) {
        cell((int)i + 2, 2, 14, keys[i][0], false, hm_term_attr(t, HM_ROLE_HEADER), utf8);
        cell((int)i + 2, 17, COLS > 18 ? COLS - 18 : 1, keys[i][1], false,
             hm_term_attr(t, HM_ROLE_DEFAULT), utf8);
    }
}
