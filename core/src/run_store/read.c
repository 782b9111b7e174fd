/* read.c — one run, its metrics and its checkpoints; deleting a run.
 *
 * Not here: listing and filtering runs (list.c).
 *
 * Invariant: outputs are written only on success, and a list hands out
 * strings it owns (freed by its _destroy). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "run_store_internal.h"

s3f_status s3f_run_store_get(s3f_run_store_t *store, int64_t run_id, s3f_run_record **out)
{
    sqlite3_stmt *stmt = NULL;
    S3F_RETURN_IF_ERR(
        store_prepare(store, "SELECT " STORE_RUN_COLUMNS " FROM runs WHERE id = ?", &stmt));
    sqlite3_bind_int64(stmt, 1, run_id);
    s3f_status rc = S3F_OK;
    s3f_run_record *run = calloc(1, sizeof *run);
    int src = sqlite3_step(stmt);
    if (!run)
        rc = s3f_fail(S3F_ERR_NOMEM, "cannot allocate a run record");
    else if (src == SQLITE_ROW)
        rc = store_record_load(store, stmt, store_now(), run);
    else if (src == SQLITE_DONE)
        rc = store_require_run(store, run_id);
    else
        rc = store_sql_fail(store, src, "reading a run");
    sqlite3_finalize(stmt);
    if (rc != S3F_OK) {
        s3f_run_record_destroy(run);
        return rc;
    }
    *out = run;
    return S3F_OK;
}

void s3f_metric_list_destroy(s3f_metric_list *list)
{
    if (!list) return;
    /* Each metric's name and split share one block, starting at name. */
    for (int i = 0; i < list->count; i++) free((char *)list->metrics[i].name);
    free(list->metrics);
    free(list);
}

/* One heap block "name\0split\0"; *name and *split point into it. */
static bool copy_name_split(sqlite3_stmt *row, s3f_metric *m)
{
    const char *name = (const char *)sqlite3_column_text(row, 1);
    const char *split = (const char *)sqlite3_column_text(row, 0);
    size_t name_size = strlen(name ? name : "") + 1, split_size = strlen(split ? split : "") + 1;
    char *block = malloc(name_size + split_size);
    if (!block) return false;
    memcpy(block, name ? name : "", name_size);
    memcpy(block + name_size, split ? split : "", split_size);
    m->name = block;
    m->split = block + name_size;
    return true;
}

static s3f_status read_metrics(s3f_run_store_t *store, sqlite3_stmt *stmt, s3f_metric_list *list)
{
    int src = SQLITE_DONE, capacity = 0;
    while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (list->count == capacity) {
            capacity = capacity ? 2 * capacity : 64;
            s3f_metric *grown = realloc(list->metrics, (size_t)capacity * sizeof *grown);
            if (!grown) return s3f_fail(S3F_ERR_NOMEM, "cannot allocate the metrics read");
            list->metrics = grown;
        }
        s3f_metric *m = &list->metrics[list->count];
        if (!copy_name_split(stmt, m)) return s3f_fail(S3F_ERR_NOMEM, "cannot copy a metric");
        m->step = sqlite3_column_int64(stmt, 2);
        m->epoch = sqlite3_column_int64(stmt, 3);
        m->value = store_column_double(stmt, 4);
        m->wall_time = store_column_double(stmt, 5);
        list->count++;
    }
    if (src != SQLITE_DONE) return store_sql_fail(store, src, "reading metrics");
    return S3F_OK;
}

s3f_status s3f_run_store_metrics(s3f_run_store_t *store, int64_t run_id, const char *name,
                                 s3f_metric_list **out)
{
    S3F_RETURN_IF_ERR(store_require_run(store, run_id));
    s3f_status rc = S3F_OK;
    sqlite3_stmt *stmt = NULL;
    s3f_metric_list *list = calloc(1, sizeof *list);
    if (!list) {
        rc = s3f_fail(S3F_ERR_NOMEM, "cannot allocate a metric list");
        goto fail;
    }
    S3F_TRY(store_prepare(store,
                          "SELECT split, name, step, epoch, value, wall_time FROM metrics"
                          " WHERE run_id = ?1 AND (?2 IS NULL OR name = ?2)"
                          " ORDER BY split, name, step, id",
                          &stmt));
    sqlite3_bind_int64(stmt, 1, run_id);
    if (name) sqlite3_bind_text(stmt, 2, name, -1, SQLITE_TRANSIENT);
    S3F_TRY(read_metrics(store, stmt, list));
    sqlite3_finalize(stmt);
    *out = list;
    return S3F_OK;
fail:
    sqlite3_finalize(stmt);
    s3f_metric_list_destroy(list);
    return rc;
}

void s3f_checkpoint_list_destroy(s3f_checkpoint_list *list)
{
    if (!list) return;
    for (int i = 0; i < list->count; i++) {
        free((char *)list->checkpoints[i].path);
        free((char *)list->checkpoints[i].sha256);
        free((char *)list->checkpoints[i].metric_name);
    }
    free(list->checkpoints);
    free(list);
}

static s3f_status read_checkpoint(sqlite3_stmt *stmt, s3f_checkpoint_list *list, int *capacity)
{
    if (list->count == *capacity) {
        *capacity = *capacity ? 2 * *capacity : 8;
        s3f_checkpoint_info *grown = realloc(list->checkpoints, (size_t)*capacity * sizeof *grown);
        if (!grown) return s3f_fail(S3F_ERR_NOMEM, "cannot allocate the checkpoints read");
        list->checkpoints = grown;
    }
    s3f_checkpoint_info *c = &list->checkpoints[list->count++];
    *c = (s3f_checkpoint_info){
        .path = store_column_text(stmt, 0),
        .epoch = sqlite3_column_int64(stmt, 1),
        .step = sqlite3_column_int64(stmt, 2),
        .sha256 = store_column_text(stmt, 3),
        .metric_name = store_column_text(stmt, 4),
        .metric_value = store_column_double(stmt, 5),
        .time = store_column_double(stmt, 6),
    };
    if (!c->path || !c->sha256 || !c->metric_name)
        return s3f_fail(S3F_ERR_NOMEM, "cannot copy a checkpoint record");
    return S3F_OK;
}

s3f_status s3f_run_store_checkpoints(s3f_run_store_t *store, int64_t run_id,
                                     s3f_checkpoint_list **out)
{
    S3F_RETURN_IF_ERR(store_require_run(store, run_id));
    s3f_status rc = S3F_OK;
    sqlite3_stmt *stmt = NULL;
    s3f_checkpoint_list *list = calloc(1, sizeof *list);
    if (!list) {
        rc = s3f_fail(S3F_ERR_NOMEM, "cannot allocate a checkpoint list");
        goto fail;
    }
    S3F_TRY(store_prepare(store,
                          "SELECT path, epoch, step, sha256, metric_name, metric_value, time"
                          " FROM checkpoints WHERE run_id = ? ORDER BY id",
                          &stmt));
    sqlite3_bind_int64(stmt, 1, run_id);
    int src, capacity = 0;
    while ((src = sqlite3_step(stmt)) == SQLITE_ROW)
        S3F_TRY(read_checkpoint(stmt, list, &capacity));
    if (src != SQLITE_DONE) S3F_TRY(store_sql_fail(store, src, "reading checkpoints"));
    sqlite3_finalize(stmt);
    *out = list;
    return S3F_OK;
fail:
    sqlite3_finalize(stmt);
    s3f_checkpoint_list_destroy(list);
    return rc;
}

static s3f_status delete_rows(s3f_run_store_t *store, int64_t run_id)
{
    sqlite3_stmt *stmt = NULL;
    /* Metrics, checkpoints and summary values go with the run (ON DELETE CASCADE). */
    S3F_RETURN_IF_ERR(store_prepare(store, "DELETE FROM runs WHERE id = ?", &stmt));
    sqlite3_bind_int64(stmt, 1, run_id);
    s3f_status rc = store_step_done(store, stmt, "deleting a run");
    sqlite3_finalize(stmt);
    if (rc == S3F_OK && sqlite3_changes(store->db) == 0) return store_require_run(store, run_id);
    return rc;
}

s3f_status s3f_run_store_delete(s3f_run_store_t *store, int64_t run_id, s3f_checkpoint_list **files)
{
    s3f_checkpoint_list *list = NULL;
    S3F_RETURN_IF_ERR(store_write_begin(store));
    s3f_status rc = files ? s3f_run_store_checkpoints(store, run_id, &list) : S3F_OK;
    if (rc == S3F_OK) rc = delete_rows(store, run_id);
    rc = store_write_end(store, rc);
    if (rc != S3F_OK) {
        s3f_checkpoint_list_destroy(list);
        return rc;
    }
    if (files) *files = list;
    return S3F_OK;
}
