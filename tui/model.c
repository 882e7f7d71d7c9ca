/*
 * model.c - the screen's state (see model.h).
 */
#include "model.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int hm_model_init(hm_model_t *m, const hm_settings_t *s, const char **why)
{
    memset(m, 0, sizeof *m);
    m->win = s->window;
    m->sort = s->sort;
    m->descending = hm_settings_descending(s);
    snprintf(m->filter_text, sizeof m->filter_text, "%s", s->filter ? s->filter : "");
    m->page = 1;
    m->dirty = true;
    return hm_filter_new(m->filter_text, &m->filter, why);
}

void hm_model_fini(hm_model_t *m)
{
    hm_view_fini(&m->view);
    hm_snapshot_release(&m->snap);
    hm_filter_destroy(&m->filter);
}

static void keep_visible(hm_model_t *m)
{
    size_t page = m->page > 0 ? (size_t)m->page : 1;
    if (m->sel < m->top)
        m->top = m->sel;
    if (m->sel >= m->top + page)
        m->top = m->sel - page + 1;
    /* no blank rows below the last while rows above are hidden */
    if (m->view.nrows <= page)
        m->top = 0;
    else if (m->top + page > m->view.nrows)
        m->top = m->view.nrows - page;
}

void hm_model_rebuild(hm_model_t *m)
{
    if (!m->snap)
        return;
    hm_view_t v;
    if (hm_view_build(&v, m->snap, m->filter, m->win, m->sort, m->descending) != 0)
        return; /* out of memory: keep showing the old view */
    hm_view_fini(&m->view);
    m->view = v;
    m->view.baseline = m->baseline;
    /* follow the selected endpoint by name; else stay at the same row */
    bool found = false;
    for (size_t i = 0; i < v.nrows && m->selected[0]; i++) {
        if (strcmp(v.snap->endpoints[v.rows[i]].name, m->selected) == 0) {
            m->sel = i;
            found = true;
            break;
        }
    }
    if (!found) {
        m->sel = v.nrows == 0 ? 0 : m->sel < v.nrows ? m->sel : v.nrows - 1;
        if (v.nrows)
            snprintf(m->selected, sizeof m->selected, "%s", v.snap->endpoints[v.rows[m->sel]].name);
    }
    keep_visible(m);
    m->dirty = true;
}

void hm_model_update(hm_model_t *m, hm_snapshot_t *snap)
{
    if (m->paused && m->snap)
        return;
    hm_snapshot_release(&m->snap);
    m->snap = hm_snapshot_ref(snap);
    hm_model_rebuild(m);
}

void hm_model_move(hm_model_t *m, long delta)
{
    if (m->view.nrows == 0)
        return;
    long to = (long)m->sel + delta;
    if (to < 0)
        to = 0;
    if (to >= (long)m->view.nrows)
        to = (long)m->view.nrows - 1;
    m->sel = (size_t)to;
    snprintf(m->selected, sizeof m->selected, "%s",
             m->view.snap->endpoints[m->view.rows[m->sel]].name);
    keep_visible(m);
    m->dirty = true;
}

void hm_model_set_filter(hm_model_t *m, const char *text)
{
    if (text != m->filter_text)
        snprintf(m->filter_text, sizeof m->filter_text, "%s", text);
    hm_filter_t *f = NULL;
    const char *why = NULL;
    if (hm_filter_new(m->filter_text, &f, &why) != 0) {
        snprintf(m->filter_error, sizeof m->filter_error, "%s", why);
        m->dirty = true;
        return;
    }
    m->filter_error[0] = '\0';
    hm_filter_destroy(&m->filter);
    m->filter = f;
    hm_model_rebuild(m);
}

void hm_model_say(hm_model_t *m, const char *msg, uint64_t now_ns)
{
    snprintf(m->status, sizeof m->status, "%s", msg);
    m->status_until_ns = now_ns + HM_MODEL_SAY_NS;
    m->dirty = true;
}

void hm_model_tick(hm_model_t *m, uint64_t now_ns)
{
    if (m->status[0] && now_ns >= m->status_until_ns) {
        m->status[0] = '\0';
        m->dirty = true;
    }
}

void hm_model_set_page(hm_model_t *m, int rows)
{
    rows = rows > 1 ? rows : 1;
    if (rows == m->page)
        return;
    m->page = rows;
    keep_visible(m);
    m->dirty = true;
}

const hm_snap_endpoint_t *hm_model_selected(const hm_model_t *m)
{
    if (m->view.nrows == 0 || !m->view.snap)
        return NULL;
    return &m->view.snap->endpoints[m->view.rows[m->sel]];
}
