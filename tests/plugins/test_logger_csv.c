/* test_logger_csv.c — the csv logger plugin, loaded with dlopen: the header
 * row, one row per metric read back by an RFC 4180 parser (names with commas,
 * quotes and newlines), values that read back exactly, flushing per call,
 * one header across reopen, the `path` option, and bad input. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logger_test_support.h"

#define MAX_ROWS   8
#define MAX_FIELDS 8

typedef struct csv_table {
    int rows;
    int fields[MAX_ROWS];
    char *cell[MAX_ROWS][MAX_FIELDS]; /* heap */
} csv_table;

/* One field starting at *p (RFC 4180: quoted fields may hold commas, CR, LF
 * and doubled quotes); leaves *p on the delimiter after it. */
static char *parse_field(const char **p)
{
    size_t size = strlen(*p) + 1, n = 0;
    char *out = malloc(size);
    assert_non_null(out);
    if (**p != '"') {
        while (**p && **p != ',' && **p != '\n') out[n++] = *(*p)++;
    } else {
        for ((*p)++;; (*p)++) {
            if (!**p) fail_msg("unterminated quoted field");
            if (**p == '"' && (*p)[1] != '"') break;
            if (**p == '"') (*p)++;
            out[n++] = **p;
        }
        (*p)++;
        if (**p && **p != ',' && **p != '\n') fail_msg("text after a closing quote");
    }
    out[n] = '\0';
    return out;
}

static csv_table parse_csv(const char *text)
{
    csv_table t = {0};
    for (const char *p = text; *p; t.rows++) {
        assert_true(t.rows < MAX_ROWS);
        for (;;) {
            assert_true(t.fields[t.rows] < MAX_FIELDS);
            t.cell[t.rows][t.fields[t.rows]++] = parse_field(&p);
            if (*p != ',') break;
            p++;
        }
        if (*p != '\n') fail_msg("row %d does not end in LF", t.rows);
        p++;
    }
    return t;
}

static void free_csv(csv_table *t)
{
    for (int r = 0; r < t->rows; r++)
        for (int f = 0; f < t->fields[r]; f++) free(t->cell[r][f]);
}

static csv_table read_csv(const char *path)
{
    char *text = lt_read_file(path, NULL);
    csv_table t = parse_csv(text);
    free(text);
    return t;
}

static void check_header(const csv_table *t)
{
    static const char *const names[] = {"run_id", "step",  "epoch",    "split",
                                        "name",   "value", "wall_time"};
    assert_int_equal(t->fields[0], 7);
    for (int f = 0; f < 7; f++) assert_string_equal(t->cell[0][f], names[f]);
}

static void check_row(const csv_table *t, int row, const s3f_metric *m)
{
    char *const *c = t->cell[row];
    assert_int_equal(t->fields[row], 7);
    assert_string_equal(c[0], "42");
    assert_int_equal(strtoll(c[1], NULL, 10), m->step);
    assert_int_equal(strtoll(c[2], NULL, 10), m->epoch);
    assert_string_equal(c[3], m->split ? m->split : "");
    assert_string_equal(c[4], m->name);
    double value = strtod(c[5], NULL);
    assert_true(value == m->value || (isnan(value) && isnan(m->value)));
    assert_true(strtod(c[6], NULL) == m->wall_time);
}

static void open_logger(lt_logger *logger, const char *dir, const char *const *overrides)
{
    lt_load(logger, "csv", overrides);
    s3f_run_info run = lt_run_info(dir, false);
    assert_ok(lt_open(logger, &run));
}

static void test_rows_and_quoting(void **unused)
{
    char *dir = lt_temp_dir(), *path = lt_join(dir, "metrics.csv");
    lt_logger logger;
    open_logger(&logger, dir, NULL);
    const s3f_metric m[] = {
        lt_metric("train", "loss", 0.1, 10, 1),
        lt_metric("", "a,b", 1.0 / 3.0, 10, 1),
        lt_metric("val", "say \"hi\"", -2.5e-300, 20, 2),
        lt_metric("va,l", "two\nlines", INFINITY, 20, 2),
        lt_metric(NULL, "nan", NAN, 21, 2),
    };
    assert_ok(logger.fn->log_metrics(logger.state, m, 2));
    csv_table t = read_csv(path); /* flushed per call: rows are there before close */
    assert_int_equal(t.rows, 3);
    free_csv(&t);
    assert_ok(logger.fn->log_metrics(logger.state, m + 2, 3));
    lt_unload(&logger);

    char *text = lt_read_file(path, NULL);
    assert_non_null(strstr(text, ",\"a,b\","));
    assert_non_null(strstr(text, ",\"say \"\"hi\"\"\","));
    assert_non_null(strstr(text, "\n42,10,1,train,loss,0.1,"));
    free(text);
    t = read_csv(path);
    assert_int_equal(t.rows, 6);
    check_header(&t);
    for (int i = 0; i < 5; i++) check_row(&t, 1 + i, &m[i]);
    free_csv(&t);
    free(path);
    lt_remove_dir(dir);
}

static void test_reopen_keeps_one_header(void **unused)
{
    char *dir = lt_temp_dir(), *path = lt_join(dir, "metrics.csv");
    for (int round = 0; round < 2; round++) {
        lt_logger logger;
        open_logger(&logger, dir, NULL);
        s3f_metric m = lt_metric("train", "loss", round, round, 1);
        assert_ok(logger.fn->log_metrics(logger.state, &m, 1));
        lt_unload(&logger);
    }
    csv_table t = read_csv(path);
    assert_int_equal(t.rows, 3);
    check_header(&t);
    check_row(&t, 2, &(s3f_metric){"loss", "train", 1.0, 1, 1, 1700000001.125});
    free_csv(&t);
    free(path);
    lt_remove_dir(dir);
}

static void test_path_option(void **unused)
{
    char *dir = lt_temp_dir(), *path = lt_join(dir, "sub.csv");
    lt_logger logger;
    open_logger(&logger, dir, (const char *[]){"path=sub.csv", NULL});
    s3f_metric m = lt_metric("val", "mae", 0.5, 3, 1);
    assert_ok(logger.fn->log_metrics(logger.state, &m, 1));
    lt_unload(&logger);
    csv_table t = read_csv(path);
    assert_int_equal(t.rows, 2);
    check_row(&t, 1, &m);
    free_csv(&t);
    free(path);
    lt_remove_dir(dir);
}

static void test_bad_input(void **unused)
{
    char *dir = lt_temp_dir(), *missing = lt_join(dir, "no/such/dir");
    lt_logger logger;
    lt_load(&logger, "csv", NULL);
    s3f_run_info run = lt_run_info(missing, false);
    assert_fails(lt_open(&logger, &run), S3F_ERR_IO, "csv logger", "no/such/dir/metrics.csv");
    assert_null(logger.state);
    assert_fails(lt_open(&logger, NULL), S3F_ERR_ARG, "run_dir");
    run = lt_run_info(dir, false);
    assert_ok(lt_open(&logger, &run));
    s3f_metric unnamed = lt_metric("train", "", 1, 1, 1);
    assert_fails(logger.fn->log_metrics(logger.state, &unnamed, 1), S3F_ERR_ARG, "no name");
    assert_fails(logger.fn->log_metrics(logger.state, &unnamed, -1), S3F_ERR_ARG, "-1 metrics");
    logger.fn->close(NULL, "failed"); /* a no-op */
    lt_unload(&logger);
    free(missing);
    lt_remove_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_and_quoting),
        cmocka_unit_test(test_reopen_keeps_one_header),
        cmocka_unit_test(test_path_option),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
