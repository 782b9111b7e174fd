/* download.h — fetching a URL to a file, for dataset plugins (libcurl).
 *
 * What it does: TLS verification on (libcurl's defaults, set explicitly);
 * connect and stall timeouts; retries with exponential back-off on transient
 * failures (connection refused or reset, timeouts, a body cut short, HTTP 5xx,
 * 408, 429) but never on other 4xx; the body goes to `<dest>.part`, which a
 * later call resumes with an HTTP Range request (a 206 reply appends, a 200
 * reply restarts the file); an optional SHA-256 is checked before the final
 * rename (on a mismatch the .part is deleted); then the .part is synced and
 * renamed to `dest`. A lock file `<dest>.lock` (flock) makes two processes or
 * threads that start at once download once: the second waits, then finds
 * `dest` complete. The lock file is empty and stays in place (removing it
 * would race with a third process).
 *
 * What it is not: it does not read environment overrides of the URL (the
 * caller's business) and does not check an existing `dest` (a file under the
 * final name is complete by construction).
 *
 * Invariant: nothing this code writes under `dest` is incomplete or
 * unverified; partial data only ever lives in `<dest>.part`. */
#ifndef SE3FLOW_DOWNLOAD_H
#define SE3FLOW_DOWNLOAD_H

#include <stdint.h>

#include "se3flow/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Progress: bytes of the file held so far (a resumed prefix included), the
 * total size or -1 when the server did not say, and the current rate. Called
 * at most every 200 ms and once at the end, on the downloading thread. */
typedef void (*s3f_download_progress_fn)(void *user, int64_t bytes, int64_t total,
                                         double bytes_per_s);

typedef struct s3f_download_options {
    long connect_timeout_ms;           /* per try; default 30000 */
    long stall_timeout_ms;             /* a try fails when no byte arrives for this long (checked
                                          about once a second while idle); default 60000 */
    int max_tries;                     /* tries in all, >= 1; default 5 */
    double backoff_s;                  /* wait before the 2nd try, doubled each time; default 1 */
    const char *sha256;                /* 64 hex digits, or NULL for no check; borrowed */
    s3f_download_progress_fn progress; /* NULL for none */
    void *progress_user;               /* borrowed, passed to progress */
} s3f_download_options;

/* Fills the defaults above. */
S3F_API void s3f_download_options_default(s3f_download_options *opts);

/* Downloads `url` to `dest` (both borrowed; opts NULL takes the defaults).
 * Returns at once with S3F_OK when `dest` exists (after taking the lock).
 * S3F_ERR_ARG: bad options or a sha256 that is not 64 hex digits.
 * S3F_ERR_IO: the server or network failed (message: URL, HTTP status or
 * libcurl's error, the number of tries, what to do), or a local file could
 * not be written. S3F_ERR_FORMAT: the SHA-256 does not match (message: both
 * hashes; the .part is deleted). Thread-safe: concurrent calls for the same
 * `dest` serialise on the lock file. */
S3F_API s3f_status s3f_download(const char *url, const char *dest,
                                const s3f_download_options *opts);

/* The SHA-256 of the file at `path` (borrowed) as 64 lowercase hex digits
 * and a NUL in `hex`, so that a dataset can record exactly which bytes it
 * used. S3F_ERR_IO: the file cannot be read (names it). Thread-safe. */
S3F_API s3f_status s3f_download_sha256_file(const char *path, char hex[65]);

#ifdef __cplusplus
}
#endif
#endif
