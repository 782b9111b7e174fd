/* test_grad_vector_norm.c — the clamped L2 norm over the last axis: values
 * against a naive loop (with and without keepdim), gradients by finite
 * differences (f64) with some rows held by the clamp, the zero vector (no
 * NaN), f32 against f64, determinism across threads, zero-size dims and bad
 * input. */
#include <math.h>

#include "test_support.h"

#define MIN_NORM 0.1

typedef struct norm_case {
    double min_norm;
    bool keepdim;
} norm_case;

static s3f_status apply(s3f_ctx_t *ctx, s3f_tensor *const *in, void *user, s3f_tensor **out)
{
    const norm_case *c = user;
    return s3f_vector_norm(ctx, in[0], c->min_norm, c->keepdim, out);
}

/* x (rows, 3) in [-2, 2), with every third row shrunk below MIN_NORM / 2 so
 * the clamp holds it even under the finite-difference step. */
static s3f_tensor *input(s3f_dtype dtype, int64_t rows, uint64_t seed, bool requires_grad)
{
    s3f_tensor *x = ts_random(dtype, S3F_SHAPE(rows, 3), seed, -2, 2, requires_grad);
    for (int64_t r = 0; r < rows; r += 3)
        for (int k = 0; k < 3; k++)
            s3f_tensor_set(x, r * 3 + k, s3f_tensor_get(x, r * 3 + k) / 100);
    return x;
}

static void test_values(void **state)
{
    s3f_tensor *x = input(S3F_F64, 7, 1, false), *y;
    for (int keep = 0; keep < 2; keep++) {
        assert_ok(s3f_vector_norm(ts_ctx(), x, MIN_NORM, keep, &y));
        assert_int_equal(y->shape.ndim, keep ? 2 : 1);
        assert_int_equal(y->shape.d[0], 7);
        if (keep) assert_int_equal(y->shape.d[1], 1);
        for (int64_t r = 0; r < 7; r++) {
            double s = 0;
            for (int k = 0; k < 3; k++) s += pow(s3f_tensor_get(x, r * 3 + k), 2);
            double want = fmax(sqrt(s), MIN_NORM);
            assert_true(fabs(s3f_tensor_get(y, r) - want) <= 1e-15 * want);
            if (r % 3 == 0) assert_true(s3f_tensor_get(y, r) == MIN_NORM);
        }
    }
    double v[] = {3, 4};
    s3f_tensor *pair = ts_from(S3F_F64, S3F_SHAPE(1, 2), v);
    assert_ok(s3f_vector_norm(ts_ctx(), pair, 0, false, &y));
    assert_true(s3f_tensor_get(y, 0) == 5.0);
    s3f_ctx_reset(ts_ctx());
    s3f_tensor_destroy(pair);
    s3f_tensor_destroy(x);
}

static void test_gradcheck(void **state)
{
    s3f_tensor *x = input(S3F_F64, 7, 2, true);
    for (int keep = 0; keep < 2; keep++) {
        norm_case c = {MIN_NORM, keep};
        ts_gradcheck(apply, &c, 1, &x, 0, 0);
        /* a norm of 3 inputs off by <= 2 * 2^-24 each: relative error < 3e-7 */
        ts_assert_f32_matches_f64(apply, &c, 1, &x, 1e-6);
    }
    norm_case unclamped = {0, false};
    ts_gradcheck(apply, &unclamped, 1, &x, 0, 0);
    s3f_tensor_destroy(x);
}

/* The zero vector, clamped or not: gradient exactly 0, never NaN. */
static void test_zero_vector(void **state)
{
    double min_norms[] = {MIN_NORM, 0};
    for (int i = 0; i < 2; i++) {
        s3f_tensor *x, *y;
        assert_ok(s3f_tensor_create(S3F_F64, S3F_SHAPE(2, 3), &x));
        s3f_tensor_set(x, 3, 1); /* row 1 is (1, 0, 0), so its gradient is (1, 0, 0) */
        x->requires_grad = true;
        s3f_tensor *sum;
        assert_ok(s3f_vector_norm(ts_ctx(), x, min_norms[i], false, &y));
        assert_true(s3f_tensor_get(y, 0) == min_norms[i]);
        assert_ok(s3f_sum_all(ts_ctx(), y, &sum));
        assert_ok(s3f_backward(ts_ctx(), sum));
        double want[] = {0, 0, 0, 1, 0, 0};
        for (int k = 0; k < 6; k++) assert_true(s3f_tensor_get(x->grad, k) == want[k]);
        s3f_ctx_reset(ts_ctx());
        s3f_tensor_destroy(x);
    }
}

static void test_deterministic(void **state)
{
    norm_case c = {MIN_NORM, true};
    s3f_tensor *x = input(S3F_F32, 8000, 3, true);
    ts_assert_deterministic(apply, &c, 1, &x);
    s3f_tensor_destroy(x);
}

static void test_zero_size(void **state)
{
    s3f_tensor *rows0 = ts_random(S3F_F64, S3F_SHAPE(0, 3), 1, -1, 1, false);
    s3f_tensor *dim0 = ts_random(S3F_F64, S3F_SHAPE(2, 0), 1, -1, 1, false), *y;
    assert_ok(s3f_vector_norm(ts_ctx(), rows0, MIN_NORM, false, &y));
    assert_int_equal(s3f_tensor_numel(y), 0);
    assert_ok(s3f_vector_norm(ts_ctx(), dim0, MIN_NORM, true, &y));
    assert_int_equal(s3f_tensor_numel(y), 2);
    assert_true(s3f_tensor_get(y, 1) == MIN_NORM);
    s3f_ctx_reset(ts_ctx());
    s3f_tensor_destroy(rows0);
    s3f_tensor_destroy(dim0);
}

static void test_bad_input(void **state)
{
    s3f_tensor *scalar = ts_random(S3F_F64, S3F_SCALAR_SHAPE, 1, 0, 1, false), *ints, *y;
    s3f_tensor *x = ts_random(S3F_F64, S3F_SHAPE(2, 3), 1, 0, 1, false);
    assert_ok(s3f_tensor_create(S3F_I32, S3F_SHAPE(4), &ints));
    assert_fails(s3f_vector_norm(ts_ctx(), scalar, 0, false, &y), S3F_ERR_SHAPE, "vector_norm",
                 "()");
    assert_fails(s3f_vector_norm(ts_ctx(), ints, 0, false, &y), S3F_ERR_DTYPE, "vector_norm",
                 "i32");
    assert_fails(s3f_vector_norm(ts_ctx(), x, NAN, false, &y), S3F_ERR_ARG, "min_norm");
    assert_fails(s3f_vector_norm(ts_ctx(), NULL, 0, false, &y), S3F_ERR_ARG, "vector_norm");
    s3f_ctx_reset(ts_ctx());
    s3f_tensor *all[] = {scalar, ints, x};
    ts_destroy_all(3, all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values),      cmocka_unit_test(test_gradcheck),
        cmocka_unit_test(test_zero_vector), cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_zero_size),   cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
