/* store_fixture.h — what the run store tests share: a scratch directory
 * per test, raw SQLite access to check what the store wrote, and runs with
 * recipes and metrics to query.
 *
 * Helpers fail the current cmocka test instead of returning errors. */
#ifndef SE3FLOW_STORE_FIXTURE_H
#define SE3FLOW_STORE_FIXTURE_H

#include <stdint.h>

#include "se3flow/run_store.h"
#include "test_support.h"

typedef struct store_fixture {
    char dir[64]; /* a fresh directory under /tmp */
    char db[128]; /* dir/runs.db */
    s3f_run_store_t *store;
} store_fixture;

/* Creates the directory and opens (creates) the store. */
void fx_setup(store_fixture *fx);
/* Closes the store and removes the directory with what it holds. */
void fx_teardown(store_fixture *fx);
/* dir/name into `out` (at least 256 bytes). */
void fx_path(const store_fixture *fx, const char *name, char *out);

/* The single integer that `sql` returns on the database at `db`. */
int64_t fx_query_int(const char *db, const char *sql);
/* Runs `sql` (no results) on the database at `db`. */
void fx_exec(const char *db, const char *sql);
/* PRAGMA integrity_check says "ok". */
void fx_assert_intact(const char *db);

/* Begins a run with `recipe` YAML; returns its id. */
int64_t fx_begin(s3f_run_store_t *store, const char *name, const char *kind, const char *recipe);
/* Logs one metric. */
void fx_log(s3f_run_store_t *store, int64_t run, const char *split, const char *name, int64_t step,
            int64_t epoch, double value);

#endif
