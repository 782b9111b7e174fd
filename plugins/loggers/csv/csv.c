/* csv.c — the `csv` logger plugin: every metric as one row of
 * <run_dir>/metrics.csv, for spreadsheets and pandas.
 *
 * Columns: run_id,step,epoch,split,name,value,wall_time. Text fields holding
 * a comma, a double quote, CR or LF are quoted as RFC 4180 says (enclosed in
 * double quotes, inner quotes doubled); rows end in LF, which RFC 4180 readers
 * accept. Values are written with the fewest digits that read back to the
 * same double ("nan", "inf", "-inf" for non-finite ones, as Python and pandas
 * read them). It only appends; it never reads the file back.
 *
 * The host calls a logger from one thread at a time.
 *
 * Invariant: the file starts with exactly one header row (written only when
 * the file is empty, so a resumed run appends to the same table), and after
 * every call each metric logged so far is on disk as a whole row. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "se3flow/plugin.h"

#define CSV_HEADER "run_id,step,epoch,split,name,value,wall_time\n"

typedef struct csv_options {
    const char *path; /* "" means <run_dir>/metrics.csv; relative to run_dir */
} csv_options;

static const s3f_option k_options[] = {
    S3F_OPT_STRING("path", csv_options, path, "",
                   "output file; empty: <run_dir>/metrics.csv; relative paths start at run_dir"),
    S3F_OPT_END,
};

typedef struct csv_logger {
    FILE *file;
    char *path; /* for messages */
    int64_t run_id;
} csv_logger;

/* <run_dir>/<name> for relative names, `name` itself for absolute ones;
 * heap string or NULL when out of memory. */
static char *resolve_path(const char *run_dir, const char *name)
{
    if (name[0] == '/') return strdup(name);
    size_t size = strlen(run_dir) + strlen(name) + 2;
    char *path = malloc(size);
    if (path) snprintf(path, size, "%s/%s", run_dir, name);
    return path;
}

static void csv_close(void *state, const char *final_status)
{
    csv_logger *logger = state;
    if (!logger) return;
    if (logger->file) fclose(logger->file);
    free(logger->path);
    free(logger);
}

/* Writes the header row when the file is empty. */
static s3f_status write_header_if_new(csv_logger *logger)
{
    if (fseek(logger->file, 0, SEEK_END) != 0 || ftell(logger->file) < 0)
        return s3f_fail(S3F_ERR_IO, "csv logger: cannot seek in %s: %s", logger->path,
                        strerror(errno));
    if (ftell(logger->file) > 0) return S3F_OK;
    if (fputs(CSV_HEADER, logger->file) == EOF || fflush(logger->file) != 0)
        return s3f_fail(S3F_ERR_IO, "csv logger: writing the header of %s failed: %s", logger->path,
                        strerror(errno));
    return S3F_OK;
}

static s3f_status csv_open(const void *options, const s3f_run_info *run, void **state)
{
    const csv_options *opts = options;
    if (!opts || !run || !run->run_dir || !state)
        return s3f_fail(S3F_ERR_ARG, "csv logger: open needs options, run info with a run_dir "
                                     "and a state pointer");
    s3f_status rc = S3F_OK;
    csv_logger *logger = calloc(1, sizeof *logger);
    if (!logger) return s3f_fail(S3F_ERR_NOMEM, "csv logger: out of memory");
    const char *name = opts->path && opts->path[0] ? opts->path : "metrics.csv";
    logger->path = resolve_path(run->run_dir, name);
    if (!logger->path) {
        rc = s3f_fail(S3F_ERR_NOMEM, "csv logger: out of memory");
        goto fail;
    }
    logger->file = fopen(logger->path, "a");
    if (!logger->file) {
        rc = s3f_fail(S3F_ERR_IO,
                      "csv logger: cannot open %s for appending: %s; check that "
                      "the directory exists and is writable (option `path`)",
                      logger->path, strerror(errno));
        goto fail;
    }
    S3F_TRY(write_header_if_new(logger));
    logger->run_id = run->run_id;
    *state = logger;
    return S3F_OK;
fail:
    csv_close(logger, NULL);
    return rc;
}

/* A text field, quoted when RFC 4180 requires it. Returns EOF on error. */
static int put_field(const char *text, FILE *file)
{
    if (!text[strcspn(text, ",\"\r\n")]) return fputs(text, file);
    if (fputc('"', file) == EOF) return EOF;
    for (const char *c = text; *c; c++) {
        if (*c == '"' && fputc('"', file) == EOF) return EOF;
        if (fputc(*c, file) == EOF) return EOF;
    }
    return fputc('"', file);
}

/* The shortest of %.15g, %.16g, %.17g that reads back as `value`. */
static void format_double(double value, char *out, size_t size)
{
    if (isnan(value) || isinf(value)) {
        snprintf(out, size, "%s", isnan(value) ? "nan" : value > 0 ? "inf" : "-inf");
        return;
    }
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(out, size, "%.*g", digits, value);
        if (strtod(out, NULL) == value) return;
    }
}

static int put_row(const csv_logger *logger, const s3f_metric *m)
{
    char value[32], wall_time[32];
    format_double(m->value, value, sizeof value);
    format_double(m->wall_time, wall_time, sizeof wall_time);
    if (fprintf(logger->file, "%" PRId64 ",%" PRId64 ",%" PRId64 ",", logger->run_id, m->step,
                m->epoch) < 0 ||
        put_field(m->split ? m->split : "", logger->file) == EOF ||
        fputc(',', logger->file) == EOF || put_field(m->name, logger->file) == EOF)
        return EOF;
    return fprintf(logger->file, ",%s,%s\n", value, wall_time) < 0 ? EOF : 0;
}

static s3f_status csv_log_metrics(void *state, const s3f_metric *metrics, int count)
{
    csv_logger *logger = state;
    if (!logger || count < 0 || (count > 0 && !metrics))
        return s3f_fail(S3F_ERR_ARG, "csv logger: log_metrics needs a state and %d metrics", count);
    for (int i = 0; i < count; i++)
        if (!metrics[i].name || !metrics[i].name[0])
            return s3f_fail(S3F_ERR_ARG, "csv logger: metric %d of %d has no name", i, count);
    for (int i = 0; i < count; i++)
        if (put_row(logger, &metrics[i]) == EOF)
            return s3f_fail(S3F_ERR_IO, "csv logger: writing %s failed: %s", logger->path,
                            strerror(errno));
    if (fflush(logger->file) != 0)
        return s3f_fail(S3F_ERR_IO, "csv logger: flushing %s failed: %s", logger->path,
                        strerror(errno));
    return S3F_OK;
}

static const s3f_logger_i k_functions = {
    .open = csv_open,
    .log_metrics = csv_log_metrics,
    .close = csv_close,
};

static const s3f_plugin_descriptor k_plugin = {
    .abi_version = S3F_PLUGIN_ABI_VERSION,
    .kind = S3F_PLUGIN_LOGGER,
    .name = "csv",
    .version = "1.0.0",
    .summary = "metrics as rows of <run_dir>/metrics.csv",
    .options = k_options,
    .options_size = sizeof(csv_options),
    .interface = &k_functions,
};

S3F_PLUGIN_EXPORT const s3f_plugin_descriptor *s3f_plugin_entry(void)
{
    return &k_plugin;
}
