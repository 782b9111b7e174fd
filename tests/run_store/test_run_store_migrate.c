/* test_run_store_migrate.c — opening a version-1 database, made here by
 * hand as an se3flow of schema version 1 wrote it, upgrades it in place:
 * data kept, heartbeat and summary values filled from what was stored, and
 * the result usable for new writes, queries and where expressions. */
#include <math.h>
#include <stdio.h>

#include "store_fixture.h"

/* The schema of version 1, verbatim, with two runs' worth of rows. */
static const char k_version_1[] =
    "CREATE TABLE runs (id INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL,"
    "  status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'interrupted')),"
    "  recipe TEXT NOT NULL DEFAULT '', recipe_path TEXT, recipe_sha256 TEXT, seed INTEGER,"
    "  device TEXT, host TEXT NOT NULL, pid INTEGER NOT NULL, version TEXT NOT NULL,"
    "  plugin_versions TEXT, start_time REAL NOT NULL, end_time REAL, message TEXT);"
    "CREATE TABLE metrics (id INTEGER PRIMARY KEY,"
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, step INTEGER NOT NULL,"
    "  epoch INTEGER NOT NULL, split TEXT NOT NULL DEFAULT '', name TEXT NOT NULL, value REAL,"
    "  wall_time REAL NOT NULL);"
    "CREATE INDEX metrics_by_run ON metrics (run_id, name, split, step);"
    "CREATE TABLE checkpoints (id INTEGER PRIMARY KEY,"
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, path TEXT NOT NULL,"
    "  epoch INTEGER NOT NULL, step INTEGER NOT NULL, sha256 TEXT NOT NULL,"
    "  metric_name TEXT NOT NULL DEFAULT '', metric_value REAL, time REAL NOT NULL);"
    "CREATE INDEX checkpoints_by_run ON checkpoints (run_id);"
    "INSERT INTO runs VALUES (1, 'old_a', 'train', 'completed', 'model:\n  num_layers: 4\n',"
    "  'a.yaml', NULL, 1, 'cpu', 'somehost', 12345, '0.0.9', '', 100.0, 200.0, 'done');"
    "INSERT INTO runs VALUES (2, 'old_b', 'train', 'failed', 'model:\n  num_layers: 8\n',"
    "  NULL, NULL, NULL, 'cpu', 'somehost', 12346, '0.0.9', '', 300.0, NULL, 'NaN loss');"
    "INSERT INTO metrics (run_id, step, epoch, split, name, value, wall_time) VALUES"
    "  (1, 10, 1, 'val', 'mae', 0.30, 110), (1, 20, 2, 'val', 'mae', 0.10, 120),"
    "  (1, 30, 3, 'val', 'mae', 0.20, 130), (1, 30, 3, 'train', 'loss', 0.5, 130),"
    "  (2, 10, 1, 'val', 'mae', 0.70, 310), (2, 20, 2, 'val', 'mae', NULL, 320);"
    "INSERT INTO checkpoints (run_id, path, epoch, step, sha256, time) VALUES"
    "  (1, 'a/epoch2.safetensors', 2, 20, 'ab', 120);"
    "PRAGMA user_version = 1;";

static void test_migrates_version_1(void **state)
{
    store_fixture fx;
    fx_setup(&fx);
    s3f_run_store_close(fx.store);
    remove(fx.db);
    fx_exec(fx.db, k_version_1);
    assert_int_equal(fx_query_int(fx.db, "PRAGMA user_version"), 1);

    assert_ok(s3f_run_store_open(fx.db, 0, &fx.store));
    assert_int_equal(fx_query_int(fx.db, "PRAGMA user_version"), S3F_RUN_STORE_SCHEMA_VERSION);
    fx_assert_intact(fx.db);

    s3f_run_record *run = NULL;
    assert_ok(s3f_run_store_get(fx.store, 1, &run));
    assert_string_equal(run->name, "old_a");
    assert_int_equal(run->status, S3F_RUN_COMPLETED);
    assert_true(run->heartbeat_time == 200.0); /* its end */
    assert_true(s3f_run_record_summary(run, "best.val_mae") == 0.10);
    assert_true(s3f_run_record_summary(run, "final.val_mae") == 0.20);
    assert_true(s3f_run_record_summary(run, "final.train_loss") == 0.5);
    assert_int_equal(run->epochs, 3);
    assert_string_equal(run->data_path, ""); /* version 3's columns, empty for old runs */
    assert_string_equal(run->data_sha256, "");
    s3f_run_record_destroy(run);
    assert_ok(s3f_run_store_get(fx.store, 2, &run));
    assert_true(run->heartbeat_time == 320.0); /* its last metric */
    assert_true(s3f_run_record_summary(run, "best.val_mae") == 0.70);
    assert_true(isnan(s3f_run_record_summary(run, "final.val_mae")));
    s3f_run_record_destroy(run);

    /* Old and new runs live side by side. */
    int64_t id = fx_begin(fx.store, "new", "train", "model:\n  num_layers: 6\n");
    fx_log(fx.store, id, "val", "mae", 1, 1, 0.05);
    s3f_run_list *list = NULL;
    assert_ok(s3f_run_store_list(fx.store,
                                 &(s3f_run_query){.where = "model.num_layers >= 4 and "
                                                           "best.val_mae < 0.5",
                                                  .sort = "id"},
                                 &list));
    assert_int_equal(list->count, 2);
    assert_int_equal(list->runs[0].id, 1);
    assert_int_equal(list->runs[1].id, id);
    s3f_run_list_destroy(list);

    /* Opening again finds the current version and changes nothing. */
    s3f_run_store_close(fx.store);
    assert_ok(s3f_run_store_open(fx.db, 0, &fx.store));
    assert_int_equal(fx_query_int(fx.db, "SELECT count(*) FROM summary WHERE run_id = 1"), 4);
    fx_teardown(&fx);
}

static void test_new_database_is_current(void **state)
{
    store_fixture fx;
    fx_setup(&fx);
    assert_int_equal(fx_query_int(fx.db, "PRAGMA user_version"), S3F_RUN_STORE_SCHEMA_VERSION);
    assert_int_equal(fx_query_int(fx.db, "SELECT count(*) FROM pragma_journal_mode "
                                         "WHERE journal_mode = 'wal'"),
                     1);
    fx_teardown(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_migrates_version_1),
        cmocka_unit_test(test_new_database_is_current),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
