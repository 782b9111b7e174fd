/* test_logger_jsonl.c — the jsonl logger plugin, loaded with dlopen: its
 * descriptor, one parseable JSON object per metric with the logged values,
 * flushing per call, appending on reopen, the `path` option, and bad input. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "logger_test_support.h"

static double number(const cJSON *obj, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsNumber(item)) fail_msg("line lacks number '%s'", key);
    return item->valuedouble;
}

static const char *string(const cJSON *obj, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsString(item)) fail_msg("line lacks string '%s'", key);
    return item->valuestring;
}

/* Parses every line of `path` into objects[]; returns the count. */
static int parse_lines(const char *path, cJSON **objects, int max)
{
    char *text = lt_read_file(path, NULL), *lines[16];
    int count = lt_split_lines(text, lines, 16);
    assert_true(count <= max);
    for (int i = 0; i < count; i++) {
        objects[i] = cJSON_Parse(lines[i]);
        if (!cJSON_IsObject(objects[i])) fail_msg("line %d is not a JSON object: %s", i, lines[i]);
    }
    free(text);
    return count;
}

static void delete_all(cJSON **objects, int count)
{
    for (int i = 0; i < count; i++) cJSON_Delete(objects[i]);
}

static void check_line(const cJSON *obj, const s3f_metric *m)
{
    assert_int_equal((int64_t)number(obj, "run_id"), 42);
    assert_string_equal(string(obj, "name"), m->name);
    assert_string_equal(string(obj, "split"), m->split ? m->split : "");
    assert_true(number(obj, "value") == m->value); /* exact: cJSON prints round-trip digits */
    assert_int_equal((int64_t)number(obj, "step"), m->step);
    assert_int_equal((int64_t)number(obj, "epoch"), m->epoch);
    assert_true(number(obj, "wall_time") == m->wall_time);
}

static void test_writes_one_object_per_metric(void **unused)
{
    char *dir = lt_temp_dir(), *path = lt_join(dir, "metrics.jsonl");
    lt_logger logger;
    lt_load(&logger, "jsonl", NULL);
    s3f_run_info run = lt_run_info(dir, false);
    assert_ok(lt_open(&logger, &run));
    const s3f_metric first[] = {lt_metric("train", "loss", 0.1, 10, 1),
                                lt_metric("", "lr", 1e-3, 10, 1)};
    const s3f_metric second[] = {lt_metric("val", "mae \"q\", \xc3\xa5", -2.5e-300, 20, 2),
                                 lt_metric(NULL, "grad_norm", 12345.678, 20, 2)};
    assert_ok(logger.fn->log_metrics(logger.state, first, 2));
    /* Flushed per call: the lines are in the file before close. */
    cJSON *objects[8];
    int count = parse_lines(path, objects, 8);
    assert_int_equal(count, 2);
    delete_all(objects, count);
    assert_ok(logger.fn->log_metrics(logger.state, second, 2));
    assert_ok(logger.fn->log_metrics(logger.state, NULL, 0));
    lt_unload(&logger);

    count = parse_lines(path, objects, 8);
    assert_int_equal(count, 4);
    for (int i = 0; i < 2; i++) check_line(objects[i], &first[i]);
    for (int i = 0; i < 2; i++) check_line(objects[2 + i], &second[i]);
    delete_all(objects, count);
    free(path);
    lt_remove_dir(dir);
}

static void test_non_finite_values_are_null(void **unused)
{
    char *dir = lt_temp_dir(), *path = lt_join(dir, "metrics.jsonl");
    lt_logger logger;
    lt_load(&logger, "jsonl", NULL);
    s3f_run_info run = lt_run_info(dir, false);
    assert_ok(lt_open(&logger, &run));
    const s3f_metric m[] = {lt_metric("train", "loss", NAN, 1, 1),
                            lt_metric("train", "loss", INFINITY, 2, 1)};
    assert_ok(logger.fn->log_metrics(logger.state, m, 2));
    lt_unload(&logger);
    cJSON *objects[4];
    int count = parse_lines(path, objects, 4);
    assert_int_equal(count, 2);
    for (int i = 0; i < count; i++)
        assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(objects[i], "value")));
    delete_all(objects, count);
    free(path);
    lt_remove_dir(dir);
}

static void test_reopen_appends(void **unused)
{
    char *dir = lt_temp_dir(), *path = lt_join(dir, "metrics.jsonl");
    for (int round = 0; round < 2; round++) {
        lt_logger logger;
        lt_load(&logger, "jsonl", NULL);
        s3f_run_info run = lt_run_info(dir, false);
        assert_ok(lt_open(&logger, &run));
        s3f_metric m = lt_metric("train", "loss", round, round, 1);
        assert_ok(logger.fn->log_metrics(logger.state, &m, 1));
        lt_unload(&logger);
    }
    cJSON *objects[4];
    int count = parse_lines(path, objects, 4);
    assert_int_equal(count, 2);
    assert_true(number(objects[1], "value") == 1.0);
    delete_all(objects, count);
    free(path);
    lt_remove_dir(dir);
}

static void test_path_option(void **unused)
{
    char *dir = lt_temp_dir(), *other = lt_temp_dir();
    char *absolute = lt_join(other, "abs.jsonl");
    const char *relative[] = {"path=rel.jsonl", NULL};
    const char *absolute_opt[] = {NULL, NULL};
    char option[4200];
    snprintf(option, sizeof option, "path=%s", absolute);
    absolute_opt[0] = option;
    const char *const *cases[] = {relative, absolute_opt};
    for (int c = 0; c < 2; c++) {
        lt_logger logger;
        lt_load(&logger, "jsonl", cases[c]);
        s3f_run_info run = lt_run_info(dir, false);
        assert_ok(lt_open(&logger, &run));
        s3f_metric m = lt_metric("val", "mae", 0.5, 3, 1);
        assert_ok(logger.fn->log_metrics(logger.state, &m, 1));
        lt_unload(&logger);
    }
    char *rel = lt_join(dir, "rel.jsonl");
    cJSON *objects[2];
    for (int c = 0; c < 2; c++) {
        assert_int_equal(parse_lines(c ? absolute : rel, objects, 2), 1);
        check_line(objects[0], &(s3f_metric){"mae", "val", 0.5, 3, 1, 1700000003.125});
        cJSON_Delete(objects[0]);
    }
    free(rel);
    free(absolute);
    lt_remove_dir(other);
    lt_remove_dir(dir);
}

static void test_bad_input(void **unused)
{
    char *dir = lt_temp_dir(), *missing = lt_join(dir, "no/such/dir");
    lt_logger logger;
    lt_load(&logger, "jsonl", NULL);
    s3f_run_info run = lt_run_info(missing, false);
    assert_fails(lt_open(&logger, &run), S3F_ERR_IO, "jsonl logger", "no/such/dir/metrics.jsonl");
    assert_null(logger.state);
    assert_fails(lt_open(&logger, NULL), S3F_ERR_ARG, "run_dir");
    run = lt_run_info(dir, false);
    assert_ok(lt_open(&logger, &run));
    s3f_metric unnamed = lt_metric("train", NULL, 1, 1, 1);
    assert_fails(logger.fn->log_metrics(logger.state, &unnamed, 1), S3F_ERR_ARG, "no name");
    assert_fails(logger.fn->log_metrics(logger.state, NULL, 2), S3F_ERR_ARG, "2 metrics");
    assert_fails(logger.fn->log_metrics(NULL, &unnamed, 1), S3F_ERR_ARG, "needs a state");
    logger.fn->close(NULL, "failed"); /* a no-op */
    lt_unload(&logger);
    free(missing);
    lt_remove_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_writes_one_object_per_metric),
        cmocka_unit_test(test_non_finite_values_are_null),
        cmocka_unit_test(test_reopen_appends),
        cmocka_unit_test(test_path_option),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
