/*
 * ui.c - the interactive loop (see ui.h): take the newest snapshot, turn keys
 * into model changes, carry out the actions they ask for, draw if anything
 * changed. Drawing reads snapshots only, so a slow terminal never slows the
 * collector.
 */
#include "ui.h"

#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "detail.h"
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

static void take_snapshot(hm_model_t *m, const hm_ui_config_t *cfg, bool utf8)
{
    const hm_settings_t *s = cfg->settings;
    hm_export_meta_t meta = {hm_collector_address(cfg->collector), m->filter_text, utf8};
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

int hm_ui_run(const hm_ui_config_t *cfg, char *why, size_t why_len)
{
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
    const char *source = hm_collector_address(cfg->collector);
    uint64_t seen = 0;
    while (!m.quit && !*cfg->stop) {
        hm_snapshot_t *snap = hm_collector_snapshot(cfg->collector);
        if (snap->seq != seen) {
            seen = snap->seq;
            hm_model_update(&m, snap);
        }
        hm_snapshot_release(&snap);
        if (m.want_reset) {
            m.want_reset = false;
            hm_collector_reset(cfg->collector);
            hm_collector_refresh(cfg->collector, 1000);
            hm_model_say(&m, "statistics reset", now_ns());
        }
        if (m.want_theme) {
            m.want_theme = false;
            next_theme(&m, t);
        }
        if (m.want_snapshot) {
            m.want_snapshot = false;
            take_snapshot(&m, cfg, hm_term_utf8(t));
        }
        if (m.status[0] && now_ns() > m.status_until_ns) {
            m.status[0] = '\0';
            m.dirty = true;
        }
        int page = LINES - HM_TABLE_FIRST_ROW - HM_TABLE_FOOTER_ROWS;
        if (page != m.page) {
            m.page = page > 1 ? page : 1;
            hm_model_move(&m, 0);
            m.dirty = true;
        }
        if (m.dirty) {
            draw(&m, t, source);
            m.dirty = false;
        }
        int x = 0, y = 0;
        int key = hm_term_key(t, KEY_WAIT_MS, &x, &y);
        if (key != ERR)
            hm_input_key(&m, key, x, y, COLS);
    }
    hm_term_close(&t);
    hm_model_fini(&m);
    return 0;
}
