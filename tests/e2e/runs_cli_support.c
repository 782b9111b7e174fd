/* runs_cli_support.c — running the se3flow binary and building sample run
 * stores for the CLI tests (runs_cli_support.h). */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runs_cli_support.h"

void cli_fixture_setup(cli_fixture *fx)
{
    snprintf(fx->dir, sizeof fx->dir, "/tmp/s3f_cli_XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->db, sizeof fx->db, "%s/runs.db", fx->dir);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

void cli_fixture_teardown(cli_fixture *fx)
{
    nftw(fx->dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static char *read_all(int fd)
{
    size_t size = 0, capacity = 4096;
    char *text = malloc(capacity);
    ssize_t n;
    while (text && (n = read(fd, text + size, capacity - size - 1)) > 0) {
        size += (size_t)n;
        if (capacity - size < 2) text = realloc(text, capacity *= 2);
    }
    assert_non_null(text);
    text[size] = '\0';
    return text;
}

static char **argv_of(const char *const *args)
{
    static char *argv[64];
    argv[0] = (char *)S3F_TEST_CLI;
    int n = 0;
    while (args[n] && n < 62) argv[n + 1] = (char *)args[n], n++;
    argv[n + 1] = NULL;
    return argv;
}

static int exit_code_of(int status)
{
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

cli_result cli_run(const char *const *args)
{
    return cli_run_in(NULL, args);
}

cli_result cli_run_in(const char *dir, const char *const *args)
{
    char out_path[] = "/tmp/s3f_cli_out_XXXXXX", err_path[] = "/tmp/s3f_cli_err_XXXXXX";
    int out = mkstemp(out_path), err = mkstemp(err_path);
    assert_true(out >= 0 && err >= 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int in = open("/dev/null", O_RDONLY);
        dup2(in, 0), dup2(out, 1), dup2(err, 2);
        if (dir && chdir(dir) != 0) _exit(126);
        execv(S3F_TEST_CLI, argv_of(args));
        _exit(127);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    cli_result r = {.code = exit_code_of(status)};
    lseek(out, 0, SEEK_SET), lseek(err, 0, SEEK_SET);
    r.out = read_all(out), r.err = read_all(err);
    close(out), close(err);
    unlink(out_path), unlink(err_path);
    return r;
}

/* Reads what the terminal shows until EOF (EIO on Linux) or 10 s pass. */
static void pump(int master, char *seen, size_t size, size_t *used, const char *prompt,
                 const char *answer)
{
    bool answered = false;
    struct pollfd p = {.fd = master, .events = POLLIN};
    while (poll(&p, 1, 10000) > 0) {
        ssize_t n = read(master, seen + *used, size - *used - 1);
        if (n <= 0) break;
        *used += (size_t)n;
        seen[*used] = '\0';
        if (!answered && strstr(seen, prompt)) {
            answered = write(master, answer, strlen(answer)) == (ssize_t)strlen(answer);
        }
    }
}

cli_result cli_run_tty(const char *const *args, const char *prompt, const char *answer)
{
    int master = -1;
    pid_t pid = forkpty(&master, NULL, NULL, NULL);
    assert_true(pid >= 0);
    if (pid == 0) {
        execv(S3F_TEST_CLI, argv_of(args));
        _exit(127);
    }
    size_t size = 1 << 16, used = 0;
    char *seen = calloc(1, size);
    assert_non_null(seen);
    pump(master, seen, size, &used, prompt, answer);
    close(master);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return (cli_result){.code = exit_code_of(status), .out = strdup(""), .err = seen};
}

void cli_result_free(cli_result *r)
{
    free(r->out);
    free(r->err);
    *r = (cli_result){0};
}

int cli_count(const char *text, const char *needle)
{
    int n = 0;
    for (const char *at = text; (at = strstr(at, needle)); at += strlen(needle)) n++;
    return n;
}

static void log_curve(s3f_run_store_t *store, int64_t id, double scale)
{
    for (int epoch = 1; epoch <= 10; epoch++) {
        s3f_metric m[2] = {
            {.name = "mae",
             .split = "val",
             .value = scale / epoch,
             .step = epoch * 100,
             .epoch = epoch,
             .wall_time = 1.7e9 + epoch},
            {.name = "loss",
             .split = "train",
             .value = 2 * scale / epoch,
             .step = epoch * 100,
             .epoch = epoch,
             .wall_time = 1.7e9 + epoch},
        };
        assert_ok(s3f_run_store_log_metrics(store, id, m, 2));
    }
}

/* Run 3 is begun by a child process that exits without ending it, so its
 * pid is gone: the store reports it crashed. */
static void make_crashed_run(const char *db)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        s3f_run_store_t *store = NULL;
        int64_t id = 0;
        bool ok = s3f_run_store_open(db, 0, &store) == S3F_OK &&
                  s3f_run_store_begin(store, &(s3f_run_desc){.name = "md17", .kind = "bench"},
                                      &id) == S3F_OK;
        s3f_metric m = {.name = "mae", .split = "val", .value = 0.5, .step = 100, .epoch = 1};
        ok = ok && s3f_run_store_log_metrics(store, id, &m, 1) == S3F_OK;
        _exit(ok ? 0 : 1);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

void cli_make_sample(const cli_fixture *fx)
{
    s3f_run_store_t *store = NULL;
    assert_ok(s3f_run_store_open(fx->db, S3F_RUN_STORE_CREATE, &store));
    int64_t a, b;
    assert_ok(s3f_run_store_begin(
        store,
        &(s3f_run_desc){.name = "qm9_homo",
                        .kind = "train",
                        .device = "cpu",
                        .recipe_yaml = "dataset:\n  name: qm9\n  target: homo\n"
                                       "model:\n  num_layers: 4\noptimizer:\n  name: adam\n"},
        &a));
    assert_ok(s3f_run_store_begin(
        store,
        &(s3f_run_desc){.name = "qm9, lumo",
                        .kind = "train",
                        .recipe_yaml = "dataset:\n  target: lumo\nmodel:\n  num_layers: 2\n"},
        &b));
    log_curve(store, a, 0.4);
    log_curve(store, b, 2.0);
    char checkpoint[256];
    snprintf(checkpoint, sizeof checkpoint, "%s/homo_epoch10.safetensors", fx->dir);
    FILE *f = fopen(checkpoint, "w");
    assert_non_null(f);
    fputs("weights", f);
    fclose(f);
    assert_ok(s3f_run_store_add_checkpoint(store, a,
                                           &(s3f_checkpoint_info){.path = checkpoint,
                                                                  .epoch = 10,
                                                                  .step = 1000,
                                                                  .metric_name = "val_mae",
                                                                  .metric_value = 0.04}));
    assert_ok(s3f_run_store_finish(store, a, S3F_RUN_COMPLETED, "done"));
    assert_ok(s3f_run_store_finish(store, b, S3F_RUN_FAILED, "loss became NaN"));
    /* No SQLite connection may cross a fork. */
    s3f_run_store_close(store);
    make_crashed_run(fx->db);
}
