/* metrics.c — appending a run's metrics and keeping its summary values
 * (best.* minimum, final.* last logged) up to date in the same transaction.
 *
 * Not here: reading metrics back (read.c).
 *
 * Invariant: a batch of metrics and the summary changes it causes commit
 * together or not at all. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_store_internal.h"

typedef struct metric_statements {
    sqlite3_stmt *insert, *final, *best;
} metric_statements;

static const char k_insert_sql[] =
    "INSERT INTO metrics (run_id, step, epoch, split, name, value, wall_time)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char k_final_sql[] = "INSERT INTO summary (run_id, key, value) VALUES (?, ?, ?)"
                                  " ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value";
static const char k_best_sql[] =
    "INSERT INTO summary (run_id, key, value) VALUES (?, ?, ?)"
    " ON CONFLICT (run_id, key) DO UPDATE SET value ="
    " CASE WHEN value IS NULL OR excluded.value < value THEN excluded.value ELSE value END";

static void finalize_all(metric_statements *s)
{
    sqlite3_finalize(s->insert);
    sqlite3_finalize(s->final);
    sqlite3_finalize(s->best);
}

static s3f_status upsert(s3f_run_store_t *store, sqlite3_stmt *stmt, int64_t run_id,
                         const char *key, double value)
{
    sqlite3_reset(stmt);
    sqlite3_bind_int64(stmt, 1, run_id);
    sqlite3_bind_text(stmt, 2, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(stmt, 3, value);
    return store_step_done(store, stmt, "updating a summary value");
}

/* "best." / "final." followed by split_name (or name when split is ""). */
static char *summary_key(const char *prefix, const s3f_metric *m)
{
    const char *split = m->split ? m->split : "";
    size_t length = strlen(prefix) + strlen(split) + strlen(m->name) + 2;
    char *key = malloc(length);
    if (key) snprintf(key, length, "%s%s%s%s", prefix, split, split[0] ? "_" : "", m->name);
    return key;
}

static s3f_status update_summary(s3f_run_store_t *store, metric_statements *s, int64_t run_id,
                                 const s3f_metric *m)
{
    char *final_key = summary_key("final.", m);
    char *best_key = summary_key("best.", m);
    s3f_status rc = S3F_OK;
    if (!final_key || !best_key) rc = s3f_fail(S3F_ERR_NOMEM, "cannot allocate a summary key");
    if (rc == S3F_OK) rc = upsert(store, s->final, run_id, final_key, m->value);
    if (rc == S3F_OK && !isnan(m->value)) rc = upsert(store, s->best, run_id, best_key, m->value);
    free(final_key);
    free(best_key);
    return rc;
}

static s3f_status insert_metric(s3f_run_store_t *store, metric_statements *s, int64_t run_id,
                                const s3f_metric *m)
{
    if (!m->name || !m->name[0])
        return s3f_fail(S3F_ERR_ARG, "run %lld: a metric without a name (at step %lld)",
                        (long long)run_id, (long long)m->step);
    sqlite3_stmt *stmt = s->insert;
    sqlite3_reset(stmt);
    sqlite3_bind_int64(stmt, 1, run_id);
    sqlite3_bind_int64(stmt, 2, m->step);
    sqlite3_bind_int64(stmt, 3, m->epoch);
    sqlite3_bind_text(stmt, 4, m->split ? m->split : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 5, m->name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(stmt, 6, m->value); /* NaN is stored as NULL */
    sqlite3_bind_double(stmt, 7, m->wall_time);
    S3F_RETURN_IF_ERR(store_step_done(store, stmt, "recording a metric"));
    return update_summary(store, s, run_id, m);
}

static s3f_status insert_all(s3f_run_store_t *store, int64_t run_id, const s3f_metric *metrics,
                             int count)
{
    s3f_status rc = S3F_OK;
    metric_statements s = {0};
    S3F_TRY(store_touch(store, run_id, store_now()));
    S3F_TRY(store_prepare(store, k_insert_sql, &s.insert));
    S3F_TRY(store_prepare(store, k_final_sql, &s.final));
    S3F_TRY(store_prepare(store, k_best_sql, &s.best));
    for (int i = 0; i < count; i++) S3F_TRY(insert_metric(store, &s, run_id, &metrics[i]));
fail:
    finalize_all(&s);
    return rc;
}

s3f_status s3f_run_store_log_metrics(s3f_run_store_t *store, int64_t run_id,
                                     const s3f_metric *metrics, int count)
{
    if (count < 0 || (count > 0 && !metrics))
        return s3f_fail(S3F_ERR_ARG, "run %lld: %d metrics to log", (long long)run_id, count);
    S3F_RETURN_IF_ERR(store_write_begin(store));
    return store_write_end(store, insert_all(store, run_id, metrics, count));
}

static s3f_status set_one(s3f_run_store_t *store, int64_t run_id, const char *key, double value)
{
    S3F_RETURN_IF_ERR(store_touch(store, run_id, store_now()));
    sqlite3_stmt *stmt = NULL;
    S3F_RETURN_IF_ERR(store_prepare(store, k_final_sql, &stmt));
    s3f_status rc = upsert(store, stmt, run_id, key, value);
    sqlite3_finalize(stmt);
    return rc;
}

s3f_status s3f_run_store_set_summary(s3f_run_store_t *store, int64_t run_id, const char *key,
                                     double value)
{
    if (!key || !key[0])
        return s3f_fail(S3F_ERR_ARG, "run %lld: a summary value needs a key", (long long)run_id);
    S3F_RETURN_IF_ERR(store_write_begin(store));
    return store_write_end(store, set_one(store, run_id, key, value));
}
