/*
 * once.c - `hotmon --once` (see once.h).
 */
#include "once.h"

#include <errno.h>
#include <langinfo.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "export.h"
#include "snapshot_file.h"
#include "view.h"

typedef struct {
    hm_format_t format;
    const hm_view_t *view;
    const hm_export_meta_t *meta;
} job_t;

static int write_view(FILE *out, void *arg)
{
    const job_t *j = arg;
    return hm_export(out, j->format, j->view, j->meta);
}

static void wait_s(double seconds, volatile sig_atomic_t *stop)
{
    for (double waited = 0; waited < seconds && !*stop; waited += 0.05) {
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

/* The embedded collector: a snapshot taken now, not up to a refresh ago. */
static hm_snapshot_t *fresh_snapshot(void *arg)
{
    hm_collector_refresh(arg, 2000);
    return hm_collector_snapshot(arg);
}

int hm_once_run(const hm_settings_t *s, hm_collector_t *c, const struct hm_baseline *baseline,
                volatile sig_atomic_t *stop)
{
    hm_ui_source_t src = {.take = fresh_snapshot, .arg = c, .name = hm_collector_address(c)};
    return hm_once_run_from(s, &src, baseline, stop);
}

int hm_once_run_from(const hm_settings_t *s, const hm_ui_source_t *src,
                     const struct hm_baseline *baseline, volatile sig_atomic_t *stop)
{
    wait_s(s->after_s, stop);
    hm_snapshot_t *snap = src->take(src->arg);
    for (int i = 0; !snap && !*stop && i < HM_ONCE_FIRST_WAIT_S * 10; i++) {
        wait_s(0.1, stop);
        snap = src->take(src->arg);
    }
    if (!snap) {
        fprintf(stderr, "hotmon: no snapshot from %s within %d s (is hotmon-collector running "
                        "there with --pub?)\n", src->name, HM_ONCE_FIRST_WAIT_S);
        return 1;
    }
    hm_filter_t *filter = NULL;
    const char *why = NULL;
    if (hm_filter_new(s->filter, &filter, &why) != 0) {
        fprintf(stderr, "hotmon: --filter: %s\n", why);
        hm_snapshot_release(&snap);
        return 2;
    }
    hm_view_t view;
    int rc = hm_view_build(&view, snap, filter, s->window, s->sort, hm_settings_descending(s));
    view.baseline = baseline;
    hm_snapshot_release(&snap);
    if (rc) {
        fprintf(stderr, "hotmon: %s\n", strerror(rc));
        hm_filter_destroy(&filter);
        return 1;
    }
    hm_export_meta_t meta = {src->name, s->filter,
                             strcmp(nl_langinfo(CODESET), "UTF-8") == 0};
    job_t job = {s->format, &view, &meta};
    int status = 0;
    if (s->snapshot) {
        char msg[4200];
        if (hm_file_write_atomic(s->snapshot, write_view, &job, msg, sizeof msg) != 0) {
            fprintf(stderr, "hotmon: cannot write the snapshot: %s\n", msg);
            status = 1;
        }
    } else if ((rc = write_view(stdout, &job)) != 0) {
        fprintf(stderr, "hotmon: cannot write to stdout: %s\n", strerror(rc));
        status = 1;
    }
    hm_view_fini(&view);
    hm_filter_destroy(&filter);
    return status;
}
