/*
 * input.h - keys into model changes. No drawing: the loop draws what changed.
 */
#ifndef HM_INPUT_H
#define HM_INPUT_H

#include "model.h"

/* Applies key (a curses key code) to m. For KEY_MOUSE, (x, y) is the click;
 * width is the screen's, to find which header was clicked. */
void hm_input_key(hm_model_t *m, int key, int x, int y, int width);

#endif
