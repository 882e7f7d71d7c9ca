/*
 * pipe_statsd.h - one statsd line into a parsed record.
 *
 * The statsd text format, as the statsd daemon and DogStatsD clients write it:
 *
 *     name:value|type[|@rate][|#tag:v,tag2]
 *
 * with type ms (timer), h or d (histogram, distribution: read as timers),
 * c (counter), g (gauge; a leading + or - makes it a change, not a value)
 * and s (set). A small pure API: a line in, a record or a reason out, no I/O,
 * no allocation, no state. hotmon-pipe uses it; the collector daemon may
 * reuse it for statsd over UDP (`--statsd`), so it must stay free of
 * anything but the C library.
 *
 * Thread-safety: re-entrant.
 */
#ifndef HM_PIPE_STATSD_H
#define HM_PIPE_STATSD_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    HM_STATSD_TIMER,   /* ms, h, d: value in milliseconds */
    HM_STATSD_COUNTER, /* c */
    HM_STATSD_GAUGE,   /* g */
    HM_STATSD_SET,     /* s: the member is text, not kept; value is 0 */
} hm_statsd_type_t;

/* One parsed line. Pointers borrow from the line given to hm_statsd_parse. */
typedef struct {
    const char *name; /* not NUL-terminated: name_len bytes */
    size_t name_len;
    hm_statsd_type_t type;
    double value;       /* finite; 0 for a set */
    bool delta;         /* gauge written +N or -N: value is a change */
    double sample_rate; /* in (0, 1]; 1 when absent */
    const char *tags;   /* after '#', not NUL-terminated; NULL when absent */
    size_t tags_len;
} hm_statsd_t;

/* Parses len bytes of line (one line: a trailing "\n" or "\r\n" is allowed,
 * no NUL needed). Returns 0 and fills *out, or EINVAL with a static message
 * in *why ("no ':' after the name", "unknown type 'x'"...); *out is then
 * untouched. why may be NULL. */
int hm_statsd_parse(const char *line, size_t len, hm_statsd_t *out, const char **why);

/* The type's name as written in the format ("ms", "c", "g", "s"). */
const char *hm_statsd_type_name(hm_statsd_type_t type);

#endif
