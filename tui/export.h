/*
 * export.h - writing a view as text, Markdown, CSV or JSON.
 *
 * One writer per format, all fed the same view (filter, sort and window
 * applied), so a snapshot file shows what the screen shows. Names are escaped
 * (escape.h) in every format. JSON is written with jansson; its shape is
 * documented in docs/formats.md. Snapshot files use these through
 * snapshot_file.c; --once writes to stdout.
 */
#ifndef HM_EXPORT_H
#define HM_EXPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "view.h"

typedef enum { HM_FMT_TEXT, HM_FMT_MD, HM_FMT_CSV, HM_FMT_JSON, HM_FMT__COUNT } hm_format_t;

/* "text", "md", "csv", "json" and their parse (also accepts "markdown"). */
const char *hm_format_name(hm_format_t f);
bool hm_format_parse(const char *s, hm_format_t *out);
/* The file extension: "txt", "md", "csv", "json". */
const char *hm_format_ext(hm_format_t f);

/* What goes with the rows: where the data came from and what filter made the
 * view. Strings are borrowed; filter may be NULL. */
typedef struct {
    const char *source;   /* the collector's address */
    const char *filter;
    bool utf8;            /* text and Markdown may use UTF-8 (µs, sparklines) */
} hm_export_meta_t;

/* Writes view v to out in format f. Returns 0, or the errno of the failed
 * write (EIO when the stream reports an error without one). */
int hm_export(FILE *out, hm_format_t f, const hm_view_t *v, const hm_export_meta_t *meta);

/* Writes s (already escaped with hm_escape) as Markdown text: every
 * character Markdown could read as markup or HTML is backslash-escaped, so
 * no name can make a cell, a link or a tag. */
void hm_export_md_text(FILE *out, const char *s);

#endif
