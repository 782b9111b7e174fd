/* op_vector_norm.c — the clamped L2 norm over the last axis (ops.h).
 *
 * Not here: other p-norms, or norms over other axes (permute first). Kernels
 * are in vector_norm_kernels.h.
 *
 * Invariant: backward uses the unclamped norms saved by the forward pass, so
 * it sees exactly which rows the clamp held. */
#include <math.h>

#include "op_common.h"

#define KERNEL_FILE "vector_norm_kernels.h"
#include "float_template.h"

typedef struct norm_saved {
    double min_norm;
    double *norm; /* (rows) unclamped norms */
} norm_saved;

static s3f_status vector_norm_bwd(s3f_ctx_t *ctx, const s3f_tape_node *node)
{
    s3f_tensor *x = node->inputs[0], *dy = node->outputs[0]->grad, *dx;
    const norm_saved *s = node->saved;
    S3F_RETURN_IF_ERR(s3f_grad_of(ctx, x, &dx));
    int64_t d = x->shape.d[x->shape.ndim - 1], rows = s3f_tensor_numel(dy);
    if (dx)
        OP_DISPATCH(x->dtype, vector_norm_backward, x->data, s->norm, dy->data, dx->data, rows, d,
                    s->min_norm);
    return S3F_OK;
}
static const s3f_op_def vector_norm_def = {"vector_norm", vector_norm_bwd};

/* Checks the arguments and makes the output: x (..., D) -> (..., 1) or (...). */
static s3f_status norm_begin(s3f_ctx_t *ctx, s3f_tensor *x, double min_norm, bool keepdim,
                             s3f_tensor **y)
{
    S3F_RETURN_IF_ERR(op_check_float("vector_norm", "x", x));
    if (x->shape.ndim == 0)
        return s3f_fail(S3F_ERR_SHAPE, "vector_norm: x has shape (); it needs a last axis");
    if (isnan(min_norm)) return s3f_fail(S3F_ERR_ARG, "vector_norm: min_norm is NaN");
    s3f_shape shape = x->shape;
    if (keepdim)
        shape.d[shape.ndim - 1] = 1;
    else
        shape.ndim--;
    return op_output(ctx, x->dtype, shape, y);
}

s3f_status s3f_vector_norm(s3f_ctx_t *ctx, s3f_tensor *x, double min_norm, bool keepdim,
                           s3f_tensor **out)
{
    s3f_tensor *y;
    S3F_RETURN_IF_ERR(norm_begin(ctx, x, min_norm, keepdim, &y));
    int64_t rows = s3f_tensor_numel(y), d = x->shape.d[x->shape.ndim - 1];
    norm_saved *s = NULL;
    if (s3f_tape_wants(ctx, 1, &x)) {
        S3F_RETURN_IF_ERR(s3f_ctx_saved(ctx, sizeof *s, (void **)&s));
        S3F_RETURN_IF_ERR(s3f_ctx_saved(ctx, (size_t)rows * sizeof *s->norm, (void **)&s->norm));
        s->min_norm = min_norm;
    }
    OP_DISPATCH(x->dtype, vector_norm_forward, x->data, y->data, s ? s->norm : NULL, rows, d,
                min_norm);
    S3F_RETURN_IF_ERR(s3f_tape_record(ctx, &vector_norm_def, 1, &x, 1, &y, s));
    *out = y;
    return S3F_OK;
}
