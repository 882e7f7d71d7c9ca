/*
 * detail.h - the detail view of the selected endpoint: its numbers, the
 * histogram of the window, p50/p95/p99 over the last minutes, phases,
 * statuses, gauges and the slowest recent requests. Reads the model only.
 */
#ifndef HM_DETAIL_H
#define HM_DETAIL_H

#include "model.h"
#include "term.h"

void hm_detail_draw(const hm_model_t *m, const hm_term_t *t);

#endif
