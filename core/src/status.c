/* status.c — status strings and the per-thread detail message.
 *
 * The message lives in thread-local storage, so concurrent callers never see
 * each other's errors. It is truncated, never overflowed. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "se3flow/status.h"

#define MESSAGE_CAPACITY 2048

static _Thread_local char g_message[MESSAGE_CAPACITY];

static const char *const g_status_names[S3F_STATUS_COUNT_] = {
    [S3F_OK] = "ok",
    [S3F_ERR_NOMEM] = "out of memory",
    [S3F_ERR_SHAPE] = "shape mismatch",
    [S3F_ERR_DTYPE] = "unsupported dtype",
    [S3F_ERR_ARG] = "invalid argument",
    [S3F_ERR_DEVICE] = "device error",
    [S3F_ERR_IO] = "i/o error",
    [S3F_ERR_FORMAT] = "malformed data",
    [S3F_ERR_STATE] = "invalid state",
    [S3F_ERR_UNSUPPORTED] = "not supported",
    [S3F_ERR_NUMERIC] = "numerical error",
    [S3F_ERR_INTERNAL] = "internal error",
};

const char *s3f_status_string(s3f_status status)
{
    if ((int)status < 0 || status >= S3F_STATUS_COUNT_) return "unknown status";
    return g_status_names[status];
}

/* Both functions format into a local buffer first: callers may pass
 * s3f_last_error() itself as an argument ("%s", s3f_last_error()), and
 * vsnprintf into the buffer it is reading from garbles the message. */
s3f_status s3f_fail(s3f_status status, const char *fmt, ...)
{
    char message[MESSAGE_CAPACITY];
    va_list args;
    va_start(args, fmt);
    vsnprintf(message, sizeof message, fmt, args);
    va_end(args);
    memcpy(g_message, message, sizeof g_message);
    return status;
}

s3f_status s3f_fail_context(s3f_status status, const char *fmt, ...)
{
    char message[MESSAGE_CAPACITY];
    va_list args;
    va_start(args, fmt);
    int n = vsnprintf(message, sizeof message, fmt, args);
    va_end(args);
    if (n >= 0 && (size_t)n < sizeof message)
        snprintf(message + n, sizeof message - (size_t)n, "%s", g_message);
    memcpy(g_message, message, sizeof g_message);
    return status;
}

const char *s3f_last_error(void)
{
    return g_message;
}

void s3f_clear_error(void)
{
    g_message[0] = '\0';
}

void s3f_assert_fail(const char *expr, const char *file, int line)
{
    fprintf(stderr, "se3flow: internal invariant broken: %s (%s:%d)\n", expr, file, line);
    abort();
}
