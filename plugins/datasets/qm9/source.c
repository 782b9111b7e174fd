/* source.c — where the qm9 file comes from: found in data_dir, or
 * downloaded with core's downloader (download.h: lock, .part, resume,
 * retries), and hashed so the run can record exactly which bytes it used.
 *
 * Offline — SE3FLOW_OFFLINE=1, or the URL's host does not resolve — a
 * missing file fails at once (no retries) with the URL and the path where
 * the file can be put by hand. */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <se3flow/download.h>

#include "qm9.h"

typedef struct progress {
    bool tty;
    int last_tenth; /* the last 10% step printed when stderr is not a terminal */
} progress;

static void on_progress(void *user, int64_t bytes, int64_t total, double rate)
{
    progress *p = user;
    double mb = 1e-6 * (double)bytes, total_mb = 1e-6 * (double)total;
    char eta[32] = "";
    if (total > 0 && rate > 0)
        snprintf(eta, sizeof eta, ", ETA %.0f s", (double)(total - bytes) / rate);
    if (!p->tty) {
        int tenth = total > 0 ? (int)(10 * bytes / total) : 0;
        if (tenth == p->last_tenth && bytes != total) return;
        p->last_tenth = tenth;
    }
    if (total > 0)
        fprintf(stderr, "%sqm9: %.2f / %.2f MB (%.2f MB/s%s)%s", p->tty ? "\r" : "", mb, total_mb,
                1e-6 * rate, eta, p->tty ? "" : "\n");
    else
        fprintf(stderr, "%sqm9: %.2f MB (%.2f MB/s)%s", p->tty ? "\r" : "", mb, 1e-6 * rate,
                p->tty ? "" : "\n");
    fflush(stderr);
}

/* Whether the host of `url` resolves (a numeric address always does). */
static bool host_resolves(const char *url)
{
    const char *h = strstr(url, "://");
    h = h ? h + 3 : url;
    char host[256];
    size_t n = strcspn(h, ":/?#");
    if (n == 0 || n >= sizeof host) return true; /* let the downloader say what is wrong */
    memcpy(host, h, n);
    host[n] = '\0';
    struct addrinfo *found = NULL, hints = {.ai_socktype = SOCK_STREAM};
    int err = getaddrinfo(host, NULL, &hints, &found);
    if (found) freeaddrinfo(found);
    return err == 0;
}

s3f_status qm9_make_dir(const char *dir)
{
    if (!dir || !*dir || mkdir(dir, 0777) == 0 || errno == EEXIST) return S3F_OK;
    return s3f_fail(S3F_ERR_IO, "qm9: cannot make the data directory %s: %s", dir, strerror(errno));
}

static s3f_status offline(const qm9_source *s, const char *why)
{
    return s3f_fail(S3F_ERR_IO,
                    "qm9: %s is missing and %s, so it cannot be downloaded from %s; fetch that "
                    "URL on a machine with internet and put the file at %s (or set "
                    "dataset.file to where it is)",
                    s->path, why, s->url, s->path);
}

static s3f_status download(qm9_source *s, const qm9_fetch *f)
{
    const char *off = getenv("SE3FLOW_OFFLINE");
    if (off && *off && strcmp(off, "0")) return offline(s, "SE3FLOW_OFFLINE is set");
    if (!host_resolves(s->url)) return offline(s, "the URL's host does not resolve (offline?)");
    S3F_RETURN_IF_ERR(qm9_make_dir(f->data_dir));
    progress p = {.tty = isatty(STDERR_FILENO), .last_tenth = -1};
    s3f_download_options o;
    s3f_download_options_default(&o);
    o.sha256 = f->sha256 && *f->sha256 ? f->sha256 : NULL;
    o.stall_timeout_ms = (long)(1000 * f->stall_timeout_s);
    o.max_tries = f->tries;
    o.progress = f->quiet ? NULL : on_progress;
    o.progress_user = &p;
    if (!f->quiet) fprintf(stderr, "qm9: downloading %s to %s\n", s->url, s->path);
    s3f_status rc = s3f_download(s->url, s->path, &o);
    if (!f->quiet && p.tty) fputc('\n', stderr);
    if (rc != S3F_OK) return s3f_fail_context(rc, "qm9: ");
    s->downloaded = true;
    return S3F_OK;
}

static s3f_status check_pin(const qm9_source *s, const char *sha256)
{
    if (!sha256 || !*sha256 || !strcasecmp(sha256, s->sha256)) return S3F_OK;
    return s3f_fail(S3F_ERR_FORMAT,
                    "qm9: %s has SHA-256 %s but dataset.sha256 pins %s; delete the file to "
                    "download it again, or fix the pin",
                    s->path, s->sha256, sha256);
}

s3f_status qm9_source_get(const qm9_fetch *f, qm9_source *out)
{
    qm9_source s = {0};
    const char *env_url = getenv("SE3FLOW_QM9_URL"), *file = f->file, *data_dir = f->data_dir;
    snprintf(s.url, sizeof s.url, "%s", env_url && *env_url ? env_url : f->url);
    int n = file[0] == '/' || !data_dir || !*data_dir
                ? snprintf(s.path, sizeof s.path, "%s", file)
                : snprintf(s.path, sizeof s.path, "%s/%s", data_dir, file);
    if (n < 0 || (size_t)n >= sizeof s.path)
        return s3f_fail(S3F_ERR_ARG, "qm9: the path of dataset.file is too long");
    if (access(s.path, F_OK) != 0) S3F_RETURN_IF_ERR(download(&s, f));
    S3F_RETURN_IF_ERR(s3f_download_sha256_file(s.path, s.sha256));
    S3F_RETURN_IF_ERR(check_pin(&s, f->sha256));
    *out = s;
    return S3F_OK;
}

s3f_status qm9_source_reject(const qm9_source *s, s3f_status rc)
{
    char bad[4200], why[2048];
    snprintf(bad, sizeof bad, "%s.bad", s->path);
    snprintf(why, sizeof why, "%s", s3f_last_error());
    if (!s->downloaded && rc == S3F_ERR_FORMAT)
        return s3f_fail(rc,
                        "%s; if the file is damaged, delete it and the next run downloads it "
                        "again from %s",
                        why, s->url);
    if (!s->downloaded || rename(s->path, bad) != 0) return rc;
    return s3f_fail(rc,
                    "%s; the file just downloaded is unusable: moved it to %s, so the next "
                    "run downloads it again",
                    why, bad);
}
