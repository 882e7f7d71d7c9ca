/*
 * snapshot_file.c - writing files atomically (see snapshot_file.h).
 *
 * The content goes to a temporary file in the target directory, is flushed
 * and fsync'd, and only then gets its name; the directory is fsync'd after.
 * A new name is taken with link(), which fails on anything already there, a
 * symlink included, so nothing is replaced and no link is followed.
 *
 * The temporary file is made with open(O_CREAT | O_EXCL, 0666) under a random
 * name rather than mkstemp(): mkstemp makes 0600, and widening that needs the
 * umask, which can only be read by setting it - a race with every other
 * thread creating files. open() lets the kernel apply the umask (and a
 * directory's default ACL) itself.
 */
#include "snapshot_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define PATH_BUF 4096

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

/* fsync of a directory makes a new name durable. Its failure is not reported:
 * the file is complete and named either way. */
static void sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* Six random characters for a temporary name. */
static void random_name(char *out, unsigned attempt)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    unsigned char r[6];
    if (getrandom(r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
        /* No entropy yet (early boot): the clock, pid and attempt; O_EXCL keeps it safe. */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t x = (uint64_t)ts.tv_nsec ^ (uint64_t)getpid() << 32 ^ attempt * 0x9E3779B97F4A7C15ull;
        for (size_t i = 0; i < sizeof r; i++, x >>= 8)
            r[i] = (unsigned char)x;
    }
    for (size_t i = 0; i < sizeof r; i++)
        out[i] = alphabet[r[i] % (sizeof alphabet - 1)];
    out[sizeof r] = '\0';
}

/* Creates dir/.hotmon-XXXXXX (O_EXCL, mode 0666 & ~umask); its path goes to
 * tmp. Returns the fd, or -1 with errno set. */
static int create_temp(const char *dir, char *tmp, size_t tmp_len)
{
    for (unsigned attempt = 0; attempt < 100; attempt++) {
        char name[8];
        random_name(name, attempt);
        if ((size_t)snprintf(tmp, tmp_len, "%s/.hotmon-%s", dir, name) >= tmp_len) {
            errno = ENAMETOOLONG;
            return -1;
        }
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    errno = EEXIST;
    return -1;
}

/* Writes the content into fd, then closes it; fsync'd when sync. Returns 0
 * or an errno. */
static int write_fd(int fd, int (*write_fn)(FILE *, void *), void *arg, bool sync)
{
    FILE *f = fdopen(fd, "w");
    if (!f) {
        int rc = errno;
        close(fd);
        return rc;
    }
    errno = 0;
    int rc = write_fn(f, arg);
    if (rc == 0 && (fflush(f) != 0 || ferror(f)))
        rc = errno ? errno : EIO;
    if (rc == 0 && sync && fsync(fileno(f)) != 0)
        rc = errno;
    if (fclose(f) != 0 && rc == 0)
        rc = errno ? errno : EIO;
    return rc;
}

/* Writes the content into a new temporary file in dir; its path goes to tmp.
 * Returns 0 or an errno; nothing is left behind on failure. */
static int write_temp(const char *dir, int (*write_fn)(FILE *, void *), void *arg, char *tmp,
                      size_t tmp_len)
{
    int fd = create_temp(dir, tmp, tmp_len);
    if (fd < 0)
        return errno;
    int rc = write_fd(fd, write_fn, arg, true);
    if (rc)
        unlink(tmp);
    return rc;
}

/* A character device or a FIFO at path (/dev/null, /dev/full, a named pipe)
 * is written into, never replaced by a regular file: renaming over /dev/null
 * as root would break the machine. A FIFO without a reader is ENXIO, not a hang.
 * Returns 0 or an errno; EEXIST when path turned out to be a regular file
 * after all (renamed in meanwhile), for the caller to replace it. */
static int write_special(const char *path, int (*write_fn)(FILE *, void *), void *arg)
{
    int fd = open(path, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return errno;
    struct stat st;
    int rc = fstat(fd, &st) != 0 ? errno : S_ISREG(st.st_mode) ? EEXIST : 0;
    int flags = rc ? 0 : fcntl(fd, F_GETFL);
    if (!rc && (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0))
        rc = errno;
    if (rc) {
        close(fd);
        return rc;
    }
    return write_fd(fd, write_fn, arg, false);
}

/* Gives tmp the new name path without replacing anything there: link(), or
 * on file systems without hard links renameat2(RENAME_NOREPLACE). Returns 0
 * or an errno (EEXIST when the name is taken, whatever it is). On success tmp
 * is gone. */
static int claim(const char *tmp, const char *path)
{
    if (link(tmp, path) == 0) {
        unlink(tmp);
        return 0;
    }
    int rc = errno;
    if (rc == EPERM || rc == ENOTSUP || rc == EOPNOTSUPP || rc == ENOSYS || rc == EMLINK) {
        if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
            return 0;
        if (errno == EEXIST)
            return EEXIST;
    }
    return rc;
}

int hm_snapshot_file_write(const char *dir, const char *prefix, const char *ext, time_t when,
                           int (*write_fn)(FILE *out, void *arg), void *arg, char *path,
                           size_t path_len)
{
    char tmp[PATH_BUF];
    int rc = write_temp(dir, write_fn, arg, tmp, sizeof tmp);
    if (rc) {
        snprintf(path, path_len, "%s: %s", dir, strerror(rc));
        return rc;
    }
    struct tm tm;
    localtime_r(&when, &tm);
    char stamp[32], name[PATH_BUF];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    for (int n = 1; n < 1000; n++) {
        size_t len;
        if (n == 1)
            len = (size_t)snprintf(name, sizeof name, "%s/%s-%s.%s", dir, prefix, stamp, ext);
        else
            len = (size_t)snprintf(name, sizeof name, "%s/%s-%s-%d.%s", dir, prefix, stamp, n, ext);
        if (len >= sizeof name || len >= path_len) {
            rc = ENAMETOOLONG; /* a cut name would be another file */
            break;
        }
        rc = claim(tmp, name);
        if (rc == 0) {
            sync_dir(dir);
            snprintf(path, path_len, "%s", name);
            return 0;
        }
        if (rc != EEXIST)
            break;
    }
    unlink(tmp);
    snprintf(path, path_len, "%s: %s", rc == EEXIST || rc == ENAMETOOLONG ? dir : name,
             strerror(rc));
    return rc;
}

int hm_file_write_atomic(const char *path, int (*write_fn)(FILE *out, void *arg), void *arg,
                         char *why, size_t why_len)
{
    struct stat st;
    bool exists = lstat(path, &st) == 0;
    if (exists && S_ISLNK(st.st_mode)) {
        snprintf(why, why_len, "%s: is a symbolic link; not following it", path);
        return ELOOP;
    }
    if (exists && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) && !S_ISCHR(st.st_mode) &&
        !S_ISFIFO(st.st_mode)) {
        snprintf(why, why_len, "%s: is a block device or a socket; not writing to it", path);
        return EEXIST;
    }
    int rc = EEXIST;
    if (exists && (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) &&
        (rc = write_special(path, write_fn, arg)) != EEXIST) {
        if (rc)
            snprintf(why, why_len, "%s: %s", path, strerror(rc));
        return rc;
    }
    char dir[PATH_BUF], tmp[PATH_BUF];
    dir_of(path, dir, sizeof dir);
    rc = strlen(path) >= sizeof dir ? ENAMETOOLONG : write_temp(dir, write_fn, arg, tmp, sizeof tmp);
    /* rename() replaces a name and never follows a symlink at it, so one
     * planted after the check above is replaced, not written through. */
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
