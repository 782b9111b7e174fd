/* runs.h — what the `se3flow runs` files share: the subcommands, opening
 * the store named by --db, and text formatting (times, durations, CSV
 * fields, sparklines, the best validation value).
 *
 * One file per subcommand (runs_list.c, runs_show.c, runs_metrics.c,
 * runs_rm.c, runs_plot.c); cmd_runs.c dispatches. */
#ifndef SE3FLOW_CLI_RUNS_H
#define SE3FLOW_CLI_RUNS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cli.h"
#include "se3flow/run_store.h"

/* Subcommands: argv[0] is the subcommand's name; return an exit code. */
int runs_list(int argc, char **argv);
int runs_show(int argc, char **argv);
int runs_metrics(int argc, char **argv);
int runs_rm(int argc, char **argv);
int runs_plot(int argc, char **argv);

/* The long option every runs subcommand takes: --db PATH. */
#define RUNS_DB_OPTION                                                                             \
    {                                                                                              \
        "db", required_argument, NULL, 'D'                                                         \
    }

/* Prints "se3flow runs: <message>" to stderr; returns CLI_EXIT_USAGE. */
int runs_usage_error(const char *fmt, ...) S3F_PRINTF(1, 2);
/* Opens the store at --db / SE3FLOW_DB / se3flow.db (never creating it).
 * On failure prints why and returns false with *exit_code set. */
bool runs_open(const char *db_option, s3f_run_store_t **store, int *exit_code);
/* Seconds since the Unix epoch, now. */
double runs_now(void);
/* Parses a run id ("12"); false (after printing why) when it is not one. */
bool runs_parse_id(const char *text, int64_t *id);
/* Parses --since: a date "2026-11-01", a local time "2026-11-01T14:30"
 * (or with a space, with seconds), or an age "90m", "12h", "3d", "2w",
 * "45s". Unix seconds into *out; false when malformed. */
bool runs_parse_since(const char *text, double now, double *out);

/* "2026-11-26 22:56" (local time); "-" for NaN. */
void runs_format_time(double unix_seconds, char *out, size_t size);
/* "2026-11-26T22:56:02Z" (UTC); "" for NaN. */
void runs_format_iso(double unix_seconds, char *out, size_t size);
/* "45s", "12m03s", "3h07m", "2d04h". */
void runs_format_duration(double seconds, char *out, size_t size);
/* Writes `text` as one CSV field (quoted when it holds , " or a newline). */
void runs_csv_field(FILE *out, const char *text);
/* The run's best validation value: best.val_mae, else best.val_loss, else
 * the first best.val_* key. *key gets the part after "best." (borrowed from
 * the run); false when the run has none. */
bool runs_best_validation(const s3f_run_record *run, const char **key, double *value);
/* A sparkline of `count` values in at most `width` cells of ▁▂▃▄▅▆▇█
 * (buckets averaged; NaN cells blank), NUL-terminated into `out` (at least
 * 3 * width + 1 bytes). */
void runs_sparkline(const double *values, int count, int width, char *out);
/* The key a metric goes by in summaries, plots and tables: "val_mae", or
 * "loss" when its split is "". */
void runs_metric_key(const s3f_metric *metric, char *out, size_t size);

/* One line of a chart: `count` points (x[i], y[i]); non-finite y values
 * break the line. */
typedef struct runs_series {
    char label[200];
    int count;
    double *x, *y; /* (count) each; owned by whoever filled the series */
} runs_series;

/* Writes an SVG line chart of `count` series to `path`: axes with ticks and
 * labels, a title, a legend, and exactly one <path> element per series.
 * Texts are XML-escaped. S3F_ERR_ARG when a series has no finite point;
 * S3F_ERR_IO (naming the file) when it cannot be written, in which case no
 * file is left behind. */
s3f_status runs_svg_write(const char *path, const char *title, const char *x_label,
                          const char *y_label, const runs_series *series, int count);

#endif
