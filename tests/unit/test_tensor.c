/* test_tensor.c — dtype facts, shapes (numel, equality, formatting, checks),
 * persistent tensors, casts between every pair of dtypes, copy, fill and
 * get/set. Not here: the exhaustive f16/bf16 rounding checks (test_half.c),
 * step tensors and views (test_context.c). */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"

static const s3f_dtype ALL_DTYPES[] = {S3F_F32, S3F_F64, S3F_F16, S3F_BF16,
                                       S3F_I32, S3F_I64, S3F_U8};
#define N_DTYPES ((int)(sizeof ALL_DTYPES / sizeof ALL_DTYPES[0]))

static void test_dtype_facts(void **state)
{
    static const struct {
        s3f_dtype dtype;
        size_t size;
        const char *name;
        bool is_float;
    } expected[] = {
        {S3F_F32, 4, "f32", true},   {S3F_F64, 8, "f64", true},  {S3F_F16, 2, "f16", true},
        {S3F_BF16, 2, "bf16", true}, {S3F_I32, 4, "i32", false}, {S3F_I64, 8, "i64", false},
        {S3F_U8, 1, "u8", false},
    };
    assert_int_equal(N_DTYPES, S3F_DTYPE_COUNT_);
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        assert_int_equal(s3f_dtype_size(expected[i].dtype), expected[i].size);
        assert_string_equal(s3f_dtype_name(expected[i].dtype), expected[i].name);
        assert_int_equal(s3f_dtype_is_float(expected[i].dtype), expected[i].is_float);
    }
    s3f_dtype bad[] = {(s3f_dtype)-1, S3F_DTYPE_COUNT_, (s3f_dtype)99};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(s3f_dtype_size(bad[i]), 0);
        assert_string_equal(s3f_dtype_name(bad[i]), "invalid-dtype");
        assert_false(s3f_dtype_is_float(bad[i]));
    }
}

static void test_shape_numel_equal_format(void **state)
{
    s3f_shape scalar = S3F_SCALAR_SHAPE, a = S3F_SHAPE(3, 4), b = S3F_SHAPE(3, 4),
              c = S3F_SHAPE(4, 3), d = S3F_SHAPE(3, 4, 1), six = S3F_SHAPE(1, 2, 3, 4, 5, 6);
    assert_int_equal(s3f_shape_numel(&scalar), 1);
    assert_int_equal(s3f_shape_numel(&a), 12);
    assert_int_equal(s3f_shape_numel(&six), 720);
    assert_int_equal(six.ndim, 6);
    s3f_shape empty = S3F_SHAPE(5, 0, 7);
    assert_int_equal(s3f_shape_numel(&empty), 0);
    assert_true(s3f_shape_equal(&a, &b));
    assert_false(s3f_shape_equal(&a, &c));
    assert_false(s3f_shape_equal(&a, &d));
    /* Entries past ndim do not matter. */
    s3f_shape e = a;
    e.d[4] = 99;
    assert_true(s3f_shape_equal(&a, &e));

    char buf[64];
    assert_string_equal(s3f_shape_format(&a, buf, sizeof buf), "(3, 4)");
    assert_string_equal(s3f_shape_format(&scalar, buf, sizeof buf), "()");
    assert_string_equal(s3f_shape_format(&six, buf, sizeof buf), "(1, 2, 3, 4, 5, 6)");
    s3f_shape neg = S3F_SHAPE(-2, 5);
    assert_string_equal(s3f_shape_format(&neg, buf, sizeof buf), "(-2, 5)");
    /* Small buffers: truncated and always NUL-terminated. */
    s3f_shape wide = S3F_SHAPE(123456789, 987654321);
    const char *full = "(123456789, 987654321)";
    for (size_t size = 1; size <= 26; size++) {
        memset(buf, '#', sizeof buf);
        s3f_shape_format(&wide, buf, size);
        size_t want = size - 1 < strlen(full) ? size - 1 : strlen(full);
        assert_int_equal(strlen(buf), want);
        assert_memory_equal(buf, full, want);
        assert_int_equal(buf[size], '#'); /* nothing written past the buffer */
    }
    /* A corrupt ndim does not read past d[]. */
    s3f_shape corrupt = S3F_SHAPE(1, 2);
    corrupt.ndim = 1000;
    assert_string_equal(s3f_shape_format(&corrupt, buf, sizeof buf), "()");
}

static void test_shape_check(void **state)
{
    for (int i = 0; i < N_DTYPES; i++) {
        s3f_shape ok = S3F_SHAPE(2, 0, 3);
        assert_ok(s3f_shape_check(&ok, ALL_DTYPES[i]));
        s3f_shape scalar = S3F_SCALAR_SHAPE;
        assert_ok(s3f_shape_check(&scalar, ALL_DTYPES[i]));
    }
    s3f_shape neg = S3F_SHAPE(3, -1);
    assert_fails(s3f_shape_check(&neg, S3F_F32), S3F_ERR_SHAPE, "negative", "(3, -1)");
    s3f_shape seven = S3F_SHAPE(1, 1, 1, 1, 1, 1);
    seven.ndim = 7;
    assert_fails(s3f_shape_check(&seven, S3F_F32), S3F_ERR_SHAPE, "7 dimensions", "0 to 6");
    s3f_shape minus = {.ndim = -1};
    assert_fails(s3f_shape_check(&minus, S3F_F32), S3F_ERR_SHAPE, "-1 dimensions");
    s3f_shape ok = S3F_SHAPE(2);
    assert_fails(s3f_shape_check(&ok, (s3f_dtype)42), S3F_ERR_DTYPE, "42");

    /* Byte size overflowing size_t. */
    s3f_shape huge = S3F_SHAPE(INT64_MAX / 2, 4);
    assert_fails(s3f_shape_check(&huge, S3F_F64), S3F_ERR_SHAPE, "too large", "f64");
    s3f_shape square = S3F_SHAPE(INT64_C(1) << 32, INT64_C(1) << 32);
    assert_fails(s3f_shape_check(&square, S3F_F32), S3F_ERR_SHAPE, "too large");
    s3f_shape big6 = S3F_SHAPE(1 << 11, 1 << 11, 1 << 11, 1 << 11, 1 << 11, 1 << 11);
    assert_fails(s3f_shape_check(&big6, S3F_U8), S3F_ERR_SHAPE, "too large");
    /* Element counts past INT64_MAX overflow s3f_shape_numel (int64_t) even
     * when the byte count of 1-byte elements still fits a size_t. */
    s3f_shape count = S3F_SHAPE(INT64_C(1) << 62, 3);
    assert_fails(s3f_shape_check(&count, S3F_U8), S3F_ERR_SHAPE, "too large", "u8");
    s3f_shape max_u8 = S3F_SHAPE(INT64_MAX);
    assert_ok(s3f_shape_check(&max_u8, S3F_U8));
    s3f_shape max_f64 = S3F_SHAPE((int64_t)(SIZE_MAX / 8));
    assert_ok(s3f_shape_check(&max_f64, S3F_F64));
    s3f_shape over_f64 = S3F_SHAPE((int64_t)(SIZE_MAX / 8) + 1);
    assert_fails(s3f_shape_check(&over_f64, S3F_F64), S3F_ERR_SHAPE, "too large");
    /* A zero dimension first makes any later size harmless. */
    s3f_shape zero_first = S3F_SHAPE(0, INT64_MAX, INT64_MAX);
    assert_ok(s3f_shape_check(&zero_first, S3F_F64));
    assert_int_equal(s3f_shape_numel(&zero_first), 0);
}

static void test_create_is_zero_filled(void **state)
{
    for (int k = 0; k < N_DTYPES; k++) {
        s3f_tensor *t;
        assert_ok(s3f_tensor_create(ALL_DTYPES[k], S3F_SHAPE(7, 5), &t));
        assert_int_equal(t->dtype, ALL_DTYPES[k]);
        assert_int_equal(t->device, S3F_CPU);
        assert_int_equal(t->shape.ndim, 2);
        assert_int_equal(t->shape.d[0], 7);
        assert_int_equal(t->shape.d[1], 5);
        assert_null(t->grad);
        assert_false(t->requires_grad);
        assert_int_equal(t->flags, S3F_TENSOR_HEAP | S3F_TENSOR_OWNS_DATA);
        assert_int_equal((uintptr_t)t->data % 64, 0); /* like arena tensors */
        assert_int_equal(s3f_tensor_numel(t), 35);
        assert_int_equal(s3f_tensor_nbytes(t), 35 * s3f_dtype_size(ALL_DTYPES[k]));
        const unsigned char *bytes = t->data;
        for (size_t i = 0; i < s3f_tensor_nbytes(t); i++) assert_int_equal(bytes[i], 0);
        for (int64_t i = 0; i < 35; i++) assert_true(s3f_tensor_get(t, i) == 0.0);
        s3f_tensor_destroy(t);
    }
    s3f_tensor *empty, *scalar;
    assert_ok(s3f_tensor_create(S3F_F32, S3F_SHAPE(0, 3), &empty));
    assert_non_null(empty->data);
    assert_int_equal(s3f_tensor_nbytes(empty), 0);
    assert_ok(s3f_tensor_create(S3F_F64, S3F_SCALAR_SHAPE, &scalar));
    assert_int_equal(s3f_tensor_numel(scalar), 1);
    s3f_tensor_set(scalar, 0, 2.5);
    assert_true(s3f_tensor_get(scalar, 0) == 2.5);
    s3f_tensor_destroy(empty);
    s3f_tensor_destroy(scalar);
    s3f_tensor_destroy(NULL);
}

static void test_create_rejects_bad_shapes(void **state)
{
    s3f_tensor *t = (s3f_tensor *)(uintptr_t)0x1;
    assert_fails(s3f_tensor_create(S3F_F32, S3F_SHAPE(2, -3), &t), S3F_ERR_SHAPE, "(2, -3)");
    assert_fails(s3f_tensor_create(S3F_F32, S3F_SHAPE(INT64_MAX, INT64_MAX), &t), S3F_ERR_SHAPE,
                 "too large");
    assert_fails(s3f_tensor_create((s3f_dtype)9, S3F_SHAPE(2), &t), S3F_ERR_DTYPE, "dtype");
    assert_true(t == (s3f_tensor *)(uintptr_t)0x1); /* outputs written only on success */
}

/* Values exactly representable in f32, f64, f16 and bf16 (at most 8
 * significant bits, within f16 range). */
static const double SAMPLES[] = {0, 1, 3.75, 7.25, 100.5, 200, 0.5, 42, -3.75, -100.5, -1, 255};
#define N_SAMPLES ((int64_t)(sizeof SAMPLES / sizeof SAMPLES[0]))

static bool is_int(s3f_dtype d)
{
    return !s3f_dtype_is_float(d);
}

/* Casts N_SAMPLES values of `from` into a (3, 4) tensor of `to` (the same
 * count in another shape). Negative values are left out where u8 is
 * involved: a negative float to u8 is undefined in C. */
static void check_cast_pair(s3f_dtype from, s3f_dtype to)
{
    bool unsigned_involved = from == S3F_U8 || to == S3F_U8;
    s3f_tensor *src, *dst;
    assert_ok(s3f_tensor_create(from, S3F_SHAPE(N_SAMPLES), &src));
    assert_ok(s3f_tensor_create(to, S3F_SHAPE(3, N_SAMPLES / 3), &dst));
    for (int64_t i = 0; i < N_SAMPLES; i++)
        s3f_tensor_set(src, i, unsigned_involved ? fabs(SAMPLES[i]) : SAMPLES[i]);
    assert_ok(s3f_tensor_cast(dst, src));
    for (int64_t i = 0; i < N_SAMPLES; i++) {
        double v = unsigned_involved ? fabs(SAMPLES[i]) : SAMPLES[i];
        double held = is_int(from) ? trunc(v) : v; /* the source truncated on set */
        assert_true(s3f_tensor_get(src, i) == held);
        double want = is_int(to) ? trunc(held) : held;
        double got = s3f_tensor_get(dst, i);
        if (got != want) {
            print_error("%s -> %s: element %lld is %.17g, expected %.17g\n", s3f_dtype_name(from),
                        s3f_dtype_name(to), (long long)i, got, want);
            fail();
        }
    }
    s3f_tensor_destroy(src);
    s3f_tensor_destroy(dst);
}

static void test_cast_every_pair(void **state)
{
    for (int a = 0; a < N_DTYPES; a++)
        for (int b = 0; b < N_DTYPES; b++) check_cast_pair(ALL_DTYPES[a], ALL_DTYPES[b]);
}

static s3f_tensor *from_values(s3f_dtype dtype, int64_t n, const double *v)
{
    return ts_from(dtype, S3F_SHAPE(n), v);
}

static s3f_tensor *cast_to(const s3f_tensor *src, s3f_dtype dtype)
{
    s3f_tensor *t;
    assert_ok(s3f_tensor_create(dtype, src->shape, &t));
    assert_ok(s3f_tensor_cast(t, src));
    return t;
}

static void test_float_to_int_truncates_toward_zero(void **state)
{
    double v[] = {2.999, -2.999, 0.5, -0.5, 1e9, -1e9, 254.99, 7.0};
    s3f_dtype floats[] = {S3F_F32, S3F_F64};
    for (int f = 0; f < 2; f++) {
        s3f_tensor *x = from_values(floats[f], 8, v);
        s3f_tensor *i32 = cast_to(x, S3F_I32), *i64 = cast_to(x, S3F_I64);
        const int32_t *a = i32->data;
        const int64_t *b = i64->data;
        int64_t want[] = {2, -2, 0, 0, 1000000000, -1000000000, 254, 7};
        for (int i = 0; i < 8; i++) {
            assert_int_equal(a[i], want[i]);
            assert_int_equal(b[i], want[i]);
        }
        s3f_tensor_destroy(i32);
        s3f_tensor_destroy(i64);
        s3f_tensor_destroy(x);
    }
    double u[] = {0.99, 254.99, 255.5, 17.7};
    s3f_tensor *x = from_values(S3F_F64, 4, u), *u8 = cast_to(x, S3F_U8);
    const uint8_t *c = u8->data;
    assert_int_equal(c[0], 0);
    assert_int_equal(c[1], 254);
    assert_int_equal(c[2], 255);
    assert_int_equal(c[3], 17);
    s3f_tensor_destroy(u8);
    s3f_tensor_destroy(x);
}

/* Casts round to nearest even in one step. Large i64 values must not round
 * twice (i64 -> f64 -> f32): 2^60 + 2^36 + 1 lies just above the midpoint
 * of two f32 neighbours but rounds onto that midpoint in f64. */
static void test_int64_casts_round_once(void **state)
{
    int64_t big[] = {
        (INT64_C(1) << 60) + (INT64_C(1) << 36) + 1,
        -((INT64_C(1) << 60) + (INT64_C(1) << 36) + 1),
        (INT64_C(1) << 60) + (INT64_C(1) << 52) + 1, /* for bf16: 2^52 is half its ulp */
        (INT64_C(1) << 53) + 1,
        INT64_MAX,
        INT64_MIN,
        (INT64_C(1) << 40) + (INT64_C(1) << 16) + 1,
        123456789012345678,
    };
    int n = (int)(sizeof big / sizeof big[0]);
    s3f_tensor *src;
    assert_ok(s3f_tensor_create(S3F_I64, S3F_SHAPE(n), &src));
    memcpy(src->data, big, sizeof big);
    s3f_tensor *f32 = cast_to(src, S3F_F32), *f64 = cast_to(src, S3F_F64),
               *bf16 = cast_to(src, S3F_BF16);
    for (int i = 0; i < n; i++) {
        float want32 = (float)big[i];
        assert_memory_equal(&((float *)f32->data)[i], &want32, 4);
        double want64 = (double)big[i];
        assert_memory_equal(&((double *)f64->data)[i], &want64, 8);
        /* bf16: nearest of the two bf16 neighbours, compared in long double
         * (64-bit significand on x86-64, exact for every i64). */
        uint16_t h = ((uint16_t *)bf16->data)[i];
        long double got = s3f_bf16_to_f32(h);
        long double x = (long double)big[i];
        uint16_t other = (uint16_t)(fabsl(got) > fabsl(x) ? h - 1 : h + 1);
        long double alt = s3f_bf16_to_f32(other);
        long double e1 = fabsl(got - x), e2 = fabsl(alt - x);
        assert_true(e1 < e2 || (e1 == e2 && (h & 1) == 0));
    }
    s3f_tensor_destroy(f32);
    s3f_tensor_destroy(f64);
    s3f_tensor_destroy(bf16);
    s3f_tensor_destroy(src);
}

static void test_cast_and_copy_errors(void **state)
{
    s3f_tensor *a, *b, *c, *d;
    assert_ok(s3f_tensor_create(S3F_F32, S3F_SHAPE(2, 3), &a));
    assert_ok(s3f_tensor_create(S3F_F64, S3F_SHAPE(2, 3), &b));
    assert_ok(s3f_tensor_create(S3F_F32, S3F_SHAPE(4, 2), &c));
    assert_ok(s3f_tensor_create(S3F_F32, S3F_SHAPE(3, 2), &d));
    assert_fails(s3f_tensor_copy(b, a), S3F_ERR_DTYPE, "f32", "f64", "cast");
    assert_fails(s3f_tensor_copy(c, a), S3F_ERR_SHAPE, "(2, 3)", "(4, 2)");
    assert_fails(s3f_tensor_cast(b, c), S3F_ERR_SHAPE, "(4, 2)", "(2, 3)");
    s3f_tensor_set(a, 4, 9.5);
    assert_ok(s3f_tensor_copy(d, a)); /* same count, other shape */
    assert_true(s3f_tensor_get(d, 4) == 9.5);
    assert_ok(s3f_tensor_copy(a, a)); /* onto itself */
    assert_true(s3f_tensor_get(a, 4) == 9.5);
    a->device = S3F_CUDA;
    /* a dtype conversion is CPU-only: refused before any device memory is touched */
    assert_fails(s3f_tensor_cast(b, a), S3F_ERR_DEVICE, "cast", "CUDA");
    a->device = S3F_CPU;
    s3f_tensor *all[] = {a, b, c, d};
    ts_destroy_all(4, all);
}

static void test_fill(void **state)
{
    for (int k = 0; k < N_DTYPES; k++) {
        s3f_tensor *t;
        assert_ok(s3f_tensor_create(ALL_DTYPES[k], S3F_SHAPE(5, 3), &t));
        assert_ok(s3f_tensor_fill(t, 2.75));
        double want = is_int(ALL_DTYPES[k]) ? 2 : 2.75;
        for (int64_t i = 0; i < 15; i++) assert_true(s3f_tensor_get(t, i) == want);
        assert_ok(s3f_tensor_fill(t, 0.0));
        const unsigned char *bytes = t->data;
        for (size_t i = 0; i < s3f_tensor_nbytes(t); i++) assert_int_equal(bytes[i], 0);
        s3f_tensor_destroy(t);
    }
    /* -0.0 keeps its sign in float tensors (it is not the memset fast path). */
    s3f_dtype floats[] = {S3F_F32, S3F_F64, S3F_F16, S3F_BF16};
    for (int k = 0; k < 4; k++) {
        s3f_tensor *t;
        assert_ok(s3f_tensor_create(floats[k], S3F_SHAPE(4), &t));
        assert_ok(s3f_tensor_fill(t, -0.0));
        for (int64_t i = 0; i < 4; i++) {
            assert_true(s3f_tensor_get(t, i) == 0.0);
            assert_true(signbit(s3f_tensor_get(t, i)));
        }
        assert_ok(s3f_tensor_fill(t, INFINITY));
        assert_true(isinf(s3f_tensor_get(t, 3)) && s3f_tensor_get(t, 3) > 0);
        assert_ok(s3f_tensor_fill(t, NAN));
        assert_true(isnan(s3f_tensor_get(t, 2)));
        s3f_tensor_destroy(t);
    }
    s3f_tensor *empty;
    assert_ok(s3f_tensor_create(S3F_F32, S3F_SHAPE(0), &empty));
    assert_ok(s3f_tensor_fill(empty, 3.0));
    assert_ok(s3f_tensor_fill(empty, 0.0));
    s3f_tensor_destroy(empty);
}

static void test_get_set_round_trip(void **state)
{
    struct {
        s3f_dtype dtype;
        double in, out;
    } cases[] = {
        {S3F_F64, 0.1, 0.1},
        {S3F_F32, 0.1, (double)0.1f},
        {S3F_F16, 0.1, 0.0999755859375},        /* nearest f16 */
        {S3F_BF16, 0.1, 0.10009765625},         /* nearest bf16 */
        {S3F_F16, 65519.0, 65504.0},            /* below the overflow midpoint */
        {S3F_F16, 65520.0, INFINITY},           /* the midpoint rounds to even: Inf */
        {S3F_F16, 1e-8, 0.0},                   /* below half the smallest subnormal */
        {S3F_F16, 6e-8, 5.9604644775390625e-8}, /* the smallest subnormal */
        {S3F_I32, -7.9, -7},
        {S3F_I32, 2147483647.0, 2147483647.0},
        {S3F_I32, -2147483648.0, -2147483648.0},
        {S3F_I64, 9007199254740992.0, 9007199254740992.0},
        {S3F_I64, -123456789.0, -123456789.0},
        {S3F_U8, 255.0, 255.0},
        {S3F_U8, 0.9, 0.0},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        s3f_tensor *t;
        assert_ok(s3f_tensor_create(cases[c].dtype, S3F_SHAPE(2, 2), &t));
        s3f_tensor_set(t, 3, cases[c].in);
        double got = s3f_tensor_get(t, 3);
        if (got != cases[c].out) {
            print_error("case %zu (%s): set %.17g, got %.17g, expected %.17g\n", c,
                        s3f_dtype_name(cases[c].dtype), cases[c].in, got, cases[c].out);
            fail();
        }
        assert_true(s3f_tensor_get(t, 0) == 0.0);
        s3f_tensor_destroy(t);
    }
}

/* Casts and fills past the parallel threshold give the element-wise result
 * for any thread count. */
static void test_large_cast_matches_elementwise(void **state)
{
    int64_t n = 200003;
    s3f_tensor *src = ts_random(S3F_F64, S3F_SHAPE(n), 5, -70000, 70000, false);
    int saved = omp_get_max_threads();
    s3f_dtype targets[] = {S3F_F16, S3F_BF16, S3F_F32, S3F_I32};
    for (int k = 0; k < 4; k++) {
        omp_set_num_threads(1);
        s3f_tensor *one = cast_to(src, targets[k]);
        omp_set_num_threads(2);
        s3f_tensor *two = cast_to(src, targets[k]);
        ts_assert_bitwise_equal(one, two);
        s3f_tensor *ref;
        assert_ok(s3f_tensor_create(targets[k], src->shape, &ref));
        for (int64_t i = 0; i < n; i++) s3f_tensor_set(ref, i, s3f_tensor_get(src, i));
        ts_assert_bitwise_equal(one, ref);
        s3f_tensor *all[] = {one, two, ref};
        ts_destroy_all(3, all);
    }
    omp_set_num_threads(saved);
    s3f_tensor_destroy(src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dtype_facts),
        cmocka_unit_test(test_shape_numel_equal_format),
        cmocka_unit_test(test_shape_check),
        cmocka_unit_test(test_create_is_zero_filled),
        cmocka_unit_test(test_create_rejects_bad_shapes),
        cmocka_unit_test(test_cast_every_pair),
        cmocka_unit_test(test_float_to_int_truncates_toward_zero),
        cmocka_unit_test(test_int64_casts_round_once),
        cmocka_unit_test(test_cast_and_copy_errors),
        cmocka_unit_test(test_fill),
        cmocka_unit_test(test_get_set_round_trip),
        cmocka_unit_test(test_large_cast_matches_elementwise),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
