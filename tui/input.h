/*
 * input.h - keys into model changes. No drawing: the loop draws what changed.
 *
 * The binding table (input.c) is the master copy of the keys: the keys that
 * do each action, what the help screen says about it and the short hint the
 * footer shows. input.c dispatches through it; help.c and table.c draw it.
 * Key codes are curses' (KEY_UP, KEY_MOUSE ...), but nothing here draws.
 */
#ifndef HM_INPUT_H
#define HM_INPUT_H

#include <stddef.h>

#include "model.h"

typedef enum {
    HM_ACT_NONE,
    HM_ACT_HELP,
    HM_ACT_FILTER,
    HM_ACT_BACK,
    HM_ACT_SORT_PREV,
    HM_ACT_SORT_NEXT,
    HM_ACT_REVERSE,
    HM_ACT_WINDOW, /* the window is the key's place in its list of codes */
    HM_ACT_PAUSE,
    HM_ACT_UP,
    HM_ACT_DOWN,
    HM_ACT_PAGE_UP,
    HM_ACT_PAGE_DOWN,
    HM_ACT_HOME,
    HM_ACT_END,
    HM_ACT_DETAIL,
    HM_ACT_SNAPSHOT,
    HM_ACT_THEME,
    HM_ACT_RESET,
    HM_ACT_QUIT,
    HM_ACT__COUNT
} hm_action_t;

#define HM_INPUT_CODES 6

typedef struct {
    hm_action_t action;
    int codes[HM_INPUT_CODES]; /* key codes that do it, 0-terminated when fewer */
    const char *keys;          /* the keys as the help screen names them */
    const char *help;          /* what they do */
    const char *hint;          /* the footer's hint ("s:snapshot"), or NULL */
} hm_binding_t;

/* The binding table, in the order help and the footer show it; n gets its
 * length. */
const hm_binding_t *hm_input_bindings(size_t *n);

/* Applies key (a curses key code) to m. For KEY_MOUSE, (x, y) is the click;
 * width is the screen's, to find which header was clicked. While the filter
 * prompt is open, keys edit the filter (Enter keeps it, Esc clears it).
 * While help is shown, any key closes it and does nothing else. */
void hm_input_key(hm_model_t *m, int key, int x, int y, int width);

#endif
