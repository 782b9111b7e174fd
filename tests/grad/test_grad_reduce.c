/* test_grad_reduce.c — sum, mean, max along every axis of a 3-D tensor (with
 * and without keepdim, negative axes too) and sum_all: values against naive
 * loops, gradients by finite differences (f64), f32 against f64, determinism
 * across threads, ties and NaN in max, zero-size axes and bad input. */
#include <math.h>

#include "test_support.h"

typedef enum { SUM, MEAN, MAX, SUM_ALL } red_kind;
static const red_kind axis_kinds[] = {SUM, MEAN, MAX};

typedef struct red_case {
    red_kind kind;
    int axis;
    bool keepdim;
} red_case;

static s3f_status apply(s3f_ctx_t *ctx, s3f_tensor *const *in, void *user, s3f_tensor **out)
{
    const red_case *c = user;
    switch (c->kind) {
    case SUM:
        return s3f_sum(ctx, in[0], c->axis, c->keepdim, out);
    case MEAN:
        return s3f_mean(ctx, in[0], c->axis, c->keepdim, out);
    case MAX:
        return s3f_max(ctx, in[0], c->axis, c->keepdim, out);
    case SUM_ALL:
        return s3f_sum_all(ctx, in[0], out);
    }
    return S3F_ERR_ARG;
}

/* The reduction of x (3-D) along axis (0..2) by three plain loops, as f64
 * of x's shape with the axis kept as 1. */
static s3f_tensor *naive_reduce(red_kind kind, const s3f_tensor *x, int axis)
{
    const int64_t *d = x->shape.d;
    s3f_shape shape = x->shape;
    shape.d[axis] = 1;
    s3f_tensor *y;
    assert_ok(s3f_tensor_create(S3F_F64, shape, &y));
    for (int64_t i = 0; i < s3f_tensor_numel(y); i++) {
        int64_t c[3] = {i / (shape.d[1] * shape.d[2]), i / shape.d[2] % shape.d[1], i % shape.d[2]};
        double acc = kind == MAX ? -INFINITY : 0;
        for (int64_t l = 0; l < d[axis]; l++) {
            c[axis] = l;
            double v = s3f_tensor_get(x, (c[0] * d[1] + c[1]) * d[2] + c[2]);
            acc = kind == MAX ? fmax(acc, v) : acc + v;
        }
        s3f_tensor_set(y, i, kind == MEAN ? acc / (double)d[axis] : acc);
    }
    return y;
}

/* Runs one case on x and checks shape and values against naive_reduce. */
static void check_values_of(red_case c, s3f_tensor *x)
{
    int axis = c.axis < 0 ? c.axis + 3 : c.axis;
    s3f_tensor *want = naive_reduce(c.kind, x, axis), *y;
    assert_ok(apply(ts_ctx(), &x, &c, &y));
    s3f_shape shape = x->shape;
    shape.d[axis] = 1;
    if (!c.keepdim) {
        for (int k = axis; k < 2; k++) shape.d[k] = shape.d[k + 1];
        shape.ndim = 2;
    }
    assert_true(s3f_shape_equal(&y->shape, &shape));
    s3f_tensor *flat;
    assert_ok(s3f_tensor_view(ts_ctx(), y, want->shape, &flat));
    ts_assert_close(flat, want, 1e-14, 1e-14);
    s3f_ctx_reset(ts_ctx());
    s3f_tensor_destroy(want);
}

static void test_values_every_axis(void **state)
{
    s3f_tensor *x = ts_random(S3F_F64, S3F_SHAPE(3, 4, 5), 1, -3, 3, false);
    /* inner sizes past one tile of 256 positions, and long single rows */
    s3f_tensor *wide = ts_random(S3F_F64, S3F_SHAPE(3, 7, 700), 2, -3, 3, false);
    s3f_tensor *deep = ts_random(S3F_F64, S3F_SHAPE(2, 900, 3), 3, -3, 3, false);
    for (size_t k = 0; k < 3; k++)
        for (int axis = -3; axis < 3; axis++)
            for (int keep = 0; keep < 2; keep++) {
                red_case c = {axis_kinds[k], axis, keep};
                check_values_of(c, x);
                check_values_of(c, wide);
                check_values_of(c, deep);
            }
    s3f_tensor *all[] = {x, wide, deep};
    ts_destroy_all(3, all);
}

static void test_gradcheck_every_axis(void **state)
{
    s3f_tensor *x = ts_random(S3F_F64, S3F_SHAPE(3, 4, 5), 4, -3, 3, true);
    for (size_t k = 0; k < 3; k++)
        for (int axis = -1; axis < 3; axis++)
            for (int keep = 0; keep < 2; keep++) {
                red_case c = {axis_kinds[k], axis, keep};
                ts_gradcheck(apply, &c, 1, &x, 0, 0);
                /* f32 inputs are off by <= 3 * 2^-24 each; a sum of <= 5 of
                 * them by <= 9e-7, well inside 1e-6 * (1 + |y|) */
                ts_assert_f32_matches_f64(apply, &c, 1, &x, 1e-6);
            }
    s3f_tensor_destroy(x);
}

static void test_deterministic(void **state)
{
    s3f_tensor *x = ts_random(S3F_F32, S3F_SHAPE(40, 30, 20), 5, -3, 3, true);
    for (size_t k = 0; k < 3; k++)
        for (int axis = 0; axis < 3; axis++) {
            red_case c = {axis_kinds[k], axis, false};
            ts_assert_deterministic(apply, &c, 1, &x);
        }
    red_case all = {.kind = SUM_ALL};
    s3f_tensor *big = ts_random(S3F_F32, S3F_SHAPE(100000), 6, -3, 3, true);
    ts_assert_deterministic(apply, &all, 1, &big);
    s3f_tensor_destroy(big);
    s3f_tensor_destroy(x);
}

/* max backward with dy = 1 puts exactly one 1 per slice, at the first maximum. */
static void test_max_ties_go_to_first(void **state)
{
    double v[] = {1, 3, 3, 2, 2, 0};
    s3f_tensor *x = ts_from(S3F_F64, S3F_SHAPE(2, 3), v), *y, *seed;
    x->requires_grad = true;
    assert_ok(s3f_max(ts_ctx(), x, 1, false, &y));
    assert_true(s3f_tensor_get(y, 0) == 3 && s3f_tensor_get(y, 1) == 2);
    assert_ok(s3f_tensor_create(S3F_F64, y->shape, &seed));
    assert_ok(s3f_tensor_fill(seed, 1));
    assert_ok(s3f_backward_from(ts_ctx(), y, seed));
    double want_rows[] = {0, 1, 0, 1, 0, 0};
    for (int i = 0; i < 6; i++) assert_true(s3f_tensor_get(x->grad, i) == want_rows[i]);
    s3f_tensor_destroy(seed);

    /* along axis 0: columns 0 (1 vs 2) and 2 (3 vs 0) differ, make column 1 tie */
    s3f_tensor_set(x, 4, 3);
    assert_ok(s3f_tensor_fill(x->grad, 0));
    assert_ok(s3f_max(ts_ctx(), x, 0, true, &y));
    assert_ok(s3f_tensor_create(S3F_F64, y->shape, &seed));
    assert_ok(s3f_tensor_fill(seed, 1));
    assert_ok(s3f_backward_from(ts_ctx(), y, seed));
    double want_cols[] = {0, 1, 1, 1, 0, 0};
    for (int i = 0; i < 6; i++) assert_true(s3f_tensor_get(x->grad, i) == want_cols[i]);
    s3f_ctx_reset(ts_ctx());
    s3f_tensor_destroy(seed);
    s3f_tensor_destroy(x);
}

static void test_max_propagates_nan(void **state)
{
    double v[] = {1, NAN, 3, 4, 5, 6};
    s3f_tensor *x = ts_from(S3F_F64, S3F_SHAPE(2, 3), v), *y;
    assert_ok(s3f_max(ts_ctx(), x, 1, false, &y));
    assert_true(isnan(s3f_tensor_get(y, 0)));
    assert_true(s3f_tensor_get(y, 1) == 6);
    s3f_ctx_reset(ts_ctx());
    s3f_tensor_destroy(x);
}

static void test_sum_all(void **state)
{
    red_case c = {.kind = SUM_ALL};
    s3f_tensor *x = ts_random(S3F_F64, S3F_SHAPE(3, 4, 5), 7, -3, 3, true), *y;
    assert_ok(s3f_sum_all(ts_ctx(), x, &y));
    assert_int_equal(y->shape.ndim, 0);
    double want = 0;
    for (int64_t i = 0; i < 60; i++) want += s3f_tensor_get(x, i);
    assert_true(fabs(s3f_tensor_get(y, 0) - want) <= 1e-14 * 60);
    ts_gradcheck(apply, &c, 1, &x, 0, 0);
    /* 60 inputs off by <= 3 * 2^-24 each in f32: <= 1.1e-5 in all */
    ts_assert_f32_matches_f64(apply, &c, 1, &x, 1.2e-5);
    s3f_tensor_destroy(x);

    /* many blocks: against a plain loop (f64, so the order barely matters) */
    s3f_tensor *big = ts_random(S3F_F64, S3F_SHAPE(100000), 8, -1, 1, false);
    assert_ok(s3f_sum_all(ts_ctx(), big, &y));
    want = 0;
    for (int64_t i = 0; i < 100000; i++) want += s3f_tensor_get(big, i);
    assert_true(fabs(s3f_tensor_get(y, 0) - want) <= 1e-10);
    s3f_ctx_reset(ts_ctx());
    s3f_tensor_destroy(big);
}

static void test_zero_size(void **state)
{
    s3f_tensor *x = ts_random(S3F_F64, S3F_SHAPE(2, 0, 3), 1, -1, 1, false), *y;
    assert_ok(s3f_sum(ts_ctx(), x, 1, false, &y));
    assert_int_equal(s3f_tensor_numel(y), 6);
    for (int i = 0; i < 6; i++) assert_true(s3f_tensor_get(y, i) == 0.0);
    assert_ok(s3f_mean(ts_ctx(), x, 1, true, &y));
    assert_true(isnan(s3f_tensor_get(y, 0)));
    assert_ok(s3f_max(ts_ctx(), x, 0, false, &y));
    assert_int_equal(s3f_tensor_numel(y), 0);
    assert_fails(s3f_max(ts_ctx(), x, 1, false, &y), S3F_ERR_SHAPE, "max", "(2, 0, 3)");
    assert_ok(s3f_sum_all(ts_ctx(), x, &y));
    assert_true(s3f_tensor_get(y, 0) == 0.0);
    s3f_ctx_reset(ts_ctx());
    s3f_tensor_destroy(x);
}

static void test_bad_input(void **state)
{
    s3f_tensor *x = ts_random(S3F_F64, S3F_SHAPE(2, 3, 4), 1, 0, 1, false), *ints, *y;
    s3f_tensor *scalar = ts_random(S3F_F64, S3F_SCALAR_SHAPE, 2, 0, 1, false);
    assert_ok(s3f_tensor_create(S3F_I32, S3F_SHAPE(4), &ints));
    assert_fails(s3f_sum(ts_ctx(), x, 3, false, &y), S3F_ERR_ARG, "sum", "axis 3", "3-D");
    assert_fails(s3f_mean(ts_ctx(), x, -4, false, &y), S3F_ERR_ARG, "mean", "axis -4");
    assert_fails(s3f_max(ts_ctx(), scalar, 0, false, &y), S3F_ERR_ARG, "max", "0-D");
    assert_fails(s3f_max(ts_ctx(), ints, 0, false, &y), S3F_ERR_DTYPE, "max", "i32");
    assert_fails(s3f_sum_all(ts_ctx(), ints, &y), S3F_ERR_DTYPE, "sum_all", "i32");
    assert_fails(s3f_sum_all(ts_ctx(), NULL, &y), S3F_ERR_ARG, "sum_all");
    s3f_ctx_reset(ts_ctx());
    s3f_tensor *all[] = {x, scalar, ints};
    ts_destroy_all(3, all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_every_axis),  cmocka_unit_test(test_gradcheck_every_axis),
        cmocka_unit_test(test_deterministic),      cmocka_unit_test(test_max_ties_go_to_first),
        cmocka_unit_test(test_max_propagates_nan), cmocka_unit_test(test_sum_all),
        cmocka_unit_test(test_zero_size),          cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
