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
    hm_collector_t *collector;     /* borrowed: where snapshots come from */
    const hm_settings_t *settings; /* borrowed */
    volatile sig_atomic_t *stop;   /* set by SIGINT/SIGTERM: leave the loop */
    const struct hm_baseline *baseline; /* borrowed: --baseline, or NULL */
} hm_ui_config_t;

/* Runs the screen on cfg->collector until 'q' or *stop. The terminal is
 * restored on every path out (and at exit, should the program exit while
 * the screen is up). Returns 0, or an errno value with a message in why. */
int hm_ui_run(const hm_ui_config_t *cfg, char *why, size_t why_len);

/* Any other source of snapshots (a remote --connect, a test). All called
 * from the loop's thread only. */
typedef struct {
    hm_snapshot_t *(*take)(void *arg); /* a reference the loop releases, or NULL: none yet */
    void (*reset)(void *arg);          /* forget the statistics; may be NULL */
    void *arg;
    const char *name; /* the address shown on the status line */
    /* The status line's label instead of name (a remote collector's
     * staleness); may be NULL. Written into buf, NUL-terminated. */
    void (*label)(void *arg, char *buf, size_t n);
} hm_ui_source_t;

/* hm_ui_run with snapshots from src (borrowed); cfg->collector is unused and
 * may be NULL. */
int hm_ui_run_from(const hm_ui_config_t *cfg, const hm_ui_source_t *src, char *why, size_t why_len);

#endif
