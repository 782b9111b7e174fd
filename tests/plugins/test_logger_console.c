/* test_logger_console.c — the console logger plugin, loaded with dlopen, its
 * output captured by pointing file descriptor 2 (or 1) at a file or at a
 * pseudo-terminal. Without a terminal: the exact plain progress lines, metric
 * summary lines and text lines, the interval that thins progress lines out,
 * `stream`, `color`, and quiet printing nothing. On a terminal: the bar
 * redrawn in place, throttled, erased before other output and at close, never
 * wider than the terminal, and colour following NO_COLOR. Bad input fails
 * with a message. */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "logger_test_support.h"

#define ERASE "\r\033[K"

/* ---- capturing a file descriptor ---------------------------------------- */

typedef struct capture {
    int fd, saved;
} capture;

/* Points `fd` at `target` until capture_end; cmocka must not print between. */
static capture capture_begin(int fd, int target)
{
    fflush(stdout);
    fflush(stderr);
    capture c = {fd, dup(fd)};
    assert_true(c.saved >= 0 && dup2(target, fd) == fd);
    return c;
}

static void capture_end(capture c)
{
    fflush(stdout);
    fflush(stderr);
    dup2(c.saved, c.fd);
    close(c.saved);
}

/* A pseudo-terminal `columns` wide in raw mode (no newline translation);
 * returns the terminal end and sets *controller to the end we read. */
static int open_terminal(int columns, int *controller)
{
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    assert_true(master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0);
    int terminal = open(ptsname(master), O_RDWR | O_NOCTTY);
    assert_true(terminal >= 0);
    struct termios mode;
    assert_int_equal(tcgetattr(terminal, &mode), 0);
    cfmakeraw(&mode);
    assert_int_equal(tcsetattr(terminal, TCSANOW, &mode), 0);
    struct winsize size = {.ws_row = 24, .ws_col = (unsigned short)columns};
    assert_int_equal(ioctl(master, TIOCSWINSZ, &size), 0);
    *controller = master;
    return terminal;
}

/* Everything written to the terminal so far, as a heap string. */
static char *drain(int controller)
{
    char *text = calloc(1, 1);
    size_t used = 0;
    struct pollfd ready = {.fd = controller, .events = POLLIN};
    while (poll(&ready, 1, 50) > 0 && (ready.revents & POLLIN)) {
        text = realloc(text, used + 4096 + 1);
        assert_non_null(text);
        ssize_t got = read(controller, text + used, 4096);
        if (got <= 0) break;
        used += (size_t)got;
    }
    text[used] = '\0';
    return text;
}

static int temp_file(const char *dir, const char *name)
{
    char *path = lt_join(dir, name);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    free(path);
    return fd;
}

/* ---- one scripted run --------------------------------------------------- */

typedef struct outcome {
    s3f_status rc;   /* the first failure, or S3F_OK */
    char error[512]; /* its message */
} outcome;

static void note(outcome *o, s3f_status rc)
{
    if (rc == S3F_OK || o->rc != S3F_OK) return;
    o->rc = rc;
    snprintf(o->error, sizeof o->error, "%s", s3f_last_error());
}

static s3f_progress progress_at(int64_t epoch, int64_t batch, double loss)
{
    return (s3f_progress){.epoch = epoch,
                          .epochs = 2,
                          .batch = batch,
                          .batches = 3,
                          .loss = loss,
                          .molecules_per_second = 100,
                          .elapsed_seconds = (double)batch};
}

/* Opens the logger, makes the calls of one short epoch and closes it. Only
 * plugin calls happen here, so it may run while output is captured. */
static outcome run_script(const char *const *options, bool quiet)
{
    outcome o = {0};
    lt_logger logger;
    lt_load(&logger, "console", options);
    s3f_run_info run = lt_run_info("/nonexistent: the console writes no files", quiet);
    note(&o, lt_open(&logger, &run));
    if (o.rc != S3F_OK) return o;
    const s3f_logger_i *fn = logger.fn;
    const double losses[] = {0.5, 0.25, 0.125};
    for (int b = 1; b <= 3; b++) {
        s3f_progress p = progress_at(1, b, losses[b - 1]);
        note(&o, fn->progress(logger.state, &p));
    }
    const s3f_metric m[] = {lt_metric("train", "loss", 0.125, 3, 1),
                            lt_metric("val", "mae", 0.0625, 3, 1),
                            lt_metric("", "lr", 0.001, 3, 1)};
    note(&o, fn->log_metrics(logger.state, m, 3));
    note(&o, fn->log_text(logger.state, "checkpoint written to x.safetensors"));
    s3f_progress p = progress_at(2, 1, 0.5);
    note(&o, fn->progress(logger.state, &p));
    lt_unload(&logger);
    return o;
}

/* The script's output with fd 2 (and fd 1) captured into files. */
static char *run_captured(const char *const *options, bool quiet, char **stdout_text)
{
    char *dir = lt_temp_dir(), *err_path = lt_join(dir, "err"), *out_path = lt_join(dir, "out");
    int err = temp_file(dir, "err"), out = temp_file(dir, "out");
    capture c2 = capture_begin(2, err), c1 = capture_begin(1, out);
    outcome o = run_script(options, quiet);
    capture_end(c1);
    capture_end(c2);
    close(err);
    close(out);
    if (o.rc != S3F_OK) fail_msg("%s: %s", s3f_status_string(o.rc), o.error);
    char *text = lt_read_file(err_path, NULL);
    char *printed = lt_read_file(out_path, NULL);
    if (stdout_text)
        *stdout_text = printed;
    else
        free(printed);
    free(err_path);
    free(out_path);
    lt_remove_dir(dir);
    return text;
}

#define SUMMARY_LINE "epoch 1 step 3: train/loss 0.125  val/mae 0.0625  lr 0.001\n"
#define TEXT_LINE    "checkpoint written to x.safetensors\n"

/* ---- without a terminal ------------------------------------------------- */

static void test_plain_lines(void **unused)
{
    const char *options[] = {"interval_seconds=0", "color=never", NULL};
    char *out = NULL, *text = run_captured(options, false, &out);
    assert_string_equal(
        text, "epoch 1/2 batch 1/3 (33%) loss 0.5 ETA 0:02 100.0 mol/s\n"
              "epoch 1/2 batch 2/3 (67%) loss 0.25 ETA 0:01 100.0 mol/s\n"
              "epoch 1/2 batch 3/3 (100%) loss 0.125 ETA 0:00 100.0 mol/s\n" SUMMARY_LINE TEXT_LINE
              "epoch 2/2 batch 1/3 (33%) loss 0.5 ETA 0:02 100.0 mol/s\n");
    assert_string_equal(out, "");
    free(out);
    free(text);
}

static void test_interval_thins_progress(void **unused)
{
    /* The default interval is 10 s: the script's progress calls come sooner. */
    char *text = run_captured((const char *[]){"color=auto", NULL}, false, NULL);
    assert_string_equal(text, SUMMARY_LINE TEXT_LINE); /* auto: no colour in a file */
    free(text);
}

static void test_quiet_prints_nothing(void **unused)
{
    const char *options[] = {"interval_seconds=0", "color=always", NULL};
    char *out = NULL, *text = run_captured(options, true, &out);
    assert_string_equal(text, "");
    assert_string_equal(out, "");
    free(out);
    free(text);
}

static void test_stream_and_color_options(void **unused)
{
    const char *options[] = {"stream=stdout", "color=always", NULL};
    char *out = NULL, *text = run_captured(options, false, &out);
    assert_string_equal(text, "");
    assert_string_equal(out, "\033[1mepoch 1 step 3:\033[0m train/loss 0.125  val/mae 0.0625  "
                             "lr 0.001\n" TEXT_LINE);
    free(out);
    free(text);
}

static void test_one_line_per_step(void **unused)
{
    char *dir = lt_temp_dir(), *path = lt_join(dir, "err");
    int err = temp_file(dir, "err");
    lt_logger logger;
    lt_load(&logger, "console", NULL);
    s3f_run_info run = lt_run_info(dir, false);
    const s3f_metric m[] = {lt_metric("val", "mae", 1, 3, 1), lt_metric("val", "mae", 2, 4, 1),
                            lt_metric("val", "rmse", 3, 4, 1), lt_metric("val", "mae", 4, 4, 2)};
    capture c = capture_begin(2, err);
    s3f_status open_rc = lt_open(&logger, &run);
    s3f_status log_rc = open_rc ? open_rc : logger.fn->log_metrics(logger.state, m, 4);
    lt_unload(&logger);
    capture_end(c);
    close(err);
    assert_ok(open_rc);
    assert_ok(log_rc);
    char *text = lt_read_file(path, NULL);
    assert_string_equal(text, "epoch 1 step 3: val/mae 1\n"
                              "epoch 1 step 4: val/mae 2  val/rmse 3\n"
                              "epoch 2 step 4: val/mae 4\n");
    free(text);
    free(path);
    lt_remove_dir(dir);
}

/* ---- on a terminal ------------------------------------------------------ */

/* The script's output on a pseudo-terminal `columns` wide. */
static char *run_on_terminal(const char *const *options, int columns)
{
    int controller, terminal = open_terminal(columns, &controller);
    setenv("TERM", "xterm", 1);
    capture c = capture_begin(2, terminal);
    outcome o = run_script(options, false);
    capture_end(c);
    char *text = drain(controller);
    close(terminal);
    close(controller);
    if (o.rc != S3F_OK) fail_msg("%s: %s", s3f_status_string(o.rc), o.error);
    return text;
}

/* Splits at each erase-line; returns the pieces (heap) after the first. */
static int split_at_erase(const char *text, char **pieces, int max)
{
    assert_true(strncmp(text, ERASE, strlen(ERASE)) == 0);
    int count = 0;
    for (const char *p = text + strlen(ERASE); count < max;) {
        const char *next = strstr(p, ERASE);
        size_t n = next ? (size_t)(next - p) : strlen(p);
        pieces[count] = strndup(p, n);
        assert_non_null(pieces[count++]);
        if (!next) break;
        p = next + strlen(ERASE);
    }
    return count;
}

static void test_bar_redrawn_in_place(void **unused)
{
    unsetenv("NO_COLOR");
    char *text = run_on_terminal((const char *[]){"color=never", NULL}, 80);
    char *pieces[8];
    int count = split_at_erase(text, pieces, 8);
    /* batch 1 drawn; batch 2 within the redraw interval skipped; the last
     * batch always drawn; metrics erase it; epoch 2 redrawn at once; close
     * erases the last bar. */
    assert_int_equal(count, 5);
    assert_non_null(strstr(pieces[0], "epoch 1/2 ["));
    assert_non_null(strstr(pieces[0], "] 1/3 loss 0.5 ETA 0:02 100.0 mol/s"));
    assert_string_equal(pieces[1],
                        "epoch 1/2 [==============================] 3/3 loss 0.125 ETA 0:00 "
                        "100.0 mol/s");
    assert_string_equal(pieces[2], SUMMARY_LINE TEXT_LINE);
    assert_non_null(strstr(pieces[3], "epoch 2/2 ["));
    assert_string_equal(pieces[4], "");
    for (int i = 0; i < count; i++) free(pieces[i]);
    free(text);
}

static void test_bar_fits_narrow_terminals(void **unused)
{
    /* Parts are left out whole from the end (mol/s first), then the bar. */
    const int widths[] = {60, 40, 12};
    const char *first[] = {"epoch 1/2 [====>        ] 1/3 loss 0.5 ETA 0:02 100.0 mol/s",
                           "epoch 1/2 [=>   ] 1/3 loss 0.5 ETA 0:02", "epoch 1/2"};
    for (int w = 0; w < 3; w++) {
        char *text = run_on_terminal((const char *[]){"color=never", NULL}, widths[w]);
        char *pieces[8];
        int count = split_at_erase(text, pieces, 8);
        for (int i = 0; i < count; i++) {
            if (strchr(pieces[i], '\n')) continue; /* a metric or text line */
            if ((int)strlen(pieces[i]) > widths[w] - 1)
                fail_msg("bar \"%s\" is wider than %d columns", pieces[i], widths[w] - 1);
        }
        assert_int_equal(count, 5);
        assert_string_equal(pieces[0], first[w]);
        for (int i = 0; i < count; i++) free(pieces[i]);
        free(text);
    }
}

static void test_color_follows_no_color(void **unused)
{
    unsetenv("NO_COLOR");
    char *text = run_on_terminal((const char *[]){"color=auto", NULL}, 80);
    assert_non_null(strstr(text, "\033[32m"));
    assert_non_null(strstr(text, "\033[1mepoch 1 step 3:\033[0m"));
    free(text);
    setenv("NO_COLOR", "1", 1);
    text = run_on_terminal((const char *[]){"color=auto", NULL}, 80);
    unsetenv("NO_COLOR");
    assert_null(strstr(text, "\033[3"));
    assert_null(strstr(text, "\033[1m"));
    assert_non_null(strstr(text, ERASE)); /* still a bar */
    free(text);
}

/* ---- bad input ---------------------------------------------------------- */

static void test_bad_input(void **unused)
{
    lt_logger logger;
    lt_load(&logger, "console", (const char *[]){"stream=stdout", NULL});
    s3f_run_info run = lt_run_info("/tmp", true);
    assert_fails(lt_open(&logger, NULL), S3F_ERR_ARG, "console logger");
    assert_fails(logger.fn->open(NULL, &run, &logger.state), S3F_ERR_ARG, "options");
    assert_ok(lt_open(&logger, &run));
    s3f_metric unnamed = lt_metric("val", NULL, 1, 1, 1);
    assert_fails(logger.fn->log_metrics(logger.state, &unnamed, 1), S3F_ERR_ARG, "no name");
    assert_fails(logger.fn->progress(logger.state, NULL), S3F_ERR_ARG, "progress");
    assert_fails(logger.fn->log_text(logger.state, NULL), S3F_ERR_ARG, "text");
    assert_fails(logger.fn->log_text(NULL, "x"), S3F_ERR_ARG, "state");
    logger.fn->close(NULL, "failed"); /* a no-op */
    lt_unload(&logger);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_lines),
        cmocka_unit_test(test_interval_thins_progress),
        cmocka_unit_test(test_quiet_prints_nothing),
        cmocka_unit_test(test_stream_and_color_options),
        cmocka_unit_test(test_one_line_per_step),
        cmocka_unit_test(test_bar_redrawn_in_place),
        cmocka_unit_test(test_bar_fits_narrow_terminals),
        cmocka_unit_test(test_color_follows_no_color),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
