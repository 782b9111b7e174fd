/* download.c — URL to file with libcurl: lock, resume, retry, verify,
 * rename (download.h).
 *
 * Not here: URL choice and environment overrides (the caller's), archive
 * checks (the reader's).
 *
 * Invariant: data is written only to `<dest>.part`; `dest` appears only by
 * rename after the whole body arrived and, when asked, its SHA-256 matched. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "se3flow/download.h"
#include "run_store/run_store_internal.h"

/* One try's state, shared with libcurl's callbacks. */
typedef struct attempt {
    CURL *curl;
    int fd;              /* the .part, O_APPEND */
    const char *part;    /* its path */
    int64_t offset;      /* bytes in the .part when the try started */
    int64_t written;     /* bytes appended by this try (after a restart: from 0) */
    int64_t range_start; /* Content-Range start of the last reply, -1 if none */
    bool body_started;   /* the status of the reply was checked */
    bool restarted;      /* a 200 reply to a Range request truncated the .part */
    bool bad_range;      /* a 206 reply that does not continue the .part */
    int write_errno;
    const s3f_download_options *opts;
    double last_report; /* monotonic seconds of the last progress call */
    double last_data;   /* monotonic seconds when bytes last arrived (or the try began) */
    curl_off_t last_dlnow;
    bool stalled; /* the stall timeout ended the try */
} attempt;

static pthread_once_t g_curl_once = PTHREAD_ONCE_INIT;
static CURLcode g_curl_init_rc;

static void curl_init_once(void)
{
    g_curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void s3f_download_options_default(s3f_download_options *opts)
{
    *opts = (s3f_download_options){
        .connect_timeout_ms = 30000, .stall_timeout_ms = 60000, .max_tries = 5, .backoff_s = 1.0};
}

static bool is_sha256_hex(const char *s)
{
    if (strlen(s) != 64) return false;
    for (int i = 0; i < 64; i++)
        if (!isxdigit((unsigned char)s[i])) return false;
    return true;
}

/* Headers: remember the Content-Range start of the current reply; a new
 * status line (a redirect's target, say) resets it. */
static size_t on_header(char *data, size_t size, size_t n, void *user)
{
    attempt *a = user;
    size_t len = size * n;
    char line[256];
    size_t copy = len < sizeof line - 1 ? len : sizeof line - 1;
    memcpy(line, data, copy);
    line[copy] = '\0';
    long long start;
    if (strncmp(line, "HTTP/", 5) == 0)
        a->range_start = -1;
    else if (strncasecmp(line, "Content-Range:", 14) == 0 &&
             sscanf(line + 14, " bytes %lld-", &start) == 1)
        a->range_start = start;
    return len;
}

/* The first body bytes of a 2xx reply decide where they go: 206 continues
 * the .part (only at its end), 200 starts it again. Bodies of error replies
 * are dropped. Returning less than given makes libcurl fail the try. */
static bool start_body(attempt *a)
{
    long status = 0;
    curl_easy_getinfo(a->curl, CURLINFO_RESPONSE_CODE, &status);
    a->body_started = true;
    if (status == 206 && a->range_start != a->offset) {
        a->bad_range = true;
        return false;
    }
    if (status == 200 && a->offset > 0) {
        if (ftruncate(a->fd, 0) != 0) {
            a->write_errno = errno;
            return false;
        }
        a->offset = 0;
        a->restarted = true;
    }
    return true;
}

static size_t on_body(char *data, size_t size, size_t n, void *user)
{
    attempt *a = user;
    size_t len = size * n;
    long status = 0;
    if (!a->body_started && !start_body(a)) return 0;
    curl_easy_getinfo(a->curl, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200 && status != 206) return len; /* an error page */
    for (size_t done = 0; done < len;) {
        ssize_t w = write(a->fd, data + done, len - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            a->write_errno = w < 0 ? errno : ENOSPC;
            return 0;
        }
        done += (size_t)w;
    }
    a->written += (int64_t)len;
    return len;
}

static void report(attempt *a, curl_off_t dltotal, bool final)
{
    if (!a->opts->progress) return;
    double t = now_s();
    if (!final && t - a->last_report < 0.2) return;
    a->last_report = t;
    curl_off_t speed = 0;
    curl_easy_getinfo(a->curl, CURLINFO_SPEED_DOWNLOAD_T, &speed);
    int64_t bytes = a->offset + a->written;
    int64_t total = dltotal > 0 ? a->offset + (int64_t)dltotal : -1;
    if (final && total < bytes) total = bytes;
    a->opts->progress(a->opts->progress_user, bytes, total, (double)speed);
}

static int on_progress(void *user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    (void)ultotal, (void)ulnow;
    attempt *a = user;
    double t = now_s();
    if (dlnow != a->last_dlnow) a->last_dlnow = dlnow, a->last_data = t;
    if (t - a->last_data > 1e-3 * (double)a->opts->stall_timeout_ms) {
        a->stalled = true;
        return 1; /* aborts the transfer */
    }
    report(a, dltotal, false);
    return 0;
}

/* curl results worth another try: the network or server may recover. */
static bool curl_transient(CURLcode c)
{
    switch (c) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return true;
    default:
        return false;
    }
}

static bool http_transient(long status)
{
    return status >= 500 || status == 408 || status == 429;
}

static void configure(attempt *a, const char *url, char *errbuf, char *range)
{
    CURL *c = a->curl;
    const s3f_download_options *o = a->opts;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, a);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, a);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "se3flow");
    if (a->offset > 0) {
        snprintf(range, 32, "%" PRId64 "-", a->offset);
        curl_easy_setopt(c, CURLOPT_RANGE, range);
    }
}

/* One try. *retry says whether a failure is worth another. */
static s3f_status try_once(const char *url, const char *part, const s3f_download_options *opts,
                           bool *retry)
{
    s3f_status rc = S3F_OK;
    char errbuf[CURL_ERROR_SIZE] = "", range[32];
    attempt a = {.fd = -1, .part = part, .range_start = -1, .opts = opts};
    *retry = false;
    a.fd = open(part, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    struct stat st;
    if (a.fd < 0 || fstat(a.fd, &st) != 0) {
        rc = s3f_fail(S3F_ERR_IO, "cannot open %s for the download of %s: %s", part, url,
                      strerror(errno));
        goto fail;
    }
    a.offset = (int64_t)st.st_size;
    if (!(a.curl = curl_easy_init())) {
        rc = s3f_fail(S3F_ERR_NOMEM, "libcurl cannot start a transfer for %s", url);
        goto fail;
    }
    configure(&a, url, errbuf, range);
    a.last_data = now_s();
    CURLcode cc = curl_easy_perform(a.curl);
    long status = 0;
    curl_easy_getinfo(a.curl, CURLINFO_RESPONSE_CODE, &status);
    if (a.write_errno) {
        rc = s3f_fail(S3F_ERR_IO, "cannot write %s while downloading %s: %s", part, url,
                      strerror(a.write_errno));
    } else if (a.stalled) {
        *retry = true;
        rc = s3f_fail(S3F_ERR_IO,
                      "%s: no data for %ld ms (the stall timeout) after %" PRId64 " bytes", url,
                      opts->stall_timeout_ms, a.offset + a.written);
    } else if (a.bad_range) {
        /* The server sent a range we did not ask for; start afresh. */
        *retry = ftruncate(a.fd, 0) == 0;
        rc = s3f_fail(S3F_ERR_IO,
                      "%s answered the Range request for bytes %" PRId64 "- with bytes %" PRId64
                      "-; the partial file was discarded",
                      url, a.offset, a.range_start);
    } else if (status == 416) {
        /* The .part is not a prefix of what the server holds now. */
        *retry = ftruncate(a.fd, 0) == 0;
        rc = s3f_fail(S3F_ERR_IO,
                      "%s: HTTP 416 for bytes %" PRId64 "-; the partial file %s "
                      "does not fit the server's file and was discarded",
                      url, a.offset, part);
    } else if (status >= 300 && cc == CURLE_OK) {
        *retry = http_transient(status);
        rc = s3f_fail(S3F_ERR_IO, "%s: HTTP %ld%s", url, status,
                      *retry ? " (a server error)" : "; check the URL");
    } else if (cc != CURLE_OK) {
        *retry = curl_transient(cc);
        rc = s3f_fail(S3F_ERR_IO, "%s: %s (%s)", url, errbuf[0] ? errbuf : curl_easy_strerror(cc),
                      curl_easy_strerror(cc));
    } else if (status == 200 && a.offset > 0 && !a.body_started && ftruncate(a.fd, 0) != 0) {
        rc = s3f_fail(S3F_ERR_IO, "cannot truncate %s: %s", part, strerror(errno));
    } else {
        report(&a, 0, true);
        if (fsync(a.fd) != 0)
            rc = s3f_fail(S3F_ERR_IO, "cannot sync %s: %s", part, strerror(errno));
    }
fail:
    if (a.curl) curl_easy_cleanup(a.curl);
    if (a.fd >= 0) close(a.fd);
    return rc;
}

static s3f_status verify_sha256(const char *url, const char *part, const char *want)
{
    char got[STORE_SHA256_HEX_SIZE];
    S3F_RETURN_IF_ERR(store_sha256_file(part, got));
    if (strncasecmp(got, want, 64) == 0) return S3F_OK;
    unlink(part);
    return s3f_fail(S3F_ERR_FORMAT,
                    "the file downloaded from %s has SHA-256 %s, expected %s; it was deleted. "
                    "Check the URL and the sha256 option (a mirror may serve another file)",
                    url, got, want);
}

static s3f_status finish(const char *url, const char *part, const char *dest,
                         const s3f_download_options *opts)
{
    if (opts->sha256) S3F_RETURN_IF_ERR(verify_sha256(url, part, opts->sha256));
    if (rename(part, dest) != 0)
        return s3f_fail(S3F_ERR_IO, "cannot rename %s to %s: %s", part, dest, strerror(errno));
    char *copy = strdup(dest);
    if (!copy) return s3f_fail(S3F_ERR_NOMEM, "out of memory");
    int dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(copy);
    if (dfd >= 0) {
        fsync(dfd); /* best effort: the file is complete either way */
        close(dfd);
    }
    return S3F_OK;
}

static void sleep_s(double s)
{
    struct timespec ts = {.tv_sec = (time_t)s, .tv_nsec = (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* The tries, with back-off, under the lock. */
static s3f_status fetch(const char *url, const char *part, const char *dest,
                        const s3f_download_options *opts)
{
    double wait = opts->backoff_s;
    bool retry = false;
    s3f_status rc = S3F_OK;
    int tries = 0;
    for (; tries < opts->max_tries; tries++) {
        if (tries > 0) sleep_s(wait), wait *= 2;
        rc = try_once(url, part, opts, &retry);
        if (rc == S3F_OK) return finish(url, part, dest, opts);
        if (!retry) break;
    }
    struct stat st;
    if (stat(part, &st) == 0 && st.st_size == 0) unlink(part); /* nothing worth resuming */
    if (retry)
        return s3f_fail_context(rc,
                                "download failed after %d tr%s; try again later, or fetch "
                                "the file by hand and put it at %s: ",
                                tries, tries == 1 ? "y" : "ies", dest);
    return s3f_fail_context(rc, "cannot download to %s: ", dest);
}

static s3f_status check_options(const s3f_download_options *o)
{
    if (o->max_tries < 1 || o->backoff_s < 0 || o->connect_timeout_ms < 0 ||
        o->stall_timeout_ms < 0)
        return s3f_fail(S3F_ERR_ARG, "download options: max_tries must be >= 1 and timeouts "
                                     "and back-off >= 0");
    if (o->sha256 && !is_sha256_hex(o->sha256))
        return s3f_fail(S3F_ERR_ARG, "download sha256 \"%s\" is not 64 hex digits", o->sha256);
    return S3F_OK;
}

s3f_status s3f_download(const char *url, const char *dest, const s3f_download_options *opts)
{
    s3f_download_options defaults;
    if (!opts) s3f_download_options_default(&defaults), opts = &defaults;
    if (!url || !dest) return s3f_fail(S3F_ERR_ARG, "s3f_download: url and dest are required");
    S3F_RETURN_IF_ERR(check_options(opts));
    pthread_once(&g_curl_once, curl_init_once);
    if (g_curl_init_rc != CURLE_OK)
        return s3f_fail(S3F_ERR_INTERNAL, "libcurl failed to initialise: %s",
                        curl_easy_strerror(g_curl_init_rc));
    s3f_status rc = S3F_OK;
    int lock_fd = -1;
    size_t n = strlen(dest) + sizeof ".lock";
    char *part = malloc(n), *lock = malloc(n);
    if (!part || !lock) {
        rc = s3f_fail(S3F_ERR_NOMEM, "out of memory");
        goto fail;
    }
    snprintf(part, n, "%s.part", dest);
    snprintf(lock, n, "%s.lock", dest);
    lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock_fd < 0) {
        rc = s3f_fail(S3F_ERR_IO, "cannot create the lock file %s: %s", lock, strerror(errno));
        goto fail;
    }
    while (flock(lock_fd, LOCK_EX) != 0) {
        if (errno == EINTR) continue;
        rc = s3f_fail(S3F_ERR_IO, "cannot lock %s: %s", lock, strerror(errno));
        goto fail;
    }
    if (access(dest, F_OK) == 0) goto fail; /* another process finished it */
    rc = fetch(url, part, dest, opts);
fail:
    if (lock_fd >= 0) close(lock_fd); /* releases the flock */
    free(part);
    free(lock);
    return rc;
}

s3f_status s3f_download_sha256_file(const char *path, char hex[65])
{
    if (!path || !hex) return s3f_fail(S3F_ERR_ARG, "s3f_download_sha256_file: NULL argument");
    return store_sha256_file(path, hex);
}
