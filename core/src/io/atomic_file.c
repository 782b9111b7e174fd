/* atomic_file.c — temporary file, fsync, rename, directory fsync
 * (atomic_file.h). Invariant: until commit succeeds, nothing exists under
 * the final name that this code wrote. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "se3flow/atomic_file.h"

struct s3f_atomic_file {
    int fd;
    char *path;     /* final name */
    char *tmp_path; /* path.tmp.XXXXXX */
};

static long g_fail_write_at; /* counts down; the call that brings it to 0 fails */

void s3f_fault_fail_write_at(long n)
{
    g_fail_write_at = n;
}

static bool injected_failure(void)
{
    if (g_fail_write_at <= 0) return false;
    return --g_fail_write_at == 0;
}

s3f_status s3f_atomic_open(const char *path, s3f_atomic_file_t **out)
{
    s3f_atomic_file_t *f = calloc(1, sizeof *f);
    size_t n = strlen(path) + sizeof ".tmp.XXXXXX";
    if (f) f->fd = -1;
    if (!f || !(f->path = strdup(path)) || !(f->tmp_path = malloc(n))) {
        s3f_atomic_abort(f);
        return s3f_fail(S3F_ERR_NOMEM, "cannot allocate a file writer for %s", path);
    }
    snprintf(f->tmp_path, n, "%s.tmp.XXXXXX", path);
    f->fd = mkstemp(f->tmp_path);
    if (f->fd < 0) {
        s3f_status rc = s3f_fail(S3F_ERR_IO, "cannot create a temporary file beside %s: %s", path,
                                 strerror(errno));
        free(f->tmp_path);
        f->tmp_path = NULL; /* nothing to unlink */
        s3f_atomic_abort(f);
        return rc;
    }
    *out = f;
    return S3F_OK;
}

s3f_status s3f_atomic_write_bytes(s3f_atomic_file_t *f, const void *data, size_t size)
{
    if (injected_failure())
        return s3f_fail(S3F_ERR_IO, "cannot write %s: %s (injected fault)", f->path,
                        strerror(ENOSPC));
    const char *p = data;
    while (size > 0) {
        ssize_t n = write(f->fd, p, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0)
            return s3f_fail(S3F_ERR_IO, "cannot write %s: %s", f->path,
                            n < 0 ? strerror(errno) : "short write");
        p += n;
        size -= (size_t)n;
    }
    return S3F_OK;
}

static s3f_status sync_directory(const char *path)
{
    char *copy = strdup(path);
    if (!copy) return s3f_fail(S3F_ERR_NOMEM, "out of memory");
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
    s3f_status rc = S3F_OK;
    if (fd < 0 || fsync(fd) != 0)
        rc = s3f_fail(S3F_ERR_IO, "cannot sync the directory of %s: %s", path, strerror(errno));
    if (fd >= 0) close(fd);
    free(copy);
    return rc;
}

s3f_status s3f_atomic_commit(s3f_atomic_file_t *f)
{
    s3f_status rc = S3F_OK;
    if (fsync(f->fd) != 0)
        rc = s3f_fail(S3F_ERR_IO, "cannot flush %s to disk: %s", f->path, strerror(errno));
    if (close(f->fd) != 0 && rc == S3F_OK)
        rc = s3f_fail(S3F_ERR_IO, "cannot close %s: %s", f->path, strerror(errno));
    f->fd = -1;
    if (rc == S3F_OK && rename(f->tmp_path, f->path) != 0)
        rc = s3f_fail(S3F_ERR_IO, "cannot rename %s to %s: %s", f->tmp_path, f->path,
                      strerror(errno));
    if (rc != S3F_OK) {
        s3f_atomic_abort(f);
        return rc;
    }
    rc = sync_directory(f->path);
    free(f->tmp_path);
    f->tmp_path = NULL;
    s3f_atomic_abort(f); /* frees what is left; nothing to unlink any more */
    return rc;
}

void s3f_atomic_abort(s3f_atomic_file_t *f)
{
    if (!f) return;
    if (f->fd >= 0) close(f->fd);
    if (f->tmp_path) unlink(f->tmp_path);
    free(f->tmp_path);
    free(f->path);
    free(f);
}
