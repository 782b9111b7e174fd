/* status.h — the one error type of se3flow.
 *
 * Every fallible call returns an s3f_status. The human-readable detail (what
 * failed, with which shapes, file or key, and what to do) is kept per thread
 * and read with s3f_last_error(). Codes are only ever appended, never
 * renumbered, because plugins built against older headers compare them. */
#ifndef SE3FLOW_STATUS_H
#define SE3FLOW_STATUS_H

#include "se3flow/export.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum s3f_status {
    S3F_OK = 0,
    S3F_ERR_NOMEM = 1,       /* heap or arena allocation failed */
    S3F_ERR_SHAPE = 2,       /* tensor shapes do not fit the operation */
    S3F_ERR_DTYPE = 3,       /* a dtype the operation does not accept */
    S3F_ERR_ARG = 4,         /* an invalid argument (NULL, out of range, ...) */
    S3F_ERR_DEVICE = 5,      /* tensor on the wrong device, or no such device */
    S3F_ERR_IO = 6,          /* a file or stream operation failed */
    S3F_ERR_FORMAT = 7,      /* a file's contents are malformed */
    S3F_ERR_STATE = 8,       /* the call is not valid in the object's current state */
    S3F_ERR_UNSUPPORTED = 9, /* valid request that this build cannot do */
    S3F_ERR_NUMERIC = 10,    /* NaN/Inf or a failed numerical check */
    S3F_ERR_INTERNAL = 11,   /* a bug in se3flow: please report it */
    S3F_STATUS_COUNT_        /* keep last; not a status */
} s3f_status;

/* The fixed name of a code, e.g. "shape mismatch". Never NULL. Thread-safe. */
S3F_API const char *s3f_status_string(s3f_status status);

/* Records a detail message for the calling thread and returns `status`, so
 * that `return s3f_fail(S3F_ERR_SHAPE, "...", ...);` both reports and fails.
 * The message replaces the previous one. Thread-safe (per-thread storage). */
S3F_API s3f_status s3f_fail(s3f_status status, const char *fmt, ...) S3F_PRINTF(2, 3);

/* Prepends context ("while loading x.yaml: ") to the current thread's message
 * and returns `status` unchanged. Use it when passing an error upwards. */
S3F_API s3f_status s3f_fail_context(s3f_status status, const char *fmt, ...) S3F_PRINTF(2, 3);

/* The calling thread's last detail message; "" if none. The pointer stays
 * valid until the next s3f_fail* call on this thread. */
S3F_API const char *s3f_last_error(void);

/* Clears the calling thread's detail message. */
S3F_API void s3f_clear_error(void);

/* Aborts with file and line when an internal invariant is broken. Never used
 * for bad input: bad input returns a status. */
S3F_API void s3f_assert_fail(const char *expr, const char *file, int line);
#define S3F_ASSERT(expr) ((expr) ? (void)0 : s3f_assert_fail(#expr, __FILE__, __LINE__))

/* Evaluates a status expression and returns it from the enclosing function if
 * it failed. Only for functions with nothing to clean up; otherwise use
 * S3F_TRY with a `fail:` label. */
#define S3F_RETURN_IF_ERR(expr)                                                                    \
    do {                                                                                           \
        s3f_status s3f_rc_ = (expr);                                                               \
        if (s3f_rc_ != S3F_OK) return s3f_rc_;                                                     \
    } while (0)

/* Evaluates a status expression into the local `rc` and jumps to `fail` on error. */
#define S3F_TRY(expr)                                                                              \
    do {                                                                                           \
        rc = (expr);                                                                               \
        if (rc != S3F_OK) goto fail;                                                               \
    } while (0)

#ifdef __cplusplus
}
#endif
#endif
