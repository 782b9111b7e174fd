/* test_grad_group_norm.c — group norm as torch.nn.GroupNorm: forward values
 * against a naive loop over (sample, group) for several groupings (groups ==
 * 1, groups == C, in between), x (N, C) without trailing axes as NormSE3 uses
 * it, and x with several trailing axes; gradients of x, gamma and beta by
 * finite differences (f64); f32 against f64; determinism across threads;
 * zero-size tensors; bad input. */
#include <math.h>

#include "test_support.h"

typedef struct gn_case {
    int groups;
    bool affine; /* inputs are {x, gamma, beta} when set, {x} otherwise */
    double eps;
    bool twice; /* run twice on the same inputs and join the results */
} gn_case;

/* With `twice`, every gradient is the sum of two backward passes: a
 * backward that overwrites instead of adding fails the gradcheck. */
static s3f_status apply(s3f_ctx_t *ctx, s3f_tensor *const *in, void *user, s3f_tensor **out)
{
    const gn_case *c = user;
    s3f_tensor *y[2];
    for (int i = 0; i < (c->twice ? 2 : 1); i++)
        S3F_RETURN_IF_ERR(s3f_group_norm(ctx, in[0], c->groups, c->affine ? in[1] : NULL,
                                         c->affine ? in[2] : NULL, c->eps * (i + 1), &y[i]));
    if (!c->twice) *out = y[0];
    return c->twice ? s3f_concat(ctx, 2, y, 0, out) : S3F_OK;
}

/* Element (n, c, s) of x seen as (N, C, S). */
static int64_t at(const s3f_tensor *x, int64_t n, int64_t c, int64_t s, int64_t S)
{
    return (n * x->shape.d[1] + c) * S + s;
}

/* The definition: statistics per (n, g) over channels g*Cg .. (g+1)*Cg-1 and
 * every trailing position. */
static s3f_tensor *naive(const s3f_tensor *x, int groups, const s3f_tensor *gamma,
                         const s3f_tensor *beta, double eps)
{
    s3f_tensor *y;
    assert_ok(s3f_tensor_create(S3F_F64, x->shape, &y));
    int64_t N = x->shape.d[0], C = x->shape.d[1], S = 1;
    for (int k = 2; k < x->shape.ndim; k++) S *= x->shape.d[k];
    int64_t Cg = C / groups;
    for (int64_t n = 0; n < N; n++)
        for (int64_t g = 0; g < groups; g++) {
            double mean = 0, var = 0, count = (double)(Cg * S);
            for (int64_t c = g * Cg; c < (g + 1) * Cg; c++)
                for (int64_t s = 0; s < S; s++)
                    mean += s3f_tensor_get(x, at(x, n, c, s, S)) / count;
            for (int64_t c = g * Cg; c < (g + 1) * Cg; c++)
                for (int64_t s = 0; s < S; s++)
                    var += pow(s3f_tensor_get(x, at(x, n, c, s, S)) - mean, 2) / count;
            for (int64_t c = g * Cg; c < (g + 1) * Cg; c++)
                for (int64_t s = 0; s < S; s++) {
                    double v = (s3f_tensor_get(x, at(x, n, c, s, S)) - mean) / sqrt(var + eps);
                    if (gamma) v = v * s3f_tensor_get(gamma, c) + s3f_tensor_get(beta, c);
                    s3f_tensor_set(y, at(x, n, c, s, S), v);
                }
        }
    return y;
}

static void check_values(s3f_shape shape, int groups, bool affine, double eps, uint64_t seed)
{
    int64_t C = shape.d[1];
    s3f_tensor *x = ts_random(S3F_F64, shape, seed, -2, 3, false);
    s3f_tensor *gamma = ts_random(S3F_F64, S3F_SHAPE(C), seed + 1, 0.5, 1.5, false);
    s3f_tensor *beta = ts_random(S3F_F64, S3F_SHAPE(C), seed + 2, -1, 1, false);
    s3f_tensor *want = naive(x, groups, affine ? gamma : NULL, affine ? beta : NULL, eps), *y;
    assert_ok(
        s3f_group_norm(ts_ctx(), x, groups, affine ? gamma : NULL, affine ? beta : NULL, eps, &y));
    ts_assert_close(y, want, 1e-13, 1e-13);
    s3f_ctx_reset(ts_ctx());
    s3f_tensor *all[] = {x, gamma, beta, want};
    ts_destroy_all(4, all);
}

static void test_matches_naive(void **state)
{
    check_values(S3F_SHAPE(2, 6, 4), 3, true, 1e-5, 1);
    check_values(S3F_SHAPE(2, 6, 4), 1, true, 1e-5, 2);    /* groups == 1 */
    check_values(S3F_SHAPE(2, 6, 4), 6, true, 1e-5, 3);    /* groups == C */
    check_values(S3F_SHAPE(3, 4, 2, 3), 2, false, 0.3, 4); /* two trailing axes, eps 0.3 */
    check_values(S3F_SHAPE(5, 8), 1, true, 1e-5, 5);       /* (N, C): NormSE3 */
    check_values(S3F_SHAPE(5, 8), 4, true, 1e-5, 6);
}

/* groups == C on x (N, C): every group is one number, so x_hat = 0 and the
 * output is beta whatever x is (and x gets no gradient). */
static void test_one_element_groups(void **state)
{
    double xv[] = {1, -7, 3, 100}, g[] = {2, 3}, b[] = {0.5, -0.25};
    double want[] = {0.5, -0.25, 0.5, -0.25};
    s3f_tensor *x = ts_from(S3F_F64, S3F_SHAPE(2, 2), xv),
               *gamma = ts_from(S3F_F64, S3F_SHAPE(2), g),
               *beta = ts_from(S3F_F64, S3F_SHAPE(2), b), *y;
    s3f_tensor *expected = ts_from(S3F_F64, S3F_SHAPE(2, 2), want);
    assert_ok(s3f_group_norm(ts_ctx(), x, 2, gamma, beta, 1e-5, &y));
    ts_assert_close(y, expected, 0, 0);
    s3f_ctx_reset(ts_ctx());
    s3f_tensor *all[] = {x, gamma, beta, expected};
    ts_destroy_all(4, all);
}

static void check_grads(s3f_shape shape, int groups, bool affine, bool twice, uint64_t seed)
{
    gn_case gc = {groups, affine, 1e-5, twice};
    int64_t C = shape.d[1];
    s3f_tensor *in[3] = {ts_random(S3F_F64, shape, seed, -2, 2, true),
                         ts_random(S3F_F64, S3F_SHAPE(C), seed + 1, 0.5, 1.5, true),
                         ts_random(S3F_F64, S3F_SHAPE(C), seed + 2, -1, 1, true)};
    ts_gradcheck(apply, &gc, affine ? 3 : 1, in, 0, 0);
    ts_destroy_all(3, in);
}

static void test_gradients(void **state)
{
    check_grads(S3F_SHAPE(2, 6, 4), 3, true, true, 10); /* twice: grads accumulate */
    check_grads(S3F_SHAPE(2, 6, 4), 1, true, false, 20);
    check_grads(S3F_SHAPE(2, 6, 3), 6, true, false, 30);
    check_grads(S3F_SHAPE(2, 4, 2, 3), 2, false, false, 40);
    check_grads(S3F_SHAPE(5, 8), 1, true, false, 50); /* (N, C) */
    check_grads(S3F_SHAPE(5, 8), 2, true, false, 60);
    check_grads(S3F_SHAPE(3, 4), 4, true, false, 70);     /* one-element groups */
    check_grads(S3F_SHAPE(2, 36, 2), 4, true, false, 80); /* several channel blocks */
}

/* No samples or no trailing positions: empty output, zero gamma/beta grads. */
static void test_zero_size(void **state)
{
    check_grads(S3F_SHAPE(0, 4, 3), 2, true, false, 90);
    check_grads(S3F_SHAPE(2, 4, 0), 2, true, false, 91);
}

static void test_f32_matches_f64(void **state)
{
    gn_case gc = {.groups = 4, .affine = true, .eps = 1e-5};
    s3f_tensor *in[3] = {ts_random(S3F_F64, S3F_SHAPE(3, 8, 10), 100, -3, 3, false),
                         ts_random(S3F_F64, S3F_SHAPE(8), 101, 0.5, 1.5, false),
                         ts_random(S3F_F64, S3F_SHAPE(8), 102, -1, 1, false)};
    /* f32 rounding of inputs and output: a few ulps of O(1) values */
    ts_assert_f32_matches_f64(apply, &gc, 3, in, 1e-5);
    ts_destroy_all(3, in);
}

static void test_deterministic(void **state)
{
    gn_case gc = {.groups = 4, .affine = true, .eps = 1e-5};
    /* 8 x 32 x 80 = 20480 elements: past OP_PARALLEL_MIN, 2 channel blocks */
    s3f_tensor *in[3] = {ts_random(S3F_F32, S3F_SHAPE(8, 32, 80), 110, -3, 3, true),
                         ts_random(S3F_F32, S3F_SHAPE(32), 111, 0.5, 1.5, true),
                         ts_random(S3F_F32, S3F_SHAPE(32), 112, -1, 1, true)};
    ts_assert_deterministic(apply, &gc, 3, in);
    gn_case nc = {.groups = 1, .affine = true, .eps = 1e-5}; /* (N, C) */
    s3f_tensor *flat[3] = {ts_random(S3F_F64, S3F_SHAPE(1000, 20), 113, -3, 3, true),
                           ts_random(S3F_F64, S3F_SHAPE(20), 114, 0.5, 1.5, true),
                           ts_random(S3F_F64, S3F_SHAPE(20), 115, -1, 1, true)};
    ts_assert_deterministic(apply, &nc, 3, flat);
    ts_destroy_all(3, in);
    ts_destroy_all(3, flat);
}

static void test_bad_input(void **state)
{
    s3f_ctx_t *ctx = ts_ctx();
    s3f_tensor *x = ts_random(S3F_F64, S3F_SHAPE(2, 6, 3), 1, 0, 1, false);
    s3f_tensor *g6 = ts_random(S3F_F64, S3F_SHAPE(6), 2, 0, 1, false);
    s3f_tensor *g3 = ts_random(S3F_F64, S3F_SHAPE(3), 3, 0, 1, false);
    s3f_tensor *v = ts_random(S3F_F64, S3F_SHAPE(6), 4, 0, 1, false), *y;
    assert_fails(s3f_group_norm(ctx, x, 4, g6, g6, 1e-5, &y), S3F_ERR_ARG, "group_norm",
                 "groups = 4", "C = 6", "(2, 6, 3)");
    assert_fails(s3f_group_norm(ctx, x, 0, NULL, NULL, 1e-5, &y), S3F_ERR_ARG, "groups = 0");
    assert_fails(s3f_group_norm(ctx, x, -2, NULL, NULL, 1e-5, &y), S3F_ERR_ARG, "groups = -2");
    assert_fails(s3f_group_norm(ctx, v, 1, NULL, NULL, 1e-5, &y), S3F_ERR_SHAPE, "(6)",
                 "(N, C, ...)");
    assert_fails(s3f_group_norm(ctx, x, 3, g3, g3, 1e-5, &y), S3F_ERR_SHAPE, "gamma", "(3)",
                 "(2, 6, 3)");
    assert_fails(s3f_group_norm(ctx, x, 3, g6, NULL, 1e-5, &y), S3F_ERR_ARG, "only gamma");
    assert_fails(s3f_group_norm(ctx, x, 3, NULL, NULL, -1e-5, &y), S3F_ERR_ARG, "eps");
    s3f_tensor *all[] = {x, g6, g3, v};
    ts_destroy_all(4, all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_naive),   cmocka_unit_test(test_one_element_groups),
        cmocka_unit_test(test_gradients),       cmocka_unit_test(test_zero_size),
        cmocka_unit_test(test_f32_matches_f64), cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
