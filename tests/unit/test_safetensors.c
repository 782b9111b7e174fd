/* test_safetensors.c — safetensors round trips (every dtype, metadata,
 * conversion on read), and every malformed file a reader must refuse with a
 * reason; atomic writes that leave the previous file intact when the disk
 * "fills" (injected fault) and leave no temporary file behind. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "se3flow/atomic_file.h"
#include "se3flow/safetensors.h"
#include "test_support.h"

static char g_dir[256];

static int setup(void **state)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/s3f_safetensors_XXXXXX");
    return mkdtemp(g_dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    return system(cmd);
}

static const char *path_of(const char *name)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", g_dir, name);
    return path;
}

static void test_round_trip_every_dtype(void **state)
{
    s3f_dtype dtypes[] = {S3F_F32, S3F_F64, S3F_F16, S3F_BF16, S3F_I32, S3F_I64, S3F_U8};
    const char *names[] = {"a.f32", "b.f64", "c.f16", "d.bf16", "e.i32", "f.i64", "g.u8"};
    s3f_tensor *t[7];
    s3f_safetensors_writer_t *w;
    assert_ok(s3f_safetensors_writer_create(&w));
    for (int i = 0; i < 7; i++) {
        assert_ok(s3f_tensor_create(dtypes[i], S3F_SHAPE(3, i + 1), &t[i]));
        for (int64_t k = 0; k < s3f_tensor_numel(t[i]); k++)
            s3f_tensor_set(t[i], k, (double)(k * 3 % 7));
        assert_ok(s3f_safetensors_writer_add(w, names[i], t[i]));
    }
    assert_ok(s3f_safetensors_writer_metadata(w, "epoch", "3"));
    assert_ok(s3f_safetensors_writer_metadata(w, "epoch", "4")); /* replaced */
    assert_ok(s3f_safetensors_write(w, path_of("all.safetensors")));
    s3f_safetensors_writer_destroy(w);

    s3f_safetensors_t *f;
    assert_ok(s3f_safetensors_open(path_of("all.safetensors"), &f));
    assert_int_equal(s3f_safetensors_count(f), 7);
    assert_string_equal(s3f_safetensors_metadata(f, "epoch"), "4");
    assert_null(s3f_safetensors_metadata(f, "nothing"));
    for (int i = 0; i < 7; i++) {
        const s3f_safetensors_entry *e = s3f_safetensors_at(f, i);
        assert_string_equal(e->name, names[i]); /* header order is insertion order */
        assert_int_equal(e->dtype, dtypes[i]);
        s3f_tensor *back;
        assert_ok(s3f_tensor_create(S3F_F64, t[i]->shape, &back)); /* converted on read */
        assert_ok(s3f_safetensors_read(f, names[i], back));
        ts_assert_close(back, t[i], 0, 0);
        s3f_tensor_destroy(back);
        s3f_tensor_destroy(t[i]);
    }
    s3f_tensor *wrong;
    assert_ok(s3f_tensor_create(S3F_F32, S3F_SHAPE(2, 2), &wrong));
    assert_fails(s3f_safetensors_read(f, "a.f32", wrong), S3F_ERR_SHAPE, "a.f32", "(3, 1)",
                 "(2, 2)");
    assert_fails(s3f_safetensors_read(f, "zzz", wrong), S3F_ERR_ARG, "zzz");
    s3f_tensor_destroy(wrong);
    s3f_safetensors_close(f);
}

/* Builds a file from a header string and `data_bytes` zero bytes. */
static s3f_status open_crafted(const char *header, size_t data_bytes, long declared_length)
{
    size_t n = strlen(header), total = 8 + n + data_bytes;
    unsigned char *buf = calloc(1, total);
    uint64_t len = declared_length >= 0 ? (uint64_t)declared_length : n;
    for (int i = 0; i < 8; i++) buf[i] = (unsigned char)(len >> (8 * i));
    memcpy(buf + 8, header, n);
    s3f_safetensors_t *f = NULL;
    s3f_status rc = s3f_safetensors_open_memory(buf, total, &f);
    s3f_safetensors_close(f);
    free(buf);
    return rc;
}

static void test_malformed_files_are_refused(void **state)
{
    const char *ok = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
    assert_ok(open_crafted(ok, 8, -1));
    assert_fails(open_crafted(ok, 8, 1000000), S3F_ERR_FORMAT, "header length");
    assert_fails(open_crafted(ok, 4, -1), S3F_ERR_FORMAT, "outside the data", "'w'");
    assert_fails(
        open_crafted("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, -1),
        S3F_ERR_FORMAT, "does not match");
    assert_fails(
        open_crafted("{\"w\":{\"dtype\":\"Q7\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, -1),
        S3F_ERR_FORMAT, "dtype");
    assert_fails(
        open_crafted("{\"w\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", 8, -1),
        S3F_ERR_FORMAT, "shape");
    assert_fails(
        open_crafted("{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8, -1),
        S3F_ERR_FORMAT, "shape");
    assert_fails(open_crafted("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                              "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                              12, -1),
                 S3F_ERR_FORMAT, "overlap");
    assert_fails(open_crafted("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                              "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                              8, -1),
                 S3F_ERR_FORMAT, "twice");
    assert_fails(open_crafted("{\"w\":", 0, -1), S3F_ERR_FORMAT, "JSON");
    assert_fails(open_crafted("[1,2]", 0, -1), S3F_ERR_FORMAT, "JSON object");
    assert_fails(open_crafted("{\"__metadata__\":{\"k\":1}}", 0, -1), S3F_ERR_FORMAT, "metadata");
    assert_fails(open_crafted("{\"__metadata__\":{},\"__metadata__\":{}}", 0, -1), S3F_ERR_FORMAT,
                 "twice");
    assert_fails(
        open_crafted("{\"w\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1],\"data_offsets\":[0,4]}}",
                     4, -1),
        S3F_ERR_FORMAT, "dimensions");
    s3f_safetensors_t *f;
    assert_fails(s3f_safetensors_open_memory("abc", 3, &f), S3F_ERR_FORMAT, "shorter");
    assert_fails(s3f_safetensors_open(path_of("missing.safetensors"), &f), S3F_ERR_IO, "missing");
}

static int count_files(void)
{
    DIR *d = opendir(g_dir);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static void test_failed_write_keeps_previous_file(void **state)
{
    s3f_tensor *t = ts_random(S3F_F32, S3F_SHAPE(100), 1, 0, 1, false);
    s3f_safetensors_writer_t *w;
    assert_ok(s3f_safetensors_writer_create(&w));
    assert_ok(s3f_safetensors_writer_add(w, "t", t));
    const char *path = path_of("ckpt.safetensors");
    assert_ok(s3f_safetensors_write(w, path));
    int files = count_files();
    assert_ok(s3f_safetensors_writer_metadata(w, "version", "2"));
    for (long n = 1; n <= 4; n++) { /* length, header, padding, data: fail each in turn */
        s3f_fault_fail_write_at(n);
        assert_fails(s3f_safetensors_write(w, path), S3F_ERR_IO, "injected");
        s3f_safetensors_t *f;
        assert_ok(s3f_safetensors_open(path, &f));
        assert_null(s3f_safetensors_metadata(f, "version")); /* still the first file */
        s3f_safetensors_close(f);
        assert_int_equal(count_files(), files); /* no temporary file left behind */
    }
    s3f_fault_fail_write_at(0);
    assert_fails(s3f_safetensors_write(w, "/nonexistent-dir/x.safetensors"), S3F_ERR_IO,
                 "nonexistent-dir");
    assert_fails(s3f_safetensors_writer_add(w, "t", t), S3F_ERR_ARG, "twice");
    s3f_safetensors_writer_destroy(w);
    s3f_tensor_destroy(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_every_dtype),
        cmocka_unit_test(test_malformed_files_are_refused),
        cmocka_unit_test(test_failed_write_keeps_previous_file),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
