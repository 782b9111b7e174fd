/* store_fixture.c — scratch directories, raw SQLite checks and sample runs
 * for the run store tests (store_fixture.h). */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store_fixture.h"

void fx_setup(store_fixture *fx)
{
    snprintf(fx->dir, sizeof fx->dir, "/tmp/s3f_store_XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->db, sizeof fx->db, "%s/runs.db", fx->dir);
    fx->store = NULL;
    assert_ok(s3f_run_store_open(fx->db, S3F_RUN_STORE_CREATE, &fx->store));
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

void fx_teardown(store_fixture *fx)
{
    s3f_run_store_close(fx->store);
    fx->store = NULL;
    nftw(fx->dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

void fx_path(const store_fixture *fx, const char *name, char *out)
{
    snprintf(out, 256, "%s/%s", fx->dir, name);
}

static sqlite3 *open_raw(const char *db)
{
    sqlite3 *handle = NULL;
    if (sqlite3_open_v2(db, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
        fail_msg("cannot open %s: %s", db, sqlite3_errmsg(handle));
    sqlite3_busy_timeout(handle, 10000);
    return handle;
}

int64_t fx_query_int(const char *db, const char *sql)
{
    sqlite3 *handle = open_raw(db);
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v2(handle, sql, -1, &stmt, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(handle));
    if (sqlite3_step(stmt) != SQLITE_ROW) fail_msg("%s returned no row", sql);
    int64_t value = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(handle);
    return value;
}

void fx_exec(const char *db, const char *sql)
{
    sqlite3 *handle = open_raw(db);
    char *error = NULL;
    if (sqlite3_exec(handle, sql, NULL, NULL, &error) != SQLITE_OK) fail_msg("%s: %s", sql, error);
    sqlite3_close(handle);
}

void fx_assert_intact(const char *db)
{
    sqlite3 *handle = open_raw(db);
    sqlite3_stmt *stmt = NULL;
    assert_int_equal(sqlite3_prepare_v2(handle, "PRAGMA integrity_check", -1, &stmt, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(stmt, 0), "ok");
    sqlite3_finalize(stmt);
    sqlite3_close(handle);
}

int64_t fx_begin(s3f_run_store_t *store, const char *name, const char *kind, const char *recipe)
{
    int64_t id = 0;
    assert_ok(s3f_run_store_begin(store,
                                  &(s3f_run_desc){.name = name,
                                                  .kind = kind,
                                                  .recipe_yaml = recipe,
                                                  .has_seed = true,
                                                  .seed = 7,
                                                  .device = "cpu"},
                                  &id));
    return id;
}

void fx_log(s3f_run_store_t *store, int64_t run, const char *split, const char *name, int64_t step,
            int64_t epoch, double value)
{
    s3f_metric m = {.name = name,
                    .split = split,
                    .value = value,
                    .step = step,
                    .epoch = epoch,
                    .wall_time = 1.7e9 + (double)step};
    assert_ok(s3f_run_store_log_metrics(store, run, &m, 1));
}
