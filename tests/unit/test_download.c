/* test_download.c — the downloader (download.h) against a tiny HTTP/1.1
 * server on 127.0.0.1 that this file runs in a thread.
 *
 * Each test gives the server a script: one action per connection (serve the
 * file honouring Range, serve it ignoring Range, drop the connection
 * mid-body, answer a status, stall mid-body). The server listens on a port
 * the kernel picks, records the Range start of every request, and stops by
 * itself after the script or after 3 s without a connection. Timeouts are
 * 1-2 s, so every test is short. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "se3flow/download.h"
#include "test_support.h"

#define FILE_SIZE   100000
#define MAX_ACTIONS 8

typedef enum action_kind {
    SERVE, /* 200, or 206 from the requested start */
    SERVE_IGNORING_RANGE /* always 200 with the whole file */,
    DROP,   /* headers for the whole reply, `bytes` of the body, close */
    STATUS, /* an empty reply with `status` */
    STALL   /* headers, `bytes` of the body, then silence until the client leaves */
} action_kind;

typedef struct action {
    action_kind kind;
    int status;
    size_t bytes;
    int delay_ms; /* before the body */
} action;

typedef struct server {
    int listen_fd, port;
    action script[MAX_ACTIONS];
    int n_actions;
    int served;                         /* connections answered */
    long long range_start[MAX_ACTIONS]; /* -1: no Range header */
    pthread_t thread;
} server;

static unsigned char g_data[FILE_SIZE];
static char g_dir[256];

static const char *path_of(const char *name)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", g_dir, name);
    return path;
}

static bool exists(const char *name)
{
    struct stat st;
    return stat(path_of(name), &st) == 0;
}

static void send_all(int fd, const void *data, size_t size)
{
    const char *p = data;
    while (size > 0) {
        ssize_t n = send(fd, p, size, MSG_NOSIGNAL);
        if (n <= 0) return; /* the client left; nothing to do */
        p += n;
        size -= (size_t)n;
    }
}

/* Reads the request head (bounded) and returns its Range start, or -1. */
static long long read_request(int fd)
{
    char buf[4096];
    size_t len = 0;
    while (len < sizeof buf - 1) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 2000) <= 0) break;
        ssize_t n = recv(fd, buf + len, sizeof buf - 1 - len, 0);
        if (n <= 0) break;
        len += (size_t)n;
        buf[len] = '\0';
        if (strstr(buf, "\r\n\r\n")) break;
    }
    buf[len] = '\0';
    const char *r = strstr(buf, "ange: bytes=");
    return r ? atoll(r + strlen("ange: bytes=")) : -1;
}

static void respond(int fd, const action *a, long long range)
{
    char head[512];
    if (a->kind == STATUS) {
        snprintf(head, sizeof head,
                 "HTTP/1.1 %d Scripted\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                 a->status);
        send_all(fd, head, strlen(head));
        return;
    }
    size_t start = range > 0 && a->kind != SERVE_IGNORING_RANGE ? (size_t)range : 0;
    if (start >= FILE_SIZE) start = 0;
    if (start > 0)
        snprintf(head, sizeof head,
                 "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes %zu-%d/%d\r\n"
                 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                 start, FILE_SIZE - 1, FILE_SIZE, FILE_SIZE - start);
    else
        snprintf(head, sizeof head,
                 "HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n", FILE_SIZE);
    send_all(fd, head, strlen(head));
    if (a->delay_ms) usleep((useconds_t)a->delay_ms * 1000);
    size_t body = FILE_SIZE - start;
    if (a->kind == DROP || a->kind == STALL) body = a->bytes;
    send_all(fd, g_data + start, body);
    if (a->kind == STALL) { /* wait (bounded) for the client to give up */
        char c;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 4000) > 0) (void)recv(fd, &c, 1, 0);
    }
}

static void *serve(void *user)
{
    server *s = user;
    for (int i = 0; i < s->n_actions; i++) {
        struct pollfd p = {.fd = s->listen_fd, .events = POLLIN};
        if (poll(&p, 1, 3000) <= 0) break;
        int fd = accept(s->listen_fd, NULL, NULL);
        if (fd < 0) break;
        s->range_start[i] = read_request(fd);
        respond(fd, &s->script[i], s->range_start[i]);
        s->served++;
        close(fd);
    }
    close(s->listen_fd);
    return NULL;
}

/* Starts a server on 127.0.0.1 with the script (n actions). */
static void server_start(server *s, const action *script, int n)
{
    memset(s, 0, sizeof *s);
    memcpy(s->script, script, (size_t)n * sizeof *script);
    s->n_actions = n;
    for (int i = 0; i < MAX_ACTIONS; i++) s->range_start[i] = -2;
    s->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(s->listen_fd >= 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(s->listen_fd, (struct sockaddr *)&addr, sizeof addr), 0);
    assert_int_equal(listen(s->listen_fd, 8), 0);
    socklen_t len = sizeof addr;
    assert_int_equal(getsockname(s->listen_fd, (struct sockaddr *)&addr, &len), 0);
    s->port = ntohs(addr.sin_port);
    assert_int_equal(pthread_create(&s->thread, NULL, serve, s), 0);
}

static void server_join(server *s)
{
    pthread_join(s->thread, NULL);
}

static const char *url_of(const server *s)
{
    static char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/qm9_edge.npz", s->port);
    return url;
}

static s3f_download_options quick_options(void)
{
    s3f_download_options o;
    s3f_download_options_default(&o);
    o.connect_timeout_ms = 1000;
    o.stall_timeout_ms = 1000;
    o.max_tries = 3;
    o.backoff_s = 0.01;
    return o;
}

static void assert_file_is_data(const char *name)
{
    FILE *f = fopen(path_of(name), "rb");
    assert_non_null(f);
    static unsigned char buf[FILE_SIZE + 1];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    assert_int_equal(n, FILE_SIZE);
    assert_memory_equal(buf, g_data, FILE_SIZE);
}

static void sha256_hex(const void *data, size_t size, char hex[65])
{
    unsigned char d[32];
    unsigned int len = 0;
    assert_int_equal(EVP_Digest(data, size, d, &len, EVP_sha256(), NULL), 1);
    for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

typedef struct progress_log {
    int calls;
    int64_t bytes, total;
} progress_log;

static void on_progress(void *user, int64_t bytes, int64_t total, double rate)
{
    progress_log *p = user;
    assert_true(rate >= 0);
    p->calls++;
    p->bytes = bytes;
    p->total = total;
}

static void test_full_download(void **state)
{
    (void)state;
    server s;
    server_start(&s, (action[]){{.kind = SERVE}}, 1);
    progress_log log = {0};
    s3f_download_options o = quick_options();
    o.progress = on_progress;
    o.progress_user = &log;
    assert_ok(s3f_download(url_of(&s), path_of("f"), &o));
    server_join(&s);
    assert_int_equal(s.served, 1);
    assert_int_equal(s.range_start[0], -1);
    assert_file_is_data("f");
    assert_false(exists("f.part"));
    assert_true(log.calls >= 1);
    assert_int_equal(log.bytes, FILE_SIZE);
    assert_int_equal(log.total, FILE_SIZE);
}

static void test_dropped_connection_resumes_with_range(void **state)
{
    (void)state;
    server s;
    server_start(&s, (action[]){{.kind = DROP, .bytes = 30000}, {.kind = SERVE}}, 2);
    s3f_download_options o = quick_options();
    assert_ok(s3f_download(url_of(&s), path_of("f"), &o));
    server_join(&s);
    assert_int_equal(s.served, 2);
    assert_int_equal(s.range_start[1], 30000);
    assert_file_is_data("f");
    assert_false(exists("f.part"));
}

/* A .part from an earlier run, and a server that answers 200 to the Range
 * request: the file starts again rather than appending. */
static void test_200_reply_to_range_restarts(void **state)
{
    (void)state;
    FILE *f = fopen(path_of("f.part"), "wb");
    assert_non_null(f);
    for (int i = 0; i < 1000; i++) fputc('x', f);
    fclose(f);
    server s;
    server_start(&s, (action[]){{.kind = SERVE_IGNORING_RANGE}}, 1);
    s3f_download_options o = quick_options();
    assert_ok(s3f_download(url_of(&s), path_of("f"), &o));
    server_join(&s);
    assert_int_equal(s.range_start[0], 1000);
    assert_file_is_data("f");
}

static void test_404_is_not_retried(void **state)
{
    (void)state;
    server s;
    server_start(&s, (action[]){{.kind = STATUS, .status = 404}}, 1);
    s3f_download_options o = quick_options();
    const char *url = url_of(&s);
    assert_fails(s3f_download(url, path_of("f"), &o), S3F_ERR_IO, url, "HTTP 404", "check the URL");
    server_join(&s);
    assert_int_equal(s.served, 1);
    assert_false(exists("f"));
    assert_false(exists("f.part"));
}

static void test_500_is_retried_then_fails(void **state)
{
    (void)state;
    server s;
    server_start(&s,
                 (action[]){{.kind = STATUS, .status = 500},
                            {.kind = STATUS, .status = 503},
                            {.kind = STATUS, .status = 500}},
                 3);
    s3f_download_options o = quick_options();
    const char *url = url_of(&s);
    assert_fails(s3f_download(url, path_of("f"), &o), S3F_ERR_IO, url, "HTTP 500", "after 3 tries",
                 "by hand");
    server_join(&s);
    assert_int_equal(s.served, 3);
    assert_false(exists("f"));
}

/* A stall fails the try after the stall timeout; the next call resumes the
 * .part it left. */
static void test_stall_times_out_then_resumes(void **state)
{
    (void)state;
    server s;
    server_start(&s, (action[]){{.kind = STALL, .bytes = 40000}, {.kind = SERVE}}, 2);
    s3f_download_options o = quick_options();
    o.max_tries = 1;
    const char *url = url_of(&s);
    assert_fails(s3f_download(url, path_of("f"), &o), S3F_ERR_IO, url, "stall timeout",
                 "after 40000 bytes");
    assert_false(exists("f"));
    assert_true(exists("f.part"));
    assert_ok(s3f_download(url, path_of("f"), &o));
    server_join(&s);
    assert_int_equal(s.range_start[1], 40000);
    assert_file_is_data("f");
}

static void test_sha256_checked_before_rename(void **state)
{
    (void)state;
    char right[65], wrong[65];
    sha256_hex(g_data, FILE_SIZE, right);
    memset(wrong, '0', 64);
    wrong[64] = '\0';
    server s;
    server_start(&s, (action[]){{.kind = SERVE}, {.kind = SERVE}}, 2);
    s3f_download_options o = quick_options();
    o.sha256 = wrong;
    assert_fails(s3f_download(url_of(&s), path_of("f"), &o), S3F_ERR_FORMAT, right, wrong,
                 "deleted");
    assert_false(exists("f"));
    assert_false(exists("f.part"));
    o.sha256 = right;
    assert_ok(s3f_download(url_of(&s), path_of("f"), &o));
    server_join(&s);
    assert_file_is_data("f");
    o.sha256 = "abc";
    assert_fails(s3f_download(url_of(&s), path_of("g"), &o), S3F_ERR_ARG, "64 hex digits");
}

typedef struct worker {
    const char *url, *dest;
    s3f_status rc;
} worker;

static void *run_worker(void *user)
{
    worker *w = user;
    s3f_download_options o = quick_options();
    w->rc = s3f_download(w->url, w->dest, &o);
    return NULL;
}

/* Two downloads at once: the server is slow to send the body, so the second
 * waits on the lock, then finds the file complete; one request in all. */
static void test_concurrent_downloads_fetch_once(void **state)
{
    (void)state;
    server s;
    server_start(&s, (action[]){{.kind = SERVE, .delay_ms = 300}}, 1);
    char url[128], dest[512];
    snprintf(url, sizeof url, "%s", url_of(&s));
    snprintf(dest, sizeof dest, "%s", path_of("f"));
    worker w[2] = {{url, dest, S3F_ERR_INTERNAL}, {url, dest, S3F_ERR_INTERNAL}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++) assert_int_equal(pthread_create(&t[i], NULL, run_worker, &w[i]), 0);
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    server_join(&s);
    assert_int_equal(w[0].rc, S3F_OK);
    assert_int_equal(w[1].rc, S3F_OK);
    assert_int_equal(s.served, 1);
    assert_file_is_data("f");
}

static int setup(void **state)
{
    (void)state;
    snprintf(g_dir, sizeof g_dir, "/tmp/s3f_download_XXXXXX");
    return mkdtemp(g_dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    return system(cmd);
}

int main(void)
{
    for (int i = 0; i < FILE_SIZE; i++) g_data[i] = (unsigned char)((i * 2654435761u) >> 13);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_full_download, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dropped_connection_resumes_with_range, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_200_reply_to_range_restarts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_404_is_not_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_500_is_retried_then_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stall_times_out_then_resumes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sha256_checked_before_rename, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_downloads_fetch_once, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
