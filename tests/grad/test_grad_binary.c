/* test_grad_binary.c — add, sub, mul, div with broadcasting: forward values
 * against a naive per-element reference (f32 and f64), gradients by finite
 * differences (f64), f32 against f64, determinism across threads (shapes that
 * take every path: flat, rows, broadcast on both sides, scalar), zero-size
 * dims and bad input. */
#include <math.h>

#include "test_support.h"

typedef enum { ADD, SUB, MUL, DIV, SQUARE } bin_kind; /* SQUARE: mul(x, x) */
static const bin_kind kinds[] = {ADD, SUB, MUL, DIV};

static s3f_status apply(s3f_ctx_t *ctx, s3f_tensor *const *in, void *user, s3f_tensor **out)
{
    switch (*(bin_kind *)user) {
    case ADD:
        return s3f_add(ctx, in[0], in[1], out);
    case SUB:
        return s3f_sub(ctx, in[0], in[1], out);
    case MUL:
        return s3f_mul(ctx, in[0], in[1], out);
    case DIV:
        return s3f_div(ctx, in[0], in[1], out);
    case SQUARE:
        return s3f_mul(ctx, in[0], in[0], out);
    }
    return S3F_ERR_ARG;
}

/* The reference: one IEEE operation in the tensor's precision. */
static double ref_op(bin_kind kind, s3f_dtype dtype, double x, double z)
{
    if (dtype == S3F_F32) {
        float fx = (float)x, fz = (float)z;
        return kind == ADD ? fx + fz : kind == SUB ? fx - fz : kind == MUL ? fx * fz : fx / fz;
    }
    return kind == ADD ? x + z : kind == SUB ? x - z : kind == MUL ? x * z : x / z;
}

/* Flat index into an operand of shape s of the output element `flat` of
 * shape out, by NumPy's rules, one coordinate at a time. */
static int64_t naive_index(const s3f_shape *s, const s3f_shape *out, int64_t flat)
{
    int64_t index = 0, stride = 1;
    for (int k = out->ndim - 1; k >= 0; k--) {
        int64_t coord = flat % out->d[k];
        flat /= out->d[k];
        int j = k - (out->ndim - s->ndim);
        if (j < 0) continue;
        if (s->d[j] != 1) index += coord * stride;
        stride *= s->d[j];
    }
    return index;
}

/* b in +-[0.5, 2): signs alternate, values stay away from 0 for div. */
static s3f_tensor *divisor(s3f_dtype dtype, s3f_shape shape, uint64_t seed, bool requires_grad)
{
    s3f_tensor *b = ts_random(dtype, shape, seed, 0.5, 2, requires_grad);
    for (int64_t i = 1; i < s3f_tensor_numel(b); i += 2)
        s3f_tensor_set(b, i, -s3f_tensor_get(b, i));
    return b;
}

static void check_values_in(bin_kind kind, s3f_dtype dtype, s3f_shape sa, s3f_shape sb,
                            s3f_shape expect)
{
    s3f_tensor *a = ts_random(dtype, sa, 3, -3, 3, false), *b = divisor(dtype, sb, 4, false);
    s3f_tensor *in[2] = {a, b}, *y;
    assert_ok(apply(ts_ctx(), in, &kind, &y));
    assert_int_equal(y->dtype, dtype);
    assert_true(s3f_shape_equal(&y->shape, &expect));
    for (int64_t i = 0; i < s3f_tensor_numel(y); i++) {
        double x = s3f_tensor_get(a, naive_index(&sa, &expect, i));
        double z = s3f_tensor_get(b, naive_index(&sb, &expect, i));
        if (s3f_tensor_get(y, i) != ref_op(kind, dtype, x, z)) {
            print_error("kind %d element %lld: %.17g, expected %.17g\n", kind, (long long)i,
                        s3f_tensor_get(y, i), ref_op(kind, dtype, x, z));
            fail();
        }
    }
    s3f_ctx_reset(ts_ctx());
    ts_destroy_all(2, in);
}

static void check_values(s3f_shape sa, s3f_shape sb, s3f_shape expect)
{
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
        check_values_in(kinds[k], S3F_F64, sa, sb, expect);
        check_values_in(kinds[k], S3F_F32, sa, sb, expect);
    }
}

static void test_values_against_naive_reference(void **state)
{
    check_values(S3F_SHAPE(2, 3), S3F_SHAPE(2, 3), S3F_SHAPE(2, 3));
    check_values(S3F_SHAPE(4, 3), S3F_SHAPE(3), S3F_SHAPE(4, 3));
    check_values(S3F_SHAPE(3), S3F_SHAPE(4, 3), S3F_SHAPE(4, 3));
    check_values(S3F_SHAPE(4, 1, 3), S3F_SHAPE(1, 5, 3), S3F_SHAPE(4, 5, 3));
    check_values(S3F_SCALAR_SHAPE, S3F_SHAPE(2, 3), S3F_SHAPE(2, 3));
    check_values(S3F_SHAPE(2, 3), S3F_SCALAR_SHAPE, S3F_SHAPE(2, 3));
    check_values(S3F_SCALAR_SHAPE, S3F_SCALAR_SHAPE, S3F_SCALAR_SHAPE);
    check_values(S3F_SHAPE(2, 3), S3F_SHAPE(2, 1), S3F_SHAPE(2, 3));
    check_values(S3F_SHAPE(2, 1, 4), S3F_SHAPE(3, 1), S3F_SHAPE(2, 3, 4));
    check_values(S3F_SHAPE(1, 1), S3F_SHAPE(3), S3F_SHAPE(1, 3));
    check_values(S3F_SHAPE(1, 1, 1), S3F_SHAPE(1), S3F_SHAPE(1, 1, 1));
    check_values(S3F_SHAPE(2, 1, 3, 1, 2), S3F_SHAPE(4, 1, 1, 1), S3F_SHAPE(2, 4, 3, 1, 2));
    /* past one tile: cols split (5000 > 4096), many short rows, long broadcast rows */
    check_values(S3F_SHAPE(2, 5000), S3F_SHAPE(5000), S3F_SHAPE(2, 5000));
    check_values(S3F_SHAPE(5000, 3), S3F_SHAPE(3), S3F_SHAPE(5000, 3));
    check_values(S3F_SHAPE(3, 5000), S3F_SHAPE(3, 1), S3F_SHAPE(3, 5000));
}

static void test_zero_size_dims(void **state)
{
    check_values(S3F_SHAPE(0, 3), S3F_SHAPE(3), S3F_SHAPE(0, 3));
    check_values(S3F_SHAPE(2, 0), S3F_SHAPE(1), S3F_SHAPE(2, 0));
    check_values(S3F_SHAPE(0), S3F_SHAPE(1), S3F_SHAPE(0));
    check_values(S3F_SHAPE(3, 1), S3F_SHAPE(1, 0), S3F_SHAPE(3, 0));
    check_values(S3F_SCALAR_SHAPE, S3F_SHAPE(0, 2), S3F_SHAPE(0, 2));

    /* backward through an empty output leaves zero gradients of b's shape */
    s3f_tensor *a = ts_random(S3F_F64, S3F_SHAPE(0, 3), 1, -1, 1, true);
    s3f_tensor *b = ts_random(S3F_F64, S3F_SHAPE(3), 2, -1, 1, true), *y, *seed;
    assert_ok(s3f_mul(ts_ctx(), a, b, &y));
    assert_ok(s3f_tensor_create(S3F_F64, y->shape, &seed));
    assert_ok(s3f_backward_from(ts_ctx(), y, seed));
    assert_non_null(b->grad);
    for (int i = 0; i < 3; i++) assert_true(s3f_tensor_get(b->grad, i) == 0.0);
    s3f_ctx_reset(ts_ctx());
    s3f_tensor_destroy(seed);
    s3f_tensor_destroy(a);
    s3f_tensor_destroy(b);
}

/* Gradients of both operands (b away from 0: div divides by it). */
static void check_grad(bin_kind kind, s3f_shape sa, s3f_shape sb)
{
    s3f_tensor *in[2] = {ts_random(S3F_F64, sa, 5 + kind, -3, 3, true),
                         divisor(S3F_F64, sb, 6 + kind, true)};
    ts_gradcheck(apply, &kind, 2, in, 0, 0);
    ts_assert_f32_matches_f64(apply, &kind, 2, in, 1e-6);
    ts_destroy_all(2, in);
}

static void test_gradcheck(void **state)
{
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
        check_grad(kinds[k], S3F_SHAPE(2, 3), S3F_SHAPE(2, 3));
        check_grad(kinds[k], S3F_SHAPE(4, 3), S3F_SHAPE(3));
        check_grad(kinds[k], S3F_SHAPE(3), S3F_SHAPE(4, 3));
        check_grad(kinds[k], S3F_SHAPE(4, 1, 3), S3F_SHAPE(1, 5, 3));
        check_grad(kinds[k], S3F_SCALAR_SHAPE, S3F_SHAPE(2, 3));
        check_grad(kinds[k], S3F_SHAPE(2, 3), S3F_SCALAR_SHAPE);
        check_grad(kinds[k], S3F_SHAPE(2, 3), S3F_SHAPE(2, 1));
        check_grad(kinds[k], S3F_SHAPE(2, 1, 4), S3F_SHAPE(3, 1));
    }
}

/* One operand requiring a gradient, the other not; the same tensor twice. */
static void test_gradcheck_partial_and_aliased(void **state)
{
    bin_kind kind = DIV;
    s3f_tensor *in[2] = {ts_random(S3F_F64, S3F_SHAPE(3, 2), 1, -3, 3, false),
                         divisor(S3F_F64, S3F_SHAPE(2), 2, true)};
    ts_gradcheck(apply, &kind, 2, in, 0, 0);
    assert_null(in[0]->grad);
    ts_destroy_all(2, in);

    kind = SQUARE;
    s3f_tensor *x = ts_random(S3F_F64, S3F_SHAPE(3, 2), 3, -3, 3, true);
    ts_gradcheck(apply, &kind, 1, &x, 0, 0);
    s3f_tensor_destroy(x);
}

static void check_deterministic(s3f_shape sa, s3f_shape sb)
{
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
        bin_kind kind = kinds[k];
        s3f_tensor *in[2] = {ts_random(S3F_F32, sa, 11, -3, 3, true),
                             divisor(S3F_F32, sb, 12, true)};
        ts_assert_deterministic(apply, &kind, 2, in);
        ts_destroy_all(2, in);
    }
}

static void test_deterministic(void **state)
{
    check_deterministic(S3F_SHAPE(200, 100), S3F_SHAPE(200, 100));
    check_deterministic(S3F_SHAPE(300, 100), S3F_SHAPE(100));
    check_deterministic(S3F_SHAPE(8, 5000), S3F_SHAPE(5000));
    check_deterministic(S3F_SHAPE(100, 200), S3F_SHAPE(100, 1));
    check_deterministic(S3F_SHAPE(40, 1, 30), S3F_SHAPE(1, 20, 30));
    check_deterministic(S3F_SHAPE(20000), S3F_SCALAR_SHAPE);
}

static void test_bad_input(void **state)
{
    s3f_tensor *a = ts_random(S3F_F64, S3F_SHAPE(4, 3), 1, 0, 1, false);
    s3f_tensor *b = ts_random(S3F_F64, S3F_SHAPE(5), 2, 0, 1, false);
    s3f_tensor *c = ts_random(S3F_F64, S3F_SHAPE(3, 4), 3, 0, 1, false);
    s3f_tensor *f = ts_random(S3F_F32, S3F_SHAPE(4, 3), 4, 0, 1, false), *ints, *y;
    assert_ok(s3f_tensor_create(S3F_I32, S3F_SHAPE(4, 3), &ints));
    assert_fails(s3f_add(ts_ctx(), a, b, &y), S3F_ERR_SHAPE, "add", "(4, 3)", "(5)");
    assert_fails(s3f_mul(ts_ctx(), a, c, &y), S3F_ERR_SHAPE, "mul", "(4, 3)", "(3, 4)");
    assert_fails(s3f_sub(ts_ctx(), a, f, &y), S3F_ERR_DTYPE, "sub", "f64", "f32");
    assert_fails(s3f_div(ts_ctx(), ints, a, &y), S3F_ERR_DTYPE, "div", "i32");
    assert_fails(s3f_add(ts_ctx(), a, NULL, &y), S3F_ERR_ARG, "add");
    s3f_ctx_reset(ts_ctx());
    s3f_tensor *all[] = {a, b, c, f, ints};
    ts_destroy_all(5, all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_against_naive_reference),
        cmocka_unit_test(test_zero_size_dims),
        cmocka_unit_test(test_gradcheck),
        cmocka_unit_test(test_gradcheck_partial_and_aliased),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
