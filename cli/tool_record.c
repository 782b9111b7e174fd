/* tool_record.c — run store entries of predict, bench and compare
 * (tool_record.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tool_record.h"

static void warn(const char *what)
{
    fprintf(stderr, "se3flow: run store: %s: %s\n", what, s3f_last_error());
}

s3f_status tool_record_begin(tool_record *r, const char *db_option, const char *kind,
                             const char *name, const run_setup *setup)
{
    char versions[512];
    snprintf(versions, sizeof versions, "%s %s, %s %s", setup->dataset.descriptor->name,
             setup->dataset.descriptor->version, setup->model.descriptor->name,
             setup->model.descriptor->version);
    memset(r, 0, sizeof *r);
    S3F_RETURN_IF_ERR(
        s3f_run_store_open(s3f_run_store_path(db_option), S3F_RUN_STORE_CREATE, &r->store));
    s3f_run_desc desc = {.name = name,
                         .kind = kind,
                         .recipe_yaml = setup->resolved,
                         .has_seed = true,
                         .seed = setup->top.seed,
                         .device = "cpu",
                         .plugin_versions = versions};
    return s3f_run_store_begin(r->store, &desc, &r->id);
}

void tool_record_link(tool_record *r, const char *ckpt_path, int64_t epoch, int64_t step,
                      const char *metric_name, double value)
{
    if (!r->id) return;
    s3f_checkpoint_info info = {ckpt_path, epoch, step, NULL, metric_name, value, 0};
    if (s3f_run_store_add_checkpoint(r->store, r->id, &info) != S3F_OK)
        warn("recording the checkpoint read");
}

void tool_record_metric(tool_record *r, const char *name, const char *split, double value)
{
    if (!r->id) return;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    s3f_metric m = {name, split, value, 0, 0, (double)now.tv_sec + 1e-9 * (double)now.tv_nsec};
    if (s3f_run_store_log_metrics(r->store, r->id, &m, 1) != S3F_OK) warn("logging a metric");
}

void tool_record_end(tool_record *r, s3f_status rc, const char *message)
{
    if (!r->store) return;
    char failure[1024] = "";
    if (rc != S3F_OK) snprintf(failure, sizeof failure, "%s", s3f_last_error());
    if (r->id &&
        s3f_run_store_finish(r->store, r->id, rc == S3F_OK ? S3F_RUN_COMPLETED : S3F_RUN_FAILED,
                             rc == S3F_OK ? message : failure) != S3F_OK)
        warn("ending the run");
    if (rc != S3F_OK) s3f_fail(rc, "%s", failure);
    s3f_run_store_close(r->store);
    r->store = NULL;
}
