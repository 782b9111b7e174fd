/* test_autograd.c — the tape, through the public plugin API: custom ops
 * defined here (add, sum, a two-output op, a failing op, an op whose
 * backward calls another op) together with core's scale and relu.
 * Covers accumulation into a tensor used twice, no-grad mode, the errors of
 * s3f_backward / s3f_backward_from / s3f_tape_record, skipping of nodes that
 * do not reach the loss, where gradients live (arena or heap) and that the
 * tape is empty after backward. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "test_support.h"

/* ---- custom ops --------------------------------------------------------- */

static int g_add_calls, g_pair_calls;

/* dx += dy element by element (any float dtype), when x wants a gradient. */
static s3f_status accumulate(s3f_ctx_t *ctx, s3f_tensor *x, const s3f_tensor *dy, double scale)
{
    s3f_tensor *dx;
    S3F_RETURN_IF_ERR(s3f_grad_of(ctx, x, &dx));
    if (!dx) return S3F_OK;
    int64_t n = s3f_tensor_numel(x), m = s3f_tensor_numel(dy);
    for (int64_t i = 0; i < n; i++)
        s3f_tensor_set(dx, i, s3f_tensor_get(dx, i) + scale * s3f_tensor_get(dy, m == 1 ? 0 : i));
    return S3F_OK;
}

static s3f_status add_bwd(s3f_ctx_t *ctx, const s3f_tape_node *node)
{
    g_add_calls++;
    S3F_RETURN_IF_ERR(accumulate(ctx, node->inputs[0], node->outputs[0]->grad, 1.0));
    return accumulate(ctx, node->inputs[1], node->outputs[0]->grad, 1.0);
}
static const s3f_op_def add_def = {"test_add", add_bwd};

/* out = a + b, both of one shape and dtype. */
static s3f_status test_add(s3f_ctx_t *ctx, s3f_tensor *a, s3f_tensor *b, s3f_tensor **out)
{
    if (!s3f_shape_equal(&a->shape, &b->shape)) return s3f_fail(S3F_ERR_SHAPE, "test_add");
    s3f_tensor *y;
    S3F_RETURN_IF_ERR(s3f_tensor_empty(ctx, a->dtype, a->shape, &y));
    for (int64_t i = 0; i < s3f_tensor_numel(a); i++)
        s3f_tensor_set(y, i, s3f_tensor_get(a, i) + s3f_tensor_get(b, i));
    s3f_tensor *in[2] = {a, b};
    S3F_RETURN_IF_ERR(s3f_tape_record(ctx, &add_def, 2, in, 1, &y, NULL));
    *out = y;
    return S3F_OK;
}

static s3f_status sum_bwd(s3f_ctx_t *ctx, const s3f_tape_node *node)
{
    return accumulate(ctx, node->inputs[0], node->outputs[0]->grad, 1.0);
}
static const s3f_op_def sum_def = {"test_sum", sum_bwd};

/* out () = sum of x. */
static s3f_status test_sum(s3f_ctx_t *ctx, s3f_tensor *x, s3f_tensor **out)
{
    s3f_tensor *y;
    S3F_RETURN_IF_ERR(s3f_tensor_zeros(ctx, x->dtype, S3F_SCALAR_SHAPE, &y));
    double s = 0;
    for (int64_t i = 0; i < s3f_tensor_numel(x); i++) s += s3f_tensor_get(x, i);
    s3f_tensor_set(y, 0, s);
    S3F_RETURN_IF_ERR(s3f_tape_record(ctx, &sum_def, 1, &x, 1, &y, NULL));
    *out = y;
    return S3F_OK;
}

/* Two outputs: out[0] = x * saved[0], out[1] = x * saved[1]; either output
 * may not reach the loss (grad NULL). The factors travel in saved state. */
static s3f_status pair_bwd(s3f_ctx_t *ctx, const s3f_tape_node *node)
{
    g_pair_calls++;
    const double *factor = node->saved;
    for (int k = 0; k < 2; k++)
        if (node->outputs[k]->grad)
            S3F_RETURN_IF_ERR(accumulate(ctx, node->inputs[0], node->outputs[k]->grad, factor[k]));
    return S3F_OK;
}
static const s3f_op_def pair_def = {"test_pair", pair_bwd};

static s3f_status test_pair(s3f_ctx_t *ctx, s3f_tensor *x, double f0, double f1, s3f_tensor **out)
{
    double *factor = NULL;
    S3F_RETURN_IF_ERR(s3f_ctx_saved(ctx, 2 * sizeof *factor, (void **)&factor));
    assert_int_equal((uintptr_t)factor % 64, 0);
    factor[0] = f0;
    factor[1] = f1;
    for (int k = 0; k < 2; k++) {
        S3F_RETURN_IF_ERR(s3f_tensor_empty(ctx, x->dtype, x->shape, &out[k]));
        for (int64_t i = 0; i < s3f_tensor_numel(x); i++)
            s3f_tensor_set(out[k], i, factor[k] * s3f_tensor_get(x, i));
    }
    return s3f_tape_record(ctx, &pair_def, 1, &x, 2, out, factor);
}

static s3f_status failing_bwd(s3f_ctx_t *ctx, const s3f_tape_node *node)
{
    return s3f_fail(S3F_ERR_NUMERIC, "boom at %d", 7);
}
static const s3f_op_def failing_def = {"test_failing", failing_bwd};

/* ---- helpers ------------------------------------------------------------ */

static s3f_tensor *leaf(s3f_dtype dtype, int64_t n, const double *v, bool requires_grad)
{
    s3f_tensor *x = ts_from(dtype, S3F_SHAPE(n), v);
    x->requires_grad = requires_grad;
    return x;
}

static void assert_values(const s3f_tensor *t, const double *want)
{
    assert_non_null(t);
    for (int64_t i = 0; i < s3f_tensor_numel(t); i++) {
        if (s3f_tensor_get(t, i) != want[i]) {
            print_error("element %lld: %.17g, expected %.17g\n", (long long)i, s3f_tensor_get(t, i),
                        want[i]);
            fail();
        }
    }
}

static s3f_ctx_t *new_ctx(void)
{
    s3f_ctx_t *ctx;
    assert_ok(s3f_ctx_create(0, &ctx));
    return ctx;
}

/* ---- tests -------------------------------------------------------------- */

static void test_tensor_used_twice_accumulates(void **state)
{
    s3f_dtype dtypes[] = {S3F_F64, S3F_F32};
    for (int k = 0; k < 2; k++) {
        s3f_ctx_t *ctx = new_ctx();
        const double v[] = {1, -2, 3, -4};
        s3f_tensor *x = leaf(dtypes[k], 4, v, true), *y, *z, *s, *l;
        g_add_calls = 0;
        assert_ok(s3f_scale(ctx, x, 2, &y));
        assert_ok(s3f_scale(ctx, x, 3, &z));
        assert_ok(test_add(ctx, y, z, &s));
        assert_ok(test_sum(ctx, s, &l));
        assert_true(y->requires_grad && z->requires_grad && s->requires_grad && l->requires_grad);
        assert_int_equal(s3f_tape_size(ctx), 4);
        assert_true(s3f_tensor_get(l, 0) == -10);
        assert_ok(s3f_backward(ctx, l));
        assert_int_equal(s3f_tape_size(ctx), 0);
        assert_int_equal(g_add_calls, 1);
        const double five[] = {5, 5, 5, 5}, one[] = {1, 1, 1, 1};
        assert_values(x->grad, five);
        assert_values(y->grad, one);
        assert_values(z->grad, one);
        assert_int_equal(x->grad->dtype, dtypes[k]);
        s3f_tensor_destroy(x);
        s3f_ctx_destroy(ctx);
    }
}

static void test_same_tensor_twice_in_one_op(void **state)
{
    s3f_ctx_t *ctx = new_ctx();
    const double v[] = {1, -2, 3};
    s3f_tensor *x = leaf(S3F_F64, 3, v, true), *s, *l, *r, *t;
    assert_ok(test_add(ctx, x, x, &s));
    assert_ok(test_sum(ctx, s, &l));
    assert_ok(s3f_backward(ctx, l));
    const double two[] = {2, 2, 2};
    assert_values(x->grad, two);

    /* relu and the identity path together: d/dx (relu(x) + x) = [x > 0] + 1,
     * accumulated on top of the previous gradient (no zeroing between). */
    s3f_ctx_reset(ctx);
    assert_ok(s3f_relu(ctx, x, &r));
    assert_ok(test_add(ctx, r, x, &t));
    assert_ok(test_sum(ctx, t, &l));
    assert_ok(s3f_backward(ctx, l));
    const double want[] = {2 + 2, 2 + 1, 2 + 2};
    assert_values(x->grad, want);
    s3f_tensor_destroy(x);
    s3f_ctx_destroy(ctx);
}

static void test_no_grad_records_nothing(void **state)
{
    s3f_ctx_t *ctx = new_ctx();
    const double v[] = {1, 2};
    s3f_tensor *x = leaf(S3F_F64, 2, v, true), *y, *s, *l;
    assert_true(s3f_ctx_set_grad(ctx, false));
    s3f_tensor *in[] = {x};
    assert_false(s3f_tape_wants(ctx, 1, in));
    assert_ok(s3f_scale(ctx, x, 2, &y));
    assert_ok(test_add(ctx, y, x, &s));
    assert_ok(test_sum(ctx, s, &l));
    assert_int_equal(s3f_tape_size(ctx), 0);
    assert_false(y->requires_grad || s->requires_grad || l->requires_grad);
    assert_true(s3f_tensor_get(l, 0) == 9); /* the forward still computes */
    assert_fails(s3f_backward(ctx, l), S3F_ERR_STATE, "without gradients");
    assert_null(x->grad);
    assert_false(s3f_ctx_set_grad(ctx, true));
    assert_true(s3f_tape_wants(ctx, 1, in));
    s3f_tensor_destroy(x);
    s3f_ctx_destroy(ctx);
}

static void test_backward_errors(void **state)
{
    s3f_ctx_t *ctx = new_ctx();
    const double v[] = {1, 2, 3, 4};
    s3f_tensor *x = leaf(S3F_F64, 4, v, true), *c = leaf(S3F_F64, 4, v, false), *y, *l, *d;
    assert_ok(s3f_scale(ctx, x, 2, &y));
    assert_fails(s3f_backward(ctx, y), S3F_ERR_SHAPE, "one element", "(4)");

    /* no input requires a gradient: nothing recorded, STATE on backward */
    assert_ok(s3f_scale(ctx, c, 2, &d));
    assert_false(d->requires_grad);
    assert_ok(test_sum(ctx, d, &l));
    assert_fails(s3f_backward(ctx, l), S3F_ERR_STATE, "without gradients");
    assert_fails(s3f_backward_from(ctx, d, c), S3F_ERR_STATE, "without gradients");

    /* seeds of the wrong shape or dtype */
    s3f_tensor *seed_shape, *seed_dtype;
    assert_ok(s3f_tensor_create(S3F_F64, S3F_SHAPE(2, 2), &seed_shape));
    assert_ok(s3f_tensor_create(S3F_F32, S3F_SHAPE(4), &seed_dtype));
    assert_fails(s3f_backward_from(ctx, y, seed_shape), S3F_ERR_SHAPE, "(2, 2)", "(4)");
    assert_fails(s3f_backward_from(ctx, y, seed_dtype), S3F_ERR_SHAPE, "f32", "f64");

    /* a loss of one element in any shape is fine */
    s3f_tensor *one;
    const double w[] = {3};
    s3f_tensor *x1 = ts_from(S3F_F64, S3F_SHAPE(1, 1), w);
    x1->requires_grad = true;
    assert_ok(s3f_scale(ctx, x1, -2, &one));
    assert_ok(s3f_backward(ctx, one));
    assert_true(s3f_tensor_get(x1->grad, 0) == -2);
    s3f_tensor *all[] = {x, c, seed_shape, seed_dtype, x1};
    ts_destroy_all(5, all);
    s3f_ctx_destroy(ctx);
}

static void test_backward_from_seed(void **state)
{
    s3f_ctx_t *ctx = new_ctx();
    const double v[] = {1, -1, 2}, dv[] = {0.5, 2, -3};
    s3f_tensor *x = leaf(S3F_F64, 3, v, true), *dout = ts_from(S3F_F64, S3F_SHAPE(3), dv), *y, *r;
    assert_ok(s3f_scale(ctx, x, 4, &y));
    assert_ok(s3f_relu(ctx, y, &r));
    assert_ok(s3f_backward_from(ctx, r, dout));
    const double want[] = {2, 0, -12};
    assert_values(x->grad, want);
    assert_values(r->grad, dv); /* the seed is copied */
    assert_ptr_not_equal(r->grad->data, dout->data);
    assert_int_equal(s3f_tape_size(ctx), 0);
    s3f_tensor_destroy(x);
    s3f_tensor_destroy(dout);
    s3f_ctx_destroy(ctx);
}

static void test_heap_grads_survive_reset(void **state)
{
    s3f_ctx_t *ctx = new_ctx();
    const double v[] = {1, 2, 3};
    s3f_tensor *x = leaf(S3F_F64, 3, v, true), *y, *l;
    for (int step = 1; step <= 2; step++) {
        assert_ok(s3f_scale(ctx, x, 5, &y));
        assert_ok(test_sum(ctx, y, &l));
        assert_ok(s3f_backward(ctx, l));
        assert_non_null(x->grad);
        assert_true(x->grad->flags & S3F_TENSOR_HEAP);
        assert_int_equal(y->grad->flags & S3F_TENSOR_HEAP, 0); /* intermediate: arena */
        /* scribble over the arena: a heap gradient is not in it */
        s3f_ctx_reset(ctx);
        s3f_tensor *junk;
        assert_ok(s3f_tensor_empty(ctx, S3F_F64, S3F_SHAPE(64), &junk));
        assert_ok(s3f_tensor_fill(junk, -999));
        s3f_ctx_reset(ctx);
        const double want[] = {5.0 * step, 5.0 * step, 5.0 * step}; /* accumulates */
        assert_values(x->grad, want);
    }
    s3f_tensor_destroy(x); /* frees the gradient too (LeakSanitizer checks) */
    s3f_ctx_destroy(ctx);
}

static void test_unreached_nodes_are_skipped(void **state)
{
    s3f_ctx_t *ctx = new_ctx();
    const double v[] = {1, 2};
    s3f_tensor *x = leaf(S3F_F64, 2, v, true), *unused, *y, *l, *out[2];
    g_add_calls = 0;
    assert_ok(test_add(ctx, x, x, &unused));
    assert_ok(s3f_scale(ctx, x, 2, &y));
    assert_ok(test_sum(ctx, y, &l));
    assert_ok(s3f_backward(ctx, l));
    assert_int_equal(g_add_calls, 0);
    assert_null(unused->grad);
    const double two[] = {2, 2};
    assert_values(x->grad, two);

    /* A two-output op where only the second output reaches the loss. */
    s3f_ctx_reset(ctx);
    assert_ok(s3f_tensor_fill(x->grad, 0));
    g_pair_calls = 0;
    assert_ok(test_pair(ctx, x, 3, -7, out));
    assert_true(out[0]->requires_grad && out[1]->requires_grad);
    assert_ok(test_sum(ctx, out[1], &l));
    assert_ok(s3f_backward(ctx, l));
    assert_int_equal(g_pair_calls, 1);
    assert_null(out[0]->grad);
    const double seven[] = {-7, -7};
    assert_values(x->grad, seven);
    s3f_tensor_destroy(x);
    s3f_ctx_destroy(ctx);
}

static void test_backward_failure_is_reported(void **state)
{
    s3f_ctx_t *ctx = new_ctx();
    const double v[] = {1, 2};
    s3f_tensor *x = leaf(S3F_F64, 2, v, true), *y, *l;
    assert_ok(s3f_tensor_empty(ctx, S3F_F64, x->shape, &y));
    assert_ok(s3f_tape_record(ctx, &failing_def, 1, &x, 1, &y, NULL));
    assert_ok(test_sum(ctx, y, &l));
    assert_fails(s3f_backward(ctx, l), S3F_ERR_NUMERIC, "test_failing", "boom at 7");
    assert_int_equal(s3f_tape_size(ctx), 0);
    assert_true(s3f_ctx_grad_enabled(ctx));
    s3f_tensor_destroy(x);
    s3f_ctx_destroy(ctx);
}

static void test_record_errors(void **state)
{
    s3f_ctx_t *ctx = new_ctx();
    const double v[] = {1};
    s3f_tensor *x = leaf(S3F_F64, 1, v, true), *y;
    assert_ok(s3f_tensor_empty(ctx, S3F_F64, x->shape, &y));
    static const s3f_op_def no_backward = {"half_made", NULL};
    s3f_tensor *many[S3F_OP_MAX_INPUTS + 1];
    for (int i = 0; i <= S3F_OP_MAX_INPUTS; i++) many[i] = x;
    assert_fails(s3f_tape_record(ctx, NULL, 1, &x, 1, &y, NULL), S3F_ERR_ARG, "backward");
    assert_fails(s3f_tape_record(ctx, &no_backward, 1, &x, 1, &y, NULL), S3F_ERR_ARG, "backward");
    assert_fails(s3f_tape_record(ctx, &add_def, S3F_OP_MAX_INPUTS + 1, many, 1, &y, NULL),
                 S3F_ERR_ARG, "test_add", "9 inputs");
    assert_fails(s3f_tape_record(ctx, &add_def, 1, &x, 0, &y, NULL), S3F_ERR_ARG, "0 outputs");
    assert_fails(s3f_tape_record(ctx, &add_def, -1, &x, 1, &y, NULL), S3F_ERR_ARG, "test_add");
    s3f_tensor *outs[S3F_OP_MAX_OUTPUTS + 1];
    for (int i = 0; i <= S3F_OP_MAX_OUTPUTS; i++) outs[i] = y;
    assert_fails(s3f_tape_record(ctx, &add_def, 1, &x, S3F_OP_MAX_OUTPUTS + 1, outs, NULL),
                 S3F_ERR_ARG, "9 outputs");
    assert_int_equal(s3f_tape_size(ctx), 0);
    assert_false(y->requires_grad);
    /* NULL inputs (absent options) are skipped by s3f_tape_wants */
    s3f_tensor *with_null[3] = {NULL, x, NULL};
    assert_true(s3f_tape_wants(ctx, 3, with_null));
    with_null[1] = NULL;
    assert_false(s3f_tape_wants(ctx, 3, with_null));
    assert_ok(s3f_tape_record(ctx, &add_def, 3, with_null, 1, &y, NULL)); /* nothing wants it */
    assert_int_equal(s3f_tape_size(ctx), 0);
    s3f_tensor_destroy(x);
    s3f_ctx_destroy(ctx);
}

/* A long chain grows the tape past its first allocation. */
static void test_long_chain(void **state)
{
    s3f_ctx_t *ctx = new_ctx();
    const double v[] = {1, 2};
    s3f_tensor *x = leaf(S3F_F64, 2, v, true), *y = x, *l;
    for (int i = 0; i < 1000; i++) assert_ok(s3f_scale(ctx, y, i % 2 ? 2.0 : 0.5, &y));
    assert_int_equal(s3f_tape_size(ctx), 1000);
    assert_ok(test_sum(ctx, y, &l));
    assert_ok(s3f_backward(ctx, l));
    assert_int_equal(s3f_tape_size(ctx), 0);
    const double one[] = {1, 1};
    assert_values(x->grad, one);
    s3f_tensor_destroy(x);
    s3f_ctx_destroy(ctx);
}

static int g_recorded_in_backward = -1;

/* A backward that uses an op of the library on its input, as a plugin may
 * do, then reads its node again. */
static s3f_status composing_bwd(s3f_ctx_t *ctx, const s3f_tape_node *node)
{
    int before = s3f_tape_size(ctx);
    s3f_tensor *twice;
    S3F_RETURN_IF_ERR(s3f_scale(ctx, node->outputs[0]->grad, 1.0, &twice));
    S3F_RETURN_IF_ERR(s3f_scale(ctx, node->inputs[0], 1.0, &twice));
    g_recorded_in_backward = s3f_tape_size(ctx) - before;
    return accumulate(ctx, node->inputs[0], node->outputs[0]->grad, 1.0);
}
static const s3f_op_def composing_def = {"test_composing", composing_bwd};

/* Ops called inside a backward pass record nothing: the tape is being
 * walked (and emptied afterwards), and growing it there would move the
 * node array under the running backward. The tape is filled to exactly
 * its first capacity (256) so that one more node would reallocate it. */
static void test_ops_inside_backward_do_not_record(void **state)
{
    s3f_ctx_t *ctx = new_ctx();
    const double v[] = {1, 2};
    s3f_tensor *x = leaf(S3F_F64, 2, v, true), *y = x, *z, *l;
    for (int i = 0; i < 254; i++) assert_ok(s3f_scale(ctx, y, 1.0, &y));
    assert_ok(s3f_tensor_empty(ctx, S3F_F64, y->shape, &z));
    assert_ok(s3f_tensor_copy(z, y));
    assert_ok(s3f_tape_record(ctx, &composing_def, 1, &y, 1, &z, NULL));
    assert_ok(test_sum(ctx, z, &l));
    assert_int_equal(s3f_tape_size(ctx), 256);
    assert_ok(s3f_backward(ctx, l));
    assert_int_equal(g_recorded_in_backward, 0);
    assert_int_equal(s3f_tape_size(ctx), 0);
    assert_true(s3f_ctx_grad_enabled(ctx)); /* restored */
    const double one[] = {1, 1};
    assert_values(x->grad, one);
    s3f_tensor_destroy(x);
    s3f_ctx_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tensor_used_twice_accumulates),
        cmocka_unit_test(test_same_tensor_twice_in_one_op),
        cmocka_unit_test(test_no_grad_records_nothing),
        cmocka_unit_test(test_backward_errors),
        cmocka_unit_test(test_backward_from_seed),
        cmocka_unit_test(test_heap_grads_survive_reset),
        cmocka_unit_test(test_unreached_nodes_are_skipped),
        cmocka_unit_test(test_backward_failure_is_reported),
        cmocka_unit_test(test_record_errors),
        cmocka_unit_test(test_long_chain),
        cmocka_unit_test(test_ops_inside_backward_do_not_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
