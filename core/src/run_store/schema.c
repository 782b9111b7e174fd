/* schema.c — the run store's tables, by schema version, and the forward
 * migrations between versions.
 *
 * Version 1: runs, metrics, checkpoints.
 * Version 2: runs gain a heartbeat (liveness on other hosts) and a task;
 *            summary values (best.* / final.*) get their own table, filled
 *            from the metrics already stored.
 * Version 3: runs gain the data file they read and its SHA-256.
 *
 * A new database is created at version 1 and migrated like any old one, so
 * the migration path is the one every database takes. Not here: what the
 * rows mean (run_store.h).
 *
 * Invariant: user_version is read and every migration applied inside one
 * IMMEDIATE transaction, so two processes opening an old database at once
 * migrate it exactly once. */
#include <stdio.h>

#include "run_store_internal.h"

static const char k_schema_v1[] =
    "CREATE TABLE runs ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'interrupted')),"
    "  recipe TEXT NOT NULL DEFAULT '',"
    "  recipe_path TEXT,"
    "  recipe_sha256 TEXT,"
    "  seed INTEGER,"
    "  device TEXT,"
    "  host TEXT NOT NULL,"
    "  pid INTEGER NOT NULL,"
    "  version TEXT NOT NULL,"
    "  plugin_versions TEXT,"
    "  start_time REAL NOT NULL,"
    "  end_time REAL,"
    "  message TEXT);"
    "CREATE TABLE metrics ("
    "  id INTEGER PRIMARY KEY,"
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  step INTEGER NOT NULL,"
    "  epoch INTEGER NOT NULL,"
    "  split TEXT NOT NULL DEFAULT '',"
    "  name TEXT NOT NULL,"
    "  value REAL,"
    "  wall_time REAL NOT NULL);"
    "CREATE INDEX metrics_by_run ON metrics (run_id, name, split, step);"
    "CREATE TABLE checkpoints ("
    "  id INTEGER PRIMARY KEY,"
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  path TEXT NOT NULL,"
    "  epoch INTEGER NOT NULL,"
    "  step INTEGER NOT NULL,"
    "  sha256 TEXT NOT NULL,"
    "  metric_name TEXT NOT NULL DEFAULT '',"
    "  metric_value REAL,"
    "  time REAL NOT NULL);"
    "CREATE INDEX checkpoints_by_run ON checkpoints (run_id);";

/* The summary key of a metric: split_name, or name when split is ''. */
#define SUMMARY_KEY "(CASE WHEN split = '' THEN name ELSE split || '_' || name END)"

static const char k_migrate_1_to_2[] =
    "ALTER TABLE runs ADD COLUMN heartbeat_time REAL;"
    "ALTER TABLE runs ADD COLUMN task TEXT NOT NULL DEFAULT '';"
    "UPDATE runs SET heartbeat_time = coalesce(end_time, "
    "  (SELECT max(wall_time) FROM metrics WHERE run_id = runs.id), start_time);"
    "CREATE TABLE summary ("
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  key TEXT NOT NULL,"
    "  value REAL,"
    "  PRIMARY KEY (run_id, key)) WITHOUT ROWID;"
    "INSERT INTO summary (run_id, key, value)"
    "  SELECT run_id, 'best.' || " SUMMARY_KEY ", min(value) FROM metrics"
    "  WHERE value IS NOT NULL GROUP BY run_id, split, name;"
    "INSERT OR REPLACE INTO summary (run_id, key, value)"
    "  SELECT m.run_id, 'final.' || " SUMMARY_KEY ", m.value FROM metrics AS m"
    "  WHERE m.id = (SELECT id FROM metrics AS n WHERE n.run_id = m.run_id"
    "                AND n.name = m.name AND n.split = m.split"
    "                ORDER BY n.step DESC, n.id DESC LIMIT 1);";

/* migrations[v] takes a database from version v to v + 1; index 0 creates
 * version 1 in an empty database. */
static const char k_migrate_2_to_3[] =
    "ALTER TABLE runs ADD COLUMN data_path TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE runs ADD COLUMN data_sha256 TEXT NOT NULL "
    "DEFAULT '';";

static const char *const k_migrations[S3F_RUN_STORE_SCHEMA_VERSION] = {
    k_schema_v1,
    k_migrate_1_to_2,
    k_migrate_2_to_3,
};

static s3f_status read_version(s3f_run_store_t *store, int *version)
{
    sqlite3_stmt *stmt = NULL;
    S3F_RETURN_IF_ERR(store_prepare(store, "PRAGMA user_version", &stmt));
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) *version = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW) return store_sql_fail(store, rc, "reading the schema version");
    return S3F_OK;
}

/* A database at version 0 must really be empty: version 0 with tables in it
 * is some other program's database, which we must not add tables to. */
static s3f_status check_empty(s3f_run_store_t *store)
{
    sqlite3_stmt *stmt = NULL;
    S3F_RETURN_IF_ERR(store_prepare(store, "SELECT count(*) FROM sqlite_master", &stmt));
    int rc = sqlite3_step(stmt);
    int tables = rc == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : 0;
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW) return store_sql_fail(store, rc, "inspecting the database");
    if (tables > 0)
        return s3f_fail(S3F_ERR_FORMAT,
                        "run store %s: the database holds tables but no se3flow schema version; "
                        "it belongs to another program, choose another --db",
                        store->path);
    return S3F_OK;
}

static s3f_status migrate(s3f_run_store_t *store)
{
    int version = 0;
    S3F_RETURN_IF_ERR(read_version(store, &version));
    if (version > S3F_RUN_STORE_SCHEMA_VERSION)
        return s3f_fail(S3F_ERR_UNSUPPORTED,
                        "run store %s has schema version %d, newer than this se3flow's (%d); "
                        "use a newer se3flow",
                        store->path, version, S3F_RUN_STORE_SCHEMA_VERSION);
    if (version == 0) S3F_RETURN_IF_ERR(check_empty(store));
    for (int v = version; v < S3F_RUN_STORE_SCHEMA_VERSION; v++) {
        s3f_status rc = store_exec(store, k_migrations[v]);
        if (rc != S3F_OK)
            return s3f_fail_context(rc, "migrating the schema from version %d to %d: ", v, v + 1);
    }
    if (version == S3F_RUN_STORE_SCHEMA_VERSION) return S3F_OK;
    char pragma[64];
    snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", S3F_RUN_STORE_SCHEMA_VERSION);
    return store_exec(store, pragma);
}

s3f_status store_schema_upgrade(s3f_run_store_t *store)
{
    /* Most opens find the current version: check without the write lock. */
    int version = 0;
    S3F_RETURN_IF_ERR(read_version(store, &version));
    if (version == S3F_RUN_STORE_SCHEMA_VERSION) return S3F_OK;
    S3F_RETURN_IF_ERR(store_write_begin(store));
    return store_write_end(store, migrate(store));
}
