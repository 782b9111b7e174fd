/* run_record.c — the run store side of `se3flow run` (run_record.h). A
 * failure to write the record while training is reported but does not stop
 * the training: the checkpoints and logger files still hold the run. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "run_record.h"

#define HEARTBEAT_EVERY_S 30.0

static double monotonic(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void warn(const char *what)
{
    fprintf(stderr, "se3flow: run store: %s: %s\n", what, s3f_last_error());
}

/* "synthetic 1.0.0, tiny_mpnn 1.0.0, adam 1.0.0" */
static void plugin_versions(const run_setup *s, char *out, size_t size)
{
    const run_plugin *all[3 + RUN_MAX_LOGGERS] = {&s->dataset, &s->model, &s->optimizer};
    int n = 3;
    for (int i = 0; i < s->logger_count; i++) all[n++] = &s->loggers[i];
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < n && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s%s %s", i ? ", " : "",
                                 all[i]->descriptor->name, all[i]->descriptor->version);
}

s3f_status run_record_begin(run_record *r, const char *db_option, const run_setup *setup,
                            const char *name, const char *recipe_path)
{
    char versions[1024];
    plugin_versions(setup, versions, sizeof versions);
    memset(r, 0, sizeof *r);
    S3F_RETURN_IF_ERR(
        s3f_run_store_open(s3f_run_store_path(db_option), S3F_RUN_STORE_CREATE, &r->store));
    s3f_run_desc desc = {.name = name,
                         .kind = "train",
                         .recipe_yaml = setup->resolved,
                         .recipe_path = recipe_path,
                         .has_seed = true,
                         .seed = setup->top.seed,
                         .device = "cpu",
                         .plugin_versions = versions};
    r->last_heartbeat = monotonic();
    return s3f_run_store_begin(r->store, &desc, &r->id);
}

/* The newest checkpoint of the run whose file is named last.safetensors. */
static s3f_status find_last(run_record *r, char *ckpt, size_t size)
{
    s3f_checkpoint_list *list = NULL;
    S3F_RETURN_IF_ERR(s3f_run_store_checkpoints(r->store, r->id, &list));
    const char *found = NULL;
    for (int i = 0; i < list->count; i++) {
        const char *p = list->checkpoints[i].path, *slash = strrchr(p, '/');
        if (!strcmp(slash ? slash + 1 : p, "last.safetensors")) found = p;
    }
    if (found) snprintf(ckpt, size, "%s", found);
    s3f_checkpoint_list_destroy(list);
    if (!found)
        return s3f_fail(S3F_ERR_ARG, "run %lld has no 'last' checkpoint to resume from",
                        (long long)r->id);
    return S3F_OK;
}

s3f_status run_record_resume(run_record *r, const char *db_option, int64_t id, char *ckpt,
                             size_t size)
{
    memset(r, 0, sizeof *r);
    S3F_RETURN_IF_ERR(s3f_run_store_open(s3f_run_store_path(db_option), 0, &r->store));
    r->id = id;
    r->last_heartbeat = monotonic();
    S3F_RETURN_IF_ERR(find_last(r, ckpt, size));
    return s3f_run_store_resume(r->store, id);
}

static void on_metrics(void *user, const s3f_metric *m, int n)
{
    run_record *r = user;
    if (s3f_run_store_log_metrics(r->store, r->id, m, n) != S3F_OK) warn("logging metrics");
    r->last_heartbeat = monotonic(); /* every write refreshes the heartbeat */
}

static void on_checkpoint(void *user, const char *path, int64_t epoch, int64_t step,
                          const char *metric_name, double metric)
{
    run_record *r = user;
    s3f_checkpoint_info info = {path, epoch, step, NULL, metric_name, metric, 0};
    if (s3f_run_store_add_checkpoint(r->store, r->id, &info) != S3F_OK)
        warn("recording a checkpoint");
}

static void on_progress(void *user)
{
    run_record *r = user;
    double now = monotonic();
    if (now - r->last_heartbeat < HEARTBEAT_EVERY_S) return;
    r->last_heartbeat = now;
    if (s3f_run_store_heartbeat(r->store, r->id) != S3F_OK) warn("heartbeat");
}

static void on_data(void *user, const char *path, const char *sha256)
{
    run_record *r = user;
    if (s3f_run_store_set_data(r->store, r->id, path, sha256) != S3F_OK)
        warn("recording the data file");
}

run_sink run_record_sink(run_record *r)
{
    return (run_sink){r, on_metrics, on_checkpoint, on_progress, on_data};
}

void run_record_end(run_record *r, s3f_status rc, const s3f_train_result *result)
{
    if (!r->store) return;
    char message[1024] = "";
    s3f_run_status status = S3F_RUN_COMPLETED;
    if (rc != S3F_OK) {
        status = S3F_RUN_FAILED;
        snprintf(message, sizeof message, "%s", s3f_last_error());
    } else if (result->interrupted) {
        status = S3F_RUN_INTERRUPTED;
        snprintf(message, sizeof message, "stopped at epoch %lld; resume with --resume %lld",
                 (long long)result->epochs_done + 1, (long long)r->id);
    }
    if (s3f_run_store_finish(r->store, r->id, status, message) != S3F_OK) warn("ending the run");
    if (rc != S3F_OK) s3f_fail(rc, "%s", message); /* keep the training's message for the caller */
    s3f_run_store_close(r->store);
    r->store = NULL;
}
