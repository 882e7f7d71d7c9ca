/*
 * snapshot_file.c - writing files atomically (see snapshot_file.h).
 *
 * The content goes to a temporary file in the target directory, is flushed
 * and fsync'd, and only then gets its name; the directory is fsync'd after.
 * A new name is taken with link(), which fails on anything already there, a
 * symlink included, so nothing is replaced and no link is followed.
 */
#include "snapshot_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The directory part of path ("." when none), into buf. */
static void dir_of(const char *path, char *buf, size_t n)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(buf, n, ".");
    else if (slash == path)
        snprintf(buf, n, "/");
    else
        snprintf(buf, n, "%.*s", (int)(slash - path), path);
}

static void sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* Writes the content into a new temporary file in dir; its path goes to tmp.
 * Returns 0 or an errno; nothing is left behind on failure. */
static int write_temp(const char *dir, int (*write_fn)(FILE *, void *), void *arg, char *tmp,
                      size_t tmp_len)
{
    snprintf(tmp, tmp_len, "%s/.hotmon-XXXXXX", dir);
    int fd = mkstemp(tmp);
    if (fd < 0)
        return errno;
    /* mkstemp makes 0600; a snapshot is an ordinary file: the umask decides. */
    mode_t mask = umask(0);
    umask(mask);
    int rc = fchmod(fd, 0666 & ~mask) == 0 ? 0 : errno;
    FILE *f = rc ? NULL : fdopen(fd, "w");
    if (!f) {
        rc = rc ? rc : errno;
        close(fd);
        unlink(tmp);
        return rc;
    }
    rc = write_fn(f, arg);
    if (rc == 0 && fflush(f) != 0)
        rc = errno ? errno : EIO;
    if (rc == 0 && fsync(fileno(f)) != 0)
        rc = errno;
    if (fclose(f) != 0 && rc == 0)
        rc = errno ? errno : EIO;
    if (rc)
        unlink(tmp);
    return rc;
}

int hm_snapshot_file_write(const char *dir, const char *prefix, const char *ext, time_t when,
                           int (*write_fn)(FILE *out, void *arg), void *arg, char *path,
                           size_t path_len)
{
    char tmp[4096];
    int rc = write_temp(dir, write_fn, arg, tmp, sizeof tmp);
    if (rc) {
        snprintf(path, path_len, "%s: %s", dir, strerror(rc));
        return rc;
    }
    struct tm tm;
    localtime_r(&when, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    for (int n = 1; n < 1000; n++) {
        if (n == 1)
            snprintf(path, path_len, "%s/%s-%s.%s", dir, prefix, stamp, ext);
        else
            snprintf(path, path_len, "%s/%s-%s-%d.%s", dir, prefix, stamp, n, ext);
        if (link(tmp, path) == 0) {
            unlink(tmp);
            sync_dir(dir);
            return 0;
        }
        if (errno != EEXIST) {
            rc = errno;
            break;
        }
        rc = EEXIST;
    }
    unlink(tmp);
    snprintf(path, path_len, "%s: %s", dir, strerror(rc));
    return rc;
}

int hm_file_write_atomic(const char *path, int (*write_fn)(FILE *out, void *arg), void *arg,
                         char *why, size_t why_len)
{
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
        snprintf(why, why_len, "%s: is a symbolic link; not following it", path);
        return ELOOP;
    }
    char dir[4096], tmp[4096];
    dir_of(path, dir, sizeof dir);
    int rc = write_temp(dir, write_fn, arg, tmp, sizeof tmp);
    if (rc == 0 && rename(tmp, path) != 0) {
        rc = errno;
        unlink(tmp);
    }
    if (rc) {
        snprintf(why, why_len, "%s: %s", path, strerror(rc));
        return rc;
    }
    sync_dir(dir);
    return 0;
}
