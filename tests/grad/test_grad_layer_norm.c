/* test_grad_layer_norm.c — layer norm over the last axis: forward values
 * against a hand-computed case and a naive loop (torch.nn.LayerNorm: biased
 * variance, eps inside the square root), gradients of x, gamma and beta by
 * finite differences (f64), f32 against f64, determinism across threads,
 * zero-size and one-channel rows, and bad input. */
#include <math.h>

#include "test_support.h"

typedef struct ln_case {
    bool affine; /* inputs are {x, gamma, beta} when set, {x} otherwise */
    double eps;
    bool twice; /* run twice on the same inputs and join the results */
} ln_case;

/* With `twice`, every gradient is the sum of two backward passes: a
 * backward that overwrites instead of adding fails the gradcheck. */
static s3f_status apply(s3f_ctx_t *ctx, s3f_tensor *const *in, void *user, s3f_tensor **out)
{
    const ln_case *c = user;
    s3f_tensor *y[2];
    for (int i = 0; i < (c->twice ? 2 : 1); i++)
        S3F_RETURN_IF_ERR(s3f_layer_norm(ctx, in[0], c->affine ? in[1] : NULL,
                                         c->affine ? in[2] : NULL, c->eps * (i + 1), &y[i]));
    if (!c->twice) *out = y[0];
    return c->twice ? s3f_concat(ctx, 2, y, 0, out) : S3F_OK;
}

/* The definition, one row at a time, in double. */
static s3f_tensor *naive(const s3f_tensor *x, const s3f_tensor *gamma, const s3f_tensor *beta,
                         double eps)
{
    s3f_tensor *y;
    assert_ok(s3f_tensor_create(S3F_F64, x->shape, &y));
    int64_t c = x->shape.d[x->shape.ndim - 1], rows = c ? s3f_tensor_numel(x) / c : 0;
    for (int64_t r = 0; r < rows; r++) {
        double mean = 0, var = 0;
        for (int64_t k = 0; k < c; k++) mean += s3f_tensor_get(x, r * c + k) / c;
        for (int64_t k = 0; k < c; k++) var += pow(s3f_tensor_get(x, r * c + k) - mean, 2) / c;
        for (int64_t k = 0; k < c; k++) {
            double v = (s3f_tensor_get(x, r * c + k) - mean) / sqrt(var + eps);
            if (gamma) v = v * s3f_tensor_get(gamma, k) + s3f_tensor_get(beta, k);
            s3f_tensor_set(y, r * c + k, v);
        }
    }
    return y;
}

static void test_hand_computed(void **state)
{
    /* mean 2.5, biased variance 1.25; with eps = 0.75 the divisor is sqrt(2) */
    double xv[] = {1, 2, 3, 4}, g[] = {1, 2, 1, 1}, b[] = {0, 0, 0, 10};
    s3f_tensor *x = ts_from(S3F_F64, S3F_SHAPE(1, 4), xv),
               *gamma = ts_from(S3F_F64, S3F_SHAPE(4), g),
               *beta = ts_from(S3F_F64, S3F_SHAPE(4), b), *y;
    assert_ok(s3f_layer_norm(ts_ctx(), x, gamma, beta, 0.75, &y));
    double r = sqrt(2);
    double want[] = {-1.5 / r, 2 * -0.5 / r, 0.5 / r, 1.5 / r + 10};
    s3f_tensor *expected = ts_from(S3F_F64, S3F_SHAPE(1, 4), want);
    ts_assert_close(y, expected, 1e-15, 1e-15);
    s3f_ctx_reset(ts_ctx());
    s3f_tensor *all[] = {x, gamma, beta, expected};
    ts_destroy_all(4, all);
}

static void test_matches_naive(void **state)
{
    s3f_tensor *x = ts_random(S3F_F64, S3F_SHAPE(2, 3, 7), 1, -2, 5, false);
    s3f_tensor *gamma = ts_random(S3F_F64, S3F_SHAPE(7), 2, 0.5, 1.5, false);
    s3f_tensor *beta = ts_random(S3F_F64, S3F_SHAPE(7), 3, -1, 1, false);
    s3f_tensor *y, *want = naive(x, gamma, beta, 1e-5);
    assert_ok(s3f_layer_norm(ts_ctx(), x, gamma, beta, 1e-5, &y));
    ts_assert_close(y, want, 1e-13, 1e-13);
    s3f_tensor_destroy(want);
    want = naive(x, NULL, NULL, 0.1);
    assert_ok(s3f_layer_norm(ts_ctx(), x, NULL, NULL, 0.1, &y));
    ts_assert_close(y, want, 1e-13, 1e-13);
    s3f_ctx_reset(ts_ctx());
    s3f_tensor *all[] = {x, gamma, beta, want};
    ts_destroy_all(4, all);
}

/* A large common offset must not cost the variance its digits (two-pass
 * statistics), in f32 as in f64. */
static void test_large_offset(void **state)
{
    s3f_tensor *x = ts_random(S3F_F64, S3F_SHAPE(4, 16), 5, 1e4, 1e4 + 1, false);
    s3f_tensor *want = naive(x, NULL, NULL, 1e-5), *y;
    assert_ok(s3f_layer_norm(ts_ctx(), x, NULL, NULL, 1e-5, &y));
    ts_assert_close(y, want, 1e-9, 0);
    s3f_tensor *x32 = ts_cast(x, S3F_F32);
    s3f_tensor *want32 = naive(x32, NULL, NULL, 1e-5);
    assert_ok(s3f_layer_norm(ts_ctx(), x32, NULL, NULL, 1e-5, &y));
    ts_assert_close(y, want32, 1e-5, 0);
    s3f_ctx_reset(ts_ctx());
    s3f_tensor *all[] = {x, want, x32, want32};
    ts_destroy_all(4, all);
}

static void check_grads(s3f_shape shape, int64_t c, bool affine, bool beta_grad, bool twice,
                        uint64_t seed)
{
    ln_case lc = {.affine = affine, .eps = 1e-5, .twice = twice};
    s3f_tensor *in[3] = {ts_random(S3F_F64, shape, seed, -2, 2, true),
                         ts_random(S3F_F64, S3F_SHAPE(c), seed + 1, 0.5, 1.5, true),
                         ts_random(S3F_F64, S3F_SHAPE(c), seed + 2, -1, 1, beta_grad)};
    ts_gradcheck(apply, &lc, affine ? 3 : 1, in, 0, 0);
    ts_destroy_all(3, in);
}

static void test_gradients(void **state)
{
    check_grads(S3F_SHAPE(4, 6), 6, true, true, true, 10); /* twice: grads accumulate */
    check_grads(S3F_SHAPE(2, 3, 5), 5, false, false, false, 20);
    check_grads(S3F_SHAPE(3, 4), 4, true, false, false, 30);   /* beta needs no gradient */
    check_grads(S3F_SHAPE(5), 5, true, true, false, 40);       /* one row, 1-D */
    check_grads(S3F_SHAPE(3, 1), 1, true, true, false, 50);    /* one channel: x_hat = 0 */
    check_grads(S3F_SHAPE(20, 40), 40, true, true, false, 60); /* more than one channel block */
}

/* No rows: the output is empty and gamma/beta get zero gradients; no
 * channels: nothing to compute at all. */
static void test_zero_size(void **state)
{
    check_grads(S3F_SHAPE(0, 5), 5, true, true, false, 70);
    ln_case lc = {.affine = true, .eps = 1e-5};
    s3f_tensor *in[3] = {ts_random(S3F_F64, S3F_SHAPE(3, 0), 1, -1, 1, true),
                         ts_random(S3F_F64, S3F_SHAPE(0), 2, -1, 1, true),
                         ts_random(S3F_F64, S3F_SHAPE(0), 3, -1, 1, true)};
    s3f_tensor *y;
    assert_ok(apply(ts_ctx(), in, &lc, &y));
    assert_int_equal(s3f_tensor_numel(y), 0);
    s3f_ctx_reset(ts_ctx());
    ts_destroy_all(3, in);
}

static void test_f32_matches_f64(void **state)
{
    ln_case lc = {.affine = true, .eps = 1e-5};
    s3f_tensor *in[3] = {ts_random(S3F_F64, S3F_SHAPE(6, 33), 80, -3, 3, false),
                         ts_random(S3F_F64, S3F_SHAPE(33), 81, 0.5, 1.5, false),
                         ts_random(S3F_F64, S3F_SHAPE(33), 82, -1, 1, false)};
    /* f32 rounding of inputs and output: a few ulps of O(1) values */
    ts_assert_f32_matches_f64(apply, &lc, 3, in, 1e-5);
    ts_destroy_all(3, in);
}

/* 400 x 64 = 25600 elements: past OP_PARALLEL_MIN, 4 channel blocks. f64
 * as well as f32: sums run in double, so an order change that the rounding
 * to f32 hides still shows in f64. */
static void check_deterministic(s3f_dtype dtype)
{
    ln_case lc = {.affine = true, .eps = 1e-5};
    s3f_tensor *in[3] = {ts_random(dtype, S3F_SHAPE(400, 64), 90, -3, 3, true),
                         ts_random(dtype, S3F_SHAPE(64), 91, 0.5, 1.5, true),
                         ts_random(dtype, S3F_SHAPE(64), 92, -1, 1, true)};
    ts_assert_deterministic(apply, &lc, 3, in);
    ts_destroy_all(3, in);
}

static void test_deterministic(void **state)
{
    check_deterministic(S3F_F32);
    check_deterministic(S3F_F64);
}

static void test_bad_input(void **state)
{
    s3f_ctx_t *ctx = ts_ctx();
    s3f_tensor *x = ts_random(S3F_F64, S3F_SHAPE(4, 5), 1, 0, 1, false);
    s3f_tensor *g5 = ts_random(S3F_F64, S3F_SHAPE(5), 2, 0, 1, false);
    s3f_tensor *g6 = ts_random(S3F_F64, S3F_SHAPE(6), 3, 0, 1, false);
    s3f_tensor *g5f = ts_random(S3F_F32, S3F_SHAPE(5), 4, 0, 1, false);
    s3f_tensor *scalar = ts_random(S3F_F64, S3F_SCALAR_SHAPE, 5, 0, 1, false), *y;
    assert_fails(s3f_layer_norm(ctx, x, g5, NULL, 1e-5, &y), S3F_ERR_ARG, "layer_norm", "both",
                 "only gamma");
    assert_fails(s3f_layer_norm(ctx, x, NULL, g5, 1e-5, &y), S3F_ERR_ARG, "only beta");
    assert_fails(s3f_layer_norm(ctx, x, g6, g5, 1e-5, &y), S3F_ERR_SHAPE, "layer_norm", "gamma",
                 "(6)", "(4, 5)");
    assert_fails(s3f_layer_norm(ctx, x, g5, g6, 1e-5, &y), S3F_ERR_SHAPE, "beta", "(6)");
    assert_fails(s3f_layer_norm(ctx, x, g5f, g5, 1e-5, &y), S3F_ERR_DTYPE, "f32", "f64");
    assert_fails(s3f_layer_norm(ctx, scalar, NULL, NULL, 1e-5, &y), S3F_ERR_SHAPE, "()",
                 "last axis");
    assert_fails(s3f_layer_norm(ctx, x, NULL, NULL, -1, &y), S3F_ERR_ARG, "eps");
    assert_fails(s3f_layer_norm(ctx, x, NULL, NULL, NAN, &y), S3F_ERR_ARG, "eps");
    assert_fails(s3f_layer_norm(ctx, NULL, NULL, NULL, 1e-5, &y), S3F_ERR_ARG, "x is NULL");
    s3f_tensor *all[] = {x, g5, g6, g5f, scalar};
    ts_destroy_all(5, all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_computed), cmocka_unit_test(test_matches_naive),
        cmocka_unit_test(test_large_offset),  cmocka_unit_test(test_gradients),
        cmocka_unit_test(test_zero_size),     cmocka_unit_test(test_f32_matches_f64),
        cmocka_unit_test(test_deterministic), cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
