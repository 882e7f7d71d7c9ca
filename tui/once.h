/*
 * once.h - `hotmon --once`: collect for a while, print one view, exit. The
 * headless mode for scripts, CI soaks and people over ssh.
 */
#ifndef HM_ONCE_H
#define HM_ONCE_H

#include <signal.h>

#include "collector.h"
#include "settings.h"
#include "ui.h"

/* Waits s->after_s seconds (or until *stop is set), then writes the view
 * (filter, sort and window from s; the changes against baseline when it is
 * not NULL) to stdout or s->snapshot. Returns the exit
 * status: 0, or 1 with a message on stderr when the view cannot be written. */
int hm_once_run(const hm_settings_t *s, hm_collector_t *c, const struct hm_baseline *baseline,
                volatile sig_atomic_t *stop);

/* hm_once_run with snapshots from src (a remote collector): after the wait,
 * the newest snapshot src gives; when it has none yet, waits up to
 * HM_ONCE_FIRST_WAIT_S more for one, and fails (1, with a message) without. */
#define HM_ONCE_FIRST_WAIT_S 10
int hm_once_run_from(const hm_settings_t *s, const hm_ui_source_t *src,
                     const struct hm_baseline *baseline, volatile sig_atomic_t *stop);

#endif
