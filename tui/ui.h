/*
 * ui.h - the interactive screen: the loop that takes snapshots, turns keys
 * into model changes and draws (model.c, input.c, table.c, detail.c).
 */
#ifndef HM_UI_H
#define HM_UI_H

#include <signal.h>
#include <stddef.h>

#include "collector.h"
#include "settings.h"

typedef struct {
    hm_collector_t *collector;         /* borrowed: where snapshots come from */
    const hm_settings_t *settings;     /* borrowed */
    volatile sig_atomic_t *stop;       /* set by SIGINT/SIGTERM: leave the loop */
    const struct hm_baseline *baseline; /* borrowed: --baseline, or NULL */
} hm_ui_config_t;

/* Runs the screen until 'q' or *stop. The terminal is restored on every
 * path out. Returns 0, or an errno value with a message in why. */
int hm_ui_run(const hm_ui_config_t *cfg, char *why, size_t why_len);

#endif
