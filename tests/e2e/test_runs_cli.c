/* test_runs_cli.c — `se3flow runs` driven as a user would: the table, JSON
 * and CSV listings and their filters, --where (good, malformed, injection:
 * exit 2 and the store untouched), `runs show` with sparklines, `runs
 * metrics`, the --db / SE3FLOW_DB rule and the usage text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "runs_cli_support.h"

static cli_fixture g_fx;

static int setup(void **state)
{
    unsetenv("SE3FLOW_DB");
    cli_fixture_setup(&g_fx);
    cli_make_sample(&g_fx);
    return 0;
}

static int teardown(void **state)
{
    cli_fixture_teardown(&g_fx);
    return 0;
}

#define RUN(...) cli_run((const char *const[]){__VA_ARGS__, NULL})

/* The line of `text` that contains `needle` (copied into line). */
static void line_with(const char *text, const char *needle, char *line, size_t size)
{
    const char *at = strstr(text, needle);
    if (!at) fail_msg("no line with '%s' in:\n%s", needle, text);
    while (at > text && at[-1] != '\n') at--;
    size_t n = strcspn(at, "\n");
    snprintf(line, size, "%.*s", (int)(n < size ? n : size - 1), at);
}

static void test_table(void **state)
{
    cli_result r = RUN("runs", "--db", g_fx.db);
    assert_int_equal(r.code, 0);
    char line[512];
    line_with(r.out, "ID", line, sizeof line);
    for (const char *const *h = (const char *const[]){"NAME", "KIND", "STATUS", "TASK", "EPOCHS",
                                                      "BEST VAL", "DURATION", "STARTED", NULL};
         *h; h++)
        assert_non_null(strstr(line, *h));
    line_with(r.out, "qm9_homo", line, sizeof line);
    assert_non_null(strstr(line, "completed"));
    assert_non_null(strstr(line, "homo"));
    assert_non_null(strstr(line, " 10 "));
    assert_non_null(strstr(line, "val_mae 0.04"));
    line_with(r.out, "md17", line, sizeof line);
    assert_non_null(strstr(line, "crashed"));
    line_with(r.out, "qm9, lumo", line, sizeof line);
    assert_non_null(strstr(line, "failed"));
    /* Newest first: run 3 is the first row. */
    assert_true(strstr(r.out, "md17") < strstr(r.out, "qm9_homo"));
    cli_result_free(&r);

    r = RUN("runs", "--db", g_fx.db, "--status", "crashed");
    assert_int_equal(r.code, 0);
    assert_int_equal(cli_count(r.out, "\n"), 2);
    assert_non_null(strstr(r.out, "md17"));
    cli_result_free(&r);
    r = RUN("runs", "--db", g_fx.db, "--name", "qm9*", "--sort", "best.val_mae", "--limit", "1");
    assert_int_equal(r.code, 0);
    assert_int_equal(cli_count(r.out, "\n"), 2);
    assert_non_null(strstr(r.out, "qm9_homo"));
    cli_result_free(&r);
    r = RUN("runs", "--db", g_fx.db, "--since", "2000-01-01");
    assert_int_equal(cli_count(r.out, "\n"), 4);
    cli_result_free(&r);
    r = RUN("runs", "--db", g_fx.db, "--since", "1h");
    assert_int_equal(cli_count(r.out, "\n"), 4);
    cli_result_free(&r);
    r = RUN("runs", "--db", g_fx.db, "--name", "nothing*");
    assert_int_equal(r.code, 0);
    assert_non_null(strstr(r.err, "no runs match"));
    cli_result_free(&r);
}

static const cJSON *field(const cJSON *object, const char *name)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);
    if (!item) fail_msg("JSON object has no '%s'", name);
    return item;
}

static void test_json(void **state)
{
    cli_result r = RUN("runs", "--db", g_fx.db, "--json", "--sort", "id");
    assert_int_equal(r.code, 0);
    cJSON *array = cJSON_Parse(r.out);
    assert_non_null(array);
    assert_int_equal(cJSON_GetArraySize(array), 3);
    const cJSON *first = cJSON_GetArrayItem(array, 0);
    assert_int_equal(field(first, "id")->valueint, 1);
    assert_string_equal(field(first, "name")->valuestring, "qm9_homo");
    assert_string_equal(field(first, "status")->valuestring, "completed");
    assert_string_equal(field(first, "task")->valuestring, "homo");
    assert_string_equal(field(first, "device")->valuestring, "cpu");
    assert_string_equal(field(first, "message")->valuestring, "done");
    assert_int_equal(field(first, "epochs")->valueint, 10);
    const cJSON *best = field(first, "best_validation");
    assert_string_equal(field(best, "metric")->valuestring, "val_mae");
    assert_float_equal(field(best, "value")->valuedouble, 0.04, 1e-12);
    assert_float_equal(field(field(first, "summary"), "final.train_loss")->valuedouble, 0.08,
                       1e-12);
    assert_true(cJSON_IsString(field(first, "ended")));
    assert_string_equal(field(cJSON_GetArrayItem(array, 2), "status")->valuestring, "crashed");
    assert_true(cJSON_IsNull(field(cJSON_GetArrayItem(array, 2), "ended")));
    cJSON_Delete(array);
    cli_result_free(&r);

    r = RUN("runs", "--db", g_fx.db, "--json", "--status", "running");
    assert_int_equal(r.code, 0);
    array = cJSON_Parse(r.out);
    assert_int_equal(cJSON_GetArraySize(array), 0);
    cJSON_Delete(array);
    cli_result_free(&r);
}

static void test_csv(void **state)
{
    cli_result r = RUN("runs", "--db", g_fx.db, "--csv", "--sort", "id");
    assert_int_equal(r.code, 0);
    assert_true(strncmp(r.out,
                        "id,name,kind,status,task,epochs,best_metric,best_value,duration_s,"
                        "started\n1,qm9_homo,train,completed,homo,10,val_mae,0.04,",
                        strlen("id,name,kind,status,task,epochs,best_metric,best_value,"
                               "duration_s,started\n1,qm9_homo,train,completed,homo,10,val_mae,"
                               "0.04,")) == 0);
    assert_non_null(strstr(r.out, "\n2,\"qm9, lumo\",train,failed,lumo,10,val_mae,0.2,"));
    assert_non_null(strstr(r.out, "\n3,md17,bench,crashed,,1,val_mae,0.5,"));
    assert_int_equal(cli_count(r.out, "\n"), 4);
    cli_result_free(&r);
    r = RUN("runs", "--db", g_fx.db, "--csv", "--json");
    assert_int_equal(r.code, 2);
    cli_result_free(&r);
}

static void test_where(void **state)
{
    cli_result r = RUN("runs", "--db", g_fx.db, "--csv", "--where",
                       "model.num_layers>=4 and best.val_mae<0.05");
    assert_int_equal(r.code, 0);
    assert_int_equal(cli_count(r.out, "\n"), 2);
    assert_non_null(strstr(r.out, "\n1,qm9_homo,"));
    cli_result_free(&r);
    r = RUN("runs", "--db", g_fx.db, "--csv", "--where",
            "optimizer.name == \"adam\" or "
            "not model.num_layers > 3");
    assert_int_equal(cli_count(r.out, "\n"), 4); /* md17 has no recipe: not(false) */
    cli_result_free(&r);

    static const char *const attacks[] = {"1; DROP TABLE runs", "name == 'x' OR '1'='1'",
                                          "best.val_mae < 0.05; DELETE FROM metrics",
                                          "\") OR 1=1 --", "(model.num_layers > 3"};
    for (size_t i = 0; i < sizeof attacks / sizeof attacks[0]; i++) {
        r = RUN("runs", "--db", g_fx.db, "--where", attacks[i]);
        if (r.code != 2 || !strstr(r.err, "where expression") || !strstr(r.err, "column"))
            fail_msg("--where '%s': exit %d, stderr '%s'", attacks[i], r.code, r.err);
        assert_string_equal(r.out, "");
        cli_result_free(&r);
    }
    r = RUN("runs", "--db", g_fx.db, "--where", "name == \"x' OR '1'='1\"");
    assert_int_equal(r.code, 0);
    assert_int_equal(cli_count(r.out, "\n"), 1); /* the header only */
    cli_result_free(&r);
    /* Everything is still there. */
    r = RUN("runs", "--db", g_fx.db, "--csv");
    assert_int_equal(cli_count(r.out, "\n"), 4);
    cli_result_free(&r);
    r = RUN("runs", "metrics", "1", "--db", g_fx.db, "--csv");
    assert_int_equal(cli_count(r.out, "\n"), 21);
    cli_result_free(&r);
}

static void test_show(void **state)
{
    cli_result r = RUN("runs", "show", "1", "--db", g_fx.db);
    assert_int_equal(r.code, 0);
    assert_non_null(strstr(r.out, "run 1  qm9_homo  (train, completed)"));
    assert_non_null(strstr(r.out, "best.val_mae"));
    char line[512];
    line_with(r.out, "  val_mae ", line, sizeof line);
    assert_non_null(strstr(line, "█")); /* falls from its highest ... */
    assert_non_null(strstr(line, "▁")); /* ... to its lowest */
    assert_true(strstr(line, "█") < strstr(line, "▁"));
    assert_non_null(strstr(r.out, "homo_epoch10.safetensors"));
    assert_non_null(strstr(r.out, "recipe (resolved)\n  dataset:\n    name: qm9\n"));
    cli_result_free(&r);
    r = RUN("runs", "--db", g_fx.db, "show", "99");
    assert_int_equal(r.code, 2);
    assert_non_null(strstr(r.err, "no run 99"));
    cli_result_free(&r);
    r = RUN("runs", "show", "x1", "--db", g_fx.db);
    assert_int_equal(r.code, 2);
    assert_non_null(strstr(r.err, "not a run id"));
    cli_result_free(&r);
}

static void test_metrics(void **state)
{
    cli_result r = RUN("runs", "metrics", "2", "--name", "mae", "--csv", "--db", g_fx.db);
    assert_int_equal(r.code, 0);
    assert_int_equal(cli_count(r.out, "\n"), 11);
    assert_true(strncmp(r.out, "step,epoch,split,name,value,wall_time\n100,1,val,mae,2,", 52) == 0);
    cli_result_free(&r);
    r = RUN("runs", "metrics", "2", "--db", g_fx.db);
    assert_int_equal(r.code, 0);
    assert_int_equal(cli_count(r.out, "train_loss"), 10);
    assert_int_equal(cli_count(r.out, "val_mae"), 10);
    cli_result_free(&r);
}

static void test_db_rule_and_usage(void **state)
{
    /* SE3FLOW_DB when there is no --db ... */
    setenv("SE3FLOW_DB", g_fx.db, 1);
    cli_result r = RUN("runs", "--csv");
    assert_int_equal(r.code, 0);
    assert_int_equal(cli_count(r.out, "\n"), 4);
    cli_result_free(&r);
    /* ... --db over it ... */
    setenv("SE3FLOW_DB", "/nonexistent/env.db", 1);
    r = RUN("runs", "--csv", "--db", g_fx.db);
    assert_int_equal(r.code, 0);
    cli_result_free(&r);
    r = RUN("runs", "--csv");
    assert_int_equal(r.code, 1);
    assert_non_null(strstr(r.err, "/nonexistent/env.db does not exist"));
    cli_result_free(&r);
    /* ... and se3flow.db in the working directory without either; listing
     * never creates it. */
    unsetenv("SE3FLOW_DB");
    r = cli_run_in(g_fx.dir, (const char *const[]){"runs", NULL});
    assert_int_equal(r.code, 1);
    assert_non_null(strstr(r.err, "se3flow.db does not exist"));
    cli_result_free(&r);
    char default_db[256];
    snprintf(default_db, sizeof default_db, "%s/se3flow.db", g_fx.dir);
    assert_int_not_equal(access(default_db, F_OK), 0);

    r = RUN("help", "runs");
    assert_int_equal(r.code, 0);
    assert_non_null(strstr(r.out, "--where EXPR"));
    assert_non_null(strstr(r.out, "best.val_mae"));
    cli_result_free(&r);
    r = RUN("runs", "--bogus");
    assert_int_equal(r.code, 2);
    cli_result_free(&r);
    r = RUN("runs", "frobnicate");
    assert_int_equal(r.code, 2);
    assert_non_null(strstr(r.err, "no subcommand 'frobnicate'"));
    cli_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_where),
        cmocka_unit_test(test_show),
        cmocka_unit_test(test_metrics),
        cmocka_unit_test(test_db_rule_and_usage),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
