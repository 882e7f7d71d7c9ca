/*
 * help.h - the help screen: every key, read from the binding table
 * (input.c), so help never disagrees with what the keys do.
 */
#ifndef HM_HELP_H
#define HM_HELP_H

#include "term.h"

/* Draws the list of keys over the whole screen. */
void hm_help_draw(const hm_term_t *t);

#endif
