/* records.c — run records: loading one from a row (with its summary
 * values), reading a summary value, and freeing records and lists.
 *
 * Not here: which rows (read.c, list.c).
 *
 * Invariant: a loaded record's strings are never NULL; a record that failed
 * to load half-way holds NULLs only where loading stopped, and clearing it
 * frees what it has. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "run_store_internal.h"

void store_record_clear(s3f_run_record *run)
{
    char **strings[] = {&run->name,        &run->kind,
                        &run->task,        &run->recipe_yaml,
                        &run->recipe_path, &run->recipe_sha256,
                        &run->device,      &run->host,
                        &run->version,     &run->plugin_versions,
                        &run->message,     &run->data_path,
                        &run->data_sha256};
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++) free(*strings[i]);
    for (int i = 0; i < run->summary_count; i++) free(run->summary[i].key);
    free(run->summary);
    *run = (s3f_run_record){0};
}

void s3f_run_record_destroy(s3f_run_record *run)
{
    if (!run) return;
    store_record_clear(run);
    free(run);
}

void s3f_run_list_destroy(s3f_run_list *list)
{
    if (!list) return;
    for (int i = 0; i < list->count; i++) store_record_clear(&list->runs[i]);
    free(list->runs);
    free(list);
}

double s3f_run_record_summary(const s3f_run_record *run, const char *key)
{
    for (int i = 0; i < run->summary_count; i++)
        if (strcmp(run->summary[i].key, key) == 0) return run->summary[i].value;
    return NAN;
}

static s3f_status load_summary(s3f_run_store_t *store, s3f_run_record *run)
{
    sqlite3_stmt *stmt = NULL;
    S3F_RETURN_IF_ERR(store_prepare(
        store, "SELECT key, value FROM summary WHERE run_id = ? ORDER BY key", &stmt));
    sqlite3_bind_int64(stmt, 1, run->id);
    s3f_status rc = S3F_OK;
    int src = SQLITE_DONE, capacity = 0;
    while (rc == S3F_OK && (src = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (run->summary_count == capacity) {
            capacity = capacity ? 2 * capacity : 8;
            s3f_summary_value *grown = realloc(run->summary, (size_t)capacity * sizeof *grown);
            if (!grown) {
                rc = s3f_fail(S3F_ERR_NOMEM, "cannot allocate run %lld's summary",
                              (long long)run->id);
                break;
            }
            run->summary = grown;
        }
        s3f_summary_value *v = &run->summary[run->summary_count];
        v->value = store_column_double(stmt, 1);
        if (!(v->key = store_column_text(stmt, 0)))
            rc = s3f_fail(S3F_ERR_NOMEM, "cannot allocate a summary key");
        else
            run->summary_count++;
    }
    if (rc == S3F_OK && src != SQLITE_DONE) rc = store_sql_fail(store, src, "reading summaries");
    sqlite3_finalize(stmt);
    return rc;
}

static bool load_strings(sqlite3_stmt *row, s3f_run_record *run)
{
    run->name = store_column_text(row, 1);
    run->kind = store_column_text(row, 2);
    run->task = store_column_text(row, 3);
    run->recipe_yaml = store_column_text(row, 5);
    run->recipe_path = store_column_text(row, 6);
    run->recipe_sha256 = store_column_text(row, 7);
    run->device = store_column_text(row, 9);
    run->host = store_column_text(row, 10);
    run->version = store_column_text(row, 12);
    run->plugin_versions = store_column_text(row, 13);
    run->message = store_column_text(row, 17);
    run->data_path = store_column_text(row, 19);
    run->data_sha256 = store_column_text(row, 20);
    return run->name && run->kind && run->task && run->recipe_yaml && run->recipe_path &&
           run->recipe_sha256 && run->device && run->host && run->version && run->plugin_versions &&
           run->message && run->data_path && run->data_sha256;
}

s3f_status store_record_load(s3f_run_store_t *store, sqlite3_stmt *row, double now,
                             s3f_run_record *run)
{
    run->id = sqlite3_column_int64(row, 0);
    if (!load_strings(row, run))
        return s3f_fail(S3F_ERR_NOMEM, "cannot allocate run %lld's record", (long long)run->id);
    s3f_run_status stored = S3F_RUN_RUNNING;
    const char *status = (const char *)sqlite3_column_text(row, 4);
    if (s3f_run_status_parse(status, &stored) != S3F_OK)
        return s3f_fail(S3F_ERR_FORMAT, "run store %s: run %lld has an unknown status '%s'",
                        store->path, (long long)run->id, status ? status : "");
    run->has_seed = sqlite3_column_type(row, 8) != SQLITE_NULL;
    run->seed = sqlite3_column_int64(row, 8);
    run->pid = sqlite3_column_int64(row, 11);
    run->start_time = store_column_double(row, 14);
    run->end_time = store_column_double(row, 15);
    run->heartbeat_time = store_column_double(row, 16);
    run->epochs = sqlite3_column_int64(row, 18);
    run->status =
        store_reported_status(store, stored, run->host, run->pid, run->heartbeat_time, now);
    return load_summary(store, run);
}
