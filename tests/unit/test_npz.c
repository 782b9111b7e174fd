/* test_npz.c — the .npz reader on archives this test builds itself (zlib
 * raw deflate and crc32): round trips of every dtype, 0-d and zero-size
 * shapes, stored, deflated and zip64 members, .npy versions 1.0 and 2.0;
 * and malformed inputs (unsupported dtypes, Fortran order, truncated
 * headers, bad CRC, bogus directory offsets, huge declared sizes, missing
 * members, every truncation of an archive), each refused with a reason. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "byte_buf.h"
#include "se3flow/npz.h"
#include "test_support.h"

/* ---- building .npy images and zip archives ---- */

/* A .npy image: `dict` is the header dict text; version 1 or 2. */
static byte_buf npy(int version, const char *dict, const void *data, size_t n)
{
    byte_buf b = {0};
    size_t prefix = version == 1 ? 10 : 12, len = strlen(dict) + 1;
    size_t pad = (64 - (prefix + len) % 64) % 64;
    byte_buf_put(&b, "\x93NUMPY", 6);
    unsigned char ver[2] = {(unsigned char)version, 0};
    byte_buf_put(&b, ver, 2);
    if (version == 1)
        byte_buf_put16(&b, (unsigned)(len + pad));
    else
        byte_buf_put32(&b, (uint32_t)(len + pad));
    byte_buf_put(&b, dict, strlen(dict));
    for (size_t i = 0; i < pad; i++) byte_buf_put(&b, " ", 1);
    byte_buf_put(&b, "\n", 1);
    byte_buf_put(&b, data, n);
    assert_false(b.failed);
    return b;
}

static byte_buf npy_of(const char *descr, const char *shape, const void *data, size_t n)
{
    char dict[128];
    snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr,
             shape);
    return npy(1, dict, data, n);
}

typedef struct zmember {
    const char *name;
    byte_buf body;
    int method; /* 0 stored, 8 deflated */
} zmember;

/* A zip archive of the members; zip64 puts every size and offset in zip64
 * extra fields and ends with the zip64 record and locator. */
static byte_buf zip(zmember *m, int count, bool zip64)
{
    byte_buf z = {0}, cd = {0};
    for (int i = 0; i < count; i++) {
        uint32_t crc = (uint32_t)crc32(0, m[i].body.p, (uInt)m[i].body.n);
        byte_buf packed = m[i].method == 8 ? byte_buf_deflate_raw(&m[i].body) : (byte_buf){0};
        const byte_buf *data = m[i].method == 8 ? &packed : &m[i].body;
        uint64_t offset = z.n;
        size_t name_len = strlen(m[i].name);
        byte_buf_put32(&z, 0x04034b50);
        byte_buf_put16(&z, zip64 ? 45 : 20);
        byte_buf_put16(&z, 0);
        byte_buf_put16(&z, (unsigned)m[i].method);
        byte_buf_put32(&z, 0x00210000);
        byte_buf_put32(&z, crc);
        byte_buf_put32(&z, zip64 ? 0xffffffffu : (uint32_t)data->n);
        byte_buf_put32(&z, zip64 ? 0xffffffffu : (uint32_t)m[i].body.n);
        byte_buf_put16(&z, (unsigned)name_len);
        byte_buf_put16(&z, zip64 ? 20 : 0);
        byte_buf_put(&z, m[i].name, name_len);
        if (zip64) {
            byte_buf_put16(&z, 1);
            byte_buf_put16(&z, 16);
            byte_buf_put64(&z, m[i].body.n);
            byte_buf_put64(&z, data->n);
        }
        byte_buf_put(&z, data->p, data->n);

        byte_buf_put32(&cd, 0x02014b50);
        byte_buf_put16(&cd, zip64 ? 45 : 20);
        byte_buf_put16(&cd, zip64 ? 45 : 20);
        byte_buf_put16(&cd, 0);
        byte_buf_put16(&cd, (unsigned)m[i].method);
        byte_buf_put32(&cd, 0x00210000);
        byte_buf_put32(&cd, crc);
        byte_buf_put32(&cd, zip64 ? 0xffffffffu : (uint32_t)data->n);
        byte_buf_put32(&cd, zip64 ? 0xffffffffu : (uint32_t)m[i].body.n);
        byte_buf_put16(&cd, (unsigned)name_len);
        byte_buf_put16(&cd, zip64 ? 28 : 0);
        byte_buf_put16(&cd, 0);
        byte_buf_put16(&cd, 0);
        byte_buf_put16(&cd, 0);
        byte_buf_put32(&cd, 0);
        byte_buf_put32(&cd, zip64 ? 0xffffffffu : (uint32_t)offset);
        byte_buf_put(&cd, m[i].name, name_len);
        if (zip64) {
            byte_buf_put16(&cd, 1);
            byte_buf_put16(&cd, 24);
            byte_buf_put64(&cd, m[i].body.n);
            byte_buf_put64(&cd, data->n);
            byte_buf_put64(&cd, offset);
        }
        free(packed.p);
    }
    uint64_t cd_off = z.n;
    byte_buf_put(&z, cd.p, cd.n);
    if (zip64) {
        uint64_t rec = z.n;
        byte_buf_put32(&z, 0x06064b50);
        byte_buf_put64(&z, 44);
        byte_buf_put16(&z, 45);
        byte_buf_put16(&z, 45);
        byte_buf_put32(&z, 0);
        byte_buf_put32(&z, 0);
        byte_buf_put64(&z, (uint64_t)count);
        byte_buf_put64(&z, (uint64_t)count);
        byte_buf_put64(&z, cd.n);
        byte_buf_put64(&z, cd_off);
        byte_buf_put32(&z, 0x07064b50);
        byte_buf_put32(&z, 0);
        byte_buf_put64(&z, rec);
        byte_buf_put32(&z, 1);
    }
    byte_buf_put32(&z, 0x06054b50);
    byte_buf_put16(&z, 0);
    byte_buf_put16(&z, 0);
    byte_buf_put16(&z, zip64 ? 0xffff : (unsigned)count);
    byte_buf_put16(&z, zip64 ? 0xffff : (unsigned)count);
    byte_buf_put32(&z, zip64 ? 0xffffffffu : (uint32_t)cd.n);
    byte_buf_put32(&z, zip64 ? 0xffffffffu : (uint32_t)cd_off);
    byte_buf_put16(&z, 0);
    assert_false(z.failed || cd.failed);
    free(cd.p);
    return z;
}

/* One-member archive of a .npy image (consumed). */
static byte_buf zip1(const char *name, byte_buf body, int method)
{
    zmember m = {name, body, method};
    byte_buf z = zip(&m, 1, false);
    free(body.p);
    return z;
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void set32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* The first central directory entry of a non-zip64 archive. */
static unsigned char *central(byte_buf *z)
{
    return z->p + get32(z->p + z->n - 22 + 16);
}

static s3f_status read_one(const byte_buf *z, const char *name, s3f_tensor **out)
{
    s3f_npz_t *f = NULL;
    s3f_status st = s3f_npz_open_memory(z->p, z->n, &f);
    if (st != S3F_OK) return st;
    st = s3f_npz_read(f, name, out);
    s3f_npz_close(f);
    return st;
}

/* ---- round trips ---- */

static const struct {
    const char *descr;
    s3f_dtype dtype;
} k_dtypes[] = {{"<f4", S3F_F32}, {"<f8", S3F_F64}, {"<i4", S3F_I32},
                {"<i8", S3F_I64}, {"|u1", S3F_U8},  {"<u1", S3F_U8}};

static const struct {
    const char *text;
    s3f_shape shape;
} k_shapes[] = {{"(2, 3)", S3F_SHAPE(2, 3)},
                {"()", S3F_SCALAR_SHAPE},
                {"(0, 4)", S3F_SHAPE(0, 4)},
                {"(5,)", S3F_SHAPE(5)},
                {"(1, 2, 1, 2, 1, 3)", S3F_SHAPE(1, 2, 1, 2, 1, 3)}};

/* A tensor of pseudo-random bytes (any bit pattern round-trips). */
static s3f_tensor *bytes_tensor(s3f_dtype dtype, s3f_shape shape, uint32_t seed)
{
    s3f_tensor *t = NULL;
    assert_ok(s3f_tensor_create(dtype, shape, &t));
    unsigned char *p = t->data;
    for (size_t i = 0; i < s3f_tensor_nbytes(t); i++) {
        seed = seed * 1664525u + 1013904223u;
        p[i] = (unsigned char)(seed >> 24);
    }
    return t;
}

static void check_round_trip(bool zip64, int method)
{
    enum { N = sizeof k_dtypes / sizeof k_dtypes[0] * (sizeof k_shapes / sizeof k_shapes[0]) };
    zmember m[N];
    char names[N][32];
    s3f_tensor *want[N];
    int n = 0;
    for (size_t d = 0; d < sizeof k_dtypes / sizeof k_dtypes[0]; d++)
        for (size_t s = 0; s < sizeof k_shapes / sizeof k_shapes[0]; s++, n++) {
            want[n] = bytes_tensor(k_dtypes[d].dtype, k_shapes[s].shape, 100u + (unsigned)n);
            snprintf(names[n], sizeof names[n], "a%d.npy", n);
            m[n] = (zmember){names[n],
                             npy_of(k_dtypes[d].descr, k_shapes[s].text, want[n]->data,
                                    s3f_tensor_nbytes(want[n])),
                             method};
        }
    byte_buf z = zip(m, n, zip64);
    s3f_npz_t *f = NULL;
    assert_ok(s3f_npz_open_memory(z.p, z.n, &f));
    assert_int_equal(s3f_npz_count(f), n);
    for (int i = 0; i < n; i++) {
        char bare[32];
        snprintf(bare, sizeof bare, "a%d", i);
        assert_string_equal(s3f_npz_name(f, i), names[i]);
        assert_true(s3f_npz_has(f, bare));
        s3f_tensor *got = NULL;
        assert_ok(s3f_npz_read(f, i % 2 ? bare : names[i], &got));
        assert_int_equal(got->dtype, want[i]->dtype);
        assert_true(s3f_shape_equal(&got->shape, &want[i]->shape));
        ts_assert_bitwise_equal(got, want[i]);
        s3f_tensor_destroy(got);
        s3f_tensor_destroy(want[i]);
        free(m[i].body.p);
    }
    s3f_npz_close(f);
    free(z.p);
}

static void test_round_trip_stored(void **state)
{
    check_round_trip(false, 0);
}
static void test_round_trip_deflated(void **state)
{
    check_round_trip(false, 8);
}
static void test_round_trip_zip64(void **state)
{
    check_round_trip(true, 0);
    check_round_trip(true, 8);
}

static void test_npy_version2_and_file(void **state)
{
    double v[3] = {1.5, -2, 3};
    byte_buf body = npy(2, "{'shape': (3,), 'fortran_order': False, 'descr': '<f8'}", v, sizeof v);
    byte_buf z = zip1("x.npy", body, 8);
    char path[] = "/tmp/s3f_npz_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, z.p, z.n), (ssize_t)z.n);
    close(fd);
    s3f_npz_t *f = NULL;
    assert_ok(s3f_npz_open(path, &f));
    s3f_tensor *t = NULL;
    assert_ok(s3f_npz_read(f, "x", &t));
    assert_int_equal(t->dtype, S3F_F64);
    assert_memory_equal(t->data, v, sizeof v);
    s3f_tensor_destroy(t);
    s3f_npz_close(f);
    unlink(path);
    assert_fails(s3f_npz_open(path, &f), S3F_ERR_IO, "cannot open");
    free(z.p);
}

/* ---- malformed inputs ---- */

static void expect_bad_npy(const char *dict, size_t data_bytes, const char *needle)
{
    unsigned char data[64] = {0};
    byte_buf z = zip1("bad.npy", npy(1, dict, data, data_bytes), 8);
    s3f_tensor *t = NULL;
    assert_fails(read_one(&z, "bad", &t), S3F_ERR_FORMAT, "bad.npy", needle);
    assert_null(t);
    free(z.p);
}

static void test_bad_npy_headers(void **state)
{
    expect_bad_npy("{'descr': '>f8', 'fortran_order': False, 'shape': (2,)}", 16, "'>f8'");
    expect_bad_npy("{'descr': '<c16', 'fortran_order': False, 'shape': (2,)}", 32, "'<c16'");
    expect_bad_npy("{'descr': '<f8', 'fortran_order': True, 'shape': (2,)}", 16, "fortran_order");
    expect_bad_npy("{'descr': '<f8', 'fortran_order': False}", 16, "lacks");
    expect_bad_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'x': 1}", 16,
                   "unexpected");
    expect_bad_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1)}", 8,
                   "more than 6");
    expect_bad_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (-2,)}", 16, "non-negative");
    expect_bad_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,)}", 16,
                   "non-negative");
    expect_bad_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3,)}", 16, "need 24");
    expect_bad_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4)}",
                   16, "too large");
    expect_bad_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,)", 16, "not closed");
}

static void test_truncated_npy_header(void **state)
{
    byte_buf body = npy_of("<f4", "(1,)", "abcd", 4);
    body.n = 40; /* the header declares more bytes than remain */
    byte_buf z = zip1("t.npy", body, 0);
    s3f_tensor *t = NULL;
    assert_fails(read_one(&z, "t", &t), S3F_ERR_FORMAT, "t.npy", "truncated");
    free(z.p);
    byte_buf magic = {0};
    byte_buf_put(&magic, "\x93NUMPX\x01\x00\x00\x00", 10);
    z = zip1("m.npy", magic, 0);
    assert_fails(read_one(&z, "m", &t), S3F_ERR_FORMAT, "m.npy", "magic");
    free(z.p);
    byte_buf version = {0};
    byte_buf_put(&version, "\x93NUMPY\x04\x00\x00\x00", 10);
    z = zip1("v.npy", version, 0);
    assert_fails(read_one(&z, "v", &t), S3F_ERR_FORMAT, "v.npy", "version 4.0");
    free(z.p);
}

static void test_bad_crc(void **state)
{
    for (int method = 0; method <= 8; method += 8) {
        byte_buf z = zip1("c.npy", npy_of("<i4", "(2,)", "\1\0\0\0\2\0\0\0", 8), method);
        unsigned char *cd = central(&z);
        set32(cd + 16, get32(cd + 16) ^ 1);
        s3f_tensor *t = NULL;
        assert_fails(read_one(&z, "c", &t), S3F_ERR_FORMAT, "'c.npy'", "CRC-32");
        free(z.p);
    }
}

static void test_bogus_directory(void **state)
{
    byte_buf z = zip1("d.npy", npy_of("<i4", "(2,)", "\1\0\0\0\2\0\0\0", 8), 8);
    unsigned char *eocd = z.p + z.n - 22;
    s3f_npz_t *f = NULL;
    uint32_t good = get32(eocd + 16);
    set32(eocd + 16, 0xfffffff0u);
    assert_fails(s3f_npz_open_memory(z.p, z.n, &f), S3F_ERR_FORMAT, "central directory");
    set32(eocd + 16, good + 1);
    assert_fails(s3f_npz_open_memory(z.p, z.n, &f), S3F_ERR_FORMAT, "central directory");
    set32(eocd + 16, good);
    eocd[10] = 200; /* entry count */
    eocd[8] = 200;
    assert_fails(s3f_npz_open_memory(z.p, z.n, &f), S3F_ERR_FORMAT, "entry count");
    eocd[10] = eocd[8] = 1;
    unsigned char *cd = central(&z);
    set32(cd + 42, 0x7fffffff); /* local header offset */
    s3f_tensor *t = NULL;
    assert_fails(read_one(&z, "d", &t), S3F_ERR_FORMAT, "'d.npy'", "local header");
    set32(cd + 42, 0);
    cd[10] = 12; /* bzip2 */
    assert_fails(read_one(&z, "d", &t), S3F_ERR_FORMAT, "'d.npy'", "method 12");
    cd[10] = 8;
    assert_ok(read_one(&z, "d", &t));
    s3f_tensor_destroy(t);
    /* zip64 placeholders without a locator */
    set32(eocd + 12, 0xffffffffu);
    assert_fails(s3f_npz_open_memory(z.p, z.n, &f), S3F_ERR_FORMAT, "zip64");
    free(z.p);
    unsigned char junk[100] = {0};
    assert_fails(s3f_npz_open_memory(junk, sizeof junk, &f), S3F_ERR_FORMAT,
                 "end-of-central-directory");
    assert_fails(s3f_npz_open_memory(junk, 3, &f), S3F_ERR_FORMAT, "too short");
}

static void test_huge_sizes(void **state)
{
    s3f_tensor *t = NULL;
    byte_buf z = zip1("h.npy", npy_of("<i4", "(2,)", "\1\0\0\0\2\0\0\0", 8), 8);
    unsigned char *cd = central(&z);
    set32(cd + 24, 0xfffffff0u); /* uncompressed size */
    assert_fails(read_one(&z, "h", &t), S3F_ERR_FORMAT, "'h.npy'", "impossibly large");
    set32(cd + 24, 200); /* plausible, but wrong */
    assert_fails(read_one(&z, "h", &t), S3F_ERR_FORMAT, "'h.npy'", "deflate");
    free(z.p);
    z = zip1("s.npy", npy_of("<i4", "(2,)", "\1\0\0\0\2\0\0\0", 8), 0);
    cd = central(&z);
    set32(cd + 20, 0xfffffff0u);
    set32(cd + 24, 0xfffffff0u);
    assert_fails(read_one(&z, "s", &t), S3F_ERR_FORMAT, "'s.npy'", "runs past");
    set32(cd + 20, 4);
    set32(cd + 24, 4);
    assert_fails(read_one(&z, "s", &t), S3F_ERR_FORMAT, "'s.npy'");
    free(z.p);
}

static void test_missing_member(void **state)
{
    byte_buf z = zip1("x.npy", npy_of("|u1", "(1,)", "\7", 1), 0);
    s3f_tensor *t = NULL;
    assert_fails(read_one(&z, "y", &t), S3F_ERR_ARG, "no member 'y'");
    assert_fails(read_one(&z, "x.np", &t), S3F_ERR_ARG, "no member");
    free(z.p);
}

/* Every prefix and every single-byte corruption of a small archive: a
 * status, never a crash (ASan builds check the reads). */
static void test_every_truncation_and_flip(void **state)
{
    zmember m[2] = {{"a.npy", npy_of("<f4", "(3,)", "123456789012", 12), 8},
                    {"b.npy", npy_of("<i8", "()", "12345678", 8), 0}};
    byte_buf z = zip(m, 2, true);
    free(m[0].body.p);
    free(m[1].body.p);
    unsigned char *copy = malloc(z.n);
    for (size_t n = 0; n <= z.n; n++) {
        memcpy(copy, z.p, n);
        s3f_npz_t *f = NULL;
        if (s3f_npz_open_memory(copy, n, &f) != S3F_OK) continue;
        for (int i = 0; i < s3f_npz_count(f); i++) {
            s3f_tensor *t = NULL;
            if (s3f_npz_read(f, s3f_npz_name(f, i), &t) == S3F_OK) s3f_tensor_destroy(t);
        }
        s3f_npz_close(f);
    }
    for (size_t i = 0; i < z.n; i++) {
        memcpy(copy, z.p, z.n);
        copy[i] ^= 0x5a;
        s3f_npz_t *f = NULL;
        if (s3f_npz_open_memory(copy, z.n, &f) != S3F_OK) continue;
        for (int j = 0; j < s3f_npz_count(f); j++) {
            s3f_tensor *t = NULL;
            if (s3f_npz_read(f, s3f_npz_name(f, j), &t) == S3F_OK) s3f_tensor_destroy(t);
        }
        s3f_npz_close(f);
    }
    free(copy);
    free(z.p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_stored),
        cmocka_unit_test(test_round_trip_deflated),
        cmocka_unit_test(test_round_trip_zip64),
        cmocka_unit_test(test_npy_version2_and_file),
        cmocka_unit_test(test_bad_npy_headers),
        cmocka_unit_test(test_truncated_npy_header),
        cmocka_unit_test(test_bad_crc),
        cmocka_unit_test(test_bogus_directory),
        cmocka_unit_test(test_huge_sizes),
        cmocka_unit_test(test_missing_member),
        cmocka_unit_test(test_every_truncation_and_flip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
