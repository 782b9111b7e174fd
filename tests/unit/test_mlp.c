/* test_mlp.c — autograd end to end: a two-layer MLP built from core ops
 * (linear, relu, linear, mse) and trained with plain SGD written here fits a
 * fixed smooth regression target; stated threshold: the MSE falls below 2%
 * of its starting value within 600 steps (lr 0.1). Also: a weight used twice in one
 * graph receives the sum of both paths' gradients. */
#include <math.h>

#include "test_support.h"

#define SAMPLES 128
#define HIDDEN  32

/* y = sin(x0) + x1 * x2 / 2 on inputs in [-2, 2]^3 */
static void make_data(s3f_tensor **x, s3f_tensor **y)
{
    *x = ts_random(S3F_F64, S3F_SHAPE(SAMPLES, 3), 11, -2, 2, false);
    assert_ok(s3f_tensor_create(S3F_F64, S3F_SHAPE(SAMPLES, 1), y));
    const double *in = (*x)->data;
    double *out = (*y)->data;
    for (int i = 0; i < SAMPLES; i++) out[i] = sin(in[3 * i]) + in[3 * i + 1] * in[3 * i + 2] / 2;
}

static double step(s3f_ctx_t *ctx, s3f_params_t *p, s3f_tensor *x, s3f_tensor *y, double lr)
{
    s3f_tensor *h, *out, *loss;
    assert_ok(s3f_linear(ctx, x, s3f_params_find(p, "0.weight"), s3f_params_find(p, "0.bias"), &h));
    assert_ok(s3f_relu(ctx, h, &h));
    assert_ok(
        s3f_linear(ctx, h, s3f_params_find(p, "2.weight"), s3f_params_find(p, "2.bias"), &out));
    assert_ok(s3f_mse_loss(ctx, out, y, &loss));
    double value = s3f_tensor_get(loss, 0);
    s3f_params_zero_grad(p);
    assert_ok(s3f_backward(ctx, loss));
    double *w = s3f_params_values(p)->data, *g = s3f_params_grads(p)->data;
    for (int64_t i = 0; i < s3f_tensor_numel(s3f_params_values(p)); i++) w[i] -= lr * g[i];
    s3f_ctx_reset(ctx);
    return value;
}

static void test_mlp_fits_a_regression(void **state)
{
    s3f_params_t *p;
    assert_ok(s3f_params_create(S3F_F64, &p));
    assert_ok(s3f_params_add(p, "0.weight", S3F_SHAPE(HIDDEN, 3), NULL));
    assert_ok(s3f_params_add(p, "0.bias", S3F_SHAPE(HIDDEN), NULL));
    assert_ok(s3f_params_add(p, "2.weight", S3F_SHAPE(1, HIDDEN), NULL));
    assert_ok(s3f_params_add(p, "2.bias", S3F_SHAPE(1), NULL));
    assert_ok(s3f_params_finalize(p));
    s3f_rng rng = s3f_rng_make(5);
    assert_ok(s3f_tensor_fill_uniform(s3f_params_find(p, "0.weight"), &rng, -0.5, 0.5));
    assert_ok(s3f_tensor_fill_uniform(s3f_params_find(p, "2.weight"), &rng, -0.2, 0.2));
    s3f_tensor *x, *y;
    make_data(&x, &y);
    double first = step(ts_ctx(), p, x, y, 0.1), last = first;
    for (int i = 1; i < 600; i++) last = step(ts_ctx(), p, x, y, 0.1);
    print_message("MLP: MSE %.4f -> %.4f after 600 SGD steps\n", first, last);
    assert_true(last < 0.02 * first);
    s3f_tensor_destroy(x);
    s3f_tensor_destroy(y);
    s3f_params_destroy(p);
}

static void test_shared_weight_accumulates(void **state)
{
    /* loss = sum(W a) + sum(W b) uses W twice: dL/dW = 1 (a + b)^T */
    s3f_params_t *p;
    s3f_tensor *w;
    assert_ok(s3f_params_create(S3F_F64, &p));
    assert_ok(s3f_params_add(p, "w", S3F_SHAPE(2, 3), &w));
    assert_ok(s3f_params_finalize(p));
    double av[] = {1, 2, 3}, bv[] = {-4, 0.5, 10};
    s3f_tensor *a = ts_from(S3F_F64, S3F_SHAPE(1, 3), av),
               *b = ts_from(S3F_F64, S3F_SHAPE(1, 3), bv);
    s3f_ctx_t *ctx = ts_ctx();
    s3f_tensor *ya, *yb, *sa, *sb, *total;
    assert_ok(s3f_linear(ctx, a, w, NULL, &ya));
    assert_ok(s3f_linear(ctx, b, w, NULL, &yb));
    assert_ok(s3f_sum_all(ctx, ya, &sa));
    assert_ok(s3f_sum_all(ctx, yb, &sb));
    assert_ok(s3f_add(ctx, sa, sb, &total));
    assert_ok(s3f_backward(ctx, total));
    for (int r = 0; r < 2; r++)
        for (int c = 0; c < 3; c++)
            assert_true(s3f_tensor_get(w->grad, 3 * r + c) == av[c] + bv[c]);
    s3f_ctx_reset(ctx);
    ts_destroy_all(2, (s3f_tensor *[]){a, b});
    s3f_params_destroy(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mlp_fits_a_regression),
        cmocka_unit_test(test_shared_weight_accumulates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
