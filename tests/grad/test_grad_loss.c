/* test_grad_loss.c — l1_loss and mse_loss: values against a naive loop,
 * gradients for pred and target by finite differences (f64), |.|' = 0 where
 * pred == target, f32 against f64, determinism across threads, an empty
 * input and bad input. */
#include <math.h>

#include "test_support.h"

typedef enum { L1, MSE } loss_kind;

static s3f_status apply(s3f_ctx_t *ctx, s3f_tensor *const *in, void *user, s3f_tensor **out)
{
    if (*(loss_kind *)user == L1) return s3f_l1_loss(ctx, in[0], in[1], out);
    return s3f_mse_loss(ctx, in[0], in[1], out);
}

static void check_values(loss_kind kind)
{
    s3f_tensor *in[2] = {ts_random(S3F_F64, S3F_SHAPE(4, 5), 1, -3, 3, false),
                         ts_random(S3F_F64, S3F_SHAPE(4, 5), 2, -3, 3, false)};
    s3f_tensor *y;
    assert_ok(apply(ts_ctx(), in, &kind, &y));
    assert_int_equal(y->shape.ndim, 0);
    double want = 0;
    for (int64_t i = 0; i < 20; i++) {
        double d = s3f_tensor_get(in[0], i) - s3f_tensor_get(in[1], i);
        want += kind == L1 ? fabs(d) : d * d;
    }
    want /= 20;
    assert_true(fabs(s3f_tensor_get(y, 0) - want) <= 1e-15 * want);
    s3f_ctx_reset(ts_ctx());
    ts_destroy_all(2, in);
}

static void check_grad(loss_kind kind)
{
    /* |d| > 1e-3 everywhere: l1 has a kink at 0 that finite differences cannot cross */
    s3f_tensor *in[2] = {ts_random(S3F_F64, S3F_SHAPE(3, 4), 3, -3, 3, true),
                         ts_random(S3F_F64, S3F_SHAPE(3, 4), 4, -3, 3, true)};
    for (int64_t i = 0; i < 12; i++)
        if (fabs(s3f_tensor_get(in[0], i) - s3f_tensor_get(in[1], i)) < 1e-3)
            s3f_tensor_set(in[0], i, s3f_tensor_get(in[0], i) + 0.01);
    ts_gradcheck(apply, &kind, 2, in, 0, 0);
    /* each difference is off by <= 2 * 3 * 2^-24 = 3.6e-7 in f32; |d| <= 6, so
     * d^2 by <= 4.3e-6 = 6.2e-7 * (1 + 6): the mean stays inside 1e-6 (1 + |y|) */
    ts_assert_f32_matches_f64(apply, &kind, 2, in, 1e-6);
    ts_destroy_all(2, in);
}

static void test_l1(void **state)
{
    check_values(L1);
    check_grad(L1);
}

static void test_mse(void **state)
{
    check_values(MSE);
    check_grad(MSE);
}

/* pred == target in element 1: l1 gives it gradient 0 (and mse does too). */
static void test_l1_gradient_zero_at_equal(void **state)
{
    double p[] = {1, 2, 3}, t[] = {0, 2, 5};
    s3f_tensor *pred = ts_from(S3F_F64, S3F_SHAPE(3), p),
               *target = ts_from(S3F_F64, S3F_SHAPE(3), t);
    pred->requires_grad = target->requires_grad = true;
    s3f_tensor *y;
    assert_ok(s3f_l1_loss(ts_ctx(), pred, target, &y));
    assert_true(s3f_tensor_get(y, 0) == 1.0);
    assert_ok(s3f_backward(ts_ctx(), y));
    double want[] = {1.0 / 3, 0, -1.0 / 3};
    for (int i = 0; i < 3; i++) {
        assert_true(s3f_tensor_get(pred->grad, i) == (double)want[i]);
        assert_true(s3f_tensor_get(target->grad, i) == -want[i]);
    }
    s3f_ctx_reset(ts_ctx());
    s3f_tensor_destroy(pred);
    s3f_tensor_destroy(target);
}

static void test_deterministic(void **state)
{
    for (loss_kind kind = L1; kind <= MSE; kind++) {
        s3f_tensor *in[2] = {ts_random(S3F_F32, S3F_SHAPE(300, 100), 5, -3, 3, true),
                             ts_random(S3F_F32, S3F_SHAPE(300, 100), 6, -3, 3, true)};
        ts_assert_deterministic(apply, &kind, 2, in);
        ts_destroy_all(2, in);
    }
}

/* The mean of nothing: 0 / 0. */
static void test_empty_is_nan(void **state)
{
    s3f_tensor *in[2] = {ts_random(S3F_F64, S3F_SHAPE(0, 3), 1, 0, 1, false),
                         ts_random(S3F_F64, S3F_SHAPE(0, 3), 2, 0, 1, false)};
    s3f_tensor *y;
    assert_ok(s3f_mse_loss(ts_ctx(), in[0], in[1], &y));
    assert_true(isnan(s3f_tensor_get(y, 0)));
    s3f_ctx_reset(ts_ctx());
    ts_destroy_all(2, in);
}

static void test_bad_input(void **state)
{
    s3f_tensor *a = ts_random(S3F_F64, S3F_SHAPE(4, 3), 1, 0, 1, false);
    s3f_tensor *b = ts_random(S3F_F64, S3F_SHAPE(3), 2, 0, 1, false);
    s3f_tensor *f = ts_random(S3F_F32, S3F_SHAPE(4, 3), 3, 0, 1, false), *y;
    assert_fails(s3f_mse_loss(ts_ctx(), a, b, &y), S3F_ERR_SHAPE, "mse_loss", "(4, 3)", "(3)");
    assert_fails(s3f_l1_loss(ts_ctx(), a, f, &y), S3F_ERR_DTYPE, "l1_loss", "f64", "f32");
    assert_fails(s3f_l1_loss(ts_ctx(), NULL, a, &y), S3F_ERR_ARG, "l1_loss", "pred");
    s3f_ctx_reset(ts_ctx());
    s3f_tensor *all[] = {a, b, f};
    ts_destroy_all(3, all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_l1),
        cmocka_unit_test(test_mse),
        cmocka_unit_test(test_l1_gradient_zero_at_equal),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_empty_is_nan),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
