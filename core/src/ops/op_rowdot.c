/* op_rowdot.c — s3f_rowdot: out (...) = sum over the last axis of
 * a (..., D) * b (..., D), forward and backward side by side.
 *
 * Not a broadcasting op: a and b must have the same shape.
 *
 * Invariant: the output has a's shape without its last axis (a scalar for
 * 1-D inputs), and rows are the product of the other sizes. */
#include "op_common.h"

#define KERNEL_FILE "rowdot_kernels.h"
#include "float_template.h"

static s3f_status rowdot_check(const s3f_tensor *a, const s3f_tensor *b)
{
    S3F_RETURN_IF_ERR(op_check_float("rowdot", "a", a));
    S3F_RETURN_IF_ERR(op_check_float("rowdot", "b", b));
    S3F_RETURN_IF_ERR(op_check_same_dtype("rowdot", a, b));
    if (!s3f_shape_equal(&a->shape, &b->shape))
        return op_fail_shapes("rowdot", "shapes differ", "a", a, "b", b);
    if (a->shape.ndim < 1)
        return op_fail_shapes("rowdot", "scalars have no axis to sum", "a", a, "b", b);
    return S3F_OK;
}

static s3f_status rowdot_bwd(s3f_ctx_t *ctx, const s3f_tape_node *node)
{
    s3f_tensor *a = node->inputs[0], *b = node->inputs[1], *dout = node->outputs[0]->grad;
    s3f_tensor *da, *db;
    S3F_RETURN_IF_ERR(s3f_grad_of(ctx, a, &da));
    S3F_RETURN_IF_ERR(s3f_grad_of(ctx, b, &db));
    int64_t rows = s3f_tensor_numel(dout), d = a->shape.d[a->shape.ndim - 1];
    if (da) OP_DISPATCH(a->dtype, rowdot_backward, dout->data, b->data, da->data, rows, d);
    if (db) OP_DISPATCH(a->dtype, rowdot_backward, dout->data, a->data, db->data, rows, d);
    return S3F_OK;
}
static const s3f_op_def rowdot_def = {"rowdot", rowdot_bwd};

s3f_status s3f_rowdot(s3f_ctx_t *ctx, s3f_tensor *a, s3f_tensor *b, s3f_tensor **out)
{
    S3F_RETURN_IF_ERR(rowdot_check(a, b));
    s3f_shape shape = a->shape;
    int64_t d = shape.d[--shape.ndim];
    s3f_tensor *y;
    S3F_RETURN_IF_ERR(op_output(ctx, a->dtype, shape, &y));
    OP_DISPATCH(a->dtype, rowdot_forward, a->data, b->data, y->data, s3f_tensor_numel(y), d);
    s3f_tensor *in[2] = {a, b};
    S3F_RETURN_IF_ERR(s3f_tape_record(ctx, &rowdot_def, 2, in, 1, &y, NULL));
    *out = y;
    return S3F_OK;
}
