/* test_run_store_processes.c — the run store under several processes:
 * two writers logging to one database at once lose nothing, and a writer
 * killed with SIGKILL in the middle of logging leaves a consistent database
 * (whole batches only) and a run reported as crashed.
 *
 * Children never call cmocka: they report through their exit status. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store_fixture.h"

enum { WRITES = 400, BATCH = 25 };

/* A child's work: its own run plus a run both children share. Exit 0 on
 * success, 1 with the message on stderr. */
static int writer(const char *db, int64_t shared, int which)
{
    s3f_run_store_t *store = NULL;
    int64_t own = 0;
    s3f_status rc = s3f_run_store_open(db, 0, &store);
    if (rc == S3F_OK)
        rc = s3f_run_store_begin(store, &(s3f_run_desc){.name = "writer", .kind = "train"}, &own);
    for (int i = 0; rc == S3F_OK && i < WRITES; i++) {
        s3f_metric m = {.name = "loss",
                        .split = which ? "b" : "a",
                        .value = i,
                        .step = i,
                        .epoch = i / 100,
                        .wall_time = i};
        rc = s3f_run_store_log_metrics(store, own, &m, 1);
        if (rc == S3F_OK) rc = s3f_run_store_log_metrics(store, shared, &m, 1);
    }
    if (rc == S3F_OK) rc = s3f_run_store_finish(store, own, S3F_RUN_COMPLETED, NULL);
    if (rc != S3F_OK) fprintf(stderr, "writer %d: %s\n", which, s3f_last_error());
    s3f_run_store_close(store);
    return rc == S3F_OK ? 0 : 1;
}

static void test_concurrent_writers(void **state)
{
    store_fixture fx;
    fx_setup(&fx);
    int64_t shared = fx_begin(fx.store, "shared", "train", "");
    /* No SQLite connection may cross a fork: each child opens its own. */
    s3f_run_store_close(fx.store);
    fx.store = NULL;
    pid_t children[2];
    for (int c = 0; c < 2; c++) {
        children[c] = fork();
        assert_true(children[c] >= 0);
        if (children[c] == 0) _exit(writer(fx.db, shared, c));
    }
    for (int c = 0; c < 2; c++) {
        int status = 0;
        assert_int_equal(waitpid(children[c], &status, 0), children[c]);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    fx_assert_intact(fx.db);
    assert_int_equal(fx_query_int(fx.db, "SELECT count(*) FROM metrics"), 4 * WRITES);
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT count(DISTINCT split || step) FROM metrics WHERE run_id = %lld",
             (long long)shared);
    assert_int_equal(fx_query_int(fx.db, sql), 2 * WRITES);
    assert_int_equal(fx_query_int(fx.db, "SELECT count(*) FROM runs WHERE status = 'completed'"),
                     2);
    assert_int_equal(fx_query_int(fx.db, "SELECT count(*) FROM summary WHERE key = 'final.a_loss'"
                                         " AND value = 399"),
                     2);
    fx_teardown(&fx);
}

/* Logs batches of BATCH metrics forever, telling the parent its run id. */
static void endless_writer(const char *db, int report_fd)
{
    s3f_run_store_t *store = NULL;
    int64_t id = 0;
    if (s3f_run_store_open(db, 0, &store) != S3F_OK ||
        s3f_run_store_begin(store, &(s3f_run_desc){.name = "doomed", .kind = "train"}, &id) !=
            S3F_OK ||
        write(report_fd, &id, sizeof id) != sizeof id)
        _exit(1);
    s3f_metric batch[BATCH];
    for (int64_t step = 0;; step++) {
        for (int i = 0; i < BATCH; i++)
            batch[i] = (s3f_metric){.name = "loss",
                                    .split = "train",
                                    .value = (double)step,
                                    .step = step,
                                    .epoch = step,
                                    .wall_time = (double)i};
        if (s3f_run_store_log_metrics(store, id, batch, BATCH) != S3F_OK) _exit(2);
    }
}

static void test_kill_9_leaves_consistent_crashed_run(void **state)
{
    store_fixture fx;
    fx_setup(&fx);
    /* No SQLite connection may cross a fork: the child opens its own. */
    s3f_run_store_close(fx.store);
    fx.store = NULL;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) endless_writer(fx.db, fds[1]);
    int64_t id = 0;
    assert_int_equal(read(fds[0], &id, sizeof id), sizeof id);
    close(fds[0]);
    close(fds[1]);
    /* Let it commit a good number of batches, then kill it mid-stream. */
    for (int tries = 0; tries < 2000; tries++) {
        if (fx_query_int(fx.db, "SELECT count(*) FROM metrics") >= 40 * BATCH) break;
        nanosleep(&(struct timespec){.tv_nsec = 5000000}, NULL);
    }
    assert_int_equal(kill(child, SIGKILL), 0);
    int status = 0;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

    fx_assert_intact(fx.db);
    int64_t count = fx_query_int(fx.db, "SELECT count(*) FROM metrics");
    assert_true(count >= 40 * BATCH);
    assert_int_equal(count % BATCH, 0); /* whole batches only */
    assert_int_equal(fx_query_int(fx.db, "SELECT max(step) FROM metrics") + 1, count / BATCH);
    assert_int_equal(
        fx_query_int(fx.db, "SELECT value FROM summary WHERE key = 'final.train_loss'"),
        count / BATCH - 1);

    assert_ok(s3f_run_store_open(fx.db, 0, &fx.store));
    s3f_run_record *run = NULL;
    assert_ok(s3f_run_store_get(fx.store, id, &run));
    assert_int_equal(run->status, S3F_RUN_CRASHED);
    s3f_run_record_destroy(run);
    s3f_run_list *list = NULL;
    assert_ok(s3f_run_store_list(fx.store, &(s3f_run_query){.status = "crashed"}, &list));
    assert_int_equal(list->count, 1);
    s3f_run_list_destroy(list);
    fx_teardown(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_concurrent_writers),
        cmocka_unit_test(test_kill_9_leaves_consistent_crashed_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
