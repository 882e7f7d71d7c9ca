/*
 * model.h - what the screen shows and where the user is in it. No curses:
 * input.c changes the model, table.c and detail.c draw it, ui.c feeds it
 * snapshots. Draw functions take it const.
 */
#ifndef HM_MODEL_H
#define HM_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "export.h"
#include "settings.h"
#include "view.h"

typedef enum { HM_SCREEN_TABLE, HM_SCREEN_DETAIL, HM_SCREEN_HELP } hm_screen_t;

#define HM_FILTER_MAX 256

typedef struct {
    hm_view_t view;                  /* what is drawn: filter, sort and window applied */
    hm_snapshot_t *snap;             /* the snapshot the view was built from (a reference) */
    hm_filter_t *filter;             /* the last filter that compiled */
    char filter_text[HM_FILTER_MAX]; /* as typed */
    bool editing;                    /* '/' prompt open */
    char filter_error[128];          /* why the typed filter does not compile */
    hm_win_t win;
    hm_col_t sort;
    bool descending;
    bool paused; /* keep showing snapshot `snap` */
    hm_screen_t screen;
    char selected[HM_SNAP_NAME_MAX + 1]; /* the selected endpoint, by name */
    size_t sel;                          /* its row in the view */
    size_t top;                          /* first row shown */
    int page;                            /* rows that fit on screen (set by the loop) */
    char status[256];                    /* a message on the status line ... */
    uint64_t status_until_ns;            /* ... until then */
    size_t theme;                        /* index into the built-in themes */
    bool quit;
    bool want_reset, want_snapshot, want_theme; /* actions for the loop */
    bool dirty;                                 /* something changed: draw again */
    const struct hm_baseline *baseline;         /* borrowed: --baseline, or NULL */
} hm_model_t;

/* Starts from the settings (filter, sort, window). Returns 0, or EINVAL
 * with why for a filter that does not compile. */
int hm_model_init(hm_model_t *m, const hm_settings_t *s, const char **why);
void hm_model_fini(hm_model_t *m);

/* Takes a new snapshot (a reference is kept) unless paused, and rebuilds the
 * view. The selection follows its endpoint by name. */
void hm_model_update(hm_model_t *m, hm_snapshot_t *snap);

/* Rebuilds the view from the current snapshot (after a sort, window or
 * filter change). */
void hm_model_rebuild(hm_model_t *m);

/* Moves the selection by delta rows (clamped); keeps it on screen. */
void hm_model_move(hm_model_t *m, long delta);

/* Sets the filter text; compiles it, keeping the last good one on error. */
void hm_model_set_filter(hm_model_t *m, const char *text);

/* Shows msg on the status line for HM_MODEL_SAY_NS from now_ns. */
#define HM_MODEL_SAY_NS 5000000000ull
void hm_model_say(hm_model_t *m, const char *msg, uint64_t now_ns);

/* Lets time pass: a status message whose time is up goes (dirty is set). */
void hm_model_tick(hm_model_t *m, uint64_t now_ns);

/* Tells the model how many table rows fit on screen; keeps the selection
 * on screen. */
void hm_model_set_page(hm_model_t *m, int rows);

/* The selected endpoint, or NULL when the view is empty. Borrowed. */
const hm_snap_endpoint_t *hm_model_selected(const hm_model_t *m);

#endif
