/*
 * ui.c - the interactive loop (see ui.h): take the newest snapshot, turn keys
 * into model changes, carry out the actions they ask for, draw if anything
 * changed. Drawing reads snapshots only, so a slow terminal never slows the
 * collector.
 */
#include "ui.h"

#include <assert.h>
#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "detail.h"
#include "help.h"
#include "input.h"
#include "model.h"
#include "snapshot_file.h"
#include "table.h"
#include "term.h"

#define KEY_WAIT_MS 100

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

typedef struct {
    const hm_view_t *view;
    hm_format_t format;
    const hm_export_meta_t *meta;
} snap_job_t;

static int write_snapshot(FILE *out, void *arg)
{
    const snap_job_t *j = arg;
    return hm_export(out, j->format, j->view, j->meta);
}

static hm_snapshot_t *collector_take(void *arg)
{
    return hm_collector_snapshot(arg);
}

static void collector_reset(void *arg)
{
    hm_collector_reset(arg);
    hm_collector_refresh(arg, 1000); /* so the next frame shows the reset */
}

int hm_ui_run(const hm_ui_config_t *cfg, char *why, size_t why_len)
{
    assert(cfg && cfg->collector);
    hm_ui_source_t src = {collector_take, collector_reset, cfg->collector,
                          hm_collector_address(cfg->collector), NULL};
    return hm_ui_run_from(cfg, &src, why, why_len);
}

/* 's': the view as shown, to a new file; the path or the reason on the
 * status line, and the screen carries on either way. */
static void take_snapshot(hm_model_t *m, const hm_ui_config_t *cfg, const char *source, bool utf8)
{
    const hm_settings_t *s = cfg->settings;
    hm_export_meta_t meta = {source, m->filter_text, utf8};
    snap_job_t job = {&m->view, s->snapshot_format, &meta};
    char path[4200], msg[4300];
    if (hm_snapshot_file_write(s->snapshot_dir, "hotmon", hm_format_ext(s->snapshot_format),
                               time(NULL), write_snapshot, &job, path, sizeof path) == 0)
        snprintf(msg, sizeof msg, "snapshot written to %s", path);
    else
        snprintf(msg, sizeof msg, "snapshot failed: %s", path);
    hm_model_say(m, msg, now_ns());
}

static void next_theme(hm_model_t *m, hm_term_t *t)
{
    size_t n;
    const char *const *names = hm_theme_builtin_names(&n);
    m->theme = (m->theme + 1) % n;
    hm_theme_t theme;
    char why[512], msg[600];
    if (hm_theme_load(names[m->theme], &theme, why, sizeof why) == 0)
        snprintf(msg, sizeof msg, "theme %s", names[m->theme]);
    else
        snprintf(msg, sizeof msg, "%s; using the default theme", why);
    hm_term_set_theme(t, &theme);
    hm_model_say(m, msg, now_ns());
}

static void draw(const hm_model_t *m, const hm_term_t *t, const char *source)
{
    erase();
    if (m->screen == HM_SCREEN_HELP)
        hm_help_draw(t);
    else if (m->screen == HM_SCREEN_DETAIL)
        hm_detail_draw(m, t);
    else
        hm_table_draw(m, t, source);
    refresh();
}

int hm_ui_run_from(const hm_ui_config_t *cfg, const hm_ui_source_t *src, char *why, size_t why_len)
{
    assert(cfg && cfg->settings && cfg->stop && src && src->take);
    const hm_settings_t *s = cfg->settings;
    hm_theme_t theme;
    char theme_msg[512] = "";
    if (hm_theme_load(s->theme, &theme, theme_msg, sizeof theme_msg) != 0)
        strncat(theme_msg, "; using the default theme", sizeof theme_msg - strlen(theme_msg) - 1);
    hm_model_t m;
    const char *bad = NULL;
    if (hm_model_init(&m, s, &bad) != 0) {
        snprintf(why, why_len, "--filter: %s", bad);
        hm_model_fini(&m);
        return EINVAL;
    }
    m.baseline = cfg->baseline;
    size_t n;
    const char *const *names = hm_theme_builtin_names(&n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], theme.name) == 0)
            m.theme = i;
    hm_term_t *t = NULL;
    int rc = hm_term_open(&theme, &t);
    if (rc) {
        snprintf(why, why_len, "cannot start the terminal: %s", strerror(rc));
        hm_model_fini(&m);
        return rc;
    }
    if (theme_msg[0])
        hm_model_say(&m, theme_msg, now_ns());
    char label[512];
    snprintf(label, sizeof label, "%s", src->name ? src->name : "?");
    const char *source = label;
    while (!m.quit && !*cfg->stop) {
        /* A paused model keeps its snapshot; the next one after a resume
         * is taken at once, since its seq differs. */
        hm_snapshot_t *snap = src->take(src->arg);
        if (snap && (!m.snap || snap->seq != m.snap->seq))
            hm_model_update(&m, snap);
        hm_snapshot_release(&snap);
        if (m.want_reset) {
            m.want_reset = false;
            if (src->reset)
                src->reset(src->arg);
            hm_model_say(&m, src->reset ? "statistics reset" : "a remote collector's statistics "
                                                               "cannot be reset from here",
                         now_ns());
        }
        if (src->label) {
            char now_label[sizeof label];
            src->label(src->arg, now_label, sizeof now_label);
            if (strcmp(now_label, label) != 0) {
                memcpy(label, now_label, sizeof label);
                m.dirty = true;
            }
        }
        if (m.want_theme) {
            m.want_theme = false;
            next_theme(&m, t);
        }
        if (m.want_snapshot) {
            m.want_snapshot = false;
            take_snapshot(&m, cfg, src->name ? src->name : "?", hm_term_utf8(t));
        }
        hm_model_tick(&m, now_ns());
        hm_model_set_page(&m, LINES - HM_TABLE_FIRST_ROW - hm_table_footer_rows(&m, LINES));
        if (m.dirty) {
            draw(&m, t, source);
            m.dirty = false;
        }
        int x = 0, y = 0;
        int key = hm_term_key(t, KEY_WAIT_MS, &x, &y);
        /* take every key that is waiting before drawing again */
        while (key != ERR && !m.quit) {
            hm_input_key(&m, key, x, y, COLS);
            key = hm_term_key(t, 0, &x, &y);
        }
    }
    hm_term_close(&t);
    hm_model_fini(&m);
    return 0;
}
