/*
 * table.h - the main view: status lines, column headers, one row per
 * endpoint, the violations line and the key hints.
 * Draw functions read the model and never change it.
 */
#ifndef HM_TABLE_H
#define HM_TABLE_H

#include "model.h"
#include "term.h"

/* Rows above the endpoint rows. Below them: the violations pane
 * (hm_table_pane_rows) and the key hints. */
#define HM_TABLE_HEADER_ROW 2
#define HM_TABLE_FIRST_ROW 3
#define HM_TABLE_PANE_EVENTS 4 /* newest events listed when the screen is tall */
#define HM_TABLE_TALL 30       /* lines from which the pane lists events */

/* Rows below the endpoint rows on a screen of `lines`: the pane's summary,
 * its events when tall and there are any, the key hints. */
int hm_table_footer_rows(const hm_model_t *m, int lines);

/* Which columns fit in `width` cells, and where: columns drop in the order
 * of the column table's `drop` numbers; the name column takes what is left. */
typedef struct {
    int ncols;
    hm_col_t col[HM_COL__COUNT];
    int x[HM_COL__COUNT];
    int w[HM_COL__COUNT];
} hm_layout_t;

void hm_table_layout(int width, bool baseline, hm_layout_t *out);

/* The column under screen column x of the header, or -1. */
int hm_table_column_at(int width, bool baseline, int x);

/* Draws the main view into the whole screen. `source` is the address shown. */
void hm_table_draw(const hm_model_t *m, const hm_term_t *t, const char *source);

#endif
