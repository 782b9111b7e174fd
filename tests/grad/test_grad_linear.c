/* test_grad_linear.c — s3f_linear: values and gradients (dx, dweight, dbias)
 * against a naive loop, with and without bias, 1-D to 3-D x, on the loop path
 * and the BLAS path (several tiles); finite differences (f64); f32 against
 * f64; determinism across threads; zero-size dims and bad input. */
#include "test_support.h"

typedef struct lin_case {
    bool bias;
} lin_case;

static s3f_status apply(s3f_ctx_t *ctx, s3f_tensor *const *in, void *user, s3f_tensor **out)
{
    const lin_case *c = user;
    return s3f_linear(ctx, in[0], in[1], c->bias ? in[2] : NULL, out);
}

/* x of `shape` (last size I), weight (O, I), bias (O) when asked. */
static void make_inputs(s3f_dtype dtype, s3f_shape shape, int64_t o, bool bias, uint64_t seed,
                        s3f_tensor **in)
{
    int64_t i = shape.d[shape.ndim - 1];
    in[0] = ts_random(dtype, shape, seed, -1, 1, true);
    in[1] = ts_random(dtype, S3F_SHAPE(o, i), seed + 1, -1, 1, true);
    in[2] = bias ? ts_random(dtype, S3F_SHAPE(o), seed + 2, -1, 1, true) : NULL;
}

static void destroy_inputs(s3f_tensor **in)
{
    ts_destroy_all(3, in);
}

/* ---- the naive reference: y[r, o] = b[o] + sum_i x[r, i] w[o, i] ---- */

typedef struct lin_dims {
    int64_t r, i, o;
} lin_dims;

static lin_dims dims_of(const s3f_tensor *x, const s3f_tensor *w)
{
    int64_t i = w->shape.d[1];
    return (lin_dims){i ? s3f_tensor_numel(x) / i : 0, i, w->shape.d[0]};
}

static s3f_tensor *naive_forward(s3f_tensor *const *in, s3f_shape shape)
{
    lin_dims d = dims_of(in[0], in[1]);
    s3f_tensor *y;
    assert_ok(s3f_tensor_create(S3F_F64, shape, &y));
    for (int64_t r = 0; r < d.r; r++)
        for (int64_t o = 0; o < d.o; o++) {
            double s = in[2] ? s3f_tensor_get(in[2], o) : 0;
            for (int64_t i = 0; i < d.i; i++)
                s += s3f_tensor_get(in[0], r * d.i + i) * s3f_tensor_get(in[1], o * d.i + i);
            s3f_tensor_set(y, r * d.o + o, s);
        }
    return y;
}

static void add_at(s3f_tensor *t, int64_t i, double v)
{
    s3f_tensor_set(t, i, s3f_tensor_get(t, i) + v);
}

/* grads[k] (shaped like in[k], f64, zero) += the gradient for seed dy. */
static void naive_backward(s3f_tensor *const *in, const s3f_tensor *dy, s3f_tensor **grads)
{
    lin_dims d = dims_of(in[0], in[1]);
    for (int64_t r = 0; r < d.r; r++)
        for (int64_t o = 0; o < d.o; o++) {
            double g = s3f_tensor_get(dy, r * d.o + o);
            if (grads[2]) add_at(grads[2], o, g);
            for (int64_t i = 0; i < d.i; i++) {
                add_at(grads[0], r * d.i + i, g * s3f_tensor_get(in[1], o * d.i + i));
                add_at(grads[1], o * d.i + i, g * s3f_tensor_get(in[0], r * d.i + i));
            }
        }
}

static void check_against_naive(s3f_dtype dtype, s3f_shape shape, int64_t o, bool bias, double tol)
{
    s3f_tensor *in[3], *y, *grads[3] = {0};
    make_inputs(dtype, shape, o, bias, 40 + o, in);
    s3f_ctx_t *ctx = ts_ctx();
    s3f_ctx_reset(ctx);
    assert_ok(s3f_linear(ctx, in[0], in[1], in[2], &y));
    s3f_tensor *want = naive_forward(in, y->shape);
    ts_assert_close(y, want, tol, tol);
    s3f_tensor *dy = ts_random(dtype, y->shape, 9, -1, 1, false);
    assert_ok(s3f_backward_from(ctx, y, dy));
    for (int k = 0; k < 3; k++)
        if (in[k]) assert_ok(s3f_tensor_create(S3F_F64, in[k]->shape, &grads[k]));
    naive_backward(in, dy, grads);
    for (int k = 0; k < 3; k++)
        if (in[k]) ts_assert_close(in[k]->grad, grads[k], tol, tol);
    s3f_ctx_reset(ctx);
    ts_destroy_all(3, grads);
    s3f_tensor_destroy(want);
    s3f_tensor_destroy(dy);
    destroy_inputs(in);
}

/* ---- tests ---- */

static void test_hand_computed(void **state)
{
    double xv[] = {1, 2, 3, -1, 0, 2}, wv[] = {1, 0, -1, 2, 1, 1}, bv[] = {10, 20};
    double yv[] = {8, 27, 7, 20}; /* rows of x times rows of w, plus b */
    s3f_tensor *x = ts_from(S3F_F64, S3F_SHAPE(2, 3), xv),
               *w = ts_from(S3F_F64, S3F_SHAPE(2, 3), wv);
    s3f_tensor *b = ts_from(S3F_F64, S3F_SHAPE(2), bv),
               *want = ts_from(S3F_F64, S3F_SHAPE(2, 2), yv);
    s3f_tensor *y;
    assert_ok(s3f_linear(ts_ctx(), x, w, b, &y));
    ts_assert_bitwise_equal(y, want);
    s3f_ctx_reset(ts_ctx());
    s3f_tensor *all[] = {x, w, b, want};
    ts_destroy_all(4, all);
}

static void test_values_loop_path(void **state)
{
    for (int bias = 0; bias < 2; bias++) {
        check_against_naive(S3F_F64, S3F_SHAPE(2, 3, 4), 5, bias, 1e-13);
        check_against_naive(S3F_F64, S3F_SHAPE(4), 3, bias, 1e-13);
        check_against_naive(S3F_F32, S3F_SHAPE(3, 4), 5, bias, 1e-6);
    }
}

/* R * O * I and O * I * R well over the BLAS threshold (4096); the second
 * case cuts the forward output into three tiles of rows. */
static void test_values_blas_path(void **state)
{
    for (int bias = 0; bias < 2; bias++) {
        check_against_naive(S3F_F64, S3F_SHAPE(4, 10, 20), 30, bias, 1e-12);
        check_against_naive(S3F_F32, S3F_SHAPE(300, 160), 128, bias, 1e-5);
    }
}

static void gradcheck_shape(s3f_shape shape, int64_t o)
{
    for (int bias = 0; bias < 2; bias++) {
        lin_case c = {bias};
        s3f_tensor *in[3];
        make_inputs(S3F_F64, shape, o, bias, 17, in);
        ts_gradcheck(apply, &c, 3, in, 0, 0);
        destroy_inputs(in);
    }
}

static void test_gradcheck(void **state)
{
    gradcheck_shape(S3F_SHAPE(2, 3, 4), 5); /* loop path */
    gradcheck_shape(S3F_SHAPE(3), 2);       /* 1-D x */
    gradcheck_shape(S3F_SHAPE(24, 16), 16); /* 6144 >= 4096: BLAS for all three products */
}

/* Inputs that need no gradient are skipped (their grad stays NULL). */
static void test_gradcheck_partial(void **state)
{
    lin_case c = {true};
    for (int k = 0; k < 3; k++) {
        s3f_tensor *in[3];
        make_inputs(S3F_F64, S3F_SHAPE(3, 4), 5, true, 23, in);
        in[k]->requires_grad = false;
        ts_gradcheck(apply, &c, 3, in, 0, 0);
        assert_null(in[k]->grad);
        destroy_inputs(in);
    }
}

static void test_f32_matches_f64(void **state)
{
    for (int bias = 0; bias < 2; bias++) {
        lin_case c = {bias};
        s3f_tensor *in[3];
        make_inputs(S3F_F64, S3F_SHAPE(5, 6, 30), 7, bias, 3, in);
        ts_assert_f32_matches_f64(apply, &c, 3, in, 1e-5);
        destroy_inputs(in);
    }
}

/* Over OP_PARALLEL_MIN everywhere: the forward product in seven BLAS tiles
 * of rows, the bias rows and the bias gradient (three blocks of columns);
 * then K = 1025 in f32, where OpenBLAS's own threading would change the
 * bits, with dx and dweight in three tiles of columns. */
static void test_deterministic(void **state)
{
    lin_case c = {true};
    s3f_tensor *in[3];
    make_inputs(S3F_F64, S3F_SHAPE(20000, 32), 40, true, 5, in);
    ts_assert_deterministic(apply, &c, 3, in);
    destroy_inputs(in);
    make_inputs(S3F_F32, S3F_SHAPE(200, 1025), 64, true, 6, in);
    ts_assert_deterministic(apply, &c, 3, in);
    destroy_inputs(in);
}

/* R = 0, I = 0 (the output is the bias) and O = 0. */
static void test_zero_sizes(void **state)
{
    lin_case c = {true};
    s3f_tensor *in[3], *y;
    make_inputs(S3F_F64, S3F_SHAPE(0, 4), 3, true, 1, in);
    ts_gradcheck(apply, &c, 3, in, 0, 0); /* weight and bias get zero gradients */
    destroy_inputs(in);
    make_inputs(S3F_F64, S3F_SHAPE(2, 3, 0), 4, true, 2, in);
    assert_ok(s3f_linear(ts_ctx(), in[0], in[1], in[2], &y));
    assert_int_equal(y->shape.ndim, 3);
    assert_int_equal(y->shape.d[2], 4);
    for (int64_t i = 0; i < s3f_tensor_numel(y); i++)
        assert_true(s3f_tensor_get(y, i) == s3f_tensor_get(in[2], i % 4));
    s3f_ctx_reset(ts_ctx());
    ts_gradcheck(apply, &c, 3, in, 0, 0); /* only the bias has elements */
    destroy_inputs(in);
    make_inputs(S3F_F64, S3F_SHAPE(3, 4), 0, true, 3, in);
    assert_ok(s3f_linear(ts_ctx(), in[0], in[1], in[2], &y));
    assert_int_equal(s3f_tensor_numel(y), 0);
    s3f_ctx_reset(ts_ctx());
    ts_gradcheck(apply, &c, 3, in, 0, 0); /* x gets a zero gradient */
    destroy_inputs(in);
}

static void test_bad_input(void **state)
{
    s3f_tensor *x = ts_random(S3F_F64, S3F_SHAPE(2, 3), 1, 0, 1, false);
    s3f_tensor *w = ts_random(S3F_F64, S3F_SHAPE(4, 5), 2, 0, 1, false);
    s3f_tensor *w1 = ts_random(S3F_F64, S3F_SHAPE(3), 3, 0, 1, false);
    s3f_tensor *w3 = ts_random(S3F_F64, S3F_SHAPE(1, 4, 3), 4, 0, 1, false);
    s3f_tensor *good_w = ts_random(S3F_F64, S3F_SHAPE(4, 3), 5, 0, 1, false);
    s3f_tensor *b5 = ts_random(S3F_F64, S3F_SHAPE(5), 6, 0, 1, false);
    s3f_tensor *b2d = ts_random(S3F_F64, S3F_SHAPE(1, 4), 7, 0, 1, false);
    s3f_tensor *b32 = ts_random(S3F_F32, S3F_SHAPE(4), 8, 0, 1, false);
    s3f_tensor *w32 = ts_random(S3F_F32, S3F_SHAPE(4, 3), 9, 0, 1, false);
    s3f_tensor *scalar, *y;
    assert_ok(s3f_tensor_create(S3F_F64, S3F_SCALAR_SHAPE, &scalar));
    s3f_ctx_t *ctx = ts_ctx();
    assert_fails(s3f_linear(ctx, x, w, NULL, &y), S3F_ERR_SHAPE, "linear", "(2, 3)", "(4, 5)");
    assert_fails(s3f_linear(ctx, x, w1, NULL, &y), S3F_ERR_SHAPE, "2-D", "(2, 3)", "(3)");
    assert_fails(s3f_linear(ctx, x, w3, NULL, &y), S3F_ERR_SHAPE, "2-D", "(1, 4, 3)");
    assert_fails(s3f_linear(ctx, scalar, good_w, NULL, &y), S3F_ERR_SHAPE, "()", "(4, 3)");
    assert_fails(s3f_linear(ctx, x, good_w, b5, &y), S3F_ERR_SHAPE, "bias", "(5)", "(4, 3)");
    assert_fails(s3f_linear(ctx, x, good_w, b2d, &y), S3F_ERR_SHAPE, "bias", "(1, 4)");
    assert_fails(s3f_linear(ctx, x, w32, NULL, &y), S3F_ERR_DTYPE, "linear", "f64", "f32");
    assert_fails(s3f_linear(ctx, x, good_w, b32, &y), S3F_ERR_DTYPE, "linear", "f64", "f32");
    assert_fails(s3f_linear(ctx, x, NULL, NULL, &y), S3F_ERR_ARG, "linear", "weight");
    s3f_tensor *all[] = {x, w, w1, w3, good_w, b5, b2d, b32, w32, scalar};
    ts_destroy_all(10, all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_computed),     cmocka_unit_test(test_values_loop_path),
        cmocka_unit_test(test_values_blas_path),  cmocka_unit_test(test_gradcheck),
        cmocka_unit_test(test_gradcheck_partial), cmocka_unit_test(test_f32_matches_f64),
        cmocka_unit_test(test_deterministic),     cmocka_unit_test(test_zero_sizes),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
