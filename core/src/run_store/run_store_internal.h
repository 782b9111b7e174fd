/* run_store_internal.h — what the run store's files share: the handle, SQL
 * helpers that turn SQLite results into statuses, and the pieces (schema,
 * liveness, hashing, record loading) each kept in a file of its own.
 *
 * Not public: the CLI and plugins see only run_store.h.
 *
 * Invariant: every function that writes runs inside store_write_begin /
 * store_write_end, so each write is one IMMEDIATE transaction. */
#ifndef SE3FLOW_RUN_STORE_INTERNAL_H
#define SE3FLOW_RUN_STORE_INTERNAL_H

#include <sqlite3.h>

#include "se3flow/run_store.h"

/* SHA-256 as 64 lowercase hex digits and a NUL. */
#define STORE_SHA256_HEX_SIZE 65

struct s3f_run_store {
    sqlite3 *db;
    char *path;
    char host[256]; /* this machine's host name, for liveness */
};

/* ---- store.c ---- */
/* Fails with the SQLite error of `db` for `what` (S3F_ERR_IO, or
 * S3F_ERR_FORMAT for a file that is not a database), naming the file. */
s3f_status store_sql_fail(const s3f_run_store_t *store, int sqlite_rc, const char *what);
/* Prepares `sql` on the store's connection. */
s3f_status store_prepare(s3f_run_store_t *store, const char *sql, sqlite3_stmt **out);
/* Runs statements without results (several, separated by ';'). */
s3f_status store_exec(s3f_run_store_t *store, const char *sql);
/* BEGIN IMMEDIATE: takes the write lock, waiting up to the busy timeout. */
s3f_status store_write_begin(s3f_run_store_t *store);
/* COMMIT when rc is S3F_OK, else ROLLBACK; returns rc or the commit's error. */
s3f_status store_write_end(s3f_run_store_t *store, s3f_status rc);
/* Steps a statement that returns no rows. */
s3f_status store_step_done(s3f_run_store_t *store, sqlite3_stmt *stmt, const char *what);
/* S3F_OK when run `run_id` exists, S3F_ERR_ARG naming the database if not. */
s3f_status store_require_run(s3f_run_store_t *store, int64_t run_id);
/* Sets the run's heartbeat to `now` (inside a write); S3F_ERR_ARG when
 * there is no such run. */
s3f_status store_touch(s3f_run_store_t *store, int64_t run_id, double now);
/* Seconds since the Unix epoch, with sub-second precision. */
double store_now(void);
/* A heap copy of column `col` as text; "" for NULL. NULL when out of memory. */
char *store_column_text(sqlite3_stmt *stmt, int col);
/* Column `col` as a double; NaN for NULL. */
double store_column_double(sqlite3_stmt *stmt, int col);

/* ---- schema.c ---- */
/* Brings the database's schema to S3F_RUN_STORE_SCHEMA_VERSION, creating it
 * in an empty database, in one transaction. */
s3f_status store_schema_upgrade(s3f_run_store_t *store);

/* ---- liveness.c ---- */
/* The status to report for a run stored with `stored` status (crashed when
 * a running run's process is gone; see run_store.h). */
s3f_run_status store_reported_status(const s3f_run_store_t *store, s3f_run_status stored,
                                     const char *host, int64_t pid, double heartbeat_time,
                                     double now);

/* ---- sha256.c ---- */
/* SHA-256 of the bytes of the file at `path`, as hex. S3F_ERR_IO naming the
 * file when it cannot be read. */
s3f_status store_sha256_file(const char *path, char hex[STORE_SHA256_HEX_SIZE]);

/* ---- records.c ---- */
/* The columns store_record_load expects, for "SELECT <these> FROM runs ...". */
#define STORE_RUN_COLUMNS                                                                          \
    "id, name, kind, task, status, recipe, recipe_path, recipe_sha256, seed, device, host, pid, "  \
    "version, plugin_versions, start_time, end_time, heartbeat_time, message, "                    \
    "(SELECT max(epoch) FROM metrics WHERE run_id = runs.id), data_path, data_sha256"
/* Fills *run from the current row of a statement selecting STORE_RUN_COLUMNS,
 * and loads its summary values. On failure *run holds what it had (free it
 * with store_record_clear). */
s3f_status store_record_load(s3f_run_store_t *store, sqlite3_stmt *row, double now,
                             s3f_run_record *run);
/* Frees what *run owns (not run itself). */
void store_record_clear(s3f_run_record *run);

/* ---- list.c / sort ---- */
/* Sorts `count` runs by `key` (s3f_run_query.sort). S3F_ERR_ARG for an
 * unknown key. */
s3f_status store_sort_runs(s3f_run_record *runs, int count, const char *key);

#endif
