/* test_grad_rowdot.c — s3f_rowdot: values against a hand-computed case and a
 * naive loop, gradients by finite differences (f64, including a tensor dotted
 * with itself), f32 against f64, determinism across threads, zero-size dims
 * and bad input. */
#include <math.h>

#include "test_support.h"

static s3f_status apply(s3f_ctx_t *ctx, s3f_tensor *const *in, void *user, s3f_tensor **out)
{
    return s3f_rowdot(ctx, in[0], in[1], out);
}

/* rowdot(x, x): both gradients land in one tensor. */
static s3f_status apply_self(s3f_ctx_t *ctx, s3f_tensor *const *in, void *user, s3f_tensor **out)
{
    return s3f_rowdot(ctx, in[0], in[0], out);
}

static void make_pair(s3f_dtype dtype, s3f_shape shape, uint64_t seed, s3f_tensor **in)
{
    in[0] = ts_random(dtype, shape, seed, -1, 1, true);
    in[1] = ts_random(dtype, shape, seed + 1, -1, 1, true);
}

static void test_hand_computed(void **state)
{
    double av[] = {1, 2, 3, 4, 5, 6}, bv[] = {1, 0, -1, 2, 2, 2}, want_v[] = {-2, 30};
    s3f_tensor *a = ts_from(S3F_F64, S3F_SHAPE(2, 3), av),
               *b = ts_from(S3F_F64, S3F_SHAPE(2, 3), bv);
    s3f_tensor *want = ts_from(S3F_F64, S3F_SHAPE(2), want_v), *y;
    assert_ok(s3f_rowdot(ts_ctx(), a, b, &y));
    ts_assert_bitwise_equal(y, want);
    s3f_ctx_reset(ts_ctx());
    s3f_tensor *all[] = {a, b, want};
    ts_destroy_all(3, all);
}

/* Output shape drops the last axis; each value is a naive sum. */
static void check_naive(s3f_dtype dtype, s3f_shape shape, double tol)
{
    s3f_tensor *in[2], *y;
    make_pair(dtype, shape, 21, in);
    assert_ok(s3f_rowdot(ts_ctx(), in[0], in[1], &y));
    assert_int_equal(y->shape.ndim, shape.ndim - 1);
    for (int i = 0; i < y->shape.ndim; i++) assert_int_equal(y->shape.d[i], shape.d[i]);
    int64_t d = shape.d[shape.ndim - 1];
    for (int64_t r = 0; r < s3f_tensor_numel(y); r++) {
        double s = 0;
        for (int64_t i = 0; i < d; i++)
            s += s3f_tensor_get(in[0], r * d + i) * s3f_tensor_get(in[1], r * d + i);
        assert_true(fabs(s3f_tensor_get(y, r) - s) <= tol * (1 + fabs(s)));
    }
    s3f_ctx_reset(ts_ctx());
    ts_destroy_all(2, in);
}

static void test_values(void **state)
{
    check_naive(S3F_F64, S3F_SHAPE(2, 3, 4), 1e-15);
    check_naive(S3F_F64, S3F_SHAPE(7), 1e-15); /* 1-D: a scalar out */
    check_naive(S3F_F32, S3F_SHAPE(5, 9), 1e-6);
}

static void test_gradcheck(void **state)
{
    s3f_tensor *in[2];
    make_pair(S3F_F64, S3F_SHAPE(2, 3, 4), 3, in);
    ts_gradcheck(apply, NULL, 2, in, 0, 0);
    ts_gradcheck(apply_self, NULL, 1, in, 0, 0);
    ts_destroy_all(2, in);
    make_pair(S3F_F64, S3F_SHAPE(5), 4, in);
    ts_gradcheck(apply, NULL, 2, in, 0, 0);
    ts_destroy_all(2, in);
    make_pair(S3F_F64, S3F_SHAPE(6, 1), 5, in); /* single-element rows */
    ts_gradcheck(apply, NULL, 2, in, 0, 0);
    ts_destroy_all(2, in);
}

/* D = 40 terms of |x| < 1: f32 sums stay within ~40 * 6e-8 of f64. */
static void test_f32_matches_f64(void **state)
{
    s3f_tensor *in[2];
    make_pair(S3F_F64, S3F_SHAPE(4, 6, 40), 8, in);
    ts_assert_f32_matches_f64(apply, NULL, 2, in, 1e-5);
    ts_destroy_all(2, in);
}

static void test_deterministic(void **state)
{
    s3f_tensor *in[2];
    make_pair(S3F_F32, S3F_SHAPE(3000, 16), 9, in); /* 48000 > OP_PARALLEL_MIN */
    ts_assert_deterministic(apply, NULL, 2, in);
    ts_destroy_all(2, in);
}

/* No rows; and D = 0, which gives zeros. */
static void test_zero_sizes(void **state)
{
    s3f_tensor *in[2], *y;
    make_pair(S3F_F64, S3F_SHAPE(0, 4), 1, in);
    assert_ok(s3f_rowdot(ts_ctx(), in[0], in[1], &y));
    assert_int_equal(y->shape.ndim, 1);
    assert_int_equal(y->shape.d[0], 0);
    s3f_ctx_reset(ts_ctx());
    ts_destroy_all(2, in);
    make_pair(S3F_F64, S3F_SHAPE(3, 0), 2, in);
    assert_ok(s3f_rowdot(ts_ctx(), in[0], in[1], &y));
    assert_int_equal(s3f_tensor_numel(y), 3);
    for (int64_t i = 0; i < 3; i++) assert_true(s3f_tensor_get(y, i) == 0.0);
    s3f_tensor *dy = ts_random(S3F_F64, y->shape, 3, -1, 1, false);
    assert_ok(s3f_backward_from(ts_ctx(), y, dy));
    s3f_ctx_reset(ts_ctx());
    s3f_tensor_destroy(dy);
    ts_destroy_all(2, in);
}

static void test_bad_input(void **state)
{
    s3f_tensor *a = ts_random(S3F_F64, S3F_SHAPE(2, 3), 1, 0, 1, false);
    s3f_tensor *b = ts_random(S3F_F64, S3F_SHAPE(3, 2), 2, 0, 1, false);
    s3f_tensor *f = ts_random(S3F_F32, S3F_SHAPE(2, 3), 3, 0, 1, false);
    s3f_tensor *s1, *s2, *y;
    assert_ok(s3f_tensor_create(S3F_F64, S3F_SCALAR_SHAPE, &s1));
    assert_ok(s3f_tensor_create(S3F_F64, S3F_SCALAR_SHAPE, &s2));
    s3f_ctx_t *ctx = ts_ctx();
    assert_fails(s3f_rowdot(ctx, a, b, &y), S3F_ERR_SHAPE, "rowdot", "(2, 3)", "(3, 2)");
    assert_fails(s3f_rowdot(ctx, s1, s2, &y), S3F_ERR_SHAPE, "rowdot", "()");
    assert_fails(s3f_rowdot(ctx, a, f, &y), S3F_ERR_DTYPE, "rowdot", "f64", "f32");
    assert_fails(s3f_rowdot(ctx, NULL, a, &y), S3F_ERR_ARG, "rowdot", "a");
    s3f_tensor *all[] = {a, b, f, s1, s2};
    ts_destroy_all(5, all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_computed), cmocka_unit_test(test_values),
        cmocka_unit_test(test_gradcheck),     cmocka_unit_test(test_f32_matches_f64),
        cmocka_unit_test(test_deterministic), cmocka_unit_test(test_zero_sizes),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
