/* test_run_store.c — the run store's life cycle: begin, metrics and their
 * best/final summary, the data file with its SHA-256, checkpoints with
 * SHA-256, finish and resume, crashed
 * runs (dead pid here, stale heartbeat elsewhere), listing filters, delete,
 * the database path rule and bad input. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store_fixture.h"

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static const char k_data_sha[] = "3D41EFBECF79A0EE156CF29BEB689B9DE17B7E074011398D6096AA66746DE0CF";

static void test_begin_log_finish(void **state)
{
    store_fixture fx;
    fx_setup(&fx);
    char recipe_path[256];
    fx_path(&fx, "recipe.yaml", recipe_path);
    write_file(recipe_path, "abc"); /* SHA-256 known from FIPS 180-2 */
    int64_t id = 0;
    assert_ok(s3f_run_store_begin(
        fx.store,
        &(s3f_run_desc){.name = "qm9",
                        .kind = "train",
                        .recipe_path = recipe_path,
                        .recipe_yaml = "dataset:\n  name: qm9\n  target: homo\n",
                        .device = "cpu",
                        .plugin_versions = "xyz 1.0.0"},
        &id));
    s3f_metric batch[] = {
        {.name = "mae", .split = "val", .value = 0.5, .step = 10, .epoch = 1, .wall_time = 1},
        {.name = "mae", .split = "val", .value = 0.2, .step = 20, .epoch = 2, .wall_time = 2},
        {.name = "mae", .split = "val", .value = 0.3, .step = 30, .epoch = 3, .wall_time = 3},
        {.name = "loss", .split = "", .value = NAN, .step = 30, .epoch = 3, .wall_time = 3},
    };
    assert_ok(s3f_run_store_log_metrics(fx.store, id, batch, 4));
    assert_ok(s3f_run_store_set_summary(fx.store, id, "best.val_accuracy", 0.9));
    assert_fails(s3f_run_store_set_data(fx.store, id, "data/qm9_edge.npz", "abc"), S3F_ERR_ARG,
                 "data SHA-256 'abc'");
    assert_fails(s3f_run_store_set_data(fx.store, id + 1, "d.npz", k_data_sha), S3F_ERR_ARG, "run");
    assert_ok(s3f_run_store_set_data(fx.store, id, "data/qm9_edge.npz", k_data_sha));
    assert_ok(s3f_run_store_finish(fx.store, id, S3F_RUN_COMPLETED, "done"));

    s3f_run_record *run = NULL;
    assert_ok(s3f_run_store_get(fx.store, id, &run));
    assert_string_equal(run->name, "qm9");
    assert_string_equal(run->task, "homo");
    assert_int_equal(run->status, S3F_RUN_COMPLETED);
    assert_string_equal(run->recipe_sha256,
                        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_string_equal(run->version, S3F_VERSION_STRING);
    assert_string_equal(run->plugin_versions, "xyz 1.0.0");
    assert_string_equal(run->data_path, "data/qm9_edge.npz");
    assert_string_equal(run->data_sha256, /* stored in lower case */
                        "3d41efbecf79a0ee156cf29beb689b9de17b7e074011398d6096aa66746de0cf");
    assert_string_equal(run->message, "done");
    assert_int_equal(run->pid, getpid());
    assert_int_equal(run->epochs, 3);
    assert_false(run->has_seed);
    assert_false(isnan(run->end_time));
    assert_true(s3f_run_record_summary(run, "best.val_mae") == 0.2);
    assert_true(s3f_run_record_summary(run, "final.val_mae") == 0.3);
    assert_true(s3f_run_record_summary(run, "best.val_accuracy") == 0.9);
    assert_true(isnan(s3f_run_record_summary(run, "best.loss"))); /* NaN is never best */
    assert_true(isnan(s3f_run_record_summary(run, "final.loss")));
    s3f_run_record_destroy(run);

    s3f_metric_list *metrics = NULL;
    assert_ok(s3f_run_store_metrics(fx.store, id, "mae", &metrics));
    assert_int_equal(metrics->count, 3);
    assert_string_equal(metrics->metrics[2].split, "val");
    assert_true(metrics->metrics[2].value == 0.3 && metrics->metrics[2].step == 30);
    s3f_metric_list_destroy(metrics);
    assert_ok(s3f_run_store_metrics(fx.store, id, NULL, &metrics));
    assert_int_equal(metrics->count, 4);
    assert_true(isnan(metrics->metrics[0].value)); /* split "" sorts first */
    s3f_metric_list_destroy(metrics);
    fx_teardown(&fx);
}

static void test_checkpoints(void **state)
{
    store_fixture fx;
    fx_setup(&fx);
    int64_t id = fx_begin(fx.store, "ckpt", "train", "");
    char path[256];
    fx_path(&fx, "epoch1.safetensors", path);
    write_file(path, "abc");
    assert_ok(s3f_run_store_add_checkpoint(fx.store, id,
                                           &(s3f_checkpoint_info){.path = path,
                                                                  .epoch = 1,
                                                                  .step = 100,
                                                                  .metric_name = "val_mae",
                                                                  .metric_value = 0.25}));
    const char *given = "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD";
    assert_ok(s3f_run_store_add_checkpoint(fx.store, id,
                                           &(s3f_checkpoint_info){.path = "elsewhere.safetensors",
                                                                  .epoch = 2,
                                                                  .step = 200,
                                                                  .sha256 = given,
                                                                  .metric_value = NAN}));
    s3f_checkpoint_list *list = NULL;
    assert_ok(s3f_run_store_checkpoints(fx.store, id, &list));
    assert_int_equal(list->count, 2);
    assert_string_equal(list->checkpoints[0].sha256, list->checkpoints[1].sha256);
    assert_string_equal(list->checkpoints[0].metric_name, "val_mae");
    assert_true(list->checkpoints[0].metric_value == 0.25);
    assert_true(isnan(list->checkpoints[1].metric_value));
    assert_int_equal(list->checkpoints[1].step, 200);
    s3f_checkpoint_list_destroy(list);

    assert_fails(s3f_run_store_add_checkpoint(fx.store, id,
                                              &(s3f_checkpoint_info){.path = "x", .sha256 = "abc"}),
                 S3F_ERR_ARG, "not 64 hex digits");
    assert_fails(s3f_run_store_add_checkpoint(fx.store, id,
                                              &(s3f_checkpoint_info){.path = "/nonexistent/x"}),
                 S3F_ERR_IO, "/nonexistent/x");
    fx_teardown(&fx);
}

static void test_lifecycle_errors(void **state)
{
    store_fixture fx;
    fx_setup(&fx);
    int64_t id = fx_begin(fx.store, "r", "train", "");
    int64_t none = 0;
    assert_fails(s3f_run_store_begin(fx.store, &(s3f_run_desc){.name = "x"}, &none), S3F_ERR_ARG,
                 "name and a kind");
    assert_fails(
        s3f_run_store_begin(
            fx.store,
            &(s3f_run_desc){.name = "x", .kind = "train", .recipe_path = "/nonexistent/r.yaml"},
            &none),
        S3F_ERR_IO, "/nonexistent/r.yaml");
    assert_fails(s3f_run_store_finish(fx.store, id, S3F_RUN_CRASHED, NULL), S3F_ERR_ARG,
                 "completed, failed or interrupted");
    assert_fails(s3f_run_store_finish(fx.store, 999, S3F_RUN_FAILED, NULL), S3F_ERR_ARG,
                 "no run 999");
    assert_fails(s3f_run_store_heartbeat(fx.store, 999), S3F_ERR_ARG, "no run 999");
    fx_log(fx.store, id, "train", "loss", 1, 1, 1.0);
    /* A batch with a bad metric writes none of it. */
    s3f_metric bad[] = {{.name = "loss", .value = 2, .step = 2}, {.name = "", .step = 3}};
    assert_fails(s3f_run_store_log_metrics(fx.store, id, bad, 2), S3F_ERR_ARG, "without a name");
    assert_fails(s3f_run_store_log_metrics(fx.store, 999, bad, 1), S3F_ERR_ARG, "no run 999");
    assert_int_equal(fx_query_int(fx.db, "SELECT count(*) FROM metrics"), 1);
    assert_ok(s3f_run_store_finish(fx.store, id, S3F_RUN_INTERRUPTED, "SIGINT"));
    assert_fails(s3f_run_store_finish(fx.store, id, S3F_RUN_COMPLETED, NULL), S3F_ERR_STATE,
                 "already ended");
    s3f_run_status status;
    assert_fails(s3f_run_status_parse("finished", &status), S3F_ERR_ARG, "crashed");
    fx_teardown(&fx);
}

/* A pid that existed and is gone: a child that exited and was reaped. */
static pid_t dead_pid(void)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) _exit(0);
    waitpid(pid, NULL, 0);
    return pid;
}

static s3f_run_status status_of(s3f_run_store_t *store, int64_t id)
{
    s3f_run_record *run = NULL;
    assert_ok(s3f_run_store_get(store, id, &run));
    s3f_run_status status = run->status;
    s3f_run_record_destroy(run);
    return status;
}

static void test_crashed_and_resume(void **state)
{
    store_fixture fx;
    fx_setup(&fx);
    int64_t id = fx_begin(fx.store, "r", "train", "");
    assert_int_equal(status_of(fx.store, id), S3F_RUN_RUNNING);
    assert_fails(s3f_run_store_resume(fx.store, id), S3F_ERR_STATE, "still running");

    char sql[256];
    snprintf(sql, sizeof sql, "UPDATE runs SET pid = %d WHERE id = %lld", (int)dead_pid(),
             (long long)id);
    fx_exec(fx.db, sql);
    assert_int_equal(status_of(fx.store, id), S3F_RUN_CRASHED);

    /* Another host: judged by the heartbeat alone. */
    snprintf(sql, sizeof sql,
             "UPDATE runs SET host = 'elsewhere', heartbeat_time = %f WHERE id = %lld",
             (double)time(NULL) - 2 * S3F_RUN_HEARTBEAT_TIMEOUT_S, (long long)id);
    fx_exec(fx.db, sql);
    assert_int_equal(status_of(fx.store, id), S3F_RUN_CRASHED);
    assert_ok(s3f_run_store_heartbeat(fx.store, id));
    assert_int_equal(status_of(fx.store, id), S3F_RUN_RUNNING);

    fx_exec(fx.db, "UPDATE runs SET heartbeat_time = 0");
    assert_ok(s3f_run_store_resume(fx.store, id));
    s3f_run_record *run = NULL;
    assert_ok(s3f_run_store_get(fx.store, id, &run));
    assert_int_equal(run->status, S3F_RUN_RUNNING);
    assert_int_equal(run->pid, getpid());
    assert_true(isnan(run->end_time));
    s3f_run_record_destroy(run);

    assert_ok(s3f_run_store_finish(fx.store, id, S3F_RUN_FAILED, "diverged"));
    assert_ok(s3f_run_store_resume(fx.store, id)); /* an ended run may be resumed */
    assert_int_equal(status_of(fx.store, id), S3F_RUN_RUNNING);
    fx_teardown(&fx);
}

static void test_list_filters(void **state)
{
    store_fixture fx;
    fx_setup(&fx);
    int64_t a = fx_begin(fx.store, "qm9_homo", "train", "");
    int64_t b = fx_begin(fx.store, "qm9_lumo", "train", "");
    int64_t c = fx_begin(fx.store, "md17", "bench", "");
    fx_log(fx.store, a, "val", "mae", 1, 1, 0.3);
    fx_log(fx.store, c, "val", "mae", 1, 1, 0.1);
    assert_ok(s3f_run_store_finish(fx.store, a, S3F_RUN_COMPLETED, NULL));
    fx_exec(fx.db, "UPDATE runs SET start_time = 1000 WHERE name = 'md17'");

    s3f_run_list *list = NULL;
    assert_ok(s3f_run_store_list(fx.store, NULL, &list));
    assert_int_equal(list->count, 3);
    assert_int_equal(list->runs[0].id, c); /* newest id first by default */
    s3f_run_list_destroy(list);

    assert_ok(s3f_run_store_list(fx.store, &(s3f_run_query){.name_glob = "qm9_*"}, &list));
    assert_int_equal(list->count, 2);
    s3f_run_list_destroy(list);
    assert_ok(s3f_run_store_list(fx.store, &(s3f_run_query){.status = "completed"}, &list));
    assert_int_equal(list->count, 1);
    assert_int_equal(list->runs[0].id, a);
    s3f_run_list_destroy(list);
    assert_ok(s3f_run_store_list(fx.store, &(s3f_run_query){.since = 2000}, &list));
    assert_int_equal(list->count, 2);
    s3f_run_list_destroy(list);
    assert_ok(s3f_run_store_list(fx.store, &(s3f_run_query){.sort = "best.val_mae"}, &list));
    assert_int_equal(list->runs[0].id, c);
    assert_int_equal(list->runs[1].id, a);
    assert_int_equal(list->runs[2].id, b); /* no val_mae: last */
    s3f_run_list_destroy(list);
    assert_ok(
        s3f_run_store_list(fx.store, &(s3f_run_query){.sort = "-best.val_mae", .limit = 2}, &list));
    assert_int_equal(list->count, 2);
    assert_int_equal(list->runs[0].id, a);
    assert_int_equal(list->runs[1].id, c);
    s3f_run_list_destroy(list);
    assert_ok(s3f_run_store_list(fx.store, &(s3f_run_query){.sort = "name"}, &list));
    assert_string_equal(list->runs[0].name, "md17");
    s3f_run_list_destroy(list);

    assert_fails(s3f_run_store_list(fx.store, &(s3f_run_query){.sort = "nmae"}, &list), S3F_ERR_ARG,
                 "no sort key 'nmae'");
    assert_fails(s3f_run_store_list(fx.store, &(s3f_run_query){.status = "done"}, &list),
                 S3F_ERR_ARG, "no run status 'done'");
    fx_teardown(&fx);
}

static void test_delete(void **state)
{
    store_fixture fx;
    fx_setup(&fx);
    int64_t keep = fx_begin(fx.store, "keep", "train", "");
    int64_t gone = fx_begin(fx.store, "gone", "train", "");
    fx_log(fx.store, keep, "val", "mae", 1, 1, 0.3);
    fx_log(fx.store, gone, "val", "mae", 1, 1, 0.3);
    assert_ok(s3f_run_store_add_checkpoint(
        fx.store, gone,
        &(s3f_checkpoint_info){.path = "a.safetensors",
                               .sha256 = "00000000000000000000000000000"
                                         "00000000000000000000000000000"
                                         "000000"}));
    s3f_checkpoint_list *files = NULL;
    assert_ok(s3f_run_store_delete(fx.store, gone, &files));
    assert_int_equal(files->count, 1);
    assert_string_equal(files->checkpoints[0].path, "a.safetensors");
    s3f_checkpoint_list_destroy(files);
    assert_int_equal(fx_query_int(fx.db, "SELECT count(*) FROM runs"), 1);
    assert_int_equal(fx_query_int(fx.db, "SELECT count(*) FROM metrics"), 1);
    assert_int_equal(fx_query_int(fx.db, "SELECT count(*) FROM checkpoints"), 0);
    assert_int_equal(fx_query_int(fx.db, "SELECT count(*) FROM summary WHERE run_id != 1"), 0);
    assert_fails(s3f_run_store_delete(fx.store, gone, NULL), S3F_ERR_ARG, "no run");
    s3f_run_record *run = NULL;
    assert_fails(s3f_run_store_get(fx.store, gone, &run), S3F_ERR_ARG, "no run");
    assert_null(run);
    fx_teardown(&fx);
}

static void test_path_rule(void **state)
{
    unsetenv("SE3FLOW_DB");
    assert_string_equal(s3f_run_store_path(NULL), "se3flow.db");
    assert_string_equal(s3f_run_store_path(""), "se3flow.db");
    setenv("SE3FLOW_DB", "/tmp/env.db", 1);
    assert_string_equal(s3f_run_store_path(NULL), "/tmp/env.db");
    assert_string_equal(s3f_run_store_path("cli.db"), "cli.db");
    unsetenv("SE3FLOW_DB");
}

static void test_open_errors(void **state)
{
    store_fixture fx;
    fx_setup(&fx);
    char path[256];
    s3f_run_store_t *store = NULL;
    fx_path(&fx, "missing.db", path);
    assert_fails(s3f_run_store_open(path, 0, &store), S3F_ERR_IO, "does not exist", "--db");
    assert_fails(s3f_run_store_open("/nonexistent/dir/x.db", S3F_RUN_STORE_CREATE, &store),
                 S3F_ERR_IO, "/nonexistent/dir/x.db");
    fx_path(&fx, "text.db", path);
    write_file(path, "this is not a database, it is a text file of some length........");
    assert_fails(s3f_run_store_open(path, 0, &store), S3F_ERR_FORMAT, "text.db");
    fx_path(&fx, "other.db", path);
    fx_exec(path, "CREATE TABLE t (x)");
    assert_fails(s3f_run_store_open(path, 0, &store), S3F_ERR_FORMAT, "another program");
    fx_exec(fx.db, "PRAGMA user_version = 99");
    assert_fails(s3f_run_store_open(fx.db, 0, &store), S3F_ERR_UNSUPPORTED, "version 99", "newer");
    assert_null(store);
    fx_teardown(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_begin_log_finish), cmocka_unit_test(test_checkpoints),
        cmocka_unit_test(test_lifecycle_errors), cmocka_unit_test(test_crashed_and_resume),
        cmocka_unit_test(test_list_filters),     cmocka_unit_test(test_delete),
        cmocka_unit_test(test_path_rule),        cmocka_unit_test(test_open_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
