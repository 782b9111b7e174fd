/* write.c — beginning, resuming, heartbeating and ending runs, and
 * recording their metrics, summary values and checkpoints.
 *
 * Not here: reading (read.c, list.c) or the schema (schema.c).
 *
 * Invariant: each public function is one write transaction, and every
 * write to a run refreshes its heartbeat in that transaction. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recipe_flat.h"
#include "run_store_internal.h"
#include "se3flow/se3flow.h"

static void bind_text(sqlite3_stmt *stmt, int index, const char *text)
{
    if (text)
        sqlite3_bind_text(stmt, index, text, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(stmt, index);
}

/* The task a recipe names: dataset.target, else dataset.task, else "". */
static s3f_status recipe_task(const char *yaml, char **out)
{
    recipe_flat *flat = NULL;
    s3f_status rc = recipe_flat_parse(yaml, &flat);
    if (rc != S3F_OK) return s3f_fail_context(rc, "reading the task from the resolved recipe: ");
    const recipe_flat_entry *e = recipe_flat_find(flat, "dataset.target");
    if (!e) e = recipe_flat_find(flat, "dataset.task");
    *out = strdup(e ? e->text : "");
    recipe_flat_destroy(flat);
    return *out ? S3F_OK : s3f_fail(S3F_ERR_NOMEM, "cannot allocate the run's task");
}

static s3f_status insert_run(s3f_run_store_t *store, const s3f_run_desc *d, const char *sha,
                             const char *task, int64_t *run_id)
{
    static const char sql[] =
        "INSERT INTO runs (name, kind, task, status, recipe, recipe_path, recipe_sha256, seed,"
        " device, host, pid, version, plugin_versions, start_time, heartbeat_time)"
        " VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    sqlite3_stmt *stmt = NULL;
    S3F_RETURN_IF_ERR(store_prepare(store, sql, &stmt));
    double now = store_now();
    bind_text(stmt, 1, d->name);
    bind_text(stmt, 2, d->kind);
    bind_text(stmt, 3, task);
    bind_text(stmt, 4, d->recipe_yaml ? d->recipe_yaml : "");
    bind_text(stmt, 5, d->recipe_path);
    bind_text(stmt, 6, sha[0] ? sha : NULL);
    if (d->has_seed) sqlite3_bind_int64(stmt, 7, d->seed);
    bind_text(stmt, 8, d->device);
    bind_text(stmt, 9, store->host);
    sqlite3_bind_int64(stmt, 10, (int64_t)getpid());
    bind_text(stmt, 11, S3F_VERSION_STRING);
    bind_text(stmt, 12, d->plugin_versions);
    sqlite3_bind_double(stmt, 13, now);
    sqlite3_bind_double(stmt, 14, now);
    s3f_status rc = store_step_done(store, stmt, "recording a new run");
    sqlite3_finalize(stmt);
    if (rc == S3F_OK) *run_id = sqlite3_last_insert_rowid(store->db);
    return rc;
}

s3f_status s3f_run_store_begin(s3f_run_store_t *store, const s3f_run_desc *desc, int64_t *run_id)
{
    if (!desc || !desc->name || !desc->name[0] || !desc->kind || !desc->kind[0])
        return s3f_fail(S3F_ERR_ARG, "run store: a run needs a name and a kind");
    s3f_status rc = S3F_OK;
    char *task = NULL;
    char sha[STORE_SHA256_HEX_SIZE] = "";
    if (desc->recipe_path && desc->recipe_path[0])
        S3F_TRY(store_sha256_file(desc->recipe_path, sha));
    if (desc->task)
        task = strdup(desc->task);
    else
        S3F_TRY(recipe_task(desc->recipe_yaml, &task));
    if (!task) {
        rc = s3f_fail(S3F_ERR_NOMEM, "cannot allocate the run's task");
        goto fail;
    }
    int64_t id = 0;
    S3F_TRY(store_write_begin(store));
    S3F_TRY(store_write_end(store, insert_run(store, desc, sha, task, &id)));
    *run_id = id;
fail:
    free(task);
    return rc;
}

/* Inside the resume transaction: refuses a run whose process still lives. */
static s3f_status check_resumable(s3f_run_store_t *store, int64_t run_id)
{
    sqlite3_stmt *stmt = NULL;
    S3F_RETURN_IF_ERR(store_prepare(
        store, "SELECT status, host, pid, heartbeat_time FROM runs WHERE id = ?", &stmt));
    sqlite3_bind_int64(stmt, 1, run_id);
    s3f_status rc = S3F_OK;
    int src = sqlite3_step(stmt);
    if (src == SQLITE_ROW) {
        const char *host = (const char *)sqlite3_column_text(stmt, 1);
        int64_t pid = sqlite3_column_int64(stmt, 2);
        bool running = strcmp((const char *)sqlite3_column_text(stmt, 0), "running") == 0;
        s3f_run_status now =
            store_reported_status(store, running ? S3F_RUN_RUNNING : S3F_RUN_COMPLETED, host, pid,
                                  store_column_double(stmt, 3), store_now());
        if (now == S3F_RUN_RUNNING)
            rc = s3f_fail(S3F_ERR_STATE,
                          "run %lld is still running (pid %lld on %s); stop that process or wait "
                          "until the run shows as crashed before resuming it",
                          (long long)run_id, (long long)pid, host);
    } else {
        rc = src == SQLITE_DONE ? store_require_run(store, run_id)
                                : store_sql_fail(store, src, "looking up a run");
    }
    sqlite3_finalize(stmt);
    return rc;
}

static s3f_status mark_resumed(s3f_run_store_t *store, int64_t run_id)
{
    S3F_RETURN_IF_ERR(check_resumable(store, run_id));
    sqlite3_stmt *stmt = NULL;
    S3F_RETURN_IF_ERR(store_prepare(store,
                                    "UPDATE runs SET status = 'running', host = ?, pid = ?,"
                                    " end_time = NULL, message = NULL, heartbeat_time = ?"
                                    " WHERE id = ?",
                                    &stmt));
    bind_text(stmt, 1, store->host);
    sqlite3_bind_int64(stmt, 2, (int64_t)getpid());
    sqlite3_bind_double(stmt, 3, store_now());
    sqlite3_bind_int64(stmt, 4, run_id);
    s3f_status rc = store_step_done(store, stmt, "resuming a run");
    sqlite3_finalize(stmt);
    return rc;
}

s3f_status s3f_run_store_resume(s3f_run_store_t *store, int64_t run_id)
{
    S3F_RETURN_IF_ERR(store_write_begin(store));
    return store_write_end(store, mark_resumed(store, run_id));
}

s3f_status s3f_run_store_heartbeat(s3f_run_store_t *store, int64_t run_id)
{
    S3F_RETURN_IF_ERR(store_write_begin(store));
    return store_write_end(store, store_touch(store, run_id, store_now()));
}

static s3f_status mark_finished(s3f_run_store_t *store, int64_t run_id, s3f_run_status status,
                                const char *message)
{
    sqlite3_stmt *stmt = NULL;
    S3F_RETURN_IF_ERR(store_prepare(store,
                                    "UPDATE runs SET status = ?, end_time = ?, heartbeat_time = ?,"
                                    " message = ? WHERE id = ? AND status = 'running'",
                                    &stmt));
    double now = store_now();
    bind_text(stmt, 1, s3f_run_status_name(status));
    sqlite3_bind_double(stmt, 2, now);
    sqlite3_bind_double(stmt, 3, now);
    bind_text(stmt, 4, message);
    sqlite3_bind_int64(stmt, 5, run_id);
    s3f_status rc = store_step_done(store, stmt, "ending a run");
    sqlite3_finalize(stmt);
    if (rc != S3F_OK || sqlite3_changes(store->db) == 1) return rc;
    S3F_RETURN_IF_ERR(store_require_run(store, run_id));
    return s3f_fail(S3F_ERR_STATE, "run %lld has already ended; resume it before ending it again",
                    (long long)run_id);
}

s3f_status s3f_run_store_finish(s3f_run_store_t *store, int64_t run_id, s3f_run_status status,
                                const char *message)
{
    if (status != S3F_RUN_COMPLETED && status != S3F_RUN_FAILED && status != S3F_RUN_INTERRUPTED)
        return s3f_fail(S3F_ERR_ARG,
                        "run %lld cannot end as '%s'; use completed, failed or interrupted",
                        (long long)run_id, s3f_run_status_name(status));
    S3F_RETURN_IF_ERR(store_write_begin(store));
    return store_write_end(store, mark_finished(store, run_id, status, message));
}

static s3f_status check_sha256(const char *what, const char *sha, char hex[STORE_SHA256_HEX_SIZE])
{
    size_t n = strlen(sha);
    for (size_t i = 0; i < n && n == 64; i++)
        if (!isxdigit((unsigned char)sha[i])) n = 0;
    if (n != 64) return s3f_fail(S3F_ERR_ARG, "%s SHA-256 '%s' is not 64 hex digits", what, sha);
    for (size_t i = 0; i <= n; i++) hex[i] = (char)tolower((unsigned char)sha[i]);
    return S3F_OK;
}

static s3f_status insert_checkpoint(s3f_run_store_t *store, int64_t run_id,
                                    const s3f_checkpoint_info *c, const char *sha)
{
    double now = store_now();
    S3F_RETURN_IF_ERR(store_touch(store, run_id, now));
    sqlite3_stmt *stmt = NULL;
    S3F_RETURN_IF_ERR(store_prepare(store,
                                    "INSERT INTO checkpoints (run_id, path, epoch, step, sha256,"
                                    " metric_name, metric_value, time)"
                                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                    &stmt));
    sqlite3_bind_int64(stmt, 1, run_id);
    bind_text(stmt, 2, c->path);
    sqlite3_bind_int64(stmt, 3, c->epoch);
    sqlite3_bind_int64(stmt, 4, c->step);
    bind_text(stmt, 5, sha);
    bind_text(stmt, 6, c->metric_name ? c->metric_name : "");
    sqlite3_bind_double(stmt, 7, c->metric_value); /* NaN is stored as NULL */
    sqlite3_bind_double(stmt, 8, now);
    s3f_status rc = store_step_done(store, stmt, "recording a checkpoint");
    sqlite3_finalize(stmt);
    return rc;
}

s3f_status s3f_run_store_add_checkpoint(s3f_run_store_t *store, int64_t run_id,
                                        const s3f_checkpoint_info *checkpoint)
{
    if (!checkpoint || !checkpoint->path || !checkpoint->path[0])
        return s3f_fail(S3F_ERR_ARG, "run %lld: a checkpoint needs a path", (long long)run_id);
    char sha[STORE_SHA256_HEX_SIZE];
    if (checkpoint->sha256)
        S3F_RETURN_IF_ERR(check_sha256("checkpoint", checkpoint->sha256, sha));
    else
        S3F_RETURN_IF_ERR(store_sha256_file(checkpoint->path, sha));
    S3F_RETURN_IF_ERR(store_write_begin(store));
    return store_write_end(store, insert_checkpoint(store, run_id, checkpoint, sha));
}

static s3f_status update_data(s3f_run_store_t *store, int64_t run_id, const char *path,
                              const char *sha)
{
    S3F_RETURN_IF_ERR(store_touch(store, run_id, store_now()));
    sqlite3_stmt *stmt = NULL;
    S3F_RETURN_IF_ERR(
        store_prepare(store, "UPDATE runs SET data_path = ?, data_sha256 = ? WHERE id = ?", &stmt));
    bind_text(stmt, 1, path);
    bind_text(stmt, 2, sha);
    sqlite3_bind_int64(stmt, 3, run_id);
    s3f_status rc = store_step_done(store, stmt, "recording the run's data file");
    sqlite3_finalize(stmt);
    return rc;
}

s3f_status s3f_run_store_set_data(s3f_run_store_t *store, int64_t run_id, const char *path,
                                  const char *sha256)
{
    if (!path || !path[0] || !sha256)
        return s3f_fail(S3F_ERR_ARG, "run %lld: the data file needs a path and a SHA-256",
                        (long long)run_id);
    char sha[STORE_SHA256_HEX_SIZE];
    S3F_RETURN_IF_ERR(check_sha256("data", sha256, sha));
    S3F_RETURN_IF_ERR(store_write_begin(store));
    return store_write_end(store, update_data(store, run_id, path, sha));
}
