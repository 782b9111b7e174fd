/* test_grad_shape.c — reshape and permute: reshape shares data under a
 * distinct header whose gradient lands back in x's shape; permute against a
 * naive index map, round trip with its inverse, identity, 0-D, 1-D, 6-D and
 * zero-size tensors; gradients by finite differences (f64); f32 against f64;
 * determinism across threads; bad shapes and permutations. */
#include <string.h>

#include "test_support.h"

typedef struct shape_case {
    s3f_shape shape;        /* reshape target */
    int perm[S3F_MAX_DIMS]; /* permute order */
    bool reshape;
    bool twice; /* x goes through the op twice; both results are joined */
} shape_case;

static s3f_status apply_once(s3f_ctx_t *ctx, s3f_tensor *x, const shape_case *c, s3f_tensor **out)
{
    if (c->reshape) return s3f_reshape(ctx, x, c->shape, out);
    return s3f_permute(ctx, x, c->perm, out);
}

/* With `twice`, x's gradient must be the sum of two backward passes: a
 * backward that overwrites instead of adding fails the gradcheck. */
static s3f_status apply(s3f_ctx_t *ctx, s3f_tensor *const *in, void *user, s3f_tensor **out)
{
    const shape_case *c = user;
    s3f_tensor *y[2];
    S3F_RETURN_IF_ERR(apply_once(ctx, in[0], c, &y[0]));
    if (!c->twice) {
        *out = y[0];
        return S3F_OK;
    }
    S3F_RETURN_IF_ERR(apply_once(ctx, in[0], c, &y[1]));
    return s3f_concat(ctx, 2, y, 0, out);
}

/* ---- reshape ---- */
static void test_reshape_shares_data(void **state)
{
    s3f_tensor *x = ts_random(S3F_F64, S3F_SHAPE(2, 3, 4), 1, -1, 1, true), *y;
    assert_ok(s3f_reshape(ts_ctx(), x, S3F_SHAPE(6, 4), &y));
    assert_ptr_not_equal(y, x);
    assert_ptr_equal(y->data, x->data);
    assert_int_equal(y->shape.ndim, 2);
    assert_int_equal(y->shape.d[0], 6);
    assert_true(y->requires_grad);
    assert_int_equal(s3f_tape_size(ts_ctx()), 1);
    s3f_tensor *seed = ts_random(S3F_F64, S3F_SHAPE(6, 4), 2, -1, 1, false);
    assert_ok(s3f_backward_from(ts_ctx(), y, seed));
    /* y's gradient is its own; x's has x's shape and the same values */
    assert_non_null(y->grad);
    assert_non_null(x->grad);
    assert_ptr_not_equal(y->grad, x->grad);
    assert_int_equal(x->grad->shape.ndim, 3);
    assert_memory_equal(x->grad->data, seed->data, s3f_tensor_nbytes(seed));
    s3f_ctx_reset(ts_ctx());
    s3f_tensor_destroy(seed);
    s3f_tensor_destroy(x);
}

static void test_reshape_gradients(void **state)
{
    shape_case c = {.shape = S3F_SHAPE(4, 1, 3), .reshape = true};
    s3f_tensor *x = ts_random(S3F_F64, S3F_SHAPE(2, 6), 3, -1, 1, true);
    ts_gradcheck(apply, &c, 1, &x, 0, 0);
    ts_assert_f32_matches_f64(apply, &c, 1, &x, 1e-7);
    c.twice = true;
    ts_gradcheck(apply, &c, 1, &x, 0, 0);
    s3f_tensor_destroy(x);

    shape_case to_scalar = {.shape = S3F_SCALAR_SHAPE, .reshape = true};
    s3f_tensor *one = ts_random(S3F_F64, S3F_SHAPE(1, 1), 4, -1, 1, true);
    ts_gradcheck(apply, &to_scalar, 1, &one, 0, 0);
    s3f_tensor_destroy(one);

    shape_case empty = {.shape = S3F_SHAPE(3, 0, 2), .reshape = true};
    s3f_tensor *none = ts_random(S3F_F64, S3F_SHAPE(0, 5), 5, -1, 1, true), *y;
    assert_ok(apply(ts_ctx(), &none, &empty, &y));
    assert_int_equal(s3f_tensor_numel(y), 0);
    s3f_ctx_reset(ts_ctx());
    s3f_tensor_destroy(none);

    shape_case big = {.shape = S3F_SHAPE(100, 200), .reshape = true};
    s3f_tensor *many = ts_random(S3F_F32, S3F_SHAPE(200, 100), 6, -1, 1, true);
    ts_assert_deterministic(apply, &big, 1, &many);
    s3f_tensor_destroy(many);
}

static void test_reshape_bad_input(void **state)
{
    s3f_tensor *x = ts_random(S3F_F64, S3F_SHAPE(2, 3), 1, 0, 1, false), *y;
    assert_fails(s3f_reshape(ts_ctx(), x, S3F_SHAPE(4, 2), &y), S3F_ERR_SHAPE, "reshape", "(2, 3)",
                 "(4, 2)");
    assert_fails(s3f_reshape(ts_ctx(), x, S3F_SHAPE(-2, -3), &y), S3F_ERR_SHAPE, "reshape",
                 "negative");
    assert_fails(s3f_reshape(ts_ctx(), NULL, S3F_SHAPE(6), &y), S3F_ERR_ARG, "reshape");
    s3f_tensor_destroy(x);
}

/* ---- permute ---- */

/* The definition: out[i0, .., ik] = x[j] with j's axis perm[a] index = i_a. */
static s3f_tensor *naive_permute(const s3f_tensor *x, const int *perm)
{
    int nd = x->shape.ndim;
    s3f_shape shape = {.ndim = nd};
    for (int a = 0; a < nd; a++) shape.d[a] = x->shape.d[perm[a]];
    s3f_tensor *y;
    assert_ok(s3f_tensor_create(S3F_F64, shape, &y));
    for (int64_t o = 0; o < s3f_tensor_numel(y); o++) {
        int64_t idx[S3F_MAX_DIMS], rest = o, src = 0;
        for (int a = nd - 1; a >= 0; a--) {
            idx[perm[a]] = rest % shape.d[a];
            rest /= shape.d[a];
        }
        for (int a = 0; a < nd; a++) src = src * x->shape.d[a] + idx[a];
        s3f_tensor_set(y, o, s3f_tensor_get(x, src));
    }
    return y;
}

static void check_permute(s3f_shape shape, const int *perm, uint64_t seed)
{
    shape_case c = {.reshape = false};
    memcpy(c.perm, perm, (size_t)shape.ndim * sizeof *perm);
    s3f_tensor *x = ts_random(S3F_F64, shape, seed, -1, 1, true), *y;
    s3f_tensor *want = naive_permute(x, perm);
    assert_ok(s3f_permute(ts_ctx(), x, perm, &y));
    ts_assert_bitwise_equal(y, want);
    s3f_ctx_reset(ts_ctx());
    if (s3f_tensor_numel(x)) ts_gradcheck(apply, &c, 1, &x, 0, 0);
    c.twice = true;
    if (s3f_tensor_numel(x) && shape.ndim > 0) ts_gradcheck(apply, &c, 1, &x, 0, 0);
    c.twice = false;
    /* f32 rounding of each copied input: half an ulp */
    ts_assert_f32_matches_f64(apply, &c, 1, &x, 1e-7);
    s3f_tensor_destroy(want);
    s3f_tensor_destroy(x);
}

static void test_permute_values_and_gradients(void **state)
{
    check_permute(S3F_SHAPE(2, 3, 4), (int[]){2, 0, 1}, 1);
    check_permute(S3F_SHAPE(3, 5), (int[]){1, 0}, 2);
    check_permute(S3F_SHAPE(2, 3, 4), (int[]){0, 1, 2}, 3); /* identity */
    check_permute(S3F_SHAPE(7), (int[]){0}, 4);
    check_permute(S3F_SCALAR_SHAPE, (int[]){0}, 5);
    check_permute(S3F_SHAPE(2, 1, 3, 2, 2, 3), (int[]){5, 3, 1, 0, 2, 4}, 6);
    check_permute(S3F_SHAPE(3, 0, 2), (int[]){2, 1, 0}, 7);
    check_permute(S3F_SHAPE(3, 2, 0), (int[]){2, 0, 1}, 8); /* empty last axis of x */
}

/* permute by perm then by its inverse gives x back, bit for bit, and the
 * gradient of the pair is the identity. */
static void test_permute_round_trip(void **state)
{
    int perm[] = {3, 0, 4, 1, 2}, inverse[5];
    for (int a = 0; a < 5; a++) inverse[perm[a]] = a;
    s3f_tensor *x = ts_random(S3F_F64, S3F_SHAPE(2, 3, 4, 5, 6), 9, -1, 1, true), *y, *z;
    assert_ok(s3f_permute(ts_ctx(), x, perm, &y));
    assert_int_equal(y->shape.d[0], 5);
    assert_int_equal(y->shape.d[2], 6);
    assert_ok(s3f_permute(ts_ctx(), y, inverse, &z));
    ts_assert_bitwise_equal(z, x);
    s3f_tensor *seed = ts_random(S3F_F64, x->shape, 10, -1, 1, false);
    assert_ok(s3f_backward_from(ts_ctx(), z, seed));
    ts_assert_bitwise_equal(x->grad, seed);
    s3f_ctx_reset(ts_ctx());
    s3f_tensor_destroy(seed);
    s3f_tensor_destroy(x);
}

static void test_permute_deterministic(void **state)
{
    shape_case c = {.perm = {2, 0, 1}, .reshape = false};
    s3f_tensor *x = ts_random(S3F_F32, S3F_SHAPE(40, 30, 20), 11, -1, 1, true);
    ts_assert_deterministic(apply, &c, 1, &x);
    s3f_tensor_destroy(x);
}

static void test_permute_bad_input(void **state)
{
    s3f_tensor *x = ts_random(S3F_F64, S3F_SHAPE(2, 3, 4), 1, 0, 1, false), *y;
    assert_fails(s3f_permute(ts_ctx(), x, (int[]){0, 0, 2}, &y), S3F_ERR_ARG, "permute",
                 "(0, 0, 2)", "not a permutation of 0..2", "(2, 3, 4)");
    assert_fails(s3f_permute(ts_ctx(), x, (int[]){0, 1, 3}, &y), S3F_ERR_ARG, "(0, 1, 3)");
    assert_fails(s3f_permute(ts_ctx(), x, (int[]){-1, 0, 1}, &y), S3F_ERR_ARG, "(-1, 0, 1)");
    assert_fails(s3f_permute(ts_ctx(), x, NULL, &y), S3F_ERR_ARG, "perm is NULL");
    s3f_tensor_destroy(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reshape_shares_data),
        cmocka_unit_test(test_reshape_gradients),
        cmocka_unit_test(test_reshape_bad_input),
        cmocka_unit_test(test_permute_values_and_gradients),
        cmocka_unit_test(test_permute_round_trip),
        cmocka_unit_test(test_permute_deterministic),
        cmocka_unit_test(test_permute_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
