/* store.c — opening and closing the run store, and the SQL helpers every
 * other run store file uses (errors, statements, write transactions).
 *
 * Not here: the schema (schema.c), what is written (write.c) or read
 * (read.c, list.c).
 *
 * Invariant: an open store has WAL mode, the busy timeout, foreign keys on
 * and the current schema. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "run_store_internal.h"

const char *s3f_run_store_path(const char *option)
{
    if (option && option[0]) return option;
    const char *env = getenv("SE3FLOW_DB");
    if (env && env[0]) return env;
    return S3F_RUN_STORE_DEFAULT_PATH;
}

const char *s3f_run_store_file(const s3f_run_store_t *store)
{
    return store->path;
}

s3f_status store_sql_fail(const s3f_run_store_t *store, int sqlite_rc, const char *what)
{
    int primary = sqlite_rc & 0xff;
    const char *detail = store->db ? sqlite3_errmsg(store->db) : sqlite3_errstr(sqlite_rc);
    if (primary == SQLITE_NOTADB)
        return s3f_fail(S3F_ERR_FORMAT, "run store %s: %s: %s; is this an se3flow database?",
                        store->path, what, detail);
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
        return s3f_fail(S3F_ERR_IO,
                        "run store %s: %s: %s (waited %d ms); another process holds the write "
                        "lock, try again when it is done",
                        store->path, what, detail, S3F_RUN_STORE_BUSY_TIMEOUT_MS);
    return s3f_fail(S3F_ERR_IO, "run store %s: %s: %s", store->path, what, detail);
}

s3f_status store_prepare(s3f_run_store_t *store, const char *sql, sqlite3_stmt **out)
{
    int rc = sqlite3_prepare_v2(store->db, sql, -1, out, NULL);
    if (rc != SQLITE_OK) return store_sql_fail(store, rc, "preparing a query");
    return S3F_OK;
}

s3f_status store_exec(s3f_run_store_t *store, const char *sql)
{
    int rc = sqlite3_exec(store->db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK) return store_sql_fail(store, rc, "updating the database");
    return S3F_OK;
}

s3f_status store_write_begin(s3f_run_store_t *store)
{
    int rc = sqlite3_exec(store->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc != SQLITE_OK) return store_sql_fail(store, rc, "starting a write");
    return S3F_OK;
}

s3f_status store_write_end(s3f_run_store_t *store, s3f_status rc)
{
    if (rc != S3F_OK) {
        /* The failure's message stays; a failed rollback only means SQLite
         * already rolled back itself. */
        sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    int src = sqlite3_exec(store->db, "COMMIT", NULL, NULL, NULL);
    if (src == SQLITE_OK) return S3F_OK;
    rc = store_sql_fail(store, src, "committing a write");
    sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

s3f_status store_step_done(s3f_run_store_t *store, sqlite3_stmt *stmt, const char *what)
{
    int rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE) return store_sql_fail(store, rc, what);
    return S3F_OK;
}

s3f_status store_require_run(s3f_run_store_t *store, int64_t run_id)
{
    sqlite3_stmt *stmt = NULL;
    S3F_RETURN_IF_ERR(store_prepare(store, "SELECT 1 FROM runs WHERE id = ?", &stmt));
    sqlite3_bind_int64(stmt, 1, run_id);
    int rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    if (rc == SQLITE_ROW) return S3F_OK;
    if (rc == SQLITE_DONE)
        return s3f_fail(S3F_ERR_ARG, "run store %s has no run %lld; 'se3flow runs' lists them",
                        store->path, (long long)run_id);
    return store_sql_fail(store, rc, "looking up a run");
}

s3f_status store_touch(s3f_run_store_t *store, int64_t run_id, double now)
{
    sqlite3_stmt *stmt = NULL;
    S3F_RETURN_IF_ERR(
        store_prepare(store, "UPDATE runs SET heartbeat_time = ? WHERE id = ?", &stmt));
    sqlite3_bind_double(stmt, 1, now);
    sqlite3_bind_int64(stmt, 2, run_id);
    s3f_status rc = store_step_done(store, stmt, "refreshing a heartbeat");
    sqlite3_finalize(stmt);
    if (rc == S3F_OK && sqlite3_changes(store->db) == 0) return store_require_run(store, run_id);
    return rc;
}

double store_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

char *store_column_text(sqlite3_stmt *stmt, int col)
{
    const unsigned char *text = sqlite3_column_text(stmt, col);
    return strdup(text ? (const char *)text : "");
}

double store_column_double(sqlite3_stmt *stmt, int col)
{
    if (sqlite3_column_type(stmt, col) == SQLITE_NULL) return NAN;
    return sqlite3_column_double(stmt, col);
}

/* WAL lets readers (se3flow runs) proceed while a run writes; NORMAL
 * synchronous is safe in WAL against process crashes (a power loss may drop
 * the last commits, never corrupt). */
static s3f_status configure(s3f_run_store_t *store)
{
    sqlite3_busy_timeout(store->db, S3F_RUN_STORE_BUSY_TIMEOUT_MS);
    sqlite3_stmt *stmt = NULL;
    S3F_RETURN_IF_ERR(store_prepare(store, "PRAGMA journal_mode = WAL", &stmt));
    int rc = sqlite3_step(stmt);
    const unsigned char *mode = rc == SQLITE_ROW ? sqlite3_column_text(stmt, 0) : NULL;
    bool wal = mode && strcmp((const char *)mode, "wal") == 0;
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW) return store_sql_fail(store, rc, "switching to WAL mode");
    if (!wal)
        return s3f_fail(S3F_ERR_IO,
                        "run store %s: the database refuses WAL mode (is it on a network file "
                        "system?); put it on a local disk",
                        store->path);
    return store_exec(store, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON");
}

static s3f_status open_connection(s3f_run_store_t *store, unsigned flags)
{
    int open_flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    if (flags & S3F_RUN_STORE_CREATE) open_flags |= SQLITE_OPEN_CREATE;
    int rc = sqlite3_open_v2(store->path, &store->db, open_flags, NULL);
    if (rc == SQLITE_OK) return S3F_OK;
    if (!(flags & S3F_RUN_STORE_CREATE) && access(store->path, F_OK) != 0)
        return s3f_fail(S3F_ERR_IO,
                        "run store %s does not exist; give its path with --db or SE3FLOW_DB, "
                        "or start a run to create it",
                        store->path);
    return store_sql_fail(store, rc, "opening");
}

s3f_status s3f_run_store_open(const char *path, unsigned flags, s3f_run_store_t **out)
{
    if (!path || !path[0]) return s3f_fail(S3F_ERR_ARG, "run store: no database path given");
    s3f_status rc = S3F_OK;
    s3f_run_store_t *store = calloc(1, sizeof *store);
    if (!store || !(store->path = strdup(path))) {
        rc = s3f_fail(S3F_ERR_NOMEM, "cannot allocate the run store handle for %s", path);
        goto fail;
    }
    if (gethostname(store->host, sizeof store->host - 1) != 0)
        snprintf(store->host, sizeof store->host, "localhost");
    S3F_TRY(open_connection(store, flags));
    S3F_TRY(configure(store));
    S3F_TRY(store_schema_upgrade(store));
    *out = store;
    return S3F_OK;
fail:
    s3f_run_store_close(store);
    return rc;
}

void s3f_run_store_close(s3f_run_store_t *store)
{
    if (!store) return;
    sqlite3_close_v2(store->db);
    free(store->path);
    free(store);
}
