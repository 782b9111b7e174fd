/* test_gradcheck.c — the finite-difference checker itself: a correct custom
 * op passes, deliberately wrong backwards (wrong everywhere, wrong at one
 * element, wrong only for the second input, NaN) are caught with
 * S3F_ERR_NUMERIC, and the report names the worst element. Also its input
 * checks, its defaults and that it zeroes stale gradients first. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "test_support.h"

typedef enum { CORRECT, WRONG_FACTOR, WRONG_ONE_ELEMENT, WRONG_SECOND, NAN_GRAD } flavour;

/* out = x^3 * y (element-wise, same shape). The backward's flavour picks
 * which mistake it makes. */
typedef struct cube_state {
    flavour kind;
} cube_state;

static s3f_status cube_bwd(s3f_ctx_t *ctx, const s3f_tape_node *node)
{
    const cube_state *st = node->saved;
    s3f_tensor *x = node->inputs[0], *y = node->inputs[1], *dout = node->outputs[0]->grad, *dx, *dy;
    S3F_RETURN_IF_ERR(s3f_grad_of(ctx, x, &dx));
    S3F_RETURN_IF_ERR(s3f_grad_of(ctx, y, &dy));
    for (int64_t i = 0; i < s3f_tensor_numel(x); i++) {
        double xv = s3f_tensor_get(x, i), yv = s3f_tensor_get(y, i), g = s3f_tensor_get(dout, i);
        double gx = 3 * xv * xv * yv * g, gy = xv * xv * xv * g;
        if (st->kind == WRONG_FACTOR) gx = 2 * xv * xv * yv * g;
        if (st->kind == WRONG_ONE_ELEMENT && i == 3) gx += 1e-3;
        if (st->kind == WRONG_SECOND && i == 1) gy *= 1.01;
        if (st->kind == NAN_GRAD && i == 2) gx = NAN;
        if (dx) s3f_tensor_set(dx, i, s3f_tensor_get(dx, i) + gx);
        if (dy) s3f_tensor_set(dy, i, s3f_tensor_get(dy, i) + gy);
    }
    return S3F_OK;
}
static const s3f_op_def cube_def = {"test_cube", cube_bwd};

static s3f_status cube(s3f_ctx_t *ctx, s3f_tensor *const *in, void *user, s3f_tensor **out)
{
    s3f_tensor *x = in[0], *y = in[1], *o;
    S3F_RETURN_IF_ERR(s3f_tensor_empty(ctx, x->dtype, x->shape, &o));
    for (int64_t i = 0; i < s3f_tensor_numel(x); i++) {
        double xv = s3f_tensor_get(x, i);
        s3f_tensor_set(o, i, xv * xv * xv * s3f_tensor_get(y, i));
    }
    if (s3f_tape_wants(ctx, 2, in)) {
        cube_state *st;
        S3F_RETURN_IF_ERR(s3f_ctx_saved(ctx, sizeof *st, (void **)&st));
        st->kind = *(flavour *)user;
        S3F_RETURN_IF_ERR(s3f_tape_record(ctx, &cube_def, 2, in, 1, &o, st));
    }
    *out = o;
    return S3F_OK;
}

static s3f_status failing_fn(s3f_ctx_t *ctx, s3f_tensor *const *in, void *user, s3f_tensor **out)
{
    return s3f_fail(S3F_ERR_UNSUPPORTED, "forward refuses");
}

static s3f_ctx_t *g_ctx;

static int setup(void **state)
{
    return s3f_ctx_create(0, &g_ctx) == S3F_OK ? 0 : -1;
}

static int teardown(void **state)
{
    s3f_ctx_destroy(g_ctx);
    return 0;
}

static void inputs(s3f_tensor **in, bool x_grad, bool y_grad)
{
    in[0] = ts_random(S3F_F64, S3F_SHAPE(2, 4), 11, -2, 2, x_grad);
    in[1] = ts_random(S3F_F64, S3F_SHAPE(2, 4), 12, 0.5, 1.5, y_grad);
}

static void test_correct_backward_passes(void **state)
{
    s3f_tensor *in[2];
    inputs(in, true, true);
    flavour kind = CORRECT;
    s3f_gradcheck_report report;
    memset(&report, 0xff, sizeof report);
    assert_ok(s3f_gradcheck(g_ctx, cube, &kind, 2, in, NULL, &report));
    assert_int_equal(report.checked, 16);
    assert_true(report.max_abs_err >= 0 && report.max_abs_err < 1e-7);
    assert_true(report.max_rel_err >= 0 && report.max_rel_err < 1e-5);
    /* only inputs that require a gradient are checked */
    in[1]->requires_grad = false;
    assert_ok(s3f_gradcheck(g_ctx, cube, &kind, 2, in, NULL, &report));
    assert_int_equal(report.checked, 8);
    /* the inputs are restored after the finite differences */
    s3f_tensor *fresh[2];
    inputs(fresh, true, false);
    ts_assert_bitwise_equal(in[0], fresh[0]);
    ts_assert_bitwise_equal(in[1], fresh[1]);
    /* the report is optional, and so are the options */
    assert_ok(s3f_gradcheck(g_ctx, cube, &kind, 2, in, NULL, NULL));
    s3f_gradcheck_opts opts = {.step = 1e-5, .atol = 1e-6, .rtol = 1e-4, .seed = 5};
    assert_ok(s3f_gradcheck(g_ctx, cube, &kind, 2, in, &opts, NULL));
    ts_destroy_all(2, in);
    ts_destroy_all(2, fresh);
}

static void test_wrong_backward_is_caught(void **state)
{
    s3f_tensor *in[2];
    inputs(in, true, true);
    flavour kind = WRONG_FACTOR;
    s3f_gradcheck_report report;
    assert_fails(s3f_gradcheck(g_ctx, cube, &kind, 2, in, NULL, &report), S3F_ERR_NUMERIC,
                 "gradcheck", "input 0", "analytic", "numeric");
    assert_int_equal(report.worst_input, 0);
    assert_true(report.worst_index >= 0 && report.worst_index < 8);
    assert_true(report.max_abs_err > 1e-3);
    assert_true(report.max_rel_err > 0.1 && report.max_rel_err <= 1.0);
    assert_int_equal(report.checked, 16); /* keeps checking after a failure */
    ts_destroy_all(2, in);
}

static void test_one_wrong_element_is_located(void **state)
{
    s3f_tensor *in[2];
    inputs(in, true, true);
    flavour kind = WRONG_ONE_ELEMENT;
    s3f_gradcheck_report report;
    char want[32];
    assert_fails(s3f_gradcheck(g_ctx, cube, &kind, 2, in, NULL, &report), S3F_ERR_NUMERIC,
                 "input 0 element 3");
    assert_int_equal(report.worst_input, 0);
    assert_int_equal(report.worst_index, 3);
    assert_true(report.max_abs_err > 5e-4 && report.max_abs_err < 2e-3);
    /* the message names the element the report names */
    snprintf(want, sizeof want, "element %lld", (long long)report.worst_index);
    assert_non_null(strstr(s3f_last_error(), want));
    /* a loose enough tolerance accepts it */
    s3f_gradcheck_opts loose = {.atol = 1e-2};
    assert_ok(s3f_gradcheck(g_ctx, cube, &kind, 2, in, &loose, &report));
    ts_destroy_all(2, in);
}

static void test_wrong_second_input_is_located(void **state)
{
    s3f_tensor *in[2];
    inputs(in, true, true);
    flavour kind = WRONG_SECOND;
    s3f_gradcheck_report report;
    assert_fails(s3f_gradcheck(g_ctx, cube, &kind, 2, in, NULL, &report), S3F_ERR_NUMERIC,
                 "input 1 element 1");
    assert_int_equal(report.worst_input, 1);
    assert_int_equal(report.worst_index, 1);
    /* with input 1 not checked the same op passes */
    in[1]->requires_grad = false;
    assert_ok(s3f_gradcheck(g_ctx, cube, &kind, 2, in, NULL, &report));
    ts_destroy_all(2, in);
}

static void test_nan_gradient_fails(void **state)
{
    s3f_tensor *in[2];
    inputs(in, true, false);
    flavour kind = NAN_GRAD;
    s3f_gradcheck_report report;
    assert_fails(s3f_gradcheck(g_ctx, cube, &kind, 2, in, NULL, &report), S3F_ERR_NUMERIC,
                 "element 2", "nan");
    assert_int_equal(report.worst_index, 2);
    ts_destroy_all(2, in);
}

/* Gradients left over from earlier use of the inputs do not leak in. */
static void test_stale_gradients_are_zeroed(void **state)
{
    s3f_tensor *in[2];
    inputs(in, true, true);
    flavour kind = CORRECT;
    assert_ok(s3f_gradcheck(g_ctx, cube, &kind, 2, in, NULL, NULL));
    assert_ok(s3f_tensor_fill(in[0]->grad, 123.0));
    assert_ok(s3f_tensor_fill(in[1]->grad, -5.0));
    assert_ok(s3f_gradcheck(g_ctx, cube, &kind, 2, in, NULL, NULL));
    ts_destroy_all(2, in);
}

/* The analytic pass needs recording even if the caller left no-grad on. */
static void test_runs_in_a_no_grad_context(void **state)
{
    s3f_tensor *in[2];
    inputs(in, true, true);
    flavour kind = CORRECT;
    s3f_ctx_set_grad(g_ctx, false);
    s3f_gradcheck_report report;
    s3f_status rc = s3f_gradcheck(g_ctx, cube, &kind, 2, in, NULL, &report);
    bool restored = !s3f_ctx_grad_enabled(g_ctx);
    s3f_ctx_set_grad(g_ctx, true);
    assert_ok(rc);
    assert_true(restored);
    ts_destroy_all(2, in);
}

static void test_bad_inputs(void **state)
{
    flavour kind = CORRECT;
    s3f_tensor *in[2];
    inputs(in, true, true);
    s3f_tensor *f32 = ts_cast(in[0], S3F_F32), *mixed[2] = {f32, in[1]};
    assert_fails(s3f_gradcheck(g_ctx, cube, &kind, 2, mixed, NULL, NULL), S3F_ERR_ARG, "input 0",
                 "heap f64");
    s3f_tensor *arena;
    assert_ok(s3f_tensor_zeros(g_ctx, S3F_F64, S3F_SHAPE(2, 4), &arena));
    arena->requires_grad = true;
    s3f_tensor *with_arena[2] = {in[0], arena};
    assert_fails(s3f_gradcheck(g_ctx, cube, &kind, 2, with_arena, NULL, NULL), S3F_ERR_ARG,
                 "input 1");
    s3f_ctx_reset(g_ctx);
    /* a failing forward is passed through */
    assert_fails(s3f_gradcheck(g_ctx, failing_fn, NULL, 2, in, NULL, NULL), S3F_ERR_UNSUPPORTED,
                 "forward refuses");
    /* nothing requires a gradient: nothing to check, nothing fails */
    in[0]->requires_grad = in[1]->requires_grad = false;
    s3f_gradcheck_report report;
    assert_ok(s3f_gradcheck(g_ctx, cube, &kind, 2, in, NULL, &report));
    assert_int_equal(report.checked, 0);
    s3f_tensor_destroy(f32);
    ts_destroy_all(2, in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_correct_backward_passes),
        cmocka_unit_test(test_wrong_backward_is_caught),
        cmocka_unit_test(test_one_wrong_element_is_located),
        cmocka_unit_test(test_wrong_second_input_is_located),
        cmocka_unit_test(test_nan_gradient_fails),
        cmocka_unit_test(test_stale_gradients_are_zeroed),
        cmocka_unit_test(test_runs_in_a_no_grad_context),
        cmocka_unit_test(test_bad_inputs),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
