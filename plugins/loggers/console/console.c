/* console.c — the `console` logger plugin: training progress and metrics for
 * a person watching, on stderr (or stdout, option `stream`).
 *
 * On a terminal, progress is one bar redrawn in place ("\r" and erase-line)
 * with epoch, batch, running loss, ETA of the epoch and molecules/s; it is
 * redrawn at most every REDRAW_SECONDS and never wider than the terminal (a
 * wrapped line could not be redrawn). Without a terminal (a pipe, a log
 * file, CI) progress becomes a plain line every `interval_seconds`. Metrics
 * print as one line per (epoch, step), e.g. "epoch 3 step 360: train/loss
 * 0.12  val/mae 0.057"; text lines print as they are. With run->quiet nothing
 * is printed at all. It keeps no files and no history.
 *
 * The host calls a logger from one thread at a time.
 *
 * Invariant: on a terminal, a bar is only ever on the last line: anything
 * else printed first erases it, and close erases it. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "se3flow/plugin.h"

#define REDRAW_SECONDS  0.1 /* a terminal bar is redrawn at most this often */
#define BAR_MAX_WIDTH   30  /* cells between the brackets */
#define BAR_MIN_WIDTH   5   /* narrower than this, the bar is left out */
#define DEFAULT_COLUMNS 80  /* when the terminal does not say its width */

#define ERASE_LINE  "\r\033[K"
#define STYLE_BOLD  "\033[1m"
#define STYLE_GREEN "\033[32m"
#define STYLE_RESET "\033[0m"

typedef struct console_options {
    double interval_seconds;
    const char *color;  /* "auto", "always", "never" */
    const char *stream; /* "stderr", "stdout" */
} console_options;

static const char *const k_colors[] = {"auto", "always", "never", NULL};
static const char *const k_streams[] = {"stderr", "stdout", NULL};

static const s3f_option k_options[] = {
    S3F_OPT_FLOAT("interval_seconds", console_options, interval_seconds, "10", 0, 86400,
                  "without a terminal: seconds between progress lines"),
    S3F_OPT_CHOICE("color", console_options, color, "auto", k_colors,
                   "colour: auto (on a terminal, unless NO_COLOR is set), always or never"),
    S3F_OPT_CHOICE("stream", console_options, stream, "stderr", k_streams, "where to print"),
    S3F_OPT_END,
};

typedef struct console_logger {
    FILE *out; /* stderr or stdout; borrowed */
    const char *out_name;
    bool tty;             /* a terminal that understands erase-line */
    bool color;           /* use ANSI styles */
    bool quiet;           /* print nothing */
    double interval;      /* seconds between plain progress lines */
    double last_progress; /* monotonic seconds of the last progress output */
    bool bar_shown;       /* the last line holds a bar */
} console_logger;

static double monotonic_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + 1e-9 * (double)now.tv_nsec;
}

/* "h:mm:ss" or "m:ss"; "--:--" when unknown (negative or not finite). */
static void format_duration(double seconds, char *out, size_t size)
{
    if (!(seconds >= 0) || seconds > 1e9) {
        snprintf(out, size, "--:--");
        return;
    }
    long long s = llround(seconds);
    if (s >= 3600)
        snprintf(out, size, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(out, size, "%lld:%02lld", s / 60, s % 60);
}

/* Seconds left in the epoch at the pace so far; negative when unknown. */
static double epoch_eta(const s3f_progress *p)
{
    if (p->batch <= 0 || p->batches < p->batch || !(p->elapsed_seconds > 0)) return -1;
    return p->elapsed_seconds / (double)p->batch * (double)(p->batches - p->batch);
}

static int terminal_columns(FILE *out)
{
    struct winsize size;
    if (ioctl(fileno(out), TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
    return DEFAULT_COLUMNS;
}

/* Pushes the stream's buffer out; a failed write becomes S3F_ERR_IO. */
static s3f_status flush_output(console_logger *logger)
{
    if (fflush(logger->out) == 0 && !ferror(logger->out)) return S3F_OK;
    clearerr(logger->out);
    return s3f_fail(S3F_ERR_IO, "console logger: writing to %s failed: %s", logger->out_name,
                    strerror(errno));
}

/* Erases the bar so that the next output starts on a clean line; the next
 * progress call redraws it at once. */
static void erase_bar(console_logger *logger)
{
    if (!logger->bar_shown) return;
    fputs(ERASE_LINE, logger->out);
    logger->bar_shown = false;
    logger->last_progress = -INFINITY;
}

/* "epoch 2/5" (or "epoch 2" when the count is unknown). */
static void format_epoch(const s3f_progress *p, char *out, size_t size)
{
    if (p->epochs > 0)
        snprintf(out, size, "epoch %" PRId64 "/%" PRId64, p->epoch, p->epochs);
    else
        snprintf(out, size, "epoch %" PRId64, p->epoch);
}

/* " [=====>    ]": the epoch's progress in `width` cells. */
static void put_bar(console_logger *logger, const s3f_progress *p, int width)
{
    double fraction = p->batches > 0 ? (double)p->batch / (double)p->batches : 0;
    int filled = (int)(fmin(fmax(fraction, 0), 1) * width);
    fprintf(logger->out, " [%s", logger->color ? STYLE_GREEN : "");
    for (int i = 0; i < width; i++) fputc(i < filled ? '=' : i == filled ? '>' : ' ', logger->out);
    fprintf(logger->out, "%s]", logger->color ? STYLE_RESET : "");
}

/* The bar line: "epoch 2/5 [=====>    ] 45/120 loss 0.25 ETA 0:42 812.0 mol/s".
 * It must fit in `columns` - 1: the parts at the end (the least useful) are
 * left out first, and the bar shrinks, or goes, to fit what is left. */
static void draw_bar(console_logger *logger, const s3f_progress *p, int columns)
{
    char epoch[64], eta[32], parts[4][48];
    format_epoch(p, epoch, sizeof epoch);
    format_duration(epoch_eta(p), eta, sizeof eta);
    snprintf(parts[0], sizeof parts[0], " %" PRId64 "/%" PRId64, p->batch, p->batches);
    snprintf(parts[1], sizeof parts[1], " loss %.4g", p->loss);
    snprintf(parts[2], sizeof parts[2], " ETA %s", eta);
    snprintf(parts[3], sizeof parts[3], " %.1f mol/s", p->molecules_per_second);
    int limit = columns - 1, shown = 4, length = (int)strlen(epoch);
    for (int i = 0; i < shown; i++) length += (int)strlen(parts[i]);
    while (shown > 0 && length > limit) length -= (int)strlen(parts[--shown]);
    int width = limit - length - 3; /* " [" and "]" */
    fputs(ERASE_LINE, logger->out);
    fprintf(logger->out, "%.*s", limit > 0 ? limit : 0, epoch);
    if (width >= BAR_MIN_WIDTH) put_bar(logger, p, width < BAR_MAX_WIDTH ? width : BAR_MAX_WIDTH);
    for (int i = 0; i < shown; i++) fputs(parts[i], logger->out);
    logger->bar_shown = true;
}

/* The plain progress line for logs:
 * "epoch 2/5 batch 45/120 (38%) loss 0.25 ETA 0:42 812.0 mol/s". */
static void print_progress_line(console_logger *logger, const s3f_progress *p)
{
    char epoch[64], eta[32];
    format_epoch(p, epoch, sizeof epoch);
    format_duration(epoch_eta(p), eta, sizeof eta);
    double percent = p->batches > 0 ? 100.0 * (double)p->batch / (double)p->batches : 0;
    fprintf(logger->out, "%s batch %" PRId64 "/%" PRId64 " (%.0f%%) loss %.4g ETA %s %.1f mol/s\n",
            epoch, p->batch, p->batches, percent, p->loss, eta, p->molecules_per_second);
}

static s3f_status console_progress(void *state, const s3f_progress *progress)
{
    console_logger *logger = state;
    if (!logger || !progress)
        return s3f_fail(S3F_ERR_ARG, "console logger: progress needs a state and a progress");
    if (logger->quiet) return S3F_OK;
    double now = monotonic_seconds();
    bool last_batch = progress->batches > 0 && progress->batch >= progress->batches;
    if (logger->tty) {
        if (now - logger->last_progress < REDRAW_SECONDS && !last_batch) return S3F_OK;
        draw_bar(logger, progress, terminal_columns(logger->out));
    } else {
        if (now - logger->last_progress < logger->interval) return S3F_OK;
        print_progress_line(logger, progress);
    }
    logger->last_progress = now;
    return flush_output(logger);
}

/* One line per run of metrics sharing (epoch, step):
 * "epoch 3 step 360: train/loss 0.1234  val/mae 0.0567". */
static void print_metrics(console_logger *logger, const s3f_metric *metrics, int count)
{
    const char *bold = logger->color ? STYLE_BOLD : "", *reset = logger->color ? STYLE_RESET : "";
    for (int i = 0; i < count; i++) {
        const s3f_metric *m = &metrics[i];
        bool starts_line =
            i == 0 || m->epoch != metrics[i - 1].epoch || m->step != metrics[i - 1].step;
        if (starts_line)
            fprintf(logger->out, "%s%sepoch %" PRId64 " step %" PRId64 ":%s", i ? "\n" : "", bold,
                    m->epoch, m->step, reset);
        const char *split = m->split ? m->split : "";
        fprintf(logger->out, "%s%s%s%s %.6g", starts_line ? " " : "  ", split, split[0] ? "/" : "",
                m->name, m->value);
    }
    if (count > 0) fputc('\n', logger->out);
}

static s3f_status console_log_metrics(void *state, const s3f_metric *metrics, int count)
{
    console_logger *logger = state;
    if (!logger || count < 0 || (count > 0 && !metrics))
        return s3f_fail(S3F_ERR_ARG, "console logger: log_metrics needs a state and %d metrics",
                        count);
    for (int i = 0; i < count; i++)
        if (!metrics[i].name || !metrics[i].name[0])
            return s3f_fail(S3F_ERR_ARG, "console logger: metric %d of %d has no name", i, count);
    if (logger->quiet || count == 0) return S3F_OK;
    erase_bar(logger);
    print_metrics(logger, metrics, count);
    return flush_output(logger);
}

static s3f_status console_log_text(void *state, const char *text)
{
    console_logger *logger = state;
    if (!logger || !text)
        return s3f_fail(S3F_ERR_ARG, "console logger: log_text needs a state and a text");
    if (logger->quiet) return S3F_OK;
    erase_bar(logger);
    fprintf(logger->out, "%s\n", text);
    return flush_output(logger);
}

static void console_close(void *state, const char *final_status)
{
    console_logger *logger = state;
    if (!logger) return;
    erase_bar(logger);
    fflush(logger->out);
    free(logger);
}

/* Whether `out` is a terminal that understands erase-line. */
static bool is_capable_terminal(FILE *out)
{
    const char *term = getenv("TERM");
    return isatty(fileno(out)) && !(term && strcmp(term, "dumb") == 0);
}

static s3f_status console_open(const void *options, const s3f_run_info *run, void **state)
{
    const console_options *opts = options;
    if (!opts || !opts->color || !opts->stream || !run || !state)
        return s3f_fail(S3F_ERR_ARG, "console logger: open needs filled options, run info and "
                                     "a state pointer");
    console_logger *logger = calloc(1, sizeof *logger);
    if (!logger) return s3f_fail(S3F_ERR_NOMEM, "console logger: out of memory");
    bool to_stdout = strcmp(opts->stream, "stdout") == 0;
    logger->out = to_stdout ? stdout : stderr;
    logger->out_name = to_stdout ? "stdout" : "stderr";
    logger->tty = is_capable_terminal(logger->out);
    const char *no_color = getenv("NO_COLOR");
    bool auto_color = logger->tty && !(no_color && no_color[0]);
    logger->color =
        strcmp(opts->color, "always") == 0 || (strcmp(opts->color, "auto") == 0 && auto_color);
    logger->quiet = run->quiet;
    logger->interval = opts->interval_seconds;
    /* A terminal shows the bar at once; a log gets its first line after one
     * interval, so short runs are not cluttered. */
    logger->last_progress = logger->tty ? -INFINITY : monotonic_seconds();
    *state = logger;
    return S3F_OK;
}

static const s3f_logger_i k_functions = {
    .open = console_open,
    .log_metrics = console_log_metrics,
    .log_text = console_log_text,
    .progress = console_progress,
    .close = console_close,
};

static const s3f_plugin_descriptor k_plugin = {
    .abi_version = S3F_PLUGIN_ABI_VERSION,
    .kind = S3F_PLUGIN_LOGGER,
    .name = "console",
    .version = "1.0.0",
    .summary = "progress bar and metric lines on the terminal (plain lines in logs)",
    .options = k_options,
    .options_size = sizeof(console_options),
    .interface = &k_functions,
};

S3F_PLUGIN_EXPORT const s3f_plugin_descriptor *s3f_plugin_entry(void)
{
    return &k_plugin;
}
