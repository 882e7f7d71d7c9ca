/*
 * textfile.h - small text files read a line at a time: the config file and
 * the CURVE key files.
 *
 * Each refuses what is not text the same way: a line longer than
 * HM_TEXT_LINE_MAX bytes, a NUL byte (fgets would stop there and cut the
 * line unsaid, and /dev/zero would be read for ever), or a failed read (a
 * directory: EISDIR). Errors are returned with a message in why; nothing is
 * printed.
 *
 * Thread-safety: none needed; no state outside the call.
 */
#ifndef HM_TEXTFILE_H
#define HM_TEXTFILE_H

#include <stddef.h>

#define HM_TEXT_LINE_MAX 1022 /* bytes of a line, its newline not counted */

/* Given each line of the file, its newline removed (comments and blanks are
 * the caller's); line is the reader's buffer, which fn may change. Returns 0
 * to go on, or an errno value with a message in why (no path or line number:
 * the reader adds them), which ends the read. */
typedef int (*hm_text_line_fn)(void *ctx, char *line, char *why, size_t why_len);

/* Reads path line by line into fn(ctx, ...). Returns 0 at the end of the
 * file; else an errno value with why set: fopen's (ENOENT among them) or a
 * failed read's as "PATH: reason", EINVAL for a line that is not text or
 * what fn returned as "PATH:LINE: message". */
int hm_text_read(const char *path, hm_text_line_fn fn, void *ctx, char *why, size_t why_len);

#endif
