/*
 * snapshot_file.h - writing a file atomically under a new, timestamped name.
 *
 * The content goes to a temporary file in the target directory (O_EXCL, mode
 * 0666 & ~umask), is flushed and fsync'd, then linked under its final name
 * without replacing anything and without following a symlink planted there,
 * and the directory is fsync'd: a reader sees a whole file or none. Used for
 * `s` snapshots and reports; the screen shows the path or the reason.
 */
#ifndef HM_SNAPSHOT_FILE_H
#define HM_SNAPSHOT_FILE_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

/* Writes what write_fn writes to its FILE into dir/PREFIX-YYYYmmdd-HHMMSS.EXT
 * (adding -2, -3 ... when that exists), with the time when of the local zone.
 * write_fn returns 0 or an errno. On success returns 0 and puts the path in
 * path (path_len bytes); else returns an errno value and puts a message in
 * path ("snapshots/: Permission denied"). Nothing is left behind on failure. */
int hm_snapshot_file_write(const char *dir, const char *prefix, const char *ext, time_t when,
                           int (*write_fn)(FILE *out, void *arg), void *arg, char *path,
                           size_t path_len);

/* The same, to one given path (for --report FILE and --snapshot FILE): the
 * file is replaced atomically, but a symlink at path is refused (ELOOP). A
 * character device or a FIFO at path (/dev/null, /dev/full, a named pipe) is
 * written into, not replaced: a full one gives ENOSPC, a FIFO nobody reads
 * ENXIO; a block device or a socket is refused (EEXIST). */
int hm_file_write_atomic(const char *path, int (*write_fn)(FILE *out, void *arg), void *arg,
                         char *why, size_t why_len);

#endif
