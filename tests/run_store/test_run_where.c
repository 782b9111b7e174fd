/* test_run_where.c — the --where language through s3f_run_store_list:
 * valid expressions select exactly the right runs (recipe keys, summary
 * values, run fields, typed comparisons, missing keys); malformed
 * expressions and SQL injection attempts fail with a message that points at
 * the column, or match nothing, and leave every table intact. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_fixture.h"

static const char k_alpha[] = "dataset:\n  name: qm9\n  target: homo\n"
                              "model:\n  num_layers: 4\n"
                              "optimizer:\n  name: adam\n  lr: 0.001\n"
                              "train:\n  amp: true\n  epochs: 10\n"
                              "loggers:\n  - name: console\n  - name: csv\n"
                              "tag: \"4\"\n";
static const char k_beta[] = "model:\n  num_layers: 7\noptimizer:\n  name: sgd\n"
                             "train:\n  amp: false\n";
static const char k_gamma[] = "model: {num_layers: 2}\noptimizer: {name: 'adam'}\n";

static store_fixture g_fx;

static int setup(void **state)
{
    fx_setup(&g_fx);
    int64_t a = fx_begin(g_fx.store, "alpha", "train", k_alpha);
    int64_t b = fx_begin(g_fx.store, "beta", "train", k_beta);
    fx_begin(g_fx.store, "gamma", "bench", k_gamma);
    fx_log(g_fx.store, a, "val", "mae", 1, 1, 0.04);
    fx_log(g_fx.store, b, "val", "mae", 1, 1, 0.10);
    return 0;
}

static int teardown(void **state)
{
    fx_teardown(&g_fx);
    return 0;
}

/* The ids that `where` selects, as a string "1,3" (ascending). */
static void selected(const char *where, char *out, size_t size)
{
    s3f_run_list *list = NULL;
    s3f_status rc =
        s3f_run_store_list(g_fx.store, &(s3f_run_query){.where = where, .sort = "id"}, &list);
    if (rc != S3F_OK) fail_msg("where '%s' failed: %s", where, s3f_last_error());
    out[0] = '\0';
    for (int i = 0; i < list->count; i++) {
        size_t n = strlen(out);
        snprintf(out + n, size - n, "%s%lld", i ? "," : "", (long long)list->runs[i].id);
    }
    s3f_run_list_destroy(list);
}

static void test_valid_expressions(void **state)
{
    static const struct {
        const char *where, *ids;
    } cases[] = {
        {"model.num_layers>=4 and best.val_mae<0.05", "1"},
        {"model.num_layers >= 4 AND best.val_mae < 0.05", "1"},
        {"optimizer.name == \"sgd\" or not train.amp", "2,3"}, /* gamma lacks train.amp */
        {"optimizer.name == 'adam'", "1,3"},
        {"not (model.num_layers > 3)", "3"},
        {"((((model.num_layers == 2))))", "3"},
        {"model.num_layers != 7", "1,3"},
        {"best.val_mae != 1", "1,2"}, /* a missing key compares false, != too */
        {"train.amp == true", "1"},
        {"train.amp == false", "2"},
        {"train.amp", "1"},
        {"name == \"beta\"", "2"},
        {"kind == 'bench' or status == \"completed\"", "3"},
        {"status == 'running' and epochs >= 1", "1,2"},
        {"loggers.1.name == \"csv\"", "1"},
        {"optimizer.lr < 1e-2 and optimizer.lr == 0.001", "1"},
        {"id >= 2 and id < 3", "2"},
        {"model.num_layers > -1", "1,2,3"},
        {"task == 'homo' and dataset.target == \"homo\"", "1"},
        {"tag == \"4\"", "1"},
        {"tag == 4", ""}, /* quoted in the recipe: a string, not a number */
        {"seed == 7", "1,2,3"},
        {"no.such.key == 1 or no_such_key", ""},
        {"true", "1,2,3"},
        {"false or 0", ""},
        {"name == \"x' OR '1'='1\"", ""},
        {"name == \"x\\\" or \\\"1\\\"==\\\"1\"", ""},
    };
    char ids[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        selected(cases[i].where, ids, sizeof ids);
        if (strcmp(ids, cases[i].ids) != 0)
            fail_msg("where '%s' selected [%s], expected [%s]", cases[i].where, ids, cases[i].ids);
    }
}

static void test_wide_chain(void **state)
{
    /* 600 conditions joined by 'and' parse wide, not deep. */
    char *where = malloc(600 * 6 + 1);
    where[0] = '\0';
    for (int i = 0; i < 600; i++) strcat(where, i ? " and 1" : "1");
    char ids[64];
    selected(where, ids, sizeof ids);
    assert_string_equal(ids, "1,2,3");
    free(where);
}

static void assert_tables_intact(void)
{
    fx_assert_intact(g_fx.db);
    assert_int_equal(fx_query_int(g_fx.db, "SELECT count(*) FROM runs"), 3);
    assert_int_equal(fx_query_int(g_fx.db, "SELECT count(*) FROM metrics"), 2);
    assert_int_equal(fx_query_int(g_fx.db, "SELECT count(*) FROM summary"), 4);
}

static void test_malformed_and_injection(void **state)
{
    static const struct {
        const char *where, *message;
    } cases[] = {
        {"1; DROP TABLE runs", "unexpected character ';' at column 2"},
        {"best.val_mae < 0.05; DELETE FROM metrics", "';' at column 20"},
        {"name == 'x' OR '1'='1'", "'=' compares nothing; write '=='"},
        {"\") OR 1=1 --", "unterminated string at column 1"},
        {"name == \"x\" --", "found '-'"},
        {"model.num_layers >=", "expected a key, number, string"},
        {"(model.num_layers > 3", "'(' is never closed"},
        {"model.num_layers > 3)", "')' without a matching '('"},
        {"", "empty"},
        {"   ", "empty"},
        {"a == 1 == 2", "do not chain"},
        {"a = 1", "'=' compares nothing"},
        {"a == 4abc", "malformed number at column 6"},
        {"a == 0x10", "malformed number"},
        {"a.. == 1", "empty part"},
        {"a. == 1", "empty part"},
        {"a b", "expected 'and', 'or' or the end, found 'b'"},
        {"and a", "found 'and'"},
        {"not", "found the end"},
        {"a == -b", "a number after '-'"},
        {"a == $x", "unexpected character '$'"},
        {"a == 1 /* */", "unexpected character '/'"},
        {"a == \xc3\xa9", "unexpected byte 0xc3"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        s3f_run_list *list = NULL;
        s3f_status rc =
            s3f_run_store_list(g_fx.store, &(s3f_run_query){.where = cases[i].where}, &list);
        if (rc != S3F_ERR_ARG || !strstr(s3f_last_error(), cases[i].message))
            fail_msg("where '%s': status %d, message '%s'; expected '%s'", cases[i].where, rc,
                     s3f_last_error(), cases[i].message);
        assert_null(list);
    }
    assert_tables_intact();
}

static void test_limits(void **state)
{
    char deep[200];
    memset(deep, '(', 100);
    strcpy(deep + 100, "1");
    memset(deep + 101, ')', 98);
    deep[199] = '\0';
    s3f_run_list *list = NULL;
    assert_fails(s3f_run_store_list(g_fx.store, &(s3f_run_query){.where = deep}, &list),
                 S3F_ERR_ARG, "nesting deeper than 64");
    char *nots = malloc(4 * 200 + 2);
    nots[0] = '\0';
    for (int i = 0; i < 200; i++) strcat(nots, "not ");
    strcat(nots, "1");
    assert_fails(s3f_run_store_list(g_fx.store, &(s3f_run_query){.where = nots}, &list),
                 S3F_ERR_ARG, "nesting deeper than 64");
    free(nots);
    char *long_text = malloc(5000);
    memset(long_text, 'a', 4999);
    long_text[4999] = '\0';
    assert_fails(s3f_run_store_list(g_fx.store, &(s3f_run_query){.where = long_text}, &list),
                 S3F_ERR_ARG, "longer than 4096");
    free(long_text);
    assert_tables_intact();
}

static void test_glob_injection(void **state)
{
    s3f_run_list *list = NULL;
    assert_ok(s3f_run_store_list(g_fx.store, &(s3f_run_query){.name_glob = "*' OR 1=1 --"}, &list));
    assert_int_equal(list->count, 0);
    s3f_run_list_destroy(list);
    assert_ok(s3f_run_store_list(g_fx.store, &(s3f_run_query){.name_glob = "*a"}, &list));
    assert_int_equal(list->count, 3);
    s3f_run_list_destroy(list);
    assert_tables_intact();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_expressions),       cmocka_unit_test(test_wide_chain),
        cmocka_unit_test(test_malformed_and_injection), cmocka_unit_test(test_limits),
        cmocka_unit_test(test_glob_injection),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
