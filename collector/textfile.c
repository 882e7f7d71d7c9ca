/*
 * textfile.c - small text files read a line at a time (textfile.h).
 */
#include "textfile.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int hm_text_read(const char *path, hm_text_line_fn fn, void *ctx, char *why, size_t why_len)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        int rc = errno;
        snprintf(why, why_len, "%s: %s", path, strerror(rc));
        return rc;
    }
    char line[HM_TEXT_LINE_MAX + 2], msg[768];
    int rc = 0;
    errno = 0;
    for (unsigned no = 1; rc == 0 && fgets(line, sizeof line, f); no++) {
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n') {
            snprintf(why, why_len, "%s:%u: line longer than %d bytes", path, no, HM_TEXT_LINE_MAX);
            rc = EINVAL;
            break;
        }
        /* fgets stopped short of a newline, a full line and the end: a NUL. */
        if ((len == 0 || line[len - 1] != '\n') && !feof(f)) {
            snprintf(why, why_len, "%s:%u: a NUL byte (not a text file?)", path, no);
            rc = EINVAL;
            break;
        }
        if (len && line[len - 1] == '\n')
            line[len - 1] = '\0';
        if ((rc = fn(ctx, line, msg, sizeof msg)) != 0)
            snprintf(why, why_len, "%s:%u: %s", path, no, msg);
    }
    if (rc == 0 && ferror(f)) {
        rc = errno ? errno : EIO;
        snprintf(why, why_len, "%s: %s", path, strerror(rc));
    }
    fclose(f);
    return rc;
}
