/* test_logger_tensorboard.c — the tensorboard logger plugin, loaded with
 * dlopen. The event file is read back here by an independent reader: TFRecord
 * framing with both masked CRC32Cs (a bitwise CRC32C, not the plugin's
 * library), then a protobuf decode of every Event (wall time, step, file
 * version, scalar tag and value). Also: infinities for values beyond the
 * float range, negative and huge steps, the file name and `dir` option,
 * distinct files for loggers opened in the same second, and bad input.
 *
 * With --interop (a ctest entry of its own) it instead has TensorBoard's
 * EventAccumulator (tests/plugins/read_tfevents.py) read the scalars back,
 * and exits 77 (skipped) when Python's `tensorboard` package is missing. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "logger_test_support.h"

/* ---- an independent reader ---------------------------------------------- */

static uint32_t crc32c_reference(const uint8_t *data, size_t size)
{
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < size; i++) {
        crc ^= data[i];
        for (int bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >> 1) ^ 0x82f63b78u : crc >> 1;
    }
    return ~crc;
}

static uint32_t masked(uint32_t crc)
{
    return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

static uint64_t read_le(const uint8_t *p, int size)
{
    uint64_t v = 0;
    for (int i = size - 1; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

typedef struct pb_field {
    unsigned number, wire;
    uint64_t u;          /* varint, fixed64 and fixed32 values */
    const uint8_t *data; /* length-delimited bytes */
    size_t size;
} pb_field;

static uint64_t read_varint(const uint8_t **p, const uint8_t *end)
{
    uint64_t v = 0;
    for (int shift = 0;; shift += 7) {
        if (*p >= end || shift >= 64) fail_msg("truncated or overlong varint");
        uint8_t byte = *(*p)++;
        v |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80)) return v;
    }
}

/* Reads the next field of a message at *p; false at the end. */
static bool next_field(const uint8_t **p, const uint8_t *end, pb_field *f)
{
    if (*p == end) return false;
    uint64_t key = read_varint(p, end);
    *f = (pb_field){.number = (unsigned)(key >> 3), .wire = (unsigned)(key & 7)};
    int fixed = f->wire == 1 ? 8 : f->wire == 5 ? 4 : 0;
    if (f->wire == 0) {
        f->u = read_varint(p, end);
    } else if (fixed) {
        assert_true(end - *p >= fixed);
        f->u = read_le(*p, fixed);
        *p += fixed;
    } else if (f->wire == 2) {
        f->size = read_varint(p, end);
        assert_true((uint64_t)(end - *p) >= f->size);
        f->data = *p;
        *p += f->size;
    } else {
        fail_msg("field %u has wire type %u", f->number, f->wire);
    }
    return true;
}

typedef struct tb_event {
    double wall_time;
    int64_t step;
    char file_version[32];
    char tag[128];
    float value;
    int values; /* scalar values in the summary */
} tb_event;

static void copy_text(char *out, size_t out_size, const pb_field *f)
{
    assert_true(f->size < out_size);
    memcpy(out, f->data, f->size);
    out[f->size] = '\0';
}

/* Summary.Value{tag = 1, simple_value = 2} */
static void decode_value(const uint8_t *p, const uint8_t *end, tb_event *e)
{
    pb_field f;
    while (next_field(&p, end, &f)) {
        if (f.number == 1 && f.wire == 2) copy_text(e->tag, sizeof e->tag, &f);
        if (f.number == 2 && f.wire == 5) {
            uint32_t bits = (uint32_t)f.u;
            memcpy(&e->value, &bits, 4);
        }
    }
    e->values++;
}

/* Event{wall_time = 1, step = 2, file_version = 3, summary = 5{value = 1}} */
static void decode_event(const uint8_t *p, const uint8_t *end, tb_event *e)
{
    pb_field f, g;
    *e = (tb_event){0};
    while (next_field(&p, end, &f)) {
        if (f.number == 1 && f.wire == 1) memcpy(&e->wall_time, &f.u, 8);
        if (f.number == 2 && f.wire == 0) e->step = (int64_t)f.u;
        if (f.number == 3 && f.wire == 2) copy_text(e->file_version, sizeof e->file_version, &f);
        if (f.number != 5 || f.wire != 2) continue;
        for (const uint8_t *q = f.data; next_field(&q, f.data + f.size, &g);)
            if (g.number == 1 && g.wire == 2) decode_value(g.data, g.data + g.size, e);
    }
}

/* Every record of the file, framing and CRCs checked; returns the count. */
static int read_events(const char *path, tb_event *events, int max)
{
    size_t size;
    uint8_t *bytes = (uint8_t *)lt_read_file(path, &size);
    int count = 0;
    for (size_t at = 0; at < size; count++) {
        assert_true(count < max && size - at >= 12);
        uint64_t length = read_le(bytes + at, 8);
        assert_int_equal(read_le(bytes + at + 8, 4), masked(crc32c_reference(bytes + at, 8)));
        at += 12;
        assert_true(size - at >= length + 4);
        assert_int_equal(read_le(bytes + at + length, 4),
                         masked(crc32c_reference(bytes + at, length)));
        decode_event(bytes + at, bytes + at + length, &events[count]);
        at += length + 4;
    }
    free(bytes);
    return count;
}

/* The paths of the event files in `dir` (heap), sorted; returns the count. */
static int event_files(const char *dir, char **paths, int max)
{
    DIR *d = opendir(dir);
    if (!d) fail_msg("no directory %s", dir);
    int count = 0;
    for (struct dirent *entry; (entry = readdir(d));) {
        if (entry->d_name[0] == '.') continue;
        assert_true(count < max);
        paths[count++] = lt_join(dir, entry->d_name);
    }
    closedir(d);
    for (int i = 1; i < count; i++)
        for (int j = i; j > 0 && strcmp(paths[j - 1], paths[j]) > 0; j--) {
            char *swap = paths[j];
            paths[j] = paths[j - 1], paths[j - 1] = swap;
        }
    return count;
}

/* ---- the plugin --------------------------------------------------------- */

static const s3f_metric *sample_metrics(int *count)
{
    static s3f_metric m[5];
    m[0] = lt_metric("train", "loss", 0.1, 1, 1);
    m[1] = lt_metric("", "lr", 1e-3, 1, 1);
    m[2] = lt_metric("train", "loss", 0.05, 300, 1);
    m[3] = lt_metric("val", "mae", 2.5, 300, 1);
    m[4] = lt_metric("val", "mae", -7.25, 5000000000, 3);
    *count = 5;
    return m;
}

static void check_scalar(const tb_event *e, const s3f_metric *m)
{
    char tag[128];
    snprintf(tag, sizeof tag, "%s%s%s", m->split, m->split[0] ? "/" : "", m->name);
    assert_string_equal(e->tag, tag);
    assert_int_equal(e->values, 1);
    assert_true(e->value == (float)m->value);
    assert_int_equal(e->step, m->step);
    assert_true(e->wall_time == m->wall_time);
}

static void test_crc32c_reference(void **unused)
{
    /* The check value of CRC-32C (RFC 3720 appendix B.4 parameters). */
    assert_int_equal(crc32c_reference((const uint8_t *)"123456789", 9), 0xe3069283u);
}

static void test_event_file(void **unused)
{
    char *dir = lt_temp_dir(), *tb_dir = lt_join(dir, "tensorboard"), *paths[4];
    lt_logger logger;
    lt_load(&logger, "tensorboard", NULL);
    s3f_run_info run = lt_run_info(dir, false);
    assert_ok(lt_open(&logger, &run));
    int count;
    const s3f_metric *m = sample_metrics(&count);
    assert_ok(logger.fn->log_metrics(logger.state, m, 2));
    assert_int_equal(event_files(tb_dir, paths, 4), 1);
    tb_event events[8];
    assert_int_equal(read_events(paths[0], events, 8), 3); /* flushed per call */
    assert_ok(logger.fn->log_metrics(logger.state, m + 2, count - 2));
    lt_unload(&logger);

    char host[256] = "", prefix[300];
    gethostname(host, sizeof host);
    long long stamp;
    assert_int_equal(
        sscanf(strrchr(paths[0], '/'), "/events.out.tfevents.%lld.%299s", &stamp, prefix), 2);
    assert_string_equal(prefix, host);
    assert_int_equal(read_events(paths[0], events, 8), 1 + count);
    assert_string_equal(events[0].file_version, "brain.Event:2");
    assert_int_equal(events[0].values, 0);
    for (int i = 0; i < count; i++) check_scalar(&events[1 + i], &m[i]);
    free(paths[0]);
    free(tb_dir);
    lt_remove_dir(dir);
}

static void test_extreme_values_and_steps(void **unused)
{
    char *dir = lt_temp_dir(), *tb_dir = lt_join(dir, "tensorboard"), *paths[2];
    lt_logger logger;
    lt_load(&logger, "tensorboard", NULL);
    s3f_run_info run = lt_run_info(dir, false);
    assert_ok(lt_open(&logger, &run));
    /* Beyond the float range: infinities. A negative step: ten-byte varint. */
    const s3f_metric m[] = {lt_metric("train", "big", 1e300, -1, 0),
                            lt_metric("train", "small", -1e300, INT64_MAX, 0),
                            lt_metric("train", "nan", NAN, 7, 0)};
    assert_ok(logger.fn->log_metrics(logger.state, m, 3));
    lt_unload(&logger);
    assert_int_equal(event_files(tb_dir, paths, 2), 1);
    tb_event events[4];
    assert_int_equal(read_events(paths[0], events, 4), 4);
    assert_true(events[1].value == INFINITY && events[1].step == -1);
    assert_true(events[2].value == -INFINITY && events[2].step == INT64_MAX);
    assert_true(isnan(events[3].value));
    free(paths[0]);
    free(tb_dir);
    lt_remove_dir(dir);
}

static void test_dir_option_and_distinct_files(void **unused)
{
    char *dir = lt_temp_dir(), *tb_dir = lt_join(dir, "tb/nested/deeper"), *paths[4];
    lt_logger a, b;
    const char *options[] = {"dir=tb/nested/deeper", NULL};
    lt_load(&a, "tensorboard", options);
    lt_load(&b, "tensorboard", options);
    s3f_run_info run = lt_run_info(dir, false);
    assert_ok(lt_open(&a, &run));
    assert_ok(lt_open(&b, &run)); /* same second: a file of its own */
    s3f_metric m = lt_metric("val", "mae", 0.5, 3, 1);
    assert_ok(a.fn->log_metrics(a.state, &m, 1));
    lt_unload(&a);
    lt_unload(&b);
    assert_int_equal(event_files(tb_dir, paths, 4), 2);
    tb_event events[4];
    int total = read_events(paths[0], events, 4) + read_events(paths[1], events, 4);
    assert_int_equal(total, 3);
    free(paths[0]);
    free(paths[1]);
    free(tb_dir);
    lt_remove_dir(dir);
}

static void test_bad_input(void **unused)
{
    char *dir = lt_temp_dir(), *file = lt_join(dir, "a_file");
    fclose(fopen(file, "w"));
    lt_logger logger;
    lt_load(&logger, "tensorboard", NULL);
    s3f_run_info run = lt_run_info(file, false); /* run_dir is a regular file */
    assert_fails(lt_open(&logger, &run), S3F_ERR_IO, "tensorboard logger", "a_file/tensorboard");
    assert_null(logger.state);
    assert_fails(lt_open(&logger, NULL), S3F_ERR_ARG, "run_dir");
    run = lt_run_info(dir, false);
    assert_ok(lt_open(&logger, &run));
    s3f_metric unnamed = lt_metric("train", NULL, 1, 1, 1);
    assert_fails(logger.fn->log_metrics(logger.state, &unnamed, 1), S3F_ERR_ARG, "no name");
    assert_fails(logger.fn->log_metrics(NULL, &unnamed, 1), S3F_ERR_ARG, "needs a state");
    logger.fn->close(NULL, "failed"); /* a no-op */
    lt_unload(&logger);
    free(file);
    lt_remove_dir(dir);
}

/* ---- TensorBoard's reader ------------------------------------------------ */

static void test_tensorboard_reads_scalars(void **unused)
{
    char *dir = lt_temp_dir(), command[8192];
    lt_logger logger;
    lt_load(&logger, "tensorboard", NULL);
    s3f_run_info run = lt_run_info(dir, false);
    assert_ok(lt_open(&logger, &run));
    int count;
    const s3f_metric *m = sample_metrics(&count);
    assert_ok(logger.fn->log_metrics(logger.state, m, count));
    lt_unload(&logger);

    snprintf(command, sizeof command, "python3 '%s/plugins/read_tfevents.py' '%s/tensorboard'",
             S3F_TEST_SOURCE_DIR, dir);
    FILE *reader = popen(command, "r");
    assert_non_null(reader);
    /* read_tfevents.py sorts by tag, then step: lr, train/loss x2, val/mae x2. */
    const int order[] = {1, 0, 2, 3, 4};
    char tag[128];
    long long step;
    double value;
    int lines = 0;
    while (fscanf(reader, "%127s %lld %lf", tag, &step, &value) == 3) {
        assert_true(lines < count);
        const s3f_metric *want = &m[order[lines++]];
        char want_tag[128];
        snprintf(want_tag, sizeof want_tag, "%s%s%s", want->split, want->split[0] ? "/" : "",
                 want->name);
        assert_string_equal(tag, want_tag);
        assert_int_equal(step, want->step);
        assert_true(value == (double)(float)want->value);
    }
    assert_int_equal(pclose(reader), 0);
    assert_int_equal(lines, count);
    lt_remove_dir(dir);
}

static int run_interop(void)
{
    if (system("python3 -c 'import tensorboard.backend.event_processing.event_accumulator' "
               ">/dev/null 2>&1") != 0) {
        printf("test_logger_tensorboard --interop: skipped: the Python package `tensorboard` "
               "is not importable by python3 (pip install tensorboard)\n");
        return TS_SKIP_CODE;
    }
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_tensorboard_reads_scalars)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--interop") == 0) return run_interop();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32c_reference),
        cmocka_unit_test(test_event_file),
        cmocka_unit_test(test_extreme_values_and_steps),
        cmocka_unit_test(test_dir_option_and_distinct_files),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
