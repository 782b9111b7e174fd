/* op_reduce.c — sum, mean and max along one axis, and sum_all (ops.h).
 *
 * Not here: reductions over several axes at once (chain calls) or over graph
 * segments. Kernels are in reduce_kernels.h.
 *
 * Invariant: each output element is reduced by one thread, over its inputs in
 * increasing index order (sums in double, rounded once); sum_all adds fixed
 * blocks whose bounds depend only on the element count. Results are bitwise
 * the same for any thread count. */
#include <math.h>

#include "op_common.h"

/* Inner positions per task in an axis reduction (a stack tile of doubles). */
#define RED_TILE 256
/* At most this many partial sums in sum_all, each of >= SUM_BLOCK_MIN elements. */
#define SUM_BLOCKS    1024
#define SUM_BLOCK_MIN 4096

static int64_t sum_block_len(int64_t n)
{
    int64_t len = (n + SUM_BLOCKS - 1) / SUM_BLOCKS;
    return len < SUM_BLOCK_MIN ? SUM_BLOCK_MIN : len;
}

#define KERNEL_FILE "reduce_kernels.h"
#include "float_template.h"

/* x seen as (outer, len, inner) around the reduced axis. */
typedef struct axis_view {
    int64_t outer, len, inner;
} axis_view;

static axis_view axis_view_of(const s3f_shape *s, int axis)
{
    return (axis_view){op_span(s, 0, axis), s->d[axis], op_span(s, axis + 1, s->ndim)};
}

/* What a reduction's backward needs besides its input and output. */
typedef struct reduce_saved {
    int axis;     /* non-negative */
    double div;   /* sum: 1; mean: the axis size */
    int64_t *arg; /* (outer, inner): first index of each maximum; max only */
} reduce_saved;

/* Checks x and axis (and, for max, that the axis is not empty) and makes the
 * output: x's shape without the axis, or with it as 1 under keepdim. */
static s3f_status reduce_begin(s3f_ctx_t *ctx, const char *op, s3f_tensor *x, int axis,
                               bool keepdim, bool need_elements, int *ax, s3f_tensor **y)
{
    S3F_RETURN_IF_ERR(op_check_float(op, "x", x));
    S3F_RETURN_IF_ERR(op_axis(op, axis, x->shape.ndim, ax));
    s3f_shape shape = x->shape;
    if (need_elements && shape.d[*ax] == 0) {
        char buf[128];
        return s3f_fail(S3F_ERR_SHAPE, "%s: axis %d of x, shape %s, is empty: no element to take",
                        op, axis, s3f_shape_format(&shape, buf, sizeof buf));
    }
    if (keepdim) {
        shape.d[*ax] = 1;
    } else {
        for (int k = *ax; k + 1 < shape.ndim; k++) shape.d[k] = shape.d[k + 1];
        shape.ndim--;
    }
    return op_output(ctx, x->dtype, shape, y);
}

static s3f_status reduce_record(s3f_ctx_t *ctx, const s3f_op_def *def, s3f_tensor *x, s3f_tensor *y,
                                int axis, double div, int64_t *arg)
{
    if (!s3f_tape_wants(ctx, 1, &x)) return S3F_OK;
    reduce_saved *s;
    S3F_RETURN_IF_ERR(s3f_ctx_saved(ctx, sizeof *s, (void **)&s));
    *s = (reduce_saved){axis, div, arg};
    return s3f_tape_record(ctx, def, 1, &x, 1, &y, s);
}

/* ---- sum and mean ---- */
static s3f_status sum_bwd(s3f_ctx_t *ctx, const s3f_tape_node *node)
{
    s3f_tensor *x = node->inputs[0], *dy = node->outputs[0]->grad, *dx;
    const reduce_saved *s = node->saved;
    S3F_RETURN_IF_ERR(s3f_grad_of(ctx, x, &dx));
    axis_view v = axis_view_of(&x->shape, s->axis);
    if (dx)
        OP_DISPATCH(x->dtype, sum_backward, dy->data, dx->data, v.outer, v.len, v.inner, s->div);
    return S3F_OK;
}
static const s3f_op_def sum_def = {"sum", sum_bwd};
static const s3f_op_def mean_def = {"mean", sum_bwd};

static s3f_status sum_or_mean(s3f_ctx_t *ctx, const s3f_op_def *def, s3f_tensor *x, int axis,
                              bool keepdim, s3f_tensor **out)
{
    int ax;
    s3f_tensor *y;
    S3F_RETURN_IF_ERR(reduce_begin(ctx, def->name, x, axis, keepdim, false, &ax, &y));
    axis_view v = axis_view_of(&x->shape, ax);
    double div = def == &mean_def ? (double)v.len : 1.0;
    OP_DISPATCH(x->dtype, sum_forward, x->data, y->data, v.outer, v.len, v.inner, div);
    S3F_RETURN_IF_ERR(reduce_record(ctx, def, x, y, ax, div, NULL));
    *out = y;
    return S3F_OK;
}

s3f_status s3f_sum(s3f_ctx_t *ctx, s3f_tensor *x, int axis, bool keepdim, s3f_tensor **out)
{
    return sum_or_mean(ctx, &sum_def, x, axis, keepdim, out);
}

s3f_status s3f_mean(s3f_ctx_t *ctx, s3f_tensor *x, int axis, bool keepdim, s3f_tensor **out)
{
    return sum_or_mean(ctx, &mean_def, x, axis, keepdim, out);
}

/* ---- max ---- */
static s3f_status max_bwd(s3f_ctx_t *ctx, const s3f_tape_node *node)
{
    s3f_tensor *x = node->inputs[0], *dy = node->outputs[0]->grad, *dx;
    const reduce_saved *s = node->saved;
    S3F_RETURN_IF_ERR(s3f_grad_of(ctx, x, &dx));
    axis_view v = axis_view_of(&x->shape, s->axis);
    if (dx)
        OP_DISPATCH(x->dtype, max_backward, dy->data, s->arg, dx->data, v.outer, v.len, v.inner);
    return S3F_OK;
}
static const s3f_op_def max_def = {"max", max_bwd};

s3f_status s3f_max(s3f_ctx_t *ctx, s3f_tensor *x, int axis, bool keepdim, s3f_tensor **out)
{
    int ax;
    s3f_tensor *y;
    S3F_RETURN_IF_ERR(reduce_begin(ctx, "max", x, axis, keepdim, true, &ax, &y));
    axis_view v = axis_view_of(&x->shape, ax);
    int64_t *arg = NULL; /* only kept when backward will need it */
    if (s3f_tape_wants(ctx, 1, &x))
        S3F_RETURN_IF_ERR(
            s3f_ctx_saved(ctx, (size_t)(v.outer * v.inner) * sizeof *arg, (void **)&arg));
    OP_DISPATCH(x->dtype, max_forward, x->data, y->data, arg, v.outer, v.len, v.inner);
    S3F_RETURN_IF_ERR(reduce_record(ctx, &max_def, x, y, ax, 1.0, arg));
    *out = y;
    return S3F_OK;
}

/* ---- sum_all ---- */
static s3f_status sum_all_bwd(s3f_ctx_t *ctx, const s3f_tape_node *node)
{
    s3f_tensor *x = node->inputs[0], *dy = node->outputs[0]->grad, *dx;
    S3F_RETURN_IF_ERR(s3f_grad_of(ctx, x, &dx));
    if (dx) OP_DISPATCH(x->dtype, sum_all_backward, dy->data, dx->data, s3f_tensor_numel(x));
    return S3F_OK;
}
static const s3f_op_def sum_all_def = {"sum_all", sum_all_bwd};

s3f_status s3f_sum_all(s3f_ctx_t *ctx, s3f_tensor *x, s3f_tensor **out)
{
    S3F_RETURN_IF_ERR(op_check_float("sum_all", "x", x));
    s3f_tensor *y;
    S3F_RETURN_IF_ERR(op_output(ctx, x->dtype, S3F_SCALAR_SHAPE, &y));
    OP_DISPATCH(x->dtype, sum_all_forward, x->data, y->data, s3f_tensor_numel(x));
    S3F_RETURN_IF_ERR(s3f_tape_record(ctx, &sum_all_def, 1, &x, 1, &y, NULL));
    *out = y;
    return S3F_OK;
}
