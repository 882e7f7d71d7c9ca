/*
 * ui.h - the interactive screen: the loop that takes snapshots, turns keys
 * into model changes and draws (model.c, input.c, table.c, detail.c,
 * help.c). Drawing reads snapshots only, so a slow terminal never slows the
 * collector.
 */
#ifndef HM_UI_H
#define HM_UI_H

#include <signal.h>
#include <stddef.h>

#include "collector.h"
#include "settings.h"

typedef struct {
    hm_collector_t *collector;         /* borrowed: where snapshots come from, unless take is set */
    const hm_settings_t *settings;     /* borrowed */
    volatile sig_atomic_t *stop;       /* set by SIGINT/SIGTERM: leave the loop */
    /* Another source of snapshots (a remote --connect, a test): when take is
     * set, collector may be NULL and these are used instead. take returns a
     * reference the loop releases, or NULL when there is nothing yet; reset
     * (may be NULL) asks the source to forget its statistics; source names
     * the address shown on the status line. All called from the loop's
     * thread only. */
    hm_snapshot_t *(*take)(void *arg);
    void (*reset)(void *arg);
    void *arg;
    const char *source;
} hm_ui_config_t;

/* Runs the screen until 'q' or *stop. The terminal is restored on every
 * path out (and at exit, should the program exit while the screen is up).
 * Returns 0, or an errno value with a message in why. */
int hm_ui_run(const hm_ui_config_t *cfg, char *why, size_t why_len);

#endif
