/*
 * view.h - what the user is looking at: a snapshot's endpoints filtered,
 * sorted and seen through one window; and the table of columns.
 *
 * The column table (view.c) is the master copy of the main table's columns:
 * their names (for --sort and exports), headers, widths, alignment, the order
 * in which they drop on narrow terminals, and how each is read for sorting
 * and formatted for display. The screen (table.c), the snapshot writers
 * (export.c) and --once all read it. No curses here.
 */
#ifndef HM_VIEW_H
#define HM_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "snapshot.h"

typedef enum {
    HM_COL_NAME,
    HM_COL_RATE,
    HM_COL_P50,
    HM_COL_P95,
    HM_COL_P99,
    HM_COL_MAX,
    HM_COL_ERRORS,   /* error % */
    HM_COL_INFLIGHT,
    HM_COL_QUEUE,
    HM_COL_SLO,
    HM_COL_TREND,    /* sparkline of p99 over the last minute */
    HM_COL_D_P50,    /* change against --baseline (shown only with one) */
    HM_COL_D_P99,
    HM_COL_D_RATE,
    HM_COL_D_ERRORS,
    HM_COL__COUNT
} hm_col_t;

typedef struct {
    const char *name;     /* for --sort and exports: "name", "rate", "p50", ... */
    const char *header;   /* as drawn: "ENDPOINT", "RATE/s", "P50", ... */
    int width;            /* columns on screen (the name column: its minimum) */
    bool right;           /* right-aligned */
    int drop;             /* 0: never dropped; higher numbers drop first on narrow screens */
    bool sortable;
    bool baseline;        /* a change against --baseline: shown only when there is one */
} hm_column_t;

/* The column table, indexed by hm_col_t. */
const hm_column_t *hm_column(hm_col_t col);

/* Parses a column name ("p99", "rate", ...); false when unknown. */
bool hm_column_parse(const char *name, hm_col_t *out);

/* The filter typed after '/': plain text is a case-insensitive substring, a
 * leading '~' makes the rest a POSIX extended regular expression, a leading
 * '!' inverts what follows ("!~^/health"). */
typedef struct hm_filter hm_filter_t;

/* Compiles text into *out. Returns 0, or EINVAL with *why (static or
 * borrowed until the next call) for a bad regular expression. The caller owns
 * *out and frees it with hm_filter_destroy. An empty text matches everything. */
int hm_filter_new(const char *text, hm_filter_t **out, const char **why);
void hm_filter_destroy(hm_filter_t **self_p);
bool hm_filter_match(const hm_filter_t *f, const char *name);
/* The text it was made from. Borrowed. */
const char *hm_filter_text(const hm_filter_t *f);

/* A view: row order over a snapshot. */
typedef struct {
    hm_snapshot_t *snap;   /* a reference owned by the view */
    hm_win_t win;
    hm_col_t sort;
    bool descending;
    size_t nrows;
    size_t *rows;          /* owned: indices into snap->endpoints, in display order */
    size_t total;          /* endpoints before filtering */
    const struct hm_baseline *baseline; /* borrowed; NULL: none. Set after hm_view_build */
} hm_view_t;

/* Builds *v from snap (a new reference is taken), keeping endpoints that
 * match filter (NULL: all) and sorting by column sort (ties broken by name).
 * Returns 0 or ENOMEM; on failure *v is left empty. */
int hm_view_build(hm_view_t *v, hm_snapshot_t *snap, const hm_filter_t *filter, hm_win_t win,
                  hm_col_t sort, bool descending);

/* Releases the view's snapshot and rows; accepts a zeroed or finished view. */
void hm_view_fini(hm_view_t *v);

/* The value a column sorts by for endpoint e in window win. */
double hm_column_value(const hm_snap_endpoint_t *e, hm_win_t win, hm_col_t col);

/* Formats column col of row `row` of view v, the baseline columns included;
 * *worse (may be NULL) says whether the cell is a regression against the
 * baseline. Returns buf. */
char *hm_view_cell(const hm_view_t *v, size_t row, hm_col_t col, bool utf8, char *buf, size_t n,
                   bool *worse);

/* Formats column col of endpoint e into buf (NUL-terminated, at most n bytes,
 * plain text: names already escaped, durations in human units, UTF-8 only
 * when utf8 is true). Returns buf. The SLO column is the worst of "FAIL" (a
 * rule breached at the last check), "DRFT" (p95 drifting), "ok", "-" (no rule
 * applies). */
char *hm_column_format(const hm_snap_endpoint_t *e, hm_win_t win, hm_col_t col, bool utf8,
                       char *buf, size_t n);

#endif
