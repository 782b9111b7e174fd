/* jsonl.c — the `jsonl` logger plugin: every metric as one JSON object on its
 * own line of <run_dir>/metrics.jsonl.
 *
 * Each line is {"run_id", "name", "split", "value", "step", "epoch",
 * "wall_time"}, written with cJSON, so any JSON reader (jq, pandas) takes the
 * file line by line. It is not a run store: it only appends, never reads.
 * Non-finite values are written as null (JSON has no NaN or infinity).
 *
 * The host calls a logger from one thread at a time.
 *
 * Invariant: after every call returns, each metric logged so far is on disk
 * as a whole line (the file is flushed per call and opened for appending, so a
 * resumed run continues the same file). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "se3flow/plugin.h"

typedef struct jsonl_options {
    const char *path; /* "" means <run_dir>/metrics.jsonl; relative to run_dir */
} jsonl_options;

static const s3f_option k_options[] = {
    S3F_OPT_STRING("path", jsonl_options, path, "",
                   "output file; empty: <run_dir>/metrics.jsonl; relative paths start at run_dir"),
    S3F_OPT_END,
};

typedef struct jsonl_logger {
    FILE *file;
    char *path; /* for messages */
    int64_t run_id;
} jsonl_logger;

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

static void jsonl_close(void *state, const char *final_status)
{
    jsonl_logger *logger = state;
    if (!logger) return;
    if (logger->file) fclose(logger->file);
    free(logger->path);
    free(logger);
}

static s3f_status jsonl_open(const void *options, const s3f_run_info *run, void **state)
{
    const jsonl_options *opts = options;
    if (!opts || !run || !run->run_dir || !state)
        return s3f_fail(S3F_ERR_ARG, "jsonl logger: open needs options, run info with a run_dir "
                                     "and a state pointer");
    s3f_status rc = S3F_OK;
    jsonl_logger *logger = calloc(1, sizeof *logger);
    if (!logger) return s3f_fail(S3F_ERR_NOMEM, "jsonl logger: out of memory");
    const char *name = opts->path && opts->path[0] ? opts->path : "metrics.jsonl";
    logger->path = resolve_path(run->run_dir, name);
    if (!logger->path) {
        rc = s3f_fail(S3F_ERR_NOMEM, "jsonl logger: out of memory");
        goto fail;
    }
    logger->file = fopen(logger->path, "a");
    if (!logger->file) {
        rc = s3f_fail(S3F_ERR_IO,
                      "jsonl logger: cannot open %s for appending: %s; check that "
                      "the directory exists and is writable (option `path`)",
                      logger->path, strerror(errno));
        goto fail;
    }
    logger->run_id = run->run_id;
    *state = logger;
    return S3F_OK;
fail:
    jsonl_close(logger, NULL);
    return rc;
}

/* One metric as a heap JSON object, or NULL when out of memory. */
static cJSON *metric_json(int64_t run_id, const s3f_metric *m)
{
    cJSON *obj = cJSON_CreateObject();
    /* cJSON numbers are doubles: ids and steps stay exact below 2^53. */
    if (!obj || !cJSON_AddNumberToObject(obj, "run_id", (double)run_id) ||
        !cJSON_AddStringToObject(obj, "name", m->name) ||
        !cJSON_AddStringToObject(obj, "split", m->split ? m->split : "") ||
        !cJSON_AddNumberToObject(obj, "value", m->value) ||
        !cJSON_AddNumberToObject(obj, "step", (double)m->step) ||
        !cJSON_AddNumberToObject(obj, "epoch", (double)m->epoch) ||
        !cJSON_AddNumberToObject(obj, "wall_time", m->wall_time)) {
        cJSON_Delete(obj);
        return NULL;
    }
    return obj;
}

/* Appends one line for `m`; the caller flushes. */
static s3f_status write_metric(jsonl_logger *logger, const s3f_metric *m)
{
    cJSON *obj = metric_json(logger->run_id, m);
    char *text = obj ? cJSON_PrintUnformatted(obj) : NULL;
    s3f_status rc = S3F_OK;
    if (!text)
        rc = s3f_fail(S3F_ERR_NOMEM, "jsonl logger: out of memory formatting metric '%s'", m->name);
    else if (fputs(text, logger->file) == EOF || fputc('\n', logger->file) == EOF)
        rc = s3f_fail(S3F_ERR_IO, "jsonl logger: writing %s failed: %s", logger->path,
                      strerror(errno));
    cJSON_free(text);
    cJSON_Delete(obj);
    return rc;
}

static s3f_status jsonl_log_metrics(void *state, const s3f_metric *metrics, int count)
{
    jsonl_logger *logger = state;
    if (!logger || count < 0 || (count > 0 && !metrics))
        return s3f_fail(S3F_ERR_ARG, "jsonl logger: log_metrics needs a state and %d metrics",
                        count);
    for (int i = 0; i < count; i++)
        if (!metrics[i].name || !metrics[i].name[0])
            return s3f_fail(S3F_ERR_ARG, "jsonl logger: metric %d of %d has no name", i, count);
    for (int i = 0; i < count; i++) S3F_RETURN_IF_ERR(write_metric(logger, &metrics[i]));
    if (fflush(logger->file) != 0)
        return s3f_fail(S3F_ERR_IO, "jsonl logger: flushing %s failed: %s", logger->path,
                        strerror(errno));
    return S3F_OK;
}

static const s3f_logger_i k_functions = {
    .open = jsonl_open,
    .log_metrics = jsonl_log_metrics,
    .close = jsonl_close,
};

static const s3f_plugin_descriptor k_plugin = {
    .abi_version = S3F_PLUGIN_ABI_VERSION,
    .kind = S3F_PLUGIN_LOGGER,
    .name = "jsonl",
    .version = "1.0.0",
    .summary = "metrics as JSON lines in <run_dir>/metrics.jsonl",
    .options = k_options,
    .options_size = sizeof(jsonl_options),
    .interface = &k_functions,
};

S3F_PLUGIN_EXPORT const s3f_plugin_descriptor *s3f_plugin_entry(void)
{
    return &k_plugin;
}
