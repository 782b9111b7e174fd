/* test_grad_unary.c — scale, relu, sigmoid, exp, sqrt, clamp: gradients by
 * finite differences (f64), f32 against f64, determinism across threads,
 * zero-size tensors and bad input. */
#include <math.h>

#include "test_support.h"

typedef enum { SCALE, RELU, SIGMOID, EXP, SQRT, CLAMP } unary_kind;

static s3f_status apply(s3f_ctx_t *ctx, s3f_tensor *const *in, void *user, s3f_tensor **out)
{
    switch (*(unary_kind *)user) {
    case SCALE:
        return s3f_scale(ctx, in[0], -2.5, out);
    case RELU:
        return s3f_relu(ctx, in[0], out);
    case SIGMOID:
        return s3f_sigmoid(ctx, in[0], out);
    case EXP:
        return s3f_exp(ctx, in[0], out);
    case SQRT:
        return s3f_sqrt(ctx, in[0], out);
    case CLAMP:
        return s3f_clamp(ctx, in[0], -0.5, 0.25, out);
    }
    return S3F_ERR_ARG;
}

/* Inputs kept away from kinks (relu at 0, clamp at its bounds) by more than
 * the finite-difference step, and positive for sqrt. */
static s3f_tensor *input_for(unary_kind kind, s3f_shape shape, uint64_t seed)
{
    s3f_tensor *x = ts_random(S3F_F64, shape, seed, kind == SQRT ? 0.1 : -3, 3, true);
    for (int64_t i = 0; i < s3f_tensor_numel(x); i++) {
        double v = s3f_tensor_get(x, i);
        if (fabs(v) < 1e-3 || fabs(v + 0.5) < 1e-3 || fabs(v - 0.25) < 1e-3)
            s3f_tensor_set(x, i, v + 0.01);
    }
    return x;
}

static void check_kind(unary_kind kind)
{
    s3f_tensor *x = input_for(kind, S3F_SHAPE(3, 5), 7 + kind);
    ts_gradcheck(apply, &kind, 1, &x, 0, 0);
    ts_assert_f32_matches_f64(apply, &kind, 1, &x, 1e-6);
    s3f_tensor_destroy(x);

    s3f_tensor *big = input_for(kind, S3F_SHAPE(300, 100), 11 + kind);
    ts_assert_deterministic(apply, &kind, 1, &big);
    s3f_tensor_destroy(big);

    s3f_tensor *empty = input_for(kind, S3F_SHAPE(0, 4), 1);
    s3f_tensor *y;
    assert_ok(apply(ts_ctx(), &empty, &kind, &y));
    assert_int_equal(s3f_tensor_numel(y), 0);
    s3f_ctx_reset(ts_ctx());
    s3f_tensor_destroy(empty);
}

static void test_scale(void **state)
{
    check_kind(SCALE);
}
static void test_relu(void **state)
{
    check_kind(RELU);
}
static void test_sigmoid(void **state)
{
    check_kind(SIGMOID);
}
static void test_exp(void **state)
{
    check_kind(EXP);
}
static void test_sqrt(void **state)
{
    check_kind(SQRT);
}
static void test_clamp(void **state)
{
    check_kind(CLAMP);
}

static void test_sigmoid_extremes_are_finite(void **state)
{
    double v[] = {-1000, -50, 0, 50, 1000};
    s3f_tensor *x = ts_from(S3F_F64, S3F_SHAPE(5), v), *y;
    assert_ok(s3f_sigmoid(ts_ctx(), x, &y));
    assert_true(s3f_tensor_get(y, 0) == 0.0);
    assert_true(fabs(s3f_tensor_get(y, 2) - 0.5) < 1e-15);
    assert_true(s3f_tensor_get(y, 4) == 1.0);
    s3f_ctx_reset(ts_ctx());
    s3f_tensor_destroy(x);
}

static void test_bad_input(void **state)
{
    s3f_tensor *ints, *y;
    assert_ok(s3f_tensor_create(S3F_I32, S3F_SHAPE(4), &ints));
    assert_fails(s3f_relu(ts_ctx(), ints, &y), S3F_ERR_DTYPE, "relu", "i32");
    assert_fails(s3f_relu(ts_ctx(), NULL, &y), S3F_ERR_ARG, "relu");
    s3f_tensor *x = ts_random(S3F_F64, S3F_SHAPE(2), 1, 0, 1, false);
    assert_fails(s3f_clamp(ts_ctx(), x, 1, -1, &y), S3F_ERR_ARG, "clamp");
    s3f_tensor_destroy(x);
    s3f_tensor_destroy(ints);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scale),
        cmocka_unit_test(test_relu),
        cmocka_unit_test(test_sigmoid),
        cmocka_unit_test(test_exp),
        cmocka_unit_test(test_sqrt),
        cmocka_unit_test(test_clamp),
        cmocka_unit_test(test_sigmoid_extremes_are_finite),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
